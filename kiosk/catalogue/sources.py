"""Load `seed/` into a `Catalogue`, checking everything on the way.

`load_seed(seed_dir)` returns the merged catalogue and every problem found, each as
`file:line: message`. The checks:

- the shape of each record (schema.py): unknown fields, missing fields, types;
- provenance: every record has a `ref` that names a known document;
- ids: unique services/halls/topics per region; references (merge_into, applies_to,
  services, service_updates) point at existing services;
- vocabulary: topics, audience, channel types, 原件/复印件 values, questions and
  their options used by conditions; a question that changes nothing is an error;
- faithfulness: every verbatim `text` occurs in the document it cites (whitespace,
  punctuation width and URLs aside), and every URL, e-mail, window number and long
  number (phones) anywhere in a record occurs in that document: the automatic
  no-invention check.

Merging follows the documents' rank (documents.yaml): the newer wins and the older
value is kept as a recorded Difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalogue import schema
from kiosk.catalogue.cleaning import EMAIL_RE, URL_RE, match_key, normalize_lookalikes
from kiosk.catalogue.guide import CONDITIONAL
from kiosk.catalogue.model import (
    Catalogue,
    Channel,
    DeferrableItem,
    Difference,
    Document,
    Form,
    Hall,
    Material,
    Option,
    Phone,
    PolicyFact,
    PolicyTable,
    PolicyTopic,
    Question,
    Region,
    Service,
    TextItem,
    TimeLimit,
    Topic,
    condition_questions,
    document_label,
    normalize_condition,
)
from kiosk.catalogue.schema import Problem
from kiosk.catalogue.sections import SectionIndex, parse_section
from kiosk.catalogue.yamlload import LineDict, SeedSyntaxError, load_yaml

REF_RE = re.compile(r"^(?:(?P<doc>\d{3}_[0-9a-f]+\.txt)\s*)?§\s*(?P<section>\S.*)$")
LONG_NUMBER_RE = re.compile(r"\d+(?:-\d+)+|\d{5,}")
WINDOW_RE = re.compile(r"(\d+)\s*号")
VERBATIM_FIELDS = ("text",)
# Parsed fields that must also occur in the document (never invent a form, an address, a
# requirement, a source or a note): each of their clauses is the document's own words.
MUST_OCCUR_FIELDS = ("name", "title", "address", "place", "directions", "requirement", "source", "note")
# Fields that are ids, references or conditions: not text of the document. Every other string
# field, `comment` included, is scanned for URLs, e-mails, phone numbers and window numbers.
NOT_SCANNED = {"ref", "older_ref", "newer_ref", "id", "when", "when_any", "applies_to", "merge_into",
               "services", "service", "questions", "topics", "type", "older", "newer"}
# A difference's own values are checked against the documents they cite (see differences()).


@dataclass
class SourceDocument:
    meta: Document
    raw: str
    key: str = ""  # match_key of the whole text
    urls: set[str] = field(default_factory=set)
    compact: str = ""  # text with whitespace removed, look-alikes normalised
    words: str = ""  # match_key without any punctuation

    @classmethod
    def read(cls, meta: Document, path: Path) -> SourceDocument:
        raw = path.read_text(encoding="utf-8")
        doc = cls(meta, raw)
        doc.key = match_key(raw)
        doc.urls = {_url_key(u) for u in URL_RE.findall(raw)}
        doc.compact = re.sub(r"\s+", "", normalize_lookalikes(raw))
        doc.words = _PUNCT_RE.sub("", doc.key)
        return doc


_PUNCT_RE = re.compile(r"[^\w]+")


def _segments(value: str) -> list[str]:
    """The clauses of a short text, punctuation removed (for 'is this the document's words')."""
    key = match_key(URL_RE.sub(" ", value))
    return [seg for seg in _PUNCT_RE.split(key) if len(seg) >= 2]


def _url_key(url: str) -> str:
    return url.rstrip("/.,;)）").lower()


class SeedLoader:
    def __init__(self, seed_dir: Path, check_documents: bool = True):
        self.seed_dir = seed_dir
        self.check_documents = check_documents
        self.problems: list[Problem] = []
        self.docs: dict[str, SourceDocument] = {}
        self.doc_meta: dict[str, Document] = {}
        self.topics: dict[str, Topic] = {}
        self.audiences: set[str] = set()
        self.shared_questions: dict[str, Question] = {}
        self.evidence: dict[str, str] = {}  # id -> name (vocabulary.yaml evidence)
        # id -> {document file: (usual values {'original': …, 'source': …}, its full ref)}: an
        # evidence type's usual 原件/复印件 and source, where a document states them in general
        self.evidence_usual: dict[str, dict[str, tuple[dict[str, str], str]]] = {}
        self.catalogue: Catalogue | None = None
        # raw records kept for cross-checks: (file, LineDict)
        self._service_raw: dict[tuple[str, str], tuple[str, LineDict]] = {}
        self._sections: dict[str, SectionIndex] = {}
        self._section_names: dict[str, set[str]] = {}
        self._levels: dict[tuple[str, str], tuple] = {}

    # -- helpers -------------------------------------------------------------
    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.seed_dir.parent))
        except ValueError:
            return str(path)

    def problem(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line or 1, message))

    def load(self, path: Path):
        try:
            return load_yaml(path)
        except SeedSyntaxError as exc:
            self.problem(self.rel(path), exc.line, exc.message)
        except OSError as exc:
            self.problem(self.rel(path), 1, f"cannot read: {exc.strerror}")
        return None

    def resolve_ref(self, ref, default_doc: str, file: str, line: int) -> str:
        if not isinstance(ref, str):
            return ""
        m = REF_RE.match(ref.strip())
        if not m:
            self.problem(file, line, f"ref {ref!r}: expected '§section' or '<document file> §section'")
            return ref
        doc = m.group("doc") or default_doc
        if doc not in self.doc_meta:
            self.problem(file, line, f"ref {ref!r}: unknown document {doc!r}")
        full = f"{doc} §{m.group('section').strip()}"
        if self.check_documents and doc in self.docs:
            levels, missing = self.section_levels(full)
            if len(levels) == 1:  # not even the section's first label is in the document
                self.problem(file, line, f"ref {ref!r}: no section {missing.value!r} in {doc}")
        return full

    def section_index(self, doc: str) -> SectionIndex:
        index = self._sections.get(doc)
        if index is None:
            meta = self.doc_meta[doc]
            index = self._sections[doc] = SectionIndex(self.docs[doc].raw, self._section_names.get(doc, set()),
                                                       side_headings=meta.side_headings)
        return index

    def section_levels(self, full_ref: str):
        doc, _, section = full_ref.partition(" §")
        key = (doc, section)
        if key not in self._levels:
            self._levels[key] = self.section_index(doc).levels(section)
        return self._levels[key]

    def text_in_section(self, value: str, full_ref: str) -> bool:
        """Does a verbatim text occur in the section its ref names?

        The deepest label found narrows the section; a text that begins before its label (a
        line's lead-in such as 网上办：) may start in the enclosing section. In a document
        with side headings (documents.yaml) only the named section is checked.
        """
        doc = self.doc_of(full_ref)
        index = self.section_index(doc)
        levels, _missing = self.section_levels(full_ref)
        key = match_key(value)
        if self.doc_meta[doc].side_headings:
            return index.occurs_in(levels[min(1, len(levels) - 1)], key)
        if index.occurs_in(levels[-1], key):
            return True
        return len(levels) > 2 and index.occurs_in(levels[-2], key)

    def collect_section_names(self) -> None:
        """The named sections (违规禁办事项清单, 生育保险待遇 …) each document's refs use:
        one ends where the next begins."""
        for path in self.seed_dir.glob("*/*.yaml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            own = re.search(r"^document:\s*(\S+)", text, re.M)
            for m in re.finditer(r"ref:\s*[\"']?(?:(\d{3}_[0-9a-f]+\.txt)\s*)?§\s*([^\s\"']+)", text):
                doc = m.group(1) or (own.group(1) if own else "")
                atoms = parse_section(m.group(2))
                if atoms and atoms[0].kind == "name":
                    self._section_names.setdefault(doc, set()).add(atoms[0].value)

    @staticmethod
    def doc_of(full_ref: str) -> str:
        return full_ref.split(" §", 1)[0]

    # -- vocabulary and documents --------------------------------------------
    def load_documents(self) -> None:
        path = self.seed_dir / "documents.yaml"
        data = self.load(path)
        if not data:
            return
        for d in data.get("documents", []):
            meta = Document(file=d["file"], title=d["title"], issuer=d.get("issuer", ""),
                            region=d["region"], date=d.get("date"), rank=int(d["rank"]),
                            date_note=d.get("date_note"), side_headings=bool(d.get("side_headings")),
                            short_title=d.get("short_title"))
            self.doc_meta[meta.file] = meta
            src = self.seed_dir / "sources" / meta.file
            if not src.exists():
                self.problem(self.rel(path), d.line, f"source document {meta.file} not found in seed/sources/")
                continue
            if self.check_documents:
                self.docs[meta.file] = SourceDocument.read(meta, src)

    def load_vocabulary(self) -> None:
        path = self.seed_dir / "vocabulary.yaml"
        data = self.load(path)
        if not data:
            return
        for t in data.get("topics", []):
            self.topics[t["id"]] = Topic(t["id"], t["label"])
        self.audiences = set(data.get("audiences", []))
        for ev in data.get("evidence") or []:
            if ev["id"] in self.evidence:
                self.problem(self.rel(path), ev.line, f"duplicate evidence id {ev['id']!r}")
            self.evidence[ev["id"]] = ev["name"]
            for usual in ev.get("usual") or []:
                self.load_usual(ev, usual, self.rel(path))
        for q in data.get("questions", []):
            self.shared_questions[q["id"]] = Question(q["id"], q["text"],
                                                      [Option(o["id"], o["label"]) for o in q["options"]])

    def load_usual(self, ev, usual, file: str) -> None:
        """An evidence type's usual 原件/复印件 and source, as one document states them in
        general: it needs the full ref of the section that says so, and that section must
        name the evidence and the values."""
        line = getattr(usual, "line", ev.line)
        where = f"evidence {ev['id']!r} usual"
        if not isinstance(usual, dict):
            self.problem(file, line, f"{where}: expected a mapping of original, source and ref")
            return
        unknown = set(usual) - {"original", "source", "ref", "comment"}
        if unknown:
            self.problem(file, line, f"{where}: unknown field {sorted(unknown)[0]!r} (original, source, ref)")
        values = {k: usual[k] for k in ("original", "source") if usual.get(k)}
        if not values:
            self.problem(file, line, f"{where}: states neither original nor source")
            return
        if values.get("original") and values["original"] not in schema.ORIGINAL_VALUES:
            self.problem(file, line, f"{where}: original {values['original']!r}: expected one of "
                                     f"{', '.join(sorted(schema.ORIGINAL_VALUES))}")
        ref_match = REF_RE.match(str(usual.get("ref") or ""))
        if ref_match is None or not ref_match.group("doc"):
            self.problem(file, line, f"{where}: needs ref '<document file> §section', the section of the "
                                     "document that states it (never a guess)")
            return
        ref = self.resolve_ref(usual["ref"], "", file, line)
        doc = self.doc_of(ref)
        if self.check_documents and doc in self.docs:
            for said in (ev["name"], *values.values()):
                if not self.text_in_section(said, ref):
                    self.problem(file, line, f"{where}: {said!r} not found in §{ref.partition(' §')[2]} of {doc}")
        by_doc = self.evidence_usual.setdefault(ev["id"], {})
        if doc in by_doc:
            self.problem(file, line, f"{where}: a second usual value for {doc}")
        by_doc[doc] = (values, ref)

    def apply_usual(self, m, ref: str, file: str) -> dict[str, str]:
        """A material of an evidence type with usual values (for its document): a value it
        leaves out is the usual one; a value of its own must be what its cited section says."""
        usual, usual_ref = self.evidence_usual.get(m.get("evidence") or "", {}).get(self.doc_of(ref), ({}, ""))
        out = {}
        for key, default in usual.items():
            own = m.get(key)
            if not own:
                out[key] = default
            elif own != default and self.check_documents and self.doc_of(ref) in self.docs \
                    and not self.text_in_section(own, ref):
                self.problem(file, m.line_of(key), f"{key} {own!r} differs from evidence {m['evidence']!r}'s "
                                                   f"usual {default!r} ({usual_ref}, vocabulary.yaml) and "
                                                   f"§{ref.partition(' §')[2]} does not say {own!r}")
        return out

    # -- faithfulness -------------------------------------------------------------
    def check_faithful(self, rec: dict, full_ref: str, file: str) -> None:
        """Verbatim texts and no invented URL / e-mail / number / window."""
        if not self.check_documents or not full_ref:
            return
        doc = self.docs.get(self.doc_of(full_ref))
        if doc is None:
            return
        for key, value in rec.items():
            if key in NOT_SCANNED or value is None:
                continue
            line = rec.line_of(key) if hasattr(rec, "line_of") else 1
            if isinstance(value, dict):
                if "ref" not in value:  # nested part of this record (form, …)
                    self.check_faithful(value, full_ref, file)
                continue
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        self._scan_string(item, key, doc, file, line)
                    elif isinstance(item, list):
                        for cell in item:
                            if isinstance(cell, str):
                                self._scan_string(cell, "cell", doc, file, line)
                continue
            if isinstance(value, str):
                self._scan_string(value, key, doc, file, line)
                if key in VERBATIM_FIELDS:
                    k = match_key(value)
                    short = f"{value[:40]!r}" + ("…" if len(value) > 40 else "")
                    if k and k not in doc.key:
                        self.problem(file, line, f"text not found in {doc.meta.file}: {short}")
                    elif k and not self.text_in_section(value, full_ref):
                        self.problem(file, line, f"text not found in §{full_ref.partition(' §')[2]} of "
                                                 f"{doc.meta.file} (it occurs elsewhere there): {short}")
                elif key in MUST_OCCUR_FIELDS:
                    # a short display form may drop punctuation and reorder clauses, but each
                    # clause must be the document's own words
                    missing = [seg for seg in _segments(value) if seg not in doc.words]
                    if missing:
                        self.problem(file, line, f"{key} not found in {doc.meta.file}: {missing[0]!r} "
                                                 f"(of {value[:40]!r})")

    def scan_in_any(self, value: str, key: str, docs: list[SourceDocument], file: str, line: int) -> None:
        """Like _scan_string, for a value that may come from any of `docs` (a difference's note)."""
        found = []
        for doc in docs:
            before = len(self.problems)
            self._scan_string(value, key, doc, file, line)
            found.append(self.problems[before:])
            del self.problems[before:]
        if all(found):
            self.problems += found[0]

    def _scan_string(self, value: str, key: str, doc: SourceDocument, file: str, line: int) -> None:
        for url in URL_RE.findall(value):
            if _url_key(url) not in doc.urls:
                self.problem(file, line, f"URL {url} does not occur in {doc.meta.file}")
        for email in EMAIL_RE.findall(value):
            if email.lower() not in doc.raw.lower():
                self.problem(file, line, f"e-mail {email} does not occur in {doc.meta.file}")
        without_urls = URL_RE.sub("", EMAIL_RE.sub("", value))
        for number in LONG_NUMBER_RE.findall(without_urls):
            if number not in doc.compact:
                self.problem(file, line, f"number {number} does not occur in {doc.meta.file}")
        if True:  # every field: a window number in a note is as invented as one in `window`
            for m in WINDOW_RE.finditer(without_urls):
                tail = without_urls[m.end(): m.end() + 12]
                if key == "window" or "窗口" in tail or "窗口" in without_urls[max(0, m.start() - 6): m.start()]:
                    if f"{m.group(1)}号" not in doc.compact:
                        self.problem(file, line, f"window number {m.group(1)}号 does not occur in {doc.meta.file}")

    # -- record builders -----------------------------------------------------------
    def text_items(self, items, doc: str, file: str, label: str | None = None,
                   conditional: bool = False) -> list[TextItem]:
        """Cited sentences. A service's own intro, tips, notes, steps and legal basis are chosen
        by the answers (guide.CONDITIONAL); anywhere else (禁办/容缺 lists, an older document's
        merged items, policy topics) a `when` would be ignored, so it is an error."""
        out = []
        for it in items or []:
            ref = self.resolve_ref(it.get("ref"), doc, file, it.line)
            self.check_faithful(it, ref, file)
            if not conditional:
                for key in ("when", "when_any"):
                    if it.get(key) is not None:
                        self.problem(file, it.line_of(key), f"{key}: not allowed here: the kiosk shows this "
                                                            "text whatever the answers (only a service's own "
                                                            "materials, channels, intro, tips, notes, steps and "
                                                            "legal_basis are conditional)")
            out.append(TextItem(it["text"], ref, normalize_condition(it.get("when"), it.get("when_any")),
                                it.get("label") or label))
        return out

    def materials(self, items, doc: str, file: str, older: bool = False) -> list[Material]:
        out = []
        for m in items or []:
            if m.get("silent") and not older:
                self.problem(file, m.line_of("silent"), "silent: only for an older document's item merged into "
                                                        "a newer service (the newer guide is silent on it)")
            ref = self.resolve_ref(m.get("ref"), doc, file, m.line)
            self.check_faithful(m, ref, file)
            if m.get("original") and m["original"] not in schema.ORIGINAL_VALUES:
                self.problem(file, m.line_of("original"),
                             f"original {m['original']!r}: expected one of {', '.join(sorted(schema.ORIGINAL_VALUES))}")
            form = m.get("form")
            name = m.get("name")
            if m.get("evidence"):
                evidence = self.evidence.get(m["evidence"])
                if evidence is None:
                    self.problem(file, m.line_of("evidence"), f"evidence {m['evidence']!r}: not in vocabulary.yaml "
                                                              f"(known: {', '.join(sorted(self.evidence))})")
                elif match_key(evidence) not in match_key(m["text"]):
                    self.problem(file, m.line_of("evidence"), f"evidence {m['evidence']!r} ({evidence}) does not "
                                                              f"occur in the material's text {m['text'][:30]!r}")
                name = name or evidence
            usual = self.apply_usual(m, ref, file) if m.get("evidence") else {}
            out.append(Material(
                text=m["text"], ref=ref, name=name, original=m.get("original") or usual.get("original"),
                evidence=m.get("evidence"), requirement=m.get("requirement"),
                source=m.get("source") or usual.get("source"),
                form=Form(form.get("title"), form.get("where"), form.get("url")) if form else None,
                note=m.get("note"), condition=normalize_condition(m.get("when"), m.get("when_any")),
            ))
        return out

    def channels(self, items, doc: str, file: str) -> list[Channel]:
        out = []
        for c in items or []:
            ref = self.resolve_ref(c.get("ref"), doc, file, c.line)
            self.check_faithful(c, ref, file)
            if c.get("type") not in schema.CHANNEL_TYPES:
                self.problem(file, c.line_of("type"),
                             f"channel type {c.get('type')!r}: expected one of {', '.join(sorted(schema.CHANNEL_TYPES))}")
            at = 0
            for item in c.get("path") or []:  # the menu items, in the order the text gives them
                found = c["text"].find(item, at)
                if found < 0:
                    self.problem(file, c.line_of("path"), f"path item {item!r} is not in the channel's text "
                                                          "(after the items before it)")
                    break
                at = found + len(item)
            if c.get("type") == "online" and not c.get("url") and not c.get("blank") and not c.get("name"):
                self.problem(file, c.line, "online channel without url or name: mark it blank: true if the document gives none")
            out.append(Channel(
                type=c["type"], text=c["text"], ref=ref, place=c.get("place"), window=c.get("window"),
                name=c.get("name"), url=c.get("url"), app=c.get("app"), path=list(c.get("path") or []),
                email=c.get("email"), note=c.get("note"), blank=bool(c.get("blank")),
                condition=normalize_condition(c.get("when"), c.get("when_any")),
            ))
        return out

    def time_limit(self, t, doc: str, file: str) -> TimeLimit | None:
        if not t:
            return None
        ref = self.resolve_ref(t.get("ref"), doc, file, t.line)
        self.check_faithful(t, ref, file)
        days = t.get("days")
        text = t["text"]
        if days is not None:
            if days == 0 and "即时" not in text:
                self.problem(file, t.line_of("days"), f"time_limit days 0 but text {text!r} is not 即时…")
            if days and not re.search(rf"(?<!\d){days}\s*个?工作日", text):
                self.problem(file, t.line_of("days"), f"time_limit days {days} does not match text {text!r}")
        return TimeLimit(text, days, ref)

    def phones(self, items, doc: str, file: str) -> list[Phone]:
        out = []
        for p in items or []:
            ref = self.resolve_ref(p.get("ref"), doc, file, p.line)
            self.check_faithful(p, ref, file)
            if self.check_documents and ref and self.doc_of(ref) in self.docs:
                compact = self.docs[self.doc_of(ref)].compact
                if re.sub(r"\s+", "", p["number"]) not in compact:
                    self.problem(file, p.line_of("number"), f"phone {p['number']} does not occur in {self.doc_of(ref)}")
            out.append(Phone(p["number"], p.get("label"), ref))
        return out

    def differences(self, items, doc: str, file: str, subject: str) -> list[Difference]:
        out = []
        for d in items or []:
            older_ref = self.resolve_ref(d["older_ref"], doc, file, d.line) if d.get("older_ref") else f"{doc} §?"
            newer_ref = self.resolve_ref(d["newer_ref"], doc, file, d.line) if d.get("newer_ref") else None
            if self.check_documents:
                older_doc = self.docs.get(self.doc_of(older_ref))
                newer_doc = self.docs.get(self.doc_of(newer_ref)) if newer_ref else None
                for key, docs in (("older", [older_doc]), ("newer", [newer_doc]),
                                  ("note", [older_doc, newer_doc]), ("comment", [older_doc, newer_doc])):
                    value = d.get(key)
                    known = [x for x in docs if x is not None]
                    for v in (value if isinstance(value, list) else [value]):
                        if isinstance(v, str) and known:
                            self.scan_in_any(v, key, known, file, d.line_of(key))
            out.append(Difference(d["field"], _as_text(d.get("older")), older_ref if d.get("older_ref") else None,
                                  _as_text(d.get("newer")) if d.get("newer") is not None else None,
                                  newer_ref, d.get("note"), subject, document=doc))
        return out

    def questions_for(self, ids, local, file: str, line: int) -> list[Question]:
        local_q = {q["id"]: Question(q["id"], q["text"], [Option(o["id"], o["label"]) for o in q["options"]])
                   for q in (local or [])}
        out = []
        for qid in ids or []:
            q = local_q.get(qid) or self.shared_questions.get(qid)
            if q is None:
                self.problem(file, line, f"question {qid!r} is neither in vocabulary.yaml nor in local_questions")
                continue
            out.append(q)
        for qid in local_q:
            if qid not in (ids or []):
                self.problem(file, line, f"local question {qid!r} is defined but not listed in questions")
        return out

    def build_service(self, raw: LineDict, region: str, doc: str, file: str) -> Service:
        ref = self.resolve_ref(raw.get("ref"), doc, file, raw.line)
        self.check_faithful(_subset(raw, "name"), ref, file)
        svc = Service(
            region=region, id=raw["id"], name=raw["name"], category=raw["category"],
            audience=raw["audience"], topics=list(raw.get("topics") or []), ref=ref, sources=[ref],
        )
        if svc.audience not in self.audiences:
            self.problem(file, raw.line_of("audience"),
                         f"audience {svc.audience!r}: expected one of {', '.join(sorted(self.audiences))}")
        for t in svc.topics:
            if t not in self.topics:
                self.problem(file, raw.line_of("topics"), f"unknown topic {t!r} (see vocabulary.yaml)")
        if not svc.topics:
            self.problem(file, raw.line_of("topics"), "a service needs at least one topic")
        svc.intro = self.text_items(raw.get("intro"), doc, file, conditional=True)
        svc.questions = self.questions_for(raw.get("questions"), raw.get("local_questions"), file,
                                           raw.line_of("questions"))
        svc.materials = self.materials(raw.get("materials"), doc, file)
        svc.channels = self.channels(raw.get("channels"), doc, file)
        svc.time_limit = self.time_limit(raw.get("time_limit"), doc, file)
        svc.tips = self.text_items(raw.get("tips"), doc, file, conditional=True)
        svc.phones = self.phones(raw.get("phones"), doc, file)
        svc.notes = self.text_items(raw.get("notes"), doc, file, conditional=True)
        svc.steps = self.text_items(raw.get("steps"), doc, file, conditional=True)
        svc.legal_basis = self.text_items(raw.get("legal_basis"), doc, file, conditional=True)
        svc.differences = self.differences(raw.get("differences"), doc, file, svc.id)
        for nm in raw.get("no_materials") or []:
            if not nm.get("when") and not nm.get("when_any"):
                self.problem(file, nm.line, "no_materials: needs a `when` (the answers it is for)")
            svc.no_materials.append(TextItem(nm.get("comment") or "", self.resolve_ref(nm.get("ref"), doc, file, nm.line),
                                             normalize_condition(nm.get("when"), nm.get("when_any"))))
        return svc

    def check_conditions(self, svc: Service, file: str, line: int) -> None:
        asked = {q.id: q for q in svc.questions}
        used: set[str] = set()
        items = [x for attr in (*CONDITIONAL, "no_materials") for x in getattr(svc, attr)]
        for it in items:
            cond = it.condition
            for qid in sorted(condition_questions(cond)):  # a set: the report in a stable order
                used.add(qid)
                if qid not in asked:
                    self.problem(file, line, f"service {svc.id}: condition uses unknown situation key {qid!r} "
                                             f"(not in its questions: {', '.join(asked) or 'none'})")
                    continue
                maps = [cond.get("all", {})] + cond.get("any", [])
                for m in maps:
                    for opt in m.get(qid, []):
                        if asked[qid].option(opt) is None:
                            self.problem(file, line, f"service {svc.id}: unknown option {opt!r} for question {qid!r} "
                                                     f"(valid: {', '.join(o.id for o in asked[qid].options)})")
        for qid in asked:
            if qid not in used:
                self.problem(file, line, f"service {svc.id}: question {qid!r} changes nothing (no condition uses it)")

    # -- files ---------------------------------------------------------------------
    def load_region_file(self, path: Path, region_id: str, cat: Catalogue) -> None:
        file = self.rel(path)
        data = self.load(path)
        if data is None:
            return
        problems = schema.validate(data, schema.REGION_FILE, file)
        self.problems += problems
        if problems:
            return
        doc = data["document"]
        r = data["region"]
        if r["id"] != region_id:
            self.problem(file, r.line_of("id"), f"region id {r['id']!r} does not match its folder {region_id!r}")
        hotline = None
        if r.get("hotline"):
            h = r["hotline"]
            hotline = self.phones([h], doc, file)[0]
        cat.regions.append(Region(region_id, r["name"], hotline, r.get("note")))
        seen: set[str] = set()
        for h in data["halls"]:
            if h["id"] in seen:
                self.problem(file, h.line_of("id"), f"duplicate hall id {h['id']!r}")
            seen.add(h["id"])
            ref = self.resolve_ref(h.get("ref"), doc, file, h.line)
            self.check_faithful(h, ref, file)
            if h.get("phone") and self.check_documents and self.doc_of(ref) in self.docs:
                if re.sub(r"\s+", "", h["phone"]) not in self.docs[self.doc_of(ref)].compact:
                    self.problem(file, h.line_of("phone"), f"phone {h['phone']} does not occur in {self.doc_of(ref)}")
            diffs = self.differences(h.get("differences"), doc, file, h["name"])
            for d, raw_d in zip(diffs, h.get("differences") or [], strict=False):
                if d.older_ref and self.check_documents and self.doc_of(d.older_ref) in self.docs:
                    older_doc = self.docs[self.doc_of(d.older_ref)]
                    if match_key(d.older) not in older_doc.key:
                        self.problem(file, raw_d.line_of("older"),
                                     f"older value not found in {older_doc.meta.file}: {d.older[:40]!r}")
            for d in diffs:
                d.region, d.kind = region_id, "hall"
            hall = Hall(region_id, h["id"], h["name"], ref, h.get("address"), h.get("phone"),
                        h.get("directions"), h.get("note"), diffs)
            cat.halls.append(hall)
            cat.differences += diffs

    def load_services_file(self, path: Path, region_id: str, data: dict, cat: Catalogue,
                           services: dict[str, Service]) -> None:
        file = self.rel(path)
        doc = data["document"]
        for raw in data["services"]:
            svc = self.build_service(raw, region_id, doc, file)
            self.add_service(svc, raw, file, services)

    def add_service(self, svc: Service, raw: LineDict, file: str, services: dict[str, Service]) -> None:
        if svc.id in services:
            other_file, other = self._service_raw[(svc.region, svc.id)]
            self.problem(file, raw.line_of("id"), f"duplicate service id {svc.id!r} (also {other_file}:{other.line})")
            return
        services[svc.id] = svc
        self._service_raw[(svc.region, svc.id)] = (file, raw)

    def attach_lists(self, path: Path, data: dict, services: dict[str, Service]) -> None:
        file = self.rel(path)
        doc = data["document"]
        for lst in data.get("refusal_lists") or []:
            ref = self.resolve_ref(lst.get("ref"), doc, file, lst.line)
            self.check_faithful(lst, ref, file)
            label = lst["matter"] + (f"（{lst['heading']}）" if lst.get("heading") else "")
            items = self.text_items(lst["items"], doc, file, label=label)
            list_notes = self.text_items(lst.get("notes"), doc, file, label=label)
            for sid in lst["applies_to"]:
                if sid not in services:
                    self.problem(file, lst.line_of("applies_to"), f"applies_to: unknown service {sid!r}")
                    continue
                services[sid].refusals += items
                services[sid].notes += list_notes
                if ref not in services[sid].sources:
                    services[sid].sources.append(ref)
        for lst in data.get("deferrable_lists") or []:
            ref = self.resolve_ref(lst.get("ref"), doc, file, lst.line)
            self.check_faithful(lst, ref, file)
            dl = lst["deadline"]
            dl_ref = self.resolve_ref(dl.get("ref"), doc, file, dl.line)
            self.check_faithful(dl, dl_ref, file)
            list_notes = self.text_items(lst.get("notes"), doc, file, label=f"容缺受理：{lst['matter']}")
            for sid in lst["applies_to"]:
                if sid not in services:
                    self.problem(file, lst.line_of("applies_to"), f"applies_to: unknown service {sid!r}")
                    continue
                svc = services[sid]
                if ref not in svc.sources:
                    svc.sources.append(ref)
                svc.notes += [n for n in list_notes if n not in svc.notes]
                for it in lst["items"]:
                    it_ref = self.resolve_ref(it.get("ref"), doc, file, it.line)
                    self.check_faithful(it, it_ref, file)
                    method = it.get("method") or lst.get("method")
                    matched = False
                    if it.get("matches"):
                        key = match_key(it["matches"])
                        for m in svc.materials:
                            if key and key in match_key(m.text):
                                m.deferrable_deadline, m.deferrable_days, m.deferrable_ref = dl["text"], dl.get("days"), it_ref
                                matched = True
                        if not matched:
                            self.problem(file, it.line_of("matches"),
                                         f"matches {it['matches']!r}: no material of {sid} contains it")
                    if not matched:
                        svc.deferrable_items.append(DeferrableItem(it["text"], it_ref, it.get("source"), dl["text"],
                                                                   dl.get("days"), method))

    def load_items_file(self, path: Path, region_id: str, data: dict, services: dict[str, Service],
                        cat: Catalogue) -> None:
        """An older document's items: merged into a newer service, or standalone."""
        file = self.rel(path)
        doc = data["document"]
        for it in data["items"]:
            ref = self.resolve_ref(it.get("ref"), doc, file, it.line)
            self.check_faithful(_subset(it, "title"), ref, file)
            if it.get("merge_into") and it.get("service"):
                self.problem(file, it.line, "an item either merges into a service or defines one, not both")
                continue
            if it.get("service"):
                svc = self.build_service(it["service"], region_id, doc, file)
                self.add_service(svc, it["service"], file, services)
                continue
            target = services.get(it.get("merge_into") or "")
            if target is None:
                self.problem(file, it.line_of("merge_into") if it.get("merge_into") else it.line,
                             f"merge_into: unknown service {it.get('merge_into')!r}")
                continue
            label = document_label(self.doc_meta[doc]) if doc in self.doc_meta else doc
            target.sources.append(ref)
            # materials / time limit of the older document are kept as read, for staff
            older_materials = self.materials(it.get("materials"), doc, file, older=True)
            # silence is not absence: what the newer guide does not mention, the older still lists
            have = {match_key(m.text) for m in target.older_materials}
            for raw_m, m in zip(it.get("materials") or [], older_materials, strict=False):
                if raw_m.get("silent") and match_key(m.text) not in have:
                    have.add(match_key(m.text))
                    m.listed_by = document_label(self.doc_meta[doc], short=True) if doc in self.doc_meta else doc
                    target.older_materials.append(m)
            older_tl = self.time_limit(it.get("time_limit"), doc, file)
            # several older items often merge into one service with the same 办理环节 and
            # 设定依据: keep each text once
            for attr, key in (("steps", "steps"), ("legal_basis", "legal_basis"), ("older_notes", "notes")):
                have = {match_key(t.text) for t in getattr(target, attr)}
                for t in self.text_items(it.get(key), doc, file, label=label):
                    if match_key(t.text) not in have:
                        have.add(match_key(t.text))
                        getattr(target, attr).append(t)
            diffs = self.differences(it.get("differences"), doc, file, target.id)
            for d in diffs:
                d.older_ref = d.older_ref or ref
            if older_tl and target.time_limit and match_key(older_tl.text) != match_key(target.time_limit.text) \
                    and not any(d.field == "time_limit" for d in diffs):
                diffs.append(Difference("time_limit", older_tl.text, older_tl.ref, target.time_limit.text,
                                        target.time_limit.ref, "办理时限不同，以较新文件为准", target.id,
                                        document=doc))
            target.differences += diffs

    def load_policy_file(self, path: Path, region_id: str, data: dict, services: dict[str, Service],
                         cat: Catalogue) -> None:
        file = self.rel(path)
        doc = data["document"]
        seen: set[str] = set()
        for t in data["policy_topics"]:
            if t["id"] in seen:
                self.problem(file, t.line_of("id"), f"duplicate policy topic id {t['id']!r}")
            seen.add(t["id"])
            ref = self.resolve_ref(t.get("ref"), doc, file, t.line)
            topic = PolicyTopic(region_id, t["id"], t["title"], ref)
            if t.get("basis"):
                topic.basis = self.text_items([t["basis"]], doc, file)[0]
            topic.paragraphs = self.text_items(t.get("paragraphs"), doc, file)
            for f in t.get("facts") or []:
                fref = self.resolve_ref(f.get("ref"), doc, file, f.line)
                self.check_faithful(f, fref, file)
                topic.facts.append(PolicyFact(f["label"], str(f["value"]), fref, f.get("note")))
            for tb in t.get("tables") or []:
                tref = self.resolve_ref(tb.get("ref"), doc, file, tb.line)
                rows = tb["rows"]
                if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                    self.problem(file, tb.line_of("rows"), "table rows: expected a list of rows (lists of cells)")
                    rows = []
                rows = [[("" if c is None else str(c)) for c in r] for r in rows]
                for r in rows:
                    if len(r) != len(tb["columns"]):
                        self.problem(file, tb.line_of("rows"),
                                     f"table {tb['title']!r}: row has {len(r)} cells, {len(tb['columns'])} columns")
                cells = _subset(tb, "rows")  # problems at the line of the table's rows
                cells["rows"] = rows
                self.check_faithful(cells, tref, file)
                topic.tables.append(PolicyTable(tb["title"], list(tb["columns"]), rows, tref,
                                                self.text_items(tb.get("notes"), doc, file)))
            for sid in t.get("services") or []:
                if sid not in services:
                    self.problem(file, t.line_of("services"), f"services: unknown service {sid!r}")
                    continue
                topic.services.append(sid)
                services[sid].policy_topics.append(t["id"])
            cat.policy_topics.append(topic)
        for up in data.get("service_updates") or []:
            svc = services.get(up["service"])
            if svc is None:
                self.problem(file, up.line_of("service"), f"service_updates: unknown service {up['service']!r}")
                continue
            ref = self.resolve_ref(up.get("ref"), doc, file, up.line)
            svc.sources.append(ref)
            if up.get("materials") is not None:
                new = self.materials(up["materials"], doc, file)
                older = "；".join(m.text for m in svc.materials)
                newer = "；".join(m.text for m in new)
                svc.differences.append(Difference(
                    "materials", older, svc.materials[0].ref if svc.materials else svc.ref, newer, ref,
                    up.get("note") or "所需材料以较新文件为准", svc.id, document=doc))
                svc.materials = new
            if up.get("questions") is not None:
                svc.questions = self.questions_for(up["questions"], up.get("local_questions"), file,
                                                   up.line_of("questions"))
            svc.notes += self.text_items(up.get("notes"), doc, file, conditional=True)
            svc.tips += self.text_items(up.get("tips"), doc, file, conditional=True)

    def follows(self, svc: Service) -> str:
        """The newest document among the service's sources: the guide a checklist follows."""
        docs = [self.doc_meta[d] for d in dict.fromkeys(self.doc_of(s) for s in svc.sources) if d in self.doc_meta]
        if not docs:
            return ""
        doc = max(docs, key=lambda d: d.rank)
        return document_label(doc) + ("" if doc.date else "（未注明日期）")

    # -- everything ----------------------------------------------------------------
    def run(self) -> Catalogue:
        self.collect_section_names()
        self.load_documents()
        self.load_vocabulary()
        cat = Catalogue(documents=list(self.doc_meta.values()), topics=list(self.topics.values()))
        region_dirs = sorted(p for p in self.seed_dir.iterdir() if p.is_dir() and p.name != "sources")
        for rdir in region_dirs:
            region_id = rdir.name
            services: dict[str, Service] = {}
            region_file = rdir / "region.yaml"
            if region_file.exists():
                self.load_region_file(region_file, region_id, cat)
            else:
                self.problem(self.rel(region_file), 1, "region.yaml missing")
            loaded = []
            for path in sorted(rdir.glob("*.yaml")):
                if path.name == "region.yaml":
                    continue
                data = self.load(path)
                if data is None:
                    continue
                file = self.rel(path)
                if not isinstance(data, LineDict):  # what the loader makes of every mapping
                    self.problem(file, 1, "expected a mapping at the top of the file")
                    continue
                kind = ("services" if "services" in data else "items" if "items" in data
                        else "policy" if "policy_topics" in data else None)
                specs: dict[str | None, dict] = {"services": schema.SERVICES_FILE, "items": schema.ITEMS_FILE,
                                                 "policy": schema.POLICY_FILE}
                spec = specs.get(kind)
                if spec is None:
                    self.problem(file, 1, "unknown file kind: expected 'services', 'items' or 'policy_topics'")
                    continue
                problems = schema.validate(data, spec, file)
                self.problems += problems
                if problems:
                    continue
                if data["document"] not in self.doc_meta:
                    self.problem(file, data.line_of("document"), f"unknown document {data['document']!r}")
                    continue
                if data["region"] != region_id:
                    self.problem(file, data.line_of("region"),
                                 f"region {data['region']!r} does not match its folder {region_id!r}")
                loaded.append((path, kind, data))
            # order: services, then older documents' items, then newer documents' updates
            for path, kind, data in loaded:
                if kind == "services":
                    self.load_services_file(path, region_id, data, cat, services)
            for path, kind, data in loaded:
                if kind == "items":
                    self.load_items_file(path, region_id, data, services, cat)
            for path, kind, data in loaded:
                if kind == "policy":
                    self.load_policy_file(path, region_id, data, services, cat)
            # 禁办/容缺 lists last: they mark the materials as finally merged
            for path, kind, data in loaded:
                if kind == "services":
                    self.attach_lists(path, data, services)
            for svc in services.values():
                file, raw = self._service_raw[(region_id, svc.id)]
                self.check_conditions(svc, file, raw.line)
                for d in svc.differences:
                    d.region, d.kind = region_id, "service"
                svc.follows = self.follows(svc)
                cat.differences += svc.differences
            cat.services += services.values()
        self.catalogue = cat
        return cat


def _subset(raw: LineDict, *keys: str) -> LineDict:
    """The named fields of a record, each at its own line (for check_faithful)."""
    out = LineDict((k, raw[k]) for k in keys if k in raw)
    out.key_lines = {k: raw.line_of(k) for k in keys if k in raw}
    return out


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "；".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_as_text(v)}" for k, v in value.items())
    return str(value)


def load_seed(seed_dir: Path, check_documents: bool = True) -> tuple[Catalogue, list[Problem]]:
    loader = SeedLoader(seed_dir, check_documents)
    try:
        cat = loader.run()
    except FileNotFoundError as exc:
        loader.problem(str(seed_dir), 1, f"missing: {exc.filename}")
        cat = Catalogue([], [])
    return cat, loader.problems
