-- Every buyer's supplier shares as the trade domain publishes them (all columns: the mart
-- reads the ones it needs, the currency where the trade mart has one).
SELECT * FROM marts.buyer_supplier_shares
