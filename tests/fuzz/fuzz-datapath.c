/* fuzz-datapath.c: libFuzzer target for ovs_datapath replies: one datagram
 * through the transaction's reply walker (acks, errors, extended acks,
 * NLMSG_DONE) into the datapath reply parser. */
#include "config.h"

#include "dp/datapath-internal.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
dp_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_dp_info info;

	(void)arg;
	return ovsdp_dp_parse_reply(nlh, &info);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_nl_replies st = { .seq = fuzz_seq(data, size) };
	void *buf = fuzz_datagram(data, size);
	GError *err = NULL;

	ovsdp_nl_replies_feed(&st, buf, size, dp_cb, NULL, "fuzz", &err);
	g_clear_error(&err);
	free(buf);
	return 0;
}
