"""CrowdTangle (Meta) CSV exports of Facebook pages and groups and of Instagram accounts.

CrowdTangle's dashboard ("Historical Data", saved searches, list exports) wrote one CSV row per
post with the account's profile repeated in every row: ``Page Name``, ``User Name``,
``Facebook Id``, ``Followers at Posting``, ``Post Created`` (``2021-09-20 13:00:03 CEST``, in
the dashboard's time zone), ``Type``, the reaction counts, ``URL`` (the post), ``Message``,
``Link`` / ``Final Link`` (the shared link, as posted and expanded), ... Instagram exports
have ``Account`` instead of ``Page Name``, no ``Facebook Id`` and the caption in
``Description``.

The platform is decided once per file from its columns (``Facebook Id``, ``Page Name`` or
``Group Name`` mean Facebook; ``Account`` means Instagram), falling back to the host of each
row's post URL. Each row yields a post and an account snapshot observed at the post's time, so
that a file is also a history of follower counts. Choices, documented in
``docs/formats/crowdtangle.md``:

* ``post_id`` is the id in the post URL: the numeric story id of
  ``facebook.com/<page>/posts/<id>`` (or ``groups/<g>/permalink/<id>``, ``videos/<id>``,
  ``photos/.../<id>``, ``?story_fbid=<id>``), the shortcode of ``instagram.com/p/<code>``.
  Facebook story ids are unique across Facebook; the CrowdTangle API's ``platformId`` is
  ``<Facebook Id>_<post_id>``.
* ``likes`` is the ``Likes`` column only (the "Like" reaction); the other reactions (Love,
  Wow, Haha, Sad, Angry, Care) are not summed in: they are part of ``Total Interactions``.
* ``views`` is ``Post Views`` (Facebook) or ``Views`` (Instagram). CrowdTangle writes ``0``
  there for posts that are not videos; that zero means "not measured" and becomes ``None``.
* ``text`` is what the account wrote: ``Message`` (Facebook) or the caption (Instagram). The
  link preview (``Link Text``, ``Description`` on Facebook) and the OCR'd ``Image Text`` are
  not the account's words and are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from lagebild.errors import RecordError
from lagebild.ingest.base import (
    MALFORMED,
    Batch,
    Head,
    Item,
    ReadOptions,
    SourceFormat,
    Where,
    link_fields,
    make_reject,
    opt_int,
    parse_time,
    req_str,
)
from lagebild.ingest.tabular import csv_line, iter_csv_rows
from lagebild.ingest.text import hashtags_from_text, mentions_from_text, urls_from_text
from lagebild.ingest.urls import normalize_url
from lagebild.model import Account, Post, Reject
from lagebild.plugins import hookimpl

__all__ = [
    "FORMAT",
    "normalize",
    "normalize_account",
    "platform_of",
    "post_id_from_url",
    "read",
    "row_items",
    "sniff",
]

NAME = "crowdtangle"
_SNIFF_COLUMNS = frozenset({"Post Created", "Total Interactions", "URL"})
_FACEBOOK_COLUMNS = ("Facebook Id", "Page Name", "Group Name")
#: Path segments after which a Facebook or Instagram post URL carries the post id.
_ID_SEGMENTS = frozenset(
    {"posts", "permalink", "videos", "photos", "reel", "reels", "p", "tv", "notes"}
)
_ID_PARAMS = ("story_fbid", "fbid", "v")
#: The usual shapes, matched in one go: ``.../posts/<id>``, ``/p/<shortcode>/``, ...
_COMMON_ID = re.compile(
    r"https?://[^/?#]+/(?:[^/?#]+/)?(?:posts|permalink|videos|p|reel|tv)/([\w-]+)/?(?:[?#]|$)"
)
_VIDEO_TYPES = frozenset({"igtv", "reel", "reels", "youtube", "vine"})


def _cell(row: Mapping[str, str], key: str) -> str | None:
    value = row.get(key)
    if not value:
        return None
    value = value.strip()
    return value or None


def _count(row: Mapping[str, str], key: str) -> int | None:
    value = row.get(key)
    if not value:
        return None
    if value.isdecimal() and len(value) < 19:
        return int(value)  # the common case, without opt_int's checks
    return opt_int(value, key)


@lru_cache(maxsize=1 << 12)
def _page_created(value: str) -> dt.datetime:
    # The same page repeats in thousands of rows: parse each creation time once.
    return parse_time(value, "Page Created")


@lru_cache(maxsize=1 << 12)
def _labels(group: bool, category: str | None, country: str | None) -> tuple[str, ...]:
    labels = ["facebook-group"] if group else []
    if category:
        labels.append(f"category:{category}")
    if country:
        labels.append(f"admin-country:{country}")
    return tuple(labels)


def platform_of(columns: Collection[str], url: str | None = None) -> str:
    """``"facebook"`` or ``"instagram"``: from the export's columns, else the post URL's host.

    Facebook exports name the page (``Page Name`` / ``Group Name``) and its ``Facebook Id``;
    Instagram exports name the ``Account``. Raises :class:`RecordError` when neither tells.
    """
    if any(c in columns for c in _FACEBOOK_COLUMNS):
        return "facebook"
    if "Account" in columns:
        return "instagram"
    host = (url or "").partition("://")[2].split("/", 1)[0].lower()
    if host.endswith(("facebook.com", "fb.com", "fb.watch")):
        return "facebook"
    if host.endswith(("instagram.com", "instagr.am")):
        return "instagram"
    raise RecordError(f"cannot tell Facebook from Instagram: no known columns, URL {url!r}")


def post_id_from_url(url: str) -> str:
    """The post id a Facebook or Instagram post URL carries.

    Facebook: the story id after ``posts``/``permalink``/``videos``/``photos/<album>`` or in
    ``story_fbid``/``fbid``/``v``; Instagram: the shortcode after ``p``/``reel``/``tv``. The id
    is taken from the URL because it is the one identifier every CrowdTangle export carries.
    Raises :class:`RecordError` for a URL without one.
    """
    m = _COMMON_ID.match(url)
    if m:
        return m.group(1)
    base, _, query = url.partition("?")
    query = query.partition("#")[0]
    if query:
        params: dict[str, str] = {}
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            params.setdefault(key, value)
        for key in _ID_PARAMS:
            if params.get(key):
                return params[key]
    parts = [p for p in base.partition("#")[0].split("/")[3:] if p]
    if any(p in _ID_SEGMENTS for p in parts[:-1]):
        last = parts[-1]
        if last.replace("_", "").replace("-", "").isalnum():
            return last
    raise RecordError(f"no post id in URL {url!r}")


def _is_video(kind: str | None) -> bool:
    if not kind:
        return False
    k = kind.lower()
    return "video" in k or k in _VIDEO_TYPES or k.startswith("live")


def normalize(
    row: Mapping[str, str],
    *,
    platform: str,
    source: str = "",
    line: int | None = None,
    collected_at: dt.datetime | None = None,
) -> Post:
    """One CrowdTangle row as a post of ``platform`` (see the module doc for the choices)."""
    url = req_str(row.get("URL"), "URL")
    post_id = post_id_from_url(url)
    instagram = platform == "instagram"
    if instagram:
        account_id = req_str(row.get("User Name"), "User Name").lower()
        text = row.get("Description") or row.get("Title") or None
        views = _count(row, "Views")
    else:
        account_id = _facebook_id(row)
        text = row.get("Message") or None
        views = _count(row, "Post Views")
    if views == 0 and not _is_video(row.get("Type")):
        views = None  # CrowdTangle writes 0 for posts it has no view counts for
    links = [_cell(row, "Final Link") or _cell(row, "Link")]
    if text:
        links.extend(urls_from_text(text))
    urls, domains = link_fields(u for u in links if u and not _same_post(u, url, post_id))
    photo = _cell(row, "Photo")
    return Post(
        platform=platform,
        post_id=post_id,
        account_id=account_id,
        account_handle=_cell(row, "User Name"),
        created_at=parse_time(row.get("Post Created"), "Post Created"),
        text=text,
        lang=None,
        urls=urls,
        domains=domains,
        hashtags=hashtags_from_text(text) if text else (),
        mentions=mentions_from_text(text) if text else (),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(f"url:{photo}",) if photo else (),
        views=views,
        likes=_count(row, "Likes"),
        reposts=None if instagram else _count(row, "Shares"),
        replies=_count(row, "Comments"),
        quotes=None,
        collected_at=collected_at,
        source=source,
        source_line=line,
    )


def _same_post(link: str, url: str, post_id: str) -> bool:
    """Whether ``link`` is the post's own URL (Instagram and Facebook videos link to it)."""
    # Only links that contain the post id can be the post: normalise just those.
    return post_id in link and normalize_url(link) == normalize_url(url)


