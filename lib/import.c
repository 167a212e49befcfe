/*
 * import — validate every row, then store them all in one transaction,
 * reading the file twice and holding one batch of rows at a time.
 *
 * Pass 1 reads the whole file, validates every row and hashes the file;
 * nothing is written, so a refused file costs no rollback of real work
 * and all its errors are known at once.  Pass 2 reads it again and
 * stores the rows, IMPORT_BATCH at a time, with a few set-based
 * statements per batch (one INSERT of responses, one of answers), as
 * msp.api_submit_many does for the API: the statement-level triggers
 * (audit, totals, report-cache stamp) then run once per batch instead of
 * once per row, which is where the time went (260 rows/s).  Two passes
 * rather than storing during the first one: the key of a row without an
 * @id holds the file's hash, known only at the end, and a refused file
 * would otherwise cost the storing of every row before its first bad
 * one.  The second pass hashes the file again: if it changed between
 * the passes, everything is rolled back.
 *
 * A database error in a batch (a policy refusing a row, a constraint)
 * rolls that batch back to its savepoint and stores its rows again one
 * at a time through msp.import_response() (migration 0015), which names
 * the row: the error then carries its line, and the transaction is
 * rolled back.  Validation happens inside the transaction only because
 * the instrument and the role codes are read there.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "buf.h"
#include "crypto.h"
#include "csv.h"
#include "csvmap.h"
#include "db.h"
#include "import.h"
#include "instrument.h"
#include "submission.h"
#include "tenant.h"

/* A validated row, ready for msp.import_response(). */
struct pending {
	size_t line;
	char pseudonym[CRYPTO_SHA256_HEX];
	char legacy[CRYPTO_SHA256_HEX];	/* csvmap_record's, or "" */
	const char *role;	/* borrowed from the role list, or NULL */
	int complete;
	char submitted[CSVMAP_TIME_LEN];	/* "" for now */
	char *key;		/* idempotency key, before the structure */
	char *answers;		/* JSON for msp.store_answers() */
	char request[CRYPTO_SHA256_HEX];	/* what was validated */
};

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

void
import_result_clear(struct import_result *res)
{
	size_t i;

	for (i = 0; i < res->n_rejects; i++) {
		free(res->rejects[i].field);
		free(res->rejects[i].column);
		free(res->rejects[i].message);
	}
	free(res->rejects);
	for (i = 0; i < res->n_unmapped; i++)
		free(res->unmapped[i]);
	free(res->unmapped);
	free(res->changed);
	memset(res, 0, sizeof(*res));
}

enum msp_status
import_enter_study(PGconn *conn, const char *token, const char *slug,
		   struct import_study *out, struct msp_error *err)
{
	const char *params[1] = { slug };
	PGresult *res = NULL;
	enum tenant_kind kind;
	enum msp_status st;
	int instrument_id;

	memset(out, 0, sizeof(*out));
	if (token != NULL &&
	    (st = tenant_enter(conn, token, &kind, err)) != MSP_OK)
		return st;
	out->kind = token != NULL ? kind : TENANT_NONE;
	st = db_exec(conn, "find study",
		     "SELECT s.study_id, s.instrument_id, s.region_id"
		     "  FROM msp.study s"
		     " WHERE s.slug = $1",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return msp_error_set(err, MSP_EINVAL, "no study '%s' "
				     "(GET /api/v1/studies lists them)",
				     slug);
	}
	out->study_id = (int)db_int(res, 0, "study_id");
	out->region_id = (int)db_int(res, 0, "region_id");
	instrument_id = (int)db_int(res, 0, "instrument_id");
	out->instrument_id = instrument_id;
	PQclear(res);
	if ((st = instrument_load(conn, instrument_id, &out->ins, err)) !=
	    MSP_OK)
		return st;
	return db_exec(conn, "respondent roles",
		       "SELECT e::text AS code FROM pg_catalog.unnest("
		       "pg_catalog.enum_range(NULL::msp.respondent_role)) e",
		       0, NULL, PGRES_TUPLES_OK, &out->roles, err);
}

void
import_study_clear(struct import_study *s)
{
	instrument_free(s->ins);
	PQclear(s->roles);
	memset(s, 0, sizeof(*s));
}

/* The role codes as the array csvmap_bind() takes (borrowed from
 * roles). */
static enum msp_status
role_codes(const PGresult *roles, const char ***codes, size_t *n,
	   struct msp_error *err)
{
	int i, rows = PQntuples(roles);

