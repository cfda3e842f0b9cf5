/*
 * Forced into every scenario with `cc -include native/vfl_redirect.h`: the
 * scenario's ordinary libc `syscall(...)` becomes vfl_raw_syscall, whose fork path
 * returns through one stack in child and parent as Go's rawVforkSyscall does.
 * The scenario's source stays plain C, so the analyzer sees what a user would write.
 * The compiler is not told that the call returns twice, exactly as with the real thing.
 */
#ifndef VFL_REDIRECT_H
#define VFL_REDIRECT_H

#ifndef __ASSEMBLER__
long vfl_raw_syscall(long number, ...);
#define syscall vfl_raw_syscall
#endif

#endif
