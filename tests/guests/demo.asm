; The demo guest of `hv demo`: a tiny real-mode monitor on COM1.
; Commands: help, regs, count, echo TEXT, off. It waits for keys in HLT
; (COM1 receive interrupts through the PIC), so an idle demo costs the
; host no CPU.
%include "lib.inc"

LINE equ 0x1000

GUEST_ENTRY
	call com1_init
	call com1_irq_init
	PRINT_E9 "demo guest booted", 10
	PRINT_COM1 13, 10, "  hv demo guest: a real-mode monitor on COM1", 13, 10
	PRINT_COM1 "  type 'help' for commands", 13, 10
main_loop:
	PRINT_COM1 13, 10, "demo> "
	call read_line
	mov si, cmd_help
	call match
	je do_help
	mov si, cmd_regs
	call match
	je do_regs
	mov si, cmd_count
	call match
	je do_count
	mov si, cmd_echo
	call match
	je do_echo
	mov si, cmd_off
	call match
	je do_off
	cmp byte [es:LINE], 0
	je main_loop
	PRINT_COM1 13, 10, "unknown command (try 'help')"
	jmp main_loop

do_help:
	PRINT_COM1 13, 10, "help        this list", 13, 10, "regs        segment registers"
	PRINT_COM1 13, 10, "count       count to ten", 13, 10, "echo TEXT   say TEXT back"
	PRINT_COM1 13, 10, "off         power off"
	jmp main_loop

do_regs:
	PRINT_COM1 13, 10, "cs="
	mov ax, cs
	call com1_putdec
	PRINT_COM1 " ss="
	mov ax, ss
	call com1_putdec
	PRINT_COM1 " sp="
	mov ax, sp
	call com1_putdec
	jmp main_loop

do_count:
	mov ax, 1
.next:
	PRINT_COM1 13, 10
	call com1_putdec
	inc ax
	cmp ax, 10
	jbe .next
	jmp main_loop

do_echo:
	PRINT_COM1 13, 10
	push ds
	push es
	pop ds
	mov si, LINE + 5
	call com1_puts
	pop ds
	jmp main_loop

do_off:
	PRINT_COM1 13, 10, "powering off", 13, 10
	EXIT 0

; read_line: a line from COM1 into ES:LINE (ES = 0), echoed, with backspace.
read_line:
	xor ax, ax
	mov es, ax
	mov di, LINE
.key:
	call com1_getc_irq
	cmp al, 13
	je .done
	cmp al, 10
	je .done
	cmp al, 8
	je .back
	cmp al, 127
	je .back
	cmp di, LINE + 120
	jae .key
	call com1_putc
	stosb
	jmp .key
.back:
	cmp di, LINE
	je .key
	dec di
	PRINT_COM1 8, " ", 8
	jmp .key
.done:
	mov byte [es:di], 0
	ret

; match: ZF set if the line starts with the word at DS:SI (then a space or
; the end).
match:
	push di
	mov di, LINE
.cmp:
	lodsb
	test al, al
	jz .end
	cmp al, [es:di]
	jne .no
	inc di
	jmp .cmp
.end:
	mov al, [es:di]
	cmp al, ' '
	je .yes
	test al, al
	jmp .out
.yes:
	xor al, al
	jmp .out
.no:
	or al, 1                 ; clears ZF (AL is a non-NUL character here)
.out:
	pop di
	ret

cmd_help: db "help", 0
cmd_regs: db "regs", 0
cmd_count: db "count", 0
cmd_echo: db "echo", 0
cmd_off: db "off", 0

ROM_END
