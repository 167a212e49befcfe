/*
 * msp-report frame — a study's targeted population (issue 18, item 4).
 *
 * frame import reads one or more CSV lists through a mapping
 * (lib/frame.c), merges the structures listed twice, and stores the
 * frame in one transaction: each structure under its pseudonym
 * (created in the study's region if new, its characteristics updated
 * from the lists) and its row of msp.population for the study.  A cell
 * that cannot be read, or a federation the region does not have, is
 * listed with its line and nothing is stored.  --from-study copies
 * another study's frame (the previous wave's).
 *
 * As the database owner or under an analyst token (MSP_TOKEN) only.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "file.h"
#include "frame.h"
#include "settings.h"

/* A list of a few thousand structures is far below these. */
#define FRAME_MAP_MAX (1u << 20)

static const char usage_text[] =
"Usage: msp-report frame import --study SLUG --mapping MAP FILE.csv...\n"
"       msp-report frame import --study SLUG --from-study OTHER\n"
"\n"
"Records the structures a study targets (its frame), from the lists a\n"
"federation has (CSV, ',' ';' or tab), as --nonresponse and the\n"
"response rate read them.  MAP maps each list's columns onto the\n"
"frame's fields (docs/fieldwork.md): the identifier (finess, or name\n"
"and commune, or @structure), structure_type, departement, n_sites,\n"
"federation_member, federation, opening_year, aci_signatory, cpts,\n"
"cls; @ignore for the rest.  Identifiers are never stored, only their\n"
"pseudonym (MSP_SECRET_FILE), the forms' own: case, accents, spaces\n"
"and the way a FINESS number is written do not matter.\n"
"\n"
"Several lists are merged: a structure listed twice is stored once and\n"
"each repeat is listed on stderr.  Importing again updates the\n"
"characteristics and adds the new structures.  If any cell cannot be\n"
"read, every such cell is listed (LIST:LINE) and nothing is stored.\n"
"--from-study copies the frame of another study (the previous wave).\n"
"\n"
"Only the database owner or an analyst token (MSP_TOKEN) may import.\n"
"Output: on stdout, one line 'structures : N (ajoutées : A, mises à\n"
"jour : U, en double : D)'.  Exit status: 0 on success, 1 on failure (nothing\n"
"stored), 2 on a usage error.\n";

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("frame", what, arg);
}

/* Reads the mapping and every list into f; 0, or 1 after printing
 * why (the problems of every list, when cells cannot be read). */
static int
read_lists(const char *mapping, char **files, int n_files, struct frame *f)
{
	struct csvmap *map = NULL;
	struct secret secret = { NULL, 0 };
	struct msp_error err;
	enum msp_status st;
	char *text = NULL;
	size_t len;
	FILE *in;
	int i, rc = 1;

	if (file_read(mapping, FRAME_MAP_MAX, &text, &len, &err) != MSP_OK ||
	    csvmap_parse(text, len, &map, &err) != MSP_OK) {
		msp_error_prefix(&err, "%s", mapping);
		cli_fail(&err);
		goto out;
	}
	free(text);
	text = NULL;
	if (secret_load(settings_secret_file(), &secret, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	/* each list streamed: memory is the rows kept, not the files */
	for (i = 0; i < n_files; i++) {
		if ((in = fopen(files[i], "r")) == NULL) {
			msp_error_set(&err, MSP_EIO, "%s: %s", files[i],
				      strerror(errno));
			cli_fail(&err);
			goto out;
		}
		st = frame_read_file(f, map, files[i], in, &secret, &err);
		fclose(in);
		if (st != MSP_OK) {
			cli_fail(&err);
			goto out;
		}
	}
	if (frame_merge(f, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	rc = 0;
out:
	free(text);
	secret_clear(&secret);
	csvmap_free(map);
	return rc;
}

/* Whether res (one column of slugs) holds slug. */
static int
has_slug(const PGresult *res, const char *slug)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), slug) == 0)
			return 1;
	return 0;
}

/*
 * Lists in f->problems each row whose pseudonym is already a structure
 * of another region: a structure belongs to one region (its rows, its
 * federation, its tokens), and a list of this region's study that names
 * it is a mistake to show, not a move to make.  0, or 1 after printing
 * why the database could not say.
 */
