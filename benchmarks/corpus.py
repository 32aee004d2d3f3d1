"""A seeded generator of a synthetic timeline corpus in the content format.

`generate_corpus(root, n, seed)` writes `root/content/` (site.yaml, topics.yaml
and `n` valid events in year folders). The same (n, seed) always gives the
same bytes. Every event passes `timeline-site check`:

- 300-600 word Markdown bodies with `##` headings, a bulleted or numbered
  list, one footnote, inline math (`$x^2$`), fenced code in about a third of
  the events, display math in some, `[[id]]` and `[[id|text]]` references;
- `builds_on` links only to events generated earlier, so lineage has no cycles;
- dates at all three precisions (YYYY, YYYY-MM, YYYY-MM-DD), years 1900-2100;
- about 5% of the events are pure-YAML files (`.yaml` with a `body:` field);
- money is written as "USD 5 million", never with a dollar sign.

Run as a script to write a corpus: `python benchmarks/corpus.py DIR --n 1000`.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 1900, 2100
BASE_URL = "https://example.org/bench/"

KINDS = {
    "paper": ("Paper", "Papers"),
    "chip": ("Chip", "Chips"),
    "ethics": ("Ethics & society", "Ethics & society"),
    "milestone": ("Milestone", "Milestones"),
    "industry": ("Industry", "Industry"),
    "software": ("Software", "Software"),
    "policy": ("Policy", "Policy"),
}

TOPICS = [
    ("computer-vision", "Computer Vision"), ("nlp", "Natural Language Processing"),
    ("speech", "Speech and Audio"), ("reinforcement-learning", "Reinforcement Learning"),
    ("generative-models", "Generative Models"), ("architectures", "Architectures"),
    ("training", "Training Methods"), ("optimization", "Optimization"),
    ("hardware", "Hardware"), ("software-tools", "Software Tools"),
    ("datasets", "Datasets and Benchmarks"), ("theory", "Theory"),
    ("robotics", "Robotics"), ("healthcare", "Healthcare"),
    ("fairness", "Fairness and Ethics"), ("policy-law", "Policy and Law"),
    ("industry-labs", "Industry Labs"), ("compression", "Model Compression"),
    ("graphs", "Graph Learning"), ("science", "AI for Science"),
]

WORDS = """
network model layer training data signal memory gradient kernel vector matrix
tensor weight loss error accuracy benchmark dataset image sentence speech agent
policy reward search tree graph node edge attention encoder decoder feature
filter channel pixel token sequence language translation vision robot sensor
chip processor cluster server compiler library framework release version paper
result method approach baseline experiment ablation analysis theory proof bound
estimate sample batch epoch schedule rate momentum noise variance bias prior
posterior likelihood entropy distribution function operator system pipeline stage
method research group laboratory company industry market product customer user
public policy law regulation ethics privacy fairness safety risk audit review
history lineage idea insight question answer problem solution trick detail
simple deep wide shallow large small fast slow robust fragile sparse dense
early late modern classic novel standard common rare careful bold clear
learned trained measured reported proposed improved reduced increased combined
replaced extended scaled tested compared released adopted cited questioned
across within between beyond through during after before under over
""".split()

VERBS = """
shows improves reduces extends replaces combines scales measures explains
introduces revisits questions simplifies accelerates stabilises generalises
""".split()

INLINE_TEX = [
    r"x^2", r"\alpha + \beta", r"\frac{a}{b}", r"\sum_{i=1}^{n} x_i", r"\sqrt{2}",
    r"O(n \log n)", r"e^{-\lambda t}", r"\mathbb{E}[X]", r"\theta_t", r"p(y \mid x)",
    r"\nabla L", r"W \in \mathbb{R}^{d \times k}",
]
DISPLAY_TEX = [
    r"L(\theta) = -\frac{1}{N} \sum_{i=1}^{N} \log p_\theta(y_i \mid x_i)",
    r"\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}",
    r"h_t = \tanh(W h_{t-1} + U x_t + b)",
]
CODE_SNIPPETS = [
    ("python", "def step(params, grads, lr=0.01):\n    return [p - lr * g for p, g in zip(params, grads)]\n"),
    ("python", "import math\n\ndef softmax(xs):\n    m = max(xs)\n    exps = [math.exp(x - m) for x in xs]\n"
               "    total = sum(exps)\n    return [e / total for e in exps]\n"),
    ("c", "for (int i = 0; i < n; i++) {\n    y[i] = a * x[i] + y[i];\n}\n"),
    ("shell", "python train.py --epochs 90 --batch-size 256 --lr 0.1\n"),
]
IMPORTANCE = ["landmark"] * 1 + ["major"] * 3 + ["notable"] * 6


@dataclass(frozen=True)
class EventSpec:
    """What the generator decided for one event (enough to edit or convert it)."""

    id: str
    path: Path
    """Relative to the content folder."""
    title: str
    year: int


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _sentence(rng: random.Random, lo: int = 8, hi: int = 18) -> list[str]:
    words = [_word(rng) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    return words


def _title(rng: random.Random) -> str:
    words = [_word(rng).capitalize() for _ in range(rng.randint(3, 6))]
    return " ".join(words) + (" " + rng.choice(["I", "II", "v2", "Revisited", "at Scale", ""])).rstrip()


def _date(rng: random.Random, year: int) -> str:
    precision = rng.randrange(3)
    if precision == 0:
        return f"{year:04d}"
    month = rng.randint(1, 12)
    if precision == 1:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{rng.randint(1, 28):02d}"


def _paragraph(rng: random.Random, target: int, ids: list[str], self_id: str,
               math: bool = False, footnote: bool = False, xrefs: int = 0) -> tuple[str, int]:
    """A paragraph of about `target` words; returns (text, word count)."""
    words: list[str] = []
    while len(words) < target:
        sentence = _sentence(rng)
        words += sentence[:-1] + [sentence[-1] + "."]
    extras = []
    if math:
        extras.append(f"the quantity ${rng.choice(INLINE_TEX)}$ matters.")
    for _ in range(xrefs):
        other = rng.choice(ids)
        if other == self_id:
            continue
        if rng.random() < 0.5:
            extras.append(f"see [[{other}]].")
        else:
            extras.append(f"compare [[{other}|the {_word(rng)} {_word(rng)} work]].")
    if rng.random() < 0.2:
        extras.append(f"it cost about USD {rng.randint(2, 900)} million.")
    for extra in extras:
        at = rng.randint(1, len(words) - 1)
        # insert after a sentence end so the clause reads as its own sentence
        while at < len(words) and not words[at - 1].endswith("."):
            at += 1
        words.insert(at, extra[0].upper() + extra[1:])
    text = " ".join(words)
    if footnote:
        text = text.rstrip(".") + ".[^1]"
    return text, len(text.split())


def _body(rng: random.Random, ids: list[str], self_id: str) -> str:
    target = rng.randint(300, 560)  # the list, code and footnote add the rest
    parts: list[str] = []
    count = 0

    def para(n: int, **kw) -> None:
        nonlocal count
        text, words = _paragraph(rng, n, ids, self_id, **kw)
        parts.append(text)
        count += words

    para(rng.randint(50, 90), math=True, xrefs=1)
    parts.append("## Background")
    para(rng.randint(50, 90), footnote=True, xrefs=2)
    items = [" ".join(_sentence(rng, 4, 9)) + "." for _ in range(rng.randint(3, 5))]
    numbered = rng.random() < 0.4
    parts.append("\n".join((f"{i + 1}. " if numbered else "- ") + item for i, item in enumerate(items)))
    count += sum(len(item.split()) for item in items)
    parts.append("## Details")
    para(rng.randint(40, 80), math=rng.random() < 0.5, xrefs=1)
    if rng.random() < 0.35:
        lang, code = rng.choice(CODE_SNIPPETS)
        parts.append(f"```{lang}\n{code}```")
    if rng.random() < 0.25:
        parts.append(f"$${rng.choice(DISPLAY_TEX)}$$")
    if rng.random() < 0.15:
        parts.append(f"**{_word(rng).capitalize()}**\n: " + " ".join(_sentence(rng, 5, 10)) + ".")
    parts.append("## Afterwards")
    while count < target:
        para(min(rng.randint(40, 90), max(20, target - count + 5)), math=rng.random() < 0.3,
             xrefs=rng.randint(0, 1))
    parts.append("[^1]: " + " ".join(_sentence(rng, 6, 14)) + ".")
    return "\n\n".join(parts) + "\n"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _front_matter(rng: random.Random, index: int, ids: list[str], title: str, date: str) -> list[str]:
    lines = [
        f"title: {_q(title)}",
        f"date: {_q(date)}",
        f"kind: {rng.choice(list(KINDS))}",
        "topics: [" + ", ".join(rng.sample([t for t, _ in TOPICS], rng.choice([1, 1, 2, 2, 3]))) + "]",
        f"importance: {rng.choice(IMPORTANCE)}",
    ]
    summary = " ".join(_sentence(rng, 12, 30)) + "."
    lines.append(f"summary: {_q(summary[:270].rstrip())}")
    if rng.random() < 0.7:
        authors = [f"{_word(rng).capitalize()} {_word(rng).capitalize()}" for _ in range(rng.randint(1, 4))]
        lines.append("authors: [" + ", ".join(_q(a) for a in authors) + "]")
    if rng.random() < 0.5:
        lines.append(f"organization: [{_q(_word(rng).capitalize() + ' Lab')}]")
    if rng.random() < 0.4:
        lines.append(f"venue: {_q(rng.choice(['NeurIPS', 'ICML', 'ICLR', 'CVPR', 'Nature']) + ' ' + date[:4])}")
    if rng.random() < 0.4:
        lines.append(f"arxiv: \"{rng.randint(7, 25):02d}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}\"")
    if rng.random() < 0.2:
        lines.append(f"doi: \"10.{rng.randint(1000, 9999)}/bench.{index}\"")
    if rng.random() < 0.3:
        lines.append(f"citations: {{count: {rng.randint(0, 50000)}, as_of: \"2024-{rng.randint(1, 12):02d}\"}}")
    if index > 0 and rng.random() < 0.7:
        parents = sorted(set(rng.choice(ids[:index]) for _ in range(rng.randint(1, 3))))
        lines.append("builds_on: [" + ", ".join(parents) + "]")
    lines.append("links:")
    lines.append(f"  - {{title: \"Primary source\", url: \"https://example.org/src/{ids[index]}\"}}")
    if rng.random() < 0.5:
        lines.append(f"  - {{title: \"Discussion\", url: \"https://example.com/notes/{index}\"}}")
    return lines


def _id(rng: random.Random, index: int) -> str:
    return f"{_word(rng)}-{_word(rng)}-{index:05d}"


def generate_corpus(root: Path, n: int, seed: int = 1) -> list[EventSpec]:
    """Write `root/content/` with `n` events; returns what was written, in generation order.

    An existing `root/content/` is replaced. Deterministic for (n, seed).
    """
    rng = random.Random(f"timeline-site-bench:{seed}")
    content = Path(root) / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "events").mkdir(parents=True)
    _write(content / "site.yaml", _site_yaml(n))
    _write(content / "topics.yaml", _topics_yaml(rng))
    ids = [_id(rng, i) for i in range(n)]
    specs = []
    for index, eid in enumerate(ids):
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        title = _title(rng)
        front = _front_matter(rng, index, ids, title, _date(rng, year))
        body = _body(rng, ids, eid)
        as_yaml = rng.random() < 0.05
        rel = Path("events") / f"{year:04d}" / f"{eid}.{'yaml' if as_yaml else 'md'}"
        (content / rel).parent.mkdir(exist_ok=True)
        if as_yaml:
            indented = "\n".join(("  " + line) if line else "" for line in body.rstrip("\n").split("\n"))
            text = "\n".join(front) + "\nbody: |\n" + indented + "\n"
        else:
            text = "---\n" + "\n".join(front) + "\n---\n" + body
        _write(content / rel, text)
        specs.append(EventSpec(eid, rel, title, year))
    return specs


def _site_yaml(n: int) -> str:
    kinds = "\n".join(f"  {k}: {{name: {_q(name)}, plural: {_q(plural)}}}" for k, (name, plural) in KINDS.items())
    return (f"title: Synthetic timeline ({n} events)\n"
            f"tagline: A generated corpus for benchmarks\n"
            f"description: >-\n  {n} generated events between {FIRST_YEAR} and {LAST_YEAR}, for timing builds.\n"
            f"base_url: {BASE_URL}\n"
            f"language: en\n"
            f"years: {{first: {FIRST_YEAR}, last: {LAST_YEAR}}}\n"
            f"kinds:\n{kinds}\n")


def _topics_yaml(rng: random.Random) -> str:
    out = []
    for tid, name in TOPICS:
        description = " ".join(_sentence(rng, 10, 20)) + f", with *{_word(rng)}* emphasis."
        out.append(f"- id: {tid}\n  name: {_q(name)}\n  description: >-\n    {description}\n")
    return "".join(out)


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def edit_event(content: Path, rel: Path, marker: str) -> None:
    """Append a paragraph containing `marker` to an event's body (as an editor would save it).

    The file's mtime is moved forward explicitly so that a change detector based
    on modification times sees it even on coarse-timestamp file systems.
    """
    path = content / rel
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    paragraph = f"Edited for the benchmark: {marker} changes this paragraph."
    if path.suffix == ".md":
        text = text.rstrip("\n") + "\n\n" + paragraph + "\n"
    else:
        text = text.rstrip("\n") + "\n\n  " + paragraph + "\n"
    path.write_text(text, encoding="utf-8")
    later = max(before.st_mtime_ns + 1_000_000_000, path.stat().st_mtime_ns)
    os.utime(path, ns=(later, later))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="folder to write content/ into")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    specs = generate_corpus(args.root, args.n, args.seed)
    print(f"wrote {len(specs)} events into {args.root / 'content'}")


if __name__ == "__main__":
    main()
