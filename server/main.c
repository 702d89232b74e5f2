/* server/main.c: arkivar-server, the search HTTP server.
 * Owns: command-line flags and the config file's values for them (config.c reads it),
 * the analyzer prototype, startup checks (the index exists, the port is free), signals
 * (SIGHUP's reload) and the order of shutdown.
 * Not here: HTTP (http.c), routes (api.c), per-thread engines (worker.c).
 * Why a compiled-in data folder (ARK_DATADIR, from the Makefile): the installed server
 * is started by systemd in /, so a path relative to the working directory finds nothing;
 * the checkout's build has the checkout's data/ compiled in, the installed one
 * PREFIX/share/arkivar.
 * Why sd_notify: under systemd's Type=notify (dist/arkivar.service.in) the unit is started
 * once the server says READY=1, after it listens and its pool runs, so what is ordered
 * after it finds searches answered. Outside systemd (no $NOTIFY_SOCKET) it does nothing.
 * Why signals by sigwait: SIGINT/SIGTERM/SIGHUP are blocked before any thread starts, so
 * only this thread ever receives them, synchronously; no handler has to be
 * async-signal-safe, the pool threads are never interrupted mid-request, and a reload
 * runs here as ordinary code while the pool goes on answering.
 * SIGHUP also reads the --theme folder again (theme.h), whole or not at all.
 * Why SIGHUP reloads rather than ends: it is what operators and systemd's ExecReload
 * send to have a daemon read its files again; a server that died of it took the
 * service down with it. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "arkivar/analysis.h"
#include "arkivar/err.h"
#include "arkivar/index.h"
#include "arkivar/search.h"
#include "arkivar/text.h"
#include "config.h"
#include "http.h"
#include "keys.h"
#include "push.h"
#include "spool.h"
#include "theme.h"
#include "worker.h"
#include "writer.h"

#define PROG "arkivar-server"
#ifndef ARK_DATADIR
#error "ARK_DATADIR (the data folder) comes from the Makefile"
#endif
#define DEFAULT_ACRONYMS ARK_DATADIR "/acronyms.txt"
/* The installed server serves the unit's state directory and reads /etc/arkivar's file
 * (the Makefile defines both for it); the checkout's serves var/index and reads no file
 * unless told, so `make run` and the tests never pick up a machine's configuration. */
#ifndef ARK_DEFAULT_INDEX
#define ARK_DEFAULT_INDEX "var/index"
#endif
#define DEFAULT_INDEX ARK_DEFAULT_INDEX
#ifdef ARK_DEFAULT_CONFIG
#define CONFIG_HELP "(default " ARK_DEFAULT_CONFIG " if present)"
#else
#define CONFIG_HELP "(default: none)"
#endif
#define MAX_THREADS 1024
#define MAX_SHARDS 256

static const char usage_text[] =
    "usage: " PROG " [options]\n"
    "Serve full-text search over an Arkivar index.\n"
    "\n"
    "  --config FILE    an INI file whose [server] keys are these flags' names\n"
    "                   (threads = 4); the flags given win " CONFIG_HELP "\n"
    "  --index DIR      index directory (default " DEFAULT_INDEX ")\n"
    "  --listen ADDR    HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --shard SPEC     another index directory or tcp:HOST:PORT; repeatable\n"
    "  --shard-timeout MS  a remote shard's longest wait for an answer (default 10000;\n"
    "                   its connect waits at most 2000)\n"
    "  --on-shard-failure partial|fail  a remote shard does not answer: answer from the\n"
    "                   others, naming it in the JSON's \"shards\" (partial, the default;\n"
    "                   it may also be down at start), or answer 503 (fail; one down at\n"
    "                   start stops the server). A down shard is tried again at most\n"
    "                   every 2 s and rejoins when it answers\n"
    "  --threads N      worker threads (default: number of cores)\n"
    "  --words FILE     word list for compound splitting (default /usr/share/dict/danish)\n"
    "  --acronyms FILE  acronyms and expansions (default " DEFAULT_ACRONYMS ")\n"
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
    "  --theme DIR      the site's look, read at start and on SIGHUP: theme.css (after the\n"
    "                   built-in style), logo.svg or logo.png, theme.ini (name = the\n"
    "                   site's name, footer = its foot text, accessibility-url = URL)\n"
    "  --accessibility-url URL  the accessibility statement (tilgængelighedserklæring),\n"
    "                   linked in every page's foot; wins over theme.ini's\n"
    "  --log-format text|json  the access log on stderr: a line of fields (default) or\n"
    "                   one JSON object a request; time, client, request id, method,\n"
    "                   route, status, bytes, microseconds (never the query)\n"
    "  --log-query-hash  add to each access-log line a hash of its q parameter (16 hex\n"
    "                   digits, - without one; config file: log-query-hash = yes), to\n"
    "                   tell repeated queries apart without the text. Keyed: BLAKE2b\n"
    "                   with a key drawn at start and never written anywhere, because\n"
    "                   a plain hash of a name is the name to anyone who hashes a list\n"
    "                   of names; hashes compare within one run of the server only\n"
    "  --trusted-proxy A[,A...]  peers whose X-Forwarded-For/-Proto are read (default: none)\n"
    "  --per-address-connections N  connections one address may hold (default: a\n"
    "                   quarter of the connection ceiling, at least 128)\n"
    "  --per-address-queue N  searches one address may have waiting (default 64);\n"
    "                   beyond, that address gets 503 with Retry-After\n"
    "  --request-timeout S  seconds to send a request head or read an answer (default 10)\n"
    "  --version        print the version and exit\n"
    "  --help           show this help\n"
    "\n"
    "Routes: GET /api/search?q=..&limit=10&offset=0&sort=date|relevance&format=text,\n"
    "        &group=doc (one result per document, its best passages nested),\n"
    "        /api/doc/ID, /api/suggest?q=.., /health, /metrics, /, /robots.txt, /theme/..\n"
    "        PUT /api/documents/ID (body: the file; X-Arkivar-Metadata: its sidecar JSON)\n"
    "        and DELETE /api/documents/ID, with a write key: 202 once the document is on\n"
    "        disk (INDEX/.spool), searchable within a second or two; a killed server\n"
    "        writes what its spool holds when it starts again.\n";

