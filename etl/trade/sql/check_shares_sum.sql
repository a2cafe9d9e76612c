SELECT count(*) FROM (
    SELECT sum(share_value) AS total FROM marts.buyer_supplier_shares
    WHERE buyer_value > 0
    GROUP BY year, buyer, hs_code, currency, reporter_side, is_synthetic, source_id
) WHERE abs(total - 1) > 1e-9
