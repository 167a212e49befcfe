-- Storing a submission in one round trip.
--
-- The worker validates a submission against the instrument in C, then
-- calls one function: the API with the caller's bearer token, the public
-- form with the structure's pseudonym.  Each function stores the
-- response and its answers in the statement's own transaction, so a
-- failure stores nothing; the answer trigger and the foreign keys of
-- 0003 check everything again.

-- What the client sent (SHA-256 of the body), to tell a retry from a
-- different request reusing an Idempotency-Key; and the hash of a
-- form's private resume link.
ALTER TABLE msp.response
    ADD COLUMN request_sha256 bytea CHECK (length(request_sha256) = 32),
    ADD COLUMN resume_sha256 bytea UNIQUE CHECK (length(resume_sha256) = 32);

