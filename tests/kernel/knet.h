/* knet.h: network helpers for the core's kernel tests: veth pairs, raw
 * Ethernet frames sent and caught with AF_PACKET, hand-built flow keys, and
 * waiting for an upcall on a socket. */
#ifndef OVSDP_KNET_H
#define OVSDP_KNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ovsdp/ovsdp.h"

/* The EtherType of test frames (IEEE local experimental): nothing else in
 * a fresh namespace sends it. */
#define KNET_ETHERTYPE 0x88b5

/* Create veth pair a<->b, both up, IPv6 off (no stray router
 * solicitations).  Fails the test on error. */
void knet_veth(const char *a, const char *b);

/* A raw AF_PACKET socket bound to 'ifname' (fails the test on error). */
int knet_raw_open(const char *ifname);

/* Veth pair dp<i> <-> tx<i>: dp<i> becomes a netdev port of 'dp' (its
 * number in *port_no), and *raw_fd a raw socket on tx<i> whose frames
 * enter the datapath there.  Fails the test on error. */
void knet_veth_port(struct ovsdp_dp *dp, unsigned int i, uint32_t *port_no, int *raw_fd);

/* Build a test frame: dst, src, KNET_ETHERTYPE, then 'payload_len' bytes
 * starting with 'tag' (the rest a counting pattern).  Returns its length. */
size_t knet_frame(uint8_t *buf, size_t size, const uint8_t dst[6], const uint8_t src[6],
		  uint32_t tag, size_t payload_len);

/* Send a frame on a raw socket (fails the test on error). */
void knet_send(int fd, const void *frame, size_t len);

/* Wait up to timeout_ms for a frame of KNET_ETHERTYPE whose tag is 'tag'
 * on a raw socket; returns its length (copied into buf) or -1. */
int knet_recv_tag(int fd, uint32_t tag, void *buf, size_t size, int timeout_ms);

/* Append the key of a test frame: in_port, eth(src,dst), eth_type. */
void knet_key(struct ovsdp_buf *key, uint32_t in_port, const uint8_t src[6],
	      const uint8_t dst[6]);
/* Append an exact mask for the attributes knet_key() writes. */
void knet_mask(struct ovsdp_buf *mask);

/* Find top-level attribute 'type' in [attrs, attrs+len): its payload and
 * length, or NULL. */
const void *knet_attr_find(const void *attrs, size_t len, uint16_t type, size_t *plen);

/* Check that a key has in_port, eth(src, dst) and eth_type as given. */
void knet_check_key(const void *key, size_t key_len, uint32_t in_port, const uint8_t src[6],
		    const uint8_t dst[6], uint16_t eth_type);

/* Wait up to timeout_ms for one message on an upcall socket; returns its
 * length or a negative errno (-ETIMEDOUT). */
int knet_upcall_wait(struct ovsdp_upcall_sock *s, void *buf, size_t size, int timeout_ms);

/* The datapath's count of upcalls it tried (n_missed: the lost ones too):
 * waiting until it grew by what was sent is waiting until the kernel has
 * handled every frame (KTEST_WAIT), not sleeping and hoping it has. */
uint64_t knet_dp_missed(struct ovsdp_dp *dp);

/* Absolute path of the built ovsdp CLI (from OVSDP_BUILD_ROOT). */
const char *knet_cli(void);

/* Run "ovsdp ARGS" through the shell with stderr folded into stdout;
 * returns the output (g_free) and stores the exit status in *status. */
char *knet_cli_run(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lines of 'text' sorted, with "used:N.NNNs" replaced by "used:T", so
 * two dump-flows outputs compare equal regardless of order and timing. */
char *knet_normalise_flows(const char *text);

#endif
