/*
 * msp-load — a small HTTP/1.1 load client for tests/faults.test.
 *
 * wrk cannot give every request its own Idempotency-Key nor log what
 * each one got, and the fault test needs both: it compares the keys the
 * server acknowledged with the rows in the database.  So: N threads,
 * each with one keep-alive connection to 127.0.0.1, post the same body
 * with a unique key per submission, retry a submission that got 502,
 * 503, 504 or a broken connection with the same key (what a careful
 * client does, and what makes a lost reply safe), and log one line per
 * attempt.  Every attempt has a deadline: a reply that does not come in
 * time is logged as "timeout", the hang the test looks for.
 *
 * Plain sockets, loopback only; the replies it reads are nginx's, framed
 * by Content-Length or chunked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 256
#define MAX_HEADERS 16
#define MAX_BODY (256 * 1024)	/* nginx's client_max_body_size */
#define MAX_REPLY (64 * 1024)	/* our replies are a few hundred bytes */
#define REQUEST_MAX (MAX_BODY + 8192)

static const char usage_text[] =
"Usage: msp-load --port PORT --body FILE [OPTION]...\n"
"Posts FILE to http://127.0.0.1:PORT/PATH from several keep-alive\n"
"connections, each submission with its own Idempotency-Key, and logs\n"
"one line per attempt, for the fault test (tests/faults.test).\n"
"\n"
"  -p, --port PORT        nginx's HTTP port on 127.0.0.1 (required)\n"
"  -b, --body FILE        the request body, sent as application/json\n"
"                         (required)\n"
"  -P, --path PATH        the request path (default: /api/v1/responses)\n"
"  -H, --header LINE      an extra request header, such as\n"
"                         'Authorization: Bearer ...'; repeatable\n"
"  -c, --connections N    concurrent connections, one thread each,\n"
"                         1-256 (default: 4)\n"
"  -n, --requests N       submissions in all (default: 1000)\n"
"  -d, --duration S       start no submission after S seconds\n"
"                         (default: 30)\n"
"  -R, --rate N           start at most N submissions per second in all\n"
"                         (default: as fast as the server answers)\n"
"  -t, --timeout S        an attempt not answered within S seconds is\n"
"                         logged as a timeout (default: 10)\n"
"  -r, --retries N        retries of a submission that got 502, 503, 504\n"
"                         or a broken connection, same key (default: 3)\n"
"  -w, --wait MS          pause before a retry, in milliseconds, short\n"
"                         of a Retry-After to keep a test short\n"
"                         (default: 200)\n"
"  -k, --key-prefix P     keys are P-CONNECTION-N (default: load)\n"
"  -l, --log FILE         the attempt log (default: standard output)\n"
"  -h, --help             show this help and exit\n"
"\n"
"Each log line has tab-separated fields: the attempt's start (ms since\n"
"the epoch), the key, the attempt number (1 = first), the HTTP status\n"
"or 'timeout' or 'error:WHY', 'retry-after' if the reply carried that\n"
"header else '-', the response_id of a 2xx body else '-', and the\n"
"attempt's duration in ms.  A summary goes to standard error.\n"
"\n"
"Exit status: 0 when the run completed (whatever the server answered),\n"
"1 when it could not start, 2 on a usage error.\n";

struct options {
	int port;
	const char *path;
	const char *headers[MAX_HEADERS];
	int n_headers;
	int connections;
	long requests;
	double duration;
	double rate;		/* submissions per second, 0: no limit */
	double timeout;
	int retries;
	long wait_ms;
	const char *key_prefix;
	const char *log_path;
	const char *body_path;
};

/* Shared by the threads: the options, the body, the log, the counter of
 * submissions started. */
static struct options opt;
static char *body;
static size_t body_len;
static FILE *log_file;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long started;		/* under lock */
static double t_start;		/* monotonic seconds at launch */

struct totals {
	long attempts, ok, s503, s503_no_retry_after, other, timeouts,
	     errors, gave_up;
};
static struct totals totals;	/* under lock */

