"""The ``jobsearch`` command line: click commands over ``JobIndex`` and their rendering."""

from search.cli.commands import main

__all__ = ["main"]
