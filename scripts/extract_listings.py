"""Write the job postings found in a saved listing page back out as plain listing text.

Usage: ``python scripts/extract_listings.py SEED [-o OUT]`` (stdout without ``-o``).

The output keeps the amazon.jobs form the project's parser reads (a location line, the
description, a blank line between postings), so it is both the sample data and a check
that the parser round-trips: the output parses back to the same postings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from search.ingest import parse_listing_text
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from search.ingest import parse_listing_text


def render_listings(text: str) -> str:
    """The postings of ``text`` as listing text, one blank line between postings."""
    blocks = [
        f"{location}\n{description}\n" for _, location, description in parse_listing_text(text)
    ]
    return "\n".join(blocks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=Path, help="a saved page in plain text (UTF-8)")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    try:
        text = args.seed.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.seed}: {exc}", file=sys.stderr)
        return 1
    output = render_listings(text)
    if not output:
        print(f"error: no postings found in {args.seed}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(output)
    else:
        args.output.write_bytes(output.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
