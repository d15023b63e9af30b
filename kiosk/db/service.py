"""The catalogue service layer: the only place the kiosk reads the catalogue from.

Screens, the CLI and printing ask this layer for plain data classes
(kiosk.catalogue.model) and never build SQL themselves.

At run time it reads the per-region JSON snapshots the build writes into the database
(models.SnapshotRow) with the standard library's sqlite3, read-only: a kiosk starts
without importing the ORM, and a region costs one query. Everything is cached: the
built catalogue never changes under a running service (a new one is a new file, picked
up by opening a new CatalogueService).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalogue.model import (
    Difference,
    Document,
    Hall,
    PolicyTopic,
    Region,
    Service,
    Topic,
    hall_from_dict,
    policy_topic_from_dict,
    region_from_dict,
    service_from_dict,
)

# The one version of the built catalogue's layout (kiosk.db.models imports it from here, so
# that this module loads without the ORM). 3: meta + snapshots only, differences with region.
SCHEMA_VERSION = 3
# What each snapshot must hold (kiosk.db.build.snapshots): "*" and every region.
SNAPSHOT_KEYS = {"*": ("regions", "topics", "documents"),
                 "region": ("services", "halls", "policy_topics", "differences")}


# channel types a citizen can use away from the hall (kiosk.catalogue.model.Channel.type)
ONLINE_TYPES = ("online",)
APP_TYPES = ("app", "wechat", "miniprogram")


@dataclass
class RegionChannel:
    """A channel the region's services share (the closed screen's 「网上办、掌上办」): an
    online address (`url`, from the catalogue) or an app / 公众号 / 小程序 by name."""
    type: str  # online | app | wechat | miniprogram
    name: str | None  # the document's name (沈阳政务服务网, 沈阳智慧医保 APP …)
    url: str | None  # online only
    services: list[str] = field(default_factory=list)  # the ids of the services offering it
    refs: list[str] = field(default_factory=list)  # provenance, one per service


class CatalogueUnavailable(Exception):
    """The database is missing, unreadable or not a catalogue."""


class UnknownRegion(LookupError):
    def __init__(self, region: str, valid: list[str]):
        super().__init__(f"unknown region {region!r}; valid: {', '.join(valid)}")
        self.region, self.valid = region, valid


class UnknownService(LookupError):
    def __init__(self, region: str, service: str, valid: list[str]):
        super().__init__(f"unknown service {service!r} in region {region!r}; valid: {', '.join(valid)}")
        self.region, self.service, self.valid = region, service, valid


class CatalogueService:
    def __init__(self, db_path: Path, overlay=None):
        self.db_path = Path(db_path)
        # Staff edits (kiosk.staff.edits.EditStore) live in their own database and are
        # applied to every service as it is read; the built catalogue is never written.
        self.overlay = None
        if not self.db_path.exists():
            raise CatalogueUnavailable(f"{self.db_path}: catalogue database not found "
                                       "(run 'kiosk catalogue build')")
        self._regions_data: dict[str, dict] = {}
        self._cache: dict[tuple[str, str], Service] = {}
        try:
            self._con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False)
            self.meta = dict(self._con.execute("SELECT key, value FROM meta"))
            if str(self.meta.get("schema_version")) != str(SCHEMA_VERSION):
                raise CatalogueUnavailable(
                    f"{self.db_path}: catalogue schema {self.meta.get('schema_version')!r}, "
                    f"this program reads {SCHEMA_VERSION} (rebuild it)")
            self._digests = self._snapshot_digests()
            everything = self._snapshot("*")
            self._regions = [region_from_dict(r) for r in everything["regions"]]
            self._topics = [Topic(**t) for t in everything["topics"]]
            self._documents = [Document(**d) for d in everything["documents"]]
        except sqlite3.Error as exc:
            self.close()
            raise CatalogueUnavailable(f"{self.db_path}: not a readable catalogue database ({exc})") from exc
        except CatalogueUnavailable:
            self.close()
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.close()
            raise CatalogueUnavailable(f"{self.db_path}: the catalogue's region list is damaged "
                                       f"({type(exc).__name__}: {exc})") from exc
        # what a printed checklist names as the catalogue's version: a bundle's version, else
        # the digest of the seed it was built from
        self.version = (self.meta.get("bundle_version")
                        or f"seed-{str(self.meta.get('seed_sha256') or '')[:12] or 'unknown'}")
        if overlay is not None:
            self.set_overlay(overlay)

    def _snapshot_digests(self) -> dict[str, str]:
        """The sha256 of every snapshot as the build wrote it (meta `snapshot_sha256`;
        catalogues built before it have none)."""
        text = self.meta.get("snapshot_sha256")
        if text is None:
            return {}
        try:
            digests = json.loads(text)
        except ValueError:
            digests = None
        if not isinstance(digests, dict):
            raise CatalogueUnavailable(f"{self.db_path}: the catalogue's checksums are damaged")
        return digests

    def _snapshot(self, key: str) -> dict:
        row = self._con.execute("SELECT data FROM snapshots WHERE region = ?", (key,)).fetchone()
        if row is None:
            raise CatalogueUnavailable(f"{self.db_path}: no catalogue data for {key!r}")
        if not isinstance(row[0], str):
            raise CatalogueUnavailable(f"{self.db_path}: catalogue data for {key!r} is damaged (not text)")
        if self._digests:
            import hashlib

            if hashlib.sha256(row[0].encode("utf-8")).hexdigest() != self._digests.get(key):
                raise CatalogueUnavailable(f"{self.db_path}: catalogue data for {key!r} is damaged "
                                           "(checksum mismatch)")
        try:
            data = json.loads(row[0])
        except (ValueError, RecursionError) as exc:
            raise CatalogueUnavailable(f"{self.db_path}: catalogue data for {key!r} is damaged ({exc})") from exc
        wanted = SNAPSHOT_KEYS["*" if key == "*" else "region"]
        if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in wanted):
            raise CatalogueUnavailable(f"{self.db_path}: catalogue data for {key!r} is damaged "
                                       f"(expected lists {', '.join(wanted)})")
        return data

    def check(self) -> None:
        """Read every region's data and make every service, hall, policy topic and
        difference of it, as the screens will: a catalogue that passes cannot fail a
        citizen later for its data. Raises CatalogueUnavailable naming the region.
        (~12 ms for the shipped catalogue; the configured region's share is spent at
        start-up anyway.)"""
        if not self._regions:
            raise CatalogueUnavailable(f"{self.db_path}: the catalogue has no regions")
        for r in self._regions:
            try:
                services = self.services(r.id)
                self.halls(r.id)
                self.policy_topics(r.id)
                self.differences(r.id)
            except CatalogueUnavailable:
                raise
            except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
                raise CatalogueUnavailable(f"{self.db_path}: catalogue data for {r.id!r} is damaged "
                                           f"({type(exc).__name__}: {exc})") from exc
            if not services:
                raise CatalogueUnavailable(f"{self.db_path}: region {r.id!r} has no services")
            if any(not isinstance(x.id, str) or not isinstance(x.name, str) for x in services):
                raise CatalogueUnavailable(f"{self.db_path}: catalogue data for {r.id!r} is damaged "
                                           "(a service without id or name)")

    def set_overlay(self, overlay) -> None:
        """Apply `overlay.apply(service) -> service` to every service read from now on
        (None: the catalogue as built). An overlay with `subscribe(fn(region, service_id))`
        tells the layer which cached service to read again after a change."""
        self.overlay = overlay
        self._cache.clear()
        if overlay is not None and hasattr(overlay, "subscribe"):
            overlay.subscribe(lambda region, service_id: self._cache.pop((region, service_id), None))

    def close(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()
            del self._con  # gone, as before the connection was made (getattr above)

    # -- regions, halls, topics ------------------------------------------------------
    def regions(self) -> list[Region]:
        return list(self._regions)

    def region(self, region_id: str) -> Region:
        for r in self._regions:
            if r.id == region_id:
                return r
        raise UnknownRegion(region_id, [r.id for r in self._regions])

    def topics(self) -> list[Topic]:
        return list(self._topics)

    def documents(self) -> list[Document]:
        return sorted(self._documents, key=lambda d: d.file)

    def _region_data(self, region_id: str) -> dict:
        self.region(region_id)
        data = self._regions_data.get(region_id)
        if data is None:
            try:
                data = self._snapshot(region_id)
            except sqlite3.Error as exc:
                raise CatalogueUnavailable(f"{self.db_path}: cannot read region {region_id!r} ({exc})") from exc
            self._regions_data[region_id] = data
        return data

    def halls(self, region_id: str) -> list[Hall]:
        return [hall_from_dict(h) for h in self._region_data(region_id)["halls"]]

    # -- services --------------------------------------------------------------------
    def _keys(self, region_id: str) -> list[str]:
        return [s["id"] for s in self._region_data(region_id)["services"]]

    def services(self, region_id: str) -> list[Service]:
        """All services of a region (full records, cached: the catalogue is read-only)."""
        return [self.service(region_id, key) for key in self._keys(region_id)]

    def service(self, region_id: str, service_id: str) -> Service:
        cached = self._cache.get((region_id, service_id))
        if cached is not None:
            return cached
        for d in self._region_data(region_id)["services"]:
            if d["id"] == service_id:
                svc = service_from_dict(d)
                svc.catalogue_version = self.version
                if self.overlay is not None:
                    svc = self.overlay.apply(svc)
                self._cache[(region_id, service_id)] = svc
                return svc
        raise UnknownService(region_id, service_id, self._keys(region_id))

    def differences(self, region_id: str, kind: str | None = None) -> list[Difference]:
        out = []
        for d in self._region_data(region_id)["differences"]:
            if kind and d.get("kind") != kind:
                continue
            out.append(Difference(**d))
        return out

    # -- policy reference ------------------------------------------------------------
    def policy_topics(self, region_id: str, service_id: str | None = None) -> list[PolicyTopic]:
        topics = [policy_topic_from_dict(t) for t in self._region_data(region_id)["policy_topics"]]
        if service_id:
            topics = [t for t in topics if service_id in t.services]
        return topics

    # -- channels away from the hall ----------------------------------------------------------
    def region_channels(self, region_id: str, audiences: tuple[str, ...] | None = None) -> list[RegionChannel]:
        """The online addresses (with a URL) and the apps, 公众号 and 小程序 (by name) that
        the region's services name as channels, most widely offered first (online before
        apps). Only what the catalogue says: an online channel without a URL, or an app
        without a name, is not listed. `audiences`: only the services for them (个人, 单位,
        医药机构); None = all."""
        found: dict[tuple[str, str], RegionChannel] = {}
        for svc in self.services(region_id):
            if audiences is not None and svc.audience not in audiences:
                continue
            for c in svc.channels:
                if c.blank:
                    continue
                if c.type in ONLINE_TYPES and c.url:
                    key = ("online", c.url)
                elif c.type in APP_TYPES and (c.app or c.name):
                    key = (c.type, str(c.app or c.name))
                else:
                    continue
                entry = found.get(key)
                if entry is None:
                    entry = found[key] = RegionChannel(c.type, c.app or c.name, c.url)
                elif entry.name is None and (c.app or c.name):
                    entry.name = c.app or c.name
                if svc.id not in entry.services:
                    entry.services.append(svc.id)
                    entry.refs.append(c.ref)
        return sorted(found.values(), key=lambda e: (e.type not in ONLINE_TYPES, -len(e.services)))
