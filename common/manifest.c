/*
 * manifest.c - reading and atomically replacing the manifest (FORMAT.md §8).
 */
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "seg.h"

void mf_free(struct manifest *m)
{
	free(m->stopwords);
	free(m->segs);
	memset(m, 0, sizeof *m);
}

static int read_all(const char *path, uint8_t **out, size_t *n, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	uint8_t *buf = NULL;
	int rc = 0;
	if (fstat(fd, &st) != 0) {
		rc = err_errno(e, errno, "cannot stat '%s'", path);
		goto out;
	}
	if (st.st_size > (16 << 20)) {
		rc = err_set(e, ERR_CORRUPT, "%s: manifest is implausibly large", path);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = err_errno(e, k < 0 ? errno : EIO, "cannot read '%s'", path);
			goto out;
		}
		got += (size_t)k;
	}
	*out = buf;
	*n = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

static int get_str(struct fmt_cur *c, char *dst, size_t cap)
{
	uint64_t n = fmt_cur_varint(c);
	const uint8_t *p = fmt_cur_bytes(c, n);
	if (p == NULL || n >= cap || memchr(p, '/', n) || memchr(p, 0, n))
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

int mf_read(const char *dir, struct manifest *m, struct err *e)
{
	char path[4096];
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;
	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/%s", dir, MF_NAME);
	if ((rc = read_all(path, &buf, &n, e)) != 0) {
		if (rc == ENOENT) {
			struct stat st;
			if (stat(dir, &st) != 0)
				return err_errno(e, errno, "cannot open index '%s'", dir);
			return err_set(e, ERR_NOTFOUND, "'%s' is not a sarc index (no %s)", dir, MF_NAME);
		}
		if (rc > 0)
			return err_errno(e, rc, "cannot open '%s'", path);
		return rc;
	}
	struct seg_header h;
	if ((rc = seg_header_decode(buf, n, SEG_KIND_MANIFEST, path, &h, e)))
		goto out;
	const uint8_t *body = buf + SEG_HEADER_BYTES;
	if (fmt_crc32(0, body, h.body_len) != h.body_crc) {
		rc = err_set(e, ERR_CORRUPT, "%s: checksum mismatch", path);
		goto out;
	}
	struct fmt_cur c = {body, body + h.body_len, 0};
	m->an_version = h.an_version;
	m->flags = h.flags;
	m->generation = fmt_cur_u64(&c);
	m->next_id = fmt_cur_u64(&c);
	uint64_t sl = fmt_cur_varint(&c);
	const uint8_t *sw = fmt_cur_bytes(&c, sl);
	uint32_t nsegs = fmt_cur_u32(&c);
	if (c.bad || nsegs > 1000000) {
		rc = err_set(e, ERR_CORRUPT, "%s: layout is damaged", path);
		goto out;
	}
	m->stopwords = malloc(sl + 1);
	m->segs = calloc(nsegs ? nsegs : 1, sizeof *m->segs);
	if (!m->stopwords || !m->segs) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(m->stopwords, sw, sl);
	m->stopwords[sl] = '\0';
	m->nsegs = nsegs;
	for (uint32_t i = 0; i < nsegs; i++) {
		struct mf_seg *s = &m->segs[i];
		if (get_str(&c, s->name, sizeof s->name) || get_str(&c, s->delname, sizeof s->delname)) {
			rc = err_set(e, ERR_CORRUPT, "%s: segment %u entry is damaged", path, i);
			goto out;
		}
		s->ndocs = fmt_cur_u32(&c);
		s->ndeleted = fmt_cur_u32(&c);
	}
	if (c.bad || c.p != c.end)
		rc = err_set(e, ERR_CORRUPT, "%s: layout is damaged", path);
out:
	free(buf);
	if (rc)
		mf_free(m);
	return rc;
}

int mf_write(const char *dir, const struct manifest *m, struct err *unsynced, struct err *e)
{
	char tmp[4096], path[4096];
	struct fmt_buf b;
	int fd = -1, rc = 0;
	fmt_buf_init(&b);
	snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, MF_NAME);
	snprintf(path, sizeof path, "%s/%s", dir, MF_NAME);
	fmt_buf_reserve(&b, SEG_HEADER_BYTES);
	b.len = SEG_HEADER_BYTES;
	fmt_buf_u64(&b, m->generation);
	fmt_buf_u64(&b, m->next_id);
	const char *sw = m->stopwords ? m->stopwords : "";
	fmt_buf_str(&b, sw, strlen(sw));
	fmt_buf_u32(&b, (uint32_t)m->nsegs);
	for (size_t i = 0; i < m->nsegs; i++) {
		fmt_buf_str(&b, m->segs[i].name, strlen(m->segs[i].name));
		fmt_buf_str(&b, m->segs[i].delname, strlen(m->segs[i].delname));
		fmt_buf_u32(&b, m->segs[i].ndocs);
		fmt_buf_u32(&b, m->segs[i].ndeleted);
	}
	if (b.rc) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	struct seg_header h = {.version = SARC_FORMAT_VERSION,
			       .an_version = m->an_version,
			       .flags = m->flags,
			       .body_len = b.len - SEG_HEADER_BYTES};
	memcpy(h.kind, SEG_KIND_MANIFEST, 5);
	h.body_crc = fmt_crc32(0, b.p + SEG_HEADER_BYTES, h.body_len);
	seg_header_encode(b.p, &h);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = err_errno(e, errno, "cannot create '%s'", tmp);
		goto out;
	}
	size_t off = 0;
	while (off < b.len) {
		ssize_t k = write(fd, b.p + off, b.len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = err_errno(e, errno, "cannot write '%s'", tmp);
			goto out;
		}
		off += (size_t)k;
	}
	if (fsync(fd) != 0) {
		rc = err_errno(e, errno, "cannot sync '%s'", tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = err_errno(e, errno, "cannot rename '%s'", tmp);
		goto out;
	}
	/* the rename is durable only once the directory is synced */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		/* committed all the same: readers see m from now on, and
		 * failing would claim the previous index is the index */
		if (fsync(dfd) != 0)
			err_errno(unsynced, errno, "cannot sync directory '%s'", dir);
		close(dfd);
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	fmt_buf_free(&b);
	return rc;
}
