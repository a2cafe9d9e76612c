"""Block outbound network access from Python code (rdflib included) with an audit hook.

rdflib's security guide recommends `sys.addaudithook` for this: every `urllib.request.urlopen`
fires a `urllib.Request` audit event, and every socket connection fires `socket.connect`, so a
hook that raises there stops any document or query from making the process fetch a URL. Audit
hooks cannot be removed; the guard is therefore either process-wide (the endpoint and its
workers) or active only inside `no_network()` on the current thread (the CLI, tests).
"""

from __future__ import annotations

import ipaddress
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BLOCKED_EVENTS = frozenset(
    {"urllib.Request", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname"}
)

_state = threading.local()
_installed = False
_process_wide = False
_lock = threading.Lock()


class NetworkAccessBlocked(PermissionError):
    """Raised when code tries to open a network connection while the guard is active."""


def _is_local(event: str, args: tuple[Any, ...]) -> bool:
    """Lookups of numeric or loopback hosts and Unix-socket connections reach no other machine."""
    if event == "socket.connect":
        return isinstance(args[1], str | bytes)  # AF_UNIX path
    if event in ("socket.getaddrinfo", "socket.gethostbyname"):
        host = args[0].decode() if isinstance(args[0], bytes) else args[0]
        if host in (None, "", "localhost"):
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True
    return False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in BLOCKED_EVENTS:
        return
    if (_process_wide or getattr(_state, "depth", 0) > 0) and not _is_local(event, args):
        target = args[0] if event != "socket.connect" else args[1]
        raise NetworkAccessBlocked(f"network access is disabled here ({event} {target!r})")


def _install() -> None:
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


def block_network_process_wide() -> None:
    """Refuse every outbound connection for the rest of this process (servers, workers)."""
    global _process_wide
    _install()
    _process_wide = True


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse outbound connections on this thread while the block runs."""
    _install()
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
