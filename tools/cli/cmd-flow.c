/* cmd-flow.c: `ovsdp flow add|mod|del|get|dump|flush` and add-flows,
 * mod-flows, del-flows from a file: the kernel flow
 * table in ovs-dpctl's text form (keys, masks and actions through the ODP
 * codec), one flow per line as `ovs-dpctl dump-flows` prints them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ovsdp/ovsdp.h"
#include "json.h"
#include "ovsdp.h"

/* Key text, ufid (from --ufid or a leading "ufid:...," as ovs-dpctl takes
 * it), parsed into binary. */
struct flow_arg {
	struct ovsdp_buf key;
	struct ovsdp_buf mask;
	bool has_key;
	bool has_ufid;
	struct ovsdp_ufid ufid;
};

static void
flow_arg_clear(struct flow_arg *a)
{
	ovsdp_buf_clear(&a->key);
	ovsdp_buf_clear(&a->mask);
}

/* Returns 0, or an exit code after printing why. */
static int
parse_flow_arg(const char *text, const char *ufid_opt, struct flow_arg *a)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *ufid_text = NULL;

	memset(a, 0, sizeof *a);
	if (text && !strncmp(text, "ufid:", 5)) {
		const char *comma = strchr(text, ',');

		ufid_text = comma ? g_strndup(text, (gsize)(comma - text)) : g_strdup(text);
		text = comma ? comma + 1 : NULL;
	}
	if (ufid_opt) {
		g_free(ufid_text);
		ufid_text = g_strdup(ufid_opt);
	}
	if (ufid_text) {
		if (ovsdp_ufid_parse(ufid_text, &a->ufid) < 0)
			return tool_fail("bad ufid '%s' (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
					 ufid_text), OVSDP_EXIT_USAGE;
		a->has_ufid = true;
	}
	if (text && *text) {
		if (ovsdp_odp_key_from_string(text, &a->key, &a->mask, &err) < 0) {
			flow_arg_clear(a);      /* the attributes parsed before the error */
			return tool_fail("flow key: %s", err->message), OVSDP_EXIT_USAGE;
		}
		a->has_key = true;
	}
	return 0;
}

static int
parse_actions(const char *text, struct ovsdp_buf *acts)
{
	g_autoptr(GError) err = NULL;

	if (ovsdp_odp_actions_from_string(text, acts, &err) < 0)
		return tool_fail("flow actions: %s", err->message), OVSDP_EXIT_USAGE;
	return 0;
}

static const char *
tcp_flags_str(uint8_t f, char *buf)
{
	static const struct {
		uint8_t bit;
		char c;
	} order[] = { { 0x02, 'S' }, { 0x01, 'F' }, { 0x08, 'P' }, { 0x04, 'R' },
		      { 0x20, 'U' }, { 0x10, '.' }, { 0x40, 'E' }, { 0x80, 'C' } };
	char *p = buf;

	for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
		if (f & order[i].bit)
			*p++ = order[i].c;
	*p = '\0';
	return buf;
}

/* "KEY, packets:N, bytes:N, used:never|X.XXXs[, flags:F], actions:A". */
static int
format_flow(const struct ovsdp_flow *f, bool more, GString *out, GError **error)
{
	char u[OVSDP_UFID_STRLEN], flags[16];
	g_autofree char *key = NULL, *acts = NULL;

	if (more && f->has_ufid) {
		ovsdp_ufid_format(&f->ufid, u);
		g_string_append_printf(out, "ufid:%s, ", u);
	}
	if (f->has_key &&
	    ovsdp_odp_key_to_string(f->key, f->key_len, f->mask, f->mask_len, &key, error) < 0)
		return -EINVAL;
	if (key)
		g_string_append(out, key);
	g_string_append_printf(out, ", packets:%" G_GUINT64_FORMAT ", bytes:%" G_GUINT64_FORMAT
			       ", used:", f->stats.n_packets, f->stats.n_bytes);
	if (f->stats.used_ms) {
		int64_t ago = (int64_t)ovsdp_flow_now_ms() - (int64_t)f->stats.used_ms;

		g_string_append_printf(out, "%.3fs", (double)ago / 1000.0);
	} else {
		g_string_append(out, "never");
	}
	if (f->stats.tcp_flags)
		g_string_append_printf(out, ", flags:%s", tcp_flags_str(f->stats.tcp_flags, flags));
	g_string_append(out, ", actions:");
	if (f->has_actions &&
	    ovsdp_odp_actions_to_string(f->actions, f->actions_len, &acts, error) < 0)
		return -EINVAL;
	if (acts)
		g_string_append(out, acts);
	return 0;
}

