"""Catalogue bundles (kiosk/db/bundle.py) with small hand-made catalogues and bundles
built byte by byte: what a bundle holds, each refusal and its message, install,
version order and rollback. No seed, no network, no signing: fast enough for every
mutant of a mutation run (the signed path is tested in test_resilience.py)."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.catalogue.model import Catalogue, Region, Topic
from kiosk.db import bundle as b
from kiosk.db.build import write_catalogue
from kiosk.db.bundle import (
    BundleError,
    check_regions,
    fetch,
    inspect_bundle,
    install_bundle,
    installed_version,
    make_bundle,
    previous_path,
    rollback,
    version_key,
)
from kiosk.db.service import SCHEMA_VERSION, CatalogueService
from tests.catalogue_support import svc


def small_db(path: Path, services=(("shenyang", "s1"), ("fushun", "s1")), regions=("shenyang", "fushun")) -> Path:
    cat = Catalogue(documents=[], topics=[Topic("t", "参保")], regions=[Region(r, r) for r in regions],
                    services=[svc(r, s) for r, s in services])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_catalogue(cat, path, {"schema_version": str(SCHEMA_VERSION)})
    return path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tar_of(path: Path, members: dict[str, bytes], extra=None) -> Path:
    """A .tar.gz of `members` (name -> bytes), written by hand; `extra(tar)` adds odd ones."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if extra:
            extra(tar)
    return path


def manifest(files: dict[str, bytes], **over) -> bytes:
    m = {"format": 1, "kind": "database", "version": "v1", "files": {n: sha(d) for n, d in files.items()}}
    m.update(over)
    return json.dumps(m).encode()


# -- versions and names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "older, newer",
    [("2026-11-25.9", "2026-11-25.10"), ("v9", "v10"), ("2026-11-25", "2026-11-26"), ("a", "b"), ("1", "a"),
     ("2026-1", "2026-1.1")],
)
def test_version_order(older, newer):
    assert version_key(older) < version_key(newer)
    assert not version_key(newer) < version_key(older)


def test_version_key_parts():
    assert version_key("v10.2") == ((1, 0, "v"), (0, 10, ""), (1, 0, "."), (0, 2, ""))
    assert version_key("") == ()


def test_previous_path():
    assert previous_path(Path("/d/catalogue.sqlite")) == Path("/d/catalogue.previous.sqlite")


# -- making a bundle -----------------------------------------------------------------------


def test_a_database_bundle(tmp_path):
    db = small_db(tmp_path / "c.sqlite")
    out = make_bundle(tmp_path / "new" / "deeper" / "b.tar.gz", "2026-11-25.1", db_path=db)
    assert out == tmp_path / "new" / "deeper" / "b.tar.gz" and sorted(p.name for p in out.parent.iterdir()) == ["b.tar.gz"]
    with tarfile.open(out) as tar:
        assert tar.getnames() == ["bundle.json", "catalogue.sqlite"]
        m = json.loads(tar.extractfile("bundle.json").read())
        assert tar.extractfile("catalogue.sqlite").read() == db.read_bytes()
    assert m["format"] == 1 and m["kind"] == "database" and m["version"] == "2026-11-25.1"
    assert m["files"] == {"catalogue.sqlite": sha(db.read_bytes())}
    assert datetime.fromisoformat(m["created"]).utcoffset().total_seconds() == 0
    assert inspect_bundle(out) == m


def test_a_seed_bundle_takes_the_sources_only(tmp_path):
    seed = tmp_path / "seed"
    (seed / "sub").mkdir(parents=True)
    for name, data in {"a.yaml": b"a: 1", "b.txt": "文".encode(), "c.md": b"# c", "d.png": b"png",
                       "sub/e.yaml": b"e: 2"}.items():
        (seed / name).write_bytes(data)
    out = make_bundle(tmp_path / "s.tar.gz", "v1", seed_dir=seed)
    with tarfile.open(out) as tar:
        assert tar.getnames() == ["bundle.json", "seed/a.yaml", "seed/b.txt", "seed/c.md", "seed/sub/e.yaml"]
        m = json.loads(tar.extractfile("bundle.json").read())
    assert m["kind"] == "seed" and m["files"]["seed/b.txt"] == sha("文".encode()) and len(m["files"]) == 4


