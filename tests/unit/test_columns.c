/* test_columns.c - [columns] rules (lib/publish/columns.c): parsing patterns
 * and actions, HMAC-SHA-256 tokens against RFC 4231's vectors, every action
 * on every kind of value (text with multi-byte characters, DECIMAL,
 * integers, doubles, bytes, JSON, NULL, absent), first-match order, the
 * plan of a table map (no names: refused; "hashed" in source), and rule
 * sets compared for a reload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/binlog/internal.h"
#include "binlogd/columns.h"
#include "testutil.h"

/* ---- rule sets built as the config reader does -------------------------- */

static void add_rule(bd_col_rules *rs, const char *pattern, const char *action)
{
    char why[400];
    rs->rules = realloc(rs->rules, (rs->n + 1) * sizeof *rs->rules);
    ck_assert(rs->rules != NULL);
    bd_col_rule *r = &rs->rules[rs->n++];
    memset(r, 0, sizeof *r);
    ck_assert_msg(bd_col_pattern_set(r, pattern, why, sizeof why) == NULL, "%s", why);
    ck_assert_msg(bd_col_action_parse(r, action, why, sizeof why) == NULL, "%s", why);
}

static void add_key(bd_col_rules *rs, const char *id, const char *secret, int base64)
{
    rs->keys = realloc(rs->keys, (rs->nkeys + 1) * sizeof *rs->keys);
    ck_assert(rs->keys != NULL);
    bd_hash_key *k = &rs->keys[rs->nkeys++];
    memset(k, 0, sizeof *k);
    k->id = strdup(id);
    k->source = strdup("env:X");
    k->base64 = base64;
    ck_assert_int_eq(bd_hash_key_set_secret(k, (const unsigned char *)secret, strlen(secret)), 0);
}

static void resolve_ok(bd_col_rules *rs)
{
    char why[400];
    ck_assert_msg(bd_col_rules_resolve(rs, why, sizeof why) == 0, "%s", why);
}

/* ---- tables ---------------------------------------------------------------- */

/* A table with the given column names and types, names known or not. */
static bd_table *mk_table(const char *db, const char *tb, const char *const *names,
                          const uint8_t *types, uint32_t n, int with_names)
{
    bd_table *t = calloc(1, sizeof *t);
    ck_assert(t != NULL);
    t->db.p = db;
    t->db.n = strlen(db);
    t->name.p = tb;
    t->name.n = strlen(tb);
    t->ncols = n;
    t->cols = calloc(n, sizeof *t->cols);
    ck_assert(t->cols != NULL);
    for (uint32_t i = 0; i < n; i++) {
        t->cols[i].type = types[i];
        if (with_names) {
            t->cols[i].name.p = names[i];
            t->cols[i].name.n = strlen(names[i]);
        }
    }
    t->has_names = with_names;
    return t;
}

static void free_table(bd_table *t)
{
    free(t->cols);
    free(t);
}

static bd_value V(enum bd_vkind k, const char *s)
{
    bd_value v = {.kind = k};
    if (s) {
        v.s = s;
        v.n = strlen(s);
    }
    return v;
}

static bd_value VI(int64_t i)
{
    bd_value v = {.kind = BD_V_INT};
    v.i = i;
    return v;
}

static bd_value VU(uint64_t u)
{
    bd_value v = {.kind = BD_V_UINT};
    v.u = u;
    return v;
}

/* out[i] is a value of kind k whose text is want */
static void check_val(const bd_value *v, enum bd_vkind k, const char *want, int line)
{
    ck_assert_msg(v->kind == k, "line %d: kind %d, want %d", line, v->kind, k);
    if (!want) return;
    ck_assert_msg(v->n == strlen(want) && !memcmp(v->s, want, v->n), "line %d: '%.*s', want '%s'",
                  line, (int)v->n, v->s, want);
}
#define CHECK_VAL(v, k, want) check_val(v, k, want, __LINE__)

/* ---- tests ------------------------------------------------------------------ */

