"""Every dataset format, and each malformed input the issue names."""

from __future__ import annotations

import json
import sys

import pytest

from summarizer.errors import InputError
from summarizer.evaluate.datasets import Fields, load_dataset

# Our own small articles (never text from ../shared/data).
ARTICLES = [
    {
        "id": "ferry",
        "article": "The Port Ellis council voted on Tuesday to replace the city's diesel ferries. "
        "The boats will run on batteries by 2030. Fishing crews said the chargers would take dock space.",
        "highlights": ["Port Ellis will replace its diesel ferries.", "The new boats run on batteries by 2030."],
    },
    {
        "id": "storm",
        "article": "A winter storm knocked out power to 40,000 homes on Monday. Crews worked through the "
        "night. Schools in three towns stayed closed.",
        "highlights": ["A storm cut power to 40,000 homes.", "Schools stayed closed."],
    },
    {
        "id": "market",
        "article": "Stocks rose on Friday after a strong jobs report. The index gained 1.2%. Bond yields fell.",
        "highlights": ["Stocks rose after the jobs report."],
    },
]


def write_jsonl(path, records, extra_lines=()):
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_with_list_and_string_references(tmp_path):
    recs = [dict(r) for r in ARTICLES]
    recs[1]["highlights"] = "\n".join(recs[1]["highlights"])  # a newline-separated string
    ds = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    assert [d.id for d in ds.documents] == ["ferry", "storm", "market"]
    assert ds.documents[1].references == (("A storm cut power to 40,000 homes.", "Schools stayed closed."),)
    assert ds.documents[0].article.body.startswith("The Port Ellis council")
    assert ds.format == "jsonl"


def test_jsonl_configurable_fields_and_several_references(tmp_path):
    recs = [{"doc": r["id"], "text": r["article"], "kp": r["highlights"], "kp2": "Another summary."} for r in ARTICLES]
    path = write_jsonl(tmp_path / "d.jsonl", recs)
    ds = load_dataset(str(path), fields=Fields(id="doc", references=("kp", "kp2")))
    assert ds.documents[2].references == (("Stocks rose after the jobs report.",), ("Another summary.",))
    # "text" is found without naming it; a list of lists is several references
    recs = [{"id": "a", "text": "Rain fell all day.", "highlights": [["Rain fell."], ["It rained.", "All day."]]}]
    ds = load_dataset(str(write_jsonl(tmp_path / "m.jsonl", recs)))
    assert ds.documents[0].references == (("Rain fell.",), ("It rained.", "All day."))


def test_records_can_be_numbered_when_there_is_no_id(tmp_path):
    recs = [{"article": r["article"], "highlights": r["highlights"]} for r in ARTICLES]
    ds = load_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)), fields=Fields(id=None))
    assert [d.id for d in ds.documents] == ["1", "2", "3"]


