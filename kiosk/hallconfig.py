"""Per-hall configuration published by the fleet service (signed, through TUF) and
merged into a terminal's config.json. No Qt, no web stack: both sides import this.

A hall's configuration is one JSON document, the signed target
`halls/<region>/<hall>.json`:

    {"kind": "yibao-kiosk-hall-config", "region": "shenyang", "hall": "heping",
     "version": 3, "published_at": "2026-12-07T14:30:00+00:00",
     "config": {"idle_timeout": 120, ..., "printer": {...}, "opening_hours": {...}}}

Only the keys in PUBLISHED_KEYS are ever published or merged; a terminal's own keys
(region, hall, update_url, tap_settle_ms, ...) are never touched. The settings keys
are validated with kiosk.config's own rules (config_from_dict), so the console and the
terminal agree; the opening-hours keys (HOURS_KEYS) with kiosk.config.normalise_hours,
the terminal's own rules for them.
"""

from __future__ import annotations

import json
import re

from kiosk.hours import DAYS

DOC_KIND = "yibao-kiosk-hall-config"
SETTINGS_KEYS = ("idle_timeout", "idle_countdown", "orientation", "text_size", "theme", "printer")
HOURS_KEYS = ("opening_hours", "closed_dates", "night_blank")
PUBLISHED_KEYS = SETTINGS_KEYS + HOURS_KEYS
PRINTER_KEYS = ("kind", "queue", "address", "paper", "encoding", "timeout", "qr")
WEEKDAYS = DAYS
WEEKDAY_LABELS = {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六",
                  "sun": "周日"}
MAX_DOC_BYTES = 64 * 1024  # a real hall configuration is under 2 KB
MAX_VERSION = 10**9
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class HallConfigError(ValueError):
    """A hall configuration that is refused; the message says what and where."""


def _short(value) -> str:
    from kiosk.config import _show

    return _show(value)


def check_hours(key: str, value):
    """An opening-hours value checked and normalised by the terminal's own rules
    (kiosk.config.normalise_hours); HallConfigError otherwise. One set of rules: a value
    the console accepts is never one the terminal would drop for its default."""
    from kiosk.config import normalise_hours
    from kiosk.hours import HoursError

    try:
        return normalise_hours(key, value)
    except HoursError as exc:
        raise HallConfigError(f"{key}: {exc}") from None
    except RecursionError:
        raise HallConfigError(f"{key}: nested too deeply") from None


def check_config(data) -> dict:
    """The published keys of `data`, validated (kiosk.config's rules for the settings,
    the span rules for the hours) and normalised. Any problem is a HallConfigError
    naming the key: a hall configuration is applied whole or not at all."""
    from dataclasses import asdict

    from kiosk.config import config_from_dict

    if not isinstance(data, dict):
        raise HallConfigError(f"config: expected an object, got {_short(data)}")
    unknown = [str(k) for k in data if k not in PUBLISHED_KEYS]
    if unknown:
        raise HallConfigError(f"config: {_short(unknown[0])} cannot be published per hall; "
                              f"valid: {', '.join(PUBLISHED_KEYS)}")
    settings = {k: data[k] for k in SETTINGS_KEYS if k in data}
    printer = settings.get("printer")
    if isinstance(printer, dict):
        missing = [k for k in PRINTER_KEYS if k not in printer]
        if missing:
            raise HallConfigError(f"printer: missing {', '.join(missing)} (a hall's printer is published whole)")
    try:
        cfg, problems = config_from_dict(settings, "config")
    except RecursionError:
        raise HallConfigError("config: nested too deeply") from None
    if problems:
        raise HallConfigError(problems[0].removeprefix("config: "))
    out: dict = {}
    for k in SETTINGS_KEYS:
        if k in data:
            out[k] = asdict(cfg.printer) if k == "printer" else getattr(cfg, k)
    for k in HOURS_KEYS:
        if k in data:
            out[k] = check_hours(k, data[k])
    return out


def check_id(kind: str, value) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise HallConfigError(f"{kind}: expected an id of lower-case letters, digits, - and _, got {_short(value)}")
    return value


def target_path(region: str, hall: str) -> str:
    return f"halls/{check_id('region', region)}/{check_id('hall', hall)}.json"


def make_document(region: str, hall: str, version: int, config: dict, published_at: str) -> bytes:
    doc = {"kind": DOC_KIND, "region": check_id("region", region), "hall": check_id("hall", hall),
           "version": int(version), "published_at": published_at, "config": check_config(config)}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def read_document(raw: bytes, region: str, hall: str) -> tuple[int, dict]:
    """(version, config) of a signed document for this terminal's hall; HallConfigError
    for anything else (too big, not JSON, another hall, a bad version or value)."""
    if len(raw) > MAX_DOC_BYTES:
        raise HallConfigError(f"{len(raw)} bytes, more than the limit {MAX_DOC_BYTES}")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise HallConfigError(f"not a JSON document ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict) or doc.get("kind") != DOC_KIND:
        raise HallConfigError(f"not a hall configuration (kind {_short(doc.get('kind') if isinstance(doc, dict) else doc)})")
    if doc.get("region") != region or doc.get("hall") != hall:
        raise HallConfigError(f"made for {_short(doc.get('region'))}/{_short(doc.get('hall'))}, "
                              f"not this terminal's {region}/{hall}")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise HallConfigError(f"version: expected a whole number 1..{MAX_VERSION}, got {_short(version)}")
    return version, check_config(doc.get("config"))


def merge(current: dict, published: dict) -> dict:
    """config.json's object with the published keys replaced, every other key as it was."""
    out = dict(current)
    out.update(published)
    return out
