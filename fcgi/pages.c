/*
 * pages — the workspace in the browser (pages.h).
 *
 *   GET  /connexion              the sign-in form
 *   POST /connexion              a token typed once, for a session
 *   POST /deconnexion            sign-out
 *   GET  /espace                 who you are, your reports, your studies
 *   GET  /reports/{region}       the region report, as msp-report
 *                                --region gives it under the session's
 *                                token; ?study=, by=, nsp=, missing=
 *   GET  /reports/{region}.csv   the same document as --format csv
 *   GET  /reports/{region}.json  ... as --format json
 *   GET  /reports/compare        two regions, or two waves of a region,
 *                                as msp-report --compare A,B; ?a=, b=,
 *                                nsp=, missing= (+ .csv, .json)
 *   GET  /fieldwork/{study}      the fieldwork monitor, as msp-report
 *                                fieldwork --study (+ .csv, .json)
 *
 * One code path with the CLI: report_build() and fieldwork_build() make
 * the document under the session's identity (tenant_enter_session: the
 * same role and RLS as the token), format_render() gives the downloads
 * and format_html_body() the page's tables.  A region named "compare"
 * would have no page: the schema's slugs are place names.
 *
 * The token travels once, in the body of POST /connexion: never in a
 * URL (nginx's error log writes whole request lines), never in a log
 * (the worker logs the path), never in a page (the field is a password
 * field, not filled again on error).  The sign-in form is itself
 * protected against cross-site posting: a random key in a cookie of
 * its own (SIGNIN_COOKIE, Path=/connexion, an hour) and the form's
 * CSRF token made from it.  Guessing tokens is slowed by nginx, which
 * takes at most 10 sign-ins a minute from one address (burst 5; a
 * token has 256 random bits anyway); the worker answers a wrong token
 * at once rather than sleep, which would hold a worker per attempt.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "html.h"
#include "pages.h"
#include "report/fieldwork.h"
#include "report/format.h"
#include "report/plan.h"
#include "report/report.h"
#include "report/report_disclosure.h"
#include "session.h"
#include "urlenc.h"

/* The sign-in form's own key: a cookie, 24 random bytes in hex. */
#define SIGNIN_COOKIE "msp_signin"
#define SIGNIN_KEY_BYTES 24
#define SIGNIN_KEY_HEX (2 * SIGNIN_KEY_BYTES + 1)
#define SIGNIN_MAX_AGE (60 * 60)

/* Slugs and variable names, as the schema allows them, and no more. */
#define NAME_MAX_LEN 63

/* The page's own CSS, after the report's (format_html_style). */
static const char page_style[] =
	"body{padding:0 1rem;margin:1rem auto}"
	".skip{position:absolute;left:-999px}"
	".skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}"
	"header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;"
	"align-items:center;border-bottom:1px solid #ddd;"
	"padding-bottom:.5rem}header form{margin:0 0 0 auto}"
	"label{display:block;margin:.4rem 0 .1rem;font-weight:600}"
	"fieldset{border:1px solid #ccc;border-radius:6px;min-width:0;"
	"margin:.5rem 0}fieldset label{display:inline;font-weight:normal;"
	"margin-right:1rem}input,select,button{font:inherit;"
	"max-width:100%;box-sizing:border-box}"
	"input[type=password],input[type=text]{width:24rem;padding:.3rem}"
	"button{padding:.35rem 1rem}.error{color:#b00020;font-weight:600}"
	".help{color:#555;font-size:.9em}ul.dl li{margin:.2rem 0}"
	"dd{overflow-wrap:anywhere}summary{cursor:pointer;"
	"font-weight:600;margin:1rem 0 .5rem}"
	"@media (max-width:40em){dl.meta{display:block}"
	"dl.meta dd{margin:0 0 .4rem}}";

/* Escaped text, for the statics below. */
static void
esc(struct buf *b, const char *s)
{
	html_escape(b, s != NULL ? s : "");
}

/*
 * The top of a page: title, the skip link, and, for a session, who is
 * signed in and the sign-out button (its form carries the session's
 * CSRF token).  main is what the skip link reaches.
 */
static void
page_start(struct worker *w, struct buf *b, const char *title,
	   const struct session *s)
{
	char csrf[SECRET_CSRF_MAX];

	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		 "<meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, "
		 "initial-scale=1\"><title>");
	esc(b, title);
	buf_printf(b, "</title><style>%s%s</style></head><body>\n"
		   "<a class=\"skip\" href=\"#contenu\">Aller au contenu"
		   "</a>\n<header>", format_html_style, page_style);
	if (s != NULL) {
		buf_puts(b, "<a href=\"/espace\">Mon espace</a>");
		if (session_csrf_make(&w->secret, s->id, csrf) == 0) {
			buf_puts(b, "<form method=\"post\" "
				 "action=\"/deconnexion\"><input "
				 "type=\"hidden\" name=\"_csrf\" value=\"");
			esc(b, csrf);
			buf_puts(b, "\"><button type=\"submit\">Se "
				 "déconnecter</button></form>");
		}
	} else {
		buf_puts(b, "<span>Enquête sur l'implication des "
			 "usagers</span>");
	}
	buf_puts(b, "</header>\n<main id=\"contenu\" tabindex=\"-1\">\n");
}

static void
page_end(struct buf *b)
{
	buf_puts(b, "</main>\n</body></html>\n");
}

static void
html_reply(struct reply *r, int status)
{
	r->status = status;
	r->content_type = "text/html";
	buf_reset(&r->body);
}

/* A short page: title and one paragraph, and a link onwards. */
static void
message_page(struct worker *w, struct reply *r, int status,
	     const char *title, const char *text, const struct session *s)
{
	html_reply(r, status);
	page_start(w, &r->body, title, s);
	buf_puts(&r->body, "<h1>");
	esc(&r->body, title);
	buf_puts(&r->body, "</h1>\n<p>");
	esc(&r->body, text);
	buf_puts(&r->body, s != NULL ?
		 "</p>\n<p><a href=\"/espace\">Mon espace</a></p>\n" :
		 "</p>\n<p><a href=\"/connexion\">Connexion</a></p>\n");
	page_end(&r->body);
}

static void
see_other(struct reply *r, const char *where)
{
	r->status = 303;
	r->content_type = "text/plain";
	http_header(r, "Location", where);
}

