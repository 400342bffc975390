/* embed-handlers: the smallest program that embeds libovsdp's handler
 * runtime with a callback of its own.  It counts the upcalls of each port of
 * an existing datapath and prints the counts every second; it installs no
 * flow, so every miss keeps coming up.
 *   embed-handlers [--dispatch NAME] [--seconds N] DP */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>
#include <glib-unix.h>

#include <ovsdp/ovsdp.h>

struct counts {
	GMutex lock;
	GHashTable *per_port;   /* in_port -> upcalls */
	guint64 total;
};

/* Runs on the handler threads: keep it short, take the lock once. */
static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	struct counts *c = data;

	g_mutex_lock(&c->lock);
	for (unsigned int i = 0; i < n; i++) {
		gpointer key = GUINT_TO_POINTER(ups[i].in_port);
		guint64 v = GPOINTER_TO_SIZE(g_hash_table_lookup(c->per_port, key));

		g_hash_table_insert(c->per_port, key, GSIZE_TO_POINTER(v + 1));
	}
	c->total += n;
	g_mutex_unlock(&c->lock);
}

static gint
port_cmp(gconstpointer a, gconstpointer b)
{
	guint x = GPOINTER_TO_UINT(*(gconstpointer *)a), y = GPOINTER_TO_UINT(*(gconstpointer *)b);

	return x < y ? -1 : x > y;
}

static gboolean
print_counts(gpointer data)
{
	struct counts *c = data;
	GPtrArray *ports = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_mutex_lock(&c->lock);
	g_hash_table_iter_init(&it, c->per_port);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(ports, k);
	g_ptr_array_sort(ports, port_cmp);
	printf("upcalls: %" G_GUINT64_FORMAT, c->total);
	for (guint i = 0; i < ports->len; i++)
		printf("  port %u: %" G_GSIZE_FORMAT, GPOINTER_TO_UINT(ports->pdata[i]),
		       GPOINTER_TO_SIZE(g_hash_table_lookup(c->per_port, ports->pdata[i])));
	printf("\n");
	fflush(stdout);
	g_mutex_unlock(&c->lock);
	g_ptr_array_free(ports, TRUE);
	return G_SOURCE_CONTINUE;
}

static gboolean
quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	g_autofree char *dispatch = NULL;
	int seconds = 0;
	GOptionEntry entries[] = {
		{ "dispatch", 'd', 0, G_OPTION_ARG_STRING, &dispatch,
		  "Dispatcher to run (default: plugins.conf's choice)", "NAME" },
		{ "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Stop after N seconds", "N" },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("DP");
	g_autoptr(GError) err = NULL;
	struct counts c = { .total = 0 };
	struct ovsdp_features f;
	struct ovsdp_config *cfg = NULL;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *chosen = NULL;
	struct ovsdp_handlers *hs = NULL;
	g_autofree char *why = NULL;
	GMainLoop *loop;
	int status = EXIT_FAILURE;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Count the upcalls of each port of datapath DP.");
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
		fprintf(stderr, "embed-handlers: %s (see --help)\n",
			err ? err->message : "name one datapath");
		return 2;
	}
	/* The same steps as ovsdpd: probe, read plugins.conf, choose, run. */
	if (ovsdp_features_probe(&f, &err) < 0 ||
	    ovsdp_config_load(NULL, &cfg, &err) < 0 ||
	    ovsdp_plugins_discover(cfg, &f, &plugins, &err) < 0 ||
	    ovsdp_plugins_choose(plugins, cfg, dispatch, &chosen, &why, &err) < 0)
		goto out;
	g_mutex_init(&c.lock);
	c.per_port = g_hash_table_new(g_direct_hash, g_direct_equal);
	{
		struct ovsdp_handlers_options o = {
			OVSDP_HANDLERS_OPTIONS_INIT,
			.dp_name = argv[1], .config = cfg,
			.callback = on_upcalls, .user_data = &c,
		};

		if (ovsdp_handlers_new(&o, &hs, &err) < 0 || ovsdp_handlers_start(hs, chosen, &err) < 0)
			goto out;
	}
	{
		char *running = ovsdp_handlers_plugin_name(hs);

		printf("%s: dispatcher %s (%s)\n", argv[1], running, why);
		free(running);
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_timeout_add_seconds(1, print_counts, &c);
	g_unix_signal_add(SIGINT, quit, loop);
	g_unix_signal_add(SIGTERM, quit, loop);
	if (seconds > 0)
		g_timeout_add_seconds((guint)seconds, quit, loop);
	g_main_loop_run(loop);
	g_main_loop_unref(loop);
	/* Stops the threads and points the kernel away from the sockets. */
	ovsdp_handlers_free(hs);
	hs = NULL;
	print_counts(&c);
	status = EXIT_SUCCESS;
out:
	if (err)
		fprintf(stderr, "embed-handlers: %s\n", err->message);
	ovsdp_handlers_free(hs);
	ovsdp_plugins_free(plugins);
	ovsdp_config_free(cfg);
	if (c.per_port)
		g_hash_table_destroy(c.per_port);
	return status;
}