START_TEST(col_parse)
{
    bd_col_rule r;
    char why[400];
    static const char *const bad_patterns[] = {"pay.acct", "pay..x", ".a.b", "a.b.", "nodots"};
    for (size_t i = 0; i < sizeof bad_patterns / sizeof *bad_patterns; i++) {
        memset(&r, 0, sizeof r);
        const char *e = bd_col_pattern_set(&r, bad_patterns[i], why, sizeof why);
        ck_assert_msg(e && strstr(e, "db.table.column"), "%s: %s", bad_patterns[i], e ? e : "ok");
    }
    memset(&r, 0, sizeof r);
    ck_assert(bd_col_pattern_set(&r, "pay.*.card_no", why, sizeof why) == NULL);
    ck_assert_str_eq(r.table_pat, "pay.*");
    ck_assert_str_eq(r.col_pat, "card_no");
    free(r.pattern);
    free(r.table_pat);
    free(r.col_pat);

    static const char *const bad_actions[] = {
        "drop",  "mask",     "mask:keep-last-", "mask:keep-last-x", "mask:keep-last-65",
        "hash:", "hash:a b", "hash:k/1",        "mask:fixed=\xff"};
    for (size_t i = 0; i < sizeof bad_actions / sizeof *bad_actions; i++) {
        memset(&r, 0, sizeof r);
        ck_assert_msg(bd_col_action_parse(&r, bad_actions[i], why, sizeof why) != NULL, "%s",
                      bad_actions[i]);
        free(r.action);
        free(r.fixed);
        free(r.key_id);
    }
    memset(&r, 0, sizeof r);
    ck_assert(bd_col_action_parse(&r, "drop", why, sizeof why) != NULL);
    ck_assert_msg(strstr(why, "exclude, mask:null, mask:keep-last-N") != NULL, "%s", why);

    memset(&r, 0, sizeof r);
    ck_assert(bd_col_action_parse(&r, "mask:keep-last-4", why, sizeof why) == NULL);
    ck_assert_int_eq(r.act, BD_COL_MASK_LAST);
    ck_assert_uint_eq(r.keep, 4);
    ck_assert_str_eq(r.action, "mask:keep-last-4");
    free(r.action);
    memset(&r, 0, sizeof r);
    ck_assert(bd_col_action_parse(&r, "mask:fixed=保密", why, sizeof why) == NULL);
    ck_assert_int_eq(r.act, BD_COL_MASK_FIXED);
    ck_assert_str_eq(r.fixed, "保密");
    free(r.action);
    free(r.fixed);
    memset(&r, 0, sizeof r);
    ck_assert(bd_col_action_parse(&r, "hash:k2026.a", why, sizeof why) == NULL);
    ck_assert_int_eq(r.act, BD_COL_HASH);
    ck_assert_str_eq(r.key_id, "k2026.a");
    free(r.action);
    free(r.key_id);
}
END_TEST

