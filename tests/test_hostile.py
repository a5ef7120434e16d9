"""Hostile and careless inputs (issue 16): checkpoints that carry code, run folders shared by
two writers, runs killed anywhere, inputs that are huge, binary, oddly encoded or closed.

Each case checks the one-line message and, where it matters, that nothing else happened
(no marker file written by a checkpoint's code, no duplicated prediction). The property
tests feed the readers and the article parser arbitrary bytes under every encoding option:
the outcome is key points or one of the project's errors, never another exception.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import make_article, one_line
from summarizer import Limits, SummarizerError, summarize
from summarizer.article import parse_article
from summarizer.backends.hf.safety import refuse_remote_code
from summarizer.cli import cli
from summarizer.errors import ModelError
from summarizer.evaluate.runs import lock_run
from summarizer.read import Source, decode, read_source
from summarizer.split import MAX_SENTENCE_CHARS, split_sentences

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
SUMMARIZE = [sys.executable, "-m", "summarizer"]


def run(*args: str, stdin: bytes | None = b"", timeout: float = 120, shell_stdin_closed: bool = False):
    cmd = [*SUMMARIZE, *map(str, args)]
    if shell_stdin_closed:  # the shell's `<&-`: file descriptor 0 is not open at all
        return subprocess.run(["bash", "-c", " ".join(map(repr, cmd)) + " <&-"], cwd=REPO, env=ENV,
                              capture_output=True, text=True, timeout=timeout)
    return subprocess.run(cmd, cwd=REPO, env=ENV, input=stdin, capture_output=True, timeout=timeout)


@pytest.fixture
def article(tmp_path) -> Path:
    p = tmp_path / "a.txt"
    p.write_text(make_article(1500, seed=3), encoding="utf-8")
    return p


# -- 1. a checkpoint is data ------------------------------------------------------------


@pytest.fixture(scope="module")
def bart(tmp_path_factory) -> Path:
    from seq2seq_models import build_checkpoints

    return build_checkpoints(tmp_path_factory.mktemp("ckpt"))["bart"]


def _with_code(bart: Path, tmp_path: Path, config_file: str) -> tuple[Path, Path]:
    """A copy of ``bart`` whose ``config_file`` asks for ``evil.py``, which writes a marker file."""
    d = tmp_path / f"evil-{config_file.split('.')[0]}"
    shutil.copytree(bart, d)
    marker = tmp_path / "MARKER"
    (d / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "from transformers import BartConfig as EvilConfig, BartForConditionalGeneration as EvilModel\n"
        "from transformers import BertTokenizerFast as EvilTokenizer\n"
    )
    path = d / config_file
    config = json.loads(path.read_text()) if path.exists() else {}
    if config_file == "tokenizer_config.json":
        config["auto_map"] = {"AutoTokenizer": [None, "evil.EvilTokenizer"]}
    elif config_file == "generation_config.json":
        config["custom_generate"] = "evil.py"
    else:
        config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModelForSeq2SeqLM": "evil.EvilModel"}
    path.write_text(json.dumps(config))
    return d, marker


@pytest.mark.parametrize("config_file", ["config.json", "tokenizer_config.json", "generation_config.json"])
def test_a_checkpoint_with_code_is_refused_with_y_on_stdin(bart, tmp_path, article, config_file):
    d, marker = _with_code(bart, tmp_path, config_file)
    r = run("--model", d, article, stdin=b"y\ny\ny\n")
    err = one_line(r.stderr.decode(), f"{d / config_file}: field ", "never runs a checkpoint's code")
    assert r.returncode == 1 and "[y/N]" not in r.stdout.decode() + err
    assert not marker.exists()


def test_without_the_check_transformers_still_runs_no_code(bart, tmp_path, monkeypatch):
    """Defence in depth: with the folder check switched off, trust_remote_code=False keeps
    transformers from importing the folder's code or asking on stdin."""
    import io

    import summarizer.backends.hf.checkpoints as checkpoints
    from summarizer.backends.seq2seq.backend import Seq2SeqSettings, Seq2SeqSummarizer

    monkeypatch.setattr(checkpoints, "refuse_remote_code", lambda path: None)
    for config_file in ("config.json", "tokenizer_config.json"):
        monkeypatch.setattr(sys, "stdin", io.StringIO("y\n" * 10))
        d, marker = _with_code(bart, tmp_path, config_file)
        try:
            Seq2SeqSummarizer(Seq2SeqSettings(checkpoint=str(d), device="cpu"))
        except ModelError:
            pass  # refused (the tokenizer's auto_map): fine, as long as nothing ran
        assert not marker.exists(), config_file
        assert sys.stdin.read() == "y\n" * 10  # nothing was read from stdin


