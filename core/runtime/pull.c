/* pull.c: pull mode (options.pull, ABI 1.2).  The runtime makes the
 * handlers but no threads; the application drives each handler index from
 * a thread of its own: poll() on ovsdp_handlers_pull_fd(), then
 * ovsdp_handlers_pull() for one round.  A round is what a handler thread
 * does after its poll() (handler-thread.c): receive from the running
 * plugin and from one that drains, parse, call back, send the replies.
 * The fd it polls is an epoll set per handler holding the handler's
 * wake_fd, a drain timer and a dup of the wait_fd of each plugin instance
 * it reads; a round brings the set up to date, so that after a switch (which
 * wakes every handler) the next poll() watches the new plugin. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include "runtime/runtime.h"

/* Handler 'index' of a pull runtime, marked as being pulled; NULL with
 * *err when there is none or another thread pulls it. */
static struct ovsdp_handler *
pull_enter(struct ovsdp_handlers *hs, unsigned int index, int *err)
{
	struct ovsdp_handler *h = NULL;

	pthread_mutex_lock(&hs->lock);
	if (index >= hs->handlers->len)
		*err = -ENOENT;
	else if ((h = g_ptr_array_index(hs->handlers, index))->pulling) {
		*err = -EBUSY;
		h = NULL;
	} else {
		h->pulling = true;
	}
	pthread_mutex_unlock(&hs->lock);
	return h;
}

static void
pull_leave(struct ovsdp_handlers *hs, struct ovsdp_handler *h)
{
	pthread_mutex_lock(&hs->lock);
	h->pulling = false;
	pthread_cond_broadcast(&hs->pull_idle);
	pthread_mutex_unlock(&hs->lock);
}

/* Make h's epoll set hold the fds of w[0..nw) and no other instance's.
 * They are dups of the plugins' wait_fds (handler_waits()): the set
 * watches files of h's own, which no plugin can close or renumber under
 * it; a registration is known by its instance's serial.  An instance no
 * longer read leaves the set and its dup is closed; a fresh dup is added
 * (or closed, and its readiness not watched, when that fails). */
static void
pull_sync(struct ovsdp_handler *h, struct handler_wait *w, unsigned int nw)
{
	for (unsigned int r = 0; r < 2; r++) {
		bool keep = false;

		if (h->pull_reg[r].fd < 0)
			continue;
		for (unsigned int k = 0; k < nw; k++)
			keep |= !w[k].fresh && w[k].serial == h->pull_reg[r].serial;
		if (keep)
			continue;
		epoll_ctl(h->pull_epfd, EPOLL_CTL_DEL, h->pull_reg[r].fd, NULL);
		close(h->pull_reg[r].fd);
		h->pull_reg[r].fd = -1;
		h->pull_reg[r].serial = 0;
	}
	for (unsigned int k = 0; k < nw; k++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = w[k].fd };
		unsigned int slot = 2;

		if (!w[k].fresh)
			continue;
		for (unsigned int r = 0; r < 2 && slot == 2; r++)
			if (h->pull_reg[r].fd < 0)
				slot = r;
		if (slot == 2 || epoll_ctl(h->pull_epfd, EPOLL_CTL_ADD, w[k].fd, &ev) < 0) {
			g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: handler %u: watching a dispatcher's "
			      "wait fd: %s", h->hs->dp_name, h->index,
			      slot == 2 ? "no slot" : g_strerror(errno));
			close(w[k].fd);
			w[k].fd = -1;
			continue;
		}
		h->pull_reg[slot].fd = w[k].fd;
		h->pull_reg[slot].serial = w[k].serial;
	}
}

/* While a plugin drains, the fd turns readable every DRAIN_SETTLE_MS, so
 * that the application looks again and the drain sees it empty. */
static void
pull_timer_set(struct ovsdp_handler *h, bool draining)
{
	struct itimerspec its = { 0 };
	uint64_t ticks;
	ssize_t r = read(h->pull_timer, &ticks, sizeof ticks);

	(void)r;
	if (draining)
		its.it_value.tv_nsec = DRAIN_SETTLE_MS * 1000000L;
	timerfd_settime(h->pull_timer, 0, &its, NULL);
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_n_handlers(struct ovsdp_handlers *hs, bool *dictated)
{
	unsigned int n;

	if (dictated)
		*dictated = false;
	if (!hs)
		return 0;
	pthread_mutex_lock(&hs->lock);
	n = hs->handlers->len;
	if (dictated && hs->active)
		*dictated = hs->active->dictates_handlers;
	pthread_mutex_unlock(&hs->lock);
	return n;
}

OVSDP_EXPORT int
ovsdp_handlers_pull_fd(struct ovsdp_handlers *hs, unsigned int index)
{
	int fd;

	if (!hs || !hs->pull)
		return -EINVAL;
	pthread_mutex_lock(&hs->lock);
	fd = index < hs->handlers->len
		? ((struct ovsdp_handler *)g_ptr_array_index(hs->handlers, index))->pull_epfd
		: -ENOENT;
	pthread_mutex_unlock(&hs->lock);
	return fd;
}

OVSDP_EXPORT int
ovsdp_handlers_pull(struct ovsdp_handlers *hs, unsigned int index)
{
	struct handler_wait w[2];
	struct pollfd pfd[2];
	struct ovsdp_handler *h;
	uint64_t before;
	unsigned int nw, got = 0;
	bool draining = false, woken;
	int err = 0;

	if (!hs || !hs->pull)
		return -EINVAL;
	h = pull_enter(hs, index, &err);
	if (!h)
		return err;
	before = __atomic_load_n(&h->st.upcalls, __ATOMIC_RELAXED);
	pthread_mutex_lock(&hs->lock);
	nw = handler_waits(h, w, &draining);
	pthread_mutex_unlock(&hs->lock);
	pull_sync(h, w, nw);
	woken = handler_take_wakeup(h);
	pull_timer_set(h, draining);
	for (unsigned int k = 0; k < nw; k++) {
		pfd[k].fd = w[k].fd;
		pfd[k].events = POLLIN;
		pfd[k].revents = 0;
	}
	if (nw && poll(pfd, nw, 0) < 0)
		for (unsigned int k = 0; k < nw; k++)
			pfd[k].revents = POLLIN;    /* look anyway */
	__atomic_add_fetch(&h->st.wakeups, 1, __ATOMIC_RELAXED);
	for (unsigned int k = 0; k < nw; k++) {
		if (!(pfd[k].revents & (POLLIN | POLLERR | POLLHUP)) && !w[k].is_drain)
			continue;
		got += handler_drain(h, w[k].d, pfd[k].revents & POLLIN);
	}
	if (got == 0 && !woken)
		__atomic_add_fetch(&h->st.empty_wakeups, 1, __ATOMIC_RELAXED);
	/* Upcalls given to the callback: what was received, less what did
	 * not parse (only this thread counts on h, which a resize may free
	 * once it is left). */
	before = MIN(__atomic_load_n(&h->st.upcalls, __ATOMIC_RELAXED) - before,
		     (uint64_t)INT32_MAX);
	pull_leave(hs, h);
	return (int)before;
}
