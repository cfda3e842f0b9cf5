/* The error half of vfl_raw_syscall (vfl_raw_syscall_amd64.S): libc's convention. */
#include <errno.h>

long vfl_raw_syscall_error(long kernel_result);

long vfl_raw_syscall_error(long kernel_result)
{
	errno = (int)-kernel_result;
	return -1;
}
