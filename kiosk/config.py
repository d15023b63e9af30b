"""The kiosk's configuration: one TOML-like JSON file in the platform's config
directory, validated on load, written atomically.

A broken file never stops the kiosk: every bad key gets a clear message
(`config.json: idle_timeout: expected a number of seconds 20..3600, got 'abc'`),
falls back to its default, and the file itself is left untouched for inspection.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from kiosk.paths import user_dir

PAPERS = ("a4", "80mm", "58mm")
PRINTER_KINDS = ("none", "cups", "escpos")
ORIENTATIONS = ("auto", "portrait", "landscape")
TEXT_SIZES = ("normal", "large")
THEMES = ("normal", "contrast")
ENCODINGS = ("gb18030", "gbk")
QR_MODES = ("native", "image")


def config_dir() -> Path:
    return user_dir("KIOSK_CONFIG_DIR", "config")


def config_path() -> Path:
    return config_dir() / "config.json"


@dataclass
class PrinterConfig:
    kind: str = "none"  # none | cups | escpos
    queue: str = ""  # CUPS queue name
    address: str = ""  # ESC/POS: tcp://host:9100, usb://VID:PID, serial:///dev/ttyS0
    paper: str = "80mm"  # a4 | 80mm | 58mm
    encoding: str = "gb18030"  # ESC/POS text encoding profile
    timeout: float = 8.0  # seconds before a print job counts as failed
    qr: str = "native"  # ESC/POS QR code: native (GS ( k) | image (raster, for printers without it)


@dataclass
class KioskConfig:
    region: str = "shenyang"
    hall: str = ""  # hall id within the region; "" = the region's first hall
    idle_timeout: int = 90  # seconds without a touch before "还在使用吗？"
    idle_countdown: int = 15  # seconds of the countdown before the session is wiped
    tap_settle_ms: int = 350  # after a screen change, taps are ignored until it is painted and this has passed
    orientation: str = "auto"
    text_size: str = "normal"
    theme: str = "normal"
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    # signed catalogue updates (kiosk/db/update.py): the TUF repository, checked at Home
    update_url: str = ""  # "" = no automatic updates
    update_interval: int = 360  # minutes between checks
    catalogue_age_warning_days: int = 90  # staff are warned when the catalogue is older
    # the hall's hours (kiosk/hours.py; the documents give none): outside them Home is the
    # closed screen. {} = always open. Per weekday (mon..sun) "HH:MM-HH:MM" spans; a day
    # not listed is closed once any day is.
    opening_hours: dict[str, list[str]] = field(default_factory=dict)
    closed_dates: list[str] = field(default_factory=list)  # "YYYY-MM-DD": closed all day
    night_blank: str = ""  # "21:00-07:00": the screen is black while closed; "" = never

    def to_dict(self) -> dict:
        return asdict(self)


MAX_CONFIG_BYTES = 1_000_000  # a real config.json is a few hundred bytes
MAX_TEXT = 200  # queue names, addresses, hall ids
MAX_UNKNOWN_LISTED = 10  # unknown keys named in the one message about them


def _fold(value):
    return value.strip().lower() if isinstance(value, str) else value


def _show(value) -> str:
    """A short repr for messages: a 10 MB string or a list 900 levels deep stays one line."""
    import reprlib

    r = reprlib.Repr()
    r.maxstring, r.maxother, r.maxlevel, r.maxlist, r.maxdict = 40, 40, 2, 4, 4
    r.maxlong = 40
    try:
        return r.repr(value)
    except (RecursionError, ValueError):  # ints over 4300 digits have no str() in 3.11
        return f"<{type(value).__name__}>"


def _check(key: str, value, default, problems: list[str], where: str):
    """Validate one value against the type/choices its default implies."""
    choices = {
        "orientation": ORIENTATIONS, "text_size": TEXT_SIZES, "theme": THEMES,
        "printer.kind": PRINTER_KINDS, "printer.paper": PAPERS, "printer.encoding": ENCODINGS,
        "printer.qr": QR_MODES,
    }.get(key)
    if choices is not None:
        if value not in choices:
            folded = _fold(value)
            if folded in choices:  # "Contrast", " A4 ": what was meant, with a note
                problems.append(f"{where}: {key}: read {_show(value)} as {folded!r}")
                return folded
            problems.append(f"{where}: {key}: expected one of {', '.join(choices)}, got {_show(value)}")
            return default
        return value
    if key == "idle_timeout":
        if not isinstance(value, int) or isinstance(value, bool) or not 20 <= value <= 3600:
            problems.append(f"{where}: {key}: expected a number of seconds 20..3600, got {_show(value)}")
            return default
        return value
    if key == "idle_countdown":
        if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 120:
            problems.append(f"{where}: {key}: expected a number of seconds 5..120, got {_show(value)}")
            return default
        return value
    if key == "update_interval":
        if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 10080:
            problems.append(f"{where}: {key}: expected minutes 5..10080, got {value!r}")
            return default
        return value
    if key == "tap_settle_ms":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2000:
            problems.append(f"{where}: {key}: expected milliseconds 0..2000, got {value!r}")
            return default
        return value
    if key == "catalogue_age_warning_days":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            problems.append(f"{where}: {key}: expected days 1..3650, got {value!r}")
            return default
        return value
    if key == "printer.timeout":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 1 <= value <= 60:
            problems.append(f"{where}: {key}: expected seconds 1..60, got {_show(value)}")
            return default
        return float(value)
    if key in ("opening_hours", "closed_dates", "night_blank"):
        return _check_hours(key, value, default, problems, where)
    if isinstance(default, str):
        if not isinstance(value, str):
            problems.append(f"{where}: {key}: expected text, got {_show(value)}")
            return default
        if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
            problems.append(f"{where}: {key}: expected one line of at most {MAX_TEXT} characters, "
                            f"got {_show(value)}")
            return default
        if key in ("region", "hall") and _fold(value) != value:
            # ids are lower-case ASCII: "Shenyang" is shenyang (the catalogue names the valid ids)
            problems.append(f"{where}: {key}: read {_show(value)} as {_fold(value)!r}")
            return _fold(value)
        return value
    return value


def normalise_hours(key: str, value):
    """An hours key's value as config.json stores it (spans sorted, dates distinct);
    kiosk.hours.HoursError when it is unusable. The fleet's hall configuration
    (kiosk.hallconfig) checks with this too, so console and terminal agree."""
    from kiosk.hours import parse_dates, parse_night, parse_week

    if key == "opening_hours":
        week = parse_week(value)
        return {day: [str(s) for s in spans] for day, spans in week.items()}
    if key == "closed_dates":
        return [d.isoformat() for d in parse_dates(value)]
    if key == "night_blank":
        night = parse_night(value)
        return "" if night is None else str(night)
    raise KeyError(key)


def _check_hours(key: str, value, default, problems: list[str], where: str):
    """opening_hours, closed_dates, night_blank (kiosk/hours.py says what each is). A bad
    value of any part falls back to the whole key's default: a hall whose hours are
    wrong stays open rather than closing at times nobody meant."""
    from kiosk.hours import HoursError

    fallback = {"opening_hours": "always open", "closed_dates": "no closed dates",
                "night_blank": "never blanked"}[key]
    try:
        return normalise_hours(key, value)
    except HoursError as exc:
        problems.append(f"{where}: {key}: {exc}; using the default ({fallback})")
    except (RecursionError, TypeError, ValueError) as exc:  # nothing reaches here by design: belt and braces
        problems.append(f"{where}: {key}: unusable value {_show(value)} ({type(exc).__name__}); "
                        f"using the default ({fallback})")
    return copy.deepcopy(default)


def config_from_dict(data: dict, where: str = "config", text: str | None = None) -> tuple[KioskConfig, list[str]]:
    """The configuration in `data` and its problems. `text`: the file's text, to name the
    line of each problem (`config.json:3: idle_timeout: ...`)."""
    problems: list[str] = []
    cfg = KioskConfig()
    if not isinstance(data, dict):
        return cfg, [f"{where}: expected an object {{...}} at the top, got {type(data).__name__}; using defaults"]

    def at(key: str, after: str | None = None) -> str:
        return f"{where}:{_line_of(text, key, after)}" if text is not None else where

    known = {f.name for f in fields(KioskConfig)}
    unknown = [str(k) for k in data if k not in known]
    pdata = data.get("printer")
    if isinstance(pdata, dict):
        pknown = {pf.name for pf in fields(PrinterConfig)}
        unknown += [f"printer.{k}" for k in pdata if k not in pknown]
    if unknown:  # one message however many: a file with thousands of them must not flood the log
        listed = ", ".join(_show(k)[1:-1] for k in unknown[:MAX_UNKNOWN_LISTED])
        more = f" (+{len(unknown) - MAX_UNKNOWN_LISTED} more)" if len(unknown) > MAX_UNKNOWN_LISTED else ""
        problems.append(f"{at(unknown[0].removeprefix('printer.'))}: unknown setting(s) ignored: {listed}{more}; "
                        f"valid: {', '.join(config_keys())}")
    for f in fields(KioskConfig):
        if f.name not in data:
            continue
        if f.name == "printer":
            if not isinstance(pdata, dict):
                problems.append(f"{at('printer')}: printer: expected an object, got {_show(pdata)}")
                continue
            pcfg = PrinterConfig()
            for pf in fields(PrinterConfig):
                if pf.name in pdata:
                    setattr(pcfg, pf.name, _check(f"printer.{pf.name}", pdata[pf.name],
                                                  getattr(pcfg, pf.name), problems, at(pf.name, "printer")))
            cfg.printer = pcfg
        else:
            setattr(cfg, f.name, _check(f.name, data[f.name], getattr(cfg, f.name), problems, at(f.name)))
    if cfg.night_blank and not cfg.opening_hours:
        problems.append(f"{at('night_blank')}: night_blank: has no effect without opening_hours "
                        "(a hall without hours counts as always open, and only a closed hall is blanked)")
    return cfg, problems


def _line_of(text: str, key: str, after: str | None = None) -> int:
    """The line of `"key"` in the file's text (after `"after"`, for printer.*); 1 if not found."""
    start = 0
    if after is not None:
        i = text.find(json.dumps(after))
        start = i if i >= 0 else 0
    i = text.find(json.dumps(key), start)
    return text.count("\n", 0, i) + 1 if i >= 0 else 1


