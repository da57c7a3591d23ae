/* SPDX-License-Identifier: GPL-2.0-only */
/* `console`: the host terminal becomes a guest's console until detached. */
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>
#include <arch/cpu.h>
#include <lib/format.h>
#include <string.h>

/* Ctrl-] detaches, as in telnet; QEMU keeps Ctrl-A for itself. */
#define CONSOLE_DETACH_KEY 0x1d

/* "ttyAMA0, hvc0": the endpoints of g, for a message. */
static void console_list_endpoints(struct guest *g, char *buf, size_t len)
{
	struct console_endpoint *ep;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; (ep = guest_console_at(g, i)) && used < len; i++) {
		int n = fmt_snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				     ep->name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int console_run(int argc, char **argv)
{
	struct console_endpoint *ep;
	const char *endpoint = NULL;
	char label[2 * GUEST_NAME_MAX];
	struct guest *g;
	bool replay = true;

	if (argc < 2 || argc > 4) {
		kprintf("console: give a guest name (see `guest list`)\n");
		return -KEEL_EINVAL;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--new") && replay) {
			replay = false;
		} else if (argv[i][0] != '-' && !endpoint) {
			endpoint = argv[i];
		} else {
			kprintf("console: unexpected \"%s\"; usage: console <guest> [<endpoint>] [--new]\n",
				argv[i]);
			return -KEEL_EINVAL;
		}
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
	ep = guest_console_find(g, endpoint);
	if (!ep) {
		char names[128];

		console_list_endpoints(g, names, sizeof(names));
		kprintf("console: guest %s has no console \"%s\"; it has: %s\n", g->name,
			endpoint, names);
		return -KEEL_ENOENT;
	}
	/* Endpoint 0 is just the guest's name, as it always was. */
	if (ep == &g->console)
		fmt_snprintf(label, sizeof(label), "%s", g->name);
	else
		fmt_snprintf(label, sizeof(label), "%s %s", g->name, ep->name);
	kprintf("[console %s: attached; Ctrl-] detaches]\n", label);
	console_endpoint_attach(ep, replay);
	for (;;) {
		int c;

		/* As console_getc_wait(): check and idle with interrupts
		 * masked, so a key or a guest stopping is never missed. */
		arch_irq_disable();
		c = console_getc();
		if (c < 0 && guest_is_live(g))
			cpu_idle_once();
		arch_irq_enable();
		if (c == CONSOLE_DETACH_KEY)
			break;
		if (c >= 0) {
			char ch = (char)c;

			console_endpoint_input(ep, &ch, 1);
			continue;
		}
		if (!guest_is_live(g)) {
			console_endpoint_detach(ep);
			console_start_line();
			kprintf("[console %s: guest %s%s%s]\n", label,
				guest_state_name(READ_ONCE(g->state)), g->stop_reason[0] ? ": " : "",
				g->stop_reason);
			return 0;
		}
	}
	console_endpoint_detach(ep);
	console_start_line();
	kprintf("[console %s: detached]\n", label);
	return 0;
}

SHELL_COMMAND(console,
	.name = "console",
	.usage = "console <guest> [<endpoint>] [--new]",
	.summary = "attach the terminal to a guest's console (Ctrl-] detaches)",
	.help = "Output the guest wrote while nobody was attached is shown first\n"
		"(the last 16 KiB); --new skips it. Keys go to the device behind\n"
		"the console. A guest has one console per console device: its UART\n"
		"(ttyAMA0 on arm64, ttyS0 on riscv64) and e.g. hvc0 (a virtio\n"
		"console); without <endpoint>\n"
		"the UART's, or the first other one when there is no UART.\n"
		"Ctrl-] detaches; the command also ends when the guest stops.\n"
		"The guest never waits for the terminal: output the terminal cannot\n"
		"keep up with is dropped, oldest first, and marked\n"
		"\"[console <guest>: N bytes dropped]\" (counted in `guest info`).",
	.run = console_run);
