/* indexer/walk.h: the list of source files an indexing run covers, and what it saw.
 * Owns: expanding the PATH arguments (files and folders, recursively) into
 * (document id, root, file path) triples sorted by id, and the record of what could not
 * be seen (a missing PATH, an unreadable folder), which decides what may be removed.
 * Why: the document id is the path relative to the indexed folder (with any CPR number
 * in it masked, "~2" added when that makes two ids one), so the same file
 * keeps its id however the indexer is called from; and a run may only remove the
 * documents of files it could have seen (an unmounted share must not empty the index).
 *
 * Roots: a folder PATH is its own root (canonical, realpath). A file PATH has its
 * folder as root and covers its own id only. Every string below is owned by the
 * ark_walk and freed by ark_walk_free(). */
#ifndef ARK_INDEXER_WALK_H
#define ARK_INDEXER_WALK_H

#include <stddef.h>

#include "arkivar/err.h"

typedef struct ark_src_file {
    char *id;    /* relative to its root (a file PATH: its name) */
    char *path;  /* openable path, never a symlink at its last component: a followed link
                    is stored resolved, so the loader opens it with O_NOFOLLOW */
    size_t root; /* index in ark_walk.roots */
    char *link;  /* the symlink it was found as (messages), NULL when not a link */
    int masked;  /* the id differs from the file name: a CPR number in it was masked */
} ark_src_file;

typedef struct ark_walk_root {
    char *arg;    /* the PATH as given, for messages */
    char *dir;    /* canonical folder the ids are relative to; NULL when failed */
    char *real;   /* canonical PATH itself: dir for a folder, the file for a file */
    char *only;   /* a file PATH: the one id it covers; NULL: every id under dir */
    int failed;   /* missing or unreadable (or refused by the caller): covers nothing */
    size_t nfiles; /* files found under it */
    char **kept;  /* ids and folder ids that could not be read: their documents stay */
    size_t nkept, capkept;
} ark_walk_root;

typedef struct ark_walk {
    ark_src_file *v;
    size_t n, cap;
    ark_walk_root *roots;
    size_t nroots, caproots;
    size_t nerrors; /* paths that could not be read or were refused; each on stderr */
} ark_walk;

/* Add everything under path as one root. Missing or unreadable paths are reported on
 * stderr and counted in nerrors; only ARK_ENOMEM is returned as an error. */
int ark_walk_add(ark_walk *w, const char *path, ark_err *err);
/* After the last add: refuse symlinks whose target lies outside every root (reported,
 * counted as errors), sort by id and then by root order, drop entries that repeat an
 * (id, root folder). Entries with the same id from different folders stay: the caller
 * decides which one the index keeps. */
void ark_walk_finish(ark_walk *w);
/* The index of the first entry with this id, or w->n when there is none. */
size_t ark_walk_find(const ark_walk *w, const char *id);
/* Whether the run could see the file behind document id of root dir: a root of the
 * run has that folder, was read, covers the id and did not fail to read it. dir "" (a
 * record from before roots were stored) is covered only if every root was read and
 * none failed to read the id. */
int ark_walk_covers(const ark_walk *w, const char *dir, const char *id);
void ark_walk_free(ark_walk *w);

#endif