static void
json_flow(struct json *j, const struct ovsdp_flow *f)
{
	g_autofree char *key = NULL, *acts = NULL;
	char u[OVSDP_UFID_STRLEN], flags[16];

	json_object_begin(j);
	if (f->has_ufid) {
		ovsdp_ufid_format(&f->ufid, u);
		json_kv_string(j, "ufid", u);
	}
	g_autoptr(GError) kerr = NULL, aerr = NULL;

	if (f->has_key && ovsdp_odp_key_to_string(f->key, f->key_len, f->mask, f->mask_len, &key,
						  &kerr) == 0)
		json_kv_string(j, "key", key);
	else if (f->has_key)
		json_kv_string(j, "key_error", kerr->message);   /* never left out silently */
	json_kv_uint(j, "packets", f->stats.n_packets);
	json_kv_uint(j, "bytes", f->stats.n_bytes);
	json_key(j, "used_ms");
	if (f->stats.used_ms)
		json_uint(j, f->stats.used_ms);
	else
		json_null(j);
	json_key(j, "used_ago");
	if (f->stats.used_ms)
		json_double(j, (double)((int64_t)ovsdp_flow_now_ms() - (int64_t)f->stats.used_ms) /
			    1000.0);
	else
		json_null(j);
	json_kv_string(j, "tcp_flags", tcp_flags_str(f->stats.tcp_flags, flags));
	if (f->has_actions && ovsdp_odp_actions_to_string(f->actions, f->actions_len, &acts,
							  &aerr) == 0)
		json_kv_string(j, "actions", acts);
	else if (f->has_actions)
		json_kv_string(j, "actions_error", aerr->message);
	json_object_end(j);
}

/* Whether 'acts' is just the explicit drop action with error code 0. */
static bool
is_plain_drop(const struct ovsdp_buf *acts)
{
	/* OVS_ACTION_ATTR_DROP is type 24 (Linux 6.4), payload u32 0. */
	static const uint8_t drop[8] = { 8, 0, 24, 0, 0, 0, 0, 0 };

	return acts->len == sizeof drop && !memcmp(acts->data, drop, sizeof drop);
}

/* Put the flow of 'fa' with 'acts'.  "drop" is the explicit drop action,
 * as ovs-dpctl 3.5 installs it; a kernel before 6.4 does not know it, and
 * drops a packet just the same with no actions at all. */
static int
put_flow(struct ovsdp_dp *dp, const struct flow_arg *fa, const struct ovsdp_buf *acts,
	 unsigned int flags, GError **error)
{
	struct ovsdp_flow_put put = {
		.flags = flags,
		.key = fa->key.data,
		.key_len = fa->key.len,
		.mask = fa->mask.data,
		.mask_len = fa->mask.len,
		.actions = acts->data,
		.actions_len = acts->len,
		.ufid = fa->has_ufid ? &fa->ufid : NULL,
	};
	int r = ovsdp_flow_put(dp, &put, NULL, error);

	if (r == -EINVAL && is_plain_drop(acts)) {
		g_clear_error(error);
		put.actions_len = 0;
		r = ovsdp_flow_put(dp, &put, NULL, error);
	}
	return r;
}

