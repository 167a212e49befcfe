/*
 * forms — the questionnaires as HTML forms.
 *
 *   GET  /forms                  the studies open for answers
 *   GET  /forms/{slug}           a blank questionnaire
 *   POST /forms/{slug}           send (_action=submit), save for later
 *                                (save), show the questions that
 *                                depend on the answers (refresh), or
 *                                reopen a saved form from its code
 *                                (resume, with _resume), or open a
 *                                personal invitation link (invitation,
 *                                with _invitation)
 *   GET  /forms/form.js          the optional script for "show if"
 *
 * The resume code never travels in a URL the server sees.  It gives
 * read and write access to a team's saved answers, and nginx writes the
 * whole request line, query string included, into error.log whenever
 * it refuses or fails a request itself (429, 502, 504) — whatever the
 * access log's format says.  So the code is POSTed: typed into the
 * « Reprendre » form, or carried in the fragment of the link the save
 * page gives (/forms/{slug}#reprise=CODE), which browsers never send
 * and which form.js posts.  A path segment would be logged like a
 * query; a cookie would bind the draft to one browser.
 *
 * A personal invitation link (msp-report invite, docs/fieldwork.md) is
 * /forms/{slug}?invitation#invitation=CODE, the code in the fragment for
 * the same reason, posted by form.js (or typed into « Code
 * d'invitation » without a script).  The form it opens knows the
 * structure: it carries the code in _invitation instead of asking for
 * an identifier, shows the structure's saved or sent answers, and every
 * save or submission goes to msp.invitation_submit, which keeps one
 * response per structure.
 *
 * Every reply under /forms is an HTML page, errors included: shared
 * code reports its failures through http_fail(), which forms_route
 * points at failure_page(), so a person never sees JSON.
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
#include "forms.h"
#include "html.h"
#include "pseudonym.h"
#include "submission.h"
#include "urlenc.h"

/* A form may be sent up to a day after it was shown. */
#define CSRF_MAX_AGE (24 * 60 * 60)

#define FORM_KEY_BYTES 16
#define RESUME_BYTES 32
#define INVITATION_BYTES 32

static const char form_js[] =
"/* Shows and hides the questions whose \"show if\" depends on an\n"
" * answer, as the server does when the form is refreshed; posts the\n"
" * resume code of a link /forms/{slug}#reprise=CODE and the code of\n"
" * an invitation link #invitation=CODE (the fragment is\n"
" * never sent to the server, so the code reaches no log); moves the\n"
" * focus to the error summary, and from its links to the fields. */\n"
"(function () {\n"
"  var inv = /^#invitation=([0-9a-f]{64})$/.exec(location.hash);\n"
"  var open = document.querySelector('form.invitation');\n"
"  if (inv && open) {\n"
"    history.replaceState(null, '', location.pathname);\n"
"    open.querySelector('[name=_invitation]').value = inv[1];\n"
"    open.submit();\n"
"    return;\n"
"  }\n"
"  var m = /^#reprise=([0-9a-f]{64})$/.exec(location.hash);\n"
"  var again = document.querySelector('form.resume');\n"
"  if (m && again) {\n"
"    history.replaceState(null, '', location.pathname);\n"
"    again.querySelector('[name=_resume]').value = m[1];\n"
"    again.submit();\n"
"    return;\n"
"  }\n"
"  var summary = document.querySelector('.summary[tabindex]');\n"
"  if (summary) summary.focus();\n"
"  /* A link of the summary focuses its field, its question in view\n"
"   * (a link alone only scrolls). */\n"
"  document.querySelectorAll('.summary a').forEach(function (a) {\n"
"    a.addEventListener('click', function (ev) {\n"
"      var f = document.getElementById(a.getAttribute('href').slice(1));\n"
"      if (!f) return;\n"
"      ev.preventDefault();\n"
"      (f.closest('fieldset') || f).scrollIntoView();\n"
"      f.focus();\n"
"    });\n"
"  });\n"
"  var form = document.querySelector('form.questionnaire');\n"
"  if (!form) return;\n"
"  function values(name) {\n"
"    var out = [];\n"
"    form.querySelectorAll('[name=\"' + name + '\"]').forEach(function (e) {\n"
"      var box = e.type === 'radio' || e.type === 'checkbox';\n"
"      if (box && !e.checked) return;\n"
"      if (e.closest('[hidden]')) return;\n"
"      if (e.value !== '') out.push(e.value);\n"
"    });\n"
"    return out;\n"
"  }\n"
"  function update() {\n"
"    for (var pass = 0; pass < 3; pass++)\n"
"      form.querySelectorAll('[data-show-if]').forEach(function (f) {\n"
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

/*
 * fieldset{min-width:0}: a fieldset is as wide as its widest content by
 * default (min-inline-size: min-content), so the identifier's input
 * (size 40) pushed the page past a 390 px screen whatever max-width the
 * input had.  Inputs count their padding and border in their width.
 */
static const char page_style[] =
"body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;"
"padding:0 1rem;line-height:1.45;color:#1b1b1b}"
"h1{font-size:1.6rem;line-height:1.25}"
"fieldset{border:1px solid #ccc;border-radius:6px;margin:0 0 1rem;"
"padding:.6rem 1rem;min-width:0}legend{font-weight:600;padding:0 .3rem}"
"legend label{display:inline;margin:0}"
"label{display:block;margin:.15rem 0}.req{color:#b00020}"
".error{color:#b00020;font-weight:600;margin:.2rem 0}"
".invalid{border-left:4px solid #b00020}"
".summary{border:2px solid #b00020;padding:.5rem 1rem;border-radius:6px}"
".summary a{color:#b00020;font-weight:600}"
".notice{border:2px solid #555;padding:.5rem 1rem;border-radius:6px}"
".help{color:#555;font-size:.9em}.note{color:#555;font-size:.85em}"
".rgpd{background:#f3f3f3;padding:.3rem 1rem;border-radius:6px;"
"font-size:.95em}"
".precisez{margin:.1rem 0 .5rem 1.6rem}"
"input[type=text],textarea,select{font:inherit;padding:.25rem;"
"max-width:100%;box-sizing:border-box}textarea,.wide{width:100%}"
"code{overflow-wrap:anywhere}"
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

/*
 * Whether item idx is the « précisez » field of the « Autre » before it.
 * The instrument model has no field for it: an instrument says so with
 * a text item placed right after a choice item and asked only when that
 * item's answer is (or includes) its option "autre" (the code the
 * instruments give « Autre »).  The form then shows it under that
 * option; it is stored like any text answer, under its own key.  A text
 * item that follows up another answer (« Si oui, comment ? ») stays a
 * question of its own.
 */
