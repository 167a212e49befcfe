/*
 * report_waves — --compare of two waves of one region (issue 18 item
 * 8): pdl-2019 and the study that follows it, each with its own
 * version of the questionnaire.
 *
 * Items are matched by name (item_key) across the two instrument
 * versions.  What the versions do not share is listed, with how it is
 * handled, in a table of its own ("waves_items"):
 *
 *   only_first, only_second  an item of one wave only: not compared
 *   type                     a different kind of answer: not compared
 *   choices                  choice codes added or removed: not
 *                            compared (an answer of one wave has no
 *                            counterpart in the other, and a zero for a
 *                            choice that was not offered is not a zero
 *                            of the teams)
 *   choice_labels            same codes, other wording: compared
 *   label                    the question reworded: compared
 *   bounds                   a number's accepted range changed: compared
 *                            (numbers are described, not tested)
 *   condition                asked under another "show if": compared
 *
 * The comparison itself is the region comparison's: the same columns
 * (one per study), the same test rule, the same missing-data and "ne
 * sait pas" handling (--missing, --nsp), the same p-value adjustment
 * and, for a federation, the same disclosure control, since every
 * figure goes through rx_headcount() and rx_variable().
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

/* The waves --compare takes: two; a trend over more is another table. */
#define WAVES 2

struct wave {
	struct rsetup setup;
	struct rcounts counts;
	const char *follows;	/* slug of the study it follows, or NULL */
	struct plan *plan;	/* a federation's: plan_load(), or NULL */
};

static enum msp_status
nomem(struct rctx *c)
{
	if (rctx_check(c) != MSP_OK)
		return MSP_ENOMEM;
	return msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
}

enum msp_status
report_waves_named(struct rctx *c, const char *const *names, size_t n,
		   int *waves)
{
	const char *region, *follows;
	size_t i, studies = 0;
	enum msp_status rc;

	*waves = 0;
	for (i = 0; i < n; i++) {
		rc = rdata_wave(c, names[i], &region, &follows);
		if (rc != MSP_OK)
			return rc;
		studies += region != NULL;
	}
	if (studies > 0 && studies < n)
		return msp_error_set(c->err, MSP_EINVAL,
				     "--compare : nommez soit des régions, "
				     "soit des études (les vagues d'une "
				     "région, p. ex. pdl-2019,pdl-2025), pas "
				     "les deux");
	*waves = studies == n;
	return MSP_OK;
}

/* The instrument item called key in ins, or NULL. */
static const struct instrument_item *
find_item(const struct instrument *ins, const char *key)
{
	size_t i;

	for (i = 0; i < ins->n_items; i++)
		if (strcmp(ins->items[i].key, key) == 0)
			return &ins->items[i];
	return NULL;
}

static const struct item_option *
find_option(const struct instrument_item *it, const char *code)
{
	size_t i;

	for (i = 0; i < it->n_options; i++)
		if (strcmp(it->options[i].code, code) == 0)
			return &it->options[i];
	return NULL;
}

/* The codes of a's choices that b lacks, "a, b" (doc-owned), or NULL. */
static const char *
missing_codes(struct rctx *c, const struct instrument_item *a,
	      const struct instrument_item *b)
{
	const char *list = NULL;
	size_t i;

	for (i = 0; i < a->n_options; i++)
		if (find_option(b, a->options[i].code) == NULL)
			list = list == NULL ?
				rdoc_strdup(c->doc, a->options[i].code) :
				rdoc_printf(c->doc, "%s, %s", list,
					    a->options[i].code);
	return list;
}

static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static const char *
bound_text(struct rctx *c, int has_min, double min, int has_max, double max)
{
	return rdoc_printf(c->doc, "%s–%s",
			   has_min ? rdoc_printf(c->doc, "%g", min) : "…",
			   has_max ? rdoc_printf(c->doc, "%g", max) : "…");
}

/* One line of the table of differences; MSP_ENOMEM when the document
 * ran out of memory. */
