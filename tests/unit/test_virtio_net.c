/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net on the host fake arch: two guests' devices on one switch
 * exchanging frames through real virtqueues in their RAM, malformed
 * transmit requests, frames dropped for want of a receive buffer, the
 * MAC in config space, and the node checks.
 */
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/guest.h>
#include <keel/sched.h>
#include <lib/l2switch.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_QUEUE_DEVICE_HIGH 0x0a4
#define REG_CONFIG 0x100

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define QUEUE_SIZE 8
#define NET_BASE 0x0a000600
#define NET_IRQ 19
#define RINGS 0x40100000
#define BUFFERS 0x40200000
#define HDR 12
#define F_MAC (1u << 5)
#define F_STATUS (1u << 16)
#define RX 0
#define TX 1

static char *archive;
static size_t archive_len;
static uint8_t kernel[4096];

static void put(const char *name, uint32_t mode, const void *data, size_t size)
{
	char header[111];

	archive = realloc(archive, archive_len + 110 + strlen(name) + size + 16);
	snprintf(header, sizeof(header),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned int)archive_len + 1, mode, 0U, 0U, 1U, 0U, (unsigned int)size,
		 0U, 0U, 0U, 0U, (unsigned int)strlen(name) + 1, 0U);
	memcpy(archive + archive_len, header, 110);
	archive_len += 110;
	memcpy(archive + archive_len, name, strlen(name) + 1);
	archive_len += strlen(name) + 1;
	while (archive_len % 4)
		archive[archive_len++] = 0;
	if (size)
		memcpy(archive + archive_len, data, size);
	archive_len += size;
	while (archive_len % 4)
		archive[archive_len++] = 0;
}

static bool read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	*data = malloc(65536);
	*len = fread(*data, 1, 65536, f);
	fclose(f);
	return *len > 0;
}

static bool setup(void)
{
	static bool loaded;
	char err[GUEST_ERROR_MAX], *dtb;
	size_t dtb_len;

	if (!archive) {
		put("guests", 0040755, NULL, 0);
		put("guests/kernel.bin", 0100644, kernel, sizeof(kernel));
		put("TRAILER!!!", 0, NULL, 0);
	}
	if (fs_mount_cpio(archive, archive_len))
		return false;
	if (loaded)
		return true;
	sched_init();
	if (!read_file(UNIT_DATA_DIR "/virtio_net.dtb", &dtb, &dtb_len))
		return false;
	loaded = guest_load_tree(dtb, dtb_len, err, sizeof(err)) == 2;
	free(dtb);
	if (!loaded)
		printf("load: %s\n", err);
	return loaded;
}

/* ---- a test driver ---- */

struct test_queue {
	gpa_t desc, avail, used;
	uint16_t avail_idx;
	uint16_t used_seen;
	uint16_t next_desc;
};

struct test_nic {
	struct guest *g;
	const struct mmio_region *region;
	struct test_queue queues[2];
};

struct test_buffer {
	gpa_t addr;
	uint32_t len;
	bool writable;
};

static uint32_t reg_read(struct test_nic *n, uint64_t offset)
{
	uint64_t value = 0;

	CHECK_EQ(n->region->ops->read(n->region->state, NULL, offset, 4, &value), 0);
	return (uint32_t)value;
}

static uint8_t reg_read8(struct test_nic *n, uint64_t offset)
{
	uint64_t value = 0;

	CHECK_EQ(n->region->ops->read(n->region->state, NULL, offset, 1, &value), 0);
	return (uint8_t)value;
}

static void reg_write(struct test_nic *n, uint64_t offset, uint32_t value)
{
	CHECK_EQ(n->region->ops->write(n->region->state, NULL, offset, 4, value), 0);
}

static void put16(struct guest *g, gpa_t at, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	CHECK_EQ(guest_copy_to(g, at, b, 2), 0);
}

