/* server/assets.h: the fixed files of the site, compiled into the server.
 * Owns: the names of server/static/arkivar.css (inlined into every page), arkivar.js
 * (the progressive-enhancement script, /static/arkivar.js: suggestions under the search
 * box), arkivar.svg (the tab icon) and openapi.json (the API's OpenAPI 3.0 document,
 * /api/openapi.json). The Makefile turns those files into
 * build/server/assets.c (scripts/embed.sh), so a municipality restyles the site by
 * editing a CSS file, not C strings.
 * Not here: markup (page.c), headers and CSP (http.c).
 * Why compiled in: the server is one binary with no data directory to lose, and the
 * page loads no external resources (locked-down PCs, strict CSP). */
#ifndef ARKIVAR_SERVER_ASSETS_H
#define ARKIVAR_SERVER_ASSETS_H

extern const char ark_assets_css[]; /* goes inside <style> */
extern const char ark_assets_js[];  /* /static/arkivar.js */
extern const char ark_assets_icon[]; /* /static/arkivar.svg */
extern const char ark_assets_openapi[]; /* /api/openapi.json */

#endif
