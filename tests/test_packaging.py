"""packaging/: the terminal installer, tried for real in a throwaway root.

`install.sh --root DIR` writes every file a terminal gets into DIR and builds the real
virtual environment there; what it would do to the system itself (apt-get, useradd,
chown, systemctl) it prints. This container has no systemd as PID 1, no logind, no
DRM device and no tty1, so the service cannot be started here. What is checked
instead:

- the unit with `systemd-analyze verify`, offline: in a root holding the unit, the
  distribution's own unit files (for its dependencies: getty@.service, dbus.socket,
  systemd-logind.service …) and Debian's /usr/bin/cage; `verify --root` resolves
  ExecStart= there. A broken line makes it speak, which the test proves too;
- the unit's hardening with `systemd-analyze security --offline`;
- the unit's command and environment, run the way the unit runs them, as an
  unprivileged user, under the real cage on wlroots' headless backend (no GPU, so the
  pixman renderer): the installed kiosk comes up through Qt's Wayland plugin, takes the
  whole output and paints Home;
- file layout and modes, the venv (non-editable, finds the seed and resources
  copies), idempotent re-runs, an update that switches releases and keeps the
  previous one, and uninstall with and without --purge leaving nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
INSTALL = PROJECT / "packaging" / "install.sh"
UNINSTALL = PROJECT / "packaging" / "uninstall.sh"

PREFIX = "opt/yibao-kiosk"
UNIT = "etc/systemd/system/yibao-kiosk.service"
JOURNALD = "etc/systemd/journald.conf.d/60-yibao-kiosk.conf"
WRAPPER = f"{PREFIX}/bin/kiosk"
CONFIG_DIR = "etc/yibao-kiosk"
DATA_DIR = "var/lib/yibao-kiosk"
HOME = "home/kiosk"
LOG_DIR = f"{HOME}/.local/state/yibao-kiosk/log"


def _python() -> str:
    """Debian's interpreter, as on a terminal; it is also one an unprivileged user may
    run (the cage test runs the venv as nobody)."""
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else shutil.which("python3")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "QT_"))}
    env["PYTHON"] = _python()
    return env


def run(cmd, timeout=900, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
                          env=kw.pop("env", _env()), **kw)


def install(root: Path, script: Path, *args: str) -> subprocess.CompletedProcess:
    r = run(["bash", script, "--root", root, *args])
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def mode(p: Path) -> int:
    return stat.S_IMODE(p.lstat().st_mode)


def unit_lines(root: Path) -> list[tuple[str, str]]:
    out = []
    for line in (root / UNIT).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.append((key, value))
    return out


def unit_environment(root: Path) -> dict[str, str]:
    return dict(v.split("=", 1) for k, v in unit_lines(root) if k == "Environment")


def unit_value(root: Path, key: str) -> str:
    values = [v for k, v in unit_lines(root) if k == key]
    assert len(values) == 1, (key, values)
    return values[0]


def copy_source(dst: Path) -> Path:
    """The files a release is made of, and packaging/, copied: a frozen tree to install
    from (the working tree may change while the tests run)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("kiosk", "seed", "resources", "packaging"):
        shutil.copytree(PROJECT / name, dst / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT / name, dst / name)
    return dst


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return copy_source(tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="module")
def installed(source):
    """One install into a throwaway root (world-traversable, for the cage test's user)."""
    root = Path(tempfile.mkdtemp(prefix="kiosk-root-"))
    os.chmod(root, 0o755)
    try:
        result = install(root, source / "packaging/install.sh")
        yield root, result
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- the scripts ---------------------------------------------------------------------------------
def test_scripts_parse_and_pass_shellcheck(installed):
    root, _ = installed
    for script in (INSTALL, UNINSTALL):
        r = run(["bash", "-n", script])
        assert r.returncode == 0, r.stderr
        r = run(["bash", script, "--help"])
        assert r.returncode == 0 and "--root DIR" in r.stdout
        r = run(["bash", script, "--bogus"])
        assert r.returncode == 2 and "unknown option" in r.stderr
    r = run(["sh", "-n", root / WRAPPER])
    assert r.returncode == 0, r.stderr
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed (scripts/setup.sh --test installs it)")
    r = run(["shellcheck", INSTALL, UNINSTALL])
    assert r.returncode == 0, r.stdout
    r = run(["shellcheck", "-s", "sh", root / WRAPPER])
    assert r.returncode == 0, r.stdout


