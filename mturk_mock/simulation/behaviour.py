"""How the people of a crowd behave: who they are (``WorkerProfile``), what they answer, how long they
take. Every random draw comes from the crowd's one seeded ``random.Random``, so a run is reproducible.

    Choice({"cat": 6, "dog": 3, "bird": 1})          # a distribution: values and their weights
    Choice(["yes", "no"])                             # equally likely values
    WorkerProfile(country="DE", adult=True, approved=500, rejected=10)
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..model.hits.hits import HIT
from ..model.xml.answer_key import AnswerKey, KeyQuestion
from ..model.xml.question_form import QuestionForm
from .worker import check_locale

if TYPE_CHECKING:
    from .crowd_work import CrowdWorker

T = TypeVar("T")


class Choice(Generic[T]):
    """A distribution over values: ``Choice({"cat": 6, "dog": 4})`` (value: weight), ``Choice(["a", "b"])``
    (equally likely) or ``Choice([a, b], weights=[6, 4])`` for values that cannot be dictionary keys."""

    __slots__ = ("values", "_cumulative", "_total")

    def __init__(self, options: Mapping[T, float] | Sequence[T], weights: Sequence[float] | None = None) -> None:
        if isinstance(options, Mapping):
            if weights is not None:
                raise TypeError("give weights either as the mapping's values or as weights=, not both")
            values, weights = list(options), list(options.values())
        else:
            values = list(options)
            weights = [1.0] * len(values) if weights is None else list(weights)
        if not values or len(weights) != len(values):
            raise ValueError("a Choice needs at least one value and one weight per value")
        if any(not isinstance(w, (int, float, Decimal)) or isinstance(w, bool) or not w >= 0 for w in weights):
            raise ValueError(f"weights must be numbers >= 0, not {weights!r}")
        self.values: list[T] = values
        self._cumulative = list(accumulate(float(w) for w in weights))
        self._total = self._cumulative[-1]
        if not self._total > 0:
            raise ValueError("at least one weight must be positive")

    def draw(self, rng: random.Random) -> T:
        index = bisect_right(self._cumulative, rng.random() * self._total)
        return self.values[min(index, len(self.values) - 1)]

    def __repr__(self) -> str:
        return f"Choice({self.values!r})"


@dataclass(frozen=True)
class WorkerProfile:
    """Who a crowd member is: the profile and past work from which the system qualifications follow
    (spec H§4.4), and ``traits`` for the crowd's own answer and timing functions (``worker.traits``)."""

    country: str = "US"
    subdivision: str | None = None
    adult: bool = False
    masters: bool = False
    approved: int = 0  # past work, as SimulatedWorker.history(...)
    rejected: int = 0
    returned: int = 0
    abandoned: int = 0
    traits: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        check_locale(self.country, self.subdivision)
        for name in ("approved", "rejected", "returned", "abandoned"):
            count = getattr(self, name)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"{name} must be a count >= 0, not {count!r}")


ProfileSpec = (
    WorkerProfile
    | Choice[WorkerProfile]
    | Sequence[WorkerProfile]
    | Callable[[int, random.Random], WorkerProfile]
    | None
)


def profiles(spec: ProfileSpec, count: int, rng: random.Random) -> list[WorkerProfile]:
    """One profile per worker: the same for all, drawn from a Choice, given one per worker, or made by a
    function of (index, rng)."""
    if spec is None:
        made = [WorkerProfile()] * count
    elif isinstance(spec, WorkerProfile):
        made = [spec] * count
    elif isinstance(spec, Choice):
        made = [spec.draw(rng) for _ in range(count)]
    elif callable(spec):
        made = [spec(index, rng) for index in range(count)]
    else:
        made = list(spec)
        if len(made) != count:
            raise ValueError(f"{len(made)} profiles given for {count} workers")
    for profile in made:
        if not isinstance(profile, WorkerProfile):
            raise TypeError(f"a crowd profile must be a WorkerProfile, not {type(profile).__name__}")
    return made


@dataclass(frozen=True, slots=True)
class Task:
    """What a worker sees of a HIT, for answer and timing functions: the Question as the requester sent it,
    and its parsed form (``kind`` ExternalQuestion, HTMLQuestion or QuestionForm; ``form`` for a QuestionForm)."""

    hit_id: str
    hit_type_id: str
    requester: str
    title: str
    description: str
    keywords: str | None
    reward: Decimal
    question: str
    kind: str
    form: QuestionForm | None
    external_url: str | None
    html_content: str | None

    @classmethod
    def of(cls, hit: HIT) -> Task:
        hit_type, content = hit.hit_type, hit.question_content()
        return cls(
            hit.hit_id,
            hit_type.type_id,
            hit.owner,
            hit_type.title,
            hit_type.description,
            hit_type.keywords,
            hit_type.reward,
            hit.question,
            content.kind,
            content.form,
            content.external_url,
            content.html_content,
        )


# -- durations ----------------------------------------------------------------------------------

Seconds = float | tuple[float, float] | Choice[float] | Callable[[Task, "CrowdWorker"], float]