static enum msp_status
difference(struct rctx *c, struct rtable *t, const char *key,
	   const char *label, const char *kind, const char *what,
	   const char *handling)
{
	/* the item, named in the category's label too: the text formats
	 * print only that under the table's own columns */
	struct rrow *row = rtable_row(c->doc, t, key, label, kind,
				      rdoc_printf(c->doc, "%s (%s)", label,
						  key));

	if (row == NULL)
		return nomem(c);
	rcell_text(c->doc, &row->cells[0], what);
	rcell_text(c->doc, &row->cells[1], handling);
	return rctx_check(c);
}

static const char compared[] = "comparé";

/*
 * Lists how items a and b (the same name in the two waves) differ, in
 * t; *comparable says whether their answers can be compared.  Fails
 * only with MSP_ENOMEM (the document ran out of memory).
 */
static enum msp_status
item_differences(struct rctx *c, struct rtable *t,
		 const struct instrument *ia, const struct instrument *ib,
		 const struct instrument_item *a,
		 const struct instrument_item *b, int *comparable)
{
	const char *gone, *added, *show_a, *show_b;
	enum msp_status rc = MSP_OK;
	size_t i;
	int relabelled = 0;

	*comparable = 1;
	if (a->type != b->type) {
		*comparable = 0;
		return difference(c, t, a->key, a->label_fr, "type",
				  "type de réponse différent",
				  "non comparé");
	}
	gone = missing_codes(c, a, b);
	added = missing_codes(c, b, a);
	/* NULL also when out of memory: then every option is not b's */
	if ((rc = rctx_check(c)) != MSP_OK)
		return rc;
	if (gone != NULL || added != NULL) {
		*comparable = 0;
		return difference(c, t, a->key, a->label_fr, "choices",
			rdoc_printf(c->doc, "modalités%s%s%s%s",
				    gone != NULL ? " retirées : " : "",
				    gone != NULL ? gone : "",
				    added != NULL ? (gone != NULL ?
				    " ; ajoutées : " : " ajoutées : ") : "",
				    added != NULL ? added : ""),
			"non comparé : une réponse d'une vague n'a pas "
			"d'équivalent dans l'autre");
	}
	for (i = 0; i < a->n_options; i++) {
		const struct item_option *o = find_option(b,
						a->options[i].code);

		/* o is never NULL: b has every code of a, as checked */
		relabelled |= o != NULL &&
			      !same_text(a->options[i].label_fr, o->label_fr);
	}
	if (relabelled)
		rc = difference(c, t, a->key, a->label_fr, "choice_labels",
				"libellés des modalités modifiés (mêmes "
				"codes)", compared);
	if (rc == MSP_OK && !same_text(a->label_fr, b->label_fr))
		rc = difference(c, t, a->key, a->label_fr, "label",
				rdoc_printf(c->doc, "question reformulée : "
					    "« %s »", b->label_fr), compared);
	if (rc == MSP_OK && a->type == ITEM_NUMBER &&
	    (a->has_min != b->has_min || a->has_max != b->has_max ||
	     (a->has_min && a->min_value != b->min_value) ||
	     (a->has_max && a->max_value != b->max_value) ||
	     a->integer_only != b->integer_only))
		rc = difference(c, t, a->key, a->label_fr, "bounds",
				rdoc_printf(c->doc, "valeurs acceptées : "
					    "%s, puis %s",
					    bound_text(c, a->has_min,
						       a->min_value,
						       a->has_max,
						       a->max_value),
					    bound_text(c, b->has_min,
						       b->min_value,
						       b->has_max,
						       b->max_value)),
				"comparé (nombres décrits, non testés)");
	show_a = a->show_if < 0 ? "toujours" : rdoc_printf(c->doc,
		"si %s", ia->items[a->show_if].key);
	show_b = b->show_if < 0 ? "toujours" : rdoc_printf(c->doc,
		"si %s", ib->items[b->show_if].key);
	if (rc == MSP_OK && show_a != NULL && show_b != NULL) {
		int same = strcmp(show_a, show_b) == 0 &&
			   a->n_show_if_values == b->n_show_if_values;

		for (i = 0; same && i < a->n_show_if_values; i++)
			same = strcmp(a->show_if_values[i],
				      b->show_if_values[i]) == 0;
		if (!same)
			rc = difference(c, t, a->key, a->label_fr,
				"condition", rdoc_printf(c->doc,
				"posée %s, puis %s", show_a, show_b),
				"comparé (pas aux mêmes équipes)");
	}
	return rc == MSP_OK ? rctx_check(c) : rc;
}

