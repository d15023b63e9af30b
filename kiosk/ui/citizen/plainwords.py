"""Plain words for citizens: the guides' jargon explained at first sight, and nothing
meant for the people who transcribed the documents.

    glossary()                      -> [Term(term, also, plain, source)] from resources/glossary.yaml
    first_terms(texts)              -> the terms in `texts`, each once, in order of first appearance
    citizen_note(text)              -> the note as a citizen may read it, or None (transcriber notes)
    document_titles(sources, docs)  -> source documents by title and year, for the printed checklist
    explain_in(container)           -> adds 「词：解释」 under the first label/button naming each term
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml
from PySide6.QtWidgets import QAbstractButton, QBoxLayout, QLabel, QLayout, QWidget

from kiosk import paths

# notes for transcribers and reviewers, not for the person at the kiosk
TRANSCRIBER_NOTE = re.compile(r"^链接文字为")
SECTION_REF = re.compile(r"§\s*[0-9０-９][0-9０-９.．]*[①-⑳]?")
FILE_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


@dataclass(frozen=True)
class Term:
    term: str
    also: tuple[str, ...]
    plain: str
    source: str

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.term, *self.also)


@lru_cache(maxsize=1)
def glossary() -> tuple[Term, ...]:
    path = paths.resources_dir() / "glossary.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return ()
    return tuple(Term(t["term"], tuple(t.get("also") or ()), t["plain"].strip(), str(t.get("source", "")).strip())
                 for t in data.get("terms", []))


def terms_in(text: str) -> list[Term]:
    return [t for t in glossary() if any(s in text for s in t.spellings)]


def first_terms(texts) -> list[Term]:
    seen: list[Term] = []
    for text in texts:
        for t in terms_in(text):
            if t not in seen:
                seen.append(t)
    return seen


def citizen_note(text: str | None) -> str | None:
    """A note from the catalogue as shown to citizens: None for a transcriber's note;
    section references (§3.2①) and source file names taken out."""
    if not text or TRANSCRIBER_NOTE.match(text.strip()):
        return None
    cleaned = FILE_NAME.sub("", SECTION_REF.sub("", text)).strip()
    return cleaned or None


def document_titles(sources, documents) -> list[str]:
    """The source documents of `sources` ('000_….txt §19', …) by title and year, for
    citizens: '沈阳市医疗保障事务服务中心 办事不找关系指南（2025）'. Titles and dates are
    the catalogue's (seed/documents.yaml); a document without a date gets no year."""
    by_file = {d.file: d for d in documents}
    out: list[str] = []
    for ref in sources:
        doc = by_file.get(str(ref).split()[0] if str(ref).split() else "")
        if doc is None or not doc.title:
            continue
        year = (doc.date or "")[:4]
        text = f"{doc.title}（{year}）" if year.isdigit() else doc.title
        if text not in out:
            out.append(text)
    return out


def explanation(term: Term) -> str:
    return f"「{term.term}」是什么意思：{term.plain}"


def _text_of(w: QWidget) -> str:
    if isinstance(w, (QLabel, QAbstractButton)):
        return w.text()
    return ""


def _layout_holding(w: QWidget) -> QLayout | None:
    parent = w.parentWidget()
    top = parent.layout() if parent is not None else None
    if top is None:
        return None

    def search(lay: QLayout) -> QLayout | None:
        for i in range(lay.count()):
            item = lay.itemAt(i)
            assert item is not None  # i < count()
            if item.widget() is w:
                return lay
            if (sub := item.layout()) is not None:
                found = search(sub)
                if found is not None:
                    return found
        return None

    return search(top)


def _insert_after(w: QWidget, new: QWidget) -> bool:
    """Put `new` right under `w`: in w's vertical layout, or under the row holding w."""
    lay = _layout_holding(w)
    target: QWidget | QLayout = w
    while lay is not None:
        if isinstance(lay, QBoxLayout) and lay.direction() in (QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.BottomToTop):
            index = lay.indexOf(target) if isinstance(target, QWidget) else _index_of_layout(lay, target)
            if index >= 0:
                lay.insertWidget(index + 1, new)
                return True
            return False
        parent = lay.parent()
        if not isinstance(parent, QLayout):
            return False
        target, lay = lay, parent
    return False


def _index_of_layout(lay: QLayout, child: QLayout) -> int:
    for i in range(lay.count()):
        item = lay.itemAt(i)
        assert item is not None  # i < count()
        if item.layout() is child:
            return i
    return -1


def explain_in(container: QWidget, make_label, skip: tuple[QWidget, ...] = ()) -> list[Term]:
    """Under the first label or button of `container` (in creation order, which is the
    order on screen) that names a glossary term, add `make_label(explanation)`. Each term
    is explained once per screen. Returns the terms explained."""
    done: list[Term] = []
    widgets = [w for w in container.findChildren(QWidget) if isinstance(w, (QLabel, QAbstractButton))]
    for w in widgets:
        if w in skip or w.property("glossary"):
            continue
        parent = w.parentWidget()
        target: QWidget
        if isinstance(w, QLabel) and isinstance(parent, QAbstractButton):
            target = parent  # a label inside a big button: explain under the button
        else:
            target = w
        for t in terms_in(_text_of(w)):
            if t in done:
                continue
            note = make_label(explanation(t))
            note.setProperty("glossary", t.term)
            if _insert_after(target, note):
                done.append(t)
            else:
                note.deleteLater()
    return done
