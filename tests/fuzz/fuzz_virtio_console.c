/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes virtio-console (emulators/virtio/console.c): transmit requests on
 * queue 1 and receive buffers on queue 0 filled from host input, which
 * HOST commands (virtio_driver.h) type into the device's endpoint "hvc0"
 * as the shell's `console` does. Also the emergency-write register, with
 * REG commands. The device is made once per process by its emulator's
 * create(); every input starts from a reset device, fresh guest RAM and
 * no input left over from the last one.
 */
#include <keel/guest_console.h>

#include "virtio_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct console_endpoint *hvc;

static void host_input(const uint8_t *data, size_t len)
{
	console_endpoint_input(hvc, (const char *)data, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_device console;
	static bool ready;
	uint8_t drain[64];

	if (!ready) {
		fuzz_platform_init();
		fuzz_device_create(&console, fuzz_guest_new("fuzz"), "virtio,console", "hvc0",
				   "console:hvc0", 0x0a000000, 16, 2);
		hvc = guest_console_find(console.guest, "hvc0");
		fuzz_promise(hvc != NULL);
		ready = true;
	}
	for (unsigned int i = 0; i < GUEST_CONSOLE_INPUT / sizeof(drain) + 1; i++)
		if (!console_endpoint_read(hvc, drain, sizeof(drain)))
			break;
	fuzz_virtio_run(&console, data, size, host_input);
	return 0;
}
