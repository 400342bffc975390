/* json.c: the streaming JSON writer behind every tool's --json flag. */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include "json.h"

struct json *
json_new(void)
{
	struct json *j = g_new0(struct json, 1);

	j->out = g_string_new(NULL);
	return j;
}

void
json_finish(struct json *j, FILE *f)
{
	fprintf(f, "%s\n", j->out->str);
	fflush(f);
	g_string_free(j->out, TRUE);
	g_free(j);
}

/* Separate this value from the previous sibling, unless it follows a key. */
static void
value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->need_comma[j->depth])
		g_string_append_c(j->out, ',');
	if (j->depth > 0)
		j->need_comma[j->depth] = true;
}

static void
open_(struct json *j, char c)
{
	value_prefix(j);
	g_string_append_c(j->out, c);
	if (j->depth < 63)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void
close_(struct json *j, char c)
{
	g_string_append_c(j->out, c);
	if (j->depth > 0)
		j->depth--;
}

void json_object_begin(struct json *j) { open_(j, '{'); }
void json_object_end(struct json *j) { close_(j, '}'); }
void json_array_begin(struct json *j) { open_(j, '['); }
void json_array_end(struct json *j) { close_(j, ']'); }

static void
append_escaped(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			if (c < 0x20)
				g_string_append_printf(out, "\\u%04x", c);
			else
				g_string_append_c(out, (char)c);
		}
	}
	g_string_append_c(out, '"');
}

void
json_key(struct json *j, const char *key)
{
	value_prefix(j);
	append_escaped(j->out, key);
	g_string_append_c(j->out, ':');
	j->after_key = true;
}

void
json_string(struct json *j, const char *s)
{
	value_prefix(j);
	if (s)
		append_escaped(j->out, s);
	else
		g_string_append(j->out, "null");
}

void
json_int(struct json *j, int64_t v)
{
	value_prefix(j);
	g_string_append_printf(j->out, "%" PRId64, v);
}

void
json_uint(struct json *j, uint64_t v)
{
	value_prefix(j);
	g_string_append_printf(j->out, "%" PRIu64, v);
}

void
json_double(struct json *j, double v)
{
	value_prefix(j);
	if (isfinite(v))
		g_string_append_printf(j->out, "%.6g", v);
	else
		g_string_append(j->out, "null");
}

void
json_bool(struct json *j, bool v)
{
	value_prefix(j);
	g_string_append(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	value_prefix(j);
	g_string_append(j->out, "null");
}

void json_kv_string(struct json *j, const char *k, const char *s) { json_key(j, k); json_string(j, s); }
void json_kv_int(struct json *j, const char *k, int64_t v) { json_key(j, k); json_int(j, v); }
void json_kv_uint(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_uint(j, v); }
void json_kv_bool(struct json *j, const char *k, bool v) { json_key(j, k); json_bool(j, v); }
