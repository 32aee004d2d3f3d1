"""The `timeline-site` command: thin commands that each call one function."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

log = logging.getLogger(__name__)

content_option = click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
                              default=Path("content"), show_default=True, help="The content folder.")


def _options(content_dir: Path, **kwargs):
    from .config import BuildOptions
    from .errors import BuildFailed

    if not content_dir.is_dir():
        raise click.UsageError(f"no content folder at {content_dir}")
    try:
        return BuildOptions.for_project(content_dir, **kwargs)
    except BuildFailed as failed:  # an output folder that would swallow an input
        _fail(failed.errors)


def _fail(errors) -> None:
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(errors)} problem(s) found.", err=True)
    sys.exit(1)


@click.group()
@click.version_option(package_name="timeline-site")
def main() -> None:
    """Build a static timeline site from a folder of event files."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")


@main.command()
@content_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: _site beside the content folder).")
@click.option("--base-url", default=None, help="Override base_url of site.yaml.")
@click.option("--drafts", is_flag=True, help="Include events marked draft: true.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes to use (default: one per core).")
def build(content_dir: Path, out_dir: Path | None, base_url: str | None, drafts: bool, jobs: int | None) -> None:
    """Build the site into the output folder (replaced only if the build succeeds)."""
    from .build import build_site
    from .errors import BuildFailed

    try:
        report = build_site(_options(content_dir, out_dir=out_dir, base_url=base_url, drafts=drafts, jobs=jobs))
    except BuildFailed as failed:
        _fail(failed.errors)
    click.echo(report.summary())


@main.command()
@content_option
@click.option("--links", is_flag=True,
              help="Also build into a temporary folder and check that every internal link, #anchor and asset "
                   "resolves (external links: form only, no network).")
@click.option("--format", "fmt", type=click.Choice(["human", "github"]), default="human", show_default=True,
              help="human: path:line: message, coloured on a terminal; github: workflow annotations.")
def check(content_dir: Path, links: bool, fmt: str) -> None:
    """Validate the content; write nothing (with --links, only into a temporary folder)."""
    from .build import check_site
    from .errors import BuildFailed

    options = _options(content_dir, drafts=True)
    try:
        config = check_site(options)
        broken = _broken_links(options, config.base_url) if links else []
    except BuildFailed as failed:
        _report(failed.errors, [], content_dir, fmt)
    if broken:
        _report([], broken, content_dir, fmt)
    click.echo("Content is valid." + (" Every internal link resolves." if links else ""))


def _broken_links(options, base_url: str) -> list:
    """Build the published site into a temporary folder and check its links there."""
    import dataclasses
    import tempfile

    from .build import build_site
    from .linkcheck import check_links

    with tempfile.TemporaryDirectory(prefix="timeline-site-check-") as tmp:
        out_dir = Path(tmp) / "_site"
        # no cache folder: a manifest for a throw-away output folder would only pile up
        build_site(dataclasses.replace(options, out_dir=out_dir, drafts=False, cache_dir=None))
        return check_links(out_dir, base_url)


def _report(errors: list, broken_links: list, content_dir: Path, fmt: str) -> None:
    """Print content errors (paths in content_dir) and broken links (paths in the built site); exit 1."""
    from .errors import ContentError

    located = [(e, _repo_path(content_dir, e.path)) for e in errors]
    located += [(ContentError(Path("_site") / e.path, e.line, e.message), None)
                for e in sorted(broken_links, key=ContentError.sort_key)]
    for error, file in located:
        if fmt == "github":
            click.echo(_annotation(error, file))
        else:
            click.echo(click.style(f"{error.path}:{error.line or '?'}:", bold=True) + f" {error.message}", err=True)
    click.echo(click.style(f"{len(located)} problem(s) found.", fg="red"), err=True)
    sys.exit(1)


def _repo_path(content_dir: Path, rel) -> str:
    """The file as GitHub names it: the content folder + the path, relative to the repository (here, cwd)."""
    path = content_dir / str(rel)
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return path.as_posix()


def _annotation(error, file: str | None) -> str:
    """A GitHub workflow command: `::error file=...,line=...::message`, escaped as the runner expects."""
    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    if file is None:
        return f"::error title=Broken link::{data(str(error))}"
    where = f"file={prop(file)}" + (f",line={error.line}" if error.line else "")
    return f"::error {where}::{data(error.message)}"


