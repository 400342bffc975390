/* daemon-control.c: ovsdpd's control server and its commands.  Every
 * connection is read and written without blocking from the main loop, with
 * a deadline, so a slow, silent or vanished client costs nothing but its
 * own connection; each request is answered in text or JSON (control.h).
 *
 * Commands that wait (dispatch set, reload, handlers set, and SIGHUP's
 * reload) run as a job on a worker thread, one at a time: while one runs,
 * another is refused with "busy: ...", and status, stats and dispatch show
 * answer from a snapshot of the runtime taken when the job started (the
 * runtime holds its control lock for the whole switch).  The worker is
 * the only thread that changes the daemon's dispatcher state while it
 * runs; the main loop leaves that state alone until it has joined the
 * worker (control_server_busy()). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <glib-unix.h>

#include "control.h"
#include "daemon.h"
#include "json.h"
#include "policy.h"

/* One plugin as `dispatch show` lists it. */
struct plugin_row {
	char *name;
	char *path;
	const char *status;
	char *reason;
};

static const struct json_field plugin_row_json[] = {
	JSON_FIELD("name", JSON_STR, struct plugin_row, name),
	JSON_FIELD("path", JSON_STR, struct plugin_row, path),
	JSON_FIELD("status", JSON_STR, struct plugin_row, status),
	JSON_FIELD("reason", JSON_STR, struct plugin_row, reason),
};

/* What status, stats and dispatch show read from the runtime: live, or
 * the snapshot of a job in progress. */
struct view {
	const char *running;
	char *running_own;      /* what 'running' points to when the view owns it */
	const char *why;
	struct ovsdp_handlers_stats *st; /* NULL when no runtime */
	GPtrArray *plugins;     /* of struct plugin_row */
	const char *busy;       /* the job in progress, or NULL */
	gint64 busy_ms;
	bool owned;             /* st and plugins are the view's own */
};

enum job_kind {
	JOB_DISPATCH_SET,
	JOB_RELOAD,
	JOB_HANDLERS_SET,
};

struct conn;

/* A command that waits, run on its own thread. */
struct job {
	struct control_server *s;
	enum job_kind kind;
	char *label;            /* "dispatch set per-vport", "reload", ... */
	char *arg;
	struct conn *c;         /* who asked; NULL for SIGHUP */
	bool json;
	gint64 started_us;
	pthread_t thread;
	/* Written by the worker, read by the main thread after the join. */
	int rc;
	char *what;
	GError *err;
	/* The runtime as it was when the job started (main thread only). */
	char *running;
	char *why;
	struct ovsdp_handlers_stats *st;
	GPtrArray *plugins;
};

struct control_server {
	struct daemon *d;
	const struct control_jobs *jobs;
	char *path;
	int fd;
	guint watch;            /* 0 while not accepting */
	guint backoff;          /* accept failed for want of fds: retry timer */
	bool cap_logged;        /* "not accepting" said for this episode */
	bool backoff_logged;
	GList *conns;
	unsigned int n_conns;
	struct job *job;        /* the one in progress */
	bool hup_pending;       /* SIGHUP came during a job */
	int done_fd;            /* eventfd: the worker finished */
	guint done_watch;
	bool handed_over;       /* the listening socket went with a takeover */
};

struct conn {
	struct control_server *s;
	int fd;
	GByteArray *in;
	GString *out;
	size_t sent;
	guint watch;
	guint timeout;
	bool in_job;
};

static void resume_accepting(struct control_server *s);
static void pause_accepting(struct control_server *s);

/* A reply under construction: text or JSON, ok or error. */
struct reply {
	bool json;
	bool ok;
	GString *text;
	struct json *j;
};

static void
conn_close(struct conn *c)
{
	if (c->watch)
		g_source_remove(c->watch);
	if (c->timeout)
		g_source_remove(c->timeout);
	close(c->fd);
	c->s->conns = g_list_remove(c->s->conns, c);
	c->s->n_conns--;
	g_byte_array_unref(c->in);
	if (c->out)
		g_string_free(c->out, TRUE);
	resume_accepting(c->s);
	g_free(c);
}

/* ---- replies ------------------------------------------------------------- */

static void
reply_init(struct reply *r, bool json)
{
	r->json = json;
	r->ok = true;
	r->text = g_string_new(NULL);
	r->j = json ? json_new() : NULL;
}

static void G_GNUC_PRINTF(2, 3)
reply_error(struct reply *r, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->ok = false;
	if (r->json) {
		json_free(r->j);
		r->j = json_new();
		json_object_begin(r->j);
		json_kv_string(r->j, "error", msg);
		json_object_end(r->j);
	} else {
		g_string_assign(r->text, msg);
		g_string_append_c(r->text, '\n');
	}
}

/* "ok\n" or "error\n", then the body. */
static GString *
reply_finish(struct reply *r)
{
	GString *out = g_string_new(r->ok ? CONTROL_OK "\n" : CONTROL_ERROR "\n");

	if (r->json) {
		g_autofree char *body = json_steal_text(r->j);

		g_string_append(out, body);
		g_string_append_c(out, '\n');
	} else {
		g_string_append(out, r->text->str);
	}
	g_string_free(r->text, TRUE);
	return out;
}

/* ---- what the runtime looks like ------------------------------------------ */

static void
plugin_row_free(gpointer p)
{
	struct plugin_row *r = p;

	g_free(r->name);
	g_free(r->path);
	g_free(r->reason);
	g_free(r);
}

static GPtrArray *
plugin_rows(struct daemon *d)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(plugin_row_free);

	for (unsigned int i = 0; i < ovsdp_plugins_count(d->plugins); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(d->plugins, i);
		struct plugin_row *r = g_new0(struct plugin_row, 1);

		r->name = g_strdup(ovsdp_plugin_name(p));
		r->path = g_strdup(ovsdp_plugin_path(p));
		r->status = ovsdp_plugin_status_str(ovsdp_plugin_status(p));
		r->reason = g_strdup(ovsdp_plugin_reason(p));
		g_ptr_array_add(a, r);
	}
	return a;
}

/* Main thread only.  While a job runs, the runtime's control calls would
 * wait for the job's switch and the dispatcher state is the worker's: the
 * view is the job's snapshot then. */
