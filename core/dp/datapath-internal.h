/* datapath-internal.h: what datapath.c shares with vport.c, flow.c and
 * packet.c: the handle's layout and requests serialised on its socket. */
#ifndef OVSDP_DATAPATH_INTERNAL_H
#define OVSDP_DATAPATH_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <glib.h>

#include "nl/netlink.h"
#include "ovsdp/datapath.h"

struct ovsdp_dp {
	struct ovsdp_nl *nl;
	pthread_mutex_t lock;                    /* serialises use of nl */
	char name[OVSDP_NAME_MAX];
	int ifindex;
	uint32_t user_features;         /* the whole set, resent on every SET */
	bool big_buffers;               /* ovsdp_dp_grow_buffers() done (under lock) */
};

/* Give the handle's socket room for a batch of requests in one send and
 * for all their acks and replies (libnl leaves 32 KiB each way): 1 MiB
 * each way, forced where CAP_NET_ADMIN allows, else what rmem/wmem_max
 * allow.  Once per handle; call with dp->lock held. */
void ovsdp_dp_grow_buffers(struct ovsdp_dp *dp);

/* Begin in 'b' a request of family 'f' addressed to dp's datapath: 0, or
 * -ENOENT when the family is absent. */
int ovsdp_dp_request(struct ovsdp_dp *dp, struct ovsdp_buf *b, enum ovsdp_family f,
		     uint8_t cmd, int nlm_flags);

/* ovsdp_nl_transact() under the handle's lock ('req' is cleared). */
int ovsdp_dp_transact(struct ovsdp_dp *dp, struct ovsdp_buf *req, ovsdp_nl_reply_fn fn,
		      void *arg, const char *what, GError **error);

/* The families' attribute policies (one each; meter, ct-limit and the
 * packet family's upcalls keep theirs in their own file). */
extern const struct ovsdp_nl_policy ovsdp_dp_policy;
extern const struct ovsdp_nl_policy ovsdp_vport_policy;
extern const struct ovsdp_nl_policy ovsdp_flow_policy;
#define OVSDP_VPORT_ATTR_MAX MAX(OVS_VPORT_ATTR_MAX, OVSDP_VPORT_ATTR_UPCALL_STATS)

/* Payload of a u32/u16/u64 attribute, false when absent: its size is the
 * family policy's (ovsdp_nl_parse() checked it). */
bool ovsdp_attr_u16(const struct nlattr *a, uint16_t *v);
bool ovsdp_attr_u32(const struct nlattr *a, uint32_t *v);
bool ovsdp_attr_u64(const struct nlattr *a, uint64_t *v);
/* An array of u32 (the policy's array rule: a multiple of 4): its count, 0
 * when absent, and its first 'max' elements copied into out (may be NULL). */
int ovsdp_attr_u32_array(const struct nlattr *a, uint32_t *out, size_t max);
/* Where a reply's pid array goes (per-CPU pids, a port's upcall pids):
 * pids[max] gets the first ones, n the count the kernel holds. */
struct ovsdp_pids_out {
	uint32_t *pids;
	size_t max;
	int n;
};
/* Copy a string attribute (the policy's NLA_STRING) into out[size]; false
 * when absent or it does not fit. */
bool ovsdp_attr_str(const struct nlattr *a, char *out, size_t size);

/* The reply parsers, without a socket (the receive paths and the fuzz
 * targets in tests/fuzz/ share them).  Each reads only within
 * nlh->nlmsg_len, which the caller has checked against the datagram
 * (ovsdp_nl_datagram_next()), and returns 0 (1/0 for an event: reported or
 * not) or -EPROTO when the message is malformed. */
struct ovsdp_vport_info;
struct ovsdp_flow;
struct ovsdp_event;
/* An ovs_datapath reply (GET, NEW, SET, DEL). */
int ovsdp_dp_parse_reply(struct nlmsghdr *nlh, struct ovsdp_dp_info *info);
/* An ovs_vport reply; *pids_attr (may be NULL) gets the upcall pid array. */
int ovsdp_vport_parse_reply(struct nlmsghdr *nlh, struct ovsdp_vport_info *info,
			    struct nlattr **pids_attr);
/* An ovs_flow reply: *f's fields point into 'nlh' (flow dump). */
int ovsdp_flow_parse_reply(struct nlmsghdr *nlh, struct ovsdp_flow *f);
/* An ovs_flow reply copied into f->storage, then parsed (flow get); 'arg'
 * is the struct ovsdp_flow. */
int ovsdp_flow_get_reply(struct nlmsghdr *nlh, void *arg);
/* A datapath or vport notification of the families in fam[OVSDP_FAMILY_N]. */
int ovsdp_monitor_parse_event(const struct ovsdp_family_info *fam, struct nlmsghdr *nlh,
			      struct ovsdp_event *ev);
/* The next event in the received datagram buf[0, len) from *off (which
 * it advances): 1 with *ev, 0 when the datagram holds no more, -EPROTO
 * when a notification (or the datagram) is malformed. */
int ovsdp_monitor_take(const struct ovsdp_family_info *fam, void *buf, size_t len, size_t *off,
		       struct ovsdp_event *ev);

/* tunnel.c, for vport.c: after netdev port 'port' is deleted, delete its
 * device when it is a tunnel device ovsdp made (OVSDP_TUNNEL_ALIAS);
 * -errno with the kernel's text in kmsg[len] on failure. */
int ovsdp_tunnel_device_cleanup(const struct ovsdp_vport_info *port, char *kmsg, size_t len);

/* tunnel.c, for tunnel-port.c: the device's IFLA_INFO_KIND (NULL for an
 * unknown kind) and the legacy vport type of a tunnel kind (0 if none). */
const char *ovsdp_tunnel_device_kind(uint32_t kind);
uint32_t ovsdp_tunnel_legacy_type(uint32_t kind);
/* Create device spec->name, bring it up and mark it ours: 0, or -errno
 * with *step the step that failed and the kernel's text in kmsg[len] (a
 * device created but not brought up is deleted again). */
enum ovsdp_tunnel_step {
	OVSDP_TUNNEL_STEP_SOCKET,       /* opening the route socket */
	OVSDP_TUNNEL_STEP_CREATE,       /* RTM_NEWLINK creating it */
	OVSDP_TUNNEL_STEP_UP,           /* setting it up with our alias */
};
struct ovsdp_tunnel_spec;
int ovsdp_tunnel_device_add(const struct ovsdp_tunnel_spec *spec, enum ovsdp_tunnel_step *step,
			    char *kmsg, size_t len);
/* Delete device 'name' (best effort: the port could not be added). */
void ovsdp_tunnel_device_del(const char *name);

#endif