static int
is_precisez(const struct instrument *ins, size_t idx)
{
	const struct instrument_item *it = &ins->items[idx], *parent;
	size_t j;

	if (idx == 0 || it->type != ITEM_TEXT ||
	    it->show_if != (int)idx - 1 || it->n_show_if_values != 1 ||
	    strcmp(it->show_if_values[0], "autre") != 0)
		return 0;
	parent = &ins->items[idx - 1];
	if (parent->type != ITEM_SINGLE_CHOICE &&
	    parent->type != ITEM_MULTIPLE_CHOICE)
		return 0;
	for (j = 0; j < parent->n_options; j++)
		if (strcmp(parent->options[j].code,
			   it->show_if_values[0]) == 0)
			return 1;
	return 0;
}

/*
 * The id of the input an error is about, the one the summary links to
 * (GOV.UK's pattern: the first radio or checkbox of a group): "f-KEY"
 * for a single input, "f-KEY-0" for a group.
 */
static void
field_id(struct buf *b, const char *key, int group)
{
	buf_puts(b, "f-");
	html_escape(b, key);
	if (group)
		buf_puts(b, "-0");
}

static int
item_is_group(const struct instrument_item *it)
{
	return it->type == ITEM_SINGLE_CHOICE ||
	       it->type == ITEM_MULTIPLE_CHOICE || it->type == ITEM_BOOLEAN;
}

/*
 * aria-describedby (the help and the error of key, those that exist)
 * and aria-invalid, for an input or a group's fieldset.
 */
static void
described_by(struct buf *b, const char *key, int help, int error)
{
	if (help || error) {
		buf_puts(b, " aria-describedby=\"");
		if (help) {
			buf_puts(b, "help-");
			html_escape(b, key);
		}
		if (error) {
			buf_puts(b, help ? " error-" : "error-");
			html_escape(b, key);
		}
		buf_puts(b, "\"");
	}
}

static void
error_line(struct buf *b, const char *key, const char *error)
{
	if (error == NULL)
		return;
	buf_puts(b, "<p class=\"error\" id=\"error-");
	html_escape(b, key);
	buf_puts(b, "\">");
	html_escape(b, error);
	buf_puts(b, "</p>\n");
}

/* The statements of the forms, prepared on each new connection
 * (conn.c). */
const struct statement forms_statements[] = {
	{ "form_submit",
	  "SELECT response_id, replayed"
	  "  FROM msp.form_submit($1, $2, $3, pg_catalog.decode($4, 'hex'),"
	  "                       $5, $6, $7)", 7 },
	{ "form_resume",
	  "SELECT item_key, value"
	  "  FROM msp.form_resume($1, pg_catalog.decode($2, 'hex'))", 2 },
	{ "invitation_open",
	  "SELECT item_key, value"
	  "  FROM msp.invitation_open($1, pg_catalog.decode($2, 'hex'))", 2 },
	{ "invitation_submit",
	  "SELECT response_id, replayed"
	  "  FROM msp.invitation_submit($1, pg_catalog.decode($2, 'hex'),"
	  "                             $3, $4, $5, $6)", 6 },
	/* read on each request, not from the studies' cache (a minute
	 * old at most): a study closed a second ago shows closed */
	{ "study_door", "SELECT msp.study_door($1) AS door", 1 },
	/* the public list: the studies a team can answer today, drafts
	 * (test mode, reached by their address) and closed ones left out */
	{ "studies_open",
	  "SELECT s.slug, s.title_fr"
	  "  FROM msp.study s JOIN msp.region r USING (region_id)"
	  " WHERE msp.study_door(s.study_id) = 'open'"
	  " ORDER BY r.slug, s.year DESC, s.slug", 0 },
	{ NULL, NULL, 0 }
};

/*
 * What the form shows for each value of msp.respondent_role (the values
 * themselves come from the database, studies_role_at()): a value a
 * migration adds before its label is written here shows as its code.
 */
static const struct {
	const char *code;
	const char *label_fr;
} role_labels[] = {
	{ "coordinateur", "Coordinateur ou coordinatrice" },
	{ "leader", "Leader de l'équipe" },
	{ "responsable_groupe", "Responsable d'un groupe de travail" },
	{ "secretaire", "Secrétaire" },
	{ "professionnel_sante", "Professionnel·le de santé" },
	{ "autre", "Autre" },
};

static const char *
role_label(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(role_labels) / sizeof(role_labels[0]); i++)
		if (strcmp(code, role_labels[i].code) == 0)
			return role_labels[i].label_fr;
	return code;
}

/* One radio or checkbox, its id "f-NAME-N", wrapped in its label. */
static void
choice_input(struct buf *b, const char *type, const char *name, size_t n,
	     const char *code, const char *label, int checked, int invalid)
{
	buf_printf(b, "<label><input type=\"%s\" id=\"f-", type);
	html_escape(b, name);
	buf_printf(b, "-%zu\" name=\"", n);
	html_escape(b, name);
	buf_puts(b, "\" value=\"");
	html_escape(b, code);
	buf_puts(b, "\"");
	if (checked)
		buf_puts(b, " checked");
	if (invalid)
		buf_puts(b, " aria-invalid=\"true\"");
	buf_puts(b, "> ");
	html_escape(b, label);
	buf_puts(b, "</label>\n");
}

/* The attributes that tie a shown-if block to the answer it waits on. */
static void
show_if_attrs(struct buf *b, const struct instrument *ins,
	      const struct instrument_item *it, int shown)
{
	size_t j;

	buf_puts(b, " data-show-if=\"");
	html_escape(b, ins->items[it->show_if].key);
	buf_puts(b, "\" data-show-values=\"");
	for (j = 0; j < it->n_show_if_values; j++) {
		if (j > 0)
			buf_putc(b, ' ');
		html_escape(b, it->show_if_values[j]);
	}
	buf_puts(b, "\"");
	if (!shown)
		buf_puts(b, " hidden");
}

/* The « précisez » item p, under the option that asks for it. */
static void
render_precisez(struct buf *b, const struct instrument *ins, size_t p,
		const struct submission *sub)
{
	const struct instrument_item *it = &ins->items[p];
	const char *error = sub ? submission_error_for(sub, it->key) : NULL;

	buf_puts(b, "<div class=\"precisez\" id=\"item-");
	html_escape(b, it->key);
	buf_puts(b, "\"");
	show_if_attrs(b, ins, it, sub != NULL &&
		      submission_item_shown(sub, (int)p));
	buf_puts(b, "><label for=\"");
	field_id(b, it->key, 0);
	buf_puts(b, "\">");
	html_escape(b, it->label_fr);
	buf_puts(b, "</label>\n");
	error_line(b, it->key, error);
	buf_puts(b, "<input type=\"text\" class=\"wide\" id=\"");
	field_id(b, it->key, 0);
	buf_puts(b, "\" name=\"");
	html_escape(b, it->key);
	buf_puts(b, "\"");
	if (it->max_length > 0)
		buf_printf(b, " maxlength=\"%d\"", it->max_length);
	if (error != NULL)
		buf_puts(b, " aria-invalid=\"true\"");
	described_by(b, it->key, 0, error != NULL);
	buf_puts(b, " value=\"");
	html_escape(b, given_first(sub, (int)p));
	buf_puts(b, "\"></div>\n");
}

