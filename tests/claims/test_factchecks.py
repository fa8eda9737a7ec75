"""The fact-check store: records and ids, verdicts, readers, sniffing, storage, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lagebild.claims.factchecks import (
    FACTCHECK_SCHEMA,
    FactCheck,
    FactCheckOptions,
    factcheck_id,
    factchecks_to_table,
    normalize_claim,
    table_to_factchecks,
)
from lagebild.claims.formats import FACTCHECK_FORMATS, detect_format, read_factchecks
from lagebild.claims.store import FactCheckStore
from lagebild.claims.values import guess_language, language_code, parse_date
from lagebild.claims.verdicts import (
    VERDICTS,
    normalize_verdict,
    verdict_from_scale,
    verdict_from_text,
)
from lagebild.cli import app
from lagebild.errors import (
    ConfigError,
    FormatError,
    RecordError,
    StoreLockedError,
    UnknownFormatError,
)
from lagebild.model import Reject
from lagebild.store import PostStore
from lagebild.store.parts import list_parts, writer_lock

FIX = Path(__file__).resolve().parent / "fixtures" / "factchecks"
CORRECTIV = FIX / "correctiv_claimreview.json"
AFP = FIX / "afp_graph.json"
DPA = FIX / "dpa_faktencheck.html"
GOOGLE = FIX / "google_claims_search.json"
GOOGLE_PAGES = FIX / "google_pages.jsonl"
TSV_2020 = FIX / "verified_claims.docs.tsv"
JSONL_2021 = FIX / "vclaims.jsonl"
CSV = FIX / "team_debunks.csv"
T0 = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
OPTIONS = FactCheckOptions(added_at=T0)


def read(
    path: Path, fmt: str | None = None, **options: Any
) -> tuple[list[FactCheck], list[Reject]]:
    items = list(read_factchecks(path, fmt, FactCheckOptions(added_at=T0, **options)))
    facts = [i for i in items if isinstance(i, FactCheck)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(facts) + len(rejects) == len(items)
    return facts, rejects


# --- verdicts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [
        ("Falsch", "false"),
        ("FALSCH!", "false"),
        ("Fake", "false"),
        ("Frei erfunden", "false"),
        ("Manipuliert", "false"),
        ("Fälschung", "false"),
        ("Stimmt nicht", "false"),
        ("Unwahr", "false"),
        ("False", "false"),
        ("Pants on Fire!", "false"),
        ("pants-on-fire", "false"),
        ("Four Pinocchios", "false"),
        ("Incorrect", "false"),
        ("Not true", "false"),
        ("Altered photo", "false"),
        ("Misattributed", "false"),
        ("Scam", "false"),
        ("Falso", "false"),
        ("Faux", "false"),
        ("False. There is no evidence that ballots were destroyed.", "false"),
        ("Irreführend", "misleading"),
        ("irrefuehrend", "misleading"),
        ("Teilweise falsch", "misleading"),
        ("Größtenteils falsch", "misleading"),
        ("Fehlender Kontext", "misleading"),
        ("Zusammenhang fehlt", "misleading"),
        ("Aus dem Zusammenhang gerissen", "misleading"),
        ("Übertrieben", "misleading"),
        ("Misleading", "misleading"),
        ("Missing context", "misleading"),
        ("Mostly False", "misleading"),
        ("Partly false", "misleading"),
        ("Out of context", "misleading"),
        ("Miscaptioned", "misleading"),
        ("Trompeur", "misleading"),
        ("Engañoso", "misleading"),
        ("Half True", "mixed"),
        ("Halb wahr", "mixed"),
        ("Teilweise richtig", "mixed"),
        ("Mixture", "mixed"),
        ("Stimmt teilweise", "mixed"),
        ("True", "true"),
        ("Mostly true", "true"),
        ("Richtig", "true"),
        ("Wahr", "true"),
        ("Stimmt", "true"),
        ("Correct attribution", "true"),
        ("Satire", "other"),
        ("Labeled Satire", "other"),
        ("Satire (not true)", "other"),
        ("Unproven", "other"),
        ("Unbelegt", "other"),
        ("nicht belegt", "other"),
        ("Research in progress", "other"),
        ("Flip-flop", "other"),
        ("", "other"),
        ("xyz 123", "other"),
    ],
)
def test_textual_ratings_are_normalised(rating: str, verdict: str) -> None:
    assert normalize_verdict(rating) == verdict


@pytest.mark.parametrize(
    ("value", "best", "worst", "verdict"),
    [
        (1, None, None, "false"),
        ("2", "5", "1", "misleading"),
        (3, 5, 1, "mixed"),
        (4, 5, 1, "true"),
        (5, 5, 1, "true"),
        (0, 10, 0, "false"),
        (10, 10, 0, "true"),
        (5, 1, 5, "false"),  # a scale where the larger number is the worst
        (7, 5, 1, None),  # outside the scale
        (3, 3, 3, None),  # no scale at all
        ("three", 5, 1, None),
        (float("nan"), 5, 1, None),
        (True, 5, 1, None),
    ],
)
def test_numeric_ratings_use_the_scale(
    value: Any, best: Any, worst: Any, verdict: str | None
) -> None:
    assert verdict_from_scale(value, best, worst) == verdict


def test_text_wins_over_the_number_and_the_number_over_nothing() -> None:
    assert normalize_verdict("Satire", 1, 5, 1) == "other"
    assert normalize_verdict("Wahlbetrug!!", 1, 5, 1) == "false"  # unknown text: the number
    assert normalize_verdict(None, None) == "other"
    assert verdict_from_text("nothing we know") is None


_ANY = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(rating=st.one_of(st.none(), st.text(max_size=200)), value=_ANY, best=_ANY, worst=_ANY)
def test_normaliser_never_crashes_and_returns_a_verdict(
    rating: str | None, value: Any, best: Any, worst: Any
) -> None:
    assert normalize_verdict(rating, value, best, worst) in VERDICTS


# --- values and ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("2024-05-28", dt.date(2024, 5, 28)),
        ("2024-05-28T23:30:00+02:00", dt.date(2024, 5, 28)),  # as written, not UTC
        ("2020-11-12T16:45:00Z", dt.date(2020, 11, 12)),
        ("26 May 2015", dt.date(2015, 5, 26)),
        ("21February 2009", dt.date(2009, 2, 21)),
        ("May 26, 2015", dt.date(2015, 5, 26)),
        ("26. Mai 2015", dt.date(2015, 5, 26)),
        ("10.02.2025", dt.date(2025, 2, 10)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_publishers_shapes(raw: str | None, date: dt.date | None) -> None:
    assert parse_date(raw, "review_date") == date


@pytest.mark.parametrize("raw", ["2025-02-30", "sometime in May", "1 May 1066", "12"])
def test_unreadable_dates_name_the_field(raw: str) -> None:
    with pytest.raises(RecordError, match="review_date"):
        parse_date(raw, "review_date")


def test_language_codes_and_the_de_en_heuristic() -> None:
    assert language_code("de-DE") == "de"
    assert language_code("en_US") == "en"
    assert language_code("German") == "de"
    assert language_code({"@type": "Language", "name": "English", "alternateName": "en"}) == "en"
    assert language_code(["xx", "fr"]) == "fr"
    assert language_code("klingonisch") is None
    assert guess_language("Die Briefwahl ist nicht sicher, sagt er.") == "de"
    assert guess_language("The ballots were not counted in the state.") == "en"
    assert guess_language("Wähler für Höcke") == "de"  # umlauts count for German
    assert guess_language("Merkel") is None
    assert guess_language("Le vote par correspondance est interdit") is None


def test_ids_are_stable_and_keep_different_claims_apart() -> None:
    url = "https://www.politifact.com/factchecks/2020/nov/12/x/"
    same_url = "http://politifact.com/factchecks/2020/nov/12/x?utm_source=twitter"
    assert factcheck_id("Claim A.", review_url=url) == factcheck_id("claim  a", review_url=same_url)
    assert factcheck_id("Claim A", review_url=url) != factcheck_id("Claim B", review_url=url)
    assert factcheck_id("Claim A", reviewer="Snopes") == factcheck_id(
        "“claim a”", reviewer="snopes"
    )
    assert factcheck_id("Claim A", reviewer="Snopes") != factcheck_id("Claim A", reviewer="AFP")
    ext = factcheck_id("the", external_id="1", namespace="checkthat")
    assert ext != factcheck_id("the", external_id="2", namespace="checkthat")
    assert ext != factcheck_id("the", external_id="1", namespace="csv")
    assert len(ext) == 16 and int(ext, 16) >= 0
    assert normalize_claim("  „Die Wahl  ist gefälscht“. ") == "die wahl ist gefälscht"


def test_records_round_trip_through_arrow() -> None:
    facts, _ = read(CORRECTIV)
    table = factchecks_to_table(facts)
    assert table.schema.equals(FACTCHECK_SCHEMA)
    assert table_to_factchecks(table) == facts
    assert factchecks_to_table([]).num_rows == 0


# --- readers ----------------------------------------------------------------------------------


def test_claimreview_single_object_german() -> None:
    (fc,), rejects = read(CORRECTIV)
    assert rejects == []
    assert fc.claim.startswith("Bei der Europawahl werden Briefwahlstimmen")
    assert fc.claimant == "Telegram-Kanal „Wahlwächter“"
    assert fc.claim_date == dt.date(2024, 5, 24)
    assert (fc.rating, fc.verdict) == ("Falsch", "false")
    assert fc.reviewer == "CORRECTIV.Faktencheck"
    assert fc.review_url and fc.review_url.startswith("https://correctiv.org/faktencheck/2024/")
    assert fc.review_date == dt.date(2024, 5, 28)
    assert fc.language == "de"
    assert fc.title and fc.title.startswith("Nein, Briefwahlstimmen")
    assert fc.summary and "Auslandsdeutschen" in fc.summary
    assert (fc.source, fc.added_by, fc.added_at) == ("correctiv_claimreview.json:1", "import", T0)
    assert fc.factcheck_id == factcheck_id(fc.claim, review_url=fc.review_url)


def test_claimreview_graph_english_with_numeric_rating_and_a_bad_node() -> None:
    facts, rejects = read(AFP)
    assert [f.verdict for f in facts] == ["false", "misleading"]
    first, second = facts
    assert first.claimant == "Social media users"
    assert first.claim_date == dt.date(2024, 10, 24)  # itemReviewed.firstAppearance
    assert first.title == "Video of destroyed Trump ballots is fabricated, officials say"
    assert (first.language, second.language) == ("en", "en")
    assert first.source == "afp_graph.json:1:@graph[2]"
    assert second.rating is None  # no textual rating: 2 on a 1-5 scale
    assert [(r.pointer, r.format) for r in rejects] == [("@graph[4]", "claimreview")]
    assert "claimReviewed" in rejects[0].reason
    assert "Missing context" in rejects[0].raw


def test_claimreview_embedded_in_html() -> None:
    (fc,), (bad,) = read(DPA)
    assert fc.claim.startswith("Stimmzettel mit einem Loch")
    assert (fc.rating, fc.verdict, fc.language) == ("Fehlender Kontext", "misleading", "de")
    assert fc.reviewer == "dpa-Faktencheck"
    assert fc.source == "dpa_faktencheck.html:10:script[1]"
    assert (bad.line, bad.pointer) == (25, "script[2]")
    assert "not valid JSON" in bad.reason


def test_html_or_json_without_claimreview_is_one_quarantined_record(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Nichts</title></head><body>Kein Markup</body></html>")
    facts, (reject,) = read(page)
    assert facts == []
    assert "no schema.org ClaimReview" in reject.reason
    other = tmp_path / "other.json"
    other.write_text('{"@context": "https://schema.org", "@type": "WebPage", "ClaimReview": 1}')
    assert read(other, "claimreview")[1][0].reason.startswith("no schema.org ClaimReview")


def test_claimreview_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"@type": "ClaimReview", "claimReviewed": "Claim one is made here", "url": u})
        for u in ("https://a.example.org/1", "https://a.example.org/2")
    ]
    path = tmp_path / "reviews.jsonl"
    path.write_text(f"{lines[0]}\n{{broken\n{lines[1]}\n")
    facts, (bad,) = read(path)
    assert [f.source for f in facts] == ["reviews.jsonl:1", "reviews.jsonl:3"]
    assert bad.line == 2 and "not valid JSON" in bad.reason


def test_google_claims_search_page() -> None:
    facts, rejects = read(GOOGLE)
    assert [(f.reviewer, f.verdict, f.language) for f in facts] == [
        ("PolitiFact", "false", "en"),
        ("Correctiv", "false", "de"),
        ("mimikama.org", "misleading", "de"),
    ]
    politifact = facts[0]
    assert politifact.claim == "Mail-in ballots were counted twice in Arizona in 2020"
    assert politifact.claimant == "Viral Facebook post"
    assert politifact.claim_date == dt.date(2020, 11, 10)
    assert politifact.review_date == dt.date(2020, 11, 12)
    assert politifact.rating == "Pants on Fire"
    assert politifact.source == "google_claims_search.json:1:claims[0].claimReview[0]"
    assert facts[0].factcheck_id != facts[1].factcheck_id
    assert [(r.pointer, r.reason) for r in rejects] == [
        ("claims[1].claimReview[1]", "claimReview is not an object but str"),
        ("claims[2]", "missing text (the claim)"),
    ]


def test_google_pages_as_json_lines() -> None:
    facts, (bad,) = read(GOOGLE_PAGES)
    assert [f.source for f in facts] == [
        "google_pages.jsonl:1:claims[0].claimReview[0]",
        "google_pages.jsonl:2:claims[0].claimReview[0]",
        "google_pages.jsonl:2:claims[1].claimReview[0]",
    ]
    assert facts[0].factcheck_id == facts[1].factcheck_id  # same review, URL spelt otherwise
    assert facts[2].verdict == "true"
    assert bad.line == 4


def test_checkthat_2020_tsv() -> None:
    facts, rejects = read(TSV_2020)
    assert rejects == []
    assert len(facts) == 20
    first = facts[0]
    assert first.external_id == "0"
    assert first.claim.startswith("122 detainees released")
    assert first.title and first.title.startswith("Did 122 Prisoners Released from Guantanamo")
    assert (first.verdict, first.reviewer, first.rating) == ("other", None, None)
    assert first.language == "en"
    multiline = facts[18]
    assert multiline.external_id == "3057"
    assert "Veterans\nAdministration" in multiline.claim
    assert multiline.source == "verified_claims.docs.tsv:20"
    assert facts[19].source == "verified_claims.docs.tsv:22"
    assert len({f.factcheck_id for f in facts}) == 20
    assert {f.reviewer for f in read(TSV_2020, reviewer="Snopes")[0]} == {"Snopes"}


def test_checkthat_2021_jsonl() -> None:
    facts, rejects = read(JSONL_2021)
    assert rejects == []
    assert len(facts) == 20
    first = facts[0]
    assert first.external_id == "vclaim-sno-1-mcdonald39s-any-size-fries"
    assert first.summary and first.summary.startswith("Rumor: McDonald's")
    assert first.review_date == dt.date(2015, 5, 26)
    by_id = {f.external_id: f for f in facts}
    assert len(by_id) == 20
    dates = [f.review_date for f in facts]
    assert dates.count(None) == 2  # one empty date, one text fragment in the date field
    jefferson = [f for f in facts if f.title == "Thomas Jefferson on Banks"]
    assert len(jefferson) == 2  # same claim text, two vclaim_ids: both kept
    assert jefferson[0].factcheck_id != jefferson[1].factcheck_id


def test_csv_of_the_teams_own_debunks_with_bad_rows() -> None:
    facts, rejects = read(CSV)
    assert [(f.verdict, f.language, f.review_date) for f in facts] == [
        ("false", "de", dt.date(2025, 2, 10)),
        ("misleading", "en", dt.date(2025, 2, 10)),
        ("misleading", "de", dt.date(2025, 2, 10)),  # language guessed
    ]
    first = facts[0]
    assert first.review_url == "https://lagebild.example.org/debunks/zweimal-waehlen"
    assert (first.claimant, first.reviewer) == ("Kettenbrief auf WhatsApp", "Team Lagebild")
    assert first.source == "team_debunks.csv:2"
    reasons = {r.line: r.reason for r in rejects}
    assert reasons == {
        5: "missing claim",
        6: "unreadable review_date: '2025-02-30'",
        7: "language 'klingonisch' is not an ISO 639-1 code or a known name",
        8: "verdict 'vielleicht' is not one of false, misleading, true, mixed, other nor a known "
        "rating",
        9: "review URL is not a web address: 'not a url'",
        10: "expected 9 columns, found 2",
    }
    assert all(r.format == "csv" for r in rejects)


def test_csv_without_claim_column_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("text,rating\nfoo,false\n")
    with pytest.raises(FormatError, match="no 'claim' column"):
        read(path, "csv")


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (CORRECTIV, "claimreview"),
        (AFP, "claimreview"),
        (DPA, "claimreview"),
        (GOOGLE, "google-factcheck"),
        (GOOGLE_PAGES, "google-factcheck"),
        (TSV_2020, "checkthat"),
        (JSONL_2021, "checkthat"),
        (CSV, "csv"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_formats_are_sniffed(path: Path, fmt: str) -> None:
    assert detect_format(path).name == fmt


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("  \n")
    with pytest.raises(FormatError, match="the file is empty"):
        detect_format(empty)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(UnknownFormatError, match="not a known fact-check format") as info:
        detect_format(odd)
    assert info.value.hint and "--format" in info.value.hint
    with pytest.raises(FormatError, match="unknown fact-check format 'xml'"):
        read(CSV, "xml")


ALL_FIXTURES = [CORRECTIV, AFP, DPA, GOOGLE, GOOGLE_PAGES, TSV_2020, JSONL_2021, CSV]


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.name)
def test_truncated_files_never_crash_a_reader(path: Path, tmp_path: Path) -> None:
    """Every reader on every cut of every fixture: fact-checks and rejects, or a FormatError."""
    data = path.read_bytes()
    for name, fmt in FACTCHECK_FORMATS.items():
        for cut in range(1, len(data), max(1, len(data) // 23)):
            part = tmp_path / f"cut{path.suffix}"
            part.write_bytes(data[:cut])
            try:
                items = list(fmt.read(part, OPTIONS))
            except FormatError:
                continue
            assert all(isinstance(i, FactCheck | Reject) for i in items), (name, cut)
            assert all(i.verdict in VERDICTS for i in items if isinstance(i, FactCheck))


# --- the store --------------------------------------------------------------------------------


def test_import_is_idempotent_and_counts_add_up(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    report = store.import_paths(ALL_FIXTURES)
    for f in report.files:
        assert f.read == f.added + f.duplicates + f.quarantined, f
    by_name = {Path(f.path).name: f for f in report.files}
    assert (by_name["google_pages.jsonl"].added, by_name["google_pages.jsonl"].duplicates) == (2, 1)
    assert report.total("quarantined") == 1 + 1 + 2 + 1 + 6
    live = report.total("added")
    assert store.count() == live == 1 + 2 + 1 + 3 + 2 + 20 + 20 + 3
    table = store.table()
    assert table.column_names == FACTCHECK_SCHEMA.names
    assert all(a.type == b.type for a, b in zip(table.schema, FACTCHECK_SCHEMA, strict=True))
    again = store.import_paths([FIX])  # the folder: the same files again
    assert again.total("added") == 0
    assert again.total("duplicates") == live + report.total("duplicates")  # one within a file
    assert store.count() == live
    assert len(list_parts(store.folder("factchecks"))) == 1


def test_quarantined_records_go_to_the_shared_quarantine_once(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    store.import_file(CSV)
    store.import_file(CSV)
    rows = (
        PostStore(tmp_path / "data")
        .query("SELECT source, line, format, reason FROM quarantine ORDER BY line")
        .to_pylist()
    )
    assert [r["line"] for r in rows] == [5, 6, 7, 8, 9, 10]
    assert {r["format"] for r in rows} == {"csv"}
    assert rows[0]["source"] == str(CSV)
    assert rows[0]["reason"] == "missing claim"


def test_large_imports_go_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lagebild.claims.importing.BATCH", 6)
    store = FactCheckStore(tmp_path / "data")
    result = store.import_file(JSONL_2021)
    assert (result.added, len(list_parts(store.folder("factchecks")))) == (20, 4)
    assert store.import_file(JSONL_2021).added == 0


def test_remove_keeps_removed_on_reimport_and_add_brings_back(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    store.import_file(CORRECTIV)
    (fc,) = table_to_factchecks(store.table())
    result = store.remove([fc.factcheck_id, fc.factcheck_id], by="alice", reason="Duplikat")
    assert (result.removed, result.already_removed) == ((fc.factcheck_id,), ())
    assert store.get(fc.factcheck_id) is None
    assert store.count() == 0
    removal = store.removal(fc.factcheck_id)
    assert removal is not None
    assert (removal.removed_by, removal.reason) == ("alice", "Duplikat")
    again = store.import_file(CORRECTIV)
    assert (again.added, again.duplicates, again.removed) == (0, 1, 1)
    assert store.get(fc.factcheck_id) is None
    assert store.remove([fc.factcheck_id], by="bob").already_removed == (fc.factcheck_id,)
    back = store.add(
        claim=fc.claim, verdict="false", by="bob", review_url=fc.review_url, rating="Falsch"
    )
    assert back.factcheck_id == fc.factcheck_id
    live = store.get(fc.factcheck_id)
    assert live is not None and (live.added_by, live.source) == ("bob", "add")
    assert store.removal(fc.factcheck_id) is None
    assert store.count() == 1


def test_remove_unknown_ids_removes_nothing(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    store.import_file(CORRECTIV)
    (known,) = store.table().column("factcheck_id").to_pylist()
    with pytest.raises(ConfigError, match="no fact-check with id 0123456789abcdef"):
        store.remove([known, "0123456789abcdef"], by="alice")
    assert store.count() == 1
    with pytest.raises(ConfigError, match="no fact-check ids"):
        store.remove(["  "], by="alice")


def test_add_the_teams_own_debunk(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    fc = store.add(
        claim="Wer mit Bleistift wählt, dessen Stimme wird ungültig.",
        verdict="false",
        by="alice",
        reviewer="Team Lagebild",
        claim_date=dt.date(2025, 2, 1),
    )
    assert (fc.language, fc.verdict, fc.rating, fc.added_by) == ("de", "false", None, "alice")
    assert fc.review_date == dt.datetime.now(dt.UTC).date()
    assert store.get(fc.factcheck_id) == fc
    with pytest.raises(ConfigError, match="already in the store"):
        store.add(claim=fc.claim, verdict="false", by="bob", reviewer="team lagebild")
    for kwargs, message in [
        ({"verdict": "wrong"}, "unknown verdict 'wrong'"),
        ({"claim": " "}, "the claim is empty"),
        ({"language": "klingonisch"}, "unknown language"),
        ({"review_url": "no url"}, "not a web address"),
        ({"by": ""}, "who adds the fact-check"),
    ]:
        args: dict[str, Any] = {"claim": "Another claim", "verdict": "true", "by": "a", **kwargs}
        with pytest.raises(ConfigError, match=message):
            store.add(**args)


def test_search_filters(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    store.import_paths([CORRECTIV, AFP, GOOGLE, CSV])
    rows, total = store.search(verdict="false", language="German")
    assert total == 3 == rows.num_rows
    rows, total = store.search(text="BRIEFWAHL", limit=1)
    assert (rows.num_rows, total) == (1, 3)
    assert rows.column("review_date").to_pylist() == [dt.date(2024, 5, 28)]  # newest first
    with pytest.raises(ConfigError, match="unknown verdict"):
        store.search(verdict="fake")


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    with writer_lock(store.data_dir), pytest.raises(StoreLockedError):
        store.import_file(CORRECTIV)


def test_missing_and_empty_files_fail_before_anything_is_written(tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for paths, message in [
        ([CORRECTIV, tmp_path / "nope.json"], "no such file"),
        ([CORRECTIV, empty], "the file is empty"),
    ]:
        with pytest.raises(FormatError, match=message):
            store.import_paths(paths)
    with pytest.raises(FormatError, match="the file is empty"):
        store.import_paths([empty], "csv")
    assert store.count() == 0
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "empty.json").write_text("")
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    (folder / "README.md").write_text("# not data")
    report = store.import_paths([folder])
    assert report.files == ()
    assert sorted(Path(s.path).name for s in report.skipped) == ["empty.json", "notes.csv"]


@pytest.mark.shared_data
def test_real_checkthat_files(shared_data: Path, tmp_path: Path) -> None:
    store = FactCheckStore(tmp_path / "data")
    report = store.import_paths(
        [
            shared_data / "claims" / "checkthat2020_task2" / "verified_claims.docs.tsv",
            shared_data / "claims" / "checkthat2021_task2a" / "vclaims.jsonl",
        ],
        reviewer="Snopes",
    )
    assert [(f.read, f.added, f.quarantined) for f in report.files] == [
        (10375, 10375, 0),
        (13824, 13824, 0),
    ]
    ids = store.table().column("external_id").to_pylist()
    assert len(set(ids)) == len(ids) == 24199


# --- the command line -------------------------------------------------------------------------


def cli(data: Path, *args: str, code: int = 0) -> Any:
    runner = CliRunner(env={"COLUMNS": "300"})
    result = runner.invoke(app, ["--data-dir", str(data), "factchecks", *args])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    if code == 0 and "--json" in args:
        return json.loads(result.stdout)
    return result


def test_cli_import_list_show(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = cli(data, "import", str(FIX), "--json")
    assert (out["read"], out["quarantined"]) == (sum(f["read"] for f in out["files"]), 11)
    assert out["added"] == 52
    assert out["copies"] == FactCheckStore(data).copies()
    assert cli(data, "import", str(CSV), "--json")["added"] == 0
    human = cli(data, "import", str(CSV)).stdout
    assert "lagebild quarantine --records" in human
    rows = cli(data, "list", "--verdict", "false", "--language", "de", "--json")
    assert {r["reviewer"] for r in rows} == {"CORRECTIV.Faktencheck", "Correctiv", "Team Lagebild"}
    assert all(isinstance(r["review_date"], str) for r in rows)
    assert len(cli(data, "list", "--limit", "5", "--json")) == 5
    listing = cli(data, "list", "--search", "Briefwahl").stdout
    assert "3 of 3 fact-checks" in listing
    shown = cli(data, "show", rows[0]["factcheck_id"], "--json")
    assert shown.pop("same_claim") == []
    assert shown == rows[0]
    assert "verdict" in cli(data, "show", rows[0]["factcheck_id"]).stdout
    assert "claimreview" in cli(data, "formats").stdout


def test_cli_add_remove_and_reimport(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("USER", "carol")
    monkeypatch.delenv("LOGNAME", raising=False)
    claim = "Die Briefwahl ist ab 2025 nicht mehr erlaubt."
    added = cli(data, "add", "--claim", claim, "--verdict", "false",
                "--rating", "Falsch", "--url", "https://lagebild.example.org/d/1",
                "--date", "12.02.2025", "--json")  # fmt: skip
    assert (added["added_by"], added["review_date"], added["language"]) == (
        "carol",
        "2025-02-12",
        "de",
    )
    fid = added["factcheck_id"]
    removed = cli(data, "remove", fid, "--reason", "Tippfehler", "--by", "dave", "--json")
    assert removed == {"removed": [fid], "already_removed": []}
    gone = cli(data, "show", fid, code=1)
    assert "was removed on" in gone.stderr and "by dave: Tippfehler" in gone.stderr
    assert cli(data, "list", "--json") == []
    assert "holds no fact-checks yet" in cli(data, "list").stdout
    back = cli(data, "add", "--claim", claim, "--verdict", "false",
               "--url", "https://lagebild.example.org/d/1", "--by", "erin")  # fmt: skip
    assert f"Added fact-check {fid}" in back.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "nope.json"], "no such file"),
        (["import", "--format", "xml", str(CSV)], "unknown fact-check format 'xml'"),
        (["show", "0123456789abcdef"], "no fact-check with id '0123456789abcdef'"),
        (["remove", "0123456789abcdef"], "no fact-check with id 0123456789abcdef"),
        (["add", "--claim", "x y z", "--verdict", "wrong"], "unknown verdict 'wrong'"),
        (["add", "--claim", "x y z", "--verdict", "true", "--date", "soon"], "unreadable --date"),
        (["list", "--verdict", "fake"], "unknown verdict 'fake'"),
    ],
)
def test_cli_errors_are_messages_with_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    result = cli(tmp_path / "data", *args, code=1)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_empty_and_unknown_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert "the file is empty" in cli(tmp_path / "d", "import", str(empty), code=1).stderr
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    result = cli(tmp_path / "d", "import", str(odd), code=1)
    assert "not a known fact-check format" in result.stderr
    assert "hint:" in result.stderr


def test_end_to_end_as_a_user_runs_it(tmp_path: Path) -> None:
    """The real command in a subprocess; the rejects show in ``lagebild quarantine``."""
    env = {**os.environ, "LAGEBILD_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}

    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "lagebild", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    out = json.loads(run("factchecks", "import", str(GOOGLE), str(CSV), "--json"))
    assert (out["added"], out["quarantined"]) == (6, 8)
    records = json.loads(run("quarantine", "--records", "--json"))
    assert {r["format"] for r in records} == {"google-factcheck", "csv"}
    assert any(r["pointer"] == "claims[2]" for r in records)


def test_cli_add_names_a_fact_check_of_the_same_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("USER", "carol")
    first = cli(data, "add", "--claim", 'Die "Briefwahl" ist ab 2025 verboten.',
                "--verdict", "false", "--url", "https://a.example/1", "--json")  # fmt: skip
    assert first["same_claim"] == []
    cli(data, "add", "--claim", "Wahlzettel werden doppelt gezählt.", "--verdict", "false")
    again = cli(data, "add", "--claim", "die 'briefwahl' ist AB 2025 verboten",
                "--verdict", "misleading", "--url", "https://b.example/2")  # fmt: skip
    fid = first["factcheck_id"]
    assert f"Same claim as {fid}" in again.stdout
    assert f"names {fid}, the oldest" in again.stdout
    rows = cli(data, "list", "--json")
    second = next(r["factcheck_id"] for r in rows if r["review_url"] == "https://b.example/2")
    assert cli(data, "show", fid, "--json")["same_claim"] == [second]
    assert second in cli(data, "show", fid).stdout
    assert FactCheckStore(data).same_claim("Die Briefwahl ist ab 2025 verboten!") == [fid, second]
    assert FactCheckStore(data).same_claim("...") == []
    assert FactCheckStore(data).copies() == 1
