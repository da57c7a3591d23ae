// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vsockbench mode (basic.mode=vsockbench): 1000 round trips of one
 * byte through the host's vsock echo service (CID 2 port 7) on a single
 * connection, each timed with the virtual counter from before the send to
 * the byte's return. Prints min, median and max in microseconds (a
 * benchmark for tools/bench, not a check), then powers off.
 */
#include "arch.h"

#define VSOCKBENCH_ECHOES 1000

static uint64_t vsockbench_ticks[VSOCKBENCH_ECHOES];

static void vsockbench_sort(uint64_t *t, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint64_t v = t[i];
		unsigned int j = i;

		for (; j && t[j - 1] > v; j--)
			t[j] = t[j - 1];
		t[j] = v;
	}
}

void mode_vsockbench(void)
{
	uint64_t *t = vsockbench_ticks;
	const char *why = vsock_echo_round_trips(t, VSOCKBENCH_ECHOES);

	if (why) {
		print_line("FAIL vsockbench: %s", why);
	} else {
		vsockbench_sort(t, VSOCKBENCH_ECHOES);
		print_line("vsock round trip: min %lu median %lu max %lu us, %u echoes",
			   ticks_to_us(t[0]),
			   ticks_to_us((t[VSOCKBENCH_ECHOES / 2 - 1] + t[VSOCKBENCH_ECHOES / 2]) / 2),
			   ticks_to_us(t[VSOCKBENCH_ECHOES - 1]), VSOCKBENCH_ECHOES);
	}
	arch_power_off();
	arch_halt();
}
