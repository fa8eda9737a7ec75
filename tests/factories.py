"""Hand-made canonical records for tests: only the fields a test cares about are named."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lagebild.model import Post

__all__ = ["make_post"]

_DEFAULTS: dict[str, Any] = {
    "platform": "twitter",
    "account_handle": None,
    "text": None,
    "lang": None,
    "urls": (),
    "domains": (),
    "hashtags": (),
    "mentions": (),
    "reply_to": None,
    "repost_of": None,
    "quote_of": None,
    "media": (),
    "views": None,
    "likes": None,
    "reposts": None,
    "replies": None,
    "quotes": None,
    "collected_at": None,
    "source": "test",
    "source_line": None,
}


def make_post(post_id: str, account_id: str, created_at: dt.datetime, **fields: Any) -> Post:
    """A :class:`Post` with the given fields and empty/missing values for the rest."""
    unknown = set(fields) - set(Post._fields)
    if unknown:
        raise TypeError(f"Post has no field(s) {sorted(unknown)}")
    return Post(
        **{
            **_DEFAULTS,
            **fields,
            "post_id": post_id,
            "account_id": account_id,
            "created_at": created_at,
        }
    )
