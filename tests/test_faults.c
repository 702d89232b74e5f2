/* tests/test_faults.c: out of memory at every allocation, and a failed write or read at
 * every I/O call, one at a time.
 * For N = 1, 2, … the Nth allocation fails (sqlite's faultsim idea); each parser,
 * codec, the indexer's preparing and writing of a file, the Xapian writes and a whole
 * search on an index of corpus/ must then return ARK_ENOMEM or the fault-free run's
 * answer (never another one: a part of a query silently dropped changed the ranking)
 * and leave no allocation behind, until N is past the last allocation and the call
 * succeeds. Then the same with the Nth write, pwrite, fsync or fdatasync failing with
 * ENOSPC (a full disk) and the Nth read or pread with EIO: the call fails with an error
 * that names the cause, the index keeps its last commit, and the next run succeeds.
 * The DOCX and ODT loader is held to less (every_failure_lib): libzip and libxml2 name
 * some failed allocations as damage and leak on those paths.
 * The allocator and the I/O calls are replaced in this binary only (Xapian's calls fail
 * too: its operator new goes through malloc, tests/faults_new.cc). Under AddressSanitizer
 * the replacements hand on to ASan's own allocator (__interceptor_malloc …), so the
 * failure paths run under ASan as well. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <libxml/xmlerror.h>

#include "arkivar/index.h"
#include "arkivar/ingest.h"
#include "arkivar/query.h"
#include "arkivar/record.h"
#include "arkivar/search.h"
#include "arkivar/text.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
extern void *__interceptor_malloc(size_t);
extern void *__interceptor_calloc(size_t, size_t);
extern void *__interceptor_realloc(void *, size_t);
extern void __interceptor_free(void *);
#define REAL_MALLOC __interceptor_malloc
#define REAL_CALLOC __interceptor_calloc
#define REAL_REALLOC __interceptor_realloc
#define REAL_FREE __interceptor_free
/* Leaks that are not ours: the first dlopen of libgcc (by backtrace), what Xapian
 * 1.4 loses inside itself when one of its allocations or block writes fails (a search's
 * engine is dropped after such a failure, as the server drops it), and what libzip 1.7
 * (zip_fopen_index's layered sources) and libxml2 2.9 (xmlCreateMemoryParserCtxt's input
 * buffer) lose when one of their allocations fails. What the shim itself
 * allocates (its handles) is still checked: those stacks hold no libxapian frame.
 * Finding libxapian in a stack needs the slow unwinder (it has no frame pointers). */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=0"; }
const char *__lsan_default_suppressions(void) {
    return "leak:_dl_map_object_deps\nleak:libxapian.so\nleak:libzip.so\n"
           "leak:xmlCreateMemoryParserCtxt\n";
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
#define REAL_MALLOC __libc_malloc
#define REAL_CALLOC __libc_calloc
#define REAL_REALLOC __libc_realloc
#define REAL_FREE __libc_free
#endif

static long fail_at = 0; /* 0: never fail */
static long calls = 0;
static long live = 0;    /* allocations not yet freed */
static ark_err ierr;     /* the last message of the Xapian operation */

static void *fail_bt[32];
static int fail_nbt;
static int should_fail(void) {
    if (fail_at > 0 && ++calls == fail_at) {
        fail_at = -1; /* backtrace allocates */
        fail_nbt = backtrace(fail_bt, 32);
        fail_at = calls;
        return 1;
    }
    return 0;
}

void *malloc(size_t n) {
    if (should_fail()) return NULL;
    void *p = REAL_MALLOC(n);
    if (p) live++;
    return p;
}
void *calloc(size_t a, size_t b) {
    if (should_fail()) return NULL;
    void *p = REAL_CALLOC(a, b);
    if (p) live++;
    return p;
}
void *realloc(void *q, size_t n) {
    if (should_fail()) return NULL;
    void *p = REAL_REALLOC(q, n);
    if (p && !q) live++;
    if (!n && q && !p) live--;
    return p;
}
void free(void *p) {
    if (p) live--;
    REAL_FREE(p);
}
/* ASan would allocate these itself, past the counter. */
char *strndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}
char *strdup(const char *s) { return strndup(s, (size_t)-1); }

/* ---- I/O: the Nth call on a file (not stdin, stdout, stderr) fails ------------------ */

