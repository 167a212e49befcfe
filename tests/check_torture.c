/*
 * Out of memory, everywhere: each parser and renderer runs with its
 * first allocation failing, then its second, and so on until a run
 * needs fewer allocations than the one that fails (curl's "torture"
 * tests, SQLite's out-of-memory loops).  Every run must end in an
 * MSP_ENOMEM with a message, or, when the code recovered from the
 * failure, in exactly the output of the run where nothing failed: never
 * a crash, a leak (ASan's leak checker runs at each case's exit), or a
 * partial output claimed as a success.
 *
 * Allocations fail through the library's seam (alloc.h): buf and the
 * modules that include alloc.h.  json-c's, libpq's and OpenSSL's own
 * allocations are out of its reach and never fail here.
 *
 * The inputs are the fuzz harnesses' (fuzz/fuzz_common.c): a
 * questionnaire with every kind of item, a Microsoft Forms-like export
 * with valid and invalid rows and its mapping file; the report document
 * is tests/reportfix.c's, with hostile labels.  The XLSForm reader
 * reads the Occitanie workbook of the fuzz seeds and the folder of
 * mistakes of tests/check_xlsform; the frame reader two lists of
 * tests/check_frame with a bad row and a repeat.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "codebook.h"
#include "csvmap.h"
#include "file.h"
#include "frame.h"
#include "fuzz.h"
#include "html.h"
#include "instrument.h"
#include "jsonin.h"
#include "report/block.h"
#include "report/format.h"
#include "report/rdoc_json.h"
#include "report/release.h"
#include "reportfix.h"
#include "secret.h"
#include "submission.h"
#include "testdb.h"
#include "urlenc.h"
#include "xlsform.h"

/* --- the failing allocator -------------------------------------------- */

static unsigned long allocations;	/* in this run, so far */
static unsigned long fail_at;		/* this one fails; 0: none */

static void *
torture_malloc(size_t n, void *arg)
{
	(void)arg;
	if (++allocations == fail_at)
		return NULL;
	return malloc(n);
}

static void *
torture_realloc(void *p, size_t n, void *arg)
{
	(void)arg;
	if (++allocations == fail_at)
		return NULL;
	return realloc(p, n);
}

static void
torture_free(void *p, void *arg)
{
	(void)arg;
	free(p);
}

static const struct msp_allocator torture_allocator = {
	torture_malloc, torture_realloc, torture_free, NULL,
};

/* A parser or renderer run on fixed input: it writes what it made into
 * out (for people to compare, not a format) and returns its status. */
typedef enum msp_status scenario(struct buf *out, struct msp_error *err);

/* Runs run with allocation n failing (0: none); the number of
 * allocations it made in *made. */
static enum msp_status
run_failing(scenario *run, unsigned long n, struct buf *out,
	    unsigned long *made, struct msp_error *err)
{
	enum msp_status st;

	allocations = 0;
	fail_at = n;
	msp_alloc_set(&torture_allocator);
	st = run(out, err);
	msp_alloc_set(NULL);
	*made = allocations;
	return st;
}

static void
torture(const char *name, scenario *run)
{
	struct buf want = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	unsigned long n, total, made;
	enum msp_status st;

	st = run_failing(run, 0, &want, &total, &err);
	ck_assert_msg(st == MSP_OK, "%s: %s", name, err.message);
	ck_assert_int_eq(buf_status(&want, NULL), MSP_OK);
	/* the seam is on this path: otherwise the loop tests nothing */
	ck_assert_msg(total > 0, "%s: no allocation through the seam",
		      name);
	for (n = 1;; n++) {
		struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);

		err.message[0] = '\0';
		st = run_failing(run, n, &out, &made, &err);
		if (made < n) {		/* nothing failed: done */
			ck_assert_msg(n == total + 1, "%s: %lu allocations, "
				      "then %lu", name, total, made);
			ck_assert_int_eq(st, MSP_OK);
		}
		if (st == MSP_OK) {
			ck_assert_msg(buf_status(&out, NULL) == MSP_OK &&
				      strcmp(buf_str(&out), buf_str(&want))
				      == 0, "%s: allocation %lu failed, yet "
				      "a different output is a success",
				      name, n);
		} else {
			ck_assert_msg(st == MSP_ENOMEM, "%s: allocation %lu "
				      "failed, reported as status %d: %s",
				      name, n, st, err.message);
			ck_assert_msg(err.message[0] != '\0',
				      "%s: allocation %lu: no message",
				      name, n);
		}
		buf_free(&out);
		if (made < n)
			break;
	}
	fprintf(stderr, "%s: each of %lu allocations failed in turn\n",
		name, total);
	buf_free(&want);
}

