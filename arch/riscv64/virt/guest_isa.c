// SPDX-License-Identifier: GPL-2.0-only
/*
 * What riscv64 guests are told their harts implement ("riscv,isa" in the
 * guest DTB). A guest is offered an extension when every host hart has
 * it and it needs nothing from Keel it does not do:
 *
 *   I M A F D C   the base and the standard letters; F and D because the
 *                 vCPU context switches the FP registers and fcsr
 *   Zicsr Zifencei Zihintpause Zba Zbb Zbc Zbs
 *                 unprivileged instructions with no state of their own:
 *                 they run in VS/VU-mode as they do on the host
 *   Sstc          when vstimecmp works (henvcfg.STCE sticks): the guest's
 *                 stimecmp is then vstimecmp, which the vCPU context saves
 *
 * Never offered: H (no nested virtualization), V (sstatus.VS stays off,
 * the vector state is not switched), and any extension Keel does not
 * know the name of, whatever the host has.
 *
 * Set once at boot, before any guest is created; read without a lock.
 */
#include <keel/types.h>
#include <string.h>

#include "guest_isa.h"

static const char letters[] = "imafdchv";

static const char *const words[RISCV_EXT_COUNT] = {
	[RISCV_EXT_ZICSR] = "zicsr",
	[RISCV_EXT_ZIFENCEI] = "zifencei",
	[RISCV_EXT_ZIHINTPAUSE] = "zihintpause",
	[RISCV_EXT_ZBA] = "zba",
	[RISCV_EXT_ZBB] = "zbb",
	[RISCV_EXT_ZBC] = "zbc",
	[RISCV_EXT_ZBS] = "zbs",
	[RISCV_EXT_SSTC] = "sstc",
};

#define GUEST_OFFERABLE                                                        \
	(RISCV_EXT(I) | RISCV_EXT(M) | RISCV_EXT(A) | RISCV_EXT(F) |           \
	 RISCV_EXT(D) | RISCV_EXT(C) | RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI) | \
	 RISCV_EXT(ZIHINTPAUSE) | RISCV_EXT(ZBA) | RISCV_EXT(ZBB) |            \
	 RISCV_EXT(ZBC) | RISCV_EXT(ZBS))
#define GUEST_DEFAULT                                                          \
	(RISCV_EXT(I) | RISCV_EXT(M) | RISCV_EXT(A) | RISCV_EXT(F) |           \
	 RISCV_EXT(D) | RISCV_EXT(C) | RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI))

static uint64_t guest_exts = GUEST_DEFAULT;
static char guest_string[RISCV_GUEST_ISA_MAX] = "rv64imafdc_zicsr_zifencei";

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of s[0..n) without a version suffix ("zba1p0", "zbb2"). */
static size_t without_version(const char *s, size_t n)
{
	size_t m = n;

	while (m && is_digit(s[m - 1]))
		m--;
	if (m < n && m >= 2 && s[m - 1] == 'p' && is_digit(s[m - 2])) {
		m--;
		while (m && is_digit(s[m - 1]))
			m--;
	}
	return m;
}

/* The bit of the multi-letter extension s[0..n); 0 for one Keel does not
 * know. */
static uint64_t word_bit(const char *s, size_t n)
{
	n = without_version(s, n);
	for (unsigned int e = 0; e < RISCV_EXT_COUNT; e++) {
		size_t i;

		if (!words[e] || strlen(words[e]) != n)
			continue;
		for (i = 0; i < n && lower(s[i]) == words[e][i]; i++)
			;
		if (i == n)
			return 1ULL << e;
	}
	return 0;
}

static uint64_t letter_bit(char c)
{
	const char *p = strchr(letters, c);

	if (c == 'g')
		return RISCV_EXT(I) | RISCV_EXT(M) | RISCV_EXT(A) | RISCV_EXT(F) |
		       RISCV_EXT(D) | RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI);
	return c && p ? 1ULL << (RISCV_EXT_I + (unsigned int)(p - letters)) : 0;
}

uint64_t riscv_isa_parse(const char *isa)
{
	uint64_t exts = 0;
	const char *p;

	if (!isa || lower(isa[0]) != 'r' || lower(isa[1]) != 'v' || isa[2] != '6' ||
	    isa[3] != '4')
		return 0;
	/* Single letters (each may carry a version, "i2p1") up to the first
	 * multi-letter name, which may follow them without an underscore. */
	for (p = isa + 4; *p && *p != '_'; p++) {
		char c = lower(*p);

		if (c == 'z' || c == 's' || c == 'x')
			break;
		if (is_digit(c) || (c == 'p' && p > isa + 4 && is_digit(p[-1])))
			continue;
		exts |= letter_bit(c);
	}
	while (*p) {
		const char *end;

		if (*p == '_') {
			p++;
			continue;
		}
		end = strchr(p, '_');
		if (!end)
			end = p + strlen(p);
		exts |= word_bit(p, (size_t)(end - p));
		p = end;
	}
	/* Split from the base ISA in 2019; every RV64 hart has both. */
	return exts | RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI);
}

static void append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n < size) {
		memcpy(buf + *len, s, n + 1);
		*len += n;
	}
}

void riscv_guest_isa_offer(uint64_t host, bool sstc_usable)
{
	uint64_t exts = host & GUEST_OFFERABLE;
	size_t len = 0;

	if (sstc_usable && (host & RISCV_EXT(SSTC)))
		exts |= RISCV_EXT(SSTC);
	guest_string[0] = '\0';
	append(guest_string, sizeof(guest_string), &len, "rv64");
	for (unsigned int i = 0; letters[i]; i++) {
		char letter[2] = { letters[i], '\0' };

		if (exts & (1ULL << (RISCV_EXT_I + i)))
			append(guest_string, sizeof(guest_string), &len, letter);
	}
	for (unsigned int e = 0; e < RISCV_EXT_COUNT; e++) {
		if (words[e] && (exts & (1ULL << e))) {
			append(guest_string, sizeof(guest_string), &len, "_");
			append(guest_string, sizeof(guest_string), &len, words[e]);
		}
	}
	guest_exts = exts;
}

const char *riscv_guest_isa(void)
{
	return guest_string;
}

uint64_t riscv_guest_isa_exts(void)
{
	return guest_exts;
}
