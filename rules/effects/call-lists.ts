/**
 * What is known about callees by name: one table per namespace (C library functions,
 * kernel syscalls by name, Go built-ins), each function once with all its facts: how a
 * vfork child may call it, which argument positions it writes through, whether it
 * returns fresh memory, whether it returns at all. Data, not logic: calls.ts and
 * writes.ts decide. docs/function-lists.md is generated from these tables.
 */

/** How a vfork child may call a function. */
export type CallKind =
  /** Async-signal-safe, or a plain syscall wrapper: fine in the child. */
  | 'safe'
  /** Not safe in the child; `why` says why. */
  | 'unsafe'
  /** The exec family: safe; the child's path goes on if it fails. */
  | 'exec'
  /** Leaves the frame without returning (`longjmp`): a child return (`child-returns`). */
  | 'leaves-frame'
  /** Go allocating built-ins: reported by `child-allocates`, not as calls. */
  | 'allocates'
  /** Not judged: the call is unknown, but its argument effects are known. */
  | 'unjudged';

export interface FunctionFacts {
  kind: CallKind;
  /** Documentation group (a key of GROUPS). */
  group: GroupId;
  /** For `unsafe`: the reason, completing "The child calls `f`: ..."; `$` stands for the function's name. */
  why?: string;
  /** 0-based argument positions the function writes through (others it only reads). */
  writes?: readonly number[];
  /** Returns freshly allocated memory, which nobody else can reach yet. */
  fresh?: boolean;
  /** Never returns to its caller. */
  noReturn?: boolean;
  /** Returns 0 in a new process with its own copy of memory (`fork`): what runs there cannot touch the caller's. */
  newProcess?: boolean;
}

export type GroupId = keyof typeof GROUPS;

/** Documentation groups, in the order docs/function-lists.md shows them. */
export const GROUPS = {
  posix: { title: 'POSIX async-signal-safe functions', about: 'On the POSIX signal-safety list (signal-safety(7)): safe in a vfork child.' },
  syscall: { title: 'Plain syscall wrappers', about: 'Linux system calls that glibc and musl wrap without touching locks, the heap or other threads: safe in a vfork child.' },
  pure: { title: 'Pure helpers', about: 'String, character and number helpers and compiler built-ins that touch no shared state.' },
  exec: { title: 'The exec family', about: 'Safe. Exec does not end a path: when it fails, the child goes on (RULES section 3).' },
  end: { title: 'Process ends', about: 'End the process at once without running handlers: safe, and the path ends.' },
  frame: { title: 'Leaving the frame', about: 'Jump into frames the parent owns: reported as `child-returns`; the path ends.' },
  setxid: { title: 'Credential wrappers', about: 'The libc `set*id`/`setgroups` wrappers make every thread of the process (the parent\'s) change credentials: glibc through `__nptl_setxid`, musl through `__synccall`, both signalling each thread. Unsafe in a vfork child; the raw `syscall(SYS_setresuid, ...)` is safe, which is why glibc\'s and musl\'s posix_spawn children use it.' },
  threadExit: { title: 'Thread and quick exits', about: 'Unsafe, and the path ends: nothing after them runs.' },
  heap: { title: 'Heap', about: 'The allocator\'s state and locks are shared with the parent.' },
  stdio: { title: 'Stdio and messages', about: 'Stdio buffers and locks are shared with the parent.' },
  process: { title: 'Process state', about: 'Handlers, the environment, the locale, user databases, the dynamic loader: state and locks shared with the parent.' },
  unjudged: { title: 'Argument effects only', about: 'Not judged as calls (an unknown callee), but what they write through their arguments is known.' },
  go: { title: 'Go built-ins and packages', about: 'Go: only raw syscalls and a few built-ins are safe; anything that may allocate, take locks or grow the stack is not.' },
} as const;