/* The output's status, or st when that is worse. */
static enum msp_status
finish(struct buf *out, enum msp_status st, struct msp_error *err)
{
	if (st != MSP_OK)
		return st;
	return buf_status(out, err);
}

/* --- the scenarios ----------------------------------------------------- */

/* Built before the allocator fails, by the checked fixture: what a
 * scenario reads but does not make. */
static struct rdoc *report;
static char *report_json;	/* report as JSON, for rdoc_from_json */
static char *workbook;		/* an .xlsx, workbook_len bytes */
static size_t workbook_len;
static char *written;		/* fuzz_instrument() by xlsform_write() */
static size_t written_len;

static void
prepare(void)
{
	struct msp_error err;

	(void)fuzz_instrument();
	(void)fuzz_export();
	report = reportfix_hostile_doc();
	{
		struct buf j = BUF_INIT(BUF_MAX_DOCUMENT);

		ck_assert(format_render(report, FORMAT_JSON, &j, &err) ==
			  MSP_OK);
		report_json = buf_steal(&j);
		ck_assert_ptr_nonnull(report_json);
	}
	ck_assert_msg(file_read(testdb_srcpath("fuzz/corpus/fuzz_xlsform/"
					       "handmade.xlsx"),
				1 << 20, &workbook, &workbook_len, &err)
		      == MSP_OK, "%s", err.message);
	{
		char path[] = "/tmp/check_torture.XXXXXX";
		int fd = mkstemp(path);

		ck_assert_int_ge(fd, 0);
		close(fd);
		ck_assert_msg(xlsform_write(fuzz_instrument(), path, &err)
			      == MSP_OK, "%s", err.message);
		ck_assert_msg(file_read(path, 1 << 20, &written, &written_len,
					&err) == MSP_OK, "%s", err.message);
		unlink(path);
	}
}

static void
release(void)
{
	rdoc_free(report);
	report = NULL;
	free(report_json);
	report_json = NULL;
	free(workbook);
	workbook = NULL;
	free(written);
	written = NULL;
}

static enum msp_status
run_jsonin(struct buf *out, struct msp_error *err)
{
	struct json_object *doc = NULL;
	enum msp_status st;
	size_t len;
	const char *text = fuzz_instrument_text(&len);

	st = jsonin_parse(text, len, &doc, err);
	if (st == MSP_OK)
		buf_puts(out, json_object_to_json_string(doc));
	json_object_put(doc);
	return finish(out, st, err);
}

static enum msp_status
run_instrument(struct buf *out, struct msp_error *err)
{
	struct json_object *doc = NULL;
	struct instrument *ins = NULL;
	enum msp_status st;
	size_t i, j, len;
	const char *text = fuzz_instrument_text(&len);

	if ((st = jsonin_parse(text, len, &doc, err)) != MSP_OK ||
	    (st = instrument_from_json(doc, &ins, err)) != MSP_OK)
		goto out;
	buf_printf(out, "%s %d\n", ins->slug, ins->version);
	for (i = 0; i < ins->n_items; i++) {
		const struct instrument_item *it = &ins->items[i];

		buf_printf(out, "%s %d %d %d:", it->key, (int)it->type,
			   it->required, it->show_if);
		for (j = 0; j < it->n_options; j++)
			buf_printf(out, " %s", it->options[j].code);
		for (j = 0; j < it->n_show_if_values; j++)
			buf_printf(out, " if=%s", it->show_if_values[j]);
		buf_putc(out, '\n');
	}
out:
	instrument_free(ins);
	json_object_put(doc);
	return finish(out, st, err);
}

/* What a validated submission holds: the status submission_validate()
 * gave, the answers as stored, the errors as shown. */
static void
describe(const struct submission *sub, enum msp_status validated,
	 struct buf *out)
{
	const struct field_error *errors = NULL;
	size_t i, n = 0;

