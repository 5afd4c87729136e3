"""Every SMS prompt of every flow, in every language, within 3 segments.

The listing (printed with `pytest -s`) is what a city pays per message.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pbbot.channels.sms.render import render_sms
from pbbot.config.edition_file import load_edition
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.inspect import prompts
from pbbot.i18n.sms import sms_segments

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
MAX_SEGMENTS = 3


def test_every_sms_prompt_fits_in_three_segments() -> None:
    edition = load_edition(EDITION)
    flows = load_engine_flows()
    too_long = []
    listed = 0
    for day in (phase.start for phase in edition.phases):  # texts name the current phase
        for prompt in prompts(StepContext(edition, flows, day), edition.languages):
            size = sms_segments(render_sms(prompt.message))
            listed += 1
            if day == edition.phases[0].start:
                print(
                    f"{prompt.flow}/{prompt.step} [{prompt.message.locale}] "
                    f"{size.segments} x {size.encoding}"
                )
            if size.segments > MAX_SEGMENTS:
                too_long.append(
                    f"{prompt.flow}/{prompt.step} [{prompt.message.locale}, {day}]: "
                    f"{size.segments} segments"
                )
    assert listed > 100
    assert too_long == []
