/* test_checkpoint.c - the checkpoint file: a round trip of every field
 * (long GTID sets, names that need JSON escaping), no checkpoint yet,
 * every kind of broken file with its path in the message, the atomic
 * replace (no FILE.tmp left, stale ones overwritten), unwritable places,
 * and the file's mode; and the JSON text alone (bd_checkpoint_json and
 * bd_checkpoint_parse, as the state topic's records use them). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binlogd/buf.h"
#include "binlogd/checkpoint.h"
#include "testutil.h"

#define U1 "396e294c-1ca4-11f1-9ae7-00155da79c6b"

static char dir[64], path[128], tmp[160];

/* A fresh directory with path = dir/checkpoint.json (not created). */
static void fresh_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/bd_ckpt_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/checkpoint.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
}

static void cleanup(void)
{
    unlink(tmp);
    unlink(path);
    ck_assert_msg(rmdir(dir) == 0, "rmdir %s: %s (left something behind?)", dir, strerror(errno));
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void write_text(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

/* Big: a bd_checkpoint is 66 KB. */
static bd_checkpoint *new_ckpt(void)
{
    bd_checkpoint *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void write_ok(const bd_checkpoint *c)
{
    bd_err err = {0};
    ck_assert_msg(bd_checkpoint_write(path, c, &err) == 0, "%s", err.msg);
    ck_assert_msg(!exists(tmp), "%s left behind", tmp);
}

static void read_ok(bd_checkpoint *c)
{
    bd_err err = {0};
    int r = bd_checkpoint_read(path, c, &err);
    ck_assert_msg(r == 0, "read gave %d: %s", r, err.msg);
}

static void same(const bd_checkpoint *a, const bd_checkpoint *b)
{
    ck_assert_str_eq(a->server, b->server);
    ck_assert_str_eq(a->file, b->file);
    ck_assert_uint_eq(a->pos, b->pos);
    ck_assert_str_eq(a->gtid, b->gtid);
    ck_assert_uint_eq(a->commit_us, b->commit_us);
    ck_assert_str_eq(a->snapshot, b->snapshot);
}

START_TEST(ckpt_round_trip)
{
    fresh_dir();
    bd_checkpoint *c = new_ckpt(), *r = new_ckpt();
    snprintf(c->server, sizeof c->server, "mysql server_uuid=%s", U1);
    /* a quote, a backslash, a tab, a newline and two-byte UTF-8 */
    snprintf(c->file, sizeof c->file, "bin\"log\\x\t\ny-\xc3\xa9.000042");
    c->pos = 5000000000ull; /* past 32 bits */
    /* a MySQL GTID set of some KB, with the newlines @@gtid_executed has */
    size_t n = 0;
    for (int u = 0; u < 80; u++) {
        n += (size_t)snprintf(c->gtid + n, sizeof c->gtid - n,
                              "%s%08x-1ca4-11f1-9ae7-00155da79c6b:1-%d:%d-%d:tag%d:1-%d",
                              u ? ",\n" : "", 0x396e0000 + u, u + 5, u + 7, u * 1000 + 9, u, u + 1);
    }
    ck_assert_uint_gt(strlen(c->gtid), 4000);
    c->commit_us = 1764265694123456ull;
    write_ok(c);
    read_ok(r);
    same(r, c);

    /* the file itself: one JSON object on one line, version 1, written now */
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    ck_assert_msg(j != NULL, "%s", je.text);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "binlogd_checkpoint")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(j, "file")), c->file);
    const char *w = json_string_value(json_object_get(j, "written"));
    ck_assert_ptr_nonnull(w);
    struct tm tm = {0};
    const char *end = strptime(w, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ck_assert_msg(end && !*end, "written '%s'", w);
    time_t t = timegm(&tm), now = time(NULL);
    ck_assert_msg(t <= now && t >= now - 60, "written '%s' is not now", w);
    json_decref(j);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int ch, lines = 0, last = 0;
    while ((ch = fgetc(f)) != EOF) {
        if (ch == '\n') lines++;
        last = ch;
    }
    fclose(f);
    ck_assert_int_eq(lines, 1);
    ck_assert_int_eq(last, '\n');

    /* a MariaDB one with no GTID known and no commit time */
    memset(c, 0, sizeof *c);
    snprintf(c->server, sizeof c->server, "mariadb server_id=1");
    snprintf(c->file, sizeof c->file, "mariadb-bin.000001");
    c->pos = 4;
    write_ok(c);
    read_ok(r);
    same(r, c);
    ck_assert_str_eq(r->gtid, "");
    ck_assert_uint_eq(r->commit_us, 0);

    /* the largest names and set that fit */
    memset(c->server, 's', sizeof c->server - 1);
    c->server[sizeof c->server - 1] = '\0';
    memset(c->file, 'f', sizeof c->file - 1);
    c->file[sizeof c->file - 1] = '\0';
    memset(c->gtid, 'g', sizeof c->gtid - 1);
    c->gtid[sizeof c->gtid - 1] = '\0';
    c->pos = UINT32_MAX + 10ull;
    c->commit_us = 1;
    write_ok(c);
    read_ok(r);
    same(r, c);

    free(c);
    free(r);
    cleanup();
}
END_TEST

START_TEST(ckpt_missing)
{
    fresh_dir();
    bd_checkpoint *c = new_ckpt();
    bd_err err = {0};
    ck_assert_int_eq(bd_checkpoint_read(path, c, &err), 1);
    ck_assert_str_eq(c->file, "");
    ck_assert_uint_eq(c->pos, 0);
    /* inside a directory that does not exist either */
    char p[200];
    snprintf(p, sizeof p, "%s/nope/checkpoint.json", dir);
    ck_assert_int_eq(bd_checkpoint_read(p, c, &err), 1);
    /* a .tmp alone (a crash before the rename) is no checkpoint */
    write_text(tmp, "{\"binlogd_checkpoint\":1,\"server\":\"x\",\"file\":\"b.1\",\"pos\":9,"
                    "\"gtid\":\"\"}\n");
    ck_assert_int_eq(bd_checkpoint_read(path, c, &err), 1);
    free(c);
    cleanup();
}
END_TEST

/* text in the checkpoint file must be refused with -1, a message that
 * names the path and contains want. */
static void read_bad(const char *text, const char *want)
{
    write_text(path, text);
    bd_checkpoint *c = new_ckpt();
    bd_err err = {0};
    int r = bd_checkpoint_read(path, c, &err);
    free(c);
    ck_assert_msg(r == -1, "read gave %d for: %s", r, text);
    ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
    ck_assert_msg(strstr(err.msg, path) != NULL, "message '%s' lacks the path", err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

#define HEAD "{\"binlogd_checkpoint\":1,\"server\":\"mariadb server_id=1\","

START_TEST(ckpt_corrupt)
{
    fresh_dir();
    /* not JSON, truncated, empty */
    read_bad("binlog.000001:1234\n", "line 1");
    read_bad(HEAD "\"file\":\"binlog.000001\",\"pos\":12", "line 1");
    read_bad("", "checkpoint ");
    read_bad("{\"binlogd_checkpoint\":1}{}", "checkpoint ");
    /* JSON but not a checkpoint */
    read_bad("[1,2,3]\n", "not a binlogd checkpoint");
    read_bad("{}\n", "not a binlogd checkpoint");
    read_bad("{\"binlogd_checkpoint\":2,\"server\":\"x\",\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\"}",
             "not a binlogd checkpoint (version 1)");
    read_bad("{\"binlogd_checkpoint\":\"1\",\"server\":\"x\",\"file\":\"b.1\",\"pos\":4,"
             "\"gtid\":\"\"}",
             "not a binlogd checkpoint");
    /* server */
    read_bad("{\"binlogd_checkpoint\":1,\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\"}",
             "bad \"server\"");
    read_bad("{\"binlogd_checkpoint\":1,\"server\":7,\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\"}",
             "bad \"server\"");
    /* file: missing, not a string, empty */
    read_bad(HEAD "\"pos\":1234,\"gtid\":\"0-1-5\"}", "bad \"file\"");
    read_bad(HEAD "\"file\":null,\"pos\":1234,\"gtid\":\"0-1-5\"}", "bad \"file\"");
    read_bad(HEAD "\"file\":\"\",\"pos\":1234,\"gtid\":\"0-1-5\"}", "bad \"file\"");
    /* pos: below 4, negative, not an integer, missing */
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":3,\"gtid\":\"\"}", "bad \"pos\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":0,\"gtid\":\"\"}", "bad \"pos\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":-1234,\"gtid\":\"\"}", "bad \"pos\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":\"1234\",\"gtid\":\"\"}", "bad \"pos\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234.0,\"gtid\":\"\"}", "bad \"pos\"");
    read_bad(HEAD "\"file\":\"b.1\",\"gtid\":\"\"}", "bad \"pos\"");
    /* gtid: not a string, missing */
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":5}", "bad \"gtid\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":null}", "bad \"gtid\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":[\"0-1-5\"]}", "bad \"gtid\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234}", "bad \"gtid\"");
    /* commit_us: present but not a non-negative integer */
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":\"\",\"commit_us\":-1}",
             "bad \"commit_us\"");
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":\"\",\"commit_us\":\"5\"}",
             "bad \"commit_us\"");
    /* too long to hold */
    {
        static char big[BD_CKPT_FILE_MAX + 200];
        int n = snprintf(big, sizeof big, HEAD "\"file\":\"");
        memset(big + n, 'f', BD_CKPT_FILE_MAX);
        snprintf(big + n + BD_CKPT_FILE_MAX, sizeof big - (size_t)n - BD_CKPT_FILE_MAX,
                 "\",\"pos\":4,\"gtid\":\"\"}");
        read_bad(big, "bad \"file\"");
    }
    /* the message says what to do */
    read_bad(HEAD "\"file\":\"b.1\",\"pos\":3,\"gtid\":\"\"}", "fix or remove it");

    /* commit_us may be absent (0); other keys are ignored */
    write_text(path, HEAD "\"file\":\"b.1\",\"pos\":4,\"gtid\":\"0-1-5\",\"extra\":[1]}");
    bd_checkpoint *c = new_ckpt();
    read_ok(c);
    ck_assert_str_eq(c->server, "mariadb server_id=1");
    ck_assert_str_eq(c->file, "b.1");
    ck_assert_uint_eq(c->pos, 4);
    ck_assert_str_eq(c->gtid, "0-1-5");
    ck_assert_uint_eq(c->commit_us, 0);
    free(c);
    cleanup();
}
END_TEST

