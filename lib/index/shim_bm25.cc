/* lib/index/shim_bm25.cc: BM25 with the document lengths read from an array.
 * Owns: rank_bm25, which sets an Enquire to rank by BM25 with Xapian's defaults (k1 1,
 *   k2 0, k3 1, b 0.5, min_normlen 0.5), and the two pieces that make it fast on one
 *   local database: a weight that computes BM25Weight's figures without asking Xapian
 *   for document lengths, and a posting source that tells it the length of the passage
 *   being weighed, from the value store's table (shim.h, value_store::doclen); and the
 *   bound of each term of many passages (value_store::bounds).
 * Not here: the match itself and its spies (shim_query.cc).
 * Why: Xapian 1.4 reads a document's length from its length list for every term that
 *   matches it, walking that list's chunk from where the last lookup stopped; an OR of
 *   a word's forms over 300,000 passages spent 60 % of its match there (6.1 ms against
 *   2.4 ms with lengths ignored, synth-100MB). A weight cannot see the docid, so the
 *   source, the optional right side of AND_MAYBE(query, source), is moved to each
 *   candidate before the candidate is weighed (it matches every docid) and leaves that
 *   passage's length where the weight reads it. The figures are BM25Weight's to the bit
 *   (the same operations in the same order), so one index, local shards and remote ones
 *   (which keep Xapian's BM25Weight, as xapian-tcpsrv knows no other) rank alike; the
 *   tests compare their answers.
 *   And the bound: Xapian prunes an OR (a side that cannot reach the page is only
 *   checked where the other side matches) by each term's largest possible weight, which
 *   BM25Weight takes as the term's largest wdf in the shortest passage of the index. A
 *   term of many passages is bounded here by its best passage instead (find_bound,
 *   from its frontier), and Xapian drops its weak sides sooner: the same answers (the
 *   bound is exact), and the match's instructions in the steady state 6 % fewer over
 *   the benchmark's 300 queries and 14 % over its two- and three-word ones,
 *   synth-100MB (scripts/profile-stages.sh, docs/performance.md). */
#include "shim.h"

#include <algorithm>
#include <cmath>

namespace {

const double K1 = 1.0, K3 = 1.0, B = 0.5, MIN_NORMLEN = 0.5;

/* The length of the passage the current match is at, on this thread (a match runs on
 * one thread): set by LengthSource, read by LengthBM25. */
thread_local Xapian::termcount current_len;

/* The table of the match running on this thread, set by rank_bm25 for as long as the
 * source it returns lives (MatchLengths): every LengthSource of that match, its own and
 * those the query was built with (lengths_leaf), reads it. Outside such a match it is
 * NULL, so a query holding length leaves that runs in another match (ark_rdb_count_by,
 * after the search let go of the tables' lock) reads no table at all. */
thread_local const std::vector<uint16_t> *current_table;

/* The tight bounds of this thread's match (rank_bm25): a term's statistics, which are
 * all a weight is told of its term, and the largest length-and-wdf part of its
 * sumpart among its passages. Two terms with the same statistics keep the larger. */
struct term_bound {
    Xapian::doccount tf;
    Xapian::termcount cf;
    double g;
};
thread_local std::vector<term_bound> current_bounds;

class LengthSource : public Xapian::PostingSource {
    const std::vector<uint16_t> *len_ = nullptr;
    Xapian::docid did_ = 0, last_ = 0;

    void at(Xapian::docid d) {
        did_ = d;
        current_len = len_ && d < len_->size() ? (*len_)[d] : 0;
    }

