"""Signed catalogue updates: the terminal's TUF client (python-tuf's ngclient).

`update_catalogue(url, db)` refreshes the repository's metadata (root → timestamp →
snapshot → targets: signatures and thresholds, version rollback, expiry), picks the
newest signed catalogue, downloads it (its length and sha256 are signed), and installs
it with kiosk.db.bundle.install_bundle (atomic, previous copy kept). `install_signed`
does the same for a bundle file or URL given by hand: it must be one of the signed
targets. Nothing unsigned, older or stale is installed; any refusal is one line and
the live catalogue is untouched.

Trust starts from the root metadata in /etc/yibao-kiosk/root.json (KIOSK_TRUST_ROOT
overrides it), installed by packaging/install.sh; newer roots (key rotations) are
fetched and kept with the terminal's metadata cache in <data dir>/tuf/.

Every download goes through LimitedFetcher: https only (plain http only to this
machine, 127.0.0.1/localhost, or with KIOSK_UPDATE_ALLOW_HTTP=1 for tests), redirects
only within the same host and scheme (3 at most), a size limit, and one deadline for
the whole update enforced by a watchdog that closes the socket (a slow-drip server
cannot hold a terminal).
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import logging
import os
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from tuf.api import exceptions as tuf_exc
from tuf.ngclient.fetcher import FetcherInterface

from kiosk.db.bundle import MAX_BUNDLE_BYTES, BundleError, installed_version, version_key

log = logging.getLogger("kiosk.update")

DEFAULT_TRUST_ROOT = Path("/etc/yibao-kiosk/root.json")
DEFAULT_DEADLINE = 300.0  # seconds for a whole update: metadata and bundle
READ_TIMEOUT = 20.0  # seconds of silence on one read
MAX_REDIRECTS = 3
STALE_AFTER_DAYS = 7  # no verified contact with the repository for longer: staff are told
STATUS_FILE = "update-status.json"


class UpdateError(Exception):
    """An update or signed install that was refused; the live catalogue is unchanged."""


class DownloadRefused(tuf_exc.DownloadError):
    """A download stopped by a limit (size, time, redirect, scheme)."""


def trust_root_path() -> Path:
    return Path(os.environ.get("KIOSK_TRUST_ROOT") or DEFAULT_TRUST_ROOT)


def metadata_dir(db_path: Path) -> Path:
    return db_path.parent / "tuf"


# -- downloads within limits --------------------------------------------------------------------------
def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> None:
    """https, or http to this machine (or with the test override); file: for a local copy."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadRefused(f"{url}: not an http(s) URL")
    if parts.scheme == "http" and not _loopback(parts.hostname) \
            and os.environ.get("KIOSK_UPDATE_ALLOW_HTTP") != "1":
        raise DownloadRefused(f"{url}: plain http is refused (use https)")


