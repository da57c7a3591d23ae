/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The check runner and the arch-neutral checks. Each check runs guarded: an
 * unexpected exception inside it is reported by the arch code and makes it
 * FAIL, and the next check still runs.
 */
#include "arch.h"

/* Bounds of the registered checks, sorted by the linker (see link.ld). */
extern const struct check __checks_start[], __checks_end[];
/* The guest's own image, .bss and stacks included. */
extern char _start[], _end[];

#define RAM_PAGE 4096U

static void check_set(struct check_result *r, enum check_outcome outcome,
		      const char *fmt, va_list ap)
{
	r->outcome = outcome;
	format_string_va(r->detail, sizeof(r->detail), fmt, ap);
}

void check_pass(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_set(r, CHECK_PASS, fmt, ap);
	va_end(ap);
}

void check_fail(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_set(r, CHECK_FAIL, fmt, ap);
	va_end(ap);
}

void check_skip(struct check_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_set(r, CHECK_SKIP, fmt, ap);
	va_end(ap);
}

uint64_t ticks_to_us(uint64_t ticks)
{
	uint64_t freq = counter_hz;

	/* Split so that ticks * 1000000 cannot overflow. */
	return ticks / freq * 1000000 + ticks % freq * 1000000 / freq;
}

struct check_call {
	const struct check *check;
	struct check_result *result;
};

static void check_call(void *arg)
{
	struct check_call *call = arg;

	call->check->run(call->result);
}

void checks_run_all(unsigned int round, struct check_totals *totals)
{
	/* Counted through integers: the bounds are two different symbols. */
	size_t count = ((uintptr_t)__checks_end - (uintptr_t)__checks_start) /
		       sizeof(struct check);

	for (size_t i = 0; i < count; i++) {
		const struct check *c = &__checks_start[i];
		struct check_result r = { .outcome = CHECK_FAIL };
		struct check_call call = { .check = c, .result = &r };

		if (c->first_round_only && round > 1)
			continue;
		if (arch_run_guarded(check_call, &call)) {
			r.outcome = CHECK_FAIL;
			format_string(r.detail, sizeof(r.detail),
				      "unexpected exception (reported above)");
		}
		switch (r.outcome) {
		case CHECK_PASS:
			totals->passed++;
			if (r.detail[0])
				print_line("PASS %s (%s)", c->name, r.detail);
			else
				print_line("PASS %s", c->name);
			break;
		case CHECK_SKIP:
			print_line("SKIP %s: %s", c->name, r.detail);
			break;
		case CHECK_FAIL:
			totals->failed++;
			print_line("FAIL %s: %s", c->name, r.detail);
			break;
		}
	}
}

/* ---------------------------------------------------------------- ram --- */

