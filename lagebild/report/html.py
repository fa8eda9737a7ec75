"""The situation report as one self-contained HTML page (inline CSS and SVG, no scripts).

Sections: summary, volume over time, narratives, matched false claims, coordinated
communities (with a network picture and evidence), spikes, what is missing, method and
parameters. Internal links jump to a community's evidence or a narrative's examples; external
links go to the fact-checkers' reviews. A print style sheet keeps figures and tables whole.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from lagebild.report.figures import bar_figure, network_figure, series_figure, svg
from lagebild.report.gather import ReportData

__all__ = ["render_html"]

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
       max-width: 1000px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #1f4e79;
     padding-bottom: .2rem; margin-top: 2.2rem; } h3 { margin-bottom: .3rem; }
.meta { color: #555; } .missing { background: #fff6e0; border-left: 4px solid #e0a800;
        padding: .5rem 1rem; } .empty { color: #777; font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .4rem; text-align: left;
         vertical-align: top; }
th { background: #f3f5f8; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .5rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; } code, pre { font-size: .8rem; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
nav a { margin-right: .8rem; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } nav { display: none; }
  figure, table, .card { break-inside: avoid; } h2 { break-after: avoid; } a { color: inherit; } }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _n(value: Any) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, bool):
        return _e(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, numbers.Number):
        number = float(value)  # type: ignore[arg-type]
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
    return _e(value)


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return _e(str(value)[:16].replace("T", " ")) if value else "—"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> str:
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        cells = (
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(svg_text: str, caption: str) -> str:
    return f"<figure>{svg_text}<figcaption>{_e(caption)}</figcaption></figure>"


def render_html(data: ReportData) -> str:
    """The whole report page."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Lagebild situation report {_period(data)}</title><style>{_CSS}</style></head>",
        "<body>",
        "<h1>Lagebild — situation report</h1>",
        f"<p class='meta'>Period: {_period(data)} · generated {_when(data.generated_at)} UTC "
        f"· store <code>{_e(data.data_dir)}</code></p>",
        "<nav><a href='#volume'>Volume</a><a href='#narratives'>Narratives</a>"
        "<a href='#claims'>False claims</a><a href='#communities'>Coordination</a>"
        "<a href='#spikes'>Spikes</a><a href='#missing'>Missing</a>"
        "<a href='#method'>Method</a></nav>",
        _summary(data),
        _volume(data),
        _narratives(data),
        _claims(data),
        _communities(data),
        _spikes(data),
        _missing(data),
        _method(data),
        "</body></html>",
    ]
    return "\n".join(parts)


def _period(data: ReportData) -> str:
    p, t = data.params, data.totals
    start = p.since or t.get("first")
    end = p.until or t.get("last")
    return f"{_when(start)} – {_when(end)}" if start or end else "all time"


def _summary(data: ReportData) -> str:
    t = data.totals
    cards = [
        ("posts", _n(t.get("posts"))),
        ("accounts", _n(t.get("accounts"))),
        ("platforms", _e(", ".join(t.get("platforms") or []) or "—")),
        ("views", _n(t.get("views")) if t.get("posts_with_views") else "not reported"),
        ("narratives", _n(len(data.narratives))),
        ("false claims matched", _n(len(data.claims))),
        ("coordinated communities", _n(len(data.communities))),
        ("spikes", _n(len(data.spikes))),
    ]
    body = "".join(f"<div class='card'><b>{v}</b>{_e(k)}</div>" for k, v in cards)
    return f"<section id='summary'><h2>Summary</h2><div class='cards'>{body}</div></section>"


def _volume(data: ReportData) -> str:
    head = "<section id='volume'><h2>Volume over time</h2>"
    if not data.volume:
        return head + "<p class='empty'>No posts in this period.</p></section>"
    series: dict[str, list[tuple[dt.datetime, float]]] = {}
    for r in data.volume:
        series.setdefault(r["platform"], []).append((r["t"], float(r["posts"])))
    bucket = data.totals.get("bucket", "day")
    fig = series_figure(
        series, title=f"Posts per {bucket} and platform", ylabel="posts", stacked=True
    )
    return head + _figure(svg(fig), f"Posts per {bucket}, stacked by platform.") + "</section>"


