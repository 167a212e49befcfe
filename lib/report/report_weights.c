/*
 * report_weights — --weights: respondents weighted back to the frame
 * (post-stratification on the cells of the frame variables, raking on
 * their margins), and every categorical variable of the study with its
 * weighted percentages beside the unweighted ones (lib/weights.h for
 * the statistics, R's survey package for the reference).
 *
 * What is weighted: the complete responses of structures of the active
 * frame; a response from a structure outside it has no cell and is not
 * weighted (the header says how many).  The cell of a structure comes
 * from msp.report_frame (report_data.c), so a federation weights what
 * Row-Level Security lets it see.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "report_int.h"
#include "weights.h"

/* Cell strings join the categories with the unit separator (CELL_SQL
 * in report_data.c). */
#define CELL_SEP '\x1f'

/* One weighting variable and the categories the frame gives it. */
struct wmargin {
	const struct rvar *v;
	const char *codes[WEIGHTS_MAX_CATS];
	size_t ncodes;
};

struct wplan {
	struct wmargin m[WEIGHTS_MAX_MARGINS];
	size_t nm;
	int rake;			/* several variables named */
	const char *vars;		/* "{frame_a,frame_b}" */
	const char *labels;		/* "Département, Adhérente ..." */
	const char **cellkeys;		/* per design cell, the doc's */
	struct weights_design d;
	unsigned long outside;		/* responses not weighted */
	int withheld;			/* a federation: cells too small */
};

static enum msp_status
nomem(struct rctx *c)
{
	return msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
}

/* The label of category code of v, or the code itself. */
static const char *
cat_label(const struct rvar *v, const char *code)
{
	size_t i;

	for (i = 0; i < v->ncats; i++)
		if (strcmp(v->cats[i].code, code) == 0)
			return v->cats[i].label;
	return code;
}

/* The frame structures whose category of v is unknown. */
static unsigned long
unknown_in_frame(const struct rcounts *frame, const struct rvar *v)
{
	return rcounts_get(frame, 'f', v->key, NULL, NULL);
}

/* "departement, federation_member, ...": the names --weights takes. */
static const char *
frame_names(struct rctx *c, const struct rvar *vars, size_t n,
	    const struct rcounts *frame)
{
	const char *s = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = vars[i].key + strlen("frame_");

		if (unknown_in_frame(frame, &vars[i]) > 0)
			continue;
		s = s == NULL ? name : rdoc_printf(c->doc, "%s, %s", s, name);
	}
	return s != NULL ? s : "aucune";
}

/*
 * Reads --weights (opt->weights): "frame", every frame variable known
 * for every targeted structure, post-stratified on their cells; one
 * named variable, post-stratified; several, raked on their margins.
 */
