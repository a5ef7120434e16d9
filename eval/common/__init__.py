"""Helpers that the benchmarks and the tests both use, in one place: headless Chromium over the
DevTools pipe (``headless``), ``python -m llama_cpp.server`` started and stopped
(``llama_server``), a loopback OpenAI-compatible chat server (``chat_server``), and Qwen2
models with random weights and a tokenizer trained in memory (``random_qwen2``). Helpers only
the tests use stay in ``tests/``; the package ``summarizer`` imports neither.
"""