/* Shared code's failures (the body reader, the database), in French. */
static void
failure_page(struct reply *r, const struct failure *f)
{
	const char *title, *text;

	switch (f->status) {
	case 503:
		title = "Service momentanément indisponible";
		text = "La page ne peut pas être affichée pour le moment. "
		       "Réessayez dans quelques minutes.";
		break;
	case 413:
	case 400:
		title = "Demande illisible";
		text = "La demande reçue est incomplète ou mal formée. "
		       "Revenez à la page précédente et réessayez.";
		break;
	default:
		title = "Erreur";
		text = "Une erreur est survenue. Réessayez plus tard.";
		break;
	}
	r->status = f->status >= 400 ? f->status : 500;
	r->content_type = "text/html";
	buf_reset(&r->body);
	buf_printf(&r->body, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		   "<meta charset=\"utf-8\"><meta name=\"viewport\" "
		   "content=\"width=device-width, initial-scale=1\">"
		   "<title>%s</title><style>%s</style></head><body>"
		   "<main><h1>%s</h1><p>%s</p><p><a href=\"/espace\">"
		   "Mon espace</a></p></main></body></html>\n",
		   title, format_html_style, title, text);
}

/* Wipes every value of u (a token, a CSRF token) and frees it. */
static void
urlenc_free_secret(struct urlenc *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->fields[i].value != NULL)
			crypto_cleanse(u->fields[i].value,
				       strlen(u->fields[i].value));
	urlenc_free(u);
}

/* A POSTed form's fields, or -1 replied (400, 413, 415, 503). */
static int
read_form_or_reply(struct request *req, struct reply *r, struct urlenc *u)
{
	struct msp_error err;

	memset(u, 0, sizeof(*u));
	if (!http_content_type_is(req,
				  "application/x-www-form-urlencoded")) {
		static const struct failure bad_type = {
			415, NULL, "a form is x-www-form-urlencoded" };

		http_fail(r, &bad_type);
		return -1;
	}
	if (http_read_body_or_reply(req, r) != 0)
		return -1;
	if (urlenc_parse(req->body, req->body_len, u, &err) != MSP_OK) {
		static const struct failure bad_form = {
			400, NULL, "the form is malformed" };

		urlenc_free_secret(u);
		http_fail(r, &bad_form);
		return -1;
	}
	return 0;
}

/* --- sign-in ----------------------------------------------------------- */

/*
 * The sign-in form, with error (a sentence, or NULL) above it.  A new
 * form key goes in SIGNIN_COOKIE, and the form carries its CSRF token.
 */
static void
signin_page(struct worker *w, const struct request *req, struct reply *r,
	    int status, const char *error)
{
	char key[SIGNIN_KEY_HEX], csrf[SECRET_CSRF_MAX];
	struct msp_error err;
	struct buf *b = &r->body;

	if (crypto_random_hex(SIGNIN_KEY_BYTES, key, &err) != MSP_OK ||
	    session_csrf_make(&w->secret, key, csrf) != 0) {
		static const struct failure no_random = {
			503, "5", "the random generator failed" };

		http_fail(r, &no_random);
		return;
	}
	html_reply(r, status);
	session_set_cookie(r, req, SIGNIN_COOKIE, key, "/connexion",
			   SIGNIN_MAX_AGE);
	page_start(w, b, "Connexion", NULL);
	buf_puts(b, "<h1>Connexion</h1>\n");
	if (error != NULL) {
		buf_puts(b, "<p class=\"error\" role=\"alert\" "
			 "id=\"erreur\">");
		esc(b, error);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<p>Saisissez le jeton d'accès que l'équipe de "
		 "l'enquête vous a remis (64 caractères). Il n'est demandé "
		 "qu'une fois : une session le remplace, close après 30 "
		 "minutes sans activité, 12 heures au plus, ou quand vous "
		 "vous déconnectez.</p>\n"
		 "<form method=\"post\" action=\"/connexion\">\n"
		 "<input type=\"hidden\" name=\"_csrf\" value=\"");
	esc(b, csrf);
	buf_printf(b, "\">\n<label for=\"jeton\">Jeton d'accès</label>\n"
		   "<input id=\"jeton\" name=\"jeton\" type=\"password\" "
		   "autocomplete=\"off\" spellcheck=\"false\" required "
		   "maxlength=\"200\"%s>\n"
		   "<p><button type=\"submit\">Se connecter</button></p>\n"
		   "</form>\n", error != NULL ?
		   " aria-invalid=\"true\" aria-describedby=\"erreur\"" : "");
	page_end(b);
	crypto_cleanse(key, sizeof(key));
	crypto_cleanse(csrf, sizeof(csrf));
}

/* The token as typed, without the blanks a copy and paste adds, if it
 * has a token's form (64 hex digits, either case), lower-cased into
 * out; else 0. */
