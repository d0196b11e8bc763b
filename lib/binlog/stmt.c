/* stmt.c - which tables a statement-logged QUERY event changes; see
 * include/binlogd/stmt.h.
 *
 * One small tokenizer, then a parser per verb that reads only as far as it
 * needs to name the changed tables.  Every byte read is checked against n:
 * the text is not NUL-terminated and may be cut short.  Nothing recurses
 * without a depth limit, so a text of a million '(' is safe. */
#include "binlogd/stmt.h"

#include <string.h>

/* sql_mode bits, the same in MySQL and MariaDB: MODE_ANSI_QUOTES is 4
 * (1 << 2) and MODE_NO_BACKSLASH_ESCAPES is 0x100000 (1 << 20), in MySQL's
 * sql/system_variables.h (mysql/mysql-server) and MariaDB's sql/sql_class.h
 * (MariaDB/server, "SQL mode bits defined above are common for MariaDB and
 * MySQL").  The server keeps the expanded mode, so a combination mode
 * (ANSI, ORACLE, ...) logs bit 2 set as well. */
#define MODE_ANSI_QUOTES 0x4ULL
#define MODE_NO_BACKSLASH_ESCAPES 0x100000ULL

unsigned bd_stmt_flags_from_sql_mode(uint64_t sql_mode)
{
    return (sql_mode & MODE_ANSI_QUOTES ? BD_STMT_ANSI_QUOTES : 0) |
           (sql_mode & MODE_NO_BACKSLASH_ESCAPES ? BD_STMT_NO_BACKSLASH_ESCAPES : 0);
}

unsigned bd_stmt_flags_from_charset(const char *name)
{
    if (!name) return 0;
    if (!strcmp(name, "sjis") || !strcmp(name, "cp932")) return BD_STMT_CS_SJIS;
    if (!strcmp(name, "gbk") || !strcmp(name, "big5") || !strcmp(name, "gb18030"))
        return BD_STMT_CS_GBK;
    return 0;
}

/* ---- tokenizer ---------------------------------------------------------- */

enum { T_END, T_WORD, T_IDENT, T_STR, T_PUNCT };

typedef struct tok {
    int type;
    /* WORD: the word; IDENT, STR: between the quotes, escapes kept; PUNCT: the byte */
    const char *p;
    size_t len;
    char q; /* IDENT, STR: the quote */
} tok;

typedef struct lexer {
    const char *s;
    size_t n, pos;
    unsigned flags;
    int in_exec; /* inside an executable comment: its closing star-slash is skipped */
    int err;     /* an unterminated string, quoted name or comment: the text was cut */
    /* Executable comments opened so far whose code a server may not run:
     * with a version (newer servers only) or MariaDB's M! (MySQL reads a
     * comment). */
    unsigned cond;
} lexer;

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

/* Bytes of the character at s[i]: 2 at a lead byte of the charsets whose
 * second byte may be ASCII (gb18030's four-byte characters are two such
 * pairs), else 1.  sjis's half-width katakana 0xA1-0xDF are single bytes. */
static size_t char_len(const lexer *lx, size_t i)
{
    unsigned char c = (unsigned char)lx->s[i];
    if (lx->flags & BD_STMT_CS_SJIS)
        return (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc) ? 2 : 1;
    if (lx->flags & BD_STMT_CS_GBK) return c >= 0x81 && c <= 0xfe ? 2 : 1;
    return 1;
}

/* Past the quote q that ends a string or quoted name starting at pos;
 * a doubled quote stands for one, and in strings a backslash escapes the
 * next byte unless NO_BACKSLASH_ESCAPES.  0 if unterminated. */
static size_t quoted_end(const lexer *lx, size_t pos, char q, int backslash)
{
    while (pos < lx->n) {
        char c = lx->s[pos];
        if (c == '\\' && backslash) {
            pos += 2;
        } else if (c == q) {
            if (pos + 1 < lx->n && lx->s[pos + 1] == q)
                pos += 2;
            else
                return pos + 1;
        } else {
            pos += char_len(lx, pos);
        }
    }
    return 0;
}

static tok lex_next(lexer *lx)
{
    const char *s = lx->s;
    size_t n = lx->n;
    tok t = {T_END, NULL, 0, 0};
    while (lx->pos < n) {
        size_t i = lx->pos;
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            lx->pos++;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            /* A comment, unless executable: slash-star-bang or MariaDB's
             * slash-star-M-bang, then optional version digits, open code
             * (mysqldump writes INSERT slash-star-bang IGNORE star-slash
             * INTO).  A version newer than the server's hid the code from
             * it; reading it anyway only over-approximates. */
            size_t m = i + 2 < n && s[i + 2] == '!'                      ? 3
                       : i + 3 < n && s[i + 2] == 'M' && s[i + 3] == '!' ? 4
                                                                         : 0;
            if (m) {
                /* a version is 5 or 6 digits (50100, 100100); fewer are code */
                size_t d = 0;
                while (d < 6 && i + m + d < n && s[i + m + d] >= '0' && s[i + m + d] <= '9')
                    d++;
                lx->pos = i + m + (d >= 5 ? d : 0);
                lx->in_exec = 1;
                if (d >= 5 || m == 4) lx->cond++;
                continue;
            }
            size_t j = i + 2;
            while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/'))
                j++;
            if (j + 1 >= n) goto cut;
            lx->pos = j + 2;
        } else if (c == '*' && lx->in_exec && i + 1 < n && s[i + 1] == '/') {
            lx->pos = i + 2;
            lx->in_exec = 0;
        } else if (c == '#' || (c == '-' && i + 1 < n && s[i + 1] == '-' &&
                                (i + 2 >= n || (unsigned char)s[i + 2] <= ' '))) {
            const char *nl = memchr(s + i, '\n', n - i);
            lx->pos = nl ? (size_t)(nl - s) + 1 : n;
        } else if (c == '\'' || c == '"' || c == '`') {
            int ident = c == '`' || (c == '"' && (lx->flags & BD_STMT_ANSI_QUOTES));
            int bs = !ident && !(lx->flags & BD_STMT_NO_BACKSLASH_ESCAPES);
            size_t e = quoted_end(lx, i + 1, (char)c, bs);
            if (!e) goto cut;
            t.type = ident ? T_IDENT : T_STR;
            t.p = s + i + 1;
            t.len = e - i - 2;
            t.q = (char)c;
            lx->pos = e;
            return t;
        } else if (word_byte(c)) {
            size_t j = i + char_len(lx, i);
            while (j < n && word_byte((unsigned char)s[j]))
                j += char_len(lx, j);
            if (j > n) j = n; /* a lead byte cut from its second */
            t.type = T_WORD;
            t.p = s + i;
            t.len = j - i;
            lx->pos = j;
            return t;
        } else {
            t.type = T_PUNCT;
            t.p = s + i;
            t.len = 1;
            lx->pos = i + 1;
            return t;
        }
    }
    if (lx->in_exec) lx->err = 1; /* an executable comment never closed */
    return t;
cut:
    lx->err = 1;
    lx->pos = n;
    return t;
}

/* ---- parser helpers ----------------------------------------------------- */

#define MAX_DEPTH 32 /* nested parenthesised joins; deeper is tables_unknown */
#define MAX_REFS 32  /* table references of one UPDATE or multi-table DELETE */
#define MAX_CTE 16

typedef struct cursor {
    lexer lx;
    tok t;         /* the current token */
    int after_dot; /* the token before was '.': a word here is a name, never a keyword */
} cursor;

typedef struct parser {
    cursor c;
    bd_stmt *out;
    char defdb[65];
    int defdb_ok; /* the default database fits a name */
    size_t ncte;
    char cte[MAX_CTE][65]; /* names the leading WITH defined: not tables */
} parser;

/* A table reference of UPDATE or DELETE ... FROM/USING. */
typedef struct ref {
    bd_stmt_table t;
    int qualified;
    int has_alias; /* 1 alias[] set, 0 none, -1 one too long to keep */
    char alias[65];
} ref;

typedef struct refs {
    size_t n;
    int overflow;
    ref r[MAX_REFS];
} refs;

static void advance(parser *P)
{
    P->c.after_dot = P->c.t.type == T_PUNCT && P->c.t.p[0] == '.';
    P->c.t = lex_next(&P->c.lx);
}

static int at_end(const parser *P) { return P->c.t.type == T_END; }
static int punct(const parser *P, char ch) { return P->c.t.type == T_PUNCT && P->c.t.p[0] == ch; }
static int ident(const parser *P) { return P->c.t.type == T_WORD || P->c.t.type == T_IDENT; }

