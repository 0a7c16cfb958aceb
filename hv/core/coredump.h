/* A guest's memory and registers as an ELF core file a debugger reads
 * (`gdb -c FILE`, `readelf -n`): on_crash = "coredump-destroy" and
 * "coredump-restart" write one (hv/domain/coredump.c says where).
 *
 * The file is ELF32 for i386 (EM_386, ET_CORE): hv's CPU is an i686, so
 * the vCPU's 32-bit registers are all there is to show. It holds
 *   - a PT_NOTE with one NT_PRSTATUS ("CORE"): the registers in the i386
 *     user_regs_struct order (EBX ECX EDX ESI EDI EBP EAX DS ES FS GS
 *     ORIG_EAX EIP CS EFLAGS ESP SS), ORIG_EAX = -1;
 *   - a PT_NOTE "HV" of type COREDUMP_NT_HV_CPU: the system registers
 *     (struct coredump_hv_cpu) for paging and descriptor tables;
 *   - one PT_LOAD per RAM range, p_paddr = p_vaddr = its guest-physical
 *     address, page-aligned in the file. RAM mapped at 4 GiB and above
 *     cannot be named by an ELF32 address and is left out (the header's
 *     e_flags is 0; coredump_write says how many bytes it left out).
 * Pages of zeros are not written: the file is sparse. */
#ifndef HV_COREDUMP_H
#define HV_COREDUMP_H
#include <stddef.h>
#include <stdint.h>

#include "hv/core/engine.h"

#define COREDUMP_NT_HV_CPU 0x4856 /* "HV" note: struct coredump_hv_cpu */

/* The "HV" note's payload, little-endian, every field 64 bits. */
struct coredump_hv_cpu {
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t gdtr_base, gdtr_limit, idtr_base, idtr_limit;
	uint64_t seg_base[6]; /* ES CS SS DS FS GS */
};

struct coredump_ram {
	uint64_t gpa;  /* guest-physical address of host[0] */
	uint64_t size; /* bytes, a multiple of 4096 */
	const uint8_t *host;
	/* The file host maps (the RAM memfd) and host[0]'s offset in it, or
	 * fd -1: with a file, its holes (pages never touched) are skipped
	 * with SEEK_DATA/SEEK_HOLE instead of being read, which would
	 * allocate them. */
	int fd;
	uint64_t fd_off;
};

/* Writes the core to fd (a new, empty regular file) with pwrite, leaving
 * zero pages as holes; n ranges of RAM. Returns 0, or -1 with a reason
 * in err. *skipped (may be NULL) gets the RAM bytes left out (above
 * 4 GiB). */
int coredump_write(int fd, const struct coredump_ram *ram, unsigned n, const struct vcpu_state *st,
		   uint64_t *skipped, char *err, size_t errlen);

#endif
