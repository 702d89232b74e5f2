/* lib/index/xapian_shim.cc: include/arkivar/index.h on top of xapian-core 1.4.
 * Owns: the opaque handles (ark_wdb, ark_rdb, ark_xdoc, ark_xq), the translation of every
 * Xapian exception into an ARK_E* code plus a message in ark_err, and the retry of reads
 * that race a writer's commit (DatabaseModifiedError -> reopen -> retry).
 * Not here: what the terms mean, how queries are built from user text (lib/search).
 * Why: this is the project's only C++ file (STYLE.md §6). Every extern "C" entry point runs
 * its body inside guard()/guard_ptr(), whose try/catch ends every exception here: C frames
 * have no unwind tables, so an exception crossing into C would abort the process. */
extern "C" {
#include "arkivar/index.h"
#include "arkivar/err.h"
}

#include <sys/stat.h>

#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
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
};

/* One facet slot's values by docid, so that counting a match costs an array read
 * instead of a Document::get_value (a fifth of every query's instructions before).
 * arkivar-indexer never reuses a docid (a changed file's passages are deleted and added
 * anew), so a table only grows; a database with another UUID starts afresh. */
struct facet_codes {
    int slot = -1;
    std::vector<uint16_t> code;     /* by docid; 0 = no value */
    std::vector<std::string> names; /* code - 1 -> value */
    std::unordered_map<std::string, uint16_t> ids;
};

struct ark_rdb {
    Xapian::Database db;            /* all shards, combined with add_database */
    std::vector<Xapian::Database> shards; /* each shard alone, only when there are several:
                                     * get_revision() needs exactly one sub-database, and
                                     * metadata (document records) lives in its own shard */
    std::vector<std::string> specs; /* as given, for messages */
    bool remote = false;            /* a tcp: shard: its matches never reach our own spy */
    std::vector<facet_codes> facets;
    Xapian::docid facets_upto = 0;  /* the tables hold docids 1..facets_upto */
    std::string facets_uuid;
    bool facets_off = false;        /* too many distinct values: use ValueCountMatchSpy */
};

