/*
 * msp-report codebook|qdpx — a study's codebook (list, add, edit, merge,
 * REFI-QDA .qdc import and export) and its coding project as a REFI-QDA
 * .qdpx (issue 22, items 1 and 5).
 *
 * Writes go through msp.codebook_add / _edit / _merge (migration 0039),
 * in one transaction per command, as the database owner or under an
 * analyst token (MSP_TOKEN); the database refuses anyone else and says
 * in French what it refuses (a code that exists, a cycle...): the
 * command prints it, and nothing is stored.  Input is checked here
 * first (keys, labels, kinds, HAS codes, files).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cli.h"
#include "codebook.h"
#include "db.h"
#include "file.h"
#include "qdpx.h"
#include "utf8.h"

#define LABEL_MAX_CHARS 500
#define DEFINITION_MAX_CHARS 10000

static const char codebook_usage[] =
"Usage: msp-report codebook list --study SLUG\n"
"       msp-report codebook add --study SLUG CODE --label LABEL\n"
"                  --kind KIND --has H-F1[,H-F2...]|none [--parent CODE]\n"
"                  [--definition TEXT]\n"
"       msp-report codebook edit --study SLUG CODE [--label LABEL]\n"
"                  [--kind KIND] [--has ...|none] [--parent CODE|'']\n"
"                  [--definition TEXT]\n"
"       msp-report codebook merge --study SLUG FROM INTO\n"
"       msp-report codebook import --study SLUG FILE.qdc|FILE.qdpx\n"
"       msp-report codebook export --study SLUG -o FILE.qdc\n"
"\n"
"A study's codebook: hierarchical codes, each a frein, a levier or\n"
"another kind (KIND: frein, levier, resource_need, maturity, other),\n"
"mapped to categories of the HAS 2023 framework (H-F1..H-F6 for freins,\n"
"H-L1..H-L5 for leviers) or explicitly to none (--has none).\n"
"\n"
"list    the codes as a tree: key, kind, HAS categories, label.\n"
"add     a code: CODE is its key (lower-case letters, digits, _),\n"
"        LABEL what people read, --parent the code it belongs under.\n"
"edit    changes the fields given; --parent '' puts it at the top.\n"
"        A change of --kind needs --has too.\n"
"merge   FROM into INTO: FROM's codings, memos and sub-codes go to\n"
"        INTO, then FROM is deleted.\n"
"import  adds the codes of a REFI-QDA codebook (.qdc, from NVivo,\n"
"        ATLAS.ti, MAXQDA, QualCoder, Taguette...) or of a REFI-QDA\n"
"        project's codebook (.qdpx: its sources and codings are not\n"
"        imported); keys come from names, kinds and HAS categories\n"
"        from msp: sets if present.\n"
"export  writes the codebook as a REFI-QDA .qdc.\n"
"\n"
"Every change is recorded in the audit trail.  Only the database owner\n"
"or an analyst token (MSP_TOKEN) may use this command.\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

static const char qdpx_usage[] =
"Usage: msp-report qdpx export --study SLUG -o FILE.qdpx\n"
"\n"
"Writes the study's coding project as a REFI-QDA project (.qdpx, read by\n"
"NVivo, ATLAS.ti, MAXQDA, QualCoder...): the codebook, the open answers\n"
"and interview transcripts as text sources, every coded passage with its\n"
"code and coder, the memos.\n"
"\n"
"Only the database owner or an analyst token (MSP_TOKEN) may use it.\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

/* The connection, made once the command line has been checked (a
 * usage error is said without a database). */
struct link {
	const struct cli_context *ctx;
	PGconn *conn;
};

/* l's connection, made now if need be; NULL after printing why. */
static PGconn *
connected(struct link *l)
{
	if (l->conn == NULL)
		l->conn = cli_connect(l->ctx);
	return l->conn;
}

static const char *const kinds[] = {
	"frein", "levier", "resource_need", "maturity", "other",
};

/* Everything the sub-commands take; NULL when not given. */
struct opts {
	const char *study, *label, *kind, *has, *parent, *definition;
	const char *output;
	char **args;		/* the positional arguments */
	int nargs;
};

