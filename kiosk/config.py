"""The kiosk's configuration: one TOML-like JSON file in the platform's config
directory, validated on load, written atomically.

A broken file never stops the kiosk: every bad key gets a clear message
(`config.json: idle_timeout: expected a number of seconds 20..3600, got 'abc'`),
falls back to its default, and the file itself is left untouched for inspection.
"""

from __future__ import annotations

import json
import os
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
    orientation: str = "auto"
    text_size: str = "normal"
    theme: str = "normal"
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    # signed catalogue updates (kiosk/db/update.py): the TUF repository, checked at Home
    update_url: str = ""  # "" = no automatic updates
    update_interval: int = 360  # minutes between checks
    catalogue_age_warning_days: int = 90  # staff are warned when the catalogue is older

    def to_dict(self) -> dict:
        return asdict(self)


class ConfigProblem(str):
    """One human-readable problem found while loading the configuration."""


def _check(key: str, value, default, problems: list[str], where: str):
    """Validate one value against the type/choices its default implies."""
    choices = {
        "orientation": ORIENTATIONS, "text_size": TEXT_SIZES, "theme": THEMES,
        "printer.kind": PRINTER_KINDS, "printer.paper": PAPERS, "printer.encoding": ENCODINGS,
        "printer.qr": QR_MODES,
    }.get(key)
    if choices is not None:
        if value not in choices:
            problems.append(f"{where}: {key}: expected one of {', '.join(choices)}, got {value!r}")
            return default
        return value
    if key == "idle_timeout":
        if not isinstance(value, int) or isinstance(value, bool) or not 20 <= value <= 3600:
            problems.append(f"{where}: {key}: expected a number of seconds 20..3600, got {value!r}")
            return default
        return value
    if key == "idle_countdown":
        if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 120:
            problems.append(f"{where}: {key}: expected a number of seconds 5..120, got {value!r}")
            return default
        return value
    if key == "update_interval":
        if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 10080:
            problems.append(f"{where}: {key}: expected minutes 5..10080, got {value!r}")
            return default
        return value
    if key == "catalogue_age_warning_days":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            problems.append(f"{where}: {key}: expected days 1..3650, got {value!r}")
            return default
        return value
    if key == "printer.timeout":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 1 <= value <= 60:
            problems.append(f"{where}: {key}: expected seconds 1..60, got {value!r}")
            return default
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            problems.append(f"{where}: {key}: expected text, got {value!r}")
            return default
        return value
    return value


def config_from_dict(data: dict, where: str = "config") -> tuple[KioskConfig, list[str]]:
    problems: list[str] = []
    cfg = KioskConfig()
    if not isinstance(data, dict):
        return cfg, [f"{where}: expected an object at the top"]
    known = {f.name for f in fields(KioskConfig)}
    for key in data:
        if key not in known:
            problems.append(f"{where}: {key}: unknown setting (ignored)")
    for f in fields(KioskConfig):
        if f.name not in data:
            continue
        if f.name == "printer":
            pdata = data["printer"]
            if not isinstance(pdata, dict):
                problems.append(f"{where}: printer: expected an object, got {pdata!r}")
                continue
            pcfg = PrinterConfig()
            pknown = {pf.name for pf in fields(PrinterConfig)}
            for key in pdata:
                if key not in pknown:
                    problems.append(f"{where}: printer.{key}: unknown setting (ignored)")
            for pf in fields(PrinterConfig):
                if pf.name in pdata:
                    setattr(pcfg, pf.name, _check(f"printer.{pf.name}", pdata[pf.name],
                                                  getattr(pcfg, pf.name), problems, where))
            cfg.printer = pcfg
        else:
            setattr(cfg, f.name, _check(f.name, data[f.name], getattr(cfg, f.name), problems, where))
    return cfg, problems


def load_config(path: Path | None = None) -> tuple[KioskConfig, list[str]]:
    """The configuration and the problems found. A missing file means defaults."""
    path = path or config_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return KioskConfig(), []
    except OSError as exc:
        return KioskConfig(), [f"{path}: cannot read ({exc.strerror}); using defaults"]
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        return KioskConfig(), [f"{path}:{line}: not valid JSON ({exc}); using defaults, file kept"]
    return config_from_dict(data, str(path))


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that it is either the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only when saving: kept off start-up

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
    import copy

    keys = config_keys()
    if key not in keys:
        raise ConfigValueError(f"unknown setting {key!r}; valid: {', '.join(keys)}")
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
        raise ConfigValueError(problems[0].split(": ", 1)[1])
    setattr(holder, name, checked)
    return new
