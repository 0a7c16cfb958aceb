; The A20 gate and the reset lines. With A20 off, FFFF:0510 (linear
; 100500h) is the same byte as 0000:0500; with it on they differ. The gate
; is turned through the i8042 output port (D1h), port 92h and the i8042's
; DDh/DFh, and the result compared each time. Then the machine is reset
; three times, through the i8042 (FEh), port 92h (bit 0) and CF9h; RAM
; survives a reset, so a boot counter there tells the boots apart. Exit
; code 14h when everything held; 01h with a message on port E9h if not.
%include "lib.inc"

BOOTS equ 0x0600             ; boots so far (segment 0), after MAGIC
MAGIC equ 0x0602
LOW equ 0x0500               ; the byte at 0000:0500 ...
HIGH equ 0x0510              ; ... and at FFFF:0510, 1 MiB above it

GUEST_ENTRY
	xor ax, ax
	mov es, ax               ; ES: low memory
	mov ax, 0xFFFF
	mov fs, ax               ; FS: the megabyte above
	cmp word [es:MAGIC], 0xA20A
	je reboot
	mov word [es:MAGIC], 0xA20A
	mov word [es:BOOTS], 1

	; Power-on: A20 is on (the i8042's gate), port 92h's gate is off.
	in al, 0x92
	test al, 0x02
	jnz fail_92
	call expect_on

	; Off through the i8042 output port (bit 0 stays set: no reset).
	mov al, 0xD1
	out 0x64, al
	mov al, 0xC1
	out 0x60, al
	call expect_off

	; On through port 92h, off again through it.
	in al, 0x92
	or al, 0x02
	out 0x92, al
	call expect_on
	in al, 0x92
	and al, 0xFD
	out 0x92, al
	call expect_off

	; On and off through the i8042's DFh and DDh, and the output port
	; read back (D0h) follows.
	mov al, 0xDF
	out 0x64, al
	call expect_on
	mov al, 0xD0
	out 0x64, al
	call kbc_read
	test al, 0x02
	jz fail_out
	mov al, 0xDD
	out 0x64, al
	call expect_off
	PRINT_E9 "a20 ok", 10

	; Reset 1: pulse through the i8042.
	mov al, 0xFE
	out 0x64, al
	jmp hang

reboot:
	inc word [es:BOOTS]
	call expect_on           ; a reset turns A20 back on
	cmp word [es:BOOTS], 2
	je .second
	cmp word [es:BOOTS], 3
	je .third
	PRINT_E9 "resets ok", 10
	EXIT 0x14
.second:
	PRINT_E9 "reset by i8042", 10
	in al, 0x92              ; reset 2: port 92h bit 0 rises
	or al, 0x01
	out 0x92, al
	jmp hang
.third:
	PRINT_E9 "reset by port 92h", 10
	mov dx, 0xCF9            ; reset 3: CF9h, hard
	mov al, 0x06
	out dx, al
hang:
	hlt
	jmp hang

; expect_on / expect_off: writes different bytes at LOW and HIGH and
; checks whether they are one byte.
expect_on:
	call probe
	cmp byte [es:LOW], 0x11
	jne fail_on
	ret
expect_off:
	call probe
	cmp byte [es:LOW], 0x22
	jne fail_off
	ret
probe:
	mov byte [es:LOW], 0x11
	mov byte [fs:HIGH], 0x22
	ret

kbc_read:
	in al, 0x64
	test al, 0x01
	jz kbc_read
	in al, 0x60
	ret

fail_on:
	PRINT_E9 "FAIL A20 should be on", 10
	EXIT 0x01
fail_off:
	PRINT_E9 "FAIL A20 should be off", 10
	EXIT 0x01
fail_92:
	PRINT_E9 "FAIL port 92h bit 1 set at power-on", 10
	EXIT 0x01
fail_out:
	PRINT_E9 "FAIL output port shows A20 off", 10
	EXIT 0x01

ROM_END
