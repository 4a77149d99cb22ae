"""The engine against Whoosh's own matchers on a generated index of real size.

``test_matching`` compares the two on the 10 sample postings; this module builds an index
where the paths that only show at size are taken: terms with far more than 128 postings
in every segment (Whoosh's posting block), several segments from several ``add`` calls,
postings replaced by later adds and postings deleted (Whoosh's idf and average lengths
count deleted documents; a search never returns one). The index is made through
``JobIndex.create``/``add``/``delete`` and searched through ``JobIndex.search_all``; the
reference is Whoosh's ``Searcher`` with ``BM25F`` over the same segments, given the query
tree the project's parser makes from the same text, so the field boosts, skill terms and
operators are the ones a search uses.

No field keeps word positions, so Whoosh cannot run a phrase over the index itself. The
project's rule for phrases (``search.store.phrases``, ``search.query.phrases``): a phrase
holds where its words are consecutive in the analysed terms, stop words out, "exactly as
Whoosh's phrase query over positions would see them", and it scores as its words. The
reference for that is Whoosh again: the same titles and descriptions indexed by Whoosh's
own writer with positions, searched with Whoosh's ``Phrase``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh import matching
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search import JobIndex, load_postings
from search.query.parser import parse_text
from search.store.analysis import text_analyzer

#: Whoosh writes postings in blocks of this many documents.
BLOCK = 128
#: Words of the generated text: none is a stop word, a skill or a stem of another.
WORDS = [
    "alpha",
    "bravo",
    "cobalt",
    "delta",
    "ember",
    "falcon",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lantern",
    "meadow",
    "nectar",
    "orchid",
    "pebble",
]
CITIES = ("Seattle, WA", "Boston, MA", "Austin, TX", "Denver, CO")
#: Postings per ``add``: each add writes one segment.
BATCHES = (640, 560, 600)
#: How the words of a phrase are written: together, with stop words, one-letter tokens
#: or punctuation between (the phrase holds: none of them is a term), reversed or apart.
PHRASE_FORMS = ("{a} {b}", "{a} of the {b}", "{a} x {b}", "{a}. {b}", "{b} {a}", "{a} meadow {b}")


def _phrase(rng: random.Random, a: str, b: str) -> str:
    return rng.choice(PHRASE_FORMS).format(a=a, b=b)


def _description(rng: random.Random, n: int, version: int) -> str:
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(WORDS))]
    words = rng.choices(WORDS, weights, k=rng.randint(12, 70))
    parts = [" ".join(words[i : i + 9]) for i in range(0, len(words), 9)]
    if rng.random() < 0.55:
        parts.insert(rng.randrange(len(parts) + 1), _phrase(rng, "cobalt", "harbor"))
    if rng.random() < 0.45:
        parts.insert(rng.randrange(len(parts) + 1), _phrase(rng, "machine", "learning"))
    return ". ".join(p.capitalize() for p in parts) + f". Ref k{n}v{version}."


def _row(rng: random.Random, n: int, version: int = 0) -> dict[str, object]:
    first, second = rng.sample(WORDS[:8], 2)
    title = f"{first.title()} {second.title()} Engineer"
    if rng.random() < 0.2:
        title = f"{_phrase(rng, 'Cobalt', 'Harbor')} Engineer"
    return {
        "id": f"g{n:05d}",
        "title": title,
        "company": rng.choice(("Acme", "Globex", "Initech")),
        "location": CITIES[(n + version) % len(CITIES)],
        "description": _description(rng, n, version),
    }


@dataclass
class Generated:
    """The generated index, the rows it holds (by id) and the ids deleted from it."""

    index: JobIndex
    rows: dict[str, dict[str, object]]
    deleted: set[str]
    replaced: set[str]
    positions: windex.Index

    def phrase_ids(self, field: str, words: list[str]) -> set[str]:
        """Ids of postings whose ``field`` holds ``words`` by Whoosh's positions."""
        with self.positions.searcher() as searcher:
            hits = searcher.search(wq.Phrase(field, words), limit=None)
            return {hit["id"] for hit in hits}


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _positions_index(folder: Path, index: JobIndex) -> windex.Index:
    """The live titles and descriptions, indexed by Whoosh's writer with positions."""
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text_analyzer(), phrase=True),
        description=TEXT(analyzer=text_analyzer(), phrase=True),
    )
    folder.mkdir()
    made = windex.create_in(str(folder), schema)
    reader = index.searcher.reader()
    with made.writer() as writer:
        for docnum in reader.all_doc_ids():
            stored = reader.stored_fields(docnum)
            writer.add_document(
                id=stored["id"], title=stored["title"], description=stored["description"]
            )
    return made


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    folder = tmp_path_factory.mktemp("generated")
    rng = random.Random(15)
    rows: dict[str, dict[str, object]] = {}
    index = JobIndex.create(folder / "index")
    start = 0
    for number, size in enumerate(BATCHES):
        batch = [_row(rng, n) for n in range(start, start + size)]
        start += size
        summary = index.add(load_postings(_write(folder / f"batch{number}.jsonl", batch)))
        assert summary.added == size
        rows.update({str(r["id"]): r for r in batch})
    # A fourth add replaces postings of every earlier segment (their old copies deleted).
    changed = [_row(rng, n, version=1) for n in sorted(rng.sample(range(start), 300))]
    summary = index.add(load_postings(_write(folder / "changed.jsonl", changed)))
    assert summary.updated == len(changed)
    rows.update({str(r["id"]): r for r in changed})
    deleted = set(rng.sample(sorted(rows), 250))
    assert index.delete(sorted(deleted)) == len(deleted)
    for posting_id in deleted:
        del rows[posting_id]
    positions = _positions_index(folder / "positions", index)
    replaced = {str(r["id"]) for r in changed} - deleted
    yield Generated(index, rows, deleted, replaced, positions)
    positions.close()
    index.close()


