/* policy-slowpath.c: the slowpath policy of ovsdpd: no flow is ever
 * installed; every packet comes up as an upcall and is executed to one
 * configured output port, so user space forwards all traffic by hand. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "policy.h"

struct slowpath {
	struct policy base;
	char *output;           /* the configured name or number */
	uint32_t out_port;      /* atomic; OVSDP_PORT_NONE while absent */
	uint64_t upcalls;       /* atomics from here */
	uint64_t forwarded;
	uint64_t dropped;
};

static bool
names_output(struct slowpath *s, uint32_t port_no, const char *name)
{
	guint64 n;

	if (name && !strcmp(name, s->output))
		return true;
	return g_ascii_string_to_unsigned(s->output, 10, 0, UINT32_MAX - 1, &n, NULL) &&
	       n == port_no;
}

static void
slowpath_upcalls(struct policy *p, struct ovsdp_handler *h, const struct ovsdp_upcall *ups,
		 unsigned int n)
{
	struct slowpath *s = (struct slowpath *)p;
	uint32_t out = __atomic_load_n(&s->out_port, __ATOMIC_RELAXED);
	struct ovsdp_buf actions = OVSDP_BUF_INIT;
	unsigned int fwd = 0;

	if (out != OVSDP_PORT_NONE)
		policy_put_output(&actions, out);
	for (unsigned int i = 0; i < n; i++) {
		const struct ovsdp_upcall *u = &ups[i];
		struct ovsdp_execute ex = {
			.packet = u->packet, .packet_len = u->packet_len,
			.key = u->key, .key_len = u->key_len,
			.actions = actions.data, .actions_len = actions.len,
			.mru = u->mru,
		};

		/* Sending a packet back where it came from is never what a
		 * one-port forwarder means. */
		if (out == OVSDP_PORT_NONE || u->in_port == out || u->packet_len < 14)
			continue;
		if (ovsdp_handler_queue_execute(h, &ex) == 0)
			fwd++;
	}
	ovsdp_buf_clear(&actions);
	__atomic_add_fetch(&s->upcalls, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->forwarded, fwd, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->dropped, n - fwd, __ATOMIC_RELAXED);
}

static void
slowpath_port_added(struct policy *p, uint32_t port_no, const char *name)
{
	struct slowpath *s = (struct slowpath *)p;

	if (names_output(s, port_no, name)) {
		__atomic_store_n(&s->out_port, port_no, __ATOMIC_RELAXED);
		g_message("slowpath: output port %s is port %u", s->output, port_no);
	}
}

static void
slowpath_port_deleted(struct policy *p, uint32_t port_no)
{
	struct slowpath *s = (struct slowpath *)p;

	if (__atomic_load_n(&s->out_port, __ATOMIC_RELAXED) == port_no) {
		__atomic_store_n(&s->out_port, OVSDP_PORT_NONE, __ATOMIC_RELAXED);
		g_warning("slowpath: output port %s (%u) is gone: dropping packets until it "
			  "comes back", s->output, port_no);
	}
}

static unsigned int
slowpath_counters(struct policy *p, struct policy_counter *out, unsigned int max)
{
	struct slowpath *s = (struct slowpath *)p;

	if (max < 3)
		return 0;
	out[0] = (struct policy_counter){ "upcalls", __atomic_load_n(&s->upcalls, __ATOMIC_RELAXED) };
	out[1] = (struct policy_counter){ "forwarded",
					  __atomic_load_n(&s->forwarded, __ATOMIC_RELAXED) };
	out[2] = (struct policy_counter){ "dropped", __atomic_load_n(&s->dropped, __ATOMIC_RELAXED) };
	return 3;
}

static GArray *
slowpath_macs(struct policy *p)
{
	return NULL;
}

static char *
slowpath_describe(struct policy *p)
{
	struct slowpath *s = (struct slowpath *)p;
	uint32_t out = __atomic_load_n(&s->out_port, __ATOMIC_RELAXED);

	if (out == OVSDP_PORT_NONE)
		return g_strdup_printf("slowpath: every packet to %s (absent: dropping); no flows",
				       s->output);
	return g_strdup_printf("slowpath: every packet to %s (port %u); no flows", s->output, out);
}

static void
slowpath_destroy(struct policy *p, struct ovsdp_dp *dp)
{
	struct slowpath *s = (struct slowpath *)p;

	g_free(s->output);
	g_free(p->dp_name);
	g_free(s);
}

static const struct policy_class slowpath_class = {
	.name = "slowpath",
	.destroy = slowpath_destroy,
	.upcalls = slowpath_upcalls,
	.port_added = slowpath_port_added,
	.port_deleted = slowpath_port_deleted,
	.counters = slowpath_counters,
	.macs = slowpath_macs,
	.describe = slowpath_describe,
};

struct policy *
policy_slowpath_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
		    const struct ovsdp_vport_info *ports, unsigned int n_ports, GError **error)
{
	struct slowpath *s = g_new0(struct slowpath, 1);

	s->base.cls = &slowpath_class;
	s->base.dp_name = g_strdup(ovsdp_dp_name(dp));
	s->output = g_strdup(cfg->output);
	s->out_port = OVSDP_PORT_NONE;
	for (unsigned int i = 0; i < n_ports; i++) {
		if (names_output(s, ports[i].port_no, ports[i].name))
			s->out_port = ports[i].port_no;
	}
	if (s->out_port == OVSDP_PORT_NONE)
		g_warning("slowpath: output port %s is not on datapath %s: dropping packets until "
			  "it is added", s->output, s->base.dp_name);
	return &s->base;
}
