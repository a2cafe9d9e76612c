"""Fetch Eurostat Comext imports of the rare-earth CN8 codes into landing/trade/comext/.

Source: the Comext dissemination API, dataset DS-045409 (EU trade by CN8), answering JSON-stat
2.0: `GET {base}/statistics/1.0/data/DS-045409?format=JSON&lang=EN&freq=A&reporter=DE&
product=28053010&...&flow=1&indicators=VALUE_IN_EUROS&indicators=QUANTITY_IN_100KG&time=2023`.
One request per declarant and year (the API refuses very large extractions); each answered
piece is kept under landing/.fetch/comext/ until its year lands, so a rerun resumes.

Landed layout, one file per year (`comext-api_DS-045409_{year}_{query}.csv`), the columns of the
bundled Comext extract (data/SOURCES.md): reporter_iso2, reporter_iso3, partner_iso2,
partner_iso3, flow, cn8_code, cn8_description, hs6_code, year, value_eur, net_weight_kg,
is_derived, source_repo, source_path, source_commit, source_url, note. Declarants are ISO
alpha-2 as Comext spells them (Greece `EL`); ISO3 comes from data/reference/countries.csv;
net_weight_kg = QUANTITY_IN_100KG x 100.
"""

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from etl.reference.lookups import iso2_to_iso3 as country_iso2_to_iso3
from etl.settings import BUNDLED_DATA

SERVICE = "Eurostat Comext"
DEFAULT_BASE_URL = "https://ec.europa.eu/eurostat/api/comext/dissemination"
DATASET = "DS-045409"
LANDING_COMEXT = ("trade", "comext")
CACHE_DIR = (".fetch", "comext")
VALUE = "VALUE_IN_EUROS"
QUANTITY = "QUANTITY_IN_100KG"
FLOWS = {"1": "import", "2": "export"}
DIMENSIONS = ("reporter", "partner", "product", "flow", "indicators", "time")
EU27 = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
# Rare-earth CN8 codes (2805 30, 2846, 2530 90 50); subdivisions change between CN years.
RARE_EARTH_CN8 = (
    "25309050",
    "28053010",
    "28053021",
    "28053029",
    "28053031",
    "28053039",
    "28053040",
    "28053080",
    "28461000",
    "28469030",
    "28469040",
    "28469050",
    "28469060",
    "28469070",
    "28469090",
)
COLUMNS = (
    "reporter_iso2",
    "reporter_iso3",
    "partner_iso2",
    "partner_iso3",
    "flow",
    "cn8_code",
    "cn8_description",
    "hs6_code",
    "year",
    "value_eur",
    "net_weight_kg",
    "is_derived",
    "source_repo",
    "source_path",
    "source_commit",
    "source_url",
    "note",
)
COMEXT_ONLY = {"EL": "GRC", "XS": "SRB", "GB": "GBR", "XK": "XKX"}


@dataclass(frozen=True)
class ComextQuery:
    """Declarants, partners (None = all), CN8 codes, years and flow (1 import, 2 export)."""

    years: tuple[str, ...]
    reporters: tuple[str, ...] = EU27
    products: tuple[str, ...] = RARE_EARTH_CN8
    partners: tuple[str, ...] | None = None
    flow: str = "1"

    def __post_init__(self) -> None:
        bad = [y for y in self.years if not (y.isdigit() and len(y) == 4)]
        if bad or not self.years:
            raise FetchError(f"{SERVICE}: years must be YYYY (got {', '.join(bad) or 'none'})")
        if self.flow not in FLOWS:
            raise FetchError(f"{SERVICE}: flow must be 1 (import) or 2 (export)")

    def params(self, reporter: str, year: str) -> list[tuple[str, str]]:
        pairs = [("format", "JSON"), ("lang", "EN"), ("freq", "A"), ("reporter", reporter)]
        pairs += [("partner", p) for p in self.partners or ()]
        pairs += [("product", p) for p in self.products]
        pairs += [("flow", self.flow), ("indicators", VALUE), ("indicators", QUANTITY)]
        return [*pairs, ("time", year)]

    def digest(self) -> str:
        text = json.dumps([self.reporters, self.products, self.partners, self.flow])
        return hashlib.sha256(text.encode()).hexdigest()[:8]


def iso2_to_iso3(reference_dir: Path) -> dict[str, str]:
    """ISO alpha-2 -> alpha-3 of every country (the reference lookup), plus Comext's own."""
    return {**country_iso2_to_iso3(reference_dir), **COMEXT_ONLY}


