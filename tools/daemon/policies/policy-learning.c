/* policy-learning.c: the learning policy of ovsdpd, an L2 learning switch.
 * Upcalls teach it which port each source MAC lives on; a frame to a known
 * MAC gets a kernel flow (in_port, eth src/dst, eth_type exact, the rest
 * wildcarded) so the next ones never come up, and is sent on; anything else
 * is flooded by hand without a flow.  A timer thread removes flows the
 * kernel has not used for idle-timeout seconds, and those that point at a
 * port that went away or at a MAC that moved. */
#include "config.h"

#include <pthread.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "policy.h"

#define TICK_MS 1000

struct mac_entry {
	uint32_t port_no;
	gint64 seen_us;         /* monotonic */
};

struct learning {
	struct policy base;
	unsigned int idle_timeout_ms;
	unsigned int max_macs;
	unsigned int mac_age_s;

	pthread_mutex_t lock;            /* macs, ports, purge lists, stop */
	GHashTable *macs;       /* mac as integer -> struct mac_entry */
	GHashTable *ports;      /* port_no -> name */
	GArray *purge_ports;    /* uint32_t: flows in or out of these go */
	GArray *purge_macs;     /* uint64_t: flows towards these go */
	pthread_cond_t wake;
	bool stop;
	GThread *timer;

	/* timer thread only */
	struct ovsdp_dp *tdp;
	GHashTable *first_seen; /* ufid (16 bytes) -> ms when first dumped unused */

	/* atomics */
	uint64_t upcalls, learned, moved, flows, forwarded, flooded, dropped, table_full;
	uint64_t expired, purged, ignored;
};

static uint64_t
mac_u64(const uint8_t m[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | m[i];
	return v;
}

static void
u64_mac(uint64_t v, uint8_t m[6])
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		m[i] = (uint8_t)v;
}

static bool
mac_is_multicast(const uint8_t m[6])
{
	return m[0] & 1;
}

static void
count(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* The ufid of the flow for (in_port, src, dst, type): the same for every
 * handler that sees the same miss, so racing puts update one flow. */
static void
flow_ufid(uint32_t in_port, const uint8_t src[6], const uint8_t dst[6], uint16_t type,
	  struct ovsdp_ufid *u)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_MD5);
	uint8_t digest[16];
	gsize len = sizeof digest;

	g_checksum_update(c, (const guchar *)&in_port, sizeof in_port);
	g_checksum_update(c, src, 6);
	g_checksum_update(c, dst, 6);
	g_checksum_update(c, (const guchar *)&type, sizeof type);
	g_checksum_get_digest(c, digest, &len);
	g_checksum_free(c);
	memcpy(u, digest, sizeof *u);
	u->u32[0] = POLICY_UFID_MAGIC;
}

/* Record src on in_port.  Called with the lock held. */
static void
learn(struct learning *l, const uint8_t src[6], uint32_t in_port, gint64 now)
{
	uint64_t key = mac_u64(src);
	struct mac_entry *e;

	if (mac_is_multicast(src) || key == 0 || !g_hash_table_contains(l->ports,
									GUINT_TO_POINTER(in_port)))
		return;
	e = g_hash_table_lookup(l->macs, GSIZE_TO_POINTER(key));
	if (e) {
		if (e->port_no != in_port) {
			/* Flows towards it still point at the old port. */
			e->port_no = in_port;
			g_array_append_val(l->purge_macs, key);
			pthread_cond_signal(&l->wake);
			count(&l->moved, 1);
		}
		e->seen_us = now;
		return;
	}
	if (g_hash_table_size(l->macs) >= l->max_macs) {
		count(&l->table_full, 1);
		return;
	}
	e = g_new(struct mac_entry, 1);
	e->port_no = in_port;
	e->seen_us = now;
	g_hash_table_insert(l->macs, GSIZE_TO_POINTER(key), e);
	count(&l->learned, 1);
}

/* Output actions to every port but in_port and the local port (the
 * datapath's own device, normally down). */