/* add and mod share everything but the flags. */
static int
flow_put(int argc, char **argv, bool add)
{
	g_autofree char *ufid = NULL;
	gboolean may_create = FALSE, clear = FALSE;
	GOptionEntry add_entries[] = {
		{ "ufid", 'u', 0, G_OPTION_ARG_STRING, &ufid, "Identify the flow by this ufid",
		  "UFID" },
		G_OPTION_ENTRY_NULL
	};
	GOptionEntry mod_entries[] = {
		{ "ufid", 'u', 0, G_OPTION_ARG_STRING, &ufid, "Identify the flow by this ufid",
		  "UFID" },
		{ "may-create", 0, 0, G_OPTION_ARG_NONE, &may_create,
		  "Create the flow if it does not exist", NULL },
		{ "clear", 0, 0, G_OPTION_ARG_NONE, &clear, "Also zero the flow's statistics", NULL },
		G_OPTION_ENTRY_NULL
	};
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	struct flow_arg fa;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int rc;

	if (!tool_args(&argc, &argv, "DP KEY ACTIONS",
		       add ? "Add a flow (fails if one with this key or ufid exists), as ovs-dpctl "
			     "add-flow does.\n\nExample: ovsdp flow add dp0 "
			     "'in_port(1),eth(),eth_type(0x0806),arp()' 2"
			   : "Change an existing flow's actions, as ovs-dpctl mod-flow does.",
		       add ? add_entries : mod_entries, NULL, 4, 4,
		       "flow %s takes DP, KEY and ACTIONS (see --help)", add ? "add" : "mod"))
		return OVSDP_EXIT_USAGE;
	if ((rc = parse_flow_arg(argv[2], ufid, &fa)))
		return rc;
	if (!fa.has_key) {
		flow_arg_clear(&fa);
		return tool_fail("flow %s needs a key", add ? "add" : "mod"), OVSDP_EXIT_USAGE;
	}
	if ((rc = parse_actions(argv[3], &acts)) || (rc = tool_open_dp(argv[1], &dp))) {
		flow_arg_clear(&fa);
		ovsdp_buf_clear(&acts);
		return rc;
	}
	rc = put_flow(dp, &fa, &acts, add ? OVSDP_FLOW_PUT_CREATE
		      : OVSDP_FLOW_PUT_MODIFY | (may_create ? OVSDP_FLOW_PUT_CREATE : 0) |
			(clear ? OVSDP_FLOW_PUT_ZERO_STATS : 0), &err);
	rc = rc < 0 ? tool_fail_error(err) : 0;
	ovsdp_dp_close(dp);
	flow_arg_clear(&fa);
	ovsdp_buf_clear(&acts);
	return rc;
}

static int
flow_add(int argc, char **argv)
{
	return flow_put(argc, argv, true);
}

static int
flow_mod(int argc, char **argv)
{
	return flow_put(argc, argv, false);
}

/* Parse "DP [KEY] [--ufid U]" for del and get; returns 0 or an exit code. */
static int
one_flow_args(int *argc, char ***argv, const char *verb, const char *summary, bool *json,
	      struct flow_arg *fa, struct ovsdp_dp **dp)
{
	g_autofree char *ufid = NULL;
	GOptionEntry entries[] = {
		{ "ufid", 'u', 0, G_OPTION_ARG_STRING, &ufid, "Name the flow by its ufid", "UFID" },
		G_OPTION_ENTRY_NULL
	};
	int rc;

	if (!tool_args(argc, argv, "DP [KEY]", summary, entries, json, 2, 3,
		       "flow %s takes DP and KEY or --ufid (see --help)", verb))
		return OVSDP_EXIT_USAGE;
	if ((rc = parse_flow_arg(*argc == 3 ? (*argv)[2] : NULL, ufid, fa)))
		return rc;
	if (!fa->has_key && !fa->has_ufid) {
		flow_arg_clear(fa);
		return tool_fail("flow %s needs a key or a ufid", verb), OVSDP_EXIT_USAGE;
	}
	if ((rc = tool_open_dp((*argv)[1], dp)))
		flow_arg_clear(fa);
	return rc;
}

static int
flow_del(int argc, char **argv)
{
	struct flow_arg fa;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int rc;

	if ((rc = one_flow_args(&argc, &argv, "del", "Delete one flow, named by its key or ufid.",
				NULL, &fa, &dp)))
		return rc;
	rc = ovsdp_flow_del(dp, fa.has_key ? fa.key.data : NULL, fa.key.len,
			    fa.has_ufid ? &fa.ufid : NULL, NULL, &err) < 0 ? tool_fail_error(err) : 0;
	ovsdp_dp_close(dp);
	flow_arg_clear(&fa);
	return rc;
}

