/* server/assets.h: the fixed text of the site: its style sheet and its one script.
 * Owns: the CSS inlined into every page and the progressive-enhancement script served
 * as /static/arkivar.js (suggestions under the search box).
 * Not here: markup (page.c), headers and CSP (http.c).
 * Why compiled in: the server is one binary with no data directory to lose, and the
 * page loads no external resources (locked-down PCs, strict CSP). */
#ifndef ARKIVAR_SERVER_ASSETS_H
#define ARKIVAR_SERVER_ASSETS_H

extern const char ark_assets_css[]; /* goes inside <style> */
extern const char ark_assets_js[];  /* /static/arkivar.js */
extern const char ark_assets_icon[]; /* /static/arkivar.svg */

#endif
