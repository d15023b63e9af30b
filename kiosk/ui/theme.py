"""Look of the kiosk: fonts, sizes and colours for normal and 大字 text, normal and
high-contrast themes. One stylesheet for the whole application, keyed by a `role`
property on widgets (tile, answer, nav, card, warning, badge …)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CJK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
CJK_FAMILY_FALLBACK = "WenQuanYi Micro Hei"


# The numbers every citizen screen is held to (MIIT 适老化 guidance; tools/accessibility_audit.py
# measures them on the drawn screens, tests/test_accessibility.py asserts them).
MIN_TEXT_PX = {"normal": 28, "large": 36}
MIN_LINE_SPACING = 1.3  # distance between lines / text size
MIN_CONTRAST = 7.0
MIN_TARGET_PX = 80
MIN_GAP_PX = 16


@dataclass(frozen=True)
class Sizes:
    body: int  # px, at least 28
    small: int  # secondary text: the same size as body (at least 28 px), told apart by colour
    h1: int
    h2: int
    button_min: int  # touch target edge, at least 80
    gap: int


NORMAL = Sizes(body=28, small=28, h1=46, h2=36, button_min=96, gap=20)
LARGE = Sizes(body=36, small=36, h1=58, h2=46, button_min=112, gap=24)


@dataclass(frozen=True)
class Palette:
    bg: str
    fg: str
    muted: str
    card: str
    card_border: str
    accent: str  # primary buttons
    accent_fg: str
    tile: str
    tile_fg: str
    warn_bg: str
    warn_fg: str
    ok_bg: str
    ok_fg: str
    header_bg: str
    header_fg: str
    focus: str
    off: str = "#4A4F55"  # text of a turned-off control: its own colour, not the enabled one's


LIGHT = Palette(bg="#F4F7FA", fg="#1A1A1A", muted="#4A4F55", card="#FFFFFF", card_border="#C9D3DD",
                accent="#084C91", accent_fg="#FFFFFF", tile="#FFFFFF", tile_fg="#0B3D73",
                warn_bg="#FFF1E6", warn_fg="#8A2C00", ok_bg="#E7F6EC", ok_fg="#0F5A2A",
                header_bg="#084C91", header_fg="#FFFFFF", focus="#F5A623")
CONTRAST = Palette(bg="#000000", fg="#FFFFFF", muted="#FFFF66", card="#000000", card_border="#FFFFFF",
                   accent="#FFFF00", accent_fg="#000000", tile="#000000", tile_fg="#FFFF00",
                   warn_bg="#000000", warn_fg="#FFB3B3", ok_bg="#000000", ok_fg="#7CFF7C",
                   header_bg="#000000", header_fg="#FFFF00", focus="#00FFFF", off="#C8C8C8")


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    h = colour.lstrip("#")

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(h[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two '#RRGGBB' colours (1 … 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def stylesheet(sizes: Sizes, p: Palette, family: str) -> str:
    border = 3 if p is CONTRAST else 2
    return f"""
* {{ font-family: "{family}"; font-size: {sizes.body}px; color: {p.fg}; }}
QWidget#kioskRoot, QDialog, QStackedWidget, QScrollArea, QScrollArea > QWidget > QWidget {{ background: {p.bg}; }}
QLabel {{ background: transparent; }}
QLabel[role="h1"] {{ font-size: {sizes.h1}px; font-weight: bold; }}
QLabel[role="h2"] {{ font-size: {sizes.h2}px; font-weight: bold; }}
QLabel[role="strong"] {{ font-weight: bold; }}
QLabel[role="small"] {{ font-size: {sizes.small}px; color: {p.muted}; }}
QLabel[role="muted"] {{ color: {p.muted}; }}
QLabel[role="progress"] {{ font-size: {sizes.h2}px; color: {p.muted}; font-weight: bold; }}
QFrame[role="header"] {{ background: {p.header_bg}; border-bottom: {border}px solid {p.card_border}; }}
QFrame[role="header"] QLabel {{ color: {p.header_fg}; }}
QFrame[role="card"] {{ background: {p.card}; border: {border}px solid {p.card_border}; border-radius: 14px; }}
QFrame[role="warning"] {{ background: {p.warn_bg}; border: {border + 1}px solid {p.warn_fg}; border-radius: 14px; }}
QFrame[role="warning"] QLabel {{ color: {p.warn_fg}; }}
QLabel[role="badge"] {{ background: {p.ok_bg}; color: {p.ok_fg}; border: 2px solid {p.ok_fg};
    border-radius: 10px; padding: 2px 12px; font-size: {sizes.small}px; font-weight: bold; }}
