; paging: 32-bit paging on a bare machine: a 4 MiB PSE page, accessed and
; dirty bits, #PF error codes and CR2, CR0.WP, INVLPG and CR3 reloads.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
%include "lib.inc"

%include "pm.inc"

bits 16
	ENTER_PM
	PRINT32 "PASS protected mode entered", 10
	mov edi, 0x10000
	xor eax, eax
	mov ecx, 2048
	rep stosd
	mov dword [es:0x10000], 0x11000 | 7
	mov edi, 0x11000
	mov eax, 7
	mov ecx, 1024
.fill:
	stosd
	add eax, 0x1000
	loop .fill
	mov dword [es:0x10000 + 2 * 4], 0x83
	mov eax, cr4
	or eax, 0x10
	mov cr4, eax
	mov eax, 0x10000
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	PRINT32 "PASS paging enabled", 10

	mov dword [es:0x30000], 0x12345678
	EXPECT dword [es:0x830000], 0x12345678, "a 4 MiB page aliases low memory"

	mov eax, [es:0x31000]
	mov eax, [es:0x11000 + 0x31 * 4]
	and eax, 0x60
	EXPECT eax, 0x20, "a read sets the accessed bit only"
	mov dword [es:0x32000], 1
	mov eax, [es:0x11000 + 0x32 * 4]
	and eax, 0x60
	EXPECT eax, 0x60, "a write sets the dirty bit"

	mov dword [es:0x11000 + 0x40 * 4], 0
	invlpg [es:0x40000]
	ARM .absent_read
	mov eax, [es:0x40010]
.absent_read:
	EXPECT_FAULT 14, 0, "page fault on reading an absent page"
	EXPECT dword [ss:LAST_CR2], 0x40010, "cr2 holds the faulting address"
	ARM .absent_write
	mov dword [es:0x40020], 1
.absent_write:
	EXPECT_FAULT 14, 2, "page fault on writing an absent page"

	mov dword [es:0x11000 + 0x41 * 4], 0x41005
	invlpg [es:0x41000]
	mov dword [es:0x41000], 1
	EXPECT dword [es:0x41000], 1, "ring 0 writes a read-only page without wp"
	mov eax, cr0
	or eax, 0x10000
	mov cr0, eax
	ARM .wp
	mov dword [es:0x41000], 2
.wp:
	EXPECT_FAULT 14, 3, "wp protects read-only pages from ring 0"

	mov dword [es:0x60000], 0xaaaa
	mov dword [es:0x61000], 0xbbbb
	mov dword [es:0x11000 + 0x50 * 4], 0x60003
	invlpg [es:0x50000]
	EXPECT dword [es:0x50000], 0xaaaa, "a remapped page"
	mov dword [es:0x11000 + 0x50 * 4], 0x61003
	invlpg [es:0x50000]
	EXPECT dword [es:0x50000], 0xbbbb, "invlpg picks up the new mapping"
	mov dword [es:0x11000 + 0x50 * 4], 0x60003
	mov eax, cr3
	mov cr3, eax
	EXPECT dword [es:0x50000], 0xaaaa, "a cr3 reload flushes the tlb"

	PRINT32 "PASS paging done", 10
	EXIT32 0x10

gate_target:
	retf

bits 16
	ROM_END
