/* ovsdp/ovsdp.h: the umbrella header of libovsdp. */
#ifndef OVSDP_OVSDP_H
#define OVSDP_OVSDP_H

#include <ovsdp/common.h>
#include <ovsdp/odp.h>
#include <ovsdp/features.h>
#include <ovsdp/dispatch.h>
#include <ovsdp/config.h>
#include <ovsdp/plugin.h>
#include <ovsdp/datapath.h>
#include <ovsdp/vport.h>
#include <ovsdp/tunnel.h>
#include <ovsdp/flow.h>
#include <ovsdp/packet.h>
#include <ovsdp/operate.h>
#include <ovsdp/meter.h>
#include <ovsdp/ct-limit.h>
#include <ovsdp/conntrack.h>
#include <ovsdp/upcall.h>
#include <ovsdp/handlers.h>

#endif
