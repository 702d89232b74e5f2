/* lib/index/shim.h: what the three halves of the Xapian shim share (private to lib/index).
 * Owns: the definitions of the opaque handles (ark_xdoc, ark_xq, ark_wdb, ark_rdb), the
 * translation of every Xapian exception into an ARK_E* code plus a message in ark_err
 * (guard, guard_ptr), the retry of reads that race a writer's commit (with_retry), and the
 * string copies across the border (dup_bytes, str).
 * Not here: the entry points themselves: documents and the writable database
 * (shim_write.cc), the readable database (shim_read.cc), queries and running them
 * (shim_query.cc).
 * Why: the shim is the project's only C++ (STYLE.md §6). Every extern "C" entry point runs
 * its body inside guard()/guard_ptr(), whose try/catch ends every exception here: C frames
 * have no unwind tables, so an exception crossing into C would abort the process. One copy
 * of that catch list keeps the three files answering alike. */
#ifndef ARKIVAR_INDEX_SHIM_H
#define ARKIVAR_INDEX_SHIM_H

extern "C" {
#include "arkivar/index.h"
#include "arkivar/err.h"
}

#include <xapian.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

struct ark_xdoc {
    Xapian::Document doc;
};

struct ark_xq {
    Xapian::Query q;
};

struct ark_wdb {
    Xapian::WritableDatabase db;
    bool in_txn = false;
    bool failed = false; /* a commit threw: what the handle holds must never be written */
    std::string dir;     /* where it lives: a failed commit's temp file is removed there */
};

/* Codes by docid, each in the narrowest of 1, 2 or 4 bytes that holds every code set so
 * far (a slot's values number a handful for types, tens for years, thousands for
 * documents): a match's spies read one per match, a cache miss each. */
class code_array {
    std::vector<uint8_t> b_;
    unsigned w_ = 1;

    static uint32_t get(const std::vector<uint8_t> &b, unsigned w, size_t i) {
        if (w == 1) return b[i];
        if (w == 2) {
            uint16_t v;
            std::memcpy(&v, &b[2 * i], 2);
            return v;
        }
        uint32_t v;
        std::memcpy(&v, &b[4 * i], 4);
        return v;
    }
    static void put(std::vector<uint8_t> &b, unsigned w, size_t i, uint32_t c) {
        if (w == 1) {
            b[i] = static_cast<uint8_t>(c);
        } else if (w == 2) {
            uint16_t v = static_cast<uint16_t>(c);
            std::memcpy(&b[2 * i], &v, 2);
        } else {
            std::memcpy(&b[4 * i], &c, 4);
        }
    }

  public:
    size_t size() const { return b_.size() / w_; }
    void resize(size_t n) { b_.resize(n * w_, 0); }
    void clear() {
        b_.clear();
        w_ = 1;
    }
    uint32_t operator[](size_t d) const { return get(b_, w_, d); }
    /* d < size() */
    void set(size_t d, uint32_t c) {
        unsigned w = c <= UINT8_MAX ? 1 : c <= UINT16_MAX ? 2 : 4;
        if (w > w_) { /* every code so far, wider */
            std::vector<uint8_t> nb(size() * w, 0);
            for (size_t i = 0; i < size(); i++) put(nb, w, i, get(b_, w_, i));
            b_.swap(nb);
            w_ = w;
        }
        put(b_, w_, d, c);
    }
};

/* One slot's values by docid (facets: type and year; groups: the document), so that
 * counting a match costs an array read instead of a Document::get_value (a fifth of
 * every query's instructions before). arkivar-indexer never reuses a docid (a changed
 * file's passages are deleted and added anew), so a table only grows; a database with
 * another UUID starts afresh. */
struct value_codes {
    int slot = -1;
    code_array code;                /* by docid; 0 = no value */
    std::vector<std::string> names; /* code - 1 -> value */
    std::unordered_map<std::string, uint32_t> ids;
};

/* The passages of a term that no other of its passages outdoes for BM25: none holds it
 * as often in as few terms. BM25's part for a passage rises with the term's count and
 * falls with the passage's length, so its largest, for any average length, is one of
 * these (shim_bm25.cc). Docids are never reused (the writer only adds), so a deleted
 * passage leaves a point that is still an upper bound. */
