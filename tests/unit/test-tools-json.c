/* test-tools-json.c: the tools' JSON (tools/common/json.c over json-glib):
 * what it writes is JSON a parser reads back to the same values, awkward
 * numbers and strings included, structs written from field tables, and a
 * reply is read by member. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <check.h>
#include <glib.h>

#include "json.h"
#include "tsuite.h"

static JsonObject *
parsed_object(const char *text, JsonNode **root)
{
	g_autoptr(GError) err = NULL;

	*root = json_parse_text(text, &err);
	ck_assert_msg(*root, "not JSON (%s): %s", err ? err->message : "?", text);
	ck_assert(JSON_NODE_HOLDS_OBJECT(*root));
	return json_node_get_object(*root);
}

START_TEST(numbers_parse_back)
{
	static const double doubles[] = { 0.0, 1.0, 0.1, 1e17, 1e20, -3e25, 1e-7, 2e18, 1e300 };
	struct json *j = json_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	JsonObject *o;

	json_object_begin(j);
	json_kv_array_begin(j, "d");
	for (unsigned int i = 0; i < G_N_ELEMENTS(doubles); i++)
		json_double(j, doubles[i]);
	json_array_end(j);
	json_kv_double(j, "nan", NAN);
	json_kv_double(j, "inf", INFINITY);
	json_kv_uint(j, "u64max", UINT64_MAX);
	json_kv_int(j, "i64min", INT64_MIN);
	json_object_end(j);
	text = json_steal_text(j);

	o = parsed_object(text, &root);
	for (unsigned int i = 0; i < G_N_ELEMENTS(doubles); i++) {
		JsonNode *n = json_array_get_element(json_object_get_array_member(o, "d"), i);
		double got = json_node_get_value_type(n) == G_TYPE_INT64 ? (double)json_node_get_int(n)
									: json_node_get_double(n);

		ck_assert_msg(fabs(got - doubles[i]) <= fabs(doubles[i]) * 1e-15,
			      "element %u: %.17g for %.17g in %s", i, got, doubles[i], text);
	}
	ck_assert(json_object_get_null_member(o, "nan"));
	ck_assert(json_object_get_null_member(o, "inf"));
	ck_assert_double_eq_tol(json_object_get_double_member(o, "u64max"), 18446744073709551615.0,
				1e4);
	ck_assert(json_object_get_int_member(o, "i64min") == INT64_MIN);
}
END_TEST

START_TEST(strings_parse_back)
{
	static const char *const strings[] = { "plain", "q\"uote", "back\\slash", "new\nline",
					       "\x01\x1f\x7f", "é ü", "" };
	struct json *j = json_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	JsonObject *o;

	json_object_begin(j);
	for (unsigned int i = 0; i < G_N_ELEMENTS(strings); i++) {
		char key[16];

		g_snprintf(key, sizeof key, "s%u", i);
		json_kv_string(j, key, strings[i]);
	}
	json_kv_string(j, "none", NULL);
	json_object_end(j);
	text = json_steal_text(j);

	o = parsed_object(text, &root);
	for (unsigned int i = 0; i < G_N_ELEMENTS(strings); i++) {
		char key[16];

		g_snprintf(key, sizeof key, "s%u", i);
		ck_assert_str_eq(json_member_string(root, key), strings[i]);
	}
	ck_assert(json_object_get_null_member(o, "none"));
	ck_assert_ptr_null(json_member_string(root, "none"));
}
END_TEST

struct sample {
	uint16_t a;
	uint32_t b;
	uint64_t c;
	unsigned int d;
	int e;
	double f;
	bool g;
	const char *h;
	char i[8];
};

START_TEST(fields_in_table_order)
{
	static const struct json_field fields[] = {
		JSON_FIELD("i", JSON_CHARS, struct sample, i),
		JSON_FIELD("a", JSON_U16, struct sample, a),
		JSON_FIELD("b", JSON_U32, struct sample, b),
		JSON_FIELD("c", JSON_U64, struct sample, c),
		JSON_FIELD("d", JSON_UINT, struct sample, d),
		JSON_FIELD("e", JSON_INT, struct sample, e),
		JSON_FIELD("f", JSON_DOUBLE, struct sample, f),
		JSON_FIELD("g", JSON_BOOL, struct sample, g),
		JSON_FIELD("h", JSON_STR, struct sample, h),
	};
	const struct sample v = { 65535, 4000000000u, UINT64_C(1) << 40, 7, -5, 0.5, true, NULL,
				  "name" };
	struct json *j = json_new();
	g_autofree char *text = NULL;

	json_object_begin(j);
	json_kv_fields(j, &v, fields, G_N_ELEMENTS(fields));
	json_object_end(j);
	text = json_steal_text(j);
	ck_assert_str_eq(text, "{\"i\":\"name\",\"a\":65535,\"b\":4000000000,\"c\":1099511627776,"
			 "\"d\":7,\"e\":-5,\"f\":0.5,\"g\":true,\"h\":null}");

	/* A uint64_t where 0 means "none": null. */
	{
		static const struct json_field rate[] = {
			JSON_FIELD("r", JSON_U64_OR_NULL, struct sample, c),
		};
		struct sample none = v;

		none.c = 0;
		j = json_new();
		json_object_begin(j);
		json_kv_fields(j, &v, rate, 1);
		json_kv_object_begin(j, "none");
		json_kv_fields(j, &none, rate, 1);
		json_object_end(j);
		json_object_end(j);
		g_free(text);
		text = json_steal_text(j);
		ck_assert_str_eq(text, "{\"r\":1099511627776,\"none\":{\"r\":null}}");
	}
}
END_TEST

START_TEST(reply_members)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) root = json_parse_text("{\"active\":\"per-cpu\",\"switches\":2}", &err);
	g_autoptr(JsonNode) bad = NULL;

	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq(json_member_string(root, "active"), "per-cpu");
	ck_assert_ptr_null(json_member_string(root, "switches"));
	ck_assert_ptr_null(json_member_string(root, "missing"));
	bad = json_parse_text("{\"active\":", &err);
	ck_assert_ptr_null(bad);
	ck_assert_ptr_nonnull(err);
}
END_TEST

int
main(void)
{
	return tsuite_main("tools-json", "json", NULL, NULL, 0,
			   TSUITE_TESTS(numbers_parse_back, strings_parse_back,
					fields_in_table_order, reply_members));
}
