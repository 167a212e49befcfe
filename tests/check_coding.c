/*
 * Qualitative coding (issue 22, migration 0039): the codebook and the
 * codings as msp-report writes them, the REFI-QDA files checked against
 * the published schemas (tests/data/refi-qda/) and against the database,
 * and the --has report counted against SQL counts of the codings.
 *
 * Everything is done through the command line, as an analyst would;
 * the oracles are the database's rows, the texts typed here, and the
 * REFI-QDA schemas.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <zip.h>

#include "buf.h"
#include "db.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "reportfix.h"
#include "testdb.h"

#define OCC "occitanie-2024"

static char dir[64];

/* A scratch directory of this case (the cases run in children). */
static void
make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_coding.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
setup(void)
{
	connect_case();
	make_dir();
}

static void
teardown(void)
{
	remove_dir();
	disconnect_case();
}

/* Runs msp-report ARGS (in dir, env ENV); returns its exit status and
 * leaves its output in out (reset first). */
static int
cli(const char *env, const char *args, struct buf *out)
{
	buf_reset(out);
	return testdb_cli(conn, dir, env, args, out);
}

static void
cli_ok(const char *args)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);

	ck_assert_msg(cli("", args, &out) == 0, "%s: %s", args,
		      buf_str(&out));
	buf_free(&out);
}

static const char *
value(const char *sql)
{
	return testdb_value(conn, sql);
}

static unsigned long
count(const char *sql)
{
	return strtoul(value(sql), NULL, 10);
}

/* value() of sql with one parameter. */
static char *
value1(const char *sql, const char *param)
{
	const char *params[1] = { param };
	struct msp_error err;
	PGresult *res = NULL;
	char *v;

	ck_assert_msg(db_exec(conn, "value1", sql, 1, params,
			      PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_int_eq(PQntuples(res), 1);
	v = strdup(PQgetisnull(res, 0, 0) ? "(null)" : PQgetvalue(res, 0, 0));
	PQclear(res);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* Whether path validates against the schema xsd (a source path). */
static void
assert_valid(const char *xsd, xmlDocPtr doc)
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr schema;

	pc = xmlSchemaNewParserCtxt(testdb_srcpath(xsd));
	ck_assert_ptr_nonnull(pc);
	schema = xmlSchemaParse(pc);
	ck_assert_msg(schema != NULL, "%s does not parse", xsd);
	vc = xmlSchemaNewValidCtxt(schema);
	ck_assert_ptr_nonnull(vc);
	ck_assert_msg(xmlSchemaValidateDoc(vc, doc) == 0,
		      "the document does not validate against %s", xsd);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
}

/* --- the codebook and its .qdc -------------------------------------------- */

#define MANQUE "Manque de temps"
#define MANQUE_DEF "Le temps médical manque : « pas le temps », dit l'équipe"
#define REPR "Représentant·e des usagers"
#define REPR_CA "Représentant·e au conseil d'administration"

/* Three codes, one under another, with accents and typographic marks. */
static void
add_codes(void)
{
	if (count("SELECT count(*) FROM msp.study_code"
		  " WHERE code = 'qd_manque'") > 0)
		return;
	cli_ok("codebook add --study " OCC " qd_manque --label '" MANQUE
	       "' --kind frein --has H-F1 --definition \"" MANQUE_DEF "\"");
	cli_ok("codebook add --study " OCC " qd_repr --label '" REPR
	       "' --kind levier --has H-L2,H-L5");
	cli_ok("codebook add --study " OCC " qd_repr_ca --label \"" REPR_CA
	       "\" --kind levier --has none --parent qd_repr");
}

/* Every code of study a has, in study b, a code of the same guid with
 * the same label, definition, kind, HAS categories (or none) and
 * parent (by guid): the rows that differ. */
#define CODES_DIFFER CODES_DIFFER_IN("pdl-2019")
/* The same between OCC and study b, in both directions. */
#define CODES_DIFFER_IN(b) \
	"WITH c AS (" \
	" SELECT s.slug, c.guid, c.label_fr, c.definition_fr, c.kind," \
	"        c.has_none, p.guid AS parent," \
	"        (SELECT array_agg(x.has_code ORDER BY x.has_code)" \
	"           FROM msp.crosswalk x WHERE x.study_id = c.study_id" \
	"            AND x.code = c.code) AS has" \
	"   FROM msp.study_code c JOIN msp.study s USING (study_id)" \
	"   LEFT JOIN msp.study_code p ON p.study_id = c.study_id" \
	"    AND p.code = c.parent) " \
	"SELECT count(*) FROM c a WHERE a.slug = '" OCC "'" \
	"   AND NOT EXISTS (SELECT 1 FROM c b WHERE b.slug = '" b "'" \
	"   AND (b.guid, b.label_fr, b.definition_fr, b.kind, b.has_none)" \
	"     = (a.guid, a.label_fr, a.definition_fr, a.kind, a.has_none)" \
	"   AND b.parent IS NOT DISTINCT FROM a.parent" \
	"   AND b.has IS NOT DISTINCT FROM a.has)"

static char *
slurp(const char *name, size_t *len)
{
	char path[128];
	struct msp_error err;
	char *data = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	(void)err;
	return data;
}

START_TEST(codebook_round_trip_keeps_every_field)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char *a, *b, *guid, *v;
	size_t alen, blen;
	xmlDocPtr doc;
	unsigned long occ;

	add_codes();
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.study_code c"
				" JOIN msp.study s USING (study_id)"
				" WHERE s.slug = 'pdl-2019'"), 0);
	cli_ok("codebook export --study " OCC " -o a.qdc");
	a = slurp("a.qdc", &alen);
	doc = xmlReadMemory(a, (int)alen, "a.qdc", NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	assert_valid("tests/data/refi-qda/Codebook.xsd", doc);
	xmlFreeDoc(doc);

	cli_ok("codebook import --study pdl-2019 a.qdc");
	occ = count("SELECT count(*) FROM msp.study_code c"
		    " JOIN msp.study s USING (study_id)"
		    " WHERE s.slug = '" OCC "'");
	ck_assert_uint_gt(occ, 3);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.study_code c"
				" JOIN msp.study s USING (study_id)"
				" WHERE s.slug = 'pdl-2019'"), occ);
	ck_assert_str_eq(value(CODES_DIFFER), "0");
	/* the French, exactly as typed here, in the other study */
	guid = value1("SELECT guid::text FROM msp.study_code"
		      " WHERE code = $1", "qd_repr_ca");
	v = value1("SELECT c.label_fr || '|' || c.definition_fr || '|'"
		   "       || c.kind || '|' || c.has_none || '|' || p.label_fr"
		   "  FROM msp.study_code c JOIN msp.study s USING (study_id)"
		   "  JOIN msp.study_code p ON p.study_id = c.study_id"
		   "   AND p.code = c.parent"
		   " WHERE s.slug = 'pdl-2019' AND c.guid = $1::uuid", guid);
	ck_assert_str_eq(v, REPR_CA "||levier|true|" REPR);
	free(v);
	free(guid);
	guid = value1("SELECT guid::text FROM msp.study_code"
		      " WHERE code = $1", "qd_manque");
	v = value1("SELECT c.label_fr || '|' || c.definition_fr || '|'"
		   "       || string_agg(x.has_code, ',')"
		   "  FROM msp.study_code c JOIN msp.study s USING (study_id)"
		   "  JOIN msp.crosswalk x ON x.study_id = c.study_id"
		   "   AND x.code = c.code"
		   " WHERE s.slug = 'pdl-2019' AND c.guid = $1::uuid"
		   " GROUP BY c.label_fr, c.definition_fr", guid);
	ck_assert_str_eq(v, MANQUE "|" MANQUE_DEF "|H-F1");
	free(v);
	free(guid);

	/* and the other study's export is the same file */
	cli_ok("codebook export --study pdl-2019 -o b.qdc");
	b = slurp("b.qdc", &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) == 0);
	free(a);
	free(b);
	/* the same guids again: refused whole, nothing added */
	ck_assert_int_eq(cli("", "codebook import --study pdl-2019 a.qdc",
			     &out), 1);
	buf_free(&out);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.study_code c"
				" JOIN msp.study s USING (study_id)"
				" WHERE s.slug = 'pdl-2019'"), occ);
}
END_TEST

