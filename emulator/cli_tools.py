"""``vod-emulator scenario validate`` and ``vod-emulator state export|import`` (registered by :mod:`emulator.cli`).

State commands work on the database directly (``--data-dir`` / ``--database-url`` or the
``VOD_EMULATOR_*`` variables), or on a running emulator with ``--url`` (through
``/_emulator/state``, with ``--token`` or ``VOD_EMULATOR_ADMIN_TOKEN`` when it has an admin token).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from emulator.config import Settings
from emulator.store.seed import FixtureError, read_scenario


def validate_scenarios(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            scenario = read_scenario(Path(name))
        except FixtureError as exc:
            print(f"invalid: {exc}", file=sys.stderr)
            failed += 1
            continue
        counts = {
            "accounts": len(scenario.accounts),
            "access keys": sum(len(a.access_keys) for a in scenario.accounts),
            "videos": sum(len(a.videos) for a in scenario.accounts),
            "templates": sum(len(a.templates) for a in scenario.accounts),
            "faults": len(scenario.faults),
            "callbacks": len(scenario.callbacks),
        }
        print(f"{name}: ok ({', '.join(f'{n} {what}' for what, n in counts.items())})")
    return 1 if failed else 0


def _control(url: str, method: str, path: str, token: str | None, body: bytes | None = None) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url.rstrip("/") + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        raise SystemExit(f"{method} {path}: HTTP {exc.code}: {detail}") from None
    except urllib.error.URLError as exc:
        raise SystemExit(f"cannot reach {url}: {exc.reason}") from None


def _database(args: argparse.Namespace) -> Any:
    from emulator.store.database import Database

    overrides: dict[str, Any] = {}
    if args.data_dir:
        overrides["data_dir"] = Path(args.data_dir)
    if args.database_url:
        overrides["database_url"] = args.database_url
    database = Database(Settings(**overrides).resolved_database_url)
    database.create_all()
    return database


def export_state_command(args: argparse.Namespace) -> int:
    if args.url:
        document = _control(args.url, "GET", "/_emulator/state", args.token)
    else:
        from emulator.clock import Clock
        from emulator.store.snapshot import export_state

        database = _database(args)
        try:
            document = database.run_sync(lambda session: export_state(session, Clock().now()))
        finally:
            database.close()
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8")
        rows = sum(len(rows) for rows in document["tables"].values())
        print(f"exported {rows} rows of {len(document['tables'])} tables to {args.file}", file=sys.stderr)
    return 0


def import_state_command(args: argparse.Namespace) -> int:
    raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    if args.url:
        inserted = _control(args.url, "PUT", "/_emulator/state", args.token, raw.encode("utf-8"))
    else:
        from emulator.store.snapshot import SnapshotError, import_state

        try:
            document = json.loads(raw)
        except ValueError as exc:
            print(f"{args.file}: not JSON: {exc}", file=sys.stderr)
            return 1
        database = _database(args)
        try:
            inserted = database.run_sync(lambda session: import_state(session, document))
        except SnapshotError as exc:
            print(f"{args.file}: {exc}", file=sys.stderr)
            return 1
        finally:
            database.close()
    print(f"imported {sum(inserted.values())} rows into {len(inserted)} tables from {args.file}", file=sys.stderr)
    return 0


def add_tool_commands(commands: Any) -> None:
    """Add ``scenario`` and ``state`` to the ``vod-emulator`` sub-command parser."""
    scenario = commands.add_parser("scenario", help="scenario documents").add_subparsers(dest="scenario_command")
    validate = scenario.add_parser("validate", help="check scenario files; exit 1 naming file, field and problem")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(func=validate_scenarios)

    state = commands.add_parser("state", help="snapshot / restore the whole store").add_subparsers(dest="state_command")
    for name, func, text in (
        ("export", export_state_command, "write every table as JSON to FILE ('-' = stdout)"),
        ("import", import_state_command, "replace the whole store with FILE ('-' = stdin), atomically"),
    ):
        sub = state.add_parser(name, help=text)
        sub.add_argument("file", metavar="FILE")
        sub.add_argument("--url", help="a running emulator, e.g. http://127.0.0.1:18080 (default: the database)")
        sub.add_argument("--token", default=os.environ.get("VOD_EMULATOR_ADMIN_TOKEN"), help="admin token for --url")
        sub.add_argument("--data-dir", help="directory of the SQLite file (env VOD_EMULATOR_DATA_DIR)")
        sub.add_argument("--database-url", help="SQLAlchemy database URL (env VOD_EMULATOR_DATABASE_URL)")
        sub.set_defaults(func=func)
