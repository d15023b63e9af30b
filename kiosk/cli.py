"""The `kiosk` command. Its subcommands and flags are a contract operators and checks
rely on: extend it, never rename anything.

    kiosk catalogue build|check|install BUNDLE [--repo R]|rollback|bundle OUT --version V|paths [--out DIR]|snapshot [--out DIR]
    kiosk catalogue update [URL] [--timeout S] [--status]      (signed: TUF; also the hall's configuration)
    kiosk catalogue repo init|add|refresh-timestamp|rotate-key|status DIR ...
    kiosk services  --region R [--json]
    kiosk questions --region R --service ID [--json]
    kiosk show      --region R --service ID [--answer QID=OID ...] [--json]
    kiosk halls     --region R [--json]
    kiosk search    --region R [--json] QUERY   (ranked as on the kiosk's search screen)
    kiosk policy    --region R [--service ID] [--json]
    kiosk differences --region R [--json]
    kiosk run [--smoke] [--size WxH] [--windowed]
    kiosk print --region R --service ID [--answer QID=OID ...] [--hall ID]
                (--pdf FILE [--paper a4|80mm|58mm] | --printer QUEUE | --escpos tcp://HOST:PORT)
    kiosk config show [--json]
    kiosk config set KEY VALUE          (dotted keys: region, hall, printer.kind ...)
    kiosk stats [--csv] [--region R]
    kiosk staff reset-pin [--pin-stdin]   (as root on the terminal)

Exit codes: 0 ok; 1 a failed check/build, a full disk, another build or install
running, or any other fault (one line; the detail goes to the log file); 2 a bad
argument (unknown region, service, question or option), with a one-line message naming
the valid choices; 130 interrupted (Ctrl+C). Never a traceback.
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
    from kiosk.catalogue.paths import check_paths

    cat, problems = load_seed(seed)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_FAILED
    # every combination of answers of every service, walked as the kiosk asks them
    path_problems, counts = check_paths(cat.services)
    for message in path_problems:
        print(message)
    if path_problems:
        print(f"{len(path_problems)} problem(s) found in the answer paths", file=sys.stderr)
        return EXIT_FAILED
    by_region = {r.id: sum(1 for s in cat.services if s.region == r.id) for r in cat.regions}
    summary = ", ".join(f"{k} {v}" for k, v in by_region.items())
    print(f"catalogue ok: {len(cat.services)} services ({summary}), {len(cat.halls)} halls, "
          f"{len(cat.policy_topics)} policy topics, {len(cat.differences)} recorded differences, "
          f"{counts['paths']} answer paths ({counts['questions']} questions) each ending in a checklist")
    return EXIT_OK


def _write_artefacts(args, files_of) -> int:
    """Load the seed and write the reviewed artefact files `files_of(catalogue)` gives
    (relative name -> text) under --out; a seed with problems prints them and writes none."""
    from kiosk.catalogue.sources import load_seed

    seed = Path(args.seed) if args.seed else paths.seed_dir()
    cat, problems = load_seed(seed)
    if problems:
        for p in problems:
            print(p)
        return EXIT_FAILED
    out = Path(args.out)
    files = files_of(cat)
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {out}")
    return EXIT_OK


def cmd_catalogue_paths(args) -> int:
    """Write every answer path's checklist as JSON (the reviewed artefact of tests/artefacts/paths)."""
    from kiosk.catalogue.paths import artefact_files

    return _write_artefacts(args, lambda cat: artefact_files(cat.services))


def cmd_catalogue_snapshot(args) -> int:
    """Write the loaded catalogue as the kiosk reads it (the reviewed artefact of
    tests/artefacts/catalogue)."""
    from kiosk.db.build import snapshot_artefacts

    return _write_artefacts(args, snapshot_artefacts)


