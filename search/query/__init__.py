"""Searching: user text and filters in, ranked and counted hits out.

Whoosh parses the query text (``parser.py``: its parser with this project's plugins for
skill names and synonyms, ``synonyms.py``, and a lenient reading that says what it left
out, ``dropped.py``) into Whoosh query objects, and supplies the key-term model of
similar postings and the lexicon that spelling reads. Whoosh does not evaluate: the
query tree is matched and scored with Whoosh's BM25F over the side tables of
``search.store`` with numpy (``view.py``, ``matching.py``), and filters, facets, sorting
and folding of copies are array operations over the same tables. The knobs of the
ranking are in ``ranking.py``; the steps of one search, in order, in ``pipeline.py``.
"""