def _facebook_id(row: Mapping[str, str]) -> str:
    value = req_str(row.get("Facebook Id"), "Facebook Id")
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]  # written back by a spreadsheet as a float
    if not value.isdigit():
        raise RecordError(f"Facebook Id is not a number: {value!r}")
    return value


def normalize_account(
    row: Mapping[str, str],
    *,
    platform: str,
    source: str = "",
    observed_at: dt.datetime | None = None,
) -> Account:
    """The page, group or Instagram account columns of a row, as seen at ``observed_at``.

    ``Followers at Posting`` is the follower count when the post was made, so a file yields a
    follower history. ``Page Category`` and ``Page Admin Top Country`` (where most of the page's
    admins are) become ``category:`` and ``admin-country:`` labels.
    """
    if platform == "instagram":
        account_id = req_str(row.get("User Name"), "User Name").lower()
        name = _cell(row, "Account")
        labels: tuple[str, ...] = ()
    else:
        account_id = _facebook_id(row)
        name = _cell(row, "Page Name") or _cell(row, "Group Name")
        labels = _labels(
            "Group Name" in row, _cell(row, "Page Category"), _cell(row, "Page Admin Top Country")
        )
    created = _cell(row, "Page Created")
    return Account(
        platform=platform,
        account_id=account_id,
        handle=_cell(row, "User Name"),
        name=name,
        created_at=_page_created(created) if created else None,
        followers=_count(row, "Followers at Posting"),
        following=None,
        posts_count=None,
        verified=None,
        description=_cell(row, "Page Description"),
        labels=labels,
        observed_at=observed_at,
        source=source,
    )


