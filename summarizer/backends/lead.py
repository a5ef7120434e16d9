"""Lead-N: the first N sentences of the body, the classic news baseline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from ..article import Article
from ..results import KeyPoint, Summary
from .settings import bad_setting, setting


@dataclass(frozen=True)
class LeadSettings:
    default_points: int = setting(3, 'Lead-3 is the baseline papers report on CNN/DailyMail')

    def __post_init__(self) -> None:
        if self.default_points < 1:
            raise bad_setting("lead", "default_points", self.default_points, "a positive number")


class LeadSummarizer:
    """The first ``num_points`` sentences of each article body."""

    name = "lead"
    Settings = LeadSettings

    def __init__(self, settings: LeadSettings | None = None):
        self.settings = settings or LeadSettings()

    def summarize(self, articles: Sequence[Article], *, num_points: int | None = 3) -> list[Summary]:
        n = self.settings.default_points if num_points is None else num_points
        out = []
        for a in articles:
            chosen = a.sentences[:n]
            out.append(
                Summary(
                    key_points=tuple(
                        KeyPoint(s.text, score=None, sentences=(s.index,), spans=((s.start, s.end),))
                        for s in chosen
                    ),
                    model=self.name,
                    settings={**asdict(self.settings), "num_points": n},
                    name=a.name,
                    title=a.title,
                    num_sentences=len(a.sentences),
                )
            )
        return out