	buf_printf(out, "validate: %d\n", (int)validated);
	if (validated == MSP_OK || validated == MSP_EINVAL)
		submission_answers_json(sub, out);
	buf_putc(out, '\n');
	errors = submission_errors(sub, &n);
	for (i = 0; i < n; i++)
		buf_printf(out, "%s: %s\n", errors[i].field,
			   errors[i].message);
}

/* Validates a submission with flags and describes it into out: MSP_OK
 * unless an allocation failed (a refusal is described, not returned). */
static enum msp_status
validated(struct submission *sub, int flags, struct buf *out,
	  struct msp_error *err)
{
	enum msp_status st = submission_validate(sub, flags, err);

	if (st == MSP_ENOMEM)
		return st;
	describe(sub, st, out);
	return MSP_OK;
}

/* A new submission to the fuzz questionnaire, or NULL with err set. */
static struct submission *
fresh(struct msp_error *err)
{
	struct submission *sub = submission_new(fuzz_instrument());

	if (sub == NULL)
		msp_error_set(err, MSP_ENOMEM, "out of memory");
	return sub;
}

static const char submission_body[] =
	"{\"structure_type\":\"msp\",\"aci_signatory\":true,"
	"\"project_validation_year\":2018,\"prof_count_total\":\"23\","
	"\"share_users\":12.5,\"balance\":3,\"def_usager\":\"Une personne "
	"<b>qui</b> consulte\",\"info_formats\":[\"affiches\",\"autre\"],"
	"\"info_formats_other\":\"Écran\",\"want_more\":\"peut-être\","
	"\"interview_volunteer\":false}";

static enum msp_status
run_submission_json(struct buf *out, struct msp_error *err)
{
	struct json_object *doc = NULL;
	struct submission *sub = NULL;
	enum msp_status st;

	if ((st = jsonin_parse(submission_body, sizeof(submission_body) - 1,
			       &doc, err)) != MSP_OK)
		goto out;
	if ((sub = fresh(err)) == NULL)
		st = MSP_ENOMEM;
	else if ((st = submission_add_json(sub, doc, err)) == MSP_OK)
		st = validated(sub, SUBMISSION_COMPLETE, out, err);
out:
	submission_free(sub);
	json_object_put(doc);
	return finish(out, st, err);
}

static const char form_body[] =
	"_action=submit&structure_type=msp&aci_signatory=oui&"
	"prof_count_total=23&share_users=12%2C5&def_usager=Une+personne%0A"
	"%3Cb%3Equi%3C%2Fb%3E&info_formats=affiches&info_formats=autre&"
	"info_formats_other=%C3%89cran&is_priority=non&want_more=oui&"
	"want_more_stage=reflexion&exchange_spaces=oui&"
	"exchange_spaces_with_users=oui&exchange_spaces_worked_by=mg&"
	"interview_volunteer=oui&balance=abc";

static enum msp_status
run_form(struct buf *out, struct msp_error *err)
{
	struct urlenc form = { NULL, 0 };
	struct submission *sub = NULL;
	enum msp_status st;
	size_t i;

	if ((st = urlenc_parse(form_body, sizeof(form_body) - 1, &form,
			       err)) != MSP_OK)
		goto out;
	for (i = 0; i < form.n; i++)
		buf_printf(out, "%s=%s\n", form.fields[i].name,
			   form.fields[i].value);
	if ((sub = fresh(err)) == NULL)
		st = MSP_ENOMEM;
	else if ((st = submission_add_form(sub, &form, err)) == MSP_OK)
		st = validated(sub, SUBMISSION_LENIENT | SUBMISSION_COMPLETE,
			       out, err);
out:
	submission_free(sub);
	urlenc_free(&form);
	return finish(out, st, err);
}

static enum msp_status
run_csv(struct buf *out, struct msp_error *err)
{
	struct csv *csv = (struct csv *)1;
	enum msp_status st;
	size_t i, j, len;
	const char *text = fuzz_export_text(&len);

	st = csv_parse(text, len, 0, &csv, err);
	if (st != MSP_OK) {
		ck_assert_ptr_null(csv);	/* nothing half-parsed */
		return st;
	}
	buf_printf(out, "delimiter %c\n", csv->delimiter);
	for (i = 0; i < csv->n_rows; i++) {
		buf_printf(out, "line %zu:", csv->rows[i].line);
		for (j = 0; j < csv->rows[i].n; j++)
			buf_printf(out, " [%s]", csv->rows[i].fields[j]);
		buf_putc(out, '\n');
	}
	csv_free(csv);
	return finish(out, st, err);
}

