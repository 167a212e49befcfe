/*
 * forms — the questionnaires as HTML forms.
 *
 *   GET  /forms                  the studies open for answers
 *   GET  /forms/{slug}           a blank questionnaire
 *   GET  /forms/{slug}?resume=R  a saved questionnaire, as it was left
 *   POST /forms/{slug}           send (_action=submit), save for later
 *                                (save) or show the questions that
 *                                depend on the answers (refresh)
 *   GET  /forms/form.js          the optional script for "show if"
 *
 * The page is rendered from the instrument definition only.  "Show if"
 * works without JavaScript: the refresh button re-renders the form with
 * the questions the answers call for; with the script, they appear as
 * soon as the answer changes.  Every form carries a random key (which
 * makes a double submission harmless) and a CSRF token: the HMAC of
 * that key and its issue time under the server secret.  Everything
 * shown is escaped with html_escape().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"
#include "html.h"
#include "submission.h"
#include "urlenc.h"
#include "worker.h"

/* A form may be sent up to a day after it was shown. */
#define CSRF_MAX_AGE (24 * 60 * 60)

#define FORM_KEY_BYTES 16
#define RESUME_BYTES 32

static const char form_js[] =
"/* Shows and hides the questions whose \"show if\" depends on an\n"
" * answer, as the server does when the form is refreshed. */\n"
"(function () {\n"
"  var form = document.querySelector('form.questionnaire');\n"
"  if (!form) return;\n"
"  function values(name) {\n"
"    var out = [];\n"
"    form.querySelectorAll('[name=\"' + name + '\"]').forEach(function (e) {\n"
"      var box = e.type === 'radio' || e.type === 'checkbox';\n"
"      if (box && !e.checked) return;\n"
"      if (e.closest('fieldset[hidden]')) return;\n"
"      if (e.value !== '') out.push(e.value);\n"
"    });\n"
"    return out;\n"
"  }\n"
"  function update() {\n"
"    for (var pass = 0; pass < 3; pass++)\n"
"      form.querySelectorAll('fieldset[data-show-if]').forEach(function (f) {\n"
"        var want = f.getAttribute('data-show-values').split(' ');\n"
"        var got = values(f.getAttribute('data-show-if'));\n"
"        f.hidden = !got.some(function (v) { return want.indexOf(v) >= 0; });\n"
"      });\n"
"  }\n"
"  form.addEventListener('change', update);\n"
"  var refresh = form.querySelector('button[value=refresh]');\n"
"  if (refresh) refresh.hidden = true;\n"
"  update();\n"
"})();\n";

static const char page_style[] =
"body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;"
"padding:0 1rem;line-height:1.45;color:#1b1b1b}"
"fieldset{border:1px solid #ccc;border-radius:6px;margin:0 0 1rem;"
"padding:.6rem 1rem}legend{font-weight:600;padding:0 .3rem}"
"label{display:block;margin:.15rem 0}.req{color:#b00020}"
".error{color:#b00020;font-weight:600;margin:.2rem 0}"
".summary{border:2px solid #b00020;padding:.5rem 1rem;border-radius:6px}"
".help{color:#555;font-size:.9em}.note{color:#555;font-size:.85em}"
"input[type=text],textarea,select{font:inherit;padding:.25rem;"
"max-width:100%}textarea{width:100%}"
"button{font:inherit;padding:.4rem 1rem;margin:.3rem .5rem .3rem 0}";

static void
page_start(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"fr\"><head>"
		 "<meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, "
		 "initial-scale=1\"><title>");
	html_escape(b, title);
	buf_puts(b, "</title><style>");
	buf_puts(b, page_style);
	buf_puts(b, "</style></head><body>\n");
}

static void
page_end(struct buf *b)
{
	buf_puts(b, "</body></html>\n");
}

/* A short page: title and one paragraph (both escaped). */
static void
simple_page(struct reply *r, int status, const char *title,
	    const char *text)
{
	r->status = status;
	r->content_type = "text/html";
	buf_reset(&r->body);
	page_start(&r->body, title);
	buf_puts(&r->body, "<h1>");
	html_escape(&r->body, title);
	buf_puts(&r->body, "</h1><p>");
	html_escape(&r->body, text);
	buf_puts(&r->body, "</p><p><a href=\"/forms\">Questionnaires"
		 "</a></p>");
	page_end(&r->body);
}

