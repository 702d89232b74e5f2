/* tests/test_access.c: levels, the sidecar's "access", keys and the key file (TAP). */
#include <string.h>

#include "arkivar/access.h"
#include "arkivar/ingest.h"
#include "tap.h"

static int level_of(const char *json) {
    ark_sidecar sc = {0};
    int rc = ark_sidecar_parse(json, strlen(json), &sc, NULL);
    int l = rc ? -1 : sc.has_level ? (int)sc.level : 100; /* 100: no "access" */
    ark_sidecar_free(&sc);
    return l;
}

int main(void) {
    ok(level_of("{\"access\": \"intern\"}") == ARK_LEVEL_INTERN, "a sidecar names intern");
    ok(level_of(" {\"sag\": \"2026-1\", \"access\":\"offentlig\", \"n\": [1, 2.5e3, {\"x\": null}]}\n") ==
           ARK_LEVEL_PUBLIC, "other members of any JSON kind are read past");
    ok(level_of("{}") == 100 && level_of("{\"sag\": true}") == 100, "no access member: none");
    const char *bad[] = {"", "[]", "{", "{\"access\": \"hemmelig\"}", "{\"access\": 1}",
                         "{\"access\": \"intern\"} x", "{\"access\": \"intern\",}",
                         "{\"access\": \"intern\", \"access\": \"offentlig\"}", "{'access': 'intern'}",
                         "{\"access\": \"Intern\"}", "{\"a\": \"\x01\"}", "{\"a\": 01x}"};
    int all = 1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (level_of(bad[i]) != -1) {
            all = 0;
            printf("#   accepted: %s\n", bad[i]);
        }
    ok(all, "malformed JSON, an unknown or repeated level: refused (fails closed)");

    ark_sidecar sc = {0};
    const char *meta = "{\"title\": \"Svar til \\u00d8U om \\\"skolemad\\\"\", \"date\": \"2026-06-24\", "
                       "\"type\": \"svar\", \"committee\": \"\u00d8U\", \"case_numbers\": [\"2026-0179043\", "
                       "\"2026-11781\"], \"url\": \"https://kk.dk/x\", \"fields\": {\"j_nr\": \"A-1\"}, \"other\": {\"a\": [1]}}";
    int rc = ark_sidecar_parse(meta, strlen(meta), &sc, NULL);
    ok(rc == 0 && sc.title && strcmp(sc.title, "Svar til \u00d8U om \"skolemad\"") == 0 && sc.date &&
           strcmp(sc.date, "2026-06-24") == 0 && strcmp(sc.type, "svar") == 0 &&
           strcmp(sc.committee, "\u00d8U") == 0 && sc.has_cases && sc.ncase_numbers == 2 &&
           strcmp(sc.case_numbers[1], "2026-11781") == 0 && !sc.has_level && sc.url &&
           strcmp(sc.url, "https://kk.dk/x") == 0 && sc.fields && strcmp(sc.fields, "j_nr=A-1\x1f") == 0,
       "a sidecar's metadata: escapes decoded, UTF-8 kept, url and fields read, other members read past (%s)",
       sc.title ? sc.title : "-");
    ark_sidecar_free(&sc);
    const char *badmeta[] = {"{\"title\": 5}", "{\"date\": \"24-06-2026\"}", "{\"date\": \"2026-13-01\"}",
                             "{\"case_numbers\": \"2026-1\"}", "{\"case_numbers\": [1]}",
                             "{\"title\": \"a\", \"title\": \"b\"}", "{\"title\": \"\\ud800\"}",
                             "{\"title\": \"a\\u0000b\"}", "{\"url\": \"javascript:alert(1)\"}",
                             "{\"url\": \"https://kk.dk/a b\"}", "{\"fields\": {\"a\": [1]}}",
                             "{\"fields\": {\"Bad-Key\": \"x\"}}", "{\"fields\": [\"x\"]}"};
    int allbad = 1;
    for (size_t i = 0; i < sizeof badmeta / sizeof badmeta[0]; i++) {
        ark_err e2 = {0, ""};
        if (ark_sidecar_parse(badmeta[i], strlen(badmeta[i]), &sc, &e2) != ARK_EINVAL || !e2.msg[0]) {
            allbad = 0;
            printf("#   accepted: %s\n", badmeta[i]);
        }
        ark_sidecar_free(&sc);
    }
    ok(allbad, "a member of the wrong kind, a bad date, a lone surrogate or NUL: refused, named");
    ark_err e3 = {0, ""};
    ok(ark_sidecar_parse("{\"title\": \"x\"", 13, &sc, &e3) == ARK_EINVAL && strcmp(e3.msg, "not one JSON object") == 0,
       "JSON cut after a good member is not blamed on that member (%s)", e3.msg);
    ark_sidecar_free(&sc);

    const char *fm = "---\r\ntitle: 'Svar om ''skolemad'''\n# a comment\ndate: 2026-06-24\n"
                     "case_numbers: [2026-1, \"2026-2\"]\naccess: intern\n---\n# Tekst\n";
    rc = ark_front_parse(fm, strlen(fm), &sc, NULL);
    ok(rc == 0 && ark_front_len(fm, strlen(fm)) == (size_t)(strstr(fm, "# Tekst") - fm) && sc.title &&
           strcmp(sc.title, "Svar om 'skolemad'") == 0 && sc.ncase_numbers == 2 &&
           strcmp(sc.case_numbers[1], "2026-2") == 0 && sc.has_level && sc.level == ARK_LEVEL_INTERN,
       "YAML front matter: quoted and plain scalars, a flow list, comments, access (%s)",
       sc.title ? sc.title : "-");
    ark_sidecar_free(&sc);
    ok(ark_front_len("---\ntitle: x\n", 14) == 0 && ark_front_len("# ---\n", 6) == 0,
       "no closing line, or no opening one: no front matter");
    const char *badfm[] = {"---\ntitle x\n---\n", "---\n  nested: 1\n---\n", "---\n- item\n---\n",
                           "---\ndate: 2026\n---\n", "---\ntitle: [a]\n---\n"};
    allbad = 1;
    for (size_t i = 0; i < sizeof badfm / sizeof badfm[0]; i++) {
        if (ark_front_parse(badfm[i], strlen(badfm[i]), &sc, NULL) != ARK_EINVAL) {
            allbad = 0;
            printf("#   accepted: %s\n", badfm[i]);
        }
        ark_sidecar_free(&sc);
    }
    ok(allbad, "front matter that is not key: value, a bad date, a list for a title: refused");

    char key[ARK_KEY_TEXT + 1], key2[ARK_KEY_TEXT + 1];
    ok(ark_key_new(key) == 0 && ark_key_new(key2) == 0 && strlen(key) == ARK_KEY_TEXT &&
           strncmp(key, "ark_", 4) == 0 && strcmp(key, key2) != 0,
       "new keys: ark_ and 64 hex digits, never the same");
    uint8_t h[ARK_KEY_HASH];
    ark_key_hash(key, strlen(key), h);
    char file[512];
    int n = snprintf(file, sizeof file, "# a comment\n\nanna intern ");
    for (int i = 0; i < ARK_KEY_HASH; i++) n += snprintf(file + n, sizeof file - (size_t)n, "%02x", h[i]);
    n += snprintf(file + n, sizeof file - (size_t)n, "\r\nbo offentlig %064d\n", 0);
    ark_keys k;
    ark_err err = {0, ""};
    ok(ark_keys_parse(file, (size_t)n, &k, &err) == 0 && k.n == 2, "a key file parses (%s)", err.msg);
    ok(ark_keys_check(&k, key, strlen(key)) == ARK_LEVEL_INTERN, "its key grants intern");
    ok(ark_keys_check(&k, key2, strlen(key2)) == -1 && ark_keys_check(&k, key, strlen(key) - 1) == -1,
       "another key, or a cut one, grants nothing");
    ok(ark_keys_find(&k, "bo") && !ark_keys_find(&k, "carl"), "entries are found by name");
    ark_keys_free(&k);
    const char *badfiles[] = {"anna intern abc\n", "anna hemmelig 00\n", "an na intern 00\n",
                              "anna\n", "a intern 0000000000000000000000000000000000000000000000000000000000000000 x\n"};
    all = 1;
    for (size_t i = 0; i < sizeof badfiles / sizeof badfiles[0]; i++)
        if (ark_keys_parse(badfiles[i], strlen(badfiles[i]), &k, &err) != ARK_EINVAL ||
            !strstr(err.msg, "line 1")) {
            all = 0;
            printf("#   accepted: %s", badfiles[i]);
        }
    ok(all, "a line that is not NAME LEVEL HASH is refused, naming the line");
    char twice[300];
    snprintf(twice, sizeof twice, "a intern %064d\na offentlig %064d\n", 0, 1);
    ok(ark_keys_parse(twice, strlen(twice), &k, &err) == ARK_EINVAL && strstr(err.msg, "line 2"),
       "a name twice is refused (%s)", err.msg);
    ok(ark_key_name_ok("team-øu") == 0 && ark_key_name_ok("team.oeu_2") == 1 && ark_key_name_ok("") == 0,
       "names: letters, digits, . _ -");

    /* Rights: an optional fourth field; a file written before it existed reads as before. */
    char rfile[600];
    n = snprintf(rfile, sizeof rfile, "anna intern ");
    for (int i = 0; i < ARK_KEY_HASH; i++) n += snprintf(rfile + n, sizeof rfile - (size_t)n, "%02x", h[i]);
    n += snprintf(rfile + n, sizeof rfile - (size_t)n, " write\nbo offentlig %064d\ncarl offentlig %064d\twrite \n", 0, 1);
    err = (ark_err){0, ""};
    ok(ark_keys_parse(rfile, (size_t)n, &k, &err) == 0 && k.n == 3, "a key file with rights parses (%s)", err.msg);
    const ark_key_entry *e = ark_keys_match(&k, key, strlen(key));
    ok(e && strcmp(e->name, "anna") == 0 && e->level == ARK_LEVEL_INTERN && e->rights == ARK_RIGHT_WRITE,
       "a key with \"write\": its entry has the level and the right");
    ok(ark_keys_find(&k, "bo")->rights == 0 && ark_keys_find(&k, "carl")->rights == ARK_RIGHT_WRITE,
       "no fourth field: search only; tabs and trailing blanks around it are fine");
    ok(!ark_keys_match(&k, key2, strlen(key2)), "another key matches no entry");
    ark_keys_free(&k);
    const char *badrights[] = {"a intern %064d read\n", "a intern %064d write,write\n",
                               "a intern %064d write,\n", "a intern %064d ,write\n",
                               "a intern %064d Write\n", "a intern %064d write x\n"};
    all = 1;
    for (size_t i = 0; i < sizeof badrights / sizeof badrights[0]; i++) {
        char line[200];
        snprintf(line, sizeof line, badrights[i], 0);
        if (ark_keys_parse(line, strlen(line), &k, &err) != ARK_EINVAL || !strstr(err.msg, "line 1")) {
            all = 0;
            printf("#   accepted: %s", line);
        }
        ark_keys_free(&k);
    }
    ok(all, "an unknown right, one twice, an empty item or a fifth field: refused, naming the line");
    unsigned r = 0;
    ok(ark_rights_parse("write", 5, &r) == 0 && r == ARK_RIGHT_WRITE && ark_rights_parse("", 0, &r) == ARK_EINVAL &&
           strcmp(ark_right_name(ARK_RIGHT_WRITE), "write") == 0 && ark_right_name(2) == NULL,
       "rights by name and back");
    return done_testing();
}
