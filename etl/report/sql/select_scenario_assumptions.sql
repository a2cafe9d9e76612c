-- The scenario's assumptions, as the scenario mart states them.
SELECT n, assumption FROM marts.scenario_shortfall_assumptions ORDER BY n
