; A guest that crashes with known state, for on_crash = "coredump-*":
; writes "HVCOREDUMP-RAM!!" at physical 5000h, loads known registers,
; then faults with an empty IDT at F000:0800 (a triple fault, and the
; machine resets into the same code until the reset storm ends it as a
; crash). The core file must show those bytes and EIP = 800h.
%include "lib.inc"

GUEST_ENTRY
	PRINT_E9 "crashing with known state", 10
	xor ax, ax
	mov es, ax
	mov di, 0x5000
	mov si, magic
	mov cx, 16
	cld
	rep movsb
	lidt [cs:empty_idt]
	mov eax, 0xC0DEDEAD
	mov ebx, 0x11223344
	mov ecx, 0x55667788
	mov edx, 0x99AABBCC
	jmp crash_here

magic:
	db "HVCOREDUMP-RAM!!"
empty_idt:
	dw 0
	dd 0

	times 0x800 - ($ - $$) db 0x90
crash_here:
	int 3
.hang:
	hlt
	jmp .hang
ROM_END
