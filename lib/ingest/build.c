/* lib/ingest/build.c: one source file into passage documents (include/arkivar/ingest.h).
 * Owns: the mapping from passages and metadata to Xapian documents: terms from the
 * analysis chain with positions, filter terms, sortable values, the stored record, the
 * acronym definitions its text gives; the learning pass (a file's vocabulary); counting
 * spelling words.
 * Not here: threads and order (indexer/pipeline.h, indexer/main.c, server/writer.c).
 * Why in lib/: the indexer and the server's push route both write documents, and they
 * must write the same ones; the engine only has to agree on the layout, which record.h
 * and schema.h name. Why split into learn, prepare and write: the first two need no
 * index and run on any thread; only write touches the WritableDatabase. */
#include "arkivar/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arkivar/record.h"
#include "arkivar/text.h"
#include "arkivar/schema.h"

typedef struct term_sink {
    ark_xdoc *doc;
    int rc;
} term_sink;

/* Which terms carry positions is the analysis's rule (ark_an_terms): stems and the exact
 * forms without a stem do, for phrases; the rest only count (positions dominate the
 * index's size). */
static void emit_posting(const char *term, size_t len, uint32_t pos, void *user) {
    term_sink *s = user;
    if (s->rc) return;
    if (term[0] == ARK_PFX_WRITTEN) s->rc = ark_xdoc_add_boolean(s->doc, term, len);
    else if (pos == ARK_NOPOS) s->rc = ark_xdoc_add_term(s->doc, term, len, 1);
    else s->rc = ark_xdoc_add_posting(s->doc, term, len, pos);
}

static int add_filter(ark_xdoc *d, const char *prefix, const char *val) {
    char term[ARK_TERM_BUF];
    size_t n = strlen(prefix);
    memcpy(term, prefix, n);
    n += ark_lower(val, strlen(val), term + n, sizeof term - n);
    return n > strlen(prefix) ? ark_xdoc_add_boolean(d, term, n) : 0;
}

/* "2026-0179043,2026-11781" from the extracted case numbers. */
static int join_cases(const ark_meta *m, ark_buf *out) {
    int rc = 0;
    ark_buf_reset(out);
    for (size_t i = 0; !rc && i < m->ncase_numbers; i++) {
        if (i) rc = ark_buf_putc(out, ',');
        if (!rc) rc = ark_buf_puts(out, m->case_numbers[i]);
    }
    return rc ? rc : ark_buf_append(out, "", 0);
}

/* A token that goes to the spelling table ("Mente du") is counted into words: a word of
 * 3 bytes or more, without a hyphen. The one rule for adding a document's words and for
 * taking them back when it goes (forget_spelling). */
static int spell_token(const ark_token *tok, ark_wcount *words) {
    if (tok->kind != ARK_TOK_WORD || tok->len < 3) return 0;
    char low[ARK_MAX_TERM + 1];
    size_t n = ark_lower(tok->p, tok->len, low, sizeof low);
    if (memchr(low, '-', n)) return 0;
    return ark_wcount_add(words, low, n, 1);
}

/* A filter term per free field: ARK_PFX_FIELD "key=value" (record.h's pairs). */
static int add_fields(ark_xdoc *d, const char *fields) {
    int rc = 0;
    char one[ARK_FIELD_KEY_MAX + ARK_FIELD_VALUE_MAX + 2];
    for (const char *f = fields, *e; !rc && f && (e = strchr(f, ARK_FIELD_SEP)); f = e + 1) {
        size_t n = (size_t)(e - f) < sizeof one - 1 ? (size_t)(e - f) : sizeof one - 1;
        memcpy(one, f, n);
        one[n] = '\0';
        rc = add_filter(d, ARK_PFX_FIELD, one);
    }
    return rc;
}

