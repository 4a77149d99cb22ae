"""Title, role family, seniority level and employment type of a posting.

All four are pure functions of a posting's title and description. The vocabulary
(title cues, role families, level ladder, employment-type phrases) lives in
``search/vocab/roles.toml``; this module only decides how to apply it:

* the title is trusted over the text, because descriptions mention many people
  ("collaborate with senior scientists") while the title names the one being hired;
* in the text, only *role phrases* count: the words after "As a", "looking for a",
  "A ... will", "positions available for" that form a capitalised run ending in a head
  noun ("Senior Applied Scientist"), never a word anywhere in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from types import EllipsisType

from search.extract.text import (
    CASE_JOIN,
    in_spans,
    load_vocab,
    lower_in_place,
    lowered,
    restore_breaks,
    unwanted_spans,
    word_pattern,
)

__all__ = [
    "EMPLOYMENT_TYPES",
    "LEVELS",
    "classify_employment_type",
    "classify_level",
    "classify_role",
    "extract_title",
    "role_families",
    "title_candidates",
]

#: The level ladder, junior to senior; "manager" is the people-management track.
LEVELS: tuple[str, ...] = ("intern", "entry", "mid", "senior", "principal", "manager")
#: Employment types, in the order title cues are tried.
EMPLOYMENT_TYPES: tuple[str, ...] = (
    "internship",
    "contract",
    "temporary",
    "part-time",
    "full-time",
)

# Order in which level cues are tried: the first that matches wins ("Senior Engineering
# Manager" is a manager, "Senior Staff Engineer" principal, "Associate Director" manager).
_LEVEL_PRECEDENCE: tuple[str, ...] = ("intern", "manager", "principal", "senior", "entry", "mid")

_PUNCT = re.compile(r"[-/,()|:_\[\]–—]+")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[\w][\w&'’.+#/-]*|&|,|[.!?;:()]")
_CONNECTORS = frozenset({"&", "of", "and", "for"})
_FALLBACK_WORDS = 6
_FALLBACK_TRIM = frozenset({"a", "an", "the", "of", "with", "and", "at", "to", "for", "in", "on"})
_MAX_TITLE_WORDS = 9
_MAX_SKIPPED = 4
_TYPE_LABEL = re.compile(
    r"^(?:employment|job|position|contract|role|work|engagement)?\s?"
    r"(?:type|status|schedule|commitment|hours)\s*[:\-–|]"
)
_TYPE_ASIDE = re.compile(r"\([^)]*\)?")
#: Between full-time and part-time when a statement offers both: "Full Time/Part Time".
_HOURS_BOTH = re.compile(r"\s*(?:/|,|&|\+|or|and|and/or|to|-)\s*")
_TYPE_BACK = 110  # how far before an employment-type anchor a statement may start
_TYPE_AHEAD = 80  # and how far after it it may end


@dataclass(frozen=True, slots=True)
class _Vocab:
    head_nouns: frozenset[str]
    cues: re.Pattern[str]
    sentence_cue: re.Pattern[str]
    roles: tuple[tuple[str, re.Pattern[str]], ...]
    levels: tuple[tuple[str, re.Pattern[str]], ...]
    ic_manager: re.Pattern[str]
    type_title: tuple[tuple[str, re.Pattern[str]], ...]
    type_anchors: re.Pattern[str]
    type_statement: re.Pattern[str]
    type_words: tuple[tuple[str, re.Pattern[str]], ...]
    type_conditional: re.Pattern[str]
    level_anchors: tuple[str, ...]
    level_text: re.Pattern[str]
    level_words: dict[str, str]


@cache
def _vocab() -> _Vocab:
    """Load and compile roles.toml once; the patterns are data, the order is precedence."""
    raw = load_vocab("roles")
    etype = raw["employment_type"]
    words = etype["words"]
    any_type = "|".join(w for t in EMPLOYMENT_TYPES for w in words.get(t, ()))
    modifier = "|".join([*etype["statements"]["modifiers"], any_type])
    statements = [
        p.replace("{mod}", modifier).replace("{type}", any_type)
        for p in etype["statements"]["patterns"]
    ]
    level_text = raw["level_text"]
    return _Vocab(
        head_nouns=frozenset(raw["head_nouns"]),
        cues=re.compile("|".join(f"(?:{c})" for c in raw["title_cues"])),
        sentence_cue=re.compile(raw["sentence_cue"]),
        roles=tuple((name, word_pattern(pats)) for name, pats in raw["roles"].items()),
        levels=tuple((name, word_pattern(raw["level"][name])) for name in _LEVEL_PRECEDENCE),
        ic_manager=word_pattern([f"(?:{'|'.join(raw['level']['ic_manager'])}) managers?"]),
        type_title=tuple((t, word_pattern(etype["title"][t])) for t in EMPLOYMENT_TYPES),
        type_anchors=re.compile("|".join(etype["text_anchors"])),
        type_statement=word_pattern(statements, end=""),
        type_words=tuple((t, word_pattern(words[t])) for t in words),
        type_conditional=re.compile(etype["statements"]["conditional"]),
        level_anchors=tuple(level_text["anchors"]),
        level_text=re.compile(
            "|".join(
                f"(?:{p})".replace("{head}", "|".join(raw["head_nouns"])).replace(
                    "?P<word>", f"?P<w{i}>"
                )
                for i, p in enumerate(level_text["patterns"])
            )
        ),
        level_words={w: level for level in LEVELS for w in level_text.get(level, ())},
    )


def role_families() -> tuple[str, ...]:
    """The canonical role families, in precedence order (for facets and validation)."""
    return tuple(name for name, _ in _vocab().roles)


def _normalise(title: str) -> str:
    """Lower case, punctuation to spaces: the form every roles.toml pattern is written for."""
    return _SPACES.sub(" ", _PUNCT.sub(" ", title.lower())).strip()


def _clean(title: str) -> str:
    return _SPACES.sub(" ", title).strip()


def _head(token: str, heads: frozenset[str]) -> str | None:
    """The head noun a token stands for ("Scientists" -> scientist, "Internships" -> intern)."""
    word = token.lower().rstrip(".,")
    if word in heads:
        return word
    if word.endswith("s") and word[:-1] in heads:
        return word[:-1]
    if word in ("internship", "internships"):
        return "intern"
    return None


def _read_title(tail: str, heads: frozenset[str]) -> str | None:
    """Read a title from the words after a cue, or None when they do not form one.

    Up to a few lower-case adjectives are skipped ("a passionate, talented, and inventive
    Applied Scientist"); then a run of capitalised words (and lower-case head nouns, as in
    "Research Science intern") is taken and cut after its last head noun. A run without a
    capitalised word is no title ("a successful applied scientist" is a description).
    """
    run: list[str] = []
    skipped = 0
    for match in _TOKEN.finditer(tail):
        token = match.group()
        capital = token[0].isupper()
        head = _head(token, heads)
        if not run:
            if capital:
                run.append(token)
            elif token in (",", "and"):
                continue
            elif token.isalpha() and head is None:
                skipped += 1
                if skipped > _MAX_SKIPPED:
                    return None
            else:
                return None
            continue
        if capital or head is not None or token in _CONNECTORS:
            run.append(token)
            if len(run) >= _MAX_TITLE_WORDS:
                break
        else:
            break
    while run and _head(run[-1], heads) is None:
        run.pop()
    if not run:
        return None
    last = _head(run[-1], heads)
    if last == "intern" and run[-1].lower().startswith("internship"):
        run[-1] = "Intern"
    words = [w if w[0].isupper() or w in _CONNECTORS else w.capitalize() for w in run]
    return " ".join(words).rstrip(".,")


@lru_cache(maxsize=16)
def title_candidates(text: str) -> tuple[str, ...]:
    """Every role phrase the text names, in text order, without duplicates.

    ``extract_title`` takes the first; role and level classification fall back on all of
    them when the title itself says nothing. Cached for a few texts, because the three
    classifiers of one posting all ask for the same description.
    """
    vocab = _vocab()
    ends = [cue.end() for cue in vocab.cues.finditer(lowered(text))]
    ends += [cue.end() - 1 for cue in vocab.sentence_cue.finditer("." + text)]
    found: dict[str, None] = {}
    for end in sorted(ends):
        title = _read_title(text[end : end + 160], vocab.head_nouns)
        if title:
            found.setdefault(title, None)
    return tuple(found)


def _fallback_title(text: str) -> str:
    """The first few words of the first sentence: short, never the whole description."""
    first = re.split(r"[.!?\n]", text.strip(), maxsplit=1)[0]
    words = first.split()[:_FALLBACK_WORDS]
    while len(words) > 1 and words[-1].lower() in _FALLBACK_TRIM:
        words.pop()
    return " ".join(words).strip(" ,;:-") or "Untitled posting"


def extract_title(title: str | None, text: str) -> str:
    """The posting's title: the title field when present, else the role the text names.

    Sample exports carry no title, only a description; a title read from the first role
    phrase ("As an Applied Science Intern, ...") is what a job seeker would call the job.
    """
    if title and title.strip():
        return _clean(title)
    candidates = title_candidates(text)
    return candidates[0] if candidates else _fallback_title(text)


def _role_of(title: str) -> str | None:
    norm = _normalise(title)
    for name, pattern in _vocab().roles:
        if pattern.search(norm):
            return name
    return None


def classify_role(title: str, text: str = "") -> str | None:
    """The role family (roles.toml) of a posting, or None when nothing fits.

    The title decides; only when it names no family ("Principal Scientist", "Open
    Application") do the text's role phrases, in text order, decide ("A Principal Applied
    Scientist will ..." makes it an applied scientist).
    """
    return _from_title_or_text(_role_of, title, text)


def _from_title_or_text(read: Callable[[str], str | None], title: str, text: str) -> str | None:
    """What ``read`` finds in the title, else in the text's role phrases, in text order."""
    found = read(title)
    if found is None and text:
        found = next((x for c in title_candidates(text) if (x := read(c))), None)
    return found


def _level_of(title: str) -> str | None:
    vocab = _vocab()
    norm = vocab.ic_manager.sub(" ic role ", _normalise(title))
    for name, pattern in vocab.levels:
        if pattern.search(norm):
            return name
    return None


def classify_level(title: str, text: str = "") -> str | None:
    """Seniority on the ladder intern < entry < mid < senior < principal, or manager.

    Cues in the title win; otherwise the text's role phrases ("looking for a Senior
    Applied Scientist"); never a stray word ("collaborate with senior scientists").
    No cue at all gives None rather than a guessed "mid": a filter on level should only
    return postings that say so.
    """
    level = _from_title_or_text(_level_of, title, text)
    if level is None and text:
        level = _level_statement(text)
    return level


def _level_statement(text: str) -> str | None:
    """A level the text states outright: "This is a senior individual contributor role",
    "We are looking for lead front-end developer"; the earliest statement wins.

    The anchors are found in the text as written (they are lower-case words in running
    prose); the statement is read in the posting's lowered text (``lowered``, shared with
    the other extractors and offset-preserving) around each.
    """
    vocab = _vocab()
    best: tuple[int, str] | None = None
    for anchor in vocab.level_anchors:
        at = text.find(anchor)
        while at >= 0 and (best is None or at < best[0]):
            start = max(0, at - 8)
            window = lowered(text)[start : at + 160]
            match = vocab.level_text.search(window)
            if match is not None and match.start() <= at - start + len(anchor):
                word = next(g for g in match.groups() if g)
                best = (start + match.start(), vocab.level_words[word.replace("-", " ")])
                break
            at = text.find(anchor, at + len(anchor))
    return best[1] if best else None


def classify_employment_type(
    title: str, text: str = "", *, level: str | EllipsisType | None = ...
) -> str | None:
    """internship, contract, temporary, part-time or full-time, or None when unstated.

    An intern is on an internship even when the text says "full-time (40h/week) 12 week
    internship". Otherwise title cues win, then the earliest phrase in the text that
    states the posting's own terms ("Employment Type: Part-time", "This is a 1099
    independent contractor opportunity"); boilerplate about "full-time employees" is none.
    ``level`` is the posting's ``classify_level(title, text)`` when the caller has it
    already (None included); left out, it is computed here.
    """
    vocab = _vocab()
    norm = _normalise(title)
    for name, pattern in vocab.type_title:
        if pattern.search(norm):
            return name
    if not text:
        return None
    if level is ...:
        level = classify_level(title, text)
    if level == "intern":
        return "internship"
    return _type_statement(text, vocab)


def _type_statement(text: str, vocab: _Vocab) -> str | None:
    """The type named by the earliest statement of this job's terms in the text.

    Statements are read only near the type words (``text_anchors``). "Full-time/Part-time
    hours, contract role" names hours both ways, so the contract decides; otherwise the
    first type a statement names wins ("This is a part-time, contracting role"). Where
    words run together ("Role DescriptionThis is a full-time role", "Job Type:
    Full-TimeLocation:"), the lost line breaks are put back first; a statement in a list
    of what the job is not ("Not a great fit if… - You're looking for short-term contract
    work") is none.
    """
    low = lowered(text)
    best: tuple[int, str] | None = None
    for anchor in vocab.type_anchors.finditer(low):
        if best is not None and anchor.start() - _TYPE_BACK > best[0]:
            break
        start, end = max(0, anchor.start() - _TYPE_BACK), anchor.end() + _TYPE_AHEAD
        if CASE_JOIN.search(text, start, end):
            first = max(0, start - _TYPE_BACK)  # the sentence may start before the window
            part = lower_in_place(restore_breaks(text[first : end + _TYPE_AHEAD]))
            found = _first_statement(part, start - first, len(part), vocab)
            found = (first + found[0], found[1]) if found else None
        else:
            found = _first_statement(low, start, end, vocab)
        earlier = found is not None and (best is None or found[0] < best[0])
        if earlier and found and not in_spans(unwanted_spans(low), found[0]):
            best = found
    return best[1] if best else None


def _first_statement(low: str, start: int, end: int, vocab: _Vocab) -> tuple[int, str] | None:
    """The offset and type of the first statement in ``low[start:end]`` that names one."""
    for match in vocab.type_statement.finditer(low, start, end):
        kind = _type_named(low, match, vocab)
        if kind is not None:
            return match.start(), kind
    return None


def _type_named(low: str, match: re.Match[str], vocab: _Vocab) -> str | None:
    """The type a statement names, or None (none named, or a conditional sentence).

    Full-time and part-time both named side by side ("Part-time or full-time", "Full
    Time/Part Time") say nothing; one after the other, the first is the job's ("Part Time
    with potential for Full Time").
    """
    sentence_start = max(low.rfind(".", 0, match.start()), low.rfind("\n", 0, match.start()))
    if vocab.type_conditional.search(low, sentence_start + 1, match.start() + 1):
        return None
    # "Contract type: Permanent" names no type; "Hours: 4pm-7pm (full-time option)" neither.
    said = _TYPE_ASIDE.sub("", _TYPE_LABEL.sub("", match.group(), count=1))
    found = sorted(
        (hit.start(), hit.end(), kind)
        for kind, pattern in vocab.type_words
        for hit in pattern.finditer(said)
    )
    kinds = [kind for _, _, kind in found]
    if "full-time" in kinds and "part-time" in kinds:
        hours = [(at, end) for at, end, kind in found if kind in ("full-time", "part-time")]
        if _HOURS_BOTH.fullmatch(said, hours[0][1], hours[1][0]) or kinds[0] not in (
            "full-time",
            "part-time",
        ):
            kinds = [k for k in kinds if k not in ("full-time", "part-time")]
    return kinds[0] if kinds else None
