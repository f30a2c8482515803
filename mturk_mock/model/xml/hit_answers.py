"""A worker's answers to a HIT, as the service writes them in an assignment's Answer (spec H§2.3, H§3.6):
from a QuestionForm, checked against it (required questions, selection counts, the free-text
constraints, file sizes); from an ExternalQuestion or HTMLQuestion form post, one free-text answer per
field. Refusals are AnswerRefused with the reason a worker would be shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .answers import XML_DECLARATION, Answer, parse_answers
from .question_form import Question, QuestionForm
from .reader import ANSWERS_NS, InvalidXML, escape_text

# MTurk's own fields of an external form post, never answers (spec H§2.3).
RESERVED_FIELDS = frozenset({"assignmentId", "hitId", "workerId", "turkSubmitTo"})


class AnswerRefused(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FileUpload:
    """A file a worker uploads as the answer to a FileUploadAnswer question."""

    content: bytes


Value = str | Iterable[str] | FileUpload


def _element(name: str, text: str) -> str:
    return f"<{name}>{escape_text(text, name)}</{name}>" if text else f"<{name}/>"


def _document(answers: Iterable[str]) -> str:
    body = "".join(f"<Answer>\n{answer}\n</Answer>\n" for answer in answers)
    return f'{XML_DECLARATION}<QuestionFormAnswers xmlns="{ANSWERS_NS}">\n{body}</QuestionFormAnswers>'


def field_answers(fields: Iterable[tuple[str, str]]) -> str:
    """An external form post: each (name, value) a free-text answer, in order, repeated names kept."""
    answers = [
        f"{_element('QuestionIdentifier', name)}\n{_element('FreeText', value)}"
        for name, value in fields
        if name not in RESERVED_FIELDS
    ]
    if not answers:
        raise AnswerRefused("the form has no answer field besides MTurk's own (assignmentId, hitId, ...)")
    return _document(answers)


def mapping_fields(mapping: Mapping[str, Value]) -> list[tuple[str, str]]:
    """A mapping of field names to a value or a list of values (checkboxes), as form fields."""
    fields = []
    for name, value in mapping.items():
        if isinstance(value, FileUpload):
            raise AnswerRefused(f"field {name!r}: a file can be uploaded only to a QuestionForm's FileUploadAnswer")
        for item in (value,) if isinstance(value, str) else value:
            fields.append((name, str(item)))
    return fields


def form_answers(mapping: Mapping[str, Value], form: QuestionForm) -> tuple[str, dict[str, bytes]]:
    """Answers to a QuestionForm HIT: the document and the uploaded files by question."""
    parts, uploads = [], {}
    for identifier, value in mapping.items():
        question = form.by_identifier.get(identifier)
        if question is None:
            raise AnswerRefused(f"the form has no question {identifier!r}")
        head = _element("QuestionIdentifier", identifier)
        if question.answer_kind == "file_upload":
            if not isinstance(value, FileUpload):
                raise AnswerRefused(f"question {identifier!r} takes a file: pass FileUpload(content)")
            key = f"{identifier}/{hashlib.sha1(value.content).hexdigest()[:16]}"
            uploads[identifier] = value.content
            parts.append(
                f"{head}\n<UploadedFileSizeInBytes>{len(value.content)}</UploadedFileSizeInBytes>\n"
                f"{_element('UploadedFileKey', key)}"
            )
        elif question.answer_kind == "free_text":
            if not isinstance(value, str):
                raise AnswerRefused(f"question {identifier!r} is a free-text question and takes a string")
            parts.append(f"{head}\n{_element('FreeText', value)}")
        else:
            parts.append(head + "".join(f"\n{item}" for item in _selection_parts(question, value)))
    document = _document(parts)
    check_form_answers(document, form, uploads)
    return document, uploads


def _selection_parts(question: Question, value: Value) -> list[str]:
    if isinstance(value, FileUpload):
        raise AnswerRefused(f"question {question.identifier!r} takes selections, not a file")
    chosen = [value] if isinstance(value, str) else list(value)
    parts = []
    for item in chosen:
        if item not in question.selection_ids and question.has_other_selection and isinstance(value, str):
            parts.append(_element("OtherSelectionText", item))
        else:
            parts.append(_element("SelectionIdentifier", item))
    return parts


def check_xml(document: str) -> None:
    """Answers given as XML to a HIT without a QuestionForm: any valid QuestionFormAnswers document."""
    try:
        parse_answers(document)
    except InvalidXML as error:
        raise AnswerRefused(f"the answers are not valid QuestionFormAnswers XML: {error.reason}") from None


def check_form_answers(document: str, form: QuestionForm, uploads: Mapping[str, bytes] | None = None) -> None:
    """The answers must fit the form: every answered question exists, required ones are answered, and each
    answer keeps its question's rules."""
    try:
        answers = parse_answers(document)
    except InvalidXML as error:
        raise AnswerRefused(f"the answers are not valid QuestionFormAnswers XML: {error.reason}") from None
    for identifier in answers:
        if identifier not in form.by_identifier:
            raise AnswerRefused(f"the form has no question {identifier!r}")
    for question in form.questions:
        answer = answers.get(question.identifier)
        if answer is None or _empty(answer):
            if question.is_required:
                raise AnswerRefused(f"question {question.identifier!r} is required")
            continue
        _check_answer(question, answer, (uploads or {}).get(question.identifier))