def cmd_catalogue_build(args) -> int:
    from kiosk.db.build import BuildError, build_catalogue
    from kiosk.fsutil import Busy

    seed = Path(args.seed) if args.seed else paths.seed_dir()
    db = _db_path(args)
    try:
        cat = build_catalogue(seed, db)
    except Busy as exc:
        print(f"build failed: {exc}; the database was not changed", file=sys.stderr)
        return EXIT_FAILED
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
    import sqlite3

    from kiosk.db.bundle import BundleError
    from kiosk.db.update import install_signed
    from kiosk.fsutil import Busy

    db = _db_path(args)
    try:
        manifest = install_signed(args.bundle, db, repo=args.repo)
    except (BundleError, Busy) as exc:
        print(f"install failed: {exc}; the catalogue was not changed", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, sqlite3.Error) as exc:  # a full disk while staging or swapping
        print(f"install failed: {_os_error(exc, db)}; the catalogue was not changed", file=sys.stderr)
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
        from kiosk.db.update import read_hall_status

        hs = read_hall_status(db)
        if hs:
            print(f"hall configuration: version {hs.get('version', 'none')} applied; last check "
                  f"{hs.get('checked_at', 'never')}: {hs.get('message', '-')}")
        return EXIT_OK
    _log_to_file_only()
    url = args.url or configured_url()
    if not url:
        raise UsageError("no repository: give URL or set one with 'kiosk config set update_url URL'")
    rc = EXIT_OK
    try:
        outcome, version = update_catalogue(url, db, deadline=args.timeout)
    except UpdateError as exc:
        print(f"update failed: {exc}; the catalogue was not changed", file=sys.stderr)
        rc = EXIT_FAILED
    else:
        if outcome == "installed":
            print(f"installed signed catalogue {version} into {db}; the previous one is kept for "
                  "'kiosk catalogue rollback'")
        else:
            print(f"catalogue {version} is up to date (signed metadata verified)")
    # the hall's configuration, published through the same signed repository
    from kiosk.db.update import update_hall_config

    try:
        h_outcome, h_version, keys = update_hall_config(url, db, deadline=args.timeout)
    except UpdateError as exc:
        # one line on stderr: when the catalogue was refused too (the same repository, most
        # often the same cause) that line stands; this refusal is in kiosk.log and the status
        if rc == EXIT_OK:
            print(f"hall configuration refused: {exc}; config.json was not changed", file=sys.stderr)
        return EXIT_FAILED
    if h_outcome == "applied":
        print(f"applied signed hall configuration version {h_version}: "
              + (", ".join(keys) if keys else "no setting changed"))
    elif h_outcome == "current":
        print(f"hall configuration version {h_version} is up to date")
    return rc


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

    repo, keys = Path(args.dir), Path(getattr(args, "keys", None) or ".")  # status needs no keys
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
    from kiosk.fsutil import Busy

    db = _db_path(args)
    try:
        rollback(db)
    except (BundleError, Busy) as exc:
        print(f"rollback failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"rollback failed: {_os_error(exc, db)}; the catalogue in use was not changed", file=sys.stderr)
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


def _os_error(exc: Exception, default: Path) -> str:
    """'FILE: No space left on device' for an OSError, the message for anything else."""
    if isinstance(exc, OSError):
        return f"{exc.filename or default}: {exc.strerror or exc}"
    return f"{default}: {exc}"


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
        store = StateStore(path)
        if store.read_only:
            print(f"note: {path} is at revision {store.newer_revision}, newer than this application: "
                  "staff edits shown read-only", file=sys.stderr)
        cat.set_overlay(EditStore(store))
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


def cmd_search(args) -> int:
    from kiosk.search import SearchIndex

    cat = open_catalogue(args)
    _region(cat, args.region)
    query = " ".join(args.query)
    index = SearchIndex(cat.services(args.region))
    found = index.search(query)
    suggested = not found
    if suggested:  # as on screen: the closest services (您是不是要找)
        found = index.suggest(query)
    if args.json:
        _print_json([{"id": s.id, "name": s.name, "category": s.category, "audience": s.audience,
                      "suggested": suggested} for s in found])
        return EXIT_OK
    if suggested:
        print(f"没有找到与“{query}”完全相符的业务。您是不是要找：")
    width = max((len(s.id) for s in found), default=0)
    for s in found:
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
    from kiosk.catalogue.textview import view_as_dict, view_as_text
    from kiosk.catalogue.view import build_view

    cat = open_catalogue(args)
    svc = _service(cat, args)
    try:
        guide = build_guide(svc, parse_answers(args.answer))
    except BadAnswer as exc:
        raise UsageError(str(exc)) from exc
    halls = cat.halls(args.region)
    # one view, drawn as text or JSON; its trace is the checklist `kiosk print` would print
    # for these answers at this hall
    view = build_view(guide, cat.region(args.region), halls, cat.policy_topics(args.region, svc.id),
                      _print_hall(args, halls))
    if args.json:
        _print_json(view_as_dict(view))
    else:
        sys.stdout.write(view_as_text(view))
        if view.trace:
            sys.stdout.write(f"\n【打印清单】{view.trace.line}（{view.trace.hall}）\n")
    return EXIT_OK


def _print_hall(args, halls):
    """The hall a checklist is printed for: --hall, else the configured one, else the first."""
    from kiosk.config import load_config

    if getattr(args, "hall", None):
        hall = next((h for h in halls if h.id == args.hall), None)
        if hall is None:
            raise UsageError(f"unknown hall {args.hall!r} in region {args.region!r}; valid: "
                             + ", ".join(h.id for h in halls))
        return hall
    config, _problems = load_config()
    wanted = config.hall if config.region == args.region else ""
    return next((h for h in halls if h.id == wanted), halls[0] if halls else None)


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
    region = _region(cat, args.region)
    diffs = cat.differences(args.region)
    # staff edits whose document value a rebuild changed: flagged for review, not applied
    if cat.overlay is not None and hasattr(cat.overlay, "stale_as_differences"):
        diffs = cat.overlay.stale_as_differences(cat, args.region) + diffs
    if args.json:
        _print_json([asdict(d) for d in diffs])
        return EXIT_OK
    docs = [d for d in cat.documents() if d.region == region.id]
    print(f"{region.name}：{len(diffs)} 处文件差异（以较新的文件为准）")
    for doc in docs:
        print(f"  {doc.file}  {doc.date or '未注明日期'}《{doc.title}》")
    if not diffs:
        print("  本地区的文件之间没有记录的差异" + ("（只有一份文件）" if len(docs) == 1 else ""))
    names = {s.id: s.name for s in cat.services(region.id)}
    for d in diffs:
        name = names.get(d.subject, d.subject)
        print(f"■ {name}" + (f"（{d.subject}）" if name != d.subject else "") + f" · {d.field}  〔{d.document}〕")
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
_EMPTY_QUEUE = ("kiosk: warning: printer.kind is cups but printer.queue is empty: every print fails "
                "until 'kiosk config set printer.queue QUEUE'")


def cmd_config_show(args) -> int:
    from kiosk.config import config_items, config_path, load_config, show_value

    cfg, problems = load_config()
    problems += _region_problems(cfg, args)
    for p in problems:
        print(f"kiosk: warning: {p}", file=sys.stderr)
    if cfg.printer.kind == "cups" and not cfg.printer.queue.strip():
        print(_EMPTY_QUEUE, file=sys.stderr)
    if args.json:
        _print_json(cfg.to_dict())
        return EXIT_OK
    print(f"# {config_path()}")
    for key, value in config_items(cfg):
        print(f"{key} = {show_value(value)}")
    return EXIT_OK


def _region_problems(cfg, args) -> list[str]:
    """The configured region and hall checked against the built catalogue (the kiosk shows
    系统维护中 for a region it does not hold); nothing when there is no catalogue yet."""
    from kiosk.config import config_path
    from kiosk.db.service import CatalogueService, CatalogueUnavailable

    try:
        cat = CatalogueService(_db_path(args))
    except CatalogueUnavailable:
        return []
    try:
        ids = [r.id for r in cat.regions()]
        if cfg.region not in ids:
            return [f"{config_path()}: region: {cfg.region!r} is not in the catalogue; valid: {', '.join(ids)} "
                    "(the kiosk shows 系统维护中)"]
        halls = [h.id for h in cat.halls(cfg.region)]
        if cfg.hall and cfg.hall not in halls:
            return [f"{config_path()}: hall: {cfg.hall!r} is not in {cfg.region}; valid: {', '.join(halls)} "
                    "(the kiosk uses the region's first hall)"]
        return []
    except (CatalogueUnavailable, LookupError):
        return []
    finally:
        cat.close()


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
    if new.printer.kind == "cups" and not new.printer.queue.strip():
        if args.key == "printer.queue":
            raise UsageError("printer.queue: an empty queue name is not a printer; name a CUPS queue "
                             "(lpstat -p lists them) or set printer.kind none")
        print(_EMPTY_QUEUE, file=sys.stderr)
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
    from kiosk.config import show_value

    if args.key.startswith("opening_hours"):
        _note_closed_days(new)
    if args.key.startswith("opening_hours."):
        print(f"{args.key} = {show_value(new.opening_hours.get(args.key.split('.', 1)[1], []))}")
        return EXIT_OK
    value = dict(_config_items(new))[args.key]
    print(f"{args.key} = {show_value(value)}")
    return EXIT_OK


def _note_closed_days(cfg) -> None:
    """Once any day has hours, a day without them is closed: say which."""
    from kiosk.hours import DAYS

    missing = [d for d in DAYS if not cfg.opening_hours.get(d)]
    if cfg.opening_hours and missing:
        print(f"note: closed all day: {', '.join(missing)} (set them with 'kiosk config set opening_hours.DAY "
              "HH:MM-HH:MM')", file=sys.stderr)
    elif not cfg.opening_hours:
        print("note: no opening hours: the kiosk is always open", file=sys.stderr)


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
    if store.read_only:
        print(f"note: {store.path} is at revision {store.newer_revision}, newer than this application: "
              "figures read-only", file=sys.stderr)
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


RESET_OVERRIDE = "KIOSK_RESET_PIN_AS_USER"  # tests only: reset-pin without root


def _read_new_pin(args) -> str:
    """The new PIN: one line of stdin with --pin-stdin; else asked twice (on the terminal,
    or two lines of stdin) and both must match."""
    import getpass

    if args.pin_stdin:
        return sys.stdin.readline().strip()
    if sys.stdin.isatty():
        first = getpass.getpass("New staff PIN (6-12 digits): ")
        second = getpass.getpass("Again: ")
    else:
        first, second = sys.stdin.readline().strip(), sys.stdin.readline().strip()
    if first != second:
        raise UsageError("the two PINs differ; nothing changed")
    return first


def _give_to_owner_of(folder: Path, *files: Path) -> None:
    """Run as root: the files go to the owner of their folder (the kiosk user)."""
    import os

    st = folder.stat()
    for f in files:
        if f.exists():
            os.chown(f, st.st_uid, st.st_gid)


def cmd_staff_reset_pin(args) -> int:
    """Set a new staff PIN on a terminal whose PIN record is lost (需要重置), or
    forgotten: only root on the terminal may, never the screen."""
    import logging
    import os

    from kiosk.staff.pin import PinGate, pin_problem
    from kiosk.staff.provision import mark_path, mark_provisioned
    from kiosk.staff.state import SIDE_FILES, StateError, StateStore, state_db_path

    if os.geteuid() != 0 and os.environ.get(RESET_OVERRIDE) != "1":
        print("kiosk: error: 'kiosk staff reset-pin' must be run as root on the terminal "
              "(sudo /opt/yibao-kiosk/bin/kiosk staff reset-pin); nothing changed", file=sys.stderr)
        return EXIT_FAILED
    pin = _read_new_pin(args)
    problem = pin_problem(pin)
    if problem:
        raise UsageError(f"PIN refused: {problem}; nothing changed")
    path = state_db_path()
    try:
        store = StateStore(path)
    except StateError as exc:
        print(f"kiosk: error: {exc}; if the file is damaged, move it aside and run this again", file=sys.stderr)
        return EXIT_FAILED
    try:
        if store.read_only:
            print(f"kiosk: error: {path} is at revision {store.newer_revision}, newer than this application; "
                  "update the application first; nothing changed", file=sys.stderr)
            return EXIT_FAILED
        PinGate(store).set_pin(pin)
    except StateError as exc:
        print(f"kiosk: error: {exc}; nothing changed", file=sys.stderr)
        return EXIT_FAILED
    finally:
        store.close()
    mark = mark_path()
    try:
        mark_provisioned("kiosk staff reset-pin", mark)
        if os.geteuid() == 0:
            _give_to_owner_of(path.parent, path, *(path.with_name(path.name + x) for x in SIDE_FILES))
            _give_to_owner_of(mark.parent, mark)
    except OSError as exc:
        print(f"kiosk: error: PIN saved, but {exc.filename or mark}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    logging.getLogger("kiosk.staff").warning("staff PIN reset with 'kiosk staff reset-pin' (uid %d)", os.geteuid())
    print(f"staff PIN reset in {path}; staff mode opens with the new PIN")
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

    for flag, value in (("--pdf", args.pdf), ("--printer", args.printer), ("--escpos", args.escpos)):
        if value is not None and not value.strip():
            raise UsageError(f"{flag} needs a value, not an empty string"
                             + (" (the name of a CUPS queue: lpstat -p lists them)" if flag == "--printer" else ""))
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
    hall = _print_hall(args, halls)
    doc = make_checklist(guide, region, hall)
    if args.pdf:
        result = save_pdf(doc, args.pdf, args.paper or "a4")
    elif args.printer is not None:
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
    print(f"checklist {doc.serial} ({svc.name}) -> {target}" + (f" (job {result.job})" if args.printer else "")
          + f"; 校验码 {doc.content_hash}")
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
    pa = cat_sub.add_parser("paths", help="write every answer path's checklist as JSON, for review")
    pa.add_argument("--seed", help="seed directory (default: the project's seed/)")
    pa.add_argument("--out", default="tests/artefacts/paths", help="directory (default: tests/artefacts/paths)")
    pa.set_defaults(func=cmd_catalogue_paths)
    sn = cat_sub.add_parser("snapshot", help="write the loaded catalogue as the kiosk reads it, as JSON, "
                            "for review")
    sn.add_argument("--seed", help="seed directory (default: the project's seed/)")
    sn.add_argument("--out", default="tests/artefacts/catalogue",
                    help="directory (default: tests/artefacts/catalogue)")
    sn.set_defaults(func=cmd_catalogue_snapshot)

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

    se = sub.add_parser("search", help="search a region's services as the kiosk's search screen does")
    se.add_argument("--region", required=True)
    se.add_argument("--json", action="store_true", help="a list of {id, name, ...}, best first")
    se.add_argument("query", nargs="+", metavar="QUERY", help="Chinese words or a phrase, or pinyin")
    se.set_defaults(func=cmd_search)

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
    sh.add_argument("--hall", help="hall of the checklist whose hash is shown (default: as `kiosk print`)")
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
    cset.add_argument("key", metavar="KEY", help="e.g. region, hall, idle_timeout, printer.kind, "
                      "opening_hours.mon, closed_dates, night_blank")
    cset.add_argument("value", metavar="VALUE")
    cset.set_defaults(func=cmd_config_set)

    st = sub.add_parser("stats", help="usage figures (aggregated, no personal data)")
    st.add_argument("--csv", action="store_true", help="one row per day, hour, region and service")
    st.add_argument("--region")
    st.set_defaults(func=cmd_stats)

    sf = sub.add_parser("staff", help="staff mode on this terminal")
    sf_sub = sf.add_subparsers(dest="action", required=True)
    rp = sf_sub.add_parser("reset-pin", help="set a new staff PIN (as root on the terminal); clears 需要重置")
    rp.add_argument("--pin-stdin", action="store_true", help="read the new PIN from one line of stdin")
    rp.set_defaults(func=cmd_staff_reset_pin)
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
    except KeyboardInterrupt:
        print("kiosk: interrupted", file=sys.stderr)
        return 130
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - the last guard: one line, never a traceback
        return _unexpected(args, exc)


def _unexpected(args, exc: BaseException) -> int:
    """A fault no command expected (a full disk, a damaged file …): one line for the
    operator, the traceback for the log file."""
    import errno
    import logging

    from kiosk.db.service import CatalogueUnavailable

    if isinstance(exc, CatalogueUnavailable):  # a region's data found damaged while reading it
        print(f"kiosk: error: {exc} (the kiosk repairs it at its next start; or run 'kiosk catalogue build')",
              file=sys.stderr)
        return EXIT_FAILED
    what = " ".join(x for x in (getattr(args, "command", None), getattr(args, "action", None)) if x)
    if isinstance(exc, OSError):
        detail = f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            detail += " (the disk is full: free some space and try again)"
    else:
        first = (str(exc).splitlines() or [""])[0][:200]
        detail = f"{type(exc).__name__}{': ' + first if first else ''}"
    where = None
    try:
        from kiosk.logs import log_file_only, setup_logging

        where = setup_logging()
        log_file_only(logging.getLogger("kiosk.cli"), "kiosk %s failed", what, exc_info=(type(exc), exc, exc.__traceback__),
                      extra={"event": "cli-error"})
    except Exception:  # noqa: BLE001 - the log may be on the full disk too
        where = None
    print(f"kiosk: error: {what} failed: {detail}" + (f" (details in {where})" if where else ""), file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
