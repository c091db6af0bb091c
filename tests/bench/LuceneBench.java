/*
 * LuceneBench.java - the Apache Lucene 4.10 side of `make bench`
 * (Debian's liblucene4.10-java; compiled by tests/bench/run.sh into
 * build/bench/).
 *
 * One field "text" (title, a newline, abstract; positions, not stored)
 * analyzed by EnglishAnalyzer (StandardTokenizer, possessives, lowercase,
 * English stopwords, Porter stemmer), plus the PMID as a numeric doc value
 * (a column, not a stored field) so that hits can be named cheaply.  Ranked
 * with BM25Similarity (k1 1.2, b 0.75, as sarc).  The index is built with
 * compound files off and force-merged to one segment.
 *
 *   build  INDEX TEXT.tsv THREADS RAM_MB   PMID<TAB>TITLE<TAB>ABSTRACT lines;
 *                                          one reader thread feeds THREADS
 *                                          indexing threads
 *   stats  INDEX                           size, stored bytes, postings (JSON)
 *   query  INDEX QUERIES REPEAT            per-query latency in a warm JVM
 *   batch  INDEX QUERIES                   run every query once, print PMIDs
 *   search INDEX QUERY                     one query, print PMIDs (whole JVM)
 *
 * Query translation: sarc's field prefixes (title:, abstract:, tiab:) are
 * dropped, since everything is in "text"; the rest is given to the classic
 * QueryParser (default operator OR, so plain words are a ranked OR; quotes
 * make a phrase), which analyzes it with the same EnglishAnalyzer.
 */
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.AtomicReaderContext;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MultiDocValues;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;

public class LuceneBench {
	static final int K = 10;
	static final List<String> EOF = new ArrayList<>();

	static Analyzer analyzer() {
		return new EnglishAnalyzer();
	}

	static String json(String s) {
		StringBuilder b = new StringBuilder("\"");
		for (char c : s.toCharArray()) {
			if (c == '"' || c == '\\')
				b.append('\\').append(c);
			else if (c < 0x20)
				b.append(String.format("\\u%04x", (int) c));
			else
				b.append(c);
		}
		return b.append('"').toString();
	}

	static String translate(String q) {
		return q.replaceAll("(?i)\\b(title|abstract|tiab):", "");
	}

	static List<String[]> readQueries(String path) throws Exception {
		List<String[]> out = new ArrayList<>();
		try (BufferedReader r = new BufferedReader(new InputStreamReader(
				new FileInputStream(path), StandardCharsets.UTF_8))) {
			String line;
			while ((line = r.readLine()) != null) {
				if (line.trim().isEmpty() || line.startsWith("#"))
					continue;
				int tab = line.indexOf('\t');
				if (tab < 0)
					out.add(new String[] {Integer.toString(out.size() + 1), line});
				else
					out.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
			}
		}
		return out;
	}

