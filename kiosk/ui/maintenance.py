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
        lay.setAlignment(Qt.AlignCenter)
        lay.addWidget(label("系统维护中", role="h1", name="maintenanceTitle"), alignment=Qt.AlignCenter)
        lay.addWidget(label("自助机暂时无法使用，给您带来不便，敬请谅解。", role="h2"), alignment=Qt.AlignCenter)
        lay.addWidget(label("请到人工窗口办理" + (f"，或拨打 {phone} 咨询。" if phone else "。")),
                      alignment=Qt.AlignCenter)
