; The PC speaker playing for good: PIT counter 2 at 1000 Hz (mode 3,
; count 1193) through port 61h, then halts with interrupts off while the
; counter keeps the tone going, for tests that pause, mute and resume a
; playing domain.
%include "lib.inc"

GUEST_ENTRY
	mov al, 0xB6
	out 0x43, al
	mov al, 1193 & 0xFF
	out 0x42, al
	mov al, 1193 >> 8
	out 0x42, al
	mov al, 0x03
	out 0x61, al
	PRINT_E9 "playing", 10
.halt:
	hlt
	jmp .halt
ROM_END