static int ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return 1;
}

/* The current token is the keyword k (upper case), unquoted and not after a dot. */
static int kw(const parser *P, const char *k)
{
    size_t n = strlen(k);
    return P->c.t.type == T_WORD && !P->c.after_dot && P->c.t.len == n && ascii_ieq(P->c.t.p, k, n);
}

/* The current token is one of the NULL-terminated keywords ks. */
static int kw_in(const parser *P, const char *const *ks)
{
    for (; *ks; ks++)
        if (kw(P, *ks)) return 1;
    return 0;
}

static int accept(parser *P, const char *k)
{
    if (!kw(P, k)) return 0;
    advance(P);
    return 1;
}

/* The token after the current one is '(' (LEFT( is a function, LEFT JOIN a join). */
static int next_is_paren(parser *P)
{
    cursor save = P->c;
    advance(P);
    int r = punct(P, '(');
    P->c = save;
    return r;
}

/* At '(': skip past its matching ')'.  -1 if the text ends first. */
static int skip_group(parser *P)
{
    size_t depth = 0;
    do {
        if (at_end(P)) return -1;
        if (punct(P, '('))
            depth++;
        else if (punct(P, ')'))
            depth--;
        advance(P);
    } while (depth);
    return 0;
}

/* Copy the name in t into dst, undoing doubled quotes.  -1 if it is empty,
 * over 64 bytes or holds a NUL byte: it cannot be passed on as a C string. */
static int copy_name(char dst[65], const tok *t)
{
    size_t o = 0;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->p[i];
        if (t->type != T_WORD && c == t->q) i++; /* the lexer saw it doubled */
        if (c == '\0' || o == 64) return -1;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return o ? 0 : -1;
}

static void add_table(bd_stmt *o, const bd_stmt_table *t)
{
    for (size_t i = 0; i < o->ntables; i++)
        if (!strcmp(o->tables[i].db, t->db) && !strcmp(o->tables[i].table, t->table)) return;
    if (o->ntables == BD_STMT_MAX_TABLES) {
        o->tables_unknown = 1;
        return;
    }
    o->tables[o->ntables++] = *t;
}

/* A table name: name, db.name, or ODBC's .name.  1 read into tb; 0 read but
 * unusable (tables_unknown set); -1 no name here. */
static int read_table(parser *P, bd_stmt_table *tb, int *qualified)
{
    if (punct(P, '.')) advance(P);
    if (!ident(P)) return -1;
    tok a = P->c.t, b = a;
    int q = 0, ok;
    advance(P);
    if (punct(P, '.')) {
        cursor save = P->c;
        advance(P);
        if (ident(P)) {
            b = P->c.t;
            q = 1;
            advance(P);
        } else {
            P->c = save; /* t.* of a multi-table DELETE */
        }
    }
    if (q) {
        ok = !copy_name(tb->db, &a) && !copy_name(tb->table, &b);
    } else {
        memcpy(tb->db, P->defdb, sizeof tb->db);
        ok = P->defdb_ok && !copy_name(tb->table, &a);
    }
    if (qualified) *qualified = q;
    if (!ok) P->out->tables_unknown = 1;
    return ok;
}

static void set_dml(parser *P, enum bd_stmt_kind kind, const char *verb)
{
    P->out->kind = kind;
    P->out->verb = verb;
}

static void unknown(parser *P) { P->out->tables_unknown = 1; }

/* An unqualified name that the leading WITH defined. */
static int is_cte(const parser *P, const ref *r)
{
    if (r->qualified) return 0;
    for (size_t i = 0; i < P->ncte; i++)
        if (!strcmp(P->cte[i], r->t.table)) return 1;
    return 0;
}

/* ---- table references (UPDATE, multi-table DELETE) ---------------------- */

/* Words that may follow a table reference and so are not its alias. */
static const char *const follow_kw[] = {
    "ON",        "USING",     "JOIN",  "INNER",         "CROSS",  "LEFT",   "RIGHT",     "NATURAL",
    "OUTER",     "SET",       "WHERE", "USE",           "FORCE",  "IGNORE", "PARTITION", "ORDER",
    "LIMIT",     "RETURNING", "FOR",   "GROUP",         "HAVING", "WINDOW", "UNION",     "EXCEPT",
    "INTERSECT", "INTO",      "LOCK",  "STRAIGHT_JOIN", NULL};

/* Words that end an ON expression at its top level. */
static const char *const expr_stop_kw[] = {
    "JOIN", "INNER", "CROSS", "LEFT",  "RIGHT",     "NATURAL", "STRAIGHT_JOIN", "ON", "USING",
    "SET",  "WHERE", "ORDER", "LIMIT", "RETURNING", NULL};

/* [AS] alias; r may be NULL.  -1 on AS without a name. */
static int parse_alias(parser *P, ref *r)
{
    int as = accept(P, "AS");
    int t = P->c.t.type;
    if (t == T_IDENT || t == T_STR || (t == T_WORD && (as || !kw_in(P, follow_kw)))) {
        if (r) r->has_alias = copy_name(r->alias, &P->c.t) ? -1 : 1;
        advance(P);
        return 0;
    }
    return as ? -1 : 0;
}

/* The alias and optional column list of a derived table. */
static int derived_tail(parser *P)
{
    if (parse_alias(P, NULL) < 0) return -1;
    return punct(P, '(') ? skip_group(P) : 0;
}

/* At '(': does a query start inside (a derived table) rather than a join? */
static int paren_is_query(parser *P)
{
    static const char *const q[] = {"SELECT", "WITH", "VALUES", "TABLE", NULL};
    cursor save = P->c;
    while (punct(P, '('))
        advance(P);
    int r = kw_in(P, q);
    P->c = save;
    return r;
}

/* An ON expression: up to a join, ',', ')' or a clause at its top level. */
static int skip_expr(parser *P)
{
    for (;;) {
        if (at_end(P) || punct(P, ',') || punct(P, ')') || punct(P, '}')) return 0;
        if (punct(P, '(')) {
            if (skip_group(P) < 0) return -1;
            continue;
        }
        if (kw_in(P, expr_stop_kw) && !((kw(P, "LEFT") || kw(P, "RIGHT")) && next_is_paren(P)))
            return 0;
        advance(P);
    }
}

/* USE|FORCE|IGNORE {INDEX|KEY} [FOR {JOIN|ORDER BY|GROUP BY}] (...), repeated. */
static int index_hints(parser *P)
{
    static const char *const verbs[] = {"USE", "FORCE", "IGNORE", NULL};
    while (kw_in(P, verbs)) {
        cursor save = P->c;
        advance(P);
        if (!accept(P, "INDEX") && !accept(P, "KEY")) {
            P->c = save;
            return 0;
        }
        if (accept(P, "FOR") && !accept(P, "JOIN")) {
            if (!accept(P, "ORDER") && !accept(P, "GROUP")) return -1;
            if (!accept(P, "BY")) return -1;
        }
        if (!punct(P, '(') || skip_group(P) < 0) return -1;
    }
    return 0;
}

/* [NATURAL] [INNER|CROSS|LEFT|RIGHT] [OUTER] JOIN, or STRAIGHT_JOIN.
 * 1 consumed, 0 none here, -1 not understood. */
static int join_op(parser *P)
{
    static const char *const pre[] = {"NATURAL", "INNER", "CROSS", "LEFT", "RIGHT", "OUTER", NULL};
    if (accept(P, "JOIN") || accept(P, "STRAIGHT_JOIN")) return 1;
    if (!kw_in(P, pre)) return 0;
    while (kw_in(P, pre))
        advance(P);
    return accept(P, "JOIN") || accept(P, "STRAIGHT_JOIN") ? 1 : -1;
}

static int parse_refs(parser *P, refs *R, int depth);

