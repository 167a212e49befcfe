/*
 * report_terms — the most frequent terms of an open item (--terms, and
 * the freins and leviers of the region report).  The database groups
 * identical answers; textfreq folds, filters and stems the words.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "release.h"
#include "report_int.h"
#include "textfreq.h"

/* Counts the terms of v's answers into a new counter (*out). */
static enum msp_status
count_terms(struct rctx *c, const struct rsetup *s, const struct rvar *v,
	    struct textfreq **out)
{
	struct textfreq *tf = NULL;
	struct rcounts words;
	const struct rcount *w;
	enum msp_status rc;
	size_t i, n;

	*out = NULL;
	rc = rdata_words(c, &s->study, v->key, &words);
	if (rc != MSP_OK)
		return rc;
	tf = textfreq_new();
	if (tf == NULL)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	/* the groups of rare words a federation's database function
	 * kept back (msp.report_words): omitted terms it cannot count */
	c->nomitted += rcounts_get(&words, 'o', NULL, NULL, NULL);
	w = rcounts_range(&words, 'w', NULL, NULL, &n);
	for (i = 0; i < n; i++) {
		if (w[i].val == NULL)
			continue;
		rc = textfreq_add_word(tf, w[i].val, w[i].n,
				       rcounts_get(&words, 'v', NULL,
						   w[i].val, NULL), c->err);
		if (rc != MSP_OK) {
			textfreq_free(tf);
			return rc;
		}
	}
	*out = tf;
	return MSP_OK;
}

enum msp_status
rterms_fill(struct rctx *c, const struct rsetup *s, const struct rvar *v,
	    unsigned long answered, struct rtable *t, unsigned top,
	    int with_occurrences)
{
	const struct textfreq_term *terms;
	struct textfreq *tf = NULL;
	size_t i, n, shown = 0;
	enum msp_status rc;

	rc = count_terms(c, s, v, &tf);
	if (rc != MSP_OK)
		return rc;
	/* every term, so that a federation's cut below the threshold
	 * still leaves up to top terms */
	n = textfreq_top(tf, (size_t)-1, &terms);
	for (i = 0; i < n && shown < top; i++) {
		struct rrow *row;
		size_t col = 0;

		/* a rare term could name a team: a federation sees only
		 * those enough answers share */
		if (!release_term_published(terms[i].answers,
					    c->suppress ? c->threshold : 0)) {
			c->nomitted++;
			continue;
		}
		row = rtable_row(c->doc, t, v->key, v->label, terms[i].stem,
				 terms[i].term);
		if (row == NULL)
			break;
		if (with_occurrences)
			rcell_count(&row->cells[col++], terms[i].occurrences);
		rcell_prop(&row->cells[col], terms[i].answers, answered);
		shown++;
	}
	textfreq_free(tf);
	return rctx_check(c);
}

enum msp_status
report_terms(struct rctx *c, const struct rsetup *s,
	     const struct rcounts *counts, const char *item, unsigned top)
{
	const struct rvar *v = rsetup_var(s, item);
	struct rtable *t;

	if (v == NULL || v->type != RV_TEXT || v->derived) {
		size_t i, len = 0;
		char names[512];

		names[0] = '\0';
		for (i = 0; i < s->nvars && len < sizeof(names); i++) {
			int w;

			if (s->vars[i].type != RV_TEXT || s->vars[i].derived)
				continue;
			w = snprintf(names + len, sizeof(names) - len, "%s%s",
				     len ? ", " : "", s->vars[i].key);
			if (w < 0)
				break;
			len += (size_t)w;
		}
		return msp_error_set(c->err, MSP_EINVAL,
				     "'%s' is not an open item of %s "
				     "(open items: %s)", item,
				     s->study.instrument_slug, names);
	}
	t = rdoc_table(c->doc, "terms",
		       rdoc_printf(c->doc, "Termes les plus fréquents : %s",
				   v->label), 2);
	if (t == NULL)
		return rctx_check(c);
	rtable_column(c->doc, t, 0, "occurrences", "Occurrences");
	rtable_column(c->doc, t, 1, "answers", "Réponses qui l'emploient");
	t->note = rdoc_printf(c->doc,
		"Mots en minuscules, accents et mots-outils du français "
		"retirés, pluriels ramenés au singulier (« patients » = "
		"« patient ») ; chaque terme sous sa forme la plus écrite.  "
		"Une réponse qui écrit un terme de deux façons compte pour "
		"chacune.%s",
		c->suppress ? "  Diffusion fédération : seuls les termes "
		"employés dans au moins le seuil de réponses sont listés." :
		"");
	return rterms_fill(c, s, v, rcounts_get(counts, 'i', v->key, NULL,
						NULL), t, top, 1);
}
