/*
 * msp-report code — coding open answers and interview transcripts from
 * the command line (issue 22, item 1): list the open answers, apply or
 * remove a code, store a transcript, write a memo.  The coding pages
 * (item 2) call the same functions of migration 0039.
 *
 * Each command is one transaction under the caller's identity: the
 * database owner, or an analyst token (MSP_TOKEN), which is then the
 * coder recorded (msp.coding_actor); the database refuses anyone else.
 * What the database refuses (an unknown answer, offsets outside the
 * text, a passage already coded so) is printed in French; nothing is
 * stored.
 */
#include "config.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "csv.h"
#include "db.h"
#include "file.h"
#include "report/format.h"
#include "suggest.h"
#include "utf8.h"

/* A transcript: 0039's CHECK (characters), and the file read (bytes:
 * four per character at most). */
#define TRANSCRIPT_MAX_CHARS 1000000
#define MEMO_MAX_CHARS 20000

static const char code_usage[] =
"Usage: msp-report code answers --study SLUG [--item KEY]\n"
"       msp-report code apply --study SLUG --code CODE\n"
"                  (--answer ID | --participant N) [--from I --to J]\n"
"                  [--resolved]\n"
"       msp-report code remove --study SLUG (answer|segment) ID\n"
"       msp-report code transcript --study SLUG --participant N FILE\n"
"       msp-report code memo --study SLUG (--code CODE | --answer ID |\n"
"                  --participant N) TEXT\n"
"       msp-report code disagreements --study SLUG [--item KEY]\n"
"                  [--format text|csv|json]\n"
"       msp-report code resolve --study SLUG --answer ID\n"
"                  (--codes CODE[,CODE...] | --none | --from-coder CODER)\n"
"       msp-report code suggest --study SLUG [--item KEY] [--max N]\n"
"                  [--format text|csv]\n"
"       msp-report code apply --study SLUG --code CODE --answer ID\n"
"                  --from-suggestion [--resolved]\n"
"\n"
"answers     the study's open answers: ID, response, item, how many\n"
"            codings, the text (first 60 characters).\n"
"apply       codes open answer ID (whole, or its characters I to J:\n"
"            0-based, J excluded) or the passage I-J of participant N's\n"
"            transcript (--from/--to required).  The coding is yours;\n"
"            --resolved makes it the resolved one that reports count.\n"
"            Prints the new coding: answer ID or segment ID.\n"
"remove      removes a coding (yours, or a resolved one).\n"
"transcript  stores participant N's anonymised transcript (UTF-8 text\n"
"            file), which segment offsets point into; refused once it\n"
"            has coded passages.\n"
"memo        a memo on a code, an answer or an interview.\n"
"disagreements  the open answers that two or more coders coded with\n"
"            different codes (their own codings): each coder's codes,\n"
"            and the resolved coding if there is one.\n"
"resolve     records the resolved coding of answer ID, which reports\n"
"            count: the whole answer coded --codes, or no code (--none),\n"
"            or a copy of coder CODER's own codings (as listed by\n"
"            disagreements).  Replaces the answer's resolved codings.\n"
"suggest     for each open answer nobody coded, the codes whose label,\n"
"            definition and earlier codings share its words (French\n"
"            stems; score in docs/coding.md), best first, at most N\n"
"            (3) per answer.  Nothing is stored: a suggestion becomes a\n"
"            coding only through apply --from-suggestion, which records\n"
"            that the coding began as a suggestion.\n"
"\n"
"The coder is the analyst token in MSP_TOKEN (or the owner, with no\n"
"token).  Only the owner or an analyst token may use this command.\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

struct opts {
	const char *study, *code, *item, *answer, *participant;
	const char *from, *to;
	const char *codes, *from_coder, *format, *max;
	int resolved, none, from_suggestion;
	char **args;
	int nargs;
};

/* Whether s is a decimal integer in [lo, hi] (no sign, no space). */
static int
valid_int(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 12)
		return 0;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= lo && v <= hi;
}

