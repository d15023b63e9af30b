"""The signed catalogue repository (TUF): what operators publish and terminals trust.

A repository is a directory any static web server can serve:

    DIR/metadata/1.root.json, 2.root.json …   root: which keys sign what (offline keys)
    DIR/metadata/N.targets.json               the catalogue bundles, with lengths and hashes
    DIR/metadata/N.snapshot.json              the targets version that belongs to this state
    DIR/metadata/timestamp.json               the newest snapshot, re-signed often (expires soon)
    DIR/targets/<sha256>.catalogue-<version>.tar.gz   the bundles (consistent snapshots)

Keys are ed25519, one PEM file each, kept in a key directory (0700, files 0600):

    root-1.pem … root-N.pem   offline: any `threshold` of them sign root metadata
    targets.pem, snapshot.pem, timestamp.pem   online: used by `repo add` / `refresh-timestamp`

Root keys are needed only by `repo init` and `repo rotate-key`; the key directory given
to the other commands need not hold them (keep them on separate offline media).
A new root version is signed by a threshold of the old root keys and of the new ones,
which is what lets a terminal follow a rotation (or a revocation) on its own.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.db.bundle import BundleError, version_key

SPEC_VERSION = "1.0.31"
ROLES = ("root", "targets", "snapshot", "timestamp")
ONLINE_ROLES = ("targets", "snapshot", "timestamp")
# How long each role's metadata stays valid: the timestamp is re-signed often (cron
# `repo refresh-timestamp`), so a frozen server is noticed within a week.
EXPIRY_DAYS = {"root": 365, "targets": 90, "snapshot": 90, "timestamp": 7}
TARGET_RE = re.compile(r"^catalogue-(?P<version>[0-9A-Za-z][0-9A-Za-z._-]*)\.tar\.gz$")


class RepoError(Exception):
    """A repository operation that cannot be done; nothing was published."""


def target_name(version: str) -> str:
    return f"catalogue-{version}.tar.gz"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _expiry(role: str, days: float | None = None) -> datetime:
    return _now() + timedelta(days=EXPIRY_DAYS[role] if days is None else days)


# -- keys ------------------------------------------------------------------------------------------
def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def generate_key(path: Path):
    """A new ed25519 key in `path` (PEM, 0600); returns its signer. Never overwrites."""
    from securesystemslib.signer import CryptoSigner

    if path.exists():
        raise RepoError(f"{path}: a key is already there (move it away first)")
    signer = CryptoSigner.generate_ed25519()
    _write_private(path, signer.private_bytes)
    return signer


def load_key(path: Path):
    """The signer of the PEM private key in `path`."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from securesystemslib.signer import CryptoSigner, SSlibKey

    try:
        private = load_pem_private_key(path.read_bytes(), None)
        public = SSlibKey.from_crypto(private.public_key())
    except (OSError, ValueError, TypeError) as exc:
        raise RepoError(f"{path}: not a readable private key ({exc})") from exc
    return CryptoSigner(private, public)


def _keys_in(keydir: Path, role: str) -> list:
    if role == "root":
        files = sorted(keydir.glob("root-*.pem"), key=lambda p: version_key(p.stem))
    else:
        files = [keydir / f"{role}.pem"] if (keydir / f"{role}.pem").exists() else []
    return [load_key(p) for p in files]


# -- reading and writing metadata -------------------------------------------------------------------
def _md_dir(repo: Path) -> Path:
    return repo / "metadata"


def _load(repo: Path, role: str):
    from tuf.api.metadata import Metadata

    name = "timestamp.json" if role == "timestamp" else f"{role}.json"
    path = _md_dir(repo) / name
    if not path.is_file():
        raise RepoError(f"{repo}: no {name} (run 'kiosk catalogue repo init' first)")
    try:
        return Metadata.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - any parse error is one message
        raise RepoError(f"{path}: not readable TUF metadata ({exc})") from exc


def _write(repo: Path, md, versioned: bool) -> None:
    """Versioned file first (what consistent-snapshot clients fetch), then the plain one;
    each written to a temporary file and renamed, so a server never serves half a file."""
    from tuf.api.serialization.json import JSONSerializer

    role = md.signed.type
    data = md.to_bytes(JSONSerializer(compact=False))
    names = ([f"{md.signed.version}.{role}.json"] if versioned else []) + [f"{role}.json"]
    for name in names:
        path = _md_dir(repo) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)


