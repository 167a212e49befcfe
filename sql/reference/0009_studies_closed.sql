-- The two source studies ran in 2019 and 2024: their fieldwork is over,
-- so they accept no response (migration 0028's life cycle).  Their
-- reports keep working.  A test that submits to them reopens them
-- first (msp-report study reopen SLUG).
UPDATE msp.study SET state = 'closed'
 WHERE slug IN ('pdl-2019', 'occitanie-2024');
