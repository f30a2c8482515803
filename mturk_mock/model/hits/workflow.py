"""The HIT rules that span stores: registering HIT types, creating HITs (question content, layouts,
requirements, tokens, money), and the requester's operations on a HIT's life (spec H§8.1-8.12).

Every function checks everything before it changes anything, so a refused call changes nothing; money
that must be held is taken (and may be refused) before the HIT changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import errors, xml
from ..money import parse_amount, reward_fee
from ..qualifications.requirements import Requirements, check_requirement_types, parse_requirements
from ..xml.questions import NotHttps, Question, parse_question, placeholders, render_layout
from .hit_types import DEFAULT_AUTO_APPROVAL, HITType, check_properties, check_range, check_text
from .hits import ASSIGNABLE, FILLABLE, HIT, REVIEWABLE, REVIEWING
from .policies import parse_policies

if TYPE_CHECKING:
    from ..marketplace import Marketplace

LIFETIME_RANGE = (30, 31_536_000)
MAX_ASSIGNMENTS_RANGE = (1, 1_000_000_000)
EXTENSION_RANGE = (60, 31_536_000)  # ExpirationIncrementInSeconds (observed)
ANNOTATION_LIMIT = 255
TEN_RULE = 10
EXTENSIONS_SINCE = dt.datetime(2015, 7, 22, tzinfo=dt.timezone.utc).timestamp()
HIT_TOKENS, ASSIGNMENT_TOKENS, EXPIRATION_TOKENS = "CreateHIT", "CreateAdditionalAssignmentsForHIT", "UpdateExpiration"


def register_type(
    market: Marketplace,
    owner: str,
    *,
    title: str,
    description: str,
    reward: str,
    assignment_duration: int,
    auto_approval_delay: int | None,
    keywords: str | None,
    requirements: list[dict[str, Any]] | None,
) -> HITType:
    """CreateHITType, and the type part of CreateHIT: a new type or the identical existing one."""
    values = (title, description, reward, assignment_duration, auto_approval_delay, keywords, repr(requirements))
    request = (owner, *values)
    known = _known_type(market, request)
    if known is not None:
        return known
    delay = DEFAULT_AUTO_APPROVAL if auto_approval_delay is None else auto_approval_delay
    check_properties(title, description, keywords, assignment_duration, delay)
    amount = parse_amount(reward, "Reward")
    parsed = parse_requirements(requirements)
    check_requirement_types(parsed, market.qualification_types)
    hit_type = market.hit_types.by_identity.get(
        (owner, title, description, amount, assignment_duration, delay, keywords, parsed.canonical)
    )
    if hit_type is None:
        hit_type = HITType(
            market.ids.entity(),
            market.ids.entity(),
            owner,
            title,
            description,
            amount,
            assignment_duration,
            delay,
            keywords,
            parsed,
        )
        market.hit_types.register(hit_type)
    market.hit_types.resolved[request] = hit_type
    return hit_type


def _known_type(market: Marketplace, request: tuple[Any, ...]) -> HITType | None:
    """The live type these exact request values registered before: its properties were valid then, and
    stay so; only its requirements' types can have changed since, so they are checked again."""
    known = market.hit_types.resolved.get(request)
    if known is None or known.disposed:
        return None
    check_requirement_types(known.requirements, market.qualification_types)
    return known


def register_properties(market: Marketplace, owner: str, properties: dict[str, Any]) -> HITType:
    """``register_type`` from the wire's type properties: CreateHITType's request, CreateHIT's type part."""
    get = properties.get
    return register_type(
        market,
        owner,
        title=properties["Title"],
        description=properties["Description"],
        reward=properties["Reward"],
        assignment_duration=properties["AssignmentDurationInSeconds"],
        auto_approval_delay=get("AutoApprovalDelayInSeconds"),
        keywords=get("Keywords"),
        requirements=get("QualificationRequirements"),
    )


def _type_request(owner: str, properties: dict[str, Any]) -> tuple[Any, ...]:
    """CreateHIT's type properties in the form ``register_type`` remembers them."""
    get = properties.get
    return (
        owner,
        properties["Title"],
        properties["Description"],
        properties["Reward"],
        properties["AssignmentDurationInSeconds"],
        get("AutoApprovalDelayInSeconds"),
        get("Keywords"),
        repr(get("QualificationRequirements")),
    )