	*n = 0;
	*codes = calloc(rows ? (size_t)rows : 1, sizeof(**codes));
	if (*codes == NULL)
		return oom(err);
	for (i = 0; i < rows; i++)
		(*codes)[i] = PQgetvalue(roles, i, 0);
	*n = (size_t)rows;
	return MSP_OK;
}

/* Adds the reasons rec's row was refused to res. */
static enum msp_status
add_rejects(struct import_result *res, const struct csvmap_binding *b,
	    size_t line, const struct csvmap_record *rec,
	    struct msp_error *err)
{
	const struct field_error *fe;
	struct import_reject *r;
	const char *column;
	size_t i, n;

	fe = submission_errors(rec->sub, &n);
	if (res->n_rejects + n > IMPORT_MAX_REJECTS) {
		/* counted, not listed: the list stays bounded */
		res->n_more_rejects += n;
		return MSP_OK;
	}
	r = realloc(res->rejects, (res->n_rejects + n) * sizeof(*r));
	if (r == NULL && n > 0)
		return oom(err);
	res->rejects = r;
	for (i = 0; i < n; i++) {
		r = &res->rejects[res->n_rejects];
		memset(r, 0, sizeof(*r));
		r->line = line;
		column = csvmap_column_of(b, fe[i].field);
		r->field = strdup(fe[i].field);
		r->message = strdup(fe[i].message);
		r->column = column != NULL ? strdup(column) : NULL;
		res->n_rejects++;
		if (r->field == NULL || r->message == NULL ||
		    (column != NULL && r->column == NULL))
			return oom(err);
	}
	return MSP_OK;
}

/* Turns a valid record into what import_response() takes. */
static enum msp_status
make_pending(struct pending *p, const struct csvmap_record *rec,
	     size_t line, int study_id, const char *const sha[2],
	     struct msp_error *err)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	enum msp_status st;

	p->line = line;
	memcpy(p->pseudonym, rec->pseudonym, sizeof(p->pseudonym));
	memcpy(p->legacy, rec->legacy, sizeof(p->legacy));
	p->role = rec->role;
	p->complete = rec->complete;
	memcpy(p->submitted, rec->submitted, sizeof(p->submitted));
	/* With a response id the key survives new rows and edits of the
	 * file; the header's hash tells two tools' numberings apart (a
	 * form's new export has the same header).  Without an id, the same
	 * file's same line is the same response. */
	if (rec->id != NULL)
		buf_printf(&b, "%d:id:%.16s:%s", study_id, sha[1], rec->id);
	else
		buf_printf(&b, "%d:file:%s:%zu", study_id, sha[0], line);
	if ((st = buf_status(&b, err)) != MSP_OK)
		goto out;
	p->key = buf_steal(&b);
	submission_answers_json(rec->sub, &b);
	if ((st = buf_status(&b, err)) != MSP_OK)
		goto out;
	p->answers = buf_steal(&b);
	/* the request hash covers all that is stored from the row */
	buf_printf(&b, "%s\n%s\n%d\n%s", p->answers,
		   rec->role ? rec->role : "", rec->complete, p->submitted);
	if ((st = buf_status(&b, err)) == MSP_OK)
		st = crypto_sha256_hex(b.data, b.len, p->request, err);
out:
	buf_free(&b);
	return st;
}

/* Notes line as a replayed row whose answers differ from the file's;
 * beyond IMPORT_MAX_CHANGED lines, only counted. */
static enum msp_status
note_changed(struct import_result *res, size_t line, struct msp_error *err)
{
	size_t *c;

	if (res->n_changed == IMPORT_MAX_CHANGED) {
		res->n_more_changed++;
		return MSP_OK;
	}
	c = realloc(res->changed, (res->n_changed + 1) * sizeof(*c));
	if (c == NULL)
		return oom(err);
	res->changed = c;
	res->changed[res->n_changed++] = line;
	return MSP_OK;
}

/*
 * Stores pend[0..n) one call of msp.import_response() each: the path
 * that names the row a database error is about (the batch cannot).
 */
