/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The basic guest's main program: reads the DTB, prints the first line,
 * then runs the mode chosen with basic.mode= on the kernel command line.
 */
#include "arch.h"
#include "virtio.h"

#define TICK_MS 100
#define TICKS_BETWEEN_ROUNDS 10
#define HVCBENCH_CALLS 1000

/* What CNTFRQ holds on QEMU's virt machine; used when the platform says 0. */
#define COUNTER_HZ_FALLBACK 62500000U

struct board board;
uint64_t counter_hz = COUNTER_HZ_FALLBACK;

static char mode[32] = "checks";
static char name[64] = "basic";
/* Failures found before any check ran (a broken DTB): count in round 1. */
static unsigned int boot_failures;
static uint64_t hvcbench_ticks[HVCBENCH_CALLS];

uint64_t board_ram_end(void)
{
	uint64_t end = 0;

	for (unsigned int i = 0; i < board.ram_count; i++)
		if (board.ram[i].base + board.ram[i].size > end)
			end = board.ram[i].base + board.ram[i].size;
	return end;
}

/* A value in double quotes may contain spaces. */
void bootargs_option(const char *args, const char *key, char *out,
		     size_t size)
{
	size_t key_len = string_length(key);

	while (*args) {
		const char *value;
		char stop = ' ';
		size_t n = 0;

		while (*args == ' ' || *args == '\t')
			args++;
		if (!string_starts_with(args, key)) {
			while (*args && *args != ' ' && *args != '\t')
				args++;
			continue;
		}
		value = args + key_len;
		if (*value == '"') {
			stop = '"';
			value++;
		}
		while (value[n] && value[n] != stop &&
		       (stop == '"' || value[n] != '\t'))
			n++;
		args = value[n] ? value + n + 1 : value + n;
		if (n >= size)
			n = size - 1;
		memcpy(out, value, n);
		out[n] = '\0';
	}
}

struct dtb_read {
	uintptr_t dtb;
	const char *why;
};

static void dtb_read_guarded(void *arg)
{
	struct dtb_read *read = arg;

	read->why = fdt_read_board(read->dtb, &board);
}

static void __attribute__((noreturn)) power_off(void)
{
	arch_power_off();
	print_line("FAIL psci-system-off: returned");
	arch_halt();
}

static void mode_checks(void)
{
	struct check_totals totals = { .failed = boot_failures };

	checks_run_all(1, &totals);
	virtio_vsock_listen();
	print_line("%u passed, %u failed", totals.passed, totals.failed);
	power_off();
}

/* Waits until the counter reaches deadline, asleep in WFI when it can. */
static void sleep_until(uint64_t deadline)
{
	uint64_t at;

	if (!arch_irq_init()) {
		arch_watchdog_start(deadline + counter_hz);
		arch_timer_start(deadline);
		while (!arch_timer_fired(&at) && !arch_watchdog_fired())
			arch_wait_for_interrupt();
		arch_timer_stop();
		arch_watchdog_stop();
	}
	while (arch_counter_read() < deadline)
		;
}

static void mode_loop(void)
{
	uint64_t freq = counter_hz;
	uint64_t tick = 0, next = 0;

	for (unsigned int round = 1;; round++) {
		struct check_totals totals = {
			.failed = round == 1 ? boot_failures : 0 };

		checks_run_all(round, &totals);
		print_line("round %u: %u passed, %u failed", round,
			   totals.passed, totals.failed);
		for (unsigned int i = 0; i < TICKS_BETWEEN_ROUNDS; i++) {
			uint64_t now = arch_counter_read();

			/* Keep a steady beat; after a long round or a pause
			 * start a new one from now. */
			next += freq * TICK_MS / 1000;
			if (next <= now)
				next = now + freq * TICK_MS / 1000;
			sleep_until(next);
			now = arch_counter_read();
			print_line("tick %lu at %lu ms", ++tick,
				   now / freq * 1000 + now % freq * 1000 / freq);
		}
	}
}

static void mode_undef(void)
{
	print_line("misbehaving: undefined instruction");
	arch_misbehave_undefined();
}

