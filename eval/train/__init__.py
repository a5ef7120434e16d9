"""Training and tuning of the extractive backend's sentence scorer, on the shared training
stories only: ``scorer`` trains the learned scorer's weights (``summarizer/data``),
``eval_scorer`` reports it on the dev set through the harness, ``tune_extractive`` grid-searches
the unlearned scorer's weights, and ``vector_cache`` keeps the sentence vectors they share on
disk. ``consistency`` builds the check's common-word list (from the training stories) and
trains its consistency score (on the factuality sets' validation halves). Run as
``python -m eval.train.NAME``.
"""
