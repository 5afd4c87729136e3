"""Ask steps that want a phone number, a location or a photo: Telegram's
contact, location and photo messages answer them; anything else is re-asked."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pbbot.config.edition_file import load_edition
from pbbot.domain.messages import Inbound, Location
from pbbot.engine.context import StepContext
from pbbot.engine.flowset import flows_dir, load_engine_flows
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
# A flow of the three kinds; its texts are borrowed from the catalog (what they
# say does not matter here, that they are translated keeps the flow valid).
ASKS = """\
spec_version: 1
flow: asks
start: phone
steps:
  phone:
    type: ask
    text: "How old are you? Send a number."
    expect: phone
    save_as: phone
    go: place
  place:
    type: ask
    text: "How old are you? Send a number."
    expect: location
    save_as: place
    go: photo
  photo:
    type: ask
    text: "How old are you? Send a number."
    expect: photo
    save_as: photo
    go: "@main_menu"
"""


@pytest.fixture
def context(tmp_path: Path) -> StepContext:
    folder = tmp_path / "flows"
    shutil.copytree(flows_dir(), folder)
    (folder / "asks.yaml").write_text(ASKS)
    return StepContext(load_edition(EDITION), load_engine_flows(folder), date(2027, 2, 20))


def _at(step_id: str) -> ConversationState:
    return ConversationState(locale="en", flow="asks", step=step_id, answers={"consent": "x"})


def test_a_shared_contact_answers_a_phone_question(context: StepContext) -> None:
    inbound = Inbound("telegram", "42", contact_phone="+32470123456")
    result = step(_at("phone"), inbound, context)
    assert result.state.answers["phone"] == "+32470123456"
    assert result.state.step == "place"
    assert result.messages[0].request == "location"  # Telegram shows "Share my location"


def test_a_location_and_a_photo_answer_their_questions(context: StepContext) -> None:
    place = step(_at("place"), Inbound("telegram", "42", location=Location(51.03, 4.48)), context)
    assert place.state.answers["place"] == {
        "kind": "location",
        "latitude": 51.03,
        "longitude": 4.48,
    }
    photo = step(place.state, Inbound("telegram", "42", photo_id="AgACAgQ"), context)
    assert photo.state.answers["photo"] == {"kind": "photo", "file_id": "AgACAgQ"}
    assert photo.state.flow == "main_menu"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("phone", "Please send a phone number, for example +32 470 12 34 56."),
        ("place", "Please share a location."),
        ("photo", "Please send a photo."),
    ],
)
def test_text_where_something_else_is_wanted_is_re_asked(
    context: StepContext, at: str, expected: str
) -> None:
    result = step(_at(at), Inbound("telegram", "42", text="hello"), context)
    assert [message.text for message in result.messages] == [expected]
    assert result.state.step == at and result.state.misses == 1
