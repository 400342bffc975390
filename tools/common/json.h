/* json.h: a small streaming JSON writer for the tools' --json output, so
 * scripts can parse what people read as text. */
#ifndef OVSDP_TOOLS_JSON_H
#define OVSDP_TOOLS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

struct json {
	GString *out;
	int depth;
	bool need_comma[64];
	bool after_key;
};

struct json *json_new(void);
/* Write the document (with a newline) to 'f' and free the writer. */
void json_finish(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Shorthands for "key": value inside an object. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

#endif
