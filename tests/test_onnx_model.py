"""The ONNX encoder: export and quantization on a tiny random BERT, and the per-user cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import REPO
from summarizer.encoder import onnx as onnx_model
from summarizer.encoder.model import SentenceEncoder
from tiny_bert import make_tiny_bert


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return make_tiny_bert(tmp_path_factory.mktemp("tiny") / "model")


class Notes(list):
    def __call__(self, msg: str) -> None:
        self.append(msg)


def load(tiny: Path, root: Path, variant: str = "int8", notes=None):
    return onnx_model.load(variant, tiny, name="tiny", root=root, notify=notes if notes is not None else Notes())


@pytest.mark.parametrize("variant", ["int8", "fp32"])
def test_export_agrees_with_torch_and_is_reproducible(tiny, tmp_path, variant):
    notes = Notes()
    built = load(tiny, tmp_path / "a", variant, notes)
    m = built.manifest
    assert len(notes) == 1 and "building" in notes[0]
    assert m["check"]["mean_cosine"] >= onnx_model.MIN_COSINE[variant]
    assert m["sha256"] == onnx_model.sha256_file(built.path) == __import__("hashlib").sha256(built.data).hexdigest()
    assert m["source_sha256"] == onnx_model.source_sha256(tiny)
    assert m["versions"]["opset"] == onnx_model.OPSET
    # built again elsewhere from the same weights: the same bytes
    assert load(tiny, tmp_path / "b", variant).manifest["sha256"] == m["sha256"]


def test_int8_is_smaller_and_quantized(tiny, tmp_path):
    import onnx

    int8, fp32 = load(tiny, tmp_path, "int8"), load(tiny, tmp_path, "fp32")
    ops = {n.op_type for n in onnx.load_from_string(int8.data).graph.node}
    assert "DynamicQuantizeLinear" in ops or "MatMulInteger" in ops
    assert len(int8.data) < len(fp32.data)


def test_encoder_on_the_onnx_runtime_matches_torch_vectors(tiny, tmp_path, monkeypatch):
    """The whole encoder (tokenizers + ONNX Runtime, length-sorted batches) against the torch model."""
    import torch
    from tokenizers import Tokenizer

    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path))
    sentences = ["The city council approved a plan.", "The mayor said", "a road , on tuesday .", "plan"] * 3
    enc = SentenceEncoder(model_dir=str(tiny), batch_size=4, workers=2)
    got = enc.encode(sentences)
    model = onnx_model._torch_model(tiny)
    tok = Tokenizer.from_file(str(tiny / "tokenizer.json"))
    want = []
    with torch.inference_mode():
        for s in sentences:  # one at a time: no padding at all
            ids = torch.tensor([tok.encode(s).ids])
            want.append(model(ids, torch.ones_like(ids))[0].numpy())
    np.testing.assert_allclose(got, np.array(want), atol=2e-5)
    assert enc.encode([]).shape == (0, 32)


def test_a_second_load_reads_the_cache_without_building(tiny, tmp_path):
    first = load(tiny, tmp_path)
    notes = Notes()
    again = load(tiny, tmp_path, notes=notes)
    assert notes == [] and again.data == first.data


def test_a_corrupt_file_is_rebuilt(tiny, tmp_path):
    first = load(tiny, tmp_path)
    data = bytearray(first.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    first.path.write_bytes(bytes(data))
    notes = Notes()
    again = load(tiny, tmp_path, notes=notes)
    assert len(notes) == 1 and again.data == first.data
    first.path.write_bytes(b"")  # cut short
    assert load(tiny, tmp_path).data == first.data
    (first.path.with_suffix(".json")).write_text("{not json")
    assert load(tiny, tmp_path).data == first.data


def test_stale_source_weights_are_rebuilt_and_a_reinstall_is_not(tiny, tmp_path):
    src = tmp_path / "src"
    make_tiny_bert(src, seed=1)
    first = load(src, tmp_path / "cache")
    # the same content, new modification times (a reinstall): kept
    os.utime(src / "model.safetensors", ns=(1, 1))
    notes = Notes()
    assert load(src, tmp_path / "cache", notes=notes).data == first.data and notes == []
    # other weights: rebuilt, and the new file differs
    make_tiny_bert(src, seed=2)
    notes = Notes()
    again = load(src, tmp_path / "cache", notes=notes)
    assert len(notes) == 1 and again.manifest["source_sha256"] != first.manifest["source_sha256"]
    assert again.data != first.data


def test_a_cache_that_cannot_be_written_builds_for_this_run_and_says_so(tiny, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    notes = Notes()
    built = load(tiny, blocker / "cache", notes=notes)
    assert built.path is None and built.manifest["check"]["mean_cosine"] > 0.98
    assert len(notes) == 1 and "cannot write the model cache" in notes[0] and "SUMMARIZER_CACHE" in notes[0]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_a_read_only_cache_still_serves_what_it_holds(tiny, tmp_path):
    first = load(tiny, tmp_path)
    folder = first.path.parent
    folder.chmod(0o555)
    try:
        notes = Notes()
        assert load(tiny, tmp_path, notes=notes).data == first.data and notes == []
    finally:
        folder.chmod(0o755)


_LOADER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from summarizer.encoder import onnx as onnx_model
    built = onnx_model.load("int8", Path(sys.argv[1]), name="tiny", root=Path(sys.argv[2]))
    print(built.manifest["sha256"])
    """
)


def _start(tiny: Path, root: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", _LOADER, str(tiny), str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_two_processes_on_an_empty_cache_both_succeed(tiny, tmp_path):
    procs = [_start(tiny, tmp_path), _start(tiny, tmp_path)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    assert outs[0][0] == outs[1][0] and len(outs[0][0].strip()) == 64
    assert sum("building" in err for _, err in outs) == 1  # one built, the other waited and read it
    assert not list(onnx_model.folder_for("tiny", tmp_path).glob(".build-*"))


def test_a_build_killed_midway_leaves_the_cache_usable(tiny, tmp_path):
    folder = onnx_model.folder_for("tiny", tmp_path)
    p = _start(tiny, tmp_path)
    deadline = time.monotonic() + 120
    while not list(folder.glob(".build-*")) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.02)
    assert p.poll() is None, "the build finished before it could be killed"
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert list(folder.glob(".build-*"))  # what a kill leaves behind
    assert not (folder / "int8.json").exists()
    notes = Notes()
    built = load(tiny, tmp_path, notes=notes)
    assert len(notes) == 1 and built.manifest["sha256"] == onnx_model.sha256_file(folder / "int8.onnx")
    assert not list(folder.glob(".build-*"))  # the leftover is gone


def test_unknown_variant_is_a_model_error(tiny, tmp_path):
    from summarizer.errors import ModelError

    with pytest.raises(ModelError, match="unknown ONNX variant 'int4'"):
        onnx_model.load("int4", tiny, root=tmp_path)


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMMARIZER_CACHE", str(tmp_path / "x"))
    assert onnx_model.cache_root() == tmp_path / "x"
    monkeypatch.delenv("SUMMARIZER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert onnx_model.cache_root() == tmp_path / "xdg" / "summarizer"


def test_manifest_is_json_with_the_check(tiny, tmp_path):
    built = load(tiny, tmp_path)
    manifest = json.loads(built.path.with_suffix(".json").read_text())
    assert manifest["sha256"] == built.manifest["sha256"] and manifest["variant"] == "int8"
    assert manifest["check"]["probes"] == len(onnx_model.PROBES)
