/*
 * restitution — a team's own feedback page (restitution.h).
 *
 *   GET  /restitution  for a team signed in through /connexion: each
 *                      study it answered, its answers against its
 *                      region's published figures, then the guide and
 *                      the support it can turn to
 *   POST /restitution  from the « merci » page of an invitation link
 *                      (_study, _invitation in the body): the team's
 *                      answers and stage, and the guide; the region's
 *                      figures come at closing, in the team's space
 *
 * Two documents per study, both from report_build(), the code path of
 * /reports/{region} and of msp-report (no figure is computed here):
 *
 *   - the team's own: the report under the session's identity, as a
 *     team, so Row-Level Security counts its own response only; a row
 *     it counts is the team's answer;
 *   - the region's: the same report with report_options.as_federation:
 *     the federation's stored release of the study (report_stored.c),
 *     the very document its protection run audited, read under the
 *     team's own identity.  The database decides which studies
 *     (msp.release_scope: a closed study of the team's region that it
 *     answered) and lets the team's token count nothing
 *     (msp.report_scope), so that its hand-written SQL gets no more
 *     than this page.  "Teams like yours" is the release of --by
 *     msp.feedback_like_var with --by-role works_with_users, which the
 *     audit reads among the federation's (lib/report/audit.c).
 *
 *     The figures are the federation's, at its threshold t: a cell of
 *     t that holds the team tells it that t - 1 others answered as it
 *     did, as the federation's own report, which its teams read, tells
 *     them already.  The page used to count at t + 1 instead; a
 *     release of its own would need a protection of its own (the
 *     audit of one threshold at a time), and the team could read the
 *     federation's anyway (issue 19, session 16's note).
 *
 * A study still open shows the team's answers and no regional figure:
 * figures that move while a team watches would show it the answers of
 * the one team that sent between two readings.
 *
 * Everything shown is escaped (html_escape); the page has no script
 * and nothing from elsewhere; the charts are inline SVG beside the
 * table that says the same in text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "disclosure_policy.h"
#include "html.h"
#include "report/format.h"
#include "report/report.h"
#include "restitution.h"
#include "session.h"
#include "urlenc.h"

/* The tables of the region report a team's answers are set against,
 * by key (lib/report/report.c), in the page's order. */
static const char *const answer_tables[] = {
	"involvement", "intention", "freins_leviers",
};

/* The page's CSS, after the report's (format_html_style). */
static const char restit_style[] =
	"body{padding:0 1rem;margin:1rem auto;max-width:52rem}"
	".skip{position:absolute;left:-999px}"
	".skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}"
	"header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;"
	"align-items:center;border-bottom:1px solid #ddd;"
	"padding-bottom:.5rem}header form{margin:0 0 0 auto}"
	"button{font:inherit;padding:.35rem 1rem}"
	".box{overflow-x:auto}.mine{font-weight:700}"
	"td.num,td.like{white-space:nowrap}"
	".stage{font-size:1.1em;background:#eef4fb;padding:.6rem;"
	"border-radius:6px}.help{color:#555;font-size:.9em}"
	"svg{max-width:100%;height:auto}"
	"section.res{border-left:4px solid #2a6ebb;padding-left:.8rem;"
	"margin:1rem 0}";

/* One study the team answered, as the database lists it. */
struct answered {
	const char *slug, *title, *region, *state;
	const char *year;
	const char *like_var;	/* the --by of "teams like yours", or "" */
};

static void
esc(struct buf *b, const char *s)
{
	html_escape(b, s != NULL ? s : "");
}

static void
page_start(struct worker *w, struct buf *b, const struct session *s)
{
	char csrf[SECRET_CSRF_MAX];

	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		   "<meta charset=\"utf-8\"><meta name=\"viewport\" "
		   "content=\"width=device-width, initial-scale=1\">"
		   "<title>Restitution de votre équipe</title><style>%s%s"
		   "</style></head><body>\n<a class=\"skip\" "
		   "href=\"#contenu\">Aller au contenu</a>\n<header>",
		   format_html_style, restit_style);
	buf_puts(b, "<a href=\"/espace\">Mon espace</a>");
	if (s != NULL && session_csrf_make(&w->secret, s->id, csrf) == 0) {
		buf_puts(b, "<form method=\"post\" action=\"/deconnexion\">"
			 "<input type=\"hidden\" name=\"_csrf\" value=\"");
		esc(b, csrf);
		buf_puts(b, "\"><button type=\"submit\">Se déconnecter"
			 "</button></form>");
	}
	buf_puts(b, "</header>\n<main id=\"contenu\" tabindex=\"-1\">\n");
}

static void
page_end(struct buf *b)
{
	buf_puts(b, "</main>\n</body></html>\n");
}

/* A short page in French: a title and a sentence. */
static void
message_page(struct worker *w, struct reply *r, int status,
	     const char *title, const char *text, const struct session *s)
{
	r->status = status;
	r->content_type = "text/html";
	buf_reset(&r->body);
	page_start(w, &r->body, s);
	buf_puts(&r->body, "<h1>");
	esc(&r->body, title);
	buf_puts(&r->body, "</h1>\n<p>");
	esc(&r->body, text);
	buf_puts(&r->body, "</p>\n");
	page_end(&r->body);
}

