/* flow.c: the ovs_flow family: megaflow put/get/delete/flush with
 * dpif-netlink's create/modify semantics, statistics, and a restartable
 * dump iterator on a socket of its own. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp/datapath-internal.h"
#include "ovsdp/flow.h"
#include "dp/requests.h"

#define UFID_LEN 16

OVSDP_EXPORT void
ovsdp_ufid_format(const struct ovsdp_ufid *u, char out[OVSDP_UFID_STRLEN])
{
	if (!u || !out)
		return;
	snprintf(out, OVSDP_UFID_STRLEN, "%08x-%04x-%04x-%04x-%04x%08x", u->u32[0],
		 u->u32[1] >> 16, u->u32[1] & 0xffff, u->u32[2] >> 16, u->u32[2] & 0xffff,
		 u->u32[3]);
}

/* A 64-bit finaliser (murmur3's constants): every input bit reaches
 * every output bit. */
static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

OVSDP_EXPORT void
ovsdp_ufid_from_key(const void *key, size_t key_len, struct ovsdp_ufid *out)
{
	const uint8_t *p = key;
	uint64_t a = UINT64_C(0x6f7673647075666e) ^ key_len, b = UINT64_C(0x9e3779b97f4a7c15);

	if (!out)
		return;
	if (!p)
		key_len = 0;
	/* Two lanes over 8-byte words, the tail zero-padded; each word moves
	 * both lanes so that swapping two words changes the result. */
	for (size_t off = 0; off < key_len; off += 8) {
		uint64_t w = 0;

		memcpy(&w, p + off, MIN((size_t)8, key_len - off));
		a = mix64(a ^ w) + b;
		b = mix64(b + (w << 31 | w >> 33)) ^ a;
	}
	a = mix64(a ^ (b >> 1));
	b = mix64(b ^ a);
	out->u32[0] = (uint32_t)(a >> 32);
	out->u32[1] = (uint32_t)a;
	out->u32[2] = (uint32_t)(b >> 32);
	out->u32[3] = (uint32_t)b;
}

OVSDP_EXPORT int
ovsdp_ufid_parse(const char *text, struct ovsdp_ufid *out)
{
	char hex[33];
	int n = 0;

	if (!text || !out)
		return -EINVAL;
	if (!strncmp(text, "ufid:", 5))
		text += 5;
	for (const char *p = text; *p; p++) {
		if (*p == '-')
			continue;
		if (!g_ascii_isxdigit(*p) || n == 32)
			return -EINVAL;
		hex[n++] = *p;
	}
	if (n != 32)
		return -EINVAL;
	hex[32] = '\0';
	for (int i = 0; i < 4; i++) {
		char word[9];

		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		out->u32[i] = (uint32_t)strtoul(word, NULL, 16);
	}
	return 0;
}

OVSDP_EXPORT uint64_t
ovsdp_flow_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

OVSDP_EXPORT void
ovsdp_flow_clear(struct ovsdp_flow *flow)
{
	if (!flow)
		return;
	ovsdp_buf_clear(&flow->storage);
	memset(flow, 0, sizeof *flow);
}

/* The flow family's policy: key, mask and actions are checked by the ODP
 * codecs when read. */
static const struct nla_policy flow_nla[OVS_FLOW_ATTR_MAX + 1] = {
	[OVS_FLOW_ATTR_KEY] = { .type = NLA_NESTED },
	[OVS_FLOW_ATTR_MASK] = { .type = NLA_NESTED },
	[OVS_FLOW_ATTR_ACTIONS] = { .type = NLA_NESTED },
	[OVS_FLOW_ATTR_UFID] = { .minlen = 1, .maxlen = UFID_LEN },
	[OVS_FLOW_ATTR_STATS] = { .minlen = sizeof(struct ovs_flow_stats) },
	[OVS_FLOW_ATTR_USED] = OVSDP_NLA_EXACT(NLA_U64, 8),
	[OVS_FLOW_ATTR_TCP_FLAGS] = OVSDP_NLA_EXACT(NLA_U8, 1),
	[OVS_FLOW_ATTR_UFID_FLAGS] = OVSDP_NLA_EXACT(NLA_U32, 4),
};
const struct ovsdp_nl_policy ovsdp_flow_policy = {
	.where = "a flow reply", .maxattr = OVS_FLOW_ATTR_MAX, .nla = flow_nla,
};

