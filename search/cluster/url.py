"""Where a cluster index lives, written as one URL wherever an index path is accepted.

``typesense://KEY@HOST:PORT[,HOST:PORT...]/COLLECTION`` (``typesenses://`` for https).
Several nodes are listed so a client can go on when one of them is down; the collection
is an alias, so a rebuild can switch readers to a new collection in one step. The key is
a secret: it is never part of a message or a ``repr``, only ``***`` in its place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from search.errors import ClusterError

SCHEMES: dict[str, str] = {"typesense": "http", "typesenses": "https"}
#: Typesense's own default API port, used when a node gives none.
DEFAULT_PORT = 8108
#: Collection (alias) names kept to characters that need no quoting in a URL path.
_COLLECTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_HOST = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
_FORM = "typesense://KEY@HOST:PORT[,HOST:PORT...]/COLLECTION"


@dataclass(frozen=True, slots=True)
class ClusterURL:
    """A parsed cluster URL: the API key, every node, and the collection alias."""

    key: str = field(repr=False)
    nodes: tuple[tuple[str, int], ...]
    collection: str
    scheme: str = "http"

    def node_urls(self) -> list[str]:
        """``http://HOST:PORT`` of every node, in the URL's order."""
        return [f"{self.scheme}://{host}:{port}" for host, port in self.nodes]

    def with_collection(self, collection: str) -> ClusterURL:
        """The same nodes and key, another collection (alias)."""
        return ClusterURL(self.key, self.nodes, collection, self.scheme)

    def display(self) -> str:
        """The URL as messages show it: the key replaced by ``***``."""
        prefix = "typesenses" if self.scheme == "https" else "typesense"
        nodes = ",".join(f"{host}:{port}" for host, port in self.nodes)
        return f"{prefix}://***@{nodes}/{self.collection}"

    def __str__(self) -> str:
        return self.display()


def is_cluster_url(text: str | os.PathLike[str]) -> bool:
    """Whether an index location names a cluster rather than a directory."""
    scheme, sep, _ = str(text).partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def mask(text: str) -> str:
    """``text`` with whatever stands where a cluster URL's key goes replaced by ``***``."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


def _bad(text: str, why: str) -> ClusterError:
    return ClusterError(f"not a cluster URL: {mask(text)} ({why})", hint=f"write {_FORM}")


def _node(text: str, part: str) -> tuple[str, int]:
    host, port = part, str(DEFAULT_PORT)
    if part.startswith("["):
        end = part.find("]")
        host, rest = part[: end + 1], part[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise _bad(text, f"bad node {part!r}")
            port = rest[1:]
    elif ":" in part:
        host, _, port = part.rpartition(":")
    if not _HOST.fullmatch(host):
        raise _bad(text, f"bad host {host!r}")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise _bad(text, f"bad port {port!r}")
    return host.lower(), int(port)


def parse_url(text: str | os.PathLike[str]) -> ClusterURL:
    """Read a cluster URL; a malformed one raises a one-line ``ClusterError`` that shows
    the URL with its key masked and the expected form."""
    text = str(text)
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise _bad(text, "it must start with typesense:// or typesenses://")
    if any(c in rest for c in "?#") or any(c.isspace() for c in rest):
        raise _bad(text, "no query, fragment or spaces allowed")
    authority, slash, collection = rest.partition("/")
    if "@" not in authority:
        raise _bad(text, "no API key before '@'")
    key, _, hosts = authority.rpartition("@")
    key = unquote(key)
    if not key:
        raise _bad(text, "empty API key")
    if not hosts:
        raise _bad(text, "no node after '@'")
    nodes = tuple(_node(text, part) for part in hosts.split(","))
    if len(set(nodes)) != len(nodes):
        raise _bad(text, "a node is listed twice")
    collection = collection.rstrip("/") if slash else ""
    if not collection:
        raise _bad(text, "no collection after the nodes")
    if not _COLLECTION.fullmatch(collection):
        raise _bad(text, f"bad collection name {collection!r}")
    return ClusterURL(key, nodes, collection, SCHEMES[scheme.lower()])
