/* columns.h - [columns]: sensitive columns left out, masked or hashed
 * before a row change becomes a message (docs/format.md, "Sensitive
 * columns"), the same in run, replay and dump -c (one publish stage).
 *
 * A rule maps a pattern "db.table.column" (fnmatch: * and ?; the column is
 * what follows the last dot, compared without case as the server compares
 * column names; the table part is matched against "db.table" as [filter]
 * and [keys] are) to an action:
 *   exclude            the column is left out of both images
 *   mask:null          null
 *   mask:keep-last-N   the last N characters (numbers: digits) as they
 *                      are, every earlier one '*'; numbers become strings
 *                      that keep sign, point and scale; bytes stay bytes
 *   mask:fixed=TEXT    the string TEXT
 *   hash[:ID]          HMAC-SHA-256 of the value's text under the key of
 *                      [hash_key ID] (the only one when ID is left out),
 *                      hex or base64 as that key says
 * The first rule that matches a column counts.  NULL stays null; a column
 * absent from an image stays absent.
 *
 * Ownership: a bd_col_rules owns its rules and keys (bd_col_rules_release,
 * which also wipes the key material); a plan owns its arrays and borrows
 * the rules it points at, which must outlive it.
 */
#ifndef BINLOGD_COLUMNS_H
#define BINLOGD_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/decoder.h"
#include "binlogd/error.h"

enum bd_col_act {
    BD_COL_KEEP = 0,
    BD_COL_EXCLUDE,
    BD_COL_MASK_NULL,
    BD_COL_MASK_LAST,  /* mask:keep-last-N */
    BD_COL_MASK_FIXED, /* mask:fixed=TEXT */
    BD_COL_HASH,
};

typedef struct bd_col_rule {
    char *pattern;   /* "db.table.column", as written */
    char *table_pat; /* up to the last dot */
    char *col_pat;   /* after it */
    char *action;    /* as written, for messages and --print */
    int act;         /* enum bd_col_act */
    unsigned keep;   /* mask:keep-last-N */
    char *fixed;     /* mask:fixed=TEXT (UTF-8) */
    char *key_id;    /* hash: the key's id ("" until resolved when none was named) */
    size_t key;      /* hash: index in bd_col_rules.keys, once resolved */
    unsigned line;   /* of the config file, for check-config's warnings */
} bd_col_rule;

struct bd_hmac; /* the key's precomputed HMAC states (columns.c) */

typedef struct bd_hash_key {
    char *id;     /* [hash_key ID] */
    char *source; /* "file:PATH", "cred:NAME" or "env:NAME", as written */
    int base64;   /* the tokens' form: 0 hex, 1 base64 */
    struct bd_hmac *hmac;
} bd_hash_key;

typedef struct bd_col_rules {
    bd_col_rule *rules;
    size_t n;
    bd_hash_key *keys;
    size_t nkeys;
} bd_col_rules;

/* Parse action text into r (act, keep, fixed, key_id); NULL when good,
 * else why (into why, n bytes). */
const char *bd_col_action_parse(bd_col_rule *r, const char *action, char *why, size_t n);

/* Split a pattern into r->pattern, table_pat and col_pat (fresh strings);
 * NULL when good, else why. */
const char *bd_col_pattern_set(bd_col_rule *r, const char *pattern, char *why, size_t n);

/* Give key k its secret (len bytes, at least 16): the HMAC states are
 * computed from it, and checked against OpenSSL's HMAC(); the caller
 * wipes its own copy.  0, -1 (memory) or -2 (the check failed). */
int bd_hash_key_set_secret(bd_hash_key *k, const unsigned char *secret, size_t len);

/* Point every hash rule at its key: -1 with why naming the rule when its
 * key is not defined (or, with no id, when there is not exactly one). */
int bd_col_rules_resolve(bd_col_rules *rs, char *why, size_t n);

void bd_col_rules_release(bd_col_rules *rs);

/* The same rules, actions and keys (the key material included)? */
int bd_col_rules_same(const bd_col_rules *a, const bd_col_rules *b);

/* Does any rule's table part match "db.table"? */
int bd_col_rules_touch(const bd_col_rules *rs, const char *db, size_t dbn, const char *tb,
                       size_t tbn);

/* The first rule matching db.table.col, or NULL. */
const bd_col_rule *bd_col_rules_match(const bd_col_rules *rs, const char *db, size_t dbn,
                                      const char *tb, size_t tbn, const char *col, size_t cn);

/* The HMAC-SHA-256 token of bytes v[0..n) under key k (hex: 64
 * characters, base64: 44), written at out (room for 64); returns its
 * length. */
size_t bd_hash_token(const bd_hash_key *k, const void *v, size_t n, char *out);

/* The actions for the columns of one table map. */
typedef struct bd_col_plan {
    const bd_col_rule **rule; /* per column; NULL: as is */
    uint32_t *idx;            /* the columns that have a rule, nidx of them */
    uint32_t ncols, cap, nidx;
    int any;    /* some column has an action */
    bd_buf src; /* ',"hashed":{"col":"ID",...}' for "source", or empty */
} bd_col_plan;

void bd_col_plan_init(bd_col_plan *p);
void bd_col_plan_release(bd_col_plan *p);

/* Build p for map t of db.table.  -1 with err (BD_ERR_COLUMNS) when rules
 * match the table but its rows carry no column names here. */
int bd_col_plan_build(bd_col_plan *p, const bd_col_rules *rs, const bd_table *t, bd_err *err);

/* The images in[0] (before) and in[1] (after), each of ncols values or
 * NULL, with p's actions into out[0] and out[1]; text made here goes to
 * arena (reset by the caller per row; out points into it until then).
 * 0, or -1 when out of memory. */
int bd_col_apply(const bd_col_plan *p, const bd_col_rules *rs, const bd_table *t,
                 const bd_value *const in[2], bd_value *const out[2], bd_buf *arena);

#endif