START_TEST(ckpt_overwrite_atomic)
{
    fresh_dir();
    bd_checkpoint *c = new_ckpt(), *r = new_ckpt();
    snprintf(c->server, sizeof c->server, "mariadb server_id=1");
    snprintf(c->file, sizeof c->file, "binlog.000001");
    c->pos = 1000;
    snprintf(c->gtid, sizeof c->gtid, "0-1-10");
    c->commit_us = 111;
    write_ok(c);
    struct stat st1;
    ck_assert_int_eq(stat(path, &st1), 0);

    /* a newer one replaces it whole (a new file, renamed over) */
    snprintf(c->file, sizeof c->file, "binlog.000002");
    c->pos = 4;
    snprintf(c->gtid, sizeof c->gtid, "0-1-11");
    c->commit_us = 222;
    write_ok(c);
    read_ok(r);
    same(r, c);
    struct stat st2;
    ck_assert_int_eq(stat(path, &st2), 0);
    ck_assert_uint_ne(st1.st_ino, st2.st_ino);

    /* a stale FILE.tmp (a crash between write and rename), longer than
     * the new text: overwritten, renamed, gone */
    char junk[8192];
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    write_text(tmp, junk);
    c->pos = 5555;
    write_ok(c);
    read_ok(r);
    same(r, c);

    /* the only entries in the directory: the checkpoint */
    char p[200];
    snprintf(p, sizeof p, "ls -A %s | wc -l", dir);
    FILE *ls = popen(p, "r");
    ck_assert_ptr_nonnull(ls);
    int nfiles = -1;
    ck_assert_int_eq(fscanf(ls, "%d", &nfiles), 1);
    pclose(ls);
    ck_assert_int_eq(nfiles, 1);

    /* many in a row: always the last */
    for (uint64_t i = 0; i < 50; i++) {
        c->pos = 4 + i;
        write_ok(c);
    }
    read_ok(r);
    ck_assert_uint_eq(r->pos, 53);

    free(c);
    free(r);
    cleanup();
}
END_TEST