namespace {

/* A read that loses a race with a commit is retried this many times after a reopen(). */
const int READ_RETRIES = 3;
/* Remote shards: xapian-tcpsrv may be slow to answer a big query, but a dead host should
 * fail fast (milliseconds). */
const useconds_t REMOTE_TIMEOUT_MS = 10000, REMOTE_CONNECT_TIMEOUT_MS = 2000;
/* Values reported per facet: enough for years and document types, bounded for the UI. */
const Xapian::termcount FACET_TOP = 50;
/* With facets and no explicit check_at_least, count at least this many matches so the
 * facet counts describe more than the first page. */
const Xapian::doccount FACET_CHECK_AT_LEAST = 1000;

int set_xerr(ark_err *err, int code, const char *op, const Xapian::Error &e) {
    const char *ctx = e.get_context().empty() ? "" : e.get_context().c_str();
    return ark_err_set(err, code, "%s: %s: %s%s%s", op, e.get_type(), e.get_msg().c_str(),
                       *ctx ? " " : "", ctx);
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

/* Run a read, reopening and retrying when a commit recycled the blocks it was reading.
 * body must be safe to run again: callers that report results through a callback keep
 * a resume point so that nothing is reported twice. */
template <class F> int with_retry(ark_rdb *r, ark_err *err, const char *op, F &&body) {
    for (int attempt = 0;; attempt++) {
        try {
            return body();
        } catch (const Xapian::DatabaseModifiedError &e) {
            if (attempt >= READ_RETRIES) return set_xerr(err, ARK_EMODIFIED, op, e);
            r->db.reopen();
            for (auto &one : r->shards) one.reopen();
        }
    }
}

/* malloc'ed copy with a trailing NUL (the C side frees it with free()). */
char *dup_bytes(const std::string &s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

std::string str(const char *p, size_t len) {
    return len ? std::string(p, len) : std::string();
}

/* NULL when path is a directory, else why not. */
const char *not_a_dir(const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return std::strerror(errno);
    return S_ISDIR(st.st_mode) ? nullptr : "not a directory";
}

/* "tcp:HOST:PORT" (HOST may be "[v6addr]"). Returns false on a malformed spec. */
bool parse_tcp(const std::string &spec, std::string &host, unsigned &port) {
    std::string rest = spec.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) return false;
    host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string p = rest.substr(colon + 1);
    if (p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5) return false;
    unsigned long v = std::strtoul(p.c_str(), nullptr, 10);
    if (v == 0 || v > 65535) return false;
    port = static_cast<unsigned>(v);
    return !host.empty();
}

/* Metadata keys starting with prefix, resuming after `last` (empty = from the start). */
template <class DB>
int each_meta_key(const DB &db, const std::string &prefix, std::string &last, ark_key_fn fn,
                  void *user) {
    Xapian::TermIterator it = db.metadata_keys_begin(prefix), end = db.metadata_keys_end(prefix);
    if (!last.empty()) {
        it.skip_to(last);
        if (it != end && *it == last) ++it;
    }
    for (; it != end; ++it) {
        std::string key = *it;
        last = key;
        if (fn(key.data(), key.size(), user) != 0) break;
    }
    return 0;
}

/* The frees of ark_hits_free, for a partial result too. */
void free_hits(ark_hits *h) {
    if (h->v) {
        for (size_t i = 0; i < h->n; i++) {
            std::free(h->v[i].data);
            std::free(h->v[i].key);
        }
        std::free(h->v);
    }
    for (size_t f = 0; f < h->nfacets && f < 4; f++) {
        ark_facet *fa = &h->facets[f];
        if (fa->values)
            for (size_t i = 0; i < fa->n; i++) std::free(fa->values[i]);
        std::free(fa->values);
        std::free(fa->counts);
    }
    std::memset(h, 0, sizeof *h);
}

/* Frees a partly built ark_hits unless released (an exception or a retry). */
struct hits_guard {
    ark_hits h;
    hits_guard() { std::memset(&h, 0, sizeof h); }
    ~hits_guard() { free_hits(&h); }
    hits_guard(const hits_guard &) = delete;
    hits_guard &operator=(const hits_guard &) = delete;
};

Xapian::Query::op xap_op(int op, bool &ok) {
    ok = true;
    switch (op) {
    case ARK_XQ_AND: return Xapian::Query::OP_AND;
    case ARK_XQ_OR: return Xapian::Query::OP_OR;
    case ARK_XQ_AND_NOT: return Xapian::Query::OP_AND_NOT;
    case ARK_XQ_AND_MAYBE: return Xapian::Query::OP_AND_MAYBE;
    case ARK_XQ_FILTER: return Xapian::Query::OP_FILTER;
    case ARK_XQ_PHRASE: return Xapian::Query::OP_PHRASE;
    case ARK_XQ_NEAR: return Xapian::Query::OP_NEAR;
    case ARK_XQ_SYNONYM: return Xapian::Query::OP_SYNONYM;
    case ARK_XQ_MAX: return Xapian::Query::OP_MAX;
    case ARK_XQ_ELITE_SET: return Xapian::Query::OP_ELITE_SET;
    }
    ok = false;
    return Xapian::Query::OP_AND;
}

} // namespace

extern "C" {

/* ---- Documents ---------------------------------------------------------------------- */

ark_xdoc *ark_xdoc_new(void) {
    return guard_ptr([]() -> ark_xdoc * { return new ark_xdoc(); });
}

void ark_xdoc_free(ark_xdoc *d) {
    delete d;
}

int ark_xdoc_add_posting(ark_xdoc *d, const char *term, size_t len, uint32_t pos) {
    return guard(nullptr, "ark_xdoc_add_posting", [&]() -> int {
        /* Xapian's position 0 is reserved, so ours shift by one; the last one cannot. */
        if (!d || !term || !len || pos == UINT32_MAX) return ARK_EINVAL;
        d->doc.add_posting(std::string(term, len), pos + 1);
        return 0;
    });
}

int ark_xdoc_add_term(ark_xdoc *d, const char *term, size_t len, uint32_t wdf) {
    return guard(nullptr, "ark_xdoc_add_term", [&]() -> int {
        if (!d || !term || !len) return ARK_EINVAL;
        d->doc.add_term(std::string(term, len), wdf);
        return 0;
    });
}

int ark_xdoc_add_boolean(ark_xdoc *d, const char *term, size_t len) {
    return guard(nullptr, "ark_xdoc_add_boolean", [&]() -> int {
        if (!d || !term || !len) return ARK_EINVAL;
        d->doc.add_boolean_term(std::string(term, len));
        return 0;
    });
}

int ark_xdoc_set_value(ark_xdoc *d, unsigned slot, const char *v, size_t len) {
    return guard(nullptr, "ark_xdoc_set_value", [&]() -> int {
        if (!d || (!v && len)) return ARK_EINVAL;
        d->doc.add_value(slot, str(v, len)); /* "" removes the value, as in Xapian */
        return 0;
    });
}

int ark_xdoc_set_data(ark_xdoc *d, const void *data, size_t len) {
    return guard(nullptr, "ark_xdoc_set_data", [&]() -> int {
        if (!d || (!data && len)) return ARK_EINVAL;
        d->doc.set_data(str(static_cast<const char *>(data), len));
        return 0;
    });
}

/* ---- Writable database -------------------------------------------------------------- */

int ark_wdb_open(const char *dir, ark_wdb **out, ark_err *err) {
    if (out) *out = nullptr;
    if (!dir || !*dir || !out) return ark_err_set(err, ARK_EINVAL, "ark_wdb_open: no directory");
    return guard(err, "ark_wdb_open", [&]() -> int {
        try {
            std::unique_ptr<ark_wdb> w(new ark_wdb());
            /* Glass is 1.4's default backend for a new database. */
            try {
                w->db = Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OPEN);
            } catch (const Xapian::DatabaseOpeningError &e) {
                /* A creation that died (killed, out of memory) before its first revision
                 * file leaves table files but no iamglass: nothing was ever committed
                 * there, so start it afresh rather than refuse it forever. */
                struct stat st;
                std::string rev = std::string(dir) + "/iamglass";
                if (stat(rev.c_str(), &st) == 0 || errno != ENOENT) throw;
                w->db = Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OVERWRITE);
            }
            *out = w.release();
            return 0;
        } catch (const Xapian::DatabaseLockError &e) {
            return ark_err_set(err, ARK_ELOCKED, "ark_wdb_open %s: locked by another writer (%s)",
                               dir, e.get_msg().c_str());
        } catch (const Xapian::Error &e) {
            return ark_err_set(err, ARK_EINDEX, "ark_wdb_open %s: %s: %s", dir, e.get_type(),
                               e.get_msg().c_str());
        }
    });
}