static bool ranges_overlap(uint64_t a, uint64_t a_len, uint64_t b,
			   uint64_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

/* Pages the test must not overwrite: the image (with its stacks) and the DTB. */
static bool ram_page_reserved(uint64_t page)
{
	uint64_t image = (uintptr_t)_start;

	return ranges_overlap(page, RAM_PAGE, image,
			      (uintptr_t)_end - image) ||
	       (board.dtb && ranges_overlap(page, RAM_PAGE, board.dtb,
					    board.dtb_size));
}

static const uint32_t ram_offsets[] = { 0, 8, 0x7f8, 0x800, 0xff8 };

static uint64_t ram_pattern(uint64_t addr)
{
	return (addr * 0x9e3779b97f4a7c15ULL) ^ ~addr;
}

/* Writes (write == true) or verifies every tested word; returns false and
 * fills r at the first mismatch. */
static bool ram_pass(struct check_result *r, bool write, uint64_t *pages)
{
	for (unsigned int i = 0; i < board.ram_count; i++) {
		uint64_t first = (board.ram[i].base + RAM_PAGE - 1) &
				 ~(uint64_t)(RAM_PAGE - 1);
		uint64_t end = (board.ram[i].base + board.ram[i].size) &
			       ~(uint64_t)(RAM_PAGE - 1);

		for (uint64_t page = first; page < end; page += RAM_PAGE) {
			if (ram_page_reserved(page))
				continue;
			for (unsigned int k = 0; k < ARRAY_SIZE(ram_offsets); k++) {
				volatile uint64_t *word =
					(volatile uint64_t *)(page + ram_offsets[k]);
				uint64_t expected = ram_pattern((uintptr_t)word);
				uint64_t seen;

				if (write) {
					*word = expected;
					continue;
				}
				seen = *word;
				if (seen != expected) {
					check_fail(r, "at 0x%lx wrote 0x%lx, read back 0x%lx",
						   (uintptr_t)word, expected, seen);
					return false;
				}
			}
			(*pages)++;
		}
	}
	return true;
}

static void check_ram(struct check_result *r)
{
	uint64_t written = 0, verified = 0, total = 0;

	if (!board.ram_count) {
		check_fail(r, "no RAM known (the DTB was not usable)");
		return;
	}
	for (unsigned int i = 0; i < board.ram_count; i++)
		total += board.ram[i].size;
	ram_pass(r, true, &written);
	arch_memory_barrier();
	if (!ram_pass(r, false, &verified))
		return;
	check_pass(r, "%lu of %lu pages written and read back", verified,
		   total / RAM_PAGE);
}
CHECK_DEFINE(20, ram, "ram", check_ram, false);

/* ------------------------------------------------------ timer-interrupt --- */

static void check_timer_interrupt(struct check_result *r)
{
	uint64_t freq = counter_hz;
	const char *why = arch_irq_init();
	uint64_t deadline, at = 0;
	bool fired;

	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	deadline = arch_counter_read() + freq / 100;
	arch_watchdog_start(deadline + freq);
	arch_timer_start(deadline);
	while (!(fired = arch_timer_fired(&at)) && !arch_watchdog_fired())
		arch_wait_for_interrupt();
	arch_timer_stop();
	arch_watchdog_stop();

	if (!fired)
		check_fail(r, "expected the timer interrupt 10 ms after arming it; none came within a further 1 s");
	else if (at < deadline)
		check_fail(r, "expected the interrupt at the deadline or later; it came %lu us early",
			   ticks_to_us(deadline - at));
	else
		check_pass(r, "%lu us after the 10 ms deadline",
			   ticks_to_us(at - deadline));
}
CHECK_DEFINE(30, timer_interrupt, "timer-interrupt", check_timer_interrupt,
	     false);

/* ------------------------------------------------------------ wfi-wakes --- */

static void check_wfi_wakes(struct check_result *r)
{
	uint64_t freq = counter_hz;
	uint64_t wait = freq / 200;
	const char *why = arch_irq_init();
	uint64_t start, end, deadline, at = 0;
	bool fired;

	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	start = arch_counter_read();
	deadline = start + wait;
	arch_watchdog_start(deadline + freq);
	arch_timer_start(deadline);
	arch_wait_for_interrupt();
	end = arch_counter_read();
	fired = arch_timer_fired(&at);
	arch_timer_stop();
	arch_watchdog_stop();

	if (!fired)
		check_fail(r, "expected WFI to return on the timer interrupt after 5 ms; it returned after %lu us without it%s",
			   ticks_to_us(end - start),
			   arch_watchdog_fired() ? " (the 1 s watchdog woke it)" : "");
	else if (end - start < wait || at < deadline)
		check_fail(r, "expected a wait of at least 5000 us; WFI returned after %lu us",
			   ticks_to_us(end - start));
	else
		check_pass(r, "waited %lu us", ticks_to_us(end - start));
}
CHECK_DEFINE(40, wfi_wakes, "wfi-wakes", check_wfi_wakes, false);

/* ------------------------------------------------------------ isolation --- */

static void check_isolation(struct check_result *r)
{
	uint64_t ram_end = board_ram_end(), addr, value = 0, syndrome = 0;

	if (!ram_end) {
		check_fail(r, "no RAM known (the DTB was not usable)");
		return;
	}
	/* Above RAM: below it, bare QEMU has PCIe windows that do answer. */
	addr = ram_end + MiB(256);
	if (arch_probe_read(addr, &value, &syndrome))
		check_pass(r, "read of 0x%lx refused: data abort, syndrome 0x%lx",
			   addr, syndrome);
	else
		check_fail(r, "expected a data abort reading 0x%lx (RAM end + 256 MiB); it returned 0x%lx",
			   addr, value);
}
CHECK_DEFINE(60, isolation, "isolation", check_isolation, false);
