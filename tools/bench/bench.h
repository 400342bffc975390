/* bench.h: the parts of ovsdp-bench: statistics, network plumbing, the
 * latency prober, the pktgen load driver, the systems under test (our
 * dispatchers embedded here, and Open vSwitch's ovs-vswitchd as the peer),
 * the reports and the A/B mode against a live ovsdpd. */
#ifndef OVSDP_TOOLS_BENCH_H
#define OVSDP_TOOLS_BENCH_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"

/* ---- statistics (bench-stats.c) ----------------------------------------- */

/* Summary of a sample; every field NAN when n == 0.  'sd' is the population
 * standard deviation, which is what ping and the reference call mdev. */
struct bench_summary {
	size_t n;
	double min, max, mean, sd, p50, p90, p99;
};

void bench_summarize(const double *v, size_t n, struct bench_summary *out);
double bench_mean(const double *v, size_t n);
/* Sample standard deviation (n - 1); NAN below two values. */
double bench_sample_sd(const double *v, size_t n);
/* Student's t with 'df' degrees of freedom: its CDF at t, its p quantile
 * (NAN for df == 0 or p outside (0, 1)), and the 97.5 % quantile. */
double bench_t_cdf(double t, unsigned int df);
double bench_t_quantile(double p, unsigned int df);
double bench_t975(unsigned int df);

struct bench_ci {
	double mean;
	double lo, hi;          /* NAN when it cannot be computed */
};

/* 95 % confidence interval of the mean, from the t distribution; and at
 * another confidence level (0 < level < 1). */
void bench_ci_t(const double *v, size_t n, struct bench_ci *out);
void bench_ci_t_level(const double *v, size_t n, double level, struct bench_ci *out);
/* 95 % percentile-bootstrap interval of the mean ('resamples' draws from
 * a generator seeded with 'seed', so a report can be reproduced). */
void bench_ci_bootstrap(const double *v, size_t n, unsigned int resamples, guint32 seed,
			struct bench_ci *out);
void bench_ci_bootstrap_level(const double *v, size_t n, double level, unsigned int resamples,
			      guint32 seed, struct bench_ci *out);

/* v[0..n) = 0..n-1 in an order drawn from 'g' (seeded: a run's orders can
 * be repeated). */
void bench_shuffle(GRand *g, unsigned int *v, unsigned int n);

/* Where the kernel drops frames, parsed from procfs text (pure, so the
 * unit suite tests it).  /proc/net/softnet_stat: a line of hex columns per
 * CPU, the second the frames its backlog refused (netdev_max_backlog was
 * full; a veth's transmit lands there).  Adds each CPU's count to
 * per_cpu[0..max) (may be NULL) and all of them to *total; returns the
 * lines (CPUs) read, -EINVAL for text that is not that table. */
int bench_parse_softnet_dropped(const char *text, uint64_t *per_cpu, unsigned int max,
				uint64_t *total);
/* /proc/net/dev: the receive and transmit "drop" columns of 'ifname' (a
 * veth counts as transmit drops the frames its peer's backlog refused);
 * -ENOENT when the device is not listed, -EINVAL for a malformed line. */
int bench_parse_netdev_drops(const char *text, const char *ifname, uint64_t *rx_drop,
			     uint64_t *tx_drop);

/* ---- network plumbing (bench-net.c) ------------------------------------- */

/* The EtherType of probe frames (IEEE local experimental). */
#define BENCH_ETHERTYPE 0x88b5

/* Create veth pair a <-> b with both ends up. */
int bench_veth_add(const char *a, const char *b, GError **error);
/* Set IFF_UP on a device. */
int bench_link_up(const char *ifname, GError **error);
/* Write 'value' to a /proc/sys file; -errno. */
int bench_sysctl(const char *path, const char *value);
/* An AF_PACKET socket on 'ifname': receiving frames of EtherType 'proto'
 * with kernel receive timestamps (SO_TIMESTAMPNS) when proto != 0, only
 * sending when proto == 0.  Returns the fd or -errno. */
int bench_packet_socket(const char *ifname, uint16_t proto, GError **error);
/* Generic netlink sockets held by process 'pid' (0: this one), counted as
 * lsof does: descriptors whose socket inode /proc/PID/net/netlink lists
 * with protocol 16.  Returns the count or -errno. */