	static void build(String dir, String tsv, int threads, double ramMB) throws Exception {
		long t0 = System.nanoTime();
		Analyzer a = analyzer();
		IndexWriterConfig c = new IndexWriterConfig(Version.LUCENE_4_10_4, a);
		c.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
		c.setSimilarity(new BM25Similarity());
		c.setRAMBufferSizeMB(ramMB);
		c.setUseCompoundFile(false);
		c.setMaxThreadStates(Math.max(threads, 1));
		TieredMergePolicy mp = new TieredMergePolicy();
		mp.setNoCFSRatio(0.0);
		c.setMergePolicy(mp);
		Directory d = FSDirectory.open(new File(dir));
		final IndexWriter w = new IndexWriter(d, c);
		final BlockingQueue<List<String>> queue = new ArrayBlockingQueue<>(64);
		final AtomicLong ndocs = new AtomicLong();
		Thread[] workers = new Thread[threads];
		for (int i = 0; i < threads; i++) {
			workers[i] = new Thread(() -> {
				Document doc = new Document();
				TextField text = new TextField("text", "", Field.Store.NO);
				NumericDocValuesField pmid = new NumericDocValuesField("pmid", 0);
				doc.add(text);
				doc.add(pmid);
				try {
					for (;;) {
						List<String> batch = queue.take();
						if (batch == EOF) {
							queue.put(EOF);
							return;
						}
						for (String line : batch) {
							int t1 = line.indexOf('\t'), t2 = line.indexOf('\t', t1 + 1);
							pmid.setLongValue(Long.parseLong(line.substring(0, t1)));
							text.setStringValue(line.substring(t1 + 1, t2) + "\n"
									+ line.substring(t2 + 1));
							w.addDocument(doc);
						}
						ndocs.addAndGet(batch.size());
					}
				} catch (Exception e) {
					/* The reader may be blocked on a full queue: stop here. */
					e.printStackTrace();
					System.exit(1);
				}
			});
			workers[i].start();
		}
		try (BufferedReader r = new BufferedReader(new InputStreamReader(
				new FileInputStream(tsv), StandardCharsets.UTF_8), 1 << 20)) {
			List<String> batch = new ArrayList<>(256);
			String line;
			while ((line = r.readLine()) != null) {
				batch.add(line);
				if (batch.size() == 256) {
					queue.put(batch);
					batch = new ArrayList<>(256);
				}
			}
			if (!batch.isEmpty())
				queue.put(batch);
		} finally {
			queue.put(EOF); /* the workers stop even if reading failed */
			for (Thread t : workers)
				t.join();
		}
		long t1 = System.nanoTime();
		w.forceMerge(1);
		w.close();
		d.close();
		long t2 = System.nanoTime();
		System.out.printf("{\"engine\":\"lucene\",\"task\":\"build_info\",\"threads\":%d,"
				+ "\"docs\":%d,\"add_seconds\":%.6f,\"merge_seconds\":%.6f,\"seconds\":%.6f,"
				+ "\"lucene\":\"%s\"}%n", threads, ndocs.get(), (t1 - t0) / 1e9,
				(t2 - t1) / 1e9, (t2 - t0) / 1e9, Version.LATEST);
	}

