/* SPDX-License-Identifier: GPL-2.0-only */
/* The host console: output with early buffering, and the receive queue. */
#include <keel/console.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <lib/format.h>
#include <lib/ringbuf.h>
#include <arch/cpu.h>

#define CONSOLE_EARLY_SIZE KiB(4)
#define CONSOLE_RX_SIZE KiB(1)

static const struct console_ops *console_ops;
static spinlock_t console_out_lock = SPINLOCK_INIT;
/* Output written before a console exists: shown when one registers. */
static uint8_t console_early_storage[CONSOLE_EARLY_SIZE];
static struct ringbuf console_early = RINGBUF_INIT(console_early_storage);

/* Bytes received by the driver's interrupt, waiting for a reader. */
static spinlock_t console_rx_lock = SPINLOCK_INIT;
static uint8_t console_rx_storage[CONSOLE_RX_SIZE];
static struct ringbuf console_rx = RINGBUF_INIT(console_rx_storage);

/* The last byte written ('\n' before any): where the cursor is. */
static char console_last = '\n';

/* Keel's own text: terminals need "\r\n" to return to column 0. Guests'
 * bytes (cooked false) already carry their own line endings. */
static void console_put(const struct console_ops *ops, const char *s,
			size_t len, bool cooked)
{
	for (size_t i = 0; i < len; i++) {
		if (cooked && s[i] == '\n')
			ops->putc('\r');
		ops->putc(s[i]);
	}
	if (len)
		console_last = s[len - 1];
}

static void console_put_text(const struct console_ops *ops, const char *s,
			     size_t len)
{
	console_put(ops, s, len, true);
}

void console_register(const struct console_ops *ops)
{
	char chunk[128];
	unsigned long flags;
	size_t n;

	flags = spin_lock_irqsave(&console_out_lock);
	if (!console_ops && console_early.tail) {
		/* Early output overflowed its buffer; say so rather than
		 * start in the middle of a line without explanation. */
		n = (size_t)fmt_snprintf(chunk, sizeof(chunk),
			"[console: first %llu bytes of early output dropped; "
			"`log` shows the boot log]\n",
			(unsigned long long)console_early.tail);
		console_put_text(ops, chunk, MIN(n, sizeof(chunk) - 1));
	}
	console_ops = ops;
	while ((n = ringbuf_pop(&console_early, chunk, sizeof(chunk))))
		console_put_text(ops, chunk, n);
	spin_unlock_irqrestore(&console_out_lock, flags);
}

/* Where text goes relative to what the console shows already. */
enum console_place {
	PLACE_HERE,         /* at the cursor */
	PLACE_VISIBLE,      /* not over a line that a bare "\r" left behind */
	PLACE_LINE_START,   /* at the start of a line of its own */
};

static void console_output(const char *s, size_t len, bool cooked,
			   enum console_place place)
{
	unsigned long flags = spin_lock_irqsave(&console_out_lock);

	if (!console_ops) {
		ringbuf_push_overwrite(&console_early, s, len);
	} else {
		/* After a guest's "\r" the cursor is at column 0 of a line
		 * that still shows: go down one, or it would be overwritten. */
		if (place != PLACE_HERE && console_last == '\r')
			console_put(console_ops, "\n", 1, false);
		else if (place == PLACE_LINE_START && console_last != '\n')
			console_put(console_ops, "\n", 1, true);
		console_put(console_ops, s, len, cooked);
	}
	spin_unlock_irqrestore(&console_out_lock, flags);
}

void console_write(const char *s, size_t len)
{
	console_output(s, len, true, PLACE_HERE);
}

void console_write_line(const char *s, size_t len)
{
	console_output(s, len, true, PLACE_VISIBLE);
}

void console_start_line(void)
{
	console_output("", 0, true, PLACE_LINE_START);
}

void console_write_raw(const char *s, size_t len)
{
	console_output(s, len, false, false);
}

void console_rx_push(char c)
{
	unsigned long flags = spin_lock_irqsave(&console_rx_lock);

	/* When nobody reads, new keys are dropped rather than old ones:
	 * a half-overwritten command line would be worse. */
	ringbuf_push(&console_rx, &c, 1);
	spin_unlock_irqrestore(&console_rx_lock, flags);
}

int console_getc(void)
{
	unsigned long flags = spin_lock_irqsave(&console_rx_lock);
	int c = ringbuf_pop_byte(&console_rx);

	spin_unlock_irqrestore(&console_rx_lock, flags);
	return c;
}

int console_getc_wait(void)
{
	for (;;) {
		int c;

		/*
		 * Check and go idle with interrupts masked: a byte arriving in
		 * between leaves its interrupt pending, which ends the idle
		 * wait, and is taken once interrupts are on again.
		 */
		arch_irq_disable();
		c = console_getc();
		if (c < 0)
			cpu_idle_once();
		arch_irq_enable();
		if (c >= 0)
			return c;
	}
}
