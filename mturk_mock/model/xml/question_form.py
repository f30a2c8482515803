"""The QuestionForm model and its parser (spec section 2.2).

Choices where the spec is silent (all [I]):
* FileUploadAnswer and Application were dropped by the service in December 2017: the 2017-11-06 schema lacks
  them and the 2005-10-01 one "works if they are not used". They are accepted only in a 2005-10-01 form
  parsed with qualification_test=False (a legacy HIT question); a qualification test never allows them.
* Structure follows the XSD sequences (element order matters); attributes are ignored; identifiers are
  compared verbatim (xs:string keeps whitespace) and must not be blank; IsRequired takes xs:boolean
  (true/false/1/0). Min/MaxSelectionCount default to 1 (XSD) and are xs:int-bounded.
* Content (Overview, QuestionContent) may hold any number of Title/Text/List/Binary/EmbeddedBinary/
  FormattedContent, checked by name only, not inside; likewise the children of FreeTextAnswer and
  OtherSelection (Constraints, DefaultText, NumberOfLinesSuggestion) are checked by name and order only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal
from xml.etree.ElementTree import Element

from .reader import QUESTION_FORM_NS_2005, QUESTION_FORM_NS_2017, Reader, parse_document, split_tag

AnswerKind = Literal["selection", "free_text", "file_upload"]
QUESTION_FORM_NAMESPACES = (QUESTION_FORM_NS_2017, QUESTION_FORM_NS_2005)
STYLE_SUGGESTIONS = frozenset({"radiobutton", "checkbox", "list", "dropdown", "combobox", "multichooser"})
_CONTENT_ELEMENTS = frozenset({"Title", "Text", "List", "Binary", "EmbeddedBinary", "FormattedContent"})
_ANSWER_KINDS: dict[str, AnswerKind] = {
    "SelectionAnswer": "selection",
    "FreeTextAnswer": "free_text",
    "FileUploadAnswer": "file_upload",
}
MAX_UPLOAD_BYTES = 2_000_000_000  # FileUploadAnswer's documented ceiling


@dataclass(frozen=True, slots=True)
class TextConstraints:
    """A FreeTextAnswer's Constraints: a number within bounds, a length, regular expressions to match."""

    is_numeric: bool = False
    min_value: int | None = None
    max_value: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    patterns: tuple[tuple[re.Pattern[str], str | None], ...] = ()  # (expression, its errorText)


@dataclass(frozen=True, slots=True)
class Question:
    identifier: str
    answer_kind: AnswerKind
    display_name: str | None = None
    is_required: bool = False
    selection_ids: tuple[str, ...] = ()  # document order; selection answers only
    has_other_selection: bool = False
    min_selection_count: int | None = None  # None unless answer_kind == "selection"
    max_selection_count: int | None = None
    style_suggestion: str | None = None
    constraints: TextConstraints | None = None  # free text (and OtherSelection) only
    file_sizes: tuple[int, int] | None = None  # (min, max) bytes of a FileUploadAnswer


@dataclass(frozen=True, slots=True)
class QuestionForm:
    questions: tuple[Question, ...]
    namespace: str = QUESTION_FORM_NS_2017
    by_identifier: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {q.identifier: q for q in self.questions}
        if len(index) != len(self.questions):
            raise ValueError("question identifiers must be unique")
        object.__setattr__(self, "by_identifier", MappingProxyType(index))


def parse_question_form(xml: str, *, parameter: str = "Test", qualification_test: bool = True) -> QuestionForm:
    root = parse_document(xml, parameter, "QuestionForm", QUESTION_FORM_NAMESPACES)
    return read_question_form(root, parameter, qualification_test)


def read_question_form(root: Element, parameter: str, qualification_test: bool) -> QuestionForm:
    """The QuestionForm of a parsed document whose root is a QuestionForm element."""
    form = _FormReader(parameter, split_tag(root.tag)[0], qualification_test)
    form.no_text(root)
    questions: list[Question] = []
    for child in root:
        local = form.local(child)
        if local == "Question":
            questions.append(form.question(child))
        elif local == "Overview":
            form.content(child)
        else:
            form.fail(f"unexpected element {local} in QuestionForm")
    if not questions:
        form.fail("a QuestionForm needs at least one Question")
    seen: set[str] = set()
    for q in questions:
        if q.identifier in seen:
            form.fail(f"duplicate QuestionIdentifier {q.identifier!r}")
        seen.add(q.identifier)
    return QuestionForm(tuple(questions), form.ns)


