/* gtid_set.h - GTID sets as positions: which transactions a reader has
 * already seen, and where in a server's binlog files to start so that it
 * sees every other one.
 *
 * Two flavours with different meanings:
 *   MySQL: a set of transactions, "uuid:1-5:7,uuid2:1-3", with MySQL 8.3+
 *     tags ("uuid:1-13:mytag:1-2": intervals after a tag belong to that
 *     tag).  A transaction is in the set or not.
 *   MariaDB: a replication position, "domain-server-seq" per domain
 *     ("0-1-100,1-2-7").  Sequence numbers grow along a domain, so the
 *     position stands for every transaction of that domain up to seq.
 *
 * A binlog file starts with what came before it: PREVIOUS_GTIDS (MySQL, a
 * set) or GTID_LIST (MariaDB, the last GTID of each domain and server).  A
 * reader that has seen the set S can start at the newest file whose
 * "before" is inside S and skip the transactions of S it meets there
 * (bd_gtid_set_covers, bd_gtid_set_has).  This is how a MySQL GTID start
 * works without COM_BINLOG_DUMP_GTID, which libmariadb does not send.
 *
 * Ownership: a set owns its memory; bd_gtid_set_release() frees it and
 * leaves an empty set of the same flavour.
 */
#ifndef BINLOGD_GTID_SET_H
#define BINLOGD_GTID_SET_H

#include <stddef.h>
#include <stdint.h>

#include "binlogd/buf.h"
#include "binlogd/decoder.h"
#include "binlogd/error.h"
#include "binlogd/event.h"

typedef struct bd_gtid_sid bd_gtid_sid; /* one uuid[:tag] (MySQL) or domain (MariaDB) */

typedef struct bd_gtid_set {
    enum bd_flavor flavor; /* MYSQL or MARIADB; UNKNOWN while empty and untyped */
    bd_gtid_sid *sids;
    size_t n, cap;
} bd_gtid_set;

#define BD_GTID_SET_INIT                                                                           \
    {                                                                                              \
        BD_FLAVOR_UNKNOWN, NULL, 0, 0                                                              \
    }

void bd_gtid_set_release(bd_gtid_set *s);

/* Parse text into s (emptied first).  flavor UNKNOWN: told by the text
 * (a uuid is MySQL, d-s-n is MariaDB; "" stays UNKNOWN, which covers and
 * contains nothing).  Whitespace and newlines around elements are allowed
 * (@@gtid_executed has them).  -1 with err naming the bad element. */
int bd_gtid_set_parse(bd_gtid_set *s, enum bd_flavor flavor, const char *text, size_t n,
                      bd_err *err);

/* The same for the 'before' set of a file (the text of a PREVIOUS_GTIDS or
 * GTID_LIST event, bd_event.gtid_set): a MariaDB domain may appear once
 * per server there, and the furthest seq counts. */
int bd_gtid_set_parse_before(bd_gtid_set *s, enum bd_flavor flavor, const char *text, size_t n,
                             bd_err *err);

/* Add one transaction given as the decoder writes it (bd_txn.gtid: MySQL
 * "uuid:N" or "uuid:tag:N", MariaDB "d-s-n").  For MariaDB the domain's
 * position moves to it. */
int bd_gtid_set_add(bd_gtid_set *s, const char *gtid, bd_err *err);

/* 1 if the transaction gtid (as for add) is in s, 0 if not, -1 if gtid
 * is not of s's flavour or malformed. */
int bd_gtid_set_has(const bd_gtid_set *s, const char *gtid);

/* 1 if every transaction before a file whose PREVIOUS_GTIDS / GTID_LIST
 * is 'before' is in s. */
int bd_gtid_set_covers(const bd_gtid_set *s, const bd_gtid_set *before);

/* Append the canonical text: MySQL uuids in ascending order, untagged
 * intervals first, then tags in ascending order; MariaDB domains in
 * ascending order. */
void bd_gtid_set_text(const bd_gtid_set *s, bd_buf *out);

/* Append the GTIDs of 'before' that s lacks (the first missing one of each
 * interval; MariaDB: the list's entries ahead of s), comma-separated. */
void bd_gtid_set_missing(const bd_gtid_set *s, const bd_gtid_set *before, bd_buf *out);

/* What a GTID start must do, given the 'before' set of each binlog file
 * (oldest first): the index of the file to start at, or -1 with err
 * saying which transactions are missing when even the oldest file comes
 * after something s does not have (they were purged). */
int bd_gtid_pick_file(const bd_gtid_set *s, const bd_gtid_set *before, size_t nfiles,
                      const char *const *names, bd_err *err);

/* The transaction filter of a GTID start: transactions whose GTID is in
 * the set are not passed on.  Feed it every event; it says whether the
 * event and the rows that follow it belong to a skipped transaction. */
typedef struct bd_gtid_skip {
    const bd_gtid_set *set; /* not owned */
    int skipping;           /* inside a transaction of set */
    uint64_t skipped;       /* transactions skipped so far */
} bd_gtid_skip;

/* For an event: 1 to drop it (it belongs to a skipped transaction), 0 to
 * pass it on.  'gtid' is the transaction's GTID when the event begins one
 * (NULL or "" otherwise), ends says whether the event ends it. */
int bd_gtid_skip_event(bd_gtid_skip *k, int begins, const char *gtid, int ends);

/* Callbacks that pass the events and rows of inner on, except those of
 * transactions in set (on_table passes through).  f holds the state and
 * must outlive the returned callbacks; set is not copied. */
typedef struct bd_gtid_filter {
    bd_gtid_skip k;
    bd_callbacks inner;
} bd_gtid_filter;
bd_callbacks bd_gtid_filter_wrap(bd_gtid_filter *f, const bd_gtid_set *set,
                                 const bd_callbacks *inner);

#endif
