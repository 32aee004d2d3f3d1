"""The JSON Schemas of schema/: generated from the validator's tables, committed, and in agreement with it."""
import dataclasses
import datetime as dt
import json
from pathlib import PurePosixPath

import jsonschema
import pytest
from conftest import MINIMAL, REPO

from timeline_site.config import validate_site, validate_topics
from timeline_site.load import SourceDoc, load_sources
from timeline_site.scaffold import load_context
from timeline_site.schema import event_schema, json_compatible, schema_text, site_schema, site_schemas, topics_schema
from timeline_site.validate import FIELDS, YAML_ONLY_FIELDS, validate_event

DROP = object()
BASE_EVENT = {
    "title": "An Event",
    "date": "2013-05",
    "kind": "paper",
    "topics": ["vision"],
    "importance": "major",
    "summary": "Something happened.",
    "links": [{"title": "Source", "url": "https://example.com/x"}],
}


@pytest.fixture(scope="module")
def ctx():
    """The sample site's settings, with one image that exists."""
    return dataclasses.replace(load_context(MINIMAL), images=frozenset({PurePosixPath("images/a.png")}))


def schema_ok(schema, data) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(json_compatible(data))


def validator_ok(data, ctx, path="events/new.yaml") -> bool:
    return validate_event(SourceDoc(PurePosixPath(path), data), ctx)[0] is not None


def changed(base, **changes):
    """base with fields replaced, added, or removed (DROP)."""
    return {key: value for key, value in {**base, **changes}.items() if value is not DROP}


def variant(**changes):
    return changed(BASE_EVENT, **changes)


# -- generated, committed, valid ------------------------------------------------

def test_committed_schemas_are_up_to_date():
    generated = site_schemas(load_context(REPO / "content"))
    for name, schema in generated.items():
        committed = (REPO / "schema" / name).read_text(encoding="utf-8")
        assert committed == schema_text(schema), f"schema/{name} is out of date: run `make schema`"