class _FormReader(Reader):
    __slots__ = ("qualification_test",)

    def __init__(self, parameter: str, ns: str, qualification_test: bool) -> None:
        super().__init__(parameter, ns)
        self.qualification_test = qualification_test

    def deprecated(self, name: str) -> None:
        if self.qualification_test:
            self.fail(f"{name} is not allowed in a qualification test")
        if self.ns != QUESTION_FORM_NS_2005:
            self.fail(f"{name} is not part of the 2017-11-06 QuestionForm schema")

    def content(self, el: Element) -> None:
        self.no_text(el)
        for child in el:
            local = self.local(child)
            if local == "Application":
                self.deprecated(local)
            elif local not in _CONTENT_ELEMENTS:
                self.fail(f"unexpected element {local} in {split_tag(el.tag)[1]}")

    def question(self, el: Element) -> Question:
        parts = self.sequence(
            el,
            (
                ("QuestionIdentifier", 1, 1),
                ("DisplayName", 0, 1),
                ("IsRequired", 0, 1),
                ("QuestionContent", 1, 1),
                ("AnswerSpecification", 1, 1),
            ),
        )
        identifier = self.identifier(parts["QuestionIdentifier"][0])
        display_name = self.text(parts["DisplayName"][0]) if parts["DisplayName"] else None
        is_required = self.boolean(parts["IsRequired"][0]) if parts["IsRequired"] else False
        self.content(parts["QuestionContent"][0])
        name, answer = self.choice(parts["AnswerSpecification"][0], tuple(_ANSWER_KINDS))
        base = Question(identifier, _ANSWER_KINDS[name], display_name, is_required)
        if name == "SelectionAnswer":
            return self.selection_answer(answer, base)
        if name == "FreeTextAnswer":
            return replace(base, constraints=self.free_text_answer(answer))
        self.deprecated(name)
        return replace(base, file_sizes=self.file_upload_answer(answer))

    def free_text_answer(self, el: Element) -> TextConstraints | None:
        parts = self.sequence(el, (("Constraints", 0, 1), ("DefaultText", 0, 1), ("NumberOfLinesSuggestion", 0, 1)))
        return self.constraints(parts["Constraints"][0]) if parts["Constraints"] else None

    def constraints(self, el: Element) -> TextConstraints:
        parts = self.sequence(el, (("IsNumeric", 0, 1), ("Length", 0, 1), ("AnswerFormatRegex", 0, None)))
        numeric, length = parts["IsNumeric"], parts["Length"]
        patterns = []
        for regex in parts["AnswerFormatRegex"]:
            expression = regex.get("regex")
            if expression is None:
                self.fail("AnswerFormatRegex needs a regex attribute")
            flags = re.IGNORECASE if "i" in (regex.get("flags") or "") else 0
            try:
                patterns.append((re.compile(expression, flags), regex.get("errorText")))
            except re.error as error:
                self.fail(f"AnswerFormatRegex {expression[:40]!r} is not a regular expression: {error}")
        return TextConstraints(
            bool(numeric),
            self.attribute_int(numeric, "minValue"),
            self.attribute_int(numeric, "maxValue"),
            self.attribute_int(length, "minLength"),
            self.attribute_int(length, "maxLength"),
            tuple(patterns),
        )

    def attribute_int(self, elements: list[Element], name: str) -> int | None:
        if not elements or elements[0].get(name) is None:
            return None
        value = (elements[0].get(name) or "").strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", value):
            self.fail(f"{name} must be an integer, not {value[:40]!r}")
        return int(value)

    def file_upload_answer(self, el: Element) -> tuple[int, int]:
        parts = self.sequence(el, (("MaxFileSizeInBytes", 1, 1), ("MinFileSizeInBytes", 1, 1)))
        most = self.integer(parts["MaxFileSizeInBytes"][0], 0, MAX_UPLOAD_BYTES)
        least = self.integer(parts["MinFileSizeInBytes"][0], 0, MAX_UPLOAD_BYTES)
        if least > most:
            self.fail("MinFileSizeInBytes is greater than MaxFileSizeInBytes")
        return least, most

    def selection_answer(self, el: Element, base: Question) -> Question:
        parts = self.sequence(
            el,
            (
                ("MinSelectionCount", 0, 1),
                ("MaxSelectionCount", 0, 1),
                ("StyleSuggestion", 0, 1),
                ("Selections", 1, 1),
            ),
        )
        least = self.integer(parts["MinSelectionCount"][0], 0) if parts["MinSelectionCount"] else 1
        most = self.integer(parts["MaxSelectionCount"][0], 1) if parts["MaxSelectionCount"] else 1
        if least > most:  # with the XSD defaults: Min alone above 1 is inconsistent too
            self.fail(f"MinSelectionCount {least} is greater than MaxSelectionCount {most}")
        style = self.text(parts["StyleSuggestion"][0]) if parts["StyleSuggestion"] else None
        if style is not None and style not in STYLE_SUGGESTIONS:
            self.fail(f"StyleSuggestion {style[:40]!r} is not one of {', '.join(sorted(STYLE_SUGGESTIONS))}")
        selections = self.sequence(parts["Selections"][0], (("Selection", 1, None), ("OtherSelection", 0, 1)))
        ids = [self.selection(s) for s in selections["Selection"]]
        if len(set(ids)) != len(ids):
            self.fail(f"duplicate SelectionIdentifier in question {base.identifier!r}")
        other = self.free_text_answer(selections["OtherSelection"][0]) if selections["OtherSelection"] else None
        return replace(
            base,
            selection_ids=tuple(ids),
            has_other_selection=bool(selections["OtherSelection"]),
            min_selection_count=least,
            max_selection_count=most,
            style_suggestion=style,
            constraints=other,
        )

    def selection(self, el: Element) -> str:
        parts = self.sequence(
            el,
            (
                ("SelectionIdentifier", 1, 1),
                ("Text", 0, 1),
                ("FormattedContent", 0, 1),
                ("Binary", 0, 1),
            ),
        )
        if len(parts["Text"]) + len(parts["FormattedContent"]) + len(parts["Binary"]) != 1:
            self.fail("a Selection needs exactly one of Text, FormattedContent, Binary")
        return self.identifier(parts["SelectionIdentifier"][0])
