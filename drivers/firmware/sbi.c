/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RISC-V SBI firmware (OpenSBI) as Keel's platform power interface:
 * secondary harts through HSM hart_start, reboot and power off through
 * SRST; and, only when no driver serves /chosen/stdout-path, its console
 * (DBCN, else the legacy putchar), for output only. No device-tree node
 * describes SBI, so the drivers probe by calling the firmware
 * (arch/riscv64/cpu/sbi.c).
 */
#include <keel/console.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <arch/sbi.h>

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_HSM_HART_START 0
#define SBI_SRST_SYSTEM_RESET 0
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0

static int sbi_to_keel_error(long error)
{
	switch (error) {
	case SBI_SUCCESS:
		return 0;
	case SBI_ERR_NOT_SUPPORTED:
		return -KEEL_ENOTSUP;
	case SBI_ERR_INVALID_PARAM:
	case SBI_ERR_INVALID_ADDRESS:
		return -KEEL_EINVAL;
	case SBI_ERR_DENIED:
		return -KEEL_EPERM;
	case SBI_ERR_ALREADY_AVAILABLE:
	case SBI_ERR_ALREADY_STARTED:
		return -KEEL_EBUSY;
	default:
		return -KEEL_EIO;
	}
}

static void sbi_system_reset(unsigned long type)
{
	struct sbiret ret = sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, type,
				     SBI_SRST_REASON_NONE, 0);

	/* Only returns on failure. */
	log_error("sbi: system reset (type %lu) failed: error %ld", type, ret.error);
}

static void sbi_reboot(void)
{
	sbi_system_reset(SBI_SRST_COLD_REBOOT);
}

static void sbi_poweroff(void)
{
	sbi_system_reset(SBI_SRST_SHUTDOWN);
}

/* The hart starts at entry in S-mode with a0 = its hart id, a1 = context. */
static int sbi_cpu_on(uint64_t hwid, hpa_t entry, uint64_t context)
{
	return sbi_to_keel_error(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hwid,
					  entry, context).error);
}

static struct platform_power_ops sbi_power_ops = { .name = "sbi" };

static const char *sbi_impl_name(long id)
{
	static const char *const names[] = {
		"Berkeley Boot Loader", "OpenSBI", "Xvisor", "KVM", "RustSBI",
		"Diosix", "Coffer", "Xen", "PolarFire HSS",
	};

	return id >= 0 && (unsigned long)id < ARRAY_SIZE(names) ? names[id] : "unknown";
}

static int sbi_probe_firmware(const void *fdt, int node)
{
	struct sbiret version, impl, impl_version;

	sbi_probe();
	version = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
	if (version.error != SBI_SUCCESS) {
		log_error("sbi: the firmware implements SBI v0.1 only; Keel needs v0.2 or later (HSM, SRST)");
		return -KEEL_ENOTSUP;
	}
	impl = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0);
	impl_version = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0);
	if (sbi_has(SBI_EXT_HSM))
		sbi_power_ops.cpu_on = sbi_cpu_on;
	if (sbi_has(SBI_EXT_SRST)) {
		sbi_power_ops.reboot = sbi_reboot;
		sbi_power_ops.poweroff = sbi_poweroff;
	}
	platform_set_power_ops(&sbi_power_ops);
	log_info("sbi: SBI v%ld.%ld, %s (implementation version 0x%lx);%s%s%s%s%s%s",
		 (version.value >> 24) & 0x7f, version.value & 0xffffff,
		 sbi_impl_name(impl.value), impl_version.value,
		 sbi_has(SBI_EXT_TIME) ? " TIME" : "", sbi_has(SBI_EXT_IPI) ? " IPI" : "",
		 sbi_has(SBI_EXT_RFENCE) ? " RFENCE" : "", sbi_has(SBI_EXT_HSM) ? " HSM" : "",
		 sbi_has(SBI_EXT_SRST) ? " SRST" : "", sbi_has(SBI_EXT_DBCN) ? " DBCN" : "");
	if (!sbi_has(SBI_EXT_HSM))
		log_warn("sbi: no HSM extension; secondary harts stay offline");
	if (!sbi_has(SBI_EXT_SRST))
		log_warn("sbi: no SRST extension; reboot and poweroff unavailable");
	return 0;
}

HOST_DRIVER(sbi, .name = "sbi", .class = DRIVER_CLASS_FIRMWARE,
	    .compatible = NULL, .probe = sbi_probe_firmware);

/* Polled and output-only: SBI has no receive interrupt. */
static void sbi_console_write(char c)
{
	sbi_console_putc(c);
}

static const struct console_ops sbi_console_ops = {
	.name = "sbi",
	.putc = sbi_console_write,
};

static int sbi_console_probe(const void *fdt, int node)
{
	sbi_probe();
	if (!sbi_has(SBI_EXT_DBCN) && !sbi_has(SBI_EXT_LEGACY_CONSOLE_PUTCHAR))
		return -KEEL_ENOENT;
	console_register(&sbi_console_ops);
	return 0;
}

HOST_DRIVER(sbi_console, .name = "sbi-console", .class = DRIVER_CLASS_CONSOLE,
	    .compatible = NULL, .probe = sbi_console_probe);
