/*
 * import — validate every row, then store them all in one transaction.
 *
 * Validation happens inside the transaction only because the instrument
 * and the role codes are read there; nothing is written before every
 * row has passed, so a refused file costs no rollback of real work and
 * all its errors are known at once.  A database error while storing
 * (a policy refusing a row, a constraint) stops at that row: the
 * transaction is then rolled back and the error names the line.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		     "SELECT s.study_id, s.instrument_id FROM msp.study s"
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
	instrument_id = (int)db_int(res, 0, "instrument_id");
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

/* Validates every row; valid ones go to *pend, refusals to res. */
static enum msp_status
validate_rows(const struct csv *csv, const struct csvmap_binding *b,
	      const struct import_options *o, int study_id,
	      const char *const sha[2], struct pending *pend,
	      struct import_result *res, struct msp_error *err)
{
	struct csvmap_record rec;
	enum msp_status st = MSP_OK;
	size_t i;

	for (i = 1; i < csv->n_rows && st == MSP_OK; i++) {
		size_t line = csv->rows[i].line;

		st = csvmap_row(b, &csv->rows[i], o->secret, &rec, err);
		if (st == MSP_EINVAL && rec.sub != NULL)
			st = add_rejects(res, b, line, &rec, err);
		else if (st == MSP_OK)
			st = make_pending(&pend[i - 1], &rec, line, study_id,
					  sha, err);
		csvmap_record_clear(&rec);
	}
	return st;
}

/* Stores the validated rows, one call each. */
static enum msp_status
store_rows(PGconn *conn, const struct import_options *o, int study_id,
	   struct pending *pend, size_t n, struct import_result *res,
	   struct msp_error *err)
{
	char study[16];
	enum msp_status st;
	PGresult *r = NULL;
	int n_prepared;
	size_t i;

	snprintf(study, sizeof(study), "%d", study_id);
	/* once per connection: a caller may import several files (asking
	 * libpq would abort the transaction when it is not there) */
	st = db_exec(conn, "prepared?",
		     "SELECT 1 FROM pg_catalog.pg_prepared_statements"
		     " WHERE name = 'import_response'", 0, NULL,
		     PGRES_TUPLES_OK, &r, err);
	if (st != MSP_OK)
		return st;
	n_prepared = PQntuples(r);
	PQclear(r);
	r = NULL;
	if (n_prepared == 0)
		st = db_prepare(conn, "import_response",
				"SELECT response_id, replayed, same_request"
				"  FROM msp.import_response($1,"
				"       msp.structure_pseudonym($2, $9), $3,"
				"       pg_catalog.decode($4, 'hex'),"
				"       $5::msp.respondent_role, $6::boolean,"
				"       $7::jsonb, $8::timestamp)", 9, err);
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
			   "t") != 0) {
			res->n_stored++;
		} else {
			res->n_replayed++;
			if (strcmp(PQgetvalue(r, 0, db_column(
					r, "same_request")), "t") != 0)
				res->changed[res->n_changed++] =
					pend[i].line;
		}
		PQclear(r);
		r = NULL;
		if (o->progress != NULL)
			o->progress(o->progress_arg, i + 1, n);
	}
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

enum msp_status
import_csv(PGconn *conn, const struct import_options *o, const char *data,
	   size_t csv_len, const char *map_text, size_t map_len,
	   struct import_result *res, struct msp_error *err)
{
	struct csvmap *map = NULL;
	struct csvmap_binding *b = NULL;
	struct csv *csv = NULL;
	struct import_study study = { 0, NULL, NULL, TENANT_NONE };
	const char **roles = NULL;
	struct pending *pend = NULL;
	enum msp_status st;
	char file_sha[CRYPTO_SHA256_HEX], header_sha[CRYPTO_SHA256_HEX];
	const char *const sha[2] = { file_sha, header_sha };
	struct buf header = BUF_INIT(BUF_MAX_DOCUMENT);	/* every name */
	int in_tx = 0;
	size_t i, n = 0, n_roles = 0;

	memset(res, 0, sizeof(*res));
	if ((st = csvmap_parse(map_text, map_len, &map, err)) != MSP_OK) {
		msp_error_prefix(err, "mapping");
		goto out;
	}
	if ((st = csv_parse(data, csv_len, o->delimiter, &csv, err)) !=
	    MSP_OK)
		goto out;
	res->delimiter = csv->delimiter;
	n = csv->n_rows - 1;
	res->n_rows = n;
	for (i = 0; i < csv->rows[0].n; i++)
		buf_printf(&header, "%s\n", csv->rows[0].fields[i]);
	if ((st = buf_status(&header, err)) != MSP_OK ||
	    (st = crypto_sha256_hex(data, csv_len, file_sha, err)) !=
	    MSP_OK ||
	    (st = crypto_sha256_hex(header.data, header.len, header_sha,
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
	    (st = csvmap_bind(map, &csv->rows[0], study.ins, roles, n_roles,
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
	pend = calloc(n ? n : 1, sizeof(*pend));
	res->changed = calloc(n ? n : 1, sizeof(*res->changed));
	if (pend == NULL || res->changed == NULL) {
		st = oom(err);
		goto out;
	}
	st = validate_rows(csv, b, o, study.study_id, sha, pend, res,
			   err);
	if (st == MSP_OK && res->n_rejects > 0)
		st = msp_error_set(err, MSP_EINVAL, "%zu refusal%s: nothing "
				   "was stored", res->n_rejects,
				   res->n_rejects > 1 ? "s" : "");
	if (st != MSP_OK)
		goto out;
	if ((st = store_rows(conn, o, study.study_id, pend, n, res, err)) !=
	    MSP_OK)
		goto out;
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
	}
	for (i = 0; pend != NULL && i < n; i++) {
		free(pend[i].key);
		free(pend[i].answers);
	}
	free(pend);
	free(roles);
	buf_free(&header);
	import_study_clear(&study);
	csvmap_binding_free(b);
	csv_free(csv);
	csvmap_free(map);
	return st;
}
