/* columns.c - see include/binlogd/columns.h. */

/* HMAC-SHA-256 (RFC 2104) from the key's two precomputed SHA-256 states,
 * with SHA256_Init/Update/Final on a SHA256_CTX held by value: deprecated
 * in OpenSSL 3 in favour of EVP, but the HMAC of one short value costs
 * 100 ns this way against 210-280 ns through EVP_MD_CTX_copy_ex or EVP_MAC
 * re-initialised with its key (measured on this machine; 3.0 allocates a
 * context per copy), and a hashed column is paid once per row.  The
 * digest is OpenSSL's all the same (SHA-NI where the CPU has it), and each
 * key is checked against OpenSSL's own HMAC() when it is set. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "binlogd/columns.h"

#include <fnmatch.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bd_hmac {
    SHA256_CTX inner, outer; /* after the key's ipad and opad blocks */
};

/* ---- rules ------------------------------------------------------------------ */

const char *bd_col_pattern_set(bd_col_rule *r, const char *pattern, char *why, size_t n)
{
    const char *last = strrchr(pattern, '.');
    const char *first = strchr(pattern, '.');
    if (!last || first == last || first == pattern || last[1] == '\0' || first + 1 == last ||
        strlen(pattern) > 200) {
        snprintf(why, n,
                 "'%.200s': a rule is db.table.column (* and ? allowed: pay.*.card_no) = action",
                 pattern);
        return why;
    }
    r->pattern = strdup(pattern);
    r->table_pat = strndup(pattern, (size_t)(last - pattern));
    r->col_pat = strdup(last + 1);
    if (!r->pattern || !r->table_pat || !r->col_pat) {
        snprintf(why, n, "out of memory");
        return why;
    }
    return NULL;
}

