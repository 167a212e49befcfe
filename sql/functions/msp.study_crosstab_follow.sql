-- The statement triggers of migration 0047 on the writes that change
-- what a closed study's cross-tabulations count: they rebuild the
-- tables of every closed study the statement touched, in its
-- transaction, so that an erasure (msp.erase_structure, a response
-- deleted, a structure's cascade) leaves no count of the erased
-- responses behind and the tables always equal a count from the
-- answers.  TG_ARGV[0] says what crosstab_rows (the transition table)
-- holds: 'response' deleted responses, 'answer' answers inserted or
-- deleted, 'answer update' answers updated (crosstab_old: before),
-- 'structure' updated structures (crosstab_old: before), of which
-- those whose region changed count, 'rules' (no table) a change of the
-- report's rules or variables, after which every built study is
-- rebuilt.  A rebuild costs what a close costs (msp.study_crosstab_
-- build: minutes at a million responses): such writes
-- are rare on a closed study (it refuses responses, 0028).  On the
-- submission path (answers of open studies) the trigger only looks
-- up the study of each response written, and finds nothing to do.
CREATE OR REPLACE FUNCTION msp.study_crosstab_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_studies integer[];
    v_study integer;
BEGIN
    IF TG_ARGV[0] = 'rules' THEN
        SELECT array_agg(b.study_id) INTO v_studies
          FROM msp.study_crosstab_split b WHERE b.split = '';
    ELSIF TG_ARGV[0] = 'response' THEN
        SELECT array_agg(DISTINCT x.study_id) INTO v_studies
          FROM crosstab_rows x
         WHERE EXISTS (SELECT 1 FROM msp.study_crosstab_split b
                        WHERE b.study_id = x.study_id AND b.split = '');
    ELSIF TG_ARGV[0] = 'answer' THEN
        SELECT array_agg(DISTINCT r.study_id) INTO v_studies
          FROM (SELECT DISTINCT a.response_id FROM crosstab_rows a) x
          JOIN msp.response r ON r.response_id = x.response_id
         WHERE EXISTS (SELECT 1 FROM msp.study_crosstab_split b
                        WHERE b.study_id = r.study_id AND b.split = '');
    ELSIF TG_ARGV[0] = 'answer update' THEN
        -- an answer may have moved from one response to another
        SELECT array_agg(DISTINCT r.study_id) INTO v_studies
          FROM (SELECT a.response_id FROM crosstab_rows a
                UNION SELECT o.response_id FROM crosstab_old o) x
          JOIN msp.response r ON r.response_id = x.response_id
         WHERE EXISTS (SELECT 1 FROM msp.study_crosstab_split b
                        WHERE b.study_id = r.study_id AND b.split = '');
    ELSIF TG_ARGV[0] = 'structure' THEN
        SELECT array_agg(DISTINCT b.study_id) INTO v_studies
          FROM msp.study_crosstab_split b
         WHERE b.split = ''
           AND EXISTS (SELECT 1 FROM msp.response r
                         JOIN crosstab_rows x
                           ON x.structure_id = r.structure_id
                         JOIN crosstab_old o
                           ON o.structure_id = x.structure_id
                        WHERE r.study_id = b.study_id
                          AND o.region_id <> x.region_id);
    ELSE
        RAISE EXCEPTION 'msp.study_crosstab_follow: unknown %', TG_ARGV[0];
    END IF;
    IF v_studies IS NOT NULL THEN
        FOREACH v_study IN ARRAY v_studies LOOP
            PERFORM msp.study_crosstab_build(v_study);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.study_crosstab_follow() FROM PUBLIC;
