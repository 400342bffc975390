/* ovsdp/odp.h: flow keys, masks and actions as the kernel datapath speaks
 * them (nested OVS_KEY_ATTR_* and OVS_ACTION_ATTR_* netlink attributes) and
 * as people read them (the text `ovs-dpctl dump-flows` prints and
 * `ovs-dpctl add-flow` accepts). */
#ifndef OVSDP_ODP_H
#define OVSDP_ODP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse key text such as
 *   "in_port(1),eth(src=00:01:02:03:04:05),eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,proto=6,frag=no)"
 * into OVS_KEY_ATTR_* attributes appended to *key and, when mask is non-NULL,
 * the matching mask attributes appended to *mask: a field written without
 * "/mask" gets an exact mask, a field or key left out is wildcarded (it is
 * absent from both buffers, as with `ovs-dpctl add-flow`).
 * Returns 0, or -EINVAL with a message naming the key, the problem and its
 * 1-based column, e.g. "ipv4: unknown field 'srcx' at column 17".  On
 * failure both buffers are left as they were. */
OVSDP_EXPORT int ovsdp_odp_key_from_string(const char *text, struct ovsdp_buf *key,
					   struct ovsdp_buf *mask, GError **error);

/* The dump-flows text of key attributes (key, key_len), in *out (free with
 * free()).  With
 * mask attributes (mask, mask_len) fields are printed as value/mask and
 * fully wildcarded fields and keys are left out, as dump-flows does; with
 * mask NULL (or mask_len 0) every field is printed exactly.  Every length
 * and nesting is checked; a type this library has no name for prints as
 * ovs-dpctl prints it, "keyN(hex bytes[/mask bytes])" (also inside tunnel()
 * and vxlan()); the text of a key parses back to the same attributes.
 * Returns 0, or -EINVAL with a message naming the bad attribute (*out is
 * then NULL). */
OVSDP_EXPORT int ovsdp_odp_key_to_string(const void *key, size_t key_len,
					 const void *mask, size_t mask_len,
					 char **out, GError **error);

/* Check the framing, payload lengths and nesting (encap, tunnel) of key or
 * mask attributes, as ovsdp_odp_key_to_string() does, without judging field
 * values or producing text; types it has no name for pass.  Returns 0 or -EINVAL with a
 * message naming the bad attribute. */
OVSDP_EXPORT int ovsdp_odp_key_validate(const void *key, size_t key_len, GError **error);

/* Parse action text such as "push_vlan(vid=10,pcp=0),2,userspace(pid=7)"
 * into OVS_ACTION_ATTR_* attributes appended to *actions.  "drop" is the
 * explicit drop action (OVS_ACTION_ATTR_DROP, error code 0, Linux 6.4+), as
 * ovs-dpctl 3.5 installs it; an empty text is the empty action list, and so
 * is "drop" alone inside a nested list (clone(drop)).  "actionN(hex bytes)"
 * is action type N with that payload.  Returns 0, or -EINVAL with a message
 * giving the column; *actions is left as it was on failure. */
OVSDP_EXPORT int ovsdp_odp_actions_from_string(const char *text, struct ovsdp_buf *actions,
					       GError **error);

/* The dump-flows text of action attributes, in *out (free with free();
 * "drop" for an empty list).  A type this library has no name for prints
 * as ovs-dpctl prints it, "actionN(hex bytes)", which parses back to the
 * same bytes.  Returns 0, or -EINVAL naming the malformed action (*out is
 * then NULL). */
OVSDP_EXPORT int ovsdp_odp_actions_to_string(const void *actions, size_t len, char **out,
					     GError **error);

/* The fields of a flow key an upcall handler most often needs. */
struct ovsdp_flow_fields {
	uint32_t in_port;
	bool has_in_port;
	uint8_t eth_src[6], eth_dst[6];
	bool has_eth;
	uint16_t eth_type;      /* host order, 0 if absent; the outer type (0x8100 for 802.1Q) */
	uint32_t recirc_id;
	uint32_t dp_hash;
	uint32_t skb_mark;
	uint32_t priority;
	bool has_vlan;
	uint16_t vlan_tci;      /* host order, with the CFI/DEI bit as the kernel reports it */
};

/* Fill *out from the top-level key attributes (absent ones read as 0/false).
 * Attribute types this library does not know are skipped, so a newer kernel
 * does not break upcall handling; a known attribute with a wrong length, a
 * truncated or overrunning attribute is an error.  Returns 0 or -EINVAL. */
OVSDP_EXPORT int ovsdp_odp_key_fields(const void *key, size_t key_len,
				      struct ovsdp_flow_fields *out);

#ifdef __cplusplus
}
#endif
#endif
