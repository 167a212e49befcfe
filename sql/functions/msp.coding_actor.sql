-- Who is coding, for msp.answer_code.coder, msp.segment.coder and
-- msp.memo.author: the verified token's identity ('analyst:12'), or,
-- for the owner's msp-report with no token, the msp.actor setting or
-- else 'owner:' and the login.  Never from anything the caller passes:
-- one coder cannot record codings under another's name, which the
-- agreement between coders depends on.  Called by the SECURITY DEFINER
-- coding functions only (msp_audit.current_actor is theirs to call).
CREATE OR REPLACE FUNCTION msp.coding_actor() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(msp_audit.current_actor(), 'owner:' || session_user)
$$;
REVOKE ALL ON FUNCTION msp.coding_actor() FROM PUBLIC;