def _check_question(
    question: str | None, layout_id: str | None, layout_parameters: list[dict[str, Any]] | None
) -> Question | None:
    """Exactly one of Question and HITLayoutId, and a Question valid for its schema (spec H§3.1-3.4)."""
    if layout_parameters is not None and layout_id is None:
        raise errors.invalid_value("HITLayoutParameters", layout_parameters, "HITLayoutParameters need a HITLayoutId")
    if (question is None) == (layout_id is None):
        which = "neither" if question is None else "both"
        raise errors.invalid_value(
            "Question", question or "", f"give exactly one of Question and HITLayoutId, not {which}"
        )
    if question is not None:
        try:
            return parse_question(question)
        except NotHttps as error:
            detail = f"ExternalURL {error.url!r} must be an https URL"
            raise errors.HTTPS_REQUIRED(parameter="ExternalURL", value=error.url, detail=detail) from None
        except xml.InvalidXML as error:
            raise errors.invalid_value("Question", question, f"Question: {error.reason}") from None
    return None  # a layout: rendered once the layout is known


def _layout_question(market: Marketplace, layout_id: str, layout_parameters: list[dict[str, Any]] | None) -> str:
    """The HTMLQuestion a layout renders to with its parameters (spec H§3.5)."""
    template = market.layouts.get(layout_id)
    if template is None:
        raise errors.LAYOUT_NOT_FOUND(layout_id=layout_id)
    values = {parameter["Name"]: parameter["Value"] for parameter in layout_parameters or ()}
    missing = placeholders(template) - values.keys()
    if missing:
        detail = f"layout {layout_id} needs a value for {', '.join(sorted(missing))}"
        raise errors.invalid_value("HITLayoutParameters", layout_parameters or [], detail)
    return render_layout(template, values)


def price_of(hit_type: HITType, max_assignments: int) -> Decimal:
    """What one approved assignment costs: the reward and MTurk's fee (spec H§5.2)."""
    fee = reward_fee(hit_type.reward, max_assignments, hit_type.requirements.names_masters)
    return hit_type.reward + fee


def create_hit(
    market: Marketplace,
    owner: str,
    now: float,
    hit_type: HITType | dict[str, Any],
    *,
    lifetime: int,
    max_assignments: int | None,
    question: str | None,
    layout_id: str | None,
    layout_parameters: list[dict[str, Any]] | None,
    annotation: str | None,
    token: str | None,
    assignment_review_policy: dict[str, Any] | None = None,
    hit_review_policy: dict[str, Any] | None = None,
) -> HIT:
    """CreateHIT (``hit_type`` the type's properties) and CreateHITWithHITType (``hit_type`` a HITType).
    Order of checks (spec H§8.2): parameters, the token, the qualification types, the layout, the funds."""
    count = 1 if max_assignments is None else max_assignments
    check_range("LifetimeInSeconds", lifetime, *LIFETIME_RANGE)
    check_range("MaxAssignments", count, *MAX_ASSIGNMENTS_RANGE)
    if annotation is not None:
        check_text("RequesterAnnotation", annotation, ANNOTATION_LIMIT, required=False)
    requirements: Requirements | None = None
    known: HITType | None = None
    if isinstance(hit_type, dict):  # CreateHIT: the type's properties, checked before the token
        properties = hit_type
        known = market.hit_types.resolved.get(_type_request(owner, properties))
        if known is not None and known.disposed:
            known = None
    if isinstance(hit_type, dict) and known is None:  # properties never seen: check them
        delay = properties.get("AutoApprovalDelayInSeconds")
        check_properties(
            properties["Title"],
            properties["Description"],
            properties.get("Keywords"),
            properties["AssignmentDurationInSeconds"],
            DEFAULT_AUTO_APPROVAL if delay is None else delay,
        )
        parse_amount(properties["Reward"], "Reward")
        requirements = parse_requirements(properties.get("QualificationRequirements"))
    content = _check_question(question, layout_id, layout_parameters)
    assignment_policy, hit_policy = parse_policies(assignment_review_policy, hit_review_policy)
    if token is not None:
        earlier = market.tokens.find(HIT_TOKENS, owner, token)
        if earlier is not None:
            raise errors.HIT_EXISTS(hit_id=earlier, token=token)
    if known is not None:
        check_requirement_types(known.requirements, market.qualification_types)
        hit_type = known
    elif isinstance(hit_type, dict):
        assert requirements is not None
        check_requirement_types(requirements, market.qualification_types)
        hit_type = register_properties(market, owner, properties)
    question_xml = question if layout_id is None else _layout_question(market, layout_id, layout_parameters)
    assert question_xml is not None
    price = price_of(hit_type, count)
    market.ledger.hold(owner, count * price)  # E-FUNDS in production when the balance does not cover it
    hit = HIT(
        market.ids.entity(),
        hit_type,
        owner,
        now,
        now + lifetime,
        count,
        question_xml,
        layout_id,
        annotation,
        assignment_review_policy,
        hit_review_policy,
        price=price,
        held=count * price,
        content=content,
        assignment_policy=assignment_policy,
        hit_policy=hit_policy,
    )
    market.hits.add(hit, now)
    if token is not None:
        market.tokens.remember(HIT_TOKENS, owner, token, hit.hit_id, now)
    return hit


