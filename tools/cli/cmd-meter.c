/* cmd-meter.c: `ovsdp meter features|set|get|del`: datapath meters,
 * printed in the wording of ovs-ofctl's meter-features and meter-stats
 * (ovs-dpctl has no meter commands), or as JSON. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdp/ovsdp.h"
#include "json.h"
#include "ovsdp.h"

/* Meter ids read by `meter get DP` without an id (the kernel cannot dump). */
#define DEFAULT_SCAN 1024

static bool
parse_u32(const char *s, uint32_t *out)
{
	guint64 v;

	if (!s || !*s || !g_ascii_string_to_unsigned(s, 10, 0, UINT32_MAX, &v, NULL))
		return false;
	*out = (uint32_t)v;
	return true;
}

static int
meter_features(int argc, char **argv)
{
	struct ovsdp_meter_features f;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	bool json = false;
	int r;

	if (!tool_args(&argc, &argv, "DP", "Show what the datapath's meters support: how many "
		       "meters and bands, band types, units.", NULL, &json, 2, 2,
		       "meter features takes one datapath name (see --help)"))
		return OVSDP_EXIT_USAGE;
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	r = ovsdp_meter_features(dp, &f, &err);
	ovsdp_dp_close(dp);
	if (r < 0)
		return tool_fail_error(err);
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		json_kv_uint(j, "max_meters", f.max_meters);
		json_kv_uint(j, "max_bands", f.max_bands);
		json_kv_array_begin(j, "band_types");
		if (f.band_types & (1u << OVSDP_METER_BAND_DROP))
			json_string(j, "drop");
		json_array_end(j);
		json_kv_array_begin(j, "capabilities");
		if (f.kbps)
			json_string(j, "kbps");
		if (f.pktps)
			json_string(j, "pktps");
		json_string(j, "burst");
		json_string(j, "stats");
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	} else {
		printf("max_meter:%u max_bands:%u\n", f.max_meters, f.max_bands);
		printf("band_types:%s\n", (f.band_types & (1u << OVSDP_METER_BAND_DROP)) ?
		       " drop" : "");
		printf("capabilities:%s%s burst stats\n", f.kbps ? " kbps" : "",
		       f.pktps ? " pktps" : "");
	}
	return 0;
}

/* "band=drop,rate=R[,burst=B]" into *b; false after printing the error. */
static bool
parse_band(const char *arg, struct ovsdp_meter_band *b)
{
	g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
	bool have_type = false, have_rate = false;

	memset(b, 0, sizeof *b);
	for (char **p = parts; *p; p++) {
		const char *eq = strchr(*p, '=');
		g_autofree char *key = eq ? g_strndup(*p, (gsize)(eq - *p)) : g_strdup(*p);
		const char *val = eq ? eq + 1 : NULL;

		if (!strcmp(key, "band") || !strcmp(key, "type")) {
			if (!val || strcmp(val, "drop")) {
				tool_fail("band '%s': unknown band type '%s' (only drop)", arg,
					  val ? val : "");
				return false;
			}
			b->type = OVSDP_METER_BAND_DROP;
			have_type = true;
		} else if (!strcmp(key, "rate")) {
			if (!parse_u32(val, &b->rate) || b->rate == 0) {
				tool_fail("band '%s': rate must be a number above 0", arg);
				return false;
			}
			have_rate = true;
		} else if (!strcmp(key, "burst") || !strcmp(key, "burst_size")) {
			if (!parse_u32(val, &b->burst)) {
				tool_fail("band '%s': burst must be a number", arg);
				return false;
			}
		} else {
			tool_fail("band '%s': unknown key '%s' (band, rate, burst)", arg, key);
			return false;
		}
	}
	if (!have_type || !have_rate) {
		tool_fail("band '%s' needs band=drop and rate=R", arg);
		return false;
	}
	return true;
}

static int
meter_set(int argc, char **argv)
{
	g_autoptr(GArray) bands = g_array_new(FALSE, FALSE, sizeof(struct ovsdp_meter_band));
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	uint32_t id, flags = 0;
	int r;

	if (!tool_args(&argc, &argv, "DP ID [kbps|pktps] [burst] [stats] "
		       "band=drop,rate=R[,burst=B]...",
		       "Add or replace meter ID with its drop bands.  Rates are in kbps unless "
		       "pktps is given; a band's burst needs the burst flag.", NULL, NULL, 4, -1,
		       "meter set takes DP ID and at least one band=drop,rate=R (see --help)"))
		return OVSDP_EXIT_USAGE;
	if (!parse_u32(argv[2], &id))
		return tool_fail("'%s' is not a meter id", argv[2]), OVSDP_EXIT_USAGE;
	for (int i = 3; i < argc; i++) {
		struct ovsdp_meter_band b;

		if (!strcmp(argv[i], "kbps"))
			flags |= OVSDP_METER_F_KBPS;
		else if (!strcmp(argv[i], "pktps"))
			flags |= OVSDP_METER_F_PKTPS;
		else if (!strcmp(argv[i], "burst"))
			flags |= OVSDP_METER_F_BURST;
		else if (!strcmp(argv[i], "stats"))
			flags |= OVSDP_METER_F_STATS;
		else if (g_str_has_prefix(argv[i], "band=") || g_str_has_prefix(argv[i], "type=")) {
			if (!parse_band(argv[i], &b))
				return OVSDP_EXIT_USAGE;
			g_array_append_val(bands, b);
		} else {
			return tool_fail("unknown meter argument '%s' (kbps, pktps, burst, stats, "
					 "band=drop,rate=R[,burst=B])", argv[i]), OVSDP_EXIT_USAGE;
		}
	}
	if ((flags & OVSDP_METER_F_KBPS) && (flags & OVSDP_METER_F_PKTPS))
		return tool_fail("kbps and pktps are exclusive"), OVSDP_EXIT_USAGE;
	if (!bands->len)
		return tool_fail("a meter needs at least one band=drop,rate=R"), OVSDP_EXIT_USAGE;
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	r = ovsdp_meter_set(dp, id, flags, (const struct ovsdp_meter_band *)(void *)bands->data,
			    bands->len, &err);
	ovsdp_dp_close(dp);
	return r < 0 ? tool_fail_error(err) : 0;
}

