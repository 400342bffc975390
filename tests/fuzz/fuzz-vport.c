/* fuzz-vport.c: libFuzzer target for ovs_vport replies: one datagram
 * through the transaction's reply walker into the vport reply parser, and
 * the upcall pid array read as ovsdp_vport_get_upcall_pids() reads it. */
#include "config.h"

#include "dp/datapath-internal.h"
#include "ovsdp/vport.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
vport_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_vport_info info;
	struct nlattr *pids = NULL;
	uint32_t out[16];
	int r = ovsdp_vport_parse_reply(nlh, &info, &pids);

	(void)arg;
	if (r == 0 && pids)
		memcpy(out, nla_data(pids), MIN(info.n_upcall_pids, G_N_ELEMENTS(out)) * 4);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_nl_replies st = { .seq = fuzz_seq(data, size) };
	void *buf = fuzz_datagram(data, size);
	GError *err = NULL;

	ovsdp_nl_replies_feed(&st, buf, size, vport_cb, NULL, "fuzz", &err);
	g_clear_error(&err);
	free(buf);
	return 0;
}
