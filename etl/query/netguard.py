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


# --- OS-level sandbox of query workers ------------------------------------------------------
#
# Oxigraph evaluates SERVICE with its own HTTP client (Rust), which the audit hook above never
# sees. Query workers therefore also get an OS-level block: a seccomp filter kills the process
# (SIGSYS) the moment any thread asks the kernel for an IPv4, IPv6 or packet socket, and the
# worker moves into its own empty network namespace when the kernel lets it. Unix sockets (the
# worker's pipe to the endpoint) keep working. The pool reports a SIGSYS death as a refusal.

_ARCH = {  # machine: (AUDIT_ARCH, socket, io_uring_setup, seccomp syscall numbers)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
_AF_INET, _AF_INET6, _AF_PACKET = 2, 10, 17
_LD_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06
_KILL_PROCESS, _ALLOW, _ERRNO = 0x80000000, 0x7FFF0000, 0x00050000
_ENOSYS = 38
_X32_BIT = 0x40000000
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 1
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


class SandboxUnavailable(RuntimeError):
    """The OS-level network block cannot be installed here (not Linux, unknown CPU)."""


def _filter_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The BPF program: kill on AF_INET/AF_INET6/AF_PACKET sockets, no io_uring, allow the rest."""
    arch, nr_socket, nr_io_uring, _ = _ARCH[machine]
    return [
        (_LD_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ, 1, 0, arch),
        (_RET, 0, 0, _KILL_PROCESS),
        (_LD_ABS, 0, 0, 0),  # seccomp_data.nr
        (_JGE, 0, 1, _X32_BIT),  # x32 ABI calls on x86_64: not ours
        (_RET, 0, 0, _KILL_PROCESS),
        (_JEQ, 0, 1, nr_io_uring),  # io_uring can open sockets without socket(2)
        (_RET, 0, 0, _ERRNO | _ENOSYS),
        (_JEQ, 1, 0, nr_socket),
        (_RET, 0, 0, _ALLOW),
        (_LD_ABS, 0, 0, 16),  # seccomp_data.args[0] (low 32 bits): the address family
        (_JEQ, 3, 0, _AF_INET),
        (_JEQ, 2, 0, _AF_INET6),
        (_JEQ, 1, 0, _AF_PACKET),
        (_RET, 0, 0, _ALLOW),
        (_RET, 0, 0, _KILL_PROCESS),
    ]


def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def enter_empty_network_namespace() -> bool:
    """Move this (single-threaded) process into a new network namespace; False if not allowed."""
    if not sys.platform.startswith("linux"):
        return False
    import os

    libc = _libc()
    flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
    return bool(libc.unshare(flags) == 0)


def deny_internet_sockets() -> None:
    """Install the seccomp filter on every thread of this process (cannot be undone)."""
    import ctypes
    import os
    import platform

    machine = platform.machine()
    if not sys.platform.startswith("linux") or machine not in _ARCH:
        raise SandboxUnavailable(f"no seccomp network block for {sys.platform}/{machine}")

    class SockFilter(ctypes.Structure):
        _fields_ = [
            ("code", ctypes.c_ushort),
            ("jt", ctypes.c_ubyte),
            ("jf", ctypes.c_ubyte),
            ("k", ctypes.c_uint),
        ]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    program = _filter_program(machine)
    instructions = (SockFilter * len(program))(*(SockFilter(*i) for i in program))
    fprog = SockFprog(len(program), instructions)
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    nr_seccomp = _ARCH[machine][3]
    flags = _SECCOMP_FILTER_FLAG_TSYNC
    if libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(fprog)) != 0:
        raise SandboxUnavailable(f"seccomp filter refused: {os.strerror(ctypes.get_errno())}")


def sandbox_query_process(memory_limit: int | None) -> bool:
    """Everything a query worker needs before it opens the store: no cores, a memory ceiling,
    an empty network namespace when possible, the seccomp block always (raises if it cannot).

    `memory_limit` (bytes) caps the data segment (`RLIMIT_DATA`: heap and private anonymous
    memory, the memory a query's evaluation allocates; mapped store files do not count).
    Returns whether the worker got its own network namespace.
    """
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_limit is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_limit, memory_limit))
    isolated = enter_empty_network_namespace()
    deny_internet_sockets()
    block_network_process_wide()
    return isolated
