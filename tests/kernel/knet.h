/* knet.h: network helpers for the core's kernel tests: veth pairs, raw
 * Ethernet frames sent and caught with AF_PACKET, hand-built flow keys, and
 * waiting for an upcall on a socket. */
#ifndef OVSDP_KNET_H
#define OVSDP_KNET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "ovsdp/dispatch.h"
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

/* The kernel's statistics of 'dp' (fails the test on error). */
struct ovsdp_dp_stats knet_dp_stats(struct ovsdp_dp *dp);

/* The datapath of the fixtures: move this (forked) test case into a fresh
 * network namespace and create datapath 'name' there (fails the test on
 * error); KNET_DP for most.  knet_dp_close() closes it and clears the
 * pointer. */
#define KNET_DP "ovsdpt0"
struct ovsdp_dp *knet_netns_dp(const char *name);
void knet_dp_close(struct ovsdp_dp **dp);

/* The checked fixture of a test whose cases need that datapath and nothing
 * else: defines 'static struct ovsdp_dp *var' with setup() and teardown(). */
#define KNET_DP_FIXTURE(var)                                                            \
	static struct ovsdp_dp *var;                                                    \
	static void setup(void) { var = knet_netns_dp(KNET_DP); }                       \
	static void teardown(void) { knet_dp_close(&var); }

/* Point a flow put's key, mask and actions at the data of 'key', 'mask'
 * and 'acts' as they are now (call it once they are filled); its flags and
 * ufid stay. */
void knet_flow_put_set(struct ovsdp_flow_put *put, const struct ovsdp_buf *key,
		       const struct ovsdp_buf *mask, const struct ovsdp_buf *acts);

/* True when the upcall carries a test frame (knet_frame); its tag in *tag. */
bool knet_upcall_tag(const struct ovsdp_upcall *u, uint32_t *tag);
/* The test tag of one upcall message as a dispatcher received it (no
 * flags, and it parses as an upcall of 'family'), or UINT32_MAX for
 * anything else. */
uint32_t knet_msg_tag(const struct ovsdp_dispatch_msg *m, uint16_t family);

/* Send test frames tagged (port << 20) | seq for seq in [first,
 * first+count) on raw socket 'fd' to the broadcast MAC, each from a new
 * source MAC (02:00:00, then port | seq >> 16, seq >> 8, seq): each is a
 * new flow, and with no flow installed each one misses.  'gap_us' between
 * frames (0: none). */
void knet_send_misses(int fd, unsigned int port, uint32_t first, uint32_t count,
		      unsigned int gap_us);

/* The entries of directory 'path' (not . and ..): /proc/self/fd counts
 * this process's descriptors, /proc/self/task its threads. */
unsigned int knet_count_entries(const char *path);

/* What a handler callback saw, for the runtime's tests: the test frames by
 * tag (knet_frame; (port index << 20) | seq in the runtime's tests). */
struct knet_rx {
	pthread_mutex_t lock;
	GHashTable *count;      /* tag + 1 -> times delivered */
	GHashTable *in_port;    /* tag + 1 -> in_port + 1 of the upcall */
	uint64_t ours;          /* upcalls carrying a test frame */
	uint64_t others;        /* anything else */
};

void knet_rx_init(struct knet_rx *r);
void knet_rx_free(struct knet_rx *r);
/* With r->lock held: count one upcall; true, with its tag in *tag, when it
 * carries a test frame. */
bool knet_rx_note(struct knet_rx *r, const struct ovsdp_upcall *u, uint32_t *tag);
/* The upcalls with a test frame so far, and all of them. */
uint64_t knet_rx_ours(struct knet_rx *r);
uint64_t knet_rx_total(struct knet_rx *r);
/* Wait up to timeout_ms until at least 'want' test frames came. */
bool knet_rx_wait(struct knet_rx *r, uint64_t want, int timeout_ms);
/* Fail the test unless every frame (port, seq) with seq in [first,
 * first+count) came exactly once, and, when 'in_port' is not UINT32_MAX,
 * in an upcall from that port. */
void knet_rx_check_once(struct knet_rx *r, unsigned int port, uint32_t first, uint32_t count,
			uint32_t in_port);

/* Absolute path of the built ovsdp CLI (from OVSDP_BUILD_ROOT). */
const char *knet_cli(void);
/* The same CLI where uid 65534 can run it: the build's own when that user
 * can reach it, else a copy (with libovsdp) in a directory under /tmp,
 * removed when the process exits.  A checkout under /root (mode 0700) is
 * out of other users' reach. */
const char *knet_cli_for_nobody(void);

/* Run "ovsdp ARGS" through the shell with stderr folded into stdout;
 * returns the output (g_free) and stores the exit status in *status. */
char *knet_cli_run(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run "ovsdp ARGS" and fail the test unless it exits with 'status'. */
void knet_cli_expect(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, and its output (stderr included) must hold 'needle'. */
void knet_cli_expect_out(int status, const char *needle, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Lines of 'text' sorted, with "used:N.NNNs" replaced by "used:T", so
 * two dump-flows outputs compare equal regardless of order and timing. */
char *knet_normalise_flows(const char *text);

#endif
