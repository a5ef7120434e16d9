"""The GGUF header reader (``summarizer.backends.llm.gguf_header``): the same facts as the ``gguf``
package's reader, without decoding a vocabulary, and one-line errors for files that are not GGUF."""

from __future__ import annotations

import re
import struct
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gguf_models import tiny_gguf
from summarizer.backends.llm import gguf_header
from summarizer.backends.llm.gguf_header import parse_header, read_header
from summarizer.errors import ModelError

VOCAB = 150_000


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_gguf(tmp_path_factory.mktemp("header"))


@pytest.fixture(scope="module")
def big_vocab(tmp_path_factory):
    """A header like a real chat model's: a 150,000-token vocabulary with its types and merges,
    a chat template, and a few small tensors."""
    import gguf

    path = tmp_path_factory.mktemp("vocab") / "big-vocab.gguf"
    w = gguf.GGUFWriter(path, "qwen2")
    w.add_name("big vocab")
    w.add_context_length(32768)
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"tok{i}" for i in range(VOCAB)])
    w.add_token_types([1] * VOCAB)
    w.add_token_merges([f"t o{i}" for i in range(VOCAB // 2)])
    w.add_eos_token_id(7)
    w.add_bos_token_id(3)
    w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    w.add_tensor("token_embd.weight", np.zeros((4, 8), np.float32))
    w.add_tensor("output_norm.weight", np.zeros(8, np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_the_same_facts_as_the_gguf_package(tiny):
    import gguf

    h = read_header(tiny)
    reader = gguf.GGUFReader(tiny)

    def text(key):
        f = reader.fields[key]
        return bytes(f.parts[f.data[0]]).decode()

    assert h.architecture == text("general.architecture") == "qwen2"
    assert h.chat_template == text("tokenizer.chat_template")
    assert h.parameters == sum(int(t.n_elements) for t in reader.tensors)
    assert h.tensors == len(reader.tensors)
    assert h.context_length == int(reader.fields["qwen2.context_length"].parts[-1][0])
    assert h.metadata["tokenizer.ggml.eos_token_id"] == int(reader.fields["tokenizer.ggml.eos_token_id"].parts[-1][0])


def test_a_vocabulary_is_stepped_over_never_decoded(big_vocab, monkeypatch):
    decoded = []
    real = gguf_header._Reader.string

    def counting(self):
        value = real(self)
        decoded.append(value)
        return value

    monkeypatch.setattr(gguf_header._Reader, "string", counting)
    start = time.perf_counter()
    h = read_header(big_vocab)
    seconds = time.perf_counter() - start
    assert (h.architecture, h.context_length, h.parameters) == ("qwen2", 32768, 4 * 8 + 8)
    assert h.metadata["tokenizer.ggml.bos_token_id"] == 3 and h.chat_template.startswith("{% for")
    # the keys' names and the wanted strings only: none of the 150,000 tokens nor the merges
    assert not any(re.fullmatch(r"tok\d+|t o\d+", v) for v in decoded) and len(decoded) < 30
    assert seconds < 5  # a generous bound for a loaded CI machine; eval/bench/gguf_header.py measures it


def test_files_that_are_not_gguf_fail_in_one_line(tmp_path):
    bad = tmp_path / "bad.gguf"
    for content, says in [
        (b"", "it is empty"),
        (b"GGML" + bytes(20), "GGUF magic"),
        (b"GGUF" + struct.pack("<I", 1) + bytes(16), "GGUF version 1"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 2**40), "metadata keys"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**50), "past the end"),
    ]:
        bad.write_bytes(content)
        with pytest.raises(ModelError, match=says) as e:
            read_header(bad)
        assert "\n" not in str(e.value)


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400), noise=st.binary(max_size=64))
def test_a_truncated_or_corrupted_header_is_a_value_error(cut, noise):
    def s(t):
        return struct.pack("<Q", len(t)) + t.encode()

    head = b"GGUF" + struct.pack("<IQQ", 3, 1, 3)
    kv = s("general.architecture") + struct.pack("<I", 8) + s("llama")
    kv += s("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 3) + s("a") + s("b") + s("c")
    kv += s("llama.context_length") + struct.pack("<I", 4) + struct.pack("<I", 2048)
    tensor = s("w") + struct.pack("<I", 2) + struct.pack("<QQ", 8, 4) + struct.pack("<IQ", 0, 0)
    whole = head + kv + tensor
    assert parse_header(whole).parameters == 32
    data = whole[:cut] + noise if cut < len(whole) else whole
    try:
        parse_header(data)
    except ValueError:
        pass  # what read_header turns into a one-line ModelError
