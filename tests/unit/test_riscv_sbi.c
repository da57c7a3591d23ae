/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SBI riscv64 guests call (arch/riscv64/virt/sbi*.c, built here as in
 * Keel) against a guest of four vCPUs on the host fake: what SBI 2.0 says
 * each call returns, with bad arguments, and what it does to the vCPUs
 * (the riscv64 vCPU hooks are faked below and record what they were
 * asked).
 */
#include <keel/guest.h>
#include <keel/guest_throttle.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>
#include <string.h>
#include "../../arch/riscv64/virt/sbi.c"
#include "../../arch/riscv64/virt/sbi_hsm.c"
#include "../../arch/riscv64/virt/sbi_console.c"
#include "guest_fixture.h"
#include "unit.h"

#define SBI_VCPUS 4
#define SBI_RAM 0x80000000ULL

/* What the faked riscv64 vCPU hooks were asked, per vCPU. */
struct sbi_fake {
	struct vsbi_vcpu sbi;
	uint64_t timer;
	unsigned int timer_sets;
	unsigned int ipis;
	unsigned int fences;            /* enum vsbi_fence bits requested */
	unsigned int fence_waits;
	bool started;
	uint64_t resume_addr, resume_opaque;
	unsigned int resumes;
};

static struct fixture_ram_guest sbi_ram_guest;
static struct guest *sbi_guest;
static struct vcpu sbi_vcpus[SBI_VCPUS];
static struct sbi_fake sbi_fakes[SBI_VCPUS];

struct vsbi_vcpu *riscv_vcpu_sbi(struct vcpu *v)
{
	return &sbi_fakes[v->id].sbi;
}

void riscv_vcpu_set_timer(struct vcpu *v, uint64_t deadline)
{
	sbi_fakes[v->id].timer = deadline;
	sbi_fakes[v->id].timer_sets++;
}

void riscv_vcpu_send_ipi(struct vcpu *target)
{
	sbi_fakes[target->id].ipis++;
}

void riscv_vcpu_fence_request(struct vcpu *target, unsigned int what)
{
	sbi_fakes[target->id].fences |= what;
}

void riscv_vcpu_fence_wait(struct vcpu *target)
{
	sbi_fakes[target->id].fence_waits++;
}

bool riscv_vcpu_started(struct vcpu *v)
{
	return sbi_fakes[v->id].started;
}

void riscv_vcpu_resume_at(struct vcpu *v, uint64_t addr, uint64_t opaque)
{
	sbi_fakes[v->id].resume_addr = addr;
	sbi_fakes[v->id].resume_opaque = opaque;
	sbi_fakes[v->id].resumes++;
}

/* vCPU 0 powered on and started, the others off; 64 KiB of RAM. */
static void sbi_setup(void)
{
	sched_init();
	host_set_cpu_id(0);
	sbi_guest = fixture_ram_guest_reset(&sbi_ram_guest, "rv", SBI_RAM, 0x10000);
	sbi_guest->state = GUEST_RUNNING;
	sbi_guest->vcpu_count = SBI_VCPUS;
	guest_throttle_init(&sbi_guest->throttle);
	console_endpoint_init(&sbi_guest->console, sbi_guest, "ttyS0");
	memset(sbi_fakes, 0, sizeof(sbi_fakes));
	for (unsigned int i = 0; i < SBI_VCPUS; i++) {
		struct vcpu *v = &sbi_vcpus[i];

		memset(v, 0, sizeof(*v));
		v->guest = sbi_guest;
		v->id = i;
		v->pcpu = i % 2;
		list_init(&v->run_node);
		arch_vcpu_init(v);
		sbi_guest->vcpus[i] = v;
	}
	sbi_vcpus[0].power = VCPU_POWER_ON;
	sbi_fakes[0].started = true;
}

/* vCPU v calls (eid, fid) with a0..a5; returns a0 (error), *value = a1.
 * The fake's registers are poisoned first: a call that completes
 * nothing leaves them so. */
static long sbi_call6(unsigned int v, uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3, long *value)
{
	struct vm_exit exit = { .reason = VM_EXIT_HYPERCALL };

	exit.hypercall.args[0] = a0;
	exit.hypercall.args[1] = a1;
	exit.hypercall.args[2] = a2;
	exit.hypercall.args[3] = a3;
	exit.hypercall.args[6] = fid;
	exit.hypercall.args[7] = eid;
	sbi_vcpus[v].arch.regs[0] = 0x5a5a;
	sbi_vcpus[v].arch.regs[1] = 0x5a5a;
	vsbi_handle_call(&sbi_vcpus[v], &exit);
	if (value)
		*value = (long)sbi_vcpus[v].arch.regs[1];
	return (long)sbi_vcpus[v].arch.regs[0];
}

