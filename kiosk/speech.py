"""朗读 (read aloud) with an offline Mandarin voice.

espeak-ng's `cmn` voice reads Chinese characters wrongly (as English-spelled pinyin);
its `cmn-latn-pinyin` voice gives correct Mandarin phonemes when fed tone-numbered
pinyin. So the text is first said in words (kiosk.speech_text.spoken: numbers, dates,
money, phones, addresses, Latin letters, web addresses), then turned into pinyin with
pypinyin (Latin capitals stay: the voice spells them) and spoken with that voice.
Without espeak-ng or the voice the speaker button is hidden. No Qt here.

The voice runs in its own process group and `stop()` ends the whole group and waits for
it: nothing goes on speaking after 停止, a screen change or the end of a session.
`KIOSK_ESPEAK` names another binary (tests use a slow stand-in).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

VOICE = "cmn-latn-pinyin"
DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
PAUSE_CHARS = "，。；：！？、,.;:!?（）()【】《》“”\n"


def to_pinyin(text: str) -> str:
    """'请拨打 12345' -> 'qing3 bo1 da3 , yi1 er4 san1 si4 wu3' (tone numbers, pauses).
    Digits left over are read one by one; Latin capitals stay as letters to spell."""
    from pypinyin import Style, lazy_pinyin  # heavy: imported when something is read aloud

    _load_place_names()
    text = re.sub(r"\d", lambda m: DIGITS[m.group()], text)
    out: list[str] = []
    for chunk in re.split(f"([{re.escape(PAUSE_CHARS)}])", text):
        if not chunk:
            continue
        if chunk in PAUSE_CHARS:
            if out and out[-1] != ",":
                out.append(",")
            continue
        for piece in re.split(r"([A-Z])", chunk):
            if re.fullmatch(r"[A-Z]", piece):
                out.append(piece)
                continue
            syllables = lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
            out += [s for s in syllables if s.strip() and re.fullmatch(r"[a-zü]+[1-5]?", s)]
    return " ".join(out).strip(" ,")


# Place names of the halls' addresses that pypinyin reads with the wrong tone or sound.
PLACE_NAMES = {"长白": [["cháng"], ["bái"]]}
_places_loaded = False


def _load_place_names() -> None:
    global _places_loaded
    if not _places_loaded:
        from pypinyin import load_phrases_dict

        load_phrases_dict(PLACE_NAMES)
        _places_loaded = True


def voice_input(text: str) -> str:
    """Exactly what the voice is handed for `text`: said in words, then in pinyin."""
    from kiosk.speech_text import spoken

    return to_pinyin(spoken(text))


class Speaker:
    """Reads text aloud with espeak-ng. The voice is looked for on first use (the window
    does it once Home is painted): subprocess and the look itself stay off start-up.
    `binary`: espeak-ng's path; None looks it up on the PATH."""

    def __init__(self, binary: str | None = None):
        self._binary = binary or os.environ.get("KIOSK_ESPEAK") or None
        self._proc: subprocess.Popen | None = None
        self._available: bool | None = None
        self.last_input = ""  # what the voice was last handed (pinyin), for tests and the log

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

        assert self.binary is not None  # only asked of a voice that was found (tests check available)
        r = subprocess.run([self.binary, "-q", "-x", "-v", VOICE, voice_input(text)], capture_output=True,
                           text=True, timeout=10)
        return r.stdout.strip()

    @property
    def speaking(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The voice's process while it speaks (tests check that it is gone after stop)."""
        return self._proc.pid if self._proc is not None and self.speaking else None

    def speak(self, text: str) -> bool:
        """Start reading `text` (stops what is being read). False if there is no voice."""
        if not self.available or not text.strip():
            return False
        self.stop()
        import subprocess

        self.last_input = voice_input(text)
        assert self.binary is not None  # available implies a binary
        try:
            # 130 words a minute and 8 ms more between words: slower than espeak's 175, for older ears
            self._proc = subprocess.Popen([self.binary, "-v", VOICE, "-s", "130", "-g", "8", self.last_input],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        """Silence now: the voice's whole process group is ended and reaped."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 0.5), (signal.SIGKILL, 2.0)):
                try:
                    os.killpg(proc.pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    proc.wait(timeout=wait)
                    break
                except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired: try harder
                    continue
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever the voice left behind in its group
        except (ProcessLookupError, PermissionError):
            pass
