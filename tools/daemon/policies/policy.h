/* policy.h: what ovsdpd does with upcalls.  A policy is the handler
 * runtime's callback plus its own state: learning (an L2 learning switch
 * that installs kernel flows), slowpath (every packet forwarded by hand to
 * one port) and drop (count and drop).  The upcall and port methods are
 * called from any thread; create and destroy from the main thread. */
#ifndef OVSDP_TOOLS_POLICY_H
#define OVSDP_TOOLS_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ovsdpd-conf.h"

/* First word of the ufid of every flow a policy installs, so its flows are
 * found in a dump (and removed on exit, even those of an earlier run that
 * crashed).  ASCII "ovsd". */
#define POLICY_UFID_MAGIC 0x6f767364u

struct policy_counter {
	const char *name;
	uint64_t value;
};

/* One row of the learning table. */
struct policy_mac {
	uint8_t mac[6];
	uint32_t port_no;
	uint64_t age_ms;
};

struct policy;

struct policy_class {
	const char *name;
	/* Stop the policy's threads and remove every flow it installed. */
	void (*destroy)(struct policy *p, struct ovsdp_dp *dp);
	/* The handler runtime's callback. */
	void (*upcalls)(struct policy *p, struct ovsdp_handler *h, const struct ovsdp_upcall *ups,
			unsigned int n);
	void (*port_added)(struct policy *p, uint32_t port_no, const char *name);
	void (*port_deleted)(struct policy *p, uint32_t port_no);
	/* Fill up to max counters; returns how many. */
	unsigned int (*counters)(struct policy *p, struct policy_counter *out, unsigned int max);
	/* The MAC table (GArray of struct policy_mac), or NULL when the
	 * policy keeps none. */
	GArray *(*macs)(struct policy *p);
	/* One line saying what it does with its options. */
	char *(*describe)(struct policy *p);
};

struct policy {
	const struct policy_class *cls;
	char *dp_name;
};

#define POLICY_COUNTERS_MAX 16

/* Create the configured policy for the datapath behind 'dp' (the daemon's
 * control handle, used only during the call), knowing the 'n_ports' ports
 * of 'ports' (the daemon's list: from then on it hears of ports only
 * through port_added and port_deleted).  Returns NULL with *error. */
struct policy *policy_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
			  const struct ovsdp_vport_info *ports, unsigned int n_ports,
			  GError **error);

/* The ovsdp_upcall_fn to give the runtime, with the policy as user data. */
void policy_upcall_fn(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n,
		      void *policy);

/* Remove every flow carrying POLICY_UFID_MAGIC (optionally only those
 * 'match' accepts).  Returns how many were deleted, or -errno. */
int policy_flows_purge(struct ovsdp_dp *dp,
		       bool (*match)(const struct ovsdp_flow *f, void *data), void *data);

/* Append an output(port) action. */
void policy_put_output(struct ovsdp_buf *actions, uint32_t port_no);

struct policy *policy_learning_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
				   const struct ovsdp_vport_info *ports, unsigned int n_ports,
				   GError **error);
struct policy *policy_slowpath_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
				   const struct ovsdp_vport_info *ports, unsigned int n_ports,
				   GError **error);
struct policy *policy_drop_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
			       const struct ovsdp_vport_info *ports, unsigned int n_ports,
			       GError **error);

static inline void
policy_destroy(struct policy *p, struct ovsdp_dp *dp)
{
	if (p)
		p->cls->destroy(p, dp);
}

#endif