def _empty(answer: Answer) -> bool:
    return (
        not answer.selection_ids
        and not answer.other_selection_text
        and not answer.free_text
        and answer.uploaded_file_key is None
    )


def _check_answer(question: Question, answer: Answer, upload: bytes | None) -> None:
    identifier = question.identifier
    if question.answer_kind == "selection":
        unknown = [item for item in answer.selection_ids if item not in question.selection_ids]
        if unknown:
            raise AnswerRefused(f"question {identifier!r} has no selection {unknown[0]!r}")
        if answer.other_selection_text is not None and not question.has_other_selection:
            raise AnswerRefused(f"question {identifier!r} has no 'other' answer")
        count = len(answer.selection_ids) + (answer.other_selection_text is not None)
        least, most = question.min_selection_count or 0, question.max_selection_count or count
        if not least <= count <= most:
            raise AnswerRefused(f"question {identifier!r} takes {least} to {most} selections, not {count}")
        if answer.other_selection_text is not None:
            _check_text(question, answer.other_selection_text)
    elif question.answer_kind == "free_text":
        if answer.free_text is None:
            raise AnswerRefused(f"question {identifier!r} is answered with free text")
        _check_text(question, answer.free_text)
    else:
        if answer.uploaded_file_size is None:
            raise AnswerRefused(f"question {identifier!r} is answered with a file")
        least, most = question.file_sizes or (0, 0)
        if not least <= answer.uploaded_file_size <= most or (upload is not None and len(upload) > most):
            raise AnswerRefused(f"question {identifier!r} takes files of {least} to {most} bytes")


def _check_text(question: Question, text: str) -> None:
    rules = question.constraints
    if rules is None:
        return
    identifier = question.identifier
    if (
        rules.min_length is not None
        and len(text) < rules.min_length
        or rules.max_length is not None
        and len(text) > rules.max_length
    ):
        raise AnswerRefused(
            f"the answer to {identifier!r} must be {rules.min_length or 0} to "
            f"{rules.max_length if rules.max_length is not None else 'any'} characters long"
        )
    if rules.is_numeric:
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise AnswerRefused(f"the answer to {identifier!r} must be a number") from None
        if (
            not number.is_finite()
            or (rules.min_value is not None and number < rules.min_value)
            or (rules.max_value is not None and number > rules.max_value)
        ):
            raise AnswerRefused(
                f"the answer to {identifier!r} must be a number from {rules.min_value} to {rules.max_value}"
            )
    for pattern, error_text in rules.patterns:
        if not pattern.fullmatch(text):
            raise AnswerRefused(error_text or f"the answer to {identifier!r} does not have the required format")
