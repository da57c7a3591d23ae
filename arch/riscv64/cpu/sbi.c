/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SBI calls Keel's riscv64 code makes (arch/sbi.h), and the probe of
 * which extensions the firmware offers. Probing asks the firmware only:
 * it is safe before anything else is up, and more than once.
 */
#include <keel/platform.h>
#include <arch/boot.h>
#include <arch/sbi.h>

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI 0
#define SBI_RFENCE_REMOTE_FENCE_I 0
#define SBI_DBCN_WRITE_BYTE 2
#define SBI_LEGACY_SET_TIMER 0x00

static const unsigned long probed_exts[] = {
	SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST,
	SBI_EXT_DBCN, SBI_EXT_LEGACY_CONSOLE_PUTCHAR,
};

static bool sbi_probed;
static bool sbi_present[ARRAY_SIZE(probed_exts)];

void sbi_probe(void)
{
	struct sbiret ret;

	if (READ_ONCE(sbi_probed))
		return;
	/* SBI v0.1 firmware knows no BASE extension: nothing is offered. */
	ret = sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
	if (ret.error == SBI_SUCCESS) {
		for (unsigned int i = 0; i < ARRAY_SIZE(probed_exts); i++) {
			ret = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION,
				       probed_exts[i], 0, 0);
			sbi_present[i] = ret.error == SBI_SUCCESS && ret.value != 0;
		}
	}
	WRITE_ONCE(sbi_probed, true);
}

bool sbi_has(unsigned long ext)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(probed_exts); i++)
		if (probed_exts[i] == ext)
			return sbi_present[i];
	return false;
}

long sbi_send_ipi_hart(uint64_t hartid)
{
	/* One hart: mask bit 0 relative to hart_mask_base = hartid. */
	return sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, hartid, 0).error;
}

void sbi_set_timer(uint64_t when)
{
	if (sbi_has(SBI_EXT_TIME))
		sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when, 0, 0);
	else
		sbi_call(SBI_LEGACY_SET_TIMER, 0, when, 0, 0);
}

long sbi_remote_fence_i_all(void)
{
	if (!sbi_has(SBI_EXT_RFENCE))
		return SBI_ERR_NOT_SUPPORTED;
	/* hart_mask_base -1: every hart the firmware runs. */
	return sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, 0,
			(unsigned long)-1, 0).error;
}

bool sbi_console_putc(char c)
{
	if (sbi_has(SBI_EXT_DBCN))
		return sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, (uint8_t)c, 0, 0).error ==
		       SBI_SUCCESS;
	if (sbi_has(SBI_EXT_LEGACY_CONSOLE_PUTCHAR)) {
		sbi_call(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, 0, (uint8_t)c, 0, 0);
		return true;
	}
	return false;
}
