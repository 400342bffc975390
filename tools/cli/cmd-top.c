/* cmd-top.c: `ovsdp ctl top`: a live view of a running ovsdpd, as top and
 * `ovs-appctl dpctl/show` feel: upcalls/s per dispatcher and per handler,
 * the kernel's hit/missed/lost, switches.  It reads the daemon's metrics
 * (the same counters `ovsdp ctl metrics` serves) every interval and prints
 * rates: a refreshing screen on a terminal, frames one after the other
 * otherwise, and one JSON object a line with --json. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ovsdp/common.h"
#include "control.h"
#include "json.h"
#include "ovsdp.h"

/* One reading of the daemon's counters. */
struct top_dispatcher {
	char *name;
	uint64_t upcalls;
	bool active;
};

struct top_handler {
	uint64_t upcalls, batches, wakeups, empty_wakeups, reply_errors;
	bool seen;
};

struct top_sample {
	gint64 mono_us;
	char *datapath;
	uint64_t uptime, switches, overruns, n_handlers;
	bool have_kernel;
	uint64_t hit, missed, lost, flows;
	GPtrArray *dispatchers;         /* of struct top_dispatcher */
	GArray *handlers;               /* of struct top_handler, by index */
};

static void
dispatcher_free(gpointer p)
{
	struct top_dispatcher *d = p;

	g_free(d->name);
	g_free(d);
}

static void
sample_clear(struct top_sample *s)
{
	g_free(s->datapath);
	if (s->dispatchers)
		g_ptr_array_unref(s->dispatchers);
	if (s->handlers)
		g_array_unref(s->handlers);
	memset(s, 0, sizeof *s);
}

/* The value of label 'key' in 'labels' (the text between the braces), or
 * NULL.  Our own label values never hold an escaped quote. */
static char *
label(const char *labels, const char *key)
{
	g_autofree char *pat = g_strdup_printf("%s=\"", key);
	const char *p = labels, *end;

	while ((p = strstr(p, pat))) {
		if (p == labels || p[-1] == ',' || p[-1] == '{')
			break;
		p++;
	}
	if (!p)
		return NULL;
	p += strlen(pat);
	end = strchr(p, '"');
	return end ? g_strndup(p, end - p) : NULL;
}

static struct top_dispatcher *
dispatcher_get(struct top_sample *s, const char *name)
{
	struct top_dispatcher *d;

	for (guint i = 0; i < s->dispatchers->len; i++) {
		d = s->dispatchers->pdata[i];
		if (!strcmp(d->name, name))
			return d;
	}
	d = g_new0(struct top_dispatcher, 1);
	d->name = g_strdup(name);
	g_ptr_array_add(s->dispatchers, d);
	return d;
}

static struct top_handler *
handler_get(struct top_sample *s, const char *index)
{
	guint64 i;

	if (!g_ascii_string_to_unsigned(index, 10, 0, 4095, &i, NULL))
		return NULL;
	if (i >= s->handlers->len)
		g_array_set_size(s->handlers, (guint)i + 1);
	g_array_index(s->handlers, struct top_handler, i).seen = true;
	return &g_array_index(s->handlers, struct top_handler, i);
}

