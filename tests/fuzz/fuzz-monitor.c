/* fuzz-monitor.c: libFuzzer target for the monitor's notifications: one
 * datagram walked by ovsdp_monitor_next()'s own code (ovsdp_monitor_take:
 * the datagram walker, then the datapath and vport event parsers). */
#include "config.h"

#include "dp/datapath-internal.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Family ids as a kernel might resolve them (the seeds use these). */
#define FUZZ_DP_FAMILY 0x20
#define FUZZ_VPORT_FAMILY 0x21

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_family_info fam[OVSDP_FAMILY_N] = {
		[OVSDP_FAMILY_DATAPATH] = { .present = true, .id = FUZZ_DP_FAMILY, .version = 2 },
		[OVSDP_FAMILY_VPORT] = { .present = true, .id = FUZZ_VPORT_FAMILY, .version = 2 },
	};
	void *buf = fuzz_datagram(data, size);
	struct ovsdp_event ev;
	size_t off = 0;

	/* As ovsdp_monitor_next(): a malformed notification is reported and
	 * the walk goes on after it. */
	for (int i = 0; i < 4096 && off < size; i++)
		if (ovsdp_monitor_take(fam, buf, size, &off, &ev) == 0)
			break;
	free(buf);
	return 0;
}
