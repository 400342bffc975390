/* kfds.c: the descriptors of this process (see kfds.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <glib.h>

#include "kfds.h"

/* The inodes of this process's netlink sockets: the last column of
 * /proc/self/net/netlink, as strings; NULL when it cannot be read. */
static GHashTable *
netlink_inodes(void)
{
	g_autofree char *nl = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *inodes;

	if (!g_file_get_contents("/proc/self/net/netlink", &nl, NULL, NULL))
		return NULL;
	inodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	lines = g_strsplit(nl, "\n", -1);
	for (char **l = lines + 1; *l && **l; l++) {
		g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " ", -1);
		const char *last = NULL;

		for (char **x = f; *x; x++)
			if (**x)
				last = *x;
		if (last)
			g_hash_table_add(inodes, g_strdup(last));
	}
	return inodes;
}

int
kfds_count(unsigned int *netlink, unsigned int *all)
{
	g_autoptr(GHashTable) inodes = netlink_inodes();
	struct dirent *e;
	DIR *d;

	*netlink = *all = 0;
	if (!inodes || !(d = opendir("/proc/self/fd")))
		return -ENOENT;
	while ((e = readdir(d))) {
		char path[300], target[64];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		(*all)++;
		g_snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof target - 1);
		if (len <= 9)
			continue;
		target[len] = '\0';
		if (g_str_has_prefix(target, "socket:[")) {
			target[len - 1] = '\0';
			if (g_hash_table_contains(inodes, target + 8))
				(*netlink)++;
		}
	}
	closedir(d);
	return 0;
}
