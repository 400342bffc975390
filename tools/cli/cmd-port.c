/* cmd-port.c: `ovsdp port add|del|show`: a datapath's ports, with the
 * argument form of ovs-dpctl add-if (IFACE[,type=T][,dst_port=N]...). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdp/ovsdp.h"
#include "json.h"
#include "ovsdp.h"

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || !g_ascii_isdigit(*s))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out <= max;
}

/* What `port add` was asked for: a plain port or a tunnel. */
struct port_req {
	struct ovsdp_vport_spec spec;
	struct ovsdp_tunnel_spec tun;   /* tun.kind != 0: a tunnel */
	char *name;
	uint32_t pid;
};

static bool
parse_hex16(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v == 0 || v > 0xffff)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Parse "IFACE[,type=T][,dst_port=N][,port_no=N][,upcall_pid=N][,gbp]
 * [,ethertype=N][,via=auto|rtnetlink|legacy]". */
static bool
parse_port_spec(const char *text, struct port_req *req)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);
	struct ovsdp_vport_spec *spec = &req->spec;
	struct ovsdp_tunnel_spec *tun = &req->tun;
	bool tunnel_opt = false;

	if (!parts[0] || !*parts[0]) {
		tool_fail("port add: missing interface name in '%s'", text);
		return false;
	}
	req->name = g_strdup(parts[0]);
	spec->name = tun->name = req->name;
	for (char **p = parts + 1; *p; p++) {
		char *eq = strchr(*p, '=');
		unsigned long v;

		if (!strcmp(*p, "gbp")) {
			tun->gbp = true;
			tunnel_opt = true;
			continue;
		}
		if (!eq) {
			tool_fail("port add: '%s' is not key=value", *p);
			return false;
		}
		*eq = '\0';
		if (!strcmp(*p, "type")) {
			int t = ovsdp_tunnel_kind_from_str(eq + 1);

			if (t > 0) {
				tun->kind = (uint32_t)t;
				continue;
			}
			t = ovsdp_vport_type_from_str(eq + 1);
			if (t < 0) {
				tool_fail("port add: unknown type '%s' (netdev, internal, vxlan, "
					  "geneve, gre, ip6gre, erspan, ip6erspan or bareudp)", eq + 1);
				return false;
			}
			spec->type = (uint32_t)t;
		} else if (!strcmp(*p, "dst_port") && parse_uint(eq + 1, 65535, &v) && v) {
			spec->dst_port = tun->dst_port = (uint16_t)v;
		} else if (!strcmp(*p, "port_no") && parse_uint(eq + 1, 65535, &v)) {
			spec->port_no = tun->port_no = (uint32_t)v;
		} else if (!strcmp(*p, "upcall_pid") && parse_uint(eq + 1, UINT32_MAX, &v)) {
			req->pid = (uint32_t)v;
			spec->upcall_pids = tun->upcall_pids = &req->pid;
			spec->n_upcall_pids = tun->n_upcall_pids = 1;
		} else if (!strcmp(*p, "ethertype") && parse_hex16(eq + 1, &tun->ethertype)) {
			tunnel_opt = true;
		} else if (!strcmp(*p, "via") && (!strcmp(eq + 1, "auto") ||
						  !strcmp(eq + 1, "rtnetlink") ||
						  !strcmp(eq + 1, "legacy"))) {
			tun->via = !strcmp(eq + 1, "rtnetlink") ? OVSDP_TUNNEL_VIA_RTNETLINK :
				   !strcmp(eq + 1, "legacy") ? OVSDP_TUNNEL_VIA_LEGACY :
				   OVSDP_TUNNEL_VIA_AUTO;
			tunnel_opt = true;
		} else {
			tool_fail("port add: bad option '%s=%s' (type, dst_port, port_no, "
				  "upcall_pid, gbp, ethertype or via)", *p, eq + 1);
			return false;
		}
	}
	if (tunnel_opt && !tun->kind) {
		tool_fail("port add: gbp, ethertype and via are for tunnel types");
		return false;
	}
	return true;
}