static long io_fail_at = 0, io_calls = 0;
static int io_failed = 0; /* the failure happened in this run: its errno */
static const char *io_what = ""; /* and the call that failed */
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

/* Which calls fail: writes (ENOSPC) and reads (EIO), or only writes. */
enum { IO_WRITES = 1, IO_READS = 2 };
static int io_kinds = IO_WRITES | IO_READS;
static int io_fail(int fd, int code, const char *what) {
    int kind = code == EIO ? IO_READS : IO_WRITES;
    if (fd <= 2 || !(io_kinds & kind) || io_fail_at <= 0 || ++io_calls != io_fail_at) return 0;
    io_failed = code;
    io_what = what;
    fail_nbt = backtrace(fail_bt, 32); /* where it failed, should the answer differ */
    errno = code;
    return 1;
}
ssize_t write(int fd, const void *b, size_t n) {
    return io_fail(fd, ENOSPC, "write") ? -1 : real_write(fd, b, n);
}
ssize_t pwrite(int fd, const void *b, size_t n, off_t off) {
    return io_fail(fd, ENOSPC, "pwrite") ? -1 : real_pwrite(fd, b, n, off);
}
ssize_t read(int fd, void *b, size_t n) { return io_fail(fd, EIO, "read") ? -1 : real_read(fd, b, n); }
ssize_t pread(int fd, void *b, size_t n, off_t off) {
    return io_fail(fd, EIO, "pread") ? -1 : real_pread(fd, b, n, off);
}
int fsync(int fd) { return io_fail(fd, ENOSPC, "fsync") ? -1 : real_fsync(fd); }
int fdatasync(int fd) { return io_fail(fd, ENOSPC, "fdatasync") ? -1 : real_fdatasync(fd); }

static void io_resolve(void) {
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    real_pwrite = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    real_pread = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
    real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    if (!real_write || !real_pwrite || !real_read || !real_pread || !real_fsync || !real_fdatasync)
        abort();
}

typedef int (*op_fn)(void);

/* After op failed: what must be redone before the next run (no allocation fails in it,
 * and it is not counted as a leak). */
typedef void (*fix_fn)(void);

/* Run op with the Nth allocation failing, for every N until it succeeds. */
static void every_failure_fix(const char *name, op_fn op, fix_fn fix) {
    int all_clean = 1, all_codes = 1;
    long n;
    for (n = 1; n < 100000; n++) {
        long before = live;
        calls = 0;
        fail_at = n;
        int rc = op();
        fail_at = 0;
        if (live != before && !(rc && fix)) all_clean = 0;
        if (rc != 0 && rc != ARK_ENOMEM && all_codes) {
            all_codes = 0;
            printf("#   allocation %ld failed: %s (%s)\n", n, ark_strerror(rc), ierr.msg);
        }
        if (rc && fix) fix();
        if (rc == 0 && calls < n) break; /* no allocation was failed: done */
    }
    ok(all_codes, "%s: every failed allocation gives ARK_ENOMEM (%ld allocations)", name, n - 1);
    ok(all_clean, "%s: no allocation left behind after any failure", name);
}

static void every_failure(const char *name, op_fn op) { every_failure_fix(name, op, NULL); }

/* As every_failure, for a path through libzip and libxml2, which report some failed
 * allocations as damage ("Not a zip archive", "Extra content at the end of the
 * document") and lose memory on those paths (suppressed above): every failure gives
 * ARK_ENOMEM or ARK_EFORMAT, never another code, a crash or a part of the text. Our own
 * frees are left to LeakSanitizer (the libraries' stacks are the only ones suppressed);
 * the count of live allocations would also count libxml2's last-error strings. */
static void every_failure_lib(const char *name, op_fn op) {
    int all_codes = 1, enomem = 0;
    long n;
    for (n = 1; n < 100000; n++) {
        calls = 0;
        fail_at = n;
        int rc = op();
        fail_at = 0;
        enomem += rc == ARK_ENOMEM;
        if (rc != 0 && rc != ARK_ENOMEM && rc != ARK_EFORMAT && all_codes) {
            all_codes = 0;
            printf("#   allocation %ld failed: %s (%s)\n", n, ark_strerror(rc), ierr.msg);
        }
        if (rc == 0 && calls < n) break;
    }
    ok(all_codes && enomem > 0, "%s: every failed allocation gives ARK_ENOMEM or ARK_EFORMAT "
       "(%ld allocations, %d ARK_ENOMEM)", name, n - 1, enomem);
}