int bench_netlink_sockets(pid_t pid);

/* The same read from /proc now: every CPU's backlog drops (per CPU too;
 * the CPUs read, or -errno when unreadable), and the drop counters of 'ifname' in this network
 * namespace. */
#define BENCH_SOFTNET_CPUS 64     /* CPUs whose backlog drops are kept apart */
int bench_softnet_dropped(uint64_t *per_cpu, unsigned int max, uint64_t *total);
int bench_netdev_drops(const char *ifname, uint64_t *rx_drop, uint64_t *tx_drop);

/* Context switches of the threads of 'pid' (0: this one) whose name
 * starts with 'prefix'. */
struct bench_ctx {
	unsigned int threads;
	uint64_t voluntary;
	uint64_t involuntary;
	uint64_t cpu_ticks;     /* user + system time, clock ticks (sysconf(_SC_CLK_TCK)) */
};
int bench_thread_ctx(pid_t pid, const char *prefix, struct bench_ctx *out);
/* Set the CPU affinity of the threads of 'pid' (0: this process) whose name
 * starts with 'prefix'.  Returns how many, or -errno when none could be. */
int bench_pin_threads(pid_t pid, const char *prefix, const cpu_set_t *set);

/* CLOCK_REALTIME (what SO_TIMESTAMPNS stamps) and CLOCK_MONOTONIC in ns. */
int64_t bench_realtime_ns(void);
int64_t bench_monotonic_ns(void);
/* Run a program and wait for it: returns its exit status (or -1 when it
 * could not run or died on a signal) with stdout+stderr in *output. */
int bench_run(const char *const *argv, const char *const *envp, char **output);
void bench_sleep_ms(unsigned int ms);

/* ---- latency prober (bench-probe.c) ------------------------------------- */

/* One probe of a phase, filled by the receiver (0 = not received). */
struct bench_probe {
	int64_t tx_ns;          /* send time the frame carried */
	int64_t rx_ns;          /* kernel receive timestamp */
};

/* A measurement phase: probes numbered 0..n-1 in send order.  Flows are
 * numbered 0..n_flows-1; a probe is "reordered" when it arrives after a
 * later probe of its flow. */
struct bench_phase {
	uint32_t id;
	size_t n;
	struct bench_probe *probes;
	unsigned int n_flows;
	uint32_t *flow_next;    /* per flow: highest seq received + 1 */
	uint64_t *flow_reordered;
	/* atomics, written by the receiver */
	uint64_t received;
	uint64_t duplicates;
	uint64_t reordered;
	uint64_t user_clock;    /* received without a kernel timestamp */
};

struct bench_phase *bench_phase_new(size_t n, unsigned int n_flows);
void bench_phase_free(struct bench_phase *ph);
uint64_t bench_phase_received(const struct bench_phase *ph);
/* Wait until 'want' probes arrived, or none arrived for idle_ms, or max_ms
 * passed.  Returns the number received. */
uint64_t bench_phase_wait(struct bench_phase *ph, uint64_t want, unsigned int idle_ms,
			  unsigned int max_ms);
/* Latencies in microseconds of the probes [first, first+count) that arrived,
 * in send order (g_free); *n their count. */
double *bench_phase_latencies(const struct bench_phase *ph, size_t first, size_t count,
			      size_t *n);

/* The receiver: one thread on the local port's device. */
struct bench_rx;
struct bench_rx *bench_rx_start(const char *ifname, GError **error);
/* Direct arriving probes to 'ph' (NULL: ignore them). */
void bench_rx_set_phase(struct bench_rx *rx, struct bench_phase *ph);
void bench_rx_stop(struct bench_rx *rx);

/* Send probe 'seq' of 'ph' on sender socket fd.  'flow' < n_flows; with
 * new_flow every frame gets a source MAC of its own (a new flow for the
 * datapath, so an upcall each), else the flow's fixed MAC.  Returns 0 or
 * -errno. */
int bench_probe_send(int fd, const struct bench_phase *ph, uint32_t seq, uint16_t flow,
		     bool new_flow);
/* Send probes first..first+count-1 every interval_ns (0: back to back),
 * never bunching up to catch up after a late wakeup.  Returns how many
 * were sent. */
