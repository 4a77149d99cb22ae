"""Reading queries as people type them: the words to rank and the conditions they state.

The reader is pure: the places and employers an index knows come from a small table
here, as an index's keys would give them.
"""

from __future__ import annotations

import pytest

from search.query.understand import Kind, read

#: Place keys as an index of postings in these places holds them.
PLACES: dict[str, tuple[Kind, str]] = {
    "berlin": ("city", "berlin"),
    "new york": ("city", "new york"),
    "nyc": ("city", "nyc"),
    "london": ("city", "london"),
    "seattle": ("city", "seattle"),
    "seattle wa": ("city", "seattle wa"),
    "austin tx": ("city", "austin tx"),
    "boston ma": ("city", "boston ma"),
    "bay area": ("city", "bay area"),
    "san francisco": ("city", "san francisco"),
    "portland": ("city", "portland"),
    "boston": ("city", "boston"),
    "amsterdam": ("city", "amsterdam"),
    "texas": ("state", "texas"),
    "california": ("state", "california"),
    "ca": ("state", "ca"),
    "germany": ("country", "germany"),
    "us": ("country", "us"),
    "uk": ("country", "uk"),
    "in": ("country", "in"),
    "it": ("country", "it"),
    "europe": ("region", "Europe"),
    "eu": ("region", "Europe"),
    "emea": ("region", "EMEA"),
}
COMPANIES = frozenset({"new york life"})
#: Words in many job titles, or skills: after a place, they are the job's words.
JOB_WORDS = frozenset({"software", "engineer", "product", "python", "data", "sales"})


class Table:
    def place(self, key: str) -> tuple[Kind, str] | None:
        return PLACES.get(key)

    def company(self, key: str) -> bool:
        return key in COMPANIES

    def name_word(self, key: str) -> bool:
        return key not in JOB_WORDS


def shown(text: str) -> str:
    return read(text, Table()).shown


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # the six
        ("senior rust engineer berlin", "rust engineer · level senior · city Berlin"),
        ("remote python jobs in europe", "python · workplace remote · region Europe"),
        ("product manager new york", "product manager · city New York"),
        ("internship new york", "level intern · city New York"),
        ("backend engineer remote us", "backend engineer · workplace remote · country US"),
        ("entry level data analyst", "data analyst · level entry"),
        # and more as seekers type them
        ("contract recruiter remote", "recruiter · type contract · workplace remote"),
        ("jobs in london", "city London"),
        ("junior frontend dev amsterdam", "frontend dev · level entry · city Amsterdam"),
        ("staff software engineer", "software engineer · level principal"),
        ("principal scientist", "scientist · level principal"),
        ("mid-level java developer", "java developer · level mid"),
        ("Sr. data engineer NYC", "data engineer · level senior · city NYC"),
        ("part-time bookkeeper", "bookkeeper · type part-time"),
        ("freelance copywriter", "copywriter · type contract"),
        ("temp receptionist", "receptionist · type temporary"),
        ("on-site nurse texas", "nurse · workplace onsite · state Texas"),
        ("hybrid data analyst near boston", "data analyst · workplace hybrid · city Boston"),
        ("fully remote ux designer", "ux designer · workplace remote"),
        ("work from home customer service", "customer service · workplace remote"),
        ("data scientist bay area", "data scientist · city Bay Area"),
        ("account executive emea", "account executive · region EMEA"),
        ("sales roles germany", "sales · country Germany"),
        ("Seattle, WA ml engineer", "ml engineer · city Seattle WA"),
        ("devops engineer CA", "devops engineer · state CA"),
        ("Berlin Software Engineer", "Software Engineer · city Berlin"),
        # "or" in lower case is the word, not Oregon
        ("software engineer portland or", "software engineer or · city Portland"),
        # a state code after a city, in lower case as people type it
        ("data analyst in austin tx", "data analyst · city Austin TX"),
        ("nurse boston ma", "nurse · city Boston MA"),
        ("seattle wa ml engineer", "ml engineer · city Seattle WA"),
        ("machine learning internship", "machine learning · level intern"),
        ("intern software engineer berlin", "software engineer · level intern · city Berlin"),
    ],
)
def test_a_query_reads_as_a_seeker_means_it(typed: str, expected: str) -> None:
    assert shown(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        # a word that is part of a name or a title stays text
        "Remote Sensing Engineer",
        "remote sensing scientist",
        "Lead Generation specialist",
        "hybrid cloud architect",
        "Staff Accountant",
        "staff nurse",
        "contract manager",
        "Portland General Electric",
        "Boston Scientific",
        "new york life agent",
        # a level word naming the job itself
        "engineering manager",
        "customer success manager",
        "tech lead",
        # short words in lower case are words, not codes
        "it support",
        "ai engineer",
        # written as meant: quotes, operators, fields, exclusions
        '"remote" python',
        "python OR rust berlin",
        "title:senior berlin",
        "(senior) berlin",
        "-remote python",
        # nothing to read
        "machine learning",
        "jobs",
        "",
    ],
)
def test_such_words_stay_as_typed(typed: str) -> None:
    reading = read(typed, Table())
    assert reading.conditions == ()
    assert reading.text == typed
    assert not reading.understood


def test_quoted_words_stay_text_while_the_rest_is_read() -> None:
    reading = read('"senior engineer" berlin', Table())
    assert reading.text == '"senior engineer"'
    assert [(c.kind, c.value) for c in reading.conditions] == [("city", "berlin")]


def test_an_excluded_word_stays_text_while_the_rest_is_read() -> None:
    reading = read("python -crypto remote", Table())
    assert reading.text == "python -crypto"
    assert [(c.kind, c.value) for c in reading.conditions] == [("workplace", "remote")]


def test_conditions_keep_the_values_the_index_names_and_the_words_typed() -> None:
    reading = read("Senior Rust Engineer in New York", Table())
    assert reading.text == "Rust Engineer"
    assert [(c.kind, c.value, c.words) for c in reading.conditions] == [
        ("level", "senior", "Senior"),
        ("city", "new york", "New York"),
    ]
    assert reading.of("city", "state") == reading.conditions[1:]
    assert reading.understood


def test_place_leads_are_dropped_only_before_a_place() -> None:
    assert shown("data engineer in berlin") == "data engineer · city Berlin"
    # "in" before no place is the word; "jobs" is dropped once anything is read
    assert shown("senior jobs in fintech") == "in fintech · level senior"


def test_two_places_of_one_query_are_both_read() -> None:
    reading = read("python berlin germany", Table())
    assert [(c.kind, c.value) for c in reading.conditions] == [
        ("city", "berlin"),
        ("country", "germany"),
    ]
