/* server/theme.c: the theme folder and the theme in use. See theme.h.
 * theme.ini is a few "key = value" lines of our own format rather than libinih's INI:
 * it has no sections to get wrong, and its errors name the line as config.c's do.
 * The theme in use is reference-counted under one mutex: a page holds it for as long
 * as it renders (microseconds), and a SIGHUP that swaps in a new one frees the old one
 * when its last page is done, so no page ever reads freed memory or blocks a reload. */
#include "theme.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LINE 1024 /* bytes of a theme.ini line */

struct ark_theme {
    char *name, *footer, *a11y;    /* theme.ini; NULL when not set */
    char *css; size_t css_len;     /* theme.css; NULL when absent */
    char css_ver[17];
    char *logo; size_t logo_len;   /* logo.svg or logo.png; NULL when absent */
    const char *logo_file, *logo_type;
    char logo_ver[17];
    unsigned refs;                 /* pages drawing with it now */
};

static ark_theme g_builtin;        /* no folder: everything NULL, never freed */
static ark_theme *g_cur = &g_builtin;
static const char *g_dir;          /* --theme, borrowed; NULL: the built-in look */
static const char *g_a11y_flag;    /* --accessibility-url, borrowed */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

void ark_theme_free(ark_theme *t) {
    if (!t || t == &g_builtin) return;
    free(t->name);
    free(t->footer);
    free(t->a11y);
    free(t->css);
    free(t->logo);
    free(t);
}

/* FNV-1a as 16 hex digits: a cache key for the links, not a security measure. */
static void version_of(const char *p, size_t n, char out[17]) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* dir/name whole into *data (NUL-terminated, *len without it): 0; 1 when the file is
 * not there; else an error naming the file. */
static int read_whole(const char *dir, const char *name, char **data, size_t *len, ark_err *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return 1;
        return ark_err_set(err, ARK_EIO, "%s: %s", path, strerror(errno));
    }
    int rc = 0;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = ark_err_set(err, ARK_EIO, "%s: not a regular file", path);
        goto out;
    }
    if ((uint64_t)st.st_size > ARK_THEME_MAX_FILE) {
        rc = ark_err_set(err, ARK_ETOOBIG, "%s: %lld bytes, more than the %u a theme file may have",
                         path, (long long)st.st_size, ARK_THEME_MAX_FILE);
        goto out;
    }
    if (!(*data = malloc((size_t)st.st_size + 1))) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    *len = fread(*data, 1, (size_t)st.st_size, f);
    if (ferror(f) || *len != (size_t)st.st_size) {
        rc = ark_err_set(err, ARK_EIO, "%s: read error", path);
        goto out;
    }
    (*data)[*len] = '\0';
out:
    if (rc) {
        free(*data);
        *data = NULL;
    }
    fclose(f);
    return rc;
}

int ark_theme_url_ok(const char *url, char *msg, size_t n) {
    int abs = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
    int local = url[0] == '/' && url[1] != '/';
    if (!abs && !local) {
        snprintf(msg, n, "the accessibility statement's address must start with https://, "
                         "http:// or / (a page of this site), not %.100s", url);
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7F) {
            snprintf(msg, n, "the accessibility statement's address holds a space or control byte");
            return -1;
        }
    if (strlen(url) > ARK_THEME_MAX_VALUE) {
        snprintf(msg, n, "the accessibility statement's address is longer than %d bytes",
                 ARK_THEME_MAX_VALUE);
        return -1;
    }
    return 0;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* One "key = value" of theme.ini into t: 0, or -1 with why in msg. */
static int ini_set(ark_theme *t, const char *key, const char *val, char *msg, size_t n) {
    char **slot = strcmp(key, "name") == 0              ? &t->name
                  : strcmp(key, "footer") == 0          ? &t->footer
                  : strcmp(key, "accessibility-url") == 0 ? &t->a11y
                                                        : NULL;
    if (!slot) {
        snprintf(msg, n, "unknown key '%.100s' (name, footer, accessibility-url)", key);
        return -1;
    }
    if (*slot) {
        snprintf(msg, n, "key '%s' given twice", key);
        return -1;
    }
    if (!*val || strlen(val) > ARK_THEME_MAX_VALUE) {
        snprintf(msg, n, "key '%s' needs a value of 1 to %d bytes", key, ARK_THEME_MAX_VALUE);
        return -1;
    }
    if (slot == &t->a11y && ark_theme_url_ok(val, msg, n) != 0) return -1;
    if (!(*slot = strdup(val))) {
        snprintf(msg, n, "out of memory");
        return -1;
    }
    return 0;
}

/* dir/theme.ini, when there, into t. */
static int read_ini(const char *dir, ark_theme *t, ark_err *err) {
    char path[4096], line[MAX_LINE + 2], msg[300];
    snprintf(path, sizeof path, "%s/theme.ini", dir);
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : ark_err_set(err, ARK_EIO, "%s: %s", path, strerror(errno));
    int rc = 0, no = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        no++;
        size_t len = strlen(line);
        if (len > MAX_LINE && line[len - 1] != '\n') {
            rc = ark_err_set(err, ARK_EINVAL, "%s:%d: line longer than %d bytes", path, no, MAX_LINE);
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = ark_err_set(err, ARK_EINVAL, "%s:%d: expected \"key = value\"", path, no);
            break;
        }
        *eq = '\0';
        if (ini_set(t, trim(s), trim(eq + 1), msg, sizeof msg) != 0)
            rc = ark_err_set(err, ARK_EINVAL, "%s:%d: %s", path, no, msg);
    }
    if (rc == 0 && ferror(f)) rc = ark_err_set(err, ARK_EIO, "%s: read error", path);
    fclose(f);
    return rc;
}

