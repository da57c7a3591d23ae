/* SPDX-License-Identifier: GPL-2.0-only */
/* Freestanding memory and string functions (target build; libfdt uses them). */
#include <stdint.h>
#include <string.h>

/* Word-sized accesses that may alias any object, for the aligned fast paths. */
typedef uint64_t __attribute__((may_alias)) mem_word_t;
#define WORD sizeof(mem_word_t)

/*
 * GCC may recognise the byte loops below as memcpy/memset idioms and turn
 * them into calls to the very function being defined; forbid that here.
 */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

static inline int mem_words_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & (WORD - 1)) == 0;
}

/* Same offset within a word: after a few bytes both are aligned. */
static inline int mem_words_alignable(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & (WORD - 1)) == 0;
}

/*
 * dst aligned, src not (by k bytes): each destination word is the high
 * bytes of one aligned source word and the low bytes of the next,
 * shifted together (little-endian). Every word loaded holds at least one
 * byte of the source, so no load reaches past the source's own page.
 */
static void copy_words_shifted(unsigned char *d, const unsigned char *s, size_t words)
{
	unsigned int shift = (unsigned int)((uintptr_t)s & (WORD - 1)) * 8;
	const mem_word_t *from = (const mem_word_t *)((uintptr_t)s & ~(uintptr_t)(WORD - 1));
	mem_word_t low = *from++;

	for (size_t i = 0; i < words; i++) {
		mem_word_t high = *from++;

		((mem_word_t *)d)[i] = (low >> shift) | (high << (64 - shift));
		low = high;
	}
}

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Frames start at any offset: align the destination, then shift. */
	if (!mem_words_alignable(d, s) && n >= 4 * WORD) {
		for (; (uintptr_t)d & (WORD - 1); n--)
			*d++ = *s++;
		copy_words_shifted(d, s, n / WORD);
		d += n & ~(WORD - 1);
		s += n & ~(WORD - 1);
		n &= WORD - 1;
	}

	/* The target runs with strict alignment early on: only use words
	 * when both sides are aligned. Guest I/O (disk blocks, frames)
	 * goes through here: eight words a turn keep the loop's own cost
	 * small, which under emulation is most of the cost. */
	if (mem_words_alignable(d, s)) {
		for (; n && !mem_words_aligned(d, s); n--)
			*d++ = *s++;
		for (; n >= 8 * WORD; n -= 8 * WORD, d += 8 * WORD, s += 8 * WORD) {
			mem_word_t w0 = ((const mem_word_t *)s)[0], w1 = ((const mem_word_t *)s)[1];
			mem_word_t w2 = ((const mem_word_t *)s)[2], w3 = ((const mem_word_t *)s)[3];
			mem_word_t w4 = ((const mem_word_t *)s)[4], w5 = ((const mem_word_t *)s)[5];
			mem_word_t w6 = ((const mem_word_t *)s)[6], w7 = ((const mem_word_t *)s)[7];

			((mem_word_t *)d)[0] = w0;
			((mem_word_t *)d)[1] = w1;
			((mem_word_t *)d)[2] = w2;
			((mem_word_t *)d)[3] = w3;
			((mem_word_t *)d)[4] = w4;
			((mem_word_t *)d)[5] = w5;
			((mem_word_t *)d)[6] = w6;
			((mem_word_t *)d)[7] = w7;
		}
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(mem_word_t *)d = *(const mem_word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Copying forwards is safe unless the destination starts inside
	 * the source; then copy backwards. */
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	d += n;
	s += n;
	if (mem_words_aligned(d, s)) {
		for (; n >= WORD; n -= WORD) {
			d -= WORD;
			s -= WORD;
			*(mem_word_t *)d = *(const mem_word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;

	while (n && ((uintptr_t)d & (WORD - 1))) {
		*d++ = byte;
		n--;
	}
	if (n >= WORD) {
		mem_word_t word = byte * 0x0101010101010101ULL;

		/* Guest RAM is cleared through here: eight words a turn. */
		for (; n >= 8 * WORD; n -= 8 * WORD, d += 8 * WORD) {
			mem_word_t *w = (mem_word_t *)d;

			w[0] = word;
			w[1] = word;
			w[2] = word;
			w[3] = word;
			w[4] = word;
			w[5] = word;
			w[6] = word;
			w[7] = word;
		}
		for (; n >= WORD; n -= WORD, d += WORD)
			*(mem_word_t *)d = word;
	}
	while (n--)
		*d++ = byte;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *found = NULL;

	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t len = strlen(needle);

	if (!len)
		return (char *)haystack;
	for (; *haystack; haystack++) {
		if (*haystack == *needle && !strncmp(haystack, needle, len))
			return (char *)haystack;
	}
	return NULL;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

NO_LIBCALL char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	/* As specified: the rest of dst is zero filled. */
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
