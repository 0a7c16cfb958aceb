/* The ELF32 core file of hv/core/coredump.h: headers, notes, then RAM with
 * its zero pages left as holes. */
#include "hv/core/coredump.h"
#include "hv/core/file.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PAGE		4096u
#define RUN_MAX		(1u << 20) /* bytes per pwrite */
#define PRSTATUS_SIZE	144	   /* i386 struct elf_prstatus */
#define PRSTATUS_REG_AT 72	   /* its pr_reg */
#define ELF32_LIMIT	0x100000000ull
#define LOADS_MAX	8

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* One note: header, name, descriptor, each padded to 4 bytes. Returns the
 * bytes it takes; writes them to out when out is not NULL. */
static size_t note(uint8_t *out, const char *name, uint32_t type, const void *desc, size_t len)
{
	size_t namesz = strlen(name) + 1;

	if (out) {
		put32(out, (uint32_t)namesz);
		put32(out + 4, (uint32_t)len);
		put32(out + 8, type);
		memset(out + 12, 0, align4(namesz) + align4(len));
		memcpy(out + 12, name, namesz);
		memcpy(out + 12 + align4(namesz), desc, len);
	}
	return 12 + align4(namesz) + align4(len);
}

/* The i386 user_regs_struct order of <sys/user.h>. */
static void prstatus(uint8_t *out, const struct vcpu_state *st)
{
	const uint32_t regs[17] = {
	    (uint32_t)st->regs[3], /* EBX */
	    (uint32_t)st->regs[1], /* ECX */
	    (uint32_t)st->regs[2], /* EDX */
	    (uint32_t)st->regs[6], /* ESI */
	    (uint32_t)st->regs[7], /* EDI */
	    (uint32_t)st->regs[5], /* EBP */
	    (uint32_t)st->regs[0], /* EAX */
	    st->seg[VCPU_DS].selector,
	    st->seg[VCPU_ES].selector,
	    st->seg[VCPU_FS].selector,
	    st->seg[VCPU_GS].selector,
	    0xffffffffu, /* ORIG_EAX: not in a system call */
	    (uint32_t)st->rip,
	    st->seg[VCPU_CS].selector,
	    (uint32_t)st->rflags,
	    (uint32_t)st->regs[4], /* ESP */
	    st->seg[VCPU_SS].selector,
	};

	memset(out, 0, PRSTATUS_SIZE);
	for (unsigned i = 0; i < 17; i++)
		put32(out + PRSTATUS_REG_AT + 4 * i, regs[i]);
}

static void hv_cpu(struct coredump_hv_cpu *c, const struct vcpu_state *st)
{
	memset(c, 0, sizeof *c);
	c->cr0 = st->cr0;
	c->cr2 = st->cr2;
	c->cr3 = st->cr3;
	c->cr4 = st->cr4;
	c->efer = st->efer;
	c->gdtr_base = st->gdtr.base;
	c->gdtr_limit = st->gdtr.limit;
	c->idtr_base = st->idtr.base;
	c->idtr_limit = st->idtr.limit;
	for (unsigned i = 0; i < 6; i++)
		c->seg_base[i] = st->seg[i].base;
}