@pytest.mark.parametrize("name", ["event.schema.json", "site.schema.json", "topics.schema.json"])
def test_committed_schemas_are_valid_draft_2020_12(name):
    schema = json.loads((REPO / "schema" / name).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_field_has_a_schema_rule():
    missing = [name for name, spec in (FIELDS | YAML_ONLY_FIELDS).items() if spec.schema is None]
    assert not missing, f"add a `schema` to these FieldSpecs in validate.FIELDS: {missing}"


def test_vscode_maps_the_schemas_to_the_yaml_files():
    settings = json.loads((REPO / ".vscode/settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    assert set(settings) == {"./schema/event.schema.json", "./schema/site.schema.json", "./schema/topics.schema.json"}
    assert all((REPO / path).is_file() for path in settings)
    assert "content/events/**/*.yaml" in settings["./schema/event.schema.json"]


# -- same verdicts on content/ --------------------------------------------------

def test_schema_and_validator_agree_on_every_file_of_content():
    content = REPO / "content"
    ctx = load_context(content)
    sources, _ = load_sources(content)
    verdicts = {}
    for doc in sources.events:
        schema = event_schema(ctx, yaml_file=doc.src_path.suffix != ".md")
        verdicts[str(doc.src_path)] = (schema_ok(schema, doc.data), validate_event(doc, ctx)[0] is not None)
    disagree = {path: v for path, v in verdicts.items() if v[0] != v[1]}
    assert not disagree, f"(schema, validator) verdicts differ: {disagree}"
    assert schema_ok(site_schema(), sources.site.data) and schema_ok(topics_schema(), sources.topics.data)


def test_schema_accepts_every_valid_event_of_the_sample_site(ctx):
    sources, _ = load_sources(MINIMAL)
    for doc in sources.events:
        assert validate_event(doc, ctx)[0] is not None
        assert schema_ok(event_schema(ctx, yaml_file=doc.src_path.suffix != ".md"), doc.data), doc.src_path


# -- bad events: rejected by both -------------------------------------------------

BAD_EVENTS = {
    "not-a-mapping": ["title: x"],
    "missing-title": variant(title=DROP),
    "missing-links": variant(links=DROP),
    "null-required-field": variant(kind=None),
    "unknown-field": variant(topic="vision"),
    "empty-title": variant(title="   "),
    "title-not-text": variant(title=42),
    "bad-date-format": variant(date="12 May 2013"),
    "date-with-time": variant(date=dt.datetime(2013, 5, 4, 10, 0)),
    "impossible-month": variant(date="2013-13"),
    "impossible-day": variant(date="2013-04-31"),
    "not-a-leap-year": variant(date="2013-02-29"),
    "date-out-of-range": variant(date="2016-01"),
    "year-out-of-range": variant(date=2011),
    "date-as-float": variant(date=2013.5),
    "unknown-kind": variant(kind="papers"),
    "unknown-topic": variant(topics=["vision", "hardwear"]),
    "empty-topics": variant(topics=[]),
    "topics-not-a-list": variant(topics="vision"),
    "duplicate-topic": variant(topics=["vision", "vision"]),
    "long-summary": variant(summary="x" * 281),
    "empty-summary": variant(summary=" \n"),
    "bad-importance": variant(importance="huge"),
    "no-links": variant(links=[]),
    "link-not-a-mapping": variant(links=["https://example.com/x"]),
    "link-without-title": variant(links=[{"url": "https://example.com/x"}]),
    "link-without-url": variant(links=[{"title": "Source"}]),
    "link-unknown-key": variant(links=[{"title": "S", "url": "https://example.com/x", "note": "n"}]),
    "link-ftp": variant(links=[{"title": "S", "url": "ftp://example.com/x"}]),
    "link-javascript": variant(links=[{"title": "S", "url": "javascript:alert(1)"}]),
    "link-relative": variant(links=[{"title": "S", "url": "/events/x/"}]),
    "link-without-host": variant(links=[{"title": "S", "url": "https:///x"}]),
    "link-with-space": variant(links=[{"title": "S", "url": "https://example.com/a b"}]),
    "authors-not-a-list": variant(authors="Alex"),
    "empty-author": variant(authors=["Alex", " "]),
    "organization-number": variant(organization=[3]),
    "empty-venue": variant(venue=""),
    "bad-arxiv": variant(arxiv="1512.385"),
    "arxiv-as-number": variant(arxiv=1512.03385),
    "bad-doi": variant(doi="nature16961"),
    "citations-not-a-mapping": variant(citations=52025),
    "negative-citations": variant(citations={"count": -3, "as_of": "2019-12"}),
    "citations-count-text": variant(citations={"count": "many", "as_of": "2019-12"}),
    "citations-without-as-of": variant(citations={"count": 3}),
    "citations-year-only": variant(citations={"count": 3, "as_of": "2019"}),
    "citations-month-13": variant(citations={"count": 3, "as_of": "2019-13"}),
    "citations-unknown-key": variant(citations={"count": 3, "as_of": "2019-12", "source": "Scholar"}),
    "builds-on-not-a-list": variant(builds_on="alexnet"),
    "builds-on-not-ids": variant(builds_on=["Not An Id"]),
    "image-not-a-mapping": variant(image="a.png"),
    "image-without-alt": variant(image={"src": "a.png"}),
    "image-without-src": variant(image={"alt": "A chip"}),
    "image-absolute-src": variant(image={"src": "/a.png", "alt": "A chip"}),
    "image-parent-src": variant(image={"src": "../a.png", "alt": "A chip"}),
    "image-backslash-src": variant(image={"src": "x\\a.png", "alt": "A chip"}),
    "image-bad-credit-url": variant(image={"src": "a.png", "alt": "A chip", "credit_url": "javascript:alert(1)"}),
    "image-unknown-key": variant(image={"src": "a.png", "alt": "A chip", "width": 3}),
    "draft-not-bool": variant(draft="maybe"),
    "body-not-text": variant(body=3),
}

GOOD_EVENTS = {
    "base": variant(),
    "year-as-number": variant(date=2013),
    "year-as-text": variant(date="2013"),
    "unquoted-day": variant(date=dt.date(2013, 5, 4)),
    "leap-day": variant(date="2012-02-29"),
    "last-day-of-range": variant(date="2015-12-31"),
    "optional-fields-left-empty": variant(venue=None, authors=None, image=None, draft=None),
    "summary-at-the-limit": variant(summary="x" * 280),
    "summary-with-spaces-around": variant(summary=" " + "x" * 280 + "\n"),
    "uppercase-scheme": variant(links=[{"title": "S", "url": "HTTPS://Example.com/x?q=1#f"}]),
    "url-with-spaces-around": variant(links=[{"title": "S", "url": " https://example.com/x "}]),
    "every-optional-field": variant(
        authors=["A. Author"], organization=["Lab"], venue="NeurIPS 2013", arxiv="1512.03385v2",
        doi="10.1038/nature16961", citations={"count": 0, "as_of": "2019-12"}, builds_on=["alexnet", "alexnet"],
        image={"src": "a.png", "alt": "A chip", "credit": 3, "credit_url": None}, draft=True, body="Text."),
}


@pytest.mark.parametrize("case", BAD_EVENTS)
def test_bad_event_is_rejected_by_schema_and_validator(case, ctx):
    data = BAD_EVENTS[case]
    assert not validator_ok(data, ctx), "the validator accepts it"
    assert not schema_ok(event_schema(ctx), data), "the schema accepts it"


@pytest.mark.parametrize("case", GOOD_EVENTS)
def test_good_event_is_accepted_by_schema_and_validator(case, ctx):
    data = GOOD_EVENTS[case]
    assert validator_ok(data, ctx), validate_event(SourceDoc(PurePosixPath("events/new.yaml"), data), ctx)[1]
    assert schema_ok(event_schema(ctx), data)


def test_body_in_front_matter_is_rejected_by_both(ctx):
    data = variant(body="Text.")
    assert not validator_ok(data, ctx, "events/new.md")
    assert not schema_ok(event_schema(ctx, yaml_file=False), data)


def test_checks_that_need_other_files_are_the_validators_alone(ctx):
    """A schema sees one file: whether an image exists is for `timeline-site check` (documented in the schema)."""
    data = variant(image={"src": "missing.png", "alt": "A chip"})
    assert schema_ok(event_schema(ctx), data) and not validator_ok(data, ctx)
    assert "the image file exists" in event_schema(ctx)["description"]


# -- site.yaml and topics.yaml -----------------------------------------------------

BASE_SITE = {"title": "T", "base_url": "https://example.org/decade/", "years": {"first": 2012, "last": 2015},
             "kinds": {"paper": {"name": "Paper", "plural": "Papers"}}}


def site_variant(**changes):
    return changed(BASE_SITE, **changes)


BAD_SITES = {
    "not-a-mapping": ["title"],
    "missing-title": site_variant(title=DROP),
    "missing-kinds": site_variant(kinds=DROP),
    "unknown-setting": site_variant(titel="T"),
    "title-not-text": site_variant(title=3),
    "tagline-empty": site_variant(tagline=None),
    "relative-base-url": site_variant(base_url="/decade/"),
    "ftp-base-url": site_variant(base_url="ftp://example.org/"),
    "years-not-a-mapping": site_variant(years=2012),
    "years-without-last": site_variant(years={"first": 2012}),
    "years-extra-key": site_variant(years={"first": 2012, "last": 2015, "step": 1}),
    "year-as-text": site_variant(years={"first": "2012", "last": 2015}),
    "year-zero": site_variant(years={"first": 0, "last": 2015}),
    "no-kinds": site_variant(kinds={}),
    "kinds-a-list": site_variant(kinds=["paper"]),
    "bad-kind-id": site_variant(kinds={"Paper": {"name": "Paper"}}),
    "kind-without-name": site_variant(kinds={"paper": {"plural": "Papers"}}),
    "kind-unknown-key": site_variant(kinds={"paper": {"name": "Paper", "colour": "red"}}),
    "kind-not-a-mapping": site_variant(kinds={"paper": "Paper"}),
}
GOOD_SITES = {
    "base": site_variant(),
    "every-setting": site_variant(tagline="t", description="d", language="fr",
                                  kinds={"paper": {"name": "Paper"}, "chip-2": {"name": "Chip", "plural": "Chips"}}),
    "http-base-url-without-slash": site_variant(base_url="http://localhost:8000"),
}


@pytest.mark.parametrize("case", BAD_SITES)
def test_bad_site_yaml_is_rejected_by_schema_and_validator(case):
    data = BAD_SITES[case]
    assert validate_site(SourceDoc(PurePosixPath("site.yaml"), data))[0] is None, "the validator accepts it"
    assert not schema_ok(site_schema(), data), "the schema accepts it"


@pytest.mark.parametrize("case", GOOD_SITES)
def test_good_site_yaml_is_accepted_by_schema_and_validator(case):
    data = GOOD_SITES[case]
    assert validate_site(SourceDoc(PurePosixPath("site.yaml"), data))[0] is not None
    assert schema_ok(site_schema(), data)


BAD_TOPICS = {
    "not-a-list": {"id": "vision", "name": "Vision"},
    "empty": [],
    "item-not-a-mapping": ["vision"],
    "bad-id": [{"id": "Computer Vision", "name": "Vision"}],
    "missing-id": [{"name": "Vision"}],
    "missing-name": [{"id": "vision"}],
    "empty-name": [{"id": "vision", "name": " "}],
    "unknown-key": [{"id": "vision", "name": "Vision", "colour": "red"}],
    "description-not-text": [{"id": "vision", "name": "Vision", "description": ["a"]}],
}


@pytest.mark.parametrize("case", BAD_TOPICS)
def test_bad_topics_yaml_is_rejected_by_schema_and_validator(case):
    data = BAD_TOPICS[case]
    assert validate_topics(SourceDoc(PurePosixPath("topics.yaml"), data), "/")[1], "the validator accepts it"
    assert not schema_ok(topics_schema(), data), "the schema accepts it"


def test_good_topics_yaml_is_accepted_by_schema_and_validator():
    data = [{"id": "vision", "name": "Vision", "description": "Seeing."}, {"id": "nlp", "name": "NLP"}]
    assert validate_topics(SourceDoc(PurePosixPath("topics.yaml"), data), "/")[1] == []
    assert schema_ok(topics_schema(), data)