static void
render_item(struct buf *b, const struct instrument *ins, size_t idx,
	    const struct submission *sub)
{
	const struct instrument_item *it = &ins->items[idx];
	const char *error = sub ? submission_error_for(sub, it->key) : NULL;
	int group = item_is_group(it), help = it->help_fr != NULL;
	int precisez = idx + 1 < ins->n_items && is_precisez(ins, idx + 1);
	size_t j;

	buf_puts(b, "<fieldset id=\"item-");
	html_escape(b, it->key);
	buf_puts(b, "\"");
	if (it->show_if >= 0)
		show_if_attrs(b, ins, it, sub != NULL &&
			      submission_item_shown(sub, (int)idx));
	if (error != NULL)
		buf_puts(b, " class=\"invalid\"");
	if (group)
		described_by(b, it->key, help, error != NULL);
	buf_puts(b, "><legend>");
	html_escape(b, it->label_fr);
	if (it->required)
		buf_puts(b, " <span class=\"req\" title=\"obligatoire\">*"
			 "</span>");
	buf_puts(b, "</legend>\n");
	if (help) {
		buf_puts(b, "<p class=\"help\" id=\"help-");
		html_escape(b, it->key);
		buf_puts(b, "\">");
		html_escape(b, it->help_fr);
		buf_puts(b, "</p>\n");
	}
	error_line(b, it->key, error);
	switch (it->type) {
	case ITEM_SINGLE_CHOICE:
	case ITEM_MULTIPLE_CHOICE:
		for (j = 0; j < it->n_options; j++) {
			const char *code = it->options[j].code;

			choice_input(b, it->type == ITEM_SINGLE_CHOICE
				     ? "radio" : "checkbox", it->key, j, code,
				     it->options[j].label_fr,
				     given_has(sub, (int)idx, code),
				     error != NULL);
			if (precisez && strcmp(code, ins->items[idx + 1].
					       show_if_values[0]) == 0)
				render_precisez(b, ins, idx + 1, sub);
		}
		break;
	case ITEM_BOOLEAN:
		choice_input(b, "radio", it->key, 0, "oui", "Oui",
			     given_has(sub, (int)idx, "oui"), error != NULL);
		choice_input(b, "radio", it->key, 1, "non", "Non",
			     given_has(sub, (int)idx, "non"), error != NULL);
		break;
	case ITEM_NUMBER:
		buf_puts(b, "<input type=\"text\" inputmode=\"decimal\" "
			 "size=\"10\" id=\"");
		field_id(b, it->key, 0);
		buf_puts(b, "\"");
		if (error != NULL)
			buf_puts(b, " aria-invalid=\"true\"");
		described_by(b, it->key, help, error != NULL);
		buf_puts(b, " name=\"");
		html_escape(b, it->key);
		buf_puts(b, "\" aria-label=\"");
		html_escape(b, it->label_fr);
		buf_puts(b, "\" value=\"");
		html_escape(b, given_first(sub, (int)idx));
		buf_puts(b, "\">");
		if (it->has_min && it->has_max)
			buf_printf(b, " <span class=\"note\">(%g à %g)</span>",
				   it->min_value, it->max_value);
		buf_putc(b, '\n');
		break;
	case ITEM_TEXT:
		buf_puts(b, "<textarea rows=\"3\" id=\"");
		field_id(b, it->key, 0);
		buf_puts(b, "\" name=\"");
		html_escape(b, it->key);
		buf_puts(b, "\" aria-label=\"");
		html_escape(b, it->label_fr);
		buf_puts(b, "\"");
		if (it->max_length > 0)
			buf_printf(b, " maxlength=\"%d\"", it->max_length);
		if (error != NULL)
			buf_puts(b, " aria-invalid=\"true\"");
		described_by(b, it->key, help, error != NULL);
		buf_puts(b, ">");
		html_escape(b, given_first(sub, (int)idx));
		buf_puts(b, "</textarea>\n");
		break;
	}
	buf_puts(b, "</fieldset>\n");
}

struct form_state {
	const char *key;		/* the form's random key (hex) */
	const char *resume;		/* resume code, or NULL */
	const char *invitation;		/* invitation code, or NULL */
	int by_phone;			/* invitation: an interviewer's */
	const char *structure;		/* what was typed, or "" */
	const char *role;		/* chosen role, or "" */
	const char *structure_error;	/* or NULL */
	const char *role_error;		/* or NULL */
	const char *notice;		/* a message above the form, or NULL */
};

/* One line of the error summary: a link to the field, or plain text
 * for an error about no field of the form. */
static void
summary_line(struct buf *b, const char *key, int group, const char *label,
	     const char *error, int link)
{
	buf_puts(b, "<li>");
	if (link) {
		buf_puts(b, "<a href=\"#");
		field_id(b, key, group);
		buf_puts(b, "\">");
	}
	html_escape(b, label);
	buf_puts(b, " : ");
	html_escape(b, error);
	buf_puts(b, link ? "</a></li>\n" : "</li>\n");
}

/*
 * The error summary at the top of the form (GOV.UK's and the DSFR's
 * pattern): how many answers to correct and a link to each wrong field,
 * in the order of the page.  role="alert" has screen readers read it
 * out; form.js moves the focus to it.
 */
static void
render_summary(struct buf *b, const struct instrument *ins,
	       const struct submission *sub, const struct form_state *fs,
	       size_t n_errors)
{
	const struct field_error *errs = NULL;
	size_t i, n = 0;

	buf_printf(b, "<div class=\"summary\" role=\"alert\" tabindex=\"-1\" "
		   "aria-labelledby=\"summary-title\"><h2 id=\"summary-title\">"
		   "%zu réponse%s à corriger</h2>\n<ul>\n", n_errors,
		   n_errors > 1 ? "s" : "");
	if (fs->structure_error != NULL)
		summary_line(b, "_structure", 0, "Identifiant de la structure",
			     fs->structure_error, 1);
	if (fs->role_error != NULL)
		summary_line(b, "_role", 1, "Votre fonction dans l'équipe",
			     fs->role_error, 1);
	for (i = 0; sub != NULL && i < ins->n_items; i++) {
		const struct instrument_item *it = &ins->items[i];
		const char *e = submission_error_for(sub, it->key);

		if (e != NULL)
			summary_line(b, it->key, item_is_group(it),
				     it->label_fr, e, 1);
	}
	if (sub != NULL)
		errs = submission_errors(sub, &n);
	for (i = 0; i < n; i++)
		if (instrument_index(ins, errs[i].field) < 0)
			summary_line(b, errs[i].field, 0, errs[i].field,
				     errs[i].message, 0);
	buf_puts(b, "</ul></div>\n");
}

/*
 * What a team is told before it answers (RGPD art. 13): who is
 * responsible, what is kept and for how long, its rights and how to use
 * them.  The facts are docs/rgpd.md's; keep the two together.
 */
