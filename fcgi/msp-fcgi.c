/*
 * msp-fcgi — the FastCGI worker nginx hands requests to.
 *
 * A parent opens the unix socket and forks N workers that accept on it,
 * each with its own PostgreSQL connection.  The parent restarts a worker
 * that dies (a crash must not shrink the pool for good) and, on SIGTERM
 * or SIGINT, asks every worker to stop: a worker finishes the request in
 * hand, then exits.  A worker never exits because a request failed;
 * failures become HTTP statuses.
 */
#include "config.h"

#include <errno.h>
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
#include "settings.h"

#define MAX_WORKERS 64

static const char usage_text[] =
"Usage: msp-fcgi [OPTION]...\n"
"FastCGI worker of the MSP survey service, reached by nginx over a unix\n"
"socket.  Stops cleanly on SIGTERM or SIGINT: requests in hand finish.\n"
"\n"
"  -s, --socket PATH    unix socket to listen on (default:\n"
"                       $MSP_FCGI_SOCKET, else ./msp-fcgi.sock)\n"
"  -w, --workers N      worker processes, 1-64 (default: $MSP_FCGI_WORKERS,\n"
"                       else 2)\n"
"  -d, --database URL   PostgreSQL connection string (default:\n"
"                       $MSP_DATABASE_URL, else libpq's PG* variables)\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n"
"\n"
"Each request is logged as one JSON line on standard error.\n";

struct options {
	const char *socket;
	const char *database;
	int workers;
};

/* A worker's state across requests. */
struct worker {
	const char *database;
	PGconn *conn;		/* NULL until first needed or after a loss */
	time_t down_since;	/* first failed connect of an outage, or 0 */
	time_t last_logged;	/* last "unreachable" line written */
	unsigned long failures;	/* failed connects in this outage */
};

/* While the database is down every request fails to connect: one log
 * line per interval, not one per request. */
#define DB_DOWN_LOG_INTERVAL 10

static void
log_db_down(struct worker *w)
{
	time_t now = time(NULL);

	w->failures++;
	if (w->down_since == 0)
		w->down_since = now;
	if (w->last_logged != 0 && now - w->last_logged < DB_DOWN_LOG_INTERVAL)
		return;
	w->last_logged = now;
	fprintf(stderr, "{\"level\":\"error\",\"worker\":%ld,"
		"\"event\":\"database unreachable\",\"down_s\":%ld,"
		"\"failed_attempts\":%lu}\n", (long)getpid(),
		(long)(now - w->down_since), w->failures);
}

struct reply {
	int status;
	const char *reason;
	const char *content_type;
	int retry_after;	/* seconds, 0 for none */
	json_object *body;	/* owned; NULL for no body */
};

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
	FCGX_ShutdownPending();	/* makes a blocked accept return */
}

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
	signal(SIGPIPE, SIG_IGN);
}

/*
 * The worker's connection, (re)connected if it is missing or broken, or
 * NULL if the database cannot be reached now.
 */
static PGconn *
worker_db(struct worker *w)
{
	struct msp_error err;

	if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK)
		return w->conn;
	PQfinish(w->conn);
	w->conn = NULL;
	if (db_connect(w->database, NULL, &w->conn, &err) != MSP_OK) {
		log_db_down(w);
		return NULL;
	}
	if (w->down_since != 0) {
		fprintf(stderr, "{\"level\":\"info\",\"worker\":%ld,"
			"\"event\":\"database reachable again\","
			"\"failed_attempts\":%lu}\n", (long)getpid(),
			w->failures);
		w->down_since = 0;
		w->failures = 0;
	}
	return w->conn;
}

static json_object *
problem(int status, const char *title, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type",
			       json_object_new_string("about:blank"));
	json_object_object_add(o, "title", json_object_new_string(title));
	json_object_object_add(o, "status", json_object_new_int(status));
	if (detail != NULL)
		json_object_object_add(o, "detail",
				       json_object_new_string(detail));
	return o;
}

/* GET /api/v1/health: is this worker able to reach its database? */
static void
handle_health(struct worker *w, struct reply *r)
{
	PGconn *conn = worker_db(w);
	enum msp_status st = MSP_EDB;

	if (conn != NULL)
		st = db_exec(conn, "health", "SELECT 1", 0, NULL,
			     PGRES_TUPLES_OK, NULL, NULL);
	if (st != MSP_OK && conn != NULL && PQstatus(conn) != CONNECTION_OK) {
		/* The server restarted under us: one fresh try. */
		conn = worker_db(w);
		if (conn != NULL)
			st = db_exec(conn, "health", "SELECT 1", 0, NULL,
				     PGRES_TUPLES_OK, NULL, NULL);
	}
	if (st != MSP_OK) {
		r->status = 503;
		r->reason = "Service Unavailable";
		r->retry_after = 5;
		r->body = problem(503, "Service Unavailable",
				  "the database cannot be reached");
		return;
	}
	r->status = 200;
	r->reason = "OK";
	r->content_type = "application/json";
	r->body = json_object_new_object();
	json_object_object_add(r->body, "status", json_object_new_string("ok"));
	json_object_object_add(r->body, "database",
			       json_object_new_string("ok"));
	json_object_object_add(r->body, "version",
			       json_object_new_string(PACKAGE_VERSION));
}

