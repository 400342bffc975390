/* handler-thread.c: the handler threads: each waits on the active plugin
 * (its blocking wait, or poll() on wait_fd), receives a batch, parses it,
 * calls the application's callback and sends the replies the callback
 * queued as one batch.  Also the thread pool (grow, shrink, wake) and what
 * a callback may ask of its handler. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "runtime/runtime.h"

/* A handler pauses this long after a failed recv: the plugin may keep
 * failing while its socket stays readable, and poll() would return at once. */
#define RECV_ERROR_BACKOFF_MS 20

#define WARNED_WAIT_FD 0x1u
#define WARNED_RECV 0x2u
#define WARNED_WAIT 0x4u

/* A start, switch or resize waits this long at most for its handlers to
 * be through the new instance's wait once: a handler stuck in the
 * application's callback must not hold the control call for ever. */
#define HANDLERS_ARM_TIMEOUT_MS 5000

void
handlers_wake(int fd)
{
	uint64_t one = 1;
	ssize_t r = write(fd, &one, sizeof one);

	(void)r;
}

void
handlers_wake_all(struct ovsdp_handlers *hs)
{
	pthread_mutex_lock(&hs->lock);
	for (unsigned int i = 0; i < hs->handlers->len; i++)
		handlers_wake(((struct ovsdp_handler *)g_ptr_array_index(hs->handlers, i))->wake_fd);
	pthread_mutex_unlock(&hs->lock);
}

/* Without this, a start returned with handler threads that had not yet
 * run (a loaded host schedules a new thread late): the plugin then met a
 * handler for the first time whenever the thread came round, after the
 * caller went on (per-vport's dup of a wake_fd, made at a handler's first
 * wait, appeared after the caller counted descriptors).  After this every
 * handler of d sleeps in d's wait, or is inside a batch and goes there
 * next. */
void
handlers_wait_armed(struct ovsdp_handlers *hs, struct dispatcher *d)
{
	gint64 deadline = g_get_monotonic_time() + HANDLERS_ARM_TIMEOUT_MS * 1000;
	struct timespec until;

	/* Pull mode has no threads: the application's come when it likes. */
	if (!d || hs->pull)
		return;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += HANDLERS_ARM_TIMEOUT_MS / 1000;
	until.tv_nsec += (HANDLERS_ARM_TIMEOUT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&hs->lock);
	for (;;) {
		unsigned int i;

		for (i = 0; i < hs->handlers->len && i < d->n_handlers; i++)
			if (((struct ovsdp_handler *)g_ptr_array_index(hs->handlers, i))->armed_serial
			    != d->serial)
				break;
		if (i == hs->handlers->len || i == d->n_handlers)
			break;
		if (g_get_monotonic_time() >= deadline) {
			g_log("ovsdp", G_LOG_LEVEL_DEBUG, "%s: dispatcher %s: handler %u not "
			      "through its wait after %d ms (busy in the callback?)", hs->dp_name,
			      d->name, i, HANDLERS_ARM_TIMEOUT_MS);
			break;
		}
		pthread_cond_timedwait(&hs->armed, &hs->lock, &until);
	}
	pthread_mutex_unlock(&hs->lock);
}

/* h has been through the active instance of serial 'serial' once. */
static void
handler_armed(struct ovsdp_handler *h, uint64_t serial)
{
	pthread_mutex_lock(&h->hs->lock);
	h->armed_serial = serial;
	pthread_cond_broadcast(&h->hs->armed);
	pthread_mutex_unlock(&h->hs->lock);
}

/* ---- handler threads ---------------------------------------------------- */

/* Replies the handler could not even queue (no datapath handle) count
 * as sent and failed, without a verdict. */
static void
count_unsendable(struct ovsdp_handler *h)
{
	__atomic_add_fetch(&h->st.replies, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.reply_errors, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.reply_unconfirmed, 1, __ATOMIC_RELAXED);
}

