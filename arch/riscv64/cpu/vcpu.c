/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv64 vCPUs: not in this build. Creating a guest fails in
 * arch_guest_init() (mmu/gstage.c) with RISCV64_NO_GUESTS, so no vCPU
 * ever exists; the hooks below are what core/ links against, and the
 * ones that need a vCPU say so instead of pretending to work.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/vcpu.h>
#include <arch/virt.h>

void arch_virt_cpu_init(void)
{
	/* No guests: HS-mode needs no delegation or guest trap set-up. */
}

int arch_vcpu_init(struct vcpu *v)
{
	log_error(RISCV64_NO_GUESTS);
	return -KEEL_ENOSYS;
}

void arch_vcpu_destroy(struct vcpu *v)
{
}

void arch_vcpu_reset(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	panic(RISCV64_NO_GUESTS " (vCPU reset)");
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	panic(RISCV64_NO_GUESTS " (vCPU run)");
}

void arch_vcpu_complete_mmio(struct vcpu *v, const struct vm_exit *exit,
			     uint64_t value)
{
	panic(RISCV64_NO_GUESTS " (MMIO completion)");
}

void arch_vcpu_complete_hypercall(struct vcpu *v, const uint64_t ret[4])
{
	panic(RISCV64_NO_GUESTS " (hypercall completion)");
}

void arch_vcpu_skip_instruction(struct vcpu *v)
{
	panic(RISCV64_NO_GUESTS " (instruction skip)");
}

void arch_vcpu_inject_abort(struct vcpu *v, gpa_t addr, bool data)
{
	panic(RISCV64_NO_GUESTS " (abort injection)");
}

void arch_vcpu_inject_undef(struct vcpu *v)
{
	panic(RISCV64_NO_GUESTS " (exception injection)");
}

bool arch_vcpu_irq_pending(struct vcpu *v)
{
	return false;
}

uint64_t arch_vcpu_timer_deadline_ns(struct vcpu *v)
{
	return 0;
}

void arch_vcpu_dump(struct vcpu *v)
{
	kprintf("%s\n", RISCV64_NO_GUESTS);
}

uint64_t arch_vcpu_hwid(const struct vcpu *v)
{
	return 0;
}

void arch_guest_hypercall(struct vcpu *v, const struct vm_exit *exit)
{
	panic(RISCV64_NO_GUESTS " (hypercall)");
}

void arch_guest_sysreg(struct vcpu *v, const struct vm_exit *exit)
{
	panic(RISCV64_NO_GUESTS " (system register)");
}

int arch_guest_platform_create(struct guest *g)
{
	log_error(RISCV64_NO_GUESTS);
	return -KEEL_ENOSYS;
}

void arch_guest_platform_reset(struct guest *g)
{
}

void arch_guest_platform_destroy(struct guest *g)
{
}

void arch_guest_set_irq_level(struct guest *g, unsigned int irq, bool level)
{
}

void arch_guest_time_stop(struct guest *g)
{
}

void arch_guest_time_start(struct guest *g)
{
}
