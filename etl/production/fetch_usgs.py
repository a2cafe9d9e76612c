"""Fetch one edition's rare-earths CSVs from the USGS Mineral Commodity Summaries data release.

The data release lives on ScienceBase: an item (found by `catalog/items?q=...&format=json`, or
given with its id) whose JSON lists its files (`files[].name`, `.url`, `.checksum`). The two
files wanted, `mcsYYYY-raree_world.csv` and `mcsYYYY-raree_salient.csv`, are taken from that
list, or from inside a listed zip archive. Downloads go to landing/.fetch/usgs/*.part and resume
with a Range request after a dropped connection; a listed MD5 is verified.

Each file lands byte for byte in landing/production/ (the names the production reader loads)
after its header passed the layout check, and is registered as source
`usgs-mcsYYYY-rare-earths` (world table; the id the production asset cites) or
`usgs-mcsYYYY-rare-earths-salient`.
"""

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Callable
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
)
from etl.core.settings_resource import SettingsResource
from etl.production.models import YEAR_COLUMN

SERVICE = "USGS ScienceBase"
DEFAULT_BASE_URL = "https://www.sciencebase.gov"
LANDING_PRODUCTION = ("production",)
CACHE_DIR = (".fetch", "usgs")
KINDS = {
    "world": ("Source", "Country"),
    "salient": ("DataSource", "Commodity", "Year"),
}


def file_name(edition: str, kind: str) -> str:
    return f"mcs{edition}-raree_{kind}.csv"


def source_id(edition: str, kind: str) -> str:
    return f"usgs-mcs{edition}-rare-earths" + ("" if kind == "world" else "-salient")


def check_layout(data: bytes, name: str, edition: str, kind: str) -> None:
    """The header has the columns the readers need (and, for the world table, a year column)."""
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if not any(h for h in header):
        raise FetchError(f"{SERVICE}: {name} is empty (nothing landed, existing file kept)")
    missing = [c for c in KINDS[kind] if c not in header]
    if kind == "world" and not any(YEAR_COLUMN.match(h) for h in header):
        missing.append("Prod_t[_est]_YYYY")
    if missing:
        raise FetchError(
            f"{SERVICE}: changed layout in {name}: row 1 (header) lacks {', '.join(missing)} "
            f"(found {', '.join(h for h in header if h)[:200]})"
        )
    if not any(any(cell.strip() for cell in row) for row in reader):
        raise FetchError(f"{SERVICE}: {name} has a header but no rows (nothing landed)")
    if f"MCS{edition}" not in text[:4000]:
        raise FetchError(f"{SERVICE}: {name} does not name edition MCS{edition} in its rows")


