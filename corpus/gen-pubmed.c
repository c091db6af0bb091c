/*
 * gen-pubmed.c - deterministic generator of synthetic PubMed XML.
 *
 * Writes citations shaped like NCBI efetch / baseline output (PubmedArticleSet,
 * MedlineCitation, Article, AuthorList, MeshHeadingList, PubmedData with a
 * ReferenceList, ...) at any size, in constant memory, for tests and for the
 * indexing benchmarks.  The same options and seed always give the same bytes.
 *
 * Text is drawn from a Zipf distribution (s = 1.05, as word frequencies in
 * English and in MEDLINE abstracts roughly follow; Zipf 1949) over a fixed
 * vocabulary: a few hundred real oncology words for the head and syllable-built
 * pseudo-words for the long tail.  Sampling is O(1) per word with Walker's alias
 * method (Vose 1991).  The PRNG is xoshiro256** seeded through splitmix64
 * (Blackman & Vigna 2018).
 *
 * Options are listed by --help.  With --updates the stream also carries
 * revised citations (an earlier PMID again, Version="2") and a DeleteCitation
 * block at the end of each output, as in the NCBI update files.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "cliopt.h"

#define GEN_VERSION "1.0"
#define VOCAB_SIZE 60000u
#define ZIPF_S 1.05
#define SINK_CAP ((size_t)1 << 20)
#define DEL_MAX 65536u /* deletions remembered per output file */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* PRNG: xoshiro256**, seeded with splitmix64.                          */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) by multiply-shift (Lemire); the bias, below 2^-32 * n,
 * does not matter for synthetic text. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability per_mille / 1000. */
static inline int rng_chance(struct rng *r, uint32_t per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

/* Skewed towards small values: the smaller of two uniform draws in [lo, hi]. */
static uint32_t rng_low(struct rng *r, uint32_t lo, uint32_t hi)
{
	uint32_t a = rng_range(r, lo, hi), b = rng_range(r, lo, hi);
	return a < b ? a : b;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)NELEM(arr))])

/* ------------------------------------------------------------------ */
/* Word lists.                                                          */

/* The head of the vocabulary, most frequent first: function words, then
 * general biomedical words, then sarcoma-specific terms.  Ranks follow the
 * order, so "the" is the most frequent word of every abstract. */
static const char *const head_words[] = {
	"the", "of", "and", "in", "to", "with", "a", "was", "for", "were",
	"patients", "is", "by", "that", "on", "as", "from", "at", "or", "be",
	"are", "this", "an", "these", "not", "after", "than", "which", "we",
	"had", "study", "have", "been", "between", "no", "all", "but", "more",
	"both", "their", "during", "two", "its", "who", "may", "also", "into",
	"other", "can", "among", "compared", "without", "using", "used", "our",
	"each", "only", "most", "associated", "treatment", "results", "significant",
	"analysis", "group", "tumor", "tumour", "cells", "cancer", "clinical", "data",
	"years", "response", "survival", "therapy", "disease", "months", "high",
	"rate", "median", "overall", "expression", "risk", "factors", "primary",
	"cases", "increased", "total", "sarcoma", "sarcomas", "tumors", "tumours",
	"soft", "tissue", "bone", "patient", "cell", "surgery", "chemotherapy",
	"radiotherapy", "metastatic", "metastasis", "metastases", "recurrence",
	"local", "resection", "margins", "margin", "grade", "stage", "advanced",
	"randomised", "randomized", "trial", "phase", "dose", "doses", "follow-up",
	"progression", "progression-free", "event-free", "disease-free", "free",
	"prognosis", "prognostic", "outcome", "outcomes", "factor", "significantly",
	"however", "further", "including", "respectively", "whereas",
	"found", "observed", "showed", "shown", "identified", "performed", "received",
	"evaluated", "assessed", "analysed", "analyzed", "reported", "detected",
	"retrospective", "prospective", "cohort", "multicentre", "multicenter",
	"ratio", "hazard", "confidence", "interval", "mean", "range", "age", "aged",
	"women", "men", "children", "adults", "adolescents", "young",
	"diagnosis", "diagnostic", "differential", "histological", "histology",
	"pathology", "pathological", "immunohistochemistry", "immunohistochemical",
	"staining", "positive", "negative", "markers", "marker", "biomarker",
	"gene", "genes", "genetic", "genomic", "mutation", "mutations", "mutant",
	"fusion", "fusions", "translocation", "amplification", "deletion", "loss",
	"protein", "proteins", "kinase", "receptor", "inhibitor", "inhibitors",
	"inhibition", "pathway", "signalling", "signaling", "activation", "activity",
	"growth", "proliferation", "apoptosis", "differentiation", "invasion",
	"transcription", "transcriptional", "chromatin", "enhancer", "promoter",
	"vivo", "vitro", "mice", "xenograft", "xenografts", "lines", "line",
	"toxicity", "adverse", "events", "tolerated", "safety", "efficacy", "effective",
	"combination", "alone", "plus", "versus", "first-line", "second-line",
	"adjuvant", "neoadjuvant", "preoperative", "postoperative", "perioperative",
	"limb", "extremity", "extremities", "retroperitoneal", "uterine", "pelvic",
	"gastric", "abdominal", "pulmonary", "lung", "liver", "skin", "head", "neck",
	"malignant", "benign", "aggressive", "rare", "common", "novel", "new",
	"leiomyosarcoma", "liposarcoma", "rhabdomyosarcoma", "osteosarcoma",
	"chondrosarcoma", "angiosarcoma", "fibrosarcoma", "myxofibrosarcoma",
	"GIST", "gastrointestinal", "stromal", "Ewing", "synovial", "Kaposi",
	"desmoid", "fibromatosis", "undifferentiated", "pleomorphic",
	"dedifferentiated", "well-differentiated", "myxoid", "embryonal",
	"alveolar", "epithelioid", "spindle", "round", "imatinib", "sunitinib",
	"regorafenib", "ripretinib", "avapritinib", "pazopanib", "sorafenib",
	"doxorubicin", "ifosfamide", "trabectedin", "eribulin", "gemcitabine",
	"docetaxel", "paclitaxel", "methotrexate", "cisplatin", "etoposide",
	"vincristine", "cyclophosphamide", "dacarbazine", "dactinomycin",
	"temozolomide", "irinotecan", "vinorelbine", "nirogacestat", "mifamurtide",
	"pembrolizumab", "nivolumab", "ipilimumab", "immunotherapy", "checkpoint",
	"immune", "lymphocytes", "macrophages", "microenvironment", "antigen",
	"MDM2", "CDK4", "KIT", "PDGFRA", "EWSR1", "FLI1", "CD99", "TP53", "RB1",
	"IDH1", "CTNNB1", "MYC", "SMARCB1", "NTRK", "ALK", "BRAF", "PTEN",
	"amputation", "salvage", "reconstruction", "excision", "wide", "surgical",
	"radiation", "irradiation", "brachytherapy", "proton", "intensity-modulated",
	"perfusion", "isolated", "hyperthermic", "melphalan", "TNF", "interferon",
	"imaging", "MRI", "CT", "PET", "ultrasound", "biopsy", "core", "needle",
	"necrosis", "mitotic", "index", "Ki-67", "FNCLCC", "nomogram", "score",
	"classification", "WHO", "subtype", "subtypes", "histotype", "entity",
	"incidence", "population", "registry", "epidemiology", "mortality",
	"quality", "life", "function", "functional", "pain", "symptoms",
	"review", "literature", "case", "report", "series", "experience",
	"institution", "centre", "center", "referral", "national", "international",
	"guidelines", "consensus", "management", "approach", "strategy",
	"sequencing", "RNA", "DNA", "next-generation", "whole-exome", "methylation",
	"copy", "number", "variant", "variants", "germline", "somatic", "hereditary",
	"syndrome", "Li-Fraumeni", "neurofibromatosis", "retinoblastoma",
	"HIV", "AIDS", "herpesvirus", "HHV-8", "KSHV", "antiretroviral",
	"vascular", "endothelial", "angiogenesis", "VEGF", "VEGFR", "PDGFR",
	"mTOR", "PI3K", "AKT", "MAPK", "ERK", "Wnt", "Notch", "Hedgehog", "YAP",
	"resistance", "resistant", "sensitive", "sensitivity", "refractory",
	"relapsed", "relapse", "secondary", "acquired", "intrinsic",
	"exon", "codon", "substitution", "insertion", "duplication", "frameshift",
	"lower", "higher", "longer", "shorter", "better", "worse", "poor", "favourable",
	"favorable", "independent", "multivariate", "univariate", "Cox", "Kaplan-Meier",
	"estimated", "predicted", "predictive", "correlated", "correlation",
	"baseline", "endpoint", "objective", "partial", "complete", "stable",
	"RECIST", "criteria", "evaluation", "assessment", "measured", "levels",
};

/* Syllables for the pseudo-word tail; onset x nucleus x coda gives 960. */
static const char *const syl_onset[] = {
	"b", "br", "c", "ch", "d", "dr", "f", "g", "gl", "h",
	"k", "l", "m", "n", "p", "pr", "r", "s", "st", "t",
};
static const char *const syl_nucleus[] = {"a", "e", "i", "o", "u", "y"};
static const char *const syl_coda[] = {"", "n", "r", "l", "s", "t", "m", "x"};
static const char *const word_suffix[] = {
	"in", "ase", "oma", "ine", "ol", "ide", "ic", "al", "osis", "ate",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "",
};

/* Tokens that real abstracts contain and a tokenizer must cope with: inline
 * markup, Greek letters (UTF-8 and, once, a character reference), fusion
 * names, karyotypes.  Already escaped for XML. */
