/* keys/main.c: arkivar-keys, the command that makes and revokes access keys.
 * Owns: adding a key (a new random key printed once, its hash appended to the key file)
 * and revoking one (the file rewritten without it), each as one atomic replace of the
 * file, so that a server reading it (--keys) sees the old file or the new one.
 * Not here: the hash and the file format (include/arkivar/access.h), checking keys
 * (server/keys.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arkivar/access.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void usage(FILE *f) {
    fputs("usage: arkivar-keys add FILE NAME LEVEL [--write]\n"
          "       arkivar-keys revoke FILE NAME\n"
          "       arkivar-keys list FILE\n"
          "\n"
          "add      makes a random 256-bit key for NAME granting LEVEL (offentlig or\n"
          "         intern), prints it once on stdout and appends NAME LEVEL HASH to FILE\n"
          "         (created with mode 0600 if missing). Only the keyed hash is stored:\n"
          "         a lost key cannot be recovered, only revoked and replaced.\n"
          "         --write also lets the key push and delete documents\n"
          "         (PUT/DELETE /api/documents/ID) at LEVEL and the levels below it\n"
          "         (the line then ends in \"write\").\n"
          "revoke   removes NAME's key from FILE.\n"
          "list     prints each NAME and LEVEL in FILE, and \"write\" for a key that has it.\n"
          "--version prints the version; --help this text.\n"
          "A running arkivar-server --keys FILE picks up the change within a second.\n"
          "\n"
          "Exit status: 0 done; 1 the file could not be read or written, or NAME is\n"
          "already there (add) or not there (revoke); 2 bad usage.\n",
          f);
}

/* Write text to path through a temporary file and a rename: readers see all or nothing. */
static int replace_file(const char *path, const char *text, size_t len) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        fprintf(stderr, "arkivar-keys: %s: path too long\n", path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        fprintf(stderr, "arkivar-keys: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    int ok = done == len && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) { ok = 0; saved = errno; }
    if (ok && rename(tmp, path) != 0) { ok = 0; saved = errno; }
    if (!ok) {
        fprintf(stderr, "arkivar-keys: %s: %s\n", path, strerror(saved));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The file's text (empty when it does not exist yet) and its parsed keys. */
/* The file's text (NULL when it does not exist yet) and its parsed keys, read once. */
static int read_file(const char *path, char **text, size_t *len, ark_keys *k) {
    ark_err err = {0, ""};
    memset(k, 0, sizeof *k);
    int rc = ark_keys_read(path, text, len, &err);
    if (rc == ARK_ENOTFOUND) return 0;
    if (rc == 0 && (rc = ark_keys_parse(*text, *len, k, &err)) != 0) {
        free(*text);
        *text = NULL;
        fprintf(stderr, "arkivar-keys: %s: %s\n", path, err.msg);
        return -1;
    }
    if (rc) fprintf(stderr, "arkivar-keys: %s\n", err.msg);
    return rc ? -1 : 0;
}

static int add_key(const char *path, const char *name, const char *level_s, unsigned rights) {
    ark_level level;
    if (!ark_key_name_ok(name)) {
        fprintf(stderr, "arkivar-keys: NAME: letters, digits, '.', '_' and '-', at most %d\n",
                ARK_KEY_NAME_MAX);
        return EXIT_USAGE;
    }
    if (ark_level_parse(level_s, strlen(level_s), &level) != 0) {
        fprintf(stderr, "arkivar-keys: LEVEL: offentlig or intern, not %s\n", level_s);
        return EXIT_USAGE;
    }
    char *text;
    size_t len;
    ark_keys k;
    if (read_file(path, &text, &len, &k) != 0) return EXIT_FAIL;
    int status = EXIT_FAIL;
    char key[ARK_KEY_TEXT + 1], hex[2 * ARK_KEY_HASH + 1];
    uint8_t h[ARK_KEY_HASH];
    char *out = NULL;
    if (ark_keys_find(&k, name)) {
        fprintf(stderr, "arkivar-keys: %s: %s has a key already (revoke it first)\n", path, name);
        goto done;
    }
    if (ark_key_new(key) != 0) {
        fprintf(stderr, "arkivar-keys: no random source\n");
        goto done;
    }
    ark_key_hash(key, strlen(key), h);
    for (size_t i = 0; i < ARK_KEY_HASH; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
    size_t cap = len + strlen(name) + 16 + sizeof hex + 2;
    const char *right = rights & ARK_RIGHT_WRITE ? ark_right_name(ARK_RIGHT_WRITE) : NULL;
    cap += right ? strlen(right) + 1 : 0;
    if (!(out = malloc(cap))) goto done;
    int n = snprintf(out, cap, "%.*s%s%s %s %s%s%s\n", (int)len, text ? text : "",
                     len && text[len - 1] != '\n' ? "\n" : "", name, ark_level_name(level), hex,
                     right ? " " : "", right ? right : "");
    if (replace_file(path, out, (size_t)n) != 0) goto done;
    printf("%s\n", key);
    status = fflush(stdout) == 0 ? 0 : EXIT_FAIL;
done:
    memset(key, 0, sizeof key);
    free(out);
    free(text);
    ark_keys_free(&k);
    return status;
}

static int revoke_key(const char *path, const char *name) {
    char *text;
    size_t len;
    ark_keys k;
    if (read_file(path, &text, &len, &k) != 0) return EXIT_FAIL;
    int status = EXIT_FAIL;
    char *out = NULL;
    if (!ark_keys_find(&k, name)) {
        fprintf(stderr, "arkivar-keys: %s: no key named %s\n", path, name);
        goto done;
    }
    if (!(out = malloc(len + 1))) goto done;
    size_t o = 0, nl = strlen(name);
    for (size_t at = 0; at < len;) {
        size_t end = at;
        while (end < len && text[end] != '\n') end++;
        size_t p = at;
        while (p < end && (text[p] == ' ' || text[p] == '\t')) p++;
        int mine = end - p > nl && memcmp(text + p, name, nl) == 0 &&
                   (text[p + nl] == ' ' || text[p + nl] == '\t');
        if (!mine) {
            memcpy(out + o, text + at, end - at);
            o += end - at;
            if (end < len) out[o++] = '\n';
        }
        at = end + 1;
    }
    if (replace_file(path, out, o) == 0) status = 0;
done:
    free(out);
    free(text);
    ark_keys_free(&k);
    return status;
}

static int list_keys(const char *path) {
    ark_keys k;
    ark_err err = {0, ""};
    if (ark_keys_load(path, &k, &err) != 0) {
        fprintf(stderr, "arkivar-keys: %s\n", err.msg);
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < k.n; i++)
        printf("%s %s%s\n", k.v[i].name, ark_level_name(k.v[i].level),
               k.v[i].rights & ARK_RIGHT_WRITE ? " write" : "");
    ark_keys_free(&k);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        puts("arkivar-keys " ARK_VERSION);
        return 0;
    }
    if ((argc == 5 || (argc == 6 && strcmp(argv[5], "--write") == 0)) && strcmp(argv[1], "add") == 0)
        return add_key(argv[2], argv[3], argv[4], argc == 6 ? ARK_RIGHT_WRITE : 0);
    if (argc == 4 && strcmp(argv[1], "revoke") == 0) return revoke_key(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "list") == 0) return list_keys(argv[2]);
    usage(stderr);
    return EXIT_USAGE;
}