static enum msp_status
plan_variables(struct rctx *c, struct wplan *p, const struct rvar *vars,
	       size_t nvars, const struct rcounts *frame)
{
	const char *spec = c->opt->weights, *q;
	unsigned long targeted;
	size_t i, j, len;

	if (strcmp(spec, "frame") == 0) {
		for (i = 0; i < nvars; i++) {
			if (rcounts_sum(frame, 'f', vars[i].key, NULL) == 0 ||
			    unknown_in_frame(frame, &vars[i]) > 0)
				continue;
			if (p->nm == WEIGHTS_MAX_MARGINS)
				break;
			p->m[p->nm++].v = &vars[i];
		}
		if (p->nm == 0)
			return msp_error_set(c->err, MSP_EINVAL,
				"--weights frame : aucune caractéristique de "
				"la base de sondage n'est connue pour toutes "
				"les structures ciblées de cette étude ; sans "
				"elle, les non-répondantes ne peuvent pas être "
				"représentées");
		return MSP_OK;
	}
	p->rake = 0;
	for (q = spec; *q != '\0'; q += len + (q[len] == ',')) {
		const struct rvar *v = NULL;

		len = strcspn(q, ",");
		for (i = 0; i < nvars && v == NULL; i++) {
			const char *k = vars[i].key;

			if ((strlen(k) == len && strncmp(k, q, len) == 0) ||
			    (strlen(k) == len + 6 &&
			     strncmp(k + 6, q, len) == 0))
				v = &vars[i];
		}
		if (v == NULL)
			return msp_error_set(c->err, MSP_EINVAL,
				"--weights : « %.*s » n'est pas une "
				"caractéristique de la base de sondage ; "
				"connues pour toute la base de cette étude : "
				"%s (ou frame)", (int)len, q,
				frame_names(c, vars, nvars, frame));
		for (j = 0; j < p->nm; j++)
			if (p->m[j].v == v)
				return msp_error_set(c->err, MSP_EINVAL,
					"--weights : « %s » nommée deux fois",
					v->key + 6);
		targeted = rcounts_sum(frame, 'f', v->key, NULL) +
			   unknown_in_frame(frame, v);
		if (unknown_in_frame(frame, v) > 0)
			return msp_error_set(c->err, MSP_EINVAL,
				"--weights : « %s » est inconnue pour %lu des "
				"%lu structures ciblées ; on ne pondère que "
				"sur ce que la base connaît pour toutes : %s",
				v->key + 6, unknown_in_frame(frame, v),
				targeted, frame_names(c, vars, nvars, frame));
		if (p->nm == WEIGHTS_MAX_MARGINS)
			return msp_error_set(c->err, MSP_EINVAL,
				"--weights : %d variables au plus",
				WEIGHTS_MAX_MARGINS);
		p->m[p->nm++].v = v;
	}
	if (p->nm == 0)
		return msp_error_set(c->err, MSP_EINVAL,
				     "--weights : frame, ou des variables de "
				     "la base séparées par des virgules");
	p->rake = p->nm > 1;
	return MSP_OK;
}

/* The index of code among m's categories, added when new; -1 when
 * there are too many. */
static int
margin_code(struct wmargin *m, const char *code)
{
	size_t i;

	for (i = 0; i < m->ncodes; i++)
		if (strcmp(m->codes[i], code) == 0)
			return (int)i;
	if (m->ncodes == WEIGHTS_MAX_CATS)
		return -1;
	m->codes[m->ncodes] = code;
	return (int)m->ncodes++;
}

/* "Département (base de sondage) = 44, Adhérente ... = Non": cell h. */
static const char *
cell_text(struct rctx *c, const struct wplan *p, const char *cell)
{
	const char *s = NULL, *q = cell;
	size_t j, len;

	for (j = 0; j < p->nm; j++) {
		const char *code;

		len = strcspn(q, "\x1f");
		code = rdoc_printf(c->doc, "%.*s", (int)len, q);
		if (code == NULL)
			return NULL;
		code = cat_label(p->m[j].v, code);
		s = s == NULL ?
		    rdoc_printf(c->doc, "%s = %s", p->m[j].v->label, code) :
		    rdoc_printf(c->doc, "%s, %s = %s", s, p->m[j].v->label,
				code);
		q += len + (q[len] == CELL_SEP);
	}
	return s;
}

/*
 * The design: one weights_cell per frame cell, its categories (on the
 * one margin of the cells, or on each variable when raking), its
 * structures and its respondents; then the fit, refused with the name
 * of the cell or category that has structures but no respondent.
 */
