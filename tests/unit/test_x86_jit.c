/* The soft CPU's JIT (hv/x86/jit*.c): its W^X code buffer (two views of
 * one memfd, filled then emptied as a whole, refused by a host that
 * denies executable mappings) and translated blocks that leave the state
 * exactly as the block interpreter does: registers, lazy flags, EIP, the
 * instruction count, and a fault in the middle of a block. Code runs in
 * real mode at 0000:7C00 with SS:SP = 0000:7000 (bytes from nasm, bits 16;
 * keep each comment in step with its bytes). */
#include <check.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/core/bigmem.h"
#include "unit.h"
#include "x86_fixture.h"

/* The permissions /proc/self/maps shows for the mapping holding p. */
static void perms_of(const void *p, char out[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)p;

	ck_assert_ptr_nonnull(f);
	strcpy(out, "none");
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, out) == 3 && a >= lo && a < hi)
			break;
	fclose(f);
}

START_TEST(test_buffer_is_two_views_never_writable_and_executable)
{
	/* mov eax, 42; ret */
	static const uint8_t code[] = {0xb8, 42, 0, 0, 0, 0xc3};
	struct x86_jit_buf b;
	struct x86_jit_area area;
	char why[128], rw[5], rx[5];
	int (*fn)(void);

	ck_assert_int_eq(x86_jit_buf_init(&b, 65536, why, sizeof why), 0);
	x86_jit_buf_split(&b, 32768);
	ck_assert(x86_jit_buf_room(&b, &area));
	memcpy(area.hot, code, sizeof code);
	x86_jit_buf_take(&b, area.hot + sizeof code, area.cold);
	fn = (int (*)(void))(uintptr_t)x86_jit_buf_rx(&b, area.hot);
	ck_assert_ptr_nonnull(fn);
	ck_assert_ptr_ne((void *)fn, b.rw);
	ck_assert_int_eq(memcmp(b.rw, code, sizeof code), 0);
	ck_assert_int_eq(fn(), 42);
	perms_of(b.rw, rw);
	perms_of(b.rx, rx);
	ck_assert_str_eq(rw, "rw-s");
	ck_assert_str_eq(rx, "r-xs");
	/* A store through the writable view is what the executable one runs. */
	b.rw[1] = 7;
	ck_assert_int_eq(fn(), 7);
	x86_jit_buf_free(&b);
}
END_TEST

/* Whether /proc/self/smaps shows the mapping holding p advised for huge
 * pages (VmFlags "hg", which madvise(MADV_HUGEPAGE) sets). */
static bool huge_advised(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)p;
	bool in = false, hg = false;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			hg = strstr(line, " hg") != NULL;
	}
	fclose(f);
	return hg;
}

/* Each view of the buffer is advised for huge pages and starts on a huge
 * page's boundary (mmap alone aligns to 4 KiB), so that the host can
 * back it with 2 MiB pages: a boot's code was otherwise a fault per 4
 * KiB page in each view. Several buffers, so that one lands off the
 * alignment by chance. */
START_TEST(test_buffer_views_are_aligned_for_huge_pages)
{
	struct x86_jit_buf b[4];
	char why[128];

	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(
		    x86_jit_buf_init(&b[i], BIGMEM_ALIGN + (size_t)i * 4096, why, sizeof why), 0);
		ck_assert_uint_eq((uintptr_t)b[i].rw % BIGMEM_ALIGN, 0);
		ck_assert_uint_eq((uintptr_t)b[i].rx % BIGMEM_ALIGN, 0);
		ck_assert(huge_advised(b[i].rw));
		ck_assert(huge_advised(b[i].rx));
	}
	for (int i = 0; i < 4; i++)
		x86_jit_buf_free(&b[i]);
}
END_TEST

/* A host that refuses executable mappings (as SELinux's execmem does):
 * mmap with PROT_EXEC fails with EPERM under a seccomp filter, in a child. */
static void refuse_exec(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof f / sizeof f[0], f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		_exit(10);
}

START_TEST(test_refused_exec_mapping_runs_the_interpreter)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* inc eax; hlt */
		static const uint8_t code[] = {0x66, 0x40, 0xf4};
		struct x86_jit_buf b;
		char why[128];

		refuse_exec();
		if (x86_jit_buf_init(&b, 65536, why, sizeof why) != -1 || !strstr(why, "PROT_EXEC"))
			_exit(11);
		x86_jit_destroy(cpu);
		x86_jit_create(cpu, false);
		if (cpu->jit)
			_exit(12);
		x86f_load(code, sizeof code, 0x7c00);
		_exit(x86f_run_real(0x7c00, 100) == VCPU_EXIT_HALT && reg(X86_EAX) == 1 ? 0 : 13);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_jit_off_by_switch)
{
	x86_jit_destroy(cpu);
	x86_jit_create(cpu, true);
	ck_assert_ptr_null(cpu->jit);
	setenv("HV_JIT", "0", 1);
	x86_jit_create(cpu, false);
	unsetenv("HV_JIT");
	ck_assert_ptr_null(cpu->jit);
}
END_TEST

/* What a run leaves that software or the run loop can see. */
struct result {
	uint32_t regs[8], eip, eflags;
	uint64_t insns, native, calls;
	uint8_t low[0x8000];
	enum vcpu_exit exit;
};

/* run_prog with SS.B set (a 32-bit stack in real mode, as left by a
 * protected-mode SS): the JIT's native stack forms apply. */
static bool big_ss;

static void run_prog(const uint8_t *code, size_t len, bool jit, struct result *r)
{
	x86f_setup(1u << 20);
	if (big_ss) {
		cpu->seg[X86_SS].attr |= X86_SEG_BIG;
		x86_seg_sync(&cpu->seg[X86_SS]);
	}
	if (!jit)
		x86_jit_destroy(cpu);
	else if (cpu->jit)
		cpu->jit->threshold = 1;
	/* #GP (vector 13) and #SS (12) go to a HLT at 0000:7E00. */
	put16(13 * 4, 0x7e00);
	put16(12 * 4, 0x7e00);
	m.mem.ram[0x7e00] = 0xf4;
	x86f_load(code, len, 0x7c00);
	r->exit = x86f_run_real(0x7c00, 1000000);
	memcpy(r->regs, cpu->regs, sizeof r->regs);
	r->eip = cpu->eip;
	r->eflags = x86_get_eflags(cpu);
	r->insns = cpu->insns;
	memcpy(r->low, m.mem.ram, sizeof r->low);
	if (jit) {
		ck_assert_ptr_nonnull(cpu->jit);
		ck_assert_uint_gt(cpu->jit->blocks, 0);
		ck_assert_uint_gt(cpu->jit->native, 0);
		r->native = cpu->jit->native;
		r->calls = cpu->jit->calls;
	}
	x86f_teardown();
}

static void same_as_interpreter(const uint8_t *code, size_t len, struct result *j)
{
	static struct result i;

	run_prog(code, len, false, &i);
	run_prog(code, len, true, j);
	ck_assert_int_eq(j->exit, i.exit);
	for (unsigned r = 0; r < 8; r++)
		ck_assert_msg(j->regs[r] == i.regs[r], "reg %u: jit %#x, interpreter %#x", r,
			      j->regs[r], i.regs[r]);
	ck_assert_uint_eq(j->eip, i.eip);
	ck_assert_uint_eq(j->eflags, i.eflags);
	ck_assert_uint_eq(j->insns, i.insns);
	ck_assert_int_eq(memcmp(j->low, i.low, sizeof i.low), 0);
}

/* A loop of native forms, handler calls and a fused DEC/JNZ. */
START_TEST(test_loop_matches_the_interpreter)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x01, 0x00, 0x00, 0x00,	      /* mov eax, 1 */
	    0x66, 0xbb, 0x05, 0x00, 0x00, 0x00,	      /* mov ebx, 5 */
	    0x66, 0xb9, 0xc8, 0x00, 0x00, 0x00,	      /* mov ecx, 200 */
	    0x66, 0x01, 0xd8,			      /* a: add eax, ebx */
	    0x66, 0x31, 0xc3,			      /* xor ebx, eax */
	    0x66, 0x83, 0xc3, 0xf9,		      /* add ebx, -7 */
	    0x66, 0x29, 0xc8,			      /* sub eax, ecx */
	    0x66, 0x25, 0xff, 0xff, 0xff, 0x7f,	      /* and eax, 7fffffffh */
	    0x66, 0x81, 0xcb, 0x00, 0x01, 0x00, 0x00, /* or ebx, 100h */
	    0x66, 0x40,				      /* inc eax */
	    0x66, 0x4b,				      /* dec ebx */
	    0x88, 0xc2,				      /* mov dl, al */
	    0x66, 0x89, 0xc6,			      /* mov esi, eax */
	    0x66, 0x8b, 0xfb,			      /* mov edi, ebx */
	    0xb4, 0x12,				      /* mov ah, 12h */
	    0x66, 0x85, 0xc6,			      /* test esi, eax */
	    0x66, 0x39, 0xfe,			      /* cmp esi, edi */
	    0x89, 0x1e, 0x00, 0x05,		      /* mov [500h], bx */
	    0x66, 0x31, 0x06, 0x04, 0x05,	      /* xor [504h], eax */
	    0x66, 0x49,				      /* dec ecx */
	    0x75, 0xc5,				      /* jnz a */
	    0x66, 0x83, 0xf9, 0x00,		      /* cmp ecx, 0 */
	    0xf4,				      /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r.regs[X86_ECX], 0);
}
END_TEST

/* Guest registers cached in host registers (jit_regs.c) kept right:
 * handler calls (XCHG) between native uses of the registers they change,
 * x86_cond calls (SETcc, CMOVcc) among the native forms, 8- and 16-bit
 * writes of a cached register, reads of the high byte of one, a write of
 * AH, addresses from cached bases and indexes (BX held in rbp, which has
 * no mod-0 form), soft-TLB misses (the slow path goes back to the form's
 * end), self loops ending in a fused DEC/JNZ and in a Jcc after a rotate
 * (x86_cond), one whose registers a handler changed after their last
 * native use (the self entry loads them), EFLAGS cached by a loop of SUBs
 * that keep CF for an INC or DEC, with handlers that write (CMC, RCL) and
 * read it (PUSHF) and ADC/SBB, and a #GP in the middle of a block after
 * writes of cached registers. */