static void
view_get(struct control_server *s, struct view *v)
{
	struct daemon *d = s->d;
	struct job *j = s->job;

	memset(v, 0, sizeof *v);
	if (j) {
		v->running = j->running;
		v->why = j->why;
		v->st = j->st;
		v->plugins = j->plugins;
		v->busy = j->label;
		v->busy_ms = (g_get_monotonic_time() - j->started_us) / 1000;
		return;
	}
	v->owned = true;
	v->running_own = d->hs ? ovsdp_handlers_plugin_name(d->hs) : NULL;
	v->running = v->running_own ? v->running_own : "none";
	v->why = d->choice_why;
	if (d->hs)
		ovsdp_handlers_stats_new(d->hs, &v->st);
	v->plugins = plugin_rows(d);
}

static void
view_clear(struct view *v)
{
	if (v->owned) {
		ovsdp_handlers_stats_free(v->st);
		free(v->running_own);
		g_ptr_array_unref(v->plugins);
	}
	memset(v, 0, sizeof *v);
}

/* The line (or JSON member) saying a job is in progress. */
static void
view_busy(const struct view *v, struct reply *r, const char *note)
{
	if (!v->busy)
		return;
	if (r->json) {
		json_key(r->j, "in_progress");
		json_object_begin(r->j);
		json_kv_string(r->j, "command", v->busy);
		json_kv_uint(r->j, "elapsed_ms", (uint64_t)v->busy_ms);
		json_object_end(r->j);
	} else {
		g_string_append_printf(r->text, "in progress: %s (%" G_GINT64_FORMAT " ms so far)%s\n",
				       v->busy, v->busy_ms, note);
	}
}

/* ---- commands -------------------------------------------------------------- */

static gint
u32_cmp(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The numbers of the ports the policy knows (the daemon's record of what
 * it told the policy), in order; NULL without a policy. */
static GArray *
policy_port_numbers(struct daemon *d)
{
	GArray *a;
	GHashTableIter it;
	gpointer k;

	if (!d->policy_ports)
		return NULL;
	a = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_hash_table_iter_init(&it, d->policy_ports);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		uint32_t no = GPOINTER_TO_UINT(k);

		g_array_append_val(a, no);
	}
	g_array_sort(a, u32_cmp);
	return a;
}

#define POLICY_PORT_NO(a, i) g_array_index((a), uint32_t, (i))
#define POLICY_PORT_NAME(d, a, i) \
	((const char *)g_hash_table_lookup((d)->policy_ports, \
					   GUINT_TO_POINTER(POLICY_PORT_NO((a), (i)))))

static void
cmd_status(struct control_server *s, char **argv, struct reply *r)
{
	struct daemon *d = s->d;
	struct ovsdp_vport_info *ports = NULL;
	struct policy_counter ctr[POLICY_COUNTERS_MAX];
	unsigned int n_ctr = 0;
	g_autofree char *pdesc = NULL;
	g_autoptr(GError) err = NULL;
	uint64_t uptime = (uint64_t)(g_get_monotonic_time() - d->started_us) / G_USEC_PER_SEC;
	g_autoptr(GArray) pports = NULL;
	struct view v;
	int n_ports = 0;

	view_get(s, &v);
	if (d->dp)
		n_ports = ovsdp_vport_list(d->dp, &ports, &err);
	pports = policy_port_numbers(d);
	if (d->policy) {
		n_ctr = d->policy->cls->counters(d->policy, ctr, POLICY_COUNTERS_MAX);
		pdesc = d->policy->cls->describe(d->policy);
	}
	if (r->json) {
		struct json *j = r->j;

		json_object_begin(j);
		json_kv_string(j, "datapath", d->cfg->dp_name);
		json_kv_int(j, "ifindex", d->dp_ifindex);
		json_kv_bool(j, "created", d->dp_created);
		json_kv_bool(j, "delete_on_exit", d->cfg->delete_on_exit);
		json_kv_string(j, "policy", policy_kind_str(d->cfg->policy));
		json_kv_string(j, "policy_description", pdesc);
		json_kv_string(j, "dispatcher", v.running);
		json_kv_string(j, "dispatcher_reason", v.why);
		json_kv_uint(j, "handlers", ovsdp_handlers_stats_n_handlers(v.st));
		json_kv_uint(j, "uptime_s", uptime);
		json_kv_uint(j, "recoveries", d->recoveries);
		json_kv_uint(j, "port_resyncs", d->port_resyncs);
		view_busy(&v, r, "");
		json_kv_array_begin(j, "ports");
		for (int i = 0; i < n_ports; i++) {
			json_object_begin(j);
			json_kv_uint(j, "port_no", ports[i].port_no);
			json_kv_string(j, "name", ports[i].name);
			json_kv_string(j, "type", ovsdp_vport_type_str(ports[i].type));
			json_object_end(j);
		}
		json_array_end(j);
		json_kv_array_begin(j, "policy_ports");
		for (guint i = 0; pports && i < pports->len; i++) {
			json_object_begin(j);
			json_kv_uint(j, "port_no", POLICY_PORT_NO(pports, i));
			json_kv_string(j, "name", POLICY_PORT_NAME(d, pports, i));
			json_object_end(j);
		}
		json_array_end(j);
		json_kv_object_begin(j, "counters");
		for (unsigned int i = 0; i < n_ctr; i++)
			json_kv_uint(j, ctr[i].name, ctr[i].value);
		json_object_end(j);
		json_object_end(j);
	} else {
		GString *t = r->text;

		g_string_append_printf(t, "datapath: %s (ifindex %d, %s%s)\n", d->cfg->dp_name,
				       d->dp_ifindex, d->dp_created ? "created by ovsdpd" : "attached",
				       d->cfg->delete_on_exit ? ", deleted on exit" : "");
		g_string_append_printf(t, "policy: %s\n", pdesc ? pdesc : "none");
		g_string_append_printf(t, "dispatcher: %s (%s)\n", v.running, v.why ? v.why : "");
		view_busy(&v, r, "");
		g_string_append_printf(t, "handlers: %u\n", ovsdp_handlers_stats_n_handlers(v.st));
		g_string_append_printf(t, "uptime: %" G_GUINT64_FORMAT " s\n", uptime);
		if (d->recoveries)
			g_string_append_printf(t, "datapath recreated: %" G_GUINT64_FORMAT " times\n",
					       d->recoveries);
		if (d->port_resyncs)
			g_string_append_printf(t, "ports re-read after a monitor overrun: %"
					       G_GUINT64_FORMAT " times\n", d->port_resyncs);
		g_string_append(t, "ports:\n");
		for (int i = 0; i < n_ports; i++) {
			const char *known = d->policy_ports ?
				g_hash_table_lookup(d->policy_ports,
						    GUINT_TO_POINTER(ports[i].port_no)) : NULL;

			g_string_append_printf(t, "  %u: %s (%s)%s\n", ports[i].port_no, ports[i].name,
					       ovsdp_vport_type_str(ports[i].type),
					       !d->policy || (known && !strcmp(known, ports[i].name)) ?
					       "" : " [not known to the policy yet]");
		}
		if (n_ports < 0)
			g_string_append_printf(t, "  (cannot list: %s)\n", err->message);
		for (guint i = 0; n_ports >= 0 && pports && i < pports->len; i++) {
			uint32_t no = POLICY_PORT_NO(pports, i);
			const char *name = POLICY_PORT_NAME(d, pports, i);
			bool listed = false;

			for (int k = 0; k < n_ports && !listed; k++)
				listed = ports[k].port_no == no && !strcmp(ports[k].name, name);
			if (!listed)
				g_string_append_printf(t, "  %u: %s [gone; the policy still knows it]\n",
						       no, name);
		}
		g_string_append(t, "policy counters:\n");
		for (unsigned int i = 0; i < n_ctr; i++)
			g_string_append_printf(t, "  %s: %" G_GUINT64_FORMAT "\n", ctr[i].name,
					       ctr[i].value);
	}
	g_free(ports);
	view_clear(&v);
}

