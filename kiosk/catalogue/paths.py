"""Every answer path of every service, walked as the kiosk walks it (kiosk.session asks
the first question that still matters, guide.pending_questions), and what each ends in.

`enumerate_paths(service)` returns the paths: each is the answers in the order asked and
the guide they end in. `path_problems(service, paths)` says what is wrong with them:

- a path that ends with no materials although the service lists some, unless the
  service declares those answers in `no_materials` (the document lists none for them);
  and a declared path that does give materials;
- a question of the service that no path asks;
- an option that changes nothing: no condition names it, and wherever its question is
  asked another option gives the same checklist (two options the document treats alike,
  such as 办理终止、恢复的, are each named by the condition they share);
- a path that never ends (more steps than the service has questions, or a question
  asked twice).

`checklist_record(guide)` is the plain-data form of one path's checklist that
tests/artefacts/paths/<region>/<service>.json keeps for review: a change to any
citizen's list shows up there as a diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.catalogue.guide import CONDITIONAL, Guide, build_guide, pending_questions
from kiosk.catalogue.model import Service, condition_holds


class PathNeverEnds(Exception):
    pass


@dataclass
class AnswerPath:
    """One way through a service's questions: the answers in the order asked."""

    answers: list[tuple[str, str]]
    guide: Guide


@dataclass
class Walk:
    paths: list[AnswerPath] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)
    # (question, option) -> at each node where the question was asked: True when the
    # option chose the same items as another option of the question there
    same_as_other: dict[tuple[str, str], list[bool]] = field(default_factory=dict)
    never_ends: list[list[tuple[str, str]]] = field(default_factory=list)


def _chosen(service: Service, answers: dict[str, str]) -> tuple:
    return tuple(tuple(i for i, x in enumerate(getattr(service, attr)) if condition_holds(x.condition, answers))
                 for attr in CONDITIONAL)


def walk(service: Service, max_steps: int | None = None) -> Walk:
    limit = len(service.questions) if max_steps is None else max_steps
    out = Walk()

    def step(answers: list[tuple[str, str]]) -> None:
        given = dict(answers)
        pending = pending_questions(service, given)
        if not pending:
            out.paths.append(AnswerPath(list(answers), build_guide(service, given)))
            return
        q = pending[0]
        if len(answers) >= limit or q.id in given:
            out.never_ends.append(list(answers))
            return
        out.asked.add(q.id)
        outcomes = {o.id: _chosen(service, {**given, q.id: o.id}) for o in q.options}
        for o in q.options:
            same = any(outcomes[o.id] == outcomes[x.id] for x in q.options if x.id != o.id)
            out.same_as_other.setdefault((q.id, o.id), []).append(same)
        for o in q.options:
            step([*answers, (q.id, o.id)])

    step([])
    return out


def path_label(answers: list[tuple[str, str]]) -> str:
    return " ".join(f"{q}={o}" for q, o in answers) or "(no questions)"


def path_problems(service: Service, w: Walk) -> list[str]:
    """What is wrong with a service's answer paths (empty when nothing is)."""
    out = []
    where = f"service {service.region}/{service.id}"
    for answers in w.never_ends:
        out.append(f"{where}: path {path_label(answers)} never ends (a question is asked again "
                   "or there are more steps than questions)")
    for p in w.paths:
        given = dict(p.answers)
        declared = [nm for nm in service.no_materials if condition_holds(nm.condition, given)]
        if service.materials and not p.guide.materials and not declared:
            out.append(f"{where}: path {path_label(p.answers)} gives no materials, but the document lists "
                       f"{len(service.materials)} (if it lists none for these answers, say so in no_materials)")
        if p.guide.materials and declared:
            out.append(f"{where}: path {path_label(p.answers)} is declared in no_materials ({declared[0].ref}) "
                       f"but gives {len(p.guide.materials)} materials")
    for q in service.questions:
        if q.id not in w.asked:
            out.append(f"{where}: question {q.id!r} is never asked on any path")
    named = set()
    for attr in (*CONDITIONAL, "no_materials"):
        for item in getattr(service, attr):
            cond = item.condition or {}
            for m in [cond.get("all", {}), *cond.get("any", [])]:
                named |= {(q, o) for q, opts in m.items() for o in opts}
    for (qid, oid), nodes in w.same_as_other.items():
        if nodes and all(nodes) and (qid, oid) not in named:
            out.append(f"{where}: option {qid}={oid} changes nothing (no condition names it, and wherever "
                       f"{qid!r} is asked another option gives the same checklist)")
    return out


def checklist_record(path: AnswerPath) -> dict:
    """The plain data of one path's checklist, for the reviewed artefact."""
    g = path.guide

    def texts(items):
        """Which texts a path shows: the start of each, and its ref (the seed holds the rest)."""
        return [f"{t.text[:24]}{'…' if len(t.text) > 24 else ''}  〔{t.ref}〕" for t in items]

    from kiosk.catalogue.textview import channel_summary

    return {
        "answers": [f"{q}={o}" for q, o in path.answers],
        "materials": [{"name": m.display_name, "original": m.original, "requirement": m.requirement,
                       "source": m.source, "deferrable": m.deferrable_deadline, "ref": m.ref}
                      for m in g.materials],
        "older_materials": [f"{m.listed_by}：{m.text}" for m in g.older_materials],
        "channels": [channel_summary(c) for c in g.channels],
        "intro": texts(g.intro), "tips": texts(g.tips), "notes": texts(g.notes),
        "steps": texts(g.steps), "legal_basis": texts(g.legal_basis),
    }


def service_record(service: Service, w: Walk) -> dict:
    return {"region": service.region, "service": service.id, "name": service.name,
            "questions": [q.id for q in service.questions],
            "paths": [checklist_record(p) for p in w.paths]}


def check_paths(services: list[Service]) -> tuple[list[str], dict[str, int]]:
    """Walk every service; returns (problems, counts) for `kiosk catalogue check`."""
    problems: list[str] = []
    counts = {"services": 0, "paths": 0, "questions": 0}
    for svc in services:
        w = walk(svc)
        problems += path_problems(svc, w)
        counts["services"] += 1
        counts["paths"] += len(w.paths)
        counts["questions"] += len(svc.questions)
    return problems, counts


def artefact_files(services: list[Service]) -> dict[str, str]:
    """`<region>/<service>.json` -> its text: every path's checklist, for review."""
    import json

    out = {}
    for svc in services:
        record = service_record(svc, walk(svc))
        out[f"{svc.region}/{svc.id}.json"] = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    return out
