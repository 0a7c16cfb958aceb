; PS/2 keyboard through the i8042, interrupt driven: checks the controller
; self-test, resets the keyboard and sets its LEDs and typematic rate by
; polling (`hv list -l` shows both), then turns on IRQ1 with set-1
; translation and prints every scan code the IRQ1 handler reads, as hex,
; to COM1. The host types with `hv send-keys`; the
; break code of Esc (81h) ends the guest with exit code 12h.
%include "lib.inc"

QUIT equ 0x0500              ; set by the handler on Esc's break code

GUEST_ENTRY
	call com1_init
	mov al, 0xAA             ; controller self-test
	out 0x64, al
	call kbc_read
	cmp al, 0x55
	jne fail
	mov al, 0x60             ; command byte: translation, system flag, no IRQs yet
	out 0x64, al
	mov al, 0x44
	out 0x60, al
	mov al, 0xFF             ; keyboard reset: ACK, then self-test passed
	out 0x60, al
	call kbc_read
	cmp al, 0xFA
	jne fail
	call kbc_read
	cmp al, 0xAA
	jne fail
	mov al, 0xED             ; LEDs: Caps, Num, Scroll
	out 0x60, al
	call kbc_read
	cmp al, 0xFA
	jne fail
	mov al, 0x07
	out 0x60, al
	call kbc_read
	cmp al, 0xFA
	jne fail
	mov al, 0xF3             ; typematic: 750 ms delay, rate 05h
	out 0x60, al
	call kbc_read
	cmp al, 0xFA
	jne fail
	mov al, 0x45
	out 0x60, al
	call kbc_read
	cmp al, 0xFA
	jne fail
	mov bl, 0xFD             ; only IRQ1
	call pic_init
	xor ax, ax
	mov es, ax
	mov word [es:0x09 * 4], kbd_handler
	mov [es:0x09 * 4 + 2], cs
	mov word [es:QUIT], 0
	mov al, 0x60             ; command byte: translation, system flag, IRQ1
	out 0x64, al
	mov al, 0x45
	out 0x60, al
	PRINT_COM1 "kbd ready", 13, 10
.loop:
	cli
	cmp word [es:QUIT], 0
	jne .done
	sti                      ; STI's shadow covers HLT
	hlt
	jmp .loop
.done:
	PRINT_COM1 13, 10, "bye", 13, 10
	EXIT 0x12

fail:
	PRINT_COM1 "FAIL controller setup", 13, 10
	EXIT 0x01

; kbc_read: polls the status port until the output buffer is full, then
; reads the data port into AL.
kbc_read:
.wait:
	in al, 0x64
	test al, 0x01
	jz .wait
	in al, 0x60
	ret

; com1_puthex: AL as two hex digits and a space.
com1_puthex:
	push ax
	push bx
	mov bl, al
	shr al, 4
	call .digit
	mov al, bl
	and al, 0x0F
	call .digit
	mov al, ' '
	call com1_putc
	pop bx
	pop ax
	ret
.digit:
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '9' - 1
.out:
	jmp com1_putc

kbd_handler:
	push ax
	push ds
	xor ax, ax
	mov ds, ax
	in al, 0x60
	call com1_puthex
	cmp al, 0x81
	jne .eoi
	mov word [QUIT], 1
.eoi:
	mov al, 0x20
	out 0x20, al
	pop ds
	pop ax
	iret

ROM_END