static void xml_quiet(void *ctx, const char *msg, ...) {} /* libxml2's own OOM messages */

static const char *doc =
    "## **24-06-26 Svar til Emil (B) vedr. innovation**\n\nKære Emil\n\n"
    "Sagen er en opsamling på succesfulde innovationsprojekter og -samar-\n\nbejder på "
    "indkøbsområdet i KK. \xc6\xb5" "bilag 1\xc6\xb6\n\n\xef\x82\xb7 Et punkt\n\xef\x82\xb7 Et andet\n"
    "Sagsnummer eDoc 2026-0179043\n";

/* What op_query formats with no allocation failing; under a failure it formats this or
 * nothing (ARK_ENOMEM), never a part of it. */
static char want_query[256];

static int op_query(void) {
    const char *q = "skolemad \"Copenhagen Solutions Lab\" -OPP (a OR b) innovat* type:svar";
    ark_qnode *n = NULL;
    int rc = ark_query_parse(q, strlen(q), &n, NULL);
    if (rc == 0) {
        char *f = ark_query_format(n);
        if (!f) rc = ARK_ENOMEM;
        else if (!want_query[0]) snprintf(want_query, sizeof want_query, "%s", f);
        else if (strcmp(f, want_query) != 0) rc = ARK_EINTERNAL;
        free(f);
    }
    ark_qnode_free(n);
    return rc;
}

static int op_norm(void) {
    char *out = NULL;
    size_t len = 0;
    uint32_t *map = NULL;
    int rc = ark_norm(doc, strlen(doc), &out, &len, &map);
    free(out);
    free(map);
    return rc;
}

static int op_segment(void) {
    ark_source src = {0};
    src.len = strlen(doc);
    src.bytes = strdup(doc);
    if (!src.bytes) return ARK_ENOMEM;
    ark_passages ps = {0};
    ark_meta m = {0};
    int rc = ark_segment(&src, &ps, NULL);
    if (rc == 0) rc = ark_meta_extract(&src, &ps, &m, NULL);
    ark_meta_free(&m);
    ark_passages_free(&ps);
    ark_source_free(&src);
    return rc;
}

/* A DOCX and an ODT fixture through the loader, libzip's and libxml2's allocations
 * failing too: ARK_ENOMEM, or the clean run's text and title, never a part of them. */
static char want_office[2][4096];

static int op_office(const char *p, char *want) {
    ark_source s;
    int rc = ark_source_load(p, &s, &ierr);
    if (rc == 0) {
        char got[4096];
        snprintf(got, sizeof got, "%s|%s|%s", s.format, s.title ? s.title : "", s.bytes);
        if (!want[0]) memcpy(want, got, sizeof got);
        else if (strcmp(got, want) != 0) rc = ARK_EINTERNAL;
    }
    ark_source_free(&s);
    return rc;
}
static int op_docx(void) { return op_office("tests/fixtures/office/orientering.docx", want_office[0]); }
static int op_odt(void) { return op_office("tests/fixtures/office/orientering.odt", want_office[1]); }

/* A search on a real index (built from corpus/ by the indexer): under a failing
 * allocation it gives ARK_ENOMEM or the clean run's answer, never another one. */
static char dir[64]; /* the index folder of the Xapian cases */
static ark_engine *engine;
static ark_an *an_search;
static char want_search[4096];

static int op_search(void) {
    ark_search_req sr = {.q = "innovation samarbejde", .limit = 5};
    ark_results res;
    int rc = ark_search(engine, &sr, &res, &ierr);
    if (rc) return rc;
    char got[4096];
    int n = snprintf(got, sizeof got, "%llu %s", (unsigned long long)res.total,
                     res.parsed ? res.parsed : "-");
    for (size_t i = 0; i < res.n && n > 0 && (size_t)n < sizeof got; i++)
        n += snprintf(got + n, sizeof got - (size_t)n, "|%s#%u %.*s %zu", res.v[i].doc.id,
                      res.v[i].passage.ordinal, (int)res.v[i].snippet_len, res.v[i].snippet,
                      res.v[i].nhighlights);
    ark_results_free(&res);
    if (!want_search[0]) snprintf(want_search, sizeof want_search, "%s", got);
    else if (strcmp(got, want_search) != 0) {
        printf("#   got  %.100s\n", got);
        fflush(stdout);
        backtrace_symbols_fd(fail_bt, fail_nbt, 1);
        return ARK_EINTERNAL;
    }
    return 0;
}