static void
cmd_dispatch_show(struct control_server *s, char **argv, struct reply *r)
{
	struct view v;
	int a = -1;     /* the active dispatcher's index in the snapshot */

	view_get(s, &v);
	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_dispatchers(v.st); i++) {
		if (ovsdp_handlers_stats_dispatcher_active(v.st, i))
			a = (int)i;
	}
	if (r->json) {
		struct json *j = r->j;

		json_object_begin(j);
		json_kv_string(j, "active", v.running);
		json_kv_string(j, "description", a >= 0 ?
			       ovsdp_handlers_stats_dispatcher_description(v.st, a) : "");
		json_kv_string(j, "reason", v.why);
		json_kv_uint(j, "sockets",
			     ovsdp_handlers_stats_dispatcher(v.st, a, OVSDP_DISPATCHER_SOCKETS));
		json_kv_uint(j, "handlers",
			     ovsdp_handlers_stats_dispatcher(v.st, a, OVSDP_DISPATCHER_HANDLERS));
		view_busy(&v, r, "");
		json_kv_array_begin(j, "available");
		for (guint i = 0; i < v.plugins->len; i++) {
			const struct plugin_row *p = v.plugins->pdata[i];

			json_object_begin(j);
			json_kv_fields(j, p, plugin_row_json, G_N_ELEMENTS(plugin_row_json));
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
		view_clear(&v);
		return;
	}
	g_string_append_printf(r->text, "active: %s\n", v.running);
	g_string_append_printf(r->text, "description: %s\n",
			       a >= 0 ? ovsdp_handlers_stats_dispatcher_description(v.st, a) : "");
	g_string_append_printf(r->text, "chosen: %s\n", v.why ? v.why : "");
	view_busy(&v, r, "");
	g_string_append_printf(r->text, "sockets: %" G_GUINT64_FORMAT "\n",
			       ovsdp_handlers_stats_dispatcher(v.st, a, OVSDP_DISPATCHER_SOCKETS));
	g_string_append_printf(r->text, "handlers: %" G_GUINT64_FORMAT "\n",
			       ovsdp_handlers_stats_dispatcher(v.st, a, OVSDP_DISPATCHER_HANDLERS));
	g_string_append(r->text, "available:\n");
	for (guint i = 0; i < v.plugins->len; i++) {
		const struct plugin_row *p = v.plugins->pdata[i];

		g_string_append_printf(r->text, "  %s: %s%s%s\n", p->name ? p->name : p->path,
				       p->status, p->reason ? ": " : "", p->reason ? p->reason : "");
	}
	view_clear(&v);
}

static void
reply_done(struct reply *r, const char *what)
{
	if (r->json) {
		json_object_begin(r->j);
		json_kv_string(r->j, "result", what);
		json_object_end(r->j);
	} else {
		g_string_append_printf(r->text, "%s\n", what);
	}
}

/* ---- commands that wait: jobs ---------------------------------------------- */

static const char *
job_doing(enum job_kind k)
{
	return k == JOB_HANDLERS_SET ? "a handlers resize" : "a switch";
}

/* The worker: the only thread that touches the daemon's dispatcher state
 * (and calls the runtime's control functions) until the main thread has
 * joined it. */
static void *
job_main(void *data)
{
	struct job *j = data;
	struct daemon *d = j->s->d;
	uint64_t one = 1;

	switch (j->kind) {
	case JOB_DISPATCH_SET:
		j->rc = j->s->jobs->dispatch_set(d, j->arg, &j->what, &j->err);
		break;
	case JOB_RELOAD:
		j->rc = j->s->jobs->reload(d, &j->what, &j->err);
		break;
	case JOB_HANDLERS_SET: {
		unsigned int n = (unsigned int)g_ascii_strtoull(j->arg, NULL, 10);
		g_autofree char *name = NULL;

		j->rc = ovsdp_handlers_resize(d->hs, n, &j->err);
		name = ovsdp_handlers_plugin_name(d->hs);
		if (j->rc == 0)
			j->what = g_strdup_printf("%s now runs %u handler threads",
						  name ? name : "none", n);
		break;
	}
	}
	if (j->rc < 0 && !j->err)
		g_set_error(&j->err, OVSDP_ERROR, -j->rc, "%s", g_strerror(-j->rc));
	/* Last: the main thread joins this thread when it reads this. */
	while (write(j->s->done_fd, &one, sizeof one) < 0 && errno == EINTR)
		;
	return NULL;
}

