"""Fetch UN Comtrade rows through its documented API into landing/trade/comtrade/.

With a subscription key (`COMTRADE_API_KEY`) the data API is used
(`/data/v1/get/{type}/{freq}/HS`, header `Ocp-Apim-Subscription-Key`); without one the public
preview (`/public/v1/preview/...`), which answers at most 500 rows a call, and says so. A
capped answer is never taken as complete: the request is split (reporters, then HS codes, then
flows, then periods) until every piece comes back under the cap, or the fetch fails naming the
piece. Each answered piece is kept under landing/.fetch/comtrade/ until its period lands, so a
rerun after a failure asks only for what is missing.

One CSV per period lands as `comtrade-api_{freq}{period}_{query}.csv` in the full API column
layout (`COMTRADE_COLUMNS`), the layout `read_comtrade` loads; an unchanged payload is not
rewritten and an empty one lands nothing.
"""

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dagster as dg

from etl.core.http import (
    FetchError,
    FetchReport,
    HttpClient,
    RetryPolicy,
    SourceRecord,
    land_bytes,
    register_source,
    sha256_hex,
    utc_now,
    write_atomic,
)
from etl.core.settings_resource import SettingsResource
from etl.trade.models import COMTRADE_COLUMNS, LANDING_COMTRADE, RARE_EARTH_HS_CODES

SERVICE = "UN Comtrade"
DEFAULT_BASE_URL = "https://comtradeapi.un.org"
KEY_ENV = "COMTRADE_API_KEY"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
PREVIEW_ROW_CAP = 500
DATA_ROW_CAP = 250_000
CACHE_DIR = (".fetch", "comtrade")
# Default reporters: the buyers the project follows and China (UN M49 as Comtrade uses them).
DEFAULT_REPORTERS = ("842", "392", "410", "276", "251", "156")
DEFAULT_FLOWS = ("M", "X")
SORT_KEY = ("reporterCode", "flowCode", "partnerCode", "partner2Code", "cmdCode", "customsCode")


@dataclass(frozen=True)
class ComtradeQuery:
    """What to ask for: reporters, partners (None = all), periods, frequency, HS codes, flows."""

    reporters: tuple[str, ...] = DEFAULT_REPORTERS
    periods: tuple[str, ...] = ()
    freq: str = "A"
    hs_codes: tuple[str, ...] = RARE_EARTH_HS_CODES
    flows: tuple[str, ...] = DEFAULT_FLOWS
    partners: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.freq not in ("A", "M"):
            raise FetchError(f"{SERVICE}: frequency must be A (annual) or M (monthly)")
        pattern = 4 if self.freq == "A" else 6
        bad = [p for p in self.periods if not (p.isdigit() and len(p) == pattern)]
        if bad or not self.periods:
            shape = "YYYY" if self.freq == "A" else "YYYYMM"
            raise FetchError(f"{SERVICE}: periods must be {shape} (got {', '.join(bad) or 'none'})")

    def params(self, row_cap: int) -> dict[str, str]:
        params = {
            "reporterCode": ",".join(self.reporters),
            "period": ",".join(self.periods),
            "cmdCode": ",".join(self.hs_codes),
            "flowCode": ",".join(self.flows),
            "partner2Code": "0",
            "customsCode": "C00",
            "motCode": "0",
            "includeDesc": "true",
            "maxRecords": str(row_cap),
        }
        if self.partners is not None:
            params["partnerCode"] = ",".join(self.partners)
        return params

    def digest(self) -> str:
        """A short id of the query without its periods (names the landed files)."""
        text = json.dumps([self.reporters, self.hs_codes, self.flows, self.partners])
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def split(self) -> "tuple[ComtradeQuery, ComtradeQuery] | None":
        """Two halves of the query (first along reporters, HS codes, flows, partners, periods)."""
        for name in ("reporters", "hs_codes", "flows", "partners", "periods"):
            values = getattr(self, name)
            if values is not None and len(values) > 1:
                half = len(values) // 2
                return replace(self, **{name: values[:half]}), replace(
                    self, **{name: values[half:]}
                )
        return None


def latest_months(today: date, count: int = 3, lag: int = 1) -> tuple[str, ...]:
    """The `count` months before `today`, skipping `lag - 1` more (YYYYMM, oldest first)."""
    index = today.year * 12 + today.month - 1 - lag
    months = [index - i for i in range(count)]
    return tuple(f"{m // 12}{m % 12 + 1:02d}" for m in sorted(months))


def api_key_from_env() -> str | None:
    """The subscription key from `COMTRADE_API_KEY`; None when unset or blank (preview)."""
    value = os.environ.get(KEY_ENV, "").strip()
    return value or None


