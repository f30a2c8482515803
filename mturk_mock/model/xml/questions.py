"""A HIT's Question: ExternalQuestion, HTMLQuestion or QuestionForm, parsed safely and checked against its
schema (spec H§3.1-3.4); and HIT layouts, the templates a test registers because the API cannot make them
(spec H§3.5).

Choices where the record is silent (all [I]): FrameHeight is any integer >= 0; HTML inside an
HTMLQuestion is not validated (the service's validator is lenient in practice, and a false refusal
breaks users' tests); an ExternalURL must be an absolute https URL with a host.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from .question_form import QuestionForm, read_question_form
from .reader import (
    QUESTION_FORM_NS_2005,
    QUESTION_FORM_NS_2017,
    SCHEMAS,
    InvalidXML,
    Reader,
    parse_one_of,
    split_tag,
    utf8_length,
)

EXTERNAL_QUESTION_NS = SCHEMAS + "2006-07-14/ExternalQuestion.xsd"
HTML_QUESTION_NS = SCHEMAS + "2011-11-11/HTMLQuestion.xsd"
MAX_QUESTION_BYTES = 65535
_ROOTS = {
    "ExternalQuestion": (EXTERNAL_QUESTION_NS,),
    "HTMLQuestion": (HTML_QUESTION_NS,),
    "QuestionForm": (QUESTION_FORM_NS_2017, QUESTION_FORM_NS_2005),
}
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class NotHttps(InvalidXML):
    """An ExternalURL that is not https: the service answers with its own message for this."""

    def __init__(self, url: str) -> None:
        super().__init__("ExternalURL", "the URL must use the HTTPS protocol")
        self.url = url


@dataclass(frozen=True, slots=True)
class Question:
    """What a worker is shown. ``kind`` is ExternalQuestion, HTMLQuestion or QuestionForm."""

    kind: str
    external_url: str | None = None
    html_content: str | None = None
    frame_height: int | None = None
    form: QuestionForm | None = None


@functools.lru_cache(maxsize=512)
def parse_question(xml: str) -> Question:
    """The parsed Question, or InvalidXML (NotHttps for a non-https ExternalURL). Batches publish the same
    question many times, so parses are memoized (a Question is immutable; refusals are not memoized)."""
    if len(xml) > MAX_QUESTION_BYTES or utf8_length(xml, "Question") > MAX_QUESTION_BYTES:
        raise InvalidXML("Question", f"the Question is larger than {MAX_QUESTION_BYTES} bytes")
    root = parse_one_of(xml, "Question", _ROOTS)
    kind = split_tag(root.tag)[1]
    if kind == "QuestionForm":
        return Question(kind, form=read_question_form(root, "Question", qualification_test=False))
    reader = Reader("Question", split_tag(root.tag)[0])
    if kind == "ExternalQuestion":
        parts = reader.sequence(root, (("ExternalURL", 1, 1), ("FrameHeight", 1, 1)))
        url = reader.text(parts["ExternalURL"][0]).strip()
        _check_url(url)
        return Question(kind, external_url=url, frame_height=_frame_height(reader, parts))
    parts = reader.sequence(root, (("HTMLContent", 1, 1), ("FrameHeight", 1, 1)))
    content = reader.text(parts["HTMLContent"][0])
    if not content.strip():
        reader.fail("HTMLContent is empty")
    return Question(kind, html_content=content, frame_height=_frame_height(reader, parts))


def _frame_height(reader: Reader, parts: dict[str, list[Element]]) -> int:
    return reader.integer(parts["FrameHeight"][0], 0)


def _check_url(url: str) -> None:
    try:
        split = urlsplit(url)
    except ValueError:
        raise InvalidXML("Question", "ExternalURL is not a URL") from None
    if split.scheme.lower() != "https":
        raise NotHttps(url)
    if not split.hostname:
        raise InvalidXML("Question", "ExternalURL has no host")


# -- layouts ------------------------------------------------------------------------------------------


def placeholders(template: str) -> frozenset[str]:
    """The ``${name}`` placeholders of a layout."""
    return frozenset(_PLACEHOLDER.findall(template))


def render_layout(template: str, values: dict[str, str]) -> str:
    """The HTMLQuestion a layout HIT shows: the template with every placeholder replaced by its value,
    HTML-escaped. The caller has checked that ``values`` covers every placeholder."""
    content = _PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)]), template)
    cdata = "<![CDATA[" + content.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return (
        f'<HTMLQuestion xmlns="{HTML_QUESTION_NS}"><HTMLContent>{cdata}</HTMLContent>'
        "<FrameHeight>0</FrameHeight></HTMLQuestion>"
    )