static enum msp_status
plan_design(struct rctx *c, struct wplan *p, const struct rcounts *cells,
	    const struct rcounts *counts)
{
	const struct rcount *rows;
	struct weights_empty empty;
	unsigned thr = c->threshold;
	enum msp_status rc;
	size_t n, h, j, len;

	rows = rcounts_range(cells, 'p', NULL, NULL, &n);
	if (n == 0)
		return msp_error_set(c->err, MSP_EINVAL,
				     "--weights : cette étude n'a pas de base "
				     "de sondage (msp.population)");
	if (n > WEIGHTS_MAX_CELLS)
		return msp_error_set(c->err, MSP_EINVAL,
				     "--weights : %zu cellules, %d au plus",
				     n, WEIGHTS_MAX_CELLS);
	p->d.cells = calloc(n, sizeof(*p->d.cells));
	p->cellkeys = rdoc_alloc(c->doc, n * sizeof(*p->cellkeys));
	if (p->d.cells == NULL || p->cellkeys == NULL)
		return nomem(c);
	p->d.ncells = n;
	p->d.nmargins = p->rake ? p->nm : 1;
	for (h = 0; h < n; h++) {
		struct weights_cell *k = &p->d.cells[h];
		const char *q;

		if (rows[h].val == NULL)
			return msp_error_set(c->err, MSP_EINVAL,
					     "--weights : cellule inconnue");
		p->cellkeys[h] = rows[h].val;
		k->pop = rows[h].n;
		k->n = rcounts_get(counts, 'g', NULL, NULL, rows[h].val);
		if (!p->rake) {
			k->cat[0] = (unsigned short)h;
			continue;
		}
		q = rows[h].val;
		for (j = 0; j < p->nm; j++) {
			const char *code;
			int i;

			len = strcspn(q, "\x1f");
			code = rdoc_printf(c->doc, "%.*s", (int)len, q);
			if (code == NULL)
				return nomem(c);
			if ((i = margin_code(&p->m[j], code)) < 0)
				return msp_error_set(c->err, MSP_EINVAL,
					"--weights : « %s » a plus de %d "
					"catégories", p->m[j].v->key + 6,
					WEIGHTS_MAX_CATS);
			k->cat[j] = (unsigned short)i;
			q += len + (q[len] == CELL_SEP);
		}
	}
	if (p->rake)
		for (j = 0; j < p->nm; j++)
			p->d.ncats[j] = p->m[j].ncodes;
	else
		p->d.ncats[0] = n;
	p->outside = rcounts_get(counts, 'g', NULL, NULL, NULL);
	/* a federation: a small cell of respondents or of non-respondents
	 * would be given back by its weight, N_h / n_h */
	for (h = 0; h < n && c->suppress; h++) {
		unsigned long r = p->d.cells[h].n,
			      o = p->d.cells[h].pop - p->d.cells[h].n;

		if (release_primary(r, thr) || release_primary(o, thr))
			p->withheld = 1;
	}

	rc = weights_fit(&p->d, &empty, c->err);
	if (rc != MSP_OK && empty.cell >= 0 && !p->rake) {
		const struct weights_cell *k = &p->d.cells[empty.cell];

		return msp_error_set(c->err, MSP_EINVAL,
			"--weights : la cellule « %s » compte %lu structures "
			"ciblées et aucune répondante : la post-"
			"stratification ne peut pas la représenter ; "
			"pondérez sur moins de variables, ou par calage sur "
			"leurs marges (--weights avec les variables séparées "
			"par des virgules)",
			cell_text(c, p, p->cellkeys[empty.cell]), k->pop);
	}
	if (rc != MSP_OK && empty.margin >= 0 && p->rake) {
		const struct wmargin *m = &p->m[empty.margin];

		return msp_error_set(c->err, MSP_EINVAL,
			"--weights : la catégorie « %s = %s » a des "
			"structures ciblées et aucune répondante : le calage "
			"ne peut pas la représenter", m->v->label,
			cat_label(m->v, m->codes[empty.cat]));
	}
	if (rc != MSP_OK)
		msp_error_prefix(c->err, "--weights");
	return rc;
}

/* --- the weighted table ------------------------------------------------- */

/* Whether category i of v counts in percentages under c's rules. */
static int
counted(const struct rctx *c, const struct rvar *v, size_t i)
{
	return !(v->cats[i].dont_know &&
		 c->opt->dont_know == REPORT_EXCLUDE);
}