static void
flood_actions(struct learning *l, uint32_t in_port, struct ovsdp_buf *actions)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, l->ports);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		uint32_t p = GPOINTER_TO_UINT(k);

		if (p != in_port && p != OVSDP_PORT_LOCAL)
			policy_put_output(actions, p);
	}
}

static void
exact_mask(struct ovsdp_buf *mask)
{
	struct ovs_key_ethernet eth;

	memset(&eth, 0xff, sizeof eth);
	ovsdp_buf_put_u32(mask, OVS_KEY_ATTR_IN_PORT, UINT32_MAX);
	ovsdp_buf_put_attr(mask, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
	ovsdp_buf_put_u16(mask, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
}

static void
learning_upcalls(struct policy *p, struct ovsdp_handler *h, const struct ovsdp_upcall *ups,
		 unsigned int n)
{
	struct learning *l = (struct learning *)p;
	gint64 now = g_get_monotonic_time();

	count(&l->upcalls, n);
	for (unsigned int i = 0; i < n; i++) {
		const struct ovsdp_upcall *u = &ups[i];
		struct ovsdp_buf actions = OVSDP_BUF_INIT;
		struct ovsdp_flow_fields f;
		struct ovsdp_execute ex = {
			.packet = u->packet, .packet_len = u->packet_len,
			.key = u->key, .key_len = u->key_len, .mru = u->mru,
		};
		uint32_t out = OVSDP_PORT_NONE;
		bool flood;

		if (u->cmd != OVSDP_UPCALL_MISS || u->packet_len < 14 ||
		    ovsdp_odp_key_fields(u->key, u->key_len, &f) < 0 || !f.has_eth ||
		    !f.has_in_port) {
			count(&l->ignored, 1);
			continue;
		}
		pthread_mutex_lock(&l->lock);
		learn(l, f.eth_src, f.in_port, now);
		flood = mac_is_multicast(f.eth_dst);
		if (!flood) {
			struct mac_entry *e = g_hash_table_lookup(l->macs,
								  GSIZE_TO_POINTER(mac_u64(f.eth_dst)));

			if (e)
				out = e->port_no;
			else
				flood = true;
		}
		if (flood)
			flood_actions(l, f.in_port, &actions);
		pthread_mutex_unlock(&l->lock);

		if (!flood && out == f.in_port) {
			/* Both ends on one port: the wire already delivered it. */
			count(&l->dropped, 1);
			continue;
		}
		if (!flood) {
			struct ovsdp_buf mask = OVSDP_BUF_INIT;
			struct ovsdp_ufid ufid;
			struct ovsdp_flow_put put = {
				.flags = OVSDP_FLOW_PUT_CREATE | OVSDP_FLOW_PUT_MODIFY,
				.key = u->key, .key_len = u->key_len,
				.ufid = &ufid,
			};

			policy_put_output(&actions, out);
			/* 802.1Q frames would need the encapsulated key's mask
			 * too: forward them by hand only. */
			if (!f.has_vlan) {
				exact_mask(&mask);
				flow_ufid(f.in_port, f.eth_src, f.eth_dst, f.eth_type, &ufid);
				put.mask = mask.data;
				put.mask_len = mask.len;
				put.actions = actions.data;
				put.actions_len = actions.len;
				if (ovsdp_handler_queue_flow_put(h, &put) == 0)
					count(&l->flows, 1);
			}
			ovsdp_buf_clear(&mask);
			count(&l->forwarded, 1);
		} else {
			count(&l->flooded, 1);
		}
		if (actions.len) {
			ex.actions = actions.data;
			ex.actions_len = actions.len;
			ovsdp_handler_queue_execute(h, &ex);
		}
		ovsdp_buf_clear(&actions);
	}
}

static void
learning_port_added(struct policy *p, uint32_t port_no, const char *name)
{
	struct learning *l = (struct learning *)p;

	pthread_mutex_lock(&l->lock);
	g_hash_table_insert(l->ports, GUINT_TO_POINTER(port_no), g_strdup(name ? name : ""));
	pthread_mutex_unlock(&l->lock);
}

static void
learning_port_deleted(struct policy *p, uint32_t port_no)
{
	struct learning *l = (struct learning *)p;
	GHashTableIter it;
	gpointer v;
	unsigned int forgotten = 0;

	pthread_mutex_lock(&l->lock);
	g_hash_table_remove(l->ports, GUINT_TO_POINTER(port_no));
	g_hash_table_iter_init(&it, l->macs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		if (((struct mac_entry *)v)->port_no == port_no) {
			g_hash_table_iter_remove(&it);
			forgotten++;
		}
	}
	g_array_append_val(l->purge_ports, port_no);
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->lock);
	g_message("learning: port %u is gone: forgot %u MAC%s, its flows go too", port_no,
		  forgotten, forgotten == 1 ? "" : "s");
}

/* The first output port of an action list, or OVSDP_PORT_NONE. */
static uint32_t
first_output(const void *actions, size_t len)
{
	const uint8_t *a = actions;

	while (len >= NLA_HDRLEN) {
		struct nlattr h;

		memcpy(&h, a, sizeof h);
		if (h.nla_len < NLA_HDRLEN || h.nla_len > len)
			break;
		if (h.nla_type == OVS_ACTION_ATTR_OUTPUT && h.nla_len == NLA_HDRLEN + 4) {
			uint32_t port;

			memcpy(&port, a + NLA_HDRLEN, 4);
			return port;
		}
		if ((size_t)NLA_ALIGN(h.nla_len) >= len)
			break;
		a += NLA_ALIGN(h.nla_len);
		len -= NLA_ALIGN(h.nla_len);
	}
	return OVSDP_PORT_NONE;
}

struct sweep {
	struct learning *l;
	GArray *ports;          /* purge requests taken for this tick */
	GArray *macs;
	uint64_t now_ms;
	GHashTable *seen;       /* ufids present in this dump */
	unsigned int idle, purge;
};

static bool
array_has_u32(GArray *a, uint32_t v)
{
	for (guint i = 0; i < a->len; i++) {
		if (g_array_index(a, uint32_t, i) == v)
			return true;
	}
	return false;
}

static bool
array_has_u64(GArray *a, uint64_t v)
{
	for (guint i = 0; i < a->len; i++) {
		if (g_array_index(a, uint64_t, i) == v)
			return true;
	}
	return false;
}

static guint
ufid_hash(gconstpointer p)
{
	const struct ovsdp_ufid *u = p;

	return u->u32[1] ^ u->u32[2] ^ u->u32[3];
}

static gboolean
ufid_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct ovsdp_ufid)) == 0;
}