/* Item 5: the codebook of a .qdpx, imported into a study that has
 * none, is the exported study's, field by field (label, definition,
 * kind, HAS categories or none, parent, guid), the French exactly as
 * typed; the study's .qdc exports are then the same bytes.  Keys have
 * no REFI-QDA field (docs/coding.md): they are not compared. */
#define FRESH "qdpx-fresh-2026"

START_TEST(qdpx_codebook_reimports_identically)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char args[512], *a, *b, *guid, *v;
	size_t alen, blen;
	unsigned long occ;
	zip_t *z;
	int zerr;
	FILE *f;

	add_codes();
	snprintf(args, sizeof(args), "study create " FRESH " --region "
		 "occitanie --instrument %s --year 2026 --title 'Étude "
		 "fraîche'", value("SELECT i.slug FROM msp.study s"
				   " JOIN msp.instrument i"
				   " USING (instrument_id)"
				   " WHERE s.slug = '" OCC "'"));
	cli_ok(args);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.study_code c"
				" JOIN msp.study s USING (study_id)"
				" WHERE s.slug = '" FRESH "'"), 0);
	cli_ok("qdpx export --study " OCC " -o occ.qdpx");
	cli_ok("codebook import --study " FRESH " occ.qdpx");
	occ = count("SELECT count(*) FROM msp.study_code c"
		    " JOIN msp.study s USING (study_id)"
		    " WHERE s.slug = '" OCC "'");
	ck_assert_uint_gt(occ, 3);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.study_code c"
				" JOIN msp.study s USING (study_id)"
				" WHERE s.slug = '" FRESH "'"), occ);
	ck_assert_str_eq(value(CODES_DIFFER_IN(FRESH)), "0");
	guid = value1("SELECT guid::text FROM msp.study_code"
		      " WHERE code = $1", "qd_repr_ca");
	v = value1("SELECT c.label_fr || '|' || c.definition_fr || '|'"
		   "       || c.kind || '|' || c.has_none || '|' || p.label_fr"
		   "  FROM msp.study_code c JOIN msp.study s USING (study_id)"
		   "  JOIN msp.study_code p ON p.study_id = c.study_id"
		   "   AND p.code = c.parent"
		   " WHERE s.slug = '" FRESH "' AND c.guid = $1::uuid", guid);
	ck_assert_str_eq(v, REPR_CA "||levier|true|" REPR);
	free(v);
	free(guid);
	guid = value1("SELECT guid::text FROM msp.study_code"
		      " WHERE code = $1", "qd_manque");
	v = value1("SELECT c.label_fr || '|' || c.definition_fr || '|'"
		   "       || c.kind || '|' || string_agg(x.has_code, ',')"
		   "  FROM msp.study_code c JOIN msp.study s USING (study_id)"
		   "  JOIN msp.crosswalk x ON x.study_id = c.study_id"
		   "   AND x.code = c.code"
		   " WHERE s.slug = '" FRESH "' AND c.guid = $1::uuid"
		   " GROUP BY c.label_fr, c.definition_fr, c.kind", guid);
	ck_assert_str_eq(v, MANQUE "|" MANQUE_DEF "|frein|H-F1");
	free(v);
	free(guid);
	cli_ok("codebook export --study " OCC " -o occ.qdc");
	cli_ok("codebook export --study " FRESH " -o fresh.qdc");
	a = slurp("occ.qdc", &alen);
	b = slurp("fresh.qdc", &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert(memcmp(a, b, alen) == 0);
	free(a);
	free(b);

	/* refused whole: the same project again (its guids are there), a
	 * file that is no zip, a zip without project.qde */
	ck_assert_int_eq(cli("", "codebook import --study " FRESH
			     " occ.qdpx", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "rien n'a été "
				     "enregistré"));
	snprintf(args, sizeof(args), "%s/plain.qdpx", dir);
	f = fopen(args, "w");
	ck_assert_ptr_nonnull(f);
	fputs("<CodeBook/>\n", f);
	fclose(f);
	ck_assert_int_eq(cli("", "codebook import --study " FRESH
			     " plain.qdpx", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "pas une archive"));
	snprintf(args, sizeof(args), "%s/empty.qdpx", dir);
	z = zip_open(args, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	ck_assert_ptr_nonnull(z);
	ck_assert_int_ge(zip_file_add(z, "Sources/x.txt",
				      zip_source_buffer(z, "x", 1, 0), 0), 0);
	ck_assert_int_eq(zip_close(z), 0);
	ck_assert_int_eq(cli("", "codebook import --study " FRESH
			     " empty.qdpx", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "pas de project.qde"));
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.study_code c"
				" JOIN msp.study s USING (study_id)"
				" WHERE s.slug = '" FRESH "'"), occ);
	buf_free(&out);
}
END_TEST

