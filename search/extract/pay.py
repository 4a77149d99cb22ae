"""Pay stated in a posting's prose: "$150,000 - $200,000", "£60k", "€70.000", "$45/hr".

Descriptions are full of sums that are not pay: funding rounds ("$50M Series B"), revenue,
market sizes, stipends, sign-on bonuses, deal sizes. A sum therefore counts only when the
words around it say it is pay (cue words in ``vocab/pay.toml``):

* a cue in the three words right after a sum decides ("$220,000 OTE", "$500 learning
  stipend"); otherwise the nearest cue before it ("the salary range is $X", "commuter
  benefit; $300/month"); a sum with neither counts only when it follows an accepted one
  closely (a second location zone of a salary table); everything else is not pay;
* a lone figure with neither counts when its period says it is pay ("$30 / hour", "$X a
  year"; a month is as often a stipend);
* a sum of millions or billions is never pay, and a sum must be plausible for its period;
* a sum without a stated period is yearly when it is of annual size (from $10k), hourly
  when it is wage-sized and pay words announce it ("Pay rate: $25 - $27"), and dropped
  otherwise: "$5,000" alone may be a month, a bonus or a budget.

Several ranges (by location zone or level) give the lowest minimum and the highest
maximum among those in the first-mentioned currency and period; base pay wins over
on-target earnings (OTE) when both are stated; "up to $220,000" is a top without a bottom.
A bare "$" is USD unless a code follows, the line names Canada or Australia, or the job's
country (or else a posting that never names the US) has another dollar.

Exports that lost their line breaks run words together ("per hourBenefits:",
"InternshipRate:"): where a lower-case letter meets a capital a word still ends, and a
capitalised heading with a colon after a sum starts the next item, not a cue for the sum.

Cost: one-character finds locate the currency signs and one scan the codes; only short
windows around those that stand next to a digit are parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from search.extract.text import CASE_JOIN, load_vocab, lower_in_place, word_pattern
from search.model import Pay

__all__ = ["extract_pay"]

_BACK = 160  # characters before a sum in which the nearest cue decides
_CHAIN = 320  # a cue-less sum this close after an accepted one is part of the same table
_MAX_RATIO = 5.0  # a range whose top is more than 5x its bottom is not one salary
_NUMBER = (
    r"(?P<num>\d{1,3}(?P<sep>[,.' \u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?)(?![\d]|[,.]\d)"
)
_MULT = r"(?:\s?(?P<mult>[kK]|thousand|[mM]{1,2}|million|[bB][nN]?|billion|trillion)(?![^\W\d_]))?"
_BIG = frozenset({"m", "mm", "million", "b", "bn", "billion", "trillion"})
_GAP = re.compile(r"\s*(?:-|–|—|~|to|and|until|through|bis|à)\s*", re.IGNORECASE)
_NEXT_WORDS = re.compile(r"[^\S\n]*\+?[^\S\n]*(?:[\w'’-]+[^\S\n]*){1,3}")
#: Words after which the next words speak of something added: "$90,000 with an OTE of".
_JOINER = re.compile(r"\b(?:with|plus|and|or|including|along)\b|\+", re.IGNORECASE)
_OTE_IN_CLAUSE = re.compile(r"\b(?:ote|on[- ]target)\b")
_CLAUSE_END = re.compile(r"(?<![A-Z])[.!?;](?:\s|$)|\n")
_DIGIT = re.compile(r"\d")
_WINDOW_BACK = 32  # a window reaches this far before a sign or code ("120,000 - 150,000 USD")
_WINDOW_AHEAD = 45  # and this far after it ("$150,000 - $200,000")
_NUMERIC = frozenset("0123456789,.' ")
#: Periods whose naming alone makes a lone sum pay: "$30 / hour", "$200,000 a year" (a
#: month or a week is as often a stipend: "$100 per month to support open source").
_SAYS_PAY = frozenset({"hour", "year"})
#: The top of a wage-sized figure read as hourly when no period is stated.
_WAGE_MAX = 150
#: After a wage-sized figure, in its clause: paid per something that is no period ("$50
#: per session", "$30 or $17 per page", "£200 / task"), or thousands typed with a space
#: ("$ 55, 000"): no hourly figure.
_NOT_HOURLY = re.compile(
    r"[^.;\n]{0,25}?(?:(?:/|\bper\b|\beach\b)\s*(?!hours?\b|hr\b)[a-z0-9]"
    r"|\ba\s+(?:session|task|visit|project|page|word|article)\b)|, \d{3}\b",
    re.I,
)
#: A clause that supposes: "if you charge $120/hr, you get $120/hr".
_SUPPOSED = re.compile(r"\b(?:if|e\.g\.|for example|such as)\b", re.I)
#: "up to $220,000" states the top of the pay, not a point.
_UPPER_BOUND = re.compile(
    r"\b(?:up\s+to|upto|maximum(?:\s+of)?|max\.?(?:\s+of)?|no\s+more\s+than|as\s+much\s+as)"
    r"[^\S\n]*:?[^\S\n]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Amount:
    """One number, with the currency written next to it (None for a bare number)."""

    start: int
    end: int
    value: float
    currency: str | None
    symbol: bool  # the currency is a bare "$", which may be refined by the line
    post: bool  # the currency is written after the number ("150,000 USD")
    mult: str


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    low: float
    high: float
    currency: str
    period: str
    ote: bool
    upper: bool  # only the top is stated: "up to $220,000"


@dataclass(frozen=True, slots=True)
class _Vocab:
    symbols: dict[str, str]
    codes: re.Pattern[str]
    signs: str
    amount: re.Pattern[str]
    words: tuple[tuple[re.Pattern[str], str], ...]
    period_after: re.Pattern[str]
    period_before: _Words
    cue: _Words
    added: re.Pattern[str]
    scale: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    #: (code, its country's names and code on a line, its names in a whole posting: "CAD"
    #: elsewhere is mostly computer-aided design), and the names of the US.
    dollars: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]
    us: re.Pattern[str]
    #: The dollar a bare "$" means in a job located in these countries.
    country_dollar: dict[str, str]


def _alternation(patterns: list[str]) -> str:
    """Patterns longest first, so that "salary range" is read before "salary"."""
    return "|".join(sorted(patterns, key=len, reverse=True))


def _named(groups: dict[str, list[str]]) -> str:
    return "|".join(f"(?P<{name}>{_alternation(pats)})" for name, pats in groups.items())


@dataclass(frozen=True, slots=True)
class _Words:
    """Cue words, found in a window's lower case as words of their own, and also where
    the word before runs straight into them ("InternshipRate:"); a word that runs on is
    not one ("PayPal"). Each match's group name is its kind."""

    bounded: re.Pattern[str]
    glued: re.Pattern[str]

    @classmethod
    def of(cls, alternation: str) -> _Words:
        return cls(word_pattern([alternation]), re.compile(f"(?:{alternation})\\b"))

    def kinds(self, window: str) -> list[str]:
        """The kind of every cue in ``window``, in text order."""
        low = lower_in_place(window)
        found = [(m.start(), m.lastgroup) for m in self.bounded.finditer(low)]
        for join in CASE_JOIN.finditer(window):  # rare: a plain scan of a short window
            glued = self.glued.match(low, join.start())
            if glued:
                found.append((glued.start(), glued.lastgroup))
        return [str(kind) for _, kind in sorted(found)]


