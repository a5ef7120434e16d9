"""A tiny random BERT with its tokenizer, written into a folder: seconds to export, not minutes."""

from __future__ import annotations

from pathlib import Path

WORDS = ["the", "city", "council", "approved", "a", "plan", "to", "road", "on", "tuesday", "said", "mayor", ".", ","]


def make_tiny_bert(folder: Path, seed: int = 0) -> Path:
    """``folder`` with config.json, model.safetensors and tokenizer.json of a 2-layer, 32-wide BERT."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    tok.save(str(folder / "tokenizer.json"))
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=160)
    BertModel(config).eval().save_pretrained(folder)
    return folder