uint64_t bench_probe_send_paced(int fd, const struct bench_phase *ph, uint32_t first,
				uint32_t count, int64_t interval_ns, uint16_t flow, bool new_flow);

/* ---- load (bench-load.c): the kernel's pktgen --------------------------- */

/* Whether pktgen can be driven here (loads the module when it can);
 * *why says why not. */
bool bench_load_available(char **why);

struct bench_load;
/* Start pktgen on 'devs' (n devices), spread over the first 'threads'
 * pktgen threads (pinned: CPUs 0..threads-1), each device at pps_per_dev
 * packets per second (0: as fast as it can), every frame with a random
 * source MAC, source IP and UDP ports (a new flow). */
int bench_load_start(char **devs, unsigned int n, unsigned int threads, uint64_t pps_per_dev,
		     struct bench_load **out, GError **error);
/* What the sender did, measured on the sender (pktgen's counters and
 * clock). */
struct bench_load_result {
	uint64_t sent;          /* frames sent */
	uint64_t errors;        /* frames it failed to send */
	double seconds;         /* how long it ran */
	double per_s;           /* offered frames per second */
};
/* Stop it; *out (may be NULL) what it sent. */
void bench_load_stop(struct bench_load *l, struct bench_load_result *out);

/* ---- systems under test ------------------------------------------------- */

/* Counters read before and after a test. */
struct bench_counters {
	uint64_t local_tx;      /* packets the datapath sent to the local port */
	uint64_t hit, missed, lost; /* the kernel datapath's */
	struct bench_ctx ctx;   /* the upcall handler threads' */
	bool has_runtime;       /* ours: the runtime's own counters below */
	uint64_t upcalls, wakeups, empty_wakeups, overruns;
};

enum bench_kind {
	BENCH_OVSDP,            /* a dispatcher in the embedded runtime */
	BENCH_OVS,              /* Debian's ovs-vswitchd */
	BENCH_RAW,              /* the raw limit (bench-raw.c) */
};

struct bench_latency {
	bool done;
	uint64_t sent;
	uint64_t send_failures; /* probes the sender socket refused */
	uint64_t received;
	uint64_t user_clock;    /* received probes timed by our clock, not the kernel's */
	double *lat_us;         /* received probes, in send order */
	size_t n_lat;
	struct bench_summary s;
	/* tests under load */
	bool loaded;
	unsigned int load_ports;
	uint64_t rate;          /* offered frames/s asked for (0: saturation) */
	struct bench_load_result load; /* measured on the sender */
	double window_s;        /* from load start to the last probe */
	double handled_per_s;   /* load frames executed to the local port per second */
	uint64_t handled, missed, lost;
	/* Where frames were dropped, from load start to the end of the drain
	 * (tests 3 and 4): what the kernel refused from the probe port's
	 * outer veth (test 4: probes only; its backlog was full), every
	 * CPU's backlog drops (/proc/net/softnet_stat, all frames), the
	 * datapath's lost upcalls (n_lost) and, for ours and the raw limit,
	 * upcall socket overruns the handlers saw. */
	bool has_drops, has_overruns;
	uint64_t probe_port_dropped, softnet_dropped, kernel_lost_all, overruns;
	uint64_t softnet_cpu[BENCH_SOFTNET_CPUS]; /* softnet_dropped per CPU */
	unsigned int n_softnet_cpus;
	/* Probes received when the last one was sent: the reference's tool
	 * (weed.c) prints its loss then, with no wait for late ones. */
	uint64_t received_at_last_send;
};

struct bench_flood {
	bool done;
	unsigned int ports;
	uint64_t rate;          /* offered frames/s asked for (0: saturation) */
	double seconds;
	uint64_t offered;       /* frames pktgen sent */
	uint64_t send_errors;   /* frames pktgen failed to send */
	double offered_per_s;   /* measured on the sender */
	double sender_s;        /* how long the sender ran, by its clock */
	uint64_t handled;       /* executed to the local port */
	uint64_t missed, lost;
	double per_s;
	double cpu_s;           /* the handler threads' CPU time in the window; NAN: unknown */
	bool has_overruns;      /* ours and the raw limit: upcall socket overruns seen */
	uint64_t overruns;
};

