// SPDX-License-Identifier: GPL-2.0-only
/*
 * The riscv64 answers to the generic guest hooks for hypercalls and
 * system registers: an ecall from VS-mode is an SBI call (sbi.c); riscv64
 * has no system-register exit (a CSR the guest may not reach is a virtual
 * instruction, decoded in cpu/guest_exit.c), so one is answered as an
 * illegal instruction should it ever come.
 */
#include <keel/guest.h>
#include <keel/vcpu.h>
#include <arch/vsbi.h>

void arch_guest_hypercall(struct vcpu *v, const struct vm_exit *exit)
{
	vsbi_handle_call(v, exit);
}

void arch_guest_sysreg(struct vcpu *v, const struct vm_exit *exit)
{
	arch_vcpu_inject_undef(v);
}