def _signers_for(root, role: str, keydir: Path) -> list:
    wanted = set(root.signed.roles[role].keyids)
    found = [s for s in _keys_in(keydir, role) if s.public_key.keyid in wanted]
    if not found:
        raise RepoError(f"{keydir}: no {role} key of this repository (expected {role}"
                        f"{'-N' if role == 'root' else ''}.pem)")
    return found


def _sign_role(md, signers: list) -> None:
    md.signatures.clear()
    for s in signers:
        md.sign(s, append=True)


# -- the commands ------------------------------------------------------------------------------------
def init_repo(repo: Path, keydir: Path, root_keys: int = 3, threshold: int = 2) -> dict:
    """A new, empty repository: keys made where missing, all four roles signed."""
    from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp

    if not 1 <= threshold <= root_keys:
        raise RepoError(f"threshold {threshold} must be between 1 and the number of root keys ({root_keys})")
    if (_md_dir(repo) / "root.json").exists():
        raise RepoError(f"{repo}: already a repository (metadata/root.json exists)")
    keydir.mkdir(parents=True, exist_ok=True)
    os.chmod(keydir, 0o700)
    roots = []
    for i in range(1, root_keys + 1):
        p = keydir / f"root-{i}.pem"
        roots.append(load_key(p) if p.exists() else generate_key(p))
    online = {}
    for role in ONLINE_ROLES:
        p = keydir / f"{role}.pem"
        online[role] = load_key(p) if p.exists() else generate_key(p)
    root = Metadata(Root(expires=_expiry("root"), consistent_snapshot=True))
    for s in roots:
        root.signed.add_key(s.public_key, "root")
    root.signed.roles["root"].threshold = threshold
    for role, s in online.items():
        root.signed.add_key(s.public_key, role)
    _sign_role(root, roots)
    targets = Metadata(Targets(expires=_expiry("targets")))
    _sign_role(targets, [online["targets"]])
    snapshot = Metadata(Snapshot(expires=_expiry("snapshot")))
    _sign_role(snapshot, [online["snapshot"]])
    timestamp = Metadata(Timestamp(expires=_expiry("timestamp")))
    _sign_role(timestamp, [online["timestamp"]])
    (repo / "targets").mkdir(parents=True, exist_ok=True)
    for md in (root, targets, snapshot):
        _write(repo, md, versioned=True)
    _write(repo, timestamp, versioned=False)
    return {"root_keys": root_keys, "threshold": threshold}


def _publish_snapshot_and_timestamp(repo: Path, keydir: Path, root, targets_version: int | None = None,
                                    timestamp_days: float | None = None) -> None:
    from tuf.api.metadata import MetaFile

    snapshot = _load(repo, "snapshot")
    if targets_version is not None:
        snapshot.signed.meta["targets.json"] = MetaFile(version=targets_version)
    snapshot.signed.version += 1
    snapshot.signed.expires = _expiry("snapshot")
    _sign_role(snapshot, _signers_for(root, "snapshot", keydir))
    _write(repo, snapshot, versioned=True)
    refresh_timestamp(repo, keydir, days=timestamp_days, snapshot_version=snapshot.signed.version)


def latest_target(targets_md) -> tuple[str, object] | None:
    """(version, TargetFile) of the newest catalogue among the signed targets."""
    best = None
    for name, info in targets_md.signed.targets.items():
        m = TARGET_RE.match(name)
        if not m:
            continue
        version = str((info.unrecognized_fields.get("custom") or {}).get("version") or m["version"])
        if best is None or version_key(version) > version_key(best[0]):
            best = (version, info)
    return best


