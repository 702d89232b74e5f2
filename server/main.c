/* server/main.c: arkivar-server, the search HTTP server.
 * Owns: command-line flags, the analyzer prototype, startup checks (the index exists,
 * the port is free), signals and the order of shutdown.
 * Not here: HTTP (http.c), routes (api.c), per-thread engines (worker.c).
 * Why signals by sigwait: SIGINT/SIGTERM are blocked before any thread starts, so only
 * this thread ever receives them, synchronously; no handler has to be async-signal-safe
 * and the pool threads are never interrupted mid-request. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arkivar/analysis.h"
#include "arkivar/err.h"
#include "arkivar/search.h"
#include "arkivar/text.h"
#include "http.h"
#include "keys.h"
#include "push.h"
#include "spool.h"
#include "worker.h"
#include "writer.h"

#define PROG "arkivar-server"
#define MAX_THREADS 1024
#define MAX_SHARDS 256

static const char usage_text[] =
    "usage: " PROG " [options]\n"
    "Serve full-text search over an Arkivar index.\n"
    "\n"
    "  --index DIR      index directory (default var/index)\n"
    "  --listen ADDR    HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --shard SPEC     another index directory or tcp:HOST:PORT; repeatable\n"
    "  --threads N      worker threads (default: number of cores)\n"
    "  --words FILE     word list for compound splitting (default /usr/share/dict/danish)\n"
    "  --acronyms FILE  acronyms and expansions (default data/acronyms.txt if present)\n"
    "  --cors ORIGINS   origins whose pages may call /api/… (CORS), comma-separated:\n"
    "                   https://a.dk,https://b.dk, or * for any (default: none)\n"
    "  --keys FILE      access keys (arkivar-keys): a request with Authorization: Bearer\n"
    "                   KEY searches the levels its key grants; read again on change.\n"
    "                   A key with the write right may also PUT and DELETE documents\n"
    "                   at /api/documents/ID (without --keys those routes are 404)\n"
    "  --max-upload BYTES  the largest document a PUT may send (default and most:\n"
    "                   64 MB); larger ones get 413\n"
    "  --allow-host H[,H...]  answer only requests whose Host is listed (HOST or\n"
    "                   HOST:PORT; others get 421): against DNS rebinding (default: any)\n"
    "  --frame-ancestors SRC  who may frame the pages, CSP sources (default 'self')\n"
    "  --trusted-proxy A[,A...]  peers whose X-Forwarded-For/-Proto are read (default: none)\n"
    "  --per-address-connections N  connections one address may hold (default: a\n"
    "                   quarter of the connection ceiling, at least 128)\n"
    "  --per-address-queue N  searches one address may have waiting (default 64);\n"
    "                   beyond, that address gets 503 with Retry-After\n"
    "  --request-timeout S  seconds to send a request head or read an answer (default 10)\n"
    "  --help           show this help\n"
    "\n"
    "Routes: GET /api/search?q=..&limit=10&offset=0&sort=date|relevance&format=text,\n"
    "        /api/doc/ID, /api/suggest?q=.., /health, /metrics, /\n"
    "        PUT /api/documents/ID (body: the file; X-Arkivar-Metadata: its sidecar JSON)\n"
    "        and DELETE /api/documents/ID, with a write key: 202 once the document is on\n"
    "        disk (INDEX/.spool), searchable within a second or two; a killed server\n"
    "        writes what its spool holds when it starts again.\n";

typedef struct opts {
    const char *index, *listen, *words, *cors, *acronyms, *keys;
    unsigned per_address, queue, request_timeout;
    unsigned long long max_upload;
    const char *shards[MAX_SHARDS];
    size_t nshards; /* shards[0] is the --index dir */
    unsigned threads;
} opts;

/* HOST:PORT or [V6]:PORT with a port 0..65535; only the shape, ark_http_listen() does
 * the rest. A malformed value is a usage error (exit 2), not a runtime one (exit 1). */
static int listen_spec_ok(const char *s) {
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1] || strlen(colon + 1) > 5) return 0;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    if (atol(colon + 1) > 65535) return 0;
    if (s[0] == '[' && colon[-1] != ']') return 0;
    return 1;
}

static int bad_usage(const char *fmt, const char *arg) {
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
    return 2;
}

/* Parse argv into o. Returns -1 to go on, or an exit status (0 after --help, 2 on a
 * bad flag). Accepts "--flag value" and "--flag=value". */
