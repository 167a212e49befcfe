/*
 * msp-fcgi — the FastCGI worker nginx hands requests to.
 *
 * A parent opens the unix socket and forks N workers that accept on it,
 * each with its own PostgreSQL connection.  The parent restarts a worker
 * that dies (a crash must not shrink the pool for good) and, on SIGTERM
 * or SIGINT, asks every worker to stop: a worker finishes the request in
 * hand, then exits.  A worker never exits because a request failed;
 * failures become HTTP statuses.
 *
 * SIGHUP reloads (systemctl reload): the parent reads the secret file
 * again, forks a new set of workers on the same listening socket, and
 * only then asks the old set to stop the way SIGTERM does.  The socket
 * is never closed, so a connection nginx opens meanwhile waits in its
 * backlog for whichever worker accepts first, and a request an old
 * worker holds is finished by it: none is dropped (tests/reload.test).
 * New workers mean new database connections (a moved server, a changed
 * password in a service file).  A secret that cannot be read leaves the
 * running workers as they are.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "db.h"
#include "disclosure_policy.h"
#include "metrics.h"
#include "schema_version.h"
#include "secret.h"
#include "settings.h"
#include "site.h"
#include "worker.h"

#define MAX_WORKERS SETTINGS_WORKERS_MAX
#define MAX_BATCH SETTINGS_BATCH_MAX

/* The exit status when the database's schema is newer than these
 * binaries (sysexits.h's EX_CONFIG): msp-fcgi.service names it in
 * RestartPreventExitStatus=, so that systemd does not start them again
 * every RestartSec= to be refused again. */
#define EXIT_SCHEMA_AHEAD 78

static const char usage_text[] =
"Usage: msp-fcgi [OPTION]...\n"
"FastCGI worker of the MSP survey service, reached by nginx over a unix\n"
"socket.  Stops cleanly on SIGTERM or SIGINT: requests in hand finish.\n"
"On SIGHUP, reads the secret file again and replaces its workers with new\n"
"ones (new database connections) without dropping a request.\n"
"\n"
"  -s, --socket PATH    unix socket to listen on (default:\n"
"                       $MSP_FCGI_SOCKET, else ./msp-fcgi.sock)\n"
"  -w, --workers N      worker processes, 1-64 (default: $MSP_FCGI_WORKERS,\n"
"                       else 2)\n"
"  -b, --batch N        requests a worker takes at once, 1-256 (default:\n"
"                       $MSP_FCGI_BATCH, else 32); the API submissions\n"
"                       among them are stored in one transaction, each\n"
"                       checked as if alone; 1 stores each on its own\n"
"  -d, --database URL   PostgreSQL connection string (default:\n"
"                       $MSP_FCGI_DATABASE_URL, else $MSP_DATABASE_URL,\n"
"                       else libpq's PG* variables)\n"
"  -r, --report-database URL\n"
"                       the database the report pages read (default:\n"
"                       $MSP_FCGI_REPORT_DATABASE_URL when\n"
"                       $MSP_FCGI_DATABASE_URL is set, otherwise\n"
"                       $MSP_REPORT_DATABASE_URL; else the --database\n"
"                       connection): it may be a streaming-replication\n"
"                       hot standby of the first, opened at the first\n"
"                       report; sign-in, sessions, forms, the API and\n"
"                       every write stay on --database\n"
"  -k, --secret-file F  the server secret: 32-4096 random bytes that key\n"
"                       structure pseudonyms and form tokens (default:\n"
"                       $MSP_SECRET_FILE; required)\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"The socket is created with mode 0660: nginx must run as the same user,\n"
"or in the socket's group (a directory with the setgid bit gives its\n"
"group to the socket).\n"
"\n"
"Each request is logged as one JSON line on standard error.\n"
"\n"
"At start, the last schema migration the database applied\n"
"(msp.schema_version()) is compared with the one these programs were\n"
"built for: a database ahead of them (binaries older than the\n"
"database) is refused, exit status 78; one behind (migrations pending:\n"
"msp-report db migrate) or out of reach is logged, and the workers\n"
"start (GET /api/v1/health/ready says not ready until it is right).\n";

struct options {
	const char *socket;
	const char *database;
	const char *report_database;	/* NULL: database's connection */
	const char *secret_file;
	int workers;
	int batch;
};

static void
on_stop(int sig)
{
	(void)sig;
	worker_stop_requested = 1;
	FCGX_ShutdownPending();	/* makes a blocked accept return */
}

