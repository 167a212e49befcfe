/*
 * protect — audit, then hide more, until the audit passes (protect.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "lp.h"
#include "report/audit.h"
#include "report/protect.h"
#include "tenant.h"

/* Runs sql (returning rows) in a transaction of its own, under the
 * caller's token when there is one; *res (may be NULL) the caller's. */
static enum msp_status
as_caller(PGconn *conn, const char *token, const char *what, const char *sql,
	  int nparams, const char *const *params, PGresult **res,
	  struct msp_error *err)
{
	enum tenant_kind kind;
	enum msp_status rc;

	rc = db_exec(conn, "protect: begin", "BEGIN", 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (rc == MSP_OK && token != NULL)
		rc = tenant_enter(conn, token, &kind, err);
	if (rc == MSP_OK)
		rc = db_exec(conn, what, sql, nparams, params,
			     PGRES_TUPLES_OK, res, err);
	if (rc == MSP_OK)
		rc = db_exec(conn, "protect: commit", "COMMIT", 0, NULL,
			     PGRES_COMMAND_OK, NULL, err);
	if (rc != MSP_OK && res != NULL) {
		PQclear(*res);
		*res = NULL;
	}
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(conn, "protect: rollback", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
	return rc;
}

/* The column of an identity (figure_id.h): what follows its last '|'. */
static const char *
column_of(const char *key)
{
	const char *bar = strrchr(key, '|');

	return bar != NULL ? bar + 1 : key;
}

/* Whether figure key belongs to this study: every column but a
 * comparison's, and the comparison's column of its region when that
 * column shows this study (region is then its slug; NULL when the
 * comparison shows another study of the region). */
static int
own(const char *key, const char *region)
{
	const char *col = column_of(key);

	return strncmp(col, "CMP:", 4) != 0 ||
	       (region != NULL && strcmp(col + 4, region) == 0);
}

/*
 * Whether the reports can hide figure key through the plan: a column
 * of this study that the renderer names (figure_id.h), and not a
 * figure the layout always publishes: the responses (the response
 * table) and the head count of the whole study.
 */
static int
plannable(const char *key, const char *region)
{
	const char *col = column_of(key);
	size_t len = strlen(col);

	if (!own(key, region) || strcmp(key, "responses|-|ALL") == 0 ||
	    strcmp(key, "n|-|ALL") == 0)
		return 0;
	if (strcmp(col, "ALL") == 0 || strncmp(col, "NR:", 3) == 0 ||
	    strncmp(col, "CMP:", 4) == 0)
		return 1;
	/* a group, not the remainder (never printed) */
	return strchr(col, '=') != NULL &&
	       !(len >= 2 && strcmp(col + len - 2, "=~") == 0);
}

int
protect_fixed(const struct audit *a, size_t i, const void *region)
{
	return a->figs[i].known &&
	       !plannable(a->figs[i].key, (const char *)region);
}

/*
 * Whether failing figure f is a "< t" that no hiding can widen
 * (audit_lp_inherent): *yes.  MSP_ENOMEM, MSP_EINVAL (lp_solve's).
 */
static enum msp_status
inherent(const struct audit *a, size_t f, const char *region, int *yes,
	 struct msp_error *err)
{
	const struct audit_figure *fig = &a->figs[f];
	struct audit_lp lp;
	enum lp_result res;
	enum msp_status rc;
	double lo, hi;

	*yes = 0;
	if (fig->below <= 1 || fig->known)
		return MSP_OK;
	rc = audit_lp_inherent(a, f, protect_fixed, region, &lp, err);
	if (rc != MSP_OK)
		return rc;
	rc = lp_solve(&lp.p, &res, &lo, NULL, err);
	if (rc != MSP_OK || res != LP_OPTIMAL)
		goto out;
	lp.c[lp.var] = -1;
	rc = lp_solve(&lp.p, &res, &hi, NULL, err);
	if (rc != MSP_OK || res != LP_OPTIMAL)
		goto out;
	/* the same test as the audit's for a "< t" */
	*yes = lo > 1 + 1e-6 || -hi < fig->below - 1 - 1e-6;
out:
	audit_lp_clear(&lp);
	return rc;
}

/* The plan as this run grows it: identities and why. */
struct growing {
	char **keys, **whys;
	size_t n, cap;
	size_t round_first;	/* where this round's begin */
};

static int
planned(const struct growing *g, const char *key)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->keys[i], key) == 0)
			return 1;
	return 0;
}