static const char *const special_tokens[] = {
	"<i>KIT</i>", "<i>KIT</i> exon 11", "<i>PDGFRA</i> D842V", "<i>TP53</i>",
	"<i>MDM2</i>", "<i>CDK4</i>", "<i>CTNNB1</i>", "<i>IDH1</i>", "<i>EWSR1</i>",
	"<i>SMARCB1</i>", "<i>NTRK</i>", "EWS-FLI1", "EWS-ERG", "SS18-SSX1",
	"SS18-SSX2", "SS18-SSX", "PAX3-FOXO1", "PAX7-FOXO1", "FUS-DDIT3",
	"CIC-DUX4", "t(11;22)(q24;q12)", "t(X;18)(p11;q11)", "t(12;16)(q13;p11)",
	"β-catenin", "&#x3b2;-catenin", "TNF-α", "IFN-γ", "NF-κB", "TGF-β1",
	"α-SMA", "PD-L1", "PD-1", "CTLA-4", "Ki-67", "CD117", "CD34", "DOG1",
	"10<sup>6</sup> cells", "mg/m<sup>2</sup>", "CD8<sup>+</sup>",
	"IC<sub>50</sub>", "T<sub>max</sub>", "<i>in vitro</i>", "<i>in vivo</i>",
	"p &lt; 0.001", "p &lt; 0.05", "95% CI", "HR 0.62", "n = 48",
};

static const char *const last_names[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
	"Anderson", "Taylor", "Thompson", "Moore", "Martin", "Jackson", "White",
	"Harris", "Clarke", "Lewis", "Walker", "Hall", "Young", "King", "Wright",
	"Hill", "Scott", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell",
	"Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
	"Collins", "Murphy", "O'Brien", "McCarthy", "Kelly", "Byrne", "Walsh",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schäfer", "Köhler",
	"Krüger", "Groß", "Weiß", "Hoffmann", "Becker", "Wagner", "Zimmermann",
	"Ménard", "Lefèvre", "Dubois", "Moreau", "Laurent", "Girard", "Bérénger",
	"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
	"García", "Fernández", "González", "Rodríguez", "López", "Martínez",
	"Núñez", "Sánchez", "Pérez", "Gómez", "Ibáñez", "Peña", "Muñoz",
	"Silva", "Santos", "Costa", "Gonçalves", "Magalhães", "Araújo",
	"Sjögren", "Lindqvist", "Andersson", "Johansson", "Karlsson", "Nyström",
	"Ødegaard", "Hansen", "Johansen", "Larsen", "Sørensen", "Østergaard",
	"Jensen", "Nielsen", "Virtanen", "Mäkinen", "Häkkinen", "Korhonen",
	"Kowalski", "Nowak", "Wróbel", "Wiśniewski", "Dąbrowski", "Łukaszewicz",
	"Novák", "Dvořák", "Černý", "Horváth", "Kovačević", "Petrović",
	"Çelik", "Yılmaz", "Şahin", "Öztürk", "Aydın", "Demir", "Kaya",
	"Ivanov", "Kuznetsov", "Popov", "Papadopoulos", "Georgiou",
	"Tanaka", "Suzuki", "Takahashi", "Watanabe", "Nakamura", "Kobayashi",
	"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho",
	"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
	"Nguyễn", "Trần", "Patel", "Shah", "Singh", "Kumar", "Gupta", "Sharma",
	"Rao", "Reddy", "Iyer", "Haddad", "Khoury", "Mansour", "Cohen", "Levi",
	"Okafor", "Mwangi", "Achieng", "Namukasa", "Mensah", "Adeyemi",
	"van der Berg", "de Vries", "van Dijk", "Bakker", "Janssen", "Visser",
};

static const char *const fore_names[] = {
	"James", "John", "Robert", "Michael", "William", "David", "Richard",
	"Thomas", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Susan",
	"Sarah", "Emily", "Anna", "Laura", "Claire", "Siobhán", "Aoife", "Declan",
	"Jürgen", "Katrin", "Stefan", "Tobias", "Lena", "Jörg", "Björn",
	"Hélène", "Amélie", "François", "Jérôme", "Agnès", "Céline", "Zoë",
	"Giulia", "Marco", "Chiara", "Lucía", "José", "María José", "Tomás",
	"Ramón", "João", "Inês", "Beatriz", "Ingrid", "Erik", "Søren", "Kari",
	"Mette", "Aino", "Juho", "Łukasz", "Agnieszka", "Małgorzata", "Petr",
	"Jiří", "Ayşe", "Emre", "Gülşen", "Dmitri", "Olga", "Haruki", "Yui",
	"Kenji", "Ji-Hoon", "Soo-Min", "Wei", "Mei", "Hao", "Xiaoming", "Anjali",
	"Harpreet", "Rami", "Farah", "Chinedu", "Grace", "Brenda", "Kwame",
	"Jean-Pierre", "Hans-Georg", "Anne-Marie", "Pieter", "Maarten",
};

static const char *const middle_initials[] = {"", "", "", "", "A", "B", "C", "D", "E", "J", "K", "L", "M", "R", "S", "W"};

static const char *const collective_names[] = {
	"EORTC Soft Tissue and Bone Sarcoma Group",
	"Children's Oncology Group",
	"French Sarcoma Group",
	"Scandinavian Sarcoma Group",
	"Italian Sarcoma Group",
	"German Interdisciplinary Sarcoma Group",
	"Japanese Musculoskeletal Oncology Group",
	"Sarcoma Alliance for Research through Collaboration",
	"Euro Ewing Consortium Investigators",
	"European paediatric Soft tissue sarcoma Study Group",
	"Transatlantic Australasian Retroperitoneal Sarcoma Working Group",
	"Sarcoma Meta-analysis Collaboration",
};

static const char *const departments[] = {
	"Oncology", "Medical Oncology", "Surgical Oncology", "Pathology",
	"Radiation Oncology", "Orthopaedic Surgery", "Paediatric Oncology",
	"Sarcoma Medical Oncology", "Molecular Pathology", "Radiology",
	"Biostatistics", "Cancer Genetics", "Musculoskeletal Oncology",
};

static const char *const institutions[] = {
	"University Hospital, Uppsala, Sweden", "Karolinska Institutet, Stockholm, Sweden",
	"Norwegian Radium Hospital, Oslo, Norway", "Rigshospitalet, Copenhagen, Denmark",
	"University Hospital, Helsinki, Finland", "University Hospital, Essen, Germany",
	"University Hospital, Heidelberg, Germany", "Technical University, Munich, Germany",
	"Centre Léon Bérard, Lyon, France", "Institut de Cancérologie, Paris, France",
	"Istituto Tumori, Milan, Italy", "Istituto Ortopedico, Bologna, Italy",
	"Hospital Universitario, Madrid, Spain", "Hospital Universitari, Barcelona, Spain",
	"Instituto Português de Oncologia, Lisbon, Portugal", "Cancer Institute, Amsterdam, the Netherlands",
	"University Medical Center, Leiden, the Netherlands", "Royal Cancer Hospital, London, UK",
	"St James's University Hospital, Dublin, Ireland", "Cancer Research Institute, Warsaw, Poland",
	"Faculty Hospital, Prague, Czech Republic", "Faculty of Medicine, Ankara, Türkiye",
	"Comprehensive Cancer Center, Houston, TX, USA", "Memorial Cancer Center, New York, NY, USA",
	"General Hospital, Boston, MA, USA", "Cancer Research Center, Seattle, WA, USA",
	"Princess Margaret Cancer Centre, Toronto, ON, Canada", "National Cancer Center, Tokyo, Japan",
	"College of Medicine, Seoul, Republic of Korea", "Cancer Center, Shanghai, China",
	"Tata Memorial Centre, Mumbai, India", "Peter MacCallum Cancer Centre, Melbourne, Australia",
	"Mulago Hospital, Kampala, Uganda", "College of Health Sciences, Nairobi, Kenya",
	"Hospital Israelita, São Paulo, Brazil", "Instituto Nacional de Cancerología, México City, Mexico",
};

/* Title, ISO abbreviation, MedlineTA, ISSN, NlmUniqueID, country. */
struct journal {
	const char *title, *iso, *ta, *issn, *nlmid, *country;
};