const char *bd_col_action_parse(bd_col_rule *r, const char *a, char *why, size_t n)
{
    r->keep = 0;
    if (!strcmp(a, "exclude")) {
        r->act = BD_COL_EXCLUDE;
    } else if (!strcmp(a, "mask:null")) {
        r->act = BD_COL_MASK_NULL;
    } else if (!strncmp(a, "mask:keep-last-", 15)) {
        const char *d = a + 15;
        char *end;
        unsigned long k = strtoul(d, &end, 10);
        if (*d < '0' || *d > '9' || *end || k > 64) {
            snprintf(why, n, "%.200s: keep-last wants a number of characters, 0 to 64", a);
            return why;
        }
        r->act = BD_COL_MASK_LAST;
        r->keep = (unsigned)k;
    } else if (!strncmp(a, "mask:fixed=", 11)) {
        const char *t = a + 11;
        if (strlen(t) > 256 || !bd_utf8_valid((const uint8_t *)t, strlen(t))) {
            snprintf(why, n, "mask:fixed= wants UTF-8 text of at most 256 bytes");
            return why;
        }
        r->act = BD_COL_MASK_FIXED;
        if (!(r->fixed = strdup(t))) goto nomem;
    } else if (!strcmp(a, "hash") || !strncmp(a, "hash:", 5)) {
        const char *id = a[4] ? a + 5 : "";
        size_t l = strlen(id);
        if (a[4] && (l == 0 || l > 32 ||
                     strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789_-.") != l)) {
            snprintf(why, n,
                     "%.200s: hash:ID names a [hash_key ID] section (1 to 32 letters, digits, "
                     "'_', '-', '.')",
                     a);
            return why;
        }
        r->act = BD_COL_HASH;
        if (!(r->key_id = strdup(id))) goto nomem;
    } else {
        snprintf(why, n,
                 "unknown action '%.100s' (exclude, mask:null, mask:keep-last-N, "
                 "mask:fixed=TEXT, hash or hash:KEY_ID)",
                 a);
        return why;
    }
    if (!(r->action = strdup(a))) goto nomem;
    return NULL;
nomem:
    snprintf(why, n, "out of memory");
    return why;
}

int bd_hash_key_set_secret(bd_hash_key *k, const unsigned char *secret, size_t len)
{
    struct bd_hmac *h = k->hmac ? k->hmac : calloc(1, sizeof *h);
    if (!h) return -1;
    k->hmac = h;
    /* RFC 2104: a key longer than the block is hashed first */
    unsigned char key[SHA256_CBLOCK] = {0}, pad[SHA256_CBLOCK];
    if (len > SHA256_CBLOCK)
        SHA256(secret, len, key);
    else
        memcpy(key, secret, len);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = key[i] ^ 0x36;
    SHA256_Init(&h->inner);
    SHA256_Update(&h->inner, pad, sizeof pad);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = key[i] ^ 0x5c;
    SHA256_Init(&h->outer);
    SHA256_Update(&h->outer, pad, sizeof pad);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(pad, sizeof pad);
    /* the same token as the library's HMAC, or the key is not used */
    static const char probe[] = "binlogd hash key check";
    unsigned char want[EVP_MAX_MD_SIZE], got[SHA256_DIGEST_LENGTH];
    unsigned wn = 0;
    SHA256_CTX w = h->inner;
    SHA256_Update(&w, probe, sizeof probe - 1);
    SHA256_Final(got, &w);
    w = h->outer;
    SHA256_Update(&w, got, sizeof got);
    SHA256_Final(got, &w);
    if (!HMAC(EVP_sha256(), secret, (int)len, (const unsigned char *)probe, sizeof probe - 1, want,
              &wn) ||
        wn != sizeof got || CRYPTO_memcmp(want, got, sizeof got)) {
        OPENSSL_cleanse(&w, sizeof w);
        return -2;
    }
    OPENSSL_cleanse(&w, sizeof w);
    return 0;
}

int bd_col_rules_resolve(bd_col_rules *rs, char *why, size_t n)
{
    for (size_t i = 0; i < rs->n; i++) {
        bd_col_rule *r = &rs->rules[i];
        if (r->act != BD_COL_HASH) continue;
        size_t k = 0;
        if (!r->key_id[0]) {
            if (rs->nkeys != 1) {
                snprintf(why, n, "[columns] %s = hash: %s; name one: hash:ID", r->pattern,
                         rs->nkeys ? "there is more than one [hash_key ID]"
                                   : "no [hash_key ID] section gives a key");
                return -1;
            }
            char *id = strdup(rs->keys[0].id);
            if (!id) {
                snprintf(why, n, "out of memory");
                return -1;
            }
            free(r->key_id);
            r->key_id = id;
        }
        while (k < rs->nkeys && strcmp(rs->keys[k].id, r->key_id))
            k++;
        if (k == rs->nkeys) {
            snprintf(why, n, "[columns] %s = %s: no [hash_key %s] section", r->pattern, r->action,
                     r->key_id);
            return -1;
        }
        r->key = k;
    }
    return 0;
}

void bd_col_rules_release(bd_col_rules *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        bd_col_rule *r = &rs->rules[i];
        free(r->pattern);
        free(r->table_pat);
        free(r->col_pat);
        free(r->action);
        free(r->fixed);
        free(r->key_id);
    }
    free(rs->rules);
    for (size_t i = 0; i < rs->nkeys; i++) {
        if (rs->keys[i].hmac) OPENSSL_cleanse(rs->keys[i].hmac, sizeof *rs->keys[i].hmac);
        free(rs->keys[i].hmac);
        free(rs->keys[i].id);
        free(rs->keys[i].source);
    }
    free(rs->keys);
    memset(rs, 0, sizeof *rs);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int bd_col_rules_same(const bd_col_rules *a, const bd_col_rules *b)
{
    if (a->n != b->n || a->nkeys != b->nkeys) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!same_str(a->rules[i].pattern, b->rules[i].pattern) ||
            !same_str(a->rules[i].action, b->rules[i].action) ||
            !same_str(a->rules[i].key_id, b->rules[i].key_id))
            return 0;
    for (size_t k = 0; k < a->nkeys; k++) {
        const bd_hash_key *x = &a->keys[k], *y = &b->keys[k];
        if (!same_str(x->id, y->id) || x->base64 != y->base64 || !x->hmac != !y->hmac ||
            (x->hmac && CRYPTO_memcmp(x->hmac, y->hmac, sizeof *x->hmac)))
            return 0;
    }
    return 1;
}

/* Names are at most 64 characters, up to 4 bytes each in UTF-8. */
#define NAME_MAX_BYTES 256

/* "db.table" of dbn+tbn bytes into out: 0, or -1 when too long. */
static int table_name(char out[2 * NAME_MAX_BYTES + 2], const char *db, size_t dbn, const char *tb,
                      size_t tbn)
{
    if (dbn > NAME_MAX_BYTES || tbn > NAME_MAX_BYTES) return -1;
    memcpy(out, db, dbn);
    out[dbn] = '.';
    memcpy(out + dbn + 1, tb, tbn);
    out[dbn + 1 + tbn] = '\0';
    return 0;
}