static int
valid_key(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, 's' },
		{ "code", required_argument, NULL, 'c' },
		{ "item", required_argument, NULL, 'i' },
		{ "answer", required_argument, NULL, 'a' },
		{ "participant", required_argument, NULL, 'p' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "resolved", no_argument, NULL, 'r' },
		{ "codes", required_argument, NULL, 'C' },
		{ "none", no_argument, NULL, 'N' },
		{ "from-coder", required_argument, NULL, 'F' },
		{ "from-suggestion", no_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'o' },
		{ "max", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;	/* 0: GNU getopt starts afresh (main used "+") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->study = optarg; break;
		case 'c': o->code = optarg; break;
		case 'i': o->item = optarg; break;
		case 'a': o->answer = optarg; break;
		case 'p': o->participant = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'r': o->resolved = 1; break;
		case 'C': o->codes = optarg; break;
		case 'N': o->none = 1; break;
		case 'F': o->from_coder = optarg; break;
		case 'S': o->from_suggestion = 1; break;
		case 'o': o->format = optarg; break;
		case 'm': o->max = optarg; break;
		default:
			return cli_usage_error("code", "option inconnue ou "
					       "sans valeur", argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->study == NULL || !cli_valid_slug(o->study))
		return cli_usage_error("code", "--study SLUG est obligatoire",
				       o->study);
	if (o->code != NULL && !valid_key(o->code))
		return cli_usage_error("code", "--code : clé de code "
				       "invalide", o->code);
	if (o->answer != NULL && !valid_int(o->answer, 1, 999999999999L))
		return cli_usage_error("code", "--answer : numéro invalide",
				       o->answer);
	if (o->participant != NULL && !valid_int(o->participant, 1, 32767))
		return cli_usage_error("code", "--participant : numéro "
				       "invalide (1 à 32767)",
				       o->participant);
	if ((o->from != NULL && !valid_int(o->from, 0, 1000000)) ||
	    (o->to != NULL && !valid_int(o->to, 1, 1000000)))
		return cli_usage_error("code", "--from/--to : positions en "
				       "caractères (entiers)", NULL);
	if ((o->from == NULL) != (o->to == NULL))
		return cli_usage_error("code", "--from et --to vont "
				       "ensemble", NULL);
	if (o->format != NULL && strcmp(o->format, "text") != 0 &&
	    strcmp(o->format, "csv") != 0 && strcmp(o->format, "json") != 0)
		return cli_usage_error("code", "--format : text, csv ou json",
				       o->format);
	if (o->max != NULL && !valid_int(o->max, 1, 100))
		return cli_usage_error("code", "--max : 1 à 100", o->max);
	if (o->from_coder != NULL && !cli_valid_name(o->from_coder, 200))
		return cli_usage_error("code", "--from-coder : nom de codeur "
				       "invalide", NULL);
	return 0;
}

int
cli_coding_refusal(const char *command, const struct msp_error *err)
{
	const char *m = strstr(err->message, "ERROR: ");

	/* the coding functions' own refusals (0039) are for people */
	if (m == NULL || db_classify(err->sqlstate) == DB_DENIED)
		return cli_db_refusal(command, err);
	m += strlen("ERROR: ");
	fprintf(stderr, "msp-report %s: %.*s ; rien n'a été enregistré\n",
		command, (int)strcspn(m, "\n"), m);
	return 1;
}

/* The connection, made once the command line has been checked (a
 * usage error is said without a database). */
struct link {
	const struct cli_context *ctx;
	PGconn *conn;
};

/* Connects l, then BEGIN under the caller's identity, which must be
 * allowed to code; 0, or 1 after printing why. */
static int
begin(struct link *l)
{
	enum tenant_kind kind;
	PGconn *conn;
	int rc;

	if (l->conn == NULL && (l->conn = cli_connect(l->ctx)) == NULL)
		return 1;
	conn = l->conn;
	if ((rc = cli_begin(conn, "code", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "code", kind)) != 0)
		cli_rollback(conn);
	return rc;
}

/* Runs one write (a function call returning one value "id"), commits,
 * prints done and the id. */
