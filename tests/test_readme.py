"""Issue 17: every example in the README runs as written, on the data it names.

Each fenced ``sh`` block's ``jobsearch`` lines run through a shell in a scratch
directory holding a copy of ``data/`` and an index built from it (the default
``index/``), so the commands that write (index, delete, watch add) never touch the
clone. Blocks fenced ``sh corpus`` need ``../shared/corpus``: the README's own index
command builds the corpus index they then search. The ``python`` block runs as a
script. Each must exit 0 (or the exit the README documents), print no traceback, and a
search must find something; where the README says what a line prints, that is checked.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.cluster import LocalCluster
from tests.conftest import CORPUS, ROOT, need_corpus

README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
#: What the README says a line prints (a part of its output), by the line's command.
PRINTS = {
    "jobsearch search NLP": "natural language processing",
    "jobsearch search senior applied scientist seattle": (
        "read as: applied scientist · level senior · city Seattle"
    ),
    'jobsearch search --near "Palo Alto, CA" --radius 20mi': "within 32.2 km of Palo Alto",
    'jobsearch search "reinforcment lerning"': "reinforcement learning",
    "jobsearch show h57d4fcf": "Senior Applied Scientist",
    "jobsearch similar h57d4fcf": "Postings like h57d4fcf",
    "jobsearch search senior rust engineer berlin": (
        "read as: rust engineer · level senior · city Berlin"
    ),
    "jobsearch watch list": "city Seattle",
    "jobsearch evaluate --facts": "precision",
}
#: Lines whose documented exit is not 0.
EXITS = {"jobsearch index --strict bad.csv": 1}


def blocks(kind: str) -> list[str]:
    """The bodies of the README's fenced blocks of ``kind`` ("sh", "sh corpus", "python")."""
    found = []
    for language, rest, body in FENCE.findall(README.read_text(encoding="utf-8")):
        if " ".join([language, *rest.split()]) == kind:
            found.append(body)
    return found


def commands(body: str) -> list[str]:
    """The ``jobsearch`` lines of a block, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", body)
    lines = (line.split(" # ")[0].strip() for line in joined.splitlines())
    return [line for line in lines if line.startswith("jobsearch")]


def scratch(tmp_path: Path, sample_index_dir: Path) -> Path:
    """A directory like a fresh clone's after its first search: data/ and index/."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(sample_index_dir, tmp_path / "index")
    return tmp_path


