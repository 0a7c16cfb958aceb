/* The KVM engine behind the engine interface: the VM and its vCPU, their
 * power-on state, kicks and statistics. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/kvm/kvm.h"
#include "hv/core/machine.h"

#define TSS_GPA		 0xfeffd000ul /* three pages KVM needs on VMX without unrestricted guest */
#define IDENTITY_MAP_GPA 0xfeffc000ul

static int sys_error(char *err, size_t len, const char *what)
{
	snprintf(err, len, "kvm: %s: %s", what, strerror(errno));
	return -1;
}

static int kvm_probe(char *why, size_t len)
{
	return kvm_probe_host(why, len);
}

static void kvm_destroy(void *engine)
{
	struct kvm_vm *vm = engine;

	if (!vm)
		return;
	kvm_irqchip_release(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	kvm_slots_free(vm);
	free(vm);
}

static int open_vm(struct kvm_vm *vm, char *err, size_t len)
{
	uint64_t identity = IDENTITY_MAP_GPA;
	int run_size;

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		return sys_error(err, len, "/dev/kvm");
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0 ||
	    ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		snprintf(err, len, "kvm: read-only memory slots and immediate_exit are needed");
		return -1;
	}
	run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		return sys_error(err, len, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)run_size;
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return sys_error(err, len, "KVM_CREATE_VM");
	/* Only VMX needs these; elsewhere they are accepted and unused. */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_GPA);
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity);
	return 0;
}

static int kvm_create(struct machine *m, void **engine, char *err, size_t len)
{
	struct kvm_vm *vm = calloc(1, sizeof *vm);

	if (!vm) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	vm->m = m;
	vm->sys_fd = vm->vm_fd = -1;
	kvm_signal_setup();
	pthread_mutex_lock(&m->lock);
	int rc = open_vm(vm, err, len) < 0 ? -1 : kvm_slots_sync(vm, err, len);
	pthread_mutex_unlock(&m->lock);
	if (rc == 0)
		rc = kvm_irqchip_setup(vm, err, len);
	if (rc < 0) {
		kvm_destroy(vm);
		return -1;
	}
	*engine = vm;
	return 0;
}

static void kvm_vcpu_destroy(void *vcpu)
{
	struct kvm_vcpu *v = vcpu;

	if (!v)
		return;
	if (v->timer_ok)
		timer_delete(v->timer);
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	pthread_mutex_destroy(&v->kick_lock);
	free(v);
}

static int kvm_vcpu_create(void *engine, int index, void **vcpu, char *err, size_t len)
{
	struct kvm_vcpu *v = calloc(1, sizeof *v);

	if (!v) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	v->vm = engine;
	atomic_init(&v->counts.last_vector, -1);
	pthread_mutex_init(&v->kick_lock, NULL);
	v->fd = ioctl(v->vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0) {
		sys_error(err, len, "KVM_CREATE_VCPU");
		goto fail;
	}
	v->run = mmap(NULL, v->vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		sys_error(err, len, "mmap kvm_run");
		goto fail;
	}
	if (kvm_cpuid_setup(v, err, len) < 0 || kvm_apic_created(v, err, len) < 0)
		goto fail;
	*vcpu = v;
	return 0;
fail:
	kvm_vcpu_destroy(v);
	return -1;
}

static void kvm_vcpu_reset(void *vcpu)
{
	kvm_vcpu_set_reset_state(vcpu);
}

static void kvm_set_boot32(void *vcpu, const struct vcpu_boot32 *boot)
{
	kvm_vcpu_set_boot32(vcpu, boot);
}

static enum vcpu_exit kvm_run_slice(void *vcpu, uint64_t budget)
{
	(void)budget; /* KVM runs until an exit, not a number of instructions */
	return kvm_vcpu_run(vcpu);
}

static void kvm_vcpu_kick(void *vcpu)
{
	struct kvm_vcpu *v = vcpu;

	pthread_mutex_lock(&v->kick_lock);
	atomic_store(&v->kicked, true);
	if (v->in_run)
		pthread_kill(v->thread, kvm_kick_signal());
	pthread_mutex_unlock(&v->kick_lock);
}

static void kvm_vcpu_retime_op(void *vcpu)
{
	kvm_vcpu_retime(vcpu);
}

static uint64_t get(atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void kvm_vcpu_stats(void *vcpu, struct vcpu_stats *st)
{
	struct kvm_vcpu *v = vcpu;
	struct kvm_exit_counts *c = &v->counts;

	st->insns = 0;
	st->exits = get(&c->total);
	st->exits_io = get(&c->io);
	st->exits_mmio = get(&c->mmio);
	st->exits_hlt = get(&c->hlt);
	st->exits_intr = get(&c->intr) + get(&c->window);
	st->exits_other = get(&c->other);
	st->injected = get(&c->injected);
	st->last_vector = atomic_load_explicit(&c->last_vector, memory_order_relaxed);
	/* Racy snapshot of the vCPU thread's state: for diagnosis only. */
	st->halted = v->halted;
	st->ready = v->run->ready_for_interrupt_injection;
	st->if_flag = v->run->if_flag;
	st->stale = v->ready_stale;
	st->window = v->run->request_interrupt_window;
}

static int kvm_get_state(void *vcpu, struct vcpu_state *st, char *err, size_t len)
{
	return kvm_vcpu_get_state(vcpu, st, err, len);
}

static int kvm_set_state(void *vcpu, const struct vcpu_state *st, char *err, size_t len)
{
	return kvm_vcpu_set_state(vcpu, st, err, len);
}

static int kvm_ioeventfd(void *engine, uint64_t gpa, unsigned len, int fd, bool assign)
{
	struct kvm_vm *vm = engine;
	struct kvm_ioeventfd io = {
	    .addr = gpa, .len = len, .fd = fd, .flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN};

	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
		errno = ENOSYS;
		return -1;
	}
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -1 : 0;
}

const struct engine_ops engine_kvm = {
    .name = "kvm",
    .probe = kvm_probe,
    .create = kvm_create,
    .destroy = kvm_destroy,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_destroy = kvm_vcpu_destroy,
    .vcpu_reset = kvm_vcpu_reset,
    .vcpu_set_boot32 = kvm_set_boot32,
    .vcpu_run = kvm_run_slice,
    .vcpu_kick = kvm_vcpu_kick,
    .vcpu_retime = kvm_vcpu_retime_op,
    .vcpu_stats = kvm_vcpu_stats,
    .vcpu_get_state = kvm_get_state,
    .vcpu_set_state = kvm_set_state,
    .ioeventfd = kvm_ioeventfd,
};