static int
port_add(int argc, char **argv)
{
	struct port_req req = { .spec.name = NULL };
	struct ovsdp_tunnel_info tinfo;
	struct ovsdp_vport_info info;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	bool json = false;
	int r;

	if (!tool_parse(&argc, &argv, "DP IFACE[,type=TYPE][,dst_port=N][,port_no=N][,upcall_pid=N]"
			"[,gbp][,ethertype=N][,via=auto|rtnetlink|legacy]",
			"Add a port to datapath DP, as ovs-dpctl add-if does.\n\n"
			"TYPE is netdev (an existing device, the default), internal (a new device),\n"
			"or a tunnel: vxlan, geneve, gre, ip6gre, erspan, ip6erspan or bareudp.  A\n"
			"tunnel is made as upstream Open vSwitch makes it: an external-mode device\n"
			"named IFACE created over rtnetlink and added as a netdev port; the key and\n"
			"the remote come from set(tunnel(...)) actions.  via=legacy asks for the\n"
			"kernel's old tunnel vport (vxlan, geneve, gre; gone in Linux 7), via=auto\n"
			"(the default) falls back to it where the kernel lacks the device type.\n"
			"dst_port is the UDP port (vxlan 4789, geneve 6081 by default; bareudp needs\n"
			"one), gbp turns on vxlan's group policy extension, ethertype is bareudp's\n"
			"payload (needed, e.g. 0x0800).  port_no asks for a port number;\n"
			"upcall_pid points the port's misses at a netlink socket.\n\n"
			"Example: ovsdp port add dp0 vx0,type=vxlan,dst_port=4790,gbp", NULL, &json))
		return OVSDP_EXIT_USAGE;
	if (argc != 3)
		return tool_fail("port add takes DP and IFACE[,options] (see --help)"),
		       OVSDP_EXIT_USAGE;
	if (!parse_port_spec(argv[2], &req)) {
		g_free(req.name);
		return OVSDP_EXIT_USAGE;
	}
	if (ovsdp_dp_open(argv[1], &dp, &err) < 0) {
		g_free(req.name);
		return tool_fail_error(err);
	}
	if (req.tun.kind)
		r = ovsdp_tunnel_add(dp, &req.tun, &info, &tinfo, &err);
	else
		r = ovsdp_vport_add(dp, &req.spec, &info, &err);
	ovsdp_dp_close(dp);
	g_free(req.name);
	if (r < 0)
		return tool_fail_error(err);
	if (json) {
		struct json *j = json_new();

		json_vport(j, &info);
		json_finish(j, stdout);
	} else if (req.tun.kind) {
		printf("port %u: %s (%s via %s)\n", info.port_no, info.name,
		       ovsdp_tunnel_kind_str(tinfo.kind), ovsdp_tunnel_via_str(tinfo.via));
	} else {
		printf("port %u: %s\n", info.port_no, info.name);
	}
	return 0;
}

static int
port_del(int argc, char **argv)
{
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	unsigned long no;
	int r;

	if (!tool_parse(&argc, &argv, "DP IFACE|PORT_NO",
			"Remove a port (by name or number) from datapath DP.  An internal or\n"
			"tunnel port's device goes with it (a tunnel device ovsdp created over\n"
			"rtnetlink too); a netdev port's device stays.", NULL, NULL))
		return OVSDP_EXIT_USAGE;
	if (argc != 3)
		return tool_fail("port del takes DP and a port (see --help)"), OVSDP_EXIT_USAGE;
	if (ovsdp_dp_open(argv[1], &dp, &err) < 0)
		return tool_fail_error(err);
	if (parse_uint(argv[2], 65535, &no))
		r = ovsdp_vport_del(dp, (uint32_t)no, &err);
	else
		r = ovsdp_vport_del_by_name(dp, argv[2], &err);
	ovsdp_dp_close(dp);
	return r < 0 ? tool_fail_error(err) : 0;
}

