"""Key points for news articles, and an evaluation harness that scores them with ROUGE.

>>> from summarizer import summarize
>>> summarize("Rain fell all day. Roads flooded. Schools closed early.", n=1, model="lead").texts
['Rain fell all day.']
"""

from .api import check, load, summarize, summarize_articles
from .article import Article, Limits, parse_article
from .backends import get_summarizer, known_models
from .errors import InputError, ModelError, OutputError, SummarizerError, UnknownModelError, UsageError
from .results import KeyPoint, Summary
from .split import Sentence, split_sentences

__version__ = "0.1.0"

__all__ = [
    "Article",
    "InputError",
    "KeyPoint",
    "Limits",
    "ModelError",
    "OutputError",
    "Sentence",
    "Summary",
    "SummarizerError",
    "UnknownModelError",
    "UsageError",
    "check",
    "get_summarizer",
    "known_models",
    "load",
    "parse_article",
    "split_sentences",
    "summarize",
    "summarize_articles",
]
