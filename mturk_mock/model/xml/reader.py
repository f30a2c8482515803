"""Safe, strict reading of MTurk's XML parameters (spec section 2): the generic part.

Documents are parsed with defusedxml with DTDs forbidden outright, so entity bombs, external entities and
DOCTYPE tricks fail at the DOCTYPE before anything expands; nothing is fetched. The size limit is checked
before parsing. Every failure, whatever its cause, is an InvalidXML naming the MTurk parameter.
Structure follows the XSD sequences (element order matters); attributes are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import NoReturn
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 65535

SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
QUESTION_FORM_NS_2017 = SCHEMAS + "2017-11-06/QuestionForm.xsd"
QUESTION_FORM_NS_2005 = SCHEMAS + "2005-10-01/QuestionForm.xsd"
ANSWER_KEY_NS = SCHEMAS + "2005-10-01/AnswerKey.xsd"
ANSWERS_NS = SCHEMAS + "2005-10-01/QuestionFormAnswers.xsd"

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # xs:int
_XS_SPACE = " \t\r\n"  # XML whitespace; str.strip() would also eat e.g. U+00A0
_INT_RE = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Characters XML 1.0 cannot carry at all, not even as character references.
_NON_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MIN_DOUBLE_EXP, _MAX_DOUBLE_EXP = -324, 308


class InvalidXML(ValueError):
    """The XML given for an MTurk parameter is not acceptable. The service layer turns it into
    MTurk's ParameterValidationError for `parameter`."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"invalid {parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


def parse_document(xml: object, parameter: str, root_name: str, namespaces: Iterable[str]) -> Element:
    """Parse `xml` safely and check the root element's name and namespace."""
    return parse_one_of(xml, parameter, {root_name: tuple(namespaces)})


def parse_one_of(xml: object, parameter: str, roots: dict[str, tuple[str, ...]]) -> Element:
    """Parse `xml` safely; its root must be one of ``roots`` (local name -> accepted namespaces)."""
    if not isinstance(xml, str):
        raise InvalidXML(parameter, f"expected a string, got {type(xml).__name__}")
    # Each character is at least one UTF-8 byte, so long strings need no encoding to be rejected.
    if len(xml) > MAX_XML_BYTES or utf8_length(xml, parameter) > MAX_XML_BYTES:
        raise InvalidXML(parameter, f"document is larger than {MAX_XML_BYTES} bytes")
    try:
        # A str is parsed as the text it is: a declared encoding cannot reinterpret it.
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise InvalidXML(parameter, "a DOCTYPE (DTD) is not allowed") from None
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise InvalidXML(parameter, "entity declarations and external references are not allowed") from None
    except (ParseError, ValueError) as exc:  # defusedxml's other errors are ValueErrors too
        raise InvalidXML(parameter, f"not well-formed XML: {exc}") from None
    ns, local = split_tag(root.tag)
    if local not in roots:
        raise InvalidXML(parameter, f"the root element must be {' or '.join(roots)}, not {local}")
    if ns not in roots[local]:
        found = f"namespace {ns!r}" if ns else "no namespace"
        raise InvalidXML(parameter, f"{local} has {found}; expected {' or '.join(map(repr, roots[local]))}")
    return root