/* Decide for one of our flows whether it goes now. */
static bool
sweep_match(const struct ovsdp_flow *f, void *data)
{
	struct sweep *s = data;
	struct learning *l = s->l;
	struct ovsdp_flow_fields ff;
	uint64_t last;
	gpointer first;

	g_hash_table_add(s->seen, g_memdup2(&f->ufid, sizeof f->ufid));
	if (f->has_key && ovsdp_odp_key_fields(f->key, f->key_len, &ff) == 0) {
		uint32_t out = f->has_actions ? first_output(f->actions, f->actions_len)
					      : OVSDP_PORT_NONE;

		if ((ff.has_in_port && array_has_u32(s->ports, ff.in_port)) ||
		    (out != OVSDP_PORT_NONE && array_has_u32(s->ports, out)) ||
		    (ff.has_eth && array_has_u64(s->macs, mac_u64(ff.eth_dst)))) {
			s->purge++;
			return true;
		}
	}
	last = f->stats.used_ms;
	if (!last) {
		/* Never hit since it was put: count from when we first saw it. */
		first = g_hash_table_lookup(l->first_seen, &f->ufid);
		if (!first) {
			g_hash_table_insert(l->first_seen, g_memdup2(&f->ufid, sizeof f->ufid),
					    g_memdup2(&s->now_ms, sizeof s->now_ms));
			return false;
		}
		last = *(uint64_t *)first;
	}
	if (s->now_ms > last && s->now_ms - last >= l->idle_timeout_ms) {
		s->idle++;
		return true;
	}
	return false;
}

