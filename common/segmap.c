/*
 * segmap.c - one file of the index at a time: the 32-byte header every
 * file starts with (FORMAT.md §2), and read-only mappings of whole files,
 * with the calls that hand their pages back.  A header, body length or
 * padding that does not fit the file is an error here, so that no reader
 * of a body takes a damaged length at its word.
 */
#include "seg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void seg_header_encode(uint8_t out[SEG_HEADER_BYTES], const struct seg_header *h)
{
	memcpy(out, "SARC", 4);
	memcpy(out + 4, h->kind, 4);
	fmt_put_u32le(out + 8, h->version);
	fmt_put_u32le(out + 12, h->an_version);
	fmt_put_u32le(out + 16, h->flags);
	fmt_put_u32le(out + 20, h->body_crc);
	fmt_put_u64le(out + 24, h->body_len);
}

int seg_header_decode(const uint8_t *p, size_t n, const char *kind, const char *path,
		      struct seg_header *h, struct err *e)
{
	if (n < SEG_HEADER_BYTES)
		return err_set(e, ERR_CORRUPT, "%s: file is truncated (%zu bytes)", path, n);
	if (memcmp(p, "SARC", 4) != 0 || memcmp(p + 4, kind, 4) != 0)
		return err_set(e, ERR_CORRUPT, "%s: not a sarc %s file (bad magic)", path, kind);
	memcpy(h->kind, p + 4, 4);
	h->kind[4] = '\0';
	h->version = fmt_get_u32le(p + 8);
	h->an_version = fmt_get_u32le(p + 12);
	h->flags = fmt_get_u32le(p + 16);
	h->body_crc = fmt_get_u32le(p + 20);
	h->body_len = fmt_get_u64le(p + 24);
	if (h->version < SARC_FORMAT_OLDEST || h->version > SARC_FORMAT_VERSION)
		return err_set(e, ERR_FORMAT_VERSION,
			       "%s: index format version %u, this sarc reads version %u%s", path,
			       h->version, SARC_FORMAT_VERSION,
			       h->version < SARC_FORMAT_VERSION ? " (index the XML again)" : "");
	if (h->version < 7 && (h->flags & SEG_FLAG_FACETS))
		return err_set(e, ERR_CORRUPT, "%s: facet keys in a file of format version %u", path,
			       h->version);
	if (h->body_len > n - SEG_HEADER_BYTES)
		return err_set(e, ERR_CORRUPT, "%s: file is truncated (body of %llu bytes, %zu present)",
			       path, (unsigned long long)h->body_len, n - SEG_HEADER_BYTES);
	return 0;
}

int seg_map_open(struct seg_map *m, const char *dir, const char *name, const char *kind,
		 struct err *e)
{
	char path[4096];
	int rc = 0, fd = -1;
	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(e, errno, "cannot open '%s'", path);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = err_errno(e, errno, "cannot stat '%s'", path);
		goto out;
	}
	if ((size_t)st.st_size < SEG_HEADER_BYTES) {
		rc = err_set(e, ERR_CORRUPT, "%s: file is truncated (%lld bytes)", path,
			     (long long)st.st_size);
		goto out;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = err_errno(e, errno, "cannot map '%s'", path);
		goto out;
	}
	m->base = p;
	m->size = (size_t)st.st_size;
	if ((rc = seg_header_decode(m->base, m->size, kind, path, &m->h, e)) != 0) {
		seg_map_close(m);
		goto out;
	}
	/* The body is followed by SEG_TAIL_PAD zero bytes so that decoders may
	 * over-read; a file without them was cut short.  Writers add nothing
	 * after them, so any other size means a damaged body length, which a
	 * query would otherwise take at its word (header bytes are outside the
	 * CRC, and a shorter body would cut the trailer or lists short). */
	if (m->size - SEG_HEADER_BYTES - m->h.body_len < SEG_TAIL_PAD) {
		rc = err_set(e, ERR_CORRUPT, "%s: file is truncated (padding missing)", path);
		seg_map_close(m);
		goto out;
	}
	if (m->size - SEG_HEADER_BYTES - m->h.body_len != SEG_TAIL_PAD) {
		rc = err_set(e, ERR_CORRUPT, "%s: body length %llu does not match the file size %zu",
			     path, (unsigned long long)m->h.body_len, m->size);
		seg_map_close(m);
		goto out;
	}
	m->body = m->base + SEG_HEADER_BYTES;
	m->body_len = (size_t)m->h.body_len;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void seg_map_close(struct seg_map *m)
{
	if (m->base)
		munmap((void *)m->base, m->size);
	memset(m, 0, sizeof *m);
}

void seg_map_release(const struct seg_map *m, size_t n)
{
	/* mmap returns page-aligned bases, and whole files are mapped */
	for (size_t i = 0; i < n; i++)
		if (m[i].base)
			madvise((void *)m[i].base, m[i].size, MADV_DONTNEED);
}

void seg_map_drop(const struct seg_map *m, uint64_t from, uint64_t to)
{
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0 || m->base == NULL)
		return;
	uintptr_t mask = (uintptr_t)pg - 1;
	uintptr_t start = from == 0 ? (uintptr_t)m->base
				    : ((uintptr_t)m->body + (uintptr_t)from + mask) & ~mask;
	uintptr_t end = ((uintptr_t)m->body + (uintptr_t)to) & ~mask;
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}
