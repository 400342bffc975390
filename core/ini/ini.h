/* ini.h: the one strict reader of the project's configuration files
 * (plugins.conf in core/runtime/config.c, ovsdpd.conf in tools/common/ovsdpd-conf.c).
 * Internal: a static library linked into libovsdp (hidden there) and into
 * ovsdpd; not installed, nothing of it exported.
 *
 * The rules, the same for every file:
 *  - the file is opened with O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_NOCTTY and the
 *    open descriptor must be a regular file (a FIFO, a device or a directory
 *    is refused, never read);
 *  - like sshd's StrictModes, it must be owned by root or the running user
 *    and not be writable by its group or by others;
 *  - at most INI_SIZE_MAX bytes, counted while reading;
 *  - valid UTF-8, no NUL byte;
 *  - lines: blank, a comment ('#' or ';' as the first non-blank character;
 *    nothing after a value is a comment), "[section]" alone on its line,
 *    or "key = value";
 *  - every section and key must be in the file's schema; none may repeat;
 *  - values: leading and trailing blanks dropped, escapes \s \t \n \r \\;
 *    booleans and numbers checked against the schema's type;
 *  - every error is "FILE:LINE: message" ("FILE: message" for the file as a
 *    whole), in a GError of domain OVSDP_ERROR;
 *  - linear time in the size of the file. */
#ifndef OVSDP_INI_H
#define OVSDP_INI_H

#include <stdbool.h>
#include <glib.h>

/* The largest configuration file read, in bytes (1 MiB). */
#define INI_SIZE_MAX (1024 * 1024)

enum ini_type {
	INI_TEXT,       /* any text (the file's own code checks it) */
	INI_BOOL,       /* yes/no, true/false, on/off, 1/0 */
	INI_UINT,       /* decimal from min to max */
	INI_UINT_AUTO,  /* "auto" or decimal from min to max */
	INI_REMOVED,    /* no longer read here: refused, pointing to 'moved_to' */
};

struct ini_key {
	const char *name;
	enum ini_type type;
	unsigned int min, max;      /* INI_UINT, INI_UINT_AUTO */
	const char *moved_to;       /* INI_REMOVED: where the setting lives now */
};

struct ini_section {
	/* The section's name; with 'prefix', the start of its name ("plugin:")
	 * and 'suffix_valid' checks the rest. */
	const char *name;
	bool prefix;
	bool (*suffix_valid)(const char *suffix);
	const char *suffix_what;    /* "a plugin name (1 to 32 characters: ...)" */
	/* Its keys, ended by a NULL name; NULL: any key name (its owner
	 * checks them later). */
	const struct ini_key *keys;
};

/* A file's schema: its sections, ended by a NULL name. */
struct ini_schema {
	const struct ini_section *sections;
};

/* One "key = value" line. */
struct ini_value {
	const char *section;        /* as written, e.g. "plugin:per-vport" */
	const char *key;
	const char *value;          /* unescaped, blanks trimmed */
	unsigned int line;
	const struct ini_key *spec; /* NULL for keys of a section without a list */
	bool b;                     /* INI_BOOL */
	unsigned int u;             /* INI_UINT, INI_UINT_AUTO (0 for auto) */
	bool is_auto;               /* INI_UINT_AUTO */
};

struct ini;

/* Read 'path' under the rules above.  Returns 0 with *text (NUL-terminated,
 * g_free) and *len, or -errno with "PATH: reason". */
int ini_read_file(const char *path, char **text, gsize *len, GError **error);

/* Parse 'len' bytes of 'text' against 'schema'; 'file' names it in
 * messages.  Returns 0 and *out (ini_free), or -EINVAL with the first
 * error. */
int ini_parse(const char *file, const char *text, gsize len, const struct ini_schema *schema,
	      struct ini **out, GError **error);

/* ini_read_file() then ini_parse(). */
int ini_load(const char *path, const struct ini_schema *schema, struct ini **out,
	     GError **error);

void ini_free(struct ini *ini);


/* The value of section.key, or NULL when unset. */
const struct ini_value *ini_get(const struct ini *ini, const char *section, const char *key);
/* The line of section.key, or of the section's header when 'key' is NULL;
 * 0 when absent. */
unsigned int ini_line(const struct ini *ini, const char *section, const char *key);
/* Every value, in file order. */
unsigned int ini_count(const struct ini *ini);
const struct ini_value *ini_nth(const struct ini *ini, unsigned int i);
/* The sections, in file order, NULL-terminated. */
const char *const *ini_sections(const struct ini *ini);

/* Split a list value at any of 'seps' in one pass (g_strsplit's strstr is
 * quadratic under ASan's interceptors), each item trimmed of blanks, empty
 * items kept.  NULL-terminated; g_strfreev. */
char **ini_split(const char *value, const char *seps);

/* Set "FILE:LINE: message" (line 0: "FILE: message") with code EINVAL and
 * return -EINVAL. */
int ini_fail(GError **error, const char *file, unsigned int line, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

#endif
