/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Arm GICv3 register map (distributor and redistributor frames), one
 * copy for everything that speaks it: Keel's own interrupt controller
 * driver, the GICv3 that guests see, and their tests.
 */
#ifndef HW_GICV3_H
#define HW_GICV3_H

/* Distributor. Per-interrupt registers take a bit, 2 bits or a byte per
 * INTID from their base; GICD_IROUTER takes 8 bytes per INTID (SPIs only,
 * so the first one in use is at GICD_IROUTER + 32 * 8). */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_NSACR 0x0e00
#define GICD_SGIR 0x0f00
#define GICD_CPENDSGIR 0x0f10
#define GICD_SPENDSGIR 0x0f20
#define GICD_IROUTER 0x6000
#define GIC_PIDR2 0xffe8

#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GICD_CTLR_RWP (1u << 31)

/* Redistributor: an RD frame, then the SGI/PPI frame (which repeats the
 * distributor's per-interrupt registers for INTIDs 0-31). */
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_STATUSR 0x0010
#define GICR_WAKER 0x0014
#define GICR_SGI_FRAME 0x10000
#define GICR_FRAME_SIZE 0x20000

#define GICR_TYPER_LAST (1ULL << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

#endif