def _java_date(epoch: float) -> str:
    """Java's Date.toString() in UTC, as the service writes it into its derived tokens."""
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


def _hold_for_reopening(market: Marketplace, hit: HIT, extra_slots: int) -> None:
    """Take the money for slots a change makes fillable again (E-FUNDS before anything changes)."""
    if extra_slots > 0:
        market.ledger.hold(hit.owner, extra_slots * hit.price)
        hit.held += extra_slots * hit.price


def update_expiration(market: Marketplace, hit: HIT, expire_at: float, now: float) -> None:
    """UpdateExpirationForHIT (spec H§8.8): the past or 0 expires it now; a later time extends it."""
    if expire_at <= now:
        if not hit.expired:
            market.events_for(hit, "HITExpired", now)
            market.hits.set_expiration(hit, now, True, now)
        return
    token = f"{hit.hit_id}{_java_date(expire_at)}"
    if market.tokens.find(EXPIRATION_TOKENS, hit.owner, token) is not None:
        raise errors.DUPLICATE_REQUEST(token=token)
    increment = int(expire_at - max(hit.expiration, now))
    check_range("ExpirationIncrementInSeconds", increment, *EXTENSION_RANGE)
    extend_expiration(market, hit, expire_at, now)
    market.tokens.remember(EXPIRATION_TOKENS, hit.owner, token, hit.hit_id, now)


def extend_expiration(market: Marketplace, hit: HIT, expire_at: float, now: float) -> None:
    """Move Expiration later (the checks are the caller's): the HIT revives if it has free slots."""
    if hit.status not in FILLABLE:
        _hold_for_reopening(market, hit, hit.available)
    market.hits.set_expiration(hit, expire_at, False, now)
    market.events_for(hit, "HITExtended", now)


def add_assignments(market: Marketplace, hit: HIT, count: int, token: str | None, now: float) -> None:
    """CreateAdditionalAssignmentsForHIT (spec H§8.9)."""
    check_range("NumberOfAdditionalAssignments", count, *MAX_ASSIGNMENTS_RANGE)
    check_range("NumberOfAdditionalAssignments", hit.max_assignments + count, *MAX_ASSIGNMENTS_RANGE)
    if token is not None and market.tokens.find(ASSIGNMENT_TOKENS, hit.owner, token) is not None:
        raise errors.DUPLICATE_REQUEST(token=token)
    if hit.max_assignments < TEN_RULE <= hit.max_assignments + count:
        raise errors.ASSIGNMENTS_INCREASE()
    if hit.created < EXTENSIONS_SINCE:
        raise errors.HIT_TOO_OLD()
    if not hit.expired:  # the new slots can be filled at once: their money is held now
        _hold_for_reopening(market, hit, count + (hit.available if hit.status not in FILLABLE else 0))
    hit.max_assignments += count
    market.hits.refresh(hit, now)
    if token is not None:
        market.tokens.remember(ASSIGNMENT_TOKENS, hit.owner, token, hit.hit_id, now)
    market.events_for(hit, "HITExtended", now)


def update_review_status(market: Marketplace, hit: HIT, revert: bool, now: float) -> None:
    """UpdateHITReviewStatus (spec H§8.10): Reviewable -> Reviewing, or back with Revert."""
    wanted = REVIEWING if revert else REVIEWABLE
    if hit.status != wanted:
        raise errors.HIT_STATE(status=hit.status, allowed=wanted)
    hit.reviewing = not revert
    market.hits.refresh(hit, now)


def change_type(market: Marketplace, hit: HIT, hit_type: HITType, now: float) -> None:
    """UpdateHITTypeOfHIT (spec H§8.11); assignments already accepted keep their terms [I]."""
    if hit_type is hit.hit_type:
        return
    price = price_of(hit_type, hit.max_assignments)
    if hit.status in FILLABLE and price > hit.price:
        market.ledger.hold(hit.owner, hit.available * (price - hit.price))
        hit.held += hit.available * (price - hit.price)
    market.hits.change_type(hit, hit_type, price, now)


def delete_hit(market: Marketplace, hit: HIT, now: float) -> None:
    """DeleteHIT (spec H§8.12): Reviewable or Reviewing, and no assignment left Submitted."""
    if hit.status not in (REVIEWABLE, REVIEWING) or hit.submitted:
        raise errors.HIT_STATE(status=hit.status, allowed="Reviewing, Reviewable")
    market.hits.dispose(hit, now)


__all__ = [
    "ASSIGNABLE",
    "add_assignments",
    "change_type",
    "create_hit",
    "delete_hit",
    "extend_expiration",
    "register_type",
    "update_expiration",
    "update_review_status",
]
