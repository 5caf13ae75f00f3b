/*
 * Split virtqueues (include/virtio.h): the layout of the descriptor table and the two rings in
 * memory shared with the device, the free list of descriptors, adding chains to the available
 * ring and collecting them from the used ring. Knows neither PCI nor any device type, so it is
 * also tested on the host (tests/unit/test_virtq.c). Source: VIRTIO 1.0 §2.4.
 */
#include "virtio.h"
#include "kernel.h"
#include "uapi/errno.h"

/* Descriptor table, then the available ring, then the used ring on a page boundary (§2.4's
 * alignment: 16, 2 and 4 bytes; the page keeps the device's and the driver's halves apart). */
static size_t used_offset(u16 size)
{
	return ALIGN_UP(16ul * size + 6 + 2ul * size, 4096ul);
}

/* virtq_ring_bytes - see include/virtio.h. */
size_t virtq_ring_bytes(u16 size)
{
	return used_offset(size) + ALIGN_UP(6 + 8ul * size, 4096ul);
}

/* virtq_init - see include/virtio.h. */
void virtq_init(struct virtq *vq, u16 index, u16 size, void *mem, void **cookie)
{
	u8 *base = mem;

	vq->index = index;
	vq->size = size;
	vq->desc = (struct virtq_desc *)base;
	vq->avail = (struct virtq_avail *)(base + 16ul * size);
	vq->used = (struct virtq_used *)(base + used_offset(size));
	vq->cookie = cookie;
	vq->notify = NULL;
	vq->pages_order = 0;
	spin_init(&vq->lock, "virtq");
	for (u16 i = 0; i < size; i++)
		vq->desc[i].next = (u16)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	vq->last_used = 0;
	vq->added = 0;
}

/* virtq_add - see include/virtio.h. */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, int n, void *cookie)
{
	u16 head, i, prev = 0;

	if (n <= 0 || vq->num_free < n)
		return -ENOSPC;
	head = i = vq->free_head;
	for (int k = 0; k < n; k++) {
		struct virtq_desc *d = &vq->desc[i];

		d->addr = bufs[k].phys;
		d->len = bufs[k].len;
		d->flags = (bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		prev = i;
		i = d->next;
	}
	vq->free_head = vq->desc[prev].next;
	vq->num_free -= (u16)n;
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail->idx & (vq->size - 1)] = head;
	/* The descriptors and ring slot are visible before the index moves (§2.4.7.2). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&vq->avail->idx, (u16)(vq->avail->idx + 1), __ATOMIC_RELEASE);
	vq->added++;
	return head;
}

/* virtq_kick - see include/virtio.h. */
void virtq_kick(struct virtio_dev *vd, struct virtq *vq)
{
	if (!vq->added)
		return;
	vq->added = 0;
	/* The index store must reach memory before the device is told (and reads it). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*vq->notify = vq->index;
}

/* virtq_get - see include/virtio.h. */
void *virtq_get(struct virtq *vq, u32 *len, u16 *head_out)
{
	u16 idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	struct virtq_used_elem *e;
	void *cookie;
	u16 head, i, n = 1;

	if (idx == vq->last_used)
		return NULL;
	e = &vq->used->ring[vq->last_used & (vq->size - 1)];
	vq->last_used++;
	head = (u16)e->id;
	if (head >= vq->size)
		panic("virtq %u: device returned descriptor %u of %u", vq->index, head, vq->size);
	if (len)
		*len = e->len;
	if (head_out)
		*head_out = head;
	cookie = vq->cookie[head];
	vq->cookie[head] = NULL;
	for (i = head; vq->desc[i].flags & VIRTQ_DESC_F_NEXT; i = vq->desc[i].next)
		n++;
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += n;
	return cookie;
}
