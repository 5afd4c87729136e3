"""The PB domain: editions, phases, messages, ballots. Dataclasses and rules, no I/O."""
