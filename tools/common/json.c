/* json.c: the tools' JSON over json-glib: every --json document is built
 * with a JsonBuilder and printed by JsonGenerator; replies are read with
 * JsonParser. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "json.h"

struct json {
	JsonBuilder *b;
};

struct json *
json_new(void)
{
	struct json *j = g_new0(struct json, 1);

	j->b = json_builder_new();
	return j;
}

void
json_free(struct json *j)
{
	if (!j)
		return;
	g_object_unref(j->b);
	g_free(j);
}

char *
json_steal_text(struct json *j)
{
	g_autoptr(JsonNode) root = json_builder_get_root(j->b);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	char *text;

	json_generator_set_root(gen, root ? root : NULL);
	text = root ? json_generator_to_data(gen, NULL) : g_strdup("null");
	json_free(j);
	return text;
}

void
json_finish(struct json *j, FILE *f)
{
	g_autofree char *text = json_steal_text(j);

	fprintf(f, "%s\n", text);
	fflush(f);
}

void json_object_begin(struct json *j) { json_builder_begin_object(j->b); }
void json_object_end(struct json *j) { json_builder_end_object(j->b); }
void json_array_begin(struct json *j) { json_builder_begin_array(j->b); }
void json_array_end(struct json *j) { json_builder_end_array(j->b); }
void json_key(struct json *j, const char *key) { json_builder_set_member_name(j->b, key); }
void json_int(struct json *j, int64_t v) { json_builder_add_int_value(j->b, v); }
void json_bool(struct json *j, bool v) { json_builder_add_boolean_value(j->b, v); }
void json_null(struct json *j) { json_builder_add_null_value(j->b); }

void
json_string(struct json *j, const char *s)
{
	if (s)
		json_builder_add_string_value(j->b, s);
	else
		json_builder_add_null_value(j->b);
}

void
json_uint(struct json *j, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		json_builder_add_double_value(j->b, (double)v);
	else
		json_builder_add_int_value(j->b, (gint64)v);
}

void
json_double(struct json *j, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	/* JSON has no NaN or infinity. */
	if (!isfinite(v)) {
		json_builder_add_null_value(j->b);
		return;
	}
	/* json-glib 1.6 prints a double as %.17g and appends ".0" when that
	 * has no '.', which turns 1e+20 into "1e+20.0", no JSON number.  Such
	 * a value (one significant digit, a large exponent) is an integer:
	 * written as one while it fits, else one ulp towards zero, which
	 * prints with a '.'. */
	g_ascii_formatd(buf, sizeof buf, "%.17g", v);
	if (strchr(buf, 'e') && !strchr(buf, '.')) {
		if (fabs(v) < 9.2e18) {
			json_builder_add_int_value(j->b, (gint64)v);
			return;
		}
		v = nextafter(v, 0.0);
	}
	json_builder_add_double_value(j->b, v);
}

void json_kv_string(struct json *j, const char *k, const char *s) { json_key(j, k); json_string(j, s); }
void json_kv_int(struct json *j, const char *k, int64_t v) { json_key(j, k); json_int(j, v); }
void json_kv_uint(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_uint(j, v); }
void json_kv_double(struct json *j, const char *k, double v) { json_key(j, k); json_double(j, v); }
void json_kv_bool(struct json *j, const char *k, bool v) { json_key(j, k); json_bool(j, v); }
void json_kv_object_begin(struct json *j, const char *k) { json_key(j, k); json_object_begin(j); }
void json_kv_array_begin(struct json *j, const char *k) { json_key(j, k); json_array_begin(j); }

void
json_kv_fields(struct json *j, const void *base, const struct json_field *fields, size_t n)
{
	const char *b = base;

	for (size_t i = 0; i < n; i++) {
		const struct json_field *f = &fields[i];
		const void *p = b + f->offset;

		json_key(j, f->key);
		switch (f->type) {
		case JSON_U16: json_uint(j, *(const uint16_t *)p); break;
		case JSON_U32: json_uint(j, *(const uint32_t *)p); break;
		case JSON_U64: json_uint(j, *(const uint64_t *)p); break;
		case JSON_UINT: json_uint(j, *(const unsigned int *)p); break;
		case JSON_INT: json_int(j, *(const int *)p); break;
		case JSON_DOUBLE: json_double(j, *(const double *)p); break;
		case JSON_BOOL: json_bool(j, *(const bool *)p); break;
		case JSON_STR: json_string(j, *(const char *const *)p); break;
		case JSON_CHARS: json_string(j, (const char *)p); break;
		case JSON_U64_OR_NULL:
			if (*(const uint64_t *)p)
				json_uint(j, *(const uint64_t *)p);
			else
				json_null(j);
			break;
		}
	}
}

JsonNode *
json_parse_text(const char *text, GError **error)
{
	g_autoptr(JsonParser) p = json_parser_new_immutable();
	JsonNode *root;

	if (!json_parser_load_from_data(p, text, -1, error))
		return NULL;
	root = json_parser_get_root(p);
	if (!root) {
		g_set_error(error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "empty document");
		return NULL;
	}
	return json_node_ref(root);
}

const char *
json_member_string(JsonNode *node, const char *key)
{
	JsonObject *o;
	JsonNode *m;

	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	o = json_node_get_object(node);
	m = json_object_get_member(o, key);
	if (!m || !JSON_NODE_HOLDS_VALUE(m) || json_node_get_value_type(m) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(m);
}
