"""Where things live: the seed sources, the source documents, the built database.

Every location can be overridden by an environment variable, which is how tests and
operators point the kiosk elsewhere:

- KIOSK_SEED_DIR     catalogue sources (default: <project>/seed)
- KIOSK_DATA_DIR     built database and other state (default: platformdirs user data dir)
- KIOSK_RESOURCES_DIR  shipped data files such as synonyms.yaml (default: <project>/resources)

An installed kiosk (packaging/install.sh) is a non-editable install: <project> is then
the venv's site-packages, so the installer sets KIOSK_SEED_DIR and KIOSK_RESOURCES_DIR
to its own copies of seed/ and resources/.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "yibao-kiosk"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def seed_dir() -> Path:
    return Path(os.environ.get("KIOSK_SEED_DIR") or PROJECT_ROOT / "seed")


def resources_dir() -> Path:
    return Path(os.environ.get("KIOSK_RESOURCES_DIR") or PROJECT_ROOT / "resources")


def user_dir(variable: str, kind: str) -> Path:
    """The directory named by the environment `variable` (a terminal's service sets all
    of them), else the platform's user directory of that `kind` (data, config, log)."""
    value = os.environ.get(variable)
    if value:
        return Path(value)
    import platformdirs  # only when needed: it imports tempfile, shutil, random … (~8 ms of start-up)

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP_NAME))


def data_dir() -> Path:
    return user_dir("KIOSK_DATA_DIR", "data")


def catalogue_db_path() -> Path:
    return data_dir() / "catalogue.sqlite"
