/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes virtio-blk's request parsing (emulators/virtio/blk.c): chains on
 * queue 0 with whatever headers, sectors, layouts and buffer addresses
 * the input gives, notified through the virtio-mmio registers by the
 * driver of virtio_driver.c (which describes the input). Two disks: a
 * 1 MiB RAM disk, and with bit 0x80 of the input's first byte an image-fs
 * file of 10.25 blocks (copy-on-write in 4 KiB blocks, a short last one).
 * The devices are made once per process by their emulator's create();
 * every input starts from a reset device and fresh guest RAM.
 */
#include <keel/fs.h>
#include <stdio.h>
#include <string.h>

#include "virtio_driver.h"

#define FILE_DISK_SIZE (10 * 4096 + 1024)
#define USE_FILE_DISK 0x80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t archive[FILE_DISK_SIZE + 1024];
static size_t archive_len;

/* Appends one "newc" cpio entry to the archive. */
static void archive_put(const char *name, uint32_t mode, const uint8_t *body, size_t len)
{
	size_t name_len = strlen(name) + 1;

	snprintf((char *)archive + archive_len, 111,
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned int)archive_len + 1, mode, 0U, 0U, 1U, 0U, (unsigned int)len,
		 0U, 0U, 0U, 0U, (unsigned int)name_len, 0U);
	archive_len += 110;
	memcpy(archive + archive_len, name, name_len);
	archive_len = ALIGN_UP(archive_len + name_len, 4);
	if (len)
		memcpy(archive + archive_len, body, len);
	archive_len = ALIGN_UP(archive_len + len, 4);
}

/* The image file system with the file disk, images/disk.img. */
static void mount_image(void)
{
	static uint8_t disk[FILE_DISK_SIZE];

	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 31 + i / 512);
	archive_put("images", 0040755, NULL, 0);
	archive_put("images/disk.img", 0100644, disk, sizeof(disk));
	archive_put("TRAILER!!!", 0, NULL, 0);
	fuzz_promise(fs_mount_cpio(archive, archive_len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_device ram_disk, file_disk;
	static bool ready;
	struct guest *g;

	if (!ready) {
		fuzz_platform_init();
		mount_image();
		g = fuzz_guest_new("fuzz");
		fuzz_device_create(&ram_disk, g, "virtio,blk", "vblk0", "ram:1M", 0x0a000000,
				   16, 1);
		fuzz_device_create(&file_disk, g, "virtio,blk", "vblk1",
				   "file:/images/disk.img", 0x0a000200, 17, 1);
		/* Each 4 KiB block copied once, and a page of pointers to them. */
		file_disk.pages_kept_max = FILE_DISK_SIZE / 4096 + 2;
		ram_disk.pages_kept_max = file_disk.pages_kept_max;
		ready = true;
	}
	fuzz_virtio_run(size && (data[0] & USE_FILE_DISK) ? &file_disk : &ram_disk, data, size,
			NULL);
	return 0;
}
