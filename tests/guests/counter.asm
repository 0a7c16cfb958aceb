; Counts forever on COM1 ("tick N"), with a busy delay between lines, so a
; paused domain shows as output that stops and resumes.
%include "lib.inc"

GUEST_ENTRY
	call com1_init
	xor bx, bx
.loop:
	PRINT_COM1 "tick "
	mov ax, bx
	call com1_putdec
	PRINT_COM1 13, 10
	inc bx
	mov cx, 0xFFFF
.delay:
	nop
	loop .delay
	jmp .loop
ROM_END
