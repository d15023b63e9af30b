"""Catalogue bundles: how operators ship a new catalogue to many terminals.

A bundle is a .tar.gz holding `bundle.json` and either a built `catalogue.sqlite`
(kind "database") or the `seed/` sources (kind "seed"):

    bundle.json = {"format": 1, "kind": "database", "version": "2026-11-25.1",
                   "created": "...", "files": {"catalogue.sqlite": "<sha256>", ...}}

`install_bundle` takes it from a file or an http(s) URL, first verified against the
terminal's trusted TUF metadata (kiosk.db.update: the bundle must be a signed target,
not older than the installed catalogue), checks every file's sha256 within the limits
below, opens/builds the catalogue into a temporary file beside the live one, verifies
it holds every region (the live catalogue's and the configured one, each with
services), keeps the live database as `catalogue.previous.sqlite` and swaps the new one
in atomically.
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
from datetime import UTC, datetime
from pathlib import Path

from kiosk.db.build import BuildError, build_catalogue

FORMAT = 1
# Limits (a catalogue bundle is about 1 MB packed, 3 MB expanded, under 50 members):
MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # download size
MAX_EXPANDED_BYTES = 256 * 1024 * 1024  # all members together, as the tar headers declare
MAX_MEMBERS = 2000


class BundleError(Exception):
    """A bundle that cannot be installed; the live catalogue is unchanged."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def version_key(version: str) -> tuple:
    """Order of catalogue versions: digit runs compare as numbers ("2026-11-25.10" after
    "2026-11-25.9", "v10" after "v9"), the rest as text."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|[^\d]+", version))


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
        assert seed_dir is not None  # exactly one of the two is given (checked above)
        for p in sorted(seed_dir.rglob("*")):
            if p.is_file() and p.suffix in (".yaml", ".txt", ".md"):
                files[f"seed/{p.relative_to(seed_dir)}"] = p
    manifest = {"format": FORMAT, "kind": kind, "version": version,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
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
    """A local copy of the bundle at `source` (a path or an http(s) URL): downloaded
    within the limits of kiosk.db.update (size, total time, https, no other host)."""
    if source.startswith(("http://", "https://")):
        from tuf.api.exceptions import DownloadError

        from kiosk.db.update import LimitedFetcher

        target = dest_dir / "bundle.tar.gz"
        try:
            with open(target, "wb") as f:
                for chunk in LimitedFetcher(deadline=timeout).fetch_limited(source, MAX_BUNDLE_BYTES):
                    f.write(chunk)
        except DownloadError as exc:  # refused by a limit, HTTP errors, connection failures
            raise BundleError(f"download refused or failed: {exc}") from exc
        except OSError as exc:
            raise BundleError(f"{source}: download failed ({exc})") from exc
        return target
    path = Path(source)
    if not path.is_file():
        raise BundleError(f"{source}: no such file")
    return path


def _extract(bundle: Path, into: Path) -> dict:
    try:
        with tarfile.open(bundle, "r:gz") as tar:
            members, expanded = [], 0
            for m in tar:  # header by header: a bomb is refused before it is expanded
                if not (m.isfile() or m.isdir()) or m.name.startswith("/") or ".." in Path(m.name).parts:
                    raise BundleError(f"{bundle}: unsafe member {m.name!r}")
                members.append(m)
                expanded += m.size
                if len(members) > MAX_MEMBERS:
                    raise BundleError(f"{bundle}: more than {MAX_MEMBERS} members (refused)")
                if expanded > MAX_EXPANDED_BYTES:
                    raise BundleError(f"{bundle}: expands to more than {MAX_EXPANDED_BYTES // (1 << 20)} MiB "
                                      "(refused)")
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


def install_bundle(source: str, db_path: Path, *, trusted=None) -> dict:
    """Install a bundle; returns its manifest. Raises BundleError, changing nothing.

    `trusted`: the signed target (kiosk.db.update.SignedTarget) `source` was verified
    against. Without it, `source` is verified first (kiosk.db.update.install_signed,
    which calls back here with it): an unsigned bundle is never installed. The caller
    holds the data lock and has removed leftovers of killed runs; it is taken again here
    (re-entrant) for callers that did not."""
    if trusted is None:
        from kiosk.db.update import install_signed

        return install_signed(source, db_path)
    from kiosk.fsutil import data_lock, private_dir

    private_dir(db_path.parent)
    with data_lock(db_path.parent):
        return _install(source, db_path, trusted, tempfile.mkdtemp(dir=db_path.parent, prefix=".bundle-"))


def _install(source: str, db_path: Path, trusted, tmpdir: str) -> dict:
    from kiosk.db.resilience import keep_as_previous, verify_catalogue
    from kiosk.db.service import CatalogueUnavailable
    from kiosk.fsutil import fsync_dir, private_file

    try:
        tmp = Path(tmpdir)
        manifest, staged = _stage(fetch(source, tmp), tmp, source)
        if manifest["version"] != trusted.version:
            raise BundleError(f"{source}: bundle.json says version {manifest['version']}, "
                              f"the signed metadata {trusted.version}")
        installed = installed_version(db_path)
        if installed and version_key(manifest["version"]) < version_key(installed):
            raise BundleError(f"{source}: version {manifest['version']} is older than the installed "
                              f"{installed} (refused)")
        check_regions(staged, db_path, source)
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


def _stage(bundle: Path, tmp: Path, source) -> tuple[dict, Path]:
    """Extract `bundle` (within the limits) and build or copy its catalogue into
    tmp/catalogue.sqlite, opened once to prove it reads."""
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    content = tmp / "content"
    content.mkdir()
    manifest = _extract(bundle, content)
    staged = tmp / "catalogue.sqlite"
    if manifest["kind"] == "database":
        if not (content / "catalogue.sqlite").is_file():
            raise BundleError(f"{source}: a database bundle without catalogue.sqlite")
        shutil.copy2(content / "catalogue.sqlite", staged)
    else:
        try:
            build_catalogue(content / "seed", staged)
        except BuildError as exc:
            detail = "; ".join(str(p) for p in exc.problems[:5])
            raise BundleError(f"{source}: seed does not build: {exc} {detail}") from exc
    try:
        CatalogueService(staged).close()
    except CatalogueUnavailable as exc:
        raise BundleError(f"{source}: {exc}") from exc
    return manifest, staged


def inspect_bundle(bundle: Path) -> dict:
    """Everything an install checks that does not depend on a terminal (limits,
    manifest, sha256s, the catalogue opens, every region has services): for publishing."""
    with tempfile.TemporaryDirectory(prefix=".bundle-check-") as tmpdir:
        manifest, staged = _stage(Path(bundle), Path(tmpdir), bundle)
        check_regions(staged, None, bundle)
    return manifest


def installed_version(db_path: Path) -> str | None:
    """The bundle version of the live catalogue (None: built here, or unreadable)."""
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    try:
        svc = CatalogueService(db_path)
    except CatalogueUnavailable:
        return None
    try:
        return svc.meta.get("bundle_version")
    finally:
        svc.close()


def check_regions(staged: Path, db_path: Path | None, source) -> None:
    """Refuse a catalogue missing a region the terminal needs: the configured region and
    every region of the live catalogue, each with at least one service."""
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    required: set[str] = set()
    if db_path is not None:
        from kiosk.config import load_config

        required.add(load_config()[0].region)
        try:
            live = CatalogueService(db_path)
            required.update(r.id for r in live.regions())
            live.close()
        except CatalogueUnavailable:
            pass
    try:
        svc = CatalogueService(staged)
        try:
            have = {r.id for r in svc.regions()}
            if not have:
                raise BundleError(f"{source}: the catalogue has no regions (refused)")
            missing = sorted(required - have)
            if missing:
                raise BundleError(f"{source}: region(s) {', '.join(missing)} missing from the catalogue (refused)")
            empty = []
            for r in sorted(have):
                try:
                    if not svc.services(r):
                        empty.append(r)
                except (LookupError, TypeError, ValueError, AttributeError) as exc:
                    raise BundleError(f"{source}: region {r}: data damaged ({exc!r}) (refused)") from exc
            if empty:
                raise BundleError(f"{source}: region(s) {', '.join(empty)} without any service (refused)")
        finally:
            svc.close()
    except CatalogueUnavailable as exc:
        raise BundleError(f"{source}: {exc}") from exc


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