/* logo.svg or logo.png, checked to be what its name says, so that a wrong file is
 * refused at start rather than shown as a broken image. */
static int read_logo(const char *dir, ark_theme *t, ark_err *err) {
    char *svg = NULL, *png = NULL;
    size_t slen = 0, plen = 0;
    int rs = read_whole(dir, "logo.svg", &svg, &slen, err);
    if (rs < 0) return rs;
    int rp = read_whole(dir, "logo.png", &png, &plen, err);
    if (rp < 0) {
        free(svg);
        return rp;
    }
    if (svg && png) {
        free(svg);
        free(png);
        return ark_err_set(err, ARK_EINVAL, "%s: both logo.svg and logo.png; keep one", dir);
    }
    if (svg && !strstr(svg, "<svg")) {
        free(svg);
        return ark_err_set(err, ARK_EINVAL, "%s/logo.svg: not an SVG image (no <svg)", dir);
    }
    if (png && (plen < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)) {
        free(png);
        return ark_err_set(err, ARK_EINVAL, "%s/logo.png: not a PNG image", dir);
    }
    t->logo = svg ? svg : png;
    t->logo_len = svg ? slen : plen;
    t->logo_file = svg ? "logo.svg" : png ? "logo.png" : NULL;
    t->logo_type = svg ? "image/svg+xml" : "image/png";
    if (t->logo) version_of(t->logo, t->logo_len, t->logo_ver);
    return 0;
}

int ark_theme_load(const char *dir, ark_theme **out, ark_err *err) {
    int rc;
    ark_theme *t = NULL;
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return ark_err_set(err, errno == ENOENT ? ARK_ENOTFOUND : ARK_EIO, "theme folder %s: %s",
                           dir, strerror(errno));
    closedir(d);
    if (!(t = calloc(1, sizeof *t))) return ark_err_set(err, ARK_ENOMEM, "theme: out of memory");
    if ((rc = read_ini(dir, t, err)) != 0) goto out;
    if ((rc = read_whole(dir, "theme.css", &t->css, &t->css_len, err)) < 0) goto out;
    rc = 0;
    if (t->css) version_of(t->css, t->css_len, t->css_ver);
    if ((rc = read_logo(dir, t, err)) != 0) goto out;
    *out = t;
    t = NULL;
out:
    ark_theme_free(t);
    return rc;
}

/* Make t the theme in use; the old one is freed now, or by its last page. */
static void install(ark_theme *t) {
    pthread_mutex_lock(&g_mu);
    ark_theme *old = g_cur;
    g_cur = t;
    int free_old = old->refs == 0;
    pthread_mutex_unlock(&g_mu);
    if (free_old) ark_theme_free(old);
}

int ark_theme_serve(const char *dir, const char *a11y_url, ark_err *err) {
    g_a11y_flag = a11y_url;
    g_dir = dir;
    if (!dir) return 0;
    ark_theme *t;
    int rc = ark_theme_load(dir, &t, err);
    if (rc == 0) install(t);
    return rc;
}

int ark_theme_reload(ark_err *err) {
    if (!g_dir) return 0;
    ark_theme *t;
    int rc = ark_theme_load(g_dir, &t, err);
    if (rc == 0) install(t);
    return rc;
}

void ark_theme_stop(void) {
    install(&g_builtin);
    g_dir = NULL;
    g_a11y_flag = NULL;
}

const ark_theme *ark_theme_get(void) {
    pthread_mutex_lock(&g_mu);
    ark_theme *t = g_cur;
    t->refs++;
    pthread_mutex_unlock(&g_mu);
    return t;
}

void ark_theme_put(const ark_theme *ct) {
    if (!ct) return;
    ark_theme *t = (ark_theme *)ct; /* ours: the pages only ever read it */
    pthread_mutex_lock(&g_mu);
    int gone = --t->refs == 0 && t != g_cur;
    pthread_mutex_unlock(&g_mu);
    if (gone) ark_theme_free(t);
}

const char *ark_theme_name(const ark_theme *t) { return t->name; }
const char *ark_theme_footer(const ark_theme *t) { return t->footer; }
const char *ark_theme_a11y_url(const ark_theme *t) { return g_a11y_flag ? g_a11y_flag : t->a11y; }

int ark_theme_css(const ark_theme *t, const char **data, size_t *len, const char **version) {
    if (!t->css) return -1;
    *data = t->css;
    *len = t->css_len;
    *version = t->css_ver;
    return 0;
}

int ark_theme_logo(const ark_theme *t, const char **data, size_t *len, const char **file,
                   const char **type, const char **version) {
    if (!t->logo) return -1;
    *data = t->logo;
    *len = t->logo_len;
    *file = t->logo_file;
    *type = t->logo_type;
    *version = t->logo_ver;
    return 0;
}
