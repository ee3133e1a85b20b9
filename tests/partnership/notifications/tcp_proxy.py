"""A TCP proxy in front of PostgreSQL that a test can cut, as a crash or a network failure would.

Cutting it drops every open connection and refuses new ones, so the application meets a real connection
failure (psycopg's own error), not a mock. It can also cut itself the moment the client sends given
statements in turn (say, an INSERT and then the COMMIT), so the failure lands at a chosen point of a
transaction; the last of them never reaches the server.
"""

from __future__ import annotations

import socket
import threading


class TcpProxy:
    def __init__(self, host: str, port: int, *, cut_on: tuple[bytes, ...] = ()) -> None:
        self.target = (host, port)
        self.cut_on = list(cut_on)  # what is still to be seen before cutting
        self.cut_done = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut_done.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed by cut()
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self.cut_done.is_set():
                    client.close()
                    server.close()
                    return
                self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        tail = b""
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:  # one side closed its connection normally: close the other side too
                for sock in (source, sink):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return
            if from_client and self.cut_on:
                seen = tail + data
                with self._lock:
                    while self.cut_on and self.cut_on[0] in seen:
                        seen = seen[seen.index(self.cut_on[0]) + len(self.cut_on[0]):]
                        self.cut_on.pop(0)
                    now = not self.cut_on
                if now:
                    self.cut()  # the last statement awaited never reaches the server
                    return
                tail = data[-200:]
            try:
                sink.sendall(data)
            except OSError:
                return

    def cut(self) -> None:
        """PostgreSQL is gone: open connections drop, new ones are refused."""
        with self._lock:
            self.cut_done.set()
            for sock in [self._listener, *self._sockets]:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()