def decode_config(raw: bytes) -> tuple[str, str | None]:
    """The text of config.json and a note when it was not plain UTF-8: a UTF-8 or UTF-16
    byte-order mark (Windows Notepad) is dropped, GBK/GB18030 text is read as such.
    Raises UnicodeDecodeError when it is none of these."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "saved as UTF-16; read as such (save it as UTF-8)"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # GBK is a subset; raises if it is not that either
        return text, "not UTF-8; read as GBK/GB18030 (save it as UTF-8)"


def load_config(path: Path | None = None) -> tuple[KioskConfig, list[str]]:
    """The configuration and the problems found. A missing file means defaults. Whatever
    the bytes in the file, this returns: a problem names the file, the line and the key,
    and the setting falls back to its default (the file is left as it is)."""
    path = path or config_path()
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return KioskConfig(), []
    except OSError as exc:
        return KioskConfig(), [f"{path}: cannot read ({exc.strerror or exc}); using defaults"]
    if len(raw) > MAX_CONFIG_BYTES:
        return KioskConfig(), [f"{path}: larger than {MAX_CONFIG_BYTES} bytes, not a configuration; "
                               "using defaults, file kept"]
    notes = []
    try:
        raw_text, note = decode_config(raw)
        if note:
            notes.append(f"{path}: {note}")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return KioskConfig(), [f"{path}:{line}: not UTF-8 or GBK text (byte {exc.start}); using defaults, file kept"]
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        return KioskConfig(), notes + [f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno}); "
                                       "using defaults, file kept"]
    except RecursionError:
        return KioskConfig(), notes + [f"{path}: nested too deeply to be a configuration; using defaults, file kept"]
    except ValueError as exc:  # an integer of more than 4300 digits
        return KioskConfig(), notes + [f"{path}: not a usable JSON value ({str(exc)[:80]}); "
                                       "using defaults, file kept"]
    try:
        cfg, problems = config_from_dict(data, str(path), raw_text)
    except RecursionError:
        return KioskConfig(), notes + [f"{path}: nested too deeply to be a configuration; using defaults, file kept"]
    return cfg, notes + problems


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file (mode 0600) so that it is either the old or the new content, never
    half (kiosk.fsutil.atomic_write_text)."""
    from kiosk.fsutil import atomic_write_text as write

    write(path, text)