static void
sweep(struct learning *l)
{
	struct sweep s = { .l = l, .now_ms = ovsdp_flow_now_ms() };
	GHashTableIter it;
	gpointer k, v;
	gint64 now = g_get_monotonic_time();
	int r;

	pthread_mutex_lock(&l->lock);
	s.ports = l->purge_ports;
	s.macs = l->purge_macs;
	l->purge_ports = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	l->purge_macs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	/* MACs silent for mac-age are forgotten; their flows age out alone. */
	g_hash_table_iter_init(&it, l->macs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		if (now - ((struct mac_entry *)v)->seen_us > (gint64)l->mac_age_s * G_USEC_PER_SEC)
			g_hash_table_iter_remove(&it);
	}
	pthread_mutex_unlock(&l->lock);

	if (!l->tdp && ovsdp_dp_open(l->base.dp_name, &l->tdp, NULL) < 0)
		goto out;
	s.seen = g_hash_table_new_full(ufid_hash, ufid_equal, g_free, NULL);
	r = policy_flows_purge(l->tdp, sweep_match, &s);
	if (r < 0) {
		g_debug("learning: flow sweep on %s: %s", l->base.dp_name, g_strerror(-r));
		ovsdp_dp_close(l->tdp);
		l->tdp = NULL;
	} else {
		count(&l->expired, s.idle);
		count(&l->purged, s.purge);
		if (s.idle || s.purge)
			g_debug("learning: removed %u idle and %u stale flows", s.idle, s.purge);
		/* Forget first-seen times of flows that are gone. */
		g_hash_table_iter_init(&it, l->first_seen);
		while (g_hash_table_iter_next(&it, &k, NULL)) {
			if (!g_hash_table_contains(s.seen, k))
				g_hash_table_iter_remove(&it);
		}
	}
	g_hash_table_destroy(s.seen);
out:
	g_array_free(s.ports, TRUE);
	g_array_free(s.macs, TRUE);
}

/* pthread, not GCond, so that ThreadSanitizer sees the lock.  False once
 * 'until' (g_get_monotonic_time() microseconds) has passed. */
static bool
wait_until(struct learning *l, gint64 until)
{
	struct timespec ts = { .tv_sec = until / G_USEC_PER_SEC,
			       .tv_nsec = (until % G_USEC_PER_SEC) * 1000 };

	return pthread_cond_timedwait(&l->wake, &l->lock, &ts) != ETIMEDOUT;
}

