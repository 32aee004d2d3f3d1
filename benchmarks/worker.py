"""One measurement of the dev-server path, run by run.py in a fresh process.

    python benchmarks/worker.py ROOT OUT RESULT.json [--warm 3] [--edits 3]

Uses one `Builder` object, as `timeline-site serve` does: build once, build
again with nothing changed (`--warm` times), then for each of `--edits`
events append a paragraph to its file and time the next `.build()`. Each
rebuild is checked: the edited event's page must contain the new text (an
incremental build that skips the change is a failure, not a fast build).
The edited files are restored at the end. Timings go to RESULT.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import edit_event  # noqa: E402


def pick_events(content: Path, count: int) -> list[Path]:
    """`count` Markdown events spread over the corpus (deterministic), relative to content/."""
    files = sorted(p.relative_to(content) for p in (content / "events").rglob("*.md"))
    if not files or count <= 0:
        return []
    step = max(1, len(files) // (count + 1))
    return [files[min(len(files) - 1, step * (i + 1))] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path, help="site root: content/, templates/, static/")
    parser.add_argument("out", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    from timeline_site.build import Builder
    from timeline_site.config import BuildOptions

    imported = time.perf_counter() - started
    content = args.root / "content"
    builder = Builder(BuildOptions.for_project(content, out_dir=args.out))
    result: dict = {"import_s": imported}

    result["cpu_s"] = []  # CPU time of each build, in order (first, warm..., rebuilds...)

    def timed() -> tuple[float, int]:
        c0, t0 = time.process_time(), time.perf_counter()
        report = builder.build()
        seconds = time.perf_counter() - t0
        result["cpu_s"].append(time.process_time() - c0)
        return seconds, getattr(report, "files", None)

    def files_on_disk() -> int:
        return sum(len(names) for _, _, names in os.walk(args.out))

    result["first_s"], result["files_written"] = timed()
    result["files"] = files_on_disk()
    result["warm_s"], result["warm_files_written"] = [], []
    for _ in range(args.warm):
        seconds, written = timed()
        result["warm_s"].append(seconds)
        result["warm_files_written"].append(written)  # an incremental build may write none
        if (count := files_on_disk()) != result["files"]:
            raise SystemExit(f"after a warm build the output has {count} files, after the first {result['files']}")

    originals = {}
    result["edit_s"], result["edited"] = [], []
    try:
        for i, rel in enumerate(pick_events(content, args.edits)):
            path = content / rel
            originals.setdefault(rel, (path.read_bytes(), path.stat()))
            marker = f"bench-marker-{i}-{time.time_ns()}"
            edit_event(content, rel, marker)
            seconds, written = timed()
            result.setdefault("edit_files_written", []).append(written)
            page = args.out / "events" / rel.stem / "index.html"
            if marker not in page.read_text(encoding="utf-8"):
                raise SystemExit(f"rebuild after editing {rel} did not update {page}")
            result["edit_s"].append(seconds)
            result["edited"].append(str(rel))
    finally:
        for rel, (data, st) in originals.items():
            (content / rel).write_bytes(data)
            os.utime(content / rel, ns=(st.st_atime_ns, st.st_mtime_ns))
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
