/* run.h - the state of `binlogd run` (the daemon), shared by its files:
 * cmd_run.c (arguments, wiring, signals, reload, start and stop),
 * run_data.c (the data thread: the publish stage's callbacks), run_state.c
 * (the loop's side of delivery: reports, the acknowledged watermark, the
 * checkpoint), run_status.c (the HTTP endpoints: /metrics, /status,
 * /gates/NAME, /lag) and run_alerts.c (the gates' setup and the alert
 * rules, evaluated on a timer).  docs/architecture.md draws the whole.
 *
 * Threads.  The daemon starts these itself:
 *   - the main thread runs one libev loop: signals (SIGTERM, SIGINT,
 *     SIGHUP: reload), the fd of librdkafka's main queue (delivery reports,
 *     and librdkafka's log lines and errors: log.queue), the checkpoint
 *     timer, the acked-watermark timer, the systemd watchdog, the alert and
 *     gate evaluation every 0.25 s (run_alerts.c), and the HTTP endpoints:
 *     libmicrohttpd runs in external epoll mode (daemon/http.c), so it
 *     starts no thread and requests are served on this thread.  After the
 *     loop it flushes Kafka and writes the last checkpoint.
 *   - the data thread (run_data_main in run_data.c) runs the live source
 *     (bd_source_server_run): the decoder callbacks feed the publish
 *     stage, which filters, encodes and produces each row change through
 *     the Kafka sink and opens/closes one record per transaction in its
 *     ack tracker; it waits (backpressure) while too much is in flight.
 *     It gets no signals.
 * And these through the modules it uses:
 *   - the source's reader thread (lib/source/source_server.c), one per connection
 *     while the stream runs: it blocks in the client library's binlog
 *     fetch and hands the events to the data thread in a ring of chunks.
 *   - the monitor thread (daemon/monitor.c): on a control connection of its
 *     own it polls the source's head and binlog files, measures the clock
 *     offset and writes the heartbeat probe's row; and, only when a gate
 *     names a consumer_group, a second monitor thread that reads the
 *     groups' offsets through a Kafka client of its own
 *     (lib/sink/kafka_admin.c).  It logs through dlog() (monitor_log).
 *   - the alert webhook's sending thread (lib/observe/alert.c), only with [alert]
 *     webhook: it POSTs with libcurl and logs through dlog()
 *     (alerter_log); libcurl's threaded resolver may add a short-lived
 *     thread per name lookup.
 *   - librdkafka's own threads (a main one and one per broker connection)
 *     for the producer, and another set for the monitor's Kafka client
 *     when there is one.  None of them calls the daemon's code: the
 *     producer's callbacks are served by bd_kafka_poll() on the loop, and
 *     (exactly once) by a commit on the data thread while it waits, never
 *     by both at once for one producer (kafka.h); with exactly once's two
 *     producers the loop may serve one while a commit serves the other, so
 *     on_report and kafka_log run on both threads and take their locks.
 *
 * Locks (each mutex guards the fields named; see the struct):
 *   - log_mu: a log line on stderr (dlog, from every thread above that
 *     logs), and the strings statement_at and incident_at (written by the
 *     data thread, read by the alert rules on the loop).
 *   - cfg_mu: live (a reload on the loop swaps it; the data thread reads
 *     its filters and on_statement, and takes its column rules into cols,
 *     cols_set and cols_since, which /status reads; the loop too; oversize goes to the
 *     sink's atomic at the reload), server_ident
 *     with have_ident (set by the data thread when it connects, read by the
 *     checkpoint and /status), and cfg.checkpoint_interval_ms (a reload).
 *   - stop_mu: stopping and in_txn change together (begin_stop on the loop,
 *     the data thread between transactions), so that a clean stop ends the
 *     transaction being read; stopping is atomic and read without it too.
 *   - probe_mu: the heartbeat probes read and not yet acknowledged, and
 *     probe_lag_s (the data thread adds, the loop retires and /metrics
 *     reads).
 * The flags and counters both sides see are atomics; the rest belongs to
 * one thread, as the struct's comments say.  The ack tracker, the lag
 * tracker, the monitor and the alerter lock inside themselves.
 */
#ifndef BINLOGD_RUN_H
#define BINLOGD_RUN_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "binlogd/acks.h"
#include "binlogd/alert.h"
#include "binlogd/buf.h"
#include "binlogd/checkpoint.h"
#include "binlogd/config.h"
#include "binlogd/error.h"
#include "binlogd/kafka.h"
#include "binlogd/kafka_admin.h"
#include "binlogd/lag.h"
#include "binlogd/publish.h"
#include "binlogd/sink_kafka.h"
#include "binlogd/snapshot.h"
#include "binlogd/source_server.h"
#include "binlogd/tz.h"
#include "http.h"
#include "monitor.h"

