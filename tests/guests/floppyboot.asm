; A floppy boot sector for the floppy tests: SeaBIOS loads it from drive A:
; at 0000:7C00 with DL = 0. Through INT 13h it reports the geometry
; (AH=08h), reads the whole track at cylinder 1, head 1 (a seek and a
; multi-sector DMA transfer) and prints each sector's label (the test puts
; a NUL-terminated "CC/H/SS" at the start of every sector) and the 16-bit
; byte sum of the track, then writes a sector at 3/1/4 (AH=03h), reads it
; back and prints it. All output goes to the debug console; the exit
; device ends the run: 0x10 all went well, 0x11 the write failed (its
; status printed as "write error XX"), 0x12 a read failed.

bits 16
org 0x7C00

DEBUGCON equ 0xE9
EXIT_PORT equ 0x501
TRACK_SEG equ 0x1000		; 64 KiB aligned: no DMA boundary crossing
WRITE_BUF equ 0x0600
CHECK_BUF equ 0x0800

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

	mov ah, 0x08		; drive parameters: CH cylinders-1, DH heads-1, CL sectors
	mov dl, [drive]
	int 0x13
	mov al, 0x12
	jc finish
	and cl, 0x3F
	mov [spt], cl
	mov si, geo
	call puts
	mov al, ch
	call hex
	mov al, '/'
	out DEBUGCON, al
	mov al, dh
	call hex
	mov al, '/'
	out DEBUGCON, al
	mov al, [spt]
	call hex
	call newline

	mov ax, TRACK_SEG	; the whole track at 1/1/1
	mov es, ax
	xor bx, bx
	mov ah, 0x02
	mov al, [spt]
	mov cx, 0x0101
	mov dh, 1
	mov dl, [drive]
	int 0x13
	mov al, 0x12
	jc finish
	call print_track

	xor ax, ax
	mov es, ax
	mov di, WRITE_BUF	; the sector to write: the text, then zeros
	mov cx, 256
	rep stosw
	mov si, written
	mov di, WRITE_BUF
.copy:
	lodsb
	stosb
	test al, al
	jnz .copy
	mov ax, 0x0301
	mov cx, 0x0304		; cylinder 3, sector 4
	mov dh, 1
	mov dl, [drive]
	mov bx, WRITE_BUF
	int 0x13
	jc write_failed
	mov ax, 0x0201		; and back
	mov cx, 0x0304
	mov dh, 1
	mov dl, [drive]
	mov bx, CHECK_BUF
	int 0x13
	mov al, 0x12
	jc finish
	mov si, CHECK_BUF
	call puts
	call newline
	mov al, 0x10
finish:
	mov dx, EXIT_PORT
	out dx, al
.hang:
	hlt
	jmp .hang

write_failed:
	mov si, write_error
	call puts
	mov al, ah
	call hex
	call newline
	mov al, 0x11
	jmp finish

; Labels of the [spt] sectors at ES:0, then "sum XXXX".
print_track:
	push ds
	mov ax, es
	mov ds, ax
	xor si, si
	mov cl, [cs:spt]
.label:
	push si
	call puts
	pop si
	mov al, ' '
	out DEBUGCON, al
	add si, 512
	dec cl
	jnz .label
	xor si, si
	xor dx, dx		; the sum
	mov al, [cs:spt]
	xor ah, ah
	mov cx, 9
	shl ax, cl		; bytes
	mov cx, ax
	xor ah, ah
.sum:
	lodsb
	add dx, ax
	loop .sum
	pop ds
	mov si, sum
	call puts
	mov al, dh
	call hex
	mov al, dl
	call hex
	jmp newline

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

; Prints AL as two hex digits.
hex:
	push ax
	shr al, 4
	call .digit
	pop ax
	and al, 0x0F
.digit:
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '9' - 1
.out:
	out DEBUGCON, al
	ret

newline:
	mov al, 10
	out DEBUGCON, al
	ret

booted: db "booted from floppy", 10, 0
geo: db "geometry ", 0
sum: db "sum ", 0
written: db "written to the floppy", 0
write_error: db "write error ", 0
drive: db 0
spt: db 0

	times 510 - ($ - $$) db 0
	dw 0xAA55
