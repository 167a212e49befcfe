/*
 * msp-report invite and remind — personal invitation links and the
 * reminders that carry them (issue 18, items 5 and 6).
 *
 * Both read the federation's own frame file (the one frame import
 * read, through the same mapping) to find each structure's pseudonym
 * and, at send time only, its e-mail address: addresses are never
 * stored, printed or logged.  Each structure's link is derived from the
 * server secret (secret_invitation), so every run gives the same link;
 * the frame row keeps only its SHA-256 (migration 0032), which is what
 * the form looks up.
 *
 * Either -o OUT.csv writes a mail-merge file (the frame file's own
 * columns plus « lien »), or --send sends each message through the SMTP
 * relay of the environment (lib/mail.h).  Each contact is logged in
 * msp.contact: structure, kind, channel, day; at most one a day (a
 * unique index), so a re-run the same day logs nothing twice.
 *
 * remind chooses at send time, from the database: structures of the
 * frame still active, that have not completed (whatever path their
 * answers came by: the link, the public form, the API), that did not
 * ask not to be contacted again, and were not reminded today (unless
 * --force); --partial-only keeps those that saved a draft.
 *
 * volunteers writes the same mail-merge file for the structures whose
 * response says they would take part in an interview (the item
 * interview_volunteer), for the qualitative phase; contact records a
 * contact by phone or in person, or that a team asked not to be
 * contacted again.
 *
 * As the database owner or under an analyst token (MSP_TOKEN) only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "db.h"
#include "file.h"
#include "frame.h"
#include "invite.h"
#include "mail.h"
#include "settings.h"

#define FRAME_CSV_MAX (64u << 20)
#define FRAME_MAP_MAX (1u << 20)

static const char invite_usage[] =
"Usage: msp-report invite --study SLUG --frame FRAME.csv --mapping MAP\n"
"                         (-o OUT.csv | --send --email-column COL)\n"
"                         [--channel email|mail] [--force]\n"
"\n"
"Gives each structure of the frame file its personal link to the\n"
"study's form: the link names the structure (the team never types its\n"
"identifier), saves and resumes, and a second submission replaces the\n"
"first.  FRAME.csv and MAP are the frame file and mapping of\n"
"'msp-report frame import': every structure of the file must be in the\n"
"study's frame.\n"
"\n"
"  -o OUT.csv      the mail-merge file: FRAME.csv's columns plus « lien »\n"
"                  (created readable by you only)\n"
"  --send          send each invitation through the SMTP relay of the\n"
"                  environment, to the address in column COL\n"
"  --channel       recorded with -o: email (default) or mail (post)\n"
"  --force         --send: invite again structures already invited\n"
"\n"
"Environment: MSP_PUBLIC_URL (the site's public address, for the\n"
"links), MSP_SECRET_FILE; with --send MSP_SMTP_URL (smtp://host:port or\n"
"smtps://), MSP_SMTP_FROM, optionally MSP_SMTP_USER and\n"
"MSP_SMTP_PASSWORD_FILE.  Addresses are read at send time only: never\n"
"stored, printed or logged.  Each invitation is recorded in the contact\n"
"log (structure, day, channel), once a day at most.\n"
"Only the database owner or an analyst token (MSP_TOKEN) may invite.\n"
"Exit status: 0 on success, 1 on a failure (a message not sent is\n"
"named by its line), 2 on a usage error.\n";

static const char remind_usage[] =
"Usage: msp-report remind --study SLUG --frame FRAME.csv --mapping MAP\n"
"                         (-o OUT.csv | --send --email-column COL)\n"
"                         [--partial-only] [--force]\n"
"\n"
"Reminds the structures of the frame file that have not completed the\n"
"study, chosen now from the database: never one that has completed\n"
"(by its link, the public form or the API), never one that asked not\n"
"to be contacted again, never one no longer active, and at most once a\n"
"day (--force: again the same day).  The reminder carries the\n"
"structure's personal link (see 'msp-report invite --help').\n"
"\n"
"  -o OUT.csv      the mail-merge file of the structures to remind\n"
"  --send          send each reminder through the SMTP relay\n"
"  --partial-only  only the structures that saved answers without\n"
"                  sending them\n"
"\n"
"Same environment as invite.  Each reminder is recorded in the contact\n"
"log.  Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n";

static const char volunteers_usage[] =
"Usage: msp-report volunteers --study SLUG --frame FRAME.csv --mapping MAP\n"
"                             -o OUT.csv\n"
"\n"
"The mail-merge file (FRAME.csv's columns plus « lien ») of the\n"
"structures whose response accepts an interview (the questionnaire's\n"
"item interview_volunteer answered « oui »), for the qualitative phase.\n"
"Same environment as invite; nothing is logged.  Exit status: 0 on\n"
"success, 1 on a failure, 2 on a usage error.\n";

static const char contact_usage[] =
"Usage: msp-report contact --study SLUG --structure IDENTIFIER\n"
"                          (--channel phone|in-person | --no-further-contact)\n"
"\n"
"Records a contact with one structure of the study's frame, by phone or\n"
"in person (an invitation if it had none yet, else a reminder), or\n"
"that it asked not to be contacted again (remind then leaves it out).\n"
"IDENTIFIER is its FINESS number or its name and commune, written any\n"
"way: only its pseudonym (MSP_SECRET_FILE) is looked up.  As the owner\n"
"or an analyst.  Exit status: 0 on success, 1 on a failure, 2 on a\n"
"usage error.\n";

enum mode { MODE_INVITE, MODE_REMIND, MODE_VOLUNTEERS };

/* One structure of the frame file, and what the database says of it. */
struct target {
	const struct frame_row *row;
	const struct csv_row *raw;	/* its line of the file */
	char structure_id[16];
	char code[CRYPTO_SHA256_HEX];	/* the link's code */
	int chosen;
};

