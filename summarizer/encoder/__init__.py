"""Sentence vectors: the embedded all-MiniLM-L6-v2 encoder, below everything that reads them.

* ``model.py``: :class:`SentenceEncoder` (batches by length, worker threads);
* ``runtimes.py``: ONNX Runtime (the default: no torch import) and torch;
* ``onnx.py``: the ONNX model derived from the package's weights, cached per user with a manifest;
* ``rows.py``: token rows padded into arrays, and mean pooling.

The extractive backend and :mod:`summarizer.grounding` read vectors from here; nothing here
imports a backend.
"""

from .model import ENCODER_NAME, SentenceEncoder, encoder_path

__all__ = ["ENCODER_NAME", "SentenceEncoder", "encoder_path"]
