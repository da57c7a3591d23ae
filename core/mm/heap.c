/* SPDX-License-Identifier: GPL-2.0-only */
/* kmalloc: power-of-two slabs up to 2 KiB, whole pages beyond. */
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <lib/list.h>
#include <string.h>

#define HEAP_MIN_SHIFT 4  /* 16 bytes */
#define HEAP_MAX_SHIFT 11 /* 2048 bytes */
#define HEAP_CLASSES (HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)
#define HEAP_MAX_SMALL (1UL << HEAP_MAX_SHIFT)
#define HEAP_ALIGN 16

#define HEAP_SLAB_MAGIC 0x534c4142U  /* "SLAB" */
#define HEAP_LARGE_MAGIC 0x4c415247U /* "LARG" */

/*
 * A slab is one page: this header, a table of the size each caller asked
 * for (plus one; 0 marks a free slot), then the objects. kfree() finds the
 * header by rounding the pointer down to its page. Objects start at least
 * 48 bytes into the page, so they can never be mistaken for a large
 * allocation, whose pointer is always HEAP_LARGE_HEADER bytes in.
 */
struct heap_slab {
	uint32_t magic;
	uint16_t class_index;
	uint16_t in_use;
	struct list_head link; /* on its class's list while it has room */
	void *free_objects;    /* free slots, linked through their first word */
	uint16_t sizes[];
};

struct heap_large {
	uint32_t magic;
	uint32_t order;
	uint64_t size;
};

#define HEAP_LARGE_HEADER sizeof(struct heap_large)
_Static_assert(HEAP_LARGE_HEADER == HEAP_ALIGN, "large header keeps alignment");

struct heap_class {
	struct list_head partial; /* slabs with at least one free slot */
	uint32_t object_size;
	uint16_t capacity;        /* objects per slab */
	uint16_t objects_offset;  /* from the start of the page */
};

static spinlock_t heap_lock = SPINLOCK_INIT;
static struct heap_class heap_classes[HEAP_CLASSES];
static bool heap_ready;
static struct heap_stats heap_counters;

/* Lays out each class's slab on first use. Lock held. */
static void heap_prepare(void)
{
	if (heap_ready)
		return;
	for (unsigned int i = 0; i < HEAP_CLASSES; i++) {
		struct heap_class *c = &heap_classes[i];
		size_t size = 1UL << (HEAP_MIN_SHIFT + i);
		size_t n = (PAGE_SIZE - sizeof(struct heap_slab)) /
			   (size + sizeof(uint16_t));

		while (ALIGN_UP(sizeof(struct heap_slab) + n * sizeof(uint16_t),
				HEAP_ALIGN) + n * size > PAGE_SIZE)
			n--;
		list_init(&c->partial);
		c->object_size = (uint32_t)size;
		c->capacity = (uint16_t)n;
		c->objects_offset = (uint16_t)ALIGN_UP(sizeof(struct heap_slab) +
						       n * sizeof(uint16_t),
						       HEAP_ALIGN);
	}
	heap_ready = true;
}

static unsigned int heap_class_for(size_t size)
{
	unsigned int i = 0;

	while ((1UL << (HEAP_MIN_SHIFT + i)) < size)
		i++;
	return i;
}

static void heap_account_alloc(size_t size)
{
	heap_counters.bytes_in_use += size;
	heap_counters.peak_bytes = MAX(heap_counters.peak_bytes,
				       heap_counters.bytes_in_use);
	heap_counters.allocations++;
}

/* A fresh slab for class c, on its partial list, or NULL. Lock held. */
static struct heap_slab *heap_slab_create(struct heap_class *c,
					  unsigned int index)
{
	struct heap_slab *slab = page_alloc(0);
	char *objects;

	if (!slab)
		return NULL;
	slab->magic = HEAP_SLAB_MAGIC;
	slab->class_index = (uint16_t)index;
	slab->in_use = 0;
	slab->free_objects = NULL;
	memset(slab->sizes, 0, c->capacity * sizeof(uint16_t));
	objects = (char *)slab + c->objects_offset;
	for (unsigned int i = c->capacity; i-- > 0;) {
		void **obj = (void **)(void *)(objects + i * c->object_size);

		*obj = slab->free_objects;
		slab->free_objects = obj;
	}
	list_add(&slab->link, &c->partial);
	return slab;
}