/* Fill 's' from the Prometheus text 'text'. */
static void
sample_parse(struct top_sample *s, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	s->dispatchers = g_ptr_array_new_with_free_func(dispatcher_free);
	s->handlers = g_array_new(FALSE, TRUE, sizeof(struct top_handler));
	for (char **l = lines; *l; l++) {
		const char *open = strchr(*l, '{'), *close = open ? strchr(open, '}') : NULL;
		g_autofree char *name = NULL, *labels = NULL, *disp = NULL, *hidx = NULL;
		struct top_handler *h = NULL;
		uint64_t v;

		if (**l == '#' || !open || !close || close[1] != ' ')
			continue;
		name = g_strndup(*l, open - *l);
		labels = g_strndup(open, close + 1 - open);
		v = g_ascii_strtoull(close + 2, NULL, 10);
		if (!s->datapath)
			s->datapath = label(labels, "datapath");
		disp = label(labels, "dispatcher");
		hidx = label(labels, "handler");
		if (hidx)
			h = handler_get(s, hidx);

		if (!strcmp(name, "ovsdp_uptime_seconds"))
			s->uptime = v;
		else if (!strcmp(name, "ovsdp_handlers"))
			s->n_handlers = v;
		else if (!strcmp(name, "ovsdp_switches_total"))
			s->switches = v;
		else if (!strcmp(name, "ovsdp_overruns_total"))
			s->overruns = v;
		else if (!strcmp(name, "ovsdp_dispatcher_upcalls_total") && disp)
			dispatcher_get(s, disp)->upcalls = v;
		else if (!strcmp(name, "ovsdp_dispatcher_active") && disp)
			dispatcher_get(s, disp)->active = v != 0;
		else if (!strcmp(name, "ovsdp_handler_upcalls_total") && h)
			h->upcalls = v;
		else if (!strcmp(name, "ovsdp_handler_batches_total") && h)
			h->batches = v;
		else if (!strcmp(name, "ovsdp_handler_wakeups_total") && h)
			h->wakeups = v;
		else if (!strcmp(name, "ovsdp_handler_empty_wakeups_total") && h)
			h->empty_wakeups = v;
		else if (!strcmp(name, "ovsdp_handler_reply_errors_total") && h)
			h->reply_errors = v;
		else if (!strcmp(name, "ovsdp_kernel_hit_total"))
			s->hit = v, s->have_kernel = true;
		else if (!strcmp(name, "ovsdp_kernel_missed_total"))
			s->missed = v;
		else if (!strcmp(name, "ovsdp_kernel_lost_total"))
			s->lost = v;
		else if (!strcmp(name, "ovsdp_kernel_flows"))
			s->flows = v;
	}
	if (!s->datapath)
		s->datapath = g_strdup("?");
}

/* Read the daemon's counters.  Returns 0, or -1 with *error (its code as
 * control_call's; EBUSY when the daemon is in the middle of a job). */
static int
sample_read(const char *socket_path, struct top_sample *s, GError **error)
{
	const char *argv[] = { "metrics", NULL };
	g_autofree char *body = NULL;
	bool ok;

	memset(s, 0, sizeof *s);
	if (control_call(socket_path, false, argv, CONTROL_SERVER_TIMEOUT_MS, &ok, &body, error) < 0)
		return -1;
	if (!ok) {
		g_strchomp(body);
		g_set_error(error, OVSDP_ERROR, EBUSY, "%s", body);
		return -1;
	}
	s->mono_us = g_get_monotonic_time();
	sample_parse(s, body);
	return 0;
}

/* Per second between two readings of a counter; a counter that went down
 * was reset (the daemon restarted), so it counts from zero. */
static double
rate(uint64_t now, uint64_t before, double dt)
{
	if (dt <= 0)
		return 0;
	return (double)(now >= before ? now - before : now) / dt;
}

/* "key": the rate of a counter between two samples. */
static void
json_kv_rate(struct json *j, const char *key, uint64_t now, uint64_t before, double dt)
{
	json_kv_double(j, key, rate(now, before, dt));
}

