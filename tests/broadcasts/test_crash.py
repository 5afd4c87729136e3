"""kill -9 in the middle of a broadcast, and a restart: every recipient has it once, but for
the Telegram calls on the wire at the kill (at most those come twice, each recorded
uncertain); no SMS twice; STOP'd and blocked residents skipped. On SQLite and PostgreSQL.

A real `pbbot serve` process against fakes on loopback answering in 150 ms (see
`tests.broadcasts.crash`); about 25 s per database, most of it two start-ups of the server.
"""

from __future__ import annotations

from pathlib import Path

from pbbot.outbox.policy import OutboxPolicy
from tests.broadcasts.crash import Outcome, Town, crash_mid_broadcast

TOWN = Town(telegram=200, sms=80, stopped=20, blocked=10)


async def test_a_crash_mid_broadcast_doubles_at_most_the_telegram_calls_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    outcome = await crash_mid_broadcast(database_url, tmp_path, TOWN)

    assert outcome.broadcast_status == "done"
    # The kill did cut calls off on both channels: the providers had them, the database
    # had no outcome.
    assert outcome.unrecorded_at_kill["telegram"] >= 1
    assert outcome.unrecorded_at_kill["sms"] >= 1
    _assert_everyone_reachable_got_it_once(outcome)
    _assert_uncertainty_is_the_calls_cut_off(outcome)
    # Twilio can be asked: an SMS it took before the kill is found there, not sent again.
    assert outcome.doubles("sms") == {}
    _assert_stopped_and_blocked_skipped(outcome)
    # What staff see: each copy counted once, the blocked ones apart.
    shown = outcome.progress
    reachable = TOWN.telegram + TOWN.sms
    assert (shown.status, shown.queued, shown.held, shown.failed) == ("done", 0, 0, 0)
    assert (shown.sent + shown.delivered, shown.blocked) == (reachable, TOWN.blocked)


def _assert_everyone_reachable_got_it_once(outcome: Outcome) -> None:
    reachable = {"telegram": TOWN.chats(), "sms": TOWN.phones()}
    for channel, addresses in reachable.items():
        received = outcome.received[channel]
        assert [address for address in addresses if not received[address]] == []
        assert {outcome.copy(address).status for address in addresses} == {"sent"}
    # One copy per recipient in the database, whoever queued it and however often.
    addresses = [copy.address for copy in outcome.copies]
    assert len(addresses) == len(set(addresses))


def _assert_uncertainty_is_the_calls_cut_off(outcome: Outcome) -> None:
    """Telegram cannot be asked what it received: a copy whose call was on the wire at the
    kill is sent again, once. At most that many doubles, each recorded as uncertain, and
    no more uncertain copies per channel than one process has in flight."""
    doubles = outcome.doubles("telegram")
    assert set(doubles.values()) <= {2}
    assert len(doubles) <= outcome.unrecorded_at_kill["telegram"]
    assert [address for address in doubles if not outcome.copy(address).uncertain] == []
    for channel in ("telegram", "sms"):
        uncertain = sum(copy.uncertain for copy in outcome.copies if copy.channel == channel)
        assert outcome.unrecorded_at_kill[channel] <= uncertain <= OutboxPolicy().batch_size


def _assert_stopped_and_blocked_skipped(outcome: Outcome) -> None:
    """Who sent STOP gets nothing (no copy, or one skipped); a chat that blocked the bot
    is refused once, its copy failed and the resident marked unreachable."""
    stopped = [*TOWN.stopped_chats(), *TOWN.stopped_phones()]
    received = outcome.received["telegram"] + outcome.received["sms"]
    assert [address for address in stopped if received[address]] == []
    assert {c.status for c in outcome.copies if c.address in stopped} <= {"skipped"}
    blocked = TOWN.blocked_chats()
    assert {outcome.copy(address).status for address in blocked} == {"failed"}
    assert outcome.unreachable == set(blocked)
