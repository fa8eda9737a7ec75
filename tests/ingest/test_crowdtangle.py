"""CrowdTangle reader: Facebook and Instagram CSV exports, row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.errors import FormatError, RecordError
from lagebild.ingest import crowdtangle
from lagebild.ingest.base import Head, Item, ReadOptions
from lagebild.ingest.tabular import csv_header
from lagebild.model import Account, Post, Reject

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crowdtangle"
FACEBOOK = FIXTURES / "facebook.csv"
INSTAGRAM = FIXTURES / "instagram.csv"
COLLECTED = dt.datetime(2021, 10, 1, 12, tzinfo=dt.UTC)
OPTIONS = ReadOptions(collected_at=COLLECTED)

WAHLBEOBACHTUNG = "104857361928374"
VOICE = "318273645509182"
FB_HEADER = list(csv_header(FACEBOOK.read_text(encoding="utf-8")) or ())
IG_HEADER = list(csv_header(INSTAGRAM.read_text(encoding="utf-8")) or ())


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def read(path: Path, options: ReadOptions = OPTIONS) -> list[Item]:
    return list(crowdtangle.read(path, options))


def posts(items: list[Item]) -> dict[int, Post]:
    return {i.source_line or 0: i for i in items if isinstance(i, Post)}


def accounts(items: list[Item]) -> list[Account]:
    return [i for i in items if isinstance(i, Account)]


def rejects(items: list[Item]) -> dict[int, Reject]:
    return {i.line or 0: i for i in items if isinstance(i, Reject)}


def by_row(items: list[Item]) -> dict[int, Post | Reject]:
    """The post or the reject each row became, by the row's first line."""
    return {**posts(items), **rejects(items)}


