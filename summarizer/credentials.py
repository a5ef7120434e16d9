"""What looks like a credential, so that none is recorded or shown (a leaf).

A run records its command line and its model settings (``run.json``, ``report.json``,
``report.md``, ``report.html``, each summary's settings), and its messages are shown and
logged. The one way in for a key is the environment (``OPENAI_API_KEY``, which the openai
runtime sends in the ``Authorization`` header and nowhere else); anything else that looks
like a credential is refused before it is written (:func:`refuse_credentials`), and the
message says what kind of thing it found, never the thing.

:func:`find_credential` looks in a text (and in the JSON a text holds, keys and values) for:
the value of a key variable of the environment in any form it may be written in (whole,
trimmed, its first 12 characters, its whitespace changed, percent-encoded, JSON-escaped,
base64, or inside a base64 ``user:key``); a user name or password in a URL; a credential in
a URL's query; a field named like a credential; an ``Authorization``-style value
(``Bearer ...``); and the shapes of well-known keys (``sk-...``, ``hf_...``, ``ghp_...``).
:func:`redact` masks the same things in a text that must be shown anyway.

>>> find_credential("http://127.0.0.1:8080/v1") is None
True
>>> find_credential("http://me:hunter2@host/v1")
'a user name or password in a URL'
>>> find_credential("https://host/v1?api_key=abc123")
"a credential in a URL's query ('api_key')"
>>> find_credential('{"repeat_penalty": 1.1, "headers": {"Authorization": "x"}}')
"a field named like a credential ('Authorization')"
>>> redact("summarize eval --api-base http://me:hunter2@host/v1?token=abc&x=1")
'summarize eval --api-base http://***@host/v1?token=***&x=1'
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, unquote, unquote_plus, urlsplit

from .errors import UsageError

# The environment variables that hold a key this package (or a library it loads) may send.
KEY_VARIABLES = ("OPENAI_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
MIN_FORM = 8  # a shorter piece of a secret is too common a string to look for
PREFIX = 12  # a key's first characters, as logs that shorten a key show it
MASK = "***"

# Words that make a field or query name a credential's ("api_key", "X-Api-Key", "accessToken",
# "Authorization"); "tokens" is not among them: "max_tokens" and "skip_special_tokens" are
# request fields.
_WORDS = frozenset({"key", "apikey", "token", "secret", "password", "passwd", "pwd", "passphrase", "auth",
                    "authorization", "authentication", "bearer", "cookie", "credential", "credentials", "sig",
                    "signature", "jwt", "code"})
_PARTS = ("apikey", "secret", "passw", "authoriz", "credential", "bearer", "cookie")  # inside one word
_ENDINGS = ("key", "token", "secret")  # "accesstoken", "xapikey", "clientsecret"
# Values an Authorization header carries: the scheme, then something token-shaped.
_HEADER_VALUE = re.compile(r"(?i)\b(bearer|basic|digest)(\s+)([A-Za-z0-9._~+/=\-]{8,})")
# The shapes of well-known keys (OpenAI, Anthropic, Hugging Face, GitHub, Slack, AWS, Google, GitLab, JWT).
_KEY_SHAPES = re.compile(
    r"(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_\-]{16,}|hf_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9\-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)")
_URL = re.compile(r"(?i)(?:\b[a-z][a-z0-9+.\-]*:)?//[^\s\"'<>`]+")
_USERINFO = re.compile(r"(?i)((?:\b[a-z][a-z0-9+.\-]*:)?//)([^/?#\s\"'<>`@]*)@")
_BARE_USERINFO = re.compile(r"^[^\s/?#@:]+:[^\s/?#@]*@[^\s/?#@]+")  # user:pass@host, no scheme
_QUERY_PAIR = re.compile(r"([?&;])([^=&;#\s\"'<>`]+)=([^&;#\s\"'<>`]*)")
# name=value or "name": "value" with an unmistakable credential's name
_ASSIGNMENT = re.compile(r"(?i)(?<![A-Za-z0-9])(api[_\-]?key|x[_\-]api[_\-]key|access[_\-]?token|auth[_\-]?token"
                         r"|refresh[_\-]?token|client[_\-]?secret|secret[_\-]?key|password|passwd|authorization)"
                         r"[\"']?\s*[:=]\s*[\"']?(?=[^\s\"',}])")
_BASE64 = re.compile(r"[A-Za-z0-9+/_\-]{12,}={0,2}")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


def environment_secrets(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The keys in the environment, by variable (those long enough to look for)."""
    env = os.environ if environ is None else environ
    return {name: env[name] for name in KEY_VARIABLES if len(env.get(name, "").strip()) >= MIN_FORM}


