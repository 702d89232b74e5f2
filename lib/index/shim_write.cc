/* lib/index/shim_write.cc: the writing half of include/arkivar/index.h, on xapian-core 1.4.
 * Owns: documents to add (ark_xdoc_*), the writable database (ark_wdb_*): transactions,
 * adds and deletes, metadata, the spelling table; and new indexes built in parts
 * (ark_db_exists, ark_db_merge).
 * Not here: reading (shim_read.cc), queries and matching (shim_query.cc), the exception
 * catch list and the handles' definitions (shim.h); what the terms mean (lib/ingest/build.c).
 * Why: arkivar-indexer is the only writer; keeping its calls apart from the server's
 * reads shows at a glance what a writer can change. */
#include "shim.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace ark_shim;

namespace {

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

/* Xapian 1.4.22 calls std::terminate when a write fails in some phases of a commit
 * (ENOSPC with a table half flushed: its exception unwinds into a noexcept frame inside
 * libxapian, so no catch of ours sees it), and the process died with "terminate called
 * after throwing an instance of 'Xapian::DatabaseError'", exit 134, and no cause. A
 * commit is also what add_document does every ARK_WDB_FLUSH passages outside a
 * transaction (a part of a fresh build). Nothing can go on in this process, but the
 * revision file is written last, so the last commit is intact on disk: say why, as
 * set_xerr would, let the program remove its scratch files (ark_wdb_on_abort), and
 * leave with the status ark_wdb_commit documents. The handler is installed once for
 * the process (threads commit at once: a set and restore per call raced) and answers
 * only for the thread inside one of our writes (t_writing); any other terminate goes
 * to the handler before it. */
thread_local const char *t_writing = nullptr; /* the ark_wdb_* call under way here */
std::terminate_handler g_prev_terminate = nullptr;
std::once_flag g_terminate_once;
void (*g_on_abort)(void *) = nullptr;
void *g_on_abort_arg = nullptr;

[[noreturn]] void write_terminated() {
    if (!t_writing) {
        if (g_prev_terminate) g_prev_terminate();
        std::abort();
    }
    char msg[1024] = "unknown error";
    try {
        if (std::exception_ptr p = std::current_exception()) std::rethrow_exception(p);
    } catch (const Xapian::Error &e) {
        const char *why = e.get_error_string();
        std::snprintf(msg, sizeof msg, "%s: %s%s%s%s", e.get_type(), e.get_msg().c_str(),
                      why ? " (" : "", why ? why : "", why ? ")" : "");
    } catch (const std::exception &e) {
        std::snprintf(msg, sizeof msg, "%s", e.what());
    } catch (...) {
    }
    char line[1280];
    int n = std::snprintf(line, sizeof line,
                          "%s: index error: %s: %s; Xapian aborted inside its commit; index "
                          "left unchanged\n",
                          program_invocation_short_name, t_writing, msg);
    if (n > 0 && write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0) {
    }
    if (g_on_abort) g_on_abort(g_on_abort_arg);
    _exit(ARK_WDB_COMMIT_DIED);
}

/* This thread inside a Xapian write (op names it), for write_terminated. */
class writing {
    const char *was_;