/*
 * Appends v's rows to t: per counted category, the unweighted n (%) of
 * the weighted respondents and the weighted percentage.  Disclosure
 * (a federation): the variable's cells are all hidden when any count
 * of the variable in any weighting cell (missing answers included) is
 * below the threshold but not 0 — a weighted percentage is a known
 * combination of those counts — or when the design is withheld.
 */
static enum msp_status
weighted_variable(struct rctx *c, struct wplan *p, struct rtable *t,
		  const struct rvar *v, const struct rcounts *counts,
		  unsigned long *in_cat, unsigned long *in_dom,
		  unsigned long *missing)
{
	struct weights_estimate e;
	struct rrow *r;
	char kind = v->derived ? 'd' : 'i';
	unsigned thr = c->suppress ? c->threshold : 0;
	unsigned long dom = 0, answered, k;
	size_t h, i, nrows;
	int hide = 0, keep_missing = c->opt->missing == REPORT_KEEP;
	enum msp_status rc;

	for (h = 0; h < p->d.ncells; h++) {
		answered = 0;
		in_dom[h] = 0;
		for (i = 0; i < v->ncats; i++) {
			k = rcounts_get(counts, kind, v->key, v->cats[i].code,
					p->cellkeys[h]);
			answered += k;
			if (counted(c, v, i))
				in_dom[h] += k;
			if (release_primary(k, thr))
				hide = 1;
		}
		/* a variable with several answers per response (or
		 * values outside its categories) is not a proportion */
		if (answered > p->d.cells[h].n)
			return MSP_OK;
		missing[h] = p->d.cells[h].n - answered;
		if (release_primary(missing[h], thr))
			hide = 1;
		if (keep_missing)
			in_dom[h] += missing[h];
		dom += in_dom[h];
	}
	if (dom == 0)
		return MSP_OK;
	if (rtable_row(c->doc, t, v->key, v->label, NULL, NULL) == NULL)
		return nomem(c);
	nrows = v->ncats + (size_t)keep_missing;
	for (i = 0; i < nrows; i++) {
		int is_missing = i == v->ncats;
		unsigned long n = 0;

		if (!is_missing && !counted(c, v, i))
			continue;
		for (h = 0; h < p->d.ncells; h++) {
			in_cat[h] = is_missing ? missing[h] :
				rcounts_get(counts, kind, v->key,
					    v->cats[i].code, p->cellkeys[h]);
			n += in_cat[h];
		}
		r = rtable_row(c->doc, t, v->key, v->label,
			       is_missing ? "missing" : v->cats[i].code,
			       is_missing ? "Sans réponse" :
			       v->cats[i].label);
		if (r == NULL)
			return nomem(c);
		rcell_prop(&r->cells[0], n, dom);
		rc = weights_proportion(&p->d, in_cat, in_dom, &e, c->err);
		if (rc != MSP_OK) {
			msp_error_prefix(c->err, "--weights, %s", v->key);
			return rc;
		}
		r->cells[1].kind = RCELL_WEIGHTED;
		r->cells[1].n = e.ndomain;
		r->cells[1].pct = 100 * e.p;
		r->cells[1].se = 100 * e.se;
		r->cells[1].has_ci = e.has_ci;
		r->cells[1].lo = 100 * e.lo;
		r->cells[1].hi = 100 * e.hi;
		r->cells[0].suppressed = hide;
		r->cells[1].suppressed = hide || p->withheld;
	}
	return MSP_OK;
}

/* A count that a federation may not see: from 1 to threshold - 1. */
static int
small(const struct rctx *c, unsigned long k)
{
	return release_primary(k, c->suppress ? c->threshold : 0);
}

/*
 * Appends multiple-choice item v's rows to t: each option as a 0/1
 * variable over the respondents of the item (R: svymean(~I(option
 * chosen), subset(d, answered the item))), or over every respondent
 * when the missing are kept (--missing keep: no answer counts as not
 * chosen).  Disclosure: as weighted_variable(), over the options
 * chosen, not chosen and the missing of each weighting cell.
 */
