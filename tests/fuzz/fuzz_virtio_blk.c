/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes virtio-blk's request parsing (emulators/virtio/blk.c) on a RAM
 * disk: chains on queue 0 with whatever headers, sectors, layouts and
 * buffer addresses the input gives, notified through the virtio-mmio
 * registers by the driver of virtio_driver.c (which describes the input).
 * The device is made once per process by its emulator's create(); every
 * input starts from a reset device and fresh guest RAM.
 */
#include "virtio_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_device blk;
	static bool ready;

	if (!ready) {
		fuzz_platform_init();
		fuzz_device_create(&blk, fuzz_guest_new("fuzz"), "virtio,blk", "vblk0",
				   "ram:1M", 0x0a000000, 16, 1);
		ready = true;
	}
	fuzz_virtio_run(&blk, data, size, NULL);
	return 0;
}