static int
parse(const char *command, int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ "kind", required_argument, NULL, 'k' },
		{ "has", required_argument, NULL, 'H' },
		{ "parent", required_argument, NULL, 'p' },
		{ "definition", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;	/* 0: GNU getopt starts afresh (main used "+") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->study = optarg; break;
		case 'l': o->label = optarg; break;
		case 'k': o->kind = optarg; break;
		case 'H': o->has = optarg; break;
		case 'p': o->parent = optarg; break;
		case 'd': o->definition = optarg; break;
		case 'o': o->output = optarg; break;
		default:
			return cli_usage_error(command, "option inconnue ou "
					       "sans valeur", argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->study == NULL)
		return cli_usage_error(command, "--study est obligatoire",
				       NULL);
	if (!cli_valid_slug(o->study))
		return cli_usage_error(command, "--study invalide",
				       o->study);
	return 0;
}

/* A code's key: the CHECK of migration 0004. */
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
valid_kind(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i]) == 0)
			return 1;
	return 0;
}

/* Whether s is a definition: valid UTF-8, at most the maximum, no
 * control character but newlines and tabs. */
static int
valid_text(const char *s, size_t max_chars)
{
	size_t n = strlen(s), i;

	if (utf8_valid_prefix(s, n) != n || utf8_length(s) > max_chars)
		return 0;
	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n' &&
		     s[i] != '\t' && s[i] != '\r') || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * --has as a PostgreSQL array literal into out: "none" -> "{}",
 * "H-F1,H-F2" -> "{H-F1,H-F2}" (each ^H-[FL][0-9]{1,2}$).  0, or 2 after
 * a usage message.
 */
static int
has_array(const char *command, const char *has, struct buf *out)
{
	const char *p = has;

	if (strcmp(has, "none") == 0) {
		buf_puts(out, "{}");
		return 0;
	}
	buf_putc(out, '{');
	while (*p != '\0') {
		size_t len = strcspn(p, ","), i;

		if (len < 4 || len > 5 || p[0] != 'H' || p[1] != '-' ||
		    (p[2] != 'F' && p[2] != 'L'))
			return cli_usage_error(command, "--has : catégories "
					       "HAS (H-F1, H-L2...) séparées "
					       "par des virgules, ou none",
					       has);
		for (i = 3; i < len; i++)
			if (p[i] < '0' || p[i] > '9')
				return cli_usage_error(command, "--has : "
					"catégorie HAS invalide", has);
		buf_append(out, p, len);
		p += len;
		if (*p == ',') {
			buf_putc(out, ',');
			p++;
			if (*p == '\0')
				return cli_usage_error(command, "--has : "
					"virgule finale", has);
		}
	}
	buf_putc(out, '}');
	return 0;
}

/* Checks the fields of add and edit; 0 or 2. */
static int
check_fields(const struct opts *o)
{
	if (o->label != NULL && !cli_valid_name(o->label, LABEL_MAX_CHARS))
		return cli_usage_error("codebook", "--label invalide (vide, "
				       "trop long ou caractères de contrôle)",
				       NULL);
	if (o->kind != NULL && !valid_kind(o->kind))
		return cli_usage_error("codebook", "--kind : frein, levier, "
				       "resource_need, maturity ou other",
				       o->kind);
	if (o->parent != NULL && o->parent[0] != '\0' &&
	    !valid_key(o->parent))
		return cli_usage_error("codebook", "--parent : clé de code "
				       "invalide", o->parent);
	if (o->definition != NULL &&
	    !valid_text(o->definition, DEFINITION_MAX_CHARS))
		return cli_usage_error("codebook", "--definition invalide "
				       "(UTF-8, 10000 caractères au plus)",
				       NULL);
	return 0;
}