static const struct journal journals[] = {
	{"Sarcoma", "Sarcoma", "Sarcoma", "1357-714X", "9709695", "Egypt"},
	{"Clinical sarcoma research", "Clin Sarcoma Res", "Clin Sarcoma Res", "2045-3329", "101570884", "England"},
	{"Journal of clinical oncology : official journal of the American Society of Clinical Oncology", "J Clin Oncol", "J Clin Oncol", "0732-183X", "8309333", "United States"},
	{"The Lancet. Oncology", "Lancet Oncol", "Lancet Oncol", "1470-2045", "100957246", "England"},
	{"Lancet (London, England)", "Lancet", "Lancet", "0140-6736", "2985213R", "England"},
	{"Cancer", "Cancer", "Cancer", "0008-543X", "0374236", "United States"},
	{"The New England journal of medicine", "N Engl J Med", "N Engl J Med", "0028-4793", "0255562", "United States"},
	{"Annals of oncology : official journal of the European Society for Medical Oncology", "Ann Oncol", "Ann Oncol", "0923-7534", "9007735", "England"},
	{"European journal of cancer (Oxford, England : 1990)", "Eur J Cancer", "Eur J Cancer", "0959-8049", "9005373", "England"},
	{"The American journal of surgical pathology", "Am J Surg Pathol", "Am J Surg Pathol", "0147-5185", "7707904", "United States"},
	{"Modern pathology : an official journal of the United States and Canadian Academy of Pathology, Inc", "Mod Pathol", "Mod Pathol", "0893-3952", "8806605", "United States"},
	{"Genes, chromosomes &amp; cancer", "Genes Chromosomes Cancer", "Genes Chromosomes Cancer", "1045-2257", "9007329", "United States"},
	{"Pediatric blood &amp; cancer", "Pediatr Blood Cancer", "Pediatr Blood Cancer", "1545-5009", "101186624", "United States"},
	{"Annals of surgical oncology", "Ann Surg Oncol", "Ann Surg Oncol", "1068-9265", "9420840", "United States"},
	{"International journal of radiation oncology, biology, physics", "Int J Radiat Oncol Biol Phys", "Int J Radiat Oncol Biol Phys", "0360-3016", "7603616", "United States"},
	{"Cancer research", "Cancer Res", "Cancer Res", "0008-5472", "2984705R", "United States"},
	{"Nature", "Nature", "Nature", "0028-0836", "0410462", "England"},
	{"Nature genetics", "Nat Genet", "Nat Genet", "1061-4036", "9216904", "United States"},
	{"Science (New York, N.Y.)", "Science", "Science", "0036-8075", "0404511", "United States"},
	{"Oncogene", "Oncogene", "Oncogene", "0950-9232", "8711562", "England"},
	{"Clinical cancer research : an official journal of the American Association for Cancer Research", "Clin Cancer Res", "Clin Cancer Res", "1078-0432", "9502500", "United States"},
	{"JAMA oncology", "JAMA Oncol", "JAMA Oncol", "2374-2437", "101652861", "United States"},
	{"British journal of cancer", "Br J Cancer", "Br J Cancer", "0007-0920", "0370635", "England"},
	{"Histopathology", "Histopathology", "Histopathology", "0309-0167", "7704136", "England"},
	{"The Journal of pathology", "J Pathol", "J Pathol", "0022-3417", "0204634", "England"},
	{"The American journal of pathology", "Am J Pathol", "Am J Pathol", "0002-9440", "0370502", "United States"},
	{"Cancer cell", "Cancer Cell", "Cancer Cell", "1535-6108", "101130617", "United States"},
	{"AIDS (London, England)", "AIDS", "AIDS", "0269-9370", "8710219", "England"},
	{"The bone &amp; joint journal", "Bone Joint J", "Bone Joint J", "2049-4394", "101599229", "England"},
	{"European journal of surgical oncology", "Eur J Surg Oncol", "Eur J Surg Oncol", "0748-7983", "8504356", "England"},
	{"The oncologist", "Oncologist", "Oncologist", "1083-7159", "9607837", "England"},
	{"Gynecologic oncology", "Gynecol Oncol", "Gynecol Oncol", "0090-8258", "0365304", "United States"},
	{"Radiotherapy and oncology", "Radiother Oncol", "Radiother Oncol", "0167-8140", "8407192", "Ireland"},
	{"Cancers", "Cancers (Basel)", "Cancers (Basel)", "2072-6694", "101526829", "Switzerland"},
	{"Frontiers in oncology", "Front Oncol", "Front Oncol", "2234-943X", "101568867", "Switzerland"},
	{"Virchows Archiv : an international journal of pathology", "Virchows Arch", "Virchows Arch", "0945-6317", "9423843", "Germany"},
	{"Human pathology", "Hum Pathol", "Hum Pathol", "0046-8177", "9421547", "United States"},
	{"Cancer medicine", "Cancer Med", "Cancer Med", "2045-7634", "101595310", "United States"},
	{"PloS one", "PLoS One", "PLoS One", "1932-6203", "101285081", "United States"},
	{"Scientific reports", "Sci Rep", "Sci Rep", "2045-2322", "101563288", "England"},
	{"BMC cancer", "BMC Cancer", "BMC Cancer", "1471-2407", "100967800", "England"},
	{"International journal of cancer", "Int J Cancer", "Int J Cancer", "0020-7136", "0042124", "United States"},
	{"Journal of surgical oncology", "J Surg Oncol", "J Surg Oncol", "0022-4790", "0222643", "United States"},
	{"Clinical orthopaedics and related research", "Clin Orthop Relat Res", "Clin Orthop Relat Res", "0009-921X", "0075674", "United States"},
	{"Acta orthopaedica", "Acta Orthop", "Acta Orthop", "1745-3674", "101231512", "England"},
	{"Journal of the National Cancer Institute", "J Natl Cancer Inst", "J Natl Cancer Inst", "0027-8874", "7503089", "United States"},
	{"Nature communications", "Nat Commun", "Nat Commun", "2041-1723", "101528555", "England"},
	{"Cancer discovery", "Cancer Discov", "Cancer Discov", "2159-8274", "101561693", "United States"},
	{"Der Chirurg; Zeitschrift fur alle Gebiete der operativen Medizen", "Chirurg", "Chirurg", "0009-4722", "16140410R", "Germany"},
	{"Bulletin du cancer", "Bull Cancer", "Bull Cancer", "0007-4551", "0072416", "France"},
};

/* Topical MeSH descriptors (UI, name), most frequent first. */
static const char *const mesh_topics[][2] = {
	{"D012509", "Sarcoma"},
	{"D007890", "Leiomyosarcoma"},
	{"D008080", "Liposarcoma"},
	{"D018208", "Liposarcoma, Myxoid"},
	{"D046152", "Gastrointestinal Stromal Tumors"},
	{"D012512", "Sarcoma, Ewing"},
	{"D012208", "Rhabdomyosarcoma"},
	{"D018233", "Rhabdomyosarcoma, Embryonal"},
	{"D018232", "Rhabdomyosarcoma, Alveolar"},
	{"D013584", "Sarcoma, Synovial"},
	{"D012516", "Osteosarcoma"},
	{"D018222", "Fibromatosis, Aggressive"},
	{"D012514", "Sarcoma, Kaposi"},
	{"D002813", "Chondrosarcoma"},
	{"D006394", "Hemangiosarcoma"},
	{"D051677", "Histiocytoma, Malignant Fibrous"},
	{"D012983", "Soft Tissue Neoplasms"},
	{"D001859", "Bone Neoplasms"},
	{"D014594", "Uterine Neoplasms"},
	{"D012186", "Retroperitoneal Neoplasms"},
	{"D013274", "Stomach Neoplasms"},
	{"D005770", "Gastrointestinal Neoplasms"},
	{"D001943", "Breast Neoplasms"},
	{"D012878", "Skin Neoplasms"},
	{"D006258", "Head and Neck Neoplasms"},
	{"D008175", "Lung Neoplasms"},
	{"D009381", "Neoplasms, Radiation-Induced"},
	{"D009362", "Neoplasm Metastasis"},
	{"D009364", "Neoplasm Recurrence, Local"},
	{"D009367", "Neoplasm Staging"},
	{"D060787", "Neoplasm Grading"},
	{"D018365", "Neoplasm, Residual"},
	{"D000068877", "Imatinib Mesylate"},
	{"D019009", "Proto-Oncogene Proteins c-kit"},
	{"D020797", "Receptor, Platelet-Derived Growth Factor alpha"},
	{"D004317", "Doxorubicin"},
	{"D008727", "Methotrexate"},
	{"D000077606", "Trabectedin"},
	{"D000077210", "Sunitinib"},
	{"D000077157", "Sorafenib"},
	{"D000970", "Antineoplastic Agents"},
	{"D000971", "Antineoplastic Combined Chemotherapy Protocols"},
	{"D018906", "Antineoplastic Agents, Alkylating"},
	{"D047428", "Protein Kinase Inhibitors"},
	{"D051176", "beta Catenin"},
	{"D050900", "Proto-Oncogene Protein c-fli-1"},
	{"D050802", "RNA-Binding Protein EWS"},
	{"D015514", "Oncogene Proteins, Fusion"},
	{"D051736", "Proto-Oncogene Proteins c-mdm2"},
	{"D005784", "Gene Amplification"},
	{"D014178", "Translocation, Genetic"},
	{"D002886", "Chromosomes, Human, Pair 22"},
	{"D014960", "Chromosomes, Human, X"},
	{"D007521", "Isocitrate Dehydrogenase"},
	{"D009154", "Mutation"},
	{"D019008", "Drug Resistance, Neoplasm"},
	{"D011379", "Prognosis"},
	{"D012189", "Retrospective Studies"},
	{"D011446", "Prospective Studies"},
	{"D016896", "Treatment Outcome"},
	{"D015996", "Survival Rate"},
	{"D016019", "Survival Analysis"},
	{"D018572", "Disease-Free Survival"},
	{"D000077982", "Progression-Free Survival"},
	{"D057150", "Margins of Excision"},
	{"D018714", "Radiotherapy, Adjuvant"},
	{"D017024", "Chemotherapy, Adjuvant"},
	{"D020360", "Neoadjuvant Therapy"},
	{"D014409", "Tumor Necrosis Factor-alpha"},
	{"D002709", "Chemotherapy, Cancer, Regional Perfusion"},
	{"D008558", "Melphalan"},
	{"D005121", "Extremities"},
	{"D019394", "Ki-67 Antigen"},
	{"D060890", "B7-H1 Antigen"},
	{"D007167", "Immunotherapy"},
	{"D000082082", "Immune Checkpoint Inhibitors"},
	{"D019288", "Herpesvirus 8, Human"},
	{"D015658", "HIV Infections"},
	{"D000163", "Acquired Immunodeficiency Syndrome"},
	{"D044966", "Anti-Retroviral Agents"},
	{"D016898", "Interferon-alpha"},
	{"D007371", "Interferon-gamma"},
	{"D007150", "Immunohistochemistry"},
	{"D017404", "In Situ Hybridization, Fluorescence"},
	{"D014408", "Biomarkers, Tumor"},
	{"D045744", "Cell Line, Tumor"},
	{"D021381", "Paired Box Transcription Factors"},
	{"D051858", "Forkhead Transcription Factors"},
	{"D000072000", "Forkhead Box Protein O1"},
	{"D000071579", "PAX3 Transcription Factor"},
	{"D011518", "Proto-Oncogene Proteins"},
	{"D012097", "Repressor Proteins"},
	{"D051723", "Transcription Factor CHOP"},
	{"D034741", "RNA-Binding Protein FUS"},
	{"D053829", "Amyloid Precursor Protein Secretases"},
	{"D051880", "Receptors, Notch"},
	{"D007069", "Ifosfamide"},
	{"D002945", "Cisplatin"},
	{"D002955", "Leucovorin"},
	{"D003841", "Deoxycytidine"},
	{"D000077143", "Docetaxel"},
	{"D017239", "Paclitaxel"},
	{"D003606", "Dacarbazine"},
	{"D005663", "Furans"},
	{"D007659", "Ketones"},
	{"D011743", "Pyrimidines"},
	{"D013449", "Sulfonamides"},
	{"D007191", "Indazoles"},
	{"D010671", "Phenylurea Compounds"},
	{"D011725", "Pyridines"},
	{"D009285", "Naphthyridines"},
	{"D000119", "Acetylmuramyl-Alanyl-Isoglutamine"},
	{"D010714", "Phosphatidylethanolamines"},
	{"D000276", "Adjuvants, Immunologic"},
	{"D005711", "gamma-Glutamyl Hydrolase"},
	{"D058186", "Acute Kidney Injury"},
	{"D008279", "Magnetic Resonance Imaging"},
	{"D000671", "Amputation, Surgical"},
	{"D058990", "Limb Salvage"},
	{"D019637", "Orthopedic Procedures"},
	{"D020869", "Gene Expression Profiling"},
	{"D015972", "Gene Expression Regulation, Neoplastic"},
	{"D004742", "Enhancer Elements, Genetic"},
	{"D018895", "Microsatellite Repeats"},
	{"D042002", "Chromatin Assembly and Disassembly"},
	{"D002868", "Chromosomal Proteins, Non-Histone"},
	{"D014157", "Transcription Factors"},
	{"D000071000", "SMARCB1 Protein"},
	{"D016271", "Proto-Oncogene Proteins c-myc"},
	{"D011948", "Receptors, Antigen, T-Cell"},
	{"D054044", "Melanoma-Specific Antigens"},
	{"D000951", "Antigens, Neoplasm"},
	{"D013601", "T-Lymphocytes"},
	{"D016246", "Lymphocytes, Tumor-Infiltrating"},
	{"D061067", "Antibodies, Monoclonal, Humanized"},
	{"D000068258", "Bevacizumab"},
	{"D013792", "Thalidomide"},
	{"D017954", "Africa South of the Sahara"},
	{"D014454", "Uganda"},
	{"D007630", "Kenya"},
	{"D015331", "Cohort Studies"},
	{"D005500", "Follow-Up Studies"},
	{"D012307", "Risk Factors"},
	{"D013997", "Time Factors"},
	{"D015994", "Incidence"},
	{"D057190", "Watchful Waiting"},
	{"D003937", "Diagnosis, Differential"},
	{"D004305", "Dose-Response Relationship, Drug"},
	{"D004334", "Drug Administration Schedule"},
	{"D013270", "Stomach"},
	{"D010388", "Pelvis"},
	{"D016133", "Polymerase Chain Reaction"},
	{"D020133", "Reverse Transcriptase Polymerase Chain Reaction"},
	{"D004252", "DNA Mutational Analysis"},
	{"D015703", "Antigens, CD"},
	{"D000072120", "12E7 Antigen"},
	{"D018698", "MyoD Protein"},
	{"D049109", "Cell Proliferation"},
	{"D008955", "Mitotic Index"},
	{"D007044", "Hysterectomy"},
	{"D014945", "Wound Healing"},
	{"D011183", "Postoperative Complications"},
	{"D011880", "Radiotherapy Dosage"},
	{"D011788", "Quality of Life"},
	{"D016032", "Randomized Controlled Trials as Topic"},
	{"D005060", "Europe"},
	{"D012042", "Registries"},
	{"D013530", "Surgical Wound Infection"},
	{"D004791", "Enzyme Inhibitors"},
	{"D013385", "Succinate Dehydrogenase"},
	{"D017526", "Receptor, IGF Type 1"},
	{"D002066", "Busulfan"},
	{"D003520", "Cyclophosphamide"},
	{"D000077235", "Vinorelbine"},
	{"D014750", "Vincristine"},
	{"D005047", "Etoposide"},
	{"D003609", "Dactinomycin"},
	{"D005998", "Glycine"},
	{"D009842", "Oligopeptides"},
	{"D002471", "Cell Transformation, Neoplastic"},
	{"D013779", "Tetrahydronaphthalenes"},
	{"D014633", "Valine"},
	{"D007093", "Imidazoles"},
	{"D012535", "Scalp"},
	{"D002986", "Clinical Trials as Topic"},
	{"D011804", "Quinolines"},
	{"D014508", "Urea"},
	{"D005858", "Germany"},
	{"D013548", "Sweden"},
	{"D009664", "Norway"},
	{"D007564", "Japan"},
};

