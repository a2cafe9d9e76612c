-- Ownership: who holds what share of which organisation, as reported.
SELECT membership_id AS key, member_org_id, org_id, role, share_pct, start_date,
       date_as_published, source_id
FROM core.organisation_memberships
ORDER BY membership_id
