/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net on the host fake arch: two guests' devices on one switch
 * exchanging frames through real virtqueues in their RAM, malformed
 * transmit requests, frames dropped for want of a receive buffer, the
 * MAC in config space, and the node checks.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/l2switch.h>
#include <string.h>
#include <virtio/virtio_mmio_regs.h>
#include "guest_fixture.h"
#include "unit.h"

#define NET_BASE 0x0a000600
#define NET_IRQ 19
#define RINGS 0x40100000
#define BUFFERS 0x40200000
#define HDR 12
#define F_MAC (1u << 5)
#define F_STATUS (1u << 16)
#define RX 0
#define TX 1

static struct fixture_archive archive;

static bool setup(void)
{
	if (!archive.len)
		fixture_archive_add_kernel(&archive);
	return fixture_archive_mount_guests(&archive, UNIT_DATA_DIR "/virtio_net.dtb", 2);
}

/* ---- a test driver ---- */

static uint8_t reg_read8(struct fixture_virtio *n, uint64_t offset)
{
	uint64_t value = 0;

	CHECK_EQ(n->region->ops->read(n->region->state, NULL, offset, 1, &value), 0);
	return (uint8_t)value;
}

/* Creates guest name and brings its net device up with features. */
static bool nic_up(struct fixture_virtio *n, const char *name, uint32_t features)
{
	char err[GUEST_ERROR_MAX];
	struct guest *g = guest_find(name);

	if (!g || guest_create(g, err, sizeof(err)))
		return false;
	return fixture_virtio_start(n, g, NET_BASE, RINGS, 2, features);
}

/* Makes a chain of buffers available on queue q and notifies. */
static void nic_add(struct fixture_virtio *n, unsigned int q, const struct fixture_buffer *bufs,
		    unsigned int count)
{
	fixture_virtio_add(n, q, bufs, count);
	fixture_virtio_notify(n, q);
}

/* Posts one receive buffer of len bytes at addr. */
static void nic_post_rx(struct fixture_virtio *n, gpa_t addr, uint32_t len)
{
	struct fixture_buffer b = { addr, len, true };

	nic_add(n, RX, &b, 1);
}

static void nic_mac(struct fixture_virtio *n, uint8_t *mac)
{
	for (unsigned int i = 0; i < 6; i++)
		mac[i] = reg_read8(n, VIRTIO_MMIO_CONFIG + i);
}

/* Transmits header (12 zero bytes) + frame from the guest's RAM at addr,
 * in two buffers; the used length (0) or -1. */
static long nic_send(struct fixture_virtio *n, gpa_t addr, const uint8_t *frame, uint32_t len)
{
	uint8_t header[HDR] = { 0 };
	struct fixture_buffer bufs[2] = { { addr, HDR, false }, { addr + 0x100, len, false } };

	CHECK_EQ(guest_copy_to(n->g, addr, header, HDR), 0);
	CHECK_EQ(guest_copy_to(n->g, addr + 0x100, frame, len), 0);
	nic_add(n, TX, bufs, 2);
	return fixture_virtio_used(n, TX);
}

static size_t make_frame(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(i * 7);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	return len;
}

static struct l2switch_info info;

/* The switch's port whose label is label, or NULL. */
static const struct l2switch_port_info *port_info(const char *sw, const char *label)
{
	for (unsigned int i = 0; l2switch_info_at(i, &info); i++) {
		if (strcmp(info.name, sw))
			continue;
		for (unsigned int p = 0; p < info.port_count; p++)
			if (!strcmp(info.ports[p].label, label))
				return &info.ports[p];
	}
	return NULL;
}

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

