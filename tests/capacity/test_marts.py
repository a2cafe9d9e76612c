"""What lands in the published warehouse on the bundled data, checked against real figures."""

import duckdb
import pytest


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_the_pipeline_succeeds_with_every_check_passing(pipeline):
    _, summary = pipeline
    assert summary.failed_steps == []
    assert summary.checks_failed == []
    assert len(summary.checks_passed) >= 15


@pytest.mark.parametrize(
    ("quota_type", "expected"), [("mining", 120_000), ("smelting_separation", 115_000)]
)
def test_2023_batch1_holders_sum_to_the_national_total(published, quota_type, expected):
    [(total,)] = rows(
        published,
        "SELECT sum(tonnes_reo) FROM marts.quota_by_holder "
        "WHERE year = 2023 AND batch = '1' AND quota_type = ?",
        [quota_type],
    )
    assert total == expected
    [(complete,)] = rows(
        published,
        "SELECT split_complete FROM marts.quota_concentration WHERE year = 2023 AND batch = '1' "
        "AND quota_type = ? AND dimension = 'holder'",
        [quota_type],
    )
    assert complete is True


def test_hhi_of_2023_batch1_smelting_matches_an_independent_computation(published):
    holders = {
        "china-northern-rare-earth": 73403,
        "china-rare-earth-group": 33304,
        "guangdong-rare-earth": 6037,
        "xiamen-tungsten": 2256,
    }
    expected = sum((100 * t / 115_000) ** 2 for t in holders.values())
    [(hhi, n, top1, top1_member)] = rows(
        published,
        "SELECT hhi, n, top1_share, top1_member FROM marts.quota_concentration WHERE year = 2023 "
        "AND batch = '1' AND quota_type = 'smelting_separation' AND dimension = 'holder'",
    )
    assert hhi == pytest.approx(expected, rel=1e-9)
    assert n == 4
    assert top1 == pytest.approx(73403 / 115_000)
    assert top1_member == "china-northern-rare-earth"


def test_share_of_batch_is_of_the_national_total(published):
    [(share,)] = rows(
        published,
        "SELECT share_of_batch FROM marts.quota_by_holder WHERE year = 2023 AND batch = '1' "
        "AND quota_type = 'smelting_separation' AND holder_id = 'china-rare-earth-group'",
    )
    assert share == pytest.approx(33304 / 115_000)


def test_derived_figures_stay_flagged(published):
    [(derived,)] = rows(
        published,
        "SELECT is_derived FROM marts.quota_by_holder WHERE year = 2023 AND batch = '2' "
        "AND quota_type = 'mining' AND holder_id = 'china-northern-rare-earth'",
    )
    assert derived is True


def test_quota_change_year_on_year_national(published):
    [(prev, change)] = rows(
        published,
        "SELECT prev_year_tonnes_reo, yoy_change FROM marts.quota_change WHERE holder_id = 'CHN' "
        "AND year = 2023 AND batch = 'annual' AND quota_type = 'mining'",
    )
    assert (prev, change) == (210_000, 45_000)


def test_reallocation_ledger_conserves_the_province_total(published):
    totals = rows(
        published,
        "SELECT event_id, before_t, change_t, after_t, is_illustrative "
        "FROM marts.reallocation_ledger WHERE row_kind = 'province_total' AND is_illustrative "
        "ORDER BY event_id",
    )
    assert len(totals) == 2  # the tutorial events; the real plans: tests/capacity/test_replacements
    for _, before, change, after, illustrative in totals:
        assert change == 0 and before == after == 10_000
        assert illustrative is True
    [(before, change, after)] = rows(
        published,
        "SELECT before_t, change_t, after_t FROM marts.reallocation_ledger "
        "WHERE event_id = 'jx-illustrative-2024-01' AND holder_id = 'jx-illustrative-separator-a'",
    )
    assert (before, change, after) == (6000, 1300, 7300)


def test_china_share_of_world_mine_production(published):
    shares = dict(
        rows(
            published,
            "SELECT year, share_of_world FROM marts.world_production "
            "WHERE country_iso3 = 'CHN' AND edition = '2024'",
        )
    )
    assert shares[2023] == pytest.approx(240_000 / 350_000)
    assert shares[2022] == pytest.approx(210_000 / 300_000)


def test_world_total_is_kept_apart_from_countries(published):
    assert rows(published, "SELECT count(*) FROM core.production WHERE country_iso3 = 'WLD'") == [
        (0,)
    ]
    assert rows(
        published,
        "SELECT year, tonnes_reo FROM core.production_world WHERE edition = '2024' ORDER BY year",
    ) == [
        (2022, 300_000),
        (2023, 350_000),
    ]
    [(reserves,)] = rows(
        published,
        "SELECT reserves_t FROM core.production WHERE country_iso3 = 'MMR' AND year = 2023",
    )
    assert reserves is None  # "NA" in the file


def test_every_fact_row_cites_a_registered_source(published):
    for table in (
        "core.quotas",
        "core.production",
        "core.reallocations",
        "core.facilities",
        "core.consolidation_events",
        "core.capacity_replacements",
        "core.capacity_replacement_legs",
        "core.organisation_memberships",
        "core.export_controls",
        "core.export_control_items",
    ):
        [(orphans,)] = rows(
            published,
            f"SELECT count(*) FROM {table} "
            "WHERE source_id NOT IN (SELECT source_id FROM core.sources)",
        )
        assert orphans == 0, table


def test_succession_events(published):
    successors = rows(
        published,
        "SELECT from_org_id, event_date FROM core.organisation_events "
        "WHERE to_org_id = 'china-rare-earth-group' AND event_type = 'merger' "
        "ORDER BY from_org_id",
    )
    assert [s for s, _ in successors] == [
        "china-southern-rare-earth",
        "chinalco-rare-earth",
        "minmetals-rare-earth",
    ]
    assert {str(d) for _, d in successors} == {"2021-12-23"}
    folds = rows(
        published,
        "SELECT from_org_id, event_type, date_as_published FROM core.organisation_events "
        "WHERE to_org_id = 'china-rare-earth-group' AND event_type <> 'merger' ORDER BY 1",
    )
    assert folds == [
        ("guangdong-rare-earth", "absorption", "2023-12 (end)"),
        ("xiamen-tungsten", "quota_transfer", "2023-09"),
    ]
