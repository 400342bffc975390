/* ovsdp/ovsdp.h: the umbrella header of libovsdp. */
#ifndef OVSDP_OVSDP_H
#define OVSDP_OVSDP_H

#include <ovsdp/common.h>
#include <ovsdp/features.h>

#endif
