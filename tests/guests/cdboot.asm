; The boot image of the CD tests, loaded by SeaBIOS from an El Torito
; no-emulation CD at 0000:7C00 with the CD's drive number in DL. It greets
; on the debug console, reads sector 16 (the ISO 9660 primary volume
; descriptor) through INT 13h AH=42h and prints its identifier ("CD001"),
; tries to write it back with AH=43h, which must fail on a CD, and exits
; through the test exit device: 0x10 as expected, 0x12 the read failed,
; 0x13 the write succeeded.

bits 16
org 0x7C00

DEBUGCON equ 0xE9
EXIT_PORT equ 0x501
BUF equ 0x8000

start:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7C00
	sti
	cld
	mov [drive], dl
	mov si, booted
	call puts

	mov si, dap
	mov ah, 0x42
	mov dl, [drive]
	int 0x13
	mov al, 0x12
	jc finish
	mov si, BUF + 1		; the standard identifier, five bytes
	mov cx, 5
.id:
	lodsb
	out DEBUGCON, al
	loop .id
	mov al, 10
	out DEBUGCON, al

	mov si, dap
	mov ax, 0x4300
	mov dl, [drive]
	int 0x13
	mov al, 0x13
	jnc finish
	mov si, refused
	call puts
	mov al, 0x10
finish:
	mov dx, EXIT_PORT
	out dx, al
.hang:
	hlt
	jmp .hang

; Prints the NUL-terminated string at DS:SI on the debug console.
puts:
	push ax
.next:
	lodsb
	test al, al
	jz .done
	out DEBUGCON, al
	jmp .next
.done:
	pop ax
	ret

align 4
dap:	db 16, 0		; disk address packet: size, reserved
	dw 1			; sectors
	dw BUF, 0		; buffer offset, segment
	dq 16			; first sector
booted: db "booted from CD", 10, 0
refused: db "write refused", 10, 0
drive: db 0

	times 510 - ($ - $$) db 0
	dw 0xAA55