static const char *const mesh_checktags[][2] = {
	{"D008297", "Male"}, {"D005260", "Female"}, {"D000328", "Adult"},
	{"D008875", "Middle Aged"}, {"D000368", "Aged"}, {"D002648", "Child"},
	{"D000293", "Adolescent"}, {"D055815", "Young Adult"}, {"D002675", "Child, Preschool"},
	{"D000818", "Animals"}, {"D051379", "Mice"},
};

static const char *const mesh_qualifiers[][2] = {
	{"Q000188", "drug therapy"}, {"Q000235", "genetics"}, {"Q000473", "pathology"},
	{"Q000601", "surgery"}, {"Q000532", "radiotherapy"}, {"Q000627", "therapeutic use"},
	{"Q000175", "diagnosis"}, {"Q000378", "metabolism"}, {"Q000401", "mortality"},
	{"Q000453", "epidemiology"}, {"Q000628", "therapy"}, {"Q000009", "adverse effects"},
	{"Q000008", "administration &amp; dosage"}, {"Q000556", "secondary"},
	{"Q000000981", "diagnostic imaging"}, {"Q000276", "immunology"}, {"Q000821", "virology"},
	{"Q000494", "pharmacology"}, {"Q000032", "analysis"}, {"Q000150", "complications"},
	{"Q000037", "antagonists &amp; inhibitors"}, {"Q000209", "etiology"},
};

static const char *const pubtypes_extra[][2] = {
	{"D016454", "Review"}, {"D002363", "Case Reports"}, {"D016430", "Clinical Trial"},
	{"D016449", "Randomized Controlled Trial"}, {"D017427", "Clinical Trial, Phase II"},
	{"D017428", "Clinical Trial, Phase III"}, {"D017418", "Meta-Analysis"},
	{"D016448", "Multicenter Study"}, {"D003160", "Comparative Study"},
	{"D013485", "Research Support, Non-U.S. Gov't"}, {"D052061", "Research Support, N.I.H., Extramural"},
	{"D064888", "Observational Study"}, {"D000078182", "Systematic Review"},
};

static const char *const structured_labels[][2] = {
	{"BACKGROUND", "BACKGROUND"}, {"METHODS", "METHODS"},
	{"RESULTS", "RESULTS"}, {"CONCLUSIONS", "CONCLUSIONS"},
};
static const char *const structured_labels_alt[][2] = {
	{"PURPOSE", "OBJECTIVE"}, {"PATIENTS AND METHODS", "METHODS"},
	{"RESULTS", "RESULTS"}, {"CONCLUSION", "CONCLUSIONS"},
};

static const char *const languages[] = {"ger", "fre", "spa", "ita", "jpn", "chi", "rus", "pol", "por", "tur"};

/* Words for vernacular (non-English) titles. */
static const char *const vernacular_words[] = {
	"Behandlung", "des", "der", "und", "bei", "Patienten", "Ergebnisse", "über",
	"für", "Weichteilsarkome", "chirurgische", "Therapie", "traitement", "des",
	"sarcomes", "résultats", "étude", "chez", "l'enfant", "tumeurs", "osseuses",
	"tratamiento", "del", "sarcoma", "pacientes", "análisis", "estudio", "niños",
	"trattamento", "dei", "sarcomi", "tessuti", "molli", "leczenie", "mięsaków",
	"tedavisi", "hastalarda", "sonuçları",
};

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const seasons[] = {"Spring", "Summer", "Fall", "Winter"};
static const char *const pubmodels[] = {"Print", "Print", "Print-Electronic", "Print-Electronic", "Electronic", "Electronic-eCollection", "Electronic-Print"};

/* ------------------------------------------------------------------ */
/* Vocabulary and Zipf sampling.                                        */

struct vocab {
	char *text;       /* all words, back to back */
	uint32_t *off;    /* word i is text[off[i]] .. text[off[i] + len[i]] */
	uint8_t *len;
	uint32_t *prob;   /* alias method: keep i when the low 32 bits < prob[i] */
	uint32_t *alias;  /* ... else take alias[i] */
	uint32_t n;
};

/* ln(x) for x >= 1 and exp(y) for y <= 0, so that the program needs no libm.
 * Accuracy of about 1e-12 is ample for the weights of a word list. */
