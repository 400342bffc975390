/* cmd-ct-limit.c: `ovsdp ct-limit set|get|del`: conntrack zone limits,
 * with the arguments and text of ovs-dpctl's ct-set-limits, ct-get-limits
 * and ct-del-limits, or as JSON. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdp/ovsdp.h"
#include "json.h"
#include "ovsdp.h"

static bool
parse_num(const char *s, guint64 max, guint64 *out)
{
	return s && *s && g_ascii_string_to_unsigned(s, 10, 0, max, out, NULL);
}

/* "zone=N1[,N2]..." (ovs-dpctl's form) appended to 'zones'; false after
 * printing the error. */
static bool
parse_zones(const char *arg, GArray *zones)
{
	g_auto(GStrv) parts = NULL;

	if (!g_str_has_prefix(arg, "zone=")) {
		tool_fail("'%s': expected zone=N[,N...]", arg);
		return false;
	}
	parts = g_strsplit(arg + 5, ",", -1);
	for (char **p = parts; *p; p++) {
		guint64 v;
		int32_t z;

		if (!parse_num(*p, OVSDP_CT_ZONE_MAX, &v)) {
			tool_fail("'%s': zone '%s' is not a number in 0..%d", arg, *p,
				  OVSDP_CT_ZONE_MAX);
			return false;
		}
		z = (int32_t)v;
		g_array_append_val(zones, z);
	}
	return true;
}

static int
ct_set(int argc, char **argv)
{
	g_autoptr(GArray) lim = g_array_new(FALSE, FALSE, sizeof(struct ovsdp_ct_zone_limit));
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int r;

	if (!tool_args(&argc, &argv, "DP [default=N] [zone=Z,limit=N]...",
		       "Set the default conntrack limit and per-zone limits (0: unlimited), as "
		       "ovs-dpctl ct-set-limits does.", NULL, NULL, 3, -1,
		       "ct-limit set takes DP and default=N or zone=Z,limit=N (see --help)"))
		return OVSDP_EXIT_USAGE;
	for (int i = 2; i < argc; i++) {
		struct ovsdp_ct_zone_limit l = { 0, 0, 0 };
		guint64 v, z;
		char *comma;

		if (g_str_has_prefix(argv[i], "default=")) {
			if (!parse_num(argv[i] + 8, UINT32_MAX, &v))
				return tool_fail("'%s': the default limit is not a number", argv[i]),
				       OVSDP_EXIT_USAGE;
			l.zone = OVSDP_CT_ZONE_DEFAULT;
			l.limit = (uint32_t)v;
		} else if (g_str_has_prefix(argv[i], "zone=") &&
			   (comma = strchr(argv[i], ',')) && g_str_has_prefix(comma, ",limit=")) {
			g_autofree char *zs = g_strndup(argv[i] + 5, (gsize)(comma - argv[i] - 5));

			if (!parse_num(zs, OVSDP_CT_ZONE_MAX, &z))
				return tool_fail("'%s': zone '%s' is not a number in 0..%d", argv[i],
						 zs, OVSDP_CT_ZONE_MAX), OVSDP_EXIT_USAGE;
			if (!parse_num(comma + 7, UINT32_MAX, &v))
				return tool_fail("'%s': the limit is not a number", argv[i]),
				       OVSDP_EXIT_USAGE;
			l.zone = (int32_t)z;
			l.limit = (uint32_t)v;
		} else {
			return tool_fail("'%s': expected default=N or zone=Z,limit=N", argv[i]),
			       OVSDP_EXIT_USAGE;
		}
		g_array_append_val(lim, l);
	}
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	r = ovsdp_ct_limit_set(dp, (const struct ovsdp_ct_zone_limit *)(void *)lim->data,
			       lim->len, &err);
	ovsdp_dp_close(dp);
	return r < 0 ? tool_fail_error(err) : 0;
}

