; pmode: protected-mode segmentation on a bare machine: entering protected
; mode, #GP on limit violations and null segments, #NP with the selector,
; LAR/LSL/VERW, a trap gate with IRET and a far call into 16-bit code.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
%include "lib.inc"

%include "pm.inc"

bits 16
	ENTER_PM
	PRINT32 "PASS protected mode entered", 10

	mov ax, SEL_SMALL
	mov fs, ax
	mov eax, [fs:0xffc]
	ARM .limit
	mov eax, [fs:0xffd]
.limit:
	EXPECT_FAULT 13, 0, "gp on a limit violation"

	ARM .absent
	mov ax, SEL_ABSENT
	mov gs, ax
.absent:
	EXPECT_FAULT 11, SEL_ABSENT, "np carries the selector"

	xor eax, eax
	mov gs, ax
	ARM .null
	mov eax, [gs:0]
.null:
	EXPECT_FAULT 13, 0, "gp on a null segment access"

	ARM .readonly
	mov dword [cs:gdt], 0
.readonly:
	EXPECT_FAULT 13, 0, "gp on a write through cs"

	mov cx, SEL_SMALL
	lsl eax, cx
	EXPECT eax, 0xfff, "lsl returns the limit"
	lar eax, cx
	EXPECT eax, 0x00409300, "lar returns the access rights"
	verw cx
	setz al
	EXPECT al, 1, "verw of writable data"

	mov eax, 0x30
	mov ebx, int30
	mov ecx, 0x8f00
	call set_gate
	mov eax, 1
	int 0x30
	EXPECT eax, 2, "int through a trap gate and iret"

	xor eax, eax
	call SEL_CODE16:code16
	EXPECT eax, 0x1234, "far call into 16-bit code and back"

	PRINT32 "PASS pmode done", 10
	EXIT32 0x10

int30:
	inc eax
	iret

gate_target:
	retf

bits 16
code16:
	mov ax, 0x1234
	o32 retf

bits 16
	ROM_END