def check_seconds(name: str, spec: Seconds) -> None:
    if isinstance(spec, tuple):
        if len(spec) != 2 or not 0 <= spec[0] <= spec[1]:
            raise ValueError(f"{name} as a range must be (low, high) with 0 <= low <= high, not {spec!r}")
    elif isinstance(spec, (int, float)) and (isinstance(spec, bool) or spec < 0):
        raise ValueError(f"{name} must be >= 0 seconds, not {spec!r}")
    elif not isinstance(spec, (int, float, Choice)) and not callable(spec):
        raise TypeError(f"{name} must be seconds, a (low, high) range, a Choice or a function, not {spec!r}")


def draw_seconds(spec: Seconds, rng: random.Random, task: Callable[[], Task], worker: CrowdWorker) -> float:
    """A duration: fixed, uniform in (low, high), drawn from a Choice, or a function of (task, worker)."""
    if isinstance(spec, (int, float)):
        return float(spec)
    if isinstance(spec, tuple):
        return rng.uniform(*spec)
    seconds = spec.draw(rng) if isinstance(spec, Choice) else spec(task(), worker)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError(f"a duration must be a number of seconds >= 0, not {seconds!r}")
    return float(seconds)


# -- answers ------------------------------------------------------------------------------------

AnswerValue = str | Iterable[str] | Any  # a FileUpload too
AnswerSpec = Callable[[Task, "CrowdWorker"], str | Mapping[str, AnswerValue]] | Choice[Any] | Mapping[str, Any] | None


def resolve(spec: AnswerSpec, rng: random.Random, task: Callable[[], Task], worker: CrowdWorker) -> Any:
    """The answers a worker gives: a function's result, a Choice of whole answers, or a mapping whose
    values may be Choices (each drawn); None means made-up answers that fit the question."""
    if spec is None:
        return made_up(task(), rng)
    if isinstance(spec, Choice):
        return spec.draw(rng)
    if isinstance(spec, Mapping):
        return {name: value.draw(rng) if isinstance(value, Choice) else value for name, value in spec.items()}
    return spec(task(), worker)


def made_up(task: Task, rng: random.Random) -> Mapping[str, Any]:
    """Answers that fit any question: every question of a form answered within its rules (as far as they
    can be met without knowing the task), or an ``answer`` field of "yes" or "no" for other questions."""
    if task.form is None:
        return {"answer": rng.choice(("yes", "no"))}
    return {question.identifier: fitting_answer(question, rng) for question in task.form.questions}


def fitting_answer(question: Any, rng: random.Random) -> Any:
    """A random answer to one QuestionForm question that keeps its counts and constraints."""
    from ..model.xml.hit_answers import FileUpload

    if question.answer_kind == "selection":
        choices = list(question.selection_ids)
        least = max(1, question.min_selection_count or 1)
        most = min(len(choices), question.max_selection_count or 1)
        if not choices or least > most:
            return choices[:least]
        return rng.sample(choices, rng.randint(least, most))
    if question.answer_kind == "file_upload":
        least, most = question.file_sizes or (1, 1)
        return FileUpload(b"\0" * max(least, min(1, most)))
    rules = question.constraints
    if rules is not None and rules.is_numeric:
        low = rules.min_value if rules.min_value is not None else 0
        high = rules.max_value if rules.max_value is not None else max(low, 100)
        return str(rng.randint(low, max(low, high)))
    text = rng.choice(("yes", "no", "maybe"))
    if rules is not None and rules.min_length is not None and len(text) < rules.min_length:
        text = text.ljust(rules.min_length, ".")
    if rules is not None and rules.max_length is not None:
        text = text[: rules.max_length]
    return text


# -- qualification tests ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QualificationTest:
    """A qualification test as a worker receives it, for a crowd's ``test_answers`` function."""

    type_id: str
    name: str
    test: str  # the QuestionForm XML
    form: QuestionForm


TestAnswerSpec = Callable[[QualificationTest, "CrowdWorker", bool], str | Mapping[str, Any]] | None


def keyed_answers(form: QuestionForm, key: AnswerKey | None, passing: bool, rng: random.Random) -> dict[str, Any]:
    """Answers to a test: with an answer key, the best-scored option of every graded question when
    ``passing``, else the worst-scored answer that keeps the question's rules; ungraded questions (and
    every question of a test without a key) get a fitting random answer."""
    graded = {question.identifier: question for question in key.questions} if key is not None else {}
    answers: dict[str, Any] = {}
    for question in form.questions:
        key_question = graded.get(question.identifier)
        if key_question is None or question.answer_kind != "selection":
            answers[question.identifier] = fitting_answer(question, rng)
            continue
        if passing:
            chosen = max(key_question.options, key=lambda option: option.score).selection_ids
        else:
            chosen = _worst(question, key_question, rng)
        answers[question.identifier] = [sid for sid in question.selection_ids if sid in chosen]
    return answers


def _worst(question: Any, key_question: KeyQuestion, rng: random.Random) -> frozenset[str]:
    ids = list(question.selection_ids)
    least = max(1, question.min_selection_count or 1)
    most = min(len(ids), question.max_selection_count or 1)
    if least > most:
        return frozenset(ids[:least])
    candidates = [frozenset(rng.sample(ids, rng.randint(least, most))) for _ in range(4)]
    if least == 1:
        candidates += [frozenset((sid,)) for sid in ids]
    options = key_question.options
    candidates += [option.selection_ids for option in options if least <= len(option.selection_ids) <= most]
    rng.shuffle(candidates)
    return min(candidates, key=key_question.score_for)
