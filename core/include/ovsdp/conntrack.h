/* ovsdp/conntrack.h: the connections the datapath's ct() action tracks,
 * dumped and flushed as ovs-dpctl dump-conntrack and flush-conntrack do.
 * They live in the kernel's connection tracker, which belongs to the
 * network namespace, not to a datapath: these calls need none.  Read and
 * written through libnetfilter_conntrack (ctnetlink); CAP_NET_ADMIN. */
#ifndef OVSDP_CONNTRACK_H
#define OVSDP_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One direction of a connection.  Addresses in network order (IPv4 in the
 * first 4 bytes); ports and the ICMP id in host order. */
struct ovsdp_ct_tuple {
	uint8_t family;                 /* AF_INET or AF_INET6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;          /* TCP, UDP, SCTP, ... */
	uint16_t icmp_ident;            /* ICMP and ICMPv6 (netinet/ip_icmp.h
					 * makes icmp_id a macro) */
	uint8_t icmp_type, icmp_code;
};

/* TCP states as OVS names them (ovs-dpctl prints "state=NAME"). */
enum ovsdp_ct_tcp_state {
	OVSDP_CT_TCP_CLOSED, OVSDP_CT_TCP_LISTEN, OVSDP_CT_TCP_SYN_SENT,
	OVSDP_CT_TCP_SYN_RECV, OVSDP_CT_TCP_ESTABLISHED, OVSDP_CT_TCP_CLOSE_WAIT,
	OVSDP_CT_TCP_FIN_WAIT_1, OVSDP_CT_TCP_CLOSING, OVSDP_CT_TCP_LAST_ACK,
	OVSDP_CT_TCP_FIN_WAIT_2, OVSDP_CT_TCP_TIME_WAIT,
};

struct ovsdp_ct_entry {
	uint8_t ip_proto;               /* IPPROTO_* */
	struct ovsdp_ct_tuple orig, reply;
	uint16_t zone;
	uint32_t mark;
	uint8_t labels[16];             /* all zero: none */
	uint32_t id;
	uint32_t status;                /* the kernel's IPS_* bits */
	uint32_t timeout;               /* seconds left */
	bool has_tcp_state;
	uint8_t tcp_state;              /* enum ovsdp_ct_tcp_state */
	uint64_t packets_orig, bytes_orig;      /* 0 unless nf_conntrack_acct is on */
	uint64_t packets_reply, bytes_reply;
};

/* Every connection of this network namespace, or with zone >= 0 only
 * those of that zone (0..65535).  *out is a g_free()able array (NULL when
 * empty); returns its length, or -EINVAL (zone out of range), -EPERM, or
 * another negative errno, with an error saying what failed. */
OVSDP_EXPORT int ovsdp_ct_dump(int zone, struct ovsdp_ct_entry **out, GError **error);

/* Delete every connection, or with zone >= 0 those of that zone.  Returns
 * how many were deleted when a zone is given (those that expired
 * meanwhile do not count), 0 for all, or a negative errno. */
OVSDP_EXPORT int ovsdp_ct_flush(int zone, GError **error);

/* Append 'e' as ovs-dpctl dump-conntrack prints it (without newline):
 * "udp,orig=(src=...,dst=...,sport=N,dport=N),reply=(...),zone=N,..." */
OVSDP_EXPORT void ovsdp_ct_entry_format(const struct ovsdp_ct_entry *e, GString *out);

/* The name of an enum ovsdp_ct_tcp_state ("ESTABLISHED"), or NULL. */
OVSDP_EXPORT const char *ovsdp_ct_tcp_state_name(unsigned int state);

#ifdef __cplusplus
}
#endif

#endif
