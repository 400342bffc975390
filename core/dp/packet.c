/* packet.c: OVS_PACKET_CMD_EXECUTE: hand a packet, its flow key and a list
 * of actions to the kernel, which runs them as if a flow had matched. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dp/datapath-internal.h"
#include "ovsdp/packet.h"
#include "dp/requests.h"

#define ETH_HEADER_LEN 14

int
ovsdp_packet_execute_encode(struct ovsdp_dp *dp, const struct ovsdp_execute *ex,
			    struct ovsdp_buf *out, char **what_out, GError **error)
{
	g_autofree char *what = NULL;
	size_t off;

	if (what_out)
		*what_out = NULL;
	if (!dp || !out || !ex || !ex->packet || !ex->key || !ex->key_len ||
	    (ex->actions_len && !ex->actions))
		return ovsdp_set_error(error, -EINVAL, NULL, "executing a packet: bad arguments");
	what = g_strdup_printf("executing a %zu-byte packet on datapath %s", ex->packet_len,
			       dp->name);
	if (ex->packet_len < ETH_HEADER_LEN)
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: shorter than an Ethernet header", what);
	if (ex->packet_len > OVSDP_NL_MSG_MAX || ex->key_len > OVSDP_NL_MSG_MAX ||
	    ex->actions_len > OVSDP_NL_MSG_MAX)
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s: too big for one request", what);
	if (ovsdp_nl_msg_begin(dp->nl, out, OVSDP_FAMILY_PACKET, OVS_PACKET_CMD_EXECUTE, 0,
			       dp->ifindex, &off) < 0)
		return ovsdp_set_error(error, -ENOENT, NULL, "%s: no ovs_packet family", what);
	if (ovsdp_buf_put_attr(out, OVS_PACKET_ATTR_PACKET, ex->packet, ex->packet_len) ==
	    OVSDP_BUF_TOO_BIG ||
	    ovsdp_buf_put_attr(out, OVS_PACKET_ATTR_KEY, ex->key, ex->key_len) == OVSDP_BUF_TOO_BIG ||
	    ovsdp_buf_put_attr(out, OVS_PACKET_ATTR_ACTIONS, ex->actions, ex->actions_len) ==
	    OVSDP_BUF_TOO_BIG) {
		out->len = off;
		return ovsdp_set_error(error, -EMSGSIZE, NULL,
				       "%s: an attribute is over %u bytes", what,
				       (unsigned int)OVSDP_ATTR_PAYLOAD_MAX);
	}
	if (ex->mru)
		ovsdp_buf_put_u16(out, OVS_PACKET_ATTR_MRU, ex->mru);
	if (ex->has_hash)
		ovsdp_buf_put_u64(out, OVS_PACKET_ATTR_HASH, ex->hash);
	if (ex->probe)
		ovsdp_buf_put_flag(out, OVS_PACKET_ATTR_PROBE);
	/* An older kernel ignores attributes past its maxattr, so sending the
	 * pid there would look like success while doing nothing. */
	if (ex->upcall_pid && ovsdp_dp_execute_has_upcall_pid(dp))
		ovsdp_buf_put_u32(out, OVSDP_PACKET_ATTR_UPCALL_PID, ex->upcall_pid);
	if (ovsdp_nl_msg_end(out, off) < 0)
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s: too big for one request", what);
	if (what_out)
		*what_out = g_steal_pointer(&what);
	return 0;
}

OVSDP_EXPORT int
ovsdp_packet_execute(struct ovsdp_dp *dp, const struct ovsdp_execute *ex, GError **error)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autofree char *what = NULL;
	int r;

	r = ovsdp_packet_execute_encode(dp, ex, &b, &what, error);
	if (r < 0)
		return r;
	return ovsdp_dp_transact(dp, &b, NULL, NULL, what, error);
}