static void
job_free(struct job *j)
{
	g_free(j->label);
	g_free(j->arg);
	g_free(j->what);
	g_clear_error(&j->err);
	g_free(j->running);
	g_free(j->why);
	ovsdp_handlers_stats_free(j->st);
	if (j->plugins)
		g_ptr_array_unref(j->plugins);
	g_free(j);
}

/* Start 'kind' for connection c (NULL: SIGHUP).  Returns 0, or -errno with
 * *error (the daemon is busy, or no thread could be made). */
static int
job_start(struct control_server *s, struct conn *c, enum job_kind kind, const char *arg,
	  bool json, GError **error)
{
	struct daemon *d = s->d;
	struct job *j;
	int e;

	if (s->job) {
		g_set_error(error, OVSDP_ERROR, EBUSY, "busy: %s is in progress (%s, %" G_GINT64_FORMAT
			    " ms so far); try again when it ends", job_doing(s->job->kind),
			    s->job->label, (g_get_monotonic_time() - s->job->started_us) / 1000);
		return -EBUSY;
	}
	if (!d->hs) {
		g_set_error(error, OVSDP_ERROR, ENODEV,
			    "no dispatcher runs (the datapath is being recreated)");
		return -ENODEV;
	}
	j = g_new0(struct job, 1);
	j->s = s;
	j->kind = kind;
	j->arg = g_strdup(arg);
	j->label = kind == JOB_DISPATCH_SET ? g_strdup_printf("dispatch set %s", arg)
		 : kind == JOB_HANDLERS_SET ? g_strdup_printf("handlers set %s", arg)
		 : g_strdup(c ? "reload" : "reload (SIGHUP)");
	j->c = c;
	j->json = json;
	j->started_us = g_get_monotonic_time();
	j->running = ovsdp_handlers_plugin_name(d->hs);
	if (!j->running)
		j->running = g_strdup("none");
	j->why = g_strdup(d->choice_why);
	ovsdp_handlers_stats_new(d->hs, &j->st);
	j->plugins = plugin_rows(d);
	e = pthread_create(&j->thread, NULL, job_main, j);
	if (e) {
		g_set_error(error, OVSDP_ERROR, e, "%s: cannot start a thread: %s", j->label,
			    g_strerror(e));
		job_free(j);
		return -e;
	}
	s->job = j;
	if (c) {
		/* The job is bounded by the runtime's own drain limit: the
		 * connection's deadline starts again with the reply. */
		c->in_job = true;
		if (c->timeout)
			g_source_remove(c->timeout);
		c->timeout = 0;
	}
	g_debug("control: %s started", j->label);
	return 0;
}

static gboolean conn_expired(gpointer data);
static void conn_respond(struct conn *c, GString *out);

/* The worker said it finished: join it, answer, and run a reload SIGHUP
 * asked for meanwhile. */
static gboolean
job_done(gint fd, GIOCondition cond, gpointer data)
{
	struct control_server *s = data;
	struct job *j = s->job;
	uint64_t n;
	struct reply r;

	if (read(s->done_fd, &n, sizeof n) < 0 || !j)
		return G_SOURCE_CONTINUE;
	pthread_join(j->thread, NULL);
	s->job = NULL;
	if (j->rc < 0) {
		if (j->kind == JOB_DISPATCH_SET)
			g_warning("dispatch set %s: %s", j->arg, j->err->message);
		else if (j->kind == JOB_RELOAD)
			g_warning("%s", j->err->message);
	} else if (j->kind == JOB_HANDLERS_SET) {
		g_message("%s", j->what);
	}
	if (j->c) {
		reply_init(&r, j->json);
		if (j->rc < 0 && j->kind == JOB_RELOAD)
			reply_error(&r, "%s", j->err->message);
		else if (j->rc < 0)
			reply_error(&r, "%s: %s", j->label, j->err->message);
		else
			reply_done(&r, j->what);
		j->c->in_job = false;
		conn_respond(j->c, reply_finish(&r));
	}
	job_free(j);
	if (s->hup_pending) {
		g_autoptr(GError) err = NULL;

		s->hup_pending = false;
		g_message("SIGHUP came during the last job: reloading now");
		if (job_start(s, NULL, JOB_RELOAD, NULL, false, &err) < 0)
			g_warning("SIGHUP: %s", err->message);
	}
	/* systemd: a SIGHUP reload said RELOADING=1; ready again now. */
	if (!s->job)
		s->jobs->idle(s->d);
	return G_SOURCE_CONTINUE;
}

bool
control_server_busy(struct control_server *s)
{
	return s && s->job;
}

void
control_server_hup(struct control_server *s)
{
	g_autoptr(GError) err = NULL;

	if (!s)
		return;
	if (s->job) {
		s->hup_pending = true;
		g_message("SIGHUP: %s is in progress; reloading when it ends", s->job->label);
		return;
	}
	if (job_start(s, NULL, JOB_RELOAD, NULL, false, &err) < 0)
		g_warning("SIGHUP: %s", err->message);
}

/* Counter c of the first dispatcher, and of handler i, of a snapshot. */
#define DSTAT(st, c) ovsdp_handlers_stats_dispatcher((st), 0, OVSDP_DISPATCHER_##c)
#define HSTAT(st, i, c) ovsdp_handlers_stats_handler((st), (i), OVSDP_HANDLER_##c)