def _narratives(data: ReportData) -> str:
    head = "<section id='narratives'><h2>Top narratives and their growth</h2>"
    if not data.narratives:
        return head + "<p class='empty'>No narratives for this period (see Missing).</p></section>"
    rows = [
        (
            f"<a href='#n-{_e(r['id'])}'>{_e(r['id'])}</a>",
            _e(", ".join(r["terms"][:6])),
            _n(r["posts"]),
            _n(r["accounts"]),
            _n(r["last_24h"]),
            "—" if r["growth"] is None else f"×{r['growth']:.3g}",
            _n(len(r["factchecks"])),
        )
        for r in data.narratives
    ]
    table = _table(
        [
            "narrative",
            "distinctive terms",
            "posts",
            "accounts",
            "last 24 h",
            "growth",
            "fact-checks",
        ],
        rows,
        {2, 3, 4, 5, 6},
    )
    labels = {r["id"]: r["id"] + ": " + ", ".join(r["terms"][:3]) for r in data.narratives}
    series: dict[str, list[tuple[dt.datetime, float]]] = {}
    for r in data.narrative_series:
        series.setdefault(labels[r["narrative_id"]], []).append((r["bucket"], float(r["posts"])))
    fig = ""
    if series:
        bucket = data.totals.get("bucket", "day")
        fig = _figure(
            svg(series_figure(series, title=f"Top narratives, posts per {bucket}", ylabel="posts")),
            "The five largest narratives over time.",
        )
    details = []
    for r in data.narratives:
        examples = "".join(f"<li>{_e(x['text'])}</li>" for x in r["examples"])
        checks = "".join(
            f"<li>{_e(f['verdict'])}: {_e(f['claim'])} ({_n(f['posts'])} posts)</li>"
            for f in r["factchecks"]
        )
        details.append(
            f"<h3 id='n-{_e(r['id'])}'>{_e(r['id'])}: {_e(', '.join(r['terms']))}</h3>"
            f"<p>{_n(r['posts'])} posts by {_n(r['accounts'])} accounts on "
            f"{_e(', '.join(r['platforms']))}, {_when(r['first'])} – {_when(r['last'])}.</p>"
            f"<ul>{examples}</ul>"
            + (f"<p>Matched fact-checks:</p><ul>{checks}</ul>" if checks else "")
        )
    return head + table + fig + "".join(details) + "</section>"


def _claims(data: ReportData) -> str:
    head = "<section id='claims'><h2>Matched false claims: reach and amplifiers</h2>"
    if not data.claims:
        return head + "<p class='empty'>No matched false claims (see Missing).</p></section>"
    rows = []
    for r in data.claims:
        link = (
            f"<a href='{_e(r['review_url'])}'>{_e(r['reviewer'] or 'review')}</a>"
            if r.get("review_url")
            else _e(r.get("reviewer") or "")
        )
        rows.append(
            (
                _e(r["claim"]),
                _e(r["verdict"]),
                _n(r["posts"]),
                _n(r["accounts"]),
                _n(r["views"]) if r["posts_with_views"] else "not reported",
                _n(r["engagement"]),
                _when(r["first"]),
                link,
            )
        )
    table = _table(
        [
            "claim",
            "verdict",
            "posts",
            "accounts",
            "views",
            "engagement",
            "first seen",
            "fact-check",
        ],
        rows,
        {2, 3, 4, 5},
    )
    fig = bar_figure(
        [r["claim"] for r in data.claims],
        [float(r["posts"]) for r in data.claims],
        title="Posts repeating each false claim",
        xlabel="posts",
        notes=[f"{r['accounts']} accounts" for r in data.claims],
    )
    amplifiers = []
    for r in data.claims:
        top = r.get("amplifiers") or []
        if not top:
            continue
        amp_rows = [
            (
                _e(a.get("handle") or a.get("account_id")),
                _e(a.get("platform")),
                _n(a.get("reach")),
                _e(a.get("reach_kind", "")),
                _n(a.get("followers")),
                _e(", ".join(a.get("communities") or []) or "—"),
            )
            for a in top
        ]
        amplifiers.append(
            f"<h3>Top amplifiers: {_e(r['claim'][:90])}</h3>"
            + _table(
                [
                    "account",
                    "platform",
                    "reach added",
                    "measured/estimate",
                    "followers",
                    "coordinated community",
                ],
                amp_rows,
                {2, 4},
            )
        )
    return (
        head
        + table
        + _figure(svg(fig), "Matched posts per claim.")
        + "".join(amplifiers)
        + ("</section>")
    )


