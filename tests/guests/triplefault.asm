; A hostile guest for the reset-storm test: an empty IDT, then an
; interrupt. The #GP it raises cannot be delivered either: a triple fault,
; and the machine resets into the same code, for ever.
%include "lib.inc"

GUEST_ENTRY
	PRINT_E9 "triple fault coming", 10
	lidt [cs:empty_idt]
	int 3
.hang:
	hlt
	jmp .hang

empty_idt:
	dw 0
	dd 0
ROM_END