int ark_db_exists(const char *dir) {
    /* glass's revision file; chert's, and a stub naming other databases, are taken as
     * a database too, so that nothing ever builds over them */
    for (const char *name : {"/iamglass", "/iamchert", "/XAPIANDB"}) {
        struct stat st;
        std::string path = std::string(dir ? dir : "") + name;
        if (stat(path.c_str(), &st) == 0) return 1;
    }
    return 0;
}

int ark_wdb_open_scratch(const char *dir, ark_wdb **out, ark_err *err) {
    if (out) *out = nullptr;
    if (!dir || !*dir || !out)
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_open_scratch: no directory");
    return guard(err, "ark_wdb_open_scratch", [&]() -> int {
        std::unique_ptr<ark_wdb> w(new ark_wdb());
        /* No fsync: the part lives only until ark_db_merge has read it, and a crash
         * before the merge loses nothing that a new run does not rebuild. */
        w->db = Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC);
        *out = w.release();
        return 0;
    });
}

int ark_db_merge(const char *const *parts, size_t n, const char *dest, ark_err *err) {
    if (!parts || !n || !dest || !*dest)
        return ark_err_set(err, ARK_EINVAL, "ark_db_merge: no parts or destination");
    return guard(err, "ark_db_merge", [&]() -> int {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) all.add_database(Xapian::Database(parts[i]));
        /* Renumbering packs each part's docids after the previous part's: parts of
         * consecutive files give the docids one writer would have given. FULL leaves
         * the blocks full, as xapian-compact does by default. */
        all.compact(dest, Xapian::Compactor::FULL);
        return 0;
    });
}

void ark_wdb_close(ark_wdb *w) {
    if (!w) return;
    /* Cancel first: WritableDatabase::close() outside a transaction commits, and a run that
     * did not reach ark_wdb_commit must leave the last committed revision as it was. */
    if (w->in_txn) {
        try {
            w->db.cancel_transaction();
        } catch (...) {
        }
        w->in_txn = false;
    }
    try {
        w->db.close();
    } catch (...) {
    }
    try {
        delete w;
    } catch (...) {
    }
}

int ark_wdb_begin(ark_wdb *w, ark_err *err) {
    if (!w) return ark_err_set(err, ARK_EINVAL, "ark_wdb_begin: no database");
    return guard(err, "ark_wdb_begin", [&]() -> int {
        if (w->in_txn)
            return ark_err_set(err, ARK_EINVAL, "ark_wdb_begin: already in a transaction");
        w->db.begin_transaction(true);
        w->in_txn = true;
        return 0;
    });
}

int ark_wdb_commit(ark_wdb *w, ark_err *err) {
    if (!w) return ark_err_set(err, ARK_EINVAL, "ark_wdb_commit: no database");
    return guard(err, "ark_wdb_commit", [&]() -> int {
        if (w->in_txn) {
            /* Xapian ends the transaction even when the commit throws. */
            w->in_txn = false;
            w->db.commit_transaction();
        } else {
            w->db.commit();
        }
        return 0;
    });
}

int ark_wdb_cancel(ark_wdb *w, ark_err *err) {
    if (!w) return ark_err_set(err, ARK_EINVAL, "ark_wdb_cancel: no database");
    return guard(err, "ark_wdb_cancel", [&]() -> int {
        if (!w->in_txn) return ark_err_set(err, ARK_EINVAL, "ark_wdb_cancel: no transaction");
        w->in_txn = false;
        w->db.cancel_transaction();
        return 0;
    });
}

int ark_wdb_add(ark_wdb *w, const ark_xdoc *d, ark_err *err) {
    if (!w || !d) return ark_err_set(err, ARK_EINVAL, "ark_wdb_add: no database or document");
    return guard(err, "ark_wdb_add", [&]() -> int {
        w->db.add_document(d->doc);
        return 0;
    });
}

int ark_wdb_replace(ark_wdb *w, const char *uid, size_t uid_len, const ark_xdoc *d, ark_err *err) {
    if (!w || !d || !uid || !uid_len)
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_replace: no database, document or uid");
    return guard(err, "ark_wdb_replace", [&]() -> int {
        std::string u(uid, uid_len);
        Xapian::TermIterator t = d->doc.termlist_begin();
        t.skip_to(u);
        if (t != d->doc.termlist_end() && *t == u) {
            w->db.replace_document(u, d->doc);
            return 0;
        }
        /* The uid must be in the document, or the next replace would not find it. Copies of
         * a Xapian::Document share their terms, so adding it to d->doc would change the
         * caller's const document; build a copy instead (callers who add the uid with
         * ark_xdoc_add_boolean skip this). */
        Xapian::Document c;
        c.set_data(d->doc.get_data());
        for (auto v = d->doc.values_begin(); v != d->doc.values_end(); ++v)
            c.add_value(v.get_valueno(), *v);
        for (auto it = d->doc.termlist_begin(); it != d->doc.termlist_end(); ++it) {
            std::string term = *it;
            for (auto p = it.positionlist_begin(); p != it.positionlist_end(); ++p)
                c.add_posting(term, *p, 0);
            c.add_term(term, it.get_wdf());
        }
        c.add_boolean_term(u);
        w->db.replace_document(u, c);
        return 0;
    });
}

