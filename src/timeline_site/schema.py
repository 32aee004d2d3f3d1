"""JSON Schemas (draft 2020-12) for event files, site.yaml and topics.yaml.

Generated from the tables that validate content (validate.FIELDS, config.SITE_SETTINGS,
config.KIND_FIELDS, config.TOPIC_FIELDS), never written by hand, so an editor and the
build agree. Kinds, topics and years come from the content folder's own settings.

What a schema cannot say stays the validator's alone: anything about the file name or
folder (id, year folder), the other files (duplicate ids, unknown `builds_on` ids,
lineage cycles, cross references, images that do not exist, duplicate topic ids), the
Markdown body, and `years.first <= years.last`.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import SITE_SETTINGS, TOPIC_FIELDS, Setting
from .scaffold import load_context
from .validate import FIELDS, YAML_ONLY_FIELDS, Context, FieldSpec

log = logging.getLogger(__name__)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
VALIDATOR_ONLY = ("Checked by `timeline-site check` only: the file name is a valid, unique id; the year "
                  "folder matches the date; builds_on ids exist without cycles; [[id]] cross references; "
                  "the image file exists; the Markdown body.")


def event_schema(ctx: Context, yaml_file: bool = True) -> dict[str, Any]:
    """Schema of one event: a .yaml event file, or (yaml_file=False) an .md file's front matter."""
    fields = FIELDS | (YAML_ONLY_FIELDS if yaml_file else {})
    return {
        "$schema": DIALECT,
        "title": "Timeline event",
        "description": "One event of content/events/. " + VALIDATOR_ONLY,
        "type": "object",
        "required": [name for name, spec in fields.items() if spec.required],
        "additionalProperties": False,
        "properties": {name: _field_schema(spec, ctx) for name, spec in fields.items()},
    }


def _field_schema(spec: FieldSpec, ctx: Context) -> dict[str, Any]:
    """A field's rule; optional fields may also be empty (null), which counts as absent."""
    rule = dict(spec.schema(ctx) if callable(spec.schema) else spec.schema or {})
    if spec.required:
        return {"description": spec.doc, **rule}
    return {"description": spec.doc, "anyOf": [{"type": "null"}, rule]}


def site_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "title": "site.yaml",
        "description": "Site settings and the ordered kinds of events. Checked by `timeline-site check` "
                       "only: years.first <= years.last.",
        **_object_schema(SITE_SETTINGS),
    }


def topics_schema() -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "title": "topics.yaml",
        "description": "The topics, in display order. Checked by `timeline-site check` only: ids are unique.",
        "type": "array",
        "minItems": 1,
        "items": _object_schema(TOPIC_FIELDS),
    }


def _object_schema(table: Mapping[str, Setting]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key for key, setting in table.items() if setting.required],
        "additionalProperties": False,
        "properties": {key: {"description": setting.doc, **setting.schema} for key, setting in table.items()},
    }


def site_schemas(ctx: Context) -> dict[str, dict[str, Any]]:
    """File name -> schema, for the schema/ folder."""
    return {
        "event.schema.json": event_schema(ctx),
        "site.schema.json": site_schema(),
        "topics.schema.json": topics_schema(),
    }


def schema_text(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(content_dir: Path, out_dir: Path) -> list[Path]:
    """Write the three schemas of this content folder; raise BuildFailed if its settings are wrong."""
    schemas = site_schemas(load_context(content_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in schemas.items():
        path = out_dir / name
        path.write_text(schema_text(schema), encoding="utf-8")
        paths.append(path)
    return paths


def json_compatible(value: Any) -> Any:
    """YAML data as a JSON Schema validator sees it: string keys, dates as ISO text."""
    if isinstance(value, dict):
        return {str(key): json_compatible(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_compatible(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
