/* nl-attr.c: the one attribute reader.  Every family declares its policy
 * once: libnl's struct nla_policy per attribute (type, minimum and maximum
 * payload, NUL-terminated strings), checked with libnl's nla_validate(),
 * and here what libnl lacks: strict framing (an attribute that overruns the
 * sequence, or stray bytes after the last, is an error, not the end of the
 * walk), attributes that may appear once, and arrays of fixed-size
 * elements.  Type 0 is an attribute like any other (libnl's nla_parse()
 * drops it). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <linux/genetlink.h>

#include "nl/netlink.h"

static int G_GNUC_PRINTF(2, 3)
refuse(char **why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		*why = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

/* "NAME" when the policy names attribute 'type', else "attribute N of WHERE". */
static const char *
attr_name(const struct ovsdp_nl_policy *p, unsigned int type, char *tmp, size_t size)
{
	if (p->names && type <= (unsigned int)p->maxattr && p->names[type])
		return p->names[type];
	g_snprintf(tmp, size, "attribute %u of %s", type, p->where ? p->where : "a reply");
	return tmp;
}

/* Why attribute 'a' (its payload 'len' bytes) breaks rule 'pt'. */
static int
refuse_rule(const struct ovsdp_nl_policy *p, const struct nlattr *a, size_t len, char **why)
{
	const struct nla_policy *pt = &p->nla[a->nla_type & NLA_TYPE_MASK];
	char tmp[64];
	const char *name = attr_name(p, a->nla_type & NLA_TYPE_MASK, tmp, sizeof tmp);

	if (pt->minlen && pt->minlen == pt->maxlen)
		return refuse(why, "%s must be %u bytes, got %zu", name, pt->minlen, len);
	if (pt->maxlen && len > pt->maxlen)
		return refuse(why, "%s must be at most %u bytes, got %zu", name, pt->maxlen, len);
	if (pt->type == NLA_STRING && len > 0)
		return refuse(why, "%s is not NUL-terminated", name);
	return refuse(why, "%s is too short (%zu bytes)", name, len);
}

int
ovsdp_nla_parse(struct nlattr **tb, const struct ovsdp_nl_policy *p, const void *head,
		size_t len, char **why)
{
	const uint8_t *q = head;
	const char *where = p->where ? p->where : "a reply";

	if (why)
		*why = NULL;
	memset(tb, 0, sizeof *tb * (size_t)(p->maxattr + 1));
	while (len > 0) {
		const struct nlattr *a = (const struct nlattr *)q;
		unsigned int type;
		uint16_t alen;
		size_t plen;
		char tmp[64];

		if (len < NLA_HDRLEN)
			return refuse(why, "%zu stray bytes after the last attribute of %s", len,
				      where);
		memcpy(&alen, q, sizeof alen);
		type = a->nla_type & NLA_TYPE_MASK;
		if (alen < NLA_HDRLEN)
			return refuse(why, "attribute %u of %s has length %u, shorter than its "
				      "header", type, where, alen);
		if (alen > len)
			return refuse(why, "attribute %u of %s (%u bytes) overruns it (%zu bytes "
				      "left)", type, where, alen, len);
		plen = (size_t)alen - NLA_HDRLEN;
		if (type <= (unsigned int)p->maxattr) {
			if (p->unique && tb[type])
				return refuse(why, "duplicate %s attribute",
					      attr_name(p, type, tmp, sizeof tmp));
			/* libnl's rules, on this one attribute (when it has any). */
			if (p->nla && (p->nla[type].type || p->nla[type].minlen ||
				       p->nla[type].maxlen) &&
			    nla_validate(a, alen, p->maxattr, p->nla) < 0)
				return refuse_rule(p, a, plen, why);
			if (p->array && p->array[type] && plen % p->array[type])
				return refuse(why, "%s must be a multiple of %u bytes, got %zu",
					      attr_name(p, type, tmp, sizeof tmp), p->array[type],
					      plen);
			tb[type] = (struct nlattr *)a;
		}
		/* Newer types than the policy knows are skipped.  The last
		 * attribute may lack its padding (OVS_DP_F_UNALIGNED). */
		q += MIN((size_t)NLA_ALIGN(alen), len);
		len -= MIN((size_t)NLA_ALIGN(alen), len);
	}
	return 0;
}

int
ovsdp_nla_parse_nested(struct nlattr **tb, const struct ovsdp_nl_policy *p,
		       const struct nlattr *nest)
{
	return ovsdp_nla_parse(tb, p, nla_data(nest), (size_t)nla_len(nest), NULL);
}

int
ovsdp_nl_parse(struct nlmsghdr *nlh, const struct ovsdp_nl_policy *p, struct nlattr **tb,
	       int *dp_ifindex)
{
	size_t hdrlen = GENL_HDRLEN + NLMSG_ALIGN(sizeof(struct ovs_header));
	struct ovs_header oh;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return -EPROTO;
	memcpy(&oh, (char *)nlmsg_data(nlh) + GENL_HDRLEN, sizeof oh);
	if (dp_ifindex)
		*dp_ifindex = oh.dp_ifindex;
	return ovsdp_nla_parse(tb, p, (char *)nlmsg_data(nlh) + hdrlen,
			       nlh->nlmsg_len - NLMSG_HDRLEN - hdrlen, NULL);
}
