"""A plain on-screen keyboard for staff: pinyin (with Chinese candidates), letters,
digits and the punctuation of the guides. It types into the text field last tapped.

Keys are named `kb:<char>` (`kb:space`, `kb:backspace`, `kb:clear`, `kb:left`,
`kb:right`, `kb:mode`, `kb:symbols`), candidates `cand:<text>`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from kiosk.ui.widgets import button, clear_layout, label

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SYMBOL_ROWS = ("1234567890", "（）、，。：；？！-", "《》“”·/:@._")
CANDIDATES_SHOWN = 6

_ime = None


def shared_ime(corpus_fn):
    """One pinyin engine per process (its dictionaries take a second to index)."""
    global _ime
    if _ime is None:
        from kiosk.staff.ime import PinyinInput

        _ime = PinyinInput(corpus_fn())
    return _ime


class Keyboard(QWidget):
    def __init__(self, corpus_fn=lambda: "", parent=None):
        super().__init__(parent)
        self.setObjectName("staffKeyboard")
        self.corpus_fn = corpus_fn
        self.target: QLineEdit | QPlainTextEdit | None = None
        self.pinyin = True
        self.symbols = False
        self.pending = ""
        self.page = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        self.cand_row = QHBoxLayout()
        self.cand_row.setSpacing(8)
        lay.addLayout(self.cand_row)
        self.keys = QGridLayout()
        self.keys.setSpacing(8)
        lay.addLayout(self.keys)
        self._draw()

    # -- target --------------------------------------------------------------------------------
    def set_target(self, edit) -> None:
        self.target = edit
        self.pending = ""
        self._draw_candidates()

    def _insert(self, text: str) -> None:
        t = self.target
        if t is None:
            return
        if isinstance(t, QPlainTextEdit):
            t.textCursor().insertText(text)
            t.ensureCursorVisible()
        else:
            t.insert(text)

    # -- keys -----------------------------------------------------------------------------------
    def _draw(self) -> None:
        clear_layout(self.keys)
        rows = SYMBOL_ROWS if self.symbols else LETTER_ROWS
        for r, row in enumerate(rows):
            offset = 0 if self.symbols else r
            for c, ch in enumerate(row):
                shown = ch.upper() if not self.symbols else ch
                self.keys.addWidget(button(shown, (lambda ch=ch: self.key(ch)), role="key", name=f"kb:{ch}"),
                                    r, c * 2 + offset, 1, 2)
        # the symbols' last row has 11 keys (22 columns): 删除 goes to the end of the row above
        # (it overlapped '.' and '_' there); letters keep it after ZXCVBNM
        at = (1, 20, 1, 2) if self.symbols else (2, 16, 1, 4)
        self.keys.addWidget(button("删除", self.backspace, role="key", name="kb:backspace"), *at)
        bottom = [
            (("拼音" if self.pinyin else "英文"), self.toggle_pinyin, "kb:mode", 4),
            (("字母" if self.symbols else "123"), self.toggle_symbols, "kb:symbols", 3),
            ("空格", self.space, "kb:space", 5),
            ("◀", lambda: self.move_cursor(-1), "kb:left", 2),
            ("▶", lambda: self.move_cursor(1), "kb:right", 2),
            ("清空", self.clear, "kb:clear", 4),
        ]
        col = 0
        for text, fn, name, span in bottom:
            self.keys.addWidget(button(text, fn, role="key", name=name), 3, col, 1, span)
            col += span
        columns = 22 if self.symbols else 20
        for c in range(22):
            self.keys.setColumnStretch(c, 1 if c < columns else 0)
        self._draw_candidates()

    def _draw_candidates(self) -> None:
        clear_layout(self.cand_row)
        if not self.pending:
            hint = "拼音输入：按字母后点选汉字" if self.pinyin and not self.symbols else ""
            self.cand_row.addWidget(label(hint, role="small", wrap=False), 1)
            return
        self.cand_row.addWidget(label(self.pending, role="strong", wrap=False, name="kbPending"))
        cands = shared_ime(self.corpus_fn).candidates(self.pending, limit=60)
        start = self.page * CANDIDATES_SHOWN
        shown = cands[start:start + CANDIDATES_SHOWN]
        for text, used in shown:
            self.cand_row.addWidget(button(text, (lambda t=text, n=used: self.choose(t, n)), role="key",
                                           name=f"cand:{text}"), 1)
        if self.page > 0:
            self.cand_row.addWidget(button("‹", lambda: self.turn(-1), role="key", name="kb:candPrev"))
        if start + CANDIDATES_SHOWN < len(cands):
            self.cand_row.addWidget(button("›", lambda: self.turn(1), role="key", name="kb:candNext"))
        if not shown:
            self.cand_row.addWidget(label("没有对应的汉字", role="small", wrap=False), 1)

    def key(self, ch: str) -> None:
        if self.pinyin and not self.symbols and ch.isalpha():
            self.pending += ch
            self.page = 0
            self._draw_candidates()
        else:
            self._insert(ch)

    def choose(self, text: str, used: int) -> None:
        self._insert(text)
        self.pending = self.pending[used:]
        self.page = 0
        self._draw_candidates()

    def turn(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self._draw_candidates()

    def backspace(self) -> None:
        if self.pending:
            self.pending = self.pending[:-1]
            self._draw_candidates()
            return
        t = self.target
        if isinstance(t, QPlainTextEdit):
            t.textCursor().deletePreviousChar()
        elif t is not None:
            t.backspace()

    def space(self) -> None:
        if self.pending:
            cands = shared_ime(self.corpus_fn).candidates(self.pending, limit=1)
            if cands:
                self.choose(*cands[0])
            return
        self._insert(" ")

    def clear(self) -> None:
        self.pending = ""
        if self.target is not None:
            self.target.clear()
        self._draw_candidates()

    def move_cursor(self, step: int) -> None:
        t = self.target
        if isinstance(t, QPlainTextEdit):
            c = t.textCursor()
            c.movePosition(c.MoveOperation.Left if step < 0 else c.MoveOperation.Right)
            t.setTextCursor(c)
        elif t is not None:
            t.cursorBackward(False) if step < 0 else t.cursorForward(False)

    def toggle_pinyin(self) -> None:
        self.pinyin = not self.pinyin
        self.pending = ""
        self._draw()

    def toggle_symbols(self) -> None:
        self.symbols = not self.symbols
        self.pending = ""
        self._draw()
