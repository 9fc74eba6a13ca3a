"""Messages between the build and its worker processes: length-prefixed pickles over a socket."""

from __future__ import annotations

import pickle
import socket
import struct

_HEADER = struct.Struct("!Q")


class Closed(Exception):
    """The other end of the socket is gone (the worker ended or was killed)."""


def send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise Closed
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, timeout: float | None = None) -> object:
    """The next message; ``TimeoutError`` when none starts within ``timeout`` seconds."""
    sock.settimeout(timeout)
    try:
        header = _exactly(sock, _HEADER.size)
    except (ConnectionError, OSError) as error:
        if isinstance(error, TimeoutError):
            raise
        raise Closed from error
    sock.settimeout(None)
    try:
        return pickle.loads(_exactly(sock, _HEADER.unpack(header)[0]))
    except (ConnectionError, OSError) as error:
        raise Closed from error
