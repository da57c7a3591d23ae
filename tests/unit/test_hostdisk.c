/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host disks (core/base/hostdisk.c) and virtio-blk's hostdisk: backend,
 * against a fake host disk: 4 MiB of memory named "utdisk" whose ops
 * count requests and can be made to fail. Guests come from
 * data/hostdisk.dts; a small driver talks to their virtio-blk the way a
 * guest would.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/hostdisk.h>
#include <keel/mm.h>
#include <keel/shell.h>
#include <string.h>
#include <virtio/virtio_mmio_regs.h>
#include "guest_fixture.h"
#include "unit.h"

#define FAKE_SECTORS 8192u                  /* 4 MiB */

/* ---- the fake disk ---- */

static uint8_t fake_bytes[FAKE_SECTORS * 512];
static unsigned int fake_reads, fake_writes, fake_flushes;
static bool fake_fail;

static int fake_read(struct hostdisk *disk, uint64_t sector, void *buf, size_t count)
{
	fake_reads++;
	if (fake_fail)
		return -KEEL_EIO;
	memcpy(buf, fake_bytes + sector * 512, count * 512);
	return 0;
}

static int fake_write(struct hostdisk *disk, uint64_t sector, const void *buf, size_t count)
{
	fake_writes++;
	if (fake_fail)
		return -KEEL_EIO;
	memcpy(fake_bytes + sector * 512, buf, count * 512);
	return 0;
}

static int fake_flush(struct hostdisk *disk)
{
	fake_flushes++;
	return 0;
}

static const struct hostdisk_ops fake_ops = {
	.read = fake_read, .write = fake_write, .flush = fake_flush,
};

static struct hostdisk fake_disk;

static void fake_register(void)
{
	hostdisk_reset_all();
	memset(&fake_disk, 0, sizeof(fake_disk));
	strcpy(fake_disk.name, "utdisk");
	strcpy(fake_disk.serial, "unit-serial");
	fake_disk.sectors = FAKE_SECTORS;
	fake_disk.ops = &fake_ops;
	fake_reads = fake_writes = fake_flushes = 0;
	fake_fail = false;
	REQUIRE(hostdisk_register(&fake_disk) == 0);
}

/* ---- the registry and claims ---- */

TEST(hostdisk_register_find_and_io_bounds)
{
	static struct hostdisk twin;
	uint8_t buf[1024];

	fake_register();
	CHECK(hostdisk_find("utdisk") == &fake_disk);
	CHECK(hostdisk_find("vda") == NULL);
	CHECK(hostdisk_at(0) == &fake_disk);
	CHECK(hostdisk_at(1) == NULL);
	CHECK_EQ(hostdisk_capacity(&fake_disk), MiB(4));
	twin = fake_disk;
	CHECK_EQ(hostdisk_register(&twin), -KEEL_EEXIST);

	memset(fake_bytes, 0x11, 1024);
	CHECK_EQ(hostdisk_read(&fake_disk, 0, buf, 2), 0);
	CHECK_EQ(buf[1023], 0x11);
	CHECK_EQ(hostdisk_write(&fake_disk, FAKE_SECTORS - 2, buf, 2), 0);
	CHECK_EQ(hostdisk_write(&fake_disk, FAKE_SECTORS - 1, buf, 2), -KEEL_ERANGE);
	CHECK_EQ(hostdisk_read(&fake_disk, UINT64_MAX, buf, 1), -KEEL_ERANGE);
	CHECK_EQ(hostdisk_read(&fake_disk, 0, buf, 0), -KEEL_ERANGE);
	CHECK_EQ(fake_reads, 1);
	CHECK_EQ(fake_writes, 1);
	CHECK_EQ(fake_disk.reads, 1);
	CHECK_EQ(fake_disk.writes, 1);
	CHECK_EQ(hostdisk_flush(&fake_disk), 0);
	CHECK_EQ(fake_flushes, 1);
	hostdisk_reset_all();
	CHECK(hostdisk_find("utdisk") == NULL);
}

static void count_claim(const struct hostdisk_claim *claim, void *ctx)
{
	uint64_t *last = ctx;

	/* Offsets come in increasing order. */
	CHECK(claim->offset >= *last);
	*last = claim->offset;
}

