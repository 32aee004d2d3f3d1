"""The shortcuts in markup.py (skipped block processors, inline patterns, ...) must never change the
HTML: on random Markdown, the fast instance and a stock one give the same output."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline_site.markup import new_markdown

# Pieces that start or almost start every block construct, in random order.
PIECES = [
    "\n", "\n\n", "\n\n\n", " ", "  ", "    ", "\t", "a", "b c", "Word", "1. ", "2) ", "* ", "- ", "+ ", "> ", ">",
    "# ", "## ", "#", "###### x #", "=", "===", "---", "- - -", "***", "_ _ _", "___", "|", "| a | b |\n",
    "|---|:-:|\n", "a | b\n", "-|-\n", ":", ": ", ":   ", "Term\n: Def", "[^1]", "[^1]: note\n", "[^x]:",
    "[a]: /u \"t\"\n", "[a]", "[a][]", "]:", "[", "]", "(", ")", "![i](/a.png)", "[l](/u)", "```\n",
    "```python\nx = 1\n```\n", "~~~\n", "    code\n", "<div>", "</div>", "<!-- c -->", "&", "&amp;", "*", "**",
    "_", "__", "`", "``", "\\", "\\#", "$x$", "$$y$$", "[[a-b]]", "[[a-b|t]]", "<http://x.org>", "  \n", "é",
    "\r", "\r\n", "\x02", "\x03", "\x0242\x03", "&#38;", "&lt;", "<b>", "</b>", "<br/>", "<hr>",
]
MARKDOWN = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


def convert(md, ext, text):
    ext.resolve = lambda event_id: ("/e/", "E") if event_id == "a-b" else None
    md.reset()
    try:
        return md.convert(text)
    except RecursionError:
        return RecursionError


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN, min_size=1, max_size=3))
def test_fast_and_stock_markdown_agree(texts):
    """Several texts through one instance each, as render_markdown reuses its instance."""
    fast, fast_ext = new_markdown()
    stock, stock_ext = new_markdown(fast=False)
    for text in texts:
        assert convert(fast, fast_ext, text) == convert(stock, stock_ext, text)


def test_the_cached_lexer_lookup_finds_what_pygments_finds():
    """Codehilite's lexer lookup is replaced by a cached one: same class, same options, same failures."""
    from markdown.extensions import codehilite
    from pygments.lexers import get_all_lexers, get_lexer_by_name
    from pygments.util import ClassNotFound

    from timeline_site.markup import cached_get_lexer_by_name

    new_markdown()
    assert codehilite.get_lexer_by_name is cached_get_lexer_by_name
    aliases = sorted({alias for _name, names, _files, _mimes in get_all_lexers() for alias in names})
    assert len(aliases) > 500
    for alias in [*aliases, "Python", "PY", "C", "text", "no-such-language", "", None] * 2:  # twice: cached
        try:
            expected = get_lexer_by_name(alias, stripnl=False, tabsize=4, cssclass="highlight")
        except ClassNotFound:
            expected = ClassNotFound
        try:
            found = cached_get_lexer_by_name(alias, stripnl=False, tabsize=4, cssclass="highlight")
        except ClassNotFound:
            found = ClassNotFound
        if expected is ClassNotFound:
            assert found is ClassNotFound, alias
        else:
            assert type(found) is type(expected) and found.options == expected.options, alias
            assert found is not cached_get_lexer_by_name(alias), "a new lexer for every block"


def test_remembered_highlighting_gives_what_pygments_gives():
    """Codehilite's highlight is remembered per code, lexer and formatter options: the same block
    twice gives Pygments' output twice, and a change of any option is highlighted anew."""
    import pygments
    from markdown.extensions import codehilite

    from timeline_site import markup

    new_markdown()
    assert codehilite.highlight is markup.remembered_highlight
    blocks = ["x = 1\n", "for (int i = 0; i < n; i++) {}\n", "echo <b> & done\n", ""]
    options = [{}, {"linenos": "table"}, {"hl_lines": [1]}, {"lang_str": "language-c"}, {"cssclass": "other"}]
    for _round in range(2):
        for code in blocks:
            for alias in ("python", "c", "shell", "text"):
                for extra in options:
                    expected = pygments.highlight(code, markup.cached_get_lexer_by_name(alias, stripnl=False),
                                                  markup.CachedStyleHtmlFormatter(**extra))
                    found = markup.remembered_highlight(
                        code, markup.cached_get_lexer_by_name(alias, stripnl=False),
                        markup.CachedStyleHtmlFormatter(**extra))
                    assert found == expected, (code, alias, extra)
    assert len(markup._highlighted) <= markup.HIGHLIGHTED_KEPT
    for n in range(markup.HIGHLIGHTED_KEPT + 10):  # the oldest entries go
        markup.remembered_highlight(f"x = {n}\n", markup.cached_get_lexer_by_name("python"),
                                    markup.CachedStyleHtmlFormatter())
    assert len(markup._highlighted) == markup.HIGHLIGHTED_KEPT


