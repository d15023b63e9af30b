"""`kiosk-fleet`: the city's fleet service.

    kiosk-fleet serve [--db URL] [--host 127.0.0.1] [--port 8443] [--tls-cert F --tls-key F]
                      [--data DIR] [--repo DIR --repo-keys DIR] [--catalogue FILE]
    kiosk-fleet create-user NAME --role operator|editor|reviewer   (password from stdin or prompt)
    kiosk-fleet enrol-code --hall 沈阳市医保服务中心 --region shenyang
    kiosk-fleet migrate

--db defaults to an SQLite file in the data directory (nothing to install); a city
uses postgresql://user@host/db. KIOSK_FLEET_DB / KIOSK_FLEET_DATA set the defaults.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path


def _data_dir(args) -> Path:
    d = Path(args.data or os.environ.get("KIOSK_FLEET_DATA") or Path.home() / ".local/share/yibao-kiosk-fleet")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _db_url(args) -> str:
    return args.db or os.environ.get("KIOSK_FLEET_DB") or str(_data_dir(args) / "fleet.sqlite")


def _session(args):
    from sqlalchemy.orm import Session

    from kiosk.fleet.db import make_engine, upgrade

    engine = make_engine(_db_url(args), pool_size=1)
    upgrade(engine)
    return Session(engine)


def cmd_serve(args) -> int:
    import uvicorn

    from kiosk.fleet.app import Settings, create_app

    if bool(args.tls_cert) != bool(args.tls_key):
        print("kiosk-fleet: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    data = _data_dir(args)
    repo = Path(args.repo) if args.repo else data / "repo"
    keys = Path(args.repo_keys) if args.repo_keys else data / "keys"
    catalogue = Path(args.catalogue) if args.catalogue else None
    if catalogue is None:
        from kiosk.paths import catalogue_db_path
        catalogue = catalogue_db_path()
    app = create_app(Settings(db_url=_db_url(args), data_dir=data, repo=repo, repo_keys=keys, catalogue=catalogue,
                              secure_cookies=bool(args.tls_cert), pool_size=args.pool))
    if not args.tls_cert and args.host not in ("127.0.0.1", "localhost", "::1"):
        print("kiosk-fleet: 警告：未启用 TLS，终端凭据将以明文传输；城市部署请使用 --tls-cert/--tls-key",
              file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key,
                log_level=args.log_level, access_log=False, workers=1)
    return 0


def cmd_create_user(args) -> int:
    from kiosk.fleet.auth import AuthError, create_user

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("密码：")
    with _session(args) as s:
        try:
            create_user(s, args.name, args.role, password)
        except AuthError as exc:
            print(f"kiosk-fleet: {exc}", file=sys.stderr)
            return 2
        s.commit()
    print(f"user {args.name} ({args.role}) saved")
    return 0


def cmd_enrol_code(args) -> int:
    from kiosk.fleet.ingest import new_enrol_code

    with _session(args) as s:
        print(new_enrol_code(s, args.hall, args.region, who=getpass.getuser()))
    return 0


def cmd_migrate(args) -> int:
    _session(args).close()
    print("schema up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="kiosk-fleet", description="医保自助终端 · 城市管理服务")
    p.add_argument("--db", help="postgresql://… or an SQLite file (default: DATA/fleet.sqlite)")
    p.add_argument("--data", help="data directory (default ~/.local/share/yibao-kiosk-fleet)")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the API and console")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8443)
    s.add_argument("--tls-cert")
    s.add_argument("--tls-key")
    s.add_argument("--repo", help="the signed catalogue repository (default DATA/repo)")
    s.add_argument("--repo-keys", help="its online keys (default DATA/keys)")
    s.add_argument("--catalogue", help="the catalogue first published from (default: this machine's)")
    s.add_argument("--pool", type=int, default=10, help="database connections")
    s.add_argument("--log-level", default="warning")
    s.set_defaults(fn=cmd_serve)
    u = sub.add_parser("create-user", help="add a console account (or reset its password)")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=["operator", "editor", "reviewer"])
    u.set_defaults(fn=cmd_create_user)
    e = sub.add_parser("enrol-code", help="a one-time code for enrolling one terminal")
    e.add_argument("--hall", required=True)
    e.add_argument("--region", required=True)
    e.set_defaults(fn=cmd_enrol_code)
    m = sub.add_parser("migrate", help="bring the database schema up to date")
    m.set_defaults(fn=cmd_migrate)
    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for operators, no traceback
        print(f"kiosk-fleet: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