def _factored(codes: list[str]) -> str:
    """ "USD|UAH|CAD|..." as "U(?:SD|AH)|C(?:AD|...)": each first letter tested once."""
    tails: dict[str, list[str]] = {}
    for code in codes:
        tails.setdefault(code[0], []).append(re.escape(code[1:]))
    return "|".join(f"{head}(?:{'|'.join(rest)})" for head, rest in tails.items())


@cache
def _vocab() -> _Vocab:
    """Compile pay.toml once: currency spellings, period phrases and cue words."""
    raw = load_vocab("pay")
    symbols: dict[str, str] = raw["symbols"]
    codes: list[str] = raw["currencies"]["codes"]
    words: dict[str, str] = raw["currencies"]["words"]
    code_re = r"\b(?:" + "|".join(codes) + r")\b"
    sym_re = _alternation([re.escape(s) for s in symbols])
    word_re = "|".join(words)
    amount = (
        rf"(?:(?P<pre>{sym_re}|{code_re})\s?)?{_NUMBER}{_MULT}"
        rf"(?:\s?\(?(?P<post>{code_re}|[€£]|\b(?:{word_re})\b)\)?)?"
    )
    # "$150+/hr": an open-ended figure still has its period
    gross = r"\+?[^\S\n]*(?:(?:gross|brutto|net|base|pre-tax)[^\S\n]*)?"
    return _Vocab(
        symbols=symbols,
        # A bare alternation factored by first letter: ``re`` runs it with a first-character
        # filter; merged with the currency signs into one pattern it runs ten times slower.
        codes=re.compile(_factored(codes)),
        signs="".join(sorted({s[-1] for s in symbols})),
        amount=re.compile(amount),
        words=tuple((re.compile(w, re.IGNORECASE), code) for w, code in words.items()),
        period_after=re.compile(
            # a period ends at a word boundary, or where a capital follows ("per hourBenefits")
            gross + "(?:" + _named(raw["period_after"]) + rf")(?:(?!\w)|(?-i:{CASE_JOIN.pattern}))",
            re.IGNORECASE,
        ),
        period_before=_Words.of(_named(raw["period_before"])),
        cue=_Words.of(_named(raw["cues"])),
        added=re.compile(rf"[^\S\n]*(?:{'|'.join(raw['added']['words'])})\b", re.IGNORECASE),
        scale={k: float(v) for k, v in raw["scale"].items()},
        bounds={k: (float(v[0]), float(v[1])) for k, v in raw["bounds"].items()},
        dollars=tuple(
            (
                code,
                word_pattern(names, flags=re.IGNORECASE),
                word_pattern([n for n in names if not n.isupper()]),
            )
            for code, names in raw["dollar"].items()
            if code != "us"
        ),
        us=word_pattern(raw["dollar"]["us"], end=r"(?!\w)"),  # "U.S." ends in a dot
        country_dollar=raw["country_dollar"],
    )


