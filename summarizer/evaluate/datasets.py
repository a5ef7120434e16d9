"""Read evaluation datasets: articles with their human key points (the references).

A dataset is named by a string:

* ``data.jsonl`` (also ``.ndjson``, ``.json`` with one object a line): field names are
  configurable (:class:`Fields`);
* ``data.csv`` or ``data.tsv``: a header row; key points newline-separated in a cell;
* a folder of CNN/DailyMail ``.story`` files: the story, then ``@highlight`` sections;
* a folder of ``.txt`` articles in the CNBC layout: the key points are the reference,
  the body is the input;
* ``hf:NAME[:CONFIG[:SPLIT]]`` (``hf:cnn_dailymail:3.0.0:test``) through the optional
  ``datasets`` library, or ``hf:DIR[:SPLIT]`` for a dataset saved with ``save_to_disk``.

A reference field holds one human summary (a newline-separated string, or a list of key
points) or several (a list of such lists); naming several fields gives one reference each.
A record that cannot be used (bad JSON, a missing or empty field, a repeated id, text
that is not valid Unicode: a JSON ``\\ud800`` escape without its pair) is refused with its
file and line, or skipped and counted with ``skip_bad=True``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..article import Article, parse_article
from ..errors import InputError, UsageError
from ..inputs.local import check_characters
from ..read import decode

FORMATS = ("auto", "jsonl", "csv", "tsv", "stories", "cnbc", "hf")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
HF_INSTALL = "pip install 'summarizer[hf]'  (or: pip install datasets)"


@dataclass(frozen=True)
class Document:
    """One article to summarize and the human summaries to score against."""

    id: str
    body: str
    references: tuple[tuple[str, ...], ...]  # each: the key points of one human summary
    title: str | None = None

    @cached_property
    def article(self) -> Article:
        """The article the summarizer reads (the body; the references never go in). A body
        no model can read (a NUL, a lone surrogate) is an :class:`InputError` naming the
        document: the engines report it alone and summarize the others."""
        check_characters(self.body, self.id)
        return Article(body=self.body, title=self.title, name=self.id)


@dataclass(frozen=True)
class Fields:
    """Which record fields hold what; the defaults fit CNN/DailyMail and most JSONL dumps."""

    id: str | None = "id"  # None: number the records 1, 2, 3 ... in file order
    article: tuple[str, ...] = ("article", "text")  # the first one a record has
    references: tuple[str, ...] = ()  # () = the first of DEFAULT_REFERENCES; several = one reference each

    DEFAULT_REFERENCES = ("highlights", "key_points")


@dataclass(frozen=True)
class Dataset:
    """The usable documents of a dataset, in order, and what was skipped."""

    spec: str
    documents: tuple[Document, ...]
    skipped: tuple[str, ...] = ()  # "where: why" for each record left out (skip_bad)
    format: str = "jsonl"

    def __len__(self) -> int:
        return len(self.documents)

    @cached_property
    def by_id(self) -> dict[str, Document]:
        return {d.id: d for d in self.documents}

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the documents as read (ids, bodies, references, titles): a resumed run
        checks it, so an edited dataset is not mixed into a run of the old one."""
        import hashlib

        h = hashlib.sha256()
        for d in self.documents:
            h.update(json.dumps([d.id, d.body, d.references, d.title], ensure_ascii=False)
                     .encode("utf-8", "surrogatepass"))  # the same bytes for any text; no crash on a Document made by hand
            h.update(b"\n")
        return "sha256:" + h.hexdigest()

    def sample(self, n: int, seed: int = 0) -> "Dataset":
        """``n`` documents drawn at random with ``seed``, kept in the file's order: a fair slice of a
        file whose order means something (CNN/DailyMail lists its CNN stories first, so its first
        hundred are all CNN). More than there are is refused, as every draw without replacement
        refuses it (``random.sample``, pandas): a run recorded as a sample of ``n`` must be one.
        (``head`` is a ceiling: the first 10 of 3 documents are all 3, a true record.)"""
        import random

        if n > len(self.documents):
            skipped = f" (after skipping {len(self.skipped)} unusable records)" if self.skipped else ""
            raise UsageError(f"--sample {n}: {self.spec} has only {len(self.documents)} documents{skipped}; give "
                             f"--sample {len(self.documents)} or fewer, or leave --sample out to take them all")
        if n == len(self.documents):
            return self
        keep = sorted(random.Random(seed).sample(range(len(self.documents)), n))
        return Dataset(self.spec, [self.documents[k] for k in keep], self.skipped, self.format)

    def head(self, n: int | None) -> "Dataset":
        """The first ``n`` documents (all of them for ``None``)."""
        if n is None or n >= len(self.documents):
            return self
        return Dataset(self.spec, self.documents[:n], self.skipped, self.format)