const WHY = {
  exit: '`exit` runs atexit handlers and flushes stdio buffers shared with the parent; use `_exit`',
  heap: '$ uses the heap, whose state is shared with the parent',
  stdio: '$ uses stdio buffers and locks shared with the parent',
  locale: '$ reads locale or time-zone data under locks shared with the parent (and may allocate)',
  message: '$ translates the message through the locale (gettext) under locks shared with the parent, and may fill a static buffer or allocate',
  format: '$ formats through the C library\'s stdio machinery, which reads the locale and may allocate from the heap shared with the parent',
  env: '$ changes or reads the environment under a lock shared with the parent (and may allocate)',
  atexit: '$ registers handlers in the parent\'s process state (and may allocate)',
  userdb: '$ reads user databases (NSS), which allocates and takes locks shared with the parent',
  dl: '$ takes the dynamic loader\'s lock, shared with the parent',
  dir: '$ keeps directory streams on the heap, whose state and locks are shared with the parent',
  process: '$ forks or runs a shell through stdio and the heap, shared with the parent',
  log: '$ takes syslog\'s lock and uses stdio-style buffers shared with the parent',
  err: '$ prints through stdio, whose buffers and locks are shared with the parent (and `err`/`errx` then call `exit`)',
  sort: '$ may allocate from the heap, whose state and locks are shared with the parent',
  setxid: 'the libc wrapper $ (not the raw syscall) makes every thread of the process change credentials (glibc `__nptl_setxid`, musl `__synccall` signal each thread), and those threads are the parent\'s; use the raw `syscall(SYS_...)` as glibc\'s and musl\'s posix_spawn do',
  pthreadExit: '$ ends the calling thread, which a vfork child shares with the parent: it runs cancellation handlers and thread-specific-data destructors and unwinds the parent\'s stack; use `_exit`',
  quickExit: '$ runs the at_quick_exit handlers the parent registered; use `_exit`',
} as const;

/** Any `pthread_*` not in the table: thread-library locks the parent's threads may hold. */
export const PTHREAD_WHY = '$ takes thread-library locks the parent\'s threads may hold (only `pthread_sigmask`, `pthread_self` and `pthread_kill` are safe)';

function tableOf(defs: Array<[GroupId, string, Omit<FunctionFacts, 'group'>]>): ReadonlyMap<string, FunctionFacts> {
  const out = new Map<string, FunctionFacts>();
  for (const [group, names, facts] of defs) {
    for (const name of names.trim().split(/\s+/)) {
      if (out.has(name)) throw new Error(`call-lists: \`${name}\` is listed twice`);
      out.set(name, { group, ...facts });
    }
  }
  return out;
}

const safe = { kind: 'safe' } as const;
const w = (...writes: number[]): Omit<FunctionFacts, 'group'> => ({ kind: 'safe', writes });
const unsafe = (why: string, more: Partial<FunctionFacts> = {}): Omit<FunctionFacts, 'group'> => ({ kind: 'unsafe', why, ...more });