/* RFC 4231 HMAC-SHA-256 test cases 1 and 2. */
START_TEST(col_hmac_vectors)
{
    bd_col_rules rs = {0};
    char key1[21];
    memset(key1, 0x0b, 20);
    key1[20] = '\0';
    add_key(&rs, "a", key1, 0);
    add_key(&rs, "b", "Jefe", 0);
    add_key(&rs, "c", "Jefe", 1);
    char out[65];
    size_t n = bd_hash_token(&rs.keys[0], "Hi There", 8, out);
    ck_assert_uint_eq(n, 64);
    out[n] = '\0';
    ck_assert_str_eq(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    n = bd_hash_token(&rs.keys[1], "what do ya want for nothing?", 28, out);
    out[n] = '\0';
    ck_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* the same digest in base64 */
    n = bd_hash_token(&rs.keys[2], "what do ya want for nothing?", 28, out);
    ck_assert_uint_eq(n, 44);
    out[n] = '\0';
    ck_assert_str_eq(out, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    /* a key longer than SHA-256's block is hashed first (RFC 4231 case 6) */
    char big[132];
    memset(big, 0xaa, 131);
    big[131] = '\0';
    bd_col_rules rs2 = {0};
    add_key(&rs2, "d", big, 0);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    n = bd_hash_token(&rs2.keys[0], m6, strlen(m6), out);
    out[n] = '\0';
    ck_assert_str_eq(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    bd_col_rules_release(&rs);
    bd_col_rules_release(&rs2);
}
END_TEST

START_TEST(col_resolve)
{
    char why[400];
    bd_col_rules rs = {0};
    add_rule(&rs, "a.b.c", "hash");
    /* no key at all */
    ck_assert_int_eq(bd_col_rules_resolve(&rs, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "no [hash_key ID]") != NULL, "%s", why);
    /* one key: plain hash takes it */
    add_key(&rs, "k1", "0123456789abcdef", 0);
    resolve_ok(&rs);
    ck_assert_str_eq(rs.rules[0].key_id, "k1");
    ck_assert_uint_eq(rs.rules[0].key, 0);
    /* two keys: hash must name one; an unknown id is named */
    bd_col_rules rs2 = {0};
    add_rule(&rs2, "a.b.c", "hash");
    add_key(&rs2, "k1", "0123456789abcdef", 0);
    add_key(&rs2, "k2", "fedcba9876543210", 0);
    ck_assert_int_eq(bd_col_rules_resolve(&rs2, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "more than one") && strstr(why, "hash:ID"), "%s", why);
    bd_col_rules rs3 = {0};
    add_rule(&rs3, "a.b.c", "hash:k9");
    add_key(&rs3, "k1", "0123456789abcdef", 0);
    ck_assert_int_eq(bd_col_rules_resolve(&rs3, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "no [hash_key k9]") != NULL, "%s", why);
    bd_col_rules_release(&rs);
    bd_col_rules_release(&rs2);
    bd_col_rules_release(&rs3);
}
END_TEST

/* pay.acct: every action on its kind of value */
START_TEST(col_apply_actions)
{
    static const char *const names[] = {"id",  "name",  "amount", "neg",   "big",  "ubig",
                                        "dbl", "phone", "note",   "blob",  "doc",  "fixed",
                                        "nul", "gone",  "card",   "card2", "when", "left"};
    static const uint8_t types[] = {BD_T_LONGLONG,  BD_T_VARCHAR,  BD_T_NEWDECIMAL, BD_T_NEWDECIMAL,
                                    BD_T_LONGLONG,  BD_T_LONGLONG, BD_T_DOUBLE,     BD_T_VARCHAR,
                                    BD_T_VARCHAR,   BD_T_BLOB,     BD_T_JSON,       BD_T_LONG,
                                    BD_T_VARCHAR,   BD_T_VARCHAR,  BD_T_VARCHAR,    BD_T_LONGLONG,
                                    BD_T_DATETIME2, BD_T_VARCHAR};
    enum { N = 18 };
    bd_table *t = mk_table("pay", "acct", names, types, N, 1);
    bd_col_rules rs = {0};
    add_rule(&rs, "pay.acct.name", "mask:keep-last-1");
    add_rule(&rs, "pay.acct.amount", "mask:keep-last-4");
    add_rule(&rs, "pay.acct.neg", "mask:keep-last-1");
    add_rule(&rs, "pay.acct.big", "mask:keep-last-4");
    add_rule(&rs, "pay.acct.ubig", "mask:keep-last-0");
    add_rule(&rs, "pay.acct.dbl", "mask:keep-last-2");
    add_rule(&rs, "pay.acct.phone", "exclude");
    add_rule(&rs, "pay.acct.note", "mask:null");
    add_rule(&rs, "pay.acct.blob", "mask:keep-last-1");
    add_rule(&rs, "pay.acct.doc", "mask:keep-last-3");
    add_rule(&rs, "pay.acct.fixed", "mask:fixed=***");
    add_rule(&rs, "pay.acct.nul", "hash:k1");
    add_rule(&rs, "pay.acct.gone", "hash:k1");
    add_rule(&rs, "pay.acct.card*", "hash:k1");
    add_rule(&rs, "pay.acct.when", "mask:keep-last-6");
    add_rule(&rs, "pay.acct.left", "mask:keep-last-9"); /* more kept than there is */
    add_rule(&rs, "pay.*.card", "exclude");             /* after the card* rule: not used */
    add_key(&rs, "k1", "key-of-sixteen-bytes", 0);
    resolve_ok(&rs);

    bd_col_plan p;
    bd_col_plan_init(&p);
    bd_err err = {0};
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, t, &err), 0);
    ck_assert(p.any);
    ck_assert(p.rule[0] == NULL);
    ck_assert_str_eq(p.rule[14]->pattern, "pay.acct.card*");
    ck_assert_uint_eq(p.src.len,
                      strlen(",\"hashed\":{\"nul\":\"k1\",\"gone\":\"k1\",\"card\":\"k1\","
                             "\"card2\":\"k1\"}"));
    ck_assert_str_eq(
        p.src.ptr, ",\"hashed\":{\"nul\":\"k1\",\"gone\":\"k1\",\"card\":\"k1\",\"card2\":\"k1\"}");

    uint8_t blob[] = {1, 2, 3, 0xff};
    bd_value in[N] = {VI(7),
                      V(BD_V_STRING, "张三丰"),
                      V(BD_V_ASCII, "12345.67"),
                      V(BD_V_ASCII, "-12.50"),
                      VI(6222021234567890),
                      VU(18446744073709551615u),
                      V(BD_V_DOUBLE, "-1.25e+20"),
                      V(BD_V_STRING, "13800001111"),
                      V(BD_V_STRING, "secret note"),
                      {.kind = BD_V_BYTES, .s = (const char *)blob, .n = 4},
                      V(BD_V_JSON, "{\"a\":1}"),
                      VI(42),
                      {.kind = BD_V_NULL},
                      {.kind = BD_V_ABSENT},
                      V(BD_V_STRING, "6222021234567890"),
                      VI(6222021234567890),
                      V(BD_V_ASCII, "2026-12-07 10:11:12.500"),
                      V(BD_V_STRING, "abc")};
    bd_value out[N], out2[N];
    bd_buf arena = BD_BUF_INIT;
    const bd_value *const ins[2] = {in, in};
    bd_value *const outs[2] = {out, out2};
    ck_assert_int_eq(bd_col_apply(&p, &rs, t, ins, outs, &arena), 0);

    CHECK_VAL(&out[0], BD_V_INT, NULL);
    ck_assert_int_eq(out[0].i, 7);
    CHECK_VAL(&out[1], BD_V_STRING, "**丰");    /* characters, not bytes */
    CHECK_VAL(&out[2], BD_V_ASCII, "***45.67"); /* digits, the scale kept */
    CHECK_VAL(&out[3], BD_V_ASCII, "-**.*0");
    CHECK_VAL(&out[4], BD_V_ASCII, "************7890"); /* a number becomes a string */
    CHECK_VAL(&out[5], BD_V_ASCII, "********************");
    CHECK_VAL(&out[6], BD_V_ASCII, "-*.25e+20"); /* the exponent (the scale) stays */
    CHECK_VAL(&out[7], BD_V_ABSENT, NULL);
    CHECK_VAL(&out[8], BD_V_NULL, NULL);
    ck_assert_int_eq(out[9].kind, BD_V_BYTES); /* bytes stay bytes: starred bytes */
    ck_assert_uint_eq(out[9].n, 4);
    ck_assert(!memcmp(out[9].s, "***\xff", 4));
    CHECK_VAL(&out[10], BD_V_STRING, "****:1}");
    CHECK_VAL(&out[11], BD_V_STRING, "***");
    CHECK_VAL(&out[12], BD_V_NULL, NULL);   /* NULL stays null when hashed */
    CHECK_VAL(&out[13], BD_V_ABSENT, NULL); /* absent stays absent */
    /* the text of the value is hashed: a string and a BIGINT of the same
     * digits give one token */
    char tok[65];
    size_t tn = bd_hash_token(&rs.keys[0], "6222021234567890", 16, tok);
    tok[tn] = '\0';
    CHECK_VAL(&out[14], BD_V_ASCII, tok);
    CHECK_VAL(&out[15], BD_V_ASCII, tok);
    CHECK_VAL(&out[16], BD_V_STRING, "*****************12.500");
    CHECK_VAL(&out[17], BD_V_STRING, "abc");
    /* the second image got the same, in memory of its own */
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(out2[i].kind, out[i].kind);
        if (out[i].kind > BD_V_UINT) {
            ck_assert_uint_eq(out2[i].n, out[i].n);
            ck_assert(!memcmp(out2[i].s, out[i].s, out[i].n));
        }
    }
    /* a NULL image stays NULL (an insert's before) */
    const bd_value *const ins2[2] = {NULL, in};
    bd_buf_reset(&arena);
    out2[0].kind = BD_V_JSON; /* untouched */
    ck_assert_int_eq(bd_col_apply(&p, &rs, t, ins2, outs, &arena), 0);
    ck_assert_int_eq(out[0].kind, BD_V_INT);

    bd_buf_release(&arena);
    bd_col_plan_release(&p);
    bd_col_rules_release(&rs);
    free_table(t);
}
END_TEST