static int parse_factor(parser *P, refs *R, int depth)
{
    if (depth > MAX_DEPTH) return -1;
    if (punct(P, '(')) {
        if (paren_is_query(P)) return skip_group(P) < 0 ? -1 : derived_tail(P);
        advance(P);
        if (parse_refs(P, R, depth + 1) < 0 || !punct(P, ')')) return -1;
        advance(P);
        return parse_alias(P, NULL);
    }
    if (accept(P, "LATERAL")) {
        if (!punct(P, '(') || skip_group(P) < 0) return -1;
        return derived_tail(P);
    }
    if (punct(P, '{')) { /* ODBC { OJ refs } */
        advance(P);
        if (!accept(P, "OJ") || parse_refs(P, R, depth + 1) < 0 || !punct(P, '}')) return -1;
        advance(P);
        return 0;
    }
    ref r;
    memset(&r, 0, sizeof r);
    int rc = read_table(P, &r.t, &r.qualified);
    if (rc < 0) return -1;
    if (punct(P, '(')) /* a table function, JSON_TABLE(...) alias: no table */
        return skip_group(P) < 0 ? -1 : derived_tail(P);
    if (accept(P, "PARTITION") && (!punct(P, '(') || skip_group(P) < 0)) return -1;
    if (parse_alias(P, &r) < 0 || index_hints(P) < 0) return -1;
    if (!rc) return 0; /* unusable name: tables_unknown is set */
    if (R->n == MAX_REFS)
        R->overflow = 1;
    else
        R->r[R->n++] = r;
    return 0;
}

/* table_references: factors joined by ',' and JOINs with ON/USING. */
static int parse_refs(parser *P, refs *R, int depth)
{
    for (;;) {
        if (parse_factor(P, R, depth) < 0) return -1;
        for (;;) {
            int j = join_op(P);
            if (j < 0) return -1;
            if (!j) break;
            if (parse_factor(P, R, depth) < 0) return -1;
            /* t1 JOIN t2 JOIN t3 ON a ON b is valid: conditions may pile up */
            for (;;) {
                if (accept(P, "ON")) {
                    if (skip_expr(P) < 0) return -1;
                } else if (accept(P, "USING")) {
                    if (!punct(P, '(') || skip_group(P) < 0) return -1;
                } else {
                    break;
                }
            }
        }
        if (!punct(P, ',')) return 0;
        advance(P);
    }
}

/* ---- one parser per verb ------------------------------------------------ */

