/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 side of the attack mode: vCPU 1 started with SBI HSM,
 * probing accesses of every width, and the attacks with a RISC-V meaning:
 * IPI, timer and SBI storms, the reset storm, counters Keel does not
 * offer, the MMIO sweep over the PLIC and the devices, fetches from
 * nowhere; and riscv64's own (arch_attacks()): an FP load from a device,
 * SBI calls with bad arguments, and the decode fetch race. Attacks on
 * arm64-only machinery (the vGIC, the generic timer's level, debug
 * registers) have no riscv64 counterpart and say so as a failure, so a
 * scenario that asks for one on riscv64 cannot pass by accident.
 */
#include "riscv64.h"
#include "../arch.h"
#include "../attacks.h"

uint64_t attack_read8(uintptr_t addr);
uint64_t attack_read16(uintptr_t addr);
uint64_t attack_read32(uintptr_t addr);
uint64_t attack_read64(uintptr_t addr);
void attack_write8(uintptr_t addr, uint8_t value);
void attack_write16(uintptr_t addr, uint16_t value);
void attack_write32(uintptr_t addr, uint32_t value);
void attack_write64(uintptr_t addr, uint64_t value);
uint64_t attack_read_cycle(void);
uint64_t attack_read_instret(void);
uint64_t attack_read_hpmcounter3(void);
void attack_secondary_entry(void);
void attack_secondary_main(unsigned int cpu);

static bool probe_end_taken(uint64_t *syndrome)
{
	struct cpu_state *cpu = this_cpu();

	fence_all();
	cpu->expect_abort = false;
	if (cpu->abort_taken && syndrome)
		*syndrome = cpu->abort_cause;
	return cpu->abort_taken;
}

static void probe_start(void)
{
	struct cpu_state *cpu = this_cpu();

	cpu->abort_taken = false;
	cpu->expect_abort = true;
	fence_all();
}

bool arch_attack_read(uintptr_t addr, unsigned int bytes, uint64_t *value,
		      uint64_t *syndrome)
{
	uint64_t v;

	probe_start();
	switch (bytes) {
	case 1:
		v = attack_read8(addr);
		break;
	case 2:
		v = attack_read16(addr);
		break;
	case 4:
		v = attack_read32(addr);
		break;
	default:
		v = attack_read64(addr);
		break;
	}
	if (probe_end_taken(syndrome)) {
		*value = 0;
		return true;
	}
	*value = v;
	return false;
}

bool arch_attack_write(uintptr_t addr, unsigned int bytes, uint64_t value,
		       uint64_t *syndrome)
{
	probe_start();
	switch (bytes) {
	case 1:
		attack_write8(addr, (uint8_t)value);
		break;
	case 2:
		attack_write16(addr, (uint16_t)value);
		break;
	case 4:
		attack_write32(addr, (uint32_t)value);
		break;
	default:
		attack_write64(addr, value);
		break;
	}
	return probe_end_taken(syndrome);
}

/* ------------------------------------------------------------ vCPU 1 --- */

static void (*volatile cpu1_fn)(void *);
static void *volatile cpu1_arg;

const char *arch_attack_cpu_on(void (*fn)(void *), void *arg)
{
	struct sbiret ret;

	cpu1_fn = fn;
	cpu1_arg = arg;
	cpu_state_of(1)->expect_abort = false;
	fence_all();
	ret = sbi_call(SBI_EXT_HSM, 0, 1, (uintptr_t)attack_secondary_entry, 1, 0);
	if (ret.error) {
		static char why[64];

		format_string(why, sizeof(why), "SBI HSM hart_start of hart 1 returned %ld",
			      ret.error);
		return why;
	}
	return NULL;
}

void attack_secondary_main(unsigned int cpu)
{
	(void)cpu;
	cpu1_fn(cpu1_arg);
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0);
	arch_halt();
}

/* ------------------------------------------------------------ storms --- */