static long sbi_call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
		     long *value)
{
	return sbi_call6(0, eid, fid, a0, a1, a2, 0, value);
}

TEST(riscv_sbi_base_describes_keel)
{
	long value;

	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, &value), 0);
	CHECK_EQ(value, 0x02000000);
	CHECK_EQ(sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, &value), 0);
	CHECK_EQ(value, 0x4b45454c);
	CHECK_EQ(sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, &value), 0);
	CHECK_EQ(value, 0x10000);
	for (uint64_t fid = SBI_BASE_GET_MVENDORID; fid <= SBI_BASE_GET_MIMPID; fid++) {
		CHECK_EQ(sbi_call(SBI_EXT_BASE, fid, 0, 0, 0, &value), 0);
		CHECK_EQ(value, 0);
	}
	CHECK_EQ(sbi_call(SBI_EXT_BASE, 7, 0, 0, 0, NULL), SBI_ERR_NOT_SUPPORTED);
}

TEST(riscv_sbi_probe_finds_what_is_offered_and_nothing_else)
{
	static const uint64_t offered[] = { SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI,
		SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN };
	static const uint64_t absent[] = { 0x00, 0x01, 0x08, 0x0f, 0x504d55 /* PMU */,
		0x535553 /* SUSP */, 0x43505043 /* CPPC */, 0x09000000, 0x0a000000,
		SBI_EXT_TIME | 1ULL << 32 };
	long value;

	sbi_setup();
	for (size_t i = 0; i < ARRAY_SIZE(offered); i++) {
		CHECK_EQ(sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, offered[i], 0, 0, &value), 0);
		CHECK_EQ(value, 1);
	}
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
		CHECK_EQ(sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, absent[i], 0, 0, &value), 0);
		CHECK_EQ(value, 0);
	}
}

TEST(riscv_sbi_refuses_unknown_extensions_and_functions)
{
	static const uint64_t calls[][2] = {
		{ 0x00, 0 }, { 0x01, 0 }, { 0x08, 0 },          /* legacy v0.1 */
		{ 0x504d55, 0 }, { 0x12345678, 0 }, { 0x0a000000, 0 },
		{ SBI_EXT_TIME, 1 }, { SBI_EXT_IPI, 1 }, { SBI_EXT_HSM, 4 },
		{ SBI_EXT_SRST, 1 }, { SBI_EXT_DBCN, 3 }, { SBI_EXT_BASE, ~0ULL },
		{ SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA_VMID },
		{ SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA },
		{ SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_VVMA_ASID },
		{ SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_VVMA }, { SBI_EXT_RFENCE, 7 },
	};

	sbi_setup();
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		CHECK_EQ(sbi_call(calls[i][0], calls[i][1], 1, 0, 0, NULL), SBI_ERR_NOT_SUPPORTED);
	/* Nothing happened to any hart on the way. */
	for (unsigned int i = 0; i < SBI_VCPUS; i++)
		CHECK(!sbi_fakes[i].ipis && !sbi_fakes[i].fences && !sbi_fakes[i].timer_sets);
}

TEST(riscv_sbi_ids_are_32_bit)
{
	long value;

	/* An extension id arrives sign-extended: upper bits do not count. */
	sbi_setup();
	CHECK_EQ(sbi_call(0xffffffff00000000ULL | SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION,
			  0, 0, 0, &value), 0);
	CHECK_EQ(value, 0x02000000);
}

TEST(riscv_sbi_set_timer_reaches_the_callers_timer)
{
	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, 123456789, 0, 0, NULL), 0);
	CHECK_EQ(sbi_fakes[0].timer, 123456789);
	CHECK_EQ(sbi_fakes[0].timer_sets, 1);
	CHECK_EQ(sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, ~0ULL, 0, 0, NULL), 0);
	CHECK_EQ(sbi_fakes[0].timer, ~0ULL);
	CHECK_EQ(sbi_fakes[1].timer_sets, 0);
}