static void
print_stats(const struct ovsdp_meter_stats *s)
{
	printf("meter:%u packet_in_count:%" G_GUINT64_FORMAT " byte_in_count:%" G_GUINT64_FORMAT
	       " used:%" G_GUINT64_FORMAT "ms bands:\n", s->id, s->total.packets, s->total.bytes,
	       s->used_ms);
	for (uint32_t i = 0; i < s->n_bands; i++)
		printf("%u: packet_count:%" G_GUINT64_FORMAT " byte_count:%" G_GUINT64_FORMAT "\n",
		       i, s->bands[i].packets, s->bands[i].bytes);
}

static void
json_stats(struct json *j, const struct ovsdp_meter_stats *s)
{
	json_object_begin(j);
	json_kv_uint(j, "id", s->id);
	json_kv_uint(j, "packets", s->total.packets);
	json_kv_uint(j, "bytes", s->total.bytes);
	json_kv_uint(j, "used_ms", s->used_ms);
	json_kv_array_begin(j, "bands");
	for (uint32_t i = 0; i < s->n_bands; i++) {
		json_object_begin(j);
		json_kv_uint(j, "packets", s->bands[i].packets);
		json_kv_uint(j, "bytes", s->bands[i].bytes);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static int
meter_get(int argc, char **argv)
{
	gint scan = DEFAULT_SCAN;
	GOptionEntry entries[] = {
		{ "scan", 0, 0, G_OPTION_ARG_INT, &scan,
		  "Without ID, read meter ids 0..N-1 (default 1024)", "N" },
		G_OPTION_ENTRY_NULL
	};
	struct ovsdp_meter_stats *all = NULL, one;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	bool json = false;
	uint32_t id = 0;
	int r, n;

	if (!tool_args(&argc, &argv, "DP [ID]", "Show meter ID's counters (packets and bytes "
		       "through the meter and acted on by each band); without ID every meter "
		       "among ids 0..N-1 (the kernel has no meter dump).", entries, &json, 2, 3,
		       "meter get takes DP [ID] (see --help)"))
		return OVSDP_EXIT_USAGE;
	if (argc == 3 && !parse_u32(argv[2], &id))
		return tool_fail("'%s' is not a meter id", argv[2]), OVSDP_EXIT_USAGE;
	if (scan < 0)
		return tool_fail("--scan must be 0 or more"), OVSDP_EXIT_USAGE;
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	if (argc == 3) {
		n = ovsdp_meter_get(dp, id, &one, &err);
		if (n == 0) {
			n = 1;
			all = g_memdup2(&one, sizeof one);
		}
	} else {
		n = ovsdp_meter_list(dp, (uint32_t)scan, &all, &err);
	}
	ovsdp_dp_close(dp);
	if (n < 0)
		return tool_fail_error(err);
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		json_kv_array_begin(j, "meters");
		for (int i = 0; i < n; i++)
			json_stats(j, &all[i]);
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	} else {
		for (int i = 0; i < n; i++)
			print_stats(&all[i]);
	}
	g_free(all);
	return 0;
}

static int
meter_del(int argc, char **argv)
{
	struct ovsdp_meter_stats last;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	bool json = false;
	uint32_t id;
	int r;

	if (!tool_args(&argc, &argv, "DP ID", "Delete meter ID (its last counters are printed "
		       "with --json).", NULL, &json, 3, 3, "meter del takes DP ID (see --help)"))
		return OVSDP_EXIT_USAGE;
	if (!parse_u32(argv[2], &id))
		return tool_fail("'%s' is not a meter id", argv[2]), OVSDP_EXIT_USAGE;
	if ((r = tool_open_dp(argv[1], &dp)))
		return r;
	r = ovsdp_meter_del(dp, id, &last, &err);
	ovsdp_dp_close(dp);
	if (r < 0)
		return tool_fail_error(err);
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		json_key(j, "deleted");
		json_stats(j, &last);
		json_object_end(j);
		json_finish(j, stdout);
	}
	return 0;
}

const struct ovsdp_cmd meter_cmds[] = {
	{ "features", meter_features, "what the meters support: features DP", NULL },
	{ "set", meter_set, "add or replace a meter: set DP ID [kbps|pktps] [burst] [stats] "
	  "band=drop,rate=R[,burst=B]...", NULL },
	{ "get", meter_get, "meter counters: get DP [ID]", NULL },
	{ "del", meter_del, "delete a meter: del DP ID", NULL },
	{ NULL, NULL, NULL, NULL },
};