/* The parent's only: set by SIGHUP, cleared when the reload is done. */
static volatile sig_atomic_t reload_requested;

/* The signal mask the program started with, which the workers get back;
 * the signals the parent keeps blocked outside sigsuspend(); the mask it
 * waits with (the first without the second, whatever it inherited). */
static sigset_t start_mask, parent_mask, wait_mask;

static void
on_reload(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* Only there so that SIGCHLD, ignored by default, ends sigsuspend(). */
static void
on_child(int sig)
{
	(void)sig;
}

/*
 * The parent holds its signals blocked and takes them in sigsuspend()
 * only: one that came between its check of the flags and a blocking
 * waitpid() would otherwise wait there for the next worker to die.
 */
static void
catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: accept/waitpid must wake */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&parent_mask);
	sigaddset(&parent_mask, SIGTERM);
	sigaddset(&parent_mask, SIGINT);
	sigaddset(&parent_mask, SIGHUP);
	sigaddset(&parent_mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &parent_mask, &start_mask);
	wait_mask = start_mask;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
	sigdelset(&wait_mask, SIGCHLD);
}

static pid_t
spawn(int listen_fd, const struct options *opt, const struct secret *secret)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* a reload is the parent's business: a SIGHUP sent to the
		 * whole process group must not stop a worker */
		signal(SIGHUP, SIG_IGN);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &start_mask, NULL);
		_exit(worker_main(listen_fd, opt->database,
				  opt->report_database, secret,
				  (size_t)opt->batch, &site));
	}
	return pid;
}

/*
 * The reload SIGHUP asks for: the secret read again into *secret, a new
 * set of workers in pids[], then SIGTERM to the old set, which finishes
 * the requests it holds (their exits are reaped by the main loop, which
 * no longer knows their pids and so does not replace them).  A secret
 * that cannot be read is logged and changes nothing.
 */
