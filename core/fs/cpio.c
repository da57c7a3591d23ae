/* SPDX-License-Identifier: GPL-2.0-only */
/* Mounts a cpio "newc" archive, checking every field before trusting it. */
#include <keel/errno.h>
#include <keel/log.h>
#include <lib/format.h>
#include <string.h>
#include "fs_internal.h"

#define CPIO_HEADER_SIZE 110
#define CPIO_MAGIC "070701"
#define CPIO_MAGIC_LEN 6
#define CPIO_TRAILER "TRAILER!!!"
#define CPIO_PROBLEM_MAX 160

/* The thirteen 8-digit hex fields after the magic, in archive order. */
enum cpio_field {
	CPIO_INO, CPIO_MODE, CPIO_UID, CPIO_GID, CPIO_NLINK, CPIO_MTIME,
	CPIO_FILESIZE, CPIO_DEVMAJOR, CPIO_DEVMINOR, CPIO_RDEVMAJOR,
	CPIO_RDEVMINOR, CPIO_NAMESIZE, CPIO_CHECK, CPIO_FIELDS
};

static const char *const cpio_field_names[CPIO_FIELDS] = {
	"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

/*
 * Copies untrusted archive bytes into out for a message: at most max of
 * them, each non-printable one shown as '?', so a corrupt archive cannot
 * put control characters on the console.
 */
static const char *cpio_printable(const char *bytes, size_t len, char *out,
				  size_t out_size)
{
	size_t n = MIN(len, out_size - 1);

	for (size_t i = 0; i < n; i++)
		out[i] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? bytes[i] : '?';
	out[n] = '\0';
	return out;
}

static int cpio_reject(size_t offset, int err, const char *fmt, ...)
	__printf(3, 4);

static int cpio_reject(size_t offset, int err, const char *fmt, ...)
{
	char problem[CPIO_PROBLEM_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	log_error("initrd: entry at offset 0x%zx: %s; image fs left empty",
		  offset, problem);
	return err;
}

static bool cpio_parse_hex(const char *p, uint32_t *value)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];
		uint32_t digit;

		if (c >= '0' && c <= '9')
			digit = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			digit = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			digit = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | digit;
	}
	*value = v;
	return true;
}

/* Adds one archive entry to t. The name is already checked to be
 * NUL terminated inside the archive. */
static int cpio_add_entry(struct fs_table *t, size_t offset, const char *name,
			  const uint32_t *field, const void *data)
{
	char path[FS_PATH_MAX], shown[64];
	uint32_t mode = field[CPIO_MODE];
	uint32_t type = mode & FS_MODE_TYPE;
	size_t size = field[CPIO_FILESIZE];
	struct fs_entry *e;
	const char *problem;
	int len, err;

	if (type != FS_MODE_DIR && type != FS_MODE_FILE) {
		/* Symlinks and device nodes mean nothing to Keel. */
		log_warn("initrd: entry at offset 0x%zx: \"%s\" is neither a file nor a directory (mode 0%o); skipped",
			 offset, cpio_printable(name, strlen(name), shown,
						sizeof(shown)),
			 (unsigned int)mode);
		return 0;
	}
	len = fs_path_normalise(name, strlen(name), path, sizeof(path), &problem);
	if (len < 0)
		return cpio_reject(offset, len, "name \"%s\": %s",
				   cpio_printable(name, strlen(name), shown,
						  sizeof(shown)), problem);
	if (len == 1) {
		/* "." or "/": the root itself, which always exists. */
		if (type == FS_MODE_DIR)
			return 0;
		return cpio_reject(offset, -KEEL_EINVAL,
				   "file entry \"%s\" names the root directory",
				   cpio_printable(name, strlen(name), shown,
						  sizeof(shown)));
	}
	err = fs_table_add(t, path, mode, data, size);
	switch (err) {
	case 0:
		e = fs_table_find(t, path);
		e->ino = field[CPIO_INO];
		e->dev_major = field[CPIO_DEVMAJOR];
		e->dev_minor = field[CPIO_DEVMINOR];
		e->nlink = field[CPIO_NLINK];
		return 0;
	case -KEEL_EEXIST:
		return cpio_reject(offset, err, "duplicate path \"%s\"",
				   cpio_printable(path, (size_t)len, shown,
						  sizeof(shown)));
	case -KEEL_ENOTDIR:
		return cpio_reject(offset, err,
				   "\"%s\" is inside something that is a file",
				   cpio_printable(path, (size_t)len, shown,
						  sizeof(shown)));
	case -KEEL_ENOMEM:
		return cpio_reject(offset, err, "out of memory for the file table");
	default:
		return cpio_reject(offset, err, "cannot add \"%s\": %s",
				   cpio_printable(path, (size_t)len, shown,
						  sizeof(shown)),
				   keel_strerror(err));
	}
}

