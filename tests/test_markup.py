"""Markdown: extensions, math as MathML, cross references, sanitizing."""
import pytest

from timeline_site.markup import pygments_css, render_markdown


def html(text, resolve=lambda i: ("/e/" + i + "/", i.upper()) if i == "known" else None):
    rendered = render_markdown(text, resolve)
    assert rendered.problems == []
    return rendered.html


def test_inline_and_display_math_become_mathml():
    out = html("Inline $a^2$ and\n\n$$\\frac{1}{2}$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert 'display="block"' in out and "<mfrac>" in out
    assert "$" not in out


def test_money_is_not_math():
    assert html("It cost $5 and then $40 billion.") == "<p>It cost $5 and then $40 billion.</p>"
    assert html(r"Escaped \$x\$ stays.") == "<p>Escaped $x$ stays.</p>"


def test_math_inside_code_is_left_alone():
    assert "<code>$x$</code>" in html("Code `$x$` here.")


def test_bad_tex_is_reported():
    assert render_markdown(r"$\frac{a}{$").problems


def test_cross_references():
    out = html("See [[known]] and [[known|this one]].")
    assert '<a class="xref" href="/e/known/" rel="noopener">KNOWN</a>' in out
    assert ">this one</a>" in out


def test_cross_reference_to_unpublished_event_keeps_its_text():
    assert html("See [[draft-thing|the draft]].") == "<p>See <span>the draft</span>.</p>"


def test_footnotes_tables_definition_lists_code():
    out = html("A[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTerm\n: Def\n\n```python\nx = 1\n```\n\n[^1]: Note.")
    assert 'class="footnote"' in out and "<table>" in out and "<dl>" in out
    assert '<div class="highlight">' in out and '<span class="n">x</span>' in out


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](javascript:alert(1))",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    r"$\text{<script>alert(1)</script>}$",
])
def test_sanitizer_removes_active_content(payload):
    out = render_markdown(payload).html.lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "data:text", "<iframe", "<style", "<svg"):
        assert bad not in out


def test_pygments_css_has_light_and_dark_styles():
    css = pygments_css()
    assert ".highlight" in css and "@media (prefers-color-scheme: dark)" in css


@pytest.mark.parametrize("src", ["https://tracker.example/pixel.gif", "//tracker.example/p.gif", "HTTP://x.example/a.png"])
@pytest.mark.parametrize("tag", ["img", "IMG", "image", "Image"])  # an HTML parser reads <image> as <img>
def test_images_from_other_hosts_are_dropped(src, tag):
    out = render_markdown(f'<{tag} src="{src}" alt="x"> and ![y]({src})').html
    assert "tracker" not in out and "x.example" not in out
    alone = render_markdown(f'<{tag} src="{src}" alt="x">').html
    assert "tracker" not in alone and "x.example" not in alone


def test_images_from_the_site_stay():
    assert 'src="/decade/images/a.png"' in render_markdown("![a diagram](/decade/images/a.png)").html


def site_and_corpus_bodies(tmp_path):
    """Every body of the real site, and of a generated corpus (math, code, footnotes, lists)."""
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo / "benchmarks"))
    try:
        from corpus import generate_corpus
    finally:
        sys.path.remove(str(repo / "benchmarks"))
    generate_corpus(tmp_path, 150, seed=3)
    files = sorted((repo / "content" / "events").rglob("*.md")) + sorted((tmp_path / "content").rglob("*.md"))
    return [f.read_text(encoding="utf-8").split("\n---\n", 1)[1] for f in files]


def test_the_fast_inline_stage_gives_the_stock_output(tmp_path):
    """TriggeredInlineProcessor skips patterns that cannot match; the HTML must not change."""
    from timeline_site.markup import new_markdown

    bodies = site_and_corpus_bodies(tmp_path)
    assert len(bodies) > 300
    fast, fast_ext = new_markdown()
    stock, stock_ext = new_markdown(fast_inline=False)
    assert type(fast.treeprocessors["inline"]).__name__ == "TriggeredInlineProcessor"
    assert type(stock.treeprocessors["inline"]).__name__ == "InlineProcessor"
    assert_same_html(bodies, (fast, fast_ext), (stock, stock_ext))


def assert_same_html(bodies, *instances) -> None:
    """Each (Markdown, extension) pair renders every body to the same HTML."""
    for _, ext in instances:
        ext.resolve = lambda event_id: (f"/events/{event_id}/", event_id.upper())
    for body in bodies:
        outputs = set()
        for md, _ in instances:
            md.reset()
            outputs.add(md.convert(body))
        assert len(outputs) == 1, body[:200]


def test_the_fast_stages_give_the_stock_output(tmp_path):
    """Every shortcut together (blocks, inline, ...) against Python-Markdown's stock stages."""
    from timeline_site.markup import new_markdown

    bodies = site_and_corpus_bodies(tmp_path)
    fast, fast_ext = new_markdown()
    stock, stock_ext = new_markdown(fast=False)
    assert type(fast.parser).__name__ == "TriggeredBlockParser"
    assert type(stock.parser).__name__ == "BlockParser"
    assert type(stock.treeprocessors["inline"]).__name__ == "InlineProcessor"
    for registry, name in (("preprocessors", "normalize_whitespace"), ("preprocessors", "fenced_code_block"),
                           ("preprocessors", "html_block"), ("treeprocessors", "unescape"),
                           ("treeprocessors", "prettify"),
                           ("postprocessors", "raw_html")):
        assert type(getattr(fast, registry)[name]).__name__.startswith("Quick")
        assert not type(getattr(stock, registry)[name]).__name__.startswith("Quick")
        assert getattr(fast, registry).get_index_for_name(name) == getattr(stock, registry).get_index_for_name(name)
    assert_same_html(bodies, (fast, fast_ext), (stock, stock_ext))


def test_one_body_leaves_nothing_behind_for_the_next():
    """The Markdown instance is reused: footnotes, problems and links must not carry over."""
    first = render_markdown("Text[^1] $\\frac{a}{$ [[known]].\n\n[^1]: A note.", lambda i: ("/k/", "K"))
    second = render_markdown("Plain [[known]].")
    assert first.problems and "footnote" in first.html and 'href="/k/"' in first.html
    assert second.problems == [] and second.html == "<p>Plain <span>known</span>.</p>"