/* keep-last on long texts of 1- to 4-byte characters: the characters
 * before the kept ones are counted eight bytes at a time, so continuation
 * bytes fall on every side of those words; each result is checked against
 * one star a character. */
START_TEST(col_mask_utf8_long)
{
    static const char *const names[] = {"k0", "k1", "k3", "k7"};
    static const uint8_t types[] = {BD_T_VARCHAR, BD_T_VARCHAR, BD_T_VARCHAR, BD_T_VARCHAR};
    static const unsigned keep[] = {0, 1, 3, 7};
    static const char *const chars[] = {"a", "\xc3\xa9" /* é */, "\xe5\x88\x86" /* 分 */,
                                        "\xf0\x9f\x98\x80" /* 😀 */};
    bd_table *t = mk_table("pay", "u", names, types, 4, 1);
    bd_col_rules rs = {0};
    add_rule(&rs, "pay.u.k0", "mask:keep-last-0");
    add_rule(&rs, "pay.u.k1", "mask:keep-last-1");
    add_rule(&rs, "pay.u.k3", "mask:keep-last-3");
    add_rule(&rs, "pay.u.k7", "mask:keep-last-7");
    resolve_ok(&rs);
    bd_col_plan p;
    bd_col_plan_init(&p);
    bd_err err = {0};
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, t, &err), 0);
    bd_buf arena = BD_BUF_INIT;
    uint32_t seed = 12345;
    for (int round = 0; round < 500; round++) {
        char text[4 * 64 + 1];
        size_t at[65], len = 0, nch = (size_t)(round % 64);
        for (size_t c = 0; c < nch; c++) {
            seed = seed * 1103515245u + 12345u;
            const char *ch = chars[(seed >> 16) % 4];
            at[c] = len;
            memcpy(text + len, ch, strlen(ch));
            len += strlen(ch);
        }
        at[nch] = len;
        text[len] = '\0';
        bd_value in[4], out[4];
        for (int i = 0; i < 4; i++)
            in[i] = V(BD_V_STRING, text);
        const bd_value *const ins[2] = {NULL, in};
        bd_value *const outs[2] = {NULL, out};
        bd_buf_reset(&arena);
        ck_assert_int_eq(bd_col_apply(&p, &rs, t, ins, outs, &arena), 0);
        for (int i = 0; i < 4; i++) {
            size_t kept = keep[i] < nch ? keep[i] : nch, stars = nch - kept;
            char want[4 * 64 + 1];
            memset(want, '*', stars);
            memcpy(want + stars, text + at[nch - kept], len - at[nch - kept]);
            want[stars + len - at[nch - kept]] = '\0';
            CHECK_VAL(&out[i], BD_V_STRING, want);
        }
    }
    bd_buf_release(&arena);
    bd_col_plan_release(&p);
    bd_col_rules_release(&rs);
    free_table(t);
}
END_TEST

