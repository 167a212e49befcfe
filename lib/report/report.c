/*
 * report — the sections of a report and report_build() (see report.h
 * and report_int.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "disclosure_policy.h"
#include "release.h"
#include "report_int.h"

/* The most regions --compare takes. */
#define MAX_REGIONS 8

/* The most variables a role holds. */
#define MAX_ROLE 64

void
report_options_init(struct report_options *o)
{
	memset(o, 0, sizeof(*o));
	o->top = 10;
	o->dont_know = REPORT_KEEP;
	o->missing = REPORT_EXCLUDE;
	o->threshold = 0;	/* msp.disclosure_policy's */
	o->adjust = STATS_ADJUST_HOLM;
}

static enum msp_status
nomem(struct rctx *c)
{
	if (rctx_check(c) != MSP_OK)
		return MSP_ENOMEM;
	return msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
}

/* The single column "n (%) [IC 95 %]" of a whole study. */
static void
study_column(struct rcolsrc *col, const struct rcounts *counts)
{
	memset(col, 0, sizeof(*col));
	col->key = "all";
	col->label = "n (%) [IC 95 %]";
	col->counts = counts;
	col->total_kind = 't';
}

/* Appends the notes of the derived variables of vars to t's note. */
static void
add_notes(struct rctx *c, struct rtable *t, const struct rvar *const *vars,
	  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (vars[i]->note == NULL)
			continue;
		t->note = t->note == NULL ?
			rdoc_printf(c->doc, "%s : %s", vars[i]->label,
				    vars[i]->note) :
			rdoc_printf(c->doc, "%s\n%s : %s", t->note,
				    vars[i]->label, vars[i]->note);
	}
}

/* A row saying that the instrument does not measure what label names. */
static enum msp_status
not_asked(struct rctx *c, struct rtable *t, const char *key,
	  const char *label)
{
	struct rrow *row = rtable_row(c->doc, t, key, label, NULL, NULL);
	size_t j;

	if (row == NULL)
		return nomem(c);
	for (j = 0; j < t->ncols; j++)
		rcell_text(c->doc, &row->cells[j],
			   "non demandé par cet instrument");
	return rctx_check(c);
}

/* --- the region report --------------------------------------------------- */

static void
study_meta(struct rctx *c, const struct rstudy *st)
{
	rdoc_meta(c->doc, "region", "Région",
		  rdoc_printf(c->doc, "%s (%s)", st->region_name,
			      st->region_slug));
	rdoc_meta(c->doc, "study", "Étude",
		  rdoc_printf(c->doc, "%s — %s (%d)", st->slug, st->title,
			      st->year));
	rdoc_meta(c->doc, "instrument", "Questionnaire",
		  rdoc_printf(c->doc, "%s — %s", st->instrument_slug,
			      st->instrument_title));
	if (st->reconstructed)
		rdoc_meta(c->doc, "reconstructed", "Données",
			  "reconstruites à partir des agrégats publiés "
			  "(les lignes individuelles ne sont pas des "
			  "observations)");
	if (st->synthetic)
		rdoc_meta(c->doc, "synthetic", "Données",
			  "synthétiques (msp-report generate) : ce ne sont "
			  "pas des observations");
}

/* States the small-study rule when it refuses this study's --by splits
 * (msp.report_counts, 0052), so that the reader knows why none is
 * offered, rather than meeting the refusal. */
static void
by_refused_meta(struct rctx *c, const struct rcounts *counts)
{
	unsigned long responses = rcounts_get(counts, 't', NULL, NULL, NULL);

	if (c->by_minimum == 0 || responses >= c->by_minimum)
		return;
	rdoc_meta(c->doc, "by_refused", "Tableaux répartis",
		  rdoc_printf(c->doc, "non publiés pour cette étude : %lu "
			      "réponses dans la région, moins que le minimum "
			      "de %u fixé pour les répartitions (--by)",
			      responses, c->by_minimum));
}

