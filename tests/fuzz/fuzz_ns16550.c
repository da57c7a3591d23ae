/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzzes the emulated ns16550a UART (emulators/serial/ns16550.c) the way a
 * guest and the shell drive it: accesses of every width at every offset of
 * its region (the MMIO callbacks, as an exit calls them), register writes
 * aimed at its eight registers, console input typed by the shell, reading
 * the console buffer, and resets. An input is as long as libFuzzer makes
 * it.
 *
 * Input: byte 0 picks the register layout (bit 0: reg-shift 2 with
 * reg-io-width 4, else byte registers); then operations, each an opcode
 * byte and its arguments (a truncated one ends the input):
 *
 *   0 write  off:u8 size:u8 value:u32      3 input    n:u8, n bytes
 *   1 read   off:u8 size:u8                4 reset
 *   2 reg    reg:u8 value:u8 (a byte write of register reg % 8)
 *
 * What must hold: an access returns 0 or -KEEL_EINVAL and a read's value
 * is one byte; the interrupt line is high exactly when IIR shows an
 * interrupt (checked after each operation whenever reading IIR has no
 * side effect); the console buffer never holds more than the guest
 * sent.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_console.h>
#include <keel/guest_internal.h>
#include <string.h>
#include "virtio_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_UART_BASE 0x10000000ULL
#define FUZZ_UART_IRQ 10

static struct guest *fuzz_uart_guest;

static int uart_access(const struct mmio_region *r, uint64_t offset, unsigned int size,
		       bool write, uint64_t *value)
{
	if (write)
		return r->ops->write(r->state, NULL, offset, size, *value);
	return r->ops->read(r->state, NULL, offset, size, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct emulator *e = emulator_find("ns16550a");
	struct guest_device_config dev = {
		.name = "uart0", .compatible = "ns16550a", .base = FUZZ_UART_BASE,
		.size = 0x100, .has_irq = true, .irq = FUZZ_UART_IRQ,
	};
	struct fuzz_input in = { data, size };
	const struct mmio_region *r;
	uint64_t sent = 0;
	unsigned int shift;
	void *state;
	uint8_t b0, op;

	if (!fuzz_uart_guest) {
		fuzz_platform_init();
		fuzz_uart_guest = fuzz_guest_new("uart");
	}
	if (!fuzz_take(&in, &b0, 1))
		return 0;
	shift = b0 & 1 ? 2 : 0;
	dev.reg_shift = (uint8_t)shift;
	dev.reg_io_width = b0 & 1 ? 4 : 1;
	/* A fresh guest: its interrupt controller's line starts low. */
	mmio_table_init(&fuzz_uart_guest->mmio);
	memset(fuzz_uart_guest->arch.irq_level, 0, sizeof(fuzz_uart_guest->arch.irq_level));
	guest_console_init(fuzz_uart_guest);
	fuzz_promise(e && e->create(fuzz_uart_guest, &dev, &state) == 0);
	r = mmio_table_find(&fuzz_uart_guest->mmio, FUZZ_UART_BASE);
	fuzz_promise(r != NULL);

	while (fuzz_take(&in, &op, 1)) {
		uint8_t off = 0, s8 = 0, n = 0, text[256];
		uint32_t u32 = 0;
		uint64_t value = 0;
		unsigned int width;
		int ret;

		switch (op % 5) {
		case 0:
		case 1:
			if (!fuzz_take(&in, &off, 1) || !fuzz_take(&in, &s8, 1) ||
			    (op % 5 == 0 && !fuzz_take(&in, &u32, 4)))
				goto out;
			width = fuzz_access_size(s8);
			value = u32;
			ret = uart_access(r, off, width, op % 5 == 0, &value);
			fuzz_promise(ret == 0 || ret == -KEEL_EINVAL);
			if (!ret && op % 5 == 1)
				fuzz_promise(value <= 0xff);
			if (!ret && op % 5 == 0 && off == 0)
				sent++;
			break;
		case 2:
			if (!fuzz_take(&in, &off, 1) || !fuzz_take(&in, &s8, 1))
				goto out;
			value = s8;
			fuzz_promise(uart_access(r, (uint64_t)(off % 8) << shift, 1, true,
						 &value) == 0);
			if (off % 8 == 0)
				sent++;
			break;
		case 3:
			if (!fuzz_take(&in, &n, 1) || !fuzz_take(&in, text, n))
				goto out;
			guest_console_input(fuzz_uart_guest, (const char *)text, n);
			break;
		case 4:
			e->reset(state);
			break;
		}
		/* The line follows IIR. Reading LCR and IER changes nothing,
		 * and with ETBEI clear neither does reading IIR (only a THRE
		 * it shows is cleared by it), so the check does not steer the
		 * UART. */
		{
			uint64_t lcr = 0, ier = 0, iir = 0;

			fuzz_promise(uart_access(r, 3ULL << shift, 1, false, &lcr) == 0);
			if (!(lcr & 0x80)) {
				fuzz_promise(uart_access(r, 1ULL << shift, 1, false, &ier) == 0);
				if (!(ier & 0x02)) {
					fuzz_promise(uart_access(r, 2ULL << shift, 1, false,
								 &iir) == 0);
					fuzz_promise(fuzz_uart_guest->arch.irq_level[FUZZ_UART_IRQ] ==
						     !(iir & 0x01));
				}
			}
		}
		fuzz_promise(ringbuf_len(&fuzz_uart_guest->console.out) <= sent);
	}
out:
	e->destroy(state);
	fuzz_promise(fuzz_uart_guest->console.input_ready == NULL);
	/* Input the UART did not take stays with the endpoint: drop it. */
	while (guest_console_getc(fuzz_uart_guest) >= 0)
		;
	return 0;
}
