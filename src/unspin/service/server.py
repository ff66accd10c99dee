"""Running the app under uvicorn, with a header read timeout uvicorn itself does not have (slow clients)."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0  # a client must send a request's headers within this long of connecting (or of the last reply)


class _TimedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, but a connection whose request headers are not all in within
    HEADER_TIMEOUT_S is closed (uvicorn waits for ever: a few slow clients would hold every connection)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def _arm(self) -> None:
        cycle = self.cycle  # a new request replaces it once its headers are read
        self.loop.call_later(HEADER_TIMEOUT_S, self._check_headers, cycle)

    def _check_headers(self, cycle: Any) -> None:
        if self.cycle is cycle and not self.transport.is_closing():
            self.transport.close()


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` until Ctrl+C."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", http=_TimedH11, timeout_keep_alive=5)