static enum msp_status
weighted_multi(struct rctx *c, struct wplan *p, struct rtable *t,
	       const struct rvar *v, const struct rcounts *counts,
	       unsigned long *in_cat, unsigned long *in_dom,
	       unsigned long *missing)
{
	struct weights_estimate e;
	struct rrow *r;
	unsigned long dom = 0, answered, k;
	size_t h, i;
	int hide = 0, keep_missing = c->opt->missing == REPORT_KEEP;
	enum msp_status rc;

	for (h = 0; h < p->d.ncells; h++) {
		answered = rcounts_get(counts, 'a', v->key, NULL,
				       p->cellkeys[h]);
		if (answered > p->d.cells[h].n)
			return MSP_OK;	/* not one answer per response */
		missing[h] = p->d.cells[h].n - answered;
		in_dom[h] = keep_missing ? p->d.cells[h].n : answered;
		hide |= small(c, missing[h]);
		dom += in_dom[h];
	}
	if (dom == 0)
		return MSP_OK;
	for (i = 0; i < v->ncats; i++)
		for (h = 0; h < p->d.ncells; h++) {
			k = rcounts_get(counts, 'i', v->key, v->cats[i].code,
					p->cellkeys[h]);
			if (k > in_dom[h])
				return MSP_OK;
			hide |= small(c, k) || small(c, in_dom[h] - k);
		}
	if (rtable_row(c->doc, t, v->key, v->label, NULL, NULL) == NULL)
		return nomem(c);
	for (i = 0; i < v->ncats; i++) {
		unsigned long n = 0;

		for (h = 0; h < p->d.ncells; h++) {
			in_cat[h] = rcounts_get(counts, 'i', v->key,
						v->cats[i].code,
						p->cellkeys[h]);
			n += in_cat[h];
		}
		r = rtable_row(c->doc, t, v->key, v->label, v->cats[i].code,
			       v->cats[i].label);
		if (r == NULL)
			return nomem(c);
		rcell_prop(&r->cells[0], n, dom);
		rc = weights_proportion(&p->d, in_cat, in_dom, &e, c->err);
		if (rc != MSP_OK) {
			msp_error_prefix(c->err, "--weights, %s", v->key);
			return rc;
		}
		r->cells[1].kind = RCELL_WEIGHTED;
		r->cells[1].n = e.ndomain;
		r->cells[1].pct = 100 * e.p;
		r->cells[1].se = 100 * e.se;
		r->cells[1].has_ci = e.has_ci;
		r->cells[1].lo = 100 * e.lo;
		r->cells[1].hi = 100 * e.hi;
		r->cells[0].suppressed = hide;
		r->cells[1].suppressed = hide || p->withheld;
	}
	return MSP_OK;
}

/*
 * Appends number v's row to t: the respondents who gave a value, their
 * mean and the weighted mean with its standard error (R: svymean(~y,
 * subset(d, !is.na(y)))), from the frequency table of the values in
 * each weighting cell.  Disclosure (a federation): withheld when, in a
 * weighting cell, the respondents with a value or those without are
 * from 1 to threshold - 1 (a mean of few values gives them back).
 */
