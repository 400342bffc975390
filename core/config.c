/* config.c: reads plugins.conf strictly.  GKeyFile unescapes the values, but
 * it silently merges repeated groups, keeps the last of repeated keys and
 * knows no line numbers, so a scan of the raw text comes first: it finds
 * every section and key with its line and refuses what GKeyFile would hide. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ovsdp/config.h"
#include "ovsdp/dispatch.h"

#define BUILTIN_PREFER "per-cpu;per-vport;legacy"

struct ovsdp_config {
	char *file;                /* as named by the caller; NULL: built-in defaults */
	char *mode;
	char **prefer;
	char **plugin_path;
	unsigned int handlers;
	GPtrArray *sections;       /* plugin names of [plugin:NAME], NULL-terminated */
	GHashTable *lines;         /* "section\nkey" (key "" for the header) -> line */
	GHashTable *plugin_keys;   /* plugin name -> GPtrArray of keys, NULL-terminated */
	GHashTable *values;        /* "section\nkey" -> unescaped value */
	GKeyFile *kf;
};

/* The scan's view of one line that sets a key. */
struct scanned_key {
	char *section;
	char *key;
	unsigned int line;
};

OVSDP_EXPORT const char *
ovsdp_config_default_path(void)
{
	return OVSDP_SYSCONF_DIR "/plugins.conf";
}