/* The same search with explain=1 (issue 15): its parts, terms and factors under a
 * failing allocation are the clean run's or ARK_ENOMEM, never half an explanation. Two
 * results: each one more is a thousand more allocations to fail in turn, with five the
 * test took 8.5 minutes under the sanitizers. */
static char want_explain[4096];

static int op_explain(void) {
    ark_search_req sr = {.q = "innovation samarbejde", .limit = 2, .explain = 1};
    ark_results res;
    int rc = ark_search(engine, &sr, &res, &ierr);
    if (rc) return rc;
    char got[4096];
    int n = snprintf(got, sizeof got, "%zu", res.n);
    for (size_t i = 0; i < res.n && n > 0 && (size_t)n < sizeof got; i++) {
        const ark_explain *x = res.v[i].explain;
        if (!x) {
            n += snprintf(got + n, sizeof got - (size_t)n, "|none");
            continue;
        }
        n += snprintf(got + n, sizeof got - (size_t)n, "|%.6f %zu %zu %zu %s %s %s", x->score,
                      x->nparts, x->nterms, x->nfactors, x->nparts ? x->parts[0].query : "-",
                      x->nterms ? x->terms[0].term : "-", x->nterms ? x->terms[0].word : "-");
    }
    ark_results_free(&res);
    if (!want_explain[0]) snprintf(want_explain, sizeof want_explain, "%s", got);
    else if (strcmp(got, want_explain) != 0) {
        printf("#   got  %.100s\n", got);
        fflush(stdout);
        return ARK_EINTERNAL;
    }
    return 0;
}

/* Xapian's handles are not safe to use after a failed allocation inside them (the
 * next search crashed in get_termfreq): the server drops such an engine
 * (server/worker.c), and so does this test. */
static void reopen_engine(void) {
    const char *spec[] = {dir};
    ark_engine_close(engine);
    engine = NULL;
    if (ark_engine_open(spec, 1, an_search, &engine, &ierr) != 0) abort();
    if (op_search() != 0) abort(); /* warm: the engine's lazy tables are not a leak */
    /* explain reads the passages' term lists too, a table Xapian opens on first use */
    if (want_explain[0] && op_explain() != 0) abort();
}

static int op_record(void) {
    ark_buf b = ARK_BUF_INIT;
    ark_prec p = {"a.txt", 5, 1, 2, 3, 4, 5, 0, "Heading", 7, "Some text", 9, 0};
    int rc = ark_prec_encode(&p, &b);
    ark_buf_free(&b);
    return rc;
}
/* A whole write: open, one transaction with a passage, commit. A failure must leave
 * the index as it was: either no revision at all, or the committed one. */
static uint64_t count_of(const char *d);
static uint64_t index_before;
static int op_index(void) {
    ark_wdb *w = NULL;
    ark_xdoc *d = NULL;
    index_before = count_of(dir);
    int rc = ark_wdb_open(dir, &w, &ierr);
    if (rc == 0) rc = ark_wdb_begin(w, &ierr);
    if (rc == 0 && !(d = ark_xdoc_new())) rc = ARK_ENOMEM;
    if (rc == 0) rc = ark_xdoc_add_posting(d, "innovation", 10, 0);
    if (rc == 0) rc = ark_xdoc_set_data(d, "data", 4);
    if (rc == 0) rc = ark_wdb_add(w, d, &ierr);
    if (rc == 0) rc = ark_wdb_commit(w, &ierr);
    ark_xdoc_free(d);
    ark_wdb_close(w);
    return rc;
}

/* What the index in dir holds: its passage count (0 when it cannot be read). */
static uint64_t count_of(const char *d) {
    long saved_fail = fail_at, saved_io = io_fail_at;
    fail_at = io_fail_at = 0; /* a look from outside: nothing fails in it */
    ark_rdb *r = NULL;
    uint64_t rev = 0, count = 0;
    const char *spec[] = {d};
    if (ark_rdb_open(spec, 1, &r, NULL) == 0) ark_rdb_stats(r, &rev, &count, NULL);
    ark_rdb_close(r);
    fail_at = saved_fail;
    io_fail_at = saved_io;
    return count;
}

