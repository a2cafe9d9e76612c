SELECT count(*) FROM (
    SELECT any_value(china_value) AS china, sum(value_apportioned) AS apportioned
    FROM marts.buyer_exposure_chain
    GROUP BY year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id
) WHERE abs(apportioned - china) > 1e-6 * greatest(abs(china), 1)