/* Adds key with its reason; -1 when out of memory. */
static int
plan_grow(struct growing *g, const char *key, const char *why)
{
	if (g->n == g->cap) {
		size_t c = g->cap ? g->cap * 2 : 64;
		char **k = msp_realloc(g->keys, c * sizeof(*k));

		if (k == NULL)
			return -1;
		g->keys = k;
		k = msp_realloc(g->whys, c * sizeof(*k));
		if (k == NULL)
			return -1;
		g->whys = k;
		g->cap = c;
	}
	g->keys[g->n] = msp_strdup(key);
	g->whys[g->n] = msp_strdup(why);
	if (g->keys[g->n] == NULL || g->whys[g->n] == NULL) {
		msp_free(g->keys[g->n]);
		msp_free(g->whys[g->n]);
		return -1;
	}
	g->n++;
	return 0;
}

static void
growing_free(struct growing *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		msp_free(g->keys[i]);
		msp_free(g->whys[i]);
	}
	msp_free(g->keys);
	msp_free(g->whys);
}

/* Which relations each figure is in: CSR over a's figures. */
struct rel_index {
	size_t *first;		/* nfigs + 1 */
	size_t *rels;
	size_t *seen;		/* nfigs: the BFS's visit marks */
	size_t mark;
};

static void
rel_index_free(struct rel_index *x)
{
	msp_free(x->first);
	msp_free(x->rels);
	msp_free(x->seen);
	memset(x, 0, sizeof(*x));
}

/* 0, or -1 when out of memory. */
static int
rel_index_make(const struct audit *a, struct rel_index *x)
{
	size_t i, k, *fill = NULL;

	memset(x, 0, sizeof(*x));
	x->first = msp_calloc(a->nfigs + 2, sizeof(size_t));
	x->rels = msp_calloc(a->nterms + 1, sizeof(size_t));
	x->seen = msp_calloc(a->nfigs + 1, sizeof(size_t));
	fill = msp_calloc(a->nfigs + 1, sizeof(size_t));
	if (x->first == NULL || x->rels == NULL || x->seen == NULL ||
	    fill == NULL) {
		msp_free(fill);
		rel_index_free(x);
		return -1;
	}
	for (i = 0; i < a->nrels; i++)
		for (k = 0; k < a->rels[i].nterms; k++)
			x->first[a->terms[a->rels[i].first + k].fig + 1]++;
	for (i = 0; i < a->nfigs; i++)
		x->first[i + 1] += x->first[i];
	for (i = 0; i < a->nrels; i++)
		for (k = 0; k < a->rels[i].nterms; k++) {
			size_t f = a->terms[a->rels[i].first + k].fig;

			x->rels[x->first[f] + fill[f]++] = i;
		}
	msp_free(fill);
	return 0;
}

/* Whether figure key is one of the region report's (column ALL): the
 * report every federation opens, and the total column of every --by. */
static int
in_region_report(const char *key)
{
	return strcmp(column_of(key), "ALL") == 0;
}

/*
 * The figure that rel says equals f: rel holds f and one other figure,
 * with opposite coefficients and nothing else but printed zeros (a
 * number's missing answers, 0); SIZE_MAX when it says no such thing.
 */
static size_t
twin(const struct audit *a, const struct audit_relation *rel, size_t f)
{
	size_t k, o = SIZE_MAX;
	double cf = 0, co = 0;

	if (rel->rhs != 0)
		return SIZE_MAX;
	for (k = 0; k < rel->nterms; k++) {
		const struct audit_term *t = &a->terms[rel->first + k];

		if (t->fig == f)
			cf = t->coef;
		else if (a->figs[t->fig].known && a->figs[t->fig].value == 0)
			continue;
		else if (o == SIZE_MAX) {
			o = t->fig;
			co = t->coef;
		} else
			return SIZE_MAX;
	}
	return cf != 0 && cf == -co ? o : SIZE_MAX;
}

/* How many equalities costly() follows from a figure. */
#define PROTECT_TWINS 4