static void
cmd_stats(struct control_server *s, char **argv, struct reply *r)
{
	struct daemon *d = s->d;
	struct view v;
	struct ovsdp_dp_info info = { 0 };
	bool have_info = d->dp && ovsdp_dp_get_info(d->dp, &info, NULL) == 0;
	unsigned int n_shares, n_handlers;
	uint64_t total = 0;

	view_get(s, &v);
	n_shares = ovsdp_handlers_stats_n_shares(v.st);
	n_handlers = ovsdp_handlers_stats_n_handlers(v.st);
	for (unsigned int i = 0; i < n_shares; i++)
		total += ovsdp_handlers_stats_share_upcalls(v.st, i);
	if (r->json) {
		struct json *j = r->j;

		json_object_begin(j);
		json_kv_string(j, "active", v.running);
		json_kv_uint(j, "switches", ovsdp_handlers_stats_total(v.st, OVSDP_HANDLERS_SWITCHES));
		json_kv_uint(j, "upcalls", ovsdp_handlers_stats_total(v.st, OVSDP_HANDLERS_UPCALLS));
		json_kv_uint(j, "overruns", ovsdp_handlers_stats_total(v.st, OVSDP_HANDLERS_OVERRUNS));
		view_busy(&v, r, "");
		json_kv_array_begin(j, "dispatchers");
		for (unsigned int i = 0; i < n_shares; i++) {
			const char *name = ovsdp_handlers_stats_share_name(v.st, i);
			uint64_t n = ovsdp_handlers_stats_share_upcalls(v.st, i);

			json_object_begin(j);
			json_kv_string(j, "name", name);
			json_kv_uint(j, "upcalls", n);
			json_kv_double(j, "share", total ? (double)n / (double)total : 0.0);
			json_kv_bool(j, "active", !strcmp(name, v.running));
			json_object_end(j);
		}
		json_array_end(j);
		if (ovsdp_handlers_stats_n_dispatchers(v.st)) {
			json_kv_object_begin(j, "active_dispatcher");
			json_kv_string(j, "name", ovsdp_handlers_stats_dispatcher_name(v.st, 0));
			json_kv_uint(j, "sockets", DSTAT(v.st, SOCKETS));
			json_kv_uint(j, "handlers", DSTAT(v.st, HANDLERS));
			json_kv_uint(j, "upcalls", DSTAT(v.st, UPCALLS));
			json_kv_uint(j, "overruns", DSTAT(v.st, OVERRUNS));
			json_kv_uint(j, "empty_wakeups", DSTAT(v.st, EMPTY_WAKEUPS));
			json_object_end(j);
		}
		json_kv_array_begin(j, "handlers");
		for (unsigned int i = 0; i < n_handlers; i++) {
			json_object_begin(j);
			json_kv_uint(j, "index", i);
			json_kv_uint(j, "upcalls", HSTAT(v.st, i, UPCALLS));
			json_kv_uint(j, "batches", HSTAT(v.st, i, BATCHES));
			json_kv_uint(j, "wakeups", HSTAT(v.st, i, WAKEUPS));
			json_kv_uint(j, "empty_wakeups", HSTAT(v.st, i, EMPTY_WAKEUPS));
			json_kv_uint(j, "replies", HSTAT(v.st, i, REPLIES));
			json_kv_uint(j, "transactions", HSTAT(v.st, i, TRANSACTIONS));
			json_kv_uint(j, "reply_errors", HSTAT(v.st, i, REPLY_ERRORS));
			json_kv_uint(j, "reply_unconfirmed", HSTAT(v.st, i, REPLY_UNCONFIRMED));
			json_kv_uint(j, "malformed", HSTAT(v.st, i, MALFORMED));
			json_kv_uint(j, "truncated", HSTAT(v.st, i, TRUNCATED));
			json_object_end(j);
		}
		json_array_end(j);
		json_key(j, "kernel");
		if (have_info) {
			json_object_begin(j);
			json_kv_uint(j, "hit", info.stats.n_hit);
			json_kv_uint(j, "missed", info.stats.n_missed);
			json_kv_uint(j, "lost", info.stats.n_lost);
			json_kv_uint(j, "flows", info.stats.n_flows);
			json_object_end(j);
		} else {
			json_null(j);
		}
		json_object_end(j);
	} else {
		GString *t = r->text;

		view_busy(&v, r, ": the runtime's figures below are from its start");
		g_string_append(t, "dispatchers (upcalls since start, share):\n");
		for (unsigned int i = 0; i < n_shares; i++) {
			const char *name = ovsdp_handlers_stats_share_name(v.st, i);
			uint64_t n = ovsdp_handlers_stats_share_upcalls(v.st, i);

			g_string_append_printf(t, "  %-12s %10" G_GUINT64_FORMAT "  %5.1f%%%s\n", name, n,
					       total ? 100.0 * (double)n / (double)total : 0.0,
					       !strcmp(name, v.running) ? "  (active)" : "");
		}
		if (ovsdp_handlers_stats_n_dispatchers(v.st))
			g_string_append_printf(t, "active %s: %" G_GUINT64_FORMAT " sockets, %"
					       G_GUINT64_FORMAT " handlers, %" G_GUINT64_FORMAT
					       " upcalls, %" G_GUINT64_FORMAT " overruns, %"
					       G_GUINT64_FORMAT " empty wakeups\n",
					       ovsdp_handlers_stats_dispatcher_name(v.st, 0),
					       DSTAT(v.st, SOCKETS), DSTAT(v.st, HANDLERS),
					       DSTAT(v.st, UPCALLS), DSTAT(v.st, OVERRUNS),
					       DSTAT(v.st, EMPTY_WAKEUPS));
		g_string_append(t, "handlers:\n");
		for (unsigned int i = 0; i < n_handlers; i++) {
			g_string_append_printf(t, "  %u: upcalls %" G_GUINT64_FORMAT ", batches %"
					       G_GUINT64_FORMAT ", empty wakeups %" G_GUINT64_FORMAT
					       ", replies %" G_GUINT64_FORMAT " in %" G_GUINT64_FORMAT
					       " transactions, %" G_GUINT64_FORMAT " failed", i,
					       HSTAT(v.st, i, UPCALLS), HSTAT(v.st, i, BATCHES),
					       HSTAT(v.st, i, EMPTY_WAKEUPS), HSTAT(v.st, i, REPLIES),
					       HSTAT(v.st, i, TRANSACTIONS),
					       HSTAT(v.st, i, REPLY_ERRORS));
			if (HSTAT(v.st, i, REPLY_UNCONFIRMED))
				g_string_append_printf(t, " (%" G_GUINT64_FORMAT " without a verdict)",
						       HSTAT(v.st, i, REPLY_UNCONFIRMED));
			g_string_append_c(t, '\n');
		}
		g_string_append_printf(t, "runtime: upcalls %" G_GUINT64_FORMAT ", overruns %"
				       G_GUINT64_FORMAT ", switches %" G_GUINT64_FORMAT "\n",
				       ovsdp_handlers_stats_total(v.st, OVSDP_HANDLERS_UPCALLS),
				       ovsdp_handlers_stats_total(v.st, OVSDP_HANDLERS_OVERRUNS),
				       ovsdp_handlers_stats_total(v.st, OVSDP_HANDLERS_SWITCHES));
		if (have_info)
			g_string_append_printf(t, "kernel: hit %" G_GUINT64_FORMAT ", missed %"
					       G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT ", flows %"
					       G_GUINT64_FORMAT "\n", info.stats.n_hit,
					       info.stats.n_missed, info.stats.n_lost,
					       info.stats.n_flows);
	}
	view_clear(&v);
}

