"""A QuestionForm as an accessible HTML form, and a form post back as QuestionFormAnswers.

The model's parser keeps a form's structure and rules; what a worker reads (titles, texts, lists,
images, selection labels) is read here from the same XML. Each question becomes a fieldset with a
legend; its rules become HTML attributes the browser enforces (required, minlength/maxlength, type
number with min/max, pattern with its errorText as title) and a hint tied to the field with
aria-describedby. The server checks the answers again when they are submitted.

FormattedContent (an XHTML subset) is reduced to a list of harmless tags without attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import Element

from ..model.xml.question_form import QUESTION_FORM_NAMESPACES, Question, QuestionForm
from ..model.xml.reader import ANSWERS_NS, parse_one_of, split_tag
from ..model.xml.reader import escape_text as xml_escape
from .http import Fields

ANSWER, OTHER = "answer.", "other."  # form field name prefixes: no clash with csrf_token
OTHER_CHOICE = "__mturk_mock_other__"  # the value of the radio button or option that picks "other"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
_SAFE_TAGS = frozenset(
    [
        "b",
        "i",
        "em",
        "strong",
        "u",
        "s",
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "pre",
        "code",
        "blockquote",
        "sub",
        "sup",
        "span",
        "div",
        "hr",
        "dl",
        "dt",
        "dd",
    ]
)
_VOID = frozenset({"br", "hr"})


@dataclass(frozen=True)
class Block:
    """One piece of a question's content: title, text, list, image, link or (sanitized) html."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    url: str = ""
    html: str = ""


@dataclass(frozen=True)
class Choice:
    identifier: str
    label: str
    html: str = ""


@dataclass(frozen=True)
class Field:
    """One question as the template draws it."""

    identifier: str
    name: str
    dom_id: str
    display_name: str | None
    required: bool
    content: tuple[Block, ...]
    widget: str  # text, textarea, number, radio, checkbox, select, file
    attributes: dict[str, str] = field(default_factory=dict)  # HTML attributes of the input
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    other: bool = False
    other_attributes: dict[str, str] = field(default_factory=dict)
    default: str = ""

    @property
    def other_name(self) -> str:
        return OTHER + self.identifier

    @property
    def other_value(self) -> str:
        return OTHER_CHOICE


@dataclass(frozen=True)
class FormView:
    overview: tuple[Block, ...]
    fields: tuple[Field, ...]


def form_view(xml: str, form: QuestionForm) -> FormView:
    """What the template needs to draw ``xml`` (a QuestionForm the model has parsed into ``form``)."""
    root = parse_one_of(xml, "Question", {"QuestionForm": QUESTION_FORM_NAMESPACES})
    overview: list[Block] = []
    fields: list[Field] = []
    for child in root:
        local = split_tag(child.tag)[1]
        if local == "Overview":
            overview.extend(_content(child))
        elif local == "Question":
            question = form.questions[len(fields)]
            fields.append(_field(child, question, len(fields) + 1))
    return FormView(tuple(overview), tuple(fields))


def _children(el: Element) -> dict[str, list[Element]]:
    found: dict[str, list[Element]] = {}
    for child in el:
        found.setdefault(split_tag(child.tag)[1], []).append(child)
    return found


