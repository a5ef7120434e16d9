"""Train what the check learns from data: the common-word list, then the consistency score.

    python -m eval.train.consistency                   # both, into summarizer/data
    python -m eval.train.consistency --words-only      # the common-word list alone

1. **Common words** (``summarizer/data/common-words.txt``): the words that the cased human
   highlights of the *training* stories (``cnndm_train_from_test.jsonl`` and
   ``cnndm_train_more_from_test.jsonl``) and the cased articles and summaries of the
   factuality sets write in lower case, in at least 2 texts, and at least as often as
   capitalised in mid-sentence, each source judged alone ("study", "reveals", "director";
   not "london", "league", "smith"); and the words that the English word lists of SCOWL (Debian's
   wamerican and wbritish, in /usr/share/dict) write only in lower case, less those the same news
   texts capitalise in mid-sentence ("damning", "geologists"; not "arsenal", "stoke"). The name
   flags use it to tell a capital that opens a sentence from a name. A list of words, no text.
2. **The consistency score** (``summarizer/data/consistency-v1.safetensors``): an L2-regularised
   logistic regression over the features of ``summarizer.grounding.consistency`` (support by
   the article's sentences through the sentence encoder, unsupported names and numbers,
   novel n-grams, length, whether the article is lowercased), trained on the validation
   halves of the 7 factuality sets in ``../shared/data/factuality/`` with every set weighing
   the same and, within a set, both labels the same. Each feature also enters times the
   "one-sentence summary of a whole article" mark (the XSum items), so those get their own
   weights and threshold. The regularisation strength is chosen by 5-fold cross-validation
   over articles; the two thresholds (key points and multi-sentence summaries, one-sentence
   summaries) on the training folds' mean per-set balanced accuracy, less a penalty for each
   set where the check trails the simple rule of the data's README (the figures of
   ``python -m eval.quality.factuality``). Seeded;
   deterministic given the encoder's vectors (cached as in ``eval.train.vector_cache``).

The sha256 of each file written is printed: record it in ``summarizer/grounding/weights.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
TRAIN_STORIES = (DATA / "cnndm_train_from_test.jsonl", DATA / "cnndm_train_more_from_test.jsonl")
FACTUALITY = DATA / "factuality"
MIN_STORIES = 2  # a word seen lower-case in one story only may be a typo or a one-off


_ADDRESS = re.compile(r"\S*(?:https?://|www\.|@|\.com\b|\.co\.uk\b|\.org\b|\.net\b|\.gov\b)\S*", re.I)


def _count_cases(text: str, seen_lower: set, seen_capital: set) -> None:
    """Add the words ``text`` writes in lower case, and those it capitalises in mid-sentence (not in capitals).
    Web and e-mail addresses and handles are left out: "bbc" of "bbc.co.uk" is no common word."""
    text = _ADDRESS.sub(" ", text)
    for k, m in enumerate(re.finditer(r"[A-Za-z][A-Za-z'’-]*", text)):
        w = m.group()
        opens = k == 0 or text[max(0, m.start() - 4): m.start()].rstrip().endswith(
            (".", ":", "!", "?", '"', "'", "‘", "“", "(", "\n")) or text[max(0, m.start() - 1): m.start()] == "\n"
        if w[0].islower():
            seen_lower.add(w.lower())
        elif not opens and not w.isupper():
            seen_capital.add(w.lower())


def _cases(texts: list[list[str]]) -> tuple[Counter, Counter]:
    """For each word, in how many of these texts (each a list of parts) it is written in lower case, and in how
    many it is capitalised in mid-sentence."""
    lower: Counter = Counter()
    capital: Counter = Counter()
    for text in texts:
        seen_lower: set[str] = set()
        seen_capital: set[str] = set()
        for t in text:
            _count_cases(t, seen_lower, seen_capital)
        lower.update(seen_lower)
        capital.update(seen_capital)
    return lower, capital


def _common(lower: Counter, capital: Counter) -> set[str]:
    """Words that texts (``_cases``: counted once a text) write in lower case in at least ``MIN_STORIES`` texts,
    and at least as often as capitalised in mid-sentence."""
    return {w for w, c in lower.items() if c >= MIN_STORIES and c >= capital[w] and not re.search(r"['’]", w)}


# The English word lists of SCOWL as Debian ships them (packages wamerican and wbritish; their licence is in
# summarizer/data/common-words-SCOWL-LICENSE.txt): they write a proper noun capitalised and a common word in
# lower case, so they know the rare common words that news highlights seldom use ("damning", "geologists").
WORD_LISTS = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))


def dictionary_common(capitalised: set[str], lists=WORD_LISTS) -> set[str]:
    """The words of the word lists written only in lower case there (no capitalised entry: not "bill", which
    is also "Bill"), less those the news texts capitalise in mid-sentence (``capitalised``: "Arsenal", "Labour",
    "Stoke" are names in the news, common words in a dictionary)."""
    missing = [str(p) for p in lists if not p.is_file()]
    if missing:
        sys.exit(f"the word lists {', '.join(missing)} are missing: install Debian's wamerican and wbritish "
                 "(apt-get install wamerican wbritish)")
    lower: set[str] = set()
    capital: set[str] = set()
    for path in lists:
        for line in path.read_text(encoding="utf-8").splitlines():
            w = line.strip()
            if w.isalpha() and w.isascii():
                (lower if w[0].islower() else capital).add(w.lower())
    return lower - capital - capitalised


def common_words(paths=TRAIN_STORIES, factuality: Path = FACTUALITY) -> list[str]:
    """The common words of the cased highlights of the training stories, and those of the cased articles
    and summaries of the factuality sets (news text in its own case: the training stories' articles are
    lowercased), each source judged alone (``_common``): a word common in either is common; and the
    dictionary's common words that neither capitalises in mid-sentence (``dictionary_common``)."""
    highlights: list[list[str]] = []
    for path in paths:
        if not path.is_file():
            sys.exit(f"{path} is missing: the shared data folder must sit beside the repository")
        with path.open(encoding="utf-8") as f:
            for line in f:
                story = json.loads(line)
                if story.get("highlights_cased"):
                    highlights.append(story["highlights"])
    articles: list[list[str]] = []
    seen_docs: set[str] = set()
    for it in load_items(factuality):
        parts = [it.summary] + ([it.document] if it.document not in seen_docs else [])
        seen_docs.add(it.document)
        articles.append([t for t in parts if sum(c.isupper() for c in t) > 0.01 * max(sum(c.isalpha() for c in t), 1)])
    cases = [_cases(highlights), _cases(articles)]
    capitalised = {w for _, capital in cases for w, c in capital.items() if c}
    return sorted(set().union(*(_common(lower, capital) for lower, capital in cases)) | dictionary_common(capitalised))


