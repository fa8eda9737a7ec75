"""Co-action kinds: for each, the SQL that lists which posts acted on which object.

Every kind yields *share rows* with the columns ``object_id`` (what was acted on, readable),
``key`` (what the pair search joins on), ``account_id``, ``platform``, ``post_id``, ``ts``
(POSIX seconds) and ``sig`` (what a candidate pair is verified on, ``NULL`` for exact kinds).
``similar_text`` has several share rows per post (one per prefix token), so its rows stay
narrow: ``object_id`` is the number of the post's document in a table written first
(:attr:`ShareQuery.docs`: the text and its token hashes, once per post), which verifies the
candidates and gives the pairs their text.

* **Exact kinds** (``url``, ``domain``, ``hashtag``, ``mention``, ``image``, ``repost``,
  ``reply``, ``text``): two posts act on the same object when the values are equal; ``key`` is
  the object itself. ``text`` is the trimmed, lower-cased text of posts that are not reposts
  (a repost carries its original's text: that is the ``repost`` kind).
* **similar_text**: near-duplicate texts. Each text becomes a set of word shingles (``shingle``
  words each, URLs removed, lower-cased, letters and digits only); two posts match when the
  Jaccard similarity of their sets is at least ``similarity``. Candidates come from *prefix
  filtering* (Chaudhuri et al. 2006; Bayardo et al. 2007): with the tokens of every set in one
  global order (rarest first, frequencies estimated on a sample), two sets with Jaccard ≥ *t*
  share at least one of the first |x| − ⌈t·|x|⌉ + 1 tokens of each. Those prefix tokens are
  the join keys, so no pair at or above the threshold is ever missed, and each candidate is
  verified on the exact similarity. Any global order keeps this exact; rarest-first keeps the
  candidates few. Texts with fewer than ``min_words`` words and pure reposts are left to the
  ``text`` and ``repost`` kinds.
* **image** with ``image_distance`` > 0: perceptual hashes (``phash:<hex>`` media entries of up
  to 64 bits) within that Hamming distance match. The 64 bits are cut into ``distance + 1``
  pieces; two hashes within the distance agree on at least one piece (pigeonhole), so the
  pieces are the join keys and every candidate is verified on the full distance. Other media
  entries match exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from lagebild.store.sql import quote

__all__ = [
    "EXACT",
    "EXACT_WHERE",
    "KIND_NAMES",
    "SAMPLE_PERCENT",
    "ShareQuery",
    "documents_sql",
    "jaccard_at_least",
    "platform_filter",
    "prefix_filter_sql",
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
    "text": "lower(trim(text))",
}
#: Which posts an exact kind reads (all others: every post). A condition on the post, not on
#: its object: DuckDB would push a filter on a computed object down and compute it twice.
EXACT_WHERE: dict[str, str] = {"text": "repost_of IS NULL AND length(trim(text)) > 0"}
KIND_NAMES: tuple[str, ...] = (*EXACT, "similar_text")

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
    #: a cheap query with a row when the kind has any object (``sql`` itself when ``None``)
    exists: str | None = None
    #: statements to run before ``sql`` (they create the ``docs`` table)
    setup: tuple[str, ...] = ()
    #: a table of documents (``doc``, ``object_id``, ``sig``): when set, a share row's
    #: ``object_id`` is the number of its document, so the many share rows of a document stay
    #: narrow; candidates are verified on the documents' ``sig`` and pairs report their
    #: ``object_id``
    docs: str | None = None


#: Share of the posts whose tokens estimate the token frequencies of prefix filtering.
SAMPLE_PERCENT = 5


def jaccard_at_least(similarity: float) -> str:
    """SQL: the exact Jaccard similarity of the hash sets ``a.sig`` and ``b.sig`` reaches it.

    Written as a division, as Python's ``len(x & y) / len(x | y) >= t`` is, so that the bound
    is decided the same way in floating point.
    """
    # list_filter + list_contains: an order of magnitude faster than list_intersect here
    inter = "len(list_filter(a.sig, lambda h: list_contains(b.sig, h)))"
    return f"{inter} / (len(a.sig) + len(b.sig) - {inter}) >= {float(similarity)}"


def documents_sql(docs: str, table: str, keep: str = "len(sig) > 0") -> tuple[str, ...]:
    """Statements that write the documents of ``docs`` into the temp table ``table``, each
    with its number ``doc``.

    ``docs`` yields one row per post: ``object_id``, ``account_id``, ``platform``,
    ``post_id``, ``ts`` and ``sig``, the distinct token hashes; ``keep`` (over those columns)
    says which documents take part. It is applied to the written documents: written into
    ``docs``, DuckDB would push it down and tokenise every text twice. The documents are
    numbered after they are made: a ``row_number()`` over their query would run it on one
    thread.
    """
    made = f"{table}_made"
    return (
        f"CREATE OR REPLACE TEMP TABLE {made} AS {docs}",
        f"CREATE OR REPLACE TEMP TABLE {table} AS "
        f"SELECT row_number() OVER () AS doc, * FROM {made} WHERE {keep}",
        f"DROP TABLE {made}",
    )


def prefix_filter_sql(table: str, similarity: float) -> str:
    """Share rows keyed by the prefix tokens of each document of ``table`` (see the module
    doc and :func:`documents_sql`); ``object_id`` is the document's number and ``sig`` is
    left out (``NULL``), so the rows (several per document) stay narrow.
    """
    t = float(similarity)
    return f"""
      WITH freq AS (SELECT tok, count(*) AS n FROM (SELECT unnest(sig) AS tok FROM {table}
               USING SAMPLE {SAMPLE_PERCENT} PERCENT (bernoulli, 7)) GROUP BY tok),
      ranked AS (SELECT x.doc, x.tok, x.size, row_number() OVER (PARTITION BY x.doc
                   ORDER BY coalesce(f.n, 0), x.tok) AS r
                 FROM (SELECT doc, unnest(sig) AS tok, len(sig) AS size FROM {table}) x
                 LEFT JOIN freq f ON f.tok = x.tok)
      SELECT d.doc AS object_id, r.tok AS key, d.account_id, d.platform, d.post_id, d.ts,
        NULL::UBIGINT[] AS sig
      FROM ranked r JOIN {table} d ON d.doc = r.doc
      WHERE r.r <= r.size - ceil({t} * r.size - 1e-9) + 1
    """


def platform_filter(platforms: tuple[str, ...]) -> str:
    """The SQL condition limiting posts to ``platforms`` (all when empty)."""
    if not platforms:
        return "TRUE"
    listed = ", ".join(quote(p) for p in platforms)
    return f"platform IN ({listed})"


def _exact(kind: str, where: str, extra: str = "TRUE") -> str:
    return (
        "SELECT DISTINCT object_id, object_id AS key, account_id, platform, post_id, ts, "
        "NULL::UBIGINT[] AS sig FROM ("
        f"SELECT {EXACT[kind]} AS object_id, account_id, platform, post_id, "
        f"epoch(created_at) AS ts FROM posts WHERE {where} "
        f"AND {EXACT_WHERE.get(kind, 'TRUE')}) "
        f"WHERE object_id IS NOT NULL AND {extra}"
    )


def _similar_text(where: str, similarity: float, shingle: int, min_words: int) -> ShareQuery:
    n = int(shingle)
    # single words are hashed as they are; longer shingles as word lists (a slice each)
    shingles = (
        "list_transform(words, lambda w: hash(w))"
        if n == 1
        else f"""CASE WHEN len(words) <= {n} THEN [hash(words)]
          ELSE list_transform(range(1, len(words) - {n} + 2),
                              lambda i: hash(words[i:i + {n - 1}])) END"""
    )
    texts = f"FROM posts WHERE {where} AND repost_of IS NULL AND text IS NOT NULL"
    docs = f"""
      SELECT object_id, account_id, platform, post_id, ts, len(words) AS n_words,
        list_distinct({shingles}) AS sig
      FROM (SELECT {_WORDS} AS words, array_to_string(words, ' ') AS object_id, account_id,
              platform, post_id, epoch(created_at) AS ts {texts})
    """
    table = "coord_docs_similar_text"
    setup = documents_sql(docs, table, keep=f"n_words >= {int(min_words)}")
    verify = jaccard_at_least(similarity)
    exists = f"SELECT 1 {texts} AND len({_WORDS}) >= {int(min_words)}"
    return ShareQuery(
        "similar_text", prefix_filter_sql(table, similarity), verify, exists, setup, table
    )


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
