"""Files the kiosk writes: private modes, atomic replacement, one writer at a time.

Every file the kiosk writes is mode 0600 and every folder it creates 0700, set
explicitly: the umask of whoever started the kiosk (022 on most systems) must not make
the staff PIN hash or the logs readable by other local users.

- `private_dir(path)`: create a folder (and missing parents) as 0700.
- `atomic_write_bytes/text(path, data)`: a temporary file beside `path`, fsync, rename,
  fsync of the folder: after a crash the file is the old or the new content, never half.
- `atomic_copy(src, dst)`: the same for a copy (the previous catalogue).
- `data_lock(folder)`: an exclusive flock on `<folder>/.kiosk.lock`; a second build or
  install gets `Busy` (one line for the operator) instead of racing the first.
- `remove_leftovers(folder)`: temporary files and folders left by killed builds,
  installs and writes.

Standard library only, imported at start-up: nothing heavy here.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import time
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
LOCK_NAME = ".kiosk.lock"
# Temporary names written beside the data. Builds (.catalogue-*.sqlite.tmp), installs
# (.bundle-* folders), rollbacks (.rollback.tmp) and copies of a catalogue
# (.catalogue.previous.sqlite.<random>.tmp) only happen under the data lock: when the
# lock is ours, they are stale.
LOCKED_LEFTOVERS = (".catalogue-*.sqlite.tmp", ".bundle-*", ".update-*", ".install-*", ".rollback.tmp",
                    ".catalogue*.sqlite.*.tmp")
# Other atomic writes (.<name>.<random>.tmp: contact.json, serials, config.json) are not
# under the lock and take milliseconds: one older than this belongs to a killed process.
UNLOCKED_LEFTOVERS = (".*.tmp",)
UNLOCKED_LEFTOVER_AGE = 300.0


class Busy(Exception):
    """Another build or install holds the data folder's lock."""


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with mode 0700; an existing folder the kiosk
    owns is set to 0700 too, unless it is a shared folder. Returns `path`."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    for p in missing or ([path] if not _shared_folder(path) else []):
        try:
            os.chmod(p, DIR_MODE)
        except OSError:
            pass  # not ours (a shared folder given by the operator): leave it
    return path


def _shared_folder(path: Path) -> bool:
    """A folder others use: /tmp-like (sticky or world-writable) or owned by someone else.

    Writing `--db /tmp/x.sqlite` or `--pdf /tmp/c.pdf` as root once set /tmp to 0700,
    which broke every other user of /tmp (PostgreSQL's initdb among them).
    """
    try:
        st = path.stat()
    except OSError:
        return True
    return bool(st.st_mode & (stat.S_ISVTX | stat.S_IWOTH)) or st.st_uid != os.geteuid()


def private_file(path: Path) -> None:
    """Mode 0600 on a file the kiosk wrote (errors ignored: the file may be gone)."""
    try:
        os.chmod(path, FILE_MODE)
    except OSError:
        pass


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, fsync: bool = True) -> None:
    """Replace `path` with `data` (mode 0600): the old or the new content, never half.
    `fsync=False` for files whose loss on power failure does not matter."""
    import tempfile  # only when writing: kept off start-up

    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if fsync:
        fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, fsync: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy `src` to `dst` (mode 0600) by copy + fsync + rename: a kill at any moment
    leaves `dst` as it was or as the complete copy, never 0 bytes or half."""
    import tempfile

    dst = Path(dst)
    private_dir(dst.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dst)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(dst.parent)


# -- one build or install at a time -------------------------------------------------------------
_held: dict[str, list] = {}  # lock file -> [open file, depth]: re-entrant within a process
_held_guard = threading.Lock()


@contextmanager
def data_lock(folder: Path, wait: float = 0.0, what: str = "a catalogue build or install"):
    """Hold the exclusive lock of `folder` (re-entrant in this process). Raises Busy if
    another process holds it for longer than `wait` seconds."""
    import fcntl

    folder = private_dir(Path(folder))
    key = str((folder / LOCK_NAME).resolve())
    with _held_guard:
        entry = _held.get(key)
        if entry is not None:
            entry[1] += 1
    if entry is None:
        fd = os.open(key, os.O_RDWR | os.O_CREAT, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise Busy(f"{folder}: {what} is already running (lock {LOCK_NAME}); "
                               "try again when it has finished") from None
                time.sleep(0.1)
        entry = [fd, 1]
        with _held_guard:
            _held[key] = entry
    try:
        yield
    finally:
        with _held_guard:
            entry[1] -= 1
            if entry[1] == 0:
                del _held[key]
                os.close(entry[0])  # closing the only descriptor releases the flock


def remove_leftovers(folder: Path, lock: bool = True) -> list[Path]:
    """Remove temporary files and folders left by killed builds, installs and writes in
    `folder`. Under the data lock (taken without waiting) everything temporary is stale;
    if another process holds it (or `lock` is False: a folder without builds, such as
    the config folder), only atomic-write leftovers older than UNLOCKED_LEFTOVER_AGE go.
    Returns what was removed; errors are ignored."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    if not lock:
        return _remove(folder, False)
    removed: list[Path] = []
    try:
        with data_lock(folder):
            locked = True
            removed = _remove(folder, locked)
    except (Busy, OSError):
        locked = False
        removed = _remove(folder, locked)
    return removed


def _remove(folder: Path, locked: bool) -> list[Path]:
    removed = []
    now = time.time()
    seen = set()
    for pattern, by_lock in [(p, True) for p in LOCKED_LEFTOVERS] + [(p, False) for p in UNLOCKED_LEFTOVERS]:
        for p in folder.glob(pattern):
            if p in seen or p.name == LOCK_NAME:
                continue
            seen.add(p)
            try:
                if not (by_lock and locked):
                    if p.is_dir() or now - p.lstat().st_mtime < UNLOCKED_LEFTOVER_AGE:
                        continue
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed
