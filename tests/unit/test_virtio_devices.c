/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio devices (rng, console, blk) on the host fake arch, driven the
 * way a guest driver would: registers through the guest's MMIO table,
 * split virtqueues and buffers in the guest's RAM. Also the entropy
 * service's ChaCha20 and the devices' node checks.
 */
#include <arch/cpu.h>
#include <keel/entropy.h>
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/guest.h>
#include <keel/guest_console.h>
#include <keel/mm.h>
#include <keel/shell.h>
#include <string.h>
#include <virtio/blk_cow.h>
#include <virtio/virtio_mmio_regs.h>
#include "guest_fixture.h"
#include "unit.h"

#define RNG_BASE 0x0a000000
#define CONSOLE_BASE 0x0a000200
#define BLK_RAM_BASE 0x0a000400
#define BLK_FILE_BASE 0x0a000600

/* Where the test driver keeps its rings and buffers in guest RAM. */
#define RINGS 0x40100000
#define BUFFERS 0x40200000

#define DISK_FILE_SIZE (10 * 4096 + 1024)   /* a short last 4 KiB block */

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_T_DISCARD 11
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

static struct fixture_archive archive;
static uint8_t disk_file[DISK_FILE_SIZE], odd_file[1000];

static uint8_t disk_pattern(size_t i)
{
	return (uint8_t)(i * 31 + i / 512);
}

/* Mounts the test image (other tests mount theirs in between) and loads
 * the guests once. */
static bool setup(void)
{
	if (!archive.len) {
		for (size_t i = 0; i < sizeof(disk_file); i++)
			disk_file[i] = disk_pattern(i);
		fixture_archive_add_kernel(&archive);
		fixture_archive_add(&archive, "images", 0040755, NULL, 0);
		fixture_archive_add(&archive, "images/disk.img", 0100644, disk_file,
				    sizeof(disk_file));
		fixture_archive_add(&archive, "images/odd.img", 0100644, odd_file, sizeof(odd_file));
	}
	return fixture_archive_mount_guests(&archive, UNIT_DATA_DIR "/virtio_devices.dtb", 3);
}

/* ---- a test driver ---- */

/* Brings the device at base up with its rings in the slot'th 64 KiB of
 * RINGS. */
static bool driver_init(struct fixture_virtio *d, struct guest *g, gpa_t base,
			unsigned int slot, unsigned int queue_count, uint32_t features)
{
	return fixture_virtio_start(d, g, base, RINGS + 0x10000 * slot, queue_count, features);
}

/* Adds, notifies and takes the used entry back; its length, or -1. */
static long driver_request(struct fixture_virtio *d, unsigned int q,
			   const struct fixture_buffer *bufs, unsigned int count)
{
	fixture_virtio_add(d, q, bufs, count);
	fixture_virtio_notify(d, q);
	return fixture_virtio_used(d, q);
}

/* ---- entropy ---- */

