/* handlers-internal.h: what white-box tests read of the handler runtime. */
#ifndef OVSDP_HANDLERS_INTERNAL_H
#define OVSDP_HANDLERS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "ovsdp/handlers.h"

/* How often the port monitor overran and re-read the ports. */
uint64_t ovsdp_handlers_monitor_resyncs(struct ovsdp_handlers *hs);

/* Drain after a switch as where the kernel offers no grace period (a
 * settle deadline instead), for the tests of that path. */
void ovsdp_handlers_test_skip_grace(struct ovsdp_handlers *hs, bool skip);

#endif
