/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the virtio device harnesses (fuzz_virtio_*.c) share: a host-fake
 * guest whose devices are made by their emulators' create() hooks, and a
 * guest driver that plays a program read from the fuzzer's input against
 * one device, through its virtio-mmio registers and split virtqueues in a
 * guest RAM buffer of exactly its size (so ASan sees any access outside).
 *
 * Input: a 3-byte header, then commands until the input ends (no other
 * limit: each notify is bounded by the device's own budget), little-endian.
 * After each command, a few deferred work items run (the continuation of
 * notifies, input from the host side), as the scheduler runs them between
 * two vCPU runs; after the last, what is left of them:
 *
 *   header  u8 features: 1 EVENT_IDX, 2 INDIRECT_DESC, 4 the device's
 *              own feature bits (word 0) as offered; bits 3-7 are the
 *              harness's (fuzz_virtio_blk: 0x80 the file disk)
 *           u8 queue size: log2 in bits 0-3 (at most 8); bit 7 set: the
 *              low 7 bits times 3 as is (mostly refused)
 *           u8 queues set up: a bit per queue (clear: left unready)
 *
 *   command byte % 8:
 *   0 CHAIN   u8 queue (bits 0-2; bit 6: notify after; bit 7: as an
 *             indirect table), u8 count - 1 (% 16), then per buffer:
 *             u8 flags (1 device-writable, 2 a u64 address follows,
 *             4 NEXT inverted, 8 a u16 next index follows, 16 the length
 *             is u32, else u16), [u64 address], [u16 next], length; a
 *             device-readable buffer then has u16 n and n payload bytes
 *             (the rest of the buffer reads as zero). Buffers without an
 *             address of their own are placed in guest RAM one after the
 *             other (wrapping), so most are wholly in RAM.
 *   1 NOTIFY  u8 queue (any value: the transport checks it)
 *   2 HOST    u16 n, n bytes for the harness's host side (frames from the
 *             switch, console input, packets of another guest)
 *   3 KICK    notifies every queue
 *   4 AVAIL   u16 added to the available index, no new entries
 *   5 RESET   the driver resets the device and sets it up again
 *   6 REG     u8 (bits 0-1 size 1/2/4/8, bit 7 read), u16 offset, u32
 *             value: one register access as the guest makes it
 *   7 IRQ     reads InterruptStatus and acknowledges it
 */
#ifndef TESTS_FUZZ_VIRTIO_DRIVER_H
#define TESTS_FUZZ_VIRTIO_DRIVER_H

#include <keel/emu.h>
#include <keel/guest.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FUZZ_RAM_BASE 0x40000000ULL
#define FUZZ_RAM_SIZE (256u << 10)

struct fuzz_device {
	struct guest *guest;
	struct guest_device_config config;
	const struct emulator *emulator;
	void *state;
	const struct mmio_region *region;
	unsigned int queue_count;
	/* Pages the device may take for good as inputs go by (a file disk's
	 * copy-on-write blocks); any other growth of Keel's memory is a leak. */
	uint64_t pages_kept_max;
};

/* Once per process: the page allocator's memory, the clock. */
void fuzz_platform_init(void);
/* A fresh fake guest (created, no RAM until fuzz_virtio_run). */
struct guest *fuzz_guest_new(const char *name);
/* Makes a device through its emulator's create(), as guest_create()
 * does; traps when that fails. The MMIO window is at base. */
void fuzz_device_create(struct fuzz_device *d, struct guest *g, const char *compatible,
			const char *name, const char *backend, gpa_t base,
			unsigned int irq, unsigned int queue_count);
/* Device MMIO access as a vCPU makes it; returns the callback's result. */
int fuzz_reg_write(struct fuzz_device *d, uint64_t offset, unsigned int size, uint64_t value);
uint64_t fuzz_reg_read(struct fuzz_device *d, uint64_t offset, unsigned int size);

/* The harness's side of HOST commands (may be NULL). */
typedef void (*fuzz_host_fn)(const uint8_t *data, size_t len);

/*
 * One input: fresh guest RAM for d's guest, the device reset (its
 * emulator's reset, the guest's reset), the program played, the device
 * reset again and the RAM freed, so nothing of it outlives the input.
 */
void fuzz_virtio_run(struct fuzz_device *d, const uint8_t *data, size_t size,
		     fuzz_host_fn host);

/* Runs the deferred work that is left (bounded: a guest can keep a device
 * busy for ever, one bounded run at a time). */
void fuzz_work_drain(void);

/* An input read front to back by the operation harnesses (fuzz_vgic,
 * fuzz_plic): fuzz_take() copies the next n bytes, false when fewer are
 * left (the input ends there). */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_take(struct fuzz_input *in, void *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

/* An access width of 1, 2, 4 or 8 bytes from an input byte. */
static inline unsigned int fuzz_access_size(uint8_t code)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };

	return sizes[code & 3];
}

/* A promise was broken: make libFuzzer report it. */
static inline void fuzz_promise(bool ok)
{
	if (!ok)
		__builtin_trap();
}

#endif