/* Shared code's failures (the database), in French. */
static void
failure_page(struct reply *r, const struct failure *f)
{
	r->status = f->status >= 400 ? f->status : 500;
	r->content_type = "text/html";
	buf_reset(&r->body);
	buf_printf(&r->body, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		   "<meta charset=\"utf-8\"><title>Page indisponible"
		   "</title><style>%s</style></head><body><main><h1>Page "
		   "indisponible</h1><p>La restitution ne peut pas être "
		   "affichée pour le moment. Réessayez dans quelques "
		   "minutes.</p><p><a href=\"/espace\">Mon espace</a></p>"
		   "</main></body></html>\n", format_html_style);
}

/*
 * What the team's identity lists, in one read-only transaction entered
 * as the session's token (Row-Level Security: its own responses only):
 * the studies it sent a complete response to, newest first, into
 * *studies (the caller's, PQclear), and the guide's text into
 * *resources.  MSP_EACCESS when the session ended meanwhile.
 */
static enum msp_status
team_lists(PGconn *conn, const char *session, PGresult **studies,
	   PGresult **resources, struct msp_error *err)
{
	static const char sql_studies[] =
		"SELECT DISTINCT s.slug, s.title_fr, s.year::text AS year,"
		"       g.slug AS region, s.state::text AS state,"
		/* who "teams like yours" are: the same users' group */
		"       coalesce(msp.feedback_like_var(s.study_id), '')"
		"         AS like_var"
		"  FROM msp.response r"
		"  JOIN msp.study s ON s.study_id = r.study_id"
		"  JOIN msp.region g ON g.region_id = s.region_id"
		/* msp.report_scope's rule for a team: a study of its
		 * structure's region (one moved to another region since
		 * would have every load of the page refused) */
		"  JOIN msp.structure st ON st.structure_id = r.structure_id"
		"   AND st.region_id = s.region_id"
		" WHERE r.status = 'complete' AND NOT r.test"
		" ORDER BY 3 DESC, 1 LIMIT 8";
	static const char sql_resources[] =
		"SELECT coalesce(stage, '') AS stage, title_fr, body_fr,"
		"       coalesce(source_fr, '') AS source_fr"
		"  FROM msp.restitution_resource ORDER BY position";
	enum tenant_kind kind;
	enum msp_status rc;

	*studies = *resources = NULL;
	rc = db_exec(conn, "restitution: begin",
		     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
		     NULL, PGRES_COMMAND_OK, NULL, err);
	if (rc == MSP_OK)
		rc = tenant_enter_session(conn, session, &kind, err);
	if (rc == MSP_OK && kind != TENANT_TEAM)
		rc = msp_error_set(err, MSP_EACCESS, "not a team");
	if (rc == MSP_OK)
		rc = db_exec(conn, "restitution: studies", sql_studies, 0,
			     NULL, PGRES_TUPLES_OK, studies, err);
	if (rc == MSP_OK)
		rc = db_exec(conn, "restitution: resources", sql_resources,
			     0, NULL, PGRES_TUPLES_OK, resources, err);
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(conn, "restitution: end", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
	if (rc != MSP_OK) {
		PQclear(*studies);
		PQclear(*resources);
		*studies = *resources = NULL;
	}
	return rc;
}

/* The row of t for (var, cat), or NULL. */
static const struct rrow *
find_row(const struct rtable *t, const char *var, const char *cat)
{
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->nrows; i++) {
		const struct rrow *w = &t->rows[i];

		if (w->cat_key != NULL && strcmp(w->var_key, var) == 0 &&
		    strcmp(w->cat_key, cat) == 0)
			return w;
	}
	return NULL;
}

/* Whether the team's own document counts it in row w (its answer). */
static int
is_mine(const struct rrow *w)
{
	const struct rcell *c = w != NULL ? &w->cells[0] : NULL;

	return c != NULL && !c->suppressed &&
	       (c->kind == RCELL_COUNT || c->kind == RCELL_PROP) &&
	       c->n > 0;
}

/* A region cell as people read it: "22", "21 (27,3 %)", or masked. */
static void
region_cell(struct buf *b, const struct rcell *c)
{
	char pct[32];

	if (c == NULL || c->suppressed) {
		buf_puts(b, "<span title=\"secret statistique\">masqué"
			 "</span>");
		return;
	}
	if (c->kind == RCELL_PROP) {
		snprintf(pct, sizeof(pct), "%.1f", c->pct);
		if (strchr(pct, '.') != NULL)
			*strchr(pct, '.') = ',';
		buf_printf(b, "%lu (%s %%)", c->n, pct);
	} else if (c->kind == RCELL_COUNT) {
		buf_printf(b, "%lu", c->n);
	} else {
		buf_puts(b, "—");
	}
}

/*
 * The team's stage and the region's distribution of stages: a sentence,
 * a bar chart (SVG, hidden from screen readers: the table says the
 * same) and the table.  Returns the team's stage key, or NULL.
 */
