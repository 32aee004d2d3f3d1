"""Site settings: `site.yaml`, `topics.yaml`, and the options of one build."""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .errors import BuildFailed, ContentError
from .load import SourceDoc, shown
from .model import Kind, Topic

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""Match ids with fullmatch(): `$` alone also matches before a final newline."""
LANGUAGE_PATTERN = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Characters that have no place in text (and make the Atom feed invalid XML)."""
MAX_TOPIC_DESCRIPTION = 2_000


@dataclass(frozen=True)
class Setting:
    """One key of site.yaml, of a kind or of a topic: is it required, what it means, its JSON Schema."""

    required: bool
    doc: str
    schema: Mapping[str, Any]


YEAR_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 9999}
KIND_FIELDS: dict[str, Setting] = {
    "name": Setting(True, "the kind's name, e.g. Paper", {"type": "string"}),
    "plural": Setting(False, "its plural, e.g. Papers (default: the name)", {}),
}
SITE_SETTINGS: dict[str, Setting] = {
    "title": Setting(True, "the site's name", {"type": "string"}),
    "tagline": Setting(False, "one line under the title", {"type": "string"}),
    "description": Setting(False, "the home page's introduction", {"type": "string"}),
    "base_url": Setting(True, "absolute http(s) URL; its path is the prefix of every page",
                        {"type": "string", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]+(?:[/?#][\s\S]*)?$"}),
    "language": Setting(False, "the pages' language, e.g. en", {"type": "string"}),
    "years": Setting(True, "{first: YYYY, last: YYYY}, first <= last; events outside are an error",
                     {"type": "object", "required": ["first", "last"], "additionalProperties": False,
                      "properties": {"first": YEAR_SCHEMA, "last": YEAR_SCHEMA}}),
    "kinds": Setting(True, "ordered map of kind id -> {name, plural}",
                     {"type": "object", "minProperties": 1, "propertyNames": {"pattern": ID_PATTERN.pattern},
                      "additionalProperties": {"type": "object", "required": ["name"], "additionalProperties": False,
                                               "properties": {k: {"description": s.doc, **s.schema}
                                                              for k, s in KIND_FIELDS.items()}}}),
}
SITE_FIELDS = set(SITE_SETTINGS)
SITE_REQUIRED = {key for key, setting in SITE_SETTINGS.items() if setting.required}
TOPIC_FIELDS: dict[str, Setting] = {
    "id": Setting(True, "lowercase letters, digits and single hyphens", {"type": "string", "pattern": ID_PATTERN.pattern}),
    "name": Setting(True, "as shown on the site", {"type": "string", "pattern": r"\S"}),
    "description": Setting(False, "one or two sentences, Markdown allowed", {"type": "string"}),
}


@dataclass(frozen=True)
class BuildOptions:
    """Where one build reads and writes, and what it includes."""

    content_dir: Path
    out_dir: Path
    templates_dir: Path
    static_dir: Path
    base_url: str | None = None
    """Overrides `base_url` of site.yaml (e.g. for a local preview)."""
    drafts: bool = False
    cache_dir: Path | None = None
    """Where rendered Markdown and the last build's manifest are kept; None: nowhere."""
    jobs: int | None = None
    """Processes for big batches of work; None: one per core."""

    def __post_init__(self) -> None:
        if problem := self.out_dir_problem():
            raise BuildFailed([ContentError(PurePosixPath(self.out_dir.as_posix()), None, problem)])

    def out_dir_problem(self) -> str | None:
        """Why building into out_dir would destroy an input: a build replaces the whole output folder."""
        out = self.out_dir.resolve()
        for name, folder in (("content", self.content_dir), ("templates", self.templates_dir),
                             ("static", self.static_dir)):
            folder = folder.resolve()
            if folder.is_relative_to(out):
                return (f"the output folder would contain the {name} folder ({folder}): "
                        "a build replaces the whole output folder")
            if out.is_relative_to(folder):
                return f"the output folder must not be inside the {name} folder ({folder})"
        return None

    @classmethod
    def for_project(cls, content_dir: Path, out_dir: Path | None = None, **kwargs) -> "BuildOptions":
        """Options for the usual layout: templates/ and static/ beside content/."""
        root = content_dir.resolve().parent
        kwargs.setdefault("cache_dir", root / ".cache" / "timeline-site")
        return cls(content_dir=content_dir, out_dir=out_dir or root / "_site",
                   templates_dir=root / "templates", static_dir=root / "static", **kwargs)


@dataclass(frozen=True)
class SiteConfig:
    title: str
    tagline: str
    description: str
    base_url: str
    """Absolute, ending in '/'."""
    base_path: str
    """The path of base_url: every page URL starts with it."""
    language: str
    first_year: int
    last_year: int
    kinds: tuple[Kind, ...]

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def absolute(self, url: str) -> str:
        """Absolute URL of a site path that starts with base_path."""
        return self.base_url + url[len(self.base_path):]


def validate_site(doc: SourceDoc, base_url_override: str | None = None) -> tuple[SiteConfig | None, list[ContentError]]:
    errors: list[ContentError] = []

    def err(message: str, *path: str | int) -> None:
        errors.append(ContentError(doc.src_path, doc.line_of(*path), message, str(path[0]) if path else None))

    data = doc.data
    if not isinstance(data, dict):
        err("site.yaml must be a mapping of settings")
        return None, errors
    for key in sorted(str(k) for k in data if str(k) not in SITE_FIELDS):
        err(f"unknown setting '{shown(key)}'{did_you_mean(key, SITE_FIELDS)}", key)
    for key in sorted(SITE_REQUIRED - data.keys()):
        err(f"missing required setting '{key}'")
    for key in ("title", "tagline", "description", "language"):
        if key in data and not isinstance(data[key], str):
            err(f"'{key}' must be text", key)
        elif key in data and (match := CONTROL_CHARACTERS.search(data[key])):
            err(f"'{key}' contains the control character {shown(match.group())}", key)
    if isinstance(data.get("language"), str) and not LANGUAGE_PATTERN.fullmatch(data["language"]):
        err(f"'language' must be a language tag such as en or pt-BR, not {shown(data['language'])!r}", "language")
    base_url = base_url_override or data.get("base_url")
    base_path = _check_base_url(base_url, err) if "base_url" in data or base_url_override else None
    years = _check_years(data.get("years"), err) if "years" in data else None
    kinds = _check_kinds(data.get("kinds"), base_path or "/", err) if "kinds" in data else None
    if errors or base_path is None or years is None or kinds is None:
        return None, errors
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    return SiteConfig(
        title=data["title"], tagline=data.get("tagline", ""), description=data.get("description", ""),
        base_url=base_url, base_path=base_path, language=data.get("language", "en"),
        first_year=years[0], last_year=years[1], kinds=kinds,
    ), errors


def _check_base_url(value, err) -> str | None:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:  # e.g. "http://[::1"
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        err("'base_url' must be an absolute http(s) URL, like https://example.org/decade/", "base_url")
        return None
    path = parts.path or "/"
    # Every link starts with this path: '//' or '\\' would make them point to another host.
    if parts.query or parts.fragment or "//" in path or "\\" in path or not value.isprintable() or " " in value:
        err("'base_url' must be a plain URL: no ?query, #fragment, spaces, '//' or '\\' in its path", "base_url")
        return None
    return path if path.endswith("/") else path + "/"


def _check_years(value, err) -> tuple[int, int] | None:
    if not isinstance(value, dict) or set(value) != {"first", "last"}:
        err("'years' must be {first: YYYY, last: YYYY}", "years")
        return None
    first, last = value["first"], value["last"]
    if not all(type(y) is int and 1 <= y <= 9999 for y in (first, last)) or first > last:
        err("'years' needs whole years with first <= last", "years")
        return None
    return first, last


def _check_kinds(value, base_path: str, err) -> tuple[Kind, ...] | None:
    if not isinstance(value, dict) or not value:
        err("'kinds' must map kind ids to {name, plural}", "kinds")
        return None
    kinds = []
    for index, (kind_id, spec) in enumerate(value.items()):
        kind_id = str(kind_id)
        if not ID_PATTERN.fullmatch(kind_id):
            err(f"kind id '{shown(kind_id)}' must be lowercase letters, digits and single hyphens", "kinds", kind_id)
        elif (not isinstance(spec, dict) or {str(k) for k in spec} - set(KIND_FIELDS)
              or not _is_text(spec.get("name")) or not _is_text(spec.get("plural", "-"))):
            err(f"kind '{kind_id}' must be {{name: ..., plural: ...}}", "kinds", kind_id)
        else:
            kinds.append(Kind(kind_id, spec["name"], str(spec.get("plural", spec["name"])), index,
                              f"{base_path}kinds/{kind_id}/"))
    return tuple(kinds)


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not CONTROL_CHARACTERS.search(value)


def validate_settings(site: SourceDoc | None, topics: SourceDoc | None, base_url_override: str | None = None
                      ) -> tuple[SiteConfig | None, tuple[Topic, ...], list[ContentError]]:
    """site.yaml, then topics.yaml (whose URLs need the site's base path).

    The config is None when either file is missing or site.yaml is invalid.
    """
    if site is None or topics is None:
        return None, (), []
    config, errors = validate_site(site, base_url_override)
    if config is None:
        return None, (), errors
    topic_list, problems = validate_topics(topics, config.base_path)
    return config, topic_list, errors + problems


def validate_topics(doc: SourceDoc, base_path: str) -> tuple[tuple[Topic, ...], list[ContentError]]:
    errors: list[ContentError] = []
    if not isinstance(doc.data, list) or not doc.data:
        return (), [ContentError(doc.src_path, doc.line_of(), "topics.yaml must be a list of {id, name, description}")]
    topics: list[Topic] = []
    seen: set[str] = set()
    for i, item in enumerate(doc.data):
        problem = _topic_problem(item, seen)
        if problem:
            errors.append(ContentError(doc.src_path, doc.line_of(i, problem[1]), problem[0]))
            continue
        seen.add(item["id"])
        topics.append(Topic(item["id"], item["name"], item.get("description", ""), f"{base_path}topics/{item['id']}/"))
    return tuple(topics), errors


def _topic_problem(item, seen: set[str]) -> tuple[str, str] | None:
    """(message, key) for the first problem of one topic entry, or None."""
    if not isinstance(item, dict):
        return "each topic must be a mapping {id, name, description}", "id"
    if extra := sorted(str(k) for k in item if str(k) not in TOPIC_FIELDS):
        return f"unknown topic field '{shown(extra[0])}'{did_you_mean(extra[0], TOPIC_FIELDS)}", extra[0]
    if not isinstance(item.get("id"), str) or not ID_PATTERN.fullmatch(item["id"]):
        return "topic 'id' must be lowercase letters, digits and single hyphens", "id"
    if item["id"] in seen:
        return f"duplicate topic id '{item['id']}'", "id"
    if not _is_text(item.get("name")):
        return "topic needs a 'name' (text, without control characters)", "name"
    description = item.get("description", "")
    if not isinstance(description, str) or (description and not _is_text(description)):
        return "topic 'description' must be text, without control characters", "description"
    if len(description) > MAX_TOPIC_DESCRIPTION:
        return (f"topic 'description' is {len(description):,} characters; "
                f"the limit is {MAX_TOPIC_DESCRIPTION:,}"), "description"
    return None


def did_you_mean(word: str, choices) -> str:
    """` (did you mean 'x'?)` for a likely typo of one of `choices`; nothing for a value that is not text."""
    import difflib

    if not isinstance(word, str) or len(word) > 100:
        return ""
    match = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def year_url(base_path: str, year: int) -> str:
    return f"{base_path}years/{year}/"


def event_url(base_path: str, event_id: str) -> str:
    return f"{base_path}events/{event_id}/"


def image_url(base_path: str, src: PurePosixPath | str) -> str:
    return f"{base_path}images/{src}"
