; v86: virtual-8086 mode on a bare machine: IRET into V86 mode, CLI with
; IOPL 0 faulting to the ring-0 monitor with the V86 segments pushed, port
; I/O through the bitmap, INT 80h to a ring-0 handler and IRET back.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
%include "lib.inc"

%include "pm.inc"

bits 16
	ENTER_PM
	PRINT32 "PASS protected mode entered", 10
	mov dword [es:TSS_BASE + 4], STACK0
	mov dword [es:TSS_BASE + 8], SEL_FLAT
	mov word [es:TSS_BASE + 102], 0x68
	mov ax, SEL_TSS
	ltr ax
	mov eax, 13
	mov ebx, v86_gp
	mov ecx, 0x8e00
	call set_gate
	mov eax, 0x80
	mov ebx, v86_int80
	mov ecx, 0xee00
	call set_gate
	mov eax, 0x81
	mov ebx, v86_leave
	call set_gate

	mov dword [ss:RECOVER], .after_cli
	push dword 0
	push dword 0
	push dword 0x40
	push dword 0
	push dword 0
	push dword 0x7c00
	push dword 0x20002
	push dword 0xf000
	push dword v86_cli
	iret
.after_cli:
	EXPECT_FAULT 13, 0, "cli in v86 mode with iopl 0 faults"
	EXPECT dword [ss:0x610], 0x40, "the monitor finds the v86 ds on its stack"
	EXPECT dword [ss:0x614], 0x20000, "the monitor finds vm set in the pushed eflags"

	mov dword [ss:RECOVER], .after_v86
	push dword 0
	push dword 0
	push dword 0
	push dword 0
	push dword 0
	push dword 0x7c00
	push dword 0x23002
	push dword 0xf000
	push dword v86_main
	iret
.after_v86:
	EXPECT dword [ss:0x620], 1, "int 80h from v86 mode reaches the ring-0 handler"
	EXPECT dword [ss:0x624], 0x20000, "the v86 interrupt frame has vm set"
	EXPECT ax, 0x1234, "iret from ring 0 resumes v86 mode"
	PRINT32 "PASS v86 done", 10
	EXIT32 0x10

; #GP from V86 mode: record, drop the V86 frame, continue in ring 0.
v86_gp:
	pop dword [ss:LAST_ERR]
	mov dword [ss:LAST_VEC], 13
	mov eax, [esp + 24]
	mov [ss:0x610], eax
	mov eax, [esp + 8]
	and eax, 0x20000
	mov [ss:0x614], eax
	jmp v86_back

v86_int80:
	push eax
	mov dword [ss:0x620], 1
	mov eax, [esp + 12]
	and eax, 0x20000
	mov [ss:0x624], eax
	pop eax
	iret

v86_leave:
	jmp v86_back

v86_back:
	mov esp, STACK0
	mov bx, SEL_ROM
	mov ds, bx
	mov bx, SEL_FLAT
	mov es, bx
	jmp [ss:RECOVER]

gate_target:
	retf

bits 16
v86_cli:
	cli
	jmp v86_cli

v86_main:
	push cs
	pop ds
	mov si, v86_msg
.next:
	lodsb
	test al, al
	jz .done
	out DEBUGCON, al
	jmp .next
.done:
	int 0x80
	mov ax, 0x1234
	int 0x81
v86_msg:
	db "PASS v86 code runs and does port i/o", 10, 0

bits 16
	ROM_END
