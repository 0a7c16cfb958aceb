/* Getting a vCPU thread out of KVM_RUN. A signal interrupts the ioctl; its
 * handler also sets immediate_exit in the thread's kvm_run so that a
 * signal arriving just before the ioctl is not lost (KVM then returns
 * EINTR at once instead of entering the guest). */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "hv/kvm/kvm.h"

static _Thread_local struct kvm_run *bound_run;
static pthread_once_t once = PTHREAD_ONCE_INIT;

int kvm_kick_signal(void)
{
	/* A real-time signal no library of ours uses. */
	return SIGRTMIN + 4;
}

static void on_kick(int sig)
{
	struct kvm_run *run = bound_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

static void install(void)
{
	struct sigaction sa = {0};

	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
	sigaction(kvm_kick_signal(), &sa, NULL);
}

void kvm_signal_setup(void)
{
	pthread_once(&once, install);
}

void kvm_signal_bind(struct kvm_run *run)
{
	bound_run = run;
}