def _communities(data: ReportData) -> str:
    head = "<section id='communities'><h2>Coordinated communities</h2>"
    if not data.communities:
        return head + "<p class='empty'>No coordinated communities (see Missing).</p></section>"
    rows = [
        (
            f"<a href='#c-{_e(c['id'])}'>{_e(c['id'])}</a>",
            _n(c["size"]),
            _e(", ".join(c.get("platforms") or [])),
            f"{_when(c.get('first'))} – {_when(c.get('last'))}",
            _n(c.get("pairs")),
            _n(c.get("objects")),
            "—" if c.get("p_value") is None else f"{c['p_value']:.3g}",
        )
        for c in data.communities
    ]
    table = _table(
        ["community", "accounts", "platforms", "time span", "co-shares", "objects", "p-value"],
        rows,
        {1, 4, 5},
    )
    for i, c in enumerate(data.communities):
        c["label"] = f"#{i + 1}"
    picture = _figure(
        svg(network_figure(data.communities, title="Coordinated accounts (edges: co-shares)")),
        "Each dot an account, each line coordinated shares; colours are communities.",
    )
    details = []
    for c in data.communities:
        objects = ", ".join(
            f"{_e(o.get('kind'))}: {_e(o.get('object_id'))} ({_n(o.get('pairs'))})"
            for o in (c.get("top_objects") or [])[:5]
        )
        ev_rows = [
            (
                _e(e.get("account_id")),
                _e(e.get("content_id")),
                _when(e.get("time")),
                _e(e.get("account_id_y")),
                _e(e.get("content_id_y")),
                _n(e.get("time_delta")),
                _e(f"{e.get('kind')}: {e.get('object_id')}"),
            )
            for e in c.get("evidence") or []
        ]
        details.append(
            f"<h3 id='c-{_e(c['id'])}'>Community {_e(c['label'])} ({_e(c['id'])})</h3>"
            f"<p>{_e(c['summary'])}</p><p>Top objects: {objects or '—'}</p>"
            + _table(
                ["account", "post", "time", "account", "post", "Δ s", "shared object"], ev_rows, {5}
            )
        )
    return head + table + picture + "".join(details) + "</section>"


def _spikes(data: ReportData) -> str:
    head = "<section id='spikes'><h2>Spikes</h2>"
    if not data.spikes:
        return head + "<p class='empty'>No spikes (see Missing).</p></section>"
    rows = [(_e(s["summary"]), f"{s['score']:.1f}") for s in data.spikes]
    table = _table(["spike", "score (−log10 p)"], rows, {1})
    series: dict[str, list[tuple[dt.datetime, float]]] = {}
    for s in data.spikes[:4]:
        points = s["details"].get("series") or []
        d = s["details"]
        label = str(d.get("label") or f"{d.get('kind', '')}: {d.get('key', '')}")[:40]
        parsed = [
            (_parse_time(p.get("hour") or p.get("t")), float(p.get("posts", 0)))
            for p in points
            if isinstance(p, dict) and (p.get("hour") or p.get("t"))
        ]
        if parsed:
            series[label] = parsed
    fig = (
        _figure(
            svg(series_figure(series, title="Largest spikes, posts per hour", ylabel="posts")),
            "Hourly posts around each spike.",
        )
        if series
        else ""
    )
    return head + table + fig + "</section>"


def _parse_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _missing(data: ReportData) -> str:
    items = "".join(f"<li>{_e(m)}</li>" for m in data.missing) or "<li>Nothing missing.</li>"
    return (
        f"<section id='missing'><h2>What is missing</h2><div class='missing'><ul>{items}"
        "</ul></div></section>"
    )


def _method(data: ReportData) -> str:
    parts = ["<section id='method'><h2>Method and parameters</h2>"]
    parts.append(
        "<p>Narratives: distinct post texts are sampled, embedded with the multilingual "
        "Universal Sentence Encoder and clustered with Leiden on a nearest-neighbour graph; "
        "labels are class-based TF-IDF terms; other posts join a narrative by lexical "
        "similarity to its terms. Claim matches: hybrid BM25 + dense retrieval over the "
        "fact-check store, re-ranked, with calibrated thresholds. Coordination: posts by "
        "different accounts on the same object within a time window, Leiden communities, "
        "null-model p-values where computed. Spikes: hourly counts against each key's own "
        "seasonal baseline, Poisson tail probability.</p>"
    )
    if data.narrative_model:
        parts.append(
            "<h3>Narratives model</h3><pre>"
            + _e(json.dumps(data.narrative_model, indent=1, default=str))
            + "</pre>"
        )
    for kind, m in data.method.items():
        parts.append(
            f"<h3>{_e(kind)}</h3><p>{_n(m['findings'])} findings, latest {_when(m['latest'])}."
            f"</p><pre>{_e(json.dumps(m['params'], indent=1, default=str)[:3000])}</pre>"
        )
    parts.append("</section>")
    return "".join(parts)
