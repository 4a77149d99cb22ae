"""A cluster index: jobsearch's postings and facts in a Typesense collection.

``url`` reads ``typesense://KEY@HOST:PORT[,HOST:PORT...]/COLLECTION``; ``client`` wraps
the official ``typesense`` client (an optional extra, imported on first use) with
one-line errors; ``schema`` and ``documents`` map a ``JobPosting`` to a document made
from the embedded engine's own terms and back; ``writer`` upserts, deletes and rebuilds
behind an alias. Nothing here imports the CLI.
"""
