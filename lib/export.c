/*
 * export — responses to CSV through a cursor, and the scripts beside it.
 *
 * The answers come ordered by response, a few thousand rows per FETCH,
 * so memory stays that of one batch whatever the study's size (the
 * generator makes studies of a million responses).  The column list is
 * built once from the instrument; the CSV, the R script, the SPSS
 * syntax and the mapping all walk the same list, so they cannot
 * disagree on a name.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csvmap.h"
#include "db.h"
#include "export.h"
#include "import.h"
#include "instrument.h"
#include "submission.h"

#define FETCH_ROWS "5000"

/* SPSS limits (bytes): names, variable and value labels, and the length
 * of a quoted string on one syntax line (longer ones are joined with +). */
#define SPSS_NAME_MAX 64
#define SPSS_VARLABEL_MAX 250
#define SPSS_VALLABEL_MAX 120
#define SPSS_CHUNK 60

/* The fields before the items, and how each is read back. */
enum lead { LEAD_ID, LEAD_STRUCTURE, LEAD_ROLE, LEAD_STATUS, LEAD_SUBMITTED,
	    LEAD_COUNT };
static const struct {
	const char *name, *target, *label;
} leads[LEAD_COUNT] = {
	{ "response_id", "@id", "Identifiant de la réponse" },
	{ "structure", "@pseudonym", "Structure (pseudonyme)" },
	{ "respondent_role", "@role", "Fonction du répondant" },
	{ "status", "@status", "Statut de la réponse" },
	{ "submitted_at", "@submitted", "Date d'envoi (UTC)" },
};

struct column {
	char *name;			/* CSV header and R name */
	char spss[SPSS_NAME_MAX + 1];	/* SPSS name */
	int item;			/* -1: a lead field */
	const struct item_option *opt;	/* multiple choice option */
};

struct table {
	const struct instrument *ins;
	struct column *cols;
	size_t n;
	size_t *first;		/* per item: its first column */
	char **vals;		/* one response's cells (owned) */
	unsigned char *typed;	/* per cell: a number or code the program
				 * wrote, not neutralised as text is */
	int *answered;		/* per item, for this response */
	enum shown_state *asked;	/* per item, for this response
					 * (submission_item_asked()) */
	struct missing_codes *codes;	/* per item */
};

/* Cell texts of a missing answer: not asked by the skip logic (« non
 * posée »), or asked and not answered (« sans réponse »). */
struct missing_codes {
	char not_asked[24], no_answer[24];
};

/*
 * The codes of item it: -1 and -9, numbers that no choice, yes/no,
 * option column or neutralised text can be (a text "-1" is written
 * '-1).  A number item whose range reaches -1 gets codes below its
 * minimum instead (minimum - 1 and minimum - 9, whole), and one with
 * no minimum, or one below -10^9 (whose codes would not fit the cell
 * nor SPSS's F12.0), -999999991 and -999999999: an answer can then hold
 * them, as docs/import-export.md says.
 */
static void
missing_codes_of(const struct instrument_item *it, struct missing_codes *mc)
{
	double low;

	if (it->type != ITEM_NUMBER || (it->has_min && it->min_value > -1)) {
		snprintf(mc->not_asked, sizeof(mc->not_asked), "-1");
		snprintf(mc->no_answer, sizeof(mc->no_answer), "-9");
		return;
	}
	if (!it->has_min || it->min_value < -1e9) {
		snprintf(mc->not_asked, sizeof(mc->not_asked), "-999999991");
		snprintf(mc->no_answer, sizeof(mc->no_answer), "-999999999");
		return;
	}
	low = floor(it->min_value);
	snprintf(mc->not_asked, sizeof(mc->not_asked), "%.0f", low - 1);
	snprintf(mc->no_answer, sizeof(mc->no_answer), "%.0f", low - 9);
}

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->cols[i].name);
		free(t->vals[i]);
	}
	free(t->cols);
	free(t->vals);
	free(t->typed);
	free(t->first);
	free(t->answered);
	free(t->asked);
	free(t->codes);
}