void arch_attack_sgi_storm(void)
{
	uint64_t last = arch_counter_read(), sent = 0;

	arch_irq_init();
	csr_set(sstatus, SSTATUS_SIE);
	for (;;) {
		sbi_call(SBI_EXT_IPI, 0, 0, ~0UL, 0, 0);    /* every hart */
		sent++;
		if (attack_second_passed(&last))
			attack_note("%lu IPIs sent, %lu taken", sent, this_cpu()->ipi_count);
	}
}

void arch_attack_timer_storm(void)
{
	uint64_t last = arch_counter_read(), n = 0;

	for (;;) {
		sbi_set_timer(arch_counter_read() + 1 + (n & 0xf));
		n++;
		if (attack_second_passed(&last))
			attack_note("%lu timer writes", n);
	}
}

void arch_attack_psci_storm(void)
{
	uint64_t last = arch_counter_read(), n = 0;

	for (;;) {
		sbi_call(SBI_EXT_HSM, 2, 1, 0, 0, 0);
		n++;
		if (attack_second_passed(&last))
			attack_note("%lu SBI calls", n);
	}
}

void arch_attack_reset_storm(void)
{
	attack_note("SBI system reset (cold reboot)");
	arch_reset();
	attack_fail("SBI system reset returned");
	arch_halt();
}

void arch_attack_timer_reset_race(void)
{
	attack_fail("timer-reset-race races the arm64 generic timer; riscv64 has no counterpart");
	arch_halt();
}

/* ----------------------------------------------------- probes, faults --- */

/* cycle, instret and the hardware performance counters are not offered
 * to guests: reading each must raise an illegal-instruction exception in
 * the guest (which the probe skips), never return a host count. */
void arch_attack_pmu_probe(void)
{
	static const struct {
		const char *name;
		uint64_t (*read)(void);
	} counters[] = {
		{ "cycle", attack_read_cycle },
		{ "instret", attack_read_instret },
		{ "hpmcounter3", attack_read_hpmcounter3 },
	};
	uint64_t cause = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(counters); i++) {
		uint64_t value;

		probe_start();
		value = counters[i].read();
		if (!probe_end_taken(&cause)) {
			attack_fail("reading %s returned 0x%lx; expected an illegal-instruction exception",
				    counters[i].name, value);
			return;
		}
		if (cause != 2) {
			attack_fail("reading %s raised exception %lu; expected an illegal instruction (2)",
				    counters[i].name, cause);
			return;
		}
	}
	attack_pass("cycle, instret and hpmcounter3 are illegal instructions in the guest");
}

void arch_attack_debug_probe(void)
{
	attack_fail("debug-probe probes arm64 debug registers; riscv64 has no counterpart");
}

/* ------------------------------------------------------------ mmio-sweep --- */

bool arch_attack_refused(uint64_t cause, bool write)
{
	return cause == (write ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS);
}

const char arch_attack_refusal[] = "a load or store access fault";

/* The PLIC (docs/guest-binding.md: 0x200000 + 0x2000 per vCPU, two
 * contexts of 0x1000 each, 8 vCPUs reserved): every width over each
 * register bank's first part, words over the rest; the contexts of this
 * guest's two vCPUs, of vCPUs it does not have, and past the window; the
 * UART and every virtio-mmio window whole; space with nothing there. */
