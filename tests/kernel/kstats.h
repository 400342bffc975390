/* kstats.h: statistics snapshots of the handler runtime, for the kernel
 * tests (see <ovsdp/handlers.h>, ovsdp_handlers_stats_new). */
#ifndef KSTATS_H
#define KSTATS_H

#include <glib.h>
#include <ovsdp/handlers.h>

typedef struct ovsdp_handlers_stats kstats;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(kstats, ovsdp_handlers_stats_free)

/* Replace *st (freed; NULL is fine) with a fresh snapshot of hs. */
static inline int
kstats_get(struct ovsdp_handlers *hs, kstats **st)
{
	ovsdp_handlers_stats_free(*st);
	*st = NULL;
	return ovsdp_handlers_stats_new(hs, st);
}

/* "name=upcalls name=upcalls" of the snapshot's shares, for messages
 * (g_free). */
static inline char *
kstats_shares(const kstats *st)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_shares(st); i++)
		g_string_append_printf(s, "%s%s=%" G_GUINT64_FORMAT, i ? " " : "",
				       ovsdp_handlers_stats_share_name(st, i),
				       ovsdp_handlers_stats_share_upcalls(st, i));
	return g_string_free(s, FALSE);
}

#define KST_TOTAL(st, c) ovsdp_handlers_stats_total((st), OVSDP_HANDLERS_##c)
#define KST_DISP(st, c) ovsdp_handlers_stats_dispatcher((st), 0, OVSDP_DISPATCHER_##c)
#define KST_HANDLER(st, i, c) ovsdp_handlers_stats_handler((st), (i), OVSDP_HANDLER_##c)

#endif
