"""Long articles for a seq2seq model: token windows with overlap, and merging their summaries.

An article longer than the encoder's limit is cut into windows that start at sentence
starts where possible and repeat up to ``overlap`` tokens of the window before, so no
sentence loses all of its context. Each window is summarized; the windows' sentences are
then merged round-robin (each window's first sentence before any window's second: a
summary leads with what matters most), near-duplicates are dropped, and the kept
sentences are returned in article order.

>>> plan_chunks(10, budget=4, overlap=1)
[(0, 4), (3, 7), (6, 10)]
>>> plan_chunks(10, budget=6, overlap=2, sentence_starts=[0, 3, 5, 8])
[(0, 5), (3, 8), (5, 10)]
>>> merge_points([["A fire broke out.", "Two died."], ["Police came.", "A fire broke out downtown."]], None)
['A fire broke out.', 'Two died.', 'Police came.']
"""

from __future__ import annotations

import bisect
import math
import re
from typing import Sequence

_WORD = re.compile(r"\w+")


def plan_chunks(
    n_tokens: int, budget: int, overlap: int, sentence_starts: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """``(start, end)`` token windows covering ``range(n_tokens)``, each at most ``budget`` long.

    Windows are balanced (a long article is not left with a tiny last window), end at a
    sentence start when one lies in their second half, and begin ``overlap`` tokens before
    the previous end, or at the sentence start nearest to that point within half the
    overlap either way.
    """
    if budget < 1:
        raise ValueError(f"chunk budget must be at least 1 token, got {budget}")
    overlap = max(0, min(overlap, budget // 2))
    if n_tokens <= budget:
        return [(0, n_tokens)]
    starts = sorted(set(sentence_starts))
    # windows of equal size, so the last one is not a scrap
    count = math.ceil((n_tokens - overlap) / (budget - overlap))
    target = min(budget, math.ceil((n_tokens + (count - 1) * overlap) / count))
    chunks: list[tuple[int, int]] = []
    a = end = 0
    while n_tokens - a > budget:
        limit = a + target
        # the last sentence start in the window's second half, past the previous window's end
        i = bisect.bisect_right(starts, limit) - 1
        lo = max(a + target // 2, end)
        b = starts[i] if i >= 0 and starts[i] > lo else min(a + budget, max(limit, end + 1))
        chunks.append((a, b))
        # the next window starts 'overlap' before b, or at the sentence start nearest to that
        want, half = b - overlap, overlap // 2
        lo_i = bisect.bisect_left(starts, max(a + 1, want - half))
        near = starts[lo_i : bisect.bisect_right(starts, min(b - 1, want + half))]
        a, end = max(min(near, key=lambda s: (abs(s - want), s)) if near else want, a + 1), b
    chunks.append((a, n_tokens))
    return chunks


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def is_duplicate(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    """True when the smaller word set shares ``threshold`` of its words with the other."""
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= threshold


def merge_points(chunk_points: Sequence[Sequence[str]], n: int | None, threshold: float = 0.7) -> list[str]:
    """At most ``n`` sentences from the windows' summaries (all when None), without near-duplicates.

    Taken round-robin by rank within each window, returned in (window, rank) order.
    """
    order = sorted((rank, c) for c, pts in enumerate(chunk_points) for rank in range(len(pts)))
    kept: list[tuple[int, int]] = []
    kept_words: list[frozenset[str]] = []
    for rank, c in order:
        if n is not None and len(kept) >= n:
            break
        words = _words(chunk_points[c][rank])
        if not words or any(is_duplicate(words, w, threshold) for w in kept_words):
            continue
        kept.append((c, rank))
        kept_words.append(words)
    return [chunk_points[c][rank] for c, rank in sorted(kept)]
