/* server/config.c: the server's INI file, read with libinih. See config.h.
 * libinih tells the handler nothing of lines, and keeps going after an error to return
 * the first bad line's number; the file is fed to it through a reader of our own that
 * counts lines, so that the error we report is the first one, with its line. The reader
 * also refuses a line longer than libinih's buffer, which libinih would cut in two and
 * read the rest of as a line of its own (a value could then set another key). */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

typedef struct cfg_read {
    FILE *f;
    const char *path;
    int line;       /* lines handed to libinih so far: the one it is parsing */
    int bad_line;   /* the first error's line (0: none yet) */
    int too_long;   /* the reader stopped at a line over the limit */
    char msg[400];  /* the first error */
    ark_config_apply apply;
    void *user;
} cfg_read;

static char *cfg_reader(char *str, int num, void *stream) {
    cfg_read *c = stream;
    if (c->bad_line && c->too_long) return NULL;
    if (!fgets(str, num, c->f)) return NULL;
    c->line++;
    size_t len = strlen(str);
    int ch;
    if (len == (size_t)num - 1 && str[len - 1] != '\n' && (ch = fgetc(c->f)) != EOF) {
        ungetc(ch, c->f);
        if (!c->bad_line) {
            c->bad_line = c->line;
            snprintf(c->msg, sizeof c->msg, "line longer than %d bytes (libinih's limit)", num - 1);
        }
        c->too_long = 1;
        return NULL; /* stop: the rest of the line must not be read as a line */
    }
    return str;
}

static int cfg_handler(void *user, const char *section, const char *name, const char *value) {
    cfg_read *c = user;
    if (c->bad_line) return 1; /* only the first error is reported */
    char why[300] = "";
    if (strcmp(section, "server") != 0)
        snprintf(why, sizeof why, section[0] ? "unknown section [%.100s] (the keys go in [server])"
                                              : "key %.100s outside a section (the keys go in [server])",
                 section[0] ? section : name);
    else if (c->apply(c->user, name, value, why, sizeof why) == 0)
        return 1;
    c->bad_line = c->line;
    snprintf(c->msg, sizeof c->msg, "%s", why[0] ? why : "bad value");
    return 0;
}

int ark_config_read(const char *path, ark_config_apply apply, void *user, ark_err *err) {
    cfg_read c = {.path = path, .apply = apply, .user = user};
    if (!(c.f = fopen(path, "r")))
        return ark_err_set(err, errno == ENOENT ? ARK_ENOTFOUND : ARK_EIO, "%s: %s", path,
                           strerror(errno));
    int r = ini_parse_stream(cfg_reader, &c, cfg_handler, &c);
    int rc = 0;
    if (ferror(c.f))
        rc = ark_err_set(err, ARK_EIO, "%s: read error", path);
    else if (r == -2)
        rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
    else if (c.bad_line && (r == 0 || r >= c.bad_line))
        rc = ark_err_set(err, ARK_EINVAL, "%s:%d: %s", path, c.bad_line, c.msg);
    else if (r > 0)
        rc = ark_err_set(err, ARK_EINVAL, "%s:%d: expected \"key = value\" or \"[server]\"", path, r);
    fclose(c.f);
    return rc;
}
