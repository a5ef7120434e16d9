"""The default backend: key points chosen with the embedded sentence encoder.

Each body sentence is embedded with all-MiniLM-L6-v2. By default (``scorer="learned"``) a
small network trained on CNN/DailyMail highlights (:mod:`summarizer.backends.extractive.scorer`) reads
the sentence vectors, their positions and a few similarities, and gives each sentence a
probability of being a key point. By default (``selection="set"``) the key points are then
chosen as a set (:mod:`summarizer.backends.extractive.selection`): candidate summaries made
of the best sentences are scored as wholes by a second small network and the best one is
kept, which also decides how many key points the article gets; a sentence that begins inside
a quotation (:mod:`summarizer.backends.extractive.quotes`) never starts a key point.
``selection="sentences"`` keeps the sentence-by-sentence choice: the best are kept, with
trigram blocking against repeats, and without ``num_points`` their number adapts to the
article (see ``scorer.Adaptive``). ``scorer="centrality"`` is the unlearned scorer: how central a
sentence is to the article (cosine similarity of its vector to the article's mean vector)
plus the position prior of news writing (the lead carries the story), with maximal
marginal relevance against repeats (:func:`select`). Either way the chosen sentences are
returned in article order.

Sentences of all the articles in a call are encoded together, sorted by length, so a batch
of articles costs little more padding than one long article.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Sequence

from ...article import Article
from ...results import KeyPoint, Summary
from ..settings import bad_setting, setting

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


@dataclass(frozen=True)
class ExtractiveSettings:
    scorer: str = setting("learned", '"learned": trained on news highlights; "centrality": unlearned, below')
    scorer_weights: str | None = setting(None, 'a file from python -m eval.train.scorer; None: the shipped weights')
    selection: str = setting("set", 'learned: "set" (candidate summaries scored as wholes) or "sentences" (best one by one)')
    selector_weights: str | None = setting(None, 'a file from python -m eval.train.selection; None: the shipped weights')
    block_trigrams: bool = setting(True, 'learned, selection=sentences: skip a sentence sharing a word trigram with a chosen one')
    # scorer="centrality": weights chosen by eval/train/tune_extractive.py on 400 stories of the shared *training* file
    # (R1 33.84 vs Lead-3's 32.35 there), never on the dev set results are reported on.
    centrality_weight: float = setting(1.0, 'how much "about the whole story" counts')
    position_weight: float = setting(0.5, 'how much "early in the story" counts')
    position_decay: float = setting(0.5, 'prior = 1 / sqrt(1 + index): the lead matters, the rest still counts')
    redundancy_penalty: float = setting(0.5, 'MMR: subtract this times the max similarity to a chosen point')
    min_words: int = setting(4, 'shorter sentences ("by .", "video.") are never key points')
    default_points: int = setting(3, 'centrality, num_points None (the learned scorer adapts the number)')
    batch_size: int = setting(64, 'sentences per encoder forward pass, at most')
    batch_tokens: int | None = setting(1024, 'padded word pieces per forward pass, at most (None: no cap)')
    max_tokens: int = setting(128, 'word pieces per sentence fed to the encoder (embedding only)')
    runtime: str = setting("onnx", 'encoder and scorer: "onnx" (ONNX Runtime + numpy, no torch import) or "torch"')
    quantize: str | None = setting("int8", 'dynamic int8 encoder on CPU: faster; None for fp32 (batch-independent)')
    threads: int | None = setting(None, "threads for the encoder; None: every core (torch: torch's default)")
    workers: int | None = setting(None, 'batches encoded at once, the threads shared among them; None: 2 with 2+ threads')

    def __post_init__(self) -> None:
        if self.scorer not in SCORERS:
            raise bad_setting("extractive", "scorer", self.scorer, " or ".join(SCORERS))
        if self.selection not in SELECTIONS:
            raise bad_setting("extractive", "selection", self.selection, " or ".join(SELECTIONS))
        if self.quantize not in (None, "int8"):
            raise bad_setting("extractive", "quantize", self.quantize, "int8 or none")
        if self.runtime not in ("onnx", "torch"):
            raise bad_setting("extractive", "runtime", self.runtime, "onnx or torch")
        for name in ("batch_size", "batch_tokens", "max_tokens", "workers", "threads"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise bad_setting("extractive", name, value, "a positive number")


SCORERS = ("learned", "centrality")
SELECTIONS = ("set", "sentences")


def eligible_sentences(
    texts: Sequence[str], body: str, starts: Sequence[int], min_words: int, quotes: bool = True, need: int = 1
) -> "np.ndarray":
    """Which sentences may be key points: those of at least ``min_words`` words (all of them
    when none is) and, with ``quotes``, not beginning inside a quotation, unless that leaves
    fewer than ``need`` (or than there are).

    >>> eligible_sentences(["By staff.", 'He said: "we won.', 'It was close," she said.'], "", [0, 0, 0], 3).tolist()
    [False, True, True]
    >>> body = 'The vote was held. "We won. It was close," she said.'
    >>> eligible_sentences(['The vote was held.', '"We won.', 'It was close," she said.'], body, [0, 19, 28], 2).tolist()
    [True, True, False]
    """
    import numpy as np

    ok = np.array([len(t.split()) >= min_words for t in texts], dtype=bool)
    if not ok.any():
        ok[:] = True
    if quotes and len(texts):
        from .quotes import begins_inside_quote

        clean = ok & ~np.array(begins_inside_quote(body, starts), dtype=bool)
        if clean.sum() >= min(need, ok.sum()):
            ok = clean
    return ok


def select(
    vectors: "np.ndarray",
    n: int,
    settings: ExtractiveSettings,
    eligible: "np.ndarray | None" = None,
) -> tuple[list[int], list[float]]:
    """Indices (in article order) and scores of the ``n`` sentences to keep.

    >>> import numpy as np
    >>> v = np.eye(3, dtype=np.float32)
    >>> select(v, 2, ExtractiveSettings())[0]
    [0, 1]
    """
    import numpy as np

    k = len(vectors)
    if k == 0 or n <= 0:
        return [], []
    doc = vectors.mean(0)
    doc /= np.linalg.norm(doc) or 1.0
    centrality = vectors @ doc
    position = 1.0 / (1.0 + np.arange(k)) ** settings.position_decay
    base = settings.centrality_weight * centrality + settings.position_weight * position
    if eligible is not None and eligible.any():
        base = np.where(eligible, base, -np.inf)
    chosen: list[int] = []
    scores: list[float] = []
    max_sim = np.zeros(k, dtype=np.float32)
    for _ in range(min(n, int(np.isfinite(base).sum()))):
        mmr = base - settings.redundancy_penalty * max_sim
        mmr[chosen] = -np.inf
        best = int(np.argmax(mmr))
        chosen.append(best)
        scores.append(float(base[best]))
        max_sim = np.maximum(max_sim, vectors @ vectors[best])
    order = np.argsort(chosen, kind="stable")
    return [chosen[i] for i in order], [scores[i] for i in order]


class ExtractiveSummarizer:
    """Key sentences by a learned scorer (default) or centrality, on the embedded all-MiniLM-L6-v2 encoder."""

    name = "extractive"
    Settings = ExtractiveSettings

    def __init__(self, settings: ExtractiveSettings | None = None):
        from ...encoder import SentenceEncoder

        self.settings = settings or ExtractiveSettings()
        s = self.settings
        self.scorer = None
        if s.scorer == "learned":  # load the small file first: a bad one fails before the encoder loads
            from .scorer import LearnedScorer

            self.scorer = LearnedScorer(s.scorer_weights, runtime="torch" if s.runtime == "torch" else "numpy")
        self.selector = None
        if s.scorer == "learned" and s.selection == "set":
            from .selection import Selector

            self.selector = Selector(s.selector_weights)
        self.encoder = SentenceEncoder(
            batch_size=s.batch_size,
            batch_tokens=s.batch_tokens,
            max_tokens=s.max_tokens,
            quantize=s.quantize,
            threads=s.threads,
            workers=s.workers,
            runtime=s.runtime,
        )

    def summarize(self, articles: Sequence[Article], *, num_points: int | None = 3) -> list[Summary]:
        """One summary per article; ``num_points=None``: as many as the article calls for."""
        return self.choose(articles, self.encode(articles), num_points=num_points)

    def encode(self, articles: Sequence[Article]) -> list["np.ndarray"]:
        """The sentence vectors of each article (all sentences encoded together)."""
        vectors = self.encoder.encode([x.text for a in articles for x in a.sentences])
        out, offset = [], 0
        for a in articles:
            out.append(vectors[offset : offset + len(a.sentences)])
            offset += len(a.sentences)
        return out

    def choose(
        self, articles: Sequence[Article], vectors: Sequence["np.ndarray"], *, num_points: int | None = 3
    ) -> list[Summary]:
        """Summaries from sentence vectors already computed by :meth:`encode`."""
        import numpy as np

        s = self.settings
        texts = [[x.text for x in a.sentences] for a in articles]
        n = num_points if num_points is not None else "adaptive" if self.scorer else s.default_points
        settings = {**asdict(s), "num_points": n, "encoder": "all-MiniLM-L6-v2", "encoder_runtime": self.encoder.description}
        if self.scorer is not None:
            from .scorer import choose

            probs = self.scorer.score(list(zip(vectors, texts)))
            settings["scorer_model"] = self.scorer.description
        if self.selector is not None:
            settings["selector_model"] = self.selector.description
        out = []
        for j, a in enumerate(articles):
            sents = a.sentences
            eligible = np.array([len(t.split()) >= s.min_words for t in texts[j]], dtype=bool)
            if self.selector is not None:
                c = self.selector.config
                ok = eligible_sentences(texts[j], a.body, [x.start for x in sents], s.min_words, quotes=True,
                                        need=num_points if num_points is not None else c.min_size)
                if num_points is not None and num_points > c.max_n:  # beyond the sizes it was trained on
                    idx = choose(probs[j], texts[j], num_points, ok, self.scorer.adaptive, s.block_trigrams)
                else:
                    idx = list(self.selector.choose(vectors[j], texts[j], probs[j], ok, num_points).indices)
                scores = [float(probs[j][i]) for i in idx]
            elif self.scorer is not None:
                idx = choose(probs[j], texts[j], num_points, eligible, self.scorer.adaptive, s.block_trigrams)
                scores = [float(probs[j][i]) for i in idx]
            else:
                idx, scores = select(vectors[j], n, s, eligible)
            out.append(
                Summary(
                    key_points=tuple(
                        KeyPoint(
                            sents[i].text,
                            score=round(sc, 6),
                            sentences=(i,),
                            spans=((sents[i].start, sents[i].end),),
                        )
                        for i, sc in zip(idx, scores)
                    ),
                    model=self.name,
                    settings=dict(settings),
                    name=a.name,
                    title=a.title,
                    num_sentences=len(sents),
                )
            )
        return out