int ark_wdb_delete_term(ark_wdb *w, const char *term, size_t len, ark_err *err) {
    if (!w || !term || !len) return ark_err_set(err, ARK_EINVAL, "ark_wdb_delete_term: no term");
    return guard(err, "ark_wdb_delete_term", [&]() -> int {
        w->db.delete_document(std::string(term, len));
        return 0;
    });
}

int ark_wdb_set_meta(ark_wdb *w, const char *key, const char *val, size_t val_len, ark_err *err) {
    if (!w || !key || (!val && val_len))
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_set_meta: no database or key");
    return guard(err, "ark_wdb_set_meta", [&]() -> int {
        w->db.set_metadata(key, str(val, val_len));
        return 0;
    });
}

int ark_wdb_get_meta(ark_wdb *w, const char *key, char **val, size_t *val_len, ark_err *err) {
    if (val) *val = nullptr;
    if (val_len) *val_len = 0;
    if (!w || !key || !val)
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_get_meta: no database or key");
    return guard(err, "ark_wdb_get_meta", [&]() -> int {
        std::string v = w->db.get_metadata(key);
        if (v.empty()) return 0;
        *val = dup_bytes(v);
        if (val_len) *val_len = v.size();
        return 0;
    });
}

int ark_wdb_meta_keys(ark_wdb *w, const char *prefix, ark_key_fn fn, void *user, ark_err *err) {
    if (!w || !fn)
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_meta_keys: no database or callback");
    return guard(err, "ark_wdb_meta_keys", [&]() -> int {
        std::string last;
        return each_meta_key(w->db, prefix ? prefix : "", last, fn, user);
    });
}

int ark_wdb_add_spelling(ark_wdb *w, const char *word, size_t len, ark_err *err) {
    if (!w || !word) return ark_err_set(err, ARK_EINVAL, "ark_wdb_add_spelling: no word");
    if (!len) return 0;
    return guard(err, "ark_wdb_add_spelling", [&]() -> int {
        w->db.add_spelling(std::string(word, len));
        return 0;
    });
}

int ark_wdb_add_spelling_freq(ark_wdb *w, const char *word, size_t len, uint32_t freq,
                              ark_err *err) {
    if (!w || !word) return ark_err_set(err, ARK_EINVAL, "ark_wdb_add_spelling_freq: no word");
    if (!len || !freq) return 0;
    return guard(err, "ark_wdb_add_spelling_freq", [&]() -> int {
        w->db.add_spelling(std::string(word, len), freq);
        return 0;
    });
}

int ark_wdb_doccount(ark_wdb *w, uint64_t *out, ark_err *err) {
    if (!w || !out) return ark_err_set(err, ARK_EINVAL, "ark_wdb_doccount: no database");
    return guard(err, "ark_wdb_doccount", [&]() -> int {
        *out = w->db.get_doccount();
        return 0;
    });
}

/* ---- Readable database -------------------------------------------------------------- */

int ark_rdb_open(const char *const *specs, size_t nspecs, ark_rdb **out, ark_err *err) {
    if (out) *out = nullptr;
    if (!specs || !nspecs || !out) return ark_err_set(err, ARK_EINVAL, "ark_rdb_open: no shards");
    return guard(err, "ark_rdb_open", [&]() -> int {
        std::unique_ptr<ark_rdb> r(new ark_rdb());
        for (size_t i = 0; i < nspecs; i++) {
            if (!specs[i] || !*specs[i])
                return ark_err_set(err, ARK_EINVAL, "ark_rdb_open: shard %zu: empty spec", i);
            std::string spec = specs[i];
            r->specs.push_back(spec);
            Xapian::Database shard;
            if (spec.compare(0, 4, "tcp:") == 0) {
                std::string host;
                unsigned port = 0;
                if (!parse_tcp(spec, host, port))
                    return ark_err_set(err, ARK_EINVAL, "ark_rdb_open: '%s': want tcp:HOST:PORT",
                                       spec.c_str());
                try {
                    shard = Xapian::Remote::open(host, port, REMOTE_TIMEOUT_MS,
                                                 REMOTE_CONNECT_TIMEOUT_MS);
                } catch (const Xapian::Error &e) {
                    return ark_err_set(err, ARK_EINDEX, "ark_rdb_open: '%s': %s: %s", spec.c_str(),
                                       e.get_type(), e.get_msg().c_str());
                }
            } else {
                /* Xapian opens a plain file as a stub database (an empty one if the file is
                 * empty), so a mistyped path would silently search nothing: insist on a
                 * directory. */
                if (const char *why = not_a_dir(spec))
                    return ark_err_set(err, ARK_ENOTFOUND,
                                       "ark_rdb_open: '%s': no index directory (%s)", spec.c_str(),
                                       why);
                try {
                    shard = Xapian::Database(spec);
                } catch (const Xapian::DatabaseNotFoundError &e) {
                    return ark_err_set(err, ARK_ENOTFOUND, "ark_rdb_open: '%s': no index here (%s)",
                                       spec.c_str(), e.get_msg().c_str());
                } catch (const Xapian::Error &e) {
                    return ark_err_set(err, ARK_EINDEX, "ark_rdb_open: '%s': %s: %s", spec.c_str(),
                                       e.get_type(), e.get_msg().c_str());
                }
            }
            if (spec.compare(0, 4, "tcp:") == 0) r->remote = true;
            if (nspecs > 1) r->shards.push_back(shard);
            r->db.add_database(shard);
        }
        *out = r.release();
        return 0;
    });
}

