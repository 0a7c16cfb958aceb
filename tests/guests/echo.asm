; A line-oriented echo on COM1: prints "ready> ", reads a line, answers
; "you said: LINE" in upper case; "quit" powers off with code 0x05.
%include "lib.inc"

LINE equ 0x1000              ; line buffer in RAM (segment 0)

GUEST_ENTRY
	call com1_init
	PRINT_COM1 "echo guest up", 13, 10
prompt:
	PRINT_COM1 "ready> "
	xor ax, ax
	mov es, ax
	mov di, LINE
.read:
	call com1_getc
	cmp al, 13
	je .eol
	cmp al, 10
	je .eol
	cmp di, LINE + 200
	jae .read                ; overlong lines are cut, not overflowed
	call com1_putc           ; echo as a terminal would
	cmp al, 'a'
	jb .store
	cmp al, 'z'
	ja .store
	sub al, 32
.store:
	stosb
	jmp .read
.eol:
	xor al, al
	stosb
	PRINT_COM1 13, 10, "you said: "
	push ds
	xor ax, ax
	mov ds, ax
	mov si, LINE
	call com1_puts
	pop ds
	PRINT_COM1 13, 10
	; "QUIT" ends the guest.
	xor ax, ax
	mov es, ax
	cmp dword [es:LINE], 'QUIT'
	jne prompt
	cmp byte [es:LINE + 4], 0
	jne prompt
	PRINT_COM1 "bye", 13, 10
	EXIT 0x05
ROM_END
