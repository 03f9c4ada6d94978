"""The README's tables are promises: they must list what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from emulator.actions.registry import load_actions
from emulator.config import Settings
from emulator.gateway.errors import Errors

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _table_rows(heading: str) -> list[str]:
    section = README.split(heading, 1)[1]
    section = section.split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def test_every_error_code_is_in_the_readme_with_its_status() -> None:
    rows = _table_rows("## Errors")
    for spec in Errors.all():
        code = spec.code.replace("{}", "<Param>")
        matching = [r for r in rows if f"`{code}`" in r]
        assert matching, f"{code} missing from the README's error table"
        assert any(f"| {spec.status} |" in r for r in matching), f"{code}: status {spec.status} not in README"


def test_every_setting_is_in_the_configuration_table() -> None:
    rows = "\n".join(_table_rows("## Configuration"))
    for name in Settings.model_fields:
        assert f"VOD_EMULATOR_{name.upper()}" in rows, f"VOD_EMULATOR_{name.upper()} missing from README"


def test_every_action_is_in_the_actions_table() -> None:
    rows = "\n".join(_table_rows("## Supported actions"))
    for name in load_actions().names():
        assert re.search(rf"`{name}`", rows), f"{name} missing from the README's actions table"