OVSDP_EXPORT int
ovsdp_handler_queue_flow_put(struct ovsdp_handler *h, const struct ovsdp_flow_put *put)
{
	struct ovsdp_op op = { OVSDP_OP_INIT };
	struct ovsdp_dp *dp;
	int r;

	if (!h || !put)
		return -EINVAL;
	dp = ovsdp_handler_dp(h);
	if (!dp) {
		count_unsendable(h);
		return -ENODEV;
	}
	op.type = OVSDP_OP_FLOW_PUT;
	op.put = *put;
	r = ovsdp_batch_add(&h->puts, dp, &op, NULL, h->puts.n, NULL);
	return r;
}

OVSDP_EXPORT int
ovsdp_handler_queue_execute(struct ovsdp_handler *h, const struct ovsdp_execute *ex)
{
	struct ovsdp_op op = { OVSDP_OP_INIT };
	struct ovsdp_dp *dp;

	if (!h || !ex)
		return -EINVAL;
	dp = ovsdp_handler_dp(h);
	if (!dp) {
		count_unsendable(h);
		return -ENODEV;
	}
	op.type = OVSDP_OP_EXECUTE;
	op.execute = *ex;
	return ovsdp_batch_add(&h->execs, dp, &op, NULL, h->execs.n, NULL);
}

/* Send what the callback queued, flow puts first, as one multi-message
 * transaction (more only when the socket's buffers cannot hold it). */
static void
flush_replies(struct ovsdp_handler *h)
{
	struct ovsdp_batch *b = &h->puts;
	g_autoptr(GError) err = NULL;
	unsigned int n, failed, unacked, sends;

	ovsdp_batch_append(b, &h->execs);
	if (b->n == 0)
		return;
	/* Queued requests imply the handle exists. */
	ovsdp_batch_send(h->dp, b, &err);
	n = b->n_done;
	failed = b->failed;
	unacked = b->unacked;
	sends = b->sends;
	if (failed)
		g_log("ovsdp", G_LOG_LEVEL_DEBUG, "%s: handler %u: %u of %u replies failed; "
		      "the first: %s", h->hs->dp_name, h->index, failed, n,
		      err ? err->message : "?");
	/* replies last, released: a reader that sees a flush's replies
	 * (loaded first, acquired) sees its errors and transactions too. */
	__atomic_add_fetch(&h->st.reply_errors, failed, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.reply_unconfirmed, unacked, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.transactions, (uint64_t)sends, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.replies, n, __ATOMIC_RELEASE);
	ovsdp_batch_reset(&h->puts);
	ovsdp_batch_reset(&h->execs);
}

