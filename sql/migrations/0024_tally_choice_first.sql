-- 0019's totals trigger counted a response's answers to an item (one
-- index lookup in msp.answer) for every item the statement wrote, and
-- only then kept the multiple-choice ones, the only ones whose
-- respondents it counts: the planner applied the count as a filter
-- below the join with the items.  The multiple-choice items are now
-- picked first, so the lookups are for those alone.  The counts are
-- the same.  (A function's body is replaced whole: the rest is 0019's.)

