"""URL normalisation, registered domains and entities from text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagebild.ingest.text import (
    hashtags_from_text,
    html_to_text,
    mentions_from_text,
    urls_from_text,
)
from lagebild.ingest.urls import is_shortener, normalize_url, registered_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://www.Example.com/a/?utm_source=x&b=2&a=1#top", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a", "https://example.com/a"),
        ("example.com/a/", "https://example.com/a"),
        ("https://example.com/", "https://example.com"),
        ("https://www2.example.com:443/x?fbclid=abc", "https://example.com/x"),
        ("https://example.com:8080/x", "https://example.com:8080/x"),
        ("https://user:pw@example.com/x", "https://example.com/x"),
        ("https://app.example.com/#!/route", "https://app.example.com#!/route"),
        ("https://twitter.com/u/status/1?s=20&t=abc", "https://twitter.com/u/status/1"),
        (
            "https://www.youtube.com/watch?v=abc&feature=share&si=x",
            "https://youtube.com/watch?v=abc",
        ),
        ("//cdn.example.com/a.js", "https://cdn.example.com/a.js"),
        ("mailto:a@b.de", "mailto:a@b.de"),
        ("", None),
        ("not a url", None),
        ("localhost", None),
    ],
)
def test_normalize_url(raw: str, expected: str | None) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("https://news.bbc.co.uk/x", "bbc.co.uk"),
        ("de.rt.com", "rt.com"),
        ("https://foo.blogspot.com/p", "foo.blogspot.com"),
        ("www.tagesschau.de", "tagesschau.de"),
        ("https://192.168.0.1/x", "192.168.0.1"),
        ("https://example.com:8080/x", "example.com"),
    ],
)
def test_registered_domain(host: str, domain: str) -> None:
    assert registered_domain(host) == domain


def test_shorteners() -> None:
    assert is_shortener("https://t.co/abc")
    assert is_shortener("https://bit.ly/x")
    assert not is_shortener("https://example.com/t.co")


@given(st.text(max_size=200))
def test_normalize_url_never_raises_and_is_idempotent(raw: str) -> None:
    out = normalize_url(raw)
    if out is not None and out.startswith("https://"):
        assert normalize_url(out) == out


def test_entities_from_text() -> None:
    text = (
        "Wahl #BTW21 und #Wahlbetrug! @Tagesschau @user@mastodon.social 4#x #123 https://a.de/x)."
    )
    assert hashtags_from_text(text) == ("btw21", "wahlbetrug")
    assert mentions_from_text(text) == ("tagesschau", "user@mastodon.social")
    assert urls_from_text(text) == ("https://a.de/x",)
    assert urls_from_text("see (https://en.wikipedia.org/wiki/A_(b)) now") == (
        "https://en.wikipedia.org/wiki/A_(b)",
    )
    assert hashtags_from_text("Grüße #Übermorgen #straße") == ("übermorgen", "straße")


def test_html_to_text() -> None:
    html = (
        '<p>Erste Zeile<br>zweite &amp; dritte</p><p><a href="https://x.de/a" rel="nofollow">'
        '<span class="invisible">https://</span><span>x.de/a</span></a></p>'
    )
    assert html_to_text(html) == "Erste Zeile\nzweite & dritte\n\nhttps://x.de/a"