struct bench_results {
	struct bench_latency one_port;          /* 1 */
	struct bench_latency *per_port;         /* 2 */
	unsigned int n_per_port;
	double avg_of_avgs, mdev_of_avgs;
	bool all_ports_done;
	uint64_t all_ports_user_clock;
	struct bench_latency loaded_port;       /* 3 */
	struct bench_latency idle_port;         /* 4 */
	struct {                                /* 5 */
		bool done;
		unsigned int ports;
		int netlink;            /* generic netlink sockets of the process */
		int64_t upcall_sockets; /* the dispatcher's own (ours), else -1 */
	} sockets;
	struct bench_flood flood_rate;          /* 6: all ports at --rate */
	struct bench_flood flood_one, flood_all; /* 6: saturation */
	struct {                                /* 7 */
		bool done;
		unsigned int frames;
		uint64_t handled;
		uint64_t ctx_voluntary, ctx_involuntary;
		bool ctx_valid;         /* the same handler threads throughout */
		bool has_empty;
		uint64_t wakeups, empty_wakeups;
	} wakeups;
	struct {                                /* 8 */
		bool done;
		unsigned int flows, frames;
		uint64_t sent, received, reordered, duplicates;
		uint64_t *per_flow;
	} reorder;
};

/* One repetition of a system: its status then, and its results. */
struct bench_rep {
	char *status;           /* as bench_system's; "not run" before its turn */
	char *reason;
	unsigned int position;  /* its place in the repetition's order, from 1 */
	double setup_s;
	int pinned;
	struct bench_results res;
};

struct bench_system {
	char *name;             /* the report's column */
	enum bench_kind kind;
	char *status;           /* "ok", "unsupported", "failed", "skipped" */
	char *reason;
	char *description;      /* what the dispatcher says of itself */
	char *mode;             /* the dispatch mode in a word or two */
	char *version;
	char *rule;                     /* ovs-vswitchd's OpenFlow rule */
	struct bench_peer *peer;        /* ovs-vswitchd's: which one (the run's) */
	unsigned int handlers_set;      /* ovs-vswitchd: n-handler-threads set (0: not) */
	unsigned int n_handlers;
	double setup_s;
	int pinned;                     /* handler threads kept off the sender's CPUs (-errno) */
	struct bench_results res;       /* the repetition running */
	struct bench_rep *reps;         /* every repetition's */
	unsigned int n_reps;

	/* while it runs */
	struct ovsdp_dp *dp;            /* for kernel counters */
	char local_dev[OVSDP_NAME_MAX]; /* where executed packets come out */
	pid_t pid;                      /* process holding the handlers (0: us) */
	const char *thread_prefix;      /* its handler threads' names */
	struct ovsdp_handlers *hs;      /* ours */
	struct bench_raw *raw;          /* the raw limit's */
};

int bench_counters_read(struct bench_system *sys, struct bench_counters *out);

/* Ours (bench-ovsdp.c): one datapath with every port, shared by each
 * dispatcher in turn. */
struct bench_ovsdp;
int bench_ovsdp_setup(const char *dp_name, unsigned int ports, char **veth_bridge_ends,
		      unsigned int n_veths, const char *plugins_conf, struct bench_ovsdp **out,
		      GError **error);
/* Start dispatcher 'sys->name' with n_handlers (0: the runtime's default).
 * Returns 0; -EOPNOTSUPP with *error when the plugin cannot run here. */
int bench_ovsdp_start(struct bench_ovsdp *o, struct bench_system *sys, unsigned int n_handlers,
		      GError **error);
void bench_ovsdp_stop(struct bench_ovsdp *o, struct bench_system *sys);
unsigned int bench_ovsdp_ports(const struct bench_ovsdp *o);
void bench_ovsdp_free(struct bench_ovsdp *o, bool delete_dp);
/* Start sys->name on o's datapath: the raw limit (BENCH_RAW_NAME) or a
 * dispatcher, as bench_raw_start() and bench_ovsdp_start() say; and stop
 * whichever it is. */
int bench_system_start(struct bench_ovsdp *o, struct bench_system *sys, unsigned int n_handlers,
		       GError **error);
void bench_system_stop(struct bench_ovsdp *o, struct bench_system *sys);

