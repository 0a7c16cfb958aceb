/* The sending side of a live migration (hv/domain/migrate.h): a source of
 * the event loop writing the stream while the guest runs, then a last
 * step with the vCPU held. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv/core/clock.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/core/migstream.h"
#include "hv/core/savefile.h"
#include "hv/domain/domain.h"
#include "hv/domain/domain_save.h"
#include "hv/domain/migrate.h"
#include "hv/domain/vcpu.h"

#define PAGE	     MIGSTREAM_PAGE
#define BUF_SIZE     (MIGSTREAM_RECORD + MIGSTREAM_RUN_MAX * PAGE)
#define ZEROS_MAX    65536u
#define SLICE_NS     (5 * 1000000LL) /* the longest the loop is kept at once */
#define WAIT_MS	     30000	     /* the last step's longest wait for the peer */
#define SNDBUF	     (256 << 10)
#define MIN_MEASURED (1u << 20) /* bytes a round sends for its bandwidth to count */

struct migration {
	struct domain *d;
	int fd, handle, log;
	unsigned downtime_ms, max_rounds;
	uint64_t pages, words;
	uint64_t *bitmap, *more; /* this round's pages; a fetch's */
	uint64_t *sent;		 /* the pages the receiver holds data for */
	uint64_t cursor;
	struct savefile_extent ext;
	uint8_t *buf;
	size_t cap, len, off;
	int64_t t0, round_t0;
	uint64_t round_bytes;
	bool peer_ready; /* the receiver said "ready": its domain is built */
	bool waiting;	 /* a round is over; the next step waits for "ready" */
	int ready_timer; /* a handle while waiting, else 0 */
	struct migrate_status st;
};

static bool bit(const uint64_t *b, uint64_t i)
{
	return b[i / 64] >> (i % 64) & 1;
}

/* A round starts at page 0 (the extents are asked in ascending order). */
static void rewind_round(struct migration *m)
{
	m->cursor = 0;
	m->ext = (struct savefile_extent){.fd = m->d->machine.mem.ram_fd};
}

/* Page p as the receiver needs it: 0 when it has it already (zero, and
 * never sent with data), MIGSTREAM_ZEROS, or MIGSTREAM_PAGES with its
 * bytes copied into slot (when slot is not NULL: in a run of zeros the
 * page is only looked at). A page in a hole of the RAM memfd is zero
 * without being read (reading it would give it a page). */
static enum migstream_type classify(struct migration *m, uint64_t p, uint8_t *slot)
{
	const uint8_t *ram = m->d->machine.mem.ram + p * PAGE;
	bool zero = true;

	if (savefile_extent_data(&m->ext, p * PAGE)) {
		if (slot)
			memcpy(slot, ram, PAGE);
		zero = savefile_page_is_zero(slot ? slot : ram);
	}
	if (!zero)
		return MIGSTREAM_PAGES;
	return bit(m->sent, p) ? MIGSTREAM_ZEROS : 0;
}

/* The next record of this round into buf: false at the round's end. Only
 * pages the receiver lacks go: its RAM starts zero, and m->sent tells the
 * pages it holds data for. */
static bool fill(struct migration *m)
{
	enum migstream_type type = 0;
	uint64_t first = 0;
	uint32_t count = 0;

	while (m->cursor < m->pages) {
		uint64_t p = m->cursor;
		uint8_t *slot = m->buf + MIGSTREAM_RECORD + (size_t)count * PAGE;
		enum migstream_type t;

		if (!bit(m->bitmap, p)) {
			if (count)
				break;
			m->cursor = p % 64 == 0 && !m->bitmap[p / 64] ? p + 64 : p + 1;
			continue;
		}
		t = classify(m, p, type == MIGSTREAM_ZEROS ? NULL : slot);
		if (!t && count)
			break;
		if (!t) {
			m->cursor++;
			continue;
		}
		if (type && type != t)
			break;
		if (!type) {
			type = t;
			first = p;
		}
		if (t == MIGSTREAM_PAGES)
			m->sent[p / 64] |= 1ull << (p % 64);
		else
			m->sent[p / 64] &= ~(1ull << (p % 64));
		count++;
		m->cursor++;
		if (count == (type == MIGSTREAM_PAGES ? MIGSTREAM_RUN_MAX : ZEROS_MAX))
			break;
	}
	if (!count)
		return false;
	migstream_put_record(m->buf, type, count, first);
	m->len = MIGSTREAM_RECORD + (type == MIGSTREAM_PAGES ? (size_t)count * PAGE : 0);
	m->off = 0;
	m->st.pages_sent += count;
	return true;
}

