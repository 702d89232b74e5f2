/* lib/ingest/wcount.c: a counted set of words (include/arkivar/ingest.h). */
#include "arkivar/ingest.h"

#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"

static uint32_t hash(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int grow_tab(ark_wcount *m) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    ark_wcount_slot *t = calloc(cap, sizeof *t);
    if (!t) return ARK_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->tab[i].idx) continue;
        size_t j = m->tab[i].h & (cap - 1);
        while (t[j].idx) j = (j + 1) & (cap - 1);
        t[j] = m->tab[i];
    }
    free(m->tab);
    m->tab = t;
    m->cap = cap;
    return 0;
}

int ark_wcount_add(ark_wcount *m, const char *word, size_t len, uint32_t n) {
    if (len == 0 || len > 255) return 0;
    if ((m->n + 1) * 3 > m->cap * 2 && grow_tab(m)) return ARK_ENOMEM;
    uint32_t h = hash(word, len);
    size_t j = h & (m->cap - 1);
    for (; m->tab[j].idx; j = (j + 1) & (m->cap - 1)) {
        if (m->tab[j].h != h) continue;
        uint64_t e = m->ent[m->tab[j].idx - 1];
        if ((e & 0xFFFFFF) == len && memcmp(m->pool + (e >> 24), word, len) == 0) {
            uint32_t *c = &m->cnt[m->tab[j].idx - 1];
            *c = *c > UINT32_MAX - n ? UINT32_MAX : *c + n;
            return 0;
        }
    }
    if (m->n == m->ecap) {
        size_t ecap = m->ecap ? m->ecap * 2 : 256;
        uint64_t *ent = realloc(m->ent, ecap * sizeof *ent);
        if (!ent) return ARK_ENOMEM;
        m->ent = ent;
        uint32_t *cnt = realloc(m->cnt, ecap * sizeof *cnt);
        if (!cnt) return ARK_ENOMEM;
        m->cnt = cnt;
        m->ecap = ecap;
    }
    if (m->pool_len + len > m->pool_cap) {
        size_t pcap = m->pool_cap ? m->pool_cap : 4096;
        while (pcap < m->pool_len + len) pcap *= 2;
        char *p = realloc(m->pool, pcap);
        if (!p) return ARK_ENOMEM;
        m->pool = p;
        m->pool_cap = pcap;
    }
    memcpy(m->pool + m->pool_len, word, len);
    m->ent[m->n] = (uint64_t)m->pool_len << 24 | len;
    m->cnt[m->n] = n;
    m->pool_len += len;
    m->tab[j].h = h;
    m->tab[j].idx = (uint32_t)++m->n;
    return 0;
}

const char *ark_wcount_word(const ark_wcount *m, size_t i, size_t *len) {
    *len = (size_t)(m->ent[i] & 0xFFFFFF);
    return m->pool + (m->ent[i] >> 24);
}

void ark_wcount_reset(ark_wcount *m) {
    if (m->tab) memset(m->tab, 0, m->cap * sizeof *m->tab);
    m->n = 0;
    m->pool_len = 0;
}

void ark_wcount_free(ark_wcount *m) {
    if (!m) return;
    free(m->tab);
    free(m->ent);
    free(m->cnt);
    free(m->pool);
    memset(m, 0, sizeof *m);
}
