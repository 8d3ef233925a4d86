"""Markdown bodies are rendered and sanitised: script, event handlers and dangerous URLs are inert,
on the topic's page as well as in ``render_markdown``."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from jisp.core.testing import Cast
from jisp.sharing.services.topics import render_markdown
from jisp.sharing.testing import make_topic

HOSTILE = """# 注意

<script>alert('x')</script>

<img src=x onerror=alert(1)>

[クリック](javascript:alert(1))
[データ](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[vb](vbscript:msgbox)
<a href="javascript:alert(2)" onclick="alert(3)">link</a>
<iframe src="https://evil.example"></iframe>
<style>body{display:none}</style>
![画像](javascript:alert(4))

[安全なリンク](https://www.nisc.go.jp/)
"""


SAFE_PREFIXES = ("https://", "http://", "mailto:", "/", "?", "#")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_inert(html: str) -> None:
    """No active element, no event handler, no link or source but http(s) and mailto."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in {"script", "iframe", "style", "img", "svg", "object", "embed", "form"}
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src", "action", "formaction", "xlink:href"}:
                assert (value or "").startswith(SAFE_PREFIXES), (tag, value)


def test_it_renders_hostile_markdown_inert() -> None:
    html = render_markdown(HOSTILE)
    assert_inert(html)
    assert '<a href="https://www.nisc.go.jp/" rel="noopener noreferrer nofollow">' in html
    assert "<h1>注意</h1>" in html


@pytest.mark.parametrize(
    "text",
    [
        "<SCRIPT>alert(1)</SCRIPT>",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        '<svg onload="alert(1)">',
        "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    ],
)
def test_it_neutralises_tricky_variants(text: str) -> None:
    assert_inert(render_markdown(text))


def test_it_keeps_ordinary_formatting() -> None:
    html = render_markdown("**太字** と `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>太字</strong>" in html and "<code>code</code>" in html
    assert "<table>" in html


def test_the_topic_page_shows_the_hostile_body_inert(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "<script>alert('title')</script>", body=HOSTILE,
                       summary="<img src=x onerror=alert(1)>")  # fmt: skip
    html = signed_in(cast.member_a).get(reverse("sharing:detail", args=[topic.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    start = html.index('<section class="topic-body"')
    body = html[start : html.index("</section>", start)]
    assert_inert(body)
    assert '<a href="https://www.nisc.go.jp/"' in body
    assert "<script" not in html.lower()


def test_the_list_escapes_titles_and_summaries(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.analyst, "<b onmouseover=alert(1)>x</b>", summary="<script>alert(2)</script>")
    html = signed_in(cast.member_a).get(reverse("sharing:list")).content.decode()
    assert "<b onmouseover" not in html and "<script>alert(2)" not in html
