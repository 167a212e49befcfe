/*
 * coding — the analysts' coding workspace (coding.h).
 *
 *   GET  /codage                          the studies to code
 *   GET  /codage/{study}                  the workspace: codebook, open
 *                                         answers item by item, interviews
 *   GET  /codage/{study}/entretiens/{n}   an interview: its metadata, its
 *                                         transcript, its coding ("nouveau":
 *                                         a new one)
 *   GET  /codage/{study}/accord           agreement between coders
 *   GET  /codage/{study}/donnees.json     codebook, items, interviews;
 *                                         ?item=K: that item's answers;
 *                                         ?aveugle=1: the caller's codings
 *                                         only
 *   GET  /codage/{study}/entretiens/{n}.json  ?aveugle=1 as above
 *   POST /codage/{study}/actions          one write, a JSON object with
 *                                         "op" (below), header X-CSRF-Token
 *
 * A person signed in as a federation or a team gets 403 on every one of
 * them (an HTML page, or {"error": ...} for the JSON ones), before the
 * database is asked; the database would refuse them anyway
 * (msp.coding_study: 42501).  No session: the pages send to /connexion,
 * the JSON endpoints answer 401.
 *
 * The blind mode is the server's: with aveugle=1 the views leave the
 * other coders' codings and memos out of the JSON (msp.coding_view_*,
 * p_blind), so that nothing the page receives shows them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agreement.h"
#include "codebook.h"
#include "coding.h"
#include "db.h"
#include "html.h"
#include "jsonin.h"
#include "session.h"
#include "tenant.h"
#include "urlenc.h"
#include "utf8.h"

/* Slugs, as the schema allows them. */
#define SLUG_MAX 63

/* Limits of the schema (0004, 0039), checked here first so that the
 * person reads a French sentence rather than a constraint's name. */
#define LABEL_MAX 500
#define DEFINITION_MAX 10000
#define MEMO_MAX 20000
#define PROFESSION_MAX 200
#define CODES_PER_ACTION 50	/* codes applied, or codings undone, at once */

const struct statement coding_statements[] = {
	{ "coding_codebook",
	  "SELECT msp.coding_view_codebook($1, $2::boolean)::text AS doc",
	  2 },
	{ "coding_answers",
	  "SELECT msp.coding_view_answers($1, $2, $3::boolean)::text AS doc",
	  3 },
	{ "coding_interview",
	  "SELECT msp.coding_view_interview($1, $2::smallint,"
	  "       $3::boolean)::text AS doc", 3 },
	{ "coding_code_add",
	  "SELECT msp.codebook_add($1, $2, $3::msp.code_kind, $4, $5, $6,"
	  "       CASE WHEN $7::jsonb IS NULL THEN NULL ELSE ARRAY("
	  "         SELECT jsonb_array_elements_text($7::jsonb)) END,"
	  "       NULL) AS id", 7 },
	{ "coding_code_edit",
	  "SELECT msp.codebook_edit($1, $2, $3::msp.code_kind, $4, $5, $6,"
	  "       CASE WHEN $7::jsonb IS NULL THEN NULL ELSE ARRAY("
	  "         SELECT jsonb_array_elements_text($7::jsonb)) END)"
	  "       IS NULL AS done", 7 },
	{ "coding_code_merge",
	  "SELECT msp.codebook_merge($1, $2, $3) AS id", 3 },
	{ "coding_apply_answer",
	  "SELECT msp.coding_apply_answer($1, $2::bigint, $3, $4::integer,"
	  "       $5::integer, $6::boolean) AS id", 6 },
	{ "coding_apply_segment",
	  "SELECT msp.coding_apply_segment($1, $2::smallint, $3,"
	  "       $4::integer, $5::integer, $6::boolean) AS id", 6 },
	{ "coding_remove",
	  "SELECT msp.coding_remove($1, $2, $3::bigint) IS NULL AS done", 3 },
	{ "coding_memo",
	  "SELECT msp.memo_add($1, $2, $3::bigint, $4::smallint, $5) AS id",
	  5 },
	{ "coding_interview_save",
	  "SELECT msp.interview_save($1, $2::smallint, $3::jsonb) AS id", 3 },
	{ "coding_transcript",
	  "SELECT msp.interview_transcript_set($1, $2::smallint, $3) AS id",
	  3 },
	/* The coders' own codings of the study's open answers, one row per
	 * (answer, coder, code), as msp-report agreement reads them
	 * (cli/cmd_agreement.c: the unit is an answer; a code applied to
	 * several passages of it counts once; test responses left out),
	 * under the session's identity and RLS.  Coder order, then answer,
	 * then code: coder 1 of κ is the first in text order. */
	{ "coding_agreement",
	  "SELECT min(a.answer_id) AS answer_id, k.coder, k.code"
	  "  FROM msp.answer_code k"
	  "  JOIN msp.response r ON r.response_id = k.response_id"
	  "  JOIN msp.study s ON s.study_id = r.study_id"
	  "  JOIN msp.answer a ON a.response_id = k.response_id"
	  "   AND a.item_key = k.item_key AND a.text_value IS NOT NULL"
	  " WHERE s.slug = $1 AND k.state = 'own' AND NOT r.test"
	  " GROUP BY k.response_id, k.item_key, k.coder, k.code"
	  " ORDER BY k.coder, 1, k.code", 1 },
	{ NULL, NULL, 0 }
};

/* --- replies -------------------------------------------------------------- */

static void
esc(struct buf *b, const char *s)
{
	html_escape(b, s != NULL ? s : "");
}

/* {"error": text} with status: what the page's script shows. */
static void
json_error(struct reply *r, int status, const char *text)
{
	json_object *o = json_object_new_object();

	if (o != NULL)
		json_object_object_add(o, "error",
				       json_object_new_string(text));
	buf_reset(&r->body);
	http_json(r, status, o);
}

/* The top of a page of the workspace: the session's header (space,
 * studies, sign-out with its CSRF token), and, for the script, the
 * CSRF token its writes send back. */
static void
page_start(struct worker *w, struct reply *r, int status, const char *title,
	   const struct session *s, int script)
{
	char csrf[SECRET_CSRF_MAX];
	struct buf *b = &r->body;
	int have = session_csrf_make(&w->secret, s->id, csrf) == 0;

	r->status = status;
	r->content_type = "text/html";
	buf_reset(b);
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		 "<meta charset=\"utf-8\"><meta name=\"viewport\" "
		 "content=\"width=device-width, initial-scale=1\">");
	if (have && script) {
		buf_puts(b, "<meta name=\"csrf\" content=\"");
		esc(b, csrf);
		buf_puts(b, "\">");
	}
	buf_puts(b, "<title>");
	esc(b, title);
	buf_puts(b, "</title><link rel=\"stylesheet\" "
		 "href=\"/static/coding.css\">");
	if (script)
		buf_puts(b, "<script src=\"/static/coding.js\" defer>"
			 "</script>");
	buf_puts(b, "</head>\n");
}