def extract_pay(text: str, country: str | None = None) -> Pay | None:
    """The base pay the text states for this job, or None when it states none.

    ``Pay.text`` is the clause the (first) figure was read from, so a reader can check it.
    Only a top ("up to $220,000") leaves ``Pay.min`` None: an upper bound, not a point.
    ``country`` is where the job is (ISO code), when the posting says: a bare "$" in a
    Denver posting is USD whatever else the text names.
    """
    vocab = _vocab()
    candidates = _candidates(text, vocab, vocab.country_dollar.get(country or ""))
    if not candidates:
        return None
    base = [c for c in candidates if not c.ote]
    chosen = base or candidates
    first = chosen[0]
    same = [c for c in chosen if c.currency == first.currency and c.period == first.period]
    bounded = [c.low for c in same if not c.upper]
    return Pay(
        min=min(bounded) if bounded else None,
        max=max(c.high for c in same),
        currency=first.currency,
        period=first.period,
        text=_phrase(text, first),
    )


def _candidates(text: str, vocab: _Vocab, dollar: str | None) -> list[_Candidate]:
    """Every sum or range the words around it call pay, in text order."""
    accepted: list[_Candidate] = []
    amounts = _amounts(text, vocab)
    i = 0
    while i < len(amounts):
        first = amounts[i]
        second, period_end, period = _range_partner(text, amounts, i, vocab)
        i += 2 if second else 1
        sides = (first, second) if second else (first,)
        if any(a.mult in _BIG for a in sides) or all(a.currency is None for a in sides):
            continue
        candidate = _judge(text, sides, period_end, period, accepted, vocab, dollar)
        if candidate is not None:
            accepted.append(candidate)
    return accepted


def _amounts(text: str, vocab: _Vocab) -> list[_Amount]:
    """Every number in short windows around currency signs and codes, in text order.

    A sign or code counts only with a digit next to it, and a code only as a word of its
    own ("EUROPE", "INDUSTRY" and "ACADEMY" hold no currency): most descriptions then have
    no window at all.
    """
    anchors = []
    for sign in vocab.signs:  # one-character finds: five times faster than a class scan
        at = text.find(sign)
        while at >= 0:
            if _near_digit(text, at):
                anchors.append(at)
            at = text.find(sign, at + 1)
    for match in vocab.codes.finditer(text):
        at, end = match.span()
        if (at and text[at - 1].isalpha()) or (end < len(text) and text[end].isalpha()):
            continue
        if _near_digit(text, at):
            anchors.append(at)
    if not anchors:
        return []
    anchors.sort()
    windows: list[list[int]] = []
    for at in anchors:
        if windows and at - _WINDOW_BACK <= windows[-1][1]:
            windows[-1][1] = at + _WINDOW_AHEAD
        else:
            windows.append([max(0, at - _WINDOW_BACK), at + _WINDOW_AHEAD])
    found: list[_Amount] = []
    for start, end in windows:
        while start > 0 and text[start - 1] in _NUMERIC:
            start -= 1
        for match in vocab.amount.finditer(text, start, end):
            if found and match.start() < found[-1].end:
                continue
            found.append(_amount(match, vocab))
    return found


def _near_digit(text: str, at: int) -> bool:
    """A digit just after a sign or code ("$150", "USD 120K") or shortly before ("70.000 €")."""
    return _DIGIT.search(text, max(0, at - 12), at + 6) is not None