static enum msp_status
weighted_number(struct rctx *c, struct wplan *p, struct rtable *t,
		const struct rvar *v, const struct rcounts *counts)
{
	struct weights_value **vals = NULL;
	size_t *nvals = NULL, h, i, n;
	struct weights_estimate e;
	const struct rcount *rows;
	unsigned long total = 0, k;
	double sum = 0;
	struct rrow *r;
	int hide = 0;
	enum msp_status rc = MSP_OK;

	vals = calloc(p->d.ncells, sizeof(*vals));
	nvals = calloc(p->d.ncells, sizeof(*nvals));
	if (vals == NULL || nvals == NULL) {
		rc = nomem(c);
		goto out;
	}
	for (h = 0; h < p->d.ncells; h++) {
		rows = rcounts_range(counts, v->derived ? 'd' : 'i', v->key,
				     p->cellkeys[h], &n);
		vals[h] = calloc(n > 0 ? n : 1, sizeof(**vals));
		if (vals[h] == NULL) {
			rc = nomem(c);
			goto out;
		}
		for (k = 0, i = 0; i < n; i++) {
			char *end;
			double y;

			if (rows[i].val == NULL)
				continue;
			y = strtod(rows[i].val, &end);
			if (*end != '\0' || end == rows[i].val ||
			    !isfinite(y))
				continue;	/* not a number: not used */
			vals[h][nvals[h]].y = y;
			vals[h][nvals[h]++].n = rows[i].n;
			k += rows[i].n;
			sum += y * (double)rows[i].n;
		}
		if (k > p->d.cells[h].n)
			goto out;	/* several values per response */
		total += k;
		hide |= small(c, k) || small(c, p->d.cells[h].n - k);
	}
	if (total == 0)
		goto out;
	rc = weights_mean(&p->d, (const struct weights_value *const *)vals,
			  nvals, &e, c->err);
	if (rc != MSP_OK) {
		msp_error_prefix(c->err, "--weights, %s", v->key);
		goto out;
	}
	r = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (r == NULL) {
		rc = nomem(c);
		goto out;
	}
	rcell_count(&r->cells[0], total);
	rcell_number(&r->cells[1], sum / (double)total);
	r->cells[2].kind = RCELL_WEIGHTED;
	r->cells[2].is_mean = 1;
	r->cells[2].n = e.ndomain;
	r->cells[2].pct = e.p;
	r->cells[2].se = e.se;
	for (i = 0; i < 3; i++)
		r->cells[i].suppressed = hide;
	r->cells[2].suppressed |= p->withheld;
out:
	for (h = 0; vals != NULL && h < p->d.ncells; h++)
		free(vals[h]);
	free(vals);
	free(nvals);
	return rc;
}

/* The table of the weighted means of the study's numbers. */
static enum msp_status
means_table(struct rctx *c, struct wplan *p, const struct rsetup *s,
	    const struct rcounts *counts, const char *method)
{
	struct rtable *t = NULL;
	enum msp_status rc = MSP_OK;
	size_t i;

	for (i = 0; i < s->nvars && rc == MSP_OK; i++) {
		const struct rvar *v = &s->vars[i];

		if (v->type != RV_NUMBER || v->harmonised)
			continue;
		if (t == NULL) {
			t = rdoc_table(c->doc, "weighted_means", rdoc_printf(
				c->doc, "Moyennes pondérées (%s sur %s)",
				method, p->labels), 3);
			if (t == NULL)
				return nomem(c);
			rtable_column(c->doc, t, 0, "n", "Répondantes "
				      "(une valeur)");
			rtable_column(c->doc, t, 1, "unweighted",
				      "Moyenne non pondérée");
			rtable_column(c->doc, t, 2, "weighted", rdoc_printf(
				c->doc, "Moyenne pondérée (%s) (ET)",
				weights_method_name(p->d.method)));
			t->note = rdoc_printf(c->doc, "Répondantes qui ont "
				"donné une valeur, pondérées par %s sur %s.  "
				"Moyenne pondérée et son erreur type (ET), "
				"comme svymean() de R survey.", method,
				p->labels);
		}
		rc = weighted_number(c, p, t, v, counts);
	}
	return rc;
}

/*
 * The table of the weighting cells: per cell of the design, the
 * structures of the frame, the respondents and their weight (N_h / n_h
 * after post-stratification; after raking, the fitted weight).  A
 * federation whose design is withheld (a cell with fewer respondents or
 * non-respondents than the threshold) gets every figure suppressed, as
 * the weights in the header are.
 */
