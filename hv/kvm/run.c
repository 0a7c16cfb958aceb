/* The KVM vCPU loop: KVM_RUN until something the domain loop must see
 * (a kick, a due timer, HLT with nothing to deliver, a reset), handling
 * port-I/O and MMIO exits on the way through the machine's bus and memory
 * layer, under the domain lock like any device access. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hv/kvm/kvm.h"
#include "hv/core/log.h"
#include "hv/core/machine.h"

static void count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void handle_io(struct kvm_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;

	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		uint32_t value = 0;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&value, data, size);
			machine_pio_write(v->vm->m, run->io.port, size, value);
		} else {
			value = machine_pio_read(v->vm->m, run->io.port, size);
			memcpy(data, &value, size);
		}
	}
}

static void handle_mmio(struct kvm_vcpu *v)
{
	struct kvm_run *run = v->run;
	struct machine *m = v->vm->m;
	unsigned len = run->mmio.len;
	bool sized = len == 1 || len == 2 || len == 4 || len == 8;
	uint64_t value = 0;

	if (!sized) { /* rare widths (SSE moves): byte-wise through the slow path */
		pthread_mutex_lock(&m->lock);
		if (run->mmio.is_write)
			mem_write(&m->mem, run->mmio.phys_addr, run->mmio.data, len);
		else
			mem_read(&m->mem, run->mmio.phys_addr, run->mmio.data, len);
		pthread_mutex_unlock(&m->lock);
	} else if (run->mmio.is_write) {
		memcpy(&value, run->mmio.data, len);
		machine_mmio_write(m, run->mmio.phys_addr, len, value);
	} else {
		value = machine_mmio_read(m, run->mmio.phys_addr, len);
		memcpy(run->mmio.data, &value, len);
	}
}

/* Makes the vCPU's timer, a one-shot aimed at this thread, fire at want,
 * touching it only when that changes (kvm_timer.c). */
static void arm_timer(struct kvm_vcpu *v, int64_t now, int64_t want)
{
	struct sigevent ev = {0};
	struct itimerspec its = {0};
	if (!kvm_timer_rearm(now, v->timer_due, want))
		return;
	if (!v->timer_ok) {
		ev.sigev_notify = SIGEV_THREAD_ID;
		ev.sigev_signo = kvm_kick_signal();
		ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &ev, &v->timer) < 0)
			return;
		v->timer_ok = true;
	}
	its.it_value.tv_sec = want / 1000000000;
	its.it_value.tv_nsec = want % 1000000000;
	if (timer_settime(v->timer, TIMER_ABSTIME, &its, NULL) == 0)
		v->timer_due = want;
}

void kvm_vcpu_retime(struct kvm_vcpu *v)
{
	struct vclock *c = &v->vm->m->clock;
	int64_t now = host_now_ns();
	int64_t want = kvm_timer_want(now, vclock_host_delay(c, vclock_next_deadline(c)), 0, false);

	if (v->timer_due > now && v->timer_due <= want)
		return; /* the armed timer comes first anyway */
	pthread_mutex_lock(&v->kick_lock);
	/* The vCPU thread itself looks at the clock before its next KVM_RUN;
	 * another's signal makes KVM_RUN return (or not start) so it does. */
	if (v->in_run && !pthread_equal(v->thread, pthread_self()))
		pthread_kill(v->thread, kvm_kick_signal());
	pthread_mutex_unlock(&v->kick_lock);
}

/* Offers a pending interrupt to the guest, or asks KVM to exit as soon as
 * the guest can take one. Returns false if halted with nothing to take.
 * Called only when the guest is entered next: the PIC's acknowledge moves
 * the request into ISR, so a vector taken and then not run would block
 * its line (and every lower one) until the guest's EOI, which never comes.
 * ready_for_interrupt_injection is as of the last exit: it does not know
 * of a vector queued since, and a second KVM_INTERRUPT would replace that
 * one, so one injection per entry. */
