"""One citizen's journey at the kiosk, as a plain Python object (no Qt).

    Home → (audience | topic | search) → service list → questions → checklist

Screens observe the session (`subscribe`) and call its methods when the citizen
taps; tests drive the same methods. `back()` always works. The citizen's answers
live only in this object and are wiped by `reset()` (idle timeout, 返回首页).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Protocol

from kiosk.catalogue.guide import Guide, build_guide, pending_questions
from kiosk.catalogue.model import Question, Service


class Screen(str, Enum):
    HOME = "home"
    SERVICES = "services"  # the services of an audience or topic
    SEARCH = "search"
    QUESTION = "question"
    CHECKLIST = "checklist"
    HALLS = "halls"
    POLICY = "policy"


@dataclass(frozen=True)
class Step:
    """Where the citizen is; the history is a stack of these."""
    screen: Screen = Screen.HOME
    audience: str | None = None
    topic: str | None = None
    query: str = ""
    service_id: str | None = None
    answers: tuple = ()  # ((qid, oid), ...) in the order given
    policy_topic: str | None = None


class CatalogueView(Protocol):
    """What the session needs from the catalogue service layer (duck-typed)."""

    def services(self, region: str) -> list[Service]: ...  # pragma: no cover
    def service(self, region: str, service_id: str) -> Service: ...  # pragma: no cover


@dataclass
class SessionStats:
    """Aggregated, anonymous facts of one session for usage figures (no answers)."""
    started: float = field(default_factory=time.monotonic)
    service_id: str | None = None
    checklist_at: float | None = None


class KioskSession:
    def __init__(self, catalogue: CatalogueView, region: str, search_index=None):
        self.catalogue = catalogue
        self.region = region
        self.search_index = search_index
        self._listeners: list[Callable[[KioskSession], None]] = []
        self._step = Step()
        self._history: list[Step] = []
        self.stats = SessionStats()
        self._finished_listeners: list[Callable[[SessionStats, str], None]] = []

    # -- observation ------------------------------------------------------------------
    def subscribe(self, listener: Callable[[KioskSession], None]) -> None:
        self._listeners.append(listener)

    def on_finished(self, listener: Callable[[SessionStats, str], None]) -> None:
        """Called with the session's stats and why it ended ('reset', 'idle', ...)."""
        self._finished_listeners.append(listener)

    def _notify(self) -> None:
        for fn in list(self._listeners):
            fn(self)

    def _go(self, step: Step) -> None:
        self._history.append(self._step)
        self._step = step
        self._notify()

    # -- state -------------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self._step

    @property
    def screen(self) -> Screen:
        return self._step.screen

    @property
    def answers(self) -> dict[str, str]:
        return dict(self._step.answers)

    @property
    def can_go_back(self) -> bool:
        return bool(self._history)

    @property
    def service(self) -> Service | None:
        if not self._step.service_id:
            return None
        return self.catalogue.service(self.region, self._step.service_id)

    def listed_services(self) -> list[Service]:
        """The services the SERVICES screen lists for the chosen audience/topic."""
        services = self.catalogue.services(self.region)
        if self._step.topic:
            services = [s for s in services if self._step.topic in s.topics]
        if self._step.audience:
            services = [s for s in services if s.audience == self._step.audience]
        return services

    def search_results(self) -> list[Service]:
        if not self.search_index or not self._step.query.strip():
            return []
        return self.search_index.search(self._step.query)

    def search_suggestions(self, limit: int = 3) -> list[Service]:
        """When the query found nothing: the closest services (您是不是要找)."""
        if not self.search_index or not self._step.query.strip():
            return []
        return self.search_index.suggest(self._step.query, limit)

    def search_candidates(self, limit: int = 6) -> list[str]:
        """While typing pinyin: the catalogue's Chinese words it could be (住院 for zhuy)."""
        if not self.search_index or not self._step.query.strip():
            return []
        return self.search_index.candidates(self._step.query, limit)

    # -- questions -----------------------------------------------------------------------
    def pending_questions(self) -> list[Question]:
        """Unanswered questions whose answer would still change the checklist."""
        svc = self.service
        if svc is None:
            return []
        return pending_questions(svc, self.answers)

    @property
    def question(self) -> Question | None:
        pending = self.pending_questions()
        return pending[0] if pending else None

    @property
    def progress(self) -> tuple[int, int]:
        """(this step's number, total steps) for "第 2 步，共 4 步"."""
        done = len(self._step.answers)
        return done + 1, done + len(self.pending_questions())

    @property
    def guide(self) -> Guide | None:
        svc = self.service
        return build_guide(svc, self.answers) if svc else None

    # -- actions (one per tap) -----------------------------------------------------------
    def go_home(self) -> None:
        """返回首页: a fresh start; the same as reset."""
        self.reset("home")

    def choose_audience(self, audience: str) -> None:
        self._go(Step(Screen.SERVICES, audience=audience))

    def choose_topic(self, topic: str) -> None:
        self._go(Step(Screen.SERVICES, topic=topic))

    def open_search(self) -> None:
        self._go(Step(Screen.SEARCH))

    def set_query(self, query: str) -> None:
        """Typing replaces the current search step (back leaves the search, not a key)."""
        if self._step.screen != Screen.SEARCH:
            self.open_search()
        self._step = replace(self._step, query=query)
        self._notify()

    def choose_service(self, service_id: str) -> None:
        svc = self.catalogue.service(self.region, service_id)  # raises for an unknown id
        self.stats.service_id = svc.id
        step = replace(self._step, screen=Screen.QUESTION, service_id=svc.id, answers=())
        self._step_or_checklist(step)

    def answer(self, option_id: str) -> None:
        q = self.question
        if q is None or q.option(option_id) is None:
            raise ValueError(f"no current question takes option {option_id!r}")
        step = replace(self._step, answers=self._step.answers + ((q.id, option_id),))
        self._step_or_checklist(step)

    def _step_or_checklist(self, step: Step) -> None:
        self._history.append(self._step)
        self._step = step
        if not self.pending_questions():
            self._step = replace(step, screen=Screen.CHECKLIST)
            if self.stats.checklist_at is None:
                self.stats.checklist_at = time.monotonic()
        self._notify()

    def open_halls(self) -> None:
        self._go(replace(self._step, screen=Screen.HALLS))

    def open_policy(self, topic_id: str | None = None) -> None:
        self._go(replace(self._step, screen=Screen.POLICY, policy_topic=topic_id))

    def back(self) -> None:
        if self._history:
            self._step = self._history.pop()
            self._notify()

    def reset(self, reason: str = "reset") -> None:
        """Wipe everything of this citizen: answers, search, history. Home returns."""
        finished, self.stats = self.stats, SessionStats()
        self._history.clear()
        self._step = Step()
        for fn in list(self._finished_listeners):
            fn(finished, reason)
        self._notify()

