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

/* The kernels the flows were captured on, and the flows of the i-th of
 * them: at least 30 (fails the test otherwise). */
#define GOLDEN_N_KERNELS 3
extern const char *const golden_kernels[GOLDEN_N_KERNELS];
struct golden *golden_load_kernel(unsigned int i, size_t *n);
void golden_free(struct golden *g, size_t n);

/* What an ovsdp_odp_*_to_string() call that returned 'ret' gave in 's' and
 * 'error': checked (on failure an EINVAL error and nothing half-written
 * left in 's'; on success text and no error), then its text or its error
 * message, a new string either way (g_free).  Takes 'error'. */
char *golden_text_or_error(int ret, char *s, GError *error);

#endif