START_TEST(test_cached_registers_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0x32, 0x00, 0x00, 0x00,		    /* mov ecx, 50 */
	    0x66, 0xbb, 0x39, 0x30, 0x00, 0x00,		    /* mov ebx, 12345 */
	    0x66, 0xba, 0x00, 0x80, 0x00, 0x00,		    /* mov edx, 0x8000 */
	    0x66, 0x31, 0xc0,				    /* xor eax, eax */
	    0x66, 0x31, 0xf6,				    /* xor esi, esi */
	    0x66, 0xbf, 0x00, 0x06, 0x00, 0x00,		    /* mov edi, 0x600 */
	    0x66, 0xbd, 0x07, 0x00, 0x00, 0x00,		    /* mov ebp, 7 */
	    0x66, 0x01, 0xd8,				    /* a: add eax, ebx */
	    0x66, 0x01, 0xd8,				    /* add eax, ebx */
	    0x66, 0x93,					    /* xchg eax, ebx */
	    0x66, 0x87, 0xf7,				    /* xchg esi, edi */
	    0x66, 0x83, 0xc6, 0x05,			    /* add esi, 5 */
	    0x66, 0x83, 0xc0, 0x01,			    /* add eax, 1 */
	    0x66, 0x01, 0xc3,				    /* add ebx, eax */
	    0x66, 0x31, 0xc2,				    /* xor edx, eax */
	    0x66, 0x83, 0xeb, 0x03,			    /* sub ebx, 3 */
	    0x88, 0xda,					    /* mov dl, bl */
	    0x01, 0xc2,					    /* add dx, ax */
	    0xfe, 0xc2,					    /* inc dl */
	    0x88, 0xf0,					    /* mov al, dh */
	    0xb4, 0x12,					    /* mov ah, 0x12 */
	    0x66, 0x01, 0xd0,				    /* add eax, edx */
	    0x0f, 0x92, 0xc3,				    /* setc bl */
	    0x66, 0x01, 0xde,				    /* add esi, ebx */
	    0x66, 0x0f, 0x48, 0xfe,			    /* cmovs edi, esi */
	    0x66, 0x81, 0xe7, 0xfe, 0x07, 0x00, 0x00,	    /* and edi, 0x7fe */
	    0x66, 0x01, 0xfe,				    /* add esi, edi */
	    0x66, 0x01, 0xf7,				    /* add edi, esi */
	    0x66, 0x81, 0xe7, 0xfe, 0x07, 0x00, 0x00,	    /* and edi, 0x7fe */
	    0x81, 0xcf, 0x00, 0x10,			    /* or di, 0x1000 */
	    0x81, 0xe6, 0xfe, 0x0f,			    /* and si, 0xffe */
	    0x89, 0x05,					    /* mov [di], ax */
	    0x01, 0x75, 0x40,				    /* add [di+0x40], si */
	    0x8b, 0x00,					    /* mov ax, [bx+si] */
	    0x03, 0x05,					    /* add ax, [di] */
	    0x89, 0x75, 0x02,				    /* mov [di+2], si */
	    0x66, 0x67, 0x8b, 0x85, 0x00, 0x06, 0x00, 0x00, /* mov eax, [ebp+0x600] */
	    0x66, 0x67, 0x8b, 0x44, 0x6f, 0x20,		    /* mov eax, [ebp*2+edi+0x20] */
	    0x66, 0x01, 0xc5,				    /* add ebp, eax */
	    0x66, 0x81, 0xe5, 0xff, 0x00, 0x00, 0x00,	    /* and ebp, 0xff */
	    0x66, 0x01, 0xed,				    /* add ebp, ebp */
	    0x66, 0x01, 0xfd,				    /* add ebp, edi */
	    0x66, 0x81, 0xe5, 0xfe, 0x03, 0x00, 0x00,	    /* and ebp, 0x3fe */
	    0x66, 0xd1, 0xc6,				    /* rol esi, 1 */
	    0x66, 0x49,					    /* dec ecx */
	    0x0f, 0x85, 0x76, 0xff,			    /* jnz a */
	    0x66, 0xb9, 0x28, 0x00, 0x00, 0x00,		    /* mov ecx, 40 */
	    0x66, 0x01, 0xd8,				    /* b: add eax, ebx */
	    0x66, 0x01, 0xc3,				    /* add ebx, eax */
	    0x66, 0x31, 0xda,				    /* xor edx, ebx */
	    0x66, 0x01, 0xd6,				    /* add esi, edx */
	    0x66, 0x01, 0xf7,				    /* add edi, esi */
	    0x66, 0x01, 0xfd,				    /* add ebp, edi */
	    0x66, 0x49,					    /* dec ecx */
	    0x66, 0xd1, 0xc0,				    /* rol eax, 1 */
	    0x75, 0xe7,					    /* jnz b */
	    0x66, 0xb9, 0x1e, 0x00, 0x00, 0x00,		    /* mov ecx, 30 */
	    0x66, 0xbb, 0x00, 0x10, 0x00, 0x00,		    /* mov ebx, 0x1000 */
	    0x66, 0x31, 0xf6,				    /* xor esi, esi */
	    0x66, 0x83, 0xc3, 0x06,			    /* c: add ebx, 6 */
	    0x66, 0x81, 0xe3, 0xfe, 0x0f, 0x00, 0x00,	    /* and ebx, 0xffe */
	    0x66, 0x81, 0xcb, 0x00, 0x10, 0x00, 0x00,	    /* or ebx, 0x1000 */
	    0x8b, 0x00,					    /* mov ax, [bx+si] */
	    0x01, 0x08,					    /* add [bx+si], cx */
	    0x66, 0x67, 0x8b, 0x13,			    /* mov edx, [ebx] */
	    0x66, 0x67, 0x03, 0x14, 0x73,		    /* add edx, [ebx+esi*2] */
	    0x89, 0x50, 0x02,				    /* mov [bx+si+2], dx */
	    0x46,					    /* inc si */
	    0x66, 0x49,					    /* dec ecx */
	    0x75, 0xd9,					    /* jnz c */
	    0x66, 0xb9, 0x14, 0x00, 0x00, 0x00,		    /* mov ecx, 20 */
	    0x66, 0x01, 0xfe,				    /* d: add esi, edi */
	    0x66, 0x01, 0xfe,				    /* add esi, edi */
	    0x66, 0x83, 0xc7, 0x03,			    /* add edi, 3 */
	    0x66, 0x87, 0xf7,				    /* xchg esi, edi */
	    0x66, 0x49,					    /* dec ecx */
	    0x75, 0xef,					    /* jnz d */
	    0x66, 0xbd, 0x19, 0x00, 0x00, 0x00,		    /* mov ebp, 25 */
	    0x66, 0x83, 0xeb, 0x03,			    /* e: sub ebx, 3 */
	    0x66, 0x46,					    /* inc esi */
	    0xf5,					    /* cmc */
	    0x66, 0x83, 0xd0, 0x00,			    /* adc eax, 0 */
	    0x66, 0x83, 0xea, 0x05,			    /* sub edx, 5 */
	    0x66, 0x4f,					    /* dec edi */
	    0x9c,					    /* pushf */
	    0x59,					    /* pop cx */
	    0x66, 0x01, 0xce,				    /* add esi, ecx */
	    0x66, 0xd1, 0xd7,				    /* rcl edi, 1 */
	    0x66, 0x19, 0xd0,				    /* sbb eax, edx */
	    0x66, 0x4d,					    /* dec ebp */
	    0x75, 0xe0,					    /* jnz e */
	    0x66, 0x89, 0xc8,				    /* mov eax, ecx */
	    0x66, 0x01, 0xc0,				    /* add eax, eax */
	    0x66, 0x01, 0xd8,				    /* add eax, ebx */
	    0x8b, 0x1e, 0xff, 0xff,			    /* mov bx, [0xffff] */
	    0x66, 0x01, 0xc0,				    /* add eax, eax */
	    0xf4,					    /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r.eip, 0x7e01); /* the #GP's HLT */
	ck_assert_uint_eq(r.regs[X86_EBP], 0);
}
END_TEST

/* PUSH r32, PUSH imm32/imm8, POP r32 (POP of what PUSH ESP pushed),
 * LEAVE, CALL rel32, RET and RET imm16 with 32-bit operands, and a Jcc
 * after a handler's flags (RCL): done natively on
 * a 32-bit stack (jit_stack.c), through the handlers on a 16-bit one (a
 * check at run time); the same results as the interpreter either way. */
START_TEST(test_stack_forms_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0x66, 0xbc, 0x00, 0x70, 0x00, 0x00, /* mov esp, 7000h */
	    0x66, 0xb9, 0x64, 0x00, 0x00, 0x00, /* mov ecx, 100 */
	    0x66, 0x31, 0xc0,			/* xor eax, eax */
	    0x66, 0x51,				/* a: push ecx */
	    0x66, 0x68, 0x78, 0x56, 0x34, 0x12, /* push dword 12345678h */
	    0x66, 0xe8, 0x19, 0x00, 0x00, 0x00, /* call dword f */
	    0x66, 0x5a,				/* pop edx */
	    0x66, 0x59,				/* pop ecx */
	    0x66, 0x01, 0xd0,			/* add eax, edx */
	    0x66, 0x6a, 0x05,			/* push dword 5 */
	    0x66, 0xe8, 0x1d, 0x00, 0x00, 0x00, /* call dword g */
	    0x66, 0x49,				/* dec ecx */
	    0x75, 0xde,				/* jnz a */
	    0x66, 0x54,				/* push esp */
	    0x66, 0x5b,				/* pop ebx */
	    0xf4,				/* hlt */
	    0x66, 0x55, 0x66, 0x89, 0xe5,	/* f: push ebp; mov ebp, esp */
	    0x66, 0x53, 0x66, 0x5b, 0x66, 0x40, /* push ebx; pop ebx; inc eax */
	    0x66, 0xd1, 0xd2, 0x72, 0x00,	/* rcl edx, 1; jc $+2 */
	    0x66, 0xc9, 0x66, 0xc3,		/* leave; ret */
	    0x66, 0xc2, 0x04, 0x00,		/* g: ret 4 */
	};
	static struct result r, r16;

	big_ss = true;
	same_as_interpreter(code, sizeof code, &r);
	big_ss = false;
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r.regs[X86_EAX], 100u * 0x12345679u);
	ck_assert_uint_eq(r.regs[X86_EBX], 0x7000);
	ck_assert_uint_eq(r.regs[X86_ESP], 0x7000);
	same_as_interpreter(code, sizeof code, &r16);
	ck_assert_int_eq(r16.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r16.regs[X86_EAX], 100u * 0x12345679u);
}
END_TEST

/* The forms of jit_ops.c and ADC/SBB, NEG, TEST r/m, imm, with the flag
 * edge cases: masked shift counts of 0 (nothing changes, not even the
 * flags) and 1, 8- and 16-bit shifts by more than their width, a rotate
 * by a multiple of its width, ADC/SBB with CF in from the lazy record and
 * from EFLAGS, INC after ADC (CF folded), IMUL that overflows 16 bits,
 * NEG of 0 and of 80h, 16-bit LEA that wraps, memory operands; the flags
 * of each pushed. Three turns: the last two translated. */
