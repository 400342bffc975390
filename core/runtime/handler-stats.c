/* handler-stats.c: the runtime's counters as a snapshot
 * (ovsdp_handlers_stats_new) and its accessors.  Reading them never takes
 * the dispatch lock for writing, but to ask the plugin for its own view
 * (see PLUGIN_VIEW_MAX_AGE_MS). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "runtime/runtime.h"

/* One dispatcher in a snapshot. */
struct dispatcher_snapshot {
	char *name;
	char *description;
	bool active;
	uint64_t n_handlers;
	uint64_t n_sockets;
	uint64_t upcalls;
	uint64_t overruns;
	uint64_t empty_wakeups;
};

struct share_snapshot {
	char *name;
	uint64_t upcalls;
};

struct ovsdp_handlers_stats {
	uint64_t switches;
	uint64_t upcalls;
	uint64_t overruns;
	unsigned int n_handlers;
	struct ovsdp_handler_stats *per_handler;        /* n_handlers */
	unsigned int n_dispatchers;
	struct dispatcher_snapshot *dispatchers;        /* n_dispatchers */
	unsigned int n_shares;
	struct share_snapshot *shares;                  /* n_shares */
};

/* The plugin's own view, its stats and describe, costs the dispatch lock
 * for writing: <ovsdp/dispatch.h> promises the plugin that no handler is
 * inside wait_fd, wait or recv meanwhile (so that it may read counters its
 * handlers write under the read lock without atomics), and the control
 * mutex (one control method at a time).  Taking the write lock wakes every
 * handler out of wait and holds them off until both calls return; doing it
 * for every `ovsdp ctl stats` stalls the handlers as often as anyone asks.
 * So the core asks the plugin only when its answer may have changed
 * structurally (a control method ran since: 'changes') or is older than
 * this, and shows the last answer otherwise, and also while a control
 * operation holds the control mutex (a switch drains for up to seconds).
 * The core's own counters are atomics, read fresh every time without
 * either lock. */
#define PLUGIN_VIEW_MAX_AGE_MS 1000

/* With hs->lock. */
static bool
plugin_view_fresh(struct dispatcher *d, gint64 now)
{
	return d->seen && d->seen_changes == __atomic_load_n(&d->changes, __ATOMIC_RELAXED) &&
	       now - d->seen_at < PLUGIN_VIEW_MAX_AGE_MS * 1000;
}

/* Ask the active plugin for its view if the last one is stale.  'block':
 * wait for the control mutex even when there is a last answer. */
static void
refresh_plugin_view(struct ovsdp_handlers *hs, bool block)
{
	struct ovsdp_dispatch_stats ds = { .struct_size = sizeof ds };
	char description[sizeof hs->active->seen_description] = "";
	uint64_t n_sockets = 0, changes;
	struct dispatcher *d;
	bool fresh, seen;

	pthread_mutex_lock(&hs->lock);
	d = hs->active;
	fresh = !d || plugin_view_fresh(d, g_get_monotonic_time());
	seen = d && d->seen;
	pthread_mutex_unlock(&hs->lock);
	if (fresh && !block)
		return;
	if (pthread_mutex_trylock(&hs->control) != 0) {
		if (seen && !block)
			return;
		pthread_mutex_lock(&hs->control);
	}
	/* 'active' changes only under the control mutex. */
	d = hs->active;
	if (!d) {
		pthread_mutex_unlock(&hs->control);
		return;
	}
	dispatcher_control_lock(d);
	changes = __atomic_load_n(&d->changes, __ATOMIC_RELAXED);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, stats) &&
	    d->vt->stats(d->inst, OVSDP_DISPATCH_ALL_HANDLERS, &ds) == 0)
		n_sockets = ds.n_sockets;
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, describe)) {
		int r = d->vt->describe(d->inst, description, sizeof description);

		if (r < 0)
			g_snprintf(description, sizeof description, "(describe failed: %s)",
				   g_strerror(-r));
	}
	dispatcher_control_unlock(d);
	/* Not under d's lock: handlers take hs->lock, then d's. */
	pthread_mutex_lock(&hs->lock);
	d->seen = true;
	d->seen_changes = changes;
	d->seen_at = g_get_monotonic_time();
	d->seen_sockets = n_sockets;
	g_strlcpy(d->seen_description, description, sizeof d->seen_description);
	pthread_mutex_unlock(&hs->lock);
	pthread_mutex_unlock(&hs->control);
}