QLabel[role="badge-warn"] {{ background: {p.warn_bg}; color: {p.warn_fg}; border: 2px solid {p.warn_fg};
    border-radius: 10px; padding: 2px 12px; font-size: {sizes.small}px; font-weight: bold; }}
QPushButton {{ min-height: {sizes.button_min}px; min-width: {sizes.button_min}px; border-radius: 16px;
    padding: 8px 24px; background: {p.tile}; color: {p.tile_fg}; border: {border}px solid {p.card_border};
    font-weight: bold; }}
QPushButton:pressed {{ background: {p.focus}; color: #000000; }}
QPushButton:disabled {{ color: {p.off}; background: {p.bg}; border: {border}px dashed {p.off}; font-weight: normal; }}
QPushButton[role="primary"] {{ background: {p.accent}; color: {p.accent_fg}; border-color: {p.accent}; }}
QPushButton[role="tile"] {{ font-size: {sizes.h2}px; text-align: center; }}
QPushButton[role="list"] {{ text-align: left; padding: 16px 28px; }}
QPushButton[role="answer"] {{ font-size: {sizes.h2}px; min-height: {sizes.button_min + 64}px; }}
QPushButton[role="key"] {{ font-size: {sizes.h2}px; min-width: 80px; min-height: 88px; padding: 0px; }}
QPushButton:checked {{ background: {p.accent}; color: {p.accent_fg}; border-color: {p.accent}; }}
QPushButton[role="primary"]:disabled, QPushButton[role="nav"]:disabled {{ color: {p.off}; background: {p.bg};
    border: {border}px dashed {p.off}; }}
QPlainTextEdit {{ font-size: {sizes.body}px; padding: 4px 8px; border-radius: 12px; background: {p.card};
    border: {border}px solid {p.card_border}; }}
QPushButton[role="nav"] {{ background: {p.header_bg}; color: {p.header_fg}; border: {border}px solid {p.header_fg}; }}
QPushButton[role="nav"]:checked {{ background: {p.header_fg}; color: {p.header_bg}; }}
QLineEdit {{ min-height: {sizes.button_min}px; font-size: {sizes.h2}px; padding: 0 16px; border-radius: 12px;
    background: {p.card}; border: {border}px solid {p.card_border}; placeholder-text-color: {p.muted}; }}
QScrollBar:vertical {{ width: 28px; background: {p.bg}; }}
QScrollBar::handle:vertical {{ background: {p.card_border}; min-height: 80px; border-radius: 12px; }}
QFrame[role="overlay"] {{ background: rgba(0, 0, 0, 190); }}
QFrame[role="dialog"] {{ background: {p.card}; border: 4px solid {p.focus}; border-radius: 24px; }}
QLabel[role="countdown"] {{ font-size: {sizes.h1 * 3}px; font-weight: bold; color: {p.accent if p is LIGHT else p.focus}; }}
QTableWidget {{ gridline-color: {p.card_border}; background: {p.card}; }}
QHeaderView::section {{ background: {p.header_bg}; color: {p.header_fg}; font-weight: bold; padding: 8px; }}
"""


def load_cjk_font() -> str:
    """Register the CJK font file explicitly and return its family name."""
    from PySide6.QtGui import QFontDatabase

    for path in CJK_FONT_FILES:
        if path.exists():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                return families[0]
    return CJK_FAMILY_FALLBACK
