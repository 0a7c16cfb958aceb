; COM2 (2F8h, IRQ 3) both ways: says "com2 ready" on COM2 and "com1 here"
; on COM1 (so a test can tell the ports apart), then sleeps in HLT until
; the IRQ3 handler has read a byte from COM2, answers "com2 got X" there
; and ends with exit code 13h.
%include "lib.inc"

COM2 equ 0x2F8
GOT equ 0x0500               ; the byte the handler read, 0 until then

GUEST_ENTRY
	call com1_init
	call com2_init
	mov bl, 0xF7             ; only IRQ3
	call pic_init
	xor ax, ax
	mov es, ax
	mov word [es:0x0B * 4], com2_handler
	mov [es:0x0B * 4 + 2], cs
	mov byte [es:GOT], 0
	mov dx, COM2 + 1
	mov al, 0x01             ; IER: received data available
	out dx, al
	PRINT_COM1 "com1 here", 13, 10
	mov si, ready
	call com2_puts
.loop:
	cli
	cmp byte [es:GOT], 0
	jne .done
	sti                      ; STI's shadow covers HLT: no lost wake-up
	hlt
	jmp .loop
.done:
	mov si, got
	call com2_puts
	mov al, [es:GOT]
	call com2_putc
	mov al, 13
	call com2_putc
	mov al, 10
	call com2_putc
	EXIT 0x13

; com2_init: as com1_init, on COM2.
com2_init:
	mov dx, COM2 + 3
	mov al, 0x80             ; DLAB
	out dx, al
	mov dx, COM2
	mov al, 1
	out dx, al
	inc dx
	xor al, al
	out dx, al
	mov dx, COM2 + 3
	mov al, 0x03             ; 8N1
	out dx, al
	mov dx, COM2 + 2
	mov al, 0xC7             ; FIFOs on
	out dx, al
	mov dx, COM2 + 4
	mov al, 0x0B             ; DTR, RTS, OUT2 (which gates the IRQ)
	out dx, al
	ret

; com2_putc: AL to COM2 once its transmitter is empty.
com2_putc:
	push ax
	mov dx, COM2 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	pop ax
	mov dx, COM2
	out dx, al
	ret

; com2_puts: DS:SI (DS is the ROM) -> NUL-terminated string to COM2.
com2_puts:
	lodsb
	test al, al
	jz .done
	call com2_putc
	jmp com2_puts
.done:
	ret

com2_handler:
	push ax
	push dx
	push ds
	xor ax, ax
	mov ds, ax
	mov dx, COM2 + 5
	in al, dx
	test al, 0x01
	jz .eoi
	mov dx, COM2
	in al, dx
	mov [GOT], al
.eoi:
	mov al, 0x20
	out 0x20, al
	pop ds
	pop dx
	pop ax
	iret

ready: db "com2 ready", 13, 10, 0
got: db "com2 got ", 0

ROM_END