/* The database's respondent roles, as far as the export goes. */
static const char *const roles[] = { "mg", "ide", "coordinateur", "autre" };

static const struct secret torture_secret = {
	.key = (unsigned char *)"torture secret: 32 bytes or more",
	.len = 32,
};

static enum msp_status
run_csvmap(struct buf *out, struct msp_error *err)
{
	const struct csv *csv = fuzz_export();
	struct csvmap *map = NULL;
	struct csvmap_binding *b = NULL;
	struct csvmap_record rec;
	const char *const *unmapped;
	enum msp_status st;
	size_t i, n, len;
	const char *text = fuzz_mapping_text(&len);

	if ((st = csvmap_parse(text, len, &map, err)) != MSP_OK ||
	    (st = csvmap_bind(map, &csv->rows[0], fuzz_instrument(), roles,
			      sizeof(roles) / sizeof(roles[0]), &b, err))
	    != MSP_OK)
		goto out;
	unmapped = csvmap_unmapped(b, &n);
	for (i = 0; i < n; i++)
		buf_printf(out, "unmapped: %s\n", unmapped[i]);
	for (i = 1; i < csv->n_rows; i++) {
		st = csvmap_row(b, &csv->rows[i], &torture_secret, &rec, err);
		if (st == MSP_OK || st == MSP_EINVAL) {
			buf_printf(out, "row %zu: %s %s %s %d %s\n", i,
				   rec.pseudonym, rec.role ? rec.role : "-",
				   rec.id ? rec.id : "-", rec.complete,
				   rec.submitted);
			describe(rec.sub, st, out);
			st = MSP_OK;
		}
		csvmap_record_clear(&rec);
		if (st != MSP_OK)
			goto out;
	}
out:
	csvmap_binding_free(b);
	csvmap_free(map);
	return finish(out, st, err);
}

/* What an XLSForm read gave: the definition, or the problems listed
 * (a refusal is described, not returned). */
static enum msp_status
describe_form(enum msp_status st, const struct instrument *ins,
	      const struct xlsform_problems *problems, struct buf *out,
	      struct msp_error *err)
{
	size_t i, j;

	if (st == MSP_EINVAL) {
		buf_printf(out, "refused: %s\n%s", err->message,
			   buf_str(&problems->text));
		return finish(out, MSP_OK, err);
	}
	if (st != MSP_OK)
		return st;
	buf_printf(out, "%s %d %s\n", ins->slug, ins->version,
		   ins->title_fr);
	for (i = 0; i < ins->n_items; i++) {
		const struct instrument_item *it = &ins->items[i];

		buf_printf(out, "%s %d %d %d %s|%s|%s:", it->key,
			   (int)it->type, it->required, it->show_if,
			   it->label_fr, it->label_en ? it->label_en : "-",
			   it->section_fr);
		for (j = 0; j < it->n_options; j++)
			buf_printf(out, " %s=%s", it->options[j].code,
				   it->options[j].label_fr);
		for (j = 0; j < it->n_show_if_values; j++)
			buf_printf(out, " if=%s", it->show_if_values[j]);
		buf_putc(out, '\n');
	}
	return finish(out, MSP_OK, err);
}

/* A workbook as a person writes it (inline strings, numbers, TRUE),
 * then the fuzz questionnaire as export writes it (shared strings). */
static enum msp_status
run_xlsform_xlsx(struct buf *out, struct msp_error *err)
{
	struct xlsform_problems problems = { BUF_INIT(BUF_MAX_DOCUMENT), 0 };
	struct instrument *ins = NULL;
	enum msp_status st;

	st = xlsform_read_xlsx_buffer(workbook, workbook_len, &ins, &problems,
				      err);
	st = describe_form(st, ins, &problems, out, err);
	instrument_free(ins);
	ins = NULL;
	xlsform_problems_free(&problems);
	if (st != MSP_OK)
		return st;
	st = xlsform_read_xlsx_buffer(written, written_len, &ins, &problems,
				      err);
	st = describe_form(st, ins, &problems, out, err);
	instrument_free(ins);
	xlsform_problems_free(&problems);
	return st;
}