void arch_attack_mmio_sweep(void)
{
	const unsigned int all = 0xf;
	struct sweep_range ranges[24 + BASIC_MAX_VIRTIO_MMIO];
	unsigned int n = 0;

	ranges[n++] = (struct sweep_range){ "plic-priority", PLIC_BASE, 0x200, all };
	ranges[n++] = (struct sweep_range){ "plic-priority", PLIC_BASE + 0x200, 0xe00, 0x4 };
	ranges[n++] = (struct sweep_range){ "plic-pending", PLIC_BASE + 0x1000, 0x100, all };
	ranges[n++] = (struct sweep_range){ "plic-enable", PLIC_BASE + 0x2000, 0x200, all };
	ranges[n++] = (struct sweep_range){ "plic-enable-of-nobody", PLIC_BASE + 0x2200, 0x600,
					    0x4 };
	for (unsigned int c = 0; c < 4; c++) {
		uintptr_t ctx = PLIC_BASE + 0x200000 + c * 0x1000;

		ranges[n++] = (struct sweep_range){ "plic-context", ctx, 0x40, all };
		ranges[n++] = (struct sweep_range){ "plic-context", ctx + 0x40, 0xfc0, 0x4 };
	}
	ranges[n++] = (struct sweep_range){ "plic-context-of-nobody", PLIC_BASE + 0x204000, 0x40,
					    all };
	ranges[n++] = (struct sweep_range){ "plic-context-of-nobody", PLIC_BASE + 0x20f000, 0x40,
					    all };
	ranges[n++] = (struct sweep_range){ "plic-past-the-window", PLIC_BASE + 0x210000, 0x40,
					    all };
	ranges[n++] = (struct sweep_range){ "plic-end", PLIC_BASE + 0x3fffc0, 0x40, all };
	ranges[n++] = (struct sweep_range){ "uart", UART_BASE, 0x100, all };
	ranges[n++] = (struct sweep_range){ "past-the-uart", UART_BASE + 0x100, 0x100, all };
	for (unsigned int i = 0; i < board.virtio_mmio_count; i++)
		ranges[n++] = (struct sweep_range){ "virtio-mmio", board.virtio_mmio[i].base,
						    board.virtio_mmio[i].size, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x00001000, 0x100, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x02000000, 0x100, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x30000000, 0x100, all };
	ranges[n++] = (struct sweep_range){ "unmapped", 0x40000000, 0x100, all };

	attack_mmio_sweep(ranges, n);
}

/* -------------------------------------------------------- fetch-unmapped --- */

/* Calls to guest-physical addresses with no RAM (a device, no device,
 * past the PLIC's window, past RAM): each must give the guest an
 * instruction access fault at that address. */
void arch_attack_fetch_unmapped(void)
{
	const uintptr_t targets[] = {
		0x30000000, (uintptr_t)board_ram_end() + 0x100000, PLIC_BASE + 0x210000,
		UART_BASE,
	};
	struct cpu_state *cpu = this_cpu();
	unsigned int good = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(targets); i++) {
		void (*fn)(void) = (void (*)(void))targets[i];

		cpu->fetch_taken = false;
		cpu->fetch_expect = targets[i];
		fence_all();
		fn();
		fence_all();
		cpu->fetch_expect = 0;
		if (!cpu->fetch_taken)
			attack_fail("a call to 0x%lx (no RAM) returned without an exception",
				    targets[i]);
		else if (cpu->fetch_cause != CAUSE_FETCH_ACCESS || cpu->fetch_tval != targets[i])
			attack_fail("a call to 0x%lx: expected an instruction access fault (1) with stval 0x%lx; got scause %lu stval 0x%lx",
				    targets[i], targets[i], cpu->fetch_cause, cpu->fetch_tval);
		else
			good++;
	}
	if (good == ARRAY_SIZE(targets))
		attack_pass("instruction fetches from %u addresses with no RAM each gave the guest an instruction access fault",
			    good);
}

/* ------------------------------------------------------ mmio-undecodable --- */

void attack_flw(uintptr_t addr);

/* A floating-point load from a device register: no device takes FP
 * registers, so the hypervisor cannot complete it; Keel stops the guest
 * and names the instruction (the suite checks `guest list`). */
static void attack_mmio_undecodable(void)
{
	uintptr_t reg = board.virtio_mmio_count ? board.virtio_mmio[0].base : UART_BASE;

	csr_set(sstatus, SSTATUS_FS_INITIAL);
	attack_note("flw from the device register at 0x%lx", reg);
	attack_flw(reg);
	attack_fail("a floating-point load from the device register at 0x%lx completed", reg);
}

/* ---------------------------------------------------------- sbi-bad-args --- */