static int
flow_get(int argc, char **argv)
{
	struct flow_arg fa;
	struct ovsdp_flow f;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	bool json = false;
	int rc;

	if ((rc = one_flow_args(&argc, &argv, "get", "Print one flow, named by its key or ufid.",
				&json, &fa, &dp)))
		return rc;
	if (ovsdp_flow_get(dp, fa.has_key ? fa.key.data : NULL, fa.key.len,
			   fa.has_ufid ? &fa.ufid : NULL, &f, &err) < 0) {
		rc = tool_fail_error(err);
	} else if (json) {
		struct json *j = json_new();

		json_flow(j, &f);
		json_finish(j, stdout);
	} else {
		g_autoptr(GString) s = g_string_new(NULL);

		if (format_flow(&f, fa.has_ufid, s, &err) < 0)
			rc = tool_fail_error(err);
		else
			printf("%s\n", s->str);
	}
	ovsdp_flow_clear(&f);
	ovsdp_dp_close(dp);
	flow_arg_clear(&fa);
	return rc;
}

static int
flow_dump(int argc, char **argv)
{
	gboolean more = FALSE;
	GOptionEntry entries[] = {
		{ "more", 'm', 0, G_OPTION_ARG_NONE, &more, "Also print each flow's ufid", NULL },
		G_OPTION_ENTRY_NULL
	};
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *f;
	struct ovsdp_dp *dp = NULL;
	struct json *j = NULL;
	GError *err = NULL;
	bool json = false;
	int r, rc = 0;

	if (!tool_args(&argc, &argv, "DP",
		       "Print every flow of datapath DP, one per line, as ovs-dpctl dump-flows "
		       "does:\n  KEY, packets:N, bytes:N, used:never|SECONDSs[, flags:TCP], "
		       "actions:ACTIONS", entries, &json, 2, 2, "flow dump takes DP (see --help)"))
		return OVSDP_EXIT_USAGE;
	if ((rc = tool_open_dp(argv[1], &dp)))
		return rc;
	if (ovsdp_flow_dump_start(dp, 0, &d, &err) < 0) {
		ovsdp_dp_close(dp);
		return tool_fail_error(err);
	}
	if (json) {
		j = json_new();
		json_object_begin(j);
		json_kv_array_begin(j, "flows");
	}
	while ((r = ovsdp_flow_dump_next(d, &f, &err)) == 1) {
		if (j) {
			json_flow(j, f);
		} else {
			g_autoptr(GString) s = g_string_new(NULL);

			if (format_flow(f, more, s, &err) < 0) {
				rc = tool_fail_error(err);
				err = NULL;
				continue;
			}
			printf("%s\n", s->str);
		}
	}
	if (r < 0)
		rc = tool_fail_error(err);
	if (j) {
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	}
	ovsdp_flow_dump_free(d);
	ovsdp_dp_close(dp);
	return rc;
}

/* ---- add-flows, mod-flows, del-flows: many flows from a file ------------
 * As ovs-dpctl's: one flow a line ("KEY ACTIONS", or only "KEY" for
 * del-flows; a key may start "ufid:U,"), '#' to the end of a line is a
 * comment, blank lines are skipped; "-" reads standard input.  One
 * datapath handle for the whole file; a line that fails is reported as
 * FILE:LINE and the others still run; the exit status is 1 when any
 * failed. */

enum flows_verb { FLOWS_ADD, FLOWS_MOD, FLOWS_DEL };

static int G_GNUC_PRINTF(2, 3)
line_error(GError **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (error)
		*error = g_error_new_valist(g_quark_from_static_string("ovsdp-flows"), EINVAL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The key ends at the first blank outside parentheses: a key's text has
 * none, while an action's may (userspace(...) has none either, but be
 * generous). */
static bool
split_flow_line(char *line, char **key, char **actions)
{
	int depth = 0;
	char *p;

	line = g_strstrip(line);
	for (p = line; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && g_ascii_isspace(*p))
			break;
	}
	*key = line;
	if (*p) {
		*p++ = '\0';
		*actions = g_strstrip(p);
	} else {
		*actions = p;
	}
	return **key != '\0';
}