static enum msp_status
run_xlsform_mistakes(struct buf *out, struct msp_error *err)
{
	struct xlsform_problems problems = { BUF_INIT(BUF_MAX_DOCUMENT), 0 };
	struct instrument *ins = NULL;
	enum msp_status st;

	st = xlsform_read(testdb_srcpath("tests/data/xlsform/errors"), &ins,
			  &problems, err);
	st = describe_form(st, ins, &problems, out, err);
	instrument_free(ins);
	xlsform_problems_free(&problems);
	return st;
}

/* A REFI-QDA codebook read (nested codes, sets, accents, a key made
 * unique) and written again. */
static enum msp_status
run_qdc(struct buf *out, struct msp_error *err)
{
	static const char qdc[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>"
		"<Code guid=\"{6F3A1C2E-0000-4000-8000-000000000001}\""
		" name=\"Manque de temps\" isCodable=\"true\">"
		"<Description>Le temps « manque »</Description>"
		"<Code guid=\"6f3a1c2e-0000-4000-8000-000000000002\""
		" name=\"Représentant·e des usagers\" isCodable=\"true\"/>"
		"</Code><Code guid=\"6f3a1c2e-0000-4000-8000-000000000003\""
		" name=\"manque de temps\" isCodable=\"true\"/></Codes>"
		"<Sets><Set guid=\"6f3a1c2e-0000-4000-8000-00000000000a\""
		" name=\"msp:kind:frein\"><MemberCode"
		" guid=\"6f3a1c2e-0000-4000-8000-000000000001\"/></Set>"
		"<Set guid=\"6f3a1c2e-0000-4000-8000-00000000000b\""
		" name=\"msp:has:H-F1\"><MemberCode"
		" guid=\"6f3a1c2e-0000-4000-8000-000000000001\"/></Set>"
		"<Set guid=\"6f3a1c2e-0000-4000-8000-00000000000c\""
		" name=\"msp:has:H-F2\"><MemberCode"
		" guid=\"6f3a1c2e-0000-4000-8000-000000000001\"/></Set>"
		"<Set guid=\"6f3a1c2e-0000-4000-8000-00000000000d\""
		" name=\"msp:has:none\"><MemberCode"
		" guid=\"6f3a1c2e-0000-4000-8000-000000000003\"/></Set>"
		"</Sets></CodeBook>";
	struct codebook cb;
	enum msp_status st;
	size_t i;

	codebook_init(&cb);
	if ((st = codebook_parse_qdc(qdc, sizeof(qdc) - 1, &cb, err)) ==
	    MSP_OK) {
		for (i = 0; i < cb.n; i++)
			buf_printf(out, "%s %s %s\n", cb.codes[i].code,
				   cb.codes[i].kind, cb.codes[i].has ?
				   cb.codes[i].has : "?");
		st = codebook_qdc(&cb, out, err);
	}
	codebook_free(&cb);
	return finish(out, st, err);
}

static enum msp_status
run_frame(struct buf *out, struct msp_error *err)
{
	static const char map_text[] =
		"\"FINESS\" = finess\n"
		"\"Nom\" = @ignore\n"
		"\"Type\" = structure_type\n"
		"    \"Maison de santé\" -> msp\n"
		"\"Dept\" = departement\n"
		"\"Sites\" = n_sites\n"
		"\"Fed\" = federation\n"
		"\"ACI\" = aci_signatory\n";
	static const char a[] =
		"FINESS,Nom,Type,Dept,Sites,Fed,ACI\n"
		"290000001,A,Maison de santé,29,1,,oui\n"
		"290000002,B,esp,2a,,,\n"
		"290000004,D,hôpital,29,1,,\n"
		"290000003,C,msp,1,2,fmsp-x,Non\n";
	static const char b[] =
		"FINESS;Nom;Type;Dept;Sites;Fed;ACI\n"
		"29 000 0002;B;esp;2A;3;;\n"
		"29.000.0001;A;msp;29;1;;\n";
	struct frame f = FRAME_INIT;
	struct csvmap *map = NULL;
	enum msp_status st;
	size_t i, k;

	if ((st = csvmap_parse(map_text, sizeof(map_text) - 1, &map, err))
	    != MSP_OK ||
	    (st = frame_read(&f, map, "a.csv", a, sizeof(a) - 1,
			     &torture_secret, err)) != MSP_OK ||
	    (st = frame_read(&f, map, "b.csv", b, sizeof(b) - 1,
			     &torture_secret, err)) != MSP_OK ||
	    (st = frame_merge(&f, err)) != MSP_OK)
		goto out;
	for (i = 0; i < f.n; i++) {
		buf_printf(out, "%zu:%zu %s", f.rows[i].file, f.rows[i].line,
			   f.rows[i].pseudonym);
		for (k = 0; k < FRAME_N_FIELDS; k++)
			buf_printf(out, " %s", f.rows[i].value[k]
				   ? f.rows[i].value[k] : "-");
		buf_putc(out, '\n');
	}
	buf_printf(out, "%zu problems:\n%s", f.n_problems,
		   buf_str(&f.problems));
	buf_printf(out, "%zu duplicates:\n%s", f.n_duplicates,
		   buf_str(&f.duplicates));
	if ((st = buf_status(&f.problems, err)) == MSP_OK)
		st = buf_status(&f.duplicates, err);
out:
	frame_free(&f);
	csvmap_free(map);
	return finish(out, st, err);
}

static enum msp_status
run_formats(struct buf *out, struct msp_error *err)
{
	static const enum format_kind kinds[] = {
		FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_MARKDOWN,
		FORMAT_HTML,
	};
	enum msp_status st = MSP_OK;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		buf_printf(out, "--- %s\n", format_name(kinds[i]));
		if ((st = format_render(report, kinds[i], out, err)) != MSP_OK)
			break;
	}
	return finish(out, st, err);
}