static enum msp_status
add_column(struct table *t, const char *name, int item,
	   const struct item_option *opt, struct msp_error *err)
{
	struct column *c = &t->cols[t->n];
	size_t len = strlen(name);

	c->name = strdup(name);
	if (c->name == NULL)
		return oom(err);
	c->item = item;
	c->opt = opt;
	/* "item.option" can pass 64 bytes: shorten the item part and
	 * keep the option's position, which stays unique */
	if (len <= SPSS_NAME_MAX) {
		memcpy(c->spss, name, len + 1);
	} else {
		const struct instrument_item *it = &t->ins->items[item];
		char tail[16];
		int k = snprintf(tail, sizeof(tail), ".o%zu",
				 (size_t)(opt - it->options) + 1);

		snprintf(c->spss, sizeof(c->spss), "%.*s%s",
			 SPSS_NAME_MAX - k, it->key, tail);
	}
	t->n++;
	return MSP_OK;
}

static enum msp_status
build_table(struct table *t, const struct instrument *ins,
	    struct msp_error *err)
{
	struct buf name = BUF_INIT(BUF_MAX_TEXT);
	enum msp_status st = MSP_OK;
	size_t i, j, n = LEAD_COUNT;

	memset(t, 0, sizeof(*t));
	t->ins = ins;
	for (i = 0; i < ins->n_items; i++)
		n += ins->items[i].type == ITEM_MULTIPLE_CHOICE
			? ins->items[i].n_options : 1;
	t->cols = calloc(n, sizeof(*t->cols));
	t->vals = calloc(n, sizeof(*t->vals));
	t->typed = calloc(n, sizeof(*t->typed));
	t->first = calloc(ins->n_items + 1, sizeof(*t->first));
	t->answered = calloc(ins->n_items + 1, sizeof(*t->answered));
	t->asked = calloc(ins->n_items + 1, sizeof(*t->asked));
	t->codes = calloc(ins->n_items + 1, sizeof(*t->codes));
	if (!t->cols || !t->vals || !t->typed || !t->first ||
	    !t->answered || !t->asked || !t->codes)
		return oom(err);
	for (i = 0; i < ins->n_items; i++)
		missing_codes_of(&ins->items[i], &t->codes[i]);
	for (i = 0; i < LEAD_COUNT && st == MSP_OK; i++)
		st = add_column(t, leads[i].name, -1, NULL, err);
	for (i = 0; i < ins->n_items && st == MSP_OK; i++) {
		const struct instrument_item *it = &ins->items[i];

		t->first[i] = t->n;
		if (it->type != ITEM_MULTIPLE_CHOICE) {
			st = add_column(t, it->key, (int)i, NULL, err);
			continue;
		}
		for (j = 0; j < it->n_options && st == MSP_OK; j++) {
			buf_reset(&name);
			buf_printf(&name, "%s.%s", it->key,
				   it->options[j].code);
			st = buf_status(&name, err);
			if (st == MSP_OK)
				st = add_column(t, buf_str(&name), (int)i,
						&it->options[j], err);
		}
	}
	buf_free(&name);
	return st;
}

/* --- the CSV --------------------------------------------------------- */

/* Sets a cell to v: text (typed 0) is neutralised against formulas
 * when written, a number or code the program wrote (typed 1) is not. */
static enum msp_status
set_cell(struct table *t, size_t col, const char *v, int typed,
	 struct msp_error *err)
{
	free(t->vals[col]);
	t->vals[col] = strdup(v);
	t->typed[col] = (unsigned char)typed;
	return t->vals[col] != NULL ? MSP_OK : oom(err);
}

static enum msp_status
set_val(struct table *t, size_t col, const char *v, struct msp_error *err)
{
	return set_cell(t, col, v, 0, err);
}

/* submission_answer_is for the response held in t's cells: item i was
 * answered with want (a multiple choice's option is 1; yes/no compare
 * as "oui"/"non", as lib/submission.c reads them). */
static int
cell_is(const void *ctx, int item, const char *want)
{
	const struct table *t = ctx;
	const struct instrument_item *p = &t->ins->items[item];
	size_t i = (size_t)item, j;

	if (!t->answered[i])
		return 0;
	if (p->type == ITEM_MULTIPLE_CHOICE) {
		for (j = 0; j < p->n_options; j++)
			if (t->vals[t->first[i] + j] != NULL &&
			    strcmp(t->vals[t->first[i] + j], "1") == 0 &&
			    strcmp(p->options[j].code, want) == 0)
				return 1;
		return 0;
	}
	if (t->vals[t->first[i]] == NULL)
		return 0;
	if (p->type == ITEM_BOOLEAN)
		return strcmp(strcmp(t->vals[t->first[i]], "1") == 0
			      ? "oui" : "non", want) == 0;
	return strcmp(t->vals[t->first[i]], want) == 0;
}

/* Whether item i was asked of the response held in t (its "show if"
 * conditions, by the walk of lib/submission.c). */