/* --- codings and the .qdpx ------------------------------------------------ */

/* The code points [start, end) of the UTF-8 text s, as a new string. */
static char *
chars(const char *s, long start, long end)
{
	const char *p = s, *from = NULL;
	long i = 0;

	for (;;) {
		if (i == start)
			from = p;
		if (i == end || *p == '\0')
			break;
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
		i++;
	}
	ck_assert_msg(from != NULL && i == end, "[%ld, %ld) outside", start,
		      end);
	return strndup(from, (size_t)(p - from));
}

/* Part name of the open archive z, as a new string. */
static char *
part(zip_t *z, const char *name)
{
	zip_stat_t st;
	zip_file_t *f;
	char *data;

	ck_assert_msg(zip_stat(z, name, 0, &st) == 0, "no %s", name);
	data = malloc(st.size + 1);
	ck_assert_ptr_nonnull(data);
	f = zip_fopen(z, name, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(zip_fread(f, data, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	data[st.size] = '\0';
	return data;
}

static char *
prop(xmlNodePtr n, const char *name)
{
	char *v = (char *)xmlGetProp(n, (const xmlChar *)name);

	ck_assert_msg(v != NULL, "%s without %s", n->name, name);
	return v;
}

static int
named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

#define TRANSCRIPT "Représentant·e des usagers : « on manque de temps », " \
	"dit l'infirmière ; le comité d'usagers aide."
/* the passage coded, by its characters: « on manque de temps » */
#define PASSAGE "« on manque de temps »"

/* What the database stores as the text coded by coding guid: the
 * answer's characters, or the segment's verbatim. */
#define CODED_TEXT \
	"SELECT coalesce((SELECT substr(a.text_value," \
	"        coalesce(k.start_pos, 0) + 1," \
	"        coalesce(k.end_pos, char_length(a.text_value))" \
	"        - coalesce(k.start_pos, 0))" \
	"   FROM msp.answer_code k JOIN msp.answer a" \
	"     ON a.response_id = k.response_id AND a.item_key = k.item_key" \
	"    AND a.text_value IS NOT NULL WHERE k.guid = $1::uuid)," \
	" (SELECT g.verbatim_fr FROM msp.segment g WHERE g.guid = $1::uuid))"

#define CODED_CODE \
	"SELECT c.guid::text FROM msp.study_code c" \
	" WHERE (c.study_id, c.code) IN (" \
	"  SELECT study_id, code FROM msp.answer_code WHERE guid = $1::uuid" \
	"  UNION SELECT study_id, code FROM msp.segment" \
	"   WHERE guid = $1::uuid)"

START_TEST(qdpx_selections_point_at_the_coded_text)
{
	char args[512], *ans, *accent, *xml, *v;
	unsigned long selections = 0, codings;
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	xmlNodePtr root, n, src, sel;
	xmlDocPtr doc;
	zip_t *z;
	FILE *f;
	int zerr;

	add_codes();
	/* a whole answer, and a passage after a non-ASCII character so
	 * that bytes and characters differ */
	ans = value1("SELECT min(a.answer_id)::text FROM msp.answer a"
		     " JOIN msp.response r USING (response_id)"
		     " JOIN msp.study s USING (study_id)"
		     " WHERE s.slug = $1 AND char_length(a.text_value) > 20",
		     OCC);
	accent = value1("SELECT min(a.answer_id)::text FROM msp.answer a"
			" JOIN msp.response r USING (response_id)"
			" JOIN msp.study s USING (study_id)"
			" WHERE s.slug = $1 AND char_length(a.text_value) > 30"
			"   AND position('é' IN a.text_value) BETWEEN 1 AND 15",
			OCC);
	ck_assert_str_ne(accent, "(null)");
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_manque --answer %s --resolved", ans);
	cli_ok(args);
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_repr --answer %s --from 16 --to 28", accent);
	cli_ok(args);
	/* a transcript and one passage of it */
	snprintf(args, sizeof(args), "%s/p1.txt", dir);
	f = fopen(args, "w");
	ck_assert_ptr_nonnull(f);
	fputs(TRANSCRIPT, f);
	fclose(f);
	cli_ok("code transcript --study " OCC " --participant 1 p1.txt");
	cli_ok("code apply --study " OCC " --participant 1 --code qd_manque"
	       " --from 29 --to 51 --resolved");
	ck_assert_str_eq(value("SELECT verbatim_fr FROM msp.segment"
			       " WHERE start_pos = 29 AND end_pos = 51"),
			 PASSAGE);
	cli_ok("code memo --study " OCC " --participant 1 'Mémo : très "
	       "parlant'");
	free(ans);
	free(accent);

	cli_ok("qdpx export --study " OCC " -o p.qdpx");
	snprintf(args, sizeof(args), "%s/p.qdpx", dir);
	z = zip_open(args, ZIP_RDONLY, &zerr);
	ck_assert_ptr_nonnull(z);
	xml = part(z, "project.qde");
	doc = xmlReadMemory(xml, (int)strlen(xml), "project.qde", NULL,
			    XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	assert_valid("tests/data/refi-qda/Project-mrt2019.xsd", doc);
	root = xmlDocGetRootElement(doc);
	for (n = root->children; n != NULL; n = n->next) {
		if (!named(n, "Sources"))
			continue;
		for (src = n->children; src != NULL; src = src->next) {
			char *path, *text, name[80];

			if (!named(src, "TextSource"))
				continue;
			path = prop(src, "plainTextPath");
			ck_assert(strncmp(path, "internal://", 11) == 0);
			snprintf(name, sizeof(name), "Sources/%s", path + 11);
			text = part(z, name);
			for (sel = src->children; sel != NULL;
			     sel = sel->next) {
				char *g, *s, *e, *piece, *want, *code;
				xmlNodePtr coding, ref;

				if (!named(sel, "PlainTextSelection"))
					continue;
				g = prop(sel, "guid");
				s = prop(sel, "startPosition");
				e = prop(sel, "endPosition");
				piece = chars(text, strtol(s, NULL, 10),
					      strtol(e, NULL, 10));
				want = value1(CODED_TEXT, g);
				ck_assert_str_eq(piece, want);
				/* its Coding names the code stored */
				for (coding = sel->children; coding != NULL &&
				     !named(coding, "Coding");
				     coding = coding->next)
					;
				ck_assert_ptr_nonnull(coding);
				for (ref = coding->children; ref != NULL &&
				     !named(ref, "CodeRef"); ref = ref->next)
					;
				ck_assert_ptr_nonnull(ref);
				code = prop(ref, "targetGUID");
				v = value1(CODED_CODE, g);
				ck_assert_str_eq(code, v);
				free(v);
				xmlFree(code);
				free(want);
				free(piece);
				xmlFree(g);
				xmlFree(s);
				xmlFree(e);
				selections++;
			}
			free(text);
			xmlFree(path);
		}
	}
	codings = count("SELECT (SELECT count(*) FROM msp.answer_code k"
			"  JOIN msp.study s USING (study_id)"
			" WHERE s.slug = '" OCC "')"
			" + (SELECT count(*) FROM msp.segment g"
			"  JOIN msp.study s USING (study_id)"
			" WHERE s.slug = '" OCC "'"
			"   AND g.start_pos IS NOT NULL)");
	ck_assert_uint_ge(codings, 3);
	ck_assert_uint_eq(selections, codings);
	ck_assert_ptr_nonnull(strstr(xml, "Mémo : très parlant"));
	xmlFreeDoc(doc);
	free(xml);
	zip_discard(z);
	buf_free(&out);
}
END_TEST

/* --- --has from the resolved codings -------------------------------------- */

static size_t
col(const struct rtable *t, const char *key)
{
	size_t j;

	for (j = 0; j < t->ncols; j++)
		if (strcmp(t->cols[j].key, key) == 0)
			return j;
	ck_abort_msg("table %s: no column %s", t->key, key);
	return 0;
}

static const struct rrow *
row(const struct rtable *t, const char *cat)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].cat_key != NULL &&
		    strcmp(t->rows[i].cat_key, cat) == 0)
			return &t->rows[i];
	ck_abort_msg("table %s: no row %s", t->key, cat);
	return NULL;
}

/* Teams whose open answer carries a resolved coding under HAS H-F1,
 * counted by SQL (complete, non-test responses); with own codings too
 * when all. */
static unsigned long
teams_h_f1(int all)
{
	return count(all ?
		"SELECT count(DISTINCT k.response_id) FROM msp.answer_code k"
		"  JOIN msp.crosswalk x USING (study_id, code)"
		"  JOIN msp.response r USING (response_id)"
		"  JOIN msp.study s ON s.study_id = k.study_id"
		" WHERE s.slug = '" OCC "' AND x.has_code = 'H-F1'"
		"   AND r.status = 'complete' AND NOT r.test" :
		"SELECT count(DISTINCT k.response_id) FROM msp.answer_code k"
		"  JOIN msp.crosswalk x USING (study_id, code)"
		"  JOIN msp.response r USING (response_id)"
		"  JOIN msp.study s ON s.study_id = k.study_id"
		" WHERE s.slug = '" OCC "' AND x.has_code = 'H-F1'"
		"   AND k.state = 'resolved'"
		"   AND r.status = 'complete' AND NOT r.test");
}

START_TEST(has_counts_the_resolved_codings)
{
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	const struct rtable *t;
	const struct rrow *r;
	PGresult *ids = NULL;
	char args[256];
	unsigned long sum = 0;
	size_t j;
	int i;

	add_codes();
	/* five teams' answers coded resolved, a sixth only as a coder's
	 * own (not counted until resolved) */
	ck_assert(db_exec(conn, "answers",
			  "SELECT min(a.answer_id) AS id FROM msp.answer a"
			  "  JOIN msp.response r USING (response_id)"
			  "  JOIN msp.study s USING (study_id)"
			  " WHERE s.slug = '" OCC "' AND a.text_value IS NOT"
			  " NULL AND r.status = 'complete' AND NOT r.test"
			  "   AND NOT EXISTS (SELECT 1 FROM msp.answer_code k"
			  "        WHERE k.response_id = r.response_id)"
			  " GROUP BY r.response_id ORDER BY 1 LIMIT 6", 0,
			  NULL, PGRES_TUPLES_OK, &ids, &err) == MSP_OK);
	ck_assert_int_eq(PQntuples(ids), 6);
	for (i = 0; i < 6; i++) {
		snprintf(args, sizeof(args), "code apply --study " OCC
			 " --code qd_manque --answer %s%s",
			 PQgetvalue(ids, i, 0), i < 5 ? " --resolved" : "");
		cli_ok(args);
	}
	PQclear(ids);
	ck_assert_uint_ge(teams_h_f1(0), 5);
	ck_assert_uint_gt(teams_h_f1(1), teams_h_f1(0));

	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_region");
	ck_assert_ptr_nonnull(t);
	r = row(t, "H-F1");
	ck_assert_uint_eq(r->cells[col(t, "occitanie:questionnaire")].n,
			  teams_h_f1(0));
	ck_assert_uint_eq(r->cells[col(t, "occitanie:questionnaire")].total,
			  count("SELECT count(DISTINCT k.response_id)"
				"  FROM msp.answer_code k"
				"  JOIN msp.study s USING (study_id)"
				" WHERE s.slug = '" OCC "'"
				"   AND k.state = 'resolved'"));
	/* by stage: each person has one stage, so the H-F1 row adds up
	 * to the interview participants and teams of the region table */
	t = rdoc_find_table(doc, "has_stage");
	ck_assert_ptr_nonnull(t);
	r = row(t, "H-F1");
	for (j = 0; j < t->ncols; j++)
		sum += r->cells[j].n;
	ck_assert_uint_eq(sum, teams_h_f1(0) +
			  row(rdoc_find_table(doc, "has_region"), "H-F1")->
			  cells[col(rdoc_find_table(doc, "has_region"),
				    "occitanie:interviews")].n);
	rdoc_free(doc);
}
END_TEST

/* The token msp-report token create printed: its last line (the
 * line before went to stderr, which testdb_cli merges). */
static void
token_env(const struct buf *out, char *env, size_t size)
{
	const char *s = buf_str(out), *last = s, *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\0')
			last = p + 1;
	snprintf(env, size, "MSP_TOKEN='%.*s'", (int)strcspn(last, "\n"),
		 last);
}

/* The text of cell column of the row of code in table t. */
static const char *
text_of(const struct rtable *t, const char *code, const char *column)
{
	const struct rcell *c = &row(t, code)->cells[col(t, column)];

	ck_assert_ptr_nonnull(c->text);
	return c->text;
}

START_TEST(verbatim_extract_quotes_participants)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	const struct rtable *t;
	const char *v;

	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_verbatim");
	ck_assert_ptr_nonnull(t);
	/* the participants as DOMAIN.md (the Occitanie report) lists
	 * them: time, fear of negative feedback, training */
	ck_assert_str_eq(text_of(t, "f_temps_priorite", "participants"),
			 "P5, P8, P10, P13");
	ck_assert_str_eq(text_of(t, "f_crainte_avis_negatifs",
				 "participants"), "P1, P11");
	ck_assert_str_eq(text_of(t, "l_formation", "participants"),
			 "P1, P2, P3, P10, P12");
	/* the extract: P5's (the first of them) verbatim, as stored */
	v = text_of(t, "f_temps_priorite", "verbatim");
	ck_assert_str_eq(v, value("SELECT '« ' || g.verbatim_fr || ' » (P5)'"
				  "  FROM msp.segment g JOIN msp.interview i"
				  "    USING (interview_id)"
				  " WHERE g.code = 'f_temps_priorite'"
				  "   AND i.participant_no = 5"
				  " ORDER BY g.segment_id LIMIT 1"));
	rdoc_free(doc);
	doc = NULL;

	/* a federation's report has no quotes (a protection run's token:
	 * a federation's own reads published releases only, and this
	 * study is open) */
	testdb_run_token(conn, OCC, "fed-coding");
	o.token = "fed-coding";
	o.live = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_ptr_nonnull(rdoc_find_table(doc, "has_region"));
	ck_assert_ptr_null(rdoc_find_table(doc, "has_verbatim"));
	rdoc_free(doc);
	buf_free(&out);
}
END_TEST

