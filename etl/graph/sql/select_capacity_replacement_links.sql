-- Links from each replacement project to its transfer legs (the own-capacity replacement is
-- the project's ree:ownCapacityReplaced, not a leg: it moves nothing between firms).
SELECT event_id AS key, concat_ws('-', event_id, CAST(leg AS VARCHAR)) AS leg_key
FROM core.capacity_replacement_legs
WHERE leg_kind = 'transfer'
ORDER BY event_id, leg