static const char *
stage_section(struct buf *b, const struct rdoc *own, const struct rdoc *reg,
	      int k)
{
	const struct rtable *ot = rdoc_find_table(own, "continuum");
	const struct rtable *rt = reg != NULL ?
				  rdoc_find_table(reg, "continuum") : NULL;
	const char *mine = NULL, *mine_label = NULL;
	unsigned long max = 1;
	size_t i, rank = 0, mine_rank = 0, bars = 0;

	if (ot == NULL)
		return NULL;
	for (i = 0; i < ot->nrows; i++) {
		const struct rrow *w = &ot->rows[i];

		if (w->cat_key == NULL || *w->cat_key == '\0')
			continue;
		rank++;
		if (is_mine(w)) {
			mine = w->cat_key;
			mine_label = w->cat_label;
			mine_rank = rank;
		}
	}
	buf_printf(b, "<h3 id=\"etape-%d\">Votre étape sur le continuum du "
		   "Partenariat en Santé</h3>\n<p class=\"stage\" "
		   "id=\"votre-etape-%d\">", k, k);
	if (mine != NULL) {
		buf_printf(b, "Votre équipe : étape %zu (", mine_rank);
		esc(b, mine_label);
		buf_puts(b, ")");
	} else {
		buf_puts(b, "Votre équipe : étape non déterminée (la "
			 "question sur les outils de recueil est restée "
			 "sans réponse)");
	}
	if (rt != NULL) {
		const char *sep = "";

		buf_puts(b, " ; dans la région : ");
		for (i = 0; i < rt->nrows; i++) {
			const struct rrow *w = &rt->rows[i];

			if (w->cat_key == NULL || *w->cat_key == '\0')
				continue;
			buf_printf(b, "%s", sep);
			esc(b, w->cat_label);
			buf_puts(b, " ");
			region_cell(b, &w->cells[0]);
			sep = ", ";
			if (!w->cells[0].suppressed && w->cells[0].n > max)
				max = w->cells[0].n;
		}
	}
	buf_puts(b, ".</p>\n");
	if (rt == NULL)
		return mine;
	/* the chart: one bar per stage, the team's outlined and named in
	 * text as well (not by colour alone) */
	buf_printf(b, "<figure><svg role=\"img\" aria-labelledby=\"fig-%d\" "
		   "viewBox=\"0 0 360 150\" width=\"360\" height=\"150\">",
		   k);
	buf_printf(b, "<title id=\"fig-%d\">Équipes de la région par étape "
		   "du continuum ; les nombres sont dans le tableau "
		   "ci-dessous</title>", k);
	for (i = 0; i < rt->nrows; i++) {
		const struct rrow *w = &rt->rows[i];
		const struct rcell *c = &w->cells[0];
		unsigned h;
		int me;

		if (w->cat_key == NULL || *w->cat_key == '\0')
			continue;
		me = mine != NULL && strcmp(mine, w->cat_key) == 0;
		h = c->suppressed ? 0 : (unsigned)(100.0 * c->n / max);
		if (c->suppressed)
			buf_printf(b, "<rect x=\"%zu\" y=\"20\" width=\"70\" "
				   "height=\"100\" fill=\"none\" "
				   "stroke=\"#999\" stroke-dasharray=\"4\"/>"
				   "<text x=\"%zu\" y=\"75\" font-size=\"11\" "
				   "text-anchor=\"middle\">masqué</text>",
				   10 + bars * 88, 45 + bars * 88);
		else
			buf_printf(b, "<rect x=\"%zu\" y=\"%u\" width=\"70\" "
				   "height=\"%u\" fill=\"%s\"%s/>"
				   "<text x=\"%zu\" y=\"%u\" font-size=\"12\" "
				   "text-anchor=\"middle\">%lu</text>",
				   10 + bars * 88, 120 - h, h,
				   me ? "#2a6ebb" : "#9bbbe0",
				   me ? " stroke=\"#000\" stroke-width=\"2\"" :
				   "", 45 + bars * 88, 115 - h, c->n);
		buf_printf(b, "<text x=\"%zu\" y=\"136\" font-size=\"11\" "
			   "text-anchor=\"middle\">", 45 + bars * 88);
		esc(b, w->cat_label);
		buf_puts(b, "</text>");
		if (me)
			buf_printf(b, "<text x=\"%zu\" y=\"148\" "
				   "font-size=\"11\" font-weight=\"700\" "
				   "text-anchor=\"middle\">vous</text>",
				   45 + bars * 88);
		bars++;
	}
	buf_puts(b, "</svg></figure>\n");
	return mine;
}

/*
 * The team's answers to the items of table key against the region's
 * figures: one table per report table, a line per category, the
 * team's answers marked in words.  Categories of the missing answer
 * ("sans réponse", key "") are left out unless they are the team's.
 */