TEST(riscv_sbi_send_ipi_takes_mask_and_base)
{
	sbi_setup();
	/* Harts 1 and 3. */
	CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x5, 1, 0, NULL), 0);
	CHECK(sbi_fakes[0].ipis == 0 && sbi_fakes[1].ipis == 1);
	CHECK(sbi_fakes[2].ipis == 0 && sbi_fakes[3].ipis == 1);
	/* Base -1: every hart, whatever the mask. */
	CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, ~0ULL, 0, NULL), 0);
	for (unsigned int i = 0; i < SBI_VCPUS; i++)
		CHECK_EQ(sbi_fakes[i].ipis, i == 1 || i == 3 ? 2 : 1);
	/* An empty mask names nobody. */
	CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, 2, 0, NULL), 0);
	CHECK_EQ(sbi_fakes[2].ipis, 1);
}

/* An IPI is an interrupt the guest raises for itself, as an SGI is on
 * arm64: each one delivered counts against the node's max-irq-rate, and
 * a guest over it is stopped as an interrupt storm. */
TEST(riscv_sbi_ipis_count_against_max_irq_rate)
{
	sbi_setup();
	sbi_guest->config.max_irq_rate = 8;
	/* Refused whole: nothing delivered, nothing counted. */
	for (unsigned int i = 0; i < 20; i++)
		CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1UL << SBI_VCPUS, 0, 0, NULL),
			 SBI_ERR_INVALID_PARAM);
	/* Two harts a call: 8 interrupts. */
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x3, 0, 0, NULL), 0);
	CHECK_EQ(sbi_guest->state, GUEST_RUNNING);
	CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x1, 0, 0, NULL), 0);
	CHECK_EQ(sbi_guest->state, GUEST_STOPPED);
	CHECK(strstr(sbi_guest->stop_reason, "interrupt storm") != NULL);
	CHECK(strstr(sbi_guest->stop_reason, "max-irq-rate") != NULL);
}

TEST(riscv_sbi_ipis_within_max_irq_rate_or_without_one_run_on)
{
	sbi_setup();
	sbi_guest->config.max_irq_rate = 0;     /* no limit */
	for (unsigned int i = 0; i < 100; i++)
		sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, ~0ULL, 0, NULL);
	CHECK_EQ(sbi_guest->state, GUEST_RUNNING);
	CHECK_EQ(sbi_fakes[1].ipis, 100);
}

TEST(riscv_sbi_send_ipi_to_a_missing_hart_is_refused_whole)
{
	static const uint64_t bad[][2] = {
		{ 0x10, 0 },                 /* hart 4 of 4 */
		{ 0x3, 3 },                  /* harts 3 and 4 */
		{ 1, 4 }, { 1, 1ULL << 40 },
		{ 1ULL << 63, 0 },
		{ 0x3, ~0ULL - 1 },          /* base + bit wraps */
		{ ~0ULL, 0 },
	};

	sbi_setup();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, bad[i][0], bad[i][1], 0, NULL),
			 SBI_ERR_INVALID_PARAM);
	/* Not even the harts that exist were sent one. */
	for (unsigned int i = 0; i < SBI_VCPUS; i++)
		CHECK_EQ(sbi_fakes[i].ipis, 0);
}

TEST(riscv_sbi_rfence_fences_the_named_harts_and_waits_for_the_others)
{
	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0x3, 0, 0, NULL), 0);
	CHECK_EQ(sbi_fakes[0].fences, VSBI_FENCE_I);
	CHECK_EQ(sbi_fakes[1].fences, VSBI_FENCE_I);
	CHECK_EQ(sbi_fakes[2].fences, 0);
	/* The caller fences itself on its way back in, without a wait. */
	CHECK_EQ(sbi_fakes[0].fence_waits, 0);
	CHECK_EQ(sbi_fakes[1].fence_waits, 1);
	CHECK_EQ(sbi_call6(0, SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0x1, 2, 0x1000, 0x2000, NULL), 0);
	CHECK_EQ(sbi_fakes[2].fences, VSBI_FENCE_VVMA);
	CHECK_EQ(sbi_call6(0, SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, 0, ~0ULL, 0, ~0ULL, NULL), 0);
	for (unsigned int i = 0; i < SBI_VCPUS; i++)
		CHECK(sbi_fakes[i].fences & VSBI_FENCE_VVMA);
}

TEST(riscv_sbi_rfence_with_a_bad_mask_is_refused_whole)
{
	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0x11, 0, 0, NULL), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call6(0, SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 1, 7, 0, 0x1000, NULL),
		 SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call6(0, SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, 0x8000000000000001ULL, 0,
			   0, 0x1000, NULL), SBI_ERR_INVALID_PARAM);
	for (unsigned int i = 0; i < SBI_VCPUS; i++)
		CHECK(!sbi_fakes[i].fences && !sbi_fakes[i].fence_waits);
}