static gint
by_zone(gconstpointer a, gconstpointer b)
{
	const struct ovsdp_ct_zone_limit *x = a, *y = b;

	return x->zone < y->zone ? -1 : x->zone > y->zone;
}

static int
ct_get(int argc, char **argv)
{
	g_autoptr(GArray) zones = g_array_new(FALSE, FALSE, sizeof(int32_t));
	struct ovsdp_ct_zone_limit *l = NULL;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	bool json = false;
	int r, n;

	if (!tool_args(&argc, &argv, "DP [zone=Z[,Z...]]...",
		       "Show the default conntrack limit and the limits and connection counts of "
		       "the given zones (or of every zone with a limit of its own), as ovs-dpctl "
		       "ct-get-limits does.", NULL, &json, 2, -1,
		       "ct-limit get takes DP [zone=Z...] (see --help)"))
		return OVSDP_EXIT_USAGE;
	for (int i = 2; i < argc; i++)
		if (!parse_zones(argv[i], zones))
			return OVSDP_EXIT_USAGE;
	if (zones->len) {
		/* The default is always shown, as ovs-dpctl does. */
		int32_t d = OVSDP_CT_ZONE_DEFAULT;

		g_array_prepend_val(zones, d);
	}
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	n = ovsdp_ct_limit_get(dp, (const int32_t *)(void *)zones->data, zones->len, &l, &err);
	ovsdp_dp_close(dp);
	if (n < 0)
		return tool_fail_error(err);
	if (n > 1)
		qsort(l, (size_t)n, sizeof *l, (int (*)(const void *, const void *))by_zone);
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		for (int i = 0; i < n; i++)
			if (l[i].zone == OVSDP_CT_ZONE_DEFAULT)
				json_kv_uint(j, "default_limit", l[i].limit);
		json_kv_array_begin(j, "zones");
		for (int i = 0; i < n; i++) {
			if (l[i].zone == OVSDP_CT_ZONE_DEFAULT)
				continue;
			json_object_begin(j);
			json_kv_int(j, "zone", l[i].zone);
			json_kv_uint(j, "limit", l[i].limit);
			json_kv_uint(j, "count", l[i].count);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	} else {
		for (int i = 0; i < n; i++)
			if (l[i].zone == OVSDP_CT_ZONE_DEFAULT)
				printf("default limit=%u\n", l[i].limit);
		for (int i = 0; i < n; i++)
			if (l[i].zone != OVSDP_CT_ZONE_DEFAULT)
				printf("zone=%d,limit=%u,count=%u\n", l[i].zone, l[i].limit,
				       l[i].count);
	}
	g_free(l);
	return 0;
}

static int
ct_del(int argc, char **argv)
{
	g_autoptr(GArray) zones = g_array_new(FALSE, FALSE, sizeof(int32_t));
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int r;

	if (!tool_args(&argc, &argv, "DP zone=Z[,Z...]...",
		       "Remove the limits of the given zones (they fall back to the default), as "
		       "ovs-dpctl ct-del-limits does.", NULL, NULL, 3, -1,
		       "ct-limit del takes DP zone=Z... (see --help)"))
		return OVSDP_EXIT_USAGE;
	for (int i = 2; i < argc; i++)
		if (!parse_zones(argv[i], zones))
			return OVSDP_EXIT_USAGE;
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	r = ovsdp_ct_limit_del(dp, (const int32_t *)(void *)zones->data, zones->len, &err);
	ovsdp_dp_close(dp);
	return r < 0 ? tool_fail_error(err) : 0;
}

const struct ovsdp_cmd ct_limit_cmds[] = {
	{ "set", ct_set, "set limits: set DP [default=N] [zone=Z,limit=N]...", NULL },
	{ "get", ct_get, "show limits and counts: get DP [zone=Z[,Z...]]", NULL },
	{ "del", ct_del, "remove zone limits: del DP zone=Z[,Z...]", NULL },
	{ NULL, NULL, NULL, NULL },
};