struct sbi_case {
	const char *what;
	uint64_t eid, fid, a0, a1, a2, a3;
	long error;	/* expected; 1: SBI_SUCCESS or SBI_ERR_INVALID_PARAM */
};

#define SUCCESS_OR_INVALID 1

static volatile uint64_t hart1_stops;

static void hart1_stop_misuse(void *arg)
{
	(void)arg;
	hart1_stops++;
	fence_all();
	/* hart_stop with garbage in every argument register: it stops. */
	sbi_call(SBI_EXT_HSM, 1, ~0UL, ~0UL, 0x1234, ~0UL);
	attack_fail("hart_stop returned on vCPU 1");
	arch_halt();
}

static long hart_status(uint64_t hart)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hart, 0, 0, 0);

	return r.error ? r.error : r.value;
}

static bool hart1_wait_status(long status)
{
	uint64_t end = arch_counter_read() + counter_hz;

	while (arch_counter_read() < end)
		if (hart_status(1) == status)
			return true;
	return false;
}

/* SBI calls with bad arguments, each answered as SBI 2.0 says and at
 * once; then thousands of calls with random arguments, which must all
 * return. */
static void attack_sbi_bad_args(void)
{
	uint64_t ram_end = board_ram_end();
	static char buf[64];
	uint64_t in_ram = (uintptr_t)buf;
	const struct sbi_case cases[] = {
		{ "hart_start of hart 64", SBI_EXT_HSM, 0, 64, 0x80200000, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "hart_start of hart ~0", SBI_EXT_HSM, 0, ~0UL, 0x80200000, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "hart_start of this running hart", SBI_EXT_HSM, 0, 0, 0x80200000, 0, 0,
		  SBI_ERR_ALREADY_AVAILABLE },
		{ "hart_start of hart 1 just past RAM", SBI_EXT_HSM, 0, 1, ram_end, 0, 0,
		  SBI_ERR_INVALID_ADDRESS },
		{ "hart_start of hart 1 at ~0", SBI_EXT_HSM, 0, 1, ~0UL, 0, 0,
		  SBI_ERR_INVALID_ADDRESS },
		{ "hart_get_status of hart 1 << 40", SBI_EXT_HSM, 2, 1UL << 40, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "hart_suspend of type 0x7fffffff", SBI_EXT_HSM, 3, 0x7fffffff, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "non-retentive hart_suspend resuming outside RAM", SBI_EXT_HSM, 3, 0x80000000,
		  0x1000, 0, 0, SBI_ERR_INVALID_ADDRESS },
		{ "send_ipi with hart_mask_base 1 << 40", SBI_EXT_IPI, 0, 1, 1UL << 40, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "send_ipi with hart_mask_base ~0 - 1", SBI_EXT_IPI, 0, 3, ~0UL - 1, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "send_ipi to every bit of the mask", SBI_EXT_IPI, 0, ~0UL, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "send_ipi to an empty mask", SBI_EXT_IPI, 0, 0, 5, 0, 0, SBI_SUCCESS },
		{ "remote_fence_i with hart_mask_base 63", SBI_EXT_RFENCE, 0, 3, 63, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "remote_sfence_vma with a huge range", SBI_EXT_RFENCE, 1, ~0UL, 0, 0, ~0UL,
		  SBI_ERR_INVALID_PARAM },
		{ "remote_sfence_vma_asid on all harts, any range", SBI_EXT_RFENCE, 2, 0, ~0UL,
		  ~0UL - 4095, ~0UL, SUCCESS_OR_INVALID },
		{ "remote_hfence_gvma (no H in the guest)", SBI_EXT_RFENCE, 3, 0, ~0UL, 0, 0,
		  SBI_ERR_NOT_SUPPORTED },
		{ "debug console write of 1 << 40 bytes", SBI_EXT_DBCN, 0, 1UL << 40, in_ram, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "debug console write of ~0 bytes", SBI_EXT_DBCN, 0, ~0UL, in_ram, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "debug console write across the end of RAM", SBI_EXT_DBCN, 0, 64, ram_end - 32, 0,
		  0, SBI_ERR_INVALID_PARAM },
		{ "debug console write from a device", SBI_EXT_DBCN, 0, 4, UART_BASE, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "debug console write with base_addr_hi set", SBI_EXT_DBCN, 0, 4, in_ram, 1, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "debug console read into no RAM", SBI_EXT_DBCN, 1, 16, 0x1000, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "debug console read of 1 << 40 bytes", SBI_EXT_DBCN, 1, 1UL << 40, in_ram, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "system_reset of type 0xf0000000", SBI_EXT_SRST, 0, 0xf0000000, 0, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "system_reset with reason 0xf0000000", SBI_EXT_SRST, 0, 1, 0xf0000000, 0, 0,
		  SBI_ERR_INVALID_PARAM },
		{ "HSM function 0x7fffffff", SBI_EXT_HSM, 0x7fffffff, 0, 0, 0, 0,
		  SBI_ERR_NOT_SUPPORTED },
		{ "extension 0xffffffff", 0xffffffffUL, 0, 0, 0, 0, 0, SBI_ERR_NOT_SUPPORTED },
	};
	uint64_t rng = 0x5b1bad00a7c5ULL, random_calls = 0, slowest = 0;
	unsigned int bad = 0;

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = '.';

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct sbi_case *c = &cases[i];
		uint64_t start = arch_counter_read();
		struct sbiret r = sbi_call(c->eid, c->fid, c->a0, c->a1, c->a2, c->a3);
		uint64_t took = arch_counter_read() - start;
		bool ok = c->error == SUCCESS_OR_INVALID
				  ? r.error == SBI_SUCCESS || r.error == SBI_ERR_INVALID_PARAM
				  : r.error == c->error;

		if (took > slowest)
			slowest = took;
		if (!ok) {
			attack_fail("%s: expected error %ld; got %ld (value %ld)", c->what,
				    c->error, r.error, r.value);
			bad++;
		}
	}
	/* hart_stop misuse: vCPU 1 stops itself with garbage arguments;
	 * started again, it is a hart like before. */
	for (unsigned int round = 0; round < 2; round++) {
		const char *why = arch_attack_cpu_on(hart1_stop_misuse, NULL);
		uint64_t end = arch_counter_read() + counter_hz;

		if (why) {
			attack_fail("round %u: %s", round, why);
			return;
		}
		while (hart1_stops != round + 1 && arch_counter_read() < end)
			;
		if (!hart1_wait_status(SBI_HSM_STOPPED)) {
			attack_fail("round %u: vCPU 1 called hart_stop; its status is %ld, not STOPPED (1), after 1 s",
				    round, hart_status(1));
			return;
		}
	}
	/* Random extension, function and arguments; never the calls that
	 * stop, suspend or reset this guest on purpose. */
	for (uint64_t end = arch_counter_read() + 2 * counter_hz; arch_counter_read() < end;) {
		static const uint64_t eids[] = {
			SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
			SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_PMU, 0x01, 0x0a000000,
		};
		uint64_t eid = eids[attack_random(&rng) % ARRAY_SIZE(eids)];
		uint64_t fid = attack_random(&rng) % 8;
		uint64_t a[4];
		uint64_t start;

		for (unsigned int i = 0; i < 4; i++) {
			uint64_t r = attack_random(&rng);

			/* Small numbers, RAM addresses and anything. */
			a[i] = r % 3 == 0 ? r % 5 : r % 3 == 1 ? 0x80000000 + (r >> 8) % 0x2000000 : r;
		}
		if (eid == SBI_EXT_SRST && (uint32_t)a[0] <= 2 && (uint32_t)a[1] <= 1)
			a[0] = 3;
		if (eid == SBI_EXT_HSM && (fid == 1 || fid == 3))
			fid = 2;
		if (eid == SBI_EXT_DBCN && fid < 2) {
			/* Dots from its own buffer, or a bad buffer: its
			 * console stays readable, its memory its own. */
			a[0] %= sizeof(buf) + 1;
			if (a[2] & 1)
				a[1] = in_ram;
			a[2] = a[2] % 4 == 0;
		}
		if (eid == SBI_EXT_DBCN && fid == 2)
			a[0] = '.';
		if (eid == SBI_EXT_TIME)
			a[0] = ~0UL;
		if (eid == SBI_EXT_HSM && fid == 0 && a[0] == 1)
			a[1] = 0x1000;	/* never a wild start of vCPU 1 */
		start = arch_counter_read();
		sbi_call(eid, fid, a[0], a[1], a[2], a[3]);
		if (arch_counter_read() - start > slowest)
			slowest = arch_counter_read() - start;
		random_calls++;
	}
	sbi_set_timer(~0UL);
	if (!bad)
		attack_pass("%u bad calls answered as SBI 2.0 says, hart_stop with garbage arguments twice, %lu random calls; the slowest took %lu us",
			    (unsigned int)ARRAY_SIZE(cases), random_calls,
			    slowest * 1000000 / counter_hz);
}