TEST(hostdisk_claims_refuse_overlaps_and_bad_ranges)
{
	struct hostdisk_claim *a, *b, *c, *d;
	char err[160];
	uint64_t last = 0;

	fake_register();
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(1), MiB(1), "guest a", &a, err, sizeof(err)), 0);
	/* Adjacent on both sides: fine. */
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(2), MiB(1), "guest b", &b, err, sizeof(err)), 0);
	CHECK_EQ(hostdisk_claim(&fake_disk, 0, MiB(1), "guest c", &c, err, sizeof(err)), 0);
	hostdisk_for_each_claim(&fake_disk, count_claim, &last);
	CHECK_EQ(last, MiB(2));

	/* One sector into a's range, from below and from above. */
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(3) - 512, 1024, "guest d", &d, err,
				sizeof(err)), -KEEL_EBUSY);
	CHECK_STR_EQ(err, "utdisk: bytes 3145216-3146239 overlap bytes 2097152-3145727, which guest b uses");
	CHECK_EQ(hostdisk_claim(&fake_disk, 512, 512, "guest d", &d, err, sizeof(err)),
		 -KEEL_EBUSY);
	CHECK(strstr(err, "which guest c uses") != NULL);
	/* Ranges that are not whole sectors or leave the disk. */
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(3) + 100, 512, "x", &d, err, sizeof(err)),
		 -KEEL_EINVAL);
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(3), 0, "x", &d, err, sizeof(err)),
		 -KEEL_EINVAL);
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(3), MiB(2), "x", &d, err, sizeof(err)),
		 -KEEL_ERANGE);
	CHECK_STR_EQ(err, "utdisk: bytes 3145728-5242879 are outside the disk (4194304 bytes)");
	CHECK_EQ(hostdisk_claim(&fake_disk, UINT64_MAX - 511, 512, "x", &d, err, sizeof(err)),
		 -KEEL_ERANGE);

	/* Released, the range can be claimed again. */
	hostdisk_release(b);
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(3) - 512, 1024, "guest d", &d, err,
				sizeof(err)), 0);
	CHECK_EQ(hostdisk_claim(&fake_disk, MiB(3) + 512, MiB(1) - 512, "guest e", &b, err,
				sizeof(err)), 0);
	hostdisk_release(a);
	hostdisk_release(b);
	hostdisk_release(c);
	hostdisk_release(d);
	CHECK(fake_disk.claims == NULL);
	hostdisk_release(NULL);
	hostdisk_reset_all();
}

/* ---- virtio-blk on a host disk ---- */

#define BLK_BASE 0x0a000000
#define RINGS 0x40100000
#define HDR_AT 0x40200000
#define STATUS_AT 0x40200100
#define DATA_AT 0x40210000
#define DATA_MAX (160 * 1024)               /* more than one bounce buffer */

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define S_OK 0
#define S_IOERR 1

static struct fixture_archive archive;

/* Mounts an image fs with the kernel the nodes name, loads the nodes once
 * and registers a fresh fake disk. */
static bool setup(void)
{
	if (!archive.len)
		fixture_archive_add_kernel(&archive);
	fake_register();
	memset(fake_bytes, 0, sizeof(fake_bytes));
	return fixture_archive_mount_guests(&archive, UNIT_DATA_DIR "/hostdisk.dtb", 6);
}

static bool driver_init(struct fixture_virtio *d, struct guest *g)
{
	return fixture_virtio_start(d, g, BLK_BASE, RINGS, 1, 1u << 9);     /* FLUSH */
}

/* header, data (len bytes at DATA_AT, device-writable for IN), status:
 * the status byte, 0xff when none came back. */