@contextmanager
def written(data: bytes, name: str = "export.csv") -> Iterator[Path]:
    """``data`` in a file of its own (hypothesis does not mix with pytest's ``tmp_path``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        yield path


def table(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n": quotes any cell with \r or \n
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue().encode()


# --- Facebook ---------------------------------------------------------------------------


def test_facebook_link_post_has_every_field() -> None:
    post = posts(read(FACEBOOK))[2]
    assert post == Post(
        platform="facebook",
        post_id="4021958374619283",
        account_id=WAHLBEOBACHTUNG,
        account_handle="wahlbeobachtung.de",
        created_at=utc(2021, 9, 20, 11, 0, 3),  # 13:00:03 CEST
        text="Sechs Tage bis zur #BTW21! Hier alle Fristen zur #Briefwahl im Überblick, "
        "via @tagesschau",
        lang=None,
        # the expanded Final Link, not the bit.ly Link; tracking parameters dropped
        urls=("https://tagesschau.de/inland/btw21/briefwahl-fristen-101.html",),
        domains=("tagesschau.de",),
        hashtags=("btw21", "briefwahl"),
        mentions=("tagesschau",),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=None,  # "0" on a link post: not measured
        likes=1024,  # the Like reaction only; Total Interactions is 1,284
        reposts=140,
        replies=87,
        quotes=None,
        collected_at=COLLECTED,
        source=str(FACEBOOK),
        source_line=2,
    )


def test_facebook_video_post_keeps_views_and_drops_its_own_link() -> None:
    post = posts(read(FACEBOOK))[3]
    assert post == Post(
        platform="facebook",
        post_id="882716354091827",
        account_id=VOICE,
        account_handle=None,
        created_at=utc(2021, 9, 20, 11, 12, 44),  # 07:12:44 EDT
        text="WATCH: Why are German voters being told to vote by mail? Ask yourself who counts "
        "those ballots. #GermanyDecides",
        lang=None,
        urls=(),  # the Link is the video post itself
        domains=(),
        hashtags=("germanydecides",),
        mentions=(),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=15234,
        likes=4302,
        reposts=402,
        replies=911,
        quotes=None,
        collected_at=COLLECTED,
        source=str(FACEBOOK),
        source_line=3,
    )


def test_facebook_photo_post_spanning_lines() -> None:
    items = read(FACEBOOK)
    post = posts(items)[4]
    assert post.post_id == "4022391058172635"
    assert post.text is not None
    assert post.text.startswith("Faktencheck: Nein,")
    assert post.text.count("\n") == 3
    assert "UNGÜLTIG" not in post.text  # Image Text (OCR) is not the page's words
    assert post.urls == (
        "https://facebook.com/104857361928374/photos/a.1139203826155/4022389521506122?type=3",
        "https://bundeswahlleiter.de/bundestagswahlen/2021/informationen-waehler.html",
    )
    assert post.domains == ("facebook.com", "bundeswahlleiter.de")
    assert post.hashtags == ("faktencheck", "btw21")
    assert (post.views, post.likes, post.reposts, post.replies) == (None, 300, 60, 41)
    assert post.created_at == utc(2021, 9, 21, 16, 30)
    # the next row starts after the four physical lines of this one
    assert sorted(posts(items)) == [2, 3, 4, 8, 11]


def test_facebook_group_post_and_missing_counts() -> None:
    post = posts(read(FACEBOOK))[8]
    assert post.post_id == "1298837465001928"
    assert post.account_id == "771203948812736"
    assert post.account_handle is None
    assert post.reposts is None  # empty Shares cell: missing, not zero
    assert (post.likes, post.replies, post.views) == (15, 8, None)
    assert post.text == (
        "Hat jemand auch gehört dass in Sachsen Wahlzettel vorab ausgefüllt verschickt wurden??"
    )
    assert (post.urls, post.hashtags, post.mentions) == ((), (), ())


def test_facebook_link_in_message_and_link_column_count_once() -> None:
    post = posts(read(FACEBOOK))[11]
    assert post.urls == ("https://voice-of-europe.example/germany-mail-in-ballots",)
    assert post.domains == ("voice-of-europe.example",)
    assert post.text is not None
    assert post.text.startswith('Election officials in Germany admit: "We cannot verify')
    assert (post.likes, post.reposts, post.replies) == (1500, 196, 310)


def test_facebook_account_snapshots_are_a_follower_history() -> None:
    items = read(FACEBOOK)
    history = [a for a in accounts(items) if a.account_id == WAHLBEOBACHTUNG]
    assert [(a.followers, a.observed_at) for a in history] == [
        (51377, utc(2021, 9, 20, 11, 0, 3)),
        (51402, utc(2021, 9, 21, 16, 30)),
    ]
    assert history[0] == Account(
        platform="facebook",
        account_id=WAHLBEOBACHTUNG,
        handle="wahlbeobachtung.de",
        name="Wahlbeobachtung Deutschland",
        created_at=utc(2013, 2, 11, 9, 14, 52),
        followers=51377,
        following=None,
        posts_count=None,
        verified=None,
        description="Unabhängige Beobachtung der Bundestagswahl. Impressum: "
        "wahlbeobachtung.example",
        labels=("category:NEWS_SITE", "admin-country:DE"),
        observed_at=utc(2021, 9, 20, 11, 0, 3),
        source=str(FACEBOOK),
    )
    voice = [a for a in accounts(items) if a.account_id == VOICE]
    assert [a.followers for a in voice] == [230118, 230411]
    assert voice[0].labels == ("category:MEDIA_NEWS_COMPANY", "admin-country:CY")
    assert voice[0].handle is None
    group = [a for a in accounts(items) if a.account_id == "771203948812736"]
    assert len(group) == 1
    assert (group[0].name, group[0].followers, group[0].created_at) == (
        "Wahl-Infos Sachsen",
        None,
        None,
    )
    assert group[0].labels == ()


def test_facebook_rejects_name_line_and_reason() -> None:
    bad = rejects(read(FACEBOOK))
    assert sorted(bad) == [9, 10]
    assert bad[9].reason == "expected 40 columns, found 13"
    assert "unparsable Post Created: 'gestern 13:00'" in bad[10].reason
    for reject in bad.values():
        assert reject.format == "crowdtangle"
        assert reject.source == str(FACEBOOK)
    assert "Broken row" in bad[10].raw


def test_facebook_each_row_is_a_post_with_its_account_or_a_reject() -> None:
    items = read(FACEBOOK)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Post", "Account"] * 4 + ["Reject", "Reject", "Post", "Account"]
    for post, account in zip(items[::2], items[1::2], strict=False):
        if isinstance(post, Post):
            assert isinstance(account, Account)
            assert account.account_id == post.account_id
            assert account.observed_at == post.created_at


# --- Instagram --------------------------------------------------------------------------


def test_instagram_photo_post_has_every_field() -> None:
    post = posts(read(INSTAGRAM))[2]
    photo = (
        "https://scontent-frt3-1.cdninstagram.com/v/t51.2885-15/242189744_n.jpg"
        "?_nc_ht=scontent&oh=00_AT8&oe=614F2C1A"
    )
    assert post == Post(
        platform="instagram",
        post_id="CUKq3xYsK8L",
        account_id="wahlcheck.de",
        account_handle="wahlcheck.de",
        created_at=utc(2021, 9, 24, 8, 15),
        text="Am Sonntag ist #Bundestagswahl 🗳️ Alle Infos zu Wahllokal & Briefwahl: Link in "
        "Bio! Mit @bundeswahlleiter #btw21 #wählengehen",
        lang=None,
        urls=(),  # the Link is the post itself
        domains=(),
        hashtags=("bundestagswahl", "btw21", "wählengehen"),
        mentions=("bundeswahlleiter",),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(f"url:{photo}",),
        views=None,  # empty Views cell
        likes=1370,
        reposts=None,  # Instagram has no shares
        replies=32,
        quotes=None,
        collected_at=COLLECTED,
        source=str(INSTAGRAM),
        source_line=2,
    )


def test_instagram_video_album_and_igtv() -> None:
    found = posts(read(INSTAGRAM))
    video = found[3]
    assert (video.post_id, video.views, video.likes, video.replies) == (
        "CUMaB0lIz9d",
        48113,
        2900,
        410,
    )
    assert video.urls == ("https://t.me/patriotnewsde",)
    assert video.domains == ("t.me",)
    assert video.hashtags == ("wahlbetrug", "btw21")
    album = found[4]
    assert album.views is None  # "0" on an album: not measured
    assert album.hashtags == ("factcheck", "germanelection")
    igtv = found[7]
    assert igtv.post_id == "CURx1aGF0pQ"
    assert igtv.views == 0  # a video with zero views stays zero
    assert igtv.text == "Live: first projections"  # the Title, as there is no caption
    assert igtv.media == ()
    assert igtv.account_id == "electionwatcheu"
    assert igtv.account_handle == "ElectionWatchEU"


def test_instagram_accounts() -> None:
    found = accounts(read(INSTAGRAM))
    assert [(a.account_id, a.name, a.followers) for a in found] == [
        ("wahlcheck.de", "Wahlcheck", 18240),
        ("patriot_news_de", "Patriot News DE", 9911),
        ("wahlcheck.de", "Wahlcheck", 18302),
        ("electionwatcheu", "Election Watch EU", 120455),
    ]
    assert all(a.platform == "instagram" and a.labels == () for a in found)
    assert found[0].observed_at == utc(2021, 9, 24, 8, 15)
    assert found[0].created_at is None


def test_instagram_rejects() -> None:
    bad = rejects(read(INSTAGRAM))
    assert sorted(bad) == [5, 6]
    assert bad[5].reason == "expected 20 columns, found 22"
    assert bad[6].reason.startswith("unparsable Post Created: '2021-13-45 25:00:00 CEST'")


# --- choices and edge cases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.facebook.com/104857361928374/posts/4021958374619283", "4021958374619283"),
        ("https://www.facebook.com/groups/7712039/permalink/1298837465001928/", "1298837465001928"),
        ("https://www.facebook.com/groups/7712039/posts/1298837465001928", "1298837465001928"),
        ("https://www.facebook.com/VoiceOfEurope/videos/882716354091827/", "882716354091827"),
        ("https://www.facebook.com/page/videos/wahlabend-live/987654321/", "987654321"),
        ("https://www.facebook.com/page/photos/a.113920/402238952/?type=3", "402238952"),
        ("https://www.facebook.com/permalink.php?story_fbid=pfbid02Xk&id=100064", "pfbid02Xk"),
        ("https://www.facebook.com/photo.php?fbid=1029384756", "1029384756"),
        ("https://www.facebook.com/watch/?v=5566778899", "5566778899"),
        ("https://www.instagram.com/p/CUKq3xYsK8L/", "CUKq3xYsK8L"),
        ("https://www.instagram.com/wahlcheck.de/p/CUKq3xYsK8L/", "CUKq3xYsK8L"),
        ("https://www.instagram.com/reel/CUa-b_c1234/", "CUa-b_c1234"),
        ("https://www.instagram.com/tv/CURx1aGF0pQ", "CURx1aGF0pQ"),
    ],
)
def test_post_id_from_url(url: str, expected: str) -> None:
    assert crowdtangle.post_id_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["", "https://www.facebook.com/somepage", "https://www.facebook.com/page/posts/", "n/a"],
)
def test_post_id_from_url_without_an_id(url: str) -> None:
    with pytest.raises(RecordError, match="no post id"):
        crowdtangle.post_id_from_url(url)


def test_platform_of_columns_and_hosts() -> None:
    assert crowdtangle.platform_of(FB_HEADER) == "facebook"
    assert crowdtangle.platform_of(IG_HEADER) == "instagram"
    assert crowdtangle.platform_of(["URL"], "https://m.facebook.com/x/posts/1") == "facebook"
    assert crowdtangle.platform_of(["URL"], "https://www.instagram.com/p/X/") == "instagram"
    with pytest.raises(RecordError, match="cannot tell"):
        crowdtangle.platform_of(["URL"], "https://example.org/p/1")


def test_platform_from_the_url_when_columns_do_not_tell() -> None:
    header = ["User Name", "Post Created", "Total Interactions", "Likes", "URL", "Message"]
    rows = [
        {
            "User Name": "wahlcheck.de",
            "Post Created": "2021-09-24 10:15:00 CEST",
            "URL": "https://www.instagram.com/p/CUKq3xYsK8L/",
            "Likes": "3",
        },
        {
            "User Name": "seite",
            "Post Created": "2021-09-24 10:15:00 CEST",
            "URL": "https://www.facebook.com/1/posts/2",
        },
        {"User Name": "x", "Post Created": "2021-09-24 10:15:00 CEST", "URL": "https://a.de/p/3"},
    ]
    with written(table(header, rows)) as path:
        items = read(path)
    found = posts(items)
    assert (found[2].platform, found[2].post_id, found[2].likes) == ("instagram", "CUKq3xYsK8L", 3)
    bad = rejects(items)
    assert bad[3].reason == "missing or invalid Facebook Id: None"  # a Facebook row needs it
    assert "cannot tell Facebook from Instagram" in bad[4].reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [("104857361928374", "104857361928374"), ("104857361928374.0", "104857361928374")],
)
def test_facebook_id_written_back_by_a_spreadsheet(value: str, expected: str) -> None:
    row = {
        "Facebook Id": value,
        "URL": "https://www.facebook.com/1/posts/2",
        "Post Created": "2021-09-20 13:00:03 CEST",
    }
    assert crowdtangle.normalize(row, platform="facebook").account_id == expected


def test_facebook_id_in_scientific_notation_is_rejected() -> None:
    row = {"Facebook Id": "1.04857E+14", "URL": "https://www.facebook.com/1/posts/2"}
    with pytest.raises(RecordError, match="Facebook Id is not a number"):
        crowdtangle.normalize(row, platform="facebook")


@pytest.mark.parametrize(
    ("kind", "cell", "expected"),
    [
        ("Link", "0", None),
        ("Photo", "0", None),
        ("Native Video", "0", 0),
        ("Live Video Complete", "0", 0),
        ("Photo", "12", 12),  # a count is a count, whatever the type
        ("Native Video", "", None),
        ("Native Video", "1,204", 1204),
    ],
)
def test_views_zero_only_means_zero_for_videos(kind: str, cell: str, expected: int | None) -> None:
    row = {
        "Facebook Id": "1",
        "URL": "https://www.facebook.com/1/posts/2",
        "Post Created": "2021-09-20 13:00:03 CEST",
        "Type": kind,
        "Post Views": cell,
    }
    assert crowdtangle.normalize(row, platform="facebook").views == expected


def test_junk_count_rejects_the_row() -> None:
    row = {
        "Facebook Id": "1",
        "URL": "https://www.facebook.com/1/posts/2",
        "Post Created": "2021-09-20 13:00:03 CEST",
        "Likes": "viele",
    }
    with pytest.raises(RecordError, match="Likes is not a number"):
        crowdtangle.normalize(row, platform="facebook")


def test_collected_at_is_none_unless_given() -> None:
    found = posts(read(FACEBOOK, ReadOptions()))
    assert all(p.collected_at is None for p in found.values())


def head(path: Path) -> Head:
    text = path.read_text(encoding="utf-8")
    return Head(path=path, text=text, csv_header=csv_header(text))


def test_sniff_recognises_both_exports() -> None:
    assert crowdtangle.sniff(head(FACEBOOK))
    assert crowdtangle.sniff(head(INSTAGRAM))


def test_sniff_refuses_other_files() -> None:
    archive = "tweetid,userid,user_screen_name,tweet_text,tweet_time\n1,2,x,hallo,2021-01-01\n"
    assert not crowdtangle.sniff(Head(Path("a.csv"), archive, csv_header=csv_header(archive)))
    generic = "id,text,URL,created\n1,hallo,https://a.de,2021-01-01\n"
    assert not crowdtangle.sniff(Head(Path("b.csv"), generic, csv_header=csv_header(generic)))
    assert not crowdtangle.sniff(Head(Path("c.json"), '{"URL": 1}', first_json={"URL": 1}))


def test_registers_the_format() -> None:
    (fmt,) = crowdtangle.lagebild_source_formats()
    assert fmt.name == "crowdtangle"
    assert fmt.platforms == ("facebook", "instagram")
    assert fmt.read is crowdtangle.read
    assert fmt.sniff is crowdtangle.sniff


# --- robustness -------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(data: bytes) -> None:
    with written(data) as path:
        try:
            items = read(path)
        except FormatError:
            return  # no header line at all
    assert all(isinstance(i, Post | Account | Reject) for i in items)


def _row_spans(data: bytes) -> list[tuple[int, int, int]]:
    """``(first line, start offset, end offset)`` of each data row of a fixture, by parsing."""
    text = data.decode()
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    line_starts = [0]
    for i, byte in enumerate(data):
        if byte == ord("\n"):
            line_starts.append(i + 1)
    spans = []
    line = reader.line_num
    for _ in reader:
        first, line = line + 1, reader.line_num
        spans.append(
            (
                first,
                line_starts[first - 1],
                line_starts[line] if line < len(line_starts) else len(data),
            )
        )
    return spans


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([FACEBOOK, INSTAGRAM]), st.data())
def test_truncated_export_loses_no_complete_row(path: Path, data: st.DataObject) -> None:
    raw = path.read_bytes()
    header_end = raw.index(b"\n") + 1
    cut = data.draw(st.integers(min_value=header_end, max_value=len(raw)))
    outcome = by_row(read(path))
    with written(raw[:cut]) as short:
        got = by_row(read(short))
    for first, start, end in _row_spans(raw):
        if end <= cut:
            assert type(got[first]) is type(outcome[first])
            if isinstance(got[first], Post):
                assert got[first]._replace(source="") == outcome[first]._replace(source="")
        elif start < cut:
            partial = raw[start:cut].decode(errors="replace").strip(' "\r\n')
            assert first in got or not partial  # the cut row: a post or a reject
        else:
            assert first not in got


_CELL = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(dict.fromkeys(FB_HEADER[1:], _CELL)), max_size=6))
def test_every_row_becomes_a_post_or_a_reject(rows: list[dict[str, str]]) -> None:
    for row in rows:
        row["Page Name"] = "Seite"  # a row is never blank
    with written(table(FB_HEADER, rows)) as path:
        items = read(path)
    found = [i for i in items if isinstance(i, Post | Reject)]
    assert len(found) == len(rows)
    assert len(accounts(items)) == sum(isinstance(i, Post) for i in found)
