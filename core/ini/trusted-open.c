/* trusted-open.c: opening a file that decides what a privileged process
 * does (a plugin it loads, a configuration it obeys): whoever can change
 * the file, or any directory on the way to it, or swap one of them between
 * a check and the open, could decide it instead.
 *
 * The rule is sshd's StrictModes: / and every directory below it on the
 * way to the file, every symbolic link followed, and the file itself must be
 * owned by root or by the running user and be neither group- nor
 * world-writable.  One exception: a sticky directory owned by root (/tmp)
 * may be on the way, because nobody else can rename or remove what root or
 * we created in it, and the next component is checked as usual; it may
 * hold the file itself only where the caller says so (a configuration
 * file; not a plugin, beside which others may add files and links).  The
 * walk holds each checked directory open and opens the next component
 * relative to it with O_NOFOLLOW, so nothing can be swapped between the
 * check and the open.
 *
 * Symbolic links are followed, through the same checks: the link itself is
 * an entry of a directory already checked and must be owned by root or the
 * running user; its target is walked like the rest (from / when absolute).
 * Messages name the canonical path walked so far. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>

#include "ini/trusted-open.h"

#define MAX_SYMLINKS 40          /* the kernel's own limit (ELOOP) */

/* The running user may own what it loads; root always may. */
static int
check_owner_mode(const struct stat *st, const char *name, const char *what, char **why)
{
	unsigned int mode = (unsigned int)(st->st_mode & 07777);

	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		*why = g_strdup_printf("%s%s is owned by uid %u, neither root nor the running user",
				       what, name, (unsigned int)st->st_uid);
		return -EPERM;
	}
	/* A symbolic link's own mode is always 0777 and means nothing. */
	if (S_ISLNK(st->st_mode))
		return 0;
	if (st->st_mode & S_IWOTH) {
		*why = g_strdup_printf("%s%s is world-writable (mode %04o)", what, name, mode);
		return -EPERM;
	}
	if (st->st_mode & S_IWGRP) {
		*why = g_strdup_printf("%s%s is group-writable (mode %04o)", what, name, mode);
		return -EPERM;
	}
	return 0;
}

/* A root-owned sticky directory such as /tmp: others may add entries but not
 * rename or remove root's or ours, so it may be passed through. */
static bool
sticky_by_root(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0;
}

/* "/a/b" + "c" -> "/a/b/c"; "/" + "c" -> "/c" */
static char *
join(const char *dir, const char *name)
{
	return g_strconcat(dir, strcmp(dir, "/") ? "/" : "", name, NULL);
}

/* The canonical parent of a canonical path. */
static char *
parent(const char *dir)
{
	const char *slash = strrchr(dir, '/');

	if (!slash || slash == dir)
		return g_strdup("/");
	return g_strndup(dir, (gsize)(slash - dir));
}

/* Push the components of 'path' on the stack 'todo', first on top. */
static void
push_components(GPtrArray *todo, const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	guint n = g_strv_length(parts);

	for (guint i = n; i-- > 0;) {
		if (*parts[i] && strcmp(parts[i], "."))
			g_ptr_array_add(todo, g_strdup(parts[i]));
	}
}

static char *
pop(GPtrArray *todo)
{
	return todo->len ? g_ptr_array_steal_index(todo, todo->len - 1) : NULL;
}

static int
open_root(int *dirfd, char **cur, char **why)
{
	struct stat st;
	int e;

	*dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0 || fstat(*dirfd, &st) < 0) {
		e = errno;
		*why = g_strdup_printf("/: %s", g_strerror(e));
		return -e;
	}
	g_free(*cur);
	*cur = g_strdup("/");
	return check_owner_mode(&st, "/", "", why);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