def test_root_slash_is_refused():
    r = run(["bash", INSTALL, "--root", "/"])
    assert r.returncode == 2 and "real system" in r.stderr


# -- what install.sh writes -----------------------------------------------------------------------
def test_install_prints_the_system_commands_and_runs_none(installed):
    _, result = installed
    would = [line for line in result.stdout.splitlines() if line.startswith("would run:")]
    text = "\n".join(would)
    apt = next(line for line in would if "apt-get install" in line).split()
    for pkg in ("python3-venv", "libgl1", "libegl1", "libxkbcommon0", "libxcb-cursor0",
                "libwayland-client0", "libwayland-cursor0", "libwayland-egl1",
                "fonts-wqy-microhei", "cups-client", "espeak-ng", "cage", "xwayland", "libpam-systemd",
                "libzinnia0", "tegaki-zinnia-simplified-chinese"):
        assert pkg in apt, pkg
    assert "useradd --system --user-group --create-home --home-dir /home/kiosk --shell /usr/sbin/nologin" in text
    assert "chown -R kiosk:kiosk /home/kiosk /var/lib/yibao-kiosk /etc/yibao-kiosk" in text
    assert "systemctl daemon-reload" in text
    assert "systemctl enable --quiet yibao-kiosk.service" in text
    assert "systemctl restart yibao-kiosk.service" in text
    assert not [line for line in result.stdout.splitlines() if line.startswith("+ ")]


def test_install_layout_and_modes(installed):
    root, _ = installed
    assert mode(root / UNIT) == 0o644
    assert mode(root / JOURNALD) == 0o644
    assert mode(root / WRAPPER) == 0o755
    current = root / PREFIX / "current"
    assert current.is_symlink() and os.readlink(current).startswith("releases/0.1.0-")
    release = current.resolve()
    assert (release / ".complete").exists()
    info = dict(line.split("=", 1) for line in (release / "RELEASE").read_text().splitlines())
    assert info["version"] == "0.1.0" and release.name.endswith(info["digest"])
    assert (release / "share/seed/documents.yaml").is_file()
    assert (release / "share/seed/sources").is_dir()
    assert (release / "share/resources/synonyms.yaml").is_file()
    # the application is root's and read-only to everyone else, the kiosk user included
    for dirpath, dirnames, filenames in os.walk(root / PREFIX):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if not p.is_symlink():
                assert mode(p) & 0o022 == 0, p

    # config (the staff PIN hash lives there too), data and logs: the kiosk user's only
    for d in (CONFIG_DIR, DATA_DIR, HOME, LOG_DIR):
        assert mode(root / d) == 0o700, d
    for d in (CONFIG_DIR, DATA_DIR, HOME):
        for dirpath, dirnames, filenames in os.walk(root / d):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                if not p.is_symlink():
                    assert mode(p) & 0o077 == 0, p
    assert mode(root / CONFIG_DIR / "config.json") == 0o600
    assert mode(root / DATA_DIR / "catalogue.sqlite") == 0o600

    from kiosk.config import config_from_dict

    cfg, problems = config_from_dict(json.loads((root / CONFIG_DIR / "config.json").read_text("utf-8")))
    assert problems == [] and cfg.region == "shenyang"
    with sqlite3.connect(root / DATA_DIR / "catalogue.sqlite") as db:  # built once, at install
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_installed_venv_is_non_editable_and_finds_its_data(installed, source):
    root, _ = installed
    venv = root / PREFIX / "current/venv"
    r = run([venv / "bin/kiosk", "--help"])
    assert r.returncode == 0, r.stderr
    for command in ("catalogue", "services", "show", "run"):
        assert command in r.stdout

    # the unit's environment, inside the root
    env = {k: (str(root) + v if v.startswith("/") else v) for k, v in unit_environment(root).items()}
    env["PATH"] = "/usr/bin:/bin"
    probe = (
        "import json, kiosk, kiosk.paths as p, kiosk.search as s, kiosk.config as c, kiosk.logs as l\n"
        "print(json.dumps({'package': kiosk.__file__, 'seed': str(p.seed_dir()), 'data': str(p.data_dir()),"
        " 'synonyms': str(s.synonyms_path()), 'synonyms_ok': s.synonyms_path().is_file(),"
        " 'config': str(c.config_path()), 'logs': str(l.log_dir())}))"
    )
    r = run([venv / "bin/python", "-c", probe], env=env, cwd="/")
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    release = (root / PREFIX / "current").resolve()
    assert Path(found["package"]).resolve().is_relative_to(release / "venv")  # not the source tree
    assert found["seed"] == f"{root}/{PREFIX}/current/share/seed"
    assert found["synonyms_ok"], found
    assert found["data"] == f"{root}/{DATA_DIR}"
    assert found["config"] == f"{root}/{CONFIG_DIR}/config.json"
    assert found["logs"] == f"{root}/{LOG_DIR}"  # = platformdirs' user log dir of the kiosk user

    # every module of the source tree made it into the venv
    site = Path(found["package"]).parent
    modules = {p.relative_to(source / "kiosk") for p in (source / "kiosk").rglob("*.py")}
    assert modules <= {p.relative_to(site) for p in site.rglob("*.py")}

    r = run([venv / "bin/kiosk", "services", "--region", "shenyang", "--json"], env=env, cwd="/")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) > 10