static void
body_start(struct worker *w, struct buf *b, const struct session *s)
{
	char csrf[SECRET_CSRF_MAX];

	buf_puts(b, "<a class=\"skip\" href=\"#contenu\">Aller au contenu"
		 "</a>\n<header><a href=\"/espace\">Mon espace</a>"
		 "<a href=\"/codage\">Études à coder</a>");
	if (session_csrf_make(&w->secret, s->id, csrf) == 0) {
		buf_puts(b, "<form method=\"post\" action=\"/deconnexion\">"
			 "<input type=\"hidden\" name=\"_csrf\" value=\"");
		esc(b, csrf);
		buf_puts(b, "\"><button type=\"submit\">Se déconnecter"
			 "</button></form>");
	}
	buf_puts(b, "</header>\n<main id=\"contenu\" tabindex=\"-1\">\n");
}

static void
message_page(struct worker *w, struct reply *r, int status,
	     const char *title, const char *text, const struct session *s)
{
	page_start(w, r, status, title, s, 0);
	buf_puts(&r->body, "<body>\n");
	body_start(w, &r->body, s);
	buf_puts(&r->body, "<h1>");
	esc(&r->body, title);
	buf_puts(&r->body, "</h1>\n<p>");
	esc(&r->body, text);
	buf_puts(&r->body, "</p>\n<p><a href=\"/espace\">Mon espace</a></p>"
		 "\n</main>\n</body></html>\n");
}

/* Shared code's failures (the database unreachable...) as HTML. */
static void
failure_page(struct reply *r, const struct failure *f)
{
	r->status = f->status;
	r->content_type = "text/html";
	buf_reset(&r->body);
	buf_printf(&r->body, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		   "<meta charset=\"utf-8\"><title>Service indisponible"
		   "</title></head><body><h1>Service momentanément "
		   "indisponible</h1><p>Réessayez dans quelques instants "
		   "(%d).</p></body></html>\n", f->status);
}

/* ... and as {"error": ...} for the script. */
static void
failure_json(struct reply *r, const struct failure *f)
{
	json_error(r, f->status, "Le service est momentanément "
		   "indisponible : réessayez dans quelques instants.");
}

/*
 * The sentence a person reads for a refusal that PostgreSQL itself
 * wrote (in English: a constraint, a privilege), by its SQLSTATE: what
 * the workspace can meet once its own checks have passed.  Static.
 */
static const char *
refusal_text(const char *sqlstate)
{
	static const struct {
		const char *state;	/* a SQLSTATE, or a class ("22") */
		const char *text;
	} texts[] = {
		{ "42501", "Cette action est réservée aux analystes : votre "
			   "accès ne la permet pas." },
		{ "23505", "Cet élément existe déjà : rechargez la page pour "
			   "voir ce qui est enregistré." },
		{ "23503", "Cette saisie désigne un élément qui n'existe pas "
			   "ou plus (un code, une structure, un stade du "
			   "continuum...) : choisissez-le dans la liste." },
		{ "23514", "Une valeur ne respecte pas les règles de la base "
			   "(par exemple une suppression d'enregistrement "
			   "datée d'avant l'entretien, ou un texte vide) : "
			   "corrigez la saisie." },
		{ "23502", "Une information obligatoire manque : complétez "
			   "la saisie." },
		{ "22001", "Un texte est trop long : raccourcissez-le." },
		{ "55006", "Cet élément est utilisé ailleurs (par exemple une "
			   "transcription dont des passages sont codés) : "
			   "retirez d'abord ce qui en dépend." },
		{ "02000", "Élément introuvable : rechargez la page." },
		{ "P0002", "Élément introuvable : rechargez la page." },
		{ "22", "Une valeur saisie n'a pas le format attendu : "
			"corrigez la saisie." },
		{ "23", "Cette saisie contredit ce qui est enregistré : "
			"rechargez la page et corrigez-la." },
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strncmp(sqlstate, texts[i].state,
			    strlen(texts[i].state)) == 0)
			return texts[i].text;
	return "La base de données a refusé cette action : rechargez la "
	       "page, puis réessayez.";
}

/*
 * The database's whole message for a refusal, err's, as one JSON line
 * on the worker's log (the journal, or the stack's 0640 log): the
 * statement's name, its SQLSTATE, the primary message and the DETAIL
 * and HINT.  Only here: a DETAIL carries values of rows — a check
 * constraint's "Failing row contains (...)" the whole row, a unique
 * key's "Key (...)=(...) already exists" the row that holds it, which
 * may be another coder's — and reaches no page nor reply.  PostgreSQL's
 * own log holds the same lines.
 */
