-- Links from each reallocation event to its legs, and (once each) to every source they cite.
SELECT event_id AS key, concat_ws('-', event_id, CAST(leg AS VARCHAR)) AS leg_key,
       CASE WHEN row_number() OVER (PARTITION BY event_id, source_id ORDER BY leg) = 1
            THEN source_id END AS source_id
FROM core.reallocations
ORDER BY event_id, leg
