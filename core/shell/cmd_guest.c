/* SPDX-License-Identifier: GPL-2.0-only */
/* `guest`: load guest nodes and drive guests through their life cycle. */
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/shell_internal.h>
#include <keel/time.h>
#include <string.h>

static void guest_list_one(struct guest *g, void *ctx)
{
	char size[SHELL_SIZE_BUF];
	unsigned int *count = ctx;

	shell_format_size(guest_config_ram_bytes(&g->config), size, sizeof(size));
	kprintf("%-16pE  %-8s  %5u  %9s  ", g->name, guest_state_name(g->state),
		g->config.vcpus, size);
	if (g->state == GUEST_RUNNING || g->state == GUEST_PAUSED)
		kprintf("up %llu.%03llu s",
			(unsigned long long)((time_now_ns() - g->started_ns) / NSEC_PER_SEC),
			(unsigned long long)((time_now_ns() - g->started_ns) / NSEC_PER_MSEC % 1000));
	else if (g->state == GUEST_STOPPED && g->stop_reason[0])
		kprintf("%pE", g->stop_reason);
	kprintf("\n");
	(*count)++;
}

static int guest_list(void)
{
	unsigned int count = 0;

	kprintf("%-16s  %-8s  %5s  %9s  %s\n", "name", "state", "vcpus", "memory", "status");
	guest_for_each(guest_list_one, &count);
	if (!count)
		kprintf("(no guests loaded: `guest load <file.dtb>`, see `ls /guests`)\n");
	return 0;
}

static int guest_load(const char *path)
{
	const struct fs_node *node;
	char err[GUEST_ERROR_MAX];
	int ret = fs_lookup(path, &node);
	void *copy;

	if (ret || node->is_dir) {
		shell_print_path_error("guest load", path, ret ? ret : -KEEL_EISDIR);
		return ret ? ret : -KEEL_EISDIR;
	}
	/* Files in the archive are only 4-byte aligned; libfdt wants 8. */
	copy = kmalloc(node->size);
	if (!copy) {
		kprintf("guest load: %s: not enough memory for a copy\n", path);
		return -KEEL_ENOMEM;
	}
	memcpy(copy, node->data, node->size);
	ret = guest_load_tree(copy, node->size, err, sizeof(err));
	kfree(copy);
	if (ret < 0) {
		kprintf("guest load: %s: %s\n", path, err);
		return ret;
	}
	kprintf("guest load: %d guest node%s loaded from %s\n", ret, ret == 1 ? "" : "s", path);
	return 0;
}

static void guest_info(struct guest *g)
{
	const struct guest_config *c = &g->config;

	kprintf("guest %pE (id %u): %s%s%s\n", g->name, g->id, guest_state_name(g->state),
		g->stop_reason[0] ? ": " : "", g->stop_reason);
	kprintf("  vcpus       %u\n", c->vcpus);
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		kprintf("    vcpu %u     host CPU %u, %s\n", i, g->vcpus[i]->pcpu,
			g->vcpus[i]->power == VCPU_POWER_ON ? "on" : "off");
	for (unsigned int i = 0; i < c->mem_count; i++)
		kprintf("  memory      0x%llx-0x%llx\n", (unsigned long long)c->mem[i].base,
			(unsigned long long)(c->mem[i].base + c->mem[i].size - 1));
	for (unsigned int i = 0; i < c->device_count; i++) {
		const struct guest_device_config *d = &c->devices[i];

		kprintf("  device      %-8pE %-14pE 0x%llx-0x%llx", d->name, d->compatible,
			(unsigned long long)d->base,
			(unsigned long long)(d->base + d->size - 1));
		if (d->has_irq)
			kprintf("  irq %u", d->irq);
		if (d->backend[0])
			kprintf("  %pE", d->backend);
		kprintf("\n");
	}
	kprintf("  kernel      %pE\n", c->boot.kernel);
	if (c->boot.initrd[0])
		kprintf("  initrd      %pE\n", c->boot.initrd);
	if (c->boot.bootargs[0])
		kprintf("  bootargs    %pE\n", c->boot.bootargs);
	if (g->state != GUEST_LOADED)
		kprintf("  entry       0x%llx, device tree at 0x%llx\n",
			(unsigned long long)g->entry, (unsigned long long)g->dtb_gpa);
	if (g->state == GUEST_RUNNING || g->state == GUEST_PAUSED || g->state == GUEST_STOPPED) {
		kprintf("  started     %llu ms ago", (unsigned long long)((time_now_ns() - g->started_ns) / NSEC_PER_MSEC));
		if (g->first_output_ns >= g->started_ns)
			kprintf("; first output %llu us after start",
				(unsigned long long)((g->first_output_ns - g->started_ns) / NSEC_PER_USEC));
		kprintf("\n");
	}
	for (unsigned int i = 0; g->state != GUEST_LOADED && i < g->console_count; i++) {
		struct console_endpoint *ep = guest_console_at(g, i);

		if (ep)
			kprintf("  console     %-8s %llu bytes dropped\n", ep->name,
				(unsigned long long)console_endpoint_dropped(ep));
	}
	kprintf("  unhandled-mmio %s, max-irq-rate %u/s%s\n",
		c->mmio_policy == GUEST_MMIO_ABORT ? "abort" :
		c->mmio_policy == GUEST_MMIO_IGNORE ? "ignore" : "stop",
		c->max_irq_rate, c->autostart ? ", autostart" : "");
}

