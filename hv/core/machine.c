#include "hv/core/machine.h"

#include <sched.h>
#include <string.h>

static void wake_on_timer(void *opaque)
{
	struct machine *m = opaque;

	m->wake_seq++;
	pthread_cond_broadcast(&m->wake);
	if (m->retime_vcpu)
		m->retime_vcpu(m->kick_opaque);
}

int machine_init(struct machine *m, uint64_t ram_bytes, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (mem_init(&m->mem, ram_bytes, err, errlen) < 0)
		return -1;
	bus_init(&m->pio, "pio");
	vclock_init(&m->clock);
	m->clock.notify = wake_on_timer;
	m->clock.notify_opaque = m;
	m->a20_mask = 0xFFFFFFFFu;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	/* HLT sleeps are timed against the monotonic clock, like vclock. */
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

void machine_destroy(struct machine *m)
{
	device_registry_free(&m->devices);
	bus_destroy(&m->pio);
	mem_destroy(&m->mem);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
}

void machine_lock_host(struct machine *m)
{
	atomic_fetch_add(&m->lock_waiters, 1);
	pthread_mutex_lock(&m->lock);
	atomic_fetch_sub(&m->lock_waiters, 1);
}

void machine_unlock_host(struct machine *m)
{
	pthread_mutex_unlock(&m->lock);
}

/* The vCPU's side: after a device access, let a waiting host thread take
 * the lock before the vCPU can take it again (for a few microseconds). */
static void vcpu_unlock(struct machine *m)
{
	pthread_mutex_unlock(&m->lock);
	while (atomic_load_explicit(&m->lock_waiters, memory_order_relaxed))
		sched_yield();
}

uint32_t machine_pio_read(struct machine *m, uint16_t port, unsigned size)
{
	uint32_t v;

	pthread_mutex_lock(&m->lock);
	v = (uint32_t)bus_read(&m->pio, port, size);
	vcpu_unlock(m);
	return v;
}

void machine_pio_write(struct machine *m, uint16_t port, unsigned size, uint32_t value)
{
	pthread_mutex_lock(&m->lock);
	bus_write(&m->pio, port, size, value);
	vcpu_unlock(m);
}

uint64_t machine_mmio_read(struct machine *m, uint64_t gpa, unsigned size)
{
	uint64_t v;

	pthread_mutex_lock(&m->lock);
	v = mem_read_sized(&m->mem, gpa, size);
	vcpu_unlock(m);
	return v;
}

void machine_mmio_write(struct machine *m, uint64_t gpa, unsigned size, uint64_t value)
{
	pthread_mutex_lock(&m->lock);
	mem_write_sized(&m->mem, gpa, size, value);
	vcpu_unlock(m);
}

bool machine_intr_pending(struct machine *m)
{
	bool pending;

	if (!m->intc)
		return false;
	pthread_mutex_lock(&m->lock);
	pending = m->intc->pending(m->intc_opaque);
	pthread_mutex_unlock(&m->lock);
	return pending;
}

int machine_intr_ack(struct machine *m)
{
	int vector;

	if (!m->intc)
		return -1;
	pthread_mutex_lock(&m->lock);
	vector = m->intc->ack(m->intc_opaque);
	pthread_mutex_unlock(&m->lock);
	return vector;
}

void machine_request(struct machine *m, enum machine_request req, int code)
{
	if (m->request == MACHINE_REQ_NONE) {
		m->request = req;
		m->request_code = code;
	}
	if (m->kick_vcpu)
		m->kick_vcpu(m->kick_opaque);
	m->wake_seq++;
	pthread_cond_broadcast(&m->wake);
}

void machine_kick(struct machine *m)
{
	m->wake_seq++;
	pthread_cond_broadcast(&m->wake);
}

void machine_irq_kick(struct machine *m)
{
	machine_kick(m);
	if (!m->intc_in_engine && m->kick_vcpu)
		m->kick_vcpu(m->kick_opaque);
}

void machine_nmi(struct machine *m)
{
	atomic_store(&m->nmi, true);
	if (m->kick_vcpu)
		m->kick_vcpu(m->kick_opaque);
	machine_kick(m);
}

void machine_set_a20(struct machine *m, unsigned source, bool on)
{
	uint32_t mask;

	m->a20_sources = on ? m->a20_sources | source : m->a20_sources & ~source;
	mask = m->a20_sources ? 0xFFFFFFFFu : ~(UINT32_C(1) << 20);
	if (mask == m->a20_mask)
		return;
	m->a20_mask = mask;
	m->mem.generation++;
}
