"""Hostile and broken input (issue 8): bounded reading, honest path errors, safe XML.

Each test builds the bad input in ``tmp_path``: a CSV quote that never closes, a FIFO,
a symbolic link loop, a line or document far past the limits, a gzip that expands a
thousandfold, XML that declares entities.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import search.ingest.csvfile as csvfile
from search.errors import InputError
from search.ingest import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    MAX_RECORD_BYTES,
    RawRecord,
    Rejection,
    find_files,
    read_files,
    read_records,
)
from search.ingest.postings import load_postings

REPO = Path(__file__).resolve().parents[1]
MiB = 1 << 20


def summary(path: Path) -> list[tuple[int, object]]:
    return [
        (it.line, it.fields if isinstance(it, RawRecord) else it.reason)
        for it in read_records([path])
    ]


def row(i: str, text: str = "fine") -> dict[str, str]:
    return {"id": i, "title": "T", "description": text}


AGAIN = "; the lines after its first are read again as rows"

# --- CSV: a quote that never closes (what may be kept around it: test_ingest_csv.py) ------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the open quote in the last field would swallow every row after it
            'id,title,description\na1,T,"broken\na2,T,fine\na3,T,fine\n',
            [
                (2, "unclosed quote: the file ends inside it" + AGAIN),
                (3, row("a2")),
                (4, row("a3")),
            ],
        ),
        (  # in a middle field
            'id,title,description\na1,"broken,one\na2,T,fine\n',
            [(2, "unclosed quote: the file ends inside it" + AGAIN), (3, row("a2"))],
        ),
        (  # the last line opens a quote
            'id,title,description\na1,T,fine\na2,T,"broken',
            [(2, row("a1")), (3, "unclosed quote: the file ends inside it")],
        ),
    ],
)
def test_an_unclosed_quote_costs_only_its_row(
    tmp_path: Path, text: str, expected: list[tuple[int, object]]
) -> None:
    path = tmp_path / "q.csv"
    path.write_text(text)
    assert summary(path) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # quoted fields over several lines, with commas and "" quotes inside
            'id,title,description\na1,T,"one, two\n""three""\n\nfour"\na2,T,fine\n',
            [(2, row("a1", 'one, two\n"three"\n\nfour')), (6, row("a2"))],
        ),
        (  # a quote inside an unquoted field is a character, not a quote
            'id,title,description\na1,TV 5" screen,fine\na2,T,fine\n',
            [(2, {**row("a1"), "title": 'TV 5" screen'}), (3, row("a2"))],
        ),
    ],
)
def test_real_quoting_still_reads(
    tmp_path: Path, text: str, expected: list[tuple[int, object]]
) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(text)
    assert summary(path) == expected


def test_a_quote_running_on_too_long_is_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvfile, "MAX_ROW_LINES", 50)
    path = tmp_path / "long.csv"
    prose = "".join(f"prose line {n}\n" for n in range(60))
    path.write_text(f'id,title,description\na1,T,"{prose}"\n')
    found = summary(path)
    assert found[0] == (2, "unclosed quote: the row runs on past 50 lines or 10 MB" + AGAIN)
    # the other prose lines are read as (bad) rows; the closing quote alone opens a field
    assert found[1:-1] == [(n, "row has 1 fields, header has 3") for n in range(3, 62)]
    assert found[-1] == (62, "unclosed quote: the file ends inside it")


# --- paths: what a path is, said as what it is ---------------------------------------------


def test_fifo_symlink_loop_broken_link_and_device(tmp_path: Path) -> None:
    fifo = tmp_path / "jobs.jsonl"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    broken = tmp_path / "broken.jsonl"
    broken.symlink_to(tmp_path / "gone.jsonl")
    cases = [
        (fifo, f"not a regular file (a FIFO): {fifo}"),
        (loop, f"symbolic link loop: {loop}"),
        (broken, f"broken symbolic link: {broken} -> {tmp_path / 'gone.jsonl'}"),
        (Path("/dev/null"), "not a regular file (a character device): /dev/null"),
        (tmp_path / "missing.jsonl", f"no such file or directory: {tmp_path / 'missing.jsonl'}"),
    ]
    for path, message in cases:
        with pytest.raises(InputError) as caught:
            find_files([path])
        assert str(caught.value).startswith(message)
    # In a directory walk they are skipped, never opened (a FIFO would block).
    (tmp_path / "good.jsonl").write_text(json.dumps(row("g")))
    assert find_files([tmp_path]) == [tmp_path / "good.jsonl"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_before_anything_is_read(tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_text("{}")
    path.chmod(0)
    for named in (path, tmp_path):
        with pytest.raises(InputError, match=r"^permission denied: "):
            find_files([named])


def test_every_path_is_checked_before_anything_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(row("g")))
    with pytest.raises(InputError, match="no such file"):
        read_files([good, tmp_path / "typo.jsonl"])
    with pytest.raises(InputError, match="no such file"):
        load_postings([good, tmp_path / "typo.jsonl"])  # at the call, not at the first next()


# --- sizes ------------------------------------------------------------------------------------


def test_an_overlong_line_is_rejected_and_the_next_one_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    big = json.dumps({"description": "x" * MAX_LINE_BYTES})
    path.write_text(big + "\n" + json.dumps(row("after")) + "\n")
    assert summary(path) == [(1, "line longer than 10 MB; skipped"), (2, row("after"))]


def test_an_overlong_listing_posting_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    body = ("word " * 100 + "\n") * (MAX_RECORD_BYTES // 500 + 10)
    path.write_text(f"US, WA, Seattle\n{body}GB, London\nA short one.\n")
    found = summary(path)
    assert found[0] == (1, "posting longer than 10 MB; skipped")
    assert found[1][0] > 1 and found[1][1] == {
        "location": "GB, London",
        "description": "A short one.",
    }


def test_an_overlong_xml_job_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    huge = "x" * (MAX_RECORD_BYTES + 10)
    path.write_text(
        f"<source>\n<job><title>Big</title><description>{huge}</description></job>\n"
        "<job><title>Small</title><description>Fine.</description></job>\n</source>"
    )
    assert [(line, str(what)[:40]) for line, what in summary(path)] == [
        (2, "record larger than 10 MB"),
        (3, "{'title': 'Small', 'description': 'Fine."),
    ]


def bomb(path: Path, prefix: bytes, size: int, suffix: bytes) -> Path:
    """A gzip of ``prefix``, ``size`` bytes of "a", ``suffix``: about 1 KB per MB."""
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = member.compress(b"a" * (1 << 24)) + member.flush()  # 16 MB in one gzip member
    head = zlib.compressobj(9, zlib.DEFLATED, 31)
    tail = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(head.compress(prefix) + head.flush())
        for _ in range(size >> 24):
            out.write(chunk)
        out.write(tail.compress(suffix) + tail.flush())
    return path


#: Runs a read in a fresh process and reports how far its peak memory (VmHWM, which a
#: new program starts afresh, unlike ru_maxrss) rose above the level before reading.
MEASURE = textwrap.dedent(
    """
    import json, sys
    from search.ingest import read_records
    def status_kb(key):
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    before = status_kb("VmRSS")
    items = [(it.line, getattr(it, "reason", None)) for it in read_records([sys.argv[1]])]
    print(json.dumps({"items": items, "grew_mb": (status_kb("VmHWM") - before) / 1024}))
    """
)


def measure(path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_gzip_expanding_to_one_gigabyte_line_stays_small(tmp_path: Path) -> None:
    path = bomb(
        tmp_path / "bomb.jsonl.gz", b'{"description": "', 1 << 30, b'"}\n{"description": "ok"}\n'
    )
    assert path.stat().st_size < 1_200_000
    result = measure(path)
    assert result["items"] == [[1, "line longer than 10 MB; skipped"], [2, None]]
    assert result["grew_mb"] < 100


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_csv_quote_left_open_on_a_one_gigabyte_line_stays_small(tmp_path: Path) -> None:
    head = b'id,title,description\na1,T,"open\n'
    path = bomb(tmp_path / "bomb.csv.gz", head, 1 << 30, b"\na2,T,fine\n")
    result = measure(path)
    assert result["items"] == [
        [2, "unclosed quote: line 3 in the row is longer than 10 MB" + AGAIN],
        [3, "line longer than 10 MB; skipped"],
        [4, None],
    ]
    assert result["grew_mb"] < 100


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_csv_quote_left_open_over_many_lines_stays_small(tmp_path: Path) -> None:
    """64 lines of 1 MB after an open quote: cut at 10 MB, the lines read again as rows."""
    line = b"a" * (MiB - 1) + b"\n"
    path = tmp_path / "lines.csv.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(b'id,title,description\na1,T,"open\n')
        for _ in range(64):
            out.write(line)
        out.write(b"a2,T,fine\n")
    result = measure(path)
    too_long = "unclosed quote: the row runs on past 5000 lines or 10 MB" + AGAIN
    assert result["items"] == [
        [2, too_long],
        *([n, "row has 1 fields, header has 3"] for n in range(3, 67)),
        [67, None],
    ]
    assert result["grew_mb"] < 100


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_json_document_past_the_limit_is_rejected_without_reading_on(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.json.gz", b'[{"description": "', 1 << 30, b'"}]')
    result = measure(path)
    limit = MAX_DOCUMENT_BYTES >> 20
    reason = f"file larger than {limit} MB, the limit for a whole document; split it"
    assert result["items"] == [[1, reason]]
    assert result["grew_mb"] < limit + 40


# --- XML that tries to do more than describe jobs ---------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<source><job><title>T</title><description>&lol2;</description></job></source>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<source><job><title>T</title><description>&secret;</description></job></source>
"""
PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<source><job><title>T</title><description>D</description></job></source>
"""


@pytest.mark.parametrize(("text", "line"), [(LAUGHS, 3), (EXTERNAL, 2), (PARAMETER, 2)])
def test_entity_declarations_are_refused(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(text)
    [rejection] = read_records([path])
    assert rejection == Rejection(
        str(path), line, "XML entity declarations are refused (a job feed needs none)"
    )


def test_absurd_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_text("<source>" + "<a>" * 10_000 + "</a>" * 10_000 + "</source>")
    [rejection] = read_records([path])
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "XML nested deeper than 256 elements"


def test_a_doctype_without_entities_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE source SYSTEM "http://127.0.0.1:9/feed.dtd">\n'
        "<source><job><title>T</title><description>D</description></job></source>"
    )
    [record] = read_records([path])
    assert isinstance(record, RawRecord) and record.fields["description"] == "D"


# --- property: any CSV never raises (valid CSV reads back: test_ingest_csv.py) -----------


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet='ab",\n\r ', max_size=300))
def test_any_csv_text_never_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.csv"
    path.write_text("id,title,description\n" + text)
    lines = [it.line for it in read_records([path])]
    assert lines == sorted(lines) and all(n >= 1 for n in lines)
