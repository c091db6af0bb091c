/*
 * qpriv.h - what the files of the query parser share and nothing else
 * uses: the parser's state, its tokens, the tables of field and tag names,
 * and the functions one of its files calls in another.  The engine sees
 * qparse.h only.
 *
 *   qlex.c     the lexer: text to tokens, and the field and tag names
 *   qmsg.c     error messages
 *   qnode.c    groups (AND, OR) and NOT
 *   qleaf.c    leaves: words, phrases, prefixes, analyzed as the index was
 *   qfilter.c  filter values: years, dates, PMIDs
 *   qparse.c   the grammar, and q_parse
 *   qdump.c    q_dump (it needs qparse.h only)
 */
#ifndef QPRIV_H
#define QPRIV_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "qparse.h"

#define SHOW_MAX 40    /* characters of user text quoted in a message */
#define SHOWBUF 200    /* holds SHOW_MAX characters of up to 4 bytes, and "..." */

/* ---- fields and tags (qlex.c) -------------------------------------------- */

enum fkind { FK_TEXT, FK_DEFAULT, FK_YEAR, FK_PMID, FK_CITES, FK_CITEDBY };

struct fdef {
	const char *name;
	enum fkind kind;
	uint32_t mask; /* FK_TEXT only */
};

#define FB(f) FIELD_BIT(F_##f)

/* The `name:` prefixes and the PubMed tags; a TK_FIELD or TK_TAG token
 * holds an index into one of them. */
extern const struct fdef qp_prefix_fields[];
extern const struct fdef qp_tags[];

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parser state -------------------------------------------------------- */

enum tk {
	TK_EOF,
	TK_WORD,   /* v = the word (without a trailing '*' if prefix) */
	TK_PHRASE, /* v = the text between the quotes */
	TK_LPAREN,
	TK_RPAREN,
	TK_AND,
	TK_OR,
	TK_NOT,
	TK_NEAR,   /* num = distance */
	TK_PLUS,
	TK_MINUS,
	TK_FIELD,  /* idx into qp_prefix_fields */
	TK_TAG,    /* idx into qp_tags; num = proximity distance or 0 */
};

struct tok {
	enum tk kind;
	size_t start, end;   /* bytes of the whole token */
	size_t vstart, vend; /* its value (word text, phrase content) */
	size_t idx;
	uint32_t num;
	int prefix;          /* TK_WORD ended with '*' */
};

/* Everything the lexer needs to resume: copying it is a snapshot, which is
 * how the few look-aheads of more than one token backtrack. */
struct lexstate {
	size_t off;
	enum tk prev_kind; /* to tell "sarcoma[ti]" (attached tag) from text */
	size_t prev_end;
	int have;          /* tok holds a peeked token */
	struct tok tok;
	size_t last_end;   /* end of the last consumed token */
};

struct sterm { /* a term as an_run gave it, text copied to the arena */
	const char *text;
	size_t len;
	uint32_t pos, start, end; /* end: where its source bytes end */
	enum an_kind kind;
};

struct parser {
	const char *s;
	size_t n;
	enum q_syntax syntax;
	int all;
	uint32_t deffields;
	an_analyzer *an;
	struct arena *a;
	struct err *e;
	struct lexstate lx;
	unsigned depth;
	int quiet;             /* > 0 in a look-ahead: errors are not reported */
	size_t nstop;          /* stopwords dropped so far (for messages) */
	size_t norun_until;    /* PubMed tagged-run scan: no run starts before this */
	struct sterm *tv;      /* scratch for an_run, malloc'd */
	size_t ntv, captv;
};

struct kv { /* growable child list in the arena (old arrays are abandoned) */
	struct q_node **v;
	size_t n, cap;
};

/* ---- qmsg.c: messages ---------------------------------------------------- */

const char *qp_show(const struct parser *p, size_t start, size_t end, char *buf, size_t cap);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int qp_perr(struct parser *p, size_t off, const char *fmt, ...);
int qp_nomem(struct parser *p);
int qp_nothing(struct parser *p, size_t start, size_t end, int stopped);

/* ---- qlex.c: the lexer --------------------------------------------------- */

static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

size_t qp_space_at(const char *s, size_t n, size_t i);
size_t qp_quote_at(const char *s, size_t n, size_t i);
int qp_eq_len(const char *s, size_t n, const char *lit);
int qp_peek(struct parser *p, struct tok **t);
int qp_next(struct parser *p, struct tok *t);
int qp_can_start(enum tk k);
const char *qp_tk_name(enum tk k);

/* ---- qnode.c: groups and NOT --------------------------------------------- */

struct q_node *qp_newnode(struct parser *p, enum q_type type, size_t qpos);
int qp_kv_push(struct parser *p, struct kv *v, struct q_node *q);
int qp_is_leaf(const struct q_node *q);
int qp_flagged(const struct q_node *q);
int qp_mkgroup(struct parser *p, enum q_type type, const struct kv *v, size_t start,
	       struct q_node **out);
int qp_mknot(struct parser *p, struct q_node *left, const struct kv *subs, size_t start,
	     struct q_node **out);

/* ---- qleaf.c: leaves ----------------------------------------------------- */

int qp_lang_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		 struct q_node **out);
int qp_word_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		 struct q_node **out);
int qp_prefix_leaf(struct parser *p, const struct tok *t, uint32_t fields, struct q_node **out);
int qp_author_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		   struct q_node **out);
int qp_phrase_leaf(struct parser *p, size_t start, size_t end, size_t qpos, uint32_t fields,
		   uint32_t prox, struct q_node **out);

/* ---- qfilter.c: filter values -------------------------------------------- */

int qp_filter_leaf(struct parser *p, enum fkind k, size_t vs, size_t ve, size_t qpos,
		   const char *name, struct q_node **out);
int qp_dp_range(struct parser *p, struct q_node *q);

#endif