static int add_passage(ark_an *an, const char *id, const ark_meta *m, const char *fields,
                       const ark_passage *p, ark_buf *scratch, ark_built *out, ark_err *err) {
    int rc = 0;
    ark_xdoc *d = ark_xdoc_new();
    if (!d) return ark_err_set(err, ARK_ENOMEM, "%s: new document", id);
    out->docs[out->ndocs++] = d; /* out owns it from here, whatever happens below */

    term_sink sink = {d, 0};
    ark_tok t;
    ark_token tok;
    ark_tok_init(&t, p->text, p->text_len);
    while (sink.rc == 0 && ark_tok_next(&t, &tok)) {
        ark_an_terms(an, &tok, emit_posting, &sink);
        ark_an_written(&tok, p->text, p->text_len, emit_posting, &sink);
        if ((rc = spell_token(&tok, &out->spell))) goto out;
    }
    if ((rc = sink.rc)) goto out;

    char dterm[ARK_MAX_ID + 2];
    int dn = snprintf(dterm, sizeof dterm, ARK_PFX_DOC "%s", id);
    if ((rc = ark_xdoc_add_boolean(d, dterm, (size_t)dn))) goto out;
    if ((rc = add_filter(d, ARK_PFX_TYPE, m->type))) goto out;
    if ((rc = add_filter(d, ARK_PFX_COMMITTEE, m->committee))) goto out;
    for (size_t i = 0; i < m->ncase_numbers; i++)
        if ((rc = add_filter(d, ARK_PFX_CASE, m->case_numbers[i]))) goto out;
    if ((rc = add_fields(d, fields))) goto out;

    char date[9] = "", year[5] = "";
    if (strlen(m->date) >= 10) { /* "2026-06-24" → "20260624" sorts as bytes */
        snprintf(date, sizeof date, "%.4s%.2s%.2s", m->date, m->date + 5, m->date + 8);
        snprintf(year, sizeof year, "%.4s", m->date);
        if ((rc = add_filter(d, ARK_PFX_YEAR, year))) goto out;
    }
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_DOC, id, strlen(id)))) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_DATE, date, strlen(date)))) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_TYPE, m->type, strlen(m->type)))) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_YEAR, year, strlen(year)))) goto out;

    ark_prec rec = {id, strlen(id), p->ordinal, p->start, p->end, p->line_start, p->line_end,
                    p->page, p->heading, strlen(p->heading), p->text, p->text_len,
                    p->page_end};
    ark_buf_reset(scratch);
    if ((rc = ark_prec_encode(&rec, scratch))) goto out;
    if ((rc = ark_xdoc_set_data(d, scratch->data, scratch->len))) goto out;

    char uid[ARK_MAX_ID + 16];
    int un = snprintf(uid, sizeof uid, ARK_PFX_UID "%s#%u", id, p->ordinal);
    /* The document's old passages are deleted by their D term before this one is added
     * (ark_build_write), so no lookup of the uid is needed. */
    rc = ark_xdoc_add_boolean(d, uid, (size_t)un);
out:
    if (rc && err && err->code != rc) ark_err_set(err, rc, "%s: passage %u", id, p->ordinal);
    return rc;
}

/* The acronym definitions of a file's passages, each pair once, in the order of the
 * text, as ARK_META_ACRONYMS holds them (schema.h). */
typedef struct acro_sink {
    ark_buf *out;
    size_t n;
    int rc;
} acro_sink;

/* Whether b holds the line line[0, n) (ended by its '\n'). */
static int acro_has(const ark_buf *b, const char *line, size_t n) {
    size_t i = 0;
    while (i + n <= b->len) {
        if (memcmp(b->data + i, line, n) == 0) return 1;
        const char *nl = memchr(b->data + i, '\n', b->len - i);
        i = (size_t)(nl - b->data) + 1; /* every line ends with one */
    }
    return 0;
}

static int acro_keep(const char *sf, size_t sfn, const char *lf, size_t lfn, void *user) {
    acro_sink *a = user;
    char line[512];
    if (sfn + lfn + 2 > sizeof line) return 0;
    memcpy(line, sf, sfn);
    line[sfn] = '\t';
    memcpy(line + sfn + 1, lf, lfn);
    line[sfn + 1 + lfn] = '\n';
    size_t n = sfn + lfn + 2;
    if (acro_has(a->out, line, n)) return 0;
    if ((a->rc = ark_buf_append(a->out, line, n))) return 1;
    return ++a->n >= ARK_ACRONYMS_PER_DOC;
}

