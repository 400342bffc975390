/* ovsdp/packet.h: sending a packet through the datapath's action engine
 * (OVS_PACKET_CMD_EXECUTE): the packet, the flow key it is to be treated
 * as having, and the actions to apply. */
#ifndef OVSDP_PACKET_H
#define OVSDP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/datapath.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdp_execute {
	const void *packet;             /* the frame, from its Ethernet header */
	size_t packet_len;              /* at least 14 bytes */
	const void *key;                /* OVS_KEY_ATTR_* (in_port says where it came from) */
	size_t key_len;
	const void *actions;            /* OVS_ACTION_ATTR_*; empty drops the packet */
	size_t actions_len;
	uint16_t mru;                   /* 0: none; else the fragment size seen on receive */
	bool has_hash;                  /* give the packet this skb hash */
	uint64_t hash;
	bool probe;                     /* the kernel logs no errors for this one */
	/* Upcall socket for userspace actions without a pid of their own;
	 * sent only where the kernel knows the attribute (6.17+, see
	 * ovsdp_dp_execute_has_upcall_pid()), else ignored.  0: none. */
	uint32_t upcall_pid;
};

/* Execute one packet.  Errors: -EINVAL (malformed key/actions or a packet
 * shorter than an Ethernet header), -ENODEV (datapath gone), others as the
 * actions fail; the message carries the kernel's reason when it gives one. */
OVSDP_EXPORT int ovsdp_packet_execute(struct ovsdp_dp *dp, const struct ovsdp_execute *ex,
				      GError **error);

#ifdef __cplusplus
}
#endif
#endif
