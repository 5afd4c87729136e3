"""Requests byte for byte, as a broken or hostile client sends them.

aiohttp's own client refuses what these tests need to send: a header with a
byte that is not UTF-8, a Content-Type it would not write, a body whose form
it did not encode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiohttp.test_utils import TestClient

__all__ = ["raw_post"]


async def raw_post(
    client: TestClient, path: str, headers: Sequence[tuple[bytes, bytes]], body: bytes
) -> int:
    """POST `body` to `path` with exactly these `headers`; the response's status."""
    assert client.port is not None
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        head = b"POST %s HTTP/1.1\r\nHost: pbbot\r\nConnection: close\r\n" % path.encode()
        head += b"Content-Length: %d\r\n" % len(body)
        head += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        writer.write(head + b"\r\n" + body)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest, until the server closes
    finally:
        writer.close()
        await writer.wait_closed()
    return int(status_line.split()[1])
