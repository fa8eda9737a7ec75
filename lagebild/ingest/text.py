"""Entities from post text: hashtags, mentions and links; HTML content to plain text.

Exports that carry entities (X API v2, Mastodon tags) are used as they are; these functions
fill in for exports that only carry the text (information-operations archives, Telegram,
generic CSV), so that every post has comparable ``hashtags``, ``mentions`` and ``urls``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser

__all__ = [
    "clean_handle",
    "clean_hashtag",
    "hashtags_from_text",
    "html_to_text",
    "mentions_from_text",
    "unique",
    "urls_from_text",
]

_HASHTAG = re.compile(r"(?<![\w&/#])[#＃](\w*[^\W\d_]\w*)")
_MENTION = re.compile(r"(?<![\w@/.])@(\w{1,64}(?:@[\w.-]+\.\w+)?)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»“”]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}>…'\""


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """The values in first-seen order without repeats and empty strings."""
    return tuple(dict.fromkeys(v for v in values if v))


def clean_hashtag(tag: str) -> str:
    """A hashtag as stored: lower-case, without the leading ``#``."""
    return tag.strip().lstrip("#＃").lower()


def clean_handle(handle: str) -> str:
    """A mention as stored: lower-case, without the leading ``@``."""
    return handle.strip().lstrip("@").lower()


def hashtags_from_text(text: str) -> tuple[str, ...]:
    """Hashtags written in ``text`` (at least one letter, as the platforms require)."""
    if "#" not in text and "＃" not in text:
        return ()
    return unique(m.lower() for m in _HASHTAG.findall(text))


def mentions_from_text(text: str) -> tuple[str, ...]:
    """``@handle`` mentions in ``text``, including fediverse ``@user@instance`` forms."""
    if "@" not in text:
        return ()
    return unique(m.lower() for m in _MENTION.findall(text))


def urls_from_text(text: str) -> tuple[str, ...]:
    """Links written in ``text`` (``http(s)://`` or ``www.``), trailing punctuation removed."""
    if "http" not in text and "www." not in text and "HTTP" not in text:
        return ()
    out = []
    for m in _URL.findall(text):
        url = m.rstrip(_URL_TRAIL)
        # keep a closing parenthesis that belongs to the URL, e.g. wikipedia links
        if m[len(url) : len(url) + 1] == ")" and url.count("(") > url.count(")"):
            url += ")"
        out.append(url)
    return unique(out)


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment with paragraph and line breaks kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("p", "div", "li", "blockquote") and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment such as a Mastodon status ``content``."""
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    parser = _TextExtractor()
    try:
        parser.feed(fragment)
        parser.close()
    except AssertionError:  # html.parser asserts on some malformed markup
        return html.unescape(re.sub(r"<[^>]*>?", " ", fragment)).strip()
    text = "".join(parser.parts)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
