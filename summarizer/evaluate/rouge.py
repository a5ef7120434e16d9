"""ROUGE-1/2/L/Lsum with Google's rouge-score rules, fast enough for whole datasets.

The numbers are rouge-score's, to the last bit (``tests/test_eval_rouge.py`` checks them
against ``rouge_score.rouge_scorer.RougeScorer.score`` on real pairs); what changes is
the cost:

* every text is tokenized and stemmed once, not once per metric and again per line, and
  stems are cached (the Porter stemmer is most of rouge-score's time);
* the LCS tables of ROUGE-Lsum skip sentence pairs with no token in common and copy the
  rows of tokens that do not occur in the candidate, which changes no value in the table;
* :func:`score_pairs` spreads many predictions over processes.

Texts are key points: a string with one key point per line, or a sequence of them.
ROUGE-Lsum reads one key point per line (never NLTK's sentence splitter, whose data is
not available offline). ``reference=``/``prediction=`` are keyword-only, because
rouge-score's ``score(target, prediction)`` is easy to call the wrong way round.

>>> s = Scorer().score(reference="the cat sat on the mat", prediction="the cat lay on the mat")
>>> round(s["rouge1"].fmeasure, 4), round(s["rouge2"].fmeasure, 4)
(0.8333, 0.6)
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Iterator, Sequence, Union

from ..env import usable_cores
from ..errors import UsageError

METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
TOKENIZERS = ("default", "unicode")
MULTI_REF = ("max", "mean")
IMPLEMENTATIONS = ("rouge-score", "rouge155")
_ROUGE155_METRICS = ("rouge1", "rouge2", "rougeLsum")  # what ROUGE-1.5.5 -n 2 prints (its ROUGE-L is summary-level)
LSUM_SPLIT = "one key point per line"  # how ROUGE-Lsum's sentences are found: never NLTK

Text = Union[str, Sequence[str]]  # one key point per line, or a sequence of key points


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one metric on one document (0 to 1)."""

    precision: float
    recall: float
    fmeasure: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