static int
other_regions(PGconn *conn, const char *region_id, struct frame *f)
{
	struct buf list = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *params[2];
	struct msp_error err;
	PGresult *res = NULL;
	size_t i;
	int j, rc = 1;

	/* pseudonyms are 64 hex digits: an array literal needs no
	 * quoting */
	buf_putc(&list, '{');
	for (i = 0; i < f->n; i++)
		buf_printf(&list, "%s%s", i ? "," : "", f->rows[i].pseudonym);
	buf_putc(&list, '}');
	if (buf_status(&list, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	params[0] = list.data;	/* $1 the rows' pseudonyms */
	params[1] = region_id;	/* $2 the study's region */
	if (db_exec(conn, "frame: other regions",
		    "SELECT s.pseudonym, r.slug AS region"
		    "  FROM msp.structure s"
		    "  JOIN msp.region r ON r.region_id = s.region_id"
		    " WHERE s.pseudonym = ANY ($1::text[])"
		    "   AND s.region_id <> $2::smallint",
		    2, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		cli_db_refusal("frame", &err);
		goto out;
	}
	for (j = 0; j < PQntuples(res); j++)
		for (i = 0; i < f->n; i++) {
			const struct frame_row *row = &f->rows[i];

			if (strcmp(row->pseudonym,
				   db_text(res, j, "pseudonym")) != 0)
				continue;
			buf_printf(&f->problems, "%s:%zu: cette structure "
				   "est déjà enregistrée dans la région « %s »"
				   " : une liste d'une autre région ne peut "
				   "pas la reprendre\n", f->files[row->file],
				   row->line, db_text(res, j, "region"));
			f->n_problems++;
		}
	rc = 0;
out:
	PQclear(res);
	buf_free(&list);
	return rc;
}

/* Stores f into the study (id study_id, region region_id) in the open
 * transaction; prints the summary.  0, or 1 after printing why. */
static int
store(PGconn *conn, const char *study_id, const char *region_id,
      struct frame *f)
{
	const char *params[FRAME_N_FIELDS + 4];
	struct msp_error err;
	PGresult *feds = NULL, *res = NULL;
	size_t i, added = 0;
	int k, rc = 1;

	params[0] = region_id;
	if (db_exec(conn, "frame: federations",
		    "SELECT slug FROM msp.federation"
		    " WHERE region_id = $1::smallint",
		    1, params, PGRES_TUPLES_OK, &feds, &err) != MSP_OK) {
		cli_db_refusal("frame", &err);
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		const char *fed = f->rows[i].value[FRAME_FEDERATION];

		if (fed != NULL && !has_slug(feds, fed)) {
			buf_printf(&f->problems, "%s:%zu: colonne "
				   "« federation » : la région n'a pas de "
				   "fédération « %s » (msp-report federation "
				   "list)\n", f->files[f->rows[i].file],
				   f->rows[i].line, fed);
			f->n_problems++;
		}
	}
	if (other_regions(conn, region_id, f) != 0)
		goto out;
	if (f->n_problems > 0) {
		fprintf(stderr, "%.*s", (int)f->problems.len,
			f->problems.data);
		fprintf(stderr, "msp-report frame: %zu cellule%s illisible%s ; "
			"rien n'a été enregistré\n", f->n_problems,
			f->n_problems > 1 ? "s" : "",
			f->n_problems > 1 ? "s" : "");
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		const struct frame_row *row = &f->rows[i];

		params[0] = row->pseudonym;
		params[1] = region_id;
		params[2] = study_id;
		for (k = 0; k < FRAME_N_FIELDS; k++)
			params[3 + k] = row->value[k];
		/* $13: a structure stored under the identifier's
		 * pseudonym of before issue 18 keeps it */
		params[3 + FRAME_N_FIELDS] = row->legacy;
		/* the structure, found or created under its pseudonym, its
		 * characteristics from the list where the list gives
		 * them; then its frame row for the study */
		if (db_exec(conn, "frame: store",
			    "WITH st AS ("
			    " INSERT INTO msp.structure AS s (pseudonym,"
			    "        region_id, structure_type, departement,"
			    "        n_sites, federation_member, federation_id,"
			    "        opening_year, aci_signatory, cpts, cls)"
			    " VALUES (msp.structure_pseudonym($1, $13),"
			    "         $2::smallint,"
			    "         $4::msp.structure_type, $5,"
			    "         $6::smallint, $7::msp.tristate,"
			    "         (SELECT federation_id FROM msp.federation"
			    "           WHERE slug = $8),"
			    "         $9::smallint, $10::boolean,"
			    "         $11::msp.tristate, $12::msp.tristate)"
			    " ON CONFLICT (pseudonym) DO UPDATE SET"
			    "  structure_type = coalesce("
			    "      EXCLUDED.structure_type, s.structure_type),"
			    "  departement = coalesce(EXCLUDED.departement,"
			    "      s.departement),"
			    "  n_sites = coalesce(EXCLUDED.n_sites, s.n_sites),"
			    "  federation_member = coalesce("
			    "      EXCLUDED.federation_member,"
			    "      s.federation_member),"
			    "  federation_id = CASE WHEN coalesce("
			    "      EXCLUDED.federation_member,"
			    "      s.federation_member) = 'oui' THEN coalesce("
			    "    EXCLUDED.federation_id, s.federation_id) END,"
			    "  opening_year = coalesce(EXCLUDED.opening_year,"
			    "      s.opening_year),"
			    "  aci_signatory = coalesce(EXCLUDED.aci_signatory,"
			    "      s.aci_signatory),"
			    "  cpts = coalesce(EXCLUDED.cpts, s.cpts),"
			    "  cls = coalesce(EXCLUDED.cls, s.cls)"
			    " RETURNING s.structure_id)"
			    "INSERT INTO msp.population AS p (study_id,"
			    "       structure_id, active, imported_at)"
			    " SELECT $3::integer, st.structure_id, true, now()"
			    "   FROM st"
			    " ON CONFLICT (study_id, structure_id) DO UPDATE"
			    "   SET active = true, imported_at = now()"
			    " RETURNING (p.xmax = 0) AS added",
			    FRAME_N_FIELDS + 4, params, PGRES_TUPLES_OK,
			    &res, &err) != MSP_OK) {
			fprintf(stderr, "%s:%zu: ", f->files[row->file],
				row->line);
			cli_db_refusal("frame", &err);
			goto out;
		}
		added += PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		res = NULL;
	}
	if (f->n_duplicates > 0) {
		fprintf(stderr, "structures listées plusieurs fois (gardée = "
			"répétée) :\n%.*s", (int)f->duplicates.len,
			f->duplicates.data);
	}
	if (cli_commit(conn) != 0)
		goto out;
	printf("structures : %zu (ajoutées : %zu, mises à jour : %zu, "
	       "en double : %zu)\n", f->n, added, f->n - added,
	       f->n_duplicates);
	rc = 0;
out:
	PQclear(feds);
	PQclear(res);
	return rc;
}

/* --from-study: copies OTHER's frame rows, OTHER being a study of the
 * same region (another region's structures are not this study's);
 * prints the summary. */
static int
copy_frame(PGconn *conn, const char *study_id, const char *other)
{
	const char *params[2] = { study_id, other };
	struct msp_error err;
	PGresult *res = NULL;
	int rc = 1;

	if (db_exec(conn, "frame: copy",
		    "WITH src AS (SELECT p.structure_id, p.active"
		    "               FROM msp.population p"
		    "               JOIN msp.study s USING (study_id)"
		    "               JOIN msp.study t"
		    "                 ON t.study_id = $1::integer"
		    "              WHERE s.slug = $2"
		    "                AND s.region_id = t.region_id),"
		    " ins AS (INSERT INTO msp.population (study_id,"
		    "         structure_id, active, imported_at)"
		    "         SELECT $1::integer, structure_id, active, now()"
		    "           FROM src"
		    "         ON CONFLICT (study_id, structure_id) DO NOTHING"
		    "         RETURNING 1)"
		    "SELECT (SELECT count(*) FROM src) AS listed,"
		    "       (SELECT count(*) FROM ins) AS added,"
		    "       EXISTS (SELECT 1 FROM msp.study WHERE slug = $2)"
		    "         AS known,"
		    "       EXISTS (SELECT 1 FROM msp.study s"
		    "                 JOIN msp.study t"
		    "                   ON t.study_id = $1::integer"
		    "                WHERE s.slug = $2"
		    "                  AND s.region_id = t.region_id)"
		    "         AS same_region",
		    2, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		cli_db_refusal("frame", &err);
		goto out;
	}
	if (strcmp(db_text(res, 0, "known"), "t") != 0) {
		fprintf(stderr, "msp-report frame: aucune étude « %s » ; rien "
			"n'a été enregistré\n", other);
		goto out;
	}
	if (strcmp(db_text(res, 0, "same_region"), "t") != 0) {
		fprintf(stderr, "msp-report frame: l'étude « %s » est d'une "
			"autre région ; rien n'a été enregistré\n", other);
		goto out;
	}
	if (cli_commit(conn) != 0)
		goto out;
	printf("structures : %s (ajoutées : %s, déjà là : %lld, "
	       "en double : 0)\n", db_text(res, 0, "listed"),
	       db_text(res, 0, "added"),
	       db_int(res, 0, "listed") - db_int(res, 0, "added"));
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static int
frame_import(PGconn *conn, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, 's' },
		{ "mapping", required_argument, NULL, 'm' },
		{ "from-study", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *study = NULL, *mapping = NULL, *from = NULL, *params[1];
	struct frame f = FRAME_INIT;
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	char study_id[16], region_id[8];
	int c, rc;

	optind = 0;	/* 0: GNU getopt starts afresh (main used "+") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:", longopts, NULL)) != -1) {
		switch (c) {
		case 's': study = optarg; break;
		case 'm': mapping = optarg; break;
		case 'f': from = optarg; break;
		default:
			return usage_error("option inconnue ou sans valeur",
					   argv[optind - 1]);
		}
	}
	if (study == NULL)
		return usage_error("--study est obligatoire", NULL);
	if ((from != NULL) == (optind < argc))
		return usage_error("il faut des listes CSV ou --from-study, "
				   "pas les deux", NULL);
	if (from == NULL && mapping == NULL)
		return usage_error("--mapping est obligatoire avec des "
				   "listes", NULL);
	if (from != NULL && strcmp(from, study) == 0)
		return usage_error("une étude ne copie pas sa propre "
				   "population", from);
	if (argc - optind > FRAME_MAX_FILES)
		return usage_error("trop de listes", NULL);
	/* every list read and checked before the database is touched */
	if (from == NULL &&
	    read_lists(mapping, argv + optind, argc - optind, &f) != 0) {
		frame_free(&f);
		return 1;
	}

	if ((rc = cli_begin(conn, "frame", &kind)) != 0)
		goto out;
	if ((rc = cli_require_manager(conn, "frame", kind)) != 0)
		goto out;
	params[0] = study;
	if (db_exec(conn, "frame: study",
		    "SELECT study_id, region_id FROM msp.study WHERE slug = $1",
		    1, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		rc = cli_db_refusal("frame", &err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		fprintf(stderr, "msp-report frame: aucune étude « %s » ; rien "
			"n'a été enregistré\n", study);
		rc = 1;
		goto out;
	}
	snprintf(study_id, sizeof(study_id), "%s",
		 db_text(res, 0, "study_id"));
	snprintf(region_id, sizeof(region_id), "%s",
		 db_text(res, 0, "region_id"));
	rc = from != NULL ? copy_frame(conn, study_id, from) :
	     store(conn, study_id, region_id, &f);
out:
	if (rc != 0)
		cli_rollback(conn);
	PQclear(res);
	frame_free(&f);
	return rc;
}

int
cmd_frame(const struct cli_context *ctx, int argc, char **argv)
{
	PGconn *conn;
	int rc;

	if ((rc = cli_action_help(argc, argv, usage_text)) >= 0)
		return rc;
	if (strcmp(argv[1], "import") != 0)
		return usage_error("action inconnue", argv[1]);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	rc = frame_import(conn, argc - 1, argv + 1);
	PQfinish(conn);
	return rc;
}