static uint32_t get32(struct guest *g, gpa_t at)
{
	uint8_t b[4] = { 0 };

	CHECK_EQ(guest_copy_from(g, b, at, 4), 0);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Creates guest name and brings its net device up with features. */
static bool nic_up(struct test_nic *n, const char *name, uint32_t features)
{
	char err[GUEST_ERROR_MAX];

	memset(n, 0, sizeof(*n));
	n->g = guest_find(name);
	if (!n->g || guest_create(n->g, err, sizeof(err)))
		return false;
	n->region = mmio_table_find(&n->g->mmio, NET_BASE);
	if (!n->region)
		return false;
	reg_write(n, REG_STATUS, 0);
	reg_write(n, REG_STATUS, 1);
	reg_write(n, REG_STATUS, 1 | 2);
	reg_write(n, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(n, REG_DRIVER_FEATURES, features);
	reg_write(n, REG_DRIVER_FEATURES_SEL, 1);
	reg_write(n, REG_DRIVER_FEATURES, 1);
	reg_write(n, REG_STATUS, 1 | 2 | 8);
	if (!(reg_read(n, REG_STATUS) & 8))
		return false;
	for (unsigned int q = 0; q < 2; q++) {
		struct test_queue *tq = &n->queues[q];
		gpa_t rings = RINGS + 0x4000 * q;

		tq->desc = rings;
		tq->avail = rings + 0x1000;
		tq->used = rings + 0x2000;
		CHECK_EQ(guest_copy_to(n->g, rings, (uint8_t[0x3000]){ 0 }, 0x3000), 0);
		reg_write(n, REG_QUEUE_SEL, q);
		if (reg_read(n, REG_QUEUE_NUM_MAX) < QUEUE_SIZE)
			return false;
		reg_write(n, REG_QUEUE_NUM, QUEUE_SIZE);
		reg_write(n, REG_QUEUE_DESC_LOW, (uint32_t)tq->desc);
		reg_write(n, REG_QUEUE_DESC_HIGH, (uint32_t)(tq->desc >> 32));
		reg_write(n, REG_QUEUE_DRIVER_LOW, (uint32_t)tq->avail);
		reg_write(n, REG_QUEUE_DRIVER_HIGH, (uint32_t)(tq->avail >> 32));
		reg_write(n, REG_QUEUE_DEVICE_LOW, (uint32_t)tq->used);
		reg_write(n, REG_QUEUE_DEVICE_HIGH, (uint32_t)(tq->used >> 32));
		reg_write(n, REG_QUEUE_READY, 1);
	}
	reg_write(n, REG_STATUS, 1 | 2 | 8 | 4);
	return reg_read(n, REG_STATUS) == (1 | 2 | 8 | 4);
}

static void nic_add(struct test_nic *n, unsigned int q, const struct test_buffer *bufs,
		    unsigned int count)
{
	struct test_queue *tq = &n->queues[q];
	uint16_t head = tq->next_desc;

	for (unsigned int i = 0; i < count; i++) {
		uint16_t index = (uint16_t)((head + i) % QUEUE_SIZE);
		uint8_t desc[16] = { 0 };
		uint16_t flags = (uint16_t)((bufs[i].writable ? DESC_F_WRITE : 0) |
					    (i + 1 < count ? DESC_F_NEXT : 0));
		uint16_t next = (uint16_t)((index + 1) % QUEUE_SIZE);

		for (int b = 0; b < 8; b++)
			desc[b] = (uint8_t)(bufs[i].addr >> (8 * b));
		for (int b = 0; b < 4; b++)
			desc[8 + b] = (uint8_t)(bufs[i].len >> (8 * b));
		desc[12] = (uint8_t)flags;
		desc[13] = (uint8_t)(flags >> 8);
		desc[14] = (uint8_t)next;
		desc[15] = (uint8_t)(next >> 8);
		CHECK_EQ(guest_copy_to(n->g, tq->desc + 16ULL * index, desc, 16), 0);
	}
	tq->next_desc = (uint16_t)((head + count) % QUEUE_SIZE);
	put16(n->g, tq->avail + 4 + 2ULL * (tq->avail_idx % QUEUE_SIZE), head);
	tq->avail_idx++;
	put16(n->g, tq->avail + 2, tq->avail_idx);
	reg_write(n, REG_QUEUE_NOTIFY, q);
}

/* The next used entry of queue q: its length, or -1 when none. */
static long nic_used(struct test_nic *n, unsigned int q)
{
	struct test_queue *tq = &n->queues[q];
	gpa_t entry;

	if ((uint16_t)get32(n->g, tq->used + 2) == tq->used_seen)
		return -1;
	entry = tq->used + 4 + 8ULL * (tq->used_seen % QUEUE_SIZE);
	tq->used_seen++;
	return (long)get32(n->g, entry + 4);
}

/* Posts one receive buffer of len bytes at addr. */
static void nic_post_rx(struct test_nic *n, gpa_t addr, uint32_t len)
{
	struct test_buffer b = { addr, len, true };

	nic_add(n, RX, &b, 1);
}

static void nic_mac(struct test_nic *n, uint8_t *mac)
{
	for (unsigned int i = 0; i < 6; i++)
		mac[i] = reg_read8(n, REG_CONFIG + i);
}

/* Transmits header (12 zero bytes) + frame from the guest's RAM at addr,
 * in two buffers; the used length (0) or -1. */
static long nic_send(struct test_nic *n, gpa_t addr, const uint8_t *frame, uint32_t len)
{
	uint8_t header[HDR] = { 0 };
	struct test_buffer bufs[2] = { { addr, HDR, false }, { addr + 0x100, len, false } };

	CHECK_EQ(guest_copy_to(n->g, addr, header, HDR), 0);
	CHECK_EQ(guest_copy_to(n->g, addr + 0x100, frame, len), 0);
	nic_add(n, TX, bufs, 2);
	return nic_used(n, TX);
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
	static struct test_nic a, b;
	const struct l2switch_port_info *pi;
	uint8_t mac_a[6], mac_b[6], mac_b2[6], frame[1600], got[1600];
	const uint8_t fixed[6] = { 0x02, 0, 0, 0, 0x0a, 0x01 };

	REQUIRE(setup());
	REQUIRE(nic_up(&a, "neta", F_MAC | F_STATUS));
	REQUIRE(nic_up(&b, "netb", F_MAC | F_STATUS));
	CHECK_EQ(reg_read(&a, REG_DEVICE_ID), 1);
	reg_write(&a, REG_DEVICE_FEATURES_SEL, 0);
	/* The transport adds its ring features; no offloads. */
	CHECK_EQ(reg_read(&a, REG_DEVICE_FEATURES) & 0xffffff, F_MAC | F_STATUS);
	/* Config: the MAC, then status LINK_UP. */
	nic_mac(&a, mac_a);
	nic_mac(&b, mac_b);
	CHECK(memcmp(mac_a, fixed, 6) == 0);
	CHECK_EQ(mac_b[0], 0x02);
	CHECK(memcmp(mac_a, mac_b, 6) != 0);
	CHECK_EQ(reg_read8(&a, REG_CONFIG + 6), 1);

	/* A broadcast from a reaches b's posted buffer, header first. */
	nic_post_rx(&b, BUFFERS, 2048);
	CHECK(!b.g->arch.irq_level[NET_IRQ]);
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, broadcast, mac_a)), 0);
	CHECK_EQ(nic_used(&b, RX), HDR + 60);
	CHECK(b.g->arch.irq_level[NET_IRQ]);
	CHECK_EQ(reg_read(&b, REG_INTERRUPT_STATUS), 1);
	reg_write(&b, REG_INTERRUPT_ACK, 1);
	REQUIRE(guest_copy_from(b.g, got, BUFFERS, HDR + 60) == 0);
	CHECK_EQ(got[10], 1);                       /* num_buffers */
	CHECK_EQ(got[0] | got[1] | got[2] | got[3], 0);
	CHECK(memcmp(got + HDR, frame, 60) == 0);

	/* b answers a, which posted nothing: dropped and counted. */
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 100, mac_a, mac_b)), 0);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_drops, 1);
	CHECK_EQ(pi->stats.rx_frames, 0);
	CHECK_EQ(pi->stats.tx_frames, 1);
	CHECK_EQ(pi->stats.tx_bytes, 60);
	CHECK_EQ(info.mac_count, 2);
	/* With a buffer, a full-size frame gets there (unicast: b learned). */
	nic_post_rx(&a, BUFFERS, HDR + 1514);
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 1514, mac_a, mac_b)), 0);
	CHECK_EQ(nic_used(&a, RX), HDR + 1514);
	REQUIRE(guest_copy_from(a.g, got, BUFFERS + HDR, 1514) == 0);
	CHECK(memcmp(got, frame, 1514) == 0);
	pi = port_info("utnet", "netb/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.tx_frames, 2);
	CHECK_EQ(pi->stats.rx_frames, 1);
	CHECK(memcmp(pi->mac, mac_b, 6) == 0);

	/* A buffer too small for the frame is handed back empty; dropped. */
	nic_post_rx(&a, BUFFERS, HDR + 20);
	CHECK_EQ(nic_send(&b, BUFFERS + 0x10000, frame, (uint32_t)make_frame(frame, 60, mac_a, mac_b)), 0);
	CHECK_EQ(nic_used(&a, RX), 0);
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_drops, 2);

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
	static struct test_nic a, b;
	const struct l2switch_port_info *pi;
	uint8_t mac_a[6], frame[1600], zero[HDR] = { 0 }, flagged[HDR] = { 1 };
	struct test_buffer bufs[2];

	REQUIRE(setup());
	REQUIRE(nic_up(&a, "neta", F_MAC));
	REQUIRE(nic_up(&b, "netb", F_MAC));
	nic_mac(&a, mac_a);
	for (unsigned int i = 0; i < 4; i++)
		nic_post_rx(&b, BUFFERS + 0x1000 * i, 2048);
	make_frame(frame, sizeof(frame), broadcast, mac_a);
	/* Shorter than the header. */
	bufs[0] = (struct test_buffer){ BUFFERS + 0x10000, 8, false };
	nic_add(&a, TX, bufs, 1);
	CHECK_EQ(nic_used(&a, TX), 0);
	/* A frame shorter than an Ethernet header, and one too long. */
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, 13), 0);
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, L2SWITCH_FRAME_MAX + 1), 0);
	/* A writable buffer in a transmit request. */
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000, zero, HDR), 0);
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10100, frame, 60), 0);
	bufs[0] = (struct test_buffer){ BUFFERS + 0x10000, HDR + 60, false };
	bufs[1] = (struct test_buffer){ BUFFERS + 0x11000, 16, true };
	nic_add(&a, TX, bufs, 2);
	CHECK_EQ(nic_used(&a, TX), 0);
	/* A header asking for a checksum offload that was not negotiated. */
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000, flagged, HDR), 0);
	bufs[0] = (struct test_buffer){ BUFFERS + 0x10000, HDR + 60, false };
	nic_add(&a, TX, bufs, 1);
	CHECK_EQ(nic_used(&a, TX), 0);
	/* None got through; the device still works. */
	CHECK_EQ(nic_used(&b, RX), -1);
	CHECK(!(reg_read(&a, REG_STATUS) & 64));
	pi = port_info("utnet", "neta/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.tx_drops, 5);
	CHECK_EQ(pi->stats.tx_frames, 0);
	/* One header and frame in a single buffer is fine. */
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000, zero, HDR), 0);
	CHECK_EQ(guest_copy_to(a.g, BUFFERS + 0x10000 + HDR, frame, 60), 0);
	nic_add(&a, TX, bufs, 1);
	CHECK_EQ(nic_used(&a, TX), 0);
	CHECK_EQ(nic_used(&b, RX), HDR + 60);
	/* A driver reset: b's frames are dropped until it is up again. */
	reg_write(&b, REG_STATUS, 0);
	CHECK_EQ(nic_send(&a, BUFFERS + 0x10000, frame, 60), 0);
	pi = port_info("utnet", "netb/net0");
	REQUIRE(pi);
	CHECK_EQ(pi->stats.rx_drops, 1);
	CHECK_EQ(guest_destroy(a.g), 0);
	CHECK_EQ(guest_destroy(b.g), 0);
}