/* With hs->lock, d having been seen. */
static void
snapshot_dispatcher(struct dispatcher *d, bool active, struct dispatcher_snapshot *o)
{
	o->name = g_strdup(d->name);
	o->active = active;
	o->upcalls = __atomic_load_n(&d->upcalls, __ATOMIC_RELAXED);
	o->overruns = __atomic_load_n(&d->overruns, __ATOMIC_RELAXED);
	o->empty_wakeups = __atomic_load_n(&d->empty, __ATOMIC_RELAXED);
	o->n_handlers = __atomic_load_n(&d->n_handlers, __ATOMIC_RELAXED);
	o->n_sockets = d->seen_sockets;
	o->description = g_strdup(d->seen_description);
}

OVSDP_EXPORT int
ovsdp_handlers_stats_new(struct ovsdp_handlers *hs, struct ovsdp_handlers_stats **out)
{
	struct ovsdp_handlers_stats *st;
	GHashTableIter it;
	gpointer k, v;

	if (!hs || !out)
		return -EINVAL;
	refresh_plugin_view(hs, false);
	pthread_mutex_lock(&hs->lock);
	/* A switch made another plugin active since: ask it, and wait. */
	while (hs->active && !hs->active->seen) {
		pthread_mutex_unlock(&hs->lock);
		refresh_plugin_view(hs, true);
		pthread_mutex_lock(&hs->lock);
	}
	st = g_new0(struct ovsdp_handlers_stats, 1);
	st->switches = hs->switches;
	if (hs->active) {
		st->dispatchers = g_new0(struct dispatcher_snapshot, 1);
		snapshot_dispatcher(hs->active, true, &st->dispatchers[st->n_dispatchers++]);
	}
	st->n_handlers = hs->handlers->len;
	st->per_handler = g_new0(struct ovsdp_handler_stats, MAX(st->n_handlers, 1u));
	for (unsigned int i = 0; i < hs->handlers->len; i++) {
		struct ovsdp_handler *h = g_ptr_array_index(hs->handlers, i);
		struct ovsdp_handler_stats *p = &st->per_handler[i];

		p->replies = __atomic_load_n(&h->st.replies, __ATOMIC_ACQUIRE);
		p->upcalls = __atomic_load_n(&h->st.upcalls, __ATOMIC_RELAXED);
		p->batches = __atomic_load_n(&h->st.batches, __ATOMIC_RELAXED);
		p->wakeups = __atomic_load_n(&h->st.wakeups, __ATOMIC_RELAXED);
		p->empty_wakeups = __atomic_load_n(&h->st.empty_wakeups, __ATOMIC_RELAXED);
		p->malformed = __atomic_load_n(&h->st.malformed, __ATOMIC_RELAXED);
		p->truncated = __atomic_load_n(&h->st.truncated, __ATOMIC_RELAXED);
		p->reply_errors = __atomic_load_n(&h->st.reply_errors, __ATOMIC_RELAXED);
		p->transactions = __atomic_load_n(&h->st.transactions, __ATOMIC_RELAXED);
		p->reply_unconfirmed = __atomic_load_n(&h->st.reply_unconfirmed, __ATOMIC_RELAXED);
		st->upcalls += p->upcalls;
	}
	st->overruns = hs->retired_overruns + (hs->active ? st->dispatchers[0].overruns : 0);
	/* The running plugin first, its retired instances added in. */
	st->shares = g_new0(struct share_snapshot, g_hash_table_size(hs->shares) + 1);
	if (hs->active) {
		const uint64_t *retired = g_hash_table_lookup(hs->shares, hs->active->name);

		st->shares[0].name = g_strdup(hs->active->name);
		st->shares[0].upcalls = st->dispatchers[0].upcalls + (retired ? *retired : 0);
		st->n_shares = 1;
	}
	g_hash_table_iter_init(&it, hs->shares);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (hs->active && !strcmp(k, hs->active->name))
			continue;
		st->shares[st->n_shares].name = g_strdup(k);
		st->shares[st->n_shares].upcalls = *(uint64_t *)v;
		st->n_shares++;
	}
	pthread_mutex_unlock(&hs->lock);
	*out = st;
	return 0;
}

