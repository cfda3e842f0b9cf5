/*
 * vfl-run: run one built verification scenario in a subprocess and report, as one
 * JSON object on stdout, what its parent process observed after the fork.
 *
 *   vfl-run [--timeout-ms N] SCENARIO-BINARY
 *
 * The scenario runs in its own process group with stdout, stderr and a probe pipe
 * (descriptor 3, named in VFL_PROBE_FD) captured, so a parent that crashes, is
 * taken over by its child, or hangs is contained and observed. Probe lines come from
 * native/vfl_probe.h. The verdict is one of:
 *
 *   corrupts     the parent saw something the child did: a probed value changed, a
 *                wrong pid, the child's stdio text, the child running the parent's
 *                code, a death by signal, or an exit before (or a bad status after)
 *                its last probe
 *   clean        the parent reached its last probe, exited 0, and every probe held
 *   timeout      the time limit passed; the process group was killed
 *   unparseable  the probe stream held lines that are not probes, and nothing else
 *                was observed
 *   error        the scenario could not be started
 *
 * Exit status: 0 when a report was written, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAPTURE_LIMIT (1 << 20)
#define MAX_PROBES 256
#define MAX_NOTES 64

struct capture {
	char *data;
	size_t length;
	size_t capacity;
	int fd;
	int open;
};

struct probe {
	long pid;
	char kind[16];
	char name[128];
	long a, b, c;
	char text[256];
	int changed;
	int occurrences;
};

static struct probe probes[MAX_PROBES];
static int probe_count;
static char *malformed[MAX_PROBES];
static int malformed_count;
static char *notes[MAX_NOTES];
static int note_count;

static void note(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *format, ...)
{
	va_list ap;
	char *text = NULL;
	if (note_count == MAX_NOTES)
		return;
	va_start(ap, format);
	if (vasprintf(&text, format, ap) >= 0)
		notes[note_count++] = text;
	va_end(ap);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void capture_read(struct capture *c)
{
	char chunk[4096];
	ssize_t n = read(c->fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		c->open = 0;
		close(c->fd);
		return;
	}
	if (c->length + (size_t)n > CAPTURE_LIMIT)
		n = (ssize_t)(CAPTURE_LIMIT - c->length);
	if (c->length + (size_t)n + 1 > c->capacity) {
		c->capacity = (c->length + (size_t)n + 1) * 2;
		c->data = realloc(c->data, c->capacity);
		if (!c->data) {
			perror("vfl-run: realloc");
			exit(2);
		}
	}
	memcpy(c->data + c->length, chunk, (size_t)n);
	c->length += (size_t)n;
	c->data[c->length] = '\0';
}

static void json_string(const char *s, size_t length)
{
	size_t i;
	putchar('"');
	for (i = 0; i < length; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_cstring(const char *s)
{
	if (s)
		json_string(s, strlen(s));
	else
		fputs("null", stdout);
}

static int count_occurrences(const char *haystack, const char *needle)
{
	int count = 0;
	size_t step = strlen(needle);
	if (!haystack || step == 0)
		return 0;
	while ((haystack = strstr(haystack, needle)) != NULL) {
		count++;
		haystack += step;
	}
	return count;
}

static void parse_probe_line(char *line)
{
	struct probe *p;
	int used = 0;
	if (probe_count == MAX_PROBES)
		return;
	p = &probes[probe_count];
	memset(p, 0, sizeof *p);
	if (sscanf(line, "@vfl %ld %15s %n", &p->pid, p->kind, &used) < 2 || used == 0)
		goto bad;
	if (strcmp(p->kind, "int") == 0) {
		if (sscanf(line + used, "%127s %ld %ld", p->name, &p->a, &p->b) != 3)
			goto bad;
	} else if (strcmp(p->kind, "child") == 0) {
		if (sscanf(line + used, "%ld %ld %ld", &p->a, &p->b, &p->c) != 3)
			goto bad;
	} else if (strcmp(p->kind, "absent") == 0) {
		snprintf(p->text, sizeof p->text, "%s", line + used);
		if (p->text[0] == '\0')
			goto bad;
	} else if (strcmp(p->kind, "end") != 0) {
		goto bad;
	}
	probe_count++;
	return;
bad:
	if (malformed_count < MAX_PROBES)
		malformed[malformed_count++] = strdup(line);
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS: return "SIGSYS";
	case SIGPIPE: return "SIGPIPE";
	default: return "signal";
	}
}

int main(int argc, char **argv)
{
	long timeout_ms = 5000;
	const char *binary;
	int out[2], err[2], probe[2], report[2];
	struct capture caps[3];
	pid_t pid;
	int status = 0, exited = 0, exec_errno = 0, timed_out = 0;
	long deadline, drain_deadline = -1;
	int i, argi = 1;

	if (argi + 1 < argc && strcmp(argv[argi], "--timeout-ms") == 0) {
		timeout_ms = strtol(argv[argi + 1], NULL, 10);
		argi += 2;
	}
	if (argi + 1 != argc || timeout_ms <= 0) {
		fprintf(stderr, "usage: vfl-run [--timeout-ms N] SCENARIO-BINARY\n");
		return 2;
	}
	binary = argv[argi];

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(probe, O_CLOEXEC) ||
	    pipe2(report, O_CLOEXEC)) {
		perror("vfl-run: pipe2");
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("vfl-run: fork");
		return 2;
	}
	if (pid == 0) {
		/* dup2 clears close-on-exec on the copies at 1, 2 and 3. */
		setpgid(0, 0);
		if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 || dup2(probe[1], 3) < 0)
			_exit(126);
		setenv("VFL_PROBE_FD", "3", 1);
		execl(binary, binary, (char *)NULL);
		exec_errno = errno;
		if (write(report[1], &exec_errno, sizeof exec_errno) < 0)
			_exit(127);
		_exit(126);
	}
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	close(probe[1]);
	close(report[1]);
	if (read(report[0], &exec_errno, sizeof exec_errno) != (ssize_t)sizeof exec_errno)
		exec_errno = 0;
	close(report[0]);

	caps[0] = (struct capture){ NULL, 0, 0, out[0], 1 };
	caps[1] = (struct capture){ NULL, 0, 0, err[0], 1 };
	caps[2] = (struct capture){ NULL, 0, 0, probe[0], 1 };
	deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd fds[3];
		int nfds = 0, map[3];
		long now = now_ms(), wait_ms;
		if (!exited) {
			pid_t r = waitpid(pid, &status, WNOHANG);
			if (r == pid) {
				exited = 1;
				drain_deadline = now + 300; /* leftovers of the group may hold the pipes */
			}
		}
		if (!exited && now >= deadline) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			exited = 1;
			break;
		}
		if (exited && (now >= drain_deadline || (!caps[0].open && !caps[1].open && !caps[2].open)))
			break;
		for (i = 0; i < 3; i++) {
			if (caps[i].open) {
				fds[nfds].fd = caps[i].fd;
				fds[nfds].events = POLLIN;
				map[nfds++] = i;
			}
		}
		wait_ms = 20;
		if (nfds == 0) {
			struct timespec ts = { 0, 20 * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(fds, (nfds_t)nfds, (int)wait_ms) > 0) {
			for (i = 0; i < nfds; i++)
				if (fds[i].revents)
					capture_read(&caps[map[i]]);
		}
	}
	kill(-pid, SIGKILL); /* whatever the scenario left behind */
	for (i = 0; i < 3; i++)
		if (caps[i].open)
			close(caps[i].fd);

	/* Interpret the probe stream. */
	if (caps[2].data) {
		char *save = NULL, *line = strtok_r(caps[2].data, "\n", &save);
		while (line) {
			parse_probe_line(line);
			line = strtok_r(NULL, "\n", &save);
		}
	}

	int end_reached = 0, foreign = 0;
	long foreign_pid = 0;
	for (i = 0; i < probe_count; i++) {
		struct probe *p = &probes[i];
		if (p->pid != (long)pid) {
			foreign++;
			foreign_pid = p->pid;
			continue;
		}
		if (strcmp(p->kind, "int") == 0 && p->a != p->b) {
			p->changed = 1;
			note("%s: the parent expected %ld and saw %ld", p->name, p->a, p->b);
		} else if (strcmp(p->kind, "child") == 0 && p->a != p->b) {
			p->changed = 1;
			note("pid: the fork gave the parent %ld, but its child was %ld", p->a, p->b);
		} else if (strcmp(p->kind, "absent") == 0) {
			p->occurrences = count_occurrences(caps[0].data, p->text);
			if (p->occurrences > 0) {
				p->changed = 1;
				note("stdout: the parent emitted the child's unflushed text \"%s\" %d time(s)",
				     p->text, p->occurrences);
			}
		} else if (strcmp(p->kind, "end") == 0) {
			end_reached = 1;
		}
	}
	if (foreign)
		note("another process (pid %ld) ran the parent's observation code after the fork "
		     "function returned (%d probe line(s))", foreign_pid, foreign);

	const char *verdict;
	int sig = 0, code = -1;
	if (exec_errno) {
		verdict = "error";
		note("could not start %s: %s", binary, strerror(exec_errno));
	} else if (timed_out) {
		verdict = "timeout";
		note("no result within %ld ms; the process group was killed", timeout_ms);
	} else {
		if (WIFSIGNALED(status)) {
			sig = WTERMSIG(status);
			note("the parent was killed by %s (%d)", signal_name(sig), sig);
		} else if (WIFEXITED(status)) {
			code = WEXITSTATUS(status);
			if (!end_reached)
				note("the parent exited with status %d before its last probe", code);
			else if (code != 0)
				note("the parent exited with status %d after its last probe", code);
		}
		if (note_count > 0)
			verdict = "corrupts";
		else if (malformed_count > 0)
			verdict = "unparseable";
		else
			verdict = "clean";
	}

	/* Report. */
	printf("{\"binary\":");
	json_cstring(binary);
	printf(",\"pid\":%ld,\"verdict\":\"%s\",\"timedOut\":%s,", (long)pid, verdict,
	       timed_out ? "true" : "false");
	if (code >= 0 && !timed_out)
		printf("\"exitStatus\":%d,", code);
	else
		printf("\"exitStatus\":null,");
	if (sig && !timed_out)
		printf("\"signal\":%d,\"signalName\":\"%s\",", sig, signal_name(sig));
	else
		printf("\"signal\":null,\"signalName\":null,");
	printf("\"endReached\":%s,\"probes\":[", end_reached ? "true" : "false");
	for (i = 0; i < probe_count; i++) {
		struct probe *p = &probes[i];
		printf("%s{\"pid\":%ld,\"fromParent\":%s,\"kind\":\"%s\"", i ? "," : "", p->pid,
		       p->pid == (long)pid ? "true" : "false", p->kind);
		if (strcmp(p->kind, "int") == 0) {
			printf(",\"name\":");
			json_cstring(p->name);
			printf(",\"expected\":%ld,\"observed\":%ld", p->a, p->b);
		} else if (strcmp(p->kind, "child") == 0) {
			printf(",\"returned\":%ld,\"reaped\":%ld,\"childOutcome\":%ld", p->a, p->b, p->c);
		} else if (strcmp(p->kind, "absent") == 0) {
			printf(",\"text\":");
			json_cstring(p->text);
			printf(",\"occurrences\":%d", p->occurrences);
		}
		printf(",\"changed\":%s}", p->changed ? "true" : "false");
	}
	printf("],\"malformed\":[");
	for (i = 0; i < malformed_count; i++) {
		if (i)
			putchar(',');
		json_cstring(malformed[i]);
	}
	printf("],\"observations\":[");
	for (i = 0; i < note_count; i++) {
		if (i)
			putchar(',');
		json_cstring(notes[i]);
	}
	printf("],\"stdout\":");
	json_string(caps[0].data ? caps[0].data : "", caps[0].length);
	printf(",\"stderr\":");
	json_string(caps[1].data ? caps[1].data : "", caps[1].length);
	printf("}\n");
	return 0;
}
