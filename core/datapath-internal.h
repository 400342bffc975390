/* datapath-internal.h: what datapath.c shares with vport.c, flow.c and
 * packet.c: the handle's layout and requests serialised on its socket. */
#ifndef OVSDP_DATAPATH_INTERNAL_H
#define OVSDP_DATAPATH_INTERNAL_H

#include <pthread.h>
#include <glib.h>

#include "netlink.h"
#include "ovsdp/datapath.h"

struct ovsdp_dp {
	struct ovsdp_nl *nl;
	pthread_mutex_t lock;                    /* serialises use of nl */
	char name[OVSDP_NAME_MAX];
	int ifindex;
	uint32_t user_features;         /* the whole set, resent on every SET */
};

/* A request of family 'f' addressed to dp's datapath, or NULL (no memory
 * or the family is absent). */
struct nl_msg *ovsdp_dp_request(struct ovsdp_dp *dp, enum ovsdp_family f, uint8_t cmd,
				int nlm_flags);

/* ovsdp_nl_transact() under the handle's lock. */
int ovsdp_dp_transact(struct ovsdp_dp *dp, struct nl_msg *req, ovsdp_nl_reply_fn fn,
		      void *arg, const char *what, GError **error);

/* Payload of 'a' as a u32/u16/u64 when its length is exactly right. */
bool ovsdp_attr_u16(const struct nlattr *a, uint16_t *v);
bool ovsdp_attr_u32(const struct nlattr *a, uint32_t *v);
bool ovsdp_attr_u64(const struct nlattr *a, uint64_t *v);
/* Copy a NUL-terminated string attribute into out[size]; false when it is
 * not terminated within its payload or does not fit. */
bool ovsdp_attr_str(const struct nlattr *a, char *out, size_t size);

#endif
