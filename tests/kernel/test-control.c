/* test-control.c: ovsdpd's control socket under abuse, on the real
 * datapath.  A live switch made slow by the faulty plugin (create-delay-ms)
 * runs off the main loop: status, stats and dispatch show answer during it,
 * a second waiting command is refused "busy", and 200 clients at once all
 * get correct replies.  Requests with a NUL, a carriage return, a second
 * line or too many bytes are refused with a reply naming the problem; a
 * client that stalls mid-line blocks nobody; the 64-connection cap queues
 * the next client until one closes; and when accept() fails for want of
 * file descriptors the daemon backs off with one log line instead of
 * spinning (its CPU time over a second is measured). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "kdaemon.h"
#include "knet.h"
#include "ktest.h"

#define DP "tctl0"
#define READY_MS 30000
#define CLIENTS 200
#define CAP 64                  /* CONTROL_CONNECTIONS_MAX */
#define SLOW_SWITCH_MS 15000    /* faulty's create-delay-ms */

static struct kdaemon dmn;

/* Wait up to ms for 'what' in the daemon's log. */
static bool
log_has(const char *what, int ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

	do {
		g_autofree char *log = kdaemon_log(&dmn);

		if (strstr(log, what))
			return true;
		g_usleep(20000);
	} while (g_get_monotonic_time() < deadline);
	return false;
}

/* Read until the daemon closes; NULL on a timeout or an error.  Plain
 * malloc: client threads call it, and GString's GSlice is invisible to
 * ThreadSanitizer. */
