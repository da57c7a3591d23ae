/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intrusive circular doubly linked list: embed a struct list_head in the
 * object and get back to it with list_entry(). An empty list is a head
 * pointing at itself, so insertion and removal never test for NULL.
 */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

/* Linux's name for list_init(), for readers who know that one. */
#define INIT_LIST_HEAD(head) list_init(head)

static inline void list_insert_between(struct list_head *node,
				       struct list_head *prev,
				       struct list_head *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

/* Inserts node right after head (a stack). */
static inline void list_add(struct list_head *node, struct list_head *head)
{
	list_insert_between(node, head, head->next);
}

/* Inserts node right before head, i.e. at the end (a queue). */
static inline void list_add_tail(struct list_head *node, struct list_head *head)
{
	list_insert_between(node, head->prev, head);
}

/* Unlinks node and leaves it pointing at itself, so a second list_del()
 * or list_is_linked() on it is harmless. */
static inline void list_del(struct list_head *node)
{
	node->next->prev = node->prev;
	node->prev->next = node->next;
	list_init(node);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* True when node (initialised with list_init) is on some list. */
static inline bool list_is_linked(const struct list_head *node)
{
	return node->next != node;
}

static inline void list_move_tail(struct list_head *node,
				  struct list_head *head)
{
	list_del(node);
	list_add_tail(node, head);
}

static inline size_t list_count(const struct list_head *head)
{
	size_t n = 0;

	for (const struct list_head *p = head->next; p != head; p = p->next)
		n++;
	return n;
}

#define list_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) \
	list_entry((head)->prev, type, member)
/* The first entry, or NULL when the list is empty. */
#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))

#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define list_for_each_entry(pos, head, member)                              \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member);  \
	     &(pos)->member != (head);                                     \
	     (pos) = list_entry((pos)->member.next, __typeof__(*(pos)), member))

/* As list_for_each_entry(), but pos may be removed inside the loop. */
#define list_for_each_entry_safe(pos, tmp, head, member)                    \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member),  \
	     (tmp) = list_entry((pos)->member.next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                     \
	     (pos) = (tmp),                                                \
	     (tmp) = list_entry((tmp)->member.next, __typeof__(*(pos)), member))

#endif