/* The raw limit (bench-raw.c): the smallest correct per-cpu receiver, on
 * the bench's datapath 'dp', with n_handlers threads (0: one per CPU).
 * -EOPNOTSUPP with *error on a kernel without per-cpu dispatch. */
#define BENCH_RAW_NAME "raw"
/* The raw limit in per-vport layout (bench-raw.c), per-vport's own limit. */
#define BENCH_RAW_VPORT_NAME "raw-vport"

/* Whether a system name is a raw limit's. */
static inline bool
bench_is_raw(const char *name)
{
	return !g_strcmp0(name, BENCH_RAW_NAME) || !g_strcmp0(name, BENCH_RAW_VPORT_NAME);
}
struct bench_raw;
int bench_raw_start(struct ovsdp_dp *dp, const struct ovsdp_features *f, struct bench_system *sys,
		    unsigned int n_handlers, GError **error);
/* Its upcall sockets, and its counters added to *out. */
unsigned int bench_raw_sockets(const struct bench_system *sys);
void bench_raw_counters(const struct bench_system *sys, struct bench_counters *out);
/* Stop its threads, close its sockets, give the datapath back the user
 * features it had. */
void bench_raw_stop(struct bench_system *sys);
/* The bench's datapath and the kernel's features, for the raw limit. */
struct ovsdp_dp *bench_ovsdp_dp(const struct bench_ovsdp *o);
const struct ovsdp_features *bench_ovsdp_features(const struct bench_ovsdp *o);

/* The peers (bench-peers.c): Open vSwitch's programs, from PATH (the
 * installed ones) or from a build tree's src/. */
enum bench_ovs_program {
	BENCH_OVSDB_TOOL,
	BENCH_OVSDB_SERVER,
	BENCH_OVS_VSWITCHD,
	BENCH_OVS_VSCTL,
	BENCH_OVS_OFCTL,
	BENCH_OVS_APPCTL,
	BENCH_OVS_N_PROGRAMS
};
const char *bench_ovs_program_name(enum bench_ovs_program p);
/* Where program p of build 'src' is (g_free); src NULL: its bare name, for
 * a search of PATH. */
char *bench_ovs_program_path(const char *src, enum bench_ovs_program p);
/* The src/ of --ovs-build DIR: DIR itself when it holds
 * vswitchd/ovs-vswitchd, else DIR/src (contrib/ovs/build's layout);
 * canonical (g_free).  NULL with *error naming DIR when neither does. */
char *bench_ovs_build_src(const char *dir, GError **error);
/* The first line of `ovs-vswitchd --version` ("ovs-vswitchd (Open vSwitch)
 * 3.5.0") of build 'src' (NULL: the one in PATH); NULL with *error (may
 * be NULL) when it cannot run. */
char *bench_ovs_version(const char *src, GError **error);
/* A peer's label from that line: "ovs-vswitchd-3.5"; plain "ovs-vswitchd"
 * when NULL or without a version. */
#define BENCH_OVS_LABEL "ovs-vswitchd"
char *bench_ovs_label(const char *version);

struct bench_peer {
	unsigned int index;     /* its place in the run's peers */
	char *src;              /* its build's src/; NULL: the installed programs */
	char *version;          /* `ovs-vswitchd --version`'s first line, or NULL */
	char *label;            /* its systems' names begin with it */
	char *why;              /* while the run goes: why its systems cannot run */
};
/* The run's peers: the installed ovs-vswitchd (when 'installed'), then each
 * build of 'builds' (NULL-terminated, may be NULL) in order; labels by
 * version when there are several (two of one version numbered: -2...), the
 * installed one alone plain "ovs-vswitchd".  0, or -EINVAL with *error
 * naming the build that is not one, cannot run or is given twice. */
int bench_peers_make(bool installed, char **builds, struct bench_peer **out, unsigned int *n,
		     GError **error);
void bench_peers_free(struct bench_peer *peers, unsigned int n);

/* The peer's systems (bench-ovs.c). */
bool bench_ovs_available(const char *src, char **why);
struct bench_ovs;
/* The rule is the bridge's only OpenFlow rule; no datapath flow is ever
 * installed (flow-limit=0), so each packet is an upcall.  Two systems per
 * peer by default, on one ovs-vswitchd: the fair slowpath (every packet in
 * user space, output to the local port, no controller) and the reference's
 * setup (a packet-in per frame besides). */
