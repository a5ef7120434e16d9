"""Benchmarks: each times the project's path against a baseline in the same run (the naive or
previous way, another runtime, a reference implementation), prints a table with the load
average it ran at, and records it in ``eval/RESULTS.md`` with ``--write-results``. Run as
``python -m eval.bench.NAME``.
"""