int bd_col_rules_touch(const bd_col_rules *rs, const char *db, size_t dbn, const char *tb,
                       size_t tbn)
{
    char name[2 * NAME_MAX_BYTES + 2];
    /* a name too long to compare counts as matched: refused, never in clear */
    if (!rs || !rs->n || table_name(name, db, dbn, tb, tbn) < 0) return rs && rs->n;
    for (size_t i = 0; i < rs->n; i++)
        if (fnmatch(rs->rules[i].table_pat, name, 0) == 0) return 1;
    return 0;
}

const bd_col_rule *bd_col_rules_match(const bd_col_rules *rs, const char *db, size_t dbn,
                                      const char *tb, size_t tbn, const char *col, size_t cn)
{
    char name[2 * NAME_MAX_BYTES + 2], c[NAME_MAX_BYTES + 1];
    if (!rs || table_name(name, db, dbn, tb, tbn) < 0 || cn > NAME_MAX_BYTES) return NULL;
    memcpy(c, col, cn);
    c[cn] = '\0';
    /* column names are compared as the server does: without case */
    for (size_t i = 0; i < rs->n; i++)
        if (fnmatch(rs->rules[i].table_pat, name, 0) == 0 &&
            fnmatch(rs->rules[i].col_pat, c, FNM_CASEFOLD) == 0)
            return &rs->rules[i];
    return NULL;
}

size_t bd_hash_token(const bd_hash_key *k, const void *v, size_t n, char *out)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_CTX w = k->hmac->inner;
    SHA256_Update(&w, v, n);
    SHA256_Final(md, &w);
    w = k->hmac->outer;
    SHA256_Update(&w, md, sizeof md);
    SHA256_Final(md, &w);
    if (k->base64) return (size_t)(bd_raw_base64(out, md, sizeof md) - out);
    return (size_t)(bd_raw_hex(out, md, sizeof md) - out);
}

/* ---- plans ------------------------------------------------------------------ */

void bd_col_plan_init(bd_col_plan *p)
{
    memset(p, 0, sizeof *p);
    bd_buf_init(&p->src);
}

void bd_col_plan_release(bd_col_plan *p)
{
    free(p->rule);
    free(p->idx);
    bd_buf_release(&p->src);
    memset(p, 0, sizeof *p);
}

int bd_col_plan_build(bd_col_plan *p, const bd_col_rules *rs, const bd_table *t, bd_err *err)
{
    p->any = 0;
    p->ncols = 0;
    p->nidx = 0;
    bd_buf_reset(&p->src);
    if (!rs || !rs->n || !bd_col_rules_touch(rs, t->db.p, t->db.n, t->name.p, t->name.n)) return 0;
    if (!t->has_names)
        return bd_err_set(err, BD_ERR_COLUMNS,
                          "[columns] rules name columns of `%.*s`.`%.*s`, but its rows carry no "
                          "column names here (binlog_row_metadata below FULL and no schema "
                          "source: give a schema history, or read from the server); nothing "
                          "of it is published in clear",
                          (int)t->db.n, t->db.p, (int)t->name.n, t->name.p);
    if (t->ncols > p->cap) {
        const bd_col_rule **r = realloc(p->rule, t->ncols * sizeof *r);
        if (r) p->rule = r;
        uint32_t *x = r ? realloc(p->idx, t->ncols * sizeof *x) : NULL;
        if (!x) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
        p->idx = x;
        p->cap = t->ncols;
    }
    p->ncols = t->ncols;
    int hashed = 0;
    for (uint32_t i = 0; i < t->ncols; i++) {
        const bd_column *c = &t->cols[i];
        if (c->name.n > NAME_MAX_BYTES || t->db.n > NAME_MAX_BYTES || t->name.n > NAME_MAX_BYTES)
            return bd_err_set(err, BD_ERR_COLUMNS,
                              "[columns] rules match `%.*s`.`%.*s`, whose names are too long "
                              "to compare with them; nothing of it is published in clear",
                              (int)(t->db.n > 80 ? 80 : t->db.n), t->db.p,
                              (int)(t->name.n > 80 ? 80 : t->name.n), t->name.p);
        p->rule[i] =
            bd_col_rules_match(rs, t->db.p, t->db.n, t->name.p, t->name.n, c->name.p, c->name.n);
        if (!p->rule[i]) continue;
        p->any = 1;
        p->idx[p->nidx++] = i;
        if (p->rule[i]->act != BD_COL_HASH) continue;
        /* which key made each token: consumers tell two keys' tokens apart
         * during a rotation */
        bd_buf_adds(&p->src, hashed++ ? "," : ",\"hashed\":{");
        bd_buf_add_json_str(&p->src, c->name.p, c->name.n);
        bd_buf_addc(&p->src, ':');
        bd_buf_add_json_str(&p->src, p->rule[i]->key_id, strlen(p->rule[i]->key_id));
    }
    if (hashed) bd_buf_addc(&p->src, '}');
    if (bd_buf_failed(&p->src)) return bd_err_set(err, BD_ERR_NOMEM, "out of memory");
    return 0;
}

