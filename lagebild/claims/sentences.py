"""Sentences of posts, texts and transcripts, each with where it is: offsets, line and time.

Claim detection works on sentences, and a person acting on a detected claim must find it
again: in a post (character offsets), in a text file (line) or in a recording (seconds).

* **Splitting** uses ``syntok`` (rule-based, German and English; it keeps the offsets of its
  tokens), with two repairs: German ordinals (``am 3. Oktober``, ``im 20. Jahrhundert``),
  which it takes for sentence ends, are joined again; and a "sentence" longer than
  :data:`MAX_CHARS` (unpunctuated speech, automatic captions) is cut, preferably where a cue
  begins, else at a space, so that each piece is short enough to be one statement.
* **Transcripts** (plain text, SRT, WebVTT) become one :class:`Transcript`: the cue texts
  are cleaned (tags, entities, sound labels such as ``[Applaus]``, the lines that automatic
  captions repeat from the previous cue) and joined with a space, or with a paragraph break
  where the speaker changes (``>>``, ``- ``, a new ``<v Name>``), so that a sentence can run
  over several cues. The start offset of every cue in the joined text is kept; a sentence
  gets the start time of the cue where it starts and the end time of the cue where it ends.
* **Errors** in SRT and WebVTT files name the file and the line (a timing line that cannot
  be read, an end before the start) and say what a valid block looks like.
"""

from __future__ import annotations

import html
import io
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import srt
import webvtt
from syntok import segmenter
from webvtt.errors import MalformedCaptionError, MalformedFileError
from webvtt.models import Timestamp
from webvtt.vtt import WebVTTCueBlock

from lagebild.errors import FormatError

__all__ = [
    "MAX_CHARS",
    "TRANSCRIPT_KINDS",
    "Cue",
    "Sentence",
    "Transcript",
    "TranscriptKind",
    "decode_text",
    "parse_srt",
    "parse_transcript",
    "parse_vtt",
    "read_transcript",
    "sniff_transcript",
    "split_sentences",
]

TranscriptKind = Literal["text", "srt", "vtt"]
TRANSCRIPT_KINDS: tuple[TranscriptKind, ...] = ("text", "srt", "vtt")

#: Longest sentence kept whole; longer ones (speech without punctuation) are cut.
MAX_CHARS = 300


class Sentence(NamedTuple):
    """One sentence and where it is.

    ``start``/``end`` are character offsets into the text it was split from (for a transcript,
    :attr:`Transcript.text`), so ``text == source[start:end]``. ``line`` is the line of the
    file (for SRT/WebVTT: of the timing line of the cue where the sentence starts), and
    ``time_start``/``time_end`` are seconds into the recording (transcripts with cues only).
    """

    text: str
    start: int
    end: int
    line: int | None = None
    time_start: float | None = None
    time_end: float | None = None


class Cue(NamedTuple):
    """One cleaned subtitle cue: its times in seconds, its text, its timing line."""

    start: float
    end: float
    text: str
    line: int | None


# --- splitting --------------------------------------------------------------------------

# German ordinals that syntok ends a sentence at: "am 3." + "Oktober", "im 20." + "Jahrhundert"
_ORDINAL_END = re.compile(
    r"(?:^|\s)(?:am|im|vom|zum|zur|beim|bis|seit|ab|dem|der|den|des|ein|eine|einem|einen|einer"
    r"|und|oder|jeden|jedem|diesem|vor|nach|für|um)\s+\d{1,3}\.$",
    re.IGNORECASE,
)
# syntok does not end a sentence after a number with a unit sign: "12 %. Laut", "500 €. Viel"
_UNIT_END = re.compile(r"\d\s?(?:[%‰€$£¥]|°[CF]?)[.!?]+(?=\s+[\"'„“‚»(]?[A-ZÄÖÜ])")
_NUMBER_END = re.compile(r"(?:^|\s)\d{1,2}\.$")
_MONTH_START = re.compile(
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Dezember|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez)\b"
)