/* What one attempt got. */
struct reply {
	int status;		/* 0: none (error or timeout) */
	int timed_out;
	const char *error;	/* why there is no status */
	int retry_after;
	int close;		/* the server will close the connection */
	long long response_id;	/* -1 if none */
};

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long
now_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
connect_local(int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Loopback: connect() succeeds or is refused at once. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Waits until fd is ready for events or the deadline passes: 1 ready,
 * 0 timed out, -1 error. */
static int
wait_fd(int fd, short events, double deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	double left;
	int rc;

	for (;;) {
		left = deadline - now_mono();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int)(left * 1000) + 1);
		if (rc > 0)
			return 1;
		if (rc == 0)
			continue;	/* re-check the clock */
		if (errno != EINTR)
			return -1;
	}
}

/* Sends all of buf before the deadline: 0, or -1 with r filled. */
static int
send_all(int fd, const char *buf, size_t len, double deadline,
	 struct reply *r)
{
	ssize_t n;
	int w;

	while (len > 0) {
		w = wait_fd(fd, POLLOUT, deadline);
		if (w == 0) {
			r->timed_out = 1;
			return -1;
		}
		n = w < 0 ? -1 : send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r->error = "send";
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The reply's bytes received so far.  The server may not start the
 * next reply before we sent the next request, so what is left over
 * after one reply is an error, not the start of the next one.
 */
struct inbuf {
	char data[MAX_REPLY + 1];
	size_t len;
};

/* Reads more bytes into in: 0, or -1 with r filled. */
static int
read_more(int fd, struct inbuf *in, double deadline, struct reply *r)
{
	ssize_t n;
	int w;

	if (in->len >= MAX_REPLY) {
		r->error = "reply too long";
		return -1;
	}
	for (;;) {
		w = wait_fd(fd, POLLIN, deadline);
		if (w == 0) {
			r->timed_out = 1;
			return -1;
		}
		n = w < 0 ? -1 : recv(fd, in->data + in->len,
				      MAX_REPLY - in->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->error = "recv";
			return -1;
		}
		if (n == 0) {
			r->error = "closed";
			return -1;
		}
		in->len += (size_t)n;
		in->data[in->len] = '\0';
		return 0;
	}
}

/* The value of header name in the head (NUL-terminated, lines ending in
 * CRLF), copied into out, or NULL. */
static const char *
header_value(const char *head, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name), vlen;
	const char *p = strstr(head, "\r\n"), *end;

	while (p != NULL && p[2] != '\0') {
		p += 2;
		end = strstr(p, "\r\n");
		if (end == NULL)
			break;
		if ((size_t)(end - p) > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			p += nlen + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			vlen = (size_t)(end - p);
			if (vlen >= size)
				vlen = size - 1;
			memcpy(out, p, vlen);
			out[vlen] = '\0';
			return out;
		}
		p = end;
	}
	return NULL;
}

/*
 * Decodes the chunked body at body_start, up to the end of in: its
 * length, -2 when more bytes are needed, -1 when it is malformed.  It
 * is first only measured, so that an incomplete body stays as it came;
 * once complete, it is decoded in place.
 */
static long
dechunk(char *body_start, struct inbuf *in)
{
	char *end = in->data + in->len, *src, *dst, *eol, *num_end;
	unsigned long size;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		src = dst = body_start;
		for (;;) {
			eol = strstr(src, "\r\n");
			if (eol == NULL)
				return -2;
			size = strtoul(src, &num_end, 16);
			if (num_end == src)
				return -1;
			src = eol + 2;
			if (size == 0) {
				/* nginx sends no trailer: the last CRLF */
				if (end - src < 2)
					return -2;
				break;
			}
			if ((unsigned long)(end - src) < size + 2)
				return -2;
			if (pass == 1)
				memmove(dst, src, size);
			dst += size;
			src += size + 2;
		}
	}
	return (long)(dst - body_start);
}

/* Reads one reply into r: 0, or -1 (r says why; the connection is then
 * unusable). */
