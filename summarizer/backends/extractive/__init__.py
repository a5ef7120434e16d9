"""The ``extractive`` family: the default backend and its learned sentence scorer.

* ``backend.py``: :class:`ExtractiveSummarizer`, the sentence vectors (``summarizer.encoder``)
  scored and chosen;
* ``weights.py``: the shipped scorer's and selector's files, their settings and checks (a leaf);
* ``scorer.py``: the features and the sentence scorer in numpy (no torch import);
* ``selection.py``: key points chosen as a set: candidate summaries scored as wholes (numpy);
* ``quotes.py``: which sentences begin inside a quotation (a leaf);
* ``net.py``: the same networks in torch, for training and ``-o runtime=torch``.
"""

from .backend import ExtractiveSettings, ExtractiveSummarizer

__all__ = ["ExtractiveSettings", "ExtractiveSummarizer"]