static void
answers_section(struct buf *b, const struct rdoc *own,
		const struct rdoc *reg, const char *key, int k)
{
	const struct rtable *ot = rdoc_find_table(own, key);
	const struct rtable *rt = reg != NULL ? rdoc_find_table(reg, key) :
				  NULL;
	size_t i;

	if (ot == NULL)
		return;
	buf_printf(b, "<h3 id=\"%s-%d\">", key, k);
	esc(b, ot->title);
	buf_printf(b, "</h3>\n<div class=\"box\" role=\"region\" "
		   "tabindex=\"0\" aria-labelledby=\"%s-%d\"><table "
		   "id=\"t-%s-%d\"><caption>", key, k, key, k);
	esc(b, ot->title);
	buf_puts(b, rt != NULL ? " : vos réponses et celles des équipes de "
		 "la région" : " : vos réponses");
	buf_puts(b, "</caption>\n<thead><tr><th scope=\"col\">Réponse</th>"
		 "<th scope=\"col\">Votre équipe</th>");
	if (rt != NULL)
		buf_puts(b, "<th scope=\"col\">Équipes de la région, "
			 "n (%)</th>");
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < ot->nrows; i++) {
		const struct rrow *w = &ot->rows[i];
		const struct rrow *rw;
		int me;

		if (w->cat_key == NULL) {
			buf_printf(b, "<tr><th scope=\"rowgroup\" colspan="
				   "\"%d\">", rt != NULL ? 3 : 2);
			esc(b, w->var_label);
			buf_puts(b, "</th></tr>\n");
			continue;
		}
		me = is_mine(w);
		if (*w->cat_key == '\0' && !me)
			continue;
		buf_printf(b, "<tr%s data-var=\"", me ? " class=\"mine\"" :
			   "");
		esc(b, w->var_key);
		buf_puts(b, "\" data-cat=\"");
		esc(b, w->cat_key);
		buf_puts(b, "\"><th scope=\"row\">");
		esc(b, w->cat_label);
		buf_printf(b, "</th><td>%s</td>", me ? "✓ votre réponse" :
			   "");
		if (rt != NULL) {
			rw = find_row(rt, w->var_key, w->cat_key);
			buf_puts(b, "<td class=\"num\">");
			region_cell(b, rw != NULL ? &rw->cells[0] : NULL);
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
}

/* The team's row of variable var in its own document, or NULL. */
static const struct rrow *
own_group(const struct rdoc *own, const char *var)
{
	size_t i, j;

	for (i = 0; i < own->ntables; i++)
		for (j = 0; j < own->tables[i]->nrows; j++) {
			const struct rrow *w = &own->tables[i]->rows[j];

			if (w->cat_key != NULL && *w->cat_key != '\0' &&
			    strcmp(w->var_key, var) == 0 && is_mine(w))
				return w;
		}
	return NULL;
}

/* One action of "teams like yours": its label and its cell. */
struct action {
	const char *var, *label;
	const struct rcell *cell;
};

/* Shown cells by percentage, highest first, hidden ones last. */
static int
action_cmp(const void *a, const void *b)
{
	const struct rcell *x = ((const struct action *)a)->cell;
	const struct rcell *y = ((const struct action *)b)->cell;
	double px = x->suppressed ? -1 : x->pct, py = y->suppressed ? -1 :
						   y->pct;

	return (px < py) - (px > py);
}

/*
 * « Ce que font les équipes comme la vôtre »: the region's teams of the
 * team's group (msp.feedback_like_var) and how many of them do
 * each action of the works_with_users role, from the --by document
 * like (a release of the study, as the region's), most frequent
 * first.
 */
static void
like_section(struct buf *b, const struct rdoc *own, const struct rdoc *like,
	     const char *var, int k)
{
	const struct rtable *t = rdoc_find_table(like, "by");
	const struct rrow *g = own_group(own, var);
	struct action acts[64];
	size_t i, col, n = 0;

	if (t == NULL || g == NULL)
		return;
	for (col = 0; col < t->ncols; col++)
		if (strcmp(t->cols[col].key, g->cat_key) == 0)
			break;
	if (col == t->ncols)
		return;
	buf_printf(b, "<h3 id=\"comme-%d\">Ce que font les équipes comme "
		   "la vôtre</h3>\n<p id=\"groupe-%d\">Les équipes de la "
		   "région du même groupe que la vôtre (", k, k);
	esc(b, g->var_label);
	buf_puts(b, " : ");
	esc(b, g->cat_label);
	buf_puts(b, ") : ");
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].cat_key == NULL &&
		    strcmp(t->rows[i].var_key, "n") == 0)
			break;
	/*
	 * A group whose size the release hides shows nothing more: its
	 * cells' percentages (n of the group) would give the size back,
	 * and the size is a figure the region's tables hide (the release
	 * of one table does not see the others yet: issue 19 item 2).
	 */
	if (i == t->nrows || t->rows[i].cells[col].suppressed) {
		buf_puts(b, "leur nombre est masqué (secret statistique), "
			 "et ce qu'elles font l'est donc aussi.</p>\n");
		return;
	}
	region_cell(b, &t->rows[i].cells[col]);
	buf_puts(b, " équipes, votre équipe comprise.</p>\n");
	for (i = 0; i < t->nrows && n < sizeof(acts) / sizeof(acts[0]);
	     i++) {
		const struct rrow *w = &t->rows[i];

		if (w->cat_key == NULL || strcmp(w->cat_key, "oui") != 0 ||
		    strcmp(w->var_key, var) == 0)
			continue;
		acts[n].var = w->var_key;
		acts[n].label = w->var_label;
		acts[n].cell = &w->cells[col];
		n++;
	}
	qsort(acts, n, sizeof(acts[0]), action_cmp);
	buf_printf(b, "<div class=\"box\" role=\"region\" tabindex=\"0\" "
		   "aria-labelledby=\"comme-%d\"><table id=\"t-comme-%d\">"
		   "<caption>Part des équipes de votre groupe qui répondent "
		   "« oui », de la plus fréquente à la moins fréquente"
		   "</caption>\n<thead><tr><th scope=\"col\">Action</th>"
		   "<th scope=\"col\">Équipes de votre groupe, n (%%)</th>"
		   "<th scope=\"col\">Votre équipe</th></tr></thead>\n"
		   "<tbody>\n", k, k);
	for (i = 0; i < n; i++) {
		const struct rrow *mine = find_row(
			rdoc_find_table(own, "involvement"), acts[i].var,
			"oui");

		buf_puts(b, "<tr data-like=\"");
		esc(b, acts[i].var);
		buf_puts(b, "\"><th scope=\"row\">");
		esc(b, acts[i].label);
		buf_puts(b, "</th><td class=\"like\">");
		region_cell(b, acts[i].cell);
		buf_printf(b, "</td><td>%s</td></tr>\n",
			   is_mine(mine) ? "✓ oui" : "");
	}
	buf_puts(b, "</tbody></table></div>\n");
}