static int
given_has(const struct submission *sub, int item, const char *value)
{
	const char *const *v;
	size_t n, i;

	if (sub == NULL)
		return 0;
	v = submission_given(sub, item, &n);
	for (i = 0; i < n; i++)
		if (strcmp(v[i], value) == 0)
			return 1;
	return 0;
}

static const char *
given_first(const struct submission *sub, int item)
{
	const char *const *v;
	size_t n;

	if (sub == NULL)
		return "";
	v = submission_given(sub, item, &n);
	return n > 0 ? v[0] : "";
}

static void
choice_input(struct buf *b, const char *type, const char *name,
	     const char *code, const char *label, int checked)
{
	buf_printf(b, "<label><input type=\"%s\" name=\"", type);
	html_escape(b, name);
	buf_puts(b, "\" value=\"");
	html_escape(b, code);
	buf_puts(b, "\"");
	if (checked)
		buf_puts(b, " checked");
	buf_puts(b, "> ");
	html_escape(b, label);
	buf_puts(b, "</label>\n");
}

static void
render_item(struct buf *b, const struct instrument *ins, int idx,
	    const struct submission *sub)
{
	const struct instrument_item *it = &ins->items[idx];
	const char *error = sub ? submission_error_for(sub, it->key) : NULL;
	size_t j;

	buf_puts(b, "<fieldset id=\"item-");
	html_escape(b, it->key);
	buf_puts(b, "\"");
	if (it->show_if >= 0) {
		buf_puts(b, " data-show-if=\"");
		html_escape(b, ins->items[it->show_if].key);
		buf_puts(b, "\" data-show-values=\"");
		for (j = 0; j < it->n_show_if_values; j++) {
			if (j > 0)
				buf_putc(b, ' ');
			html_escape(b, it->show_if_values[j]);
		}
		buf_puts(b, "\"");
		if (sub == NULL || !submission_item_shown(sub, idx))
			buf_puts(b, " hidden");
	}
	buf_puts(b, "><legend>");
	html_escape(b, it->label_fr);
	if (it->required)
		buf_puts(b, " <span class=\"req\" title=\"obligatoire\">*"
			 "</span>");
	buf_puts(b, "</legend>\n");
	if (it->help_fr != NULL) {
		buf_puts(b, "<p class=\"help\">");
		html_escape(b, it->help_fr);
		buf_puts(b, "</p>\n");
	}
	if (error != NULL) {
		buf_puts(b, "<p class=\"error\" id=\"error-");
		html_escape(b, it->key);
		buf_puts(b, "\">");
		html_escape(b, error);
		buf_puts(b, "</p>\n");
	}
	switch (it->type) {
	case ITEM_SINGLE_CHOICE:
	case ITEM_MULTIPLE_CHOICE:
		for (j = 0; j < it->n_options; j++)
			choice_input(b, it->type == ITEM_SINGLE_CHOICE
				     ? "radio" : "checkbox", it->key,
				     it->options[j].code,
				     it->options[j].label_fr,
				     given_has(sub, idx, it->options[j].code));
		break;
	case ITEM_BOOLEAN:
		choice_input(b, "radio", it->key, "oui", "Oui",
			     given_has(sub, idx, "oui"));
		choice_input(b, "radio", it->key, "non", "Non",
			     given_has(sub, idx, "non"));
		break;
	case ITEM_NUMBER:
		buf_puts(b, "<input type=\"text\" inputmode=\"decimal\" "
			 "size=\"10\" name=\"");
		html_escape(b, it->key);
		buf_puts(b, "\" aria-label=\"");
		html_escape(b, it->label_fr);
		buf_puts(b, "\" value=\"");
		html_escape(b, given_first(sub, idx));
		buf_puts(b, "\">");
		if (it->has_min && it->has_max)
			buf_printf(b, " <span class=\"note\">(%g à %g)</span>",
				   it->min_value, it->max_value);
		buf_putc(b, '\n');
		break;
	case ITEM_TEXT:
		buf_puts(b, "<textarea rows=\"3\" name=\"");
		html_escape(b, it->key);
		buf_puts(b, "\" aria-label=\"");
		html_escape(b, it->label_fr);
		buf_puts(b, "\"");
		if (it->max_length > 0)
			buf_printf(b, " maxlength=\"%d\"", it->max_length);
		buf_puts(b, ">");
		html_escape(b, given_first(sub, idx));
		buf_puts(b, "</textarea>\n");
		break;
	}
	buf_puts(b, "</fieldset>\n");
}