def _text(el: Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _first(parts: dict[str, list[Element]], name: str) -> Element | None:
    return parts.get(name, [None])[0]


def _content(el: Element) -> list[Block]:
    blocks = []
    for child in el:
        local = split_tag(child.tag)[1]
        parts = _children(child)
        if local == "Title":
            blocks.append(Block("title", _text(child)))
        elif local == "Text":
            blocks.append(Block("text", _text(child)))
        elif local == "List":
            blocks.append(Block("list", items=tuple(_text(item) for item in child)))
        elif local in ("Binary", "EmbeddedBinary"):
            url = _text(_first(parts, "DataURL"))
            alt = _text(_first(parts, "AltText"))
            mime = _first(parts, "MimeType") or _first(parts, "EmbeddedMimeType")
            kind = _text(_first(_children(mime), "Type")) if mime is not None else ""
            if url.lower().startswith(("https://", "http://")):
                blocks.append(Block("image" if kind == "image" else "link", alt or url, url=url))
            else:
                blocks.append(Block("text", alt))
        elif local == "FormattedContent":
            blocks.append(Block("html", html=sanitize(_text(child))))
    return blocks


def _field(el: Element, question: Question, number: int) -> Field:
    parts = _children(el)
    identifier = question.identifier
    dom_id = f"q{number}"
    content = tuple(_content(_first(parts, "QuestionContent") or Element("QuestionContent")))
    spec = _first(parts, "AnswerSpecification")
    answer = spec[0] if spec is not None and len(spec) else Element("FreeTextAnswer")
    if question.answer_kind == "free_text":
        extra = _free_text(question, _children(answer))
    elif question.answer_kind == "file_upload":
        extra = {"widget": "file", "hint": "File uploads are answered through the simulation API."}
    else:
        extra = _selection(question, _children(answer))
    return Field(identifier, ANSWER + identifier, dom_id, question.display_name, question.is_required, content, **extra)


def _text_rules(question: Question, required: bool) -> tuple[str, dict[str, str], list[str]]:
    """(widget, attributes, hint parts) for a free-text answer's constraints."""
    rules = question.constraints
    attributes = {"required": ""} if required else {}
    hints: list[str] = []
    widget = "text"
    if rules is None:
        return widget, attributes, hints
    if rules.is_numeric:
        widget = "number"
        attributes.update(step="any", inputmode="decimal")
        if rules.min_value is not None:
            attributes["min"] = str(rules.min_value)
        if rules.max_value is not None:
            attributes["max"] = str(rules.max_value)
        low = "" if rules.min_value is None else f" from {rules.min_value}"
        high = "" if rules.max_value is None else f" to {rules.max_value}"
        hints.append(f"A number{low}{high}.")
    if rules.min_length is not None:
        attributes["minlength"] = str(rules.min_length)
    if rules.max_length is not None:
        attributes["maxlength"] = str(rules.max_length)
    if rules.min_length is not None or rules.max_length is not None:
        most = rules.max_length if rules.max_length is not None else "any"
        hints.append(f"{rules.min_length or 0} to {most} characters.")
    for pattern, error_text in rules.patterns:
        if not pattern.flags & re.IGNORECASE:  # HTML patterns have no flags: the server checks the rest
            attributes["pattern"] = pattern.pattern
        if error_text:
            attributes["title"] = error_text
            hints.append(error_text)
    return widget, attributes, hints


def _free_text(question: Question, parts: dict[str, list[Element]]) -> dict[str, Any]:
    widget, attributes, hints = _text_rules(question, question.is_required)
    lines = _text(_first(parts, "NumberOfLinesSuggestion"))
    if widget == "text" and lines.isdigit() and int(lines) > 1:
        widget = "textarea"
        attributes["rows"] = lines
    if question.is_required:
        hints.insert(0, "Required.")
    return {
        "widget": widget,
        "attributes": attributes,
        "hint": " ".join(hints),
        "default": _text(_first(parts, "DefaultText")),
    }


def _selection(question: Question, parts: dict[str, list[Element]]) -> dict[str, Any]:
    selections = _first(parts, "Selections")
    choices = []
    other_el = None
    for selection in selections if selections is not None else ():
        local = split_tag(selection.tag)[1]
        if local == "OtherSelection":
            other_el = selection
            continue
        found = _children(selection)
        formatted = _first(found, "FormattedContent")
        binary = _first(found, "Binary")
        label = _text(_first(found, "Text")) or (_text(_first(_children(binary), "AltText")) if binary else "")
        choices.append(
            Choice(
                _text(_first(found, "SelectionIdentifier")),
                label,
                sanitize(_text(formatted)) if formatted is not None else "",
            )
        )
    least, most = question.min_selection_count or 0, question.max_selection_count or 1
    style = question.style_suggestion
    multiple = most > 1
    if style in ("list", "dropdown", "combobox"):
        widget = "select"
    elif style in ("checkbox", "multichooser") or (style is None and multiple):
        widget, multiple = "checkbox", True
    else:
        widget, multiple = "radio", False
    hints = []
    if question.is_required:
        hints.append("Required.")
    if multiple:
        hints.append(f"Choose {least} to {most}." if least != most else f"Choose {most}.")
    other_attributes: dict[str, str] = {}
    if other_el is not None:
        other_attributes = _text_rules(question, False)[1]
        other_attributes.pop("required", None)
    attributes = {"required": ""} if question.is_required and widget in ("radio", "select") else {}
    return {
        "widget": widget,
        "attributes": attributes,
        "hint": " ".join(hints),
        "choices": tuple(choices),
        "multiple": multiple,
        "other": other_el is not None,
        "other_attributes": other_attributes,
    }


# -- answers ---------------------------------------------------------------------------------------


def answers_xml(view: FormView, posted: Fields) -> str:
    """The QuestionFormAnswers of a post of the form: unanswered questions are left out, so that the
    model's check reports a required one by name."""
    answers = []
    for item in view.fields:
        head = f"<QuestionIdentifier>{xml_escape(item.identifier, 'identifier')}</QuestionIdentifier>"
        if item.widget in ("text", "textarea", "number"):
            value = posted.get(item.name)
            if value:
                answers.append(f"{head}<FreeText>{xml_escape(value, 'answer')}</FreeText>")
        elif item.widget in ("radio", "checkbox", "select"):
            chosen = [value for value in posted.getall(item.name) if value and value != OTHER_CHOICE]
            other_text = posted.get(item.other_name).strip() if item.other else ""
            wants_other = OTHER_CHOICE in posted.getall(item.name) or item.widget == "checkbox"
            parts = [f"<SelectionIdentifier>{xml_escape(value, 'answer')}</SelectionIdentifier>" for value in chosen]
            if other_text and wants_other:
                parts.append(f"<OtherSelectionText>{xml_escape(other_text, 'answer')}</OtherSelectionText>")
            if parts:
                answers.append(head + "".join(parts))
    body = "".join(f"<Answer>{answer}</Answer>" for answer in answers)
    return f'{_XML_DECLARATION}<QuestionFormAnswers xmlns="{ANSWERS_NS}">{body}</QuestionFormAnswers>'


# -- FormattedContent ------------------------------------------------------------------------------


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0  # inside script or style: drop everything

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        elif not self.skipping and tag in _SAFE_TAGS:
            self.out.append(f"<{tag}>")
            if tag not in _VOID:
                self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif not self.skipping and tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))


def sanitize(fragment: str) -> str:
    """Only harmless tags without attributes survive; text is escaped; every tag opened is closed."""
    parser = _Sanitizer()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out) + "".join(f"</{tag}>" for tag in reversed(parser.open))
