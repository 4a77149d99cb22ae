"""Reading a Whoosh index without letting it run code.

Whoosh stores its table of contents, its posting blocks and its stored fields with
``pickle``, and ``pickle.loads`` of a crafted file runs any code it names: an index
someone sends you could run a program on ``jobsearch search``. ``install()`` replaces
every place Whoosh unpickles when it reads an index with an unpickler that builds only
plain data (numbers, strings, bytes, tuples, lists, dicts, sets) and the few Whoosh
classes a table of contents holds (segments and their codec). Anything else is refused
with ``UnsafeIndexError``. Our own side tables use no pickle at all.
"""

from __future__ import annotations

import io
import pickle
from typing import IO, Any

from search.errors import UnsafeIndexError, rebuild_hint

#: (module, name) pairs an index of ours may contain: a table of contents holds the
#: segment objects, their codec, their deleted-document sets and field-length counts.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {
        ("whoosh.codec.whoosh3", "W3Segment"),
        ("whoosh.codec.whoosh3", "W3Codec"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "int"),
        ("copyreg", "_reconstructor"),
        ("builtins", "object"),
        # Pickle protocol 2 (Whoosh's default) rebuilds bytes with a codec call; a codec
        # transforms data and runs nothing (PyTorch's weights-only loader allows it too).
        ("_codecs", "encode"),
    }
)


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise UnsafeIndexError(
            f"this index contains code ({module}.{name}); refusing to read it",
            hint=rebuild_hint(),
        )


def loads(data: bytes, *args: object, **kwargs: object) -> Any:
    """``pickle.loads`` that refuses anything but plain data and a segment list."""
    return _Restricted(io.BytesIO(data)).load()


def load(file: IO[bytes], *args: object, **kwargs: object) -> Any:
    """``pickle.load`` from a file object, restricted the same way."""
    return _Restricted(file).load()


_installed = False


def install() -> None:
    """Route every unpickling Whoosh does while reading an index through ``loads``.

    Idempotent. Called when the store package is imported, before any index is read.
    """
    global _installed
    if _installed:
        return
    from search.store.whoosh_compat import route_unpickling

    # Older table-of-contents formats are read with an unrestricted unpickler: their
    # loaders are dropped too.
    route_unpickling(loads, load)
    _installed = True
