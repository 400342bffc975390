/* control.c: the control protocol of ovsdpd (see control.h): request
 * framing, the listening socket with its permissions, and the client's
 * round trip with a deadline so a stuck daemon cannot hang `ovsdp ctl`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ovsdp/common.h"
#include "control.h"

int
control_request_frame(const guint8 *data, size_t len, char **line, char **why)
{
	const guint8 *nl = memchr(data, '\n', len), *bad;
	size_t n = nl ? (size_t)(nl - data) : len;

	*line = NULL;
	*why = NULL;
	if (!nl && len < CONTROL_REQUEST_MAX)
		return 0;
	if (n + 1 > CONTROL_REQUEST_MAX)
		*why = g_strdup_printf("longer than %d bytes", CONTROL_REQUEST_MAX);
	else if ((bad = memchr(data, '\0', n)))
		*why = g_strdup_printf("a NUL byte at offset %zu of the request line",
				       (size_t)(bad - data));
	else if ((bad = memchr(data, '\r', n)))
		*why = g_strdup_printf("a carriage return at offset %zu of the request line (end "
				       "it with a bare newline)", (size_t)(bad - data));
	else if (len > n + 1)
		*why = g_strdup_printf("%zu bytes after the request line (one request per "
				       "connection)", len - n - 1);
	if (*why)
		return -1;
	*line = g_strndup((const char *)data, n);
	return 1;
}

bool
control_request_parse(const char *line, bool *json, char ***argv, char **why)
{
	g_auto(GStrv) words = NULL;
	GPtrArray *out;

	*argv = NULL;
	*why = NULL;
	if (!g_utf8_validate(line, -1, NULL)) {
		*why = g_strdup("the request is not UTF-8 text");
		return false;
	}
	words = g_strsplit_set(line, " \t", -1);
	out = g_ptr_array_new();
	for (char **w = words; *w; w++) {
		if (**w)
			g_ptr_array_add(out, g_strdup(*w));
	}
	g_ptr_array_add(out, NULL);
	if (out->len < 3) {
		*why = g_strdup("empty request (expected: text|json COMMAND [ARGS])");
		g_strfreev((char **)g_ptr_array_free(out, FALSE));
		return false;
	}
	if (out->len - 1 > CONTROL_ARGS_MAX) {
		*why = g_strdup_printf("too many words in the request (at most %d)", CONTROL_ARGS_MAX);
		g_strfreev((char **)g_ptr_array_free(out, FALSE));
		return false;
	}
	if (strcmp(out->pdata[0], "text") && strcmp(out->pdata[0], "json")) {
		*why = g_strdup_printf("unknown reply format '%s' (expected text or json)",
				       (char *)out->pdata[0]);
		g_strfreev((char **)g_ptr_array_free(out, FALSE));
		return false;
	}
	*json = !strcmp(out->pdata[0], "json");
	g_free(out->pdata[0]);
	g_ptr_array_remove_index(out, 0);
	*argv = (char **)g_ptr_array_free(out, FALSE);
	return true;
}

char *
control_request_format(bool json, const char *const *argv)
{
	GString *s = g_string_new(json ? "json" : "text");

	for (const char *const *a = argv; a && *a; a++) {
		if (!**a || strpbrk(*a, " \t\r\n")) {
			g_string_free(s, TRUE);
			return NULL;
		}
		g_string_append_printf(s, " %s", *a);
	}
	g_string_append_c(s, '\n');
	if (s->len > CONTROL_REQUEST_MAX) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

static int
fill_addr(const char *path, struct sockaddr_un *sun, GError **error)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (!*path) {
		/* connect() would say "nothing listens" about "" */
		g_set_error(error, OVSDP_ERROR, EINVAL, "the socket path is empty");
		return -1;
	}
	if (strlen(path) >= sizeof sun->sun_path) {
		g_set_error(error, OVSDP_ERROR, ENAMETOOLONG,
			    "%s: socket path longer than %zu bytes", path, sizeof sun->sun_path - 1);
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* Is a daemon answering at 'path'? */
static bool
socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
	close(fd);
	return alive;
}

int
control_listen(const char *path, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd, e;

	if (fill_addr(path, &sun, error) < 0)
		return -1;
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		e = errno;
		g_set_error(error, OVSDP_ERROR, e, "cannot create %s: %s", dir, g_strerror(e));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			g_set_error(error, OVSDP_ERROR, EEXIST,
				    "%s exists and is not a socket: refusing to replace it", path);
			return -1;
		}
		if (socket_alive(&sun)) {
			g_set_error(error, OVSDP_ERROR, EADDRINUSE,
				    "%s: another ovsdpd is listening there", path);
			return -1;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		e = errno;
		g_set_error(error, OVSDP_ERROR, e, "socket: %s", g_strerror(e));
		return -1;
	}
	/* The umask makes the file 0600 from birth; chmod below is for a
	 * umask that would have been stricter than ours. */
	old = umask(0177);
	e = bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ? errno : 0;
	umask(old);
	if (!e && chmod(path, 0600) < 0)
		e = errno;
	if (!e && listen(fd, CONTROL_LISTEN_BACKLOG) < 0)
		e = errno;
	if (e) {
		g_set_error(error, OVSDP_ERROR, e, "%s: %s", path, g_strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

uid_t
control_peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred)
		return (uid_t)-1;
	return cred.uid;
}

