; A known register state to read with `hv regs`: enters protected mode,
; loads distinctive values into the general registers and FS (a data
; segment with limit FFFh), a null GS, and halts with interrupts off at
; offset 8000h of its code segment (base F0000h), so RIP reads 8001h.
; Says "regs ready" on the debug console first.
%include "lib.inc"

%include "pm.inc"

bits 16
	ENTER_PM
	PRINT32 "regs ready", 10
	mov ax, SEL_SMALL
	mov fs, ax
	xor ax, ax
	mov gs, ax
	mov eax, 0x12345678
	mov ebx, 0x9abcdef0
	mov ecx, 0x0badf00d
	mov edx, 0xcafe0042
	mov esi, 0x51515151
	mov edi, 0xd1d1d1d1
	mov ebp, 0xb0b0b0b0
	mov esp, 0x6ff0
	jmp halt_here

	times 0x8000 - ($ - $$) db 0x90
halt_here:
	hlt
	jmp halt_here

gate_target: ; pm.inc's call gate points here; unused
	retf 4

bits 16
ROM_END