START_TEST(test_more_forms_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0xbd, 0x03, 0x00,					  /* mov bp, 3 */
	    0xbc, 0x00, 0x70,					  /* top: mov sp, 7000h */
	    0x66, 0xc7, 0x06, 0x00, 0x06, 0x01, 0x80, 0xfe, 0xff, /* mov dword [600h], 0fffe8001h */
	    0x66, 0xc7, 0x06, 0x04, 0x06, 0x65, 0x87, 0x34, 0x12, /* mov dword [604h], 12348765h */
	    0x66, 0xc7, 0x06, 0x08, 0x06, 0x0f, 0x0f, 0x0f, 0x0f, /* mov dword [608h], 0f0f0f0fh */
	    0x66, 0xc7, 0x06, 0x0c, 0x06, 0x00, 0x80, 0x81, 0x80, /* mov dword [60ch], 80818000h */
	    0x66, 0xc7, 0x06, 0x10, 0x06, 0x01, 0xc0, 0x00, 0x00, /* mov dword [610h], 0c001h */
	    0x66, 0xc7, 0x06, 0x14, 0x06, 0x03, 0x00, 0x00, 0x80, /* mov dword [614h], 80000003h */
	    0xc7, 0x06, 0x18, 0x06, 0x01, 0x80,			  /* mov word [618h], 8001h */
	    0x66, 0xb8, 0x00, 0x00, 0x00, 0x80,			  /* mov eax, 80000000h */
	    0x66, 0x01, 0xc0,					  /* add eax, eax */
	    0x66, 0xb8, 0x34, 0x12, 0x00, 0x00,			  /* mov eax, 1234h */
	    0xb1, 0x20,						  /* mov cl, 32 */
	    0x66, 0xd3, 0xe0,					  /* shl eax, cl */
	    0x9c,						  /* pushf */
	    0x66, 0xd3, 0xc0,					  /* rol eax, cl */
	    0x9c,						  /* pushf */
	    0x66, 0x50,						  /* push eax */
	    0xb1, 0x21,						  /* mov cl, 33 */
	    0x66, 0xd3, 0xe8,					  /* shr eax, cl */
	    0x9c,						  /* pushf */
	    0x66, 0x50,						  /* push eax */
	    0xb3, 0x81,						  /* mov bl, 81h */
	    0xb1, 0x08,						  /* mov cl, 8 */
	    0xd2, 0xe3,						  /* shl bl, cl */
	    0x9c,						  /* pushf */
	    0xb7, 0x81,						  /* mov bh, 81h */
	    0xd2, 0xef,						  /* shr bh, cl */
	    0x9c,						  /* pushf */
	    0xb2, 0x81,						  /* mov dl, 81h */
	    0xb1, 0x0a,						  /* mov cl, 10 */
	    0xd2, 0xfa,						  /* sar dl, cl */
	    0x9c,						  /* pushf */
	    0x53,						  /* push bx */
	    0x52,						  /* push dx */
	    0xb8, 0x00, 0x80,					  /* mov ax, 8000h */
	    0xb1, 0x11,						  /* mov cl, 17 */
	    0xd3, 0xf8,						  /* sar ax, cl */
	    0x9c,						  /* pushf */
	    0xd1, 0xe0,						  /* shl ax, 1 */
	    0x9c,						  /* pushf */
	    0xc0, 0xc0, 0x08,					  /* rol al, 8 */
	    0x9c,						  /* pushf */
	    0xd1, 0xc8,						  /* ror ax, 1 */
	    0x9c,						  /* pushf */
	    0x66, 0xc1, 0xce, 0x1f,				  /* ror esi, 31 */
	    0x9c,						  /* pushf */
	    0x50,						  /* push ax */
	    0x66, 0x56,						  /* push esi */
	    0xb8, 0x01, 0x00,					  /* mov ax, 1 */
	    0x83, 0xc0, 0xff,					  /* add ax, 0ffffh */
	    0xbb, 0xff, 0x7f,					  /* mov bx, 7fffh */
	    0x83, 0xd3, 0x00,					  /* adc bx, 0 */
	    0x9c,						  /* pushf */
	    0xf9,						  /* stc */
	    0xb9, 0xff, 0xff,					  /* mov cx, 0ffffh */
	    0x83, 0xd1, 0xff,					  /* adc cx, 0ffffh */
	    0x9c,						  /* pushf */
	    0x1c, 0xff,						  /* sbb al, 0ffh */
	    0x9c,						  /* pushf */
	    0x11, 0x06, 0x00, 0x06,				  /* adc [600h], ax */
	    0x9c,						  /* pushf */
	    0x66, 0x83, 0x1e, 0x02, 0x06, 0x01,			  /* sbb dword [602h], 1 */
	    0x9c,						  /* pushf */
	    0x43,						  /* inc bx */
	    0x9c,						  /* pushf */
	    0x53,						  /* push bx */
	    0x51,						  /* push cx */
	    0x50,						  /* push ax */
	    0xb8, 0x00, 0x40,					  /* mov ax, 4000h */
	    0xbb, 0x04, 0x00,					  /* mov bx, 4 */
	    0x0f, 0xaf, 0xc3,					  /* imul ax, bx */
	    0x9c,						  /* pushf */
	    0x66, 0x6b, 0xd3, 0xfd,				  /* imul edx, ebx, -3 */
	    0x9c,						  /* pushf */
	    0x6b, 0x0e, 0x04, 0x06, 0x07,			  /* imul cx, [604h], 7 */
	    0x9c,						  /* pushf */
	    0x66, 0x0f, 0xaf, 0x1e, 0x06, 0x06,			  /* imul ebx, [606h] */
	    0x9c,						  /* pushf */
	    0x50,						  /* push ax */
	    0x66, 0x52,						  /* push edx */
	    0x51,						  /* push cx */
	    0x66, 0x53,						  /* push ebx */
	    0xb0, 0x80,						  /* mov al, 80h */
	    0xf6, 0xd8,						  /* neg al */
	    0x9c,						  /* pushf */
	    0x31, 0xc9,						  /* xor cx, cx */
	    0xf7, 0xd9,						  /* neg cx */
	    0x9c,						  /* pushf */
	    0x66, 0xf7, 0x16, 0x08, 0x06,			  /* not dword [608h] */
	    0xf7, 0x1e, 0x0c, 0x06,				  /* neg word [60ch] */
	    0x9c,						  /* pushf */
	    0xf7, 0x06, 0x0c, 0x06, 0x01, 0x80,			  /* test word [60ch], 8001h */
	    0x9c,						  /* pushf */
	    0x66, 0x0f, 0xbe, 0x16, 0x0e, 0x06,			  /* movsx edx, byte [60eh] */
	    0x66, 0x0f, 0xb7, 0x36, 0x0e, 0x06,			  /* movzx esi, word [60eh] */
	    0x0f, 0xbe, 0xf8,					  /* movsx di, al */
	    0xbb, 0xf0, 0xff,					  /* mov bx, 0fff0h */
	    0xbe, 0x20, 0x00,					  /* mov si, 20h */
	    0x66, 0x8d, 0x40, 0x01,				  /* lea eax, [bx+si+1] */
	    0x66, 0x67, 0x8d, 0x7c, 0x9e, 0xf8,			  /* lea edi, [ebx*4+esi-8] */
	    0x66, 0x50,						  /* push eax */
	    0x66, 0x52,						  /* push edx */
	    0x66, 0x56,						  /* push esi */
	    0x66, 0x57,						  /* push edi */
	    0xd3, 0x26, 0x10, 0x06,				  /* shl word [610h], cl */
	    0xc0, 0x2e, 0x12, 0x06, 0x03,			  /* shr byte [612h], 3 */
	    0x66, 0xd1, 0x3e, 0x14, 0x06,			  /* sar dword [614h], 1 */
	    0xd3, 0x06, 0x18, 0x06,				  /* rol word [618h], cl */
	    0x9c,						  /* pushf */
	    0x4d,						  /* dec bp */
	    0x0f, 0x85, 0xca, 0xfe,				  /* jnz top */
	    0xf4,						  /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	/* The ADD's flags (CF, PF, ZF, OF) stay through SHL and ROL by 32. */
	ck_assert_uint_eq((r.low[0x6ffe] | r.low[0x6fff] << 8) & X86_ARITH,
			  X86_CF | X86_PF | X86_ZF | X86_OF);
	ck_assert_uint_eq((r.low[0x6ffc] | r.low[0x6ffd] << 8) & X86_ARITH,
			  X86_CF | X86_PF | X86_ZF | X86_OF);
	/* SHR by 33: by 1, of 1234h, clearing CF and OF. */
	ck_assert_uint_eq(r.low[0x6ff8] | r.low[0x6ff9] << 8, 0x1234);
	ck_assert_uint_eq((r.low[0x6ff6] | r.low[0x6ff7] << 8) & (X86_CF | X86_OF), 0);
	ck_assert_uint_eq(r.low[0x6ff2] | r.low[0x6ff3] << 8, 0x91a);
	/* SHL BL by 8: 0 with CF (bit 8 of 8100h). */
	ck_assert_uint_eq((r.low[0x6ff0] | r.low[0x6ff1] << 8) & (X86_CF | X86_ZF),
			  X86_CF | X86_ZF);
	/* The forms were done natively (83 before jit_ops.c, ADC/SBB and NEG). */
	ck_assert_uint_ge(r.native, 130);
}
END_TEST

/* ADD, SUB, ADC, SBB, CMP, INC, DEC and NEG in 8, 16 and 32 bits, on
 * registers and memory, over operand pairs at the edges of the carries
 * (0, FFFFFFFFh and 1, 7FFFFFFFh and 1, ...): each one's flags pushed,
 * so every carry vector the JIT writes is read back whole (CF, OF, AF). */
START_TEST(test_carry_vectors_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0xbc, 0x00, 0x70,					  /* mov sp, 7000h */
	    0x66, 0xc7, 0x06, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, /* mov dword [600h], 000000000h */
	    0x66, 0xc7, 0x06, 0x04, 0x06, 0x00, 0x00, 0x00, 0x00, /* mov dword [604h], 000000000h */
	    0x66, 0xc7, 0x06, 0x08, 0x06, 0xff, 0xff, 0xff, 0xff, /* mov dword [608h], 0ffffffffh */
	    0x66, 0xc7, 0x06, 0x0c, 0x06, 0x01, 0x00, 0x00, 0x00, /* mov dword [60ch], 000000001h */
	    0x66, 0xc7, 0x06, 0x10, 0x06, 0xff, 0xff, 0xff, 0x7f, /* mov dword [610h], 07fffffffh */
	    0x66, 0xc7, 0x06, 0x14, 0x06, 0x01, 0x00, 0x00, 0x00, /* mov dword [614h], 000000001h */
	    0x66, 0xc7, 0x06, 0x18, 0x06, 0x00, 0x00, 0x00, 0x80, /* mov dword [618h], 080000000h */
	    0x66, 0xc7, 0x06, 0x1c, 0x06, 0x00, 0x00, 0x00, 0x80, /* mov dword [61ch], 080000000h */
	    0x66, 0xc7, 0x06, 0x20, 0x06, 0x80, 0xff, 0x00, 0x00, /* mov dword [620h], 00000ff80h */
	    0x66, 0xc7, 0x06, 0x24, 0x06, 0x80, 0x00, 0x00, 0x00, /* mov dword [624h], 000000080h */
	    0x66, 0xc7, 0x06, 0x28, 0x06, 0x01, 0x00, 0x00, 0x00, /* mov dword [628h], 000000001h */
	    0x66, 0xc7, 0x06, 0x2c, 0x06, 0x02, 0x00, 0x00, 0x00, /* mov dword [62ch], 000000002h */
	    0x66, 0xc7, 0x06, 0x30, 0x06, 0x01, 0x80, 0xfe, 0xff, /* mov dword [630h], 0fffe8001h */
	    0x66, 0xc7, 0x06, 0x34, 0x06, 0x65, 0x87, 0x34, 0x12, /* mov dword [634h], 012348765h */
	    0x66, 0xc7, 0x06, 0x38, 0x06, 0x80, 0x00, 0x80, 0x00, /* mov dword [638h], 000800080h */
	    0x66, 0xc7, 0x06, 0x3c, 0x06, 0x7f, 0xff, 0x80, 0x00, /* mov dword [63ch], 00080ff7fh */
	    0xbe, 0x00, 0x06,					  /* mov si, 600h */
	    0xb9, 0x08, 0x00,					  /* mov cx, 8 */
	    0x66, 0x8b, 0x04,					  /* a: mov eax, [si] */
	    0x66, 0x8b, 0x5c, 0x04,				  /* mov ebx, [si+4] */
	    0x66, 0x89, 0xc2,					  /* mov edx, eax */
	    0x66, 0x01, 0xda,					  /* add edx, ebx */
	    0x9c,						  /* pushf */
	    0x66, 0x52,						  /* push edx */
	    0x66, 0x89, 0xc2,					  /* mov edx, eax */
	    0x66, 0x29, 0xda,					  /* sub edx, ebx */
	    0x9c,						  /* pushf */
	    0x66, 0x52,						  /* push edx */
	    0xf9,						  /* stc */
	    0x66, 0x89, 0xc2,					  /* mov edx, eax */
	    0x66, 0x11, 0xda,					  /* adc edx, ebx */
	    0x9c,						  /* pushf */
	    0x66, 0x52,						  /* push edx */
	    0xf9,						  /* stc */
	    0x66, 0x89, 0xc2,					  /* mov edx, eax */
	    0x66, 0x19, 0xda,					  /* sbb edx, ebx */
	    0x9c,						  /* pushf */
	    0x66, 0x52,						  /* push edx */
	    0x66, 0x39, 0xd8,					  /* cmp eax, ebx */
	    0x9c,						  /* pushf */
	    0x00, 0xd8,						  /* add al, bl */
	    0x9c,						  /* pushf */
	    0x28, 0xfc,						  /* sub ah, bh */
	    0x9c,						  /* pushf */
	    0xf9,						  /* stc */
	    0x10, 0xf8,						  /* adc al, bh */
	    0x9c,						  /* pushf */
	    0xf9,						  /* stc */
	    0x18, 0xdc,						  /* sbb ah, bl */
	    0x9c,						  /* pushf */
	    0x01, 0xd8,						  /* add ax, bx */
	    0x9c,						  /* pushf */
	    0x29, 0xc3,						  /* sub bx, ax */
	    0x9c,						  /* pushf */
	    0x38, 0xd8,						  /* cmp al, bl */
	    0x9c,						  /* pushf */
	    0x10, 0xf8,						  /* adc al, bh */
	    0x9c,						  /* pushf */
	    0x66, 0x11, 0x1c,					  /* adc [si], ebx */
	    0x9c,						  /* pushf */
	    0x19, 0x5c, 0x02,					  /* sbb word [si+2], bx */
	    0x9c,						  /* pushf */
	    0x28, 0x44, 0x05,					  /* sub byte [si+5], al */
	    0x9c,						  /* pushf */
	    0x66, 0xff, 0x4c, 0x04,				  /* dec dword [si+4] */
	    0x9c,						  /* pushf */
	    0xfe, 0xc0,						  /* inc al */
	    0x9c,						  /* pushf */
	    0xfe, 0xcb,						  /* dec bl */
	    0x9c,						  /* pushf */
	    0x40,						  /* inc ax */
	    0x9c,						  /* pushf */
	    0x4b,						  /* dec bx */
	    0x9c,						  /* pushf */
	    0x66, 0x48,						  /* dec eax */
	    0x9c,						  /* pushf */
	    0x66, 0x43,						  /* inc ebx */
	    0x9c,						  /* pushf */
	    0xf6, 0xd8,						  /* neg al */
	    0x9c,						  /* pushf */
	    0xf7, 0xdb,						  /* neg bx */
	    0x9c,						  /* pushf */
	    0x66, 0x50,						  /* push eax */
	    0x66, 0x53,						  /* push ebx */
	    0x83, 0xc6, 0x08,					  /* add si, 8 */
	    0x49,						  /* dec cx */
	    0x75, 0x84,						  /* jnz a */
	    0xf4,						  /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r.regs[X86_ECX], 0);
}
END_TEST

