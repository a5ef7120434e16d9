"""What the commands share: model settings from ``-o KEY=VALUE`` and options, and the option
groups of ``eval``, ``score`` and ``compare`` (the dataset, ROUGE, the input ceiling).

A model is resolved once per command (:func:`summarizer.backends.resolve`) and the
:class:`~summarizer.backends.ResolvedModel` is passed on, here and to the backend.
"""

from __future__ import annotations

import dataclasses
import functools
import shlex
import typing
from typing import Any, Callable

import click

from ..article import MAX_CHARS, MAX_SENTENCES
from ..backends import ResolvedModel, resolve, settings_class
from ..credentials import redact, refuse_credentials
from ..errors import UsageError

_NONE = {"none", "null", ""}


def _convert(backend: str, field: dataclasses.Field, raw: str, hints: dict[str, Any]) -> Any:
    hint = hints.get(field.name, str)
    args = typing.get_args(hint)
    optional = type(None) in args
    base = next((a for a in args if a is not type(None)), hint) if args else hint
    if optional and raw.lower() in _NONE:
        return None
    try:
        if base is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        return base(raw)
    except (TypeError, ValueError):
        name = getattr(base, "__name__", str(base))
        raise UsageError(f"-o {field.name}={raw}: model {backend!r} expects {name}") from None