/* Population, responses and response rate. */
static enum msp_status
section_response(struct rctx *c, const struct rsetup *s,
		 const struct rcounts *counts)
{
	unsigned long listed, targeted, responding, respondents, responses;
	struct rtable *t;
	struct rrow *row;
	enum msp_status rc;

	rc = rdata_population(c, &s->study, &listed, &targeted, &responding,
			      &respondents);
	if (rc != MSP_OK)
		return rc;
	responses = rcounts_get(counts, 't', NULL, NULL, NULL);
	t = rdoc_table(c->doc, "response", "Population ciblée et réponse", 1);
	if (t == NULL)
		return nomem(c);
	rtable_column(c->doc, t, 0, "value", "n (%) [IC 95 %]");
	if (listed == 0) {
		/* no frame recorded: the size the study reports */
		targeted = s->study.target_size > 0 ?
			   (unsigned long)s->study.target_size : 0;
		responding = respondents;
		t->note = "Pas de base de sondage enregistrée : population "
			  "ciblée déclarée par l'étude.";
	} else if (listed != targeted) {
		row = rtable_row(c->doc, t, "listed", "Structures recensées",
				 NULL, NULL);
		if (row == NULL)
			return nomem(c);
		rcell_count(&row->cells[0], listed);
	}
	if ((row = rtable_row(c->doc, t, "targeted",
			      "Population ciblée (structures en activité)",
			      NULL, NULL)) == NULL)
		return nomem(c);
	rcell_count(&row->cells[0], targeted);
	if ((row = rtable_row(c->doc, t, "responses", "Réponses", NULL,
			      NULL)) == NULL)
		return nomem(c);
	rcell_count(&row->cells[0], responses);
	if (respondents != responses) {
		/* several responses from one structure: the rate below
		 * counts structures, and says how many */
		if ((row = rtable_row(c->doc, t, "respondents",
				      "Structures répondantes", NULL,
				      NULL)) == NULL)
			return nomem(c);
		rcell_count(&row->cells[0], respondents);
	}
	if ((row = rtable_row(c->doc, t, "response_rate",
			      "Taux de réponse (répondantes / ciblées)",
			      NULL, NULL)) == NULL)
		return nomem(c);
	if (targeted > 0 && responding <= targeted)
		rcell_prop(&row->cells[0], responding, targeted);
	else
		rcell_text(c->doc, &row->cells[0], "non calculable");
	if (c->suppress) {
		/* a rate is an aggregate of the whole frame; only a tiny
		 * study's counts could point at teams */
		size_t i;

		for (i = 0; i < t->nrows; i++)
			if (release_primary(t->rows[i].cells[0].n,
					    c->threshold))
				rcell_hide(&t->rows[i].cells[0],
					   c->threshold);
	}
	return rctx_check(c);
}

/* A table of the variables of some roles, in the study column. */
static enum msp_status
section_roles(struct rctx *c, const struct rsetup *s,
	      const struct rcounts *counts, const char *key,
	      const char *title, const char *const *roles,
	      const char *const *role_labels, size_t nroles, int chart,
	      const struct rvar **shown, size_t *nshown, size_t maxshown)
{
	const struct rvar *vars[MAX_ROLE];
	struct rcolsrc col;
	struct rlayout lay = { &col, 1, 0, NULL };
	struct rtable *t;
	enum msp_status rc = MSP_OK;
	size_t r, i, n;

	study_column(&col, counts);
	col.plan = c->plan;
	t = rx_table(c, key, title, &lay);
	if (t == NULL)
		return nomem(c);
	t->chart = chart;
	for (r = 0; r < nroles && rc == MSP_OK; r++) {
		n = rsetup_role(s, roles[r], vars, MAX_ROLE);
		if (n == 0 && role_labels != NULL && role_labels[r] != NULL) {
			rc = not_asked(c, t, roles[r], role_labels[r]);
			continue;
		}
		for (i = 0; i < n && rc == MSP_OK; i++) {
			rc = rx_variable(c, t, &lay, vars[i]);
			if (*nshown < maxshown)
				shown[(*nshown)++] = vars[i];
		}
		add_notes(c, t, vars, n);
	}
	return rc;
}

/* Freins and leviers: open items by their terms, others by category. */
static enum msp_status
section_freins(struct rctx *c, const struct rsetup *s,
	       const struct rcounts *counts, const struct rvar **shown,
	       size_t *nshown, size_t maxshown)
{
	static const char *const roles[] = { "freins", "leviers" };
	static const char *const labels[] = { "Freins", "Leviers" };
	const struct rvar *vars[MAX_ROLE];
	struct rcolsrc col;
	struct rlayout lay = { &col, 1, 0, NULL };
	struct rtable *t;
	enum msp_status rc = MSP_OK;
	size_t r, i, n;

	study_column(&col, counts);
	col.plan = c->plan;
	t = rx_table(c, "freins_leviers", "Freins et leviers", &lay);
	if (t == NULL)
		return nomem(c);
	t->note = "Questions ouvertes : réponses, puis les termes les plus "
		  "fréquents et la part des réponses qui les emploient "
		  "(--terms ITEM pour la liste complète ; --has pour le "
		  "codage selon le référentiel HAS).";
	for (r = 0; r < 2 && rc == MSP_OK; r++) {
		n = rsetup_role(s, roles[r], vars, MAX_ROLE);
		if (n == 0) {
			rc = not_asked(c, t, roles[r], labels[r]);
			continue;
		}
		for (i = 0; i < n && rc == MSP_OK; i++) {
			if (*nshown < maxshown)
				shown[(*nshown)++] = vars[i];
			rc = rx_variable(c, t, &lay, vars[i]);
			if (rc == MSP_OK && vars[i]->type == RV_TEXT)
				rc = rterms_fill(c, s, vars[i],
						 rcounts_get(counts, 'i',
							     vars[i]->key,
							     NULL, NULL),
						 t, c->opt->top, 0);
		}
	}
	return rc;
}

static int
was_shown(const struct rvar *const *shown, size_t n, const struct rvar *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (shown[i] == v)
			return 1;
	return 0;
}

/* Every item not shown in an earlier section, in questionnaire order. */
static enum msp_status
section_items(struct rctx *c, const struct rsetup *s,
	      const struct rcounts *counts, const struct rvar *const *shown,
	      size_t nshown)
{
	struct rcolsrc col;
	struct rlayout lay = { &col, 1, 0, NULL };
	struct rtable *t;
	enum msp_status rc = MSP_OK;
	size_t i;

	study_column(&col, counts);
	col.plan = c->plan;
	t = rx_table(c, "items", "Autres questions", &lay);
	if (t == NULL)
		return nomem(c);
	for (i = 0; i < s->ins->n_items && rc == MSP_OK; i++)
		if (!was_shown(shown, nshown, &s->vars[i]))
			rc = rx_variable(c, t, &lay, &s->vars[i]);
	return rc;
}