/* --- refusals, merge, audit, rights --------------------------------------- */

START_TEST(bad_input_stores_nothing)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char codes[32], codings[32], path[128];
	FILE *f;

	add_codes();
	snprintf(codes, sizeof(codes), "%s",
		 value("SELECT count(*) FROM msp.study_code"));
	snprintf(codings, sizeof(codings), "%s",
		 value("SELECT count(*) FROM msp.answer_code"));
	ck_assert_int_eq(cli("", "codebook add --study " OCC " qd_x --label X"
			     " --kind mystere --has none", &out), 2);
	ck_assert_int_eq(cli("", "codebook add --study " OCC " qd_x --label X"
			     " --kind frein --has H-L1", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "rien n'a été"));
	ck_assert_int_eq(cli("", "codebook add --study " OCC " qd_x --label X"
			     " --kind frein --has none --parent absent", &out),
			 1);
	ck_assert_int_eq(cli("", "codebook edit --study " OCC " qd_repr"
			     " --parent qd_repr_ca", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "sous-codes"));
	ck_assert_int_eq(cli("", "code apply --study " OCC " --code qd_repr"
			     " --answer 1 --from 0 --to 100000", &out), 1);
	ck_assert_int_eq(cli("", "code apply --study " OCC " --code absent"
			     " --answer 1", &out), 1);
	/* a .qdc with a DTD (entities), and one that is not XML */
	snprintf(path, sizeof(path), "%s/dtd.qdc", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("<?xml version=\"1.0\"?><!DOCTYPE CodeBook [<!ENTITY a \"aa\">]>"
	      "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code"
	      " guid=\"00000000-0000-0000-0000-000000000001\" name=\"&a;\""
	      " isCodable=\"true\"/></Codes></CodeBook>", f);
	fclose(f);
	ck_assert_int_eq(cli("", "codebook import --study " OCC " dtd.qdc",
			     &out), 1);
	snprintf(path, sizeof(path), "%s/bad.qdc", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>", f);
	fclose(f);
	ck_assert_int_eq(cli("", "codebook import --study " OCC " bad.qdc",
			     &out), 1);
	ck_assert_str_eq(value("SELECT count(*) FROM msp.study_code"), codes);
	ck_assert_str_eq(value("SELECT count(*) FROM msp.answer_code"),
			 codings);
	buf_free(&out);
}
END_TEST

START_TEST(merge_moves_codings_and_is_audited)
{
	char args[256], *ans;

	add_codes();
	cli_ok("codebook add --study " OCC " qd_m_from --label 'Fusion A'"
	       " --kind frein --has H-F2");
	cli_ok("codebook add --study " OCC " qd_m_into --label 'Fusion B'"
	       " --kind frein --has H-F1");
	cli_ok("codebook add --study " OCC " qd_m_child --label 'Fusion A1'"
	       " --kind frein --has none --parent qd_m_from");
	ans = value1("SELECT max(a.answer_id)::text FROM msp.answer a"
		     " JOIN msp.response r USING (response_id)"
		     " JOIN msp.study s USING (study_id)"
		     " WHERE s.slug = $1 AND a.text_value IS NOT NULL", OCC);
	/* the same answer under both: one coding after the merge */
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_m_from --answer %s --resolved", ans);
	cli_ok(args);
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_m_into --answer %s --resolved", ans);
	cli_ok(args);
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_m_from --answer %s --from 0 --to 3", ans);
	cli_ok(args);
	cli_ok("code memo --study " OCC " --code qd_m_from 'à garder'");
	cli_ok("codebook merge --study " OCC " qd_m_from qd_m_into");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.study_code"
			       " WHERE code = 'qd_m_from'"), "0");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.answer_code"
			       " WHERE code = 'qd_m_from'"), "0");
	snprintf(args, sizeof(args), "SELECT count(*) || '/' ||"
		 " count(start_pos) FROM msp.answer_code k JOIN msp.answer a"
		 " USING (response_id, item_key) WHERE k.code = 'qd_m_into'"
		 " AND a.answer_id = %s", ans);
	ck_assert_str_eq(value(args), "2/1");
	ck_assert_str_eq(value("SELECT parent FROM msp.study_code"
			       " WHERE code = 'qd_m_child'"), "qd_m_into");
	ck_assert_str_eq(value("SELECT code FROM msp.memo"
			       " WHERE body = 'à garder'"), "qd_m_into");
	/* audited: the code deleted, the coding moved, the one dropped */
	ck_assert_str_eq(value("SELECT count(*) FROM msp_audit.log"
			       " WHERE table_name = 'study_code'"
			       "   AND operation = 'DELETE'"
			       "   AND old_row ->> 'code' = 'qd_m_from'"), "1");
	ck_assert_str_eq(value("SELECT count(*) FROM msp_audit.log"
			       " WHERE table_name = 'answer_code'"
			       "   AND operation = 'UPDATE'"
			       "   AND old_row ->> 'code' = 'qd_m_from'"
			       "   AND new_row ->> 'code' = 'qd_m_into'"), "1");
	ck_assert_str_eq(value("SELECT count(*) FROM msp_audit.log"
			       " WHERE table_name = 'answer_code'"
			       "   AND operation = 'DELETE'"
			       "   AND old_row ->> 'code' = 'qd_m_from'"), "1");
	free(ans);
}
END_TEST