TEST(entropy_chacha20_matches_rfc8439)
{
	/* RFC 8439 §2.3.2: key 00..1f, counter 1, nonce 00:00:00:09
	 * 00:00:00:4a 00:00:00:00. */
	static const uint32_t expect[16] = {
		0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3,
		0xc7f4d1c7, 0x0368c033, 0x9aaa2204, 0x4e6cd4c3,
		0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9,
		0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2,
	};
	uint32_t key[8], out[16];
	const uint32_t input[4] = { 1, 0x09000000, 0x4a000000, 0 };

	for (unsigned int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
			 (uint32_t)(4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	entropy_chacha20_block(key, input, out);
	CHECK(memcmp(out, expect, sizeof(out)) == 0);
}

TEST(entropy_fill_never_repeats)
{
	uint8_t a[100], b[100], zero[100] = { 0 };

	entropy_fill(a, sizeof(a));
	entropy_fill(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	entropy_add("more", 4);
	entropy_fill(a, 1);
	entropy_fill(b, 1);
	entropy_fill(a, 0);
}

/* ---- rng ---- */

TEST(virtio_rng_fills_buffers_and_two_reads_differ)
{
	struct fixture_virtio d;
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint8_t first[64], second[64], zero[64] = { 0 };
	struct fixture_buffer buf = { BUFFERS, 64, true };
	struct fixture_buffer two[2] = { { BUFFERS + 0x1000, 16, true }, { BUFFERS + 0x2000, 48, true } };

	REQUIRE(setup());
	g = guest_find("vdev0");
	REQUIRE(g && guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(driver_init(&d, g, RNG_BASE, 0, 1, 0));
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_DEVICE_ID), 4);
	CHECK(!g->arch.irq_level[16]);

	CHECK_EQ(driver_request(&d, 0, &buf, 1), 64);
	CHECK(g->arch.irq_level[16]);
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	fixture_virtio_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	CHECK(!g->arch.irq_level[16]);
	REQUIRE(guest_copy_from(g, first, BUFFERS, 64) == 0);
	CHECK_EQ(driver_request(&d, 0, &buf, 1), 64);
	REQUIRE(guest_copy_from(g, second, BUFFERS, 64) == 0);
	CHECK(memcmp(first, zero, 64) != 0);
	CHECK(memcmp(first, second, 64) != 0);
	/* Several writable buffers in one chain: all of them filled. */
	CHECK_EQ(driver_request(&d, 0, two, 2), 64);
	REQUIRE(guest_copy_from(g, first, BUFFERS + 0x1000, 16) == 0);
	REQUIRE(guest_copy_from(g, second, BUFFERS + 0x2000, 48) == 0);
	CHECK(memcmp(first, zero, 16) != 0 && memcmp(second, zero, 48) != 0);
	CHECK_EQ(guest_destroy(g), 0);
}

/* ---- console ---- */

TEST(virtio_console_transmit_reaches_the_endpoint_and_input_fills_receive_buffers)
{
	struct fixture_virtio d;
	struct console_endpoint *hvc;
	struct guest *g;
	char err[GUEST_ERROR_MAX], out[32];
	struct fixture_buffer tx = { BUFFERS, 5, false };
	struct fixture_buffer rx = { BUFFERS + 0x1000, 16, true };

	REQUIRE(setup());
	g = guest_find("vdev0");
	REQUIRE(g && guest_create(g, err, sizeof(err)) == 0);
	hvc = guest_console_find(g, "hvc0");
	REQUIRE(hvc != NULL);
	CHECK(guest_console_find(g, NULL) == &g->console);   /* the UART first */
	CHECK(guest_console_find(g, "ttyAMA0") == &g->console);
	CHECK(guest_console_find(g, "hvc1") == NULL);
	REQUIRE(driver_init(&d, g, CONSOLE_BASE, 1, 2, 0));
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_DEVICE_ID), 3);

	/* Transmit: the bytes reach hvc0, not the UART's endpoint. */
	REQUIRE(guest_copy_to(g, BUFFERS, "hello", 5) == 0);
	CHECK_EQ(driver_request(&d, 1, &tx, 1), 0);
	CHECK_EQ(ringbuf_peek(&hvc->out, out, sizeof(out)), 5);
	CHECK(memcmp(out, "hello", 5) == 0);
	CHECK_EQ(ringbuf_len(&g->console.out), 0);
	CHECK(g->arch.irq_level[17]);
	fixture_virtio_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);

	/* A receive buffer waits for input; typed input fills it at once. */
	CHECK_EQ(driver_request(&d, 0, &rx, 1), -1);
	CHECK(!g->arch.irq_level[17]);
	CHECK_EQ(console_endpoint_input(hvc, "ls\n", 3), 3);
	REQUIRE(fixture_virtio_used(&d, 0) == 3);
	REQUIRE(guest_copy_from(g, out, BUFFERS + 0x1000, 3) == 0);
	CHECK(memcmp(out, "ls\n", 3) == 0);
	CHECK(g->arch.irq_level[17]);
	fixture_virtio_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);

	/* Input without a buffer is kept until the driver gives one. */
	CHECK_EQ(console_endpoint_input(hvc, "ab", 2), 2);
	CHECK_EQ(fixture_virtio_used(&d, 0), -1);
	CHECK_EQ(driver_request(&d, 0, &rx, 1), 2);
	REQUIRE(guest_copy_from(g, out, BUFFERS + 0x1000, 2) == 0);
	CHECK(memcmp(out, "ab", 2) == 0);
	CHECK(!console_endpoint_input_pending(hvc));

	/* An emergency write (config emerg_wr) is one character out. */
	CHECK_EQ(d.region->ops->write(d.region->state, NULL, VIRTIO_MMIO_CONFIG + 8, 4, 'Z'), 0);
	CHECK_EQ(ringbuf_peek(&hvc->out, out, sizeof(out)), 6);
	CHECK_EQ(out[5], 'Z');
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << 2), 1u << 2);

	/* The shell names the endpoints a guest has. */
	unit_console_clear();
	CHECK_EQ(shell_run_line("console vdev0 hvc9"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(),
		     "console: guest vdev0 has no console \"hvc9\"; it has: ttyAMA0, hvc0\n");
	CHECK_EQ(shell_run_line("console vdev0 hvc0 ttyAMA0"), -KEEL_EINVAL);

	/* Before DRIVER_OK (after a driver reset), input waits. */
	fixture_virtio_write(&d, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(console_endpoint_input(hvc, "x", 1), 1);
	CHECK(console_endpoint_input_pending(hvc));
	CHECK_EQ(guest_destroy(g), 0);
	CHECK(guest_console_find(g, "hvc0") == NULL);
}

TEST(virtio_console_refuses_a_taken_endpoint)
{
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t pages0, allocs0;

	REQUIRE(setup());
	g = guest_find("vdev2");
	REQUIRE(g);
	pages0 = fixture_free_pages();
	allocs0 = fixture_live_allocations();
	unit_console_clear();
	CHECK_EQ(guest_create(g, err, sizeof(err)), -KEEL_EEXIST);
	CHECK(strstr(err, "guest vdev2: node /guests/vdev2/devices/con1: virtio-console: already exists") != NULL);
	CHECK(strstr(unit_console_text(), "guest vdev2: con1: console \"hvc0\" is taken by another device") != NULL);
	CHECK_EQ(g->state, GUEST_LOADED);
	CHECK_EQ(fixture_free_pages(), pages0);
	CHECK_EQ(fixture_live_allocations(), allocs0);
}

/* ---- blk ---- */

struct blk_header {
	uint8_t bytes[16];
};

static struct blk_header blk_header(uint32_t type, uint64_t sector)
{
	struct blk_header h = { { 0 } };

	for (int i = 0; i < 4; i++)
		h.bytes[i] = (uint8_t)(type >> (8 * i));
	for (int i = 0; i < 8; i++)
		h.bytes[8 + i] = (uint8_t)(sector >> (8 * i));
	return h;
}

#define HDR_AT (BUFFERS + 0x0)
#define STATUS_AT (BUFFERS + 0x100)
#define DATA_AT (BUFFERS + 0x1000)

/* One request: header, data (len bytes at DATA_AT; writable for IN and
 * GET_ID), status. Returns the status byte, 0xff when none was written;
 * *used gets the used length. */
static int blk_request(struct fixture_virtio *d, uint32_t type, uint64_t sector,
		       uint32_t len, long *used)
{
	struct blk_header h = blk_header(type, sector);
	struct fixture_buffer bufs[3];
	unsigned int n = 0;
	uint8_t status = 0xff;

	CHECK_EQ(guest_copy_to(d->g, HDR_AT, h.bytes, 16), 0);
	CHECK_EQ(guest_copy_to(d->g, STATUS_AT, &status, 1), 0);
	bufs[n++] = (struct fixture_buffer){ HDR_AT, 16, false };
	if (len)
		bufs[n++] = (struct fixture_buffer){ DATA_AT, len,
			type == BLK_T_IN || type == BLK_T_GET_ID };
	bufs[n++] = (struct fixture_buffer){ STATUS_AT, 1, true };
	*used = driver_request(d, 0, bufs, n);
	CHECK_EQ(guest_copy_from(d->g, &status, STATUS_AT, 1), 0);
	return status;
}

static uint64_t blk_config64(struct fixture_virtio *d, unsigned int offset)
{
	return fixture_virtio_read(d, VIRTIO_MMIO_CONFIG + offset) |
	       (uint64_t)fixture_virtio_read(d, VIRTIO_MMIO_CONFIG + offset + 4) << 32;
}

/* Writes len bytes of pattern seed at sector, reads them back. */
static void blk_write_read_back(struct fixture_virtio *d, uint64_t sector, uint32_t len,
				uint8_t seed)
{
	static uint8_t data[8192], back[8192];
	long used;

	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(seed + i * 7);
	REQUIRE(guest_copy_to(d->g, DATA_AT, data, len) == 0);
	CHECK_EQ(blk_request(d, BLK_T_OUT, sector, len, &used), BLK_S_OK);
	CHECK_EQ(used, 1);
	REQUIRE(guest_copy_to(d->g, DATA_AT, (uint8_t[8192]){ 0 }, len) == 0);
	CHECK_EQ(blk_request(d, BLK_T_IN, sector, len, &used), BLK_S_OK);
	CHECK_EQ(used, len + 1);
	REQUIRE(guest_copy_from(d->g, back, DATA_AT, len) == 0);
	CHECK(memcmp(back, data, len) == 0);
}

TEST(virtio_blk_ram_disk_requests_and_malformed_ones)
{
	struct fixture_virtio d;
	struct guest *g;
	char err[GUEST_ERROR_MAX], id[21] = { 0 };
	uint8_t sector[512];
	long used;

	REQUIRE(setup());
	g = guest_find("vdev0");
	REQUIRE(g && guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(driver_init(&d, g, BLK_RAM_BASE, 2, 1, (1u << 2) | (1u << 6) | (1u << 9)));
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_DEVICE_ID), 2);
	fixture_virtio_write(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_DEVICE_FEATURES) & 0xffffff, (1u << 2) | (1u << 6) | (1u << 9));
	CHECK_EQ(blk_config64(&d, 0), 2048);            /* 1 MiB in sectors */
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_CONFIG + 12), 62);    /* seg_max */
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_CONFIG + 20), 512);   /* blk_size */

	/* Zeroed at first; writes read back, up to the last sector. */
	CHECK_EQ(blk_request(&d, BLK_T_IN, 7, 512, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, sector, DATA_AT, 512) == 0);
	CHECK(memcmp(sector, (uint8_t[512]){ 0 }, 512) == 0);
	blk_write_read_back(&d, 5, 1024, 1);
	blk_write_read_back(&d, 2048 - 16, 8192, 2);
	CHECK_EQ(blk_request(&d, BLK_T_FLUSH, 0, 0, &used), BLK_S_OK);
	CHECK_EQ(used, 1);
	CHECK_EQ(blk_request(&d, BLK_T_GET_ID, 0, 20, &used), BLK_S_OK);
	CHECK_EQ(used, 21);
	REQUIRE(guest_copy_from(g, id, DATA_AT, 20) == 0);
	CHECK_STR_EQ(id, "vdev0-vblk0");
	CHECK(g->arch.irq_level[18]);

	/* Malformed requests: IOERR (or UNSUPP), a warning, no harm done. */
	unit_console_clear();
	CHECK_EQ(blk_request(&d, BLK_T_IN, 2048, 512, &used), BLK_S_IOERR);
	CHECK_EQ(used, 1);
	CHECK(strstr(unit_console_text(), "guest vdev0: vblk0: 1-sector read at sector 2048 is outside the disk (2048 sectors); I/O error") != NULL);
	CHECK_EQ(blk_request(&d, BLK_T_OUT, 2047, 1024, &used), BLK_S_IOERR);
	CHECK_EQ(blk_request(&d, BLK_T_IN, UINT64_MAX - 1, 1024, &used), BLK_S_IOERR);
	CHECK_EQ(blk_request(&d, BLK_T_IN, 0, 100, &used), BLK_S_IOERR);
	CHECK_EQ(blk_request(&d, BLK_T_DISCARD, 0, 16, &used), BLK_S_UNSUPP);
	CHECK_EQ(blk_request(&d, BLK_T_GET_ID, 0, 10, &used), BLK_S_IOERR);
	{
		/* A header of 8 bytes. */
		struct blk_header h = blk_header(BLK_T_IN, 0);
		struct fixture_buffer bufs[2] = { { HDR_AT, 8, false }, { STATUS_AT, 1, true } };
		uint8_t status = 0xff;

		REQUIRE(guest_copy_to(g, HDR_AT, h.bytes, 16) == 0);
		REQUIRE(guest_copy_to(g, STATUS_AT, &status, 1) == 0);
		CHECK_EQ(driver_request(&d, 0, bufs, 2), 1);
		REQUIRE(guest_copy_from(g, &status, STATUS_AT, 1) == 0);
		CHECK_EQ(status, BLK_S_IOERR);
	}
	{
		/* No writable byte for the status: handed back unanswered.
		 * Five warnings a disk may give in 10 s, and more came: once
		 * the time has passed, the count of those not shown first. */
		struct blk_header h = blk_header(BLK_T_OUT, 0);
		struct fixture_buffer bufs[2] = { { HDR_AT, 16, false }, { DATA_AT, 512, false } };

		REQUIRE(guest_copy_to(g, HDR_AT, h.bytes, 16) == 0);
		CHECK(strstr(unit_console_text(), "header of 8 bytes") == NULL);
		host_counter_set(arch_counter_read() + 11ULL * arch_counter_freq());
		unit_console_clear();
		CHECK_EQ(driver_request(&d, 0, bufs, 2), 0);
		CHECK(strstr(unit_console_text(), "guest vdev0: vblk0: warnings about malformed requests suppressed: 1") != NULL);
		CHECK(strstr(unit_console_text(), "guest vdev0: vblk0: request without a writable status byte dropped") != NULL);
	}
	/* The device still works, and the bad write changed nothing. */
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_STATUS), 1 | 2 | 8 | 4);
	CHECK_EQ(blk_request(&d, BLK_T_IN, 0, 512, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, sector, DATA_AT, 512) == 0);
	CHECK(memcmp(sector, (uint8_t[512]){ 0 }, 512) == 0);
	CHECK_EQ(fixture_virtio_used(&d, 0), -1);

	/* A guest reset keeps the disk. */
	CHECK_EQ(guest_start(g), 0);
	CHECK_EQ(guest_reset(g), 0);
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_STATUS), 0);
	REQUIRE(driver_init(&d, g, BLK_RAM_BASE, 2, 1, 0));
	CHECK_EQ(blk_request(&d, BLK_T_IN, 5, 512, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, sector, DATA_AT, 512) == 0);
	CHECK_EQ(sector[1], (uint8_t)(1 + 7));
	CHECK_EQ(guest_destroy(g), 0);
}

