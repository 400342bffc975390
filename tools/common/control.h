/* control.h: the control protocol between ovsdpd and `ovsdp ctl`: a unix
 * stream socket, one request line per connection ("text|json CMD ARGS"),
 * one reply ("ok" or "error" on the first line, then the body), then the
 * server closes.  Shared by the server (daemon-control.c) and the client. */
#ifndef OVSDP_TOOLS_CONTROL_H
#define OVSDP_TOOLS_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* Where ovsdpd listens unless its config says otherwise. */
#define CONTROL_SOCKET_DEFAULT "/run/ovsdp/ovsdpd.sock"
/* Longest request line, newline included.  A longer one, or one with a NUL
 * or a carriage return in it, is refused with an error reply. */
#define CONTROL_REQUEST_MAX 1024
/* Connections the daemon serves at once; the next ones wait in the listen
 * queue (CONTROL_LISTEN_BACKLOG deep) until one of them closes. */
#define CONTROL_CONNECTIONS_MAX 64
#define CONTROL_LISTEN_BACKLOG 128
/* How long the daemon stops accepting when accept() fails for want of file
 * descriptors (EMFILE, ENFILE) or memory. */
#define CONTROL_ACCEPT_BACKOFF_MS 500
/* Words in a request (format and command included). */
#define CONTROL_ARGS_MAX 8
/* How long either side waits for the other (a live switch can take a few
 * seconds while the old dispatcher drains). */
#define CONTROL_CLIENT_TIMEOUT_MS 60000
/* The server's deadline for a whole request line, and again for the client
 * to read the reply (a command that waits has no deadline of its own: the
 * runtime bounds a switch's drain). */
#define CONTROL_SERVER_TIMEOUT_MS 5000

/* `ovsdp ctl` exit code when the daemon cannot be reached. */
#define CONTROL_EXIT_CONNECT 3

/* Reply status words. */
#define CONTROL_OK "ok"
#define CONTROL_ERROR "error"

/* Framing: are the 'len' bytes received so far on a connection one whole
 * request line?  Returns 1 with *line (g_free, without its newline) when
 * they are, 0 when more bytes may complete it, -1 with *why (g_free) when
 * they are refused: longer than CONTROL_REQUEST_MAX, a NUL or a carriage
 * return in the line, or bytes after its newline. */
int control_request_frame(const guint8 *data, size_t len, char **line, char **why);

/* Split a request line (without its newline) into its format and words.
 * Returns true with *json and *argv (g_strfreev; argv[0] is the command),
 * or false with *why (g_free) saying what is wrong with it. */
bool control_request_parse(const char *line, bool *json, char ***argv, char **why);

/* Build the request line for argv (NULL-terminated), newline included.
 * Words may not contain spaces or newlines: returns NULL then. */
char *control_request_format(bool json, const char *const *argv);

/* Create the listening socket at 'path': its directory is created (0755)
 * when missing, a stale socket file is replaced, a live one (another
 * daemon answers) is an error; the socket file gets mode 0600.  Returns
 * the non-blocking fd or -1 with *error. */
int control_listen(const char *path, GError **error);

/* The peer's uid, or (uid_t)-1 when SO_PEERCRED fails. */
uid_t control_peer_uid(int fd);

/* Wait until fd is ready for 'events' (poll), up to 'deadline' (monotonic
 * time, g_get_monotonic_time()): 0, -ETIMEDOUT or -errno. */
int control_wait(int fd, short events, gint64 deadline);

/* Client: send one request and read the whole reply.  Returns 0 with *ok
 * (the daemon's status) and *body (g_free), or -1 with *error whose code
 * is ENOENT (no socket), EACCES (permission denied), ECONNREFUSED
 * (nothing listens), ETIMEDOUT or EPROTO (the reply made no sense), or,
 * before any connection, EINVAL (an empty word or one with white space, or
 * an empty 'path'), ENAMETOOLONG (a 'path' sockaddr_un cannot hold) or
 * E2BIG (longer than CONTROL_REQUEST_MAX), the message naming which. */
int control_call(const char *path, bool json, const char *const *argv, int timeout_ms,
		 bool *ok, char **body, GError **error);

#endif
