/* The soft engine: hv's own x86 CPU behind the engine interface. */
#include <stdio.h>

#include "hv/core/engine.h"
#include "hv/x86/cpu.h"

static int soft_probe(char *why, size_t len)
{
	snprintf(why, len, "the software CPU runs on any host");
	return 0;
}

static int soft_create(struct machine *m, void **engine, char *err, size_t len)
{
	(void)err;
	(void)len;
	*engine = m;
	return 0;
}

static void soft_destroy(void *engine)
{
	(void)engine;
}

static int soft_vcpu_create(void *engine, int index, void **vcpu, char *err, size_t len)
{
	if (index != 0) {
		snprintf(err, len, "the soft engine runs one vCPU");
		return -1;
	}
	*vcpu = x86_cpu_create(engine);
	if (!*vcpu) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	return 0;
}

static void soft_vcpu_destroy(void *vcpu)
{
	x86_cpu_destroy(vcpu);
}

static void soft_vcpu_reset(void *vcpu)
{
	x86_cpu_reset(vcpu);
}

static void soft_vcpu_set_boot32(void *vcpu, const struct vcpu_boot32 *boot)
{
	x86_cpu_set_boot32(vcpu, boot);
}

static enum vcpu_exit soft_vcpu_run(void *vcpu, uint64_t budget)
{
	return x86_cpu_run(vcpu, budget);
}

static void soft_vcpu_kick(void *vcpu)
{
	x86_cpu_kick(vcpu);
}

static void soft_vcpu_stats(void *vcpu, struct vcpu_stats *stats)
{
	stats->insns = x86_cpu_insns(vcpu);
	stats->exits = 0;
	x86_cpu_jit_stats(vcpu, stats);
}

static int soft_vcpu_get_state(void *vcpu, struct vcpu_state *st, char *err, size_t len)
{
	(void)err;
	(void)len;
	x86_cpu_get_state(vcpu, st);
	return 0;
}

static int soft_vcpu_set_state(void *vcpu, const struct vcpu_state *st, char *err, size_t len)
{
	return x86_cpu_set_state(vcpu, st, err, len);
}

const struct engine_ops engine_soft = {
    .name = "soft",
    .probe = soft_probe,
    .create = soft_create,
    .destroy = soft_destroy,
    .vcpu_create = soft_vcpu_create,
    .vcpu_destroy = soft_vcpu_destroy,
    .vcpu_reset = soft_vcpu_reset,
    .vcpu_set_boot32 = soft_vcpu_set_boot32,
    .vcpu_run = soft_vcpu_run,
    .vcpu_kick = soft_vcpu_kick,
    .vcpu_stats = soft_vcpu_stats,
    .vcpu_get_state = soft_vcpu_get_state,
    .vcpu_set_state = soft_vcpu_set_state,
};