TEST(virtio_blk_file_disk_is_copy_on_write)
{
	struct fixture_virtio d;
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	static uint8_t back[8192], original[DISK_FILE_SIZE];
	const struct fs_node *file;
	long used;

	REQUIRE(setup());
	REQUIRE(fs_lookup("/images/disk.img", &file) == 0);
	memcpy(original, file->data, DISK_FILE_SIZE);
	g = guest_find("vdev0");
	REQUIRE(g && guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(driver_init(&d, g, BLK_FILE_BASE, 3, 1, 0));
	CHECK_EQ(blk_config64(&d, 0), DISK_FILE_SIZE / 512);

	/* Reads come from the file. */
	CHECK_EQ(blk_request(&d, BLK_T_IN, 3, 8192, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, 8192) == 0);
	CHECK(memcmp(back, disk_file + 3 * 512, 8192) == 0);
	/* Writes are seen by reads, inside a block, across blocks and in
	 * the short last block; the file itself does not change. */
	blk_write_read_back(&d, 1, 512, 3);
	blk_write_read_back(&d, 7, 4096, 4);
	blk_write_read_back(&d, DISK_FILE_SIZE / 512 - 2, 1024, 5);
	CHECK_EQ(blk_request(&d, BLK_T_IN, 0, 8192, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, 8192) == 0);
	CHECK(memcmp(back, disk_file, 512) == 0);            /* sector 0 untouched */
	CHECK(memcmp(back + 1024, disk_file + 1024, 2560) == 0);
	CHECK_EQ(back[512 + 1], (uint8_t)(3 + 7));
	CHECK_EQ(back[7 * 512 + 1], (uint8_t)(4 + 7));
	CHECK(memcmp(file->data, original, DISK_FILE_SIZE) == 0);
	CHECK(memcmp(original, disk_file, DISK_FILE_SIZE) == 0);
	CHECK_EQ(blk_request(&d, BLK_T_IN, DISK_FILE_SIZE / 512, 512, &used), BLK_S_IOERR);
	CHECK_EQ(blk_request(&d, BLK_T_GET_ID, 0, 20, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, 20) == 0);
	CHECK(memcmp(back, "vdev0-vblk1\0", 12) == 0);

	/* Destroyed and created again: a fresh copy of the file. */
	CHECK_EQ(guest_destroy(g), 0);
	REQUIRE(guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(driver_init(&d, g, BLK_FILE_BASE, 3, 1, 0));
	CHECK_EQ(blk_request(&d, BLK_T_IN, 1, 512, &used), BLK_S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, 512) == 0);
	CHECK(memcmp(back, disk_file + 512, 512) == 0);
	CHECK_EQ(guest_destroy(g), 0);
}

/* Copies a file disk makes are charged to its guest, within a per-guest
 * and a global limit; over one, the write fails with IOERR and is
 * counted and reported. The limits are filled by charging the guest's
 * account (and made-up guests') directly, not with 256 MiB of copies. */
TEST(virtio_blk_copy_on_write_has_a_guest_and_a_global_limit)
{
	static struct guest others[4];
	struct blk_cow_account *mine, *other[4];
	struct fixture_virtio d;
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t bytes, refused;
	long used;

	REQUIRE(setup());
	g = guest_find("vdev0");
	REQUIRE(g && guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(driver_init(&d, g, BLK_FILE_BASE, 3, 1, 0));
	mine = blk_cow_account_get(g);
	REQUIRE(mine);
	/* All but one block of the guest's limit taken. */
	CHECK_EQ(blk_cow_charge(mine, BLK_COW_GUEST_MAX - 4096), BLK_COW_CHARGED);
	blk_write_read_back(&d, 0, 4096, 1);
	unit_console_clear();
	CHECK_EQ(blk_request(&d, BLK_T_OUT, 8, 512, &used), BLK_S_IOERR);
	CHECK(strstr(unit_console_text(), "guest vdev0: vblk1: copy-on-write limit reached (64 MiB of copied blocks per guest); the write fails with IOERR") != NULL);
	/* A block already copied is still written; reads still work. */
	blk_write_read_back(&d, 0, 4096, 2);
	CHECK_EQ(blk_request(&d, BLK_T_IN, 8, 512, &used), BLK_S_OK);
	REQUIRE(blk_cow_usage(g, &bytes, &refused));
	CHECK_EQ(bytes, BLK_COW_GUEST_MAX);
	CHECK_EQ(refused, 1);
	unit_console_clear();
	CHECK_EQ(shell_run_line("stats vdev0"), 0);
	CHECK(strstr(unit_console_text(), "copy-on-write disk blocks: 65536 KiB (at most 65536 KiB a guest, 262144 KiB all guests), 1 writes refused\n") != NULL);
	blk_cow_account_put(mine, 1, BLK_COW_GUEST_MAX - 4096);

	/* Other guests hold all but one block of the global limit. */
	for (unsigned int i = 0; i < 4; i++) {
		other[i] = blk_cow_account_get(&others[i]);
		REQUIRE(other[i]);
		CHECK_EQ(blk_cow_charge(other[i], BLK_COW_GUEST_MAX - (i == 3 ? 8192 : 0)),
			 BLK_COW_CHARGED);
	}
	blk_write_read_back(&d, 8, 4096, 3);
	unit_console_clear();
	CHECK_EQ(blk_request(&d, BLK_T_OUT, 16, 512, &used), BLK_S_IOERR);
	CHECK(strstr(unit_console_text(), "guest vdev0: vblk1: copy-on-write limit reached (256 MiB of copied blocks for all guests together)") != NULL);
	/* Room again once another guest's disks are gone. */
	blk_cow_account_put(other[0], 1, BLK_COW_GUEST_MAX);
	blk_write_read_back(&d, 16, 512, 4);
	for (unsigned int i = 1; i < 4; i++)
		blk_cow_account_put(other[i], 1, BLK_COW_GUEST_MAX - (i == 3 ? 8192 : 0));
	CHECK_EQ(guest_destroy(g), 0);
	CHECK(!blk_cow_usage(g, &bytes, &refused));
}

TEST(virtio_devices_give_all_memory_back_on_destroy)
{
	struct fixture_virtio d;
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t pages0, allocs0;
	long used;

	REQUIRE(setup());
	g = guest_find("vdev0");
	REQUIRE(g);
	pages0 = fixture_free_pages();
	allocs0 = fixture_live_allocations();
	for (int round = 0; round < 2; round++) {
		REQUIRE(guest_create(g, err, sizeof(err)) == 0);
		CHECK(fixture_free_pages() < pages0);
		REQUIRE(driver_init(&d, g, BLK_FILE_BASE, 3, 1, 0));
		blk_write_read_back(&d, 0, 8192, 9);     /* copies made */
		REQUIRE(driver_init(&d, g, BLK_RAM_BASE, 2, 1, 0));
		blk_write_read_back(&d, 100, 4096, 9);
		CHECK_EQ(blk_request(&d, BLK_T_FLUSH, 0, 0, &used), BLK_S_OK);
		CHECK_EQ(guest_destroy(g), 0);
		CHECK_EQ(fixture_free_pages(), pages0);
		CHECK_EQ(fixture_live_allocations(), allocs0);
	}
}

/* No host disk is registered here (test_hostdisk.c registers its own and
 * forgets it again): the guest is refused at create, nothing is left. */
TEST(virtio_blk_missing_host_disk_is_refused_at_create)
{
	struct guest *g;
	char err[GUEST_ERROR_MAX];
	uint64_t pages0, allocs0;

	REQUIRE(setup());
	g = guest_find("vdev1");
	REQUIRE(g);
	CHECK_STR_EQ(g->config.devices[0].backend, "hostdisk:vda@1M+64M");
	pages0 = fixture_free_pages();
	allocs0 = fixture_live_allocations();
	unit_console_clear();
	CHECK_EQ(guest_create(g, err, sizeof(err)), -KEEL_ENOENT);
	CHECK(strstr(err, "guest vdev1: node /guests/vdev1/devices/vblk0: virtio-blk:") != NULL);
	CHECK(strstr(unit_console_text(), "backend \"hostdisk:vda@1M+64M\": no host disk \"vda\"") != NULL);
	CHECK_EQ(fixture_free_pages(), pages0);
	CHECK_EQ(fixture_live_allocations(), allocs0);
}

/* ---- node checks ---- */

TEST(virtio_device_nodes_are_checked_with_clear_messages)
{
	static const struct fixture_node_error cases[] = {
		{ "bad-size", "guest bad-size: node /guests/bad-size/devices/vblk0: backend \"ram:12Q\": size must be a number with an optional K, M or G suffix" },
		{ "bad-odd", "guest bad-odd: node /guests/bad-odd/devices/vblk0: backend \"file:/images/odd.img\": file size 1000 bytes is not a multiple of 512 (a disk is made of 512-byte sectors)" },
		{ "bad-missing", "guest bad-missing: node /guests/bad-missing/devices/vblk0: backend \"file:/images/none.img\": no such file in the image file system" },
		{ "bad-nobackend", "guest bad-nobackend: node /guests/bad-nobackend/devices/vblk0: \"backend\" is required: where the virtio-blk's data comes from, e.g. file:/images/disk.img or ram:64M" },
		{ "bad-scheme", "guest bad-scheme: node /guests/bad-scheme/devices/rng0: backend \"ram:1M\": this device's backend must be entropy:; found ram:" },
		{ "bad-prop", "guest bad-prop: node /guests/bad-prop/devices/hvc0: unknown property \"baud\": a virtio-console node takes backend besides compatible, reg and interrupts (see docs/guest-binding.md)" },
		{ "bad-window", "guest bad-window: node /guests/bad-window/devices/rng0: \"reg\" size 0x100 is too small: a virtio-mmio device needs 0x200 bytes" },
		{ "bad-noirq", "guest bad-noirq: node /guests/bad-noirq/devices/rng0: \"interrupts\" is required: a virtio device signals its driver by interrupt" },
		{ "bad-console", "guest bad-console: node /guests/bad-console/devices/hvc0: backend \"console:HVC0\": console name must be 1..31 characters of [a-z0-9_-] starting with a letter" },
	};

	REQUIRE(setup());
	fixture_check_node_errors(UNIT_DATA_DIR "/virtio_bad.dtb", cases,
				  sizeof(cases) / sizeof(cases[0]));
}

TEST(virtio_device_nodes_get_their_default_backends)
{
	struct guest *g;

	REQUIRE(setup());
	g = guest_find("vdev0");
	REQUIRE(g);
	CHECK_STR_EQ(g->config.devices[1].backend, "entropy:");
	CHECK_STR_EQ(g->config.devices[2].backend, "console:hvc0");
	CHECK_STR_EQ(g->config.devices[3].backend, "ram:1M");
	CHECK_STR_EQ(g->config.devices[0].backend, "");       /* the UART */
}
