"""Approved catalogue changes become a new signed catalogue version.

The service keeps the catalogue it last published (DATA/catalogue/current.sqlite,
first a copy of the catalogue it was started with). Publishing applies the approved
change to a copy (the per-region JSON snapshot the terminals' service layer reads),
stamps a new version, bundles it and signs it into the TUF repository
(kiosk.db.tufrepo.add_bundle), which the service also serves at /repo/; terminals
install it with `kiosk catalogue update` (verified against their trusted root).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from kiosk.staff.edits import FIELDS, from_plain, to_plain


class PublishError(Exception):
    pass


def _snapshot(db: Path, region: str) -> dict:
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT data FROM snapshots WHERE region = ?", (region,)).fetchone()
    finally:
        con.close()
    if row is None:
        raise PublishError(f"region {region!r} is not in the catalogue")
    return json.loads(row[0])


def services(db: Path) -> list[tuple[str, str, str]]:
    """(region, service id, name) of every service."""
    con = sqlite3.connect(db)
    try:
        out = []
        for region, data in con.execute("SELECT region, data FROM snapshots WHERE region != '*' ORDER BY region"):
            out += [(region, s["id"], s["name"]) for s in json.loads(data)["services"]]
        return out
    finally:
        con.close()


def documents(db: Path) -> list[dict]:
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT data FROM snapshots WHERE region = '*'").fetchone()
    finally:
        con.close()
    return json.loads(row[0]).get("documents", []) if row else []


def current_value(db: Path, region: str, service_id: str, field: str):
    if field not in FIELDS:
        raise PublishError(f"field {field!r} cannot be changed here")
    for s in _snapshot(db, region)["services"]:
        if s["id"] == service_id:
            return s.get(field)
    raise PublishError(f"service {region}/{service_id} is not in the catalogue")


def check_value(field: str, value) -> object:
    """The value as the catalogue's own types accept it (PublishError otherwise)."""
    if field not in FIELDS:
        raise PublishError(f"field {field!r} cannot be changed here")
    try:
        if field == "time_limit":
            if value is not None and not isinstance(value, dict):
                raise TypeError("an object")
        elif not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            raise TypeError("a list of objects")
        return to_plain(field, from_plain(field, value))
    except (TypeError, KeyError, ValueError) as exc:
        raise PublishError(f"内容格式不符合目录字段要求：{exc}") from exc


def with_provenance(value, document: str):
    """Items the change adds or rewrites without a reference cite the change's document."""
    if not document:
        return value
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    for item in items:
        if isinstance(item, dict) and "ref" in item and not item["ref"]:
            item["ref"] = document
    return value


def apply_change(db: Path, region: str, service_id: str, field: str, value) -> None:
    con = sqlite3.connect(db)
    try:
        data = json.loads(con.execute("SELECT data FROM snapshots WHERE region = ?", (region,)).fetchone()[0])
        for s in data["services"]:
            if s["id"] == service_id:
                s[field] = value
                break
        else:
            raise PublishError(f"service {region}/{service_id} is not in the catalogue")
        text = json.dumps(data, ensure_ascii=False)
        con.execute("UPDATE snapshots SET data = ? WHERE region = ?", (text, region))
        # the region's checksum, as the build stores it (kiosk.db.build.write_catalogue): a
        # terminal opens the catalogue only when every snapshot matches its checksum
        row = con.execute("SELECT value FROM meta WHERE key = 'snapshot_sha256'").fetchone()
        if row is not None:
            digests = json.loads(row[0])
            digests[region] = hashlib.sha256(text.encode("utf-8")).hexdigest()
            con.execute("UPDATE meta SET value = ? WHERE key = 'snapshot_sha256'",
                        (json.dumps(digests, sort_keys=True),))
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('built_at', ?)",
                    (datetime.now(UTC).isoformat(timespec="seconds"),))
        con.commit()
    finally:
        con.close()


def next_version(previous: str | None, today: str | None = None) -> str:
    """YYYY-MM-DD.N, after `previous` in kiosk.db.bundle.version_key order."""
    from kiosk.db.bundle import version_key

    today = today or datetime.now(UTC).strftime("%Y-%m-%d")
    n = 1
    while previous and version_key(f"{today}.{n}") <= version_key(previous):
        n += 1
    return f"{today}.{n}"