START_TEST(ckpt_write_fails)
{
    fresh_dir();
    bd_checkpoint *c = new_ckpt();
    snprintf(c->server, sizeof c->server, "mariadb server_id=1");
    snprintf(c->file, sizeof c->file, "binlog.000001");
    c->pos = 4;
    bd_err err = {0};

    /* into a directory that does not exist */
    char p[200];
    snprintf(p, sizeof p, "%s/no-such-dir/checkpoint.json", dir);
    ck_assert_int_eq(bd_checkpoint_write(p, c, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_IO);
    ck_assert_msg(strstr(err.msg, p) != NULL, "message '%s' lacks %s", err.msg, p);
    ck_assert_msg(strstr(err.msg, "No such file or directory") != NULL, "%s", err.msg);
    ck_assert(!exists(p));

    /* over a directory: the rename fails, the directory stays, no .tmp */
    ck_assert_int_eq(mkdir(path, 0755), 0);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_checkpoint_write(path, c, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_IO);
    ck_assert_msg(strstr(err.msg, path) != NULL, "message '%s' lacks %s", err.msg, path);
    ck_assert_msg(!exists(tmp), "%s left behind", tmp);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    /* and reading a directory is not a checkpoint */
    bd_checkpoint *r = new_ckpt();
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_checkpoint_read(path, r, &err), -1);
    ck_assert_msg(strstr(err.msg, path) != NULL, "message '%s' lacks %s", err.msg, path);
    ck_assert_int_eq(rmdir(path), 0);

    /* a path too long for FILE.tmp */
    static char lp[5000];
    memset(lp, 'a', sizeof lp - 1);
    lp[0] = '/';
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(bd_checkpoint_write(lp, c, &err), -1);
    ck_assert_msg(strstr(err.msg, "checkpoint path too long") != NULL, "%s", err.msg);

    free(r);
    free(c);
    cleanup();
}
END_TEST