def _amount(match: re.Match[str], vocab: _Vocab) -> _Amount:
    pre, post, sep = match.group("pre"), match.group("post"), match.group("sep")
    mult = (match.group("mult") or "").lower()
    number = match.group("num")
    if sep:
        number = number.replace(sep, "")
    value = float(number.replace(",", "."))
    if mult in ("k", "thousand"):
        value *= 1000
    currency = _currency(post, vocab) if post else None
    if currency is None and pre:
        currency = vocab.symbols.get(pre, pre)
    return _Amount(
        start=match.start(),
        end=match.end(),
        value=value,
        currency=currency,
        symbol=pre == "$" and not post,
        post=bool(post),
        mult=mult,
    )


def _currency(word: str, vocab: _Vocab) -> str:
    if word in vocab.symbols:
        return vocab.symbols[word]
    for pattern, code in vocab.words:
        if pattern.fullmatch(word):
            return code
    return word.upper()


def _range_partner(
    text: str, amounts: list[_Amount], i: int, vocab: _Vocab
) -> tuple[_Amount | None, int, str | None]:
    """The second end of a range starting at ``amounts[i]``, where the period ends, which.

    "$150-200K" carries its "K" back to the first figure; "120,000 - 150,000 USD" its
    currency; a period between the two ("$70,000/year - $110,000/year") is allowed.
    """
    first = amounts[i]
    period_match = vocab.period_after.match(text, first.end)
    gap_start = period_match.end() if period_match else first.end
    if i + 1 < len(amounts):
        second = amounts[i + 1]
        if _GAP.fullmatch(text, gap_start, second.start) and _compatible(first, second):
            after = vocab.period_after.match(text, second.end)
            if after:
                return second, after.end(), after.lastgroup
            period = period_match.lastgroup if period_match else None
            return second, second.end, period
    if period_match:
        return None, period_match.end(), period_match.lastgroup
    return None, first.end, None


def _compatible(first: _Amount, second: _Amount) -> bool:
    """Whether two figures can be one range: currencies agree or one side states it."""
    if first.currency and second.currency and first.currency != second.currency:
        return first.symbol or second.symbol
    if first.currency is None:
        return second.post
    return True


def _judge(
    text: str,
    sides: tuple[_Amount, ...],
    end: int,
    period: str | None,
    accepted: list[_Candidate],
    vocab: _Vocab,
    dollar: str | None,
) -> _Candidate | None:
    """A candidate when the cue words call these figures pay and they are plausible."""
    start = sides[0].start
    kind = _cue_after(text, end, vocab) or _cue_before(text, start, vocab)
    if kind == "pay" and _OTE_IN_CLAUSE.search(_clause_before(text, start).lower()):
        kind = "ote"  # "the average on-target wage is $36/hour"
    if kind == "not_pay":
        return None
    chained = bool(accepted) and start - accepted[-1].end <= _CHAIN
    lone = kind is None and not chained and len(sides) == 1
    if lone and (period not in _SAYS_PAY or _SUPPOSED.search(_clause_before(text, start))):
        return None
    low, high = _values(sides)
    currency = _resolve_currency(text, sides, dollar)
    period = period or _period_before(text, start, vocab)
    scale = vocab.scale.get(currency, 1.0)
    if period is None:
        period = _unstated_period(text, end, low, high, kind, scale, vocab)
        if period is None:
            return None
    lo, hi = vocab.bounds[period]
    if not (lo * scale <= low <= high <= hi * scale) or high > low * _MAX_RATIO:
        return None
    ote = kind == "ote" or (kind is None and chained and accepted[-1].ote)
    upper = len(sides) == 1 and _UPPER_BOUND.search(text, max(0, start - 30), start) is not None
    return _Candidate(start, end, low, high, currency, period, ote, upper)


def _unstated_period(
    text: str, end: int, low: float, high: float, kind: str | None, scale: float, vocab: _Vocab
) -> str | None:
    """The period of figures stated without one: a year for sums of annual size; an hour
    for wage-sized ones that pay words announce ("Pay rate: $25 - $27", "Starting pay -
    $17.25 plus tips"); else none ("$5,000" alone may be a month, a bonus or a budget;
    "$50 per session" is paid per something else)."""
    if low >= vocab.bounds["year"][0] * scale:
        return "year"
    hourly = vocab.bounds["hour"][0] * scale <= low and high <= _WAGE_MAX * scale
    if kind == "pay" and hourly and not _NOT_HOURLY.match(text, end):
        return "hour"
    return None


