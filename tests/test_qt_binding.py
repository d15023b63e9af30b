"""The Qt binding must not leak references to None.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a method
that returns nothing (QLabel.setText, QWidget.setVisible, processEvents …). Python 3.12
makes None immortal, 3.11 does not: after some ten thousand taps the kiosk aborted
with "none_dealloc: deallocating None". pyproject.toml excludes that release; this test
catches any binding that does it again.
"""

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("医保")
        label.setVisible(False)
        QApplication.processEvents()
    assert abs(sys.getrefcount(None) - before) < 50
