"""A service's guide for one citizen's answers: what to bring, where, how long.

Pure Python; the CLI, the kiosk's checklist screen and printing all use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.catalogue.model import (
    Channel,
    Condition,
    DeferrableItem,
    Material,
    Question,
    Service,
    TextItem,
    condition_holds,
)

# The lists of a service whose items may carry a condition (`when`) and are chosen by the
# answers; the seed check rejects a condition anywhere else, where it would be ignored.
CONDITIONAL = ("materials", "channels", "intro", "tips", "notes", "steps", "legal_basis")


class BadAnswer(ValueError):
    """An answer names a question or option the service does not have."""


def situation_labels(service: Service, cond: Condition | None) -> list[str]:
    """Human labels of the situations a condition applies to, e.g. ['他人代办']."""
    if not cond:
        return []

    def labels(mapping):
        out = []
        for qid, opts in mapping.items():
            q = service.question(qid)
            names = [(opt.label if q and (opt := q.option(o)) else o) for o in opts]
            text = "或".join(names)
            if q and max(len(n) for n in names) <= 3:  # 是 / 不是 / 有 …: say what was asked
                text = f"{q.text.rstrip('？?')}：{text}"
            out.append(text)
        return "且".join(out)

    parts = []
    if cond.get("all"):
        parts.append(labels(cond["all"]))
    if cond.get("any"):
        parts.append("或".join(f"（{labels(m)}）" for m in cond["any"]))
    return [p for p in parts if p]


def validate_answers(service: Service, answers: dict[str, str]) -> None:
    for qid, oid in answers.items():
        q = service.question(qid)
        if q is None:
            valid = ", ".join(x.id for x in service.questions) or "(this service asks no questions)"
            raise BadAnswer(f"unknown question {qid!r} for service {service.id!r}; valid: {valid}")
        if q.option(oid) is None:
            raise BadAnswer(f"unknown option {oid!r} for question {qid!r}; valid: "
                            + ", ".join(o.id for o in q.options))


@dataclass
class Guide:
    service: Service
    answers: dict[str, str]
    materials: list[Material] = field(default_factory=list)
    older_materials: list[Material] = field(default_factory=list)  # listed by an older guide only
    deferrable_items: list[DeferrableItem] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    intro: list[TextItem] = field(default_factory=list)
    tips: list[TextItem] = field(default_factory=list)
    notes: list[TextItem] = field(default_factory=list)
    refusals: list[TextItem] = field(default_factory=list)
    steps: list[TextItem] = field(default_factory=list)
    legal_basis: list[TextItem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """No unanswered question would still change this guide."""
        return not pending_questions(self.service, self.answers)

    @property
    def unanswered(self) -> list[Question]:
        return pending_questions(self.service, self.answers)

    @property
    def online_url(self) -> str | None:
        """The first online channel's URL, as the catalogue has it (for the QR code)."""
        for c in self.channels:
            if c.type == "online" and c.url and not c.blank:
                return c.url
        return None

    def situations(self, item) -> list[str]:
        return situation_labels(self.service, getattr(item, "condition", None))


def question_matters(service: Service, q: Question, answers: dict[str, str]) -> bool:
    """Would some answer to `q` change what the guide shows, given `answers`?"""
    items = [x for attr in CONDITIONAL for x in getattr(service, attr)]
    outcomes = set()
    for opt in q.options:
        trial = {**answers, q.id: opt.id}
        outcomes.add(tuple(i for i, x in enumerate(items) if condition_holds(x.condition, trial)))
        if len(outcomes) > 1:
            return True
    return False


def pending_questions(service: Service, answers: dict[str, str]) -> list[Question]:
    """Unanswered questions whose answer would still change the guide, in order."""
    return [q for q in service.questions if q.id not in answers and question_matters(service, q, answers)]


def build_guide(service: Service, answers: dict[str, str] | None = None) -> Guide:
    answers = dict(answers or {})
    validate_answers(service, answers)

    def pick(items):
        return [x for x in items if condition_holds(x.condition, answers)]

    return Guide(
        service=service, answers=answers, materials=pick(service.materials),
        older_materials=list(service.older_materials),
        deferrable_items=list(service.deferrable_items), channels=pick(service.channels),
        intro=pick(service.intro), tips=pick(service.tips), notes=pick(service.notes),
        refusals=list(service.refusals), steps=pick(service.steps), legal_basis=pick(service.legal_basis),
    )
