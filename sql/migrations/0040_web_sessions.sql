-- Sessions of the web pages (issue 19, item 3; docs/pages.md).
--
-- A federation, an analyst or a team signs in at /connexion by typing
-- its bearer token (msp-report token create) once; the worker draws a
-- random session id (32 bytes from the CSPRNG, RAND_bytes), gives it to
-- the browser in a cookie and the database keeps only its SHA-256 here,
-- with the token it stands for.  Each page then takes on that token's
-- identity through msp.session_enter(session id), which sets the same
-- role and the same msp.current_token() as msp.enter(token): Row-Level
-- Security and disclosure control cannot tell a page from the CLI.
--
-- A session ends at the first of: sign-out (ended_at), 30 minutes
-- without a request (last_seen_at), 12 hours after sign-in
-- (expires_at), or the revocation of its token (msp-report token
-- revoke ends the token's sessions, and a revoked token's session is
-- refused even without that).  The limits are in msp.session_live().
--
-- No tenant role reads or writes this table: only the SECURITY
-- DEFINER functions below (sql/functions/) and the owner do.
--
-- Functions (docs/schema.md): msp.session_live(msp.web_session),
-- msp.session_open(text, text), msp.session_touch(text),
-- msp.session_close(text), msp.session_enter(text); and
-- msp.current_token(), which now also finds a session's token.

CREATE TABLE msp.web_session (
    session_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- SHA-256 of the cookie's session id; the id itself is never stored
    id_sha256    bytea NOT NULL UNIQUE CHECK (length(id_sha256) = 32),
    token_id     integer NOT NULL
                 REFERENCES msp.access_token ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- the absolute limit, fixed at sign-in
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX web_session_token ON msp.web_session (token_id);
REVOKE ALL ON msp.web_session FROM PUBLIC;
ALTER TABLE msp.web_session ENABLE ROW LEVEL SECURITY;
