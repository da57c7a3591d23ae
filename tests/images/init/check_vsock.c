/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsock: Keel's echo service (CID 2, port 7) must return the line sent to
 * it, and the peer guest's service (its CID, port 1234) must answer with
 * its own name in front of our line. Without a virtio-vsock device Linux
 * has no guest transport: that is reported at once rather than waited on.
 */
#include <errno.h>
#include <sys/socket.h>	/* before linux/vm_sockets.h, which uses it */
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init.h"

#define VSOCK_IO_TIMEOUT_MS 5000
#define VSOCK_PEER_CONNECT_MS 2000
#define VSOCK_PEER_RETRY_US 500000

/* Sends `line` + "\n" on fd and reads one line back into reply. */
static int vsock_exchange(int fd, const char *line, char *reply, size_t reply_size)
{
	char out[256];
	int len = snprintf(out, sizeof(out), "%s\n", line), err;

	err = fd_write_all(fd, out, (size_t)len);
	if (err)
		return err;
	err = socket_read_line(fd, reply, reply_size, VSOCK_IO_TIMEOUT_MS);
	return err < 0 ? err : 0;
}

enum check_result check_vsock_host(const struct params *p, char *detail, size_t size)
{
	unsigned int cid = vsock_local_cid();
	char line[128], reply[256];
	int fd, err;

	if (cid == VMADDR_CID_ANY)
		return check_fail(detail, size, "no vsock transport (no virtio-vsock device?)");
	fd = vsock_connect(VSOCK_HOST_CID, VSOCK_HOST_ECHO_PORT, VSOCK_IO_TIMEOUT_MS);
	if (fd < 0)
		return check_fail(detail, size, "connect to CID %u port %u: %s", VSOCK_HOST_CID,
				  VSOCK_HOST_ECHO_PORT, strerror(-fd));
	snprintf(line, sizeof(line), "%s vsock-host check %ld", p->name, (long)time(NULL));
	err = vsock_exchange(fd, line, reply, sizeof(reply));
	close(fd);
	if (err)
		return check_fail(detail, size, "CID %u port %u: %s", VSOCK_HOST_CID,
				  VSOCK_HOST_ECHO_PORT, strerror(-err));
	if (strcmp(reply, line))
		return check_fail(detail, size, "sent \"%s\", got back \"%s\"", line, reply);
	return check_pass(detail, size, "CID %u -> CID %u port %u echoed \"%s\"", cid,
			  VSOCK_HOST_CID, VSOCK_HOST_ECHO_PORT, reply);
}

/* The peer's answer: a non-empty name, ": ", then exactly our line. */
static bool vsock_peer_answer_ok(const char *reply, const char *line)
{
	size_t reply_len = strlen(reply), line_len = strlen(line);
	const char *tail;

	if (reply_len < line_len + 3)
		return false;
	tail = reply + reply_len - line_len - 2;
	return !strncmp(tail, ": ", 2) && !strcmp(tail + 2, line);
}

enum check_result check_vsock_peer(const struct params *p, char *detail, size_t size)
{
	double deadline = time_now() + PEER_WAIT_SECONDS;
	char line[128], reply[256];
	int err = -ETIMEDOUT, attempts = 0;

	if (!p->has_peer)
		return check_skip(detail, size, "no keel.peer on the kernel command line");
	if (!p->has_peer_cid)
		return check_skip(detail, size, "no keel.peer-cid on the kernel command line");
	if (vsock_local_cid() == VMADDR_CID_ANY)
		return check_fail(detail, size, "no vsock transport (no virtio-vsock device?)");
	snprintf(line, sizeof(line), "hello from %s", p->name);
	/* The peer's init may not be listening yet: retry until the deadline. */
	while (time_now() < deadline) {
		int fd = vsock_connect(p->peer_cid, VSOCK_SERVICE_PORT, VSOCK_PEER_CONNECT_MS);

		attempts++;
		if (fd < 0) {
			err = fd;
			usleep(VSOCK_PEER_RETRY_US);
			continue;
		}
		err = vsock_exchange(fd, line, reply, sizeof(reply));
		close(fd);
		if (err) {
			usleep(VSOCK_PEER_RETRY_US);
			continue;
		}
		if (!vsock_peer_answer_ok(reply, line))
			return check_fail(detail, size, "CID %u port %u answered \"%s\" to \"%s\"",
					  p->peer_cid, VSOCK_SERVICE_PORT, reply, line);
		return check_pass(detail, size, "CID %u port %u answered \"%s\"", p->peer_cid,
				  VSOCK_SERVICE_PORT, reply);
	}
	return check_fail(detail, size, "CID %u port %u: no answer in %d s (%d attempts; last: %s)",
			  p->peer_cid, VSOCK_SERVICE_PORT, PEER_WAIT_SECONDS, attempts,
			  strerror(-err));
}