int
control_wait(int fd, short events, gint64 deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)MIN(left, G_MAXINT));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Why control_request_format() refused argv: the first empty word, the
 * first word with white space, or the line's length. */
static void
request_refused(bool json, const char *const *argv, GError **error)
{
	size_t len = strlen(json ? "json" : "text") + 1;
	unsigned int i = 1;

	for (const char *const *a = argv; a && *a; a++, i++) {
		if (!**a) {
			g_set_error(error, OVSDP_ERROR, EINVAL, "word %u of the command is empty", i);
			return;
		}
		if (strpbrk(*a, " \t\r\n")) {
			g_set_error(error, OVSDP_ERROR, EINVAL,
				    "word %u of the command ('%.64s%s') holds white space", i, *a,
				    strlen(*a) > 64 ? "..." : "");
			return;
		}
		len += strlen(*a) + 1;
	}
	g_set_error(error, OVSDP_ERROR, E2BIG,
		    "the command is %zu bytes long, over the %d bytes of a request line", len,
		    CONTROL_REQUEST_MAX);
}

int
control_call(const char *path, bool json, const char *const *argv, int timeout_ms, bool *ok,
	     char **body, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	g_autofree char *req = control_request_format(json, argv);
	g_autoptr(GByteArray) reply = g_byte_array_new();
	struct sockaddr_un sun;
	size_t sent = 0;
	char *nl;
	int fd, e;

	*body = NULL;
	*ok = false;
	if (!req) {
		request_refused(json, argv, error);
		return -1;
	}
	if (fill_addr(path, &sun, error) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		g_set_error(error, OVSDP_ERROR, e, "socket: %s", g_strerror(e));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		e = errno;
		if (e == ENOENT)
			g_set_error(error, OVSDP_ERROR, e,
				    "cannot connect to %s: no such socket (is ovsdpd running?)", path);
		else if (e == EACCES || e == EPERM)
			g_set_error(error, OVSDP_ERROR, EACCES,
				    "cannot connect to %s: permission denied (run as root or as "
				    "ovsdpd's user)", path);
		else if (e == ECONNREFUSED)
			g_set_error(error, OVSDP_ERROR, e,
				    "cannot connect to %s: nothing listens there (ovsdpd is not running)",
				    path);
		else
			g_set_error(error, OVSDP_ERROR, e, "cannot connect to %s: %s", path,
				    g_strerror(e));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (sent < strlen(req)) {
		ssize_t n = send(fd, req + sent, strlen(req) - sent, MSG_NOSIGNAL);

		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			e = -control_wait(fd, POLLOUT, deadline);
			if (!e)
				continue;
		} else {
			e = n < 0 ? errno : EPIPE;
		}
		g_set_error(error, OVSDP_ERROR, e, "%s: sending the request: %s", path, g_strerror(e));
		close(fd);
		return -1;
	}
	for (;;) {
		uint8_t buf[4096];
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n > 0) {
			g_byte_array_append(reply, buf, (guint)n);
			continue;
		}
		if (n == 0)
			break;
		if (errno == EAGAIN || errno == EINTR) {
			e = -control_wait(fd, POLLIN, deadline);
			if (!e)
				continue;
		} else {
			e = errno;
		}
		g_set_error(error, OVSDP_ERROR, e, "%s: reading the reply: %s%s", path, g_strerror(e),
			    e == ETIMEDOUT ? " (the daemon did not answer)" : "");
		close(fd);
		return -1;
	}
	close(fd);
	g_byte_array_append(reply, (const guint8 *)"", 1);
	nl = strchr((char *)reply->data, '\n');
	if (!nl) {
		g_set_error(error, OVSDP_ERROR, EPROTO, "%s: the daemon closed the connection "
			    "without a reply", path);
		return -1;
	}
	*nl = '\0';
	if (!strcmp((char *)reply->data, CONTROL_OK))
		*ok = true;
	else if (strcmp((char *)reply->data, CONTROL_ERROR)) {
		g_set_error(error, OVSDP_ERROR, EPROTO, "%s: unexpected reply '%.40s'", path,
			    (char *)reply->data);
		return -1;
	}
	*body = g_strdup(nl + 1);
	return 0;
}
