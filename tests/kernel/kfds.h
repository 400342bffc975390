/* kfds.h: the descriptors of this process, read from /proc, for the kernel
 * tests and the measuring programs beside them (no Check needed). */
#ifndef OVSDP_KFDS_H
#define OVSDP_KFDS_H

/* All descriptors of this process (*all) and the netlink sockets among
 * them (*netlink), from /proc/self/fd and /proc/self/net/netlink.  Returns
 * 0, or -ENOENT (both counts 0) when either cannot be read. */
int kfds_count(unsigned int *netlink, unsigned int *all);

#endif
