"""QuestionFormAnswers: a worker's answers, parsed from XML (spec 2.3) and built from a mapping.

Answers are not checked against the form here (MTurk only guarantees schema conformance): answers to
unknown questions or selections are kept and simply never match a key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.etree.ElementTree import Element

from .question_form import MAX_UPLOAD_BYTES, AnswerKind, Question, QuestionForm
from .reader import ANSWERS_NS, MAX_XML_BYTES, Reader, escape_text, parse_document, split_tag

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'


@dataclass(frozen=True, slots=True)
class Answer:
    question_identifier: str
    selection_ids: tuple[str, ...] = ()  # as submitted (order and repeats kept)
    other_selection_text: str | None = None
    free_text: str | None = None
    uploaded_file_size: int | None = None
    uploaded_file_key: str | None = None

    @property
    def kind(self) -> AnswerKind:
        if self.free_text is not None:
            return "free_text"
        return "file_upload" if self.uploaded_file_key is not None else "selection"


@dataclass(frozen=True, slots=True, eq=False)
class QuestionFormAnswers(Mapping[str, Answer]):
    """A worker's answers by question identifier; compares like a dict."""

    answers: tuple[Answer, ...] = ()
    _index: Mapping[str, Answer] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index = {a.question_identifier: a for a in self.answers}
        if len(index) != len(self.answers):
            raise ValueError("at most one Answer per question")
        object.__setattr__(self, "_index", MappingProxyType(index))

    def __getitem__(self, key: str) -> Answer:
        return self._index[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


# ---------------------------------------------------------------- QuestionFormAnswers


def parse_answers(xml: str, *, parameter: str = "Answer") -> QuestionFormAnswers:
    root = parse_document(xml, parameter, "QuestionFormAnswers", (ANSWERS_NS,))
    reader = Reader(parameter, ANSWERS_NS)
    answers = [_answer(reader, el) for el in reader.sequence(root, (("Answer", 0, None),))["Answer"]]
    seen: set[str] = set()
    for a in answers:
        if a.question_identifier in seen:
            reader.fail(f"more than one Answer for question {a.question_identifier!r}")
        seen.add(a.question_identifier)
    return QuestionFormAnswers(tuple(answers))


def _answer(reader: Reader, el: Element) -> Answer:
    # The second child tells which of the three answer shapes this is.
    second = split_tag(el[1].tag)[1] if len(el) > 1 else ""
    qid: tuple[str, int, int | None] = ("QuestionIdentifier", 1, 1)
    if second == "FreeText":
        parts = reader.sequence(el, (qid, ("FreeText", 1, 1)))
        identifier = reader.identifier(parts["QuestionIdentifier"][0])
        return Answer(identifier, free_text=reader.text(parts["FreeText"][0]))
    if second == "UploadedFileSizeInBytes":
        parts = reader.sequence(el, (qid, ("UploadedFileSizeInBytes", 1, 1), ("UploadedFileKey", 1, 1)))
        return Answer(
            reader.identifier(parts["QuestionIdentifier"][0]),
            uploaded_file_size=reader.integer(parts["UploadedFileSizeInBytes"][0], 0, MAX_UPLOAD_BYTES),
            uploaded_file_key=reader.identifier(parts["UploadedFileKey"][0]),
        )
    parts = reader.sequence(el, (qid, ("SelectionIdentifier", 0, None), ("OtherSelectionText", 0, 1)))
    other = parts["OtherSelectionText"]
    return Answer(
        reader.identifier(parts["QuestionIdentifier"][0]),
        tuple(reader.identifier(s) for s in parts["SelectionIdentifier"]),
        other_selection_text=reader.text(other[0]) if other else None,
    )


# ---------------------------------------------------------------- building answers


def build_answers(mapping: Mapping[str, str | Iterable[str]], form: QuestionForm | None = None) -> str:
    """QuestionFormAnswers XML as the service sends it. A string is one selection, or the text of a
    free-text question when `form` says so; an iterable of strings is a set of selections."""
    body = "".join(_answer_xml(qid, value, form) for qid, value in mapping.items())
    xml = f'{XML_DECLARATION}<QuestionFormAnswers xmlns="{ANSWERS_NS}">{body}</QuestionFormAnswers>'
    if len(xml.encode("utf-8")) > MAX_XML_BYTES:  # escape_text has already refused surrogates
        raise ValueError(f"the answers would be larger than {MAX_XML_BYTES} bytes")
    return xml


def _answer_xml(qid: str, value: str | Iterable[str], form: QuestionForm | None) -> str:
    question = _question_for(qid, form)
    head = f"<Answer><QuestionIdentifier>{_identifier_xml(qid, 'question identifier')}</QuestionIdentifier>"
    kind = question.answer_kind if question else "selection"
    if kind == "file_upload":
        raise ValueError(f"question {qid!r} takes a file upload, which build_answers cannot produce")
    if kind == "free_text":
        if not isinstance(value, str):
            raise ValueError(f"question {qid!r} is a free-text question and needs a string")
        text = f"<FreeText>{escape_text(value, 'free text')}</FreeText>" if value else "<FreeText/>"
        return f"{head}{text}</Answer>"
    selections = (value,) if isinstance(value, str) else tuple(value)
    parts = [head]
    for sid in selections:
        if not isinstance(sid, str):
            raise TypeError(f"selection identifiers must be strings, got {type(sid).__name__}")
        if question and sid not in question.selection_ids:
            raise ValueError(f"question {qid!r} has no selection {sid!r}")
        sid_xml = _identifier_xml(sid, "selection identifier")
        parts.append(f"<SelectionIdentifier>{sid_xml}</SelectionIdentifier>")
    return "".join(parts) + "</Answer>"


def _question_for(qid: str, form: QuestionForm | None) -> Question | None:
    if not isinstance(qid, str):
        raise TypeError(f"question identifiers must be strings, got {type(qid).__name__}")
    if form is None:
        return None
    question = form.by_identifier.get(qid)
    if question is None:
        raise ValueError(f"question {qid!r} is not in the QuestionForm")
    return question


def _identifier_xml(value: str, what: str) -> str:
    if not value.strip(" \t\r\n"):
        raise ValueError(f"a {what} must not be blank")
    return escape_text(value, what)
