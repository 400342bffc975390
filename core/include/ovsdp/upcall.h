/* ovsdp/upcall.h: receiving upcalls (packets the kernel sends to user
 * space) on sockets of their own, and parsing each message into struct
 * ovsdp_upcall without allocating: every pointer refers into the
 * caller's receive buffer. */
#ifndef OVSDP_UPCALL_H
#define OVSDP_UPCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/flow.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Upcall commands (the kernel's OVS_PACKET_CMD_* values). */
#define OVSDP_UPCALL_MISS 1             /* no flow matched */
#define OVSDP_UPCALL_ACTION 2           /* a userspace() action */

/* One parsed upcall.  Absent optional attributes read as NULL/0 with their
 * has_* flag false. */
struct ovsdp_upcall {
	uint8_t cmd;                    /* OVSDP_UPCALL_MISS or _ACTION */
	int dp_ifindex;                 /* the datapath that sent it */
	const uint8_t *packet;          /* the frame */
	size_t packet_len;
	const void *key;                /* OVS_KEY_ATTR_* of the packet */
	size_t key_len;
	uint32_t in_port;               /* from the key */
	const void *userdata;           /* the userspace action's cookie */
	size_t userdata_len;
	const void *egress_tun_key;     /* OVS_TUNNEL_KEY_ATTR_* */
	size_t egress_tun_key_len;
	const void *actions;            /* OVS_ACTION_ATTR_* (userspace actions option) */
	size_t actions_len;
	uint16_t mru;                   /* 0: the packet was not reassembled */
	bool has_len;
	uint32_t len;                   /* original length when the packet was truncated */
	bool has_hash;
	uint64_t hash;                  /* skb hash with the kernel's sw/l4 bits */
};

/* Parse one upcall message of 'len' bytes (what recv returned) from 'buf'.
 * 'packet_family' is the ovs_packet family id (ovsdp_dp_packet_family()),
 * or 0 to accept any generic netlink family id.  Every length and nesting
 * is checked: a malformed message returns -EPROTO with a message saying
 * what is wrong, never reads outside [buf, buf+len).  -EINVAL on NULL. */
OVSDP_EXPORT int ovsdp_upcall_parse(const void *buf, size_t len, uint16_t packet_family,
				    struct ovsdp_upcall *out, GError **error);

/* What an upcall carries beyond struct ovsdp_upcall, which is frozen for
 * the major version (the handler runtime passes arrays of it).  The caller
 * sets struct_size to sizeof(struct ovsdp_upcall_info); members appended
 * in a later minor version are filled only when struct_size covers them. */
struct ovsdp_upcall_info {
	size_t struct_size;
	struct ovsdp_ufid ufid;         /* from the key (ovsdp_ufid_from_key()): the
					 * kernel sends none with an upcall */
	uint32_t pid;                   /* netlink port id of the socket it arrived
					 * on; 0: not known */
	uint32_t packet_type;           /* OVSDP_PACKET_TYPE_ETHERNET, or for a
					 * layer-3 packet (no Ethernet header; from an
					 * L3 tunnel port) OVSDP_PACKET_TYPE_L3(ethertype) */
	bool has_hash;
	uint64_t hash;                  /* as struct ovsdp_upcall's */
};

/* Packet types as OpenFlow numbers them (namespace << 16 | type), as OVS's
 * packet_type: 0 is Ethernet, namespace 1 an ethertype. */
#define OVSDP_PACKET_TYPE_ETHERNET 0u
#define OVSDP_PACKET_TYPE_L3(ethertype) ((1u << 16) | (uint16_t)(ethertype))

/* Fill 'out' (struct_size set by the caller) for 'up', which arrived on
 * netlink port 'pid' (0 if unknown).  -EINVAL on NULL or a struct_size
 * smaller than the first version's. */
OVSDP_EXPORT int ovsdp_upcall_get_info(const struct ovsdp_upcall *up, uint32_t pid,
				       struct ovsdp_upcall_info *out);

/* An upcall socket: a generic netlink socket bound to a port id of its own
 * which the kernel sends upcalls to.  Non-blocking. */
struct ovsdp_upcall_sock;

/* Default receive buffer: 4 MiB, as OVS uses. */
#define OVSDP_UPCALL_RCVBUF_DEFAULT (4 * 1024 * 1024)

/* Open one.  'rcvbuf_bytes' <= 0 means the default; SO_RCVBUFFORCE is tried
 * first (needs CAP_NET_ADMIN; it ignores rmem_max), then SO_RCVBUF. */
OVSDP_EXPORT int ovsdp_upcall_sock_open(int rcvbuf_bytes, struct ovsdp_upcall_sock **out,
					GError **error);