def add_bundle(repo: Path, keydir: Path, bundle: Path, timestamp_days: float | None = None) -> str:
    """Publish `bundle` as a new target: checked first (limits, manifest, every region),
    then targets, snapshot and timestamp re-signed. Returns the version."""
    from tuf.api.metadata import TargetFile

    from kiosk.db.bundle import inspect_bundle

    root = _load(repo, "root")
    targets = _load(repo, "targets")
    signers = _signers_for(root, "targets", keydir)
    try:
        manifest = inspect_bundle(bundle)
    except BundleError as exc:
        raise RepoError(str(exc)) from exc
    version = manifest["version"]
    if not TARGET_RE.match(target_name(version)):
        raise RepoError(f"{bundle}: version {version!r} cannot name a file (letters, digits, . _ - only)")
    newest = latest_target(targets)
    if newest is not None and version_key(version) <= version_key(newest[0]):
        raise RepoError(f"{bundle}: version {version} is not newer than the published {newest[0]}; "
                        "terminals refuse older catalogues")
    name = target_name(version)
    info = TargetFile.from_file(name, str(bundle), ["sha256"])
    info.unrecognized_fields["custom"] = {"version": version, "kind": manifest["kind"]}
    digest = info.hashes["sha256"]
    dest = repo / "targets" / f"{digest}.{name}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    _sign_target(repo, keydir, root, targets, signers, info, dest, lambda tmp: shutil.copyfile(bundle, tmp),
                 timestamp_days)
    return version