def save_config(cfg: KioskConfig, path: Path | None = None) -> None:
    path = path or config_path()
    atomic_write_text(path, json.dumps(cfg.to_dict(), ensure_ascii=False, indent=2) + "\n")


# -- dotted keys (`kiosk config show|set`, the staff configuration screen) ---------------------------
def config_items(cfg: KioskConfig) -> list[tuple[str, object]]:
    """Every setting as (dotted key, value): region, ..., printer.kind, printer.queue ..."""
    out: list[tuple[str, object]] = []
    for f in fields(KioskConfig):
        value = getattr(cfg, f.name)
        if f.name == "printer":
            out += [(f"printer.{pf.name}", getattr(value, pf.name)) for pf in fields(PrinterConfig)]
        else:
            out.append((f.name, value))
    return out


def config_keys() -> list[str]:
    return [k for k, _ in config_items(KioskConfig())]


class ConfigValueError(ValueError):
    """A bad key or value for `set_config_value`; the message names the valid choices."""


def set_config_value(cfg: KioskConfig, key: str, text) -> KioskConfig:
    """A copy of `cfg` with one dotted key set from text (or a typed value), validated
    like the file. Region and hall are checked against the catalogue by the caller."""
    keys = config_keys()
    if key.startswith("opening_hours."):  # one day: opening_hours.mon "08:30-11:30,13:00-17:00"
        return _set_day(cfg, key, text)
    if key not in keys:
        raise ConfigValueError(f"unknown setting {key!r}; valid: {', '.join(keys)} "
                               "(and opening_hours.mon … opening_hours.sun)")
    if key in ("opening_hours", "closed_dates") and isinstance(text, str):
        text = _list_text(key, text)
    new = copy.deepcopy(cfg)
    holder, name = (new.printer, key.split(".", 1)[1]) if key.startswith("printer.") else (new, key)
    default = getattr(type(holder)(), name)
    value = text
    if isinstance(text, str) and isinstance(default, (int, float)) and not isinstance(default, bool):
        try:
            value = int(text) if isinstance(default, int) else float(text)
        except ValueError:
            value = text  # _check reports it with the expected range
    problems: list[str] = []
    checked = _check(key, value, default, problems, "config")
    if problems:
        raise ConfigValueError(_unsaved(problems[0]))
    setattr(holder, name, checked)
    return new