struct run {
	enum mode mode;
	int remind;			/* mode == MODE_REMIND */
	const char *study, *frame, *mapping, *out, *email_column;
	const char *channel;
	int send, force, partial_only;
	/* the study */
	char study_id[16], slug[64], today[16];
	char *title, *closes_on;
	/* what was read */
	struct frame f;
	struct csv *csv;
	char *data;
	size_t len;
	struct secret secret;
	struct target *targets;
	size_t n_targets;
	long email_index;		/* column of the addresses, or -1 */
};

static int
usage_error(const struct run *r, const char *what, const char *arg)
{
	return cli_usage_error(r->mode == MODE_VOLUNTEERS ? "volunteers" :
			       r->remind ? "remind" : "invite", what, arg);
}

static const char *
command(const struct run *r)
{
	return r->mode == MODE_VOLUNTEERS ? "volunteers" :
	       r->remind ? "remind" : "invite";
}

/* The frame file read twice: through the mapping (pseudonyms, lib/frame)
 * and as it is (its own columns, for the mail-merge file and the
 * addresses).  0, or 1 after printing why. */
static int
read_frame(struct run *r)
{
	struct csvmap *map = NULL;
	struct msp_error err;
	char *text = NULL;
	size_t len, i, j;
	int rc = 1;

	if (file_read(r->mapping, FRAME_MAP_MAX, &text, &len, &err)
	    != MSP_OK || csvmap_parse(text, len, &map, &err) != MSP_OK) {
		msp_error_prefix(&err, "%s", r->mapping);
		cli_fail(&err);
		goto out;
	}
	if (secret_load(settings_secret_file(), &r->secret, &err) != MSP_OK ||
	    file_read(r->frame, FRAME_CSV_MAX, &r->data, &r->len, &err)
	    != MSP_OK ||
	    frame_read(&r->f, map, r->frame, r->data, r->len, &r->secret,
		       &err) != MSP_OK ||
	    csv_parse(r->data, r->len, 0, &r->csv, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	if (r->f.n_problems > 0) {
		fprintf(stderr, "%.*s", (int)r->f.problems.len,
			r->f.problems.data);
		fprintf(stderr, "msp-report %s: %zu cellule%s illisible%s ; "
			"rien n'a été fait\n", command(r), r->f.n_problems,
			r->f.n_problems > 1 ? "s" : "",
			r->f.n_problems > 1 ? "s" : "");
		goto out;
	}
	r->email_index = -1;
	if (r->email_column != NULL) {
		for (j = 0; j < r->csv->rows[0].n; j++)
			if (strcmp(r->csv->rows[0].fields[j],
				   r->email_column) == 0)
				r->email_index = (long)j;
		if (r->email_index < 0) {
			fprintf(stderr, "msp-report %s: %s n'a pas de colonne "
				"« %s »\n", command(r), r->frame,
				r->email_column);
			goto out;
		}
	}
	r->targets = calloc(r->f.n > 0 ? r->f.n : 1, sizeof(*r->targets));
	if (r->targets == NULL) {
		fprintf(stderr, "msp-report %s: mémoire épuisée\n",
			command(r));
		goto out;
	}
	/* file order: the mail-merge file keeps the federation's */
	for (i = 1; i < r->csv->n_rows; i++)
		for (j = 0; j < r->f.n; j++)
			if (r->f.rows[j].line == r->csv->rows[i].line) {
				r->targets[r->n_targets].row = &r->f.rows[j];
				r->targets[r->n_targets].raw =
					&r->csv->rows[i];
				r->n_targets++;
				break;
			}
	rc = 0;
out:
	free(text);
	csvmap_free(map);
	return rc;
}

/* The study: id, title, closing date, today in Paris.  0, or 1. */
static int
load_study(PGconn *conn, struct run *r)
{
	const char *params[1] = { r->study };
	struct msp_error err;
	PGresult *res = NULL;
	int rc = 1;

	if (db_exec(conn, "invite: study",
		    "SELECT study_id, slug, title_fr, state,"
		    "       coalesce(closes_on::text, '') AS closes_on,"
		    "       msp.study_today()::text AS today"
		    "  FROM msp.study WHERE slug = $1",
		    1, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		cli_db_refusal(command(r), &err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		fprintf(stderr, "msp-report %s: aucune étude « %s »\n",
			command(r), r->study);
		goto out;
	}
	if (strcmp(db_text(res, 0, "state"), "closed") == 0) {
		fprintf(stderr, "msp-report %s: l'étude « %s » est close "
			"(msp-report study reopen) ; rien n'a été fait\n",
			command(r), r->study);
		goto out;
	}
	snprintf(r->study_id, sizeof(r->study_id), "%s",
		 db_text(res, 0, "study_id"));
	snprintf(r->slug, sizeof(r->slug), "%s", db_text(res, 0, "slug"));
	snprintf(r->today, sizeof(r->today), "%s", db_text(res, 0, "today"));
	r->title = strdup(db_text(res, 0, "title_fr"));
	r->closes_on = strdup(db_text(res, 0, "closes_on"));
	if (r->title == NULL || r->closes_on == NULL) {
		fprintf(stderr, "msp-report %s: mémoire épuisée\n",
			command(r));
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/*
 * For each structure of the file: its frame row (else listed as a
 * problem), whether it is chosen, and its link's code, whose SHA-256
 * the frame row now holds.  In the open transaction.  0, or 1.
 */
static int
choose(PGconn *conn, struct run *r)
{
	char hash[CRYPTO_SHA256_HEX];
	const char *params[5];
	struct msp_error err;
	PGresult *res = NULL;
	size_t i, missing = 0;
	int rc = 1;

	for (i = 0; i < r->n_targets; i++) {
		struct target *t = &r->targets[i];

		params[0] = r->study_id;
		params[1] = t->row->pseudonym;
		params[2] = r->today;
		params[3] = r->remind ? "reminder" : "invitation";
		/* what decides whether it is contacted, read now */
		if (db_exec(conn, "invite: frame row",
			    "SELECT p.structure_id, p.active, p.no_contact,"
			    "  EXISTS (SELECT 1 FROM msp.response x"
			    "           WHERE x.study_id = p.study_id"
			    "             AND x.structure_id = p.structure_id"
			    "             AND x.status = 'complete')"
			    "    AS completed,"
			    "  EXISTS (SELECT 1 FROM msp.response x"
			    "           WHERE x.study_id = p.study_id"
			    "             AND x.structure_id = p.structure_id"
			    "             AND x.status = 'partial')"
			    "    AS partial,"
			    "  EXISTS (SELECT 1 FROM msp.contact c"
			    "           WHERE c.study_id = p.study_id"
			    "             AND c.structure_id = p.structure_id"
			    "             AND c.kind = $4::msp.contact_kind)"
			    "    AS contacted,"
			    "  EXISTS (SELECT 1 FROM msp.contact c"
			    "           WHERE c.study_id = p.study_id"
			    "             AND c.structure_id = p.structure_id"
			    "             AND c.kind = $4::msp.contact_kind"
			    "             AND c.contacted_on = $3::date)"
			    "    AS contacted_today,"
			    "  EXISTS (SELECT 1 FROM msp.response x"
			    "            JOIN msp.answer a USING (response_id)"
			    "           WHERE x.study_id = p.study_id"
			    "             AND x.structure_id = p.structure_id"
			    "             AND a.item_key ="
			    "                 'interview_volunteer'"
			    "             AND a.bool_value)"
			    "    AS volunteer"
			    "  FROM msp.population p"
			    "  JOIN msp.structure s USING (structure_id)"
			    " WHERE p.study_id = $1::integer"
			    "   AND s.pseudonym = $2",
			    4, params, PGRES_TUPLES_OK, &res, &err)
		    != MSP_OK) {
			cli_db_refusal(command(r), &err);
			goto out;
		}
		if (PQntuples(res) == 0) {
			fprintf(stderr, "%s:%zu: structure absente de la "
				"population de l'étude (msp-report frame "
				"import)\n", r->frame, t->row->line);
			missing++;
			PQclear(res);
			res = NULL;
			continue;
		}
		snprintf(t->structure_id, sizeof(t->structure_id), "%s",
			 db_text(res, 0, "structure_id"));
#define YES(col) (strcmp(db_text(res, 0, col), "t") == 0)
		if (r->mode == MODE_VOLUNTEERS)
			t->chosen = YES("volunteer");
		else if (r->remind)
			t->chosen = YES("active") && !YES("no_contact") &&
				    !YES("completed") &&
				    (!r->partial_only || YES("partial")) &&
				    (r->force || !YES("contacted_today"));
		else
			t->chosen = !YES("no_contact") &&
				    (!r->send || r->force || !YES("contacted"));
#undef YES
		PQclear(res);
		res = NULL;
		if (secret_invitation(&r->secret, r->slug, t->row->pseudonym,
				      t->code, &err) != MSP_OK ||
		    crypto_sha256_hex(t->code, strlen(t->code), hash, &err)
		    != MSP_OK) {
			cli_fail(&err);
			goto out;
		}
		params[2] = hash;
		if (db_exec(conn, "invite: link",
			    "UPDATE msp.population"
			    "   SET invitation_sha256 ="
			    "       pg_catalog.decode($3, 'hex')"
			    " WHERE study_id = $1::integer"
			    "   AND structure_id = (SELECT structure_id"
			    "         FROM msp.structure WHERE pseudonym = $2)",
			    3, params, PGRES_COMMAND_OK, &res, &err)
		    != MSP_OK) {
			cli_db_refusal(command(r), &err);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	if (missing > 0) {
		fprintf(stderr, "msp-report %s: %zu structure%s hors de la "
			"population ; rien n'a été fait\n", command(r),
			missing, missing > 1 ? "s" : "");
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* Records the contact of t today by channel (once a day: the unique
 * index).  In the caller's transaction.  0, or 1. */
static int
log_contact(PGconn *conn, const struct run *r, const struct target *t,
	    const char *channel)
{
	const char *params[5] = {
		r->study_id, t->structure_id,
		r->remind ? "reminder" : "invitation", channel, r->today,
	};
	struct msp_error err;
	PGresult *res = NULL;

	if (db_exec(conn, "invite: contact",
		    "INSERT INTO msp.contact (study_id, structure_id, kind,"
		    "       channel, contacted_on)"
		    " VALUES ($1::integer, $2::integer, $3::msp.contact_kind,"
		    "         $4::msp.contact_channel, $5::date)"
		    " ON CONFLICT DO NOTHING",
		    5, params, PGRES_COMMAND_OK, &res, &err) != MSP_OK)
		return cli_db_refusal(command(r), &err);
	PQclear(res);
	return 0;
}

static int
link_of(const struct run *r, const struct target *t, struct buf *link)
{
	struct msp_error err;

	if (invite_link(link, getenv("MSP_PUBLIC_URL"), r->slug, t->code,
			&err) != MSP_OK)
		return cli_fail(&err);
	return 0;
}

/* -o: the mail-merge file, then the contacts, committed.  0, or 1. */
static int
write_merge(PGconn *conn, struct run *r)
{
	/* the links are keys to a structure's answers: wiped when freed */
	struct buf out = BUF_INIT_SECRET(BUF_MAX_DOCUMENT);
	struct buf link = BUF_INIT_SECRET(BUF_MAX_TEXT);
	size_t i, j, n = 0;
	int fd = -1, rc = 1;

	for (j = 0; j < r->csv->rows[0].n; j++) {
		csv_write_field(&out, r->csv->rows[0].fields[j]);
		buf_putc(&out, ',');
	}
	buf_puts(&out, "lien\r\n");
	for (i = 0; i < r->n_targets; i++) {
		const struct target *t = &r->targets[i];

		if (!t->chosen)
			continue;
		buf_reset(&link);
		if (link_of(r, t, &link) != 0)
			goto out;
		for (j = 0; j < t->raw->n; j++) {
			csv_write_field(&out, t->raw->fields[j]);
			buf_putc(&out, ',');
		}
		csv_write_field(&out, buf_str(&link));
		buf_puts(&out, "\r\n");
		if (r->mode != MODE_VOLUNTEERS &&
		    log_contact(conn, r, t, r->channel) != 0)
			goto out;
		n++;
	}
	if (buf_status(&out, NULL) != MSP_OK) {
		fprintf(stderr, "msp-report %s: mémoire épuisée\n",
			command(r));
		goto out;
	}
	/* links open a structure's answers: the file is its owner's */
	fd = open(r->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, out.data, out.len) != (ssize_t)out.len ||
	    close(fd) != 0) {
		fprintf(stderr, "msp-report %s: %s : %s ; rien n'a été "
			"enregistré\n", command(r), r->out, strerror(errno));
		fd = -1;
		goto out;
	}
	fd = -1;
	if (cli_commit(conn) != 0)
		goto out;
	printf("%zu %s written to %s\n", n, r->mode == MODE_VOLUNTEERS ?
	       "volunteers" : r->remind ? "reminders" : "invitations",
	       r->out);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&out);
	buf_free(&link);
	return rc;
}

/* --send: the links committed first (a message must never carry a link
 * that does not work yet), then one message each, its contact
 * committed when the relay took it.  0, or 1 if any was not sent. */
static int
send_all(PGconn *conn, struct run *r)
{
	/* the links are keys to a structure's answers: wiped when freed */
	struct buf link = BUF_INIT_SECRET(BUF_MAX_TEXT);
	struct buf subject = BUF_INIT(BUF_MAX_TEXT);
	struct buf body = BUF_INIT_SECRET(BUF_MAX_DOCUMENT);
	struct buf message = BUF_INIT_SECRET(BUF_MAX_DOCUMENT);
	struct mail_relay *relay = NULL;
	struct msp_error err;
	enum tenant_kind kind;
	size_t i, sent = 0, failed = 0;
	int rc = 1;

	if (cli_commit(conn) != 0)
		goto out;
	if (mail_relay_open(&relay, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	for (i = 0; i < r->n_targets; i++) {
		const struct target *t = &r->targets[i];
		const char *to = t->raw->fields[r->email_index];

		if (!t->chosen)
			continue;
		buf_reset(&link);
		buf_reset(&subject);
		buf_reset(&body);
		buf_reset(&message);
		if (link_of(r, t, &link) != 0)
			goto out;
		if (invite_text(&subject, &body, r->remind ? INVITE_REMINDER
				: INVITE_INVITATION, r->title, buf_str(&link),
				r->closes_on, &err) != MSP_OK ||
		    mail_compose(&message, mail_relay_from(relay), to,
				 buf_str(&subject), buf_str(&body), &err)
		    != MSP_OK ||
		    mail_send(relay, to, &message, &err) != MSP_OK) {
			/* the line, never the address */
			fprintf(stderr, "%s:%zu: non envoyé : %s\n", r->frame,
				t->row->line, err.message);
			failed++;
			if (err.status == MSP_ENOMEM || err.status == MSP_EIO)
				break;	/* the relay is gone: stop */
			continue;
		}
		if (cli_begin(conn, command(r), &kind) != 0 ||
		    log_contact(conn, r, t, "email") != 0 ||
		    cli_commit(conn) != 0) {
			cli_rollback(conn);
			goto out;
		}
		sent++;
	}
	printf(r->remind ? "rappels envoyés : %zu, non envoyés : %zu\n" :
	       "invitations envoyées : %zu, non envoyées : %zu\n", sent,
	       failed);
	rc = failed > 0;
out:
	crypto_cleanse(message.data, message.cap);
	buf_free(&message);
	buf_free(&link);
	buf_free(&subject);
	buf_free(&body);
	mail_relay_close(relay);
	return rc;
}

static int
run_command(const struct cli_context *ctx, enum mode mode, int argc,
	    char **argv)
{
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, 's' },
		{ "frame", required_argument, NULL, 'f' },
		{ "mapping", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "send", no_argument, NULL, 'S' },
		{ "email-column", required_argument, NULL, 'e' },
		{ "channel", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'F' },
		{ "partial-only", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int remind = mode == MODE_REMIND;
	struct run r = { .mode = mode, .remind = remind, .channel = "email",
			 .f = FRAME_INIT };
	enum tenant_kind kind;
	PGconn *conn = NULL;
	int c, rc = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': r.study = optarg; break;
		case 'f': r.frame = optarg; break;
		case 'm': r.mapping = optarg; break;
		case 'o': r.out = optarg; break;
		case 'S': r.send = 1; break;
		case 'e': r.email_column = optarg; break;
		case 'c': r.channel = optarg; break;
		case 'F': r.force = 1; break;
		case 'p':
			if (!remind)
				return usage_error(&r, "option inconnue",
						   "--partial-only");
			r.partial_only = 1;
			break;
		case 'h':
			fputs(mode == MODE_VOLUNTEERS ? volunteers_usage :
			      remind ? remind_usage : invite_usage, stdout);
			return 0;
		default:
			return usage_error(&r, "option inconnue ou sans valeur",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(&r, "argument en trop", argv[optind]);
	if (r.study == NULL || r.frame == NULL || r.mapping == NULL)
		return usage_error(&r, "--study, --frame et --mapping sont "
				   "obligatoires", NULL);
	if ((r.out != NULL) == r.send)
		return usage_error(&r, "il faut -o OUT.csv ou --send, pas "
				   "les deux", NULL);
	if (mode == MODE_VOLUNTEERS && (r.send || r.force))
		return usage_error(&r, "volunteers écrit seulement -o "
				   "OUT.csv", NULL);
	if (r.send && r.email_column == NULL)
		return usage_error(&r, "--send demande --email-column", NULL);
	if (strcmp(r.channel, "email") != 0 &&
	    (strcmp(r.channel, "mail") != 0 || r.send || remind))
		return usage_error(&r, "canal invalide (email, ou mail avec "
				   "-o)", r.channel);

	if (read_frame(&r) != 0)
		goto out;
	if ((conn = cli_connect(ctx)) == NULL)
		goto out;
	if (cli_begin(conn, command(&r), &kind) != 0)
		goto out;
	if (cli_require_manager(conn, command(&r), kind) != 0 ||
	    load_study(conn, &r) != 0 || choose(conn, &r) != 0) {
		cli_rollback(conn);
		goto out;
	}
	rc = r.send ? send_all(conn, &r) : write_merge(conn, &r);
	if (rc != 0)
		cli_rollback(conn);
out:
	if (conn != NULL)
		PQfinish(conn);
	free(r.targets);
	free(r.title);
	free(r.closes_on);
	csv_free(r.csv);
	free(r.data);
	secret_clear(&r.secret);
	frame_free(&r.f);
	return rc;
}

int
cmd_invite(const struct cli_context *ctx, int argc, char **argv)
{
	return run_command(ctx, MODE_INVITE, argc, argv);
}

int
cmd_remind(const struct cli_context *ctx, int argc, char **argv)
{
	return run_command(ctx, MODE_REMIND, argc, argv);
}

int
cmd_volunteers(const struct cli_context *ctx, int argc, char **argv)
{
	return run_command(ctx, MODE_VOLUNTEERS, argc, argv);
}

int
cmd_contact(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, 's' },
		{ "structure", required_argument, NULL, 'i' },
		{ "channel", required_argument, NULL, 'c' },
		{ "no-further-contact", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *study = NULL, *identifier = NULL, *channel = NULL;
	char pseudonym[CRYPTO_SHA256_HEX];
	const char *params[3];
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn = NULL;
	int c, stop = 0, rc = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': study = optarg; break;
		case 'i': identifier = optarg; break;
		case 'c': channel = optarg; break;
		case 'n': stop = 1; break;
		case 'h':
			fputs(contact_usage, stdout);
			return 0;
		default:
			return cli_usage_error("contact", "option inconnue ou "
					       "sans valeur", argv[optind - 1]);
		}
	}
	if (study == NULL || identifier == NULL || optind < argc)
		return cli_usage_error("contact", "--study et --structure "
				       "sont obligatoires", NULL);
	if ((channel != NULL) == stop)
		return cli_usage_error("contact", "il faut --channel ou "
				       "--no-further-contact", NULL);
	if (channel != NULL && strcmp(channel, "phone") != 0 &&
	    strcmp(channel, "in-person") != 0)
		return cli_usage_error("contact", "canal invalide (phone, "
				       "in-person)", channel);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if (cli_pseudonym(conn, identifier, pseudonym) != 0)
		goto out;
	if (cli_begin(conn, "contact", &kind) != 0)
		goto out;
	if (cli_require_manager(conn, "contact", kind) != 0)
		goto out;
	params[0] = study;
	params[1] = pseudonym;
	params[2] = channel != NULL && strcmp(channel, "phone") == 0
		    ? "phone" : "in_person";
	/* the frame row, then what is recorded: the contact (an invitation
	 * when none was logged yet) or the refusal of further contacts */
	if (db_exec(conn, "contact",
		    stop ?
		    "WITH f AS (UPDATE msp.population p SET no_contact = true"
		    "  FROM msp.study s, msp.structure st"
		    " WHERE s.slug = $1 AND st.pseudonym = $2"
		    "   AND p.study_id = s.study_id"
		    "   AND p.structure_id = st.structure_id"
		    " RETURNING p.structure_id)"
		    "SELECT count(*) AS in_frame, count(*) AS added FROM f" :
		    "WITH f AS (SELECT p.study_id, p.structure_id"
		    "   FROM msp.population p"
		    "   JOIN msp.study s USING (study_id)"
		    "   JOIN msp.structure st USING (structure_id)"
		    "  WHERE s.slug = $1 AND st.pseudonym = $2),"
		    " ins AS (INSERT INTO msp.contact (study_id, structure_id,"
		    "       kind, channel, contacted_on)"
		    " SELECT f.study_id, f.structure_id,"
		    "        CASE WHEN EXISTS (SELECT 1 FROM msp.contact c"
		    "              WHERE c.study_id = f.study_id"
		    "                AND c.structure_id = f.structure_id"
		    "                AND c.kind = 'invitation')"
		    "        THEN 'reminder' ELSE 'invitation'"
		    "        END::msp.contact_kind,"
		    "        $3::msp.contact_channel, msp.study_today()"
		    "   FROM f"
		    " ON CONFLICT DO NOTHING RETURNING 1)"
		    "SELECT (SELECT count(*) FROM f) AS in_frame,"
		    "       (SELECT count(*) FROM ins) AS added",
		    stop ? 2 : 3, params, PGRES_TUPLES_OK, &res, &err)
	    != MSP_OK) {
		cli_db_refusal("contact", &err);
		goto out;
	}
	if (db_int(res, 0, "in_frame") == 0) {
		fprintf(stderr, "msp-report contact: cette structure n'est "
			"pas dans la population de l'étude « %s »\n", study);
		goto out;
	}
	if (cli_commit(conn) != 0)
		goto out;
	printf("%s\n", stop ? "no further contact recorded" :
	       db_int(res, 0, "added") > 0 ? "contact recorded" :
	       "already recorded today");
	rc = 0;
out:
	if (rc != 0 && conn != NULL)
		cli_rollback(conn);
	PQclear(res);
	if (conn != NULL)
		PQfinish(conn);
	return rc;
}
