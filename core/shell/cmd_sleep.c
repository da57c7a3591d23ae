/* SPDX-License-Identifier: GPL-2.0-only */
/* `sleep`: waits on a timer event; in scripts, and a check of the timer. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell_internal.h>
#include <keel/time.h>
#include <stdlib.h>

#define SLEEP_MAX_MS (3600 * 1000UL)

static void sleep_wake(struct timer_event *event, void *arg)
{
	WRITE_ONCE(*(bool *)arg, true);
}

static int sleep_run(int argc, char **argv)
{
	struct timer_event event = { .fn = sleep_wake };
	volatile bool done = false;
	unsigned long ms;
	char *end;
	uint64_t start;

	if (argc != 2) {
		kprintf("sleep: give one number of milliseconds\n");
		return -KEEL_EINVAL;
	}
	ms = strtoul(argv[1], &end, 10);
	if (end == argv[1] || *end || ms > SLEEP_MAX_MS) {
		kprintf("sleep: \"%s\" is not a number of milliseconds from 0 to %lu\n",
			argv[1], SLEEP_MAX_MS);
		return -KEEL_EINVAL;
	}
	start = time_now_ns();
	event.arg = (void *)&done;
	timer_event_add(&event, start + ms * NSEC_PER_MSEC);
	/* The timer interrupt sets done; until then this CPU idles. */
	while (!done)
		cpu_idle_once();
	return 0;
}

SHELL_COMMAND(sleep,
	.name = "sleep",
	.usage = "sleep <milliseconds>",
	.summary = "wait, idle, for a number of milliseconds",
	.help = "The wait is a timer event on this CPU: the CPU sleeps until\n"
		"the timer interrupt wakes it. Console input typed meanwhile\n"
		"is kept for the next prompt.",
	.run = sleep_run);