# -- the reference ----------------------------------------------------------------------


class _Nothing(wq.Every):
    """Every live document, scoring 0 (Whoosh's ``Every`` scores 1, and a weight of 0
    given to its list matcher counts as none given)."""

    def matcher(self, searcher: Searcher, context: object = None) -> matching.Matcher:
        return matching.WrappingMatcher(super().matcher(searcher, context), boost=0.0)


def _as_the_engine_reads(q: wq.Query, data: Generated) -> wq.Query:
    """The query in Whoosh's terms, where Whoosh's own node would not state the rule.

    A phrase: the documents where Whoosh's positions say it holds, scored as Whoosh's
    phrase matcher scores (the sum of its words' scores, times its boost). A NOT clause:
    every other live document, adding nothing to the score, as ``-word`` does; Whoosh's
    own ``Not`` adds 1.0 to every document it matches (``test_whooshs_own_not``).
    """
    if isinstance(q, wq.Phrase):
        words = [str(w) for w in q.words]
        terms: list[wq.Query] = [wq.Term(q.fieldname, w, boost=q.boost) for w in words]
        if len(words) == 1:
            return terms[0]
        holding = sorted(data.phrase_ids(q.fieldname, words))
        # Require: the documents of both, scored by the first alone.
        return wq.Require(wq.And(terms), wq.Or([wq.Term("id", i) for i in holding]))
    if isinstance(q, wq.Not):
        return wq.AndNot(_Nothing(), _as_the_engine_reads(q.query, data))
    return q.apply(lambda sub: _as_the_engine_reads(sub, data))


def _whoosh(data: Generated, q: wq.Query) -> dict[str, float]:
    searcher = Searcher(data.index.searcher.reader(), weighting=BM25F(), closereader=False)
    found = searcher.search(q, limit=None, optimize=False)
    return {hit.fields()["id"]: hit.score for hit in found}