def test_operator_command_has_the_units_environment(installed):
    root, _ = installed
    exports = dict(line.removeprefix("export ").split("=", 1)
                   for line in (root / WRAPPER).read_text().splitlines() if line.startswith("export "))
    unit_env = unit_environment(root)
    assert exports == {k: v for k, v in unit_env.items() if k.startswith("KIOSK_") or k in ("HOME", "LANG")}
    assert unit_env["KIOSK_DATA_DIR"] == "/var/lib/yibao-kiosk"
    assert unit_env["KIOSK_CONFIG_DIR"] == "/etc/yibao-kiosk"
    assert unit_env["KIOSK_SEED_DIR"] == "/opt/yibao-kiosk/current/share/seed"
    assert unit_env["KIOSK_LOG_DIR"] == "/home/kiosk/.local/state/yibao-kiosk/log"
    writable = unit_value(root, "ReadWritePaths").split()
    for d in ("/home/kiosk", "/var/lib/yibao-kiosk", "/etc/yibao-kiosk"):
        assert d in writable
    assert "runuser -u kiosk" in (root / WRAPPER).read_text()


def test_install_marks_the_terminal_set_up_and_root_sets_the_pin(installed):
    """The installer leaves the set-up mark: a lost PIN record locks staff mode instead of
    offering the first-run screen. The PIN is set by root with `kiosk staff reset-pin`,
    which the operator's command runs as root (every other command as the kiosk user)."""
    root, result = installed
    mark = root / CONFIG_DIR / "provisioned"
    assert mark.is_file() and mode(mark) == 0o600 and "packaging/install.sh" in mark.read_text()
    assert "no staff PIN yet" in result.stdout and "kiosk staff reset-pin" in result.stdout
    assert '[ "$1" != staff ] || [ "$2" != reset-pin ]' in (root / WRAPPER).read_text()
    env = {k: (str(root) + v if v.startswith("/") else v) for k, v in unit_environment(root).items()}
    env.update(PATH="/usr/bin:/bin", KIOSK_RESET_PIN_AS_USER="1")
    kiosk = root / PREFIX / "current/venv/bin/kiosk"
    r = run([kiosk, "staff", "reset-pin", "--pin-stdin"], input="2468\n", env=env, cwd="/")
    assert r.returncode == 2 and "6 到 12 位" in r.stderr and "Traceback" not in r.stderr
    r = run([kiosk, "staff", "reset-pin", "--pin-stdin"], input="246813\n", env=env, cwd="/")
    assert r.returncode == 0, r.stderr
    state = root / DATA_DIR / "state.sqlite"
    assert mode(state) == 0o600
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT value FROM settings WHERE key = 'pin_hash'").fetchone()[0].startswith("scrypt$")


# -- the unit ------------------------------------------------------------------------------------
def test_unit_directives(installed):
    root, _ = installed
    assert unit_value(root, "ExecStart") == "/usr/bin/cage -d -- /opt/yibao-kiosk/current/venv/bin/kiosk run"
    for key, value in {"Restart": "always", "User": "kiosk", "PAMName": "login", "TTYPath": "/dev/tty1",
                       "Conflicts": "getty@tty1.service", "StandardInput": "tty-fail",
                       "NoNewPrivileges": "yes", "ProtectSystem": "strict", "UMask": "0077",
                       "StartLimitIntervalSec": "0", "WantedBy": "multi-user.target"}.items():
        assert unit_value(root, key) == value, key
    after = " ".join(v for k, v in unit_lines(root) if k == "After").split()
    assert "systemd-user-sessions.service" in after and "getty@tty1.service" in after


