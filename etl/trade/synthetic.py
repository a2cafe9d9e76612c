"""Seeded generator of SYNTHETIC trade files in the UN Comtrade and CEPII BACI layouts.

Rows are drawn with NumPy and written in chunks (Polars `write_csv`), so 10 million rows need
little memory. Keys are distinct, as in the real files: each (exporter, importer, product) once
per BACI year, each (reporter, flow, partner, product[, month]) once per Comtrade file. The
product list is the five rare-earth HS6 codes plus as many other codes as the row count needs,
so at 10 million BACI rows about one row in a thousand is a rare-earth row, as in a real year.
China's rows get larger values, so that rare-earth buyers depend on China as they do in fact.

Every file is named `..._synthetic...` and gets a `<file>.source_id` sidecar holding
`synthetic-trade`, which the readers turn into the rows' source_id. Nothing generated here is
an official figure.

    python -m etl.trade.synthetic baci --rows 1000000 --year 2023 --out var/landing/trade/baci
    python -m etl.trade.synthetic comtrade --rows 100000 --out var/landing/trade/comtrade
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from etl.settings import BUNDLED_DATA
from etl.trade.models import (
    BACI_COLUMNS,
    COMTRADE_COLUMNS,
    RARE_EARTH_HS_CODES,
    SOURCE_SIDECAR_SUFFIX,
    SYNTHETIC_SOURCE_ID,
)

CHUNK_ROWS = 1_000_000
CHINA_VALUE_FACTOR = 40.0  # China's rows are this much larger, on average
FLOW_CODES = np.array(["M", "X", "RM", "RX"])
FLOW_DESC = np.array(["Import", "Export", "Re-import", "Re-export"])


@dataclass(frozen=True)
class Country:
    code: int
    name: str
    iso2: str
    iso3: str


def country_pool(reference_dir: Path = BUNDLED_DATA / "reference") -> list[Country]:
    """Countries (not aggregates) with the numeric code Comtrade and BACI use (842 for the USA)."""
    countries = pl.read_csv(reference_dir / "countries.csv", infer_schema=False).filter(
        (pl.col("is_aggregate").str.to_lowercase() != "true") & pl.col("m49").is_not_null()
    )
    aliases = pl.read_csv(reference_dir / "country_aliases.csv", infer_schema=False).filter(
        (pl.col("system") == "comtrade") & pl.col("alias").str.contains(r"^\d+$")
    )
    own = {iso3: code for code, iso3 in aliases.select("alias", "iso3").iter_rows() if code != "0"}
    pool = [
        Country(int(own.get(iso3, m49)), name, iso2 or "", iso3)
        for iso3, iso2, m49, name in countries.select("iso3", "iso2", "m49", "name").iter_rows()
    ]
    return sorted(pool, key=lambda c: c.code)


def _sidecar(path: Path) -> None:
    path.with_name(path.name + SOURCE_SIDECAR_SUFFIX).write_text(SYNTHETIC_SOURCE_ID + "\n")


def _product_pool(rng: np.random.Generator, needed: int) -> np.ndarray:
    """The rare-earth HS6 codes, then distinct other codes, `needed` in all (at least five)."""
    others = rng.choice(np.arange(10_000, 979_999), size=needed + 10, replace=False)
    other_codes = np.char.zfill(others.astype(str), 6)
    other_codes = other_codes[~np.isin(other_codes, RARE_EARTH_HS_CODES)]
    return np.concatenate([np.asarray(RARE_EARTH_HS_CODES), other_codes])[: max(needed, 5)]


def _unique_keys(rng: np.random.Generator, n: int, sizes: list[int]) -> list[np.ndarray]:
    """`n` distinct index tuples from the grid `sizes`, in random order (mixed-radix decoding)."""
    total = math.prod(sizes)
    if n > total:
        raise ValueError(f"cannot draw {n} distinct keys from a grid of {total}")
    flat = rng.permutation(total)[:n] if n > total // 4 else rng.choice(total, n, replace=False)
    out = []
    for size in reversed(sizes):
        out.append(flat % size)
        flat = flat // size
    return out[::-1]


def _grid(rng: np.random.Generator, n: int, countries: int, inner: int) -> tuple[np.ndarray, ...]:
    """Distinct (first country, second country != first, inner index, product) index tuples."""
    per_product = countries * (countries - 1) * inner
    products = _product_pool(rng, math.ceil(n / per_product))
    a, b, c, p = _unique_keys(rng, n, [countries, countries - 1, inner, len(products)])
    b = b + (b >= a)  # skip the diagonal: second country never equals the first
    return a, b, c, products[p]


def _value(rng: np.random.Generator, n: int, mean_log: float, is_china: np.ndarray) -> np.ndarray:
    value = rng.lognormal(mean_log, 1.5, n)
    return np.round(np.where(is_china, value * CHINA_VALUE_FACTOR, value), 3)


def write_baci(
    out_dir: Path,
    rows: int,
    year: int = 2023,
    seed: int = 42,
    countries: list[Country] | None = None,
) -> Path:
    """A BACI-layout year file `BACI_HS22_Y<year>_V000000-synthetic.csv` plus its country list."""
    pool = countries or country_pool()
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = np.array([c.code for c in pool])
    china = next(c.code for c in pool if c.iso3 == "CHN")
    rng = np.random.default_rng(seed)
    exporter_idx, importer_idx, _, product = _grid(rng, rows, len(codes), 1)
    path = out_dir / f"BACI_HS22_Y{year}_V000000-synthetic.csv"
    with path.open("wb") as handle:
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(start + CHUNK_ROWS, rows))
            exporter, importer = codes[exporter_idx[part]], codes[importer_idx[part]]
            n = len(exporter)
            value = _value(rng, n, 3.0, exporter == china)
            qty = np.round(value * rng.uniform(0.002, 0.2, n), 3).astype(str)
            qty[rng.random(n) < 0.05] = "NA"
            chunk = pl.DataFrame(
                {
                    "t": np.full(n, year),
                    "i": exporter,
                    "j": importer,
                    "k": product[part],
                    "v": value,
                    "q": qty,
                }
            ).select(BACI_COLUMNS)
            chunk.write_csv(handle, include_header=start == 0)
    _sidecar(path)
    write_baci_countries(out_dir, pool)
    return path


def write_baci_countries(out_dir: Path, countries: list[Country] | None = None) -> Path:
    """BACI's companion file `country_codes_V000000-synthetic.csv` for the generated codes."""
    pool = countries or country_pool()
    path = out_dir / "country_codes_V000000-synthetic.csv"
    pl.DataFrame(
        {
            "country_code": [c.code for c in pool],
            "country_name": [c.name for c in pool],
            "country_iso2": [c.iso2 for c in pool],
            "country_iso3": [c.iso3 for c in pool],
        }
    ).write_csv(path)
    return path