CLOSED_DAY_WORDS = ("", "closed", "休息", "-")


def _unsaved(problem: str) -> str:
    """A file problem as a `config set` error: without "config: " and the fallback (nothing is saved)."""
    return re.sub(r"; using the default \(.*\)$", "", problem.split(": ", 1)[1])


def _list_text(key: str, text: str):
    """Command-line text of opening_hours (JSON) or closed_dates (JSON, or dates separated
    by commas or spaces; "" = none)."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            raise ConfigValueError(f"{key}: not valid JSON ({str(exc)[:80]})") from None
    if key == "opening_hours":
        if not stripped:
            return {}
        raise ConfigValueError('opening_hours: expected JSON such as {"mon": ["08:30-11:30", "13:00-17:00"]}, '
                               "\"\" for always open, or set one day: opening_hours.mon 08:30-11:30,13:00-17:00")
    return [d for d in stripped.replace(",", " ").replace("，", " ").split()]


def _set_day(cfg: KioskConfig, key: str, text) -> KioskConfig:
    """opening_hours.<day> from text: spans separated by commas or spaces; "" or 休息 = closed."""
    from kiosk.hours import DAYS

    day = key.split(".", 1)[1]
    if day not in DAYS:
        raise ConfigValueError(f"unknown day {day!r}; days are {', '.join(DAYS)}")
    if isinstance(text, str):
        words = text.replace(",", " ").replace("，", " ").replace("、", " ").split()
        spans = [] if text.strip() in CLOSED_DAY_WORDS else words
    else:
        spans = text
    week = {**cfg.opening_hours, day: spans}
    problems: list[str] = []
    checked = _check("opening_hours", week, {}, problems, "config")
    if problems:
        raise ConfigValueError(_unsaved(problems[0]))
    new = copy.deepcopy(cfg)
    new.opening_hours = checked
    return new


def show_value(value) -> str:
    """A setting as `kiosk config show` prints it: JSON for hours and dates."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