static void
deliver(struct ovsdp_handler *h, int n)
{
	struct ovsdp_handlers *hs = h->hs;
	unsigned int k = 0;

	for (int i = 0; i < n; i++) {
		struct ovsdp_dispatch_msg *m = &h->msgs[i];

		if (m->flags & OVSDP_DISPATCH_MSG_TRUNCATED || m->len > m->size) {
			__atomic_add_fetch(&h->st.truncated, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (ovsdp_upcall_parse(m->data, m->len, hs->packet_family, &h->ups[k], NULL) < 0) {
			__atomic_add_fetch(&h->st.malformed, 1, __ATOMIC_RELAXED);
			continue;
		}
		h->pids[k] = m->portid;
		k++;
	}
	if (k == 0)
		return;
	__atomic_add_fetch(&h->st.upcalls, k, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.batches, 1, __ATOMIC_RELAXED);
	hs->callback(h, h->ups, k, hs->user_data);
	flush_replies(h);
}

/* Log a failing handler-side call once per dispatcher and call: handler
 * threads have no caller to return the error to. */
static void
warn_once(struct ovsdp_handlers *hs, struct dispatcher *d, guint bit, const char *call,
	  unsigned int handler, int err)
{
	if (g_atomic_int_or(&d->warned, bit) & bit)
		return;
	g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: dispatcher %s: %s(handler %u) failed: %s "
	      "(logged once)", hs->dp_name, d->name, call, handler, g_strerror(err < 0 ? -err : err));
}

/* Take d's read lock if d is still one of the runtime's dispatchers. */
static bool
dispatcher_enter(struct ovsdp_handlers *hs, struct dispatcher *d, bool *is_draining,
		 uint64_t *epoch)
{
	bool ok;

	pthread_mutex_lock(&hs->lock);
	ok = d && (d == hs->active || d == hs->draining);
	if (ok) {
		*is_draining = d == hs->draining;
		*epoch = hs->epoch;
		pthread_rwlock_rdlock(&d->lock);
	}
	pthread_mutex_unlock(&hs->lock);
	return ok;
}

/* Wait up to 'ms' for h's wake_fd (a stop, a switch, a control method),
 * leaving it readable for the round that follows. */
static void
pause_unless_woken(struct ovsdp_handler *h, int ms)
{
	struct pollfd pfd = { .fd = h->wake_fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
		g_usleep((gulong)ms * 1000);
}

/* Read what handler h has on d, a few batches at most so that one busy
 * plugin cannot starve the other during a switch.  'woke': d's wait_fd
 * said readable (else finding nothing is no empty wakeup).  Returns the
 * count. */
unsigned int
handler_drain(struct ovsdp_handler *h, struct dispatcher *d, bool woke)
{
	unsigned int total = 0;

	for (int round = 0; round < 8; round++) {
		bool is_draining = false;
		uint64_t epoch = 0;
		uint32_t overruns = 0;
		gint64 looked = 0;
		bool failed;
		int n;

		if (!dispatcher_enter(h->hs, d, &is_draining, &epoch))
			break;
		/* A drain's settle deadline counts looks that began after it. */
		if (is_draining)
			looked = g_get_monotonic_time();
		if (h->index >= d->n_handlers || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, recv)) {
			pthread_rwlock_unlock(&d->lock);
			break;
		}
		for (unsigned int i = 0; i < h->hs->batch; i++) {
			h->msgs[i].data = h->buf + (size_t)i * h->hs->msg_size;
			h->msgs[i].size = h->hs->msg_size;
			h->msgs[i].len = 0;
			h->msgs[i].flags = 0;
		}
		n = d->vt->recv(d->inst, h->index, h->msgs, h->hs->batch, &overruns);
		if (n > 0 && (unsigned int)n > h->hs->batch)
			n = (int)h->hs->batch;
		/* Everything about d is done under its read lock: once it is
		 * released, a draining d may be freed by dispatcher_retire()
		 * as soon as every handler has found it empty once. */
		if (overruns)
			__atomic_add_fetch(&d->overruns, overruns, __ATOMIC_RELAXED);
		if (n > 0)
			__atomic_add_fetch(&d->upcalls, (uint64_t)n, __ATOMIC_RELAXED);
		else if (total == 0 && woke)
			__atomic_add_fetch(&d->empty, 1, __ATOMIC_RELAXED);
		failed = n < 0 && n != -EAGAIN && n != -EINTR;
		if (failed)
			warn_once(h->hs, d, WARNED_RECV, "recv", h->index, n);
		pthread_rwlock_unlock(&d->lock);
		if (failed)
			pause_unless_woken(h, RECV_ERROR_BACKOFF_MS);
		if (n <= 0) {
			if (is_draining) {
				pthread_mutex_lock(&h->hs->lock);
				h->drained_at = looked;
				__atomic_store_n(&h->drained_epoch, epoch, __ATOMIC_RELEASE);
				pthread_cond_broadcast(&h->hs->drained);
				pthread_mutex_unlock(&h->hs->lock);
			}
			break;
		}
		deliver(h, n);
		total += (unsigned int)n;
	}
	return total;
}

bool
handler_take_wakeup(struct ovsdp_handler *h)
{
	uint64_t v;

	return read(h->wake_fd, &v, sizeof v) == (ssize_t)sizeof v;
}

/* One round through the active plugin's blocking 'wait' (ABI 1.1), which
 * lets the plugin sleep in epoll_wait() on its own set, the only way
 * EPOLLEXCLUSIVE wakes one handler per upcall.  Returns false, having done
 * nothing, when this round must poll() instead: no such method, an
 * instance drains (poll() watches both), the index is not the plugin's,
 * or wait failed. */
static bool
wait_round(struct ovsdp_handler *h)
{
	struct ovsdp_handlers *hs = h->hs;
	struct dispatcher *d;
	bool mine = false, woken, armed;
	unsigned int got = 0;
	uint64_t serial;
	int r = 0;

	pthread_mutex_lock(&hs->lock);
	d = hs->active;
	if (!d || hs->draining || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, wait)) {
		pthread_mutex_unlock(&hs->lock);
		return false;
	}
	pthread_rwlock_rdlock(&d->lock);
	pthread_mutex_unlock(&hs->lock);
	if (__atomic_load_n(&d->writers, __ATOMIC_SEQ_CST)) {
		/* A control method is about to take the lock: let it. */
		pthread_rwlock_unlock(&d->lock);
		sched_yield();
		return true;
	}
	mine = h->index < d->n_handlers;
	serial = d->serial;
	/* Only h writes its armed_serial: it reads it without the lock. */
	armed = h->armed_serial == serial;
	/* The first call on an instance does not block, so that the control
	 * call waiting in handlers_wait_armed() learns of it. */
	if (mine)
		r = d->vt->wait(d->inst, h->index, h->wake_fd, armed ? -1 : 0);
	pthread_rwlock_unlock(&d->lock);
	if (!mine)
		return false;
	if (!armed) {
		handler_armed(h, serial);
		/* Nothing yet: the next round sleeps, and takes the wakeup
		 * (if any) and counts it as every round does. */
		if (r == 0)
			return true;
	}
	woken = handler_take_wakeup(h);
	if (r < 0) {
		/* This round poll()s wait_fd instead, unless already woken. */
		warn_once(hs, d, WARNED_WAIT, "wait", h->index, r);
		return woken;
	}
	__atomic_add_fetch(&h->st.wakeups, 1, __ATOMIC_RELAXED);
	if (r > 0)
		got = handler_drain(h, d, true);
	if (got == 0 && !woken)
		__atomic_add_fetch(&h->st.empty_wakeups, 1, __ATOMIC_RELAXED);
	return true;
}

