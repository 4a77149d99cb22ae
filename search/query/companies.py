"""Employers found by the names people type, whatever the source's spelling.

Sources name an employer by a slug or a host name as often as by its name: "kraken.com",
"hims-and-hers", "neofinancial", "Forward%20Financing". A user types "Kraken", "Hims &
Hers", "Neo Financial". Both sides are folded to comparable keys, and a typed name
matches every employer sharing a key with it:

* the name squashed: case, accents, punctuation and spaces gone, "&" read as "and"
  ("Hims & Hers", "hims-and-hers" -> "himsandhers"; "Neo Financial" -> "neofinancial");
* a host name without its top-level domain ("kraken.com" -> "kraken", "heidihealth.com.au"
  -> "heidihealth"), when at least three letters are left;
* without a legal form or an "HQ" at the end ("Acme, Inc." -> "acme", "graphitehq" ->
  "graphite"), and without the word "and" ("Hims & Hers" also "himshers").

The exact spelling always matches itself: every form of a name has its squashed key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote

#: A name that is a host name: dotted labels, the last one letters ("kraken.com").
_HOST = re.compile(r"^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,12}$")
#: Second-level labels of country domains ("com.au", "co.uk").
_SECOND_LEVEL = frozenset({"com", "co", "org", "net", "ac", "gov"})
#: Legal forms, dropped from the end of a name ("Acme, Inc.").
_SUFFIX = re.compile(
    r"\s(?:inc|incorporated|llc|ltd|limited|corp|corporation|co|plc|gmbh|ag|sa|"
    r"sas|bv|nv|pbc|pty|oy|ab|as)$"
)
_SQUASHED_HQ = re.compile(r"(?<=[a-z0-9]{3})hq$")
_NON_WORD = re.compile(r"[\W_]+")
#: Fewest letters of a key made by dropping part of a name ("li.fi" is not "li").
_MIN_KEY = 3


def _folded(text: str) -> str:
    """Lower case, no accents, "&" as a word "and", words split on punctuation."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ")
    return " ".join(_NON_WORD.split(text.replace("'", "").replace("’", ""))).strip()


def _host_name(text: str) -> str | None:
    """The name part of a host name ("kraken.com" -> "kraken"), else None."""
    host = text.strip().casefold()
    if not _HOST.match(host):
        return None
    labels = host.split(".")[:-1]
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return " ".join(labels)


@lru_cache(maxsize=8192)
def company_keys(name: str) -> frozenset[str]:
    """The comparable keys of an employer's name, as written by a source or a user."""
    text = unquote(name) if "%" in name else name
    forms = [_folded(text)]
    host = _host_name(text)
    if host is not None:
        forms.append(_folded(host))
    keys: set[str] = set()
    for form in forms:
        shorter = _SUFFIX.sub("", form).strip()
        for variant in {form, shorter, re.sub(r"\band\b", " ", form)}:
            squashed = variant.replace(" ", "")
            if squashed:
                keys.add(squashed)
            keys.add(_SQUASHED_HQ.sub("", squashed))
    whole = forms[0].replace(" ", "")
    return frozenset(k for k in keys if k == whole or len(k) >= _MIN_KEY)


def by_key(names: Iterable[str]) -> dict[str, set[str]]:
    """Each key -> the employer names (as the index holds them) that have it."""
    found: dict[str, set[str]] = {}
    for name in names:
        for key in company_keys(name):
            found.setdefault(key, set()).add(name)
    return found


def matching(typed: str, keys: dict[str, set[str]]) -> set[str]:
    """The employer names sharing a key with the name a user typed."""
    out: set[str] = set()
    for key in company_keys(typed):
        out |= keys.get(key, set())
    return out