static int put_all(int fd, const void *buf, size_t len, uint64_t off, char *err, size_t errlen)
{
	if (file_pwrite_all(fd, buf, len, off, NULL) < 0) {
		snprintf(err, errlen, "write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static bool page_is_zero(const uint8_t *p)
{
	uint64_t acc = 0, w;

	for (unsigned i = 0; i < PAGE; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	return acc == 0;
}

/* The non-zero pages of [i, end) of one range, in runs of at most RUN_MAX
 * bytes. */
static int put_pages(int fd, const struct coredump_ram *r, uint64_t i, uint64_t end, uint64_t off,
		     char *err, size_t errlen)
{
	while (i < end) {
		uint64_t j = i;

		if (page_is_zero(r->host + i)) {
			i += PAGE;
			continue;
		}
		while (j < end && j - i < RUN_MAX && !page_is_zero(r->host + j))
			j += PAGE;
		if (put_all(fd, r->host + i, (size_t)(j - i), off + i, err, errlen) < 0)
			return -1;
		i = j;
	}
	return 0;
}

/* One range: with its file, only the extents SEEK_DATA finds (rounded out
 * to pages); without, every page. */
static int put_ram(int fd, const struct coredump_ram *r, uint64_t off, char *err, size_t errlen)
{
	uint64_t i = 0;

	if (r->fd < 0)
		return put_pages(fd, r, 0, r->size, off, err, errlen);
	while (i < r->size) {
		off_t data = lseek(r->fd, (off_t)(r->fd_off + i), SEEK_DATA), hole;
		uint64_t from, to;

		if (data < 0)
			break; /* ENXIO: no data after i */
		hole = lseek(r->fd, data, SEEK_HOLE);
		if (hole < 0)
			hole = (off_t)(r->fd_off + r->size);
		from = ((uint64_t)data - r->fd_off) & ~(uint64_t)(PAGE - 1);
		to = ((uint64_t)hole - r->fd_off + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		if (from < i)
			from = i;
		if (to > r->size)
			to = r->size;
		if (from >= r->size)
			break;
		if (put_pages(fd, r, from, to, off, err, errlen) < 0)
			return -1;
		i = to > from ? to : from + PAGE;
	}
	return 0;
}

static void elf_header(Elf32_Ehdr *eh, unsigned phnum)
{
	memset(eh, 0, sizeof *eh);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(Elf32_Ehdr);
	eh->e_ehsize = sizeof(Elf32_Ehdr);
	eh->e_phentsize = sizeof(Elf32_Phdr);
	eh->e_phnum = (Elf32_Half)phnum;
}

/* The ranges an ELF32 file can name, clipped; returns their count. */
static unsigned pick_loads(const struct coredump_ram *ram, unsigned n, struct coredump_ram *out,
			   uint64_t *skipped)
{
	unsigned k = 0;

	*skipped = 0;
	for (unsigned i = 0; i < n; i++) {
		struct coredump_ram r = ram[i];

		if (r.gpa >= ELF32_LIMIT || k == LOADS_MAX) {
			*skipped += r.size;
			continue;
		}
		if (r.size > ELF32_LIMIT - r.gpa) {
			*skipped += r.size - (ELF32_LIMIT - r.gpa);
			r.size = ELF32_LIMIT - r.gpa;
		}
		out[k++] = r;
	}
	return k;
}

static int put_headers(int fd, const struct coredump_ram *loads, unsigned k,
		       const struct vcpu_state *st, uint64_t *data_at, char *err, size_t errlen)
{
	uint8_t buf[sizeof(Elf32_Ehdr) + (LOADS_MAX + 1) * sizeof(Elf32_Phdr) + 512];
	uint8_t pr[PRSTATUS_SIZE];
	struct coredump_hv_cpu cpu;
	Elf32_Ehdr eh;
	Elf32_Phdr ph[LOADS_MAX + 1];
	size_t notes_at = sizeof(Elf32_Ehdr) + (k + 1) * sizeof(Elf32_Phdr), len;
	uint64_t off;

	prstatus(pr, st);
	hv_cpu(&cpu, st);
	len = note(NULL, "CORE", NT_PRSTATUS, pr, sizeof pr) +
	      note(NULL, "HV", COREDUMP_NT_HV_CPU, &cpu, sizeof cpu);
	memset(ph, 0, sizeof ph);
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = (Elf32_Off)notes_at;
	ph[0].p_filesz = (Elf32_Word)len;
	off = (notes_at + len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	*data_at = off;
	for (unsigned i = 0; i < k; i++) {
		ph[i + 1].p_type = PT_LOAD;
		ph[i + 1].p_offset = (Elf32_Off)off;
		ph[i + 1].p_vaddr = ph[i + 1].p_paddr = (Elf32_Addr)loads[i].gpa;
		ph[i + 1].p_filesz = ph[i + 1].p_memsz = (Elf32_Word)loads[i].size;
		ph[i + 1].p_flags = PF_R | PF_W | PF_X;
		ph[i + 1].p_align = PAGE;
		off += loads[i].size;
	}
	if (off >= ELF32_LIMIT) {
		snprintf(err, errlen, "the RAM does not fit an ELF32 core file");
		return -1;
	}
	elf_header(&eh, k + 1);
	memcpy(buf, &eh, sizeof eh);
	memcpy(buf + sizeof(Elf32_Ehdr), ph, (k + 1) * sizeof(Elf32_Phdr));
	note(buf + notes_at, "CORE", NT_PRSTATUS, pr, sizeof pr);
	note(buf + notes_at + note(NULL, "CORE", NT_PRSTATUS, pr, sizeof pr), "HV",
	     COREDUMP_NT_HV_CPU, &cpu, sizeof cpu);
	return put_all(fd, buf, notes_at + len, 0, err, errlen);
}

int coredump_write(int fd, const struct coredump_ram *ram, unsigned n, const struct vcpu_state *st,
		   uint64_t *skipped, char *err, size_t errlen)
{
	struct coredump_ram loads[LOADS_MAX];
	uint64_t off, left_out;
	unsigned k = pick_loads(ram, n, loads, &left_out);

	for (unsigned i = 0; i < k; i++) {
		if (loads[i].size % PAGE) {
			snprintf(err, errlen, "RAM range at %#llx is not whole pages",
				 (unsigned long long)loads[i].gpa);
			return -1;
		}
	}
	if (put_headers(fd, loads, k, st, &off, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < k; i++) {
		if (put_ram(fd, &loads[i], off, err, errlen) < 0)
			return -1;
		off += loads[i].size;
	}
	if (ftruncate(fd, (off_t)off) != 0) {
		snprintf(err, errlen, "ftruncate: %s", strerror(errno));
		return -1;
	}
	if (skipped)
		*skipped = left_out;
	return 0;
}
