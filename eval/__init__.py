"""Evaluation, benchmark and training scripts of the summarizer; not part of the installed package.

Run each from the repository root as a module, e.g. ``python -m eval.bench.extractive --help``:

* ``bench/``: speed and memory benchmarks, each against a baseline in the same run;
* ``train/``: the learned sentence scorer (``scorer``), its dev-set table (``eval_scorer``),
  the unlearned scorer's weights (``tune_extractive``) and the sentence-vector cache;
* ``quality/``: quality checks on the shared data (splitter, grounding flags, ONNX encoder,
  the models on the dev set, the llm backend);
* ``rouge155/``: the perl ROUGE-1.5.5 script as an oracle, and parity and speed against it;
* ``common/``: helpers that the benchmarks and the tests both use (headless Chromium, the
  llama.cpp and loopback chat servers, random-weight Qwen2 models);
* ``results_md.py``: ``publish``, which every script that records figures goes through into
  ``RESULTS.md`` (with ``--write-results``); ``assemble_gguf.py``: a GGUF file from wheels.

The shared data is read in place from ``../shared/data`` beside the repository. The package
``summarizer`` never imports anything from here.
"""