def write_comtrade(
    out_dir: Path,
    rows: int,
    year: int = 2023,
    seed: int = 7,
    monthly: bool = False,
    countries: list[Country] | None = None,
) -> Path:
    """A Comtrade-layout CSV (full header) of one year, annual or monthly.

    One partner of each reporter is replaced by World (code 0, an aggregate), so about 2% of
    the rows are World rows; flows are imports, exports, re-imports and re-exports in equal parts.
    """
    pool = countries or country_pool()
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = np.array([c.code for c in pool])
    iso = np.array([c.iso3 for c in pool])
    names = np.array([c.name for c in pool])
    china = next(c.code for c in pool if c.iso3 == "CHN")
    rng = np.random.default_rng(seed)
    freq = "M" if monthly else "A"
    months = 12 if monthly else 1
    flows = 4
    reporter_idx, partner_idx, inner, product = _grid(rng, rows, len(codes), flows * months)
    flow_all = inner % flows
    month_all = inner // flows + 1
    path = out_dir / f"comtrade_{freq}_{year}_synthetic.csv"
    classification = "H6" if year >= 2022 else "H5"
    with path.open("wb") as handle:
        for start in range(0, rows, CHUNK_ROWS):
            part = slice(start, min(start + CHUNK_ROWS, rows))
            r, p, flow = reporter_idx[part], partner_idx[part], flow_all[part]
            n = len(r)
            world = p == (r + 1) % len(codes)
            partner_code = np.where(world, 0, codes[p])
            partner_iso = np.where(world, "W00", iso[p])
            partner_name = np.where(world, "World", names[p])
            exporter = np.where(np.isin(flow, [0, 2]), partner_code, codes[r])
            value = np.round(_value(rng, n, 10.0, exporter == china), 2)
            weight = np.round(value * rng.uniform(0.002, 0.2, n), 1)
            month = month_all[part]
            period = (
                np.char.add(str(year), np.char.zfill(month.astype(str), 2))
                if monthly
                else np.full(n, str(year))
            )
            is_import = np.isin(flow, [0, 2])
            chunk = pl.DataFrame(
                {
                    "typeCode": "C",
                    "freqCode": freq,
                    "refPeriodId": period,
                    "refYear": year,
                    "refMonth": month if monthly else np.full(n, 52),
                    "period": period,
                    "reporterCode": codes[r],
                    "reporterISO": iso[r],
                    "reporterDesc": names[r],
                    "flowCode": FLOW_CODES[flow],
                    "flowDesc": FLOW_DESC[flow],
                    "partnerCode": partner_code,
                    "partnerISO": partner_iso,
                    "partnerDesc": partner_name,
                    "partner2Code": 0,
                    "partner2ISO": "W00",
                    "partner2Desc": "World",
                    "classificationCode": classification,
                    "classificationSearchCode": "HS",
                    "isOriginalClassification": True,
                    "cmdCode": product[part],
                    "cmdDesc": "synthetic, not official",
                    "aggrLevel": 6,
                    "isLeaf": True,
                    "customsCode": "C00",
                    "customsDesc": "TOTAL CPC",
                    "mosCode": 0,
                    "motCode": 0,
                    "motDesc": "TOTAL MOT",
                    "qtyUnitCode": 8,
                    "qtyUnitAbbr": "kg",
                    "qty": weight,
                    "isQtyEstimated": False,
                    "altQtyUnitCode": -1,
                    "altQtyUnitAbbr": "N/A",
                    "altQty": None,
                    "isAltQtyEstimated": False,
                    "netWgt": weight,
                    "isNetWgtEstimated": False,
                    "grossWgt": None,
                    "isGrossWgtEstimated": False,
                    "cifvalue": np.where(is_import, value, np.nan),
                    "fobvalue": np.where(is_import, np.nan, value),
                    "primaryValue": value,
                    "legacyEstimationFlag": 0,
                    "isReported": True,
                    "isAggregate": True,
                }
            ).select(COMTRADE_COLUMNS)
            chunk = chunk.with_columns(pl.col("cifvalue", "fobvalue").fill_nan(None))
            chunk.write_csv(handle, include_header=start == 0)
    _sidecar(path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write SYNTHETIC trade files (not official).")
    parser.add_argument("layout", choices=("baci", "comtrade"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--monthly", action="store_true", help="comtrade only: monthly rows")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.layout == "baci":
        path = write_baci(args.out, args.rows, args.year, args.seed)
    else:
        path = write_comtrade(args.out, args.rows, args.year, args.seed, args.monthly)
    print(path)


if __name__ == "__main__":
    main()