/* A fault after native instructions in a block: the handler sees the IP
 * of the faulting instruction, the flags of the SUB before it, and the
 * count leaves out the instruction that faulted. */
START_TEST(test_fault_in_a_block_is_precise)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x07, 0x00, 0x00, 0x00, /* mov eax, 7 */
	    0x66, 0x01, 0xc0,			/* add eax, eax */
	    0x66, 0x83, 0xe8, 0x0f,		/* sub eax, 15 */
	    0x66, 0x8b, 0x1e, 0xff, 0xff,	/* mov ebx, [0ffffh]: #GP */
	    0x66, 0x40,				/* inc eax */
	    0xf4,				/* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_uint_eq(r.regs[X86_EAX], 0xffffffffu);
	ck_assert_uint_eq(r.low[0x6ffa] | r.low[0x6ffb] << 8, 0x7c0d); /* pushed IP */
	ck_assert_uint_eq(r.low[0x6ffe] & (X86_CF | X86_SF | X86_ZF), X86_CF | X86_SF);
	ck_assert_uint_eq(r.insns, 4); /* three, then the HLT of the handler */
}
END_TEST

/* Fused CMP/TEST + Jcc done natively: taken, not taken, and a taken
 * 32-bit Jcc beyond the CS limit, which faults at the Jcc with the flags
 * of the CMP. */
