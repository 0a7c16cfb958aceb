; The legacy half of `hv demo`: a boot sector that SeaBIOS loads from the
; IDE disk and that talks to the machine only through the BIOS, as DOS-era
; software does. It draws a title bar in colour through INT 10h, then
; echoes every key typed (INT 16h) to the VGA screen, waiting in HLT in
; between (the BIOS keyboard wait), so the domain idles at no host CPU.
; F2 switches to mode 13h and draws a colour ramp; any key comes back.

bits 16
org 0x7C00

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7C00
	sti
	cld
.text_mode:
	mov ax, 0x0003		; 80x25 text, clears the screen
	int 0x10
	mov ax, 0x0600		; title bar: white on blue, row 0
	mov bh, 0x1F
	xor cx, cx
	mov dx, 0x004F
	int 0x10
	mov si, title
	call puts
	mov ah, 0x02		; cursor to row 2
	xor bh, bh
	mov dx, 0x0200
	int 0x10
.key:
	xor ah, ah
	int 0x16
	cmp ah, 0x3C		; F2
	je .ramp
	cmp al, 13
	jne .put
	mov al, 10
	call putc
	mov al, 13
.put:
	test al, al
	jz .key
	call putc
	jmp .key

.ramp:
	mov ax, 0x0013
	int 0x10
	push word 0xA000
	pop es
	xor di, di
	xor dx, dx
.row:
	mov cx, 320
	mov al, dl
.pix:
	stosb
	inc al
	loop .pix
	inc dx
	cmp dx, 200
	jb .row
	xor ah, ah
	int 0x16
	jmp .text_mode

putc:
	mov ah, 0x0E
	xor bx, bx
	int 0x10
	ret

puts:
	lodsb
	test al, al
	jz .done
	call putc
	jmp puts
.done:
	ret

title: db " hv legacy demo: SeaBIOS, VGA, PS/2 keyboard, IDE disk.  Type away; F2: mode 13h", 0

	times 510 - ($ - $$) db 0
	dw 0xAA55
	times 32768 - ($ - $$) db 0