TEST(virtio_net_nodes_are_checked_with_clear_messages)
{
	static const struct {
		const char *guest;
		const char *message;
	} cases[] = {
		{ "bad-nobackend", "guest bad-nobackend: node /guests/bad-nobackend/devices/net0: \"backend\" is required: where the virtio-net's data comes from, e.g. switch:br0" },
		{ "bad-scheme", "guest bad-scheme: node /guests/bad-scheme/devices/net0: backend \"ram:1M\": this device's backend must be switch:; found ram:" },
		{ "bad-maclen", "guest bad-maclen: node /guests/bad-maclen/devices/net0: \"mac-address\" must be 6 bytes ([02 00 00 00 00 01]), found 4" },
		{ "bad-macgroup", "guest bad-macgroup: node /guests/bad-macgroup/devices/net0: \"mac-address\" 01:00:5e:00:00:01 is a group (multicast) address; a device needs a unicast one" },
		{ "bad-prop", "guest bad-prop: node /guests/bad-prop/devices/net0: unknown property \"mtu\": a virtio-net node takes backend and mac-address besides compatible, reg and interrupts (see docs/guest-binding.md)" },
	};
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX], path[64], *dtb;
	size_t dtb_len;

	REQUIRE(setup());
	REQUIRE(read_file(UNIT_DATA_DIR "/virtio_net_bad.dtb", &dtb, &dtb_len));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int node;

		snprintf(path, sizeof(path), "/guests/%s", cases[i].guest);
		node = fdt_path_offset(dtb, path);
		REQUIRE(node >= 0);
		CHECK(guest_config_parse(dtb, node, &cfg, err, sizeof(err)) < 0);
		CHECK_STR_EQ(err, cases[i].message);
	}
	free(dtb);
}
