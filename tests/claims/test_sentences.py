"""Sentence splitting with offsets, and plain-text, SRT and WebVTT transcripts with times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import srt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.claims.sentences import (
    Transcript,
    decode_text,
    parse_srt,
    parse_transcript,
    parse_vtt,
    read_transcript,
    sniff_transcript,
    split_sentences,
)
from lagebild.errors import FormatError

HERE = Path(__file__).resolve().parent / "fixtures"


def texts(text: str, **kwargs: object) -> list[str]:
    return [s.text for s in split_sentences(text, **kwargs)]  # type: ignore[arg-type]


# --- splitting --------------------------------------------------------------------------


def test_german_and_english_sentences_with_offsets() -> None:
    text = (
        "Die Arbeitslosigkeit ist 2023 um 12 % gestiegen. Das sagt z. B. Dr. Müller! "
        "Ich finde das peinlich.\n\nMr. Smith said U.S. growth was 3.5 percent. Really?"
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Die Arbeitslosigkeit ist 2023 um 12 % gestiegen.",
        "Das sagt z. B. Dr. Müller!",
        "Ich finde das peinlich.",
        "Mr. Smith said U.S. growth was 3.5 percent.",
        "Really?",
    ]
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.time_start is None and s.line is None


def test_german_ordinals_are_not_sentence_ends() -> None:
    assert texts("Am 3. Oktober 2023 wählt Bayern. Im 20. Jahrhundert war das anders.") == [
        "Am 3. Oktober 2023 wählt Bayern.",
        "Im 20. Jahrhundert war das anders.",
    ]
    assert texts("Seit dem 1. Januar gilt das. Er wurde Platz 3. Danach ging er.") == [
        "Seit dem 1. Januar gilt das.",
        "Er wurde Platz 3.",
        "Danach ging er.",
    ]


def test_a_number_with_a_unit_sign_can_end_a_sentence() -> None:
    assert texts("Es sind 12,5 %. Laut RKI ist das so. Ich zahle 500 €. Viel zu viel!") == [
        "Es sind 12,5 %.",
        "Laut RKI ist das so.",
        "Ich zahle 500 €.",
        "Viel zu viel!",
    ]


def test_line_breaks_end_sentences_in_posts_only() -> None:
    post = "Heute wieder Demo in Berlin\nAlle hin!!! Wer kommt mit?"
    assert texts(post, line_breaks=True) == [
        "Heute wieder Demo in Berlin",
        "Alle hin!!!",
        "Wer kommt mit?",
    ]
    assert len(texts(post)) == 2


def test_long_unpunctuated_speech_is_cut_at_cue_starts_then_spaces() -> None:
    words = " ".join(f"wort{i}" for i in range(200))
    pieces = split_sentences(words, max_chars=100)
    assert all(len(p.text) <= 100 for p in pieces)
    assert " ".join(p.text for p in pieces) == words
    breaks = [words.index("wort40"), words.index("wort50")]
    cut = split_sentences(words, max_chars=400, breaks=breaks)
    assert cut[0].text.endswith("wort49") and cut[1].text.startswith("wort50")


def test_empty_and_blank_texts_have_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n\t ") == []


@given(st.text(max_size=300), st.booleans(), st.integers(20, 200))
@settings(max_examples=300, deadline=None)
def test_sentences_map_back_into_any_text(text: str, line_breaks: bool, max_chars: int) -> None:
    sentences = split_sentences(text, line_breaks=line_breaks, max_chars=max_chars)
    last = 0
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= last
        last = s.end


# --- transcripts ------------------------------------------------------------------------


def test_srt_sentence_spanning_two_cues_gets_the_first_cue_time() -> None:
    t = read_transcript(HERE / "talkshow_de.srt")
    assert t.kind == "srt"
    assert len(t.cues) == 5  # "[Applaus]" is a sound label, not speech
    sentences = t.sentences()
    claim = next(s for s in sentences if s.text.startswith("Die Arbeitslosigkeit"))
    assert claim.text.endswith("die Zahlen der Bundesagentur.")
    assert (claim.time_start, claim.time_end, claim.line) == (4.5, 11.0, 7)
    assert t.text[claim.start : claim.end] == claim.text
    assert "Ich finde das einfach nur peinlich." in [s.text for s in sentences]  # <i> removed
    # a dash starts a new speaker's turn inside one cue
    turns = [s for s in sentences if s.time_start == 15.5]
    assert [s.text for s in turns] == [
        "Stimmt das denn?",
        "Ja, am 3. Oktober waren es 2,9 Millionen.",
    ]


def test_vtt_voices_entities_notes_and_spanning_sentence() -> None:
    t = read_transcript(HERE / "debate_en.vtt")
    assert t.kind == "vtt"
    by_text = {s.text: s for s in t.sentences()}
    claim = by_text[
        "We have lost 700,000 manufacturing jobs since 2008, according to the Labor Department."
    ]
    assert (claim.time_start, claim.time_end, claim.line) == (66.0, 72.25, 13)
    assert "I think that is a disgrace & a scandal." in by_text
    # a new voice ends the sentence even without punctuation in between
    assert "Good evening and welcome to the debate." in by_text
    assert "Town hall" not in t.text


def test_automatic_captions_lose_their_repeated_lines() -> None:
    t = read_transcript(HERE / "livestream_auto_de.vtt")
    assert t.text == "die Arbeitslosigkeit ist um zwölf Prozent gestiegen. Das finde ich peinlich."
    first, second = t.sentences()
    assert (first.time_start, first.time_end) == (0.0, 4.0)
    assert second.text == "Das finde ich peinlich." and second.time_start == 2.01


def test_plain_text_transcript_has_lines() -> None:
    t = read_transcript(HERE / "speech_en.txt")
    assert t.kind == "text" and t.cues == ()
    lines = {s.text.split()[0]: s.line for s in t.sentences()}
    assert lines == {"Thank": 1, "Last": 3, "I": 4, "What": 5}


def test_sniffing_by_content_before_suffix(tmp_path: Path) -> None:
    vtt_named_srt = tmp_path / "a.srt"
    vtt_named_srt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHallo.\n")
    assert sniff_transcript(vtt_named_srt, vtt_named_srt.read_text()) == "vtt"
    srt_named_txt = tmp_path / "b.txt"
    srt_named_txt.write_text("\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nHi.\r\n")
    assert sniff_transcript(srt_named_txt, decode_text(srt_named_txt.read_bytes())) == "srt"
    assert read_transcript(srt_named_txt).kind == "srt"
    assert sniff_transcript(tmp_path / "c.vtt", "") == "vtt"
    assert sniff_transcript(tmp_path / "d.txt", "Hallo Welt.") == "text"
    assert sniff_transcript(tmp_path / "e.jsonl", '{"id": 1}') is None


def test_windows_1252_subtitles_are_read() -> None:
    raw = "1\r\n00:00:01,000 --> 00:00:02,000\r\nDie Bürger wählen.\r\n".encode("cp1252")
    assert decode_text(raw).endswith("Die Bürger wählen.\r\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "1\n00:00:01,000 --> 00:00:02,000\nHallo.\n\n"
            "2\n00:00:0x,000 --> 00:00:03,000\nkaputt\n",
            "x.srt: line 5: not an SRT block: '2'",
        ),
        ("Das ist kein Untertitel.\n", "x.srt: line 1: not an SRT block"),
        ("1\n00:00:05,000 --> 00:00:04,000\nZurück.\n", "x.srt: line 2: the cue ends before"),
        ("", "x.srt: no subtitle blocks found"),
    ],
)
def test_malformed_srt_names_file_and_line(content: str, message: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_srt(content, "x.srt")
    assert message in str(info.value)
    assert info.value.hint and "timing line" in info.value.hint


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("00:00:01.000 --> 00:00:04.000\nHallo\n", "x.vtt: line 1: not a WebVTT file"),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHallo\n\n00:00:0x.000 --> 00:00:05.000\nX\n",
            "x.vtt: line 6: not a WebVTT cue timing line: '00:00:0x.000",
        ),
        ("WEBVTT\n\n00:00:01,000 --> 00:00:04,000\nKomma\n", "x.vtt: line 3: not a WebVTT cue"),
        ("WEBVTT\n\n00:01:00.000 --> 00:00:04.000\nZurück\n", "x.vtt: line 3: the cue ends"),
        ("WEBVTT\n\nNOTE nur eine Notiz\n", "x.vtt: no cues found"),
    ],
)
def test_malformed_vtt_names_file_and_line(content: str, message: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_vtt(content, "x.vtt")
    assert message in str(info.value)


def test_unreadable_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot read"):
        read_transcript(tmp_path / "missing.srt")


# --- properties of the transcript parsers ------------------------------------------------

cue_text = st.text(
    st.characters(exclude_categories=["Cs"]), min_size=0, max_size=60
)  # anything a caption may hold, including newlines, tags, arrows and digits
cues = st.lists(st.tuples(st.integers(0, 10_000_000), st.integers(0, 5_000), cue_text), max_size=8)


def _check(t: Transcript) -> None:
    assert len(t.cues) == len(t.offsets)
    for cue, offset in zip(t.cues, t.offsets, strict=True):
        assert t.text[offset : offset + len(cue.text)] == cue.text
        assert cue.start <= cue.end
    times = {c.start for c in t.cues}
    for s in t.sentences(max_chars=80):
        assert t.text[s.start : s.end] == s.text
        if not t.cues:
            assert s.time_start is None and s.line == t.text.count("\n", 0, s.start) + 1
            continue
        assert s.time_start in times
        assert s.time_end is not None and s.time_start <= s.time_end
        first = t.cue_at(s.start)
        assert first is not None and first.start == s.time_start and first.line == s.line


def _parse_or_error(
    parse: Callable[[str, str], Transcript], content: str, source: str
) -> Transcript | None:
    """The transcript, or None after a FormatError that names the source; nothing else."""
    try:
        return parse(content, source)
    except FormatError as exc:
        message = exc.message
    assert message.startswith(source)
    return None


@given(cues)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_srt_parser_never_crashes(items: list[tuple[int, int, str]]) -> None:
    subs = [
        srt.Subtitle(
            i + 1,
            dt.timedelta(milliseconds=start),
            dt.timedelta(milliseconds=start + length),
            text,
        )
        for i, (start, length, text) in enumerate(items)
    ]
    content = srt.compose(subs, reindex=False, strict=False)
    t = _parse_or_error(parse_srt, content, "prop.srt")
    if t is not None:
        _check(t)


def _vtt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


@given(cues, st.booleans())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_vtt_parser_never_crashes(items: list[tuple[int, int, str]], crlf: bool) -> None:
    blocks = ["WEBVTT"]
    for start, length, text in items:
        blocks.append(f"{_vtt_time(start)} --> {_vtt_time(start + length)}\n{text}")
    content = "\n\n".join(blocks) + "\n"
    if crlf:
        content = content.replace("\n", "\r\n")
    t = _parse_or_error(parse_vtt, content, "prop.vtt")
    if t is not None:
        _check(t)


@given(st.text(max_size=400), st.sampled_from(["text", "srt", "vtt"]))
@settings(max_examples=200, deadline=None)
def test_any_text_is_a_transcript_or_a_clear_error(content: str, kind: str) -> None:
    t = _parse_or_error(
        lambda c, source: parse_transcript(c, source, kind),  # type: ignore[arg-type]
        content,
        "any",
    )
    if t is not None:
        _check(t)


def test_a_two_hour_livestream_keeps_its_timestamps() -> None:
    """2,400 cues of 3 s, with sentences running over cue boundaries."""
    speech = (
        "Die Arbeitslosigkeit ist im Jahr 2023 um zwölf Prozent gestiegen und das "
        "finde ich einfach nur peinlich. Was sagen Sie dazu"
    )
    words = speech.split()
    blocks = ["WEBVTT", ""]
    for i in range(2400):
        chunk = " ".join(words[(i * 6) % len(words) :][:6]) or "weiter"
        blocks += [f"{_vtt_time(i * 3000)} --> {_vtt_time(i * 3000 + 2900)}", chunk, ""]
    t = parse_vtt("\n".join(blocks), "stream.vtt")
    sentences = t.sentences()
    assert len(t.cues) == 2400 and len(sentences) > 300
    assert sentences[-1].time_start is not None and sentences[-1].time_start > 7000
    for s in sentences:
        cue = t.cue_at(s.start)
        assert cue is not None and cue.start == s.time_start
        assert s.line == 3 + 3 * round(cue.start / 3)
        assert len(s.text) <= 300