/*
 * Gives every name of a hard-linked file the data that the archive stored
 * with only one of them (the last, in archives made by GNU cpio).
 */
static void cpio_resolve_hard_links(struct fs_table *t)
{
	for (unsigned int i = 0; i < t->count; i++) {
		struct fs_entry *e = &t->entries[i];

		if (e->node.is_dir || e->node.size || e->nlink < 2)
			continue;
		for (unsigned int j = 0; j < t->count; j++) {
			const struct fs_entry *with_data = &t->entries[j];

			if (!with_data->node.is_dir && with_data->node.size &&
			    with_data->nlink == e->nlink &&
			    with_data->ino == e->ino &&
			    with_data->dev_major == e->dev_major &&
			    with_data->dev_minor == e->dev_minor) {
				e->node.data = with_data->node.data;
				e->node.size = with_data->node.size;
				break;
			}
		}
	}
}

/* Walks the archive, adding every entry to t; stops at the trailer. */
static int cpio_parse(const char *archive, size_t size, struct fs_table *t)
{
	size_t offset = 0;

	for (;;) {
		uint32_t field[CPIO_FIELDS];
		const char *header, *name;
		size_t data_offset, filesize, namesize;
		char shown[64];
		int err;

		if (offset >= size)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "archive ends without a \"" CPIO_TRAILER "\" entry");
		if (size - offset < CPIO_HEADER_SIZE)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "truncated header (%zu bytes left, a header is %u)",
					   size - offset, CPIO_HEADER_SIZE);
		header = archive + offset;
		if (memcmp(header, CPIO_MAGIC, CPIO_MAGIC_LEN) != 0)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "bad magic \"%s\" (expected \"" CPIO_MAGIC "\")",
					   cpio_printable(header, CPIO_MAGIC_LEN,
							  shown, sizeof(shown)));
		for (int i = 0; i < CPIO_FIELDS; i++) {
			const char *p = header + CPIO_MAGIC_LEN + 8 * i;

			if (!cpio_parse_hex(p, &field[i]))
				return cpio_reject(offset, -KEEL_EINVAL,
						   "field %s is not 8 hex digits (\"%s\")",
						   cpio_field_names[i],
						   cpio_printable(p, 8, shown,
								  sizeof(shown)));
		}

		namesize = field[CPIO_NAMESIZE];
		filesize = field[CPIO_FILESIZE];
		name = header + CPIO_HEADER_SIZE;
		if (namesize == 0)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "namesize is 0 (it counts the name's NUL)");
		if (namesize > size - offset - CPIO_HEADER_SIZE)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "name (%zu bytes) runs past the end of the archive",
					   namesize);
		if (strnlen(name, namesize) != namesize - 1)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "namesize %zu does not match the NUL-terminated name \"%s\"",
					   namesize,
					   cpio_printable(name, strnlen(name, namesize),
							  shown, sizeof(shown)));
		/* Name and data each start on a 4-byte boundary. */
		data_offset = ALIGN_UP(offset + CPIO_HEADER_SIZE + namesize, 4);
		if (data_offset > size || filesize > size - data_offset)
			return cpio_reject(offset, -KEEL_EINVAL,
					   "\"%s\": file size %zu runs past the end of the archive",
					   cpio_printable(name, namesize - 1, shown,
							  sizeof(shown)),
					   filesize);

		if (strcmp(name, CPIO_TRAILER) == 0) {
			cpio_resolve_hard_links(t);
			return 0;
		}
		if (namesize == 1)
			return cpio_reject(offset, -KEEL_EINVAL, "empty name");

		err = cpio_add_entry(t, offset, name, field,
				     archive + data_offset);
		if (err)
			return err;
		offset = ALIGN_UP(data_offset + filesize, 4);
	}
}

int fs_mount_cpio(const void *archive, size_t size)
{
	struct fs_table t;
	int err;

	fs_unmount();
	if (!archive || !size) {
		log_error("initrd: no archive given; image fs left empty");
		return -KEEL_EINVAL;
	}
	err = fs_table_init(&t);
	if (err) {
		log_error("initrd: out of memory for the file table; image fs left empty");
		return err;
	}
	err = cpio_parse(archive, size, &t);
	if (err) {
		/* Nothing half-mounted: all or nothing. */
		fs_table_free(&t);
		return err;
	}
	fs_table_install(&t);
	return 0;
}