static double ln_pos(double x)
{
	double k = 0;
	while (x >= 2) {
		x /= 2;
		k += 1;
	}
	double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
	for (int i = 1; i < 60; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return 2 * sum + k * 0.69314718055994530942;
}

static double exp_neg(double y)
{
	int halvings = 0;
	while (y < -0.5) {
		y /= 2;
		halvings++;
	}
	double sum = 1, term = 1;
	for (int i = 1; i < 20; i++) {
		term *= y / i;
		sum += term;
	}
	while (halvings-- > 0)
		sum *= sum;
	return sum;
}

/* Writes pseudo-word number i (0-based) into buf: two syllables chosen by the
 * digits of i in base 960, an optional third syllable and a biomedical-looking
 * suffix.  Syllable boundaries are ambiguous ("bas|ta", "ba|sta"), so a few
 * words repeat: 59,891 of the 60,000 vocabulary entries are distinct. */
static size_t pseudo_word(uint32_t i, char *buf)
{
	const uint32_t nsyl = (uint32_t)(NELEM(syl_onset) * NELEM(syl_nucleus) * NELEM(syl_coda));
	uint32_t h = i * 2654435761u;
	uint32_t parts[3] = {i % nsyl, (i / nsyl) % nsyl, (h >> 8) % nsyl};
	int nparts = (h >> 28) % 4 == 0 ? 3 : 2;
	size_t n = 0;
	for (int p = 0; p < nparts; p++) {
		uint32_t s = parts[p];
		const char *on = syl_onset[s % NELEM(syl_onset)];
		const char *nu = syl_nucleus[(s / NELEM(syl_onset)) % NELEM(syl_nucleus)];
		const char *co = syl_coda[s / (NELEM(syl_onset) * NELEM(syl_nucleus))];
		n += (size_t)sprintf(buf + n, "%s%s%s", on, nu, co);
	}
	n += (size_t)sprintf(buf + n, "%s", word_suffix[(h >> 16) % NELEM(word_suffix)]);
	return n;
}

static void vocab_free(struct vocab *v)
{
	free(v->text);
	free(v->off);
	free(v->len);
	free(v->prob);
	free(v->alias);
	memset(v, 0, sizeof *v);
}

/* Builds the vocabulary and its alias table (Vose's method).  Returns 0 or
 * ENOMEM. */
static int vocab_init(struct vocab *v, uint32_t n)
{
	int rc = 0;
	double *p = NULL;
	uint32_t *small = NULL, *large = NULL;
	size_t text_cap = (size_t)n * 32, text_len = 0;

	memset(v, 0, sizeof *v);
	v->n = n;
	v->text = malloc(text_cap);
	v->off = malloc(n * sizeof *v->off);
	v->len = malloc(n * sizeof *v->len);
	v->prob = malloc(n * sizeof *v->prob);
	v->alias = malloc(n * sizeof *v->alias);
	p = malloc(n * sizeof *p);
	small = malloc(n * sizeof *small);
	large = malloc(n * sizeof *large);
	if (!v->text || !v->off || !v->len || !v->prob || !v->alias || !p || !small || !large) {
		rc = ENOMEM;
		goto out;
	}

	for (uint32_t i = 0; i < n; i++) {
		char buf[64];
		size_t len;
		if (i < NELEM(head_words)) {
			len = strlen(head_words[i]);
			memcpy(buf, head_words[i], len);
		} else {
			len = pseudo_word(i - (uint32_t)NELEM(head_words), buf);
		}
		memcpy(v->text + text_len, buf, len);
		v->off[i] = (uint32_t)text_len;
		v->len[i] = (uint8_t)len;
		text_len += len;
	}

	/* Weight of rank r (1-based) is r^-s. */
	double sum = 0;
	for (uint32_t i = 0; i < n; i++) {
		p[i] = exp_neg(-ZIPF_S * ln_pos((double)i + 1));
		sum += p[i];
	}
	uint32_t ns = 0, nl = 0;
	for (uint32_t i = 0; i < n; i++) {
		p[i] = p[i] * n / sum;
		if (p[i] < 1)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[--nl];
		v->prob[s] = (uint32_t)(p[s] * 4294967295.0);
		v->alias[s] = l;
		p[l] = (p[l] + p[s]) - 1;
		if (p[l] < 1)
			small[ns++] = l;
		else
			large[nl++] = l;
	}
	while (nl > 0) {
		uint32_t l = large[--nl];
		v->prob[l] = UINT32_MAX;
		v->alias[l] = l;
	}
	while (ns > 0) { /* rounding leftovers */
		uint32_t s = small[--ns];
		v->prob[s] = UINT32_MAX;
		v->alias[s] = s;
	}
out:
	free(p);
	free(small);
	free(large);
	if (rc)
		vocab_free(v);
	return rc;
}

static inline uint32_t vocab_pick(const struct vocab *v, struct rng *r)
{
	uint64_t x = rng_next(r);
	uint32_t i = (uint32_t)(((x >> 32) * (uint64_t)v->n) >> 32);
	return (uint32_t)x < v->prob[i] ? i : v->alias[i];
}

/* ------------------------------------------------------------------ */
/* Output sink: a buffer flushed to a FILE or a gzFile, sticky error.    */

struct sink {
	char *buf;
	size_t len, cap;
	FILE *f;         /* plain output, or NULL */
	gzFile gz;       /* gzip output, or NULL */
	const char *path;
	int err;         /* 0, an errno value, or -1 for a zlib error */
	uint64_t nbytes; /* uncompressed bytes written */
};

static void sink_flush(struct sink *s)
{
	if (s->len == 0 || s->err) {
		s->len = 0;
		return;
	}
	if (s->gz) {
		if (gzwrite(s->gz, s->buf, (unsigned)s->len) != (int)s->len) {
			int zerr;
			gzerror(s->gz, &zerr);
			s->err = zerr == Z_ERRNO && errno ? errno : -1;
		}
	} else if (fwrite(s->buf, 1, s->len, s->f) != s->len) {
		s->err = errno ? errno : EIO;
	}
	s->nbytes += s->len;
	s->len = 0;
}

static inline void put(struct sink *s, const char *p, size_t n)
{
	if (s->len + n > s->cap) {
		sink_flush(s);
		while (n > s->cap) { /* never happens with SINK_CAP, kept for safety */
			memcpy(s->buf, p, s->cap);
			s->len = s->cap;
			sink_flush(s);
			p += s->cap;
			n -= s->cap;
		}
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

#define PUTL(s, lit) put((s), (lit), sizeof(lit) - 1)

static inline void putz(struct sink *s, const char *z)
{
	put(s, z, strlen(z));
}

static inline void putc1(struct sink *s, char c)
{
	put(s, &c, 1);
}

static void put_u(struct sink *s, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(s, tmp + sizeof tmp - n, (size_t)n);
}

static void put_u2(struct sink *s, unsigned v)
{
	char tmp[2] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10)};
	put(s, tmp, 2);
}

/* Writes <tag>text</tag>\n with text already escaped. */
static void put_elem(struct sink *s, const char *tag, const char *text)
{
	putc1(s, '<');
	putz(s, tag);
	putc1(s, '>');
	putz(s, text);
	PUTL(s, "</");
	putz(s, tag);
	PUTL(s, ">\n");
}

static void put_elem_u(struct sink *s, const char *tag, uint64_t v)
{
	putc1(s, '<');
	putz(s, tag);
	putc1(s, '>');
	put_u(s, v);
	PUTL(s, "</");
	putz(s, tag);
	PUTL(s, ">\n");
}

static void put_date(struct sink *s, const char *open, const char *close, unsigned y, unsigned m, unsigned d)
{
	putz(s, open);
	PUTL(s, "<Year>");
	put_u(s, y);
	PUTL(s, "</Year><Month>");
	put_u2(s, m);
	PUTL(s, "</Month><Day>");
	put_u2(s, d);
	PUTL(s, "</Day>");
	putz(s, close);
}

/* ------------------------------------------------------------------ */
/* Generator state and options.                                         */

struct opts {
	uint64_t docs;
	uint64_t seed;
	uint64_t per_file;  /* 0: one output */
	uint32_t start_pmid;
	int gzip;
	int level;
	int updates;
	int verbose;
	const char *out_dir; /* NULL: standard output */
};

struct gen {
	struct rng rng;
	const struct vocab *v;
	uint32_t first_pmid;  /* references and updates point into [first_pmid, next_pmid) */
	uint32_t next_pmid;
	int updates;
	uint32_t *del;        /* PMIDs to delete at the end of the current output */
	uint32_t ndel;
	uint64_t nrecords;    /* PubmedArticle elements written */
	uint64_t ndeleted;
};

/* A word of running text.  cap: capitalise the first letter. */
static void put_word(struct gen *g, struct sink *s, int cap)
{
	const struct vocab *v = g->v;
	uint32_t i = vocab_pick(v, &g->rng);
	const char *w = v->text + v->off[i];
	size_t n = v->len[i];
	if (cap && w[0] >= 'a' && w[0] <= 'z') {
		putc1(s, (char)(w[0] - 'a' + 'A'));
		put(s, w + 1, n - 1);
	} else {
		put(s, w, n);
	}
}

static void put_number(struct gen *g, struct sink *s)
{
	uint32_t k = rng_below(&g->rng, 4);
	put_u(s, rng_range(&g->rng, 1, k == 0 ? 2000 : 100));
	if (k == 1) {
		putc1(s, '.');
		put_u(s, rng_below(&g->rng, 10));
	}
	if (k >= 2)
		putc1(s, '%');
}

/* A sentence of nwords tokens ending in a full stop; markup allows the
 * special tokens (inline tags, Greek letters, fusion names). */
static void put_sentence(struct gen *g, struct sink *s, uint32_t nwords, int markup)
{
	for (uint32_t w = 0; w < nwords; w++) {
		if (w)
			putc1(s, ' ');
		uint32_t r = rng_below(&g->rng, 1000);
		if (w > 0 && r < 25)
			put_number(g, s);
		else if (w > 0 && markup && r < 40)
			putz(s, PICK(&g->rng, special_tokens));
		else
			put_word(g, s, w == 0);
		if (w + 1 < nwords && rng_chance(&g->rng, 50))
			putc1(s, ',');
	}
	putc1(s, '.');
}

/* Text of about nwords words in sentences of 8-25 words. */
static void put_text(struct gen *g, struct sink *s, uint32_t nwords)
{
	int first = 1;
	while (nwords > 0) {
		uint32_t n = rng_range(&g->rng, 8, 25);
		if (n > nwords || nwords - n < 5)
			n = nwords;
		if (!first)
			putc1(s, ' ');
		put_sentence(g, s, n, 1);
		nwords -= n;
		first = 0;
	}
}

/* Initials of a fore name: the first character (UTF-8 aware) of each part
 * separated by a space or a hyphen. */
static void put_initials(struct sink *s, const char *fore)
{
	int at_start = 1;
	for (const unsigned char *p = (const unsigned char *)fore; *p; p++) {
		if (*p == ' ' || *p == '-') {
			at_start = 1;
			continue;
		}
		if (at_start) {
			size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
			put(s, (const char *)p, n);
			at_start = 0;
		}
	}
}

/* A synthetic surname from the vocabulary's pseudo-word tail, capitalised,
 * so that author names have a long tail too. */
static void put_synthetic_surname(struct gen *g, struct sink *s)
{
	char buf[64];
	size_t n = pseudo_word(rng_below(&g->rng, VOCAB_SIZE), buf);
	buf[0] = (char)(buf[0] - 'a' + 'A');
	put(s, buf, n);
}

static void put_authors(struct gen *g, struct sink *s)
{
	struct rng *r = &g->rng;
	uint32_t n = rng_low(r, 1, 10);
	int collective = rng_chance(r, 30);
	PUTL(s, "<AuthorList CompleteYN=\"Y\">\n");
	for (uint32_t i = 0; i < n; i++) {
		PUTL(s, "<Author ValidYN=\"Y\"><LastName>");
		uint32_t li = rng_below(r, (uint32_t)NELEM(last_names) + 60);
		if (li < NELEM(last_names))
			putz(s, last_names[li]);
		else
			put_synthetic_surname(g, s);
		const char *fore = PICK(r, fore_names);
		const char *mid = PICK(r, middle_initials);
		PUTL(s, "</LastName><ForeName>");
		putz(s, fore);
		if (*mid) {
			putc1(s, ' ');
			putz(s, mid);
		}
		PUTL(s, "</ForeName><Initials>");
		put_initials(s, fore);
		putz(s, mid);
		PUTL(s, "</Initials>");
		if (i == 0 && rng_chance(r, 400)) {
			PUTL(s, "<AffiliationInfo><Affiliation>Department of ");
			putz(s, PICK(r, departments));
			PUTL(s, ", ");
			putz(s, PICK(r, institutions));
			PUTL(s, ".</Affiliation></AffiliationInfo>");
		}
		PUTL(s, "</Author>\n");
	}
	if (collective) {
		PUTL(s, "<Author ValidYN=\"Y\"><CollectiveName>");
		putz(s, PICK(r, collective_names));
		PUTL(s, "</CollectiveName></Author>\n");
	}
	PUTL(s, "</AuthorList>\n");
}

static void put_abstract(struct gen *g, struct sink *s)
{
	struct rng *r = &g->rng;
	uint32_t nwords = rng_range(r, 150, 300);
	PUTL(s, "<Abstract>\n");
	if (rng_chance(r, 300)) {
		/* Section shares of the words: 15%, 30%, 40%, 15%. */
		static const uint32_t share[4] = {15, 30, 40, 15};
		const char *const (*labels)[2] = rng_chance(r, 700) ? structured_labels : structured_labels_alt;
		for (int i = 0; i < 4; i++) {
			PUTL(s, "<AbstractText Label=\"");
			putz(s, labels[i][0]);
			PUTL(s, "\" NlmCategory=\"");
			putz(s, labels[i][1]);
			PUTL(s, "\">");
			uint32_t n = nwords * share[i] / 100;
			put_text(g, s, n < 8 ? 8 : n);
			PUTL(s, "</AbstractText>\n");
		}
	} else {
		PUTL(s, "<AbstractText>");
		put_text(g, s, nwords);
		PUTL(s, "</AbstractText>\n");
	}
	if (rng_chance(r, 100))
		PUTL(s, "<CopyrightInformation>Copyright © The Authors.</CopyrightInformation>\n");
	PUTL(s, "</Abstract>\n");
}

static int seen(const uint32_t *a, uint32_t n, uint32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] == x)
			return 1;
	return 0;
}

