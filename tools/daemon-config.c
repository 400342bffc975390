/* daemon-config.c: ovsdpd.conf, read as strictly as plugins.conf: a scan of
 * the raw text gives every section and key its line and refuses unknown or
 * repeated ones (GKeyFile would merge or hide them), then GKeyFile reads
 * the values and each is checked against its range. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "control.h"
#include "daemon.h"

struct known {
	const char *section;
	const char *const *keys;
};

static const char *const datapath_keys[] = {
	"name", "create", "delete-on-exit", "ports", "internal-ports", NULL
};
static const char *const policy_keys[] = {
	"type", "idle-timeout", "max-macs", "mac-age", "output", NULL
};
static const char *const daemon_keys[] = {
	"control-socket", "plugins-conf", "handlers", "dispatch", NULL
};
static const struct known known[] = {
	{ "datapath", datapath_keys },
	{ "policy", policy_keys },
	{ "daemon", daemon_keys },
};

/* Which policy an option belongs to (NULL: all of them). */
static const char *
option_policy(const char *key)
{
	if (!strcmp(key, "idle-timeout") || !strcmp(key, "max-macs") || !strcmp(key, "mac-age"))
		return "learning";
	if (!strcmp(key, "output"))
		return "slowpath";
	return NULL;
}

const char *
policy_kind_str(enum policy_kind k)
{
	switch (k) {
	case POLICY_LEARNING: return "learning";
	case POLICY_SLOWPATH: return "slowpath";
	case POLICY_DROP: return "drop";
	}
	return "?";
}

static int G_GNUC_PRINTF(4, 5)
fail_at(GError **error, const char *file, unsigned int line, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line)
		g_set_error(error, OVSDP_ERROR, EINVAL, "%s:%u: %s", file, line, msg);
	else
		g_set_error(error, OVSDP_ERROR, EINVAL, "%s: %s", file, msg);
	return -EINVAL;
}

static const struct known *
find_section(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
		if (!strcmp(known[i].section, name))
			return &known[i];
	}
	return NULL;
}

/* "section\nkey" -> line, for every key set, and the section lines. */
static int
scan(const char *name, const char *text, GHashTable *lines, GError **error)
{
	g_auto(GStrv) ls = g_strsplit(text, "\n", -1);
	const struct known *sec = NULL;
	GHashTable *seen_sections = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int r = 0;

	for (unsigned int i = 0; ls[i] && r == 0; i++) {
		unsigned int lineno = i + 1;
		char *l = g_strstrip(ls[i]);
		char *eq;

		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');

			if (!end || end[1] != '\0') {
				r = fail_at(error, name, lineno,
					    "cannot parse '%s': a section is [name] alone on its line", l);
				break;
			}
			*end = '\0';
			sec = find_section(l + 1);
			if (!sec) {
				r = fail_at(error, name, lineno,
					    "unknown section [%s] (known: [datapath], [policy], [daemon])",
					    l + 1);
				break;
			}
			if (g_hash_table_contains(seen_sections, l + 1)) {
				r = fail_at(error, name, lineno, "section [%s] appears twice", l + 1);
				break;
			}
			g_hash_table_insert(seen_sections, g_strdup(l + 1), GUINT_TO_POINTER(lineno));
			g_hash_table_insert(lines, g_strdup_printf("%s\n", sec->section),
					    GUINT_TO_POINTER(lineno));
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			r = fail_at(error, name, lineno, "cannot parse '%s': expected KEY = VALUE", l);
			break;
		}
		*eq = '\0';
		g_strstrip(l);
		if (!sec) {
			r = fail_at(error, name, lineno, "'%s' is outside any section", l);
			break;
		}
		if (!g_strv_contains(sec->keys, l)) {
			g_autofree char *list = g_strjoinv(", ", (char **)sec->keys);

			r = fail_at(error, name, lineno, "[%s]: unknown key '%s' (known: %s)",
				    sec->section, l, list);
			break;
		}
		{
			g_autofree char *k = g_strdup_printf("%s\n%s", sec->section, l);

			if (g_hash_table_contains(lines, k)) {
				r = fail_at(error, name, lineno, "[%s]: '%s' is set twice (first on line %u)",
					    sec->section, l,
					    GPOINTER_TO_UINT(g_hash_table_lookup(lines, k)));
				break;
			}
			g_hash_table_insert(lines, g_steal_pointer(&k), GUINT_TO_POINTER(lineno));
		}
	}
	g_hash_table_unref(seen_sections);
	return r;
}

static unsigned int
line_of(GHashTable *lines, const char *section, const char *key)
{
	g_autofree char *k = g_strdup_printf("%s\n%s", section, key);

	return GPOINTER_TO_UINT(g_hash_table_lookup(lines, k));
}

