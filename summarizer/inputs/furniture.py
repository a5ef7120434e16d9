"""What a text block of a web page is, by its shape: story text, or furniture and why.

``reason(block, title, author)`` names why a paragraph is not story text (``None``: it
is): a run of links, a caption, a byline, a dateline or time stamp, a credit or copyright
line, a prompt (``Related:``, ``Read more``, ``Sign up``, ``Share``, ...), an advertising
or cookie notice, the page's title again, a short label line (``Filed under: Harbors.``), or a line of up to ``MAX_UNCLOSED_WORDS`` words
that does not close like a sentence (a heading, a label, a run of teasers; the page
reader keeps such a line as a subhead when it sits between story paragraphs).

``strip_byline(text)`` cuts a byline or a wire dateline off the start of a paragraph and
keeps the sentence after it: ``By Ana Lopez: The board voted ...``, ``By Ana Lopez |
The board ...``, ``By Ana Lopez and Sam Ode The board ...``, ``Ana Lopez, Reuters —
The board ...``, ``PORT ELLIS, Wash. (AP) — The board ...``.

>>> strip_byline("By Ana Lopez and Sam Ode: The harbor board voted on Thursday.")
'The harbor board voted on Thursday.'
>>> strip_byline("By the end of the year the channel will be dredged.")
'By the end of the year the channel will be dredged.'
"""

from __future__ import annotations

import re

from .blocks import Block

MAX_UNCLOSED_WORDS = 40  # a longer paragraph without a closing stop is taken as text that lost its stop
SHORT_CAPTION_WORDS = 15  # a sentence this short right after an image may be its caption
MAX_LABEL_WORDS = 8  # "Label: value." this short is a page's label line, not a sentence

# a closing stop (an abbreviation's counts too: "... the U.S."), in the scripts the splitter knows
STOP = re.compile(r"[.!?…。｡！？।॥؟።][\"'”’»)\]」』]*$")
INNER_STOP = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"“‘(]?[A-Z]|[。｡！？।॥؟።].")  # a sentence ends inside: prose
_CITATION = re.compile(r"\s*\[[^\]]{1,40}\]\s*$")  # "... flush. [source]"
_BYLINE = re.compile(
    r"^(?:(?:written|words|story|(?:additional )?reporting|reported|text|interview|photos?|video|compiled|"
    r"edit(?:ed|ing))\s+by|by)\s+"
    r"[A-Z\u00C0-\u024F]", re.IGNORECASE)
_BYLINE_INSIDE = re.compile(r"(?:^|[|•·])\s*[Bb][Yy]\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:[|•·,]|$)")
CREDIT = re.compile(
    r"^(?:photo(?:graph)?s?|images?|pictures?|video|graphic|illustration|credits?|courtesy|source|"
    r"file photo|screenshot)\b[^.]{0,40}?(?::|\bby\b|\bcredit\b|/|\bcourtesy\b)"
    r"|\((?:AP|AFP|Reuters|Getty|EPA|PA|Shutterstock|Bloomberg)\b[^)]*\)\s*$"
    r"|(?:Getty Images|Shutterstock|AP Photo|/ ?(?:Reuters|AFP|AP|EPA))\W*$"
    r"|\b(?:reuters|afp|epa|ap photo)\s*/\s*\w"
    r"|©|\ball rights reserved\b|^copyright\b|\bcreative commons\b|\bCC BY\b|\blicensed under\b",
    re.IGNORECASE)
PROMPT = re.compile(
    r"^\W*(?:related(?:\s+(?:stories|articles|content|coverage|reading|posts|videos|links|news))?\b(?!\s+(?:to|by)\b)|"
    r"read (?:more|next|also|the full)|also read|more (?:from|on|about|stories)\b|see also|recommended\b|"
    r"you (?:may|might) (?:also )?like|sign up|subscribe|follow (?:us|@)|share (?:this|on|via|the)|share:|"
    r"click here|check out:|watch:|listen:|advertisement|sponsored|trending|most (?:popular|read)|don'?t miss|"
    r"if you (?:enjoyed|liked|appreciated|value|valued) (?:this|our|reading)|"
    r"editor'?s picks?|up next|top stories|get (?:the|our) \S+(?: \S+){0,4} newsletter|download (?:our|the) app|"
    r"previous (?:article|post)|next (?:article|post)|comments?\b|leave a (?:comment|reply)|join the conversation|"
    r"(?:the )?(?:story|article) continues|continue reading|"
    r"follow \S+(?: \S+)? on (?:twitter|x|facebook|instagram)|(?:contact|email) the (?:author|reporter)|"
    r"(?:image|photo|slide|picture)s? \d+ (?:of|/) \d+)",
    re.IGNORECASE)
_LABEL_LINE = re.compile(r"^[A-Z][\w'’ ]{0,30}:\s")
# the page's metadata under a label: never story text, wherever it stands
_METADATA = re.compile(r"^(?:key ?words|tags?|topics?|categor(?:y|ies)|filed (?:under|in)|posted in|subjects?|"
                       r"doi|cite (?:this|as)|received|accepted|published in)\s*:", re.IGNORECASE)