struct term_frontier {
    uint64_t rev = 0;         /* the revision tf and cf are of */
    Xapian::doccount tf = 0;  /* passages holding the term */
    Xapian::termcount cf = 0; /* its occurrences */
    Xapian::docid upto = 0;   /* pts holds the passages 1..upto (none while tf is small) */
    std::vector<std::pair<uint32_t, uint32_t>> pts; /* (length, count); length rising, count rising */
};

/* The value tables of one index (one UUID), shared by every engine open on it in this
 * process: built once, not once per server thread (at 1 GB a set of lengths, types,
 * years and documents is 24 MB, 8 bytes a passage, and seconds of the first query). A
 * match reads them under the shared lock; growing them (a commit added passages, a slot
 * is new) takes it exclusively. shim_query.cc. */
struct value_store {
    std::shared_mutex m;
    Xapian::docid upto = 0; /* the tables hold docids 1..upto */
    std::vector<value_codes> tables;
    /* By docid: the passage's length, for rank_bm25, which reads it for every candidate
     * of a match, a cache miss each (LengthSource::check was 7.5 % of a query's samples
     * at 100 MB with 32 bits, 5.2 % with 16). Empty, and long_passage set, when a passage
     * is longer than 16 bits hold: rank_bm25 then ranks with Xapian's own lengths, which
     * give the same scores. */
    std::vector<uint16_t> doclen;
    bool long_passage = false;
    /* By term of a query: its statistics and, with TERM_BOUND_MIN passages or more, what
     * bounds its BM25 part in any passage (shim_bm25.cc, find_bound). Read once per term
     * and brought up to date with the passages added since, under its own lock (a match
     * holds m shared). */
    mutable std::mutex bounds_m;
    mutable std::unordered_map<std::string, term_frontier> bounds;
};

/* One shard as given, up or down (issue 16): a remote shard that did not answer is left
 * out of the combined database and tried again later (shim_read.cc, rdb_heal). */
struct shard_slot {
    std::string spec;
    bool remote = false;
    std::string host; /* of a remote shard */
    unsigned port = 0;
    Xapian::Database db; /* empty while down */
    bool up = false;
    std::chrono::steady_clock::time_point down_at; /* the last failed try */
};

struct ark_rdb {
    Xapian::Database db;            /* the shards that are up, combined with add_database */
    std::vector<Xapian::Database> shards; /* each shard alone, only when there are several:
                                     * get_revision() needs exactly one sub-database, and
                                     * metadata (document records) lives in its own shard;
                                     * only those up */
    std::vector<shard_slot> slots;  /* every shard, up or down, in the order given */
    unsigned generation = 0;        /* bumped when the set of shards up changes: a reopen
                                     * then reports a change, so the engine reads the
                                     * learned acronyms and value tables anew */
    std::vector<std::string> specs; /* as given, for messages */
    bool remote = false;            /* a tcp: shard: its matches never reach our own spy */
    std::shared_ptr<value_store> store; /* of the UUID store_uuid, NULL before the first use */
    std::string store_uuid;
    /* several local shards: each shard's own (shim_query.cc, count_shards) */
    std::vector<std::shared_ptr<value_store>> shard_stores;
    std::vector<std::string> shard_uuids;
};

