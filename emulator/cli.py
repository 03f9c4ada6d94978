"""``vod-emulator``: the command line. ``vod-emulator serve`` is the entry point everything uses."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import uvicorn

from emulator.app import configure_logging
from emulator.cli_tools import add_tool_commands
from emulator.config import Settings

try:
    import httptools  # noqa: F401  (part of uvicorn[standard])

    HTTP_PROTOCOL = "emulator.gateway.http_protocol:EnvelopeHttpToolsProtocol"
except ImportError:  # pragma: no cover
    HTTP_PROTOCOL = "auto"

# flag → (environment variable, help). Flags override VOD_EMULATOR_* variables.
SERVE_FLAGS: dict[str, tuple[str, str]] = {
    "--host": ("VOD_EMULATOR_HOST", "interface to listen on"),
    "--port": ("VOD_EMULATOR_PORT", "TCP port"),
    "--workers": ("VOD_EMULATOR_WORKERS", "uvicorn worker processes"),
    "--data-dir": ("VOD_EMULATOR_DATA_DIR", "directory for the SQLite file and outputs"),
    "--database-url": ("VOD_EMULATOR_DATABASE_URL", "SQLAlchemy database URL"),
    "--fixtures": ("VOD_EMULATOR_FIXTURES", "comma-separated fixture files loaded at start"),
    "--signature-mode": ("VOD_EMULATOR_SIGNATURE_MODE", "strict (default) or off"),
    "--timestamp-window": ("VOD_EMULATOR_TIMESTAMP_WINDOW_SECONDS", "allowed clock skew, seconds"),
    "--max-body-bytes": ("VOD_EMULATOR_MAX_BODY_BYTES", "largest request accepted, bytes"),
    "--log-level": ("VOD_EMULATOR_LOG_LEVEL", "debug, info, warning, error"),
    "--job-mode": ("VOD_EMULATOR_JOB_MODE", "immediate (default), delay or manual"),
    "--public-url": ("VOD_EMULATOR_PUBLIC_URL", "base of FileURLs, e.g. http://vod-emulator:18080"),
}


def serve(args: argparse.Namespace) -> int:
    for flag, (env, _help) in SERVE_FLAGS.items():
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            os.environ[env] = str(value)
    settings = Settings()  # validates the environment before the server starts
    configure_logging(settings.log_level)
    uvicorn.run(
        "emulator.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        access_log=False,  # the gateway writes its own structured access line
        # httptools rejects request targets over 64 KiB before the app runs; this protocol answers
        # them in the service's envelope (InvalidParameter.RequestTooLarge) instead of plain text.
        http=HTTP_PROTOCOL,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vod-emulator", description="Alibaba Cloud VOD emulator")
    commands = parser.add_subparsers(dest="command")
    serve_parser = commands.add_parser("serve", help="run the emulator (the default)")
    for flag, (env, text) in SERVE_FLAGS.items():
        serve_parser.add_argument(flag, help=f"{text} (env {env})")
    serve_parser.set_defaults(func=serve)
    add_tool_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:
        args = parser.parse_args(["serve", *(argv or sys.argv[1:])])
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