def run(line: str, cwd: Path, index: Path | str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JOBSEARCH_INDEX", "FORCE_COLOR")}
    env.update(NO_COLOR="1", COLUMNS="200", PAGER="cat")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if index is not None:
        env["JOBSEARCH_INDEX"] = str(index)
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def check(line: str, done: subprocess.CompletedProcess[str]) -> None:
    said = done.stdout + done.stderr
    assert done.returncode == EXITS.get(line, 0), f"{line}\n{said}"
    assert "Traceback" not in said, f"{line}\n{said}"
    if line.startswith("jobsearch search") and ">" not in line:
        assert "No postings match" not in said, f"{line} finds nothing\n{said}"
        assert done.stdout.strip(), f"{line} prints nothing"
    if line in PRINTS:
        assert PRINTS[line] in " ".join(said.split()), f"{line}\n{said}"


def example_files(at: Path) -> None:
    """Small files of the shapes the indexing examples name."""
    (at / "exports").mkdir()
    posting = {
        "id": "export-1",
        "title": "Data Engineer",
        "location": "Austin, TX",
        "description": "Build data pipelines in Python and SQL. Full-time.",
    }
    (at / "exports" / "jobs.jsonl").write_text(json.dumps(posting) + "\n", encoding="utf-8")
    with gzip.open(at / "more.jsonl.gz", "wt", encoding="utf-8") as more:
        more.write(json.dumps({**posting, "id": "more-1", "location": "Denver, CO"}) + "\n")
    with (at / "jobs.csv").open("w", newline="", encoding="utf-8") as jobs:
        writer = csv.writer(jobs)
        writer.writerow(["Title", "Location", "Job Summary", "Apply Link"])
        writer.writerow(
            ["Analyst", "Boston, MA", "Analyse sales data in SQL.", "https://example.com/a"]
        )
    feed = {
        "jobs": [
            {
                "id": 1,
                "absolute_url": "https://boards.greenhouse.io/acme/jobs/1",
                "title": "Backend Engineer",
                "location": {"name": "Berlin, Germany"},
                "content": "Write Go services for payments.",
                "updated_at": "2025-05-01T10:00:00-04:00",
            }
        ]
    }
    (at / "greenhouse.json").write_text(json.dumps(feed), encoding="utf-8")
    (at / "bad.csv").write_text("title,description\nNo description,\n", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "data" / "gold" / "linkedin_shape.csv", at / "postings.csv")


def test_the_readme_has_the_examples_this_file_runs() -> None:
    sample = [line for body in blocks("sh") for line in commands(body)]
    corpus = [line for body in blocks("sh corpus") for line in commands(body)]
    assert len(sample) >= 25
    assert len(corpus) >= 5
    assert len(blocks("python")) == 1
    assert set(PRINTS) | set(EXITS) <= set(sample) | set(corpus)


def test_every_sample_command_runs_as_written(tmp_path: Path, sample_index_dir: Path) -> None:
    at = scratch(tmp_path, sample_index_dir)
    example_files(at)
    for body in blocks("sh"):
        for line in commands(body):
            check(line, run(line, at))
    streamed = [json.loads(line) for line in (at / "llm.jsonl").read_text().splitlines()]
    assert streamed
    assert all(record["short_id"] for record in streamed)


def test_the_library_example_runs(
    tmp_path: Path, sample_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (code,) = blocks("python")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    names = runpy.run_path(str(tmp_path / "example.py"))
    assert names["summary"].added == 10  # the README's "AddSummary(added=10, ...)"
    assert names["results"].facets["city"] == {"San Francisco": 1, "Seattle": 1}
    assert names["hit"].posting.title


@pytest.mark.corpus
def test_every_corpus_command_runs_as_written(tmp_path: Path) -> None:
    need_corpus()
    index = tmp_path / "corpus-index"
    lines = [line for body in blocks("sh corpus") for line in commands(body)]
    # The README searches the corpus before it shows how to index it: index first.
    for line in sorted(lines, key=lambda line: not line.startswith("jobsearch index")):
        typed = line.replace("/tmp/corpus-index", str(index))
        typed = typed.replace("../shared/corpus", str(CORPUS.parent))
        check(line, run(typed, tmp_path, index))


#: The address the README's service examples use; the test serves on a free port instead.
README_ADDRESS = "http://127.0.0.1:8080"


def serve_lines(body: str) -> tuple[str, list[str]]:
    """A ``sh serve`` block: its ``jobsearch serve`` line (with any environment settings
    before it) and the ``curl`` lines run against that server."""
    joined = re.sub(r"\\\n\s*", " ", body)
    lines = [line.split(" # ")[0].strip() for line in joined.splitlines()]
    (server,) = [line for line in lines if "jobsearch serve" in line]
    return server, [line for line in lines if line.startswith("curl")]


def test_the_readme_shows_the_service() -> None:
    served = [serve_lines(body) for body in blocks("sh serve")]
    assert served, "the README shows no service example"
    assert sum(len(curls) for _, curls in served) >= 5


def test_every_service_example_runs_as_written(tmp_path: Path, sample_index_dir: Path) -> None:
    at = scratch(tmp_path, sample_index_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("JOBSEARCH_INDEX", "JOBSEARCH_TOKEN")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for body in blocks("sh serve"):
        server, curls = serve_lines(body)
        typed = re.sub(r"--port \d+", "", server) + " --port 0"
        process = subprocess.Popen(
            ["bash", "-c", typed],
            cwd=at,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            found = re.search(r"at (http://\S+)", first)
            assert found, f"{server} printed {first!r}"
            for line in curls:
                done = run(line.replace(README_ADDRESS, found[1]), at)
                said = done.stdout + done.stderr
                assert done.returncode == 0, f"{line}\n{said}"
                assert "Traceback" not in said and done.stdout.strip(), f"{line}\n{said}"
                if "-i" not in line.split():
                    json.loads(done.stdout)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def test_the_cluster_example_runs(
    tmp_path: Path, sample_index_dir: Path, ts_cluster: LocalCluster
) -> None:
    """The ``sh cluster`` block's jobsearch lines, against a fresh collection of the
    session's 3-node cluster (what ``scripts/cluster.py url`` would print)."""
    lines = [line for body in blocks("sh cluster") for line in commands(body)]
    assert any(line.startswith("jobsearch index") for line in lines)
    assert any(line.startswith("jobsearch search") for line in lines)
    at = scratch(tmp_path, sample_index_dir)
    url = ts_cluster.url(f"readme_{uuid.uuid4().hex[:8]}")
    for line in lines:
        done = run(line, at, url)
        check(line, done)
        assert ts_cluster.key not in done.stdout + done.stderr