static int blk_request(struct fixture_virtio *d, uint32_t type, uint64_t sector, uint32_t len)
{
	struct fixture_buffer bufs[3];
	unsigned int n = 0;

	fixture_guest_put_le(d->g, HDR_AT, type, 4);
	fixture_guest_put_le(d->g, HDR_AT + 4, 0, 4);
	fixture_guest_put_le(d->g, HDR_AT + 8, sector, 8);
	fixture_guest_put_le(d->g, STATUS_AT, 0xff, 1);
	bufs[n++] = (struct fixture_buffer){ HDR_AT, 16, false };
	if (len)
		bufs[n++] = (struct fixture_buffer){ DATA_AT, len, type == T_IN };
	bufs[n++] = (struct fixture_buffer){ STATUS_AT, 1, true };
	fixture_virtio_add(d, 0, bufs, n);
	fixture_virtio_notify(d, 0);
	if (fixture_virtio_used(d, 0) < 0)
		return 0xff;
	return (int)fixture_guest_get_le(d->g, STATUS_AT, 1);
}

static void fill(struct guest *g, uint32_t len, uint8_t seed)
{
	static uint8_t data[DATA_MAX];

	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(seed + i * 13 + i / 4096);
	CHECK_EQ(guest_copy_to(g, DATA_AT, data, len), 0);
}

TEST(virtio_blk_hostdisk_window_reads_and_writes_the_host_disk)
{
	static uint8_t back[DATA_MAX];
	char err[GUEST_ERROR_MAX];
	struct fixture_virtio d;
	struct guest *g;

	REQUIRE(setup());
	g = guest_find("hdisk0");
	REQUIRE(g && guest_create(g, err, sizeof(err)) == 0);
	REQUIRE(driver_init(&d, g));
	/* The window's size, not the disk's. */
	CHECK_EQ(fixture_virtio_read(&d, VIRTIO_MMIO_CONFIG) | (uint64_t)fixture_virtio_read(&d, VIRTIO_MMIO_CONFIG + 4) << 32,
		 MiB(1) / 512);

	/* A write lands at the window's offset on the host disk; 160 KiB
	 * take three trips through the 64 KiB bounce buffer. */
	fill(g, DATA_MAX, 3);
	CHECK_EQ(blk_request(&d, T_OUT, 10, DATA_MAX), S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, DATA_MAX) == 0);
	CHECK(memcmp(fake_bytes + MiB(1) + 10 * 512, back, DATA_MAX) == 0);
	CHECK_EQ(fake_writes, 3);
	CHECK_EQ(fake_bytes[MiB(1) + 10 * 512 - 1], 0);
	CHECK_EQ(fake_bytes[MiB(1) + 10 * 512 + DATA_MAX], 0);

	/* Reads come from the host disk. */
	memset(fake_bytes + MiB(1), 0xab, 512);
	fill(g, 512, 0);
	CHECK_EQ(blk_request(&d, T_IN, 0, 512), S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, 512) == 0);
	CHECK_EQ(back[0], 0xab);
	CHECK_EQ(back[511], 0xab);
	CHECK_EQ(blk_request(&d, T_FLUSH, 0, 0), S_OK);
	CHECK_EQ(fake_flushes, 1);

	/* The window's end is the disk's end: nothing past it is reached. */
	CHECK_EQ(blk_request(&d, T_IN, MiB(1) / 512 - 1, 512), S_OK);
	CHECK_EQ(fake_reads, 2);
	CHECK_EQ(blk_request(&d, T_IN, MiB(1) / 512 - 1, 1024), S_IOERR);
	CHECK_EQ(blk_request(&d, T_OUT, MiB(1) / 512, 512), S_IOERR);
	CHECK_EQ(blk_request(&d, T_OUT, UINT64_MAX, 512), S_IOERR);
	CHECK_EQ(fake_reads, 2);

	/* A failing host disk is an I/O error for the guest. */
	fake_fail = true;
	CHECK_EQ(blk_request(&d, T_IN, 0, 512), S_IOERR);
	CHECK_EQ(blk_request(&d, T_OUT, 0, 512), S_IOERR);
	fake_fail = false;

	/* Guest reset: the data stays on the disk. */
	CHECK_EQ(guest_start(g), 0);
	CHECK_EQ(guest_reset(g), 0);
	REQUIRE(driver_init(&d, g));
	fill(g, 512, 0);
	CHECK_EQ(blk_request(&d, T_IN, 10, 512), S_OK);
	REQUIRE(guest_copy_from(g, back, DATA_AT, 512) == 0);
	CHECK(memcmp(back, fake_bytes + MiB(1) + 10 * 512, 512) == 0);
	CHECK_EQ(back[1], (uint8_t)(3 + 13));
	CHECK_EQ(guest_destroy(g), 0);
	CHECK(fake_disk.claims == NULL);
	hostdisk_reset_all();
}