def read(path: Path, options: ReadOptions) -> Iterator[Item]:
    """Posts and account snapshots of a CrowdTangle CSV; a malformed row is rejected whole."""
    by_columns: str | None = None
    for entry in iter_csv_rows(path, NAME):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, row = entry
        if by_columns is None:
            by_columns = _columns_platform(row)
        yield from row_items(row, where, options, by_columns)


def row_items(
    row: Mapping[str, str], where: Where, options: ReadOptions, by_columns: str | None = None
) -> Iterator[Item]:
    """The post and account snapshot of one row, or its reject."""
    if by_columns is None:
        by_columns = _columns_platform(row)
    try:
        post = normalize(
            row,
            platform=by_columns or platform_of((), row.get("URL")),
            source=where.source,
            line=where.line,
            collected_at=options.collected_at,
        )
        account = normalize_account(
            row, platform=post.platform, source=where.source, observed_at=post.created_at
        )
    except MALFORMED as exc:
        yield _reject(where, exc, row)
        return
    yield post
    yield account


def _columns_platform(row: Mapping[str, str]) -> str:
    """The platform the columns name, or ``""`` when only each row's URL can tell."""
    try:
        return platform_of(row.keys())
    except RecordError:
        return ""


def _reject(where: Where, exc: BaseException, row: Mapping[str, str]) -> Reject:
    return make_reject(where, NAME, exc, csv_line(row.values()))


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """The columnar path for whole CrowdTangle files (see ``crowdtangle_sql``)."""
    from lagebild.ingest import crowdtangle_sql  # the SQL mirror imports this module

    return crowdtangle_sql.read_tables(path, options, batch_size)


def sniff(head: Head) -> bool:
    """A CrowdTangle CSV has ``Post Created``, ``Total Interactions`` and ``URL`` columns."""
    return head.csv_header is not None and set(head.csv_header) >= _SNIFF_COLUMNS


FORMAT = SourceFormat(
    name=NAME,
    title="CrowdTangle CSV export (Facebook pages/groups, Instagram)",
    platforms=("facebook", "instagram"),
    sniff=sniff,
    read=read,
    priority=10,
    options=("collected_at",),
    read_tables=read_tables,
)


@hookimpl
def lagebild_source_formats() -> list[SourceFormat]:
    """Register the CrowdTangle format."""
    return [FORMAT]