struct form_state {
	const char *key;		/* the form's random key (hex) */
	const char *resume;		/* resume token, or NULL */
	const char *structure;		/* what was typed, or "" */
	const char *role;		/* chosen role, or "" */
	const char *structure_error;	/* or NULL */
	const char *role_error;		/* or NULL */
	const char *notice;		/* a message above the form, or NULL */
};

static void
render_form(struct worker *w, struct reply *r, int status,
	    const struct study *study, const struct submission *sub,
	    const struct form_state *fs)
{
	const struct instrument *ins = study->ins;
	const char *section = "";
	char csrf[SECRET_CSRF_MAX];
	struct buf *b = &r->body;
	size_t i, n_errors = 0;

	if (secret_csrf_make(&w->secret, fs->key, time(NULL), csrf, NULL)
	    != MSP_OK) {
		simple_page(r, 500, "Erreur", "Le formulaire ne peut pas être "
			    "affiché pour le moment.");
		return;
	}
	if (sub != NULL)
		submission_errors(sub, &n_errors);
	n_errors += (fs->structure_error != NULL) + (fs->role_error != NULL);
	r->status = status;
	r->content_type = "text/html";
	buf_reset(b);
	page_start(b, study->title_fr);
	buf_puts(b, "<h1>");
	html_escape(b, study->title_fr);
	buf_puts(b, "</h1>\n<p class=\"note\">Les questions marquées "
		 "<span class=\"req\">*</span> sont obligatoires. Les "
		 "libellés ont été reconstitués d'après les publications de "
		 "l'étude, sauf mention contraire.</p>\n");
	if (fs->notice != NULL) {
		buf_puts(b, "<p class=\"summary\">");
		html_escape(b, fs->notice);
		buf_puts(b, "</p>\n");
	}
	if (n_errors > 0)
		buf_printf(b, "<p class=\"summary\" role=\"alert\">%zu "
			   "réponse%s à corriger : voir les messages en "
			   "rouge.</p>\n", n_errors, n_errors > 1 ? "s" : "");
	buf_puts(b, "<form class=\"questionnaire\" method=\"post\" "
		 "action=\"/forms/");
	urlenc_encode(b, study->slug);
	buf_puts(b, "\" accept-charset=\"utf-8\">\n<input type=\"hidden\" "
		 "name=\"_key\" value=\"");
	html_escape(b, fs->key);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"_csrf\" value=\"");
	html_escape(b, csrf);
	buf_puts(b, "\">\n");
	if (fs->resume != NULL) {
		buf_puts(b, "<input type=\"hidden\" name=\"_resume\" "
			 "value=\"");
		html_escape(b, fs->resume);
		buf_puts(b, "\">\n");
	}

	buf_puts(b, "<h2>Votre structure</h2>\n");
	if (fs->resume == NULL) {
		buf_puts(b, "<fieldset id=\"item-_structure\"><legend>"
			 "Identifiant de la structure (n° FINESS, ou nom et "
			 "commune) <span class=\"req\">*</span></legend>\n"
			 "<p class=\"help\">Il n'est pas enregistré : seule "
			 "une empreinte chiffrée l'est, pour relier vos "
			 "réponses entre elles.</p>\n");
		if (fs->structure_error != NULL) {
			buf_puts(b, "<p class=\"error\" "
				 "id=\"error-_structure\">");
			html_escape(b, fs->structure_error);
			buf_puts(b, "</p>\n");
		}
		buf_puts(b, "<input type=\"text\" name=\"_structure\" "
			 "size=\"40\" maxlength=\"200\" autocomplete=\"off\" "
			 "aria-label=\"Identifiant de la structure\" "
			 "value=\"");
		html_escape(b, fs->structure);
		buf_puts(b, "\"></fieldset>\n");
	}
	buf_puts(b, "<fieldset id=\"item-_role\"><legend>Votre fonction "
		 "dans l'équipe</legend>\n");
	if (fs->role_error != NULL) {
		buf_puts(b, "<p class=\"error\" id=\"error-_role\">");
		html_escape(b, fs->role_error);
		buf_puts(b, "</p>\n");
	}
	for (i = 0; i < n_respondent_roles; i++)
		choice_input(b, "radio", "_role", respondent_roles[i].code,
			     respondent_roles[i].label_fr,
			     strcmp(fs->role, respondent_roles[i].code) == 0);
	buf_puts(b, "</fieldset>\n");

	for (i = 0; i < ins->n_items; i++) {
		const char *s = ins->items[i].section_fr;

		if (*s != '\0' && strcmp(s, section) != 0) {
			buf_puts(b, "<h2>");
			html_escape(b, s);
			buf_puts(b, "</h2>\n");
			section = s;
		}
		render_item(b, ins, (int)i, sub);
	}
	buf_puts(b, "<p><button type=\"submit\" name=\"_action\" "
		 "value=\"submit\">Envoyer mes réponses</button>"
		 "<button type=\"submit\" name=\"_action\" value=\"save\">"
		 "Enregistrer et reprendre plus tard</button>"
		 "<button type=\"submit\" name=\"_action\" value=\"refresh\">"
		 "Mettre à jour les questions</button></p>\n"
		 "</form>\n<script src=\"/forms/form.js\"></script>\n");
	page_end(b);
}