  public:
    void init(const Xapian::Database &db) override {
        len_ = current_table;
        did_ = 0;
        last_ = db.get_lastdocid();
    }
    Xapian::doccount get_termfreq_min() const override { return last_; }
    Xapian::doccount get_termfreq_est() const override { return last_; }
    Xapian::doccount get_termfreq_max() const override { return last_; }
    /* every docid, holes included: it only ever stands beside the query's own matches */
    void next(double) override { at(did_ + 1); }
    void skip_to(Xapian::docid d, double) override { at(std::max(d, did_ + 1)); }
    bool check(Xapian::docid d, double) override {
        at(d);
        return true;
    }
    bool at_end() const override { return did_ > last_; }
    Xapian::docid get_docid() const override { return did_; }
    double get_weight() const override { return 0.0; }
    LengthSource *clone() const override { return new LengthSource(); }
};

/* The source rank_bm25 hands its caller: while it lives, current_table is its match's. */
class MatchLengths : public LengthSource {
  public:
    explicit MatchLengths(const std::vector<uint16_t> *table) { current_table = table; }
    ~MatchLengths() override {
        current_table = nullptr;
        current_bounds.clear();
    }
};

/* The part of BM25's sumpart that depends on the passage: wdf in a passage of len
 * terms, with the average length's inverse len_factor. get_sumpart is termweight times
 * this, to the bit. */
inline double len_part(double len_factor, Xapian::termcount len, Xapian::termcount wdf) {
    double normlen = std::max(len * len_factor, MIN_NORMLEN);
    double w = wdf;
    double denom = K1 * (normlen * B + (1 - B)) + w;
    return w / denom;
}

/* BM25Weight(1, 0, 1, 0.5, 0.5) without an RSet, with the length from current_len. */
class LengthBM25 : public Xapian::Weight {
    double termweight_ = 0, len_factor_ = 0;
    double bound_ = -1; /* the term's largest len_part, when rank_bm25 found it */

  public:
    LengthBM25() {
        need_stat(COLLECTION_SIZE);
        need_stat(TERMFREQ);
        need_stat(WDF);
        need_stat(WDF_MAX);
        need_stat(DOC_LENGTH_MIN);
        need_stat(AVERAGE_LENGTH);
        need_stat(WQF); /* not DOC_LENGTH: that is the lookup this class exists to avoid */
        need_stat(COLLECTION_FREQ); /* with TERMFREQ, what finds the term's bound */
    }
    LengthBM25 *clone() const override { return new LengthBM25(); }
    std::string name() const override { return "arkivar.LengthBM25"; }
    void init(double factor) override {
        Xapian::doccount tf = get_termfreq();
        double tw = (get_collection_size() - tf + 0.5) / (tf + 0.5);
        if (tw < 2) tw = tw * 0.5 + 1; /* a term in over a third of the passages stays positive */
        termweight_ = std::log(tw) * factor;
        double wqf = get_wqf();
        termweight_ *= (K3 + 1) * wqf / (K3 + wqf);
        termweight_ *= (K1 + 1);
        len_factor_ = get_average_length();
        if (len_factor_ != 0) len_factor_ = 1 / len_factor_;
        bound_ = -1;
        for (const term_bound &b : current_bounds)
            if (b.tf == tf && b.cf == get_collection_freq()) bound_ = std::max(bound_, b.g);
    }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount, Xapian::termcount) const override {
        return termweight_ * len_part(len_factor_, current_len, wdf);
    }
    /* The largest sumpart: the term's own (rank_bm25) where known, else the largest wdf
     * in the shortest passage that can hold it, as BM25Weight says. */
    double get_maxpart() const override {
        Xapian::termcount lb = std::max(get_wdf_upper_bound(), get_doclength_lower_bound());
        double loose = termweight_ * len_part(len_factor_, lb, get_wdf_upper_bound());
        /* a hair above: the bound was found with the database's average length */
        return bound_ >= 0 ? std::min(loose, termweight_ * bound_ * (1 + 1e-9)) : loose;
    }
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0; }
    double get_maxextra() const override { return 0; }
};

/* Terms of fewer passages keep BM25Weight's bound: their lists are short to read, and
 * finding the bound reads the whole list once. */
const Xapian::doccount TERM_BOUND_MIN = 1000;

/* Whether q holds a leaf whose statistics Xapian makes up from several terms (a
 * synonym, a wildcard): a made-up pair of statistics could equal a term's, whose bound
 * would then be taken for it. */
bool derived_stats(const Xapian::Query &q) {
    switch (q.get_type()) {
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_WILDCARD:
    case Xapian::Query::OP_MAX:
    case Xapian::Query::OP_ELITE_SET:
        return true;
    default:
        break;
    }
    for (size_t i = 0, n = q.get_num_subqueries(); i < n; i++)
        if (derived_stats(q.get_subquery(i))) return true;
    return false;
}

/* Add the passage of len terms holding the term wdf times to f, unless another point
 * outdoes it; drop the points it outdoes. */
