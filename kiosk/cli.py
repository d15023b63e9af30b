"""The `kiosk` command. Its subcommands and flags are a contract operators and checks
rely on: extend it, never rename anything.

    kiosk catalogue build|check|install BUNDLE [--repo R]|rollback|bundle OUT --version V
    kiosk catalogue update [URL] [--timeout S] [--status]      (signed: TUF)
    kiosk catalogue repo init|add|refresh-timestamp|rotate-key|status DIR ...
    kiosk services  --region R [--json]
    kiosk questions --region R --service ID [--json]
    kiosk show      --region R --service ID [--answer QID=OID ...] [--json]
    kiosk halls     --region R [--json]
    kiosk policy    --region R [--service ID] [--json]
    kiosk differences --region R [--json]
    kiosk run [--smoke] [--size WxH] [--windowed]
    kiosk print --region R --service ID [--answer QID=OID ...] [--hall ID]
                (--pdf FILE [--paper a4|80mm|58mm] | --printer QUEUE | --escpos tcp://HOST:PORT)
    kiosk config show [--json]
    kiosk config set KEY VALUE          (dotted keys: region, hall, printer.kind ...)
    kiosk stats [--csv] [--region R]

Exit codes: 0 ok; 1 a failed check/build; 2 a bad argument (unknown region, service,
question or option), with a one-line message naming the valid choices.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from kiosk import paths

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad argument: printed as one line, exit status 2."""


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# -- catalogue -----------------------------------------------------------------------
def cmd_catalogue_check(args) -> int:
    from kiosk.catalogue.sources import load_seed

    seed = Path(args.seed) if args.seed else paths.seed_dir()
    cat, problems = load_seed(seed)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_FAILED
    by_region = {r.id: sum(1 for s in cat.services if s.region == r.id) for r in cat.regions}
    summary = ", ".join(f"{k} {v}" for k, v in by_region.items())
    print(f"catalogue ok: {len(cat.services)} services ({summary}), {len(cat.halls)} halls, "
          f"{len(cat.policy_topics)} policy topics, {len(cat.differences)} recorded differences")
    return EXIT_OK


def cmd_catalogue_build(args) -> int:
    from kiosk.db.build import BuildError, build_catalogue

    seed = Path(args.seed) if args.seed else paths.seed_dir()
    db = _db_path(args)
    try:
        cat = build_catalogue(seed, db)
    except BuildError as exc:
        for p in exc.problems:
            print(p)
        print(f"build failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"build failed: {exc.filename or db}: {exc.strerror}; the database was not changed", file=sys.stderr)
        return EXIT_FAILED
    print(f"built {db}: {len(cat.services)} services in {len(cat.regions)} regions")
    return EXIT_OK


def cmd_catalogue_install(args) -> int:
    from kiosk.db.bundle import BundleError
    from kiosk.db.update import install_signed

    db = _db_path(args)
    try:
        manifest = install_signed(args.bundle, db, repo=args.repo)
    except BundleError as exc:
        print(f"install failed: {exc}; the catalogue was not changed", file=sys.stderr)
        return EXIT_FAILED
    print(f"installed catalogue {manifest['version']} ({manifest['kind']}) into {db}; "
          f"the previous one is kept for 'kiosk catalogue rollback'")
    return EXIT_OK


def cmd_catalogue_update(args) -> int:
    from kiosk.db.update import UpdateError, configured_url, staff_warnings, update_catalogue

    db = _db_path(args)
    if args.status:
        from kiosk.db.update import read_status

        st = read_status(db)
        print(f"last check {st.get('checked_at', 'never')}: {st.get('message', '-')}; "
              f"last verified {st.get('verified_at', 'never')}")
        for w in staff_warnings(db):
            print(f"warning: {w}")
        return EXIT_OK
    _log_to_file_only()
    url = args.url or configured_url()
    if not url:
        raise UsageError("no repository: give URL or set one with 'kiosk config set update_url URL'")
    try:
        outcome, version = update_catalogue(url, db, deadline=args.timeout)
    except UpdateError as exc:
        print(f"update failed: {exc}; the catalogue was not changed", file=sys.stderr)
        return EXIT_FAILED
    if outcome == "installed":
        print(f"installed signed catalogue {version} into {db}; the previous one is kept for "
              "'kiosk catalogue rollback'")
    else:
        print(f"catalogue {version} is up to date (signed metadata verified)")
    return EXIT_OK


def _log_to_file_only() -> None:
    """Updates are logged in kiosk.log (staff and audits read them there); stderr gets
    only the command's own one-line result."""
    import logging

    from kiosk.logs import setup_logging

    setup_logging()
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False) and type(h) is logging.StreamHandler:
            root.removeHandler(h)


