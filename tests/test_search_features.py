"""Duplicates, radius search, exclusions, title-only search and explanations."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from search import InvalidFilterError, JobIndex, load_postings
from search.extract.sections import job_text
from search.query.similar import key_terms
from search.results import parse_radius
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.documents import from_stored

BODY = "We build {what}. You will design services in Python and PostgreSQL on Kubernetes."
ROWS = [
    # One job posted for three cities: shown once, with all three places.
    ("be-sea", "Backend Engineer", "Seattle, WA", "backend payment systems", "2025-05-01"),
    ("be-bel", "Backend Engineer", "Bellevue, WA", "backend payment systems", "2025-05-01"),
    ("be-pdx", "Backend Engineer", "Portland, OR", "backend payment systems", "2025-05-01"),
    ("ds-red", "Data Scientist", "Redmond, WA", "forecasting models", "2025-04-01"),
    ("ml-pdx", "Machine Learning Engineer", "Portland, OR", "ranking models", "2025-03-01"),
    ("fe-sf", "Frontend Engineer", "San Francisco, CA", "a design system", "2025-02-01"),
    ("eng-tac", "Engineering Manager", "Tacoma, WA", "the backend platform team", "2025-01-01"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> JobIndex:
    root = tmp_path_factory.mktemp("features")
    source = root / "jobs.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for pid, title, location, what, posted in ROWS:
            company = "Acme" if pid != "fe-sf" else "Globex"
            record = {
                "id": pid,
                "title": title,
                "location": location,
                "company": company,
                "description": BODY.format(what=what),
                "posted": posted,
            }
            fh.write(json.dumps(record) + "\n")
    with JobIndex.create(root / "ix") as ix:
        ix.add(load_postings(source))
    with JobIndex.open(root / "ix") as ix:
        yield ix


def ids(results) -> list[str]:
    return [h.posting.id for h in results]


def test_a_job_posted_in_three_cities_is_one_hit_with_three_places(index: JobIndex) -> None:
    results = index.search("payment systems")
    assert results.total == 1
    hit = results.hits[0]
    assert {p.city for p in hit.posting.places} == {"Seattle", "Bellevue", "Portland"}
    assert len(hit.duplicates) == 2
    assert set(hit.duplicates) | {hit.posting.id} == {"be-sea", "be-bel", "be-pdx"}
    assert results.facets["city"] == {"Bellevue": 1, "Portland": 1, "Seattle": 1}


def test_all_shows_every_copy(index: JobIndex) -> None:
    results = index.search("payment systems", collapse=False)
    assert results.total == 3
    assert sorted(ids(results)[:3]) == ["be-bel", "be-pdx", "be-sea"]
    assert all(not h.duplicates for h in results)


def test_a_short_page_is_filled_with_partial_matches_after_full_ones(index: JobIndex) -> None:
    results = index.search("payment systems", collapse=False)
    # "a design system" has one of the two words: it comes after every full match.
    assert ids(results)[3:] == ["fe-sf"]
    assert [h.partial for h in results] == [False, False, False, True]
    assert (results.total, results.partial_total, results.pages) == (3, 1, 1)
    assert "1 more posting matches only some of the words (marked partial)" in results.notes


def test_partial_matches_are_paged_after_full_ones(index: JobIndex) -> None:
    """The total never counts partial matches, and paging reaches them."""
    # "the backend platform team" has both words; three postings say only "backend".
    pages = [index.search("backend team", collapse=False, limit=2, page=n) for n in (1, 2, 3)]
    assert [len(r.hits) for r in pages] == [2, 2, 0]
    assert all(r.total == 1 and r.partial_total == 3 and r.pages == 2 for r in pages)
    assert [h.partial for r in pages for h in r] == [False, True, True, True]
    assert ids(pages[0])[0] == "eng-tac"
    assert len({h.posting.id for r in pages for h in r}) == 4
    assert "page 3 is past the last page (2)" in pages[2].notes


def test_paging_after_collapsing_has_no_gaps(index: JobIndex) -> None:
    every = {h.posting.id for h in index.search(limit=50)}
    paged = [h.posting.id for p in (1, 2, 3) for h in index.search(limit=2, page=p)]
    assert len(paged) == len(set(paged)) == len(every) == 5


def test_near_seattle_within_30km(index: JobIndex) -> None:
    results = index.search(near="Seattle", radius_km="30km", collapse=False)
    found = {h.posting.id: h.distance_km for h in results}
    assert set(found) == {"be-sea", "be-bel", "ds-red"}  # Tacoma is ~50 km, Portland ~230 km
    assert found["be-sea"] == 0.0
    assert 5 < found["be-bel"] < 15
    assert [h.distance_km for h in results] == sorted(h.distance_km for h in results)


def test_near_with_a_wider_radius_and_text_ranks_by_relevance(index: JobIndex) -> None:
    results = index.search("engineer", near="Seattle", radius_km="60km", collapse=False)
    assert "eng-tac" in ids(results)
    assert all(h.score is not None and h.distance_km is not None for h in results)
    assert "be-pdx" not in ids(results)


@pytest.mark.parametrize(
    ("text", "km"),
    [("50km", 50.0), ("50 km", 50.0), ("10mi", 16.09344), ("25", 25.0), (7.5, 7.5)],
)
def test_parse_radius(text: str | float, km: float) -> None:
    assert parse_radius(text) == pytest.approx(km)


@pytest.mark.parametrize("text", ["far", "-5km", "0", "99999km", "5 parsecs"])
def test_bad_radius_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidFilterError):
        parse_radius(text)


def test_radius_without_near_is_an_error(index: JobIndex) -> None:
    with pytest.raises(InvalidFilterError, match="--near"):
        index.search(radius_km="10km")


def test_exclude_word_and_company(index: JobIndex) -> None:
    assert "fe-sf" in ids(index.search("engineer"))
    assert "be-sea" not in ids(index.search("engineer", exclude=["payment"]))
    without_globex = index.search("engineer", exclude_company=["globex"])
    assert "fe-sf" not in ids(without_globex)
    assert without_globex.total == index.search("engineer").total - 1


def test_title_only_search(index: JobIndex) -> None:
    # "backend" is in the Engineering Manager description but not its title.
    assert "eng-tac" in ids(index.search("backend", collapse=False))
    assert "eng-tac" not in ids(index.search("backend", title_only=True, collapse=False))


def test_explain_parts_add_up_to_the_score(index: JobIndex) -> None:
    hit = index.search("kubernetes engineer", explain=True).hits[0]
    assert hit.explanation is not None
    assert sum(p.score for p in hit.explanation.parts) == pytest.approx(hit.score, rel=1e-3)
    assert {p.field for p in hit.explanation.parts} >= {"title", "description"}


def test_explain_names_the_place_that_met_a_filter(index: JobIndex) -> None:
    hit = index.search("data", city=["Redmond"], explain=True).hits[0]
    assert hit.explanation is not None
    assert any("Redmond, WA, US" in line for line in hit.explanation.places)


def test_similar_skips_copies_of_the_same_job(index: JobIndex) -> None:
    similar = index.similar("be-sea", limit=5)
    assert not {"be-bel", "be-pdx"} & {h.posting.id for h in similar}


def test_key_terms_score_as_whoosh_does(sample_index: JobIndex) -> None:
    """``key_terms`` (which a cluster index feeds with its own counts) gives Whoosh's
    key terms of every sample posting, weights included, from the same frequencies."""
    context = sample_index._read()
    reader, searcher = context.reader, context.searcher
    for docnum in range(reader.doc_count_all()):
        text = job_text(from_stored(reader.stored_fields(docnum)).description)
        weights = Counter(FastTextAnalysis().terms(text))
        frequency = {w: int(reader.frequency(f.DESCRIPTION, w)) for w in weights}
        mine = key_terms(weights, frequency, reader.doc_count_all(), 25)
        real = searcher.key_terms_from_text(f.DESCRIPTION, text, numterms=25)
        assert [w for w, _ in mine] == [w for w, _ in real]
        assert [round(x, 9) for _, x in mine] == [round(x, 9) for _, x in real]


def test_synonym_both_ways_and_exact_match_first(tmp_path: Path) -> None:
    rows = [
        {"id": "short", "title": "Engineer", "description": "Work on NLP pipelines."},
        {
            "id": "long",
            "title": "Engineer",
            "description": "Work on natural language processing pipelines.",
        },
    ]
    source = tmp_path / "nlp.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with JobIndex.create(tmp_path / "ix") as ix:
        ix.add(load_postings(source))
        assert ids(ix.search("NLP")) == ["short", "long"]
        assert ids(ix.search("natural language processing")) == ["long", "short"]
        hit = ix.search("NLP", explain=True).hits[1]
        assert hit.explanation is not None
        assert any("natural language processing" in s for s in hit.explanation.synonyms)


def test_remote_offers_count_under_their_countries(tmp_path: Path) -> None:
    rows = [
        {
            "id": "r1",
            "title": "Support Engineer",
            "location": "Remote - US",
            "description": "Help.",
        },
        {"id": "r2", "title": "Support Engineer", "location": "Berlin", "description": "Help!"},
    ]
    source = tmp_path / "remote.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with JobIndex.create(tmp_path / "ix") as ix:
        ix.add(load_postings(source))
        results = ix.search("support")
        assert results.facets["country"] == {"DE": 1, "US": 1}
        assert ids(ix.search(country=["US"])) == ["r1"]
