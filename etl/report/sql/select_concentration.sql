-- Concentration of each batch (HHI 0-10,000, top-1 share) by holder and by official province split.
SELECT
    year, batch, quota_type, dimension, n, members_total, national_total, share_basis,
    top1_share, top1_member, hhi, split_complete
FROM marts.quota_concentration
WHERE dimension IN ('holder', 'province')
ORDER BY year, batch, quota_type, dimension