START_TEST(ckpt_mode)
{
    mode_t old = umask(022);
    fresh_dir();
    bd_checkpoint *c = new_ckpt();
    snprintf(c->server, sizeof c->server, "mariadb server_id=1");
    snprintf(c->file, sizeof c->file, "binlog.000001");
    c->pos = 4;
    write_ok(c);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
    /* a checkpoint whose mode was changed: the new file has 0640 again */
    ck_assert_int_eq(chmod(path, 0600), 0);
    c->pos = 5;
    write_ok(c);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
    free(c);
    cleanup();
    umask(old);
}
END_TEST

START_TEST(ckpt_mode_stale_tmp)
{
    /* A FILE.tmp left behind with another mode (a crash under another
     * umask, a copy by hand): the checkpoint renamed from it must still be
     * 0640.  Fails at the time of writing: open(O_CREAT) keeps the mode of
     * a file that exists, and lib/state/checkpoint.c neither removes the stale
     * FILE.tmp first nor fchmod()s it. */
    mode_t old = umask(022);
    fresh_dir();
    write_text(tmp, "stale");
    ck_assert_int_eq(chmod(tmp, 0644), 0);
    bd_checkpoint *c = new_ckpt(), *r = new_ckpt();
    snprintf(c->server, sizeof c->server, "mariadb server_id=1");
    snprintf(c->file, sizeof c->file, "binlog.000001");
    c->pos = 4;
    write_ok(c);
    read_ok(r);
    same(r, c);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    umask(old);
    free(c);
    free(r);
    cleanup();
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
}
END_TEST