def test_refuse_remote_code_names_the_file_and_field(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bart", "auto_map": {"AutoModel": "m.M"}}))
    with pytest.raises(ModelError, match=r"config.json: field 'auto_map' asks to run code .*\(m\.M\)"):
        refuse_remote_code(tmp_path)
    # a string naming a .py of the folder, in any field
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bart", "x": {"y": "helper.Thing"}}))
    refuse_remote_code(tmp_path)  # no helper.py: a plain string
    (tmp_path / "helper.py").write_text("")
    with pytest.raises(ModelError, match=r"field 'x.y' asks to run code .*\(helper.py\)"):
        refuse_remote_code(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="cannot read the checkpoint config"):
        refuse_remote_code(tmp_path)


def test_a_pickled_checkpoint_is_one_line_and_runs_nothing(bart, tmp_path, article):
    d = tmp_path / "pickled"
    shutil.copytree(bart, d)
    for f in d.glob("*.safetensors"):
        f.unlink()
    marker = tmp_path / "PICKLE_RAN"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with open(d / "pytorch_model.bin", "wb") as f:
        pickle.dump({"weight": Payload()}, f)
    r = run("--model", d, article, stdin=b"y\n")
    assert r.returncode == 1
    one_line(r.stderr.decode(), "a pickle holding more than tensors, refused")
    assert not marker.exists()


# -- 2. one writer per run folder ---------------------------------------------------------


def _records(n: int, seed: int = 0) -> list[dict]:
    out = []
    for i in range(n):
        text = make_article(600, seed=seed * 100_000 + i)
        out.append({"id": f"d{i:04d}", "article": text, "highlights": [text.split(". ")[0] + "."]})
    return out


def _dataset(path: Path, n: int, seed: int = 0) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in _records(n, seed)), encoding="utf-8")
    return path


def _ids(preds: Path) -> list[str]:
    return [json.loads(line)["id"] for line in preds.read_text(encoding="utf-8").splitlines()]


def test_a_second_writer_is_refused_at_once_naming_the_holder(tmp_path):
    data = _dataset(tmp_path / "d.jsonl", 6)
    out = tmp_path / "run"
    out.mkdir()
    with lock_run(out):
        r = CliRunner().invoke(cli, ["eval", "-d", str(data), "-m", "lead", "--out", str(out), "--samples", "20"])
    assert r.exit_code == 1
    one_line(r.stderr, f"{out} is being written by another run (pid {os.getpid()} on ", ", started 20")
    assert not (out / "predictions.jsonl").exists()
    r = CliRunner().invoke(cli, ["eval", "-d", str(data), "-m", "lead", "--out", str(out), "--samples", "20"])
    assert r.exit_code == 0, r.output  # released: the next run takes it