def test_exactly_one_of_database_or_seed(tmp_path):
    with pytest.raises(ValueError, match="^give exactly one of db_path or seed_dir$"):
        make_bundle(tmp_path / "x.tar.gz", "v1")
    with pytest.raises(ValueError, match="^give exactly one of db_path or seed_dir$"):
        make_bundle(tmp_path / "x.tar.gz", "v1", db_path=tmp_path, seed_dir=tmp_path)


# -- refusals of a bundle ------------------------------------------------------------------


def refused(tmp_path, bundle: Path) -> str:
    with pytest.raises(BundleError) as e:
        inspect_bundle(bundle)
    return str(e.value)


def test_unsafe_members_are_refused(tmp_path):
    for name in ("../evil", "/etc/evil", "a/../../evil"):
        bad = tar_of(tmp_path / "bad.tar.gz", {"bundle.json": b"{}", name: b"x"})
        assert refused(tmp_path, bad) == f"{bad}: unsafe member {name!r}"

    def link(tar):
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)

    bad = tar_of(tmp_path / "link.tar.gz", {"bundle.json": b"{}"}, link)
    assert refused(tmp_path, bad) == f"{bad}: unsafe member 'link'"


def test_bombs_are_refused_before_they_expand(tmp_path, monkeypatch):
    monkeypatch.setattr(b, "MAX_MEMBERS", 2)
    files = {"bundle.json": b"{}", "a": b"", "c": b""}
    bad = tar_of(tmp_path / "many.tar.gz", files)
    assert refused(tmp_path, bad) == f"{bad}: more than 2 members (refused)"
    ok = tar_of(tmp_path / "two.tar.gz", {"catalogue.sqlite": b"", "bundle.json": manifest({"catalogue.sqlite": b""})})
    assert "members" not in refused(tmp_path, ok)  # two members are allowed
    monkeypatch.setattr(b, "MAX_MEMBERS", 2000)
    monkeypatch.setattr(b, "MAX_EXPANDED_BYTES", 2 << 20)
    big = tar_of(tmp_path / "big.tar.gz", {"bundle.json": b"{}", "zeros": bytes((2 << 20) + 1)})
    assert refused(tmp_path, big) == f"{big}: expands to more than 2 MiB (refused)"
    just = tar_of(tmp_path / "just.tar.gz", {"bundle.json": b"{}", "zeros": bytes((2 << 20) - 2)})
    assert "MiB" not in refused(tmp_path, just)  # exactly the limit is allowed


def test_manifest_refusals(tmp_path):
    db = b"not checked here"
    cases = [
        ({"catalogue.sqlite": db}, "bundle.json missing or not JSON"),
        ({"bundle.json": b"{not json", "catalogue.sqlite": db}, "bundle.json missing or not JSON"),
        ({"bundle.json": b"[]"}, "bundle.json: expected an object with a files map of name to sha256"),
        ({"bundle.json": b'{"files": []}'}, "bundle.json: expected an object with a files map of name to sha256"),
        ({"bundle.json": b'{"files": {"a": 1}}'},
         "bundle.json: expected an object with a files map of name to sha256"),
        ({"bundle.json": manifest({"catalogue.sqlite": db}, format=2), "catalogue.sqlite": db},
         "bundle.json: unsupported format/kind (2/'database')"),
        ({"bundle.json": manifest({"catalogue.sqlite": db}, kind="other"), "catalogue.sqlite": db},
         "bundle.json: unsupported format/kind (1/'other')"),
        ({"bundle.json": manifest({"catalogue.sqlite": db}, version=""), "catalogue.sqlite": db},
         "bundle.json: no version"),
        ({"bundle.json": manifest({})}, "bundle.json lists no files"),
        ({"bundle.json": manifest({"catalogue.sqlite": db})}, "catalogue.sqlite listed in bundle.json but missing"),
        ({"bundle.json": manifest({"catalogue.sqlite": db}), "catalogue.sqlite": b"tampered"},
         "catalogue.sqlite: sha256 mismatch (corrupt or tampered bundle)"),
        ({"bundle.json": manifest({"x.txt": b"x"}), "x.txt": b"x"}, "a database bundle without catalogue.sqlite"),
        ({"bundle.json": manifest({"catalogue.sqlite": db}), "catalogue.sqlite": db}, "not a readable catalogue"),
    ]
    for i, (members, message) in enumerate(cases):
        bundle = tar_of(tmp_path / f"case{i}.tar.gz", members)
        assert message in refused(tmp_path, bundle), (i, message)
        assert refused(tmp_path, bundle).startswith(f"{bundle}: "), i
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar at all")
    assert refused(tmp_path, junk).startswith(f"{junk}: not a readable .tar.gz bundle (")