OVSDP_EXPORT void
ovsdp_handlers_stats_free(struct ovsdp_handlers_stats *st)
{
	if (!st)
		return;
	for (unsigned int i = 0; i < st->n_dispatchers; i++) {
		g_free(st->dispatchers[i].name);
		g_free(st->dispatchers[i].description);
	}
	for (unsigned int i = 0; i < st->n_shares; i++)
		g_free(st->shares[i].name);
	g_free(st->dispatchers);
	g_free(st->shares);
	g_free(st->per_handler);
	g_free(st);
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_total(const struct ovsdp_handlers_stats *st, enum ovsdp_handlers_counter c)
{
	if (!st)
		return 0;
	switch (c) {
	case OVSDP_HANDLERS_SWITCHES:
		return st->switches;
	case OVSDP_HANDLERS_UPCALLS:
		return st->upcalls;
	case OVSDP_HANDLERS_OVERRUNS:
		return st->overruns;
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_handlers(const struct ovsdp_handlers_stats *st)
{
	return st ? st->n_handlers : 0;
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_handler(const struct ovsdp_handlers_stats *st, unsigned int i,
			     enum ovsdp_handler_counter c)
{
	const struct ovsdp_handler_stats *h;

	if (!st || i >= st->n_handlers)
		return 0;
	h = &st->per_handler[i];
	switch (c) {
	case OVSDP_HANDLER_UPCALLS:
		return h->upcalls;
	case OVSDP_HANDLER_BATCHES:
		return h->batches;
	case OVSDP_HANDLER_WAKEUPS:
		return h->wakeups;
	case OVSDP_HANDLER_EMPTY_WAKEUPS:
		return h->empty_wakeups;
	case OVSDP_HANDLER_MALFORMED:
		return h->malformed;
	case OVSDP_HANDLER_TRUNCATED:
		return h->truncated;
	case OVSDP_HANDLER_REPLIES:
		return h->replies;
	case OVSDP_HANDLER_REPLY_ERRORS:
		return h->reply_errors;
	case OVSDP_HANDLER_TRANSACTIONS:
		return h->transactions;
	case OVSDP_HANDLER_REPLY_UNCONFIRMED:
		return h->reply_unconfirmed;
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_dispatchers(const struct ovsdp_handlers_stats *st)
{
	return st ? st->n_dispatchers : 0;
}

static const struct dispatcher_snapshot *
snapshot_get_dispatcher(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	return st && i < st->n_dispatchers ? &st->dispatchers[i] : NULL;
}

OVSDP_EXPORT const char *
ovsdp_handlers_stats_dispatcher_name(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	return d ? d->name : NULL;
}

OVSDP_EXPORT const char *
ovsdp_handlers_stats_dispatcher_description(const struct ovsdp_handlers_stats *st,
					    unsigned int i)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	return d ? d->description : NULL;
}

OVSDP_EXPORT bool
ovsdp_handlers_stats_dispatcher_active(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	return d && d->active;
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_dispatcher(const struct ovsdp_handlers_stats *st, unsigned int i,
				enum ovsdp_dispatcher_counter c)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	if (!d)
		return 0;
	switch (c) {
	case OVSDP_DISPATCHER_HANDLERS:
		return d->n_handlers;
	case OVSDP_DISPATCHER_SOCKETS:
		return d->n_sockets;
	case OVSDP_DISPATCHER_UPCALLS:
		return d->upcalls;
	case OVSDP_DISPATCHER_OVERRUNS:
		return d->overruns;
	case OVSDP_DISPATCHER_EMPTY_WAKEUPS:
		return d->empty_wakeups;
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_shares(const struct ovsdp_handlers_stats *st)
{
	return st ? st->n_shares : 0;
}

OVSDP_EXPORT const char *
ovsdp_handlers_stats_share_name(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	return st && i < st->n_shares ? st->shares[i].name : NULL;
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_share_upcalls(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	return st && i < st->n_shares ? st->shares[i].upcalls : 0;
}