TEST(riscv_sbi_hart_start_powers_on_a_stopped_hart)
{
	long value;

	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1, 0, 0, &value), 0);
	CHECK_EQ(value, SBI_HSM_STOPPED);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, SBI_RAM + 0x100, 0xfeed, NULL), 0);
	CHECK_EQ(sbi_vcpus[1].power, VCPU_POWER_ON);
	CHECK_EQ(sbi_vcpus[1].arch.pc, SBI_RAM + 0x100);
	/* The host fake puts the boot argument in regs[0]: riscv64's
	 * arch_vcpu_reset puts it in a1 with the hart id in a0. */
	CHECK_EQ(sbi_vcpus[1].arch.regs[0], 0xfeed);
	/* Until it runs a guest instruction, it is START_PENDING. */
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1, 0, 0, &value), 0);
	CHECK_EQ(value, SBI_HSM_START_PENDING);
	sbi_fakes[1].started = true;
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1, 0, 0, &value), 0);
	CHECK_EQ(value, SBI_HSM_STARTED);
	/* Started (or pending) harts are not started again. */
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, SBI_RAM, 0, NULL),
		 SBI_ERR_ALREADY_AVAILABLE);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 0, SBI_RAM, 0, NULL),
		 SBI_ERR_ALREADY_AVAILABLE);
	CHECK_EQ(sbi_vcpus[1].arch.pc, SBI_RAM + 0x100);
}

TEST(riscv_sbi_hart_start_refuses_bad_harts_and_addresses)
{
	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 4, SBI_RAM, 0, NULL), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, ~0ULL, SBI_RAM, 0, NULL),
		 SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, 0x1000, 0, NULL),
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, SBI_RAM + 0x10000, 0, NULL),
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 1, SBI_RAM + 0xffff, 0, NULL),
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(sbi_vcpus[1].power, VCPU_POWER_OFF);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 4, 0, 0, NULL), SBI_ERR_INVALID_PARAM);
}

TEST(riscv_sbi_hart_stop_and_its_pending_state)
{
	long value;

	sbi_setup();
	REQUIRE(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 2, SBI_RAM, 0, NULL) == 0);
	sbi_fakes[2].started = true;
	/* hart_stop does not return: nothing is completed. */
	sbi_vcpus[2].on_cpu = true;
	CHECK_EQ(sbi_call6(2, SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0, 0, NULL), 0x5a5a);
	CHECK_EQ(sbi_vcpus[2].power, VCPU_POWER_OFF);
	/* Still finishing that exit on its host CPU: STOP_PENDING. */
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 2, 0, 0, &value), 0);
	CHECK_EQ(value, SBI_HSM_STOP_PENDING);
	sbi_vcpus[2].on_cpu = false;
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 2, 0, 0, &value), 0);
	CHECK_EQ(value, SBI_HSM_STOPPED);
	/* And it can be started again. */
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, 2, SBI_RAM + 8, 0, NULL), 0);
}

TEST(riscv_sbi_hart_suspend_retentive_waits_and_returns_success)
{
	long value;

	sbi_setup();
	/* 0 sign-extended is still the default retentive type. */
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0, 0, 0, NULL), 0);
	CHECK(sbi_vcpus[0].blocked);
	CHECK(sbi_fakes[0].sbi.suspended);
	CHECK_EQ(sbi_fakes[0].resumes, 0);
	CHECK_EQ(sbi_call6(1, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 0, 0, 0, 0, &value), 0);
	CHECK_EQ(value, SBI_HSM_SUSPENDED);
}

TEST(riscv_sbi_hart_suspend_non_retentive_resumes_elsewhere)
{
	sbi_setup();
	/* 0x80000000 as a 32-bit argument arrives sign-extended. */
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0xffffffff80000000ULL,
			  SBI_RAM + 0x40, 0xabc, NULL), 0x5a5a);
	CHECK_EQ(sbi_fakes[0].resumes, 1);
	CHECK_EQ(sbi_fakes[0].resume_addr, SBI_RAM + 0x40);
	CHECK_EQ(sbi_fakes[0].resume_opaque, 0xabc);
	CHECK(sbi_vcpus[0].blocked);
}

