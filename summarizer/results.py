"""Frozen result types: what a summarizer returns, serializable to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class KeyPoint:
    """One key point: its text and where it came from in the article body.

    ``sentences`` are indices into the body's sentence list and ``spans`` their
    ``(start, end)`` character offsets in the body; both are empty for abstractive
    key points, which are written rather than copied.
    """

    text: str
    score: float | None = None
    sentences: tuple[int, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "score": self.score,
            "sentences": list(self.sentences),
            "spans": [list(s) for s in self.spans],
        }


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
        kps = tuple(
            KeyPoint(
                text=k["text"],
                score=k.get("score"),
                sentences=tuple(k.get("sentences", ())),
                spans=tuple(tuple(s) for s in k.get("spans", ())),
            )
            for k in d["key_points"]
        )
        return cls(
            key_points=kps,
            model=d["model"],
            settings=dict(d.get("settings", {})),
            name=d.get("name"),
            title=d.get("title"),
            num_sentences=d.get("num_sentences", 0),
            info=dict(d.get("info", {})),
            **{k: d.get(k) for k in _PAGE},
        )


__all__ = ["KeyPoint", "Summary", "asdict"]