/* bd_daemon.stopping */
enum { STOP_AT_BOUNDARY = 1, STOP_NOW = 2 };

#define PROBES_MAX 256
#define ALERTS_MAX 128

/* A heartbeat probe row read and not yet acknowledged. */
typedef struct probe {
    uint64_t no;   /* its transaction */
    int64_t ts_us; /* the source's NOW(6) in the row */
} probe;

/* An alert the daemon raised (firing) or raised before (resolved). */
typedef struct alert_state {
    char name[48], subject[160], severity[16];
    char summary[512];
    int firing;
    int64_t starts_us, ends_us;
} alert_state;

typedef struct bd_daemon {
    bd_config cfg;
    char ckpt_path[4096], hist_path[4096], lock_path[4096];
    int lock_fd;
    int journal;          /* stderr goes to the journal: "<N>" level prefixes */
    atomic_int log_level; /* cfg.log_level, changed by a reload while threads log */
    pthread_mutex_t log_mu;

    bd_ksink *sink; /* the producer and the ack tracker (sink_kafka.h) */
    bd_kafka *k[2]; /* the sink's producers (bd_ksink_producers), borrowed */
    size_t nk;
    bd_acks *acks; /* the sink's, borrowed */
    bd_source_server *src;
    pthread_t th;
    int th_started;
    enum bd_server_result src_result;
    bd_err src_err;
    atomic_int data_done;
    atomic_int connected;
    /* 0 running; STOP_AT_BOUNDARY: finish the transaction being read, then
     * stop (a clean stop re-publishes nothing); STOP_NOW: at once */
    atomic_int stopping;
    pthread_mutex_t stop_mu; /* stopping and in_txn change together */
    int in_txn;              /* the data thread is inside a transaction */
    ev_timer grace_timer;
    char server_ident[128];
    char txn_id[300];      /* exactly once: the producer's transactional.id */
    const char *start_arg; /* run --start (argv's), NULL: none */
    /* at the start without a position in the state topic: how many of this
     * source's topics hold messages, and the first of them */
    int used_topics;
    char used_first[256];
    atomic_int have_ident;

    /* the main loop */
    struct ev_loop *loop;
    ev_signal sig_term, sig_int, sig_hup;
    ev_timer ckpt_timer, wd_timer;
    ev_io kafka_io[2]; /* one per producer */
    ev_async wake;
    uint64_t written_seq;
    int ckpt_failing;   /* the last write failed: reading is held */
    int mirror_failing; /* at least once: the last state topic record failed */
    int ready_sent;
    int exit_code;
    char fatal[BD_ERRLEN]; /* the first reason to stop with exit 1 */
    atomic_int failed;

    /* reloadable settings read by the data thread (under cfg_mu) */
    pthread_mutex_t cfg_mu;
    bd_config *live; /* the filters, oversize and log level in force */
    /* [columns]: the rules the stage applies, the data thread's: moved out
     * of live at the first transaction boundary after a reload (cfg_mu:
     * /status reads them), the number of the set (1: the start's) and the
     * position of the first transaction it applied to ("": the start) */
    bd_col_rules cols;
    unsigned cols_set;
    char cols_since[BD_CKPT_FILE_MAX + 24];
    atomic_ullong cfg_gen;

    /* data thread state: the publish stage (routes, keys, the held row) */
    bd_pub *pub;
    bd_err pub_err;            /* why the stage stopped */
    uint64_t pub_gen;          /* the cfg_gen its routes were made under */
    atomic_int statement_stop; /* stopped at a statement-logged row change: exit 65 */
    atomic_int columns_stop;   /* [columns] rules that cannot apply to a table: exit 65 */
    int schema_stop;           /* stopped at rows of unknown columns: exit 65 */
    int stop_here;             /* a transaction ended after a stop was asked for */
    uint64_t rows, skipped_rows;

    /* lag monitor */
    bd_lag *lag;
    bd_monitor *mon;
    bd_http *http;
    bd_alerter *alerter;
    bd_tz **gate_tz;            /* one per cfg.gates */
    bd_lag_table **gate_tables; /* the gates' tables */
    size_t ngate_tables;
    ev_timer eval_timer;
    /* a standby: the active instance's last checkpoint in the state topic
     * and when it was read (this host's clock, µs; 0: none yet); under
     * cfg_mu */
    bd_checkpoint standby_ckpt;
    int64_t standby_ckpt_at;
    /* data thread */
    uint64_t txn_no;        /* ack records opened (they retire in this order) */
    int64_t txn_commit;     /* the open transaction's commit time (estimate) */
    bd_lag_table *lag_last; /* the table told about last, in transaction lag_last_no */
    uint64_t lag_last_no;
    uint64_t heartbeats_seen;
    char hb_db[65], hb_tb[65];
    /* published by the data thread for /metrics */
    atomic_ullong pub_rows, pub_filtered, pub_events, pub_bytes, pub_reconnects;
    atomic_ullong pub_key_changes, pub_truncates;
    atomic_ullong incidents;
    /* row changes logged as statements: skipped ([source] on_statement =
     * skip), and the one that stopped the daemon */
    atomic_ullong statements_skipped;
    unsigned long long statements_cleared, statements_sent;
    char statement_at[600];               /* the last one (under log_mu) */
    unsigned long long incidents_cleared; /* by a reload: the alert resolves */
    char incident_at[600];                /* under log_mu */
    /* probes (probe_mu) */
    pthread_mutex_t probe_mu;
    probe probes[PROBES_MAX];
    size_t nprobes;
    double probe_lag_s; /* the last probe's end-to-end time; NaN: none yet */
    /* loop thread */
    uint64_t acked_no;
    ev_tstamp acked_at; /* when acked_progress last ran */
    ev_timer acked_timer;
    /* last delivery report (or, exactly once, commit) */
    _Atomic int64_t last_ack_us;
    atomic_int reports; /* delivery reports came in this poll */
    /* exactly once: a commit on the data thread serves the reports while
     * it waits (the loop otherwise); dl_mu guards the dl_* notes, which
     * reports (either thread) and the watermark (loop) both touch */
    int eos;
    pthread_mutex_t dl_mu;
    /* a first start (no position anywhere): nothing is published before
     * its start position is recorded (exactly once: committed to the state
     * topic on connecting; at least once: reading held until the loop has
     * written the first checkpoint), so that a crash in its first second
     * does not leave messages without a position */
    int fresh;
    atomic_int first_wait;
    /* [kafka] standby: the group member (kafka_admin.h), its group, and
     * whether this instance lost its turn (the loop: a revoked partition;
     * the data thread: a fenced commit), after which it waits again */
    bd_kafka_admin *member;
    char group[300];
    ev_timer member_timer;
    atomic_int demoted;
    const char *dl_topic_ptr;
    char dl_topic[256];     /* note_delivered: the last report's topic, */
    bd_lag_table *dl_table; /* its table, */
    int32_t dl_partition;   /* and the run of offsets told or pending */
    int64_t dl_offset, dl_commit;
    int dl_pending;
    int64_t disconnected_since; /* 0: connected */
    alert_state alerts[ALERTS_MAX];
    size_t nalerts;

    /* snapshots (run_snapshot.c): requests and windows (snapshot.h: it
     * locks inside), the snapshot thread with its own connection options
     * (a copy of the source's), the signal table's name split, and the
     * progress generation last written to the checkpoint (loop) */
    bd_snap *snap;
    pthread_t snap_th;
    int snap_started;
    bd_server_opts snap_opts;
    char snap_pw[1024]; /* snap_opts.password's copy: the start wipes its own */
    char sig_db[65], sig_tb[65];
    uint64_t snap_written_gen;
    atomic_int snap_paused_logged;
} bd_daemon;

