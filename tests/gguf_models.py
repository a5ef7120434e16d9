"""Tiny random-weight Qwen2 chat models written as GGUF files, the way llama.cpp's converter writes them.

``write_gguf`` writes a ``Qwen2ForCausalLM`` and its byte-level BPE tokenizer (the tiny ones
``eval/common/random_qwen2.py`` builds) with the ``gguf`` package's writer: the architecture's
hyper-parameters, the tokenizer (tokens, types, merges, special ids), the chat template and
every tensor under its GGUF name, in fp32 or fp16. ``answer_nothing`` makes a model whose
first answer token is ``<|im_end|>``. Random weights write nonsense; the tests assert on
behaviour, never on summary quality.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

def _vocab(tokenizer: Any) -> tuple[list[str], list[int], list[str]]:
    """Tokens in id order, their GGUF types, and the BPE merges, from a fast tokenizer."""
    import json

    import gguf

    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    vocab: dict[str, int] = dict(spec["model"]["vocab"])
    specials = set()
    for added in spec["added_tokens"]:
        vocab[added["content"]] = added["id"]
        if added["special"]:
            specials.add(added["content"])
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))):
        raise ValueError("token ids must be dense")
    tokens = [t for t, _ in by_id]
    types = [int(gguf.TokenType.CONTROL if t in specials else gguf.TokenType.NORMAL) for t in tokens]
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    return tokens, types, merges


def write_gguf(model: Any, tokenizer: Any, path: Path, *, dtype: str = "f32") -> Path:
    """Write ``model`` (a Qwen2 causal LM) and ``tokenizer`` to ``path`` as GGUF (f32 or f16 matrices)."""
    import gguf
    import numpy as np

    c = model.config
    arch = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.QWEN2]
    w = gguf.GGUFWriter(path, arch)
    w.add_name(Path(path).stem)
    w.add_context_length(c.max_position_embeddings)
    w.add_embedding_length(c.hidden_size)
    w.add_block_count(c.num_hidden_layers)
    w.add_feed_forward_length(c.intermediate_size)
    w.add_head_count(c.num_attention_heads)
    w.add_head_count_kv(c.num_key_value_heads)
    w.add_rope_freq_base(float(getattr(c, "rope_theta", None) or c.rope_parameters["rope_theta"]))
    w.add_layer_norm_rms_eps(c.rms_norm_eps)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if dtype == "f16" else gguf.LlamaFileType.ALL_F32)

    tokens, types, merges = _vocab(tokenizer)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")  # random_qwen2's tokenizers split words with GPT-2's byte-level regex
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_eos_token_id(tokenizer.convert_tokens_to_ids("<|im_end|>"))
    w.add_pad_token_id(tokenizer.convert_tokens_to_ids("<|endoftext|>"))
    w.add_bos_token_id(tokenizer.convert_tokens_to_ids("<|endoftext|>"))
    w.add_add_bos_token(False)
    w.add_chat_template(tokenizer.chat_template)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, c.num_hidden_layers)
    for hf_name, tensor in model.state_dict().items():
        if hf_name == "lm_head.weight" and c.tie_word_embeddings:
            continue  # llama.cpp reads the embeddings as the output matrix when there is none
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"no GGUF name for {hf_name}")
        data = tensor.detach().float().numpy()
        # llama.cpp keeps norms and biases in fp32; matrices in the file's type
        if dtype == "f16" and data.ndim == 2:
            data = data.astype(np.float16)
        w.add_tensor(name, np.ascontiguousarray(data))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return Path(path)


def tiny_gguf(root: Path, *, seed: int = 0, dtype: str = "f32", name: str = "tiny-qwen2", stop: bool = False) -> Path:
    """``eval.common.random_qwen2``'s tiny random Qwen2 as ``root/name.gguf`` (answering nothing with ``stop``)."""
    from eval.common.random_qwen2 import build_tokenizer, qwen2_model

    tokenizer = build_tokenizer()
    model = qwen2_model(tokenizer, seed=seed)
    if stop:
        answer_nothing(model, tokenizer)
    return write_gguf(model, tokenizer, Path(root) / f"{name}.gguf", dtype=dtype)


def answer_nothing(model: Any, tokenizer: Any) -> Any:
    """Make ``model`` answer ``<|im_end|>`` first, whatever the prompt: every token embeds to
    the same vector, the layers add nothing, and only ``<|im_end|>`` has a non-zero logit."""
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("o_proj.weight", "down_proj.weight")):
                p.zero_()
        head = torch.zeros_like(model.lm_head.weight)
        head[tokenizer.convert_tokens_to_ids("<|im_end|>")] = 1.0
        model.model.embed_tokens.weight = torch.nn.Parameter(torch.ones_like(head))
        model.lm_head.weight = torch.nn.Parameter(head)  # untied from the embeddings
        model.config.tie_word_embeddings = False
    return model


def answer_always(model: Any, tokenizer: Any, answer: str) -> Any:
    """Make ``model`` answer ``answer`` (one line) to any ChatML prompt, then ``<|im_end|>``.

    The layers add nothing to the residual stream, so each position's logits depend on its own
    token only: token ``t`` embeds to a basis vector of its own, and the output matrix maps it
    to the next token of the chain ``"\\n" (the template's last) -> answer tokens -> <|im_end|>``.
    The answer's tokens must differ from each other and from ``"\\n"``.
    """
    import torch

    chain = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize("\n")[0]), *tokenizer.encode(answer)]
    hidden = model.config.hidden_size
    if len(set(chain)) != len(chain) or len(chain) > hidden:
        raise ValueError(f"{answer!r}: its {len(chain)} tokens must be distinct, not '\\n', and at most {hidden}")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("o_proj.weight", "down_proj.weight")):
                p.zero_()
        embed = torch.zeros_like(model.model.embed_tokens.weight)
        head = torch.zeros_like(embed)
        nxt = chain[1:] + [tokenizer.convert_tokens_to_ids("<|im_end|>")]
        for dim, (token, following) in enumerate(zip(chain, nxt)):
            embed[token, dim] = 1.0
            head[following, dim] = 10.0
        model.model.embed_tokens.weight = torch.nn.Parameter(embed)
        model.lm_head.weight = torch.nn.Parameter(head)
        model.config.tie_word_embeddings = False
    return model
