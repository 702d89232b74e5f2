/* lib/index/shim_query.cc: the query half of include/arkivar/index.h, on xapian-core 1.4.
 * Owns: query trees built from C (ark_xq_*), running one (ark_rdb_search: BM25, date sort,
 * paging, facets, the hits handed to C) and exact counts by value (ark_rdb_count_by); the
 * facet tables that count a match with an array read instead of a document read.
 * Not here: how user text becomes a query (lib/search/compile.c), the readable database's
 * other reads (shim_read.cc), the exception catch list and the handles' definitions (shim.h).
 * Why: matching is where a query's instructions go (scripts/profile-stages.sh); one file
 * for it keeps the profile's figures and the code that makes them side by side. */
#include "shim.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace ark_shim;

namespace {

/* Values reported per facet: enough for years and document types, bounded for the UI. */
const Xapian::termcount FACET_TOP = 50;
/* With facets and no explicit check_at_least, count at least this many matches so the
 * facet counts describe more than the first page. */
const Xapian::doccount FACET_CHECK_AT_LEAST = 1000;

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

/* r is one local database: its matches reach our spies with its own docids, and its
 * value tables (value_tables) and length leaves (ark_xq_lengths) are used. */
bool one_local(const ark_rdb *r) {
    return r && !r->remote && r->slots.size() <= 1;
}

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

ark_xq *ark_xq_lengths(const ark_rdb *r) {
    return guard_ptr([&]() -> ark_xq * {
        if (!one_local(r)) return new ark_xq{Xapian::Query::MatchAll};
        return new ark_xq{lengths_leaf()};
    });
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

ark_xq *ark_xq_wildcard_in(ark_rdb *r, const char *prefix, size_t len, uint32_t max_expansion) {
    if (!r || r->slots.size() < 2) return ark_xq_wildcard(prefix, len, max_expansion);
    if (!prefix && len) return nullptr;
    return guard_ptr([&]() -> ark_xq * {
        /* Xapian 1.4 expands OP_WILDCARD in each shard on its own: each keeps its own
         * most frequent terms, and a term missing from a shard is weighed without it,
         * so "komm*" ranked otherwise than on one index. Expanded here over the union's
         * vocabulary instead (termfreqs summed over the shards), most frequent first,
         * ties in byte order, into the OP_SYNONYM OP_WILDCARD would have made. */
        std::string p = str(prefix, len);
        std::vector<std::pair<Xapian::doccount, std::string>> v;
        try {
            for (Xapian::TermIterator t = r->db.allterms_begin(p); t != r->db.allterms_end(p); ++t)
                v.emplace_back(t.get_termfreq(), *t);
        } catch (const Xapian::Error &) { /* a shard went away: Xapian's own expansion */
            return ark_xq_wildcard(prefix, len, max_expansion);
        }
        if (max_expansion && v.size() > max_expansion) {
            std::partial_sort(v.begin(), v.begin() + max_expansion, v.end(), [](const auto &a, const auto &b) {
                return a.first != b.first ? a.first > b.first : a.second < b.second;
            });
            v.resize(max_expansion);
            std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
        }
        std::vector<Xapian::Query> terms;
        terms.reserve(v.size());
        for (const auto &t : v) terms.emplace_back(t.second);
        return new ark_xq{Xapian::Query(Xapian::Query::OP_SYNONYM, terms.begin(), terms.end())};
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

void ark_xq_free(ark_xq *q) {
    delete q;
}

ark_xq *ark_xq_copy(const ark_xq *q) {
    if (!q) return nullptr;
    return guard_ptr([&]() -> ark_xq * { return new ark_xq{q->q}; });
}

/* ---- Running a query ---------------------------------------------------------------- */

void ark_search_opts_default(ark_search_opts *o) {
    if (!o) return;
    std::memset(o, 0, sizeof *o);
    o->offset = 0;
    o->limit = 10;
    o->sort_by_date = 0;
    for (int &s : o->facet_slots) s = -1;
    o->check_at_least = 0;
    o->group_slot = -1;
}

/* The store of the index with this UUID, shared with every ark_rdb open on it. */
std::shared_ptr<value_store> store_for(const std::string &uuid) {
    static std::mutex m;
    static std::map<std::string, std::weak_ptr<value_store>> stores;
    std::lock_guard<std::mutex> g(m);
    for (auto it = stores.begin(); it != stores.end();) /* forget indexes nobody has open */
        it = it->second.expired() ? stores.erase(it) : std::next(it);
    std::shared_ptr<value_store> s = stores[uuid].lock();
    if (!s) {
        s = std::make_shared<value_store>();
        stores[uuid] = s;
    }
    return s;
}

/* The table of slot in st (held under its shared lock), or NULL. */
const value_codes *table_of(const value_store &st, int slot) {
    for (auto &t : st.tables)
        if (t.slot == slot) return &t;
    return nullptr;
}

/* Bring the tables of db's store (*store, of the UUID *uuid: found or made here) up to
 * db's last docid, with a table for each of the n slots. db is one database: one index,
 * or one shard of several, whose docids are its own. */
std::shared_ptr<value_store> tables_of(const Xapian::Database &db, std::shared_ptr<value_store> &store,
                                       std::string &store_uuid, const int *slots, size_t n) {
    std::string uuid = db.get_uuid();
    if (!store || uuid != store_uuid) {
        store = store_for(uuid);
        store_uuid = uuid;
    }
    value_store &st = *store;
    Xapian::docid last = db.get_lastdocid();
    {
        std::shared_lock<std::shared_mutex> g(st.m);
        bool all = last <= st.upto;
        for (size_t i = 0; i < n && all; i++) all = slots[i] < 0 || table_of(st, slots[i]);
        if (all) return store;
    }
    std::unique_lock<std::shared_mutex> g(st.m);
    bool added = false;
    for (size_t i = 0; i < n; i++) {
        if (slots[i] < 0 || table_of(st, slots[i])) continue;
        st.tables.emplace_back();
        st.tables.back().slot = slots[i];
        added = true;
    }
    if (added) { /* a new slot: every table starts again, so all cover the same docids */
        for (auto &t : st.tables) {
            t.code.clear();
            t.names.clear();
            t.ids.clear();
        }
        st.doclen.clear();
        st.long_passage = false;
        st.upto = 0;
    }
    if (last > st.upto) {
        if (!st.long_passage) {
            st.doclen.resize(static_cast<size_t>(last) + 1, 0);
            Xapian::PostingIterator p = db.postlist_begin(""), pend = db.postlist_end("");
            if (p != pend && st.upto > 0) p.skip_to(st.upto + 1);
            for (; p != pend && *p <= last; ++p) {
                Xapian::termcount len = p.get_doclength();
                if (len > UINT16_MAX) {
                    st.long_passage = true;
                    break;
                }
                st.doclen[*p] = static_cast<uint16_t>(len);
            }
            if (st.long_passage) std::vector<uint16_t>().swap(st.doclen);
        }
        for (auto &t : st.tables) {
            t.code.resize(static_cast<size_t>(last) + 1);
            Xapian::ValueIterator v = db.valuestream_begin(static_cast<Xapian::valueno>(t.slot));
            Xapian::ValueIterator end = db.valuestream_end(static_cast<Xapian::valueno>(t.slot));
            if (v != end && st.upto > 0) v.skip_to(st.upto + 1);
            std::string last_val; /* a document's passages are neighbours: hash once */
            uint32_t c = 0;
            for (; v != end && v.get_docid() <= last; ++v) {
                std::string val = *v;
                if (val.empty()) continue;
                if (c == 0 || val != last_val) {
                    auto it = t.ids.find(val);
                    if (it != t.ids.end()) {
                        c = it->second;
                    } else {
                        t.names.push_back(val);
                        c = static_cast<uint32_t>(t.names.size());
                        t.ids.emplace(val, c);
                    }
                    last_val.swap(val);
                }
                t.code.set(v.get_docid(), c);
            }
        }
        st.upto = last;
    }
    return store;
}

/* The tables of r when it is one database; NULL for remote shards (their matches never
 * reach our spies) and for several shards: a spy then gets each document with its docid
 * in its own shard (Xapian 1.4's Document of a combined database), not the combined
 * docid, and cannot tell which shard it came from; those are counted shard by shard
 * (count_shards). */
std::shared_ptr<value_store> value_tables(ark_rdb *r, const int *slots, size_t n) {
    if (!one_local(r)) return nullptr;
    return tables_of(r->db, r->store, r->store_uuid, slots, n);
}

/* Counts the codes of the matches it sees; the answer is what ValueCountMatchSpy would
 * give for the same slot: values by count, highest first, ties in byte order. */
class FacetSpy : public Xapian::MatchSpy {
    const value_codes &t_;
    std::vector<uint64_t> n_;

  public:
    explicit FacetSpy(const value_codes &t) : t_(t), n_(t.names.size() + 1, 0) {}
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

/* Keeps the group code of every match it sees, GROUP_KEEP at most: when it has seen
 * every match, a hit's group count is how many of them share its code, and the second
 * query of ark_rdb_count_by is not needed. */
const size_t GROUP_KEEP = 20000;
class GroupSpy : public Xapian::MatchSpy {
    const value_codes &t_;

  public:
    std::vector<uint32_t> seen;
    bool full = false;
    explicit GroupSpy(const value_codes &t) : t_(t) {}
    void operator()(const Xapian::Document &doc, double) override {
        Xapian::docid d = doc.get_docid();
        if (seen.size() >= GROUP_KEEP) full = true;
        else seen.push_back(d < t_.code.size() ? t_.code[d] : 0);
    }
    uint32_t code(Xapian::docid d) const { return d < t_.code.size() ? t_.code[d] : 0; }
    const std::string *name(uint32_t c) const { return c ? &t_.names[c - 1] : nullptr; }
};

/* What several local shards count, each on its own tables: Xapian hands a match spy the
 * docid within the document's shard, so the one-database spies cannot count a combined
 * match (value_tables). Each shard runs the query once more, unweighted, with FacetSpy
 * and GroupSpy on its tables; the main match runs without spies. A document lives on one
 * shard, so its passages are counted by that shard's pass alone. */
struct shard_counts {
    std::vector<std::shared_ptr<value_store>> stores;
    std::vector<std::shared_lock<std::shared_mutex>> locks; /* the tables, until the end */
    std::vector<std::map<std::string, uint64_t>> facets;    /* by facet, summed over shards */
    std::vector<std::unique_ptr<GroupSpy>> groups;          /* by shard (empty: no group) */
    std::vector<bool> all;                                  /* by shard: its spy saw every match */
};

std::unique_ptr<shard_counts> count_shards(ark_rdb *r, const Xapian::Query &query,
                                           const std::vector<int> &facet_slots, int group_slot,
                                           Xapian::doccount check) {
    size_t n = r->shards.size();
    int slots[5] = {-1, -1, -1, -1, group_slot};
    for (size_t f = 0; f < facet_slots.size() && f < 4; f++) slots[f] = facet_slots[f];
    r->shard_stores.resize(n);
    r->shard_uuids.resize(n);
    std::unique_ptr<shard_counts> sc(new shard_counts());
    /* Every shard's tables first, then the shared locks: no lock is held while another
     * store may want its exclusive one. */
    for (size_t k = 0; k < n; k++)
        sc->stores.push_back(tables_of(r->shards[k], r->shard_stores[k], r->shard_uuids[k], slots, 5));
    for (auto &st : sc->stores) sc->locks.emplace_back(st->m);
    sc->facets.resize(facet_slots.size());
    sc->groups.resize(n);
    sc->all.assign(n, false);
    for (size_t k = 0; k < n; k++) {
        const value_store &st = *sc->stores[k];
        std::vector<std::unique_ptr<FacetSpy>> fs;
        Xapian::Enquire e(r->shards[k]);
        e.set_query(query);
        e.set_weighting_scheme(Xapian::BoolWeight());
        for (int s : facet_slots) {
            fs.emplace_back(new FacetSpy(*table_of(st, s)));
            e.add_matchspy(fs.back().get());
        }
        if (group_slot >= 0) {
            sc->groups[k].reset(new GroupSpy(*table_of(st, group_slot)));
            e.add_matchspy(sc->groups[k].get());
        }
        Xapian::MSet m = e.get_mset(0, 0, check);
        for (size_t f = 0; f < fs.size(); f++)
            for (const auto &v : fs[f]->top(SIZE_MAX)) sc->facets[f][v.first] += v.second;
        const GroupSpy *gs = sc->groups[k].get();
        sc->all[k] = gs && !gs->full && gs->seen.size() == m.get_matches_lower_bound() &&
                     gs->seen.size() == m.get_matches_upper_bound();
    }
    return sc;
}

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
            /* Our tables for every slot, or Xapian's spy for every slot: never a mix, so
             * facet f is fast[f] or spies[f]. All slots' tables are made first (adding a
             * slot moves the others), then referred to. */
            int slots[5] = {o->facet_slots[0], o->facet_slots[1], o->facet_slots[2],
                            o->facet_slots[3], o->group_slot};
            std::shared_ptr<value_store> st = value_tables(r, slots, 5);
            std::shared_lock<std::shared_mutex> reading; /* the tables, while the match runs */
            if (st) reading = std::shared_lock<std::shared_mutex>(st->m);
            std::unique_ptr<Xapian::PostingSource> lengths; /* outlives enq */
            Xapian::Enquire enq(r->db);
            lengths = rank_bm25(enq, r->db, q->q, st.get());
            if (o->sort_by_date)
                enq.set_sort_by_value_then_relevance(ARK_SLOT_DATE, o->sort_by_date > 0);
            bool use_tables = st != nullptr;
            for (int s : slots)
                if (use_tables && s >= 0 && !table_of(*st, s)) use_tables = false;
            /* Remote shards and a sort by date: Xapian 1.4 gave facet counts above the
             * matches (katalog 57 of 79 "copenhagen" passages, 50 on one index; sorted by
             * relevance, right), so the facets are counted by a match of their own. */
            bool facets_apart = r->remote && o->sort_by_date;
            Xapian::Enquire fenq(r->db);
            fenq.set_query(q->q);
            Xapian::Enquire &spied = facets_apart ? fenq : enq;
            bool split = !r->remote && r->shards.size() > 1; /* counted by count_shards */
            for (int s : o->facet_slots) {
                if (s < 0) continue;
                spy_slots.push_back(s);
                if (split) continue;
                /* Owned before the vector grows: a failed growth must not lose the spy. */
                if (use_tables) {
                    std::unique_ptr<FacetSpy> spy(new FacetSpy(*table_of(*st, s)));
                    fast.push_back(std::move(spy));
                    enq.add_matchspy(fast.back().get());
                } else {
                    std::unique_ptr<Xapian::ValueCountMatchSpy> spy(
                        new Xapian::ValueCountMatchSpy(static_cast<Xapian::valueno>(s)));
                    spies.push_back(std::move(spy));
                    spied.add_matchspy(spies.back().get());
                }
            }
            std::unique_ptr<GroupSpy> group;
            if (use_tables && o->group_slot >= 0) {
                group.reset(new GroupSpy(*table_of(*st, o->group_slot)));
                enq.add_matchspy(group.get());
            }
            uint64_t want64 = static_cast<uint64_t>(o->offset) + o->limit; /* no wrap */
            Xapian::doccount want =
                static_cast<Xapian::doccount>(std::min<uint64_t>(want64, UINT32_MAX));
            Xapian::doccount check = o->check_at_least ? o->check_at_least : want;
            if (!spy_slots.empty() && !o->check_at_least) check = std::max(check, FACET_CHECK_AT_LEAST);
            Xapian::MSet mset = enq.get_mset(o->offset, o->limit, check);
            if (facets_apart && !spy_slots.empty()) fenq.get_mset(0, 0, check);
            std::unique_ptr<shard_counts> sc;
            if (split && (!spy_slots.empty() || o->group_slot >= 0))
                sc = count_shards(r, q->q, spy_slots, o->group_slot, check);

            hits_guard g;
            ark_hits &h = g.h;
            if (mset.size()) {
                h.v = static_cast<ark_hit *>(std::calloc(mset.size(), sizeof(ark_hit)));
                if (!h.v) throw std::bad_alloc();
            }
            /* The spy saw every match: the groups' counts are exact. */
            bool all = group && !group->full &&
                       group->seen.size() == mset.get_uncollapsed_matches_lower_bound() &&
                       group->seen.size() == mset.get_uncollapsed_matches_upper_bound();
            std::vector<uint32_t> codes; /* the page's groups, sorted, and their counts */
            std::vector<uint64_t> counts;
            if (all) {
                for (Xapian::MSetIterator i = mset.begin(); i != mset.end(); ++i)
                    codes.push_back(group->code(*i));
                std::sort(codes.begin(), codes.end());
                codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
                counts.assign(codes.size(), 0);
                for (uint32_t c : group->seen) {
                    auto at = std::lower_bound(codes.begin(), codes.end(), c);
                    if (at != codes.end() && *at == c) counts[static_cast<size_t>(at - codes.begin())]++;
                }
            }
            size_t nsh = r->shards.size();
            std::vector<std::pair<Xapian::docid, size_t>> by_docid; /* (docid, hit) */
            for (Xapian::MSetIterator i = mset.begin(); i != mset.end(); ++i) {
                ark_hit &hit = h.v[h.n];
                Xapian::Document doc = i.get_document();
                uint32_t c = group ? group->code(*i) : 0;
                const std::string *name = group ? group->name(c) : nullptr;
                const GroupSpy *gs = nullptr; /* several shards: the hit's shard's pass */
                size_t k = 0;
                if (sc && o->group_slot >= 0) {
                    /* Xapian 1.4 interleaves the shards' docids: shard k's d is (d-1)*n+k+1 */
                    k = static_cast<size_t>((*i - 1) % nsh);
                    gs = sc->groups[k].get();
                    c = gs->code((*i - 1) / static_cast<Xapian::docid>(nsh) + 1);
                    name = gs->name(c);
                }
                hit.key = name && o->group_slot == ARK_SLOT_DOC ? dup_bytes(*name)
                                                                 : dup_bytes(doc.get_value(ARK_SLOT_DOC));
                h.n++; /* counted now, so that the guard frees the key if the data fails */
                hit.docid = *i;
                hit.score = i.get_weight();
                by_docid.emplace_back(*i, h.n - 1);
                if (all && c) {
                    auto at = std::lower_bound(codes.begin(), codes.end(), c);
                    hit.group_matches = counts[static_cast<size_t>(at - codes.begin())];
                }
                if (gs && sc->all[k] && c)
                    hit.group_matches = static_cast<uint64_t>(std::count(gs->seen.begin(), gs->seen.end(), c));
            }
            /* The records in docid order: neighbours share the B-tree's leaf blocks, which
             * the table's cursor keeps, so fewer blocks are read than in the page's order. */
            std::sort(by_docid.begin(), by_docid.end());
            for (const auto &p : by_docid) {
                std::string d = r->db.get_document(p.first, Xapian::DOC_ASSUME_VALID).get_data();
                h.v[p.second].data = dup_bytes(d);
                h.v[p.second].data_len = d.size();
            }
            h.total = mset.get_uncollapsed_matches_estimated();
            h.total_lower = mset.get_uncollapsed_matches_lower_bound();
            h.total_upper = mset.get_uncollapsed_matches_upper_bound();
            for (size_t f = 0; f < spy_slots.size() && f < 4; f++) {
                /* Either spy gives its values by count, highest first, ties in byte order. */
                std::vector<std::pair<std::string, uint64_t>> top;
                if (sc) {
                    top.assign(sc->facets[f].begin(), sc->facets[f].end());
                    std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
                        return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
                    if (top.size() > FACET_TOP) top.resize(FACET_TOP);
                } else if (f < fast.size()) {
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

int ark_rdb_count_by(ark_rdb *r, const ark_xq *q, int slot, ark_term_iter_fn fn, void *user,
                     ark_err *err) {
    if (!r || !q || !fn || slot < 0)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_count_by: no database, query or callback");
    return guard(err, "ark_rdb_count_by", [&]() -> int {
        std::vector<std::pair<std::string, uint64_t>> counts;
        int rc = with_retry(r, err, "ark_rdb_count_by", [&]() -> int {
            Xapian::Enquire enq(r->db);
            enq.set_query(q->q);
            enq.set_weighting_scheme(Xapian::BoolWeight());
            counts.clear();
            /* From the slot's table where there is one: ValueCountMatchSpy reads the
             * value from Xapian's value stream for every match. */
            std::shared_ptr<value_store> st = value_tables(r, &slot, 1);
            std::shared_lock<std::shared_mutex> reading;
            if (st) reading = std::shared_lock<std::shared_mutex>(st->m);
            const value_codes *t = st ? table_of(*st, slot) : nullptr;
            if (t) {
                FacetSpy spy(*t);
                enq.add_matchspy(&spy);
                enq.get_mset(0, 0, r->db.get_doccount()); /* every match reaches the spy */
                counts = spy.top(SIZE_MAX);
                std::sort(counts.begin(), counts.end()); /* in byte order, as Xapian's */
                return 0;
            }
            Xapian::ValueCountMatchSpy spy(static_cast<Xapian::valueno>(slot));
            enq.add_matchspy(&spy);
            enq.get_mset(0, 0, r->db.get_doccount());
            for (auto v = spy.values_begin(); v != spy.values_end(); ++v)
                counts.emplace_back(*v, v.get_termfreq());
            return 0;
        });
        if (rc) return rc;
        for (const auto &c : counts)
            if (fn(c.first.data(), c.first.size(), c.second, user)) break;
        return 0;
    });
}

void ark_hits_free(ark_hits *h) {
    if (h) free_hits(h);
}

/* ---- Explaining one hit ----------------------------------------------------------------- */

namespace {

/* The weight of q in the one passage holding uid: q FILTERed by its unique term, so the
 * match reads q's postings only where that passage is (skip_to), and BM25's statistics
 * (N, the average length, each term's frequency) are the whole database's, as in
 * ark_rdb_search: the figure is the one that match gave the passage. */
double weight_in(ark_rdb *r, const Xapian::Query &q, const std::string &uid) {
    int none[1] = {-1};
    std::shared_ptr<value_store> st = value_tables(r, none, 1);
    std::shared_lock<std::shared_mutex> reading;
    if (st) reading = std::shared_lock<std::shared_mutex>(st->m);
    std::unique_ptr<Xapian::PostingSource> lengths; /* outlives enq */
    Xapian::Enquire enq(r->db);
    lengths = rank_bm25(enq, r->db, Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(uid)), st.get()); /* as ark_rdb_search */
    Xapian::MSet m = enq.get_mset(0, 1);
    return m.empty() ? 0.0 : m.begin().get_weight();
}

void free_xterms(ark_xterms *t) {
    if (t->v)
        for (size_t i = 0; i < t->n; i++) std::free(t->v[i].term);
    std::free(t->v);
    std::memset(t, 0, sizeof *t);
}

} // namespace

int ark_rdb_weight_in(ark_rdb *r, const ark_xq *q, const char *uid, size_t len, double *w,
                      ark_err *err) {
    if (w) *w = 0;
    if (!r || !q || !uid || !w)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_weight_in: no database, query or passage");
    return guard(err, "ark_rdb_weight_in", [&]() -> int {
        return with_retry(r, err, "ark_rdb_weight_in", [&]() -> int {
            *w = weight_in(r, q->q, str(uid, len));
            return 0;
        });
    });
}

int ark_rdb_terms_in(ark_rdb *r, const ark_xq *q, uint32_t docid, const char *uid, size_t len,
                     ark_xterms *out, ark_err *err) {
    if (out) std::memset(out, 0, sizeof *out);
    if (!r || !q || !uid || !out)
        return ark_err_set(err, ARK_EINVAL, "ark_rdb_terms_in: no database, query or passage");
    return guard(err, "ark_rdb_terms_in", [&]() -> int {
        return with_retry(r, err, "ark_rdb_terms_in", [&]() -> int {
            std::string u = str(uid, len);
            /* The query's terms in byte order, walked against the passage's term list in
             * one pass (skip_to), rather than a lookup per term. */
            struct held { std::string t; uint32_t wdf; };
            std::vector<held> in;
            Xapian::TermIterator dt = r->db.termlist_begin(docid);
            Xapian::TermIterator dend = r->db.termlist_end(docid);
            for (auto t = q->q.get_unique_terms_begin(); t != q->q.get_unique_terms_end(); ++t) {
                if (dt == dend) break;
                dt.skip_to(*t);
                if (dt != dend && *dt == *t) in.push_back({*t, dt.get_wdf()});
            }
            ark_xterms x;
            std::memset(&x, 0, sizeof x);
            struct xguard { ark_xterms *p; ~xguard() { if (p) free_xterms(p); } } g{&x};
            x.doclen = r->db.get_doclength(docid);
            if (!in.empty()) {
                x.v = static_cast<ark_xterm *>(std::calloc(in.size(), sizeof(ark_xterm)));
                if (!x.v) throw std::bad_alloc();
            }
            for (const held &h : in) {
                ark_xterm &o = x.v[x.n];
                o.term = dup_bytes(h.t);
                x.n++;
                o.len = h.t.size();
                o.wdf = h.wdf;
                o.termfreq = r->db.get_termfreq(h.t);
                o.weight = weight_in(r, Xapian::Query(h.t), u);
            }
            *out = x;
            g.p = nullptr; /* transferred */
            return 0;
        });
    });
}

void ark_xterms_free(ark_xterms *t) {
    if (t) free_xterms(t);
}

} /* extern "C" */
