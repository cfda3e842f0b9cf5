/**
 * What is known about callees by name. Lists, not logic: calls.ts decides.
 */

/** POSIX async-signal-safe functions (signal-safety(7)) and pure helpers that touch no shared state. */
export const ASYNC_SIGNAL_SAFE = new Set(`
_Exit _exit abort accept accept4 access aio_error aio_return aio_suspend alarm bind cfgetispeed cfgetospeed
cfsetispeed cfsetospeed chdir chmod chown clock_gettime close connect creat dup dup2 dup3 faccessat fchdir fchmod
fchmodat fchown fchownat fcntl fdatasync ffs fork fstat fstatat fsync ftruncate futimens getegid geteuid getgid
getgroups getpeername getpgrp getpid getppid getsockname getsockopt getuid htonl htons kill link linkat listen
longjmp lseek lstat memccpy memchr memcmp memcpy memmove memset mkdir mkdirat mkfifo mkfifoat mknod mknodat ntohl
ntohs open openat pause pipe pipe2 poll posix_trace_event pselect pthread_kill pthread_self pthread_sigmask raise read
readlink readlinkat recv recvfrom recvmsg rename renameat rmdir select sem_post send sendmsg sendto setgid setpgid
setsid setsockopt setuid shutdown sigaction sigaddset sigdelset sigemptyset sigfillset sigismember siglongjmp signal
sigpause sigpending sigprocmask sigqueue sigset sigsuspend sleep sockatmark socket socketpair stat stpcpy stpncpy
strcat strchr strcmp strcpy strcspn strlen strncat strncmp strncpy strnlen strpbrk strrchr strspn strstr strtok_r
symlink symlinkat tcdrain tcflow tcflush tcgetattr tcgetpgrp tcsendbreak tcsetattr tcsetpgrp time timer_getoverrun
timer_gettime timer_settime times umask uname unlink unlinkat utime utimensat utimes wait wait4 waitpid write writev
readv pread pwrite getpgid getsid gettid tgkill
prctl setresuid setresgid setreuid setregid seteuid setegid setgroups ioctl close_range closefrom chroot setrlimit
getrlimit prlimit sched_setaffinity sched_setparam sched_setscheduler sched_getparam setpriority nice personality
unshare setns mount umount umount2 pivot_root getdents getdents64 sigaltstack syscall sysconf getdtablesize
isatty ttyname_r fexecve execveat capset
strtol strtoul strtoll strtoull atoi atol isdigit isspace isalpha isalnum isxdigit toupper tolower abs labs
assert va_start va_end va_arg va_copy offsetof likely unlikely
`.trim().split(/\s+/));

/** The exec family: safe, and a path ends at one when nothing follows it. */
export const EXEC_FUNCTIONS = /^_*(?:exec|execv|execl|execve|execle|execvp|execlp|execvpe|execveat|fexecve|execvP)$/;

/** Known not async-signal-safe: heap, stdio, locale, atexit, threads, user databases. */
export const KNOWN_UNSAFE = new Set(`
exit printf fprintf dprintf vprintf vfprintf vdprintf sprintf snprintf vsprintf vsnprintf puts fputs fputc putc putchar fwrite fread fflush fopen
fclose fdopen freopen fgets fgetc getc getchar scanf fscanf sscanf perror strerror strerror_r strsignal syslog vsyslog openlog closelog
malloc calloc realloc free reallocarray posix_memalign aligned_alloc memalign valloc strdup strndup asprintf vasprintf
setenv putenv unsetenv clearenv atexit on_exit getpwnam getpwuid getpwnam_r getpwuid_r getgrnam getgrgid initgroups getlogin
setlocale localtime gmtime ctime asctime mktime strftime dlopen dlsym dlclose opendir readdir closedir fdopendir scandir
system popen pclose err errx warn warnx verr verrx vwarn vwarnx error qsort getenv secure_getenv
`.trim().split(/\s+/));

