; Writes POST codes 11h then 42h, says it is idle, then halts with
; interrupts off: the vCPU must sleep (domain state "blocked") and use no
; host CPU.
%include "lib.inc"

GUEST_ENTRY
	call com1_init
	mov al, 0x11
	out 0x80, al
	mov al, 0x42
	out 0x80, al
	PRINT_COM1 "idle now", 13, 10
.halt:
	hlt
	jmp .halt
ROM_END
