/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv64's ISA-string parser and guest offer, built for the host so that
 * unit tests check what riscv64 guests are offered for a given host.
 */
#include "../riscv64/virt/guest_isa.c"