START_TEST(test_fused_compare_and_branch)
{
	static const uint8_t code[] = {
	    0x66, 0x31, 0xc0,			      /* xor eax, eax */
	    0x66, 0xbb, 0x10, 0x00, 0x00, 0x00,	      /* mov ebx, 16 */
	    0x66, 0x83, 0xc0, 0x03,		      /* a: add eax, 3 */
	    0x66, 0x39, 0xd8,			      /* cmp eax, ebx */
	    0x72, 0xf8,				      /* jb a */
	    0x66, 0x85, 0xc3,			      /* test ebx, eax */
	    0x75, 0x00,				      /* jnz b */
	    0x66, 0x3d, 0x12, 0x00, 0x00, 0x00,	      /* b: cmp eax, 18 */
	    0x66, 0x0f, 0x84, 0x00, 0x00, 0x01, 0x00, /* jz near +10000h: #GP */
	    0xf4,				      /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_uint_eq(r.regs[X86_EAX], 18);
	ck_assert_uint_eq(r.low[0x6ffa] | r.low[0x6ffb] << 8, 0x7c1d); /* the Jcc */
	ck_assert_uint_eq(r.low[0x6ffe] & (X86_CF | X86_ZF), X86_ZF);
}
END_TEST

/* The flag setters of test_near_jumps_match_the_interpreter, on ECX (a
 * copy of EAX) and EBX or [7F0h] (a copy of EBX): none fuses with the
 * Jcc after it (fuse.c takes INC/DEC r32 by 40h-4Fh only), so the Jcc
 * reads the lazy record they leave. */
static const struct {
	uint8_t n, b[5];
} setters[] = {
    {3, {0x66, 0x29, 0xd9}},		 /* sub ecx, ebx */
    {2, {0x29, 0xd9}},			 /* sub cx, bx */
    {2, {0x28, 0xd9}},			 /* sub cl, bl */
    {5, {0x66, 0x3b, 0x0e, 0xf0, 0x07}}, /* cmp ecx, [7f0h] */
    {3, {0x66, 0x21, 0xd9}},		 /* and ecx, ebx */
    {3, {0x66, 0x01, 0xd9}},		 /* add ecx, ebx */
    {3, {0x66, 0xff, 0xc1}},		 /* inc ecx (FF /0: CF from EFLAGS) */
    {2, {0xfe, 0xc9}},			 /* dec cl */
    {5, {0x66, 0xff, 0x0e, 0xf0, 0x07}}, /* dec dword [7f0h] */
    {3, {0x66, 0xf7, 0xd9}},		 /* neg ecx */
    {3, {0xf6, 0xc1, 0x80}},		 /* test cl, 80h */
    {4, {0x66, 0x83, 0xe9, 0x01}},	 /* sub ecx, 1 */
    {3, {0x66, 0x11, 0xd9}},		 /* adc ecx, ebx */
    {2, {0x18, 0xd9}},			 /* sbb cl, bl */
    {4, {0x66, 0xc1, 0xe9, 0x03}},	 /* shr ecx, 3 */
    {4, {0x66, 0x0f, 0xaf, 0xcb}},	 /* imul ecx, ebx */
};

/* Operand pairs (EAX, EBX) at 800h, 8 bytes each: the flags' edges. */
static const uint32_t pairs[][2] = {
    {0, 0},
    {1, 2},
    {2, 1},
    {0x80000000u, 1},
    {0x7fffffffu, 0xffffffffu},
    {0xffffffffu, 0xffffffffu},
    {0x80, 0x7f},
    {0x7f, 0x80},
    {0x8000, 1},
    {0xffff, 1},
    {0x12345678u, 0x12345678u},
    {1, 0xffffffffu},
    {0x80000000u, 0x80000000u},
};

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Where the program of near_jumps_prog starts, past the HLT at 7E00h
 * that run_prog's #GP handler is; the pairs are at 7C10h. */
#define NJ_START 0x201

/* At 7C00h a jump to NJ_START. Then for each pair (SI = 8 * its index,
 * DI = 1000h + 100h * it), each setter k then each Jcc cc over `mov byte
 * [di + 16 * k + cc], 1`: the byte is 1 where the Jcc was not taken. Then
 * a JMP rel16 back; at the end a taken JZ rel32 beyond the CS limit. */
static size_t near_jumps_prog(uint8_t *c)
{
	static const uint8_t head[] = {
	    0x31, 0xf6,			  /* xor si, si */
	    0xbf, 0x00, 0x10,		  /* mov di, 1000h */
	    0x66, 0x8b, 0x84, 0x10, 0x7c, /* top: mov eax, [si + 7c10h] */
	    0x66, 0x8b, 0x9c, 0x14, 0x7c, /* mov ebx, [si + 7c14h] */
	    0x66, 0x89, 0x1e, 0xf0, 0x07, /* mov [7f0h], ebx */
	};
	static const uint8_t tail[] = {
	    0xeb, 0x00,				      /* jmp short $+2 */
	    0x83, 0xc6, 0x08,			      /* add si, 8 */
	    0x81, 0xc7, 0x00, 0x01,		      /* add di, 100h */
	    0x81, 0xfe, 0,    0,		      /* cmp si, 8 * pairs */
	    0x74, 0x03,				      /* jz done */
	    0xe9, 0,	0,			      /* jmp near top */
	    0x66, 0x31, 0xc0,			      /* done: xor eax, eax */
	    0x66, 0x0f, 0x84, 0x00, 0x00, 0x01, 0x00, /* jz near +10000h: #GP */
	    0xf4,				      /* hlt */
	};
	size_t n = NJ_START, t;
	uint16_t back;

	memset(c, 0xf4, n);
	c[0] = 0xe9; /* jmp near NJ_START */
	c[1] = (NJ_START - 3) & 0xff;
	c[2] = (NJ_START - 3) >> 8;
	for (unsigned i = 0; i < UNIT_COUNT(pairs); i++) {
		le32(c + 0x10 + 8 * i, pairs[i][0]);
		le32(c + 0x14 + 8 * i, pairs[i][1]);
	}
	memcpy(c + n, head, sizeof head);
	n += sizeof head;
	for (unsigned k = 0; k < UNIT_COUNT(setters); k++)
		for (unsigned cc = 0; cc < 16; cc++) {
			memcpy(c + n, (const uint8_t[]){0x66, 0x89, 0xc1}, 3); /* mov ecx, eax */
			memcpy(c + n + 3, setters[k].b, setters[k].n);
			n += 3u + setters[k].n;
			/* jcc $+7; mov byte [di + 16k + cc], 1 */
			memcpy(c + n,
			       (const uint8_t[]){(uint8_t)(0x70 | cc), 5, 0xc6, 0x85,
						 (uint8_t)(16 * k + cc), 0, 1},
			       7);
			n += 7;
		}
	t = n;
	memcpy(c + n, tail, sizeof tail);
	n += sizeof tail;
	c[t + 11] = (uint8_t)(8 * UNIT_COUNT(pairs));
	c[t + 12] = 0;
	back = (uint16_t)(NJ_START + 5 - (t + 18)); /* top */
	c[t + 16] = (uint8_t)back;
	c[t + 17] = (uint8_t)(back >> 8);
	return n;
}

/* A Jcc after a flag setter the JIT does natively (not a fused pair) is
 * done natively too (jit_jcc.c), reading the lazy record or EFLAGS as
 * x86_cond does: every condition after SUB, CMP with memory, AND, ADD,
 * INC/DEC, NEG, TEST, ADC/SBB, SHR, IMUL, in 8, 16 and 32 bits, on the flags'
 * edge cases; JMP rel8/rel16; and a taken Jcc beyond the CS limit that
 * faults at the Jcc. */
START_TEST(test_near_jumps_match_the_interpreter)
{
	static uint8_t code[4096];
	static struct result r;
	size_t n = near_jumps_prog(code), jz = n - 8;
	const uint8_t *sub32 = r.low + 0x1100; /* pair 1 (1, 2), SUB ECX, EBX */

	ck_assert_uint_le(n, sizeof code);
	same_as_interpreter(code, n, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	/* 1 - 2: JB, JS, JL, JLE, JBE, JNZ taken; JNB, JNS, JO... not */
	ck_assert_uint_eq(sub32[0x2] | sub32[0x8] | sub32[0xc] | sub32[0xe] | sub32[0x6], 0);
	ck_assert_uint_eq(sub32[0x3] & sub32[0x9] & sub32[0xd] & sub32[0xf] & sub32[0x0], 1);
	ck_assert_uint_eq(sub32[0x4] + sub32[0x5], 1);
	ck_assert_uint_eq(r.low[0x6ffa] | r.low[0x6ffb] << 8, 0x7c00 + jz); /* the Jcc */
	/* Most Jcc native: the calls are JP/JNP, the HLTs and those after them */
	ck_assert_uint_lt(r.calls, UNIT_COUNT(setters) * 16 / 2);
}
END_TEST

/* The instructions of cond_users_prog after setter k for condition cc:
 * their length. */
static size_t cond_users(uint8_t *c, unsigned k, unsigned cc)
{
	/* cmovcc edx, [7f0h] (cmovcc dx for odd k); cmovncc edx, ecx */
	const uint8_t cmov_m[] = {0x66, 0x0f, (uint8_t)(0x40 | cc), 0x16, 0xf0, 0x07};
	const uint8_t cmov_r[] = {0x66, 0x0f, (uint8_t)(0x40 | (cc ^ 1)), 0xd1};
	/* setcc [di + 16 * k + cc]; setcc ch */
	const uint8_t set_m[] = {0x0f, (uint8_t)(0x90 | cc), 0x85, (uint8_t)(16 * k + cc), 0};
	const uint8_t set_r[] = {0x0f, (uint8_t)(0x90 | cc), 0xc5};
	const uint8_t sum[] = {0x66, 0x01, 0xd5, 0x66, 0x01, 0xcd}; /* add ebp, edx; add ebp, ecx */
	size_t n = sizeof cmov_m - (k & 1);

	memcpy(c, cmov_m + (k & 1), n);
	memcpy(c + n, cmov_r, sizeof cmov_r);
	n += sizeof cmov_r;
	memcpy(c + n, set_m, sizeof set_m);
	n += sizeof set_m;
	memcpy(c + n, set_r, sizeof set_r);
	n += sizeof set_r;
	memcpy(c + n, sum, sizeof sum);
	return n + sizeof sum;
}

/* The body of cond_users_prog: each setter k then each condition cc read
 * by the forms of jit_cond.c (cond_users), then CBW, CDQ, NOPs, CWDE and
 * CWD of the pair. */
static size_t cond_users_body(uint8_t *c)
{
	static const uint8_t convert[] = {
	    0x98, 0x66, 0x99,	    /* cbw; cdq */
	    0x90, 0x0f, 0x1f, 0x00, /* nop; nop word [bx + si] */
	    0x66, 0x01, 0xd5,	    /* add ebp, edx */
	    0x66, 0x98, 0x99,	    /* cwde; cwd */
	    0x66, 0x01, 0xc5,	    /* add ebp, eax */
	    0x66, 0x01, 0xd5,	    /* add ebp, edx */
	};
	size_t n = 0;

	for (unsigned k = 0; k < UNIT_COUNT(setters); k++)
		for (unsigned cc = 0; cc < 16; cc++) {
			memcpy(c + n, (const uint8_t[]){0x66, 0x89, 0xc1}, 3); /* mov ecx, eax */
			memcpy(c + n + 3, setters[k].b, setters[k].n);
			n += 3u + setters[k].n;
			n += cond_users(c + n, k, cc);
		}
	memcpy(c + n, convert, sizeof convert);
	return n + sizeof convert;
}

/* At 7C00h a jump to NJ_START, then for each pair (as near_jumps_prog:
 * EAX, EBX and [7F0h] = EBX, DI = 1000h + 100h * its index) the code
 * `body` writes; EBP = 0 at the start. */
static size_t pairs_prog(uint8_t *c, size_t (*body)(uint8_t *))
{
	static const uint8_t head[] = {
	    0x31, 0xf6,			  /* xor si, si */
	    0xbf, 0x00, 0x10,		  /* mov di, 1000h */
	    0x66, 0x31, 0xed,		  /* xor ebp, ebp */
	    0x66, 0x8b, 0x84, 0x10, 0x7c, /* top: mov eax, [si + 7c10h] */
	    0x66, 0x8b, 0x9c, 0x14, 0x7c, /* mov ebx, [si + 7c14h] */
	    0x66, 0x89, 0x1e, 0xf0, 0x07, /* mov [7f0h], ebx */
	};
	static const uint8_t tail[] = {
	    0x83, 0xc6, 0x08,	    /* add si, 8 */
	    0x81, 0xc7, 0x00, 0x01, /* add di, 100h */
	    0x81, 0xfe, 0,    0,    /* cmp si, 8 * pairs */
	    0x74, 0x03,		    /* jz done */
	    0xe9, 0,	0,	    /* jmp near top */
	    0xf4,		    /* done: hlt */
	};
	size_t n = NJ_START, t;
	uint16_t back;

	memset(c, 0xf4, n);
	c[0] = 0xe9;
	c[1] = (NJ_START - 3) & 0xff;
	c[2] = (NJ_START - 3) >> 8;
	for (unsigned i = 0; i < UNIT_COUNT(pairs); i++) {
		le32(c + 0x10 + 8 * i, pairs[i][0]);
		le32(c + 0x14 + 8 * i, pairs[i][1]);
	}
	memcpy(c + n, head, sizeof head);
	n += sizeof head;
	n += body(c + n);
	t = n;
	memcpy(c + n, tail, sizeof tail);
	n += sizeof tail;
	c[t + 9] = (uint8_t)(8 * UNIT_COUNT(pairs));
	back = (uint16_t)(NJ_START + 8 - (t + 16)); /* top */
	c[t + 14] = (uint8_t)back;
	c[t + 15] = (uint8_t)(back >> 8);
	return n;
}

/* CMOVcc, SETcc (register and memory), CBW/CWDE, CWD/CDQ and NOPs done
 * natively (jit_cond.c) after every setter of near_jumps_prog on the
 * flags' edges, each condition x86_cond's: the same registers, flags and
 * bytes as the interpreter, no handler call but the HLT. */
START_TEST(test_condition_users_match_the_interpreter)
{
	static uint8_t code[16384];
	static struct result r;
	size_t n = pairs_prog(code, cond_users_body);
	const uint8_t *sub32 = r.low + 0x1100; /* pair 1 (1, 2), SUB ECX, EBX */

	ck_assert_uint_le(n, sizeof code);
	same_as_interpreter(code, n, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(sub32[0x2] & sub32[0x8] & sub32[0xc] & sub32[0xe] & sub32[0x6], 1);
	ck_assert_uint_eq(sub32[0x3] | sub32[0x9] | sub32[0xd] | sub32[0xf] | sub32[0x0], 0);
	ck_assert_uint_le(r.calls, 2);
}
END_TEST

/* The body of test_rmw_forms_match_the_interpreter: XADD, CMPXCHG
 * (equal and not), SHLD and SHRD by an immediate and by CL (AL of the
 * pair, 0 once masked for some), MUL, BSF/BSR (of 0 for some), on
 * registers and [7F0h], in 8, 16 and 32 bits; each one's flags and
 * results stored at DI. */
static size_t rmw_body(uint8_t *c)
{
	static const uint8_t body[] = {
	    0x66, 0x89, 0xc2,			/* mov edx, eax */
	    0x66, 0x0f, 0xc1, 0xda,		/* xadd edx, ebx */
	    0x9c, 0x8f, 0x05,			/* pushf; pop word [di] */
	    0x66, 0x89, 0x55, 0x02,		/* mov [di + 2], edx */
	    0x66, 0x89, 0x5d, 0x06,		/* mov [di + 6], ebx */
	    0x66, 0x0f, 0xc1, 0x1e, 0xf0, 0x07, /* xadd [7f0h], ebx */
	    0x9c, 0x8f, 0x45, 0x0a,		/* pushf; pop word [di + 10] */
	    0x0f, 0xc0, 0xc4,			/* xadd ah, al */
	    0x9c, 0x8f, 0x45, 0x0c,		/* pushf; pop word [di + 12] */
	    0x66, 0x0f, 0xb1, 0x1e, 0xf0, 0x07, /* cmpxchg [7f0h], ebx */
	    0x9c, 0x8f, 0x45, 0x0e,		/* pushf; pop word [di + 14] */
	    0x66, 0x89, 0x45, 0x10,		/* mov [di + 16], eax */
	    0x66, 0x89, 0xc1,			/* mov ecx, eax */
	    0x66, 0x0f, 0xb1, 0xd9,		/* cmpxchg ecx, ebx: equal */
	    0x0f, 0xb0, 0xd9,			/* cmpxchg cl, bl */
	    0x9c, 0x8f, 0x45, 0x14,		/* pushf; pop word [di + 20] */
	    0x66, 0x89, 0x4d, 0x16,		/* mov [di + 22], ecx */
	    0x66, 0x89, 0xc2,			/* mov edx, eax */
	    0x66, 0x0f, 0xa4, 0xda, 0x05,	/* shld edx, ebx, 5 */
	    0x9c, 0x8f, 0x45, 0x1a,		/* pushf; pop word [di + 26] */
	    0x66, 0x89, 0x55, 0x1c,		/* mov [di + 28], edx */
	    0x88, 0xc1,				/* mov cl, al */
	    0x66, 0x0f, 0xad, 0x1e, 0xf0, 0x07, /* shrd [7f0h], ebx, cl */
	    0x9c, 0x8f, 0x45, 0x20,		/* pushf; pop word [di + 32] */
	    0x66, 0x0f, 0xa5, 0xd8,		/* shld eax, ebx, cl */
	    0x9c, 0x8f, 0x45, 0x22,		/* pushf; pop word [di + 34] */
	    0x66, 0x89, 0x45, 0x24,		/* mov [di + 36], eax */
	    0x66, 0x0f, 0xac, 0xd8, 0x1f,	/* shrd eax, ebx, 31 */
	    0x9c, 0x8f, 0x45, 0x28,		/* pushf; pop word [di + 40] */
	    0x66, 0x89, 0x45, 0x2a,		/* mov [di + 42], eax */
	    0x66, 0xf7, 0xe3,			/* mul ebx */
	    0x9c, 0x8f, 0x45, 0x32,		/* pushf; pop word [di + 50] */
	    0x66, 0x89, 0x45, 0x34,		/* mov [di + 52], eax */
	    0x66, 0x89, 0x55, 0x38,		/* mov [di + 56], edx */
	    0x66, 0xf7, 0x26, 0xf0, 0x07,	/* mul dword [7f0h] */
	    0x9c, 0x8f, 0x45, 0x3c,		/* pushf; pop word [di + 60] */
	    0x66, 0x89, 0x55, 0x3e,		/* mov [di + 62], edx */
	    0x66, 0x0f, 0xbd, 0xc8,		/* bsr ecx, eax */
	    0x9c, 0x8f, 0x45, 0x44,		/* pushf; pop word [di + 68] */
	    0x0f, 0xbc, 0xcb,			/* bsf cx, bx */
	    0x66, 0x0f, 0xbc, 0x16, 0xf0, 0x07, /* bsf edx, [7f0h] */
	    0x9c, 0x8f, 0x45, 0x46,		/* pushf; pop word [di + 70] */
	    0x66, 0x89, 0x4d, 0x48,		/* mov [di + 72], ecx */
	    0x66, 0x89, 0x55, 0x4c,		/* mov [di + 76], edx */
	    0x66, 0xa1, 0xf0, 0x07,		/* mov eax, [7f0h] */
	    0x66, 0x89, 0x45, 0x2e,		/* mov [di + 46], eax */
	};

	memcpy(c, body, sizeof body);
	return sizeof body;
}

/* XADD, CMPXCHG, SHLD and SHRD (jit_rmw.c), MUL and BSF/BSR done
 * natively on the pairs' flag edges: the same flags, registers and bytes as the interpreter,
 * and no handler call for them. */
START_TEST(test_rmw_forms_match_the_interpreter)
{
	static uint8_t code[4096];
	static struct result r;
	size_t n = pairs_prog(code, rmw_body);
	const uint8_t *p1 = r.low + 0x1100; /* pair 1 (1, 2) */

	same_as_interpreter(code, n, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(p1[2] | p1[3] << 8, 3);    /* xadd edx, ebx: 1 + 2 */
	ck_assert_uint_eq(p1[6] | p1[7] << 8, 1);    /* and ebx = the old edx */
	ck_assert_uint_eq(p1[28] | p1[29] << 8, 64); /* shld of 2 (CMPXCHG CL: AL) by 5 */
	/* the calls: the body's 15 PUSHF and POP r/m in each translation of
	 * it and the program's others, as many with the MULs or BSF/BSR made
	 * MOVs; none of the 17 forms above */
	ck_assert_uint_le(r.calls, 53);
}
END_TEST

/* XADD whose source register also forms the address: the sum goes where
 * the register pointed before it took the old value, in 32, 16 and 8
 * bits (the interpreter once wrote the register first and then the
 * memory at the address of its new value). */
/* An INC or DEC folding the record's CF into EFLAGS writes memory alone
 * (bt, adc): a block caching EFLAGS (its ADCs read it) must take it from
 * there again, with no handler call between to drop the cache. */
START_TEST(test_cf_folds_reach_cached_eflags)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0x3c, 0x00, 0x00, 0x00, /* mov ecx, 60 */
	    0x66, 0xbb, 0x64, 0x00, 0x00, 0x00, /* mov ebx, 100 */
	    0x66, 0x31, 0xc0,			/* xor eax, eax */
	    0x66, 0x31, 0xf6,			/* xor esi, esi */
	    0x66, 0xbd, 0x09, 0x00, 0x00, 0x00, /* mov ebp, 9 */
	    0x66, 0x83, 0xeb, 0x07,		/* f: sub ebx, 7 */
	    0x66, 0x8b, 0x3c,			/* mov edi, [si] */
	    0x66, 0x46,				/* inc esi */
	    0x66, 0x83, 0xd0, 0x00,		/* adc eax, 0 */
	    0x66, 0x4d,				/* dec ebp */
	    0x66, 0x11, 0xde,			/* adc esi, ebx */
	    0x66, 0x49,				/* dec ecx */
	    0x75, 0xea,				/* jnz f */
	    0xf4,				/* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r.regs[X86_ECX], 0);
	ck_assert_uint_ne(r.regs[X86_EAX], 0); /* some borrows were added */
}
END_TEST

START_TEST(test_xadd_through_its_own_register_matches_the_interpreter)
{
	static const uint8_t code[] = {
	    0x66, 0xbb, 0xf0, 0x07, 0x00, 0x00,		 /* mov ebx, 7f0h */
	    0x66, 0xc7, 0x06, 0xf0, 0x07, 0x05, 0, 0, 0, /* mov dword [7f0h], 5 */
	    0x66, 0x0f, 0xc1, 0x1f,			 /* xadd [bx], ebx */
	    0xbe, 0xf4, 0x07,				 /* mov si, 7f4h */
	    0xc7, 0x06, 0xf4, 0x07, 0x03, 0x00,		 /* mov word [7f4h], 3 */
	    0x0f, 0xc1, 0x34,				 /* xadd [si], si */
	    0x66, 0xbf, 0xf8, 0x07, 0x00, 0x00,		 /* mov edi, 7f8h */
	    0xc6, 0x06, 0xf8, 0x07, 0x02,		 /* mov byte [7f8h], 2 */
	    0x66, 0x0f, 0xc1, 0x3d,			 /* xadd [di], edi */
	    0xb8, 0xfc, 0x07,				 /* mov ax, 7fch */
	    0x67, 0x0f, 0xc0, 0x00,			 /* xadd [eax], al */
	    0xf4,					 /* hlt */
	};
	static struct result r;
	uint32_t at[4];

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	memcpy(at, r.low + 0x7f0, sizeof at);
	ck_assert_uint_eq(at[0], 0x7f5); /* 5 + 7F0h */
	ck_assert_uint_eq(r.regs[X86_EBX], 5);
	ck_assert_uint_eq(at[1], 0x7f7); /* 3 + 7F4h */
	ck_assert_uint_eq(r.regs[X86_ESI], 3);
	ck_assert_uint_eq(at[2], 0x7fa); /* 2 + 7F8h */
	ck_assert_uint_eq(r.regs[X86_EDI], 2);
	ck_assert_uint_eq(at[3], 0xfc); /* 0 + FCh */
	ck_assert_uint_eq(r.regs[X86_EAX], 0x700);
}
END_TEST

/* An ALU form whose flags the next instruction replaces before anything
 * reads them skips the lazy record (jit_form.c's f->dead); these pairs
 * must keep it: ADC and INC read CF, SHL by a CL of 0 and ROL leave
 * flags as they were, NEG after SAR and ADD replace it, a memory operand
 * may fault first (here it does, the #GP handler pushing the SUB's
 * flags). Each PUSHF shows the flags. */
START_TEST(test_dead_flags_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0xbc, 0x00, 0x70,			      /* mov sp, 7000h */
	    0x66, 0xb8, 0x01, 0x00, 0x00, 0x80,	      /* mov eax, 80000001h */
	    0x66, 0xbb, 0x03, 0x00, 0x00, 0x80,	      /* mov ebx, 80000003h */
	    0x66, 0xb9, 0x05, 0x00, 0x00, 0x00,	      /* mov ecx, 5 */
	    0x66, 0xba, 0xff, 0xff, 0xff, 0xff,	      /* mov edx, 0ffffffffh */
	    0xbd, 0x03, 0x00,			      /* mov bp, 3 */
	    0x66, 0x01, 0xd8, 0x66, 0x11, 0xd1, 0x9c, /* top: add eax, ebx; adc ecx, edx; pushf */
	    0x66, 0x29, 0xd8, 0x66, 0xff, 0xc1, 0x9c, /* sub eax, ebx; inc ecx; pushf */
	    0x66, 0x81, 0xe1, 0x00, 0xff, 0xff, 0xff, /* and ecx, 0ffffff00h */
	    0x66, 0x01, 0xd8, 0x66, 0xd3, 0xe2, 0x9c, /* add eax, ebx; shl edx, cl; pushf */
	    0x66, 0x01, 0xd8, 0x66, 0xd1, 0xc2, 0x9c, /* add eax, ebx; rol edx, 1; pushf */
	    0x66, 0x29, 0xd8, 0x66, 0xc1, 0xf8, 0x03, /* sub eax, ebx; sar eax, 3 */
	    0x66, 0x01, 0xd8, 0x66, 0xf7, 0xd9, 0x9c, /* add eax, ebx; neg ecx; pushf */
	    0x66, 0xff, 0xc3, 0x66, 0x39, 0xc3, 0x75, 0x00, /* inc ebx; cmp ebx, eax; jne $+2 */
	    0x4d, 0x75, 0xc4,				    /* dec bp; jnz top */
	    0x66, 0x83, 0xe8, 0x0f,			    /* sub eax, 15 */
	    0x66, 0x03, 0x1e, 0xff, 0xff,		    /* add ebx, [0ffffh]: #GP */
	    0xf4,					    /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	/* 15 PUSHF, then FLAGS, CS and IP of the #GP */
	ck_assert_uint_eq(r.low[0x6fdc] | r.low[0x6fdd] << 8, 0x7c00 + sizeof code - 6);
}
END_TEST

/* Flag setters whose flags are never read, of each kind, size and
 * operand (NEG, SAR/SHR/SHL by an immediate, ADC/SBB, CMP and TEST, INC
 * and DEC, AH-BH, memory), done by the host's operation in place
 * (jit_inplace.c), then setters whose CF only an INC or DEC reads; the
 * PUSHFs show the flags. */
START_TEST(test_dead_forms_in_place_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0xbc, 0x00, 0x70,			/* mov sp, 0x7000 */
	    0x66, 0xb8, 0x01, 0x00, 0x00, 0x80, /* mov eax, 0x80000001 */
	    0x66, 0xbb, 0xff, 0xff, 0xff, 0x7f, /* mov ebx, 0x7fffffff */
	    0x66, 0xb9, 0x05, 0x00, 0x00, 0x00, /* mov ecx, 5 */
	    0x66, 0xba, 0xff, 0xff, 0xff, 0xff, /* mov edx, 0xffffffff */
	    0x66, 0xbe, 0x34, 0x12, 0x00, 0x00, /* mov esi, 0x1234 */
	    0x66, 0xbf, 0x00, 0x80, 0x00, 0x00, /* mov edi, 0x8000 */
	    0x66, 0xc7, 0x06, 0x00, 0x05, 0xef, 0xcd,
	    0xab, 0x89, /* mov dword [0x500], 0x89abcdef */
	    0x66, 0xc7, 0x06, 0x04, 0x05, 0x00, 0x00,
	    0x00, 0x80,				      /* mov dword [0x504], 0x80000000 */
	    0xbd, 0x06, 0x00,			      /* mov bp, 6 */
	    0x66, 0xf7, 0xd9,			      /* neg ecx */
	    0x66, 0x81, 0xca, 0x00, 0x00, 0x00, 0x80, /* or edx, 0x80000000 */
	    0x66, 0xc1, 0xfa, 0x03,		      /* sar edx, 3 */
	    0x66, 0xc1, 0xee, 0x05,		      /* shr esi, 5 */
	    0x66, 0xc1, 0xe7, 0x07,		      /* shl edi, 7 */
	    0xf6, 0xdb,				      /* neg bl */
	    0xc1, 0xf8, 0x02,			      /* sar ax, 2 */
	    0x80, 0xc4, 0x35,			      /* add ah, 0x35 */
	    0x18, 0xd5,				      /* sbb ch, dl */
	    0x13, 0x36, 0x00, 0x05,		      /* adc si, [0x500] */
	    0x66, 0x29, 0xc3,			      /* sub ebx, eax */
	    0x29, 0x3e, 0x02, 0x05,		      /* sub word [0x502], di */
	    0x66, 0x31, 0xd3,			      /* xor ebx, edx */
	    0x66, 0x3b, 0x06, 0x04, 0x05,	      /* cmp eax, [0x504] */
	    0x66, 0x31, 0xda,			      /* xor edx, ebx */
	    0x80, 0xe1, 0x7f,			      /* and cl, 0x7f */
	    0xf7, 0x1e, 0x06, 0x05,		      /* neg word [0x506] */
	    0x85, 0xfe,				      /* test si, di */
	    0xfe, 0x06, 0x08, 0x05,		      /* inc byte [0x508] */
	    0xfe, 0xce,				      /* dec dh */
	    0x66, 0x19, 0xc8,			      /* sbb eax, ecx */
	    0x66, 0x29, 0xc3,			      /* sub ebx, eax */
	    0x9c,				      /* pushf */
	    0x28, 0xd8,				      /* sub al, bl */
	    0x47,				      /* inc di */
	    0x81, 0xc3, 0x34, 0x12,		      /* add bx, 0x1234 */
	    0x4e,				      /* dec si */
	    0x66, 0xf7, 0xd9,			      /* neg ecx */
	    0x66, 0x42,				      /* inc edx */
	    0x38, 0xe6,				      /* cmp dh, ah */
	    0x40,				      /* inc ax */
	    0x66, 0x19, 0xd1,			      /* sbb ecx, edx */
	    0x4b,				      /* dec bx */
	    0x66, 0x21, 0xd8,			      /* and eax, ebx */
	    0x41,				      /* inc cx */
	    0x9c,				      /* pushf */
	    0x4d,				      /* dec bp */
	    0x75, 0x98,				      /* jnz top */
	    0xf4,				      /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_gt(r.native, 40);
}
END_TEST

/* Code that rewrites an instruction of a translated block: the next run
 * of the block sees the new bytes. */
START_TEST(test_self_modifying_code_kills_the_translation)
{
	static const uint8_t code[] = {
	    0x66, 0x31, 0xc0,	    /* xor eax, eax */
	    0xb9, 0x05, 0x00,	    /* mov cx, 5 */
	    0x66, 0x83, 0xc0, 0x01, /* a: add eax, 1 (its 01h at 7C09h) */
	    0xfe, 0x06, 0x09, 0x7c, /* inc byte [7C09h] */
	    0xe2, 0xf6,		    /* loop a */
	    0xf4,		    /* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_uint_eq(r.regs[X86_EAX], 1 + 2 + 3 + 4 + 5);
}
END_TEST

/* A wrong translation of INC EAX: two steps. */
static uint32_t wrong_inc(struct x86_cpu *c)
{
	c->regs[X86_EAX] += 2;
	c->eip += 2;
	return 1;
}

/* The lockstep check (HV_JIT_LOCKSTEP) passes a right translation and
 * stops the CPU with an error on a wrong one. */
START_TEST(test_lockstep_tells_a_wrong_translation)
{
	static const uint8_t code[] = {0x66, 0x40}; /* inc eax */
	struct x86_insn in;
	struct x86_block b = {.insns = &in, .n = 1, .count = 1, .ip_mask = 0xffff};
	unsigned native, mem;
	x86_jit_code right;

	ck_assert_ptr_nonnull(cpu->jit);
	x86f_load(code, sizeof code, 0x7c00);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_tlb_sync(cpu);
	x86_decode(cpu, &in);
	right = x86f_translate(&b, &native, &mem, NULL);
	ck_assert_uint_eq(native, 1);
	x86_jit_lockstep(cpu, &b, right);
	ck_assert(!cpu->stop);
	ck_assert_uint_eq(reg(X86_EAX), 1);
	ck_assert_uint_eq(cpu->eip, 0x7c02);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_jit_lockstep(cpu, &b, wrong_inc);
	ck_assert(cpu->stop);
	ck_assert_int_eq(cpu->stop_reason, VCPU_EXIT_ERROR);
	ck_assert_uint_eq(cpu->jit->checked, 2);
}
END_TEST

/* INC EAX from 0 as the interpreter does it (no CF to fold), then the
 * bits `flip` of EFLAGS flipped. */
static uint32_t flip;

static uint32_t inc_flipping(struct x86_cpu *c)
{
	c->regs[X86_EAX] = 1;
	c->lazy = (struct x86_lazy){1, 0, X86_ARITH & ~X86_CF, 32};
	c->eflags ^= flip;
	c->ip_start = c->eip;
	c->eip += 2;
	return 1;
}

/* Lockstep ignores the bits of EFLAGS under the lazy record's mask,
 * which are stale (a translation need not fold into them: jit_sink.c),
 * but not the others: CF, not under the INC's mask, or DF. */
START_TEST(test_lockstep_ignores_flags_under_the_record)
{
	static const uint8_t code[] = {0x66, 0x40}; /* inc eax */
	static const uint32_t flips[] = {X86_ZF | X86_SF, X86_CF, X86_DF};
	struct x86_insn in;
	struct x86_block b = {.insns = &in, .n = 1, .count = 1, .ip_mask = 0xffff};

	x86f_load(code, sizeof code, 0x7c00);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_tlb_sync(cpu);
	x86_decode(cpu, &in);
	for (size_t i = 0; i < UNIT_COUNT(flips); i++) {
		flip = flips[i];
		cpu->regs[X86_EAX] = 0;
		cpu->eflags = 0x2;
		cpu->lazy = (struct x86_lazy){0, 0, 0, 32};
		x86_cpu_set_ip(cpu, 0, 0x7c00);
		x86_jit_lockstep(cpu, &b, inc_flipping);
		ck_assert_int_eq(cpu->stop, i > 0);
		cpu->stop = false;
	}
	ck_assert_uint_eq(cpu->jit->checked, 3);
}
END_TEST

/* A wrong translation of MOV BYTE [500h], 7: it stores 8. */
static uint32_t wrong_store(struct x86_cpu *c)
{
	m.mem.ram[0x500] = 8;
	c->eip += 5;
	return 1;
}

/* Lockstep with a memory operand: on a soft-TLB hit the block runs twice
 * (the byte put back in between) and a wrong store is told; on a miss it
 * runs once, interpreted, unchecked. */
START_TEST(test_lockstep_checks_memory_operands)
{
	static const uint8_t code[] = {0xc6, 0x06, 0x00, 0x05, 0x07}; /* mov byte [500h], 7 */
	struct x86_insn in;
	struct x86_block b = {.insns = &in, .n = 1, .count = 1, .ip_mask = 0xffff};
	unsigned native, mem;
	x86_jit_code right;

	x86f_load(code, sizeof code, 0x7c00);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_tlb_sync(cpu);
	x86_decode(cpu, &in);
	right = x86f_translate(&b, &native, &mem, NULL);
	ck_assert_uint_eq(mem, 1);
	x86_jit_lockstep(cpu, &b, right); /* a miss: once */
	ck_assert_uint_eq(cpu->jit->checked, 0);
	ck_assert_uint_eq(mem8(0x500), 7);
	m.mem.ram[0x500] = 0;
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_jit_lockstep(cpu, &b, right); /* the TLB holds the page now */
	ck_assert_uint_eq(cpu->jit->checked, 1);
	ck_assert(!cpu->stop);
	ck_assert_uint_eq(mem8(0x500), 7);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_jit_lockstep(cpu, &b, wrong_store);
	ck_assert(cpu->stop);
	ck_assert_int_eq(cpu->stop_reason, VCPU_EXIT_ERROR);
}
END_TEST

/* Blocks of register forms whose flags are read, replaced or passed on
 * in turn (jit_live.c): a setter whose flags are all replaced before
 * being read writes no record, one whose CF only an INC or DEC folds
 * puts it in EFLAGS itself; ADC reads it there. Lockstep compares the
 * raw EFLAGS and lazy record, which must be the interpreter's from any
 * record before the block: CF folded by an INC whose own flags an ADD
 * then replaces is still in EFLAGS' raw bits. */
static const uint8_t live_blocks[][24] = {
    /* sub eax, ebx; inc ecx; add edx, esi */
    {9, 0x66, 0x29, 0xd8, 0x66, 0x41, 0x66, 0x01, 0xf2},
    /* sub eax, ebx; mov edi, eax; inc ecx; dec edx */
    {11, 0x66, 0x29, 0xd8, 0x66, 0x89, 0xc7, 0x66, 0x41, 0x66, 0x4a},
    /* add eax, ebx; adc edx, esi */
    {7, 0x66, 0x01, 0xd8, 0x66, 0x11, 0xf2},
    /* sub eax, ebx; inc ecx; adc edx, esi */
    {9, 0x66, 0x29, 0xd8, 0x66, 0x41, 0x66, 0x11, 0xf2},
    /* cmp al, bl; inc cx; dec si; sbb dx, ax */
    {7, 0x38, 0xd8, 0x41, 0x4e, 0x19, 0xc2},
    /* xor eax, ecx; inc edx; adc ebx, eax */
    {9, 0x66, 0x31, 0xc8, 0x66, 0x42, 0x66, 0x11, 0xc3},
    /* add eax, ebx; not si; shl edx, 3; inc edi */
    {12, 0x66, 0x01, 0xd8, 0xf7, 0xd6, 0x66, 0xc1, 0xe2, 0x03, 0x66, 0x47},
    /* add ax, bx; inc ecx; inc edx; cmp esi, edi; dec eax; sbb ecx, ecx */
    {15, 0x01, 0xd8, 0x66, 0x41, 0x66, 0x42, 0x66, 0x39, 0xfe, 0x66, 0x48, 0x66, 0x19, 0xc9},
};

/* The records a block may start from: CF lazy (set or clear), CF in EFLAGS. */
static const struct x86_lazy live_starts[] = {
    {0x80000000u, 0x80000000u, X86_ARITH, 32},
    {0x00000001u, 0x00000000u, X86_ARITH, 32},
    {0x00000005u, 0x0000ff00u, X86_ARITH & ~X86_CF, 8},
    {0, 0, 0, 32},
};

static void lockstep_block(const uint8_t *code, size_t len, const struct x86_lazy *l)
{
	static struct x86_insn in[8];
	struct x86_block b = {.insns = in, .ip_mask = 0xffff};
	uint32_t ip = 0x7c00;
	unsigned native, mem;
	x86_jit_code jit;

	x86f_load(code, len, 0x7c00);
	x86_tlb_sync(cpu);
	for (; ip < 0x7c00 + len; b.n++) {
		x86_cpu_set_ip(cpu, 0, ip);
		x86_decode(cpu, &in[b.n]);
		ip += in[b.n].len;
	}
	ck_assert_uint_eq(ip, 0x7c00 + len);
	b.count = b.n;
	jit = x86f_translate(&b, &native, &mem, NULL);
	ck_assert_uint_eq(native, b.n);
	ck_assert_uint_eq(mem, 0);
	for (unsigned r = 0; r < 8; r++)
		cpu->regs[r] = 0x7ffffff0u + r * 0x10000001u;
	cpu->eflags = 0x2 | (l->mask & X86_CF ? 0 : X86_CF);
	cpu->lazy = *l;
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	x86_jit_lockstep(cpu, &b, jit);
}

START_TEST(test_flag_liveness_in_lockstep)
{
	unsigned k = 0;

	for (size_t i = 0; i < UNIT_COUNT(live_blocks); i++) {
		for (size_t s = 0; s < UNIT_COUNT(live_starts); s++) {
			lockstep_block(live_blocks[i] + 1, live_blocks[i][0] - 1u, &live_starts[s]);
			ck_assert_msg(!cpu->stop, "block %zu from record %zu diverges", i, s);
			ck_assert_uint_eq(cpu->jit->checked, ++k);
		}
	}
}
END_TEST

/* IMUL and MUL replace every arithmetic flag (x86_jit_defs): one whose
 * flags the next flag setter replaces writes only its product (jit_ops.c),
 * of each form and size; one whose CF an INC reads keeps its flags; an
 * IMUL is the killer of a sunk SHR before a memory form (jit_sink.c),
 * there one that faults (#GP), its handler pushing the SHR's flags. The
 * PUSHFs show the flags, the registers the products. */
START_TEST(test_dead_imul_matches_the_interpreter)
{
	static const uint8_t code[] = {
	    0xbc, 0x00, 0x70,			/* mov sp, 7000h */
	    0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 12345678h */
	    0x66, 0xbb, 0xf1, 0xde, 0xbc, 0x9a, /* mov ebx, 9abcdef1h */
	    0x66, 0xb9, 0xff, 0xff, 0xff, 0x7f, /* mov ecx, 7fffffffh */
	    0x66, 0xba, 0x03, 0x00, 0x00, 0x00, /* mov edx, 3 */
	    0xc7, 0x06, 0x00, 0x05, 0x35, 0x9e, /* mov word [500h], 9e35h */
	    0xbd, 0x05, 0x00,			/* mov bp, 5 */
	    0x66, 0x0f, 0xaf, 0xc3,		/* top: imul eax, ebx */
	    0x66, 0x01, 0xc1,			/* add ecx, eax */
	    0x69, 0xd3, 0x34, 0x92,		/* imul dx, bx, 9234h */
	    0x66, 0x29, 0xca,			/* sub edx, ecx */
	    0x66, 0x6b, 0xf1, 0xfd,		/* imul esi, ecx, -3 */
	    0x66, 0x31, 0xc6,			/* xor esi, eax */
	    0x0f, 0xaf, 0xf2,			/* imul si, dx */
	    0x66, 0x21, 0xd6,			/* and esi, edx */
	    0x66, 0xf7, 0xe1,			/* mul ecx */
	    0x66, 0x09, 0xc3,			/* or ebx, eax */
	    0x66, 0xc1, 0xeb, 0x03,		/* shr ebx, 3 */
	    0x8b, 0x3e, 0x00, 0x05,		/* mov di, [500h] */
	    0x66, 0x0f, 0xaf, 0xfb,		/* imul edi, ebx */
	    0x66, 0x01, 0xd7,			/* add edi, edx */
	    0x9c,				/* pushf */
	    0x66, 0x6b, 0xc0, 0x07,		/* imul eax, eax, 7 */
	    0x66, 0x41,				/* inc ecx */
	    0x9c,				/* pushf */
	    0x4d,				/* dec bp */
	    0x75, 0xc5,				/* jnz top */
	    0x66, 0xc1, 0xeb, 0x01,		/* shr ebx, 1 */
	    0x66, 0x03, 0x06, 0xff, 0xff,	/* add eax, [0ffffh]: #GP */
	    0x66, 0x0f, 0xaf, 0xcb,		/* imul ecx, ebx */
	    0x66, 0x01, 0xca,			/* add edx, ecx */
	    0xf4,				/* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_gt(r.native, 40);
	/* 10 PUSHF, then FLAGS, CS and IP of the #GP */
	ck_assert_uint_eq(r.low[0x6fe6] | r.low[0x6fe7] << 8, 0x7c00 + sizeof code - 13);
}
END_TEST

/* A cached register's write whose next write comes first leaves memory
 * alone (jit_dse.c); these keep it: a read of AH (from memory) before
 * the next write, a CMOVcc, a shift by CL, a memory form and a #GP in
 * between (the handler sees memory's registers), a 16-bit next write,
 * the block's end. The registers and memory show the values. */
START_TEST(test_dead_stores_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0xbc, 0x00, 0x70,			/* mov sp, 7000h */
	    0x66, 0xbb, 0xf1, 0xde, 0xbc, 0x9a, /* mov ebx, 9abcdef1h */
	    0x66, 0xba, 0x03, 0x00, 0x00, 0x00, /* mov edx, 3 */
	    0xbd, 0x05, 0x00,			/* mov bp, 5 */
	    0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* top: mov eax, 12345678h */
	    0x66, 0x01, 0xd8,			/* add eax, ebx */
	    0x88, 0xe1,				/* mov cl, ah */
	    0x66, 0x89, 0xd8,			/* mov eax, ebx */
	    0x66, 0xc1, 0xe0, 0x03,		/* shl eax, 3 */
	    0x66, 0x89, 0xc6,			/* mov esi, eax */
	    0x66, 0x31, 0xd0,			/* xor eax, edx */
	    0x66, 0x0f, 0x44, 0xc3,		/* cmovz eax, ebx */
	    0x66, 0x89, 0xc7,			/* mov edi, eax */
	    0x66, 0xd3, 0xe7,			/* shl edi, cl */
	    0x66, 0x0f, 0xaf, 0xd3,		/* imul edx, ebx */
	    0x66, 0x42,				/* inc edx */
	    0x66, 0x8d, 0x74, 0x01,		/* lea esi, [si+1] */
	    0x89, 0xf7,				/* mov di, si */
	    0x66, 0x01, 0x36, 0x00, 0x05,	/* add [500h], esi */
	    0x4d,				/* dec bp */
	    0x75, 0xca,				/* jnz top */
	    0x66, 0xb8, 0x55, 0x55, 0x00, 0x00, /* mov eax, 5555h */
	    0x66, 0x03, 0x1e, 0xff, 0xff,	/* add ebx, [0ffffh]: #GP */
	    0x66, 0xb8, 0x66, 0x66, 0x00, 0x00, /* mov eax, 6666h */
	    0xf4,				/* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_gt(r.native, 30);
	ck_assert_uint_eq(r.regs[X86_EAX], 0x5555);
}
END_TEST

/* SHL, SHR and SAR of 32 bits by an immediate (the carry vector's two
 * bits from the last bit out and the top bit, jit_ops.c's shift32_imm),
 * and the 32-bit IMUL (CF and OF from the host's), whose flags a block's
 * end reads: the record and EFLAGS as the interpreter leaves them, for
 * values that give each of CF and OF both ways. */
START_TEST(test_shift_and_imul_records_in_lockstep)
{
	static const uint32_t vals[] = {0x80000001u, 0x7ffffffeu, 0xc0000000u, 0x40000001u, 5};
	static const uint8_t counts[] = {1, 2, 11, 30, 31};
	static const uint8_t subs[] = {4, 5, 6, 7};
	static const uint32_t muls[] = {3, 0xfffffff9u, 0x10000u, 0x7fffffffu};
	unsigned k = 0;
	uint8_t c[20];

	for (size_t v = 0; v < UNIT_COUNT(vals); v++) {
		c[0] = 0x66; /* mov eax, v */
		c[1] = 0xb8;
		le32(c + 2, vals[v]);
		c[6] = 0x66;
		for (size_t s = 0; s < UNIT_COUNT(subs); s++) {
			for (size_t n = 0; n < UNIT_COUNT(counts); n++) {
				c[7] = 0xc1; /* shl/shr/sal/sar eax, n */
				c[8] = (uint8_t)(0xc0 | subs[s] << 3);
				c[9] = counts[n];
				lockstep_block(c, 10, &live_starts[0]);
				ck_assert_msg(!cpu->stop, "%#x /%u %u diverges", vals[v], subs[s],
					      counts[n]);
				ck_assert_uint_eq(cpu->jit->checked, ++k);
			}
		}
		for (size_t m = 0; m < UNIT_COUNT(muls); m++) {
			c[7] = 0x69; /* imul eax, eax, m; imul eax, ebx */
			c[8] = 0xc0;
			le32(c + 9, muls[m]);
			memcpy(c + 13, (const uint8_t[]){0x66, 0x0f, 0xaf, 0xc3}, 4);
			lockstep_block(c, 17, &live_starts[1]);
			ck_assert_msg(!cpu->stop, "%#x * %#x diverges", vals[v], muls[m]);
			ck_assert_uint_eq(cpu->jit->checked, ++k);
		}
	}
}
END_TEST

/* OR, AND and XOR of 32 bits into a cached register whose flags a
 * block's end reads (jit_form.c's logic_direct), from a cached register,
 * an immediate (both encodings) and a register not cached, and INC and
 * DEC of each size (incdec_cv): the record as the interpreter's. */
START_TEST(test_logic_and_incdec_records_in_lockstep)
{
	static const uint8_t ops[][8] = {
	    {3, 0x66, 0x31, 0xd8},			   /* xor eax, ebx */
	    {6, 0x66, 0x25, 0x0f, 0xf0, 0x00, 0x80},	   /* and eax, 8000f00fh */
	    {7, 0x66, 0x81, 0xc8, 0x00, 0x00, 0x01, 0x00}, /* or eax, 10000h */
	    {3, 0x66, 0x0b, 0xc1},			   /* or eax, ecx */
	    {3, 0x66, 0x31, 0xc0},			   /* xor eax, eax */
	    {3, 0x66, 0x21, 0xc3},			   /* and ebx, eax */
	    {2, 0x66, 0x40},				   /* inc eax */
	    {2, 0x66, 0x48},				   /* dec eax */
	    {1, 0x40},					   /* inc ax */
	    {2, 0xfe, 0xc8},				   /* dec al */
	};
	static const uint32_t vals[] = {0, 0xffffffffu, 0x7fffffffu, 0x80000000u, 0xff, 0xffff};
	unsigned k = 0;
	uint8_t c[24];

	for (size_t v = 0; v < UNIT_COUNT(vals); v++) {
		c[0] = 0x66; /* mov eax, v; mov ebx, 80000001h */
		c[1] = 0xb8;
		le32(c + 2, vals[v]);
		c[6] = 0x66;
		c[7] = 0xbb;
		le32(c + 8, 0x80000001u);
		for (size_t o = 0; o < UNIT_COUNT(ops); o++) {
			memcpy(c + 12, ops[o] + 1, ops[o][0]);
			lockstep_block(c, 12u + ops[o][0], &live_starts[o % 4]);
			ck_assert_msg(!cpu->stop, "%#x op %zu diverges", vals[v], o);
			ck_assert_uint_eq(cpu->jit->checked, ++k);
		}
	}
}
END_TEST

/* MOV, MOVZX and MOVSX to 32-bit registers cached in host registers,
 * from memory and from other registers, cached or not, one of a cached
 * register to one that is not (jit_form.c's x86_jit_load_direct: the
 * host register and memory both written), and MOVs of cached registers'
 * bytes, words and dwords to memory (store_direct). */
START_TEST(test_loads_into_cached_registers_match_the_interpreter)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0x14, 0x00, 0x00, 0x00, /* mov ecx, 20 */
	    0xbe, 0x00, 0x7c,			/* mov si, 0x7c00 */
	    0x66, 0x8b, 0x04,			/* a: mov eax, [si] */
	    0x66, 0x0f, 0xb6, 0x5c, 0x01,	/* movzx ebx, byte [si + 1] */
	    0x66, 0x0f, 0xbf, 0x54, 0x02,	/* movsx edx, word [si + 2] */
	    0x66, 0x0f, 0xbe, 0x7c, 0x03,	/* movsx edi, byte [si + 3] */
	    0x66, 0x01, 0xd8,			/* add eax, ebx */
	    0x66, 0x01, 0xd3,			/* add ebx, edx */
	    0x66, 0x01, 0xc7,			/* add edi, eax */
	    0x66, 0x89, 0xc7,			/* mov edi, eax */
	    0x66, 0x0f, 0xb6, 0xe8,		/* movzx ebp, al */
	    0x66, 0x0f, 0xbf, 0xd3,		/* movsx edx, bx */
	    0x66, 0x0f, 0xbe, 0xdc,		/* movsx ebx, ah */
	    0x66, 0x89, 0xeb,			/* mov ebx, ebp */
	    0x66, 0x01, 0x06, 0x00, 0x05,	/* add [500h], eax */
	    0x66, 0x01, 0x3e, 0x04, 0x05,	/* add [504h], edi */
	    0x66, 0x31, 0x2e, 0x08, 0x05,	/* xor [508h], ebp */
	    0x66, 0x01, 0x16, 0x0c, 0x05,	/* add [50ch], edx */
	    0x66, 0x01, 0x1e, 0x10, 0x05,	/* add [510h], ebx */
	    0x66, 0x89, 0x3e, 0x14, 0x05,	/* mov [514h], edi */
	    0x88, 0x16, 0x1a, 0x05,		/* mov [51ah], dl */
	    0x88, 0x26, 0x1b, 0x05,		/* mov [51bh], ah */
	    0x89, 0x2e, 0x18, 0x05,		/* mov [518h], bp */
	    0x66, 0x89, 0xdc,			/* mov esp, ebx (not cached) */
	    0x46,				/* inc si */
	    0x66, 0x49,				/* dec ecx */
	    0x75, 0xa1,				/* jnz a */
	    0xf4,				/* hlt */
	};
	static struct result r;

	same_as_interpreter(code, sizeof code, &r);
	ck_assert_int_eq(r.exit, VCPU_EXIT_HALT);
	ck_assert_uint_eq(r.regs[X86_ECX], 0);
}
END_TEST

static void setup(void)
{
	x86f_setup(1u << 20);
}

int main(void)
{
	const TTest *const tests[] = {
	    test_buffer_is_two_views_never_writable_and_executable,
	    test_buffer_views_are_aligned_for_huge_pages,
	    test_refused_exec_mapping_runs_the_interpreter,
	    test_jit_off_by_switch,
	    test_lockstep_tells_a_wrong_translation,
	    test_lockstep_checks_memory_operands,
	    test_lockstep_ignores_flags_under_the_record,
	    test_flag_liveness_in_lockstep,
	    test_shift_and_imul_records_in_lockstep,
	    test_logic_and_incdec_records_in_lockstep,
	};
	const TTest *const runs[] = {
	    test_loop_matches_the_interpreter,
	    test_cached_registers_match_the_interpreter,
	    test_more_forms_match_the_interpreter,
	    test_stack_forms_match_the_interpreter,
	    test_fault_in_a_block_is_precise,
	    test_fused_compare_and_branch,
	    test_self_modifying_code_kills_the_translation,
	    test_near_jumps_match_the_interpreter,
	    test_dead_flags_match_the_interpreter,
	    test_dead_forms_in_place_match_the_interpreter,
	    test_dead_imul_matches_the_interpreter,
	    test_dead_stores_match_the_interpreter,
	    test_carry_vectors_match_the_interpreter,
	    test_condition_users_match_the_interpreter,
	    test_rmw_forms_match_the_interpreter,
	    test_xadd_through_its_own_register_matches_the_interpreter,
	    test_cf_folds_reach_cached_eflags,
	    test_loads_into_cached_registers_match_the_interpreter,
	};
	Suite *s = unit_suite("x86_jit", "buffer", setup, x86f_teardown, tests, UNIT_COUNT(tests),
			      NULL, 0);
	TCase *tc = tcase_create("runs");

	for (size_t i = 0; i < UNIT_COUNT(runs); i++)
		tcase_add_test(tc, runs[i]);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