typedef struct opts {
    const char *index, *listen, *words, *cors, *acronyms, *keys, *config;
    const char *theme, *a11y_url; /* --theme, --accessibility-url; NULL when not given */
    unsigned per_address, queue, request_timeout;
    unsigned long long max_upload;
    const char *shards[MAX_SHARDS];
    size_t nshards;       /* shards[0] is the --index dir */
    const char *extra[MAX_SHARDS];
    size_t nextra;        /* the --shard values */
    int extra_from_file;  /* they came from the config file (a --shard flag replaces them) */
    char *owned[64];      /* the config file's values (transferred: opts_free) */
    size_t nowned;
    unsigned threads;
    unsigned shard_timeout; /* ms, 0: the shim's default */
    int shard_fail;         /* --on-shard-failure fail */
} opts;

static void opts_free(opts *o) {
    for (size_t i = 0; i < o->nowned; i++) free(o->owned[i]);
    o->nowned = 0;
}

/* The options that take a value: the command line's --NAME, the config file's NAME. */
static const char *const k_with_value[] = {"--index", "--listen", "--shard", "--threads", "--words",
                                           "--cors", "--acronyms", "--keys", "--allow-host",
                                           "--frame-ancestors", "--trusted-proxy",
                                           "--per-address-connections", "--per-address-queue",
                                           "--request-timeout", "--max-upload",
                                           "--shard-timeout", "--on-shard-failure", "--log-format",
                                           "--theme", "--accessibility-url"};
#define N_WITH_VALUE (sizeof k_with_value / sizeof k_with_value[0])
/* The one option without a value: on the command line it is on; in the config file its
 * key takes yes or no. */
#define FLAG_QHASH "--log-query-hash"

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

/* Set the option flag (one of k_with_value) to val: 0, or -1 with why in msg (n bytes).
 * The one place a value is checked, for the command line and the config file alike;
 * a later call overrides an earlier one (--shard adds, but the first --shard flag drops
 * the config file's). val is borrowed for the life of o. */
