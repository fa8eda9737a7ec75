"""State-media attribution: posts that carry the content of state-controlled outlets.

The list of outlets is a CSV file (columns ``domain, outlet, country, owner, kind, source,
note``) that ships with Lagebild (``state_media.csv`` next to this module; every entry names a
public source documenting the state control). A team edits it without touching code:

* ``--list FILE`` or the environment variable ``LAGEBILD_STATE_MEDIA`` replaces the shipped list;
* ``<data_dir>/state_media.csv`` adds entries to it, or overrides shipped ones with the same
  domain.

``domain`` is a host name; it matches itself and its subdomains (``rt.com`` matches
``de.rt.com``). A ``*`` as the last label matches any top-level domain (``rtde.*`` matches
``rtde.live`` and ``www.rtde.tech``). The most specific entry wins (exact before ``*``, longer
before shorter). ``kind`` is ``outlet`` (the state's own outlet), ``mirror`` (a copy of an
outlet under another domain, e.g. to evade the EU ban) or ``proxy`` (not state-owned, but
documented by a government as directed by a state agency).

A post carries state media when

* ``link``: the host of one of its links is on the list (a post with ``domains`` but no
  ``urls`` is judged by its registered domains); or
* ``copied_text``: it has no such link, but its normalised text is exactly the normalised text
  of a post that has one. Normalised: lower-cased, a leading ``RT @handle:`` removed, links
  removed, whitespace collapsed; texts shorter than ``min_chars`` (40) are never compared, so
  short slogans do not match by chance. This catches pages that paste an outlet's headline or
  teaser without naming it (also when the post links elsewhere, e.g. to an aggregator); it
  misses paraphrases and translations. The evidence is the earliest post with the link; it
  may be later than the flagged post (order is not required).

Short links (``t.co``, ``bit.ly``) are not expanded offline, so a link behind one is missed.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import duckdb
import pyarrow as pa

from lagebild.errors import ConfigError
from lagebild.model import AccountRef
from lagebild.store import PostStore

__all__ = [
    "ENV_VAR",
    "KINDS",
    "MIN_CHARS",
    "SHIPPED",
    "MediaEntry",
    "MediaList",
    "flag_posts",
    "load_media_list",
    "normalized_text_sql",
    "read_media_csv",
    "state_media_posts",
]

ENV_VAR = "LAGEBILD_STATE_MEDIA"
SHIPPED = Path(__file__).with_name("state_media.csv")
KINDS = ("outlet", "mirror", "proxy")
#: Shortest normalised text compared for copied content.
MIN_CHARS = 40
_REQUIRED = ("domain", "outlet", "country", "kind")
_DOMAIN = re.compile(r"^([a-z0-9-]+\.)+([a-z0-9-]+|\*)$")


@dataclass(frozen=True)
class MediaEntry:
    """One state-controlled outlet (or mirror, or proxy) and where its control is documented."""

    domain: str
    outlet: str
    country: str
    owner: str
    kind: str
    source: str
    note: str


@dataclass(frozen=True)
class MediaList:
    """The entries in use and the files they came from (later files override earlier ones)."""

    entries: tuple[MediaEntry, ...]
    files: tuple[str, ...]

    def table(self) -> pa.Table:
        """The entries as an Arrow table (one column per field)."""
        names = [f.name for f in fields(MediaEntry)]
        cols = list(zip(*(astuple(e) for e in self.entries), strict=True)) or [()] * len(names)
        return pa.table(
            {n: pa.array(list(c), pa.string()) for n, c in zip(names, cols, strict=True)}
        )


def read_media_csv(path: Path) -> list[MediaEntry]:
    """Read and check one state-media CSV file (errors name the file and line)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the state-media list {path}: {exc.strerror or exc}",
            hint=f"check the path given with --list or ${ENV_VAR}",
        ) from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(
            f"{path}: the state-media list lacks the column(s) {', '.join(missing)}",
            hint="the header is: domain,outlet,country,owner,kind,source,note",
        )
    entries = []
    for line, row in enumerate(reader, start=2):
        entries.append(_entry(row, f"{path}, line {line}"))
    return entries


