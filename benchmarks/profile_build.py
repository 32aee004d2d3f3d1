"""Profile one cold in-process build of a generated corpus.

    python benchmarks/profile_build.py [--n 1000] [--seed 1] [--top 10] [--pyinstrument FILE]

Writes a corpus of N events to a temp folder, then runs `build_site` once
under cProfile and prints the top functions by cumulative time, by own
time, and the own time summed per package. With --pyinstrument (needs
`pip install pyinstrument` in the venv), also writes pyinstrument's call
tree of a second build (same process, so imports and compiled templates
are already warm; not under cProfile) to FILE.
The code profiled is whatever `timeline_site` imports as (the venv's editable
install, or PYTHONPATH).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import generate_corpus  # noqa: E402


def package_of(filename: str) -> str:
    """A short owner for a profiled function's file: a package name, or the stdlib module."""
    path = Path(filename)
    parts = path.parts
    if path.suffix in (".html", ".xml", ".txt", ".json") and "templates" in parts:
        return "templates (Jinja, compiled)"
    if filename == "~" or filename.startswith("<"):
        return "built-ins (C: str, re, nh3, io...)"
    for marker in ("site-packages", "src"):
        if marker in parts:
            i = parts.index(marker)
            if i + 1 < len(parts):
                return parts[i + 1].removesuffix(".py")
    return "stdlib:" + path.stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--pyinstrument", type=Path, default=None, help="also write pyinstrument's text tree here")
    args = parser.parse_args()

    import timeline_site
    from timeline_site.build import build_site
    from timeline_site.config import BuildOptions

    project = Path(timeline_site.__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory(prefix="timeline-profile-") as tmp:
        root = Path(tmp)
        generate_corpus(root, args.n, args.seed)
        options = BuildOptions(root / "content", root / "_site", project / "templates", project / "static")

        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = build_site(options)
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"cold in-process build of {args.n} events under cProfile: {elapsed:.2f} s "
              f"({report.pages} pages, {report.files} files; code from {project})\n")

        stats = pstats.Stats(profiler)
        for key, title in (("cumulative", "cumulative"), ("tottime", "own (tottime)")):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.top)
            body = out.getvalue()
            start = body.find("   ncalls")
            print(f"Top {args.top} functions by {title} time:\n{body[start:].rstrip()}\n")

        by_package: dict[str, float] = defaultdict(float)
        for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
            by_package[package_of(filename)] += tottime
        total = sum(by_package.values())
        print("Own time by package:")
        for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:15]:
            print(f"  {name:<28} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")

        if args.pyinstrument:
            from pyinstrument import Profiler

            (root / "_site2").mkdir()
            options = BuildOptions(root / "content", root / "_site2", project / "templates", project / "static")
            pi = Profiler(interval=0.001)
            pi.start()
            build_site(options)
            pi.stop()
            args.pyinstrument.write_text(pi.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
            print(f"\npyinstrument tree written to {args.pyinstrument}")


if __name__ == "__main__":
    main()