static enum msp_status
store_one_by_one(PGconn *conn, int study_id, struct pending *pend,
		 size_t n, struct import_result *res, struct msp_error *err)
{
	char study[16];
	enum msp_status st = MSP_OK;
	PGresult *r = NULL;
	size_t i;

	snprintf(study, sizeof(study), "%d", study_id);
	for (i = 0; i < n && st == MSP_OK; i++) {
		const char *params[9] = {
			study,			/* p_study */
			pend[i].pseudonym,	/* p_pseudonym */
			pend[i].key,		/* p_key */
			pend[i].request,	/* p_request */
			pend[i].role,		/* p_role (NULL: none) */
			pend[i].complete ? "true" : "false",
			pend[i].answers,	/* p_answers */
			pend[i].submitted[0] ? pend[i].submitted : NULL,
			/* $9: the structure keeps its pseudonym of before
			 * issue 18 when only that one is stored */
			pend[i].legacy[0] ? pend[i].legacy : NULL,
		};

		st = db_exec_prepared(conn, "import_response", 9, params,
				      PGRES_TUPLES_OK, &r, err);
		if (st != MSP_OK) {
			if (db_classify(err->sqlstate) == DB_DENIED)
				st = err->status = MSP_EACCESS;
			msp_error_prefix(err, "line %zu", pend[i].line);
			break;
		}
		if (strcmp(PQgetvalue(r, 0, db_column(r, "replayed")),
			   "t") != 0)
			res->n_stored++;
		else {
			res->n_replayed++;
			if (strcmp(PQgetvalue(r, 0, db_column(
					r, "same_request")), "t") != 0)
				st = note_changed(res, pend[i].line, err);
		}
		PQclear(r);
		r = NULL;
	}
	return st;
}