static int find_acronyms(const ark_passages *ps, ark_buf *out) {
    acro_sink a = {out, 0, 0};
    ark_buf_reset(out);
    for (size_t i = 0; i < ps->n && !a.rc && a.n < ARK_ACRONYMS_PER_DOC; i++)
        ark_acronym_scan(ps->v[i].text, ps->v[i].text_len, acro_keep, &a);
    return a.rc;
}

/* The words a file gives the compound vocabulary: the list knows "virksomheder" but not
 * "tech", so "techvirksomheder" splits only once the records have used "tech" alone.
 * Words of four letters or more, letters only. Every file of a run is learned from
 * before any is analysed (ark_build_learn), so a file's compounds split the same
 * whatever the order of the files and the number of threads. */
static int learn_words(const ark_passages *ps, ark_wcount *words) {
    for (size_t i = 0; i < ps->n; i++) {
        ark_tok t;
        ark_token tok;
        ark_tok_init(&t, ps->v[i].text, ps->v[i].text_len);
        while (ark_tok_next(&t, &tok)) {
            if (tok.kind != ARK_TOK_WORD || tok.len < 4 || tok.len > 40) continue;
            char low[ARK_MAX_TERM + 1];
            size_t n = ark_lower(tok.p, tok.len, low, sizeof low);
            if (memchr(low, '-', n) || memchr(low, '\'', n)) continue;
            if (ark_wcount_add(words, low, n, 1)) return ARK_ENOMEM;
        }
    }
    return 0;
}

/* What the index holds for key: *exists, and the content hash, which is left "" when
 * the record names another root (a v1 record from before roots were stored): the file is
 * then re-indexed so its record names the root. */
static int stored_hash(ark_build *b, const char *key, const char *root, int *exists,
                       char hash[33], ark_err *err) {
    char *val = NULL, *z = NULL;
    size_t len = 0;
    ark_drec d;
    *exists = 0;
    hash[0] = '\0';
    int rc = ark_wdb_get_meta(b->w, key, &val, &len, err);
    if (rc || !val || len == 0) goto out;
    *exists = 1;
    if (!(z = malloc(len + 1))) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: document record", key + 1);
        goto out;
    }
    memcpy(z, val, len);
    z[len] = '\0';
    /* A corrupt record is not fatal: the file is indexed again and the record rewritten. */
    if (ark_drec_decode(z, len, &d, NULL) == 0 && strcmp(d.root, root) == 0)
        memcpy(hash, d.hash, 33);
out:
    free(z);
    free(val);
    return rc;
}

/* The spelling words of a stored passage, counted into forget->words. */
typedef struct forget {
    ark_wcount words;
    ark_buf scratch;
    int rc;
} forget;

static int forget_passage(const char *data, size_t len, void *user) {
    forget *f = user;
    ark_prec p;
    if (ark_prec_decode(data, len, &p, &f->scratch, NULL) != 0) return 0; /* nothing to take */
    ark_tok t;
    ark_token tok;
    ark_tok_init(&t, p.text, p.text_len);
    while (f->rc == 0 && ark_tok_next(&t, &tok)) f->rc = spell_token(&tok, &f->words);
    return f->rc;
}

/* Take the words of document key's stored passages back from the spelling table, before
 * they are deleted: a removed document (or one that moved to another level's database)
 * must never be suggested by "Mente du" again. */
static int forget_spelling(ark_build *b, const char *key, size_t klen, ark_err *err) {
    forget f = {0};
    int rc = ark_wdb_each_with_term(b->w, key, klen, forget_passage, &f, err);
    if (rc == 0 && f.rc) rc = ark_err_set(err, f.rc, "spelling words of %s", key + 1);
    for (size_t i = 0; rc == 0 && i < f.words.n; i++) {
        size_t len;
        const char *w = ark_wcount_word(&f.words, i, &len);
        rc = ark_wdb_remove_spelling_freq(b->w, w, len, f.words.cnt[i], err);
    }
    ark_wcount_free(&f.words);
    ark_buf_free(&f.scratch);
    return rc;
}