/* The report read back from its JSON (rdoc_json.h), then rendered. */
static enum msp_status
run_rdoc_json(struct buf *out, struct msp_error *err)
{
	struct rdoc *doc = NULL;
	enum msp_status st;

	st = rdoc_from_json(report_json, strlen(report_json), &doc, err);
	if (st == MSP_OK)
		st = format_render(doc, FORMAT_TEXT, out, err);
	rdoc_free(doc);
	return finish(out, st, err);
}

static enum msp_status
run_escapes(struct buf *out, struct msp_error *err)
{
	static const char hostile[] =
		"<script>alert('x')</script> & \"é\" ?a=1&b=2#f";

	html_escape(out, hostile);
	buf_putc(out, '\n');
	urlenc_encode(out, hostile);
	buf_putc(out, '\n');
	csv_write_field(out, hostile);
	return finish(out, MSP_OK, err);
}

/* Block b, released at threshold 5, printed into out; b is cleared. */
static enum msp_status
print_release(struct block *b, enum msp_status built, struct buf *out,
	      struct msp_error *err)
{
	struct release rel;
	enum msp_status st = built;
	size_t i;

	memset(&rel, 0, sizeof(rel));
	if (st != MSP_OK ||
	    (st = release_make(&b->k, 5, &rel, err)) != MSP_OK)
		goto out;
	for (i = 0; i < rel.nrows * rel.ncols; i++)
		buf_printf(out, "%lu/%d ", rel.n[i], (int)rel.why[i]);
	buf_putc(out, '\n');
out:
	release_clear(&rel);
	block_clear(b);
	return st;
}

/* block.c's builders, each released (lib/report/block.c runs in the
 * backend too: out of memory must come back as MSP_ENOMEM). */
