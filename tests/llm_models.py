"""Tiny random-weight chat models for the llm tests, saved the way a user's would be.

A byte-level BPE tokenizer trained in memory on a few sentences written here (so every
text encodes, nothing is downloaded), with ChatML control tokens and a chat template;
Qwen2 and Llama configurations (hidden size 32, two layers) with random weights, each
written with ``save_pretrained``. Random weights write nonsense: tests assert behaviour.
The weights are drawn wide (``init``), so greedy decoding writes varied tokens rather than
one token over and over, and batched-against-single comparisons have something to compare.
"""

from __future__ import annotations

from pathlib import Path

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# Llama 3's layout, with this tokenizer's control tokens
LLAMA_TEMPLATE = (
    "<|begin_of_text|>{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
    "{{ m['content'] }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
CORPUS = [
    "The city council approved a plan to widen the coastal road on Monday.",
    "The work will cost $4 million and start in May, officials said.",
    "Residents asked for a bike lane and more trees along the route.",
    "Here are the key points of the news story: one sentence each.",
    "Shares of the company rose 12% after it reported record profit of 84.5 million dollars.",
    "Police in Paris arrested two men after a two-hour chase through the U.S. embassy district.",
]
CONTEXT = 512  # positions of the tiny models: long test articles are chunked


def build_tokenizer(vocab_size: int = 400, corpus: list[str] | None = None, template: str = CHATML):
    """A fast byte-level BPE tokenizer with ChatML and Llama-3 control tokens and ``template``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
               "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(corpus or CORPUS * 4, trainer)
    eos = "<|im_end|>" if template == CHATML else "<|eot_id|>"
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token=eos, pad_token="<|endoftext|>", chat_template=template,
        model_max_length=CONTEXT,
    )


def qwen2_model(tokenizer, *, hidden: int = 32, layers: int = 2, heads: int = 4, kv_heads: int = 2,
                inter: int = 64, positions: int = CONTEXT, seed: int = 0, init: float = 0.5, vocab: int | None = None):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(
        vocab_size=vocab or len(tokenizer), hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=positions,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True,
        initializer_range=init,
    )
    torch.manual_seed(seed)
    return Qwen2ForCausalLM(config)


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