/* Merging a code into one of its grandchildren: the grandchild takes
 * its place and nothing loops (every code still reachable from the
 * top, as codebook list and the exports walk the tree). */
START_TEST(merge_into_a_grandchild_makes_no_loop)
{
	cli_ok("codebook add --study " OCC " qd_g_top --label 'Grand-parent'"
	       " --kind levier --has none");
	cli_ok("codebook add --study " OCC " qd_g_mid --label 'Parent'"
	       " --kind levier --has none --parent qd_g_top");
	cli_ok("codebook add --study " OCC " qd_g_low --label 'Enfant'"
	       " --kind levier --has none --parent qd_g_mid");
	cli_ok("codebook merge --study " OCC " qd_g_top qd_g_low");
	ck_assert_str_eq(value("SELECT coalesce(parent, '-') FROM"
			       " msp.study_code WHERE code = 'qd_g_low'"),
			 "-");
	ck_assert_str_eq(value("SELECT parent FROM msp.study_code"
			       " WHERE code = 'qd_g_mid'"), "qd_g_low");
	/* every code of the study reachable from a top-level code */
	ck_assert_str_eq(value(
		"WITH RECURSIVE s AS (SELECT study_id FROM msp.study"
		"  WHERE slug = '" OCC "'),"
		" t AS (SELECT c.study_id, c.code FROM msp.study_code c"
		"  JOIN s USING (study_id) WHERE c.parent IS NULL"
		" UNION SELECT c.study_id, c.code FROM msp.study_code c"
		"  JOIN t ON c.study_id = t.study_id AND c.parent = t.code)"
		" SELECT (SELECT count(*) FROM msp.study_code c JOIN s"
		"  USING (study_id)) - (SELECT count(*) FROM t)"), "0");
}
END_TEST