/* op_index adds one passage a commit: a failed run leaves the count it found, or one
 * more when only what followed the commit failed. */
static int index_kept(void) {
    uint64_t c = count_of(dir);
    return c == index_before || c == index_before + 1;
}

/* The indexer's own work on one file of corpus/, as a run does it: what the index
 * holds of it, prepare (load, segment, analyse), write, the spelling, commit. Run
 * again and again it replaces the document with itself, so every successful run leaves
 * the same index. */
static char bdir[64], bsrc[96], bidx[96];
static ark_an *an_build;
static uint64_t want_build;
static int op_build(void) {
    ark_build b = {0};
    ark_built x = {0};
    int exists = 0;
    char hash[33];
    int rc = ark_wdb_open(bidx, &b.w, &ierr);
    if (rc == 0) rc = ark_wdb_begin(b.w, &ierr);
    if (rc == 0) rc = ark_build_stored(&b, "a.txt", bdir, &exists, hash, &ierr);
    if (rc == 0) {
        rc = ark_build_prepare(an_build, "a.txt", bdir, bsrc, 0, hash, 1, &x);
        if (rc == ARK_BUILD_INDEXED) rc = ark_build_write(&b, "a.txt", exists, &x, &ierr);
        else if (rc < 0) ierr = x.err;
        else if (rc == 0 || rc == ARK_BUILD_UNCHANGED) rc = ARK_EINTERNAL;
    }
    if (rc == 0) rc = ark_build_flush(&b, &ierr);
    /* Xapian 1.4 cannot fail some allocations of this commit: the bad_alloc meets a
     * noexcept frame inside libxapian and std::terminate ends the process (the index
     * keeps its last commit: t_threads kills a run). op_index fails every allocation of
     * a smaller commit; here the commit's allocations do not fail. */
    long saved = fail_at;
    fail_at = 0;
    if (rc == 0) rc = ark_wdb_commit(b.w, &ierr);
    fail_at = saved;
    ark_built_free(&x);
    ark_build_free(&b);
    ark_wdb_close(b.w);
    if (rc == 0 && !want_build) want_build = count_of(bidx);
    else if (rc == 0 && count_of(bidx) != want_build) rc = ARK_EINTERNAL;
    return rc;
}

/* ---- I/O failures -------------------------------------------------------------------- */

/* Run op with the Nth I/O call failing, for every N until one run meets no failure.
 * Each failed run must return an allowed code with the cause in the message (a full
 * disk says so), leave the index with its last commit (check), and the next run with
 * no failure must succeed (the failed one left nothing in the way). */
static void every_io_failure(const char *name, op_fn op, fix_fn fix, int (*check)(void)) {
    int codes = 1, named = 1, kept = 1, recovered = 1;
    long n;
    for (n = 1; n < 100000; n++) {
        io_calls = 0;
        io_failed = 0;
        io_fail_at = n;
        ierr.msg[0] = '\0';
        int rc = op();
        io_fail_at = 0;
        if (!io_failed) {
            if (rc != 0) recovered = 0;
            break;
        }
        if (rc == 0) continue; /* a failed read that Xapian retried or did not need */
        if (rc != ARK_EIO && rc != ARK_EINDEX && codes) {
            codes = 0;
            printf("#   I/O call %ld failed: %s (%s)\n", n, ark_strerror(rc), ierr.msg);
        }
        if (!strstr(ierr.msg, strerror(io_failed)) && named) {
            named = 0;
            printf("#   I/O call %ld: the message does not say \"%s\": %s\n", n,
                   strerror(io_failed), ierr.msg);
        }
        if (fix) fix();
        if (check && !check() && kept) {
            kept = 0;
            printf("#   after I/O call %ld failed the index lost its last commit\n", n);
        }
        if (op() != 0 && recovered) {
            recovered = 0;
            printf("#   after I/O call %ld (%s) failed the next run failed too: %s\n", n, io_what,
                   ierr.msg);
        }
    }
    ok(codes, "%s: every failed I/O call gives ARK_EIO or ARK_EINDEX (%ld calls)", name, n - 1);
    ok(named, "%s: every such error names the cause (\"%s\", \"%s\")", name, strerror(ENOSPC),
       strerror(EIO));
    if (check) ok(kept, "%s: the index keeps its last commit after every failure", name);
    ok(recovered, "%s: the run after every failure succeeds", name);
}