ZERO = Score(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class RougeConfig:
    """How ROUGE is computed; every field goes into the scorer signature.

    ``implementation`` picks the rules: ``rouge-score`` (Google's, this module) or
    ``rouge155`` (the perl ROUGE-1.5.5's, :mod:`.rouge155`). ``None`` fields take the
    implementation's default."""

    metrics: tuple[str, ...] | None = None  # None: all four for rouge-score; rouge1, rouge2, rougeLsum for rouge155
    stemming: bool = True  # Porter stemming, as ROUGE-1.5.5 -m and the published tables
    tokenizer: str = "default"  # rouge-score's (ASCII letters and digits only); "unicode" keeps other scripts
    # several references: rouge-score's "max" (the best one per metric, as score_multi) or "mean";
    # rouge155's "A" (-f A, pooled counts: the script's default) or "B" (-f B, the best recall)
    multi_ref: str | None = None
    implementation: str = "rouge-score"
    stopwords: bool = False  # rouge155 only: -s, drop the SMART stopwords
    word_limit: int | None = None  # rouge155 only: -l N, the first N words of each summary
    byte_limit: int | None = None  # rouge155 only: -b N, the first N bytes of each summary

    def __post_init__(self) -> None:
        if self.implementation not in IMPLEMENTATIONS:
            raise UsageError(f"unknown ROUGE implementation {self.implementation!r}; "
                             f"known: {', '.join(IMPLEMENTATIONS)}")
        perl = self.implementation == "rouge155"
        known = _ROUGE155_METRICS if perl else METRICS
        if self.metrics is None:
            object.__setattr__(self, "metrics", known)
        if self.multi_ref is None:
            object.__setattr__(self, "multi_ref", "A" if perl else "max")
        if not self.metrics:
            raise UsageError("give at least one ROUGE metric")
        for m in self.metrics:
            if m == "rougeL" and perl:
                raise UsageError("ROUGE-1.5.5's ROUGE-L is summary-level: ask for rougeLsum with rouge155")
            if m not in known:
                raise UsageError(f"unknown metric {m!r}; known metrics: {', '.join(known)}")
        if self.tokenizer not in TOKENIZERS:
            raise UsageError(f"unknown tokenizer {self.tokenizer!r}; known tokenizers: {', '.join(TOKENIZERS)}")
        if perl and self.tokenizer != "default":
            raise UsageError("rouge155 tokenizes as the perl script does; --tokenizer applies to rouge-score")
        policies = ("A", "B") if perl else MULTI_REF
        if self.multi_ref not in policies:
            raise UsageError(f"multi-reference policy {self.multi_ref!r} is not one of {self.implementation}'s: "
                             f"use {' or '.join(policies)}")
        if not perl and (self.stopwords or self.word_limit is not None or self.byte_limit is not None):
            raise UsageError("stopword removal and length limits are ROUGE-1.5.5 options: "
                             "use them with --implementation rouge155")
        if self.word_limit is not None and self.byte_limit is not None:
            raise UsageError("give a length limit in words or in bytes, not both (as ROUGE-1.5.5)")
        for name, value in (("word", self.word_limit), ("byte", self.byte_limit)):
            if value is not None and value < 1:
                raise UsageError(f"the {name} limit must be at least 1, got {value}")

    def signature(self) -> dict[str, object]:
        """What a reader needs to reproduce or compare the figures."""
        sig: dict[str, object] = {
            "implementation": self.implementation,
            "rouge_score_version": rouge_score_version(),
            "metrics": list(self.metrics or ()),
            "stemming": self.stemming,
            "tokenizer": self.tokenizer,
            "lsum_split": LSUM_SPLIT,
            "multi_ref": self.multi_ref,
        }
        if self.implementation == "rouge155":
            del sig["rouge_score_version"]  # not used
            sig.update(stopwords=self.stopwords, word_limit=self.word_limit, byte_limit=self.byte_limit)
        return sig


def rouge_score_version() -> str:
    try:
        return version("rouge-score")
    except PackageNotFoundError:  # pragma: no cover - an unusual install
        return "unknown"


def lines(text: Text) -> list[str]:
    """The non-empty lines of a text: ROUGE-Lsum's sentences, exactly as rouge-score finds
    them in ``"\\n".join(key_points)``.

    >>> lines(["First point.", "Second\\npoint."])
    ['First point.', 'Second', 'point.']
    """
    parts = text.split("\n") if isinstance(text, str) else [p for kp in text for p in kp.split("\n")]
    return [p for p in parts if p]


# Porter stems by word, shared by every tokenizer in the process (and inherited by forked
# workers): news text repeats its words, and stemming is most of rouge-score's time.
_STEMS: dict[str, str] = {}
_MAX_STEMS = 2_000_000  # a bound on memory for endless streams of new words


class _CachedStemmer:
    """NLTK's Porter stemmer (rouge-score's) behind the shared cache."""

    def __init__(self) -> None:
        from nltk.stem import porter

        self._stem = porter.PorterStemmer().stem

    def stem(self, word: str) -> str:
        s = _STEMS.get(word)
        if s is None:
            if len(_STEMS) >= _MAX_STEMS:
                _STEMS.clear()
            s = _STEMS[word] = self._stem(word)
        return s


_ASCII_TOKEN = re.compile(r"^[a-z0-9]+$")


def _combining_marks() -> str:
    """A regex class body of the combining marks (vowel signs, viramas, harakat, accents
    written apart) in the blocks where scripts use them: they belong to their word."""
    blocks = [(0x0300, 0x1FFF), (0x20D0, 0x20FF), (0x2CEF, 0x2DFF), (0x302A, 0x309A), (0xA66F, 0xABED),
              (0xFB1E, 0xFE2F)]
    marks = (chr(c) for lo, hi in blocks for c in range(lo, hi + 1) if unicodedata.category(chr(c))[0] == "M")
    return "".join(re.escape(m) for m in marks)


_MARKS = _combining_marks()
# A word: letters and digits of any script (not "_"), with their combining marks.
_WORD = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
# Scripts written without spaces between words: each character (with its marks) is a token,
# as in multilingual ROUGE variants, so a Chinese or Thai sentence is not one giant "word".
_UNSPACED = re.compile(rf"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f][{_MARKS}]*)")


class Tokenizer:
    """rouge-score's tokenizer (``name="default"``: lowercase ASCII letters and digits, the
    rest dropped) or one that keeps every script (``"unicode"``: lowercase letters and
    digits of any script; characters of unspaced scripts one by one). Both stem ASCII words
    longer than three letters when ``stemming``; on ASCII text they give the same tokens.

    >>> Tokenizer("default", stemming=False).tokenize("Der Bär läuft")
    ['der', 'b', 'r', 'l', 'uft']
    >>> Tokenizer("unicode", stemming=False).tokenize("Der Bär läuft")
    ['der', 'bär', 'läuft']
    """

    def __init__(self, name: str = "default", *, stemming: bool = True):
        if name not in TOKENIZERS:
            raise UsageError(f"unknown tokenizer {name!r}; known tokenizers: {', '.join(TOKENIZERS)}")
        self.name = name
        self._stemmer = _CachedStemmer() if stemming else None
        from rouge_score import tokenize as rs_tokenize

        self._rs_tokenize = rs_tokenize.tokenize

    def tokenize(self, text: str) -> list[str]:
        if self.name == "default":
            # rouge-score's own function; the cached stemmer gives the same stems, faster
            return self._rs_tokenize(text, self._stemmer)
        words = _WORD.findall(_UNSPACED.sub(r" \1 ", text.lower()))
        if self._stemmer is None:
            return words
        stem = self._stemmer.stem
        return [stem(w) if len(w) > 3 and _ASCII_TOKEN.match(w) else w for w in words]


def fmeasure(precision: float, recall: float) -> float:
    # rouge_score.scoring.fmeasure, written out: the same operations give the same bits
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def _ngram_score(target: list[str], prediction: list[str], n: int) -> Score:
    if n == 1:
        t, p = Counter(target), Counter(prediction)
    else:
        t = Counter(zip(*(target[i:] for i in range(n))))
        p = Counter(zip(*(prediction[i:] for i in range(n))))
    overlap = sum(min(c, p[g]) for g, c in t.items())
    precision = overlap / max(sum(p.values()), 1)
    recall = overlap / max(sum(t.values()), 1)
    return Score(precision, recall, fmeasure(precision, recall))


def _lcs_table(a: list[str], b: list[str]) -> list[list[int]]:
    """The LCS table of ``a`` against ``b`` (``len(a) + 1`` rows); a row whose token is
    not in ``b`` is the row above, shared rather than recomputed."""
    bset = set(b)
    prev = [0] * (len(b) + 1)
    table = [prev]
    for x in a:
        if x in bset:
            cur = [0]
            last = 0
            for j, y in enumerate(b):
                if x == y:
                    last = prev[j] + 1
                elif prev[j + 1] > last:
                    last = prev[j + 1]
                cur.append(last)
            prev = cur
        table.append(prev)
    return table


def _lcs_length(a: list[str], b: list[str]) -> int:
    # a common subsequence uses common tokens only: drop the others first
    common = set(a).intersection(b)
    return _lcs_table([x for x in a if x in common], [y for y in b if y in common])[-1][-1]


def _lcs_indices(ref: list[str], can: list[str]) -> list[int]:
    """rouge-score's ``lcs_ind``: the same LCS table and the same backtrack, so the same LCS.

    The table is computed over the tokens of ``can`` that occur in ``ref`` only: the column
    of any other token is a copy of the column on its left, so ``col[j]`` (kept tokens among
    ``can[:j]``) maps a column of rouge-score's table onto this one.
    """
    rset = set(ref)
    kept = [y for y in can if y in rset]
    table = _lcs_table(ref, kept)
    col = [0]
    for y in can:
        col.append(col[-1] + (y in rset))
    i, j = len(ref), len(can)
    out: list[int] = []
    while i > 0 and j > 0:
        if ref[i - 1] == can[j - 1]:
            out.append(i - 1)
            i -= 1
            j -= 1
        elif table[i][col[j - 1]] > table[i - 1][col[j]]:
            j -= 1
        else:
            i -= 1
    out.reverse()
    return out


def _lcs_score(target: list[str], prediction: list[str]) -> Score:
    if not target or not prediction:
        return ZERO
    lcs = _lcs_length(target, prediction)
    precision = lcs / len(prediction)
    recall = lcs / len(target)
    return Score(precision, recall, fmeasure(precision, recall))


def _summary_lcs_score(ref_sents: list[list[str]], can_sents: list[list[str]]) -> Score:
    """Summary-level LCS (ROUGE paper 3.2) as rouge-score's ``_summary_level_lcs``."""
    if not ref_sents or not can_sents:
        return ZERO
    m = sum(map(len, ref_sents))
    n = sum(map(len, can_sents))
    if not n or not m:
        return ZERO
    count_r: Counter[str] = Counter()
    count_c: Counter[str] = Counter()
    for s in ref_sents:
        count_r.update(s)
    for s in can_sents:
        count_c.update(s)
    can_sets = [set(c) for c in can_sents]
    hits = 0
    for r in ref_sents:
        union: set[int] = set()
        for c, cset in zip(can_sents, can_sets):
            if not cset.isdisjoint(r):  # no common token: an empty LCS
                union.update(_lcs_indices(r, c))
        for i in sorted(union):
            t = r[i]
            # count each token at most as often as it occurs on both sides (as ROUGE-1.5.5)
            if count_c[t] > 0 and count_r[t] > 0:
                hits += 1
                count_c[t] -= 1
                count_r[t] -= 1
    recall = hits / m
    precision = hits / n
    return Score(precision, recall, fmeasure(precision, recall))


class Scorer:
    """ROUGE of predictions against references, configured by a :class:`RougeConfig`."""

    def __init__(self, config: RougeConfig | None = None):
        self.config = config or RougeConfig()
        self.tokenizer = Tokenizer(self.config.tokenizer, stemming=self.config.stemming)

    def tokenize(self, text: Text) -> list[list[str]]:
        """The tokens of each line of ``text``."""
        return [self.tokenizer.tokenize(line) for line in lines(text)]

    def score_tokens(self, *, reference: list[list[str]], prediction: list[list[str]]) -> dict[str, Score]:
        """Scores of tokenized texts (a token list per line), one reference."""
        ref_flat = [t for line in reference for t in line]
        pred_flat = [t for line in prediction for t in line]
        out: dict[str, Score] = {}
        for metric in self.config.metrics:
            if metric == "rougeLsum":
                out[metric] = _summary_lcs_score(reference, prediction)
            elif metric == "rougeL":
                out[metric] = _lcs_score(ref_flat, pred_flat)
            else:
                out[metric] = _ngram_score(ref_flat, pred_flat, int(metric[5:]))
        return out

    def score(
        self,
        *,
        prediction: Text,
        reference: Text | None = None,
        references: Sequence[Text] | None = None,
    ) -> dict[str, Score]:
        """Scores of ``prediction`` against one ``reference`` or several ``references``
        (combined by the config's ``multi_ref`` policy), metric by metric."""
        if (reference is None) == (references is None):
            raise TypeError("give exactly one of reference= or references=")
        refs = [reference] if reference is not None else list(references or ())
        if not refs:
            raise ValueError("references= is empty")
        pred = self.tokenize(prediction)
        return self.combine([self.score_tokens(reference=self.tokenize(r), prediction=pred) for r in refs])

    def combine(self, per_ref: list[dict[str, Score]]) -> dict[str, Score]:
        """One score per metric from the scores against each reference."""
        if len(per_ref) == 1:
            return per_ref[0]
        out = {}
        for metric in self.config.metrics:
            scores = [s[metric] for s in per_ref]
            if self.config.multi_ref == "max":
                # the first reference with the highest F1, as rouge-score's score_multi
                out[metric] = max(scores, key=lambda s: s.fmeasure)
            else:
                k = len(scores)
                out[metric] = Score(
                    sum(s.precision for s in scores) / k,
                    sum(s.recall for s in scores) / k,
                    sum(s.fmeasure for s in scores) / k,
                )
        return out


# --- many pairs, over processes -------------------------------------------------------

Pair = tuple[Sequence[Text], Text]  # (references, prediction)
MIN_PER_PROCESS = 250  # below this, starting a process costs more than it saves
# What a worker scores: set in the parent before the processes fork, so that the pairs
# are inherited rather than pickled (where processes are spawned, chunks travel instead).
_JOB: tuple[RougeConfig, Sequence[Pair]] | None = None
_WORKER: Scorer | None = None


def _init_worker(config: RougeConfig) -> None:
    global _WORKER
    _WORKER = Scorer(config)


def _score_range(bounds: tuple[int, int]) -> list[tuple[float, ...]]:
    assert _JOB is not None
    return _score_chunk(_JOB[1][bounds[0] : bounds[1]])


def _score_chunk(chunk: Sequence[Pair]) -> list[tuple[float, ...]]:
    assert _WORKER is not None
    metrics = _WORKER.config.metrics
    out = []
    for refs, pred in chunk:
        s = _WORKER.score(references=refs, prediction=pred)
        # plain floats travel between processes far faster than objects
        out.append(tuple(v for m in metrics for v in (s[m].precision, s[m].recall, s[m].fmeasure)))
    return out


def _stem_words(words: list[str]) -> list[str]:
    stemmer = _CachedStemmer()
    return [stemmer.stem(w) for w in words]


_ASCII_WORDS = re.compile(r"[a-z0-9]{4,}")


def _unstemmed_words(pairs: Sequence[Pair]) -> list[str]:
    """The words of ``pairs`` the stemmer will be asked about and has not seen (a superset
    is harmless: it only fills the cache). One regex over all the text: fast enough to run
    before the processes start."""
    texts = [t if isinstance(t, str) else "\n".join(t) for refs, pred in pairs for t in (*refs, pred)]
    words = set(_ASCII_WORDS.findall("\n".join(texts).lower()))
    return sorted(words.difference(_STEMS))


@contextmanager
def forked_pool(jobs: int) -> Iterator[multiprocessing.pool.Pool]:
    """Forked workers; the parent's objects are frozen out of the garbage collector while
    they run, so that a collection in a worker does not touch (and copy) every page of
    the parent's heap."""
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield pool
    finally:
        gc.unfreeze()


def default_jobs() -> int:
    """Scoring processes by default: one per CPU core this process may use."""
    return usable_cores()


def score_pairs(
    *,
    references: Sequence[Sequence[Text]],
    predictions: Sequence[Text],
    config: RougeConfig | None = None,
    jobs: int | None = None,
) -> list[dict[str, Score]]:
    """Scores of many predictions, each against its own references (a sequence of
    references per prediction), in order, over ``jobs`` processes (default: every core
    this process may use).

    >>> got = score_pairs(references=[["a b c d"], ["a b"]], predictions=["a b", "a b"], jobs=1)
    >>> [s["rouge1"].recall for s in got]
    [0.5, 1.0]
    """
    global _JOB, _WORKER
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} reference lists for {len(predictions)} predictions")
    pairs: list[Pair] = list(zip(references, predictions))
    config = config or RougeConfig()
    if config.implementation != "rouge-score":
        raise ValueError(f"this is rouge-score's scorer; score {config.implementation} with summarizer.evaluate.scores")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")
    jobs = min(jobs, max(1, len(pairs) // MIN_PER_PROCESS))
    scorer = Scorer(config)  # in this process: forked workers inherit it, imports (NLTK: seconds) included
    if jobs == 1:
        return [scorer.score(references=r, prediction=p) for r, p in pairs]
    # A few contiguous chunks per process, so that a slow one does not hold up the end.
    size = -(-len(pairs) // (jobs * 4))
    bounds = [(i, min(i + size, len(pairs))) for i in range(0, len(pairs), size)]
    if "fork" in multiprocessing.get_all_start_methods():
        if config.stemming:
            # Stem the new words first, split between the processes, so that the scoring
            # processes all start with every stem rather than each stemming them again.
            words = _unstemmed_words(pairs)
            if len(words) > MIN_PER_PROCESS:
                with forked_pool(jobs) as pool:
                    stems = pool.map(_stem_words, [words[k::jobs] for k in range(jobs)])
                for k, part in enumerate(stems):
                    _STEMS.update(zip(words[k::jobs], part))
        _JOB, _WORKER = (config, pairs), scorer
        try:
            with forked_pool(jobs) as pool:
                parts = pool.map(_score_range, bounds, chunksize=1)
        finally:
            _JOB, _WORKER = None, None
    else:  # pragma: no cover - macOS, Windows
        with multiprocessing.get_context("spawn").Pool(jobs, _init_worker, (config,)) as pool:
            parts = pool.map(_score_chunk, [list(pairs[a:b]) for a, b in bounds], chunksize=1)
    metrics = config.metrics
    return [
        {m: Score(row[3 * k], row[3 * k + 1], row[3 * k + 2]) for k, m in enumerate(metrics)}
        for part in parts
        for row in part
    ]