/* Close it.  NULL is accepted. */
OVSDP_EXPORT void ovsdp_upcall_sock_close(struct ovsdp_upcall_sock *s);
/* The netlink port id to give the kernel (vport or per-cpu pids). */
OVSDP_EXPORT uint32_t ovsdp_upcall_sock_portid(const struct ovsdp_upcall_sock *s);
/* The fd to poll (or to add to an epoll set). */
OVSDP_EXPORT int ovsdp_upcall_sock_fd(const struct ovsdp_upcall_sock *s);
/* The receive buffer the kernel granted (bytes, as SO_RCVBUF reports it). */
OVSDP_EXPORT int ovsdp_upcall_sock_rcvbuf(const struct ovsdp_upcall_sock *s);

/* Receive one raw message into buf without blocking.  Returns its length,
 * -EAGAIN when nothing is queued, -ENOBUFS when the socket overran (upcalls
 * were dropped; counted), -EMSGSIZE when the message did not fit 'buflen'
 * (it is dropped; counted as truncated), other negative errno. */
OVSDP_EXPORT int ovsdp_upcall_sock_recv(struct ovsdp_upcall_sock *s, void *buf, size_t buflen);

/* One slot of a batch receive. */
struct ovsdp_upcall_slot {
	void *buf;
	size_t size;                    /* capacity of buf */
	size_t len;                     /* out: message length */
};

/* Receive up to n messages with one recvmmsg() call.  Returns how many
 * slots were filled (>0), -EAGAIN, -ENOBUFS (counted) or another negative
 * errno.  Messages too big for their slot are dropped and counted. */
OVSDP_EXPORT int ovsdp_upcall_sock_recv_batch(struct ovsdp_upcall_sock *s,
					      struct ovsdp_upcall_slot *slots, unsigned int n);

/* Drop everything queued; returns how many messages were discarded. */
OVSDP_EXPORT int ovsdp_upcall_sock_purge(struct ovsdp_upcall_sock *s);

/* ENOBUFS overruns and truncated messages seen since the socket opened. */
OVSDP_EXPORT uint64_t ovsdp_upcall_sock_overruns(const struct ovsdp_upcall_sock *s);
OVSDP_EXPORT uint64_t ovsdp_upcall_sock_truncated(const struct ovsdp_upcall_sock *s);
/* Messages larger than their slot that the handler runtime still read
 * whole (into a buffer of the receiving thread's, grown on demand). */
OVSDP_EXPORT uint64_t ovsdp_upcall_sock_oversized(const struct ovsdp_upcall_sock *s);

/* Wrap an upcall socket inherited from another process (an fd from
 * systemd's file descriptor store or received with SCM_RIGHTS): it must be
 * a bound generic netlink socket; it keeps its port id and what is queued
 * on it.  'rcvbuf_bytes' > 0 sets its receive buffer again.  Takes 'fd'
 * on success (closed by ovsdp_upcall_sock_close()); -ENOTSOCK or -EINVAL
 * with *error when it is not such a socket (the caller keeps 'fd'). */
OVSDP_EXPORT int ovsdp_upcall_sock_adopt(int fd, int rcvbuf_bytes, struct ovsdp_upcall_sock **out,
					 GError **error);

/* Upcall sockets across a restart.  The core names every socket it opens
 * for a dispatch plugin "ovsdp/DATAPATH/PLUGIN/N" (N: the plugin
 * instance's N-th socket) and keeps a list of those open.  A daemon that
 * stops for a restart hands their fds (ovsdp_upcall_socks_list()) to its
 * successor, which offers them back (ovsdp_upcall_socks_offer()) before
 * it starts its dispatcher: the plugin's usock_open() calls then get the
 * offered sockets, the same plugin's first, in the order they were opened
 * (then those of other plugins on the same datapath), so the kernel's
 * upcall pids stay valid and nothing queued on them is lost. */
#define OVSDP_UPCALL_SOCK_NAME_MAX 128

struct ovsdp_upcall_sock_entry {
	int fd;                         /* owned by the core: dup() it to keep it */
	uint32_t portid;
	char name[OVSDP_UPCALL_SOCK_NAME_MAX];
};

/* Fill up to n entries with the plugin sockets open now, in the order
 * they were opened.  Returns how many are open (may be more than n). */
OVSDP_EXPORT int ovsdp_upcall_socks_list(struct ovsdp_upcall_sock_entry *out, unsigned int n);

/* Offer an inherited socket named 'name' (as listed by the previous
 * process) to the next usock_open() of a plugin on that datapath.  Takes
 * 'fd' on success; -EINVAL with *error for a name not of that form or an
 * fd that is not an upcall socket (the caller keeps it then). */
OVSDP_EXPORT int ovsdp_upcall_socks_offer(int fd, const char *name, GError **error);

/* Close the offered sockets no plugin took (a dispatcher with fewer
 * sockets than before).  Returns how many; *dropped (may be NULL) gets the
 * number of upcalls that were queued on them. */
OVSDP_EXPORT int ovsdp_upcall_socks_release(uint64_t *dropped);

#ifdef __cplusplus
}
#endif
#endif