def test_a_seed_bundle_that_does_not_build_is_refused(tmp_path):
    data = b"region: nowhere\n"
    bundle = tar_of(tmp_path / "seed.tar.gz", {"bundle.json": manifest({"seed/x.yaml": data}, kind="seed"),
                                                "seed/x.yaml": data})
    message = refused(tmp_path, bundle)
    assert message.startswith(f"{bundle}: seed does not build: 2 problem(s) in ")
    assert "documents.yaml:1: cannot read: No such file or directory;" in message


# -- regions a terminal needs ---------------------------------------------------------------


def test_regions_a_terminal_needs(tmp_path):
    staged = small_db(tmp_path / "staged.sqlite", services=(("shenyang", "s1"), ("fushun", "s1")))
    check_regions(staged, None, "src")
    check_regions(staged, tmp_path / "none.sqlite", "src")  # no live catalogue: the configured region
    live = small_db(tmp_path / "live" / "c.sqlite", services=(("kaiyuan", "s1"), ("shenyang", "s1"),
                                                            ("fushun", "s1")),
                    regions=("kaiyuan", "shenyang", "fushun"))
    with pytest.raises(BundleError) as e:
        check_regions(staged, live, "src")
    assert str(e.value) == "src: region(s) kaiyuan missing from the catalogue (refused)"
    other = small_db(tmp_path / "other.sqlite", services=(("fushun", "s1"), ("dalian", "s1")),
                     regions=("fushun", "dalian"))
    check_regions(other, None, "src")
    with pytest.raises(BundleError) as e:
        check_regions(other, tmp_path / "none.sqlite", "src")  # the configured region is shenyang
    assert str(e.value) == "src: region(s) shenyang missing from the catalogue (refused)"
    with pytest.raises(BundleError) as e:
        check_regions(other, live, "src")
    assert str(e.value) == "src: region(s) kaiyuan, shenyang missing from the catalogue (refused)"
    empty = small_db(tmp_path / "empty.sqlite", services=(("shenyang", "s1"),),
                     regions=("shenyang", "fushun", "anshan"))
    with pytest.raises(BundleError) as e:
        check_regions(empty, None, "src")
    assert str(e.value) == "src: region(s) anshan, fushun without any service (refused)"
    none = small_db(tmp_path / "none-at-all.sqlite", services=(), regions=())
    with pytest.raises(BundleError) as e:
        check_regions(none, None, "src")
    assert str(e.value) == "src: the catalogue has no regions (refused)"
    with pytest.raises(BundleError, match=r"^src: .*missing.sqlite: catalogue database not found"):
        check_regions(tmp_path / "missing.sqlite", None, "src")


# -- installing and rolling back -----------------------------------------------------------


@dataclass
class Signed:
    version: str


def bundle_of(tmp_path, version: str, **db) -> Path:
    built = small_db(tmp_path / "src" / f"{version}.sqlite", **db)
    return make_bundle(tmp_path / "bundles" / f"{version}.tar.gz", version, db_path=built)


