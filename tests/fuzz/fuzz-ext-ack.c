/* fuzz-ext-ack.c: libFuzzer target for acknowledgements and extended
 * acks: one datagram walked message by message (the walker every receive
 * path uses), each NLMSG_ERROR's verdict and extended-ack text read as
 * the batched-request collector reads them, and the whole datagram as a
 * transaction's reply (its error turned into the user's message). */
#include "config.h"

#include "nl/netlink.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_nl_replies st = { .seq = fuzz_seq(data, size) };
	void *buf = fuzz_datagram(data, size);
	struct nlmsghdr *nlh;
	volatile size_t sink = 0;
	GError *err = NULL;
	size_t off = 0;
	int bad;

	while ((nlh = ovsdp_nl_datagram_next(buf, size, &off, &bad))) {
		const char *kmsg;
		int v;

		if (nlh->nlmsg_type == NLMSG_ERROR && ovsdp_nl_ack_errno(nlh, &v, &kmsg) == 0 &&
		    kmsg)
			sink += strlen(kmsg);
	}
	ovsdp_nl_replies_feed(&st, buf, size, NULL, NULL, "fuzz", &err);
	if (err)
		sink += strlen(err->message);
	g_clear_error(&err);
	free(buf);
	(void)sink;
	return 0;
}
