/* SPDX-License-Identifier: GPL-2.0-only */
/* Human-readable names for ESR_ELx fields (arch/arm64/cpu/esr.c). */
#ifndef ARCH_ARM64_ESR_H
#define ARCH_ARM64_ESR_H

/* "data abort", "HVC", ... for an exception class (ESR_ELx.EC). */
const char *arm64_esr_class_name(unsigned int ec);
/* "translation fault", ... for an abort's fault status code (DFSC/IFSC). */
const char *arm64_fault_status_name(unsigned int fsc);

#endif