static bool offer_interrupt(struct kvm_vcpu *v)
{
	struct machine *m = v->vm->m;
	struct kvm_run *run = v->run;
	bool pending = m->intc && m->intc->pending(m->intc_opaque);

	/* An NMI: KVM queues it and delivers it when the guest's NMI
	 * blocking allows (hv trigger nmi). */
	if (atomic_exchange(&m->nmi, false)) {
		if (ioctl(v->fd, KVM_NMI) < 0)
			log_error("kvm: KVM_NMI: %s", strerror(errno));
		else
			v->halted = false;
	}

	run->request_interrupt_window = 0;
	if (v->vm->irqchip) /* KVM delivers the PIC's, and HLT stays in KVM_RUN */
		return true;
	if (!pending)
		return !v->halted;
	if (v->ready_stale || !run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return !v->halted;
	}
	int vector = m->intc->ack(m->intc_opaque);
	struct kvm_interrupt irq = {.irq = (uint32_t)vector};
	if (vector < 0)
		return !v->halted;
	if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0) {
		log_error("kvm: KVM_INTERRUPT of vector %#x: %s", irq.irq, strerror(errno));
		return !v->halted;
	}
	count(&v->counts.injected);
	atomic_store_explicit(&v->counts.last_vector, vector, memory_order_relaxed);
	v->ready_stale = true;
	v->halted = false;
	run->request_interrupt_window = m->intc->pending(m->intc_opaque);
	return true;
}

/* Before each KVM_RUN, under the domain lock: the memory map, timers,
 * interrupts. Returns VCPU_EXIT_ERROR + 1 to enter the guest, or the exit
 * to return. */
#define ENTER ((enum vcpu_exit)(VCPU_EXIT_ERROR + 1))
static enum vcpu_exit prepare(struct kvm_vcpu *v, int64_t start)
{
	struct machine *m = v->vm->m;
	enum vcpu_exit e = ENTER;
	char err[200];
	int64_t now = host_now_ns(), delay;

	pthread_mutex_lock(&m->lock);
	delay = vclock_host_delay(&m->clock, vclock_next_deadline(&m->clock));
	if (m->mem.generation != v->vm->mem_generation &&
	    kvm_slots_sync(v->vm, err, sizeof err) < 0) {
		log_error("kvm: %s", err);
		e = VCPU_EXIT_ERROR;
	} else if (atomic_exchange(&v->kicked, false)) {
		e = VCPU_EXIT_KICK;
	} else if (delay == 0 || now - start >= KVM_SLICE_NS) {
		e = VCPU_EXIT_BUDGET;
	} else if (!offer_interrupt(v)) { /* last: it acknowledges the PIC */
		e = VCPU_EXIT_HALT;
	} else {
		arm_timer(v, now,
			  kvm_timer_want(now, delay, start + KVM_SLICE_NS, m->output_waits));
	}
	pthread_mutex_unlock(&m->lock);
	return e;
}

static enum vcpu_exit fail(struct kvm_vcpu *v, const char *what)
{
	struct kvm_run *run = v->run;
	struct kvm_regs r = {0};

	count(&v->counts.other);
	ioctl(v->fd, KVM_GET_REGS, &r);
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		log_error("kvm: %s (suberror %u, data %#llx %#llx) at rip %#llx", what,
			  run->internal.suberror, (unsigned long long)run->internal.data[0],
			  (unsigned long long)run->internal.data[1], (unsigned long long)r.rip);
	else
		log_error("kvm: %s (exit reason %u, hardware reason %#llx) at rip %#llx", what,
			  run->exit_reason,
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			  (unsigned long long)r.rip);
	return VCPU_EXIT_ERROR;
}