def regions_of(db: Path) -> list[str]:
    s = CatalogueService(db)
    try:
        return [r.id for r in s.regions()]
    finally:
        s.close()


def test_install_newer_refuse_older_and_roll_back(tmp_path):
    live = tmp_path / "data" / "catalogue.sqlite"
    assert installed_version(live) is None
    v1 = bundle_of(tmp_path, "2026-11-25.9")
    m = install_bundle(str(v1), live, trusted=Signed("2026-11-25.9"))
    assert m["version"] == "2026-11-25.9" and installed_version(live) == "2026-11-25.9"
    assert not previous_path(live).exists()  # nothing was there before
    assert sorted(p.name for p in live.parent.iterdir() if not p.name.startswith(".")) == ["catalogue.sqlite"]
    assert [p.name for p in live.parent.iterdir() if p.name.startswith(".bundle-")] == []

    v2 = bundle_of(tmp_path, "2026-11-25.10", services=(("shenyang", "s1"), ("fushun", "s1"), ("kaiyuan", "s1")),
                   regions=("shenyang", "fushun", "kaiyuan"))
    with pytest.raises(BundleError) as e:
        install_bundle(str(v2), live, trusted=Signed("2026-11-25.11"))
    assert str(e.value) == f"{v2}: bundle.json says version 2026-11-25.10, the signed metadata 2026-11-25.11"
    install_bundle(str(v2), live, trusted=Signed("2026-11-25.10"))
    assert installed_version(live) == "2026-11-25.10" and regions_of(live) == ["shenyang", "fushun", "kaiyuan"]
    assert installed_version(previous_path(live)) == "2026-11-25.9"

    with pytest.raises(BundleError) as e:
        install_bundle(str(v1), live, trusted=Signed("2026-11-25.9"))
    assert str(e.value) == f"{v1}: version 2026-11-25.9 is older than the installed 2026-11-25.10 (refused)"
    same = install_bundle(str(v2), live, trusted=Signed("2026-11-25.10"))  # the same again is allowed
    assert same["version"] == "2026-11-25.10"

    v3 = bundle_of(tmp_path, "2026-11-26.1")  # drops kaiyuan, which this terminal holds
    with pytest.raises(BundleError) as e:
        install_bundle(str(v3), live, trusted=Signed("2026-11-26.1"))
    assert str(e.value) == f"{v3}: region(s) kaiyuan missing from the catalogue (refused)"
    assert installed_version(live) == "2026-11-25.10"

    rollback(live)
    assert installed_version(live) == "2026-11-25.10" and installed_version(previous_path(live)) == "2026-11-25.10"
    assert not (live.parent / ".rollback.tmp").exists()


def test_rollback_swaps_and_can_be_undone(tmp_path):
    live = tmp_path / "data" / "catalogue.sqlite"
    install_bundle(str(bundle_of(tmp_path, "v1")), live, trusted=Signed("v1"))
    install_bundle(str(bundle_of(tmp_path, "v2")), live, trusted=Signed("v2"))
    rollback(live)
    assert installed_version(live) == "v1" and installed_version(previous_path(live)) == "v2"
    assert not (live.parent / ".rollback.tmp").exists()
    rollback(live)
    assert installed_version(live) == "v2" and installed_version(previous_path(live)) == "v1"


def test_rollback_refusals(tmp_path):
    live = tmp_path / "data" / "catalogue.sqlite"
    small_db(live)
    with pytest.raises(BundleError) as e:
        rollback(live)
    assert str(e.value) == f"{previous_path(live)}: no previous catalogue to roll back to"
    previous_path(live).write_bytes(b"damaged")
    with pytest.raises(BundleError, match="^previous catalogue is not usable: .*catalogue.previous.sqlite"):
        rollback(live)
    assert previous_path(live).read_bytes() == b"damaged"


