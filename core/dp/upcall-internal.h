/* upcall-internal.h: the handler runtime's receive, private to libovsdp. */
#ifndef OVSDP_UPCALL_INTERNAL_H
#define OVSDP_UPCALL_INTERNAL_H

#include "ovsdp/upcall.h"

/* ovsdp_upcall_sock_recv_batch(), except that a message larger than its
 * slot is read whole, not dropped: that slot's buf then points to a buffer
 * of the calling thread's (and its size says how big), valid until the
 * thread has received 64 more such messages; the slot's own buffer is no
 * longer in the array.  Counted by ovsdp_upcall_sock_oversized().  Only a
 * message larger than the slot plus 128 KiB, which the kernel never sends
 * as an upcall, is still dropped and counted as truncated. */
int ovsdp_upcall_sock_recv_batch_whole(struct ovsdp_upcall_sock *s,
				       struct ovsdp_upcall_slot *slots, unsigned int n);

#endif
