/* ovsdpd-conf.h: ovsdpd.conf, its schema and its checks.  Shared because
 * two programs read it: ovsdpd loads it, `ovsdp config check` checks it the
 * way the daemon will (both through the core's strict reader, ini.h). */
#ifndef OVSDP_TOOLS_OVSDPD_CONF_H
#define OVSDP_TOOLS_OVSDPD_CONF_H

#include <stdbool.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"

enum policy_kind {
	POLICY_LEARNING,
	POLICY_SLOWPATH,
	POLICY_DROP,
};

/* ovsdpd.conf, parsed and checked. */
struct daemon_config {
	char *file;                     /* as named; NULL for the built-in defaults */
	/* [datapath] */
	char *dp_name;
	bool create;                    /* create the datapath when missing */
	bool delete_on_exit;
	char **ports;                   /* netdevs to add (NULL-terminated) */
	char **internal_ports;          /* internal ports to create */
	/* [policy] */
	enum policy_kind policy;
	unsigned int idle_timeout_s;    /* learning: flow idle timeout */
	unsigned int max_macs;          /* learning: table size */
	unsigned int mac_age_s;         /* learning: forget MACs silent this long */
	char *output;                   /* slowpath: port name or number */
	/* [daemon] */
	char *control_socket;
	char *plugins_conf;             /* NULL: plugins.conf's default path */
	/* The dispatcher and the handler count are plugins.conf's alone. */
};

/* The file used without --config. */
#define DAEMON_CONFIG_DEFAULT OVSDP_SYSCONF_DIR "/ovsdpd.conf"

/* Load 'path' with the strict reader (core/ini/ini.h: regular file, owner and
 * mode, size, UTF-8, schema): every mistake is an error "FILE:LINE: what"
 * ("FILE: what" for the file as a whole).  Returns 0 and *out, or -errno. */
int daemon_config_load(const char *path, struct daemon_config **out, GError **error);
/* Same from 'len' bytes of text; 'name' stands for the file in messages. */
int daemon_config_parse_data(const char *name, const char *text, gsize len,
			     struct daemon_config **out, GError **error);
/* Same from a NUL-terminated string. */
int daemon_config_parse(const char *name, const char *text, struct daemon_config **out,
			GError **error);
void daemon_config_free(struct daemon_config *c);

/* Everything the daemon reads before it touches anything, after
 * ovsdpd.conf: plugins.conf ('plugins_conf', else the one 'cfg' names, else
 * the system one) and the plugins found, loaded but not probed, with the
 * one plugins.conf names (or, for auto, one of its prefer list) among
 * them.  Nothing is bound, created or asked of the kernel.  Returns 0 with
 * *pconf, *plugins (free both), *chosen (the choice as far as it can be
 * made without the kernel) and *why (g_free); else -errno with *error. */
int daemon_config_check(const struct daemon_config *cfg, const char *plugins_conf,
			struct ovsdp_config **pconf, struct ovsdp_plugins **plugins,
			struct ovsdp_plugin **chosen, char **why, GError **error);
const char *policy_kind_str(enum policy_kind k);

/* True when the first section of the file at 'path' is one of
 * ovsdpd.conf's ([datapath], [policy], [daemon]).  A file that cannot be
 * read is left to the full check to report: false. */
bool daemon_config_sniff(const char *path);

#endif