/* ACTION --help answers without a database (the URL is bad), and an
 * item with no open answer says so in French instead of a bare header. */
START_TEST(help_and_empty_listing)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	static const char *const helps[] = {
		"code answers --help", "codebook add --help",
		"qdpx export --help",
	};
	size_t i;

	for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		ck_assert_int_eq(cli("MSP_DATABASE_URL='postgresql:///nowhere"
				     "?host=/nonexistent'", helps[i], &out),
				 0);
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "Usage:"));
	}
	ck_assert_int_eq(cli("", "code answers --study " OCC
			     " --item no_such_item", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
				     "aucune réponse ouverte à la question "
				     "« no_such_item »"));
	buf_free(&out);
}
END_TEST

START_TEST(analysts_only_and_coder_from_token)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char env[160], args[256], *ans, *id;

	add_codes();
	/* tables: no grant to teams or federations */
	ck_assert_str_eq(value("SELECT bool_or(has_table_privilege(r,"
			       " t, 'SELECT'))"
			       "  FROM unnest(ARRAY['msp_team',"
			       "   'msp_federation']) r,"
			       "  unnest(ARRAY['msp.memo',"
			       "   'msp.interview_transcript']) t"), "f");
	/* an analyst token: the coder is its identity */
	ck_assert_int_eq(cli("", "token create --kind analyst --label qd",
			     &out), 0);
	token_env(&out, env, sizeof(env));
	ans = value1("SELECT min(a.answer_id)::text FROM msp.answer a"
		     " JOIN msp.response r USING (response_id)"
		     " JOIN msp.study s USING (study_id)"
		     " WHERE s.slug = $1 AND a.text_value IS NOT NULL", OCC);
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_repr_ca --answer %s", ans);
	ck_assert_msg(cli(env, args, &out) == 0, "%s", buf_str(&out));
	id = value1("SELECT 'analyst:' || token_id FROM msp.access_token"
		    " WHERE label = $1", "qd");
	ck_assert_str_eq(value("SELECT coder FROM msp.answer_code"
			       " WHERE code = 'qd_repr_ca'"), id);
	/* a team token is refused, and stores nothing */
	snprintf(args, sizeof(args), "token create --kind team --structure"
		 " %s --label qdt",
		 value("SELECT min(structure_id) FROM msp.structure"));
	ck_assert_int_eq(cli("", args, &out), 0);
	token_env(&out, env, sizeof(env));
	snprintf(args, sizeof(args), "code apply --study " OCC
		 " --code qd_repr --answer %s --resolved", ans);
	ck_assert_int_eq(cli(env, args, &out), 1);
	ck_assert_int_eq(cli(env, "codebook list --study " OCC, &out), 1);
	ck_assert_str_eq(value("SELECT count(*) FROM msp.answer_code"
			       " WHERE code = 'qd_repr' AND state ="
			       " 'resolved' AND coder LIKE 'team%'"), "0");
	free(id);
	free(ans);
	buf_free(&out);
}
END_TEST

/* --- agreement from the stored codings ------------------------------------ */

/* Field i (0-based) of the CSV line of out that starts with prefix, in
 * f; the fields are keys and numbers (no quotes). */