TEST(virtio_net_two_guests_exchange_frames_through_the_switch)
{
	static struct fixture_virtio a, b;
	const struct l2switch_port_info *pi;
	uint8_t mac_a[6], mac_b[6], mac_b2[6], frame[1600], got[1600];
	const uint8_t fixed[6] = { 0x02, 0, 0, 0, 0x0a, 0x01 };

	REQUIRE(setup());
	REQUIRE(nic_up(&a, "neta", F_MAC | F_STATUS));
	REQUIRE(nic_up(&b, "netb", F_MAC | F_STATUS));
	CHECK_EQ(fixture_virtio_read(&a, VIRTIO_MMIO_DEVICE_ID), 1);
	fixture_virtio_write(&a, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	/* The transport adds its ring features; no offloads. */
	CHECK_EQ(fixture_virtio_read(&a, VIRTIO_MMIO_DEVICE_FEATURES) & 0xffffff, F_MAC | F_STATUS);
	/* Config: the MAC, then status LINK_UP. */
	nic_mac(&a, mac_a);
	nic_mac(&b, mac_b);
	CHECK(memcmp(mac_a, fixed, 6) == 0);
	CHECK_EQ(mac_b[0], 0x02);
	CHECK(memcmp(mac_a, mac_b, 6) != 0);
	CHECK_EQ(reg_read8(&a, VIRTIO_MMIO_CONFIG + 6), 1);

	/* A broadcast from a reaches b's posted buffer, header first. */
	nic_post_rx(&b, BUFFERS, 2048);
	CHECK(!b.g->arch.irq_level[NET_IRQ]);
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, broadcast, mac_a)), 0);
	CHECK_EQ(fixture_virtio_used(&b, RX), HDR + 60);
	CHECK(b.g->arch.irq_level[NET_IRQ]);
	CHECK_EQ(fixture_virtio_read(&b, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	fixture_virtio_write(&b, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	REQUIRE(guest_copy_from(b.g, got, BUFFERS, HDR + 60) == 0);
	CHECK_EQ(got[10], 1);                       /* num_buffers */
	CHECK_EQ(got[0] | got[1] | got[2] | got[3], 0);
	CHECK(memcmp(got + HDR, frame, 60) == 0);

	/* b answers a, which posted nothing: b's frame waits (flow
	 * control), its request not given back and nothing counted... */
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 100, mac_a, mac_b)), -1);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_full, 0);
	CHECK_EQ(pi->stats.rx_frames, 0);
	CHECK_EQ(pi->stats.tx_frames, 1);
	CHECK_EQ(pi->stats.tx_bytes, 60);
	CHECK_EQ(info.port_count, 2);
	/* ...until a posts a buffer: then it gets there, and b's request
	 * is done. */
	nic_post_rx(&a, BUFFERS, 2048);
	CHECK_EQ(fixture_virtio_used(&b, TX), 0);
	CHECK_EQ(fixture_virtio_used(&a, RX), HDR + 100);
	/* With a buffer, a full-size frame gets there at once. */
	nic_post_rx(&a, BUFFERS, HDR + 1514);
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 1514, mac_a, mac_b)), 0);
	CHECK_EQ(fixture_virtio_used(&a, RX), HDR + 1514);
	REQUIRE(guest_copy_from(a.g, got, BUFFERS + HDR, 1514) == 0);
	CHECK(memcmp(got, frame, 1514) == 0);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_frames, 2);
	CHECK_EQ(pi->stats.rx_full, 0);
	pi = port_info("utnet", "netb/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.tx_frames, 2);
	CHECK_EQ(pi->stats.rx_frames, 1);
	CHECK(memcmp(pi->mac, mac_b, 6) == 0);

	/* b sending as a (its node's MAC is not a's) reaches nobody: a,
	 * with no buffer posted, does not even count a drop; b's port
	 * counts a spoofed frame. */
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, broadcast, mac_a)), 0);
	pi = port_info("utnet", "netb/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.tx_spoofed, 1);
	CHECK_EQ(pi->stats.tx_frames, 2);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_full, 0);

	/* A buffer too small for the frame is handed back empty; dropped
	 * (waiting would not help). */
	nic_post_rx(&a, BUFFERS, HDR + 20);
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, mac_a, mac_b)), 0);
	CHECK_EQ(fixture_virtio_used(&a, RX), 0);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_full, 1);

	/* A receiver that never posts a buffer: the frame waits
	 * NET_HOLD_NS (20 ms), then is dropped; for a second after that no
	 * frame waits for that receiver. */
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, mac_a, mac_b)), -1);
	host_counter_set(arch_counter_read() + arch_counter_freq() / 100);
	timer_event_expire();
	CHECK_EQ(fixture_virtio_used(&b, TX), -1);
	host_counter_set(arch_counter_read() + arch_counter_freq() / 50);
	timer_event_expire();
	CHECK_EQ(fixture_virtio_used(&b, TX), 0);
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, mac_a, mac_b)), 0);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_full, 3);
	CHECK_EQ(pi->stats.rx_frames, 2);

	/* The made-up MAC is the same for a guest created again; a guest
	 * reset keeps the device on the switch. */
	CHECK_EQ(guest_destroy(b.g), 0);
	CHECK(port_info("utnet", "netb/net0") == NULL);
	REQUIRE(nic_up(&b, "netb", F_MAC | F_STATUS));
	nic_mac(&b, mac_b2);
	CHECK(memcmp(mac_b, mac_b2, 6) == 0);
	CHECK_EQ(guest_reset(b.g), 0);
	CHECK(port_info("utnet", "netb/net0") != NULL);
	CHECK_EQ(guest_destroy(a.g), 0);
	CHECK_EQ(guest_destroy(b.g), 0);
	CHECK(port_info("utnet", "netb/net0") == NULL);
}

