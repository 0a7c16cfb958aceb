; A boot sector for the display benchmark: switches to mode 13h through the
; VGA BIOS and then repaints the whole screen in a new colour, over and
; over, as fast as the CPU goes: a full-screen animation.

bits 16
org 0x7C00

start:
	cli
	xor ax, ax
	mov ss, ax
	mov sp, 0x7C00
	sti
	cld
	mov ax, 0x0013
	int 0x10
	push word 0xA000
	pop es
	xor bl, bl
.frame:
	inc bl
	mov al, bl
	mov ah, bl
	xor di, di
	mov cx, 32000
	rep stosw
	jmp .frame

	times 510 - ($ - $$) db 0
	dw 0xAA55
	times 32768 - ($ - $$) db 0