TEST(riscv_sbi_hart_suspend_refuses_other_types_and_addresses)
{
	static const uint64_t types[] = { 1, 0x0fffffff, 0x10000000, 0x7fffffff,
		0x80000001, 0x8fffffff, 0x90000000, 0xffffffff };

	sbi_setup();
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, types[i], SBI_RAM, 0, NULL),
			 SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000, 0x100, 0, NULL),
		 SBI_ERR_INVALID_ADDRESS);
	CHECK(!sbi_vcpus[0].blocked);
	CHECK(!sbi_fakes[0].sbi.suspended);
	CHECK_EQ(sbi_fakes[0].resumes, 0);
}

TEST(riscv_sbi_system_reset_refuses_bad_types_and_reasons)
{
	static const uint64_t bad[][2] = {
		{ 3, 0 }, { 0xefffffff, 0 }, { 0xf0000000, 0 }, { 0xffffffff, 0 },
		{ 0, 2 }, { 1, 0xe0000000 }, { 2, 0xf0000000 }, { 0, 0xffffffff },
	};

	sbi_setup();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_EQ(sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, bad[i][0], bad[i][1], 0, NULL),
			 SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_guest->state, GUEST_RUNNING);
}

TEST(riscv_sbi_shutdown_stops_the_guest)
{
	sbi_setup();
	CHECK_EQ(sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_SHUTDOWN,
			  SBI_SRST_REASON_FAILURE, 0, NULL), 0x5a5a);
	CHECK_EQ(sbi_guest->state, GUEST_STOPPED);
	CHECK(!sbi_guest->reset_pending);
	CHECK(strstr(sbi_guest->stop_reason, "SBI system reset: shutdown for a system failure") != NULL);
}

TEST(riscv_sbi_reboots_restart_the_guest)
{
	for (uint64_t type = SBI_SRST_COLD_REBOOT; type <= SBI_SRST_WARM_REBOOT; type++) {
		sbi_setup();
		CHECK_EQ(sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, type, 0, 0, NULL), 0x5a5a);
		CHECK_EQ(sbi_guest->state, GUEST_STOPPED);
		CHECK(sbi_guest->reset_pending);
	}
}

TEST(riscv_sbi_debug_console_writes_and_reads_guest_memory)
{
	static const char text[] = "hello from DBCN";
	long value;
	char got[8] = { 0 };

	sbi_setup();
	REQUIRE(guest_copy_to(sbi_guest, SBI_RAM + 0x200, text, sizeof(text) - 1) == 0);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, sizeof(text) - 1, SBI_RAM + 0x200, 0,
			  &value), 0);
	CHECK_EQ(value, sizeof(text) - 1);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, 0x100 | '!', 0, 0, NULL), 0);
	CHECK_EQ(sbi_guest->console.out.head, sizeof(text));
	/* Input queued for the console comes back through read. */
	console_endpoint_input(&sbi_guest->console, "ab", 2);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_READ, 8, SBI_RAM + 0x300, 0, &value), 0);
	CHECK_EQ(value, 2);
	REQUIRE(guest_copy_from(sbi_guest, got, SBI_RAM + 0x300, 2) == 0);
	CHECK(got[0] == 'a' && got[1] == 'b');
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_READ, 8, SBI_RAM + 0x300, 0, &value), 0);
	CHECK_EQ(value, 0);
}

TEST(riscv_sbi_debug_console_is_bounded_and_validates_its_buffer)
{
	long value;

	sbi_setup();
	/* A long write moves one chunk and says so. */
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 0x8000, SBI_RAM, 0, &value), 0);
	CHECK_EQ(value, VSBI_DBCN_CHUNK);
	/* Buffers outside RAM, across its end, wrapping, or above 2^64. */
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, 0x1000, 0, NULL), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 0x10001, SBI_RAM, 0, NULL),
		 SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 16, ~0ULL - 4, 0, NULL), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, SBI_RAM, 1, NULL), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_READ, 4, SBI_RAM + 0xfffe, 0, NULL),
		 SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 0, 0, 0, &value), 0);
	CHECK_EQ(value, 0);
	CHECK_EQ(sbi_guest->console.out.head, VSBI_DBCN_CHUNK);
}

TEST(riscv_sbi_a_call_storm_is_throttled_not_refused)
{
	const struct guest_throttle_limit *l = &guest_throttle_limits[GUEST_THROTTLE_FIRMWARE];

	sbi_setup();
	for (unsigned int i = 0; i < l->burst + 5; i++)
		CHECK_EQ(sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, NULL), 0);
	CHECK_EQ(sbi_guest->throttle.throttled[GUEST_THROTTLE_FIRMWARE], 5);
	CHECK(guest_throttle_vcpu_delayed(&sbi_vcpus[0]));
}