def test_malformed_line_is_refused_with_file_and_line_or_skipped_and_counted(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", ARTICLES[:2], extra_lines=['{"id": "x", "article": "broken'])
    with pytest.raises(InputError, match=r"d\.jsonl:3: not valid JSON .*--skip-bad"):
        load_dataset(str(path))
    ds = load_dataset(str(path), skip_bad=True)
    assert len(ds) == 2 and len(ds.skipped) == 1 and ":3:" in ds.skipped[0]


def test_a_line_that_is_not_an_object_or_not_utf8_is_malformed(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", ARTICLES[:1], extra_lines=["[1, 2]"])
    with pytest.raises(InputError, match=r"d\.jsonl:2: expected a JSON object, found list"):
        load_dataset(str(path))
    path = tmp_path / "bad.jsonl"
    path.write_bytes(json.dumps(ARTICLES[0]).encode() + b'\n{"id": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:2: not valid UTF-8 \(byte 0xe9"):
        load_dataset(str(path))


def test_missing_field_names_the_field_and_the_fields_present(tmp_path):
    recs = [dict(ARTICLES[0]), {"id": "storm", "body": "No article field here.", "highlights": ["x"]}]
    with pytest.raises(InputError, match=r"d\.jsonl:2: no article field 'article' or 'text' "
                                         r"\(fields present: body, highlights, id\); name it with --article-field"):
        load_dataset(str(write_jsonl(tmp_path / "d.jsonl", recs)))
    recs = [{"id": "a", "article": "Text."}]
    with pytest.raises(InputError, match=r"no reference field 'highlights' or 'key_points' "
                                         r"\(fields present: article, id\)"):
        load_dataset(str(write_jsonl(tmp_path / "e.jsonl", recs)))
    with pytest.raises(InputError, match=r"no id field 'doc' \(fields present: article, highlights, id\)"):
        load_dataset(str(write_jsonl(tmp_path / "f.jsonl", ARTICLES)), fields=Fields(id="doc"))


def test_empty_or_mistyped_fields_are_refused(tmp_path):
    for bad, message in [
        ({"article": "   "}, "field 'article' is empty"),
        ({"highlights": []}, "field 'highlights' has no key points"),
        ({"highlights": 7}, "field 'highlights' must be a string or a list of strings, found a number"),
        ({"id": None}, "field 'id' must be a non-empty string or an integer"),
    ]:
        rec = {**ARTICLES[0], **bad}
        with pytest.raises(InputError, match=message):
            load_dataset(str(write_jsonl(tmp_path / "d.jsonl", [rec])))


def test_duplicate_ids_are_reported_with_both_places(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [ARTICLES[0], ARTICLES[1], ARTICLES[0]])
    with pytest.raises(InputError, match=r"d\.jsonl:3: duplicate id 'ferry' \(first at .*d\.jsonl:1\)"):
        load_dataset(str(path))
    ds = load_dataset(str(path), skip_bad=True)
    assert [d.id for d in ds.documents] == ["ferry", "storm"] and len(ds.skipped) == 1


def test_csv_and_tsv(tmp_path):
    import csv

    for name, delim in (("d.csv", ","), ("d.tsv", "\t")):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=delim)
            w.writerow(["id", "article", "highlights"])
            for r in ARTICLES:
                w.writerow([r["id"], r["article"], "\n".join(r["highlights"])])  # multi-line cell
        ds = load_dataset(str(path))
        assert [d.id for d in ds.documents] == ["ferry", "storm", "market"]
        assert ds.documents[0].references == (tuple(ARTICLES[0]["highlights"]),)
    path = tmp_path / "e.csv"
    path.write_text("id,article,highlights\nferry,Some text.,A point.\nstorm,Other text.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"e\.csv:3: no reference field"):
        load_dataset(str(path))


def test_folder_of_story_files(tmp_path):
    for r in ARTICLES:
        body = r["article"].replace(". ", ".\n\n")
        text = body + "\n\n" + "".join(f"@highlight\n\n{h}\n\n" for h in r["highlights"])
        (tmp_path / f"{r['id']}.story").write_text(text, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a story", encoding="utf-8")
    ds = load_dataset(str(tmp_path))
    assert ds.format == "stories"
    assert sorted(d.id for d in ds.documents) == ["ferry", "market", "storm"]
    ferry = ds.by_id["ferry"]
    assert ferry.references == (tuple(ARTICLES[0]["highlights"]),)
    assert "@highlight" not in ferry.body and ferry.body.startswith("The Port Ellis council voted")
    (tmp_path / "empty.story").write_text("A story with no highlights.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.story: field 'highlights' has no key points"):
        load_dataset(str(tmp_path))


def test_folder_of_cnbc_layout_articles(tmp_path):
    (tmp_path / "ferry.txt").write_text(
        "Harbor city votes to replace its diesel ferries\n\nKey Points\n"
        "• The council voted 7-2 to replace the ferries.\n• Fares stay at $2.50.\n"
        "VIDEO 2:14 How electric ferries work\n\n"
        "The council voted 7-2 on Tuesday to replace the ferries. Fares will stay at $2.50 a ride.\n",
        encoding="utf-8",
    )
    ds = load_dataset(str(tmp_path))
    (doc,) = ds.documents
    assert ds.format == "cnbc" and doc.id == "ferry"
    assert doc.references == (("The council voted 7-2 to replace the ferries.", "Fares stay at $2.50."),)
    assert doc.body.startswith("The council voted") and "Key Points" not in doc.body and "VIDEO" not in doc.body
    assert doc.title == "Harbor city votes to replace its diesel ferries"
    (tmp_path / "plain.txt").write_text("Just a story with no key points.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"plain\.txt: no key points: expected the CNBC layout"):
        load_dataset(str(tmp_path))
    assert len(load_dataset(str(tmp_path), skip_bad=True)) == 1


def test_unknown_paths_and_formats(tmp_path):
    with pytest.raises(InputError, match="no such file or directory"):
        load_dataset(str(tmp_path / "missing.jsonl"))
    (tmp_path / "d.parquet").write_bytes(b"PAR1")
    with pytest.raises(InputError, match="--dataset-format"):
        load_dataset(str(tmp_path / "d.parquet"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .story files"):
        load_dataset(str(tmp_path / "empty"))
    path = write_jsonl(tmp_path / "records.txt", ARTICLES)
    assert len(load_dataset(str(path), fmt="jsonl")) == 3


def test_hugging_face_dataset_saved_to_disk(tmp_path):
    datasets = pytest.importorskip("datasets", reason="the optional `datasets` library (pip install 'summarizer[hf]')")
    cols = {
        "id": [r["id"] for r in ARTICLES],
        "article": [r["article"] for r in ARTICLES],
        "highlights": ["\n".join(r["highlights"]) for r in ARTICLES],  # as cnn_dailymail stores them
    }
    datasets.DatasetDict({"test": datasets.Dataset.from_dict(cols)}).save_to_disk(str(tmp_path / "dd"))
    datasets.Dataset.from_dict(cols).save_to_disk(str(tmp_path / "one"))
    ds = load_dataset(f"hf:{tmp_path / 'dd'}:test")
    assert ds.format == "hf" and [d.id for d in ds.documents] == ["ferry", "storm", "market"]
    assert ds.documents[0].references == (tuple(ARTICLES[0]["highlights"]),)
    assert len(load_dataset(f"hf:{tmp_path / 'one'}")) == 3
    with pytest.raises(InputError, match=r"several splits \(test\); name one"):
        load_dataset(f"hf:{tmp_path / 'dd'}")
    with pytest.raises(InputError, match="no split 'train'; splits: test"):
        load_dataset(f"hf:{tmp_path / 'dd'}:train")


def test_hugging_face_without_the_datasets_library_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    with pytest.raises(InputError, match=r"needs the datasets library: pip install 'summarizer\[hf\]'"):
        load_dataset("hf:cnn_dailymail:3.0.0:test")