/* ---------------------------------------------------- decode-fetch-race --- */

/*
 * vCPU 0 runs device loads (lw and c.lw) from a page it maps at a
 * virtual address of its own, while vCPU 1 takes the page's entry away,
 * or points it at an alias page (a RAM load into a6 where the lw was, or
 * no access where the c.lw was), and puts it back, at random. A load traps to the hypervisor,
 * which must read the instruction through the guest's translation to
 * emulate it; when vCPU 1 changed the entry in between, that read faults
 * or finds the alias's load, and the hypervisor must let the guest run on
 * (it then takes its own instruction page fault, handled in trap.c, or
 * executes what is there), not stop it, and never complete an
 * instruction that is not the access that trapped (a6 would then hold a
 * device value). The suite checks in `stats` that the hypervisor met the
 * race ("retry" exits).
 */
#define RACE_VA 0x40000000UL
#define PTE_V 0x01UL
#define PTE_R 0x02UL
#define PTE_W 0x04UL
#define PTE_X 0x08UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define SATP_SV39 (8UL << 60)

extern const char race_page[], race_alias_a[], race_alias_b[], race_page_end[];

static uint64_t race_root[512] __attribute__((aligned(4096)));
static uint64_t race_l1[512] __attribute__((aligned(4096)));
static uint64_t race_l0[512] __attribute__((aligned(4096)));
static volatile uint64_t race_pte_valid, race_pte_alias[2], race_toggles;
static volatile uint64_t race_sentinel = 0x5e7e5e7e;   /* lw reads it whole */
static volatile int race_stop;

