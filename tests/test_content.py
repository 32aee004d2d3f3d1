"""The project's own content: the floors the decade's coverage must keep."""
import json
import re
from collections import Counter, deque

import pytest
from conftest import REPO

from timeline_site.build import build_site
from timeline_site.config import BuildOptions

AGGREGATORS = ("wikipedia.org", "medium.com", "towardsdatascience.com", "paperswithcode.com", "semanticscholar.org")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("content") / "_site"
    build_site(BuildOptions(REPO / "content", out, REPO / "templates", REPO / "static"))
    return json.loads((out / "events.json").read_text())


def test_at_least_130_events_and_6_a_year(export):
    events = export["events"]
    assert len(events) >= 130
    per_year = Counter(e["year"] for e in events)
    assert {y: n for y, n in per_year.items() if n < 6} == {}
    assert set(per_year) == set(range(2010, 2021))


def test_every_kind_has_5_and_the_required_groups_their_floors(export):
    per_kind = Counter(e["kind"] for e in export["events"])
    assert {k["id"]: per_kind[k["id"]] for k in export["kinds"] if per_kind[k["id"]] < 5} == {}
    assert per_kind["chip"] >= 12 and per_kind["ethics"] >= 12
    assert per_kind["software"] + per_kind["milestone"] >= 15


def test_every_topic_has_4_events(export):
    per_topic = Counter(t for e in export["events"] for t in e["topics"])
    assert {t["id"]: per_topic[t["id"]] for t in export["topics"] if per_topic[t["id"]] < 4} == {}
    names = {t["name"] for t in export["topics"]}
    for trend in ("Transformer Models", "Federated Learning and Privacy", "Explainable AI", "Self-Supervised Learning",
                  "Edge AI and On-Device Learning", "AI for Health and Science", "Generative Adversarial Networks",
                  "Sustainable and Efficient AI", "Human–AI Collaboration", "Creative AI"):
        assert trend in names


def test_every_event_has_a_primary_source_first(export):
    for e in export["events"]:
        first = e["links"][0]["url"]
        assert first.startswith("https://") or first.startswith("http://"), e["id"]
        assert not any(a in first for a in AGGREGATORS), (e["id"], first)
        if e["kind"] == "paper" and e["arxiv"] and not e["doi"]:
            assert first == f"https://arxiv.org/abs/{e['arxiv']}", e["id"]


def test_every_landmark_has_lineage(export):
    lonely = [e["id"] for e in export["events"] if e["importance"] == "landmark" and not (e["builds_on"] or e["led_to"])]
    assert lonely == []


def test_the_essay_main_entries_are_landmarks_with_their_citations(export):
    by_id = {e["id"]: e for e in export["events"]}
    counts = {"xavier-initialization": 7446, "relu-rectifier-networks": 4071, "alexnet": 52025, "word2vec": 16923,
              "dqn-atari": 3251, "gan": 13917, "bahdanau-attention": 9882, "adam": 34082, "resnet": 34635,
              "batch-normalization": 14384, "alphago": 6310, "transformer": 5059, "nas-reinforcement-learning": 1186,
              "bert": 3025}
    for eid, count in counts.items():
        assert by_id[eid]["importance"] == "landmark"
        assert by_id[eid]["citations"] == {"count": count, "as_of": "2019-12"}
    for eid in ("double-descent", "lottery-ticket-hypothesis"):
        assert by_id[eid]["importance"] == "landmark"


def test_a_reader_can_walk_from_xavier_initialization_to_gpt3(export):
    led_to = {e["id"]: e["led_to"] for e in export["events"]}
    seen, queue = {"xavier-initialization"}, deque(["xavier-initialization"])
    while queue:
        for nxt in led_to[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    assert "gpt-3" in seen


def test_papers_have_authors_and_chips_and_industry_have_organizations(export):
    assert [e["id"] for e in export["events"] if e["kind"] == "paper" and not e["authors"]] == []
    assert [e["id"] for e in export["events"] if e["kind"] in ("chip", "industry") and not e["organization"]] == []


def test_summaries_and_bodies_have_the_right_length(export):
    for e in export["events"]:
        assert len(e["summary"]) <= 280
        words = len(re.findall(r"[\w']+", re.sub(r"\$[^$]*\$", "", e["body"])))
        assert 120 <= words <= 400, (e["id"], words)


def test_2020_slide_deck_events_are_all_there(export):
    ids = {e["id"] for e in export["events"]}
    assert {"gpt-3", "alphafold-2", "old-film-restoration", "muzero", "covid-ct-detection", "nvidia-a100",
            "baidu-kunlun-mass-production", "nvidia-arm-bid", "cambricon-star-listing", "china-ai-standards-guideline",
            "deepfake-detection-challenge", "imagenet-bias-pyrrhic-win", "eu-ai-white-paper"} <= ids