void ark_rdb_close(ark_rdb *r) {
    if (!r) return;
    try {
        r->db.close();
        for (auto &one : r->shards) one.close();
    } catch (...) {
    }
    try {
        delete r;
    } catch (...) {
    }
}

int ark_rdb_reopen(ark_rdb *r, int *changed, ark_err *err) {
    if (changed) *changed = 0;
    if (!r) return ark_err_set(err, ARK_EINVAL, "ark_rdb_reopen: no database");
    return guard(err, "ark_rdb_reopen", [&]() -> int {
        bool c = r->db.reopen();
        for (auto &one : r->shards) one.reopen();
        if (changed) *changed = c ? 1 : 0;
        return 0;
    });
}

int ark_rdb_stats(ark_rdb *r, uint64_t *revision, uint64_t *doccount, ark_err *err) {
    if (!r) return ark_err_set(err, ARK_EINVAL, "ark_rdb_stats: no database");
    return guard(err, "ark_rdb_stats", [&]() -> int {
        return with_retry(r, err, "ark_rdb_stats", [&]() -> int {
            if (revision) {
                const Xapian::Database &one = r->shards.empty() ? r->db : r->shards[0];
                try {
                    *revision = one.get_revision();
                } catch (const Xapian::UnimplementedError &) {
                    *revision = 0; /* a remote first shard: 1.4's remote backend has none */
                }
            }
            if (doccount) *doccount = r->db.get_doccount();
            return 0;
        });
    });
}

int ark_rdb_get_meta(ark_rdb *r, const char *key, char **val, size_t *val_len, ark_err *err) {
    if (val) *val = nullptr;
    if (val_len) *val_len = 0;
    if (!r || !key || !val)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_get_meta: no database or key");
    return guard(err, "ark_rdb_get_meta", [&]() -> int {
        return with_retry(r, err, "ark_rdb_get_meta", [&]() -> int {
            /* With several shards Xapian reads the key from the first shard only, but a
             * document's record lives in the shard that holds its passages. */
            std::string v;
            if (r->shards.empty()) v = r->db.get_metadata(key);
            for (size_t i = 0; i < r->shards.size() && v.empty(); i++)
                v = r->shards[i].get_metadata(key);
            if (v.empty()) return 0;
            *val = dup_bytes(v);
            if (val_len) *val_len = v.size();
            return 0;
        });
    });
}

int ark_rdb_get_meta_each(ark_rdb *r, const char *key, ark_data_fn fn, void *user,
                          ark_err *err) {
    if (!r || !key || !fn)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_get_meta_each: no database, key or callback");
    return guard(err, "ark_rdb_get_meta_each", [&]() -> int {
        return with_retry(r, err, "ark_rdb_get_meta_each", [&]() -> int {
            std::vector<std::string> vals;
            if (r->shards.empty()) vals.push_back(r->db.get_metadata(key));
            for (auto &one : r->shards) vals.push_back(one.get_metadata(key));
            for (const auto &v : vals)
                if (!v.empty() && fn(v.data(), v.size(), user) != 0) break;
            return 0;
        });
    });
}

int ark_rdb_meta_keys(ark_rdb *r, const char *prefix, ark_key_fn fn, void *user, ark_err *err) {
    if (!r || !fn)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_meta_keys: no database or callback");
    return guard(err, "ark_rdb_meta_keys", [&]() -> int {
        std::string last; /* resume point: a retry must not report a key twice */
        std::string p = prefix ? prefix : "";
        return with_retry(r, err, "ark_rdb_meta_keys",
                          [&]() -> int { return each_meta_key(r->db, p, last, fn, user); });
    });
}

int ark_rdb_termfreq(ark_rdb *r, const char *term, size_t len, uint64_t *out, ark_err *err) {
    if (!r || !out || (!term && len))
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_termfreq: no database");
    return guard(err, "ark_rdb_termfreq", [&]() -> int {
        std::string t = str(term, len);
        return with_retry(r, err, "ark_rdb_termfreq", [&]() -> int {
            *out = r->db.get_termfreq(t);
            return 0;
        });
    });
}

int ark_rdb_count_by(ark_rdb *r, const ark_xq *q, int slot, ark_term_iter_fn fn, void *user,
                     ark_err *err) {
    if (!r || !q || !fn || slot < 0)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_count_by: no database, query or callback");
    return guard(err, "ark_rdb_count_by", [&]() -> int {
        std::vector<std::pair<std::string, uint64_t>> counts;
        int rc = with_retry(r, err, "ark_rdb_count_by", [&]() -> int {
            Xapian::ValueCountMatchSpy spy(static_cast<Xapian::valueno>(slot));
            Xapian::Enquire enq(r->db);
            enq.set_query(q->q);
            enq.set_weighting_scheme(Xapian::BoolWeight());
            enq.add_matchspy(&spy);
            enq.get_mset(0, 0, r->db.get_doccount()); /* every match reaches the spy */
            counts.clear();
            for (auto t = spy.values_begin(); t != spy.values_end(); ++t)
                counts.emplace_back(*t, t.get_termfreq());
            return 0;
        });
        if (rc) return rc;
        for (const auto &c : counts)
            if (fn(c.first.data(), c.first.size(), c.second, user)) break;
        return 0;
    });
}

