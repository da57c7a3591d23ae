/* SPDX-License-Identifier: GPL-2.0-only */
/* kprintf, the time-stamped boot log kept in a ring buffer, and panic. */
#include <keel/console.h>
#include <keel/log.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/format.h>
#include <lib/ringbuf.h>
#include <arch/cpu.h>
#include <string.h>

#define LOG_RING_SIZE CONFIG_LOG_BUFFER_SIZE
#define LOG_LINE_MAX 512
#define LOG_REPLAY_CHUNK 256

static uint8_t log_storage[LOG_RING_SIZE];
static struct ringbuf log_ring = RINGBUF_INIT(log_storage);
/*
 * The ring's lock, taken with interrupts masked for a copy. The console
 * is written after it is dropped (keel/console.h: the console's locks
 * are never taken under it), and console_write() queues a piece whole, so
 * a line is never mixed with another CPU's.
 */
static spinlock_t log_lock = SPINLOCK_INIT;
static bool log_panicking;

/* kprintf's text, gathered so that a line goes to the console in one
 * piece. */
struct log_print_buffer {
	char text[LOG_LINE_MAX];
	size_t len;
};

static void log_print_flush(struct log_print_buffer *b)
{
	console_write(b->text, b->len);
	b->len = 0;
}

static void log_print_emit(const char *text, size_t len, void *ctx)
{
	struct log_print_buffer *b = ctx;

	while (len) {
		size_t n = MIN(len, sizeof(b->text) - b->len);

		memcpy(b->text + b->len, text, n);
		b->len += n;
		text += n;
		len -= n;
		if (b->len == sizeof(b->text))
			log_print_flush(b);
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	struct log_print_buffer b;

	/* Streamed in pieces, so long output is never cut short. */
	b.len = 0;
	fmt_vformat(log_print_emit, &b, fmt, ap);
	if (b.len)
		log_print_flush(&b);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

static const char *log_level_prefix(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "error: ";
	case LOG_WARN:
		return "warning: ";
	default:
		return "";
	}
}

/* Formats "[sssss.uuuuuu] prefix message\n" into line; returns its length. */
static size_t log_format_line(char *line, size_t size, enum log_level level,
			      const char *fmt, va_list ap)
{
	uint64_t ns = time_now_ns();
	size_t len;
	int n;

	n = fmt_snprintf(line, size, "[%4llu.%06llu] %s",
			 (unsigned long long)(ns / NSEC_PER_SEC),
			 (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_USEC),
			 log_level_prefix(level));
	len = MIN((size_t)n, size - 1);
	n = fmt_vsnprintf(line + len, size - len, fmt, ap);
	if ((size_t)n >= size - len) {
		/* Too long: keep what fits and show that it was cut. */
		len = size - 1;
		line[len - 4] = '.';
		line[len - 3] = '.';
		line[len - 2] = '.';
		line[len - 1] = '\n';
	} else {
		len += (size_t)n;
		/* Callers may or may not end the message with a newline. */
		if (line[len - 1] != '\n') {
			if (len == size - 1)
				len--;
			line[len++] = '\n';
		}
	}
	line[len] = '\0';
	return len;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	unsigned long flags;
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = log_format_line(line, sizeof(line), level, fmt, ap);
	va_end(ap);

	flags = spin_lock_irqsave(&log_lock);
	ringbuf_push_overwrite(&log_ring, line, len);
	spin_unlock_irqrestore(&log_lock, flags);
	/* Debug lines are kept for `log` but would drown the console. A
	 * line never waits for the terminal (console_write_line()). */
	if (level != LOG_DEBUG)
		console_write_line(line, len);
}

void log_replay(void (*emit)(const char *text, size_t len, void *ctx), void *ctx)
{
	char chunk[LOG_REPLAY_CHUNK];
	unsigned long flags;
	bool skip_partial;
	uint64_t pos;
	size_t n, start;

	flags = spin_lock_irqsave(&log_lock);
	pos = log_ring.tail;
	spin_unlock_irqrestore(&log_lock, flags);
	/* Once the ring has wrapped, its oldest line is usually cut: start
	 * at the first whole line. */
	skip_partial = pos != 0;

	for (;;) {
		/* The lock is dropped around emit(), which may print. Lines
		 * logged meanwhile are replayed too; lines overwritten
		 * meanwhile are skipped. */
		flags = spin_lock_irqsave(&log_lock);
		if (pos < log_ring.tail) {
			pos = log_ring.tail;
			skip_partial = true;
		}
		n = ringbuf_read_at(&log_ring, pos, chunk, sizeof(chunk));
		spin_unlock_irqrestore(&log_lock, flags);
		if (!n)
			break;
		pos += n;
		start = 0;
		if (skip_partial) {
			while (start < n && chunk[start] != '\n')
				start++;
			if (start == n)
				continue;
			start++;
			skip_partial = false;
		}
		if (start < n)
			emit(chunk + start, n - start, ctx);
	}
}

void panic(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	size_t len;
	int n;

	arch_irq_disable();
	/* A panic while printing a panic: stop at once. */
	if (log_panicking)
		arch_halt_all();
	log_panicking = true;

	n = fmt_snprintf(msg, sizeof(msg), "\nKEEL PANIC on CPU %u: ",
			 arch_cpu_id());
	len = MIN((size_t)n, sizeof(msg) - 1);
	va_start(ap, fmt);
	n = fmt_vsnprintf(msg + len, sizeof(msg) - len, fmt, ap);
	va_end(ap);
	len = MIN(len + (size_t)n, sizeof(msg) - 2);
	msg[len++] = '\n';
	/* The log lock may be held by the code that failed, so the message
	 * goes straight to the UART, after what was queued for it. */
	console_panic_flush(msg, len);
	arch_halt_all();
}