#define BENCH_OVS_RULE_LOCAL "actions=LOCAL"
#define BENCH_OVS_RULE "actions=CONTROLLER:65535,LOCAL"
#define BENCH_OVS_SUFFIX_LOCAL ":LOCAL"
#define BENCH_OVS_SUFFIX_REF ":reference"
#define BENCH_OVS_NAME_LOCAL BENCH_OVS_LABEL BENCH_OVS_SUFFIX_LOCAL
#define BENCH_OVS_NAME_REF BENCH_OVS_LABEL BENCH_OVS_SUFFIX_REF
/* Start ovsdb-server and ovs-vswitchd with sys->rule, in a run directory
 * and database of their own: the installed programs (src NULL) or those of
 * the Open vSwitch build 'src' (a src/ folder as contrib/ovs/build makes
 * it); the bridge is of datapath_type 'type' (NULL: not set, OVS's
 * default, system), its datapath ovs-TYPE.  n_handlers > 0 sets
 * n-handler-threads to it (and n-revalidator-threads to 1). */
int bench_ovs_setup(const char *src, const char *type, unsigned int ports,
		    char **veth_bridge_ends, unsigned int n_veths, unsigned int n_handlers,
		    struct bench_system *sys, struct bench_ovs **out, GError **error);
/* The same ovs-vswitchd as the next system: its rule becomes sys->rule. */
int bench_ovs_reuse(struct bench_ovs *o, struct bench_system *sys, GError **error);
/* The environment its programs run in (OVS_RUNDIR...): ovs-appctl finds
 * this ovs-vswitchd with it. */
const char *const *bench_ovs_environ(const struct bench_ovs *o);
/* Its program p (an absolute path for a build's; g_free). */
char *bench_ovs_program(const struct bench_ovs *o, enum bench_ovs_program p);
void bench_ovs_free(struct bench_ovs *o, bool delete_dp);

/* ---- one run: parameters, environment, tests (bench-tests.c) ----------- */

/* The reference run (OVS's per-vport dispatch patch) a full run scales. */
#define BENCH_REF_PROBES 100000
#define BENCH_REF_INTERVAL_US 1000
#define BENCH_REF_PORTS 2223
#define BENCH_REF_CORES 56

/* Offered frames/s of the loaded tests (3, 4, 6's first part) unless
 * --rate says otherwise: below what every system handles in the lab, and
 * for --smoke low enough that a busy emulated sender CPU keeps up. */
#define BENCH_DEFAULT_RATE 1000
#define BENCH_SMOKE_RATE 200

/* Every test of the main bench, as bench_params.tests bits. */
#define BENCH_ALL_TESTS 0x1feu
#define BENCH_RUNS(p, n) (((p)->tests >> (n)) & 1u)

struct bench_params {
	bool smoke;
	unsigned int ports;             /* on each bridge, the local port included */
	unsigned int ovs_ports;
	unsigned int veths;             /* veth ports: probes and load enter here */
	unsigned int handlers;          /* 0: each system's default */
	char **dispatchers;
	bool ovs;
	unsigned int probes;            /* test 1 */
	unsigned int interval_us;
	unsigned int port_probes;       /* test 2, per veth port */
	unsigned int load_probes;       /* tests 3 and 4 */
	unsigned int load_threads;      /* pktgen threads */
	uint64_t rate;                  /* tests 3, 4, 6: offered frames/s in all */
	double flood_s;                 /* test 6, each part */
	unsigned int wake_frames;       /* test 7 */
	unsigned int wake_gap_ms;
	unsigned int reorder_flows;     /* test 8 */
	unsigned int reorder_frames;
	bool netns;
	bool plots;
	char *plugins_conf;
	char *ovs_rule;                 /* NULL: the two default systems per peer */
	char **ovs_builds;              /* --ovs-build: Open vSwitch builds as peers */
	struct bench_peer *peers;       /* the installed ovs-vswitchd (unless --no-ovs), the builds */
	unsigned int n_peers;
	bool ovs_reference;             /* --smoke: the reference's peer too */
	unsigned int repeat;            /* repetitions of every system */
	unsigned int tests;             /* --tests: bit n set runs test n (1-8) */
	guint32 seed;                   /* of the shuffled orders */
	char *out;
};

