; A master boot record that types back what it is typed: SeaBIOS loads it
; at 0000:7C00, and it reads keys through INT 16h (so through SeaBIOS's
; IRQ1 handler and its 15-key buffer, where keys typed faster than the
; BIOS takes them are lost) and writes each character to the debug
; console. Like an editor redrawing its line (GRUB's), it takes its time
; over each key: 5 ms through INT 15h AH=86h, with interrupts on so the
; BIOS goes on collecting keys meanwhile. Enter ends the line: a newline,
; then the test exit device with 10h.

bits 16
org 0x7C00

DEBUGCON equ 0xE9
EXIT_PORT equ 0x501

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7C00
	sti
	cld
	mov si, ready
.puts:
	lodsb
	test al, al
	jz .key
	out DEBUGCON, al
	jmp .puts
.key:
	xor ah, ah		; wait for a key: AL its character
	int 0x16
	cmp al, 13
	je .enter
	out DEBUGCON, al
	mov ah, 0x86		; wait CX:DX microseconds
	xor cx, cx
	mov dx, 5000
	int 0x15
	jmp .key
.enter:
	mov al, 10
	out DEBUGCON, al
	mov al, 0x10
	mov dx, EXIT_PORT
	out dx, al
.hang:
	hlt
	jmp .hang

ready: db "kbdecho ready", 10, 0

	times 510 - ($ - $$) db 0
	dw 0xAA55
