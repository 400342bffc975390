/* test-dispatch-header.c: <ovsdp/dispatch.h> compiled alone (it is the
 * first and only project include, and its directory the only project
 * include directory: no glib, no libnl) as C99 -pedantic, C11 and, through
 * test-dispatch-header.cc, C++17.  Each build prints the ABI layout it sees;
 * check-dispatch-layout compares them, since a plugin in any of these
 * languages must agree with the host byte for byte.  It also checks the
 * struct_size rule with a table shorter than the header's. */
#include <ovsdp/dispatch.h>

#include <stdio.h>
#include <string.h>

#define OFF(type, m) printf(" %s=%u", #m, (unsigned int)offsetof(struct type, m))

static int
probe_ok(const struct ovsdp_dispatch_features *f, char *reason, size_t len)
{
	(void)f;
	(void)reason;
	(void)len;
	return 0;
}

int
main(void)
{
	struct ovsdp_dispatch_vtable vt;
	struct ovsdp_dispatch_descriptor d;
	int failures = 0;

	memset(&vt, 0, sizeof vt);
	vt.struct_size = (uint32_t)sizeof vt;
	vt.probe = probe_ok;
	vt.describe = NULL;
	memset(&d, 0, sizeof d);
	d.abi_major = OVSDP_DISPATCH_ABI_MAJOR;
	d.abi_minor = OVSDP_DISPATCH_ABI_MINOR;
	d.struct_size = (uint32_t)sizeof d;
	d.name = "header";
	d.vtable = &vt;

	/* The positional form C++ before C++20 needs. */
	{
		static const struct ovsdp_dispatch_descriptor positional = {
			OVSDP_DISPATCH_DESCRIPTOR_INIT, "positional", "C++98 style", NULL, NULL
		};

		if (positional.abi_major != OVSDP_DISPATCH_ABI_MAJOR ||
		    positional.abi_minor != OVSDP_DISPATCH_ABI_MINOR ||
		    positional.struct_size != sizeof positional ||
		    strcmp(positional.name, "positional") != 0)
			failures++;
	}

	/* The initialisers a C++ plugin uses instead of a positional list. */
	{
		struct ovsdp_dispatch_vtable made = ovsdp_dispatch_vtable_make();
		struct ovsdp_dispatch_descriptor dm;

		made.probe = probe_ok;
		dm = ovsdp_dispatch_descriptor_make("made", "from helpers", &made, NULL);
		if (made.struct_size != sizeof made || made.create != NULL || made.recv != NULL ||
		    dm.abi_major != OVSDP_DISPATCH_ABI_MAJOR ||
		    dm.abi_minor != OVSDP_DISPATCH_ABI_MINOR || dm.struct_size != sizeof dm ||
		    dm.vtable != &made || dm.options != NULL || strcmp(dm.name, "made") != 0)
			failures++;
	}

	/* The families accessor steps by the host's element size, and stops
	 * at the end or when the view is too short to have families. */
	{
		struct big_family {
			struct ovsdp_dispatch_family f;
			uint64_t added_by_a_later_minor;
		} fams[2];
		struct ovsdp_dispatch_features fv;
		const struct ovsdp_dispatch_family *got;

		memset(fams, 0, sizeof fams);
		memset(&fv, 0, sizeof fv);
		fams[0].f.struct_size = fams[1].f.struct_size = (uint32_t)sizeof fams[0];
		fams[0].f.name = "ovs_datapath";
		fams[1].f.name = "ovs_vport";
		fv.struct_size = (uint32_t)sizeof fv;
		fv.n_families = 2;
		fv.families = &fams[0].f;
		got = ovsdp_dispatch_features_family(&fv, 1);
		if (!got || strcmp(got->name, "ovs_vport") != 0 ||
		    ovsdp_dispatch_features_family(&fv, 2) != NULL)
			failures++;
		fv.struct_size = (uint32_t)offsetof(struct ovsdp_dispatch_features, families);
		if (ovsdp_dispatch_features_family(&fv, 0) != NULL)
			failures++;
	}

	/* The rule every host follows before a call. */
	if (!OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d.vtable, probe))
		failures++;
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d.vtable, describe))
		failures++;          /* NULL: not implemented */
	vt.describe = NULL;
	vt.struct_size = (uint32_t)offsetof(struct ovsdp_dispatch_vtable, create);
	vt.create = NULL;
	if (!OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_vtable, &vt, probe) ||
	    OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_vtable, &vt, create))
		failures++;          /* an older, shorter table */
	if (!OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_descriptor, &d, options))
		failures++;
	if (d.struct_size < OVSDP_DISPATCH_DESCRIPTOR_MIN_SIZE ||
	    OVSDP_DISPATCH_VTABLE_MIN_SIZE > sizeof vt)
		failures++;

	printf("abi %d.%d\n", OVSDP_DISPATCH_ABI_MAJOR, OVSDP_DISPATCH_ABI_MINOR);
	printf("descriptor size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_descriptor));
	OFF(ovsdp_dispatch_descriptor, abi_major);
	OFF(ovsdp_dispatch_descriptor, abi_minor);
	OFF(ovsdp_dispatch_descriptor, struct_size);
	OFF(ovsdp_dispatch_descriptor, name);
	OFF(ovsdp_dispatch_descriptor, description);
	OFF(ovsdp_dispatch_descriptor, vtable);
	OFF(ovsdp_dispatch_descriptor, options);
	printf("\nvtable size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_vtable));
	OFF(ovsdp_dispatch_vtable, probe);
	OFF(ovsdp_dispatch_vtable, create);
	OFF(ovsdp_dispatch_vtable, destroy);
	OFF(ovsdp_dispatch_vtable, recv_set);
	OFF(ovsdp_dispatch_vtable, handlers_set);
	OFF(ovsdp_dispatch_vtable, number_handlers_required);
	OFF(ovsdp_dispatch_vtable, port_added);
	OFF(ovsdp_dispatch_vtable, port_deleted);
	OFF(ovsdp_dispatch_vtable, port_get_pid);
	OFF(ovsdp_dispatch_vtable, wait_fd);
	OFF(ovsdp_dispatch_vtable, recv);
	OFF(ovsdp_dispatch_vtable, recv_purge);
	OFF(ovsdp_dispatch_vtable, stats);
	OFF(ovsdp_dispatch_vtable, describe);
	printf("\nhost size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_host));
	OFF(ovsdp_dispatch_host, abi_major);
	OFF(ovsdp_dispatch_host, abi_minor);
	OFF(ovsdp_dispatch_host, log);
	OFF(ovsdp_dispatch_host, option);
	OFF(ovsdp_dispatch_host, features);
	OFF(ovsdp_dispatch_host, dp_name);
	OFF(ovsdp_dispatch_host, port_list);
	OFF(ovsdp_dispatch_host, usock_open);
	OFF(ovsdp_dispatch_host, usock_close);
	OFF(ovsdp_dispatch_host, usock_portid);
	OFF(ovsdp_dispatch_host, usock_fd);
	OFF(ovsdp_dispatch_host, usock_recv);
	OFF(ovsdp_dispatch_host, usock_purge);
	OFF(ovsdp_dispatch_host, vport_set_upcall_pids);
	OFF(ovsdp_dispatch_host, dp_set_per_cpu_pids);
	printf("\nmsg size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_msg));
	OFF(ovsdp_dispatch_msg, data);
	OFF(ovsdp_dispatch_msg, size);
	OFF(ovsdp_dispatch_msg, len);
	OFF(ovsdp_dispatch_msg, portid);
	OFF(ovsdp_dispatch_msg, flags);
	printf("\nstats size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_stats));
	OFF(ovsdp_dispatch_stats, n_handlers);
	OFF(ovsdp_dispatch_stats, n_sockets);
	OFF(ovsdp_dispatch_stats, n_upcalls);
	OFF(ovsdp_dispatch_stats, n_empty);
	OFF(ovsdp_dispatch_stats, n_overruns);
	printf("\noption size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_option));
	OFF(ovsdp_dispatch_option, values);
	OFF(ovsdp_dispatch_option, default_value);
	OFF(ovsdp_dispatch_option, help);
	printf("\nfeatures size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_features));
	OFF(ovsdp_dispatch_features, per_cpu_dispatch);
	OFF(ovsdp_dispatch_features, per_cpu_errno);
	OFF(ovsdp_dispatch_features, rejects_unknown_features);
	OFF(ovsdp_dispatch_features, cpu_ids);
	OFF(ovsdp_dispatch_features, cpus_online);
	OFF(ovsdp_dispatch_features, cpus_affinity);
	OFF(ovsdp_dispatch_features, datapath_available);
	OFF(ovsdp_dispatch_features, datapath_probed);
	OFF(ovsdp_dispatch_features, vport_upcall_stats);
	OFF(ovsdp_dispatch_features, execute_upcall_pid);
	OFF(ovsdp_dispatch_features, epoll_exclusive);
	OFF(ovsdp_dispatch_features, kernel_release);
	OFF(ovsdp_dispatch_features, probe_error);
	OFF(ovsdp_dispatch_features, affinity_list);
	OFF(ovsdp_dispatch_features, affinity_cpus);
	OFF(ovsdp_dispatch_features, n_affinity_cpus);
	OFF(ovsdp_dispatch_features, n_families);
	OFF(ovsdp_dispatch_features, families);
	printf("\nfamily size=%u", (unsigned int)sizeof(struct ovsdp_dispatch_family));
	OFF(ovsdp_dispatch_family, id);
	OFF(ovsdp_dispatch_family, version);
	OFF(ovsdp_dispatch_family, maxattr);
	OFF(ovsdp_dispatch_family, name);
	OFF(ovsdp_dispatch_family, required);
	OFF(ovsdp_dispatch_family, present);
	printf("\nlog levels %d %d %d %d\n", OVSDP_DISPATCH_LOG_ERR, OVSDP_DISPATCH_LOG_WARNING,
	       OVSDP_DISPATCH_LOG_INFO, OVSDP_DISPATCH_LOG_DEBUG);
	if (failures)
		fprintf(stderr, "%d struct_size rule checks failed\n", failures);
	return failures ? 1 : 0;
}
