/*
 * inputs.c - expansion of input paths (see inputs.h).
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Takes standard input for one use: a second reader would get what the
 * first left, or share it with it (two threads). */
static int take_stdin(struct inputs *in, struct err *e)
{
	if (in->stdin_used++)
		return err_set(e, ERR_USAGE, "standard input ('-') given more than once");
	return 0;
}

static int push(struct inputs *in, const char *p, struct err *e)
{
	if (strcmp(p, "-") == 0 && take_stdin(in, e))
		return e->code;
	if (in->n == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 64;
		char **v = realloc(in->v, sizeof *v * cap);
		if (v == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		in->v = v;
		in->cap = cap;
	}
	if ((in->v[in->n] = strdup(p)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	in->n++;
	return 0;
}

/* Whether s ends with suf, in any case: "PUBMED.XML.GZ" from a system
 * that upper-cases names is PubMed XML too. */
static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct visit {
	dev_t dev;
	ino_t ino;
};

static int walk(struct inputs *in, const char *dir, struct visit *stack, int depth,
		struct err *e)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return err_errno(e, errno, "cannot read '%s'", dir);
	/* a symlink back to an ancestor would recurse forever */
	for (int i = 0; i < depth; i++)
		if (stack[i].dev == st.st_dev && stack[i].ino == st.st_ino)
			return err_set(e, ERR_USAGE, "%s: directory loop", dir);
	if (depth >= 64)
		return err_set(e, ERR_LIMIT, "%s: directories nested too deeply", dir);
	stack[depth].dev = st.st_dev;
	stack[depth].ino = st.st_ino;
	DIR *d = opendir(dir);
	if (d == NULL && in->keep_going && depth > 0 && in->skip) {
		/* --keep-going: a subdirectory is skipped like an unreadable
		 * file (the directory named on the command line is not) */
		char msg[4400];
		snprintf(msg, sizeof msg, "skipped: cannot read directory '%s': %s", dir,
			 strerror(errno));
		in->skip(in->skip_ctx, msg);
		in->nskipped++;
		return 0;
	}
	if (d == NULL)
		return err_errno(e, errno, "cannot read directory '%s'", dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, sizeof *nn * cap);
			if (nn == NULL) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		char p[4096];
		size_t dl = strlen(dir);
		/* "downloads/" as typed: no "downloads//file" in messages */
		snprintf(p, sizeof p, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
		if (stat(p, &st) != 0) {
			rc = err_errno(e, errno, "cannot read '%s'", p);
			break;
		}
		if (S_ISDIR(st.st_mode))
			rc = walk(in, p, stack, depth + 1, e);
		else if (ends_with(p, ".xml") || ends_with(p, ".xml.gz"))
			rc = push(in, p, e);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int inputs_add(struct inputs *in, const char *path, struct err *e)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct visit stack[65];
		size_t before = in->n;
		int rc = walk(in, path, stack, 0, e);
		/* A directory with nothing to read is a mistake (the wrong
		 * folder, a download that failed), not an empty success. */
		if (rc == 0 && in->n == before)
			return err_set(e, ERR_USAGE, "'%s': no .xml or .xml.gz files in this directory",
				       path);
		return rc;
	}
	return push(in, path, e);
}

int inputs_add_list(struct inputs *in, const char *listfile, struct err *e)
{
	int is_stdin = strcmp(listfile, "-") == 0;
	if (is_stdin && take_stdin(in, e))
		return e->code;
	FILE *f = is_stdin ? stdin : fopen(listfile, "r");
	if (f == NULL)
		return err_errno(e, errno, "cannot open '%s'", listfile);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	while (rc == 0) {
		errno = 0;
		if ((len = getline(&line, &cap, f)) < 0) {
			/* fopen() opens a directory; reading it fails (EISDIR) */
			if (ferror(f))
				rc = err_errno(e, errno ? errno : EIO, "cannot read '%s'", listfile);
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len > 0)
			rc = inputs_add(in, line, e);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

void inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->v[i]);
	free(in->v);
	in->v = NULL;
	in->n = in->cap = 0;
}
