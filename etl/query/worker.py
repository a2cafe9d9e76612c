"""SPARQL evaluation in worker processes that can be stopped when a query runs too long.

Oxigraph releases the GIL while it evaluates, but a thread cannot be stopped: an abandoned
query would keep a core busy. Each worker is a process holding the current release's store
open read-only; the endpoint sends it a request over a pipe and waits at most `timeout`
seconds. A worker that overruns is killed and replaced, so the client gets its error promptly
and the CPU is freed. Workers reopen the store when `current` points at a new release.

Every worker is sandboxed before it opens the store (`netguard.sandbox_query_process`): a
memory ceiling, no network namespace, and a seccomp filter that kills it on any attempt to open
an internet socket. The pool turns such a death into a 403 (the query tried to fetch from the
network, e.g. a SERVICE the inspection did not see) and an out-of-memory death into a 503, and
starts a fresh worker. `reekg sparql` runs its query in one such worker too (`run_isolated`).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from etl.graph.store import GraphNotPublishedError, current_release, open_published_store
from etl.query.formats import OutputFormat, choose_format, format_by_name
from etl.query.limits import DEFAULT_MEMORY_MB
from etl.query.netguard import sandbox_query_process
from etl.query.results import serialize
from etl.query.sparql import (
    Answer,
    NotAcceptable,
    QueryError,
    describe_entity,
    evaluate,
    inspect_query,
)


@dataclass(frozen=True)
class QueryRequest:
    """What the endpoint asks a worker: a query (or an entity to describe) and the format."""

    query: str | None = None
    describe_iri: str | None = None
    accept: str | None = None
    format_name: str | None = None
    format_names: tuple[str, ...] = ()  # candidates in order: the first that fits the form
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResponse:
    """HTTP status, media type and body; `count` is rows or triples, `form` the query form."""

    status: int
    media_type: str
    body: bytes
    count: int = 0
    form: str = ""
    triples: tuple[tuple[str, str, str], ...] = ()


def error_response(status: int, message: str) -> QueryResponse:
    """A plain-text error with a one-line message."""
    return QueryResponse(status, "text/plain; charset=utf-8", (message + "\n").encode())


class _StoreHolder:
    """The store of the current release, reopened when `current` moves."""

    def __init__(self, graph_dir: Path, store_path: Path | None = None) -> None:
        self.graph_dir, self.store_path = graph_dir, store_path
        self.release: Path | None = None
        self.store: Any = None

    def get(self) -> Any:
        if self.store_path is not None:  # one fixed release (`reekg sparql --release`)
            if self.store is None:
                import pyoxigraph as ox

                self.store = ox.Store.read_only(str(self.store_path))
            return self.store
        release = current_release(self.graph_dir)
        if release != self.release:
            self.store = open_published_store(self.graph_dir)
            self.release = release
        return self.store


def _pick_format(answer: Answer, request: QueryRequest) -> OutputFormat:
    """The first named format that fits the answer's form, else by `Accept`; `NotAcceptable`
    when names were given and none fits."""
    names = request.format_names or ((request.format_name,) if request.format_name else ())
    if not names:
        return choose_format(answer.form, request.accept)
    refusal: NotAcceptable | None = None
    for name in names:
        try:
            return format_by_name(answer.form, name)
        except NotAcceptable as exc:
            refusal = refusal or exc
    assert refusal is not None
    raise refusal


def answer_request(
    holder: _StoreHolder, request: QueryRequest, max_rows: int | None
) -> QueryResponse:
    """Evaluate one request against the current release (runs inside a worker)."""
    try:
        store = holder.get()
    except GraphNotPublishedError as exc:
        return error_response(503, str(exc))
    try:
        answer: Answer
        if request.describe_iri is not None:
            answer = describe_entity(store, request.describe_iri, max_rows)
        else:
            answer = evaluate(
                store,
                request.query or "",
                max_rows=max_rows,
                default_graphs=request.default_graphs,
                named_graphs=request.named_graphs,
            )
        fmt = _pick_format(answer, request)
        triples: tuple[tuple[str, str, str], ...] = ()
        if request.describe_iri is not None:
            triples = tuple(
                (str(t.subject), str(t.predicate), str(t.object)) for t in answer.triples
            )
        return QueryResponse(
            200,
            fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else ""),
            serialize(answer, fmt),
            count=answer.size,
            form=answer.form,
            triples=triples,
        )
    except QueryError as exc:
        return error_response(exc.status, str(exc))
    except MemoryError:
        return error_response(503, MEMORY_MESSAGE)
    except OSError as exc:
        return error_response(500, f"store error: {exc}")


READY = "ready"
STARTUP_SECONDS = 120.0
MEMORY_MESSAGE = "query exceeded the worker memory limit and was stopped; narrow it or add LIMIT"
NETWORK_MESSAGE = (
    "federated queries (SERVICE) are refused: the query tried to open a network connection "
    "and its worker was stopped; reekg never fetches remote data"
)


@dataclass(frozen=True)
class WorkerLimits:
    """What every query worker runs under: result size and memory (bytes of data segment)."""

    max_rows: int | None = None
    memory_bytes: int | None = DEFAULT_MEMORY_MB * 2**20
    store_path: str | None = None


def death_response(exitcode: int | None) -> QueryResponse:
    """The client's answer when its worker died: killed by the seccomp filter (SIGSYS) means
    it tried to reach the network; an abort or SIGKILL means it ran out of memory."""
    if exitcode == -signal.SIGSYS:
        return error_response(403, NETWORK_MESSAGE)
    if exitcode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS):
        return error_response(503, MEMORY_MESSAGE)
    return error_response(500, f"query worker stopped unexpectedly (exit code {exitcode})")


def _worker_main(conn: Connection, graph_dir: str, limits: WorkerLimits) -> None:
    sandbox_query_process(limits.memory_bytes)
    inspect_query("ASK {}")  # warm up rdflib's parser before the first query

    store_path = Path(limits.store_path) if limits.store_path else None
    holder = _StoreHolder(Path(graph_dir), store_path)
    max_rows = limits.max_rows
    conn.send(READY)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            response = answer_request(holder, request, max_rows)
        except Exception as exc:  # one line back to the client instead of a dead worker
            response = error_response(500, f"internal error: {type(exc).__name__}: {exc}")
        conn.send(response)


def _context(method: str) -> Any:
    """A multiprocessing context. The pool forks workers from a fork server that has this
    module imported (a replacement is ready in milliseconds, not seconds); the command line
    forks its one worker from itself."""
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload([__name__, "rdflib.plugins.sparql.parser"])
    return ctx


class _Worker:
    def __init__(self, graph_dir: Path, limits: WorkerLimits, method: str = "forkserver") -> None:
        ctx = _context(method)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, str(graph_dir), limits), daemon=True
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> bool:
        """True once the worker has started and imported what it needs."""
        try:
            return bool(self.conn.poll(timeout)) and self.conn.recv() == READY
        except (EOFError, OSError):
            return False

    def run(self, request: QueryRequest, timeout: float | None) -> QueryResponse | None:
        """The response, or None if `timeout` passed (the worker is then unusable); no
        `timeout` waits for as long as the query runs."""
        self.conn.send(request)
        if not self.conn.poll(timeout):
            return None
        response: QueryResponse = self.conn.recv()
        return response

    def exitcode(self) -> int | None:
        """How the process ended (negative: the signal that killed it), after it ends."""
        self.process.join(timeout=5)
        return self.process.exitcode

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """`size` worker processes; `execute` gives each request at most `timeout` seconds."""

    def __init__(
        self, graph_dir: Path, size: int, timeout: float, limits: WorkerLimits | None = None
    ) -> None:
        self.graph_dir, self.timeout = graph_dir, timeout
        self.limits = limits or WorkerLimits()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        starting = [self._start() for _ in range(size)]
        for worker in starting:
            if not worker.wait_ready():
                self.close()
                raise RuntimeError("a SPARQL query worker failed to start")
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self.graph_dir, self.limits)
        with self._lock:
            self._all.add(worker)
        return worker

    def _add(self) -> None:
        """Start a replacement worker; it joins the idle queue once ready (in the background)."""
        worker = self._start()

        def ready() -> None:
            if worker.wait_ready():
                self._idle.put(worker)
            else:
                self._retire(worker)

        threading.Thread(target=ready, daemon=True).start()

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()

    def execute(self, request: QueryRequest) -> QueryResponse:
        """Run `request` in an idle worker, killing and replacing it if it overruns."""
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return error_response(503, "all query workers are busy; try again shortly")
        remaining = max(self.timeout - (time.monotonic() - started), 0.01)
        try:
            response = worker.run(request, remaining)
        except (EOFError, OSError, BrokenPipeError):
            response = death_response(worker.exitcode())
            self._retire(worker)
            self._add()
            return response
        if response is None:
            self._retire(worker)
            self._add()
            return error_response(
                503, f"query exceeded the {self.timeout:g} s timeout and was stopped"
            )
        self._idle.put(worker)
        return response

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


def run_isolated(
    graph_dir: Path, request: QueryRequest, limits: WorkerLimits, timeout: float | None = None
) -> QueryResponse:
    """Answer one request in a fresh sandboxed worker (the command line's way to query).

    The query is inspected here first, so a refused query costs no worker start; the worker
    inspects it again before evaluating, as the endpoint's workers do."""
    if request.query is not None:
        try:
            inspect_query(request.query)
        except QueryError as exc:
            return error_response(exc.status, str(exc))
    # a fork server, not a fork of this process: the memory ceiling must not count the caller's
    # own address space (a long-lived caller such as a test runner or a notebook)
    worker = _Worker(graph_dir, limits, "forkserver")
    try:
        if not worker.wait_ready():
            return error_response(500, "the SPARQL query worker failed to start")
        try:
            response = worker.run(request, timeout)
        except (EOFError, OSError):
            return death_response(worker.exitcode())
        if response is None:
            return error_response(503, f"query exceeded the {timeout:g} s timeout and was stopped")
        return response
    finally:
        worker.stop()
