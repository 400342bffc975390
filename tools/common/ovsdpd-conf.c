/* ovsdpd-conf.c: ovsdpd.conf, read by the one strict reader (core/ini/ini.h)
 * against the schema below, the same rules as plugins.conf; this file adds
 * what only ovsdpd.conf means: names, lists, the policy's options.  Used by
 * ovsdpd and by `ovsdp config check`. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "control.h"
#include "ini.h"
#include "ovsdpd-conf.h"

/* ovsdpd.conf's schema: every section and key, with the types the reader
 * checks.  The dispatcher and the handler count live in plugins.conf only
 * ([dispatch] mode, [handlers] count): their old spellings here are
 * refused with a pointer there. */
static const struct ini_key datapath_keys[] = {
	{ .name = "name", .type = INI_TEXT },
	{ .name = "create", .type = INI_BOOL },
	{ .name = "delete-on-exit", .type = INI_BOOL },
	{ .name = "ports", .type = INI_TEXT },
	{ .name = "internal-ports", .type = INI_TEXT },
	{ .name = NULL },
};
static const struct ini_key policy_keys[] = {
	{ .name = "type", .type = INI_TEXT },
	{ .name = "idle-timeout", .type = INI_UINT, .min = 1, .max = 3600 },
	{ .name = "max-macs", .type = INI_UINT, .min = 1, .max = 1048576 },
	{ .name = "mac-age", .type = INI_UINT, .min = 1, .max = 86400 },
	{ .name = "output", .type = INI_TEXT },
	{ .name = NULL },
};
static const struct ini_key daemon_keys[] = {
	{ .name = "control-socket", .type = INI_TEXT },
	{ .name = "plugins-conf", .type = INI_TEXT },
	{ .name = "handlers", .type = INI_REMOVED,
	  .moved_to = "[handlers] count in plugins.conf (the file [daemon] plugins-conf names)" },
	{ .name = "dispatch", .type = INI_REMOVED,
	  .moved_to = "[dispatch] mode in plugins.conf (the file [daemon] plugins-conf names), "
		      "or 'ovsdp ctl dispatch set' at run time" },
	{ .name = NULL },
};
static const struct ini_section daemon_conf_sections[] = {
	{ .name = "datapath", .keys = datapath_keys },
	{ .name = "policy", .keys = policy_keys },
	{ .name = "daemon", .keys = daemon_keys },
	{ .name = NULL },
};
static const struct ini_schema daemon_conf_schema = { daemon_conf_sections };

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

static unsigned int
line_of(const struct ini *ini, const char *section, const char *key)
{
	return ini_line(ini, section, key);
}