static void race_toggler(void *arg)
{
	uint64_t rng = 0x7261636521ULL, toggles = 0;
	volatile uint64_t *pte = &race_l0[0];

	(void)arg;
	while (!race_stop) {
		uint64_t r = attack_random(&rng);

		*pte = race_pte_valid;
		fence_all();
		for (volatile uint64_t i = r % 400; i; i--)
			;
		*pte = r >> 32 & 3 ? race_pte_alias[r >> 32 & 1] : 0;
		fence_all();
		for (volatile uint64_t i = (r >> 16) % 40; i; i--)
			;
		toggles++;
	}
	*pte = race_pte_valid;
	fence_all();
	race_toggles = toggles;
}

static void attack_decode_fetch_race(void)
{
	struct cpu_state *cpu = this_cpu();
	uintptr_t reg = board.virtio_mmio_count ? board.virtio_mmio[0].base : 0;
	/* race_page(reg, expected, n, sentinel, -, -, sentinel, &sentinel) */
	uint64_t (*loads)(uintptr_t, uint32_t, uint64_t, uint64_t, uint64_t, uint64_t,
			  uint64_t, volatile uint64_t *) =
		(uint64_t (*)(uintptr_t, uint32_t, uint64_t, uint64_t, uint64_t, uint64_t,
			      uint64_t, volatile uint64_t *))RACE_VA;
	const uint64_t s = race_sentinel;
	uint64_t calls = 0, end;
	const char *why;

	if (!reg) {
		attack_fail("no virtio-mmio device to load from");
		return;
	}
	if (race_alias_a - race_page != 4096 || race_alias_b - race_alias_a != 4096 ||
	    race_page_end - race_alias_b != 4096 || (uintptr_t)race_page % 4096) {
		attack_fail("the race page and its aliases are not three aligned pages");
		return;
	}
	/* Identity gigapages: devices (0-1 GiB, no execute) and RAM
	 * (2-3 GiB); RACE_VA's one page through two more levels. */
	race_root[0] = (0x0UL >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	race_root[2] = (0x80000000UL >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	race_root[RACE_VA >> 30] = ((uintptr_t)race_l1 >> 12) << 10 | PTE_V;
	race_l1[0] = ((uintptr_t)race_l0 >> 12) << 10 | PTE_V;
	race_pte_valid = ((uintptr_t)race_page >> 12) << 10 | PTE_V | PTE_R | PTE_X | PTE_A;
	race_pte_alias[0] = ((uintptr_t)race_alias_a >> 12) << 10 | PTE_V | PTE_R | PTE_X | PTE_A;
	race_pte_alias[1] = ((uintptr_t)race_alias_b >> 12) << 10 | PTE_V | PTE_R | PTE_X | PTE_A;
	race_l0[0] = race_pte_valid;
	fence_all();
	csr_write(satp, SATP_SV39 | (uintptr_t)race_root >> 12);
	asm volatile("sfence.vma" ::: "memory");
	cpu->race_faults = 0;
	cpu->race_wrong = false;
	cpu->race_va = RACE_VA;
	if (loads(reg, 0x74726976, 2, s, 0, 0, s, &race_sentinel) != 2) {
		attack_fail("two loads of the magic value from the mapped page failed");
		goto out;
	}
	race_stop = 0;
	why = arch_attack_cpu_on(race_toggler, NULL);
	if (why) {
		attack_fail("%s", why);
		goto out;
	}
	end = arch_counter_read() + 8 * counter_hz;
	while (arch_counter_read() < end && !cpu->race_wrong) {
		uint64_t n = loads(reg, 0x74726976, 64, s, 0, 0, s, &race_sentinel);

		if (n == ~0ULL) {
			cpu->race_wrong = true;
			break;
		}
		calls++;
	}
	race_stop = 1;
	fence_all();
	if (!hart1_wait_status(SBI_HSM_STOPPED))
		attack_fail("vCPU 1 did not stop within 1 s");
	else if (cpu->race_wrong)
		attack_fail("a device load from the racing page did not read the magic value 0x74726976, or a6 lost its sentinel (an instruction of the alias page completed with a device value)");
	else
		attack_pass("%lu runs of device loads from a page vCPU 1 took away or replaced %lu times; %lu instruction page faults of its own; every load read the magic value, a6 kept its sentinel",
			    calls, race_toggles, cpu->race_faults);
out:
	cpu->race_va = 0;
	csr_write(satp, 0);
	asm volatile("sfence.vma" ::: "memory");
}

/* ------------------------------------------------------------- the table --- */

static const struct attack_entry riscv64_attacks[] = {
	/* The storms under their RISC-V names. */
	{ "ipi-storm", arch_attack_sgi_storm },
	{ "sbi-storm", arch_attack_psci_storm },
	{ "mmio-undecodable", attack_mmio_undecodable },
	{ "sbi-bad-args", attack_sbi_bad_args },
	{ "decode-fetch-race", attack_decode_fetch_race },
};

const struct attack_entry *arch_attacks(unsigned int *count)
{
	*count = ARRAY_SIZE(riscv64_attacks);
	return riscv64_attacks;
}

void arch_attack_vgic_abuse(void)
{
	attack_fail("vgic-abuse attacks the arm64 vGIC; riscv64 has no counterpart");
}

void arch_attack_timer_level(void)
{
	attack_fail("timer-level checks the arm64 generic timer's level; riscv64 has no counterpart");
}