static const struct top_dispatcher *
dispatcher_find(const struct top_sample *s, const char *name)
{
	for (guint i = 0; s->dispatchers && i < s->dispatchers->len; i++) {
		const struct top_dispatcher *d = s->dispatchers->pdata[i];

		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

static const struct top_handler *
handler_find(const struct top_sample *s, guint i)
{
	return s->handlers && i < s->handlers->len ? &g_array_index(s->handlers, struct top_handler, i)
						   : NULL;
}

static const char *
active_name(const struct top_sample *s)
{
	for (guint i = 0; i < s->dispatchers->len; i++) {
		const struct top_dispatcher *d = s->dispatchers->pdata[i];

		if (d->active)
			return d->name;
	}
	return "none";
}

/* A rate for the screen: "-" before there is a previous reading. */
static const char *
rate_str(char buf[32], bool have, double r)
{
	if (!have)
		return "-";
	g_snprintf(buf, 32, "%.1f", r);
	return buf;
}

static void
format_text(GString *o, const struct top_sample *cur, const struct top_sample *prev,
	    double interval, const char *note)
{
	bool have = prev && prev->dispatchers;
	double dt = have ? (double)(cur->mono_us - prev->mono_us) / G_USEC_PER_SEC : 0;
	char clock[16], b1[32], b2[32], b3[32], b4[32];
	time_t now = time(NULL);
	struct tm tm;
	double total = 0;

	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	g_string_append_printf(o, "ovsdp top - %s  datapath %s  up %" G_GUINT64_FORMAT
			       ":%02u:%02u  every %.1fs\n", clock, cur->datapath, cur->uptime / 3600,
			       (unsigned int)(cur->uptime / 60 % 60), (unsigned int)(cur->uptime % 60),
			       interval);
	for (guint i = 0; have && i < cur->dispatchers->len; i++) {
		const struct top_dispatcher *d = cur->dispatchers->pdata[i];
		const struct top_dispatcher *p = dispatcher_find(prev, d->name);

		total += rate(d->upcalls, p ? p->upcalls : 0, dt);
	}
	g_string_append_printf(o, "dispatcher %s, %" G_GUINT64_FORMAT " handlers, upcalls/s %s, "
			       "switches %" G_GUINT64_FORMAT ", overruns %" G_GUINT64_FORMAT "\n",
			       active_name(cur), cur->n_handlers, rate_str(b1, have, total),
			       cur->switches, cur->overruns);
	if (cur->have_kernel)
		g_string_append_printf(o, "kernel: hit/s %s, missed/s %s, lost/s %s; lost %"
				       G_GUINT64_FORMAT ", flows %" G_GUINT64_FORMAT "\n",
				       rate_str(b1, have, rate(cur->hit, have ? prev->hit : 0, dt)),
				       rate_str(b2, have, rate(cur->missed, have ? prev->missed : 0, dt)),
				       rate_str(b3, have, rate(cur->lost, have ? prev->lost : 0, dt)),
				       cur->lost, cur->flows);
	else
		g_string_append(o, "kernel: no datapath\n");
	if (note)
		g_string_append_printf(o, "%s\n", note);
	g_string_append_c(o, '\n');

	g_string_append_printf(o, "%-16s %12s %14s  %s\n", "DISPATCHER", "UPCALLS/s", "UPCALLS",
			       "ACTIVE");
	for (guint i = 0; i < cur->dispatchers->len; i++) {
		const struct top_dispatcher *d = cur->dispatchers->pdata[i];
		const struct top_dispatcher *p = have ? dispatcher_find(prev, d->name) : NULL;

		g_string_append_printf(o, "%-16s %12s %14" G_GUINT64_FORMAT "  %s\n", d->name,
				       rate_str(b1, have, rate(d->upcalls, p ? p->upcalls : 0, dt)),
				       d->upcalls, d->active ? "*" : "");
	}
	g_string_append_printf(o, "\n%-8s %12s %12s %12s %12s %10s %14s\n", "HANDLER", "UPCALLS/s",
			       "BATCHES/s", "WAKEUPS/s", "EMPTY/s", "REPLY-ERR", "UPCALLS");
	for (guint i = 0; i < cur->handlers->len; i++) {
		const struct top_handler *h = handler_find(cur, i);
		const struct top_handler *p = have ? handler_find(prev, i) : NULL;
		struct top_handler zero = { 0 };

		if (!h->seen)
			continue;
		if (!p)
			p = &zero;
		g_string_append_printf(o, "%-8u %12s %12s %12s %12s %10" G_GUINT64_FORMAT " %14"
				       G_GUINT64_FORMAT "\n", i,
				       rate_str(b1, have, rate(h->upcalls, p->upcalls, dt)),
				       rate_str(b2, have, rate(h->batches, p->batches, dt)),
				       rate_str(b3, have, rate(h->wakeups, p->wakeups, dt)),
				       rate_str(b4, have, rate(h->empty_wakeups, p->empty_wakeups, dt)),
				       h->reply_errors, h->upcalls);
	}
}

static void
format_json(FILE *f, const struct top_sample *cur, const struct top_sample *prev)
{
	struct json *j = json_new();
	double dt = (double)(cur->mono_us - prev->mono_us) / G_USEC_PER_SEC;
	double total = 0;

	json_object_begin(j);
	json_kv_uint(j, "time_ms", (uint64_t)(g_get_real_time() / 1000));
	json_kv_double(j, "interval", dt);
	json_kv_string(j, "datapath", cur->datapath);
	json_kv_string(j, "active", active_name(cur));
	json_kv_uint(j, "handlers_running", cur->n_handlers);
	json_kv_uint(j, "uptime", cur->uptime);
	json_kv_uint(j, "switches", cur->switches);
	json_kv_uint(j, "switches_in_interval", cur->switches >= prev->switches
					       ? cur->switches - prev->switches : cur->switches);
	json_kv_uint(j, "overruns", cur->overruns);
	json_kv_array_begin(j, "dispatchers");
	for (guint i = 0; i < cur->dispatchers->len; i++) {
		const struct top_dispatcher *d = cur->dispatchers->pdata[i];
		const struct top_dispatcher *p = dispatcher_find(prev, d->name);
		double r = rate(d->upcalls, p ? p->upcalls : 0, dt);

		total += r;
		json_object_begin(j);
		json_kv_string(j, "name", d->name);
		json_kv_bool(j, "active", d->active);
		json_kv_uint(j, "upcalls", d->upcalls);
		json_kv_double(j, "upcalls_per_s", r);
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_double(j, "upcalls_per_s", total);
	json_kv_array_begin(j, "handlers");
	for (guint i = 0; i < cur->handlers->len; i++) {
		const struct top_handler *h = handler_find(cur, i), *p = handler_find(prev, i);
		struct top_handler zero = { 0 };

		if (!h->seen)
			continue;
		if (!p)
			p = &zero;
		json_object_begin(j);
		json_kv_uint(j, "index", i);
		json_kv_uint(j, "upcalls", h->upcalls);
		json_kv_rate(j, "upcalls_per_s", h->upcalls, p->upcalls, dt);
		json_kv_rate(j, "batches_per_s", h->batches, p->batches, dt);
		json_kv_rate(j, "wakeups_per_s", h->wakeups, p->wakeups, dt);
		json_kv_rate(j, "empty_wakeups_per_s", h->empty_wakeups, p->empty_wakeups, dt);
		json_kv_uint(j, "reply_errors", h->reply_errors);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "kernel");
	if (cur->have_kernel) {
		json_object_begin(j);
		json_kv_uint(j, "hit", cur->hit);
		json_kv_uint(j, "missed", cur->missed);
		json_kv_uint(j, "lost", cur->lost);
		json_kv_uint(j, "flows", cur->flows);
		json_kv_rate(j, "hit_per_s", cur->hit, prev->hit, dt);
		json_kv_rate(j, "missed_per_s", cur->missed, prev->missed, dt);
		json_kv_rate(j, "lost_per_s", cur->lost, prev->lost, dt);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_object_end(j);
	json_finish(j, f);
}

/* Print a frame over the previous one: each line and the rest of the
 * screen cleared after it, so nothing of a longer frame stays. */
static void
tty_show(const GString *frame)
{
	GString *o = g_string_new("\033[H");

	for (const char *p = frame->str; *p; p++) {
		if (*p == '\n')
			g_string_append(o, "\033[K");
		g_string_append_c(o, *p);
	}
	g_string_append(o, "\033[J");
	fputs(o->str, stdout);
	fflush(stdout);
	g_string_free(o, TRUE);
}

static volatile sig_atomic_t top_stop;

static void
on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* Wait until 'deadline' (monotonic µs), a signal, or 'q' on the terminal.
 * Returns false when the user asked to stop. */
static bool
top_wait(gint64 deadline, bool keys)
{
	for (;;) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		char c;

		if (top_stop)
			return false;
		if (left <= 0)
			return true;
		if (poll(&p, keys ? 1 : 0, (int)MIN(left, 1000)) > 0) {
			if (read(STDIN_FILENO, &c, 1) != 1)
				keys = false;   /* end of input: stop reading it */
			else if (c == 'q' || c == 'Q' || c == 3 /* ^C without ISIG */)
				return false;
			else if (c == ' ')
				return true;    /* refresh now, as top does */
		}
	}
}

int
ctl_top(const char *socket_path, bool json, double interval, long count)
{
	struct top_sample prev = { 0 }, cur = { 0 };
	g_autoptr(GError) err = NULL;
	bool tty = !json && isatty(STDOUT_FILENO);
	bool keys = tty && isatty(STDIN_FILENO);
	struct termios saved, raw;
	struct sigaction sa = { .sa_handler = on_signal };
	gint64 next;
	long shown = 0;
	int rc = 0;

	if (sample_read(socket_path, &prev, &err) < 0) {
		fprintf(stderr, "ovsdp: %s\n", err->message);
		return err->code == EBUSY || err->code == EPROTO ? OVSDP_EXIT_FAIL
								   : CONTROL_EXIT_CONNECT;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (keys && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		keys = false;
	}
	if (tty) {
		GString *o = g_string_new(NULL);

		/* The first screen has totals; rates come with the second. */
		fputs("\033[?25l\033[2J", stdout);
		format_text(o, &prev, NULL, interval, "(rates after the first interval; q quits)");
		tty_show(o);
		g_string_free(o, TRUE);
	}
	next = prev.mono_us + (gint64)(interval * G_USEC_PER_SEC);
	while (count <= 0 || shown < count) {
		g_autofree char *note = NULL;

		if (!top_wait(next, keys))
			break;
		next += (gint64)(interval * G_USEC_PER_SEC);
		if (next < g_get_monotonic_time())
			next = g_get_monotonic_time() + (gint64)(interval * G_USEC_PER_SEC);
		g_clear_error(&err);
		if (sample_read(socket_path, &cur, &err) < 0) {
			if (!tty) {
				fprintf(stderr, "ovsdp: %s\n", err->message);
				rc = err->code == EBUSY ? 0 : CONTROL_EXIT_CONNECT;
				if (err->code == EBUSY)
					continue;   /* a job: the next reading will do */
				break;
			}
			/* On a terminal, keep the last screen and say why it is
			 * not updating (a restart, a live switch). */
			note = g_strdup_printf("(not updating: %s)", err->message);
			GString *o = g_string_new(NULL);

			format_text(o, &prev, NULL, interval, note);
			tty_show(o);
			g_string_free(o, TRUE);
			continue;
		}
		if (json) {
			format_json(stdout, &cur, &prev);
		} else {
			GString *o = g_string_new(NULL);

			format_text(o, &cur, &prev, interval, keys ? "(q quits, space refreshes)" : NULL);
			if (tty) {
				tty_show(o);
			} else {
				g_string_append_c(o, '\n');
				fputs(o->str, stdout);
				fflush(stdout);
			}
			g_string_free(o, TRUE);
		}
		shown++;
		sample_clear(&prev);
		prev = cur;
		memset(&cur, 0, sizeof cur);
	}
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (tty) {
		fputs("\033[?25h", stdout);
		fflush(stdout);
	}
	sample_clear(&prev);
	sample_clear(&cur);
	return rc;
}
