"""Reading inputs, one module per kind: local files and standard input (``local``), web
fetching (``fetch``) and HTML pages (``html``).

``summarizer.read`` is the entry point that chooses among them.
"""
