/* SPDX-License-Identifier: GPL-2.0-only */
/* riscv64's G-stage mode choice, built for the host's unit tests. */
#include "../riscv64/mmu/gstage_mode.c"
