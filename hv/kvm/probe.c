/* Can this host's /dev/kvm run an ordinary guest? Opening it is not
 * enough: a PVM host (KVM for guests that are themselves paravirtualised)
 * accepts every ioctl but hangs an ordinary guest once it enters protected
 * mode. So the probe runs one: a page of code that loads a GDT, sets PE,
 * far-jumps into 32-bit code, takes an interrupt through an IDT gate and
 * returns with IRET, reads a word through a flat data segment and writes
 * it with OUT. The run happens on its own thread under a timer; a
 * probe that does not answer in time means no.
 *
 * The time limits are the guest's, not the host's set-up: under nested
 * virtualization by an emulator (QEMU's TCG with an emulated SVM, as
 * tests/nested runs) the first VM a fresh KVM creates, and the first
 * entry into it, take seconds. A PVM host hangs the guest after it has
 * begun (once in protected mode) and stays where it hangs, so a guest
 * whose timer went off is entered again while it is still moving on
 * between two ticks (or has not begun at the first), up to PROBE_SLOW_NS. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hv/kvm/kvm.h"
#include "hv/core/clock.h"

#define PROBE_GPA      0x1000
#define PROBE_PORT     0x80
#define PROBE_MAGIC    0x600DC0DEu
#define PROBE_LIMIT_NS 300000000   /* the guest's time to answer, once it runs */
#define PROBE_SLOW_NS  3000000000  /* ... while it still moves on */
#define PROBE_JOIN_NS  2000000000  /* KVM_RUN's, should it not return on the signal */
#define PROBE_SETUP_NS 30000000000 /* the host's to create the VM and vCPU */

/* org 1000h: lgdt [1058h]; mov eax,cr0; or al,1; mov cr0,eax;
 * jmp dword 08h:1015h; bits 32: mov ax,10h; mov ds,ax; mov ss,ax;
 * mov esp,3000h; lidt [105eh]; int 0; mov eax,[1064h]; out 80h,eax; hlt;
 * the handler at 1033h: iret. Then the GDT (null, flat code, flat data)
 * at 1038h, the IDT (one interrupt gate to the handler) at 1050h, their
 * descriptors at 1058h and 105eh, and the magic word at 1064h. The INT and
 * IRET matter: a PVM host runs the rest but cannot do an IRET. */
static const uint8_t probe_code[] = {
    0x0f, 0x01, 0x16, 0x58, 0x10, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea,
    0x15, 0x10, 0x00, 0x00, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc,
    0x00, 0x30, 0x00, 0x00, 0x0f, 0x01, 0x1d, 0x5e, 0x10, 0x00, 0x00, 0xcd, 0x00, 0xa1, 0x64,
    0x10, 0x00, 0x00, 0xe7, 0x80, 0xf4, 0xcf, 0x90, 0x90, 0x90, 0x90, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00, 0xff, 0xff, 0x00,
    0x00, 0x00, 0x92, 0xcf, 0x00, 0x33, 0x10, 0x08, 0x00, 0x00, 0x8e, 0x00, 0x00, 0x17, 0x00,
    0x38, 0x10, 0x00, 0x00, 0x07, 0x00, 0x50, 0x10, 0x00, 0x00, 0xde, 0xc0, 0x0d, 0x60,
};

struct probe {
	int sys_fd, vm_fd, vcpu_fd;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
	char why[200];
	int rc;
	int64_t setup_ns, run_ns; /* how long each took, for the message */
	unsigned entries;
	int64_t run_start; /* under done_lock: 0 until KVM_RUN is first entered */
	bool done;	   /* under done_lock */
	pthread_mutex_t done_lock;
	pthread_cond_t done_cond;
};

static int fail(struct probe *p, const char *what)
{
	snprintf(p->why, sizeof p->why, "kvm: %s: %s", what, strerror(errno));
	return -1;
}