/* Rules of other tables leave a table as it is; names unknown with rules
 * that match the table: refused, never published in clear. */
START_TEST(col_plan_tables)
{
    static const char *const names[] = {"id", "card"};
    static const uint8_t types[] = {BD_T_LONG, BD_T_VARCHAR};
    bd_col_rules rs = {0};
    add_rule(&rs, "pay.acct.card", "exclude");
    add_rule(&rs, "hr.*.salary", "mask:null");
    resolve_ok(&rs);
    bd_col_plan p;
    bd_col_plan_init(&p);
    bd_err err = {0};

    bd_table *other = mk_table("pay", "flow", names, types, 2, 0);
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, other, &err), 0);
    ck_assert(!p.any);
    ck_assert(!bd_col_rules_touch(&rs, "pay", 3, "flow", 4));
    ck_assert(bd_col_rules_touch(&rs, "hr", 2, "staff", 5));

    bd_table *nameless = mk_table("pay", "acct", names, types, 2, 0);
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, nameless, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_COLUMNS);
    ck_assert_msg(strstr(err.msg, "`pay`.`acct`") && strstr(err.msg, "no column names"), "%s",
                  err.msg);

    bd_table *named = mk_table("pay", "acct", names, types, 2, 1);
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, named, &err), 0);
    ck_assert(p.any);
    ck_assert(p.rule[0] == NULL && p.rule[1] == &rs.rules[0]);
    ck_assert_uint_eq(p.src.len, 0); /* nothing hashed: no "hashed" */
    /* a table whose rules match none of its columns */
    static const char *const n2[] = {"id", "name"};
    bd_table *hr = mk_table("hr", "staff", n2, types, 2, 1);
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, hr, &err), 0);
    ck_assert(!p.any);

    bd_col_plan_release(&p);
    bd_col_rules_release(&rs);
    free_table(other);
    free_table(nameless);
    free_table(named);
    free_table(hr);
}
END_TEST