/* ---- cmd_run.c ---- */

/* Now on the source's clock, µs (the monitor's measured offset applied).
 * Any thread. */
int64_t src_now(const bd_daemon *d);
/* One log line on stderr at level (enum bd_log_level), if the level in
 * force lets it through.  Any thread (log_mu). */
void dlog(bd_daemon *d, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The first reason to stop with exit 1 (later ones are dropped; the loop
 * begins the stop when woken).  Any thread. */
void run_fail(bd_daemon *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stop at once (a standby that lost its turn).  The loop's thread. */
void run_stop_now(bd_daemon *d);

/* ---- run_data.c (data thread) ---- */

/* The publish stage (d->pub) and the live source (d->src), its callbacks
 * on o (which must outlive nothing: the source copies it).  0, or -1 with
 * err. */
int run_data_source(bd_daemon *d, bd_server_opts *o, bd_err *err);
/* The data thread: runs the source until it stops. */
void *run_data_main(void *arg);

/* ---- run_state.c (loop thread) ---- */

/* The Kafka sink (d->sink, d->k, d->acks), its acknowledged position not
 * set yet; the state topic created when missing, and the last checkpoint
 * of this source read from it into kc (*have_kc 1; 0: none there, and then
 * d->used_topics says whether its topics hold messages).  Exactly once:
 * init_transactions first (fences an older instance and ends its open
 * transaction, so the state topic shows its last commit).  0, or -1 with
 * err. */
int run_sink_new(bd_daemon *d, bd_checkpoint *kc, int *have_kc, bd_err *err);
/* The acknowledged position starts at the checkpoint c (file "" none). */
int run_sink_start(bd_daemon *d, const bd_checkpoint *c, bd_err *err);
/* Exactly once (data thread, between transactions): commit the open Kafka
 * transaction with its checkpoint record when due (idle: the source has
 * nothing more now); a failure stops the daemon.  0, or -1 to stop. */
int run_commit(bd_daemon *d, int idle);
/* Serve the producer's queue (reports): the loop's watcher of its fd. */
void run_kafka_cb(struct ev_loop *loop, ev_io *w, int revents);
/* The acknowledged watermark after a burst of reports (5 ms later). */
void run_acked_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* The checkpoint timer: reports, the watermark, then the checkpoint. */
void run_ckpt_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* Where delivery stands: the acknowledged position, what is in flight,
 * and the sink's counts.  Any thread. */
typedef struct run_flight {
    bd_acks_pos p;
    char file[BD_CKPT_FILE_MAX]; /* the acknowledged position: file:pos */
    uint64_t pos;
    bd_ksink_counts kc;
    uint64_t commits; /* Kafka transactions committed (exactly once) */
    double commit_s;  /* time spent committing them */
} run_flight;
void run_flight_get(bd_daemon *d, run_flight *f);
/* What Kafka acknowledged moves the acked watermark and ends probes. */
void run_acked_progress(bd_daemon *d);
/* Write the checkpoint at the acknowledged position if it moved (force:
 * at the stop, whatever happened; a failure then fails the exit). */
void run_write_checkpoint(bd_daemon *d, int force);

/* ---- run_alerts.c (loop thread) ---- */

/* Evaluate every alert rule now: raise, keep or resolve each alert (the
 * log, d->alerts for /metrics and /status, the webhook). */
void run_eval_alerts(bd_daemon *d);
/* The evaluation timer's callback (w->data: the daemon). */
void run_eval_cb(struct ev_loop *loop, ev_timer *w, int revents);
/* The gates' zones and tables (their lag records) and the heartbeat
 * table's name, from the config.  0, or -1 after logging why. */
int run_gates_setup(bd_daemon *d);
/* What run_gates_setup made, freed (also after it failed half-way). */
void run_gates_free(bd_daemon *d);
/* The monitor's log (ctx: the daemon). */
void run_monitor_log(void *ctx, int level, const char *msg);

/* ---- run_status.c (loop thread) ---- */

/* The endpoint's TLS and authentication from [http]; o's strings point
 * into d->cfg.  Says (log) when it listens beyond loopback without them. */
void run_http_opts(bd_daemon *d, bd_http_opts *o);
/* The HTTP endpoints' handler (ctx: the daemon); see bd_http_handler. */
int run_http_handler(void *ctx, const bd_http_req *req, bd_buf *b, const char **ctype);
/* The same while waiting as a standby: /status and /metrics say so;
 * /gates and /lag answer from the active instance's checkpoint in the
 * state topic (run_standby.c), or 503 when that cannot be followed. */
int run_standby_http_handler(void *ctx, const bd_http_req *req, bd_buf *b, const char **ctype);

/* ---- run_snapshot.c (snapshots) ---- */

/* The snapshots' state (d->snap), restored from the checkpoint's progress
 * (c, NULL: none), with [snapshot] tables requested when no request had
 * them yet; the snapshot thread's connection options: o's (copied, the
 * password too).  0, or -1 after logging why. */
int run_snapshot_init(bd_daemon *d, const bd_checkpoint *c, const bd_server_opts *o);
/* Start the snapshot thread.  0 or -1. */
int run_snapshot_start(bd_daemon *d);
/* Stop and join the snapshot thread (after the data thread ended); the
 * state stays for the last checkpoint. */
void run_snapshot_stop(bd_daemon *d);
/* Free the state (after the loop and the last checkpoint). */
void run_snapshot_free(bd_daemon *d);
/* /snapshot, /snapshot/ID, /snapshot/ID/cancel: the HTTP status. */
int run_snapshot_http(bd_daemon *d, const bd_http_req *req, bd_buf *b);
/* Data thread: a row of the signal table (a watermark); 0 or -1 with
 * d->pub_err set (the stage failed). */
int run_snapshot_row(bd_daemon *d, const bd_row *row);
/* Data thread: is t the signal table? */
int run_snapshot_signal(const bd_daemon *d, const char *db, size_t dbn, const char *tb, size_t tn);
/* Data thread: a DDL statement (a QUERY event ending a transaction). */
void run_snapshot_event(bd_daemon *d, const bd_event *ev);

/* ---- run_standby.c ([kafka] standby) ---- */

/* Wait as a member of the source's group on the state topic until this
 * instance holds its partition: 0 then (d->member stays, polled by
 * run_member_cb), 1 when a stop was asked for meanwhile (SIGTERM,
 * SIGINT), -1 after logging why (Kafka). */
int run_standby_wait(bd_daemon *d, const bd_server_opts *o);
/* The loop's timer while active: the member's rebalances; losing the
 * partition demotes (d->demoted, a stop at once). */
void run_member_cb(struct ev_loop *loop, ev_timer *w, int revents);

#endif
