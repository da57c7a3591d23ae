/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's console output on its way to a slow terminal: the emulated
 * UART's exit only fills the guest's buffer, the host console drains it
 * from the transmit interrupt, the oldest bytes are dropped and counted
 * when the terminal cannot keep up, Keel's log lines keep their order and
 * place, and attaching replays what was not seen.
 *
 * The terminal is a fake UART with a transmit interrupt whose FIFO takes
 * `room` bytes (none: always full); the tests play the interrupt by
 * calling console_tx_interrupt() while the fake has it unmasked.
 */
#include <keel/console.h>
#include <keel/emu.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guest_fixture.h"
#include "unit.h"

#define UART_BASE 0x09000000
#define UART_TEXT_MAX (256 * 1024)

static struct fake_uart {
	size_t room;             /* bytes the FIFO takes before it is full */
	unsigned int polled;     /* putc() calls: waits on the UART */
	unsigned int try_full;   /* try_putc() calls that found it full */
	bool irq_on;             /* TXIM unmasked */
	char text[UART_TEXT_MAX];
	size_t len;
} uart;

static void fake_record(char c)
{
	if (uart.len < UART_TEXT_MAX - 1)
		uart.text[uart.len++] = c;
	uart.text[uart.len] = '\0';
}

static void fake_putc(char c)
{
	uart.polled++;
	fake_record(c);
}

static bool fake_try_putc(char c)
{
	if (!uart.room) {
		uart.try_full++;
		return false;
	}
	uart.room--;
	fake_record(c);
	return true;
}

static void fake_tx_irq(bool on)
{
	uart.irq_on = on;
}

static const struct console_ops fake_console = {
	.name = "fake-slow-uart",
	.putc = fake_putc,
	.try_putc = fake_try_putc,
	.tx_irq = fake_tx_irq,
};

/* The fake becomes the console, interrupt-driven, taking room bytes. */
static void fake_install(size_t room)
{
	memset(&uart, 0, sizeof(uart));
	console_register(&fake_console);
	console_start_async();
	uart.room = room;
}

/* Time passes: the timer events that are due run. */
static void time_passes(uint64_t ns)
{
	host_counter_set(time_now_ns() + ns);
	timer_event_expire();
}

/* The terminal catches up: the transmit interrupt runs until masked. */
static void fake_catch_up(void)
{
	uart.room = SIZE_MAX;
	time_passes(10 * NSEC_PER_MSEC);
	for (unsigned int i = 0; uart.irq_on && i < 100000; i++)
		console_tx_interrupt();
}

static void terminal_takes_some(void)
{
	uart.room += 64;
}

static struct fixture_ram_guest chatty;
static struct mmio_region uart_region;

/* A guest named name with a PL011 at UART_BASE as its console. */
static struct guest *guest_with_uart(const char *name)
{
	struct guest_device_config dev = { .name = "uart0", .compatible = "arm,pl011",
					   .base = UART_BASE, .size = 0x1000 };
	const struct emulator *pl011 = emulator_find("arm,pl011");
	struct guest *g = fixture_ram_guest_reset(&chatty, name, 0x40000000, 0x10000);
	const struct mmio_region *r;
	void *state;

	mmio_table_init(&g->mmio);
	guest_console_init(g);
	if (!pl011 || pl011->create(g, &dev, &state))
		return NULL;
	r = mmio_table_find(&g->mmio, UART_BASE);
	if (!r)
		return NULL;
	uart_region = *r;
	return g;
}

static void guest_done(struct guest *g)
{
	guest_console_detach(g);
	emulator_find("arm,pl011")->destroy(uart_region.state);
	unit_console_install();
}

/* What the guest's driver does: a store to UARTDR per byte. */
static void guest_uart_write(struct guest *g, const char *text, size_t len)
{
	(void)g;
	for (size_t i = 0; i < len; i++)
		CHECK_EQ(uart_region.ops->write(uart_region.state, NULL, 0, 1,
						(uint8_t)text[i]), 0);
}

