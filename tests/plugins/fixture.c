/* fixture.c: broken (and a few good) dispatch plugins for test-loader.c.
 * tests/plugins/meson.build builds this file once per fixture with -D
 * options; each variant breaks exactly one rule of the plugin ABI. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include <ovsdp/dispatch.h>

/* Some variants leave a table unreferenced on purpose. */
#define FIXTURE_MAYBE_UNUSED __attribute__((unused))

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "fixture"
#endif
#ifndef FIXTURE_ABI_MAJOR
#define FIXTURE_ABI_MAJOR OVSDP_DISPATCH_ABI_MAJOR
#endif
#ifndef FIXTURE_ABI_MINOR
#define FIXTURE_ABI_MINOR OVSDP_DISPATCH_ABI_MINOR
#endif
#ifndef FIXTURE_STRUCT_SIZE
#define FIXTURE_STRUCT_SIZE sizeof(struct ovsdp_dispatch_descriptor)
#endif
#ifndef FIXTURE_VTABLE_SIZE
#define FIXTURE_VTABLE_SIZE sizeof(struct ovsdp_dispatch_vtable)
#endif
/* The members a variant sets to NULL (-DFIXTURE_RECV=NULL and so on). */
#ifndef FIXTURE_RECV
#define FIXTURE_RECV fixture_recv
#endif
#ifndef FIXTURE_NAME_MEMBER
#define FIXTURE_NAME_MEMBER FIXTURE_NAME
#endif
#ifndef FIXTURE_VTABLE
#define FIXTURE_VTABLE (&fixture_vtable)
#endif
#ifndef FIXTURE_OPTIONS
#define FIXTURE_OPTIONS fixture_options
#endif

static int
fixture_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len)
{
	(void)features;
#ifdef FIXTURE_PROBE_FAILS
	snprintf(reason, reason_len, "this fixture always fails its probe");
	return -ENODEV;
#else
	(void)reason;
	(void)reason_len;
	return 0;
#endif
}

/* The required methods, as stubs: the loader only checks that they are
 * there (these fixtures never get an instance); their parameters go unused
 * (meson builds with -Wno-unused-parameter). */
static FIXTURE_MAYBE_UNUSED int
fixture_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	       struct ovsdp_dispatch_instance **out)
{
	return -ENOTSUP;
}

static FIXTURE_MAYBE_UNUSED void
fixture_destroy(struct ovsdp_dispatch_instance *d)
{
}

static FIXTURE_MAYBE_UNUSED int
fixture_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	return -ENOTSUP;
}

static FIXTURE_MAYBE_UNUSED int
fixture_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n)
{
	return -ENOTSUP;
}

static FIXTURE_MAYBE_UNUSED uint32_t
fixture_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	return 0;
}

static FIXTURE_MAYBE_UNUSED int
fixture_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	return -EINVAL;
}

static FIXTURE_MAYBE_UNUSED int
fixture_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	     struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	return -EINVAL;
}

static const struct ovsdp_dispatch_vtable fixture_vtable FIXTURE_MAYBE_UNUSED = {
	.struct_size = FIXTURE_VTABLE_SIZE,
	.probe = fixture_probe,
	.create = fixture_create,
	.destroy = fixture_destroy,
	.recv_set = fixture_recv_set,
	.handlers_set = fixture_handlers_set,
	.port_get_pid = fixture_port_get_pid,
	.wait_fd = fixture_wait_fd,
	.recv = FIXTURE_RECV,
};

static const struct ovsdp_dispatch_option fixture_options[] FIXTURE_MAYBE_UNUSED = {
#ifdef FIXTURE_EMPTY_VALUES
	{ "shade", "", "dark", "a values list with nothing in it" },
#endif
	{ "colour", "red;green;blue", "red", "a key the loader checks for this fixture" },
	{ "label", NULL, NULL, "any text" },
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_descriptor fixture_descriptor FIXTURE_MAYBE_UNUSED = {
	.abi_major = FIXTURE_ABI_MAJOR,
	.abi_minor = FIXTURE_ABI_MINOR,
	.struct_size = FIXTURE_STRUCT_SIZE,
	.name = FIXTURE_NAME_MEMBER,
	.description = "test fixture " FIXTURE_NAME,
	.vtable = FIXTURE_VTABLE,
	.options = FIXTURE_OPTIONS,
};

#ifndef FIXTURE_NO_SYMBOL
OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
#ifdef FIXTURE_RETURNS_NULL
	return NULL;
#else
	return &fixture_descriptor;
#endif
}
#else
/* Exported under another name: a library, but not a dispatch plugin. */
OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *fixture_descriptor_get(void);

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
fixture_descriptor_get(void)
{
	return &fixture_descriptor;
}
#endif
