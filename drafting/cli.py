"""The `navette` command line (CONTRACT §1)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drafting.settings import default_database_url


def _database(args) -> str:
    return args.database_url or default_database_url()


def cmd_serve(args) -> int:
    import uvicorn

    from drafting.migrate import upgrade
    from drafting.settings import Settings

    url = _database(args)
    try:
        # Before any worker starts: fails early without NAVETTE_SECRET_KEY on PostgreSQL, and creates
        # the embedded database's key file once, so that every worker signs with the same key.
        Settings.load(url)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    upgrade(url)
    import os

    os.environ["NAVETTE_DATABASE_URL"] = url
    if args.workers > 1 and url.startswith("sqlite"):
        print("note: several workers on SQLite serialise their writes; use PostgreSQL to scale out", file=sys.stderr)
    uvicorn.run("drafting.asgi:app", host=args.host, port=args.port, workers=args.workers,
                log_level="info", access_log=False)
    return 0


def cmd_db_upgrade(args) -> int:
    from drafting.migrate import upgrade

    upgrade(_database(args))
    print("database is up to date")
    return 0


def cmd_db_recount(args) -> int:
    """Check the stored counts (votes, amendments, arguments, useful marks, the synthesis' counts per
    bill and day) against their rows; with --fix, rebuild them all (run it while nothing else writes)."""
    from amendments.services import consultation_recount, tallies

    db = _session(args)
    try:
        with db.session() as session:
            drift = tallies.drift(session) + consultation_recount.drift(session)  # and the synthesis' days
            for kind, target_id, stored, counted in drift[:20]:
                changed = {k: f"{stored[k]} -> {counted[k]}" for k in counted if stored[k] != counted[k]}
                print(f"{kind} {target_id}: {changed}", file=sys.stderr)
            if not drift:
                print("stored counts match their rows")
                return 0
            if not args.fix:
                print(f"{len(drift)} stored counts differ from their rows; run again with --fix to rebuild them",
                      file=sys.stderr)
                return 1
            targets = tallies.rebuild(session)
            print(f"rebuilt the counts of {targets} targets ({len(drift)} differed)")
            return 0
    finally:
        db.dispose()


def cmd_search_reindex(args) -> int:
    """Build the search index again from the rows (after a bulk load, or to repair it)."""
    from drafting.services import search

    db = _session(args)
    try:
        with db.session() as session:
            done = search.reindex(session, progress=search.print_progress("search"))
        print(f"\nindexed {done:,} items for search", file=sys.stderr)
    finally:
        db.dispose()
    return 0


def _session(args):
    from drafting.db import Database
    from drafting.migrate import upgrade

    url = _database(args)
    upgrade(url)
    return Database(url)


def cmd_user_create(args) -> int:
    from drafting.services import accounts
    from drafting.errors import DomainError

    db = _session(args)
    try:
        with db.session() as session:
            user = accounts.create_user(
                session,
                accounts.UserIn(username=args.username, password=args.password, display_name=args.display_name),
                is_admin=args.role == "admin",
                is_moderator=args.role == "moderator",
            )
            print(f"created {user.username}" + (f" ({args.role})" if args.role else ""))
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def cmd_import(args) -> int:
    from drafting.seeding import demo as seed
    from drafting.errors import DomainError

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read {path}: {error}", file=sys.stderr)
        return 1
    db = _session(args)
    try:
        with db.session() as session:
            bill = seed.import_bill_text(session, text, title=args.title or path.stem, slug=args.slug)
            count = seed.article_count(session, bill)
            print(bill.slug)
            print(f"{count} articles imported as draft bill '{bill.slug}'", file=sys.stderr)
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def cmd_demo(args) -> int:
    from drafting.seeding import demo as seed
    from drafting.seeding.sampling import Progress
    from drafting.errors import DomainError

    bar = Progress(True, "demo")  # a progress line on stderr (a line per tenth when it is not a terminal)
    steps: dict[str, object] = {}

    def progress(done: int, total: int, what: str) -> None:
        step = steps.setdefault("load", bar.step("consultation", total))
        step.advance(done - step.done)

    db = _session(args)
    try:
        with db.session() as session:
            needed = seed.needs_loading(session)
        vectors = None
        if needed:  # the arguments' embeddings, before the write transaction (stored, computed if stale)
            vectors = seed.e5_vectors()
        with db.session() as session:
            slug, created = seed.load_demo(session, vectors=vectors, progress=progress)
        if "load" in steps:
            steps["load"].finish()
        print(f"demo bill '{slug}' " + ("loaded" if created else "already present"))
    except DomainError as error:  # e.g. another `navette demo` loading it at the same moment
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def cmd_bench_seed(args) -> int:
    from drafting.seeding import bench as benchseed

    argv = ["--scale", args.scale] + (["--database-url", args.database_url] if args.database_url else [])
    return benchseed.main(argv + (["--quiet"] if args.quiet else []))


def cmd_backup(args) -> int:
    from drafting.records import backup

    try:
        print(backup.backup(_database(args), Path(args.file)))
    except backup.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_restore(args) -> int:
    from drafting.records import backup

    try:
        print(backup.restore(Path(args.file), _database(args)))
    except backup.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _report(action, failure: type[Exception] = RuntimeError) -> int:
    """Print what ``action`` answers; a refused request or a ``failure`` is a message and exit 1."""
    from drafting.errors import DomainError

    try:
        print(action())
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    except failure as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args) -> int:
    from drafting.records import export

    return _report(lambda: export.export(_database(args), Path(args.directory), args.bill))


def cmd_mirror(args) -> int:
    from drafting import mirror

    return _report(lambda: mirror.mirror(_database(args), Path(args.directory), args.bill, progress=not args.quiet))


def cmd_restore_mirror(args) -> int:
    from drafting.records import restore_mirror

    return _report(lambda: restore_mirror.restore_mirror(Path(args.directory), _database(args)),
                   restore_mirror.RestoreError)


def cmd_positions_rebuild(args) -> int:
    """Recompute every argument map (or one bill's), embedding the arguments that have no vector yet;
    staff merges, splits and labels are kept."""
    from amendments.services import position_staff
    from drafting.errors import NotFound
    from drafting.seeding.sampling import Progress

    bar = Progress(not args.quiet, "positions")
    steps = []

    def progress(name: str, total: int):
        if steps:
            steps[-1].finish()
        steps.append(bar.step(name, total))
        return steps[-1].advance

    db = _session(args)
    try:
        totals = position_staff.rebuild_all(db, bill_slug=args.bill, progress=progress)
    except NotFound as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    if steps:
        steps[-1].finish()
    print(f"{totals['targets']} targets, {totals['embedded']} arguments embedded, {totals['positions']} positions")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="navette", description="Navette, the collaborative law-drafting workspace")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(p):
        p.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
                       "(default: $NAVETTE_DATABASE_URL, then var/navette.db)")
        return p

    serve = with_db(commands.add_parser("serve", help="apply migrations, then serve the site and the API"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    with_db(db_commands.add_parser("upgrade", help="apply pending migrations")).set_defaults(func=cmd_db_upgrade)
    recount = with_db(db_commands.add_parser(
        "recount", help="check the stored counts against the rows they count (--fix rebuilds them)"))
    recount.add_argument("--fix", action="store_true", help="rebuild every stored count from the rows")
    recount.set_defaults(func=cmd_db_recount)

    search = commands.add_parser("search", help="the search index")
    search_commands = search.add_subparsers(dest="search_command", required=True)
    with_db(search_commands.add_parser("reindex", help="build the search index again from the rows "
                                       "(prints a progress line)")).set_defaults(func=cmd_search_reindex)

    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = with_db(user_commands.add_parser("create", help="create an account"))
    create.add_argument("username")
    create.add_argument("--password", required=True)
    create.add_argument("--role", choices=["admin", "moderator"])
    create.add_argument("--display-name")
    create.set_defaults(func=cmd_user_create)

    imp = with_db(commands.add_parser("import", help="import a bill text (Markdown or plain) as a draft bill"))
    imp.add_argument("file")
    imp.add_argument("--title")
    imp.add_argument("--slug")
    imp.set_defaults(func=cmd_import)

    with_db(commands.add_parser("demo", help="load the demo bill (idempotent)")).set_defaults(func=cmd_demo)

    bench = with_db(commands.add_parser("bench-seed", help="fill an empty database with a consultation at scale "
                                        "(small, rn = République numérique, gd = Grand Débat) for benchmarks"))
    bench.add_argument("--scale", choices=["small", "rn", "gd", "gd-lite"], default="rn")
    bench.add_argument("--quiet", action="store_true", help="no progress bar")
    bench.set_defaults(func=cmd_bench_seed)

    backup = with_db(commands.add_parser("backup", help="write a consistent copy of the database while it serves "
                                         "(SQLite online backup; PostgreSQL pg_dump, custom format)"))
    backup.add_argument("file")
    backup.set_defaults(func=cmd_backup)
    restore = with_db(commands.add_parser("restore", help="bring a backup back into an empty database"))
    restore.add_argument("file")
    restore.set_defaults(func=cmd_restore)

    public_copies = {}
    for name, func, help_ in (
        ("export", cmd_export, "write the open-data package (datapackage.json, CSV files, navette.json) of the "
                               "public record"),
        ("mirror", cmd_mirror, "write (or bring up to date) a static copy of the public site with SHA256SUMS"),
    ):
        public_copies[name] = with_db(commands.add_parser(name, help=help_))
        public_copies[name].add_argument("directory")
        public_copies[name].add_argument("--bill", help="only this bill (its slug)")
        public_copies[name].set_defaults(func=func)
    public_copies["mirror"].add_argument("--quiet", action="store_true", help="no progress bar")
    back = with_db(commands.add_parser("restore-mirror", help="load a mirror's or an export's navette.json into an "
                                       "empty database"))
    back.add_argument("directory")
    back.set_defaults(func=cmd_restore_mirror)
    positions = commands.add_parser("positions", help="the argument map")
    positions_commands = positions.add_subparsers(dest="positions_command", required=True)
    rebuild = with_db(positions_commands.add_parser(
        "rebuild", help="recompute every argument map (staff corrections are kept)"))
    rebuild.add_argument("--bill", help="only this bill's slug")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.set_defaults(func=cmd_positions_rebuild)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a clear message, not a traceback, for operational failures
        from sqlalchemy.exc import DBAPIError, OperationalError

        if isinstance(error, OperationalError):
            print(f"error: the database does not answer: {error.orig}", file=sys.stderr)
            return 2
        if isinstance(error, DBAPIError):  # e.g. a missing schema or a user without rights
            print(f"error: the database refused: {error.orig}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
