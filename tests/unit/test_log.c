/* SPDX-License-Identifier: GPL-2.0-only */
/* kprintf, log lines and their ring, panic, the console and keel_strerror. */
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/log_ratelimit.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

static void log_test_begin(void)
{
	host_counter_set_freq(1000000000ULL);
	host_counter_set(0);
	time_init(0);
	unit_console_clear();
}

TEST(log_lines_are_stamped_and_prefixed)
{
	log_test_begin();
	host_counter_set(1234567890ULL);
	log_info("guest %s: started", "basic0");
	CHECK_STR_EQ(unit_console_text(), "[   1.234567] guest basic0: started\n");
	unit_console_clear();
	host_counter_set(12345 * NSEC_PER_SEC + 5000);
	log_error("bad node %d\n", 3);
	log_warn("careful");
	CHECK_STR_EQ(unit_console_text(),
		     "[12345.000005] error: bad node 3\n"
		     "[12345.000005] warning: careful\n");
	log_test_begin();
}

TEST(log_debug_is_kept_but_not_shown)
{
	log_test_begin();
	log_debug("quiet detail");
	CHECK_STR_EQ(unit_console_text(), "");
}

struct replay {
	char *text;
	size_t len;
	unsigned int calls;
};

static void replay_collect(const char *text, size_t len, void *ctx)
{
	struct replay *r = ctx;

	r->text = realloc(r->text, r->len + len + 1);
	memcpy(r->text + r->len, text, len);
	r->len += len;
	r->text[r->len] = '\0';
	r->calls++;
}

TEST(log_replay_returns_kept_lines_oldest_first)
{
	struct replay r = { 0 };
	char *first, *second, *third;

	log_test_begin();
	log_info("replay-marker-one");
	log_debug("replay-marker-two");
	kprintf("not-in-the-log\n");
	log_warn("replay-marker-three");
	log_replay(replay_collect, &r);
	REQUIRE(r.text != NULL);
	first = strstr(r.text, "replay-marker-one");
	second = strstr(r.text, "replay-marker-two");
	third = strstr(r.text, "warning: replay-marker-three\n");
	CHECK(first && second && third && first < second && second < third);
	CHECK(strstr(r.text, "not-in-the-log") == NULL);
	free(r.text);
}

TEST(log_ring_wraps_at_whole_lines)
{
	struct replay r = { 0 };
	char last[64];

	log_test_begin();
	/* Well over the 64 KiB ring. */
	for (int i = 0; i < 3000; i++)
		log_debug("filler line number %05d with some padding text", i);
	log_replay(replay_collect, &r);
	REQUIRE(r.text != NULL);
	CHECK(r.len <= 64 * 1024);
	CHECK(r.len > 60 * 1024);
	CHECK(r.calls > 1);
	/* The cut first line was skipped: replay starts at a stamp. */
	CHECK_EQ(r.text[0], '[');
	CHECK(strstr(r.text, "number 00000 ") == NULL);
	snprintf(last, sizeof(last), "number %05d with some padding text\n", 2999);
	CHECK(strcmp(r.text + r.len - strlen(last), last) == 0);
	free(r.text);
}

TEST(log_long_message_is_cut_with_a_mark)
{
	char big[1000];
	const char *text;

	log_test_begin();
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	text = unit_console_text();
	CHECK_EQ(strlen(text), 511);
	CHECK(strcmp(text + strlen(text) - 5, "q...\n") == 0);
}

TEST(kprintf_is_not_truncated)
{
	char big[5000];

	log_test_begin();
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kprintf("<%s>%d\n", big, 42);
	CHECK_EQ(strlen(unit_console_text()), 4999 + 2 + 2 + 1);
	CHECK(strstr(unit_console_text(), "k>42\n") != NULL);
}

static char raw_out[256];
static size_t raw_len;

static void raw_putc(char c)
{
	if (raw_len < sizeof(raw_out) - 1)
		raw_out[raw_len++] = c;
	raw_out[raw_len] = '\0';
}

static const struct console_ops raw_console = { .name = "raw", .putc = raw_putc };

TEST(console_write_turns_newlines_into_crlf)
{
	raw_len = 0;
	raw_out[0] = '\0';
	console_register(&raw_console);
	console_write("a\nb\n\n", 5);
	kprintf("x%dy\n", 1);
	unit_console_install();
	CHECK_STR_EQ(raw_out, "a\r\nb\r\n\r\nx1y\r\n");
}

TEST(console_log_line_after_half_written_guest_line_starts_afresh)
{
	raw_len = 0;
	raw_out[0] = '\0';
	console_register(&raw_console);
	/* A guest's bytes pass unchanged; its line is half written (its
	 * "\r" came, its "\n" not yet) when Keel logs something. */
	console_write_raw("up\r\nsum\r", 8);
	log_warn("w");
	console_write_raw("\nab", 3);
	/* In the middle of a line a log line follows the text... */
	console_write_line("x\n", 2);
	/* ...and Keel's own notices start a line of their own. */
	console_write_raw("cd", 2);
	console_start_line();
	console_write("y\n", 2);
	/* At the start of a line nothing is added. */
	console_start_line();
	console_write_line("z\n", 2);
	unit_console_install();
	CHECK(strncmp(raw_out, "up\r\nsum\r\n[", strlen("up\r\nsum\r\n[")) == 0);
	CHECK(strstr(raw_out, "warning: w\r\n\nabx\r\ncd\r\ny\r\nz\r\n") != NULL);
}