static int setup_vm(struct probe *p)
{
	struct kvm_userspace_memory_region r = {0};
	int run_size;

	p->vm_fd = ioctl(p->sys_fd, KVM_CREATE_VM, 0);
	if (p->vm_fd < 0)
		return fail(p, "KVM_CREATE_VM");
	ioctl(p->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul); /* VMX without unrestricted guest */
	p->mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return fail(p, "mmap");
	}
	memcpy(p->mem + PROBE_GPA, probe_code, sizeof probe_code);
	r.memory_size = 0x10000;
	r.userspace_addr = (uintptr_t)p->mem;
	if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return fail(p, "KVM_SET_USER_MEMORY_REGION");
	p->vcpu_fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, 0);
	if (p->vcpu_fd < 0)
		return fail(p, "KVM_CREATE_VCPU");
	run_size = ioctl(p->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		return fail(p, "KVM_GET_VCPU_MMAP_SIZE");
	p->run_size = (size_t)run_size;
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu_fd, 0);
	if (p->run == MAP_FAILED) {
		p->run = NULL;
		return fail(p, "mmap kvm_run");
	}
	return 0;
}

static int setup_regs(struct probe *p)
{
	struct kvm_sregs s;
	struct kvm_regs r = {0};

	if (ioctl(p->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return fail(p, "KVM_GET_SREGS");
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(p->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		return fail(p, "KVM_SET_SREGS");
	r.rip = PROBE_GPA;
	r.rflags = 2;
	if (ioctl(p->vcpu_fd, KVM_SET_REGS, &r) < 0)
		return fail(p, "KVM_SET_REGS");
	return 0;
}

static void mark_run_start(struct probe *p)
{
	pthread_mutex_lock(&p->done_lock);
	p->run_start = host_now_ns();
	pthread_mutex_unlock(&p->done_lock);
}

/* Has the guest moved since *rip (then *rip is where it is now)? A slow
 * host's guest moves on between timer ticks; a hung one stays put. */
static bool moved(struct probe *p, uint64_t *rip)
{
	struct kvm_regs r = {0};
	bool moved;

	if (ioctl(p->vcpu_fd, KVM_GET_REGS, &r) < 0)
		return false;
	moved = r.rip != *rip;
	*rip = r.rip;
	return moved;
}

/* KVM_RUN under a timer of PROBE_LIMIT_NS; again while the guest moves
 * on, up to PROBE_SLOW_NS in all. */
static int run_timed(struct probe *p, timer_t timer)
{
	struct itimerspec its = {0};
	int64_t start = host_now_ns();
	uint64_t rip = PROBE_GPA;
	int rc;

	mark_run_start(p);
	for (;;) {
		its.it_value.tv_nsec = PROBE_LIMIT_NS;
		timer_settime(timer, 0, &its, NULL);
		p->entries++;
		rc = ioctl(p->vcpu_fd, KVM_RUN, 0);
		p->run_ns = host_now_ns() - start;
		if (rc == 0 || errno != EINTR || p->run_ns >= PROBE_SLOW_NS ||
		    (!moved(p, &rip) && p->entries > 1))
			return rc;
		p->run->immediate_exit = 0;
		mark_run_start(p); /* KVM_RUN returned: its own limit starts again */
	}
}

/* Runs the guest on this thread with a timer that ends KVM_RUN. */
static int run_guest(struct probe *p)
{
	struct sigevent ev = {0};
	timer_t timer;
	int rc;

	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = kvm_kick_signal();
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, &timer) < 0)
		return fail(p, "timer_create");
	kvm_signal_bind(p->run);
	rc = run_timed(p, timer);
	timer_delete(timer);
	kvm_signal_bind(NULL);
	if (rc < 0 && errno == EINTR) {
		snprintf(p->why, sizeof p->why,
			 "kvm: a protected-mode test guest hung for %d ms (a PVM /dev/kvm?)",
			 PROBE_LIMIT_NS / 1000000);
		return -1;
	}
	if (rc < 0)
		return fail(p, "KVM_RUN");
	return 0;
}

static int check_exit(struct probe *p)
{
	struct kvm_run *run = p->run;
	uint32_t value = 0;

	if (run->exit_reason != KVM_EXIT_IO || run->io.port != PROBE_PORT || run->io.size != 4 ||
	    run->io.direction != KVM_EXIT_IO_OUT) {
		snprintf(p->why, sizeof p->why,
			 "kvm: a protected-mode test guest failed (exit %u%s)", run->exit_reason,
			 run->exit_reason == KVM_EXIT_INTERNAL_ERROR
			     ? ": KVM cannot emulate its IRET; a PVM /dev/kvm?"
			     : "");
		return -1;
	}
	memcpy(&value, (uint8_t *)run + run->io.data_offset, 4);
	if (value != PROBE_MAGIC) {
		snprintf(p->why, sizeof p->why, "kvm: the test guest wrote %#x, not %#x", value,
			 PROBE_MAGIC);
		return -1;
	}
	snprintf(p->why, sizeof p->why,
		 "kvm: /dev/kvm runs a protected-mode test guest (set-up %lld ms, run %lld ms in "
		 "%u entr%s)",
		 (long long)(p->setup_ns / 1000000), (long long)(p->run_ns / 1000000), p->entries,
		 p->entries == 1 ? "y" : "ies");
	return 0;
}

static void cleanup(struct probe *p)
{
	if (p->run)
		munmap(p->run, p->run_size);
	if (p->vcpu_fd >= 0)
		close(p->vcpu_fd);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
	if (p->mem)
		munmap(p->mem, 0x10000);
	close(p->sys_fd);
}

static void *probe_thread(void *arg)
{
	struct probe *p = arg;
	int64_t start = host_now_ns();
	int rc = setup_vm(p);

	if (rc == 0)
		rc = setup_regs(p);
	p->setup_ns = host_now_ns() - start;
	if (rc == 0)
		rc = run_guest(p);
	if (rc == 0)
		rc = check_exit(p);
	cleanup(p);
	pthread_mutex_lock(&p->done_lock);
	p->rc = rc;
	p->done = true;
	pthread_cond_signal(&p->done_cond);
	pthread_mutex_unlock(&p->done_lock);
	return NULL;
}

/* Is the probe thread stuck: in set-up past PROBE_SETUP_NS, or in one
 * KVM_RUN past PROBE_JOIN_NS? Under done_lock. */
static bool stuck(const struct probe *p, int64_t start, char *why, size_t len)
{
	int64_t now = host_now_ns();

	if (!p->run_start && now - start > PROBE_SETUP_NS) {
		snprintf(why, len, "kvm: creating a test VM took over %lld s",
			 (long long)(PROBE_SETUP_NS / 1000000000));
		return true;
	}
	if (p->run_start && now - p->run_start > PROBE_JOIN_NS) {
		snprintf(why, len, "kvm: a protected-mode test guest hung KVM_RUN for %lld s",
			 (long long)(PROBE_JOIN_NS / 1000000000));
		return true;
	}
	return false;
}

/* Waits for the probe thread; false if it is stuck (then it is left
 * behind, detached, with its state: nothing else refers to it). */
static bool wait_probe(struct probe *p, pthread_t t, char *why, size_t len)
{
	int64_t start = host_now_ns();
	struct timespec ts;
	bool done;

	pthread_mutex_lock(&p->done_lock);
	while (!p->done && !stuck(p, start, why, len)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000; /* looks again every 100 ms */
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->done_cond, &p->done_lock, &ts);
	}
	done = p->done;
	pthread_mutex_unlock(&p->done_lock);
	if (done)
		pthread_join(t, NULL);
	else
		pthread_detach(t);
	return done;
}