  public:
    explicit writing(const char *op) : was_(t_writing) {
        std::call_once(g_terminate_once,
                       [] { g_prev_terminate = std::set_terminate(write_terminated); });
        t_writing = op;
    }
    ~writing() { t_writing = was_; }
    writing(const writing &) = delete;
    writing &operator=(const writing &) = delete;
};

/* Commit w's transaction (txn) or its pending changes; throws what Xapian throws. Until it
 * returns, w is marked failed: a handle whose commit threw must never be written. */
void commit_now(ark_wdb *w, bool txn) {
    w->failed = true;
    writing mark("ark_wdb_commit");
    try {
        if (txn) w->db.commit_transaction();
        else w->db.commit();
    } catch (...) {
        /* When the disk is full, glass may fail to write even the old revision's
         * version file while reopening at it ("Modifications failed ... couldn't
         * open at the old revision"), and leaves its temp file, v.tmp, which it
         * only ever renames to iamglass. We still hold the lock: nobody else can
         * be writing it. */
        unlink((w->dir + "/v.tmp").c_str());
        throw;
    }
    w->failed = false;
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
            w->dir = dir;
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
            return set_xerr(err, ARK_EINDEX, ("ark_wdb_open " + std::string(dir)).c_str(), e);
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

int ark_db_shards(const char *dir, char ***dirs, size_t *n, ark_err *err) {
    if (dirs) *dirs = nullptr;
    if (n) *n = 0;
    if (!dir || !dirs || !n) return ark_err_set(err, ARK_EINVAL, "ark_db_shards: no directory");
    return guard(err, "ark_db_shards", [&]() -> int {
        std::vector<std::string> names;
        std::string stub = std::string(dir) + "/" ARK_STUB_NAME;
        std::FILE *f = std::fopen(stub.c_str(), "r");
        if (!f) {
            if (errno != ENOENT) return ark_err_set(err, ARK_EIO, "%s: %s", stub.c_str(), std::strerror(errno));
            if (!ark_db_exists(dir)) return 0;
            names.push_back("");
        } else {
            /* Only what ark_db_write_stub writes: a stub naming remote or absolute
             * databases is no index of ours to write, and ".." could leave the folder. */
            char line[256];
            unsigned lineno = 0;
            int rc = 0;
            while (!rc && std::fgets(line, sizeof line, f)) {
                lineno++;
                std::string l(line);
                while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
                if (l.empty() || l[0] == '#') continue;
                std::string name = l.compare(0, 5, "auto ") == 0 ? l.substr(5) : "";
                if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
                    names.size() == ARK_SHARDS_MAX)
                    rc = ark_err_set(err, ARK_EFORMAT, "%s, line %u: not a shard of an Arkivar index "
                                     "(want \"auto shard-N\", at most %d)", stub.c_str(), lineno,
                                     ARK_SHARDS_MAX);
                else names.push_back(name);
            }
            if (!rc && std::ferror(f)) rc = ark_err_set(err, ARK_EIO, "%s: %s", stub.c_str(), std::strerror(errno));
            std::fclose(f);
            if (!rc && names.empty()) rc = ark_err_set(err, ARK_EFORMAT, "%s: names no shard", stub.c_str());
            if (rc) return rc;
        }
        char **v = static_cast<char **>(std::calloc(names.size(), sizeof *v));
        if (!v) return ark_err_set(err, ARK_ENOMEM, "ark_db_shards");
        for (size_t i = 0; i < names.size(); i++) {
            std::string path = names[i].empty() ? std::string(dir) : std::string(dir) + "/" + names[i];
            if (!(v[i] = strdup(path.c_str()))) {
                ark_db_shards_free(v, i);
                return ark_err_set(err, ARK_ENOMEM, "ark_db_shards");
            }
        }
        *dirs = v;
        *n = names.size();
        return 0;
    });
}

void ark_db_shards_free(char **dirs, size_t n) {
    for (size_t i = 0; dirs && i < n; i++) std::free(dirs[i]);
    std::free(dirs);
}

int ark_db_write_stub(const char *dir, unsigned n, ark_err *err) {
    if (!dir || !n || n > ARK_SHARDS_MAX)
        return ark_err_set(err, ARK_EINVAL, "ark_db_write_stub: no directory or shard count");
    return guard(err, "ark_db_write_stub", [&]() -> int {
        std::string text = "# Arkivar: this index's shards (Xapian stub database; documents placed by\n"
                           "# a hash of their id, so their number is fixed)\n";
        for (unsigned k = 0; k < n; k++) {
            char name[32];
            std::snprintf(name, sizeof name, "auto " ARK_SHARD_NAME "\n", k);
            text += name;
        }
        std::string path = std::string(dir) + "/" ARK_STUB_NAME, tmp = path + ".tmp";
        int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) return ark_err_set(err, ARK_EIO, "%s: %s", tmp.c_str(), std::strerror(errno));
        bool ok = write(fd, text.data(), text.size()) == (ssize_t)text.size() && fsync(fd) == 0;
        int e = errno;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
            if (ok) e = errno;
            unlink(tmp.c_str());
            return ark_err_set(err, ARK_EIO, "writing %s: %s", path.c_str(), std::strerror(e));
        }
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        return 0;
    });
}