static int parse_flags(int argc, char **argv, opts *o) {
    const char *extra[MAX_SHARDS];
    size_t nextra = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o->index = "var/index";
    o->listen = "127.0.0.1:8080";
    o->words = NULL;
    o->acronyms = NULL;
    o->cors = NULL;
    o->keys = NULL;
    o->per_address = o->queue = o->request_timeout = 0;
    o->max_upload = 0;
    o->threads = ncpu > 0 ? (unsigned)(ncpu < MAX_THREADS ? ncpu : MAX_THREADS) : 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        static const char *const with_value[] = {"--index", "--listen", "--shard",
                                                 "--threads", "--words", "--cors",
                                                 "--acronyms", "--keys", "--allow-host",
                                                 "--frame-ancestors", "--trusted-proxy",
                                                 "--per-address-connections",
                                                 "--per-address-queue", "--request-timeout",
                                                 "--max-upload"};
        const char *flag = NULL;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
            size_t n = strlen(with_value[k]);
            if (strncmp(a, with_value[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                flag = with_value[k];
                if (a[n] == '=') val = a + n + 1;
                else if (i + 1 < argc) val = argv[++i];
                else return bad_usage("option %s needs a value", a);
                break;
            }
        }
        if (!flag) return bad_usage(a[0] == '-' ? "unknown option %s" : "unexpected argument %s", a);
        if (!*val) return bad_usage("option %s needs a non-empty value", flag);
        if (strcmp(flag, "--index") == 0) {
            o->index = val;
        } else if (strcmp(flag, "--listen") == 0) {
            if (!listen_spec_ok(val)) return bad_usage("bad --listen %s (want HOST:PORT)", val);
            o->listen = val;
        } else if (strcmp(flag, "--shard") == 0) {
            if (nextra + 1 >= MAX_SHARDS) return bad_usage("too many --shard options (max %s)", "255");
            extra[nextra++] = val;
        } else if (strcmp(flag, "--threads") == 0) {
            char *end;
            errno = 0;
            long t = strtol(val, &end, 10);
            if (*end || errno || t < 1 || t > MAX_THREADS)
                return bad_usage("bad --threads %s (want 1 to 1024)", val);
            o->threads = (unsigned)t;
        } else if (strcmp(flag, "--acronyms") == 0) {
            o->acronyms = val;
        } else if (strcmp(flag, "--keys") == 0) {
            o->keys = val;
        } else if (strcmp(flag, "--words") == 0) {
            o->words = val;
        } else if (strcmp(flag, "--cors") == 0) {
            for (const char *p = val; *p; p++)
                if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                    return bad_usage("bad --cors %s (comma-separated origins, no spaces)", val);
            ark_err cerr = {0, ""};
            if (ark_http_set_cors(val, &cerr) != 0) return bad_usage("%s", cerr.msg);
            o->cors = val;
        } else if (strcmp(flag, "--allow-host") == 0 || strcmp(flag, "--frame-ancestors") == 0 ||
                   strcmp(flag, "--trusted-proxy") == 0) {
            ark_err cerr = {0, ""};
            int bad = flag[2] == 'a' ? ark_http_set_allow_hosts(val, &cerr)
                      : flag[2] == 'f' ? ark_http_set_frame_ancestors(val, &cerr)
                                       : ark_http_set_trusted_proxies(val, &cerr);
            if (bad) return bad_usage("%s", cerr.msg);
        } else if (strcmp(flag, "--max-upload") == 0) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(val, &end, 10);
            if (*end || errno || val[0] == '-' || v < 1 || v > ARK_MAX_FILE_BYTES)
                return bad_usage("bad --max-upload %s (want 1 to 67108864 bytes)", val);
            o->max_upload = v;
        } else { /* the three numbers */
            char *end;
            errno = 0;
            long v = strtol(val, &end, 10);
            long hi = strcmp(flag, "--request-timeout") == 0 ? 3600 : 1000000;
            if (*end || errno || v < 1 || v > hi) {
                char msg[200];
                snprintf(msg, sizeof msg, "bad %s %.40s (want 1 to %ld)", flag, val, hi);
                return bad_usage("%s", msg);
            }
            if (strcmp(flag, "--per-address-connections") == 0) o->per_address = (unsigned)v;
            else if (strcmp(flag, "--per-address-queue") == 0) o->queue = (unsigned)v;
            else o->request_timeout = (unsigned)v;
        }
    }
    o->shards[0] = o->index;
    for (size_t k = 0; k < nextra; k++) o->shards[k + 1] = extra[k];
    o->nshards = nextra + 1;
    return -1;
}

