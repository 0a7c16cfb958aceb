; Greets on the debug console and COM1, then powers off with code 0x21.
%include "lib.inc"

GUEST_ENTRY
	call com1_init
	PRINT_E9 "hello from the debug console", 10
	PRINT_COM1 "hello from COM1", 13, 10
	EXIT 0x21
ROM_END