def halls(db: Path) -> list[tuple[str, str, str]]:
    """(region, hall id, hall name) of every hall of the catalogue."""
    con = sqlite3.connect(db)
    try:
        out = []
        for region, data in con.execute("SELECT region, data FROM snapshots WHERE region != '*' ORDER BY region"):
            out += [(region, h["id"], h["name"]) for h in json.loads(data).get("halls", [])]
        return out
    finally:
        con.close()


class Publisher:
    def __init__(self, data_dir: Path, repo: Path | None, keys: Path | None, base_catalogue: Path | None):
        self.lock = threading.Lock()  # one signing at a time: targets, snapshot and timestamp move together
        self.dir = Path(data_dir) / "catalogue"
        self.repo, self.keys = repo, keys
        self.dir.mkdir(parents=True, exist_ok=True)
        self.current = self.dir / "current.sqlite"
        if not self.current.exists() and base_catalogue and Path(base_catalogue).exists():
            shutil.copy2(base_catalogue, self.current)

    @property
    def ready(self) -> bool:
        return self.current.exists()

    @property
    def can_sign(self) -> bool:
        return (self.ready and self.repo is not None and self.keys is not None
                and (self.repo / "metadata" / "1.root.json").exists())

    def newest_version(self) -> str | None:
        from kiosk.db import tufrepo

        if not self.can_sign:
            return None
        assert self.repo is not None  # can_sign
        try:
            latest = tufrepo.latest_target(tufrepo._load(self.repo, "targets"))
        except Exception:  # noqa: BLE001 - an unreadable repository just means "unknown"
            return None
        return latest[0] if latest else None

    def publish(self, changes: list[tuple[str, str, str, object]], previous: str | None) -> str:
        """Apply (region, service, field, value) changes, sign a new version; returns it."""
        from kiosk.db import tufrepo
        from kiosk.db.bundle import BundleError, make_bundle, version_key

        if not self.can_sign:
            raise PublishError("签名仓库未配置（--repo / --repo-keys）")
        version = next_version(max(filter(None, [previous, self.newest_version()]), key=version_key, default=None))
        with tempfile.TemporaryDirectory(dir=self.dir, prefix=".publish-") as tmp:
            work = Path(tmp) / "catalogue.sqlite"
            shutil.copy2(self.current, work)
            for region, service_id, field, value in changes:
                apply_change(work, region, service_id, field, value)
            bundle = make_bundle(Path(tmp) / f"catalogue-{version}.tar.gz", version, db_path=work)
            try:
                if self.repo is None or self.keys is None:
                    raise PublishError("no signed repository or keys configured (repo, repo_keys)")
                with self.lock:
                    tufrepo.add_bundle(self.repo, self.keys, bundle)
            except (tufrepo.RepoError, BundleError) as exc:
                raise PublishError(str(exc)) from exc
            shutil.copy2(work, self.current.with_suffix(".tmp"))
            self.current.with_suffix(".tmp").replace(self.current)
        return version

    def publish_hall_config(self, region: str, hall: str, version: int, config: dict) -> str:
        """Sign the hall's configuration as the target halls/<region>/<hall>.json (its
        previous version replaced); returns the target's name."""
        from kiosk import hallconfig
        from kiosk.db import tufrepo

        if self.repo is None or self.keys is None or not (self.repo / "metadata" / "1.root.json").exists():
            raise PublishError("签名仓库未配置（--repo / --repo-keys）")
        try:
            name = hallconfig.target_path(region, hall)
            data = hallconfig.make_document(region, hall, version, config,
                                            datetime.now(UTC).isoformat(timespec="seconds"))
        except hallconfig.HallConfigError as exc:
            raise PublishError(str(exc)) from exc
        try:
            with self.lock:
                tufrepo.add_file(self.repo, self.keys, name, data, {"kind": "hall-config", "version": version})
        except tufrepo.RepoError as exc:
            raise PublishError(str(exc)) from exc
        return name

    def hall_config_version(self, region: str, hall: str) -> int:
        """The version of the hall's configuration signed in the repository (0: none)."""
        from kiosk import hallconfig
        from kiosk.db import tufrepo

        if self.repo is None or not (self.repo / "metadata" / "targets.json").exists():
            return 0
        try:
            info = tufrepo._load(self.repo, "targets").signed.targets.get(hallconfig.target_path(region, hall))
        except (tufrepo.RepoError, hallconfig.HallConfigError):
            return 0
        version = (info.unrecognized_fields.get("custom") or {}).get("version") if info else None
        return version if isinstance(version, int) else 0