OVSDP_EXPORT bool
ovsdp_config_name_valid(const char *name)
{
	size_t n;

	if (!name || !*name || !strcmp(name, "auto"))
		return false;
	n = strlen(name);
	if (n > OVSDP_DISPATCH_NAME_MAX || !g_ascii_isalnum(name[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!(g_ascii_islower(c) || g_ascii_isdigit(c) || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static char *
line_key(const char *section, const char *key)
{
	return g_strdup_printf("%s\n%s", section, key ? key : "");
}

static struct ovsdp_config *
config_alloc(const char *file)
{
	struct ovsdp_config *c = g_new0(struct ovsdp_config, 1);

	c->file = g_strdup(file);
	c->sections = g_ptr_array_new_with_free_func(g_free);
	c->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->plugin_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)g_ptr_array_unref);
	c->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->kf = g_key_file_new();
	return c;
}

OVSDP_EXPORT void
ovsdp_config_free(struct ovsdp_config *c)
{
	if (!c)
		return;
	g_free(c->file);
	g_free(c->mode);
	g_strfreev(c->prefer);
	g_strfreev(c->plugin_path);
	g_ptr_array_unref(c->sections);
	g_hash_table_unref(c->lines);
	g_hash_table_unref(c->plugin_keys);
	g_hash_table_unref(c->values);
	g_key_file_unref(c->kf);
	g_free(c);
}

static void
set_defaults(struct ovsdp_config *c)
{
	c->mode = g_strdup("auto");
	c->prefer = g_strsplit(BUILTIN_PREFER, ";", -1);
	c->plugin_path = g_new0(char *, 1);
	c->handlers = 0;
	g_ptr_array_add(c->sections, NULL);
}

OVSDP_EXPORT int
ovsdp_config_new_default(struct ovsdp_config **out)
{
	struct ovsdp_config *c;

	if (!out)
		return -EINVAL;
	c = config_alloc(NULL);
	set_defaults(c);
	*out = c;
	return 0;
}

/* An error at file:line (line 0: the file as a whole). */
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

static bool
key_name_valid(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++) {
		if (!(g_ascii_isalnum(*k) || *k == '-' || *k == '_'))
			return false;
	}
	return true;
}

static const char *const dispatch_keys[] = { "mode", "prefer", "plugin-path", NULL };
static const char *const handlers_keys[] = { "count", NULL };

static const char *const *
known_keys(const char *section)
{
	if (!strcmp(section, "dispatch"))
		return dispatch_keys;
	if (!strcmp(section, "handlers"))
		return handlers_keys;
	return NULL;   /* [plugin:NAME]: the plugin's own list, checked by the loader */
}

/* First pass over the raw text: syntax, sections, keys, duplicates, lines. */
static int
scan(struct ovsdp_config *c, const char *name, const char *text, size_t len,
     GArray *keys, GError **error)
{
	g_autofree char *copy = g_strndup(text, len);
	g_auto(GStrv) lines = g_strsplit(copy, "\n", -1);
	const char *section = NULL;

	for (unsigned int i = 0; lines[i]; i++) {
		unsigned int lineno = i + 1;
		char *l = g_strstrip(lines[i]);
		char *eq, *k;

		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');
			g_autofree char *lk = NULL;
			gpointer first;

			if (!end || end[1] != '\0' || end == l + 1)
				return fail_at(error, name, lineno,
					       "cannot parse '%s': a section is [name] alone on its line", l);
			*end = '\0';
			section = l + 1;
			if (g_str_has_prefix(section, "plugin:")) {
				if (!ovsdp_config_name_valid(section + 7))
					return fail_at(error, name, lineno,
						       "[%s]: '%s' is not a plugin name (a-z, 0-9, '-', '_')",
						       section, section + 7);
			} else if (strcmp(section, "dispatch") && strcmp(section, "handlers")) {
				return fail_at(error, name, lineno,
					       "unknown section [%s] (known: [dispatch], [handlers], [plugin:NAME])",
					       section);
			}
			lk = line_key(section, NULL);
			if (g_hash_table_lookup_extended(c->lines, lk, NULL, &first))
				return fail_at(error, name, lineno,
					       "section [%s] appears twice (first at line %u)",
					       section, GPOINTER_TO_UINT(first));
			g_hash_table_insert(c->lines, g_steal_pointer(&lk), GUINT_TO_POINTER(lineno));
			if (g_str_has_prefix(section, "plugin:")) {
				g_ptr_array_add(c->sections, g_strdup(section + 7));
				g_hash_table_insert(c->plugin_keys, g_strdup(section + 7),
						    g_ptr_array_new_with_free_func(g_free));
			}
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			return fail_at(error, name, lineno,
				       "cannot parse '%s': expected [section], key = value or a # comment", l);
		*eq = '\0';
		k = g_strstrip(l);
		if (!key_name_valid(k))
			return fail_at(error, name, lineno,
				       "'%s' is not a key name (letters, digits, '-', '_')", k);
		if (!section)
			return fail_at(error, name, lineno, "key '%s' is outside any section", k);
		{
			const char *const *known = known_keys(section);
			g_autofree char *lk = line_key(section, k);
			struct scanned_key sk;
			gpointer first;

			if (known && !g_strv_contains(known, k)) {
				g_autofree char *list = g_strjoinv(", ", (char **)known);

				return fail_at(error, name, lineno, "[%s] unknown key '%s' (known: %s)",
					       section, k, list);
			}
			if (g_hash_table_lookup_extended(c->lines, lk, NULL, &first))
				return fail_at(error, name, lineno,
					       "[%s] %s is set twice (first at line %u)", section, k,
					       GPOINTER_TO_UINT(first));
			g_hash_table_insert(c->lines, g_steal_pointer(&lk), GUINT_TO_POINTER(lineno));
			if (!known && strcmp(k, "path"))
				g_ptr_array_add(g_hash_table_lookup(c->plugin_keys, section + 7),
						g_strdup(k));
			sk.section = g_strdup(section);
			sk.key = g_strdup(k);
			sk.line = lineno;
			g_array_append_val(keys, sk);
		}
	}
	return 0;
}

/* GKeyFile keeps a trailing "# ..." as part of the value: say so. */
static const char *
comment_hint(const char *v)
{
	return strchr(v, '#') ? " (comments go on their own line)" : "";
}

static int
check_value(struct ovsdp_config *c, const char *name, const struct scanned_key *sk,
	    GError **error)
{
	g_autoptr(GError) kerr = NULL;
	g_autofree char *v = g_key_file_get_string(c->kf, sk->section, sk->key, &kerr);
	const char *s = sk->section, *k = sk->key;
	unsigned int line = sk->line;

	if (!v)
		return fail_at(error, name, line, "[%s] %s: %s", s, k, kerr->message);
	/* GKeyFile keeps trailing blanks; nobody means them. */
	g_strchomp(v);
	g_hash_table_insert(c->values, line_key(s, k), g_strdup(v));

	if (!strcmp(s, "dispatch") && !strcmp(k, "mode")) {
		if (strcmp(v, "auto") && !ovsdp_config_name_valid(v))
			return fail_at(error, name, line,
				       "[dispatch] mode = %s: expected auto or a plugin name (a-z, 0-9, '-', '_')%s",
				       v, comment_hint(v));
		g_free(c->mode);
		c->mode = g_steal_pointer(&v);
	} else if (!strcmp(s, "dispatch") && !strcmp(k, "prefer")) {
		g_auto(GStrv) items = g_strsplit(v, ";", -1);
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

		for (int i = 0; items[i]; i++) {
			char *it = g_strstrip(items[i]);

			if (!*it)
				continue;
			if (!ovsdp_config_name_valid(it)) {
				g_ptr_array_free(names, TRUE);
				return fail_at(error, name, line,
					       "[dispatch] prefer: '%s' is not a plugin name (a-z, 0-9, '-', '_')%s",
					       it, comment_hint(it));
			}
			for (unsigned int j = 0; j < names->len; j++) {
				if (!strcmp(names->pdata[j], it)) {
					g_ptr_array_free(names, TRUE);
					return fail_at(error, name, line,
						       "[dispatch] prefer names %s twice", it);
				}
			}
			g_ptr_array_add(names, g_strdup(it));
		}
		if (!names->len) {
			g_ptr_array_free(names, TRUE);
			return fail_at(error, name, line, "[dispatch] prefer is empty");
		}
		g_ptr_array_add(names, NULL);
		g_strfreev(c->prefer);
		c->prefer = (char **)g_ptr_array_free(names, FALSE);
	} else if (!strcmp(s, "dispatch") && !strcmp(k, "plugin-path")) {
		g_auto(GStrv) items = g_strsplit(v, ";", -1);
		GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);

		for (int i = 0; items[i]; i++) {
			char *it = g_strstrip(items[i]);

			if (!*it)
				continue;
			if (!g_path_is_absolute(it)) {
				g_ptr_array_free(dirs, TRUE);
				return fail_at(error, name, line,
					       "[dispatch] plugin-path: '%s' is not an absolute directory%s",
					       it, comment_hint(it));
			}
			g_ptr_array_add(dirs, g_strdup(it));
		}
		g_ptr_array_add(dirs, NULL);
		g_strfreev(c->plugin_path);
		c->plugin_path = (char **)g_ptr_array_free(dirs, FALSE);
	} else if (!strcmp(s, "handlers") && !strcmp(k, "count")) {
		guint64 n = 0;

		if (!strcmp(v, "auto")) {
			c->handlers = 0;
		} else if (g_ascii_string_to_unsigned(v, 10, 1, OVSDP_HANDLERS_MAX, &n, NULL) &&
			   g_ascii_isdigit(v[0])) {
			c->handlers = (unsigned int)n;
		} else {
			return fail_at(error, name, line,
				       "[handlers] count = %s: expected auto or a number from 1 to %d%s",
				       v, OVSDP_HANDLERS_MAX, comment_hint(v));
		}
	} else if (g_str_has_prefix(s, "plugin:") && !strcmp(k, "path")) {
		if (!g_path_is_absolute(v))
			return fail_at(error, name, line,
				       "[%s] path = %s: expected an absolute file name%s", s, v,
				       comment_hint(v));
	}
	return 0;
}

static void
scanned_key_clear(gpointer p)
{
	struct scanned_key *sk = p;

	g_free(sk->section);
	g_free(sk->key);
}

OVSDP_EXPORT int
ovsdp_config_parse(const char *name, const char *text, gssize len, struct ovsdp_config **out,
		   GError **error)
{
	g_autoptr(GArray) keys = NULL;
	g_autoptr(GError) kerr = NULL;
	struct ovsdp_config *c;
	int r;

	if (!name || !text || !out)
		return -EINVAL;
	*out = NULL;
	if (len < 0)
		len = (gssize)strlen(text);
	if (memchr(text, '\0', (size_t)len))
		return fail_at(error, name, 0, "contains a NUL byte: not a text file");

	keys = g_array_new(FALSE, FALSE, sizeof(struct scanned_key));
	g_array_set_clear_func(keys, scanned_key_clear);
	c = config_alloc(name);
	set_defaults(c);
	g_ptr_array_set_size(c->sections, 0);   /* drop the terminator while scanning */

	r = scan(c, name, text, (size_t)len, keys, error);
	if (r < 0)
		goto fail;
	g_ptr_array_add(c->sections, NULL);
	{
		GHashTableIter it;
		gpointer keyarr;

		g_hash_table_iter_init(&it, c->plugin_keys);
		while (g_hash_table_iter_next(&it, NULL, &keyarr))
			g_ptr_array_add(keyarr, NULL);
	}
	if (!g_key_file_load_from_data(c->kf, text, (gsize)len, G_KEY_FILE_NONE, &kerr)) {
		r = fail_at(error, name, 0, "%s", kerr->message);
		goto fail;
	}
	for (guint i = 0; i < keys->len; i++) {
		r = check_value(c, name, &g_array_index(keys, struct scanned_key, i), error);
		if (r < 0)
			goto fail;
	}
	*out = c;
	return 0;

fail:
	ovsdp_config_free(c);
	return r;
}

/* Read a whole regular file, keeping errno for the message. */
static int
read_text(const char *path, char **text, gsize *len, GError **error)
{
	GString *s;
	struct stat st;
	char buf[4096];
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		g_set_error(error, OVSDP_ERROR, e, "%s: %s", path, g_strerror(e));
		return -e;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(error, OVSDP_ERROR, EINVAL, "%s: not a regular file", path);
		return -EINVAL;
	}
	s = g_string_new(NULL);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			g_string_free(s, TRUE);
			g_set_error(error, OVSDP_ERROR, e, "%s: %s", path, g_strerror(e));
			return -e;
		}
		if (n == 0)
			break;
		g_string_append_len(s, buf, n);
	}
	close(fd);
	*len = s->len;
	*text = g_string_free(s, FALSE);
	return 0;
}

