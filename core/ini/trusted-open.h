/* trusted-open.h: opening a file the way sshd's StrictModes trusts it:
 * every directory from / down, every symbolic link followed, and the file,
 * owned by root or the running user and writable by no one else (see
 * trusted-open.c).  The plugin loader opens plugins with it, the INI reader
 * configuration files. */
#ifndef OVSDP_TRUSTED_OPEN_H
#define OVSDP_TRUSTED_OPEN_H

/* The file may sit directly in a root-owned sticky directory such as /tmp
 * (where nobody else can rename or remove it); without this flag such a
 * directory may only be on the way. */
#define TRUSTED_STICKY_HOLDER 1u

/* Walk 'path' from / one component at a time, checking each directory, any
 * symbolic link followed, and the file, which must be a regular file.  On
 * success *fd is the file opened O_RDONLY|O_NONBLOCK|O_CLOEXEC and *real
 * its canonical path (g_free).  On failure a negative errno, and *why says
 * what was wrong (g_free), naming the component: "/opt/x is world-writable
 * (mode 0777)". */
int trusted_open(const char *path, unsigned int flags, int *fd, char **real, char **why);

#endif