def whoosh_scores(data: Generated, text: str) -> dict[str, float]:
    """Posting id -> Whoosh's BM25F score, for the tree the project's parser makes."""
    parsed = parse_text(text)
    assert parsed is not None
    return _whoosh(data, _as_the_engine_reads(parsed, data))


def engine_scores(data: Generated, text: str, **filters: object) -> dict[str, float | None]:
    """Posting id -> the engine's score, through the public API (copies not folded)."""
    hits = data.index.search_all(text, collapse=False, **filters)  # type: ignore[arg-type]
    return {hit.posting.id: hit.score for hit in hits}


def assert_same(got: dict[str, float | None], expected: dict[str, float]) -> None:
    assert set(got) == set(expected)
    for posting_id, score in expected.items():
        assert got[posting_id] == pytest.approx(score, rel=1e-6, abs=1e-9), posting_id


def assert_ranked(data: Generated, text: str, expected: dict[str, float]) -> None:
    """The first page of ``search`` is Whoosh's best documents, best first."""
    page = data.index.search(text, collapse=False, facets=False, limit=20)
    assert page.total == len(expected)
    shown = [(hit.posting.id, hit.score) for hit in page.hits if not hit.partial]
    best = sorted(expected.values(), reverse=True)[: len(shown)]
    assert [s for _, s in shown] == pytest.approx(best, rel=1e-6)
    for posting_id, score in shown:
        assert expected[posting_id] == pytest.approx(score, rel=1e-6)


# -- the generated index is what the tests need ------------------------------------------


def test_the_index_has_several_segments_multi_block_terms_and_deletions(
    generated: Generated,
) -> None:
    reader = generated.index.searcher.reader()
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    assert len(leaves) == len(BATCHES) + 1
    assert sum(leaf.has_deletions() for leaf in leaves) >= len(BATCHES)
    assert len(generated.index) == len(generated.rows)
    assert reader.doc_count_all() == sum(BATCHES) + 300
    for leaf in leaves[: len(BATCHES)]:
        for word in ("alpha", "bravo", "cobalt", "harbor", "engin"):
            assert leaf.doc_frequency("description" if word != "engin" else "title", word) > BLOCK
        assert leaf.doc_frequency("description_phrase", "machin learn") > BLOCK
    held = generated.phrase_ids("description", ["cobalt", "harbor"])
    apart = set(whoosh_scores(generated, "cobalt harbor")) - held
    assert len(held) > 2 * BLOCK and len(apart) > BLOCK


# -- score for score ----------------------------------------------------------------------

QUERIES = [
    "alpha",
    "pebble",  # the rarest word
    "engineer",  # in every title
    "title:cobalt",
    "description:cobalt",
    "alpha bravo",
    "alpha AND bravo AND orchid",
    "alpha OR pebble",
    "orchid OR nectar OR (alpha AND juniper)",
    "alpha -bravo",
    "alpha AND NOT (orchid OR pebble)",
    "machine learning",  # a skill: its phrase, its other spellings, the skill field
    "learning",
    '"cobalt harbor"',
    '"harbor cobalt"',
    '"machine learning"',
    '"learning machine"',
    '"cobalt harbor" delta',
    '"cobalt harbor" OR "machine learning"',
    'title:"cobalt harbor"',
    '"cobalt harbor" -"machine learning"',
    '"alpha bravo" garnet',  # a phrase of common words, checked in stored text
]


@pytest.mark.parametrize("text", QUERIES)
def test_same_postings_and_scores_as_whoosh(generated: Generated, text: str) -> None:
    expected = whoosh_scores(generated, text)
    assert expected, "a query that matches nothing compares nothing"
    assert_same(engine_scores(generated, text), expected)
    assert_ranked(generated, text, expected)