static enum msp_status
cells_table(struct rctx *c, const struct wplan *p)
{
	struct rtable *t;
	size_t h, j;

	t = rdoc_table(c->doc, "weighting_cells", rdoc_printf(c->doc,
		       "Cellules de pondération (%s)", p->labels), 3);
	if (t == NULL)
		return nomem(c);
	rtable_column(c->doc, t, 0, "structures",
		      "Structures de la base de sondage");
	rtable_column(c->doc, t, 1, "respondents", "Répondantes");
	rtable_column(c->doc, t, 2, "weight", "Poids");
	t->note = rdoc_printf(c->doc, "Une ligne par combinaison des "
		"catégories de %s présente dans la base de sondage.  Poids "
		"de chaque répondante de la cellule (%s) ; une cellule sans "
		"répondante n'a pas de poids.", p->labels,
		p->rake ? "après calage" : "structures / répondantes");
	for (h = 0; h < p->d.ncells; h++) {
		const struct weights_cell *k = &p->d.cells[h];
		char key[256];
		struct rrow *r;
		size_t len;

		/* the codes joined by ",", the unit separator out */
		len = strlen(p->cellkeys[h]);
		if (len >= sizeof(key))
			len = sizeof(key) - 1;
		memcpy(key, p->cellkeys[h], len);
		key[len] = '\0';
		for (j = 0; j < len; j++)
			if (key[j] == CELL_SEP)
				key[j] = ',';
		r = rtable_row(c->doc, t, "cell", "Cellule", key,
			       cell_text(c, p, p->cellkeys[h]));
		if (r == NULL)
			return nomem(c);
		rcell_count(&r->cells[0], k->pop);
		rcell_count(&r->cells[1], k->n);
		if (k->n > 0)
			rcell_number(&r->cells[2], k->w);
		for (j = 0; j < 3; j++)
			r->cells[j].suppressed = p->withheld;
	}
	return MSP_OK;
}