static gpointer
timer_main(gpointer data)
{
	struct learning *l = data;

	pthread_mutex_lock(&l->lock);
	while (!l->stop) {
		gint64 until = g_get_monotonic_time() + TICK_MS * 1000;

		/* Purge requests run at once; otherwise once a tick. */
		while (!l->stop && !l->purge_ports->len && !l->purge_macs->len &&
		       wait_until(l, until))
			;
		if (l->stop)
			break;
		pthread_mutex_unlock(&l->lock);
		sweep(l);
		pthread_mutex_lock(&l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

static unsigned int
learning_counters(struct policy *p, struct policy_counter *out, unsigned int max)
{
	struct learning *l = (struct learning *)p;
#define C(name, field) { name, __atomic_load_n(&l->field, __ATOMIC_RELAXED) }
	const struct policy_counter all[] = {
		C("upcalls", upcalls), C("macs-learned", learned), C("macs-moved", moved),
		C("table-full", table_full), C("flows-installed", flows), C("forwarded", forwarded),
		C("flooded", flooded), C("dropped", dropped), C("ignored", ignored),
		C("flows-expired", expired), C("flows-purged", purged),
	};
#undef C
	unsigned int n = MIN(max, G_N_ELEMENTS(all));

	memcpy(out, all, n * sizeof *out);
	return n;
}

static gint
mac_cmp(gconstpointer a, gconstpointer b)
{
	return memcmp(((const struct policy_mac *)a)->mac, ((const struct policy_mac *)b)->mac, 6);
}

static GArray *
learning_macs(struct policy *p)
{
	struct learning *l = (struct learning *)p;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct policy_mac));
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer k, v;

	pthread_mutex_lock(&l->lock);
	g_hash_table_iter_init(&it, l->macs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct mac_entry *e = v;
		struct policy_mac m = {
			.port_no = e->port_no,
			.age_ms = (uint64_t)(now - e->seen_us) / 1000,
		};

		u64_mac(GPOINTER_TO_SIZE(k), m.mac);
		g_array_append_val(a, m);
	}
	pthread_mutex_unlock(&l->lock);
	g_array_sort(a, mac_cmp);
	return a;
}

static char *
learning_describe(struct policy *p)
{
	struct learning *l = (struct learning *)p;

	return g_strdup_printf("learning: L2 learning switch; flows idle for %u s expire; at most "
			       "%u MACs, forgotten after %u s of silence",
			       l->idle_timeout_ms / 1000, l->max_macs, l->mac_age_s);
}

static void
learning_destroy(struct policy *p, struct ovsdp_dp *dp)
{
	struct learning *l = (struct learning *)p;
	int r;

	if (l->timer) {
		pthread_mutex_lock(&l->lock);
		l->stop = true;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		g_thread_join(l->timer);
	}
	if (dp) {
		r = policy_flows_purge(dp, NULL, NULL);
		if (r >= 0)
			g_message("learning: removed the %d flow%s it had installed", r,
				  r == 1 ? "" : "s");
		else if (r != -ENODEV)
			g_warning("learning: removing its flows: %s", g_strerror(-r));
	}
	ovsdp_dp_close(l->tdp);
	g_hash_table_destroy(l->first_seen);
	g_hash_table_destroy(l->macs);
	g_hash_table_destroy(l->ports);
	g_array_free(l->purge_ports, TRUE);
	g_array_free(l->purge_macs, TRUE);
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->lock);
	g_free(p->dp_name);
	g_free(l);
}

static const struct policy_class learning_class = {
	.name = "learning",
	.destroy = learning_destroy,
	.upcalls = learning_upcalls,
	.port_added = learning_port_added,
	.port_deleted = learning_port_deleted,
	.counters = learning_counters,
	.macs = learning_macs,
	.describe = learning_describe,
};

struct policy *
policy_learning_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
		    const struct ovsdp_vport_info *ports, unsigned int n_ports, GError **error)
{
	struct learning *l = g_new0(struct learning, 1);
	pthread_condattr_t ca;
	int r;

	l->base.cls = &learning_class;
	l->base.dp_name = g_strdup(ovsdp_dp_name(dp));
	l->idle_timeout_ms = cfg->idle_timeout_s * 1000;
	l->max_macs = cfg->max_macs;
	l->mac_age_s = cfg->mac_age_s;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);   /* g_get_monotonic_time's */
	pthread_cond_init(&l->wake, &ca);
	pthread_condattr_destroy(&ca);
	l->macs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	l->ports = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	l->first_seen = g_hash_table_new_full(ufid_hash, ufid_equal, g_free, g_free);
	l->purge_ports = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	l->purge_macs = g_array_new(FALSE, FALSE, sizeof(uint64_t));

	/* Flows an earlier run left behind (it crashed) point at MACs this
	 * run does not know. */
	r = policy_flows_purge(dp, NULL, NULL);
	if (r > 0)
		g_message("learning: removed %d flow%s left by an earlier run", r, r == 1 ? "" : "s");
	for (unsigned int i = 0; i < n_ports; i++)
		learning_port_added(&l->base, ports[i].port_no, ports[i].name);
	l->timer = g_thread_new("ovsdpd-learning", timer_main, l);
	return &l->base;
}
