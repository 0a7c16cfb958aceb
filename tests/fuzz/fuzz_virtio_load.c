/* The virtio devices' load ops (device_ops.load; the transport's part is
 * virtio_pci_load): the first byte picks a device (its value mod 5) and
 * the format (1 below 5, else 2, the one with MSI-X), the rest is its
 * saved state. The devices offer MSI-X (an MSI sink that takes the
 * APIC's window). A load that takes the bytes must leave a device whose own save
 * loads again into a reset device and saves the same bytes (nothing out
 * of range got in), and that serves a notification of every queue without
 * leaving guest RAM; a load that refuses them must not crash or leak.
 * Seeds: tests/fuzz/tools/virtio_load_seeds.py. */
#include "fuzz.h"
#include "hv/core/clock.h"
#include "hv/core/log.h"
#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_console.h"
#include "hv/virtio/virtio_gpu.h"
#include "hv/virtio/virtio_input.h"
#include "hv/virtio/virtio_net.h"
#include "hv/virtio/virtio_rng.h"

struct target {
	const struct device_ops *ops;
	void *dev;
	struct virtio_pci *vp;
};

static struct guest_mem mem;
static struct vclock clock_;
static struct virtio_console con;
static struct virtio_rng rng;
static struct virtio_input kbd;
static struct virtio_net net;
static struct virtio_gpu gpu;
static struct target targets[5];

static int msi_send(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque, (void)data;
	return (addr >> 20) == 0xFEE ? 0 : -1;
}

static const struct msi_sink sink = {msi_send, NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, 1};
	const struct virtio_console_backend cb = {0};
	const struct virtio_net_backend nb = {0};
	char err[128];

	(void)argc;
	(void)argv;
	log_set_sinks(NULL, NULL); /* refusals are logged; the fuzzer makes many */
	if (mem_init(&mem, 2u << 20, err, sizeof err) < 0)
		abort();
	vclock_init(&clock_);
	virtio_console_init(&con, &mem, (struct irq_line){0}, &cb, "hvc0");
	virtio_rng_init(&rng, &mem, &clock_, (struct irq_line){0}, VIRTIO_RNG_RATE,
			VIRTIO_RNG_BURST, "rng0");
	virtio_input_init(&kbd, &mem, (struct irq_line){0}, VIRTIO_INPUT_KEYBOARD, "kbd0");
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &nb, "net0");
	virtio_gpu_init(&gpu, &mem, (struct irq_line){0}, 1024, 768, "gpu0");
	targets[0] = (struct target){&virtio_console_device_ops, &con, &con.vp};
	targets[1] = (struct target){&virtio_rng_device_ops, &rng, &rng.vp};
	targets[2] = (struct target){&virtio_input_device_ops, &kbd, &kbd.vp};
	targets[3] = (struct target){&virtio_net_device_ops, &net, &net.vp};
	targets[4] = (struct target){&virtio_gpu_device_ops, &gpu, &gpu.vp};
	for (unsigned i = 0; i < 5; i++)
		virtio_pci_set_msi(targets[i].vp, &sink); /* from the next reset */
	return 0;
}

static bool same_state(const struct target *t, const struct state_out *a)
{
	struct state_out b = {0};
	struct state_in in = state_in_make(a->p, a->len);
	bool same;

	t->ops->reset(t->dev);
	if (a->failed || t->ops->load(t->dev, &in, t->ops->version) != 0 || !state_in_done(&in))
		abort(); /* a state it took but cannot give back */
	t->ops->save(t->dev, &b);
	same = b.len == a->len && memcmp(a->p, b.p, a->len) == 0;
	state_out_free(&b);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct target *t;
	struct state_out a = {0};
	struct state_in in;

	if (size < 1)
		return 0;
	t = &targets[data[0] % 5];
	t->ops->reset(t->dev);
	in = state_in_make(data + 1, size - 1);
	if (t->ops->load(t->dev, &in, data[0] < 5 ? 1 : 2) == 0 && state_in_done(&in)) {
		t->ops->save(t->dev, &a);
		if (!same_state(t, &a))
			abort();
		for (unsigned q = 0; q < t->vp->ops->num_queues; q++)
			virtio_pci_bar_ops.write(t->vp, VIRTIO_PCI_NOTIFY + 4 * q, 2, q);
	}
	state_out_free(&a);
	t->ops->reset(t->dev);
	return 0;
}
