/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SBI 2.0 numbers (RISC-V Supervisor Binary Interface Specification,
 * version 2.0): extension and function ids, error codes, HSM states. Only
 * Keel's guest SBI code and its tests include this.
 */
#ifndef ARCH_RISCV64_SBI_DEFS_H
#define ARCH_RISCV64_SBI_DEFS_H

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45          /* "TIME" */
#define SBI_EXT_IPI 0x735049             /* "sPI" */
#define SBI_EXT_RFENCE 0x52464e43        /* "RFNC" */
#define SBI_EXT_HSM 0x48534d             /* "HSM" */
#define SBI_EXT_SRST 0x53525354          /* "SRST" */
#define SBI_EXT_DBCN 0x4442434e          /* "DBCN" */

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI 0
#define SBI_RFENCE_FENCE_I 0
#define SBI_RFENCE_SFENCE_VMA 1
#define SBI_RFENCE_SFENCE_VMA_ASID 2
#define SBI_RFENCE_HFENCE_GVMA_VMID 3
#define SBI_RFENCE_HFENCE_GVMA 4
#define SBI_RFENCE_HFENCE_VVMA_ASID 5
#define SBI_RFENCE_HFENCE_VVMA 6

#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING 3
#define SBI_HSM_SUSPENDED 4

#define SBI_HSM_SUSPEND_RETENTIVE 0x00000000u
#define SBI_HSM_SUSPEND_NON_RETENTIVE 0x80000000u

#define SBI_SRST_SYSTEM_RESET 0
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

/* SBI 2.0: major in bits 30:24, minor in 23:0. */
#define SBI_SPEC_VERSION (2u << 24 | 0)
/* Keel's SBI implementation id. The specification assigns ids 0 to 11
 * (BBL ... bhyve) to other implementations; Keel has none assigned, so it
 * uses "KEEL" in ASCII, far above them, where no assignment will reach. */
#define SBI_IMPL_ID_KEEL 0x4b45454c
/* Version of Keel's guest SBI: major << 16 | minor. */
#define SBI_IMPL_VERSION_KEEL (1u << 16 | 0)

/* A hart_mask_base that means "every hart" (the mask is then ignored). */
#define SBI_HART_MASK_ALL (~0ULL)

/* What a handler leaves in a0 and a1. */
struct sbiret {
	long error;
	long value;
};

struct vcpu;
struct vm_exit;

/* The HSM and SRST calls (sbi_hsm.c), DBCN (sbi_console.c). Each returns
 * true when it completed the call through ret, false when it already
 * took v elsewhere (stopped, suspended, reset) and nothing is completed. */
bool vsbi_hsm_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
		   struct sbiret *ret);
bool vsbi_srst_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
		    struct sbiret *ret);
void vsbi_dbcn_call(struct vcpu *v, unsigned long fid, const uint64_t *a,
		    struct sbiret *ret);

#endif