/* Point *f's fields into 'nlh' (which must outlive them).  Returns 0 or
 * -EPROTO. */
int
ovsdp_flow_parse_reply(struct nlmsghdr *nlh, struct ovsdp_flow *f)
{
	struct nlattr *tb[OVS_FLOW_ATTR_MAX + 1];
	struct nlattr *a;

	if (ovsdp_nl_parse(nlh, &ovsdp_flow_policy, tb, &f->dp_ifindex) < 0)
		return -EPROTO;
	if ((a = tb[OVS_FLOW_ATTR_KEY])) {
		f->key = nla_data(a);
		f->key_len = (size_t)nla_len(a);
		f->has_key = true;
	}
	if ((a = tb[OVS_FLOW_ATTR_MASK])) {
		f->mask = nla_data(a);
		f->mask_len = (size_t)nla_len(a);
	}
	if ((a = tb[OVS_FLOW_ATTR_ACTIONS])) {
		f->actions = nla_data(a);
		f->actions_len = (size_t)nla_len(a);
		f->has_actions = true;
	}
	if ((a = tb[OVS_FLOW_ATTR_UFID])) {
		memset(&f->ufid, 0, sizeof f->ufid);
		memcpy(&f->ufid, nla_data(a), (size_t)nla_len(a));
		f->has_ufid = true;
	}
	if ((a = tb[OVS_FLOW_ATTR_STATS])) {
		struct ovs_flow_stats s;

		memcpy(&s, nla_data(a), sizeof s);
		f->stats.n_packets = s.n_packets;
		f->stats.n_bytes = s.n_bytes;
	}
	ovsdp_attr_u64(tb[OVS_FLOW_ATTR_USED], &f->stats.used_ms);
	if ((a = tb[OVS_FLOW_ATTR_TCP_FLAGS]))
		f->stats.tcp_flags = *(const uint8_t *)nla_data(a);
	return 0;
}

int
ovsdp_flow_stats_reply(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_flow f;
	int r;

	memset(&f, 0, sizeof f);
	r = ovsdp_flow_parse_reply(nlh, &f);
	if (r == 0)
		*(struct ovsdp_flow_stats *)arg = f.stats;
	return r;
}

/* Copy the reply into the flow's own storage, then parse the copy. */
int
ovsdp_flow_get_reply(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_flow *f = arg;
	struct nlmsghdr *copy;

	/* A second reply must not keep pointers into the first one's freed
	 * copy (a field it lacks would dangle): start from an empty flow. */
	ovsdp_flow_clear(f);
	ovsdp_buf_put(&f->storage, nlh, nlh->nlmsg_len);
	copy = (struct nlmsghdr *)f->storage.data;
	return ovsdp_flow_parse_reply(copy, f);
}

/* Describe the flow for messages: its ufid, else its key's size. */
static char *
flow_what(const char *verb, const struct ovsdp_ufid *ufid, size_t key_len)
{
	char s[OVSDP_UFID_STRLEN];

	if (ufid) {
		ovsdp_ufid_format(ufid, s);
		return g_strdup_printf("%s flow ufid:%s", verb, s);
	}
	return g_strdup_printf("%s flow (%zu-byte key)", verb, key_len);
}

static bool
bad_blob(const void *p, size_t len)
{
	return (len && !p) || len > 60000;
}

/* The tail of every flow request: OVS_FLOW_ATTR_CLEAR when 'clear', the
 * attributes of OVSDP_REQ_PROBE and OVSDP_REQ_TERSE, the length; then the
 * request's description ('*what') moves to the caller's 'what_out'. */