static enum msp_status
load_wave(struct rctx *c, const char *name, struct wave *w)
{
	const char *region;
	struct rstudy st;
	enum msp_status rc;

	if ((rc = rdata_wave(c, name, &region, &w->follows)) != MSP_OK)
		return rc;
	/* rdata_study() refuses a draft with the list of the region's
	 * studies that a report may read */
	if ((rc = rdata_study(c, region, name, &st)) != MSP_OK ||
	    (rc = rx_team_scope(c, &st)) != MSP_OK)
		return rc;
	/* a wave is a study: its figures are hidden as its plan says in
	 * every other report, or the comparison is refused (plan.h) */
	if (c->suppress &&
	    (rc = plan_load(c->conn, st.study_id, st.slug, &w->plan,
			    c->err)) != MSP_OK)
		return rc;
	if ((rc = rdata_setup(c, &st, &w->setup)) != MSP_OK)
		return rc;
	return rdata_counts(c, &w->setup, NULL, &w->counts);
}

static enum msp_status
section_waves(struct rctx *c, struct wave *w)
{
	const struct instrument *ia = w[0].setup.ins, *ib = w[1].setup.ins;
	struct rcolsrc cols[WAVES];
	struct rlayout lay;
	struct rtable *t, *dt;
	const char *open_items = NULL;
	int hidden[WAVES];
	enum msp_status rc;
	size_t i, j;

	memset(&lay, 0, sizeof(lay));
	memset(cols, 0, sizeof(cols));
	for (j = 0; j < WAVES; j++) {
		const struct rstudy *st = &w[j].setup.study;

		cols[j].key = st->slug;
		cols[j].label = rdoc_printf(c->doc, "%s (%d)", st->slug,
					    st->year);
		cols[j].counts = &w[j].counts;
		cols[j].total_kind = 't';
		cols[j].plan = w[j].plan;	/* fig zeroed: ALL */
	}
	lay.cols = cols;
	lay.ncols = WAVES;
	lay.test = 1;
	t = rx_table(c, "waves", rdoc_printf(c->doc, "Comparaison des "
		     "vagues : %s (questions communes, appariées par nom)",
		     w[0].setup.study.region_name), &lay);
	dt = rdoc_table(c->doc, "waves_items", rdoc_printf(c->doc,
			"Questionnaires des deux vagues : %s@%d et %s@%d, "
			"écarts", ia->slug, ia->version, ib->slug,
			ib->version), 2);
	if (t == NULL || dt == NULL)
		return nomem(c);
	rtable_column(c->doc, dt, 0, "difference", "Écart");
	rtable_column(c->doc, dt, 1, "handling", "Traitement");
	rc = rx_headcount(c, t, &lay, "Effectif (réponses)", hidden);
	lay.hidden_n = hidden;
	for (i = 0; i < ia->n_items && rc == MSP_OK; i++) {
		const struct instrument_item *a = &ia->items[i];
		const struct instrument_item *b = find_item(ib, a->key);
		/* rdata_setup() lists the items first, in order */
		const struct rvar *v = &w[0].setup.vars[i];
		int comparable;

		if (b == NULL) {
			rc = difference(c, dt, a->key, a->label_fr,
					"only_first", rdoc_printf(c->doc,
					"seulement dans %s",
					w[0].setup.study.slug),
					"non comparé");
			continue;
		}
		rc = item_differences(c, dt, ia, ib, a, b, &comparable);
		if (rc != MSP_OK || !comparable)
			continue;
		if (v->type == RV_TEXT) {
			open_items = open_items == NULL ? a->key :
				rdoc_printf(c->doc, "%s, %s", open_items,
					    a->key);
			continue;
		}
		rc = rx_variable(c, t, &lay, v);
	}
	for (i = 0; i < ib->n_items && rc == MSP_OK; i++)
		if (find_item(ia, ib->items[i].key) == NULL)
			rc = difference(c, dt, ib->items[i].key,
					ib->items[i].label_fr, "only_second",
					rdoc_printf(c->doc,
					"seulement dans %s",
					w[1].setup.study.slug),
					"non comparé");
	if (rc != MSP_OK)
		return rc;
	t->note = rdoc_printf(c->doc, "%s\n%s\nQuestions appariées par "
			      "leur nom d'un questionnaire à l'autre ; les "
			      "écarts et leur traitement sont listés dans "
			      "le tableau suivant.%s%s",
			      rx_test_rule, rx_policy_text(c),
			      open_items != NULL ? "\nRéponses libres, non "
			      "comparées (--terms) : " : "",
			      open_items != NULL ? open_items : "");
	if (dt->nrows == 0)
		dt->note = "Aucun écart : les deux vagues posent les mêmes "
			   "questions avec les mêmes modalités.";
	return rctx_check(c);
}