def _category(dataset: dict[str, Any], name: str) -> tuple[list[str], dict[str, str]]:
    """(codes in index order, code -> label) of one JSON-stat dimension."""
    try:
        category = dataset["dimension"][name]["category"]
        index = category["index"]
    except (KeyError, TypeError) as exc:
        raise FetchError(
            f"{SERVICE}: changed layout: JSON-stat dimension {name!r} has no category index"
        ) from exc
    if isinstance(index, list):
        codes = [str(c) for c in index]
    else:
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    return codes, {str(k): str(v) for k, v in (category.get("label") or {}).items()}


def parse_jsonstat(dataset: Any, shown: str) -> list[dict[str, Any]]:
    """Observations of a JSON-stat 2.0 dataset as dicts of dimension codes and `value`."""
    if not isinstance(dataset, dict):
        raise FetchError(f"{SERVICE}: changed layout at {shown}: not a JSON object")
    if "error" in dataset:
        error = dataset["error"]
        label = error.get("label", error) if isinstance(error, dict) else error
        raise FetchError(f"{SERVICE}: {shown} answered an error: {label}")
    ids, sizes = dataset.get("id"), dataset.get("size")
    if (
        dataset.get("class") != "dataset"
        or not isinstance(ids, list)
        or not isinstance(sizes, list)
    ):
        raise FetchError(
            f"{SERVICE}: changed layout at {shown}: expected a JSON-stat dataset (class, id, size)"
        )
    missing = [d for d in DIMENSIONS if d not in ids]
    if missing:
        raise FetchError(
            f"{SERVICE}: changed layout at {shown}: dimension(s) {', '.join(missing)} missing "
            f"(found {', '.join(map(str, ids))})"
        )
    categories = {name: _category(dataset, name) for name in ids}
    values = dataset.get("value") or {}
    items = (
        ((int(k), v) for k, v in values.items()) if isinstance(values, dict) else enumerate(values)
    )
    out = []
    for flat, value in items:
        if value is None:
            continue
        obs: dict[str, Any] = {"value": value}
        rest = flat
        for name, size in zip(reversed(ids), reversed(sizes), strict=True):
            rest, position = divmod(rest, int(size))
            codes, labels = categories[name]
            obs[name] = codes[position]
            obs[f"{name}_label"] = labels.get(codes[position], "")
        out.append(obs)
    return out


