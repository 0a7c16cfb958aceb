; A 512-byte master boot record for the disk tests: SeaBIOS loads it from
; the boot disk at 0000:7C00 with the drive number in DL. It greets on the
; debug console, reads sector 2 (CHS 0/0/2) through INT 13h AH=02h and
; prints it (a NUL-terminated string), writes "written by the guest" to
; sector 3 with AH=03h, and leaves through the test exit device:
; 0x10 all went well, 0x11 the write failed, 0x12 the read failed.

bits 16
org 0x7C00

DEBUGCON equ 0xE9
EXIT_PORT equ 0x501
READ_BUF equ 0x8000
WRITE_BUF equ 0x9000

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

	mov ax, 0x0201		; read one sector
	mov cx, 0x0002		; cylinder 0, sector 2
	xor dh, dh
	mov dl, [drive]
	mov bx, READ_BUF
	int 0x13
	mov al, 0x12
	jc finish
	mov si, READ_BUF
	call puts

	mov di, WRITE_BUF	; the sector to write: the text, then zeros
	xor ax, ax
	mov cx, 256
	rep stosw
	mov si, written
	mov di, WRITE_BUF
.copy:
	lodsb
	stosb
	test al, al
	jnz .copy
	mov ax, 0x0301		; write one sector
	mov cx, 0x0003		; cylinder 0, sector 3
	xor dh, dh
	mov dl, [drive]
	mov bx, WRITE_BUF
	int 0x13
	mov al, 0x11
	jc finish
	mov si, write_ok
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

booted: db "booted from disk", 10, 0
written: db "written by the guest", 0
write_ok: db "write ok", 10, 0
drive: db 0

	times 510 - ($ - $$) db 0
	dw 0xAA55