def test_a_damaged_live_catalogue_is_not_kept_as_previous(tmp_path):
    live = tmp_path / "data" / "catalogue.sqlite"
    install_bundle(str(bundle_of(tmp_path, "v1")), live, trusted=Signed("v1"))
    install_bundle(str(bundle_of(tmp_path, "v2")), live, trusted=Signed("v2"))
    live.write_bytes(b"damaged")
    rollback(live)
    assert installed_version(live) == "v1" and previous_path(live).exists()
    assert installed_version(previous_path(live)) == "v1"  # the damaged one was not kept


def test_fetch_a_local_file(tmp_path):
    f = tmp_path / "b.tar.gz"
    f.write_bytes(b"x")
    assert fetch(str(f), tmp_path) == f
    with pytest.raises(BundleError) as e:
        fetch(str(tmp_path / "none.tar.gz"), tmp_path)
    assert str(e.value) == f"{tmp_path / 'none.tar.gz'}: no such file"
    with pytest.raises(BundleError) as e:
        fetch(str(tmp_path), tmp_path)  # a folder is not a bundle
    assert str(e.value) == f"{tmp_path}: no such file"


def test_the_installed_bundle_version_is_written_in_the_live_database(tmp_path):
    live = tmp_path / "data" / "catalogue.sqlite"
    install_bundle(str(bundle_of(tmp_path, "v7")), live, trusted=Signed("v7"))
    con = sqlite3.connect(live)
    assert dict(con.execute("SELECT key, value FROM meta"))["bundle_version"] == "v7"
    con.close()
    assert oct(live.stat().st_mode & 0o777) == oct(0o600)


def test_bundle_json_is_indented_utf8(tmp_path):
    out = make_bundle(tmp_path / "b.tar.gz", "2026年第1版", db_path=small_db(tmp_path / "c.sqlite"))
    with tarfile.open(out) as tar:
        raw = tar.extractfile("bundle.json").read()
    assert raw.startswith(b'{\n  "format": 1,\n  "kind": "database",\n  "version": "2026\xe5\xb9\xb4\xe7\xac\xac1\xe7\x89\x88",')


def test_members_add_up_to_the_expansion_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(b, "MAX_EXPANDED_BYTES", 2 << 20)
    bad = tar_of(tmp_path / "sum.tar.gz", {"bundle.json": b"{}", "a": bytes(1 << 20), "c": bytes(1 << 20)})
    assert refused(tmp_path, bad) == f"{bad}: expands to more than 2 MiB (refused)"