def split_sentences(
    text: str,
    *,
    line_breaks: bool = False,
    breaks: Sequence[int] = (),
    max_chars: int = MAX_CHARS,
) -> list[Sentence]:
    """The sentences of ``text`` with their character offsets.

    A blank line always ends a sentence; with ``line_breaks`` every line break does (posts,
    where a new line usually starts a new thought; not hard-wrapped prose). ``breaks`` are
    sorted offsets where a too-long sentence is best cut (the starts of cues).
    """
    spans: list[tuple[int, int]] = []
    for base, block in _blocks(text, line_breaks):
        for paragraph in segmenter.analyze(block):
            for tokens in paragraph:
                found = [t for t in tokens if t.value]
                if found:
                    start = base + found[0].offset
                    end = base + found[-1].offset + len(found[-1].value)
                    start, end = _trim(text, start, end)
                    if start < end:
                        spans.append((start, end))
    out: list[Sentence] = []
    for start, end in _split_missed(text, _join_ordinals(text, spans)):
        out.extend(Sentence(text[a:b], a, b) for a, b in _cut(text, start, end, breaks, max_chars))
    return out


def _blocks(text: str, line_breaks: bool) -> Iterator[tuple[int, str]]:
    if not line_breaks:
        yield 0, text
        return
    for m in re.finditer(r"[^\n]+", text):
        yield m.start(), m.group()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _join_ordinals(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev_start, prev_end = out[-1]
            prev = text[prev_start:prev_end]
            if "\n" not in text[prev_end:start] and (
                _ORDINAL_END.search(prev)
                or (_NUMBER_END.search(prev) and _MONTH_START.match(text, start))
            ):
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return out


def _split_missed(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Split where syntok missed an end after a unit sign: ``um 12 %. Laut RKI``."""
    for start, end in spans:
        for m in _UNIT_END.finditer(text, start, end):
            yield start, m.end()
            start, _ = _trim(text, m.end(), end)
        yield start, end


def _cut(
    text: str, start: int, end: int, breaks: Sequence[int], max_chars: int
) -> Iterator[tuple[int, int]]:
    """``[start, end)`` in pieces of at most ``max_chars``: at a break, else at a space."""
    pos = start
    while end - pos > max_chars:
        limit = pos + max_chars
        i = bisect_right(breaks, limit) - 1
        cut = breaks[i] if i >= 0 and breaks[i] > pos + max_chars // 3 else -1
        if cut < 0:
            cut = text.rfind(" ", pos + 1, limit + 1)
        if cut <= pos:
            cut = limit
        a, b = _trim(text, pos, cut)
        if a < b:
            yield a, b
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    a, b = _trim(text, pos, end)
    if a < b:
        yield a, b


# --- transcripts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Transcript:
    """A transcript as one text: the cleaned cue texts joined, and where each cue begins.

    For plain text, ``text`` is the file's text (line endings normalised) and there are no
    cues. ``offsets[i]`` is where ``cues[i].text`` begins in ``text``.
    """

    source: str
    kind: TranscriptKind
    text: str
    cues: tuple[Cue, ...] = ()
    offsets: tuple[int, ...] = ()

    def cue_at(self, offset: int) -> Cue | None:
        """The cue whose text holds (or, between two cues, precedes) character ``offset``."""
        i = bisect_right(self.offsets, offset) - 1
        return self.cues[i] if i >= 0 else None

    def sentences(self, max_chars: int = MAX_CHARS) -> list[Sentence]:
        """The sentences with their line and, for subtitles, their start and end times."""
        if not self.cues:
            newlines = [m.start() for m in re.finditer("\n", self.text)]
            return [
                s._replace(line=bisect_left(newlines, s.start) + 1)
                for s in split_sentences(self.text, max_chars=max_chars)
            ]
        out = []
        for s in split_sentences(self.text, breaks=self.offsets, max_chars=max_chars):
            first = self.cue_at(s.start)
            last = self.cue_at(s.end - 1)
            assert first is not None and last is not None  # a sentence starts inside a cue
            out.append(
                s._replace(
                    line=first.line, time_start=first.start, time_end=max(last.end, first.start)
                )
            )
        return out


class _RawCue(NamedTuple):
    start: float
    end: float
    lines: tuple[str, ...]
    line: int | None
    voice: str | None = None


_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SOUND = re.compile(r"^(?:\[[^\]]*\]|\([^)]*\)|[♪♫ ]+)$")
_TURN = re.compile(r"^(?:>>+|[-–—](?=\s))\s*")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]*)>")


def _clean_line(line: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", line)).split())


def _join_cues(source: str, kind: TranscriptKind, raw: Sequence[_RawCue]) -> Transcript:
    """Clean the cues and join their texts, remembering where each cue begins."""
    parts: list[str] = []
    cues: list[Cue] = []
    offsets: list[int] = []
    size = 0
    previous: tuple[str, ...] = ()
    voice: str | None = None
    for cue in raw:
        lines = tuple(c for c in map(_clean_line, cue.lines) if c and not _SOUND.match(c))
        # automatic captions repeat the previous cue's last line(s) at the top of the next
        shown = lines
        for k in range(min(len(lines), len(previous)), 0, -1):
            if lines[:k] == previous[-k:]:
                shown = lines[k:]
                break
        previous = lines or previous
        turn = cue.voice is not None and cue.voice != voice
        voice = cue.voice if cue.voice is not None else voice
        turns: list[list[str]] = [[]]  # a dash or ">>" inside a cue starts a new turn
        for i, line in enumerate(shown):
            marker = _TURN.match(line)
            if marker:
                line = line[marker.end() :]
                if i == 0:
                    turn = True
                elif turns[-1]:
                    turns.append([])
            if line:
                turns[-1].append(line)
        text = "\n\n".join(" ".join(t) for t in turns if t)
        if not text:
            continue
        if parts:
            sep = "\n\n" if turn else " "
            parts.append(sep)
            size += len(sep)
        offsets.append(size)
        cues.append(Cue(cue.start, cue.end, text, cue.line))
        parts.append(text)
        size += len(text)
    return Transcript(source, kind, "".join(parts), tuple(cues), tuple(offsets))


_SRT_TIMING = re.compile(
    rf"^\s*({srt.RGX_TIMESTAMP}) *-[ -] *> *({srt.RGX_TIMESTAMP})", re.MULTILINE
)
_SRT_HINT = (
    "an SRT block is a number, a timing line such as 00:01:02,500 --> 00:01:05,000, the text "
    "lines and an empty line; fix or remove the block"
)


def parse_srt(content: str, source: str) -> Transcript:
    """A transcript from the text of an SubRip (``.srt``) file."""
    content = _normalise(content)
    try:
        subs = list(srt.parse(content))
    except srt.SRTParseError as exc:
        pos = int(exc.expected_start)
        rest = content[pos:]
        pos += len(rest) - len(rest.lstrip())
        bad = content[pos:].split("\n", 1)[0]
        raise FormatError(
            f"{source}: line {_line_of(content, pos)}: not an SRT block: {bad[:80]!r}",
            hint=_SRT_HINT,
        ) from None
    except ValueError as exc:  # srt.TimestampParseError
        raise FormatError(f"{source}: unreadable SRT timestamp: {exc}", hint=_SRT_HINT) from None
    if not subs:
        raise FormatError(f"{source}: no subtitle blocks found", hint=_SRT_HINT)
    timing_lines = [_line_of(content, m.start()) for m in _SRT_TIMING.finditer(content)]
    lines: Sequence[int | None] = (
        timing_lines if len(timing_lines) == len(subs) else [None] * len(subs)
    )
    raw = []
    for sub, line in zip(subs, lines, strict=True):
        start, end = sub.start.total_seconds(), sub.end.total_seconds()
        _check_times(source, line, start, end, _SRT_HINT)
        raw.append(_RawCue(start, end, tuple(sub.content.split("\n")), line))
    return _join_cues(source, "srt", raw)


_VTT_HINT = (
    "a WebVTT file starts with a line 'WEBVTT'; a cue is an optional identifier line, a "
    "timing line such as 00:01:02.500 --> 00:01:05.000, the text lines and an empty line; "
    "cue text must not contain '-->'"
)


def parse_vtt(content: str, source: str) -> Transcript:
    """A transcript from the text of a WebVTT (``.vtt``) file.

    ``webvtt-py`` reads the cues (leniently: unknown cue settings are ignored); every line
    with ``-->`` is checked here first, so a cue that it would silently drop is an error
    naming its line instead.
    """
    content = _normalise(content)
    lines = content.split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise FormatError(
            f"{source}: line 1: not a WebVTT file (the first line must start with 'WEBVTT')",
            hint=_VTT_HINT,
        )
    timing_lines: list[int] = []
    for number, line in enumerate(lines, start=1):
        if "-->" in line:
            _check_vtt_timing(source, number, line)
            timing_lines.append(number)
    try:
        captions = webvtt.from_buffer(io.StringIO(content)).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise FormatError(f"{source}: not a readable WebVTT file: {exc}", hint=_VTT_HINT) from None
    if not captions:
        raise FormatError(f"{source}: no cues found", hint=_VTT_HINT)
    cue_lines: Sequence[int | None] = (
        timing_lines if len(timing_lines) == len(captions) else [None] * len(captions)
    )
    raw = []
    for caption, cue_line in zip(captions, cue_lines, strict=True):
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        _check_times(source, cue_line, start, end, _VTT_HINT)
        voices = _VOICE.findall(caption.raw_text)
        raw.append(_RawCue(start, end, tuple(caption.text.split("\n")), cue_line, _voice(voices)))
    return _join_cues(source, "vtt", raw)


def _voice(voices: list[Any]) -> str | None:
    return str(voices[0]).strip() if voices else None


def _check_vtt_timing(source: str, number: int, line: str) -> None:
    match = WebVTTCueBlock.CUE_TIMINGS_PATTERN.match(line)
    try:
        if match is None:
            raise MalformedCaptionError(line)
        Timestamp.from_string(match.group(1))
        Timestamp.from_string(match.group(2))
    except MalformedCaptionError:
        raise FormatError(
            f"{source}: line {number}: not a WebVTT cue timing line: {line[:80]!r}",
            hint=_VTT_HINT,
        ) from None


def _check_times(source: str, line: int | None, start: float, end: float, hint: str) -> None:
    if end < start:
        where = f"line {line}" if line is not None else "a cue"
        raise FormatError(f"{source}: {where}: the cue ends before it starts", hint=hint)


def _normalise(content: str) -> str:
    return content.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _line_of(content: str, pos: int) -> int:
    return content.count("\n", 0, pos) + 1


# --- files ------------------------------------------------------------------------------

_SUFFIXES: dict[str, TranscriptKind] = {
    ".vtt": "vtt",
    ".srt": "srt",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
_SRT_START = re.compile(r"\s*\d+[ \t]*\n[ \t]*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}[ \t]*-->")


def sniff_transcript(path: Path, head: str) -> TranscriptKind | None:
    """What transcript ``path`` is, from its first characters, else from its suffix.

    The content decides first (a ``WEBVTT`` line, an SRT block), so a subtitle file with the
    wrong suffix is still read right; ``.vtt``/``.srt``/``.txt``/``.md`` decide otherwise.
    ``None``: not a transcript (posts, perhaps).
    """
    head = head.lstrip("\ufeff")
    if head.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(head.replace("\r\n", "\n")):
        return "srt"
    return _SUFFIXES.get(path.suffix.lower())


def decode_text(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252 (older subtitles)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_transcript(content: str, source: str, kind: TranscriptKind) -> Transcript:
    """A transcript of the given kind from text."""
    if kind == "srt":
        return parse_srt(content, source)
    if kind == "vtt":
        return parse_vtt(content, source)
    return Transcript(source, "text", _normalise(content))


def read_transcript(path: Path, kind: TranscriptKind | None = None) -> Transcript:
    """Read a plain-text, SRT or WebVTT transcript (``kind`` sniffed when not given)."""
    try:
        content = decode_text(path.read_bytes())
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if kind is None:
        kind = sniff_transcript(path, content[:4096]) or "text"
    return parse_transcript(content, str(path), kind)
