/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host console: one output device, and a receive queue fed by its IRQ.
 *
 * Output is asynchronous once the driver's transmit interrupt works
 * (console_start_async()): text goes into a transmit ring and the
 * driver's transmit interrupt (and CPU 0's idle loop, console_poll())
 * moves it to the UART, never waiting for the UART. Before that, and for a
 * driver without a transmit interrupt, output is written at once with the
 * driver's polled putc().
 *
 * An attached guest console is a source (struct console_source): its bytes
 * stay in the guest's own buffer until the transmitter has room, and are
 * pulled from there in order with Keel's text. See docs/console.md.
 *
 * Lock order (outermost first): console_out_lock (this file; constant work:
 * a bounded copy or at most CONSOLE_DRAIN_BUDGET bytes to the UART) ->
 * console_irq_lock (the transmit interrupt's mask; one register write).
 * A source's callbacks run under console_out_lock and take no lock (a
 * console endpoint's buffer is read lock-free). console_source_kick()
 * takes the calling CPU's timer queue lock only. The log's log_lock is
 * never held while console_out_lock is taken.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/time.h>
#include <keel/types.h>

/* Bytes of output waiting for the UART (Keel's text and pulled guest
 * bytes); a limit in docs/console.md. */
#define CONSOLE_TX_SIZE KiB(32)
/* Bytes given to the UART by one drain (one transmit interrupt). */
#define CONSOLE_DRAIN_BUDGET 256
/* How long a guest's output waits for the transmit interrupt to be asked
 * for (core/base/console.c). */
#define CONSOLE_KICK_DELAY_NS (2 * NSEC_PER_MSEC)

struct console_ops {
	const char *name;
	void (*putc)(char c);       /* polled; waits until the byte is queued */
	/* For asynchronous output (both or neither): queues c when the
	 * transmitter has room and returns true, returns false at once when
	 * it is full. */
	bool (*try_putc)(char c);
	/* Unmasks (on) or masks the transmit interrupt. Unmasking while the
	 * transmitter is below its FIFO level must raise the interrupt. */
	void (*tx_irq)(bool on);
};

/* The other end of an attached guest console. */
struct console_source {
	/* Moves up to len bytes of output, oldest first, into buf; returns
	 * how many, and in *dropped the bytes lost (overwritten before they
	 * could be shown) just before them. Called with console_out_lock
	 * held; takes only the source's own lock. */
	size_t (*pull)(void *ctx, char *buf, size_t len, uint64_t *dropped);
	/* True when pull() would return something. */
	bool (*pending)(void *ctx);
	/* Drops all but the newest keep bytes that pull() would return,
	 * counted in what the next pull() reports as dropped. */
	void (*drop_oldest)(void *ctx, size_t keep);
	void *ctx;
	char label[40];             /* "linux0", for the drop notice */
};

/* Makes ops the console, polled; text logged before this is written out
 * first. */
void console_register(const struct console_ops *ops);
/* Called by the driver once its transmit interrupt is hooked up: output
 * becomes asynchronous (when ops has try_putc and tx_irq). */
void console_start_async(void);
/* Writes text, turning "\n" into "\r\n"; safe from any CPU. */
void console_write(const char *s, size_t len);
/* The same for a log line: after a guest's bare "\r" (its "\n" not yet
 * written) it moves down a line first, so as not to overwrite the guest's
 * line; in the middle of a line it follows the guest's text. A log line
 * never waits for the UART: when the transmit ring is full it is dropped
 * from the terminal (the log keeps it) and counted. */
void console_write_line(const char *s, size_t len);
/* Ends a half-written line, if the last byte written left one. */
void console_start_line(void);
/* Writes bytes as they are: a guest's output, with its own line endings. */
void console_write_raw(const char *s, size_t len);

/* Makes src the attached source; only one at a time (the one before is
 * detached). */
void console_set_source(const struct console_source *src);
/* Detaches src if it is attached. What src still holds is taken first, so
 * that the terminal shows its output up to the moment it was detached. */
void console_unset_source(const struct console_source *src);
/* Tells the console that the source has new output; cheap, any context
 * (a guest exit): it never touches the UART. The transmit interrupt is
 * unmasked a moment later (CONSOLE_KICK_DELAY_NS, by a timer event on the
 * calling CPU), so that a burst of output costs one interrupt. */
void console_source_kick(void);
/* The driver's transmit interrupt: gives the UART what it takes. */
void console_tx_interrupt(void);
/* CPU 0's idle loop: the same, should an interrupt have been missed. */
void console_poll(void);
/* Bytes of Keel's own text dropped from the terminal so far. */
uint64_t console_dropped_bytes(void);
/* Waits until Keel's queued text has gone to the UART (or the UART took
 * nothing for a second): before the machine resets or powers off. */
void console_flush(void);
/* Writes out everything still queued, then s ("\n" as "\r\n"), with the
 * polled putc() and without locks; output is polled from then on. For a
 * panic or a fatal exception report only (the CPU stops after). */
void console_panic_flush(const char *s, size_t len);

/* Called by the console driver's receive interrupt for every byte. */
void console_rx_push(char c);
/* Returns the next received byte, or -1 when none is waiting. */
int console_getc(void);
/* Waits (idle, interrupts on) until a byte arrives and returns it. */
int console_getc_wait(void);

#endif
