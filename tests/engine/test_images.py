"""`image: NAME` on message and choice steps: refused at load when no image
source has that name (with file and line), sent with the text on Telegram
only, and on a choice only when the resident comes to it, not on a re-prompt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pbbot.domain.messages import Inbound, Outbound
from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import MessageCreated
from pbbot.engine.flowset import engine_vocabulary, flows_dir
from pbbot.engine.images import IMAGE_SOURCES
from pbbot.engine.run import Run
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.errors import FlowError
from pbbot.flows.loader import load_flow_file, load_flows
from pbbot.flows.model import ChoiceStep, MessageStep
from tests.engine.flowfiles import context_with

PNG = b"\x89PNG\r\n\x1a\nchart"

PICTURES = """\
spec_version: 1
flow: pictures
start: chart
steps:
  chart:
    type: message
    text: "Here is the chart."
    image: test_chart
    go: pick
  pick:
    type: choice
    text: "And this one?"
    image: test_chart
    options:
      - {id: "yes", label: "Yes", go: "@main_menu"}
"""


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A registered image source that records the language it drew for."""
    calls: list[str] = []

    def chart(ctx: StepContext, turn: Turn) -> bytes | None:
        calls.append(turn.locale)
        return PNG

    monkeypatch.setitem(IMAGE_SOURCES, "test_chart", chart)
    return calls


def _flows(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / "pictures.yaml").write_text(text)
    return folder


@pytest.mark.usefixtures("drawn")
def test_a_step_names_its_image_source(tmp_path: Path) -> None:
    flows = load_flows(_flows(tmp_path, PICTURES), engine_vocabulary())

    chart, pick = flows.step("pictures", "chart"), flows.step("pictures", "pick")
    assert isinstance(chart, MessageStep) and chart.image == "test_chart"
    assert isinstance(pick, ChoiceStep) and pick.image == "test_chart"


def test_an_unknown_image_source_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = _flows(
        tmp_path, PICTURES.replace("image: test_chart\n    go", "image: tset_chart\n    go")
    )

    with pytest.raises(FlowError) as raised:
        load_flows(folder, engine_vocabulary())

    assert (raised.value.source, raised.value.line, raised.value.message) == (
        str(folder / "pictures.yaml"),
        8,
        "step 'chart': unknown image 'tset_chart'",
    )


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ('""', "step 'chart': 'image' names no image source"),
        ("[results_chart]", "step 'chart': field 'image' has the wrong type"),
    ],
)
def test_an_image_that_names_no_source_is_refused(tmp_path: Path, image: str, message: str) -> None:
    path = tmp_path / "pictures.yaml"
    path.write_text(PICTURES.replace("image: test_chart\n    go", f"image: {image}\n    go"))

    with pytest.raises(FlowError) as raised:
        load_flow_file(path)

    assert (raised.value.line, raised.value.message) == (8, message)


def test_other_step_types_take_no_image(tmp_path: Path) -> None:
    path = tmp_path / "pictures.yaml"
    path.write_text(PICTURES.replace("    type: message\n", "    type: language\n"))

    with pytest.raises(FlowError, match="unknown field 'image' for a language step"):
        load_flow_file(path)


def _context(tmp_path: Path) -> StepContext:
    return context_with(tmp_path, "pictures", PICTURES)


def _enter(tmp_path: Path, channel: str, locale: str) -> list[Outbound]:
    """What a resident at the main menu is sent on coming to the flow."""
    from pbbot.engine.navigation import go  # after `engine.step`, which loads the steps

    run = Run(ConversationState(locale=locale, answers={"consent": "2027-02-01"}),
              Inbound(channel, "412", text=""), _context(tmp_path))  # fmt: skip
    go(run, "@pictures")
    return [event.message for event in run.events if isinstance(event, MessageCreated)]


def test_telegram_gets_the_picture_with_the_text(tmp_path: Path, drawn: list[str]) -> None:
    messages = _enter(tmp_path, "telegram", "fr")

    assert [m.text for m in messages] == ["Here is the chart.", "And this one?"]
    assert [m.image for m in messages] == [PNG, PNG]
    assert drawn == ["fr", "fr"]  # in the resident's language
    assert [c.payload for c in messages[1].choices] == ["pictures.pick.yes"]


def test_sms_never_asks_for_the_picture(tmp_path: Path, drawn: list[str]) -> None:
    messages = _enter(tmp_path, "sms", "nl")

    assert [m.text for m in messages] == ["Here is the chart.", "And this one?"]
    assert [m.image for m in messages] == [None, None]
    assert drawn == []


def test_no_picture_now_sends_the_text_alone(
    tmp_path: Path, drawn: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMAGE_SOURCES, "test_chart", lambda ctx, turn: None)

    messages = _enter(tmp_path, "telegram", "nl")

    assert [m.image for m in messages] == [None, None]
    assert [m.text for m in messages] == ["Here is the chart.", "And this one?"]


def test_a_reprompt_of_the_choice_comes_without_the_picture(
    tmp_path: Path, drawn: list[str]
) -> None:
    context = _context(tmp_path)
    at_pick = ConversationState(
        locale="en",
        answers={"consent": "2027-02-01"},
        flow="pictures",
        step="pick",
        offered=("pictures.pick.yes",),
    )

    # A greeting, and a tap on an old button: the choice is shown again.
    for inbound in (Inbound("telegram", "412", text="merci"),
                    Inbound("telegram", "412", payload="pictures.old.yes")):  # fmt: skip
        result = step(at_pick, inbound, context)
        assert "And this one?" in [m.text for m in result.messages]
        assert [m.image for m in result.messages] == [None] * len(result.messages)
    assert drawn == []