TEST(console_receive_queue)
{
	int dropped = 0;

	while (console_getc() >= 0)
		;
	console_rx_push('h');
	console_rx_push('i');
	CHECK_EQ(console_getc(), 'h');
	CHECK_EQ(console_getc(), 'i');
	CHECK_EQ(console_getc(), -1);
	/* 1 KiB of room: the oldest keys stay, extra ones are dropped. */
	for (int i = 0; i < 1100; i++)
		console_rx_push((char)('a' + i % 26));
	for (int i = 0; console_getc() >= 0; i++)
		dropped = 1100 - (i + 1);
	CHECK_EQ(dropped, 1100 - 1024);
}

static int idle_calls;

static void feed_key_when_idle(void)
{
	if (++idle_calls == 3)
		console_rx_push('\r');
}

TEST(console_getc_wait_idles_until_a_key)
{
	idle_calls = 0;
	host_set_idle_hook(feed_key_when_idle);
	CHECK_EQ(console_getc_wait(), '\r');
	host_set_idle_hook(NULL);
	CHECK_EQ(idle_calls, 3);
	/* It waited with interrupts on, as it promises. */
	CHECK(!host_irqs_masked());
}

static int panic_fd;

static void pipe_putc(char c)
{
	(void)!write(panic_fd, &c, 1);
}

static const struct console_ops pipe_console = { .name = "pipe", .putc = pipe_putc };

static void do_panic(void *arg)
{
	panic_fd = *(int *)arg;
	console_register(&pipe_console);
	panic("tables corrupt at %d", 7);
}

static void do_bug(void *arg)
{
	int x = 1;

	panic_fd = *(int *)arg;
	console_register(&pipe_console);
	BUG_ON(x == 1);
}

/* Runs fn in a child with a console that writes into a pipe. */
static bool run_dying(void (*fn)(void *), char *out, size_t size)
{
	int fds[2];
	bool aborted;
	ssize_t n;

	if (pipe(fds))
		return false;
	aborted = unit_expect_abort(fn, &fds[1]);
	close(fds[1]);
	n = read(fds[0], out, size - 1);
	close(fds[0]);
	out[n > 0 ? n : 0] = '\0';
	return aborted;
}

TEST(panic_prints_and_halts)
{
	char out[512];

	CHECK(run_dying(do_panic, out, sizeof(out)));
	CHECK(strstr(out, "KEEL PANIC on CPU 0: tables corrupt at 7\r\n") != NULL);
	CHECK(run_dying(do_bug, out, sizeof(out)));
	CHECK(strstr(out, "KEEL PANIC on CPU 0: BUG: x == 1 at ") != NULL);
	CHECK(strstr(out, "test_log.c:") != NULL);
}

TEST(strerror_names_codes)
{
	CHECK_STR_EQ(keel_strerror(-KEEL_ENOMEM), "no memory");
	CHECK_STR_EQ(keel_strerror(KEEL_ENOMEM), "no memory");
	CHECK_STR_EQ(keel_strerror(-KEEL_EINVAL), "invalid argument");
	CHECK_STR_EQ(keel_strerror(-KEEL_ETIMEDOUT), "timed out");
	CHECK_STR_EQ(keel_strerror(0), "success");
	CHECK_STR_EQ(keel_strerror(-9999), "unknown error");
	CHECK_STR_EQ(keel_strerror(-2147483647 - 1), "unknown error");
}

TEST(log_ratelimit_lets_a_burst_through_a_window_and_counts_the_rest)
{
	struct log_ratelimit rl = { 0 };
	uint64_t suppressed = 99;

	CHECK(log_ratelimit_allow(&rl, 1000, &suppressed));
	CHECK_EQ(suppressed, 0);
	CHECK(log_ratelimit_allow(&rl, 2000, &suppressed));
	for (unsigned int i = 0; i < 5; i++)
		CHECK(!log_ratelimit_allow(&rl, 3000 + i, &suppressed));
	/* The next window: one through, saying how many were held back. */
	CHECK(log_ratelimit_allow(&rl, 1000 + LOG_RATELIMIT_WINDOW_NS, &suppressed));
	CHECK_EQ(suppressed, 5);
	CHECK(log_ratelimit_allow(&rl, 1001 + LOG_RATELIMIT_WINDOW_NS, &suppressed));
	CHECK_EQ(suppressed, 0);
	CHECK(!log_ratelimit_allow(&rl, 1002 + LOG_RATELIMIT_WINDOW_NS, &suppressed));
	/* Time 0 (a fake clock not started yet) is a time like any other. */
	rl = (struct log_ratelimit){ 0 };
	CHECK(log_ratelimit_allow(&rl, 0, &suppressed));
	CHECK(log_ratelimit_allow(&rl, 0, &suppressed));
	CHECK(!log_ratelimit_allow(&rl, 0, &suppressed));
}