class _BadRecord(Exception):
    """A record that cannot be used; ``load_dataset`` adds where it was."""


def load_dataset(
    spec: str, *, fields: Fields = Fields(), skip_bad: bool = False, fmt: str = "auto"
) -> Dataset:
    """Read the dataset named by ``spec`` (see the module doc).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
    >>> _ = p.write_text('{"id": "a", "article": "Rain fell. Roads closed.", "highlights": ["Rain fell."]}\\n')
    >>> load_dataset(str(p)).documents[0].references
    (('Rain fell.',),)
    """
    fmt = _detect(spec) if fmt == "auto" else fmt
    if fmt not in FORMATS:
        raise UsageError(f"unknown dataset format {fmt!r}; known formats: {', '.join(FORMATS)}")
    if fmt == "hf":
        records = _hf_records(spec)
    elif fmt == "stories":
        records = _story_records(Path(spec))
    elif fmt == "cnbc":
        records = _cnbc_records(Path(spec))
    elif fmt in ("csv", "tsv"):
        records = _csv_records(Path(spec), delimiter="\t" if fmt == "tsv" else ",")
    else:
        records = _jsonl_records(Path(spec))

    docs: list[Document] = []
    skipped: list[str] = []
    seen: dict[str, str] = {}
    hint = "fix it, or pass --skip-bad to skip bad records and count them"
    for n, (where, record) in enumerate(records, 1):
        try:
            if isinstance(record, _BadRecord):
                raise record
            doc = _document(record, fields, n)
            if doc.id in seen:
                raise _BadRecord(f"duplicate id {doc.id!r} (first at {seen[doc.id]})")
        except _BadRecord as e:
            if not skip_bad:
                raise InputError(f"{where}: {e}; {hint}") from None
            skipped.append(f"{where}: {e}")
            continue
        seen[doc.id] = where
        docs.append(doc)
    if not docs:
        raise InputError(f"{spec}: no usable documents" + (f" ({len(skipped)} skipped)" if skipped else ""))
    return Dataset(spec, tuple(docs), tuple(skipped), fmt)


def _detect(spec: str) -> str:
    if spec.startswith("hf:"):
        return "hf"
    p = Path(spec)
    if p.is_dir():
        if next(p.glob("*.story"), None) is not None:
            return "stories"
        if next(p.glob("*.txt"), None) is not None:
            return "cnbc"
        raise InputError(f"{spec}: the folder has no .story files (CNN/DailyMail) and no .txt articles (CNBC layout)")
    if not p.exists():
        raise InputError(f"{spec}: no such file or directory")
    suffix = p.suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    raise InputError(
        f"{spec}: cannot tell the dataset format from the name; use .jsonl or .csv, "
        f"or name it with --dataset-format ({', '.join(FORMATS[1:])})"
    )


# --- records: (where, dict) ---------------------------------------------------------


def _jsonl_records(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        f = path.open("rb")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    with f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path}:{lineno}"
            if not raw.strip():
                continue  # blank lines (a trailing one is common) hold no record
            if lineno == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark
            try:
                yield where, json_object(raw)
            except ValueError as e:
                yield where, _BadRecord(str(e))