static enum msp_status
region_report(struct rctx *c, const struct rsetup *s,
	      const struct rcounts *counts)
{
	static const char *const involvement[] = {
		"works_with_users", "users_group", "aci_level",
	};
	static const char *const involvement_labels[] = {
		"Travail avec des usagers", NULL,
		"Niveau ACI (indicateur « implication des usagers »)",
	};
	static const char *const intention[] = {
		"priority", "intention", "guide_awareness", "support_wanted",
	};
	static const char *const intention_labels[] = {
		"Priorité", "Intention", "Connaissance du guide",
		"Accompagnement souhaité",
	};
	static const char *const characteristic[] = { "characteristic" };
	static const char *const continuum[] = { "continuum" };
	static const char *const continuum_labels[] = {
		"Stade sur le continuum du Partenariat en Santé",
	};
	const struct rvar *shown[256];
	size_t nshown = 0;
	enum msp_status rc;

	if ((rc = section_response(c, s, counts)) != MSP_OK ||
	    (rc = section_roles(c, s, counts, "characteristics",
				"Caractéristiques des structures",
				characteristic, NULL, 1, 0, shown, &nshown,
				256)) != MSP_OK ||
	    (rc = section_roles(c, s, counts, "continuum",
				"Continuum du Partenariat en Santé",
				continuum, continuum_labels, 1, 1, shown,
				&nshown, 256)) != MSP_OK ||
	    (rc = section_roles(c, s, counts, "involvement",
				"Implication des usagers", involvement,
				involvement_labels, 3, 1, shown, &nshown,
				256)) != MSP_OK ||
	    (rc = section_roles(c, s, counts, "intention",
				"Priorité, intention, guide, "
				"accompagnement", intention,
				intention_labels, 4, 0, shown, &nshown,
				256)) != MSP_OK ||
	    (rc = section_freins(c, s, counts, shown, &nshown, 256)) !=
	    MSP_OK)
		return rc;
	return section_items(c, s, counts, shown, nshown);
}

/* --- --by: Tableaux 1 and 2 ---------------------------------------------- */