def secret_forms(secret: str) -> set[str]:
    """The ways ``secret`` may be written: whole, trimmed, its first characters, its whitespace
    changed, percent-encoded, JSON-escaped, base64 (pieces shorter than ``MIN_FORM`` are left out).

    >>> {"ab cd/ef+gh", "abcd/ef+gh", "ab%20cd%2Fef%2Bgh", "YWIgY2QvZWYrZ2g="} <= secret_forms(" ab cd/ef+gh")
    True
    """
    import base64  # here: the commands' start-up does not pay for it

    s = secret.strip()
    forms = {secret, s, s[:PREFIX], " ".join(s.split()), "".join(s.split()), quote(s, safe=""), quote_plus(s),
             json.dumps(s)[1:-1], s.encode("unicode_escape").decode("ascii")}
    for raw in (s.encode("utf-8"), secret.encode("utf-8")):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encode(raw).decode("ascii"))
            forms.add(encode(raw).decode("ascii").rstrip("="))
    return {f for f in forms if len(f) >= MIN_FORM}


def _views(text: str) -> list[str]:
    """``text`` as written, percent-decoded, and both without whitespace."""
    views = [text]
    for decode in (unquote, unquote_plus):
        try:
            views.append(decode(text, errors="strict"))
        except UnicodeDecodeError:  # a percent-escape that is not UTF-8: the text as written is still read
            pass
    return views + ["".join(v.split()) for v in views]


def _decoded_base64(text: str) -> Iterable[str]:
    """Each run of base64 characters in ``text``, decoded from each of the 4 places it may begin
    (a run can start with the text's own letters) in both alphabets."""
    import base64
    import binascii

    for run in _BASE64.findall(text):
        run = run.rstrip("=")
        for shift in range(4):
            part = run[shift:]
            part = part[: len(part) - len(part) % 4] if len(part) % 4 == 1 else part
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    yield decode(part + "=" * (-len(part) % 4)).decode("utf-8", errors="ignore")
                except (binascii.Error, ValueError):
                    continue


def holds_secret(text: str, secrets: Iterable[str]) -> bool:
    """Whether ``text`` holds one of ``secrets`` in any of its forms (:func:`secret_forms`)."""
    secrets = [s for s in secrets if len(s.strip()) >= MIN_FORM]
    if not secrets or not text:
        return False
    views = _views(text)
    forms = set().union(*(secret_forms(s) for s in secrets))
    squeezed = {"".join(f.split()) for f in forms}
    if any(f in v for v in views for f in forms | squeezed):
        return True
    return any(s.strip() in d or "".join(s.split()) in "".join(d.split())
               for d in _decoded_base64(text) for s in secrets)


