"""The `timeline-site` command: thin commands that each call one function."""
from __future__ import annotations

import logging
import re
import sys
from datetime import date
from pathlib import Path

import click

log = logging.getLogger(__name__)

content_option = click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
                              default=Path("content"), show_default=True, help="The content folder.")


def _options(content_dir: Path, **kwargs):
    from .config import BuildOptions

    if not content_dir.is_dir():
        raise click.UsageError(f"no content folder at {content_dir}")
    return BuildOptions.for_project(content_dir, **kwargs)


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
def build(content_dir: Path, out_dir: Path | None, base_url: str | None, drafts: bool) -> None:
    """Build the site into the output folder (replaced only if the build succeeds)."""
    from .build import build_site
    from .errors import BuildFailed

    try:
        report = build_site(_options(content_dir, out_dir=out_dir, base_url=base_url, drafts=drafts))
    except BuildFailed as failed:
        _fail(failed.errors)
    click.echo(report.summary())


@main.command()
@content_option
def check(content_dir: Path) -> None:
    """Validate the content; write nothing."""
    from .build import check_site
    from .errors import BuildFailed

    try:
        check_site(_options(content_dir, drafts=True))
    except BuildFailed as failed:
        _fail(failed.errors)
    click.echo("Content is valid.")


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
@click.argument("title")
@click.option("--date", "date_", required=True, help="YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--kind", required=True, help="A kind id from site.yaml.")
@click.option("--topic", "topics", required=True, multiple=True, help="A topic id (repeat for more).")
@content_option
def new(title: str, date_: str, kind: str, topics: tuple[str, ...], content_dir: Path) -> None:
    """Write a new event file in the right year folder and print its path."""
    from .errors import BuildFailed
    from .scaffold import new_event

    try:
        path = new_event(content_dir, title, date_, kind, list(topics))
    except BuildFailed as failed:
        _fail(failed.errors)
    click.echo(path)
