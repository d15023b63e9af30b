"""Catalogue bundles: how operators ship a new catalogue to many terminals.

A bundle is a .tar.gz holding `bundle.json` and either a built `catalogue.sqlite`
(kind "database") or the `seed/` sources (kind "seed"):

    bundle.json = {"format": 1, "kind": "database", "version": "2026-11-25.1",
                   "created": "...", "files": {"catalogue.sqlite": "<sha256>", ...}}

`install_bundle` takes it from a file or an http(s) URL, checks every file's sha256,
opens/builds the catalogue into a temporary file beside the live one, verifies it, keeps
the live database as `catalogue.previous.sqlite` and swaps the new one in atomically.
`rollback` swaps the previous one back (and keeps the replaced one as previous, so a
rollback can itself be undone). Any failure leaves the live catalogue as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from kiosk.db.build import BuildError, build_catalogue

FORMAT = 1
MAX_BUNDLE_BYTES = 200 * 1024 * 1024


class BundleError(Exception):
    """A bundle that cannot be installed; the live catalogue is unchanged."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def previous_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".previous.sqlite")


def make_bundle(out: Path, version: str, db_path: Path | None = None, seed_dir: Path | None = None) -> Path:
    """Write a bundle of a built database or of seed sources."""
    if (db_path is None) == (seed_dir is None):
        raise ValueError("give exactly one of db_path or seed_dir")
    files: dict[str, Path] = {}
    if db_path is not None:
        files["catalogue.sqlite"] = db_path
        kind = "database"
    else:
        kind = "seed"
        for p in sorted(seed_dir.rglob("*")):
            if p.is_file() and p.suffix in (".yaml", ".txt", ".md"):
                files[f"seed/{p.relative_to(seed_dir)}"] = p
    manifest = {"format": FORMAT, "kind": kind, "version": version,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "files": {name: _sha256(p) for name, p in files.items()}}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tarfile.open(tmp, "w:gz") as tar:
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo("bundle.json")
        info.size = len(data)
        import io

        tar.addfile(info, io.BytesIO(data))
        for name, p in files.items():
            tar.add(p, arcname=name)
    os.replace(tmp, out)
    return out


def fetch(source: str, dest_dir: Path, timeout: float = 30.0) -> Path:
    """A local copy of the bundle at `source` (a path or an http(s) URL)."""
    if source.startswith(("http://", "https://")):
        target = dest_dir / "bundle.tar.gz"
        try:
            with urllib.request.urlopen(source, timeout=timeout) as resp, open(target, "wb") as f:  # noqa: S310
                size = 0
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    size += len(chunk)
                    if size > MAX_BUNDLE_BYTES:
                        raise BundleError(f"{source}: bundle larger than {MAX_BUNDLE_BYTES} bytes")
                    f.write(chunk)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise BundleError(f"{source}: download failed ({getattr(exc, 'reason', exc)})") from exc
        return target
    path = Path(source)
    if not path.is_file():
        raise BundleError(f"{source}: no such file")
    return path


def _extract(bundle: Path, into: Path) -> dict:
    try:
        with tarfile.open(bundle, "r:gz") as tar:
            members = tar.getmembers()
            for m in members:
                if not (m.isfile() or m.isdir()) or m.name.startswith("/") or ".." in Path(m.name).parts:
                    raise BundleError(f"{bundle}: unsafe member {m.name!r}")
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: the standard library checks too
                tar.extractall(into, members=members, filter="data")
            else:  # Debian 12's Python 3.11.2: the member checks above are the guard
                tar.extractall(into, members=members)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"{bundle}: not a readable .tar.gz bundle ({exc})") from exc
    manifest_path = into / "bundle.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise BundleError(f"{bundle}: bundle.json missing or not JSON ({exc})") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict) \
            or not all(isinstance(v, str) for v in (manifest.get("files") or {}).values()):
        raise BundleError(f"{bundle}: bundle.json: expected an object with a files map of name to sha256")
    if manifest.get("format") != FORMAT or manifest.get("kind") not in ("database", "seed"):
        raise BundleError(f"{bundle}: bundle.json: unsupported format/kind "
                          f"({manifest.get('format')!r}/{manifest.get('kind')!r})")
    if not manifest.get("version"):
        raise BundleError(f"{bundle}: bundle.json: no version")
    files = manifest.get("files") or {}
    if not files:
        raise BundleError(f"{bundle}: bundle.json lists no files")
    for name, digest in files.items():
        p = into / name
        if not p.is_file():
            raise BundleError(f"{bundle}: {name} listed in bundle.json but missing")
        if _sha256(p) != digest:
            raise BundleError(f"{bundle}: {name}: sha256 mismatch (corrupt or tampered bundle)")
    return manifest