def _verify_root(root: Path, tmp: Path) -> Path:
    """A root for `systemd-analyze verify --root`: the unit, the distribution's units it
    depends on, and the cage it runs (Debian's, when installed; else a stand-in)."""
    vroot = tmp / "verify-root"
    (vroot / "etc/systemd/system").mkdir(parents=True)
    (vroot / "usr/lib/systemd").mkdir(parents=True)
    (vroot / "usr/bin").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", vroot / "usr/lib/systemd/system", symlinks=True)
    shutil.copy(root / UNIT, vroot / UNIT)
    if Path("/usr/bin/cage").exists():
        shutil.copy("/usr/bin/cage", vroot / "usr/bin/cage")
    else:
        (vroot / "usr/bin/cage").write_text("#!/bin/sh\n")
        (vroot / "usr/bin/cage").chmod(0o755)
    return vroot


def test_unit_passes_systemd_analyze_verify(installed, tmp_path):
    if not shutil.which("systemd-analyze") or not Path("/usr/lib/systemd/system/getty@.service").exists():
        pytest.skip("systemd is not installed (scripts/setup.sh --test installs it)")
    root, _ = installed
    vroot = _verify_root(root, tmp_path)
    r = run(["systemd-analyze", "verify", f"--root={vroot}", "yibao-kiosk.service"])
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr

    # the check has teeth: a wrong value, an unknown key, a missing program
    unit = vroot / UNIT
    good = unit.read_text()
    unit.write_text(good.replace("Restart=always", "Restart=always\nRestart=sometimes\nProtectSytem=strict"))
    r = run(["systemd-analyze", "verify", f"--root={vroot}", "yibao-kiosk.service"])
    assert "Restart" in r.stderr and "ProtectSytem" in r.stderr, r.stderr
    unit.write_text(good.replace("/usr/bin/cage", "/usr/bin/no-such-cage"))
    r = run(["systemd-analyze", "verify", f"--root={vroot}", "yibao-kiosk.service"])
    assert r.returncode != 0 and "no-such-cage" in r.stderr