/* ---- the JSON text alone (the state topic's records) */

#define WHERE "in topic binlogd.state at offset 42"

static void parse_ok(const char *text, size_t n, bd_checkpoint *c)
{
    bd_err err = {0};
    ck_assert_msg(bd_checkpoint_parse(text, n, WHERE, c, &err) == 0, "%s: %.*s", err.msg, (int)n,
                  text);
}

START_TEST(ckpt_json_round_trip)
{
    bd_checkpoint *c = new_ckpt(), *r = new_ckpt();
    snprintf(c->server, sizeof c->server, "mysql server_uuid=%s", U1);
    snprintf(c->file, sizeof c->file, "bin\"log\\x\t\ny-\xc3\xa9.000042");
    c->pos = 5000000000ull;
    snprintf(c->gtid, sizeof c->gtid, "%s:1-977,\n55778904-0299-11f1-b1b8-4ef0c4956feb:1-3:tag:7",
             U1);
    c->commit_us = 1764265694123456ull;

    /* appended to what the buffer holds: one line, ending in a newline */
    bd_buf b = BD_BUF_INIT;
    bd_buf_adds(&b, "prefix:");
    bd_checkpoint_json(c, &b);
    ck_assert(!bd_buf_failed(&b));
    ck_assert_uint_gt(b.len, 8);
    ck_assert_int_eq(memcmp(b.ptr, "prefix:", 7), 0);
    const char *text = b.ptr + 7;
    size_t n = b.len - 7;
    ck_assert_int_eq(text[n - 1], '\n');
    ck_assert_ptr_eq(memchr(text, '\n', n), text + n - 1);
    ck_assert_int_eq(text[0], '{');

    parse_ok(text, n, r);
    same(r, c);
    /* without the newline */
    memset(r, 0, sizeof *r);
    parse_ok(text, n - 1, r);
    same(r, c);
    /* n bytes exactly: what follows them is not read */
    char *more = malloc(n + 16);
    ck_assert_ptr_nonnull(more);
    memcpy(more, text, n);
    memcpy(more + n, "{\"junk\":", 9);
    memset(r, 0, sizeof *r);
    parse_ok(more, n, r);
    same(r, c);
    free(more);

    /* the keys of the file format, version 1, written now */
    json_error_t je;
    json_t *j = json_loadb(text, n, 0, &je);
    ck_assert_msg(j != NULL, "%s", je.text);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "binlogd_checkpoint")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(j, "server")), c->server);
    ck_assert_str_eq(json_string_value(json_object_get(j, "file")), c->file);
    ck_assert_str_eq(json_string_value(json_object_get(j, "gtid")), c->gtid);
    ck_assert(json_integer_value(json_object_get(j, "pos")) == 5000000000ll);
    ck_assert(json_integer_value(json_object_get(j, "commit_us")) == 1764265694123456ll);
    const char *w = json_string_value(json_object_get(j, "written"));
    ck_assert_ptr_nonnull(w);
    struct tm tm = {0};
    const char *end = strptime(w, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ck_assert_msg(end && !*end, "written '%s'", w);
    time_t t = timegm(&tm), now = time(NULL);
    ck_assert_msg(t <= now && t >= now - 60, "written '%s' is not now", w);
    json_decref(j);

    /* the same text as the file (up to "written", which is the time) */
    fresh_dir();
    write_ok(c);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char file_text[4096];
    size_t fl = fread(file_text, 1, sizeof file_text, f);
    fclose(f);
    const char *wk = strstr(text, ",\"written\":");
    ck_assert_ptr_nonnull(wk);
    size_t upto = (size_t)(wk - text);
    ck_assert_uint_gt(fl, upto);
    ck_assert_int_eq(memcmp(file_text, text, upto), 0);
    /* and the file's text parses too */
    parse_ok(file_text, fl, r);
    same(r, c);
    cleanup();
    bd_buf_release(&b);

    /* nothing known but the position */
    memset(c, 0, sizeof *c);
    snprintf(c->file, sizeof c->file, "mariadb-bin.000001");
    c->pos = 4;
    bd_checkpoint_json(c, &b);
    ck_assert(!bd_buf_failed(&b));
    memset(r, 0xee, sizeof *r);
    parse_ok(b.ptr, b.len, r);
    same(r, c);
    ck_assert_str_eq(r->server, "");
    ck_assert_str_eq(r->gtid, "");
    ck_assert_uint_eq(r->commit_us, 0);
    bd_buf_release(&b);

    /* the largest that fit */
    memset(c->server, 's', sizeof c->server - 1);
    c->server[sizeof c->server - 1] = '\0';
    memset(c->file, 'f', sizeof c->file - 1);
    c->file[sizeof c->file - 1] = '\0';
    memset(c->gtid, 'g', sizeof c->gtid - 1);
    c->gtid[sizeof c->gtid - 1] = '\0';
    c->pos = UINT32_MAX + 10ull;
    c->commit_us = 1;
    bd_checkpoint_json(c, &b);
    ck_assert(!bd_buf_failed(&b));
    parse_ok(b.ptr, b.len, r);
    same(r, c);
    bd_buf_release(&b);
    free(c);
    free(r);
}
END_TEST