_PROMPT_INSIDE = re.compile(r"\b(?:sign up|subscribe|newsletter|click here|share (?:this|it with)|follow us|"
                            r"like this (?:story|article|post)\?)", re.IGNORECASE)
# how to reach the reporter: an address or a handle, and a word that asks for it
_CONTACT_WAY = re.compile(r"[\w.+-]+@[\w-]+\.\w|(?:^|\s)@\w{2,}")
_CONTACT_ASK = re.compile(r"\b(?:reached|reach|contact|e-?mail|follow|tips?|write to)\b", re.IGNORECASE)
_NOTICE = re.compile(
    r"advertiser disclosure|affiliate (?:link|commission|partner)|we may (?:earn|receive) (?:a )?(?:commission|"
    r"compensation)|participant in the amazon|sponsored content|paid content|cookies? (?:policy|settings)|"
    r"terms of (?:use|service)|privacy policy",
    re.IGNORECASE)
_MONTHS = ("jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
           "august september october november december mon tue wed thu fri sat sun monday tuesday wednesday "
           "thursday friday saturday sunday").split()
_DATE_WORDS = frozenset(_MONTHS) | frozenset(
    """published updated posted last modified on at date news category am pm a.m. p.m. et est edt ct cst cdt
    pt pst pdt gmt utc bst cet cest ist today yesterday ago min mins minute minutes hour hours read
    the""".split())
_NUMERIC_DATE = re.compile(r"^\d{1,4}[/.:-]\d{1,2}(?:[/.:-]\d{1,4})?(?:am|pm)?$", re.IGNORECASE)
_DATE_TOKEN = re.compile(r"^(?:\d[\d/.:,-]*(?:st|nd|rd|th|am|pm)?|[|:,–—-]+)$", re.IGNORECASE)
# "PORT ELLIS, Wash. (AP) — ", "KVELLER via JTA — ": a place or source in capitals before a dash
_WIRE = re.compile(
    r"^[A-Z][A-Z.'’ ]{2,40}(?:,\s*[A-Z][A-Za-z.]{1,14})?(?:\s+via\s+[A-Z][A-Za-z]{1,15})?"
    r"(?:\s*\([A-Z][A-Za-z. ]{1,25}\))?\s*(?:[—–]|--?)\s+(?=[A-Z\"“‘])")

# -- bylines at the start of a paragraph -------------------------------------------------
# a byline's names: capitalised words and initials ("Ana", "J.", "O'Neil", "al-Sayed"), particles
# ("de", "van der") and joins ("and", "&", ","); a capitalised word that opens sentences ends them
_OPENERS = frozenset("""a an the this that these those it its he she they we i you there here in on at for after
    before when while as if but and or so yet since though although with without from by to of over under
    during despite amid among new last next one two three some many most all no not what why how who where
    officials police""".split())
_NAME_WORD = re.compile(r"^(?:[A-Z\u00C0-\u024F][\w'’.-]*|[A-Z]\.)$")
_PARTICLES = frozenset("de da del der di du la le van von bin al el".split())
_AGENCY = r"(?:Reuters|AP|AFP|Associated Press|Agence France-Presse|Bloomberg|UPI|dpa|PA|CNN|BBC News|NPR)"
# "By NAMES:" / "By NAMES |" / "By NAMES —" / "By NAMES, Reuters —": the names end at a mark
_MARKED_BYLINE = re.compile(
    rf"^By\s+(?P<names>[^:|•·—–\n]{{2,80}}?)\s*(?:,\s*{_AGENCY}\s*)?(?:[:|•·—–]|\s--?\s)\s*", re.IGNORECASE)
_AGENCY_BYLINE = re.compile(rf"^(?P<names>[^,—–\n]{{3,80}}),\s*{_AGENCY}\s*(?:[—–]|--?)\s+")


def _is_names(words: list[str]) -> bool:
    """Whether ``words`` are only a byline's names (two name words at least)."""
    names = 0
    for w in words:
        if w.lower() in _OPENERS - {"and"}:
            return False
        if _NAME_WORD.match(w):
            names += 1
        elif w.lower() not in _PARTICLES and w not in ("and", "&"):
            return False
    return names >= 2


