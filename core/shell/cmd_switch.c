/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `switch`: the in-Keel L2 switches that join guests' virtio-net devices,
 * their ports with traffic counters and the frames each port had dropped,
 * by reason.
 */
#include <keel/errno.h>
#include <keel/l2switch.h>
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <string.h>

static int switch_list(void)
{
	/* Too big for the shell's stack; the shell runs one command at once. */
	static struct l2switch_info info;
	unsigned int i;

	for (i = 0; l2switch_info_at(i, &info); i++) {
		kprintf("switch %pE: %u port%s (at most %u, %u per guest)\n", info.name,
			info.port_count, info.port_count == 1 ? "" : "s", L2SWITCH_MAX_PORTS,
			L2SWITCH_GROUP_PORTS);
		kprintf("  %-24s  %-17s  %10s  %10s  %10s  %10s  %8s  %8s  %8s  %8s\n", "port",
			"mac", "rx frames", "rx bytes", "tx frames", "tx bytes", "rx full",
			"spoofed", "no dest", "malformed");
		for (unsigned int p = 0; p < info.port_count; p++) {
			const struct l2switch_port_info *port = &info.ports[p];
			const uint8_t *m = port->mac;

			kprintf("  %-24pE  %02x:%02x:%02x:%02x:%02x:%02x  %10llu  %10llu  %10llu  %10llu  %8llu  %8llu  %8llu  %8llu\n",
				port->label, m[0], m[1], m[2], m[3], m[4], m[5],
				(unsigned long long)port->stats.rx_frames,
				(unsigned long long)port->stats.rx_bytes,
				(unsigned long long)port->stats.tx_frames,
				(unsigned long long)port->stats.tx_bytes,
				(unsigned long long)port->stats.rx_full,
				(unsigned long long)port->stats.tx_spoofed,
				(unsigned long long)port->stats.tx_no_dest,
				(unsigned long long)port->stats.tx_malformed);
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
	.help = "list: every switch and per port (guest/device) the device's MAC,\n"
		"the only source address it may send from, and its counters seen\n"
		"from the device: rx what the switch gave it, tx what it sent. Drops:\n"
		"rx full: frames for it that found no receive buffer; spoofed: frames\n"
		"it sent from another source address; no dest: unicast frames it\n"
		"sent to an address no other port has; malformed: frames refused\n"
		"for their length or header.",
	.run = switch_run);
