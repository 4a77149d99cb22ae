"""jobsearch: index and search job postings from the terminal or as a library."""

from __future__ import annotations

__version__ = "0.1.0"