def _words_of(names: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", names) if w]


def strip_byline(text: str) -> str:
    """``text`` without a byline or wire dateline at its start (see the module doc); as it was
    when none is there. What is left may be empty (the paragraph was only a byline)."""
    for pattern in (_AGENCY_BYLINE, _MARKED_BYLINE):
        m = pattern.match(text)
        rest = text[m.end():] if m else ""
        if m and _is_names(_words_of(m.group("names"))) and (not rest or rest[0].isupper() or rest[0].isdigit()
                                                            or rest[0] in "\"“‘'"):
            return rest
    if text[:3].lower() == "by ":
        # no mark: the names end where a sentence visibly starts ("By Ana Lopez and Sam Ode The
        # board ..."): at a word that opens sentences, or a quote
        words = text[3:].split(" ")
        for n in range(2, min(len(words), 12) + 1):
            if not _is_names(words[:n]):
                break
            if n == len(words):
                return ""  # only a byline
            nxt = words[n]
            if nxt[:1].isupper() and nxt.lower() in _OPENERS or nxt[:1] in "\"“‘":
                return " ".join(words[n:])
    return _WIRE.sub("", text, count=1)


# -- what a paragraph is -----------------------------------------------------------------


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def is_dateline(text: str) -> bool:
    tokens = [t.strip(".,()[]").lower() for t in text.split()]
    # a month or weekday, a numeric date or time ("04/21/2022", "10:00"), or "... ago"
    if len(tokens) > 15 or not any(t in _MONTHS or t == "ago" or _NUMERIC_DATE.match(t) for t in tokens):
        return False
    rest = [t for t in tokens if t and t not in _DATE_WORDS and not _DATE_TOKEN.match(t)]
    if not any(c.isdigit() for c in text) and "ago" not in tokens:
        return not rest  # a month or weekday among other words is a heading ("Clinching in November")
    return len(rest) <= 3


LINKED_PROSE_WORDS = 25  # a paragraph in one link with this many words in two sentences or more is prose


def is_link_run(block: Block) -> bool:
    """Mostly link text: a link, a run of links, or a prompt around one ("Related: <link>"); not a
    paragraph of several sentences that a page wrapped whole in one link (a deal, a round-up)."""
    words, share = block.words, block.link_share
    if words >= LINKED_PROSE_WORDS and INNER_STOP.search(block.text) and closes(block.text) and (
            block.links == 1 or share < 0.65 or block.links == 2 and share < 0.8):
        # sentences with links in them (names, sources), or one or two sentences wrapped whole in a link;
        # many links over most of it are a run of them, whatever the stops
        return False
    return bool(block.links) and (share >= 0.8 or (share >= 0.5 and block.links >= 2)
                                  or words - round(words * share) <= 2)


def closes(text: str) -> bool:
    """Whether a paragraph reads as prose: a closing stop (a citation may follow it), or a sentence end inside."""
    return bool(STOP.search(_CITATION.sub("", text)) or INNER_STOP.search(text))


_FULL_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_LABEL_INSIDE = re.compile(r"(?:^|\s)\w+:\s")


def carries_metadata(text: str) -> bool:
    """A line of the page's metadata run together: a full date, or two ``Label:`` parts or more
    ("... 05/10/2018 - Posted by: ... - Category: ...")."""
    return bool(_FULL_DATE.search(text)) or len(_LABEL_INSIDE.findall(text)) >= 2


def repeats_alt(text: str, alt: str) -> bool:
    """Whether ``text`` opens with the words of an image's alt text (four words or more): its caption."""
    alt_words, words = norm(alt).split(), norm(text).split()
    return len(alt_words) >= 4 and " ".join(words[:8]) in " ".join(alt_words)


def reason(block: Block, title: str, author: str) -> str | None:
    """Why a paragraph is not story text (None: it is)."""
    text, words = block.text, block.words
    if is_link_run(block):
        return "link run"
    if block.has_graphic and (words <= 40 or repeats_alt(text, block.alt)):
        return "caption"
    if block.after_graphic is not None:
        alt = norm(block.after_graphic)
        # the image's alt text repeated (a one-word alt, "Stadia", says nothing: any paragraph may name it)
        # a short sentence under an image is its caption, unless the page marks its captions and not this one
        if (CREDIT.search(text) or not STOP.search(text) or words <= SHORT_CAPTION_WORDS and block.caption_marked is not False
                or (alt and ((len(alt.split()) >= 4 and alt in norm(text)) or norm(text) in alt))):
            return "caption"
    if _BYLINE.match(text) and words <= 15 or _BYLINE_INSIDE.search(text) and words <= 15:
        return "byline"
    if author and words <= 8 and norm(text).startswith(norm(author.split(";")[0])):
        return "byline"
    if is_dateline(text):
        return "dateline"
    if CREDIT.search(text) and words <= 40:
        return "credit"
    if PROMPT.match(text) or (_PROMPT_INSIDE.search(text) and words <= 25) or (
            words <= 40 and _CONTACT_WAY.search(text) and _CONTACT_ASK.search(text)):
        return "prompt"
    if _NOTICE.search(text):
        return "notice"
    if title and norm(text) == norm(title):
        return "title"
    if _METADATA.match(text) and words <= MAX_UNCLOSED_WORDS:
        return "metadata"  # "Keywords: dredging; silt", "Tags: harbor, port"
    if words <= MAX_LABEL_WORDS and _LABEL_LINE.match(text):
        return "label"  # "Our Standards: The Trust Principles.", "Filed under: Harbors."
    if not closes(text) and words <= MAX_UNCLOSED_WORDS:
        # a story paragraph closes with a stop: a line without one (and without a sentence
        # inside) is a heading, a label, a run of teasers, or a lead-in to a list
        return "lead-in" if text.rstrip().endswith(":") else "heading"
    return None
