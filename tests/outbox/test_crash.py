"""kill -9 while replies go out: at most the calls on the wire come twice, and only on Telegram;
every resident has every reply within 20 s of the restart. On SQLite and PostgreSQL.

A real `pbbot serve` process against fakes on loopback answering in 150 ms (see
`tests.outbox.crash`); about 15 s per database.
"""

from __future__ import annotations

from pathlib import Path

from tests.outbox.crash import crash_and_restart


async def test_a_crash_during_a_burst_doubles_only_the_calls_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    figures = await crash_and_restart(database_url, tmp_path, residents=40, latency=0.15)

    assert figures.unanswered == 0, (tmp_path / "server.log").read_text()[-3000:]
    assert figures.answered_after_restart is not None
    assert figures.answered_after_restart <= 20.0
    # The crash did cut calls off (the fakes had them), and the database knew of no outcome.
    assert figures.in_flight_at_kill["telegram"] >= 1
    assert figures.unrecorded_at_kill["sms"] >= 1
    # Telegram cannot be asked what it received: at most those calls come twice.
    assert figures.doubles["telegram"] <= figures.unrecorded_at_kill["telegram"]
    # Twilio can: an SMS it took is found in its list and not sent again.
    assert figures.doubles["sms"] == 0
