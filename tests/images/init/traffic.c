/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `keel-check traffic`: steady load on virtio-blk and virtio-net until it
 * is killed, for tests that do something to a guest (pause it, stop its
 * peer, migrate a device) while its queues are busy. The disk is written
 * and verified 1 MiB at a time, walking over the whole of /dev/vda; UDP
 * datagrams go to keel.peer's port 5002, where a `keel-check traffic` on
 * the peer counts them. One status line a second; corrupt disk data ends
 * the run with exit status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define TRAFFIC_BLOCK MiB(1)
#define TRAFFIC_DATAGRAM 1024
#define TRAFFIC_DATAGRAMS_PER_ROUND 16

struct traffic_counts {
	uint64_t blk_mib, sent, received;
};

static int traffic_socket(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(TRAFFIC_PORT),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Sends a round of datagrams to the peer and drains what arrived. */
static void traffic_net_round(int fd, const struct params *p, struct traffic_counts *c)
{
	struct sockaddr_in peer = {
		.sin_family = AF_INET,
		.sin_port = htons(TRAFFIC_PORT),
		.sin_addr = p->peer,
	};
	char datagram[TRAFFIC_DATAGRAM];

	memset(datagram, 0x74, sizeof(datagram));
	for (int i = 0; p->has_peer && i < TRAFFIC_DATAGRAMS_PER_ROUND; i++)
		/* A full queue or a peer not yet resolved: not counted, not fatal. */
		if (sendto(fd, datagram, sizeof(datagram), 0, (struct sockaddr *)&peer,
			   sizeof(peer)) > 0)
			c->sent++;
	while (recv(fd, datagram, sizeof(datagram), 0) > 0)
		c->received++;
}

/*
 * Writes, reads back and compares one block; 0, -errno, or -EILSEQ. Each
 * lap over the disk uses a new seed, so a block that was not really
 * rewritten cannot match what the previous lap left there.
 */
static int traffic_blk_round(struct blockdev *dev, uint64_t *offset, uint64_t *seed)
{
	int err;

	if (*offset + TRAFFIC_BLOCK > dev->size) {
		*offset = 0;
		(*seed)++;
	}
	blockdev_fill(dev, TRAFFIC_BLOCK, *seed, *offset);
	err = blockdev_write(dev, TRAFFIC_BLOCK, *offset);
	if (!err)
		err = blockdev_read(dev, TRAFFIC_BLOCK, *offset);
	if (!err && blockdev_compare(dev, TRAFFIC_BLOCK, *seed, *offset) >= 0)
		err = -EILSEQ;
	if (!err)
		*offset += TRAFFIC_BLOCK;
	return err;
}

int traffic_run(const struct params *p)
{
	struct traffic_counts counts = { 0 };
	uint64_t offset = 0, seed = (uint64_t)time(NULL);
	double next_report = time_now() + 1;
	struct blockdev dev;
	int fd, err;

	err = blockdev_open(&dev, TRAFFIC_BLOCK);
	if (err) {
		console_print("%s: %s", BLOCK_DEVICE, strerror(-err));
		return 1;
	}
	if (dev.size < TRAFFIC_BLOCK) {
		console_print("%s is smaller than 1 MiB", BLOCK_DEVICE);
		blockdev_close(&dev);
		return 1;
	}
	fd = traffic_socket();
	if (fd < 0)
		console_print("UDP port %d: %s; disk traffic only", TRAFFIC_PORT, strerror(-fd));
	for (;;) {
		err = traffic_blk_round(&dev, &offset, &seed);
		if (err == -EILSEQ) {
			console_print("FAIL blk: the 1 MiB at byte %llu read back differs",
				      (unsigned long long)offset);
			break;
		}
		if (err) {
			console_print("FAIL blk: I/O at byte %llu: %s", (unsigned long long)offset,
				      strerror(-err));
			break;
		}
		counts.blk_mib++;
		if (fd >= 0)
			traffic_net_round(fd, p, &counts);
		if (time_now() >= next_report) {
			console_print("blk %llu MiB verified, net sent %llu recv %llu",
				      (unsigned long long)counts.blk_mib,
				      (unsigned long long)counts.sent,
				      (unsigned long long)counts.received);
			next_report = time_now() + 1;
		}
	}
	if (fd >= 0)
		close(fd);
	blockdev_close(&dev);
	return 1;
}
