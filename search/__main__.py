"""``python -m search``: the ``jobsearch`` command."""

from search.cli import run

run()
