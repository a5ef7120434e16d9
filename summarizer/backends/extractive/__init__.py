"""The ``extractive`` family: the default backend and its learned sentence scorer.

* ``backend.py``: :class:`ExtractiveSummarizer`, the sentence vectors (``summarizer.encoder``)
  scored and chosen;
* ``weights.py``: the shipped scorer's file, its settings and their checks (a leaf);
* ``scorer.py``: the features and the scorer in numpy (no torch import);
* ``net.py``: the same network in torch, for training and ``-o scorer_runtime=torch``.
"""

from .backend import ExtractiveSettings, ExtractiveSummarizer

__all__ = ["ExtractiveSettings", "ExtractiveSummarizer"]