def write_common_words(out: Path) -> str:
    from summarizer.grounding.weights import sha256

    words = common_words()
    out.write_text("\n".join(words) + "\n", encoding="utf-8")
    digest = sha256(out)
    click.echo(f"{out}: {len(words)} common words, sha256 {digest}")
    return digest


# -- the factuality items and their features ---------------------------------------------------


@dataclass(frozen=True)
class Item:
    set: str  # the file's stem: cliff, frank, ...
    source: str  # cnndm or xsum
    label: int  # 1 consistent, 0 inconsistent (the human judgement)
    document: str
    summary: str


def load_items(folder: Path = FACTUALITY) -> list[Item]:
    """Every item of the factuality sets in ``folder`` (sorted by set, then file order)."""
    items = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                items.append(Item(r["origin"], r["source"], int(r["label"]), r["document"], r["summary"]))
    if not items:
        sys.exit(f"no factuality sets under {folder}: the shared data folder must sit beside the repository")
    return items


def summary_points(summary: str) -> list[str]:
    """A summary's sentences, the units it is checked in (a key point each)."""
    from summarizer.split import split_sentences

    return [s.text for s in split_sentences(summary)] or [summary.strip() or "."]


def item_features(items: list[Item], progress: bool = True) -> tuple[np.ndarray, list[list[list]]]:
    """The consistency features of each item (rows in ``FEATURES`` order) and each item's flags per sentence.

    Vectors come from the encoder grounding uses (ONNX Runtime, fp32: a sentence's vector does not
    depend on its batch), cached on disk by sentence text (``eval.train.vector_cache``)."""
    from summarizer.article import parse_article
    from summarizer.backends.extractive.backend import ExtractiveSettings
    from summarizer.grounding import Facts, find_flags
    from summarizer.grounding.consistency import ArticleText, features, support_sims

    from .vector_cache import VectorCache

    cache = VectorCache(settings=ExtractiveSettings(quantize=None))
    docs: dict[str, tuple] = {}
    rows, all_flags = [], []
    for n, it in enumerate(items):
        if it.document not in docs:
            art = parse_article(it.document)
            sents = [s.text for s in art.sentences]
            docs[it.document] = (cache.get(sents), Facts.of(art.body), ArticleText.of(art.body, sents))
        vecs, facts, text = docs[it.document]
        points = summary_points(it.summary)
        sims, pair = support_sims(vecs, cache.get(points))
        flags = [find_flags(p, facts) for p in points]
        rows.append(features(text, sims, pair, points, flags, whole_article_sentence=it.source == "xsum"))
        all_flags.append(flags)
        if progress and (n + 1) % 500 == 0:
            print(f"  features: {n + 1}/{len(items)}", file=sys.stderr, flush=True)
    return np.asarray(rows, dtype=np.float64), all_flags


