"""``summarize eval``, ``score`` and ``compare`` end to end, with the cheap ``lead`` model:
reports, determinism, resume (after a torn line, and after ``kill -9`` of a real
process), bad predictions, comparison tables and plots."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli import cli
from summarizer.evaluate.progress import Progress

REPO = Path(__file__).resolve().parents[1]

# Generated news-like text of our own wording (never the shared data's).
_WHO = ["The city council", "The harbor board", "A county judge", "The school district", "State regulators",
        "The transit agency", "Local growers", "The fire department", "Two senators", "The water utility"]
_DID = ["approved", "delayed", "rejected", "announced", "funded", "questioned", "reviewed", "expanded"]
_WHAT = ["a plan for electric ferries", "new rules for food trucks", "the bridge repair budget",
         "a study of river pollution", "the sale of the rail depot", "night bus service",
         "a tax on vacant homes", "the new stadium lease", "summer hours at the library"]
_WHEN = ["on Tuesday", "after a long debate", "by a 5-2 vote", "for the second time", "late on Friday",
         "despite protests", "at a cost of $3 million", "without discussion"]


def make_records(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        sents = [(rng.choice(_WHO), rng.choice(_DID), rng.choice(_WHAT), rng.choice(_WHEN)) for _ in range(8)]
        article = " ".join(f"{w} {d} {x} {t}." for w, d, x, t in sents)
        # the human key points restate the first sentence or two and one later one
        picks = [sents[0], sents[rng.randint(1, 2)], sents[rng.randint(3, 7)]]
        highlights = [f"{w} {d} {x}." for w, d, x, _ in picks]
        records.append({"id": f"doc-{i:05d}", "article": article, "highlights": highlights})
    return records


def write_dataset(path: Path, n: int, seed: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for r in make_records(n, seed):
            f.write(json.dumps(r) + "\n")
    return path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("data") / "news.jsonl", 40)


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def eval_run(dataset: Path, out: Path, *extra: str):
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", out, "--samples", "200", *extra)
    assert r.exit_code == 0, r.output
    return r


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_eval_writes_predictions_scores_and_reports(dataset, tmp_path):
    out = tmp_path / "run"
    r = eval_run(dataset, out, "-n", "2", "--oracle")
    assert sorted(p.name for p in out.iterdir()) == [
        ".lock", "predictions.jsonl", "report.html", "report.json", "report.md", "run.json", "scores.jsonl"]
    preds = read_lines(out / "predictions.jsonl")
    assert len(preds) == 40 and len({p["id"] for p in preds}) == 40
    assert len(preds[0]["summary"]) == 2 and preds[0]["model"] == "lead" and preds[0]["settings"]["num_points"] == 2
    scores = read_lines(out / "scores.jsonl")
    assert {(s["system"], s["role"]) for s in scores} == {("lead", "system"), ("lead-3", "baseline"),
                                                         ("oracle", "baseline")}
    assert set(scores[0]) >= {"id", "words", "rouge1", "rouge2", "rougeL", "rougeLsum"}
    rep = report(out)
    assert [s["name"] for s in rep["systems"]] == ["lead", "lead-3", "oracle"]
    r1 = rep["systems"][0]["metrics"]["rouge1"]
    assert r1["f1_low"] <= r1["f1"] <= r1["f1_high"] and 0 < r1["f1"] < 1
    sig = rep["scorer"]
    assert sig["bootstrap_samples"] == 200 and sig["seed"] == 0 and sig["stemming"] is True
    assert sig["tokenizer"] == "default" and sig["multi_ref"] == "max" and sig["lsum_split"]
    assert rep["signature"].startswith("rouge-score:") and "boot:200" in rep["signature"]
    assert "versus_lead-3" in rep["systems"][0]
    assert rep["command"].startswith("summarize eval --dataset") and "--num-points 2" in rep["command"]
    # the oracle reads the references: it must beat Lead-3
    assert rep["systems"][2]["metrics"]["rouge2"]["f1"] > rep["systems"][1]["metrics"]["rouge2"]["f1"]
    assert "| lead-3 (baseline) |" in r.stdout and "| oracle (ceiling) |" in r.stdout
    assert (out / "report.md").read_text(encoding="utf-8") == r.stdout


def test_same_figures_on_every_run(dataset, tmp_path):
    eval_run(dataset, tmp_path / "a")
    eval_run(dataset, tmp_path / "b")
    a, b = report(tmp_path / "a"), report(tmp_path / "b")
    a.pop("command"), b.pop("command")  # they name different --out folders
    assert a == b
    assert (tmp_path / "a" / "scores.jsonl").read_bytes() == (tmp_path / "b" / "scores.jsonl").read_bytes()
    c = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", tmp_path / "c", "--samples", "200",
               "--seed", "1")
    assert c.exit_code == 0
    low = report(tmp_path / "c")["systems"][0]["metrics"]["rouge1"]["f1_low"]
    assert low != a["systems"][0]["metrics"]["rouge1"]["f1_low"]  # another seed, other intervals


def test_resume_after_a_torn_last_line_redoes_only_what_is_missing(dataset, tmp_path):
    out = tmp_path / "run"
    eval_run(dataset, out)
    before = (out / "report.json").read_bytes()
    text = (out / "predictions.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # as if killed while writing the 25th line
    (out / "predictions.jsonl").write_text("".join(lines[:24]) + lines[24][:30], encoding="utf-8")
    (out / "report.json").unlink()
    r = eval_run(dataset, out, "--resume")
    assert "cut off a torn last line" in r.stderr
    after = read_lines(out / "predictions.jsonl")
    assert [p["id"] for p in after] == [p["id"] for p in map(json.loads, lines)]
    assert (out / "report.json").read_bytes() == before  # --resume is not part of the recorded command


def test_an_existing_run_is_not_overwritten_or_mixed(dataset, tmp_path):
    out = tmp_path / "run"
    eval_run(dataset, out, "--limit", "5")
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", out, "--limit", "5")
    assert r.exit_code == 2 and "already holds a run; pass --resume" in r.stderr
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", out, "--limit", "6", "--resume")
    assert r.exit_code == 2 and "holds a run with other options" in r.stderr and "limit" in r.stderr
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", out, "--limit", "5", "-n", "1", "--resume")
    assert r.exit_code == 2 and "num_points: 3 then, 1 now" in r.stderr


def test_sample_draws_seeded_documents_in_file_order_and_is_part_of_the_run(dataset, tmp_path):
    ids = [r["id"] for r in make_records(40)]
    eval_run(dataset, tmp_path / "a", "--sample", "6", "--sample-seed", "3")
    eval_run(dataset, tmp_path / "b", "--sample", "6", "--sample-seed", "3")
    eval_run(dataset, tmp_path / "c", "--sample", "6", "--sample-seed", "4")
    got = {k: [p["id"] for p in read_lines(tmp_path / k / "predictions.jsonl")] for k in "abc"}
    assert got["a"] == got["b"] != got["c"]
    assert len(got["a"]) == 6 and got["a"] == sorted(got["a"], key=ids.index)  # the file's order
    assert got["a"] != ids[:6]
    info = report(tmp_path / "a")["dataset"]
    assert (info["sample"], info["sample_seed"], info["documents"]) == (6, 3, 6)
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", tmp_path / "a", "--sample", "6",
               "--sample-seed", "4", "--resume")
    assert r.exit_code == 2 and "holds a run with other options" in r.stderr
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", tmp_path / "d", "--sample", "6",
               "--limit", "5")
    assert r.exit_code == 2 and "not both" in r.stderr
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", tmp_path / "e", "--sample", "400")
    assert r.exit_code == 2 and "has only 40 documents" in r.stderr  # a sample of 400 it would not be
    assert not (tmp_path / "e").exists()
    eval_run(dataset, tmp_path / "e", "--sample", "40")  # all of them, in the file's order
    assert [p["id"] for p in read_lines(tmp_path / "e" / "predictions.jsonl")] == ids


def test_model_settings_and_bad_options(dataset, tmp_path):
    out = tmp_path / "run"
    eval_run(dataset, out, "--limit", "3", "-o", "default_points=4")
    assert report(out)["run"]["options"] == {"default_points": 4}
    r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", tmp_path / "x", "-o", "colour=red")
    assert r.exit_code == 2 and "has no setting 'colour'" in r.stderr
    r = invoke("eval", "--dataset", dataset, "--model", "nope", "--out", tmp_path / "y")
    assert r.exit_code == 2 and "unknown model 'nope'" in r.stderr
    r = invoke("eval", "--dataset", tmp_path / "missing.jsonl", "--model", "lead", "--out", tmp_path / "z")
    assert r.exit_code == 1 and "no such file or directory" in r.stderr and "Traceback" not in r.output


def test_bad_dataset_records_stop_the_run_or_are_skipped_and_counted(tmp_path):
    data = write_dataset(tmp_path / "d.jsonl", 6)
    with data.open("a", encoding="utf-8") as f:
        f.write('{"id": "doc-00001", "article": "A repeated id.", "highlights": ["x"]}\n{"id": \n')
    r = invoke("eval", "--dataset", data, "--model", "lead", "--out", tmp_path / "a")
    assert r.exit_code == 1 and "d.jsonl:7: duplicate id 'doc-00001' (first at" in r.stderr
    r = invoke("eval", "--dataset", data, "--model", "lead", "--out", tmp_path / "b", "--skip-bad", "--samples", "50")
    assert r.exit_code == 0, r.output
    assert "skipped 2 unusable records" in r.stderr and "d.jsonl:7: duplicate id" in r.stderr
    assert report(tmp_path / "b")["dataset"]["skipped"] == 2 and report(tmp_path / "b")["dataset"]["scored"] == 6


def write_predictions(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_score_existing_predictions_as_table_or_json(dataset, tmp_path):
    recs = make_records(40)
    rows = [{"id": r["id"], "system": "first", "summary": r["article"].split(". ")[0] + "."} for r in recs]
    rows += [{"id": r["id"], "system": "both", "summary": "\n".join(r["highlights"])} for r in recs]  # a string
    preds = write_predictions(tmp_path / "p.jsonl", rows)
    r = invoke("score", "--predictions", preds, "--dataset", dataset)
    assert r.exit_code == 1 and "duplicate id 'doc-00000'" in r.stderr and "--where" in r.stderr
    r = invoke("score", "-p", preds, "-d", dataset, "--where", "system=both", "--samples", "100")
    assert r.exit_code == 0, r.output
    assert "| both |" in r.stdout and "| lead-3 (baseline) |" in r.stdout
    r = invoke("score", "-p", preds, "-d", dataset, "--where", "system=both", "-f", "json", "--samples", "100")
    rep = json.loads(r.stdout)
    both = rep["systems"][0]["metrics"]
    assert both["rouge1"]["f1"] == pytest.approx(1.0) and both["rougeLsum"]["f1"] == pytest.approx(1.0)
    assert rep["run"]["where"] == {"system": "both"}


def test_score_reports_missing_unknown_and_malformed_predictions(dataset, tmp_path):
    recs = make_records(40)
    half = [{"id": r["id"], "summary": [r["highlights"][0]]} for r in recs[:20]]
    r = invoke("score", "-p", write_predictions(tmp_path / "half.jsonl", half), "-d", dataset, "--samples", "50")
    assert r.exit_code == 0 and "20 of 40 documents" in r.stderr and "have no prediction" in r.stderr
    r = invoke("score", "-p", write_predictions(tmp_path / "u.jsonl", [{"id": "nope", "summary": "x"}]), "-d", dataset)
    assert r.exit_code == 1 and "not in" in r.stderr and "'nope'" in r.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(half[0]) + "\n" + '{"id": "doc-00001", "summ\n', encoding="utf-8")
    r = invoke("score", "-p", bad, "-d", dataset)
    assert r.exit_code == 1 and "bad.jsonl:2: not valid JSON" in r.stderr
    no_summary = write_predictions(tmp_path / "m.jsonl", [{"id": "doc-00001", "text": "x"}])
    r = invoke("score", "-p", no_summary, "-d", dataset)
    assert r.exit_code == 1 and "m.jsonl:1: no field 'summary' (fields present: id, text)" in r.stderr


def test_compare_marks_significant_differences_and_draws_plots(dataset, tmp_path):
    eval_run(dataset, tmp_path / "three")
    eval_run(dataset, tmp_path / "one", "-n", "1")
    out = tmp_path / "cmp"
    r = invoke("compare", tmp_path / "three", tmp_path / "one", "--out", out, "--samples", "500")
    assert r.exit_code == 0, r.output
    table = r.stdout.splitlines()
    assert table[0].startswith("| run | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum |")
    first, second, lead = table[2], table[3], table[4]
    assert first.startswith("| lead |") and "*" not in first
    assert second.startswith("| lead (one) |") and "*" in second  # one key point instead of three
    assert lead.startswith("| lead-3 (baseline) |")
    for name in ("compare.md", "report.html", "distribution_rougeLsum.png", "length_rougeLsum.png"):
        assert (out / name).is_file()
    assert (out / "length_rougeLsum.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = invoke("compare", tmp_path / "three", tmp_path / "one", "--format", "html")
    assert r.stdout.startswith("<table>") and "<td>lead (one)</td>" in r.stdout


def test_compare_refuses_runs_on_other_documents_or_scored_otherwise(dataset, tmp_path):
    eval_run(dataset, tmp_path / "all")
    eval_run(dataset, tmp_path / "few", "--limit", "10")
    eval_run(dataset, tmp_path / "uni", "--tokenizer", "unicode")
    r = invoke("compare", tmp_path / "all", tmp_path / "few")
    assert r.exit_code == 1 and "not the same ones" in r.stderr
    r = invoke("compare", tmp_path / "all", tmp_path / "uni")
    assert r.exit_code == 2 and "other settings" in r.stderr and "tokenizer" in r.stderr
    r = invoke("compare", tmp_path)
    assert r.exit_code == 1 and "no report.json" in r.stderr


def test_rouge155_implementation_is_recorded_and_never_compared_with_rouge_score(dataset, tmp_path):
    eval_run(dataset, tmp_path / "rs")
    r = eval_run(dataset, tmp_path / "perl", "--implementation", "rouge155", "--word-limit", "100")
    rep = report(tmp_path / "perl")
    assert rep["scorer"]["implementation"] == "rouge155" and rep["scorer"]["word_limit"] == 100
    assert rep["signature"].startswith("impl:rouge155|metrics:rouge1+rouge2+rougeLsum|stem:yes|stop:no|limit:words:100")
    assert "--implementation rouge155 --word-limit 100" in rep["command"]
    assert "| lead |" in r.stdout and "ROUGE-Lsum" in r.stdout
    r = invoke("compare", tmp_path / "rs", tmp_path / "perl")
    assert r.exit_code == 2 and "scored with rouge155 and" in r.stderr and "with rouge-score" in r.stderr
    eval_run(dataset, tmp_path / "perl-s", "--implementation", "rouge155", "--word-limit", "100", "--remove-stopwords")
    r = invoke("compare", tmp_path / "perl", tmp_path / "perl-s")
    assert r.exit_code == 2 and "stopwords" in r.stderr
    for bad, message in [(("--tokenizer", "unicode"), "--tokenizer applies to rouge-score"),
                         (("--metrics", "rougeL"), "summary-level"), (("--multi-ref", "max"), "use A or B")]:
        r = invoke("eval", "--dataset", dataset, "--model", "lead", "--out", tmp_path / "x", "--implementation",
                   "rouge155", *bad)
        assert r.exit_code == 2 and message in r.stderr, r.output
    r = invoke("score", "-p", tmp_path / "rs" / "predictions.jsonl", "-d", dataset, "--byte-limit", "75")
    assert r.exit_code == 2 and "--implementation rouge155" in r.stderr


def test_score_out_folder_can_be_compared(dataset, tmp_path):
    recs = make_records(40)
    preds = write_predictions(tmp_path / "p.jsonl", [{"id": r["id"], "summary": r["highlights"][:1]} for r in recs])
    r = invoke("score", "-p", preds, "-d", dataset, "--out", tmp_path / "scored", "--name", "first-highlight")
    assert r.exit_code == 0, r.output
    eval_run(dataset, tmp_path / "lead")
    r = invoke("compare", tmp_path / "lead", tmp_path / "scored")
    assert r.exit_code == 0 and "| first-highlight |" in r.stdout


def test_progress_bar_only_on_a_terminal():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    quiet = io.StringIO()
    with Progress(10, stream=quiet) as bar:
        bar.update(10)
    assert quiet.getvalue() == ""
    tty = Terminal()
    with Progress(10, done=4, stream=tty, label="summarizing") as bar:
        bar.update(6)
    drawn = tty.getvalue()
    assert drawn.startswith("\rsummarizing [") and "10/10" in drawn and "doc/s" in drawn and "ETA" in drawn
    assert drawn.endswith("\n")


def test_eval_is_quiet_on_stderr_when_not_a_terminal(dataset, tmp_path):
    r = eval_run(dataset, tmp_path / "run", "--limit", "5")
    assert "\r" not in r.stderr and "doc/s" not in r.stderr


def test_kill_9_mid_run_then_resume_ends_with_one_prediction_per_document(tmp_path):
    n = 2000  # lead summarizes ~1,000 a second: the run is killed after the first few batches
    data = write_dataset(tmp_path / "big.jsonl", n, seed=1)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "summarizer", "eval", "--dataset", str(data), "--model", "lead",
           "--out", str(out), "--docs-per-call", "4", "--samples", "50", "--metrics", "rouge1"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    preds = out / "predictions.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if preds.exists() and preds.stat().st_size > 20_000:  # some batches are on disk
            break
        time.sleep(0.002)
    assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read().decode()[-500:]}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    written = preds.read_bytes()
    done = written.count(b"\n")
    assert 0 < done < n, "killed mid-run: some predictions but not all"
    assert not (out / "report.json").exists()

    resumed = subprocess.run([*cmd, "--resume"], cwd=REPO, env=env, capture_output=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr.decode()[-2000:]
    ids = [json.loads(line)["id"] for line in preds.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == n and len(set(ids)) == n
    assert ids == [f"doc-{i:05d}" for i in range(n)]  # in dataset order, none lost, none twice
    assert preds.read_bytes().startswith(written[: written.rfind(b"\n") + 1])  # what was there stayed
    assert report(out)["dataset"]["scored"] == n