/* The dup pull mode registered for the instance of serial 'serial', or
 * -1 (h's pulling thread only). */
static int
pull_registered_fd(const struct ovsdp_handler *h, uint64_t serial)
{
	for (unsigned int r = 0; r < 2; r++)
		if (h->pull_reg[r].fd >= 0 && h->pull_reg[r].serial == serial)
			return h->pull_reg[r].fd;
	return -1;
}

unsigned int
handler_waits(struct ovsdp_handler *h, struct handler_wait w[2], bool *draining)
{
	struct ovsdp_handlers *hs = h->hs;
	unsigned int nd = 0;

	*draining = false;
	for (int k = 0; k < 2; k++) {
		struct dispatcher *d = k == 0 ? hs->active : hs->draining;
		bool mine;
		int fd = -1;

		if (!d || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, wait_fd))
			continue;
		/* n_handlers changes under d->lock (resize). */
		pthread_rwlock_rdlock(&d->lock);
		mine = h->index < d->n_handlers;
		if (mine)
			fd = d->vt->wait_fd(d->inst, h->index);
		/* Pull mode watches a dup of the fd, its own, taken here
		 * under d's lock (the plugin may close and reuse the number
		 * once the lock is released); none when it has one already. */
		w[nd].fresh = false;
		if (mine && fd >= 0 && hs->pull) {
			int reg = pull_registered_fd(h, d->serial);

			if (reg >= 0) {
				fd = reg;
			} else {
				fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
				w[nd].fresh = fd >= 0;
			}
		}
		pthread_rwlock_unlock(&d->lock);
		if (!mine)
			continue;
		if (fd < 0) {
			warn_once(hs, d, WARNED_WAIT_FD, "wait_fd", h->index, fd);
			/* A draining dispatcher is still read, on the drain
			 * timer (poll ignores a negative fd): otherwise what
			 * it has queued is lost and the switch waits for
			 * nothing. */
			if (k == 0)
				continue;
		}
		w[nd].d = d;
		w[nd].serial = d->serial;
		w[nd].fd = fd;
		w[nd].is_drain = k == 1;
		*draining |= k == 1;
		nd++;
	}
	return nd;
}

