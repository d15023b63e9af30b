"""The writing pad (手写输入): write a character with a finger, tap the right one.

A 600 px square takes strokes from a finger (Qt turns a touch into mouse events) or a
mouse and draws them thick. After every stroke the character is read quickly on a
worker thread (kiosk.handwriting) and the candidate buttons refresh; the text is
decoded against the catalogue's own words, so 住 written badly followed by 院 still
gives 住院. A pause of COMMIT_MS after a stroke ends the character: it is read once more
thoroughly (stroke-order slips too) and the square is free for the next; tapping a
candidate ends it at once. 退一笔 takes back the last stroke (or the last character),
重写 starts again. `textChanged` carries the decoded text for the search.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.ui.widgets import button

if TYPE_CHECKING:
    from kiosk.handwriting.decoder import Decoder

log = logging.getLogger("kiosk.handwriting")

PAD_SIZE = 600  # px, the writing square (issue 14: at least 600)
PEN_WIDTH = 16  # px: thick, as a finger draws
CHAR_BUTTONS = 9  # candidate characters shown, 3 × 3
WORD_BUTTONS = 2  # candidate words shown
CANDIDATE_SIZE = 96  # px, each candidate character's button (issue 14: at least 80)
COMMIT_MS = 1200  # a pause this long after a stroke ends the character
MAX_CHARS = 8
WORD_MAX = 7  # characters: longer words do not fit a word button

PAD_STYLE = f"""
QPushButton[role="hwchar"] {{ font-size: 48px; min-width: {CANDIDATE_SIZE}px; max-width: {CANDIDATE_SIZE + 40}px;
    min-height: {CANDIDATE_SIZE}px; padding: 0px; }}
