/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The file systems init needs. The initramfs is the root and stays so;
 * nothing here is fatal, since a missing mount shows up as a failing check
 * with a clearer reason than init could give now.
 */
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "init.h"

struct mount_point {
	const char *source, *target, *type;
	unsigned long flags;
	const char *options;
};

static const struct mount_point mount_points[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	/* Device nodes appear as drivers probe: /dev/vda, /dev/hwrng, ... */
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
	/* Without CONFIG_SHMEM the kernel's "tmpfs" is ramfs: still fine. */
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
};

void mounts_setup(void)
{
	for (size_t i = 0; i < sizeof(mount_points) / sizeof(mount_points[0]); i++) {
		const struct mount_point *m = &mount_points[i];

		mkdir(m->target, 0755);
		if (mount(m->source, m->target, m->type, m->flags, m->options) &&
		    errno != EBUSY)
			console_print("mount %s on %s: %m", m->type, m->target);
	}
}