def test_an_uncompressed_tar_is_not_a_bundle(tmp_path):
    plain = tmp_path / "plain.tar.gz"
    with tarfile.open(plain, "w") as tar:
        info = tarfile.TarInfo("bundle.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
    assert refused(tmp_path, plain).startswith(f"{plain}: not a readable .tar.gz bundle (")


def test_a_seed_bundle_of_the_shipped_seed_builds(tmp_path):
    from tests.conftest import SEED

    out = make_bundle(tmp_path / "seed.tar.gz", "v1", seed_dir=SEED)
    assert inspect_bundle(out)["kind"] == "seed"


def test_inspect_names_the_bundle_in_a_region_refusal(tmp_path):
    out = make_bundle(tmp_path / "b.tar.gz", "v1", db_path=small_db(tmp_path / "c.sqlite", services=(("fushun", "s1"),)))
    assert refused(tmp_path, out) == f"{out}: region(s) shenyang without any service (refused)"


def test_install_names_the_source_in_a_staging_refusal(tmp_path):
    bad = tar_of(tmp_path / "bad.tar.gz", {"bundle.json": manifest({"x.txt": b"x"}), "x.txt": b"x"})
    with pytest.raises(BundleError) as e:
        install_bundle(str(bad), tmp_path / "data" / "c.sqlite", trusted=Signed("v1"))
    assert str(e.value) == f"{bad}: a database bundle without catalogue.sqlite"


def test_install_refuses_a_region_whose_halls_do_not_read(tmp_path):
    db = small_db(tmp_path / "src" / "c.sqlite")
    con = sqlite3.connect(db)
    data = json.loads(con.execute("SELECT data FROM snapshots WHERE region = 'fushun'").fetchone()[0])
    data["halls"] = [{"colour": "red"}]
    text = json.dumps(data, ensure_ascii=False)
    sums = json.loads(con.execute("SELECT value FROM meta WHERE key = 'snapshot_sha256'").fetchone()[0])
    sums["fushun"] = sha(text.encode())
    con.execute("UPDATE snapshots SET data = ? WHERE region = 'fushun'", (text,))
    con.execute("UPDATE meta SET value = ? WHERE key = 'snapshot_sha256'", (json.dumps(sums),))
    con.commit()
    con.close()
    out = make_bundle(tmp_path / "b.tar.gz", "v1", db_path=db)
    with pytest.raises(BundleError) as e:
        install_bundle(str(out), tmp_path / "data" / "c.sqlite", trusted=Signed("v1"))
    assert str(e.value).startswith(f"{out}: ") and "catalogue data for 'fushun' is damaged" in str(e.value)
    assert not (tmp_path / "data" / "c.sqlite").exists()


def test_install_works_beside_the_live_database(tmp_path, monkeypatch):
    seen = []
    real = b._install

    def spy(source, db_path, trusted, tmpdir):
        seen.append(Path(tmpdir))
        return real(source, db_path, trusted, tmpdir)

    monkeypatch.setattr(b, "_install", spy)
    live = tmp_path / "data" / "catalogue.sqlite"
    install_bundle(str(bundle_of(tmp_path, "v1")), live, trusted=Signed("v1"))
    assert seen[0].parent == live.parent and seen[0].name.startswith(".bundle-")
    assert not seen[0].exists()  # removed after


def test_an_unsigned_install_goes_through_the_signed_metadata(tmp_path, monkeypatch):
    import kiosk.db.update

    calls = []
    monkeypatch.setattr(kiosk.db.update, "install_signed", lambda source, db: calls.append((source, db)) or {"v": 1})
    assert install_bundle("b.tar.gz", tmp_path / "c.sqlite") == {"v": 1}
    assert calls == [("b.tar.gz", tmp_path / "c.sqlite")]


@pytest.fixture
def server(tmp_path):
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_and_install_over_http(tmp_path, server):
    root, url = server
    (root / "b.tar.gz").write_bytes(bundle_of(tmp_path, "v1").read_bytes())
    dest = tmp_path / "dl"
    dest.mkdir()
    got = fetch(f"{url}/b.tar.gz", dest)
    assert got == dest / "bundle.tar.gz" and got.read_bytes() == (root / "b.tar.gz").read_bytes()
    with pytest.raises(BundleError, match=r"^download refused or failed: .*404"):
        fetch(f"{url}/none.tar.gz", dest)
    with pytest.raises(BundleError) as e:
        fetch(f"{url}/b.tar.gz", tmp_path / "no-such-folder")
    assert str(e.value).startswith(f"{url}/b.tar.gz: download failed (")
    with pytest.raises(BundleError, match="^download refused or failed: "):
        fetch("https://127.0.0.1:1/b.tar.gz", dest)  # nothing listens there: refused, not "no such file"
    live = tmp_path / "data" / "catalogue.sqlite"
    assert install_bundle(f"{url}/b.tar.gz", live, trusted=Signed("v1"))["version"] == "v1"
    assert installed_version(live) == "v1"


def test_a_download_over_the_size_limit_is_refused(tmp_path, server, monkeypatch):
    root, url = server
    (root / "big.tar.gz").write_bytes(bytes(4096))
    monkeypatch.setattr(b, "MAX_BUNDLE_BYTES", 1000)
    with pytest.raises(BundleError, match="^download refused or failed: "):
        fetch(f"{url}/big.tar.gz", tmp_path)
    monkeypatch.setattr(b, "MAX_BUNDLE_BYTES", 4096)
    assert fetch(f"{url}/big.tar.gz", tmp_path).read_bytes() == bytes(4096)