/* ENUM members come as JSON strings, quoted and escaped: their text is
 * what is masked and hashed, as a VARCHAR of the same text would be. */
START_TEST(col_json_strings)
{
    static const char *const names[] = {"kind", "tier", "esc", "doc", "txt"};
    static const uint8_t types[] = {BD_T_STRING, BD_T_STRING, BD_T_STRING, BD_T_JSON, BD_T_VARCHAR};
    bd_table *t = mk_table("pay", "en", names, types, 5, 1);
    bd_col_rules rs = {0};
    add_rule(&rs, "pay.en.kind", "mask:keep-last-3");
    add_rule(&rs, "pay.en.tier", "hash:k1");
    add_rule(&rs, "pay.en.esc", "mask:keep-last-2");
    add_rule(&rs, "pay.en.doc", "hash:k1");
    add_rule(&rs, "pay.en.txt", "hash:k1");
    add_key(&rs, "k1", "key-of-sixteen-bytes", 0);
    resolve_ok(&rs);
    bd_col_plan p;
    bd_col_plan_init(&p);
    bd_err err = {0};
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, t, &err), 0);
    bd_value in[5] = {V(BD_V_JSON, "\"personal\""), V(BD_V_JSON, "\"\\u5206\\u8d26\""),
                      V(BD_V_JSON, "\"a\\\"b\\\\c\\n\\ud83d\\ude00\""), V(BD_V_JSON, "{\"a\":1}"),
                      V(BD_V_STRING, "分账")};
    bd_value out[5], out2[5];
    bd_buf arena = BD_BUF_INIT;
    const bd_value *const ins[2] = {in, NULL};
    bd_value *const outs[2] = {out, out2};
    ck_assert_int_eq(bd_col_apply(&p, &rs, t, ins, outs, &arena), 0);
    CHECK_VAL(&out[0], BD_V_STRING, "*****nal");
    /* "\u5206\u8d26" is 分账: the same token as the VARCHAR's */
    CHECK_VAL(&out[1], BD_V_ASCII, NULL);
    ck_assert_uint_eq(out[1].n, 64);
    ck_assert(out[4].n == 64 && !memcmp(out[1].s, out[4].s, 64));
    /* a"b\c, a newline, U+1F600: the last two characters kept */
    CHECK_VAL(&out[2], BD_V_STRING, "*****\n\xf0\x9f\x98\x80");
    /* a JSON document that is not a string: its text */
    char tok[65];
    size_t tn = bd_hash_token(&rs.keys[0], "{\"a\":1}", 7, tok);
    tok[tn] = '\0';
    CHECK_VAL(&out[3], BD_V_ASCII, tok);
    bd_buf_release(&arena);
    bd_col_plan_release(&p);
    bd_col_rules_release(&rs);
    free_table(t);
}
END_TEST