static char *
read_reply(int fd)
{
	size_t len = 0, size = 4096;
	char *buf = malloc(size);
	ssize_t n;

	g_assert(buf);
	for (;;) {
		if (size - len < 2048) {
			size *= 2;
			buf = realloc(buf, size);
			g_assert(buf);
		}
		n = recv(fd, buf + len, size - len - 1, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* Thread-safe (no Check assertions): the whole reply (free()), or NULL. */
static char *
try_request(const char *req, size_t len)
{
	int fd = kdaemon_connect(&dmn, 60);
	char *reply;

	if (fd < 0)
		return NULL;
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	reply = read_reply(fd);
	close(fd);
	return reply;
}

static char *
request(const char *req, size_t len)
{
	char *reply = try_request(req, len);

	ck_assert_msg(reply != NULL, "no reply to '%.*s': %s", (int)len, req, g_strerror(errno));
	return reply;
}

static char *
request_str(const char *req)
{
	return request(req, strlen(req));
}

/* The daemon answers 'req' (its first 'len' bytes) with exactly 'want'. */
static void
expect_reply(const char *req, size_t len, const char *want)
{
	g_autofree char *reply = request(req, len);

	ck_assert_str_eq(reply, want);
}

static void
expect_reply_str(const char *req, const char *want)
{
	expect_reply(req, strlen(req), want);
}

static void
daemon_start(const char *pconf)
{
	g_autofree char *cmd = NULL;
	g_autofree char *pconf_path = g_build_filename(dmn.dir, "plugins.conf", NULL);
	g_autofree char *conf = NULL;
	g_autoptr(GError) err = NULL;
	const char *argv[] = { "/bin/sh", "-c", NULL, NULL };

	ck_assert(g_file_set_contents(pconf_path, pconf, -1, NULL));
	conf = g_strdup_printf("[datapath]\nname = " DP "\n[policy]\ntype = drop\n[daemon]\n"
			       "control-socket = %s\nplugins-conf = %s\n", dmn.sock, pconf_path);
	ck_assert(g_file_set_contents(dmn.conf, conf, -1, NULL));
	cmd = g_strdup_printf("exec %s/tools/daemon/ovsdpd --config %s --log-level debug >%s 2>&1",
			      g_getenv("OVSDP_BUILD_ROOT"), dmn.conf, dmn.log);
	argv[2] = cmd;
	ck_assert_msg(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				    kdaemon_child_setup, NULL, &dmn.pid, &err),
		      "%s", err ? err->message : "");
	for (int waited = 0; waited < READY_MS; waited += 50) {
		int status, fd;

		if (waitpid(dmn.pid, &status, WNOHANG) == dmn.pid) {
			g_autofree char *log = kdaemon_log(&dmn);

			dmn.pid = 0;
			ck_abort_msg("ovsdpd exited (status %d) before answering:\n%s",
				     WEXITSTATUS(status), log);
		}
		fd = kdaemon_connect(&dmn, 60);
		if (fd >= 0) {
			g_autofree char *r = NULL;

			close(fd);
			r = request_str("text status\n");
			ck_assert_msg(g_str_has_prefix(r, "ok\n"), "%s", r);
			return;
		}
		g_usleep(50000);
	}
	ck_abort_msg("ovsdpd did not answer within %d ms", READY_MS);
}

static int
daemon_stop(void)
{
	int status = 0;

	kill(dmn.pid, SIGTERM);
	ck_assert_int_eq(waitpid(dmn.pid, &status, 0), dmn.pid);
	dmn.pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
setup(void)
{
	g_autofree char *faulty = NULL, *path = NULL;

	dmn.t_start = g_get_monotonic_time();
	ktest_netns_setup();
	kdaemon_init(&dmn, "ovsdpd-ctl-XXXXXX", "ovsdpd.sock");
	/* The daemon inherits the path with the faulty test plugin on it. */
	faulty = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tests", "plugins", "faulty", NULL);
	path = g_strconcat(faulty, ":", g_getenv("OVSDP_PLUGIN_PATH"), NULL);
	g_setenv("OVSDP_PLUGIN_PATH", path, TRUE);
}

static void
teardown(void)
{
	if (dmn.pid > 0) {
		kill(dmn.pid, SIGKILL);
		waitpid(dmn.pid, NULL, 0);
	}
	kdaemon_clear(&dmn);
}

/* ---- a slow live switch ------------------------------------------------------ */

struct client {
	pthread_t thread;
	const char *req;
	char *reply;
	int err;
};

static void *
client_main(void *data)
{
	struct client *c = data;

	c->reply = try_request(c->req, strlen(c->req));
	c->err = c->reply ? 0 : errno;
	return NULL;
}

static const char *const load_requests[] = {
	"text status\n", "json status\n", "text stats\n", "text dispatch show\n",
	"json dispatch show\n",
};

/* Is 'reply' a correct answer to 'req', during the switch (*during) or
 * after it?  NULL when it is, else what is wrong. */
static const char *
check_reply(const char *req, const char *reply, bool *during)
{
	bool json = g_str_has_prefix(req, "json");
	const char *busy = json ? "\"in_progress\":{\"command\":\"dispatch set faulty\""
				: "\nin progress: dispatch set faulty (";

	if (!reply)
		return "no reply";
	if (!g_str_has_prefix(reply, "ok\n"))
		return "not ok";
	if (json && (reply[3] != '{' || !g_str_has_suffix(reply, "}\n")))
		return "not one JSON object";
	*during = strstr(reply, busy) != NULL;
	if (!strcmp(req, "text status\n")) {
		if (!g_str_has_prefix(reply, "ok\ndatapath: " DP " "))
			return "no datapath line";
		if (!strstr(reply, *during ? "\ndispatcher: legacy (" : "\ndispatcher: faulty ("))
			return "wrong dispatcher";
	} else if (!strcmp(req, "json status\n")) {
		if (!strstr(reply, "\"datapath\":\"" DP "\""))
			return "no datapath";
		if (!strstr(reply, *during ? "\"dispatcher\":\"legacy\"" : "\"dispatcher\":\"faulty\""))
			return "wrong dispatcher";
	} else if (!strcmp(req, "text stats\n")) {
		if (!strstr(reply, "\ndispatchers (upcalls since start, share):\n") ||
		    !strstr(reply, "\nruntime: upcalls "))
			return "not the stats";
	} else if (!strcmp(req, "text dispatch show\n")) {
		if (!g_str_has_prefix(reply, *during ? "ok\nactive: legacy\n" : "ok\nactive: faulty\n"))
			return "wrong active dispatcher";
		if (!strstr(reply, "\n  faulty: "))
			return "faulty not listed";
	} else {
		if (!strstr(reply, *during ? "\"active\":\"legacy\"" : "\"active\":\"faulty\""))
			return "wrong active dispatcher";
		if (!strstr(reply, "{\"name\":\"faulty\","))
			return "faulty not listed";
	}
	return NULL;
}

/* One of the load test's clients: a non-blocking connection driven by
 * poll() in the test's one thread (200 threads would not fit the lab VM's
 * memory under ThreadSanitizer). */
struct load_client {
	int fd;
	const char *req;
	size_t sent;
	GString *reply;
	bool done;
	int err;
};

/* Connect 'c' without blocking: false when the listen queue is full
 * (EAGAIN: try again), an assertion on any other error. */
static bool
load_connect(struct load_client *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	g_strlcpy(sun.sun_path, dmn.sock, sizeof sun.sun_path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		c->fd = fd;
		return true;
	}
	ck_assert_msg(errno == EAGAIN, "connect: %s", g_strerror(errno));
	close(fd);
	return false;
}

/* All n clients at once: connect each (again while the queue is full),
 * send its request, read its reply to the end. */
static void
load_run(struct load_client *cl, int n, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	struct pollfd *p = g_new0(struct pollfd, n);
	int *idx = g_new0(int, n);
	int left = n;

	for (int i = 0; i < n; i++) {
		cl[i].fd = -1;
		cl[i].reply = g_string_new(NULL);
	}
	while (left > 0) {
		int np = 0;

		ck_assert_msg(g_get_monotonic_time() < deadline, "%d of %d clients unanswered "
			      "after %d ms", left, n, timeout_ms);
		for (int i = 0; i < n; i++) {
			if (cl[i].done || (cl[i].fd < 0 && !load_connect(&cl[i])))
				continue;
			p[np] = (struct pollfd){ .fd = cl[i].fd, .events =
				cl[i].sent < strlen(cl[i].req) ? POLLOUT : POLLIN };
			idx[np++] = i;
		}
		if (poll(p, np, 50) < 0)
			ck_assert_int_eq(errno, EINTR);
		for (int k = 0; k < np; k++) {
			struct load_client *c = &cl[idx[k]];
			char buf[4096];
			ssize_t r;

			if (!p[k].revents)
				continue;
			if (c->sent < strlen(c->req)) {
				r = send(c->fd, c->req + c->sent, strlen(c->req) - c->sent,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
				if (r > 0)
					c->sent += (size_t)r;
				else if (r < 0 && errno != EAGAIN)
					c->err = errno;
				if (!c->err)
					continue;
			} else {
				while ((r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
					g_string_append_len(c->reply, buf, r);
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r < 0)
					c->err = errno;
			}
			close(c->fd);
			c->fd = -1;
			c->done = true;
			left--;
		}
	}
	g_free(p);
	g_free(idx);
}

START_TEST(answers_during_a_switch)
{
	g_autofree char *pconf = g_strdup_printf("[dispatch]\nmode = legacy\n[plugin:faulty]\n"
						 "create-delay-ms = %d\n", SLOW_SWITCH_MS);
	g_autofree char *reply = NULL, *log = NULL;
	g_autofree char *pconf_path = NULL;
	struct client sw = { .req = "text dispatch set faulty\n" };
	struct load_client *load = g_new0(struct load_client, CLIENTS);
	unsigned int during = 0, after = 0;
	gint64 t0, t_switch;

	daemon_start(pconf);
	pconf_path = g_build_filename(dmn.dir, "plugins.conf", NULL);
	kdaemon_step(&dmn, "daemon up (legacy); switching to faulty, which takes 15 s to create");
	t0 = g_get_monotonic_time();
	ck_assert_int_eq(pthread_create(&sw.thread, NULL, client_main, &sw), 0);

	/* status answers while the switch is in progress, and says so. */
	for (;;) {
		g_free(reply);
		reply = request_str("text status\n");
		ck_assert_msg(g_str_has_prefix(reply, "ok\n"), "%s", reply);
		if (strstr(reply, "\nin progress: dispatch set faulty ("))
			break;
		ck_assert_msg(g_get_monotonic_time() - t0 < 10 * G_USEC_PER_SEC,
			      "status never showed the switch in progress:\n%s", reply);
	}
	ck_assert_msg(strstr(reply, "\ndispatcher: legacy ("), "%s", reply);
	kdaemon_step(&dmn, "status answered during the switch");

	/* Waiting commands are refused while one runs. */
	g_free(reply);
	reply = request_str("text dispatch set legacy\n");
	ck_assert_msg(g_str_has_prefix(reply, "error\nbusy: a switch is in progress (dispatch set "
				       "faulty, ") && g_str_has_suffix(reply, " ms so far); try "
				       "again when it ends\n"), "%s", reply);
	g_free(reply);
	reply = request_str("text reload\n");
	ck_assert_msg(g_str_has_prefix(reply, "error\nbusy: a switch is in progress"), "%s", reply);
	g_free(reply);
	reply = request_str("json handlers set 2\n");
	ck_assert_msg(g_str_has_prefix(reply, "error\n{\"error\":\"busy: a switch is in progress"),
		      "%s", reply);

	/* 200 clients at once, each with its own request. */
	for (int i = 0; i < CLIENTS; i++)
		load[i].req = load_requests[i % G_N_ELEMENTS(load_requests)];
	load_run(load, CLIENTS, 120000);
	for (int i = 0; i < CLIENTS; i++) {
		const char *wrong;
		bool d = false;

		wrong = load[i].err ? "connection error" : check_reply(load[i].req, load[i].reply->str, &d);
		if (wrong) {
			g_autofree char *dlog = kdaemon_log(&dmn);
			size_t l = strlen(dlog);

			printf("daemon log (end):\n%s\n", dlog + (l > 6000 ? l - 6000 : 0));
			fflush(stdout);
			ck_abort_msg("client %d (%.*s): %s (%s):\n%.2000s", i,
				     (int)strlen(load[i].req) - 1, load[i].req, wrong,
				     load[i].err ? g_strerror(load[i].err) : "", load[i].reply->str);
		}
		if (d)
			during++;
		else
			after++;
		g_string_free(load[i].reply, TRUE);
	}
	g_free(load);
	{
		g_autofree char *msg = g_strdup_printf("%d clients: every reply correct, %u during the "
						       "switch, %u after it", CLIENTS, during, after);

		kdaemon_step(&dmn, msg);
	}
	/* The switch takes 15 s: a load that did not overlap it proves nothing. */
	ck_assert_msg(during > 0, "no reply came during the switch");

	pthread_join(sw.thread, NULL);
	t_switch = (g_get_monotonic_time() - t0) / 1000;
	ck_assert_msg(sw.reply && g_str_has_prefix(sw.reply, "ok\nswitched from legacy to faulty in "),
		      "%s", sw.reply ? sw.reply : g_strerror(sw.err));
	g_free(sw.reply);
	ck_assert_int_ge(t_switch, SLOW_SWITCH_MS);
	g_free(reply);
	reply = request_str("text status\n");
	ck_assert_msg(strstr(reply, "\ndispatcher: faulty (set by a control request (dispatch set "
			     "faulty))\n") && !strstr(reply, "in progress"), "%s", reply);

	/* SIGHUP during a job: the reload runs once the job ends.  The job
	 * is a reload that restarts faulty with a 3 s create. */
	ck_assert(g_file_set_contents(pconf_path, "[dispatch]\nmode = faulty\n[plugin:faulty]\n"
				      "create-delay-ms = 3000\n", -1, NULL));
	sw = (struct client){ .req = "text reload\n" };
	ck_assert_int_eq(pthread_create(&sw.thread, NULL, client_main, &sw), 0);
	/* past reading plugins.conf: faulty's create is sleeping */
	ck_assert_msg(log_has("faulty@" DP ": create sleeps 3000 ms", 20000), "the reload did not start");
	ck_assert(g_file_set_contents(pconf_path, "[dispatch]\nmode = legacy\n", -1, NULL));
	kill(dmn.pid, SIGHUP);
	ck_assert_msg(log_has("SIGHUP: reload is in progress; reloading when it ends", 10000),
		      "SIGHUP was not deferred");
	pthread_join(sw.thread, NULL);
	ck_assert_msg(sw.reply && g_str_has_prefix(sw.reply, "ok\n") &&
		      strstr(sw.reply, " reloaded: faulty restarted live with new options "
			     "(create-delay-ms: 15000 -> 3000) in "), "%s", sw.reply);
	g_free(sw.reply);
	t0 = g_get_monotonic_time();
	for (;;) {
		g_free(reply);
		reply = request_str("text status\n");
		if (strstr(reply, "\ndispatcher: legacy (") && !strstr(reply, "in progress"))
			break;
		ck_assert_msg(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC,
			      "the deferred SIGHUP reload did not switch to legacy:\n%s", reply);
		g_usleep(20000);
	}
	kdaemon_step(&dmn, "SIGHUP during a reload: reloaded after it");
	ck_assert_int_eq(daemon_stop(), 0);
	log = kdaemon_log(&dmn);
	ck_assert_msg(strstr(log, "switched from legacy to faulty in "), "%s", log);
}
END_TEST

/* ---- framing ----------------------------------------------------------------- */

START_TEST(bad_requests_refused)
{
	g_autofree char *reply = NULL, *longreq = NULL, *other = NULL;
	struct pollfd p;
	int stall;

	daemon_start("[dispatch]\nmode = legacy\n");

	/* A NUL would make "text status" run and hide the rest. */
	expect_reply("text status\0dispatch set per-vport\n", 35,
		     "error\nbad request: a NUL byte at offset 11 of the request line\n");
	expect_reply("json status\0\n", 13,
		     "error\n{\"error\":\"bad request: a NUL byte at offset 11 of the "
		     "request line\"}\n");
	expect_reply_str("text status\r\n",
			 "error\nbad request: a carriage return at offset 11 of the request "
			 "line (end it with a bare newline)\n");
	expect_reply_str("text dispatch\rset legacy\n",
			 "error\nbad request: a carriage return at offset 13 of the request "
			 "line (end it with a bare newline)\n");
	/* Two lines: one request per connection. */
	expect_reply_str("text status\ntext dispatch set per-vport\n",
			 "error\nbad request: 28 bytes after the request line (one request "
			 "per connection)\n");
	/* Too long, with and without a newline within the first 1024 bytes. */
	longreq = g_strnfill(2000, 'x');
	longreq[1500] = '\n';
	expect_reply(longreq, 2000, "error\nbad request: longer than 1024 bytes\n");
	memcpy(longreq, "text status ", 12);
	longreq[1024] = '\n';
	expect_reply(longreq, 1025, "error\nbad request: longer than 1024 bytes\n");
	/* The longest line allowed is still a request. */
	memset(longreq, ' ', 1023);
	memcpy(longreq, "text status", 11);
	longreq[1023] = '\n';
	reply = request(longreq, 1024);
	ck_assert_msg(g_str_has_prefix(reply, "ok\ndatapath: " DP " "), "%s", reply);
	g_free(reply);
	kdaemon_step(&dmn, "NUL, CR, second line and oversize refused");

	/* A client that stalls mid-line blocks nobody, and gets an error
	 * after the server's deadline (5 s). */
	stall = kdaemon_connect(&dmn, 60);
	ck_assert_int_ge(stall, 0);
	ck_assert_int_eq(send(stall, "text sta", 8, 0), 8);
	other = request_str("text status\n");
	ck_assert_msg(g_str_has_prefix(other, "ok\ndatapath: " DP " "), "%s", other);
	p = (struct pollfd){ .fd = stall, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 20000), 1);
	reply = read_reply(stall);
	ck_assert_str_eq(reply, "error\nbad request: no whole request line within 5000 ms\n");
	close(stall);
	kdaemon_step(&dmn, "a stalled client costs only its own connection");
	ck_assert_int_eq(daemon_stop(), 0);
}
END_TEST

/* ---- connection cap and file descriptors ------------------------------------ */

/* CPU time (user + system, all threads) of process pid, in ms. */
static uint64_t
cpu_ms(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *text = NULL;
	unsigned long long ut = 0, st = 0;
	char *p;

	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	p = strrchr(text, ')');
	ck_assert_ptr_nonnull(p);
	/* after "pid (comm)": state is field 3, utime 14, stime 15 */
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st), 2);
	return (ut + st) * 1000 / (uint64_t)sysconf(_SC_CLK_TCK);
}

static unsigned int
count_in(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static int
count_fds(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
	GDir *d = g_dir_open(path, 0, NULL);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

/* The highest fd number the process has open. */
static int
max_fd(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;
	int max = -1;

	ck_assert_ptr_nonnull(d);
	while ((n = g_dir_read_name(d)))
		max = MAX(max, atoi(n));
	g_dir_close(d);
	return max;
}

START_TEST(cap_and_fd_exhaustion)
{
	g_autofree char *reply = NULL, *log = NULL;
	int idle[CAP], extra, held[64], n_held = 0, n_free, base_fds;
	struct rlimit rl;
	struct pollfd p;
	uint64_t c0, c1;
	gint64 t0, t1;

	daemon_start("[dispatch]\nmode = legacy\n");
	base_fds = count_fds(dmn.pid);

	/* CAP silent clients: the next one waits in the listen queue. */
	for (int i = 0; i < CAP; i++) {
		idle[i] = kdaemon_connect(&dmn, 60);
		ck_assert_int_ge(idle[i], 0);
	}
	ck_assert_msg(log_has("control: 64 connections open (the cap): not accepting more until "
			      "one closes", 10000), "no cap line in the log");
	extra = kdaemon_connect(&dmn, 60);
	ck_assert_int_ge(extra, 0);
	ck_assert_int_eq(send(extra, "text status\n", 12, 0), 12);
	p = (struct pollfd){ .fd = extra, .events = POLLIN };
	ck_assert_msg(poll(&p, 1, 500) == 0, "the 65th client was served at the cap");
	/* The silent ones have no reply yet: the cap, not their deadline, held it. */
	for (int i = 0; i < CAP; i++) {
		p = (struct pollfd){ .fd = idle[i], .events = POLLIN };
		ck_assert_msg(poll(&p, 1, 0) == 0, "the lab took over 5 s: client %d timed out", i);
	}
	close(idle[0]);
	p = (struct pollfd){ .fd = extra, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 20000), 1);
	reply = read_reply(extra);
	ck_assert_msg(reply && g_str_has_prefix(reply, "ok\ndatapath: " DP " "), "%s", reply);
	close(extra);
	for (int i = 1; i < CAP; i++)
		close(idle[i]);
	ck_assert(log_has("connections open: accepting again", 5000));
	kdaemon_step(&dmn, "the 65th client waited for a free slot");

	/* Out of file descriptors: the daemon may open 2 more than it has
	 * (once the 64 above are closed).  Clients hold their connections
	 * open (replies unread) until more are queued than it can take. */
	t0 = g_get_monotonic_time();
	while (count_fds(dmn.pid) > base_fds) {
		ck_assert_msg(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC,
			      "the daemon kept %d fds (had %d)", count_fds(dmn.pid), base_fds);
		g_usleep(20000);
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)max_fd(dmn.pid) + 3;
	ck_assert_int_eq(prlimit(dmn.pid, RLIMIT_NOFILE, &rl, NULL), 0);
	n_free = (int)rl.rlim_cur - count_fds(dmn.pid);
	ck_assert_int_lt(n_free + 4, (int)G_N_ELEMENTS(held));
	while (n_held < n_free + 4) {
		held[n_held] = kdaemon_connect(&dmn, 60);
		ck_assert_int_ge(held[n_held], 0);
		ck_assert_int_eq(send(held[n_held], "text status\n", 12, 0), 12);
		n_held++;
	}
	ck_assert_msg(log_has("control: cannot accept a connection: Too many open files; not "
			      "accepting for 500 ms", 10000), "no back-off line in the log");
	/* No spin: the daemon's CPU time over one second. */
	c0 = cpu_ms(dmn.pid);
	t0 = g_get_monotonic_time();
	g_usleep(G_USEC_PER_SEC);
	c1 = cpu_ms(dmn.pid);
	t1 = g_get_monotonic_time();
	{
		g_autofree char *msg = g_strdup_printf("daemon CPU while out of fds: %" G_GUINT64_FORMAT
						       " ms in %" G_GINT64_FORMAT " ms", c1 - c0,
						       (t1 - t0) / 1000);

		kdaemon_step(&dmn, msg);
	}
	ck_assert_msg(c1 - c0 < 300, "the daemon spun: %" G_GUINT64_FORMAT " ms of CPU in %"
		      G_GINT64_FORMAT " ms", c1 - c0, (t1 - t0) / 1000);
	/* One line per episode (an episode ends when an accept succeeds). */
	log = kdaemon_log(&dmn);
	ck_assert_msg(count_in(log, "not accepting for 500 ms") <=
		      count_in(log, "control: accepting connections again") + 1,
		      "the back-off was logged more than once per episode:\n%s", log);
	/* fds come back: every held client gets its reply, and new ones too. */
	rl.rlim_cur = rl.rlim_max = 1024;
	ck_assert_int_eq(prlimit(dmn.pid, RLIMIT_NOFILE, &rl, NULL), 0);
	for (int i = 0; i < n_held; i++) {
		g_autofree char *r = read_reply(held[i]);

		ck_assert_msg(r && g_str_has_prefix(r, "ok\ndatapath: " DP " "), "held %d: %s", i, r);
		close(held[i]);
	}
	g_free(reply);
	reply = request_str("text status\n");
	ck_assert_msg(g_str_has_prefix(reply, "ok\ndatapath: " DP " "), "%s", reply);
	ck_assert(log_has("control: accepting connections again", 5000));
	kdaemon_step(&dmn, "EMFILE: one log line, no spin, recovered");
	ck_assert_int_eq(daemon_stop(), 0);
}
END_TEST

int
main(void)
{
	const struct ktest_case cases[] = {
		{ "slow-switch", answers_during_a_switch },
		{ "framing", bad_requests_refused },
		{ "limits", cap_and_fd_exhaustion },
	};

	return ktest_main_cases("control", setup, teardown, 240, cases, G_N_ELEMENTS(cases));
}