TEST(virtio_blk_hostdisk_overlapping_windows_are_refused_at_create)
{
	char err[GUEST_ERROR_MAX];
	struct guest *g0, *g1, *g2, *g3, *g4, *g5;
	uint64_t allocs;

	REQUIRE(setup());
	g0 = guest_find("hdisk0");
	g1 = guest_find("hdisk1");
	g2 = guest_find("hdisk2");
	g3 = guest_find("hdisk3");
	g4 = guest_find("hdisk4");
	g5 = guest_find("hdisk5");
	REQUIRE(g0 && g1 && g2 && g3 && g4 && g5);
	REQUIRE(guest_create(g0, err, sizeof(err)) == 0);
	allocs = fixture_live_allocations();

	unit_console_clear();
	CHECK_EQ(guest_create(g1, err, sizeof(err)), -KEEL_EBUSY);
	CHECK(strstr(unit_console_text(),
		     "guest hdisk1: vblk0: backend \"hostdisk:utdisk@1536K+1M\": utdisk: bytes 1572864-2621439 overlap bytes 1048576-2097151, which guest hdisk0 device vblk0 uses") != NULL);
	CHECK_EQ(guest_create(g2, err, sizeof(err)), -KEEL_EBUSY);
	CHECK(strstr(unit_console_text(), "backend \"hostdisk:utdisk\": utdisk: bytes 0-4194303 overlap") != NULL);
	CHECK_EQ(guest_create(g4, err, sizeof(err)), -KEEL_ERANGE);
	CHECK(strstr(unit_console_text(), "outside the disk (4194304 bytes)") != NULL);
	CHECK_EQ(guest_create(g5, err, sizeof(err)), -KEEL_ENOENT);
	CHECK(strstr(unit_console_text(), "no host disk \"nosuch\"") != NULL);
	/* Refusals leave nothing behind. */
	CHECK_EQ(fixture_live_allocations(), allocs);

	/* The window right after hdisk0's is free; with hdisk0 gone, the
	 * whole disk is not (hdisk3 still holds 2M..3M). */
	REQUIRE(guest_create(g3, err, sizeof(err)) == 0);
	CHECK_EQ(guest_destroy(g0), 0);
	CHECK_EQ(guest_create(g2, err, sizeof(err)), -KEEL_EBUSY);
	CHECK_EQ(guest_destroy(g3), 0);
	REQUIRE(guest_create(g2, err, sizeof(err)) == 0);
	CHECK_EQ(guest_destroy(g2), 0);
	CHECK(fake_disk.claims == NULL);
	hostdisk_reset_all();
}

TEST(disk_list_shows_each_disk_and_who_uses_which_range)
{
	struct hostdisk_claim *claim;
	char err[160];

	hostdisk_reset_all();
	unit_console_clear();
	CHECK_EQ(shell_run_line("disk list"), 0);
	CHECK(strstr(unit_console_text(), "(no host disks: QEMU gives Keel one with tools/run --disk FILE)") != NULL);

	fake_register();
	strcpy(fake_disk.where, "virtio-mmio@0xa003e00");
	REQUIRE(hostdisk_claim(&fake_disk, MiB(1), 512 * 3, "guest g device d", &claim, err,
			       sizeof(err)) == 0);
	unit_console_clear();
	CHECK_EQ(shell_run_line("disk"), 0);
	CHECK(strstr(unit_console_text(), "name     capacity         sectors  serial                device\n") != NULL);
	CHECK(strstr(unit_console_text(), "utdisk   4 MiB               8192  unit-serial           virtio-mmio@0xa003e00\n") != NULL);
	CHECK(strstr(unit_console_text(), "         used by guest g device d: 1 MiB+1536 B (bytes 1048576-1050111)\n") != NULL);
	hostdisk_release(claim);
	unit_console_clear();
	CHECK(shell_run_line("disk format") != 0);
	CHECK(strstr(unit_console_text(), "the only subcommand is `disk list`") != NULL);
	hostdisk_reset_all();
}