/** C library functions (public names; libc's internal spellings map onto them, see calls.ts publicName). */
export const LIBC: ReadonlyMap<string, FunctionFacts> = tableOf([
  // POSIX signal-safety list
  ['posix', `abort`, { kind: 'safe', noReturn: true }],
  ['posix', `accept access aio_error aio_return aio_suspend alarm bind cfgetispeed cfgetospeed cfsetispeed cfsetospeed chdir chmod
    chown close connect creat dup dup2 faccessat fchdir fchmod fchmodat fchown fchownat fcntl fdatasync ffs fsync ftruncate
    futimens getegid geteuid getgid getpgrp getpid getppid getuid htonl htons kill link linkat listen lseek memchr memcmp mkdir
    mkdirat mkfifo mkfifoat mknod mknodat ntohl ntohs open openat pause posix_trace_event pthread_kill pthread_self raise readlink
    rename renameat rmdir sem_post send sendmsg sendto setpgid setsid setsockopt shutdown sigismember signal sigpause sigqueue
    sigset sigsuspend sleep sockatmark socket strchr strcmp strcspn strlen strncmp strnlen strpbrk strrchr strspn strstr
    symlink symlinkat tcdrain tcflow tcflush tcgetpgrp tcsendbreak tcsetattr tcsetpgrp timer_getoverrun timer_settime umask
    unlink unlinkat utime utimensat utimes write`, safe],
  ['posix', `fork _Fork`, { kind: 'safe', newProcess: true }],
  ['posix', `read recv`, w(1)],
  ['posix', `recvfrom`, w(1, 4, 5)],
  ['posix', `recvmsg`, w(1)],
  ['posix', `readlinkat`, w(2)],
  ['posix', `memcpy memmove memset memccpy strcpy strncpy stpcpy stpncpy strcat strncat`, w(0)],
  ['posix', `strtok_r`, w(0, 2)],
  ['posix', `wait sigemptyset sigfillset sigaddset sigdelset sigpending pipe uname time times`, w(0)],
  ['posix', `waitpid getgroups fstat stat lstat clock_gettime tcgetattr timer_gettime`, w(1)],
  ['posix', `fstatat`, w(2)],
  ['posix', `sigaction sigprocmask pthread_sigmask`, w(2)],
  ['posix', `socketpair`, w(3)],
  ['posix', `getsockopt`, w(3, 4)],
  ['posix', `getsockname getpeername`, w(1, 2)],
  ['posix', `poll`, w(0)],
  ['posix', `select pselect`, w(1, 2, 3)],
  // Linux syscall wrappers
  ['syscall', `accept4`, w(1, 2)],
  ['syscall', `dup3 writev pwrite pwritev getpgid getsid gettid tgkill prctl close_range closefrom chroot setrlimit
    sched_setaffinity sched_setparam sched_setscheduler setpriority getpriority nice personality unshare setns mount umount
    umount2 pivot_root syscall capset sethostname setdomainname isatty killpg mlock munlock mprotect munmap
    madvise sched_yield setfsuid setfsgid reboot procctl`, safe],
  ['syscall', `readv preadv pread getrlimit sched_getparam getdents getdents64 sched_getaffinity capget getrusage`, w(1)],
  ['syscall', `sigaltstack`, w(1)],
  ['syscall', `wait4`, w(1, 3)],
  ['syscall', `waitid`, w(2)],
  ['syscall', `prlimit`, w(3)],
  ['syscall', `nanosleep`, w(1)],
  ['syscall', `clock_nanosleep`, w(3)],
  ['syscall', `ioctl`, w(2)],
  ['syscall', `getresuid getresgid`, w(0, 1, 2)],
  ['syscall', `gettimeofday`, w(0)],
  ['syscall', `ttyname_r`, w(1)],
  ['syscall', `mmap`, { kind: 'safe', fresh: true }],
  ['syscall', `sysconf getdtablesize`, safe],
  // Pure helpers and compiler built-ins
  ['pure', `strtol strtoul strtoll strtoull atoi atol isdigit isspace isalpha isalnum isxdigit isupper islower isprint ispunct
    toupper tolower abs labs llabs assert va_start va_end va_arg va_copy offsetof likely unlikely memrchr strchrnul`, safe],
  ['pure', `alloca __builtin_alloca`, { kind: 'safe', fresh: true }],
  // Reads the descriptor out of a FILE, changing nothing (glibc takes no lock; musl's lock is
  // only live on a stream another thread uses): `dup2(fileno(fp), 0)` is an ordinary child step.
  ['pure', `fileno fileno_unlocked`, safe],
  // Address parsing into the caller's buffer: no locks, no heap, no locale.
  ['pure', `inet_pton`, w(2)],
  ['pure', `inet_aton`, w(1)],
  // Exec family
  ['exec', `exec execv execl execve execle execvp execlp execvpe execvpex execveat fexecve execvP`, { kind: 'exec' }],
  // Process ends
  ['end', `_exit _Exit __builtin_trap __builtin_unreachable __libc_fatal __assert_fail __stack_chk_fail __fortify_fail __chk_fail`, { kind: 'safe', noReturn: true }],
  ['frame', `longjmp siglongjmp _longjmp __longjmp_chk __libc_longjmp __libc_siglongjmp`, { kind: 'leaves-frame', noReturn: true }],
  ['setxid', `setuid setgid seteuid setegid setreuid setregid setresuid setresgid setgroups`, unsafe(WHY.setxid)],
  ['threadExit', `pthread_exit thrd_exit`, unsafe(WHY.pthreadExit, { noReturn: true })],
  ['threadExit', `quick_exit`, unsafe(WHY.quickExit, { noReturn: true })],
  
  // Heap
  ['heap', `malloc calloc strdup strndup aligned_alloc memalign valloc`, unsafe(WHY.heap, { fresh: true })],
  ['heap', `realloc free reallocarray`, unsafe(WHY.heap)],
  ['heap', `posix_memalign asprintf vasprintf`, unsafe(WHY.heap, { writes: [0] })],
  // Stdio
  ['stdio', `printf vprintf puts putchar perror getchar scanf`, unsafe(WHY.stdio)],
  ['stdio', `strerror strsignal`, unsafe(WHY.message)],
  ['stdio', `fprintf dprintf vfprintf vdprintf fputs fputc putc fwrite fflush fopen fclose fdopen freopen fgetc getc fscanf`, unsafe(WHY.stdio)],
  ['stdio', `fgets fread`, unsafe(WHY.stdio, { writes: [0] })],
  ['stdio', `sprintf snprintf vsprintf vsnprintf sscanf`, unsafe(WHY.format, { writes: [0] })],
  ['stdio', `strerror_r`, unsafe(WHY.message, { writes: [1] })],
  ['stdio', `syslog vsyslog openlog closelog`, unsafe(WHY.log)],
  ['stdio', `err errx verr verrx`, unsafe(WHY.err, { noReturn: true })],
  ['stdio', `warn warnx vwarn vwarnx error`, unsafe(WHY.err)],
  // Process state
  ['process', `setenv putenv unsetenv clearenv getenv secure_getenv`, unsafe(WHY.env)],
  ['process', `exit`, unsafe(WHY.exit, { noReturn: true })],
  ['process', `atexit on_exit`, unsafe(WHY.atexit)],
  ['process', `getpwnam getpwuid getpwnam_r getpwuid_r getgrnam getgrgid initgroups getlogin`, unsafe(WHY.userdb)],
  ['process', `setlocale localtime gmtime ctime asctime mktime strftime`, unsafe(WHY.locale)],
  ['process', `dlopen dlsym dlclose`, unsafe(WHY.dl)],
  ['process', `opendir readdir closedir fdopendir scandir`, unsafe(WHY.dir)],
  ['process', `system popen pclose`, unsafe(WHY.process)],
  ['process', `qsort`, unsafe(WHY.sort)],
  // Argument effects of calls that stay unknown
  ['unjudged', `getcwd`, { kind: 'unjudged', writes: [0] }],
]);