int ark_rdb_terms(ark_rdb *r, const char *prefix, ark_term_iter_fn fn, void *user, ark_err *err) {
    if (!r || !fn) return ark_err_set(err, ARK_EINVAL, "ark_rdb_terms: no database or callback");
    return guard(err, "ark_rdb_terms", [&]() -> int {
        std::string p = prefix ? prefix : "";
        std::string last; /* resume point after a retry (terms come in byte order) */
        bool stopped = false;
        return with_retry(r, err, "ark_rdb_terms", [&]() -> int {
            if (stopped) return 0;
            Xapian::TermIterator it = r->db.allterms_begin(p), end = r->db.allterms_end(p);
            if (!last.empty()) {
                it.skip_to(last);
                if (it != end && *it == last) ++it;
            }
            for (; it != end; ++it) {
                std::string t = *it;
                uint64_t freq = it.get_termfreq();
                last = t;
                if (fn(t.data(), t.size(), freq, user) != 0) {
                    stopped = true;
                    break;
                }
            }
            return 0;
        });
    });
}

int ark_rdb_spelling(ark_rdb *r, const char *word, size_t len, char **out, ark_err *err) {
    if (out) *out = nullptr;
    if (!r || !out || (!word && len))
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_spelling: no database");
    return guard(err, "ark_rdb_spelling", [&]() -> int {
        std::string w = str(word, len);
        return with_retry(r, err, "ark_rdb_spelling", [&]() -> int {
            std::string s = w.empty() ? std::string() : r->db.get_spelling_suggestion(w, 2);
            *out = dup_bytes(s);
            return 0;
        });
    });
}

int ark_rdb_get_by_uid(ark_rdb *r, const char *uid, size_t len, char **data, size_t *data_len,
                       ark_err *err) {
    if (data) *data = nullptr;
    if (data_len) *data_len = 0;
    /* An empty term would be the postlist of every document. */
    if (!r || !uid || !len || !data)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_get_by_uid: no database or uid");
    return guard(err, "ark_rdb_get_by_uid", [&]() -> int {
        std::string u(uid, len);
        return with_retry(r, err, "ark_rdb_get_by_uid", [&]() -> int {
            Xapian::PostingIterator p = r->db.postlist_begin(u);
            if (p == r->db.postlist_end(u))
                return ark_err_set(err, ARK_ENOTFOUND, "ark_rdb_get_by_uid: no passage '%s'",
                                   u.c_str());
            std::string d = r->db.get_document(*p).get_data();
            *data = dup_bytes(d);
            if (data_len) *data_len = d.size();
            return 0;
        });
    });
}

int ark_rdb_each_with_term(ark_rdb *r, const char *term, size_t len, ark_data_fn fn, void *user,
                           ark_err *err) {
    if (!r || !fn || (!term && len))
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_each_with_term: no database or callback");
    return guard(err, "ark_rdb_each_with_term", [&]() -> int {
        std::string t = str(term, len);
        Xapian::docid next = 0; /* resume point after a retry: docids come in order */
        bool stopped = false;
        return with_retry(r, err, "ark_rdb_each_with_term", [&]() -> int {
            if (stopped) return 0;
            Xapian::PostingIterator p = r->db.postlist_begin(t), end = r->db.postlist_end(t);
            if (next) p.skip_to(next);
            for (; p != end; ++p) {
                Xapian::docid id = *p;
                std::string d = r->db.get_document(id).get_data();
                next = id + 1;
                if (fn(d.data(), d.size(), user) != 0) {
                    stopped = true;
                    break;
                }
            }
            return 0;
        });
    });
}

/* ---- Queries ------------------------------------------------------------------------ */

ark_xq *ark_xq_term(const char *term, size_t len, uint32_t wqf, uint32_t pos) {
    if (!term && len) return nullptr;
    /* pos is the term's position in the query (0 = none); Xapian uses it only to order
     * terms, never to match document positions, so it passes through unchanged. */
    return guard_ptr([&]() -> ark_xq * {
        return new ark_xq{Xapian::Query(str(term, len), wqf ? wqf : 1, pos)};
    });
}

ark_xq *ark_xq_match_all(void) {
    return guard_ptr([]() -> ark_xq * { return new ark_xq{Xapian::Query::MatchAll}; });
}

ark_xq *ark_xq_match_nothing(void) {
    return guard_ptr([]() -> ark_xq * { return new ark_xq{Xapian::Query::MatchNothing}; });
}

ark_xq *ark_xq_combine(ark_xq_op op, ark_xq *const *subs, size_t n, uint32_t window) {
    if (n && !subs) return nullptr;
    /* C may pass any int as an ark_xq_op; in C++ loading an out-of-range enum is undefined
     * (UBSan: "not a valid value for type"), so read its bytes as an int. */
    int iop;
    static_assert(sizeof iop == sizeof op, "ark_xq_op is int-sized");
    std::memcpy(&iop, &op, sizeof iop);
    return guard_ptr([&]() -> ark_xq * {
        bool ok;
        Xapian::Query::op xop = xap_op(iop, ok);
        if (!ok) return nullptr;
        if (n == 0) return new ark_xq{Xapian::Query::MatchNothing};
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) {
            if (!subs[i]) return nullptr;
            v.push_back(subs[i]->q);
        }
        /* window: PHRASE/NEAR window, ELITE_SET size; 0 lets Xapian choose. */
        return new ark_xq{Xapian::Query(xop, v.begin(), v.end(), window)};
    });
}

