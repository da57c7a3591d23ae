/* SPDX-License-Identifier: GPL-2.0-only */
/* Steps of the boot sequence (core/init.c shows them in order). */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

#include <keel/types.h>

/* Records host RAM and every range that must stay untouched (Keel's image,
 * the device tree, the initrd, /memreserve/ and /reserved-memory), then
 * hands the rest to the page allocator. */
int host_memory_init(const void *fdt, hpa_t image_start, hpa_t image_end);
/* Finds the CPUs in /cpus; the calling CPU becomes CPU 0. */
int smp_discover_cpus(const void *fdt, uint64_t boot_hwid);
/* Starts every other CPU at entry and waits for each to come online. */
void smp_start_secondaries(hpa_t entry);
/* Marks the calling CPU online (secondary CPUs, once set up). */
void smp_cpu_online(unsigned int cpu);
/* Idles the calling CPU forever, counting idle time. */
__noreturn void cpu_idle_loop(void);
/* Finds the initrd through /chosen and mounts it as the image fs. */
void initrd_mount(const void *fdt);
/* Where the initrd is, or false when there is none. */
bool initrd_range(const void *fdt, hpa_t *start, hpa_t *end);
/* Runs /boot.keel and the keel.bootcmd= commands from /chosen/bootargs. */
void boot_scripts_run(const void *fdt);

#endif