/*
 * Whether hiding figure j blanks a figure of the region report: j is
 * one, or the same count under another name, through at most
 * PROTECT_TWINS relations of two terms (j = k): a --by group's head
 * count is its category in the region report, and a number's answered
 * count in a group without missing answers is the group's head count.
 * Hiding the one while the other is printed gives nothing but a
 * failure that a later round fixes by hiding the other: measured on
 * Occitanie 2024, the whole « Continuum » table was blanked that way
 * (docs/report.md, "What it does").
 */
static int
costly(const struct audit *a, const struct rel_index *x, size_t j)
{
	size_t chain[PROTECT_TWINS + 1], n = 1, d, r, k;

	chain[0] = j;
	for (d = 0; d < n; d++) {
		size_t f = chain[d];

		if (in_region_report(a->figs[f].key))
			return 1;
		for (r = x->first[f]; r < x->first[f + 1] &&
		     n <= PROTECT_TWINS; r++) {
			const struct audit_relation *rel =
				&a->rels[x->rels[r]];
			size_t o = twin(a, rel, f);

			if (o == SIZE_MAX)
				continue;
			for (k = 0; k < n && chain[k] != o; k++)
				;
			if (k == n)
				chain[n++] = o;
		}
	}
	return 0;
}

/*
 * Whether published figure j (depth relations away from the failing
 * figure) is a better complement than best (at best_depth): a costly
 * figure last, whatever the depth (hiding one blanks the
 * report every federation reads, and every --by's total column with
 * it); then the nearest; then the smallest positive (a zero hides
 * little); then the smallest identity, so that a run is the same every
 * time.
 */
static int
better(const struct audit *a, const struct rel_index *ix, size_t j,
       size_t depth, size_t best, size_t best_depth)
{
	double x = a->figs[j].value, y;
	int rj, rb;

	if (best == SIZE_MAX)
		return 1;
	rj = costly(a, ix, j);
	rb = costly(a, ix, best);
	if (rj != rb)
		return rb;
	if (depth != best_depth)
		return depth < best_depth;
	y = a->figs[best].value;
	if ((x > 0) != (y > 0))
		return x > 0;
	if (x != y)
		return x < y;
	return strcmp(a->figs[j].key, a->figs[best].key) < 0;
}

/* Whether j may be added as a complement. */
static int
candidate(const struct audit *a, const struct growing *g, size_t j,
	  const char *region)
{
	return a->figs[j].known && !a->figs[j].hidden &&
	       plannable(a->figs[j].key, region) &&
	       !planned(g, a->figs[j].key);
}

/*
 * Whether hiding j would give nothing: a relation holds j and only
 * figures the layout always prints (or constants), so that j is known
 * whatever the reports hide (a number's answered count when none is
 * missing: the responses).
 */
static int
pinned(const struct audit *a, const struct rel_index *x, size_t j,
       const char *region)
{
	size_t r, k;

	for (r = x->first[j]; r < x->first[j + 1]; r++) {
		const struct audit_relation *rel = &a->rels[x->rels[r]];
		int free_other = 0;

		for (k = 0; k < rel->nterms && !free_other; k++) {
			size_t o = a->terms[rel->first + k].fig;

			free_other = o != j && (!a->figs[o].known ||
						plannable(a->figs[o].key,
							  region));
		}
		if (!free_other)
			return 1;
	}
	return 0;
}

/* How far complement_of() looks, in relations, from a failing figure. */
#define PROTECT_DEPTH 4

/* complement_of(): f waits for the next round's audit. */
#define PROTECT_LATER (SIZE_MAX - 1)

/* Whether key joined the plan in the round being chosen. */
static int
this_round(const struct growing *g, const char *key)
{
	size_t i;

	for (i = g->round_first; i < g->n; i++)
		if (strcmp(g->keys[i], key) == 0)
			return 1;
	return 0;
}

/*
 * The best published figure (better()) that shares a relation with f,
 * or with a hidden figure that does, and so on up to PROTECT_DEPTH
 * relations away (hidden figures in between: a group's « sans
 * réponse » is tied to its published head count through its hidden
 * categories); never a pinned one.  A costly figure (one that blanks
 * the region report) is taken only when no other is found at any
 * depth, and not at all when this round already hides a figure the
 * search met: the next audit says whether f still needs it (the loop
 * that took the smallest figure at the first depth, and a new one for
 * each failing figure of a round, blanked 62 of the 132 count cells
 * of Occitanie 2024's region report; now 24: docs/report.md).
 * SIZE_MAX when none, PROTECT_LATER when f waits.
 */
