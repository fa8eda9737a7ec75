"""Post texts as the narrative detector sees them: cleaned, de-duplicated, tokenised, in SQL.

A retweet and its original, or the same slogan posted by fifty accounts, are one *text*: the
detector works on distinct cleaned texts (``text_key``) and maps the answer back to every post
that carries it. Cleaning drops what does not carry meaning across copies — a leading
``RT @handle:``, links and @-mentions — and keeps hashtags as words.

Terms for labels and for lexical assignment are lower-case words of at least three letters
that are not German or English stop words and not numbers.
"""

from __future__ import annotations

import duckdb

__all__ = [
    "STOPWORDS",
    "clean_text_sql",
    "ensure_stopwords",
    "text_key_sql",
    "tokens_sql",
]

_EN = """
a about above after again against all also am an and any are aren as at be because been
before being below between both but by can cannot could did didn do does doesn doing don down
during each few for from further get got had has have having he her here hers herself him
himself his how i if in into is isn it its itself just let ll me more most much must my
myself no nor not now of off on once one only or other ought our ours ourselves out over own
re same say says said she should so some such than that the their theirs them themselves then
there these they this those through to too under until up us very via was we were what when
where which while who whom why will with won would you your yours yourself yourselves ve
amp new like people via rt via today time make know think going want see way well even back
still go us day need really many just gt lt
"""

_DE = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann das dass
dasselbe dazu daß dein deine deinem deinen deiner deines dem demselben den denn denselben der
derer derselbe derselben des desselben dessen dich die dies diese dieselbe dieselben diesem
diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige
einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer eures für
gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem
ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener
jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen man manche
manchem manchen mancher manches mein meine meinem meinen meiner meines mich mir mit muss
musste nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine seinem seinen seiner
seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte sondern
sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor während war
waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie
wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen mehr heute
gibt ganz immer geht gut mal schon ja nein wurde wurden worden sei seit beim
"""

#: Words too common to tell narratives apart (German and English).
STOPWORDS: frozenset[str] = frozenset((_EN + _DE).split())


def clean_text_sql(column: str = "text") -> str:
    """SQL for a post's text without a leading ``RT @handle:``, links, mentions, extra spaces."""
    stripped = (
        f"regexp_replace({column}, '^RT @\\w+:\\s*|https?://\\S+|www\\.\\S+|@\\w+', ' ', 'g')"
    )
    return f"trim(regexp_replace({stripped}, '\\s+', ' ', 'g'))"


def text_key_sql(clean: str) -> str:
    """SQL for the key of a cleaned text: equal for texts that differ only in case."""
    return f"md5(lower({clean}))"


def tokens_sql(clean: str) -> str:
    """SQL for the list of candidate terms of a cleaned text (stop words removed by a join)."""
    return (
        f"list_filter(string_split_regex(lower({clean}), '[^\\p{{L}}\\p{{N}}]+'), "
        "lambda t: length(t) >= 3 AND NOT regexp_full_match(t, '[0-9]+'))"
    )


def ensure_stopwords(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp table ``stopwords (term)`` on ``con`` unless it is there."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS stopwords (term VARCHAR)")
    if not con.sql("SELECT count(*) FROM stopwords").fetchall()[0][0]:
        con.executemany("INSERT INTO stopwords VALUES (?)", [(w,) for w in sorted(STOPWORDS)])