/* Numbers keep their type's look when masked: digits only are counted and
 * starred, sign, point and exponent stay. */
static int numeric(const bd_column *c, const bd_value *v)
{
    if (v->kind == BD_V_INT || v->kind == BD_V_UINT || v->kind == BD_V_DOUBLE ||
        v->kind == BD_V_NUMBER)
        return 1;
    return v->kind == BD_V_ASCII && (c->type == 246 /* NEWDECIMAL */ || c->type == 0);
}

/* The text of a JSON string s[0..n) (quotes included, escaped as JSON
 * writers escape) into o, which has n bytes of room; returns its length. */
static size_t json_unquote(const char *s, size_t n, char *o)
{
    size_t w = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] != '\\' || i + 2 >= n) {
            o[w++] = s[i];
            continue;
        }
        char e = s[++i];
        unsigned cp = 0;
        switch (e) {
        case 'b': o[w++] = '\b'; continue;
        case 'f': o[w++] = '\f'; continue;
        case 'n': o[w++] = '\n'; continue;
        case 'r': o[w++] = '\r'; continue;
        case 't': o[w++] = '\t'; continue;
        case 'u': break;
        default: o[w++] = e; continue; /* \" \\ \/ */
        }
        /* \uXXXX, a surrogate pair as two of them */
        for (int k = 0; k < 4 && i + 1 < n - 1; k++) {
            char h = s[++i];
            cp = cp * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n - 1 && s[i + 1] == '\\' && s[i + 2] == 'u') {
            unsigned lo = 0;
            for (int k = 0; k < 4; k++) {
                char h = s[i + 3 + k];
                lo = lo * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        w = (size_t)(bd_raw_utf8(o + w, cp) - o);
    }
    return w;
}

/* Is v JSON text that is one string (an ENUM member comes so, already
 * quoted and escaped)? */
static int json_string(const bd_value *v)
{
    return v->kind == BD_V_JSON && v->n >= 2 && v->s[0] == '"' && v->s[v->n - 1] == '"';
}

/* The value's text, as the message would carry it without quotes, for
 * hashing and masking: integers into tmp, a JSON string's text (unescaped)
 * at *o, which then moves past it. */
static const char *value_text(const bd_value *v, char tmp[24], size_t *n, char **o)
{
    if (json_string(v)) {
        char *s = *o;
        *n = json_unquote(v->s, v->n, s);
        *o += *n;
        return s;
    }
    if (v->kind == BD_V_INT) {
        *n = (size_t)(bd_raw_i64(tmp, v->i) - tmp);
        return tmp;
    }
    if (v->kind == BD_V_UINT) {
        *n = (size_t)(bd_raw_u64(tmp, v->u) - tmp);
        return tmp;
    }
    *n = v->n;
    return v->s;
}

/* Room the output of rule r on v takes at most. */
static size_t room(const bd_col_rule *r, const bd_value *v)
{
    size_t text = json_string(v) ? v->n : 0; /* the string's text, unescaped */
    switch (r->act) {
    case BD_COL_MASK_LAST: return text + (v->kind == BD_V_INT || v->kind == BD_V_UINT ? 24 : v->n);
    case BD_COL_HASH: return text + 64;
    default: return 0;
    }
}

/* UTF-8 characters in s[0..n): the bytes that are not continuation bytes
 * (10xxxxxx), eight at a time (a masked text column is counted whole for
 * every row: the loop a byte cost as much as the rest of the rule). */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = n, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        /* bit 7 of each byte: set for 10xxxxxx (bit 7 set, bit 6 clear) */
        uint64_t cont = (x & ~(x << 1)) & 0x8080808080808080ull;
        /* one bit a byte at bit 0: their sum in the top byte */
        c -= (size_t)(((cont >> 7) * 0x0101010101010101ull) >> 56);
    }
    for (; i < n; i++)
        c -= ((uint8_t)s[i] & 0xc0) == 0x80;
    return c;
}