class ComextFetcher:
    """Fetches a `ComextQuery` from the dissemination API, one declarant and year a request."""

    def __init__(
        self,
        landing: Path,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        reference_dir: Path = BUNDLED_DATA / "reference",
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.landing = Path(landing)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.iso3 = iso2_to_iso3(reference_dir)
        self.client = HttpClient(SERVICE, retry=retry, log=log)

    @property
    def url(self) -> str:
        return f"{self.base_url}/statistics/1.0/data/{DATASET}"

    def _piece(self, query: ComextQuery, reporter: str, year: str) -> list[dict[str, Any]]:
        params = query.params(reporter, year)
        key = hashlib.sha256(json.dumps([self.url, params]).encode()).hexdigest()[:16]
        cached = self.landing.joinpath(*CACHE_DIR, year, f"{key}.json")
        if cached.is_file():
            return list(json.loads(cached.read_bytes()))
        shown = f"{self.url}?{urlencode(params)}"
        observations = parse_jsonstat(self.client.get_json(self.url, params, shown=shown), shown)
        write_atomic(cached, json.dumps(observations).encode())
        return observations

    def fetch(self, query: ComextQuery) -> FetchReport:
        report = FetchReport(SERVICE, [], [], [], [], notes=[f"dataset {DATASET} (JSON-stat)"])
        with self.client:
            for year in query.years:
                observations = [obs for r in query.reporters for obs in self._piece(query, r, year)]
                name = f"comext-api_{DATASET}_{year}_{query.digest()}.csv"
                relpath = "/".join((*LANDING_COMEXT, name))
                rows = self.rows(observations, query, year)
                if not rows:
                    report.empty.append(f"year {year}")
                else:
                    data = to_csv(rows)
                    target = self.landing.joinpath(*LANDING_COMEXT, name)
                    (report.landed if land_bytes(target, data) else report.unchanged).append(
                        relpath
                    )
                    report.rows += len(rows)
                    report.sources.append(self._register(query, year, relpath, data, len(rows)))
                self._clear_cache(year)
        report.requests, report.retries = self.client.requests, self.client.retries
        return report

    def rows(
        self, observations: Sequence[dict[str, Any]], query: ComextQuery, year: str
    ) -> list[dict[str, str]]:
        """One row per declarant, partner, CN8 and year with value (EUR) and weight (kg)."""
        merged: dict[tuple[str, str, str, str], dict[str, str]] = {}
        for obs in observations:
            key = (obs["reporter"], obs["partner"], obs["product"], obs["time"])
            row = merged.setdefault(
                key,
                {
                    "reporter_iso2": obs["reporter"],
                    "reporter_iso3": self.iso3.get(obs["reporter"], ""),
                    "partner_iso2": obs["partner"],
                    "partner_iso3": self.iso3.get(obs["partner"], ""),
                    "flow": FLOWS.get(str(obs["flow"]), str(obs["flow"])),
                    "cn8_code": obs["product"],
                    "cn8_description": obs.get("product_label", ""),
                    "hs6_code": obs["product"][:6],
                    "year": str(obs["time"]),
                    "value_eur": "",
                    "net_weight_kg": "",
                    "is_derived": "false",
                    "source_repo": "",
                    "source_path": "",
                    "source_commit": "",
                    "source_url": self._year_url(query, year),
                    "note": f"Eurostat Comext dissemination API ({DATASET}, JSON-stat), fetched "
                    "by reekg fetch comext; value in EUR; net_weight_kg = QUANTITY_IN_100KG x 100",
                },
            )
            if obs["indicators"] == VALUE:
                row["value_eur"] = _number(obs["value"])
            elif obs["indicators"] == QUANTITY:
                row["net_weight_kg"] = _number(float(obs["value"]) * 100)
        return [merged[k] for k in sorted(merged)]

    def _year_url(self, query: ComextQuery, year: str) -> str:
        params = [p for p in query.params("", year) if p[0] != "reporter"]
        params += [("reporter", r) for r in query.reporters]
        return f"{self.url}?{urlencode(params)}"

    def _clear_cache(self, year: str) -> None:
        folder = self.landing.joinpath(*CACHE_DIR, year)
        if folder.is_dir():
            for path in folder.glob("*.json"):
                path.unlink()
            folder.rmdir()

    def _register(self, query: ComextQuery, year: str, relpath: str, data: bytes, rows: int) -> str:
        digest = sha256_hex(data)
        source_id = f"eurostat-comext-api-{year}-{digest[:12]}"
        register_source(
            self.landing,
            SourceRecord(
                source_id=source_id,
                title=f"Eurostat Comext {DATASET}: EU member imports of rare-earth CN8 codes "
                f"by partner, {year}",
                publisher="Eurostat",
                url=self._year_url(query, year),
                kind="official",
                license="Eurostat reuse policy (CC BY 4.0)",
                notes=f"fetched {utc_now()} by reekg fetch comext; sha256 {digest}; {rows} rows; "
                f"landed as {relpath}",
            ),
            digest,
        )
        return source_id


def _number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def to_csv(rows: Sequence[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --- Dagster: the fetch job and its schedule --------------------------------------------------

BASE_URL_ENV = "REEKG_COMEXT_BASE_URL"


class ComextFetchConfig(dg.Config):
    """Years (YYYY) and declarants to fetch."""

    years: list[str]
    reporters: list[str] = list(EU27)  # noqa: RUF012 (pydantic copies defaults)
    base_url: str | None = None


@dg.op(
    name="fetch_comext",
    description="Fetch Eurostat Comext DS-045409 imports of the rare-earth CN8 codes by EU member "
    f"and partner into landing/trade/comext (no key needed). Base URL: config base_url, else "
    f"{BASE_URL_ENV}, else Eurostat.",
)
def fetch_comext_op(
    context: dg.OpExecutionContext, config: ComextFetchConfig, settings: SettingsResource
) -> dg.Output[list[str]]:
    base_url = config.base_url or os.environ.get(BASE_URL_ENV) or None
    fetcher = ComextFetcher(
        Path(settings.landing_dir),
        base_url,
        reference_dir=settings.data("reference"),
        log=context.log.info,
    )
    report = fetcher.fetch(ComextQuery(tuple(config.years), tuple(config.reporters)))
    for line in report.lines():
        context.log.info(line)
    return dg.Output(
        report.landed,
        metadata={
            "landed": dg.MetadataValue.json(report.landed),
            "unchanged": dg.MetadataValue.json(report.unchanged),
            "sources": dg.MetadataValue.json(report.sources),
            "rows": dg.MetadataValue.int(report.rows),
        },
    )


@dg.job(
    name="trade_fetch_comext",
    description="Fetch Eurostat Comext rare-earth imports into landing/trade/comext.",
)
def comext_fetch_job() -> None:
    fetch_comext_op()


@dg.schedule(
    job=comext_fetch_job,
    name="trade_fetch_comext_monthly",
    cron_schedule="0 5 20 * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="OFF by default: on the 20th, fetch last year's and the year before's Comext "
    "rare-earth imports into landing/trade/comext (loaded once the Comext reader reads that "
    "folder).",
)
def trade_fetch_comext_monthly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = context.scheduled_execution_time.year
    years = [str(year - 2), str(year - 1)]
    return dg.RunRequest(
        run_key=f"comext-fetch-{context.scheduled_execution_time:%Y-%m}",
        run_config={"ops": {"fetch_comext": {"config": {"years": years}}}},
        tags={"reekg/trigger": "schedule"},
    )
