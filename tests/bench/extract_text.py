#!/usr/bin/env python3
"""extract_text.py - the title+abstract text that `make bench` feeds to
SQLite FTS5 and Lucene, which do not parse PubMed XML themselves.

Reads the records that `sarc-index --dump FILES...` prints (one JSON object
per record) or, with --xml, parses the files itself with
xml.etree.ElementTree.iterparse (independent of sarc, slower).  As the
indexer does, the last record seen for a PMID replaces earlier ones and a
DeleteCitation removes it.  Writes

  TSV           PMID<TAB>TITLE<TAB>ABSTRACT per citation (tabs, newlines
                and carriage returns inside the text become spaces)
  --meta FILE   JSON: citations, title/abstract/text bytes (UTF-8, as in
                the XML after entity decoding: the "raw text" that index
                sizes are compared with), and sample PMIDs that have
                references / are cited, for --references and --cited-by
  --sample FILE one title or abstract per line, at most --sample-bytes
                (for build/bench_analyze)

usage: extract_text.py [--xml] [--sarc-index BIN] --out TSV --meta JSON
                       [--sample FILE --sample-bytes N] FILE...
"""
import argparse
import gzip
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def records_from_dump(sarc_index, files):
    """Yields (kind, pmid, title, abstract, refs) from sarc-index --dump."""
    p = subprocess.Popen([sarc_index, "--dump"] + files, stdout=subprocess.PIPE)
    for line in p.stdout:
        d = json.loads(line)
        if "delete" in d:  # {"delete":[PMID,...]} from a DeleteCitation
            for pmid in d["delete"]:
                yield ("delete", int(pmid), "", "", [])
        elif "pmid" in d:
            yield (d.get("kind", "article"), int(d["pmid"]), d.get("title") or "",
                   d.get("abstract") or "", d.get("refs") or [])
    if p.wait() not in (0, 1):
        sys.exit("extract_text: sarc-index --dump failed (exit %d)" % p.returncode)


def _text(el):
    return "".join(el.itertext()) if el is not None else ""


def records_from_xml(files):
    """Yields the same tuples by parsing the XML with ElementTree."""
    for path in files:
        f = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
        with f:
            for _, el in ET.iterparse(f, events=("end",)):
                if el.tag == "MedlineCitation":
                    pmid = el.findtext("PMID")
                    art = el.find("Article")
                    title = _text(art.find("ArticleTitle")) if art is not None else ""
                    abstract = "\n".join(_text(a) for a in el.iter("AbstractText"))
                    if pmid and pmid.strip().isdigit():
                        yield ("article", int(pmid), title, abstract, [])
                elif el.tag == "PubmedArticle":
                    el.clear()
                elif el.tag == "DeleteCitation":
                    for p in el.iter("PMID"):
                        if p.text and p.text.strip().isdigit():
                            yield ("delete", int(p.text), "", "", [])
                    el.clear()


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xml", action="store_true", help="parse with ElementTree, not sarc-index --dump")
    ap.add_argument("--sarc-index", default="bin/sarc-index")
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--sample")
    ap.add_argument("--sample-bytes", type=int, default=32 << 20)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()

    recs = records_from_xml(a.files) if a.xml else records_from_dump(a.sarc_index, a.files)
    docs = {}  # pmid -> (title, abstract, refs); dicts keep insertion order
    for kind, pmid, title, abstract, refs in recs:
        if kind == "delete":
            docs.pop(pmid, None)
        else:
            docs.pop(pmid, None)  # a replacement moves to the end, as in the index
            docs[pmid] = (title, abstract, refs)

    tb = ab = 0
    citing, cited = [], {}
    sample_left = a.sample_bytes
    sample = open(a.sample, "w", encoding="utf-8") if a.sample else None
    with open(a.out, "w", encoding="utf-8") as out:
        for pmid, (title, abstract, refs) in docs.items():
            tb += len(title.encode("utf-8"))
            ab += len(abstract.encode("utf-8"))
            out.write("%d\t%s\t%s\n" % (pmid, clean(title), clean(abstract)))
            if refs:
                citing.append(pmid)
                for r in refs:
                    if r in docs:
                        cited[r] = cited.get(r, 0) + 1
            if sample and sample_left > 0:
                for s in (title, abstract):
                    if s:
                        line = clean(s) + "\n"
                        sample.write(line)
                        sample_left -= len(line)
    if sample:
        sample.close()

    def spread(v, n=5):
        """n items spread evenly over v (deterministic)."""
        if len(v) <= n:
            return list(v)
        return [v[(i * (len(v) - 1)) // (n - 1)] for i in range(n)]

    # The most cited documents make --cited-by do real work; spread the rest.
    top_cited = sorted(cited, key=lambda p: (-cited[p], p))
    meta = {
        "citations": len(docs),
        "title_bytes": tb,
        "abstract_bytes": ab,
        "text_bytes": tb + ab,
        "with_abstract": sum(1 for t, ab_, r in docs.values() if ab_),
        "pmids": spread(list(docs.keys())),
        "citing_pmids": spread(citing),
        "cited_pmids": top_cited[:2] + spread(top_cited[2:], 3),
        "extractor": "xml.etree" if a.xml else "sarc-index --dump",
    }
    with open(a.meta, "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
