"""朗读 (read aloud) with an offline Mandarin voice.

espeak-ng's `cmn` voice reads Chinese characters wrongly (as English-spelled pinyin);
its `cmn-latn-pinyin` voice gives correct Mandarin phonemes when fed tone-numbered
pinyin. So the text is turned into pinyin with pypinyin (numbers read digit by digit,
as phone numbers should be) and spoken with that voice. Without espeak-ng or the voice
the speaker button is hidden. No Qt here.
"""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

VOICE = "cmn-latn-pinyin"
DIGITS = dict(zip("0123456789", "零一二三四五六七八九"))
PAUSE_CHARS = "，。；：！？、,.;:!?（）()【】《》“”\n"


def to_pinyin(text: str) -> str:
    """'请拨打 12345' -> 'qing3 bo1 da3 , yi1 er4 san1 si4 wu3' (tone numbers, pauses)."""
    from pypinyin import Style, lazy_pinyin  # heavy: imported when something is read aloud

    text = re.sub(r"\d", lambda m: DIGITS[m.group()], text)
    out: list[str] = []
    for chunk in re.split(f"([{re.escape(PAUSE_CHARS)}])", text):
        if not chunk:
            continue
        if chunk in PAUSE_CHARS:
            if out and out[-1] != ",":
                out.append(",")
            continue
        syllables = lazy_pinyin(chunk, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
        out += [s for s in syllables if s.strip() and re.fullmatch(r"[a-zü]+[1-5]?", s)]
    return " ".join(out).strip(" ,")


class Speaker:
    """Reads text aloud with espeak-ng. The voice is looked for on first use (the window
    does it once Home is painted): subprocess and the look itself stay off start-up.
    `binary`: espeak-ng's path; None looks it up on the PATH."""

    def __init__(self, binary: str | None = None):
        self._binary = binary
        self._proc: subprocess.Popen | None = None
        self._available: bool | None = None

    @property
    def binary(self) -> str | None:
        if self._binary is None:  # a PATH search: done when first needed, not at start-up
            self._binary = shutil.which("espeak-ng") or ""
        return self._binary or None

    @property
    def checked(self) -> bool:
        """Has the voice been looked for yet (the look costs a subprocess)?"""
        return self._available is not None

    @property
    def available(self) -> bool:
        if self._available is None:
            self._available = False
            if self.binary:
                import subprocess

                try:
                    voices = subprocess.run([self.binary, "--voices=cmn"], capture_output=True, text=True,
                                            timeout=5).stdout
                    self._available = VOICE in voices
                except (OSError, subprocess.SubprocessError):
                    self._available = False
        return self._available

    def phonemes(self, text: str) -> str:
        """The phonemes the voice would speak (espeak-ng -x), to check what it says."""
        import subprocess

        r = subprocess.run([self.binary, "-q", "-x", "-v", VOICE, to_pinyin(text)], capture_output=True,
                           text=True, timeout=10)
        return r.stdout.strip()

    def speak(self, text: str) -> bool:
        """Start reading `text` (stops what is being read). False if there is no voice."""
        if not self.available or not text.strip():
            return False
        self.stop()
        import subprocess

        try:
            self._proc = subprocess.Popen([self.binary, "-v", VOICE, "-s", "140", to_pinyin(text)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None