static void
reload(int listen_fd, const struct options *opt, struct secret *secret,
       pid_t *pids)
{
	struct secret fresh = { NULL, 0 };
	struct msp_error err;
	pid_t old[MAX_WORKERS];
	int i;

	reload_requested = 0;
	if (secret_load(opt->secret_file, &fresh, &err) != MSP_OK) {
		/* one JSON line, like every other; the reason is French,
		 * for the administrator who reads the journal */
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "level",
				       json_object_new_string("error"));
		json_object_object_add(o, "event", json_object_new_string(
					       "reload refused"));
		json_object_object_add(o, "message", json_object_new_string(
					       err.message));
		fprintf(stderr, "%s\n", json_object_to_json_string_ext(
				o, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	secret_clear(secret);
	*secret = fresh;
	for (i = 0; i < opt->workers; i++) {
		pid_t pid = spawn(listen_fd, opt, secret);

		/* no new worker (fork failed): the old one stays, so
		 * that a reload never leaves fewer workers than before */
		old[i] = pid > 0 ? pids[i] : 0;
		if (pid > 0)
			pids[i] = pid;
		else
			fprintf(stderr, "{\"level\":\"error\",\"event\":"
				"\"reload: no new worker\",\"worker\":%ld,"
				"\"errno\":%d}\n", (long)pids[i], errno);
	}
	for (i = 0; i < opt->workers; i++)
		if (old[i] > 0)
			kill(old[i], SIGTERM);
	fprintf(stderr, "{\"level\":\"info\",\"event\":\"reloaded\","
		"\"workers\":%d}\n", opt->workers);
}

/* One JSON line on standard error, as the workers' (level, event, then
 * the pairs of o, which it takes). */
static void
log_event(const char *level, const char *event, struct json_object *o)
{
	struct json_object *line = json_object_new_object();

	json_object_object_add(line, "level", json_object_new_string(level));
	json_object_object_add(line, "event", json_object_new_string(event));
	json_object_object_foreach(o, key, value)
		json_object_object_add(line, key, json_object_get(value));
	json_object_put(o);
	fprintf(stderr, "%s\n", json_object_to_json_string_ext(
			line, JSON_C_TO_STRING_PLAIN |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(line);
}

/*
 * The schema check at start: msp.schema_version() of database against
 * MSP_SCHEMA_VERSION.  Returns -1, after a French sentence and a log
 * line, when the database is ahead: these binaries would run against
 * tables and functions written for newer ones (a package downgraded,
 * an old copy started beside a migrated database), so they do not
 * start.  Returns 0 otherwise: a database behind (migrations pending)
 * or that does not answer now is logged, and the workers start anyway,
 * as they always did: a database restarting after the service must not
 * keep it down, and /api/v1/health/ready tells a load balancer.  Only
 * at start: a reload forks the same binaries again.
 */
static int
schema_check(const char *database)
{
	struct json_object *o = json_object_new_object();
	struct msp_error err;
	PGconn *conn = NULL;
	PGresult *res = NULL;
	int version = -1, rc = 0;

	if (db_connect(database, NULL, &conn, &err) != MSP_OK ||
	    db_exec(conn, "schema version", "SELECT msp.schema_version() "
		    "AS v", 0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		json_object_object_add(o, "why",
				       json_object_new_string(err.message));
		log_event("warning", "schema not checked", o);
		o = NULL;
		goto out;
	}
	if (!PQgetisnull(res, 0, 0))
		version = (int)db_int(res, 0, "v");
	json_object_object_add(o, "database", json_object_new_int(version));
	json_object_object_add(o, "expected",
			       json_object_new_int(MSP_SCHEMA_VERSION));
	if (version > MSP_SCHEMA_VERSION) {
		fprintf(stderr, "msp-fcgi: la base est au schéma %d, plus "
			"récent que celui de ces programmes (%d, version "
			"%s) : ils ne démarrent pas ; installez la version "
			"qui a migré la base ou une plus récente\n",
			version, MSP_SCHEMA_VERSION, PACKAGE_VERSION);
		log_event("error", "schema ahead", o);
		rc = -1;
	} else if (version < MSP_SCHEMA_VERSION) {
		json_object_object_add(o, "message", json_object_new_string(
				"migrations en attente : msp-report db "
				"migrate"));
		log_event("warning", "schema behind", o);
	} else {
		json_object_put(o);
	}
	o = NULL;
out:
	json_object_put(o);
	PQclear(res);
	PQfinish(conn);
	return rc;
}

/* A count from 1 to max into *out, or -1 after saying that what (an
 * option or a variable) must be one. */
static int
parse_count(const char *what, const char *s, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "msp-fcgi: %s must be 1-%d\n", what, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "batch", required_argument, NULL, 'b' },
		{ "database", required_argument, NULL, 'd' },
		{ "report-database", required_argument, NULL, 'r' },
		{ "secret-file", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("MSP_FCGI_WORKERS");
	const char *batch = getenv("MSP_FCGI_BATCH");
	int c;

	opt->socket = getenv("MSP_FCGI_SOCKET");
	if (opt->socket == NULL || *opt->socket == '\0')
		opt->socket = "msp-fcgi.sock";
	opt->database = settings_fcgi_database_url();
	/* set only when MSP_REPORT_DATABASE_URL names another database */
	opt->report_database = settings_fcgi_report_database_url();
	if (strcmp(opt->report_database, opt->database) == 0)
		opt->report_database = NULL;
	opt->secret_file = settings_secret_file();
	opt->workers = 2;
	if (env != NULL && *env != '\0' &&
	    parse_count("MSP_FCGI_WORKERS", env, MAX_WORKERS,
			&opt->workers) != 0)
		return 2;
	opt->batch = 32;
	if (batch != NULL && *batch != '\0' &&
	    parse_count("MSP_FCGI_BATCH", batch, MAX_BATCH, &opt->batch) != 0)
		return 2;
	while ((c = getopt_long(argc, argv, "s:w:b:d:r:k:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			opt->socket = optarg;
			break;
		case 'w':
			if (parse_count("--workers", optarg, MAX_WORKERS,
					&opt->workers) != 0)
				return 2;
			break;
		case 'b':
			if (parse_count("--batch", optarg, MAX_BATCH,
					&opt->batch) != 0)
				return 2;
			break;
		case 'd':
			opt->database = optarg;
			break;
		case 'r':
			opt->report_database = optarg;
			break;
		case 'k':
			opt->secret_file = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case 'V':
			printf("msp-fcgi %s\n", PACKAGE_VERSION);
			return -1;
		default:
			fputs("Try 'msp-fcgi --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "msp-fcgi: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (opt->report_database != NULL &&
	    strcmp(opt->report_database, opt->database) == 0)
		opt->report_database = NULL;	/* one connection will do */
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct secret secret;
	struct msp_error err;
	pid_t pids[MAX_WORKERS] = { 0 };
	int listen_fd, i, rc, status;
	pid_t dead;

	rc = parse_options(argc, argv, &opt);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	/* the threshold is the database's: a worker that would answer
	 * every report page 503 refuses to start instead */
	if (getenv(DISCLOSURE_POLICY_OLD_ENV) != NULL) {
		fprintf(stderr, "msp-fcgi: %s n'est plus lu : le seuil du "
			"secret statistique est dans la base "
			"(msp.disclosure_policy) ; retirez cette variable\n",
			DISCLOSURE_POLICY_OLD_ENV);
		return 1;
	}
	if (secret_load(opt.secret_file, &secret, &err) != MSP_OK) {
		fprintf(stderr, "msp-fcgi: %s\n", err.message);
		return 1;
	}
	if (schema_check(opt.database) != 0) {
		secret_clear(&secret);
		return EXIT_SCHEMA_AHEAD;
	}
	if (FCGX_Init() != 0) {
		fputs("msp-fcgi: FastCGI library initialisation failed\n",
		      stderr);
		return 1;
	}
	unlink(opt.socket);	/* a stale socket from a killed run */
	listen_fd = FCGX_OpenSocket(opt.socket, 128);
	if (listen_fd < 0) {
		fprintf(stderr, "msp-fcgi: cannot listen on %s: %s\n",
			opt.socket, strerror(errno));
		return 1;
	}
	/* Owner and group only: a local user who could connect would skip
	 * nginx's limits.  nginx's workers reach it as the same user or
	 * through the group, which a setgid directory hands to the socket
	 * (scripts/msp-stack). */
	if (chmod(opt.socket, 0660) != 0) {
		fprintf(stderr, "msp-fcgi: cannot set the mode of %s: %s\n",
			opt.socket, strerror(errno));
		close(listen_fd);
		unlink(opt.socket);
		return 1;
	}
	/* Workers take whatever is waiting without blocking, and wait
	 * in poll() (worker_main). */
	if (fcntl(listen_fd, F_SETFL,
		  fcntl(listen_fd, F_GETFL) | O_NONBLOCK) != 0) {
		fprintf(stderr, "msp-fcgi: cannot make %s non-blocking: %s\n",
			opt.socket, strerror(errno));
		close(listen_fd);
		unlink(opt.socket);
		return 1;
	}
	catch_stop_signals();
	/* Before the fork: the workers share the counters (metrics.h). */
	if (metrics_init(opt.workers, listen_fd) != 0)
		fprintf(stderr, "{\"level\":\"warning\",\"event\":"
			"\"no metrics\",\"why\":\"%s\"}\n", strerror(errno));
	for (i = 0; i < opt.workers; i++)
		pids[i] = spawn(listen_fd, &opt, &secret);
	fprintf(stderr, "{\"level\":\"info\",\"event\":\"listening\","
		"\"socket\":\"%s\",\"workers\":%d,\"batch\":%d,"
		"\"report_database\":%s}\n", opt.socket, opt.workers,
		opt.batch, opt.report_database != NULL ? "true" : "false");
	while (!worker_stop_requested) {
		if (reload_requested) {
			reload(listen_fd, &opt, &secret, pids);
			continue;
		}
		dead = waitpid(-1, &status, WNOHANG);
		if (dead <= 0) {
			/* nothing exited: wait for a signal, which may
			 * come in only here */
			sigsuspend(&wait_mask);
			continue;
		}
		/* a worker of the set a reload replaced: its slot of
		 * the shared counters is free again (metrics.h) */
		for (i = 0; i < opt.workers && pids[i] != dead; i++)
			;
		if (i == opt.workers)
			metrics_worker_left(dead);
		for (i = 0; i < opt.workers; i++) {
			if (pids[i] != dead)
				continue;
			fprintf(stderr, "{\"level\":\"warning\",\"event\":"
				"\"worker died\",\"worker\":%ld,\"status\":%d}"
				"\n", (long)dead, status);
			pids[i] = 0;
			metrics_worker_gone(dead);
			/* No hot loop if it keeps dying; the sleep ends
			 * early on a stop signal, let in for its length. */
			sigprocmask(SIG_SETMASK, &wait_mask, NULL);
			sleep(1);
			sigprocmask(SIG_BLOCK, &parent_mask, NULL);
			if (!worker_stop_requested)
				pids[i] = spawn(listen_fd, &opt, &secret);
		}
	}
	for (i = 0; i < opt.workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	unlink(opt.socket);
	secret_clear(&secret);
	fprintf(stderr, "{\"level\":\"info\",\"event\":\"stopped\"}\n");
	return 0;
}
