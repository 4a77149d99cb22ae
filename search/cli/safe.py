"""Text from postings, file names and users, made inert for a terminal or a spreadsheet.

Postings come from files anyone can write, and a terminal obeys what it is sent: an ESC
sequence can clear the screen, retitle the window or plant a hyperlink, a bidi override
can make text read backwards, and rich markup in a string (``[link=file:///…]``,
``[/x]``) becomes live styling or a crash. So every string shown to a person passes
through this module, once, on its way into a rich ``Text`` (which rich never parses as
markup), and the consoles are made with ``markup=False``.

Machine formats keep the data: JSON escapes the characters a terminal acts on (the
string reads back identical), and CSV keeps the text but neutralises cells a
spreadsheet would run as a formula (OWASP's advice), unless asked not to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich loads when text is shown to a person, never for JSON or CSV
    from rich.text import Text

#: Characters that change how the text around them is displayed: the bidi embeddings,
#: overrides and isolates, the implicit direction marks, and the line/paragraph
#: separators that some terminals and editors treat as new lines.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SEPARATORS = "\u2028\u2029"
#: C0 controls, DEL and C1 controls: ESC starts CSI/OSC sequences, and C1 0x9b/0x9d
#: are one-byte CSI/OSC for terminals that honour them.
_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0)]
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    """A visible stand-in, as Python writes it in a repr: ``\\x1b``, ``\\u202e``."""
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_ONE_LINE: dict[int, str] = {
    code: _escaped(chr(code)) for code in (*_CONTROLS, *map(ord, _BIDI + _SEPARATORS))
}
#: Text shown over several lines keeps its line breaks and tabs.
_LINES: dict[int, str] = {**_ONE_LINE, ord("\n"): "\n", ord("\t"): "\t"}
#: What JSON must escape beyond what ``json.dumps`` does: it escapes C0 controls but
#: writes DEL, C1 controls, bidi controls and separators raw when ``ensure_ascii`` is off.
_JSON: dict[int, str] = {
    code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), *map(ord, _BIDI + _SEPARATORS))
}
#: Any of those characters: most JSON holds none, and a search skips the per-character
#: rewrite (which cost a fifth of a whole export).
_JSON_ANY = re.compile("[" + re.escape("".join(map(chr, _JSON))) + "]")

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value: object, *, lines: bool = False) -> str:
    """``value`` as text a terminal only displays: controls and bidi marks shown escaped.

    ``lines`` keeps line breaks (a lone CR or CRLF becomes a line break) and tabs, for
    text laid out over several lines; otherwise every control is escaped, so a message
    stays one line. None is the empty string.
    """
    if value is None:
        return ""
    shown = str(value)
    if lines:
        shown = shown.replace("\r\n", "\n").replace("\r", "\n")
        return shown.translate(_LINES)
    return shown.translate(_ONE_LINE)


def text(value: object, style: str = "", *, lines: bool = False) -> Text:
    """A rich ``Text`` of ``value``, cleaned: never read as markup, never a control code."""
    from rich.text import Text

    return Text(clean(value, lines=lines), style=style)


def message(*parts: str | tuple[str, str]) -> Text:
    """One line for stderr from plain parts and ``(text, style)`` pairs, each cleaned."""
    from rich.text import Text

    line = Text()
    for part in parts:
        if isinstance(part, tuple):
            line.append(clean(part[0]), style=part[1])
        else:
            line.append(clean(part))
    return line


def json_text(dumped: str) -> str:
    """JSON from ``json.dumps`` with the characters a terminal acts on written as
    ``\\uXXXX`` escapes: they can occur only inside strings, which read back the same."""
    return dumped.translate(_JSON) if _JSON_ANY.search(dumped) else dumped


def csv_cell(value: object, *, raw: bool = False) -> object:
    """A CSV cell a spreadsheet shows as text: a leading ``=``, ``+``, ``-``, ``@``, tab or
    CR gets a ``'`` before it. Numbers and ``raw`` output are left alone."""
    if raw or not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    return "'" + value
