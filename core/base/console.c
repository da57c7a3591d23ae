/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host console: output with early buffering, the asynchronous
 * transmit ring, the attached guest console, and the receive queue.
 *
 * Asynchronous output (docs/console.md). Keel's text is queued in
 * console_tx, already cooked ("\n" as "\r\n"). An attached guest console's
 * bytes stay in the guest's own buffer and are pulled into console_tx only
 * when it has room for them, so that a guest that writes faster than the
 * terminal loses its own oldest output, never Keel's nor another guest's.
 * The driver's transmit interrupt (and CPU 0's idle loop) gives the UART
 * at most CONSOLE_DRAIN_BUDGET bytes at a time, and only what it takes
 * without waiting. Before Keel's text is queued, everything the source has
 * is pulled first: the terminal shows both in the order they were written,
 * and a log line's placement (after a guest's bare "\r") is decided on the
 * bytes that really precede it.
 *
 * Locks, outermost first (see also keel/console.h):
 *   console_out_lock  early ring, transmit ring, source, placement; held
 *                     for a bounded copy or one drain budget. The
 *                     source's callbacks run under it and take no lock.
 *   console_irq_lock  whether the transmit interrupt is unmasked
 *   console_rx_lock   the receive queue (alone)
 * console_source_kick(), called from guest exits, takes only the calling
 * CPU's timer queue lock (its kick event's expiry, console_irq_lock) and
 * never waits for the UART.
 */
#include <keel/console.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/format.h>
#include <lib/ringbuf.h>
#include <arch/cpu.h>
#include <string.h>

#define CONSOLE_EARLY_SIZE KiB(4)
#define CONSOLE_RX_SIZE KiB(1)
/* Room kept for one notice line ("[console ...: N bytes dropped]"). */
#define CONSOLE_NOTICE_MAX 128
#define CONSOLE_PULL_CHUNK 256
/* How long a waiting writer waits for a UART that takes nothing. */
#define CONSOLE_WAIT_NS NSEC_PER_SEC
/*
 * CONSOLE_KICK_DELAY_NS: how long a guest's output may wait before the
 * transmit interrupt is asked for. A guest writes a byte an exit, and one
 * interrupt for the lot is cheaper than one for each (under QEMU every
 * UART register access of the interrupt takes the emulator's big lock,
 * which the guest's CPUs want too). Well below what a person notices.
 */

static const struct console_ops *console_ops;
static spinlock_t console_out_lock = SPINLOCK_INIT;
/* Output written before a console exists: shown when one registers. */
static uint8_t console_early_storage[CONSOLE_EARLY_SIZE];
static struct ringbuf console_early = RINGBUF_INIT(console_early_storage);

/* Output waiting for the UART, once output is asynchronous. */
static uint8_t console_tx_storage[CONSOLE_TX_SIZE];
static struct ringbuf console_tx = RINGBUF_INIT(console_tx_storage);
static bool console_async;
static const struct console_source *console_source;
/* Keel's text that found the ring full and could not wait. */
static uint64_t console_dropped;
static uint64_t console_dropped_unreported;

/*
 * True while the transmit interrupt is (to be) unmasked: output is queued
 * or the source has some. Set by whoever queues; cleared by the drain that
 * finds nothing left, which then looks again (see console_drain_finish()).
 */
static bool console_tx_active;
static spinlock_t console_irq_lock = SPINLOCK_INIT;
static bool console_tx_irq_on;   /* what the driver was last told */
/* Per CPU: a kick from a guest's output unmasks the interrupt when due. */
static struct timer_event console_kick_events[KEEL_MAX_CPUS];

/* Bytes received by the driver's interrupt, waiting for a reader. */
static spinlock_t console_rx_lock = SPINLOCK_INIT;
static uint8_t console_rx_storage[CONSOLE_RX_SIZE];
static struct ringbuf console_rx = RINGBUF_INIT(console_rx_storage);

/* The last byte written or queued ('\n' before any): where the cursor is. */
static char console_last = '\n';

/* ---- writing out (console_out_lock held) ---- */