class ComtradeFetcher:
    """Fetches one query from the data API (with a key) or the public preview (without)."""

    def __init__(
        self,
        landing: Path,
        base_url: str | None = None,
        api_key: str | None = None,
        retry: RetryPolicy | None = None,
        log: Callable[[str], None] | None = None,
        row_cap: int | None = None,
    ) -> None:
        self.landing = Path(landing)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_key = api_key
        # The most rows one answer may hold (sent as maxRecords); an answer that size is capped.
        self.row_cap = row_cap or (DATA_ROW_CAP if api_key else PREVIEW_ROW_CAP)
        self.log = log or (lambda _m: None)
        headers = {KEY_HEADER: api_key} if api_key else {}
        self.client = HttpClient(
            SERVICE, headers=headers, retry=retry, key_hint=KEY_ENV, log=self.log
        )

    @property
    def endpoint_name(self) -> str:
        return "data API" if self.api_key else f"public preview (no {KEY_ENV})"

    def url(self, query: ComtradeQuery) -> str:
        kind = "data/v1/get" if self.api_key else "public/v1/preview"
        return f"{self.base_url}/{kind}/C/{query.freq}/HS"

    def _cache(self, query: ComtradeQuery, period_query: ComtradeQuery) -> Path:
        key = hashlib.sha256(
            json.dumps([self.url(query), query.params(self.row_cap)]).encode()
        ).hexdigest()[:16]
        return self.landing.joinpath(*CACHE_DIR, period_query.periods[0], f"{key}.json")

    def _records(self, query: ComtradeQuery, period_query: ComtradeQuery) -> list[dict[str, Any]]:
        """All records of `query`, splitting it while an answer reaches the row cap."""
        cached = self._cache(query, period_query)
        if cached.is_file():
            return list(json.loads(cached.read_bytes()))
        url, params = self.url(query), query.params(self.row_cap)
        shown = f"{url}?{urlencode(params)}"
        body = self.client.get_json(url, params=params, shown=shown)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise FetchError(
                f"{SERVICE}: changed layout at {shown}: expected a JSON object with a 'data' list"
            )
        if body.get("error"):
            raise FetchError(f"{SERVICE}: {shown} answered an error: {body['error']}")
        data: list[dict[str, Any]] = body["data"]
        count = body.get("count")
        capped = len(data) >= self.row_cap or (isinstance(count, int) and count > len(data))
        if capped:
            halves = query.split()
            if halves is None:
                raise FetchError(
                    f"{SERVICE}: {self.endpoint_name} row cap ({self.row_cap}) reached for "
                    f"reporter {query.reporters[0]}, HS {query.hs_codes[0]}, flow "
                    f"{query.flows[0]}, period {query.periods[0]}: the answer is incomplete "
                    f"and cannot be split further"
                    + ("" if self.api_key else f"; set {KEY_ENV} to use the data API")
                )
            self.log(f"{SERVICE}: {len(data)} rows hit the cap of {self.row_cap}; splitting")
            return [r for half in halves for r in self._records(half, period_query)]
        write_atomic(cached, json.dumps(data).encode())
        return data

    def fetch(self, query: ComtradeQuery) -> FetchReport:
        """Fetch each period of `query` and land one CSV per period that returned rows."""
        report = FetchReport(SERVICE, [], [], [], [], notes=[f"endpoint: {self.endpoint_name}"])
        folder = self.landing.joinpath(*LANDING_COMTRADE)
        with self.client:
            for period in query.periods:
                period_query = replace(query, periods=(period,))
                records = self._records(period_query, period_query)
                relpath = "/".join(
                    (*LANDING_COMTRADE, f"comtrade-api_{query.freq}{period}_{query.digest()}.csv")
                )
                if not records:
                    report.empty.append(f"period {period}")
                    self._clear_cache(period)
                    continue
                data = to_csv(records, relpath)
                target = folder / Path(relpath).name
                if land_bytes(target, data):
                    report.landed.append(relpath)
                else:
                    report.unchanged.append(relpath)
                report.rows += len(records)
                report.sources.append(self._register(period_query, relpath, data, len(records)))
                self._clear_cache(period)
        report.requests, report.retries = self.client.requests, self.client.retries
        return report

    def _clear_cache(self, period: str) -> None:
        folder = self.landing.joinpath(*CACHE_DIR, period)
        if folder.is_dir():
            for path in folder.glob("*.json"):
                path.unlink()
            folder.rmdir()

    def _register(self, query: ComtradeQuery, relpath: str, data: bytes, rows: int) -> str:
        digest = sha256_hex(data)
        period = query.periods[0]
        source_id = f"un-comtrade-api-{query.freq.lower()}{period}-{digest[:12]}"
        url = f"{self.url(query)}?{urlencode(query.params(self.row_cap))}"
        record = SourceRecord(
            source_id=source_id,
            title=f"UN Comtrade API: HS {', '.join(query.hs_codes)} reported by "
            f"{', '.join(query.reporters)}, {'annual' if query.freq == 'A' else 'monthly'} "
            f"{period}",
            publisher="United Nations Statistics Division",
            url=url,
            kind="official",
            license="UN Comtrade terms of use",
            notes=f"fetched {utc_now()} by reekg fetch comtrade ({self.endpoint_name}); "
            f"sha256 {digest}; {rows} rows; landed as {relpath}",
        )
        register_source(self.landing, record, digest)
        return source_id


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def to_csv(records: Sequence[dict[str, Any]], label: str) -> bytes:
    """Records as CSV in the full API column layout, sorted so a rerun writes the same bytes."""
    missing = sorted({c for r in records for c in COMTRADE_COLUMNS if c not in r})
    if missing:
        raise FetchError(
            f"{SERVICE}: changed layout for {label}: record(s) lack {', '.join(missing[:8])}"
            + (f" (+{len(missing) - 8} more)" if len(missing) > 8 else "")
        )
    rows = sorted(
        ([_cell(r[c]) for c in COMTRADE_COLUMNS] for r in records),
        key=lambda row: tuple(row[COMTRADE_COLUMNS.index(c)] for c in SORT_KEY) + tuple(row),
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COMTRADE_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --- Dagster: the fetch job and its schedule (loading is left to trade_landing_sensor) -------

BASE_URL_ENV = "REEKG_COMTRADE_BASE_URL"
FETCH_JOB = "trade_fetch_comtrade"


class ComtradeFetchConfig(dg.Config):
    """Months (YYYYMM) and years (YYYY) to fetch; empty lists fetch nothing of that frequency."""

    months: list[str] = []  # noqa: RUF012 (pydantic copies defaults)
    years: list[str] = []  # noqa: RUF012
    reporters: list[str] = list(DEFAULT_REPORTERS)  # noqa: RUF012
    base_url: str | None = None


@dg.op(
    name="fetch_comtrade",
    description="Fetch UN Comtrade rows of the rare-earth HS codes into landing/trade/comtrade "
    f"(needs {KEY_ENV} for complete answers; without it the 500-row public preview is used and "
    f"capped answers fail). Base URL: config base_url, else {BASE_URL_ENV}, else the UN API.",
)
def fetch_comtrade_op(
    context: dg.OpExecutionContext, config: ComtradeFetchConfig, settings: SettingsResource
) -> dg.Output[list[str]]:
    key = api_key_from_env()
    if key is None:
        context.log.warning(f"{KEY_ENV} not set: using the public preview (500 rows a call)")
    base_url = config.base_url or os.environ.get(BASE_URL_ENV) or None
    fetcher = ComtradeFetcher(Path(settings.landing_dir), base_url, key, log=context.log.info)
    reports = [
        fetcher.fetch(ComtradeQuery(tuple(config.reporters), tuple(periods), freq))
        for freq, periods in (("M", config.months), ("A", config.years))
        if periods
    ]
    landed = [p for r in reports for p in r.landed]
    for report in reports:
        for line in report.lines():
            context.log.info(line)
    return dg.Output(
        landed,
        metadata={
            "landed": dg.MetadataValue.json(landed),
            "unchanged": dg.MetadataValue.json([p for r in reports for p in r.unchanged]),
            "sources": dg.MetadataValue.json([s for r in reports for s in r.sources]),
            "rows": dg.MetadataValue.int(sum(r.rows for r in reports)),
            "endpoint": dg.MetadataValue.text(fetcher.endpoint_name),
        },
    )


@dg.job(
    name=FETCH_JOB,
    description="Fetch the latest UN Comtrade months and years into the landing folder; "
    "trade_landing_sensor then loads the partitions the new files touch.",
)
def comtrade_fetch_job() -> None:
    fetch_comtrade_op()


@dg.schedule(
    job=comtrade_fetch_job,
    name="trade_fetch_monthly",
    cron_schedule="0 5 1 * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=f"OFF by default (needs {KEY_ENV}): on the 1st, fetch the three months ending "
    "two months back (Comtrade's reporting lag) and the two previous years from UN Comtrade "
    "into landing/trade/comtrade; the landing sensor loads them and trade_monthly rebuilds the "
    "marts.",
)
def trade_fetch_monthly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    when = context.scheduled_execution_time.date()
    months = list(latest_months(when, count=3, lag=2))
    years = [str(when.year - 2), str(when.year - 1)]
    return dg.RunRequest(
        run_key=f"comtrade-fetch-{when:%Y-%m}",
        run_config={"ops": {"fetch_comtrade": {"config": {"months": months, "years": years}}}},
        tags={"reekg/trigger": "schedule"},
    )