static void
route(struct worker *w, const char *method, const char *path, struct reply *r)
{
	r->content_type = "application/problem+json";
	if (strcmp(path, "/api/v1/health") == 0) {
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
			handle_health(w, r);
			return;
		}
		r->status = 405;
		r->reason = "Method Not Allowed";
		r->body = problem(405, "Method Not Allowed", NULL);
		return;
	}
	r->status = 404;
	r->reason = "Not Found";
	r->body = problem(404, "Not Found", "no such resource");
}

/*
 * Writes the status line, headers and body.  Headers are formatted with
 * snprintf: libfcgi's own FCGX_FPrintF knows no %zu and escapes the
 * compiler's format checks.
 */
static void
send_reply(FCGX_Request *req, const char *method, const struct reply *r)
{
	const char *body = r->body != NULL ?
		json_object_to_json_string_ext(r->body, JSON_C_TO_STRING_PLAIN) :
		"";
	size_t len = strlen(body);
	char head[512], retry[48] = "";
	int n;

	if (r->retry_after > 0)
		snprintf(retry, sizeof(retry), "Retry-After: %d\r\n",
			 r->retry_after);
	n = snprintf(head, sizeof(head),
		     "Status: %d %s\r\n"
		     "Content-Type: %s; charset=utf-8\r\n"
		     "Cache-Control: no-store\r\n"
		     "%s"
		     "Content-Length: %zu\r\n\r\n",
		     r->status, r->reason, r->content_type, retry, len);
	if (n < 0 || (size_t)n >= sizeof(head))
		return;		/* our own constants: cannot happen */
	FCGX_PutStr(head, n, req->out);
	if (strcmp(method, "HEAD") != 0)
		FCGX_PutStr(body, (int)len, req->out);
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One JSON line per request: no query string, no body, no identity. */
static void
log_request(const char *method, const char *path, int status, double ms)
{
	json_object *o = json_object_new_object();
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "worker", json_object_new_int(getpid()));
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "status", json_object_new_int(status));
	json_object_object_add(o, "ms", json_object_new_double(ms));
	fprintf(stderr, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int
worker_main(int listen_fd, const struct options *opt)
{
	struct worker w = { .database = opt->database };
	FCGX_Request req;
	struct timespec t0;

	if (FCGX_InitRequest(&req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return 1;
	while (!stop_requested && FCGX_Accept_r(&req) >= 0) {
		const char *method = FCGX_GetParam("REQUEST_METHOD", req.envp);
		const char *path = FCGX_GetParam("DOCUMENT_URI", req.envp);
		struct reply r = { 0 };

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (method == NULL)
			method = "GET";
		if (path == NULL)
			path = "/";
		route(&w, method, path, &r);
		send_reply(&req, method, &r);
		/* method and path live in req.envp, which Finish frees. */
		log_request(method, path, r.status, elapsed_ms(&t0));
		FCGX_Finish_r(&req);
		json_object_put(r.body);
	}
	FCGX_Free(&req, 0);
	PQfinish(w.conn);
	return 0;
}

static pid_t
spawn(int listen_fd, const struct options *opt)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(worker_main(listen_fd, opt));
	return pid;
}

static int
parse_workers(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 ||
	    v > MAX_WORKERS)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("MSP_FCGI_WORKERS");
	int c;

	opt->socket = getenv("MSP_FCGI_SOCKET");
	if (opt->socket == NULL || *opt->socket == '\0')
		opt->socket = "msp-fcgi.sock";
	opt->database = settings_database_url();
	opt->workers = 2;
	if (env != NULL && *env != '\0' &&
	    parse_workers(env, &opt->workers) != 0) {
		fprintf(stderr, "msp-fcgi: MSP_FCGI_WORKERS must be 1-%d\n",
			MAX_WORKERS);
		return 2;
	}
	while ((c = getopt_long(argc, argv, "s:w:d:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			opt->socket = optarg;
			break;
		case 'w':
			if (parse_workers(optarg, &opt->workers) != 0) {
				fprintf(stderr, "msp-fcgi: --workers must be "
					"1-%d\n", MAX_WORKERS);
				return 2;
			}
			break;
		case 'd':
			opt->database = optarg;
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
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	pid_t pids[MAX_WORKERS] = { 0 };
	int listen_fd, i, rc, status;
	pid_t dead;

	rc = parse_options(argc, argv, &opt);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
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
	/* nginx's workers may run as another user; the socket's directory
	 * is what restricts who can reach it. */
	chmod(opt.socket, 0666);
	catch_stop_signals();
	for (i = 0; i < opt.workers; i++)
		pids[i] = spawn(listen_fd, &opt);
	fprintf(stderr, "{\"level\":\"info\",\"event\":\"listening\","
		"\"socket\":\"%s\",\"workers\":%d}\n", opt.socket, opt.workers);
	while (!stop_requested) {
		dead = waitpid(-1, &status, 0);
		if (dead < 0)
			continue;	/* EINTR: a stop signal */
		for (i = 0; i < opt.workers; i++) {
			if (pids[i] != dead)
				continue;
			fprintf(stderr, "{\"level\":\"warning\",\"event\":"
				"\"worker died\",\"worker\":%ld,\"status\":%d}"
				"\n", (long)dead, status);
			pids[i] = 0;
			sleep(1);	/* no hot loop if it keeps dying */
			/* The sleep ends early on a stop signal. */
			if (!stop_requested)
				pids[i] = spawn(listen_fd, &opt);
		}
	}
	for (i = 0; i < opt.workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	unlink(opt.socket);
	fprintf(stderr, "{\"level\":\"info\",\"event\":\"stopped\"}\n");
	return 0;
}
