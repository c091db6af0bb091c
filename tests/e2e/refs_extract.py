#!/usr/bin/env python3
"""refs_extract.py - reference lists and their inverse, straight from PubMed
XML, sharing no code with sarc (python3's xml.etree over expat).

    refs_extract.py refs FILE...     one line per live record, by PMID:
                                     PMID<TAB>REF REF ...   (its own order,
                                     repeats kept; nothing after the tab when
                                     the record cites nothing)
    refs_extract.py citedby FILE...  one line per PMID cited by a live record:
                                     PMID<TAB>CITER CITER ...  (ascending)
    refs_extract.py stats FILE...    records, live records, references, ...

    -T LIST instead of FILEs reads their paths from LIST, one per line (as
    sarc-index -T does).

FILEs (.xml or .xml.gz) are read in the order given, which must be the order
sarc-index reads them: within a file, records and DeleteCitation elements
take effect in document order, and across files the last event for a PMID
wins, as sarc-index resolves them.  So a record replaced by a later record
contributes only its last reference list, and a deleted record none.

What counts (README "Literature review", FORMAT.md section 7):
  - records: PubmedArticle/MedlineCitation, PubmedBookArticle/BookDocument
    and MedlineCitation, under any of the roots PubmedArticleSet,
    PubmedBookArticleSet and MedlineCitationSet; the record's PMID is the first PMID
    child of MedlineCitation / BookDocument, a decimal in 1..2^32-1;
  - references: ArticleId elements with IdType="pubmed" in
    ArticleIdList/Reference/ReferenceList, where the ReferenceList is the
    record's own (PubmedData/ReferenceList for an article,
    PubmedBookData/ReferenceList or BookDocument/ReferenceList for a book)
    or one nested in it (ReferenceList can hold ReferenceLists); for a
    record without any, the PMIDs of its MedlineCitation or BookDocument
    /CommentsCorrectionsList/CommentsCorrections with
    RefType="Cites" (older files).  Nothing else: not the record's own
    PubmedData/ArticleIdList, not other CommentsCorrections, not another
    record's list;
  - a reference's text is an id only if, spaces stripped, it is 1 to 10
    digits with a value in 1..2^32-1 (others are ignored, as sarc-index
    ignores them).
"""
import gzip
import re
import sys
import xml.etree.ElementTree as ET

SPACES = re.compile('[ \t\n\r\u00a0\u2000-\u200a\u202f\u205f\u3000]+')
DIGITS = re.compile('[0-9]{1,10}')


def local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def text(e):
    return SPACES.sub(' ', ''.join(e.itertext())).strip(' ')


def as_id(s):
    if not DIGITS.fullmatch(s):
        return None
    v = int(s)
    return v if 0 < v <= 0xFFFFFFFF else None


def kids(e, name):
    return [c for c in e if local(c.tag) == name]


def refs_of_list(rl, out):
    """The pubmed ids of one ReferenceList, nested lists included, in
    document order."""
    for c in rl:
        t = local(c.tag)
        if t == 'Reference':
            for idl in kids(c, 'ArticleIdList'):
                for a in kids(idl, 'ArticleId'):
                    if a.get('IdType') == 'pubmed':
                        v = as_id(text(a))
                        if v is not None:
                            out.append(v)
        elif t == 'ReferenceList':
            refs_of_list(c, out)


def record(node, kind):
    """(pmid, refs) of one record element, pmid None when unusable."""
    if kind == 'book':
        doc = next(iter(kids(node, 'BookDocument')), None)
        holders = [doc] + kids(node, 'PubmedBookData') if doc is not None else []
    elif kind == 'article':
        doc = next(iter(kids(node, 'MedlineCitation')), None)
        holders = kids(node, 'PubmedData')
    else:  # a bare MedlineCitation
        doc, holders = node, []
    if doc is None:
        return None, []
    pm = kids(doc, 'PMID')
    pmid = as_id(text(pm[0])) if pm else None
    refs = []
    for h in holders:
        for rl in kids(h, 'ReferenceList'):
            refs_of_list(rl, refs)
    if not refs:
        # older files: the PMID of each CommentsCorrections RefType="Cites"
        for cl in kids(doc, 'CommentsCorrectionsList'):
            for cc in kids(cl, 'CommentsCorrections'):
                if cc.get('RefType') == 'Cites':
                    for p in kids(cc, 'PMID'):
                        i = as_id(text(p))
                        if i is not None:
                            refs.append(i)
    return pmid, refs


def events(path):
    """Records and deletions of one file, in document order."""
    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as f:
        root = ET.fromstring(f.read())
    top = local(root.tag)
    for ch in root:
        t = local(ch.tag)
        # any of the three record kinds under any of the three roots:
        # files that mix them exist (pubmed.h)
        if top not in ('PubmedArticleSet', 'PubmedBookArticleSet', 'MedlineCitationSet'):
            continue
        if t == 'DeleteCitation':
            for p in kids(ch, 'PMID'):
                v = as_id(text(p))
                if v is not None:
                    yield 'delete', v, None
        elif t == 'PubmedArticle':
            yield ('record',) + record(ch, 'article')
        elif t == 'PubmedBookArticle':
            yield ('record',) + record(ch, 'book')
        elif t == 'MedlineCitation':
            yield ('record',) + record(ch, 'medline')


def main(argv):
    if len(argv) < 2 or argv[1] not in ('refs', 'citedby', 'stats'):
        sys.stderr.write(__doc__)
        return 2
    paths = argv[2:]
    if len(paths) == 2 and paths[0] == '-T':
        with open(paths[1], encoding='utf-8') as f:
            paths = [l.rstrip('\n') for l in f if l.strip()]
    live = {}
    nrec = ndel = 0
    for path in paths:
        for kind, pmid, refs in events(path):
            if pmid is None:
                continue
            if kind == 'delete':
                ndel += 1
                live.pop(pmid, None)
            else:
                nrec += 1
                live[pmid] = refs
    out = sys.stdout
    if argv[1] == 'refs':
        for p in sorted(live):
            out.write('%d\t%s\n' % (p, ' '.join(map(str, live[p]))))
    elif argv[1] == 'citedby':
        inv = {}
        for p, refs in live.items():
            for r in set(refs):
                inv.setdefault(r, []).append(p)
        for r in sorted(inv):
            out.write('%d\t%s\n' % (r, ' '.join(map(str, sorted(inv[r])))))
    else:
        nrefs = sum(len(v) for v in live.values())
        cited = set(r for v in live.values() for r in v)
        out.write('records %d\nlive %d\ndeletions %d\nciting %d\nreferences %d\n'
                  'cited %d\ncited_indexed %d\n'
                  % (nrec, len(live), ndel, sum(1 for v in live.values() if v), nrefs,
                     len(cited), len(cited & set(live))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
