; Says it is idle, then halts with interrupts off: the vCPU must sleep
; (domain state "blocked") and use no host CPU.
%include "lib.inc"

GUEST_ENTRY
	call com1_init
	PRINT_COM1 "idle now", 13, 10
.halt:
	hlt
	jmp .halt
ROM_END
