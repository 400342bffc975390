/* daemon-handover.c: restarts of ovsdpd that lose no upcall.  The upcall
 * sockets outlive the process: the running daemon stops its handlers after
 * their batch and hands the sockets over, the kernel keeps sending to their
 * port ids, frames queue in their buffers, and the next daemon reads them.
 * Two ways: `ovsdpd --takeover` asks the running daemon over its control
 * socket and receives the fds with SCM_RIGHTS; under systemd (--fd-store)
 * the daemon puts them in the service's file descriptor store at stop and
 * the restarted one gets them back in LISTEN_FDS/LISTEN_FDNAMES. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "control.h"
#include "daemon.h"

/* Descriptors in one SCM_RIGHTS message (the kernel's SCM_MAX_FD is 253). */
#define HANDOVER_FDS_PER_MSG 250
/* How long either side waits for the other during a takeover. */
#define HANDOVER_TIMEOUT_MS 30000

/* Upcalls this daemon delivered through all its dispatchers (the
 * dispatchers' counts: the handlers' go with their threads). */
static uint64_t
handled(struct daemon *d)
{
	struct ovsdp_handlers_stats *st = NULL;
	uint64_t n = 0;

	if (ovsdp_handlers_stats_new(d->hs, &st) < 0)
		return 0;
	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_shares(st); i++)
		n += ovsdp_handlers_stats_share_upcalls(st, i);
	ovsdp_handlers_stats_free(st);
	return n;
}

/* All open plugin sockets (g_free), *n of them. */
static struct ovsdp_upcall_sock_entry *
list_sockets(unsigned int *n)
{
	struct ovsdp_upcall_sock_entry *e = NULL;
	int count = ovsdp_upcall_socks_list(NULL, 0), got;

	for (;;) {
		e = g_renew(struct ovsdp_upcall_sock_entry, e, (gsize)MAX(count, 1));
		got = ovsdp_upcall_socks_list(e, (unsigned int)count);
		if (got <= count)
			break;
		count = got;
	}
	*n = (unsigned int)got;
	return e;
}

/* Send 'len' bytes with 'nfds' descriptors attached, whole. */
static int
send_with_fds(int sock, const char *buf, size_t len, const int *fds, unsigned int nfds,
	      gint64 deadline)
{
	size_t sent = 0;

	while (sent < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * HANDOVER_FDS_PER_MSG)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = (char *)buf + sent, .iov_len = len - sent };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r;
		int e;

		if (sent == 0 && nfds) {
			struct cmsghdr *c;

			memset(&ctl, 0, sizeof ctl);
			m.msg_control = ctl.buf;
			m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		r = sendmsg(sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0) {
			sent += (size_t)r;
			continue;
		}
		e = r < 0 ? errno : EPIPE;
		if (e == EAGAIN || e == EINTR) {
			if ((e = -control_wait(sock, POLLOUT, deadline)) == 0)
				continue;
		}
		return -e;
	}
	return 0;
}

int
daemon_handover_send(struct daemon *d, int sock, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)HANDOVER_TIMEOUT_MS * 1000;
	g_autofree struct ovsdp_upcall_sock_entry *e = NULL;
	g_autoptr(GString) head = g_string_new(NULL);
	unsigned int n;
	int r;

	/* The handlers finish their batch and stop; from here the kernel's
	 * upcalls wait on the sockets for the successor. */
	ovsdp_handlers_detach(d->hs);
	d->handed_over = true;
	d->handover_stopped_us = g_get_monotonic_time();
	e = list_sockets(&n);
	g_string_printf(head, CONTROL_OK "\nstopped-us %" G_GINT64_FORMAT "\nsockets %u\n",
			d->handover_stopped_us, n);
	r = send_with_fds(sock, head->str, head->len, NULL, 0, deadline);
	/* One line of names with each batch of descriptors. */
	for (unsigned int i = 0; r == 0 && i < n; i += HANDOVER_FDS_PER_MSG) {
		unsigned int k = MIN(n - i, HANDOVER_FDS_PER_MSG);
		g_autoptr(GString) names = g_string_new(NULL);
		int fds[HANDOVER_FDS_PER_MSG];

		for (unsigned int j = 0; j < k; j++) {
			fds[j] = e[i + j].fd;
			g_string_append_printf(names, "%s%s", j ? " " : "", e[i + j].name);
		}
		g_string_append_c(names, '\n');
		r = send_with_fds(sock, names->str, names->len, fds, k, deadline);
	}
	if (r < 0) {
		g_set_error(error, OVSDP_ERROR, -r, "handing over %u upcall sockets: %s", n,
			    g_strerror(-r));
		return r;
	}
	g_message("takeover: handed %u upcall sockets of %s to the new ovsdpd after handling %"
		  G_GUINT64_FORMAT " upcalls; stopping", n, d->cfg->dp_name, handled(d));
	return (int)n;
}

/* Offer one inherited socket; closes it when it is not ours to take. */
static bool
offer(int fd, const char *name)
{
	g_autoptr(GError) err = NULL;

	if (ovsdp_upcall_socks_offer(fd, name, &err) < 0) {
		g_warning("an inherited descriptor: %s (closed)", err->message);
		close(fd);
		return false;
	}
	return true;
}

