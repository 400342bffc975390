/* requests.h: encoders of the requests the handler runtime batches (flow
 * put, packet execute): each appends one complete netlink message to a
 * buffer without sending it.  The single-shot functions use them too. */
#ifndef OVSDP_REQUESTS_H
#define OVSDP_REQUESTS_H

#include <stdbool.h>
#include <glib.h>

#include "ovsdp/common.h"
#include "ovsdp/flow.h"
#include "ovsdp/packet.h"

struct ovsdp_dp;

/* Append a flow put for 'dp' to 'out' (NLM_F_ECHO when 'echo', for the
 * statistics).  Returns 0, or a negative errno with *error (nothing
 * appended): -EINVAL bad arguments or flags, -EMSGSIZE too big, -ENOMEM.
 * *what (may be NULL; g_free) names the request for messages. */
int ovsdp_flow_put_encode(struct ovsdp_dp *dp, const struct ovsdp_flow_put *put, bool echo,
			  struct ovsdp_buf *out, char **what, GError **error);

/* Append a packet execute for 'dp' to 'out'.  Same contract. */
int ovsdp_packet_execute_encode(struct ovsdp_dp *dp, const struct ovsdp_execute *ex,
				struct ovsdp_buf *out, char **what, GError **error);

#endif