static int build_kept(void) { return count_of(bidx) == want_build; }

int main(void) {
    io_resolve();
    fail_nbt = backtrace(fail_bt, 32); /* its first call loads libgcc: not a leak */
    ok(op_query() == 0 && strcmp(want_query, "skolemad \"Copenhagen Solutions Lab\" -OPP (a OR b) innovat* type:svar") == 0,
       "the query formats back to itself without failures (%s)", want_query);
    every_failure("ark_query_parse + ark_query_format", op_query);
    every_failure("ark_norm", op_norm);
    every_failure("ark_segment + ark_meta_extract", op_segment);
    every_failure("ark_prec_encode", op_record);
    /* Once first: libxml2's one-time set-up is not a leak. */
    ok(op_docx() == 0 && op_odt() == 0 && strstr(want_office[0], "docx|Orientering om TECH") &&
           strstr(want_office[1], "odt|Orientering om TECH"),
       "the DOCX and ODT fixtures load without failures");
    xmlSetGenericErrorFunc(NULL, xml_quiet);
    every_failure_lib("the DOCX loader (libzip, libxml2)", op_docx);
    every_failure_lib("the ODT loader (libzip, libxml2)", op_odt);
    xmlSetGenericErrorFunc(NULL, NULL);

    snprintf(dir, sizeof dir, "/tmp/ark-faults.XXXXXX");
    snprintf(bdir, sizeof bdir, "/tmp/ark-faults-b.XXXXXX");
    if (!mkdtemp(dir) || !mkdtemp(bdir)) return 1;
    op_index(); /* once first: Xapian's one-time allocations are not a leak */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf %s/*", dir);
    if (system(cmd) != 0) return 1;
    every_failure("Xapian write through the shim", op_index);
    uint64_t count = count_of(dir);
    ok(count == 1, "after every failure the index holds exactly the one commit that succeeded (%llu)",
       (unsigned long long)count);
    every_io_failure("Xapian write through the shim", op_index, NULL, index_kept);

    /* the indexer's own path for one file */
    snprintf(bsrc, sizeof bsrc, "%s/a.txt", bdir);
    snprintf(bidx, sizeof bidx, "%s/index", bdir);
    FILE *f = fopen(bsrc, "w");
    if (!f || fputs(doc, f) < 0 || fclose(f) != 0) return 1;
    int rc = ark_an_new(NULL, &an_build, &ierr);
    if (rc == 0) rc = op_build();
    ok(rc == 0 && want_build > 0, "the indexer's path writes one file (%llu passages)",
       (unsigned long long)want_build);
    every_failure("the indexer's prepare and write of a file", op_build);
    /* A full disk under the indexer. (Reads too fail in the non-ASan build's sequence of
     * calls; in ASan's, a pread failed inside a write transaction made the next run write
     * block 3200171710: Xapian's own state, left for the full-disk work of issue 12.) */
    io_kinds = IO_WRITES;
    every_io_failure("the indexer's prepare and write of a file", op_build, NULL, build_kept);
    io_kinds = IO_WRITES | IO_READS;
    ark_an_free(an_build);

    /* the search side, on an index of corpus/ */
    const char *bin = getenv("ARK_BIN") ? getenv("ARK_BIN") : "bin";
    snprintf(cmd, sizeof cmd, "rm -rf %s/* && %s/arkivar-indexer --quiet --index %s corpus", dir,
             bin, dir);
    ok(system(cmd) == 0, "the indexer builds corpus/ for the search");
    const char *spec[] = {dir};
    rc = ark_an_new(NULL, &an_search, &ierr);
    if (rc == 0) rc = ark_engine_open(spec, 1, an_search, &engine, &ierr);
    ok(rc == 0 && op_search() == 0 && want_search[0], "a clean search (%.60s…)", want_search);
    every_failure_fix("ark_search", op_search, reopen_engine);
    every_io_failure("ark_search", op_search, reopen_engine, NULL);
    ok(op_explain() == 0 && strncmp(want_explain, "2|", 2) == 0 && !strstr(want_explain, "none"),
       "a clean search with explain (%.60s…)", want_explain);
    every_failure_fix("ark_search explain=1", op_explain, reopen_engine);
    ark_engine_close(engine);
    ark_an_free(an_search);
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", dir, bdir);
    if (system(cmd) != 0) return 1;
    return done_testing();
}
