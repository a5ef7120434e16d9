"""Quality checks on the shared data: the sentence splitter (``split``), the grounding flags
on the dev stories (``grounding_flags``), the check on public factuality benchmarks
(``factuality``), the ONNX encoder against torch (``check_onnx``), the models on the dev set through the harness
(``run_dev``) and the llm backend beside them (``llm_dev``). Each prints its table and records
it in ``eval/RESULTS.md`` with ``--write-results``. Run as ``python -m eval.quality.NAME``.
"""