def json_object(raw: bytes) -> dict[str, Any]:
    """One JSONL line as a dict; ``ValueError`` says what is wrong with it (no location)."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ValueError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, found {type(record).__name__}")
    return record


def _csv_records(path: Path, delimiter: str) -> Iterator[tuple[str, Any]]:
    try:
        text = decode(path.read_bytes(), str(path))
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    # strict: a stray or unclosed quote is an error at its line, not a cell that swallows the rest
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 2  # the header is line 1
    try:
        for row in reader:
            where = f"{path}:{start}"
            start = reader.line_num + 1
            if None in row:  # more cells than the header has names
                yield where, _BadRecord(f"{len(row) - 1 + len(row[None])} cells but {len(row) - 1} column names")
                continue
            yield where, {k: v for k, v in row.items() if v is not None}
    except csv.Error as e:
        raise InputError(f"{path}:{max(start, reader.line_num)}: not valid CSV, a quoting error ({e}): a quote inside a field "
                         'must be doubled ("") and a quoted field closed') from None


def _story_records(folder: Path) -> Iterator[tuple[str, Any]]:
    """CNN/DailyMail ``.story`` files: the story, then ``@highlight`` blocks; the id is the
    file name without ``.story`` (the sha1 of the URL in the original release)."""
    for path in sorted(folder.glob("*.story")):
        try:
            text = decode(path.read_bytes(), str(path))
        except InputError as e:
            yield str(path), _BadRecord(str(e).removeprefix(f"{path}: "))
            continue
        parts = re.split(r"^\s*@highlight\s*$", text.replace("\r\n", "\n"), flags=re.MULTILINE)
        highlights = [" ".join(p.split()) for p in parts[1:]]
        yield str(path), {"id": path.stem, "article": parts[0].strip(), "highlights": [h for h in highlights if h]}


def _cnbc_records(folder: Path) -> Iterator[tuple[str, Any]]:
    """Articles in the CNBC layout: the key points are the reference, the body the input."""
    for path in sorted(folder.glob("*.txt")):
        try:
            article = parse_article(decode(path.read_bytes(), str(path)), name=str(path))
        except InputError as e:
            yield str(path), _BadRecord(str(e).removeprefix(f"{path}: "))
            continue
        if not article.key_points:
            yield str(path), _BadRecord(
                "no key points: expected the CNBC layout (a title, a 'Key Points' line, "
                "'• ' bullets, then the body)"
            )
            continue
        record = {"id": path.stem, "article": article.body, "highlights": list(article.key_points)}
        if article.title:
            record["title"] = article.title
        yield str(path), record


def _hf_records(spec: str) -> Iterator[tuple[str, Any]]:
    """``hf:NAME[:CONFIG[:SPLIT]]`` from the Hub (or its cache), ``hf:DIR[:SPLIT]`` from disk."""
    try:
        import datasets
    except ImportError:
        raise InputError(f"{spec}: reading Hugging Face datasets needs the datasets library: {HF_INSTALL}") from None
    rest = spec[3:]
    head, _, tail = rest.rpartition(":")
    try:
        if Path(rest).is_dir():
            data, split = datasets.load_from_disk(rest), None
        elif head and Path(head).is_dir():
            data, split = datasets.load_from_disk(head), tail
        else:
            name, config, split = (rest.split(":") + [None, None])[:3]
            if not name:
                raise UsageError(f"{spec}: expected hf:NAME[:CONFIG[:SPLIT]], e.g. hf:cnn_dailymail:3.0.0:test")
            data = datasets.load_dataset(name, config or None, split=split or None)
            split = None
    except UsageError:
        raise
    except (OSError, ValueError, datasets.exceptions.DatasetsError) as e:  # no network, no such dataset
        raise InputError(f"{spec}: cannot load the dataset ({type(e).__name__}: {e})") from None
    if isinstance(data, datasets.DatasetDict):
        if split is None:
            raise InputError(
                f"{spec}: the dataset has several splits ({', '.join(data)}); name one, e.g. {spec}:{next(iter(data))}"
            )
        if split not in data:
            raise InputError(f"{spec}: no split {split!r}; splits: {', '.join(data)}")
        data = data[split]
    elif split is not None:
        raise InputError(f"{spec}: the dataset on disk has no splits; drop ':{split}'")
    for i, row in enumerate(data):
        yield f"{spec} row {i}", row


# --- a record to a document -----------------------------------------------------------


def _present(record: dict[str, Any]) -> str:
    return ", ".join(sorted(record)) or "none"


def _text_field(record: dict[str, Any], names: Iterable[str], what: str, option: str) -> tuple[str, Any]:
    names = tuple(names)
    for name in names:
        if name in record:
            return name, record[name]
    looked = " or ".join(repr(n) for n in names)
    raise _BadRecord(f"no {what} field {looked} (fields present: {_present(record)}); name it with {option}")


def _key_points(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        points = [line.strip() for line in value.split("\n")]
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        points = [v.strip() for v in value]
    else:
        raise _BadRecord(f"field {name!r} must be a string or a list of strings, found {shape(value)}")
    points = [p for p in points if p]
    if not points:
        raise _BadRecord(f"field {name!r} has no key points")
    return tuple(points)


def shape(value: Any, plural: bool = False) -> str:
    """What a JSON value is, in words: ``[[["a"]]]`` is "a list of lists of lists of strings".

    >>> shape([[["a"]]]), shape({"a": 1}), shape([1, 2])
    ('a list of lists of lists of strings', 'an object', 'a list of numbers')
    """
    s = "s" if plural else ""
    if isinstance(value, str):
        return f"string{s}" if plural else "a string"
    if isinstance(value, bool):
        return f"true/false value{s}" if plural else "true/false"
    if isinstance(value, (int, float)):
        return f"number{s}" if plural else "a number"
    if value is None:
        return "nulls" if plural else "null"
    if isinstance(value, dict):
        return f"object{s}" if plural else "an object"
    if isinstance(value, (list, tuple)):
        if not value:
            return f"empty list{s}" if plural else "an empty list"
        odd = next((v for v in value if not isinstance(v, str)), value[0])
        return f"{'lists' if plural else 'a list'} of {shape(odd, plural=True)}"
    return type(value).__name__


def _references(value: Any, name: str) -> list[tuple[str, ...]]:
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        if not all(isinstance(x, str) for v in value for x in v):
            raise _BadRecord(f"field {name!r} must be a string, a list of strings, or a list of such lists (one per "
                             f"human summary), found {shape(value)}")
        return [_key_points(v, name) for v in value]  # several human summaries
    return [_key_points(value, name)]


def _document(record: dict[str, Any], fields: Fields, n: int) -> Document:
    if fields.id is None:
        doc_id = str(n)
    else:
        if fields.id not in record:
            raise _BadRecord(
                f"no id field {fields.id!r} (fields present: {_present(record)}); "
                "name it with --id-field, or pass --id-field '' to number the records"
            )
        doc_id = record[fields.id]
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
            raise _BadRecord(f"field {fields.id!r} must be a non-empty string or an integer, found {doc_id!r}")
        doc_id = str(doc_id)
    name, body = _text_field(record, fields.article, "article", "--article-field")
    if not isinstance(body, str):
        raise _BadRecord(f"field {name!r} must be a string, found {type(body).__name__}")
    if not body.strip():
        raise _BadRecord(f"field {name!r} is empty")
    refs: list[tuple[str, ...]] = []
    if fields.references:
        for ref_name in fields.references:
            refs += _references(_text_field(record, [ref_name], "reference", "--reference-field")[1], ref_name)
    else:
        ref_name, value = _text_field(record, Fields.DEFAULT_REFERENCES, "reference", "--reference-field")
        refs = _references(value, ref_name)
    title = record.get("title")
    title = title if isinstance(title, str) and title.strip() else None
    _valid_text(doc_id, fields.id or "id")
    _valid_text(body, name)
    for ref in refs:
        for point in ref:
            _valid_text(point, "reference")
    if title is not None:
        _valid_text(title, "title")
    return Document(doc_id, body.strip(), tuple(refs), title)


def _valid_text(text: str, field: str) -> None:
    """Refuse a field no model, scorer or report can take: a lone surrogate (JSON lets
    ``"\\ud800"`` through), a NUL (``"\\u0000"``)."""
    try:
        check_characters(text, f"field {field!r}")
    except InputError as e:
        raise _BadRecord(str(e)) from None