	static void stats(String dir) throws Exception {
		long total = 0, stored = 0;
		File[] files = new File(dir).listFiles();
		for (File f : files) {
			if (f.getName().equals("write.lock"))
				continue;
			total += f.length();
			if (f.getName().endsWith(".fdt") || f.getName().endsWith(".fdx"))
				stored += f.length();
		}
		long postings = 0, terms = 0;
		try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(new File(dir)))) {
			for (AtomicReaderContext ctx : r.leaves()) {
				Terms t = ctx.reader().terms("text");
				if (t != null) {
					postings += t.getSumDocFreq();
					terms += t.size();
				}
			}
			System.out.printf("{\"engine\":\"lucene\",\"task\":\"size\",\"bytes\":%d,"
					+ "\"stored_bytes\":%d,\"terms\":%d,\"postings\":%d,\"docs\":%d,"
					+ "\"segments\":%d}%n", total, stored, terms, postings, r.numDocs(),
					r.leaves().size());
		}
	}

	static final class Searcher implements AutoCloseable {
		final DirectoryReader reader;
		final IndexSearcher searcher;
		final NumericDocValues pmids;
		final QueryParser parser;

		Searcher(String dir) throws Exception {
			reader = DirectoryReader.open(FSDirectory.open(new File(dir)));
			searcher = new IndexSearcher(reader);
			searcher.setSimilarity(new BM25Similarity());
			pmids = MultiDocValues.getNumericValues(reader, "pmid");
			parser = new QueryParser("text", analyzer());
		}

		/* Parse, search top-K, and name the hits: what sarc_search does. */
		long[] run(String q) throws Exception {
			Query query = parser.parse(translate(q));
			TopDocs td = searcher.search(query, K);
			long[] out = new long[td.scoreDocs.length];
			int i = 0;
			for (ScoreDoc sd : td.scoreDocs)
				out[i++] = pmids.get(sd.doc);
			return out;
		}

		public void close() throws Exception {
			reader.close();
		}
	}

	static void query(String dir, String qfile, int repeat) throws Exception {
		List<String[]> qs = readQueries(qfile);
		int n = qs.size();
		boolean[] bad = new boolean[n];
		long[][] top = new long[n][];
		double[][] us = new double[n][repeat];
		double[] pass = new double[repeat];
		try (Searcher s = new Searcher(dir)) {
			/* Warm-up: let the JIT compile the search loop (at least 3
			 * passes and 2 seconds), as a long-running server would have. */
			long until = System.nanoTime() + 2_000_000_000L;
			for (int p = 0; p < 3 || System.nanoTime() < until; p++) {
				for (int i = 0; i < n; i++) {
					if (bad[i])
						continue;
					try {
						top[i] = s.run(qs.get(i)[1]);
					} catch (Exception e) {
						bad[i] = true;
						System.out.printf("{\"engine\":\"lucene\",\"task\":\"q_error\","
								+ "\"qid\":%s,\"error\":%s}%n", json(qs.get(i)[0]),
								json(e.toString()));
					}
				}
				if (p > 1000)
					break;
			}
			for (int r = 0; r < repeat; r++) {
				for (int i = 0; i < n; i++) {
					if (bad[i])
						continue;
					long t0 = System.nanoTime();
					s.run(qs.get(i)[1]);
					double dt = (System.nanoTime() - t0) / 1e3;
					us[i][r] = dt;
					pass[r] += dt;
				}
			}
		}
		for (int i = 0; i < n; i++) {
			if (bad[i])
				continue;
			double[] v = us[i].clone();
			Arrays.sort(v);
			double med = repeat % 2 == 1 ? v[repeat / 2] : (v[repeat / 2 - 1] + v[repeat / 2]) / 2;
			StringBuilder t = new StringBuilder();
			for (int j = 0; j < top[i].length; j++)
				t.append(j > 0 ? "," : "").append(top[i][j]);
			System.out.printf("{\"engine\":\"lucene\",\"task\":\"q\",\"qid\":%s,\"us\":%.3f,"
					+ "\"nhits\":%d,\"top\":[%s],\"query\":%s}%n", json(qs.get(i)[0]), med,
					top[i].length, t, json(translate(qs.get(i)[1])));
		}
		for (int r = 0; r < repeat; r++)
			System.out.printf("{\"engine\":\"lucene\",\"task\":\"q_pass\",\"us\":%.3f,"
					+ "\"queries\":%d}%n", pass[r], n);
	}

	static void print(long[] hits, StringBuilder out) {
		for (long h : hits)
			out.append(h).append('\n');
	}

	public static void main(String[] args) throws Exception {
		String usage = "usage: LuceneBench build INDEX TSV THREADS RAM_MB | stats INDEX"
				+ " | query INDEX QUERIES REPEAT | batch INDEX QUERIES | search INDEX QUERY";
		if (args.length < 2) {
			System.err.println(usage);
			System.exit(2);
		}
		switch (args[0]) {
		case "build":
			build(args[1], args[2], Integer.parseInt(args[3]), Double.parseDouble(args[4]));
			break;
		case "stats":
			stats(args[1]);
			break;
		case "query":
			query(args[1], args[2], Integer.parseInt(args[3]));
			break;
		case "batch": {
			StringBuilder out = new StringBuilder();
			try (Searcher s = new Searcher(args[1])) {
				for (String[] q : readQueries(args[2]))
					print(s.run(q[1]), out);
			}
			System.out.print(out);
			break;
		}
		case "search": {
			StringBuilder out = new StringBuilder();
			try (Searcher s = new Searcher(args[1])) {
				print(s.run(args[2]), out);
			}
			System.out.print(out);
			break;
		}
		default:
			System.err.println(usage);
			System.exit(2);
		}
	}
}
