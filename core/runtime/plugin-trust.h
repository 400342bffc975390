/* plugin-trust.h: opening a plugin file the way sshd's StrictModes trusts
 * a file (every directory from / down, and the file, owned by root or the
 * running user and writable by no one else), an ELF sanity check on the
 * open descriptor, and loading from that descriptor (see plugin-trust.c). */
#ifndef OVSDP_PLUGIN_TRUST_H
#define OVSDP_PLUGIN_TRUST_H

#include <gmodule.h>

/* The plugin file 'path' through trusted_open() (ini/trusted-open.h),
 * which a sticky directory may not hold. */
int ovsdp_trust_open(const char *path, int *fd, char **real, char **why);

/* The ELF header and tables of the open file 'fd' fit a shared object this
 * process can load, and every table and segment lies inside the file (a
 * truncated file would otherwise SIGBUS inside dlopen).  0 or -ELIBBAD with
 * *why (g_free). */
int ovsdp_trust_check_elf(int fd, char **why);

/* g_module_open() of the open file 'fd' through /proc/self/fd.  The module
 * keeps the returned descriptor's name: keep *module_fd open until the
 * module is closed (it is 'fd' or a duplicate; the caller closes both).
 * NULL with *why (the loader's error, naming 'real', not the /proc path). */
GModule *ovsdp_trust_module_open(int fd, const char *real, int *module_fd, char **why);

#endif