int ark_build_remove(ark_build *b, const char *id, ark_err *err) {
    char key[ARK_MAX_ID + 2];
    int n = snprintf(key, sizeof key, ARK_PFX_DOC "%s", id);
    int rc = forget_spelling(b, key, (size_t)n, err);
    if (rc == 0) rc = ark_wdb_delete_term(b->w, key, (size_t)n, err);
    if (rc == 0) rc = ark_wdb_set_meta(b->w, key, "", 0, err);
    if (rc == 0) {
        snprintf(key, sizeof key, ARK_META_ACRONYMS "%s", id);
        rc = ark_wdb_set_meta(b->w, key, "", 0, err);
    }
    return rc;
}

int ark_build_root_of(ark_build *b, const char *id, int *exists, char *root, size_t cap,
                      ark_err *err) {
    char key[ARK_MAX_ID + 2], *val = NULL;
    size_t len = 0;
    *exists = 0;
    if (cap) root[0] = '\0';
    if (strlen(id) > ARK_MAX_ID) return 0;
    snprintf(key, sizeof key, ARK_PFX_DOC "%s", id);
    int rc = ark_wdb_get_meta(b->w, key, &val, &len, err);
    if (rc == 0 && val && len) {
        ark_drec d;
        *exists = 1;
        if (ark_drec_decode(val, len, &d, NULL) == 0 && cap) snprintf(root, cap, "%s", d.root);
    }
    free(val);
    return rc;
}

int ark_build_stored(ark_build *b, const char *id, const char *root, int *exists,
                     char hash[33], ark_err *err) {
    char key[ARK_MAX_ID + 2];
    *exists = 0;
    hash[0] = '\0';
    if (strlen(id) > ARK_MAX_ID) return 0; /* refused by ark_build_prepare */
    snprintf(key, sizeof key, ARK_PFX_DOC "%s", id);
    return stored_hash(b, key, root, exists, hash, err);
}

/* Load path and say whether it changed since old_hash: ARK_BUILD_INDEXED (changed, src
 * and hash filled), ARK_BUILD_UNCHANGED or a negative code. */
/* A markdown file's front matter into fm, its bytes then blanked in src (newlines kept),
 * so no passage holds it and every offset still counts the file's own bytes. */
static int front_matter(const char *path, ark_source *src, ark_sidecar *fm, ark_err *err) {
    if (!ark_front_file(path)) return 0;
    size_t n = ark_front_len(src->bytes, src->len);
    if (!n) return 0;
    ark_err perr = {0, ""};
    int rc = ark_front_parse(src->bytes, src->len, fm, &perr);
    if (rc) return ark_err_set(err, rc, "%s", perr.msg);
    for (size_t i = 0; i < n; i++)
        if (src->bytes[i] != '\n') src->bytes[i] = ' ';
    return 0;
}

static int load_changed(const char *path, unsigned mask, const char *old_hash, int force,
                        ark_source *src, ark_sidecar *sc, ark_sidecar *fm, char hash[33],
                        ark_err *err) {
    int rc = ark_sidecar_read(path, sc, err);
    if (rc) return rc;
    if ((rc = ark_source_load(path, src, err))) return rc;
    src->mask = mask;
    if (!sc->raw) {
        ark_content_hash(src->bytes, src->len, hash);
    } else {
        /* What the sidecar says is part of the document: a changed title re-indexes it. */
        char *both = malloc(src->len + 1 + sc->raw_len);
        if (!both) return ark_err_set(err, ARK_ENOMEM, "%s: content hash", path);
        memcpy(both, src->bytes, src->len);
        both[src->len] = '\0';
        memcpy(both + src->len + 1, sc->raw, sc->raw_len);
        ark_content_hash(both, src->len + 1 + sc->raw_len, hash);
        free(both);
    }
    if (!force && strcmp(old_hash, hash) == 0) return ARK_BUILD_UNCHANGED;
    if ((rc = front_matter(path, src, fm, err))) return rc;
    return ARK_BUILD_INDEXED;
}