def _entry(row: Mapping[str, str | None], where: str) -> MediaEntry:
    values = {f.name: (row.get(f.name) or "").strip() for f in fields(MediaEntry)}
    domain = values["domain"].lower().rstrip(".")
    domain = domain.removeprefix("www.")
    if not _DOMAIN.match(domain):
        raise ConfigError(
            f"{where}: {values['domain']!r} is not a domain",
            hint="write a host like rt.com or de.rt.com (no https://, no path), "
            "or rtde.* for any top-level domain",
        )
    kind = values["kind"].lower()
    if kind not in KINDS:
        raise ConfigError(
            f"{where}: kind {values['kind']!r} unknown", hint=f"use {', '.join(KINDS)}"
        )
    if not values["outlet"]:
        raise ConfigError(f"{where}: no outlet name for {domain}", hint="name the outlet")
    return MediaEntry(**{**values, "domain": domain, "kind": kind})


def load_media_list(
    path: Path | None = None, *, data_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> MediaList:
    """The list in use: ``path``, else ``$LAGEBILD_STATE_MEDIA``, else the shipped one, with
    ``<data_dir>/state_media.csv`` added on top (same domain: the data dir's entry wins)."""
    env = os.environ if env is None else env
    base = path or (Path(env[ENV_VAR]).expanduser() if env.get(ENV_VAR) else SHIPPED)
    files = [Path(base)]
    if data_dir is not None and (Path(data_dir) / "state_media.csv").is_file():
        files.append(Path(data_dir) / "state_media.csv")
    merged: dict[str, MediaEntry] = {}
    for f in files:
        for e in read_media_csv(f):
            merged[e.domain] = e
    return MediaList(tuple(sorted(merged.values(), key=lambda e: e.domain)), tuple(map(str, files)))


_HOST = r"^[a-zA-Z][a-zA-Z0-9+.\-]*://(?:[^@/?#]*@)?([^/:?#]+)"


def normalized_text_sql(column: str) -> str:
    """SQL of the normalised text compared for copied content (see the module docstring)."""
    low = f"regexp_replace(lower({column}), '^rt @\\w+:\\s*', '')"
    no_links = f"regexp_replace({low}, '(https?://|www\\.)\\S+', '', 'g')"
    return f"trim(regexp_replace({no_links}, '\\s+', ' ', 'g'))"


def _keys(host: str) -> str:
    """SQL: the list keys of a host: its suffixes of two labels or more (de.rt.com, rt.com)
    and the same with the last label as ``*`` (de.rt.*, rt.*)."""
    parts = f"string_split({host}, '.')"
    return (
        f"list_transform(range(1, len({parts})), lambda i: array_to_string({parts}[i:], '.')) "
        f"|| list_transform(range(1, len({parts})), "
        f"lambda i: array_to_string({parts}[i:len({parts}) - 1], '.') || '.*')"
    )


def flag_posts(
    con: duckdb.DuckDBPyConnection,
    media: MediaList,
    *,
    min_chars: int = MIN_CHARS,
    scope: str | None = None,
) -> str:
    """Create the temp table ``state_media_hits`` in ``con`` and return its name.

    ``scope`` names a relation with ``platform, account_id``: only those accounts' posts are
    flagged (the link evidence for copied text is still searched in all posts).
    """
    con.register("_sm_list", media.table())
    # Only posts with a registered domain that can lead to an entry are looked at closely:
    # the domain's keys hit an entry, or an entry is a subdomain of it (de.rt.com of rt.com).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _sm_domains AS
        WITH doms AS (
          SELECT DISTINCT lower(d) AS d FROM (
            SELECT unnest(domains) AS d FROM posts WHERE len(domains) > 0))
        SELECT d FROM doms WHERE EXISTS (
          SELECT 1 FROM _sm_list m WHERE list_contains({_keys("d")}, m.domain)
            OR m.domain LIKE '%.' || d)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _sm_hosts AS
        WITH relevant AS (
          SELECT * FROM posts p WHERE len(p.domains) > 0 AND EXISTS (
            SELECT 1 FROM (SELECT unnest(p.domains) AS d) x JOIN _sm_domains USING (d))),
        hosts AS (
          SELECT platform, post_id, account_id, created_at,
                 lower(regexp_extract(u, '{_HOST}', 1)) AS host FROM (
            SELECT platform, post_id, account_id, created_at, unnest(urls) AS u FROM relevant)
          UNION SELECT platform, post_id, account_id, created_at, lower(d) FROM (
            SELECT platform, post_id, account_id, created_at, unnest(domains) AS d
            FROM relevant WHERE len(urls) = 0)),
        keyed AS (
          SELECT platform, post_id, account_id, created_at, host,
                 unnest({_keys("ltrim(host, '.')")}) AS key
          FROM hosts WHERE host <> '')
        SELECT k.platform, k.post_id, k.account_id, k.created_at, k.host, m.*
        FROM keyed k JOIN _sm_list m ON m.domain = k.key
        QUALIFY row_number() OVER (PARTITION BY k.platform, k.post_id, k.host
          ORDER BY m.domain LIKE '%*', length(m.domain) DESC) = 1"""
    )

    def within(alias: str) -> str:
        if scope is None:
            return "TRUE"
        return (
            f"EXISTS (SELECT 1 FROM {scope} s WHERE s.platform = {alias}.platform "
            f"AND s.account_id = {alias}.account_id)"
        )

    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE state_media_hits AS
        SELECT platform, post_id, account_id, created_at, domain, outlet, country, owner, kind,
               'link' AS how, min(host) AS host, NULL::VARCHAR AS evidence_platform,
               NULL::VARCHAR AS evidence_post_id
        FROM _sm_hosts h WHERE {within("h")} GROUP BY ALL"""
    )
    has_links = con.sql("SELECT count(*) FROM _sm_hosts").fetchall()[0][0] > 0
    if has_links:
        norm = normalized_text_sql("p.text")
        con.execute(
            f"""INSERT INTO state_media_hits
            WITH sources AS (
              SELECT {norm} AS norm, arg_min(struct_pack(h.platform, h.post_id, h.domain,
                     h.outlet, h.country, h.owner, h.kind, h.host),
                     (h.created_at, h.post_id, h.domain)) AS ev
              FROM _sm_hosts h JOIN posts p USING (platform, post_id)
              WHERE length({norm}) >= {int(min_chars)} GROUP BY 1),
            candidates AS (
              SELECT p.platform, p.post_id, p.account_id, p.created_at, {norm} AS norm
              FROM posts p
              WHERE p.text IS NOT NULL AND length(p.text) >= {int(min_chars)} AND {within("p")}
                AND NOT EXISTS (SELECT 1 FROM _sm_hosts l WHERE l.platform = p.platform
                                AND l.post_id = p.post_id))
            SELECT c.platform, c.post_id, c.account_id, c.created_at, s.ev.domain, s.ev.outlet,
                   s.ev.country, s.ev.owner, s.ev.kind, 'copied_text', s.ev.host, s.ev.platform,
                   s.ev.post_id
            FROM candidates c JOIN sources s USING (norm)"""
        )
    con.unregister("_sm_list")
    return "state_media_hits"


def state_media_posts(
    store: PostStore,
    media: MediaList | None = None,
    *,
    min_chars: int = MIN_CHARS,
    accounts: Sequence[AccountRef] | None = None,
) -> pa.Table:
    """Posts carrying state media, one row per (post, outlet domain), oldest first.

    Columns: platform, post_id, account_id, created_at, domain, outlet, country, owner, kind,
    how (``link`` or ``copied_text``), host (the link's host; for copied text that of the
    evidence post), evidence_platform and evidence_post_id (copied text: the post with the link).
    """
    media = media or load_media_list(data_dir=store.data_dir)
    con = store.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        scope = None
        if accounts is not None:
            con.register(
                "_sm_scope",
                pa.Table.from_pylist(
                    [a._asdict() for a in accounts],
                    schema=pa.schema([("platform", pa.string()), ("account_id", pa.string())]),
                ),
            )
            scope = "_sm_scope"
        flag_posts(con, media, min_chars=min_chars, scope=scope)
        return con.sql(
            "SELECT * FROM state_media_hits ORDER BY created_at, platform, post_id, domain"
        ).to_arrow_table()
    finally:
        con.close()