static int
item_asked(struct table *t, size_t i)
{
	return submission_item_asked(t->ins, (int)i, t->asked, cell_is, t);
}

/* Writes the response held in t as a CSV line and forgets it. */
static enum msp_status
flush_row(struct table *t, FILE *csv, struct buf *line,
	  struct msp_error *err)
{
	enum msp_status st;
	size_t i;

	buf_reset(line);
	for (i = 0; i < t->ins->n_items; i++)
		t->asked[i] = SHOWN_UNKNOWN;
	for (i = 0; i < t->n; i++) {
		const struct column *c = &t->cols[i];
		const struct missing_codes *mc;

		if (c->item < 0 || t->vals[i] != NULL)
			continue;
		/* an answered multiple choice: its other options are 0;
		 * an item not answered: why, in every column of it */
		mc = &t->codes[c->item];
		if (c->opt != NULL && t->answered[c->item])
			st = set_cell(t, i, "0", 1, err);
		else if (!t->answered[c->item])
			st = set_cell(t, i, item_asked(t, (size_t)c->item)
				      ? mc->no_answer : mc->not_asked, 1,
				      err);
		else
			continue;
		if (st != MSP_OK)
			return st;
	}
	for (i = 0; i < t->n; i++) {
		if (i > 0)
			buf_putc(line, ',');
		if (t->typed[i])
			csv_write_number(line, t->vals[i]);
		else
			csv_write_field(line, t->vals[i]);
		free(t->vals[i]);
		t->vals[i] = NULL;
		t->typed[i] = 0;
	}
	buf_puts(line, "\r\n");
	memset(t->answered, 0, t->ins->n_items * sizeof(*t->answered));
	if ((st = buf_status(line, err)) != MSP_OK)
		return st;
	if (fwrite(line->data, 1, line->len, csv) != line->len)
		return msp_error_set(err, MSP_EIO, "writing the CSV failed");
	return MSP_OK;
}

/* Puts one answer row of the cursor into t's cells. */
static enum msp_status
take_answer(struct table *t, const PGresult *res, int row,
	    struct msp_error *err)
{
	const char *key = PQgetvalue(res, row, db_column(res, "item_key"));
	int item = instrument_index(t->ins, key);
	const struct instrument_item *it;
	size_t j;

	if (item < 0)	/* the answer table's keys are the instrument's */
		return msp_error_set(err, MSP_ECONFLICT, "answer to an "
				     "unknown item %s", key);
	it = &t->ins->items[item];
	t->answered[item] = 1;
	switch (it->type) {
	case ITEM_MULTIPLE_CHOICE:
		for (j = 0; j < it->n_options; j++)
			if (strcmp(it->options[j].code, PQgetvalue(
				res, row, db_column(res, "choice_code"))) == 0)
				return set_cell(t, t->first[item] + j, "1",
						1, err);
		return MSP_OK;
	case ITEM_SINGLE_CHOICE:
		return set_val(t, t->first[item], PQgetvalue(
			res, row, db_column(res, "choice_code")), err);
	case ITEM_NUMBER:
		return set_cell(t, t->first[item], PQgetvalue(
			res, row, db_column(res, "num_value")), 1, err);
	case ITEM_TEXT:
		return set_val(t, t->first[item], PQgetvalue(
			res, row, db_column(res, "text_value")), err);
	case ITEM_BOOLEAN:
		/* boolean::text is "true" or "false" (the wire format's
		 * "t"/"f" is only what a bare boolean column returns) */
		return set_cell(t, t->first[item], strcmp(PQgetvalue(
			res, row, db_column(res, "bool_value")), "true") == 0
			? "1" : "0", 1, err);
	}
	return MSP_OK;
}