/* Replace *field with a copy of v (the source system's word over the text's guess). */
static int take_field(char **field, const char *v) {
    if (!v) return 0;
    char *c = strdup(v);
    if (!c) return ARK_ENOMEM;
    free(*field);
    *field = c;
    return 0;
}

/* The sidecar's metadata over what was found in the text. */
static int apply_sidecar(const ark_sidecar *sc, ark_meta *m) {
    int rc = take_field(&m->title, sc->title);
    if (!rc) rc = take_field(&m->date, sc->date);
    if (!rc) rc = take_field(&m->type, sc->type);
    if (!rc) rc = take_field(&m->committee, sc->committee);
    if (rc || !sc->has_cases) return rc;
    char **v = calloc(sc->ncase_numbers ? sc->ncase_numbers : 1, sizeof *v);
    if (!v) return ARK_ENOMEM;
    for (size_t i = 0; i < sc->ncase_numbers; i++)
        if (!(v[i] = strdup(sc->case_numbers[i]))) {
            while (i) free(v[--i]);
            free(v);
            return ARK_ENOMEM;
        }
    for (size_t i = 0; i < m->ncase_numbers; i++) free(m->case_numbers[i]);
    free(m->case_numbers);
    m->case_numbers = v;
    m->ncase_numbers = sc->ncase_numbers;
    return 0;
}

int ark_build_learn(const char *path, unsigned mask, const char *old_hash, int force,
                    ark_wcount *words, ark_err *err) {
    ark_source src = {0};
    ark_passages ps = {0};
    ark_sidecar sc = {0}, fm = {0};
    char hash[33];
    int rc = load_changed(path, mask, old_hash, force, &src, &sc, &fm, hash, err);
    if (rc == ARK_BUILD_INDEXED && !(rc = ark_segment(&src, &ps, err)))
        rc = learn_words(&ps, words);
    ark_sidecar_free(&sc);
    ark_sidecar_free(&fm);
    ark_passages_free(&ps);
    ark_source_free(&src);
    return rc;
}

int ark_build_prepare(ark_an *an, const char *id, const char *root, const char *path,
                      unsigned mask, const char *old_hash, int force, ark_built *out) {
    ark_source src = {0};
    ark_passages ps = {0};
    ark_meta meta = {0};
    ark_sidecar sc = {0}, fm = {0};
    ark_buf cases = ARK_BUF_INIT, scratch = ARK_BUF_INIT;
    ark_err *err = &out->err;
    char hash[33];
    int rc;

    if (strlen(id) > ARK_MAX_ID) {
        rc = ark_err_set(err, ARK_EINVAL, "document id longer than %d bytes", ARK_MAX_ID);
        goto out;
    }
    if ((rc = load_changed(path, mask, old_hash, force, &src, &sc, &fm, hash, err)) !=
        ARK_BUILD_INDEXED)
        goto out;
    if ((rc = ark_segment(&src, &ps, err))) goto out;
    if ((rc = ark_meta_extract(&src, &ps, &meta, err))) goto out;
    /* The sidecar over the front matter over the text's guesses. */
    if ((rc = apply_sidecar(&fm, &meta)) || (rc = apply_sidecar(&sc, &meta))) {
        ark_err_set(err, rc, "%s: sidecar", id);
        goto out;
    }
    if (ps.n && !(out->docs = calloc(ps.n, sizeof *out->docs))) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: %zu passages", id, ps.n);
        goto out;
    }
    const char *url = sc.url ? sc.url : fm.url ? fm.url : "";
    const char *fields = sc.fields ? sc.fields : fm.fields ? fm.fields : "";
    for (size_t i = 0; i < ps.n; i++)
        if ((rc = add_passage(an, id, &meta, fields, &ps.v[i], &scratch, out, err))) goto out;

    struct stat st;
    if ((rc = join_cases(&meta, &cases))) goto out;
    ark_drec d = {.bytes = src.len, .mtime = stat(path, &st) == 0 ? (uint64_t)st.st_mtime : 0,
                  .npassages = (uint32_t)ps.n, .title = meta.title, .type = meta.type,
                  .date = meta.date, .committee = meta.committee, .addressee = meta.addressee,
                  .case_numbers = cases.data, .root = root,
                  .format = src.format ? src.format : "", .url = url, .fields = fields};
    memcpy(d.hash, hash, sizeof hash);
    if ((rc = ark_drec_encode(&d, &out->drec))) goto out;
    if ((rc = find_acronyms(&ps, &out->acronyms))) goto out;
    out->bytes = src.len;
    rc = ARK_BUILD_INDEXED;
