package syscall

func forkExec(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	RawSyscall(SYS_CHDIR, uintptr(unsafe.Pointer(argv0)), 0, 0)
	return 0, 0
}

//go:norace
func forkExecQuiet(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	RawSyscall(SYS_CHDIR, uintptr(unsafe.Pointer(argv0)), 0, 0)
	return 0, 0 // eslint-disable-line vforklint/child-returns
}
