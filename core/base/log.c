/* SPDX-License-Identifier: GPL-2.0-only */
/* kprintf, the time-stamped boot log kept in a ring buffer, and panic. */
#include <keel/console.h>
#include <keel/log.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <lib/format.h>
#include <lib/ringbuf.h>
#include <arch/cpu.h>

#define LOG_RING_SIZE CONFIG_LOG_BUFFER_SIZE
#define LOG_LINE_MAX 512
#define LOG_REPLAY_CHUNK 256

static uint8_t log_storage[LOG_RING_SIZE];
static struct ringbuf log_ring = RINGBUF_INIT(log_storage);
/*
 * One lock for the ring and for console output, taken with interrupts
 * masked: a line is written out whole before another CPU (or an interrupt
 * handler) gets to print.
 */
static spinlock_t log_lock = SPINLOCK_INIT;
static bool log_panicking;

static void log_emit_console(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	console_write(text, len);
}

void kvprintf(const char *fmt, va_list ap)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);

	/* Streamed in pieces, so long output is never cut short. */
	fmt_vformat(log_emit_console, NULL, fmt, ap);
	spin_unlock_irqrestore(&log_lock, flags);
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
	/* Debug lines are kept for `log` but would drown the console. */
	if (level != LOG_DEBUG)
		console_write_line(line, len);
	spin_unlock_irqrestore(&log_lock, flags);
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
	 * goes straight to the console. */
	console_write(msg, len);
	arch_halt_all();
}
