/* kfds.h: the descriptors of this process, read from /proc, for the kernel
 * tests and the measuring programs beside them (no Check needed). */
#ifndef OVSDP_KFDS_H
#define OVSDP_KFDS_H

/* All descriptors of this process (*all) and the netlink sockets among
 * them (*netlink), from /proc/self/fd and /proc/self/net/netlink.  Returns
 * 0, or -ENOENT (both counts 0) when either cannot be read. */
int kfds_count(unsigned int *netlink, unsigned int *all);

/* One line per descriptor of this process, in order: "FD TARGET" and
 * what /proc/self/fdinfo says to tell it apart (flags, the first
 * descriptor an epoll set watches).  Free with g_free(). */
char *kfds_describe(void);

/* The lines of kfds_describe() output 'now' missing from 'before', each
 * after "+ ", then those of 'before' gone from 'now', after "- ". */
char *kfds_diff(const char *before, const char *now);

#endif
