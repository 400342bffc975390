/* fuzz-common.h: what the reply fuzz targets share: the input is one
 * received datagram, copied to a buffer of exactly its size (so ASan sees
 * any read past it) and walked by the library's own receive code. */
#ifndef OVSDP_FUZZ_COMMON_H
#define OVSDP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

/* A malloc'd copy (the dump walker frees its datagram with free()). */
static inline void *
fuzz_datagram(const uint8_t *data, size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p && size)
		memcpy(p, data, size);
	return p;
}

/* The sequence number the replies answer: the first message's, so the
 * fuzzer needs no magic value to reach the parsers. */
static inline uint32_t
fuzz_seq(const uint8_t *data, size_t size)
{
	struct nlmsghdr h;

	if (size < sizeof h)
		return 0;
	memcpy(&h, data, sizeof h);
	return h.nlmsg_seq;
}

#endif