static enum msp_status
write_csv(PGconn *conn, struct table *t, int study_id, FILE *csv,
	  size_t *n, struct msp_error *err)
{
	char study[16], last[32] = "";
	const char *params[1] = { study };
	struct buf line = BUF_INIT(BUF_MAX_DOCUMENT);
	PGresult *res = NULL;
	enum msp_status st;
	size_t i;
	int r, rows;

	*n = 0;
	snprintf(study, sizeof(study), "%d", study_id);
	for (i = 0; i < t->n; i++) {
		if (i > 0)
			buf_putc(&line, ',');
		csv_write_field(&line, t->cols[i].name);
	}
	buf_puts(&line, "\r\n");
	if ((st = buf_status(&line, err)) != MSP_OK)
		goto out;
	if (fwrite(line.data, 1, line.len, csv) != line.len) {
		st = msp_error_set(err, MSP_EIO, "writing the CSV failed");
		goto out;
	}
	st = db_exec(conn, "export cursor",
		     "DECLARE export_rows NO SCROLL CURSOR FOR"
		     " SELECT r.response_id, st.pseudonym,"
		     "        r.respondent_role::text AS role,"
		     "        r.status::text AS status,"
		     "        pg_catalog.to_char(r.submitted_at AT TIME ZONE"
		     "          'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
		     "          AS submitted_at,"
		     "        a.item_key, a.choice_code,"
		     "        a.num_value::text AS num_value, a.text_value,"
		     "        a.bool_value::text AS bool_value"
		     "   FROM msp.response r"
		     "   JOIN msp.structure st"
		     "     ON st.structure_id = r.structure_id"
		     "   LEFT JOIN msp.answer a"
		     "     ON a.response_id = r.response_id"
		     "  WHERE r.study_id = $1"
		     /* a draft's responses are tests (0028): never data */
		     "    AND NOT r.test"
		     "  ORDER BY r.response_id, a.answer_id",
		     1, params, PGRES_COMMAND_OK, NULL, err);
	while (st == MSP_OK) {
		st = db_exec(conn, "export fetch",
			     "FETCH " FETCH_ROWS " FROM export_rows", 0, NULL,
			     PGRES_TUPLES_OK, &res, err);
		if (st != MSP_OK)
			break;
		rows = PQntuples(res);
		for (r = 0; r < rows && st == MSP_OK; r++) {
			const char *id = PQgetvalue(res, r, db_column(res,
							"response_id"));

			if (strcmp(id, last) != 0) {
				if (last[0] != '\0' &&
				    (st = flush_row(t, csv, &line, err)) !=
				    MSP_OK)
					break;
				snprintf(last, sizeof(last), "%s", id);
				(*n)++;
				if ((st = set_val(t, LEAD_ID, id, err)) ||
				    (st = set_val(t, LEAD_STRUCTURE,
						  PQgetvalue(res, r, db_column(
							  res, "pseudonym")),
						  err)) ||
				    (st = set_val(t, LEAD_ROLE, PQgetvalue(
					    res, r, db_column(res, "role")),
						  err)) ||
				    (st = set_val(t, LEAD_STATUS, PQgetvalue(
					    res, r, db_column(res, "status")),
						  err)) ||
				    (st = set_val(t, LEAD_SUBMITTED,
						  PQgetvalue(res, r, db_column(
							res, "submitted_at")),
						  err)))
					break;
			}
			if (!PQgetisnull(res, r, db_column(res, "item_key")))
				st = take_answer(t, res, r, err);
		}
		PQclear(res);
		res = NULL;
		if (rows == 0)
			break;
	}
	if (st == MSP_OK && last[0] != '\0')
		st = flush_row(t, csv, &line, err);
	if (st == MSP_OK && fflush(csv) != 0)
		st = msp_error_set(err, MSP_EIO, "writing the CSV failed");
out:
	buf_free(&line);
	return st;
}

/* --- R --------------------------------------------------------------- */

/* s as an R string literal in ASCII: non-ASCII as \u escapes, so that
 * the script reads the same in any locale. */
static void
r_string(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	buf_putc(b, '"');
	while (*s != '\0') {
		unsigned long cp;
		int n, k;

		if (*s < 0x80) {
			if (*s == '"' || *s == '\\')
				buf_printf(b, "\\%c", *s);
			else if (*s == '\n')
				buf_puts(b, "\\n");
			else if (*s < 0x20)
				buf_printf(b, "\\%03o", *s);
			else
				buf_putc(b, (char)*s);
			s++;
			continue;
		}
		/* valid UTF-8: the database only holds that */
		n = *s >= 0xf0 ? 3 : *s >= 0xe0 ? 2 : 1;
		cp = *s & (0x3f >> n);
		for (k = 1; k <= n && s[k] != '\0'; k++)
			cp = (cp << 6) | (s[k] & 0x3f);
		buf_printf(b, "\\U{%lx}", cp);
		s += k;
	}
	buf_putc(b, '"');
}

/* "c(\"a\", \"b\")" from n strings, the i-th being at(arg, i). */
static void
r_vector(struct buf *b, const char *(*at)(const void *, size_t),
	 const void *arg, size_t n)
{
	size_t i;

	buf_puts(b, "c(");
	for (i = 0; i < n; i++) {
		buf_puts(b, i ? ",\n      " : "");
		r_string(b, at(arg, i));
	}
	buf_putc(b, ')');
}

