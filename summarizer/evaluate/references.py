"""One summary scored against its article's own key points, as ``summarize --score`` and the
server's ``"score": true`` give it: the harness's scorer with its default settings, so the
figures carry the signature line a row of ``summarize eval`` carries.

>>> from summarizer.results import KeyPoint, References, Summary
>>> s = Summary((KeyPoint("Rain fell all day."),), "lead", references=References(("Rain fell.",), "highlights"))
>>> scored(s).references.rouge["rouge1"].recall
1.0
"""

from __future__ import annotations

import dataclasses

from ..errors import UsageError
from ..results import RougeFigure, Summary


def scored(summary: Summary) -> Summary:
    """``summary`` with the ROUGE of its key points against its references (``references.rouge``)
    and the scorer's signature (``references.signature``). A summary without references is a
    :class:`UsageError`: there is nothing to score against."""
    from .report import ScoringSettings, signature_line
    from .rouge import Scorer

    refs = summary.references
    if refs is None:
        raise UsageError(f"{summary.name or 'the article'}: nothing to score against: it has no key points of its own")
    settings = ScoringSettings()
    scores = Scorer(settings.rouge).score(reference=list(refs.key_points), prediction=summary.texts)
    rouge = {m: RougeFigure(s.precision, s.recall, s.fmeasure) for m, s in scores.items()}
    return dataclasses.replace(summary, references=dataclasses.replace(
        refs, rouge=rouge, signature=signature_line(settings.signature())))
