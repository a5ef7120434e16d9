"""Token counts for the ``openai`` runtime: the server's tokenize endpoints, the text segments
whose counts add up to a text's, and the stated estimate used where a server has no tokenizer.

>>> estimate_tokens([{"role": "user", "content": "x" * 300}])
140
"""

from __future__ import annotations

import math
import re
from typing import Any

from . import Message

# Token counts without the server's tokenizer: a conservative estimate. An English BPE token
# covers about 4 characters; a CJK character is 3 UTF-8 bytes and about one token; so a token
# per 3 bytes overcounts English prose by about a third and holds for CJK.
ESTIMATE_BYTES = 3
# A chat template's tokens around the messages, where the server cannot render it for us:
# per message its role header and end marker (ChatML and Llama 3 write 5), and per conversation
# the assistant's opening, a BOS, and the default system message some templates add when none is
# sent (Qwen2.5's is about 25 tokens).
TEMPLATE_PER_MESSAGE = 8
TEMPLATE_PER_CONVERSATION = 32
SEGMENT_WORDS = 40  # a counted segment ends at a sentence's end, before a line break, or after this many words

# The server's tokenize endpoints: (path, the body that tokenizes ``text``, without special tokens).
TOKENIZERS: dict[str, tuple[str, Any]] = {
    "llama.cpp": ("tokenize", lambda model, text: {"content": text, "add_special": False, "parse_special": False}),
    "vllm": ("tokenize", lambda model, text: {"model": model, "prompt": text, "add_special_tokens": False}),
    "llama-cpp-python": ("extras/tokenize/count", lambda model, text: {"model": model, "input": text}),
}
# Fields of a /v1/models entry that give the context a server runs (vLLM: max_model_len).
CONTEXT_FIELDS = ("max_model_len", "context_length", "context_window", "max_context_length", "n_ctx")
CACHE_LIMIT = 200_000  # counted segments kept; an eval of thousands of articles starts over past this


_WORD = re.compile(r"(\s*)(\S+)")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def count_keys(text: str) -> list[str]:
    """The segments whose token counts add up to ``text``'s: its sentences (a segment ends at a
    sentence's end, before a line break, or after ``SEGMENT_WORDS`` words), each with one leading
    space, as it reads inside a story, so the same sentence is the same segment wherever it stands;
    and whitespace other than one space before a segment, on its own.

    >>> count_keys("Story:\\nThe vote passed. Critics object.\\n")
    [' Story:', '\\n', ' The vote passed.', ' Critics object.', '\\n']
    """
    keys: list[str] = []
    start = end = 0
    words = 0

    def flush() -> None:
        nonlocal words
        if words:
            keys.append(" " + text[start:end])
            words = 0

    for m in _WORD.finditer(text):
        space = m.group(1)
        if words and "\n" in space:
            flush()
        if not words:
            if space not in ("", " "):
                keys.append(space)
            start = m.start(2)
        end = m.end(2)
        words += 1
        if words >= SEGMENT_WORDS or _SENTENCE_END.search(m.group(2)):
            flush()
    flush()
    tail = text[end:] if keys else text
    if tail not in ("", " "):
        keys.append(tail)
    return keys


def estimate_tokens(messages: list[Message]) -> int:
    """A conservative token count without the server's tokenizer: a token per ``ESTIMATE_BYTES``
    UTF-8 bytes of each message, and the template allowances.

    >>> estimate_tokens([{"role": "user", "content": "x" * 300}])
    140
    """
    return TEMPLATE_PER_CONVERSATION + sum(
        TEMPLATE_PER_MESSAGE + math.ceil(len(m.get("content", "").encode("utf-8")) / ESTIMATE_BYTES) for m in messages)
