"""Reading articles: files, directories, standard input, URLs; the bytes policy."""

from __future__ import annotations

import io
import time

import pytest

from summarizer.errors import InputError
from summarizer.read import STDIN, Source, decode, expand, read_source

BODY = "The ferry left at noon. It reached the island by two. Nobody was hurt."


def read(spec: str, **kw):
    return read_source(Source(spec), **kw)


def test_file(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(BODY, encoding="utf-8")
    a = read(str(p))
    assert a.body == BODY and a.name == str(p) and a.layout == "plain"


def test_several_files_keep_their_order(tmp_path):
    paths = []
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text(f"{name} has one sentence.", encoding="utf-8")
        paths.append(str(tmp_path / name))
    sources = list(expand(paths))
    assert [s.spec for s in sources] == paths


def test_directory_gives_its_txt_files_sorted(tmp_path):
    for name in ("c.txt", "a.txt", "B.TXT", "notes.md", "b.txt"):
        (tmp_path / name).write_text("Some text.", encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()  # a directory named like a text file is not one
    sources = list(expand([str(tmp_path)]))
    assert [s.spec for s in sources] == [str(tmp_path / n) for n in ("B.TXT", "a.txt", "b.txt", "c.txt")]


def test_missing_file_and_empty_directory_are_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    out = list(expand([str(tmp_path / "nope.txt"), str(tmp_path / "empty")]))
    assert all(isinstance(e, InputError) for e in out)
    assert "no such file or directory" in str(out[0])
    assert "directory has no .txt files" in str(out[1])


def test_stdin():
    a = read(STDIN, stdin=io.BytesIO(BODY.encode("utf-8")))
    assert a.body == BODY and a.name == "<stdin>"


def test_utf8_bom_is_allowed():
    assert decode("\ufeffCafé prices rose.".encode("utf-8"), "x") == "Café prices rose."


def test_bytes_not_utf8_are_refused_with_the_offset():
    with pytest.raises(InputError, match=r"x\.txt: not valid utf-8 \(byte 0xe9 at offset 3\).*--encoding"):
        decode("Café prices rose.".encode("cp1252"), "x.txt")


def test_another_encoding_decodes():
    assert decode("Café prices rose.".encode("cp1252"), "x", "cp1252") == "Café prices rose."


def test_binary_is_refused():
    with pytest.raises(InputError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "img.png")


def test_unknown_encoding():
    with pytest.raises(InputError, match="unknown encoding 'nope'"):
        decode(b"text", "x", "nope")


@pytest.mark.parametrize("text", ["", "  \n\t \n"])
def test_empty_file_is_refused(tmp_path, text):
    p = tmp_path / "e.txt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="is empty"):
        read(str(p))


def test_cnbc_file_without_body(tmp_path):
    p = tmp_path / "k.txt"
    p.write_text("A title\nKey Points\n• A point.\n", encoding="utf-8")
    with pytest.raises(InputError, match="no body text after its key points"):
        read(str(p))


# -- URLs, against a local server ----------------------------------------------------


def test_url_article(web):
    a = read(f"{web}/article")
    assert a.title == "Millbrook opens its new library"
    assert a.name == f"{web}/article"
    texts = [s.text for s in a.sentences]
    assert texts[0].startswith("The town of Millbrook opened its new public library on Saturday")
    # the headline is the title, not a body sentence; navigation and footer are not body text
    assert all("Millbrook opens its new library" not in t for t in texts)
    assert "Copyright" not in a.body and "Home" not in a.body
    assert any(t.startswith("Head librarian Maria Chen said") for t in texts)


@pytest.mark.parametrize("path, code", [("/missing", 404), ("/error", 500)])
def test_url_http_error(web, path, code):
    with pytest.raises(InputError, match=f"answered HTTP {code}"):
        read(f"{web}{path}", timeout=5)


def test_url_timeout(web):
    t = time.perf_counter()
    with pytest.raises(InputError, match=r"no complete answer within 0\.3 s \(timed out\)"):
        read(f"{web}/slow", timeout=0.3)
    assert time.perf_counter() - t < 2.5  # gave up on time, did not wait for the answer


def test_url_without_article_text(web):
    with pytest.raises(InputError, match="no article text found"):
        read(f"{web}/empty", timeout=5)


def test_url_truncated_answer(web):
    with pytest.raises(InputError, match="closed the connection"):
        read(f"{web}/truncated", timeout=5)


def test_url_malformed_answer():
    # a server that does not speak HTTP: an error message, not a traceback
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()

    def answer() -> None:
        conn, _ = srv.accept()
        conn.recv(4096)
        conn.sendall(b"hello, this is not http\r\n\r\n")
        conn.close()

    threading.Thread(target=answer, daemon=True).start()
    try:
        with pytest.raises(InputError, match="cannot fetch"):
            read(f"http://127.0.0.1:{srv.getsockname()[1]}/", timeout=5)
    finally:
        srv.close()


def test_url_connection_refused():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(InputError, match="cannot fetch"):
        read(f"http://127.0.0.1:{port}/", timeout=5)