ark_xq *ark_xq_scale(const ark_xq *q, double factor) {
    if (!q) return nullptr;
    return guard_ptr([&]() -> ark_xq * {
        return new ark_xq{Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor)};
    });
}

ark_xq *ark_xq_wildcard(const char *prefix, size_t len, uint32_t max_expansion) {
    if (!prefix && len) return nullptr;
    return guard_ptr([&]() -> ark_xq * {
        /* Most frequent, not the first N in byte order nor an error: "kommun*" should mean
         * the common words, and a broad prefix should still answer. max_expansion 0 means
         * no limit, but 1.4.22 expands to no terms at all for 0 with LIMIT_MOST_FREQUENT
         * (tests/test_index.c "wildcard kommun*"), so 0 takes the unlimited mode. */
        int mode = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                                 : Xapian::Query::WILDCARD_LIMIT_ERROR;
        return new ark_xq{Xapian::Query(Xapian::Query::OP_WILDCARD, str(prefix, len), max_expansion,
                                        mode, Xapian::Query::OP_SYNONYM)};
    });
}

ark_xq *ark_xq_value_range(unsigned slot, const char *lo, const char *hi) {
    return guard_ptr([&]() -> ark_xq * {
        if (lo && hi) return new ark_xq{Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi)};
        if (lo) return new ark_xq{Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo)};
        if (hi) return new ark_xq{Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi)};
        return new ark_xq{Xapian::Query::MatchAll};
    });
}

char *ark_xq_describe(const ark_xq *q) {
    if (!q) return nullptr;
    return guard_ptr([&]() -> char * { return dup_bytes(q->q.get_description()); });
}

void ark_xq_free(ark_xq *q) {
    delete q;
}

/* ---- Running a query ---------------------------------------------------------------- */

void ark_search_opts_default(ark_search_opts *o) {
    if (!o) return;
    std::memset(o, 0, sizeof *o);
    o->offset = 0;
    o->limit = 10;
    o->collapse = 0;
    o->collapse_max = 1;
    o->sort_by_date = 0;
    o->bm25_k1 = 0;
    o->bm25_b = 0;
    for (int &s : o->facet_slots) s = -1;
    o->check_at_least = 0;
}

/* The table of slot, brought up to the database's last docid; NULL when tables cannot
 * serve (remote shards, or a slot with more distinct values than a code holds). */
const facet_codes *facet_table(ark_rdb *r, int slot) {
    if (r->remote || r->facets_off) return nullptr;
    std::string uuid = r->db.get_uuid();
    if (uuid != r->facets_uuid) {
        r->facets.clear();
        r->facets_upto = 0;
        r->facets_uuid = uuid;
    }
    Xapian::docid last = r->db.get_lastdocid();
    bool known = false;
    for (auto &f : r->facets) known |= f.slot == slot;
    if (!known) { /* a new slot: every table starts again, so all cover the same docids */
        r->facets.emplace_back();
        r->facets.back().slot = slot;
        for (auto &f : r->facets) {
            f.code.clear();
            f.names.clear();
            f.ids.clear();
        }
        r->facets_upto = 0;
    }
    if (last > r->facets_upto) {
        for (auto &f : r->facets) {
            f.code.resize(static_cast<size_t>(last) + 1, 0);
            Xapian::ValueIterator v = r->db.valuestream_begin(static_cast<Xapian::valueno>(f.slot));
            Xapian::ValueIterator end = r->db.valuestream_end(static_cast<Xapian::valueno>(f.slot));
            if (v != end && r->facets_upto > 0) v.skip_to(r->facets_upto + 1);
            for (; v != end; ++v) {
                std::string val = *v;
                if (val.empty()) continue;
                auto it = f.ids.find(val);
                uint16_t c;
                if (it != f.ids.end()) {
                    c = it->second;
                } else {
                    if (f.names.size() >= 65535) {
                        r->facets_off = true;
                        r->facets.clear();
                        return nullptr;
                    }
                    f.names.push_back(val);
                    c = static_cast<uint16_t>(f.names.size());
                    f.ids.emplace(val, c);
                }
                f.code[v.get_docid()] = c;
            }
        }
        r->facets_upto = last;
    }
    for (auto &f : r->facets)
        if (f.slot == slot) return &f;
    return nullptr;
}

/* Counts the codes of the matches it sees; the answer is what ValueCountMatchSpy would
 * give for the same slot: values by count, highest first, ties in byte order. */
class FacetSpy : public Xapian::MatchSpy {
    const facet_codes &t_;
    std::vector<uint64_t> n_;

  public:
    explicit FacetSpy(const facet_codes &t) : t_(t), n_(t.names.size() + 1, 0) {}
    void operator()(const Xapian::Document &doc, double) override {
        Xapian::docid d = doc.get_docid();
        if (d < t_.code.size()) n_[t_.code[d]]++;
    }
    std::vector<std::pair<std::string, uint64_t>> top(size_t max) const {
        std::vector<std::pair<std::string, uint64_t>> v;
        for (size_t c = 1; c < n_.size(); c++)
            if (n_[c]) v.emplace_back(t_.names[c - 1], n_[c]);
        std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        if (v.size() > max) v.resize(max);
        return v;
    }
};