@main.command()
@content_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--drafts", is_flag=True, help="Include events marked draft: true.")
def serve(content_dir: Path, host: str, port: int, drafts: bool) -> None:
    """Build, serve with live reload, and rebuild on every change."""
    from .build import Builder
    from .errors import BuildFailed
    from .serve import LiveReloadServer

    options = _options(content_dir, base_url=f"http://{host}:{port}/", drafts=drafts)
    site_builder = Builder(options)

    def builder() -> list[str]:
        try:
            click.echo(site_builder.build().summary())
        except BuildFailed as failed:
            return [str(e) for e in failed.errors]
        return []

    server = LiveReloadServer(builder, options.out_dir, [options.content_dir, options.templates_dir, options.static_dir],
                              host, port)
    if not server.rebuild() and not options.out_dir.exists():
        sys.exit(1)
    server.serve()


@main.command()
@click.argument("title", required=False)
@click.option("--date", "date_", help="YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--kind", help="A kind id from site.yaml.")
@click.option("--topic", "topics", multiple=True, help="A topic id (repeat for more).")
@content_option
def new(title: str | None, date_: str | None, kind: str | None, topics: tuple[str, ...], content_dir: Path) -> None:
    """Write a new event file in the right year folder and print its path.

    On a terminal, asks for whatever is not given. Scripts give all of TITLE,
    --date, --kind and --topic and are never asked anything.
    """
    from .errors import BuildFailed
    from .scaffold import new_event

    missing = [name for name, value in (("TITLE", title), ("--date", date_), ("--kind", kind), ("--topic", topics))
               if not value]
    if missing and not sys.stdin.isatty():
        raise click.UsageError(f"missing {', '.join(missing)} (run it on a terminal to be asked for them)")
    try:
        if missing:
            title, date_, kind, topics = _ask_event(content_dir, title, date_, kind, topics)
        path = new_event(content_dir, title, date_, kind, list(topics))
    except BuildFailed as failed:
        _fail(failed.errors)
    click.echo(path)


def _ask_event(content_dir: Path, title, date_, kind, topics) -> tuple[str, str, str, tuple[str, ...]]:
    """Prompt (on stderr, so that stdout stays the new file's path) for each missing value, checked at once."""
    from .scaffold import load_context
    from .validate import check_date, check_text, check_topics

    ctx = load_context(content_dir)
    title = title or click.prompt("Title", err=True, value_proc=_answer(check_text, ctx))
    date_ = date_ or click.prompt("Date (YYYY, YYYY-MM or YYYY-MM-DD)", err=True, value_proc=_answer(check_date, ctx))
    kind = kind or click.prompt("Kind", err=True, type=click.Choice([k.id for k in ctx.config.kinds]))
    if not topics:
        click.echo("Topics:", err=True)
        for topic in ctx.topics.values():
            click.echo(f"  {topic.id:<24} {topic.name}", err=True)
        topics = click.prompt("Topics (ids separated by spaces, the primary first)", err=True,
                              value_proc=_answer(check_topics, ctx, lambda text: text.replace(",", " ").split()))
    return title, date_, kind, tuple(topics)


def _answer(check, ctx, convert=str.strip):
    """A click value_proc: the answer, or BadParameter with the validator's message (click asks again)."""
    from .validate import Invalid

    def proc(text: str):
        value = convert(text)
        try:
            check(value, ctx)
        except Invalid as problem:
            raise click.BadParameter(problem.message) from None
        return value

    return proc


@main.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace events whose id already exists.")
@content_option
def import_(csv_file: Path, force: bool, content_dir: Path) -> None:
    """Turn a spreadsheet of events (CSV, the columns of events.csv) into event files.

    Writes content/events/YYYY/<id>.md per row and prints their paths. Nothing is
    written if any row has a problem; an existing id is replaced only with --force.
    """
    from .errors import BuildFailed
    from .tabular import import_events

    _options(content_dir)
    try:
        paths = import_events(csv_file, content_dir, force)
    except BuildFailed as failed:
        _fail(failed.errors)
    for path in paths:
        click.echo(path)
    click.echo(f"Imported {len(paths)} event(s).", err=True)


@main.command()
@content_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schema"),
              show_default=True, help="Folder for event.schema.json, site.schema.json and topics.schema.json.")
def schema(content_dir: Path, out_dir: Path) -> None:
    """Write the JSON Schemas of event files, site.yaml and topics.yaml (for editors)."""
    from .errors import BuildFailed
    from .schema import write_schemas

    _options(content_dir)
    try:
        paths = write_schemas(content_dir, out_dir)
    except BuildFailed as failed:
        _fail(failed.errors)
    for path in paths:
        click.echo(path)
