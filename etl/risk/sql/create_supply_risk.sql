-- marts.supply_risk: the EU critical-raw-materials supply risk (SR) per assessment year,
-- importer, material, stage and scenario variant (method in docs/risk.md):
--   SR = [HHI_WGI,t(global) * IR/2 + HHI_WGI,t(sourcing) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR
--   HHI_WGI,t = sum_c S_c^2 * WGI_c * t_c,  WGI_c = 2 * (2.5 - mean of the six estimates),
--   averaged over the method's reference years; "global only" materials take the first term.
-- Rows: the EU's own method (importer EU27, sourcing_basis eu_assessment, every assessed element
-- and both stages, plus the HREE/LREE groups with their published values), and any importer
-- of _importer_shares (marts.buyer_supplier_shares with its currency) with its own sourcing
-- shares of an HS6 heading read as a proxy for the processing stage (sourcing_basis
-- trade_proxy). Variants: baseline; china_export_control_t (China's t set to the method's
-- factor for an element under an export control in force on controls_as_of);
-- china_quota_groups (China's share split among its groups by their share of the latest
-- year's largest complete quota batch of the stage: China's term times the groups' HHI).
CREATE OR REPLACE TABLE marts.supply_risk AS
WITH method AS (
    SELECT
        max(value) FILTER (WHERE parameter = 'wgi_first_year')::INTEGER AS wgi_first_year,
        max(value) FILTER (WHERE parameter = 'wgi_last_year')::INTEGER AS wgi_last_year,
        max(value) FILTER (WHERE parameter = 'china_t_under_export_control')::DOUBLE
            AS china_t_controlled,
        max(value) FILTER (WHERE parameter = 'controls_as_of')::DATE AS controls_as_of,
        max(value) FILTER (WHERE parameter = 'importer_import_reliance')::DOUBLE / 100
            AS importer_ir,
        max(value) FILTER (WHERE parameter = 'importer_partner_t')::DOUBLE AS importer_t,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS method_source_ids
    FROM core.risk_method_parameters
),
wgi AS (
    -- means as exact decimal sums over counts (a float avg depends on the order DuckDB's
    -- threads add the rows in: reruns then differed in the last bit of every contribution)
    SELECT iso3,
        CAST(sum(CAST(2 * (2.5 - mean_estimate) AS DECIMAL(38, 18))) AS DOUBLE)
            / count(mean_estimate) AS wgi_scaled
    FROM (
        SELECT e.iso3, e.year,
            CAST(sum(CAST(e.estimate AS DECIMAL(38, 18))) AS DOUBLE) / count(e.estimate)
                AS mean_estimate
        FROM core.wgi_estimates AS e, method AS m
        WHERE e.iso3 IS NOT NULL AND e.year BETWEEN m.wgi_first_year AND m.wgi_last_year
        GROUP BY e.iso3, e.year
    )
    GROUP BY iso3
),
stages AS (
    SELECT unnest(['extraction', 'processing']) AS stage
),
assessed AS (
    SELECT DISTINCT assessment_year, material, element_symbol, ree_group
    FROM core.crm_parameters
    WHERE assessment_year IN (SELECT assessment_year FROM core.crm_supply_shares)
),
param AS (
    SELECT
        a.assessment_year, a.material, a.element_symbol, a.ree_group, s.stage,
        max(p.value) FILTER (WHERE p.stage = s.stage AND p.parameter = 'IR') / 100
            AS eu_import_reliance,
        max(p.value_as_published) FILTER (
            WHERE p.stage = s.stage AND p.parameter = 'supply_used_in_SR'
        ) AS eu_supply_used,
        max(p.value) FILTER (WHERE p.stage = s.stage AND p.parameter = 'SR')
            AS published_stage_sr,
        max(p.value_as_published) FILTER (
            WHERE p.stage = s.stage AND p.parameter = 'SR' AND p.value IS NULL
        ) AS published_stage_sr_unreadable,
        max(p.value) FILTER (
            WHERE p.stage = 'overall' AND p.parameter = 'EoL_RIR' AND p.unit = 'percent'
        ) / 100 AS eol_rir,
        max(p.value) FILTER (WHERE p.stage = 'overall' AND p.parameter = 'SI_SR') AS si_sr,
        max(p.value) FILTER (WHERE p.stage = 'overall' AND p.parameter = 'SR')
            AS published_material_sr,
        lower(max(p.value_as_published) FILTER (
            WHERE p.stage = 'overall' AND p.parameter = 'bottleneck_stage_used'
        )) AS published_bottleneck_stage,
        string_agg(DISTINCT p.source_id, ',' ORDER BY p.source_id) AS parameter_source_ids
    FROM assessed AS a
    CROSS JOIN stages AS s
    JOIN core.crm_parameters AS p
        ON p.assessment_year = a.assessment_year AND p.material = a.material
        AND p.stage IN (s.stage, 'overall')
    GROUP BY ALL
),
controlled AS (
    SELECT
        i.element_symbol,
        string_agg(DISTINCT c.event_id, ',' ORDER BY c.event_id) AS control_event_ids,
        string_agg(DISTINCT c.source_id, ',' ORDER BY c.source_id) AS control_source_ids
    FROM core.export_control_items AS i
    JOIN core.export_controls AS c USING (event_id)
    CROSS JOIN method AS m
    WHERE c.date_effective <= m.controls_as_of
        AND NOT (c.suspended_until IS NOT NULL AND m.controls_as_of < c.suspended_until)
        AND NOT starts_with(c.status, 'superseded')
    GROUP BY i.element_symbol
),
quota_holders AS (
    -- float sums as exact decimals (order-free): reruns give the same bits
    SELECT year, batch, quota_type, holder_id,
        CAST(sum(CAST(share_of_batch AS DECIMAL(38, 18))) AS DOUBLE) AS holder_share,
        CAST(sum(CAST(tonnes_reo AS DECIMAL(38, 18))) AS DOUBLE) AS tonnes_reo,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS source_ids
    FROM marts.quota_by_holder
    WHERE quota_type IN ('mining', 'smelting_separation')
    GROUP BY ALL
),
quota_batch AS (
    -- per quota type, the latest year's largest batch whose group split is complete
    -- (the groups' shares add up to the national batch total)
    SELECT year, batch, quota_type
    FROM quota_holders
    GROUP BY year, batch, quota_type
    HAVING abs(sum(CAST(holder_share AS DECIMAL(38, 18))) - 1) <= 0.005
    QUALIFY row_number() OVER (
        PARTITION BY quota_type
        ORDER BY year DESC, sum(CAST(tonnes_reo AS DECIMAL(38, 18))) DESC, batch
    ) = 1
),
quota_concentration AS (
    SELECT
        CASE q.quota_type WHEN 'mining' THEN 'extraction' ELSE 'processing' END AS stage,
        q.year || ' batch ' || q.batch || ' ' || q.quota_type AS quota_basis,
        CAST(sum(CAST(power(q.holder_share, 2) AS DECIMAL(38, 18))) AS DOUBLE) AS china_groups_hhi,
        string_agg(DISTINCT q.source_ids, ',' ORDER BY q.source_ids) AS quota_source_ids
    FROM quota_holders AS q
    JOIN quota_batch USING (year, batch, quota_type)
    GROUP BY ALL
),
importer_reliance AS (
    -- an importer's own published net import reliance on compounds and metals by year, from
    -- the latest edition reporting the year (USGS for the United States)
    SELECT country_iso3 AS importer, year, nir_pct / 100 AS import_reliance,
        format('net import reliance {}{}% in {} (edition {})', coalesce(qualifier, ''),
            nir_pct, year, edition) AS basis,
        source_id
    FROM marts.net_import_reliance
    WHERE item = 'compounds_and_metals' AND nir_pct IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY country_iso3, year ORDER BY edition DESC) = 1
),
elements AS (
    SELECT DISTINCT assessment_year, element_symbol FROM assessed WHERE element_symbol IS NOT NULL
),
variants AS (
    SELECT e.assessment_year, e.element_symbol, s.stage, 'baseline' AS variant,
        NULL::DOUBLE AS china_t, 1.0::DOUBLE AS china_split_hhi, NULL AS variant_basis,
        NULL AS variant_source_ids
    FROM elements AS e CROSS JOIN stages AS s
    UNION ALL
    SELECT e.assessment_year, e.element_symbol, s.stage, 'china_export_control_t',
        CASE WHEN c.element_symbol IS NOT NULL THEN m.china_t_controlled END, 1.0,
        CASE WHEN c.element_symbol IS NOT NULL
            THEN 'under export control on ' || m.controls_as_of || ': ' || c.control_event_ids
            ELSE 'no export control in force on ' || m.controls_as_of END,
        concat_ws(',', c.control_source_ids, m.method_source_ids)
    FROM elements AS e CROSS JOIN stages AS s CROSS JOIN method AS m
    LEFT JOIN controlled AS c ON c.element_symbol = e.element_symbol
    UNION ALL
    SELECT e.assessment_year, e.element_symbol, q.stage, 'china_quota_groups', NULL,
        q.china_groups_hhi, 'China split by its groups'' quota shares, ' || q.quota_basis,
        q.quota_source_ids
    FROM elements AS e CROSS JOIN quota_concentration AS q
),
global_lines AS (
    SELECT assessment_year, element_symbol, stage, iso3, coalesce(share_pct, 0) / 100 AS share,
        t, source_id
    FROM core.crm_supply_shares
    WHERE scope = 'global_supply' AND element_symbol IS NOT NULL
),
eu_lines AS (
    -- an element's own EU sourcing rows, or its group's where it has none (HREE extraction)
    SELECT a.assessment_year, a.element_symbol, s.stage, s.iso3,
        coalesce(s.share_pct, 0) / 100 AS share, s.t, s.source_id
    FROM assessed AS a
    JOIN core.crm_supply_shares AS s
        ON s.assessment_year = a.assessment_year AND s.scope = 'eu_sourcing'
        AND (s.element_symbol = a.element_symbol
            OR (s.element_symbol IS NULL AND s.material = a.ree_group))
    WHERE a.element_symbol IS NOT NULL
    QUALIFY s.element_symbol IS NOT NULL
        OR count(s.element_symbol) OVER (PARTITION BY a.element_symbol, s.stage) = 0
),
sourcing_lines AS (
    SELECT assessment_year, element_symbol, stage, 'EU27' AS importer,
        'eu_assessment' AS sourcing_basis, NULL AS proxy_hs_code, NULL AS product_form,
        NULL::INTEGER AS trade_year, NULL AS currency, NULL AS reporter_side,
        NULL AS trade_source_id, iso3, share, t, source_id
    FROM eu_lines
    UNION ALL
    SELECT e.assessment_year, p.element_symbol, p.stage, b.buyer, 'trade_proxy', b.hs_code,
        p.product_form, b.year::INTEGER, b.currency, b.reporter_side, b.source_id, b.supplier,
        b.share_value, m.importer_t, b.source_id
    FROM _importer_shares AS b
    JOIN core.risk_hs_stage_proxy AS p ON p.hs_code = b.hs_code
    JOIN elements AS e ON e.element_symbol = p.element_symbol
    CROSS JOIN method AS m
    WHERE NOT b.is_synthetic AND b.share_value IS NOT NULL AND b.supplier <> b.buyer
),
sourcing_sets AS (
    SELECT DISTINCT assessment_year, element_symbol, stage, importer, sourcing_basis,
        proxy_hs_code, product_form, trade_year, currency, reporter_side, trade_source_id
    FROM sourcing_lines
    UNION
    SELECT assessment_year, element_symbol, stage, 'EU27', 'eu_assessment', NULL, NULL, NULL,
        NULL, NULL, NULL
    FROM param
    WHERE element_symbol IS NOT NULL
),
trade_reliance AS (
    -- the importer's latest figure up to the trade year; none: the method's assumption
    SELECT t.importer, t.trade_year,
        coalesce(r.import_reliance, m.importer_ir) AS import_reliance,
        coalesce(r.basis, format('assumption: {}% (method parameter)', 100 * m.importer_ir))
            AS import_reliance_basis,
        coalesce(r.source_id, 'reekg-risk-method') AS reliance_source_id
    FROM (SELECT DISTINCT importer, trade_year FROM sourcing_sets
          WHERE sourcing_basis = 'trade_proxy') AS t
    CROSS JOIN method AS m
    ASOF LEFT JOIN importer_reliance AS r
        ON r.importer = t.importer AND t.trade_year >= r.year
),
scored_global AS (
    SELECT g.*, v.variant,
        g.share * g.share * w.wgi_scaled
        * CASE WHEN g.iso3 = 'CHN' THEN coalesce(v.china_t, g.t) * v.china_split_hhi
            ELSE g.t END AS contribution,
        w.wgi_scaled IS NULL AS no_wgi
    FROM global_lines AS g
    JOIN variants AS v USING (assessment_year, element_symbol, stage)
    LEFT JOIN wgi AS w USING (iso3)
),
global_hhi AS (
    SELECT assessment_year, element_symbol, stage, variant,
        CAST(sum(CAST(contribution AS DECIMAL(38, 18))) AS DOUBLE) AS hhi_wgi_global,
        first(iso3 ORDER BY contribution DESC, iso3) AS top_global_iso3,
        max(contribution) / nullif(CAST(sum(CAST(contribution AS DECIMAL(38, 18))) AS DOUBLE), 0)
            AS top_global_part,
        coalesce(CAST(sum(CAST(share AS DECIMAL(38, 18))) FILTER (WHERE no_wgi) AS DOUBLE), 0)
            AS global_share_without_wgi,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS global_source_ids
    FROM scored_global
    GROUP BY ALL
),
scored_sourcing AS (
    SELECT l.*, v.variant,
        l.share * l.share * w.wgi_scaled
        * CASE WHEN l.iso3 = 'CHN' THEN coalesce(v.china_t, l.t) * v.china_split_hhi
            ELSE l.t END AS contribution,
        w.wgi_scaled IS NULL AS no_wgi
    FROM sourcing_lines AS l
    JOIN variants AS v USING (assessment_year, element_symbol, stage)
    LEFT JOIN wgi AS w USING (iso3)
),
sourcing_hhi AS (
    SELECT assessment_year, element_symbol, stage, importer, sourcing_basis, proxy_hs_code,
        product_form, trade_year, currency, reporter_side, trade_source_id, variant,
        CAST(sum(CAST(contribution AS DECIMAL(38, 18))) AS DOUBLE) AS hhi_wgi_sourcing,
        first(iso3 ORDER BY contribution DESC, iso3) AS top_sourcing_iso3,
        max(contribution) / nullif(CAST(sum(CAST(contribution AS DECIMAL(38, 18))) AS DOUBLE), 0)
            AS top_sourcing_part,
        coalesce(CAST(sum(CAST(share AS DECIMAL(38, 18))) FILTER (WHERE no_wgi) AS DOUBLE), 0)
            AS sourcing_share_without_wgi,
        max(share) FILTER (WHERE iso3 = 'CHN') AS china_sourcing_share,
        string_agg(DISTINCT source_id, ',' ORDER BY source_id) AS sourcing_source_ids
    FROM scored_sourcing
    GROUP BY ALL
),
element_rows AS (
    SELECT
        ss.assessment_year, ss.importer, p.material, ss.element_symbol, p.ree_group, ss.stage,
        v.variant, ss.sourcing_basis, ss.sourcing_basis = 'trade_proxy' AS is_proxy,
        ss.proxy_hs_code, ss.product_form, ss.trade_year, ss.currency, ss.reporter_side,
        ss.trade_source_id,
        CASE
            WHEN ss.sourcing_basis = 'trade_proxy' THEN 'global and sourcing'
            WHEN p.eu_supply_used = 'GSonly' THEN 'global only'
            WHEN p.eu_supply_used = 'GS+EU' THEN 'global and sourcing'
        END AS supply_basis,
        g.hhi_wgi_global,
        s.hhi_wgi_sourcing,
        CASE WHEN ss.sourcing_basis = 'eu_assessment' THEN p.eu_import_reliance
            ELSE tr.import_reliance END AS import_reliance,
        CASE WHEN ss.sourcing_basis = 'eu_assessment'
            THEN 'EU assessment ' || ss.assessment_year || ' (' || ss.stage || ')'
            ELSE tr.import_reliance_basis END AS import_reliance_basis,
        p.eol_rir,
        p.si_sr,
        v.china_t,
        v.china_split_hhi,
        v.variant_basis,
        g.top_global_iso3, g.top_global_part, s.top_sourcing_iso3, s.top_sourcing_part,
        s.china_sourcing_share,
        g.global_share_without_wgi, s.sourcing_share_without_wgi,
        CASE WHEN v.variant = 'baseline' AND ss.sourcing_basis = 'eu_assessment'
            THEN p.published_stage_sr END AS published_supply_risk,
        CASE WHEN v.variant = 'baseline' AND ss.sourcing_basis = 'eu_assessment'
            THEN p.published_stage_sr_unreadable END AS published_as_unreadable,
        CASE WHEN ss.sourcing_basis = 'eu_assessment' THEN p.published_material_sr END
            AS published_material_supply_risk,
        CASE WHEN ss.sourcing_basis = 'eu_assessment' THEN p.published_bottleneck_stage END
            AS published_bottleneck_stage,
        concat_ws(',', g.global_source_ids, s.sourcing_source_ids, p.parameter_source_ids,
            v.variant_source_ids, tr.reliance_source_id, 'wb-wgi-2024', m.method_source_ids)
            AS source_list
    FROM sourcing_sets AS ss
    JOIN param AS p USING (assessment_year, element_symbol, stage)
    JOIN variants AS v USING (assessment_year, element_symbol, stage)
    CROSS JOIN method AS m
    LEFT JOIN trade_reliance AS tr
        ON tr.importer = ss.importer AND tr.trade_year = ss.trade_year
        AND ss.sourcing_basis = 'trade_proxy'
    LEFT JOIN global_hhi AS g USING (assessment_year, element_symbol, stage, variant)
    LEFT JOIN sourcing_hhi AS s
        ON s.assessment_year = ss.assessment_year AND s.element_symbol = ss.element_symbol
        AND s.stage = ss.stage AND s.variant = v.variant AND s.importer = ss.importer
        AND s.sourcing_basis = ss.sourcing_basis
        AND s.proxy_hs_code IS NOT DISTINCT FROM ss.proxy_hs_code
        AND s.trade_year IS NOT DISTINCT FROM ss.trade_year
        AND s.currency IS NOT DISTINCT FROM ss.currency
        AND s.reporter_side IS NOT DISTINCT FROM ss.reporter_side
        AND s.trade_source_id IS NOT DISTINCT FROM ss.trade_source_id
),
computed AS (
    SELECT *,
        hhi_wgi_global * import_reliance / 2 * (1 - eol_rir) * si_sr AS global_term_raw,
        hhi_wgi_sourcing * (1 - import_reliance / 2) * (1 - eol_rir) * si_sr AS sourcing_term_raw
    FROM element_rows
),
scored AS (
    SELECT *,
        CASE WHEN supply_basis = 'global only' THEN hhi_wgi_global * (1 - eol_rir) * si_sr
            ELSE global_term_raw + sourcing_term_raw END AS supply_risk,
        CASE WHEN supply_basis = 'global only' THEN hhi_wgi_global * (1 - eol_rir) * si_sr
            ELSE global_term_raw END AS global_term,
        CASE WHEN supply_basis = 'global only' THEN 0.0 ELSE sourcing_term_raw END
            AS sourcing_term
    FROM computed
),
group_rows AS (
    SELECT p.assessment_year, 'EU27' AS importer, p.material, NULL AS element_symbol,
        p.ree_group, p.stage, 'baseline' AS variant, 'eu_assessment' AS sourcing_basis,
        p.published_stage_sr AS published_supply_risk,
        p.published_stage_sr_unreadable AS published_as_unreadable,
        p.published_material_sr AS published_material_supply_risk,
        p.published_bottleneck_stage,
        CASE p.eu_supply_used WHEN 'GSonly' THEN 'global only'
            WHEN 'GS+EU' THEN 'global and sourcing' END AS supply_basis,
        p.eu_import_reliance AS import_reliance,
        'EU assessment ' || p.assessment_year || ' (' || p.stage || ')' AS import_reliance_basis,
        p.eol_rir, p.si_sr, p.parameter_source_ids
    FROM param AS p
    WHERE p.element_symbol IS NULL
)
SELECT
    assessment_year, importer, material, element_symbol, ree_group, stage, variant,
    sourcing_basis, is_proxy, proxy_hs_code, product_form, trade_year, currency, reporter_side,
    trade_source_id, supply_basis, hhi_wgi_global, hhi_wgi_sourcing, import_reliance,
    import_reliance_basis, eol_rir, si_sr,
    global_term, sourcing_term,
    CASE WHEN supply_risk IS NULL THEN NULL
        WHEN sourcing_term > global_term THEN 'sourcing' ELSE 'global supply' END AS largest_term,
    CASE WHEN sourcing_term > global_term THEN top_sourcing_iso3 ELSE top_global_iso3 END
        AS top_supplier_iso3,
    CASE WHEN sourcing_term > global_term THEN top_sourcing_part ELSE top_global_part END
        AS top_supplier_part_of_hhi,
    china_sourcing_share, china_t, china_split_hhi, variant_basis,
    global_share_without_wgi, sourcing_share_without_wgi,
    supply_risk,
    published_supply_risk,
    supply_risk - published_supply_risk AS difference,
    published_as_unreadable,
    published_material_supply_risk,
    published_bottleneck_stage,
    CASE WHEN sourcing_basis = 'eu_assessment' AND supply_risk IS NOT NULL THEN
        supply_risk = max(supply_risk) OVER (
            PARTITION BY assessment_year, importer, material, variant, sourcing_basis)
    END AS is_material_stage,
    supply_risk IS NOT NULL AS is_computed,
    CASE
        WHEN supply_risk IS NULL AND published_supply_risk IS NOT NULL
            THEN 'published (not computable from the bundled inputs)'
        WHEN supply_risk IS NULL AND published_as_unreadable IS NOT NULL
            THEN 'published value unreadable'
        WHEN supply_risk IS NULL THEN 'not assessed'
        WHEN published_supply_risk IS NULL AND is_proxy THEN 'computed (trade proxy)'
        WHEN published_supply_risk IS NULL THEN 'computed (no published value)'
        WHEN abs(supply_risk - published_supply_risk) <= 0.1
            THEN 'computed, agrees with published'
        ELSE 'published and computed differ'
    END AS value_label,
    array_to_string(list_sort(list_distinct(string_split(source_list, ','))), ',')
        AS source_ids
FROM scored
UNION ALL BY NAME
SELECT
    * EXCLUDE (parameter_source_ids),
    FALSE AS is_proxy,
    FALSE AS is_computed,
    CASE
        WHEN published_supply_risk IS NOT NULL
            THEN 'published (not computable from the bundled inputs)'
        WHEN published_as_unreadable IS NOT NULL THEN 'published value unreadable'
        ELSE 'not assessed'
    END AS value_label,
    parameter_source_ids AS source_ids
FROM group_rows
ORDER BY assessment_year, importer, variant, sourcing_basis, element_symbol NULLS FIRST,
    material, stage, proxy_hs_code, trade_year, currency, reporter_side
