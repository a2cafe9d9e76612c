"""Local HTTP servers (127.0.0.1, free port) replaying the services' real wire formats, built
from the real files in tests/fetch/data. Each server records the requests it answered and can
be told to misbehave (429, 500, dropped connection, empty answer, changed layout)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from etl.trade.models import COMTRADE_COLUMNS

DATA = Path(__file__).parent / "data"
US_FILE = DATA / "trade_us_imports_by_partner_hs280530_284610_284690_2018_2025.csv"
COMEXT_FILE = DATA / "trade_eu27_imports_by_member_partner_cn8_2022_2023_comext.csv"
GOOD_KEY = "test-key-0123"


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Replay:
    """Routes path -> handler(query, headers) -> (status, headers, body); `hooks` may
    override an answer (return None to let the route answer)."""

    routes: dict[str, Callable[..., tuple[int, dict[str, str], bytes]]] = field(
        default_factory=dict
    )
    hooks: list[Callable[[Seen], tuple[int, dict[str, str], bytes] | None]] = field(
        default_factory=list
    )
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def answer(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        self.seen.append(seen)
        for hook in self.hooks:
            out = hook(seen)
            if out is not None:
                return out
        for prefix, route in self.routes.items():
            if seen.path.startswith(prefix):
                return route(seen)
        return 404, {}, b"not found"


@contextmanager
def serve(replay: Replay) -> Iterator[Replay]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            seen = Seen(
                parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}
            )
            status, headers, body = replay.answer(seen)
            drop = headers.pop("X-Drop-After", None)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if drop is not None:
                self.wfile.write(body[: int(drop)])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    replay.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()


def _json(body: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


# --- UN Comtrade ---------------------------------------------------------------------------


def us_import_records() -> list[dict[str, Any]]:
    """The real US import rows as Comtrade API records (every column of the API layout)."""
    out = []
    with US_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            record: dict[str, Any] = dict.fromkeys(COMTRADE_COLUMNS)
            record.update(
                typeCode="C",
                freqCode="A",
                refPeriodId=int(f"{year}0101"),
                refYear=year,
                refMonth=52,
                period=str(year),
                reporterCode=842,
                reporterISO="USA",
                reporterDesc="USA",
                flowCode="M",
                flowDesc="Import",
                partnerCode=int(row["partner_m49"]),
                partnerISO=row["partner_iso3"],
                partnerDesc=row["partner_name"],
                partner2Code=0,
                partner2ISO="W00",
                partner2Desc="World",
                classificationCode="H6" if year >= 2022 else "H5",
                classificationSearchCode="HS",
                isOriginalClassification=True,
                cmdCode=row["hs_code"],
                cmdDesc="",
                aggrLevel=6,
                isLeaf=True,
                customsCode="C00",
                customsDesc="TOTAL CPC",
                mosCode="0",
                motCode=0,
                motDesc="TOTAL MOT",
                qtyUnitCode=8,
                qtyUnitAbbr="kg",
                qty=None,
                isQtyEstimated=False,
                altQtyUnitCode=None,
                altQtyUnitAbbr=None,
                altQty=None,
                isAltQtyEstimated=False,
                netWgt=None,
                isNetWgtEstimated=False,
                grossWgt=None,
                isGrossWgtEstimated=False,
                cifvalue=float(row["value_usd"]),
                fobvalue=None,
                primaryValue=float(row["value_usd"]),
                legacyEstimationFlag=0,
                isReported=True,
                isAggregate=False,
            )
            out.append(record)
    return out


def comtrade_replay(records: list[dict[str, Any]], preview_cap: int = 500) -> Replay:
    """/data/v1/get (key in Ocp-Apim-Subscription-Key) and /public/v1/preview, filtering the
    records by the query as the API does and honouring maxRecords (preview at most 500)."""

    def handler(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        preview = seen.path.startswith("/public/")
        if not preview and seen.headers.get("ocp-apim-subscription-key") != GOOD_KEY:
            return _json(
                {"statusCode": 401, "message": "Access denied due to invalid subscription key."},
                401,
            )
        freq = seen.path.rstrip("/").split("/")[-2]
        q = {k: v[0].split(",") for k, v in seen.query.items()}
        rows = [
            r
            for r in records
            if r["freqCode"] == freq
            and str(r["reporterCode"]) in q.get("reporterCode", [str(r["reporterCode"])])
            and r["period"] in q["period"]
            and r["cmdCode"] in q.get("cmdCode", [r["cmdCode"]])
            and r["flowCode"] in q.get("flowCode", [r["flowCode"]])
            and str(r["partnerCode"]) in q.get("partnerCode", [str(r["partnerCode"])])
        ]
        cap = int(q.get("maxRecords", ["500"])[0])
        if preview:
            cap = min(cap, preview_cap)
        data = rows[:cap]
        return _json({"elapsedTime": "0.02 secs", "count": len(data), "data": data, "error": ""})

    return Replay(routes={"/data/v1/get/C/": handler, "/public/v1/preview/C/": handler})


# --- Eurostat Comext (JSON-stat 2.0) ---------------------------------------------------------


def comext_rows() -> list[dict[str, str]]:
    with COMEXT_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def jsonstat(rows: list[dict[str, str]], query: dict[str, list[str]]) -> dict[str, Any]:
    """A JSON-stat 2.0 dataset (DS-045409 dimensions) holding `rows` that match `query`."""
    wanted = [
        r
        for r in rows
        if r["reporter_iso2"] in query.get("reporter", [r["reporter_iso2"]])
        and r["cn8_code"] in query.get("product", [r["cn8_code"]])
        and r["year"] in query.get("time", [r["year"]])
        and r["partner_iso2"] in query.get("partner", [r["partner_iso2"]])
    ]
    dims: dict[str, list[str]] = {
        "freq": ["A"],
        "reporter": sorted({r["reporter_iso2"] for r in wanted}),
        "partner": sorted({r["partner_iso2"] for r in wanted}),
        "product": sorted({r["cn8_code"] for r in wanted}),
        "flow": ["1"],
        "indicators": ["VALUE_IN_EUROS"],
        "time": sorted({r["year"] for r in wanted}),
    }
    labels = {r["cn8_code"]: r["cn8_description"] for r in wanted}
    sizes = [len(v) for v in dims.values()]
    values: dict[str, float] = {}
    for r in wanted:
        coords = [
            "A",
            r["reporter_iso2"],
            r["partner_iso2"],
            r["cn8_code"],
            "1",
            "VALUE_IN_EUROS",
            r["year"],
        ]
        flat = 0
        for codes, code in zip(dims.values(), coords, strict=True):
            flat = flat * len(codes) + codes.index(code)
        values[str(flat)] = float(r["value_eur"])
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "EU trade since 1988 by HS2-4-6 and CN8 [DS-045409]",
        "source": "ESTAT",
        "updated": "2024-11-15T23:00:00+0100",
        "value": values,
        "id": list(dims),
        "size": sizes,
        "dimension": {
            name: {
                "label": name,
                "category": {
                    "index": {c: i for i, c in enumerate(codes)},
                    "label": {c: labels.get(c, c) for c in codes},
                },
            }
            for name, codes in dims.items()
        },
    }


def comext_replay() -> Replay:
    rows = comext_rows()

    def handler(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return _json(jsonstat(rows, seen.query))

    return Replay(routes={"/statistics/1.0/data/DS-045409": handler})


# --- USGS ScienceBase ------------------------------------------------------------------------

ITEM_ID = "65a6e45fd34e5af967a46749"


def usgs_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def usgs_replay(edition: str, archive: bytes) -> Replay:
    """catalog/items search, catalog/item/{id} listing one zip, catalog/file/get with Range."""
    name = f"MCS{edition}_Commodities_Data.zip"
    replay = Replay()

    def search(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return _json(
            {
                "total": 1,
                "items": [
                    {
                        "id": ITEM_ID,
                        "title": f"Mineral Commodity Summaries {edition} Data Release",
                        "link": {"rel": "self", "url": f"{replay.url}/catalog/item/{ITEM_ID}"},
                    }
                ],
            }
        )

    def item(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return _json(
            {
                "id": ITEM_ID,
                "title": f"Mineral Commodity Summaries {edition} Data Release",
                "files": [
                    {
                        "name": name,
                        "title": "",
                        "contentType": "application/zip",
                        "size": len(archive),
                        "url": f"{replay.url}/catalog/file/get/{ITEM_ID}?f=__disk__ab",
                        "checksum": {"value": hashlib.md5(archive).hexdigest(), "type": "MD5"},
                    }
                ],
            }
        )

    def download(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        wanted = seen.headers.get("range")
        if wanted:
            start = int(wanted.split("=")[1].split("-")[0])
            return (
                206,
                {
                    "Content-Type": "application/zip",
                    "Content-Range": f"bytes {start}-{len(archive) - 1}/{len(archive)}",
                },
                archive[start:],
            )
        return 200, {"Content-Type": "application/zip"}, archive

    replay.routes = {
        "/catalog/items": search,
        f"/catalog/item/{ITEM_ID}": item,
        "/catalog/file/get/": download,
    }
    return replay
