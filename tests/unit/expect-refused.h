/* expect-refused.h: the loader's refusal of one plugin file, as the loader
 * and plugin-trust tests both check it: the errno, no plugin, and exactly
 * "PATH: REASON". */
#ifndef OVSDP_EXPECT_REFUSED_H
#define OVSDP_EXPECT_REFUSED_H

#include <check.h>
#include <glib.h>

#include "ovsdp/plugin.h"

/* ovsdp_plugin_open(path) fails with 'neg_errno' and exactly "path: reason". */
static inline void
expect_refused(const char *path, int neg_errno, const char *reason)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *msg = g_strdup_printf("%s: %s", path, reason);
	struct ovsdp_plugin *p = NULL;

	ck_assert_int_eq(ovsdp_plugin_open(path, &p, &err), neg_errno);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, -neg_errno);
	ck_assert_str_eq(err->message, msg);
}

#endif