def credential_name(name: str) -> bool:
    """Whether a field or query name is a credential's.

    >>> [credential_name(n) for n in ("api_key", "X-Api-Key", "accessToken", "Authorization", "max_tokens", "top_k")]
    [True, True, True, True, False, False]
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]
    joined = "".join(words)
    return (any(w in _WORDS or w.endswith(_ENDINGS) for w in words)
            or any(p in joined for p in _PARTS))


def _shown(name: str) -> str:
    return repr(name) if _SAFE_NAME.match(name) and not _KEY_SHAPES.search(name) else "a long or odd name"


def _in_url(text: str) -> str | None:
    for view in _views(text)[:3]:
        if _USERINFO.search(view):
            return "a user name or password in a URL"
        for token in view.split():
            token = token.strip("\"'`()<>,;")
            if _BARE_USERINFO.match(token) and not token.lower().startswith("mailto:"):
                return "a user name or password in a URL"
        for url in _URL.findall(view):
            try:
                parts = urlsplit(url if "//" in url else "//" + url)
                query = parts.query + "&" + parts.fragment
            except ValueError:  # not a URL urllib can split ("http://[::1/x"): its query read by hand
                query = url.partition("?")[2].replace("#", "&")
            for name, _ in parse_qsl(query, keep_blank_values=True):
                if credential_name(name):
                    return f"a credential in a URL's query ({_shown(name)})"
    return None


def find_credential(value: Any, *, secrets: Mapping[str, str] | None = None) -> str | None:
    """What in ``value`` (a text, or JSON-like data) looks like a credential, in a few words that
    never repeat it; None when nothing does. ``secrets``: the keys to look for in every form,
    by where they come from (default: :func:`environment_secrets`)."""
    secrets = environment_secrets() if secrets is None else secrets
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(k, str) and credential_name(k):
                return f"a field named like a credential ({_shown(k)})"
            found = find_credential(k, secrets=secrets) or find_credential(v, secrets=secrets)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return next((f for f in (find_credential(v, secrets=secrets) for v in value) if f), None)
    if not isinstance(value, str):
        return None
    for name, secret in secrets.items():
        if holds_secret(value, [secret]):
            return f"the value of {name}"
    if value.strip()[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, (dict, list)):
            found = find_credential(parsed, secrets=secrets)
            if found:
                return found
    found = _in_url(value)
    if found:
        return found
    for view in _views(value)[:3]:
        if any(_token_like(m.group(3)) for m in _HEADER_VALUE.finditer(view)):
            return "an Authorization header's value"
        if _KEY_SHAPES.search(view):
            return "something shaped like an API key"
        m = _ASSIGNMENT.search(view)
        if m:
            return f"a credential given as {_shown(m.group(1))}"
    return None


def _token_like(token: str) -> bool:
    """A header's token rather than a word ("Basic information" is prose): a digit, a sign,
    or upper and lower case after the first letter."""
    rest = token[1:]
    return (any(c.isdigit() for c in token) or any(c in "+/=_-.~" for c in token)
            or (any(c.isupper() for c in rest) and any(c.islower() for c in rest)))


def refuse_credentials(where: str, value: Any, *, secrets: Mapping[str, str] | None = None) -> None:
    """A :class:`~summarizer.errors.UsageError` when ``value`` holds what looks like a
    credential; the message names ``where`` and what kind of thing, never the thing."""
    found = find_credential(value, secrets=secrets)
    if found:
        raise UsageError(f"{where} holds what looks like a credential ({found}); the settings and the command "
                         "are recorded with the results and shown again, so it is refused: leave it out (a "
                         f"server's key is read from {KEY_VARIABLES[0]} and written nowhere)")


def redact(text: str, *, secrets: Mapping[str, str] | None = None) -> str:
    """``text`` with what looks like a credential masked: the environment's keys in their
    written forms, a URL's user part, a credential's query value, a header's token, a key's
    shape. A text that still holds a key after that (split across lines, say) is withheld whole.

    >>> redact("Error: Bearer sk-abcdefghijklmnopqrstuvwx refused", secrets={})
    'Error: Bearer *** refused'
    >>> redact("the key was abcd-efgh\\n-ijkl-mnop", secrets={"OPENAI_API_KEY": "abcd-efgh-ijkl-mnop"})
    '(withheld: it held the value of OPENAI_API_KEY in a form that could not be masked)'
    """
    secrets = environment_secrets() if secrets is None else secrets
    if not text:
        return text
    forms = sorted(set().union(*(secret_forms(s) for s in secrets.values())) if secrets else set(), key=len,
                   reverse=True)
    for form in forms:
        text = text.replace(form, MASK)
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    text = " ".join(MASK + t[t.index("@"):] if _BARE_USERINFO.match(t) and not t.lower().startswith("mailto:")
                    else t for t in text.split(" "))
    text = _QUERY_PAIR.sub(lambda m: m.group(1) + m.group(2) + "=" + (MASK if credential_name(unquote(m.group(2)))
                                                                      else m.group(3)), text)
    text = _HEADER_VALUE.sub(lambda m: m.group(1) + m.group(2) + (MASK if _token_like(m.group(3)) else m.group(3)),
                             text)
    text = _KEY_SHAPES.sub(MASK, text)
    for name, secret in secrets.items():
        if holds_secret(text, [secret]):
            return f"(withheld: it held the value of {name} in a form that could not be masked)"
    return text