static gpointer
handler_main(gpointer data)
{
	struct ovsdp_handler *h = data;
	struct ovsdp_handlers *hs = h->hs;

	while (!g_atomic_int_get(&h->stop)) {
		struct handler_wait w[2];
		struct pollfd pfd[3];
		unsigned int nd = 0, got = 0;
		bool draining = false;
		bool woken = false;

		if (wait_round(h))
			continue;
		pthread_mutex_lock(&hs->lock);
		nd = handler_waits(h, w, &draining);
		for (unsigned int k = 0; k < nd; k++) {
			pfd[k].fd = w[k].fd;
			pfd[k].events = POLLIN;
			pfd[k].revents = 0;
		}
		/* A plugin without wait is waited on here (one with it only
		 * while another drains: its wait comes after). */
		if (hs->active && h->armed_serial != hs->active->serial &&
		    !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, hs->active->vt, wait)) {
			h->armed_serial = hs->active->serial;
			pthread_cond_broadcast(&hs->armed);
		}
		pthread_mutex_unlock(&hs->lock);
		pfd[nd].fd = h->wake_fd;
		pfd[nd].events = POLLIN;
		pfd[nd].revents = 0;

		/* While a plugin drains, look at it even without a wakeup, so
		 * that "empty" is observed and the switch can finish. */
		if (poll(pfd, nd + 1, draining ? DRAIN_SETTLE_MS : -1) < 0 && errno != EINTR)
			g_usleep(1000);
		__atomic_add_fetch(&h->st.wakeups, 1, __ATOMIC_RELAXED);
		if (pfd[nd].revents & POLLIN)
			woken = handler_take_wakeup(h);
		for (unsigned int k = 0; k < nd; k++) {
			unsigned int n;

			if (!(pfd[k].revents & (POLLIN | POLLERR | POLLHUP)) && !w[k].is_drain)
				continue;
			n = handler_drain(h, w[k].d, pfd[k].revents & POLLIN);
			got += n;
		}
		if (got == 0 && !woken)
			__atomic_add_fetch(&h->st.empty_wakeups, 1, __ATOMIC_RELAXED);
	}
	ovsdp_dp_close(h->dp);
	h->dp = NULL;
	return NULL;
}

/* Pull mode: the epoll set the application polls (pull.c keeps the
 * dispatchers' wait_fds in it), with the wake_fd and the drain timer.  The
 * wake_fd starts readable, so that the first pull registers the running
 * plugin's fd. */
static int
handler_pull_fds(struct ovsdp_handler *h, GError **error)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int e;

	h->pull_epfd = epoll_create1(EPOLL_CLOEXEC);
	h->pull_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (h->pull_epfd < 0 || h->pull_timer < 0)
		goto fail;
	ev.data.fd = h->wake_fd;
	if (epoll_ctl(h->pull_epfd, EPOLL_CTL_ADD, h->wake_fd, &ev) < 0)
		goto fail;
	ev.data.fd = h->pull_timer;
	if (epoll_ctl(h->pull_epfd, EPOLL_CTL_ADD, h->pull_timer, &ev) < 0)
		goto fail;
	handlers_wake(h->wake_fd);
	return 0;
fail:
	e = errno;
	if (h->pull_epfd >= 0)
		close(h->pull_epfd);
	if (h->pull_timer >= 0)
		close(h->pull_timer);
	g_set_error(error, OVSDP_ERROR, e, "handler %u: pull fds: %s", h->index, g_strerror(e));
	return -e;
}

