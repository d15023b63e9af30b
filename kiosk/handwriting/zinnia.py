"""A small ctypes binding of Zinnia's C API (libzinnia0) and the Simplified Chinese
model Debian ships in tegaki-zinnia-simplified-chinese.

Zinnia divides every point by the canvas size it is given and compares stroke by
stroke, so callers should hand it normalised strokes (kiosk.handwriting.preprocess).
One classify call takes about a millisecond.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from pathlib import Path

MODEL_PATH = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
LIBRARY_NAMES = ("libzinnia.so.0", "libzinnia.so")
CANVAS = 1000  # the size strokes are given in (points 0..999)


class RecognizerUnavailable(RuntimeError):
    """The library or the model is not installed (scripts/setup.sh installs both)."""


def _load_library() -> ctypes.CDLL:
    names = list(LIBRARY_NAMES)
    found = ctypes.util.find_library("zinnia")
    if found:
        names.append(found)
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise RecognizerUnavailable("找不到手写识别库 libzinnia（请安装 libzinnia0）")
    vp, c, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
    sigs = {
        "zinnia_recognizer_new": ([], vp),
        "zinnia_recognizer_destroy": ([vp], None),
        "zinnia_recognizer_open": ([vp, c], ctypes.c_int),
        "zinnia_recognizer_strerror": ([vp], c),
        "zinnia_recognizer_classify": ([vp, vp, sz], vp),
        "zinnia_character_new": ([], vp),
        "zinnia_character_destroy": ([vp], None),
        "zinnia_character_clear": ([vp], None),
        "zinnia_character_set_width": ([vp, sz], None),
        "zinnia_character_set_height": ([vp, sz], None),
        "zinnia_character_add": ([vp, sz, ctypes.c_int, ctypes.c_int], ctypes.c_int),
        "zinnia_result_value": ([vp, sz], c),
        "zinnia_result_score": ([vp, sz], ctypes.c_float),
        "zinnia_result_size": ([vp], sz),
        "zinnia_result_destroy": ([vp], None),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = res
    return lib


class Recognizer:
    """Zinnia with the Simplified Chinese model. `classify(strokes, n)` takes strokes as
    lists of (x, y) on a CANVAS×CANVAS square and returns [(character, score)], best
    first. Thread-safe (one lock): the pad recognises off the UI thread."""

    def __init__(self, model: Path = MODEL_PATH):
        if not Path(model).is_file():
            raise RecognizerUnavailable(f"找不到手写识别模型 {model}（请安装 tegaki-zinnia-simplified-chinese）")
        self._lib = _load_library()
        self._lock = threading.Lock()
        self._rec = self._lib.zinnia_recognizer_new()
        if not self._lib.zinnia_recognizer_open(self._rec, str(model).encode()):
            err = self._lib.zinnia_recognizer_strerror(self._rec) or b""
            self._lib.zinnia_recognizer_destroy(self._rec)
            self._rec = None
            raise RecognizerUnavailable(f"手写识别模型无法打开：{err.decode(errors='replace')}")
        self._char = self._lib.zinnia_character_new()

    def classify(self, strokes, n: int = 10) -> list[tuple[str, float]]:
        strokes = [s for s in strokes if len(s) >= 1]
        if not strokes or self._rec is None:
            return []
        lib = self._lib
        with self._lock:
            ch = self._char
            lib.zinnia_character_clear(ch)
            lib.zinnia_character_set_width(ch, CANVAS)
            lib.zinnia_character_set_height(ch, CANVAS)
            for i, stroke in enumerate(strokes):
                for x, y in stroke:
                    lib.zinnia_character_add(ch, i, int(round(x)), int(round(y)))
            res = lib.zinnia_recognizer_classify(self._rec, ch, n)
            if not res:
                return []
            try:
                return [(lib.zinnia_result_value(res, k).decode("utf-8"), float(lib.zinnia_result_score(res, k)))
                        for k in range(lib.zinnia_result_size(res))]
            finally:
                lib.zinnia_result_destroy(res)

    def close(self) -> None:
        with self._lock:
            if self._rec is not None:
                self._lib.zinnia_character_destroy(self._char)
                self._lib.zinnia_recognizer_destroy(self._rec)
                self._rec = None

    def __del__(self):  # pragma: no cover - interpreter shutdown order
        try:
            self.close()
        except Exception:
            pass
