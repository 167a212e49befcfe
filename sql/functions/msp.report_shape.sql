-- The shape of an instrument's report rules (report_data.c's sql_shape):
-- the derived variables whose rules read one single-valued item (mapped
-- on values: a value maps to one category for everyone), the items the
-- other derived variables read with the multiple-choice items, the
-- former alone, and the multiple-choice items.  Reference data only;
-- not granted (the report functions call it as the owner).
CREATE OR REPLACE FUNCTION msp.report_shape(p_slug text,
    p_instrument integer)
RETURNS TABLE (single text[], per_response text[], rule_items text[],
               multiple text[])
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH single AS (
        SELECT ru.var_key FROM msp.report_rule ru
          JOIN msp.instrument_item it ON it.instrument_id = p_instrument
           AND it.item_key = ru.item_key
         WHERE ru.instrument_slug = p_slug
         GROUP BY ru.var_key
        HAVING count(DISTINCT ru.item_key) = 1
           AND bool_and(it.item_type <> 'multiple_choice'))
    SELECT (SELECT coalesce(array_agg(s.var_key), '{}') FROM single s),
           (SELECT coalesce(array_agg(DISTINCT x.item_key), '{}') FROM (
              SELECT ru.item_key FROM msp.report_rule ru
               WHERE ru.instrument_slug = p_slug
                 AND ru.var_key NOT IN (SELECT s.var_key FROM single s)
              UNION SELECT it.item_key FROM msp.instrument_item it
               WHERE it.instrument_id = p_instrument
                 AND it.item_type = 'multiple_choice') x),
           (SELECT coalesce(array_agg(DISTINCT ru.item_key), '{}')
              FROM msp.report_rule ru
             WHERE ru.instrument_slug = p_slug
               AND ru.var_key NOT IN (SELECT s.var_key FROM single s)),
           (SELECT coalesce(array_agg(it.item_key), '{}')
              FROM msp.instrument_item it
             WHERE it.instrument_id = p_instrument
               AND it.item_type = 'multiple_choice')
$$;
REVOKE ALL ON FUNCTION msp.report_shape(text, integer) FROM PUBLIC;