static int
token_form(const char *typed, char out[TENANT_TOKEN_HEX + 1])
{
	size_t n = 0;
	const char *p;

	for (p = typed; *p != '\0'; p++) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (n == TENANT_TOKEN_HEX ||
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == TENANT_TOKEN_HEX;
}

static const char wrong_token[] =
	"Ce jeton est inconnu ou a été révoqué. Vérifiez-le et "
	"réessayez ; s'il a été révoqué, demandez-en un nouveau à "
	"l'équipe de l'enquête.";

static void
signin_post(struct worker *w, struct request *req, struct reply *r)
{
	char key[SIGNIN_KEY_HEX], token[TENANT_TOKEN_HEX + 1];
	char id[SESSION_ID_HEX];
	enum tenant_kind kind;
	struct urlenc u;
	const char *typed;
	int opened;

	token[0] = '\0';
	if (read_form_or_reply(req, r, &u) != 0)
		return;
	if (!session_cookie(req, SIGNIN_COOKIE, SIGNIN_KEY_HEX - 1, key,
			    sizeof(key)) ||
	    !session_csrf_check(&w->secret, key,
				urlenc_get(&u, "_csrf"))) {
		r->log_note = "signin form expired";
		signin_page(w, req, r, 403, "Le formulaire de connexion a "
			    "expiré ou ne vient pas de ce site. Saisissez "
			    "de nouveau votre jeton ci-dessous.");
		goto out;
	}
	typed = urlenc_get(&u, "jeton");
	if (typed == NULL || !token_form(typed, token)) {
		r->log_note = "signin refused";
		signin_page(w, req, r, 401, "Ce n'est pas un jeton d'accès : "
			    "un jeton a 64 caractères, chiffres et lettres "
			    "de a à f.");
		goto out;
	}
	opened = session_open_or_reply(w, token, id, &kind, r);
	if (opened < 0)
		goto out;
	if (opened == 0) {
		r->log_note = "signin refused";
		signin_page(w, req, r, 401, wrong_token);
		goto out;
	}
	r->log_note = "signin";
	see_other(r, "/espace");
	session_set_cookie(r, req, SESSION_COOKIE, id, "/", SESSION_MAX_AGE);
	session_set_cookie(r, req, SIGNIN_COOKIE, "", "/connexion", 0);
	crypto_cleanse(id, sizeof(id));
out:
	crypto_cleanse(token, sizeof(token));
	urlenc_free_secret(&u);
}

static void
signout_post(struct worker *w, struct request *req, struct reply *r)
{
	struct session s;
	struct urlenc u;
	int live;

	if (read_form_or_reply(req, r, &u) != 0)
		return;
	live = session_load_or_reply(w, req, &s, r);
	if (live < 0)
		goto out;
	if (live && !session_csrf_check(&w->secret, s.id,
					urlenc_get(&u, "_csrf"))) {
		r->log_note = "csrf refused";
		message_page(w, r, 403, "Déconnexion refusée",
			     "Ce formulaire ne vient pas de cette session "
			     "(ou a expiré) : vous êtes toujours connecté. "
			     "Utilisez le bouton « Se déconnecter » de la "
			     "page.", &s);
		goto out;
	}
	if (live && session_close_or_reply(w, s.id, r) != 0)
		goto out;
	r->log_note = "signout";
	see_other(r, "/connexion");
	session_set_cookie(r, req, SESSION_COOKIE, "", "/", 0);
out:
	session_clear(&s);
	urlenc_free_secret(&u);
}

/* --- the space ----------------------------------------------------------- */

/* Whether the session may be shown region's report in its space (it
 * may ask for any: the database decides what it sees). */
static int
in_scope(const struct session *s, const char *region)
{
	return s->kind == TENANT_ANALYST ||
	       (s->kind == TENANT_FEDERATION &&
		strcmp(s->region_slug, region) == 0);
}

static void
space_page(struct worker *w, struct reply *r, const struct session *s)
{
	const struct studies *st = &w->studies;
	struct buf *b = &r->body;
	size_t i, j, shown = 0;

	html_reply(r, 200);
	page_start(w, b, "Mon espace", s);
	buf_puts(b, "<h1>Mon espace</h1>\n<dl class=\"meta\"><dt>Profil"
		 "</dt><dd>");
	esc(b, tenant_kind_label(s->kind));
	buf_puts(b, "</dd>");
	if (s->region_name[0] != '\0') {
		buf_puts(b, "<dt>Région</dt><dd>");
		esc(b, s->region_name);
		buf_puts(b, "</dd>");
	}
	if (s->label[0] != '\0') {
		buf_puts(b, "<dt>Jeton</dt><dd>");
		esc(b, s->label);
		buf_puts(b, "</dd>");
	}
	buf_puts(b, "<dt>Session</dt><dd>close à ");
	esc(b, s->until);
	buf_puts(b, " UTC sans activité d'ici là (12 heures au plus)"
		 "</dd></dl>\n");
	if (s->kind == TENANT_TEAM) {
		buf_puts(b, "<p><a id=\"restitution\" href=\"/restitution"
			 "\">La restitution de votre équipe</a> : vos "
			 "réponses à côté de celles des équipes de votre "
			 "région, et le guide et l'accompagnement "
			 "disponibles.</p>\n<p>Les rapports régionaux sont "
			 "ceux des fédérations et des analystes. Les "
			 "questionnaires sont sur la page <a href=\"/forms\">"
			 "Questionnaires</a>.</p>\n");
		page_end(b);
		return;
	}
	buf_puts(b, "<h2>Rapports régionaux</h2>\n<ul>\n");
	for (i = 0; i < st->n; i++) {
		const char *reg = st->list[i].region_slug;

		for (j = 0; j < i; j++)
			if (strcmp(st->list[j].region_slug, reg) == 0)
				break;
		if (j < i || !in_scope(s, reg))
			continue;
		buf_puts(b, "<li><a href=\"/reports/");
		urlenc_encode(b, reg);
		buf_puts(b, "\">Rapport de la région ");
		esc(b, st->list[i].region_name);
		buf_puts(b, "</a></li>\n");
	}
	buf_puts(b, "<li><a href=\"/reports/compare\">Comparer deux "
		 "régions, ou deux vagues d'une région</a></li>\n");
	buf_puts(b, "</ul>\n<h2>Études</h2>\n<ul>\n");
	for (i = 0; i < st->n; i++) {
		const struct study *y = &st->list[i];

		if (!in_scope(s, y->region_slug))
			continue;
		buf_puts(b, "<li><a href=\"/reports/");
		urlenc_encode(b, y->region_slug);
		buf_puts(b, "?study=");
		urlenc_encode(b, y->slug);
		buf_puts(b, "\">");
		esc(b, y->title_fr);
		buf_printf(b, " (%d)</a> — <a href=\"/fieldwork/", y->year);
		urlenc_encode(b, y->slug);
		buf_puts(b, "\">suivi du terrain</a></li>\n");
		shown++;
	}
	if (shown == 0)
		buf_puts(b, "<li>Aucune étude pour le moment.</li>\n");
	buf_puts(b, "</ul>\n");
	if (s->kind == TENANT_ANALYST)
		buf_puts(b, "<h2>Codage</h2>\n<p><a id=\"codage\" href=\""
			 "/codage\">Coder les réponses ouvertes et les "
			 "entretiens</a> : livre de codes, codage, accord "
			 "entre codeurs.</p>\n");
	page_end(b);
}

/* --- the region report --------------------------------------------------- */

/* Whether s is a slug or a variable's name: 1 to NAME_MAX_LEN of
 * [a-z0-9_-]. */
static int
name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n > 0 && n <= NAME_MAX_LEN && s[n] == '\0';
}

/* The report's query, validated: the options the CLI has that a
 * federation may use. */
struct report_query {
	char region[NAME_MAX_LEN + 1];
	const char *study;	/* NULL: the latest; borrowed from u */
	const char *by;		/* NULL: none */
	enum report_keep nsp, missing;
	int format;		/* FORMAT_HTML, FORMAT_CSV, FORMAT_JSON */
};

