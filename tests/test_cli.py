"""The command line, run as a user runs it: a subprocess, its output and exit status."""
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "timeline_site", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_build_writes_the_site_and_prints_a_summary(project):
    result = run("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 3 events into 16 pages")
    assert (project / "_site/index.html").is_file()


def test_build_options(project, tmp_path):
    result = run("build", "--out", str(tmp_path / "out"), "--base-url", "https://x.test/a/", "--drafts", "--jobs", "1",
                 cwd=project)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/events/secret-draft/index.html").is_file()
    assert 'href="/a/events/alexnet/"' in (tmp_path / "out/index.html").read_text()


def test_errors_are_listed_sorted_with_exit_status_1_and_no_traceback(project):
    (project / "content/events/2013/b.md").write_text("---\ntitle: [x\n---\n")
    (project / "content/events/2013/a.md").write_text("no front matter\n")
    result = run("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "events/2013/a.md:1: missing front matter: an .md event starts with a '---' line",
        "events/2013/b.md:3: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'",
        "2 problem(s) found.",
    ]
    assert "Traceback" not in result.stderr


def test_check_writes_nothing(project):
    result = run("check", cwd=project)
    assert (result.returncode, result.stdout.strip()) == (0, "Content is valid.")
    assert not (project / "_site").exists()


def test_new_writes_a_valid_event_in_the_year_folder(project):
    result = run("new", "Attention Is All You Need!", "--date", "2014-06", "--kind", "paper",
                 "--topic", "vision", "--topic", "hardware", cwd=project)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == Path("content/events/2014/attention-is-all-you-need.md")
    assert run("check", cwd=project).returncode == 0
    assert run("new", "Attention Is All You Need!", "--date", "2014-06", "--kind", "paper",
               "--topic", "vision", cwd=project).returncode == 1  # never overwrites


def test_new_refuses_bad_input_with_clear_errors(project):
    result = run("new", "X", "--date", "2014-13", "--kind", "paper", "--topic", "vision", cwd=project)
    assert result.returncode == 1 and "date 2014-13 has no month 13" in result.stderr
    result = run("new", "X", "--date", "2014", "--kind", "papr", "--topic", "nope", cwd=project)
    assert result.returncode == 1
    assert "unknown kind 'papr'" in result.stderr and "unknown topic 'nope'" in result.stderr
    assert not (project / "content/events/2014/x.md").exists()


@pytest.mark.parametrize("command", ["build", "check", "new", "serve"])
def test_help(command, project):
    result = run(command, "--help", cwd=project)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_missing_content_folder(tmp_path):
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2 and "no content folder" in result.stderr