static const char *
option_code(const void *it, size_t i)
{
	return ((const struct instrument_item *)it)->options[i].code;
}

static const char *
option_label(const void *it, size_t i)
{
	return ((const struct instrument_item *)it)->options[i].label_fr;
}

static const char *
role_code(const void *roles, size_t i)
{
	return PQgetvalue(roles, (int)i, 0);
}

/*
 * responses[["name"]] <- labelled(OPEN unquote(raw[["name"]]) AFTER,
 *     label)
 * or, for an item's column (mc not NULL), the answer without its
 * missing codes, and why each missing cell is missing:
 * responses[["name"]] <- labelled(OPEN answer(raw[["name"]], NA, NR)
 *     AFTER, label, why_missing(raw[["name"]], NA, NR))
 */
static void
r_line(struct buf *b, const char *name, const char *open,
       const char *after, const char *label,
       const struct missing_codes *mc)
{
	buf_puts(b, "responses[[");
	r_string(b, name);
	buf_printf(b, "]] <- labelled(%s%s", open,
		   mc != NULL ? "answer(" : "unquote(");
	buf_puts(b, "raw[[");
	r_string(b, name);
	if (mc != NULL)
		buf_printf(b, "]], \"%s\", \"%s\")", mc->not_asked,
			   mc->no_answer);
	else
		buf_puts(b, "]])");
	buf_printf(b, "%s,\n    ", after);
	r_string(b, label);
	if (mc != NULL) {
		buf_puts(b, ",\n    why_missing(raw[[");
		r_string(b, name);
		buf_printf(b, "]], \"%s\", \"%s\")", mc->not_asked,
			   mc->no_answer);
	}
	buf_puts(b, ")\n");
}

static void
r_item(struct buf *b, const struct table *t, const struct column *c)
{
	const struct instrument_item *it = &t->ins->items[c->item];
	struct buf after = BUF_INIT(BUF_MAX_TEXT);
	struct buf label = BUF_INIT(BUF_MAX_TEXT);
	const char *open = "";

	if (c->opt != NULL || it->type == ITEM_BOOLEAN) {
		open = "factor(";
		buf_puts(&after, ", levels = c(\"0\", \"1\"),\n"
			 "    labels = c(\"non\", \"oui\"))");
	} else if (it->type == ITEM_SINGLE_CHOICE) {
		open = "factor(";
		buf_puts(&after, ",\n    levels = ");
		r_vector(&after, option_code, it, it->n_options);
		buf_puts(&after, ",\n    labels = ");
		r_vector(&after, option_label, it, it->n_options);
		buf_putc(&after, ')');
	} else if (it->type == ITEM_NUMBER) {
		open = "as.numeric(";
		buf_putc(&after, ')');
	}
	if (c->opt != NULL)
		buf_printf(&label, "%s %s", it->label_fr, c->opt->label_fr);
	else
		buf_puts(&label, it->label_fr);
	r_line(b, c->name, open, buf_str(&after), buf_str(&label),
	       &t->codes[c->item]);
	if (after.failed || label.failed)
		b->failed = 1;
	buf_free(&after);
	buf_free(&label);
}

