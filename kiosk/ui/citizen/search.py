"""Search with an on-screen keyboard (pinyin as people type it), a writing pad (手写),
a tapped Chinese word from the candidate bar, or an everyday word. Results update with
every key and every written stroke, and a search never ends on an empty screen: no
results shows the closest services, the topics and whom to ask."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.ui.citizen.handwriting_pad import HandwritingPad
from kiosk.ui.widgets import PagedScroll, ScreenBase, WrapButton, button, clear_layout, label

KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SHOWN_RESULTS = 12  # the most relevant first; more letters narrow it down
SHOWN_CANDIDATES = 6  # Chinese words the typed pinyin could be
SHOWN_WORDS = 8
# Everyday word buttons, most asked first; a region shows the first SHOWN_WORDS of them
# that find something there (社保卡 only where the hall issues cards).
COMMON_WORDS = ("报销", "生孩子", "外地看病", "参保", "退休", "社保卡", "慢病", "查询",
                "交钱", "转移", "药店", "低保", "改信息")


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
        self.field.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.field.setPlaceholderText("输入拼音或首字母，如 ydjy = 异地就医")
        self.results = PagedScroll()
        self.keyboard = self._keyboard()
        self.candidates = QWidget()
        self.candidates.setObjectName("candidateBar")
        row = QHBoxLayout(self.candidates)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)  # MIIT: at least 16 px between targets
        self._candidate_buttons = []
        for i in range(SHOWN_CANDIDATES):
            b = button("", (lambda k=i: self._take_candidate(k)), name=f"candidate:{i}")
            row.addWidget(b)
            self._candidate_buttons.append(b)
        row.addStretch(1)
        self._candidate_words: list[str] = []
        self.pad = HandwritingPad(self._vocabulary)
        self.pad.textChanged.connect(self._written)
        self.handwriting = False  # the keyboard first; 手写 is one tap away
        self.input = self._input()
        # the next person starts with the keyboard, whatever the last one chose
        self.ctx.session.on_finished(lambda *_: self._back_to_keyboard())
        self.words = QWidget()
        self._words_for = None  # the search index the word buttons were chosen for
        self._portrait = None
        self._pool: list[WrapButton] = []
        self._shown: list = []
        self._pool_ready = False

    def _keyboard(self) -> QWidget:
        kb = QWidget()
        g = QGridLayout(kb)
        g.setContentsMargins(0, 0, 0, 0)
        g.setSpacing(16)  # MIIT: at least 16 px between targets
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
        lay.setSpacing(16)  # MIIT: at least 16 px between targets
        row = QHBoxLayout()
        row.setSpacing(16)  # MIIT: at least 16 px between targets
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

    def _back_to_keyboard(self) -> None:
        self.handwriting = False
        self.pad.reset()
        self._show_mode()

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

    def shown_words(self) -> list[str]:
        """The everyday word buttons of this region: only words that find something here."""
        index = self.ctx.session.search_index
        if index is None:
            return []
        return [w for w in COMMON_WORDS if index.finds(w)][:SHOWN_WORDS]

    def _fill_words(self) -> None:
        index = self.ctx.session.search_index
        if self._words_for is index:
            return
        self._words_for = index
        g = self.words.layout()
        if g is None:
            g = QGridLayout(self.words)
            g.setContentsMargins(0, 0, 0, 0)
            g.setSpacing(16)  # MIIT: at least 16 px between targets
        clear_layout(g)
        assert isinstance(g, QGridLayout)  # the words' only layout, made here
        for i, word in enumerate(self.shown_words()):
            g.addWidget(button(word, (lambda word=word: self.ctx.session.set_query(word)), name=f"word:{word}"),
                        i // 4, i % 4)

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

    def _take_candidate(self, k: int) -> None:
        if k < len(self._candidate_words):
            self.ctx.session.set_query(self._candidate_words[k])

    # -- drawing --------------------------------------------------------------------------
    def _layout(self) -> None:
        if self._portrait == self.ctx.portrait:
            return
        self._portrait = self.ctx.portrait
        for w in (self.field, self.candidates, self.results, self.input, self.words):
            w.setParent(None)
        clear_layout(self.root)
        self.root.addWidget(label("搜索业务", role="h1"))
        if self.ctx.portrait:
            self.root.addWidget(self.field)
            self.root.addWidget(self.candidates)
            self.root.addWidget(self.words)
            self.root.addWidget(self.results, 1)
            self.root.addWidget(self.input)
        else:
            row = QHBoxLayout()
            row.setSpacing(24)
            left = QVBoxLayout()
            left.addWidget(self.field)
            left.addWidget(self.candidates)
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
            k = len(self._pool)
            b = WrapButton("", " ", (lambda k=k: self._choose(k)))
            self._pool.append(b)
            self.results.body.insertWidget(self.results.body.count() - 2, b)
        return self._pool[i]

    def _choose(self, k: int) -> None:
        if k < len(self._shown):
            self.ctx.session.choose_service(self._shown[k].id)

    def _help_panel(self) -> QWidget:
        """Shown when nothing was found: the topics to browse, and whom to ask."""
        ctx = self.ctx
        w = QWidget()
        w.setObjectName("searchHelp")
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 16, 0, 0)
        lay.setSpacing(16)  # MIIT: at least 16 px between targets
        phone = ctx.region.hotline.number if ctx.region.hotline else (ctx.hall.phone if ctx.hall else None)
        ask = "还是找不到？请到大厅咨询台询问工作人员"
        if phone:
            ask += f"，或拨打咨询电话 {phone}"
        lay.addWidget(label(ask + "。", role="strong", name="searchAsk"))
        lay.addWidget(label("也可以按类别找：", role="strong"))
        services = ctx.catalogue.services(ctx.region.id)
        topics = [t for t in ctx.topics if any(t.id in s.topics for s in services)]
        g = QGridLayout()
        g.setSpacing(16)  # MIIT: at least 16 px between targets
        for i, t in enumerate(topics):
            g.addWidget(button(t.label, (lambda t=t: ctx.session.choose_topic(t.id)), name=f"searchTopic:{t.id}"),
                        i // 3, i % 3)
        lay.addLayout(g)
        return w

    def refresh(self) -> None:
        self._layout()
        self._fill_words()
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
            self.help = self._help_panel()
            body.addWidget(self.help)
            body.addStretch(1)
            self._pool_ready = True
        self._refresh_candidates(query)
        found = self.ctx.session.search_results() if query else []
        more = len(found) - SHOWN_RESULTS
        found = found[:SHOWN_RESULTS]
        nothing = bool(query) and not found
        if nothing:  # never a dead end: the closest services, the topics, whom to ask
            found = self.ctx.session.search_suggestions()
        self._shown = found
        if not query:
            self.status.setText("请在下方方框里写字，或点常用词。" if self.handwriting
                                else "请点下方按键输入拼音，或点常用词。")
        elif nothing:
            self.status.setText(f"没有找到与“{query}”完全相符的业务。您是不是要找：")
        elif more > 0:
            self.status.setText(f"最相关的 {len(found)} 项业务（还有 {more} 项，再输入几个字母可以找得更准）")
        else:
            self.status.setText(f"找到 {len(found)} 项业务")
        self.results.setUpdatesEnabled(False)
        for i, svc in enumerate(found):
            b = self._result_button(i)
            b.setObjectName(f"service:{svc.id}")
            b.title.setText(svc.name)
            assert b.subtitle is not None  # made with one
            b.subtitle.setText(f"{svc.category} · {svc.audience}")
            b.show()
        for b in self._pool[len(found):]:
            b.hide()
        self.help.setVisible(nothing)
        self.results.setUpdatesEnabled(True)
        self.results.to_top()

    def _refresh_candidates(self, query: str) -> None:
        words = self.ctx.session.search_candidates(SHOWN_CANDIDATES) if query and query.isascii() else []
        self._candidate_words = words
        budget = self.field.width()  # the bar is as wide as the field above it: never wider
        used = 0
        for i, b in enumerate(self._candidate_buttons):
            if i < len(words):
                b.setText(words[i])
                b.setObjectName(f"candidate:{words[i]}")
                used += b.sizeHint().width() + 10
            if i < len(words) and (i == 0 or used <= budget):
                b.show()
            else:
                b.hide()
        self.candidates.setVisible(bool(words))
        self.words.setVisible(not words)  # the bar takes the word buttons' place while typing