int ark_rdb_search(ark_rdb *r, const ark_xq *q, const ark_search_opts *o, ark_hits *out,
                   ark_err *err) {
    if (out) std::memset(out, 0, sizeof *out);
    if (!r || !q || !out)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_search: no database or query");
    ark_search_opts def;
    if (!o) {
        ark_search_opts_default(&def);
        o = &def;
    }
    return guard(err, "ark_rdb_search", [&]() -> int {
        return with_retry(r, err, "ark_rdb_search", [&]() -> int {
            /* Declared before the Enquire, so destroyed after it: it refers to them. */
            std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
            std::vector<std::unique_ptr<FacetSpy>> fast;
            std::vector<int> spy_slots;
            Xapian::Enquire enq(r->db);
            enq.set_query(q->q);
            /* k2 = 0 and k3 = 1 are Xapian's defaults; min_normlen 0.5 likewise. */
            double k1 = o->bm25_k1 > 0 ? o->bm25_k1 : 1.0;
            double b = o->bm25_b > 0 ? o->bm25_b : 0.5;
            enq.set_weighting_scheme(Xapian::BM25Weight(k1, 0, 1, b, 0.5));
            if (o->collapse)
                enq.set_collapse_key(ARK_SLOT_DOC, o->collapse_max ? o->collapse_max : 1);
            if (o->sort_by_date)
                enq.set_sort_by_value_then_relevance(ARK_SLOT_DATE, o->sort_by_date > 0);
            /* Our tables for every slot, or Xapian's spy for every slot: never a mix, so
             * facet f is fast[f] or spies[f]. All slots' tables are made first (adding a
             * slot moves the others), then referred to. */
            bool use_tables = true;
            for (int s : o->facet_slots)
                if (s >= 0 && !facet_table(r, s)) use_tables = false;
            for (int s : o->facet_slots) {
                if (s < 0) continue;
                if (use_tables) {
                    fast.emplace_back(new FacetSpy(*facet_table(r, s)));
                    enq.add_matchspy(fast.back().get());
                } else {
                    spies.emplace_back(new Xapian::ValueCountMatchSpy(static_cast<Xapian::valueno>(s)));
                    enq.add_matchspy(spies.back().get());
                }
                spy_slots.push_back(s);
            }
            uint64_t want64 = static_cast<uint64_t>(o->offset) + o->limit; /* no wrap */
            Xapian::doccount want =
                static_cast<Xapian::doccount>(std::min<uint64_t>(want64, UINT32_MAX));
            Xapian::doccount check = o->check_at_least ? o->check_at_least : want;
            if (!spy_slots.empty() && !o->check_at_least) check = std::max(check, FACET_CHECK_AT_LEAST);
            Xapian::MSet mset = enq.get_mset(o->offset, o->limit, check);

            hits_guard g;
            ark_hits &h = g.h;
            if (mset.size()) {
                h.v = static_cast<ark_hit *>(std::calloc(mset.size(), sizeof(ark_hit)));
                if (!h.v) throw std::bad_alloc();
            }
            for (Xapian::MSetIterator i = mset.begin(); i != mset.end(); ++i) {
                ark_hit &hit = h.v[h.n];
                Xapian::Document doc = i.get_document();
                std::string d = doc.get_data(), k = doc.get_value(ARK_SLOT_DOC);
                hit.key = dup_bytes(k);
                hit.docid = *i;
                hit.score = i.get_weight();
                hit.collapse_count = i.get_collapse_count();
                hit.data = dup_bytes(d);
                hit.data_len = d.size();
                h.n++;
            }
            /* Passages, not documents: collapsing only shapes the page. */
            h.total = mset.get_uncollapsed_matches_estimated();
            h.total_lower = mset.get_uncollapsed_matches_lower_bound();
            h.total_upper = mset.get_uncollapsed_matches_upper_bound();
            h.collapsed_total = mset.get_matches_estimated();
            for (size_t f = 0; f < spy_slots.size() && f < 4; f++) {
                /* Either spy gives its values by count, highest first, ties in byte order. */
                std::vector<std::pair<std::string, uint64_t>> top;
                if (f < fast.size()) {
                    top = fast[f]->top(FACET_TOP);
                } else {
                    const auto &spy = spies[f];
                    for (auto t = spy->top_values_begin(FACET_TOP); t != spy->top_values_end(FACET_TOP); ++t)
                        top.emplace_back(*t, t.get_termfreq());
                }
                ark_facet &fa = h.facets[f];
                fa.slot = spy_slots[f];
                h.nfacets = f + 1;
                if (top.empty()) continue;
                fa.values = static_cast<char **>(std::calloc(top.size(), sizeof(char *)));
                fa.counts = static_cast<uint64_t *>(std::calloc(top.size(), sizeof(uint64_t)));
                if (!fa.values || !fa.counts) throw std::bad_alloc();
                for (const auto &t : top) {
                    fa.values[fa.n] = dup_bytes(t.first);
                    fa.counts[fa.n] = t.second;
                    fa.n++;
                }
            }
            *out = h;
            std::memset(&h, 0, sizeof h); /* transferred */
            return 0;
        });
    });
}

void ark_hits_free(ark_hits *h) {
    if (h) free_hits(h);
}

} /* extern "C" */
