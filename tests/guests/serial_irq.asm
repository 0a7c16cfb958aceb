; COM1 receive interrupts while halted: the main loop only sleeps in HLT;
; the IRQ4 handler reads every byte the UART holds and echoes it. A 'q'
; ends the guest with exit code 11h after "bye".
%include "lib.inc"

QUIT equ 0x0500              ; set by the handler on 'q' (segment 0)
IRQS equ 0x0502              ; interrupts taken

GUEST_ENTRY
	call com1_init
	call pic_init
	xor ax, ax
	mov es, ax
	mov word [es:0x0C * 4], com1_handler
	mov [es:0x0C * 4 + 2], cs
	mov word [es:QUIT], 0
	mov word [es:IRQS], 0
	mov dx, COM1 + 1
	mov al, 0x01             ; IER: received data available
	out dx, al
	PRINT_COM1 "irq echo ready", 13, 10
.loop:
	cli
	cmp word [es:QUIT], 0
	jne .done
	sti                      ; STI's shadow covers HLT: no lost wake-up
	hlt
	jmp .loop
.done:
	PRINT_COM1 13, 10, "bye", 13, 10
	cmp word [es:IRQS], 0
	je .fail
	PRINT_E9 "PASS serial irq", 10
	EXIT 0x11
.fail:
	PRINT_E9 "FAIL no interrupt", 10
	EXIT 0x01

; pic_init: BIOS vectors 08h/70h, only IRQ4 unmasked.
pic_init:
	mov al, 0x11
	out 0x20, al
	mov al, 0x08
	out 0x21, al
	mov al, 0x04
	out 0x21, al
	mov al, 0x01
	out 0x21, al
	mov al, 0x11
	out 0xA0, al
	mov al, 0x70
	out 0xA1, al
	mov al, 0x02
	out 0xA1, al
	mov al, 0x01
	out 0xA1, al
	mov al, 0xEF
	out 0x21, al
	mov al, 0xFF
	out 0xA1, al
	ret

com1_handler:
	push ax
	push dx
	push ds
	xor ax, ax
	mov ds, ax
	inc word [IRQS]
	mov dx, COM1 + 2
	in al, dx                ; IIR: acknowledges the interrupt source
.next:
	mov dx, COM1 + 5
	in al, dx
	test al, 0x01
	jz .eoi
	mov dx, COM1
	in al, dx
	cmp al, 'q'
	jne .echo
	mov word [QUIT], 1
	jmp .next
.echo:
	call com1_putc
	jmp .next
.eoi:
	mov al, 0x20
	out 0x20, al
	pop ds
	pop dx
	pop ax
	iret

ROM_END