static enum msp_status
run_block(struct buf *out, struct msp_error *err)
{
	static const int is_total[2] = { 0, 1 }, hidden_n[2] = { 1, 0 };
	static const struct block_cols cols = { 2, is_total, hidden_n };
	static const unsigned long n[3 * 2] = { 3, 10, 2, 6, 1, 2 };
	static const unsigned long colN[2] = { 8, 20 }, ans[2] = { 4, 9 };
	static const int dk[3] = { 0, 0, 1 }, pub[2] = { 0, 1 };
	static const struct release_summary sum[2] = {
		{ 1, 1.5, 0, 4 }, { 2, 2.5, 0, 7 }
	};
	struct block_cat cat;
	struct block_num num;
	struct block b;
	enum msp_status st;

	memset(&cat, 0, sizeof(cat));
	cat.ncats = 3;
	cat.n = n;
	cat.col_n = colN;
	cat.dont_know = dk;
	cat.answered = ans;
	memset(&num, 0, sizeof(num));
	num.ge1 = ans;
	num.answered = ans;
	num.col_n = colN;
	num.summary = sum;
	num.presence = 1;
	st = block_headcount(&b, &cols, colN, pub, err);
	if ((st = print_release(&b, st, out, err)) != MSP_OK)
		goto out;
	st = block_categorical(&b, &cols, &cat, err);
	if ((st = print_release(&b, st, out, err)) != MSP_OK)
		goto out;
	cat.multi = 1;
	cat.missing_kept = 1;
	st = block_categorical(&b, &cols, &cat, err);
	if ((st = print_release(&b, st, out, err)) != MSP_OK)
		goto out;
	st = block_numeric(&b, &cols, &num, err);
	if ((st = print_release(&b, st, out, err)) != MSP_OK)
		goto out;
	st = block_text(&b, &cols, ans, colN, err);
	st = print_release(&b, st, out, err);
out:
	return finish(out, st, err);
}

/* --- the cases ---------------------------------------------------------- */

START_TEST(torture_block)
{
	torture("block.c and release_make", run_block);
}
END_TEST

START_TEST(torture_jsonin)
{
	torture("jsonin_parse", run_jsonin);
}
END_TEST

START_TEST(torture_instrument)
{
	torture("instrument_from_json", run_instrument);
}
END_TEST

START_TEST(torture_submission_json)
{
	torture("a JSON submission", run_submission_json);
}
END_TEST

START_TEST(torture_form)
{
	torture("a form body", run_form);
}
END_TEST

START_TEST(torture_csv)
{
	torture("csv_parse", run_csv);
}
END_TEST

START_TEST(torture_csvmap)
{
	torture("csvmap", run_csvmap);
}
END_TEST

START_TEST(torture_qdc)
{
	torture("codebook_parse_qdc and codebook_qdc", run_qdc);
}
END_TEST

START_TEST(torture_xlsform_xlsx)
{
	torture("xlsform_read_xlsx_buffer", run_xlsform_xlsx);
}
END_TEST

START_TEST(torture_xlsform_mistakes)
{
	torture("xlsform_read of a folder of mistakes",
		run_xlsform_mistakes);
}
END_TEST

START_TEST(torture_frame)
{
	torture("frame_read and frame_merge", run_frame);
}
END_TEST

START_TEST(torture_formats)
{
	torture("the report formats", run_formats);
}
END_TEST

START_TEST(torture_rdoc_json)
{
	torture("rdoc_from_json", run_rdoc_json);
}
END_TEST

START_TEST(torture_escapes)
{
	torture("html, url and CSV escaping", run_escapes);
}
END_TEST

static Suite *
torture_suite(void)
{
	Suite *s = suite_create("torture");
	TCase *parse = tcase_create("parsers");
	TCase *render = tcase_create("renderers");

	tcase_add_checked_fixture(parse, prepare, release);
	tcase_add_checked_fixture(render, prepare, release);

	tcase_add_test(parse, torture_jsonin);
	tcase_add_test(parse, torture_instrument);
	tcase_add_test(parse, torture_submission_json);
	tcase_add_test(parse, torture_form);
	tcase_add_test(parse, torture_csv);
	tcase_add_test(parse, torture_csvmap);
	tcase_add_test(parse, torture_qdc);
	tcase_add_test(parse, torture_xlsform_xlsx);
	tcase_add_test(parse, torture_xlsform_mistakes);
	tcase_add_test(parse, torture_frame);
	suite_add_tcase(s, parse);
	tcase_add_test(render, torture_formats);
	tcase_add_test(render, torture_rdoc_json);
	tcase_add_test(render, torture_escapes);
	tcase_add_test(render, torture_block);
	suite_add_tcase(s, render);
	return s;
}

int
main(void)
{
	return testdb_run(torture_suite());
}