static void put_mesh(struct gen *g, struct sink *s)
{
	struct rng *r = &g->rng;
	uint32_t n = rng_low(r, 3, 12), chosen[12], nchosen = 0, nmajor = 0;
	PUTL(s, "<MeshHeadingList>\n");
	/* Check tags first, then topics; the list is not sorted, which the
	 * indexer must not care about. */
	uint32_t ntags = rng_below(r, 4);
	if (ntags > n - 2)
		ntags = n - 2;
	if (rng_chance(r, 900)) {
		PUTL(s, "<MeshHeading><DescriptorName UI=\"D006801\" MajorTopicYN=\"N\">Humans</DescriptorName></MeshHeading>\n");
		n--;
	}
	for (uint32_t i = 0; i < ntags; i++) {
		uint32_t t = rng_below(r, (uint32_t)NELEM(mesh_checktags));
		if (seen(chosen, nchosen, 1000 + t))
			continue;
		chosen[nchosen++] = 1000 + t;
		PUTL(s, "<MeshHeading><DescriptorName UI=\"");
		putz(s, mesh_checktags[t][0]);
		PUTL(s, "\" MajorTopicYN=\"N\">");
		putz(s, mesh_checktags[t][1]);
		PUTL(s, "</DescriptorName></MeshHeading>\n");
	}
	for (uint32_t i = ntags; i < n; i++) {
		uint32_t t = rng_low(r, 0, (uint32_t)NELEM(mesh_topics) - 1);
		for (int tries = 0; seen(chosen, nchosen, t) && tries < 8; tries++)
			t = rng_low(r, 0, (uint32_t)NELEM(mesh_topics) - 1);
		if (seen(chosen, nchosen, t))
			continue;
		chosen[nchosen++] = t;
		int major = rng_chance(r, 250) || (i + 1 == n && nmajor == 0);
		uint32_t nq = rng_low(r, 0, 2);
		int major_on_qual = major && nq > 0 && rng_chance(r, 500);
		nmajor += (uint32_t)major;
		PUTL(s, "<MeshHeading><DescriptorName UI=\"");
		putz(s, mesh_topics[t][0]);
		PUTL(s, "\" MajorTopicYN=\"");
		putc1(s, major && !major_on_qual ? 'Y' : 'N');
		PUTL(s, "\">");
		putz(s, mesh_topics[t][1]);
		PUTL(s, "</DescriptorName>");
		uint32_t last_q = UINT32_MAX;
		for (uint32_t q = 0; q < nq; q++) {
			uint32_t qi = rng_below(r, (uint32_t)NELEM(mesh_qualifiers));
			if (qi == last_q)
				continue;
			last_q = qi;
			PUTL(s, "<QualifierName UI=\"");
			putz(s, mesh_qualifiers[qi][0]);
			PUTL(s, "\" MajorTopicYN=\"");
			putc1(s, major_on_qual && q == 0 ? 'Y' : 'N');
			PUTL(s, "\">");
			putz(s, mesh_qualifiers[qi][1]);
			PUTL(s, "</QualifierName>");
		}
		PUTL(s, "</MeshHeading>\n");
	}
	PUTL(s, "</MeshHeadingList>\n");
}

static void put_keywords(struct gen *g, struct sink *s)
{
	struct rng *r = &g->rng;
	uint32_t n = rng_range(r, 2, 6);
	PUTL(s, "<KeywordList Owner=\"NOTNLM\">\n");
	for (uint32_t i = 0; i < n; i++) {
		PUTL(s, "<Keyword MajorTopicYN=\"N\">");
		if (rng_chance(r, 150)) {
			putz(s, PICK(r, special_tokens));
		} else {
			uint32_t nw = rng_low(r, 1, 3);
			for (uint32_t w = 0; w < nw; w++) {
				uint32_t wi = vocab_pick(g->v, r);
				for (int tries = 0; wi < 60 && tries < 4; tries++)
					wi = vocab_pick(g->v, r); /* skip function words */
				if (w)
					putc1(s, ' ');
				put(s, g->v->text + g->v->off[wi], g->v->len[wi]);
			}
		}
		PUTL(s, "</Keyword>\n");
	}
	PUTL(s, "</KeywordList>\n");
}

/* An earlier PMID: half of the time a recent one, else any. */
static uint32_t earlier_pmid(struct gen *g, uint32_t pmid)
{
	uint32_t span = pmid - g->first_pmid;
	if (rng_chance(&g->rng, 500) && span > 5000)
		span = 5000;
	return pmid - 1 - rng_below(&g->rng, span);
}

static void put_references(struct gen *g, struct sink *s, uint32_t pmid)
{
	struct rng *r = &g->rng;
	uint32_t n = rng_low(r, 1, 30), cited[30], ncited = 0;
	PUTL(s, "<ReferenceList>\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct journal *j = &PICK(r, journals);
		uint32_t li = rng_below(r, (uint32_t)NELEM(last_names));
		PUTL(s, "<Reference><Citation>");
		putz(s, last_names[li]);
		putc1(s, ' ');
		put_initials(s, PICK(r, fore_names));
		PUTL(s, ", et al. ");
		putz(s, j->iso);
		PUTL(s, ". ");
		put_u(s, rng_range(r, 1970, 2025));
		putc1(s, ';');
		put_u(s, rng_range(r, 1, 400));
		putc1(s, ':');
		put_u(s, rng_range(r, 1, 3000));
		PUTL(s, ".</Citation>");
		uint32_t ref = earlier_pmid(g, pmid);
		if (rng_chance(r, 800) && !seen(cited, ncited, ref)) { /* cite each PMID once */
			cited[ncited++] = ref;
			PUTL(s, "<ArticleIdList><ArticleId IdType=\"pubmed\">");
			put_u(s, ref);
			PUTL(s, "</ArticleId></ArticleIdList>");
		}
		PUTL(s, "</Reference>\n");
	}
	PUTL(s, "</ReferenceList>\n");
}

/* ------------------------------------------------------------------ */
/* One citation.                                                        */