static int
flows_line(struct ovsdp_dp *dp, enum flows_verb verb, char *line, GError **error)
{
	g_autoptr(GError) perr = NULL;
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	struct flow_arg fa;
	char *key, *actions;
	int r = 0;

	split_flow_line(line, &key, &actions);
	if (verb == FLOWS_DEL && *actions)
		return line_error(error, "del-flows takes a key a line, "
				       "not '%s' after it", actions);
	if (verb != FLOWS_DEL && !*actions)
		return line_error(error, "a key and its actions wanted");
	memset(&fa, 0, sizeof fa);
	if (!strncmp(key, "ufid:", 5)) {
		char *comma = strchr(key, ',');

		if (comma)
			*comma = '\0';
		if (ovsdp_ufid_parse(key, &fa.ufid) < 0)
			return line_error(error, "bad ufid '%s'", key);
		fa.has_ufid = true;
		key = comma ? comma + 1 : key + strlen(key);
	}
	if (*key) {
		if (ovsdp_odp_key_from_string(key, &fa.key, &fa.mask, &perr) < 0) {
			r = line_error(error, "flow key: %s", perr->message);
			goto out;
		}
		fa.has_key = true;
	} else if (!fa.has_ufid) {
		return line_error(error, "no key");
	}
	if (verb == FLOWS_DEL) {
		r = ovsdp_flow_del(dp, fa.has_key ? fa.key.data : NULL, fa.key.len,
				   fa.has_ufid ? &fa.ufid : NULL, NULL, error);
		goto out;
	}
	if (!fa.has_key) {
		r = line_error(error, "a ufid alone names no flow to %s",
				    verb == FLOWS_ADD ? "add" : "change");
		goto out;
	}
	if (ovsdp_odp_actions_from_string(actions, &acts, &perr) < 0) {
		r = line_error(error, "flow actions: %s", perr->message);
		goto out;
	}
	r = put_flow(dp, &fa, &acts, verb == FLOWS_ADD ? OVSDP_FLOW_PUT_CREATE
		     : OVSDP_FLOW_PUT_MODIFY, error);
out:
	flow_arg_clear(&fa);
	ovsdp_buf_clear(&acts);
	return r;
}

/* A file of flows may be large (a full table), never unbounded. */
#define FLOWS_FILE_MAX (64u << 20)

/* Read all of 'fd' (at most FLOWS_FILE_MAX bytes) into *text; 0, or -1
 * after saying why. */
static int
read_flows_fd(int fd, const char *file, char **text, gsize *len)
{
	g_autoptr(GString) in = g_string_new(NULL);
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tool_fail("%s: %s", file, g_strerror(errno));
			return -1;
		}
		if (in->len + (gsize)n > FLOWS_FILE_MAX) {
			tool_fail("%s: more than %u MiB of flows: split it", file, FLOWS_FILE_MAX >> 20);
			return -1;
		}
		g_string_append_len(in, chunk, n);
	}
	*len = in->len;
	*text = g_string_free(g_steal_pointer(&in), FALSE);
	return 0;
}