static int
read_reply(int fd, struct inbuf *in, double deadline, struct reply *r)
{
	char value[64], *head_end, *body_start, *p;
	long clen = -1, blen;
	int chunked;

	in->len = 0;
	in->data[0] = '\0';
	while ((head_end = strstr(in->data, "\r\n\r\n")) == NULL)
		if (read_more(fd, in, deadline, r) != 0)
			return -1;
	head_end[2] = '\0';	/* the head, with its last CRLF */
	body_start = head_end + 4;
	if (sscanf(in->data, "HTTP/1.%*d %d", &r->status) != 1) {
		r->error = "bad status line";
		r->status = 0;
		return -1;
	}
	r->retry_after = header_value(in->data, "Retry-After", value,
				      sizeof(value)) != NULL;
	r->close = header_value(in->data, "Connection", value,
				sizeof(value)) != NULL &&
		   strcasecmp(value, "close") == 0;
	chunked = header_value(in->data, "Transfer-Encoding", value,
			       sizeof(value)) != NULL &&
		  strcasecmp(value, "chunked") == 0;
	if (header_value(in->data, "Content-Length", value, sizeof(value)))
		clen = strtol(value, NULL, 10);
	if (!chunked && clen < 0) {
		r->error = "reply without framing";
		return -1;
	}
	for (;;) {
		size_t have = in->len - (size_t)(body_start - in->data);

		if (chunked) {
			blen = dechunk(body_start, in);
			if (blen == -1) {
				r->error = "bad chunk";
				return -1;
			}
			if (blen >= 0)
				break;
		} else if (have >= (size_t)clen) {
			blen = clen;
			break;
		}
		if (read_more(fd, in, deadline, r) != 0)
			return -1;
	}
	body_start[blen] = '\0';
	r->response_id = -1;
	if (r->status / 100 == 2 &&
	    (p = strstr(body_start, "\"response_id\":")) != NULL)
		r->response_id = strtoll(p + 14, NULL, 10);
	return 0;
}