/** Argument positions (0-based) a function writes through; other pointer arguments it only reads. */
export const WRITES_THROUGH: Record<string, number[]> = {
  read: [1], pread: [1], recv: [1], recvfrom: [1, 4, 5], recvmsg: [1], readv: [1], readlink: [1], readlinkat: [2],
  wait: [0], waitpid: [1], wait4: [1, 3], waitid: [2],
  sigprocmask: [2], pthread_sigmask: [2], sigaction: [2], sigemptyset: [0], sigfillset: [0], sigaddset: [0], sigdelset: [0], sigpending: [0],
  getrlimit: [1], prlimit: [3], pipe: [0], pipe2: [0], socketpair: [3], getgroups: [1], uname: [0],
  fstat: [1], stat: [1], lstat: [1], fstatat: [2], clock_gettime: [1], gettimeofday: [0], time: [0], times: [0], getcwd: [0],
  memset: [0], memcpy: [0], memmove: [0], memccpy: [0], strcpy: [0], strncpy: [0], stpcpy: [0], stpncpy: [0], strcat: [0], strncat: [0],
  sprintf: [0], snprintf: [0], vsnprintf: [0], poll: [0], select: [1, 2, 3], getresuid: [0, 1, 2], getresgid: [0, 1, 2],
  tcgetattr: [1], getsockopt: [3, 4], getsockname: [1, 2], getpeername: [1, 2], accept: [1, 2], strtok_r: [0, 2], sigaltstack: [1],
  ioctl: [2],
};

/** Linux syscalls by name: argument positions (0-based, after the number) the kernel writes. Others are read. */
export const SYSCALL_WRITES: Record<string, number[]> = {
  read: [1], pread64: [1], readv: [1], preadv: [1], recvfrom: [1, 4, 5], recvmsg: [1], wait4: [1, 3], waitid: [2],
  rt_sigprocmask: [2], rt_sigaction: [2], sigprocmask: [2], sigaction: [2], getrlimit: [1], prlimit64: [3], pipe: [0], pipe2: [0],
  socketpair: [3], getgroups: [1], uname: [0], fstat: [1], stat: [1], lstat: [1], newfstatat: [2], getcwd: [0],
  getresuid: [0, 1, 2], getresgid: [0, 1, 2], clock_gettime: [1], gettimeofday: [0], getdents64: [1], getdents: [1], capget: [1],
};

/** Calls that end a path everywhere. */
export const NO_RETURN = new Set(`
_exit _Exit exit abort __builtin_trap __builtin_unreachable err errx verr verrx __libc_fatal __assert_fail
__stack_chk_fail __fortify_fail __chk_fail longjmp siglongjmp _longjmp pthread_exit quick_exit
`.trim().split(/\s+/));

/** Syscalls that end the calling process. */
export const EXIT_SYSCALLS = new Set(['exit', 'exit_group']);

/** Go: calls safe in a vfork child (besides the raw syscalls of fork-spellings.ts). */
export const GO_SAFE = /^(?:(?:syscall|unix)\.)?(?:runtime_AfterForkInChild|runtime_BeforeExec|runtime_AfterExec)$/;
export const GO_BUILTINS_SAFE = new Set(['len', 'cap', 'copy', 'min', 'max', 'unsafe.Sizeof', 'unsafe.Offsetof', 'unsafe.Alignof', 'unsafe.Pointer', 'unsafe.Add', 'unsafe.Slice', 'unsafe.String', 'unsafe.StringData', 'unsafe.SliceData', 'runtime.KeepAlive']);
/** Go: allocating builtins (child-allocates rather than child-unsafe-call). */
export const GO_ALLOCATING_BUILTINS = new Set(['make', 'new', 'append', 'panic', 'print', 'println', 'recover', 'clear', 'delete']);
/** Go: calls into the ordinary (non-raw) runtime: entersyscall, allocation, locks. */
export const GO_UNSAFE = /^(?:(?:syscall|unix)\.)?(?:Syscall6?|Syscall9|Exit|Getpid|Close|Dup2|Write|Read|Setsid|Setpgid|Chdir|Chroot|Exec)$|^(?:fmt|os|log|strconv|strings|bytes|errors|sync|time|runtime|io|bufio|sort|reflect|exec|path|filepath)\./;
