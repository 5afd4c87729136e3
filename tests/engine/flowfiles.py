"""A step context over the shipped flows plus one flow a test writes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from pbbot.config.edition_file import load_edition
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import flows_dir, load_engine_flows

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
IDEATION_DAY = date(2027, 2, 20)


def context_with(tmp_path: Path, name: str, flow_yaml: str) -> StepContext:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / f"{name}.yaml").write_text(flow_yaml)
    return StepContext(load_edition(EDITION), load_engine_flows(folder), IDEATION_DAY)
