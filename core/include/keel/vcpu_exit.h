/* SPDX-License-Identifier: GPL-2.0-only */
/* What generic code does with each kind of vCPU exit. */
#ifndef KEEL_VCPU_EXIT_H
#define KEEL_VCPU_EXIT_H

#include <keel/vm_exit.h>

struct vcpu;

/* Handles exit on the vCPU's host CPU, interrupts enabled: MMIO goes to
 * the emulator that owns the address, hypercalls and system registers to
 * the arch, WFI blocks, an abort stops the guest. */
void vcpu_handle_exit(struct vcpu *v, struct vm_exit *exit);

#endif
