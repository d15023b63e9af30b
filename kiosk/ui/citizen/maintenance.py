"""系统维护中: shown instead of a traceback when the catalogue cannot be read."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.widgets import label


class MaintenanceScreen(QWidget):
    def __init__(self, phone: str | None = None):
        super().__init__()
        self.setObjectName("kioskRoot")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(64, 64, 64, 64)
        lay.setSpacing(32)
        lay.addStretch(1)
        # each label centres its own (wrapped) lines; an aligned layout item would get its
        # one-line width and cut a long sentence on a portrait screen
        for text, role, name in (("系统维护中", "h1", "maintenanceTitle"),
                                 ("自助机暂时无法使用，给您带来不便，敬请谅解。", "h2", None),
                                 ("请到人工窗口办理" + (f"，或拨打 {phone} 咨询。" if phone else "。"), None, None)):
            w = label(text, role=role, name=name)
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)
        lay.addStretch(1)