def utf8_length(text: str, parameter: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidXML(parameter, "text contains lone surrogates") from None


def split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


# (local name, minimum occurrences, maximum occurrences or None for unbounded)
SequenceSpec = tuple[tuple[str, int, int | None], ...]


class Reader:
    """Structure checks for one document: every failure names the parameter being parsed."""

    __slots__ = ("ns", "parameter")

    def __init__(self, parameter: str, ns: str) -> None:
        self.parameter = parameter
        self.ns = ns

    def fail(self, reason: str) -> NoReturn:
        raise InvalidXML(self.parameter, reason)

    def local(self, el: Element) -> str:
        ns, local = split_tag(el.tag)
        if ns != self.ns:
            self.fail(f"element {local} is not in namespace {self.ns}")
        return local

    def no_text(self, el: Element) -> None:
        """Element-only content: no character data between children."""
        if el.text and el.text.strip(_XS_SPACE):
            self.fail(f"unexpected text inside {split_tag(el.tag)[1]}")
        for child in el:
            if child.tail and child.tail.strip(_XS_SPACE):
                self.fail(f"unexpected text after {split_tag(child.tag)[1]}")

    def sequence(self, el: Element, spec: SequenceSpec) -> dict[str, list[Element]]:
        """Match the children of `el` against an XSD-like sequence; returns children by local name."""
        self.no_text(el)
        children = list(el)
        found: dict[str, list[Element]] = {}
        i = 0
        for name, least, most in spec:
            tag = f"{{{self.ns}}}{name}"
            run = found[name] = []
            while i < len(children) and children[i].tag == tag and (most is None or len(run) < most):
                run.append(children[i])
                i += 1
            if len(run) < least:
                self._misfit(el, children[i] if i < len(children) else None, f"needs {name}")
        if i < len(children):
            self._misfit(el, children[i], "")
        return found

    def _misfit(self, parent: Element, child: Element | None, need: str) -> NoReturn:
        where = split_tag(parent.tag)[1]
        if child is None:
            self.fail(f"{where} {need}")
        self.fail(f"unexpected element {split_tag(child.tag)[1]} in {where}" + (f" ({need})" if need else ""))

    def choice(self, el: Element, names: tuple[str, ...]) -> tuple[str, Element]:
        """Exactly one child, one of `names`."""
        self.no_text(el)
        where = split_tag(el.tag)[1]
        if len(el) != 1:
            self.fail(f"{where} needs exactly one of {', '.join(names)}")
        child = el[0]
        local = self.local(child)
        if local not in names:
            self.fail(f"unexpected element {local} in {where}")
        return local, child

    def text(self, el: Element) -> str:
        """Simple content, verbatim (xs:string keeps whitespace)."""
        if len(el):
            self.fail(f"{split_tag(el.tag)[1]} must not contain elements")
        return el.text or ""

    def identifier(self, el: Element) -> str:
        value = self.text(el)
        if not value.strip(_XS_SPACE):
            self.fail(f"{split_tag(el.tag)[1]} must not be empty")
        return value

    def integer(self, el: Element, least: int = INT_MIN, most: int = INT_MAX) -> int:
        value = self.text(el).strip(_XS_SPACE)
        # The length bound keeps int() cheap and clear of the interpreter's digit limit.
        if len(value) > 40 or not _INT_RE.fullmatch(value):
            self.fail(f"{split_tag(el.tag)[1]} must be an integer, not {value[:40]!r}")
        number = int(value)
        if not least <= number <= most:
            self.fail(f"{split_tag(el.tag)[1]} {number} is outside {least}..{most}")
        return number

    def boolean(self, el: Element) -> bool:
        value = self.text(el).strip(_XS_SPACE)
        if value not in ("true", "false", "1", "0"):  # xs:boolean's lexical space
            self.fail(f"{split_tag(el.tag)[1]} must be true or false, not {value[:40]!r}")
        return value in ("true", "1")

    def decimal(self, el: Element) -> Fraction:
        """A finite xs:double, kept exact as written (0.1 is 1/10, not the nearest double)."""
        value = self.text(el).strip(_XS_SPACE)
        if not _DECIMAL_RE.fullmatch(value):
            self.fail(f"{split_tag(el.tag)[1]} must be a finite decimal number, not {value[:40]!r}")
        number = Decimal(value)
        # Bounding the exponent keeps Fraction() from building astronomically large integers.
        if number and not _MIN_DOUBLE_EXP <= number.adjusted() <= _MAX_DOUBLE_EXP:
            self.fail(f"{split_tag(el.tag)[1]} is outside the range of xs:double")
        return Fraction(number) if number else Fraction(0)


def escape_text(value: str, what: str) -> str:
    """Escape character data so that parsing gives back exactly `value` (CR included)."""
    bad = _NON_XML_CHAR.search(value)
    if bad:
        raise ValueError(f"{what} {value!r} contains {bad.group()!r}, which XML cannot represent")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