static int
flows_from_file(int argc, char **argv, enum flows_verb verb)
{
	static const char *const names[] = { "add-flows", "mod-flows", "del-flows" };
	static const char *const summaries[] = {
		"Add the flows of FILE (\"-\": standard input), one \"KEY ACTIONS\" a line, as "
		"ovs-dpctl add-flows does. '#' starts a comment. A line that fails is reported "
		"as FILE:LINE and the others are still added; the exit status is 1 when any "
		"failed.",
		"Change the actions of the flows of FILE (\"-\": standard input), one \"KEY "
		"ACTIONS\" a line, as ovs-dpctl mod-flows does. A line that fails is reported "
		"as FILE:LINE; the exit status is 1 when any failed.",
		"Delete the flows named in FILE (\"-\": standard input), one KEY (or "
		"\"ufid:U\") a line, as ovs-dpctl del-flows FILE does (\"ovsdp flow flush DP\" "
		"deletes them all). A line that fails is reported as FILE:LINE; the exit "
		"status is 1 when any failed.",
	};
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	const char *file;
	struct ovsdp_dp *dp = NULL;
	unsigned int ok = 0, failed = 0, lineno = 0;
	char *line, *next;
	gsize len = 0;
	int rc;

	if (!tool_args(&argc, &argv, "DP FILE", summaries[verb], NULL, NULL, 3, 3,
		       "flow %s takes DP and FILE (see --help)", names[verb]))
		return OVSDP_EXIT_USAGE;
	file = argv[2];
	if (!strcmp(file, "-")) {
		file = "(stdin)";
		if (read_flows_fd(STDIN_FILENO, file, &text, &len) < 0)
			return OVSDP_EXIT_FAIL;
	} else {
		/* Not blocking on a FIFO, nor reading a device forever: a
		 * regular file, checked on the descriptor it is read from. */
		int fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		struct stat st;

		if (fd < 0)
			return tool_fail("%s: %s", file, g_strerror(errno));
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return tool_fail("%s: not a regular file", file);
		}
		rc = read_flows_fd(fd, file, &text, &len);
		close(fd);
		if (rc < 0)
			return OVSDP_EXIT_FAIL;
	}
	if (memchr(text, '\0', len))
		return tool_fail("%s: a NUL byte: not a text file of flows", file);
	if ((rc = tool_open_dp(argv[1], &dp)))
		return rc;
	for (line = text; line; line = next) {
		char *hash;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		g_strstrip(line);
		if (!*line)
			continue;
		if (flows_line(dp, verb, line, &err) < 0) {
			fprintf(stderr, "ovsdp: %s:%u: %s\n", file, lineno,
				err ? err->message : "failed");
			g_clear_error(&err);
			failed++;
		} else {
			ok++;
		}
	}
	ovsdp_dp_close(dp);
	if (failed)
		fprintf(stderr, "ovsdp: flow %s: %u of %u lines failed\n", names[verb], failed,
			ok + failed);
	return failed ? OVSDP_EXIT_FAIL : 0;
}

static int
flow_add_flows(int argc, char **argv)
{
	return flows_from_file(argc, argv, FLOWS_ADD);
}

static int
flow_mod_flows(int argc, char **argv)
{
	return flows_from_file(argc, argv, FLOWS_MOD);
}

static int
flow_del_flows(int argc, char **argv)
{
	return flows_from_file(argc, argv, FLOWS_DEL);
}

static int
flow_flush(int argc, char **argv)
{
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int rc;

	if (!tool_args(&argc, &argv, "DP", "Delete every flow of datapath DP.", NULL, NULL, 2, 2,
		       "flow flush takes DP (see --help)"))
		return OVSDP_EXIT_USAGE;
	if ((rc = tool_open_dp(argv[1], &dp)))
		return rc;
	rc = ovsdp_flow_flush(dp, &err) < 0 ? tool_fail_error(err) : 0;
	ovsdp_dp_close(dp);
	return rc;
}

const struct ovsdp_cmd flow_cmds[] = {
	{ "add", flow_add, "add a flow: add DP KEY ACTIONS [--ufid U]", NULL },
	{ "mod", flow_mod, "change a flow: mod DP KEY ACTIONS [--may-create] [--clear]", NULL },
	{ "del", flow_del, "delete a flow: del DP KEY | del DP --ufid U", NULL },
	{ "get", flow_get, "print a flow: get DP KEY | get DP --ufid U", NULL },
	{ "dump", flow_dump, "print all flows: dump [-m] DP", NULL },
	{ "flush", flow_flush, "delete all flows: flush DP", NULL },
	{ "add-flows", flow_add_flows, "add the flows of a file: add-flows DP FILE|-", NULL },
	{ "mod-flows", flow_mod_flows, "change the flows of a file: mod-flows DP FILE|-", NULL },
	{ "del-flows", flow_del_flows, "delete the flows a file names: del-flows DP FILE|-", NULL },
	{ NULL, NULL, NULL, NULL },
};
