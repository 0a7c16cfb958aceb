; A boot sector for the display tests: SeaBIOS and its VGA BIOS load it
; from the boot disk at 0000:7C00. It prints a line in text mode through
; INT 10h, says "ready" on the debug console, waits for a key through
; INT 16h and reports its ASCII code ("key=x"), then switches to mode 13h
; through INT 10h, draws a pattern every pixel of which depends on x and
; y, says "mode13" and echoes every further key ("key=...") forever.

bits 16
org 0x7C00

DEBUGCON equ 0xE9

start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7C00
	sti
	cld
	mov si, hello
	call puts_screen
	mov si, ready
	call puts_e9
	call report_key

	mov ax, 0x0013		; 320x200, 256 colours
	int 0x10
	push word 0xA000
	pop es
	xor di, di
	xor dx, dx		; y
.row:
	xor cx, cx		; x
.pixel:
	mov al, cl		; colour = (x + 2y) ^ (y >> 2): no two rows alike
	add al, dl
	add al, dl
	mov bl, dl
	shr bl, 2
	xor al, bl
	stosb
	inc cx
	cmp cx, 320
	jb .pixel
	inc dx
	cmp dx, 200
	jb .row
	mov si, mode13
	call puts_e9
.echo:
	call report_key
	jmp .echo

; Waits for a key and writes "key=C\n" to the debug console.
report_key:
	xor ah, ah
	int 0x16
	push ax
	mov si, keymsg
	call puts_e9
	pop ax
	out DEBUGCON, al
	mov al, 10
	out DEBUGCON, al
	ret

puts_e9:
	lodsb
	test al, al
	jz .done
	out DEBUGCON, al
	jmp puts_e9
.done:
	ret

puts_screen:
	lodsb
	test al, al
	jz .done
	mov ah, 0x0E
	xor bx, bx
	int 0x10
	jmp puts_screen
.done:
	ret

hello: db "hv display test: press a key", 13, 10, 0
ready: db "ready", 10, 0
mode13: db "mode13", 10, 0
keymsg: db "key=", 0

	times 510 - ($ - $$) db 0
	dw 0xAA55
	times 32768 - ($ - $$) db 0	; a disk of 64 sectors