enum msp_status
report_weights(struct rctx *c, const struct rsetup *s)
{
	struct rcounts frame, cells, counts;
	struct wplan p;
	struct rvar *fvars = NULL;
	struct rtable *t;
	unsigned long *in_cat = NULL, *in_dom = NULL, *missing = NULL;
	const char *method, *call;
	enum msp_status rc;
	size_t nf, i, j;

	memset(&p, 0, sizeof(p));
	if ((rc = rdata_frame(c, &s->study, &frame)) != MSP_OK ||
	    (rc = rdata_frame_vars(c, &fvars, &nf)) != MSP_OK ||
	    (rc = plan_variables(c, &p, fvars, nf, &frame)) != MSP_OK)
		return rc;
	for (j = 0; j < p.nm; j++) {
		const char *k = p.m[j].v->key;

		/* keys are identifiers (msp.report_variable): no quoting
		 * inside the array literal is needed, and none allowed */
		if (strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(k))
			return msp_error_set(c->err, MSP_EINVAL,
					     "--weights : nom de variable "
					     "« %s »", k);
		p.vars = j == 0 ? rdoc_printf(c->doc, "{%s", k) :
			 rdoc_printf(c->doc, "%s,%s", p.vars, k);
		p.labels = j == 0 ? p.m[j].v->label :
			   rdoc_printf(c->doc, "%s ; %s", p.labels,
				       p.m[j].v->label);
	}
	p.vars = rdoc_printf(c->doc, "%s}", p.vars);
	if ((rc = rctx_check(c)) != MSP_OK)
		return rc;
	if ((rc = rdata_counts_cells(c, s, p.vars, &cells, &counts)) !=
	    MSP_OK)
		return rc;
	if ((rc = plan_design(c, &p, &cells, &counts)) != MSP_OK)
		goto out;

	method = p.rake ? "calage sur les marges (raking)" :
		 "post-stratification";
	call = p.rake ?
	       "rake(…, control = list(maxit = 100, epsilon = 1e-10))" :
	       "postStratify()";
	if (p.withheld)
		rdoc_meta(c->doc, "weights", "Pondération", rdoc_printf(c->doc,
			  "%s sur %s ; non communiquée : une cellule compte "
			  "moins de %u répondantes ou non-répondantes, que "
			  "son poids révélerait", method, p.labels,
			  c->threshold));
	else
		rdoc_meta(c->doc, "weights", "Pondération", rdoc_printf(c->doc,
			  "%s sur %s (%zu cellules%s) ; %lu répondantes "
			  "pondérées%s, total des poids %.0f ; poids de %.4g "
			  "à %.4g ; taille effective de Kish %.2f",
			  method, p.labels, p.d.ncells,
			  p.rake ? rdoc_printf(c->doc, ", %d itérations",
					       p.d.iterations) : "",
			  p.d.nresp, p.outside > 0 ? rdoc_printf(c->doc,
			  " (%lu hors base de sondage, non pondérées)",
			  p.outside) : "", p.d.wsum, p.d.wmin, p.d.wmax,
			  p.d.neff));
	rdoc_meta(c->doc, "weights_method", "Méthode de pondération",
		  rdoc_printf(c->doc, "%s ; erreurs types du plan (un degré, "
		  "chaque répondante son unité, sans correction de "
		  "population finie) et IC 95 %% logit à n − 1 ddl, comme R "
		  "survey : svydesign(ids = ~1), %s, svymean(), "
		  "svyciprop(method = \"logit\")", weights_method_name(
		  p.d.method), call));

	t = rdoc_table(c->doc, "weighted", rdoc_printf(c->doc,
		       "Pourcentages pondérés (%s sur %s)", method,
		       p.labels), 2);
	if (t == NULL) {
		rc = nomem(c);
		goto out;
	}
	rtable_column(c->doc, t, 0, "unweighted", rdoc_printf(c->doc,
		      "Non pondéré (n = %lu)", p.d.nresp));
	/* the method in the column's label: CSV repeats it on each line */
	rtable_column(c->doc, t, 1, "weighted", rdoc_printf(c->doc,
		      "Pondéré (%s, IC logit) : %% (ET) [IC 95 %%]",
		      weights_method_name(p.d.method)));
	t->note = rdoc_printf(c->doc, "Répondantes des structures de la base "
		"de sondage, pondérées par %s sur %s.  Non pondéré : n (%%) "
		"[Wilson 95 %%].  Pondéré : pourcentage pondéré, son erreur "
		"type (ET, points de pourcentage) et son intervalle à 95 %% "
		"(logit).  %s", method, p.labels,
		c->opt->missing == REPORT_KEEP ?
		"Sans réponse : une catégorie." :
		"Sans réponse : hors des pourcentages.");
	in_cat = calloc(p.d.ncells, sizeof(*in_cat));
	in_dom = calloc(p.d.ncells, sizeof(*in_dom));
	missing = calloc(p.d.ncells, sizeof(*missing));
	if (in_cat == NULL || in_dom == NULL || missing == NULL) {
		rc = nomem(c);
		goto out;
	}
	for (i = 0; i < s->nvars && rc == MSP_OK; i++) {
		const struct rvar *v = &s->vars[i];

		if (v->harmonised || v->ncats == 0)
			continue;
		if (v->type == RV_CATEGORY)
			rc = weighted_variable(c, &p, t, v, &counts, in_cat,
					       in_dom, missing);
		else if (v->type == RV_MULTI)
			rc = weighted_multi(c, &p, t, v, &counts, in_cat,
					    in_dom, missing);
	}
	if (rc == MSP_OK)
		rc = means_table(c, &p, s, &counts, method);
	if (rc == MSP_OK)
		rc = cells_table(c, &p);
	if (rc == MSP_OK)
		rc = rctx_check(c);
out:
	free(in_cat);
	free(in_dom);
	free(missing);
	free(p.d.cells);
	return rc;
}