static void
csv_field(const struct buf *out, const char *prefix, int i, char *f,
	  size_t size)
{
	const char *l = strstr(buf_str(out), prefix), *e;

	ck_assert_msg(l != NULL, "no line %s in %s", prefix, buf_str(out));
	for (; i > 0; i--) {
		l = strchr(l, ',');
		ck_assert_ptr_nonnull(l);
		l++;
	}
	e = l + strcspn(l, ",\r\n");
	ck_assert_uint_lt((size_t)(e - l), size);
	memcpy(f, l, (size_t)(e - l));
	f[e - l] = '\0';
}

/* The number in field i of the line prefix, to 1e-12 of want. */
static void
assert_figure(const struct buf *out, const char *prefix, int i,
	      double want)
{
	char f[64];

	csv_field(out, prefix, i, f, sizeof(f));
	ck_assert_msg(f[0] != '\0', "%s field %d empty", prefix, i);
	ck_assert_double_eq_tol(strtod(f, NULL), want, 1e-12);
}

/* The coder of env applies code to answer, whole or its first
 * character (part). */
static void
apply_as(const char *env, const char *code, const char *answer, int part)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char args[256];

	snprintf(args, sizeof(args), "code apply --study " OCC " --code %s"
		 " --answer %s%s", code, answer, part ? " --from 0 --to 1" :
		 "");
	ck_assert_msg(cli(env, args, &out) == 0, "%s: %s", args,
		      buf_str(&out));
	buf_free(&out);
}

/*
 * Two coders (two analyst tokens) code six answers of one item with two
 * codes; msp-report agreement --study gives, from the stored own
 * codings, the figures computed by hand for this case, and the same as
 * agreement --input on a CSV written here from SQL.  The hand case
 * (u1..u6 the answers, X and Y the codes):
 *   coder 1: u1 {X}, u2 {X}, u3 {Y}, u4 {X, Y}, u5 {Y}, u6 {X}
 *   coder 2: u1 {X}, u2 {Y}, u3 {Y}, u4 {X, Y}, u5 {X, Y}
 * u6 is coded by coder 1 only: left out, 5 units pairable.
 *   X: 1 1 0 1 0 / 1 0 0 1 1: p_o = 3/5, p_e = .6·.6 + .4·.4 = .52,
 *      κ = .08/.48 = 1/6; α: n = 10, n_1 = 6, Σ o_ck = 2 + 2 (u2, u5),
 *      α = 1 − 9·4 / (2·4·6) = 1/4.
 *   Y: 0 0 1 1 1 / 0 1 1 1 1: p_o = 4/5, p_e = .6·.8 + .4·.2 = .56,
 *      κ = .24/.44 = 6/11; α: n_1 = 7, Σ o_ck = 2 (u2),
 *      α = 1 − 9·2 / (2·3·7) = 4/7.
 *   overall κ = 1 − (.4 + .2) / (.48 + .44) = 8/23,
 *   overall α = 1 − 9·(4 + 2) / (48 + 42) = 2/5; 3 disagreements.
 */
