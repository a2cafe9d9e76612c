"""SPARQL evaluation in worker processes that can be stopped when a query runs too long.

Oxigraph releases the GIL while it evaluates, but a thread cannot be stopped: an abandoned
query would keep a core busy. Each worker is a process holding the current release's store
open read-only; the endpoint sends it a request over a pipe and waits at most `timeout`
seconds. A worker that overruns is killed and replaced, so the client gets its error promptly
and the CPU is freed. Workers reopen the store when `current` points at a new release.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from etl.graph.store import GraphNotPublishedError, current_release, open_published_store
from etl.query.netguard import block_network_process_wide
from etl.query.sparql import (
    Answer,
    QueryError,
    choose_format,
    describe_entity,
    evaluate,
    format_by_name,
    serialize,
)


@dataclass(frozen=True)
class QueryRequest:
    """What the endpoint asks a worker: a query (or an entity to describe) and the format."""

    query: str | None = None
    describe_iri: str | None = None
    accept: str | None = None
    format_name: str | None = None
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

    def __init__(self, graph_dir: Path) -> None:
        self.graph_dir = graph_dir
        self.release: Path | None = None
        self.store: Any = None

    def get(self) -> Any:
        release = current_release(self.graph_dir)
        if release != self.release:
            self.store = open_published_store(self.graph_dir)
            self.release = release
        return self.store


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
        if request.format_name:
            fmt = format_by_name(answer.form, request.format_name)
        else:
            fmt = choose_format(answer.form, request.accept)
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
    except OSError as exc:
        return error_response(500, f"store error: {exc}")


READY = "ready"
STARTUP_SECONDS = 120.0


def _worker_main(conn: Connection, graph_dir: str, max_rows: int | None) -> None:
    block_network_process_wide()
    import rdflib.plugins.sparql.parser  # noqa: F401  (warm up before the first query)

    holder = _StoreHolder(Path(graph_dir))
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


class _Worker:
    def __init__(self, graph_dir: Path, max_rows: int | None) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, str(graph_dir), max_rows), daemon=True
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> bool:
        """True once the worker has started and imported what it needs."""
        try:
            return bool(self.conn.poll(timeout)) and self.conn.recv() == READY
        except (EOFError, OSError):
            return False

    def run(self, request: QueryRequest, timeout: float) -> QueryResponse | None:
        """The response, or None if `timeout` passed (the worker is then unusable)."""
        self.conn.send(request)
        if not self.conn.poll(timeout):
            return None
        response: QueryResponse = self.conn.recv()
        return response

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """`size` worker processes; `execute` gives each request at most `timeout` seconds."""

    def __init__(self, graph_dir: Path, size: int, timeout: float, max_rows: int | None) -> None:
        self.graph_dir, self.timeout, self.max_rows = graph_dir, timeout, max_rows
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
        worker = _Worker(self.graph_dir, self.max_rows)
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
            response = error_response(500, "query worker stopped unexpectedly")
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