enum msp_status
report_waves(struct rctx *c, const char *const *names, size_t n)
{
	struct wave w[WAVES];
	const struct rstudy *a, *b;
	enum msp_status rc = MSP_OK;
	size_t i;

	memset(w, 0, sizeof(w));
	if (n != WAVES) {
		rc = msp_error_set(c->err, MSP_EINVAL,
				   "--compare de vagues : deux études d'une "
				   "même région (p. ex. pdl-2019,pdl-2025)");
		goto out;
	}
	for (i = 0; i < WAVES && rc == MSP_OK; i++)
		rc = load_wave(c, names[i], &w[i]);
	if (rc != MSP_OK)
		goto out;
	a = &w[0].setup.study;
	b = &w[1].setup.study;
	if (a->study_id == b->study_id) {
		rc = msp_error_set(c->err, MSP_EINVAL,
				   "--compare : « %s » deux fois ; une "
				   "vague ne se compare pas à elle-même",
				   a->slug);
		goto out;
	}
	if (strcmp(a->region_slug, b->region_slug) != 0) {
		rc = msp_error_set(c->err, MSP_EINVAL,
				   "--compare : %s (%s) et %s (%s) ne sont "
				   "pas deux vagues d'une même région ; "
				   "pour comparer des régions, nommez les "
				   "régions", a->slug, a->region_slug,
				   b->slug, b->region_slug);
		goto out;
	}
	/* the earlier wave first, whatever the order of the names */
	if (b->year < a->year || (b->year == a->year &&
				  b->study_id < a->study_id)) {
		struct wave tmp = w[0];

		w[0] = w[1];
		w[1] = tmp;
		a = &w[0].setup.study;
		b = &w[1].setup.study;
	}
	c->doc->title = rdoc_printf(c->doc, "Comparaison de deux vagues, "
				    "%s : %s (%d) et %s (%d)",
				    a->region_name, a->slug, a->year,
				    b->slug, b->year);
	rdoc_meta(c->doc, "region", "Région",
		  rdoc_printf(c->doc, "%s (%s)", a->region_name,
			      a->region_slug));
	for (i = 0; i < WAVES; i++) {
		const struct rstudy *st = &w[i].setup.study;

		/* a key each: JSON's meta is an object */
		rdoc_meta(c->doc, i == 0 ? "study_1" : "study_2", "Étude",
			  rdoc_printf(c->doc, "%s — %s (%d), questionnaire "
				      "%s@%d%s", st->slug, st->title,
				      st->year, w[i].setup.ins->slug,
				      w[i].setup.ins->version,
				      st->reconstructed ?
				      ", données reconstruites" :
				      st->synthetic ?
				      ", données synthétiques" : ""));
	}
	rdoc_meta(c->doc, "follows", "Vagues",
		  w[1].follows != NULL && strcmp(w[1].follows, a->slug) == 0 ?
		  rdoc_printf(c->doc, "%s suit %s (--follows)", b->slug,
			      a->slug) :
		  rdoc_printf(c->doc, "%s ne déclare pas suivre %s "
			      "(study create --follows)", b->slug,
			      a->slug));
	rc = section_waves(c, w);
out:
	for (i = 0; i < WAVES; i++) {
		rsetup_clear(&w[i].setup);
		plan_free(w[i].plan);
	}
	return rc;
}
