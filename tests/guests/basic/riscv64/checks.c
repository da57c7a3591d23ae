/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 checks: the SBI a guest finds (version, implementation,
 * extensions), a second hart started with SBI HSM and reached with an SBI
 * IPI, the SBI calls Keel must refuse with the error SBI 2.0 names, the
 * FP registers kept apart from other guests', and no vector unit on a
 * host that has one.
 */
#include "riscv64.h"
#include "../arch.h"

#define SECONDARY_CPU 1
#define SBI_SPEC_2_0 0x02000000L
#define SBI_IMPL_ID_KEEL 0x4b45454cL

static struct {
	volatile uint32_t ready;
	volatile uint32_t ipi_received;
	volatile uint32_t stop;
	const char *volatile failure;
} smp;

void secondary_main(unsigned int cpu)
{
	const char *why = arch_irq_init();

	(void)cpu;
	if (why) {
		smp.failure = why;
		fence_all();
		sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0);
		arch_halt();
	}
	fence_all();
	smp.ready = 1;
	fence_all();
	while (!this_cpu()->ipi_count)
		arch_wait_for_interrupt();
	smp.ipi_received = 1;
	fence_all();
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0);     /* hart_stop */
	smp.failure = "SBI HSM hart_stop returned on vCPU 1";
	fence_all();
	arch_halt();
}

static bool smp_wait(const volatile uint32_t *flag, uint64_t ticks)
{
	uint64_t end = arch_counter_read() + ticks;

	while (!*flag && !smp.failure)
		if (arch_counter_read() > end)
			break;
	return *flag != 0;
}

static long hart_status(uint64_t hart)
{
	struct sbiret ret = sbi_call(SBI_EXT_HSM, 2, hart, 0, 0, 0);

	return ret.error ? ret.error : ret.value;
}

static void check_sbi_version(struct check_result *r)
{
	static const struct { uint64_t eid; const char *name; } offered[] = {
		{ SBI_EXT_TIME, "TIME" }, { SBI_EXT_IPI, "IPI" },
		{ SBI_EXT_RFENCE, "RFENCE" }, { SBI_EXT_HSM, "HSM" },
		{ SBI_EXT_SRST, "SRST" }, { SBI_EXT_DBCN, "DBCN" },
	};
	struct sbiret v = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0);
	struct sbiret id = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0, 0);
	struct sbiret pmu = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_PMU, 0, 0, 0);

	if (v.error || v.value != SBI_SPEC_2_0) {
		check_fail(r, "expected SBI spec version 2.0 (0x2000000); got error %ld value 0x%lx",
			   v.error, v.value);
		return;
	}
	if (id.error || id.value != SBI_IMPL_ID_KEEL) {
		check_fail(r, "expected implementation id 0x4b45454c (Keel); got error %ld value 0x%lx",
			   id.error, id.value);
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(offered); i++) {
		struct sbiret p = sbi_call(SBI_EXT_BASE, 3, offered[i].eid, 0, 0, 0);

		if (p.error || p.value != 1) {
			check_fail(r, "expected probe_extension(%s) to return 1; got error %ld value %ld",
				   offered[i].name, p.error, p.value);
			return;
		}
	}
	if (pmu.error || pmu.value) {
		check_fail(r, "expected probe_extension(PMU) to return 0 (not offered); got error %ld value %ld",
			   pmu.error, pmu.value);
		return;
	}
	check_pass(r, "SBI 2.0, implementation Keel; TIME IPI RFENCE HSM SRST DBCN offered, PMU not");
}
CHECK_DEFINE(10, sbi_version, "sbi-version", check_sbi_version, false);

