/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes virtio-vsock (emulators/virtio/vsock.c, vsock_core.c): packets
 * on transmit queue 1, several per input, so that connection sequences
 * (REQUEST, RW, credit, SHUTDOWN, RST) reach Keel's echo service (CID 2,
 * port 7) and another guest (CID 4), and receive buffers on queue 0 for
 * what comes back. HOST commands (virtio_driver.h) are packets that other
 * guest sends: a 44-byte header (its source CID forced to 4, its length
 * to the payload's) and the payload. The other guest's driver never sets
 * its device up, so what goes to it piles up until it is refused.
 * Both devices are made once per process by their emulator's create();
 * every input starts from reset devices and fresh guest RAM.
 */
#include <keel/spinlock.h>
#include <string.h>
#include <virtio/vsock_core.h>

#include "virtio_driver.h"

#define PEER_CID 4u
#define PAYLOAD_MAX (2 * VSOCK_PACKET_DATA)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_device peer;

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void host_packet(const uint8_t *data, size_t len)
{
	static uint8_t payload[PAYLOAD_MAX];
	/* struct virtio_vsock starts with its struct vsock_device. */
	struct vsock_device *from = peer.state;
	struct vsock_hdr hdr;
	unsigned long flags;

	if (len < VSOCK_HDR_SIZE)
		return;
	hdr = (struct vsock_hdr){
		.src_cid = PEER_CID, .dst_cid = le(data + 8, 8),
		.src_port = (uint32_t)le(data + 16, 4), .dst_port = (uint32_t)le(data + 20, 4),
		.len = (uint32_t)MIN(len - VSOCK_HDR_SIZE, (size_t)PAYLOAD_MAX),
		.type = (uint16_t)le(data + 28, 2), .op = (uint16_t)le(data + 30, 2),
		.flags = (uint32_t)le(data + 32, 4), .buf_alloc = (uint32_t)le(data + 36, 4),
		.fwd_cnt = (uint32_t)le(data + 40, 4),
	};
	memcpy(payload, data + VSOCK_HDR_SIZE, hdr.len);
	flags = spin_lock_irqsave(&vsock_lock);
	vsock_route(from, &hdr, payload);
	spin_unlock_irqrestore(&vsock_lock, flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_device vsock;
	static bool ready;

	if (!ready) {
		fuzz_platform_init();
		fuzz_device_create(&vsock, fuzz_guest_new("fuzz"), "virtio,vsock", "vsock0",
				   "cid:3", 0x0a000000, 16, 3);
		fuzz_device_create(&peer, fuzz_guest_new("peer"), "virtio,vsock", "vsock0",
				   "cid:4", 0x0a000000, 16, 3);
		ready = true;
	}
	peer.emulator->reset(peer.state);
	fuzz_virtio_run(&vsock, data, size, host_packet);
	return 0;
}