/* The value of section.key, or NULL when unset. */
static const char *
value(const struct ini *ini, const char *section, const char *key)
{
	const struct ini_value *v = ini_get(ini, section, key);

	return v ? v->value : NULL;
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
get_names(const struct ini *ini, const char *name, const char *key, GHashTable *seen,
	  char ***out, GError **error)
{
	const char *v = value(ini, "datapath", key);
	g_auto(GStrv) parts = NULL;
	/* The names so far go with the array when a later one is bad. */
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	if (v)
		parts = ini_split(v, ";,");
	for (char **p = parts; p && *p; p++) {
		char *n = g_strstrip(*p);

		if (!*n)
			continue;
		if (!ifname_valid(n) || g_hash_table_contains(seen, n)) {
			int r = ini_fail(error, name, line_of(ini, "datapath", key),
					 "[datapath] %s: '%s' %s", key, n,
					 ifname_valid(n) ? "is listed twice"
					 : "is not an interface name (1 to 15 characters, no '/', ':' "
					   "or blanks)");

			g_ptr_array_free(names, TRUE);
			return r;
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

void
daemon_config_free(struct daemon_config *c)
{
	if (!c)
		return;
	g_free(c->dp_name);
	g_strfreev(c->ports);
	g_strfreev(c->internal_ports);
	g_free(c->output);
	g_free(c->control_socket);
	g_free(c->plugins_conf);
	g_free(c->file);
	g_free(c);
}

/* Booleans and numbers come typed and range-checked from the reader. */
static void
get_bool(const struct ini *ini, const char *section, const char *key, bool *out)
{
	const struct ini_value *v = ini_get(ini, section, key);

	if (v)
		*out = v->b;
}

static void
get_uint(const struct ini *ini, const char *section, const char *key, unsigned int *out)
{
	const struct ini_value *v = ini_get(ini, section, key);

	if (v)
		*out = v->u;
}

static int
read_values(struct daemon_config *c, const char *name, const struct ini *ini, GError **error)
{
	const char *type = value(ini, "policy", "type");
	const char *dpname = value(ini, "datapath", "name");
	const char *sock = value(ini, "daemon", "control-socket");
	const char *pconf = value(ini, "daemon", "plugins-conf");
	const char *output = value(ini, "policy", "output");
	int r;

	if (dpname) {
		if (!ifname_valid(dpname))
			return ini_fail(error, name, line_of(ini, "datapath", "name"),
					"[datapath] name: '%s' is not a datapath name (1 to 15 "
					"characters, no '/', ':' or blanks)", dpname);
		g_free(c->dp_name);
		c->dp_name = g_strdup(dpname);
	}
	get_bool(ini, "datapath", "create", &c->create);
	get_bool(ini, "datapath", "delete-on-exit", &c->delete_on_exit);
	{
		/* Names point into c's arrays.  The datapath's own name is
		 * taken: it is the local port. */
		GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);

		g_hash_table_add(names, c->dp_name);
		r = get_names(ini, name, "ports", names, &c->ports, error);
		if (r == 0)
			r = get_names(ini, name, "internal-ports", names, &c->internal_ports, error);
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
			return ini_fail(error, name, line_of(ini, "policy", "type"),
					"[policy] type: unknown policy '%s' (known: learning, "
					"slowpath, drop)", type);
	}
	for (const struct ini_key *k = policy_keys; k->name; k++) {
		const char *owner = option_policy(k->name);
		unsigned int l = line_of(ini, "policy", k->name);

		if (l && owner && strcmp(owner, policy_kind_str(c->policy)))
			return ini_fail(error, name, l,
					"[policy] %s is an option of the %s policy, not of %s",
					k->name, owner, policy_kind_str(c->policy));
	}
	get_uint(ini, "policy", "idle-timeout", &c->idle_timeout_s);
	get_uint(ini, "policy", "max-macs", &c->max_macs);
	get_uint(ini, "policy", "mac-age", &c->mac_age_s);
	if (output && !ifname_valid(output))
		return ini_fail(error, name, line_of(ini, "policy", "output"),
				"[policy] output: '%s' is not a port name or number", output);
	c->output = g_strdup(output);
	if (c->policy == POLICY_SLOWPATH && !c->output)
		return ini_fail(error, name, line_of(ini, "policy", NULL),
				"[policy] the slowpath policy needs 'output' (the port every "
				"packet goes to)");

	if (sock) {
		if (sock[0] != '/' || strlen(sock) >= 108)
			return ini_fail(error, name, line_of(ini, "daemon", "control-socket"),
					"[daemon] control-socket: '%s' is not an absolute path of at "
					"most 107 bytes", sock);
		g_free(c->control_socket);
		c->control_socket = g_strdup(sock);
	}
	if (pconf && !*pconf)
		return ini_fail(error, name, line_of(ini, "daemon", "plugins-conf"),
				"[daemon] plugins-conf: empty path");
	c->plugins_conf = g_strdup(pconf);
	return 0;
}

/* The values of a file the reader accepted ('ini', freed), as a config. */
static int
from_ini(const char *name, struct ini *ini, struct daemon_config **out, GError **error)
{
	struct daemon_config *c = config_defaults(name);
	int r = read_values(c, name, ini, error);

	ini_free(ini);
	if (r < 0) {
		daemon_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int
daemon_config_parse_data(const char *name, const char *text, gsize len,
			 struct daemon_config **out, GError **error)
{
	struct ini *ini = NULL;
	int r;

	*out = NULL;
	r = ini_parse(name, text, len, &daemon_conf_schema, &ini, error);
	return r < 0 ? r : from_ini(name, ini, out, error);
}

int
daemon_config_parse(const char *name, const char *text, struct daemon_config **out,
		    GError **error)
{
	return daemon_config_parse_data(name, text, strlen(text), out, error);
}

int
daemon_config_load(const char *path, struct daemon_config **out, GError **error)
{
	struct ini *ini = NULL;
	int r;

	*out = NULL;
	r = ini_load(path, &daemon_conf_schema, &ini, error);
	return r < 0 ? r : from_ini(path, ini, out, error);
}

int
daemon_config_check(const struct daemon_config *cfg, const char *plugins_conf,
		    struct ovsdp_config **pconf, struct ovsdp_plugins **plugins,
		    struct ovsdp_plugin **chosen, char **why, GError **error)
{
	int r;

	*pconf = NULL;
	*plugins = NULL;
	*chosen = NULL;
	*why = NULL;
	r = ovsdp_config_load(plugins_conf ? plugins_conf : cfg->plugins_conf, pconf, error);
	if (r == 0)
		r = ovsdp_plugins_discover(*pconf, NULL, plugins, error);
	if (r == 0)
		r = ovsdp_plugins_choose(*plugins, *pconf, NULL, chosen, why, error);
	if (r < 0) {
		ovsdp_plugins_free(*plugins);
		ovsdp_config_free(*pconf);
		*plugins = NULL;
		*pconf = NULL;
		*chosen = NULL;
	}
	return r;
}

bool
daemon_config_sniff(const char *path)
{
	static const char *const daemon_sections[] = { "[datapath]", "[policy]", "[daemon]", NULL };
	g_autofree char *text = NULL;
	gsize len = 0;
	const char *p, *end;

	if (ini_read_file(path, &text, &len, NULL) < 0)
		return false;
	end = text + len;
	for (p = text; p < end;) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		g_autofree char *line = g_strndup(p, nl ? (gsize)(nl - p) : (gsize)(end - p));

		p = nl ? nl + 1 : end;
		g_strstrip(line);
		if (line[0] == '[')
			return g_strv_contains(daemon_sections, line);
	}
	return false;
}