# -- the model: a weighted, L2-regularised logistic regression ------------------------------------


def item_weights(items: list[Item]) -> np.ndarray:
    """Every set weighs the same, and within a set each label half of it (a set with one label: all of it)."""
    w = np.zeros(len(items))
    groups: dict[tuple[str, int], list[int]] = {}
    for i, it in enumerate(items):
        groups.setdefault((it.set, it.label), []).append(i)
    sets = {it.set for it in items}
    for (name, _), idx in groups.items():
        labels = sum(1 for key in groups if key[0] == name)
        w[idx] = 1.0 / (len(sets) * labels * len(idx))
    return w * len(items)


def expanded(x: np.ndarray) -> np.ndarray:
    """The model's inputs: ``x`` and ``x`` times its ``one_sentence_summary`` column (as ``consistency.expand``)."""
    from summarizer.grounding.consistency import STYLE

    return np.hstack([x, x * x[:, STYLE : STYLE + 1]])


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, coef, intercept) of a weighted logistic regression on standardised ``expanded(x)``, by
    Newton's method (the intercept is not penalised). Deterministic: no randomness anywhere."""
    x = expanded(x)
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2 * w.sum() / len(w))
    penalty[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -50, 50)))
        grad = z.T @ (w * (p - y)) / len(w) + penalty * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z / len(w) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return mean, scale, beta[1:], float(beta[0])


def predict(model: tuple, x: np.ndarray) -> np.ndarray:
    mean, scale, coef, intercept = model
    return 1.0 / (1.0 + np.exp(-np.clip(intercept + ((expanded(x) - mean) / scale) @ coef, -50, 50)))


def balanced_accuracy(flagged: np.ndarray, labels: np.ndarray) -> float:
    """Mean of recall on inconsistent (flagged) and on consistent (not flagged) items; a label absent counts as
    0.5's half left out (the other recall alone)."""
    parts = []
    if (labels == 0).any():
        parts.append(float(flagged[labels == 0].mean()))
    if (labels == 1).any():
        parts.append(float((~flagged[labels == 1]).mean()))
    return sum(parts) / len(parts) if parts else math.nan


def set_mean_ba(flagged: np.ndarray, y: np.ndarray, sets: np.ndarray) -> float:
    """Mean over sets of the balanced accuracy of ``flagged`` (= inconsistent) against the labels."""
    return float(np.mean([balanced_accuracy(flagged[sets == s], y[sets == s]) for s in np.unique(sets)]))


THRESHOLDS = np.round(np.arange(0.10, 0.901, 0.02), 2)  # the grid each style's threshold is chosen on
L2_GRID = (0.01, 0.1, 1.0)  # penalties tried by cross-validation
FOLDS = 5  # k-fold cross-validation, grouped by article: no article on both sides of a fold
RULE_PENALTY = 20.0  # how much a set where the check trails the simple rule (by less than RULE_MARGIN ahead) costs
RULE_MARGIN = 0.03  # the lead over the simple rule wanted on each training set


def style_of(x: np.ndarray) -> np.ndarray:
    """Whether each row is a one-sentence summary of a whole article (its own threshold)."""
    from summarizer.grounding.consistency import STYLE

    return x[:, STYLE] > 0


def raw_rule(x: np.ndarray) -> np.ndarray:
    """The factuality data's simple rule (the README's baseline), read off the features."""
    from summarizer.grounding.consistency import FEATURES

    return x[:, FEATURES.index("raw_rule")] > 0