static int set_flag(opts *o, const char *flag, const char *val, int from_file, char *msg, size_t n) {
    if (!*val) {
        snprintf(msg, n, "option %s needs a non-empty value", flag);
        return -1;
    }
    if (strcmp(flag, "--index") == 0) {
        o->index = val;
    } else if (strcmp(flag, "--listen") == 0) {
        if (!listen_spec_ok(val)) {
            snprintf(msg, n, "bad --listen %.200s (want HOST:PORT)", val);
            return -1;
        }
        o->listen = val;
    } else if (strcmp(flag, "--shard") == 0) {
        if (!from_file && o->extra_from_file) o->nextra = 0;
        o->extra_from_file = from_file;
        if (o->nextra + 1 >= MAX_SHARDS) {
            snprintf(msg, n, "too many --shard options (max %d)", MAX_SHARDS - 1);
            return -1;
        }
        o->extra[o->nextra++] = val;
    } else if (strcmp(flag, "--threads") == 0) {
        char *end;
        errno = 0;
        long t = strtol(val, &end, 10);
        if (*end || errno || t < 1 || t > MAX_THREADS) {
            snprintf(msg, n, "bad --threads %.200s (want 1 to 1024)", val);
            return -1;
        }
        o->threads = (unsigned)t;
    } else if (strcmp(flag, "--acronyms") == 0) {
        o->acronyms = val;
    } else if (strcmp(flag, "--keys") == 0) {
        o->keys = val;
    } else if (strcmp(flag, "--theme") == 0) {
        o->theme = val; /* read in main: a bad folder is a runtime error naming its file */
    } else if (strcmp(flag, "--accessibility-url") == 0) {
        if (ark_theme_url_ok(val, msg, n) != 0) return -1;
        o->a11y_url = val;
    } else if (strcmp(flag, "--words") == 0) {
        o->words = val;
    } else if (strcmp(flag, "--cors") == 0) {
        for (const char *p = val; *p; p++)
            if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
                snprintf(msg, n, "bad --cors %.200s (comma-separated origins, no spaces)", val);
                return -1;
            }
        ark_err cerr = {0, ""};
        if (ark_http_set_cors(val, &cerr) != 0) {
            snprintf(msg, n, "%s", cerr.msg);
            return -1;
        }
        o->cors = val;
    } else if (strcmp(flag, "--allow-host") == 0 || strcmp(flag, "--frame-ancestors") == 0 ||
               strcmp(flag, "--trusted-proxy") == 0) {
        ark_err cerr = {0, ""};
        int bad = flag[2] == 'a' ? ark_http_set_allow_hosts(val, &cerr)
                  : flag[2] == 'f' ? ark_http_set_frame_ancestors(val, &cerr)
                                   : ark_http_set_trusted_proxies(val, &cerr);
        if (bad) {
            snprintf(msg, n, "%s", cerr.msg);
            return -1;
        }
    } else if (strcmp(flag, "--max-upload") == 0) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(val, &end, 10);
        if (*end || errno || val[0] == '-' || v < 1 || v > ARK_MAX_FILE_BYTES) {
            snprintf(msg, n, "bad --max-upload %.200s (want 1 to 67108864 bytes)", val);
            return -1;
        }
        o->max_upload = v;
    } else if (strcmp(flag, "--log-format") == 0) {
        if (strcmp(val, "text") != 0 && strcmp(val, "json") != 0) {
            snprintf(msg, n, "bad --log-format %.40s (want text or json)", val);
            return -1;
        }
        ark_log_set_json(strcmp(val, "json") == 0);
    } else if (strcmp(flag, FLAG_QHASH) == 0) {
        if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0) {
            snprintf(msg, n, "bad " FLAG_QHASH " %.40s (want yes or no)", val);
            return -1;
        }
        if (ark_log_set_query_hash(strcmp(val, "yes") == 0) != 0) {
            snprintf(msg, n, FLAG_QHASH ": libsodium cannot start");
            return -1;
        }
    } else if (strcmp(flag, "--on-shard-failure") == 0) {
        if (strcmp(val, "partial") != 0 && strcmp(val, "fail") != 0) {
            snprintf(msg, n, "bad --on-shard-failure %.40s (want partial or fail)", val);
            return -1;
        }
        o->shard_fail = strcmp(val, "fail") == 0;
    } else if (strcmp(flag, "--shard-timeout") == 0) {
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (*end || errno || v < 1 || v > 3600000) {
            snprintf(msg, n, "bad --shard-timeout %.40s (want 1 to 3600000 ms)", val);
            return -1;
        }
        o->shard_timeout = (unsigned)v;
    } else { /* the three numbers */
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        long hi = strcmp(flag, "--request-timeout") == 0 ? 3600 : 1000000;
        if (*end || errno || v < 1 || v > hi) {
            snprintf(msg, n, "bad %s %.40s (want 1 to %ld)", flag, val, hi);
            return -1;
        }
        if (strcmp(flag, "--per-address-connections") == 0) o->per_address = (unsigned)v;
        else if (strcmp(flag, "--per-address-queue") == 0) o->queue = (unsigned)v;
        else o->request_timeout = (unsigned)v;
    }
    return 0;
}

