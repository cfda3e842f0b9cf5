/*
 * Observation points for verification scenarios (fixtures/c/verify-*.c).
 *
 * Only main() and helpers that do not fork call these, after the forking function
 * has returned, so the analyzer's findings stay in the forking function. Each probe
 * is one line written with a single write(2) to the descriptor named by
 * VFL_PROBE_FD (set by vfl-run; stderr when run by hand):
 *
 *   @vfl <pid> int <name> <expected> <observed>   a value the parent checks
 *   @vfl <pid> child <returned> <reaped> <status> the pid the parent got vs. the child it reaps
 *   @vfl <pid> absent <text>                      text that must not reach stdout
 *   @vfl <pid> end                                the parent reached its last line
 *
 * The pid lets vfl-run tell the parent's lines from lines a child printed after
 * returning into code that only the parent should run.
 */
#ifndef VFL_PROBE_H
#define VFL_PROBE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void vfl_emit(const char *format, ...) __attribute__((format(printf, 1, 2), unused));
static void vfl_emit(const char *format, ...)
{
	char line[512];
	const char *fd_text = getenv("VFL_PROBE_FD");
	int fd = fd_text ? atoi(fd_text) : 2;
	int used = snprintf(line, sizeof line, "@vfl %ld ", (long)getpid());
	va_list ap;
	va_start(ap, format);
	used += vsnprintf(line + used, sizeof line - (size_t)used - 1, format, ap);
	va_end(ap);
	if (used > (int)sizeof line - 2)
		used = (int)sizeof line - 2;
	line[used++] = '\n';
	if (write(fd, line, (size_t)used) < 0)
		_exit(90);
}

/* The parent expected `expected` and sees `observed`. Names: no spaces or tabs. */
static void __attribute__((unused)) vfl_probe_int(const char *name, long observed, long expected)
{
	vfl_emit("int %s %ld %ld", name, expected, observed);
}

/* Reap whichever child exists and compare it with the pid the fork gave the parent. */
static void __attribute__((unused)) vfl_probe_child(long returned_pid)
{
	int status = 0;
	long reaped = (long)waitpid(-1, &status, __WALL);
	long outcome = reaped < 0 ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	vfl_emit("child %ld %ld %ld", returned_pid, reaped, outcome);
}

/* Text only a child ever printed (and then left with _exit): the parent must not emit it. */
static void __attribute__((unused)) vfl_probe_stdout_absent(const char *text)
{
	vfl_emit("absent %s", text);
}

/* Last line of main: flush the parent's stdio, then mark that the parent got here. */
static int __attribute__((unused)) vfl_probe_end(void)
{
	fflush(stdout);
	vfl_emit("end");
	return 0;
}

#endif
