"""Test set-up: headless Qt, a private data directory, one catalogue built per run."""

import os

# Qt must see this before it starts.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seed"


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir(tmp_path_factory):
    """No test touches the real data directory."""
    data = tmp_path_factory.mktemp("kiosk-data")
    old = os.environ.get("KIOSK_DATA_DIR")
    os.environ["KIOSK_DATA_DIR"] = str(data)
    yield data
    if old is None:
        os.environ.pop("KIOSK_DATA_DIR", None)
    else:
        os.environ["KIOSK_DATA_DIR"] = old


@pytest.fixture(scope="session")
def catalogue_db(_private_data_dir):
    """The shipped catalogue, built once into the private data directory."""
    from kiosk.db.build import build_catalogue

    db = _private_data_dir / "catalogue.sqlite"
    prebuilt = os.environ.get("KIOSK_TEST_CATALOGUE")
    if prebuilt:  # scripts/mutation.sh: built once from the unmutated seed, not per mutant
        shutil.copyfile(prebuilt, db)
    else:
        build_catalogue(SEED, db)
    return db


@pytest.fixture(scope="session")
def catalogue(catalogue_db):
    from kiosk.db.service import CatalogueService

    svc = CatalogueService(catalogue_db)
    yield svc
    svc.close()


@pytest.fixture
def seed_copy(tmp_path):
    """A writable copy of seed/ for tests that break it."""
    dst = tmp_path / "seed"
    shutil.copytree(SEED, dst)
    return dst


@pytest.fixture
def make_window(qtbot, catalogue):
    """Open kiosk windows on the shipped catalogue: make(region, size, clock, **config).

    Taps settle after TEST_SETTLE_MS unless a test sets tap_settle_ms itself; every
    window is closed when the test ends.
    """
    from PySide6.QtWidgets import QApplication

    from kiosk.config import KioskConfig
    from kiosk.ui.app import create_window
    from tests.ui_helpers import TEST_SETTLE_MS

    made = []

    def make(region="shenyang", size=(1080, 1920), clock=None, **cfg):
        cfg.setdefault("tap_settle_ms", TEST_SETTLE_MS)
        w = create_window(catalogue, KioskConfig(region=region, **cfg), clock=clock)
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        QApplication.processEvents()
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


@pytest.fixture
def kiosk_stdout(catalogue_db):
    """Run `python -m kiosk ARGS` on the shipped catalogue; it must succeed; its stdout."""
    import subprocess
    import sys

    env = dict(os.environ, KIOSK_DATA_DIR=str(catalogue_db.parent))

    def run(*args):
        r = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        return r.stdout

    return run