static void
render_rgpd(struct buf *b, const struct study *study)
{
	buf_puts(b, "<section class=\"rgpd\" aria-labelledby=\"rgpd-title\">"
		 "<h2 id=\"rgpd-title\">Vos données</h2>\n"
		 "<p><strong>Responsable du traitement\xc2\xa0:</strong> "
		 "l'organisme qui conduit l'étude «\xc2\xa0");
	html_escape(b, study->title_fr);
	buf_puts(b, "\xc2\xa0»\xc2\xa0; ses coordonnées figurent dans "
		 "l'invitation reçue par votre équipe. Finalité\xc2\xa0: "
		 "décrire l'implication "
		 "des usagers dans les équipes de soins primaires (recherche "
		 "et évaluation, sur la base de votre participation "
		 "volontaire).</p>\n"
		 "<p><strong>Ce qui est conservé\xc2\xa0:</strong> vos "
		 "réponses, la "
		 "fonction que vous indiquez, la date d'envoi, et une "
		 "empreinte chiffrée de l'identifiant de votre structure, "
		 "qui relie vos réponses entre elles. L'identifiant lui-même, "
		 "votre nom et votre adresse IP ne sont pas enregistrés avec "
		 "les réponses. N'écrivez pas de nom de patient ou de "
		 "collègue dans les réponses libres.</p>\n"
		 "<p><strong>Durée\xc2\xa0:</strong> le temps de l'étude et de "
		 "l'exploitation de ses résultats, sauf si votre équipe "
		 "demande l'effacement plus tôt. Les journaux techniques du "
		 "serveur ne contiennent ni vos réponses ni votre "
		 "identifiant.</p>\n"
		 "<p><strong>Vos droits\xc2\xa0:</strong> accès, copie, "
		 "rectification, effacement et opposition. Écrivez au "
		 "responsable du traitement en donnant l'identifiant que "
		 "vous aurez saisi : il peut remettre à votre équipe une "
		 "clé d'accès avec laquelle elle obtient toutes les données "
		 "de sa structure (export <code>GET /api/v1/export</code>), "
		 "et effacer toutes ces données en une fois (commande "
		 "<code>msp-report erase</code>). Vous pouvez aussi saisir "
		 "la CNIL (cnil.fr).</p>\n</section>\n");
}

static void
hidden_field(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	html_escape(b, value);
	buf_puts(b, "\">\n");
}