/* "    tunnel: vxlan via rtnetlink, device vxlan (ovsdp's), external, dst_port:4789" */
static void
print_tunnel(const struct ovsdp_vport_info *p)
{
	struct ovsdp_tunnel_info t;

	if (ovsdp_tunnel_get(p, &t, NULL) != 1)
		return;
	printf("    tunnel: %s via %s", ovsdp_tunnel_kind_str(t.kind), ovsdp_tunnel_via_str(t.via));
	if (t.device_kind[0])
		printf(", device %s%s", t.device_kind, t.ours ? " (ovsdp's)" : "");
	printf(", %s", t.external ? "external" : "not external (not usable by flows)");
	if (t.has_dst_port)
		printf(", dst_port:%u", t.dst_port);
	if (t.gbp)
		printf(", gbp");
	if (t.kind == OVSDP_TUNNEL_BAREUDP)
		printf(", ethertype:0x%04x", t.ethertype);
	printf("\n");
}

static void
print_port(struct ovsdp_dp *dp, const struct ovsdp_vport_info *p)
{
	g_autofree char *suffix = port_suffix(p);
	uint32_t pids[64];
	int n = ovsdp_vport_get_upcall_pids(dp, p->port_no, pids, G_N_ELEMENTS(pids), NULL);

	printf("port %u: %s (%s)\n", p->port_no, p->name,
	       suffix ? suffix : ovsdp_vport_type_str(p->type));
	printf("    ifindex:%d upcall pids:", p->ifindex);
	for (int i = 0; i < n && i < (int)G_N_ELEMENTS(pids); i++)
		printf("%s%u", i ? "," : "", pids[i]);
	if (n > (int)G_N_ELEMENTS(pids))
		printf(",... (%d)", n);
	printf("\n");
	print_vport_stats(p);
	print_tunnel(p);
}

static int
port_show(int argc, char **argv)
{
	struct ovsdp_vport_info *ports = NULL;
	struct ovsdp_dp *dp = NULL;
	struct json *j = NULL;
	GError *err = NULL;
	bool json = false;
	int n, rc = 0;

	if (!tool_parse(&argc, &argv, "DP [IFACE|PORT_NO...]",
			"Show the ports of datapath DP (all, or those named): type, ifindex,\n"
			"upcall pids, counters and, on Linux 6.2+, upcall success/failure counts.",
			NULL, &json))
		return OVSDP_EXIT_USAGE;
	if (argc < 2)
		return tool_fail("port show takes DP (see --help)"), OVSDP_EXIT_USAGE;
	if (ovsdp_dp_open(argv[1], &dp, &err) < 0)
		return tool_fail_error(err);
	if (argc == 2) {
		n = ovsdp_vport_list(dp, &ports, &err);
		if (n < 0) {
			ovsdp_dp_close(dp);
			return tool_fail_error(err);
		}
	} else {
		n = 0;
		ports = g_new0(struct ovsdp_vport_info, (size_t)argc - 2);
		for (int i = 2; i < argc; i++) {
			unsigned long no;
			int r = parse_uint(argv[i], 65535, &no)
				? ovsdp_vport_get(dp, (uint32_t)no, &ports[n], &err)
				: ovsdp_vport_get_by_name(dp, argv[i], &ports[n], &err);

			if (r < 0) {
				rc = tool_fail_error(err);
				err = NULL;
			} else {
				n++;
			}
		}
	}
	if (json) {
		j = json_new();
		json_object_begin(j);
		json_kv_string(j, "datapath", ovsdp_dp_name(dp));
		json_kv_array_begin(j, "ports");
		for (int i = 0; i < n; i++)
			json_vport(j, &ports[i]);
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	} else {
		for (int i = 0; i < n; i++)
			print_port(dp, &ports[i]);
	}
	g_free(ports);
	ovsdp_dp_close(dp);
	return rc;
}

const struct ovsdp_cmd port_cmds[] = {
	{ "add", port_add, "add a port or tunnel: add DP IFACE[,type=T][,dst_port=N][,port_no=N]...", NULL },
	{ "del", port_del, "remove a port: del DP IFACE|PORT_NO", NULL },
	{ "show", port_show, "show ports: show DP [IFACE|PORT_NO...]", NULL },
	{ NULL, NULL, NULL, NULL },
};