def choose_thresholds(p: np.ndarray, ruled: np.ndarray, y: np.ndarray, sets: np.ndarray, style: np.ndarray,
                      rule: np.ndarray) -> tuple[float, float]:
    """The thresholds (key points and multi-sentence summaries, one-sentence summaries) whose decision (flagged
    by a name or number, or ``p`` under its style's threshold) has the best mean per-set balanced accuracy, less
    ``RULE_PENALTY`` times the mean shortfall of the sets where it leads the simple rule by less than
    ``RULE_MARGIN`` (the lowest of ties). Chosen on the items given: the training folds in cross-validation."""
    names = np.unique(sets)
    masks = [sets == s for s in names]
    rule_ba = np.array([balanced_accuracy(rule[m], y[m]) for m in masks])
    best = None
    for tc in THRESHOLDS:
        for tx in THRESHOLDS:
            flagged = ruled | (p < np.where(style, tx, tc))
            ba = np.array([balanced_accuracy(flagged[m], y[m]) for m in masks])
            score = ba.mean() + RULE_PENALTY * np.minimum(0.0, ba - rule_ba - RULE_MARGIN).mean()
            if best is None or score > best[0] + 1e-12:
                best = (score, float(tc), float(tx))
    return best[1], best[2]


def document_folds(items: list[Item]) -> np.ndarray:
    """A fold number per item, from a hash of its article (the same article always in the same fold)."""
    return np.array([int(hashlib.sha256(it.document.encode("utf-8")).hexdigest()[:8], 16) % FOLDS for it in items])


