"""Two `pbbot worker` processes on one PostgreSQL database share a broadcast: both send a
share, nobody gets it twice, STOP'd and blocked residents are skipped; and when one is
killed, the other finishes the broadcast, doubling at most the dead one's calls in flight.

The claims lock the copies they take (`FOR UPDATE SKIP LOCKED`), so the second worker
takes the next ones instead of the same; each process sends at half the bot's rate
(`PBBOT_SENDING_PROCESSES=2`), so neither can finish alone before the other starts.
Real processes against a fake Bot API on loopback (see `tests.broadcasts.crash`); about
20 s each, most of it starting the workers (and, with one killed, its 10 s lease).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.broadcasts.crash import Outcome, Town, two_workers

TOWN = Town(telegram=300, sms=0, stopped=20, blocked=10)

on_postgres = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], scope="session"
)


@on_postgres
async def test_two_workers_share_a_broadcast_without_sending_anything_twice(
    database_url: str, tmp_path: Path
) -> None:
    outcome = await two_workers(database_url, tmp_path, TOWN)

    received = outcome.received["telegram"]
    assert {chat: received[chat] for chat in TOWN.chats()} == dict.fromkeys(TOWN.chats(), 1)
    _assert_sent_once_each_and_skipped(outcome)
    # Each worker sent a real share.
    assert len(outcome.sent_by) == 2
    assert min(outcome.sent_by.values()) >= TOWN.telegram // 10


@on_postgres
async def test_when_one_worker_is_killed_the_other_finishes_the_broadcast(
    database_url: str, tmp_path: Path
) -> None:
    outcome = await two_workers(database_url, tmp_path, TOWN, kill_one=True)

    _assert_sent_once_each_and_skipped(outcome)
    # The dead worker had copies on the wire; the survivor took them over, uncertain, and
    # sent again (once) only those whose call had reached Telegram.
    taken_over = [copy for copy in outcome.copies if copy.uncertain]
    assert len(taken_over) >= 1
    assert len({copy.lease_owner for copy in taken_over}) == 1
    doubles = outcome.doubles("telegram")
    assert set(doubles.values()) <= {2}
    assert len(doubles) <= outcome.unrecorded_at_kill["telegram"]
    assert [chat for chat in doubles if not outcome.copy(chat).uncertain] == []


def _assert_sent_once_each_and_skipped(outcome: Outcome) -> None:
    """Every reachable chat has it, each copy recorded once and sent; who sent STOP got
    nothing, who blocked the bot is recorded failed and unreachable."""
    received = outcome.received["telegram"]
    assert outcome.broadcast_status == "done"
    assert [chat for chat in TOWN.chats() if not received[chat]] == []
    assert [chat for chat in TOWN.stopped_chats() if received[chat]] == []
    assert len(outcome.copies) == len({copy.address for copy in outcome.copies})
    assert {outcome.copy(chat).status for chat in TOWN.chats()} == {"sent"}
    assert {outcome.copy(chat).status for chat in TOWN.blocked_chats()} == {"failed"}
    assert outcome.unreachable == set(TOWN.blocked_chats())
    shown = outcome.progress
    assert (shown.sent, shown.blocked, shown.queued) == (TOWN.telegram, TOWN.blocked, 0)