static size_t
complement_of(const struct audit *a, const struct growing *g,
	      struct rel_index *x, size_t f, const char *region)
{
	size_t *front = NULL, *next = NULL, nfront = 1, nnext, depth, i, r, k;
	size_t best = SIZE_MAX, best_depth = 0;
	int near_new = 0;

	front = msp_calloc(a->nfigs + 1, sizeof(*front));
	next = msp_calloc(a->nfigs + 1, sizeof(*next));
	if (front == NULL || next == NULL)
		goto out;
	x->mark++;
	front[0] = f;
	x->seen[f] = x->mark;
	for (depth = 0; depth < PROTECT_DEPTH && nfront > 0 &&
	     (best == SIZE_MAX || costly(a, x, best));
	     depth++) {
		nnext = 0;
		for (i = 0; i < nfront; i++)
			for (r = x->first[front[i]];
			     r < x->first[front[i] + 1]; r++) {
				const struct audit_relation *rel =
					&a->rels[x->rels[r]];

				for (k = 0; k < rel->nterms; k++) {
					size_t j = a->terms[rel->first +
							    k].fig;

					if (x->seen[j] == x->mark)
						continue;
					x->seen[j] = x->mark;
					if (this_round(g, a->figs[j].key))
						near_new = 1;
					if (candidate(a, g, j, region) &&
					    !pinned(a, x, j, region)) {
						if (better(a, x, j, depth,
							   best, best_depth)) {
							best = j;
							best_depth = depth;
						}
					} else if (!a->figs[j].known) {
						next[nnext++] = j;
					}
				}
			}
		memcpy(front, next, nnext * sizeof(*front));
		nfront = nnext;
	}
	/* a costly complement waits for the next audit */
	if (near_new && (best == SIZE_MAX || costly(a, x, best)))
		best = PROTECT_LATER;
out:
	msp_free(front);
	msp_free(next);
	return best;
}

/* The smallest published figure of f's variable, or SIZE_MAX. */
static size_t
widen(const struct audit *a, const struct growing *g,
      const struct rel_index *x, size_t f, const char *region)
{
	const char *key = a->figs[f].key, *bar = strchr(key, '|');
	size_t len = bar != NULL ? (size_t)(bar - key) + 1 : strlen(key);
	size_t j, best = SIZE_MAX;

	for (j = 0; j < a->nfigs; j++)
		if (j != f && strncmp(a->figs[j].key, key, len) == 0 &&
		    candidate(a, g, j, region) && !pinned(a, x, j, region) &&
		    better(a, x, j, 0, best, 0))
			best = j;
	return best;
}

/* One round's additions to g for the failing figures of a; how many
 * were added in *added, failing own figures in *fails, of which no
 * hiding can widen in *stuck (nothing is added for those). */
