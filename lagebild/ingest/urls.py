"""URL normalisation and registered domains, so that one link counts as one object.

Two posts that share ``http://www.Example.com/a/?utm_source=x`` and ``https://example.com/a``
share the same article; co-link detection, reach and state-media attribution must see one URL.
The rules (kept deliberately small and documented in ``docs/ingest.md``):

* ``http`` and ``https`` are one resource: the canonical form is written with ``https://``;
* the host is lower-cased, a trailing dot, ``www.`` (``www2.`` ...), user info and default
  ports are dropped;
* tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``igshid``, ...) are removed and the
  remaining query parameters are sorted;
* the fragment is dropped unless it is a ``#!`` / ``#/`` route of a single-page app;
* a trailing slash of the path is removed.

Registered domains come from the Public Suffix List bundled in ``tldextract`` (no network):
``news.bbc.co.uk`` → ``bbc.co.uk``; private suffixes count, so ``x.blogspot.com`` stays a site
of its own. We do not use ``ural.normalize_url``: it follows the same ideas but costs ~100 µs
per URL, twenty times this module, which matters at millions of posts.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

import tldextract

__all__ = ["SHORTENERS", "is_shortener", "normalize_url", "registered_domain", "url_host"]

_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "cmpid",
        "ocid",
        "smid",
        "smtyp",
        "xtor",
        "wt_mc",
        "wt_zmc",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "fb_action_ids",
        "fb_action_types",
        "fb_source",
        "fb_ref",
        "action_object_map",
        "action_type_map",
        "action_ref_map",
        "spm",
        "si",
        "mibextid",
        "rdt",
        "share_id",
        "s_cid",
        "icid",
        "ito",
        "__tn__",
        "feature",
    }
)
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "__cft__", "hsa_", "oly_", "vero_", "trk_")
# Parameters that are tracking only on some hosts: twitter.com/x.com share links (?s=20&t=...).
_HOST_TRACKING = {"twitter.com": frozenset({"s", "t"}), "x.com": frozenset({"s", "t"})}
_WWW = re.compile(r"^www\d*\.")
_SPACE = re.compile(r"\s")
_OTHER_SCHEME = re.compile(r"^(?:mailto|tel|sms|tg|data|javascript|whatsapp|magnet|geo):", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

#: Hosts of well-known URL shorteners. A shortened URL is kept as it is when the export does
#: not carry its expanded form; readers prefer the expanded form whenever it is present.
SHORTENERS = frozenset(
    {
        "t.co",
        "bit.ly",
        "bitly.com",
        "buff.ly",
        "ow.ly",
        "goo.gl",
        "tinyurl.com",
        "is.gd",
        "dlvr.it",
        "ift.tt",
        "fb.me",
        "trib.al",
        "lnkd.in",
        "youtu.be",
        "t.me",
        "tiny.cc",
        "rebrand.ly",
        "shorturl.at",
        "cutt.ly",
        "amzn.to",
        "wp.me",
        "j.mp",
        "spoti.fi",
        "apple.co",
        "flip.it",
        "po.st",
        "shar.es",
        "qr.ae",
        "fal.cn",
        "vk.cc",
        "clck.ru",
    }
)


@lru_cache(maxsize=1 << 18)
def normalize_url(url: str) -> str | None:
    """Return the canonical form of ``url``, or ``None`` when it is not a usable URL.

    Pure and cached: the same string always gives the same answer.
    """
    s = url.strip()
    if not s or _SPACE.search(s):
        return None
    if _OTHER_SCHEME.match(s):
        return s
    if s.startswith("//"):
        s = "http:" + s
    elif not _SCHEME.match(s):
        s = "http://" + s
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return s
    netloc = parts.netloc.rpartition("@")[2]
    host, _, port = netloc.partition(":") if not netloc.startswith("[") else (netloc, "", "")
    host = _WWW.sub("", host.lower().rstrip("."))
    if not host or ("." not in host and not host.startswith("[")):
        return None
    if port and port not in ("80", "443"):
        if not port.isdigit():
            return None
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = _clean_query(parts.query, host)
    fragment = parts.fragment if parts.fragment[:1] in ("!", "/") else ""
    out = f"https://{host}{path}"
    if query:
        out += "?" + query
    if fragment:
        out += "#" + fragment
    return out


def _clean_query(query: str, host: str) -> str:
    """Drop tracking parameters and sort the rest, keeping their original encoding."""
    if not query:
        return ""
    host_tracking = _HOST_TRACKING.get(host, frozenset())
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key = pair.partition("=")[0].lower()
        if key in _TRACKING_PARAMS or key in host_tracking or key.startswith(_TRACKING_PREFIXES):
            continue
        kept.append(pair)
    kept.sort()
    return "&".join(kept)


def url_host(url: str) -> str:
    """The host of a normalised URL (without port)."""
    rest = url.partition("://")[2]
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return host.rsplit(":", 1)[0] if not host.startswith("[") else host


@cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: use the snapshot bundled in the package, never
    # the network or a cache on disk.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def registered_domain(host_or_url: str) -> str:
    """The registered domain (public suffix + one label) of a host or normalised URL.

    Falls back to the host itself for IP addresses and hosts without a known suffix.
    """
    host = url_host(host_or_url) if "://" in host_or_url else host_or_url
    return _host_domain(host)


@lru_cache(maxsize=1 << 16)
def _host_domain(host: str) -> str:
    host = _WWW.sub("", host.lower().rstrip("."))
    ext = _extractor()(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    return host


def is_shortener(url: str) -> bool:
    """Whether a (normalised) URL points at a known link shortener."""
    return url_host(url) in SHORTENERS
