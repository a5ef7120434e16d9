"""The ``llm`` family: key points from an instruct (chat) model.

* ``backend.py``: :class:`LLMSummarizer` (prepare, generate, postprocess, grounding);
* ``prompt.py``: the prompt and the parsing of answers into key points;
* ``models.py``: what a model name or path is (a chat directory, a GGUF file) and its header;
* ``runtimes/``: what runs the model (transformers, llama.cpp, an OpenAI-compatible server).
"""

from .backend import LLMSettings, LLMSummarizer

__all__ = ["LLMSettings", "LLMSummarizer"]
