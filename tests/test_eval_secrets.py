"""``summarize eval`` keeps its secrets and its folders (issue 29, case 2; case 10's --sample):

* with the openai runtime against a loopback server, no file of the run folder, no report and
  no line of output holds the key in any of its forms, even when the server echoes the key in
  its errors and the run is resumed;
* a credential is refused before it is recorded, wherever it hides (a URL's user part or
  query, a request field, a header's value), and the message does not repeat it;
* any usage error of a model setting leaves no folder behind, and leaves a folder that was
  there exactly as it was (so it can still be resumed);
* ``--sample N`` with fewer documents than N is refused in one line.
"""

from __future__ import annotations

import base64
import json
import string
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("httpx", reason="the openai runtime needs httpx: pip install 'summarizer[api]'")

import summarizer.api  # noqa: E402
from eval.common.chat_server import ChatServer  # noqa: E402
from summarizer.cli import cli  # noqa: E402
from summarizer.credentials import find_credential, redact  # noqa: E402

# Characters that percent-encoding, base64 and JSON all change; 12 first ones unlike any word.
KEY = "sk-test-Zq8/Rv+3Lw=Tn5Xp2Hc7Ym4Bk9"
PASSWORD = "Pw-7hX2qLm9vRt4Z"  # a password someone puts in a URL
STORIES = [
    ("harbor", "The harbor reopened on Friday after the storm. Ships lined up at the eastern pier. "
               "The port authority said repairs cost 2 million dollars."),
    ("mine", "The mine closed last year. Workers left town. The mayor asked the state for help."),
    ("ferry", "A new ferry joined the island route in May. It carries 300 passengers. "
              "Tickets cost the same as before."),
]


def forms(secret: str) -> set[str]:
    """The ways a secret may leak, written out here (not taken from the package under test)."""
    out = {secret, secret[:12], secret[-12:], quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
           secret.replace("/", "\\/")}
    for raw in (secret, f"user:{secret}", f":{secret}"):
        b64 = base64.b64encode(raw.encode()).decode()
        out |= {b64, b64.rstrip("="), base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")}
    return out


def leaks(text: str, secret: str) -> list[str]:
    """The forms of ``secret`` in ``text``, read as written and with its whitespace taken out
    (a line wrapped in the middle of a key)."""
    squeezed = "".join(text.split())
    return sorted(f for f in forms(secret) if f in text or "".join(f.split()) in squeezed)


def test_the_scan_finds_each_form():
    for form in forms(KEY) | {KEY.replace("=", "=\n")}:
        assert leaks(f"text {form} text", KEY), form


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, hidden ones included, by path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def answer(messages):
    user = messages[-1]["content"]
    name = next(n for n, text in STORIES if text.split(".")[0] in user)
    first = next(text for n, text in STORIES if n == name).split(". ")[0]
    return f"- {first}."


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)  # the documented way in for a key
    monkeypatch.setattr(summarizer.api, "_CACHE", {})
    s = ChatServer(answer)
    yield s
    s.close()


@pytest.fixture
def dataset(tmp_path) -> Path:
    path = tmp_path / "news.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for name, text in STORIES:
            f.write(json.dumps({"id": name, "article": text, "highlights": [text.split(". ")[0] + "."]}) + "\n")
    return path


class Session:
    """Runs commands and keeps all they printed, to be searched at the end."""

    def __init__(self):
        self.printed: list[str] = []

    def __call__(self, *args):
        r = CliRunner().invoke(cli, [str(a) for a in args])
        self.printed.append(r.output)
        return r


