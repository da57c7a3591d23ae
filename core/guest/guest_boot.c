/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Putting a guest's payload in its RAM: the kernel (an arch kernel image
 * whose header says where it goes, or a raw binary), the optional initrd
 * and the device tree Keel generates from the guest node. Without explicit
 * addresses the device tree goes at the top of the first memory region and
 * the initrd right below it.
 */
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/guest.h>
#include <keel/guest_dtb.h>
#include <keel/guest_internal.h>
#include <keel/mm.h>
#include <libfdt.h>
#include <string.h>

#define GUEST_DTB_MAX KiB(64)

#define LINUX_IMAGE_HEADER_SIZE 64
#define LINUX_IMAGE_TEXT_OFFSET_AT 8
#define LINUX_IMAGE_SIZE_AT 16
#define LINUX_IMAGE_MAGIC_AT 56

static uint64_t load_le64(const uint8_t *bytes)
{
	uint64_t value = 0;

	for (int i = 7; i >= 0; i--)
		value = (value << 8) | bytes[i];
	return value;
}

int guest_linux_image_layout(const struct guest_linux_image *kind, const void *image,
			     size_t len, uint64_t *offset, uint64_t *size)
{
	const uint8_t *header = image;
	uint64_t text_offset, image_size;

	if (!image || len < LINUX_IMAGE_HEADER_SIZE ||
	    memcmp(header + LINUX_IMAGE_MAGIC_AT, kind->magic, 4))
		return -KEEL_ENOENT;
	text_offset = load_le64(header + LINUX_IMAGE_TEXT_OFFSET_AT);
	image_size = load_le64(header + LINUX_IMAGE_SIZE_AT);
	if (image_size == 0 && kind->legacy_text_offset) {
		/* The header's text_offset had no defined endianness then;
		 * such kernels all used the same offset. */
		text_offset = kind->legacy_text_offset;
		image_size = len;
	}
	/* image_size covers the kernel's bss: never less than the file. */
	if (text_offset >= kind->text_offset_max || image_size < len ||
	    image_size > kind->size_max)
		return -KEEL_EINVAL;
	if (offset)
		*offset = text_offset;
	if (size)
		*size = image_size;
	return 0;
}

gpa_t guest_dtb_top_of_ram(const struct guest_config *cfg, uint64_t size)
{
	return cfg->mem[0].base + cfg->mem[0].size - size;
}

static int boot_file(struct guest *g, const char *what, const char *path,
		     const struct fs_node **node, char *err, size_t err_len)
{
	int ret = fs_lookup(path, node);

	if (ret || (*node)->is_dir) {
		guest_error(err, err_len, g,
			    "node /guests/%pE/boot: %s \"%pE\" %s in the image file system (see `ls`)",
			    g->name, what, path, ret ? "does not exist" : "is a directory");
		return ret ? ret : -KEEL_EISDIR;
	}
	return 0;
}

static int load_kernel(struct guest *g, const struct fs_node *kernel, gpa_t *end,
		       char *err, size_t err_len)
{
	const struct guest_boot_config *boot = &g->config.boot;
	uint64_t offset = 0, reserve = kernel->size;
	gpa_t load;
	int ret;

	ret = arch_guest_platform()->image_layout(kernel->data, kernel->size, &offset,
						  &reserve);
	if (ret == -KEEL_ENOENT) {
		offset = 0;
		reserve = kernel->size;
	} else if (ret) {
		guest_error(err, err_len, g, "kernel %pE has a malformed image header",
			    boot->kernel);
		return ret;
	}
	reserve = MAX(reserve, (uint64_t)kernel->size);
	load = boot->has_kernel_addr ? boot->kernel_addr : g->config.mem[0].base + offset;
	if (!guest_range_is_ram(g, load, reserve)) {
		guest_error(err, err_len, g,
			    "kernel %pE (%llu bytes to reserve) does not fit in guest RAM at 0x%llx",
			    boot->kernel, (unsigned long long)reserve, (unsigned long long)load);
		return -KEEL_E2BIG;
	}
	ret = guest_load_to(g, load, kernel->data, kernel->size);
	if (ret)
		return ret;
	g->entry = load;
	*end = load + reserve;
	return 0;
}

int guest_boot_load(struct guest *g, char *err, size_t err_len)
{
	const struct guest_boot_config *boot = &g->config.boot;
	const struct fs_node *kernel, *initrd = NULL;
	struct guest_dtb_extra extra = { 0 };
	gpa_t kernel_end, dtb_gpa;
	void *dtb;
	int ret;

	ret = boot_file(g, "kernel", boot->kernel, &kernel, err, err_len);
	if (!ret && boot->initrd[0])
		ret = boot_file(g, "initrd", boot->initrd, &initrd, err, err_len);
	if (ret)
		return ret;
	ret = load_kernel(g, kernel, &kernel_end, err, err_len);
	if (ret)
		return ret;

	dtb_gpa = boot->has_dtb_addr ? boot->dtb_addr
				     : arch_guest_platform()->dtb_default_gpa(&g->config,
									      GUEST_DTB_MAX);
	if (initrd) {
		extra.initrd_start = boot->has_initrd_addr
			? boot->initrd_addr
			: ALIGN_DOWN(dtb_gpa - initrd->size, PAGE_SIZE);
		extra.initrd_end = extra.initrd_start + initrd->size;
		if ((!boot->has_initrd_addr && (dtb_gpa < initrd->size ||
						 extra.initrd_start < kernel_end)) ||
		    guest_load_to(g, extra.initrd_start, initrd->data, initrd->size)) {
			guest_error(err, err_len, g,
				    "initrd %pE (%zu bytes) does not fit in guest RAM%s; give the guest more memory or set boot/initrd-addr",
				    boot->initrd, initrd->size,
				    boot->has_initrd_addr ? " at initrd-addr" :
				    " between the kernel and the device tree");
			return -KEEL_E2BIG;
		}
	}

	dtb = kmalloc(GUEST_DTB_MAX);
	if (!dtb)
		return -KEEL_ENOMEM;
	ret = guest_dtb_build(&g->config, &extra, dtb, GUEST_DTB_MAX);
	if (ret) {
		guest_error(err, err_len, g, "cannot build its device tree: %s",
			    keel_strerror(ret));
	} else if (guest_load_to(g, dtb_gpa, dtb, fdt_totalsize(dtb)) ||
		   (!boot->has_dtb_addr && dtb_gpa < kernel_end)) {
		guest_error(err, err_len, g,
			    "its device tree (%u bytes) does not fit in guest RAM at 0x%llx",
			    fdt_totalsize(dtb), (unsigned long long)dtb_gpa);
		ret = -KEEL_E2BIG;
	}
	kfree(dtb);
	g->dtb_gpa = dtb_gpa;
	return ret;
}
