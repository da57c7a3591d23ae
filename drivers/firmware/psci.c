/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PSCI client: how Keel starts secondary CPUs, reboots and powers off the
 * machine. The conduit (SMC or HVC) comes from the /psci node's "method".
 */
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <libfdt.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED -1
#define PSCI_INVALID_PARAMETERS -2
#define PSCI_DENIED -3
#define PSCI_ALREADY_ON -4

static bool psci_use_hvc;

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (psci_use_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
				 "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
				 "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

static int psci_error(int64_t ret)
{
	switch (ret) {
	case PSCI_SUCCESS: return 0;
	case PSCI_NOT_SUPPORTED: return -KEEL_ENOTSUP;
	case PSCI_INVALID_PARAMETERS: return -KEEL_EINVAL;
	case PSCI_ALREADY_ON: return -KEEL_EBUSY;
	default: return -KEEL_EIO;
	}
}

static int psci_cpu_on(uint64_t hwid, hpa_t entry, uint64_t context)
{
	return psci_error(psci_call(PSCI_CPU_ON, hwid, entry, context));
}

static void psci_reboot(void)
{
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

static void psci_poweroff(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

static const struct platform_power_ops psci_power_ops = {
	.name = "psci",
	.reboot = psci_reboot,
	.poweroff = psci_poweroff,
	.cpu_on = psci_cpu_on,
};

static int psci_probe(const void *fdt, int node)
{
	const char *method = fdt_getprop(fdt, node, "method", NULL);
	int64_t version;

	if (!method) {
		log_error("psci: node %s has no \"method\" (\"smc\" or \"hvc\")",
			  fdt_get_name(fdt, node, NULL));
		return -KEEL_EINVAL;
	}
	if (strcmp(method, "hvc") == 0) {
		psci_use_hvc = true;
	} else if (strcmp(method, "smc") != 0) {
		log_error("psci: unknown method \"%s\" (expected \"smc\" or \"hvc\")", method);
		return -KEEL_EINVAL;
	}
	version = psci_call(PSCI_VERSION, 0, 0, 0);
	platform_set_power_ops(&psci_power_ops);
	log_info("psci: version %lld.%lld over %s", (long long)(version >> 16),
		 (long long)(version & 0xffff), method);
	return 0;
}

static const char *const psci_compatible[] = {
	"arm,psci-1.0", "arm,psci-0.2", "arm,psci", NULL
};

HOST_DRIVER(psci, .name = "psci", .class = DRIVER_CLASS_FIRMWARE,
	    .compatible = psci_compatible, .probe = psci_probe);