static int probe_once(char *why, size_t len)
{
	static struct probe p; /* outlives a stuck probe thread */
	pthread_t t;

	p.vm_fd = p.vcpu_fd = -1;
	p.sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (p.sys_fd < 0) {
		snprintf(why, len, "kvm: cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	if (ioctl(p.sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, len, "kvm: /dev/kvm has an unknown API version");
		close(p.sys_fd);
		return -1;
	}
	kvm_signal_setup();
	pthread_mutex_init(&p.done_lock, NULL);
	pthread_cond_init(&p.done_cond, NULL);
	if (pthread_create(&t, NULL, probe_thread, &p) != 0) {
		snprintf(why, len, "kvm: cannot start the probe thread");
		close(p.sys_fd);
		return -1;
	}
	if (!wait_probe(&p, t, why, len))
		return -1;
	snprintf(why, len, "%s", p.why);
	return p.rc;
}

static pthread_once_t probe_done = PTHREAD_ONCE_INIT;
static int probe_rc;
static char probe_why[256];

static void probe_cached(void)
{
	probe_rc = probe_once(probe_why, sizeof probe_why);
}

int kvm_probe_host(char *why, size_t len)
{
	pthread_once(&probe_done, probe_cached);
	snprintf(why, len, "%s", probe_why);
	return probe_rc;
}
