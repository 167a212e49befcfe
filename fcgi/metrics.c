/*
 * metrics — shared counters and their Prometheus text (metrics.h).
 *
 * The format: https://prometheus.io/docs/instrumenting/exposition_formats/
 * (text format 0.0.4): "# HELP" and "# TYPE" lines, then one sample per
 * line, "name{label="value",...} number"; a histogram is cumulative
 * name_bucket{le="..."} samples ending with le="+Inf", then name_sum and
 * name_count.  tests/metrics.test reads ours with the Prometheus
 * client's own parser.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "metrics.h"

/*
 * The routes, as labels: a fixed list, so that a client asking for
 * random paths cannot grow the figures (a path's own text never
 * becomes a label).  The first whose prefix the path has wins; exact
 * entries end with no '*'.
 */
static const struct {
	const char *prefix;
	int exact;
	const char *label;
} route_table[] = {
	{ "/api/v1/health/live", 1, "/api/v1/health/live" },
	{ "/api/v1/health/ready", 1, "/api/v1/health/ready" },
	{ "/api/v1/health", 1, "/api/v1/health" },
	{ "/api/v1/studies/", 0, "/api/v1/studies/{slug}/instrument" },
	{ "/api/v1/studies", 1, "/api/v1/studies" },
	{ "/api/v1/responses", 1, "/api/v1/responses" },
	{ "/api/v1/interviews", 1, "/api/v1/interviews" },
	{ "/api/v1/export", 1, "/api/v1/export" },
	{ "/api/", 0, "/api/other" },
	{ "/forms", 0, "/forms" },
	{ "/connexion", 1, "/connexion" },
	{ "/deconnexion", 1, "/deconnexion" },
	{ "/espace", 0, "/espace" },
	{ "/reports/", 0, "/reports/{region}" },
	{ "/restitution", 0, "/restitution" },
	{ "/codage", 0, "/codage" },
	{ "/metrics", 1, "/metrics" },
};
#define N_ROUTES (sizeof(route_table) / sizeof(route_table[0]) + 1)
#define ROUTE_OTHER (N_ROUTES - 1)	/* "/" and every other path */

/* Statuses 100-599, each its own counter. */
#define STATUS_MIN 100
#define N_STATUSES 500

/* Latency buckets, seconds: Prometheus clients' defaults, from a
 * millisecond (a health check, a cached study list) to 10 s (past
 * which nginx's fastcgi_read_timeout is near). */
static const double latency_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10,
};
#define N_LATENCY (sizeof(latency_le) / sizeof(latency_le[0]))