def install_bundle(source: str, db_path: Path) -> dict:
    """Install a bundle; returns its manifest. Raises BundleError, changing nothing."""
    from kiosk.fsutil import data_lock, private_dir, remove_leftovers

    private_dir(db_path.parent)
    with data_lock(db_path.parent):
        remove_leftovers(db_path.parent)  # left by killed builds and installs
        return _install(source, db_path, tempfile.mkdtemp(dir=db_path.parent, prefix=".bundle-"))


def _install(source: str, db_path: Path, tmpdir: str) -> dict:
    from kiosk.db.resilience import keep_as_previous, verify_catalogue
    from kiosk.db.service import CatalogueUnavailable
    from kiosk.fsutil import fsync_dir, private_file

    try:
        tmp = Path(tmpdir)
        bundle = fetch(source, tmp)
        content = tmp / "content"
        content.mkdir()
        manifest = _extract(bundle, content)
        staged = tmp / "catalogue.sqlite"
        if manifest["kind"] == "database":
            shutil.copyfile(content / "catalogue.sqlite", staged)
        else:
            try:
                build_catalogue(content / "seed", staged)
            except BuildError as exc:
                detail = "; ".join(str(p) for p in exc.problems[:5])
                raise BundleError(f"{source}: seed does not build: {exc} {detail}") from exc
        try:  # every region's data whole, and the region this kiosk is configured for
            verify_catalogue(staged, _configured_regions()).close()
        except CatalogueUnavailable as exc:
            raise BundleError(f"{source}: {exc}") from exc
        _set_meta(staged, "bundle_version", manifest["version"])
        private_file(staged)
        with open(staged, "rb") as f:
            os.fsync(f.fileno())
        keep_as_previous(db_path)
        os.replace(staged, db_path)
        fsync_dir(db_path.parent)
        return manifest
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _configured_regions() -> tuple[str, ...]:
    from kiosk.config import load_config

    return (load_config()[0].region,)


def _set_meta(db: Path, key: str, value: str) -> None:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
        con.commit()
    finally:
        con.close()


def rollback(db_path: Path) -> None:
    """Swap the previous catalogue back in; the replaced one becomes the previous (if it
    checks whole: a damaged one is not kept)."""
    from kiosk.db.resilience import is_usable
    from kiosk.fsutil import atomic_copy, data_lock

    prev = previous_path(db_path)
    with data_lock(db_path.parent):
        if not prev.exists():
            raise BundleError(f"{prev}: no previous catalogue to roll back to")
        why = is_usable(prev)
        if why is not None:
            raise BundleError(f"previous catalogue is not usable: {why}")
        keep = db_path.exists() and is_usable(db_path) is None
        swap = db_path.with_name(".rollback.tmp")
        try:
            if keep:
                atomic_copy(db_path, swap)  # the current one, whole, beside
            # live first: a kill between the two renames leaves both on the good previous one
            atomic_copy(prev, db_path)
            if keep:
                os.replace(swap, prev)
        finally:
            swap.unlink(missing_ok=True)  # a full disk: nothing half-done stays behind