static void
render_form(struct worker *w, struct reply *r, int status,
	    const struct study *study, const struct submission *sub,
	    const struct form_state *fs)
{
	const struct instrument *ins = study->ins;
	const char *section = "";
	char csrf[SECRET_CSRF_MAX];
	struct buf *b = &r->body;
	struct buf title = BUF_INIT(BUF_MAX_TEXT);
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
	/* A screen reader announces the title first: say it is wrong. */
	buf_printf(&title, "%s%s", n_errors > 0 ? "Erreur : " : "",
		   study->title_fr);
	page_start(b, buf_status(&title, NULL) == MSP_OK ? buf_str(&title)
							  : study->title_fr);
	buf_free(&title);
	buf_puts(b, "<h1>");
	html_escape(b, study->title_fr);
	buf_puts(b, "</h1>\n");
	if (n_errors > 0)
		render_summary(b, ins, sub, fs, n_errors);
	if (fs->notice != NULL) {
		buf_puts(b, "<p class=\"notice\" role=\"status\">");
		html_escape(b, fs->notice);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<p class=\"note\">Les questions marquées "
		 "<span class=\"req\">*</span> sont obligatoires. Les "
		 "libellés ont été reconstitués d'après les publications de "
		 "l'étude, sauf mention contraire.</p>\n");
	render_rgpd(b, study);
	if (fs->resume == NULL && fs->invitation == NULL) {
		/* The code is POSTed, never put in a URL (see the top). */
		buf_puts(b, "<form class=\"resume\" method=\"post\" "
			 "action=\"/forms/");
		urlenc_encode(b, study->slug);
		buf_puts(b, "\" accept-charset=\"utf-8\">\n");
		hidden_field(b, "_key", fs->key);
		hidden_field(b, "_csrf", csrf);
		hidden_field(b, "_action", "resume");
		buf_puts(b, "<details><summary>Reprendre un questionnaire "
			 "enregistré</summary>\n<label for=\"f-_resume\">Code "
			 "de reprise (64 caractères, reçu en enregistrant)"
			 "</label>\n<input type=\"text\" class=\"wide\" "
			 "id=\"f-_resume\" name=\"_resume\" maxlength=\"64\" "
			 "autocomplete=\"off\" spellcheck=\"false\">\n"
			 "<button type=\"submit\">Reprendre</button>"
			 "</details></form>\n");
		/* The same for an invitation link's code (form.js posts
		 * the fragment of /forms/{slug}#invitation=CODE). */
		buf_puts(b, "<form class=\"invitation\" method=\"post\" "
			 "action=\"/forms/");
		urlenc_encode(b, study->slug);
		buf_puts(b, "\" accept-charset=\"utf-8\">\n");
		hidden_field(b, "_key", fs->key);
		hidden_field(b, "_csrf", csrf);
		hidden_field(b, "_action", "invitation");
		buf_puts(b, "<details><summary>Répondre avec le lien "
			 "personnel de votre structure</summary>\n<label "
			 "for=\"f-_invitation\">Code d'invitation (64 "
			 "caractères, à la fin du lien reçu)</label>\n"
			 "<input type=\"text\" class=\"wide\" "
			 "id=\"f-_invitation\" name=\"_invitation\" "
			 "maxlength=\"64\" autocomplete=\"off\" "
			 "spellcheck=\"false\">\n"
			 "<button type=\"submit\">Ouvrir</button>"
			 "</details></form>\n");
	}
	buf_puts(b, "<form class=\"questionnaire\" method=\"post\" "
		 "action=\"/forms/");
	urlenc_encode(b, study->slug);
	buf_puts(b, "\" accept-charset=\"utf-8\">\n");
	hidden_field(b, "_key", fs->key);
	hidden_field(b, "_csrf", csrf);
	if (fs->resume != NULL)
		hidden_field(b, "_resume", fs->resume);
	if (fs->invitation != NULL)
		hidden_field(b, "_invitation", fs->invitation);

	buf_puts(b, "<h2>Votre structure</h2>\n");
	if (fs->invitation != NULL)
		buf_puts(b, "<p id=\"invited\">Vous répondez avec le lien "
			 "personnel de votre structure : elle est connue, "
			 "vous n'avez pas à l'indiquer. Ce lien vous permet "
			 "de reprendre et de modifier vos réponses.</p>\n");
	if (fs->invitation != NULL)
		buf_printf(b, "<p><label><input type=\"checkbox\" "
			   "name=\"_mode\" value=\"telephone\"%s> Réponses "
			   "recueillies par téléphone par un enquêteur"
			   "</label></p>\n", fs->by_phone ? " checked" : "");
	else if (fs->resume == NULL) {
		int bad = fs->structure_error != NULL;

		buf_printf(b, "<fieldset id=\"item-_structure\"%s><legend>"
			   "<label for=\"f-_structure\">Identifiant de la "
			   "structure (n° FINESS, ou nom et commune)</label> "
			   "<span class=\"req\">*</span></legend>\n"
			   "<p class=\"help\" id=\"help-_structure\">Il n'est "
			   "pas enregistré : seule une empreinte chiffrée "
			   "l'est, pour relier vos réponses entre elles.</p>\n",
			   bad ? " class=\"invalid\"" : "");
		error_line(b, "_structure", fs->structure_error);
		buf_puts(b, "<input type=\"text\" class=\"wide\" "
			 "id=\"f-_structure\" name=\"_structure\" "
			 "maxlength=\"200\" autocomplete=\"off\"");
		if (bad)
			buf_puts(b, " aria-invalid=\"true\"");
		described_by(b, "_structure", 1, bad);
		buf_puts(b, " value=\"");
		html_escape(b, fs->structure);
		buf_puts(b, "\"></fieldset>\n");
	}
	buf_puts(b, "<fieldset id=\"item-_role\"");
	if (fs->role_error != NULL)
		buf_puts(b, " class=\"invalid\"");
	described_by(b, "_role", 0, fs->role_error != NULL);
	buf_puts(b, "><legend>Votre fonction dans l'équipe</legend>\n");
	error_line(b, "_role", fs->role_error);
	for (i = 0; i < studies_n_roles(&w->studies); i++) {
		const char *code = studies_role_at(&w->studies, i);

		choice_input(b, "radio", "_role", i, code, role_label(code),
			     strcmp(fs->role, code) == 0,
			     fs->role_error != NULL);
	}
	buf_puts(b, "</fieldset>\n");

	for (i = 0; i < ins->n_items; i++) {
		const char *s = ins->items[i].section_fr;

		if (is_precisez(ins, i))
			continue;	/* shown under its option */
		if (*s != '\0' && strcmp(s, section) != 0) {
			buf_puts(b, "<h2>");
			html_escape(b, s);
			buf_puts(b, "</h2>\n");
			section = s;
		}
		render_item(b, ins, i, sub);
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

/*
 * The studies that take answers today (the statement studies_open):
 * read from the database on each request, so a study closed or opened
 * a second ago is already out of it or in it.
 */
static void
handle_list(struct worker *w, struct reply *r)
{
	struct buf *b = &r->body;
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int i, n;

	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return;
	if (db_exec_prepared(conn, "studies_open", 0, NULL, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		return;
	}
	r->status = 200;
	r->content_type = "text/html";
	page_start(b, "Questionnaires");
	buf_puts(b, "<h1>Implication des usagers&#160;: questionnaires</h1>\n");
	n = PQntuples(res);
	if (n == 0)
		buf_puts(b, "<p>Aucun questionnaire n'est ouvert aux "
			 "réponses en ce moment.</p>\n");
	else
		buf_puts(b, "<ul>\n");
	for (i = 0; i < n; i++) {
		buf_puts(b, "<li><a href=\"/forms/");
		urlenc_encode(b, PQgetvalue(res, i, db_column(res, "slug")));
		buf_puts(b, "\">");
		html_escape(b, PQgetvalue(res, i, db_column(res, "title_fr")));
		buf_puts(b, "</a></li>\n");
	}
	if (n > 0)
		buf_puts(b, "</ul>\n");
	page_end(b);
	PQclear(res);
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
unknown_code_page(struct reply *r)
{
	simple_page(r, 404, "Code de reprise inconnu", "Ce code ne "
		    "correspond à aucun questionnaire enregistré de cette "
		    "étude, ou le questionnaire a déjà été envoyé. Vérifiez "
		    "le code, ou recommencez le questionnaire.");
	r->log_note = "resume-unknown";
}

/*
 * The saved form whose resume code is resume, as it was left, with a
 * new form key.  404 for a code that names no draft of this study;
 * 503 when the database fails (the caller's reply is then not HTML:
 * forms_route makes it so).
 */
static void
show_saved(struct worker *w, const struct study *study, const char *resume,
	   struct reply *r)
{
	char key[2 * FORM_KEY_BYTES + 1], hash[CRYPTO_SHA256_HEX], sid[16];
	struct form_state fs = { .key = key, .structure = "", .role = "" };
	struct submission *sub = NULL;
	const char *params[2];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int i;

	if (!is_hex(resume, 2 * RESUME_BYTES) ||
	    resume_hash(resume, hash) != MSP_OK) {
		unknown_code_page(r);
		return;
	}
	if (crypto_random_hex(FORM_KEY_BYTES, key, NULL) != MSP_OK) {
		simple_page(r, 500, "Erreur", "Réessayez dans un instant.");
		return;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return;
	snprintf(sid, sizeof(sid), "%d", study->study_id);
	params[0] = sid;	/* $1: the study the page belongs to */
	params[1] = hash;	/* $2: SHA-256 of the code, as stored */
	if (db_exec_prepared(conn, "form_resume", 2, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		goto out;
	}
	if (PQntuples(res) == 0) {
		unknown_code_page(r);
		goto out;
	}
	sub = submission_new(study->ins);
	if (sub == NULL) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	/* The first row is the role ("_role", 0025), then the answers. */
	for (i = 0; i < PQntuples(res); i++) {
		const char *k = PQgetvalue(res, i, 0);

		if (strcmp(k, "_role") == 0) {
			fs.role = PQgetvalue(res, i, 1);
			continue;
		}
		if (strcmp(k, "_stage") == 0)	/* the restitution's */
			continue;
		if (submission_add(sub, k, RAW_TEXT, PQgetvalue(res, i, 1),
				   NULL) != MSP_OK) {
			simple_page(r, 503, "Erreur", "Réessayez dans un "
				    "instant.");
			goto out;
		}
	}
	fs.resume = resume;
	fs.notice = "Vous reprenez un questionnaire enregistré.";
	render_form(w, r, 200, study, sub, &fs);
out:
	PQclear(res);
	submission_free(sub);
}

static void
unknown_invitation_page(struct reply *r)
{
	simple_page(r, 404, "Lien d'invitation inconnu", "Ce lien ne "
		    "correspond à aucune structure invitée à répondre à ce "
		    "questionnaire. Vérifiez qu'il est complet, ou "
		    "demandez-le à nouveau à la fédération qui mène "
		    "l'enquête.");
	r->log_note = "invitation-unknown";
}

/*
 * The form of the structure a personal invitation link names, with its
 * saved or sent answers, and a new form key.  404 for a code that names
 * no structure of this study's frame; 503 when the database fails.
 * The first opening is recorded (msp.invitation_open).
 */
static void
show_invitation(struct worker *w, const struct study *study,
		const char *code, struct reply *r)
{
	char key[2 * FORM_KEY_BYTES + 1], hash[CRYPTO_SHA256_HEX], sid[16];
	struct form_state fs = { .key = key, .structure = "", .role = "" };
	struct submission *sub = NULL;
	const char *params[2], *status = "";
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int i;

	if (!is_hex(code, 2 * INVITATION_BYTES) ||
	    resume_hash(code, hash) != MSP_OK) {
		unknown_invitation_page(r);
		return;
	}
	if (crypto_random_hex(FORM_KEY_BYTES, key, NULL) != MSP_OK) {
		simple_page(r, 500, "Erreur", "Réessayez dans un instant.");
		return;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return;
	snprintf(sid, sizeof(sid), "%d", study->study_id);
	params[0] = sid;	/* $1: the study the page belongs to */
	params[1] = hash;	/* $2: SHA-256 of the code, as stored */
	if (db_exec_prepared(conn, "invitation_open", 2, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		goto out;
	}
	if (PQntuples(res) == 0) {
		unknown_invitation_page(r);
		goto out;
	}
	sub = submission_new(study->ins);
	if (sub == NULL) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	/* '_status', '_mode', '_role', '_stage', then the answers
	 * (0032). */
	for (i = 0; i < PQntuples(res); i++) {
		const char *k = PQgetvalue(res, i, 0);

		if (strcmp(k, "_status") == 0) {
			status = PQgetvalue(res, i, 1);
			continue;
		}
		if (strcmp(k, "_mode") == 0) {
			fs.by_phone = strcmp(PQgetvalue(res, i, 1),
					     "telephone") == 0;
			continue;
		}
		if (strcmp(k, "_role") == 0) {
			fs.role = PQgetvalue(res, i, 1);
			continue;
		}
		if (strcmp(k, "_stage") == 0)	/* the restitution's */
			continue;
		if (submission_add(sub, k, RAW_TEXT, PQgetvalue(res, i, 1),
				   NULL) != MSP_OK) {
			simple_page(r, 503, "Erreur", "Réessayez dans un "
				    "instant.");
			goto out;
		}
	}
	fs.invitation = code;
	if (strcmp(status, "complete") == 0)
		fs.notice = "Vos réponses ont été envoyées. Vous pouvez les "
			    "modifier et les envoyer à nouveau : elles "
			    "remplaceront les précédentes.";
	else if (strcmp(status, "partial") == 0)
		fs.notice = "Vous reprenez le questionnaire enregistré de "
			    "votre structure.";
	render_form(w, r, 200, study, sub, &fs);
out:
	PQclear(res);
	submission_free(sub);
}

static void
handle_get_form(struct worker *w, const struct study *study,
		struct request *req, struct reply *r)
{
	char key[2 * FORM_KEY_BYTES + 1];
	struct form_state fs = { .key = key, .structure = "", .role = "" };

	if (crypto_random_hex(FORM_KEY_BYTES, key, NULL) != MSP_OK) {
		simple_page(r, 500, "Erreur", "Réessayez dans un instant.");
		return;
	}
	/* Links of the old kind (?resume=CODE) are not followed: they put
	 * the code where nginx logs it.  Say where it goes now. */
	if (strstr(req->query, "resume=") != NULL)
		fs.notice = "Les liens de reprise ne s'ouvrent plus ainsi : "
			    "copiez le code qui suit « resume= » dans le "
			    "champ « Code de reprise » ci-dessous.";
	render_form(w, r, 200, study, NULL, &fs);
}

/* The page of a closed study (msp.study_door 'closed', or MSPS1). */
static void
closed_page(struct reply *r)
{
	simple_page(r, 409, "Questionnaire clos",
		    "Ce questionnaire est clos : il n'accepte plus "
		    "de réponses et rien n'a été enregistré. Pour "
		    "toute question, contactez la fédération qui "
		    "mène l'enquête.");
	r->log_note = "study-closed";
}

/* The page of a study whose opening date is to come ('not-open', or
 * MSPS2). */
static void
not_open_page(struct reply *r)
{
	simple_page(r, 409, "Questionnaire pas encore ouvert",
		    "Ce questionnaire n'est pas encore ouvert aux "
		    "réponses : rien n'a été enregistré. Revenez à "
		    "la date d'ouverture annoncée par la fédération.");
	r->log_note = "study-not-open";
}

/*
 * Whether study takes answers today, asked of the database on each
 * request (msp.study_door; the studies' cache may be a minute old):
 * 0 when it does (open, or a draft in test mode); 1 when it does not,
 * with the French page of why replied (409, nothing read or stored);
 * -1 when the database failed (replied).  The trigger on msp.response
 * refuses the answers of a closed study whatever this says: this only
 * spares a team the questions it could not send.
 */
static int
door_closed_or_reply(struct worker *w, const struct study *study,
		     struct reply *r)
{
	struct msp_error err;
	const char *params[1], *door;
	PGresult *res = NULL;
	PGconn *conn;
	char sid[16];
	int shut = 0;

	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return -1;
	snprintf(sid, sizeof(sid), "%d", study->study_id);
	params[0] = sid;	/* $1: the study asked for */
	if (db_exec_prepared(conn, "study_door", 1, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		return -1;
	}
	door = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
	if (strcmp(door, "closed") == 0 || strcmp(door, "") == 0) {
		/* "": the study was removed since the cache was read */
		closed_page(r);
		shut = 1;
	} else if (strcmp(door, "not-open") == 0) {
		not_open_page(r);
		shut = 1;
	}
	PQclear(res);
	return shut;
}

/*
 * The page for a refusal of msp.form_submit (0025's MSPFn codes, and
 * 0028's MSPSn: the study is closed or not open yet), or 0 when err is
 * not one.  Nothing was stored or changed in any case.
 */
static int
refusal_page(const struct msp_error *err, struct reply *r)
{
	enum db_class c = db_classify(err->sqlstate);

	if (c == DB_FORM_OTHER_STUDY) {
		simple_page(r, 409, "Formulaire d'un autre questionnaire",
			    "Ce formulaire a été ouvert pour un autre "
			    "questionnaire : rien n'a été enregistré. "
			    "Rechargez la page de ce questionnaire pour y "
			    "répondre.");
		r->log_note = "key-other-study";
	} else if (c == DB_FORM_UNKNOWN_CODE) {
		unknown_code_page(r);
	} else if (c == DB_INVITATION_UNKNOWN) {
		unknown_invitation_page(r);
	} else if (c == DB_FORM_SENT) {
		simple_page(r, 409, "Questionnaire déjà envoyé",
			    "Ces réponses ont déjà été envoyées ; elles ne "
			    "peuvent plus être changées depuis ce formulaire "
			    "et rien n'a été modifié. Pour un nouveau "
			    "questionnaire, rechargez la page.");
		r->log_note = "already-sent";
	} else if (c == DB_FORM_OTHER_CODE) {
		simple_page(r, 409, "Questionnaire déjà enregistré",
			    "Ce questionnaire a déjà été enregistré avec un "
			    "autre lien de reprise : reprenez-le avec ce "
			    "lien. Rien n'a été modifié.");
		r->log_note = "saved-other-link";
	} else if (c == DB_STUDY_CLOSED) {
		closed_page(r);
	} else if (c == DB_STUDY_NOT_OPEN) {
		not_open_page(r);
	} else {
		return 0;
	}
	return 1;
}

/* The page after a save: the resume code, and a link that carries it
 * in its fragment (never sent to the server; form.js posts it).  The
 * link's "?reprendre" carries nothing but makes it another address than
 * this page's own (/forms/{slug}, where the save was POSTed): a link
 * that differs from the page's address by its fragment alone only
 * scrolls, and the form would not load to post the code. */
static void
saved_page(const struct study *study, const char *resume, struct reply *r)
{
	struct buf *b = &r->body;

	r->status = 200;
	r->content_type = "text/html";
	buf_reset(b);
	page_start(b, "Réponses enregistrées");
	buf_puts(b, "<h1>Réponses enregistrées</h1><p>Pour reprendre le "
		 "questionnaire plus tard, gardez ce lien privé : il donne "
		 "accès à vos réponses.</p><p><a id=\"resume-link\" "
		 "href=\"/forms/");
	urlenc_encode(b, study->slug);
	buf_puts(b, "?reprendre#reprise=");
	html_escape(b, resume);
	buf_puts(b, "\">Reprendre le questionnaire</a></p><p>Ou notez ce "
		 "code de reprise, à coller dans « Reprendre un "
		 "questionnaire enregistré » en haut du questionnaire :</p>"
		 "<p><code id=\"resume-code\">");
	html_escape(b, resume);
	buf_puts(b, "</code></p>");
	page_end(b);
}

/* The page after a save through an invitation link: the link itself
 * reopens the saved answers. */
static void
saved_invitation_page(struct reply *r)
{
	simple_page(r, 200, "Réponses enregistrées", "Vos réponses sont "
		    "enregistrées. Pour reprendre le questionnaire, ouvrez "
		    "à nouveau le lien personnel reçu par votre structure.");
}

/*
 * The page after a submission through an invitation link, with the way
 * to the team's feedback page (/restitution, fcgi/restitution.c): a
 * POST that carries the link's code in its body, as the form itself
 * does, never in a URL nginx could log.
 */
static void
thanks_invitation_page(struct reply *r, const struct study *study,
		       const char *code)
{
	struct buf *b = &r->body;

	r->status = 200;
	r->content_type = "text/html";
	buf_reset(b);
	page_start(b, "Merci !");
	buf_puts(b, "<h1>Merci !</h1><p>Vos réponses ont bien été "
		 "enregistrées. Merci pour votre participation. Le lien de "
		 "votre invitation permet de les modifier jusqu'à la "
		 "clôture de l'enquête.</p><form method=\"post\" "
		 "action=\"/restitution\" class=\"restitution\">"
		 "<input type=\"hidden\" name=\"_study\" value=\"");
	html_escape(b, study->slug);
	buf_puts(b, "\"><input type=\"hidden\" name=\"_invitation\" "
		 "value=\"");
	html_escape(b, code);
	buf_puts(b, "\"><button type=\"submit\">Voir la restitution de "
		 "votre équipe</button></form><p><a href=\"/forms\">"
		 "Questionnaires</a></p>");
	page_end(b);
}

/*
 * A save or submission of the form an invitation link opened
 * (fs->invitation, unchecked yet): the answers validated as any form's,
 * the structure the link's, stored by msp.invitation_submit (one
 * response per structure: a second submission updates it).
 */
static void
post_invitation(struct worker *w, const struct study *study,
		const struct urlenc *form, struct form_state *fs,
		struct reply *r)
{
	char hash[CRYPTO_SHA256_HEX], sid[16];
	struct submission *sub = NULL;
	struct buf answers = BUF_INIT(HTTP_ANSWERS_MAX);
	const char *action, *mode, *params[6];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int complete, valid;

	/* the interviewer's box: "telephone", or absent */
	mode = urlenc_get(form, "_mode");
	if (mode != NULL && strcmp(mode, "telephone") != 0) {
		simple_page(r, 400, "Formulaire illisible", "Renvoyez le "
			    "formulaire depuis la page du questionnaire.");
		goto out;
	}
	fs->by_phone = mode != NULL;
	if (!is_hex(fs->invitation, 2 * INVITATION_BYTES) ||
	    resume_hash(fs->invitation, hash) != MSP_OK) {
		unknown_invitation_page(r);
		goto out;
	}
	action = urlenc_get(form, "_action");
	if (action == NULL)
		action = "submit";
	fs->role = urlenc_get(form, "_role");
	if (fs->role == NULL)
		fs->role = "";
	complete = strcmp(action, "submit") == 0;
	sub = submission_new(study->ins);
	if (sub == NULL || submission_add_form(sub, form, &err) != MSP_OK) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if (strcmp(action, "refresh") == 0) {
		render_form(w, r, 200, study, sub, fs);
		goto out;
	}
	valid = submission_validate(sub, SUBMISSION_LENIENT |
				    (complete ? SUBMISSION_COMPLETE : 0),
				    &err) == MSP_OK;
	if (!valid && err.status == MSP_ENOMEM) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if (*fs->role != '\0' && studies_role(&w->studies, fs->role) == NULL) {
		fs->role_error = "choisissez une des fonctions proposées";
		valid = 0;
	}
	if (!valid) {
		render_form(w, r, 422, study, sub, fs);
		goto out;
	}
	submission_answers_json(sub, &answers);
	if (buf_status(&answers, NULL) != MSP_OK) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	snprintf(sid, sizeof(sid), "%d", study->study_id);
	params[0] = sid;			/* $1: the study */
	params[1] = hash;			/* $2: SHA-256 of the code */
	params[2] = *fs->role ? fs->role : NULL;	/* $3: role */
	params[3] = complete ? "t" : "f";	/* $4: submit, or save */
	params[4] = buf_str(&answers);		/* $5: the answers */
	params[5] = mode != NULL ? "telephone" : "self";	/* $6 */
	if (db_exec_prepared(conn, "invitation_submit", 6, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		if (refusal_page(&err, r)) {
			;
		} else if (db_refused_answers(db_classify(err.sqlstate))) {
			fs->notice = "Ces réponses n'ont pas pu être "
				     "enregistrées : vérifiez-les.";
			render_form(w, r, 422, study, sub, fs);
		} else {
			conn_failure_reply(&w->db, &err, r);
		}
		goto out;
	}
	if (!complete) {
		saved_invitation_page(r);
		goto out;
	}
	thanks_invitation_page(r, study, fs->invitation);
	r->log_note = PQgetvalue(res, 0, 1)[0] == 't' ? "replayed" : NULL;
out:
	PQclear(res);
	buf_free(&answers);
	submission_free(sub);
}

static void
handle_post_form(struct worker *w, const struct study *study,
		 struct request *req, struct reply *r)
{
	char pseudonym[CRYPTO_SHA256_HEX], hash[CRYPTO_SHA256_HEX];
	char derived[CRYPTO_SHA256_HEX], sid[16];
	struct form_state fs = { .structure = "", .role = "" };
	struct urlenc form = { NULL, 0 };
	struct submission *sub = NULL;
	struct buf answers = BUF_INIT(HTTP_ANSWERS_MAX);
	const char *action, *code, *params[7];
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
	if (http_read_body_or_reply(req, r) != 0)
		goto out;	/* 413, 400 or 503: failure_page replied */
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
	action = urlenc_get(&form, "_action");
	if (action == NULL)
		action = "submit";
	fs.resume = urlenc_get(&form, "_resume");
	if (strcmp(action, "resume") == 0) {
		show_saved(w, study, fs.resume ? fs.resume : "", r);
		goto out;
	}
	fs.invitation = urlenc_get(&form, "_invitation");
	if (strcmp(action, "invitation") == 0) {
		show_invitation(w, study, fs.invitation ? fs.invitation : "",
				r);
		goto out;
	}
	if (fs.invitation != NULL) {
		post_invitation(w, study, &form, &fs, r);
		goto out;
	}
	if (fs.resume != NULL && !is_hex(fs.resume, 2 * RESUME_BYTES)) {
		unknown_code_page(r);
		goto out;
	}
	fs.structure = urlenc_get(&form, "_structure");
	if (fs.structure == NULL)
		fs.structure = "";
	fs.role = urlenc_get(&form, "_role");
	if (fs.role == NULL)
		fs.role = "";
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
	if (*fs.role != '\0' && studies_role(&w->studies, fs.role) == NULL) {
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

	/* A save's resume code comes from the form key (secret_resume), so
	 * that a second save of the same form finds it stored.  Kept apart
	 * from fs.resume until it is stored: a form rendered again with a
	 * code never stored would carry it in _resume, hide the structure
	 * field, and every later POST of that page would be refused as an
	 * unknown code. */
	code = fs.resume;
	if (code == NULL && !complete) {
		if (secret_resume(&w->secret, fs.key, derived, NULL)
		    != MSP_OK) {
			simple_page(r, 500, "Erreur", "Réessayez.");
			goto out;
		}
		code = derived;
	}
	if (code != NULL && resume_hash(code, hash) != MSP_OK) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	submission_answers_json(sub, &answers);
	if (buf_status(&answers, NULL) != MSP_OK) {
		simple_page(r, 503, "Erreur", "Réessayez dans un instant.");
		goto out;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	/* a structure stored under its identifier's pseudonym of before
	 * issue 18 is found under it (lib/pseudonym.c) */
	if (urlenc_get(&form, "_resume") == NULL &&
	    pseudonym_find(conn, &w->secret, fs.structure, pseudonym, &err)
	    != MSP_OK) {
		/* the identifier was read above: the database failed */
		conn_failure_reply(&w->db, &err, r);
		goto out;
	}
	snprintf(sid, sizeof(sid), "%d", study->study_id);
	params[0] = sid;
	/* $2: no structure when resuming: the draft has it already */
	params[1] = urlenc_get(&form, "_resume") ? NULL : pseudonym;
	params[2] = fs.key;
	params[3] = code ? hash : NULL;
	params[4] = *fs.role ? fs.role : NULL;
	params[5] = complete ? "t" : "f";
	params[6] = buf_str(&answers);
	if (db_exec_prepared(conn, "form_submit", 7, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		if (refusal_page(&err, r)) {
			;
		} else if (db_refused_answers(db_classify(err.sqlstate))) {
			fs.notice = "Ces réponses n'ont pas pu être "
				    "enregistrées : vérifiez-les.";
			render_form(w, r, 422, study, sub, &fs);
		} else {
			conn_failure_reply(&w->db, &err, r);
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
	saved_page(study, code, r);
out:
	crypto_cleanse(derived, sizeof(derived));
	PQclear(res);
	buf_free(&answers);
	submission_free(sub);
	urlenc_free(&form);
}

/*
 * The page for a failure shared code reports (conn_failure,
 * studies_load_or_reply, http_read_body_or_reply): the status and
 * Retry-After it chose (http_fail adds that header), French words.
 */
static void
failure_page(struct reply *r, const struct failure *f)
{
	switch (f->status) {
	case 503:
		simple_page(r, 503, "Service momentanément indisponible",
			    "Le questionnaire ne peut être ni affiché ni "
			    "enregistré pour le moment, et rien n'a été "
			    "enregistré. Réessayez dans quelques minutes.");
		break;
	case 413:
		simple_page(r, 413, "Formulaire trop volumineux",
			    "Vos réponses dépassent la taille permise et "
			    "n'ont pas été enregistrées. Raccourcissez les "
			    "réponses libres, puis renvoyez le formulaire.");
		break;
	case 400:
		simple_page(r, 400, "Formulaire illisible",
			    "Le formulaire reçu est incomplet ou mal formé ; "
			    "rien n'a été enregistré. Renvoyez-le depuis la "
			    "page du questionnaire.");
		break;
	default:
		simple_page(r, f->status >= 400 ? f->status : 500, "Erreur",
			    "Une erreur est survenue ; rien n'a été "
			    "enregistré. Réessayez plus tard.");
		break;
	}
}

int
forms_route(struct worker *w, struct request *req, struct reply *r)
{
	const char *p = req->path;
	int get = strcmp(req->method, "GET") == 0 ||
		  strcmp(req->method, "HEAD") == 0;
	const struct study *study;
	int found;

	if (strcmp(p, "/forms") != 0 && strncmp(p, "/forms/", 7) != 0)
		return 0;
	/* a person reads whatever fails below */
	r->render_failure = failure_page;
	if (strcmp(p, "/forms") == 0 || strcmp(p, "/forms/") == 0) {
		if (get)
			handle_list(w, r);
		else
			simple_page(r, 405, "Méthode non permise", p);
		return 1;
	}
	if (strcmp(p, "/forms/form.js") == 0) {
		r->status = 200;
		r->content_type = "text/javascript";
		buf_puts(&r->body, form_js);
		return 1;
	}
	study = studies_find_or_reply(&w->studies, &w->db, p + 7, r, &found);
	if (found < 0)
		return 1;
	if (study == NULL)
		simple_page(r, 404, "Questionnaire introuvable",
			    "Aucune étude ne porte ce nom.");
	else if (door_closed_or_reply(w, study, r) != 0)
		return 1;	/* closed or not open yet: replied */
	else if (get)
		handle_get_form(w, study, req, r);
	else if (strcmp(req->method, "POST") == 0)
		handle_post_form(w, study, req, r);
	else
		simple_page(r, 405, "Méthode non permise", p);
	return 1;
}