/* The guide and the support: the rows for every team, then the one for
 * the team's stage (msp.restitution_resource). */
static void
resources_section(struct buf *b, const PGresult *res, const char *stage)
{
	int i, col_stage = PQfnumber(res, "stage"),
	    col_title = PQfnumber(res, "title_fr"),
	    col_body = PQfnumber(res, "body_fr"),
	    col_source = PQfnumber(res, "source_fr");

	buf_puts(b, "<h2 id=\"ressources\">Le guide et l'accompagnement "
		 "disponibles</h2>\n");
	for (i = 0; i < PQntuples(res); i++) {
		const char *st = PQgetvalue(res, i, col_stage);

		if (*st != '\0' && (stage == NULL || strcmp(st, stage) != 0))
			continue;
		buf_puts(b, "<section class=\"res\"><h3>");
		esc(b, PQgetvalue(res, i, col_title));
		buf_puts(b, "</h3><p>");
		esc(b, PQgetvalue(res, i, col_body));
		buf_puts(b, "</p>");
		if (*PQgetvalue(res, i, col_source) != '\0') {
			buf_puts(b, "<p class=\"help\">Source : ");
			esc(b, PQgetvalue(res, i, col_source));
			buf_puts(b, "</p>");
		}
		buf_puts(b, "</section>\n");
	}
}

/*
 * Builds the documents of study y (restitution.c's header) and renders
 * its section into b; *stage: the team's stage (borrowed from *own,
 * which the caller frees), or NULL.  A closed study whose release is
 * not published (never protected, or to protect again: MSP_ECONFLICT)
 * shows the team's answers and says so; "teams like yours" is left out
 * when its release is not among the study's (MSP_EINVAL: a split below
 * the small-study minimum).  On failure err is set and nothing is
 * promised of b.
 */
static enum msp_status
study_section(PGconn *conn, const struct session *s,
	      const struct answered *y, unsigned threshold, int k,
	      struct buf *b, struct rdoc **own, const char **stage,
	      struct msp_error *err)
{
	struct report_options opt;
	struct rdoc *reg = NULL, *like = NULL;
	enum msp_status rc;
	int closed = strcmp(y->state, "closed") == 0, published = 0;
	size_t i;

	*stage = NULL;
	report_options_init(&opt);
	opt.region = y->region;
	opt.study = y->slug;
	opt.session = s->id;
	rc = report_build(conn, &opt, own, err);
	if (rc != MSP_OK)
		return rc;
	if (closed) {
		opt.as_federation = 1;
		rc = report_build(conn, &opt, &reg, err);
		if (rc == MSP_ECONFLICT)
			rc = MSP_OK;	/* not published yet: said below */
		else if (rc != MSP_OK)
			return rc;
		published = reg != NULL;
	}
	buf_printf(b, "<section aria-labelledby=\"etude-%d\"><h2 "
		   "id=\"etude-%d\">", k, k);
	esc(b, y->title);
	buf_printf(b, " (%s)</h2>\n", y->year);
	if (published)
		buf_printf(b, "<p class=\"help\">Les chiffres de la région "
			   "sont ceux que publie la fédération, avec le "
			   "secret statistique : une case de moins de %u "
			   "équipes est masquée (« masqué »), et d'autres "
			   "cases avec elle pour qu'on ne puisse pas la "
			   "retrouver par différence.</p>\n", threshold);
	else if (closed)
		buf_puts(b, "<p id=\"non-publiee\">L'enquête est close, "
			 "mais la fédération n'a pas encore publié les "
			 "chiffres de la région (ils le sont une fois le "
			 "secret statistique vérifié). Voici dès maintenant "
			 "vos réponses.</p>\n");
	else
		buf_puts(b, "<p id=\"ouverte\">L'enquête est encore ouverte : "
			 "les chiffres de la région seront affichés à sa "
			 "clôture, quand ils ne bougeront plus. Voici dès "
			 "maintenant vos réponses.</p>\n");
	*stage = stage_section(b, *own, reg, k);
	for (i = 0; i < sizeof(answer_tables) / sizeof(answer_tables[0]);
	     i++)
		answers_section(b, *own, reg, answer_tables[i], k);
	if (published && *y->like_var != '\0') {
		opt.by = y->like_var;
		opt.by_role = "works_with_users";
		rc = report_build(conn, &opt, &like, err);
		if (rc == MSP_EINVAL)
			rc = MSP_OK;	/* not among the releases */
		else if (rc != MSP_OK)
			goto out;
		if (like != NULL)
			like_section(b, *own, like, y->like_var, k);
	}
	buf_puts(b, "</section>\n");
out:
	rdoc_free(reg);
	rdoc_free(like);
	return rc;
}