static struct ovsdp_handler *
handler_new(struct ovsdp_handlers *hs, unsigned int index, GError **error)
{
	struct ovsdp_handler *h = g_new0(struct ovsdp_handler, 1);

	h->hs = hs;
	h->index = index;
	h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->wake_fd < 0) {
		int e = errno;

		g_free(h);
		g_set_error(error, OVSDP_ERROR, e, "handler %u: eventfd: %s", index, g_strerror(e));
		return NULL;
	}
	h->pull_epfd = -1;
	h->pull_timer = -1;
	h->pull_reg[0].fd = h->pull_reg[1].fd = -1;
	if (hs->pull && handler_pull_fds(h, error) < 0) {
		close(h->wake_fd);
		g_free(h);
		return NULL;
	}
	h->buf = g_malloc((size_t)hs->batch * hs->msg_size);
	h->msgs = g_new0(struct ovsdp_dispatch_msg, hs->batch);
	h->ups = g_new0(struct ovsdp_upcall, hs->batch);
	h->pids = g_new0(uint32_t, hs->batch);
	return h;
}

static void
handler_free(struct ovsdp_handler *h)
{
	close(h->wake_fd);
	if (h->pull_epfd >= 0)
		close(h->pull_epfd);
	if (h->pull_timer >= 0)
		close(h->pull_timer);
	for (unsigned int r = 0; r < 2; r++)
		if (h->pull_reg[r].fd >= 0)
			close(h->pull_reg[r].fd);
	/* A thread closes its own handle; a pulled handler has none. */
	ovsdp_dp_close(h->dp);
	g_free(h->buf);
	g_free(h->msgs);
	g_free(h->ups);
	g_free(h->pids);
	ovsdp_batch_clear(&h->puts);
	ovsdp_batch_clear(&h->execs);
	g_free(h);
}

/* Grow or shrink the thread pool to n.  Called with 'control' held. */
int
handlers_set_thread_count(struct ovsdp_handlers *hs, unsigned int n, GError **error)
{
	while (hs->handlers->len < n) {
		struct ovsdp_handler *h = handler_new(hs, hs->handlers->len, error);
		g_autofree char *name = NULL;

		if (!h)
			return -ENOMEM;
		name = g_strdup_printf("ovsdp-handler%u", h->index);
		/* Pull mode: the application's thread runs it (pull.c). */
		if (!hs->pull && !(h->thread = g_thread_try_new(name, handler_main, h, error))) {
			handler_free(h);
			return -EAGAIN;
		}
		pthread_mutex_lock(&hs->lock);
		g_ptr_array_add(hs->handlers, h);
		pthread_mutex_unlock(&hs->lock);
	}
	while (hs->handlers->len > n) {
		struct ovsdp_handler *h;

		pthread_mutex_lock(&hs->lock);
		h = g_ptr_array_index(hs->handlers, hs->handlers->len - 1);
		/* A pulling application thread finishes its round first. */
		while (h->pulling)
			pthread_cond_wait(&hs->pull_idle, &hs->lock);
		g_ptr_array_steal_index(hs->handlers, hs->handlers->len - 1);
		pthread_mutex_unlock(&hs->lock);
		g_atomic_int_set(&h->stop, 1);
		handlers_wake(h->wake_fd);
		if (h->thread)
			g_thread_join(h->thread);
		handler_free(h);
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handler_index(const struct ovsdp_handler *h)
{
	return h ? h->index : 0;
}

OVSDP_EXPORT struct ovsdp_dp *
ovsdp_handler_dp(struct ovsdp_handler *h)
{
	if (!h)
		return NULL;
	if (!h->dp && ovsdp_dp_open(h->hs->dp_name, &h->dp, NULL) == 0)
		ovsdp_dp_grow_buffers(h->dp);  /* not shared yet: no lock needed */
	return h->dp;
}

OVSDP_EXPORT int
ovsdp_handler_upcall_info(const struct ovsdp_handler *h, const struct ovsdp_upcall *up,
			  struct ovsdp_upcall_info *out)
{
	uintptr_t first, at;

	if (!h || !up)
		return -EINVAL;
	first = (uintptr_t)h->ups;
	at = (uintptr_t)up;
	if (at < first || (at - first) % sizeof *up || (at - first) / sizeof *up >= h->hs->batch)
		return -EINVAL;
	return ovsdp_upcall_get_info(up, h->pids[(at - first) / sizeof *up], out);
}
