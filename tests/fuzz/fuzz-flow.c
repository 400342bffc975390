/* fuzz-flow.c: libFuzzer target for ovs_flow replies: one datagram read
 * as a flow get's reply (reply walker, copy into the flow's storage,
 * parser) and as a flow dump's (dump walker, parser), each flow's key,
 * mask and actions then printed as `ovsdp flow dump` prints them. */
#include "config.h"

#include "dp/datapath-internal.h"
#include "ovsdp/flow.h"
#include "ovsdp/odp.h"
#include "odp/odp-private.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
print_flow(const struct ovsdp_flow *f)
{
	GString *s = g_string_new(NULL);

	if (f->has_key)
		odp_key_format(f->key, f->key_len, f->mask, f->mask_len, s, NULL);
	if (f->has_actions)
		odp_actions_format(f->actions, f->actions_len, s, NULL);
	g_string_free(s, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_nl_replies st = { .seq = fuzz_seq(data, size) };
	struct ovsdp_nl_dump d = { .rx = { .seq = st.seq, .nseq = 1 } };
	struct ovsdp_flow f;
	struct nlmsghdr *nlh;
	void *buf = fuzz_datagram(data, size);
	GError *err = NULL;

	memset(&f, 0, sizeof f);
	if (ovsdp_nl_replies_feed(&st, buf, size, ovsdp_flow_get_reply, &f, "fuzz", &err) &&
	    st.ret == 0 && f.storage.data)
		print_flow(&f);
	ovsdp_flow_clear(&f);
	g_clear_error(&err);
	free(buf);

	d.rx.buf = fuzz_datagram(data, size);
	d.rx.len = size;
	while (ovsdp_nl_dump_take(&d, &nlh, "fuzz", &err) == 1) {
		memset(&f, 0, sizeof f);
		if (ovsdp_flow_parse_reply(nlh, &f) == 0)
			print_flow(&f);
	}
	ovsdp_nl_dump_release(&d);
	g_clear_error(&err);
	return 0;
}
