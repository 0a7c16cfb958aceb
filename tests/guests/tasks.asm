; tasks: hardware task switching on a bare machine: CALL through a task
; gate and IRET back along the back-link, an exception through a task gate
; with its error code, a far JMP to a TSS, and the busy bits.
; Prints PASS/FAIL lines on port E9h; exits with 10h when all pass.
%include "lib.inc"

%include "pm.inc"

bits 16
	ENTER_PM
	PRINT32 "PASS protected mode entered", 10
	mov ax, SEL_TSS
	ltr ax

	mov eax, task2_call
	call init_tss2
	call SEL_TGATE:0
	EXPECT dword [es:0x600], 0xabcd, "a call through a task gate runs the task"
	EXPECT word [es:TSS2_BASE], SEL_TSS, "the called task links back"
	str ax
	EXPECT ax, SEL_TSS, "iret with nt returns to the calling task"
	EXPECT byte [es:RAM_GDT + SEL_TSS2 + 5], 0x89, "the returning task is no longer busy"
	EXPECT byte [es:RAM_GDT + SEL_TSS + 5], 0x8b, "the calling task is busy"

	mov dword [es:IDT_BASE + 13 * 8], SEL_TSS2 << 16
	mov dword [es:IDT_BASE + 13 * 8 + 4], 0x8500
	mov eax, task2_fault
	call init_tss2
	xor eax, eax
	mov ss, ax
tasks_after_fault:
	EXPECT dword [es:0x608], 1, "an exception through a task gate switches tasks"
	EXPECT dword [es:0x604], 0, "the fault task receives the error code"

	mov eax, task2_jump
	call init_tss2
	jmp SEL_TSS2:0

; init_tss2: task 2 starts at EAX with its own stack.
init_tss2:
	push edi
	push eax
	mov edi, TSS2_BASE
	xor eax, eax
	mov ecx, 0x68 / 4
	rep stosd
	pop eax
	mov [es:TSS2_BASE + 0x20], eax
	mov dword [es:TSS2_BASE + 0x24], 0x2
	mov dword [es:TSS2_BASE + 0x38], 0x6800
	mov word [es:TSS2_BASE + 0x48], SEL_FLAT
	mov word [es:TSS2_BASE + 0x4c], SEL_CODE
	mov word [es:TSS2_BASE + 0x50], SEL_FLAT
	mov word [es:TSS2_BASE + 0x54], SEL_ROM
	pop edi
	ret

task2_call:
	mov dword [es:0x600], 0xabcd
	iret

task2_fault:
	pop eax
	mov [es:0x604], eax
	mov dword [es:0x608], 1
	mov dword [es:TSS_BASE + 0x20], tasks_after_fault
	iret

task2_jump:
	str ax
	EXPECT ax, SEL_TSS2, "a far jump to a tss switches tasks"
	EXPECT byte [es:RAM_GDT + SEL_TSS + 5], 0x89, "the task left by jmp is no longer busy"
	PRINT32 "PASS tasks done", 10
	EXIT32 0x10


gate_target:
	retf

bits 16
	ROM_END
