; A hostile guest for the console-cap test: writes to COM1 as fast as it
; can, for ever, without looking at the line status. Nobody reads.
%include "lib.inc"

GUEST_ENTRY
	call com1_init
	mov dx, COM1
	mov al, 'x'
.spin:
	out dx, al
	jmp .spin
ROM_END
