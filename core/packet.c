/* packet.c: OVS_PACKET_CMD_EXECUTE: hand a packet, its flow key and a list
 * of actions to the kernel, which runs them as if a flow had matched. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "datapath-internal.h"
#include "ovsdp/packet.h"

#define ETH_HEADER_LEN 14

OVSDP_EXPORT int
ovsdp_packet_execute(struct ovsdp_dp *dp, const struct ovsdp_execute *ex, GError **error)
{
	g_autofree char *what = NULL;
	struct nl_msg *m;
	bool ok;

	if (!dp || !ex || !ex->packet || !ex->key || !ex->key_len ||
	    (ex->actions_len && !ex->actions))
		return ovsdp_set_error(error, -EINVAL, NULL, "executing a packet: bad arguments");
	what = g_strdup_printf("executing a %zu-byte packet on datapath %s", ex->packet_len,
			       dp->name);
	if (ex->packet_len < ETH_HEADER_LEN)
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: shorter than an Ethernet header", what);
	m = ovsdp_dp_request(dp, OVSDP_FAMILY_PACKET, OVS_PACKET_CMD_EXECUTE, 0);
	if (!m)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	ok = nla_put(m, OVS_PACKET_ATTR_PACKET, (int)ex->packet_len, ex->packet) == 0 &&
	     nla_put(m, OVS_PACKET_ATTR_KEY, (int)ex->key_len, ex->key) == 0 &&
	     nla_put(m, OVS_PACKET_ATTR_ACTIONS, (int)ex->actions_len, ex->actions) == 0;
	if (ok && ex->mru)
		ok = nla_put_u16(m, OVS_PACKET_ATTR_MRU, ex->mru) == 0;
	if (ok && ex->has_hash)
		ok = nla_put_u64(m, OVS_PACKET_ATTR_HASH, ex->hash) == 0;
	if (ok && ex->probe)
		ok = nla_put_flag(m, OVS_PACKET_ATTR_PROBE) == 0;
	/* An older kernel ignores attributes past its maxattr, so sending the
	 * pid there would look like success while doing nothing. */
	if (ok && ex->upcall_pid && ovsdp_dp_execute_has_upcall_pid(dp))
		ok = nla_put_u32(m, OVSDP_PACKET_ATTR_UPCALL_PID, ex->upcall_pid) == 0;
	if (!ok) {
		nlmsg_free(m);
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s: too big for one request", what);
	}
	return ovsdp_dp_transact(dp, m, NULL, NULL, what, error);
}