TEST(virtio_net_malformed_transmit_requests_are_dropped)
{
	static struct fixture_virtio a, b;
	const struct l2switch_port_info *pi;
	uint8_t mac_a[6], frame[1600], zero[HDR] = { 0 }, flagged[HDR] = { 1 };
	struct fixture_buffer bufs[2];

	REQUIRE(setup());
	REQUIRE(nic_up(&a, "neta", F_MAC));
	REQUIRE(nic_up(&b, "netb", F_MAC));
	nic_mac(&a, mac_a);
	for (unsigned int i = 0; i < 4; i++)
		nic_post_rx(&b, BUFFERS + 0x1000 * i, 2048);
	make_frame(frame, sizeof(frame), broadcast, mac_a);
	/* Shorter than the header. */
	bufs[0] = (struct fixture_buffer){ BUFFERS + 0x10000, 8, false };
	nic_add(&a, TX, bufs, 1);
	CHECK_EQ(fixture_virtio_used(&a, TX), 0);
	/* A frame shorter than an Ethernet header, and one too long. */
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, 13), 0);
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, L2SWITCH_FRAME_MAX + 1), 0);
	/* A writable buffer in a transmit request. */
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000, zero, HDR), 0);
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10100, frame, 60), 0);
	bufs[0] = (struct fixture_buffer){ BUFFERS + 0x10000, HDR + 60, false };
	bufs[1] = (struct fixture_buffer){ BUFFERS + 0x11000, 16, true };
	nic_add(&a, TX, bufs, 2);
	CHECK_EQ(fixture_virtio_used(&a, TX), 0);
	/* A header asking for a checksum offload that was not negotiated. */
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000, flagged, HDR), 0);
	bufs[0] = (struct fixture_buffer){ BUFFERS + 0x10000, HDR + 60, false };
	nic_add(&a, TX, bufs, 1);
	CHECK_EQ(fixture_virtio_used(&a, TX), 0);
	/* None got through; the device still works. */
	CHECK_EQ(fixture_virtio_used(&b, RX), -1);
	CHECK(!(fixture_virtio_read(&a, VIRTIO_MMIO_STATUS) & 64));
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.tx_malformed, 5);
	CHECK_EQ(pi->stats.tx_frames, 0);
	/* One header and frame in a single buffer is fine. */
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000, zero, HDR), 0);
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000 + HDR, frame, 60), 0);
	nic_add(&a, TX, bufs, 1);
	CHECK_EQ(fixture_virtio_used(&a, TX), 0);
	CHECK_EQ(fixture_virtio_used(&b, RX), HDR + 60);
	/* A driver reset: b's frames are dropped until it is up again. */
	fixture_virtio_write(&b, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, 60), 0);
	pi = port_info("utnet", "netb/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_full, 1);
	CHECK_EQ(guest_destroy(a.g), 0);
	CHECK_EQ(guest_destroy(b.g), 0);
}

TEST(virtio_net_nodes_are_checked_with_clear_messages)
{
	static const struct fixture_node_error cases[] = {
		{ "bad-nobackend", "guest bad-nobackend: node /guests/bad-nobackend/devices/net0: \"backend\" is required: where the virtio-net's data comes from, e.g. switch:br0" },
		{ "bad-scheme", "guest bad-scheme: node /guests/bad-scheme/devices/net0: backend \"ram:1M\": this device's backend must be switch:; found ram:" },
		{ "bad-maclen", "guest bad-maclen: node /guests/bad-maclen/devices/net0: \"mac-address\" must be 6 bytes ([02 00 00 00 00 01]), found 4" },
		{ "bad-macgroup", "guest bad-macgroup: node /guests/bad-macgroup/devices/net0: \"mac-address\" 01:00:5e:00:00:01 is a group (multicast) address; a device needs a unicast one" },
		{ "bad-prop", "guest bad-prop: node /guests/bad-prop/devices/net0: unknown property \"mtu\": a virtio-net node takes backend and mac-address besides compatible, reg and interrupts (see docs/guest-binding.md)" },
	};

	REQUIRE(setup());
	fixture_check_node_errors(UNIT_DATA_DIR "/virtio_net_bad.dtb", cases,
				  sizeof(cases) / sizeof(cases[0]));
}