/* Builds the request for key into out: its length, or -1. */
static int
build_request(char *out, size_t size, const char *key)
{
	size_t len;
	int n, i;

	n = snprintf(out, size,
		     "POST %s HTTP/1.1\r\n"
		     "Host: 127.0.0.1:%d\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %zu\r\n"
		     "Idempotency-Key: %s\r\n",
		     opt.path, opt.port, body_len, key);
	if (n < 0 || (size_t)n >= size)
		return -1;
	len = (size_t)n;
	for (i = 0; i < opt.n_headers; i++) {
		n = snprintf(out + len, size - len, "%s\r\n", opt.headers[i]);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	if (size - len < 3 || size - len - 2 < body_len + 1)
		return -1;
	memcpy(out + len, "\r\n", 2);
	memcpy(out + len + 2, body, body_len);
	return (int)(len + 2 + body_len);
}

static void
log_attempt(long long t0_ms, const char *key, int attempt,
	    const struct reply *r, double ms)
{
	char status[48], id[24];

	if (r->status != 0)
		snprintf(status, sizeof(status), "%d", r->status);
	else if (r->timed_out)
		snprintf(status, sizeof(status), "timeout");
	else
		snprintf(status, sizeof(status), "error:%s",
			 r->error ? r->error : "unknown");
	if (r->response_id >= 0)
		snprintf(id, sizeof(id), "%lld", r->response_id);
	else
		snprintf(id, sizeof(id), "-");
	pthread_mutex_lock(&lock);
	fprintf(log_file, "%lld\t%s\t%d\t%s\t%s\t%s\t%.1f\n", t0_ms, key,
		attempt, status, r->retry_after ? "retry-after" : "-", id,
		ms);
	totals.attempts++;
	if (r->status / 100 == 2)
		totals.ok++;
	else if (r->status == 503) {
		totals.s503++;
		if (!r->retry_after)
			totals.s503_no_retry_after++;
	} else if (r->status != 0)
		totals.other++;
	else if (r->timed_out)
		totals.timeouts++;
	else
		totals.errors++;
	pthread_mutex_unlock(&lock);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The next submission's number, or -1 when the run is over; with a
 * rate, it returns when that submission is due. */
static long
next_submission(void)
{
	long n = -1;
	double due = 0;

	pthread_mutex_lock(&lock);
	if (started < opt.requests && now_mono() - t_start < opt.duration) {
		n = started++;
		if (opt.rate > 0)
			due = t_start + (double)n / opt.rate;
	}
	pthread_mutex_unlock(&lock);
	if (n >= 0 && due > now_mono())
		pause_ms((long)((due - now_mono()) * 1000) + 1);
	return n;
}

static void *
connection_main(void *arg)
{
	int conn_no = (int)(intptr_t)arg, fd = -1, attempt, len;
	struct inbuf *in = malloc(sizeof(*in));
	char *request = malloc(REQUEST_MAX), key[128];
	long seq = 0;

	while (in != NULL && request != NULL && next_submission() >= 0) {
		snprintf(key, sizeof(key), "%s-%d-%ld", opt.key_prefix,
			 conn_no, seq++);
		len = build_request(request, REQUEST_MAX, key);
		if (len < 0)
			break;	/* checked in main: cannot happen */
		for (attempt = 1; attempt <= opt.retries + 1; attempt++) {
			struct reply r = { .response_id = -1 };
			long long t0_ms = now_wall_ms();
			double t0 = now_mono(), deadline = t0 + opt.timeout;
			int failed;

			if (fd < 0 && (fd = connect_local(opt.port)) < 0)
				r.error = "connect";
			failed = fd < 0 ||
				 send_all(fd, request, (size_t)len, deadline,
					  &r) != 0 ||
				 read_reply(fd, in, deadline, &r) != 0;
			log_attempt(t0_ms, key, attempt, &r,
				    (now_mono() - t0) * 1000);
			if ((failed || r.close) && fd >= 0) {
				close(fd);
				fd = -1;
			}
			if (!failed && r.status != 502 && r.status != 503 &&
			    r.status != 504)
				break;	/* an answer, good or bad */
			if (attempt == opt.retries + 1) {
				pthread_mutex_lock(&lock);
				totals.gave_up++;
				pthread_mutex_unlock(&lock);
				break;
			}
			pause_ms(opt.wait_ms);
		}
	}
	if (fd >= 0)
		close(fd);
	free(in);
	free(request);
	return NULL;
}

static int
read_body(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "msp-load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	body = malloc(MAX_BODY + 1);
	n = body ? fread(body, 1, MAX_BODY + 1, f) : 0;
	fclose(f);
	if (body == NULL || n == 0 || n > MAX_BODY) {
		fprintf(stderr, "msp-load: %s: empty, unreadable or over "
			"%d bytes\n", path, MAX_BODY);
		return -1;
	}
	body_len = n;
	return 0;
}

/* A number in [min, max] from s into *out: 0, or -1. */
static int
parse_number(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "body", required_argument, NULL, 'b' },
		{ "path", required_argument, NULL, 'P' },
		{ "header", required_argument, NULL, 'H' },
		{ "connections", required_argument, NULL, 'c' },
		{ "requests", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "wait", required_argument, NULL, 'w' },
		{ "key-prefix", required_argument, NULL, 'k' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	opt.path = "/api/v1/responses";
	opt.connections = 4;
	opt.requests = 1000;
	opt.duration = 30;
	opt.timeout = 10;
	opt.retries = 3;
	opt.wait_ms = 200;
	opt.key_prefix = "load";
	while ((c = getopt_long(argc, argv, "p:b:P:H:c:n:d:R:t:r:w:k:l:h",
				longopts, NULL)) != -1) {
		const char *what = NULL;

		switch (c) {
		case 'p':
			if (parse_number(optarg, 1, 65535, &v) != 0)
				what = "--port must be 1-65535";
			opt.port = (int)v;
			break;
		case 'b':
			opt.body_path = optarg;
			break;
		case 'P':
			if (optarg[0] != '/' || strpbrk(optarg, " \r\n"))
				what = "--path must start with / and hold "
				       "no blank";
			opt.path = optarg;
			break;
		case 'H':
			if (opt.n_headers == MAX_HEADERS)
				what = "at most 16 --header";
			else if (!strchr(optarg, ':') ||
				 strpbrk(optarg, "\r\n"))
				what = "--header must be 'Name: value' on "
				       "one line";
			else
				opt.headers[opt.n_headers++] = optarg;
			break;
		case 'c':
			if (parse_number(optarg, 1, MAX_CONNECTIONS, &v) != 0)
				what = "--connections must be 1-256";
			opt.connections = (int)v;
			break;
		case 'n':
			if (parse_number(optarg, 1, 1e9, &v) != 0)
				what = "--requests must be 1-1000000000";
			opt.requests = (long)v;
			break;
		case 'd':
			if (parse_number(optarg, 0.1, 86400, &v) != 0)
				what = "--duration must be 0.1-86400 seconds";
			opt.duration = v;
			break;
		case 'R':
			if (parse_number(optarg, 0.1, 1e6, &v) != 0)
				what = "--rate must be 0.1-1000000";
			opt.rate = v;
			break;
		case 't':
			if (parse_number(optarg, 0.1, 3600, &v) != 0)
				what = "--timeout must be 0.1-3600 seconds";
			opt.timeout = v;
			break;
		case 'r':
			if (parse_number(optarg, 0, 100, &v) != 0)
				what = "--retries must be 0-100";
			opt.retries = (int)v;
			break;
		case 'w':
			if (parse_number(optarg, 0, 60000, &v) != 0)
				what = "--wait must be 0-60000 ms";
			opt.wait_ms = (long)v;
			break;
		case 'k':
			if (strlen(optarg) > 64 || strpbrk(optarg, " \r\n:"))
				what = "--key-prefix must be at most 64 "
				       "characters, no blank or colon";
			opt.key_prefix = optarg;
			break;
		case 'l':
			opt.log_path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			fputs("Try 'msp-load --help'.\n", stderr);
			return 2;
		}
		if (what != NULL) {
			fprintf(stderr, "msp-load: %s\n", what);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "msp-load: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (opt.port == 0 || opt.body_path == NULL) {
		fputs("msp-load: --port and --body are required\n"
		      "Try 'msp-load --help'.\n", stderr);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	pthread_t threads[MAX_CONNECTIONS];
	char *probe;
	int rc, i, n_threads = 0;
	double elapsed;

	rc = parse_options(argc, argv);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (read_body(opt.body_path) != 0)
		return 1;
	probe = malloc(REQUEST_MAX);
	rc = probe == NULL || build_request(probe, REQUEST_MAX, "x") < 0;
	free(probe);
	if (rc) {
		fputs("msp-load: the headers are too long\n", stderr);
		free(body);
		return 1;
	}
	log_file = opt.log_path ? fopen(opt.log_path, "w") : stdout;
	if (log_file == NULL) {
		fprintf(stderr, "msp-load: %s: %s\n", opt.log_path,
			strerror(errno));
		free(body);
		return 1;
	}
	t_start = now_mono();
	for (i = 0; i < opt.connections; i++) {
		if (pthread_create(&threads[i], NULL, connection_main,
				   (void *)(intptr_t)i) != 0) {
			fputs("msp-load: cannot start a thread\n", stderr);
			break;
		}
		n_threads++;
	}
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	elapsed = now_mono() - t_start;
	if (log_file != stdout)
		fclose(log_file);
	else
		fflush(stdout);
	fprintf(stderr, "msp-load: %ld submissions, %ld attempts in %.1f s: "
		"%ld 2xx, %ld 503 (%ld without Retry-After), %ld other "
		"statuses, %ld timeouts, %ld connection errors, %ld given "
		"up\n", started, totals.attempts, elapsed, totals.ok,
		totals.s503, totals.s503_no_retry_after, totals.other,
		totals.timeouts, totals.errors, totals.gave_up);
	free(body);
	return n_threads == opt.connections ? 0 : 1;
}