void frontier_add(term_frontier &f, uint32_t len, uint32_t wdf) {
    auto &v = f.pts;
    for (const auto &p : v)
        if (p.first <= len && p.second >= wdf) return;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [&](const std::pair<uint32_t, uint32_t> &p) {
                               return p.first >= len && p.second <= wdf;
                           }),
            v.end());
    v.insert(std::lower_bound(v.begin(), v.end(), std::make_pair(len, wdf)), std::make_pair(len, wdf));
}

/* The largest len_part of f's passages at the average length's inverse len_factor. */
double best_of(const term_frontier &f, double len_factor) {
    double best = 0;
    for (const auto &pt : f.pts) best = std::max(best, len_part(len_factor, pt.first, pt.second));
    return best;
}

/* Term t's statistics and the largest len_part of its passages (exact: the weights see
 * the same lengths from the same table) into b; false when t holds too few passages
 * for a bound. Kept in st (term_frontier): the statistics for the revision rev, the
 * frontier read once and then only for the passages added since; so a term seen before
 * costs no lookup in the index at all. */
bool find_bound(const Xapian::Database &db, const value_store &st, const std::string &t,
                uint64_t rev, Xapian::docid last, double len_factor, term_bound &b) {
    term_frontier f;
    {
        std::lock_guard<std::mutex> g(st.bounds_m);
        if (st.bounds.size() > 100000) st.bounds.clear();
        auto it = st.bounds.find(t);
        if (it != st.bounds.end()) {
            const term_frontier &k = it->second;
            if (k.rev == rev && k.tf < TERM_BOUND_MIN) return false;
            if (k.rev == rev && k.upto >= last) {
                b = {k.tf, k.cf, best_of(k, len_factor)};
                return true;
            }
            f = k;
        }
    }
    if (f.rev != rev) {
        f.rev = rev;
        f.tf = db.get_termfreq(t);
        f.cf = db.get_collection_freq(t);
    }
    if (f.tf >= TERM_BOUND_MIN && f.upto < last) {
        const std::vector<uint16_t> &len = st.doclen;
        Xapian::PostingIterator p = db.postlist_begin(t), end = db.postlist_end(t);
        if (f.upto) p.skip_to(f.upto + 1);
        for (; p != end && *p <= last; ++p) {
            Xapian::docid d = *p;
            frontier_add(f, d < len.size() ? len[d] : 0, p.get_wdf());
        }
        f.upto = last;
    }
    {
        std::lock_guard<std::mutex> g(st.bounds_m);
        term_frontier &kept = st.bounds[t];
        if (kept.rev < f.rev || (kept.rev == f.rev && kept.upto < f.upto)) kept = f;
    }
    if (f.tf < TERM_BOUND_MIN) return false;
    b = {f.tf, f.cf, best_of(f, len_factor)};
    return true;
}

} // namespace

namespace ark_shim {

std::unique_ptr<Xapian::PostingSource> rank_bm25(Xapian::Enquire &enq, const Xapian::Database &db,
                                                 const Xapian::Query &q, const value_store *st) {
    current_table = nullptr;
    current_bounds.clear();
    if (!st || st->doclen.empty()) {
        enq.set_query(q);
        enq.set_weighting_scheme(Xapian::BM25Weight(K1, 0, K3, B, MIN_NORMLEN));
        return nullptr;
    }
    /* Owned here, not by the query (release()): a Query that fails to allocate after
     * taking a released source leaks it (test_faults). */
    std::unique_ptr<Xapian::PostingSource> src(new MatchLengths(&st->doclen));
    if (!derived_stats(q)) {
        double avg = db.get_avlength(), len_factor = avg != 0 ? 1 / avg : 0;
        uint64_t rev = db.get_revision();
        Xapian::docid last = db.get_lastdocid();
        term_bound b;
        for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
            if (find_bound(db, *st, *t, rev, last, len_factor, b)) current_bounds.push_back(b);
    }
    enq.set_query(Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, Xapian::Query(src.get())));
    enq.set_weighting_scheme(LengthBM25());
    return src;
}

Xapian::Query lengths_leaf() {
    LengthSource tmpl; /* the Query keeps a clone */
    return Xapian::Query(&tmpl);
}

} // namespace ark_shim