def test_no_form_of_the_key_is_written_or_printed_by_a_run_its_resume_and_its_refusals(server, dataset, tmp_path):
    run = Session()
    out = tmp_path / "run"
    base = server.base()

    def args(api_base=base, *more):
        return ("eval", "-d", dataset, "-m", "openai:tiny", "--api-base", api_base, "--out", out, "--samples", "20",
                "-j", "1", "-o", "retries=0", *more)

    server.fail_on = "mine"  # its error echoes the Authorization header, as a careless proxy does
    r = run(*args())
    assert r.exit_code == 1 and "document 'mine' not summarized" in r.output, r.output
    assert all(req["authorization"] == f"Bearer {KEY}" for req in server.requests)  # the key was sent
    server.fail_on = None
    # credentials given on a resume are refused, and the half-done folder is left as it was
    before = snapshot(out)
    for attempt in (args(base.replace("http://", f"http://user:{KEY}@")),
                    args(f"{base}?api_key={quote(KEY, safe='')}"),
                    args(base, "-o", "api_extra=" + json.dumps({"headers": {"Authorization": f"Bearer {KEY}"}})),
                    args(base, "-o", f"prompt=Use {KEY} and write key points of {{article}}")):
        r = run(*attempt, "--resume")
        assert r.exit_code == 2 and "looks like a credential" in r.output, (attempt, r.output)
        assert snapshot(out) == before
    args = args()
    r = run(*args, "--resume")
    assert r.exit_code == 0, r.output
    files = snapshot(out)
    assert {"run.json", "predictions.jsonl", "report.json", "report.md", "report.html", "scores.jsonl"} <= set(files)
    assert len(files["predictions.jsonl"].splitlines()) == 3
    assert json.loads(files["predictions.jsonl"].splitlines()[0])["settings"]["api_key"] == "from OPENAI_API_KEY"
    for name, data in files.items():
        assert leaks(data.decode("utf-8", errors="replace"), KEY) == [], name
    for printed in run.printed:
        assert leaks(printed, KEY) == [], printed


def test_a_url_urllib_cannot_split_is_still_searched_and_not_an_error():
    assert find_credential("http://[::1/x", secrets={}) is None
    assert find_credential("http://[::1/x?token=abc#k", secrets={}) == "a credential in a URL's query ('token')"


