/* SPDX-License-Identifier: GPL-2.0-only */
/* Time since Keel's entry, from the arch's free-running counter. */
#include <keel/time.h>
#include <arch/cpu.h>

static uint64_t time_zero_counter;

void time_init(uint64_t entry_counter)
{
	time_zero_counter = entry_counter;
}

/*
 * ticks * 1e9 would overflow 64 bits after ~5 minutes at 62.5 MHz, so
 * whole seconds and the remainder are converted separately.
 */
static uint64_t time_ticks_to_ns(uint64_t ticks, uint64_t freq)
{
	uint64_t seconds = ticks / freq;
	uint64_t rest = ticks % freq;

	return seconds * NSEC_PER_SEC + rest * NSEC_PER_SEC / freq;
}

uint64_t time_now_ns(void)
{
	uint64_t freq = arch_counter_freq();
	uint64_t now = arch_counter_read();

	if (!freq || now < time_zero_counter)
		return 0;
	return time_ticks_to_ns(now - time_zero_counter, freq);
}

uint64_t time_ns_to_counter(uint64_t ns)
{
	uint64_t freq = arch_counter_freq();
	uint64_t seconds = ns / NSEC_PER_SEC;
	uint64_t rest = ns % NSEC_PER_SEC;

	/* Round up so the counter never fires before the deadline. */
	return time_zero_counter + seconds * freq +
	       (rest * freq + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
}

void time_delay_us(uint64_t us)
{
	uint64_t start = time_now_ns();
	uint64_t ns = us > UINT64_MAX / NSEC_PER_USEC ? UINT64_MAX :
		      us * NSEC_PER_USEC;

	/* Compare elapsed time, which stays correct if start + ns would wrap. */
	while (time_now_ns() - start < ns)
		arch_cpu_relax();
}