def cmd_catalogue_repo(args) -> int:
    from kiosk.db import tufrepo

    repo, keys = Path(args.dir), Path(args.keys) if getattr(args, "keys", None) else None
    try:
        if args.repo_action == "init":
            info = tufrepo.init_repo(repo, keys, root_keys=args.root_keys, threshold=args.threshold)
            print(f"created repository {repo}: root threshold {info['threshold']} of {info['root_keys']} keys "
                  f"in {keys}; trusted root for terminals: {repo / 'metadata' / '1.root.json'}")
        elif args.repo_action == "add":
            version = tufrepo.add_bundle(repo, keys, Path(args.bundle))
            print(f"published catalogue {version} in {repo} (targets, snapshot, timestamp signed)")
        elif args.repo_action == "refresh-timestamp":
            expires = tufrepo.refresh_timestamp(repo, keys, days=args.days)
            print(f"timestamp re-signed; expires {expires.isoformat()}")
        elif args.repo_action == "rotate-key":
            print(tufrepo.rotate_key(repo, keys, args.role, replace=args.replace, threshold=args.threshold))
        else:
            for line in tufrepo.status(repo):
                print(line)
    except tufrepo.RepoError as exc:
        print(f"repo {args.repo_action} failed: {exc}; nothing was published", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"repo {args.repo_action} failed: {exc.filename or repo}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_catalogue_rollback(args) -> int:
    from kiosk.db.bundle import BundleError, rollback

    db = _db_path(args)
    try:
        rollback(db)
    except BundleError as exc:
        print(f"rollback failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"rolled back {db} to the previous catalogue")
    return EXIT_OK


def cmd_catalogue_bundle(args) -> int:
    from kiosk.db.bundle import make_bundle

    out = Path(args.out)
    try:
        if args.seed_sources:
            make_bundle(out, args.version, seed_dir=paths.seed_dir())
        else:
            db = _db_path(args)
            if not db.exists():
                print(f"no catalogue at {db}; run 'kiosk catalogue build' first", file=sys.stderr)
                return EXIT_FAILED
            make_bundle(out, args.version, db_path=db)
    except OSError as exc:
        print(f"cannot write {exc.filename or out}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {out}")
    return EXIT_OK


# -- reading -----------------------------------------------------------------------------
def _db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else paths.catalogue_db_path()


def open_catalogue(args):
    """The service layer over the built database; builds it first if there is none."""
    from kiosk.db.build import BuildError, build_catalogue
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    db = _db_path(args)
    if not db.exists():
        print(f"note: no catalogue at {db}; building it from {paths.seed_dir()}", file=sys.stderr)
        try:
            build_catalogue(paths.seed_dir(), db)
        except BuildError as exc:
            raise CatalogueError(f"cannot build the catalogue: {exc}") from exc
    try:
        cat = CatalogueService(db)
    except CatalogueUnavailable as exc:
        raise CatalogueError(str(exc)) from exc
    _apply_staff_edits(cat)
    return cat


def _apply_staff_edits(cat) -> None:
    """Show what the kiosk shows: the catalogue with the staff's edits, when there are any
    (looked up with sqlite3 first, so that commands without edits stay light)."""
    import sqlite3

    path = paths.data_dir() / "state.sqlite"  # kiosk.staff.state.state_db_path(), without importing SQLAlchemy
    if not path.exists():
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            if not con.execute("SELECT 1 FROM catalogue_edits LIMIT 1").fetchone():
                return
    except sqlite3.Error:
        return  # no edits table yet (or unreadable): the catalogue as built
    from kiosk.staff.edits import EditStore
    from kiosk.staff.state import StateError, StateStore

    try:
        cat.set_overlay(EditStore(StateStore(path)))
    except StateError as exc:
        print(f"note: staff edits not applied: {exc}", file=sys.stderr)


class CatalogueError(Exception):
    pass


def _service(cat, args):
    from kiosk.db.service import UnknownRegion, UnknownService

    try:
        return cat.service(args.region, args.service)
    except (UnknownRegion, UnknownService) as exc:
        raise UsageError(str(exc)) from exc


def _region(cat, region):
    from kiosk.db.service import UnknownRegion

    try:
        return cat.region(region)
    except UnknownRegion as exc:
        raise UsageError(str(exc)) from exc


def cmd_services(args) -> int:
    cat = open_catalogue(args)
    _region(cat, args.region)
    services = cat.services(args.region)
    if args.json:
        _print_json([{"id": s.id, "name": s.name, "category": s.category, "audience": s.audience,
                      "topics": s.topics, "ref": s.ref} for s in services])
        return EXIT_OK
    width = max(len(s.id) for s in services)
    for s in services:
        print(f"{s.id:<{width}}  [{s.audience}] {s.name}  —  {s.category}")
    return EXIT_OK


def cmd_questions(args) -> int:
    cat = open_catalogue(args)
    svc = _service(cat, args)
    if args.json:
        _print_json([{"id": q.id, "text": q.text, "options": [asdict(o) for o in q.options]}
                     for q in svc.questions])
        return EXIT_OK
    if not svc.questions:
        print(f"{svc.name}: 无需回答问题（所有材料均适用）")
    for i, q in enumerate(svc.questions, 1):
        print(f"{i}. {q.text}  ({q.id})")
        for o in q.options:
            print(f"   {q.id}={o.id}  {o.label}")
    return EXIT_OK


def parse_answers(values: list[str]) -> dict[str, str]:
    answers = {}
    for v in values or []:
        if "=" not in v:
            raise UsageError(f"bad --answer {v!r}: expected QID=OID")
        q, o = v.split("=", 1)
        answers[q.strip()] = o.strip()
    return answers


def cmd_show(args) -> int:
    from kiosk.catalogue.guide import BadAnswer, build_guide
    from kiosk.catalogue.textview import guide_as_dict, guide_as_text

    cat = open_catalogue(args)
    svc = _service(cat, args)
    try:
        guide = build_guide(svc, parse_answers(args.answer))
    except BadAnswer as exc:
        raise UsageError(str(exc)) from exc
    region = cat.region(args.region)
    halls = cat.halls(args.region)
    policy = cat.policy_topics(args.region, svc.id)
    if args.json:
        _print_json(guide_as_dict(guide, region, halls, policy))
    else:
        sys.stdout.write(guide_as_text(guide, region, halls, policy))
    return EXIT_OK


def cmd_halls(args) -> int:
    cat = open_catalogue(args)
    region = _region(cat, args.region)
    halls = cat.halls(args.region)
    if args.json:
        _print_json([asdict(h) for h in halls])
        return EXIT_OK
    if region.hotline:
        print(f"{region.name} {region.hotline.label or '电话'}：{region.hotline.number}")
    for h in halls:
        print(f"■ {h.name}")
        print(f"  地址：{h.address or '（文件未给出）'}")
        print(f"  电话：{h.phone or '（文件未给出）'}")
        if h.directions:
            print(f"  乘车：{h.directions}")
        if h.note:
            print(f"  说明：{h.note}")
        print(f"  来源：{h.ref}")
    return EXIT_OK


def cmd_policy(args) -> int:
    cat = open_catalogue(args)
    _region(cat, args.region)
    if args.service:
        _service(cat, args)
    topics = cat.policy_topics(args.region, args.service)
    if args.json:
        _print_json([asdict(t) for t in topics])
        return EXIT_OK
    from kiosk.catalogue.textview import policy_as_text

    for t in topics:
        sys.stdout.write(policy_as_text(t))
    return EXIT_OK


def cmd_differences(args) -> int:
    cat = open_catalogue(args)
    _region(cat, args.region)
    diffs = cat.differences(args.region)
    if args.json:
        _print_json([asdict(d) for d in diffs])
        return EXIT_OK
    for d in diffs:
        print(f"■ {d.subject} · {d.field}")
        print(f"  较早：{d.older}  （{d.older_ref or '—'}）")
        print(f"  较新：{d.newer or '—'}  （{d.newer_ref or '—'}）")
        if d.note:
            print(f"  说明：{d.note}")
    return EXIT_OK


def cmd_run(args) -> int:
    from kiosk.ui.app import run_kiosk

    return run_kiosk(smoke=args.smoke, size=args.size, windowed=args.windowed,
                     db=Path(args.db) if args.db else None,
                     screenshot=Path(args.screenshot) if args.screenshot else None)

# -- configuration and usage figures (staff mode's shell side) -------------------------------------
def cmd_config_show(args) -> int:
    from kiosk.config import config_items, config_path, load_config

    cfg, problems = load_config()
    for p in problems:
        print(f"kiosk: warning: {p}", file=sys.stderr)
    if args.json:
        _print_json(cfg.to_dict())
        return EXIT_OK
    print(f"# {config_path()}")
    for key, value in config_items(cfg):
        print(f"{key} = {value}")
    return EXIT_OK


def cmd_config_set(args) -> int:
    from kiosk.config import ConfigValueError, config_path, load_config, save_config, set_config_value
    from kiosk.db.service import UnknownRegion

    cfg, problems = load_config()
    for p in problems:
        print(f"kiosk: warning: {p}", file=sys.stderr)
    try:
        new = set_config_value(cfg, args.key, args.value)
    except ConfigValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.key in ("region", "hall"):
        cat = open_catalogue(args)
        try:
            cat.region(new.region)
        except UnknownRegion as exc:
            raise UsageError(str(exc)) from exc
        halls = [h.id for h in cat.halls(new.region)]
        if args.key == "hall" and new.hall and new.hall not in halls:
            raise UsageError(f"unknown hall {new.hall!r} in region {new.region!r}; valid: {', '.join(halls)}")
        if args.key == "region" and new.hall and new.hall not in halls:
            print(f"note: hall {new.hall!r} is not in {new.region}; hall reset to the region's first",
                  file=sys.stderr)
            new.hall = ""
    try:
        save_config(new)
    except OSError as exc:
        print(f"kiosk: error: cannot write {config_path()}: {exc.strerror or exc}; configuration unchanged",
              file=sys.stderr)
        return EXIT_FAILED
    value = dict(_config_items(new))[args.key]
    print(f"{args.key} = {value}")
    return EXIT_OK


def _config_items(cfg):
    from kiosk.config import config_items

    return config_items(cfg)


def cmd_stats(args) -> int:
    from kiosk.staff.state import StateError, open_state
    from kiosk.staff.stats import figures_csv, read_figures

    try:
        store = open_state()
    except StateError as exc:
        raise CatalogueError(str(exc)) from exc
    names: dict[tuple[str, str], str] = {}
    try:
        cat = open_catalogue(args)
        for r in cat.regions():
            names.update({(r.id, s.id): s.name for s in cat.services(r.id)})
    except CatalogueError:
        pass  # figures without service names
    try:
        if args.csv:
            text = figures_csv(store, names)
            if args.region:
                lines = text.splitlines(keepends=True)
                text = lines[0] + "".join(x for x in lines[1:] if x.split(",")[2] == args.region)
            sys.stdout.write(text)
            return EXIT_OK
        f = read_figures(store, args.region)
    finally:
        store.close()
    t = f.totals
    print(f"sessions {t['session']}, checklists {t['checklist']}, abandoned {t['abandoned']}, "
          f"prints {t['print']}, printer faults {t['printer_fault']}")
    med = f.median_seconds
    print(f"median time to checklist: {'-' if med is None else f'{med:g} s'}")
    ranked = sorted(f.by_service.items(), key=lambda kv: -kv[1].get("session", 0))
    for sid, c in ranked[:20]:
        name = next((n for (r, s), n in names.items() if s == sid), "") if sid else "(no service chosen)"
        print(f"{c.get('session', 0):6}  {sid or '-'}  {name}")
    return EXIT_OK


def cmd_fleet_enrol(args) -> int:
    from kiosk.fleet.client import FleetError, enrol

    try:
        cred = enrol(args.url, args.code, args.name, args.ca)
    except FleetError as exc:
        print(f"kiosk: 登记失败：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已登记：终端 {cred['terminal_id']}，大厅 {cred['hall']}；凭据保存在本机（仅本用户可读）")
    return EXIT_OK


def cmd_fleet_status(args) -> int:
    from kiosk.fleet.client import status

    print("\n".join(status()))
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------
def cmd_print(args) -> int:
    """The citizen's checklist to a PDF file, a CUPS queue or an ESC/POS printer."""
    from dataclasses import replace

    from kiosk.catalogue.guide import BadAnswer, build_guide
    from kiosk.config import load_config
    from kiosk.printing import make_checklist, print_checklist, save_pdf

    if args.escpos and not args.escpos.startswith(("tcp://", "usb://", "serial://")):
        raise UsageError(f"bad --escpos {args.escpos!r}: expected tcp://HOST:PORT, usb://VID:PID "
                         "or serial:///dev/ttyX")
    if args.escpos and args.paper == "a4":
        raise UsageError("--paper a4 is not a receipt roll; an ESC/POS printer takes 80mm or 58mm")
    cat = open_catalogue(args)
    svc = _service(cat, args)
    try:
        guide = build_guide(svc, parse_answers(args.answer))
    except BadAnswer as exc:
        raise UsageError(str(exc)) from exc
    region = cat.region(args.region)
    halls = cat.halls(args.region)
    config, _problems = load_config()
    if args.hall:
        hall = next((h for h in halls if h.id == args.hall), None)
        if hall is None:
            raise UsageError(f"unknown hall {args.hall!r} in region {args.region!r}; valid: "
                             + ", ".join(h.id for h in halls))
    else:
        wanted = config.hall if config.region == args.region else ""
        hall = next((h for h in halls if h.id == wanted), halls[0] if halls else None)
    doc = make_checklist(guide, region, hall)
    if args.pdf:
        result = save_pdf(doc, args.pdf, args.paper or "a4")
    elif args.printer:
        result = print_checklist(doc, replace(config.printer, kind="cups", queue=args.printer,
                                              paper=args.paper or "a4"))
    else:
        result = print_checklist(doc, replace(config.printer, kind="escpos", address=args.escpos,
                                              paper=args.paper or "80mm"))
    if not result.ok:
        print(f"kiosk: print failed: {result.message}", file=sys.stderr)
        print(f"kiosk: {result.fault}: {result.detail}", file=sys.stderr)
        return EXIT_FAILED
    target = args.pdf or args.printer or args.escpos
    print(f"checklist {doc.serial} ({svc.name}) -> {target}" + (f" (job {result.job})" if args.printer else ""))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="医保服务大厅自助一体机")
    p.add_argument("--db", help="catalogue database (default: the data directory's catalogue.sqlite)")
    sub = p.add_subparsers(dest="command", required=True)

    cat = sub.add_parser("catalogue", help="build or check the catalogue")
    cat_sub = cat.add_subparsers(dest="action", required=True)
    b = cat_sub.add_parser("build", help="build the SQLite catalogue from seed/ (atomic)")
    b.add_argument("--seed", help="seed directory (default: the project's seed/)")
    b.set_defaults(func=cmd_catalogue_build)
    c = cat_sub.add_parser("check", help="validate seed/: print every problem as file:line: message")
    c.add_argument("--seed", help="seed directory (default: the project's seed/)")
    c.set_defaults(func=cmd_catalogue_check)

    i = cat_sub.add_parser("install", help="install a signed catalogue bundle (file or http(s) URL), keeping "
                           "the previous")
    i.add_argument("bundle")
    i.add_argument("--repo", help="repository (URL or directory) whose signed metadata the bundle must match "
                   "(default: the one the file sits in, else config update_url)")
    i.set_defaults(func=cmd_catalogue_install)
    up = cat_sub.add_parser("update", help="install the newest signed catalogue from a TUF repository")
    up.add_argument("url", nargs="?", help="repository URL or directory (default: config update_url)")
    up.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole update (default 300)")
    up.add_argument("--status", action="store_true", help="only show the last check and staff warnings")
    up.set_defaults(func=cmd_catalogue_update)
    rp = cat_sub.add_parser("repo", help="create, publish to and maintain a signed (TUF) repository")
    rp_sub = rp.add_subparsers(dest="repo_action", required=True)
    ri = rp_sub.add_parser("init", help="new repository; makes missing keys in KEYDIR")
    ri.add_argument("dir")
    ri.add_argument("--keys", required=True, metavar="KEYDIR")
    ri.add_argument("--root-keys", type=int, default=3, help="number of offline root keys (default 3)")
    ri.add_argument("--threshold", type=int, default=2, help="root signatures required (default 2)")
    ra = rp_sub.add_parser("add", help="publish a bundle (made by 'catalogue bundle') as the newest catalogue")
    ra.add_argument("dir")
    ra.add_argument("bundle")
    ra.add_argument("--keys", required=True, metavar="KEYDIR")
    rt = rp_sub.add_parser("refresh-timestamp", help="re-sign the timestamp (daily: it expires in 7 days)")
    rt.add_argument("dir")
    rt.add_argument("--keys", required=True, metavar="KEYDIR")
    rt.add_argument("--days", type=float, default=None, help="validity in days (default 7)")
    rr = rp_sub.add_parser("rotate-key", help="replace (revoke) a key; signs a new root")
    rr.add_argument("dir")
    rr.add_argument("--keys", required=True, metavar="KEYDIR")
    rr.add_argument("--role", required=True, choices=("root", "targets", "snapshot", "timestamp"))
    rr.add_argument("--replace", metavar="root-N.pem", help="with --role root: the root key to retire")
    rr.add_argument("--threshold", type=int, help="new root threshold (default: unchanged)")
    rs = rp_sub.add_parser("status", help="versions and expiry of each role, the newest catalogue")
    rs.add_argument("dir")
    for sp in (ri, ra, rt, rr, rs):
        sp.set_defaults(func=cmd_catalogue_repo)
    rb = cat_sub.add_parser("rollback", help="return to the previous catalogue")
    rb.set_defaults(func=cmd_catalogue_rollback)
    bu = cat_sub.add_parser("bundle", help="write a catalogue bundle for 'catalogue install'")
    bu.add_argument("out")
    bu.add_argument("--version", required=True)
    bu.add_argument("--seed-sources", action="store_true", help="bundle seed/ instead of the built database")
    bu.set_defaults(func=cmd_catalogue_bundle)

    s = sub.add_parser("services", help="all services of a region")
    s.add_argument("--region", required=True)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_services)

    q = sub.add_parser("questions", help="the situational questions of a service")
    q.add_argument("--region", required=True)
    q.add_argument("--service", required=True)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_questions)

    sh = sub.add_parser("show", help="the full guide of a service for the given answers")
    sh.add_argument("--region", required=True)
    sh.add_argument("--service", required=True)
    sh.add_argument("--answer", action="append", default=[], metavar="QID=OID")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_show)

    h = sub.add_parser("halls", help="halls of a region with address, phone, directions")
    h.add_argument("--region", required=True)
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_halls)

    po = sub.add_parser("policy", help="policy reference (政策速查) of a region")
    po.add_argument("--region", required=True)
    po.add_argument("--service")
    po.add_argument("--json", action="store_true")
    po.set_defaults(func=cmd_policy)

    r = sub.add_parser("run", help="start the kiosk (full-screen)")
    r.add_argument("--smoke", action="store_true", help="show Home, paint it, exit 0")
    r.add_argument("--size", help="window size WxH instead of full-screen, e.g. 1080x1920")
    r.add_argument("--windowed", action="store_true", help="a 1080x1920 window instead of full-screen")
    r.add_argument("--screenshot", help="with --smoke: save Home as a PNG")
    r.set_defaults(func=cmd_run)

    pr = sub.add_parser("print", help="print the checklist for the given answers (PDF, CUPS or ESC/POS)")
    pr.add_argument("--region", required=True)
    pr.add_argument("--service", required=True)
    pr.add_argument("--answer", action="append", default=[], metavar="QID=OID")
    pr.add_argument("--hall", help="hall id for name and address (default: the configured hall, else the first)")
    to = pr.add_mutually_exclusive_group(required=True)
    to.add_argument("--pdf", metavar="FILE", help="write a PDF file")
    to.add_argument("--printer", metavar="QUEUE", help="print through this CUPS queue")
    to.add_argument("--escpos", metavar="URL", help="ESC/POS printer: tcp://HOST:PORT, usb://VID:PID, "
                    "serial:///dev/ttyX")
    pr.add_argument("--paper", choices=("a4", "80mm", "58mm"),
                    help="paper (default: a4 for --pdf and --printer, 80mm for --escpos)")
    pr.set_defaults(func=cmd_print)

    d = sub.add_parser("differences", help="recorded differences between documents, for review")
    d.add_argument("--region", required=True)
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_differences)

    co = sub.add_parser("config", help="show or change the kiosk's configuration (config.json)")
    co_sub = co.add_subparsers(dest="action", required=True)
    cs = co_sub.add_parser("show", help="every setting as KEY = VALUE (dotted keys)")
    cs.add_argument("--json", action="store_true")
    cs.set_defaults(func=cmd_config_show)
    cset = co_sub.add_parser("set", help="set one setting, validated, written atomically")
    cset.add_argument("key", metavar="KEY", help="e.g. region, hall, idle_timeout, printer.kind")
    cset.add_argument("value", metavar="VALUE")
    cset.set_defaults(func=cmd_config_set)

    st = sub.add_parser("stats", help="usage figures (aggregated, no personal data)")
    st.add_argument("--csv", action="store_true", help="one row per day, hour, region and service")
    st.add_argument("--region")
    st.set_defaults(func=cmd_stats)

    fl = sub.add_parser("fleet", help="the city's fleet service: enrol this terminal, reporting status")
    fl_sub = fl.add_subparsers(dest="action", required=True)
    fe = fl_sub.add_parser("enrol", help="trade an operator's one-time code for this terminal's credential")
    fe.add_argument("url", metavar="URL", help="the fleet service, https://…")
    fe.add_argument("code", metavar="CODE")
    fe.add_argument("--name", default="", help="shown in the console (default: the host name)")
    fe.add_argument("--ca", help="the CA certificate to trust for the service (default: the system's)")
    fe.set_defaults(func=cmd_fleet_enrol)
    fs = fl_sub.add_parser("status", help="enrolment, reports waiting, last sent")
    fs.set_defaults(func=cmd_fleet_status)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogueError as exc:
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