static void put_title(struct gen *g, struct sink *s, uint32_t nwords)
{
	/* Titles carry markup less often than abstracts. */
	put_sentence(g, s, nwords, rng_chance(&g->rng, 200));
}

static void put_pubdate(struct gen *g, struct sink *s, unsigned year, unsigned month, unsigned day)
{
	uint32_t k = rng_below(&g->rng, 1000);
	PUTL(s, "<PubDate>");
	if (k < 30) {
		/* MedlineDate: a range of months, sometimes across a year end. */
		PUTL(s, "<MedlineDate>");
		put_u(s, year);
		putc1(s, ' ');
		if (month == 12) {
			PUTL(s, "Dec-");
			put_u(s, year + 1);
			PUTL(s, " Jan");
		} else {
			putz(s, months[month - 1]);
			putc1(s, '-');
			putz(s, months[month]);
		}
		PUTL(s, "</MedlineDate>");
	} else {
		PUTL(s, "<Year>");
		put_u(s, year);
		PUTL(s, "</Year>");
		if (k < 40) {
			PUTL(s, "<Season>");
			putz(s, seasons[month % 4]);
			PUTL(s, "</Season>");
		} else if (k < 900) {
			PUTL(s, "<Month>");
			putz(s, months[month - 1]);
			PUTL(s, "</Month>");
			if (k < 400) {
				PUTL(s, "<Day>");
				put_u2(s, day);
				PUTL(s, "</Day>");
			}
		}
	}
	PUTL(s, "</PubDate>\n");
}

static void put_history(struct sink *s, const char *status, unsigned y, unsigned m, unsigned d)
{
	PUTL(s, "<PubMedPubDate PubStatus=\"");
	putz(s, status);
	put_date(s, "\">", "<Hour>6</Hour><Minute>0</Minute></PubMedPubDate>\n", y, m, d);
}

static unsigned min_year(unsigned y)
{
	return y > 2025 ? 2025 : y;
}

static void put_record(struct gen *g, struct sink *s, uint32_t pmid, unsigned version)
{
	struct rng *r = &g->rng;
	/* Years 1970-2025, skewed towards recent ones as PubMed's growth is. */
	uint32_t a = rng_below(r, 1000);
	unsigned year = 2025 - (unsigned)((uint64_t)56 * a * a / 1000000);
	unsigned month = rng_range(r, 1, 12), day = rng_range(r, 1, 28);
	uint32_t st = rng_below(r, 1000);
	int medline = st < 850;
	const char *status = medline ? "MEDLINE" : st < 930 ? "PubMed-not-MEDLINE" : st < 970 ? "In-Data-Review" : "Publisher";
	const struct journal *j = &PICK(r, journals);
	const char *pubmodel = PICK(r, pubmodels);
	int electronic = strstr(pubmodel, "Electronic") != NULL;
	int english = rng_chance(r, 940);

	PUTL(s, "<PubmedArticle>\n<MedlineCitation Status=\"");
	putz(s, status);
	PUTL(s, "\" Owner=\"NLM\">\n<PMID Version=\"");
	put_u(s, version);
	PUTL(s, "\">");
	put_u(s, pmid);
	PUTL(s, "</PMID>\n");
	if (medline)
		put_date(s, "<DateCompleted>", "</DateCompleted>\n", min_year(year + rng_below(r, 2)), month, day);
	/* One draw per statement: the order of evaluation of function arguments
	 * is unspecified, and the output must not depend on the compiler. */
	unsigned rev_year = min_year(year + rng_below(r, 4));
	unsigned rev_month = rng_range(r, 1, 12);
	unsigned rev_day = rng_range(r, 1, 28);
	put_date(s, "<DateRevised>", "</DateRevised>\n", rev_year, rev_month, rev_day);

	PUTL(s, "<Article PubModel=\"");
	putz(s, pubmodel);
	PUTL(s, "\">\n<Journal>\n<ISSN IssnType=\"");
	putz(s, electronic ? "Electronic" : "Print");
	PUTL(s, "\">");
	putz(s, j->issn);
	PUTL(s, "</ISSN>\n<JournalIssue CitedMedium=\"");
	putz(s, electronic ? "Internet" : "Print");
	PUTL(s, "\">\n");
	uint32_t volume = rng_range(r, 1, 400);
	put_elem_u(s, "Volume", volume);
	if (rng_chance(r, 850))
		put_elem_u(s, "Issue", rng_range(r, 1, 24));
	put_pubdate(g, s, year, month, day);
	PUTL(s, "</JournalIssue>\n");
	put_elem(s, "Title", j->title);
	put_elem(s, "ISOAbbreviation", j->iso);
	PUTL(s, "</Journal>\n<ArticleTitle>");
	if (!english)
		putc1(s, '[');
	put_title(g, s, rng_range(r, 8, 20));
	if (!english)
		putc1(s, ']');
	PUTL(s, "</ArticleTitle>\n");
	uint32_t page = rng_range(r, 1, 3000);
	PUTL(s, "<Pagination><MedlinePgn>");
	if (electronic && rng_chance(r, 300)) {
		putc1(s, 'e');
		put_u(s, page * 7);
	} else {
		put_u(s, page);
		putc1(s, '-');
		put_u(s, (page + rng_range(r, 1, 14)) % 100);
	}
	PUTL(s, "</MedlinePgn></Pagination>\n");
	if (year >= 2000) {
		PUTL(s, "<ELocationID EIdType=\"doi\" ValidYN=\"Y\">10.5555/synth.");
		put_u(s, pmid);
		PUTL(s, "</ELocationID>\n");
	}
	if (rng_chance(r, 900))
		put_abstract(g, s);
	if (rng_chance(r, 970))
		put_authors(g, s);
	PUTL(s, "<Language>");
	putz(s, english ? "eng" : PICK(r, languages));
	PUTL(s, "</Language>\n<PublicationTypeList>\n");
	PUTL(s, "<PublicationType UI=\"D016428\">Journal Article</PublicationType>\n");
	for (uint32_t n = rng_low(r, 0, 3), i = 0; i < n; i++) {
		uint32_t t = rng_below(r, (uint32_t)NELEM(pubtypes_extra));
		PUTL(s, "<PublicationType UI=\"");
		putz(s, pubtypes_extra[t][0]);
		PUTL(s, "\">");
		putz(s, pubtypes_extra[t][1]);
		PUTL(s, "</PublicationType>\n");
	}
	PUTL(s, "</PublicationTypeList>\n");
	if (!english) {
		PUTL(s, "<VernacularTitle>");
		for (uint32_t n = rng_range(r, 5, 12), i = 0; i < n; i++) {
			if (i)
				putc1(s, ' ');
			putz(s, PICK(r, vernacular_words));
		}
		PUTL(s, ".</VernacularTitle>\n");
	}
	if (electronic)
		put_date(s, "<ArticleDate DateType=\"Electronic\">", "</ArticleDate>\n", year, month, day);
	PUTL(s, "</Article>\n<MedlineJournalInfo><Country>");
	putz(s, j->country);
	PUTL(s, "</Country><MedlineTA>");
	putz(s, j->ta);
	PUTL(s, "</MedlineTA><NlmUniqueID>");
	putz(s, j->nlmid);
	PUTL(s, "</NlmUniqueID><ISSNLinking>");
	putz(s, j->issn);
	PUTL(s, "</ISSNLinking></MedlineJournalInfo>\n");
	if (medline) {
		PUTL(s, "<CitationSubset>IM</CitationSubset>\n");
		put_mesh(g, s);
	}
	if (rng_chance(r, 350))
		put_keywords(g, s);
	PUTL(s, "</MedlineCitation>\n<PubmedData>\n<History>\n");
	put_history(s, "pubmed", year, month, day);
	put_history(s, "medline", year, month, day);
	put_history(s, "entrez", year, month, day);
	PUTL(s, "</History>\n<PublicationStatus>");
	putz(s, electronic ? "epublish" : "ppublish");
	PUTL(s, "</PublicationStatus>\n<ArticleIdList>\n<ArticleId IdType=\"pubmed\">");
	put_u(s, pmid);
	PUTL(s, "</ArticleId>\n");
	if (year >= 2000) {
		PUTL(s, "<ArticleId IdType=\"doi\">10.5555/synth.");
		put_u(s, pmid);
		PUTL(s, "</ArticleId>\n");
		if (rng_chance(r, 250)) {
			PUTL(s, "<ArticleId IdType=\"pmc\">PMC");
			put_u(s, 90000000u + pmid % 10000000u);
			PUTL(s, "</ArticleId>\n");
		}
	}
	PUTL(s, "</ArticleIdList>\n");
	if (pmid > g->first_pmid && rng_chance(r, 200))
		put_references(g, s, pmid);
	PUTL(s, "</PubmedData>\n</PubmedArticle>\n");
	g->nrecords++;
}

/* ------------------------------------------------------------------ */
/* Outputs.                                                             */

static const char xml_header[] =
	"<?xml version=\"1.0\" ?>\n"
	"<!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st January 2025//EN\" "
	"\"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd\">\n"
	"<PubmedArticleSet>\n";

/* Deletions are decided when a citation is made (so each PMID is deleted at
 * most once) and only for PMIDs with (pmid - first) % 4 == 3, which revisions
 * never pick: the live count is then simply docs - deletions. */
static int deletable(const struct gen *g, uint32_t pmid)
{
	return (pmid - g->first_pmid) % 4 == 3;
}

/* Writes ndocs new citations (plus, with --updates, revisions and the
 * DeleteCitation block) as one complete PubmedArticleSet. */
