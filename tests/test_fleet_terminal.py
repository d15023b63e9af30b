"""What operators asked for on terminals (issue 17): the catalogue's age, for staff."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

from kiosk.config import config_from_dict
from kiosk.db.update import catalogue_age_warnings


def _built(db, days_ago: float) -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    con = sqlite3.connect(db)
    con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('built_at', ?)", (when,))
    con.commit()
    con.close()


def test_staff_are_warned_past_the_configured_age(tmp_path, catalogue_db):
    db = tmp_path / "catalogue.sqlite"
    shutil.copy2(catalogue_db, db)
    _built(db, 10)
    assert catalogue_age_warnings(db, 90) == []
    _built(db, 120)
    (w,) = catalogue_age_warnings(db, 90)
    assert "已 120 天未更新" in w and "超过 90 天" in w
    assert catalogue_age_warnings(db, 150) == []  # the limit is the configured one


def test_the_limit_is_validated():
    cfg, problems = config_from_dict({"catalogue_age_warning_days": 30})
    assert cfg.catalogue_age_warning_days == 30 and not problems
    cfg, problems = config_from_dict({"catalogue_age_warning_days": 0})
    assert cfg.catalogue_age_warning_days == 90 and "1..3650" in problems[0]
