"""`pbbot chat`: the simulator behaves as the live channels, settings included."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from pbbot.cli import main
from pbbot.i18n.catalogs import translator
from tests.server.harness import EDITION


def _chat(
    lines: list[str], args: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[int, str]:
    monkeypatch.setenv("PBBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/demo.db")
    monkeypatch.setenv("PBBOT_EDITION", str(EDITION))
    monkeypatch.setenv("PBBOT_TODAY", "2027-02-20")
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    output = io.StringIO()
    monkeypatch.setattr("sys.stdout", output)
    return main(["chat", *args]), output.getvalue()


async def test_a_localized_stop_configured_at_twilio_stops_in_the_simulator_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PBBOT_SMS_OPT_OUT_WORDS", "STOP,STOPALL,UNSUBSCRIBE,CANCEL,END,QUIT,DUR")
    monkeypatch.setenv("PBBOT_SMS_OPT_IN_WORDS", "START,UNSTOP,YES,BAŞLA")
    code, shown = await asyncio.to_thread(
        _chat, ["merhaba", "DUR", "başla"], ["--channel", "sms"], monkeypatch, tmp_path
    )
    tr = translator("tr")
    stopped = tr.gettext("You will get no more messages. Send {keyword_start} to start again.")
    assert code == 0
    assert stopped.format(keyword_start="BAŞLA") in shown
    after = shown.split(">>> başla")[1]
    assert tr.gettext("Yes, I agree") in after  # the way back was answered: consent again


async def test_without_that_setting_the_simulator_names_the_carriers_stop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, shown = await asyncio.to_thread(
        _chat, ["merhaba", "DUR"], ["--channel", "sms"], monkeypatch, tmp_path
    )
    assert code == 0
    assert translator("tr").gettext("To stop all messages, send {stop}.").format(stop="STOP") in (
        shown
    )


async def test_an_sms_carries_no_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, _ = await asyncio.to_thread(
        _chat, ["hallo"], ["--channel", "sms", "--lang", "nl"], monkeypatch, tmp_path
    )
    assert code == 2


async def test_a_telegram_phone_in_an_unshipped_language_is_asked_in_every_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, shown = await asyncio.to_thread(
        _chat, ["/start"], ["--channel", "telegram", "--lang", "de"], monkeypatch, tmp_path
    )
    assert code == 0
    for locale in ("nl", "fr", "en", "tr", "ar"):
        assert translator(locale).gettext("Choose your language") in shown


async def test_a_second_telegram_run_on_the_same_database_is_answered(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for _ in range(2):  # update ids are exactly-once keys: a run must not reuse them
        code, shown = await asyncio.to_thread(
            _chat, ["/start"], ["--channel", "telegram", "--phone", "+32470000077"],
            monkeypatch, tmp_path,
        )  # fmt: skip
        assert code == 0
        assert "--- Telegram" in shown