/* text (n bytes) is refused: -1, BD_ERR_CORRUPT, where and want in the
 * message. */
static void parse_bad_n(const char *text, size_t n, const char *want)
{
    bd_checkpoint *c = new_ckpt();
    bd_err err = {0};
    int r = bd_checkpoint_parse(text, n, WHERE, c, &err);
    free(c);
    ck_assert_msg(r == -1, "parse gave %d for: %.*s", r, (int)n, text);
    ck_assert_int_eq(err.code, BD_ERR_CORRUPT);
    ck_assert_msg(strstr(err.msg, WHERE) != NULL, "message '%s' lacks where", err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

static void parse_bad(const char *text, const char *want) { parse_bad_n(text, strlen(text), want); }

/* The snapshots' progress rides along, as compact JSON; none: no member. */
START_TEST(ckpt_snapshot_member)
{
    bd_checkpoint *c = new_ckpt(), *r = new_ckpt();
    snprintf(c->server, sizeof c->server, "mariadb server_id=1");
    snprintf(c->file, sizeof c->file, "binlog.000002");
    c->pos = 1234;
    bd_buf b = BD_BUF_INIT;
    bd_checkpoint_json(c, &b);
    ck_assert_ptr_null(strstr(b.ptr, "snapshot"));
    parse_ok(b.ptr, b.len, r);
    ck_assert_str_eq(r->snapshot, "");
    const char *snap = "{\"next_id\":3,\"requests\":[{\"id\":\"2\",\"requested\":\"p.*\","
                       "\"tables\":[{\"table\":\"p.t\",\"after\":[\"'a\\\\b'\"]}]}]}";
    snprintf(c->snapshot, sizeof c->snapshot, "%s", snap);
    bd_buf_reset(&b);
    bd_checkpoint_json(c, &b);
    ck_assert_ptr_nonnull(strstr(b.ptr, ",\"snapshot\":{\"next_id\":3,"));
    parse_ok(b.ptr, b.len, r);
    same(r, c);
    /* written and read back through the file too */
    fresh_dir();
    bd_err err = {0};
    ck_assert_int_eq(bd_checkpoint_write(path, c, &err), 0);
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(bd_checkpoint_read(path, r, &err), 0);
    same(r, c);
    cleanup();
    /* not an object */
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\",\"snapshot\":[1]}",
              "bad \"snapshot\"");
    bd_buf_release(&b);
    free(c);
    free(r);
}
END_TEST

START_TEST(ckpt_parse_bad)
{
    /* not JSON, truncated, empty, two values */
    parse_bad("binlog.000001:1234", "line 1");
    parse_bad(HEAD "\"file\":\"binlog.000001\",\"pos\":12", "line 1");
    parse_bad("", "checkpoint ");
    parse_bad_n("{}", 0, "checkpoint ");
    parse_bad("{\"binlogd_checkpoint\":1}{}", "checkpoint ");
    /* a good one cut short by n */
    const char *good = HEAD "\"file\":\"b.1\",\"pos\":4,\"gtid\":\"0-1-5\"}";
    parse_bad_n(good, strlen(good) - 1, "checkpoint ");
    /* JSON but not a checkpoint */
    parse_bad("[1,2,3]", "not a binlogd checkpoint");
    parse_bad("null", "checkpoint ");
    parse_bad("{}", "not a binlogd checkpoint");
    parse_bad(
        "{\"binlogd_checkpoint\":2,\"server\":\"x\",\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\"}",
        "not a binlogd checkpoint (version 1)");
    /* each field */
    parse_bad("{\"binlogd_checkpoint\":1,\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\"}",
              "bad \"server\"");
    parse_bad(HEAD "\"file\":\"\",\"pos\":1234,\"gtid\":\"0-1-5\"}", "bad \"file\"");
    parse_bad(HEAD "\"file\":7,\"pos\":1234,\"gtid\":\"0-1-5\"}", "bad \"file\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":3,\"gtid\":\"\"}", "bad \"pos\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":\"4\",\"gtid\":\"\"}", "bad \"pos\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"gtid\":\"\"}", "bad \"pos\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":1234}", "bad \"gtid\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":null}", "bad \"gtid\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":\"\",\"commit_us\":-1}",
              "bad \"commit_us\"");
    parse_bad(HEAD "\"file\":\"b.1\",\"pos\":1234,\"gtid\":\"\",\"commit_us\":1.5}",
              "bad \"commit_us\"");
    /* too long to hold */
    {
        static char big[sizeof(((bd_checkpoint *)0)->server) + 200];
        int n = snprintf(big, sizeof big, "{\"binlogd_checkpoint\":1,\"server\":\"");
        size_t sl = sizeof(((bd_checkpoint *)0)->server);
        memset(big + n, 's', sl);
        snprintf(big + n + sl, sizeof big - (size_t)n - sl,
                 "\",\"file\":\"b.1\",\"pos\":4,\"gtid\":\"\"}");
        parse_bad(big, "bad \"server\"");
    }
    {
        static char big[BD_CKPT_GTID_MAX + 200];
        int n = snprintf(big, sizeof big, HEAD "\"file\":\"b.1\",\"pos\":4,\"gtid\":\"");
        memset(big + n, 'g', BD_CKPT_GTID_MAX);
        snprintf(big + n + BD_CKPT_GTID_MAX, sizeof big - (size_t)n - BD_CKPT_GTID_MAX, "\"}");
        parse_bad(big, "bad \"gtid\"");
    }
    /* the good one whole */
    bd_checkpoint *c = new_ckpt();
    parse_ok(good, strlen(good), c);
    ck_assert_str_eq(c->server, "mariadb server_id=1");
    ck_assert_str_eq(c->file, "b.1");
    ck_assert_uint_eq(c->pos, 4);
    ck_assert_str_eq(c->gtid, "0-1-5");
    ck_assert_uint_eq(c->commit_us, 0);
    free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *t = tcase_create("checkpoint");
    tcase_add_test(t, ckpt_round_trip);
    tcase_add_test(t, ckpt_missing);
    tcase_add_test(t, ckpt_corrupt);
    tcase_add_test(t, ckpt_overwrite_atomic);
    tcase_add_test(t, ckpt_write_fails);
    tcase_add_test(t, ckpt_mode);
    tcase_add_test(t, ckpt_mode_stale_tmp);
    tcase_add_test(t, ckpt_json_round_trip);
    tcase_add_test(t, ckpt_parse_bad);
    tcase_add_test(t, ckpt_snapshot_member);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