static void write_set(struct gen *g, struct sink *s, uint64_t ndocs)
{
	put(s, xml_header, sizeof xml_header - 1);
	g->ndel = 0;
	for (uint64_t i = 0; i < ndocs; i++) {
		uint32_t pmid = g->next_pmid++;
		if (g->updates && pmid > g->first_pmid + 4 && rng_chance(&g->rng, 10)) {
			uint32_t old = earlier_pmid(g, pmid);
			if (deletable(g, old))
				old--;
			put_record(g, s, old, 2);
		}
		put_record(g, s, pmid, 1);
		if (g->updates && deletable(g, pmid) && g->ndel < DEL_MAX && rng_chance(&g->rng, 20))
			g->del[g->ndel++] = pmid;
	}
	if (g->ndel > 0) {
		PUTL(s, "<DeleteCitation>\n");
		for (uint32_t i = 0; i < g->ndel; i++) {
			PUTL(s, "<PMID Version=\"1\">");
			put_u(s, g->del[i]);
			PUTL(s, "</PMID>\n");
		}
		PUTL(s, "</DeleteCitation>\n");
		g->ndeleted += g->ndel;
	}
	PUTL(s, "</PubmedArticleSet>\n");
	sink_flush(s);
}

/* Opens the sink on path (NULL: standard output).  Returns 0 or an errno. */
static int sink_open(struct sink *s, const char *path, const struct opts *o)
{
	s->len = 0;
	s->err = 0;
	s->path = path ? path : "<stdout>";
	s->f = NULL;
	s->gz = NULL;
	if (o->gzip) {
		char mode[8];
		snprintf(mode, sizeof mode, "wb%d", o->level);
		s->gz = path ? gzopen(path, mode) : gzdopen(fileno(stdout), mode);
		if (s->gz == NULL)
			return errno ? errno : ENOMEM;
		gzbuffer(s->gz, 256 * 1024);
	} else {
		s->f = path ? fopen(path, "wb") : stdout;
		if (s->f == NULL)
			return errno;
	}
	return 0;
}

/* Closes the sink.  Returns 0, an errno, or -1 for a zlib error. */
static int sink_close(struct sink *s)
{
	int rc = s->err;
	if (s->gz) {
		int zrc = gzclose(s->gz);
		if (rc == 0 && zrc != Z_OK)
			rc = zrc == Z_ERRNO ? errno : -1;
	} else if (s->f) {
		if (fflush(s->f) != 0 && rc == 0)
			rc = errno;
		if (s->f != stdout && fclose(s->f) != 0 && rc == 0)
			rc = errno;
	}
	s->gz = NULL;
	s->f = NULL;
	return rc;
}

static const char *errstr(int rc)
{
	return rc == -1 ? "zlib error" : strerror(rc);
}

/* ------------------------------------------------------------------ */
/* Command line.                                                        */

static void usage(FILE *f)
{
	fputs("usage: gen-pubmed [options] > out.xml\n"
	      "\n"
	      "Writes deterministic synthetic PubMed XML (PubmedArticleSet) for tests and\n"
	      "benchmarks.  The same options and seed always give the same bytes.\n"
	      "\n"
	      "  -n, --docs N          citations to write (default 1000); PMIDs are\n"
	      "                        consecutive from --start-pmid\n"
	      "  -s, --seed S          PRNG seed (default 1)\n"
	      "  -p, --start-pmid P    first PMID (default 1)\n"
	      "  -z, --gzip            gzip the output (zlib)\n"
	      "  -l, --level N         gzip level 1-9 (default 6)\n"
	      "  -f, --per-file N      write N citations per file into --out-dir\n"
	      "  -o, --out-dir DIR     write DIR/pubmed-synth-00001.xml[.gz], ... instead\n"
	      "                        of standard output (created if missing)\n"
	      "  -u, --updates         also write revised citations (an earlier PMID again\n"
	      "                        with Version=\"2\", about 1%) and a DeleteCitation\n"
	      "                        block at the end of each file (about 0.5% of PMIDs,\n"
	      "                        never a revised one): live citations = N - deleted\n"
	      "  -v, --verbose         print counts, bytes and speed to stderr at the end\n"
	      "  -h, --help            show this help\n"
	      "  -V, --version         show the version\n"
	      "\n"
	      "Exit status: 0 success, 2 error (usage, cannot write).\n",
	      f);
}

/* One line on stderr, as sarc-index and sarc-query write them; returns 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("gen-pubmed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'gen-pubmed --help')\n", stderr);
	return 2;
}

/* Parses a decimal in [min, max]; returns 0 or -1. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"docs", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"start-pmid", required_argument, NULL, 'p'},
		{"gzip", no_argument, NULL, 'z'},
		{"level", required_argument, NULL, 'l'},
		{"per-file", required_argument, NULL, 'f'},
		{"out-dir", required_argument, NULL, 'o'},
		{"updates", no_argument, NULL, 'u'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.docs = 1000, .seed = 1, .start_pmid = 1, .level = 6};
	uint64_t v;
	int c;

	char why[128];

	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":n:s:p:zl:f:o:uvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, 0, UINT32_MAX, &o.docs))
				return usage_error("invalid --docs '%s'", optarg);
			break;
		case 's':
			if (parse_u64(optarg, 0, UINT64_MAX, &o.seed))
				return usage_error("invalid --seed '%s'", optarg);
			break;
		case 'p':
			if (parse_u64(optarg, 1, UINT32_MAX, &v))
				return usage_error("invalid --start-pmid '%s'", optarg);
			o.start_pmid = (uint32_t)v;
			break;
		case 'z':
			o.gzip = 1;
			break;
		case 'l':
			if (parse_u64(optarg, 1, 9, &v))
				return usage_error("invalid --level '%s' (1 to 9)", optarg);
			o.level = (int)v;
			break;
		case 'f':
			if (parse_u64(optarg, 1, UINT32_MAX, &o.per_file))
				return usage_error("invalid --per-file '%s'", optarg);
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'u':
			o.updates = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("gen-pubmed %s\n", GEN_VERSION);
			return 0;
		default: /* '?' or ':' */
			cli_refused(argv, longopts, c, optind, optopt, why, sizeof why);
			return usage_error("%s", why);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o.per_file && !o.out_dir)
		return usage_error("--per-file needs --out-dir");
	if ((uint64_t)o.start_pmid + o.docs > UINT32_MAX)
		return usage_error("--start-pmid plus --docs exceeds the PMID range");
	if (o.out_dir && o.per_file == 0)
		o.per_file = o.docs ? o.docs : 1;

	int rc = 0;
	char *path = NULL, *tmp = NULL;
	struct vocab voc;
	struct sink s = {0};
	struct gen g = {0};
	double t0 = now_seconds();

	if ((rc = vocab_init(&voc, VOCAB_SIZE)) != 0) {
		fprintf(stderr, "gen-pubmed: cannot build the vocabulary: %s\n", strerror(rc));
		return 2;
	}
	rng_seed(&g.rng, o.seed);
	g.v = &voc;
	g.first_pmid = g.next_pmid = o.start_pmid;
	g.updates = o.updates;
	s.cap = SINK_CAP;
	if ((s.buf = malloc(s.cap)) == NULL || (o.updates && (g.del = malloc(DEL_MAX * sizeof *g.del)) == NULL)) {
		fprintf(stderr, "gen-pubmed: %s\n", strerror(ENOMEM));
		rc = 2;
		goto out;
	}

	if (!o.out_dir) {
		if ((rc = sink_open(&s, NULL, &o)) != 0) {
			fprintf(stderr, "gen-pubmed: cannot open standard output: %s\n", errstr(rc));
			rc = 2;
			goto out;
		}
		write_set(&g, &s, o.docs);
		if ((rc = sink_close(&s)) != 0) {
			fprintf(stderr, "gen-pubmed: cannot write '%s': %s\n", s.path, errstr(rc));
			rc = 2;
			goto out;
		}
	} else {
		size_t plen = strlen(o.out_dir) + 64;
		if ((path = malloc(plen)) == NULL || (tmp = malloc(plen)) == NULL) {
			fprintf(stderr, "gen-pubmed: %s\n", strerror(ENOMEM));
			rc = 2;
			goto out;
		}
		if (mkdir(o.out_dir, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "gen-pubmed: cannot create '%s': %s\n", o.out_dir, strerror(errno));
			rc = 2;
			goto out;
		}
		uint64_t left = o.docs;
		for (unsigned filenum = 1; left > 0 || filenum == 1; filenum++) {
			uint64_t n = left < o.per_file ? left : o.per_file;
			snprintf(path, plen, "%s/pubmed-synth-%05u.xml%s", o.out_dir, filenum, o.gzip ? ".gz" : "");
			snprintf(tmp, plen, "%s.part", path);
			if ((rc = sink_open(&s, tmp, &o)) != 0) {
				fprintf(stderr, "gen-pubmed: cannot create '%s': %s\n", tmp, errstr(rc));
				rc = 2;
				goto out;
			}
			write_set(&g, &s, n);
			if ((rc = sink_close(&s)) != 0) {
				fprintf(stderr, "gen-pubmed: cannot write '%s': %s\n", tmp, errstr(rc));
				rc = 2;
				goto out;
			}
			if (rename(tmp, path) != 0) {
				fprintf(stderr, "gen-pubmed: cannot rename '%s': %s\n", tmp, strerror(errno));
				rc = 2;
				goto out;
			}
			left -= n;
		}
	}
	if (o.verbose) {
		double dt = now_seconds() - t0;
		fprintf(stderr,
		        "gen-pubmed: %llu citations (%llu PubmedArticle, %llu deleted), %llu bytes of XML, "
		        "%.0f bytes/record, %.2f s, %.1f MB/s\n",
		        (unsigned long long)o.docs, (unsigned long long)g.nrecords, (unsigned long long)g.ndeleted,
		        (unsigned long long)s.nbytes, g.nrecords ? (double)s.nbytes / (double)g.nrecords : 0.0, dt,
		        dt > 0 ? (double)s.nbytes / dt / 1e6 : 0.0);
	}
out:
	free(path);
	free(tmp);
	free(s.buf);
	free(g.del);
	vocab_free(&voc);
	return rc;
}
