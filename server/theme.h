/* server/theme.h: the site's own look and name (--theme DIR, --accessibility-url URL).
 * Owns: reading a theme folder (theme.ini, theme.css, logo.svg or logo.png) whole, at
 * start and again on SIGHUP, checking it, and handing the pages the theme in use; the
 * accessibility statement's address (tilgængelighedserklæring), which Danish public
 * sites must link from every page.
 * Not here: the markup that shows them (page.c), serving /theme/… (page.c), headers and
 * CSP (send.c, client.c).
 * Why files read into memory: a municipality restyles the site without a rebuild, a
 * request never touches the disk, and a reload swaps the whole theme or none of it, so
 * a page is never drawn with half an old theme. Why served from /theme/… on our own
 * origin: the CSP stays strict (style-src and img-src 'self', no other host). */
#ifndef ARKIVAR_SERVER_THEME_H
#define ARKIVAR_SERVER_THEME_H

#include <stddef.h>

#include "arkivar/err.h"

#define ARK_THEME_MAX_FILE (1u << 20) /* bytes of theme.css or the logo */
#define ARK_THEME_MAX_VALUE 500       /* bytes of a theme.ini value */

typedef struct ark_theme ark_theme;

/* Read the theme folder dir into *out (transferred: ark_theme_free). Every file is
 * optional, the folder is not. 0, or ARK_ENOTFOUND/ARK_EIO (the folder or a file cannot
 * be read), ARK_EINVAL (theme.ini: a line that is not "key = value", an unknown or
 * repeated key, a bad value; both logos; "FILE:LINE: why" in err), ARK_ETOOBIG (a file
 * over ARK_THEME_MAX_FILE), ARK_ENOMEM. */
int ark_theme_load(const char *dir, ark_theme **out, ark_err *err);
void ark_theme_free(ark_theme *t); /* accepts NULL */

/* Whether url may be the accessibility statement's address: http(s)://… or a path on
 * this site (/…, not //…), without spaces or control bytes. 0, or -1 with why in msg. */
int ark_theme_url_ok(const char *url, char *msg, size_t n);

/* The served theme. ark_theme_serve: load dir (NULL: the built-in look) and make it the
 * one in use; a11y_url (NULL: none) is the --accessibility-url flag, which wins over
 * theme.ini's; both borrowed until ark_theme_stop. Errors as ark_theme_load.
 * ark_theme_reload (SIGHUP): read the folder again; on failure the theme in use is kept
 * and err says why. */
int ark_theme_serve(const char *dir, const char *a11y_url, ark_err *err);
int ark_theme_reload(ark_err *err);
void ark_theme_stop(void);

/* The theme in use for one page (never NULL; the built-in one when no folder is
 * served); borrowed until ark_theme_put, however many reloads come in between. */
const ark_theme *ark_theme_get(void);
void ark_theme_put(const ark_theme *t);

/* What a page shows. The strings are borrowed from t; NULL when not set (the name is
 * "Arkivar" then). The accessibility URL is the flag's, else theme.ini's. */
const char *ark_theme_name(const ark_theme *t);
const char *ark_theme_footer(const ark_theme *t);
const char *ark_theme_a11y_url(const ark_theme *t);
/* The style sheet and the logo: *data (borrowed from t) and *len, and for the logo its
 * file name ("logo.svg", "logo.png") and type; 0, or -1 when the theme has none. The
 * version is a hash of the content, put in the links (?v=…) so that a reload's new file
 * is fetched at once while unchanged ones stay cached. */
int ark_theme_css(const ark_theme *t, const char **data, size_t *len, const char **version);
int ark_theme_logo(const ark_theme *t, const char **data, size_t *len, const char **file,
                   const char **type, const char **version);

#endif