/* A query value; "" counts as absent. */
static const char *
qget(const struct urlenc *u, const char *name)
{
	const char *v = urlenc_get(u, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
keep_parse(const char *v, enum report_keep dflt, enum report_keep *out)
{
	*out = dflt;
	if (v == NULL)
		return 0;
	if (strcmp(v, "keep") == 0)
		*out = REPORT_KEEP;
	else if (strcmp(v, "exclude") == 0)
		*out = REPORT_EXCLUDE;
	else
		return -1;
	return 0;
}

/* The format a path's tail asks for (".csv", ".json", else the page),
 * and the name before it, in name (NAME_MAX_LEN + 1 bytes); -1 if that
 * name is not one. */
static int
tail_parse(const char *tail, char *name, int *format)
{
	size_t n = strlen(tail);

	*format = FORMAT_HTML;
	if (n > 4 && strcmp(tail + n - 4, ".csv") == 0) {
		*format = FORMAT_CSV;
		n -= 4;
	} else if (n > 5 && strcmp(tail + n - 5, ".json") == 0) {
		*format = FORMAT_JSON;
		n -= 5;
	}
	if (n == 0 || n > NAME_MAX_LEN)
		return -1;
	memcpy(name, tail, n);
	name[n] = '\0';
	return name_ok(name) ? 0 : -1;
}

/* Fills q from the path's tail (after /reports/) and the query u; -1
 * when something is not what the page's form sends. */
static int
query_parse(const char *tail, const struct urlenc *u,
	    struct report_query *q)
{
	memset(q, 0, sizeof(*q));
	if (tail_parse(tail, q->region, &q->format) != 0)
		return -1;
	q->study = qget(u, "study");
	q->by = qget(u, "by");
	if ((q->study && !name_ok(q->study)) || (q->by && !name_ok(q->by)))
		return -1;
	if (keep_parse(qget(u, "nsp"), REPORT_KEEP, &q->nsp) != 0 ||
	    keep_parse(qget(u, "missing"), REPORT_EXCLUDE, &q->missing) != 0)
		return -1;
	return 0;
}

/* Appends q's options as a query string (without "?"; "" if none). */
static void
query_string(const struct report_query *q, struct buf *b)
{
	const char *sep = "";

	if (q->study != NULL) {
		buf_puts(b, "study=");
		urlenc_encode(b, q->study);
		sep = "&";
	}
	if (q->by != NULL) {
		buf_printf(b, "%sby=", sep);
		urlenc_encode(b, q->by);
		sep = "&";
	}
	if (q->nsp != REPORT_KEEP) {
		buf_printf(b, "%snsp=exclude", sep);
		sep = "&";
	}
	if (q->missing != REPORT_EXCLUDE)
		buf_printf(b, "%smissing=keep", sep);
}

static void
radio(struct buf *b, const char *name, const char *value,
      const char *label, int checked)
{
	buf_printf(b, "<label><input type=\"radio\" name=\"%s\" "
		   "value=\"%s\"%s> ", name, value,
		   checked ? " checked" : "");
	esc(b, label);
	buf_puts(b, "</label>");
}

/* The missing-data options (--nsp, --missing) as two sets of radio
 * buttons. */
static void
keep_fieldsets(struct buf *b, enum report_keep nsp, enum report_keep missing)
{
	buf_puts(b, "<fieldset><legend>Réponses « ne sait pas »</legend>");
	radio(b, "nsp", "keep", "une catégorie à part", nsp == REPORT_KEEP);
	radio(b, "nsp", "exclude", "hors des pourcentages",
	      nsp == REPORT_EXCLUDE);
	buf_puts(b, "</fieldset>\n<fieldset><legend>Absence de réponse"
		 "</legend>");
	radio(b, "missing", "exclude", "hors des pourcentages",
	      missing == REPORT_EXCLUDE);
	radio(b, "missing", "keep", "une catégorie à part",
	      missing == REPORT_KEEP);
	buf_puts(b, "</fieldset>\n");
}

/* The download links of a page whose document is at path (escaped
 * here) with the query string qs (without "?", "" for none). */
static void
downloads(struct buf *b, const char *path, const struct buf *qs)
{
	static const char *const ext[] = { ".csv", ".json" };
	static const char *const text[] = {
		"Les mêmes tableaux en CSV", "… en JSON" };
	size_t i;

	buf_puts(b, "<h2>Téléchargements</h2>\n<ul class=\"dl\">");
	for (i = 0; i < 2; i++) {
		buf_puts(b, "<li><a href=\"");
		esc(b, path);
		buf_puts(b, ext[i]);
		if (qs->len > 0) {
			buf_putc(b, '?');
			esc(b, buf_str(qs));
		}
		buf_printf(b, "\" download>%s</a></li>", text[i]);
	}
	buf_puts(b, "</ul>\n");
}

/* The GET form that chooses the options, and the download links. */
static void
options_form(struct worker *w, const struct report_query *q,
	     struct buf *b)
{
	size_t i;
	struct buf qs = BUF_INIT(BUF_MAX_TEXT);
	struct buf path = BUF_INIT(BUF_MAX_TEXT);

	buf_puts(b, "<form method=\"get\" action=\"/reports/");
	urlenc_encode(b, q->region);
	/* folded: on a phone the form would push the tables a screen
	 * down; a summary opens with the keyboard as with a click */
	buf_puts(b, "\" class=\"options\">\n<details><summary>Options "
		 "du rapport : étude, comparaison de groupes, données "
		 "manquantes</summary>\n<label for=\"study\">Étude"
		 "</label>\n<select id=\"study\" name=\"study\">"
		 "<option value=\"\">la plus récente</option>");
	for (i = 0; i < w->studies.n; i++) {
		const struct study *y = &w->studies.list[i];

		if (strcmp(y->region_slug, q->region) != 0)
			continue;
		buf_puts(b, "<option value=\"");
		esc(b, y->slug);
		buf_printf(b, "\"%s>", q->study != NULL &&
			   strcmp(q->study, y->slug) == 0 ?
			   " selected" : "");
		esc(b, y->title_fr);
		buf_printf(b, " (%d)</option>", y->year);
	}
	buf_puts(b, "</select>\n<label for=\"by\">Comparer les groupes "
		 "selon la variable</label>\n<input type=\"text\" id=\"by\" "
		 "name=\"by\" aria-describedby=\"by-aide\" value=\"");
	esc(b, q->by);
	buf_puts(b, "\">\n<p class=\"help\" id=\"by-aide\">Le nom d'une "
		 "variable, par exemple <code>usagers</code> ; vide : "
		 "aucune comparaison (option --by).</p>\n");
	keep_fieldsets(b, q->nsp, q->missing);
	buf_puts(b, "<p><button type=\"submit\">Afficher"
		 "</button></p>\n</details>\n</form>\n");
	query_string(q, &qs);
	buf_puts(&path, "/reports/");
	urlenc_encode(&path, q->region);
	downloads(b, buf_str(&path), &qs);
	if (qs.failed || path.failed)
		b->failed = 1;
	buf_free(&qs);
	buf_free(&path);
}

/* The report failed with err (on connection db): a page that says
 * why, in French. */
static void
report_failure(struct worker *w, struct conn *db, const struct session *s,
	       const struct msp_error *err, struct reply *r)
{
	switch (err->status) {
	case MSP_EINVAL:
		html_reply(r, 404);
		page_start(w, &r->body, "Rapport introuvable", s);
		buf_puts(&r->body, "<h1>Rapport introuvable</h1>\n<p>La "
			 "région, l'étude ou la variable demandée n'existe "
			 "pas. Choisissez-en une autre.</p>\n<p class="
			 "\"help\">Détail : ");
		esc(&r->body, err->message);
		buf_puts(&r->body, "</p>\n<p><a href=\"/espace\">Mon espace"
			 "</a></p>\n");
		page_end(&r->body);
		break;
	case MSP_EACCESS:	/* the session ended meanwhile */
		see_other(r, "/connexion");
		break;
	case MSP_ECONFLICT:
		/* a federation reads published releases only
		 * (lib/report/report_stored.c): an open study's at its
		 * close, a comparison (of regions or of two waves) when
		 * every study compared is published (409: the request
		 * conflicts with the state of the studies, and will not
		 * succeed before it changes), a closed one's once
		 * protected, or protected again (503: an analyst's run
		 * makes it) */
		if (strncmp(err->message, PLAN_COMPARE_REFUSAL,
			    strlen(PLAN_COMPARE_REFUSAL)) == 0)
			message_page(w, r, 409, "Comparaison non publiée",
				     "Une fédération lit une comparaison, de "
				     "régions ou de deux vagues, quand chaque "
				     "étude comparée est close et protégée.",
				     s);
		else if (strncmp(err->message, PLAN_OPEN_REFUSAL,
				 strlen(PLAN_OPEN_REFUSAL)) == 0)
			message_page(w, r, 409, "Rapport publié à la clôture",
				     "Cette étude est ouverte : ses rapports "
				     "de fédération seront publiés à sa "
				     "clôture. Son suivi de terrain se lit "
				     "en direct, page Suivi du terrain.", s);
		else if (strncmp(err->message, PLAN_UNPUBLISHED,
				 strlen(PLAN_UNPUBLISHED)) == 0)
			message_page(w, r, 503, "Diffusion pas encore publiée",
				     "Cette étude est close mais sa diffusion "
				     "n'est pas encore publiée. Un analyste "
				     "doit lancer msp-report "
				     "disclosure-protect ; réessayez "
				     "ensuite.", s);
		else
			message_page(w, r, 503, "Diffusion à recalculer",
				     "La diffusion de cette étude est à "
				     "recalculer (son plan de protection du "
				     "secret statistique n'est plus à jour). "
				     "Un analyste doit lancer msp-report "
				     "disclosure-protect ; réessayez "
				     "ensuite.", s);
		break;
	case MSP_EDB:
		conn_failure_reply(db, err, r);
		break;
	default:
		message_page(w, r, 503, "Service momentanément indisponible",
			     "Le rapport ne peut pas être calculé pour le "
			     "moment. Réessayez dans quelques minutes.", s);
		break;
	}
}

/* How long a report waits for the standby to replay a session made a
 * moment ago on the primary, before it reads the primary instead:
 * streaming replay takes milliseconds (standby.test: a fresh session is
 * replayed within one 10 ms poll); a standby further behind than this
 * is late for every reader, and a worker waiting holds one of the few
 * request slots (it was 1 s: standby.test measured a paused standby's
 * report at 1.0 s, now at the bound). */
#define SESSION_REPLAY_WAIT_MS 250
/* A standby this many bytes of WAL behind (one 16 MB segment) will not
 * catch up within the wait: the primary reads at once, no wait. */
#define SESSION_REPLAY_MAX_GAP (16LL * 1024 * 1024)

/*
 * report_build() on the report connection (worker_reports), into *doc;
 * *db is the connection it read.  The session was checked live on the
 * primary (session_load_or_reply): when the standby does not know it
 * yet (made a moment ago, not yet replayed), the report waits until the
 * standby has replayed what the primary had written, then tries again
 * there; if the standby is more than SESSION_REPLAY_WAIT_MS behind, or
 * more than SESSION_REPLAY_MAX_GAP bytes, it reads the primary, and
 * says so in the log with how long it waited.
 */
static enum msp_status
report_read(struct worker *w, struct report_options *opt, struct conn **db,
	    struct rdoc **doc, struct msp_error *err)
{
	struct conn *reports = worker_reports(w);
	enum msp_status st;
	PGconn *conn;
	int done, waited;

	*db = reports;
	if ((conn = conn_get(reports)) == NULL)
		return msp_error_set(err, MSP_EDB, "the database cannot be "
				     "reached");
	st = report_build(conn, opt, doc, err);
	if (st != MSP_EACCESS || reports == &w->db)
		return st;
	if (conn_catch_up(reports, &w->db, SESSION_REPLAY_WAIT_MS,
			  SESSION_REPLAY_MAX_GAP, &done, &waited, db,
			  err) != MSP_OK)
		return MSP_EDB;
	if (!done) {
		fprintf(stderr, "{\"level\":\"warning\",\"event\":"
			"\"standby behind: report read on the primary\","
			"\"waited_ms\":%d}\n", waited);
		*db = reports = &w->db;
	}
	if ((conn = conn_get(reports)) == NULL)
		return msp_error_set(err, MSP_EDB, "the database cannot be "
				     "reached");
	return report_build(conn, opt, doc, err);
}

/* « Données au … »: on a standby, from when the figures are. */
static void
data_as_of(struct buf *b, const struct report_source *src)
{
	if (!src->standby)
		return;		/* the primary: as of now */
	buf_puts(b, "<p class=\"help\" id=\"donnees-au\">");
	if (src->replayed_at[0] != '\0') {
		buf_puts(b, "Données au ");
		esc(b, src->replayed_at);
		buf_puts(b, " UTC (copie en lecture de la base, tenue à jour "
			 "en continu).</p>\n");
		return;
	}
	/* a standby that has replayed no transaction since it started */
	buf_puts(b, "Données d'une copie en lecture de la base, tenue à "
		 "jour en continu.</p>\n");
}

/* --- the comparison ------------------------------------------------------ */

/*
 * The comparison's query: two regions (msp-report --compare A,B) or two
 * studies of one region, its waves (--compare STUDY,STUDY), and the
 * missing-data options; report_build() tells which from the names.
 */
struct compare_query {
	char name[NAME_MAX_LEN + 1];	/* "compare", from the path */
	const char *a, *b;	/* NULL, NULL: not chosen yet; from u */
	enum report_keep nsp, missing;
	int format;
};

/* Fills q from the path's tail and the query u; -1 when something is
 * not what the page's forms send: a name that is not one, one name
 * without the other, the same name twice, a download without names. */
static int
compare_parse(const char *tail, const struct urlenc *u,
	      struct compare_query *q)
{
	memset(q, 0, sizeof(*q));
	if (tail_parse(tail, q->name, &q->format) != 0 ||
	    strcmp(q->name, "compare") != 0)
		return -1;
	q->a = qget(u, "a");
	q->b = qget(u, "b");
	if ((q->a == NULL) != (q->b == NULL) ||
	    (q->a == NULL && q->format != FORMAT_HTML))
		return -1;
	if (q->a != NULL && (!name_ok(q->a) || !name_ok(q->b) ||
			     strcmp(q->a, q->b) == 0))
		return -1;
	if (keep_parse(qget(u, "nsp"), REPORT_KEEP, &q->nsp) != 0 ||
	    keep_parse(qget(u, "missing"), REPORT_EXCLUDE, &q->missing) != 0)
		return -1;
	return 0;
}

/* q's options as a query string (without "?"). */
static void
compare_string(const struct compare_query *q, struct buf *b)
{
	buf_puts(b, "a=");
	urlenc_encode(b, q->a);
	buf_puts(b, "&b=");
	urlenc_encode(b, q->b);
	if (q->nsp != REPORT_KEEP)
		buf_puts(b, "&nsp=exclude");
	if (q->missing != REPORT_EXCLUDE)
		buf_puts(b, "&missing=keep");
}

/*
 * A select named name (id id, labelled label): of the regions that
 * have a study (regions), else of the studies of s's scope; value
 * chosen selected.  Returns how many options it has.
 */
static size_t
select_of(struct worker *w, const struct session *s, struct buf *b,
	  const char *id, const char *name, const char *label,
	  int regions, const char *chosen)
{
	const struct studies *st = &w->studies;
	size_t i, j, n = 0;

	buf_printf(b, "<label for=\"%s\">", id);
	esc(b, label);
	buf_printf(b, "</label>\n<select id=\"%s\" name=\"%s\">", id, name);
	for (i = 0; i < st->n; i++) {
		const struct study *y = &st->list[i];
		const char *value = regions ? y->region_slug : y->slug;

		if (regions) {
			/* the list is ordered by region: one option each */
			for (j = 0; j < i; j++)
				if (strcmp(st->list[j].region_slug,
					   y->region_slug) == 0)
					break;
			if (j < i)
				continue;
		} else if (!in_scope(s, y->region_slug)) {
			continue;
		}
		buf_puts(b, "<option value=\"");
		esc(b, value);
		buf_printf(b, "\"%s>", chosen != NULL &&
			   strcmp(chosen, value) == 0 ? " selected" : "");
		if (!regions) {
			esc(b, y->title_fr);
			buf_printf(b, " (%d)", y->year);
		} else {
			esc(b, y->region_name);
		}
		buf_puts(b, "</option>");
		n++;
	}
	buf_puts(b, "</select>\n");
	return n;
}

/*
 * The comparison's two forms: two regions (every region that has a
 * study: a federation compares its own with any other, whose
 * aggregates it reads under the same rules), and two waves of a region
 * (the studies of the reader's scope: its region's for a federation,
 * every study for an analyst).  folded: a comparison is shown below.
 */
static void
compare_forms(struct worker *w, const struct session *s,
	      const struct compare_query *q, int folded, struct buf *b)
{
	const char *first = NULL, *last = NULL, *wa = NULL, *wb = NULL;
	const char *ra = s->region_slug, *rb = NULL;
	size_t i, n = 0;

	for (i = 0; i < w->studies.n; i++) {
		const struct study *y = &w->studies.list[i];

		/* the regions compared, if these were regions */
		if (q->a != NULL && strcmp(q->a, y->region_slug) == 0)
			ra = q->a;
		if (q->b != NULL && strcmp(q->b, y->region_slug) == 0)
			rb = q->b;
		if (!in_scope(s, y->region_slug))
			continue;
		if (first == NULL)
			first = y->slug;
		last = y->slug;
		n++;
		/* the waves compared, if these were waves */
		if (q->a != NULL && strcmp(q->a, y->slug) == 0)
			wa = q->a;
		if (q->b != NULL && strcmp(q->b, y->slug) == 0)
			wb = q->b;
	}
	/* folded when a comparison is shown: on a phone the forms would
	 * push it a screen down */
	buf_printf(b, "<details%s><summary>Choisir ce qui est comparé"
		   "</summary>\n", folded ? "" : " open");
	buf_puts(b, "<form method=\"get\" action=\"/reports/compare\" "
		 "class=\"options\">\n<h2>Deux régions</h2>\n"
		 "<p class=\"help\">Les variables harmonisées de la dernière "
		 "étude de chaque région (option --compare "
		 "RÉGION,RÉGION).</p>\n");
	/* a federation's own region first */
	select_of(w, s, b, "ra", "a", "Première région", 1, ra);
	select_of(w, s, b, "rb", "b", "Seconde région", 1, rb);
	keep_fieldsets(b, q->nsp, q->missing);
	buf_puts(b, "<p><button type=\"submit\">Comparer les régions"
		 "</button></p>\n</form>\n");
	buf_puts(b, "<form method=\"get\" action=\"/reports/compare\" "
		 "class=\"options\">\n<h2>Deux vagues d'une région</h2>\n"
		 "<p class=\"help\">Deux études d'une même région : les "
		 "questions qu'elles ont en commun, et ce qui les distingue "
		 "(option --compare ÉTUDE,ÉTUDE).</p>\n");
	if (n < 2) {
		buf_puts(b, "<p>Votre périmètre n'a pas deux études à "
			 "comparer.</p>\n");
	} else {
		/* the studies are listed newest first in each region */
		select_of(w, s, b, "wa", "a", "Première vague", 0,
			  wa != NULL ? wa : last);
		select_of(w, s, b, "wb", "b", "Seconde vague", 0,
			  wb != NULL ? wb : first);
		keep_fieldsets(b, q->nsp, q->missing);
		buf_puts(b, "<p><button type=\"submit\">Comparer les "
			 "vagues</button></p>\n");
	}
	buf_puts(b, "</form>\n</details>\n");
}

/* The document's downloads as format, or the page: its h1, what comes
 * before the tables (the caller's forms, in top), its tables; db: the
 * connection it was read from. */
static void
document_reply(struct worker *w, struct conn *db, const struct session *s,
	       const struct rdoc *doc, int format, const char *filename,
	       const struct buf *top, struct reply *r)
{
	struct msp_error err;

	if (format != FORMAT_HTML) {
		r->status = 200;
		r->content_type = format == FORMAT_CSV ? "text/csv" :
				  "application/json";
		buf_reset(&r->body);
		if (format_render(doc, (enum format_kind)format, &r->body,
				  &err) != MSP_OK) {
			report_failure(w, db, s, &err, r);
			return;
		}
		http_header(r, "Content-Disposition", filename);
		return;
	}
	html_reply(r, 200);
	page_start(w, &r->body, doc->title, s);
	buf_puts(&r->body, "<h1>");
	esc(&r->body, doc->title);
	buf_puts(&r->body, "</h1>\n");
	buf_append(&r->body, top->data, top->len);
	format_html_body(doc, &r->body);
	page_end(&r->body);
}

static void
compare_page(struct worker *w, struct request *req, struct reply *r,
	     const struct session *s, const char *tail)
{
	struct report_options opt;
	struct report_source source;
	struct compare_query q;
	struct msp_error err;
	struct rdoc *doc = NULL;
	struct buf top = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf qs = BUF_INIT(BUF_MAX_TEXT);
	struct buf pair = BUF_INIT(BUF_MAX_TEXT);
	struct urlenc u;
	struct conn *db = &w->db;

	memset(&u, 0, sizeof(u));
	if (urlenc_parse(req->query, strlen(req->query), &u, &err) !=
	    MSP_OK || compare_parse(tail, &u, &q) != 0) {
		message_page(w, r, 400, "Demande illisible",
			     "Cette comparaison n'est pas valide : il faut "
			     "deux régions différentes, ou deux études "
			     "différentes d'une région, choisies dans le "
			     "formulaire de la page « Comparer ».", s);
		goto out;
	}
	if (studies_load_or_reply(&w->studies, &w->db, r) != 0)
		goto out;
	if (q.a == NULL) {
		/* nothing chosen yet: the forms alone */
		html_reply(r, 200);
		page_start(w, &r->body, "Comparer", s);
		buf_puts(&r->body, "<h1>Comparer</h1>\n");
		compare_forms(w, s, &q, 0, &r->body);
		page_end(&r->body);
		goto out;
	}
	buf_printf(&pair, "%s,%s", q.a, q.b);
	if (buf_status(&pair, &err) != MSP_OK) {
		report_failure(w, db, s, &err, r);
		goto out;
	}
	report_options_init(&opt);
	opt.compare = buf_str(&pair);
	opt.dont_know = q.nsp;
	opt.missing = q.missing;
	opt.session = s->id;
	opt.source = &source;
	if (report_read(w, &opt, &db, &doc, &err) != MSP_OK) {
		if (err.status != MSP_EINVAL) {
			report_failure(w, db, s, &err, r);
			goto out;
		}
		/* an unknown name, a region with a study, two names for
		 * one study: the report says which, in French */
		html_reply(r, 404);
		page_start(w, &r->body, "Comparaison impossible", s);
		buf_puts(&r->body, "<h1>Comparaison impossible</h1>\n<p>"
			 "L'une des régions ou des études demandées "
			 "n'existe pas, ou elles ne se comparent pas : "
			 "deux régions, ou deux études d'une même région, "
			 "dont aucune n'est en brouillon. Choisissez-les "
			 "ci-dessous.</p>\n<p class=\"help\">Détail : ");
		esc(&r->body, err.message);
		buf_puts(&r->body, "</p>\n");
		compare_forms(w, s, &q, 0, &r->body);
		page_end(&r->body);
		goto out;
	}
	data_as_of(&top, &source);
	compare_forms(w, s, &q, 1, &top);
	compare_string(&q, &qs);
	downloads(&top, "/reports/compare", &qs);
	if (buf_status(&top, &err) != MSP_OK ||
	    buf_status(&qs, &err) != MSP_OK) {
		report_failure(w, db, s, &err, r);
		goto out;
	}
	document_reply(w, db, s, doc, q.format, q.format == FORMAT_CSV ?
		       "attachment; filename=\"comparaison.csv\"" :
		       "attachment; filename=\"comparaison.json\"", &top, r);
out:
	rdoc_free(doc);
	buf_free(&top);
	buf_free(&qs);
	buf_free(&pair);
	urlenc_free(&u);
}

/* --- the fieldwork monitor ----------------------------------------------- */

/* fieldwork_build()'s failure err, for s: a page that says why. */
static void
fieldwork_failure(struct worker *w, const struct session *s,
		  const struct msp_error *err, struct reply *r)
{
	switch (err->status) {
	case MSP_EINVAL:
		message_page(w, r, 404, "Étude introuvable", "Aucune étude "
			     "ne porte ce nom. Les études de votre "
			     "périmètre sont listées dans votre espace.", s);
		break;
	case MSP_EACCESS:	/* a federation, another region's study */
		r->log_note = "fieldwork out of scope";
		message_page(w, r, 403, "Hors de votre périmètre",
			     "Le suivi du terrain de cette étude est hors de "
			     "votre périmètre : il appartient à la fédération "
			     "de sa région. Ses agrégats se lisent dans le "
			     "rapport de la région et dans la comparaison "
			     "des régions.", s);
		break;
	default:
		report_failure(w, &w->db, s, err, r);
		break;
	}
}

static void
fieldwork_page(struct worker *w, struct reply *r, const struct session *s,
	       const char *tail)
{
	char study[NAME_MAX_LEN + 1];
	struct buf top = BUF_INIT(BUF_MAX_TEXT);
	struct buf path = BUF_INIT(BUF_MAX_TEXT);
	struct buf none = BUF_INIT(1);
	enum tenant_kind kind;
	struct msp_error err;
	struct rdoc *doc = NULL;
	enum msp_status rc;
	PGconn *conn;
	int format;

	if (tail_parse(tail, study, &format) != 0) {
		message_page(w, r, 400, "Demande illisible", "Ce nom d'étude "
			     "n'est pas valide : choisissez l'étude dans "
			     "votre espace.", s);
		goto out;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	/* one snapshot for the tables, so that they add up; read only */
	rc = db_exec(conn, "fieldwork: begin", "BEGIN ISOLATION LEVEL "
		     "REPEATABLE READ READ ONLY", 0, NULL, PGRES_COMMAND_OK,
		     NULL, &err);
	if (rc == MSP_OK)
		rc = tenant_enter_session(conn, s->id, &kind, &err);
	if (rc != MSP_OK) {
		report_failure(w, &w->db, s, &err, r);	/* EACCESS: ended */
		goto end;
	}
	if (fieldwork_build(conn, study, kind, &doc, &err) != MSP_OK) {
		fieldwork_failure(w, s, &err, r);
		goto end;
	}
	buf_puts(&path, "/fieldwork/");
	urlenc_encode(&path, study);
	downloads(&top, buf_str(&path), &none);
	if (buf_status(&top, &err) != MSP_OK ||
	    buf_status(&path, &err) != MSP_OK) {
		report_failure(w, &w->db, s, &err, r);
		goto end;
	}
	document_reply(w, &w->db, s, doc, format, format == FORMAT_CSV ?
		       "attachment; filename=\"suivi.csv\"" :
		       "attachment; filename=\"suivi.json\"", &top, r);
end:
	/* read only: a failed ROLLBACK leaves nothing behind */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(conn, "fieldwork: end", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
out:
	rdoc_free(doc);
	buf_free(&top);
	buf_free(&path);
	buf_free(&none);
}

/* --- the region report's page ------------------------------------------ */

static void
report_page(struct worker *w, struct request *req, struct reply *r,
	    const struct session *s, const char *tail)
{
	struct report_options opt;
	struct report_source source;
	struct report_query q;
	struct msp_error err;
	struct rdoc *doc = NULL;
	struct buf top = BUF_INIT(BUF_MAX_DOCUMENT);
	struct urlenc u;
	struct conn *db;

	memset(&u, 0, sizeof(u));
	if (urlenc_parse(req->query, strlen(req->query), &u, &err) !=
	    MSP_OK || query_parse(tail, &u, &q) != 0) {
		message_page(w, r, 400, "Demande illisible",
			     "Les options de ce rapport ne sont pas "
			     "valides : choisissez-les dans le formulaire "
			     "de la page du rapport.", s);
		goto out;
	}
	if (studies_load_or_reply(&w->studies, &w->db, r) != 0)
		goto out;
	report_options_init(&opt);
	opt.region = q.region;
	opt.study = q.study;
	opt.by = q.by;
	opt.dont_know = q.nsp;
	opt.missing = q.missing;
	opt.session = s->id;
	opt.source = &source;
	/* opt.threshold stays 0: the database's (msp.disclosure_policy),
	 * as for the CLI, never the reader's */
	if (report_read(w, &opt, &db, &doc, &err) != MSP_OK) {
		report_failure(w, db, s, &err, r);
		goto out;
	}
	if (source.cache_failed)	/* the page stands; said, not hidden */
		fprintf(stderr, "{\"level\":\"warning\",\"event\":"
			"\"report cache not written\",\"sqlstate\":\"%s\"}\n",
			source.cache_err.sqlstate);
	data_as_of(&top, &source);
	options_form(w, &q, &top);
	if (buf_status(&top, &err) != MSP_OK) {
		report_failure(w, db, s, &err, r);
		goto out;
	}
	document_reply(w, db, s, doc, q.format, q.format == FORMAT_CSV ?
		       "attachment; filename=\"rapport.csv\"" :
		       "attachment; filename=\"rapport.json\"", &top, r);
out:
	rdoc_free(doc);
	buf_free(&top);
	urlenc_free(&u);
}

/* --- the routes ---------------------------------------------------------- */

static int
is_get(const struct request *req)
{
	return strcmp(req->method, "GET") == 0 ||
	       strcmp(req->method, "HEAD") == 0;
}

static void
not_allowed(struct worker *w, struct reply *r, const char *allow)
{
	http_header(r, "Allow", allow);
	message_page(w, r, 405, "Méthode non permise",
		     "Cette page ne s'utilise pas ainsi.", NULL);
}

int
pages_route(struct worker *w, struct request *req, struct reply *r)
{
	const char *path = req->path;
	struct session s;
	int live;

	if (strcmp(path, "/connexion") != 0 &&
	    strcmp(path, "/deconnexion") != 0 &&
	    strcmp(path, "/espace") != 0 &&
	    strncmp(path, "/reports/", 9) != 0 &&
	    strncmp(path, "/fieldwork/", 11) != 0)
		return 0;
	r->render_failure = failure_page;
	memset(&s, 0, sizeof(s));
	if (strcmp(path, "/connexion") == 0) {
		if (strcmp(req->method, "POST") == 0)
			signin_post(w, req, r);
		else if (!is_get(req))
			not_allowed(w, r, "GET, POST");
		else if ((live = session_load_or_reply(w, req, &s, r)) > 0)
			see_other(r, "/espace");
		else if (live == 0)
			signin_page(w, req, r, 200, NULL);
		goto out;
	}
	if (strcmp(path, "/deconnexion") == 0) {
		if (strcmp(req->method, "POST") != 0)
			not_allowed(w, r, "POST");
		else
			signout_post(w, req, r);
		goto out;
	}
	if (!is_get(req)) {
		not_allowed(w, r, "GET");
		goto out;
	}
	live = session_load_or_reply(w, req, &s, r);
	if (live == 0)
		see_other(r, "/connexion");
	if (live != 1)
		goto out;
	if (strcmp(path, "/espace") == 0) {
		if (studies_load_or_reply(&w->studies, &w->db, r) == 0)
			space_page(w, r, &s);
	} else if (s.kind == TENANT_TEAM) {
		/* a team reads its own page (fcgi/restitution.c), not a
		 * region's report, a comparison or a monitor: they would
		 * show it zeros for what is not its own */
		r->log_note = "team out of scope";
		message_page(w, r, 403, "Hors de votre périmètre",
			     "Les rapports régionaux, les comparaisons et le "
			     "suivi du terrain ne sont pas ouverts aux jetons "
			     "d'équipe : ils sont ceux des fédérations et des "
			     "analystes. La restitution de votre équipe est "
			     "dans votre espace.", &s);
	} else if (strncmp(path, "/fieldwork/", 11) == 0) {
		fieldwork_page(w, r, &s, path + 11);
	} else if (strncmp(path + 9, "compare", 7) == 0 &&
		   (path[16] == '\0' || path[16] == '.')) {
		compare_page(w, req, r, &s, path + 9);
	} else {
		report_page(w, req, r, &s, path + 9);
	}
out:
	session_clear(&s);
	return 1;
}