static void *heap_alloc_small(size_t size)
{
	unsigned int index = heap_class_for(size);
	struct heap_class *c = &heap_classes[index];
	struct heap_slab *slab;
	void **obj;
	size_t slot;

	slab = list_first_entry_or_null(&c->partial, struct heap_slab, link);
	if (!slab)
		slab = heap_slab_create(c, index);
	if (!slab)
		return NULL;
	obj = slab->free_objects;
	slab->free_objects = *obj;
	slot = ((char *)obj - ((char *)slab + c->objects_offset)) / c->object_size;
	slab->sizes[slot] = (uint16_t)(size + 1);
	if (++slab->in_use == c->capacity)
		list_del(&slab->link);
	return obj;
}

void *kmalloc(size_t size)
{
	unsigned long flags;
	void *ptr = NULL;

	if (size <= HEAP_MAX_SMALL) {
		flags = spin_lock_irqsave(&heap_lock);
		heap_prepare();
		ptr = heap_alloc_small(size);
	} else if (size <= (PAGE_SIZE << PAGE_MAX_ORDER) - HEAP_LARGE_HEADER) {
		unsigned int order = 0;
		struct heap_large *large;

		while ((PAGE_SIZE << order) < size + HEAP_LARGE_HEADER)
			order++;
		large = page_alloc(order);
		if (large) {
			large->magic = HEAP_LARGE_MAGIC;
			large->order = order;
			large->size = size;
			ptr = (char *)large + HEAP_LARGE_HEADER;
		}
		flags = spin_lock_irqsave(&heap_lock);
	} else {
		flags = spin_lock_irqsave(&heap_lock);
	}
	if (ptr)
		heap_account_alloc(size);
	else
		heap_counters.failures++;
	spin_unlock_irqrestore(&heap_lock, flags);
	return ptr;
}

void *kzalloc(size_t size)
{
	void *ptr = kmalloc(size);

	if (ptr)
		memset(ptr, 0, size);
	return ptr;
}

char *kstrdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = kmalloc(len);

	if (copy)
		memcpy(copy, s, len);
	return copy;
}

/* Returns a small object to its slab; the slab's page goes back to the page
 * allocator once empty. Lock held. */
static void heap_free_small(struct heap_slab *slab, void *ptr)
{
	struct heap_class *c;
	uintptr_t offset;
	size_t slot;

	BUG_ON(slab->class_index >= HEAP_CLASSES);
	c = &heap_classes[slab->class_index];
	offset = (uintptr_t)ptr - (uintptr_t)slab;
	/* A pointer that is not the start of a slot, or a slot already
	 * free, means a bad or double kfree(). */
	BUG_ON(offset < c->objects_offset ||
	       (offset - c->objects_offset) % c->object_size != 0);
	slot = (offset - c->objects_offset) / c->object_size;
	BUG_ON(slot >= c->capacity || slab->sizes[slot] == 0);

	heap_counters.bytes_in_use -= slab->sizes[slot] - 1U;
	heap_counters.frees++;
	slab->sizes[slot] = 0;
	*(void **)ptr = slab->free_objects;
	slab->free_objects = ptr;
	if (slab->in_use-- == c->capacity)
		list_add(&slab->link, &c->partial);
	if (slab->in_use == 0) {
		list_del(&slab->link);
		slab->magic = 0;
		page_free(slab, 0);
	}
}

void kfree(void *ptr)
{
	void *page = (void *)ALIGN_DOWN((uintptr_t)ptr, PAGE_SIZE);
	uint32_t magic;
	unsigned long flags;

	if (!ptr)
		return;
	magic = *(uint32_t *)page;
	if (magic == HEAP_LARGE_MAGIC &&
	    (uintptr_t)ptr - (uintptr_t)page == HEAP_LARGE_HEADER) {
		struct heap_large *large = page;
		unsigned int order = large->order;

		BUG_ON(order > PAGE_MAX_ORDER);
		flags = spin_lock_irqsave(&heap_lock);
		heap_counters.bytes_in_use -= large->size;
		heap_counters.frees++;
		spin_unlock_irqrestore(&heap_lock, flags);
		/* Cleared so that a second kfree() is caught below. */
		large->magic = 0;
		page_free(large, order);
		return;
	}
	BUG_ON(magic != HEAP_SLAB_MAGIC);
	flags = spin_lock_irqsave(&heap_lock);
	heap_free_small(page, ptr);
	spin_unlock_irqrestore(&heap_lock, flags);
}

void heap_stats(struct heap_stats *stats)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	*stats = heap_counters;
	spin_unlock_irqrestore(&heap_lock, flags);
}