static void
handle_list(struct worker *w, struct reply *r)
{
	struct buf *b = &r->body;
	size_t i;

	if (worker_studies(w, r) != 0)
		return;
	r->status = 200;
	r->content_type = "text/html";
	page_start(b, "Questionnaires");
	buf_puts(b, "<h1>Implication des usagers : questionnaires</h1>\n"
		 "<ul>\n");
	for (i = 0; i < w->n_studies; i++) {
		buf_puts(b, "<li><a href=\"/forms/");
		urlenc_encode(b, w->studies[i].slug);
		buf_puts(b, "\">");
		html_escape(b, w->studies[i].title_fr);
		buf_puts(b, "</a></li>\n");
	}
	buf_puts(b, "</ul>\n");
	page_end(b);
}

/* Whether s is exactly n lower-case hex digits. */
static int
is_hex(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static enum msp_status
resume_hash(const char *resume, char hash[CRYPTO_SHA256_HEX])
{
	return crypto_sha256_hex(resume, strlen(resume), hash, NULL);
}

static void
handle_get_form(struct worker *w, const struct study *study,
		struct request *req, struct reply *r)
{
	char key[2 * FORM_KEY_BYTES + 1], hash[CRYPTO_SHA256_HEX], sid[16];
	struct form_state fs = { .key = key, .structure = "", .role = "" };
	struct submission *sub = NULL;
	struct urlenc q = { NULL, 0 };
	const char *resume, *params[2];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int i;

	if (crypto_random_hex(FORM_KEY_BYTES, key, NULL) != MSP_OK) {
		simple_page(r, 500, "Erreur", "Réessayez dans un instant.");
		return;
	}
	if (urlenc_parse(req->query, strlen(req->query), &q, NULL) != MSP_OK)
		urlenc_free(&q);	/* a bad query is ignored */
	resume = urlenc_get(&q, "resume");
	if (resume != NULL) {
		if (!is_hex(resume, 2 * RESUME_BYTES) ||
		    resume_hash(resume, hash) != MSP_OK) {
			simple_page(r, 404, "Lien inconnu", "Ce lien de "
				    "reprise n'existe pas ou a déjà servi.");
			goto out;
		}
		if ((conn = worker_db(w)) == NULL) {
			worker_db_failure(w, &err, r);
			goto out;
		}
		snprintf(sid, sizeof(sid), "%d", study->study_id);
		params[0] = sid;
		params[1] = hash;
		if (db_exec_prepared(conn, "form_resume", 2, params,
				     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
			worker_db_failure(w, &err, r);
			goto out;
		}
		if (PQntuples(res) == 0) {
			simple_page(r, 404, "Lien inconnu", "Ce lien de "
				    "reprise n'existe pas ou a déjà servi.");
			goto out;
		}
		sub = submission_new(study->ins);
		for (i = 0; sub != NULL && i < PQntuples(res); i++)
			if (submission_add(sub, PQgetvalue(res, i, 0),
					   RAW_TEXT, PQgetvalue(res, i, 1),
					   NULL) != MSP_OK)
				break;
		fs.resume = resume;
		fs.notice = "Vous reprenez un questionnaire enregistré.";
	}
	render_form(w, r, 200, study, sub, &fs);
out:
	PQclear(res);
	submission_free(sub);
	urlenc_free(&q);
}

static void
handle_post_form(struct worker *w, const struct study *study,
		 struct request *req, struct reply *r)
{
	char pseudonym[CRYPTO_SHA256_HEX], hash[CRYPTO_SHA256_HEX];
	char new_resume[2 * RESUME_BYTES + 1], sid[16];
	struct form_state fs = { .structure = "", .role = "" };
	struct urlenc form = { NULL, 0 };
	struct submission *sub = NULL;
	struct buf answers = BUF_INIT;
	const char *action, *params[7];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int complete, valid;

	if (!http_content_type_is(req,
				  "application/x-www-form-urlencoded")) {
		simple_page(r, 415, "Format non pris en charge",
			    "Envoyez le formulaire depuis la page du "
			    "questionnaire.");
		goto out;
	}
	if (http_read_body(req, r) != 0)
		goto out;	/* 413 or 400, as a problem document */
	if (urlenc_parse(req->body, req->body_len, &form, &err) != MSP_OK) {
		simple_page(r, 400, "Formulaire illisible", err.message);
		goto out;
	}
	fs.key = urlenc_get(&form, "_key");
	if (!is_hex(fs.key, 2 * FORM_KEY_BYTES) ||
	    !secret_csrf_check(&w->secret, fs.key, urlenc_get(&form, "_csrf"),
			       time(NULL), CSRF_MAX_AGE)) {
		simple_page(r, 403, "Formulaire expiré",
			    "Ce formulaire n'a pas été délivré par ce site "
			    "ou date de plus d'un jour. Rechargez la page du "
			    "questionnaire.");
		r->log_note = "csrf";
		goto out;
	}
	fs.resume = urlenc_get(&form, "_resume");
	if (fs.resume != NULL && !is_hex(fs.resume, 2 * RESUME_BYTES)) {
		simple_page(r, 400, "Lien inconnu", "Ce lien de reprise "
			    "n'existe pas.");
		goto out;
	}
	fs.structure = urlenc_get(&form, "_structure");
	if (fs.structure == NULL)
		fs.structure = "";
	fs.role = urlenc_get(&form, "_role");
	if (fs.role == NULL)
		fs.role = "";
	action = urlenc_get(&form, "_action");
	if (action == NULL)
		action = "submit";
	complete = strcmp(action, "submit") == 0;

	sub = submission_new(study->ins);
	if (sub == NULL || submission_add_form(sub, &form, &err) != MSP_OK) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if (strcmp(action, "refresh") == 0) {
		render_form(w, r, 200, study, sub, &fs);
		goto out;
	}
	valid = submission_validate(sub, SUBMISSION_LENIENT |
				    (complete ? SUBMISSION_COMPLETE : 0),
				    &err) == MSP_OK;
	if (!valid && err.status == MSP_ENOMEM) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if (*fs.role != '\0' && respondent_role_code(fs.role) == NULL) {
		fs.role_error = "choisissez une des fonctions proposées";
		valid = 0;
	}
	if (fs.resume == NULL &&
	    secret_pseudonym(&w->secret, fs.structure, pseudonym, &err)
	    != MSP_OK) {
		fs.structure_error = "indiquez l'identifiant de votre "
				     "structure";
		valid = 0;
	}
	if (strlen(fs.structure) > 200) {
		fs.structure_error = "200 caractères au plus";
		valid = 0;
	}
	if (!valid) {
		render_form(w, r, 422, study, sub, &fs);
		goto out;
	}

	/* A resume link is made on the first "save". */
	if (fs.resume == NULL && !complete) {
		if (crypto_random_hex(RESUME_BYTES, new_resume, NULL)
		    != MSP_OK) {
			simple_page(r, 500, "Erreur", "Réessayez.");
			goto out;
		}
		fs.resume = new_resume;
	}
	if (fs.resume != NULL)
		resume_hash(fs.resume, hash);
	submission_answers_json(sub, &answers);
	if (buf_status(&answers, NULL) != MSP_OK) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if ((conn = worker_db(w)) == NULL) {
		worker_db_failure(w, &err, r);
		goto out;
	}
	snprintf(sid, sizeof(sid), "%d", study->study_id);
	params[0] = sid;
	params[1] = urlenc_get(&form, "_resume") ? NULL : pseudonym;
	params[2] = fs.key;
	params[3] = fs.resume ? hash : NULL;
	params[4] = *fs.role ? fs.role : NULL;
	params[5] = complete ? "t" : "f";
	params[6] = buf_str(&answers);
	if (db_exec_prepared(conn, "form_submit", 7, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		if (strncmp(err.sqlstate, "22", 2) == 0 ||
		    strncmp(err.sqlstate, "23", 2) == 0) {
			fs.notice = "Ces réponses n'ont pas pu être "
				    "enregistrées : vérifiez-les.";
			render_form(w, r, 422, study, sub, &fs);
		} else {
			worker_db_failure(w, &err, r);
		}
		goto out;
	}
	if (complete) {
		simple_page(r, 200, "Merci !", "Vos réponses ont bien été "
			    "enregistrées. Merci pour votre participation.");
		r->log_note = PQgetvalue(res, 0, 1)[0] == 't' ? "replayed"
							       : NULL;
		goto out;
	}
	r->status = 200;
	r->content_type = "text/html";
	buf_reset(&r->body);
	page_start(&r->body, "Réponses enregistrées");
	buf_puts(&r->body, "<h1>Réponses enregistrées</h1><p>Pour reprendre "
		 "le questionnaire plus tard, gardez ce lien privé (il donne "
		 "accès à vos réponses) :</p><p><a id=\"resume-link\" "
		 "href=\"/forms/");
	urlenc_encode(&r->body, study->slug);
	buf_puts(&r->body, "?resume=");
	html_escape(&r->body, fs.resume);
	buf_puts(&r->body, "\">Reprendre le questionnaire</a></p>");
	page_end(&r->body);
out:
	PQclear(res);
	buf_free(&answers);
	submission_free(sub);
	urlenc_free(&form);
}

int
forms_route(struct worker *w, struct request *req, struct reply *r)
{
	const char *p = req->path;
	int get = strcmp(req->method, "GET") == 0 ||
		  strcmp(req->method, "HEAD") == 0;
	const struct study *study;
	int found;

	if (strcmp(p, "/forms") == 0 || strcmp(p, "/forms/") == 0) {
		if (get)
			handle_list(w, r);
		else
			simple_page(r, 405, "Méthode non permise", p);
		return 1;
	}
	if (strncmp(p, "/forms/", 7) != 0)
		return 0;
	if (strcmp(p, "/forms/form.js") == 0) {
		r->status = 200;
		r->content_type = "text/javascript";
		buf_puts(&r->body, form_js);
		return 1;
	}
	study = worker_study(w, p + 7, r, &found);
	if (found < 0)
		return 1;
	if (study == NULL) {
		simple_page(r, 404, "Questionnaire introuvable",
			    "Aucune étude ne porte ce nom.");
		return 1;
	}
	if (get)
		handle_get_form(w, study, req, r);
	else if (strcmp(req->method, "POST") == 0)
		handle_post_form(w, study, req, r);
	else
		simple_page(r, 405, "Méthode non permise", p);
	return 1;
}