static void mode_wild(void)
{
	/* Without a usable DTB, assume the platform's 64 MiB at 1 GiB. */
	uint64_t end = board_ram_end() ? board_ram_end() : 0x44000000;

	print_line("misbehaving: wild access");
	arch_misbehave_wild_load(end + MiB(256));
}

static void mode_storm(void)
{
	print_line("misbehaving: interrupt storm");
	arch_misbehave_interrupt_storm();
}

static void mode_timerstorm(void)
{
	print_line("misbehaving: timer storm");
	arch_misbehave_timer_storm();
}

static void mode_psciloop(void)
{
	print_line("misbehaving: PSCI loop");
	arch_misbehave_psci_loop();
}

static void ticks_sort(uint64_t *t, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint64_t v = t[i];
		unsigned int j = i;

		for (; j && t[j - 1] > v; j--)
			t[j] = t[j - 1];
		t[j] = v;
	}
}

static void mode_hvcbench(void)
{
	uint64_t *t = hvcbench_ticks;
	const char *why;

	why = arch_hypercall_round_trips(t, HVCBENCH_CALLS);
	if (why) {
		print_line("FAIL hvcbench: %s", why);
		power_off();
	}
	ticks_sort(t, HVCBENCH_CALLS);
	print_line("hvc round trip: min %lu median %lu max %lu ticks (%lu Hz), %u calls",
		   t[0], (t[HVCBENCH_CALLS / 2 - 1] + t[HVCBENCH_CALLS / 2]) / 2,
		   t[HVCBENCH_CALLS - 1], counter_hz,
		   HVCBENCH_CALLS);
	power_off();
}

static void mode_reset(void)
{
	print_line("resetting");
	arch_reset();
	print_line("FAIL psci-system-reset: returned");
	arch_halt();
}

static void mode_idle(void)
{
	arch_halt();
}

static const struct mode {
	const char *name;
	void (*run)(void);
} modes[] = {
	{ "checks", mode_checks },
	{ "loop", mode_loop },
	{ "undef", mode_undef },
	{ "wild", mode_wild },
	{ "storm", mode_storm },
	{ "timerstorm", mode_timerstorm },
	{ "psciloop", mode_psciloop },
	{ "hvcbench", mode_hvcbench },
	{ "reset", mode_reset },
	{ "idle", mode_idle },
	{ "hostile", mode_hostile },
	{ "attack", mode_attack },
	{ "blkbench", mode_blkbench },
	{ "netbench", mode_netbench },
	{ "vsockbench", mode_vsockbench },
};

void basic_main(uintptr_t dtb)
{
	struct dtb_read read = { .dtb = dtb };
	uint64_t ram = 0;

	if (arch_run_guarded(dtb_read_guarded, &read))
		read.why = "exception while reading it (reported above)";
	if (read.why) {
		memset(&board, 0, sizeof(board));
		boot_failures++;
	}
	bootargs_option(board.bootargs, "basic.mode=", mode, sizeof(mode));
	bootargs_option(board.bootargs, "basic.name=", name, sizeof(name));
	for (unsigned int i = 0; i < board.ram_count; i++)
		ram += board.ram[i].size;

	print_line("%s started, vCPU %u, %lu MiB RAM at 0x%lx, mode %s", name,
		   arch_cpu_index(), ram >> 20,
		   board.ram_count ? board.ram[0].base : 0, mode);
	if (read.why)
		print_line("FAIL dtb: DTB at 0x%lx: %s", dtb, read.why);
	if (arch_counter_frequency()) {
		counter_hz = arch_counter_frequency();
	} else {
		print_line("FAIL counter-frequency: expected a counter frequency, read 0; assuming %u Hz",
			   COUNTER_HZ_FALLBACK);
		boot_failures++;
	}

	for (unsigned int i = 0; i < ARRAY_SIZE(modes); i++) {
		if (string_equal(mode, modes[i].name)) {
			modes[i].run();
			arch_halt();
		}
	}
	print_line("FAIL mode: unknown mode \"%s\"", mode);
	power_off();
}
