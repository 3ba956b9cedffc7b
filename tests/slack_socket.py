"""A local Slack Socket Mode server: WebSockets on loopback that speak like Slack's.

`apps.connections.open` on the local Web API (tests/slack_api.py) hands out its URLs, one
ticket each. Every connection is greeted with `hello`; tests send envelopes on the
connection they choose, ask for a refresh (`disconnect`, reason `refresh_requested`) and
read the acks the app sent back, on which connection, and how each connection ended.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

APP_ID = "APMO0001"


@dataclass
class Connection:
    """One WebSocket the app opened, numbered from 1 in the order they came."""

    number: int
    ws: ServerConnection
    acks: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False
    # The close frame the app sent (its code), or None: it went without one.
    close_code: int | None = None

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))


class FakeSocketMode:
    """Slack's side of Socket Mode, in threads of the test process."""

    def __init__(self) -> None:
        self.connections: list[Connection] = []
        # When the first ack of each envelope arrived (time.monotonic()), for bench scripts.
        self.acked_at: dict[str, float] = {}
        self._tickets: set[str] = set()
        self._numbers = itertools.count(1)
        self._changed = threading.Condition()
        self._stopped = False
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Slack is gone: every connection drops, and new ones are refused."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._thread.join()
        for connection in list(self.connections):
            connection.ws.close()

    def new_url(self) -> str:
        """What apps.connections.open answers: a URL with a ticket good for one connection."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={ticket}&app_id={APP_ID}"

    # -- test controls ----------------------------------------------------------------
    def wait_for_connection(self, number: int, timeout: float = 30) -> Connection:
        """The app's `number`th connection, once it has been greeted."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.connections) >= number, timeout):
                raise AssertionError(f"the app opened {len(self.connections)} connections")
            return self.connections[number - 1]

    def envelope(
        self, connection: Connection, payload: dict[str, Any], *, envelope_id: str | None = None
    ) -> str:
        """Send a request to the app as Slack does; returns its envelope id."""
        envelope_id = envelope_id or str(uuid.uuid4())
        if "command" in payload:
            kind, accepts = "slash_commands", True
        elif payload.get("type") == "event_callback":
            kind, accepts = "events_api", False
        else:
            kind, accepts = "interactive", True
        message = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts,
        }
        if kind == "events_api":
            message |= {"retry_attempt": 0, "retry_reason": ""}
        connection.send(message)
        return envelope_id

    def refresh(self, connection: Connection) -> None:
        """Slack's warning that it will close this connection soon."""
        connection.send(
            {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "test"}}
        )

    def acks_by(
        self, envelope_ids: list[str], deadline: float, *, each: int = 1
    ) -> dict[str, list[int]]:
        """For each envelope, the connections its acks came on, as seen at `deadline` (a
        time.monotonic() value) or as soon as every envelope has `each` acks."""
        with self._changed:
            self._changed.wait_for(
                lambda: all(len(v) >= each for v in self._acks(envelope_ids).values()),
                max(deadline - time.monotonic(), 0),
            )
            return self._acks(envelope_ids)

    def _acks(self, envelope_ids: list[str]) -> dict[str, list[int]]:
        return {
            envelope_id: [
                c.number
                for c in self.connections
                for ack in c.acks
                if ack["envelope_id"] == envelope_id
            ]
            for envelope_id in envelope_ids
        }

    def wait_closed(self, connection: Connection, timeout: float = 30) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: connection.closed, timeout):
                raise AssertionError(f"connection {connection.number} is still open")

    # -- Slack's side of each connection -------------------------------------------------
    def _handle(self, ws: ServerConnection) -> None:
        ticket = parse_qs(urlparse(ws.request.path).query).get("ticket", [""])[0]
        if ticket not in self._tickets:
            ws.close(4001, "invalid ticket")
            return
        self._tickets.discard(ticket)  # good for one connection, as Slack's
        connection = Connection(next(self._numbers), ws)
        connection.send(
            {
                "type": "hello",
                "num_connections": 1 + sum(not c.closed for c in self.connections),
                "debug_info": {"host": "applink-test", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        with self._changed:
            self.connections.append(connection)
            self._changed.notify_all()
        try:
            for text in ws:
                with self._changed:
                    ack = json.loads(text)
                    connection.acks.append(ack)
                    self.acked_at.setdefault(ack.get("envelope_id"), time.monotonic())
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                connection.closed = True
                received = ws.protocol.close_rcvd
                connection.close_code = received.code if received else None
                self._changed.notify_all()
