"""Qwen2 chat models with random weights, built in code, and a byte-level BPE tokenizer
trained in memory: the llm tests' tiny models and ``eval/bench/llm.py``'s SmolLM2-sized one.

The tokenizer is trained on a few sentences written here (or on a corpus passed in), so
every text encodes and nothing is downloaded; it has ChatML and Llama-3 control tokens and
a chat template. Random weights write nonsense: tests assert behaviour, benchmarks time it.
The weights are drawn wide by default (``init``), so greedy decoding writes varied tokens
rather than one token over and over, and batched-against-single comparisons have something
to compare.
"""

from __future__ import annotations

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
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
    """A Qwen2 causal LM with tied embeddings and random weights drawn with ``seed`` (tiny by default)."""
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
