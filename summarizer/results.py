"""Frozen result types: what a summarizer returns, serializable to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Support:
    """An article sentence that supports an abstractive key point, and how closely (cosine of their vectors)."""

    sentence: int  # index into the body's sentence list
    score: float
    span: tuple[int, int] = (0, 0)  # the sentence's (start, end) character offsets in the body

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "score": self.score, "span": list(self.span)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Support":
        return cls(int(d["sentence"]), float(d["score"]), tuple(d.get("span", (0, 0))))


@dataclass(frozen=True)
class Flag:
    """Something in a key point that the article does not contain: a number, amount,
    percentage, score, date or name (``kind``), as written in the key point (``text``), and
    why it is flagged, in words (``why``: what the article has instead); or ``kind``
    "support": no article sentence says what the key point says (by the consistency score)."""

    kind: str
    text: str
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "text": self.text}
        if self.why:
            d["why"] = self.why
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Flag":
        return cls(str(d["kind"]), str(d["text"]), str(d.get("why", "")))


@dataclass(frozen=True)
class KeyPoint:
    """One key point: its text and where it came from in the article body.

    ``sentences`` are indices into the body's sentence list and ``spans`` their
    ``(start, end)`` character offsets in the body; both are empty for abstractive
    key points, which are written rather than copied. Those are grounded instead
    (``summarizer.grounding``): ``support`` lists the article sentences closest to the
    point and ``flags`` what in it the article does not contain; both are None for a
    key point that was not checked (an extractive one is the article's own sentence).
    ``consistency`` is the probability that the article backs the key point (the learned
    consistency score of ``summarizer.grounding.consistency``), where it was computed.
    """

    text: str
    score: float | None = None
    sentences: tuple[int, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    support: tuple[Support, ...] | None = None
    flags: tuple[Flag, ...] | None = None
    consistency: float | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "score": self.score,
            "sentences": list(self.sentences),
            "spans": [list(s) for s in self.spans],
        }
        if self.support is not None:
            d["support"] = [s.to_dict() for s in self.support]
        if self.flags is not None:
            d["flags"] = [f.to_dict() for f in self.flags]
        if self.consistency is not None:
            d["consistency"] = self.consistency
        return d

    @classmethod
    def from_dict(cls, k: dict[str, Any]) -> "KeyPoint":
        """A key point from ``to_dict``'s output; rows written before grounding existed read too."""
        support, flags = k.get("support"), k.get("flags")
        return cls(
            text=k["text"],
            score=k.get("score"),
            sentences=tuple(k.get("sentences", ())),
            spans=tuple(tuple(s) for s in k.get("spans", ())),
            support=None if support is None else tuple(Support.from_dict(s) for s in support),
            flags=None if flags is None else tuple(Flag.from_dict(f) for f in flags),
            consistency=k.get("consistency"),
        )


@dataclass(frozen=True)
class RougeFigure:
    """One ROUGE metric of the machine's key points against the article's own (0 to 1)."""

    precision: float
    recall: float
    fmeasure: float

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "fmeasure": self.fmeasure}


@dataclass(frozen=True)
class References:
    """An article's own key points, written by people (a CNBC layout's, a page's Key Points
    list or highlights), and where they were found; with ``summarize --score``, the ROUGE of
    the machine's key points against them and the scorer's signature (the harness's)."""

    key_points: tuple[str, ...]
    source: str
    rouge: dict[str, RougeFigure] | None = field(default=None, hash=False)
    signature: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "key_points": list(self.key_points)}
        if self.rouge is not None:
            d["rouge"] = {m: f.to_dict() for m, f in self.rouge.items()}
            d["signature"] = self.signature
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "References":
        rouge = d.get("rouge")
        return cls(tuple(d["key_points"]), str(d["source"]),
                   None if rouge is None else {m: RougeFigure(**f) for m, f in rouge.items()}, d.get("signature"))


_PAGE = ("author", "date", "url")  # optional keys of a summary's JSON


@dataclass(frozen=True)
class Summary:
    """The key points of one article, with the model and settings that wrote them."""

    key_points: tuple[KeyPoint, ...]
    model: str
    settings: dict[str, Any] = field(default_factory=dict, hash=False)
    name: str | None = None  # the input's name (file path, URL, "<stdin>"), when known
    title: str | None = None
    num_sentences: int = 0  # sentences in the body the summary was chosen from
    info: dict[str, Any] = field(default_factory=dict, hash=False)  # e.g. tokens chunked
    # a web page's metadata, where the page has it (trafilatura's): None otherwise
    author: str | None = None
    date: str | None = None  # as the page gives it, usually YYYY-MM-DD
    url: str | None = None  # the page's own (canonical) address, else the one fetched
    references: References | None = None  # the article's own key points, where it has them

    @property
    def texts(self) -> list[str]:
        """The key points' texts, in order."""
        return [k.text for k in self.key_points]

    def __str__(self) -> str:
        return "\n".join(self.texts)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.name is not None:
            d["name"] = self.name
        if self.title is not None:
            d["title"] = self.title
        d.update({k: v for k in _PAGE if (v := getattr(self, k)) is not None})
        d["key_points"] = [k.to_dict() for k in self.key_points]
        if self.references is not None:
            d["references"] = self.references.to_dict()
        d["model"] = self.model
        d["settings"] = dict(self.settings)
        d["num_sentences"] = self.num_sentences
        if self.info:
            d["info"] = dict(self.info)
        return d

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Summary":
        kps = tuple(KeyPoint.from_dict(k) for k in d["key_points"])
        return cls(
            key_points=kps,
            model=d["model"],
            settings=dict(d.get("settings", {})),
            name=d.get("name"),
            title=d.get("title"),
            num_sentences=d.get("num_sentences", 0),
            info=dict(d.get("info", {})),
            references=References.from_dict(d["references"]) if d.get("references") else None,
            **{k: d.get(k) for k in _PAGE},
        )


__all__ = ["Flag", "KeyPoint", "References", "RougeFigure", "Summary", "Support", "asdict"]
