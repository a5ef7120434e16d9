"""Tiny random-weight chat models for the llm tests, saved the way a user's would be.

The tokenizer and the Qwen2 builder are ``eval/common/random_qwen2.py``'s (the llm
benchmark builds its model with them too); here: a Llama configuration (hidden size 32, two
layers) with random weights, the models written with ``save_pretrained``, and a scripted
runtime. Random weights write nonsense: tests assert behaviour.
"""

from __future__ import annotations

from pathlib import Path

from eval.common.random_qwen2 import CONTEXT, build_tokenizer, qwen2_model

# Llama 3's layout, with this tokenizer's control tokens
LLAMA_TEMPLATE = (
    "<|begin_of_text|>{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
    "{{ m['content'] }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)


def llama_model(tokenizer, *, seed: int = 1, init: float = 0.5):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=CONTEXT,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, initializer_range=init,
    )
    torch.manual_seed(seed)
    return LlamaForCausalLM(config)


def build_chat_models(root: Path) -> dict[str, Path]:
    """Write the models under ``root``: {"qwen2", "llama", "base"} -> directory ("base" has no chat template)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    chatml, llama3 = build_tokenizer(), build_tokenizer(template=LLAMA_TEMPLATE)
    base_tok = build_tokenizer()
    base_tok.chat_template = None
    out = {}
    for key, model, tok in [
        ("qwen2", qwen2_model(chatml), chatml),
        ("llama", llama_model(llama3), llama3),
        ("base", qwen2_model(base_tok), base_tok),
    ]:
        path = root / f"tiny-{key}"
        model.save_pretrained(path)
        tok.save_pretrained(path)
        out[key] = path
    return out


class ScriptedRuntime:
    """A chat runtime that answers from a script: the first ``answers`` key found in the
    conversation's last message picks the answer ("" when none). It records every call, and
    counts a token per word, so prompts and chunking can be checked by hand.

    Registered under the name "scripted" by the tests (``-o runtime=scripted``).
    """

    name = "scripted"
    answers: dict[str, str | None] = {}  # set by a test; None: this conversation fails
    calls: list[list[list[dict[str, str]]]] = []

    def __init__(self, settings=None, context_length: int | None = 4096):
        self.settings = settings
        self.context_length = context_length

    def count_tokens(self, messages):
        return sum(len(m["content"].split()) + 4 for m in messages) + 2

    def chat(self, conversations, *, max_new_tokens, temperature, seed):
        from summarizer.backends.llm.runtimes import Generation

        type(self).calls.append([list(c) for c in conversations])
        out = []
        for c in conversations:
            text = next((a for k, a in self.answers.items() if k in c[-1]["content"]), "")
            if text is None:
                out.append(Generation(None, "the scripted runtime failed"))
            else:
                out.append(Generation(text, prompt_tokens=self.count_tokens(c), completion_tokens=len(text.split())))
        return out

    def describe(self):
        return {"runtime": self.name, "context_length": self.context_length}
