/* lib/index/shim_bm25.cc: BM25 with the document lengths read from an array.
 * Owns: rank_bm25, which sets an Enquire to rank by BM25 with Xapian's defaults (k1 1,
 *   k2 0, k3 1, b 0.5, min_normlen 0.5), and the two pieces that make it fast on one
 *   local database: a weight that computes BM25Weight's figures without asking Xapian
 *   for document lengths, and a posting source that tells it the length of the passage
 *   being weighed, from the value store's table (shim.h, value_store::doclen).
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
 *   tests compare their answers. */
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
    ~MatchLengths() override { current_table = nullptr; }
};

/* BM25Weight(1, 0, 1, 0.5, 0.5) without an RSet, with the length from current_len. */
class LengthBM25 : public Xapian::Weight {
    double termweight_ = 0, len_factor_ = 0;

  public:
    LengthBM25() {
        need_stat(COLLECTION_SIZE);
        need_stat(TERMFREQ);
        need_stat(WDF);
        need_stat(WDF_MAX);
        need_stat(DOC_LENGTH_MIN);
        need_stat(AVERAGE_LENGTH);
        need_stat(WQF); /* not DOC_LENGTH: that is the lookup this class exists to avoid */
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
    }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount, Xapian::termcount) const override {
        double normlen = std::max(current_len * len_factor_, MIN_NORMLEN);
        double w = wdf;
        double denom = K1 * (normlen * B + (1 - B)) + w;
        return termweight_ * (w / denom);
    }
    /* the largest sumpart: the largest wdf in the shortest passage that can hold it */
    double get_maxpart() const override {
        double lb = std::max(get_wdf_upper_bound(), get_doclength_lower_bound());
        double normlen = std::max(lb * len_factor_, MIN_NORMLEN);
        double w = get_wdf_upper_bound();
        return termweight_ * (w / (K1 * (normlen * B + (1 - B)) + w));
    }
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0; }
    double get_maxextra() const override { return 0; }
};

} // namespace

namespace ark_shim {

std::unique_ptr<Xapian::PostingSource> rank_bm25(Xapian::Enquire &enq, const Xapian::Query &q,
                                                 const value_store *st) {
    current_table = nullptr;
    if (!st || st->doclen.empty()) {
        enq.set_query(q);
        enq.set_weighting_scheme(Xapian::BM25Weight(K1, 0, K3, B, MIN_NORMLEN));
        return nullptr;
    }
    /* Owned here, not by the query (release()): a Query that fails to allocate after
     * taking a released source leaks it (test_faults). */
    std::unique_ptr<Xapian::PostingSource> src(new MatchLengths(&st->doclen));
    enq.set_query(Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, Xapian::Query(src.get())));
    enq.set_weighting_scheme(LengthBM25());
    return src;
}

Xapian::Query lengths_leaf() {
    LengthSource tmpl; /* the Query keeps a clone */
    return Xapian::Query(&tmpl);
}

} // namespace ark_shim