START_TEST(agreement_from_the_stored_codings)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT), in = BUF_INIT(BUF_MAX_TEXT);
	char env[2][160], fed[160], args[512], path[128], want[64];
	const char *params[1];
	char *item, *csv, *u[6];
	struct msp_error err;
	PGresult *res = NULL;
	FILE *f;
	int i, lines;

	cli_ok("codebook add --study " OCC " qd_ag_x --label 'Accord X'"
	       " --kind frein --has none");
	cli_ok("codebook add --study " OCC " qd_ag_y --label 'Accord Y'"
	       " --kind levier --has none");
	for (i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "token create --kind analyst"
			 " --label qd_ag%d", i);
		ck_assert_int_eq(cli("", args, &out), 0);
		token_env(&out, env[i], sizeof(env[i]));
	}
	/* an item with six answers nobody has coded as their own yet:
	 * the hand case is then the whole of it */
	item = value1("SELECT a.item_key FROM msp.answer a"
		      "  JOIN msp.response r USING (response_id)"
		      "  JOIN msp.study s USING (study_id)"
		      " WHERE s.slug = $1 AND char_length(a.text_value) > 1"
		      "   AND NOT r.test AND NOT EXISTS (SELECT 1"
		      "       FROM msp.answer_code k WHERE k.state = 'own'"
		      "        AND k.item_key = a.item_key)"
		      " GROUP BY a.item_key HAVING count(*) >= 6"
		      " ORDER BY count(*) DESC, a.item_key LIMIT 1", OCC);
	ck_assert_str_ne(item, "(null)");
	params[0] = item;
	ck_assert_msg(db_exec(conn, "six answers",
			      "SELECT a.answer_id FROM msp.answer a"
			      "  JOIN msp.response r USING (response_id)"
			      "  JOIN msp.study s USING (study_id)"
			      " WHERE s.slug = '" OCC "' AND a.item_key = $1"
			      "   AND char_length(a.text_value) > 1"
			      "   AND NOT r.test"
			      " ORDER BY a.answer_id LIMIT 6", 1, params,
			      PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_int_eq(PQntuples(res), 6);
	for (i = 0; i < 6; i++)
		u[i] = PQgetvalue(res, i, 0);
	/* coder 1; u5's Y on a passage (the answer is the unit) */
	apply_as(env[0], "qd_ag_x", u[0], 0);
	apply_as(env[0], "qd_ag_x", u[1], 0);
	apply_as(env[0], "qd_ag_y", u[2], 0);
	apply_as(env[0], "qd_ag_x", u[3], 0);
	apply_as(env[0], "qd_ag_y", u[3], 0);
	apply_as(env[0], "qd_ag_y", u[4], 1);
	apply_as(env[0], "qd_ag_x", u[5], 0);
	/* coder 2; Y on u5 twice (whole and a passage) counts once */
	apply_as(env[1], "qd_ag_x", u[0], 0);
	apply_as(env[1], "qd_ag_y", u[1], 0);
	apply_as(env[1], "qd_ag_y", u[2], 0);
	apply_as(env[1], "qd_ag_x", u[3], 0);
	apply_as(env[1], "qd_ag_y", u[3], 0);
	apply_as(env[1], "qd_ag_x", u[4], 0);
	apply_as(env[1], "qd_ag_y", u[4], 0);
	apply_as(env[1], "qd_ag_y", u[4], 1);
	/* a resolved coding is not a coder's own: not counted */
	snprintf(args, sizeof(args), "code apply --study " OCC " --code "
		 "qd_ag_y --answer %s --resolved", u[0]);
	ck_assert_int_eq(cli(env[0], args, &out), 0);

	snprintf(args, sizeof(args), "agreement --study " OCC " --item %s"
		 " --format csv", item);
	ck_assert_msg(cli(env[0], args, &out) == 0, "%s", buf_str(&out));
	/* scope,code,unit_kind,coders,applied,kappa_units,p_o,p_e,kappa,
	 * kappa_undefined,alpha_units,alpha_values,d_o,d_e,alpha */
	assert_figure(&out, "code,qd_ag_x,answer,2,", 8, 1.0 / 6);
	assert_figure(&out, "code,qd_ag_x,answer,2,", 14, 1.0 / 4);
	assert_figure(&out, "code,qd_ag_y,answer,2,", 6, 4.0 / 5);
	assert_figure(&out, "code,qd_ag_y,answer,2,", 8, 6.0 / 11);
	assert_figure(&out, "code,qd_ag_y,answer,2,", 14, 4.0 / 7);
	assert_figure(&out, "overall,,answer,2,", 8, 8.0 / 23);
	assert_figure(&out, "overall,,answer,2,", 14, 2.0 / 5);
	csv_field(&out, "overall,,answer,2,", 5, want, sizeof(want));
	ck_assert_str_eq(want, "5");
	csv_field(&out, "overall,,answer,2,", 11, want, sizeof(want));
	ck_assert_str_eq(want, "10");

	/* the same codings, written from SQL, through --input */
	snprintf(path, sizeof(path), "%s/own.csv", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	csv = value1("SELECT 'unit,coder,code,applied' || E'\\n' ||"
		     "       string_agg(x, E'\\n' ORDER BY coder, id, code)"
		     "  FROM (SELECT DISTINCT a.answer_id AS id, k.coder,"
		     "        k.code, a.answer_id || ',' || k.coder || ',' ||"
		     "        k.code || ',1' AS x"
		     "   FROM msp.answer_code k JOIN msp.answer a"
		     "  USING (response_id, item_key)"
		     "  WHERE k.state = 'own' AND k.item_key = $1) d", item);
	fputs(csv, f);
	fputc('\n', f);
	free(csv);
	fclose(f);
	ck_assert_int_eq(cli("", "agreement --input own.csv --format csv",
			     &in), 0);
	ck_assert_str_eq(buf_str(&out), buf_str(&in));
	ck_assert_int_eq(cli("", "agreement --input own.csv --format csv"
			     " --disagreements", &in), 0);
	snprintf(args, sizeof(args), "agreement --study " OCC " --item %s"
		 " --format csv --disagreements", item);
	ck_assert_int_eq(cli(env[1], args, &out), 0);
	ck_assert_str_eq(buf_str(&out), buf_str(&in));
	/* 3 disagreements (X: u2, u5; Y: u2), two coders each, and the
	 * header */
	for (i = 0, lines = 0; buf_str(&out)[i] != '\0'; i++)
		lines += buf_str(&out)[i] == '\n';
	ck_assert_int_eq(lines, 7);

	/* the text says the unit, the single-coder answer, and the own
	 * passages of interviews left out, as many as stored */
	if (count("SELECT count(*) FROM msp.interview_transcript t"
		  "  JOIN msp.interview i USING (interview_id)"
		  "  JOIN msp.study s USING (study_id)"
		  " WHERE s.slug = '" OCC "' AND i.participant_no = 1") == 0) {
		snprintf(path, sizeof(path), "%s/p1.txt", dir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(TRANSCRIPT, f);
		fclose(f);
		cli_ok("code transcript --study " OCC " --participant 1"
		       " p1.txt");
	}
	ck_assert_int_eq(cli(env[0], "code apply --study " OCC " --code"
			     " qd_ag_x --participant 1 --from 0 --to 5",
			     &out), 0);
	ck_assert_int_eq(cli(env[0], "agreement --study " OCC, &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "la réponse (answer)"));
	snprintf(args, sizeof(args), "segments          %s codages",
		 value("SELECT count(*) FROM msp.segment g"
		       "  JOIN msp.interview i USING (interview_id)"
		       "  JOIN msp.study s ON s.study_id = i.study_id"
		       " WHERE s.slug = '" OCC "' AND g.state = 'own'"));
	ck_assert_msg(strstr(buf_str(&out), args) != NULL, "%s", args);
	snprintf(args, sizeof(args), "agreement --study " OCC " --item %s",
		 item);
	ck_assert_int_eq(cli(env[1], args, &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "6, dont 5 codées par "
				     "au moins deux codeurs,\n"
				     "                  1 par un seul"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "désaccords        3"));

	/* a federation, a team: refused, in French; an unknown study */
	ck_assert_int_eq(cli("", "token create --kind federation --region"
			     " occitanie --label qd_agf", &out), 0);
	token_env(&out, fed, sizeof(fed));
	ck_assert_int_eq(cli(fed, args, &out), 1);
	ck_assert_msg(strstr(buf_str(&out), "refusé : un jeton « federation")
		      != NULL, "%s", buf_str(&out));
	ck_assert_int_eq(cli(env[0], "agreement --study nulle-part", &out),
			 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "inconnue"));
	ck_assert_int_eq(cli("", "agreement --study " OCC " --input x.csv",
			     &out), 2);
	PQclear(res);
	free(item);
	buf_free(&in);
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("coding");
	TCase *tc = tcase_create("coding");

	tcase_add_unchecked_fixture(tc, load_shared, drop_shared);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, codebook_round_trip_keeps_every_field);
	tcase_add_test(tc, qdpx_selections_point_at_the_coded_text);
	tcase_add_test(tc, qdpx_codebook_reimports_identically);
	tcase_add_test(tc, has_counts_the_resolved_codings);
	tcase_add_test(tc, verbatim_extract_quotes_participants);
	tcase_add_test(tc, bad_input_stores_nothing);
	tcase_add_test(tc, merge_moves_codings_and_is_audited);
	tcase_add_test(tc, merge_into_a_grandchild_makes_no_loop);
	tcase_add_test(tc, help_and_empty_listing);
	tcase_add_test(tc, analysts_only_and_coder_from_token);
	tcase_add_test(tc, agreement_from_the_stored_codings);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