class LimitedFetcher(FetcherInterface):
    """HTTP(S) and file: downloads with a size limit, same-host redirects only and one
    deadline (seconds) for everything fetched through this fetcher."""

    def __init__(self, deadline: float = DEFAULT_DEADLINE, read_timeout: float = READ_TIMEOUT):
        self.total = deadline
        self.deadline_at = time.monotonic() + deadline
        self.read_timeout = read_timeout
        self.cut = False  # set by the watchdog: what follows is the deadline, not the server
        self._sock: socket.socket | None = None  # the connection's socket, for the watchdog

    def _remaining(self, url: str) -> float:
        left = self.deadline_at - time.monotonic()
        if left <= 0 or self.cut:
            raise DownloadRefused(f"{url}: the update took longer than {self.total:g} s (stopped)")
        return left

    def _fetch(self, url: str):
        return self.fetch_limited(url, None)

    def fetch_limited(self, url: str, max_bytes: int | None):
        """Chunks of `url`; DownloadRefused past `max_bytes` or the deadline."""
        check_url(url)
        if urlsplit(url).scheme == "file":
            yield from self._file(url, max_bytes)
            return
        origin = urlsplit(url)
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            self._sock = None
            host, wait = parts.hostname or "", min(self.read_timeout, self._remaining(url))
            conn: http.client.HTTPConnection
            if parts.scheme == "https":
                conn = http.client.HTTPSConnection(host, parts.port, timeout=wait, context=ssl.create_default_context())
            else:
                conn = http.client.HTTPConnection(host, parts.port, timeout=wait)
            watchdog = threading.Timer(self._remaining(url), self._cut, args=(conn,))
            watchdog.daemon = True
            watchdog.start()
            try:
                try:
                    conn.connect()
                    sock = self._sock = conn.sock  # kept: the connection drops it on a closing reply
                    conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                                 headers={"User-Agent": "yibao-kiosk-update"})
                    resp = conn.getresponse()
                except (OSError, http.client.HTTPException) as exc:
                    self._remaining(url)  # the deadline, if that is what cut it
                    raise tuf_exc.DownloadError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
                if resp.status in (301, 302, 303, 307, 308):
                    location = resp.getheader("Location") or ""
                    new = urljoin(url, location)
                    np = urlsplit(new)
                    if (np.hostname or "").lower() != (origin.hostname or "").lower() or np.port != origin.port:
                        raise DownloadRefused(f"{url}: redirect to another host ({np.hostname}) refused")
                    if origin.scheme == "https" and np.scheme != "https":
                        raise DownloadRefused(f"{url}: redirect from https to {np.scheme} refused")
                    url = new
                    continue
                if resp.status != 200:
                    raise tuf_exc.DownloadHTTPError(f"{url}: HTTP {resp.status} {resp.reason}", resp.status)
                declared = resp.getheader("Content-Length")
                if max_bytes is not None and declared and declared.isdigit() and int(declared) > max_bytes:
                    raise DownloadRefused(f"{url}: {int(declared)} bytes, more than the limit {max_bytes}")
                received = 0
                while True:
                    sock.settimeout(min(self.read_timeout, self._remaining(url)))
                    try:
                        chunk = resp.read1(1 << 16)
                    except (OSError, http.client.HTTPException, ValueError) as exc:
                        self._remaining(url)
                        raise tuf_exc.DownloadError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
                    if not chunk:
                        self._remaining(url)  # an end cut by the watchdog is the deadline
                        break
                    received += len(chunk)
                    if max_bytes is not None and received > max_bytes:
                        raise DownloadRefused(f"{url}: more than the limit of {max_bytes} bytes")
                    self._remaining(url)
                    yield chunk
                return
            finally:
                watchdog.cancel()
                conn.close()
        raise DownloadRefused(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _cut(self, conn) -> None:
        """The watchdog: the deadline passed with a read still waiting."""
        self.cut = True
        sock = self._sock or conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _file(self, url: str, max_bytes: int | None):
        path = Path(unquote(urlsplit(url).path))
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed below, a generator
        except FileNotFoundError as exc:
            raise tuf_exc.DownloadHTTPError(f"{path}: not found", 404) from exc
        except OSError as exc:
            raise tuf_exc.DownloadError(f"{path}: {exc.strerror}") from exc
        with f:
            received = 0
            for chunk in iter(lambda: f.read(1 << 16), b""):
                received += len(chunk)
                if max_bytes is not None and received > max_bytes:
                    raise DownloadRefused(f"{path}: more than the limit of {max_bytes} bytes")
                self._remaining(url)
                yield chunk


# -- the TUF client -----------------------------------------------------------------------------------------
@dataclass
class SignedTarget:
    name: str
    version: str
    length: int
    sha256: str
    info: object  # tuf.api.metadata.TargetFile


def _as_url(source: str) -> str:
    """A repository given as a URL or a local directory (a copy on removable media)."""
    if "://" in source:
        return source.rstrip("/")
    return Path(source).resolve().as_uri()


def _updater(repo_url: str, db_path: Path, fetcher: LimitedFetcher, target_dir: Path):
    from tuf.ngclient import Updater, UpdaterConfig

    root_file = trust_root_path()
    try:
        bootstrap = root_file.read_bytes()
    except OSError as exc:
        raise UpdateError(f"no trusted root metadata at {root_file} ({exc.strerror}); install it with "
                          "'packaging/install.sh --trust-root FILE'") from exc
    md = metadata_dir(db_path)
    md.mkdir(parents=True, exist_ok=True)
    os.chmod(md, 0o700)
    config = UpdaterConfig(max_root_rotations=32, targets_max_length=2_000_000, snapshot_max_length=100_000)
    try:
        return Updater(str(md), f"{repo_url}/metadata/", str(target_dir), f"{repo_url}/targets/",
                       fetcher=fetcher, config=config, bootstrap=bootstrap)
    except (tuf_exc.RepositoryError, ValueError, OSError) as exc:
        raise UpdateError(f"{root_file}: not usable trusted root metadata ({exc})") from exc


def explain(exc: BaseException) -> str:
    """One line for a refused update, naming the protection that refused it."""
    cause = exc
    while cause is not None and not isinstance(cause, (DownloadRefused, tuf_exc.DownloadHTTPError)) \
            and isinstance(cause, tuf_exc.DownloadError) and cause.__cause__ is not None:
        cause = cause.__cause__
    msg = str(cause) or cause.__class__.__name__
    if isinstance(cause, tuf_exc.ExpiredMetadataError):
        return f"the repository's signed metadata has expired ({msg}): the server is stale or frozen"
    if isinstance(cause, tuf_exc.BadVersionNumberError):
        return f"rollback refused: the server offers older metadata than this terminal has seen ({msg})"
    if isinstance(cause, tuf_exc.UnsignedMetadataError):
        return f"signature check failed, wrong key or too few signatures ({msg})"
    if isinstance(cause, tuf_exc.LengthOrHashMismatchError):
        return f"download does not match its signed length/hash: tampered or corrupt ({msg})"
    if isinstance(cause, tuf_exc.DownloadLengthMismatchError):
        return f"download longer than signed ({msg}): tampered or corrupt"
    if isinstance(cause, DownloadRefused):
        return msg
    if isinstance(cause, tuf_exc.DownloadHTTPError):
        return f"server answered {msg}"
    if isinstance(cause, tuf_exc.DownloadError):
        return f"download failed ({msg})"
    if isinstance(cause, tuf_exc.RepositoryError):
        return f"repository metadata refused ({cause.__class__.__name__}: {msg})"
    return f"{cause.__class__.__name__}: {msg}"


def _refresh(updater) -> None:
    try:
        updater.refresh()
    except (tuf_exc.RepositoryError, tuf_exc.DownloadError) as exc:
        raise UpdateError(explain(exc)) from exc
    except (ValueError, KeyError, TypeError) as exc:  # malformed metadata the library did not wrap
        raise UpdateError(f"repository metadata malformed ({exc.__class__.__name__}: {exc})") from exc


def _signed_targets(updater, db_path: Path) -> list[SignedTarget]:
    """The catalogues of the refreshed (verified and cached) top-level targets metadata."""
    from tuf.api.metadata import Metadata, Targets

    from kiosk.db.tufrepo import TARGET_RE

    names = Metadata[Targets].from_file(str(metadata_dir(db_path) / "targets.json")).signed.targets
    out = []
    for name in names:
        m = TARGET_RE.match(name)
        info = updater.get_targetinfo(name) if m else None
        if m is None or info is None or "sha256" not in info.hashes:
            continue
        version = str((info.unrecognized_fields.get("custom") or {}).get("version") or m["version"])
        out.append(SignedTarget(name, version, info.length, info.hashes["sha256"], info))
    return sorted(out, key=lambda t: version_key(t.version))


def _download(updater, target: SignedTarget, into: Path) -> Path:
    if target.length > MAX_BUNDLE_BYTES:
        raise UpdateError(f"{target.name}: {target.length} bytes signed, more than the limit "
                          f"{MAX_BUNDLE_BYTES} (refused)")
    try:
        return Path(updater.download_target(target.info, str(into / target.name)))
    except (tuf_exc.RepositoryError, tuf_exc.DownloadError) as exc:
        raise UpdateError(explain(exc)) from exc


def update_catalogue(repo: str, db_path: Path, deadline: float = DEFAULT_DEADLINE) -> tuple[str, str]:
    """Bring the catalogue to the newest signed version. Returns (outcome, version):
    ("installed", v) or ("current", v). Raises UpdateError; status recorded either way."""
    import tempfile

    from kiosk.db.bundle import install_bundle
    from kiosk.fsutil import Busy, data_lock, private_dir

    url = _as_url(repo)
    private_dir(db_path.parent)
    try:
        check_url(url)
        with data_lock(db_path.parent), _clean(db_path.parent), \
                tempfile.TemporaryDirectory(dir=db_path.parent, prefix=".update-") as tmp:
            updater = _updater(url, db_path, LimitedFetcher(deadline), Path(tmp))
            _refresh(updater)
            targets = _signed_targets(updater, db_path)
            if not targets:
                raise UpdateError(f"{url}: the repository has no catalogue yet")
            newest = targets[-1]
            installed = installed_version(db_path)
            if installed and version_key(newest.version) <= version_key(installed):
                if version_key(newest.version) < version_key(installed):
                    log.warning("repository offers %s, older than the installed %s: kept", newest.version,
                                installed, extra={"event": "catalogue-update-older"})
                _record(db_path, ok=True, message=f"up to date ({installed})")
                return "current", installed
            path = _download(updater, newest, Path(tmp))
            try:
                install_bundle(str(path), db_path, trusted=newest)
            except BundleError as exc:
                raise UpdateError(str(exc)) from exc
    except DownloadRefused as exc:
        _record(db_path, ok=False, message=str(exc))
        raise UpdateError(str(exc)) from exc
    except UpdateError as exc:
        _record(db_path, ok=False, message=str(exc))
        raise
    except Busy as exc:  # a build or install is running: try again at the next check
        raise UpdateError(str(exc)) from exc
    except OSError as exc:
        _record(db_path, ok=False, message=f"{exc.filename or db_path}: {exc.strerror or exc}")
        raise UpdateError(f"{exc.filename or db_path}: {exc.strerror or exc}") from exc
    _record(db_path, ok=True, message=f"installed {newest.version}", installed=newest.version)
    return "installed", newest.version


# -- the hall's configuration (kiosk.hallconfig) ---------------------------------------------------------------
HALL_STATUS_FILE = "hall-config-status.json"


def hall_status_path(db_path: Path) -> Path:
    return db_path.parent / HALL_STATUS_FILE


def read_hall_status(db_path: Path) -> dict:
    try:
        data = json.loads(hall_status_path(db_path).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _record_hall(db_path: Path, **fields) -> None:
    from kiosk.fsutil import atomic_write_text

    status = read_hall_status(db_path)
    status.update(fields, checked_at=datetime.now(UTC).isoformat(timespec="seconds"))
    try:
        atomic_write_text(hall_status_path(db_path), json.dumps(status, ensure_ascii=False))
    except OSError as exc:
        log.error("cannot write %s: %s", hall_status_path(db_path), exc)


def _config_object(path: Path) -> dict:
    """config.json's object as it is on disk ({} when there is none): merged into, key by key."""
    from kiosk.config import MAX_CONFIG_BYTES, decode_config

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UpdateError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        if len(raw) > MAX_CONFIG_BYTES:
            raise ValueError("too large")
        data = json.loads(decode_config(raw)[0])
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise UpdateError(f"{path}: not a readable configuration ({exc.__class__.__name__}); "
                          "fix it before a hall configuration can be merged") from None
    if not isinstance(data, dict):
        raise UpdateError(f"{path}: expected an object {{...}} at the top")
    return data


def _terminal_hall(db_path: Path, cfg) -> str:
    """This terminal's hall id: the configured one, else the region's first (as the window shows it)."""
    if cfg.hall:
        return cfg.hall
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    try:
        svc = CatalogueService(db_path)
    except CatalogueUnavailable as exc:
        raise UpdateError(f"no hall configured and the catalogue cannot name the region's first ({exc})") from exc
    try:
        halls = svc.halls(cfg.region)
    except Exception as exc:  # noqa: BLE001 - an unknown region: one line
        raise UpdateError(f"region {cfg.region!r}: no halls in the catalogue ({exc})") from exc
    finally:
        svc.close()
    if not halls:
        raise UpdateError(f"region {cfg.region!r}: no halls in the catalogue")
    return halls[0].id


def update_hall_config(repo: str, db_path: Path, config_file: Path | None = None,
                       deadline: float = DEFAULT_DEADLINE) -> tuple[str, int | None, list[str]]:
    """Fetch this terminal's hall configuration (the signed target halls/<region>/<hall>.json)
    and merge its keys into config.json, atomically. Returns (outcome, version, keys):
    ("applied", v, changed keys), ("current", v, []) or ("none", None, []) when the
    repository has none for this hall. Raises UpdateError (config.json unchanged) for a
    forged, unsigned, older-than-applied or invalid configuration."""
    import tempfile

    from kiosk import hallconfig
    from kiosk.config import config_path, load_config
    from kiosk.fsutil import Busy, atomic_write_text, data_lock, private_dir

    config_file = config_file or config_path()
    url = _as_url(repo)
    private_dir(db_path.parent)
    region = hall = "?"
    try:
        check_url(url)
        _config_object(config_file)  # a broken config.json is for staff to fix: never merged into
        cfg, _problems = load_config(config_file)
        region, hall = cfg.region, _terminal_hall(db_path, cfg)
        name = hallconfig.target_path(region, hall)
        with data_lock(db_path.parent), tempfile.TemporaryDirectory(dir=db_path.parent, prefix=".update-") as tmp:
            updater = _updater(url, db_path, LimitedFetcher(deadline), Path(tmp))
            _refresh(updater)
            info = updater.get_targetinfo(name)
            if info is None:
                _record_hall(db_path, ok=True, message=f"no signed configuration for {region}/{hall}")
                return "none", None, []
            if info.length > hallconfig.MAX_DOC_BYTES:
                raise UpdateError(f"{name}: {info.length} bytes signed, more than the limit "
                                  f"{hallconfig.MAX_DOC_BYTES} (refused)")
            try:
                path = Path(updater.download_target(info, str(Path(tmp) / "hall.json")))
            except (tuf_exc.RepositoryError, tuf_exc.DownloadError) as exc:
                raise UpdateError(explain(exc)) from exc
            try:
                version, published = hallconfig.read_document(path.read_bytes(), region, hall)
            except hallconfig.HallConfigError as exc:
                raise UpdateError(f"{name}: {exc}") from exc
            status = read_hall_status(db_path)
            applied = status.get("version") if (status.get("region"), status.get("hall")) == (region, hall) else None
            if isinstance(applied, int) and version <= applied:
                if version < applied:
                    log.warning("hall configuration %s: the repository offers version %d, older than the "
                                "applied %d: kept", name, version, applied, extra={"event": "hall-config-older"})
                _record_hall(db_path, ok=True, message=f"up to date (version {applied})")
                return "current", applied, []
            current = _config_object(config_file)
            merged = hallconfig.merge(current, published)
            changed = [k for k in hallconfig.PUBLISHED_KEYS if k in published and current.get(k) != published[k]]
            if changed:
                private_dir(config_file.parent)
                atomic_write_text(config_file, json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    except UpdateError as exc:
        log.warning("hall configuration %s/%s refused: %s; config.json unchanged", region, hall, exc,
                    extra={"event": "hall-config-refused"})
        _record_hall(db_path, ok=False, message=str(exc))
        raise
    except DownloadRefused as exc:
        log.warning("hall configuration %s/%s refused: %s; config.json unchanged", region, hall, exc,
                    extra={"event": "hall-config-refused"})
        _record_hall(db_path, ok=False, message=str(exc))
        raise UpdateError(str(exc)) from exc
    except Busy as exc:
        raise UpdateError(str(exc)) from exc
    except OSError as exc:
        msg = f"{exc.filename or config_file}: {exc.strerror or exc}"
        _record_hall(db_path, ok=False, message=msg)
        raise UpdateError(msg) from exc
    log.info("hall configuration %s/%s version %d applied (%s)", region, hall, version,
             ", ".join(changed) or "no key changed", extra={"event": "hall-config-applied"})
    _record_hall(db_path, ok=True, region=region, hall=hall, version=version, keys=changed,
                 applied_at=datetime.now(UTC).isoformat(timespec="seconds"), message=f"applied version {version}")
    return "applied", version, changed


@contextmanager
def _clean(folder: Path):
    """Under the data lock: remove what killed builds, installs and updates left."""
    from kiosk.fsutil import remove_leftovers

    remove_leftovers(folder)
    yield


def _repository_of(source: str) -> str | None:
    """A bundle inside a repository's layout (…/targets/<file>) is verified against that
    repository: a copy on a USB stick carries its own signed metadata."""
    if "://" in source and not source.startswith("file://"):
        parts = source.rstrip("/").rsplit("/", 2)
        return parts[0] if len(parts) == 3 and parts[1] == "targets" else None
    path = Path(unquote(urlsplit(source).path) if source.startswith("file://") else source).resolve()
    if path.parent.name == "targets" and (path.parent.parent / "metadata").is_dir():
        return path.parent.parent.as_uri()
    return None


def install_signed(source: str, db_path: Path, repo: str | None = None,
                   deadline: float = DEFAULT_DEADLINE) -> dict:
    """Install the bundle file or URL `source` only if it is a signed target of the
    repository (the one it sits in, else `repo`, else the configured update_url), not
    older than the installed catalogue. Returns its manifest; raises BundleError."""
    import tempfile

    from kiosk.db.bundle import fetch, install_bundle

    repo = repo or _repository_of(source) or configured_url()
    if not repo:
        raise BundleError(f"{source}: cannot verify its signature: it is not inside a repository copy "
                          "(…/targets/ beside …/metadata/) and no update_url is configured")
    from kiosk.fsutil import Busy, data_lock, private_dir

    url = _as_url(repo)
    private_dir(db_path.parent)
    try:
        check_url(url)
        with data_lock(db_path.parent), _clean(db_path.parent), \
                tempfile.TemporaryDirectory(dir=db_path.parent, prefix=".install-") as tmp:
            fetcher = LimitedFetcher(deadline)
            local = fetch(source, Path(tmp), timeout=deadline) if "://" in source else Path(source)
            if not local.is_file():
                raise BundleError(f"{source}: no such file")
            digest, length = _digest(local)
            updater = _updater(url, db_path, fetcher, Path(tmp))
            _refresh(updater)
            match = next((t for t in _signed_targets(updater, db_path) if t.sha256 == digest and t.length == length), None)
            if match is None:
                raise BundleError(f"{source}: not a signed catalogue of {url} (tampered, or never published)")
            return install_bundle(str(local), db_path, trusted=match)
    except UpdateError as exc:
        raise BundleError(f"{source}: {exc}") from exc
    except Busy as exc:
        raise BundleError(str(exc)) from exc
    except tuf_exc.DownloadError as exc:  # DownloadRefused included
        raise BundleError(explain(exc)) from exc
    except OSError as exc:
        raise BundleError(f"{exc.filename or db_path}: {exc.strerror or exc}") from exc


def _digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def configured_url() -> str:
    from kiosk.config import load_config

    return getattr(load_config()[0], "update_url", "") or ""


# -- what staff see ------------------------------------------------------------------------------------------
def status_path(db_path: Path) -> Path:
    return db_path.parent / STATUS_FILE


def _record(db_path: Path, ok: bool, message: str, installed: str | None = None) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    status = read_status(db_path)
    status.update({"checked_at": now, "ok": ok, "message": message})
    if ok:
        status["verified_at"] = now
    if installed:
        status["installed_at"] = now
    (log.info if ok else log.warning)("catalogue update: %s", message,
                                      extra={"event": "catalogue-update" if ok else "catalogue-update-failed"})
    try:
        from kiosk.config import atomic_write_text

        atomic_write_text(status_path(db_path), json.dumps(status, ensure_ascii=False))
        os.chmod(status_path(db_path), 0o600)
    except OSError as exc:
        log.error("cannot write %s: %s", status_path(db_path), exc)


def read_status(db_path: Path) -> dict:
    try:
        data = json.loads(status_path(db_path).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _days_since(iso: str | None, now: datetime) -> float | None:
    try:
        then = datetime.fromisoformat(str(iso))
    except (TypeError, ValueError):
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return (now - then).total_seconds() / 86400


def staff_warnings(db_path: Path, now: datetime | None = None) -> list[str]:
    """For staff mode and the log: a failed or long-missing update, with the age of the
    catalogue in use. Empty when the last check verified the repository recently."""
    now = now or datetime.now(UTC)
    status = read_status(db_path)
    if not status:
        return []
    version = installed_version(db_path) or "本机生成"
    age = _days_since(status.get("installed_at"), now)
    built = _catalogue_built_at(db_path)
    age = _days_since(built, now) if built else age
    in_use = f"继续使用当前目录（版本 {version}" + (f"，已 {age:.0f} 天" if age is not None else "") + "）"
    out = []
    if not status.get("ok", True):
        out.append(f"目录更新失败：{status.get('message', '')}；{in_use}")
    since = _days_since(status.get("verified_at"), now)
    if since is None or since > STALE_AFTER_DAYS:
        what = "从未" if since is None else f"已 {since:.0f} 天未"
        out.append(f"目录{what}从更新服务器验证成功；{in_use}")
    return out


def catalogue_age_line(db_path: Path, now: datetime | None = None) -> str | None:
    """'目录版本 X，生成于 N 天前' for the staff header (the warning past the configured
    limit is catalogue_age_warnings'); None when the catalogue cannot be read."""
    built = _catalogue_built_at(db_path)
    if built is None:
        return None
    age = _days_since(built, now or datetime.now(UTC))
    version = installed_version(db_path) or "本机生成"
    return f"目录版本 {version}，生成于 {age:.0f} 天前" if age is not None else f"目录版本 {version}"


def catalogue_age_warnings(db_path: Path, limit_days: int, now: datetime | None = None) -> list[str]:
    """For staff: the catalogue in use is older than `limit_days` (config
    catalogue_age_warning_days), by when it was built or installed."""
    now = now or datetime.now(UTC)
    age = _days_since(_catalogue_built_at(db_path) or read_status(db_path).get("installed_at"), now)
    if age is None or age <= limit_days:
        return []
    version = installed_version(db_path) or "本机生成"
    return [f"目录（版本 {version}）已 {age:.0f} 天未更新，超过 {limit_days} 天的提醒期限；请联系管理员发布或安装新目录"]


def _catalogue_built_at(db_path: Path) -> str | None:
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    try:
        svc = CatalogueService(db_path)
    except CatalogueUnavailable:
        return None
    try:
        return svc.meta.get("built_at")
    finally:
        svc.close()