static void check_ipi_hart_start(struct check_result *r)
{
	const char *why = arch_irq_init();
	uint64_t start, end;
	struct sbiret ret;
	long status;

	if (!board.cpu_count) {
		check_skip(r, "no usable /cpus in the DTB");
		return;
	}
	if (board.cpu_count == 1) {
		check_skip(r, "1 vCPU");
		return;
	}
	if (why) {
		check_fail(r, "vCPU 0: %s", why);
		return;
	}
	smp.ready = 0;
	smp.ipi_received = 0;
	smp.failure = NULL;
	cpu_state_of(SECONDARY_CPU)->ipi_count = 0;
	fence_all();
	status = hart_status(SECONDARY_CPU);
	if (status != SBI_HSM_STOPPED) {
		check_fail(r, "expected hart 1 to be STOPPED (1) before hart_start; status %ld", status);
		return;
	}
	ret = sbi_call(SBI_EXT_HSM, 0, SECONDARY_CPU, (uintptr_t)secondary_entry,
		       SECONDARY_CPU, 0);
	if (ret.error) {
		check_fail(r, "expected hart_start(1) to return 0; got %ld", ret.error);
		return;
	}
	if (!smp_wait(&smp.ready, counter_hz)) {
		check_fail(r, "expected hart 1 to signal ready within 1 s; %s",
			   smp.failure ? smp.failure : "it did not");
		return;
	}
	status = hart_status(SECONDARY_CPU);
	ret = sbi_call(SBI_EXT_HSM, 0, SECONDARY_CPU, (uintptr_t)secondary_entry,
		       SECONDARY_CPU, 0);
	if (status != SBI_HSM_STARTED || ret.error != SBI_ERR_ALREADY_AVAILABLE) {
		check_fail(r, "expected a running hart 1 to be STARTED (0) and hart_start of it to return ALREADY_AVAILABLE (-6); status %ld, hart_start %ld",
			   status, ret.error);
		return;
	}
	start = arch_counter_read();
	ret = sbi_call(SBI_EXT_IPI, 0, 1UL << SECONDARY_CPU, 0, 0, 0);
	if (ret.error) {
		check_fail(r, "expected send_ipi(hart 1) to return 0; got %ld", ret.error);
		return;
	}
	if (!smp_wait(&smp.ipi_received, counter_hz)) {
		check_fail(r, "expected hart 1 to take the IPI within 1 s; it did not");
		return;
	}
	end = arch_counter_read();
	do {
		status = hart_status(SECONDARY_CPU);
	} while (status != SBI_HSM_STOPPED && arch_counter_read() - end < counter_hz);
	if (status != SBI_HSM_STOPPED) {
		check_fail(r, "expected hart 1 to be STOPPED (1) within 1 s of hart_stop; status %ld%s%s",
			   status, smp.failure ? ": " : "", smp.failure ? smp.failure : "");
		return;
	}
	check_pass(r, "IPI reached hart 1 in %lu us; hart_stop confirmed", ticks_to_us(end - start));
}
CHECK_DEFINE(50, ipi_hart_start, "ipi-hart-start", check_ipi_hart_start, true);

struct refusal {
	const char *what;
	uint64_t eid, fid, a0, a1, a2, a3;
	long error;
};

static void check_sbi_errors(struct check_result *r)
{
	uint64_t harts = board.cpu_count ? board.cpu_count : 1;
	uint64_t ram_end = board_ram_end();
	const struct refusal refusals[] = {
		{ "hart_start of a hart that does not exist", SBI_EXT_HSM, 0, harts, 0x80200000, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "hart_start of a running hart (this one)", SBI_EXT_HSM, 0, 0, 0x80200000, 0, 0,
		  SBI_ERR_ALREADY_AVAILABLE },
		{ "hart_start outside RAM", SBI_EXT_HSM, 0, harts - 1, 0x1000, 0, 0,
		  harts > 1 ? SBI_ERR_INVALID_ADDRESS : SBI_ERR_ALREADY_AVAILABLE },
		{ "hart_get_status of a hart that does not exist", SBI_EXT_HSM, 2, harts, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "hart_suspend of a reserved type", SBI_EXT_HSM, 3, 1, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "send_ipi to a hart that does not exist", SBI_EXT_IPI, 0, 1UL << harts, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "remote_sfence_vma with a bad mask", SBI_EXT_RFENCE, 1, 1, harts, 0, 4096,
		  SBI_ERR_INVALID_PARAM },
		{ "remote_fence_i with a bad mask", SBI_EXT_RFENCE, 0, 3, harts - 1, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "system_reset of a reserved type", SBI_EXT_SRST, 0, 3, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "system_reset with a reserved reason", SBI_EXT_SRST, 0, 0, 2, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "debug console write outside RAM", SBI_EXT_DBCN, 0, 16, ram_end, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "an unknown extension", 0x0a0000ff, 0, 0, 0, 0, 0, SBI_ERR_NOT_SUPPORTED },
		{ "a legacy v0.1 call (console_putchar)", 0x01, 0, 'x', 0, 0, 0,
		  SBI_ERR_NOT_SUPPORTED },
		{ "an unknown BASE function", SBI_EXT_BASE, 99, 0, 0, 0, 0, SBI_ERR_NOT_SUPPORTED },
		{ "an hfence call of a guest without H", SBI_EXT_RFENCE, 4, 0, ~0UL, 0, 0,
		  SBI_ERR_NOT_SUPPORTED },
	};
	struct sbiret ok;

	for (unsigned int i = 0; i < ARRAY_SIZE(refusals); i++) {
		const struct refusal *c = &refusals[i];
		struct sbiret ret = sbi_call(c->eid, c->fid, c->a0, c->a1, c->a2, c->a3);

		if (ret.error != c->error) {
			check_fail(r, "expected %s to return %ld; got %ld", c->what, c->error,
				   ret.error);
			return;
		}
	}
	ok = sbi_call(SBI_EXT_RFENCE, 0, 0, ~0UL, 0, 0);
	if (ok.error) {
		check_fail(r, "expected remote_fence_i on every hart to return 0; got %ld", ok.error);
		return;
	}
	check_pass(r, "%u bad calls refused as SBI 2.0 says; remote_fence_i on all harts served",
		   (unsigned int)ARRAY_SIZE(refusals));
}
CHECK_DEFINE(55, sbi_errors, "sbi-errors", check_sbi_errors, false);