/* The TCP flags as dump-flows prints them ("S.", "SF"...). */
static const char *
tcp_flags_str(uint8_t f, char buf[16])
{
	static const char names[] = "FSRPAUEC";
	char *p = buf;

	for (int i = 0; i < 8; i++) {
		if (f & (1u << i))
			*p++ = names[i] == 'A' ? '.' : names[i];
	}
	*p = '\0';
	return buf;
}

static void
cmd_flows(struct control_server *s, char **argv, struct reply *r)
{
	struct daemon *d = s->d;
	struct ovsdp_flow_dump *dump = NULL;
	const struct ovsdp_flow *f;
	g_autoptr(GError) err = NULL;
	uint64_t now = ovsdp_flow_now_ms();
	int rc;

	if (!d->dp || ovsdp_flow_dump_start(d->dp, 0, &dump, &err) < 0) {
		reply_error(r, "flows: %s", err ? err->message : "no datapath");
		return;
	}
	if (r->json)
		json_array_begin(r->j);
	while ((rc = ovsdp_flow_dump_next(dump, &f, &err)) == 1) {
		g_autofree char *key_own = NULL, *acts_own = NULL;
		const char *key, *acts;
		char ufid[OVSDP_UFID_STRLEN] = "", flags[16];

		if (f->has_key)
			ovsdp_odp_key_to_string(f->key, f->key_len, f->mask, f->mask_len, &key_own,
						NULL);
		if (f->has_actions)
			ovsdp_odp_actions_to_string(f->actions, f->actions_len, &acts_own, NULL);
		key = key_own ? key_own : "";
		acts = acts_own ? acts_own : "";
		if (f->has_ufid)
			ovsdp_ufid_format(&f->ufid, ufid);
		if (r->json) {
			json_object_begin(r->j);
			json_kv_string(r->j, "ufid", f->has_ufid ? ufid : NULL);
			json_kv_bool(r->j, "ours", f->has_ufid && f->ufid.u32[0] == POLICY_UFID_MAGIC);
			json_kv_string(r->j, "key", key);
			json_kv_uint(r->j, "packets", f->stats.n_packets);
			json_kv_uint(r->j, "bytes", f->stats.n_bytes);
			json_key(r->j, "used_ms_ago");
			if (f->stats.used_ms)
				json_uint(r->j, now > f->stats.used_ms ? now - f->stats.used_ms : 0);
			else
				json_null(r->j);
			json_kv_string(r->j, "actions", acts);
			json_object_end(r->j);
			continue;
		}
		g_string_append_printf(r->text, "%s, packets:%" G_GUINT64_FORMAT ", bytes:%"
				       G_GUINT64_FORMAT ", used:", key, f->stats.n_packets,
				       f->stats.n_bytes);
		if (f->stats.used_ms)
			g_string_append_printf(r->text, "%.3fs", (double)(int64_t)(now - f->stats.used_ms)
					       / 1000.0);
		else
			g_string_append(r->text, "never");
		if (f->stats.tcp_flags)
			g_string_append_printf(r->text, ", flags:%s",
					       tcp_flags_str(f->stats.tcp_flags, flags));
		g_string_append_printf(r->text, ", actions:%s\n", *acts ? acts : "drop");
	}
	ovsdp_flow_dump_free(dump);
	if (rc < 0) {
		reply_error(r, "flows: %s", err ? err->message : g_strerror(-rc));
		return;
	}
	if (r->json)
		json_array_end(r->j);
}

static void
cmd_macs(struct control_server *s, char **argv, struct reply *r)
{
	struct daemon *d = s->d;
	g_autoptr(GArray) macs = d->policy ? d->policy->cls->macs(d->policy) : NULL;

	if (!macs) {
		reply_error(r, "macs: the %s policy keeps no MAC table",
			    policy_kind_str(d->cfg->policy));
		return;
	}
	if (r->json)
		json_array_begin(r->j);
	else
		g_string_append(r->text, " port  MAC                Age\n");
	for (guint i = 0; i < macs->len; i++) {
		const struct policy_mac *m = &g_array_index(macs, struct policy_mac, i);
		char mac[18];

		g_snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m->mac[0], m->mac[1],
			   m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
		if (r->json) {
			json_object_begin(r->j);
			json_kv_string(r->j, "mac", mac);
			json_kv_uint(r->j, "port_no", m->port_no);
			json_kv_uint(r->j, "age_s", m->age_ms / 1000);
			json_object_end(r->j);
		} else {
			g_string_append_printf(r->text, "%5u  %s  %4" G_GUINT64_FORMAT "\n", m->port_no,
					       mac, m->age_ms / 1000);
		}
	}
	if (r->json)
		json_array_end(r->j);
}

static void
cmd_metrics(struct control_server *s, char **argv, struct reply *r)
{
	struct daemon *d = s->d;
	g_autofree char *text = NULL;

	/* The runtime's counters wait on its control lock, which a switch
	 * holds to its end: the main loop must not.  The textfile keeps the
	 * figures of the last write meanwhile. */
	if (s->job) {
		reply_error(r, "busy: %s is in progress; metrics are read when it ends",
			    s->job->label);
		return;
	}
	text = daemon_metrics_text(d);
	if (r->json) {
		json_object_begin(r->j);
		json_kv_string(r->j, "content_type", "text/plain; version=0.0.4");
		json_kv_string(r->j, "metrics", text);
		json_object_end(r->j);
	} else {
		g_string_append(r->text, text);
	}
}

/* 'run' answers at once from the main loop; a command with a job instead
 * waits on the worker thread (job_main). */