static void parse_insert(parser *P, const char *verb)
{
    static const char *const opts[] = {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", NULL};
    bd_stmt_table t;
    set_dml(P, BD_STMT_DML, verb);
    advance(P);
    while (kw_in(P, opts))
        advance(P);
    accept(P, "INTO");
    int rc = read_table(P, &t, NULL);
    if (rc < 0) unknown(P);
    if (rc > 0) add_table(P->out, &t);
}

static void parse_update(parser *P)
{
    static const char *const opts[] = {"LOW_PRIORITY", "IGNORE", NULL};
    refs R;
    set_dml(P, BD_STMT_DML, "UPDATE");
    advance(P);
    while (kw_in(P, opts))
        advance(P);
    R.n = 0;
    R.overflow = 0;
    if (parse_refs(P, &R, 0) < 0 || !kw(P, "SET") || R.overflow) unknown(P);
    /* every base table named before SET: a table only read is over-approximated */
    for (size_t i = 0; i < R.n; i++)
        if (!is_cte(P, &R.r[i])) add_table(P->out, &R.r[i].t);
}

/* Add the refs a multi-table DELETE target names: the ref with that alias,
 * or the unaliased ref with that table name (ASCII case folded, as aliases
 * fold under lower_case_table_names); every ref when none matches. */
static void delete_target(parser *P, const refs *R, const ref *x)
{
    int hit = 0;
    if (x->qualified) { /* db.t: aliases are never qualified */
        add_table(P->out, &x->t);
        return;
    }
    size_t len = strlen(x->t.table);
    for (size_t i = 0; i < R->n; i++) {
        const ref *r = &R->r[i];
        const char *name = r->has_alias == 1 ? r->alias : r->has_alias == 0 ? r->t.table : "";
        if (!is_cte(P, r) && strlen(name) == len && ascii_ieq(name, x->t.table, len)) {
            add_table(P->out, &r->t);
            hit = 1;
        }
    }
    for (size_t i = 0; i < R->n && !hit; i++)
        if (!is_cte(P, &R->r[i])) add_table(P->out, &R->r[i].t);
}

/* DELETE [LOW_PRIORITY] [QUICK] [IGNORE] FROM t ...,
 * DELETE t1[.*], ... FROM refs ..., DELETE FROM t1[.*], ... USING refs ... */
static void parse_delete(parser *P)
{
    static const char *const opts[] = {"LOW_PRIORITY", "QUICK", "IGNORE", "HISTORY", NULL};
    ref tg[BD_STMT_MAX_TABLES];
    size_t nt = 0, nread = 0;
    refs R;
    set_dml(P, BD_STMT_DML, "DELETE");
    advance(P);
    while (kw_in(P, opts))
        advance(P);
    int from_first = accept(P, "FROM");
    for (;;) {
        ref x;
        memset(&x, 0, sizeof x);
        int rc = read_table(P, &x.t, &x.qualified);
        if (rc < 0) {
            unknown(P);
            return;
        }
        nread++;
        if (rc > 0 && nt < BD_STMT_MAX_TABLES)
            tg[nt++] = x;
        else if (rc > 0)
            unknown(P);
        if (punct(P, '.')) { /* t.* */
            advance(P);
            if (!punct(P, '*')) {
                unknown(P);
                break;
            }
            advance(P);
        }
        if (!punct(P, ',')) break;
        advance(P);
    }
    if (from_first && !kw(P, "USING")) {
        /* one table, then [[AS] alias] [PARTITION (...)] [WHERE ...] ... */
        if (nread != 1) unknown(P);
        for (size_t i = 0; i < nt; i++)
            add_table(P->out, &tg[i].t);
        return;
    }
    R.n = 0;
    R.overflow = 0;
    if (!accept(P, from_first ? "USING" : "FROM") || parse_refs(P, &R, 0) < 0 || R.overflow)
        unknown(P);
    if (!R.n) { /* nothing to resolve through: the targets as named */
        unknown(P);
        for (size_t i = 0; i < nt; i++)
            add_table(P->out, &tg[i].t);
        return;
    }
    for (size_t i = 0; i < nt; i++)
        delete_target(P, &R, &tg[i]);
}

/* LOAD {DATA|XML} ... INTO TABLE t ... */
static void parse_load(parser *P)
{
    bd_stmt_table t;
    advance(P);
    if (kw(P, "INDEX")) return; /* LOAD INDEX INTO CACHE: no rows */
    set_dml(P, BD_STMT_DML, kw(P, "XML") ? "LOAD XML" : "LOAD DATA");
    if (!kw(P, "DATA") && !kw(P, "XML")) {
        unknown(P);
        return;
    }
    /* options and the file name are tokens: an INTO in the string is not seen */
    while (!at_end(P)) {
        if (accept(P, "INTO") && accept(P, "TABLE")) {
            int rc = read_table(P, &t, NULL);
            if (rc < 0) unknown(P);
            if (rc > 0) add_table(P->out, &t);
            return;
        }
        if (!kw(P, "INTO")) advance(P);
    }
    unknown(P);
}

/* CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] t ... with a query
 * in it.  Under binlog_format=ROW the server logs the CREATE without its
 * query and the rows as row events, so a query here means the rows were
 * logged as a statement. */
static void parse_create(parser *P)
{
    static const char *const starts[] = {"VALUES", "TABLE", NULL};
    bd_stmt_table t;
    advance(P);
    if (accept(P, "OR") && !accept(P, "REPLACE")) return;
    int temporary = accept(P, "TEMPORARY");
    if (!accept(P, "TABLE")) return;
    if (accept(P, "IF")) {
        accept(P, "NOT");
        accept(P, "EXISTS");
    }
    int rc = read_table(P, &t, NULL);
    int query = 0, opened = 0;
    size_t depth = 0;
    /* SELECT anywhere; VALUES or TABLE (MySQL 8.0.19 query forms) at the
     * top level or opening a parenthesis; elsewhere VALUES is in partition
     * definitions (VALUES LESS THAN) */
    while (!at_end(P) && !query) {
        if (kw(P, "SELECT") || (kw_in(P, starts) && (!depth || opened))) query = 1;
        opened = punct(P, '(');
        if (opened) depth++;
        if (punct(P, ')') && depth) depth--;
        advance(P);
    }
    /* an unterminated string or an open parenthesis: the text was cut
     * short, and a query may have followed */
    if (!query && !P->c.lx.err && !depth) return;
    set_dml(P, BD_STMT_DML, "CREATE TABLE ... SELECT");
    P->out->temporary = temporary;
    if (!query || rc < 0) unknown(P);
    if (rc > 0) add_table(P->out, &t);
}

/* ALTER [ONLINE|OFFLINE] [IGNORE] TABLE [IF EXISTS] t ... with TRUNCATE,
 * DROP or EXCHANGE PARTITION at the top level of its list (or MariaDB's
 * CONVERT PARTITION p TO TABLE t2 / CONVERT TABLE t2 TO PARTITION p, which
 * move rows between t and t2).  These are logged as statements in every
 * binlog format. */
static void parse_alter(parser *P)
{
    static const char *const opts[] = {"ONLINE", "OFFLINE", "IGNORE", NULL};
    static const char *const ops[] = {"TRUNCATE", "DROP", "EXCHANGE", "CONVERT", NULL};
    static const char *const verbs[] = {
        "ALTER TABLE ... TRUNCATE PARTITION", "ALTER TABLE ... DROP PARTITION",
        "ALTER TABLE ... EXCHANGE PARTITION", "ALTER TABLE ... CONVERT PARTITION",
        "ALTER TABLE ... CONVERT TABLE"};
    bd_stmt_table t, t2;
    advance(P);
    while (kw_in(P, opts))
        advance(P);
    if (!accept(P, "TABLE")) return;
    if (accept(P, "IF")) accept(P, "EXISTS");
    int rc = read_table(P, &t, NULL), op = -1, cut = 0;
    while (!at_end(P) && op < 0) {
        if (punct(P, '(')) {
            if (skip_group(P) < 0) cut = 1;
            continue;
        }
        int i = 0;
        while (ops[i] && !kw(P, ops[i]))
            i++;
        advance(P);
        if (!ops[i]) continue;
        if (kw(P, "PARTITION"))
            op = i;
        else if (i == 3 && kw(P, "TABLE"))
            op = 4;
    }
    if (op < 0) {
        if (cut || P->c.lx.err) { /* cut short: an operation may have followed */
            set_dml(P, BD_STMT_DML, "ALTER TABLE");
            unknown(P);
            if (rc > 0) add_table(P->out, &t);
        }
        return;
    }
    set_dml(P, BD_STMT_DML, verbs[op]);
    if (rc < 0) unknown(P);
    if (rc > 0) add_table(P->out, &t);
    if (op < 2) return;
    /* the other table: EXCHANGE PARTITION p WITH TABLE t2,
     * CONVERT PARTITION p TO TABLE t2, CONVERT TABLE t2 TO PARTITION p */
    advance(P); /* PARTITION or TABLE */
    int rc2 = -1;
    if (op == 4) {
        rc2 = read_table(P, &t2, NULL);
    } else if (ident(P)) {
        advance(P);
        if (accept(P, op == 2 ? "WITH" : "TO") && accept(P, "TABLE"))
            rc2 = read_table(P, &t2, NULL);
    }
    if (rc2 < 0) unknown(P);
    if (rc2 > 0) add_table(P->out, &t2);
}

/* TRUNCATE [TABLE] t [WAIT n|NOWAIT] */
static void parse_truncate(parser *P)
{
    bd_stmt_table t;
    set_dml(P, BD_STMT_TRUNCATE, "TRUNCATE");
    advance(P);
    accept(P, "TABLE");
    int rc = read_table(P, &t, NULL);
    if (rc < 0) unknown(P);
    if (rc > 0) add_table(P->out, &t);
}

/* WITH [RECURSIVE] name [(cols)] AS (...) [, ...]: remember the names. */
static int parse_with(parser *P)
{
    advance(P);
    accept(P, "RECURSIVE");
    for (;;) {
        if (!ident(P)) return -1;
        if (P->ncte < MAX_CTE && !copy_name(P->cte[P->ncte], &P->c.t)) P->ncte++;
        advance(P);
        if (punct(P, '(') && skip_group(P) < 0) return -1;
        if (!accept(P, "AS") || !punct(P, '(') || skip_group(P) < 0) return -1;
        if (!punct(P, ',')) return 0;
        advance(P);
    }
}

static void classify(parser *P)
{
    static const char *const queries[] = {"SELECT", "UPDATE", "DELETE", "INSERT", "REPLACE", NULL};
    for (;;) {
        if (kw(P, "SET")) {
            /* MariaDB's SET STATEMENT var=value [, ...] FOR statement */
            advance(P);
            if (!accept(P, "STATEMENT")) return;
            while (!at_end(P) && !kw(P, "FOR")) {
                if (!punct(P, '('))
                    advance(P);
                else if (skip_group(P) < 0)
                    return;
            }
            if (!accept(P, "FOR")) return;
        } else if (kw(P, "ANALYZE")) {
            /* MariaDB's ANALYZE [FORMAT=JSON] statement runs the statement;
             * ANALYZE TABLE is not one */
            advance(P);
            if (accept(P, "FORMAT")) {
                if (punct(P, '=')) advance(P);
                advance(P);
            }
            if (!kw_in(P, queries) && !kw(P, "WITH") && !punct(P, '(')) return;
        } else {
            break;
        }
    }
    int paren = 0;
    while (punct(P, '(')) { /* (SELECT ...) UNION (SELECT ...) */
        paren = 1;
        advance(P);
    }
    if (kw(P, "WITH")) {
        if (parse_with(P) < 0 || !(kw_in(P, queries) || punct(P, '('))) {
            set_dml(P, BD_STMT_DML, "WITH");
            unknown(P);
            return;
        }
        if (punct(P, '(')) paren = 1;
    }
    /* A SELECT, DO or CALL in a binlog is there because a stored function
     * or procedure it ran changed data: which tables is unknown. */
    if (kw(P, "SELECT") || paren) {
        set_dml(P, BD_STMT_DML, "SELECT");
        unknown(P);
    } else if (kw(P, "DO") || kw(P, "CALL")) {
        set_dml(P, BD_STMT_DML, kw(P, "DO") ? "DO" : "CALL");
        unknown(P);
    } else if (kw(P, "INSERT")) {
        parse_insert(P, "INSERT");
    } else if (kw(P, "REPLACE")) {
        parse_insert(P, "REPLACE");
    } else if (kw(P, "UPDATE")) {
        parse_update(P);
    } else if (kw(P, "DELETE")) {
        parse_delete(P);
    } else if (kw(P, "LOAD")) {
        parse_load(P);
    } else if (kw(P, "CREATE")) {
        parse_create(P);
    } else if (kw(P, "ALTER")) {
        parse_alter(P);
    } else if (kw(P, "TRUNCATE")) {
        parse_truncate(P);
    }
}

static void parser_init(parser *P, bd_stmt *out, const char *query, size_t n, const char *db,
                        size_t dbn, unsigned flags)
{
    memset(out, 0, sizeof *out);
    memset(P, 0, sizeof *P);
    P->c.lx.s = query;
    P->c.lx.n = query ? n : 0;
    P->c.lx.flags = flags;
    P->out = out;
    P->defdb_ok = dbn <= 64 && (!dbn || (db && !memchr(db, '\0', dbn)));
    if (P->defdb_ok && dbn) memcpy(P->defdb, db, dbn);
    advance(P);
}

void bd_stmt_classify(bd_stmt *out, const char *query, size_t n, const char *db, size_t dbn,
                      unsigned flags)
{
    parser P;
    parser_init(&P, out, query, n, db, dbn, flags);
    classify(&P);
    if (out->kind == BD_STMT_OTHER) {
        memset(out, 0, sizeof *out);
        return;
    }
    /* Read to the end: a text cut short (unterminated string, name or
     * comment) is not trusted, and db.f( is a stored function call whose
     * changes are not in the binlog either.  Unqualified stored function
     * calls and triggers cannot be told from the text. */
    int st = 0; /* 1 name, 2 name '.', 3 name '.' name */
    while (!at_end(&P)) {
        if (ident(&P))
            st = st == 2 ? 3 : 1;
        else if (punct(&P, '.'))
            st = st == 1 ? 2 : 0;
        else {
            if (punct(&P, '(') && st == 3) out->tables_unknown = 1;
            st = 0;
        }
        advance(&P);
    }
    if (P.c.lx.err) out->tables_unknown = 1;
}

/* ---- DDL: the tables whose definition a statement may change ------------ */

static void set_ddl(parser *P, const char *verb)
{
    P->out->kind = BD_STMT_DDL;
    P->out->verb = verb;
}

/* A table name, added to out: read_table()'s result, tables_unknown set
 * unless 1. */
static int ddl_table(parser *P)
{
    bd_stmt_table t;
    int rc = read_table(P, &t, NULL);
    if (rc < 0) unknown(P);
    if (rc > 0) add_table(P->out, &t);
    return rc;
}

/* [IF EXISTS], or [IF NOT EXISTS] when not_: -1 (tables_unknown set) on an
 * IF without the rest. */
static int if_exists(parser *P, int not_)
{
    if (!accept(P, "IF")) return 0;
    if ((not_ && !accept(P, "NOT")) || !accept(P, "EXISTS")) {
        unknown(P);
        return -1;
    }
    return 0;
}

/* MariaDB's [WAIT n | NOWAIT] */
static void wait_opt(parser *P)
{
    if (accept(P, "NOWAIT") || !accept(P, "WAIT")) return;
    if (P->c.t.type == T_WORD) advance(P);
    if (punct(P, '.')) { /* WAIT 1.5 */
        advance(P);
        if (P->c.t.type == T_WORD) advance(P);
    }
}

/* The token after the current one is the keyword k. */
static int next_kw(parser *P, const char *k)
{
    cursor save = P->c;
    advance(P);
    int r = kw(P, k);
    P->c = save;
    return r;
}

/* At DATABASE or SCHEMA: [IF [NOT] EXISTS] d, one entry {d, ""}. */
static void ddl_database(parser *P, int not_)
{
    bd_stmt_table t;
    advance(P);
    if (if_exists(P, not_) < 0) return;
    memset(&t, 0, sizeof t);
    if (!ident(P) || copy_name(t.db, &P->c.t) < 0) {
        unknown(P);
        return;
    }
    advance(P);
    add_table(P->out, &t);
    P->out->whole_db = 1;
}

/* At the end of the statement, or at a ';' that ends it. */
static int at_stmt_end(parser *P)
{
    if (at_end(P)) return 1;
    if (!punct(P, ';')) return 0;
    cursor save = P->c;
    advance(P);
    int r = at_end(P);
    P->c = save;
    return r;
}

/* name [, name] ... [WAIT n | NOWAIT] [RESTRICT | CASCADE], then the end. */
static void ddl_drop_list(parser *P)
{
    for (;;) {
        if (ddl_table(P) < 0) return;
        if (!punct(P, ',')) break;
        advance(P);
    }
    wait_opt(P);
    if (!accept(P, "RESTRICT")) accept(P, "CASCADE");
    if (!at_stmt_end(P)) unknown(P);
}

/* ---- DDL that keeps the definition: ALTER TABLE and CREATE INDEX -------- */

/* Words that start an ALTER TABLE specification which may change the
 * definition, or a partitioning clause: never read as a name in the lists
 * of ORDER BY and the partition operations, so that such a specification
 * after a ',' is always seen (a column or partition of that name, written
 * unquoted, makes the statement count: fail closed). */
static const char *const spec_kw[] = {"ADD",    "ALTER",   "CHANGE",    "MODIFY",   "DROP",
                                      "RENAME", "CONVERT", "EXCHANGE",  "TRUNCATE", "DISCARD",
                                      "IMPORT", "UPGRADE", "PARTITION", "REMOVE",   NULL};

/* A name in a list of ORDER BY or of a partition operation: 1 read. */
static int list_name(parser *P)
{
    if (P->c.t.type != T_IDENT && (P->c.t.type != T_WORD || kw_in(P, spec_kw))) return 0;
    advance(P);
    return 1;
}

/* item [, item] ...: a ',' not followed by an item is left for the next
 * specification.  item() reads one, 1 on success. */
static int name_list(parser *P, int (*item)(parser *))
{
    if (!item(P)) return 0;
    while (punct(P, ',')) {
        cursor save = P->c;
        advance(P);
        if (!item(P)) {
            P->c = save;
            break;
        }
    }
    return 1;
}

/* name [. name] ... [ASC|DESC]: one column of ALTER TABLE ... ORDER BY */
static int order_item(parser *P)
{
    if (!list_name(P)) return 0;
    while (punct(P, '.')) {
        advance(P);
        if (!ident(P)) return 0;
        advance(P);
    }
    if (!accept(P, "ASC")) accept(P, "DESC");
    return 1;
}

/* Any name, 1 read. */
static int any_name(parser *P)
{
    if (!ident(P)) return 0;
    advance(P);
    return 1;
}

/* [IF [NOT] EXISTS]: 0 read or absent, -1 not understood (out untouched). */
static int opt_if(parser *P, int not_)
{
    if (!accept(P, "IF")) return 0;
    return (not_ && !accept(P, "NOT")) || !accept(P, "EXISTS") ? -1 : 0;
}

/* [=] value: a word, number, string or quoted name; a word or string may
 * be followed by strings (_utf8mb4'x', N'x', 'a' 'b').  1 read. */
static int opt_value(parser *P)
{
    int t;
    if (punct(P, '=')) advance(P);
    t = P->c.t.type;
    if (t != T_WORD && t != T_STR && t != T_IDENT) return 0;
    advance(P);
    if (t != T_IDENT)
        while (P->c.t.type == T_STR)
            advance(P);
    return 1;
}

/* [NO_WRITE_TO_BINLOG | LOCAL] */
static void opt_no_binlog(parser *P)
{
    if (!accept(P, "NO_WRITE_TO_BINLOG")) accept(P, "LOCAL");
}

/* At '(': the key parts of an index, past the ')'.  0 for a functional key
 * part (an expression in parentheses): MySQL adds a hidden generated
 * column for it; 0 also when the text ends first. */
static int key_parts(parser *P)
{
    size_t depth = 0;
    int item_start = 0;
    if (!punct(P, '(')) return 0;
    do {
        if (at_end(P)) return 0;
        if (punct(P, '(')) {
            if (depth == 1 && item_start) return 0;
            depth++;
            item_start = depth == 1;
        } else if (punct(P, ')')) {
            depth--;
            item_start = 0;
        } else {
            item_start = depth == 1 && punct(P, ',');
        }
        advance(P);
    } while (depth);
    return 1;
}

/* index_option ...: KEY_BLOCK_SIZE [=] n, USING type, WITH PARSER p,
 * COMMENT 's', VISIBLE, INVISIBLE, [NOT] IGNORED, [SECONDARY_]ENGINE_ATTRIBUTE
 * [=] 's', CLUSTERING [=] x.  0 on one not understood. */
static int index_options(parser *P)
{
    static const char *const valued[] = {"KEY_BLOCK_SIZE",   "COMMENT",
                                         "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE",
                                         "CLUSTERING",       NULL};
    static const char *const flags[] = {"VISIBLE", "INVISIBLE", "IGNORED", NULL};
    for (;;) {
        if (kw_in(P, valued)) {
            advance(P);
            if (!opt_value(P)) return 0;
        } else if (accept(P, "USING") || (kw(P, "WITH") && next_kw(P, "PARSER"))) {
            if (accept(P, "WITH")) advance(P); /* PARSER */
            if (!any_name(P)) return 0;
        } else if (kw_in(P, flags)) {
            advance(P);
        } else if (kw(P, "NOT") && next_kw(P, "IGNORED")) {
            advance(P);
            advance(P);
        } else {
            return 1;
        }
    }
}

/* After ADD {INDEX|KEY|FULLTEXT [INDEX|KEY]|SPATIAL [INDEX|KEY]}:
 * [IF NOT EXISTS] [name] [USING|TYPE type] (key parts) [index_option] ... */
static int add_index(parser *P)
{
    if (opt_if(P, 1) < 0) return 0;
    if (ident(P) && !kw(P, "USING")) advance(P);
    if (accept(P, "USING") || accept(P, "TYPE"))
        if (!any_name(P)) return 0;
    return key_parts(P) && index_options(P);
}

/* After [CONSTRAINT [symbol]] FOREIGN: KEY [IF NOT EXISTS] [name] (cols)
 * REFERENCES t [(cols)] [MATCH x] [ON {DELETE|UPDATE} action] ... */
static int add_foreign_key(parser *P)
{
    if (!accept(P, "KEY") || opt_if(P, 1) < 0) return 0;
    if (ident(P)) advance(P);
    if (!punct(P, '(') || skip_group(P) < 0 || !accept(P, "REFERENCES") || !any_name(P)) return 0;
    if (punct(P, '.')) {
        advance(P);
        if (!any_name(P)) return 0;
    }
    if (punct(P, '(') && skip_group(P) < 0) return 0;
    if (accept(P, "MATCH") && !any_name(P)) return 0;
    while (accept(P, "ON")) {
        if (!accept(P, "DELETE") && !accept(P, "UPDATE")) return 0;
        if (accept(P, "SET")) {
            if (!accept(P, "NULL") && !accept(P, "DEFAULT")) return 0;
        } else if (accept(P, "NO")) {
            if (!accept(P, "ACTION")) return 0;
        } else if (!accept(P, "RESTRICT") && !accept(P, "CASCADE")) {
            return 0;
        }
    }
    return 1;
}

/* After CHECK: (expr) [[NOT] ENFORCED] */
static int add_check(parser *P)
{
    if (!punct(P, '(') || skip_group(P) < 0) return 0;
    if (accept(P, "NOT")) return accept(P, "ENFORCED");
    accept(P, "ENFORCED");
    return 1;
}

/* After ADD: an index that is neither unique nor primary, a foreign key,
 * a check constraint or a partition. */
static int safe_add(parser *P)
{
    static const char *const cons[] = {"PRIMARY", "UNIQUE", "FOREIGN", "CHECK", NULL};
    if (accept(P, "INDEX") || accept(P, "KEY")) return add_index(P);
    if (accept(P, "FULLTEXT") || accept(P, "SPATIAL")) {
        if (!accept(P, "INDEX")) accept(P, "KEY");
        return add_index(P);
    }
    if (accept(P, "CONSTRAINT")) {
        if (opt_if(P, 1) < 0) return 0;
        if (ident(P) && !kw_in(P, cons)) advance(P);        /* the symbol */
        if (!kw(P, "FOREIGN") && !kw(P, "CHECK")) return 0; /* PRIMARY KEY, UNIQUE */
    }
    if (accept(P, "FOREIGN")) return add_foreign_key(P);
    if (accept(P, "CHECK")) return add_check(P);
    if (accept(P, "PARTITION")) {
        if (opt_if(P, 1) < 0) return 0;
        opt_no_binlog(P);
        if (punct(P, '(')) return skip_group(P) == 0;
        return accept(P, "PARTITIONS") && any_name(P);
    }
    return 0; /* a column, PRIMARY KEY, UNIQUE, PERIOD, SYSTEM VERSIONING, ... */
}

/* After ALTER [COLUMN] c SET DEFAULT: a literal, (expr), or a function
 * call such as CURRENT_TIMESTAMP(6).  MariaDB's bare expressions (a + 1)
 * are not understood. */
static int default_value(parser *P)
{
    if (punct(P, '(')) return skip_group(P) == 0;
    if (punct(P, '-') || punct(P, '+')) advance(P);
    if (P->c.t.type == T_WORD) {
        advance(P);
        if (punct(P, '.')) { /* 1.5 */
            advance(P);
            if (P->c.t.type == T_WORD) advance(P);
            return 1;
        }
        if (punct(P, '(')) return skip_group(P) == 0;
        if (P->c.t.type != T_STR) return 1; /* else _utf8mb4'x', X'..', DATE '..' */
    }
    if (P->c.t.type != T_STR) return 0;
    while (P->c.t.type == T_STR) /* 'a' 'b' is 'ab' */
        advance(P);
    return 1;
}

/* After ALTER: [COLUMN] c {SET DEFAULT v | DROP DEFAULT | SET VISIBLE |
 * SET INVISIBLE}, {INDEX|KEY} i {VISIBLE|INVISIBLE|[NOT] IGNORED}, or
 * {CHECK|CONSTRAINT} s [NOT] ENFORCED. */
static int safe_alter(parser *P)
{
    if (accept(P, "INDEX") || accept(P, "KEY")) {
        if (opt_if(P, 0) < 0 || !any_name(P)) return 0;
        if (accept(P, "VISIBLE") || accept(P, "INVISIBLE") || accept(P, "IGNORED")) return 1;
        return accept(P, "NOT") && accept(P, "IGNORED");
    }
    if (accept(P, "CHECK") || accept(P, "CONSTRAINT")) {
        if (!any_name(P)) return 0;
        accept(P, "NOT");
        return accept(P, "ENFORCED");
    }
    accept(P, "COLUMN");
    if (opt_if(P, 0) < 0 || !any_name(P)) return 0;
    if (accept(P, "DROP")) return accept(P, "DEFAULT");
    if (!accept(P, "SET")) return 0;
    if (accept(P, "VISIBLE") || accept(P, "INVISIBLE")) return 1;
    return accept(P, "DEFAULT") && default_value(P);
}

/* One ALTER TABLE specification that changes nothing that decoding rows
 * depends on: 1 read, 0 not (not understood, or it may change the
 * definition). */
static int safe_spec(parser *P)
{
    /* table options [=] value; ALGORITHM and LOCK */
    static const char *const opts[] = {"AUTO_INCREMENT",
                                       "COMMENT",
                                       "ENGINE",
                                       "ROW_FORMAT",
                                       "KEY_BLOCK_SIZE",
                                       "STATS_AUTO_RECALC",
                                       "STATS_PERSISTENT",
                                       "STATS_SAMPLE_PAGES",
                                       "CHECKSUM",
                                       "TABLE_CHECKSUM",
                                       "PACK_KEYS",
                                       "DELAY_KEY_WRITE",
                                       "MAX_ROWS",
                                       "MIN_ROWS",
                                       "AVG_ROW_LENGTH",
                                       "ENCRYPTION",
                                       "ENCRYPTION_KEY_ID",
                                       "ENCRYPTED",
                                       "PAGE_CHECKSUM",
                                       "PAGE_COMPRESSED",
                                       "PAGE_COMPRESSION_LEVEL",
                                       "TRANSACTIONAL",
                                       "COMPRESSION",
                                       "INSERT_METHOD",
                                       "AUTOEXTEND_SIZE",
                                       "TABLESPACE",
                                       "STORAGE",
                                       "CHARSET",
                                       "COLLATE",
                                       "ENGINE_ATTRIBUTE",
                                       "SECONDARY_ENGINE_ATTRIBUTE",
                                       "ALGORITHM",
                                       "LOCK",
                                       NULL};
    /* partition operations that keep every row */
    static const char *const maint[] = {"ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", NULL};
    static const char *const check_opts[] = {"QUICK",   "FAST",    "MEDIUM", "EXTENDED",
                                             "CHANGED", "USE_FRM", NULL};
    if (kw_in(P, opts)) {
        advance(P);
        return opt_value(P);
    }
    if (accept(P, "DEFAULT")) { /* the table's default, not its columns' */
        if (accept(P, "CHARACTER")) {
            if (!accept(P, "SET")) return 0;
        } else if (!accept(P, "CHARSET") && !accept(P, "COLLATE")) {
            return 0;
        }
        return opt_value(P);
    }
    if (accept(P, "CHARACTER")) return accept(P, "SET") && opt_value(P);
    if (accept(P, "DATA") || accept(P, "INDEX")) return accept(P, "DIRECTORY") && opt_value(P);
    if (accept(P, "FORCE")) return 1;
    if (accept(P, "ENABLE") || accept(P, "DISABLE")) return accept(P, "KEYS");
    if (accept(P, "WITH") || accept(P, "WITHOUT")) return accept(P, "VALIDATION");
    if (accept(P, "ORDER")) return accept(P, "BY") && name_list(P, order_item);
    if (accept(P, "ADD")) return safe_add(P);
    if (accept(P, "ALTER")) return safe_alter(P);
    if (accept(P, "DROP")) {
        /* not INDEX, KEY or CONSTRAINT: it may be a unique key standing in
         * for a primary key */
        if (accept(P, "FOREIGN")) {
            if (!accept(P, "KEY")) return 0;
        } else if (!accept(P, "CHECK")) {
            return 0;
        }
        return opt_if(P, 0) == 0 && any_name(P);
    }
    if (accept(P, "RENAME")) { /* {INDEX|KEY} a TO b; not COLUMN, not the table */
        if (!accept(P, "INDEX") && !accept(P, "KEY")) return 0;
        return opt_if(P, 0) == 0 && any_name(P) && accept(P, "TO") && any_name(P);
    }
    if (kw_in(P, maint)) {
        int check = kw(P, "CHECK");
        advance(P);
        opt_no_binlog(P);
        if (!accept(P, "PARTITION")) return 0;
        opt_no_binlog(P);
        if (!accept(P, "ALL") && !name_list(P, list_name)) return 0;
        if (check && accept(P, "FOR") && !accept(P, "UPGRADE")) return 0;
        while (kw_in(P, check_opts))
            advance(P);
        return 1;
    }
    if (accept(P, "COALESCE")) {
        if (!accept(P, "PARTITION")) return 0;
        opt_no_binlog(P);
        return P->c.t.type == T_WORD && any_name(P);
    }
    if (accept(P, "REORGANIZE")) { /* PARTITION [p [, p] ... INTO (definitions)] */
        if (!accept(P, "PARTITION")) return 0;
        opt_no_binlog(P);
        if (!list_name(P)) return 1;
        while (punct(P, ',')) {
            advance(P);
            if (!list_name(P)) return 0;
        }
        return accept(P, "INTO") && punct(P, '(') && skip_group(P) == 0;
    }
    if (accept(P, "REMOVE")) return accept(P, "PARTITIONING");
    if (accept(P, "PARTITION")) {
        /* PARTITION BY ...: the last clause; a ',' at its top level is not */
        if (!accept(P, "BY")) return 0;
        while (!at_stmt_end(P)) {
            if (punct(P, ',')) return 0;
            if (punct(P, '(')) {
                if (skip_group(P) < 0) return 0;
            } else {
                advance(P);
            }
        }
        return 1;
    }
    return 0;
}

/* At the end of the statement, which is whole (no unterminated string,
 * name, comment or executable comment), and no conditional executable
 * comment opened since cond0 was taken: code a server may have skipped
 * could turn a specification that changes the definition into one that
 * reads as safe. */
static int stmt_end_clean(parser *P, unsigned cond0)
{
    if (!at_stmt_end(P)) return 0;
    if (punct(P, ';')) advance(P);
    return !P->c.lx.err && P->c.lx.cond == cond0;
}

/* After ALTER TABLE t: [WAIT n|NOWAIT] and one or more safe_spec(), ','
 * between (table options and the partitioning clauses also without), to
 * the end of the statement. */
static int alter_safe(parser *P, unsigned cond0)
{
    wait_opt(P);
    for (;;) {
        if (!safe_spec(P)) return 0;
        if (punct(P, ','))
            advance(P);
        else if (at_stmt_end(P))
            break;
    }
    return stmt_end_clean(P, cond0);
}

/* After CREATE [ONLINE|OFFLINE] [FULLTEXT|SPATIAL] INDEX i ... ON t:
 * (key parts) [index_option | ALGORITHM [=] x | LOCK [=] x | WAIT n |
 * NOWAIT] ..., to the end of the statement. */
static int create_index_safe(parser *P, unsigned cond0)
{
    if (!key_parts(P)) return 0;
    for (;;) {
        if (!index_options(P)) return 0;
        if (accept(P, "ALGORITHM") || accept(P, "LOCK")) {
            if (!opt_value(P)) return 0;
        } else if (kw(P, "WAIT") || kw(P, "NOWAIT")) {
            wait_opt(P);
        } else {
            break;
        }
    }
    return stmt_end_clean(P, cond0);
}

/* The statement is read to its end and changes no definition: out back to
 * OTHER (bd_stmt_ddl() zeroes it). */
static void not_ddl(parser *P)
{
    P->out->kind = BD_STMT_OTHER;
    P->out->verb = NULL;
}

/* At INDEX (DROP) or [UNIQUE|FULLTEXT|SPATIAL] INDEX (CREATE):
 * [IF [NOT] EXISTS] i [USING|TYPE type] ON t.  A CREATE INDEX that is not
 * UNIQUE, not OR REPLACE (it may replace a unique index of that name) and
 * has no functional key part is no DDL. */
static void ddl_index(parser *P, int create, int replace)
{
    static const char *const kinds[] = {"UNIQUE", "FULLTEXT", "SPATIAL", NULL};
    unsigned cond0 = P->c.lx.cond;
    int unique = kw(P, "UNIQUE");
    set_ddl(P, create ? "CREATE INDEX" : "DROP INDEX");
    if (create && kw_in(P, kinds)) advance(P);
    if (!accept(P, "INDEX") || if_exists(P, create) < 0) {
        unknown(P);
        return;
    }
    if (!ident(P)) {
        unknown(P);
        return;
    }
    advance(P);
    if (create && (accept(P, "USING") || accept(P, "TYPE"))) advance(P);
    if (!accept(P, "ON")) {
        unknown(P);
        return;
    }
    if (ddl_table(P) < 0 || !create || unique || replace) return;
    cursor save = P->c;
    if (create_index_safe(P, cond0))
        not_ddl(P);
    else
        P->c = save; /* read again from here by bd_stmt_ddl() */
}

/* ALTER [ONLINE|OFFLINE] [IGNORE] TABLE [IF EXISTS] t ...: no DDL when
 * every specification is safe_spec(); else t, and the table named by
 * RENAME [TO|AS], EXCHANGE PARTITION p WITH TABLE, CONVERT PARTITION p TO
 * TABLE or CONVERT TABLE at the top level. */
static void ddl_alter_table(parser *P)
{
    static const char *const not_table[] = {"COLUMN", "INDEX", "KEY", "CONSTRAINT", NULL};
    set_ddl(P, "ALTER TABLE");
    advance(P);
    if (if_exists(P, 0) < 0) return;
    unsigned cond0 = P->c.lx.cond;
    if (ddl_table(P) < 0) return;
    cursor save = P->c;
    if (alter_safe(P, cond0)) {
        not_ddl(P);
        return;
    }
    P->c = save;
    while (!at_end(P)) {
        if (punct(P, '(')) {
            if (skip_group(P) < 0) {
                unknown(P); /* cut short: more may have followed */
                return;
            }
            continue;
        }
        if (accept(P, "RENAME")) {
            if (kw_in(P, not_table)) continue;
            if (!accept(P, "TO")) accept(P, "AS");
            if (ddl_table(P) < 0) return;
            continue;
        }
        int conv = kw(P, "CONVERT");
        if (conv || kw(P, "EXCHANGE")) {
            advance(P);
            if (accept(P, "PARTITION")) {
                if (!ident(P)) {
                    unknown(P);
                    return;
                }
                advance(P);
                if (!accept(P, conv ? "TO" : "WITH") || !accept(P, "TABLE")) {
                    unknown(P);
                    return;
                }
                if (ddl_table(P) < 0) return;
            } else if (conv && accept(P, "TABLE")) {
                if (ddl_table(P) < 0) return;
            } /* else CONVERT TO CHARACTER SET */
            continue;
        }
        advance(P);
    }
}

static void ddl_alter(parser *P)
{
    static const char *const opts[] = {"ONLINE", "OFFLINE", "IGNORE", NULL};
    static const char *const other[] = {
        "VIEW",    "EVENT",    "FUNCTION", "PROCEDURE",  "USER", "ROLE",
        "SERVER",  "INSTANCE", "LOGFILE",  "RESOURCE",   "UNDO", "ALGORITHM",
        "DEFINER", "SQL",      "PACKAGE",  "TABLESPACE", NULL};
    int opt = 0;
    advance(P);
    while (kw_in(P, opts)) {
        advance(P);
        opt = 1;
    }
    if (kw(P, "TABLE")) {
        ddl_alter_table(P);
        return;
    }
    if (!opt && kw(P, "SEQUENCE")) {
        set_ddl(P, "ALTER SEQUENCE");
        advance(P);
        if (if_exists(P, 0) == 0) ddl_table(P);
        return;
    }
    if (!opt && (kw(P, "DATABASE") || kw(P, "SCHEMA"))) {
        /* only UPGRADE DATA DIRECTORY NAME (#mysql50# names) moves tables */
        while (!at_end(P)) {
            if (kw(P, "UPGRADE")) {
                set_ddl(P, "ALTER DATABASE ... UPGRADE");
                unknown(P);
                return;
            }
            advance(P);
        }
        if (P->c.lx.err) { /* cut short: UPGRADE may have followed */
            set_ddl(P, "ALTER DATABASE ... UPGRADE");
            unknown(P);
        }
        return;
    }
    if (!opt && kw_in(P, other)) return;
    set_ddl(P, "ALTER");
    unknown(P);
}

static void ddl_create(parser *P)
{
    static const char *const other[] = {
        "VIEW",       "TRIGGER", "PROCEDURE", "FUNCTION", "AGGREGATE", "EVENT",
        "USER",       "ROLE",    "SERVER",    "LOGFILE",  "RESOURCE",  "UNDO",
        "TABLESPACE", "PACKAGE", "ALGORITHM", "DEFINER",  "SQL",       NULL};
    static const char *const kinds[] = {"UNIQUE", "FULLTEXT", "SPATIAL", "INDEX", NULL};
    int replace = 0, temporary, online = 0;
    advance(P);
    if (accept(P, "OR")) {
        if (!accept(P, "REPLACE")) goto unknown_object;
        replace = 1;
    }
    temporary = accept(P, "TEMPORARY");
    while (accept(P, "ONLINE") || accept(P, "OFFLINE"))
        online = 1;
    if (!online && (kw(P, "TABLE") || kw(P, "SEQUENCE"))) {
        set_ddl(P, kw(P, "TABLE") ? "CREATE TABLE" : "CREATE SEQUENCE");
        P->out->temporary = temporary;
        advance(P);
        if (if_exists(P, 1) == 0) ddl_table(P);
        return;
    }
    if (temporary) goto unknown_object;
    if (kw(P, "SPATIAL") && next_kw(P, "REFERENCE")) { /* SPATIAL REFERENCE SYSTEM */
        if (online) goto unknown_object;
        return;
    }
    if (kw_in(P, kinds)) {
        ddl_index(P, 1, replace);
        return;
    }
    if (online) goto unknown_object;
    if (kw(P, "DATABASE") || kw(P, "SCHEMA")) {
        if (!replace) return; /* a new database has no tables */
        set_ddl(P, "CREATE OR REPLACE DATABASE");
        ddl_database(P, 1);
        return;
    }
    if (kw_in(P, other)) return;
unknown_object:
    set_ddl(P, "CREATE");
    unknown(P);
}

static void ddl_drop(parser *P)
{
    static const char *const other[] = {"VIEW",    "TRIGGER",  "PROCEDURE",  "FUNCTION",
                                        "EVENT",   "USER",     "ROLE",       "SERVER",
                                        "LOGFILE", "RESOURCE", "SPATIAL",    "UNDO",
                                        "PACKAGE", "PREPARE",  "TABLESPACE", NULL};
    int temporary, online = 0;
    advance(P);
    temporary = accept(P, "TEMPORARY");
    while (accept(P, "ONLINE") || accept(P, "OFFLINE"))
        online = 1;
    if (!online && (kw(P, "TABLE") || kw(P, "TABLES") || kw(P, "SEQUENCE"))) {
        set_ddl(P, kw(P, "SEQUENCE") ? "DROP SEQUENCE" : "DROP TABLE");
        P->out->temporary = temporary;
        advance(P);
        if (if_exists(P, 0) == 0) ddl_drop_list(P);
        return;
    }
    if (!temporary && kw(P, "INDEX")) {
        ddl_index(P, 0, 0);
        return;
    }
    if (!temporary && !online) {
        if (kw(P, "DATABASE") || kw(P, "SCHEMA")) {
            set_ddl(P, "DROP DATABASE");
            ddl_database(P, 0);
            if (!at_stmt_end(P)) unknown(P);
            return;
        }
        if (kw_in(P, other)) return;
    }
    set_ddl(P, "DROP");
    unknown(P);
}

/* RENAME {TABLE|TABLES} [IF EXISTS] a [WAIT n|NOWAIT] TO b [, ...] */
static void ddl_rename(parser *P)
{
    advance(P);
    if (kw(P, "USER")) return;
    if (!accept(P, "TABLE") && !accept(P, "TABLES")) {
        set_ddl(P, "RENAME");
        unknown(P);
        return;
    }
    set_ddl(P, "RENAME TABLE");
    if (if_exists(P, 0) < 0) return;
    for (;;) {
        if (ddl_table(P) < 0) return;
        wait_opt(P);
        if (!accept(P, "TO")) {
            unknown(P);
            return;
        }
        if (ddl_table(P) < 0) return;
        if (!punct(P, ',')) break;
        advance(P);
    }
    wait_opt(P);
    if (!at_stmt_end(P)) unknown(P);
}

static void ddl(parser *P)
{
    /* MariaDB's SET STATEMENT var=value [, ...] FOR statement */
    while (kw(P, "SET")) {
        advance(P);
        if (!accept(P, "STATEMENT")) return;
        int cut = 0;
        while (!at_end(P) && !kw(P, "FOR")) {
            if (!punct(P, '('))
                advance(P);
            else if (skip_group(P) < 0)
                cut = 1;
        }
        if (!accept(P, "FOR")) {
            if (cut || P->c.lx.err) { /* the statement may have followed */
                set_ddl(P, "SET STATEMENT");
                unknown(P);
            }
            return;
        }
    }
    if (at_end(P)) {
        if (P->c.lx.err) { /* cut inside a comment or string before any word */
            set_ddl(P, "(text cut short)");
            unknown(P);
        }
        return;
    }
    if (kw(P, "ALTER")) {
        ddl_alter(P);
    } else if (kw(P, "CREATE")) {
        ddl_create(P);
    } else if (kw(P, "DROP")) {
        ddl_drop(P);
    } else if (kw(P, "RENAME")) {
        ddl_rename(P);
    } else if (kw(P, "IMPORT")) { /* MySQL's IMPORT TABLE FROM 'sdi file' */
        set_ddl(P, "IMPORT TABLE");
        unknown(P);
    }
}

int bd_stmt_ddl(bd_stmt *out, const char *query, size_t n, const char *db, size_t dbn,
                unsigned flags)
{
    parser P;
    parser_init(&P, out, query, n, db, dbn, flags);
    ddl(&P);
    if (out->kind != BD_STMT_DDL) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    /* Read to the end: an unterminated string, name, comment or
     * parenthesis means the text was cut short, and more names may have
     * followed. */
    size_t depth = 0;
    while (!at_end(&P)) {
        if (punct(&P, '('))
            depth++;
        else if (punct(&P, ')') && depth)
            depth--;
        advance(&P);
    }
    if (P.c.lx.err || depth) out->tables_unknown = 1;
    return 1;
}

/* ---- SHOW BINLOG EVENTS' Info of a Query event -------------------------- */

/* What MariaDB's Query_log_event::pack_info() lists after "set " for some
 * flags2 bits, in this order, ", " between and "; " after the last. */
static const char *const info_flags[] = {"foreign_key_checks=1",
                                         "sql_auto_is_null",
                                         "unique_checks=1",
                                         "check_constraint_checks=1",
                                         "@@sql_if_exists=1",
                                         "@@system_versioning_insert_history=1",
                                         NULL};

/* The length of a "set <flag>, ...; " list at s, 0 if none. */
static size_t info_set_list(const char *s, size_t n)
{
    size_t i = 4;
    if (n < 4 || memcmp(s, "set ", 4)) return 0;
    for (;;) {
        size_t k = 0, l = 0;
        for (; info_flags[k]; k++) {
            l = strlen(info_flags[k]);
            if (n - i >= l && !memcmp(s + i, info_flags[k], l)) break;
        }
        if (!info_flags[k]) return 0;
        i += l;
        if (n - i < 2 || s[i + 1] != ' ') return 0;
        if (s[i] == ';') return i + 2;
        if (s[i] != ',') return 0;
        i += 2;
    }
}

int bd_stmt_split_use(const char *info, size_t n, const char **db, size_t *dbn, const char **q,
                      size_t *qn)
{
    size_t i = 0;
    int r = 0;
    *db = NULL;
    *dbn = 0;
    if (!info) n = 0;
    if (n > 4 && !memcmp(info, "use ", 4)) {
        size_t j = 4, s, e;
        int found = 0, doubled = 0;
        char qc = info[j];
        if (qc == '`' || qc == '"') {
            s = ++j;
            while (j < n) {
                if (info[j] != qc) {
                    j++;
                } else if (j + 1 < n && info[j + 1] == qc) {
                    doubled = 1;
                    j += 2;
                } else {
                    found = 1;
                    break;
                }
            }
            e = j;
            j += found; /* past the closing quote */
        } else {
            /* unquoted: a name that needs no quotes */
            s = j;
            while (j < n && word_byte((unsigned char)info[j]))
                j++;
            e = j;
            found = e > s;
        }
        if (found && j + 1 < n && info[j] == ';' && info[j + 1] == ' ') {
            *db = info + s;
            *dbn = e - s;
            i = j + 2;
            r = doubled ? 2 : 1;
        }
    }
    if (!info) {
        *q = NULL;
        *qn = 0;
        return 0;
    }
    i += info_set_list(info + i, n - i);
    *q = info + i;
    *qn = n - i;
    return r;
}