static void stop_log(struct migration *m)
{
	struct machine *mach = &m->d->machine;

	if (m->log < 0)
		return;
	machine_lock_host(mach);
	mem_dirty_stop(&mach->mem, m->log);
	machine_unlock_host(mach);
	m->log = -1;
}

/* The migration is over: its descriptor and log go, its status stays. */
static void end(struct migration *m, enum migrate_state state)
{
	m->st.state = state;
	m->st.total_ns = host_now_ns() - m->t0;
	if (m->handle > 0)
		evloop_remove_fd(m->d->loop, m->handle);
	m->handle = 0;
	if (m->ready_timer > 0)
		evloop_cancel_timer(m->d->loop, m->ready_timer);
	m->ready_timer = 0;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	if (m->log >= 0)
		stop_log(m);
	free(m->bitmap);
	free(m->more);
	free(m->sent);
	free(m->buf);
	m->bitmap = m->more = m->sent = NULL;
	m->buf = NULL;
}

static void fail(struct migration *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct migration *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->st.error, sizeof m->st.error, fmt, ap);
	va_end(ap);
	log_warn("migration failed: %s; the domain goes on here", m->st.error);
	end(m, MIGRATE_FAILED);
}

/* What the receiver said: its answer line (without the newline) in line,
 * 0 once it is whole, -1 at EOF or an error. */
static int read_answer(struct migration *m, char *line, size_t len, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd pfd = {.fd = m->fd, .events = POLLIN};
		int r = poll(&pfd, 1, timeout_ms);
		ssize_t k;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		k = recv(m->fd, line + n, 1, MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			break;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
	line[n] = '\0';
	return -1;
}

static void end_round(struct migration *m);

/* The receiver spoke (or hung up) before the end: "ready" (its domain is
 * built; a round that waits for it ends now), else its error. */
static void peer_spoke(struct migration *m)
{
	char line[200];

	if (read_answer(m, line, sizeof line, 0) == 0 && !m->peer_ready &&
	    strcmp(line, "ready") == 0) {
		m->peer_ready = true;
		if (m->waiting)
			end_round(m);
		return;
	}
	if (line[0] && strncmp(line, "error ", 6) == 0)
		fail(m, "the receiver: %s", line + 6);
	else
		fail(m, "the receiver closed the connection");
}

static void ready_timeout(void *opaque)
{
	struct migration *m = opaque;

	m->ready_timer = 0;
	if (m->st.state == MIGRATE_SENDING && m->waiting)
		fail(m, "the receiver did not get ready in %d s", WAIT_MS / 1000);
}

/* n bytes out, waiting (the last step: the guest is held). */
static int send_wait(struct migration *m, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		struct pollfd pfd = {.fd = m->fd, .events = POLLOUT};
		ssize_t k;
		int r = poll(&pfd, 1, WAIT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(m->st.error, sizeof m->st.error, "%s",
				 r == 0 ? "the receiver took nothing for 30 s" : strerror(errno));
			return -1;
		}
		k = send(m->fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			snprintf(m->st.error, sizeof m->st.error, "cannot send: %s",
				 k < 0 ? strerror(errno) : "no progress");
			return -1;
		}
		b += k;
		n -= (size_t)k;
		m->st.bytes += (uint64_t)k;
	}
	return 0;
}

/* Adds the pages a fetch of the log finds to this round's; their count.
 * locked: the caller holds the domain lock and the vCPU. Else the vCPU is
 * held for the fetch: a soft CPU out of its loop flushes its TLB before
 * it writes again, so the log need not report this fetch's pages again at
 * the next one (hv/core/dirty.h), and a round resends only what changed. */
