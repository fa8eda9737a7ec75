"""Co-action kinds: for each, the SQL that lists which posts acted on which object.

Every kind yields *share rows* with the columns ``object_id`` (what was acted on, readable),
``key`` (what the pair search joins on), ``account_id``, ``platform``, ``post_id``, ``ts``
(POSIX seconds) and ``sig`` (what a candidate pair is verified on, ``NULL`` for exact kinds).

* **Exact kinds** (``url``, ``domain``, ``hashtag``, ``mention``, ``image``, ``repost``,
  ``reply``, ``text``): two posts act on the same object when the values are equal; ``key`` is
  the object itself. ``text`` is the trimmed, lower-cased text of posts that are not reposts
  (a repost carries its original's text: that is the ``repost`` kind).
* **similar_text**: near-duplicate texts. Each text becomes a set of word shingles (``shingle``
  words each, URLs removed, lower-cased, letters and digits only); MinHash with *b* × *r* hash
  functions gives *b* band keys per post, and two posts become a candidate when any band key is
  equal (locality-sensitive hashing: a pair with Jaccard similarity *J* is a candidate with
  probability 1 − (1 − *J*\\ :sup:`r`)\\ :sup:`b`). :func:`lsh_bands` picks the fewest hash
  functions that make this at least 0.999 at the threshold (0.8: 7 bands of 2, 0.7: 11 of 2).
  Every candidate is then verified on the exact Jaccard similarity of the two shingle sets,
  so LSH only decides which pairs are compared, never which are reported.
  Texts with fewer than ``min_words`` words and pure reposts are left to the ``text`` and
  ``repost`` kinds.
* **image** with ``image_distance`` > 0: perceptual hashes (``phash:<hex>`` media entries of up
  to 64 bits) within that Hamming distance match. The 64 bits are cut into ``distance + 1``
  pieces; two hashes within the distance agree on at least one piece (pigeonhole), so the
  pieces are the join keys and every candidate is verified on the full distance. Other media
  entries match exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "EXACT",
    "KIND_NAMES",
    "LSH_RECALL",
    "ShareQuery",
    "lsh_bands",
    "minhash_bands_sql",
    "platform_filter",
    "share_queries",
]

#: Exact kinds: the SQL expression listing a post's objects of that kind.
EXACT: dict[str, str] = {
    "url": "unnest(urls)",
    "domain": "unnest(domains)",
    "hashtag": "unnest(hashtags)",
    "mention": "unnest(mentions)",
    "image": "unnest(media)",
    "repost": "repost_of",
    "reply": "reply_to",
    "text": "CASE WHEN repost_of IS NULL AND length(trim(text)) > 0 THEN lower(trim(text)) END",
}
KIND_NAMES: tuple[str, ...] = (*EXACT, "similar_text")

#: The least probability that a pair at the similarity threshold becomes an LSH candidate.
LSH_RECALL = 0.999


def lsh_bands(similarity: float) -> tuple[int, int]:
    """Bands and rows per band: the fewest MinHash functions reaching :data:`LSH_RECALL`."""
    options = []
    for rows in (2, 3, 4):
        miss = 1 - similarity**rows
        bands = 1 if miss <= 0 else max(1, math.ceil(math.log(1 - LSH_RECALL) / math.log(miss)))
        options.append((bands * rows, bands, rows))
    _, bands, rows = min(options)
    return bands, rows


def minhash_bands_sql(similarity: float) -> str:
    """SQL for the list of band keys of the hash set ``sig`` (see :func:`lsh_bands`)."""
    bands, rows = lsh_bands(similarity)
    minima = [f"list_min(list_transform(sig, lambda h: hash(h, {i})))" for i in range(bands * rows)]
    return (
        "["
        + ", ".join(
            f"hash({b}, {', '.join(minima[b * rows : (b + 1) * rows])})" for b in range(bands)
        )
        + "]"
    )


_WORDS = r"regexp_extract_all(lower(regexp_replace(text, 'https?://\S+', ' ', 'g')), '[\pL\pN]+')"


@dataclass(frozen=True)
class ShareQuery:
    """The share rows of one kind, and whether candidates need verifying (near matches).

    ``verify`` is a SQL condition on the two sides ``a`` and ``b`` of a candidate pair; for
    near matches several keys of one post pair can meet, so pairs are made distinct.
    """

    kind: str
    sql: str
    verify: str | None = None


def platform_filter(platforms: tuple[str, ...]) -> str:
    """The SQL condition limiting posts to ``platforms`` (all when empty)."""
    if not platforms:
        return "TRUE"
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in platforms)
    return f"platform IN ({listed})"


def _exact(kind: str, where: str, extra: str = "TRUE") -> str:
    return (
        "SELECT DISTINCT object_id, object_id AS key, account_id, platform, post_id, ts, "
        "NULL::UBIGINT[] AS sig FROM ("
        f"SELECT {EXACT[kind]} AS object_id, account_id, platform, post_id, "
        f"epoch(created_at) AS ts FROM posts WHERE {where}) "
        f"WHERE object_id IS NOT NULL AND {extra}"
    )


def _similar_text(where: str, similarity: float, shingle: int, min_words: int) -> ShareQuery:
    n = int(shingle)
    sql = f"""
      SELECT object_id, unnest({minhash_bands_sql(similarity)})::VARCHAR AS key, account_id,
        platform, post_id, ts, sig
      FROM (
        SELECT array_to_string(words, ' ') AS object_id, account_id, platform, post_id, ts,
          list_distinct(CASE WHEN len(words) <= {n} THEN [hash(words)]
            ELSE list_transform(range(1, len(words) - {n} + 2),
                                lambda i: hash(words[i:i + {n - 1}])) END) AS sig
        FROM (SELECT {_WORDS} AS words, account_id, platform, post_id,
                epoch(created_at) AS ts
              FROM posts WHERE {where} AND repost_of IS NULL AND text IS NOT NULL)
        WHERE len(words) >= {int(min_words)}
      )
    """
    verify = (
        f"len(list_intersect(a.sig, b.sig)) >= "
        f"{float(similarity)} * (len(a.sig) + len(b.sig) - len(list_intersect(a.sig, b.sig)))"
    )
    return ShareQuery("similar_text", sql, verify)


def _near_images(where: str, distance: int) -> ShareQuery:
    pieces = distance + 1
    width = -(-64 // pieces)
    mask = (1 << width) - 1
    keys = ", ".join(
        f"'{j}:' || ((v >> {j * width}) & {mask}::UBIGINT)::VARCHAR" for j in range(pieces)
    )
    sql = f"""
      SELECT object_id, unnest([{keys}]) AS key, account_id, platform, post_id, ts,
        [v] AS sig
      FROM (
        SELECT DISTINCT object_id, account_id, platform, post_id, ts,
          ('0x' || substr(object_id, 7))::UBIGINT AS v
        FROM (SELECT unnest(media) AS object_id, account_id, platform, post_id,
                epoch(created_at) AS ts FROM posts WHERE {where})
        WHERE regexp_full_match(object_id, 'phash:[0-9a-f]{{1,16}}')
      )
    """
    return ShareQuery("image", sql, f"bit_count(xor(a.sig[1], b.sig[1])) <= {distance}")


def share_queries(
    kind: str,
    platforms: tuple[str, ...] = (),
    *,
    similarity: float = 0.7,
    shingle: int = 1,
    min_words: int = 5,
    image_distance: int = 0,
) -> list[ShareQuery]:
    """The share queries of one kind (two for images compared by Hamming distance)."""
    where = platform_filter(platforms)
    if kind == "similar_text":
        return [_similar_text(where, similarity, shingle, min_words)]
    if kind == "image" and image_distance > 0:
        exact = _exact(kind, where, "NOT regexp_full_match(object_id, 'phash:[0-9a-f]{1,16}')")
        return [ShareQuery(kind, exact), _near_images(where, image_distance)]
    return [ShareQuery(kind, _exact(kind, where))]
