"""The API's JSON: what a request may hold (checked strictly: an unknown field is refused, so
a misspelt ``"stict"`` is never silently ignored), and what an answer holds (for the OpenAPI
schema; the answers themselves are ``Summary.to_dict()``, as ``summarize -f json`` writes)."""

from __future__ import annotations

from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError

SettingValue = Union[bool, int, float, str, None]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: Optional[str] = Field(None, description="The story as text (the CNBC layout's title and key points "
                                                  "are recognised; only the body is summarized).")
    html: Optional[str] = Field(None, description="A web page's HTML: its story paragraphs are the article.")
    url: Optional[str] = Field(None, description="An http(s) URL to fetch; addresses of the server's machine "
                                                 "and private networks are refused unless it allows them.")
    any_page: bool = Field(False, description="Read a page that does not look like an article (`--any-page`).")
    body: bool = Field(False, description="Add the article's body to the answer, which the key points' "
                                          "offsets index (the web page highlights them).")

    def source(self) -> tuple[str, str]:
        """``("text" | "html" | "url", value)``; exactly one must be given."""
        given = [(k, v) for k, v in (("text", self.text), ("html", self.html), ("url", self.url)) if v is not None]
        if len(given) != 1:
            raise InputError(f"give exactly one of text, html or url (got {', '.join(k for k, _ in given) or 'none'})")
        return given[0]


class SummarizeRequest(_Request):
    n: Optional[int] = Field(None, ge=1, description="Key points wanted; null: as many as the story calls for.")
    strict: bool = Field(False, description="Leave out abstractive key points that name a number, date or name "
                                            "the article lacks (`--strict`).")
    score: bool = Field(False, description="Score the key points against the article's own (`references`, where "
                                           "it has them) with ROUGE, as `summarize --score` does: "
                                           "`references.rouge` and `references.signature`.")
    settings: dict[str, SettingValue] = Field(
        default_factory=dict, description="Model settings (as `-o KEY=VALUE`), only those the server allows per "
                                          "request (`summarize serve --request-setting KEY`); see GET /v1/models.")


class CheckRequest(_Request):
    key_points: Union[list[str], str] = Field(..., description="The key points to check: a list, or one a line "
                                                                "(bullets and numbers in front are ignored).")


class SupportOut(BaseModel):
    sentence: int
    score: float
    span: list[int]


class FlagOut(BaseModel):
    kind: str
    text: str


class KeyPointOut(BaseModel):
    text: str
    score: Optional[float]
    sentences: list[int] = Field(description="Indices of the body's sentences it came from.")
    spans: list[list[int]] = Field(description="(start, end) character offsets of those sentences in the body.")
    support: Optional[list[SupportOut]] = Field(None, description="Abstractive: the closest body sentences.")
    flags: Optional[list[FlagOut]] = Field(None, description="Abstractive: numbers, dates, names the body lacks.")


class RougeOut(BaseModel):
    precision: float
    recall: float
    fmeasure: float


class ReferencesOut(BaseModel):
    source: str = Field(description="Where they were found, e.g. \"the page's Key Points list\".")
    key_points: list[str] = Field(description="The article's own key points, written by people.")
    rouge: Optional[dict[str, RougeOut]] = Field(None, description="With `score`: ROUGE of the key points "
                                                                   "against these (0 to 1), by metric.")
    signature: Optional[str] = Field(None, description="With `score`: the scorer's signature line.")


class SummaryOut(BaseModel):
    """The object `summarize -f json` writes (and `summarize check -f json`)."""

    name: Optional[str] = Field(None, description="The URL, for a fetched page.")
    title: Optional[str] = None
    author: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    key_points: list[KeyPointOut]
    references: Optional[ReferencesOut] = Field(None, description="The article's own key points (a CNBC layout's, "
                                                                  "a page's Key Points list or highlights), where "
                                                                  "it has them.")
    model: str
    settings: dict[str, Any]
    num_sentences: int
    info: Optional[dict[str, Any]] = None
    body: Optional[str] = Field(None, description="Only when the request asked for it.")


class ErrorOut(BaseModel):
    error: str = Field(description="One line, as the command line prints it.")


class ModelsOut(BaseModel):
    model: str = Field(description="The model this server runs, as --model named it.")
    backend: str
    settings: dict[str, Any] = Field(description="Its settings, each with its value.")
    request_settings: list[str] = Field(description="Settings a request may change.")
    known: list[str] = Field(description="The registered model names.")


class HealthOut(BaseModel):
    status: str
    model: str
    waiting: int = Field(description="Requests in the queue now.")
    queue_size: int
    api_key: bool = Field(description="Whether requests to /v1/ need 'Authorization: Bearer KEY'.")
