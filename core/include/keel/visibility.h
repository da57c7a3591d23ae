/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Included first in every Keel object. Keel is one position-independent
 * image that relocates itself: with every symbol hidden the compiler
 * reaches globals PC-relatively instead of through a GOT.
 */
#pragma GCC visibility push(hidden)