def parse_settings(model: str | ResolvedModel, options: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``{"batch_size": 32}`` from ``["batch_size=32"]``, checked against the backend."""
    if not options:
        return {}
    backend = resolve(model).backend
    cls = settings_class(backend)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for opt in options:
        # before anything echoes it: settings are recorded with a run (a credential goes in the environment)
        refuse_credentials(f"-o {_name_of(opt)}", [opt, opt.partition("=")[2].strip()])
        key, sep, raw = opt.partition("=")
        key = key.strip().replace("-", "_")
        if not sep:
            raise UsageError(f"-o {opt}: expected KEY=VALUE")
        if key not in fields:
            raise UsageError(f"model {backend!r} has no setting {key!r}; its settings: {', '.join(fields)}")
        out[key] = _convert(backend, fields[key], raw.strip(), hints)
    return out


def _name_of(opt: str) -> str:
    """The KEY of ``-o KEY=VALUE`` where it is a plain name, for a message that must not echo the value."""
    key = opt.partition("=")[0].strip()
    return key if key.replace("_", "").replace("-", "").isalnum() and len(key) <= 40 else "KEY=VALUE"


def settings_with_flags(model: str | ResolvedModel, settings: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """``settings`` (from -o) plus the options given (``--batch-size 8``), each onto the
    backend's setting of its name; an option the backend has no setting for is refused."""
    if not flags:
        return settings
    backend = resolve(model).backend
    fields = {f.name for f in dataclasses.fields(settings_class(backend))}
    out = dict(settings)
    for key, value in flags.items():
        flag = "--" + key.replace("_", "-")
        refuse_credentials(flag, value)
        if key not in fields:
            raise UsageError(f"{flag} does not apply to model {backend!r}, which has no {key} setting")
        if key in settings and settings[key] != value:
            raise UsageError(f"{flag} and -o {key}=... disagree; give one of them")
        out[key] = value
    return out


def limit_options(f):
    """--max-chars and --max-sentences: the input ceiling (``article.Limits``)."""
    f = click.option("--max-sentences", type=click.IntRange(min=1), default=MAX_SENTENCES, show_default=True,
                     help="Refuse an article with more sentences than this (memory grows with an article).")(f)
    f = click.option("--max-chars", type=click.IntRange(min=1), default=MAX_CHARS, show_default=True,
                     help="Refuse an article with more characters than this (a file before it is read whole).")(f)
    return f


# --- eval, score and compare ---------------------------------------------------------------

METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
# options that cannot change a figure, left out of the recorded command (a Ray run's report is a local run's)
NOT_RECORDED = {"resume", "jobs", "engine", "address", "workers", "concurrency"}


def warn(msg: str) -> None:
    click.echo(f"Warning: {redact(msg)}", err=True)


def command_line(ctx: click.Context) -> str:
    """The command that reproduces these figures: the arguments and every option not at
    its default."""
    parts = ["summarize", ctx.info_name or ctx.command.name or ""]  # as installed, whatever ran it
    for p in ctx.command.params:
        value = ctx.params.get(p.name)
        if isinstance(p, click.Argument):
            parts += [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
            continue
        if value is None and isinstance(p.type, NumPoints):
            value = "auto"  # None is what "auto" converts to, and not the default
        if p.name in NOT_RECORDED or value in (None, ()) or value == p.default:
            continue
        assert isinstance(p, click.Option)
        name = max(p.opts, key=len)  # the long form reads better in a report
        if p.is_flag:
            if value or p.secondary_opts:  # a plain flag that is off is not written
                parts.append(name if value else max(p.secondary_opts, key=len))
            continue
        for v in value if isinstance(value, tuple) else (value,):
            parts += [name, str(v)]
    return shlex.join(parts)


class NumPoints(click.ParamType):
    """A positive number of key points, or ``auto`` (the model decides)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | None:
        if value is None or isinstance(value, int) and value >= 1:
            return value
        if str(value).strip().lower() == "auto":
            return None
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            self.fail(f"{value!r}: give a positive number of key points, or auto", param, ctx)
        return n


def pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, value = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{v!r}: expected FIELD=VALUE", param_hint=option)
        out[key] = value
    return out


def _metrics(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None  # the implementation's own
    names = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in names if m not in METRICS]
    if unknown or not names:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(METRICS)} (comma-separated)", param_hint="--metrics")
    return names


def _group(options: list[Callable], names: tuple[str, ...], build: Callable[..., Any], into: str) -> Callable:
    """A decorator adding ``options`` to a command, whose values (``names``) reach the command
    as one value, ``into=build(**values)``, rather than as loose keywords."""

    def decorator(f: Callable) -> Callable:
        @functools.wraps(f)
        def command(*args: Any, **kw: Any) -> Any:
            kw[into] = build(**{name: kw.pop(name) for name in names})
            return f(*args, **kw)

        for option in reversed(options):
            command = option(command)
        return command

    return decorator


def dataset_options(f: Callable) -> Callable:
    """--dataset and how to read it, given to the command as ``data`` (a ``DatasetOptions``)."""
    options = [
        click.option("--dataset", "-d", required=True, metavar="D",
                     help="A .jsonl/.csv/.tsv file, a folder of CNN/DailyMail .story files, a folder of .txt "
                          "articles in the CNBC layout, or hf:NAME[:CONFIG[:SPLIT]] / hf:SAVED_DIR[:SPLIT] "
                          "(needs `pip install 'summarizer[hf]'`)."),
        click.option("--dataset-format", type=click.Choice(["auto", "jsonl", "csv", "tsv", "stories", "cnbc", "hf"]),
                     default="auto", show_default=True, help="How to read --dataset; auto goes by its name."),
        click.option("--id-field", default="id", show_default=True,
                     help="Field with the document id; '' numbers the records 1, 2, 3 ..."),
        click.option("--article-field", default=None,
                     help="Field with the article text  [default: article, else text]"),
        click.option("--reference-field", "reference_fields", multiple=True,
                     help="Field with the human key points (a list, or a newline-separated string; a list of "
                          "lists is several references). Repeat it for several references, one per field  "
                          "[default: highlights, else key_points]"),
        click.option("--skip-bad", is_flag=True,
                     help="Skip unusable records (bad JSON, missing or empty fields, repeated ids) and count "
                          "them, instead of stopping at the first with its file and line."),
        click.option("--limit", type=click.IntRange(min=1), default=None,
                     help="Only the first N documents of the dataset."),
        click.option("--sample", type=click.IntRange(min=1), default=None,
                     help="Only N documents drawn at random (seeded), kept in the file's order: a fair slice of a "
                          "file sorted by source (CNN/DailyMail lists its CNN stories first)."),
        click.option("--sample-seed", type=int, default=0, show_default=True, help="Seed of --sample."),
    ]
    names = ("dataset", "dataset_format", "id_field", "article_field", "reference_fields", "skip_bad", "limit",
             "sample", "sample_seed")
    return _group(options, names, _dataset, "data")(f)


def scoring_options(f: Callable) -> Callable:
    """How ROUGE is computed and aggregated, given to the command as ``scoring`` (a
    ``ScoringSettings``); and --oracle and --jobs, given as they are."""
    options = [
        click.option("--implementation", type=click.Choice(["rouge-score", "rouge155"]), default="rouge-score",
                     show_default=True,
                     help="rouge-score: Google's rules; rouge155: the perl ROUGE-1.5.5's own per-document numbers "
                          "(papers' tables), in pure Python."),
        click.option("--metrics", default=None,
                     help="ROUGE metrics, comma-separated  [default: rouge1,rouge2,rougeL,rougeLsum; with rouge155 "
                          "rouge1,rouge2,rougeLsum (its ROUGE-L is summary-level)]"),
        click.option("--stem/--no-stem", default=True, show_default=True,
                     help="Porter stemming (as ROUGE-1.5.5 -m and the published tables)."),
        click.option("--tokenizer", type=click.Choice(["default", "unicode"]), default="default", show_default=True,
                     help="default: rouge-score's, which keeps only ASCII letters and digits (a summary in "
                          "another script scores 0); unicode: keeps letters and digits of every script."),
        click.option("--multi-ref", type=click.Choice(["max", "mean", "A", "B"]), default=None,
                     help="With several references per document: rouge-score's max (the best one per metric) or "
                          "mean; rouge155's A (-f A: counts pooled over references) or B (-f B: the best recall)  "
                          "[default: max; A with rouge155]"),
        click.option("--remove-stopwords", is_flag=True,
                     help="With rouge155: drop the SMART stopwords first (ROUGE-1.5.5 -s)."),
        click.option("--word-limit", type=click.IntRange(min=1), default=None,
                     help="With rouge155: only the first N words of each summary and reference (-l N)."),
        click.option("--byte-limit", type=click.IntRange(min=1), default=None,
                     help="With rouge155: only the first N bytes of each summary and reference (-b N)."),
        click.option("--samples", type=click.IntRange(min=1), default=1000, show_default=True,
                     help="Bootstrap resamples for the confidence intervals (and trials of the paired test)."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed of the bootstrap and the paired test: the same figures on every run."),
        click.option("--test", "test", type=click.Choice(["randomization", "bootstrap"]), default="randomization",
                     show_default=True, help="Paired significance test against Lead-3."),
    ]
    names = ("implementation", "metrics", "stem", "tokenizer", "multi_ref", "remove_stopwords", "word_limit",
             "byte_limit", "samples", "seed", "test")
    for option in reversed([
        click.option("--oracle", is_flag=True,
                     help="Add the greedy extractive oracle row (BertSum's; a ceiling that reads the references)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Scoring processes  [default: every core]"),
    ]):
        f = option(f)  # after the group's options in --help, as they always were
    return _group(options, names, _scoring, "scoring")(f)


def _dataset(dataset: str, dataset_format: str, id_field: str, article_field: str | None,
             reference_fields: tuple[str, ...], skip_bad: bool, limit: int | None, sample: int | None,
             sample_seed: int) -> Any:
    from ..evaluate import DatasetOptions, Fields

    fields = Fields(id=id_field or None, article=(article_field,) if article_field else Fields.article,
                    references=tuple(reference_fields))
    return DatasetOptions(dataset, fields, skip_bad, dataset_format, limit, sample, sample_seed)


def _scoring(implementation: str, metrics: str | None, stem: bool, tokenizer: str, multi_ref: str | None,
             remove_stopwords: bool, word_limit: int | None, byte_limit: int | None, samples: int, seed: int,
             test: str) -> Any:
    from ..evaluate import RougeConfig, ScoringSettings

    rouge = RougeConfig(metrics=_metrics(metrics), stemming=stem, tokenizer=tokenizer, multi_ref=multi_ref,
                        implementation=implementation, stopwords=remove_stopwords, word_limit=word_limit,
                        byte_limit=byte_limit)
    return ScoringSettings(rouge, samples=samples, seed=seed, test=test)