trusted_open(const char *path, unsigned int flags, int *out_fd, char **real, char **why)
{
	g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *cur = NULL;
	g_autofree char *abs = NULL;
	int dirfd = -1, fd = -1, links = 0, r, e;
	struct stat st, st2;
	unsigned int sticky_mode = 0;     /* 'cur' is sticky and writable by others: its mode */

	*out_fd = -1;
	*real = NULL;
	*why = NULL;
	if (!path || !*path) {
		*why = g_strdup(g_strerror(ENOENT));
		return -ENOENT;
	}
	if (g_path_is_absolute(path)) {
		abs = g_strdup(path);
	} else {
		g_autofree char *here = g_get_current_dir();

		abs = g_build_filename(here, path, NULL);
	}
	push_components(todo, abs);
	r = open_root(&dirfd, &cur, why);
	if (r < 0)
		goto out;
	/* 'dirfd' is the checked directory 'cur'; 'todo' what is left. */
	for (;;) {
		g_autofree char *c = pop(todo);
		g_autofree char *next = NULL;
		bool last = todo->len == 0;

		if (!c) {
			/* The path names a directory (or /). */
			*why = g_strdup("not a regular file");
			r = -EINVAL;
			goto out;
		}
		if (!strcmp(c, "..")) {
			next = parent(cur);
			fd = openat(dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		} else {
			next = join(cur, c);
			fd = openat(dirfd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 || fstat(fd, &st) < 0) {
			e = errno;
			*why = last && !links ? g_strdup(g_strerror(e))
				    : g_strdup_printf("%s: %s", next, g_strerror(e));
			r = -e;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n;

			r = check_owner_mode(&st, next, "the symbolic link ", why);
			if (r < 0)
				goto out;
			if (++links > MAX_SYMLINKS) {
				*why = g_strdup_printf("%s: %s", next, g_strerror(ELOOP));
				r = -ELOOP;
				goto out;
			}
			n = readlinkat(fd, "", target, sizeof target - 1);
			if (n < 0) {
				e = errno;
				*why = g_strdup_printf("%s: %s", next, g_strerror(e));
				r = -e;
				goto out;
			}
			target[n] = '\0';
			close_fd(&fd);
			push_components(todo, target);
			if (target[0] == '/') {
				close_fd(&dirfd);
				sticky_mode = 0;
				r = open_root(&dirfd, &cur, why);
				if (r < 0)
					goto out;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			sticky_mode = 0;
			if (sticky_by_root(&st) && (st.st_mode & (S_IWGRP | S_IWOTH)))
				sticky_mode = (unsigned int)(st.st_mode & 07777), r = 0;
			else
				r = check_owner_mode(&st, next, "", why);
			if (r < 0)
				goto out;
			close_fd(&dirfd);
			dirfd = fd;
			fd = -1;
			g_free(cur);
			cur = g_steal_pointer(&next);
			continue;
		}
		if (!last) {
			*why = g_strdup_printf("%s: %s", next, g_strerror(ENOTDIR));
			r = -ENOTDIR;
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			*why = g_strdup("not a regular file");
			r = -EINVAL;
			goto out;
		}
		if (sticky_mode && !(flags & TRUSTED_STICKY_HOLDER)) {
			*why = g_strdup_printf("%s is %s-writable (mode %04o): a sticky directory may "
					       "be on the way to a plugin, not hold it", cur,
					       sticky_mode & S_IWOTH ? "world" : "group", sticky_mode);
			r = -EPERM;
			goto out;
		}
		r = check_owner_mode(&st, next, "", why);
		if (r < 0)
			goto out;
		/* The O_PATH descriptor cannot be read: open the same entry of
		 * the same checked directory, and make sure it is the same file. */
		close_fd(&fd);
		fd = openat(dirfd, c, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st2) < 0) {
			e = errno;
			*why = g_strdup(g_strerror(e));
			r = -e;
			goto out;
		}
		if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
			*why = g_strdup_printf("%s was replaced while being checked", next);
			r = -EAGAIN;
			goto out;
		}
		*real = g_steal_pointer(&next);
		*out_fd = fd;
		fd = -1;
		r = 0;
		break;
	}
out:
	close_fd(&fd);
	close_fd(&dirfd);
	return r;
}