/* A key of the config file's [server] section: the flag of its name, its value copied. */
static int set_from_file(void *user, const char *key, const char *value, char *msg, size_t n) {
    opts *o = user;
    char flag[64];
    const char *known = NULL;
    snprintf(flag, sizeof flag, "--%s", key);
    for (size_t k = 0; k < N_WITH_VALUE; k++)
        if (strcmp(flag, k_with_value[k]) == 0) known = k_with_value[k];
    if (strcmp(flag, FLAG_QHASH) == 0) known = FLAG_QHASH;
    if (!known) {
        snprintf(msg, n, "unknown key '%.100s'", key);
        return -1;
    }
    /* One key once: a second line (or an indented continuation) would silently win. */
    if (strcmp(known, "--shard") != 0) {
        for (size_t i = 0; i < o->nowned; i++)
            if (strcmp(o->owned[i], known + 2) == 0) {
                snprintf(msg, n, "key '%s' given twice", key);
                return -1;
            }
    }
    /* Kept as "key\0value", so that a repeated key is found by its name. */
    size_t klen = strlen(known + 2), vlen = strlen(value);
    char *copy = o->nowned < sizeof o->owned / sizeof o->owned[0] ? malloc(klen + vlen + 2) : NULL;
    if (!copy) {
        snprintf(msg, n, "too many keys or out of memory");
        return -1;
    }
    memcpy(copy, known + 2, klen + 1);
    memcpy(copy + klen + 1, value, vlen + 1);
    o->owned[o->nowned++] = copy;
    return set_flag(o, known, copy + klen + 1, 1, msg, n);
}

static int bad_usage(const char *fmt, const char *arg) {
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
    return 2;
}

/* Parse the config file and argv into o, the flags last so that they win. Returns -1 to
 * go on, or an exit status (0 after --help or --version, 2 on a bad flag or config
 * file). Accepts "--flag value" and "--flag=value". */
static int parse_flags(int argc, char **argv, opts *o) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    memset(o, 0, sizeof *o);
    o->index = DEFAULT_INDEX;
    o->listen = "127.0.0.1:8080";
    o->threads = ncpu > 0 ? (unsigned)(ncpu < MAX_THREADS ? ncpu : MAX_THREADS) : 1;
    /* --help, --version and --config before anything else: a broken config file must
     * not hide the help, and the file is read before the flags that override it. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            puts(PROG " " ARK_VERSION);
            return 0;
        }
        if (strcmp(a, "--config") == 0) {
            if (i + 1 >= argc) return bad_usage("option %s needs a value", a);
            o->config = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            o->config = a + 9;
        }
    }
    if (o->config && !*o->config) return bad_usage("option %s needs a non-empty value", "--config");
    const char *file = o->config;
#ifdef ARK_DEFAULT_CONFIG
    /* The installed server's default file, read when it is there. */
    struct stat cs;
    if (!file && stat(ARK_DEFAULT_CONFIG, &cs) == 0) file = ARK_DEFAULT_CONFIG;
#endif
    if (file) {
        ark_err cerr = {0, ""};
        if (ark_config_read(file, set_from_file, o, &cerr) != 0) return bad_usage("%s", cerr.msg);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *flag = NULL;
        if (strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--config=", 9) == 0) continue;
        if (strcmp(a, FLAG_QHASH) == 0) {
            flag = FLAG_QHASH;
            val = "yes";
        }
        for (size_t k = 0; !flag && k < N_WITH_VALUE; k++) {
            size_t n = strlen(k_with_value[k]);
            if (strncmp(a, k_with_value[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                flag = k_with_value[k];
                if (a[n] == '=') val = a + n + 1;
                else if (i + 1 < argc) val = argv[++i];
                else return bad_usage("option %s needs a value", a);
                break;
            }
        }
        if (!flag) return bad_usage(a[0] == '-' ? "unknown option %s" : "unexpected argument %s", a);
        char msg[300];
        if (set_flag(o, flag, val, 0, msg, sizeof msg) != 0) return bad_usage("%s", msg);
    }
    o->shards[0] = o->index;
    for (size_t k = 0; k < o->nextra; k++) o->shards[k + 1] = o->extra[k];
    o->nshards = o->nextra + 1;
    return -1;
}

/* SIGHUP: read again what may change without a restart, each file swapped in whole or
 * not at all. A bad or missing acronyms file keeps the table in use (said on stderr);
 * the key file is read as a change would be (keys.h: one that fails grants nothing
 * until it is fixed). The access log is stderr (the journal under systemd): there is no
 * log file to reopen. */
static void reload(const opts *o) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
               (unsigned long long)now.tv_sec * 1000000u + (unsigned long long)now.tv_nsec / 1000u);
    const char *path = o->acronyms ? o->acronyms : DEFAULT_ACRONYMS;
    ark_synonyms *syn = NULL;
    ark_err err = {0, ""};
    if (ark_synonyms_load(path, &syn, &err) != 0) {
        fprintf(stderr, PROG ": SIGHUP: cannot load acronyms: %s; the acronyms in use are kept\n",
                err.msg);
    } else {
        size_t n = ark_synonyms_count(syn);
        if (ark_worker_set_synonyms(syn) != 0) /* syn transferred either way */
            fprintf(stderr, PROG ": SIGHUP: out of memory; the acronyms in use are kept\n");
        else
            fprintf(stderr, PROG ": SIGHUP: %zu acronyms from %s\n", n, path);
    }
    if (o->theme) {
        ark_err terr = {0, ""};
        if (ark_theme_reload(&terr) != 0)
            fprintf(stderr, PROG ": SIGHUP: theme: %s; the theme in use is kept\n", terr.msg);
        else
            fprintf(stderr, PROG ": SIGHUP: theme from %s\n", o->theme);
    }
    if (o->keys) {
        size_t n = 0;
        ark_err kerr = {0, ""};
        if (ark_keys_reload(&n, &kerr) != 0)
            fprintf(stderr, PROG ": SIGHUP: keys: %s; every key is refused until it is fixed\n",
                    kerr.msg);
        else
            fprintf(stderr, PROG ": SIGHUP: %zu keys from %s\n", n, o->keys);
    }
    sd_notify(0, "READY=1");
}