static void
log_refusal(const struct msp_error *err)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return;
	json_object_object_add(o, "level", json_object_new_string("info"));
	json_object_object_add(o, "event",
			       json_object_new_string("coding refused"));
	json_object_object_add(o, "sqlstate",
			       json_object_new_string(err->sqlstate));
	json_object_object_add(o, "message",
			       json_object_new_string(err->message));
	fprintf(stderr, "%s\n", json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/*
 * A statement the database refused, err, as the reply: its SQLSTATE
 * gives the status; {"error": for people, "sqlstate": its code} for
 * programs.  People read our functions' French sentence (« le code
 * « x » existe déjà... », a RAISE: the primary message alone) as it
 * is, without the statement's name in front, and for PostgreSQL's own
 * English (a constraint, a privilege) refusal_text()'s sentence.  The
 * database's DETAIL goes to the log only (log_refusal()).  A failure
 * that is not a refusal (the connection, a timeout, a bug) is
 * conn_failure_reply's.
 */
static void
refusal_reply(struct worker *w, const struct msp_error *err,
	      struct reply *r)
{
	char people[MSP_ERROR_MAX];
	const char *primary;
	json_object *o;
	int status;

	switch (db_classify(err->sqlstate)) {
	case DB_DENIED:
		status = 403;
		break;
	case DB_NOT_FOUND:
	case DB_NO_DATA:
		status = 404;
		break;
	case DB_UNIQUE:
		status = 409;
		break;
	case DB_FOREIGN_KEY:
	case DB_CHECK:
	case DB_INTEGRITY:
	case DB_INVALID_PARAMETER:
	case DB_DATA:
		status = 422;
		break;
	default:
		/* 55006 object_in_use: a transcript under coded passages */
		if (strcmp(err->sqlstate, "55006") == 0) {
			status = 409;
			break;
		}
		conn_failure_reply(&w->db, err, r);
		return;
	}
	r->log_note = "coding refused";
	log_refusal(err);
	/* err's message is "statement: ERROR: primary\nDETAIL: ..."
	 * (db_error_from_result): a RAISE's sentence is its primary */
	primary = db_error_sentence(err);
	if (err->raised && primary != err->message) {
		snprintf(people, sizeof(people), "%.*s",
			 (int)strcspn(primary, "\n"), primary);
	} else {
		snprintf(people, sizeof(people), "%s",
			 refusal_text(err->sqlstate));
	}
	o = json_object_new_object();
	if (o != NULL) {
		json_object_object_add(o, "error",
				       json_object_new_string(people));
		json_object_object_add(o, "sqlstate",
				       json_object_new_string(err->sqlstate));
	}
	buf_reset(&r->body);
	http_json(r, status, o);
}

/* --- one transaction under the session's identity ------------------------ */

/*
 * BEGIN (READ ONLY unless write) and the session's identity: the
 * connection, or NULL replied (the database; the session ended
 * meanwhile: 401).
 */
static PGconn *
tx_begin_or_reply(struct worker *w, const struct session *s, int write,
		  struct reply *r)
{
	enum tenant_kind kind;
	struct msp_error err;
	PGconn *conn;

	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return NULL;
	if (db_exec(conn, "coding: begin", write ? "BEGIN" :
		    "BEGIN READ ONLY", 0, NULL, PGRES_COMMAND_OK, NULL,
		    &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		return NULL;
	}
	if (tenant_enter_session(conn, s->id, &kind, &err) != MSP_OK) {
		db_exec(conn, "coding: rollback", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
		if (err.status == MSP_EACCESS)
			json_error(r, 401, "Votre session a pris fin : "
				   "reconnectez-vous.");
		else
			conn_failure_reply(&w->db, &err, r);
		return NULL;
	}
	return conn;
}

/* Ends the transaction: COMMIT when commit, else ROLLBACK; 0, or -1
 * replied when the COMMIT failed. */
static int
tx_end_or_reply(struct worker *w, PGconn *conn, int commit,
		struct reply *r)
{
	struct msp_error err;

	if (db_exec(conn, commit ? "coding: commit" : "coding: rollback",
		    commit ? "COMMIT" : "ROLLBACK", 0, NULL, PGRES_COMMAND_OK,
		    NULL, &err) != MSP_OK) {
		if (commit)
			conn_failure_reply(&w->db, &err, r);
		return commit ? -1 : 0;
	}
	return 0;
}

/* Runs prepared statement name in the open transaction: 0 and *res (the
 * caller's to PQclear), or -1 with the transaction rolled back and the
 * refusal replied. */
static int
tx_exec_or_reply(struct worker *w, PGconn *conn, const char *name,
		 int nparams, const char *const *params, PGresult **res,
		 struct reply *r)
{
	struct msp_error err;

	if (db_exec_prepared(conn, name, nparams, params, PGRES_TUPLES_OK,
			     res, &err) == MSP_OK)
		return 0;
	db_exec(conn, "coding: rollback", "ROLLBACK", 0, NULL,
		PGRES_COMMAND_OK, NULL, NULL);
	refusal_reply(w, &err, r);
	return -1;
}

/*
 * A read: one view statement in a read-only transaction, whose single
 * column doc (a JSON document built by the database) is the reply.
 */
static void
view_reply(struct worker *w, const struct session *s, const char *name,
	   int nparams, const char *const *params, struct reply *r)
{
	PGresult *res = NULL;
	PGconn *conn;

	if ((conn = tx_begin_or_reply(w, s, 0, r)) == NULL)
		return;
	if (tx_exec_or_reply(w, conn, name, nparams, params, &res, r) != 0)
		return;
	tx_end_or_reply(w, conn, 0, r);
	r->status = 200;
	r->content_type = "application/json";
	buf_reset(&r->body);
	buf_puts(&r->body, db_text(res, 0, "doc"));
	/* the view may hold respondents' words: not cached anywhere */
	http_header(r, "Cache-Control", "no-store");
	PQclear(res);
}

/* --- input, validated once ------------------------------------------------ */

/* Whether s is a slug: 1 to SLUG_MAX of [a-z0-9-]. */
static int
slug_ok(const char *s, size_t n)
{
	return n > 0 && n <= SLUG_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") >= n;
}

/* Whether s is a code's key or an item's: ^[a-z0-9][a-z0-9_]{0,62}$. */
static int
key_ok(const char *s)
{
	size_t n;

	if (s == NULL || !((*s >= 'a' && *s <= 'z') ||
			   (*s >= '0' && *s <= '9')))
		return 0;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return n <= 63 && s[n] == '\0';
}

/* The string member name of o, or NULL (absent, null, not a string). */
static const char *
str_of(json_object *o, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * The integer member name of o, in [lo, hi], as decimal text into out:
 * 1; absent or null: 0 (out ""); anything else: -1.
 */
static int
int_of(json_object *o, const char *name, long long lo, long long hi,
       char out[24])
{
	json_object *v;
	long long x;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	x = (long long)json_object_get_int64(v);
	if (errno != 0 || x < lo || x > hi)
		return -1;
	snprintf(out, 24, "%lld", x);
	return 1;
}

/* Whether s is text of 1 to max characters, not blank (jsonin has
 * checked the UTF-8). */
static int
text_ok(const char *s, size_t max)
{
	return s != NULL && strspn(s, " \t\r\n") < strlen(s) &&
	       utf8_length(s) <= max;
}

/* Whether kind is a value of msp.code_kind. */
static int
kind_ok(const char *kind)
{
	static const char *const kinds[] = { "frein", "levier",
		"resource_need", "maturity", "other" };
	size_t i;

	for (i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

/*
 * The HAS categories of o's member "has" as a JSON array's text into
 * out: an array of at most 12 "H-F1"-like codes (empty: « aucune »,
 * explicitly): 1; absent or null: 0 (code_add refuses it, code_edit
 * leaves the categories as they are); anything else: -1.
 */
static int
has_of(json_object *o, char *out, size_t outsz)
{
	json_object *v, *e;
	size_t i, n;
	const char *c;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, "has", &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > 12)
		return -1;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return -1;
		c = json_object_get_string(e);
		if (strlen(c) < 4 || strlen(c) > 5 || c[0] != 'H' ||
		    c[1] != '-' || (c[2] != 'F' && c[2] != 'L') ||
		    strspn(c + 3, "0123456789") != strlen(c + 3))
			return -1;
	}
	snprintf(out, outsz, "%s", json_object_to_json_string_ext(v,
		 JSON_C_TO_STRING_PLAIN));
	return 1;
}

/* A field the person filled wrongly: 422 with what to do. */
static void
bad_field(struct reply *r, const char *text)
{
	r->log_note = "coding input refused";
	json_error(r, 422, text);
}

/*
 * 0 when name is absent or null (*out 0), 1 with *out its value when it
 * is a JSON boolean, -1 otherwise: json-c's get_boolean would read
 * "non" or 2 as true, and consent is a record that must say what the
 * analyst ticked (review finding).
 */
static int
bool_of(json_object *in, const char *name, int *out)
{
	json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(in, name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v) != 0;
	return 1;
}

/* --- the writes ----------------------------------------------------------- */

/* One write's context: the study (validated slug), the open
 * transaction and the reply. */
struct action {
	struct worker *w;
	const char *study;
	PGconn *conn;
	struct reply *r;
	json_object *out;	/* the reply's document */
};

/* Runs name with params and keeps its "id" column (when it has one) in
 * the reply as key: 0, or -1 replied. */
static int
act_exec(struct action *a, const char *name, int n,
	 const char *const *params, const char *key)
{
	PGresult *res = NULL;

	if (tx_exec_or_reply(a->w, a->conn, name, n, params, &res,
			     a->r) != 0)
		return -1;
	if (key != NULL)
		json_object_object_add(a->out, key, json_object_new_int64(
				       db_int(res, 0, "id")));
	PQclear(res);
	return 0;
}

/*
 * code_add: label (required), code (else derived from the label as a
 * .qdc import derives it), kind, definition, parent, has (required: an
 * array, [] for « aucune »; the workspace never leaves a code
 * undecided).
 */
static int
act_code_add(struct action *a, json_object *in)
{
	const char *label = str_of(in, "label"), *code = str_of(in, "code");
	const char *kind = str_of(in, "kind"), *parent = str_of(in, "parent");
	const char *def = str_of(in, "definition");
	char key[64], has[128];
	const char *params[7];

	if (!text_ok(label, LABEL_MAX))
		return bad_field(a->r, "Donnez au code un libellé (500 "
				 "caractères au plus)."), -1;
	if (code == NULL || *code == '\0')
		codebook_key(label, key);
	else if (key_ok(code))
		snprintf(key, sizeof(key), "%s", code);
	else
		return bad_field(a->r, "La clé d'un code : des lettres "
				 "minuscules sans accent, des chiffres et _ "
				 "(63 au plus)."), -1;
	if (!kind_ok(kind))
		return bad_field(a->r, "Choisissez le type du code : frein, "
				 "levier ou autre."), -1;
	if (parent != NULL && *parent == '\0')
		parent = NULL;
	if (parent != NULL && !key_ok(parent))
		return bad_field(a->r, "Code parent inconnu."), -1;
	if (def != NULL && utf8_length(def) > DEFINITION_MAX)
		return bad_field(a->r, "La définition dépasse 10 000 "
				 "caractères."), -1;
	if (has_of(in, has, sizeof(has)) != 1)
		return bad_field(a->r, "Choisissez une ou plusieurs "
				 "catégories HAS, ou « aucune »."), -1;
	params[0] = a->study;	/* $1 the study's slug */
	params[1] = key;	/* $2 the code's key */
	params[2] = kind;	/* $3 msp.code_kind */
	params[3] = label;	/* $4 its label */
	params[4] = def;	/* $5 its definition, NULL: "" */
	params[5] = parent;	/* $6 its parent's key, NULL: top */
	params[6] = has;	/* $7 HAS categories, a JSON array */
	if (act_exec(a, "coding_code_add", 7, params, "id") != 0)
		return -1;
	json_object_object_add(a->out, "code", json_object_new_string(key));
	return 0;
}

/* code_edit: code; label, kind, definition, parent ("" top), has: each
 * absent or null leaves the field as it is. */
static int
act_code_edit(struct action *a, json_object *in)
{
	const char *code = str_of(in, "code"), *label = str_of(in, "label");
	const char *kind = str_of(in, "kind"), *parent = str_of(in, "parent");
	const char *def = str_of(in, "definition");
	char has[128];
	const char *params[7];
	int h;

	if (!key_ok(code))
		return bad_field(a->r, "Code inconnu."), -1;
	if (label != NULL && !text_ok(label, LABEL_MAX))
		return bad_field(a->r, "Le libellé ne peut pas être vide "
				 "(500 caractères au plus)."), -1;
	if (kind != NULL && !kind_ok(kind))
		return bad_field(a->r, "Type de code inconnu."), -1;
	if (parent != NULL && *parent != '\0' && !key_ok(parent))
		return bad_field(a->r, "Code parent inconnu."), -1;
	if (def != NULL && utf8_length(def) > DEFINITION_MAX)
		return bad_field(a->r, "La définition dépasse 10 000 "
				 "caractères."), -1;
	if ((h = has_of(in, has, sizeof(has))) < 0)
		return bad_field(a->r, "Catégories HAS illisibles."), -1;
	params[0] = a->study;	/* $1 the study */
	params[1] = code;	/* $2 the code */
	params[2] = kind;	/* $3 new kind or NULL */
	params[3] = label;	/* $4 new label or NULL */
	params[4] = def;	/* $5 new definition or NULL */
	params[5] = parent;	/* $6 new parent, "" top, NULL same */
	params[6] = h == 1 ? has : NULL;	/* $7 HAS, NULL same */
	return act_exec(a, "coding_code_edit", 7, params, NULL);
}

/* code_merge: from, into (codings follow: msp.codebook_merge). */
static int
act_code_merge(struct action *a, json_object *in)
{
	const char *from = str_of(in, "from"), *into = str_of(in, "into");
	const char *params[3];

	if (!key_ok(from) || !key_ok(into))
		return bad_field(a->r, "Choisissez les deux codes à "
				 "fusionner."), -1;
	params[0] = a->study;	/* $1 the study */
	params[1] = from;	/* $2 the code that goes */
	params[2] = into;	/* $3 the code that stays */
	return act_exec(a, "coding_code_merge", 3, params, "moved");
}

/*
 * apply: unit "answer" (answer: an msp.answer id) or "segment"
 * (participant), codes (1 to CODES_PER_ACTION keys), start and end
 * (character offsets, both or neither; a segment needs them), resolved
 * (true: a validated coding, which reports count).  One transaction:
 * every code or none.  The reply's "ids" are the codings made, in the
 * order of codes, which the page undoes with remove.
 */
static int
act_apply(struct action *a, json_object *in)
{
	const char *unit = str_of(in, "unit");
	char id[24], start[24], end[24];
	const char *params[6];
	json_object *codes, *ids;
	int resolved;
	PGresult *res = NULL;
	size_t i, n;
	int seg, hs, he;

	seg = unit != NULL && strcmp(unit, "segment") == 0;
	if (unit == NULL || (!seg && strcmp(unit, "answer") != 0))
		return bad_field(a->r, "Unité inconnue."), -1;
	if ((seg ? int_of(in, "participant", 1, 32767, id) :
	     int_of(in, "answer", 1, 9007199254740991LL, id)) != 1)
		return bad_field(a->r, seg ? "Entretien inconnu." :
				 "Réponse inconnue."), -1;
	hs = int_of(in, "start", 0, 1000000, start);
	he = int_of(in, "end", 1, 1000000, end);
	if (hs < 0 || he < 0 || hs != he || (seg && hs == 0))
		return bad_field(a->r, "Sélectionnez un passage du texte."),
		       -1;
	if (!json_object_object_get_ex(in, "codes", &codes) ||
	    !json_object_is_type(codes, json_type_array) ||
	    (n = json_object_array_length(codes)) == 0 ||
	    n > CODES_PER_ACTION)
		return bad_field(a->r, "Choisissez au moins un code."), -1;
	if (bool_of(in, "resolved", &resolved) < 0)
		return bad_field(a->r, "« Validé » se coche (vrai ou faux)."),
		       -1;
	params[0] = a->study;			/* $1 the study */
	params[1] = id;				/* $2 answer or participant */
	params[3] = hs ? start : NULL;		/* $4 first character */
	params[4] = he ? end : NULL;		/* $5 after the last */
	params[5] = resolved ? "true" : "false";
	ids = json_object_new_array();
	json_object_object_add(a->out, "ids", ids);
	for (i = 0; i < n; i++) {
		const char *code = json_object_get_string(
			json_object_array_get_idx(codes, i));

		if (!json_object_is_type(json_object_array_get_idx(codes, i),
					 json_type_string) || !key_ok(code))
			return bad_field(a->r, "Code inconnu."), -1;
		params[2] = code;		/* $3 the code */
		if (tx_exec_or_reply(a->w, a->conn, seg ?
				     "coding_apply_segment" :
				     "coding_apply_answer", 6, params, &res,
				     a->r) != 0)
			return -1;
		json_object_array_add(ids, json_object_new_int64(
				      db_int(res, 0, "id")));
		PQclear(res);
		res = NULL;
	}
	return 0;
}

/* remove: unit, ids (codings of that unit: the caller's own, or
 * resolved ones), all in one transaction. */
static int
act_remove(struct action *a, json_object *in)
{
	const char *unit = str_of(in, "unit");
	const char *params[3];
	json_object *ids, *e;
	char id[24];
	size_t i, n;
	long long x;

	if (unit == NULL || (strcmp(unit, "answer") != 0 &&
			     strcmp(unit, "segment") != 0))
		return bad_field(a->r, "Unité inconnue."), -1;
	if (!json_object_object_get_ex(in, "ids", &ids) ||
	    !json_object_is_type(ids, json_type_array) ||
	    (n = json_object_array_length(ids)) == 0 ||
	    n > CODES_PER_ACTION)
		return bad_field(a->r, "Aucun codage à retirer."), -1;
	params[0] = a->study;	/* $1 the study */
	params[1] = unit;	/* $2 answer or segment */
	params[2] = id;		/* $3 the coding's id */
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(ids, i);
		x = json_object_is_type(e, json_type_int) ?
		    (long long)json_object_get_int64(e) : 0;
		if (x <= 0)
			return bad_field(a->r, "Codage inconnu."), -1;
		snprintf(id, sizeof(id), "%lld", x);
		if (act_exec(a, "coding_remove", 3, params, NULL) != 0)
			return -1;
	}
	return 0;
}

/* memo: body, and exactly one of code, answer, participant. */
static int
act_memo(struct action *a, json_object *in)
{
	const char *code = str_of(in, "code"), *body = str_of(in, "body");
	char answer[24], participant[24];
	const char *params[5];
	int ha, hp;

	ha = int_of(in, "answer", 1, 9007199254740991LL, answer);
	hp = int_of(in, "participant", 1, 32767, participant);
	if (ha < 0 || hp < 0 || (code != NULL && !key_ok(code)) ||
	    (code != NULL) + ha + hp != 1)
		return bad_field(a->r, "Un mémo porte sur un code, une "
				 "réponse ou un entretien."), -1;
	if (!text_ok(body, MEMO_MAX))
		return bad_field(a->r, "Écrivez le mémo (20 000 caractères "
				 "au plus)."), -1;
	params[0] = a->study;			/* $1 the study */
	params[1] = code;			/* $2 a code, or NULL */
	params[2] = ha ? answer : NULL;		/* $3 an answer, or NULL */
	params[3] = hp ? participant : NULL;	/* $4 an interview, or NULL */
	params[4] = body;			/* $5 the memo */
	return act_exec(a, "coding_memo", 5, params, "id");
}


/* YYYY-MM-DD (digits and dashes checked) names a day of the calendar:
 * 2024-02-31 is refused here, in French, not by the database. */
static int
date_exists(const char *s)
{
	static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
				      31, 30, 31 };
	int y = (int)strtol(s, NULL, 10), m = (int)strtol(s + 5, NULL, 10);
	int d = (int)strtol(s + 8, NULL, 10);
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 ||
	    d > days[m - 1])
		return 0;
	return m != 2 || d <= 28 + leap;
}

/* A date member: "YYYY-MM-DD" into *out, or absent, null or "" (NULL):
 * 0; anything else: -1 (PostgreSQL checks the calendar). */
static int
date_of(json_object *in, const char *name, const char **out)
{
	json_object *v;
	const char *s;

	*out = NULL;
	if (!json_object_object_get_ex(in, name, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (*s == '\0')
		return 0;
	if (strlen(s) != 10 || strspn(s, "0123456789-") != 10 ||
	    s[4] != '-' || s[7] != '-' || !date_exists(s))
		return -1;
	*out = s;
	return 0;
}


/*
 * interview: participant; structure (an id or null), profession, stage,
 * date, duration_min, consent, recording_deleted_on, anonymised.  The
 * fields are checked here for their form, then handed to
 * msp.interview_save as one JSON document built from the checked values
 * (never the body itself).
 */
static int
act_interview(struct action *a, json_object *in)
{
	const char *prof = str_of(in, "profession"), *stage = str_of(in,
								 "stage");
	const char *date, *deleted;
	char participant[24], structure[24], duration[24];
	const char *params[3];
	json_object *doc;
	int hs, hd, rc, consent, anonymised;

	if (int_of(in, "participant", 1, 32767, participant) != 1)
		return bad_field(a->r, "Donnez le numéro du participant "
				 "(P1, P2... : un nombre de 1 à 32767)."), -1;
	hs = int_of(in, "structure", 1, 2147483647, structure);
	hd = int_of(in, "duration_min", 1, 600, duration);
	if (hs < 0)
		return bad_field(a->r, "Structure inconnue."), -1;
	if (hd < 0)
		return bad_field(a->r, "La durée est un nombre de minutes, de "
				 "1 à 600."), -1;
	if (prof != NULL && *prof != '\0' && !text_ok(prof, PROFESSION_MAX))
		return bad_field(a->r, "Profession illisible."), -1;
	if (stage != NULL && *stage != '\0' &&
	    strspn(stage, "abcdefghijklmnopqrstuvwxyz") != strlen(stage))
		return bad_field(a->r, "Stade inconnu."), -1;
	if (date_of(in, "date", &date) != 0 ||
	    date_of(in, "recording_deleted_on", &deleted) != 0)
		return bad_field(a->r, "Une date s'écrit AAAA-MM-JJ et "
				 "désigne un jour du calendrier."), -1;
	if (bool_of(in, "consent", &consent) < 0 ||
	    bool_of(in, "anonymised", &anonymised) < 0)
		return bad_field(a->r, "Le consentement et l'anonymisation "
				 "se cochent (vrai ou faux)."), -1;
	doc = json_object_new_object();
	json_object_object_add(doc, "structure", hs ?
			       json_object_new_int64(strtoll(structure, NULL,
							     10)) : NULL);
	json_object_object_add(doc, "profession", prof != NULL &&
			       *prof != '\0' ? json_object_new_string(prof) :
			       NULL);
	json_object_object_add(doc, "stage", stage != NULL && *stage != '\0'
			       ? json_object_new_string(stage) : NULL);
	json_object_object_add(doc, "date", date ?
			       json_object_new_string(date) : NULL);
	json_object_object_add(doc, "duration_min", hd ?
			       json_object_new_int((int)strtol(duration,
							      NULL, 10)) :
			       NULL);
	json_object_object_add(doc, "consent",
			       json_object_new_boolean(consent));
	json_object_object_add(doc, "recording_deleted_on", deleted ?
			       json_object_new_string(deleted) : NULL);
	json_object_object_add(doc, "anonymised",
			       json_object_new_boolean(anonymised));
	params[0] = a->study;		/* $1 the study */
	params[1] = participant;	/* $2 the participant's number */
	params[2] = json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PLAIN);	/* $3 the checked fields */
	rc = act_exec(a, "coding_interview_save", 3, params, "id");
	json_object_put(doc);
	return rc;
}

/* transcript: participant, body (UTF-8, checked by jsonin; at most the
 * request body's 256 KiB here, 1 000 000 characters in the schema). */
static int
act_transcript(struct action *a, json_object *in)
{
	const char *body = str_of(in, "body");
	char participant[24];
	const char *params[3];

	if (int_of(in, "participant", 1, 32767, participant) != 1)
		return bad_field(a->r, "Entretien inconnu."), -1;
	if (!text_ok(body, 1000000))
		return bad_field(a->r, "La transcription est vide."), -1;
	params[0] = a->study;		/* $1 the study */
	params[1] = participant;	/* $2 the participant */
	params[2] = body;		/* $3 the anonymised transcript */
	return act_exec(a, "coding_transcript", 3, params, "id");
}

static const struct {
	const char *op;
	int (*run)(struct action *a, json_object *in);
} actions[] = {
	{ "code_add", act_code_add },
	{ "code_edit", act_code_edit },
	{ "code_merge", act_code_merge },
	{ "apply", act_apply },
	{ "remove", act_remove },
	{ "memo", act_memo },
	{ "interview", act_interview },
	{ "transcript", act_transcript },
};

static void
actions_post(struct worker *w, struct request *req, struct reply *r,
	     const struct session *s, const char *study)
{
	struct action a = { w, study, NULL, r, NULL };
	struct msp_error err;
	json_object *in = NULL;
	const char *op;
	size_t i;

	if (!session_csrf_check(&w->secret, s->id, req->csrf)) {
		r->log_note = "csrf refused";
		json_error(r, 403, "Cette demande ne vient pas de cette "
			   "session (ou la page a expiré) : rechargez la "
			   "page.");
		return;
	}
	if (!http_content_type_is(req, "application/json")) {
		json_error(r, 415, "Le corps doit être du JSON.");
		return;
	}
	if (http_read_body_or_reply(req, r) != 0)
		return;
	if (jsonin_parse(req->body, req->body_len, &in, &err) != MSP_OK ||
	    !json_object_is_type(in, json_type_object) ||
	    (op = str_of(in, "op")) == NULL) {
		json_error(r, 400, "Demande illisible.");
		goto out;
	}
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(op, actions[i].op) == 0)
			break;
	if (i == sizeof(actions) / sizeof(actions[0])) {
		json_error(r, 400, "Action inconnue.");
		goto out;
	}
	if ((a.conn = tx_begin_or_reply(w, s, 1, r)) == NULL)
		goto out;
	a.out = json_object_new_object();
	if (actions[i].run(&a, in) != 0) {
		/* replied; a refusal of the database has rolled back
		 * already, one of the input's has not: the identity the
		 * transaction took on must not outlive the request */
		if (PQtransactionStatus(a.conn) != PQTRANS_IDLE)
			db_exec(a.conn, "coding: rollback", "ROLLBACK", 0,
				NULL, PGRES_COMMAND_OK, NULL, NULL);
		goto out;
	}
	if (tx_end_or_reply(w, a.conn, 1, r) != 0)
		goto out;
	r->log_note = actions[i].op;	/* static: in is freed first */
	http_json(r, 200, a.out);
	a.out = NULL;
out:
	json_object_put(a.out);
	json_object_put(in);
}

/* --- the pages ------------------------------------------------------------ */

/* The studies an analyst may code: every study (the cache's). */
static void
index_page(struct worker *w, struct reply *r, const struct session *s)
{
	struct buf *b = &r->body;
	size_t i;

	page_start(w, r, 200, "Codage qualitatif", s, 0);
	buf_puts(b, "<body>\n");
	body_start(w, b, s);
	buf_puts(b, "<h1>Codage qualitatif</h1>\n<p>Choisissez l'étude dont "
		 "vous codez les réponses ouvertes et les entretiens.</p>\n"
		 "<ul>\n");
	for (i = 0; i < w->studies.n; i++) {
		const struct study *y = &w->studies.list[i];

		buf_puts(b, "<li><a href=\"/codage/");
		urlenc_encode(b, y->slug);
		buf_puts(b, "\">");
		esc(b, y->title_fr);
		buf_printf(b, " (%d)</a> · <a href=\"/codage/", y->year);
		urlenc_encode(b, y->slug);
		buf_puts(b, "/accord\">accord entre codeurs</a></li>\n");
	}
	if (w->studies.n == 0)
		buf_puts(b, "<li>Aucune étude pour le moment.</li>\n");
	buf_puts(b, "</ul>\n</main>\n</body></html>\n");
}

/*
 * The shell of a page the script fills (nginx/static/coding.js): view
 * "codage" (the workspace) or "entretien" (participant: its number, or
 * "" for a new interview).  Nothing of the study's data is in it: the
 * script asks the JSON endpoints, blind or not.
 */
static void
shell_page(struct worker *w, struct reply *r, const struct session *s,
	   const struct study *y, const char *view, const char *participant)
{
	struct buf *b = &r->body;

	page_start(w, r, 200, "Codage", s, 1);
	buf_puts(b, "<body data-view=\"");
	esc(b, view);
	buf_puts(b, "\" data-study=\"");
	esc(b, y->slug);
	buf_puts(b, "\" data-participant=\"");
	esc(b, participant);
	buf_puts(b, "\">\n");
	body_start(w, b, s);
	buf_puts(b, "<h1>");
	if (strcmp(view, "entretien") == 0) {
		if (*participant != '\0')
			buf_printf(b, "Entretien P%s — ", participant);
		else
			buf_puts(b, "Nouvel entretien — ");
	} else {
		buf_puts(b, "Codage — ");
	}
	esc(b, y->title_fr);
	buf_printf(b, " (%d)</h1>\n<p id=\"statut\" role=\"status\" "
		   "aria-live=\"polite\"></p>\n<noscript><p>Cet espace de "
		   "codage demande JavaScript (servi par ce site, sans "
		   "ressource extérieure).</p></noscript>\n"
		   "<div id=\"app\"></div>\n</main>\n</body></html>\n",
		   y->year);
}

/* A number as the agreement page prints it: "0,7500" or « non défini
 * (why) ». */
static void
coef(struct buf *b, enum agreement_undefined why, double v)
{
	char num[32], *dot;

	if (why != AGREEMENT_DEFINED) {
		buf_puts(b, "<td>non défini (");
		esc(b, agreement_undefined_text(why));
		buf_puts(b, ")</td>");
		return;
	}
	snprintf(num, sizeof(num), "%.4f", v);
	if ((dot = strchr(num, '.')) != NULL)
		*dot = ',';
	buf_printf(b, "<td class=\"n\">%s</td>", num);
}

/*
 * The agreement between the coders of the study's open answers:
 * lib/agreement.c on the same codings msp-report agreement reads (own
 * codings; the unit an answer), κ when there are exactly two coders,
 * α (nominal) for two or more, per code and overall, and the
 * disagreements to resolve.
 */
static void
agreement_page(struct worker *w, struct reply *r, const struct session *s,
	       const struct study *y)
{
	struct agreement *ag = agreement_new(AGREEMENT_UNIT_ANSWER);
	struct agreement_result *res = NULL;
	const char *params[1] = { y->slug };	/* $1 the study's slug */
	struct msp_error err;
	PGresult *rows = NULL;
	struct buf *b = &r->body;
	PGconn *conn;
	size_t i, j;
	int k, n;

	r->render_failure = failure_page;
	if (ag == NULL) {
		message_page(w, r, 503, "Service indisponible", "Mémoire "
			     "insuffisante : réessayez.", s);
		return;
	}
	if ((conn = tx_begin_or_reply(w, s, 0, r)) == NULL)
		goto out;
	if (tx_exec_or_reply(w, conn, "coding_agreement", 1, params, &rows,
			     r) != 0)
		goto out;
	tx_end_or_reply(w, conn, 0, r);
	n = PQntuples(rows);
	for (k = 0; k < n; k++)
		if (agreement_add(ag, db_text(rows, k, "answer_id"),
				  db_text(rows, k, "coder"),
				  db_text(rows, k, "code"), 1, &err) != MSP_OK)
			break;
	page_start(w, r, 200, "Accord entre codeurs", s, 0);
	buf_puts(b, "<body>\n");
	body_start(w, b, s);
	buf_puts(b, "<h1>Accord entre codeurs — ");
	esc(b, y->title_fr);
	buf_printf(b, " (%d)</h1>\n<p>Unité : <strong>la réponse ouverte"
		   "</strong> (la réponse d'une équipe à un item) ; un codeur "
		   "a codé une réponse quand il lui a appliqué au moins un "
		   "code. Seuls les codages personnels (non validés) "
		   "comptent. Formules : docs/agreement.md (κ de Cohen pour "
		   "deux codeurs, α de Krippendorff nominal pour deux ou "
		   "plus).</p>\n", y->year);
	if (k < n || agreement_compute(ag, &res, &err) != MSP_OK) {
		buf_puts(b, "<p>Rien à comparer : ");
		esc(b, n == 0 ? "aucun codage personnel de réponse ouverte."
		    : err.message);
		buf_puts(b, "</p>\n<p><a href=\"/codage/");
		urlenc_encode(b, y->slug);
		buf_puts(b, "\">Retour au codage</a></p>\n</main>\n</body>"
			 "</html>\n");
		goto out;
	}
	buf_printf(b, "<p>%zu codeurs (", res->n_coders);
	for (i = 0; i < res->n_coders; i++) {
		buf_puts(b, i > 0 ? ", " : "");
		esc(b, res->coders[i]);
	}
	buf_printf(b, ") ; %lu réponses codées par au moins deux, %lu par "
		   "un seul (hors calcul).</p>\n<div class=\"scroll\" "
		   "role=\"region\" tabindex=\"0\" aria-labelledby="
		   "\"t-accord\"><table><caption id=\"t-accord\">Accord par "
		   "code</caption>\n<thead><tr><th scope=\"col\">Code</th>"
		   "<th scope=\"col\">κ de Cohen</th><th scope=\"col\">α de "
		   "Krippendorff</th><th scope=\"col\">Réponses appariables"
		   "</th></tr></thead>\n<tbody>", res->units_pairable,
		   res->units_single);
	for (i = 0; i < res->n_codes; i++) {
		const struct agreement_code *c = &res->codes[i];

		buf_puts(b, "<tr><th scope=\"row\">");
		esc(b, c->name);
		buf_puts(b, "</th>");
		coef(b, c->kappa.why, c->kappa.kappa);
		coef(b, c->alpha.why, c->alpha.alpha);
		buf_printf(b, "<td class=\"n\">%lu</td></tr>\n",
			   c->alpha.units);
	}
	buf_puts(b, "<tr><th scope=\"row\">Ensemble</th>");
	coef(b, res->kappa.why, res->kappa.kappa);
	coef(b, res->alpha.why, res->alpha.alpha);
	buf_printf(b, "<td class=\"n\">%lu</td></tr>\n</tbody></table>"
		   "</div>\n<h2>Désaccords à résoudre (%zu)</h2>\n",
		   res->alpha.units, res->n_disagreements);
	if (res->n_disagreements > 0)
		buf_puts(b, "<ul>\n");
	for (i = 0; i < res->n_disagreements; i++) {
		const struct agreement_disagreement *d =
			&res->disagreements[i];

		buf_puts(b, "<li>Réponse n° ");
		esc(b, res->units[d->unit]);
		buf_puts(b, ", code ");
		esc(b, res->codes[d->code].name);
		buf_puts(b, " : appliqué par ");
		for (j = 0, k = 0; j < res->n_coders; j++)
			if (d->who[j] == AGREEMENT_APPLIED) {
				buf_puts(b, k++ > 0 ? ", " : "");
				esc(b, res->coders[j]);
			}
		buf_puts(b, " ; pas par ");
		for (j = 0, k = 0; j < res->n_coders; j++)
			if (d->who[j] == AGREEMENT_ABSENT) {
				buf_puts(b, k++ > 0 ? ", " : "");
				esc(b, res->coders[j]);
			}
		buf_puts(b, "</li>\n");
	}
	if (res->n_disagreements > 0)
		buf_puts(b, "</ul>\n");
	buf_puts(b, "<p><a href=\"/codage/");
	urlenc_encode(b, y->slug);
	buf_puts(b, "\">Retour au codage</a></p>\n</main>\n</body></html>\n");
out:
	PQclear(rows);
	agreement_result_free(res);
	agreement_free(ag);
}

/* --- the routes ----------------------------------------------------------- */

/* What a path under /codage/ names. */
struct target {
	char study[SLUG_MAX + 1];
	char participant[8];	/* "" none or new */
	enum { T_WORKSPACE, T_DATA, T_INTERVIEW, T_INTERVIEW_DATA,
	       T_AGREEMENT, T_ACTIONS } what;
	int json;		/* the reply is JSON */
};

/* Parses the tail of a path after "/codage/": 0, or -1 (404). */
static int
target_parse(const char *tail, struct target *t)
{
	size_t n = strcspn(tail, "/"), m;
	const char *rest = tail + n;

	memset(t, 0, sizeof(*t));
	if (!slug_ok(tail, n))
		return -1;
	memcpy(t->study, tail, n);
	t->study[n] = '\0';
	if (*rest == '\0') {
		t->what = T_WORKSPACE;
		return 0;
	}
	if (strcmp(rest, "/donnees.json") == 0) {
		t->what = T_DATA;
		t->json = 1;
		return 0;
	}
	if (strcmp(rest, "/accord") == 0) {
		t->what = T_AGREEMENT;
		return 0;
	}
	if (strcmp(rest, "/actions") == 0) {
		t->what = T_ACTIONS;
		t->json = 1;
		return 0;
	}
	if (strncmp(rest, "/entretiens/", 12) != 0)
		return -1;
	rest += 12;
	if (strcmp(rest, "nouveau") == 0) {
		t->what = T_INTERVIEW;
		return 0;
	}
	m = strspn(rest, "0123456789");
	if (m == 0 || m > 5 || rest[0] == '0' ||
	    strtol(rest, NULL, 10) > 32767)
		return -1;
	memcpy(t->participant, rest, m);
	t->participant[m] = '\0';
	if (rest[m] == '\0') {
		t->what = T_INTERVIEW;
		return 0;
	}
	if (strcmp(rest + m, ".json") == 0) {
		t->what = T_INTERVIEW_DATA;
		t->json = 1;
		return 0;
	}
	return -1;
}

/* Whether the query asks for the blind mode (aveugle=1). */
static const char *
blind_of(const struct urlenc *u)
{
	const char *v = urlenc_get(u, "aveugle");

	return v != NULL && strcmp(v, "1") == 0 ? "true" : "false";
}

static void
serve(struct worker *w, struct request *req, struct reply *r,
      const struct session *s, const struct target *t)
{
	const struct study *y = NULL;
	struct msp_error err;
	struct urlenc u;
	const char *params[3], *item;
	size_t i;

	memset(&u, 0, sizeof(u));
	if (studies_load_or_reply(&w->studies, &w->db, r) != 0)
		return;
	for (i = 0; i < w->studies.n; i++)
		if (strcmp(w->studies.list[i].slug, t->study) == 0)
			y = &w->studies.list[i];
	if (y == NULL) {
		if (t->json)
			json_error(r, 404, "Étude inconnue.");
		else
			message_page(w, r, 404, "Étude introuvable", "Cette "
				     "étude n'existe pas.", s);
		return;
	}
	if (t->what == T_ACTIONS) {
		if (strcmp(req->method, "POST") != 0) {
			http_header(r, "Allow", "POST");
			json_error(r, 405, "Méthode non permise.");
		} else {
			actions_post(w, req, r, s, y->slug);
		}
		return;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		http_header(r, "Allow", "GET");
		if (t->json)
			json_error(r, 405, "Méthode non permise.");
		else
			message_page(w, r, 405, "Méthode non permise",
				     "Cette page ne s'utilise pas ainsi.", s);
		return;
	}
	if (urlenc_parse(req->query, strlen(req->query), &u, &err) !=
	    MSP_OK) {
		json_error(r, 400, "Demande illisible.");
		return;
	}
	params[0] = y->slug;	/* $1 the study */
	switch (t->what) {
	case T_WORKSPACE:
		shell_page(w, r, s, y, "codage", "");
		break;
	case T_INTERVIEW:
		shell_page(w, r, s, y, "entretien", t->participant);
		break;
	case T_AGREEMENT:
		agreement_page(w, r, s, y);
		break;
	case T_DATA:
		item = urlenc_get(&u, "item");
		if (item != NULL && *item != '\0') {
			if (!key_ok(item)) {
				json_error(r, 400, "Item inconnu.");
				break;
			}
			params[1] = item;		/* $2 the item */
			params[2] = blind_of(&u);	/* $3 blind */
			view_reply(w, s, "coding_answers", 3, params, r);
		} else {
			params[1] = blind_of(&u);	/* $2 blind */
			view_reply(w, s, "coding_codebook", 2, params, r);
		}
		break;
	case T_INTERVIEW_DATA:
		params[1] = t->participant;	/* $2 the participant */
		params[2] = blind_of(&u);	/* $3 blind */
		view_reply(w, s, "coding_interview", 3, params, r);
		break;
	case T_ACTIONS:
		break;
	}
	urlenc_free(&u);
}

int
coding_route(struct worker *w, struct request *req, struct reply *r)
{
	const char *path = req->path;
	struct target t;
	struct session s;
	int live;

	if (strcmp(path, "/codage") != 0 && strcmp(path, "/codage/") != 0 &&
	    strncmp(path, "/codage/", 8) != 0)
		return 0;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	t.what = T_WORKSPACE;
	if (path[7] == '/' && path[8] != '\0' &&
	    target_parse(path + 8, &t) != 0) {
		r->status = 404;
		r->content_type = "text/plain";
		buf_puts(&r->body, "Page introuvable.\n");
		return 1;
	}
	r->render_failure = t.json ? failure_json : failure_page;
	live = session_load_or_reply(w, req, &s, r);
	if (live < 0)
		goto out;
	if (live == 0) {
		if (t.json) {
			json_error(r, 401, "Connectez-vous d'abord "
				   "(/connexion).");
		} else {
			r->status = 303;
			r->content_type = "text/plain";
			http_header(r, "Location", "/connexion");
		}
		goto out;
	}
	/* the codings are the analysts' working material: a federation
	 * or a team is refused here, and by the database anyway */
	if (s.kind != TENANT_ANALYST) {
		r->log_note = "coding: not an analyst";
		if (t.json)
			json_error(r, 403, "Le codage qualitatif est réservé "
				   "aux analystes.");
		else
			message_page(w, r, 403, "Accès réservé", "Le codage "
				     "qualitatif est réservé aux analystes "
				     "de l'enquête.", &s);
		goto out;
	}
	if (t.study[0] == '\0') {
		if (studies_load_or_reply(&w->studies, &w->db, r) == 0)
			index_page(w, r, &s);
	} else {
		serve(w, req, r, &s, &t);
	}
out:
	session_clear(&s);
	return 1;
}
