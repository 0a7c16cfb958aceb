; ring3: privilege levels on a bare machine: LTR, IRET to ring 3, the I/O
; permission bitmap, IOPL and privileged instructions at CPL 3, a call gate
; with a parameter and RETF, INT 80h through a DPL-3 gate and back.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
%include "lib.inc"

%include "pm.inc"

bits 16
	ENTER_PM
	PRINT32 "PASS protected mode entered", 10
	mov dword [es:TSS_BASE + 4], STACK0
	mov dword [es:TSS_BASE + 8], SEL_FLAT
	mov word [es:TSS_BASE + 102], 0x68
	mov edi, TSS_BASE + 0x68
	mov ecx, 0x100
	mov al, 0xff
	rep stosb
	mov eax, DEBUGCON
	btr [es:TSS_BASE + 0x68], eax
	mov eax, EXIT_PORT
	btr [es:TSS_BASE + 0x68], eax
	mov ax, SEL_TSS
	ltr ax
	str bx
	EXPECT bx, SEL_TSS, "ltr and str"

	mov eax, 0x80
	mov ebx, int80
	mov ecx, 0xee00
	call set_gate

	push dword SEL_FLAT3 | 3
	push dword 0x6000
	push dword 0x2
	push dword SEL_CODE3 | 3
	push dword ring3
	iret

ring3:
	mov ax, SEL_ROM3 | 3
	mov ds, ax
	mov eax, cs
	and eax, 3
	EXPECT eax, 3, "iret to ring 3"

	ARM .port
	out 0x80, al
.port:
	EXPECT_FAULT 13, 0, "the i/o bitmap denies port 80h"

	ARM .cli
	cli
.cli:
	EXPECT_FAULT 13, 0, "cli at cpl 3 with iopl 0"

	ARM .hlt
	hlt
.hlt:
	EXPECT_FAULT 13, 0, "hlt at cpl 3"

	ARM .mov_cr
	mov eax, cr0
.mov_cr:
	EXPECT_FAULT 13, 0, "mov from cr0 at cpl 3"

	ARM .ds0
	mov ax, SEL_FLAT
	mov es, ax
.ds0:
	EXPECT_FAULT 13, SEL_FLAT, "loading a dpl 0 data segment"

	push dword 0x55
	call SEL_GATE3 | 3:0
	EXPECT eax, 0x55, "the call gate copies the parameter"
	EXPECT ebx, 0, "the call gate runs at cpl 0"
	EXPECT esp, 0x6000, "retf 4 releases the parameter"
	mov eax, cs
	and eax, 3
	EXPECT eax, 3, "retf back to ring 3"

	mov eax, 7
	int 0x80
	EXPECT eax, 8, "int 80h from ring 3 and back"
	EXPECT ecx, SEL_CODE3 | 3, "the ring-0 frame holds the ring-3 cs"
	EXPECT edx, 0x6000, "the ring-0 frame holds the ring-3 esp"

	ARM .dpl0
	int 13
.dpl0:
	EXPECT_FAULT 13, 13 * 8 + 2, "int to a dpl 0 gate"

	PRINT32 "PASS ring3 done", 10
	EXIT32 0x10

gate_target:
	mov eax, [esp + 8]
	mov ebx, cs
	and ebx, 3
	retf 4

int80:
	inc eax
	mov ecx, [esp + 4]
	mov edx, [esp + 12]
	iret

bits 16
	ROM_END
