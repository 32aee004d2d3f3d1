"""The pipeline, in order: load -> validate -> model -> Markdown -> render -> write.

The only module that knows the order of the stages. First gather and check
all data; only when there is not a single problem, render and write.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import BuildOptions, SiteConfig, validate_site, validate_topics, year_url
from .errors import BuildFailed, ContentError
from .load import load_sources
from .markup import pygments_css, render_markdown
from .model import Event, Timeline, build_timeline
from .render import RenderedPage, RenderInput, make_environment, render_site
from .validate import Context, validate_events
from .write import files_below, write_site

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    events: int
    pages: int
    files: int
    seconds: float
    out_dir: Path

    def summary(self) -> str:
        return (f"Built {self.events} events into {self.pages} pages "
                f"({self.files} files) in {self.out_dir} in {self.seconds:.2f} s")


def prepare_site(options: BuildOptions) -> RenderInput:
    """Load, validate and model the content and render its Markdown.

    Raises BuildFailed with every problem found; otherwise returns all that the
    pages need. This is what `check` runs: everything but templates and writing.
    """
    sources, errors = load_sources(options.content_dir)
    config = None
    if sources.site is not None:
        config, problems = validate_site(sources.site, options.base_url)
        errors += problems
    if config is None or sources.topics is None:
        raise BuildFailed(errors)
    topics, problems = validate_topics(sources.topics, config.base_path)
    errors += problems
    ctx = Context(config, {t.id: t for t in topics}, sources.images)
    events, problems = validate_events(sources.events, ctx)
    errors += problems
    if errors:
        raise BuildFailed(errors)
    timeline = build_timeline(events, config.kinds, topics, config.years,
                              {y: year_url(config.base_path, y) for y in config.years}, options.drafts)
    bodies, errors = render_bodies(timeline)
    descriptions = {t.id: render_markdown(t.description).html for t in timeline.topics}
    if errors:
        raise BuildFailed(errors)
    return RenderInput(config, timeline, bodies, descriptions)


def render_bodies(timeline: Timeline) -> tuple[dict[str, str], list[ContentError]]:
    def resolve(event_id: str) -> tuple[str, str] | None:
        event = timeline.by_id.get(event_id)
        return (event.url, event.title) if event else None

    bodies, errors = {}, []
    for event in timeline.events:
        rendered = render_markdown(event.body, resolve)
        bodies[event.id] = rendered.html
        errors += [ContentError(event.src_path, _line_of_problem(event, p), p) for p in rendered.problems]
    return bodies, errors


def _line_of_problem(event: Event, problem: str) -> int:
    """Best effort: the first body line containing the TeX quoted in the message."""
    snippet = problem.split("$")[1] if problem.count("$") >= 2 else ""
    for offset, line in enumerate(event.body.split("\n")):
        if snippet and snippet in line:
            return event.body_line + offset
    return event.body_line


def build_site(options: BuildOptions) -> BuildReport:
    """Build the whole site into options.out_dir, or raise BuildFailed and touch nothing."""
    started = time.perf_counter()
    data = prepare_site(options)
    env = make_environment(options.templates_dir)
    pages = render_site(data, env)
    assets = [(PurePosixPath("static") / rel, path) for rel, path in files_below(options.static_dir)]
    assets += [(PurePosixPath("images") / rel, path) for rel, path in files_below(options.content_dir / "images")]
    generated = [RenderedPage(PurePosixPath("static/pygments.css"), pygments_css().encode())]
    files = write_site(pages, assets, generated, options.out_dir)
    html_pages = sum(1 for p in pages if p.dest_path.suffix == ".html")
    return BuildReport(len(data.timeline.events), html_pages, files, time.perf_counter() - started, options.out_dir)


def check_site(options: BuildOptions) -> SiteConfig:
    """Validate everything; write nothing."""
    return prepare_site(options).config


class Builder:
    """Builds the same project again and again (the dev server, the benchmark).

    Each call to `build()` is a full, correct build; state kept between calls
    only makes later builds faster, never different.
    """

    def __init__(self, options: BuildOptions):
        self.options = options

    def build(self) -> BuildReport:
        return build_site(self.options)
