/* ovsdp/ct-limit.h: conntrack zone limits (the ovs_ct_limit family): the
 * most connections the datapath's ct() action lets a zone hold, a default
 * for zones without their own, and how many each zone holds now.  The
 * limits belong to the network namespace (every datapath in it shares
 * them); the handle only names which request socket to use. */
#ifndef OVSDP_CT_LIMIT_H
#define OVSDP_CT_LIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdp_dp;

/* The zone that stands for the default limit (the kernel's
 * OVS_ZONE_LIMIT_DEFAULT_ZONE). */
#define OVSDP_CT_ZONE_DEFAULT (-1)
/* Zones are 0..65535. */
#define OVSDP_CT_ZONE_MAX 65535

struct ovsdp_ct_zone_limit {
	int32_t zone;                   /* 0..65535, or OVSDP_CT_ZONE_DEFAULT */
	uint32_t limit;                 /* 0: unlimited */
	uint32_t count;                 /* connections now (read only) */
};

/* Set the limits of the 'n' zones in 'limits' (count is ignored); a
 * zone OVSDP_CT_ZONE_DEFAULT sets the default.  Errors: -EINVAL (n == 0,
 * a zone out of range), -EOPNOTSUPP (no ovs_ct_limit family). */
OVSDP_EXPORT int ovsdp_ct_limit_set(struct ovsdp_dp *dp, const struct ovsdp_ct_zone_limit *limits,
				    size_t n, GError **error);

/* Read limits and current counts: of the 'n' zones in 'zones' (a zone
 * without a limit of its own shows the default), or with n == 0 the
 * default and every zone that has a limit of its own.  *out is a
 * g_free()able array (NULL when empty); returns its length. */
OVSDP_EXPORT int ovsdp_ct_limit_get(struct ovsdp_dp *dp, const int32_t *zones, size_t n,
				    struct ovsdp_ct_zone_limit **out, GError **error);

/* Remove the limits of the 'n' zones (they fall back to the default;
 * removing OVSDP_CT_ZONE_DEFAULT makes the default unlimited).  Errors:
 * -EINVAL (n == 0, a zone out of range), -EOPNOTSUPP. */
OVSDP_EXPORT int ovsdp_ct_limit_del(struct ovsdp_dp *dp, const int32_t *zones, size_t n,
				    GError **error);

#ifdef __cplusplus
}
#endif

#endif
