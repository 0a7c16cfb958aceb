/* Guest memory as KVM memory slots. hv's memory map is a stack of regions
 * (later ones cover earlier ones: ROM and MMIO over RAM); KVM wants flat,
 * non-overlapping, page-granular slots. The map is flattened into the
 * pieces where RAM or ROM shows through, whole pages only; everything else
 * (MMIO, holes, partial pages) is left out of the slots so that it exits
 * and goes through mem_read_sized / mem_write_sized like the soft CPU's
 * slow path. ROM becomes a read-only slot: guest writes to it exit too and
 * are dropped by the memory layer. A slot that a dirty-page log
 * (hv/core/dirty.h) covers logs its writes in KVM, harvested into the memory's
 * logs at each fetch and before the slot goes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "hv/kvm/kvm.h"
#include "hv/core/log.h"
#include "hv/core/machine.h"

#define PAGE_MASK ((uint64_t)MEM_PAGE_SIZE - 1)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The page-aligned copy of a ROM image, made on first use. */
static uint8_t *rom_copy(struct kvm_vm *vm, const struct mem_region *r)
{
	struct kvm_rom_copy *c;

	for (unsigned i = 0; i < vm->nroms; i++)
		if (vm->roms[i].src == r->host && vm->roms[i].size == r->size)
			return vm->roms[i].copy;
	if (vm->nroms == KVM_MAX_ROM_COPY)
		return NULL;
	c = &vm->roms[vm->nroms];
	c->copy = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->copy == MAP_FAILED)
		return NULL;
	memcpy(c->copy, r->host, r->size);
	c->src = r->host;
	c->size = r->size;
	vm->nroms++;
	return c->copy;
}

/* Host address of gpa inside region r, page aligned, or NULL. */
static uint8_t *slot_host(struct kvm_vm *vm, const struct mem_region *r, uint64_t gpa)
{
	uint8_t *host = r->host + (gpa - r->base);

	if (((uintptr_t)host & PAGE_MASK) == 0)
		return host;
	if (r->kind != MEM_ROM || (r->base & PAGE_MASK))
		return NULL;
	host = rom_copy(vm, r);
	return host ? host + (gpa - r->base) : NULL;
}

/* Appends [gpa, gpa+size) at host to out, merging with the previous piece
 * when both continue each other. Returns -1 when out is full. */
static int add_piece(struct kvm_slot *out, unsigned *n, uint64_t gpa, uint64_t size, uint8_t *host,
		     bool readonly, bool log)
{
	struct kvm_slot *p = *n ? &out[*n - 1] : NULL;

	if (p && p->gpa + p->size == gpa && p->host + p->size == host && p->readonly == readonly &&
	    p->log == log) {
		p->size += size;
		return 0;
	}
	if (*n == KVM_MAX_SLOTS)
		return -1;
	out[(*n)++] = (struct kvm_slot){gpa, size, host, readonly, log, -1};
	return 0;
}

/* The slots the current memory map calls for. Returns how many, or -1. */
static int layout(struct kvm_vm *vm, struct kvm_slot *out)
{
	struct guest_mem *mem = &vm->m->mem;
	uint64_t edges[2 * MEM_MAX_REGIONS];
	unsigned nedges = 0, n = 0;

	for (unsigned i = 0; i < mem->count; i++) {
		edges[nedges++] = mem->regions[i].base;
		edges[nedges++] = mem->regions[i].base + mem->regions[i].size;
	}
	qsort(edges, nedges, sizeof edges[0], cmp_u64);
	/* No region starts or ends strictly inside [a, b), so one region
	 * shows through all of it. */
	for (unsigned i = 0; i + 1 < nedges; i++) {
		uint64_t a = (edges[i] + PAGE_MASK) & ~PAGE_MASK, b = edges[i + 1] & ~PAGE_MASK;
		const struct mem_region *r;
		uint8_t *host;

		if (a >= b)
			continue;
		r = mem_find(mem, a);
		if (!r || r->kind == MEM_MMIO)
			continue;
		host = slot_host(vm, r, a);
		if (host && add_piece(out, &n, a, b - a, host, r->kind == MEM_ROM,
				      r->kind == MEM_RAM && mem_dirty_covers(mem, a, b - a)) < 0)
			return -1;
	}
	return (int)n;
}