struct bench_run {
	struct bench_params *p;
	char *command;
	char *started;                  /* ISO 8601, UTC */
	char *kernel;                   /* uname -r */
	char *kernel_version;           /* uname -v */
	char *machine;
	unsigned int vcpus;
	char *lab_kernel;               /* OVSDP_LAB_KERNEL, or NULL off the lab */
	bool emulated;                  /* in the TCG lab */
	struct ovsdp_features features;
	bool load_ok;
	char *load_why;                 /* why there is no load, or NULL */
	char *sender_cpus;              /* "0" or "0-1": pktgen and the prober */
	char *handler_cpus;             /* the handlers' ("": not pinned) */
	char *gnuplot_path;             /* NULL: not found or --no-plots */
	char *gnuplot;                  /* its version, once it ran */
	GPtrArray *systems;             /* struct bench_system * */
	unsigned int *order;            /* repeat x systems: the system run at each place */
	double total_s;
	char **plots;                   /* files made */
	char *plot_why;                 /* why there are none */
};

/* What the tests drive: the tester ends of the veths, a sender socket on
 * each, and the receiver on the local port. */
struct bench_env {
	struct bench_params *p;
	struct bench_run *run;
	unsigned int n_veths;
	char **tx_names;                /* bt0.. (pktgen and probes) */
	int *tx_fds;
	struct bench_rx *rx;
	cpu_set_t sender_cpus;          /* pktgen's threads and our prober */
	cpu_set_t handler_cpus;         /* the rest: the systems' handlers */
	unsigned int n_sender_cpus, n_handler_cpus;
};

/* Run every test on a started system ('index' of 'total', for progress). */
void bench_tests_run(struct bench_env *env, struct bench_system *sys, unsigned int index,
		     unsigned int total);
void bench_results_clear(struct bench_results *r);
/* Single tests, for the sweeps of `ovsdp-bench scaling`.  Test 6's flood:
 * veth ports [0, ports) loaded at 'rate' frames/s in all (0: saturation)
 * by env->p->load_threads pktgen threads, for env->p->flood_s; the calling
 * thread reads the counters, so it should not be on the sender's CPUs.
 * Test 3/4's probes on veth port 0 (env->p->load_probes of them) while
 * ports [first_load, n_veths) are loaded at env->p->rate; the calling
 * thread sends the probes and needs the receiver (env->rx) running. */
void bench_flood(struct bench_env *env, struct bench_system *sys, struct bench_flood *f,
		 unsigned int ports, uint64_t rate);
void bench_under_load(struct bench_env *env, struct bench_system *sys, struct bench_latency *l,
		      unsigned int first_load);

/* The run's setup, shared by the main bench and `scaling` (ovsdp-bench.c):
 * a private network namespace (unless p->netns is false) with a high
 * descriptor limit; p->veths veth pairs (env->tx_names and a sender socket
 * on each; *bridge_ends the datapath's ends); the CPUs split between the
 * sender (0..p->load_threads-1) and the handlers (the rest). */
int bench_enter_netns(struct bench_params *p, GError **error);
int bench_make_veths(struct bench_env *env, char ***bridge_ends, GError **error);
void bench_split_cpus(struct bench_env *env, struct bench_run *run);

/* ---- progress and reports (bench-report.c) ------------------------------ */

void bench_progress(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void bench_progress_done(void);
/* A prefix for every progress line ("[rep 2/3]"; NULL: none). */
void bench_progress_prefix(const char *prefix);

/* bench.json, bench.md, the plot data and the PNGs in 'dir'. */
int bench_report_write(struct bench_run *run, const char *dir, GError **error);
/* The markdown report (g_free). */
char *bench_report_markdown(struct bench_run *run);

/* ---- A/B mode (bench-ab.c) ---------------------------------------------- */

int bench_ab_main(int argc, char **argv);

/* ---- cost against bridge size (bench-curves.c) --------------------------- */

int bench_curves_main(int argc, char **argv);

/* ---- upcalls/s and CPU against handlers and load CPUs (bench-scaling.c) -- */

int bench_scaling_main(int argc, char **argv);

#endif