@pytest.mark.parametrize("text", ["NOT alpha", "-cobalt -bravo"])
def test_only_exclusions_list_the_same_postings(generated: Generated, text: str) -> None:
    expected = whoosh_scores(generated, text)
    assert expected
    assert set(engine_scores(generated, text)) == set(expected)


def test_whooshs_own_not(generated: Generated) -> None:
    """Whoosh's ``Not`` scores each document it matches 1.0, so within AND it adds 1.0 to
    every hit (the engine adds nothing, as for ``-word``); the postings are the same."""
    text = "alpha AND NOT (orchid OR pebble)"
    parsed = parse_text(text)
    assert isinstance(parsed, wq.And) and isinstance(parsed.subqueries[1], wq.Not)
    own = _whoosh(generated, parsed)
    assert_same(engine_scores(generated, text), {i: s - 1.0 for i, s in own.items()})


@pytest.mark.parametrize("text", ["alpha", '"cobalt harbor" bravo', "machine learning"])
def test_a_filter_keeps_whooshs_scores(generated: Generated, text: str) -> None:
    city = {r["id"]: str(r["location"]).split(",")[0] for r in generated.rows.values()}
    everywhere = whoosh_scores(generated, text)
    expected = {i: s for i, s in everywhere.items() if city[i] == "Seattle"}
    assert 0 < len(expected) < len(everywhere)
    assert_same(engine_scores(generated, text, city="Seattle"), expected)


def test_deleted_and_replaced_postings_are_never_returned(generated: Generated) -> None:
    every = engine_scores(generated, "alpha OR bravo OR cobalt OR engineer")
    assert set(every) == set(generated.rows)
    assert not generated.deleted & set(every)
    # Each description ends "Ref k<n>v<version>": a replaced posting is found by its new
    # text only, a deleted one not at all.
    for posting_id in sorted(generated.replaced)[:40]:
        n = int(posting_id[1:])
        assert engine_scores(generated, f"k{n}v0") == {}
        assert set(engine_scores(generated, f"k{n}v1")) == {posting_id}
    for posting_id in sorted(generated.deleted)[:40]:
        n = int(posting_id[1:])
        assert engine_scores(generated, f"k{n}v0 OR k{n}v1") == {}
    assert whoosh_scores(generated, "alpha OR bravo OR cobalt OR engineer").keys() == every.keys()


# -- phrases: the project's rule, on the generated index ---------------------------------


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("words", [["cobalt", "harbor"], ["machin", "learn"]])
def test_a_phrase_holds_where_whoosh_positions_say(
    generated: Generated, field: str, words: list[str]
) -> None:
    typed = " ".join({"machin": "machine", "learn": "learning"}.get(w, w) for w in words)
    found = set(engine_scores(generated, f'{field}:"{typed}"'))
    expected = generated.phrase_ids(field, words)
    assert found == expected
    if field == "description":
        assert len(expected) > BLOCK
        reversed_ = set(engine_scores(generated, f'{field}:"{" ".join(typed.split()[::-1])}"'))
        assert reversed_ == generated.phrase_ids(field, words[::-1])


# -- any query of the generated words ----------------------------------------------------

_word = st.sampled_from([*WORDS[:10], "machine", "learning", "engineer"])
_phrase_text = st.tuples(_word, _word).map(lambda p: f'"{p[0]} {p[1]}"')
_atom = st.one_of(_word, _word, _phrase_text, _word.map(lambda w: f"title:{w}"))
_clause = st.recursive(
    _atom,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" ", " AND ", " OR ", " -"]), inner).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})"
        ),
    ),
    max_leaves=4,
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=_clause)
def test_any_query_scores_as_whoosh(generated: Generated, text: str) -> None:
    if text.count('"') // 2 > 2:  # past the phrase limit: refused, tested elsewhere
        return
    expected = whoosh_scores(generated, text)
    got = engine_scores(generated, text)
    if all(score is None for score in got.values()) and got:  # only exclusions: by date
        assert set(got) == set(expected)
        return
    assert_same(got, expected)
