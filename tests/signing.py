"""Signed catalogue repositories for tests: a TUF repository made with the project's
own `kiosk.db.tufrepo`, trusted by the terminal under test through KIOSK_TRUST_ROOT."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.db import tufrepo


@dataclass
class Repo:
    dir: Path
    keys: Path

    @property
    def trust_root(self) -> Path:
        return self.dir / "metadata" / "1.root.json"

    def publish(self, bundle: Path, **kw) -> Path:
        """Sign `bundle` into the repository; returns the published file (in targets/)."""
        version = tufrepo.add_bundle(self.dir, self.keys, bundle, **kw)
        return self.target(version)

    def target(self, version: str) -> Path:
        (path,) = (self.dir / "targets").glob(f"*.{tufrepo.target_name(version)}")
        return path

    def publish_unchecked(self, bundle: Path, monkeypatch) -> Path:
        """Sign a bundle the publishing checks would refuse (a compromised or careless
        publisher): the terminal must refuse it on its own."""
        import kiosk.db.bundle as bundle_mod

        with monkeypatch.context() as m:
            m.setattr(bundle_mod, "inspect_bundle", lambda p: _manifest_of(p))
            return self.publish(bundle)


def _manifest_of(bundle: Path) -> dict:
    import json
    import tarfile

    with tarfile.open(bundle, "r:gz") as tar:
        return json.load(tar.extractfile("bundle.json"))


def make_repo(base: Path, monkeypatch, repo_dir: Path | None = None) -> Repo:
    """A new repository (3 root keys, threshold 2) in `repo_dir` (default base/repo),
    keys in base/keys; the terminal trusts a copy of its first root, as from /etc."""
    repo = Repo(repo_dir or base / "repo", base / "keys")
    tufrepo.init_repo(repo.dir, repo.keys, root_keys=3, threshold=2)
    trusted = base / "trusted-root.json"
    shutil.copy2(repo.trust_root, trusted)
    monkeypatch.setenv("KIOSK_TRUST_ROOT", str(trusted))
    return repo



def reseal(con) -> None:
    """After a test changed a catalogue's snapshots with SQL: store their checksums again,
    as a build that produced exactly this content would (so the catalogue is what a
    careless publisher signed, not a damaged file the checksums would catch first)."""
    import hashlib
    import json

    digests = {region: hashlib.sha256(data.encode("utf-8")).hexdigest()
               for region, data in con.execute("SELECT region, data FROM snapshots")}
    con.execute("UPDATE meta SET value = ? WHERE key = 'snapshot_sha256'", (json.dumps(digests, sort_keys=True),))