static enum msp_status
choose(const struct audit *a, struct growing *g, const char *region,
       size_t *added, size_t *fails, size_t *stuck, size_t *widened,
       size_t *relabelled, struct msp_error *err)
{
	char why[700];
	struct rel_index x;
	size_t i, before = g->n;
	enum msp_status rc;

	*fails = 0;
	*stuck = 0;
	if (rel_index_make(a, &x) != 0)
		goto nomem;
	for (i = 0; i < a->nfigs; i++) {
		const struct audit_figure *f = &a->figs[i];
		size_t j;

		if (!f->hidden || !f->fails || !own(f->key, region))
			continue;
		(*fails)++;
		if (f->known) {
			/* hidden here, printed there: hide it everywhere */
			if (!plannable(f->key, region) ||
			    planned(g, f->key))
				continue;
			snprintf(why, sizeof(why), "imprimé ailleurs, "
				 "masqué dans %s", f->where);
			if (pinned(a, &x, i, region))
				continue;	/* known whatever we hide */
			if (plan_grow(g, f->key, why) != 0)
				goto nomem;
			continue;
		}
		{
			int yes;

			if ((rc = inherent(a, i, region, &yes, err)) !=
			    MSP_OK) {
				rel_index_free(&x);
				return rc;
			}
			if (yes) {
				/* hiding more would only over-suppress; the
				 * "< t" itself is what says too much: shown
				 * as a complement ("s") in every report, its
				 * reader knows x >= 0 and the relations only
				 * (the lead's decision, session 15) */
				if (!plannable(f->key, region) ||
				    planned(g, f->key)) {
					(*stuck)++;
					continue;
				}
				snprintf(why, sizeof(why), "« < %u » que les "
					 "autres étiquettes resserrent [%g, %g]"
					 " : affiché « s »", f->below, f->lo,
					 f->hi);
				if (plan_grow(g, f->key, why) != 0)
					goto nomem;
				(*relabelled)++;
				continue;
			}
		}
		j = complement_of(a, g, &x, i, region);
		if (j == PROTECT_LATER)
			continue;
		if (j == SIZE_MAX) {
			j = widen(a, g, &x, i, region);
			(*widened)++;
			snprintf(why, sizeof(why), "élargi à la variable : "
				 "protège %s [%g, %g]", f->key, f->lo, f->hi);
		} else {
			snprintf(why, sizeof(why), "protège %s [%g, %g]",
				 f->key, f->lo, f->hi);
		}
		if (j != SIZE_MAX && plan_grow(g, a->figs[j].key, why) != 0)
			goto nomem;
	}
	*added = g->n - before;
	rel_index_free(&x);
	return MSP_OK;
nomem:
	rel_index_free(&x);
	return msp_error_set(err, MSP_ENOMEM, "protect: out of memory");
}

