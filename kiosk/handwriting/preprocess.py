"""Cleaning strokes before Zinnia sees them.

Zinnia divides each point by the canvas size and matches stroke by stroke, in the
order and direction written. A finger on a kiosk writes small or large, off-centre,
slanted, shaky, sometimes backwards and sometimes lifts mid-stroke. So:

- `resample`: smooth the jitter away and place points at even spacing;
- `normalise`: move and scale the character to fill the model's box, aspect kept;
- `fix_directions`: horizontal strokes left→right, vertical ones top→bottom (how
  every Chinese stroke is written);
- `merge_split`: join a stroke to the previous one when it starts where that one
  ended (a lifted finger), offered as a second reading, not forced.

`variants(strokes)` gives the readings the recogniser tries; their candidates are
merged (kiosk.handwriting.recognise).
"""

from __future__ import annotations

import math

from kiosk.handwriting.zinnia import CANVAS

Point = tuple[float, float]
Stroke = list[Point]

MARGIN = 0.2  # of the box, each side: measured best for the zh_CN model (0.1: 0.73, 0.2: 0.75 top 1)
STEP = 0.02  # resampling distance, of the character's size


def _bbox(strokes: list[Stroke]) -> tuple[float, float, float, float]:
    xs = [p[0] for s in strokes for p in s]
    ys = [p[1] for s in strokes for p in s]
    return min(xs), min(ys), max(xs), max(ys)


def _length(stroke: Stroke) -> float:
    return sum(math.dist(a, b) for a, b in zip(stroke, stroke[1:], strict=False))


