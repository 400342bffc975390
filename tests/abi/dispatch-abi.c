/* dispatch-abi.c: the object whose ABI stands for <ovsdp/dispatch.h> in
 * tests/abi/dispatch.abi.  A header has no symbols of its own, so this
 * exports one function per type of the header (and one per inline helper)
 * and lets abidw describe them: every struct, enum, member, offset and
 * method signature a plugin binary depends on ends up in the record.
 * tests/abi/check compiles it against the header under test, never links
 * it into anything.  A type added to the header in a minor version gets a
 * function here (and a deliberate record update: docs/writing-a-dispatcher.md,
 * "Versioning rules"). */
#include <ovsdp/dispatch.h>

OVSDP_DISPATCH_EXPORT enum ovsdp_dispatch_log_level
ovsdp_abi_log_level(enum ovsdp_dispatch_log_level l)
{
	return l;
}

OVSDP_DISPATCH_EXPORT enum ovsdp_dispatch_tristate
ovsdp_abi_tristate(enum ovsdp_dispatch_tristate t)
{
	return t;
}

OVSDP_DISPATCH_EXPORT size_t
ovsdp_abi_msg(const struct ovsdp_dispatch_msg *m)
{
	return m ? m->len : sizeof *m;
}

OVSDP_DISPATCH_EXPORT size_t
ovsdp_abi_stats(const struct ovsdp_dispatch_stats *s)
{
	return s ? s->struct_size : sizeof *s;
}

OVSDP_DISPATCH_EXPORT size_t
ovsdp_abi_option(const struct ovsdp_dispatch_option *o)
{
	return o ? sizeof *o : 0;
}

OVSDP_DISPATCH_EXPORT size_t
ovsdp_abi_family(const struct ovsdp_dispatch_family *f)
{
	return f ? f->struct_size : sizeof *f;
}

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_family *
ovsdp_abi_features_family(const struct ovsdp_dispatch_features *f, uint32_t i)
{
	return ovsdp_dispatch_features_family(f, i);
}

OVSDP_DISPATCH_EXPORT size_t
ovsdp_abi_host(const struct ovsdp_dispatch_host *h, struct ovsdp_dispatch_host_ctx *ctx,
	       struct ovsdp_usock *sock, struct ovsdp_dispatch_instance *d)
{
	(void)ctx;
	(void)sock;
	(void)d;
	return h ? h->struct_size : sizeof *h;
}

OVSDP_DISPATCH_EXPORT struct ovsdp_dispatch_vtable
ovsdp_abi_vtable_make(void)
{
	return ovsdp_dispatch_vtable_make();
}

OVSDP_DISPATCH_EXPORT struct ovsdp_dispatch_descriptor
ovsdp_abi_descriptor_make(const char *name, const char *description,
			  const struct ovsdp_dispatch_vtable *vtable,
			  const struct ovsdp_dispatch_option *options)
{
	return ovsdp_dispatch_descriptor_make(name, description, vtable, options);
}

/* The entry point itself, with the signature the loader calls. */
OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return 0;
}