static void
write_r(struct buf *b, const struct table *t, const char *csv_name,
	const PGresult *roles)
{
	struct buf after = BUF_INIT(BUF_MAX_TEXT);
	size_t i;

	buf_puts(b, "# Reads ");
	buf_puts(b, csv_name);
	buf_printf(b, " (%s, written by msp-report export) with base R:\n",
		   t->ins->slug);
	buf_puts(b,
"# choices become factors (levels: the option codes, labels: the\n"
"# questionnaire's French labels), oui/non and each option of a multiple\n"
"# choice factors non/oui, numbers numeric; attr(x, \"label\") holds each\n"
"# column's question.  A missing answer is NA, and attr(x, \"manquant\")\n"
"# says why: \"non pos\\u00e9e\" (not asked, by the questionnaire's\n"
"# conditions) or \"sans r\\u00e9ponse\" (asked, not answered); the CSV\n"
"# holds their codes (-1 and -9 unless the .sps says otherwise).  A cell\n"
"# that begins with ' had one added so that no spreadsheet runs it as a\n"
"# formula: it is dropped here.  Run it from the CSV's directory:\n"
"#   source(\"this-file.R\"); str(responses)\n"
"labelled <- function(x, label, why = NULL) {\n"
"  attr(x, \"label\") <- label\n"
"  if (!is.null(why)) attr(x, \"manquant\") <- why\n"
"  x\n"
"}\n"
"unquote <- function(x) sub(\"^'\", \"\", x)\n"
"answer <- function(x, not_asked, no_answer) {\n"
"  x[x %in% c(not_asked, no_answer)] <- NA\n"
"  unquote(x)\n"
"}\n"
"why_missing <- function(x, not_asked, no_answer)\n"
"  factor(ifelse(x %in% not_asked, \"non pos\\u00e9e\",\n"
"    ifelse(x %in% no_answer, \"sans r\\u00e9ponse\", NA)),\n"
"    levels = c(\"non pos\\u00e9e\", \"sans r\\u00e9ponse\"))\n"
"raw <- utils::read.csv(");
	r_string(b, csv_name);
	buf_puts(b, ", colClasses = \"character\",\n"
		 "  na.strings = \"\", check.names = FALSE, "
		 "encoding = \"UTF-8\", fileEncoding = \"UTF-8\")\n"
		 "responses <- raw\n");
	r_line(b, leads[LEAD_ID].name, "as.numeric(", ")",
	       leads[LEAD_ID].label, NULL);
	r_line(b, leads[LEAD_STRUCTURE].name, "", "",
	       leads[LEAD_STRUCTURE].label, NULL);
	buf_puts(&after, ",\n    levels = ");
	r_vector(&after, role_code, roles, (size_t)PQntuples(roles));
	buf_putc(&after, ')');
	r_line(b, leads[LEAD_ROLE].name, "factor(", buf_str(&after),
	       leads[LEAD_ROLE].label, NULL);
	if (after.failed)
		b->failed = 1;
	buf_free(&after);
	r_line(b, leads[LEAD_STATUS].name, "factor(",
	       ", levels = c(\"complete\", \"partial\"))",
	       leads[LEAD_STATUS].label, NULL);
	r_line(b, leads[LEAD_SUBMITTED].name, "as.POSIXct(",
	       ", tz = \"UTC\",\n    format = \"%Y-%m-%dT%H:%M:%SZ\")",
	       leads[LEAD_SUBMITTED].label, NULL);
	for (i = LEAD_COUNT; i < t->n; i++)
		r_item(b, t, &t->cols[i]);
	buf_puts(b, "rm(raw)\n");
}

/* --- SPSS ------------------------------------------------------------ */

/* The longest prefix of s, at most max bytes, that ends on a UTF-8
 * character boundary. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* s as an SPSS quoted string, at most max bytes of it, in pieces of
 * SPSS_CHUNK bytes joined by + (syntax lines have a length limit). */
static void
sps_string(struct buf *b, const char *s, size_t max)
{
	size_t len = utf8_cut(s, max), done = 0, piece, i;

	do {
		piece = utf8_cut(s + done, SPSS_CHUNK);
		if (done + piece > len)
			piece = len - done;
		if (done > 0)
			buf_puts(b, "\n    + ");
		buf_putc(b, '\'');
		for (i = 0; i < piece; i++) {
			char c = s[done + i];

			if (c == '\'')
				buf_putc(b, '\'');
			buf_putc(b, c == '\n' || c == '\r' ? ' ' : c);
		}
		buf_putc(b, '\'');
		done += piece;
	} while (done < len);
}

/* The SPSS input format of column c. */
static void
sps_format(struct buf *b, const struct table *t, const struct column *c,
	   const PGresult *roles)
{
	const struct instrument_item *it;
	const struct missing_codes *mc;
	size_t j, w = 1;
	int k;

	if (c->item < 0) {
		if (c == &t->cols[LEAD_ID])
			buf_puts(b, "F20.0");
		else if (c == &t->cols[LEAD_STRUCTURE])
			buf_puts(b, "A64");
		else if (c == &t->cols[LEAD_ROLE]) {
			for (k = 0; k < PQntuples(roles); k++)
				if (strlen(PQgetvalue(roles, k, 0)) > w)
					w = strlen(PQgetvalue(roles, k, 0));
			buf_printf(b, "A%zu", w);
		} else if (c == &t->cols[LEAD_STATUS])
			buf_puts(b, "A8");
		else
			buf_puts(b, "A20");
		return;
	}
	it = &t->ins->items[c->item];
	mc = &t->codes[c->item];
	switch (it->type) {
	case ITEM_MULTIPLE_CHOICE:
	case ITEM_BOOLEAN:
		buf_puts(b, "F2.0");	/* 0, 1 and the codes -1, -9 */
		break;
	case ITEM_SINGLE_CHOICE:
		w = strlen(mc->not_asked) > strlen(mc->no_answer)
			? strlen(mc->not_asked) : strlen(mc->no_answer);
		for (j = 0; j < it->n_options; j++)
			if (strlen(it->options[j].code) > w)
				w = strlen(it->options[j].code);
		buf_printf(b, "A%zu", w);
		break;
	case ITEM_NUMBER:
		/* wide enough for the codes below a range's minimum */
		buf_puts(b, it->integer_only ? "F12.0" : "F17.4");
		break;
	case ITEM_TEXT:
		/* characters to bytes: up to 4 each in UTF-8 */
		buf_printf(b, "A%d", 4 * (it->max_length > 0
					  ? it->max_length
					  : SUBMISSION_TEXT_MAX));
		break;
	}
}