static void check_sbi_debug_console(struct check_result *r)
{
	static const char text[] = "dbcn: the basic guest's debug console works\r\n";
	struct sbiret w = sbi_call(SBI_EXT_DBCN, 0, sizeof(text) - 1, (uintptr_t)text, 0, 0);
	struct sbiret b = sbi_call(SBI_EXT_DBCN, 2, '\n', 0, 0, 0);

	if (w.error || w.value != (long)sizeof(text) - 1 || b.error) {
		check_fail(r, "expected DBCN write of %u bytes to write them all and write_byte to succeed; write: error %ld value %ld, write_byte: error %ld",
			   (unsigned int)sizeof(text) - 1, w.error, w.value, b.error);
		return;
	}
	check_pass(r, "%ld bytes written through SBI DBCN", w.value);
}
CHECK_DEFINE(80, sbi_debug_console, "sbi-debug-console", check_sbi_debug_console, false);

#define SSTATUS_VS (3UL << 9)
#define SSTATUS_VS_INITIAL (1UL << 9)
#define CAUSE_ILLEGAL_INSTRUCTION 2

/*
 * The guest's ISA string has no V, so a vector instruction must be an
 * illegal instruction, even with sstatus.VS set and a host hart that has
 * V (QEMU rv64,v=true): a hypervisor that let it run would have to switch
 * the vector registers of the guests sharing a host CPU.
 */
static void check_vector_undefined(struct check_result *r)
{
	struct cpu_state *cpu = this_cpu();
	uint64_t vs, vl;
	bool taken;

	csr_set(sstatus, SSTATUS_VS_INITIAL);
	vs = csr_read(sstatus) & SSTATUS_VS;
	cpu->abort_taken = false;
	cpu->expect_abort = true;
	fence_all();
	vl = probe_vsetvli();
	fence_all();
	cpu->expect_abort = false;
	taken = cpu->abort_taken;
	csr_clear(sstatus, SSTATUS_VS);
	if (!taken) {
		check_fail(r, "expected vsetvli to be an illegal instruction (the ISA string has no V); it ran and set vl %lu",
			   vl);
		return;
	}
	if (cpu->abort_cause != CAUSE_ILLEGAL_INSTRUCTION) {
		check_fail(r, "expected vsetvli to raise an illegal-instruction exception (scause 2); got scause %lu",
			   cpu->abort_cause);
		return;
	}
	check_pass(r, "vsetvli is an illegal instruction (sstatus.VS %s)",
		   vs ? "writable" : "reads 0");
}
CHECK_DEFINE(85, vector_undefined, "vector-undefined", check_vector_undefined, false);

#define SSTATUS_FS (3UL << 13)
#define FP_ROUNDS 40
#define FP_WORDS 33	/* f0..f31, fcsr */

void fp_fill(uint64_t seed);
void fp_dump(uint64_t out[FP_WORDS]);

/*
 * A guest's FP registers are its own: it fills f0..f31 and fcsr with
 * values of its own, sleeps 1 ms so that another guest sharing this CPU
 * runs - one that writes different values in the same check - and reads
 * them back, FP_ROUNDS times. Keel switches FP state lazily (a CPU keeps
 * the registers of the vCPU that used them last), which this exercises
 * whenever two vCPUs share a CPU.
 */
static void check_fp_registers(struct check_result *r)
{
	uint64_t seed = arch_counter_read() * 0x9e3779b97f4a7c15UL, at;
	uint64_t got[FP_WORDS];
	const char *why = arch_irq_init();

	if (why) {
		check_fail(r, "%s", why);
		return;
	}
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	if (!(csr_read(sstatus) & SSTATUS_FS)) {
		check_fail(r, "expected sstatus.FS to be writable (the ISA string names F and D); it reads 0");
		return;
	}
	for (unsigned int round = 0; round < FP_ROUNDS; round++) {
		uint64_t base = seed + round * 0x100;

		fp_fill(base);
		arch_timer_start(arch_counter_read() + counter_hz / 1000);
		while (!arch_timer_fired(&at))
			arch_wait_for_interrupt();
		arch_timer_stop();
		fp_dump(got);
		for (unsigned int i = 0; i < FP_WORDS; i++) {
			uint64_t want = i < 32 ? base + i : (base & 0x7f);

			if (got[i] != want) {
				csr_clear(sstatus, SSTATUS_FS);
				if (i < 32)
					check_fail(r, "round %u: expected f%u to keep 0x%lx across 1 ms asleep; read 0x%lx",
						   round, i, want, got[i]);
				else
					check_fail(r, "round %u: expected fcsr to keep 0x%lx across 1 ms asleep; read 0x%lx",
						   round, want, got[i]);
				return;
			}
		}
	}
	csr_clear(sstatus, SSTATUS_FS);
	check_pass(r, "%u rounds of 1 ms kept this guest's f0..f31 and fcsr", FP_ROUNDS);
}
CHECK_DEFINE(84, fp_registers, "fp-registers", check_fp_registers, false);
