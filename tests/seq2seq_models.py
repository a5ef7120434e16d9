"""Tiny random-weight checkpoints for the seq2seq tests, saved the way a user's would be.

BART, PEGASUS and T5 configurations (d_model 32, two layers) with random weights, and a
BERT encoder (not a seq2seq model), each written with ``save_pretrained`` beside the
WordPiece tokenizer of the embedded encoder package (offline; "<n>" added for PEGASUS).
Directory names are what presets match on: ``bart-large-cnn``, ``pegasus-cnn_dailymail``.
Random weights write nonsense; the tests assert on behaviour, never on summary quality.
"""

from __future__ import annotations

from pathlib import Path

# Decoder positions must hold bart-large-cnn's 141 new tokens; inputs over 160 tokens are chunked.
POSITIONS = 160


def build_checkpoints(root: Path) -> dict[str, Path]:
    """Write the checkpoints under ``root``: {"bart", "bart_plain", "pegasus", "t5", "bert"} -> directory."""
    import torch
    from transformers import (
        AutoTokenizer,
        BartConfig,
        BartForConditionalGeneration,
        BertConfig,
        BertModel,
        PegasusConfig,
        PegasusForConditionalGeneration,
        T5Config,
        T5ForConditionalGeneration,
    )
    from transformers.utils import logging as hf_logging

    from summarizer.encoder.model import encoder_path

    hf_logging.disable_progress_bar()
    tok = AutoTokenizer.from_pretrained(encoder_path(), local_files_only=True, trust_remote_code=False)
    tok.add_tokens(["<n>"])  # PEGASUS writes "<n>" between sentences
    ids = dict(vocab_size=len(tok), pad_token_id=tok.pad_token_id, eos_token_id=tok.sep_token_id)
    layers = dict(
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=POSITIONS,
    )
    bart = BartConfig(
        **layers, **ids, bos_token_id=tok.cls_token_id, decoder_start_token_id=tok.sep_token_id,
        forced_bos_token_id=None, forced_eos_token_id=None,
    )
    torch.manual_seed(0)
    models = {
        "bart": ("bart-large-cnn", BartForConditionalGeneration(bart)),
        "bart_plain": ("bart-plain", BartForConditionalGeneration(bart)),
        "pegasus": (
            "pegasus-cnn_dailymail",
            PegasusForConditionalGeneration(PegasusConfig(**layers, **ids, decoder_start_token_id=tok.pad_token_id)),
        ),
        "t5": (
            "t5-tiny",
            T5ForConditionalGeneration(
                T5Config(d_model=32, d_kv=16, d_ff=64, num_layers=2, num_decoder_layers=2, num_heads=2,
                         **ids, decoder_start_token_id=tok.pad_token_id)
            ),
        ),
        "bert": (
            "bert-encoder",
            BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1,
                                 num_attention_heads=2, intermediate_size=64)),
        ),
    }
    # a checkpoint without a preset, with a generation config of its own
    plain = models["bart_plain"][1].generation_config
    plain.num_beams, plain.max_length = 2, 12
    out = {}
    for key, (name, model) in models.items():
        path = root / name
        model.save_pretrained(path)
        tok.save_pretrained(path)
        out[key] = path
    return out