static void
write_sps(struct buf *b, const struct table *t, const char *csv_name,
	  const PGresult *roles)
{
	const struct instrument_item *it;
	struct buf label = BUF_INIT(BUF_MAX_TEXT);
	size_t i, j;
	int first;

	buf_printf(b, "* Reads %s (%s, written by msp-report export).\n"
		   "* Run it with the CSV's directory as the working "
		   "directory (CD).\n"
		   "* Texts with line breaks cannot be read by GET DATA "
		   "/TYPE=TXT: use R.\n", csv_name, t->ins->slug);
	buf_puts(b, "GET DATA\n  /TYPE=TXT\n  /FILE=");
	sps_string(b, csv_name, 4096);
	buf_puts(b, "\n  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n"
		 "  /FIRSTCASE=2\n  /DELCASE=LINE\n  /DELIMITERS=\",\"\n"
		 "  /QUALIFIER='\"'\n  /VARIABLES=\n");
	for (i = 0; i < t->n; i++) {
		buf_printf(b, "    %s ", t->cols[i].spss);
		sps_format(b, t, &t->cols[i], roles);
		buf_putc(b, '\n');
	}
	buf_puts(b, ".\n\n* A text that begins with ' had one added so that "
		 "no spreadsheet runs it\n* as a formula: it is dropped "
		 "here (but for texts that would then read\n"
		 "* as a missing code).\n");
	for (i = LEAD_COUNT; i < t->n; i++) {
		const struct column *c = &t->cols[i];
		const struct missing_codes *mc = &t->codes[c->item];

		if (t->ins->items[c->item].type != ITEM_TEXT)
			continue;
		buf_printf(b, "IF (SUBSTR(%s, 1, 1) = \"'\" AND %s <> \"'%s\" "
			   "AND %s <> \"'%s\")\n    %s = SUBSTR(%s, 2).\n",
			   c->spss, c->spss, mc->not_asked, c->spss,
			   mc->no_answer, c->spss, c->spss);
	}
	buf_puts(b, "\n* Missing answers: not asked (the questionnaire's "
		 "conditions), and asked\n* but not answered.\n"
		 "MISSING VALUES\n");
	for (i = LEAD_COUNT; i < t->n; i++) {
		const struct column *c = &t->cols[i];
		const struct missing_codes *mc = &t->codes[c->item];
		enum item_type type = t->ins->items[c->item].type;
		const char *q = type == ITEM_TEXT ||
			(type == ITEM_SINGLE_CHOICE) ? "'" : "";

		buf_printf(b, "  %s%s (%s%s%s, %s%s%s)\n",
			   i > LEAD_COUNT ? "/" : "", c->spss, q,
			   mc->not_asked, q, q, mc->no_answer, q);
	}
	buf_puts(b, ".\n\nVARIABLE LABELS\n");
	for (i = 0; i < t->n; i++) {
		const struct column *c = &t->cols[i];

		buf_printf(b, "  %s%s ", i ? "/" : "", c->spss);
		buf_reset(&label);
		if (c->item < 0)
			buf_puts(&label, leads[i].label);
		else if (c->opt != NULL)
			buf_printf(&label, "%s %s",
				   t->ins->items[c->item].label_fr,
				   c->opt->label_fr);
		else
			buf_puts(&label, t->ins->items[c->item].label_fr);
		if (label.failed)
			b->failed = 1;
		sps_string(b, buf_str(&label), SPSS_VARLABEL_MAX);
		buf_putc(b, '\n');
	}
	buf_puts(b, ".\n\nVALUE LABELS\n");
	first = 1;
	for (i = LEAD_COUNT; i < t->n; i++) {
		const struct column *c = &t->cols[i];

		const struct missing_codes *mc = &t->codes[c->item];
		const char *q;

		it = &t->ins->items[c->item];
		q = it->type == ITEM_TEXT || it->type == ITEM_SINGLE_CHOICE
			? "'" : "";
		buf_printf(b, "  %s%s", first ? "" : "/", c->spss);
		first = 0;
		buf_printf(b, " %s%s%s 'non posée' %s%s%s "
			   "'sans réponse'", q, mc->not_asked, q,
			   q, mc->no_answer, q);
		if (it->type == ITEM_NUMBER || it->type == ITEM_TEXT) {
			buf_putc(b, '\n');
			continue;
		}
		if (it->type != ITEM_SINGLE_CHOICE) {
			buf_puts(b, " 0 'non' 1 'oui'\n");
			continue;
		}
		for (j = 0; j < it->n_options; j++) {
			buf_puts(b, "\n    ");
			sps_string(b, it->options[j].code, SPSS_CHUNK);
			buf_putc(b, ' ');
			sps_string(b, it->options[j].label_fr,
				   SPSS_VALLABEL_MAX);
		}
		buf_putc(b, '\n');
	}
	buf_puts(b, ".\nEXECUTE.\n");
	buf_free(&label);
}