/* The value of section.key (unescaped), or NULL when unset. */
static char *
value(GKeyFile *kf, const char *section, const char *key)
{
	char *v = g_key_file_get_string(kf, section, key, NULL);

	if (v)
		g_strstrip(v);
	return v;
}

static int
get_bool(GKeyFile *kf, GHashTable *lines, const char *name, const char *section,
	 const char *key, bool *out, GError **error)
{
	g_autofree char *v = value(kf, section, key);

	if (!v)
		return 0;
	if (!g_ascii_strcasecmp(v, "yes") || !g_ascii_strcasecmp(v, "true") ||
	    !g_ascii_strcasecmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!g_ascii_strcasecmp(v, "no") || !g_ascii_strcasecmp(v, "false") ||
		 !g_ascii_strcasecmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return fail_at(error, name, line_of(lines, section, key),
			       "[%s] %s: '%s' is not a boolean (yes/no, true/false, on/off, 1/0)",
			       section, key, v);
	return 0;
}

/* An unsigned value in [min, max]; "auto" gives 0 when allow_auto. */
static int
get_uint(GKeyFile *kf, GHashTable *lines, const char *name, const char *section,
	 const char *key, unsigned int min, unsigned int max, bool allow_auto,
	 unsigned int *out, GError **error)
{
	g_autofree char *v = value(kf, section, key);
	guint64 n;

	if (!v)
		return 0;
	if (allow_auto && !strcmp(v, "auto")) {
		*out = 0;
		return 0;
	}
	if (!g_ascii_string_to_unsigned(v, 10, min, max, &n, NULL))
		return fail_at(error, name, line_of(lines, section, key),
			       "[%s] %s: '%s' is not %s%u to %u", section, key, v,
			       allow_auto ? "'auto' or " : "", min, max);
	*out = (unsigned int)n;
	return 0;
}

static bool
ifname_valid(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len >= OVSDP_NAME_MAX || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (const char *p = n; *p; p++) {
		if (*p == '/' || *p == ':' || g_ascii_isspace(*p) || !g_ascii_isprint(*p))
			return false;
	}
	return true;
}

/* A ';' or ',' separated list of interface names, each valid and new. */
static int
get_names(GKeyFile *kf, GHashTable *lines, const char *name, const char *key,
	  GHashTable *seen, char ***out, GError **error)
{
	g_autofree char *v = value(kf, "datapath", key);
	g_auto(GStrv) parts = NULL;
	/* The names so far go with the array when a later one is bad. */
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	if (v)
		parts = g_strsplit_set(v, ";,", -1);
	for (char **p = parts; p && *p; p++) {
		char *n = g_strstrip(*p);

		if (!*n)
			continue;
		if (!ifname_valid(n) || g_hash_table_contains(seen, n)) {
			g_ptr_array_free(names, TRUE);
			return fail_at(error, name, line_of(lines, "datapath", key),
				       "[datapath] %s: '%s' %s", key, n,
				       ifname_valid(n) ? "is listed twice"
				       : "is not an interface name (1 to 15 characters, no '/', ':' "
					 "or blanks)");
		}
		n = g_strdup(n);
		g_ptr_array_add(names, n);
		g_hash_table_add(seen, n);
	}
	g_ptr_array_add(names, NULL);
	g_strfreev(*out);
	*out = (char **)g_ptr_array_free(names, FALSE);
	return 0;
}

void
daemon_config_free(struct daemon_config *c)
{
	if (!c)
		return;
	g_free(c->file);
	g_free(c->dp_name);
	g_strfreev(c->ports);
	g_strfreev(c->internal_ports);
	g_free(c->output);
	g_free(c->control_socket);
	g_free(c->plugins_conf);
	g_free(c->dispatch);
	g_free(c);
}

static struct daemon_config *
config_defaults(const char *file)
{
	struct daemon_config *c = g_new0(struct daemon_config, 1);

	c->file = g_strdup(file);
	c->dp_name = g_strdup("ovsdp0");
	c->create = true;
	c->ports = g_new0(char *, 1);
	c->internal_ports = g_new0(char *, 1);
	c->policy = POLICY_LEARNING;
	c->idle_timeout_s = 10;
	c->max_macs = 4096;
	c->mac_age_s = 300;
	c->control_socket = g_strdup(CONTROL_SOCKET_DEFAULT);
	return c;
}

static int
read_values(struct daemon_config *c, const char *name, GKeyFile *kf, GHashTable *lines,
	    GError **error)
{
	g_autofree char *type = value(kf, "policy", "type");
	g_autofree char *dpname = value(kf, "datapath", "name");
	g_autofree char *sock = value(kf, "daemon", "control-socket");
	g_autofree char *dispatch = value(kf, "daemon", "dispatch");
	int r;

	if (dpname) {
		if (!ifname_valid(dpname))
			return fail_at(error, name, line_of(lines, "datapath", "name"),
				       "[datapath] name: '%s' is not a datapath name (1 to 15 "
				       "characters, no '/', ':' or blanks)", dpname);
		g_free(c->dp_name);
		c->dp_name = g_steal_pointer(&dpname);
	}
	if ((r = get_bool(kf, lines, name, "datapath", "create", &c->create, error)) < 0 ||
	    (r = get_bool(kf, lines, name, "datapath", "delete-on-exit", &c->delete_on_exit,
			  error)) < 0)
		return r;
	{
		/* Names point into c's arrays.  The datapath's own name is
		 * taken: it is the local port. */
		GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);

		g_hash_table_add(names, c->dp_name);
		r = get_names(kf, lines, name, "ports", names, &c->ports, error);
		if (r == 0)
			r = get_names(kf, lines, name, "internal-ports", names, &c->internal_ports,
				      error);
		g_hash_table_unref(names);
		if (r < 0)
			return r;
	}

	if (type) {
		if (!strcmp(type, "learning"))
			c->policy = POLICY_LEARNING;
		else if (!strcmp(type, "slowpath"))
			c->policy = POLICY_SLOWPATH;
		else if (!strcmp(type, "drop"))
			c->policy = POLICY_DROP;
		else
			return fail_at(error, name, line_of(lines, "policy", "type"),
				       "[policy] type: unknown policy '%s' (known: learning, "
				       "slowpath, drop)", type);
	}
	for (const char *const *k = policy_keys; *k; k++) {
		const char *owner = option_policy(*k);
		unsigned int l = line_of(lines, "policy", *k);

		if (l && owner && strcmp(owner, policy_kind_str(c->policy)))
			return fail_at(error, name, l,
				       "[policy] %s is an option of the %s policy, not of %s", *k,
				       owner, policy_kind_str(c->policy));
	}
	if ((r = get_uint(kf, lines, name, "policy", "idle-timeout", 1, 3600, false,
			  &c->idle_timeout_s, error)) < 0 ||
	    (r = get_uint(kf, lines, name, "policy", "max-macs", 1, 1048576, false, &c->max_macs,
			  error)) < 0 ||
	    (r = get_uint(kf, lines, name, "policy", "mac-age", 1, 86400, false, &c->mac_age_s,
			  error)) < 0)
		return r;
	c->output = value(kf, "policy", "output");
	if (c->output && !ifname_valid(c->output))
		return fail_at(error, name, line_of(lines, "policy", "output"),
			       "[policy] output: '%s' is not a port name or number", c->output);
	if (c->policy == POLICY_SLOWPATH && !c->output)
		return fail_at(error, name, line_of(lines, "policy", ""),
			       "[policy] the slowpath policy needs 'output' (the port every "
			       "packet goes to)");

	if (sock) {
		if (sock[0] != '/' || strlen(sock) >= 108)
			return fail_at(error, name, line_of(lines, "daemon", "control-socket"),
				       "[daemon] control-socket: '%s' is not an absolute path of at "
				       "most 107 bytes", sock);
		g_free(c->control_socket);
		c->control_socket = g_steal_pointer(&sock);
	}
	c->plugins_conf = value(kf, "daemon", "plugins-conf");
	if (c->plugins_conf && !*c->plugins_conf)
		return fail_at(error, name, line_of(lines, "daemon", "plugins-conf"),
			       "[daemon] plugins-conf: empty path");
	if ((r = get_uint(kf, lines, name, "daemon", "handlers", 1, OVSDP_HANDLERS_MAX, true,
			  &c->handlers, error)) < 0)
		return r;
	if (dispatch && strcmp(dispatch, "auto")) {
		if (!ovsdp_config_name_valid(dispatch))
			return fail_at(error, name, line_of(lines, "daemon", "dispatch"),
				       "[daemon] dispatch: '%s' is not 'auto' or a plugin name",
				       dispatch);
		c->dispatch = g_steal_pointer(&dispatch);
	}
	return 0;
}

int
daemon_config_parse(const char *name, const char *text, struct daemon_config **out,
		    GError **error)
{
	g_autoptr(GHashTable) lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) kerr = NULL;
	struct daemon_config *c;
	int r;

	*out = NULL;
	r = scan(name, text, lines, error);
	if (r < 0)
		return r;
	if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &kerr))
		return fail_at(error, name, 0, "%s", kerr->message);
	c = config_defaults(name);
	r = read_values(c, name, kf, lines, error);
	if (r < 0) {
		daemon_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int
daemon_config_load(const char *path, struct daemon_config **out, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) ferr = NULL;

	*out = NULL;
	if (!g_file_get_contents(path, &text, NULL, &ferr)) {
		int code = ferr->code == G_FILE_ERROR_NOENT ? ENOENT :
			   ferr->code == G_FILE_ERROR_ACCES ? EACCES : EIO;

		g_set_error(error, OVSDP_ERROR, code, "%s", ferr->message);
		return -code;
	}
	return daemon_config_parse(path, text, out, error);
}
