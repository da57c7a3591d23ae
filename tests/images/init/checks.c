/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The check runner. Each check runs in a child process that sends its
 * result back through a pipe, so a check stuck in the kernel (a virtqueue
 * request Keel never completes, a peer that never answers) is abandoned at
 * its timeout with a FAIL line and the next check still runs; a check that
 * crashes FAILs too instead of taking init down.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

#define CHECK_DETAIL_MAX 240
#define CHECK_REAP_MS 1000

struct check_report {
	enum check_result result;
	char detail[CHECK_DETAIL_MAX];
};

/* The order is the contract: tests read the lines in this order. */
static const struct check checks[] = {
	{ "virtio-devices", 10, check_virtio_devices },
	{ "cpus", 10, check_cpus },
	{ "virtio-rng", 10, check_virtio_rng },
	{ "virtio-blk", 30, check_virtio_blk },
	{ "virtio-console", 10, check_virtio_console },
	{ "virtio-net", PEER_WAIT_SECONDS + 10, check_virtio_net },
	{ "vsock-host", 15, check_vsock_host },
	{ "vsock-peer", PEER_WAIT_SECONDS + 10, check_vsock_peer },
};

enum check_result check_result(enum check_result result, char *detail, size_t size,
			       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, size, fmt, ap);
	va_end(ap);
	return result;
}

static void __attribute__((noreturn)) check_child(const struct check *c,
						  const struct params *p, int out)
{
	struct check_report report;

	memset(&report, 0, sizeof(report));
	report.result = c->run(p, report.detail, sizeof(report.detail));
	/* Smaller than PIPE_BUF: the parent gets all of it or nothing. */
	_exit(fd_write_all(out, &report, sizeof(report)) ? 1 : 0);
}

/* Waits for a killed child briefly; one stuck in the kernel is left behind. */
static void check_reap(pid_t pid, int timeout_ms)
{
	double deadline = time_now() + timeout_ms / 1000.0;

	while (waitpid(pid, NULL, WNOHANG) == 0 && time_now() < deadline)
		usleep(10000);
}

/* Reads the child's report by the deadline; false if it did not come. */
static bool check_receive(int in, double deadline, struct check_report *report)
{
	size_t got = 0;

	while (got < sizeof(*report)) {
		struct pollfd pfd = { .fd = in, .events = POLLIN };
		int ready = poll(&pfd, 1, time_left_ms(deadline));
		ssize_t n;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return false;
		n = read(in, (char *)report + got, sizeof(*report) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static enum check_result check_run_one(const struct check *c, const struct params *p,
				       char *detail, size_t size)
{
	double deadline = time_now() + c->timeout_seconds;
	struct check_report report;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return check_fail(detail, size, "pipe: %m");
	console_flush();
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		check_child(c, p, fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return check_fail(detail, size, "fork: %m");
	}
	if (check_receive(fds[0], deadline, &report)) {
		close(fds[0]);
		waitpid(pid, NULL, 0);
		snprintf(detail, size, "%.*s", CHECK_DETAIL_MAX - 1, report.detail);
		return report.result;
	}
	close(fds[0]);
	if (time_now() >= deadline) {
		kill(pid, SIGKILL);
		check_reap(pid, CHECK_REAP_MS);
		return check_fail(detail, size, "no result within %d s (stuck; stopped)",
				  c->timeout_seconds);
	}
	/* The pipe closed early: the child died without a report. */
	if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
		return check_fail(detail, size, "crashed: %s", strsignal(WTERMSIG(status)));
	return check_fail(detail, size, "ended without a result");
}

int checks_run_all(const struct params *p)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const struct check *c = &checks[i];
		char detail[CHECK_DETAIL_MAX];

		switch (check_run_one(c, p, detail, sizeof(detail))) {
		case CHECK_PASS:
			console_print("PASS %s (%s)", c->name, detail);
			passed++;
			break;
		case CHECK_SKIP:
			console_print("SKIP %s: %s", c->name, detail);
			break;
		default:
			console_print("FAIL %s: %s", c->name, detail);
			failed++;
		}
	}
	console_print("%d passed, %d failed", passed, failed);
	return failed;
}
