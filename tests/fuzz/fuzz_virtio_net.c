/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes virtio-net (emulators/virtio/net.c): transmit requests on queue
 * 1 with whatever header, frame and layout the input gives, and frames
 * from the switch into the receive buffers the input posts on queue 0.
 * The device's port is on switch "fuzz0" with a peer port of the harness:
 * it checks each frame it gets, keeps the last one, and sends the
 * frames of HOST commands (virtio_driver.h), whose first byte says
 * 1: to the device's MAC, 2: broadcast, 4: the last frame sent back,
 * 8: from a spoofed source; 16: from now on the peer has no receive
 * buffer (the device's frames to it wait), 32: the peer has buffers again
 * (its rx_ready(): the device's waiting transmission resumes).
 * The device is made once per process by its emulator's create(); every
 * input starts from a reset device and fresh guest RAM.
 */
#include <keel/l2switch.h>
#include <stdio.h>
#include <string.h>
#include <virtio/virtio_mmio_regs.h>

#include "virtio_driver.h"

#define HOST_TO_DEVICE 1u
#define HOST_BROADCAST 2u
#define HOST_REFLECT 4u
#define HOST_SPOOF 8u
#define HOST_PEER_FULL 16u
#define HOST_PEER_READY 32u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct l2switch_port peer;
static uint8_t device_mac[L2SWITCH_MAC_LEN];
static uint8_t last_frame[L2SWITCH_FRAME_MAX];
static size_t last_len;
static bool peer_full;

static enum l2switch_delivery peer_deliver(struct l2switch_port *port, const void *frame,
					   size_t len)
{
	fuzz_promise(len >= L2SWITCH_FRAME_MIN && len <= L2SWITCH_FRAME_MAX);
	if (peer_full)
		return L2SWITCH_FULL;
	memcpy(last_frame, frame, len);
	last_len = len;
	return L2SWITCH_TAKEN;
}

static void host_frame(const uint8_t *data, size_t len)
{
	uint8_t frame[L2SWITCH_FRAME_MAX];
	uint8_t how;

	if (!len)
		return;
	how = data[0];
	if (how & (HOST_PEER_FULL | HOST_PEER_READY)) {
		peer_full = how & HOST_PEER_FULL;
		if (how & HOST_PEER_READY)
			l2switch_port_rx_ready(&peer);
		return;
	}
	if (how & HOST_REFLECT) {
		if (!last_len)
			return;
		/* Back to where it came from. */
		memcpy(frame, last_frame + L2SWITCH_MAC_LEN, L2SWITCH_MAC_LEN);
		memcpy(frame + L2SWITCH_MAC_LEN, peer.mac, L2SWITCH_MAC_LEN);
		memcpy(frame + 2 * L2SWITCH_MAC_LEN, last_frame + 2 * L2SWITCH_MAC_LEN,
		       last_len - 2 * L2SWITCH_MAC_LEN);
		l2switch_send(&peer, frame, last_len);
		return;
	}
	len = MIN(len - 1, sizeof(frame));
	memcpy(frame, data + 1, len);
	if (len >= L2SWITCH_MAC_LEN && (how & HOST_TO_DEVICE))
		memcpy(frame, device_mac, L2SWITCH_MAC_LEN);
	else if (len >= L2SWITCH_MAC_LEN && (how & HOST_BROADCAST))
		memset(frame, 0xff, L2SWITCH_MAC_LEN);
	/* The switch takes frames only from the peer's own address. */
	if (len >= 2 * L2SWITCH_MAC_LEN && !(how & HOST_SPOOF))
		memcpy(frame + L2SWITCH_MAC_LEN, peer.mac, L2SWITCH_MAC_LEN);
	l2switch_send(&peer, frame, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_device net;
	static bool ready;

	if (!ready) {
		fuzz_platform_init();
		fuzz_device_create(&net, fuzz_guest_new("fuzz"), "virtio,net", "net0",
				   "switch:fuzz0", 0x0a000000, 16, 2);
		for (unsigned int i = 0; i < L2SWITCH_MAC_LEN; i++)
			device_mac[i] = (uint8_t)fuzz_reg_read(&net, VIRTIO_MMIO_CONFIG + i, 1);
		snprintf(peer.label, sizeof(peer.label), "fuzz-peer");
		peer.mac[0] = 0x02;
		peer.mac[5] = 0x01;
		peer.deliver = peer_deliver;
		ready = true;
	}
	/* Each input starts with the peer freshly attached. */
	l2switch_port_detach(&peer);
	fuzz_promise(l2switch_port_attach("fuzz0", &peer) == 0);
	last_len = 0;
	peer_full = false;
	fuzz_virtio_run(&net, data, size, host_frame);
	return 0;
}