/* Batch sizes: powers of two up to msp-fcgi's --batch maximum. */
static const unsigned batch_le[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
#define N_BATCH (sizeof(batch_le) / sizeof(batch_le[0]))

#define MAX_SLOTS 64	/* msp-fcgi's MAX_WORKERS */

struct slot {
	_Atomic pid_t pid;		/* 0: free */
	_Atomic long in_hand;		/* accepted, reply not yet sent */
};

/*
 * Buckets hold counts per bucket (not cumulative): one atomic add per
 * observation; the scrape sums them.  Sums in microseconds, integers:
 * C11 has no atomic add for a double.
 */
struct shared {
	_Atomic uint64_t requests[N_ROUTES][N_STATUSES];
	_Atomic uint64_t latency[N_ROUTES][N_LATENCY + 1];	/* + Inf */
	_Atomic uint64_t latency_us[N_ROUTES];
	_Atomic uint64_t batch[N_BATCH + 1];
	_Atomic uint64_t batch_sum;
	_Atomic uint64_t db_errors[METRICS_DB_KINDS];
	_Atomic uint64_t worker_restarts;
	struct slot slots[MAX_SLOTS];
	int workers;
	int listen_fd;
};

static struct shared *shared;	/* NULL: no metrics (tests) */
static struct slot *mine;	/* this worker's slot */

int
metrics_init(int workers, int listen_fd)
{
	void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	shared = p;	/* zero-filled by mmap */
	shared->workers = workers;
	shared->listen_fd = listen_fd;
	return 0;
}

/* Claims a free slot for this process: 0, or -1 when none is free. */
static int
claim_slot(pid_t me)
{
	pid_t expected;
	size_t i;

	for (i = 0; i < MAX_SLOTS; i++) {
		expected = 0;
		if (atomic_compare_exchange_strong(&shared->slots[i].pid,
						   &expected, me)) {
			mine = &shared->slots[i];
			atomic_store(&mine->in_hand, 0);
			return 0;
		}
	}
	return -1;
}

void
metrics_worker_start(void)
{
	pid_t me = getpid(), pid;
	size_t i;

	if (shared == NULL || claim_slot(me) == 0)
		return;
	/* Every slot taken: a parent that replaced workers without
	 * metrics_worker_gone().  The slot of a process that no longer
	 * exists is taken over; without one, this worker's requests
	 * still count, only not in the gauges. */
	for (i = 0; i < MAX_SLOTS; i++) {
		pid = atomic_load(&shared->slots[i].pid);
		if (pid != 0 && kill(pid, 0) != 0 && errno == ESRCH &&
		    atomic_compare_exchange_strong(&shared->slots[i].pid,
						   &pid, me)) {
			mine = &shared->slots[i];
			atomic_store(&mine->in_hand, 0);
			return;
		}
	}
}

void
metrics_worker_gone(pid_t pid)
{
	if (shared == NULL)
		return;
	atomic_fetch_add(&shared->worker_restarts, 1);
	metrics_worker_left(pid);
}

void
metrics_worker_left(pid_t pid)
{
	size_t i;

	if (shared == NULL)
		return;
	for (i = 0; i < MAX_SLOTS; i++)
		if (atomic_load(&shared->slots[i].pid) == pid) {
			atomic_store(&shared->slots[i].in_hand, 0);
			atomic_store(&shared->slots[i].pid, 0);
		}
}

void
metrics_accepted(size_t n)
{
	if (mine != NULL)
		atomic_fetch_add(&mine->in_hand, (long)n);
}

void
metrics_replied(void)
{
	if (mine != NULL)
		atomic_fetch_sub(&mine->in_hand, 1);
}

static size_t
route_of(const char *path)
{
	size_t i, n;

	for (i = 0; i < N_ROUTES - 1; i++) {
		n = strlen(route_table[i].prefix);
		if (strncmp(path, route_table[i].prefix, n) != 0)
			continue;
		if (!route_table[i].exact || path[n] == '\0')
			return i;
	}
	return ROUTE_OTHER;
}

static const char *
route_label(size_t i)
{
	return i == ROUTE_OTHER ? "other" : route_table[i].label;
}

void
metrics_request(const char *path, int status, double seconds)
{
	size_t route, b;

	if (shared == NULL)
		return;
	route = route_of(path != NULL ? path : "");
	if (status >= STATUS_MIN && status < STATUS_MIN + N_STATUSES)
		atomic_fetch_add(&shared->requests[route][status - STATUS_MIN],
				 1);
	for (b = 0; b < N_LATENCY && seconds > latency_le[b]; b++)
		continue;
	atomic_fetch_add(&shared->latency[route][b], 1);
	atomic_fetch_add(&shared->latency_us[route],
			 (uint64_t)(seconds * 1e6 + 0.5));
}

void
metrics_batch(size_t n)
{
	size_t b;

	if (shared == NULL)
		return;
	for (b = 0; b < N_BATCH && n > batch_le[b]; b++)
		continue;
	atomic_fetch_add(&shared->batch[b], 1);
	atomic_fetch_add(&shared->batch_sum, n);
}

void
metrics_db_error(enum metrics_db_error kind)
{
	if (shared != NULL && kind < METRICS_DB_KINDS)
		atomic_fetch_add(&shared->db_errors[kind], 1);
}

/*
 * The connections waiting in the listening socket's backlog, accepted
 * by the kernel and by no worker yet: what nginx sees as a worker's
 * delay.  Linux's sock_diag (the source of ss -xl's Recv-Q), asked for
 * the one socket by its inode.  -1 when it cannot be read.
 */
static long
listen_backlog(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} rq;
	union {
		char bytes[1024];
		struct nlmsghdr align;
	} rs;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct unix_diag_msg *msg;
	struct nlmsghdr *h;
	struct rtattr *a;
	struct stat sb;
	long backlog = -1;
	ssize_t n;
	int len, s;

	if (fd < 0 || fstat(fd, &sb) != 0)
		return -1;
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -1;
	memset(&rq, 0, sizeof(rq));
	rq.nlh.nlmsg_len = sizeof(rq);
	rq.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nlh.nlmsg_flags = NLM_F_REQUEST;
	rq.req.sdiag_family = AF_UNIX;
	rq.req.udiag_states = 1u << 10;	/* TCP_LISTEN */
	rq.req.udiag_ino = (unsigned)sb.st_ino;
	rq.req.udiag_show = UDIAG_SHOW_RQLEN;
	rq.req.udiag_cookie[0] = rq.req.udiag_cookie[1] = ~0u;	/* none */
	if (sendto(s, &rq, sizeof(rq), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0)
		goto out;
	n = recv(s, rs.bytes, sizeof(rs.bytes), 0);
	if (n <= 0)
		goto out;
	h = &rs.align;
	if (!NLMSG_OK(h, (unsigned)n) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		goto out;
	msg = NLMSG_DATA(h);
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
	for (a = (struct rtattr *)(msg + 1); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_RQLEN &&
		    RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_rqlen))
			backlog = (long)((struct unix_diag_rqlen *)
					 RTA_DATA(a))->udiag_rqueue;
out:
	close(s);
	return backlog;
}

static void
help(struct buf *b, const char *name, const char *type, const char *text)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void
print_requests(struct buf *b)
{
	size_t r, s;
	uint64_t v;

	help(b, "msp_http_requests_total", "counter",
	     "Requests answered by the workers, by route and status.");
	for (r = 0; r < N_ROUTES; r++)
		for (s = 0; s < N_STATUSES; s++) {
			v = atomic_load(&shared->requests[r][s]);
			if (v != 0)
				buf_printf(b, "msp_http_requests_total{route="
					   "\"%s\",status=\"%zu\"} %llu\n",
					   route_label(r), s + STATUS_MIN,
					   (unsigned long long)v);
		}
}

static void
print_latency(struct buf *b)
{
	uint64_t counts[N_LATENCY + 1], total;
	size_t r, i;

	help(b, "msp_http_request_duration_seconds", "histogram",
	     "Time from a request's accept to its reply, by route.");
	for (r = 0; r < N_ROUTES; r++) {
		total = 0;
		for (i = 0; i <= N_LATENCY; i++) {
			counts[i] = atomic_load(&shared->latency[r][i]);
			total += counts[i];
		}
		if (total == 0)
			continue;
		/* cumulative, and +Inf and _count from the same reads:
		 * consistent whatever the other workers add meanwhile */
		total = 0;
		for (i = 0; i < N_LATENCY; i++) {
			total += counts[i];
			buf_printf(b, "msp_http_request_duration_seconds_bucket"
				   "{route=\"%s\",le=\"%g\"} %llu\n",
				   route_label(r), latency_le[i],
				   (unsigned long long)total);
		}
		total += counts[N_LATENCY];
		buf_printf(b, "msp_http_request_duration_seconds_bucket"
			   "{route=\"%s\",le=\"+Inf\"} %llu\n"
			   "msp_http_request_duration_seconds_sum"
			   "{route=\"%s\"} %.6f\n"
			   "msp_http_request_duration_seconds_count"
			   "{route=\"%s\"} %llu\n", route_label(r),
			   (unsigned long long)total, route_label(r),
			   (double)atomic_load(&shared->latency_us[r]) / 1e6,
			   route_label(r), (unsigned long long)total);
	}
}

static void
print_batches(struct buf *b)
{
	uint64_t total = 0;
	size_t i;

	help(b, "msp_submission_batch_size", "histogram",
	     "API submissions stored together in one database call.");
	for (i = 0; i < N_BATCH; i++) {
		total += atomic_load(&shared->batch[i]);
		buf_printf(b, "msp_submission_batch_size_bucket{le=\"%u\"} "
			   "%llu\n", batch_le[i], (unsigned long long)total);
	}
	total += atomic_load(&shared->batch[N_BATCH]);
	buf_printf(b, "msp_submission_batch_size_bucket{le=\"+Inf\"} %llu\n"
		   "msp_submission_batch_size_sum %llu\n"
		   "msp_submission_batch_size_count %llu\n",
		   (unsigned long long)total,
		   (unsigned long long)atomic_load(&shared->batch_sum),
		   (unsigned long long)total);
}

static void
print_gauges(struct buf *b)
{
	long in_hand = 0, busy = 0, v, backlog;
	size_t i;

	for (i = 0; i < MAX_SLOTS; i++) {
		if (atomic_load(&shared->slots[i].pid) == 0)
			continue;
		v = atomic_load(&shared->slots[i].in_hand);
		in_hand += v;
		busy += v > 0;
	}
	help(b, "msp_database_errors_total", "counter",
	     "Database failures met by requests: unreachable (a connect "
	     "failed or the connection was lost) or statement (a timeout, "
	     "a read-only server, an internal error).");
	buf_printf(b, "msp_database_errors_total{kind=\"unreachable\"} "
		   "%llu\nmsp_database_errors_total{kind=\"statement\"} "
		   "%llu\n",
		   (unsigned long long)atomic_load(
			   &shared->db_errors[METRICS_DB_UNREACHABLE]),
		   (unsigned long long)atomic_load(
			   &shared->db_errors[METRICS_DB_STATEMENT]));
	help(b, "msp_workers", "gauge", "Worker processes configured.");
	buf_printf(b, "msp_workers %d\n", shared->workers);
	help(b, "msp_workers_busy", "gauge",
	     "Workers holding accepted requests not yet answered.");
	buf_printf(b, "msp_workers_busy %ld\n", busy);
	help(b, "msp_requests_in_hand", "gauge",
	     "Requests accepted by a worker and not yet answered (this "
	     "scrape among them).");
	buf_printf(b, "msp_requests_in_hand %ld\n", in_hand);
	help(b, "msp_worker_deaths_total", "counter",
	     "Workers that died and were started again.");
	buf_printf(b, "msp_worker_deaths_total %llu\n",
		   (unsigned long long)atomic_load(&shared->worker_restarts));
	backlog = listen_backlog(shared->listen_fd);
	if (backlog >= 0) {
		help(b, "msp_listen_backlog", "gauge",
		     "Connections from nginx waiting in the FastCGI socket's "
		     "backlog for a worker.");
		buf_printf(b, "msp_listen_backlog %ld\n", backlog);
	}
}

int
metrics_route(struct worker *w, struct request *req, struct reply *r)
{
	const char *local;

	(void)w;
	if (strcmp(req->path, "/metrics") != 0)
		return 0;
	/* Set only by nginx's local listener (metrics.h). */
	local = req->fcgx != NULL ?
		FCGX_GetParam("MSP_METRICS", req->fcgx->envp) : NULL;
	if (shared == NULL || local == NULL || strcmp(local, "1") != 0) {
		http_problem(r, 404, "no such resource", NULL);
		return 1;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		http_header(r, "Allow", "GET, HEAD");
		http_problem(r, 405, "method not allowed", NULL);
		return 1;
	}
	print_requests(&r->body);
	print_latency(&r->body);
	print_batches(&r->body);
	print_gauges(&r->body);
	r->status = 200;
	/* http_send adds "; charset=utf-8" */
	r->content_type = "text/plain; version=0.0.4";
	http_header(r, "Cache-Control", "no-store");
	return 1;
}