static int
finish_req(struct ovsdp_buf *out, size_t off, bool clear, unsigned int req, char **what,
	   char **what_out, GError **error)
{
	if (clear)
		ovsdp_buf_put_flag(out, OVS_FLOW_ATTR_CLEAR);
	if (req & OVSDP_REQ_PROBE)
		ovsdp_buf_put_flag(out, OVS_FLOW_ATTR_PROBE);
	if (req & OVSDP_REQ_TERSE)
		ovsdp_buf_put_u32(out, OVS_FLOW_ATTR_UFID_FLAGS,
				  OVS_UFID_F_OMIT_KEY | OVS_UFID_F_OMIT_MASK |
				  OVS_UFID_F_OMIT_ACTIONS);
	if (ovsdp_nl_msg_end(out, off) < 0)
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s", *what);
	if (what_out)
		*what_out = g_steal_pointer(what);
	return 0;
}

int
ovsdp_flow_put_encode(struct ovsdp_dp *dp, const struct ovsdp_flow_put *put, unsigned int req,
		      struct ovsdp_buf *out, char **what_out, GError **error)
{
	const unsigned int known = OVSDP_FLOW_PUT_CREATE | OVSDP_FLOW_PUT_MODIFY |
				   OVSDP_FLOW_PUT_ZERO_STATS;
	g_autofree char *what = NULL;
	uint8_t cmd;
	int nlm_flags = 0;
	size_t off;

	if (what_out)
		*what_out = NULL;
	if (!dp || !out || !put || !put->key || !put->key_len || bad_blob(put->key, put->key_len) ||
	    bad_blob(put->mask, put->mask_len) || bad_blob(put->actions, put->actions_len))
		return ovsdp_set_error(error, -EINVAL, NULL, "putting a flow: bad arguments");
	what = flow_what(put->flags & OVSDP_FLOW_PUT_CREATE ? "adding" : "modifying", put->ufid,
			 put->key_len);
	if ((put->flags & ~known) || !(put->flags & (OVSDP_FLOW_PUT_CREATE | OVSDP_FLOW_PUT_MODIFY)))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad flags 0x%x", what,
				       put->flags);
	/* The kernel's NEW ignores OVS_FLOW_ATTR_CLEAR: zeroing needs SET. */
	if ((put->flags & OVSDP_FLOW_PUT_ZERO_STATS) && (put->flags & OVSDP_FLOW_PUT_CREATE))
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: zeroing statistics needs modify without create", what);

	if (put->flags & OVSDP_FLOW_PUT_CREATE) {
		cmd = OVS_FLOW_CMD_NEW;
		/* NLM_F_CREATE stands for "exclusive" here: generic netlink would
		 * read NLM_F_EXCL as part of NLM_F_DUMP. */
		if (!(put->flags & OVSDP_FLOW_PUT_MODIFY))
			nlm_flags |= NLM_F_CREATE;
	} else {
		cmd = OVS_FLOW_CMD_SET;
	}
	if (req & OVSDP_REQ_ECHO)
		nlm_flags |= NLM_F_ECHO;
	if (ovsdp_nl_msg_begin(dp->nl, out, OVSDP_FAMILY_FLOW, cmd, nlm_flags, dp->ifindex,
			       &off) < 0)
		return ovsdp_set_error(error, -ENOENT, NULL, "%s: no ovs_flow family", what);
	if ((put->ufid &&
	     ovsdp_buf_put_attr(out, OVS_FLOW_ATTR_UFID, put->ufid, UFID_LEN) == OVSDP_BUF_TOO_BIG) ||
	    ovsdp_buf_put_attr(out, OVS_FLOW_ATTR_KEY, put->key, put->key_len) == OVSDP_BUF_TOO_BIG ||
	    (put->mask && ovsdp_buf_put_attr(out, OVS_FLOW_ATTR_MASK, put->mask, put->mask_len) ==
			  OVSDP_BUF_TOO_BIG) ||
	    ovsdp_buf_put_attr(out, OVS_FLOW_ATTR_ACTIONS, put->actions, put->actions_len) ==
	    OVSDP_BUF_TOO_BIG) {
		out->len = off;
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s", what);
	}
	return finish_req(out, off, put->flags & OVSDP_FLOW_PUT_ZERO_STATS, req, &what, what_out,
			  error);
}