/* Handles one exit. Returns ENTER to go on running. */
static enum vcpu_exit dispatch(struct kvm_vcpu *v)
{
	count(&v->counts.total);
	switch (v->run->exit_reason) {
	case KVM_EXIT_IO:
		count(&v->counts.io);
		handle_io(v);
		return ENTER;
	case KVM_EXIT_MMIO:
		count(&v->counts.mmio);
		handle_mmio(v);
		return ENTER;
	case KVM_EXIT_HLT:
		count(&v->counts.hlt);
		v->halted = true; /* prepare() delivers or sleeps */
		return ENTER;
	case KVM_EXIT_IRQ_WINDOW_OPEN: count(&v->counts.window); return ENTER;
	case KVM_EXIT_INTR: count(&v->counts.intr); return ENTER;
	case KVM_EXIT_SHUTDOWN: count(&v->counts.other); return VCPU_EXIT_RESET;
	case KVM_EXIT_FAIL_ENTRY: return fail(v, "entry failed");
	case KVM_EXIT_INTERNAL_ERROR: return fail(v, "internal error");
	default: return fail(v, "unhandled exit");
	}
}

/* With the in-kernel irqchip KVM looks at the PIC only when told to
 * (KVM_REQ_EVENT); one it could not deliver at once (IF clear) waits for
 * the interrupt-window exit, which the emulated SVM of a nested host does
 * not always give. Setting the vCPU's events back as they are makes KVM
 * look again, so a pending interrupt waits at most until the next timer
 * or kick. */
static void recheck_interrupts(struct kvm_vcpu *v)
{
	struct kvm_vcpu_events ev;

	if (!v->vm->irqchip || ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return;
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		log_error("kvm: KVM_SET_VCPU_EVENTS: %s", strerror(errno));
}

static enum vcpu_exit run_loop(struct kvm_vcpu *v)
{
	int64_t start = host_now_ns();

	for (;;) {
		enum vcpu_exit e = prepare(v, start);
		if (e != ENTER)
			return e;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				log_error("kvm: KVM_RUN: %s", strerror(errno));
				return VCPU_EXIT_ERROR;
			}
			v->run->immediate_exit = 0;
			count(&v->counts.total);
			count(&v->counts.intr);
			recheck_interrupts(v);
			continue;
		}
		v->ready_stale = false; /* the exit filled in ready_for_interrupt_injection */
		e = dispatch(v);
		if (e != ENTER)
			return e;
	}
}

/* hv's virtual clock stands still while the domain is paused (or saved
 * and left running); KVM's clock, which kvm-clock reads, goes on. The
 * time hv's clock stood still since the vCPU last left is taken off KVM's,
 * so the guest's time stands still with the rest of its machine. */
static void follow_pause(struct kvm_vcpu *v)
{
	int64_t host = host_now_ns(), virt = vclock_now(&v->vm->m->clock);
	int64_t stood = (host - v->left_host) - (virt - v->left_virt);
	struct kvm_clock_data c = {0};

	if (!v->vm->pvclock || !v->left_host || stood < KVM_PAUSE_MIN_NS)
		return;
	if (ioctl(v->vm->vm_fd, KVM_GET_CLOCK, &c) < 0 || c.clock <= (uint64_t)stood)
		return;
	c.clock -= (uint64_t)stood;
	c.flags = 0; /* not KVM_CLOCK_REALTIME: that would add the host time since */
	if (ioctl(v->vm->vm_fd, KVM_SET_CLOCK, &c) < 0)
		log_error("kvm: KVM_SET_CLOCK: %s", strerror(errno));
}

enum vcpu_exit kvm_vcpu_run(struct kvm_vcpu *v)
{
	enum vcpu_exit e;

	follow_pause(v);
	pthread_mutex_lock(&v->kick_lock);
	v->thread = pthread_self();
	v->in_run = true;
	kvm_signal_bind(v->run);
	pthread_mutex_unlock(&v->kick_lock);
	e = run_loop(v);
	pthread_mutex_lock(&v->kick_lock);
	v->in_run = false;
	kvm_signal_bind(NULL);
	pthread_mutex_unlock(&v->kick_lock);
	v->left_host = host_now_ns();
	v->left_virt = vclock_now(&v->vm->m->clock);
	return e;
}