def smooth(stroke: Stroke) -> Stroke:
    """A three-point moving average; the ends stay where they are."""
    if len(stroke) < 3:
        return list(stroke)
    out = [stroke[0]]
    for a, b, c in zip(stroke, stroke[1:], stroke[2:], strict=False):
        out.append(((a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3))
    out.append(stroke[-1])
    return out


def resample(stroke: Stroke, step: float) -> Stroke:
    """Points every `step` along the stroke (first and last kept)."""
    if len(stroke) < 2 or step <= 0:
        return list(stroke)
    out = [stroke[0]]
    carry = 0.0
    for a, b in zip(stroke, stroke[1:], strict=False):
        d = math.dist(a, b)
        if d == 0:
            continue
        pos = step - carry
        while pos <= d:
            t = pos / d
            out.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
            pos += step
        carry = d - (pos - step)
    if out[-1] != stroke[-1]:
        out.append(stroke[-1])
    return out


def normalise(strokes: list[Stroke], margin: float = MARGIN) -> list[Stroke]:
    """Fit the character's bounding box into the CANVAS square, aspect kept, centred.
    A character that is only a line (一) keeps its thin side unstretched."""
    x0, y0, x1, y1 = _bbox(strokes)
    w, h = x1 - x0, y1 - y0
    size = max(w, h)
    if size <= 0:
        return [[(CANVAS / 2, CANVAS / 2) for _ in s] for s in strokes]
    scale = CANVAS * (1 - 2 * margin) / size
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [[((x - cx) * scale + CANVAS / 2, (y - cy) * scale + CANVAS / 2) for x, y in s] for s in strokes]


def fix_directions(strokes: list[Stroke]) -> list[Stroke]:
    """Reverse a stroke written backwards: a clearly horizontal one drawn right→left, a
    clearly vertical one drawn bottom→top. Diagonal strokes (丿, 丶, 提) are left alone:
    both directions occur."""
    out = []
    for s in strokes:
        dx, dy = s[-1][0] - s[0][0], s[-1][1] - s[0][1]
        if (abs(dx) > 3 * abs(dy) and dx < 0) or (abs(dy) > 3 * abs(dx) and dy < 0):
            s = s[::-1]
        out.append(s)
    return out


def merge_split(strokes: list[Stroke], gap: float = 0.06) -> list[Stroke]:
    """Join strokes whose start lies within `gap` (of the character's size) of the
    previous stroke's end and continues its direction: one stroke, lifted midway."""
    if len(strokes) < 2:
        return strokes
    x0, y0, x1, y1 = _bbox(strokes)
    size = max(x1 - x0, y1 - y0, 1e-9)
    out = [list(strokes[0])]
    for s in strokes[1:]:
        prev = out[-1]
        if math.dist(prev[-1], s[0]) <= gap * size and _continues(prev, s):
            prev.extend(s)
        else:
            out.append(list(s))
    return out


def _continues(a: Stroke, b: Stroke) -> bool:
    """b heads on roughly as a was heading when it ended (within 60°)."""
    pa, pb = a[max(0, len(a) - 4)], a[-1]
    qa, qb = b[0], b[min(len(b) - 1, 3)]
    va = (pb[0] - pa[0], pb[1] - pa[1])
    vb = (qb[0] - qa[0], qb[1] - qa[1])
    na, nb = math.hypot(*va), math.hypot(*vb)
    if na == 0 or nb == 0:
        return True
    return (va[0] * vb[0] + va[1] * vb[1]) / (na * nb) > 0.5


def trim_hooks(strokes: list[Stroke], reach: float = 0.12) -> list[Stroke]:
    """Cut a hook (钩) off a stroke's end: a short last piece, at most `reach` of the
    character's size, that turns back by more than about 100°. The model knows many
    characters written without them (门, 月 are found only so)."""
    x0, y0, x1, y1 = _bbox(strokes)
    limit = reach * max(x1 - x0, y1 - y0, 1e-9)
    out = []
    for s in strokes:
        out.append(_unhooked(s, limit))
    return out


def _unhooked(s: Stroke, limit: float) -> Stroke:
    if len(s) < 4:
        return s
    total = _length(s)
    run, j = 0.0, len(s) - 1
    best = None
    while j > 1 and run + math.dist(s[j], s[j - 1]) <= min(limit, total / 3):
        run += math.dist(s[j], s[j - 1])
        j -= 1
        k = max(0, j - 3)
        tail = (s[-1][0] - s[j][0], s[-1][1] - s[j][1])
        body = (s[j][0] - s[k][0], s[j][1] - s[k][1])
        nt, nb = math.hypot(*tail), math.hypot(*body)
        if nt and nb and (tail[0] * body[0] + tail[1] * body[1]) / (nt * nb) < -0.2:
            best = j
    return s[:best + 1] if best is not None else s


def clean(strokes: list[Stroke]) -> list[Stroke]:
    """Resampled, smoothed, normalised strokes, directions fixed."""
    strokes = [list(s) for s in strokes if s]
    if not strokes:
        return []
    x0, y0, x1, y1 = _bbox(strokes)
    size = max(x1 - x0, y1 - y0, 1e-9)
    strokes = [smooth(resample(s, STEP * size)) for s in strokes]
    return fix_directions(normalise(strokes))


SWAP_PENALTY = 0.2  # a reading with two strokes swapped scores this much below one as written


def variants(strokes: list[Stroke], swaps: bool = True) -> list[tuple[list[Stroke], float]]:
    """The readings tried, each with the penalty its scores pay: as written (cleaned);
    with lifted strokes joined; with hooks cut off; and (`swaps`) with each pair of
    neighbouring strokes swapped (the commonest slip of stroke order; also where the
    model's order differs from the school one, e.g. 单, 生, 安)."""
    base = clean(strokes)
    if not base:
        return []
    out = [(base, 0.0)]
    merged = merge_split(base)
    if len(merged) != len(base):
        out.append((merged, 0.0))
    unhooked = trim_hooks(base)
    if unhooked != base:
        out.append((normalise(unhooked), 0.0))
    for i in range(len(base) - 1 if swaps else 0):
        swapped = base[:i] + [base[i + 1], base[i]] + base[i + 2:]
        out.append((swapped, SWAP_PENALTY))
    return out