/* Appends s to b as an element of a PostgreSQL array literal. */
static void
array_elem(struct buf *b, const char *s, int first)
{
	buf_puts(b, first ? "\"" : ",\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* Stores the figures g added in this round. */
static enum msp_status
store_round(PGconn *conn, const char *token, const char *study_id,
	    unsigned round, const struct growing *g, struct msp_error *err)
{
	struct buf figs = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf whys = BUF_INIT(BUF_MAX_DOCUMENT);
	char rtext[16];
	const char *params[4];
	enum msp_status rc;
	size_t i;

	snprintf(rtext, sizeof(rtext), "%u", round);
	buf_putc(&figs, '{');
	buf_putc(&whys, '{');
	for (i = g->round_first; i < g->n; i++) {
		array_elem(&figs, g->keys[i], i == g->round_first);
		array_elem(&whys, g->whys[i], i == g->round_first);
	}
	buf_putc(&figs, '}');
	buf_putc(&whys, '}');
	if ((rc = buf_status(&figs, err)) != MSP_OK ||
	    (rc = buf_status(&whys, err)) != MSP_OK)
		goto out;
	params[0] = study_id;		/* $1 the study */
	params[1] = rtext;		/* $2 the round */
	params[2] = buf_str(&figs);	/* $3 the identities */
	params[3] = buf_str(&whys);	/* $4 why each */
	rc = as_caller(conn, token, "protect: add",
		       "SELECT msp.disclosure_plan_add($1::integer,"
		       " $2::integer, $3::text[], $4::text[])", 4, params,
		       NULL, err);
out:
	buf_free(&figs);
	buf_free(&whys);
	return rc;
}

/*
 * Stores the reports of the run's last audit a as the study's
 * federation releases (msp.federation_release_store, migration 0053):
 * every part the server did not refuse, its request's key and its JSON,
 * exactly what the audit read.  hash: the run's token's SHA-256, which
 * the function checks against the study's current run.  *stored: how
 * many.  MSP_EDB (another run took over: 55000), MSP_ENOMEM, MSP_EINVAL
 * (the arrays pass BUF_MAX_DOCUMENT).
 */
static enum msp_status
store_releases(PGconn *conn, const char *token, const char *study_id,
	       const char *hash, const struct audit *a, size_t *stored,
	       struct msp_error *err)
{
	struct buf requests = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf documents = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *params[4];
	PGresult *res = NULL;
	enum msp_status rc;
	size_t i, n = 0;

	*stored = 0;
	buf_putc(&requests, '{');
	buf_putc(&documents, '{');
	for (i = 0; i < a->nparts; i++) {
		const struct audit_part *part = &a->parts[i];

		if (part->refused || part->request == NULL ||
		    part->json == NULL)
			continue;
		array_elem(&requests, part->request, n == 0);
		array_elem(&documents, part->json, n == 0);
		n++;
	}
	buf_putc(&requests, '}');
	buf_putc(&documents, '}');
	if ((rc = buf_status(&requests, err)) != MSP_OK ||
	    (rc = buf_status(&documents, err)) != MSP_OK)
		goto out;
	params[0] = study_id;			/* $1 the study */
	params[1] = hash;			/* $2 the run's token */
	params[2] = buf_str(&requests);		/* $3 the keys */
	params[3] = buf_str(&documents);	/* $4 the documents */
	rc = as_caller(conn, token, "protect: store releases",
		       "SELECT msp.federation_release_store($1::integer,"
		       " $2, $3::text[], $4::jsonb[]) AS stored", 4, params,
		       &res, err);
	if (rc == MSP_OK)
		*stored = (size_t)strtoul(db_text(res, 0, "stored"), NULL,
					  10);
out:
	PQclear(res);
	buf_free(&requests);
	buf_free(&documents);
	return rc;
}

static size_t
count_hidden(const struct audit *a, const char *region)
{
	size_t i, n = 0;

	for (i = 0; i < a->nfigs; i++)
		n += a->figs[i].hidden && own(a->figs[i].key, region);
	return n;
}

static void
say(const struct protect_options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
say(const struct protect_options *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (o->progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	o->progress(o->arg, line);
}

/* The failing figures no round can help, for the error's reader (at
 * most 20). */
static void
say_stuck(const struct protect_options *o, const struct audit *a,
	  const char *region)
{
	size_t i, n = 0;

	for (i = 0; i < a->nfigs && n < 20; i++) {
		const struct audit_figure *f = &a->figs[i];

		if (!f->hidden || !f->fails || !own(f->key, region))
			continue;
		say(o, "  en défaut : %s [%g, %g]%s (%s)", f->key, f->lo,
		    f->hi, f->known ? ", publié ailleurs" : "", f->where);
		n++;
	}
}

enum msp_status
protect_study(PGconn *conn, const struct protect_options *o,
	      struct protect_result *res, struct msp_error *err)
{
	const unsigned cap = o->max_rounds ? o->max_rounds :
			     PROTECT_MAX_ROUNDS;
	char token[65], hash[CRYPTO_SHA256_HEX], study_id[16], hb[24],
	     ha[24], fa[24];
	const char *params[6];
	struct audit_options ao;
	struct audit *a = NULL;
	struct growing g;
	PGresult *st = NULL;
	char *region = NULL;
	const char *own_region = NULL;
	enum msp_status rc;
	int begun = 0, ended = 0;
	size_t added = 0, fails = 0, stuck = 0;

	memset(res, 0, sizeof(*res));
	memset(&g, 0, sizeof(g));
	params[0] = o->study;	/* $1 the study's slug */
	rc = as_caller(conn, o->token, "protect: study",
		       /* shown: whether a comparison of regions shows
			* this study for its region, by the order of
			* report_data.c's sql_studies */
		       "SELECT s.study_id, s.state::text AS state,"
		       "       r.slug AS region,"
		       "       (SELECT l.study_id FROM msp.study l"
		       "         WHERE l.region_id = s.region_id"
		       "           AND l.state <> 'draft'"
		       "         ORDER BY l.synthetic, l.year DESC,"
		       "                  l.study_id DESC LIMIT 1)"
		       "       = s.study_id AS shown"
		       "  FROM msp.study s"
		       "  JOIN msp.region r ON r.region_id = s.region_id"
		       " WHERE s.slug = $1", 1, params, &st, err);
	if (rc != MSP_OK)
		goto out;
	if (PQntuples(st) != 1) {
		rc = msp_error_set(err, MSP_EINVAL, "aucune étude « %s »",
				   o->study);
		goto out;
	}
	if (strcmp(db_text(st, 0, "state"), "closed") != 0) {
		rc = msp_error_set(err, MSP_EINVAL, "l'étude « %s » n'est "
				   "pas close : seule une étude close se "
				   "protège (msp-report study close %s)",
				   o->study, o->study);
		goto out;
	}
	snprintf(study_id, sizeof(study_id), "%s",
		 db_text(st, 0, "study_id"));
	if ((region = msp_strdup(db_text(st, 0, "region"))) == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "protect: out of memory");
		goto out;
	}
	/* the figures this run counts and hides: a comparison's column
	 * of the region only when it shows this study */
	own_region = strcmp(db_text(st, 0, "shown"), "t") == 0 ? region :
		     NULL;
	/* the run's federation token: drawn here, known to this process
	 * only, revoked at the end */
	if ((rc = crypto_random_hex(32, token, err)) != MSP_OK ||
	    (rc = crypto_sha256_hex(token, strlen(token), hash, err)) !=
	    MSP_OK)
		goto out;
	/* the database gets its hash only, as with token create: a
	 * statement's parameters may reach the server's log */
	params[0] = study_id;	/* $1 the study */
	params[1] = hash;	/* $2 the run's token's SHA-256 */
	rc = as_caller(conn, o->token, "protect: begin run",
		       "SELECT msp.disclosure_plan_begin($1::integer, $2)",
		       2, params, NULL, err);
	if (rc != MSP_OK)
		goto out;
	begun = 1;
	memset(&ao, 0, sizeof(ao));
	ao.token = token;
	ao.region = region;
	ao.study = o->study;
	ao.fails_only = 1;
	/* the last audit's reports are the study's releases */
	ao.keep_documents = 1;
	ao.live = 1;
	for (res->rounds = 1; ; res->rounds++) {
		if ((rc = audit_run(conn, &ao, &a, err)) != MSP_OK)
			goto out;
		g.round_first = g.n;
		if ((rc = choose(a, &g, own_region, &added, &fails, &stuck,
				 &res->widened, &res->relabelled, err)) !=
		    MSP_OK)
			goto out;
		if (res->rounds == 1) {
			res->hidden_before = count_hidden(a, own_region);
			res->fails_before = fails;
		}
		say(o, "tour %u : %zu chiffres masqués, %zu en défaut (dont "
		    "%zu qu'aucun masquage n'élargit), %zu ajoutés au plan",
		    res->rounds, count_hidden(a, own_region), fails, stuck,
		    added);
		if (fails == 0 || added == 0) {
			/* passed, or no more hiding helps: the plan ends
			 * here, its residual failures said */
			if (added == 0 && fails > 0)
				say_stuck(o, a, own_region);
			res->hidden_after = count_hidden(a, own_region);
			res->fails_after = fails;
			res->inherent_after = stuck;
			ended = 1;
			break;
		}
		if (res->rounds >= cap) {
			rc = msp_error_set(err, MSP_ECONFLICT,
				"la protection de « %s » ne converge pas : "
				"%zu chiffres en défaut après %u tours",
				o->study, fails, res->rounds);
			goto out;
		}
		if ((rc = store_round(conn, o->token, study_id, res->rounds,
				      &g, err)) != MSP_OK)
			goto out;
		audit_free(a);
		a = NULL;
	}
	res->planned = g.n;
	/* stored before the end marks the plan complete: a run that
	 * cannot store them leaves it unfinished (refused) */
	if ((rc = store_releases(conn, o->token, study_id, hash, a,
				 &res->released, err)) != MSP_OK) {
		ended = 0;
		goto out;
	}
	say(o, "%zu rapports enregistrés comme diffusions de l'étude",
	    res->released);
out:
	if (begun) {
		struct msp_error end_err;
		enum msp_status erc;

		snprintf(hb, sizeof(hb), "%zu", res->hidden_before);
		snprintf(ha, sizeof(ha), "%zu", res->hidden_after);
		snprintf(fa, sizeof(fa), "%zu", res->fails_after);
		params[0] = study_id;			/* $1 the study */
		params[1] = hash;			/* $2 the run's */
		params[2] = ended ? "true" : "false";	/* $3 complete */
		params[3] = hb;				/* $4 before */
		params[4] = ended ? ha : NULL;		/* $5 after */
		params[5] = ended ? fa : NULL;		/* $6 still failing */
		erc = as_caller(conn, o->token, "protect: end run",
				"SELECT msp.disclosure_plan_end($1::integer,"
				" $2, $3::boolean, $4::integer, $5::integer,"
				" $6::integer)", 6, params, NULL, &end_err);
		if (erc != MSP_OK && rc == MSP_OK) {
			*err = end_err;
			rc = erc;
		}
	}
	crypto_cleanse(token, sizeof(token));
	audit_free(a);
	growing_free(&g);
	msp_free(region);
	PQclear(st);
	return rc;
}