/* mask:keep-last-N of text s (n bytes) into o: the last `keep` units as
 * they are, every earlier unit '*' (one per unit).  A unit is a digit
 * (digits_only, for numbers: other characters stay, and so does an
 * exponent, which is the number's scale; only a DOUBLE's text has one:
 * has_exp), a UTF-8 character (utf8) or a byte.  Returns the length
 * written. */
static size_t keep_last(char *o, const char *s, size_t n, unsigned keep, int digits_only,
                        int has_exp, int utf8)
{
    size_t exp = 0, cut = n, w = 0;
    if (digits_only) {
        const char *e = has_exp ? memchr(s, 'e', n) : NULL;
        if (has_exp && !e) e = memchr(s, 'E', n);
        if (e) exp = n - (size_t)(e - s);
        n -= exp;
        cut = n;
        /* the kept tail starts at the keep-th digit from the end */
        for (unsigned k = 0; k < keep && cut > 0;) {
            cut--;
            k += s[cut] >= '0' && s[cut] <= '9';
        }
        if (keep == 0) cut = n;
        for (size_t i = 0; i < cut; i++)
            o[i] = s[i] >= '0' && s[i] <= '9' ? '*' : s[i];
        w = cut;
    } else {
        /* the kept tail starts at the keep-th character from the end (a
         * UTF-8 character starts at any byte but a continuation byte) */
        for (unsigned k = 0; k < keep && cut > 0;) {
            cut--;
            k += !utf8 || ((uint8_t)s[cut] & 0xc0) != 0x80;
        }
        /* one '*' per character before it */
        w = utf8 ? utf8_chars(s, cut) : cut;
        memset(o, '*', w);
    }
    memcpy(o + w, s + cut, n - cut);
    w += n - cut;
    memcpy(o + w, s + n, exp);
    return w + exp;
}

/* One image (room reserved): text from o on; returns its end. */
static char *apply_image(const bd_col_plan *p, const bd_col_rules *rs, const bd_table *t,
                         const bd_value *in, bd_value *out, char *o)
{
    memcpy(out, in, p->ncols * sizeof *out);
    for (uint32_t x = 0; x < p->nidx; x++) {
        uint32_t i = p->idx[x];
        const bd_col_rule *r = p->rule[i];
        if (r->act == BD_COL_EXCLUDE) {
            out[i].kind = BD_V_ABSENT;
            continue;
        }
        /* an absent column stays absent, NULL stays null */
        if (in[i].kind <= BD_V_NULL) continue;
        if (r->act == BD_COL_MASK_NULL) {
            out[i].kind = BD_V_NULL;
            continue;
        }
        if (r->act == BD_COL_MASK_FIXED) {
            out[i].kind = BD_V_STRING;
            out[i].s = r->fixed;
            out[i].n = strlen(r->fixed);
            continue;
        }
        char tmp[24];
        size_t n;
        const char *s = value_text(&in[i], tmp, &n, &o);
        switch (r->act) {
        case BD_COL_HASH:
            out[i].kind = BD_V_ASCII;
            out[i].n = bd_hash_token(&rs->keys[r->key], s, n, o);
            break;
        case BD_COL_MASK_LAST:
            if (in[i].kind == BD_V_BYTES) {
                out[i].n = keep_last(o, s, n, r->keep, 0, 0, 0);
            } else if (numeric(&t->cols[i], &in[i])) {
                out[i].kind = BD_V_ASCII;
                out[i].n = keep_last(o, s, n, r->keep, 1, in[i].kind == BD_V_DOUBLE, 0);
            } else {
                out[i].kind = BD_V_STRING; /* JSON text and temporal values too */
                out[i].n = keep_last(o, s, n, r->keep, 0, 0, 1);
            }
            break;
        default: continue;
        }
        out[i].s = o;
        o += out[i].n;
    }
    return o;
}

int bd_col_apply(const bd_col_plan *p, const bd_col_rules *rs, const bd_table *t,
                 const bd_value *const in[2], bd_value *const out[2], bd_buf *arena)
{
    /* one reservation for both images: the values then point into memory
     * that does not move */
    size_t need = 1;
    for (int k = 0; k < 2; k++)
        for (uint32_t x = 0; in[k] && x < p->nidx; x++) {
            uint32_t i = p->idx[x];
            if (in[k][i].kind > BD_V_NULL) need += room(p->rule[i], &in[k][i]);
        }
    if (bd_buf_grow(arena, need) < 0) return -1;
    char *o = arena->ptr + arena->len;
    for (int k = 0; k < 2; k++)
        if (in[k]) o = apply_image(p, rs, t, in[k], out[k], o);
    arena->len = (size_t)(o - arena->ptr);
    return 0;
}