def test_unit_hardening_exposure(installed, tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd is not installed")
    root, _ = installed
    vroot = _verify_root(root, tmp_path)
    r = run(["systemd-analyze", "security", "--offline=yes", f"--root={vroot}", "--no-pager",
             "yibao-kiosk.service"])
    assert r.returncode == 0, r.stderr
    line = next(line for line in r.stdout.splitlines() if "Overall exposure level" in line)
    exposure = float(line.split(":")[1].split()[0])
    # 10 is an unrestricted root service; a compositor needs the GPU and input devices
    assert exposure <= 4.5, line


def test_debian_cage_is_where_the_unit_runs_it():
    if not shutil.which("dpkg-query"):
        pytest.skip("not Debian")
    r = run(["dpkg-query", "-S", "/usr/bin/cage"])
    if r.returncode != 0:
        pytest.skip("cage is not installed (scripts/setup.sh --test installs it)")
    assert r.stdout.startswith("cage: /usr/bin/cage")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_unit_command_runs_the_kiosk_full_screen_under_cage(installed):
    """ExecStart= with the unit's Environment=, as an unprivileged user, under the real
    cage. What systemd and logind add on a terminal (the tty1 session, XDG_RUNTIME_DIR,
    the DRM and input devices) is stood in for: a private runtime directory and
    wlroots' headless backend. cage exits 0 whatever its application does (cage 0.1.4),
    so success is Home's screenshot."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the kiosk as another user")
    for tool in ("/usr/bin/cage", "/usr/bin/Xwayland", "/usr/bin/setpriv"):
        if not Path(tool).exists():
            pytest.skip(f"{tool} is not installed (scripts/setup.sh --test installs it)")
    root, _ = installed
    # what install.sh's `chown -R kiosk:kiosk` does on a terminal, with nobody as kiosk
    for d in (HOME, DATA_DIR, CONFIG_DIR):
        subprocess.run(["chown", "-R", "nobody:nogroup", str(root / d)], check=True)
    runtime = Path(tempfile.mkdtemp(prefix="kiosk-xdg-"))
    # cage's Xwayland wants /tmp/.X11-unix owned by root or by itself: on a terminal
    # systemd-tmpfiles makes it (root, 1777) and the unit's PrivateTmp gives cage its own
    x11 = Path("/tmp/.X11-unix")
    made_x11 = not x11.exists()
    if made_x11:
        x11.mkdir()
        x11.chmod(0o1777)
    try:
        os.chown(runtime, 65534, 65534)
        env = {k: (str(root) + v if v.startswith("/") else v) for k, v in unit_environment(root).items()}
        env.update(PATH="/usr/bin:/bin", XDG_RUNTIME_DIR=str(runtime),
                   WLR_BACKENDS="headless", WLR_RENDERER="pixman")
        command = unit_value(root, "ExecStart").split()
        assert command[0] == "/usr/bin/cage" and command[-2:] == ["/opt/yibao-kiosk/current/venv/bin/kiosk", "run"]
        command[-2] = str(root) + command[-2]
        shot = root / HOME / "home.png"
        r = run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command,
                 "--smoke", "--screenshot", shot], env=env, cwd=str(root / HOME), timeout=180)
        assert shot.exists(), r.stdout + r.stderr
        # wlroots' headless output is 1280x720 (the size cannot be chosen): the kiosk
        # covers all of it. (Its layouts are made for 1920x1080 and 1080x1920; at 720
        # rows Home may ask for more height than the output has.)
        width, height = _png_size(shot)
        assert width == 1280 and height >= 720, (width, height)
        log = (root / LOG_DIR / "kiosk.log").read_text("utf-8").splitlines()
        assert all(json.loads(line)["level"] for line in log)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
        if made_x11:
            shutil.rmtree(x11, ignore_errors=True)


def test_catalogue_update_on_the_installed_terminal(installed, source, tmp_path):
    """The README's catalogue update, with the installed venv (Debian's Python, as on a
    terminal) and the unit's directories: a signed repository, the installer putting
    its root in /etc, a signed install, an update, rollback; an unsigned bundle refused."""
    root, _ = installed
    kiosk = root / PREFIX / "current/venv/bin/kiosk"
    env = {k: (str(root) + v if v.startswith("/") else v) for k, v in unit_environment(root).items()}
    env["PATH"] = "/usr/bin:/bin"
    assert env["KIOSK_TRUST_ROOT"] == f"{root}/{CONFIG_DIR}/root.json"
    repo, keys = tmp_path / "repo", tmp_path / "keys"
    bundle = tmp_path / "catalogue-v2.tar.gz"
    for cmd in (["catalogue", "bundle", bundle, "--version", "v2"],
                ["catalogue", "repo", "init", repo, "--keys", keys],
                ["catalogue", "repo", "add", repo, bundle, "--keys", keys]):
        r = run([kiosk, *cmd], env=env, cwd="/")
        assert r.returncode == 0, r.stderr
    r = run([kiosk, "catalogue", "install", bundle, "--repo", repo], env=env, cwd="/")
    assert r.returncode == 1 and "no trusted root metadata" in r.stderr  # not installed yet
    r = run(["bash", source / "packaging/install.sh", "--root", root, "--trust-root", bundle])
    assert r.returncode == 1 and "not self-signed TUF root metadata" in r.stderr
    assert not (root / CONFIG_DIR / "root.json").exists()
    r = install(root, source / "packaging/install.sh", "--trust-root", repo / "metadata/1.root.json",
                "--rotate", "90")
    # a screen turned 90 degrees: touch turned by libinput (cage does not), udev reloaded
    rule = (root / "etc/udev/rules.d/99-yibao-kiosk-touch-rotation.rules").read_text()
    assert 'ENV{ID_INPUT_TOUCHSCREEN}=="1", ENV{LIBINPUT_CALIBRATION_MATRIX}="0 -1 1 1 0 0"' in rule
    assert "would run: udevadm control --reload" in r.stdout
    assert (root / CONFIG_DIR / "root.json").read_bytes() == (repo / "metadata/1.root.json").read_bytes()
    assert mode(root / CONFIG_DIR / "root.json") == 0o600
    r = run([kiosk, "catalogue", "install", bundle], env=env, cwd="/")
    assert r.returncode == 1 and "cannot verify its signature" in r.stderr  # a stray file
    (published,) = (repo / "targets").glob("*.catalogue-v2.tar.gz")
    r = run([kiosk, "catalogue", "install", published], env=env, cwd="/")
    assert r.returncode == 0, r.stderr
    assert (root / DATA_DIR / "catalogue.previous.sqlite").exists()
    r = run([kiosk, "catalogue", "rollback"], env=env, cwd="/")
    assert r.returncode == 0, r.stderr
    r = run([kiosk, "catalogue", "update", repo], env=env, cwd="/")
    assert r.returncode == 0 and "installed signed catalogue v2" in r.stdout, r.stderr


@pytest.mark.parametrize("degrees", ["45", "-90", "ninety"])
def test_rotate_takes_only_quarter_turns(source, tmp_path, degrees):
    r = run(["bash", source / "packaging/install.sh", "--root", tmp_path, "--rotate", degrees])
    assert r.returncode == 2 and "use 0, 90, 180 or 270" in r.stderr
    assert not any(tmp_path.iterdir())  # refused before anything was written


# -- re-running, updating, uninstalling ----------------------------------------------------------------
def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for rel in (UNIT, JOURNALD, WRAPPER, f"{CONFIG_DIR}/config.json", f"{DATA_DIR}/catalogue.sqlite"):
        st = (root / rel).stat()
        out[rel] = (st.st_mode, st.st_mtime_ns)
    out["current"] = os.readlink(root / PREFIX / "current")
    out["releases"] = sorted(p.name for p in (root / PREFIX / "releases").iterdir())
    return out


def test_rerun_changes_nothing(installed, source):
    root, _ = installed
    before = _snapshot(root)
    r = install(root, source / "packaging/install.sh")
    assert "is already installed" in r.stdout
    assert "install: wrote" not in r.stdout and "building release" not in r.stdout
    assert "systemctl restart" not in r.stdout and "would run: systemctl start yibao-kiosk.service" in r.stdout
    assert "keeping /var/lib/yibao-kiosk/catalogue.sqlite" in r.stdout
    assert _snapshot(root) == before


def test_a_catalogue_the_release_cannot_read_is_rebuilt(installed, source):
    root, _ = installed
    db = root / DATA_DIR / "catalogue.sqlite"
    with sqlite3.connect(db) as con:  # as if written by an older release
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    r = install(root, source / "packaging/install.sh")
    assert "cannot read /var/lib/yibao-kiosk/catalogue.sqlite" in r.stdout
    stop = r.stdout.index("would run: systemctl stop yibao-kiosk.service")
    assert stop < r.stdout.index("\nbuilt ") < r.stdout.index("would run: systemctl start yibao-kiosk.service")
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] != "1"
    # the previous catalogue is kept by the build, as always
    assert (root / DATA_DIR / "catalogue.previous.sqlite").exists()


def test_update_then_uninstall_then_purge(installed, tmp_path):
    """The life of a terminal, in order: an update from a newer source tree, an
    uninstall that keeps the user's files, a purge that leaves nothing."""
    root, _ = installed
    src = copy_source(tmp_path / "src")
    with open(src / "README.md", "a", encoding="utf-8") as f:
        f.write("\nA newer source tree.\n")
    first = os.readlink(root / PREFIX / "current")
    (root / PREFIX / "releases/0.0.1-old").mkdir()
    config_before = (root / CONFIG_DIR / "config.json").stat().st_mtime_ns
    catalogue_before = (root / DATA_DIR / "catalogue.sqlite").stat().st_mtime_ns

    r = install(root, src / "packaging/install.sh")
    assert "building release" in r.stdout
    second = os.readlink(root / PREFIX / "current")
    assert second != first
    releases = sorted(p.name for p in (root / PREFIX / "releases").iterdir())
    assert releases == sorted([Path(first).name, Path(second).name])  # the previous kept, older gone
    assert "would run: systemctl restart yibao-kiosk.service" in r.stdout
    assert (root / CONFIG_DIR / "config.json").stat().st_mtime_ns == config_before
    assert (root / DATA_DIR / "catalogue.sqlite").stat().st_mtime_ns == catalogue_before
    assert run([root / PREFIX / "current/venv/bin/kiosk", "--help"]).returncode == 0

    (root / f"{UNIT}.d").mkdir()  # an operator's drop-in (systemctl edit) goes too
    (root / f"{UNIT}.d/override.conf").write_text("[Service]\nRestartSec=5\n")
    r = run(["bash", UNINSTALL, "--root", root])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "would run: systemctl disable --now yibao-kiosk.service" in r.stdout
    assert "would run: systemctl daemon-reload" in r.stdout
    for gone in (UNIT, f"{UNIT}.d", JOURNALD, PREFIX):
        assert not (root / gone).exists(), gone
    for kept in (f"{CONFIG_DIR}/config.json", f"{DATA_DIR}/catalogue.sqlite", LOG_DIR):
        assert (root / kept).exists(), kept

    r = run(["bash", UNINSTALL, "--root", root, "--purge"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "would run: userdel --remove kiosk" in r.stdout
    left = [str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir() or p.is_symlink()]
    assert left == []
