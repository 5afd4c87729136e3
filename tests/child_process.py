"""A pbbot process that a test starts, kills (SIGKILL, as a crash) or stops (SIGINT, as
Ctrl-C): the crash tests' child servers and workers."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ChildProcess"]

ROOT = Path(__file__).resolve().parents[1]


class ChildProcess:
    """`command` run from the repository; its output goes to `log` (a full pipe would
    stall it). `environment`: the child's whole environment (None: this process's)."""

    def __init__(self, command: list[str], log: Path, environment: Mapping[str, str] | None = None):
        with log.open("a") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=None if environment is None else dict(environment),
                stdout=out,
                stderr=out,
            )

    def check(self) -> None:
        """Raise if the child has exited (it should be running)."""
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.process.args!r} exited with {self.process.returncode}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """A clean stop (SIGINT, as Ctrl-C); killed if it takes too long."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
