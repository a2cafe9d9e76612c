"""marts.supply_risk: the EU supply-risk method, reproduced, for any importer and scenario."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.metadata import materialize_result
from etl.core.warehouse import WRITER_POOL, WarehouseResource, load_sql, query_frame
from etl.risk import assets

SQL_DIR = Path(__file__).parent / "sql"
BUYER_SHARES = dg.AssetKey(["marts", "buyer_supplier_shares"])
QUOTA_BY_HOLDER = dg.AssetKey(["marts", "quota_by_holder"])
NET_IMPORT_RELIANCE = dg.AssetKey(["marts", "net_import_reliance"])
EXPORT_CONTROLS = dg.AssetKey(["controls", "export_controls"])
EXPORT_CONTROL_ITEMS = dg.AssetKey(["controls", "export_control_items"])
SHARE_COLUMNS = (
    "year",
    "buyer",
    "hs_code",
    "supplier",
    "share_value",
    "currency",
    "reporter_side",
    "is_synthetic",
    "source_id",
)
# marts.buyer_supplier_shares computed shares of USD values before it carried a currency column.
DEFAULT_CURRENCY = "USD"


def importer_shares(frame: pl.DataFrame) -> pl.DataFrame:
    """The buyer shares the mart reads, read generically: every buyer of the trade mart, and
    its currency (shares are computed within one currency, never across two)."""
    if "currency" not in frame.columns:
        frame = frame.with_columns(pl.lit(DEFAULT_CURRENCY).alias("currency"))
    return frame.select(SHARE_COLUMNS)


@dg.asset(
    key=["marts", "supply_risk"],
    group_name=assets.GROUP,
    owners=assets.OWNERS,
    kinds={"duckdb", "sql"},
    pool=WRITER_POOL,
    deps=[
        assets.wgi_estimates,
        assets.crm_supply_shares,
        assets.crm_parameters,
        assets.method_parameters,
        assets.hs_stage_proxy,
        BUYER_SHARES,
        QUOTA_BY_HOLDER,
        NET_IMPORT_RELIANCE,
        EXPORT_CONTROLS,
        EXPORT_CONTROL_ITEMS,
    ],
    description="Supply risk (SR) by the EU critical-raw-materials method per assessment year, "
    "importer (EU27 for the EU's own method), material, stage and variant (baseline, "
    "china_export_control_t, china_quota_groups): HHI_WGI,t of global supply and of the "
    "importer's sourcing, import reliance, EoL-RIR, SI_SR, the computed SR beside the published "
    "one, the largest term and its top supplier. Importers other than the EU's own assessment "
    "use their trade shares of an HS6 heading as a flagged proxy (is_proxy).",
)
def supply_risk(warehouse: WarehouseResource) -> dg.MaterializeResult:
    sql = load_sql(SQL_DIR, "create_supply_risk")
    with warehouse.connect() as con:
        shares = importer_shares(query_frame(con, load_sql(SQL_DIR, "select_buyer_shares")))
        con.register("_importer_shares", shares.to_arrow())
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("_importer_shares")
        importers = query_frame(
            con, "SELECT DISTINCT importer FROM marts.supply_risk ORDER BY importer"
        )["importer"].to_list()
        return materialize_result(
            con, "marts.supply_risk", importers=dg.MetadataValue.text(", ".join(importers))
        )
