/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keel.mode=netbench-send / netbench-recv: one TCP stream of
 * NETBENCH_BYTES from the sender to the receiver's port 5001 over eth0.
 * The two guests start together, so the receiver listens for up to
 * NETBENCH_WAIT_S and the sender keeps trying to connect as long. The
 * sender's time includes waiting for the receiver to close, so both sides
 * time the same transfer. The caller powers off.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init.h"

#define NETBENCH_BYTES MiB(32)
#define NETBENCH_WAIT_S 60
#define NETBENCH_STALL_MS 10000		/* a transfer that stops this long failed */
#define NETBENCH_CHUNK (64 * 1024)
#define NETBENCH_RETRY_US 500000

static char netbench_buf[NETBENCH_CHUNK];

static void netbench_report(const char *verb, uint64_t bytes, double seconds)
{
	console_print("netbench %s %llu bytes in %.3f s: %.1f MB/s", verb,
		      (unsigned long long)bytes, seconds,
		      (double)bytes / 1e6 / (seconds > 0 ? seconds : 1e-9));
}

static int netbench_connect(const struct params *p)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(NETBENCH_PORT),
		.sin_addr = p->peer,
	};
	double deadline = time_now() + NETBENCH_WAIT_S;
	int err = -ETIMEDOUT;

	while (time_now() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		err = socket_connect_timeout(fd, &addr, sizeof(addr), 2000);
		if (!err)
			return fd;
		close(fd);
		usleep(NETBENCH_RETRY_US);
	}
	return err;
}

void netbench_send(const struct params *p)
{
	uint64_t sent = 0;
	double start;
	int fd, err = 0;

	if (!p->has_peer) {
		console_print("netbench: no keel.peer to send to");
		return;
	}
	fd = netbench_connect(p);
	if (fd < 0) {
		console_print("netbench: no receiver on %s port %d in %d s: %s",
			      inet_ntoa(p->peer), NETBENCH_PORT, NETBENCH_WAIT_S, strerror(-fd));
		return;
	}
	socket_set_timeouts(fd, NETBENCH_STALL_MS);
	memset(netbench_buf, 0x5a, sizeof(netbench_buf));
	start = time_now();
	while (sent < NETBENCH_BYTES && !err) {
		size_t len = NETBENCH_BYTES - sent < NETBENCH_CHUNK ? NETBENCH_BYTES - sent :
								     NETBENCH_CHUNK;

		err = fd_write_all(fd, netbench_buf, len);
		if (!err)
			sent += len;
	}
	/* The receiver closes after the last byte: wait for that. */
	shutdown(fd, SHUT_WR);
	while (!err && read(fd, netbench_buf, sizeof(netbench_buf)) > 0)
		;
	close(fd);
	if (err) {
		console_print("netbench: send failed after %llu bytes: %s",
			      (unsigned long long)sent, strerror(-err));
		return;
	}
	netbench_report("sent", sent, time_now() - start);
}

static int netbench_listen(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(NETBENCH_PORT),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void netbench_receive(void)
{
	struct pollfd pfd = { .events = POLLIN };
	uint64_t received = 0;
	double start;
	ssize_t n;
	int conn;

	pfd.fd = netbench_listen();
	if (pfd.fd < 0) {
		console_print("netbench: port %d: %s", NETBENCH_PORT, strerror(-pfd.fd));
		return;
	}
	if (poll(&pfd, 1, NETBENCH_WAIT_S * 1000) <= 0) {
		console_print("netbench: no sender in %d s", NETBENCH_WAIT_S);
		close(pfd.fd);
		return;
	}
	conn = accept4(pfd.fd, NULL, NULL, SOCK_CLOEXEC);
	close(pfd.fd);
	if (conn < 0) {
		console_print("netbench: accept: %m");
		return;
	}
	socket_set_timeouts(conn, NETBENCH_STALL_MS);
	start = time_now();
	while ((n = read(conn, netbench_buf, sizeof(netbench_buf))) > 0)
		received += (uint64_t)n;
	if (n < 0)
		console_print("netbench: receive failed after %llu bytes: %m",
			      (unsigned long long)received);
	close(conn);
	netbench_report("received", received, time_now() - start);
}
