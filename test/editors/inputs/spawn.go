package spawn

import (
	"syscall"
	"unsafe"
)

var started int

//go:norace
func spawn(argv0 *byte, argv []*byte, envv []*byte) (pid int, err syscall.Errno) {
	var (
		r1   uintptr
		err1 syscall.Errno
	)
	r1, _, err1 = syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD|syscall.CLONE_VM|syscall.CLONE_VFORK), 0, 0, 0, 0, 0)
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	started = 1 // want "child-writes-shared"
	syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])))
	for {
		syscall.RawSyscall(syscall.SYS_EXIT, 253, 0, 0)
	}
}