def test_summarize_files_masks_a_key_a_server_echoes_in_one_inputs_error(server, tmp_path):
    """``summarize FILE...`` reports each failed input on its own line, and no form of the key is
    in it: the runtime scrubs the server's echo, and the per-input line is masked again as the
    command's own errors are (either alone keeps this test passing)."""
    paths = []
    for name, text in STORIES:
        paths.append(tmp_path / f"{name}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    server.fail_on = "mine"
    r = CliRunner().invoke(cli, ["-m", "openai:tiny", "--api-base", server.base(), "-o", "retries=0",
                                 *map(str, paths)])
    assert r.exit_code == 1, r.output
    assert "mine.txt" in r.output and "harbor" in r.output.lower()  # the others are summarized
    assert any(req["authorization"] == f"Bearer {KEY}" for req in server.requests)  # the key was sent
    assert leaks(r.output, KEY) == [], r.output


@pytest.mark.parametrize("how", ["user part", "query", "api_extra field", "api_extra header value", "api_extra url",
                                 "a key's shape in a prompt"])
def test_a_credential_is_refused_before_a_folder_is_made_and_not_repeated(server, dataset, tmp_path, how):
    run = Session()
    out = tmp_path / "new" / "run"
    base = server.base()
    given = {
        "user part": ("--api-base", base.replace("http://", f"http://admin:{PASSWORD}@")),
        "query": ("--api-base", f"{base}?token={PASSWORD}"),
        "api_extra field": ("-o", f'api_extra={{"password": "{PASSWORD}"}}'),
        "api_extra header value": ("-o", f'api_extra={{"extra_headers": {{"X-Note": "Basic {PASSWORD}"}}}}'),
        "api_extra url": ("-o", f'api_extra={{"callback": "https://bot:{PASSWORD}@example.org/hook"}}'),
        "a key's shape in a prompt": ("-o", "prompt=Key sk-abcdefghij0123456789XYZ then {article}"),
    }[how]
    secret = PASSWORD if how != "a key's shape in a prompt" else "sk-abcdefghij0123456789XYZ"
    default = ("--api-base", base) if given[0] != "--api-base" else ()
    r = run("eval", "-d", dataset, "-m", "openai:tiny", *default, *given, "--out", out, "--samples", "20")
    assert r.exit_code == 2, r.output
    assert "looks like a credential" in r.output and r.output.count("Error:") == 1
    assert leaks(r.output, secret) == []
    assert not (tmp_path / "new").exists()  # nothing made, not even the parent
    assert server.requests == []  # and nothing sent
    r = run("eval", "-d", dataset, "-m", "openai:tiny", "--api-base", base, "--out", out, "--samples", "20")
    assert r.exit_code == 0, r.output  # the same folder runs as if never tried


@pytest.mark.parametrize("bad, message", [
    (("-o", "temperature=-1"), "temperature=-1"),  # refused by the settings
    (("-o", 'api_extra={"temperature": 1}'), "set by the runtime"),
    (("-o", "colour=red"), "has no setting 'colour'"),
    (("-o", "retries=many"), "expects int"),
    (("--api-base", "localhost:8080"), "--api-base"),  # refused when the runtime opens
    (("--batch-size", "4"), "does not apply"),
])
def test_a_refused_setting_leaves_no_folder_and_an_old_one_as_it_was(server, dataset, tmp_path, bad, message):
    run = Session()
    base = server.base()
    fresh = tmp_path / "fresh"
    api = ("--api-base", base) if bad[0] != "--api-base" else ()
    r = run("eval", "-d", dataset, "-m", "openai:tiny", *api, *bad, "--out", fresh, "--samples", "20")
    assert r.exit_code == 2 and message in r.output, r.output
    assert not fresh.exists()

    old = tmp_path / "old"
    args = ("eval", "-d", dataset, "-m", "openai:tiny", "--out", old, "--samples", "20", "-j", "1", "-o", "retries=0")
    server.fail_on = "ferry"
    assert run(*args, "--api-base", base).exit_code == 1  # two of three written: a run to resume
    server.fail_on = None
    before = snapshot(old)
    r = run(*args, *api, *bad, "--resume")
    assert r.exit_code == 2, r.output  # the setting, or (for one in the run's identity) the other options
    assert snapshot(old) == before
    r = run(*args, "--api-base", base, "--resume")
    assert r.exit_code == 0, r.output
    assert len((old / "predictions.jsonl").read_text().splitlines()) == 3


def test_a_model_that_refuses_its_settings_when_it_loads_leaves_nothing(dataset, tmp_path, monkeypatch):
    """The backstop: a usage error raised by the model itself (past every check made before the
    folder) still leaves no folder, and an existing folder's files untouched."""
    from summarizer.errors import UsageError

    def refuse(*a, **k):
        raise UsageError("max_input_tokens=9000 exceeds the model's context of 2048; use at most 2048")

    monkeypatch.setattr("summarizer.backends.get_summarizer", refuse)
    run = Session()
    out = tmp_path / "a" / "b"
    r = run("eval", "-d", dataset, "-m", "lead", "--out", out, "--samples", "20")
    assert r.exit_code == 2 and "exceeds the model's context" in r.output
    assert not (tmp_path / "a").exists()
    # an existing folder that holds something else keeps it, and gets no lock file
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("mine\n")
    r = run("eval", "-d", dataset, "-m", "lead", "--out", out, "--samples", "20")
    assert r.exit_code == 2 and sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    monkeypatch.undo()  # the real model again: the folder refused twice runs
    (out / "notes.txt").unlink()
    r = run("eval", "-d", dataset, "-m", "lead", "--out", tmp_path / "a" / "b", "--samples", "20")
    assert r.exit_code == 0, r.output


def test_a_resume_of_a_folder_an_older_version_wrote_a_password_into_does_not_print_it(dataset, tmp_path):
    run = Session()
    out = tmp_path / "run"
    assert run("eval", "-d", dataset, "-m", "lead", "--out", out, "--samples", "20").exit_code == 0
    record = json.loads((out / "run.json").read_text())
    record["identity"]["settings"] = {"api_base": f"http://admin:{PASSWORD}@127.0.0.1:9/v1?key={PASSWORD}"}
    (out / "run.json").write_text(json.dumps(record))
    r = run("eval", "-d", dataset, "-m", "lead", "--out", out, "--samples", "20", "--resume")
    assert r.exit_code == 2 and "holds a run with other options" in r.output
    assert leaks(r.output, PASSWORD) == []


def test_the_recorded_command_is_masked_wherever_a_report_is_read(dataset, tmp_path):
    from summarizer.evaluate.report import Report, read_report

    run = Session()
    out = tmp_path / "run"
    assert run("eval", "-d", dataset, "-m", "lead", "--out", out, "--samples", "20").exit_code == 0
    d = json.loads((out / "report.json").read_text())
    d["command"] = f"summarize eval --api-base http://admin:{PASSWORD}@host/v1?access_token={PASSWORD}"
    (out / "report.json").write_text(json.dumps(d))  # as an older version wrote it
    assert PASSWORD not in read_report(out).command
    assert PASSWORD not in Report.from_dict(d).to_markdown()
    r = run("compare", out, "--out", tmp_path / "cmp")
    assert r.exit_code == 0, r.output
    for name, data in snapshot(tmp_path / "cmp").items():
        assert leaks(data.decode("utf-8", errors="replace"), PASSWORD) == [], name


def test_sample_more_than_there_are_is_refused_in_one_line(dataset, tmp_path):
    run = Session()
    r = run("eval", "-d", dataset, "-m", "lead", "--out", tmp_path / "run", "--sample", "10")
    assert r.exit_code == 2 and r.output.count("\n") <= 3 and "Traceback" not in r.output
    assert "--sample 10" in r.output and "has only 3 documents" in r.output and "leave --sample out" in r.output
    assert not (tmp_path / "run").exists()
    r = run("eval", "-d", dataset, "-m", "lead", "--out", tmp_path / "run", "--sample", "3", "--samples", "20")
    assert r.exit_code == 0 and json.loads((tmp_path / "run" / "report.json").read_text())["dataset"]["sample"] == 3
    r = run("eval", "-d", dataset, "-m", "lead", "--out", tmp_path / "head", "--limit", "10", "--samples", "20")
    assert r.exit_code == 0  # the first 10 of 3 are the 3: a head, recorded as given
    info = json.loads((tmp_path / "head" / "report.json").read_text())["dataset"]
    assert (info["limit"], info["documents"]) == (10, 3)


@pytest.mark.parametrize("text", [
    "http://127.0.0.1:8080/v1", "Write {n} key points of {article}", '{"repeat_penalty": 1.1, "max_tokens": 3}',
    '{"skip_special_tokens": false, "top_k": 1}', "Basic information, bearer bonds and key: values",
    "mailto:desk@example.org", "https://host/v1?api-version=2024-02-01", "runs/ext-limit-100",
])
def test_what_is_not_a_credential_passes(text):
    assert find_credential(text, secrets={}) is None
    assert redact(text, secrets={}) == text


@pytest.mark.parametrize("text", [
    f"http://u:{PASSWORD}@h/v1", f"//u:{PASSWORD}@h/v1", f"u:{PASSWORD}@h:8080/v1", f"https://h/v1?key={PASSWORD}",
    f"https://h/v1?X-Api-Key={PASSWORD}", f'{{"Authorization": "{PASSWORD}"}}', f'{{"accessToken": "{PASSWORD}"}}',
    f'[{{"h": "Bearer {PASSWORD}"}}]', f"password={PASSWORD}", f"http%3A%2F%2Fu%3A{PASSWORD}%40h%2Fv1",
    "hf_abcdefghijklmnopqrstuvwxyz", f"{KEY[:12]}", f"{quote(KEY, safe='')}", KEY.replace("-", " - "),
    base64.b64encode(f"user:{KEY}".encode()).decode(),
])
def test_what_is_a_credential_is_found_without_being_repeated(text):
    found = find_credential(text, secrets={"OPENAI_API_KEY": KEY})
    assert found and PASSWORD not in found and KEY[:8] not in found, (text, found)


@settings(max_examples=300, deadline=None)
@given(key=st.text(alphabet=string.ascii_letters + string.digits + "-_/+=.", min_size=16, max_size=48),
       form=st.sampled_from(["raw", "first 12", "trimmed", "percent", "plus", "json", "base64", "base64 user",
                             "split", "spaced"]),
       before=st.text(max_size=30), after=st.text(max_size=30))
def test_any_written_form_of_the_key_is_found_and_masked(key, form, before, after):
    written = {
        "raw": key, "first 12": key[:12], "trimmed": f"  {key}\n", "percent": quote(key, safe=""),
        "plus": quote_plus(key), "json": json.dumps(key), "base64": base64.b64encode(key.encode()).decode(),
        "base64 user": base64.b64encode(f"admin:{key}".encode()).decode(),
        "split": key[:9] + "\n  " + key[9:], "spaced": " ".join(key),
    }[form]
    text = before + written + after
    secrets = {"OPENAI_API_KEY": key}
    assert find_credential(text, secrets=secrets) == "the value of OPENAI_API_KEY"
    shown = redact(text, secrets=secrets)
    assert leaks(shown, key) == [], (form, shown)