static int
write_one(struct link *l, const char *what, const char *sql, int nparams,
	  const char *const *params, const char *done)
{
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int rc;

	if ((rc = begin(l)) != 0)
		return rc;
	conn = l->conn;
	if (db_exec(conn, what, sql, nparams, params, PGRES_TUPLES_OK, &res,
		    &err) != MSP_OK) {
		cli_rollback(conn);
		return cli_coding_refusal("code", &err);
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("%s %s\n", done, db_text(res, 0, "id"));
	else
		cli_rollback(conn);
	PQclear(res);
	return rc;
}

/* The open answers' listing: the number --answer takes first. */
static const struct cli_column answer_columns[] = {
	{ "n° (--answer)", "answer_id", 1 },
	{ "réponse", "response_id", 1 },
	{ "question", "item_key", 0 },
	{ "codages", "codings", 1 },
	{ "texte", "text", 0 },
};

static int
code_answers(struct link *l, const struct opts *o)
{
	const char *params[2] = { o->study, o->item };
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;

	if (o->nargs != 0)
		return cli_usage_error("code", "answers ne prend pas "
				       "d'argument", NULL);
	if (begin(l) != 0)
		return 1;
	conn = l->conn;
	/* $1 the study's slug, $2 an item key or NULL */
	if (db_exec(conn, "open answers",
		    "SELECT a.answer_id, a.response_id, a.item_key,"
		    "       (SELECT count(*) FROM msp.answer_code k"
		    "         WHERE k.response_id = a.response_id"
		    "           AND k.item_key = a.item_key) AS codings,"
		    "       translate(left(a.text_value, 60), E'\\n\\r\\t',"
		    "                 '   ') AS text"
		    "  FROM msp.answer a JOIN msp.response r USING"
		    "       (response_id)"
		    "  JOIN msp.study s ON s.study_id = r.study_id"
		    " WHERE s.slug = $1 AND a.text_value IS NOT NULL"
		    "   AND NOT r.test"
		    "   AND ($2::text IS NULL OR a.item_key = $2)"
		    " ORDER BY a.item_key, a.answer_id", 2, params,
		    PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		cli_rollback(conn);
		return cli_db_refusal("code", &err);
	}
	if (PQntuples(res) == 0)
		fprintf(stderr, "msp-report code: aucune réponse ouverte "
			"%s%s%s dans l'étude %s\n",
			o->item ? "à la question « " : "",
			o->item ? o->item : "", o->item ? " »" : "", o->study);
	else
		cli_print_table(res, answer_columns, sizeof(answer_columns) /
				sizeof(answer_columns[0]));
	PQclear(res);
	cli_rollback(conn);
	return 0;
}

static int
code_apply(struct link *l, const struct opts *o)
{
	const char *params[6];

	if (o->nargs != 0 || o->code == NULL ||
	    (o->answer == NULL) == (o->participant == NULL))
		return cli_usage_error("code", "apply demande --code et "
				       "--answer ou --participant", NULL);
	if (o->from != NULL &&
	    strtol(o->to, NULL, 10) <= strtol(o->from, NULL, 10))
		return cli_usage_error("code", "--to doit dépasser --from",
				       NULL);
	params[0] = o->study;	/* $1 the study's slug */
	params[2] = o->code;	/* $3 the code's key */
	params[3] = o->from;	/* $4 first character, NULL: whole */
	params[4] = o->to;	/* $5 character after the last */
	params[5] = o->resolved ? "true" : "false";	/* $6 resolved */
	if (o->from_suggestion) {
		const char *sp[4];

		if (o->answer == NULL || o->from != NULL)
			return cli_usage_error("code", "--from-suggestion code "
					       "une réponse entière (--answer, "
					       "sans --from/--to)", NULL);
		sp[0] = o->study;	/* $1 the study's slug */
		sp[1] = o->answer;	/* $2 msp.answer id */
		sp[2] = o->code;	/* $3 the code's key */
		sp[3] = params[5];	/* $4 resolved */
		return write_one(l, "apply suggested code",
				 "SELECT msp.coding_apply_suggestion($1,"
				 " $2::bigint, $3, $4::boolean) AS id", 4, sp,
				 "codage (suggestion acceptée) answer");
	}
	if (o->answer != NULL) {
		params[1] = o->answer;	/* $2 msp.answer id */
		return write_one(l, "apply code to answer",
				 "SELECT msp.coding_apply_answer($1,"
				 " $2::bigint, $3, $4::integer, $5::integer,"
				 " $6::boolean) AS id", 6, params,
				 "codage answer");
	}
	if (o->from == NULL)
		return cli_usage_error("code", "un passage d'entretien "
				       "demande --from et --to", NULL);
	params[1] = o->participant;	/* $2 participant number */
	return write_one(l, "apply code to transcript",
			 "SELECT msp.coding_apply_segment($1, $2::smallint,"
			 " $3, $4::integer, $5::integer, $6::boolean) AS id",
			 6, params, "codage segment");
}

static int
code_remove(struct link *l, const struct opts *o)
{
	const char *params[3];

	if (o->nargs != 2 || (strcmp(o->args[0], "answer") != 0 &&
			      strcmp(o->args[0], "segment") != 0) ||
	    !valid_int(o->args[1], 1, 999999999999L))
		return cli_usage_error("code", "remove prend answer ID ou "
				       "segment ID", NULL);
	params[0] = o->study;	/* $1 the study's slug */
	params[1] = o->args[0];	/* $2 answer or segment */
	params[2] = o->args[1];	/* $3 the coding's id */
	return write_one(l, "remove coding",
			 "SELECT $3 AS id, msp.coding_remove($1, $2,"
			 " $3::bigint)", 3, params, "codage retiré :");
}

static int
code_transcript(struct link *l, const struct opts *o)
{
	const char *params[3];
	struct msp_error err;
	char *text = NULL;
	size_t len;
	int rc;

	if (o->nargs != 1 || o->participant == NULL)
		return cli_usage_error("code", "transcript demande "
				       "--participant et un FICHIER", NULL);
	if (file_read(o->args[0], 4 * (size_t)TRANSCRIPT_MAX_CHARS, &text,
		      &len, &err) != MSP_OK)
		return cli_fail(&err);
	if (utf8_valid_prefix(text, len) != len || strlen(text) != len ||
	    utf8_length(text) > TRANSCRIPT_MAX_CHARS) {
		free(text);
		fprintf(stderr, "msp-report code: %s : pas un texte UTF-8 "
			"d'au plus %d caractères ; rien n'a été "
			"enregistré\n", o->args[0], TRANSCRIPT_MAX_CHARS);
		return 1;
	}
	params[0] = o->study;		/* $1 the study's slug */
	params[1] = o->participant;	/* $2 participant number */
	params[2] = text;		/* $3 the transcript */
	rc = write_one(l, "store transcript",
		       "SELECT msp.interview_transcript_set($1, $2::smallint,"
		       " $3) AS id", 3, params,
		       "transcription enregistrée, entretien");
	free(text);
	return rc;
}

static int
code_memo(struct link *l, const struct opts *o)
{
	const char *params[5];
	size_t n;

	if (o->nargs != 1 || (o->code != NULL) + (o->answer != NULL) +
	    (o->participant != NULL) != 1)
		return cli_usage_error("code", "memo demande un TEXTE et une "
				       "seule cible (--code, --answer ou "
				       "--participant)", NULL);
	n = strlen(o->args[0]);
	if (utf8_valid_prefix(o->args[0], n) != n ||
	    utf8_length(o->args[0]) > MEMO_MAX_CHARS)
		return cli_usage_error("code", "TEXTE : UTF-8, 20000 "
				       "caractères au plus", NULL);
	params[0] = o->study;		/* $1 the study's slug */
	params[1] = o->code;		/* $2 code, or NULL */
	params[2] = o->answer;		/* $3 msp.answer id, or NULL */
	params[3] = o->participant;	/* $4 participant, or NULL */
	params[4] = o->args[0];		/* $5 the memo */
	return write_one(l, "add memo",
			 "SELECT msp.memo_add($1, $2, $3::bigint,"
			 " $4::smallint, $5) AS id", 5, params,
			 "mémo enregistré :");
}

/* --- disagreements and their resolution (issue 22, item 3) ---------- */

/*
 * $1 the study's slug, $2 an item key or NULL: one row per (answer,
 * coder) of the open answers that at least two coders coded (own
 * codings: the resolved ones are the result of the comparison) and on
 * whose codes they differ; the coder's codes (each once, whole answer
 * or passage), the answer's resolved codes, and whether someone
 * resolved it (msp.answer_resolution: "resolved, no code" is a
 * decision).  The unit is the answer, as msp-report agreement's.
 */
static const char sql_disagreements[] =
	"WITH own AS ("
	" SELECT k.response_id, k.item_key, k.coder,"
	"        string_agg(DISTINCT k.code, ',' ORDER BY k.code) AS codes"
	"   FROM msp.answer_code k"
	"   JOIN msp.response r ON r.response_id = k.response_id"
	"   JOIN msp.study s ON s.study_id = r.study_id"
	"  WHERE s.slug = $1 AND k.state = 'own' AND NOT r.test"
	"    AND ($2::text IS NULL OR k.item_key = $2)"
	"  GROUP BY 1, 2, 3),"
	" units AS ("
	" SELECT response_id, item_key FROM own GROUP BY 1, 2"
	"  HAVING count(*) >= 2 AND count(DISTINCT codes) >= 2) "
	"SELECT a.answer_id, o.item_key, o.coder, o.codes,"
	"       (SELECT string_agg(DISTINCT k.code, ',' ORDER BY k.code)"
	"          FROM msp.answer_code k"
	"         WHERE k.response_id = o.response_id"
	"           AND k.item_key = o.item_key"
	"           AND k.state = 'resolved') AS resolved,"
	"       coalesce(res.resolved_by, '') AS resolved_by,"
	/* what people read: "(aucun code)" is a resolution with none */
	"       coalesce((SELECT string_agg(DISTINCT k.code, ','"
	"                                   ORDER BY k.code)"
	"          FROM msp.answer_code k"
	"         WHERE k.response_id = o.response_id"
	"           AND k.item_key = o.item_key AND k.state = 'resolved'),"
	"         CASE WHEN res.response_id IS NOT NULL"
	"              THEN '(aucun code)' ELSE '' END) AS resolved_shown,"
	"       translate(left(a.text_value, 60), E'\\n\\r\\t', '   ')"
	"         AS text"
	"  FROM own o JOIN units u USING (response_id, item_key)"
	"  JOIN msp.answer a ON a.response_id = o.response_id"
	"   AND a.item_key = o.item_key AND a.text_value IS NOT NULL"
	"  LEFT JOIN msp.answer_resolution res"
	"    ON res.response_id = o.response_id"
	"   AND res.item_key = o.item_key"
	" ORDER BY a.answer_id, o.coder";

static const struct cli_column disagreement_columns[] = {
	{ "n° (--answer)", "answer_id", 1 },
	{ "question", "item_key", 0 },
	{ "codeur", "coder", 0 },
	{ "codes", "codes", 0 },
	{ "résolu", "resolved_shown", 0 },
	{ "texte", "text", 0 },
};

/* The codes "a,b" as a JSON array (empty for NULL or ""). */
static json_object *
codes_array(const char *codes)
{
	json_object *a = json_object_new_array();
	const char *p = codes;

	if (a == NULL)
		return NULL;
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");

		if (json_object_array_add(a, json_object_new_string_len(p,
		    (int)n)) != 0) {
			json_object_put(a);
			return NULL;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

/* The JSON of the disagreements: one object per answer, its coders in
 * order.  NULL when out of memory. */
static json_object *
disagreements_json(const struct opts *o, const PGresult *res)
{
	json_object *root = json_object_new_object(), *units, *u = NULL;
	json_object *coders = NULL, *c;
	int i, bad = root == NULL;

	if (bad)
		return NULL;
	bad |= format_json_add(root, "study", json_object_new_string(
			       o->study));
	bad |= format_json_add(root, "unit", json_object_new_string(
			       "answer"));
	units = json_object_new_array();
	bad |= format_json_add(root, "disagreements", units);
	for (i = 0; !bad && i < PQntuples(res); i++) {
		const char *id = db_text(res, i, "answer_id");

		if (i == 0 || strcmp(id, db_text(res, i - 1, "answer_id"))) {
			const char *rc = db_text(res, i, "resolved");
			int decided = *db_text(res, i, "resolved_by") != '\0' ||
				      (rc != NULL && *rc != '\0');

			u = json_object_new_object();
			bad |= u == NULL || json_object_array_add(units, u);
			if (bad)
				break;
			bad |= format_json_add(u, "answer",
				json_object_new_int64(db_int(res, i,
							     "answer_id")));
			bad |= format_json_add(u, "item",
				json_object_new_string(db_text(res, i,
							       "item_key")));
			coders = json_object_new_array();
			bad |= format_json_add(u, "coders", coders);
			bad |= json_object_object_add(u, "resolved", decided ?
				codes_array(rc) : NULL) != 0;
			if (*db_text(res, i, "resolved_by") != '\0')
				bad |= format_json_add(u, "resolved_by",
					json_object_new_string(db_text(res,
						i, "resolved_by")));
		}
		c = json_object_new_object();
		bad |= c == NULL || json_object_array_add(coders, c);
		if (bad)
			break;
		bad |= format_json_add(c, "coder", json_object_new_string(
				       db_text(res, i, "coder")));
		bad |= format_json_add(c, "codes", codes_array(
				       db_text(res, i, "codes")));
	}
	if (bad) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

static int
code_disagreements(struct link *l, const struct opts *o)
{
	const char *params[2] = { o->study, o->item };
	const char *format = o->format != NULL ? o->format : "text";
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int i, rc = 0;

	if (o->nargs != 0)
		return cli_usage_error("code", "disagreements ne prend pas "
				       "d'argument", NULL);
	if (begin(l) != 0)
		return 1;
	conn = l->conn;
	/* $1 the study's slug, $2 an item key or NULL */
	if (db_exec(conn, "disagreements", sql_disagreements, 2, params,
		    PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		cli_rollback(conn);
		return cli_db_refusal("code", &err);
	}
	cli_rollback(conn);	/* read only */
	if (strcmp(format, "csv") == 0) {
		buf_puts(&out, "answer_id,item_key,coder,codes,resolved,"
			 "resolved_by\r\n");
		for (i = 0; i < PQntuples(res); i++) {
			const char *rs = db_text(res, i, "resolved");

			csv_write_number(&out, db_text(res, i, "answer_id"));
			buf_putc(&out, ',');
			csv_write_field(&out, db_text(res, i, "item_key"));
			buf_putc(&out, ',');
			csv_write_field(&out, db_text(res, i, "coder"));
			buf_putc(&out, ',');
			csv_write_field(&out, db_text(res, i, "codes"));
			buf_putc(&out, ',');
			csv_write_field(&out, rs != NULL ? rs : "");
			buf_putc(&out, ',');
			csv_write_field(&out, db_text(res, i, "resolved_by"));
			buf_puts(&out, "\r\n");
		}
	} else if (strcmp(format, "json") == 0) {
		json_object *j = disagreements_json(o, res);

		if (j == NULL)
			out.failed = 1;
		else
			buf_printf(&out, "%s\n", json_object_to_json_string_ext(
				   j, JSON_C_TO_STRING_PRETTY |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else if (PQntuples(res) == 0) {
		printf("Aucun désaccord entre codeurs dans l'étude %s%s%s%s "
		       "(unité : la réponse ouverte).\n", o->study,
		       o->item ? ", question « " : "", o->item ? o->item : "",
		       o->item ? " »" : "");
	} else {
		printf("Désaccords entre codeurs, étude %s (unité : la réponse "
		       "ouverte ; codages propres de chaque codeur)\n\n",
		       o->study);
		cli_print_table(res, disagreement_columns,
				sizeof(disagreement_columns) /
				sizeof(disagreement_columns[0]));
	}
	if (buf_status(&out, &err) != MSP_OK)
		rc = cli_fail(&err);
	else
		fwrite(buf_str(&out), 1, out.len, stdout);
	buf_free(&out);
	PQclear(res);
	return rc;
}

static int
code_resolve(struct link *l, const struct opts *o)
{
	struct buf codes = BUF_INIT(BUF_MAX_TEXT);
	struct msp_error err;
	const char *params[4];
	const char *p;
	int rc;

	if (o->nargs != 0 || o->answer == NULL ||
	    (o->codes != NULL) + o->none + (o->from_coder != NULL) != 1)
		return cli_usage_error("code", "resolve demande --answer et "
				       "une seule de --codes, --none, "
				       "--from-coder", NULL);
	/* the codes as a text[] literal: keys need no quoting */
	buf_putc(&codes, '{');
	for (p = o->codes; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ",");
		char key[64];

		if (n == 0 || n >= sizeof(key)) {
			buf_free(&codes);
			return cli_usage_error("code", "--codes : clés "
					       "séparées par des virgules",
					       o->codes);
		}
		memcpy(key, p, n);
		key[n] = '\0';
		if (!valid_key(key)) {
			buf_free(&codes);
			return cli_usage_error("code", "--codes : clé de code "
					       "invalide", key);
		}
		buf_printf(&codes, "%s%s", codes.len > 1 ? "," : "", key);
		p += n;
		if (*p == ',')
			p++;
	}
	buf_putc(&codes, '}');
	if (buf_status(&codes, &err) != MSP_OK) {
		buf_free(&codes);
		return cli_fail(&err);
	}
	params[0] = o->study;	/* $1 the study's slug */
	params[1] = o->answer;	/* $2 msp.answer id */
	/* $3 the codes ('{}': none), or NULL with $4 */
	params[2] = o->from_coder != NULL ? NULL : buf_str(&codes);
	params[3] = o->from_coder;	/* $4 the coder copied, or NULL */
	rc = write_one(l, "resolve answer",
		       "SELECT msp.coding_resolve_answer($1, $2::bigint,"
		       " $3::text[], $4) AS id", 4, params,
		       "résolution enregistrée ; codages résolus :");
	buf_free(&codes);
	return rc;
}

/* --- suggestions (issue 22, item 7) ---------------------------------- */

/* $1 the study's slug: its codes */
static const char sql_suggest_codes[] =
	"SELECT c.code, c.label_fr, c.definition_fr"
	"  FROM msp.study_code c JOIN msp.study s USING (study_id)"
	" WHERE s.slug = $1 ORDER BY c.code";

/* $1 the study's slug: the texts coded so far, each passage once
 * whoever coded it (two coders of one passage are one text), from open
 * answers (the passage, or the whole answer) and interview segments
 * (their verbatim); test responses left out */
static const char sql_suggest_coded[] =
	"SELECT DISTINCT ON (k.response_id, k.item_key, k.code,"
	"       k.start_pos, k.end_pos) k.code,"
	"       substr(a.text_value, coalesce(k.start_pos, 0) + 1,"
	"              coalesce(k.end_pos, char_length(a.text_value))"
	"              - coalesce(k.start_pos, 0)) AS text"
	"  FROM msp.answer_code k"
	"  JOIN msp.response r ON r.response_id = k.response_id"
	"  JOIN msp.study s ON s.study_id = r.study_id"
	"  JOIN msp.answer a ON a.response_id = k.response_id"
	"   AND a.item_key = k.item_key AND a.text_value IS NOT NULL"
	" WHERE s.slug = $1 AND NOT r.test"
	" UNION ALL "
	"SELECT DISTINCT ON (g.interview_id, g.code, g.start_pos, g.end_pos,"
	"       g.verbatim_fr) g.code, g.verbatim_fr"
	"  FROM msp.segment g JOIN msp.study s USING (study_id)"
	" WHERE s.slug = $1 AND g.verbatim_fr IS NOT NULL";

/* $1 the study's slug, $2 an item key or NULL: the open answers no one
 * has coded (no coding of any coder, in any state) */
static const char sql_suggest_uncoded[] =
	"SELECT a.answer_id, a.item_key, a.text_value,"
	"       translate(left(a.text_value, 60), E'\\n\\r\\t', '   ')"
	"         AS excerpt"
	"  FROM msp.answer a JOIN msp.response r USING (response_id)"
	"  JOIN msp.study s ON s.study_id = r.study_id"
	" WHERE s.slug = $1 AND a.text_value IS NOT NULL AND NOT r.test"
	"   AND btrim(a.text_value) <> ''"
	"   AND ($2::text IS NULL OR a.item_key = $2)"
	"   AND NOT EXISTS (SELECT 1 FROM msp.answer_code k"
	"                    WHERE k.response_id = a.response_id"
	"                      AND k.item_key = a.item_key)"
	" ORDER BY a.item_key, a.answer_id";

/* The suggestions of one answer into out, as text or CSV. */
static void
suggestions_out(struct buf *out, int csv, const PGresult *ans, int i,
		const struct suggest_hit *hits, size_t n)
{
	char score[32];
	size_t h, w;

	if (!csv && n > 0)
		buf_printf(out, "réponse %s (%s) : « %s »\n",
			   db_text(ans, i, "answer_id"),
			   db_text(ans, i, "item_key"),
			   db_text(ans, i, "excerpt"));
	for (h = 0; h < n; h++) {
		snprintf(score, sizeof(score), "%.3f", hits[h].score);
		if (csv) {
			csv_write_number(out, db_text(ans, i, "answer_id"));
			buf_putc(out, ',');
			csv_write_field(out, db_text(ans, i, "item_key"));
			buf_putc(out, ',');
			csv_write_field(out, hits[h].code);
			buf_putc(out, ',');
			csv_write_number(out, score);
			buf_puts(out, ",\"");
		} else
			buf_printf(out, "  %-24s %7s  mots : ", hits[h].code,
				   score);
		for (w = 0; w < hits[h].nwords; w++)
			buf_printf(out, "%s%s", w ? (csv ? " " : ", ") : "",
				   hits[h].words[w]);
		buf_puts(out, csv ? "\"\r\n" : "\n");
	}
}

static int
code_suggest(struct link *l, const struct opts *o)
{
	const char *params[2] = { o->study, o->item };
	const int csv = o->format != NULL && strcmp(o->format, "csv") == 0;
	const size_t max = o->max != NULL ? strtoul(o->max, NULL, 10) : 3;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	PGresult *codes = NULL, *coded = NULL, *ans = NULL;
	struct suggest_hit hits[100];
	struct suggest *sg = NULL;
	struct msp_error err;
	size_t n, total = 0;
	PGconn *conn;
	int i, rc = 1;

	if (o->nargs != 0)
		return cli_usage_error("code", "suggest ne prend pas "
				       "d'argument", NULL);
	if (o->format != NULL && strcmp(o->format, "json") == 0)
		return cli_usage_error("code", "suggest : --format text ou "
				       "csv", NULL);
	if (begin(l) != 0)
		return 1;
	conn = l->conn;
	if (db_exec(conn, "suggest: codes", sql_suggest_codes, 1, params,
		    PGRES_TUPLES_OK, &codes, &err) != MSP_OK ||
	    db_exec(conn, "suggest: coded", sql_suggest_coded, 1, params,
		    PGRES_TUPLES_OK, &coded, &err) != MSP_OK ||
	    db_exec(conn, "suggest: uncoded", sql_suggest_uncoded, 2, params,
		    PGRES_TUPLES_OK, &ans, &err) != MSP_OK) {
		cli_rollback(conn);
		rc = cli_db_refusal("code", &err);
		goto out;
	}
	cli_rollback(conn);	/* read only: nothing is stored */
	if (PQntuples(codes) == 0) {
		fprintf(stderr, "msp-report code: l'étude %s n'a pas de code "
			"(ou n'existe pas) ; rien à suggérer\n", o->study);
		goto out;
	}
	if ((sg = suggest_new()) == NULL) {
		msp_error_set(&err, MSP_ENOMEM, "suggestions");
		rc = cli_fail(&err);
		goto out;
	}
	for (i = 0; i < PQntuples(codes); i++)
		if (suggest_add_code(sg, db_text(codes, i, "code"),
				     db_text(codes, i, "label_fr"),
				     db_text(codes, i, "definition_fr"),
				     &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
	for (i = 0; i < PQntuples(coded); i++)
		if (suggest_add_coded(sg, db_text(coded, i, "code"),
				      db_text(coded, i, "text"), &err) !=
		    MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
	if (csv)
		buf_puts(&out, "answer_id,item_key,code,score,stems\r\n");
	for (i = 0; i < PQntuples(ans); i++) {
		if (suggest_rank(sg, db_text(ans, i, "text_value"), hits, max,
				 &n, &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		suggestions_out(&out, csv, ans, i, hits, n);
		total += n > 0;
	}
	if (!csv)
		buf_printf(&out, "%s%zu réponse(s) sans codage, %zu avec une "
			   "suggestion ; rien n'est enregistré : code apply "
			   "--from-suggestion pour accepter.\n",
			   out.len > 0 ? "\n" : "", (size_t)PQntuples(ans),
			   total);
	if (buf_status(&out, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	rc = 0;
out:
	suggest_free(sg);
	buf_free(&out);
	PQclear(codes);
	PQclear(coded);
	PQclear(ans);
	return rc;
}

int
cmd_code(const struct cli_context *ctx, int argc, char **argv)
{
	static const char *const actions[] = {
		"answers", "apply", "remove", "transcript", "memo",
		"disagreements", "resolve", "suggest",
	};
	struct opts o;
	struct link l = { ctx, NULL };
	size_t i;
	int rc;

	if ((rc = cli_action_help(argc, argv, code_usage)) >= 0)
		return rc;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(argv[1], actions[i]) == 0)
			break;
	if (i == sizeof(actions) / sizeof(actions[0]))
		return cli_usage_error("code", "action inconnue", argv[1]);
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc;
	switch (i) {
	case 0: rc = code_answers(&l, &o); break;
	case 1: rc = code_apply(&l, &o); break;
	case 2: rc = code_remove(&l, &o); break;
	case 3: rc = code_transcript(&l, &o); break;
	case 4: rc = code_memo(&l, &o); break;
	case 5: rc = code_disagreements(&l, &o); break;
	case 6: rc = code_resolve(&l, &o); break;
	default: rc = code_suggest(&l, &o); break;
	}
	if (l.conn != NULL)
		PQfinish(l.conn);
	return rc;
}
