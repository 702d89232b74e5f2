/* lib/index/shim_read.cc: the reading half of include/arkivar/index.h, on xapian-core 1.4.
 * Owns: the readable database (ark_rdb_*): opening local and remote shards, reopen,
 * statistics, metadata, term frequencies and term walks, spelling suggestions, and the
 * passages of one term; each read retried when it races a writer's commit.
 * Not here: running a query (ark_rdb_search, ark_rdb_count_by: shim_query.cc), writing
 * (shim_write.cc), the exception catch list and the handles' definitions (shim.h).
 * Why: the server's readers never write; their one hazard is a commit recycling the blocks
 * they read, which with_retry (shim.h) turns into a reopen and another try. */
#include "shim.h"

#include <sys/stat.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace ark_shim;

namespace {

/* Remote shards: xapian-tcpsrv may be slow to answer a big query, but a dead host should
 * fail fast (milliseconds). The server's --shard-timeout sets the first; a hung tcpsrv
 * (SIGSTOP) then costs a request this long, and the reconnect that finds it down as
 * much again (issue 16). Set once before any open (ark_rdb_set_shard_policy). */
unsigned g_timeout_ms = 10000, g_connect_timeout_ms = 2000;
bool g_partial = false;

using shard_clock = std::chrono::steady_clock;

/* Each thread's engine holds its own connections and finds a shard down or back on its
 * own next read; the process as a whole knows what the last of them found. That view,
 * by spec, is what /health and /metrics report (ark_rdb_shards_seen) and what the log
 * follows: one line when a shard leaves or comes back, not one per thread. */
std::mutex g_seen_m;
std::unordered_map<std::string, bool> g_seen;

/* The last reader's finding for spec: true when it changes what the process knew (a
 * shard not seen before counts as up). */
bool note_seen(const std::string &spec, bool up) {
    std::lock_guard<std::mutex> lock(g_seen_m);
    auto it = g_seen.find(spec);
    bool was = it == g_seen.end() ? true : it->second;
    g_seen[spec] = up;
    return was != up;
}

/* A fresh connection to a remote slot: true when it answered. With must, a shard that
 * does not answer throws instead (an open that cannot do without it fails; nothing is
 * noted or logged). */
bool connect_slot(shard_slot &s, bool must = false) {
    try {
        s.db = Xapian::Remote::open(s.host, s.port, g_timeout_ms, g_connect_timeout_ms);
        s.up = true;
        /* The operator must see a shard leave and come back in the log, not only in
         * the JSON: the server's stderr is its log. */
        if (note_seen(s.spec, true))
            std::fprintf(stderr, "arkivar: shard %s answers again\n", s.spec.c_str());
    } catch (const Xapian::Error &e) {
        if (must) throw;
        s.db = Xapian::Database();
        s.up = false;
        s.down_at = shard_clock::now();
        if (note_seen(s.spec, false))
            std::fprintf(stderr, "arkivar: shard %s does not answer (%s: %s); left out\n",
                         s.spec.c_str(), e.get_type(), e.get_msg().c_str());
    }
    return s.up;
}

/* r->db and r->shards from the slots that are up. Docids are those of the new
 * combination: none is kept across reads. */
void rebuild(ark_rdb *r) {
    Xapian::Database db;
    std::vector<Xapian::Database> shards;
    for (auto &s : r->slots) {
        if (!s.up) continue;
        db.add_database(s.db);
        if (r->slots.size() > 1) shards.push_back(s.db);
    }
    r->db = db;
    r->shards.swap(shards);
    r->generation++;
}

/* NULL when path is a directory, else why not. */
const char *not_a_dir(const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return std::strerror(errno);
    return S_ISDIR(st.st_mode) ? nullptr : "not a directory";
}

/* spec into out: a sharded index's folder (index.h) as its shards, each one a shard
 * like any other, so that metadata is read shard by shard and the engine counts and
 * ranks over them as over --shard ones; anything else as it is. False: a stub that is
 * not ours (err set). */
bool expand_local(const char *spec, std::vector<std::string> &out, ark_err *err) {
    std::string stub = std::string(spec) + "/" ARK_STUB_NAME;
    struct stat st;
    if (std::strncmp(spec, "tcp:", 4) == 0 || stat(stub.c_str(), &st) != 0) {
        out.push_back(spec);
        return true;
    }
    char **dirs = nullptr;
    size_t n = 0;
    if (ark_db_shards(spec, &dirs, &n, err)) return false;
    for (size_t k = 0; k < n; k++) out.push_back(dirs[k]);
    ark_db_shards_free(dirs, n);
    return true;
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

} // namespace

namespace ark_shim {

bool rdb_heal(ark_rdb *r) {
    bool changed = false;
    shard_clock::time_point now = shard_clock::now();
    for (auto &s : r->slots) {
        if (s.up || !s.remote) continue;
        if (now - s.down_at < std::chrono::milliseconds(ARK_SHARD_RETRY_MS)) continue;
        if (connect_slot(s)) changed = true;
    }
    if (changed) rebuild(r);
    return changed;
}

bool rdb_failover(ark_rdb *r) {
    /* One shard alone has no others to answer; a local one has no network to fail. */
    if (r->slots.size() < 2) return false;
    /* Which shard failed, Xapian does not say; and the connections that did answer may
     * hold a reply we never read. So every remote shard gets a fresh connection, and
     * those that do not answer it are left out. */
    for (auto &s : r->slots)
        if (s.remote && s.up) connect_slot(s);
    rebuild(r);
    return true;
}

bool rdb_usable(const ark_rdb *r) {
    if (g_partial) return true;
    for (const auto &s : r->slots)
        if (!s.up) return false;
    return true;
}

} // namespace ark_shim

extern "C" {

/* ---- Readable database -------------------------------------------------------------- */

int ark_rdb_open(const char *const *specs, size_t nspecs, ark_rdb **out, ark_err *err) {
    if (out) *out = nullptr;
    if (!specs || !nspecs || !out) return ark_err_set(err, ARK_EINVAL, "ark_rdb_open: no shards");
    return guard(err, "ark_rdb_open", [&]() -> int {
        std::unique_ptr<ark_rdb> r(new ark_rdb());
        std::vector<std::string> all;
        for (size_t i = 0; i < nspecs; i++) {
            if (!specs[i] || !*specs[i])
                return ark_err_set(err, ARK_EINVAL, "ark_rdb_open: shard %zu: empty spec", i);
            r->specs.push_back(specs[i]);
            if (!expand_local(specs[i], all, err)) return err ? err->code : ARK_EFORMAT;
        }
        for (const std::string &spec : all) {
            shard_slot slot;
            slot.spec = spec;
            if (spec.compare(0, 4, "tcp:") == 0) {
                slot.remote = true;
                if (!parse_tcp(spec, slot.host, slot.port))
                    return ark_err_set(err, ARK_EINVAL, "ark_rdb_open: '%s': want tcp:HOST:PORT",
                                       spec.c_str());
                /* partial: the others answer now, this one when it is back */
                try {
                    connect_slot(slot, !g_partial || all.size() < 2);
                } catch (const Xapian::Error &e) {
                    return set_xerr(err, ARK_EUNAVAIL, ("ark_rdb_open: '" + spec + "'").c_str(), e);
                }
            } else {
                /* Xapian opens a plain file as a stub database (an empty one if the file is
                 * empty), so a mistyped path would silently search nothing: insist on a
                 * directory. A local shard is never left out: it is ours to fix. */
                if (const char *why = not_a_dir(spec))
                    return ark_err_set(err, ARK_ENOTFOUND,
                                       "ark_rdb_open: '%s': no index directory (%s)", spec.c_str(),
                                       why);
                try {
                    slot.db = Xapian::Database(spec);
                    slot.up = true;
                } catch (const Xapian::DatabaseNotFoundError &e) {
                    return ark_err_set(err, ARK_ENOTFOUND, "ark_rdb_open: '%s': no index here (%s)",
                                       spec.c_str(), e.get_msg().c_str());
                } catch (const Xapian::Error &e) {
                    return set_xerr(err, ARK_EINDEX, ("ark_rdb_open: '" + spec + "'").c_str(), e);
                }
            }
            if (slot.remote) r->remote = true;
            r->slots.push_back(slot);
        }
        rebuild(r.get());
        *out = r.release();
        return 0;
    });
}

void ark_rdb_set_shard_policy(int partial, unsigned timeout_ms) {
    g_partial = partial != 0;
    if (timeout_ms) {
        g_timeout_ms = timeout_ms;
        g_connect_timeout_ms = timeout_ms < 2000 ? timeout_ms : 2000;
    }
}

size_t ark_rdb_missing(ark_rdb *r, size_t *answered, const char **specs, size_t max) {
    if (answered) *answered = 0;
    if (!r) return 0;
    size_t up = 0, k = 0;
    for (const auto &s : r->slots) {
        if (s.up) up++;
        else if (specs && k < max) specs[k++] = s.spec.c_str();
    }
    if (answered) *answered = up;
    return r->slots.size();
}

size_t ark_rdb_shards_seen(ark_rdb *r, size_t *answered) {
    if (answered) *answered = 0;
    if (!r) return 0;
    size_t up = 0;
    std::lock_guard<std::mutex> lock(g_seen_m);
    for (const auto &s : r->slots) {
        auto it = s.remote ? g_seen.find(s.spec) : g_seen.end();
        if (it != g_seen.end() ? it->second : s.up) up++;
    }
    if (answered) *answered = up;
    return r->slots.size();
}

void ark_rdb_close(ark_rdb *r) {
    if (!r) return;
    try {
        r->db.close();
        for (auto &one : r->shards) one.close();
        for (auto &s : r->slots) s.db.close();
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
        /* Not with_retry: under fail a shard down must not fail the reopen too (the
         * server would then open afresh, and reconnect, on every request); the next
         * read says ARK_EUNAVAIL. */
        unsigned gen = r->generation;
        rdb_heal(r);
        bool c = false;
        try {
            c = r->db.reopen();
            for (auto &one : r->shards) one.reopen();
        } catch (const Xapian::NetworkError &) {
            if (!rdb_failover(r)) throw;
        }
        if (changed) *changed = c || r->generation != gen ? 1 : 0;
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

int ark_rdb_meta_prefix_each(ark_rdb *r, const char *prefix, ark_meta_fn fn, void *user,
                             ark_err *err) {
    if (!r || !prefix || !*prefix || !fn)
        return ark_err_set(err, ARK_EINVAL,
                           "ark_rdb_meta_prefix_each: no database, prefix or callback");
    return guard(err, "ark_rdb_meta_prefix_each", [&]() -> int {
        std::string p = prefix;
        size_t shard = 0;  /* resume point after a retry: the shard, */
        std::string last;  /* and the last key reported in it */
        bool stopped = false;
        return with_retry(r, err, "ark_rdb_meta_prefix_each", [&]() -> int {
            size_t nshards = r->shards.empty() ? 1 : r->shards.size();
            for (; !stopped && shard < nshards; shard++, last.clear()) {
                Xapian::Database &one = r->shards.empty() ? r->db : r->shards[shard];
                Xapian::TermIterator it, end;
                try {
                    it = one.metadata_keys_begin(p);
                    end = one.metadata_keys_end(p);
                } catch (const Xapian::UnimplementedError &) {
                    continue;
                }
                if (!last.empty()) {
                    it.skip_to(last);
                    if (it != end && *it == last) ++it;
                }
                for (; it != end; ++it) {
                    std::string k = *it, v = one.get_metadata(k);
                    last = k;
                    if (fn(k.data(), k.size(), v.data(), v.size(), user) != 0) {
                        stopped = true;
                        break;
                    }
                }
                if (stopped) break;
            }
            return 0;
        });
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

int ark_rdb_cooccur(ark_rdb *r, const char *a, size_t alen, const char *b, size_t blen, int *out,
                    ark_err *err) {
    if (out) *out = 0;
    if (!r || !out || (!a && alen) || (!b && blen))
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_cooccur: no database");
    return guard(err, "ark_rdb_cooccur", [&]() -> int {
        std::string ta = str(a, alen), tb = str(b, blen);
        return with_retry(r, err, "ark_rdb_cooccur", [&]() -> int {
            *out = 0;
            Xapian::PostingIterator p = r->db.postlist_begin(ta), pe = r->db.postlist_end(ta);
            Xapian::PostingIterator q = r->db.postlist_begin(tb), qe = r->db.postlist_end(tb);
            /* leapfrog: each step skips ahead in the list that is behind */
            while (p != pe && q != qe) {
                if (*p == *q) {
                    *out = 1;
                    break;
                }
                if (*p < *q) p.skip_to(*q);
                else q.skip_to(*p);
            }
            return 0;
        });
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

} /* extern "C" */
