"""HTTP mechanics shared by the fetchers: retries with backoff, digests, atomic landing writes,
and the landed sources registry that records where each fetched file came from.

Every failure becomes a `FetchError` with one line naming the service and what went wrong
(unreachable, key refused, quota, server error after retries); callers never see a traceback.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import io
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

USER_AGENT = "reekg-fetch/0.1 (+https://w3id.org/reekg)"
SOURCES_RELPATH = ("reference", "sources.csv")
SOURCES_COLUMNS = (
    "source_id",
    "title",
    "publisher",
    "url",
    "published_on",
    "kind",
    "license",
    "notes",
)
# Query parameters: a mapping, or pairs where a name repeats (Eurostat's `indicators`).
Params = Mapping[str, str] | Sequence[tuple[str, str]] | None
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
PARTIAL_SUFFIX = ".part"


class FetchError(Exception):
    """A fetch that could not complete; the message is one line for the user."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry throttled (429), failing (5xx) or dropped requests."""

    attempts: int = 5
    base_delay: float = 2.0
    max_delay: float = 120.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`: Retry-After if given, else exponential."""
        wait = retry_after if retry_after is not None else self.base_delay * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_delay))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _query(params: Params) -> httpx.QueryParams | None:
    return (
        None
        if params is None
        else httpx.QueryParams(
            list(dict(params).items()) if isinstance(params, Mapping) else list(params)
        )
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class HttpClient:
    """A small httpx client for one service: retries, backoff and one-line errors.

    `service` names the remote in messages ("UN Comtrade"); `key_hint` says which setting to
    check when the server refuses the credentials (401/403).
    """

    def __init__(
        self,
        service: str,
        *,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        key_hint: str = "",
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.service = service
        self.retry = retry or RetryPolicy()
        self.key_hint = key_hint
        self.sleep = sleep
        self.log = log or (lambda _message: None)
        self.requests = 0
        self.retries = 0
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self._timeout = timeout
        self._http: httpx.Client | None = None

    @property
    def _client(self) -> httpx.Client:
        """The connection pool, opened on first use (again after `close`)."""
        if self._http is None:
            self._http = httpx.Client(
                headers=self._headers, timeout=self._timeout, follow_redirects=True
            )
        return self._http

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _refused(self, response: httpx.Response, url: str) -> FetchError:
        body = response.text[:200].strip()
        if response.status_code in (401, 403):
            if "quota" in body.lower():
                return FetchError(
                    f"{self.service}: quota exhausted (HTTP {response.status_code} from {url}): "
                    f"{' '.join(body.split())}"
                )
            hint = f"; check {self.key_hint}" if self.key_hint else ""
            return FetchError(
                f"{self.service}: access refused (HTTP {response.status_code} from {url}){hint}"
            )
        return FetchError(
            f"{self.service}: HTTP {response.status_code} from {url}"
            + (f": {' '.join(body.split())[:160]}" if body else "")
        )

    def _send(
        self,
        url: str,
        params: Params,
        headers: Mapping[str, str] | None,
        shown: str,
        stream_to: Path | None,
    ) -> httpx.Response:
        """One request with retries; when `stream_to` is set, the body is appended to that file
        (resuming with a Range request from what a dropped earlier attempt left there)."""
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            wait: float | None = None
            extra = dict(headers or {})
            if stream_to is not None and stream_to.exists() and stream_to.stat().st_size:
                extra["Range"] = f"bytes={stream_to.stat().st_size}-"
            try:
                self.requests += 1
                if stream_to is None:
                    response = self._client.get(url, params=_query(params), headers=extra)
                else:
                    response = self._stream(url, params, extra, stream_to)
            except (httpx.TransportError, OSError) as exc:
                last = f"cannot reach {shown} ({type(exc).__name__}: {exc or 'no detail'})"
            else:
                if response.status_code < 300:
                    return response
                if response.status_code not in RETRY_STATUSES:
                    raise self._refused(response, shown)
                last = f"HTTP {response.status_code} from {shown}"
                wait = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == self.retry.attempts:
                break
            delay = self.retry.delay(attempt, wait)
            self.retries += 1
            self.log(f"{self.service}: {last}; retry {attempt} in {delay:.1f}s")
            self.sleep(delay)
        raise FetchError(f"{self.service}: {last} (gave up after {self.retry.attempts} attempts)")

    def _stream(
        self, url: str, params: Params, headers: dict[str, str], target: Path
    ) -> httpx.Response:
        with self._client.stream("GET", url, params=_query(params), headers=headers) as response:
            if response.status_code >= 300:
                response.read()
                return response
            mode = "ab" if response.status_code == 206 else "wb"
            with target.open(mode) as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
            return response

    def get_json(
        self,
        url: str,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        shown: str | None = None,
    ) -> Any:
        """GET `url` and decode JSON; a body that is not JSON is a one-line error."""
        response = self._send(url, params, headers, shown or url, None)
        try:
            return response.json()
        except ValueError as exc:
            raise FetchError(
                f"{self.service}: {shown or url} did not return JSON "
                f"(content-type {response.headers.get('content-type', '?')}, "
                f"{len(response.content)} bytes)"
            ) from exc

    def download(self, url: str, target: Path) -> bytes:
        """Download `url` to `target` + '.part' (resumable), then return its bytes.

        The partial file survives a failure so the next call resumes with a Range request; it
        is removed only once the caller has landed the content (see `land_bytes`).
        """
        partial = target.with_name(target.name + PARTIAL_SUFFIX)
        partial.parent.mkdir(parents=True, exist_ok=True)
        self._send(url, None, None, url, partial)
        return partial.read_bytes()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def land_bytes(path: Path, data: bytes) -> bool:
    """Land `data` at `path` atomically; False (and no write) when the file already holds it.

    An unchanged file keeps its mtime, so the landing sensors do not request a new run.
    """
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    if path.is_file() and path.read_bytes() == data:
        partial.unlink(missing_ok=True)
        return False
    write_atomic(path, data)
    partial.unlink(missing_ok=True)
    return True


@dataclass(frozen=True)
class SourceRecord:
    """One row of the sources registry (the columns of data/reference/sources.csv)."""

    source_id: str
    title: str
    publisher: str
    url: str
    kind: str
    license: str
    notes: str
    published_on: str = ""

    def row(self) -> dict[str, str]:
        return {c: " ".join(str(getattr(self, c)).split()) for c in SOURCES_COLUMNS}


def register_source(landing: Path, record: SourceRecord, digest: str) -> bool:
    """Add (or replace, by source_id) `record` in landing/reference/sources.csv, atomically.

    Rows for other ids are kept as they are. False (no write) when the row for this id already
    records the same content digest (`sha256 <digest>` in its notes): a refetch of the same
    payload changes nothing, not even the fetch time.
    """
    path = landing.joinpath(*SOURCES_RELPATH)
    rows: list[dict[str, str]] = []
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or list(reader.fieldnames) != list(SOURCES_COLUMNS):
                raise FetchError(
                    f"{path}: row 1 (header): expected {','.join(SOURCES_COLUMNS)}; "
                    "fix or move the file before fetching"
                )
            rows = [{c: r.get(c) or "" for c in SOURCES_COLUMNS} for r in reader]
    new = record.row()
    if any(r["source_id"] == record.source_id and f"sha256 {digest}" in r["notes"] for r in rows):
        return False
    rows = [r for r in rows if r["source_id"] != record.source_id] + [new]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SOURCES_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, out.getvalue().encode("utf-8"))
    return True


@dataclass
class FetchReport:
    """What one fetch did, for the CLI and asset metadata."""

    service: str
    landed: list[str]
    unchanged: list[str]
    empty: list[str]
    sources: list[str]
    rows: int = 0
    requests: int = 0
    retries: int = 0
    notes: list[str] | None = None

    def lines(self) -> list[str]:
        out = [
            f"{self.service}: {len(self.landed)} file(s) landed, {len(self.unchanged)} unchanged, "
            f"{self.rows:,} rows, {self.requests} request(s), {self.retries} retr(y/ies)"
        ]
        out += [f"  landed {p}" for p in self.landed]
        out += [f"  unchanged {p} (same content, nothing rewritten)" for p in self.unchanged]
        out += [f"  no rows: {e} (nothing landed, existing data kept)" for e in self.empty]
        out += [f"  note: {n}" for n in self.notes or []]
        return out
