/* kfds.c: the descriptors of this process (see kfds.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
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

/* The fdinfo lines of 'fd' that tell it apart and stay put: its flags and
 * the first descriptor an epoll set watches ("tfd:"). */
static void
describe_fdinfo(GString *out, const char *fd)
{
	g_autofree char *path = g_strdup_printf("/proc/self/fdinfo/%s", fd);
	g_autofree char *info = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &info, NULL, NULL))
		return;
	lines = g_strsplit(info, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "flags:"))
			g_string_append_printf(out, " %s", *l);
		else if (g_str_has_prefix(*l, "tfd:")) {
			g_auto(GStrv) f = g_strsplit_set(*l + 4, " \t", -1);

			for (char **x = f; *x; x++)
				if (**x) {
					g_string_append_printf(out, " watches=%s", *x);
					break;
				}
		}
	}
}

static gint
fd_order(gconstpointer a, gconstpointer b)
{
	return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

char *
kfds_describe(void)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	GString *out = g_string_new(NULL);
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int self = d ? dirfd(d) : -1;

	if (!d)
		return g_string_free(out, FALSE);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != self)
			g_ptr_array_add(names, g_strdup(e->d_name));
	closedir(d);
	g_ptr_array_sort(names, fd_order);
	for (guint i = 0; i < names->len; i++) {
		const char *fd = g_ptr_array_index(names, i);
		g_autofree char *path = g_strdup_printf("/proc/self/fd/%s", fd);
		g_autofree char *target = g_file_read_link(path, NULL);

		if (!target)
			continue;       /* closed meanwhile */
		g_string_append_printf(out, "%s %s", fd, target);
		describe_fdinfo(out, fd);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

char *
kfds_diff(const char *before, const char *now)
{
	g_auto(GStrv) a = g_strsplit(before ? before : "", "\n", -1);
	g_auto(GStrv) b = g_strsplit(now ? now : "", "\n", -1);
	GString *out = g_string_new(NULL);

	for (char **l = b; *l; l++)
		if (**l && !g_strv_contains((const char *const *)a, *l))
			g_string_append_printf(out, "+ %s\n", *l);
	for (char **l = a; *l; l++)
		if (**l && !g_strv_contains((const char *const *)b, *l))
			g_string_append_printf(out, "- %s\n", *l);
	return g_string_free(out, FALSE);
}
