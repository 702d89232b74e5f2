/* tests/tap.h: the smallest TAP producer, for prove.
 * ok(cond, fmt, ...) prints "ok N - descr" or "not ok N - descr" with the file and
 * line; E(expr) runs an ark_ call and fails with ark_strerror() and the message.
 * done_testing() prints the plan and returns the exit code for main(). */
#ifndef ARK_TAP_H
#define ARK_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...) {
    va_list ap;
    printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, descr)                                                      \
    do {                                                                              \
        const char *g_ = (got), *w_ = (want);                                         \
        if (!ok(g_ && w_ && strcmp(g_, w_) == 0, "%s", descr))                        \
            printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)
#define is_int(got, want, descr)                                                      \
    do {                                                                              \
        long long g_ = (long long)(got), w_ = (long long)(want);                      \
        if (!ok(g_ == w_, "%s", descr)) printf("#   got: %lld, want: %lld\n", g_, w_); \
    } while (0)
#define E(expr)                                                                       \
    do {                                                                              \
        int rc_ = (expr);                                                             \
        if (!ok(rc_ == 0, "%s", #expr)) printf("#   %s\n", ark_strerror(rc_));        \
    } while (0)

static inline int done_testing(void) {
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