OVSDP_EXPORT int
ovsdp_flow_put(struct ovsdp_dp *dp, const struct ovsdp_flow_put *put,
	       struct ovsdp_flow_stats *stats, GError **error)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autofree char *what = NULL;
	int r;

	r = ovsdp_flow_put_encode(dp, put, stats ? OVSDP_REQ_ECHO : 0, &b, &what, error);
	if (r < 0)
		return r;
	if (stats)
		memset(stats, 0, sizeof *stats);
	return ovsdp_dp_transact(dp, &b, stats ? ovsdp_flow_stats_reply : NULL, stats, what, error);
}

int
ovsdp_flow_ident_encode(struct ovsdp_dp *dp, uint8_t cmd, const char *verb, const void *key,
			size_t key_len, const struct ovsdp_ufid *ufid, bool clear,
			unsigned int req, struct ovsdp_buf *out, char **what_out, GError **error)
{
	g_autofree char *what = NULL;
	size_t off;

	if (what_out)
		*what_out = NULL;
	if (!dp || !out || (!key && !ufid) || (key && !key_len) || bad_blob(key, key_len))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s a flow: need a key or a ufid",
				       verb);
	what = flow_what(verb, ufid, key_len);
	if (ovsdp_nl_msg_begin(dp->nl, out, OVSDP_FAMILY_FLOW, cmd,
			       req & OVSDP_REQ_ECHO ? NLM_F_ECHO : 0, dp->ifindex, &off) < 0)
		return ovsdp_set_error(error, -ENOENT, NULL, "%s: no ovs_flow family", what);
	/* With a ufid the kernel looks the flow up by it alone. */
	if (ufid)
		ovsdp_buf_put_attr(out, OVS_FLOW_ATTR_UFID, ufid, UFID_LEN);
	else if (ovsdp_buf_put_attr(out, OVS_FLOW_ATTR_KEY, key, key_len) == OVSDP_BUF_TOO_BIG) {
		out->len = off;
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s", what);
	}
	return finish_req(out, off, clear, req, &what, what_out, error);
}

/* GET, DEL or SET+CLEAR of one flow named by key and/or ufid. */
static int
flow_one(struct ovsdp_dp *dp, uint8_t cmd, bool echo, const char *verb, const void *key,
	 size_t key_len, const struct ovsdp_ufid *ufid, bool clear, ovsdp_nl_reply_fn fn,
	 void *arg, GError **error)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autofree char *what = NULL;
	int r;

	r = ovsdp_flow_ident_encode(dp, cmd, verb, key, key_len, ufid, clear,
				    echo ? OVSDP_REQ_ECHO : 0, &b, &what, error);
	if (r < 0)
		return r;
	return ovsdp_dp_transact(dp, &b, fn, arg, what, error);
}

OVSDP_EXPORT int
ovsdp_flow_get(struct ovsdp_dp *dp, const void *key, size_t key_len,
	       const struct ovsdp_ufid *ufid, struct ovsdp_flow *out, GError **error)
{
	int r;

	if (!out)
		return ovsdp_set_error(error, -EINVAL, NULL, "reading a flow: no output");
	memset(out, 0, sizeof *out);
	r = flow_one(dp, OVS_FLOW_CMD_GET, false, "reading", key, key_len, ufid, false,
		     ovsdp_flow_get_reply, out, error);
	if (r < 0)
		ovsdp_flow_clear(out);
	return r;
}

OVSDP_EXPORT int
ovsdp_flow_del(struct ovsdp_dp *dp, const void *key, size_t key_len,
	       const struct ovsdp_ufid *ufid, struct ovsdp_flow_stats *stats, GError **error)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	return flow_one(dp, OVS_FLOW_CMD_DEL, stats != NULL, "deleting", key, key_len,
			ufid, false, stats ? ovsdp_flow_stats_reply : NULL, stats, error);
}

OVSDP_EXPORT int
ovsdp_flow_clear_stats(struct ovsdp_dp *dp, const void *key, size_t key_len,
		       const struct ovsdp_ufid *ufid, struct ovsdp_flow_stats *stats,
		       GError **error)
{
	if (stats)
		memset(stats, 0, sizeof *stats);
	return flow_one(dp, OVS_FLOW_CMD_SET, stats != NULL, "clearing the stats of",
			key, key_len, ufid, true, stats ? ovsdp_flow_stats_reply : NULL, stats, error);
}

