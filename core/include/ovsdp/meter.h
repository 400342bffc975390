/* ovsdp/meter.h: datapath meters (the ovs_meter family): what the kernel
 * supports, adding or replacing a meter with its drop bands, reading its
 * statistics and deleting it.  A flow uses a meter through the ODP action
 * meter(ID). */
#ifndef OVSDP_METER_H
#define OVSDP_METER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdp_dp;

/* Band types (the kernel's OVS_METER_BAND_TYPE_*, same values). */
#define OVSDP_METER_BAND_DROP 1u

/* Meter flags for ovsdp_meter_set(). */
#define OVSDP_METER_F_KBPS  (1u << 0)   /* rates in kilobits per second (the default) */
#define OVSDP_METER_F_PKTPS (1u << 1)   /* rates in packets per second */
#define OVSDP_METER_F_BURST (1u << 2)   /* send each band's burst size */
#define OVSDP_METER_F_STATS (1u << 3)   /* accepted; the kernel always counts */

/* The most bands ovsdp reads back per meter (the kernel allows fewer:
 * see ovsdp_meter_features.max_bands). */
#define OVSDP_METER_BANDS_MAX 8

struct ovsdp_meter_features {
	uint32_t max_meters;            /* how many meters the datapath may hold */
	uint32_t max_bands;             /* bands per meter */
	uint32_t band_types;            /* bit (1 << OVSDP_METER_BAND_*) per supported type */
	bool kbps;                      /* the kernel datapath meters in kbps ... */
	bool pktps;                     /* ... and in packets per second */
};

struct ovsdp_meter_band {
	uint32_t type;                  /* OVSDP_METER_BAND_DROP */
	uint32_t rate;                  /* in the meter's unit; must be > 0 */
	uint32_t burst;                 /* in the meter's unit; needs OVSDP_METER_F_BURST */
};

struct ovsdp_meter_counts {
	uint64_t packets;
	uint64_t bytes;
};

struct ovsdp_meter_stats {
	uint32_t id;
	struct ovsdp_meter_counts total;   /* every packet through the meter */
	uint64_t used_ms;                  /* kernel monotonic msecs of the last use */
	uint32_t n_bands;
	/* packets each band acted on (for a drop band: dropped) */
	struct ovsdp_meter_counts bands[OVSDP_METER_BANDS_MAX];
};

/* What the kernel's meters support.  Errors: -EOPNOTSUPP when the kernel
 * has no ovs_meter family. */
OVSDP_EXPORT int ovsdp_meter_features(struct ovsdp_dp *dp, struct ovsdp_meter_features *out,
				      GError **error);

/* Add meter 'id', or replace it (its counters restart).  'flags' holds at
 * most one of OVSDP_METER_F_KBPS and OVSDP_METER_F_PKTPS (neither: kbps).
 * Without OVSDP_METER_F_BURST every band's burst must be 0 and the burst
 * sent is the band's rate (the bucket holds one second's worth); with it,
 * each band's burst is sent as given (on Linux 5.9 and later a burst of 0
 * leaves the bucket empty: the band acts on every packet).
 * Errors: -EINVAL (no band, a zero rate, an unknown band type, both
 * units, a burst without the flag), -EOPNOTSUPP (no ovs_meter family),
 * -ENODEV (the datapath is gone), or what the kernel refuses (e.g. -EFBIG:
 * too many meters). */
OVSDP_EXPORT int ovsdp_meter_set(struct ovsdp_dp *dp, uint32_t id, uint32_t flags,
				 const struct ovsdp_meter_band *bands, size_t n_bands,
				 GError **error);

/* The counters of meter 'id'.  Errors: -ENOENT (no such meter),
 * -EOPNOTSUPP (no ovs_meter family). */
OVSDP_EXPORT int ovsdp_meter_get(struct ovsdp_dp *dp, uint32_t id, struct ovsdp_meter_stats *out,
				 GError **error);

/* Delete meter 'id'; its last counters go to *out (may be NULL).  The
 * kernel acknowledges the deletion of a missing meter; ovsdp reports it as
 * -ENOENT.  Errors: -ENOENT, -EOPNOTSUPP. */
OVSDP_EXPORT int ovsdp_meter_del(struct ovsdp_dp *dp, uint32_t id, struct ovsdp_meter_stats *out,
				 GError **error);

/* The kernel has no meter dump: read ids 0..limit-1 one by one and return
 * the meters found (*out, g_free()able, NULL when none) and their count. */
OVSDP_EXPORT int ovsdp_meter_list(struct ovsdp_dp *dp, uint32_t limit,
				  struct ovsdp_meter_stats **out, GError **error);

#ifdef __cplusplus
}
#endif

#endif