TEST(guest_console_uart_exit_never_waits_for_a_full_terminal)
{
	struct guest *g = guest_with_uart("chatty0");
	char line[64];

	REQUIRE(g != NULL);
	host_counter_set_freq(1000000000ULL);
	host_counter_set(0);
	time_init(0);
	fake_install(0);                         /* a terminal that takes nothing */
	console_endpoint_attach(&g->console, true);
	for (int i = 0; i < 100; i++) {
		int n = snprintf(line, sizeof(line), "line %d of a chatty guest\r\n", i);

		guest_uart_write(g, line, (size_t)n);
	}
	/* 2.7 KB written by exits, and not one wait on the UART: not a polled
	 * write, not even a look at its FIFO. The bytes are in the guest's
	 * buffer, and the transmit interrupt is asked for a moment later,
	 * once for the lot. */
	CHECK_EQ(uart.polled, 0);
	CHECK_EQ(uart.try_full, 0);
	CHECK_EQ(uart.len, 0);
	CHECK(ringbuf_len(&g->console.out) > 2500);
	CHECK(!uart.irq_on);
	time_passes(CONSOLE_KICK_DELAY_NS);
	CHECK(uart.irq_on);
	/* The interrupt gives the UART what it takes, and no more. */
	uart.room = 10;
	console_tx_interrupt();
	CHECK_EQ(uart.len, 10);
	CHECK(uart.irq_on);
	fake_catch_up();
	CHECK(!uart.irq_on);
	CHECK(strstr(uart.text, "line 0 of a chatty guest\r\n") == uart.text);
	CHECK(strstr(uart.text, "line 99 of a chatty guest\r\n") != NULL);
	CHECK_EQ(uart.polled, 0);
	CHECK_EQ(console_endpoint_dropped(&g->console), 0);
	guest_done(g);
}

TEST(guest_console_drops_the_oldest_output_and_counts_it)
{
	struct guest *g = guest_with_uart("chatty0");
	static char text[GUEST_CONSOLE_BUFFER + 5000];
	const char *notice, *rest;
	size_t total = sizeof(text);

	REQUIRE(g != NULL);
	fake_install(0);
	console_endpoint_attach(&g->console, true);
	for (size_t i = 0; i < total; i++)
		text[i] = (char)('a' + i % 26);
	guest_uart_write(g, text, total);
	/* More than the buffer holds: the first 5000 bytes never reach the
	 * terminal, and `guest info` counts them. */
	CHECK_EQ(console_endpoint_dropped(&g->console), 5000);
	fake_catch_up();
	notice = strstr(uart.text, "[console chatty0: 5000 bytes dropped]\r\n");
	REQUIRE(notice != NULL);
	CHECK(notice == uart.text);
	rest = notice + strlen("[console chatty0: 5000 bytes dropped]\r\n");
	/* Then the newest GUEST_CONSOLE_BUFFER bytes, unchanged. */
	CHECK_EQ(strlen(rest), GUEST_CONSOLE_BUFFER);
	CHECK(memcmp(rest, text + 5000, GUEST_CONSOLE_BUFFER) == 0);
	CHECK_EQ(console_endpoint_dropped(&g->console), 5000);
	CHECK_EQ(uart.polled, 0);
	guest_done(g);
}

TEST(guest_console_log_lines_keep_their_order_and_place)
{
	struct guest *g = guest_with_uart("chatty0");

	REQUIRE(g != NULL);
	host_counter_set_freq(1000000000ULL);
	host_counter_set(0);
	time_init(0);
	fake_install(0);
	console_endpoint_attach(&g->console, true);
	/* Written before the log line, shown before it, though the terminal
	 * had taken none of it yet. */
	guest_uart_write(g, "login: ", 7);
	log_info("first");
	guest_uart_write(g, "root\r\nprogress 10%\r", 19);
	log_info("second");
	guest_uart_write(g, "progress 20%\r\n", 14);
	CHECK_EQ(uart.len, 0);
	fake_catch_up();
	/* In the middle of a line it follows the text; after a bare "\r" it
	 * moves down a line rather than overwrite the guest's. */
	CHECK_STR_EQ(uart.text,
		     "login: [   0.000000] first\r\n"
		     "root\r\nprogress 10%\r\n[   0.000000] second\r\n"
		     "progress 20%\r\n");
	guest_done(g);
}