def _values(sides: tuple[_Amount, ...]) -> tuple[float, float]:
    """Low and high figure; a "k" written only on one end of a range applies to both."""
    if len(sides) == 1:
        return sides[0].value, sides[0].value
    low, high = sides[0].value, sides[1].value
    if low < 1000 <= high and low * 1000 <= high:  # "$150-200K", "$170-195,000"
        low *= 1000
    elif high < 1000 <= low and high * 1000 >= low:  # "$150K-200"
        high *= 1000
    return low, high


def _resolve_currency(text: str, sides: tuple[_Amount, ...], dollar: str | None) -> str:
    """An explicit code wins over a bare "$", which the line may make CAD or AUD; else it
    is the dollar of the job's country (``dollar``), else of the posting's words."""
    explicit = [a.currency for a in sides if a.currency and not a.symbol]
    if explicit:
        return explicit[-1]
    line_start = text.rfind("\n", 0, sides[0].start) + 1
    line_end = text.find("\n", sides[-1].end)
    line = text[max(line_start, sides[0].start - 200) : line_end if line_end >= 0 else None]
    for code, on_line, _ in _vocab().dollars:
        if on_line.search(line):
            return code
    return dollar or _dollar_of(text)


@lru_cache(maxsize=4)
def _dollar_of(text: str) -> str:
    """The dollar of a posting that says "$" only: CAD or AUD when it names that country
    and never the US ("Neo ... one of the few Canadian technology companies")."""
    vocab = _vocab()
    for code, _, in_posting in vocab.dollars:
        if in_posting.search(text) and not vocab.us.search(text):
            return code
    return "USD"


def _cue_after(text: str, end: int, vocab: _Vocab) -> str | None:
    """The kind of the first cue among the (up to three) words right after a sum.

    A "+" after a space adds something else ("$150,000 + bonus"): what follows says
    nothing of the sum. One written onto the figure makes it open-ended ("$50k-$100k+
    ACV", "$1M+ quota"), and then only a cue against pay is read: "$150K+ range" is no
    salary, and "$325,000+ Bonus" (pay added, ``added`` in pay.toml) is still a joiner.
    Capitalised words ending in a colon head the next item of a list ("$24.30 per hour
    Benefits: ..."), so they say nothing of this sum either. A share of the company after
    a sum ("$50,000 in RSUs") is no pay.
    """
    open_ended = text.startswith("+", end)
    if open_ended and vocab.added.match(text, end + 1):
        return None
    words = _NEXT_WORDS.match(text, end + open_ended)
    if words is None or _is_label(text, words):
        return None
    head = _JOINER.split(words.group(), maxsplit=1)[0]
    kinds = ["not_pay" if k == "ownership" else k for k in vocab.cue.kinds(head)]
    if not kinds or (open_ended and kinds[0] != "not_pay"):
        return None
    return kinds[0]


def _is_label(text: str, words: re.Match[str]) -> bool:
    """Whether the words after a sum are a capitalised heading: "Benefits:"."""
    first = words.group().lstrip(" \t+")
    return bool(first) and first[0].isupper() and text.startswith(":", words.end())


def _cue_before(text: str, start: int, vocab: _Vocab) -> str | None:
    """The kind of the nearest cue before a sum, within ``_BACK`` characters (words of
    ownership say nothing there: "Salary and equity: $150,000")."""
    kinds = [k for k in vocab.cue.kinds(text[max(0, start - _BACK) : start]) if k != "ownership"]
    return kinds[-1] if kinds else None


def _clause_before(text: str, start: int, reach: int = 200) -> str:
    """The text from the start of the clause holding ``start`` up to it."""
    window = text[max(0, start - reach) : start]
    ends = [m.end() for m in _CLAUSE_END.finditer(window)]
    return window[ends[-1] :] if ends else window


def _period_before(text: str, start: int, vocab: _Vocab) -> str | None:
    """A period named earlier in the same clause: "Hourly wage: $19.00 - 21.00"."""
    kinds = vocab.period_before.kinds(_clause_before(text, start, 100))
    return kinds[-1] if kinds else None


#: A list item's mark at the start of a clause: "- ", "* ", "• " and the like.
_BULLET = re.compile(r"^[-*•·‣◦▪▫■□●○–—]+\s+")


def _phrase(text: str, candidate: _Candidate) -> str:
    """The clause a figure was read from, from its sentence start to the figure's end,
    without the mark of the list item it stood in: a quote of the words, not the layout."""
    head = _clause_before(text, candidate.start)
    phrase = " ".join((head + text[candidate.start : candidate.end]).split())
    return _BULLET.sub("", phrase)