static void
restitution_page(struct worker *w, struct reply *r, const struct session *s)
{
	PGresult *studies = NULL, *resources = NULL;
	struct rdoc *own[RESTITUTION_MAX_STUDIES] = { NULL };
	const char *stage = NULL, *st;
	struct buf *b = &r->body;
	struct msp_error err;
	unsigned threshold;
	PGconn *conn;
	int i, n;

	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return;
	if (team_lists(conn, s->id, &studies, &resources, &err) != MSP_OK ||
	    disclosure_policy_threshold(conn, &threshold, &err) != MSP_OK) {
		if (err.status == MSP_EACCESS) {
			r->status = 303;
			r->content_type = "text/plain";
			http_header(r, "Location", "/connexion");
		} else {
			conn_failure_reply(&w->db, &err, r);
		}
		goto out;
	}
	r->status = 200;
	r->content_type = "text/html";
	buf_reset(b);
	page_start(w, b, s);
	buf_puts(b, "<h1>Restitution de votre équipe</h1>\n<p>Ce que votre "
		 "équipe a répondu, placé à côté des réponses des équipes de "
		 "votre région, puis le guide et l'accompagnement "
		 "disponibles. Seule votre équipe voit cette page ; aucune "
		 "autre équipe n'y est reconnaissable.</p>\n");
	n = PQntuples(studies);
	if (n == 0)
		buf_puts(b, "<p id=\"aucune\">Votre équipe n'a encore envoyé "
			 "de réponse à aucune enquête : la restitution "
			 "apparaîtra ici après l'envoi du questionnaire."
			 "</p>\n");
	for (i = 0; i < n && i < RESTITUTION_MAX_STUDIES; i++) {
		struct answered y;

		y.slug = PQgetvalue(studies, i, PQfnumber(studies, "slug"));
		y.title = PQgetvalue(studies, i,
				     PQfnumber(studies, "title_fr"));
		y.year = PQgetvalue(studies, i, PQfnumber(studies, "year"));
		y.region = PQgetvalue(studies, i,
				      PQfnumber(studies, "region"));
		y.state = PQgetvalue(studies, i, PQfnumber(studies, "state"));
		y.like_var = PQgetvalue(studies, i,
					PQfnumber(studies, "like_var"));
		if (study_section(conn, s, &y, threshold, i + 1, b, &own[i],
				  &st, &err) != MSP_OK) {
			if (err.status == MSP_EDB)
				conn_failure_reply(&w->db, &err, r);
			else
				message_page(w, r, 503, "Page indisponible",
					     "La restitution ne peut pas être "
					     "calculée pour le moment. "
					     "Réessayez dans quelques "
					     "minutes.", s);
			goto out;
		}
		if (stage == NULL)
			stage = st;	/* the newest study's stage */
	}
	resources_section(b, resources, stage);
	page_end(b);
out:
	for (i = 0; i < RESTITUTION_MAX_STUDIES; i++)
		rdoc_free(own[i]);
	PQclear(studies);
	PQclear(resources);
}

/* --- from an invitation link ------------------------------------------ */

/* The roles of msp.report_role whose items the page shows, in order. */
static const char sql_roles[] =
	"SELECT rr.var_key"
	"  FROM msp.report_role rr"
	" WHERE rr.instrument_slug = $1"
	"   AND rr.role IN ('works_with_users', 'priority', 'intention',"
	"                   'guide_awareness', 'support_wanted', 'freins',"
	"                   'leviers')"
	" ORDER BY array_position(ARRAY['works_with_users', 'priority',"
	"          'intention', 'guide_awareness', 'support_wanted',"
	"          'freins', 'leviers'], rr.role), rr.position";

/* The continuum's stages, to name the one msp.invitation_open's
 * '_stage' gives (msp.response_stage: the stage is derived there,
 * nowhere else). */
static const char sql_stages[] =
	"SELECT cs.stage, cs.rank::text AS rank, cs.label_fr"
	"  FROM msp.continuum_stage cs ORDER BY cs.rank";