/* --- the mapping ----------------------------------------------------- */

static void
write_map(struct buf *b, const struct table *t, const char *csv_name)
{
	size_t i;

	buf_printf(b, "# msp-report import --study %s --mapping THIS %s\n"
		   "# (written by msp-report export; docs/import-export.md)\n",
		   t->ins->slug, csv_name);
	for (i = 0; i < t->n; i++) {
		const struct column *c = &t->cols[i];

		csvmap_quote(b, c->name);
		if (c->item < 0)
			buf_printf(b, " = %s\n", leads[i].target);
		else if (c->opt != NULL)
			buf_printf(b, " = %s[%s]\n",
				   t->ins->items[c->item].key, c->opt->code);
		else
			buf_printf(b, " = %s\n", t->ins->items[c->item].key);
		/* both missing codes read back as "not answered" (a text
		 * "-1" was written '-1, so it is not taken for one) */
		if (c->item >= 0)
			buf_printf(b, "    \"%s\" -> \"\"\n"
				   "    \"%s\" -> \"\"\n",
				   t->codes[c->item].not_asked,
				   t->codes[c->item].no_answer);
	}
}

enum msp_status
export_study(PGconn *conn, const struct export_options *o, FILE *csv,
	     struct buf *r, struct buf *sps, struct buf *map, size_t *n,
	     struct msp_error *err)
{
	struct import_study study = { .study_id = 0, .kind = TENANT_NONE };
	struct table t;
	PGresult *res;
	enum msp_status st;

	memset(&t, 0, sizeof(t));
	*n = 0;
	if ((st = db_exec(conn, "begin", "BEGIN ISOLATION LEVEL REPEATABLE "
			  "READ READ ONLY", 0, NULL, PGRES_COMMAND_OK, NULL,
			  err)) != MSP_OK)
		return st;
	if ((st = import_enter_study(conn, o->token, o->study, &study,
				     err)) != MSP_OK)
		goto out;
	/* A federation reads aggregates, never a team's rows (issue 19):
	 * said plainly before the rows' statement, which the database
	 * refuses anyway (42501 on msp.response, migration 0037). */
	if (study.kind == TENANT_FEDERATION) {
		st = msp_error_set(err, MSP_EACCESS, "refusé : un jeton de "
				   "fédération n'exporte pas les réponses ; "
				   "ses agrégats : msp-report --region "
				   "RÉGION");
		goto out;
	}
	if ((st = build_table(&t, study.ins, err)) != MSP_OK ||
	    (st = write_csv(conn, &t, study.study_id, csv, n, err)) !=
	    MSP_OK)
		goto out;
	write_r(r, &t, o->csv_name, study.roles);
	write_sps(sps, &t, o->csv_name, study.roles);
	write_map(map, &t, o->csv_name);
	if ((st = buf_status(r, err)) == MSP_OK &&
	    (st = buf_status(sps, err)) == MSP_OK)
		st = buf_status(map, err);
out:
	res = PQexec(conn, "ROLLBACK");	/* read only: nothing to keep */
	PQclear(res);
	table_free(&t);
	import_study_clear(&study);
	return st;
}