/* Explains a refused transition in words a user can act on. */
static int guest_refused(const char *action, struct guest *g, int err)
{
	if (err == -KEEL_ENOENT)
		kprintf("guest %s: %s: not created (`guest create %s` first)\n", action,
			g->name, g->name);
	else if (err == -KEEL_EBUSY)
		kprintf("guest %s: %s: not possible while the guest is %s\n", action,
			g->name, guest_state_name(g->state));
	else
		kprintf("guest %s: %s: %s\n", action, g->name, keel_strerror(err));
	return err == -KEEL_EINVAL ? -KEEL_EIO : err;
}

static int guest_action(const char *action, struct guest *g)
{
	char err[GUEST_ERROR_MAX];
	int ret;

	if (!strcmp(action, "create") || (!strcmp(action, "start") && g->state == GUEST_LOADED)) {
		ret = guest_create(g, err, sizeof(err));
		if (ret) {
			kprintf("guest %s: %s\n", action, err);
			return ret == -KEEL_EINVAL ? -KEEL_EIO : ret;
		}
		if (!strcmp(action, "create"))
			return 0;
	}
	if (!strcmp(action, "start"))
		ret = guest_start(g);
	else if (!strcmp(action, "pause"))
		ret = guest_pause(g);
	else if (!strcmp(action, "resume"))
		ret = guest_resume(g);
	else if (!strcmp(action, "reset"))
		ret = guest_reset(g);
	else if (!strcmp(action, "stop"))
		ret = guest_stop(g, "stopped from the shell");
	else if (!strcmp(action, "destroy"))
		ret = guest_destroy(g);
	else if (!strcmp(action, "unload"))
		ret = guest_unload(g);
	else if (!strcmp(action, "info")) {
		guest_info(g);
		return 0;
	} else {
		kprintf("guest: unknown action \"%s\"\n", action);
		return -KEEL_EINVAL;
	}
	return ret ? guest_refused(action, g, ret) : 0;
}

static int guest_run(int argc, char **argv)
{
	struct guest *g;
	int failed = 0;

	if (argc < 2 || !strcmp(argv[1], "list")) {
		if (argc > 2) {
			kprintf("guest list: takes no arguments\n");
			return -KEEL_EINVAL;
		}
		return guest_list();
	}
	if (!strcmp(argv[1], "load")) {
		if (argc != 3) {
			kprintf("guest load: give one device tree file (e.g. /guests/basic0.dtb)\n");
			return -KEEL_EINVAL;
		}
		return guest_load(argv[2]);
	}
	if (argc < 3) {
		kprintf("guest %s: give a guest name (see `guest list`)\n", argv[1]);
		return -KEEL_EINVAL;
	}
	/* Several guests at once: "guest start basic0 basic1". */
	for (int i = 2; i < argc; i++) {
		int ret;

		g = guest_find(argv[i]);
		if (!g) {
			kprintf("guest %s: no guest named \"%s\" (see `guest list`)\n", argv[1], argv[i]);
			failed = -KEEL_ENOENT;
			continue;
		}
		ret = guest_action(argv[1], g);

		if (ret == -KEEL_EINVAL)
			return ret;
		if (ret)
			failed = ret;
	}
	return failed;
}

SHELL_COMMAND(guest,
	.name = "guest",
	.usage = "guest list | load <file.dtb> | create|start|pause|resume|reset|stop|destroy|unload|info <name>...",
	.summary = "load guest nodes, run and manage guests",
	.help = "Life cycle: loaded -> created -> running <-> paused -> stopped.\n"
		"  list              every guest, its state and status\n"
		"  load <file.dtb>   load the guest nodes under /guests of a device tree\n"
		"                    from the image fs (all or nothing; errors name the\n"
		"                    node and property)\n"
		"  create <name>     allocate RAM, vCPUs and devices, load the payload\n"
		"  start <name>      run it (creates it first when only loaded; a stopped\n"
		"                    guest starts again from a fresh payload)\n"
		"  pause / resume    take its vCPUs off the CPUs / put them back; its\n"
		"                    virtual clock stops meanwhile\n"
		"  reset <name>      restart it from the power-on state\n"
		"  stop <name>       stop its vCPUs; memory stays (for `guest info`)\n"
		"  destroy <name>    free everything; the guest stays loaded\n"
		"  unload <name>     forget a loaded, not created guest\n"
		"  info <name>       its configuration and placement\n"
		"Several names may follow an action. `console <name>` attaches to a\n"
		"guest's console; `vcpu list` and `stats <name>` show what it does.",
	.run = guest_run);