out:
    if (rc == ARK_ENOMEM && err->code != ARK_ENOMEM) ark_err_set(err, rc, "out of memory");
    ark_buf_free(&cases);
    ark_buf_free(&scratch);
    ark_meta_free(&meta);
    ark_sidecar_free(&sc);
    ark_sidecar_free(&fm);
    ark_passages_free(&ps);
    ark_source_free(&src);
    return out->rc = rc;
}

int ark_build_write(ark_build *b, const char *id, int exists, const ark_built *in,
                    ark_err *err) {
    char key[ARK_MAX_ID + 2];
    int rc = 0;
    snprintf(key, sizeof key, ARK_PFX_DOC "%s", id);
    /* Passages of the old version go first (the new one may have fewer), and their
     * words leave the spelling table. */
    if (exists && ((rc = forget_spelling(b, key, strlen(key), err)) ||
                   (rc = ark_wdb_delete_term(b->w, key, strlen(key), err))))
        return rc;
    for (size_t i = 0; i < in->ndocs; i++)
        if ((rc = ark_wdb_add(b->w, in->docs[i], err))) {
            if (err && err->code != rc) ark_err_set(err, rc, "%s: passage %zu", id, i);
            return rc;
        }
    if ((rc = ark_wdb_set_meta(b->w, key, in->drec.data, in->drec.len, err))) return rc;
    /* in the same transaction as the passages: no definition outlives its document */
    if (exists || in->acronyms.len) {
        snprintf(key, sizeof key, ARK_META_ACRONYMS "%s", id);
        if ((rc = ark_wdb_set_meta(b->w, key, in->acronyms.data, in->acronyms.len, err)))
            return rc;
    }
    for (size_t i = 0; i < in->spell.n; i++) {
        size_t len;
        const char *w = ark_wcount_word(&in->spell, i, &len);
        if (ark_wcount_add(&b->spell, w, len, in->spell.cnt[i]))
            return ark_err_set(err, ARK_ENOMEM, "%s: spelling words", id);
    }
    /* Bounded memory: counts add up, so writing them early gives the same table. */
    if (b->spell.n >= ARK_BUILD_SPELL_FLUSH && (rc = ark_build_flush(b, err))) return rc;
    b->passages += in->ndocs;
    b->bytes += in->bytes;
    return 0;
}

int ark_build_fatal(int rc) {
    return rc == ARK_EINDEX || rc == ARK_ENOMEM || rc == ARK_EINTERNAL;
}

int ark_build_flush(ark_build *b, ark_err *err) {
    for (size_t i = 0; i < b->spell.n; i++) {
        size_t len;
        const char *w = ark_wcount_word(&b->spell, i, &len);
        int rc = ark_wdb_add_spelling_freq(b->w, w, len, b->spell.cnt[i], err);
        if (rc) return rc;
    }
    ark_wcount_reset(&b->spell);
    return 0;
}

void ark_built_free(ark_built *x) {
    if (!x) return;
    for (size_t i = 0; i < x->ndocs; i++) ark_xdoc_free(x->docs[i]);
    free(x->docs);
    ark_buf_free(&x->drec);
    ark_buf_free(&x->acronyms);
    ark_wcount_free(&x->spell);
    memset(x, 0, sizeof *x);
}

void ark_build_free(ark_build *b) {
    if (b) ark_wcount_free(&b->spell);
}