static size_t console_cooked_len(const char *s, size_t len, bool cooked)
{
	size_t n = len;

	for (size_t i = 0; cooked && i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* Keel's text: terminals need "\r\n" to return to column 0. Guests'
 * bytes (cooked false) already carry their own line endings. Queued when
 * output is asynchronous (the caller made room), else written now. */
static void console_put(const char *s, size_t len, bool cooked)
{
	size_t start = 0;

	if (!len)
		return;
	if (!console_async) {
		for (size_t i = 0; i < len; i++) {
			if (cooked && s[i] == '\n')
				console_ops->putc('\r');
			console_ops->putc(s[i]);
		}
	} else {
		for (size_t i = 0; cooked && i < len; i++) {
			if (s[i] != '\n')
				continue;
			ringbuf_push(&console_tx, s + start, i - start);
			ringbuf_push(&console_tx, "\r", 1);
			start = i;
		}
		ringbuf_push(&console_tx, s + start, len - start);
	}
	console_last = s[len - 1];
}

/* Where text goes relative to what the console shows already. */
enum console_place {
	PLACE_HERE,         /* at the cursor */
	PLACE_VISIBLE,      /* not over a line that a bare "\r" left behind */
	PLACE_LINE_START,   /* at the start of a line of its own */
};

/* The bytes that put the cursor where place wants it. */
static const char *console_place_prefix(enum console_place place)
{
	/* After a guest's "\r" the cursor is at column 0 of a line that
	 * still shows: go down one, or it would be overwritten. */
	if (place != PLACE_HERE && console_last == '\r')
		return "\n";
	if (place == PLACE_LINE_START && console_last != '\n')
		return "\r\n";
	return "";
}

static void console_put_placed(const char *s, size_t len, bool cooked,
			       enum console_place place)
{
	const char *prefix = console_place_prefix(place);

	console_put(prefix, strlen(prefix), false);
	console_put(s, len, cooked);
}

/* A notice line of Keel's own, on a line of its own. */
static void console_put_notice(const char *text, size_t len)
{
	console_put_placed(text, len, true, PLACE_LINE_START);
}

static void console_note_source_drop(const struct console_source *src,
				     uint64_t dropped)
{
	char line[CONSOLE_NOTICE_MAX - 4];
	int n;

	if (!dropped)
		return;
	n = fmt_snprintf(line, sizeof(line), "[console %s: %llu bytes dropped]\n",
			 src->label, (unsigned long long)dropped);
	console_put_notice(line, MIN((size_t)n, sizeof(line) - 1));
}

static void console_note_own_drop(void)
{
	char line[CONSOLE_NOTICE_MAX - 4];
	int n;

	if (!console_dropped_unreported)
		return;
	n = fmt_snprintf(line, sizeof(line),
			 "[console: %llu bytes of Keel output dropped; `log` has the log]\n",
			 (unsigned long long)console_dropped_unreported);
	console_dropped_unreported = 0;
	console_put_notice(line, MIN((size_t)n, sizeof(line) - 1));
}

/*
 * Moves up to max bytes from the source into the ring (or, polled, to the
 * UART), keeping a notice's room free; returns how many.
 */
static size_t console_take_source(size_t max)
{
	const struct console_source *src = console_source;
	char chunk[CONSOLE_PULL_CHUNK];
	size_t total = 0;

	while (src && total < max) {
		size_t want = MIN(sizeof(chunk), max - total);
		uint64_t dropped = 0;
		size_t n;

		if (console_async) {
			size_t space = ringbuf_space(&console_tx);

			if (space <= CONSOLE_NOTICE_MAX)
				break;
			want = MIN(want, space - CONSOLE_NOTICE_MAX);
		}
		n = src->pull(src->ctx, chunk, want, &dropped);
		console_note_source_drop(src, dropped);
		if (!n)
			break;
		console_put(chunk, n, false);
		total += n;
	}
	return total;
}

/*
 * Everything the source has, ahead of text that needs `reserve` bytes:
 * what does not fit is dropped, oldest first (and counted by the source).
 */
static void console_take_source_all(size_t reserve)
{
	const struct console_source *src = console_source;
	size_t space;

	if (!src)
		return;
	if (console_async) {
		space = ringbuf_space(&console_tx);
		reserve += CONSOLE_NOTICE_MAX;
		src->drop_oldest(src->ctx, space > reserve ? space - reserve : 0);
	}
	console_take_source(SIZE_MAX);
}

/* Gives the UART what it takes without waiting, at most budget bytes,
 * from the ring (and the source, with_source); returns true when output
 * is left. */
static bool console_drain(size_t budget, bool with_source)
{
	uint8_t byte;

	for (size_t n = 0; n < budget; n++) {
		if (!ringbuf_len(&console_tx) &&
		    (!with_source || !console_take_source(CONSOLE_PULL_CHUNK)))
			break;
		if (!ringbuf_peek(&console_tx, &byte, 1) || !console_ops->try_putc((char)byte))
			return true;
		ringbuf_pop(&console_tx, &byte, 1);
	}
	return ringbuf_len(&console_tx) || (console_source &&
					    console_source->pending(console_source->ctx));
}

/* ---- the transmit interrupt's mask ---- */

/* Tells the driver what console_tx_active says, if it changed. */
static void console_tx_irq_update(void)
{
	unsigned long flags = spin_lock_irqsave(&console_irq_lock);
	bool on = __atomic_load_n(&console_tx_active, __ATOMIC_SEQ_CST);

	if (console_async && on != console_tx_irq_on) {
		console_ops->tx_irq(on);
		console_tx_irq_on = on;
	}
	spin_unlock_irqrestore(&console_irq_lock, flags);
}

/* Keel's text is waiting: the transmit interrupt, now. */
static void console_tx_want(void)
{
	__atomic_store_n(&console_tx_active, true, __ATOMIC_SEQ_CST);
	console_tx_irq_update();
}

static void console_kick_expired(struct timer_event *event, void *arg)
{
	(void)event;
	(void)arg;
	console_tx_irq_update();
}

/*
 * console_out_lock held, after a drain. When nothing is left the interrupt
 * is masked, but only after looking once more: a source that queued while
 * console_tx_active was still true did not kick, and must not be missed.
 */
static void console_drain_finish(bool left)
{
	if (!left) {
		__atomic_store_n(&console_tx_active, false, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (console_source && console_source->pending(console_source->ctx))
			__atomic_store_n(&console_tx_active, true, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&console_tx_active, true, __ATOMIC_SEQ_CST);
	}
}

/* ---- registration ---- */

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
		console_ops = ops;
		console_async = false;
		console_put(chunk, MIN(n, sizeof(chunk) - 1), true);
	}
	/* A new device starts polled, with nothing of the old one queued. */
	console_ops = ops;
	console_async = false;
	ringbuf_reset(&console_tx);
	__atomic_store_n(&console_tx_active, false, __ATOMIC_SEQ_CST);
	console_tx_irq_on = false;
	while ((n = ringbuf_pop(&console_early, chunk, sizeof(chunk))))
		console_put(chunk, n, true);
	spin_unlock_irqrestore(&console_out_lock, flags);
}

void console_start_async(void)
{
	unsigned long flags = spin_lock_irqsave(&console_out_lock);

	if (console_ops && console_ops->try_putc && console_ops->tx_irq)
		console_async = true;
	spin_unlock_irqrestore(&console_out_lock, flags);
}

uint64_t console_dropped_bytes(void)
{
	return READ_ONCE(console_dropped);
}

/* ---- Keel's text ---- */

/* Queues text (async, lock held); false when it does not fit. */
static bool console_queue(const char *s, size_t len, bool cooked,
			  enum console_place place)
{
	size_t need = 2 + console_cooked_len(s, len, cooked) +
		      (console_dropped_unreported ? CONSOLE_NOTICE_MAX : 0);

	if (ringbuf_space(&console_tx) < need + CONSOLE_NOTICE_MAX)
		return false;
	console_take_source_all(need);
	console_note_own_drop();
	console_put_placed(s, len, cooked, place);
	return true;
}

/*
 * may_wait: the caller (CPU 0 printing a command's output) waits for room
 * rather than lose text: masked, with the UART's transmit interrupt (which
 * ends the wait) unmasked, giving the UART what it takes each time it wakes.
 * Others never wait: what does not fit is dropped and counted.
 */
static void console_output(const char *s, size_t len, bool cooked,
			   enum console_place place, bool may_wait)
{
	unsigned long flags = spin_lock_irqsave(&console_out_lock);
	uint64_t progress_ns = 0;
	uint64_t sent;
	bool queued;

	if (!console_ops) {
		ringbuf_push_overwrite(&console_early, s, len);
	} else if (!console_async) {
		console_take_source(SIZE_MAX);
		console_put_placed(s, len, cooked, place);
	} else if (console_cooked_len(s, len, cooked) + 3 * CONSOLE_NOTICE_MAX >
		   CONSOLE_TX_SIZE) {
		/* Larger than the ring: in pieces, each placed as asked. */
		size_t half = len / 2;

		spin_unlock_irqrestore(&console_out_lock, flags);
		console_output(s, half, cooked, place, may_wait);
		console_output(s + half, len - half, cooked, PLACE_HERE, may_wait);
		return;
	} else {
		for (;;) {
			queued = console_queue(s, len, cooked, place);
			if (queued || !may_wait)
				break;
			sent = console_tx.tail;
			console_drain_finish(console_drain(CONSOLE_DRAIN_BUDGET, true));
			queued = console_queue(s, len, cooked, place);
			if (queued)
				break;
			/* A UART that takes nothing for a second (or a wait
			 * where its interrupt cannot come) loses the text. */
			if (console_tx.tail != sent || !progress_ns)
				progress_ns = time_now_ns();
			else if (time_now_ns() - progress_ns > CONSOLE_WAIT_NS)
				break;
			spin_unlock(&console_out_lock);
			console_tx_irq_update();
			/* Interrupts stay masked: a transmit interrupt that
			 * comes now still ends the wait. */
			arch_cpu_idle();
			spin_lock(&console_out_lock);
		}
		if (!queued) {
			console_dropped += len;
			console_dropped_unreported += len;
		}
	}
	spin_unlock_irqrestore(&console_out_lock, flags);
	if (console_async)
		console_tx_want();
}

/* Command output is waited for on the shell's CPU; elsewhere (guest exits
 * on other CPUs) nothing waits for the terminal. */
static bool console_may_wait(void)
{
	return arch_cpu_id() == 0;
}

void console_write(const char *s, size_t len)
{
	console_output(s, len, true, PLACE_HERE, console_may_wait());
}

void console_write_line(const char *s, size_t len)
{
	console_output(s, len, true, PLACE_VISIBLE, false);
}

void console_start_line(void)
{
	console_output("", 0, true, PLACE_LINE_START, console_may_wait());
}

void console_write_raw(const char *s, size_t len)
{
	console_output(s, len, false, PLACE_HERE, console_may_wait());
}

/* ---- the attached source and the transmitter ---- */

void console_set_source(const struct console_source *src)
{
	unsigned long flags = spin_lock_irqsave(&console_out_lock);

	if (console_source && console_source != src)
		console_take_source_all(0);
	console_source = src;
	spin_unlock_irqrestore(&console_out_lock, flags);
	console_source_kick();
}

void console_unset_source(const struct console_source *src)
{
	unsigned long flags = spin_lock_irqsave(&console_out_lock);

	if (console_source == src) {
		console_take_source_all(0);
		console_source = NULL;
	}
	spin_unlock_irqrestore(&console_out_lock, flags);
	if (console_async)
		console_tx_want();
}

void console_source_kick(void)
{
	unsigned long flags;

	if (READ_ONCE(console_async)) {
		struct timer_event *event;

		/* Pairs with the fence of console_drain_finish(). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&console_tx_active, __ATOMIC_SEQ_CST) ||
		    __atomic_exchange_n(&console_tx_active, true, __ATOMIC_SEQ_CST))
			return;
		/* Masked, so that this CPU's expiry cannot run in between:
		 * the event is queued here or not at all. */
		flags = arch_irq_save();
		event = &console_kick_events[arch_cpu_id()];
		if (!READ_ONCE(event->queued)) {
			event->fn = console_kick_expired;
			timer_event_add(event, time_now_ns() + CONSOLE_KICK_DELAY_NS);
		}
		arch_irq_restore(flags);
		return;
	}
	/* Polled: no transmit interrupt to hand the work to. */
	flags = spin_lock_irqsave(&console_out_lock);
	if (console_ops && !console_async)
		console_take_source(SIZE_MAX);
	spin_unlock_irqrestore(&console_out_lock, flags);
}

void console_tx_interrupt(void)
{
	unsigned long flags = spin_lock_irqsave(&console_out_lock);

	if (console_async)
		console_drain_finish(console_drain(CONSOLE_DRAIN_BUDGET, true));
	spin_unlock_irqrestore(&console_out_lock, flags);
	console_tx_irq_update();
}

void console_poll(void)
{
	if (READ_ONCE(console_async) &&
	    __atomic_load_n(&console_tx_active, __ATOMIC_SEQ_CST))
		console_tx_interrupt();
}

void console_flush(void)
{
	unsigned long flags = arch_irq_save();
	uint64_t progress_ns = time_now_ns();

	for (;;) {
		uint64_t sent;
		bool left;

		spin_lock(&console_out_lock);
		if (!console_async) {
			spin_unlock(&console_out_lock);
			break;
		}
		sent = console_tx.tail;
		left = console_drain(CONSOLE_DRAIN_BUDGET, false);
		console_drain_finish(left);
		spin_unlock(&console_out_lock);
		if (!left)
			break;
		if (console_tx.tail != sent)
			progress_ns = time_now_ns();
		else if (time_now_ns() - progress_ns > CONSOLE_WAIT_NS)
			break;
		console_tx_irq_update();
		/* CPU 0 takes the transmit interrupt, which ends its wait. */
		if (arch_cpu_id() == 0)
			arch_cpu_idle();
		else
			arch_cpu_relax();
	}
	arch_irq_restore(flags);
}

void console_panic_flush(const char *s, size_t len)
{
	const struct console_ops *ops = console_ops;
	uint8_t byte;

	if (!ops)
		return;
	/* No lock: its holder may be what failed. What was queued first,
	 * so that the message follows what led to it. */
	while (console_async && ringbuf_pop(&console_tx, &byte, 1))
		ops->putc((char)byte);
	console_async = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			ops->putc('\r');
		ops->putc(s[i]);
	}
}

/* ---- input ---- */

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
