// A reduction of Go's syscall.forkAndExecInChild before the commit "syscall: use
// CLONE_VFORK safely" (2017): the parent does its post-fork work in the very frame the
// vfork child ran in. Run `npm start` to see what vforklint says, and
// `npx vforklint --fix-dry-run examples/exec_linux_before.go` for the split.
package syscall

import "unsafe"

type Errno uintptr

type SysProcAttr struct {
	Cloneflags  uintptr
	UidMappings []int
	GidMappings []int
	Setsid      bool
}

const (
	SYS_CLONE   = 56
	SYS_WRITE   = 1
	SYS_READ    = 0
	SYS_EXIT    = 60
	SYS_SETSID  = 112
	SYS_EXECVE  = 59
	SIGCHLD     = 17
	CLONE_VM    = 0x100
	CLONE_VFORK = 0x4000
)

func RawSyscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno)
func rawVforkSyscall(trap, a1 uintptr) (r1 uintptr, err Errno)
func runtime_BeforeFork()
func runtime_AfterFork()
func runtime_AfterForkInChild()
func Close(fd int) error
func forkExecPipe(p []int) error
func writeUidGidMappings(pid int, sys *SysProcAttr) error

//go:norace
func forkAndExecInChild(argv0 *byte, argv []*byte, sys *SysProcAttr) (pid int, err Errno) {
	// Declare all variables at top in case any
	// declarations require heap allocation (e.g., err1).
	var (
		r1   uintptr
		err1 Errno
		err2 Errno
		p    [2]int
	)

	if sys.UidMappings != nil || sys.GidMappings != nil {
		if err := forkExecPipe(p[:]); err != nil {
			return 0, err.(Errno)
		}
	}

	// About to call fork.
	// No more allocation or calls of non-assembly functions.
	runtime_BeforeFork()
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM)|sys.Cloneflags)
	if err1 != 0 {
		runtime_AfterFork()
		return 0, err1
	}

	if r1 != 0 {
		// parent; return PID
		runtime_AfterFork()
		pid = int(r1)

		if sys.UidMappings != nil || sys.GidMappings != nil {
			Close(p[0])
			err := writeUidGidMappings(pid, sys)
			if err != nil {
				err2 = err.(Errno)
			}
			RawSyscall(SYS_WRITE, uintptr(p[1]), uintptr(unsafe.Pointer(&err2)), unsafe.Sizeof(err2))
			Close(p[1])
		}

		return pid, 0
	}

	// Fork succeeded, now in child.
	runtime_AfterForkInChild()

	if sys.Setsid {
		_, _, err1 = RawSyscall(SYS_SETSID, 0, 0, 0)
		if err1 != 0 {
			goto childerror
		}
	}

	_, _, err1 = RawSyscall(SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), uintptr(unsafe.Pointer(&argv[0])), 0)

childerror:
	// send error code on pipe
	RawSyscall(SYS_WRITE, uintptr(p[1]), uintptr(unsafe.Pointer(&err1)), unsafe.Sizeof(err1))
	for {
		RawSyscall(SYS_EXIT, 253, 0, 0)
	}
}