class UsgsFetcher:
    """Finds the edition's ScienceBase item, downloads and lands its rare-earths CSVs."""

    def __init__(
        self,
        landing: Path,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.landing = Path(landing)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.client = HttpClient(SERVICE, retry=retry, log=log)

    def find_item(self, edition: str) -> str:
        """The id of the 'Mineral Commodity Summaries YYYY data release' item."""
        url = f"{self.base_url}/catalog/items"
        params = {
            "q": f"Mineral Commodity Summaries {edition} data release",
            "format": "json",
            "max": "20",
        }
        body = self.client.get_json(url, params, shown=f"{url}?{urlencode(params)}")
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise FetchError(f"{SERVICE}: changed layout at {url}: expected an 'items' list")
        wanted = f"mineral commodity summaries {edition}"
        for item in items:
            title = str(item.get("title", "")).lower() if isinstance(item, dict) else ""
            if wanted in title and "data release" in title and item.get("id"):
                return str(item["id"])
        raise FetchError(f"{SERVICE}: no data release item found for MCS{edition} at {url}")

    def item_files(self, item_id: str) -> tuple[str, list[dict[str, Any]]]:
        url = f"{self.base_url}/catalog/item/{item_id}"
        body = self.client.get_json(url, {"format": "json"}, shown=f"{url}?format=json")
        files = body.get("files") if isinstance(body, dict) else None
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and "name" in f and "url" in f for f in files
        ):
            raise FetchError(
                f"{SERVICE}: changed layout at {url}: expected 'files' with name and url"
            )
        return f"{url}?format=json", files

    def _download(self, entry: dict[str, Any]) -> bytes:
        """The file's bytes (resuming a partial download); a listed MD5 must match. A resumed
        file that does not match (the release changed meanwhile) is downloaded once afresh."""
        name = str(entry["name"])
        target = self.landing.joinpath(*CACHE_DIR, name)
        checksum = entry.get("checksum") or {}
        expected = str(checksum.get("value", "")).lower()
        is_md5 = str(checksum.get("type", "")).upper() == "MD5" and bool(expected)
        for _attempt in range(2):
            data = self.client.download(str(entry["url"]), target)
            if not is_md5 or hashlib.md5(data).hexdigest() == expected:
                return data
            target.with_name(name + ".part").unlink(missing_ok=True)
        raise FetchError(f"{SERVICE}: {name}: MD5 does not match the item's checksum")

    def fetch(self, edition: str, item_id: str | None = None) -> FetchReport:
        if not (edition.isdigit() and len(edition) == 4):
            raise FetchError(f"{SERVICE}: edition must be a year such as 2025 (got {edition!r})")
        report = FetchReport(SERVICE, [], [], [], [])
        with self.client:
            item = item_id or self.find_item(edition)
            item_url, files = self.item_files(item)
            report.notes = [f"item {item}"]
            wanted = {file_name(edition, k).lower(): k for k in KINDS}
            found: dict[str, tuple[bytes, str]] = {}
            for entry in files:
                if str(entry["name"]).lower() in wanted:
                    found[wanted[str(entry["name"]).lower()]] = (
                        self._download(entry),
                        str(entry["url"]),
                    )
            for entry in files:
                if len(found) == len(KINDS) or not str(entry["name"]).lower().endswith(".zip"):
                    continue
                archive = self._download(entry)
                for kind, data in self._from_zip(archive, str(entry["name"]), wanted).items():
                    found.setdefault(kind, (data, f"{entry['url']}#{file_name(edition, kind)}"))
            if not found:
                raise FetchError(
                    f"{SERVICE}: item {item} lists neither {' nor '.join(wanted)} "
                    "(nor a zip holding them)"
                )
            for kind in KINDS:
                if kind not in found:
                    report.empty.append(f"{file_name(edition, kind)} not in item {item}")
                    continue
                data, url = found[kind]
                name = file_name(edition, kind)
                check_layout(data, name, edition, kind)
                target = self.landing.joinpath(*LANDING_PRODUCTION, name)
                relpath = "/".join((*LANDING_PRODUCTION, name))
                (report.landed if land_bytes(target, data) else report.unchanged).append(relpath)
                report.rows += max(0, data.count(b"\n") - 1)
                report.sources.append(self._register(edition, kind, url, item_url, data))
            for entry in files:
                self.landing.joinpath(*CACHE_DIR, str(entry["name"]) + ".part").unlink(
                    missing_ok=True
                )
        report.requests, report.retries = self.client.requests, self.client.retries
        return report

    @staticmethod
    def _from_zip(archive: bytes, name: str, wanted: dict[str, str]) -> dict[str, bytes]:
        try:
            with zipfile.ZipFile(io.BytesIO(archive)) as zf:
                return {
                    wanted[Path(m).name.lower()]: zf.read(m)
                    for m in zf.namelist()
                    if Path(m).name.lower() in wanted
                }
        except zipfile.BadZipFile as exc:
            raise FetchError(f"{SERVICE}: {name} is not a readable zip archive") from exc

    def _register(self, edition: str, kind: str, url: str, item_url: str, data: bytes) -> str:
        sid = source_id(edition, kind)
        table = "world mine production and reserves" if kind == "world" else "salient statistics"
        register_source(
            self.landing,
            SourceRecord(
                source_id=sid,
                title=f"Mineral Commodity Summaries {edition}: Rare Earths ({table} table)",
                publisher="U.S. Geological Survey",
                url=url,
                kind="official",
                license="Public domain (US Government work)",
                notes=f"data release file fetched {utc_now()} by reekg fetch usgs from "
                f"{item_url}; sha256 {sha256_hex(data)}; kept byte for byte",
            ),
            sha256_hex(data),
        )
        return sid


# --- Dagster: the fetch job and its February schedule ---------------------------------------

BASE_URL_ENV = "REEKG_USGS_BASE_URL"


class UsgsFetchConfig(dg.Config):
    """The MCS edition (YYYY) and, optionally, its ScienceBase item id (else it is searched)."""

    edition: str
    item_id: str | None = None
    base_url: str | None = None


@dg.op(
    name="fetch_usgs",
    description="Fetch the rare-earths world and salient CSVs of one USGS MCS edition from its "
    "ScienceBase data release into landing/production (no key needed); the landing sensor then "
    f"loads the edition. Base URL: config base_url, else {BASE_URL_ENV}, else ScienceBase.",
)
def fetch_usgs_op(
    context: dg.OpExecutionContext, config: UsgsFetchConfig, settings: SettingsResource
) -> dg.Output[list[str]]:
    base_url = config.base_url or os.environ.get(BASE_URL_ENV) or None
    fetcher = UsgsFetcher(Path(settings.landing_dir), base_url, log=context.log.info)
    report = fetcher.fetch(config.edition, config.item_id)
    for line in report.lines():
        context.log.info(line)
    return dg.Output(
        report.landed,
        metadata={
            "landed": dg.MetadataValue.json(report.landed),
            "unchanged": dg.MetadataValue.json(report.unchanged),
            "sources": dg.MetadataValue.json(report.sources),
        },
    )


@dg.job(
    name="production_fetch_usgs",
    description="Fetch one USGS MCS edition's rare-earths CSVs into landing/production.",
)
def usgs_fetch_job() -> None:
    fetch_usgs_op()


@dg.schedule(
    job=usgs_fetch_job,
    name="production_fetch_usgs_february",
    cron_schedule="0 7 * 2 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Mondays in February: fetch that year's USGS MCS edition (published late "
    "January) into landing/production; a refetch of the same files lands nothing new.",
)
def production_fetch_usgs_february(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    edition = str(context.scheduled_execution_time.year)
    return dg.RunRequest(
        run_key=f"usgs-fetch-{context.scheduled_execution_time:%Y-%m-%d}",
        run_config={"ops": {"fetch_usgs": {"config": {"edition": edition}}}},
        tags={"reekg/trigger": "schedule"},
    )
