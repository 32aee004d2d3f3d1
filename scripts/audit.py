#!/usr/bin/env python3
"""`make audit`: Lighthouse (mobile) on the home, a year, a topic and an event page.

Builds the site, serves it on 127.0.0.1 under /decade/ (as the real site is
served), runs Lighthouse 12 from npm against the OS Chromium, prints the four
category scores per page and exits 1 if any is below the target (95). Not part
of `make test`: Lighthouse's timing depends on the machine.

    python scripts/audit.py [--lighthouse PATH] [--target 95]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from browser import serve_directory  # noqa: E402  (the tests' server: the site under /decade/)

from timeline_site.build import build_site  # noqa: E402
from timeline_site.config import BuildOptions  # noqa: E402

PAGES = {"home": "", "year": "years/2017/", "topic": "topics/nlp/", "event": "events/transformer/"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")


def run_lighthouse(lighthouse: str, url: str, out: Path, profile: Path) -> dict[str, int]:
    env = dict(os.environ, CHROME_PATH=shutil.which("chromium") or "chromium")
    flags = f"{CHROME_FLAGS} --user-data-dir={profile}"
    subprocess.run([lighthouse, url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--chrome-flags={flags}", "--form-factor=mobile", "--throttling-method=simulate",
                    f"--only-categories={','.join(CATEGORIES)}"], env=env, check=True, timeout=300)
    report = json.loads(out.read_text())
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", default=str(REPO / ".cache/audit/node_modules/.bin/lighthouse"))
    parser.add_argument("--target", type=int, default=95)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "_site"
        build_site(BuildOptions(REPO / "content", out, REPO / "templates", REPO / "static"))
        server, base = serve_directory(out)
        try:
            scores = {name: run_lighthouse(args.lighthouse, base + path, Path(tmp) / f"{name}.json", Path(tmp) / f"p-{name}")
                      for name, path in PAGES.items()}
        finally:
            server.shutdown()
            server.server_close()
    print(f"{'page':8}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, row in scores.items():
        print(f"{name:8}" + "".join(f"{row[c]:>16}" for c in CATEGORIES))
    low = [(name, c, s) for name, row in scores.items() for c, s in row.items() if s < args.target]
    for name, category, score in low:
        print(f"below {args.target}: {name} {category} {score}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
