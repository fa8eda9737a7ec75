"""Check-worthiness: features, the shipped model, detection in posts and transcripts, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lagebild.claims.checkworthy import (
    HAND_FEATURES,
    CheckworthyModel,
    CheckworthyParams,
    detect_claims,
    hand_features,
    model_text,
    score_texts,
)
from lagebild.claims.encoders import Encoder, load_encoder
from lagebild.claims.sentences import read_transcript
from lagebild.cli import app
from lagebild.cli.claims import timestamp
from lagebild.errors import ConfigError, FormatError

HERE = Path(__file__).resolve().parent / "fixtures"

CLAIM_DE = "Die Arbeitslosigkeit ist 2023 um 12 % gestiegen."
OPINION_DE = "Ich finde das einfach nur peinlich."
CLAIM_EN = "We have lost 700,000 manufacturing jobs since 2008."
OPINION_EN = "I think that is a disgrace and a scandal."


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    """The USE encoder, loaded once for this module (a few ms per sentence after that)."""
    return load_encoder("use", threads=1)


# --- pure parts -------------------------------------------------------------------------


def test_model_text_drops_links_and_anonymises_mentions() -> None:
    text = "@Karl_1 das stimmt nicht:\n https://t.co/xyz  siehe www.rki.de"
    assert model_text(text) == "@USER das stimmt nicht: siehe"


def test_hand_features() -> None:
    rows = hand_features([CLAIM_DE, OPINION_DE, "Wirst du das wirklich tun?", "We will win!"])
    f = {name: rows[:, i].tolist() for i, name in enumerate(HAND_FEATURES)}
    assert f["digits"] == [1, 0, 0, 0]
    assert f["question"] == [0, 0, 1, 0]
    assert f["exclamation"] == [0, 0, 0, 1]
    assert f["first_singular"] == [0, 1, 0, 0]
    assert f["first_plural"] == [0, 0, 0, 1]
    assert f["second_person"] == [0, 0, 1, 0]
    assert f["modal"] == [0, 0, 0, 1]
    assert f["log_words"][1] == pytest.approx(np.log1p(6))


def test_params_are_checked() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        CheckworthyParams(threshold=1.5)
    with pytest.raises(ConfigError, match="min_words"):
        CheckworthyParams(min_words=-1)


def test_model_file_errors_name_the_file() -> None:
    with pytest.raises(FormatError, match=r"x\.json: not a check-worthiness model"):
        CheckworthyModel.from_json('{"model": "other"}', "x.json")
    with pytest.raises(FormatError, match=r"x\.json"):
        CheckworthyModel.from_json("not json", "x.json")


def test_timestamp() -> None:
    assert timestamp(None) == ""
    assert timestamp(3725.9) == "01:02:05"


# --- the shipped model ------------------------------------------------------------------


def test_shipped_model_loads_with_thresholds_and_scores() -> None:
    model = CheckworthyModel.shipped()
    assert model.encoder == "use"
    assert {"de", "en", "default"} <= set(model.thresholds)
    assert all(0 < t < 1 for t in model.thresholds.values())
    assert len(model.mean) == 512 + len(model.hand)
    assert "germeval2021_train_cv5_macro_f1" in model.meta["scores"]
    again = CheckworthyModel.from_json(model.to_json())
    x = np.random.default_rng(0).normal(size=(3, len(model.mean)))
    for lang in ("de", "en", "fr", None):
        assert np.allclose(again.predict(x, [lang] * 3), model.predict(x, [lang] * 3), atol=1e-4)
    assert model.threshold("fr") == model.threshold(None) == model.thresholds["default"]


def test_shipped_model_separates_obvious_cases(encoder: Encoder) -> None:
    model = CheckworthyModel.shipped()
    de_claim, de_opinion, en_claim, en_opinion = score_texts(
        [CLAIM_DE, OPINION_DE, CLAIM_EN, OPINION_EN], model=model, encoder=encoder
    )
    assert de_claim >= model.threshold("de") > de_opinion
    assert en_claim >= model.threshold("en") > en_opinion


def test_detect_claims_in_posts(encoder: Encoder) -> None:
    posts = [
        f"{OPINION_DE} {CLAIM_DE}\nhttps://example.org/x",
        "Danke!",
        f"{CLAIM_EN} {OPINION_EN}",
    ]
    found = detect_claims(posts, ["de", None, None], encoder=encoder)
    assert [(c.item, c.text) for c in found] == [
        (0, OPINION_DE),
        (0, CLAIM_DE),
        (0, "https://example.org/x"),
        (1, "Danke!"),
        (2, CLAIM_EN),
        (2, OPINION_EN),
    ]
    claims = [c for c in found if c.is_claim]
    assert [c.text for c in claims] == [CLAIM_DE, CLAIM_EN]
    assert [c.language for c in claims] == ["de", "en"]  # given, then guessed
    for c in found:
        assert posts[c.item][c.start : c.end] == c.text
    # one threshold for all: 0 makes every long enough sentence a claim, 1 none
    assert all(
        c.is_claim == (len(model_text(c.text).split()) >= 4)
        for c in detect_claims(posts, params=CheckworthyParams(threshold=0.0), encoder=encoder)
    )
    assert not any(
        c.is_claim
        for c in detect_claims(posts, params=CheckworthyParams(threshold=1.0), encoder=encoder)
    )


def test_detect_claims_in_a_transcript_keeps_times(encoder: Encoder) -> None:
    transcript = read_transcript(HERE / "talkshow_de.srt")
    found = detect_claims(transcript.sentences(), "de", encoder=encoder)
    claims = [c for c in found if c.is_claim]
    assert claims[0].text.startswith("Die Arbeitslosigkeit ist im Jahr 2023")
    assert (claims[0].time_start, claims[0].time_end, claims[0].line) == (4.5, 11.0, 7)
    assert OPINION_DE not in [c.text for c in claims]


def test_detect_claims_batches_and_reports_progress(encoder: Encoder) -> None:
    seen: list[tuple[int, int]] = []
    texts = [CLAIM_DE, OPINION_DE, CLAIM_EN, OPINION_EN, CLAIM_DE]
    small = detect_claims(
        texts,
        params=CheckworthyParams(batch=2),
        encoder=encoder,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (5, 5) and len(seen) > 1
    whole = detect_claims(texts, encoder=encoder)
    assert [c.score for c in small] == pytest.approx([c.score for c in whole], abs=1e-6)
    with pytest.raises(ConfigError, match="2 languages given for 5 items"):
        detect_claims(texts, ["de", "en"], encoder=encoder)


# --- the command ------------------------------------------------------------------------


def _cli(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_detects_claims_with_timestamps_in_a_transcript(tmp_path: Path) -> None:
    code, out, err = _cli(tmp_path, "claims", "detect", str(HERE / "talkshow_de.srt"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["input"] == "srt" and data["sentences"] == 5
    first = data["results"][0]
    assert first["text"].startswith("Die Arbeitslosigkeit ist im Jahr 2023")
    assert (first["timestamp"], first["time_start"], first["line"]) == ("00:00:04", 4.5, 7)
    assert first["language"] == "de" and first["claim"]
    assert all(r["claim"] for r in data["results"])
    code, out, _ = _cli(tmp_path, "claims", "detect", str(HERE / "debate_en.vtt"))
    assert code == 0
    assert "00:01:06" in out and "700,000" in out


def test_cli_on_a_post_file(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "platform,post_id,account_id,created_at,text,lang\n"
        f'facebook,1,a,2023-10-01T10:00:00Z,"{OPINION_DE} {CLAIM_DE}",de\n'
        f'facebook,2,b,2023-10-01T10:01:00Z,"{CLAIM_EN}",\n'
    )
    code, out, err = _cli(tmp_path, "claims", "detect", str(posts), "--all", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["input"] == "generic" and data["items"] == 2 and data["sentences"] == 3
    assert [(r["post_id"], r["claim"]) for r in data["results"]] == [
        ("1", False),
        ("1", True),
        ("2", True),
    ]


def test_cli_names_the_line_of_a_broken_subtitle_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vtt"
    bad.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nGut.\n\n00:00:03 --> kaputt\nX\n")
    code, _, err = _cli(tmp_path, "claims", "detect", str(bad))
    assert code == 1
    message = " ".join(err.split())  # the console wraps long lines
    assert "bad.vtt: line 6: not a WebVTT cue timing line: '00:00:03 --> kaputt'" in message
    assert "hint:" in message
