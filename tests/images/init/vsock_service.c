/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vsock service on port 1234: for each connection it reads one line
 * and answers "NAME: " + that line, then closes. The peer guest's
 * vsock-peer check uses it to prove that its bytes reached this guest (and
 * not, say, a loopback): the answer names us.
 */
#include <errno.h>
#include <sys/socket.h>	/* before linux/vm_sockets.h, which uses it */
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <unistd.h>

#include "init.h"

#define SERVICE_READ_TIMEOUT_MS 5000
#define SERVICE_LINE_MAX 256

static void vsock_service_answer(int conn, const struct params *p, int notify_fd)
{
	char line[SERVICE_LINE_MAX], reply[SERVICE_LINE_MAX + sizeof(p->name) + 3];
	int len;

	/* A client that never sends its line must not block the next one. */
	socket_set_timeouts(conn, SERVICE_READ_TIMEOUT_MS);
	len = socket_read_line(conn, line, sizeof(line), SERVICE_READ_TIMEOUT_MS);
	if (len < 0)
		return;
	len = snprintf(reply, sizeof(reply), "%s: %s\n", p->name, line);
	if (fd_write_all(conn, reply, (size_t)len) == 0 && notify_fd >= 0) {
		/* notify_fd is non-blocking: a full pipe loses only a count. */
		ssize_t ignored = write(notify_fd, "", 1);

		(void)ignored;
	}
}

static void __attribute__((noreturn)) vsock_service_loop(int listener, const struct params *p,
							  int notify_fd)
{
	for (;;) {
		int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			console_print("vsock service: accept: %m; stopped");
			_exit(1);
		}
		vsock_service_answer(conn, p, notify_fd);
		close(conn);
	}
}

int vsock_service_start(const struct params *p, int notify_fd)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = VSOCK_SERVICE_PORT,
	};
	int listener;
	pid_t pid;

	/* Bound in the parent, so a failure is reported before the checks. */
	listener = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0) {
		console_print("vsock service: socket(AF_VSOCK): %m");
		return -1;
	}
	if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 8)) {
		console_print("vsock service: port %u: %m", VSOCK_SERVICE_PORT);
		close(listener);
		return -1;
	}
	console_flush();
	pid = fork();
	if (pid == 0)
		vsock_service_loop(listener, p, notify_fd);
	close(listener);
	if (pid < 0)
		console_print("vsock service: fork: %m");
	return pid;
}