def test_two_concurrent_resumes_one_completes_one_is_refused(tmp_path):
    n = 600
    data = _dataset(tmp_path / "d.jsonl", n)
    out = tmp_path / "run"
    base = ["eval", "-d", data, "-m", "lead", "--out", out, "--docs-per-call", "4", "--samples", "50",
            "--metrics", "rouge1"]
    run(*base).check_returncode()
    preds = out / "predictions.jsonl"
    # as a kill leaves it: 201 whole lines (mid-batch) and a torn one, no report
    preds.write_bytes(b"".join(preds.read_bytes().splitlines(keepends=True)[:201]) + b'{"id": "d02')
    (out / "report.json").unlink()
    cmd = [*SUMMARIZE, *map(str, base), "--resume"]
    first = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (out / "writer.json").exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the second starts once the first holds the folder: they surely overlap
    second = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in (first, second)]
    assert [code for code, _ in results] == [0, 1], results
    one_line(results[1][1], f"is being written by another run (pid {first.pid} on ")
    ids = _ids(preds)
    assert ids == [f"d{i:04d}" for i in range(n)]  # each document once, in order
    again = run(*base, "--resume")
    assert again.returncode == 0, again.stderr


def test_resume_repairs_repeated_ids_of_older_versions(tmp_path):
    data = _dataset(tmp_path / "d.jsonl", 10)
    out = tmp_path / "run"
    args = ["eval", "-d", str(data), "-m", "lead", "--out", str(out), "--samples", "20", "--docs-per-call", "4"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    preds = out / "predictions.jsonl"
    clean = preds.read_bytes()
    lines = clean.splitlines(keepends=True)
    preds.write_bytes(clean + b"".join(lines[:7]))  # as two old writers left it: 17 lines, 7 repeated
    r = CliRunner().invoke(cli, [*args, "--resume"])
    assert r.exit_code == 0, r.output
    assert "dropped 7 repeated predictions (kept each id's first complete row)" in r.stderr
    assert preds.read_bytes() == clean


def test_resume_knows_the_dataset_by_its_resolved_path_and_content(tmp_path, monkeypatch):
    data = _dataset(tmp_path / "d.jsonl", 6)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    args = ["eval", "-m", "lead", "--out", "run", "--samples", "20"]
    assert CliRunner().invoke(cli, [*args, "-d", "d.jsonl"]).exit_code == 0
    (tmp_path / "run" / "report.json").unlink()
    r = CliRunner().invoke(cli, [*args, "-d", "./sub/../d.jsonl", "--resume"])
    assert r.exit_code == 0, r.output  # another spelling of the same file
    records = _records(6)
    records[2]["article"] += " The council met again on Friday."
    data.write_text("".join(json.dumps(x) + "\n" for x in records), encoding="utf-8")
    r = CliRunner().invoke(cli, [*args, "-d", "d.jsonl", "--resume"])
    assert r.exit_code == 2 and "holds a run with other options (dataset:" in r.stderr


# -- 3. resumed = uninterrupted, byte for byte ------------------------------------------


class _Loaded:
    """An engine over the session's loaded extractive model (the protocol: batches and a job)."""

    def __init__(self, summarizer):
        self.summarizer = summarizer

    def predict(self, batches, job):
        from summarizer.evaluate.engines import summarize_batch

        for batch in batches:
            yield summarize_batch(self.summarizer, batch, job)


def test_int8_vectors_depend_on_batch_neighbours(extractive):
    """Why batches are fixed by document index: the same article, encoded beside other
    articles, gets other int8 vectors (so an interrupted batch must be redone whole)."""
    import numpy as np

    a, b = (parse_article(make_article(3000, seed=s)) for s in (11, 12))
    alone = extractive.encode([b])[0]
    beside = extractive.encode([a, b])[1]
    assert alone.shape == beside.shape and not np.array_equal(alone, beside)


# after a whole batch, one line into a batch, torn in the middle of a batch, torn in the short last batch
KILL_POINTS = [("lines", 4), ("lines", 5), ("torn", 6), ("torn", 8)]


def test_a_run_killed_anywhere_resumes_to_the_uninterrupted_bytes(extractive, tmp_path):
    """9 documents in batches of 4 (the last one short), cut where a kill can leave the
    log: after whole batches, inside a batch, with a torn last line; each resumed run
    must write the uninterrupted run's files byte for byte."""
    from summarizer.evaluate import DatasetOptions, EvalOptions, ScoringSettings, run_eval

    n, size = 9, 4
    data = _dataset(tmp_path / "d.jsonl", n, seed=5)

    def opts(out, resume=False):
        return EvalOptions(DatasetOptions(str(data)), "extractive", out, num_points=3, docs_per_call=size,
                           resume=resume, jobs=1, scoring=ScoringSettings(samples=100))

    whole = tmp_path / "whole"
    run_eval(opts(whole), engine=_Loaded(extractive), progress=False)
    expected = (whole / "predictions.jsonl").read_bytes()
    lines = expected.splitlines(keepends=True)
    assert len(lines) == n
    for how, k in KILL_POINTS:
        out = tmp_path / f"killed-{how}-{k}"
        shutil.copytree(whole, out)
        (out / "report.json").unlink()
        (out / "scores.jsonl").unlink()
        cut = b"".join(lines[:k]) + (lines[k][: len(lines[k]) // 2] if how == "torn" else b"")
        (out / "predictions.jsonl").write_bytes(cut)
        notes: list[str] = []
        run_eval(opts(out, resume=True), engine=_Loaded(extractive), progress=False, notify=notes.append)
        assert (out / "predictions.jsonl").read_bytes() == expected, (how, k, notes)
        assert (out / "scores.jsonl").read_bytes() == (whole / "scores.jsonl").read_bytes()
        assert json.loads((out / "report.json").read_text()) == json.loads((whole / "report.json").read_text())
        if k % size and k < n:
            assert any("interrupted batch" in m for m in notes), notes
        if how == "torn":
            assert any("torn last line" in m for m in notes), notes


# -- 4. bounded inputs; one failure does not sink the others ----------------------------


def test_input_ceiling_refuses_in_one_line_and_can_be_raised(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(make_article(40_000, seed=1), encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text(make_article(800, seed=2), encoding="utf-8")
    r = CliRunner().invoke(cli, ["-m", "lead", "--max-chars", "20000", str(big), str(small)])
    assert r.exit_code == 1
    one_line(r.stderr, "big.txt: ", "over the input ceiling", "--max-chars")
    assert f"==> {small} <==" in r.stdout
    r = CliRunner().invoke(cli, ["-m", "lead", "--max-sentences", "50", str(big)])
    one_line(r.stderr, "sentences, over the input ceiling of 50", "--max-sentences")
    r = CliRunner().invoke(cli, ["-m", "lead", "--max-chars", "60000", str(big)])
    assert r.exit_code == 0 and r.stdout.startswith("• ")
    with pytest.raises(SummarizerError, match="text 0: .* over the input ceiling of 10"):
        summarize(["x" * 11, "ok."], model="lead", limits=Limits(max_chars=10))
    assert summarize("Rain fell all day. Roads closed early.", n=1, model="lead",
                     limits=Limits(max_sentences=2)).texts == ["Rain fell all day."]


def test_text_without_sentence_ends_is_cut_into_bounded_pieces():
    text = " ".join(["word"] * 3000)  # 15,000 characters, no punctuation
    sents = split_sentences(text)
    assert len(sents) > 1 and max(len(s.text) for s in sents) <= MAX_SENTENCE_CHARS
    assert all(text[s.start:s.end] == s.text for s in sents)
    assert " ".join(s.text for s in sents) == text  # nothing dropped
    s = summarize(text, n=2, model="lead")
    assert all(len(t) <= MAX_SENTENCE_CHARS for t in s.texts)


def test_one_input_the_model_fails_on_is_reported_alone(tmp_path, monkeypatch):
    from summarizer.backends.lead import LeadSummarizer

    real = LeadSummarizer.summarize

    def flaky(self, articles, *, num_points=3):
        if any("poison" in a.body for a in articles):
            raise ModelError("the model failed on this one")
        return real(self, articles, num_points=num_points)

    monkeypatch.setattr(LeadSummarizer, "summarize", flaky)
    files = []
    for i, text in enumerate(["Rain fell on Monday. Roads closed.", "A poison pill. It failed.", "Sun came out. Fine."]):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text(text, encoding="utf-8")
    r = CliRunner().invoke(cli, ["-m", "lead", *map(str, files)])
    assert r.exit_code == 1
    one_line(r.stderr, "1.txt: the model failed on this one")
    assert f"==> {files[0]} <==" in r.stdout and f"==> {files[2]} <==" in r.stdout


def test_eval_one_failing_document_is_named_and_the_others_are_written(tmp_path):
    records = _records(6)
    records[3]["article"] = make_article(30_000, seed=9)
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(x) + "\n" for x in records), encoding="utf-8")
    out = tmp_path / "run"
    args = ["eval", "-d", str(data), "-m", "lead", "--out", str(out), "--samples", "20", "--docs-per-call", "2"]
    r = CliRunner().invoke(cli, [*args, "--max-chars", "20000"])
    assert r.exit_code == 1
    assert "document 'd0003' not summarized: d0003: " in r.stderr and "over the input ceiling" in r.stderr
    assert "1 of 6 documents could not be summarized" in r.stderr
    assert sorted(_ids(out / "predictions.jsonl")) == ["d0000", "d0001", "d0002", "d0004", "d0005"]
    r = CliRunner().invoke(cli, [*args, "--resume"])  # the default ceiling: 1,000,000 characters
    assert r.exit_code == 0, r.output
    assert _ids(out / "predictions.jsonl") == [f"d{i:04d}" for i in range(6)]  # in order once complete


# -- 5. inputs and outputs, one line each ---------------------------------------------------


def test_closed_stdin_is_one_line():
    r = run("-", shell_stdin_closed=True)
    assert r.returncode == 1
    one_line(r.stderr, "<stdin>: standard input is closed")


@pytest.mark.parametrize("where", ["file_parent", "proc", "readonly"])
def test_an_impossible_out_folder_is_one_line(tmp_path, where):
    data = _dataset(tmp_path / "d.jsonl", 3)
    if where == "file_parent":
        (tmp_path / "f").write_text("x")
        out = tmp_path / "f" / "run"
    elif where == "proc":
        out = Path("/proc/summarizer-run")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        out = ro / "run"
    r = CliRunner().invoke(cli, ["eval", "-d", str(data), "-m", "lead", "--out", str(out), "--samples", "20"])
    assert r.exit_code == 1, r.output
    one_line(r.stderr, f"--out {out}: ", "choose another --out")


@pytest.mark.parametrize("encoding, option", [
    ("utf-16", ["--encoding", "utf-16"]), ("utf-16-le", ["--encoding", "utf-16-le"]), ("utf-16", []),
    ("utf-32", []), ("utf-8-sig", []), ("utf-32-be", ["--encoding", "utf-32-be"])])
def test_unicode_files_with_a_mark_or_the_named_encoding_are_summarized(tmp_path, encoding, option):
    p = tmp_path / "a.txt"
    p.write_bytes("Café owners met on Monday. They agreed on prices. Nobody objected.".encode(encoding))
    r = CliRunner().invoke(cli, ["-m", "lead", "-n", "1", *option, str(p)])
    assert r.exit_code == 0, r.output
    assert r.stdout == "• Café owners met on Monday.\n"


def test_utf16_without_its_option_is_refused_with_the_hint(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("Rain fell. Roads closed.".encode("utf-16-le"))
    r = CliRunner().invoke(cli, ["-m", "lead", str(p)])
    one_line(r.stderr, "looks like a binary file", "--encoding utf-16")


def test_a_nul_byte_anywhere_is_refused(tmp_path):
    text = make_article(20_000, seed=4)
    p = tmp_path / "a.txt"
    p.write_bytes(text[:15_000].encode() + b"\x00" + text[15_000:].encode())
    r = CliRunner().invoke(cli, ["-m", "lead", str(p)])
    assert r.exit_code == 1
    one_line(r.stderr, "a.txt: looks like a binary file (a NUL character at offset 15000)")


def test_bytes_that_decode_but_are_not_text_are_refused(tmp_path):
    import random

    p = tmp_path / "noise.txt"
    p.write_bytes(random.Random(0).randbytes(5000))
    for enc in ("latin-1", "cp437", "utf-16"):
        r = CliRunner().invoke(cli, ["-m", "lead", "--encoding", enc, str(p)])
        assert r.exit_code == 1, (enc, r.output)
        one_line(r.stderr, "noise.txt: ", "binary")
    figures = tmp_path / "figures.txt"
    figures.write_text("\n".join(f"{i}, {i * 3.5:.2f}, {i % 7}" for i in range(200)))
    r = CliRunner().invoke(cli, ["-m", "lead", str(figures)])
    one_line(r.stderr, "not text (only 0 of")


def test_sentence_ends_of_other_scripts_split():
    assert [s.text for s in split_sentences("東京で雨が降った。道路が閉鎖された！本当？はい。")] == [
        "東京で雨が降った。", "道路が閉鎖された！", "本当？", "はい。"]
    assert [s.text for s in split_sentences("बारिश हुई। सड़कें बंद रहीं॥ फिर धूप निकली।")] == [
        "बारिश हुई।", "सड़कें बंद रहीं॥", "फिर धूप निकली।"]
    assert [s.text for s in split_sentences("「雨だ。」と彼は言った。｡終わり")] == ["「雨だ。」", "と彼は言った。｡", "終わり"]


def test_a_symlink_loop_is_named_for_what_it_is(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(tmp_path / "loop.txt")
    r = CliRunner().invoke(cli, ["-m", "lead", str(loop)])
    one_line(r.stderr, "loop.txt: a symbolic link loop")
    (tmp_path / "ok.txt").write_text("Rain fell all day. Roads closed early.", encoding="utf-8")
    r = CliRunner().invoke(cli, ["-m", "lead", "-n", "1", str(tmp_path)])  # a loop inside a folder is named too
    assert r.exit_code == 1 and "• Rain fell all day." in r.stdout
    one_line(r.stderr, "loop.txt: a symbolic link loop")


def test_csv_quoting_errors_and_nested_lists_are_named_with_their_line(tmp_path):
    csv_path = tmp_path / "d.csv"
    csv_path.write_text('id,article,highlights\n1,"Rain fell. Roads closed.",Rain.\n2,"Bad "quote" here.",x\n')
    r = CliRunner().invoke(cli, ["eval", "-d", str(csv_path), "-m", "lead", "--out", str(tmp_path / "r1")])
    one_line(r.stderr, "d.csv:3: not valid CSV, a quoting error")
    jl = tmp_path / "d.jsonl"
    jl.write_text(json.dumps({"id": "a", "article": "Rain fell. Roads closed.", "highlights": [[["Rain."]]]}) + "\n")
    r = CliRunner().invoke(cli, ["eval", "-d", str(jl), "-m", "lead", "--out", str(tmp_path / "r2")])
    one_line(r.stderr, "d.jsonl:1: field 'highlights' must be", "found a list of lists of lists of strings")


# -- 6. any bytes, any encoding: key points or our error ------------------------------


ENCODINGS = ["utf-8", "utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252", "ascii", "shift_jis", "gb18030"]
# codecs a user can name that are odd: bytes-to-bytes, text-to-text, escapes, IDNA
ODD_ENCODINGS = ["utf-7", "idna", "punycode", "unicode_escape", "raw_unicode_escape", "rot13", "base64", "hex",
                 "no-such-codec"]
_texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
_bytes = st.one_of(
    st.binary(max_size=600),
    st.builds(lambda t, e: t.encode(e, errors="ignore"), _texts, st.sampled_from(ENCODINGS)),
    st.builds(lambda t, b: t.encode() + b, _texts, st.binary(max_size=20)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_bytes, encoding=st.sampled_from(ENCODINGS + ODD_ENCODINGS))
def test_decoding_and_parsing_any_bytes_gives_text_or_our_error(data, encoding):
    try:
        text = decode(data, "x", encoding)
    except SummarizerError:
        return
    article = parse_article(text, name="x")
    for s in article.sentences:
        assert article.body[s.start:s.end] == s.text and len(s.text) <= MAX_SENTENCE_CHARS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(data=_bytes, encoding=st.sampled_from(ENCODINGS + ODD_ENCODINGS))
def test_reading_a_file_of_any_bytes_gives_key_points_or_our_error(tmp_path, data, encoding):
    p = tmp_path / "any.txt"
    p.write_bytes(data)
    try:
        article = read_source(Source(str(p)), encoding=encoding, limits=Limits(max_chars=5000))
        (summary,) = summarize_articles_lead([article])
    except SummarizerError:
        return
    assert 1 <= len(summary.key_points) <= 3


def summarize_articles_lead(articles):
    from summarizer.api import summarize_articles

    return summarize_articles(articles, n=3, model="lead")


def test_an_unreadable_stdin_is_one_line():
    class Broken:
        def read(self, n=-1):
            raise OSError(5, "Input/output error")

    with pytest.raises(SummarizerError, match=r"^<stdin>: cannot read standard input \(Input/output error\)$"):
        read_source(Source("-"), stdin=Broken())


def test_lock_is_released_when_its_holder_is_killed(tmp_path):
    """A kernel lock: the holder's death frees it, no stale lock file to clean up."""
    out = tmp_path / "run"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from summarizer.evaluate.runs import lock_run\n"
         f"with lock_run({str(out)!r}):\n    print('held', flush=True); time.sleep(60)"],
        cwd=REPO, env=ENV, stdout=subprocess.PIPE)
    assert holder.stdout.readline() == b"held\n"
    with pytest.raises(SummarizerError, match=f"pid {holder.pid} on "):
        with lock_run(out):
            pass
    holder.kill()
    holder.wait(timeout=10)
    done = threading.Event()
    with lock_run(out):
        done.set()
    assert done.is_set()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=400),
    st.builds(lambda rows: "\n".join(rows).encode("utf-8", "surrogatepass"),
              st.lists(st.text(max_size=80), max_size=6)),
    st.builds(lambda recs: "\n".join(json.dumps(r) for r in recs).encode(),
              st.lists(st.dictionaries(st.sampled_from(["id", "article", "highlights", "text", "x"]),
                                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                                                    lambda c: st.lists(c, max_size=3), max_leaves=6),
                                       max_size=4), max_size=4)),
), suffix=st.sampled_from([".jsonl", ".csv", ".tsv"]))
def test_dataset_readers_on_any_bytes_give_documents_or_our_error(tmp_path, data, suffix):
    from summarizer.evaluate import load_dataset

    p = tmp_path / f"d{suffix}"
    p.write_bytes(data)
    for skip_bad in (False, True):
        try:
            dataset = load_dataset(str(p), skip_bad=skip_bad)
        except SummarizerError:
            continue
        assert len(dataset) >= 1 and all(d.body.strip() and d.references for d in dataset.documents)


def test_stdin_over_the_ceiling_is_refused_before_it_is_read_whole():
    r = CliRunner().invoke(cli, ["-m", "lead", "--max-chars", "5", "-"], input="Rain fell all day long. " * 4)
    assert r.exit_code == 1
    one_line(r.stderr, "<stdin>: ", "over the input ceiling (24 bytes)")


def test_a_ray_workers_failure_travels_as_a_line():
    from summarizer.evaluate.engines import _prediction, _to_line
    from summarizer.evaluate.runs import Failure, Prediction

    assert _prediction(_to_line(Failure("a", "a: over the input ceiling"))) == Failure("a", "a: over the input ceiling")
    assert _prediction(_to_line(Prediction("b", ("One.",), "lead", {}))) == Prediction("b", ("One.",), "lead", {})
