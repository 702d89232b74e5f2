/* server/frame.h: what the pages of the site share (page.c; results.c and docpage.c
 * use it). Not public: page.h is what the router calls.
 * Owns: the page's view of a request (its URL parameters, checked), the engine calls
 * with their retry, the frame every page shares (head, top bar, form, foot), the
 * start page, the error page, and the small formatting helpers (numbers, dates,
 * document types, lines and pages, marked text). */
#ifndef ARKIVAR_SERVER_FRAME_H
#define ARKIVAR_SERVER_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/err.h"
#include "arkivar/search.h"
#include "html.h"
#include "page.h"

typedef struct view {
    const char *q;      /* the user's text as typed; "" when none */
    const char *type;   /* filter value or NULL */
    const char *year;   /* "YYYY" or NULL */
    unsigned page;      /* 1-based */
    unsigned limit;
    int by_date;
    int exact;          /* 1: do not answer a corrected query in place of q */
    ark_level level;    /* what the request's key grants (the request's) */
} view;

int pg_run_search(ark_level lv, const ark_search_req *sr, ark_results *res, ark_err *err);
int pg_run_doc(ark_level lv, const ark_doc_req *req, ark_docview *v, ark_err *err);
int pg_blank(const char *s);
void pg_put_num(ark_html *h, uint64_t v);
void pg_put_ms(ark_html *h, double ms);
void pg_put_date(ark_html *h, const char *d);
void pg_put_type(ark_html *h, const char *t);
void pg_put_lines(ark_html *h, uint32_t a, uint32_t b, uint32_t page, uint32_t page_end);
void pg_put_marked(ark_html *h, const char *text, size_t len, const uint32_t (*hl)[2], size_t nhl);
void pg_put_href(ark_html *h, const view *v);
void pg_page_head(ark_html *h, const char *title_prefix);
void pg_page_top(ark_html *h, const view *v, int with_form);
void pg_page_foot(ark_html *h);
void pg_home(ark_html *h, const view *v);
void pg_error_page(ark_html *h, const view *v, const char *title, const char *msg);
void pg_read_view(const ark_api_req *req, view *v);
void pg_finish(ark_reply *r, ark_html *h, int status);

#endif