int main(int argc, char **argv) {
    opts o;
    int status = 1, rc, fd = -1;
    ark_err err = {0, ""};
    ark_an *an = NULL;
    ark_synonyms *syn = NULL;
    ark_engine *probe = NULL;
    ark_http *http = NULL;
    ark_engine_stats st = {0, 0, 0};
    char shown[300], closed[4096];
    sigset_t sigs;

    if ((rc = parse_flags(argc, argv, &o)) >= 0) return rc;

    /* Before any thread exists, so every thread inherits the mask (see top comment). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client hanging up is an error code, not a death */

    struct stat sb;
    if (stat(o.index, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, PROG ": no index at %s (run arkivar-indexer --index %s corpus first)\n",
                o.index, o.index);
        goto out;
    }
    if ((rc = ark_an_new(o.words, &an, &err)) != 0) {
        fprintf(stderr, PROG ": cannot load the analyzer: %s\n", err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    /* The default acronym file is optional (a server started outside the repository
     * has none); one named with --acronyms must load. */
    {
        const char *path = o.acronyms ? o.acronyms : "data/acronyms.txt";
        struct stat as;
        if (o.acronyms || stat(path, &as) == 0) {
            if ((rc = ark_synonyms_load(path, &syn, &err)) != 0) {
                fprintf(stderr, PROG ": cannot load acronyms: %s\n", err.msg);
                goto out;
            }
        }
    }
    /* Open once here: a broken index fails at startup, not on the first request, and
     * the ready line can say which revision is served. */
    if ((rc = ark_engine_open(o.shards, o.nshards, an, &probe, &err)) != 0) {
        if (rc == ARK_ENOTFOUND)
            fprintf(stderr, PROG ": no index at %s (run arkivar-indexer --index %s corpus first)\n",
                    o.index, o.index);
        else
            fprintf(stderr, PROG ": cannot open index %s: %s\n", o.index,
                    err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    if ((rc = ark_engine_stats_get(probe, &st, &err)) != 0) {
        fprintf(stderr, PROG ": cannot read index %s: %s\n", o.index,
                err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    size_t nlearned = 0, nacronyms = ark_engine_set_synonyms(probe, syn) == 0
                                          ? ark_engine_acronyms(probe, &nlearned) : 0;
    ark_engine_close(probe);
    probe = NULL;

    if (ark_http_listen(o.listen, &fd, shown, sizeof shown, &err) != 0) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        goto out;
    }
    ark_http_set_fallback_host(shown);
    if (o.keys && (rc = ark_keys_serve(o.keys, &err)) != 0) {
        fprintf(stderr, PROG ": --keys: %s\n", err.msg);
        goto out;
    }
    /* Pushed documents: accepted into INDEX/.spool, written by one thread. The spool is
     * replayed whenever it is there, so that what a killed server accepted is written
     * even if it starts again without --keys. */
    {
        char spool[4096];
        struct stat ss;
        snprintf(spool, sizeof spool, "%s/%s", o.index, ARK_SPOOL_DIR);
        if (o.keys || stat(spool, &ss) == 0) {
            size_t replayed = 0;
            ark_err serr = {0, ""};
            if (ark_spool_open(o.index, &replayed, &serr) != 0 ||
                ark_writer_start(o.index, o.words, &serr) != 0)
                fprintf(stderr, PROG ": push: %s; pushed documents are refused (503)\n", serr.msg);
            else if (replayed)
                fprintf(stderr, PROG ": push: %zu accepted documents from the spool to write\n", replayed);
        }
        ark_push_init(o.index, o.max_upload);
    }
    /* The intern database lives in the index folder (access.h); remote shards have none. */
    snprintf(closed, sizeof closed, "%s/%s", o.index, ark_level_dir(ARK_LEVEL_INTERN));
    /* From here an is shared read-only by every pool thread (ark_engine_open clones it). */
    ark_worker_init(o.shards, o.nshards, closed, an, syn);
    ark_http_set_limits(o.per_address, o.request_timeout, o.queue);
    rc = ark_http_start(fd, o.threads, &http, &err);
    fd = -1; /* transferred */
    if (rc != 0) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        goto out;
    }
    unsigned ceiling, per_address;
    ark_http_limits(&ceiling, &per_address);
    fprintf(stderr, PROG ": listening on http://%s (%u threads, index %s, revision %llu, %llu passages, %zu acronyms (%zu learned), %u connections, %u per address)\n",
            shown, o.threads, o.index, (unsigned long long)st.revision,
            (unsigned long long)st.passages, nacronyms, nlearned, ceiling, per_address);

    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig == SIGINT || sig == SIGTERM) {
            fprintf(stderr, PROG ": %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
            break;
        }
    }
    status = 0;
out:
    ark_http_stop(http);  /* joins the pool: no thread uses an engine after this */
    ark_writer_stop();    /* after the batch it writes; the rest waits in the spool */
    ark_spool_close();
    ark_worker_shutdown();
    ark_keys_stop();
    ark_engine_close(probe);
    ark_an_free(an);
    ark_synonyms_free(syn);
    if (fd >= 0) close(fd);
    return status;
}
