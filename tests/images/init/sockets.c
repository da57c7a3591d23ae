/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Socket helpers with deadlines. A check that waits for a peer or for Keel
 * must end with a FAIL line, never hang the guest, so every connect and
 * read here is bounded by poll() or by SO_RCVTIMEO/SO_SNDTIMEO.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>	/* before linux/vm_sockets.h, which uses it */
#include <linux/vm_sockets.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "init.h"

int socket_connect_timeout(int fd, const void *addr, size_t len, int timeout_ms)
{
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t err_len = sizeof(err);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	if (connect(fd, addr, (socklen_t)len) == 0)
		goto restore;
	if (errno != EINPROGRESS) {
		err = -errno;
		goto restore;
	}
	switch (poll(&pfd, 1, timeout_ms)) {
	case 0:
		err = -ETIMEDOUT;
		break;
	case 1:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len))
			err = errno;
		err = -err;
		break;
	default:
		err = -errno;
	}
restore:
	fcntl(fd, F_SETFL, flags);
	return err;
}

void socket_set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int socket_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
	double deadline = time_now() + timeout_ms / 1000.0;
	size_t len = 0;

	while (len + 1 < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ready = poll(&pfd, 1, time_left_ms(deadline));
		ssize_t n;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return -errno;
		if (ready == 0)
			return -ETIMEDOUT;
		/* One byte at a time: the line ends where the reply ends. */
		n = read(fd, buf + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return (int)len;
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

unsigned int vsock_local_cid(void)
{
	unsigned int cid = VMADDR_CID_ANY;
	int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return VMADDR_CID_ANY;
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid))
		cid = VMADDR_CID_ANY;
	close(fd);
	/* 1 (VMADDR_CID_LOCAL) is the loopback transport's: no virtio-vsock. */
	return cid > VMADDR_CID_HOST ? cid : VMADDR_CID_ANY;
}

int vsock_connect(unsigned int cid, unsigned int port, int timeout_ms)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = cid,
		.svm_port = port,
	};
	int fd, err;

	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = socket_connect_timeout(fd, &addr, sizeof(addr), timeout_ms);
	if (err) {
		close(fd);
		return err;
	}
	socket_set_timeouts(fd, timeout_ms);
	return fd;
}
