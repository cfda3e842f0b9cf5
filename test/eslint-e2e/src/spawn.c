#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int children;

void die(const char *msg);

pid_t spawn(char **argv)
{
	pid_t pid = vfork();
	if (pid < 0)
		die("vfork");
	if (pid == 0) {
		children++;
		chdir(argv[0]);
		exit(127);
	}
	return pid;
}

pid_t spawn_logged(char **argv)
{
	pid_t pid = vfork();
	if (pid == 0) {
		// eslint-disable-next-line vforklint/child-unsafe-call -- debugging build only
		fprintf(stderr, "exec %s\n", argv[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* eslint-disable vforklint/child-returns */
pid_t spawn_quick(char **argv)
{
	pid_t pid;
	if ((pid = vfork()) == 0)
		execvp(argv[0], argv);
	return pid;
}
/* eslint-enable vforklint/child-returns */
