; COM1 receive interrupts while halted: the main loop only sleeps in HLT;
; the IRQ4 handler reads every byte the UART holds and echoes it. A 'q'
; ends the guest with exit code 11h after "bye".
%include "lib.inc"

QUIT equ 0x0500              ; set by the handler on 'q' (segment 0)
IRQS equ 0x0502              ; interrupts taken

GUEST_ENTRY
	call com1_init
	mov bl, 0xEF             ; only IRQ4
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
