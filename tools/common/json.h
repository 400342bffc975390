/* json.h: the tools' JSON, over json-glib: a small call-site API for the
 * --json output (a JsonBuilder underneath, written by JsonGenerator, which
 * does all escaping and number formatting: doubles as %.17g) and reading a
 * JSON document, e.g. a control reply, with JsonParser. */
#ifndef OVSDP_TOOLS_JSON_H
#define OVSDP_TOOLS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

struct json;

struct json *json_new(void);
/* The document as compact text (g_free), without a newline; frees 'j'. */
char *json_steal_text(struct json *j);
/* Write the document (with a newline) to 'f' and free the writer. */
void json_finish(struct json *j, FILE *f);
/* Drop the document unwritten. */
void json_free(struct json *j);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
/* NULL writes null. */
void json_string(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
/* Above INT64_MAX the value is written as a double. */
void json_uint(struct json *j, uint64_t v);
/* NaN and infinities write null. */
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Shorthands for "key": value inside an object. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);
/* "key": { and "key": [ */
void json_kv_object_begin(struct json *j, const char *key);
void json_kv_array_begin(struct json *j, const char *key);

/* A struct written member by member from a table: "key": value for each
 * field, read at its offset with its C type. */
enum json_type {
	JSON_U16, JSON_U32, JSON_U64, JSON_UINT, JSON_INT, JSON_DOUBLE, JSON_BOOL,
	JSON_STR,       /* a char * (NULL: null) */
	JSON_CHARS,     /* a char array */
	JSON_U64_OR_NULL,       /* a uint64_t, 0 written as null */
};
struct json_field {
	const char *key;
	enum json_type type;
	size_t offset;
};
#define JSON_FIELD(key, type, st, member) { key, type, offsetof(st, member) }
void json_kv_fields(struct json *j, const void *base, const struct json_field *fields, size_t n);

/* Parse 'text' as one JSON document.  Returns its root (json_node_unref)
 * or NULL with *error. */
JsonNode *json_parse_text(const char *text, GError **error);
/* The string member 'key' of the object 'node', or NULL when 'node' is no
 * object or the member is missing or no string. */
const char *json_member_string(JsonNode *node, const char *key);

#endif
