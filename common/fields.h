/*
 * fields.h - the searchable fields of a citation, shared by the indexer and
 * the query engine.  A field's number is part of every term key on disk
 * (FORMAT.md §4), so the numbers never change; new fields get new numbers.
 */
#ifndef FIELDS_H
#define FIELDS_H

#include <stdint.h>

enum sarc_field {
	F_TITLE = 0,    /* ArticleTitle / BookTitle */
	F_ABSTRACT = 1, /* every AbstractText, labels included, OtherAbstract */
	F_MESH = 2,     /* MeSH descriptor and qualifier names */
	F_MAJR = 3,     /* MeSH descriptors marked as major topics */
	F_KEYWORD = 4,  /* author keywords */
	F_AUTHOR = 5,   /* last names, fore names, initials, collective names */
	F_JOURNAL = 6,  /* journal title, ISO abbreviation, MedlineTA */
	F_PUBTYPE = 7,  /* publication types */
	F_LANG = 8,     /* language codes */
	F_CITES = 9,    /* PMIDs the citation references, as decimal terms; not scored */
	F_NFIELDS = 10
};

/* A field's name in queries, explanations and --stats ("title", ...). */
static inline const char *field_name(unsigned f)
{
	static const char *const names[F_NFIELDS] = {"title",   "abstract", "mesh", "majr", "keyword",
						     "author",  "journal",  "pt",   "lang", "cites"};
	return f < F_NFIELDS ? names[f] : "?";
}

/* Facet keys (FORMAT.md §4.1): a citation's journal, MeSH descriptors and
 * publication types, each whole as st_facet_values gives it, under key
 * bytes past the fields.  They are for counting matches by value
 * (--facet): no lengths, never searched or scored. */
enum sarc_facet_key {
	FK_JOURNAL = 10,
	FK_MESH = 11,
	FK_PUBTYPE = 12,
	FK_END = 13
};

#define FIELD_BIT(f) (1u << (f))
/* Fields a plain word searches. */
#define FIELDS_DEFAULT (FIELD_BIT(F_TITLE) | FIELD_BIT(F_ABSTRACT) | FIELD_BIT(F_MESH) | FIELD_BIT(F_KEYWORD))

#endif
