"""The ``seq2seq`` family: any Hugging Face encoder-decoder checkpoint (BART, PEGASUS, T5).

* ``backend.py``: :class:`Seq2SeqSummarizer` (load, prepare, generate, postprocess);
* ``presets.py``: the published generation settings of known checkpoints.

What it shares with the ``llm`` family for transformers folders lives in ``backends/hf/``.
"""

from .backend import Seq2SeqSettings, Seq2SeqSummarizer

__all__ = ["Seq2SeqSettings", "Seq2SeqSummarizer"]