int
daemon_handover_receive(struct daemon *d, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)HANDOVER_TIMEOUT_MS * 1000;
	const char *path = d->cfg->control_socket;
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
	g_auto(GStrv) lines = NULL;
	const char *req = "text takeover\n";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	unsigned int n_names = 0, want = 0, offered = 0;
	gint64 stopped = 0;
	int sock, r = 0;

	if (strlen(path) >= sizeof sun.sun_path) {
		g_set_error(error, OVSDP_ERROR, ENAMETOOLONG, "--takeover: %s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sun, sizeof sun) < 0) {
		r = -errno;
		g_set_error(error, OVSDP_ERROR, -r, "--takeover: cannot reach the running ovsdpd "
			    "at %s: %s", path, g_strerror(-r));
		if (sock >= 0)
			close(sock);
		return r;
	}
	if (send(sock, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		r = -errno;
		goto out;
	}
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * HANDOVER_FDS_PER_MSG)];
			struct cmsghdr align;
		} ctl;
		char buf[4096];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
		ssize_t got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

		if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((r = control_wait(sock, POLLIN, deadline)) < 0)
				goto out;
			continue;
		}
		if (got < 0) {
			r = -errno;
			goto out;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				g_array_append_vals(fds, CMSG_DATA(c),
						    (c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		}
		if (m.msg_flags & MSG_CTRUNC) {
			r = -EMSGSIZE;
			goto out;
		}
		if (got == 0)
			break;
		g_string_append_len(text, buf, got);
	}
	lines = g_strsplit(text->str, "\n", -1);
	if (!lines[0] || strcmp(lines[0], CONTROL_OK)) {
		g_set_error(error, OVSDP_ERROR, EPERM, "--takeover: the running ovsdpd refused: %s",
			    lines[0] && lines[1] ? lines[1] : "(no reply)");
		r = -EPERM;
		goto out_fds;
	}
	for (char **l = lines + 1; *l; l++) {
		if (g_str_has_prefix(*l, "stopped-us "))
			stopped = g_ascii_strtoll(*l + 11, NULL, 10);
		else if (g_str_has_prefix(*l, "sockets "))
			want = (unsigned int)g_ascii_strtoull(*l + 8, NULL, 10);
		else if (**l) {
			g_auto(GStrv) names = g_strsplit(*l, " ", -1);

			for (char **nm = names; *nm; nm++, n_names++) {
				if (n_names < fds->len &&
				    offer(g_array_index(fds, int, n_names), *nm))
					offered++;
			}
		}
	}
	if (n_names != fds->len || n_names != want) {
		g_set_error(error, OVSDP_ERROR, EPROTO, "--takeover: the running ovsdpd announced "
			    "%u sockets and sent %u names with %u descriptors", want, n_names,
			    fds->len);
		r = -EPROTO;
		goto out_fds;
	}
	d->handover_stopped_us = stopped;
	g_message("takeover: %u upcall sockets from the running ovsdpd", offered);
	close(sock);
	return (int)offered;

out:
	g_set_error(error, OVSDP_ERROR, -r, "--takeover: talking to the running ovsdpd at %s: %s",
		    path, g_strerror(-r));
out_fds:
	/* Descriptors not offered (those offered belong to the core now). */
	for (guint i = n_names; i < fds->len; i++)
		close(g_array_index(fds, int, i));
	close(sock);
	return r;
}

int
daemon_handover_from_systemd(struct daemon *d)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), offered = 0;

	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		const char *name = names ? names[i] : NULL;

		if (name && g_str_has_prefix(name, "ovsdp/")) {
			if (offer(fd, name))
				offered++;
			/* The store keeps its own copy: empty it now, the sockets
			 * go back in at our stop (under their new names). */
			sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", name);
		} else {
			g_warning("an inherited descriptor %d named '%s' is not an upcall "
				  "socket: closed", fd, name ? name : "(none)");
			close(fd);
		}
	}
	g_strfreev(names);
	if (offered)
		g_message("fd store: %d upcall sockets from systemd", offered);
	return offered;
}

int
daemon_handover_fdstore(struct daemon *d)
{
	g_autofree struct ovsdp_upcall_sock_entry *e = NULL;
	unsigned int n, stored = 0;

	ovsdp_handlers_detach(d->hs);
	d->handed_over = true;
	e = list_sockets(&n);
	for (unsigned int i = 0; i < n; i++) {
		g_autofree char *msg = g_strdup_printf("FDSTORE=1\nFDNAME=%s", e[i].name);
		int r = sd_pid_notify_with_fds(0, 0, msg, &e[i].fd, 1);

		if (r > 0)
			stored++;
		else
			g_warning("fd store: cannot store %s: %s", e[i].name,
				  r < 0 ? g_strerror(-r) : "not under systemd");
	}
	g_message("fd store: %u of %u upcall sockets kept by systemd for the next ovsdpd, after "
		  "handling %" G_GUINT64_FORMAT " upcalls", stored, n, handled(d));
	return (int)stored;
}