static int
code_add(struct link *l, const struct opts *o)
{
	PGconn *conn;
	struct buf has = BUF_INIT(BUF_MAX_TEXT);
	const char *params[7];
	enum tenant_kind kind;
	struct msp_error err;
	int rc;

	if (o->nargs != 1)
		return cli_usage_error("codebook", "add prend une seule CLÉ",
				       NULL);
	if (!valid_key(o->args[0]))
		return cli_usage_error("codebook", "CLÉ invalide (lettres "
				       "minuscules, chiffres et _, 63 au "
				       "plus)", o->args[0]);
	if (o->label == NULL || o->kind == NULL || o->has == NULL)
		return cli_usage_error("codebook", "add demande --label, "
				       "--kind et --has", NULL);
	if ((rc = check_fields(o)) != 0)
		return rc;
	if (o->parent != NULL && o->parent[0] == '\0')
		return cli_usage_error("codebook", "--parent vide : omettez-le "
				       "pour un code de premier niveau", NULL);
	if ((rc = has_array("codebook", o->has, &has)) != 0)
		goto done;
	if (buf_status(&has, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto done;
	}
	if ((conn = connected(l)) == NULL) {
		rc = 1;
		goto done;
	}
	if ((rc = cli_begin(conn, "codebook", &kind)) != 0)
		goto done;
	if ((rc = cli_require_manager(conn, "codebook", kind)) != 0)
		goto out;
	params[0] = o->study;		/* $1 the study's slug */
	params[1] = o->args[0];		/* $2 key */
	params[2] = o->kind;		/* $3 kind */
	params[3] = o->label;		/* $4 label */
	params[4] = o->definition;	/* $5 definition, NULL: none */
	params[5] = o->parent;		/* $6 parent's key, NULL: top */
	params[6] = buf_str(&has);	/* $7 HAS categories, {} none */
	if (db_exec(conn, "add code",
		    "SELECT msp.codebook_add($1, $2, $3::msp.code_kind, $4,"
		    " $5, $6, $7::text[], NULL)", 7, params,
		    PGRES_TUPLES_OK, NULL, &err) != MSP_OK) {
		rc = cli_coding_refusal("codebook", &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("code %s ajouté à l'étude %s\n", o->args[0],
		       o->study);
out:
	if (rc != 0)
		cli_rollback(conn);
done:
	buf_free(&has);
	return rc;
}

static int
code_edit(struct link *l, const struct opts *o)
{
	PGconn *conn;
	struct buf has = BUF_INIT(BUF_MAX_TEXT);
	const char *params[7];
	enum tenant_kind kind;
	struct msp_error err;
	int rc;

	if (o->nargs != 1 || !valid_key(o->args[0]))
		return cli_usage_error("codebook", "edit prend une seule CLÉ "
				       "valide", o->nargs > 0 ? o->args[0] :
				       NULL);
	if (o->label == NULL && o->kind == NULL && o->has == NULL &&
	    o->parent == NULL && o->definition == NULL)
		return cli_usage_error("codebook", "edit : rien à changer",
				       NULL);
	if ((rc = check_fields(o)) != 0)
		return rc;
	if (o->has != NULL && (rc = has_array("codebook", o->has, &has)) !=
	    0)
		goto done;
	if (buf_status(&has, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto done;
	}
	if ((conn = connected(l)) == NULL) {
		rc = 1;
		goto done;
	}
	if ((rc = cli_begin(conn, "codebook", &kind)) != 0)
		goto done;
	if ((rc = cli_require_manager(conn, "codebook", kind)) != 0)
		goto out;
	params[0] = o->study;		/* $1 the study's slug */
	params[1] = o->args[0];		/* $2 key */
	params[2] = o->kind;		/* $3 kind, NULL: unchanged */
	params[3] = o->label;		/* $4 label, NULL: unchanged */
	params[4] = o->definition;	/* $5 definition, NULL: unchanged */
	params[5] = o->parent;		/* $6 parent, '' top, NULL same */
	/* $7 HAS categories, {} none, NULL unchanged */
	params[6] = o->has != NULL ? buf_str(&has) : NULL;
	if (db_exec(conn, "edit code",
		    "SELECT msp.codebook_edit($1, $2, $3::msp.code_kind, $4,"
		    " $5, $6, $7::text[])", 7, params, PGRES_TUPLES_OK, NULL,
		    &err) != MSP_OK) {
		rc = cli_coding_refusal("codebook", &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("code %s modifié\n", o->args[0]);
out:
	if (rc != 0)
		cli_rollback(conn);
done:
	buf_free(&has);
	return rc;
}

static int
code_merge(struct link *l, const struct opts *o)
{
	PGconn *conn;
	const char *params[3];
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	int rc;

	if (o->nargs != 2 || !valid_key(o->args[0]) ||
	    !valid_key(o->args[1]))
		return cli_usage_error("codebook", "merge prend deux CLÉS : "
				       "FROM INTO", NULL);
	if ((conn = connected(l)) == NULL)
		return 1;
	if ((rc = cli_begin(conn, "codebook", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "codebook", kind)) != 0)
		goto out;
	params[0] = o->study;	/* $1 the study's slug */
	params[1] = o->args[0];	/* $2 the code that goes */
	params[2] = o->args[1];	/* $3 the code that stays */
	if (db_exec(conn, "merge codes",
		    "SELECT msp.codebook_merge($1, $2, $3) AS moved", 3,
		    params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		rc = cli_coding_refusal("codebook", &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("code %s fusionné dans %s (%s codages déplacés)\n",
		       o->args[0], o->args[1], db_text(res, 0, "moved"));
out:
	PQclear(res);
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

/* Connects l, then BEGIN under the caller's identity (the token),
 * checks the caller may; 0, or 1 after printing why. */
static int
begin_read(struct link *l, const char *command)
{
	enum tenant_kind kind;
	PGconn *conn;
	int rc;

	if ((conn = connected(l)) == NULL)
		return 1;
	if ((rc = cli_begin(conn, command, &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, command, kind)) != 0)
		cli_rollback(conn);
	return rc;
}

static int
code_list(struct link *l, const struct opts *o)
{
	PGconn *conn;
	struct codebook cb;
	struct msp_error err;
	size_t i;
	int rc;

	if (o->nargs != 0)
		return cli_usage_error("codebook", "list ne prend que --study",
				       NULL);
	if ((rc = begin_read(l, "codebook")) != 0)
		return rc;
	conn = l->conn;
	codebook_init(&cb);
	if (codebook_load(conn, o->study, &cb, &err) != MSP_OK) {
		cli_rollback(conn);
		return cli_fail(&err);
	}
	printf("%-32s %-13s %-16s %s\n", "code", "type", "HAS", "libellé");
	for (i = 0; i < cb.n; i++) {
		const struct cb_code *c = &cb.codes[i];
		size_t depth = 0, j = i;

		/* depth: walk up through parents, all listed before */
		while (cb.codes[j].parent != NULL && depth < 32) {
			size_t k;

			for (k = 0; k < j; k++)
				if (strcmp(cb.codes[k].code,
					   cb.codes[j].parent) == 0)
					break;
			if (k == j)
				break;
			j = k;
			depth++;
		}
		printf("%*s%-*s %-13s %-16s %s\n", (int)(2 * depth), "",
		       (int)(32 - 2 * depth > 0 ? 32 - 2 * depth : 0),
		       c->code, c->kind,
		       c->has == NULL ? "?" : c->has[0] == '\0' ? "none" :
		       c->has, c->label);
	}
	codebook_free(&cb);
	cli_rollback(conn);
	return 0;
}

/* Whether path names a REFI-QDA project (.qdpx, any case): its
 * codebook is read from the archive's project.qde. */
static int
is_qdpx(const char *path)
{
	size_t n = strlen(path);

	return n > 5 && strcasecmp(path + n - 5, ".qdpx") == 0;
}

static int
code_import(struct link *l, const struct opts *o)
{
	PGconn *conn;
	struct codebook cb;
	struct msp_error err;
	char *xml = NULL;
	size_t len;
	int rc;

	if (o->nargs != 1)
		return cli_usage_error("codebook", "import prend un FICHIER "
				       ".qdc ou .qdpx", NULL);
	codebook_init(&cb);
	if (is_qdpx(o->args[0])) {
		if (qdpx_read_codebook(o->args[0], &cb, &err) != MSP_OK) {
			fprintf(stderr, "msp-report codebook: %s ; rien n'a "
				"été enregistré\n", err.message);
			return 1;
		}
	} else {
		if (file_read(o->args[0], CODEBOOK_MAX_FILE, &xml, &len,
			      &err) != MSP_OK)
			return cli_fail(&err);
		if (codebook_parse_qdc(xml, len, &cb, &err) != MSP_OK) {
			free(xml);
			fprintf(stderr, "msp-report codebook: %s : %s ; rien "
				"n'a été enregistré\n", o->args[0],
				err.message);
			return 1;
		}
		free(xml);
	}
	if ((rc = begin_read(l, "codebook")) != 0)
		goto out;
	conn = l->conn;
	if (codebook_store(conn, o->study, &cb, &err) != MSP_OK) {
		cli_rollback(conn);
		fprintf(stderr, "msp-report codebook: %s ; rien n'a été "
			"enregistré\n", err.message);
		rc = 1;
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("%zu codes importés dans l'étude %s\n", cb.n,
		       o->study);
out:
	codebook_free(&cb);
	return rc;
}

static int
code_export(struct link *l, const struct opts *o)
{
	PGconn *conn;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct codebook cb;
	struct msp_error err;
	FILE *f = NULL;
	int rc;

	if (o->nargs != 0 || o->output == NULL)
		return cli_usage_error("codebook", "export demande -o "
				       "FICHIER.qdc", NULL);
	if ((rc = begin_read(l, "codebook")) != 0)
		return rc;
	conn = l->conn;
	codebook_init(&cb);
	if (codebook_load(conn, o->study, &cb, &err) != MSP_OK ||
	    codebook_qdc(&cb, &out, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if ((f = fopen(o->output, "wb")) == NULL ||
	    fwrite(buf_str(&out), 1, out.len, f) != out.len) {
		fprintf(stderr, "msp-report codebook: %s : écriture "
			"impossible\n", o->output);
		rc = 1;
		goto out;
	}
	printf("%zu codes écrits dans %s\n", cb.n, o->output);
out:
	if (f != NULL && fclose(f) != 0 && rc == 0) {
		fprintf(stderr, "msp-report codebook: %s : écriture "
			"impossible\n", o->output);
		rc = 1;
	}
	cli_rollback(conn);
	codebook_free(&cb);
	buf_free(&out);
	return rc;
}

int
cmd_codebook(const struct cli_context *ctx, int argc, char **argv)
{
	static const char *const actions[] = {
		"list", "add", "edit", "merge", "import", "export",
	};
	struct opts o;
	struct link l = { ctx, NULL };
	size_t i;
	int rc;

	if ((rc = cli_action_help(argc, argv, codebook_usage)) >= 0)
		return rc;
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(argv[1], actions[i]) == 0)
			break;
	if (i == sizeof(actions) / sizeof(actions[0]))
		return cli_usage_error("codebook", "action inconnue", argv[1]);
	if ((rc = parse("codebook", argc - 1, argv + 1, &o)) != 0)
		return rc;
	switch (i) {
	case 0: rc = code_list(&l, &o); break;
	case 1: rc = code_add(&l, &o); break;
	case 2: rc = code_edit(&l, &o); break;
	case 3: rc = code_merge(&l, &o); break;
	case 4: rc = code_import(&l, &o); break;
	default: rc = code_export(&l, &o); break;
	}
	if (l.conn != NULL)
		PQfinish(l.conn);
	return rc;
}

int
cmd_qdpx(const struct cli_context *ctx, int argc, char **argv)
{
	struct msp_error err;
	struct opts o;
	struct link l = { ctx, NULL };
	int rc;

	if ((rc = cli_action_help(argc, argv, qdpx_usage)) >= 0)
		return rc;
	if (strcmp(argv[1], "export") != 0)
		return cli_usage_error("qdpx", "action inconnue", argv[1]);
	if ((rc = parse("qdpx", argc - 1, argv + 1, &o)) != 0)
		return rc;
	if (o.nargs != 0 || o.output == NULL)
		return cli_usage_error("qdpx", "export demande --study et -o "
				       "FICHIER.qdpx", NULL);
	if ((rc = begin_read(&l, "qdpx")) == 0) {
		if (qdpx_export(l.conn, o.study, o.output, &err) != MSP_OK)
			rc = cli_fail(&err);
		else
			printf("projet de l'étude %s écrit dans %s\n",
			       o.study, o.output);
		cli_rollback(l.conn);
	}
	if (l.conn != NULL)
		PQfinish(l.conn);
	return rc;
}
