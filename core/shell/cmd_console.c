/* SPDX-License-Identifier: GPL-2.0-only */
/* `console`: the host terminal becomes a guest's console until detached. */
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>
#include <arch/cpu.h>
#include <string.h>

/* Ctrl-] detaches, as in telnet; QEMU keeps Ctrl-A for itself. */
#define CONSOLE_DETACH_KEY 0x1d

static bool console_guest_alive(const struct guest *g)
{
	enum guest_state s = READ_ONCE(g->state);

	return s == GUEST_RUNNING || s == GUEST_PAUSED || s == GUEST_CREATED ||
	       READ_ONCE(g->reset_pending);
}

static int console_run(int argc, char **argv)
{
	struct guest *g;
	bool replay = true;

	if (argc == 3 && !strcmp(argv[2], "--new")) {
		replay = false;
	} else if (argc != 2) {
		kprintf("console: give a guest name (see `guest list`)\n");
		return -KEEL_EINVAL;
	}
	g = guest_find(argv[1]);
	if (!g) {
		kprintf("console: no guest named \"%s\" (see `guest list`)\n", argv[1]);
		return -KEEL_ENOENT;
	}
	if (g->state == GUEST_LOADED) {
		kprintf("console: guest %s is not created (`guest start %s`)\n", g->name, g->name);
		return -KEEL_ENOENT;
	}
	kprintf("[console %s: attached; Ctrl-] detaches]\n", g->name);
	guest_console_attach(g, replay);
	for (;;) {
		int c;

		/* As console_getc_wait(): check and idle with interrupts
		 * masked, so a key or a guest stopping is never missed. */
		arch_irq_disable();
		c = console_getc();
		if (c < 0 && console_guest_alive(g))
			cpu_idle_once();
		arch_irq_enable();
		if (c == CONSOLE_DETACH_KEY)
			break;
		if (c >= 0) {
			char ch = (char)c;

			guest_console_input(g, &ch, 1);
			continue;
		}
		if (!console_guest_alive(g)) {
			guest_console_detach(g);
			kprintf("\n[console %s: guest %s%s%s]\n", g->name,
				guest_state_name(g->state), g->stop_reason[0] ? ": " : "",
				g->stop_reason);
			return 0;
		}
	}
	guest_console_detach(g);
	kprintf("\n[console %s: detached]\n", g->name);
	return 0;
}

SHELL_COMMAND(console,
	.name = "console",
	.usage = "console <guest> [--new]",
	.summary = "attach the terminal to a guest's console (Ctrl-] detaches)",
	.help = "Output the guest wrote while nobody was attached is shown first\n"
		"(the last 16 KiB); --new skips it. Keys go to the guest's UART.\n"
		"Ctrl-] detaches; the command also ends when the guest stops.",
	.run = console_run);
