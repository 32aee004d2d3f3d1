"""The pipeline, in order: load -> validate -> model -> Markdown -> plan -> render -> write.

The only module that knows the order of the stages. First gather and check
all data; only when there is not a single problem, render and write.

A `Builder` builds the same project again and again (the dev server, the
benchmark). Every build is complete and correct on its own; what a Builder
keeps between builds (parsed files, validated events, rendered Markdown,
digests, the last manifest) only lets it skip work whose inputs are unchanged:
a rebuild is a pure function of the content, made fast by memoizing.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import jinja2

from .cache import Manifest, MarkdownCache
from .config import BuildOptions, SiteConfig, validate_settings, year_url
from .digest import Digests, generator_fingerprint, same_objects, sha
from .errors import BuildFailed, ContentError
from .load import FileCache, Listings, SourceDoc, Sources, event_files, load_settings, load_sources, parse_event_file
from .markup import pygments_css, render_markdown
from .model import Event, Timeline, Topic, build_timeline, patch_timeline, same_place
from .parallel import default_jobs, ordered_map
from .render import (Fragments, Nav, PagePlan, Planner, RenderedPage, RenderInput, forget_compiled_templates,
                     is_editor_file, is_template_name, make_environment)
from .validate import Context, ValidationMemo, lighter, validate_event, validate_events
from .write import files_below, fresh_site, remember_pieces, update_site

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    events: int
    pages: int
    """HTML pages in the site."""
    files: int
    """Files written by this build (0 when nothing changed)."""
    seconds: float
    out_dir: Path
    rendered: tuple[str, ...] = ()
    """dest paths this build rendered and wrote, in plan order."""

    def summary(self) -> str:
        return (f"Built {self.events} events into {self.pages} pages "
                f"({self.files} files written) in {self.out_dir} in {self.seconds:.2f} s")


class Builder:
    """Builds one project repeatedly, re-doing only what its inputs changed."""

    def __init__(self, options: BuildOptions, remember: bool = True):
        """`remember=False` for a one-shot build: keep nothing in memory for a next build."""
        self.options = options
        self.remember = remember
        self.jobs = options.jobs or default_jobs()
        self.files: FileCache | None = {} if remember else None
        self.listings: Listings | None = {} if remember else None
        self.events: ValidationMemo | None = ValidationMemo() if remember else None
        self.context: Context | None = None
        # With a cache folder, bodies are read back from disk when needed: the building
        # process does not hold them all.
        self.markdown = MarkdownCache(options.cache_dir, keep_in_memory=remember and options.cache_dir is None)
        self._body_keys: dict[str, tuple[Event, tuple, str]] = {}
        """Event id -> (event, the events its [[links]] name, its body's cache key)."""
        self._unsaved: dict[str, str] = {}
        self._body_problems: list[FreshBody] = []
        self.digests = Digests()
        self.fragments = Fragments(keep=remember)
        self.manifest = Manifest(options.cache_dir, options.out_dir)
        self.env = make_environment(options.templates_dir)
        self.planner = Planner(self.env, self.digests, self.fragments)
        self._template_sources: tuple = ()
        self._model: tuple[Context, list[Event], Timeline] | None = None
        """The last build's context, validated events and timeline."""
        self._data: RenderInput | None = None
        self._change: tuple[Timeline, set[str]] | None = None
        self._keys: dict[str, str] | None = None
        """The last build's body keys, by event id."""
        self._referrers: dict[str, set[str]] = {}
        """Event id -> the events whose [[links]] name it."""
        """(the last build's timeline, the events that changed since) when the model knows."""
        self._plans: tuple[RenderInput, list[PagePlan]] | None = None
        self._wrote_last = False
        """True once this Builder has written the output folder (so it knows what is in it)."""
        self._pieces_written: dict[str, list[bytes]] | None = {} if remember else None
        """The pieces of the files written in pieces (the big data files), as last written."""
        self._builds_since_collection = 0
        self._page_count = 0
        """HTML pages in the last plan (static files aside), for the report."""
        self.laps = Laps()

    # -- stages ---------------------------------------------------------------

    def prepare(self) -> RenderInput:
        """Load, validate and model the content, or raise BuildFailed. Bodies are rendered
        later, by the processes that render their pages (`check_bodies` renders them all)."""
        events, errors = self.load_and_validate() if self.remember else self.load_and_validate_at_once()
        self.laps.lap("validate")
        if errors:
            raise BuildFailed(errors)
        timeline = self.model(events, self.context)
        self.laps.lap("model")
        if self._data is not None and self._data.timeline is timeline:
            return self._data  # nothing changed since the last build
        keys = self.body_keys(timeline)
        descriptions = {t.id: render_markdown(t.description).html for t in timeline.topics}
        self.laps.lap("body keys")
        data = RenderInput(self.context.config, timeline, Bodies(timeline, keys, self.markdown), keys, descriptions,
                           Nav.of(timeline))
        if self.remember:
            self._data = data
        return data

    def load_and_validate(self) -> tuple[list[Event], list[ContentError]]:
        """Every event file parsed (unless unchanged) and validated (unless unchanged), the
        documents kept for the next build."""
        before = self.context
        sources, errors = load_sources(self.options.content_dir, self.files, self.jobs, self.listings)
        context = self.context_of(sources, errors)
        if context is not before and before is not None and self.files:
            # Unchanged files were kept lightened (`lighten`): checking them against new
            # settings needs them whole again.
            self.files.clear()
            self.events = ValidationMemo()
            sources, errors = load_sources(self.options.content_dir, self.files, self.jobs, self.listings)
            context = self.context_of(sources, errors)
        self.laps.lap("load")
        events, problems = validate_events(sources.events, context, self.events)
        if self.events is not None and len(self.events.files) > len(sources.events):  # files are gone
            self.events.prune({str(d.src_path) for d in sources.events})
        self.lighten()
        return events, errors + problems

    def lighten(self) -> None:
        """Keep only what the checks across files quote of each validated file (see `lighter`).

        A big site's parsed files are most of what a Builder holds, and the
        workers it forks start with all of it. A file is validated again only
        if it changes (then it is parsed again) or if the settings change (then
        `load_and_validate` parses every file again)."""
        if self.files is None or self.events is None:
            return
        memo, swapped = self.events.files, {}
        for path, (stat, doc, problems) in self.files.items():
            if doc is None or doc.data is None:
                continue
            known = memo.get(str(doc.src_path))
            if known is None or known[0] is not doc:
                continue  # not validated (a duplicate id, say): kept whole
            light = swapped[id(doc)] = lighter(doc)
            self.files[path] = (stat, light, problems)
            memo[str(doc.src_path)] = (light, *known[1:])
        if swapped and self.events.last is not None:
            docs, *rest = self.events.last
            self.events.last = ([swapped.get(id(d), d) for d in docs], *rest)

    def load_and_validate_at_once(self) -> tuple[list[Event], list[ContentError]]:
        """A one-shot build: each event file is parsed and validated by the same process (both
        cores), which sends back the event and the few lines the checks across files quote. So
        the building process never holds every parsed document, nor do the workers it forks."""
        root = self.options.content_dir
        settings, errors = load_settings(root)
        context = self.context_of(settings, errors)
        paths = [entry.path for entry in event_files(root, errors)]

        def check(path: str) -> tuple[SourceDoc | None, Event | None, list[ContentError]]:
            doc, problems = parse_event_file(path, root)
            if doc is None:
                return None, None, problems
            event, more = validate_event(doc, context)
            return lighter(doc), event, problems + more

        results = list(ordered_map(check, paths, self.jobs))
        self.laps.lap("load")
        errors += [e for _, _, problems in results for e in problems]
        parsed = [(doc, event) for doc, event, _ in results if doc is not None]
        events, problems = validate_events([d for d, _ in parsed], context, checked=[(e, []) for _, e in parsed])
        return events, errors + problems

    def context_of(self, settings: Sources, errors: list[ContentError]) -> Context:
        """What checking an event needs of the site (or BuildFailed, if site.yaml or topics.yaml is wrong)."""
        config, topics, problems = validate_settings(settings.site, settings.topics, self.options.base_url)
        errors += problems
        if config is None:
            raise BuildFailed(errors)
        return self.shared_context(config, topics, settings)

    def model(self, events: list[Event], context: Context) -> Timeline:
        """The timeline: the last one if no event changed, the last one patched if the
        changed events kept their places, else built anew."""
        config = context.config
        last, self._change = self._model, None
        if last is not None and last[0] is context and len(last[1]) == len(events):
            pairs = [(old, new) for old, new in zip(last[1], events) if old is not new]
            if not pairs:
                self._change = (last[2], set())
                return last[2]
            if len(pairs) <= PATCH_AT_MOST and all(same_place(old, new) for old, new in pairs):
                changed = [new for _, new in pairs]
                timeline = patch_timeline(last[2], changed)
                self._model = (context, events, timeline)
                self._change = (last[2], {e.id for e in changed})
                return timeline
        timeline = build_timeline(events, config.kinds, tuple(context.topics.values()), config.years,
                                  {y: year_url(config.base_path, y) for y in config.years}, self.options.drafts)
        if self.remember:
            self._model = (context, events, timeline)
        return timeline

    def shared_context(self, config: SiteConfig, topics: tuple[Topic, ...], sources: Sources) -> Context:
        """The same Context object as last build when nothing in it changed (so events are reused)."""
        context = Context(config, {t.id: t for t in topics}, sources.images)
        if context != self.context:
            self.context = context
        return self.context

    def body_keys(self, timeline: Timeline) -> Mapping[str, str]:
        """Each event's body cache key. After a patch only the changed events and those whose
        [[links]] name one are keyed again; the events whose key changed join `_change`.
        A one-shot build keys each body when its page is rendered."""
        if not self.remember:
            return LazyBodyKeys(timeline)
        if self._change is None or self._keys is None:
            keys = {e.id: self.body_key(e, timeline) for e in timeline.events}
            self._referrers = referrers(timeline.events)
            self.markdown.retain(set(keys.values()))
            if len(self._body_keys) != len(keys):
                self._body_keys = {k: v for k, v in self._body_keys.items() if k in keys}
        else:
            changed, keys = self._change[1], dict(self._keys)
            for event_id in changed:
                self._update_referrers(self._body_keys[event_id][0], timeline.by_id[event_id])
            for event_id in changed | {r for c in changed for r in self._referrers.get(c, ())}:
                if keys[event_id] != (key := self.body_key(timeline.by_id[event_id], timeline)):
                    keys[event_id] = key
                    changed.add(event_id)
        self._keys = keys
        return keys

    def _update_referrers(self, old: Event, new: Event) -> None:
        if old.references != new.references:
            for _, target in old.references:
                self._referrers.get(target, set()).discard(old.id)
            for _, target in new.references:
                self._referrers.setdefault(target, set()).add(new.id)

    def check_bodies(self, data: RenderInput) -> None:
        """Render every body (in both processes), store them, and raise BuildFailed on any problem."""
        def render(event: Event) -> list[FreshBody]:
            data.bodies[event.id]
            return data.bodies.take_fresh()

        for fresh in ordered_map(render, data.timeline.events, self.jobs):
            self.absorb(fresh)
        self.settle_bodies(data.timeline)

    def absorb(self, fresh: list[FreshBody]) -> None:
        """Bodies rendered for the pages of this build (maybe by a worker): keep the good ones."""
        for body in fresh:
            if body.problems:
                self._body_problems.append(body)
            else:
                self._unsaved[body.key] = body.html
        if len(self._unsaved) >= SAVE_EVERY:
            self.markdown.put_many(self._unsaved)
            self._unsaved = {}

    def settle_bodies(self, timeline: Timeline) -> None:
        """Store the rendered bodies; raise BuildFailed (nothing is published) if any had problems."""
        self.markdown.put_many(self._unsaved)
        problems, self._body_problems, self._unsaved = self._body_problems, [], {}
        errors = [ContentError(event.src_path, line_of_problem(event, p), p)
                  for body in problems for event in [timeline.by_id[body.event_id]] for p in body.problems]
        if errors:
            raise BuildFailed(errors)

    def body_key(self, event: Event, timeline: Timeline) -> str:
        """The body's cache key, memoized on the event and the events its links point to:
        hashing every body on every rebuild adds up."""
        targets = tuple(timeline.by_id.get(target) for _, target in event.references)
        known = self._body_keys.get(event.id)
        if known is None or known[0] is not event or not same_objects(known[1], targets):
            known = (event, targets, body_cache_key(event, timeline))
            self._body_keys[event.id] = known
        return known[2]

    def plan(self, data: RenderInput) -> list[PagePlan]:
        """Every output file with its fingerprint: the last plan if neither the data nor the
        templates changed."""
        templates_changed = self.reload_changed_templates()
        if self._plans is not None and self._plans[0] is data and not templates_changed:
            pages = self._plans[1]
        else:
            self.digests.new_build(data.timeline.events, templates_changed)
            self.planner.start(data, None if templates_changed else self._change)
            pages = list(self.planner.plans())
            self._page_count = sum(1 for p in pages if p.dest_path.endswith(".html"))
            if self.remember:
                self._plans = (data, pages)
        return pages + asset_plans(self.options)

    def reload_changed_templates(self) -> bool:
        """Compiled templates are not checked for changes on every page (three stat calls a
        page); instead each build compares the template files and drops the compiled ones
        if any changed. An editor's swap file changing beside them is not a change."""
        folder = self.options.templates_dir
        sources = tuple((path, path.read_bytes()) for path in sorted(folder.rglob("*"))
                        if path.is_file() and not any(map(is_editor_file, path.relative_to(folder).parts)))
        if sources == self._template_sources:
            return False
        forget_compiled_templates(self.env)
        self._template_sources = sources
        for name in self.env.list_templates(filter_func=is_template_name):  # here, not again in each worker
            self.env.get_template(name)
        return True

    # -- the build --------------------------------------------------------------

    def build(self) -> BuildReport:
        """Build the whole site into options.out_dir, or raise BuildFailed and touch nothing.

        A one-shot build runs without Python's cyclic garbage collector. Nearly all
        it allocates lives until it ends, and the collector's passes over that
        growing heap took 0.6 s of the building process at 10,000 events, most
        of it in the stages that run on one core (loading's results, validating,
        modelling, planning). Its pages leave no cyclic garbage to speak of: peak
        memory measured the same without the collector. Its state is restored at the end.
        """
        started = time.perf_counter()
        self.laps = Laps()
        self._unsaved, self._body_problems = {}, []  # nothing carried over from a failed build
        collecting = gc.isenabled()
        if not self.remember:
            gc.disable()
        try:
            data = self.prepare()
            if len(data.timeline.events) >= FREEZE_HEAP_AT:  # all that lives through the build (see settle_heap)
                gc.freeze()
            return self.publish(data, started)
        finally:
            if not self.remember:
                gc.unfreeze()
                if collecting:
                    gc.enable()

    def publish(self, data: RenderInput, started: float) -> BuildReport:
        """Plan, render and write the site for `data`."""
        try:
            plans = self.plan(data)
        except jinja2.TemplateError as error:  # a template missing or broken
            raise BuildFailed([template_error(error, self.options.templates_dir)]) from None
        self.laps.lap("plan")
        previous = self.manifest.load() if self.options.out_dir.is_dir() else None
        try:
            written, manifest = self.write(plans, previous, data)
            self.laps.lap("write")
        except BuildFailed:
            raise  # found before anything was published: the folder and its manifest still agree
        except BaseException:
            self.manifest.forget()  # whatever happened, the next build starts from scratch
            self._wrote_last = False
            if self._pieces_written is not None:
                self._pieces_written.clear()
            raise
        self._wrote_last = self.remember
        self.manifest.save(manifest)
        self.fragments.sweep(data.timeline.by_id)
        self.laps.lap("manifest")
        self.settle_heap(len(data.timeline.events))
        log.debug("build stages: %s", self.laps)
        return BuildReport(len(data.timeline.events), self._page_count, len(written), time.perf_counter() - started,
                           self.options.out_dir, tuple(written))

    def settle_heap(self, events: int) -> None:
        """Take what this Builder keeps out of the garbage collector's sight.

        On a big site it keeps millions of objects (parsed files, events, plans,
        pieces), and Python's collector rescans them all every so often while the
        next build allocates: a quarter of a one-event rebuild went to that. They
        are acyclic and freed by reference counting when replaced, so they are
        frozen after each build (young cycles are collected first); every
        FULL_COLLECTION_EVERY builds everything is collected once, for any cycle
        that did get frozen.
        """
        if not self.remember or events < FREEZE_HEAP_AT:
            return
        self._builds_since_collection += 1
        if self._builds_since_collection >= FULL_COLLECTION_EVERY:
            gc.unfreeze()
            gc.collect()
            self._builds_since_collection = 0
        else:
            gc.collect(1)
        gc.freeze()

    def write(self, plans: list[PagePlan], previous: dict[str, str] | None,
              data: RenderInput) -> tuple[list[str], dict[str, str]]:
        """Everything into a fresh folder (first build), else only what changed, in place.
        Returns the files written and the new manifest.

        Pages stream into the fresh folder as they are rendered (memory stays
        bounded); in-place updates render everything first, then write.
        """
        try:
            if previous is None:
                self.write_fresh(plans, data)
                return [p.dest_path for p in plans], {p.dest_path: p.fingerprint for p in plans}
            # A folder known only from the manifest may have lost a file since: look. One this
            # Builder wrote itself is trusted (a stat per file would cost more than the rebuild).
            look, folder = not self._wrote_last, str(self.options.out_dir)
            changed = [p for p in plans if previous.get(p.dest_path) != p.fingerprint
                       or look and not os.path.isfile(os.path.join(folder, p.dest_path))]
            added = sum(1 for p in changed if p.dest_path not in previous)
            removed = []
            if len(previous) + added != len(plans):  # some files of the last build are gone
                current = {p.dest_path for p in plans}
                removed = [PurePosixPath(d) for d in sorted(previous) if d not in current]
            if changed or removed:
                pages = list(self.render(changed, data.bodies))
                self.settle_bodies(data.timeline)
                self.laps.lap("render")
                update_site(self.options.out_dir, pages, removed, self._pieces_written)
            manifest = dict(previous)
            manifest.update((p.dest_path, p.fingerprint) for p in changed)
            for dest in removed:
                del manifest[str(dest)]
            return [p.dest_path for p in changed], manifest
        except jinja2.TemplateError as error:
            raise BuildFailed([template_error(error, self.options.templates_dir)]) from None

    def write_fresh(self, plans: list[PagePlan], data: RenderInput) -> None:
        """Every file into a fresh folder, swapped in at the end. Pages are written by the
        processes that render them: one process would spend much of a big build writing."""
        if len({p.dest_path for p in plans}) != len(plans):
            raise RuntimeError("two outputs write the same file")
        with fresh_site(self.options.out_dir) as writer:
            def render_and_write(plan: PagePlan) -> tuple[str | None, list[FreshBody]]:
                writer.write(plan.dest_path, plan.render())
                # A one-shot build keeps no digests: the fingerprint is worked out here, in
                # parallel, for the manifest. A Builder that builds again keeps its own.
                return None if self.remember else plan.fingerprint, data.bodies.take_fresh()

            # The plan ends with the biggest files (the data files): started first, they
            # do not leave one process working alone at the end.
            pooled = [p for p in reversed(plans) if not p.in_parent]
            for plan, (fingerprint, fresh) in zip(pooled, ordered_map(render_and_write, pooled, self.jobs)):
                if fingerprint is not None:
                    plan.settle(fingerprint)
                self.absorb(fresh)
            pieces = []
            for plan in plans:
                if plan.in_parent:
                    content = plan.render()
                    writer.write(plan.dest_path, content)
                    self.absorb(data.bodies.take_fresh())
                    pieces.append(RenderedPage(PurePosixPath(plan.dest_path), content))
            self.settle_bodies(data.timeline)  # a problem now discards the new folder
        if self._pieces_written is not None:  # what the next in-place update may patch
            self._pieces_written.clear()
            remember_pieces(self._pieces_written, pieces)

    def render(self, plans: list[PagePlan], bodies: Bodies) -> Iterator[RenderedPage]:
        def render_plan(plan: PagePlan) -> tuple[bytes, list[FreshBody]]:
            return plan.render(), bodies.take_fresh()

        pooled = ordered_map(render_plan, [p for p in plans if not p.in_parent], self.jobs)
        for plan in plans:
            content, fresh = render_plan(plan) if plan.in_parent else next(pooled)
            self.absorb(fresh)
            yield RenderedPage(PurePosixPath(plan.dest_path), content)


class Laps:
    """Seconds spent in each stage of one build (logged at debug level)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in self.seconds.items())


@dataclass(frozen=True)
class FreshBody:
    """A body rendered during this build, by whichever process rendered its page."""

    event_id: str
    key: str
    html: str
    problems: tuple[str, ...]


FREEZE_HEAP_AT = 2000
"""Sites with at least this many events have a Builder's heap frozen between builds (`settle_heap`)."""
FULL_COLLECTION_EVERY = 50
PATCH_AT_MOST = 50
"""More changed events than this and the timeline is built anew rather than patched."""
SAVE_EVERY = 1000
"""Rendered bodies are stored in the cache in batches of this many (one transaction each)."""


class LazyBodyKeys(Mapping[str, str]):
    """Event id -> body cache key, each worked out when first asked for: in a one-shot build,
    by the process that renders the event's page (hashing 10,000 bodies is a quarter of a
    second of one core otherwise)."""

    def __init__(self, timeline: Timeline):
        self.timeline = timeline
        self._keys: dict[str, str] = {}

    def __getitem__(self, event_id: str) -> str:
        key = self._keys.get(event_id)
        if key is None:
            event = self.timeline.by_id[event_id]
            key = self._keys[event_id] = body_cache_key(event, self.timeline)
        return key

    def __iter__(self) -> Iterator[str]:
        return (e.id for e in self.timeline.events)

    def __len__(self) -> int:
        return len(self.timeline.events)


class Bodies(Mapping[str, str]):
    """Event id -> body HTML, rendered when a page first asks for it.

    So a build renders only the bodies of the pages it writes, in the process
    that renders the page (the building process never holds every body). Each
    process notes what it rendered; `take_fresh` hands that to the building
    process, which stores the HTML and reports the problems.
    """

    def __init__(self, timeline: Timeline, keys: Mapping[str, str], cache: MarkdownCache):
        self.timeline, self.keys, self.cache = timeline, keys, cache
        self._resolve = resolver(timeline)
        self._fresh: list[FreshBody] = []

    def __getitem__(self, event_id: str) -> str:
        key = self.keys[event_id]
        html = self.cache.get(key)
        if html is None:
            rendered = render_markdown(self.timeline.by_id[event_id].body, self._resolve)
            html = rendered.html
            self._fresh.append(FreshBody(event_id, key, html, tuple(rendered.problems)))
        return html

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def take_fresh(self) -> list[FreshBody]:
        fresh, self._fresh = self._fresh, []
        return fresh


def template_error(error: jinja2.TemplateError, templates_dir: Path) -> ContentError:
    """`templates/base.html:37: 'x' is undefined`, from the error or its (remote) traceback."""
    name, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if name is None:
        frames = traceback.format_tb(error.__traceback__) + [str(error.__cause__ or "")]
        spots = re.findall(r'File "([^"]+)", line (\d+)', "".join(frames))
        inside = [(f, int(n)) for f, n in spots if Path(f).resolve().is_relative_to(templates_dir.resolve())]
        name, line = inside[-1] if inside else (None, None)
    where = f"templates/{Path(name).name}" if name else "templates"
    return ContentError(PurePosixPath(where), line, f"template error: {error.message or error}")

def referrers(events: Iterable[Event]) -> dict[str, set[str]]:
    """Event id -> the ids of the events whose [[links]] name it."""
    found: dict[str, set[str]] = {}
    for event in events:
        for _, target in event.references:
            found.setdefault(target, set()).add(event.id)
    return found


def body_cache_key(event: Event, timeline: Timeline) -> str:
    """The rendered body's key in the Markdown cache: its source and what its links resolve to."""
    return MarkdownCache.key(event.body, link_targets(event, timeline))


def link_targets(event: Event, timeline: Timeline) -> tuple:
    """What the event's [[id]] links resolve to: part of its rendered body's cache key."""
    return tuple((target, (e.url, e.title) if (e := timeline.by_id.get(target)) else None)
                 for _, target in event.references)


def resolver(timeline: Timeline):
    def resolve(event_id: str) -> tuple[str, str] | None:
        event = timeline.by_id.get(event_id)
        return (event.url, event.title) if event else None
    return resolve


def line_of_problem(event: Event, problem: str) -> int:
    """Best effort: the first body line containing the TeX quoted in the message."""
    snippet = problem.split("$")[1] if problem.count("$") >= 2 else ""
    for offset, line in enumerate(event.body.split("\n")):
        if snippet and snippet in line:
            return event.body_line + offset
    return event.body_line


def asset_plans(options: BuildOptions) -> list[PagePlan]:
    """Static files and images, copied as they are, and the generated Pygments stylesheet."""
    plans = [PagePlan("static/pygments.css", sha(generator_fingerprint()), lambda: pygments_css().encode())]
    for prefix, folder in (("static", options.static_dir), ("images", options.content_dir / "images")):
        for rel, path in files_below(folder):
            content = path.read_bytes()
            plans.append(PagePlan(f"{prefix}/{rel}", hashlib.sha1(content, usedforsecurity=False).hexdigest(),
                                  lambda content=content: content))
    return plans


def build_site(options: BuildOptions) -> BuildReport:
    """One complete build (a new Builder: on-disk caches are still used if configured)."""
    builder = Builder(options, remember=False)
    try:
        return builder.build()
    finally:
        builder.markdown.close()


def prepare_site(options: BuildOptions) -> RenderInput:
    """Everything but templates and writing, every body rendered: what `check` runs."""
    builder = Builder(replace(options, cache_dir=None), remember=False)
    data = builder.prepare()
    builder.check_bodies(data)
    return data


def check_site(options: BuildOptions) -> SiteConfig:
    """Validate everything; write nothing."""
    return prepare_site(options).config