static const struct {
	const char *words[2];
	unsigned int n_args;
	void (*run)(struct control_server *s, char **argv, struct reply *r);
	int job;                /* enum job_kind, or -1 */
} commands[] = {
	{ { "status", NULL }, 0, cmd_status, -1 },
	{ { "dispatch", "show" }, 0, cmd_dispatch_show, -1 },
	{ { "dispatch", "set" }, 1, NULL, JOB_DISPATCH_SET },
	{ { "handlers", "set" }, 1, NULL, JOB_HANDLERS_SET },
	{ { "stats", NULL }, 0, cmd_stats, -1 },
	{ { "reload", NULL }, 0, NULL, JOB_RELOAD },
	{ { "flows", NULL }, 0, cmd_flows, -1 },
	{ { "macs", NULL }, 0, cmd_macs, -1 },
	{ { "metrics", NULL }, 0, cmd_metrics, -1 },
};

/* A command with a job: its checks, then the job.  Returns false when it
 * was answered at once (in r), true when the job will answer. */
static bool
run_job(struct conn *c, enum job_kind kind, char **argv, struct reply *r)
{
	g_autoptr(GError) err = NULL;
	guint64 n;

	if (kind == JOB_HANDLERS_SET &&
	    !g_ascii_string_to_unsigned(argv[2], 10, 1, OVSDP_HANDLERS_MAX, &n, NULL)) {
		reply_error(r, "handlers set: '%s' is not a count from 1 to %u", argv[2],
			    OVSDP_HANDLERS_MAX);
		return false;
	}
	if (job_start(c->s, c, kind, kind == JOB_RELOAD ? NULL : argv[2], r->json, &err) == 0)
		return true;
	reply_error(r, "%s", err->message);
	return false;
}

/* The reply to 'line', or NULL when a job will answer it. */
static GString *
run_request(struct conn *c, const char *line)
{
	g_auto(GStrv) argv = NULL;
	g_autofree char *why = NULL;
	struct reply r;
	bool json = false;
	guint argc;

	if (!control_request_parse(line, &json, &argv, &why)) {
		reply_init(&r, strncmp(line, "json", 4) == 0);
		reply_error(&r, "bad request: %s", why);
		return reply_finish(&r);
	}
	reply_init(&r, json);
	argc = g_strv_length(argv);
	if (!strcmp(argv[0], "takeover") && argc == 1 && !c->s->job && c->s->d->hs &&
	    !c->s->d->handed_over) {
		g_autoptr(GError) err = NULL;
		struct control_server *s = c->s;

		/* Stop listening first: the successor binds the path next. */
		pause_accepting(s);
		close(s->fd);
		s->fd = -1;
		s->handed_over = true;
		if (daemon_handover_send(s->d, c->fd, &err) < 0)
			g_warning("takeover: %s", err->message);
		shutdown(c->fd, SHUT_WR);
		g_main_loop_quit(s->d->loop);
		g_string_free(reply_finish(&r), TRUE);
		return NULL;
	}
	if (!strcmp(argv[0], "takeover")) {
		reply_error(&r, "takeover: %s", c->s->job ? "a job is in progress; try again when it "
			    "ends" : "nothing to hand over");
		return reply_finish(&r);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		unsigned int words = commands[i].words[1] ? 2 : 1;

		if (strcmp(argv[0], commands[i].words[0]) ||
		    (words == 2 && (argc < 2 || strcmp(argv[1], commands[i].words[1]))))
			continue;
		if (argc != words + commands[i].n_args) {
			reply_error(&r, "bad request: '%s%s%s' takes %u argument%s", argv[0],
				    words == 2 ? " " : "", words == 2 ? argv[1] : "",
				    commands[i].n_args, commands[i].n_args == 1 ? "" : "s");
		} else if (commands[i].job >= 0) {
			if (run_job(c, (enum job_kind)commands[i].job, argv, &r)) {
				/* the job answers */
				g_string_free(reply_finish(&r), TRUE);
				return NULL;
			}
		} else {
			commands[i].run(c->s, argv, &r);
		}
		return reply_finish(&r);
	}
	reply_error(&r, "bad request: unknown command '%s%s%s'", argv[0], argc > 1 ? " " : "",
		    argc > 1 ? argv[1] : "");
	return reply_finish(&r);
}

/* ---- connections ------------------------------------------------------------ */

/* After the reply: read and discard until the client closes.  Closing
 * with its bytes unread would reset the connection, and the client could
 * lose the reply it has not read yet. */
static gboolean
conn_drain(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;
	char buf[512];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	conn_close(c);
	return G_SOURCE_REMOVE;
}

static gboolean
conn_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;

	while (c->sent < c->out->len) {
		ssize_t n = send(c->fd, c->out->str + c->sent, c->out->len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->sent += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return G_SOURCE_CONTINUE;
		/* the client went away: its loss */
		c->watch = 0;
		conn_close(c);
		return G_SOURCE_REMOVE;
	}
	shutdown(c->fd, SHUT_WR);
	c->watch = g_unix_fd_add(c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_drain, c);
	return G_SOURCE_REMOVE;
}

/* Queue the reply.  The client's deadline starts again here: the 5 s it
 * had to send its line must not be eaten by a daemon slow to answer (the
 * reply would be dropped unsent). */
static void
conn_respond(struct conn *c, GString *out)
{
	c->out = out;
	if (c->watch)
		g_source_remove(c->watch);
	if (c->timeout)
		g_source_remove(c->timeout);
	c->timeout = g_timeout_add(CONTROL_SERVER_TIMEOUT_MS, conn_expired, c);
	c->watch = g_unix_fd_add(c->fd, G_IO_OUT, conn_writable, c);
}

static void G_GNUC_PRINTF(3, 4)
conn_refuse(struct conn *c, bool json, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	struct reply r;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	reply_init(&r, json);
	reply_error(&r, "bad request: %s", msg);
	conn_respond(c, reply_finish(&r));
}

/* The request is the first line; it must be whole, short and plain text:
 * a NUL or a carriage return would make the daemon run something else
 * than what the bytes say ("text status\0dispatch set legacy"). */
