"""The benchmark's server: ``vod-emulator serve`` itself, with only the app factory swapped.

``emulator.cli.main(["serve", ...])`` builds the settings and calls ``uvicorn.run`` with the emulator's
factory; here that one call is redirected to :func:`bench.app.create_bench_app` with every other uvicorn
option unchanged, so the bench measures the same server settings a user gets.
Run as ``python -m bench.serve [vod-emulator serve flags]``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any
from unittest import mock

import uvicorn

from emulator import cli

EMULATOR_FACTORY = "emulator.app:create_app"
BENCH_FACTORY = "bench.app:create_bench_app"


def main(argv: Sequence[str] | None = None) -> int:
    real_run = uvicorn.run

    def run_bench_app(app: Any, **options: Any) -> None:
        if app != EMULATOR_FACTORY:
            raise RuntimeError(f"vod-emulator serve now runs {app!r}; update bench/serve.py")
        real_run(BENCH_FACTORY, **options)

    with mock.patch.object(uvicorn, "run", run_bench_app):
        return cli.main(["serve", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    raise SystemExit(main())
