/* golden.c: reads the flows captured from real kernels by ovs-dpctl
 * (tests/unit/odp/kernel-flows-*.txt) for the ODP key and action tests. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <check.h>

#include "golden.h"

static GByteArray *
hex_bytes(const char *hex)
{
	GByteArray *b = g_byte_array_new();
	size_t n = strlen(hex);

	ck_assert_uint_eq(n % 2, 0);
	for (size_t i = 0; i < n; i += 2) {
		unsigned v;
		guint8 c;

		ck_assert_int_eq(sscanf(hex + i, "%2x", &v), 1);
		c = (guint8)v;
		g_byte_array_append(b, &c, 1);
	}
	return b;
}

struct golden *
golden_load(const char *kernel, size_t *n)
{
	const char *root = g_getenv("OVSDP_SOURCE_ROOT");
	g_autofree char *name = g_strdup_printf("kernel-flows-%s.txt", kernel);
	g_autofree char *path = NULL;
	g_autofree char *data = NULL;
	g_auto(GStrv) lines = NULL;
	GArray *flows = g_array_new(FALSE, TRUE, sizeof(struct golden));
	struct golden cur = { 0 };

	ck_assert_msg(root != NULL, "OVSDP_SOURCE_ROOT is not set (run through meson test)");
	path = g_build_filename(root, "tests", "unit", "odp", name, NULL);
	ck_assert_msg(g_file_get_contents(path, &data, NULL, NULL), "cannot read %s", path);
	lines = g_strsplit(data, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "key "))
			cur.key = hex_bytes(*l + 4);
		else if (g_str_has_prefix(*l, "mask "))
			cur.mask = hex_bytes(*l + 5);
		else if (g_str_has_prefix(*l, "actions "))
			cur.actions = hex_bytes(*l + 8);
		else if (g_str_has_prefix(*l, "text "))
			cur.text = g_strdup(*l + 5);
		else if (g_str_has_prefix(*l, "acts ")) {
			cur.acts = g_strdup(*l + 5);
			ck_assert(cur.key && cur.mask && cur.actions && cur.text);
			g_array_append_val(flows, cur);
			memset(&cur, 0, sizeof cur);
		}
	}
	*n = flows->len;
	return (struct golden *)g_array_free(flows, FALSE);
}

void
golden_free(struct golden *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_byte_array_unref(g[i].key);
		g_byte_array_unref(g[i].mask);
		g_byte_array_unref(g[i].actions);
		g_free(g[i].text);
		g_free(g[i].acts);
	}
	g_free(g);
}


char *
golden_text_or_error(int ret, char *s, GError *error)
{
	if (ret) {
		ck_assert_ptr_nonnull(error);
		ck_assert_int_eq(error->code, EINVAL);
		/* Nothing half-written is left behind. */
		ck_assert_ptr_null(s);
		s = g_strdup(error->message);
		g_error_free(error);
	} else {
		ck_assert_ptr_null(error);
		ck_assert_ptr_nonnull(s);
	}
	return s;
}

const char *const golden_kernels[GOLDEN_N_KERNELS] = { "5.10", "6.1", "6.12" };

struct golden *
golden_load_kernel(unsigned int i, size_t *n)
{
	struct golden *g = golden_load(golden_kernels[i], n);

	ck_assert_uint_ge(*n, 30);
	return g;
}