static int set_slot(struct kvm_vm *vm, const struct kvm_slot *s, bool present)
{
	struct kvm_userspace_memory_region r = {
	    .slot = (uint32_t)s->id,
	    .flags = (s->readonly ? KVM_MEM_READONLY : 0) | (s->log ? KVM_MEM_LOG_DIRTY_PAGES : 0),
	    .guest_phys_addr = s->gpa,
	    .memory_size = present ? s->size : 0,
	    .userspace_addr = (uintptr_t)s->host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static bool same(const struct kvm_slot *a, const struct kvm_slot *b)
{
	return a->gpa == b->gpa && a->size == b->size && a->host == b->host &&
	       a->readonly == b->readonly;
}

/* Adds what KVM logged for slot s to the memory's dirty-page logs (and
 * clears KVM's log). When KVM cannot say, every page of s counts. */
static void harvest(struct kvm_vm *vm, const struct kvm_slot *s)
{
	uint64_t pages = s->size / MEM_PAGE_SIZE, words = (pages + 63) / 64;
	uint64_t *bits = calloc(words, sizeof *bits);
	struct kvm_dirty_log log = {.slot = (uint32_t)s->id, .dirty_bitmap = bits};

	if (!bits || ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
		mem_mark_written(&vm->m->mem, s->gpa, s->size);
		free(bits);
		return;
	}
	for (uint64_t w = 0; w < words; w++) {
		for (uint64_t b = bits[w]; b; b &= b - 1) {
			uint64_t page = w * 64 + (uint64_t)__builtin_ctzll(b);

			mem_mark_written(&vm->m->mem, s->gpa + page * MEM_PAGE_SIZE, MEM_PAGE_SIZE);
		}
	}
	free(bits);
}

/* Keeps old slot `old` as want (the same memory): only the dirty-logging
 * flag may differ, which KVM changes in place. */
static int keep(struct kvm_vm *vm, const struct kvm_slot *old, struct kvm_slot *want, char *err,
		size_t len)
{
	want->id = old->id;
	if (want->log == old->log)
		return 0;
	if (old->log)
		harvest(vm, old);
	if (set_slot(vm, want, true) == 0)
		return 0;
	snprintf(err, len, "KVM_SET_USER_MEMORY_REGION (dirty logging): %s", strerror(errno));
	return -1;
}

/* Keeps the slots of `want` that exist already, deletes the rest of the
 * old ones (first, so that nothing overlaps), then adds the new ones. */
static int apply(struct kvm_vm *vm, struct kvm_slot *want, unsigned n, char *err, size_t len)
{
	bool used[KVM_MAX_SLOTS] = {false};
	int next = 0;

	for (unsigned i = 0; i < vm->nslots; i++) {
		unsigned j = 0;
		while (j < n && !(want[j].id < 0 && same(&want[j], &vm->slots[i])))
			j++;
		if (j < n) {
			used[vm->slots[i].id] = true;
			if (keep(vm, &vm->slots[i], &want[j], err, len) < 0)
				return -1;
			continue;
		}
		if (vm->slots[i].log)
			harvest(vm, &vm->slots[i]);
		if (set_slot(vm, &vm->slots[i], false) < 0) {
			snprintf(err, len, "KVM_SET_USER_MEMORY_REGION (delete): %s",
				 strerror(errno));
			return -1;
		}
	}
	for (unsigned j = 0; j < n; j++) {
		if (want[j].id >= 0)
			continue;
		while (used[next])
			next++;
		want[j].id = next;
		used[next] = true;
		if (set_slot(vm, &want[j], true) < 0) {
			snprintf(err, len, "KVM_SET_USER_MEMORY_REGION %#llx+%#llx: %s",
				 (unsigned long long)want[j].gpa, (unsigned long long)want[j].size,
				 strerror(errno));
			return -1;
		}
	}
	memcpy(vm->slots, want, n * sizeof want[0]);
	vm->nslots = n;
	return 0;
}

static void dirty_collect(void *opaque)
{
	struct kvm_vm *vm = opaque;

	for (unsigned i = 0; i < vm->nslots; i++)
		if (vm->slots[i].log)
			harvest(vm, &vm->slots[i]);
}

/* Logging started or stopped: turn KVM's logging on or off in the slots
 * now rather than at the vCPU's next exit, so no write goes unlogged. */
static void dirty_update(void *opaque)
{
	char err[200];

	if (kvm_slots_sync(opaque, err, sizeof err) < 0)
		log_error("kvm: %s", err);
}

static const struct mem_dirty_engine dirty_ops = {.update = dirty_update, .collect = dirty_collect};

int kvm_slots_sync(struct kvm_vm *vm, char *err, size_t len)
{
	struct kvm_slot want[KVM_MAX_SLOTS];
	uint32_t gen = vm->m->mem.generation;
	int n = layout(vm, want);

	if (n < 0) {
		snprintf(err, len, "the memory map needs more than %d KVM slots", KVM_MAX_SLOTS);
		return -1;
	}
	if (apply(vm, want, (unsigned)n, err, len) < 0)
		return -1;
	vm->mem_generation = gen;
	mem_dirty_set_engine(&vm->m->mem, &dirty_ops, vm);
	return 0;
}

void kvm_slots_free(struct kvm_vm *vm)
{
	if (vm->m && vm->m->mem.dirty.engine == &dirty_ops)
		mem_dirty_set_engine(&vm->m->mem, NULL, NULL);
	for (unsigned i = 0; i < vm->nroms; i++)
		munmap(vm->roms[i].copy, vm->roms[i].size);
	vm->nroms = 0;
}
