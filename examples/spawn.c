/*
 * A process launcher of the kind found in shells and build tools: a vfork() fast path
 * and a raw clone(CLONE_VM|CLONE_VFORK) path. Run `npm start` to see what vforklint says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int children_started;

struct launch {
    const char *path;
    char **argv;
    int status_fd;
    int err;
};

/* vfork() fast path: the compiler knows vfork() returns twice. */
pid_t launch_vfork(struct launch *l)
{
    int failed = 0;
    pid_t pid = vfork();
    if (pid < 0) {
        perror("vfork");
        return -1;
    }
    if (pid == 0) {
        children_started++;
        printf("child: exec %s\n", l->path);
        execv(l->path, l->argv);
        failed = errno;
        l->err = failed;
        exit(127);
    }
    if (failed)
        return -1;
    return pid;
}

/* Raw clone: the compiler does not know this call returns twice. */
pid_t launch_raw(struct launch *l)
{
    long flags = SIGCHLD;
    flags |= CLONE_VM | CLONE_VFORK;
    pid_t pid = syscall(SYS_clone, flags, 0, 0, 0, 0);
    if (pid == 0) {
        dup2(l->status_fd, 3);
        execv(l->path, l->argv);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    children_started++;
    close(l->status_fd);
    return pid;
}

/* A child that can fall back into its caller when exec fails. */
pid_t launch_quick(char **argv)
{
    pid_t pid;
    if ((pid = vfork()) == 0)
        execvp(argv[0], argv);
    return pid;
}
