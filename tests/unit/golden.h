/* golden.h: the flows captured from real kernels (tests/unit/odp/), one
 * file per kernel, shared by the ODP key and action tests. */
#ifndef OVSDP_TEST_GOLDEN_H
#define OVSDP_TEST_GOLDEN_H

#include <stddef.h>
#include <glib.h>

/* One flow as the kernel sent it and as ovs-dpctl printed it. */
struct golden {
	GByteArray *key, *mask, *actions;
	char *text, *acts;      /* key/mask text, actions text */
};

/* The flows of tests/unit/odp/kernel-flows-KERNEL.txt (found through
 * OVSDP_SOURCE_ROOT); *n set to their number.  Fails the test when the
 * file is missing or malformed. */
struct golden *golden_load(const char *kernel, size_t *n);
void golden_free(struct golden *g, size_t n);

#endif