TEST(guest_console_attach_replays_then_detach_shows_the_rest)
{
	struct guest *g = guest_with_uart("chatty0");

	REQUIRE(g != NULL);
	fake_install(0);
	guest_uart_write(g, "before attach\r\n", 15);
	CHECK(!uart.irq_on);                     /* nobody attached: nothing to send */
	kprintf("[console chatty0: attached]\n");
	console_endpoint_attach(&g->console, true);
	guest_uart_write(g, "after attach\r\n", 14);
	fake_catch_up();
	CHECK_STR_EQ(uart.text, "[console chatty0: attached]\r\nbefore attach\r\nafter attach\r\n");
	/* Detach: what the terminal has not shown yet still comes before the
	 * notice, and output after it waits for the next attach. */
	memset(&uart, 0, sizeof(uart));
	guest_uart_write(g, "last words", 10);
	console_endpoint_detach(&g->console);
	guest_uart_write(g, "while detached\r\n", 16);
	console_start_line();
	kprintf("[console chatty0: detached]\n");
	fake_catch_up();
	CHECK_STR_EQ(uart.text, "last words\r\n[console chatty0: detached]\r\n");
	memset(&uart, 0, sizeof(uart));
	console_endpoint_attach(&g->console, true);
	fake_catch_up();
	CHECK_STR_EQ(uart.text, "while detached\r\n");
	guest_done(g);
}

TEST(guest_console_keel_text_waits_on_cpu0_and_is_dropped_elsewhere)
{
	uint64_t dropped_before = console_dropped_bytes();
	char piece[101];

	fake_install(0);
	memset(piece, 'k', 100);
	piece[100] = '\0';
	/* Another CPU (a guest exit there) finds the ring full: its line is
	 * dropped, not waited for, and said so when there is room again. */
	host_set_cpu_id(1);
	for (int i = 0; i < 1000 && console_dropped_bytes() == dropped_before; i++)
		kprintf("%s", piece);
	CHECK(console_dropped_bytes() > dropped_before);
	log_info("lost line");
	host_set_cpu_id(0);
	CHECK_EQ(uart.polled, 0);
	CHECK_EQ(uart.len, 0);
	CHECK(console_dropped_bytes() >= strlen("[   0.000000] lost line\n"));
	/* The shell's CPU waits instead (idle, the UART taking a little each
	 * time it wakes), never polling the UART. */
	host_set_idle_hook(terminal_takes_some);
	kprintf("command output\n");
	host_set_idle_hook(NULL);
	CHECK(uart.len > 0);
	CHECK_EQ(uart.polled, 0);
	fake_catch_up();
	CHECK(strstr(uart.text, "lost line") == NULL);
	CHECK(strstr(uart.text, "[console: ") != NULL);
	CHECK(strstr(uart.text, " bytes of Keel output dropped; `log` has the log]\r\n"
			 "command output\r\n") != NULL);
	unit_console_install();
}

TEST(guest_console_flush_before_reset_and_polled_after_a_fatal_fault)
{
	fake_install(0);
	kprintf("rebooting...\n");
	CHECK_EQ(uart.len, 0);
	/* Before a reset: waits for the UART (here it takes a little each
	 * time the CPU idles) until the text is out. */
	host_set_idle_hook(terminal_takes_some);
	console_flush();
	host_set_idle_hook(NULL);
	CHECK_STR_EQ(uart.text, "rebooting...\r\n");
	CHECK_EQ(uart.polled, 0);
	/* A fatal fault: what was queued, then the report, polled, in order. */
	memset(&uart, 0, sizeof(uart));
	kprintf("queued\n");
	console_panic_flush("\nKEEL PANIC\n", 12);
	kprintf("after\n");
	CHECK_STR_EQ(uart.text, "queued\r\n\r\nKEEL PANIC\r\nafter\r\n");
	CHECK(uart.polled > 0);
	unit_console_install();
}