def held_out(x: np.ndarray, ruled: np.ndarray, y: np.ndarray, w: np.ndarray, sets: np.ndarray, groups: np.ndarray,
             l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Held-out probabilities of every item, and the threshold each was judged with: the model and its
    thresholds fitted without the item's group (a fold of articles, or a whole set)."""
    p = np.zeros(len(y))
    thresholds = np.zeros(len(y))
    style, rule = style_of(x), raw_rule(x)
    for g in np.unique(groups):
        fit, test = groups != g, groups == g
        model = fit_logistic(x[fit], y[fit], w[fit], l2)
        tc, tx = choose_thresholds(predict(model, x[fit]), ruled[fit], y[fit], sets[fit], style[fit], rule[fit])
        thresholds[test] = np.where(style[test], tx, tc)
        p[test] = predict(model, x[test])
    return p, thresholds


@dataclass
class Trained:
    """Everything the benchmark reports: the items, their features, the rule flags, and the model's
    probabilities in-sample, by 5-fold cross-validation over articles, and leaving each set out."""

    items: list[Item]
    x: np.ndarray
    flags: list
    ruled: np.ndarray  # flagged by a name or number rule
    y: np.ndarray
    sets: np.ndarray
    l2: float
    threshold: float  # key points and multi-sentence summaries
    threshold_one_sentence: float  # one-sentence summaries of a whole article
    model: tuple
    p_in: np.ndarray
    p_kfold: np.ndarray
    t_kfold: np.ndarray
    p_loso: np.ndarray
    t_loso: np.ndarray
    cv: dict


def fit_all(items: list[Item] | None = None, echo=click.echo) -> Trained:
    """Features, the penalty chosen by k-fold cross-validation over articles, the final fit and its threshold."""
    items = items or load_items()
    x, flags = item_features(items)
    ruled = np.array([any(fl for fl in f) for f in flags])
    y = np.array([it.label for it in items], dtype=np.float64)
    sets = np.array([it.set for it in items])
    w = item_weights(items)
    folds = document_folds(items)
    cv, runs = {}, {}
    for l2 in L2_GRID:
        p, t = held_out(x, ruled, y, w, sets, folds, l2)
        cv[l2] = set_mean_ba(ruled | (p < t), y, sets)
        runs[l2] = (p, t)
        echo(f"  l2 {l2:g}: {FOLDS}-fold (by article) mean balanced accuracy {cv[l2]:.3f}")
    l2 = max(L2_GRID, key=lambda v: (round(cv[v], 3), v))  # ties: the stronger penalty
    model = fit_logistic(x, y, w, l2)
    p_in = predict(model, x)
    threshold, threshold_one = choose_thresholds(p_in, ruled, y, sets, style_of(x), raw_rule(x))
    p_loso, t_loso = held_out(x, ruled, y, w, sets, sets, l2)
    return Trained(items, x, flags, ruled, y, sets, l2, threshold, threshold_one, model, p_in, *runs[l2], p_loso,
                   t_loso, cv)


HIGHLIGHT_STORIES = 300  # training stories whose human highlights set the key-point threshold
HIGHLIGHT_QUANTILE = 0.02  # the share of those highlights the score alone may flag


def highlight_probabilities(model: tuple, stories: int = HIGHLIGHT_STORIES) -> np.ndarray:
    """The score of each human highlight of the first ``stories`` training stories, each taken alone
    as a key point (as ``summarize check`` and ``--strict`` take them)."""
    from summarizer.article import parse_article
    from summarizer.backends.extractive.backend import ExtractiveSettings
    from summarizer.grounding import Facts, find_flags
    from summarizer.grounding.consistency import ArticleText, features, support_sims

    from .vector_cache import VectorCache, read_stories

    cache = VectorCache(settings=ExtractiveSettings(quantize=None))
    rows = []
    for story in read_stories(TRAIN_STORIES[0], stories):
        if not story.get("highlights_cased"):
            continue
        art = parse_article(story["article"])
        sents = [s.text for s in art.sentences]
        facts, text = Facts.of(art.body), ArticleText.of(art.body, sents)
        sims, pair = support_sims(cache.get(sents), cache.get(story["highlights"]))
        for k, h in enumerate(story["highlights"]):
            rows.append(features(text, sims[k : k + 1], pair[k : k + 1], [h], [find_flags(h, facts)]))
    return predict(model, np.asarray(rows, dtype=np.float64))


def train(data_dir: Path) -> Trained:
    """Fit the consistency score on every factuality item and write it, with its sha256."""
    from safetensors.numpy import save

    from summarizer.grounding.consistency import FEATURES
    from summarizer.grounding.weights import sha256

    t = fit_all()
    mean, scale, coef, intercept = t.model
    # A key point is one sentence, judged alone: the sets' threshold is for whole summaries, most of them
    # inconsistent. The score alone flags a key point under a lower threshold, one that leaves at most
    # HIGHLIGHT_QUANTILE of the training stories' human highlights (taken as consistent) under it.
    hp = highlight_probabilities(t.model)
    keypoint = float(min(t.threshold, np.floor(np.quantile(hp, HIGHLIGHT_QUANTILE, method="lower") * 100) / 100))
    click.echo(f"  key points: threshold {keypoint:.2f} ({(hp < keypoint).mean():.3f} of {len(hp)} training highlights under it)")
    meta = {"features": list(FEATURES), "threshold": t.threshold, "keypoint_threshold": keypoint,
            "threshold_one_sentence": t.threshold_one_sentence, "inputs": "features, then features x one_sentence_summary",
            "l2": t.l2, "items": len(t.items),
            "sets": sorted(set(t.sets.tolist())), "kfold_mean_balanced_accuracy": round(t.cv[t.l2], 4),
            "trained_by": "python -m eval.train.consistency"}
    out = data_dir / "consistency-v1.safetensors"
    arrays = {"mean": mean.astype(np.float64), "scale": scale.astype(np.float64), "coef": coef.astype(np.float64),
              "intercept": np.array([intercept], dtype=np.float64)}
    out.write_bytes(save(arrays, metadata={"consistency": json.dumps(meta, sort_keys=True)}))
    for name, c, c1 in zip(FEATURES, coef[: len(FEATURES)], coef[len(FEATURES):]):
        click.echo(f"  {name:26s} {c:+.3f}  one-sentence summaries {c1:+.3f}")
    click.echo(f"{out}: l2 {t.l2:g}, thresholds {t.threshold:.2f} (one-sentence summaries "
               f"{t.threshold_one_sentence:.2f}), sha256 {sha256(out)}")
    return t


@click.command()
@click.option("--words-only", is_flag=True, help="Rebuild the common-word list only.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "summarizer" / "data",
              show_default=True, help="Where to write the files.")
def main(words_only: bool, data_dir: Path) -> None:
    """Rebuild the common-word list and train the consistency score (see the module docstring)."""
    write_common_words(data_dir / "common-words.txt")
    if words_only:
        return
    train(data_dir)


if __name__ == "__main__":
    main()