namespace ark_shim {

/* A read that loses a race with a commit is retried this many times after a reopen(). */
const int READ_RETRIES = 3;

inline int set_xerr(ark_err *err, int code, const char *op, const Xapian::Error &e) {
    const char *ctx = e.get_context().empty() ? "" : e.get_context().c_str();
    /* the system's reason ("No space left on device"), when a call failed */
    const char *why = e.get_error_string();
    return ark_err_set(err, code, "%s: %s: %s%s%s%s%s%s", op, e.get_type(), e.get_msg().c_str(),
                       *ctx ? " " : "", ctx, why ? " (" : "", why ? why : "", why ? ")" : "");
}

/* The one try/catch every int-returning entry point runs in. Specific errors first, the
 * catch-alls last; noexcept so that, should anything still escape, we terminate here with
 * a C++ diagnostic instead of unwinding through C frames. */
template <class F> int guard(ark_err *err, const char *op, F &&body) noexcept {
    try {
        return body();
    } catch (const Xapian::DatabaseLockError &e) {
        return set_xerr(err, ARK_ELOCKED, op, e);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return set_xerr(err, ARK_EMODIFIED, op, e);
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return set_xerr(err, ARK_ENOTFOUND, op, e);
    } catch (const Xapian::DocNotFoundError &e) {
        return set_xerr(err, ARK_ENOTFOUND, op, e);
    } catch (const Xapian::Error &e) {
        return set_xerr(err, ARK_EINDEX, op, e);
    } catch (const std::bad_alloc &) {
        return ark_err_set(err, ARK_ENOMEM, "%s: out of memory", op);
    } catch (const std::exception &e) {
        return ark_err_set(err, ARK_EINTERNAL, "%s: unexpected exception: %s", op, e.what());
    } catch (...) {
        return ark_err_set(err, ARK_EINTERNAL, "%s: unexpected exception", op);
    }
}

/* Pointer-returning entry points have no err: any exception means NULL. */
template <class F> auto guard_ptr(F &&body) noexcept -> decltype(body()) {
    try {
        return body();
    } catch (...) {
        return nullptr;
    }
}

/* Shards that are down (issue 16), shim_read.cc. rdb_heal (from ark_rdb_reopen, so at a
 * request's start) tries a down shard again when its last try is old enough; rdb_failover reconnects every remote shard after a network
 * error and leaves out those that do not answer. Both rebuild r->db and r->shards and
 * return true when the set of shards up changed. rdb_usable is false when the operator
 * chose --on-shard-failure fail and a shard is down. */
bool rdb_heal(ark_rdb *r);
bool rdb_failover(ark_rdb *r);
bool rdb_usable(const ark_rdb *r);

/* Run a read, reopening and retrying when a commit recycled the blocks it was reading.
 * A network error from a remote shard (it is down, or hung past the timeout) leaves that
 * shard out and runs the read once more on the others, if the policy allows a partial
 * answer (issue 16); else ARK_EUNAVAIL, which the server answers with 503.
 * body must be safe to run again: callers that report results through a callback keep
 * a resume point so that nothing is reported twice. */
template <class F> int with_retry(ark_rdb *r, ark_err *err, const char *op, F &&body) {
    /* No rdb_heal here: a shard that rejoined between two reads of one request would
     * make its answer say "all answered" of a match run without it. It rejoins in
     * ark_rdb_reopen, which a request's engine refresh calls before its first read. */
    if (!rdb_usable(r)) {
        std::string down;
        for (const auto &sl : r->slots)
            if (!sl.up) down += (down.empty() ? "" : ", ") + sl.spec;
        return ark_err_set(err, ARK_EUNAVAIL, "%s: shard %s does not answer", op, down.c_str());
    }
    bool failed_over = false;
    for (int attempt = 0;; attempt++) {
        try {
            return body();
        } catch (const Xapian::DatabaseModifiedError &e) {
            if (attempt >= READ_RETRIES) return set_xerr(err, ARK_EMODIFIED, op, e);
            r->db.reopen();
            for (auto &one : r->shards) one.reopen();
        } catch (const Xapian::NetworkError &e) {
            /* NetworkTimeoutError too: a hung xapian-tcpsrv */
            if (failed_over || !rdb_failover(r) || !rdb_usable(r))
                return set_xerr(err, ARK_EUNAVAIL, op, e);
            failed_over = true;
        }
    }
}

/* malloc'ed copy with a trailing NUL (the C side frees it with free()). */
inline char *dup_bytes(const std::string &s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

inline std::string str(const char *p, size_t len) {
    return len ? std::string(p, len) : std::string();
}

/* Set enq to rank q by BM25 with Xapian's defaults (shim_bm25.cc). With st, one local
 * database's tables (held under its shared lock, and alive, until enq is gone), the
 * passages' lengths come from st->doclen, read by the source returned, which the caller
 * keeps until enq is gone (declared before it); without (remote or several shards), from
 * Xapian, with its BM25Weight, and NULL. The scores are the same. While the source
 * lives, the length leaves of this thread's matches read st's table; after, none. */
std::unique_ptr<Xapian::PostingSource> rank_bm25(Xapian::Enquire &enq, const Xapian::Database &db,
                                                 const Xapian::Query &q, const value_store *st);
/* Every document, unweighted: the source of rank_bm25 for a part of the query that
 * Xapian weighs before the whole query is at the passage (ark_xq_lengths). It reads the
 * table of the rank_bm25 match it runs in, and none in any other. */
Xapian::Query lengths_leaf();

} // namespace ark_shim

#endif