static const char sql_resources_all[] =
	"SELECT coalesce(stage, '') AS stage, title_fr, body_fr,"
	"       coalesce(source_fr, '') AS source_fr"
	"  FROM msp.restitution_resource ORDER BY position";

/* The answer to key in res (msp.invitation_open's rows), or NULL. */
static const char *
answer_of(const PGresult *res, const char *key)
{
	int i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), key) == 0)
			return PQgetvalue(res, i, 1);
	return NULL;
}

/* Whether s is n lower-case hex digits. */
static int
is_hex_len(const char *s, size_t n)
{
	return s != NULL && strlen(s) == n &&
	       strspn(s, "0123456789abcdef") == n;
}

/* Whether s is a study's slug: 1 to 63 of [a-z0-9-]. */
static int
slug_ok(const char *s)
{
	size_t n = s != NULL ? strspn(s, "abcdefghijklmnopqrstuvwxyz"
				      "0123456789-") : 0;

	return n > 0 && n <= 63 && s[n] == '\0';
}

/*
 * The page for the structure an invitation link names (its answers as
 * msp.invitation_open gives them with its '_stage', own; the continuum's
 * stages, stages; resources): the team's
 * answers and stage, and the guide.  No regional figure: the study is
 * open when a team sends (the figures come at closing, in the team's
 * space), and the link is no identity the report functions accept.
 */
static void
invitation_page(struct worker *w, struct reply *r, const struct study *y,
		const PGresult *own, const PGresult *roles,
		const PGresult *stages, const PGresult *resources)
{
	const struct instrument *ins = y->ins;
	const char *stage = NULL, *mine;
	struct buf *b = &r->body;
	int i, rows = 0;

	r->status = 200;
	r->content_type = "text/html";
	buf_reset(b);
	page_start(w, b, NULL);
	buf_puts(b, "<h1>Restitution de votre équipe</h1>\n<section "
		 "aria-labelledby=\"etude-1\"><h2 id=\"etude-1\">");
	esc(b, y->title_fr);
	buf_printf(b, " (%d)</h2>\n<p id=\"ouverte\">Les chiffres des "
		   "équipes de la région seront publiés à la clôture de "
		   "l'enquête, quand ils ne bougeront plus : votre "
		   "fédération vous les restitue, et l'espace de votre équipe "
		   "(/connexion, avec le jeton d'accès de l'équipe) les "
		   "place à côté de vos réponses. Voici dès maintenant vos "
		   "réponses.</p>\n", y->year);
	mine = answer_of(own, "_stage");
	for (i = 0; mine != NULL && i < PQntuples(stages); i++) {
		if (strcmp(mine, PQgetvalue(stages, i, 0)) == 0) {
			stage = PQgetvalue(stages, i, 0);
			buf_printf(b, "<h3 id=\"etape-1\">Votre étape sur le "
				   "continuum du Partenariat en Santé</h3>\n"
				   "<p class=\"stage\" id=\"votre-etape-1\">"
				   "Votre équipe : étape %s (",
				   PQgetvalue(stages, i, 1));
			esc(b, PQgetvalue(stages, i, 2));
			buf_puts(b, ").</p>\n");
			break;
		}
	}
	buf_puts(b, "<h3 id=\"reponses-1\">Vos réponses</h3>\n<div "
		 "class=\"box\" role=\"region\" tabindex=\"0\" "
		 "aria-labelledby=\"reponses-1\"><table id=\"t-reponses-1\">"
		 "<caption>Vos réponses sur l'implication des usagers, la "
		 "priorité, les freins et les leviers</caption>\n<thead><tr>"
		 "<th scope=\"col\">Question</th><th scope=\"col\">Votre "
		 "réponse</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < PQntuples(roles); i++) {
		const char *key = PQgetvalue(roles, i, 0), *a;
		const struct instrument_item *it = instrument_find(ins, key);
		const struct item_option *o;

		if (it == NULL || (a = answer_of(own, key)) == NULL)
			continue;
		o = item_find_option(it, a);
		buf_puts(b, "<tr class=\"mine\" data-var=\"");
		esc(b, key);
		buf_puts(b, "\"><th scope=\"row\">");
		esc(b, it->label_fr);
		buf_puts(b, "</th><td>");
		/* a yes/no item has no options: the form's own labels */
		if (it->type == ITEM_BOOLEAN)
			esc(b, strcmp(a, "oui") == 0 ? "Oui" :
			    strcmp(a, "non") == 0 ? "Non" : a);
		else
			esc(b, o != NULL ? o->label_fr : a);
		buf_puts(b, "</td></tr>\n");
		rows++;
	}
	if (rows == 0)
		buf_puts(b, "<tr><td colspan=\"2\">Aucune réponse à ces "
			 "questions.</td></tr>\n");
	buf_puts(b, "</tbody></table></div>\n</section>\n");
	resources_section(b, resources, stage);
	page_end(b);
}

/*
 * POST /restitution from the « merci » page of an invitation link
 * (fcgi/forms.c): _study and _invitation in the body, never in a URL
 * (nginx writes request lines into its error log).  The code is
 * checked as the form checks it: its SHA-256 against msp.population,
 * through msp.invitation_open; the structure's response must be sent.
 */