QPushButton[role="hwword"] {{ font-size: 36px; min-height: 88px; padding: 0px 8px; }}
"""


class WritingArea(QWidget):
    """The square written on. Strokes in widget pixels; `strokeFinished` after each."""

    strokeStarted = Signal()
    strokeFinished = Signal()

    def __init__(self):
        super().__init__()
        self.setObjectName("writingArea")
        self.setMinimumSize(PAD_SIZE, PAD_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.strokes: list[list[tuple[float, float]]] = []
        self._writing = False
        self.hint = "请在这里写一个字"

    def sizeHint(self) -> QSize:
        return QSize(PAD_SIZE, PAD_SIZE)

    # -- input: the mouse, and a finger (Qt synthesizes mouse events from touch) ----
    def mousePressEvent(self, e):
        if e.button() != Qt.MouseButton.LeftButton:
            return
        self._writing = True
        p = e.position()
        self.strokes.append([(p.x(), p.y())])
        self.strokeStarted.emit()
        self.update()

    def mouseMoveEvent(self, e):
        if not self._writing:
            return
        p = e.position()
        x = min(max(p.x(), 0.0), float(self.width()))
        y = min(max(p.y(), 0.0), float(self.height()))
        if (x, y) != self.strokes[-1][-1]:
            self.strokes[-1].append((x, y))
            self.update()

    def mouseReleaseEvent(self, e):
        if not self._writing:
            return
        self._writing = False
        self.strokeFinished.emit()

    def clear(self) -> None:
        self.strokes = []
        self._writing = False
        self.update()

    def paintEvent(self, _e):
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor("#ffffff"))
        p.setPen(QPen(QColor("#1f5fa8"), 4))
        p.drawRect(2, 2, w - 4, h - 4)
        guide = QPen(QColor("#c9d6e6"), 2, Qt.PenStyle.DashLine)  # 田字格, as on school paper
        p.setPen(guide)
        p.drawLine(w // 2, 8, w // 2, h - 8)
        p.drawLine(8, h // 2, w - 8, h // 2)
        if not self.strokes:
            p.setPen(QColor("#7a8899"))
            f = p.font()
            f.setPixelSize(34)
            p.setFont(f)
            p.drawText(self.rect().adjusted(0, 0, 0, -h // 2 - 20), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, self.hint)
        p.setPen(QPen(QColor("#111111"), PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        for s in self.strokes:
            if len(s) == 1:
                p.drawPoint(QPointF(*s[0]))
                continue
            path = QPainterPath(QPointF(*s[0]))
            for pt in s[1:]:
                path.lineTo(QPointF(*pt))
            p.drawPath(path)
        p.end()


class _Engine:
    """The recogniser and the region's decoder, made on the worker thread when first
    needed (the model opens in ~50 ms)."""

    def __init__(self):
        self.recogniser = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def column(self, strokes, thorough=False):
        with self._lock:
            if self.recogniser is None and self.error is None:
                from kiosk.handwriting.recognise import Recogniser
                from kiosk.handwriting.zinnia import RecognizerUnavailable

                try:
                    self.recogniser = Recogniser()
                except RecognizerUnavailable as exc:
                    self.error = str(exc)
                    log.error("handwriting unavailable: %s", exc, extra={"event": "handwriting-unavailable"})
        if self.recogniser is None:
            return None
        return self.recogniser.column(strokes, thorough=thorough)


_ENGINE = _Engine()  # one model in memory for every pad


class HandwritingPad(QWidget):
    textChanged = Signal(str)
    _recognised = Signal(int, object)  # from the worker thread: (stroke count seen, column)

    def __init__(self, words: Callable[[], list[str]]):
        """`words()` gives the vocabulary to decode against (asked again after reset)."""
        super().__init__()
        self.setObjectName("handwritingPad")
        self.setStyleSheet(PAD_STYLE)
        self._words = words
        self._decoder: Decoder | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="handwriting")
        self._columns: list[list[tuple[str, float]]] = []  # characters already written
        self._alts: list[list[tuple[str, float]] | None] = []  # what each was read as, for the buttons
        self._current: list[tuple[str, float]] | None = None  # the character being written
        self._seq = 0
        self._pending = 0  # recognitions submitted, not yet back
        self._commit_when_ready = False
        self._text = ""
        self.area = WritingArea()
        self.area.strokeStarted.connect(self._stroke_started)
        self.area.strokeFinished.connect(self._stroke_done)
        self._recognised.connect(self._on_recognised)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COMMIT_MS)
        self._timer.timeout.connect(self.next_character)

        self.char_buttons = []
        grid = QGridLayout()
        grid.setSpacing(16)  # MIIT: at least 16 px between targets
        for i in range(CHAR_BUTTONS):
            b = button("", (lambda i=i: self._choose_char(i)), role="hwchar", name=f"hwchar:{i}")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.char_buttons.append(b)
            grid.addWidget(b, i // 3, i % 3)
        self.word_buttons = []
        right = QVBoxLayout()
        right.setSpacing(16)  # MIIT: at least 16 px between targets
        right.addLayout(grid)
        for i in range(WORD_BUTTONS):
            b = button("", (lambda i=i: self._choose_word(i)), role="hwword", name=f"hwword:{i}")
            self.word_buttons.append(b)
            right.addWidget(b)
        right.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(16)  # MIIT: at least 16 px between targets
        row.addWidget(button("退一笔", self.undo_stroke, role="key", name="hw:undo"))
        row.addWidget(button("重写", self.clear, role="key", name="hw:clear"))
        right.addLayout(row)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(16)
        lay.addWidget(self.area, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(right, 1)
        self._show_candidates()

    # -- what was written --------------------------------------------------------------
    def text(self) -> str:
        return self._text

    def _decoder_now(self):
        if self._decoder is None:
            from kiosk.handwriting.decoder import Decoder
            from kiosk.handwriting.vocabulary import Lexicon

            self._decoder = Decoder(Lexicon(self._words()))
        return self._decoder

    def set_words(self, words: Callable[[], list[str]]) -> None:
        """A new vocabulary (another region or catalogue): decoded from now on."""
        self._words = words
        self._decoder = None

    def _all_columns(self):
        return self._columns + ([self._current] if self._current else [])

    # -- strokes ------------------------------------------------------------------------
    def _stroke_started(self) -> None:
        self._timer.stop()  # still writing this character …
        if self._commit_when_ready and self._current is not None:
            # … unless the pause had ended it and its thorough reading is not back yet:
            # the finger is on the next character already, so the quick reading is kept
            new = self.area.strokes.pop()
            self._commit()
            self.area.strokes = [new]
            self.area._writing = True

    def _stroke_done(self) -> None:
        self._timer.start()
        self._recognise()

    def _recognise(self, thorough: bool = False) -> None:
        self._seq += 1
        seq, strokes = self._seq, [list(s) for s in self.area.strokes]
        if not strokes:
            self._current = None
            self._update()
            return
        self._pending += 1
        fut = self._executor.submit(_ENGINE.column, strokes, thorough)
        fut.add_done_callback(lambda f: self._recognised.emit(seq, f.result() if not f.exception() else None))

    def _on_recognised(self, seq: int, column) -> None:
        self._pending -= 1
        if seq != self._seq:
            return  # a later stroke is being read already
        if column is None:
            self.area.hint = "手写识别暂不可用，请用拼音输入"
            self.area.update()
            return
        self._current = column
        if self._commit_when_ready:
            self._commit()
        else:
            self._update()

    def busy(self) -> bool:
        """A stroke is still being read."""
        return self._pending > 0 or self._commit_when_ready

    def next_character(self) -> None:
        """The character in the square is done: read it thoroughly, then keep its
        candidates and clear the square."""
        self._timer.stop()
        if not self.area.strokes or self._commit_when_ready:
            return
        self._commit_when_ready = True
        self._recognise(thorough=True)  # the quick reading stays shown meanwhile

    def _commit(self) -> None:
        assert self._current is not None  # both callers check it
        self._commit_when_ready = False
        if len(self._columns) < MAX_CHARS:
            self._columns.append(self._current)
            self._alts.append(self._current)
        self._current = None
        self._seq += 1
        self.area.clear()
        self._update()

    def undo_stroke(self) -> None:
        self._timer.stop()
        self._commit_when_ready = False
        if self.area.strokes:
            self.area.strokes.pop()
            self.area.update()
            self._current = None
            self._recognise()
            if self.area.strokes:
                return
        elif self._columns:
            self._columns.pop()
            self._alts.pop()
        self._update()

    def clear(self) -> None:
        """Everything written is gone (重写)."""
        had = self._text
        self.reset()
        if had:
            self.textChanged.emit("")

    def reset(self) -> None:
        """Start afresh without telling anyone (the query changed elsewhere)."""
        self._timer.stop()
        self._commit_when_ready = False
        self._seq += 1
        self._columns, self._alts, self._current = [], [], None
        self.area.clear()
        self._text = ""
        self._show_candidates()

    # -- candidates --------------------------------------------------------------------------
    def _update(self) -> None:
        self._show_candidates()
        self._emit()

    def _emit(self) -> None:
        text = self._decoder_now().text(self._all_columns()) if self._all_columns() else ""
        if text != self._text:
            self._text = text
            self.textChanged.emit(text)

    def _target_column(self):
        """The character the candidates are for: the one being written, else the last."""
        if self.area.strokes:
            return self._current
        return self._alts[-1] if self._alts else None

    def _show_candidates(self) -> None:
        dec = self._decoder_now() if (self._current or self._columns) else None
        col = self._target_column()
        chars = dec.characters(col, CHAR_BUTTONS) if (dec and col) else []
        self._chars = chars
        for i, b in enumerate(self.char_buttons):
            b.setText(chars[i] if i < len(chars) else "")
            b.setEnabled(i < len(chars))
        words = self._word_candidates(dec)
        self._shown_words = words
        for i, b in enumerate(self.word_buttons):
            b.setText(words[i] if i < len(words) else "")
            b.setVisible(i < len(words))

    def _word_candidates(self, dec) -> list[str]:
        cols = self._all_columns()
        if dec is None or not cols:
            return []
        if len(cols) >= 2:
            decoded = [w for w, _ in dec.words(cols, WORD_BUTTONS)]
            starts, out, rest = decoded[:1], decoded[:1], decoded[1:]
        else:
            starts, out, rest = dec.characters(cols[0], 3), [], []
        # the best reading, the catalogue's words that go on from it (住 → 住院, 住院 →
        # 住院费用报销), then the other readings
        for start in starts:
            out += sorted((w for w in dec.lexicon.words
                           if w.startswith(start) and len(start) < len(w) <= WORD_MAX), key=len)
        return list(dict.fromkeys(out + rest))[:WORD_BUTTONS]

    def _choose_char(self, i: int) -> None:
        if i >= len(self._chars):
            return
        sure = [(self._chars[i], 0.0)]
        if self.area.strokes:
            self._timer.stop()
            self._commit_when_ready = False
            self._seq += 1
            self._alts.append(self._current)
            self._current = None
            self.area.clear()
            self._columns.append(sure)
        elif self._columns:
            self._columns[-1] = sure
        self._update()

    def _choose_word(self, i: int) -> None:
        if i >= len(self._shown_words):
            return
        word = self._shown_words[i]
        self.reset()
        self._columns = [[(ch, 0.0)] for ch in word]
        self._alts = list(self._columns)
        self._update()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