OVSDP_EXPORT int
ovsdp_config_load(const char *path, struct ovsdp_config **out, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	int r;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path) {
		path = ovsdp_config_default_path();
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return ovsdp_config_new_default(out);
	}
	r = read_text(path, &text, &len, error);
	if (r < 0)
		return r;
	return ovsdp_config_parse(path, text, (gssize)len, out, error);
}

OVSDP_EXPORT const char *
ovsdp_config_file(const struct ovsdp_config *c)
{
	return c ? c->file : NULL;
}

OVSDP_EXPORT const char *
ovsdp_config_mode(const struct ovsdp_config *c)
{
	return c ? c->mode : NULL;
}

OVSDP_EXPORT const char *const *
ovsdp_config_prefer(const struct ovsdp_config *c)
{
	return c ? (const char *const *)c->prefer : NULL;
}

OVSDP_EXPORT const char *const *
ovsdp_config_plugin_path(const struct ovsdp_config *c)
{
	return c ? (const char *const *)c->plugin_path : NULL;
}

OVSDP_EXPORT unsigned int
ovsdp_config_handlers(const struct ovsdp_config *c)
{
	return c ? c->handlers : 0;
}

OVSDP_EXPORT const char *const *
ovsdp_config_plugin_sections(const struct ovsdp_config *c)
{
	return c ? (const char *const *)c->sections->pdata : NULL;
}

