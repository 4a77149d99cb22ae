"""The index on disk: what Whoosh keeps, and the side tables the searches read.

Whoosh does four things here: its analysis chains turn text into terms
(``analysis.py``); its schema names the fields (``schema.py``, names in ``fields.py``);
its on-disk segment container holds the index (W3 segment files written in bulk by
``segments.py``, the table of contents and deleted documents committed by ``writer.py``,
read back by ``reading.py``) with the stored fields a hit is shown from; and its own
readers and matchers are the reference the scores are tested against. Every private
Whoosh internal this needs goes through ``whoosh_compat.py``; every unpickling Whoosh
does while reading goes through ``safeload.py``.

The side tables (``sidecar.py``), written beside each segment from the same analysed
documents, are what a search evaluates: term postings and field lengths for matching and
BM25F scoring, per-document columns (dates, pay, duplicate keys, ids) and facet bit sets
for filters, sorting and exact counts. Fields used only as filters and facets
(``fields.FILTER_ONLY_FIELDS``) live in the side tables alone: Whoosh writes no
postings for them, since nothing read them.
"""