static void
invitation_post(struct worker *w, struct request *req, struct reply *r)
{
	char hash[CRYPTO_SHA256_HEX], sid[16];
	PGresult *own = NULL, *roles = NULL, *stages = NULL, *res = NULL;
	const char *slug, *code, *params[2], *status;
	const struct study *y;
	struct msp_error err;
	struct urlenc u;
	PGconn *conn;
	size_t i;
	int found;

	memset(&u, 0, sizeof(u));
	if (!http_content_type_is(req, "application/x-www-form-urlencoded")) {
		message_page(w, r, 415, "Format non pris en charge", "Ouvrez "
			     "la restitution depuis la page de "
			     "remerciement du questionnaire.", NULL);
		goto out;
	}
	if (http_read_body_or_reply(req, r) != 0)
		goto out;
	if (urlenc_parse(req->body, req->body_len, &u, &err) != MSP_OK ||
	    !slug_ok(slug = urlenc_get(&u, "_study")) ||
	    !is_hex_len(code = urlenc_get(&u, "_invitation"), 64)) {
		r->log_note = "restitution refused";
		message_page(w, r, 400, "Demande illisible", "Ouvrez la "
			     "restitution depuis la page de remerciement du "
			     "questionnaire, ou avec le lien de votre "
			     "invitation.", NULL);
		goto out;
	}
	y = studies_find_or_reply(&w->studies, &w->db, slug, r, &found);
	if (y == NULL) {
		if (found == 0)
			goto unknown;
		goto out;
	}
	if (crypto_sha256_hex(code, strlen(code), hash, &err) != MSP_OK ||
	    (conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	snprintf(sid, sizeof(sid), "%d", y->study_id);
	params[0] = sid;	/* $1: the study */
	params[1] = hash;	/* $2: SHA-256 of the link's code */
	if (db_exec_prepared(conn, "invitation_open", 2, params,
			     PGRES_TUPLES_OK, &own, &err) != MSP_OK)
		goto failed;
	if (PQntuples(own) == 0)
		goto unknown;
	status = answer_of(own, "_status");
	if (status == NULL || strcmp(status, "complete") != 0) {
		message_page(w, r, 409, "Questionnaire pas encore envoyé",
			     "La restitution suit l'envoi du questionnaire : "
			     "ouvrez le lien de votre invitation, terminez "
			     "et envoyez vos réponses.", NULL);
		goto out;
	}
	params[0] = y->ins->slug;	/* $1: the instrument */
	if (db_exec(conn, "restitution: roles", sql_roles, 1, params,
		    PGRES_TUPLES_OK, &roles, &err) != MSP_OK ||
	    db_exec(conn, "restitution: stages", sql_stages, 0, NULL,
		    PGRES_TUPLES_OK, &stages, &err) != MSP_OK ||
	    db_exec(conn, "restitution: resources", sql_resources_all, 0,
		    NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		goto failed;
	r->log_note = "restitution by invitation";
	invitation_page(w, r, y, own, roles, stages, res);
	goto out;
unknown:
	r->log_note = "invitation-unknown";
	message_page(w, r, 404, "Lien d'invitation inconnu", "Ce lien ne "
		     "correspond à aucune structure invitée à cette "
		     "enquête. Vérifiez-le dans le message reçu.", NULL);
	goto out;
failed:
	conn_failure_reply(&w->db, &err, r);
out:
	PQclear(own);
	PQclear(roles);
	PQclear(stages);
	PQclear(res);
	/* the link's code gives access to the team's answers: wiped */
	for (i = 0; i < u.n; i++)
		if (u.fields[i].value != NULL)
			crypto_cleanse(u.fields[i].value,
				       strlen(u.fields[i].value));
	urlenc_free(&u);
}

int
restitution_route(struct worker *w, struct request *req, struct reply *r)
{
	struct session s;
	int live;

	if (strcmp(req->path, "/restitution") != 0)
		return 0;
	r->render_failure = failure_page;
	memset(&s, 0, sizeof(s));
	if (strcmp(req->method, "POST") == 0) {
		invitation_post(w, req, r);
		return 1;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		http_header(r, "Allow", "GET, POST");
		message_page(w, r, 405, "Méthode non permise", "Cette page "
			     "ne s'utilise pas ainsi.", NULL);
		return 1;
	}
	live = session_load_or_reply(w, req, &s, r);
	if (live == 0) {
		r->status = 303;
		r->content_type = "text/plain";
		http_header(r, "Location", "/connexion");
	} else if (live > 0 && s.kind != TENANT_TEAM) {
		r->log_note = "restitution refused";
		message_page(w, r, 403, "Page réservée aux équipes",
			     "La restitution est la page d'une équipe qui a "
			     "répondu à l'enquête, ouverte avec le jeton de "
			     "cette équipe. Les fédérations et les analystes "
			     "lisent les rapports régionaux depuis leur "
			     "espace.", &s);
	} else if (live > 0) {
		restitution_page(w, r, &s);
	}
	session_clear(&s);
	return 1;
}
