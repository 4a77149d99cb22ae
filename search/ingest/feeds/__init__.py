"""Job-board feeds, recognised by the shape of their entries, never by file name.

One module per format maps an entry to a ``Draft`` (see ``search.ingest.draft``) using
the format's structured fields; ``shapes`` decides which format a JSON object is in, and
``xmlfeeds`` reads XML feeds through a parser that refuses entity declarations.
"""
