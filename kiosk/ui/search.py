"""Search with an on-screen keyboard (pinyin, initials), a writing pad (手写), or a
tapped everyday word. Results update with every key and every written stroke."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.ui.handwriting_pad import HandwritingPad
from kiosk.ui.widgets import PagedScroll, ScreenBase, WrapButton, button, clear_layout, label

KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SHOWN_RESULTS = 12  # the most relevant first; more letters narrow it down
COMMON_WORDS = ("报销", "生孩子", "外地看病", "参保", "退休", "社保卡", "查询", "慢病")


class SearchScreen(ScreenBase):
    title = "搜索"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.root = QVBoxLayout(self)
        self.root.setContentsMargins(32, 24, 32, 12)
        self.root.setSpacing(16)
        self.field = QLineEdit()
        self.field.setObjectName("searchField")
        self.field.setReadOnly(True)  # no system keyboard: the keys below type
        self.field.setFocusPolicy(Qt.NoFocus)
        self.field.setPlaceholderText("输入拼音或首字母，如 ydjy = 异地就医")
        self.results = PagedScroll()
        self.keyboard = self._keyboard()
        self.pad = HandwritingPad(self._vocabulary)
        self.pad.textChanged.connect(self._written)
        self.handwriting = False  # the keyboard first; 手写 is one tap away
        self.input = self._input()
        self.words = self._words()
        self._portrait = None
        self._pool: list[WrapButton] = []
        self._shown: list = []
        self._pool_ready = False

    def _keyboard(self) -> QWidget:
        kb = QWidget()
        g = QGridLayout(kb)
        g.setContentsMargins(0, 0, 0, 0)
        g.setSpacing(10)
        for r, row in enumerate(KEY_ROWS):
            offset = r  # a staggered keyboard, as people know it
            for c, ch in enumerate(row):
                g.addWidget(button(ch.upper(), (lambda ch=ch: self.type(ch)), role="key", name=f"key:{ch}"),
                            r, c * 2 + offset, 1, 2)
        g.addWidget(button("删除", self.backspace, role="key", name="key:backspace"), 2, 16, 1, 4)
        g.addWidget(button("清空", self.clear_query, role="key", name="key:clear"), 3, 0, 1, 6)
        g.addWidget(label("可输入拼音全拼或首字母", role="small"), 3, 7, 1, 13)
        return kb

    def _input(self) -> QWidget:
        """拼音 / 手写 switch above the keyboard or the writing pad."""
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(12)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.mode_buttons = {
            False: button("拼音输入", lambda: self.set_handwriting(False), role="key", name="mode:pinyin"),
            True: button("✍ 手写输入", lambda: self.set_handwriting(True), role="key", name="mode:handwriting"),
        }
        for b in self.mode_buttons.values():
            b.setCheckable(True)
            row.addWidget(b)
        lay.addLayout(row)
        lay.addWidget(self.keyboard)
        lay.addWidget(self.pad)
        self._show_mode()
        return w

    def _vocabulary(self) -> list[str]:
        """The words written characters are decoded against (kiosk.handwriting.vocabulary)."""
        from kiosk.handwriting.vocabulary import catalogue_words

        return catalogue_words(self.ctx.catalogue.services(self.ctx.region.id))

    def set_handwriting(self, on: bool) -> None:
        self.handwriting = on
        self._show_mode()
        self.refresh()

    def _show_mode(self) -> None:
        for mode, b in self.mode_buttons.items():
            b.setChecked(mode == self.handwriting)
        self.keyboard.setVisible(not self.handwriting)
        self.pad.setVisible(self.handwriting)
        self.field.setPlaceholderText("在下面方框里写字，如 住院" if self.handwriting
                                      else "输入拼音或首字母，如 ydjy = 异地就医")

    def _written(self, text: str) -> None:
        if text != self.ctx.session.step.query:
            self.ctx.session.set_query(text)

    def _words(self) -> QWidget:
        w = QWidget()
        g = QGridLayout(w)
        g.setContentsMargins(0, 0, 0, 0)
        g.setSpacing(10)
        for i, word in enumerate(COMMON_WORDS):
            g.addWidget(button(word, (lambda word=word: self.ctx.session.set_query(word)), name=f"word:{word}"),
                        i // 4, i % 4)
        return w

    # -- typing -------------------------------------------------------------------------
    def type(self, ch: str) -> None:
        q = self.ctx.session.step.query
        if q and not q.isascii():
            q = ""  # a tapped Chinese word is replaced by typing
        self.ctx.session.set_query(q + ch)

    def backspace(self) -> None:
        q = self.ctx.session.step.query
        self.ctx.session.set_query("" if not q.isascii() else q[:-1])

    def clear_query(self) -> None:
        self.ctx.session.set_query("")

    # -- drawing --------------------------------------------------------------------------
    def _layout(self) -> None:
        if self._portrait == self.ctx.portrait:
            return
        self._portrait = self.ctx.portrait
        for w in (self.field, self.results, self.input, self.words):
            w.setParent(None)
        clear_layout(self.root)
        self.root.addWidget(label("搜索业务", role="h1"))
        if self.ctx.portrait:
            self.root.addWidget(self.field)
            self.root.addWidget(self.words)
            self.root.addWidget(self.results, 1)
            self.root.addWidget(self.input)
        else:
            row = QHBoxLayout()
            row.setSpacing(24)
            left = QVBoxLayout()
            left.addWidget(self.field)
            left.addWidget(self.words)
            left.addWidget(self.results, 1)
            right = QVBoxLayout()
            right.addStretch(1)
            right.addWidget(self.input)
            right.addStretch(1)
            row.addLayout(left, 5)
            row.addLayout(right, 6)
            self.root.addLayout(row, 1)
        for w in (self.field, self.results, self.input, self.words):
            w.show()

    def _result_button(self, i: int) -> WrapButton:
        """Result buttons are made once and reused: typing must not rebuild widgets."""
        while len(self._pool) <= i:
            b = WrapButton("", " ", (lambda k=len(self._pool): self._choose(k)))
            self._pool.append(b)
            self.results.body.insertWidget(self.results.body.count() - 1, b)
        return self._pool[i]

    def _choose(self, k: int) -> None:
        if k < len(self._shown):
            self.ctx.session.choose_service(self._shown[k].id)

    def refresh(self) -> None:
        self._layout()
        query = self.ctx.session.step.query
        self.field.setText(query)
        vocab_key = (id(self.ctx.catalogue), self.ctx.region.id)
        if getattr(self, "_vocab_key", None) != vocab_key:  # another catalogue or region
            self._vocab_key = vocab_key
            self.pad.set_words(self._vocabulary)
        if query != self.pad.text():
            self.pad.reset()  # typed, tapped or cleared elsewhere: the pad starts afresh
        body = self.results.body
        if not self._pool_ready:
            body.setContentsMargins(0, 0, 0, 0)
            self.status = label("", role="muted", name="resultCount")
            body.addWidget(self.status)
            body.addStretch(1)
            self._pool_ready = True
        found = self.ctx.session.search_results() if query else []
        more = len(found) - SHOWN_RESULTS
        found = found[:SHOWN_RESULTS]
        self._shown = found
        if not query:
            self.status.setText("请在下方方框里写字，或点常用词。" if self.handwriting
                                else "请点下方按键输入，或点常用词。")
        elif more > 0:
            self.status.setText(f"最相关的 {len(found)} 项业务（还有 {more} 项，再输入几个字母可以找得更准）")
        else:
            self.status.setText(f"找到 {len(found)} 项业务" if found else "没有找到，请换个词试试，或到窗口咨询。")
        self.results.setUpdatesEnabled(False)
        for i, svc in enumerate(found):
            b = self._result_button(i)
            b.setObjectName(f"service:{svc.id}")
            b.title.setText(svc.name)
            b.subtitle.setText(f"{svc.category} · {svc.audience}")
            b.show()
        for b in self._pool[len(found):]:
            b.hide()
        self.results.setUpdatesEnabled(True)
        self.results.to_top()