def _sign_target(repo: Path, keydir: Path, root, targets, signers, info, dest: Path, write,
                 timestamp_days: float | None) -> None:
    """Store a target's file at `dest` (written by `write(tmp)`, then renamed: never half a
    file), list `info` in targets, and re-sign targets, snapshot and timestamp."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    write(tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dest)
    targets.signed.targets[info.path] = info
    targets.signed.version += 1
    targets.signed.expires = _expiry("targets")
    _sign_role(targets, signers)
    _write(repo, targets, versioned=True)
    _publish_snapshot_and_timestamp(repo, keydir, root, targets.signed.version, timestamp_days)


def add_file(repo: Path, keydir: Path, name: str, data: bytes, custom: dict,
             timestamp_days: float | None = None) -> None:
    """Sign `data` as the target `name` (e.g. halls/shenyang/heping.json, replacing the
    previous one of that name), with the same targets key, then targets, snapshot and
    timestamp re-signed as for a catalogue. The file is stored hash-prefixed
    (targets/halls/shenyang/<sha256>.heping.json), as consistent-snapshot clients fetch it."""
    from tuf.api.metadata import TargetFile

    parts = name.split("/")
    if not name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise RepoError(f"{name!r}: not a target path")
    root = _load(repo, "root")
    targets = _load(repo, "targets")
    signers = _signers_for(root, "targets", keydir)
    info = TargetFile.from_data(name, data, ["sha256"])
    info.unrecognized_fields["custom"] = dict(custom)
    dest = repo / "targets" / "/".join(parts[:-1]) / f"{info.hashes['sha256']}.{parts[-1]}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    for d in [dest.parent, *dest.parent.parents]:
        if d == repo / "targets":
            break
        os.chmod(d, 0o755)
    _sign_target(repo, keydir, root, targets, signers, info, dest, lambda tmp: tmp.write_bytes(data), timestamp_days)


def refresh_timestamp(repo: Path, keydir: Path, days: float | None = None,
                      snapshot_version: int | None = None) -> datetime:
    """A new timestamp (run it daily): without it terminals see the repository as frozen
    once the old one expires. Returns the new expiry."""
    from tuf.api.metadata import MetaFile

    root = _load(repo, "root")
    timestamp = _load(repo, "timestamp")
    if snapshot_version is None:
        snapshot_version = _load(repo, "snapshot").signed.version
    timestamp.signed.snapshot_meta = MetaFile(version=snapshot_version)
    timestamp.signed.version += 1
    timestamp.signed.expires = _expiry("timestamp", days)
    _sign_role(timestamp, _signers_for(root, "timestamp", keydir))
    _write(repo, timestamp, versioned=False)
    return timestamp.signed.expires


def rotate_key(repo: Path, keydir: Path, role: str, replace: str | None = None,
               threshold: int | None = None) -> str:
    """Replace a key (lost, leaving staff, compromised: revocation is a rotation).

    Online roles: `role`.pem is moved aside (`role`.revoked-<time>.pem) and a new one
    made. Root: the key file `replace` (e.g. root-2.pem) is replaced by a new key.
    A new root version is signed by `threshold` of the old root keys and of the new
    ones; the rotated role's metadata is re-signed with its new key. Returns a summary."""
    from tuf.api.metadata import Root

    if role not in ROLES:
        raise RepoError(f"unknown role {role!r}; valid: {', '.join(ROLES)}")
    root = _load(repo, "root")
    old_root_keyids = set(root.signed.roles["root"].keyids)
    old_threshold = root.signed.roles["root"].threshold
    old_signers = [s for s in _keys_in(keydir, "root") if s.public_key.keyid in old_root_keyids]
    if len(old_signers) < old_threshold:
        raise RepoError(f"{keydir}: {len(old_signers)} root key(s) of this repository, "
                        f"{old_threshold} needed to sign a new root")
    stamp = _now().strftime("%Y%m%dT%H%M%SZ")
    if role == "root":
        if not replace:
            raise RepoError("rotating a root key needs --replace root-N.pem (the key to retire)")
        old_path = keydir / Path(replace).name
        if not old_path.exists():
            raise RepoError(f"{old_path}: no such root key")
        old_keyid = load_key(old_path).public_key.keyid
        if old_keyid not in old_root_keyids:
            raise RepoError(f"{old_path}: not a root key of this repository")
    else:
        old_path = keydir / f"{role}.pem"
        old_keyids = list(root.signed.roles[role].keyids)
    retired = old_path.with_name(f"{old_path.stem}.revoked-{stamp}.pem")
    new_path = keydir / f".{old_path.name}.new"
    new_path.unlink(missing_ok=True)
    new = generate_key(new_path)
    signed: Root = root.signed
    if role == "root":
        signed.revoke_key(old_keyid, "root")
    else:
        for keyid in old_keyids:
            signed.revoke_key(keyid, role)
    signed.add_key(new.public_key, role)
    if threshold is not None:
        if not 1 <= threshold <= len(signed.roles["root"].keyids):
            new_path.unlink()
            raise RepoError(f"threshold {threshold} must be between 1 and {len(signed.roles['root'].keyids)}")
        signed.roles["root"].threshold = threshold
    signed.version += 1
    signed.expires = _expiry("root")
    # signed by the old keys (a threshold of them: terminals trust those) and the new set
    new_root_signers = [s for s in old_signers if s.public_key.keyid in signed.roles["root"].keyids]
    if role == "root":
        new_root_signers.append(new)
    if len(new_root_signers) < signed.roles["root"].threshold:
        new_path.unlink()
        raise RepoError(f"only {len(new_root_signers)} of the new root keys are here; "
                        f"{signed.roles['root'].threshold} must sign")
    by_id = {s.public_key.keyid: s for s in old_signers + new_root_signers}
    _sign_role(root, list(by_id.values()))
    # the key files change only now that everything is signed
    if old_path.exists():
        os.replace(old_path, retired)
    os.replace(new_path, old_path)
    _write(repo, root, versioned=True)
    if role == "targets":
        targets = _load(repo, "targets")
        targets.signed.version += 1
        _sign_role(targets, [new])
        _write(repo, targets, versioned=True)
        _publish_snapshot_and_timestamp(repo, keydir, root, targets.signed.version)
    elif role == "snapshot":
        _publish_snapshot_and_timestamp(repo, keydir, root)
    elif role == "timestamp":
        refresh_timestamp(repo, keydir)
    return f"{role} key replaced; root version {signed.version}; the old key was kept as {retired.name}"


def status(repo: Path) -> list[str]:
    """One line per role: version and expiry; then the newest catalogue."""
    lines = []
    for role in ROLES:
        md = _load(repo, role)
        s = md.signed
        extra = f", root threshold {s.roles['root'].threshold} of {len(s.roles['root'].keyids)}" \
            if role == "root" else ""
        state = "EXPIRED" if s.is_expired() else "valid"
        lines.append(f"{role}: version {s.version}, expires {s.expires.isoformat()} ({state}){extra}")
    newest = latest_target(_load(repo, "targets"))
    lines.append(f"newest catalogue: {newest[0] if newest else '(none published)'}")
    return lines


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