int ark_wdb_open_scratch(const char *dir, ark_wdb **out, ark_err *err) {
    if (out) *out = nullptr;
    if (!dir || !*dir || !out)
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_open_scratch: no directory");
    return guard(err, "ark_wdb_open_scratch", [&]() -> int {
        std::unique_ptr<ark_wdb> w(new ark_wdb());
        w->dir = dir;
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
    /* After a failed commit the handle's tables may hold a block that was never read
     * (a failed pread): closing would commit it, and the next run then wrote to block
     * 3200171710. An unflushed transaction, cancelled, discards everything pending. */
    if (w->failed && !w->in_txn) {
        try {
            w->db.begin_transaction(false);
            w->in_txn = true;
        } catch (...) {
            return; /* cannot be closed without writing: left to the process's end */
        }
    }
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
        /* Xapian ends the transaction even when the commit throws. */
        bool txn = w->in_txn;
        w->in_txn = false;
        commit_now(w, txn);
        return 0;
    });
}

/* The insert into a term's map of pending postings by docid walks a tree of up to
 * 10,000 nodes at Xapian's default flush, each a cache miss (perf of a fresh 10 MB
 * build: a sixth of its time). Flushed every ARK_WDB_FLUSH passages the maps stay small
 * and in cache, and what a flush merges into the B-tree is an append to each term's
 * last chunk. Old and new builds interleaved, two threads: 10 MB 8.2-10.5 s -> 6.6-7.1
 * s, 100 MB 76-85 s -> 65-71 s, peak RSS 236 -> 50 MB; 250 and 1,000 were within the
 * noise of 500 (docs/performance.md, fifth round). */
void ark_wdb_set_flush(void) {
    char n[16];
    std::snprintf(n, sizeof n, "%d", ARK_WDB_FLUSH);
    setenv("XAPIAN_FLUSH_THRESHOLD", n, 0); /* read by each WritableDatabase it opens */
}

void ark_wdb_on_abort(void (*fn)(void *), void *arg) {
    g_on_abort_arg = arg;
    g_on_abort = fn;
}

int ark_wdb_add(ark_wdb *w, const ark_xdoc *d, ark_err *err) {
    if (!w || !d) return ark_err_set(err, ARK_EINVAL, "ark_wdb_add: no database or document");
    return guard(err, "ark_wdb_add", [&]() -> int {
        writing mark("ark_wdb_add"); /* outside a transaction, every ARK_WDB_FLUSH a commit */
        w->db.add_document(d->doc);
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

int ark_wdb_add_spelling_freq(ark_wdb *w, const char *word, size_t len, uint32_t freq,
                              ark_err *err) {
    if (!w || !word) return ark_err_set(err, ARK_EINVAL, "ark_wdb_add_spelling_freq: no word");
    if (!len || !freq) return 0;
    return guard(err, "ark_wdb_add_spelling_freq", [&]() -> int {
        w->db.add_spelling(std::string(word, len), freq);
        return 0;
    });
}

int ark_wdb_remove_spelling_freq(ark_wdb *w, const char *word, size_t len, uint32_t freq,
                                 ark_err *err) {
    if (!w || !word) return ark_err_set(err, ARK_EINVAL, "ark_wdb_remove_spelling_freq: no word");
    if (!len || !freq) return 0;
    return guard(err, "ark_wdb_remove_spelling_freq", [&]() -> int {
        w->db.remove_spelling(std::string(word, len), freq);
        return 0;
    });
}

int ark_wdb_each_with_term(ark_wdb *w, const char *term, size_t len, ark_data_fn fn, void *user,
                           ark_err *err) {
    if (!w || !fn || !term || !len)
        return ark_err_set(err, ARK_EINVAL, "ark_wdb_each_with_term: no database, term or callback");
    return guard(err, "ark_wdb_each_with_term", [&]() -> int {
        std::string t(term, len);
        for (Xapian::PostingIterator p = w->db.postlist_begin(t); p != w->db.postlist_end(t); ++p) {
            std::string d = w->db.get_document(*p).get_data();
            if (fn(d.data(), d.size(), user) != 0) break;
        }
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

} /* extern "C" */
