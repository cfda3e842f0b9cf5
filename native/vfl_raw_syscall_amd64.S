/*
 * vfl_raw_syscall: a raw system call for amd64 Linux, with the fork path built
 * the way Go's syscall.rawVforkSyscall does it.
 *
 *   long vfl_raw_syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
 *
 * Scenarios never call this by name: they are compiled with
 * `-include native/vfl_redirect.h`, which turns their ordinary
 * `syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0)` into a call here.
 *
 * For SYS_clone and SYS_vfork the return address is popped off the stack into a
 * callee-saved register (R12, as Go does) before SYSCALL and pushed back after it.
 * With CLONE_VM|CLONE_VFORK and a zero stack the child starts on the parent's stack
 * with the parent's registers, so both return through this stub, one after the other,
 * into the same caller frame. Neither depends on the word at the top of the stack,
 * which the child is free to overwrite while the parent is suspended. The caller's
 * own R12 (callee-saved in the C ABI, not in Go's) is parked in a global and put back
 * by whichever process returns; the stub is not reentrant, which a scenario never needs.
 *
 * Other system calls take the plain path. Results follow libc's syscall(): a kernel
 * error -E becomes errno = E and a return value of -1.
 */

#define SYS_clone 56
#define SYS_vfork 58

	.text
	.globl	vfl_raw_syscall
	.type	vfl_raw_syscall, @function
vfl_raw_syscall:
	movq	%rdi, %rax		/* system call number */
	movq	%rsi, %rdi		/* C arguments 2..7 -> kernel arguments 1..6 */
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
	movq	8(%rsp), %r9
	cmpq	$SYS_clone, %rax
	je	.Lfork
	cmpq	$SYS_vfork, %rax
	je	.Lfork
	syscall
	jmp	.Lresult

.Lfork:
	movq	%r12, vfl_saved_r12(%rip)
	popq	%r12			/* return address into R12: the stack top is now free */
	syscall				/* child and parent both resume here, on one stack */
	pushq	%r12			/* each puts its own copy of the return address back */
	movq	vfl_saved_r12(%rip), %r12

.Lresult:
	cmpq	$-4095, %rax
	jae	.Lerror
	ret
.Lerror:
	subq	$8, %rsp		/* align the stack for the C call (only the parent gets here) */
	movq	%rax, %rdi
	call	vfl_raw_syscall_error
	addq	$8, %rsp
	ret
	.size	vfl_raw_syscall, .-vfl_raw_syscall

	.bss
	.align	8
	.type	vfl_saved_r12, @object
	.size	vfl_saved_r12, 8
vfl_saved_r12:
	.zero	8

	.section	.note.GNU-stack,"",@progbits