static char *
plugin_group(const char *name)
{
	return g_strconcat("plugin:", name, NULL);
}

OVSDP_EXPORT const char *
ovsdp_config_plugin_file(const struct ovsdp_config *c, const char *name)
{
	g_autofree char *group = NULL;
	g_autofree char *lk = NULL;

	if (!c || !name)
		return NULL;
	group = plugin_group(name);
	lk = line_key(group, "path");
	return g_hash_table_lookup(c->values, lk);
}

OVSDP_EXPORT const char *const *
ovsdp_config_plugin_keys(const struct ovsdp_config *c, const char *name)
{
	GPtrArray *keys;

	if (!c || !name)
		return NULL;
	keys = g_hash_table_lookup(c->plugin_keys, name);
	return keys ? (const char *const *)keys->pdata : NULL;
}

OVSDP_EXPORT const char *
ovsdp_config_plugin_option(const struct ovsdp_config *c, const char *name, const char *key)
{
	g_autofree char *group = NULL;
	g_autofree char *lk = NULL;

	if (!c || !name || !key)
		return NULL;
	group = plugin_group(name);
	lk = line_key(group, key);
	return g_hash_table_lookup(c->values, lk);
}

OVSDP_EXPORT unsigned int
ovsdp_config_line(const struct ovsdp_config *c, const char *section, const char *key)
{
	g_autofree char *lk = NULL;

	if (!c || !section)
		return 0;
	lk = line_key(section, key);
	return GPOINTER_TO_UINT(g_hash_table_lookup(c->lines, lk));
}