/** Linux syscalls by name (as `SYS_x`/`__NR_x`): 0-based argument positions after the number that the kernel writes. */
export const SYSCALLS: ReadonlyMap<string, FunctionFacts> = tableOf([
  ['syscall', `read pread64 readv preadv recvmsg getrlimit getgroups fstat stat lstat clock_gettime getdents64 getdents capget
    nanosleep sched_getaffinity getrusage`, w(1)],
  ['syscall', `recvfrom`, w(1, 4, 5)],
  ['syscall', `wait4`, w(1, 3)],
  ['syscall', `waitid newfstatat`, w(2)],
  ['syscall', `rt_sigprocmask rt_sigaction sigprocmask sigaction`, w(2)],
  ['syscall', `prlimit64 clock_nanosleep`, w(3)],
  ['syscall', `pipe pipe2 uname getcwd gettimeofday`, w(0)],
  ['syscall', `socketpair`, w(3)],
  ['syscall', `getresuid getresgid`, w(0, 1, 2)],
  ['end', `exit exit_group`, { kind: 'safe', noReturn: true }],
]);

/** Go built-ins and package functions by the callee as written. */
export const GO: ReadonlyMap<string, FunctionFacts> = tableOf([
  ['go', `copy`, w(0)],
  ['go', `len cap min max unsafe.Sizeof unsafe.Offsetof unsafe.Alignof unsafe.Pointer unsafe.Add unsafe.Slice unsafe.String
    unsafe.StringData unsafe.SliceData runtime.KeepAlive`, safe],
  ['go', `make new append print println recover clear delete`, { kind: 'allocates' }],
  ['go', `panic`, { kind: 'allocates', noReturn: true }],
  ['go', `os.Exit syscall.Exit runtime.Goexit`, { kind: 'unsafe', why: '$ is not a raw syscall: it may allocate, take locks or grow the stack', noReturn: true }],
]);

/** Go: the runtime's fork hooks, safe in a vfork child (raw syscalls: fork-spellings.ts). */
export const GO_SAFE = /^(?:(?:syscall|unix)\.)?(?:runtime_AfterForkInChild|runtime_BeforeExec|runtime_AfterExec)$/;
/** Go: calls into the ordinary (non-raw) runtime: entersyscall, allocation, locks. */
export const GO_UNSAFE = /^(?:(?:syscall|unix)\.)?(?:Syscall6?|Syscall9|Exit|Getpid|Close|Dup2|Write|Read|Setsid|Setpgid|Chdir|Chroot|Exec)$|^(?:fmt|os|log|strconv|strings|bytes|errors|sync|time|runtime|io|bufio|sort|reflect|exec|path|filepath)\./;