/* Names of the variables a report can split by, for a message. */
static void
by_names(const struct rsetup *s, char *out, size_t size)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < s->nvars && len < size; i++) {
		int w;

		if (s->vars[i].type != RV_CATEGORY)
			continue;
		w = snprintf(out + len, size - len, "%s%s", len ? ", " : "",
			     s->vars[i].key);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

struct groups {
	struct rctx *c;
	const struct rvar *by;
	struct rcolsrc *cols;
	size_t n, cap;
	const struct rcounts *counts;
	int oom;
};

static void
add_group(void *arg, const char *code)
{
	struct groups *g = arg;
	struct rcolsrc *col;
	size_t i;

	if (g->oom)
		return;
	for (i = 0; i < g->n; i++)
		if (strcmp(g->cols[i].grp, code) == 0)
			return;
	if (g->n == g->cap) {
		g->oom = 1;
		return;
	}
	col = &g->cols[g->n++];
	memset(col, 0, sizeof(*col));
	col->key = code;
	col->label = code;
	for (i = 0; i < g->by->ncats; i++)
		if (strcmp(g->by->cats[i].code, code) == 0)
			col->label = g->by->cats[i].label;
	col->counts = g->counts;
	col->grp = code;
	col->total_kind = 'g';
	col->plan = g->c->plan;
	col->fig.kind = FIGCOL_GROUP;
	col->fig.by = g->by->key;
	col->fig.key = code;
}

static enum msp_status
section_by(struct rctx *c, const struct rsetup *s,
	   const struct rcounts *all)
{
	const struct rvar *by = rsetup_var(s, c->opt->by);
	const struct rvar *vars[MAX_ROLE];
	struct rcounts counts;
	struct groups g;
	struct rlayout lay;
	struct rtable *t;
	int *hidden = NULL;
	char names[512];
	enum msp_status rc;
	size_t i, n;

	if (by == NULL || by->type != RV_CATEGORY) {
		by_names(s, names, sizeof(names));
		return msp_error_set(c->err, MSP_EINVAL,
				     "cannot split by '%s' in %s (variables "
				     "with categories: %s)", c->opt->by,
				     s->study.slug, names);
	}
	rc = rdata_counts(c, s, by, &counts);
	if (rc == MSP_EDB &&
	    strcmp(c->err->sqlstate, DISCLOSURE_SMALL_STUDY_SQLSTATE) == 0) {
		/* the small-study rule (msp.report_counts, 0052): the
		 * database's sentence, a refusal of the request */
		return rctx_refusal(c, MSP_EINVAL);
	}
	if (rc != MSP_OK)
		return rc;
	memset(&g, 0, sizeof(g));
	g.c = c;
	g.by = by;
	g.counts = &counts;
	g.cap = by->ncats + STATS_MAX_DIM + 1;
	g.cols = rdoc_alloc(c->doc, (g.cap + 1) * sizeof(*g.cols));
	if (g.cols == NULL)
		return nomem(c);
	for (i = 0; i < by->ncats; i++)
		if (rcounts_get(&counts, 'g', NULL, NULL, by->cats[i].code) >
		    0)
			add_group(&g, by->cats[i].code);
	/* a value outside the variable's categories still forms a group */
	for (i = 0; i < counts.n; i++)
		if (counts.rows[i].kind == 'g' && counts.rows[i].grp != NULL)
			add_group(&g, counts.rows[i].grp);
	if (g.oom)
		return msp_error_set(c->err, MSP_EINVAL,
				     "'%s' has too many categories to split "
				     "by", by->key);
	study_column(&g.cols[g.n], all);
	g.cols[g.n].key = "total";
	g.cols[g.n].label = "Total";
	g.cols[g.n].is_total = 1;
	g.cols[g.n].plan = c->plan;	/* the whole study: fig ALL */
	memset(&lay, 0, sizeof(lay));
	lay.cols = g.cols;
	lay.ncols = g.n + 1;
	lay.test = 1;
	t = rx_table(c, "by", rdoc_printf(c->doc,
		     "Caractéristiques selon : %s", by->label), &lay);
	hidden = calloc(lay.ncols, sizeof(*hidden));
	if (t == NULL || hidden == NULL) {
		free(hidden);
		return nomem(c);
	}
	t->note = rdoc_printf(c->doc, "%s\n%s", rx_test_rule,
			      rx_policy_text(c));
	if (by->note != NULL)
		t->note = rdoc_printf(c->doc, "%s\n%s : %s", t->note,
				      by->label, by->note);
	rc = rx_headcount(c, t, &lay, "Effectif (réponses)", hidden);
	lay.hidden_n = hidden;
	n = rsetup_role(s, c->opt->by_role != NULL ? c->opt->by_role :
			"characteristic", vars, MAX_ROLE);
	if (n == 0)
		/* no list for this instrument: every closed item */
		for (i = 0; i < s->ins->n_items && n < MAX_ROLE; i++)
			if (s->vars[i].type != RV_TEXT)
				vars[n++] = &s->vars[i];
	for (i = 0; i < n && rc == MSP_OK; i++)
		if (vars[i] != by)
			rc = rx_variable(c, t, &lay, vars[i]);
	if (rc == MSP_OK)
		add_notes(c, t, vars, n);
	free(hidden);
	return rc;
}

/* --- --nonresponse ------------------------------------------------------- */

/* Whether frame variable v is known (some value) in group grp. */
static int
known_in(const struct rcounts *k, const struct rvar *v, const char *grp)
{
	return rcounts_sum(k, 'f', v->key, grp) > 0;
}

static enum msp_status
section_nonresponse(struct rctx *c, const struct rsetup *s)
{
	struct rcounts frame;
	struct rvar *vars = NULL;
	struct rcolsrc cols[3];
	struct rlayout lay;
	struct rtable *t;
	int hidden[3];
	const char *unknown = NULL;
	enum msp_status rc;
	size_t i, nvars;

	if ((rc = rdata_frame(c, &s->study, &frame)) != MSP_OK ||
	    (rc = rdata_frame_vars(c, &vars, &nvars)) != MSP_OK)
		return rc;
	memset(cols, 0, sizeof(cols));
	for (i = 0; i < 3; i++) {
		cols[i].counts = &frame;
		cols[i].value_kind = 'f';
		cols[i].n_var = nvars > 0 ? vars[0].key : NULL;
	}
	cols[0].key = "participants";
	cols[0].label = "Participantes";
	cols[0].grp = "t";
	cols[1].key = "non_participants";
	cols[1].label = "Non participantes";
	cols[1].grp = "f";
	cols[2].key = "total";
	cols[2].label = "Population ciblée";
	cols[2].is_total = 1;
	for (i = 0; i < 3; i++) {
		cols[i].plan = c->plan;
		cols[i].fig.kind = FIGCOL_NONRESPONSE;
		cols[i].fig.key = cols[i].key;
	}
	memset(&lay, 0, sizeof(lay));
	lay.cols = cols;
	lay.ncols = 3;
	lay.test = 1;
	t = rx_table(c, "nonresponse", "Participantes et non participantes "
		     "(population ciblée en activité)", &lay);
	if (t == NULL)
		return nomem(c);
	rc = rx_headcount(c, t, &lay, "Effectif (structures)", hidden);
	lay.hidden_n = hidden;
	for (i = 0; i < nvars && rc == MSP_OK; i++) {
		if (!known_in(&frame, &vars[i], "t") ||
		    !known_in(&frame, &vars[i], "f")) {
			unknown = unknown == NULL ? vars[i].label :
				rdoc_printf(c->doc, "%s, %s", unknown,
					    vars[i].label);
			continue;
		}
		rc = rx_variable(c, t, &lay, &vars[i]);
	}
	t->note = rdoc_printf(c->doc, "%s\n%s%s%s", rx_test_rule,
			      rx_policy_text(c),
			      unknown != NULL ? "\nInconnu pour une partie "
			      "des groupes, non comparé : " : "",
			      unknown != NULL ? unknown : "");
	for (i = 0; i < nvars; i++) {
		const struct rvar *v = &vars[i];

		if (v->note != NULL && known_in(&frame, v, "t") &&
		    known_in(&frame, v, "f"))
			t->note = rdoc_printf(c->doc, "%s\n%s : %s", t->note,
					      v->label, v->note);
	}
	return rc == MSP_OK ? rctx_check(c) : rc;
}

/* --- --compare ----------------------------------------------------------- */

struct region {
	struct rsetup setup;
	struct rcounts counts, frame;
	struct plan *plan;	/* a federation's: plan_load() */
};

static enum msp_status
section_compare(struct rctx *c, struct region *regions, size_t n)
{
	struct rcolsrc cols[MAX_REGIONS], fcols[MAX_REGIONS];
	struct rlayout lay, flay;
	struct rvar *fvars = NULL;
	struct rtable *t, *ft, *ct;
	int hidden[MAX_REGIONS];
	enum msp_status rc;
	size_t i, j, nf;

	memset(&lay, 0, sizeof(lay));
	memset(&flay, 0, sizeof(flay));
	for (j = 0; j < n; j++) {
		const struct rstudy *st = &regions[j].setup.study;

		study_column(&cols[j], &regions[j].counts);
		cols[j].key = st->region_slug;
		cols[j].label = rdoc_printf(c->doc, "%s (%s)",
					    st->region_name, st->slug);
		cols[j].plan = regions[j].plan;
		cols[j].fig.kind = FIGCOL_COMPARE;
		cols[j].fig.key = st->region_slug;
		fcols[j] = cols[j];
		fcols[j].counts = &regions[j].frame;
		fcols[j].value_kind = 'f';
		fcols[j].total_kind = 0;
		fcols[j].grp = "t";
	}
	lay.cols = cols;
	lay.ncols = n;
	lay.test = 1;
	t = rx_table(c, "compare", "Comparaison des régions (variables "
		     "harmonisées)", &lay);
	if (t == NULL)
		return nomem(c);
	t->note = rdoc_printf(c->doc, "%s\n%s", rx_test_rule,
			      rx_policy_text(c));
	rc = rx_headcount(c, t, &lay, "Effectif (réponses)", hidden);
	lay.hidden_n = hidden;
	/* the harmonised variables every compared instrument yields */
	for (i = 0; i < regions[0].setup.nvars && rc == MSP_OK; i++) {
		const struct rvar *v = &regions[0].setup.vars[i];
		const struct rvar *notes[1] = { v };

		if (!v->derived || !v->harmonised)
			continue;
		for (j = 1; j < n; j++)
			if (rsetup_var(&regions[j].setup, v->key) == NULL)
				break;
		if (j < n)
			continue;
		rc = rx_variable(c, t, &lay, v);
		add_notes(c, t, notes, 1);
	}
	if (rc != MSP_OK)
		return rc;

	/* the frame's harmonised characteristics, of the respondents */
	if ((rc = rdata_frame_vars(c, &fvars, &nf)) != MSP_OK)
		return rc;
	for (j = 0; j < n; j++)
		fcols[j].n_var = nf > 0 ? fvars[0].key : NULL;
	flay.cols = fcols;
	flay.ncols = n;
	flay.test = 1;
	ft = rx_table(c, "compare_frame", "Comparaison des régions : "
		      "structures répondantes (base de sondage)", &flay);
	if (ft == NULL)
		return nomem(c);
	ft->note = rdoc_printf(c->doc, "%s\n%s", rx_test_rule,
			       rx_policy_text(c));
	rc = rx_headcount(c, ft, &flay, "Effectif (structures "
			  "répondantes)", hidden);
	flay.hidden_n = hidden;
	for (i = 0; i < nf && rc == MSP_OK; i++) {
		const struct rvar *notes[1] = { &fvars[i] };

		if (!fvars[i].harmonised)
			continue;
		rc = rx_variable(c, ft, &flay, &fvars[i]);
		add_notes(c, ft, notes, 1);
	}
	if (rc != MSP_OK)
		return rc;

	/* the continuum, for the regions whose instrument places teams on
	 * it (a chart in HTML) */
	for (j = 0; j < n; j++) {
		const struct rvar *v[1];
		struct rlayout one = { &cols[j], 1, 0, NULL };

		if (rsetup_role(&regions[j].setup, "continuum", v, 1) == 0)
			continue;
		ct = rx_table(c, "compare_continuum", rdoc_printf(c->doc,
			      "Continuum du Partenariat en Santé : %s",
			      regions[j].setup.study.region_name), &one);
		if (ct == NULL)
			return nomem(c);
		ct->chart = 1;
		if ((rc = rx_variable(c, ct, &one, v[0])) != MSP_OK)
			return rc;
	}
	return rctx_check(c);
}

/* --- report_build -------------------------------------------------------- */

static enum msp_status
load_region(struct rctx *c, const char *region, const char *study,
	    struct region *r)
{
	struct rstudy st;
	enum msp_status rc;

	memset(r, 0, sizeof(*r));
	if ((rc = rdata_study(c, region, study, &st)) != MSP_OK ||
	    (rc = rx_team_scope(c, &st)) != MSP_OK)
		return rc;
	/* a federation's report of a closed study applies its plan, or
	 * is refused when the plan does not hold (plan.h) */
	if (c->suppress &&
	    (rc = plan_load(c->conn, st.study_id, st.slug, &r->plan,
			    c->err)) != MSP_OK)
		return rc;
	if ((rc = rdata_setup(c, &st, &r->setup)) != MSP_OK)
		return rc;
	return rdata_counts(c, &r->setup, NULL, &r->counts);
}

/* Splits "a,b" into at most MAX_REGIONS names (doc-owned). */
static size_t
split_regions(struct rctx *c, const char *list, const char **names)
{
	size_t n = 0;
	const char *p = list;

	while (*p != '\0' && n < MAX_REGIONS) {
		size_t len = strcspn(p, ",");
		char *name = rdoc_alloc(c->doc, len + 1);

		if (name == NULL)
			return 0;
		memcpy(name, p, len);
		if (len > 0)
			names[n++] = name;
		p += len;
		if (*p == ',')
			p++;
	}
	return *p == '\0' ? n : MAX_REGIONS + 1;
}

/*
 * Two names of --compare that reach the same study (the same region
 * twice, by slug and by name, say) would compare the study with itself
 * and print p = 1 as if it were a finding: refused, naming both.
 */
static enum msp_status
distinct_studies(struct rctx *c, const struct region *regions,
		 const char *const *names, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (regions[i].setup.study.study_id ==
			    regions[j].setup.study.study_id)
				return msp_error_set(c->err, MSP_EINVAL,
					"--compare : « %s » et « %s » "
					"désignent la même étude (%s) ; une "
					"région ne se compare pas à "
					"elle-même : nommez deux régions "
					"différentes", names[i], names[j],
					regions[i].setup.study.slug);
	return MSP_OK;
}

static enum msp_status
build(struct rctx *c)
{
	const struct report_options *o = c->opt;
	struct region regions[MAX_REGIONS];
	struct rstudy studies[MAX_REGIONS];
	const char *names[MAX_REGIONS];
	size_t i, n = 0;
	int analysis = o->by != NULL || o->nonresponse || o->terms != NULL;
	int waves = 0;
	enum msp_status rc = MSP_OK;

	memset(regions, 0, sizeof(regions));
	if (o->weights != NULL &&
	    (o->region == NULL || o->compare != NULL)) {
		rc = msp_error_set(c->err, MSP_EINVAL,
				   "--weights pondère l'étude d'une région : "
				   "--region NAME");
		goto out;
	}
	if (o->compare != NULL) {
		n = split_regions(c, o->compare, names);
		if (n < 2 || n > MAX_REGIONS) {
			rc = msp_error_set(c->err, MSP_EINVAL,
					   "--compare takes 2 to %d regions, "
					   "separated by commas",
					   MAX_REGIONS);
			goto out;
		}
		/* study slugs: the waves of one region */
		if ((rc = report_waves_named(c, names, n, &waves)) != MSP_OK)
			goto out;
		if (waves) {
			rc = o->has ? msp_error_set(c->err, MSP_EINVAL,
				"--has s'applique aux régions, pas aux "
				"vagues : --region NAME --has") :
				report_waves(c, names, n);
			goto out;
		}
		for (i = 0; i < n && rc == MSP_OK; i++) {
			rc = load_region(c, names[i], NULL, &regions[i]);
			if (rc == MSP_OK)
				rc = rdata_frame(c, &regions[i].setup.study,
						 &regions[i].frame);
		}
		if (rc != MSP_OK)
			goto out;
		if ((rc = distinct_studies(c, regions, names, n)) != MSP_OK)
			goto out;
		/* the heading names both sides (the page's <h1> and
		 * <title> are the document's title) */
		c->doc->title = "Comparaison des régions :";
		for (i = 0; i < n; i++)
			c->doc->title = rdoc_printf(c->doc, "%s%s %s (%s)",
				c->doc->title, i == 0 ? "" : i + 1 < n ?
				"," : " et",
				regions[i].setup.study.region_name,
				regions[i].setup.study.slug);
		for (i = 0; i < n; i++)
			rdoc_meta(c->doc, "study", "Étude", rdoc_printf(c->doc,
				  "%s : %s (%d)%s",
				  regions[i].setup.study.region_name,
				  regions[i].setup.study.slug,
				  regions[i].setup.study.year,
				  regions[i].setup.study.reconstructed ?
				  ", données reconstruites" : ""));
		rc = section_compare(c, regions, n);
	} else if (o->region != NULL) {
		n = 1;
		rc = load_region(c, o->region, o->study, &regions[0]);
		if (rc != MSP_OK)
			goto out;
		c->plan = regions[0].plan;
		study_meta(c, &regions[0].setup.study);
		by_refused_meta(c, &regions[0].counts);
		if (!analysis && !o->has)
			rc = region_report(c, &regions[0].setup,
					   &regions[0].counts);
		else
			rc = section_response(c, &regions[0].setup,
					      &regions[0].counts);
		if (rc == MSP_OK && o->by != NULL)
			rc = section_by(c, &regions[0].setup,
					&regions[0].counts);
		if (rc == MSP_OK && o->nonresponse)
			rc = section_nonresponse(c, &regions[0].setup);
		if (rc == MSP_OK && o->terms != NULL)
			rc = report_terms(c, &regions[0].setup,
					  &regions[0].counts, o->terms,
					  o->top);
		if (rc == MSP_OK && o->weights != NULL)
			rc = report_weights(c, &regions[0].setup);
	} else if (!o->has) {
		rc = msp_error_set(c->err, MSP_EINVAL,
				   "no region: use --region NAME or "
				   "--compare A,B");
		goto out;
	}
	if (rc == MSP_OK && o->has) {
		for (i = 0; i < n; i++)
			studies[i] = regions[i].setup.study;
		rc = report_has(c, studies, n);
	}
out:
	c->plan = NULL;
	for (i = 0; i < MAX_REGIONS; i++) {
		rsetup_clear(&regions[i].setup);
		plan_free(regions[i].plan);
	}
	return rc;
}

/* The cells the document prints as secret: what every format shows as
 * one suppressed cell, counted once, after every table is built. */
static size_t
count_suppressed(const struct rdoc *doc)
{
	size_t t, i, j, n = 0;

	for (t = 0; t < doc->ntables; t++) {
		const struct rtable *tb = doc->tables[t];

		for (i = 0; i < tb->nrows; i++)
			for (j = 0; j < tb->ncols; j++)
				n += tb->rows[i].cells[j].suppressed != 0;
	}
	return n;
}

/*
 * Adjusts the p-values of every table that carries two or more tests,
 * over that table's tests (a table answers one question: "which
 * characteristics differ between the groups?"), as R's p.adjust() does
 * over the vector of the table's p-values.  A test cell without a
 * p-value (too few categories, say) is not a test and is not counted.
 * Says in the header how, and over what, once any table has several.
 * Under disclosure control, Cramér's V is withdrawn from every test.
 */
static enum msp_status
adjust_tables(struct rctx *c)
{
	double p[STATS_ADJUST_MAX], adj[STATS_ADJUST_MAX];
	struct rcell *cells[STATS_ADJUST_MAX];
	size_t t, i, j, n, ntables = 0;
	enum msp_status rc;

	for (t = 0; t < c->doc->ntables; t++) {
		const struct rtable *tb = c->doc->tables[t];

		n = 0;
		for (i = 0; i < tb->nrows; i++) {
			for (j = 0; j < tb->ncols; j++) {
				struct rcell *cell = &tb->rows[i].cells[j];

				if (cell->kind != RCELL_TEST ||
				    cell->text != NULL || cell->suppressed)
					continue;
				/* For a 2×2 table with printed margins, V
				 * gives |ad - bc| and so a hidden cell up to
				 * two values: a federation does not get it. */
				if (c->suppress)
					cell->test.cramers_v = NAN;
				if (n == STATS_ADJUST_MAX)
					return msp_error_set(c->err,
						MSP_EINVAL, "table %s: more "
						"than %d tests to adjust",
						tb->key, STATS_ADJUST_MAX);
				cells[n] = cell;
				p[n++] = cell->test.p;
			}
		}
		if (n < 2)
			continue;
		ntables++;
		rc = stats_p_adjust(p, n, c->opt->adjust, adj, c->err);
		if (rc != MSP_OK)
			return rc;
		for (i = 0; i < n; i++) {
			cells[i]->adjust = c->opt->adjust;
			cells[i]->has_p_adj =
				c->opt->adjust != STATS_ADJUST_NONE;
			cells[i]->p_adj = adj[i];
		}
	}
	if (ntables > 0)
		rdoc_meta(c->doc, "p_adjust", "Ajustement des p",
			  c->opt->adjust == STATS_ADJUST_HOLM ?
			  "holm (par défaut ; Holm 1979, p.adjust de R), sur "
			  "les tests de chaque tableau" :
			  c->opt->adjust == STATS_ADJUST_BH ?
			  "BH (Benjamini & Hochberg 1995, p.adjust de R), sur "
			  "les tests de chaque tableau" :
			  "aucun (--adjust none)");
	return MSP_OK;
}

enum msp_status
report_build(PGconn *conn, const struct report_options *opt,
	     struct rdoc **out, struct msp_error *err)
{
	struct rctx c;
	PGresult *res = NULL;
	enum msp_status rc;
	int team_page, preview;

	*out = NULL;
	if (opt->source != NULL)
		memset(opt->source, 0, sizeof(*opt->source));
	memset(&c, 0, sizeof(c));
	c.conn = conn;
	c.opt = opt;
	c.err = err;
	c.doc = rdoc_new();
	if (c.doc == NULL)
		return msp_error_set(err, MSP_ENOMEM, "report: out of memory");
	/*
	 * One snapshot for every table, so that they add up; read only.
	 * work_mem: the frequency tables of a large study hash in memory
	 * on the server rather than spill to disk.
	 */
	rc = db_exec(conn, "report: begin",
		     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
		     NULL, PGRES_COMMAND_OK, NULL, err);
	if (rc != MSP_OK)
		goto out;
	/*
	 * Whether the server is a hot standby, asked in the snapshot's
	 * first statement, which the report runs anyway: no round trip
	 * more than before, and a standby promoted under a long-lived
	 * connection (a worker's) is seen as a primary at its next
	 * report.  On a standby, the time of the last transaction it
	 * replayed is when the data are from.
	 */
	rc = db_exec(conn, "report: settings",
		     "SELECT pg_catalog.set_config('work_mem', '64MB', true),"
		     "       pg_catalog.pg_is_in_recovery() AS standby,"
		     "       pg_catalog.to_char("
		     "         pg_catalog.pg_last_xact_replay_timestamp()"
		     "         AT TIME ZONE 'UTC', 'DD/MM/YYYY HH24:MI:SS')"
		     "         AS replayed_at",
		     0, NULL, PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		goto out;
	c.standby = strcmp(db_text(res, 0, "standby"), "t") == 0;
	if (opt->source != NULL) {
		opt->source->standby = c.standby;
		if (c.standby && db_text(res, 0, "replayed_at") != NULL)
			snprintf(opt->source->replayed_at,
				 sizeof(opt->source->replayed_at), "%s",
				 db_text(res, 0, "replayed_at"));
	}
	PQclear(res);
	res = NULL;
	if (opt->token != NULL || opt->session != NULL) {
		rc = opt->token != NULL ?
		     tenant_enter(conn, opt->token, &c.kind, err) :
		     tenant_enter_session(conn, opt->session, &c.kind, err);
		if (rc != MSP_OK)
			goto out;
	}
	/* a federation's own token: the small-study rule (a team's page
	 * read as a federation is not a federation's release) */
	if (c.kind == TENANT_FEDERATION &&
	    (rc = disclosure_policy_by_minimum(conn, &c.by_minimum, err)) !=
	    MSP_OK)
		goto out;
	team_page = opt->as_federation && c.kind == TENANT_TEAM;
	if (opt->preview && c.kind == TENANT_TEAM) {
		rc = msp_error_set(err, MSP_EACCESS, "refusé : l'aperçu d'un "
				   "rapport de fédération (--as-federation) "
				   "est réservé au propriétaire et aux "
				   "analystes");
		goto out;
	}
	preview = opt->preview && (c.kind == TENANT_NONE ||
				   c.kind == TENANT_ANALYST);
	if (team_page)
		c.kind = TENANT_FEDERATION;
	c.suppress = c.kind == TENANT_FEDERATION || preview;
	/* read for everyone, in the report's snapshot: a refused
	 * MSP_DISCLOSURE_THRESHOLD is an error whoever runs the report */
	c.threshold = opt->threshold;
	if (c.threshold == 0 &&
	    (rc = disclosure_policy_threshold(conn, &c.threshold, err)) !=
	    MSP_OK)
		goto out;
	/* a federation's own token reads a protected study's stored
	 * release, never a recount, and is refused any other report
	 * (report_stored.c); so does a team's feedback page, whose token
	 * the database lets count nothing (msp.report_scope) */
	if (c.kind == TENANT_FEDERATION && !opt->live) {
		int done;

		if ((rc = report_stored(&c, &done)) != MSP_OK || done)
			goto out;
	}
	/* whole-study frequency tables may be reused only by those who
	 * see the whole study */
	c.cache = (c.kind == TENANT_NONE || c.kind == TENANT_ANALYST) &&
		  !opt->recount;
	c.tally = c.cache;
	if (c.cache && (rc = rdata_cache_begin(&c)) != MSP_OK)
		goto out;
	c.doc->title = "Implication des usagers — rapport";
	/* people read « fédération »; JSON keeps the code it always
	 * carried ("federation", or the owner's sentence) in identity and
	 * gains identity_label */
	if (c.kind == TENANT_NONE)
		rdoc_meta_code(c.doc, "identity", "Identité",
			       "propriétaire de la base (aucun jeton)",
			       "propriétaire de la base (aucun jeton)");
	else
		rdoc_meta_code(c.doc, "identity", "Identité",
			       tenant_kind_label(c.kind),
			       tenant_kind_name(c.kind));
	if (preview)
		rdoc_meta(c.doc, "preview", "Aperçu",
			  "le rapport d'une fédération de la région, compté "
			  "en direct avec son secret statistique (une "
			  "fédération lit la diffusion publiée de l'étude)");
	rc = build(&c);
	if (rc == MSP_OK)
		rc = adjust_tables(&c);
	if (rc == MSP_OK) {
		rdoc_meta(c.doc, "missing", "Données manquantes",
			  rx_policy_text(&c));
		if (c.suppress)
			rdoc_meta(c.doc, "disclosure", "Secret statistique",
				  rdoc_printf(c.doc, "effectifs de 1 à %u "
					      "masqués, avec masquage "
					      "complémentaire (%zu cellules "
					      "masquées ; %zu termes rares "
					      "omis)",
					      c.threshold - 1,
					      count_suppressed(c.doc),
					      c.nomitted));
		rc = rctx_check(&c);
	}
out:
	PQclear(res);
	/* read only: ending it either way is the same; a failed ROLLBACK
	 * leaves nothing behind that the first error does not explain */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(conn, "report: end", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
	if (rc == MSP_OK && !c.standby) {
		/* the report stands without its cache: a failure to keep
		 * the tables only makes the next report slower, and the
		 * caller is told (opt->source).  On a standby nothing is
		 * written: the cache is the primary's to keep, and its
		 * reports fold the totals */
		struct msp_error cache_err;

		c.err = &cache_err;
		if (rdata_cache_store(&c) != MSP_OK && opt->source != NULL) {
			opt->source->cache_failed = 1;
			opt->source->cache_err = cache_err;
		}
	}
	if (rc == MSP_OK) {
		*out = c.doc;
		c.doc = NULL;
	}
	rdoc_free(c.doc);
	return rc;
}