/* Column names are compared without case, as the server does; long
 * names (64 characters of up to 4 bytes) are compared, longer ones are
 * refused rather than passed over. */
START_TEST(col_names)
{
    static char long_name[200], too_long[300];
    for (int i = 0; i < 60; i++) /* 60 three-byte characters: 180 bytes */
        memcpy(long_name + 3 * i, "身", 3);
    memset(too_long, 'x', 280);
    const char *names[] = {"Card_No", long_name, "id"};
    static const uint8_t types[] = {BD_T_VARCHAR, BD_T_VARCHAR, BD_T_LONG};
    bd_col_rules rs = {0};
    add_rule(&rs, "pay.acct.card_no", "exclude");
    add_rule(&rs, "pay.acct.身*", "mask:null");
    resolve_ok(&rs);
    bd_table *t = mk_table("pay", "acct", names, types, 3, 1);
    bd_col_plan p;
    bd_col_plan_init(&p);
    bd_err err = {0};
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, t, &err), 0);
    ck_assert(p.rule[0] == &rs.rules[0]);
    ck_assert(p.rule[1] == &rs.rules[1]);
    ck_assert(p.rule[2] == NULL);
    names[1] = too_long;
    bd_table *u = mk_table("pay", "acct", names, types, 3, 1);
    ck_assert_int_eq(bd_col_plan_build(&p, &rs, u, &err), -1);
    ck_assert_int_eq(err.code, BD_ERR_COLUMNS);
    ck_assert_msg(strstr(err.msg, "too long") != NULL, "%s", err.msg);
    bd_col_plan_release(&p);
    bd_col_rules_release(&rs);
    free_table(t);
    free_table(u);
}
END_TEST

START_TEST(col_same)
{
    bd_col_rules a = {0}, b = {0}, c = {0}, d = {0};
    add_rule(&a, "p.t.c", "hash:k");
    add_key(&a, "k", "0123456789abcdef", 0);
    add_rule(&b, "p.t.c", "hash:k");
    add_key(&b, "k", "0123456789abcdef", 0);
    add_rule(&c, "p.t.c", "hash:k");
    add_key(&c, "k", "0123456789abcdeX", 0); /* the key file changed */
    add_rule(&d, "p.t.c", "exclude");
    ck_assert(bd_col_rules_same(&a, &b));
    ck_assert(!bd_col_rules_same(&a, &c));
    ck_assert(!bd_col_rules_same(&a, &d));
    bd_col_rules none = {0};
    ck_assert(bd_col_rules_same(&none, &none));
    ck_assert(!bd_col_rules_same(&none, &a));
    bd_col_rules_release(&a);
    bd_col_rules_release(&b);
    bd_col_rules_release(&c);
    bd_col_rules_release(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("columns");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, col_parse);
    tcase_add_test(tc, col_hmac_vectors);
    tcase_add_test(tc, col_resolve);
    tcase_add_test(tc, col_apply_actions);
    tcase_add_test(tc, col_mask_utf8_long);
    tcase_add_test(tc, col_plan_tables);
    tcase_add_test(tc, col_json_strings);
    tcase_add_test(tc, col_names);
    tcase_add_test(tc, col_same);
    suite_add_tcase(s, tc);
    return tu_run(s) ? 1 : 0;
}