/* Appends s to b as a JSON string (NULL: null). */
static void
json_string(struct buf *b, const char *s)
{
	json_object *o;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	if ((o = json_object_new_string(s)) == NULL) {
		b->failed = 1;
		return;
	}
	buf_puts(b, json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/*
 * The batch as the statements below read it: [{"o": line, "p":
 * pseudonym, "l": legacy pseudonym or null, "k": key before the
 * structure, "q": request hash, "r": role, "c": complete, "s":
 * submitted or null, "a": answers}, ...].
 */
static enum msp_status
batch_json(const struct pending *pend, size_t n, struct buf *b,
	   struct msp_error *err)
{
	size_t i;

	buf_reset(b);
	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		const struct pending *p = &pend[i];

		buf_printf(b, "%s{\"o\":%zu,\"p\":", i ? "," : "", p->line);
		json_string(b, p->pseudonym);
		buf_puts(b, ",\"l\":");
		json_string(b, p->legacy[0] ? p->legacy : NULL);
		buf_puts(b, ",\"k\":");
		json_string(b, p->key);
		buf_puts(b, ",\"q\":");
		json_string(b, p->request);
		buf_puts(b, ",\"r\":");
		json_string(b, p->role);
		buf_printf(b, ",\"c\":%s,\"s\":", p->complete ? "true"
							      : "false");
		json_string(b, p->submitted[0] ? p->submitted : NULL);
		buf_puts(b, ",\"a\":");
		buf_puts(b, p->answers);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	return buf_status(b, err);
}

/*
 * The rows of batch $1 whose structure exists, as msp.import_response()
 * derives them: the key scoped to the structure, the submission time
 * read as UTC (now when the file has none; none for a partial
 * response), and "first", the row of the batch that stores a key a
 * later row of the same batch repeats (that one is then a replay, as it
 * would be one call later).
 */
#define BATCH_ROWS \
	"SELECT i.*, i.ord = pg_catalog.min(i.ord) OVER (PARTITION BY i.k)" \
	"       AS first" \
	"  FROM (SELECT e.ord, (e.j ->> 'o')::bigint AS line," \
	"               st.structure_id," \
	"               'import:' || st.structure_id || ':' ||" \
	"               (e.j ->> 'k') AS k," \
	"               pg_catalog.decode(e.j ->> 'q', 'hex') AS request," \
	"               (e.j ->> 'r')::msp.respondent_role AS role," \
	"               (e.j ->> 'c')::boolean AS complete," \
	"               CASE WHEN (e.j ->> 'c')::boolean THEN" \
	"                    coalesce(((e.j ->> 's')::timestamp)" \
	"                        AT TIME ZONE 'UTC', pg_catalog.now())" \
	"               END AS submitted," \
	"               e.j -> 'a' AS answers" \
	"          FROM pg_catalog.jsonb_array_elements($1::jsonb)" \
	"               WITH ORDINALITY AS e(j, ord)" \
	"          JOIN msp.structure st" \
	"            ON st.pseudonym = msp.structure_pseudonym(e.j ->> 'p'," \
	"                                                  e.j ->> 'l')) i"

/* The structures the batch names for the first time, created in the
 * study's region (an analyst's import, or the connection's own role). */
static const char create_structures_sql[] =
	"INSERT INTO msp.structure (pseudonym, region_id)"
	" SELECT p.pseudonym, $2::smallint"
	"   FROM (SELECT msp.structure_pseudonym(e ->> 'p', e ->> 'l')"
	"                AS pseudonym, pg_catalog.min(o) AS o"
	"           FROM pg_catalog.jsonb_array_elements($1::jsonb)"
	"                WITH ORDINALITY AS x(e, o)"
	"          GROUP BY 1) p"
	"  WHERE NOT EXISTS (SELECT 1 FROM msp.structure st"
	"                     WHERE st.pseudonym = p.pseudonym)"
	"  ORDER BY p.o"
	"     ON CONFLICT (pseudonym) DO NOTHING";

/* A team token imports for its own structure only: a pseudonym it
 * cannot see sends the batch to the one-by-one path, which says so. */
static const char unknown_structures_sql[] =
	"SELECT 1 FROM pg_catalog.jsonb_array_elements($1::jsonb) e"
	" WHERE NOT EXISTS (SELECT 1 FROM msp.structure st"
	"                    WHERE st.pseudonym ="
	"                          msp.structure_pseudonym(e ->> 'p',"
	"                                                  e ->> 'l'))"
	" LIMIT 1";

/* The responses, in the batch's order; a key stored before (or earlier
 * in the batch) stores nothing.  Returns the new responses' ids. */
static const char insert_responses_sql[] =
	"WITH b AS (" BATCH_ROWS ")"
	" INSERT INTO msp.response AS r (study_id, instrument_id,"
	"        structure_id, respondent_role, started_at, submitted_at,"
	"        status, idempotency_key, request_sha256)"
	" SELECT $2::integer, $3::integer, b.structure_id, b.role,"
	"        least(pg_catalog.now(), b.submitted),"
	"        b.submitted, CASE WHEN b.complete THEN 'complete'"
	"        ELSE 'partial' END::msp.response_status, b.k, b.request"
	"   FROM b ORDER BY b.ord"
	"     ON CONFLICT (idempotency_key) DO NOTHING"
	" RETURNING r.response_id";

/*
 * A statement of its own, after the responses: the answer policies look
 * the new responses up, and a statement sees only what came before it.
 * Stores the answers of the responses $3 (the ids the INSERT above
 * returned) in their order in the file, and returns the rows that were
 * replays, with whether the stored response had the same content.
 *
 * Each row of the batch finds its response through the unique index on
 * the key, in a LATERAL subquery that OFFSET 0 keeps from being merged
 * into a join: the planner may not start from msp.response.  An
 * ANALYZE by another session during the import (autovacuum's, due after
 * any large commit before it) cannot see the import's uncommitted rows
 * and records msp.response as empty; a plain join then ran as a nested
 * loop over the whole table for each row of the batch, every batch
 * slower than the one before (3 minutes a batch after 20,000 rows,
 * docs/performance.md, "An import that slows down").
 */
static const char insert_answers_sql[] =
	"WITH b AS (" BATCH_ROWS "),"
	" stored AS ("
	"  INSERT INTO msp.answer (response_id, instrument_id, item_key,"
	"         choice_code, num_value, text_value, bool_value)"
	"  SELECT r.response_id, $2::integer, a.v ->> 'k', a.v ->> 'c',"
	"         (a.v ->> 'n')::numeric, a.v ->> 't',"
	"         (a.v ->> 'b')::boolean"
	"    FROM b CROSS JOIN LATERAL (SELECT r.response_id"
	"                                 FROM msp.response r"
	"                                WHERE r.idempotency_key = b.k"
	"                               OFFSET 0) r"
	"   CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(b.answers)"
	"         WITH ORDINALITY AS a(v, i)"
	"   WHERE b.first AND r.response_id = ANY ($3::bigint[])"
	"   ORDER BY b.ord, a.i"
	"  RETURNING 1)"
	" SELECT b.line,"
	"        r.request_sha256 IS NOT DISTINCT FROM b.request"
	"        AS same_request"
	"   FROM b CROSS JOIN LATERAL (SELECT r.response_id, r.request_sha256"
	"                                FROM msp.response r"
	"                               WHERE r.idempotency_key = b.k"
	"                              OFFSET 0) r"
	"  WHERE NOT (b.first AND r.response_id = ANY ($3::bigint[]))";

/* What storing needs across batches. */
struct store {
	PGconn *conn;
	int study_id, instrument_id, region_id;
	int may_create;		/* may create structures */
	struct pending *pend;	/* IMPORT_BATCH rows */
	size_t n;
	struct buf json;	/* the batch */
	struct buf ids;		/* "{id,...}" */
};

/* Runs the batch's statements; *complete is 0 when some rows went
 * neither stored nor replayed (a structure it could not see). */
static enum msp_status
store_batch_set(struct store *s, struct import_result *res,
		size_t *stored, int *complete, struct msp_error *err)
{
	char study[16], instrument[16], region[16];
	const char *params[3];
	PGresult *r = NULL;
	enum msp_status st;
	size_t replayed = 0;
	int i, n;

	*stored = 0;
	*complete = 0;
	snprintf(study, sizeof(study), "%d", s->study_id);
	snprintf(instrument, sizeof(instrument), "%d", s->instrument_id);
	snprintf(region, sizeof(region), "%d", s->region_id);
	if ((st = batch_json(s->pend, s->n, &s->json, err)) != MSP_OK)
		return st;
	params[0] = s->json.data;
	params[1] = region;
	if (s->may_create) {
		st = db_exec(s->conn, "import: structures",
			     create_structures_sql, 2, params,
			     PGRES_COMMAND_OK, NULL, err);
	} else {
		st = db_exec(s->conn, "import: unknown structures",
			     unknown_structures_sql, 1, params,
			     PGRES_TUPLES_OK, &r, err);
		n = st == MSP_OK ? PQntuples(r) : 0;
		PQclear(r);
		r = NULL;
		if (st == MSP_OK && n > 0)
			return MSP_OK;	/* *complete = 0 */
	}
	if (st != MSP_OK)
		return st;
	params[1] = study;
	params[2] = instrument;
	st = db_exec(s->conn, "import: responses", insert_responses_sql, 3,
		     params, PGRES_TUPLES_OK, &r, err);
	if (st != MSP_OK)
		return st;
	buf_reset(&s->ids);
	buf_putc(&s->ids, '{');
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		buf_printf(&s->ids, "%s%s", i ? "," : "",
			   PQgetvalue(r, i, 0));
	buf_putc(&s->ids, '}');
	PQclear(r);
	r = NULL;
	*stored = (size_t)n;
	if ((st = buf_status(&s->ids, err)) != MSP_OK)
		return st;
	params[1] = instrument;
	params[2] = s->ids.data;
	st = db_exec(s->conn, "import: answers", insert_answers_sql, 3,
		     params, PGRES_TUPLES_OK, &r, err);
	if (st != MSP_OK)
		return st;
	n = PQntuples(r);
	for (i = 0; i < n && st == MSP_OK; i++) {
		replayed++;
		if (strcmp(db_text(r, i, "same_request"), "t") != 0)
			st = note_changed(res, (size_t)db_int(r, i, "line"),
					  err);
	}
	PQclear(r);
	if (st != MSP_OK)
		return st;
	*complete = *stored + replayed == s->n;
	if (*complete) {
		res->n_stored += *stored;
		res->n_replayed += replayed;
	}
	return MSP_OK;
}

/*
 * Stores the batch in s, then empties it.  A batch the set-based
 * statements cannot store whole goes back to its savepoint and row by
 * row through msp.import_response(), which names the failing line.
 */
static enum msp_status
store_batch(struct store *s, struct import_result *res,
	    struct msp_error *err)
{
	enum msp_status st;
	size_t i, stored = 0, changed_before = res->n_changed;
	size_t more_before = res->n_more_changed;
	int complete = 0;

	if (s->n == 0)
		return MSP_OK;
	st = db_exec(s->conn, "import: savepoint", "SAVEPOINT import_batch",
		     0, NULL, PGRES_COMMAND_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	st = store_batch_set(s, res, &stored, &complete, err);
	if (st == MSP_ENOMEM)
		goto out;
	if (st != MSP_OK || !complete) {
		res->n_changed = changed_before;
		res->n_more_changed = more_before;
		st = db_exec(s->conn, "import: rollback to savepoint",
			     "ROLLBACK TO SAVEPOINT import_batch", 0, NULL,
			     PGRES_COMMAND_OK, NULL, err);
		res->n_one_by_one += s->n;
		if (st == MSP_OK)
			st = store_one_by_one(s->conn, s->study_id, s->pend,
					      s->n, res, err);
		if (st != MSP_OK)
			goto out;
	}
	st = db_exec(s->conn, "import: release", "RELEASE SAVEPOINT "
		     "import_batch", 0, NULL, PGRES_COMMAND_OK, NULL, err);
out:
	for (i = 0; i < s->n; i++) {
		free(s->pend[i].key);
		free(s->pend[i].answers);
	}
	memset(s->pend, 0, s->n * sizeof(*s->pend));
	s->n = 0;
	return st;
}

/* The file's SHA-256, as the reader reads it. */
static void
hash_tap(void *arg, const void *bytes, size_t len)
{
	/* EVP_DigestUpdate fails only on a broken context: the final
	 * digest then fails too, and says so */
	(void)EVP_DigestUpdate(arg, bytes, len);
}

/* Starts a digest and a reader of in from its start. */
static enum msp_status
open_pass(FILE *in, char delimiter, EVP_MD_CTX *md,
	  struct csv_reader **reader, struct msp_error *err)
{
	if (fseek(in, 0, SEEK_SET) != 0)
		return msp_error_set(err, MSP_EIO, "cannot read the file "
				     "twice (%s): give a file, not a pipe",
				     strerror(errno));
	clearerr(in);
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return oom(err);
	return csv_reader_new(in, delimiter, hash_tap, md, reader, err);
}

static enum msp_status
end_pass(EVP_MD_CTX *md, char hex[CRYPTO_SHA256_HEX],
	 struct msp_error *err)
{
	unsigned char digest[CRYPTO_SHA256_LEN];
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(md, digest, &len) != 1 ||
	    len != sizeof(digest))
		return msp_error_set(err, MSP_ENOMEM, "SHA-256 failed");
	crypto_hex(digest, sizeof(digest), hex);
	return MSP_OK;
}

static void
report(const struct import_options *o, enum import_phase phase,
       size_t done, size_t total)
{
	if (o->progress != NULL)
		o->progress(o->progress_arg, phase, done, total);
}

/*
 * Pass 1: validates every row of r; refusals go to res.  Nothing is
 * kept of a valid row.
 */
static enum msp_status
check_rows(struct csv_reader *r, const struct csvmap_binding *b,
	   const struct import_options *o, struct import_result *res,
	   struct msp_error *err)
{
	const struct csv_row *row;
	struct csvmap_record rec;
	enum msp_status st;

	while ((st = csv_reader_next(r, &row, err)) == MSP_OK &&
	       row != NULL) {
		res->n_rows++;
		st = csvmap_row(b, row, o->secret, &rec, err);
		if (st == MSP_EINVAL && rec.sub != NULL)
			st = add_rejects(res, b, row->line, &rec, err);
		csvmap_record_clear(&rec);
		if (st != MSP_OK)
			return st;
		report(o, IMPORT_CHECKING, res->n_rows, 0);
	}
	return st;
}

/* Pass 2: validates every row of r again and stores it, a batch at a
 * time. */
static enum msp_status
store_rows(struct csv_reader *r, const struct csvmap_binding *b,
	   const struct import_options *o, struct store *s,
	   const char *const sha[2], struct import_result *res,
	   struct msp_error *err)
{
	const struct csv_row *row;
	struct csvmap_record rec;
	enum msp_status st;
	size_t done = 0;

	while ((st = csv_reader_next(r, &row, err)) == MSP_OK &&
	       row != NULL) {
		st = csvmap_row(b, row, o->secret, &rec, err);
		if (st == MSP_OK)
			st = make_pending(&s->pend[s->n++], &rec, row->line,
					  s->study_id, sha, err);
		else if (st == MSP_EINVAL)
			st = msp_error_set(err, MSP_ECONFLICT, "line %zu: "
					   "the file changed while it was "
					   "imported: nothing was stored",
					   row->line);
		csvmap_record_clear(&rec);
		if (st != MSP_OK)
			return st;
		if (++done > res->n_rows)
			return msp_error_set(err, MSP_ECONFLICT, "the file "
					     "changed while it was imported: "
					     "nothing was stored");
		if (s->n == IMPORT_BATCH) {
			if ((st = store_batch(s, res, err)) != MSP_OK)
				return st;
			report(o, IMPORT_STORING, done, res->n_rows);
		}
	}
	if (st == MSP_OK && (st = store_batch(s, res, err)) == MSP_OK)
		report(o, IMPORT_STORING, done, res->n_rows);
	return st;
}

static enum msp_status
copy_unmapped(const struct csvmap_binding *b, struct import_result *res,
	      struct msp_error *err)
{
	const char *const *names;
	size_t i, n;

	names = csvmap_unmapped(b, &n);
	res->unmapped = calloc(n ? n : 1, sizeof(char *));
	if (res->unmapped == NULL)
		return oom(err);
	for (i = 0; i < n; i++) {
		if ((res->unmapped[i] = strdup(names[i])) == NULL)
			return oom(err);
		res->n_unmapped++;
	}
	return MSP_OK;
}

/* Prepares msp.import_response() once per connection: a caller may
 * import several files (asking libpq would abort the transaction when
 * it is not there). */
static enum msp_status
prepare_one_by_one(PGconn *conn, struct msp_error *err)
{
	PGresult *r = NULL;
	enum msp_status st;
	int n_prepared;

	st = db_exec(conn, "prepared?",
		     "SELECT 1 FROM pg_catalog.pg_prepared_statements"
		     " WHERE name = 'import_response'", 0, NULL,
		     PGRES_TUPLES_OK, &r, err);
	if (st != MSP_OK)
		return st;
	n_prepared = PQntuples(r);
	PQclear(r);
	if (n_prepared > 0)
		return MSP_OK;
	return db_prepare(conn, "import_response",
			  "SELECT response_id, replayed, same_request"
			  "  FROM msp.import_response($1,"
			  "       msp.structure_pseudonym($2, $9), $3,"
			  "       pg_catalog.decode($4, 'hex'),"
			  "       $5::msp.respondent_role, $6::boolean,"
			  "       $7::jsonb, $8::timestamp)", 9, err);
}

/*
 * Whether the identity in effect may create structures, as
 * msp.import_response() decides: an analyst, or no token at all.  The
 * audit log names the import as the actor of every row, for the whole
 * transaction.  And no JIT, for the transaction, as the generator does:
 * the running totals' word split is estimated at a thousand words an
 * answer, so every batch's statement passed jit_above_cost and was
 * compiled, 2.3 s of a 7.1 s batch of 34,514 answers under
 * bench/import-cost.sql (docs/performance.md), for a query that then
 * ran in 0.4 s.
 */
static enum msp_status
begin_storing(PGconn *conn, int *may_create, struct msp_error *err)
{
	PGresult *r = NULL;
	enum msp_status st;
	const char *kind;

	st = db_exec(conn, "import: identity",
		     "SELECT msp.current_kind()::text AS kind,"
		     "       pg_catalog.set_config('msp.actor', 'import',"
		     "                             true) AS actor,"
		     "       pg_catalog.set_config('jit', 'off', true) AS jit",
		     0, NULL, PGRES_TUPLES_OK, &r, err);
	if (st != MSP_OK)
		return st;
	kind = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
	*may_create = kind == NULL || strcmp(kind, "analyst") == 0;
	PQclear(r);
	return prepare_one_by_one(conn, err);
}

enum msp_status
import_file(PGconn *conn, const struct import_options *o, FILE *in,
	    const char *map_text, size_t map_len, struct import_result *res,
	    struct msp_error *err)
{
	struct csvmap *map = NULL;
	struct csvmap_binding *b = NULL;
	struct csv_reader *first = NULL, *second = NULL;
	struct import_study study = { .study_id = 0, .kind = TENANT_NONE };
	struct store s = { .conn = NULL,
			   .json = BUF_INIT(BUF_MAX_DOCUMENT),
			   .ids = BUF_INIT(BUF_MAX_TEXT) };
	const char **roles = NULL;
	const struct csv_row *header;
	EVP_MD_CTX *md = NULL;
	enum msp_status st;
	char file_sha[CRYPTO_SHA256_HEX], header_sha[CRYPTO_SHA256_HEX];
	char again_sha[CRYPTO_SHA256_HEX];
	const char *const sha[2] = { file_sha, header_sha };
	struct buf text = BUF_INIT(BUF_MAX_DOCUMENT);	/* every name */
	int in_tx = 0;
	size_t i, n_roles = 0;

	memset(res, 0, sizeof(*res));
	if ((st = csvmap_parse(map_text, map_len, &map, err)) != MSP_OK) {
		msp_error_prefix(err, "mapping");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL) {
		st = oom(err);
		goto out;
	}
	if ((st = open_pass(in, o->delimiter, md, &first, err)) != MSP_OK)
		goto out;
	header = csv_reader_header(first);
	res->delimiter = csv_reader_delimiter(first);
	for (i = 0; i < header->n; i++)
		buf_printf(&text, "%s\n", header->fields[i]);
	if ((st = buf_status(&text, err)) != MSP_OK ||
	    (st = crypto_sha256_hex(text.data, text.len, header_sha,
				    err)) != MSP_OK)
		goto out;
	if ((st = db_exec(conn, "begin", "BEGIN", 0, NULL,
			  PGRES_COMMAND_OK, NULL, err)) != MSP_OK)
		goto out;
	in_tx = 1;
	if ((st = import_enter_study(conn, o->token, o->study, &study,
				     err)) != MSP_OK ||
	    (st = role_codes(study.roles, &roles, &n_roles, err)) !=
	    MSP_OK ||
	    (st = csvmap_bind(map, header, study.ins, roles, n_roles,
			      &b, err)) != MSP_OK ||
	    (st = copy_unmapped(b, res, err)) != MSP_OK)
		goto out;
	if (csvmap_needs_secret(b) && o->secret == NULL) {
		st = msp_error_set(err, MSP_ECONFIG, "the file has "
				   "identifiers (@structure): set "
				   "MSP_SECRET_FILE to the server secret so "
				   "that they are pseudonymised as the forms "
				   "do");
		goto out;
	}
	if ((st = check_rows(first, b, o, res, err)) != MSP_OK ||
	    (st = end_pass(md, file_sha, err)) != MSP_OK)
		goto out;
	if (res->n_rejects + res->n_more_rejects > 0) {
		st = msp_error_set(err, MSP_EINVAL, "%zu refusal%s: nothing "
				   "was stored",
				   res->n_rejects + res->n_more_rejects,
				   res->n_rejects + res->n_more_rejects > 1
				   ? "s" : "");
		goto out;
	}
	s.conn = conn;
	s.study_id = study.study_id;
	s.instrument_id = study.instrument_id;
	s.region_id = study.region_id;
	if ((s.pend = calloc(IMPORT_BATCH, sizeof(*s.pend))) == NULL) {
		st = oom(err);
		goto out;
	}
	if ((st = begin_storing(conn, &s.may_create, err)) != MSP_OK ||
	    (st = open_pass(in, res->delimiter, md, &second, err)) !=
	    MSP_OK ||
	    (st = store_rows(second, b, o, &s, sha, res, err)) != MSP_OK ||
	    (st = end_pass(md, again_sha, err)) != MSP_OK)
		goto out;
	if (strcmp(file_sha, again_sha) != 0) {
		st = msp_error_set(err, MSP_ECONFLICT, "the file changed "
				   "while it was imported: nothing was "
				   "stored");
		goto out;
	}
	st = db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK,
		     NULL, err);
	in_tx = 0;
out:
	if (in_tx) {
		PGresult *r = PQexec(conn, "ROLLBACK");

		PQclear(r);
	}
	if (st != MSP_OK) {
		res->n_stored = 0;
		res->n_replayed = 0;
		res->n_changed = 0;
		res->n_more_changed = 0;
	}
	for (i = 0; s.pend != NULL && i < s.n; i++) {
		free(s.pend[i].key);
		free(s.pend[i].answers);
	}
	free(s.pend);
	buf_free(&s.json);
	buf_free(&s.ids);
	free(roles);
	buf_free(&text);
	import_study_clear(&study);
	csvmap_binding_free(b);
	csv_reader_free(second);
	csv_reader_free(first);
	EVP_MD_CTX_free(md);
	csvmap_free(map);
	return st;
}

enum msp_status
import_csv(PGconn *conn, const struct import_options *o, const char *data,
	   size_t csv_len, const char *map_text, size_t map_len,
	   struct import_result *res, struct msp_error *err)
{
	enum msp_status st;
	FILE *in;

	memset(res, 0, sizeof(*res));
	if (csv_len == 0)	/* fmemopen() wants a buffer */
		return msp_error_set(err, MSP_EINVAL, "empty file: no "
				     "header");
	/* read-only: fmemopen() does not write in mode "r" */
	if ((in = fmemopen((void *)(uintptr_t)data, csv_len, "r")) == NULL)
		return oom(err);
	st = import_file(conn, o, in, map_text, map_len, res, err);
	fclose(in);
	return st;
}
