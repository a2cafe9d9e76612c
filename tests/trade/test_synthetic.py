"""The synthetic generator: seeded, distinct keys, labelled; never official in a mart."""

from __future__ import annotations

import hashlib

import polars as pl

from etl.trade.assets import baci, buyer_supplier_shares, trade_flows_mart, trade_flows_yearly
from etl.trade.models import RARE_EARTH_HS_CODES, SYNTHETIC_SOURCE_ID
from etl.trade.synthetic import write_baci, write_comtrade
from tests.trade.conftest import query, run


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_baci_generator_is_seeded_with_distinct_keys(tmp_path):
    a = write_baci(tmp_path / "a", 20_000, seed=3)
    b = write_baci(tmp_path / "b", 20_000, seed=3)
    c = write_baci(tmp_path / "c", 20_000, seed=4)
    assert _digest(a) == _digest(b) != _digest(c)
    frame = pl.read_csv(a, schema_overrides={"k": pl.String, "q": pl.String})
    assert frame.height == 20_000
    assert frame.select(pl.struct("i", "j", "k").n_unique()).item() == 20_000
    assert (frame["i"] != frame["j"]).all()
    assert frame["k"].is_in(list(RARE_EARTH_HS_CODES)).any()
    assert frame["k"].str.len_chars().eq(6).all()
    sidecar = a.with_name(a.name + ".source_id").read_text().strip()
    assert sidecar == SYNTHETIC_SOURCE_ID


def test_comtrade_generator_writes_the_full_header_and_world_rows(tmp_path):
    path = write_comtrade(tmp_path, 5_000, monthly=True)
    frame = pl.read_csv(path, infer_schema=False)
    assert frame.columns[:3] == ["typeCode", "freqCode", "refPeriodId"]
    assert frame.height == 5_000
    assert (frame["partnerCode"] == "0").any()
    assert set(frame["flowCode"]) == {"M", "X", "RM", "RX"}
    assert (
        frame.select(
            pl.struct("reporterCode", "flowCode", "partnerCode", "cmdCode", "refMonth").n_unique()
        ).item()
        == 5_000
    )


def test_synthetic_rows_stay_out_of_marts_unless_asked_and_then_are_flagged(settings):
    write_baci(settings.landing_dir / "trade" / "baci", 3_000, year=2023)
    run(settings, [baci], partition_key="2023")
    [(landed, sources)] = query(
        settings, "SELECT count(*), string_agg(DISTINCT source_id) FROM core.trade_flows"
    )
    assert landed > 0 and sources == SYNTHETIC_SOURCE_ID
    marts = [trade_flows_mart, trade_flows_yearly, buyer_supplier_shares]
    run(settings, marts)
    assert query(settings, "SELECT count(*) FROM marts.trade_flows") == [(0,)]
    assert query(settings, "SELECT count(*) FROM marts.buyer_supplier_shares") == [(0,)]
    synthetic = {"config": {"include_synthetic": True}}
    config = {"ops": {"marts__trade_flows": synthetic, "trade__flows_yearly": synthetic}}
    run(settings, marts, run_config=config)
    for table in ("marts.trade_flows", "marts.buyer_supplier_shares"):
        [(rows, flagged, source)] = query(
            settings,
            f"SELECT count(*), bool_and(is_synthetic), string_agg(DISTINCT source_id) FROM {table}",
        )
        assert rows > 0 and flagged and source == SYNTHETIC_SOURCE_ID