OVSDP_EXPORT int
ovsdp_flow_flush(struct ovsdp_dp *dp, GError **error)
{
	g_autofree char *what = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;

	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "flushing flows: no datapath");
	what = g_strdup_printf("flushing the flows of datapath %s", dp->name);
	/* A DEL naming no flow empties the table. */
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_FLOW, OVS_FLOW_CMD_DEL, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	return ovsdp_dp_transact(dp, &m, NULL, NULL, what, error);
}

struct ovsdp_flow_dump {
	struct ovsdp_dp *dp;
	unsigned int flags;
	struct ovsdp_nl *nl;            /* this dump's own socket */
	struct ovsdp_nl_dump nd;
	struct ovsdp_flow cur;
	char *what;
};

static int
dump_begin(struct ovsdp_flow_dump *d, GError **error)
{
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	size_t off;
	int r;

	if (d->nl) {
		/* Closing the socket is how a netlink dump is abandoned. */
		ovsdp_nl_dump_release(&d->nd);
		ovsdp_nl_close(d->nl);
		d->nl = NULL;
	}
	memset(&d->nd, 0, sizeof d->nd);
	d->nd.done = true;
	r = ovsdp_nl_clone(d->dp->nl, &d->nl, error);
	if (r < 0)
		return r;
	if (ovsdp_nl_msg_begin(d->nl, &m, OVSDP_FAMILY_FLOW, OVS_FLOW_CMD_GET, 0, d->dp->ifindex,
			       &off) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", d->what);
	if (d->flags & OVSDP_FLOW_DUMP_TERSE)
		ovsdp_buf_put_u32(&m, OVS_FLOW_ATTR_UFID_FLAGS,
			    OVS_UFID_F_OMIT_KEY | OVS_UFID_F_OMIT_MASK | OVS_UFID_F_OMIT_ACTIONS);
	return ovsdp_nl_dump_start(d->nl, &m, &d->nd, d->what, error);
}

OVSDP_EXPORT int
ovsdp_flow_dump_start(struct ovsdp_dp *dp, unsigned int flags, struct ovsdp_flow_dump **out,
		      GError **error)
{
	struct ovsdp_flow_dump *d;
	int r;

	if (!dp || !out || (flags & ~OVSDP_FLOW_DUMP_TERSE))
		return ovsdp_set_error(error, -EINVAL, NULL, "dumping flows: bad arguments");
	*out = NULL;
	d = g_new0(struct ovsdp_flow_dump, 1);
	d->dp = dp;
	d->flags = flags;
	d->what = g_strdup_printf("dumping the flows of datapath %s", dp->name);
	r = dump_begin(d, error);
	if (r < 0) {
		ovsdp_flow_dump_free(d);
		return r;
	}
	*out = d;
	return 0;
}

OVSDP_EXPORT int
ovsdp_flow_dump_next(struct ovsdp_flow_dump *d, const struct ovsdp_flow **flow,
		     GError **error)
{
	struct nlmsghdr *nlh;
	int r;

	if (flow)
		*flow = NULL;
	if (!d || !flow)
		return ovsdp_set_error(error, -EINVAL, NULL, "dumping flows: bad arguments");
	r = ovsdp_nl_dump_next(&d->nd, &nlh, d->what, error);
	if (r <= 0)
		return r;
	memset(&d->cur, 0, sizeof d->cur);
	if (ovsdp_flow_parse_reply(nlh, &d->cur) < 0) {
		d->nd.done = true;
		ovsdp_nl_dump_release(&d->nd);
		return ovsdp_set_error(error, -EPROTO, NULL, "%s: malformed reply", d->what);
	}
	*flow = &d->cur;
	return 1;
}

OVSDP_EXPORT int
ovsdp_flow_dump_restart(struct ovsdp_flow_dump *d, GError **error)
{
	if (!d)
		return ovsdp_set_error(error, -EINVAL, NULL, "restarting a flow dump: no dump");
	return dump_begin(d, error);
}

OVSDP_EXPORT void
ovsdp_flow_dump_free(struct ovsdp_flow_dump *d)
{
	if (!d)
		return;
	ovsdp_nl_dump_release(&d->nd);
	ovsdp_nl_close(d->nl);
	g_free(d->what);
	g_free(d);
}