@settings(max_examples=400, deadline=None, database=None)
@given(MARKDOWN)
def test_each_quick_stage_gives_what_its_stock_stage_gives(text):
    """Stage by stage (the HTML alone could hide a difference that a later stage evens out)."""
    from markdown import util

    fast, _ = new_markdown()
    stock, _ = new_markdown(fast=False)
    lines = text.split("\n")
    for name in ("normalize_whitespace", "fenced_code_block", "html_block"):
        assert type(fast.preprocessors[name]).__name__.startswith("Quick")
        fast.reset()
        stock.reset()
        assert fast.preprocessors[name].run(lines) == stock.preprocessors[name].run(lines)
        assert fast.htmlStash.rawHtmlBlocks == stock.htmlStash.rawHtmlBlocks
    for node_text in (text, util.AtomicString(text)):
        quick_text = fast.treeprocessors["unescape"].unescape(node_text)
        stock_text = stock.treeprocessors["unescape"].unescape(node_text)
        assert quick_text == stock_text and type(quick_text) is type(stock_text)


@st.composite
def stashed_page(draw):
    """A page with raw-HTML placeholders, and a stash whose entries may hold placeholders of later ones."""
    from markdown import util

    size = draw(st.integers(0, 4))

    def text(lowest_key):
        keys = st.integers(lowest_key, size + 1)  # size and size + 1 are not in the stash
        piece = st.one_of(st.sampled_from(["<p>", "</p>", "<p>x</p>", "<div>", "a", "\n", "<", "p>", "</"]),
                          keys.map(lambda key: util.HTML_PLACEHOLDER % key),
                          keys.map(lambda key: "<p>%s</p>" % (util.HTML_PLACEHOLDER % key)),
                          keys.map(lambda key: (util.HTML_PLACEHOLDER % key)[:-1]))
        return "".join(draw(st.lists(piece, max_size=12)))

    return text(0), [text(key + 1) for key in range(size)]


@settings(max_examples=400, deadline=None, database=None)
@given(stashed_page())
def test_the_quick_raw_html_stage_gives_what_the_stock_one_gives(page):
    import markdown
    from markdown import postprocessors

    from timeline_site import markup

    text, stash = page
    md = markdown.Markdown()
    for html in stash:
        md.htmlStash.store(html)
    assert markup.QuickRawHtmlPostprocessor(md).run(text) == postprocessors.RawHtmlPostprocessor(md).run(text)


def test_the_inline_candidate_table_follows_changes_to_the_patterns():
    """The table of patterns to try is kept across documents; it must be rebuilt if the patterns change."""
    fast, fast_ext = new_markdown()
    stock, stock_ext = new_markdown(fast=False)
    text = "See [[a-b]] and *this* $x$."
    assert convert(fast, fast_ext, text) == convert(stock, stock_ext, text)
    for md in (fast, stock):
        md.inlinePatterns.deregister("xref")
        md.inlinePatterns.deregister("em_strong")
    html = convert(fast, fast_ext, text)
    assert html == convert(stock, stock_ext, text)
    assert "[[a-b]]" in html and "*this*" in html and "<math" in html


@pytest.mark.parametrize("text", [
    "> " * 300 + "deep quote",
    "".join("    " * depth + "- item\n" for depth in range(200)),
    "Term\n: definition\n\n" * 400,
    "Term\n: definition\n" * 1200,  # too deep for Python-Markdown: RecursionError from both
    "".join("    " * depth + "- item\n" for depth in range(300)),  # the same
    "> " * 1000 + "deep quote",  # stopped by Python-Markdown's own depth check
    "".join(f"[^{n}]: note\n    > quoted\n" for n in range(300)) + "Text[^1].",
    "```\ncode\n```\n" * 300,
    "$x$ " * 2000,
])
def test_deep_and_long_documents_fail_or_succeed_as_the_stock_ones_do(text):
    """The fast block loop keeps the stock stack depth, so nesting limits (TOO_DEEP) are where they were."""
    fast, fast_ext = new_markdown()
    stock, stock_ext = new_markdown(fast=False)
    assert convert(fast, fast_ext, text) == convert(stock, stock_ext, text)


def test_the_quick_prettify_stage_follows_changes_to_the_block_level_tags():
    """It looks block-level tags up in a set taken from `md.block_level_elements` at every run."""
    fast, fast_ext = new_markdown()
    stock, stock_ext = new_markdown(fast=False)
    text = "A [[a-b]] link.\n\n> quoted *text*\n\n- item\n- item"
    assert convert(fast, fast_ext, text) == convert(stock, stock_ext, text)
    for md in (fast, stock):
        md.block_level_elements.extend(["a", "em"])
        md.block_level_elements.remove("blockquote")
    html = convert(fast, fast_ext, text)
    assert html == convert(stock, stock_ext, text)
    assert "<a" in html and "<blockquote>" in html
