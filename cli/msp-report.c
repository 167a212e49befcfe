/*
 * msp-report — the statistician's command line.
 *
 * main() only parses the global options and hands the rest of the
 * command line to one command; each command returns an exit status:
 * 0 success, 1 failure (message on stderr), 2 usage error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: msp-report [OPTION]... COMMAND [ARG]...\n"
"       msp-report [OPTION]... --region NAME [REPORT OPTION]...\n"
"Survey reports on user involvement in French primary-care teams.\n"
"'msp-report --region NAME --help' describes the report's options.\n"
"\n"
"Commands:\n"
"  agreement --study SLUG [--item KEY] | --input FILE.csv\n"
"                           agreement between coders (Cohen's kappa,\n"
"                           Krippendorff's alpha): the coders' own codings\n"
"                           of the study's open answers, or a file\n"
"  code answers|apply|remove|transcript|memo --study SLUG ...\n"
"                           code open answers and interview transcripts\n"
"  backup -o DIR            a consistent pg_dump of the database, with a\n"
"                           manifest (ledgers, row counts, SHA-256)\n"
"  codebook list|add|edit|merge|import|export --study SLUG ...\n"
"                           a study's codebook; REFI-QDA .qdc files\n"
"  config check [FILE]      what is wrong in the configuration file\n"
"                           (/etc/msp-survey/msp-survey.conf), one line\n"
"                           each\n"
"  contact --study SLUG --structure ID (--channel phone|in-person |\n"
"          --no-further-contact)  a contact, or a refusal of more, logged\n"
"  db migrate [--dir DIR]   apply the schema migrations the database lacks,\n"
"                           then the new or changed function files\n"
"  db status [--dir DIR]    list applied and pending migrations and\n"
"                           function files\n"
"  db load-reference        load the reference data (regions, studies, ...)\n"
"  disclosure threshold [N]\n"
"                           the disclosure threshold of federations' reports\n"
"                           (read; set: the database owner)\n"
"  disclosure-audit --region NAME\n"
"                           under a federation's token: bounds every hidden\n"
"                           figure of its reports by linear programming\n"
"  disclosure-protect --study SLUG\n"
"                           a closed study's joint protection plan: audit\n"
"                           as its federation, hide more while it helps\n"
"  erase --identifier TEXT  remove one structure's data everywhere (RGPD)\n"
"  export --study SLUG      the study's responses as CSV, with an R script,\n"
"                           SPSS syntax and a mapping to import it again\n"
"  federation add|list     the regional federations (owner or analyst)\n"
"  fieldwork --study SLUG   the fieldwork monitor: invited, opened, partial,\n"
"                           complete, response rate (--format ...)\n"
"  frame import --study SLUG --mapping MAP FILE.csv...\n"
"                           a study's targeted population from CSV lists\n"
"                           (or --from-study OTHER)\n"
"  generate --region SLUG   load a synthetic study (seeded, for load tests)\n"
"  import --study SLUG --mapping MAP FILE.csv\n"
"                           load a Microsoft Forms or LimeSurvey CSV export\n"
"  instrument import|export|list|diff\n"
"                           questionnaires as XLSForm files (.xlsx, CSV)\n"
"  invite --study SLUG --frame FRAME.csv --mapping MAP (-o OUT.csv|--send)\n"
"                           personal links: a mail-merge file, or e-mails\n"
"  remind --study SLUG --frame FRAME.csv --mapping MAP (-o OUT.csv|--send)\n"
"                           remind the structures that have not completed\n"
"  qdpx export --study SLUG -o FILE.qdpx\n"
"                           the study's coding project for QDA software\n"
"  restore DIR              a backup into an empty database, checked\n"
"                           against its manifest\n"
"  region add|list         the regions studies belong to (owner or analyst)\n"
"  study create|list|open|close|reopen|extend\n"
"                           studies and their life cycle: draft (tests),\n"
"                           open, closed\n"
"  test --table TABLE       chi-squared or Fisher's test of a count table\n"
"  token create|list|revoke bearer tokens for the API and the reports\n"
"  volunteers --study SLUG --frame FRAME.csv --mapping MAP -o OUT.csv\n"
"                           the structures that accept an interview, linked\n"
"\n"
"Options:\n"
"  -d, --database URL   PostgreSQL connection string (default:\n"
"                       $MSP_DATABASE_URL, else libpq's PG* variables)\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"The commands that only read (the report, fieldwork, export, agreement\n"
"--study) connect to $MSP_REPORT_DATABASE_URL when it is set and no\n"
"--database is given: it may name a streaming-replication hot standby of\n"
"the primary, so that reports do not load it.  Every other command\n"
"writes, or must see what was written a moment ago (a token just\n"
"created, a study just opened), and uses the primary.\n"
"\n"
"'msp-report COMMAND --help' describes one command.\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

static const struct cli_command commands[] = {
	{ "agreement", cmd_agreement },
	{ "backup", cmd_backup },
	{ "code", cmd_code },
	{ "codebook", cmd_codebook },
	{ "config", cmd_config },
	{ "contact", cmd_contact },
	{ "db", cmd_db },
	{ "disclosure", cmd_disclosure },
	{ "disclosure-audit", cmd_disclosure_audit },
	{ "disclosure-protect", cmd_disclosure_protect },
	{ "erase", cmd_erase },
	{ "export", cmd_export },
	{ "federation", cmd_federation },
	{ "fieldwork", cmd_fieldwork },
	{ "frame", cmd_frame },
	{ "generate", cmd_generate },
	{ "import", cmd_import },
	{ "instrument", cmd_instrument },
	{ "invite", cmd_invite },
	{ "qdpx", cmd_qdpx },
	{ "region", cmd_region },
	{ "remind", cmd_remind },
	{ "report", cmd_report },
	{ "restore", cmd_restore },
	{ "study", cmd_study },
	{ "test", cmd_test },
	{ "token", cmd_token },
	{ "volunteers", cmd_volunteers },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context ctx = { .database = NULL };
	size_t i;
	int c;

	/* "+": stop at the command name; its options are its own.  No
	 * message from getopt: an unknown long option may be the report's
	 * (below). */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ctx.database = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("msp-report %s\n", PACKAGE_VERSION);
			return 0;
		default:
			/* "msp-report --region NAME ...": no command word;
			 * the report parses from its first option on */
			if (optopt == 0 && optind >= 2 &&
			    strncmp(argv[optind - 1], "--", 2) == 0)
				return cli_load_config() != 0 ? 1 :
				       cmd_report(&ctx, argc - optind + 2,
						  argv + optind - 2);
			if (optopt == 'd')
				fputs("msp-report: -d demande une URL\n",
				      stderr);
			else if (optopt != 0)
				fprintf(stderr, "msp-report: option inconnue "
					"'-%c'\n", optopt);
			fputs("Voir « msp-report --help ».\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	/* the configuration file, except for the command that checks it
	 * (which must run whatever state it is in) */
	if (strcmp(argv[optind], "config") != 0 && cli_load_config() != 0)
		return 1;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return commands[i].run(&ctx, argc - optind,
					       argv + optind);
	fprintf(stderr, "msp-report: commande inconnue '%s'\n"
		"Voir « msp-report --help ».\n", argv[optind]);
	return 2;
}
