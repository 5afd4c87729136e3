"""A pbbot process that a test starts, kills (SIGKILL, as a crash) or stops (SIGINT, as
Ctrl-C): the crash tests' child servers and workers; a server is ready once its
`/healthz` answers."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp

__all__ = ["ChildProcess", "ChildServer", "free_port"]

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChildServer(ChildProcess):
    """`python -m module PORT *args` on a free port: a test's `pbbot serve` application."""

    def __init__(
        self,
        module: str,
        args: list[str],
        log: Path,
        environment: Mapping[str, str] | None = None,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__([sys.executable, "-m", module, str(self.port), *args], log, environment)

    async def ready(self, session: aiohttp.ClientSession, timeout: float = 90.0) -> None:
        """Until `/healthz` answers 200; an error if the child exits or the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                async with session.get(self.base + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError("the server did not answer /healthz")
