/* server/worker.h: one search engine per server thread and access level.
 * Owns: the shard list and analyzer prototype shared by all threads (read-only after
 * ark_worker_init), the acronym table the engines use (swapped by SIGHUP, see
 * ark_worker_set_synonyms), each pool thread's lazily opened ark_engine for each level,
 * the refresh cadence, and the list that lets shutdown close every engine.
 * Levels: the offentlig engine searches the shards only; the intern engine searches the
 * index's intern database beside them, as one collection (ranking statistics, spelling
 * and totals over both). An anonymous request is given the offentlig engine, which holds
 * no word, count or statistic of a closed document.
 * Not here: HTTP (http.c), what a search means (lib/search).
 * Why: an ark_engine serves one thread at a time (search.h); opening one per request
 * would cost a Xapian open each time, and a lock around a shared one would serialize
 * the pool. */
#ifndef ARKIVAR_SERVER_WORKER_H
#define ARKIVAR_SERVER_WORKER_H

#include <stddef.h>
#include <time.h>

#include "arkivar/access.h"
#include "arkivar/analysis.h"
#include "arkivar/err.h"
#include "arkivar/search.h"

/* Minimum time between two ark_engine_refresh calls on one thread. Short enough that a
 * new revision is visible well within a second of the indexer's commit. */
#define ARK_WORKER_REFRESH_MS 200

/* Borrowed: shards (and their strings), closed (the intern database's folder, or NULL
 * for none), an and syn (may be NULL) must stay valid and unchanged until
 * ark_worker_shutdown() returns. Call once, before the first ark_worker_engine(). The
 * intern database is searched once its folder holds a database (an indexer run, or the
 * push writer, may make it while the server runs). */
void ark_worker_init(const char *const *shards, size_t nshards, const char *closed,
                     const ark_an *an, const ark_synonyms *syn);

/* Make s (transferred; NULL: no acronyms) the table every engine uses from its thread's
 * next call on; a call running now finishes with the table it began with. The table it
 * replaces is freed once no engine uses it (a table given to ark_worker_init stays the
 * caller's). Thread-safe; a lock and a counter, never waits for a request. 0, or
 * ARK_ENOMEM (s freed, the old table kept). */
int ark_worker_set_synonyms(ark_synonyms *s);

/* The calling thread's engine for level lv, opened on first use and refreshed at most
 * every ARK_WORKER_REFRESH_MS. Borrowed: valid until ark_worker_shutdown(); use it only
 * on this thread. NULL on failure, with err filled (the next call tries again). */
ark_engine *ark_worker_engine(ark_level lv, ark_err *err);

/* After a call on e failed with ARK_EMODIFIED (the revision read was overwritten):
 * bring this thread's engine for lv to the newest revision now. 0 or an ARK_E* code. */
int ark_worker_reopen(ark_level lv, ark_err *err);

/* The engine calls of the routes, on this thread's engine. When one fails with
 * ARK_EMODIFIED (a commit overwrote the revision it read), the engine is brought to the
 * newest revision and the call runs once more, so an indexer run never shows up as a
 * failed request: the one place this policy lives. Each returns the engine call's code,
 * or the code of opening the engine, with *opened telling which (1: the engine was
 * there); err is filled on failure and the results are left empty. After ARK_ENOMEM
 * or ARK_EINTERNAL the thread's engine is closed, to be opened anew on the next call. */
int ark_worker_search(ark_level lv, const ark_search_req *req, ark_results *res, int *opened,
                      ark_err *err);
int ark_worker_doc(ark_level lv, const ark_doc_req *req, ark_docview *v, int *opened,
                   ark_err *err);
int ark_worker_suggest(ark_level lv, const char *q, size_t max, char ***v, size_t *n,
                       int *opened, ark_err *err);
int ark_worker_stats(ark_level lv, ark_engine_stats *st, int *opened, ark_err *err);

/* When the newest commit of the offentlig shards was written (the one intern
 * database aside: /health counts the public index), into *when (seconds since the
 * epoch): 0, or ARK_ENOTFOUND when no shard is a local folder with a commit (tcp: shards
 * say nothing of theirs). For /health/ready's age of the index. */
int ark_worker_last_commit(time_t *when);

/* Close every engine any thread opened. Call only after all pool threads have stopped
 * (MHD_stop_daemon), since their thread-local pointers are left dangling. */
void ark_worker_shutdown(void);

#endif
