"""The sample edition file with other phases and reminders, written where a test
wants it: timelines that cross a daylight-saving change, reminders to check."""

from __future__ import annotations

import re
from pathlib import Path

from pbbot.config.edition_file import load_edition
from pbbot.domain.edition import Edition

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
_PHASES = re.compile(r"^phases:\n(?:  - .*\n)+", re.MULTILINE)
_REMINDERS = "# Automatic broadcasts"


def edition_text(
    phases: str | None = None, *, reminders: str | None = None, edition_id: str | None = None
) -> str:
    """The sample's text; `phases` and `reminders`: YAML list items (`  - {...}`
    lines) replacing its own (other phases drop the sample's reminders, which
    name its voting phase); `edition_id` another id (a later round)."""
    text = SAMPLE.read_text(encoding="utf-8")
    if phases is not None:
        text = _PHASES.sub(lambda _: "phases:\n" + phases.strip("\n") + "\n", text, count=1)
        reminders = "" if reminders is None else reminders
    if reminders is not None:
        text = text[: text.index(_REMINDERS)]
        if reminders:
            text += "reminders:\n" + reminders.strip("\n") + "\n"
    if edition_id is not None:
        text = text.replace("id: mechelen-2027", f"id: {edition_id}", 1)
    return text


def write_edition(folder: Path, text: str, name: str = "edition.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def edition_with(folder: Path, phases: str | None = None, **changes: str | None) -> Edition:
    return load_edition(write_edition(folder, edition_text(phases, **changes)))