static gboolean
conn_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;
	g_autofree char *line = NULL;
	g_autofree char *why = NULL;
	uint8_t buf[512];
	ssize_t n;
	int r;

	n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		/* Closed before a whole request: nothing to answer. */
		c->watch = 0;
		conn_close(c);
		return G_SOURCE_REMOVE;
	}
	g_byte_array_append(c->in, buf, (guint)n);
	r = control_request_frame(c->in->data, c->in->len, &line, &why);
	if (r == 0)
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	if (r < 0) {
		conn_refuse(c, c->in->len >= 4 && !memcmp(c->in->data, "json", 4), "%s", why);
	} else {
		GString *out = run_request(c, line);

		if (out)
			conn_respond(c, out);
	}
	return G_SOURCE_REMOVE;
}

static gboolean
conn_expired(gpointer data)
{
	struct conn *c = data;

	c->timeout = 0;
	if (!c->out && !c->in_job) {
		/* Still no whole request: say so (the reply gets its own
		 * deadline). */
		g_debug("control: a client sent no whole request within %d ms",
			CONTROL_SERVER_TIMEOUT_MS);
		conn_refuse(c, c->in->len >= 4 && !memcmp(c->in->data, "json", 4),
			    "no whole request line within %d ms", CONTROL_SERVER_TIMEOUT_MS);
		return G_SOURCE_REMOVE;
	}
	g_debug("control: dropping a client that did not read its reply");
	conn_close(c);
	return G_SOURCE_REMOVE;
}

/* ---- accepting ---------------------------------------------------------------- */

static gboolean server_accept(gint fd, GIOCondition cond, gpointer data);

/* Watch the listening socket again unless a pause holds. */
static void
resume_accepting(struct control_server *s)
{
	if (s->watch || s->backoff || s->fd < 0 || s->n_conns >= CONTROL_CONNECTIONS_MAX)
		return;
	if (s->cap_logged)
		g_message("control: %u connections open: accepting again", s->n_conns);
	s->cap_logged = false;
	s->watch = g_unix_fd_add(s->fd, G_IO_IN, server_accept, s);
}

static void
pause_accepting(struct control_server *s)
{
	if (s->watch)
		g_source_remove(s->watch);
	s->watch = 0;
}

static gboolean
backoff_over(gpointer data)
{
	struct control_server *s = data;

	s->backoff = 0;
	resume_accepting(s);
	return G_SOURCE_REMOVE;
}

static gboolean
server_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct control_server *s = data;

	while (s->n_conns < CONTROL_CONNECTIONS_MAX) {
		int cfd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		uid_t uid;

		if (cfd < 0 && errno == EINTR)
			continue;
		if (cfd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
				errno == ENOMEM)) {
			/* The pending connection stays queued and the socket
			 * stays readable: watching it now would spin. */
			if (!s->backoff_logged)
				g_warning("control: cannot accept a connection: %s; not accepting "
					  "for %d ms", g_strerror(errno), CONTROL_ACCEPT_BACKOFF_MS);
			s->backoff_logged = true;
			s->watch = 0;   /* this source goes with the return */
			s->backoff = g_timeout_add(CONTROL_ACCEPT_BACKOFF_MS, backoff_over, s);
			return G_SOURCE_REMOVE;
		}
		if (cfd < 0 && (errno == ECONNABORTED || errno == EPROTO))
			continue;
		if (cfd < 0)
			return G_SOURCE_CONTINUE;       /* EAGAIN: all taken */
		if (s->backoff_logged)
			g_message("control: accepting connections again");
		s->backoff_logged = false;
		c = g_new0(struct conn, 1);
		c->s = s;
		c->fd = cfd;
		c->in = g_byte_array_new();
		s->conns = g_list_prepend(s->conns, c);
		s->n_conns++;
		c->timeout = g_timeout_add(CONTROL_SERVER_TIMEOUT_MS, conn_expired, c);
		uid = control_peer_uid(cfd);
		if (uid != 0 && uid != geteuid()) {
			struct reply r;

			g_warning("control: refused a client with uid %d (only root or uid %u may "
				  "control ovsdpd)", (int)uid, (unsigned int)geteuid());
			reply_init(&r, false);
			reply_error(&r, "permission denied: uid %d may not control ovsdpd (only root "
				    "or uid %u)", (int)uid, (unsigned int)geteuid());
			conn_respond(c, reply_finish(&r));
			continue;
		}
		c->watch = g_unix_fd_add(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_readable, c);
	}
	/* At the cap: the next clients wait in the listen queue until one of
	 * these closes (conn_close resumes). */
	if (!s->cap_logged)
		g_warning("control: %u connections open (the cap): not accepting more until one "
			  "closes", s->n_conns);
	s->cap_logged = true;
	s->watch = 0;
	return G_SOURCE_REMOVE;
}

struct control_server *
control_server_new(struct daemon *d, const struct control_jobs *jobs, const char *path,
		   GError **error)
{
	struct control_server *s;
	int fd = control_listen(path, error);
	int efd;

	if (fd < 0) {
		g_prefix_error(error, "control socket: ");
		return NULL;
	}
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		int e = errno;

		g_set_error(error, OVSDP_ERROR, e, "control socket: eventfd: %s", g_strerror(e));
		close(fd);
		unlink(path);
		return NULL;
	}
	s = g_new0(struct control_server, 1);
	s->d = d;
	s->jobs = jobs;
	s->path = g_strdup(path);
	s->fd = fd;
	s->done_fd = efd;
	s->done_watch = g_unix_fd_add(efd, G_IO_IN, job_done, s);
	s->watch = g_unix_fd_add(fd, G_IO_IN, server_accept, s);
	return s;
}

void
control_server_free(struct control_server *s)
{
	if (!s)
		return;
	/* A job in progress ends first: it uses the daemon's state. */
	if (s->job) {
		pthread_join(s->job->thread, NULL);
		job_free(s->job);
		s->job = NULL;
	}
	pause_accepting(s);
	if (s->backoff)
		g_source_remove(s->backoff);
	s->backoff = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	while (s->conns)
		conn_close(s->conns->data);
	g_source_remove(s->done_watch);
	close(s->done_fd);
	/* After a takeover the path is the successor's socket. */
	if (!s->handed_over)
		unlink(s->path);
	g_free(s->path);
	g_free(s);
}
