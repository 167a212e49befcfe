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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "file.h"
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
"\n"
"The coder is the analyst token in MSP_TOKEN (or the owner, with no\n"
"token).  Only the owner or an analyst token may use this command.\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

struct opts {
	const char *study, *code, *item, *answer, *participant;
	const char *from, *to;
	int resolved;
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

int
cmd_code(const struct cli_context *ctx, int argc, char **argv)
{
	static const char *const actions[] = {
		"answers", "apply", "remove", "transcript", "memo",
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
	default: rc = code_memo(&l, &o); break;
	}
	if (l.conn != NULL)
		PQfinish(l.conn);
	return rc;
}