static uint64_t fetch_more(struct migration *m, bool locked)
{
	struct machine *mach = &m->d->machine;
	uint64_t n = 0;

	if (!locked) {
		machine_lock_host(mach);
		vcpu_hold(m->d);
	}
	mem_dirty_fetch(&mach->mem, m->log, m->more);
	if (!locked) {
		vcpu_release(m->d);
		machine_unlock_host(mach);
	}
	for (uint64_t i = 0; i < m->words; i++) {
		m->bitmap[i] |= m->more[i];
		n += (uint64_t)__builtin_popcountll(m->bitmap[i]);
	}
	return n;
}

/* The domain's state without RAM as a save file in a memfd, then sent. */
static int send_state(struct migration *m)
{
	struct savefile_writer w;
	uint8_t rec[MIGSTREAM_RECORD];
	int fd = memfd_create("hv-migrate-state", MFD_CLOEXEC);
	int rc = -1;

	if (fd < 0) {
		snprintf(m->st.error, sizeof m->st.error, "memfd: %s", strerror(errno));
		return -1;
	}
	if (savefile_start(&w, fd, m->st.error, sizeof m->st.error) < 0 ||
	    domain_save_sections(m->d, &w, false, m->st.error, sizeof m->st.error) < 0 ||
	    savefile_finish(&w, m->st.error, sizeof m->st.error) < 0)
		goto out;
	migstream_put_record(rec, MIGSTREAM_STATE, 0, w.off);
	if (send_wait(m, rec, sizeof rec) < 0)
		goto out;
	for (uint64_t off = 0; off < w.off;) {
		size_t k = w.off - off < BUF_SIZE ? (size_t)(w.off - off) : BUF_SIZE;

		if (savefile_pread_all(fd, m->buf, k, off) < 0) {
			snprintf(m->st.error, sizeof m->st.error, "cannot read the state back");
			goto out;
		}
		if (send_wait(m, m->buf, k) < 0)
			goto out;
		off += k;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* With the domain lock and the vCPU held: the last pages, the state, the
 * answer. */
static int last_step(struct migration *m, int64_t t_pause)
{
	char line[200];
	uint64_t sent = m->st.pages_sent;
	int64_t t_held = host_now_ns(), t_pages, t_state;

	fetch_more(m, true);
	rewind_round(m);
	m->st.round++;
	while (fill(m))
		if (send_wait(m, m->buf, m->len) < 0)
			return -1;
	t_pages = host_now_ns();
	if (send_state(m) < 0)
		return -1;
	t_state = host_now_ns();
	if (read_answer(m, line, sizeof line, WAIT_MS) < 0) {
		snprintf(m->st.error, sizeof m->st.error,
			 "the receiver did not answer (it died or the connection dropped)");
		return -1;
	}
	if (strcmp(line, "ok") != 0) {
		snprintf(m->st.error, sizeof m->st.error, "the receiver: %s",
			 strncmp(line, "error ", 6) == 0 ? line + 6 : line);
		return -1;
	}
	log_info("migration's last step: vCPU held in %.1f ms, %llu pages in %.1f ms, state in "
		 "%.1f ms, answer in %.1f ms",
		 (double)(t_held - t_pause) / 1e6, (unsigned long long)(m->st.pages_sent - sent),
		 (double)(t_pages - t_held) / 1e6, (double)(t_state - t_pages) / 1e6,
		 (double)(host_now_ns() - t_state) / 1e6);
	return 0;
}

/* Pauses, sends what is left and the state; paused for good on success. */
static void finish(struct migration *m)
{
	struct domain *d = m->d;
	struct machine *mach = &d->machine;
	bool was_paused = d->pause_requested;
	char err[256];
	int64_t t_pause;
	int rc;

	if (!was_paused && domain_pause(d, err, sizeof err) < 0) {
		fail(m, "%s", err);
		return;
	}
	t_pause = host_now_ns();
	/* As domain_save: the domain lock held throughout, so that no host
	 * thread writes RAM or a device after the last look at the log. */
	machine_lock_host(mach);
	vcpu_hold(d);
	domain_flush_output(d);
	rc = last_step(m, t_pause);
	vcpu_release(d);
	machine_unlock_host(mach);
	if (rc < 0) {
		char why[sizeof m->st.error];

		snprintf(why, sizeof why, "%s", m->st.error);
		if (!was_paused)
			domain_unpause(d, err, sizeof err);
		fail(m, "%s", why);
		return;
	}
	m->st.downtime_ns = host_now_ns() - t_pause;
	end(m, MIGRATE_DONE);
	log_info("migrated: %.3f s, downtime %.1f ms, %llu pages in %u rounds",
		 (double)m->st.total_ns / 1e9, (double)m->st.downtime_ns / 1e6,
		 (unsigned long long)m->st.pages_sent, m->st.round);
}

/* A round is sent: another, or the last step. */
static void end_round(struct migration *m)
{
	int64_t now = host_now_ns(), took = now - m->round_t0;
	uint64_t dirty;
	double est_ns;

	if (!m->waiting && (m->round_bytes >= MIN_MEASURED || m->st.bandwidth == 0))
		m->st.bandwidth = took > 0 ? (double)m->round_bytes * 1e9 / (double)took : 0;
	/* The guest is stopped only once the receiver's domain is built. */
	if (!m->peer_ready) {
		if (!m->waiting)
			m->ready_timer = evloop_add_timer(m->d->loop, now + WAIT_MS * 1000000LL,
							  ready_timeout, m);
		if (m->ready_timer < 0) {
			m->ready_timer = 0;
			fail(m, "out of memory");
		}
		m->waiting = true;
		return;
	}
	if (m->ready_timer > 0)
		evloop_cancel_timer(m->d->loop, m->ready_timer);
	m->ready_timer = 0;
	m->waiting = false;
	memset(m->bitmap, 0, m->words * sizeof *m->bitmap);
	dirty = fetch_more(m, false);
	m->st.dirty = dirty;
	est_ns = m->st.bandwidth > 0 ? (double)dirty * (PAGE + 16) * 1e9 / m->st.bandwidth : 0;
	if (est_ns <= (double)m->downtime_ms * 1e6 || m->st.round >= m->max_rounds) {
		finish(m);
		return;
	}
	m->st.round++;
	rewind_round(m);
	m->round_t0 = now;
	m->round_bytes = 0;
}

static short events(void *opaque)
{
	struct migration *m = opaque;

	if (m->st.state != MIGRATE_SENDING)
		return 0;
	return m->waiting ? POLLIN : POLLOUT | POLLIN;
}

static void ready(void *opaque, int fd, short revents)
{
	struct migration *m = opaque;
	int64_t until = host_now_ns() + SLICE_NS;

	if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) {
		peer_spoke(m);
		return;
	}
	while (host_now_ns() < until) {
		ssize_t k;

		if (m->off == m->len && !fill(m)) {
			end_round(m);
			return;
		}
		k = send(fd, m->buf + m->off, m->len - m->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (k <= 0) {
			fail(m, "cannot send: %s", k < 0 ? strerror(errno) : "no progress");
			return;
		}
		m->off += (size_t)k;
		m->st.bytes += (uint64_t)k;
		m->round_bytes += (uint64_t)k;
	}
}

static const struct evloop_source_ops migrate_ops = {.events = events, .ready = ready};

/* The stream's header and the config record, first in buf. */
static int preamble(struct migration *m, char *err, size_t errlen)
{
	size_t len;
	char *text = domain_config_text(m->d, &len);

	if (!text || len > MIGSTREAM_CONFIG_MAX || len == 0) {
		free(text);
		snprintf(err, errlen, "cannot write the config into the stream");
		return -1;
	}
	m->cap = MIGSTREAM_HEADER + MIGSTREAM_RECORD + len;
	if (m->cap < BUF_SIZE)
		m->cap = BUF_SIZE;
	m->buf = malloc(m->cap);
	if (!m->buf) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	migstream_put_header(m->buf, m->d->machine.mem.ram_size);
	migstream_put_record(m->buf + MIGSTREAM_HEADER, MIGSTREAM_CONFIG, 0, len);
	memcpy(m->buf + MIGSTREAM_HEADER + MIGSTREAM_RECORD, text, len);
	m->len = MIGSTREAM_HEADER + MIGSTREAM_RECORD + len;
	free(text);
	return 0;
}

/* Logging from now on; the first round is every page (a log's start). */
static int start_log(struct migration *m, char *err, size_t errlen)
{
	struct machine *mach = &m->d->machine;
	uint64_t size = mach->mem.ram_size;

	m->pages = size / PAGE;
	m->words = mem_dirty_words(size);
	m->bitmap = calloc(m->words, sizeof *m->bitmap);
	m->more = calloc(m->words, sizeof *m->more);
	m->sent = calloc(m->words, sizeof *m->sent);
	if (!m->bitmap || !m->more || !m->sent) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	machine_lock_host(mach);
	vcpu_hold(m->d); /* as fetch_more */
	m->log = mem_dirty_start(&mach->mem, 0, size);
	if (m->log >= 0)
		mem_dirty_fetch(&mach->mem, m->log, m->bitmap);
	vcpu_release(m->d);
	machine_unlock_host(mach);
	if (m->log < 0) {
		snprintf(err, errlen, "cannot log dirty pages: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int domain_migrate_start(struct domain *d, int fd, unsigned downtime_ms, unsigned max_rounds,
			 const void *owner, char *err, size_t errlen)
{
	struct migration *m;
	int rc;

	if (d->migration && d->migration->st.state == MIGRATE_SENDING) {
		snprintf(err, errlen, "a migration of domain '%s' is under way", d->cfg.name);
		close(fd);
		return -1;
	}
	machine_lock_host(&d->machine);
	rc = domain_check_saveable(d, err, errlen);
	machine_unlock_host(&d->machine);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	domain_migrate_free(d);
	m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	*m = (struct migration){.d = d,
				.fd = fd,
				.log = -1,
				.downtime_ms = downtime_ms,
				.max_rounds = max_rounds ? max_rounds : 1,
				.ext = {.fd = d->machine.mem.ram_fd}};
	m->st = (struct migrate_status){.state = MIGRATE_SENDING, .round = 1, .owner = owner};
	m->t0 = m->round_t0 = host_now_ns();
	d->migration = m;
	/* A small send buffer: the bandwidth measured is then what the
	 * receiver takes, not what the kernel queues. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){SNDBUF}, sizeof(int));
	/* The last step ends in a short segment: over TCP, Nagle would hold
	 * it for the receiver's delayed ACK (40 ms of downtime). Not TCP (the
	 * ssh transport's socket pair): refused, harmless. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    preamble(m, err, errlen) < 0 || start_log(m, err, errlen) < 0 ||
	    (m->handle = evloop_add_fd(d->loop, fd, &migrate_ops, m)) < 0) {
		if (m->handle < 0)
			snprintf(err, errlen, "out of memory");
		m->handle = 0;
		snprintf(m->st.error, sizeof m->st.error, "%s", err);
		end(m, MIGRATE_FAILED);
		return -1;
	}
	m->st.ram_pages = m->pages;
	log_info("migration started (downtime target %u ms, at most %u rounds)", downtime_ms,
		 m->max_rounds);
	return 0;
}

int domain_migrate_status(struct domain *d, struct migrate_status *st)
{
	struct migration *m = d->migration;

	if (!m)
		return -1;
	*st = m->st;
	if (m->st.state == MIGRATE_SENDING) {
		st->total_ns = host_now_ns() - m->t0;
		st->round_left = m->pages - m->cursor;
	}
	return 0;
}

void domain_migrate_cancel(struct domain *d, const void *owner, const char *why)
{
	struct migration *m = d->migration;

	if (m && m->st.state == MIGRATE_SENDING && (!owner || owner == m->st.owner))
		fail(m, "%s", why);
}

void domain_migrate_free(struct domain *d)
{
	struct migration *m = d->migration;

	if (!m)
		return;
	if (m->st.state == MIGRATE_SENDING)
		end(m, MIGRATE_FAILED);
	free(m);
	d->migration = NULL;
}
