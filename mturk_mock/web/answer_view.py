"""An assignment's Answer document as (field, value) pairs for people and CSV files.

Unlike the model's parser this keeps repeated identifiers (a form post with a checkbox group writes one
Answer per ticked box, spec H§2.3); the values of one identifier are joined with ``|``, as the Requester
website's batch results join a multiple choice.
"""

from __future__ import annotations

from ..model.xml.reader import ANSWERS_NS, InvalidXML, parse_one_of, split_tag

JOIN = "|"


def answer_pairs(document: str | None) -> list[tuple[str, str]]:
    """(QuestionIdentifier, value) in document order, one pair per identifier; [] when unreadable."""
    if not document:
        return []
    try:
        root = parse_one_of(document, "Answer", {"QuestionFormAnswers": (ANSWERS_NS,)})
    except InvalidXML:
        return []
    values: dict[str, list[str]] = {}
    for answer in root:
        identifier, found = "", []
        for part in answer:
            local = split_tag(part.tag)[1]
            text = "".join(part.itertext())
            if local == "QuestionIdentifier":
                identifier = text
            elif local in ("FreeText", "SelectionIdentifier", "OtherSelectionText", "UploadedFileKey"):
                found.append(text)
        values.setdefault(identifier, []).extend(found)
    return [(identifier, JOIN.join(found)) for identifier, found in values.items()]
