/* ini.c: the one strict configuration reader (rules in ini.h).  GKeyFile is
 * not used: it merges repeated groups, keeps the last of repeated keys,
 * refuses ';' comments without a line number and knows no lines at all, so
 * a reader that has to say FILE:LINE for each of those reads the text
 * itself; the format is small. */
#include "config.h"

#include "ini/ini.h"
#include "ini/trusted-open.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ovsdp/common.h"

struct ini {
	char *file;
	GPtrArray *values;      /* struct ini_value *, file order */
	GPtrArray *sections;    /* char *, file order, NULL-terminated */
	GHashTable *lines;      /* "section\nkey" (key "" for the header) -> line */
	GHashTable *index;      /* "section\nkey" -> struct ini_value * */
	GStringChunk *strings;
};

int
ini_fail(GError **error, const char *file, unsigned int line, const char *fmt, ...)
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

static int
fail_errno(GError **error, const char *path, int e)
{
	g_set_error(error, OVSDP_ERROR, e, "%s: %s", path, g_strerror(e));
	return -e;
}

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* sshd's StrictModes for the file itself: the owner is root or us, and
 * nobody else may write it. */
static int
check_trust(const char *path, const struct stat *st, GError **error)
{
	uid_t me = geteuid();

	if (st->st_uid != 0 && st->st_uid != me) {
		struct passwd *pw = getpwuid(st->st_uid);

		g_set_error(error, OVSDP_ERROR, EPERM,
			    "%s: owned by %s (uid %u), not by root or the running user: refused",
			    path, pw ? pw->pw_name : "an unknown user", (unsigned int)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		g_set_error(error, OVSDP_ERROR, EPERM,
			    "%s: writable by %s (mode %04o): refused", path,
			    st->st_mode & S_IWOTH ? "everyone" : "its group",
			    (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Replace *fd (the file 'path', whose stat is *st) with the descriptor of
 * the StrictModes walk to it: every directory from / down and every link
 * followed owned by root or the running user and writable by nobody else,
 * but for a root-owned sticky directory such as /tmp.  A file swapped
 * between the two opens is refused. */
static int
trust_path(const char *path, int *fd, const struct stat *st, GError **error)
{
	g_autofree char *real = NULL;
	g_autofree char *why = NULL;
	struct stat st2;
	int wfd, r;

	r = trusted_open(path, TRUSTED_STICKY_HOLDER, &wfd, &real, &why);
	if (r < 0) {
		close(*fd);
		*fd = -1;
		g_set_error(error, OVSDP_ERROR, -r, "%s: %s: refused", path, why);
		return r;
	}
	if (fstat(wfd, &st2) < 0 || st2.st_dev != st->st_dev || st2.st_ino != st->st_ino) {
		close(wfd);
		close(*fd);
		*fd = -1;
		g_set_error(error, OVSDP_ERROR, EAGAIN, "%s: replaced while being read: refused",
			    path);
		return -EAGAIN;
	}
	close(*fd);
	*fd = wfd;
	return 0;
}

int
ini_read_file(const char *path, char **text, gsize *len, GError **error)
{
	GString *s;
	struct stat st;
	char buf[16384];
	int fd, r;

	*text = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail_errno(error, path, errno);
	if (fstat(fd, &st) < 0) {
		r = fail_errno(error, path, errno);
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(error, OVSDP_ERROR, EINVAL, "%s: %s, not a regular file: refused",
			    path, file_kind(st.st_mode));
		return -EINVAL;
	}
	r = check_trust(path, &st, error);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* The file passed; now every directory and link on the way to it,
	 * holding each open (trusted-open.c), and the file read from the
	 * descriptor that walk checked. */
	r = trust_path(path, &fd, &st, error);
	if (r < 0)
		return r;
	s = g_string_sized_new(st.st_size > 0 && st.st_size <= INI_SIZE_MAX ?
			       (gsize)st.st_size + 1 : 4096);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fail_errno(error, path, errno);
			break;
		}
		if (n == 0)
			break;
		/* The cap holds while reading: a file that grows, or a
		 * size that lies, cannot make us read more. */
		if (s->len + (gsize)n > INI_SIZE_MAX) {
			r = ini_fail(error, path, 0, "larger than %d bytes, the limit for a "
				     "configuration file: refused", INI_SIZE_MAX);
			break;
		}
		g_string_append_len(s, buf, n);
	}
	close(fd);
	if (r < 0) {
		g_string_free(s, TRUE);
		return r;
	}
	*len = s->len;
	*text = g_string_free(s, FALSE);
	return 0;
}

void
ini_free(struct ini *ini)
{
	if (!ini)
		return;
	g_free(ini->file);
	g_ptr_array_unref(ini->values);
	g_ptr_array_unref(ini->sections);
	g_hash_table_unref(ini->lines);
	g_hash_table_unref(ini->index);
	g_string_chunk_free(ini->strings);
	g_free(ini);
}

static unsigned int
line_at(const char *text, const char *p)
{
	unsigned int line = 1;

	for (const char *q = text; q < p; q++) {
		q = memchr(q, '\n', (gsize)(p - q));
		if (!q)
			break;
		line++;
	}
	return line;
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

static char *
sk(const char *section, const char *key)
{
	return g_strconcat(section, "\n", key ? key : "", NULL);
}

static char *
known_sections(const struct ini_schema *schema)
{
	GString *s = g_string_new(NULL);

	for (const struct ini_section *sec = schema->sections; sec->name; sec++)
		g_string_append_printf(s, "%s[%s%s]", s->len ? ", " : "", sec->name,
				       sec->prefix ? "NAME" : "");
	return g_string_free(s, FALSE);
}

static char *
known_keys(const struct ini_section *sec)
{
	GString *s = g_string_new(NULL);

	for (const struct ini_key *k = sec->keys; k->name; k++) {
		if (k->type != INI_REMOVED)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", k->name);
	}
	return g_string_free(s, FALSE);
}

static const struct ini_section *
find_section(const struct ini_schema *schema, const char *name)
{
	for (const struct ini_section *sec = schema->sections; sec->name; sec++) {
		if (sec->prefix ? g_str_has_prefix(name, sec->name) : !strcmp(name, sec->name))
			return sec;
	}
	return NULL;
}

static const struct ini_key *
find_key(const struct ini_section *sec, const char *name)
{
	for (const struct ini_key *k = sec->keys; k->name; k++) {
		if (!strcmp(k->name, name))
			return k;
	}
	return NULL;
}

/* GKeyFile's escapes, so files written for it keep their meaning.  NULL
 * and *bad set on an unknown escape. */
static char *
unescape(const char *v, char *bad)
{
	GString *s = g_string_sized_new(strlen(v));

	for (const char *p = v; *p; p++) {
		if (*p != '\\') {
			g_string_append_c(s, *p);
			continue;
		}
		switch (p[1]) {
		case 's': g_string_append_c(s, ' '); break;
		case 't': g_string_append_c(s, '\t'); break;
		case 'n': g_string_append_c(s, '\n'); break;
		case 'r': g_string_append_c(s, '\r'); break;
		case '\\': g_string_append_c(s, '\\'); break;
		default:
			*bad = p[1];
			g_string_free(s, TRUE);
			return NULL;
		}
		p++;
	}
	return g_string_free(s, FALSE);
}

static int
check_type(const char *file, struct ini_value *v, GError **error)
{
	const struct ini_key *k = v->spec;
	guint64 n;

	if (!k)
		return 0;
	switch (k->type) {
	case INI_TEXT:
	case INI_REMOVED:
		return 0;
	case INI_BOOL:
		if (!g_ascii_strcasecmp(v->value, "yes") || !g_ascii_strcasecmp(v->value, "true") ||
		    !g_ascii_strcasecmp(v->value, "on") || !strcmp(v->value, "1")) {
			v->b = true;
			return 0;
		}
		if (!g_ascii_strcasecmp(v->value, "no") || !g_ascii_strcasecmp(v->value, "false") ||
		    !g_ascii_strcasecmp(v->value, "off") || !strcmp(v->value, "0")) {
			v->b = false;
			return 0;
		}
		return ini_fail(error, file, v->line,
				"[%s] %s = %s: expected a boolean (yes/no, true/false, on/off, 1/0)",
				v->section, v->key, v->value);
	case INI_UINT:
	case INI_UINT_AUTO:
		if (k->type == INI_UINT_AUTO && !strcmp(v->value, "auto")) {
			v->is_auto = true;
			v->u = 0;
			return 0;
		}
		if (g_ascii_isdigit(v->value[0]) &&
		    g_ascii_string_to_unsigned(v->value, 10, k->min, k->max, &n, NULL)) {
			v->u = (unsigned int)n;
			return 0;
		}
		return ini_fail(error, file, v->line, "[%s] %s = %s: expected %sa number from %u to %u%s",
				v->section, v->key, v->value,
				k->type == INI_UINT_AUTO ? "auto or " : "", k->min, k->max,
				strchr(v->value, '#') || strchr(v->value, ';')
				? " (comments go on their own line)" : "");
	}
	return 0;
}

/* One "key = value" line: 'l' is the trimmed line, 'eq' its '='. */
static int
parse_value(struct ini *ini, const struct ini_section *sec, const char *section, char *l,
	    char *eq, unsigned int line, GError **error)
{
	g_autofree char *lk = NULL, *raw = NULL;
	const struct ini_key *spec = NULL;
	struct ini_value *v;
	gpointer first;
	char bad = 0;
	char *k;

	*eq = '\0';
	k = g_strstrip(l);
	if (!key_name_valid(k))
		return ini_fail(error, ini->file, line,
				"'%s' is not a key name (letters, digits, '-', '_')", k);
	if (!section)
		return ini_fail(error, ini->file, line, "key '%s' is outside any section", k);
	if (sec->keys) {
		spec = find_key(sec, k);
		if (!spec) {
			g_autofree char *list = known_keys(sec);

			return ini_fail(error, ini->file, line, "[%s] unknown key '%s' (known: %s)",
					section, k, list);
		}
		if (spec->type == INI_REMOVED)
			return ini_fail(error, ini->file, line, "[%s] %s is not read here any more: "
					"set %s", section, k, spec->moved_to);
	}
	lk = sk(section, k);
	if (g_hash_table_lookup_extended(ini->lines, lk, NULL, &first))
		return ini_fail(error, ini->file, line, "[%s] %s is set twice (first at line %u)",
				section, k, GPOINTER_TO_UINT(first));

	raw = unescape(g_strchug(eq + 1), &bad);
	if (!raw && bad)
		return ini_fail(error, ini->file, line,
				"[%s] %s: unknown escape '\\%c' (known: \\s \\t \\n \\r \\\\)",
				section, k, bad);
	if (!raw)
		return ini_fail(error, ini->file, line,
				"[%s] %s: the value ends with a lone '\\'", section, k);
	g_strchomp(raw);
	v = g_new0(struct ini_value, 1);
	v->section = g_string_chunk_insert_const(ini->strings, section);
	v->key = g_string_chunk_insert(ini->strings, k);
	v->value = g_string_chunk_insert(ini->strings, raw);
	v->line = line;
	v->spec = spec;
	g_ptr_array_add(ini->values, v);
	g_hash_table_insert(ini->index, sk(section, k), v);
	g_hash_table_insert(ini->lines, g_steal_pointer(&lk), GUINT_TO_POINTER(line));
	return check_type(ini->file, v, error);
}

/* One "[section]" line: 'l' is the trimmed line. */
static int
parse_section(struct ini *ini, const struct ini_schema *schema, char *l, unsigned int line,
	      const struct ini_section **sec, const char **section, GError **error)
{
	char *end = strchr(l, ']');
	g_autofree char *lk = NULL;
	const char *name;
	gpointer first;

	if (!end || end[1] != '\0' || end == l + 1)
		return ini_fail(error, ini->file, line,
				"cannot parse '%s': a section is [name] alone on its line", l);
	*end = '\0';
	name = l + 1;
	*sec = find_section(schema, name);
	if (!*sec) {
		g_autofree char *list = known_sections(schema);

		return ini_fail(error, ini->file, line, "unknown section [%s] (known: %s)", name, list);
	}
	if ((*sec)->prefix && (*sec)->suffix_valid &&
	    !(*sec)->suffix_valid(name + strlen((*sec)->name)))
		return ini_fail(error, ini->file, line, "[%s]: '%s' is not %s", name,
				name + strlen((*sec)->name), (*sec)->suffix_what);
	lk = sk(name, NULL);
	if (g_hash_table_lookup_extended(ini->lines, lk, NULL, &first))
		return ini_fail(error, ini->file, line, "section [%s] appears twice (first at line %u)",
				name, GPOINTER_TO_UINT(first));
	g_hash_table_insert(ini->lines, g_steal_pointer(&lk), GUINT_TO_POINTER(line));
	*section = g_string_chunk_insert(ini->strings, name);
	g_ptr_array_add(ini->sections, (gpointer)*section);
	return 0;
}

int
ini_parse(const char *file, const char *text, gsize len, const struct ini_schema *schema,
	  struct ini **out, GError **error)
{
	const struct ini_section *sec = NULL;
	const char *section = NULL, *p, *end = text + len, *bad;
	struct ini *ini;
	unsigned int line = 0;
	int r = 0;

	*out = NULL;
	if (len > INI_SIZE_MAX)
		return ini_fail(error, file, 0, "larger than %d bytes, the limit for a "
				"configuration file: refused", INI_SIZE_MAX);
	p = memchr(text, '\0', len);
	if (p)
		return ini_fail(error, file, line_at(text, p),
				"contains a NUL byte: not a text file");
	if (!g_utf8_validate_len(text, len, &bad)) {
		const char *bol = memrchr(text, '\n', (gsize)(bad - text));

		return ini_fail(error, file, line_at(text, bad),
				"not valid UTF-8 (byte 0x%02x at column %u)", (guint8)*bad,
				(unsigned int)(bad - (bol ? bol + 1 : text)) + 1);
	}

	ini = g_new0(struct ini, 1);
	ini->file = g_strdup(file);
	ini->values = g_ptr_array_new_with_free_func(g_free);
	ini->sections = g_ptr_array_new();
	ini->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ini->index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ini->strings = g_string_chunk_new(256);

	for (p = text; p < end && r == 0; line++) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		g_autofree char *copy = g_strndup(p, nl ? (gsize)(nl - p) : (gsize)(end - p));
		char *l = g_strstrip(copy), *eq;

		p = nl ? nl + 1 : end;
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			r = parse_section(ini, schema, l, line + 1, &sec, &section, error);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			r = ini_fail(error, file, line + 1, "cannot parse '%s': expected [section], "
				     "key = value or a comment (# or ;)", l);
			continue;
		}
		r = parse_value(ini, sec, section, l, eq, line + 1, error);
	}
	if (r < 0) {
		ini_free(ini);
		return r;
	}
	g_ptr_array_add(ini->sections, NULL);
	*out = ini;
	return 0;
}

int
ini_load(const char *path, const struct ini_schema *schema, struct ini **out, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	int r;

	*out = NULL;
	r = ini_read_file(path, &text, &len, error);
	if (r < 0)
		return r;
	return ini_parse(path, text, len, schema, out, error);
}

const struct ini_value *
ini_get(const struct ini *ini, const char *section, const char *key)
{
	g_autofree char *lk = NULL;

	if (!ini || !section || !key)
		return NULL;
	lk = sk(section, key);
	return g_hash_table_lookup(ini->index, lk);
}

unsigned int
ini_line(const struct ini *ini, const char *section, const char *key)
{
	g_autofree char *lk = NULL;

	if (!ini || !section)
		return 0;
	lk = sk(section, key);
	return GPOINTER_TO_UINT(g_hash_table_lookup(ini->lines, lk));
}

unsigned int
ini_count(const struct ini *ini)
{
	return ini ? ini->values->len : 0;
}

const struct ini_value *
ini_nth(const struct ini *ini, unsigned int i)
{
	return ini && i < ini->values->len ? ini->values->pdata[i] : NULL;
}

char **
ini_split(const char *value, const char *seps)
{
	GPtrArray *items = g_ptr_array_new();
	const char *p = value;

	for (;;) {
		gsize n = strcspn(p, seps);

		g_ptr_array_add(items, g_strstrip(g_strndup(p, n)));
		if (!p[n])
			break;
		p += n + 1;
	}
	g_ptr_array_add(items, NULL);
	return (char **)g_ptr_array_free(items, FALSE);
}

const char *const *
ini_sections(const struct ini *ini)
{
	return ini ? (const char *const *)ini->sections->pdata : NULL;
}