int main(int argc, char **argv) {
    opts o;
    int status = 1, rc, fd = -1;
    ark_err err = {0, ""};
    ark_an *an = NULL;
    ark_synonyms *syn = NULL;
    ark_engine *probe = NULL;
    ark_http *http = NULL;
    ark_engine_stats st = {0};
    char shown[300], closed[4096], shards_note[64] = "";
    sigset_t sigs;

    if ((rc = parse_flags(argc, argv, &o)) >= 0) {
        opts_free(&o);
        return rc;
    }

    ark_wdb_set_flush(); /* the push writer's batches; before any thread exists */
    /* Before any thread exists, so every thread inherits the mask (see top comment). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
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
    /* One named with --acronyms must load. The default one may be missing (a server
     * built without data/, an install without its share/ folder): acronyms then only
     * find themselves, which the server says, and it runs on. */
    {
        const char *path = o.acronyms ? o.acronyms : DEFAULT_ACRONYMS;
        struct stat as;
        if (o.acronyms || stat(path, &as) == 0) {
            if ((rc = ark_synonyms_load(path, &syn, &err)) != 0) {
                fprintf(stderr, PROG ": cannot load acronyms: %s\n", err.msg);
                goto out;
            }
        } else {
            fprintf(stderr, PROG ": no acronyms file at %s; acronyms are not expanded\n", path);
        }
    }
    /* Before the index is opened: a bad theme folder is a quick error to fix. */
    if ((rc = ark_theme_serve(o.theme, o.a11y_url, &err)) != 0) {
        fprintf(stderr, PROG ": --theme: %s\n", err.msg);
        goto out;
    }
    /* Open once here: a broken index fails at startup, not on the first request, and
     * the ready line can say which revision is served. */
    ark_engine_set_shard_policy(!o.shard_fail, o.shard_timeout); /* before any open */
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
    {
        /* partial: a remote shard down at start is said here, and rejoins when it answers */
        const char *down[8];
        size_t up = 0, total = ark_engine_shards(probe, &up, down, 8);
        for (size_t i = 0; i < total - up && i < 8; i++)
            fprintf(stderr, PROG ": shard %s does not answer; searching the other %zu of %zu "
                    "until it does\n", down[i], up, total);
        if (total > 1)
            snprintf(shards_note, sizeof shards_note, ", %zu of %zu shards", up, total);
    }
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
    fprintf(stderr, PROG ": listening on http://%s (%u threads, index %s, revision %llu, %llu passages, %zu acronyms (%zu learned), %u connections, %u per address%s)\n",
            shown, o.threads, o.index, (unsigned long long)st.revision,
            (unsigned long long)st.passages, nacronyms, nlearned, ceiling, per_address,
            shards_note);
    sd_notifyf(0, "READY=1\nSTATUS=listening on http://%s, revision %llu", shown,
               (unsigned long long)st.revision);

    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig == SIGHUP) {
            reload(&o);
            continue;
        }
        if (sig == SIGINT || sig == SIGTERM) {
            fprintf(stderr, PROG ": %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
            sd_notify(0, "STOPPING=1");
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
    ark_theme_stop();
    ark_engine_close(probe);
    ark_an_free(an);
    ark_synonyms_free(syn);
    if (fd >= 0) close(fd);
    opts_free(&o); /* after every module that borrowed a value of the config file */
    return status;
}
