/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `switch`: the in-Keel L2 switches that join guests' virtio-net devices,
 * their ports with counters, and how many addresses each has learned.
 */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <lib/l2switch.h>
#include <string.h>

static int switch_list(void)
{
	/* Too big for the shell's stack; the shell runs one command at once. */
	static struct l2switch_info info;
	unsigned int i;

	for (i = 0; l2switch_info_at(i, &info); i++) {
		kprintf("switch %s: %u port%s, %u learned address%s\n", info.name,
			info.port_count, info.port_count == 1 ? "" : "s", info.mac_count,
			info.mac_count == 1 ? "" : "es");
		kprintf("  %-24s  %-17s  %10s  %10s  %10s  %10s  %8s  %8s\n", "port", "mac",
			"rx frames", "rx bytes", "tx frames", "tx bytes", "rx drops",
			"tx drops");
		for (unsigned int p = 0; p < info.port_count; p++) {
			const struct l2switch_port_info *port = &info.ports[p];
			const uint8_t *m = port->mac;

			kprintf("  %-24s  %02x:%02x:%02x:%02x:%02x:%02x  %10llu  %10llu  %10llu  %10llu  %8llu  %8llu\n",
				port->label, m[0], m[1], m[2], m[3], m[4], m[5],
				(unsigned long long)port->stats.rx_frames,
				(unsigned long long)port->stats.rx_bytes,
				(unsigned long long)port->stats.tx_frames,
				(unsigned long long)port->stats.tx_bytes,
				(unsigned long long)port->stats.rx_drops,
				(unsigned long long)port->stats.tx_drops);
		}
	}
	if (!i)
		kprintf("(no switches: a guest's \"virtio,net\" device with backend \"switch:<name>\" makes one when the guest is created)\n");
	return 0;
}

static int switch_run(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return switch_list();
	kprintf("switch: give \"list\"\n");
	return -KEEL_EINVAL;
}

SHELL_COMMAND(switch,
	.name = "switch",
	.usage = "switch list",
	.summary = "L2 switches joining the guests' virtio-net devices",
	.help = "list: every switch, its number of learned MAC addresses, and per\n"
		"port (guest/device) the device's MAC and counters seen from the\n"
		"device: rx what the switch gave it, tx what it sent; rx drops are\n"
		"frames it had no receive buffer for, tx drops frames refused for\n"
		"their length.",
	.run = switch_run);
