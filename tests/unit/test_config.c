/* test_config.c - the config file: defaults, every kind of error with its
 * FILE:LINE, secrets, filters, topic names, what SIGHUP may change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binlogd/config.h"
#include "testutil.h"

static char path[64];

static void write_cfg(const char *text)
{
    snprintf(path, sizeof path, "/tmp/bd_cfg_XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

#define MIN "[source]\nhost = db1\nserver_id = 9001\n[kafka]\nbootstrap.servers = k1:9092\n"
/* the same without server_id (for the tests of that option) */
#define MIN0 "[source]\nhost = db1\n[kafka]\nbootstrap.servers = k1:9092\n"

static void load_ok(bd_config *c, const char *text)
{
    write_cfg(text);
    bd_err err = {0};
    int r = bd_config_load(c, path, &err);
    unlink(path);
    ck_assert_msg(r == 0, "%s", err.msg);
}

static void load_bad(const char *text, const char *want)
{
    write_cfg(text);
    bd_config c;
    bd_err err = {0};
    int r = bd_config_load(&c, path, &err);
    unlink(path);
    ck_assert_msg(r == -1, "accepted: %s", text);
    char full[256];
    snprintf(full, sizeof full, "%s%s", path, want);
    ck_assert_msg(strstr(err.msg, full) != NULL, "message '%s' lacks '%s'", err.msg, full);
}

START_TEST(config_defaults)
{
    bd_config c;
    /* the replica id has no default: two readers sharing one drop each other */
    load_bad(MIN0, ": [source] server_id is required");
    load_ok(&c, MIN);
    ck_assert_str_eq(c.host, "db1");
    ck_assert_str_eq(c.source_name, "db1"); /* name defaults to the host */
    ck_assert_uint_eq(c.port, 3306);
    ck_assert_uint_eq(c.server_id, 9001);
    ck_assert_str_eq(c.user, "binlogd");
    ck_assert_str_eq(c.password_env, "BINLOGD_PASSWORD");
    ck_assert(c.heartbeat_s == 5.0);
    ck_assert_str_eq(c.topic, "{source}.{db}.{table}");
    ck_assert_int_eq(c.oversize, BD_OVERSIZE_FAIL);
    ck_assert_str_eq(c.state_dir, "/var/lib/binlogd");
    ck_assert_uint_eq(c.checkpoint_interval_ms, 1000);
    ck_assert_int_eq(c.log_level, BD_LOG_INFO);
    ck_assert_uint_eq(c.max_in_flight_bytes, 16u << 20);
    ck_assert_uint_eq(c.max_in_flight, 20000);
    ck_assert_uint_eq(c.nkafka, 1);
    ck_assert_str_eq(c.kafka[0], "bootstrap.servers");
    ck_assert_str_eq(c.kafka[1], "k1:9092");
    bd_config_release(&c);
}
END_TEST

START_TEST(config_values)
{
    bd_config c;
    load_ok(&c, "# a comment\n[source]\nhost = db1\nname = acct\nport = 3307\nheartbeat = 500ms\n"
                "read_timeout = 3\nserver_id = 4294967295\nallow_server_change = yes\n"
                "[kafka]\nbootstrap.servers = k1:9092\nlinger.ms = 5\noversize = SKIP\n"
                "[state]\ncheckpoint_interval = 2.5s\n[daemon]\nlog_level = debug\n"
                "max_in_flight_bytes = 1G\n");
    ck_assert_str_eq(c.source_name, "acct");
    ck_assert_uint_eq(c.port, 3307);
    ck_assert(c.heartbeat_s == 0.5);
    ck_assert_uint_eq(c.read_timeout_s, 3);
    ck_assert_uint_eq(c.server_id, 4294967295u);
    ck_assert_int_eq(c.allow_server_change, 1);
    ck_assert_int_eq(c.oversize, BD_OVERSIZE_SKIP);
    ck_assert_uint_eq(c.checkpoint_interval_ms, 2500);
    ck_assert_int_eq(c.log_level, BD_LOG_DEBUG);
    ck_assert_uint_eq(c.max_in_flight_bytes, 1ull << 30);
    ck_assert_uint_eq(c.nkafka, 2);
    ck_assert_str_eq(c.kafka[2], "linger.ms");
    bd_config_release(&c);
    /* the sizes bd_parse_size takes (K, M, G of 1024, either case, a B) */
    static const struct {
        const char *in;
        unsigned long long want;
    } sizes[] = {{"64KB", 65536}, {"1.5M", 1572864}, {"16777216", 16777216}, {"2g", 2ull << 30}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, MIN "[daemon]\nmax_in_flight_bytes = %s\n", sizes[i].in);
        load_ok(&c, text);
        ck_assert_msg(c.max_in_flight_bytes == sizes[i].want, "%s: %llu", sizes[i].in,
                      (unsigned long long)c.max_in_flight_bytes);
        bd_config_release(&c);
    }
    /* what the value checks let through */
    static const char *const fine[] = {"start = gtid:", "start = gtid:0-1-5,1-2-9",
                                       "start = binlog.000002", "start = binlog.000002:4",
                                       "start = head"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "[source]  ; a comment after a section\nhost = db1\nserver_id = 1\n%s\n[kafka]\n"
                 "bootstrap.servers = k\ntopic = {source}_{db}.{table}\n[http] # here\n"
                 "listen = [::1]:0\n[lag]\nheartbeat_table = ops.heartbeat\n[alert]\n"
                 "webhook = https://am.example:9093/api/v2/alerts\n",
                 fine[i]);
        load_ok(&c, text);
        bd_config_release(&c);
    }
}
END_TEST

START_TEST(config_durations)
{
    /* the one duration syntax: config values, /lag?max=, gate --wait */
    static const struct {
        const char *in;
        double want;
    } ok[] = {{"1.5", 1.5}, {"2s", 2},    {"500ms", 0.5}, {"2m", 120},
              {"1h", 3600}, {".5s", 0.5}, {"0", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double d = -1;
        ck_assert_msg(bd_parse_secs(ok[i].in, &d) == 0, "%s refused", ok[i].in);
        ck_assert_msg(d == ok[i].want, "%s: %g, want %g", ok[i].in, d, ok[i].want);
    }
    static const char *const bad[] = {"",   "-1",  " 5", "+5",    "0x10",   "inf",   "nan",
                                      "5d", "5 s", "s",  "1e309", "1e308h", "1e308m"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double d = 0;
        ck_assert_msg(bd_parse_secs(bad[i], &d) == -1, "'%s' accepted as %g", bad[i], d);
    }
    /* the timeouts in whole seconds take the same syntax */
    bd_config c;
    load_ok(&c, MIN "[source]\nread_timeout = 2m\nconnect_timeout = 15s\n");
    ck_assert_uint_eq(c.read_timeout_s, 120);
    ck_assert_uint_eq(c.connect_timeout_s, 15);
    bd_config_release(&c);
    load_ok(&c, MIN "[source]\nconnect_timeout = 30\n");
    ck_assert_uint_eq(c.connect_timeout_s, 30);
    /* printed as the file would say it */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bd_config_print(&c, f);
    fclose(f);
    static const char *const printed[] = {"\nconnect_timeout = 30s\n",
                                          "\nread_timeout = 0\n",
                                          "\nheartbeat = 5s\n",
                                          "\ncheckpoint_interval = 1s\n",
                                          "\nmax_in_flight_bytes = 16M\n",
                                          "\nalert_lag = 5m\n",
                                          "\nretention_alert = 1h\n",
                                          "\nport = 3306\n"};
    for (size_t i = 0; i < sizeof printed / sizeof printed[0]; i++)
        ck_assert_msg(strstr(buf, printed[i]) != NULL, "--print lacks '%s'", printed[i] + 1);
    free(buf);
    bd_config_release(&c);
    load_bad(MIN "[source]\nconnect_timeout = 1.5s\n",
             ":7: [source] connect_timeout wants whole seconds in 1s..3600s");
    load_bad(MIN "[source]\nread_timeout = 2d\n", ":7: [source] read_timeout wants whole seconds");
}
END_TEST

START_TEST(config_errors)
{
    load_bad(MIN "[source]\nprot = 3306\n", ":7: unknown option 'prot' in [source]");
    load_bad(MIN "[sorce]\nhost = x\n", ":7: unknown section [sorce]");
    load_bad("host = x\n" MIN, ":1: 'host' is outside any [section]");
    load_bad(MIN "[source]\nport = 70000\n", ":7: [source] port wants a whole number in 1..65535");
    load_bad(MIN "[source]\nport = -1\n", ":7: [source] port wants a whole number");
    load_bad(MIN "[source]\nheartbeat = soon\n", ":7: [source] heartbeat wants seconds");
    load_bad(MIN "[source]\nhost = db2\n", ":7: [source] host given twice");
    load_bad(MIN "[daemon]\nlog_level = loud\n", ":7: [daemon] log_level wants one of");
    load_bad(MIN "[source]\nallow_server_change = maybe\n",
             ":7: [source] allow_server_change wants true or false");
    load_bad(MIN "[state]\ncheckpoint_interval = 1ms\n",
             ":7: [state] checkpoint_interval wants a duration");
    load_bad(MIN "[daemon]\nmax_in_flight_bytes = 12X\n",
             ":7: [daemon] max_in_flight_bytes wants a size");
    /* what strtod let through into a size before bd_parse_size (inih
     * strips the spaces around a value, so " 5M" cannot reach it here;
     * test_parse has it) */
    static const char *const bad_sizes[] = {"+5M",  "0x10000", "inf",   "nan",  "5T",
                                            "5M x", "-1M",     "1e30G", "5MBB", "M"};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, MIN "[daemon]\nmax_in_flight_bytes = %s\n", bad_sizes[i]);
        load_bad(text, ":7: [daemon] max_in_flight_bytes wants a size");
    }
    load_bad(MIN "[source]\nport = +3306\n", ":7: [source] port wants a whole number");
    load_bad(MIN0 "[source]\nserver_id = 4294967296\n",
             ":6: [source] server_id wants a whole number in 1..4294967295");
    load_bad(MIN "just words\n", ":6: not a [section] or a key = value line");
    /* the first error is the one reported */
    load_bad(MIN "[source]\nbad1 = 1\nbad2 = 2\n", ":7: unknown option 'bad1'");
    /* whole-file checks name the file */
    load_bad("[kafka]\nbootstrap.servers = k\n", ": [source] host is required");
    load_bad("[source]\nhost = db1\nserver_id = 1\n", ": [kafka] bootstrap.servers is required");
    load_bad(MIN "[source]\nssl_mode = VERIFY_CA\n",
             ": [source] ssl_mode VERIFY_CA and VERIFY_IDENTITY need ssl_ca");
    load_bad(MIN "[source]\nssl_mode = SOMETIMES\n", ": [source] ssl_mode wants");
    load_bad(MIN "[source]\nheartbeat = 5\nread_timeout = 5\n",
             ": [source] read_timeout must be longer");
    load_bad(MIN "[kafka]\ntopic = all.rows\n", ": [kafka] topic must contain {table}");
    /* section lines: nothing after [name] but a comment, and a ']' */
    load_bad("[source] host = db1\n[kafka]\nbootstrap.servers = k\n",
             ":1: text after [source]: a section line holds only [name]");
    load_bad(MIN "[state\ndir = /tmp/x\n", ":6: '[' without ']'");
    /* inih would cut a long section name short, unseen */
    load_bad(
        MIN "[gate nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn]\ntables = a.b\n",
        ":6: [gate nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn]: a section name is at most 49");
    /* a NUL byte would end the value unseen (write_cfg writes strlen bytes:
     * the NUL goes in by hand) */
    {
        char text[] = MIN "[source]\nname = aXb\n";
        snprintf(path, sizeof path, "/tmp/bd_cfg_XXXXXX");
        int fd = mkstemp(path);
        ck_assert(fd >= 0);
        *strchr(text, 'X') = '\0';
        ck_assert(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
        close(fd);
        bd_config c;
        bd_err err = {0};
        int r = bd_config_load(&c, path, &err);
        unlink(path);
        ck_assert_int_eq(r, -1);
        ck_assert_msg(strstr(err.msg, ":7: a NUL byte") != NULL, "%s", err.msg);
    }
    /* values the types let through but that cannot work */
    load_bad("[source]\nhost = db1\nserver_id = 1\nstart = "
             "gtid:garbage\n[kafka]\nbootstrap.servers = k\n",
             ": [source] start = gtid:garbage: ");
    load_bad(
        "[source]\nhost = db1\nserver_id = 1\nstart = file:abc\n[kafka]\nbootstrap.servers = k\n",
        ": [source] start = file:abc: wants oldest, head, FILE[:POS]");
    /* FILE[:POS] is bd_binpos_parse's: POS 4..2^32-1, a name without '/' */
    static const char *const bad_starts[] = {
        "binlog.000003:",           "binlog.000003:12x",   "binlog.000003:0",  "binlog.000003:3",
        "binlog.000003:4294967296", "dir/binlog.000003:4", "binlog.000003:+12"};
    for (size_t i = 0; i < sizeof bad_starts / sizeof bad_starts[0]; i++) {
        char text[256], want[128];
        snprintf(text, sizeof text, MIN "[source]\nstart = %s\n", bad_starts[i]);
        snprintf(want, sizeof want, ": [source] start = %s: wants oldest, head, FILE[:POS]",
                 bad_starts[i]);
        load_bad(text, want);
    }
    load_bad("[source]\nhost =\nserver_id = 1\n[kafka]\nbootstrap.servers = k\n",
             ": [source] host must not be empty");
    load_bad(MIN "[source]\nname = pay#1\n", ": [source] name must not contain '#'");
    load_bad("[source]\nhost = db1\nserver_id = 1\n[kafka]\nbootstrap.servers =\n",
             ": [kafka] bootstrap.servers must not be empty");
    load_bad(MIN "[kafka]\ntopic = {nope}.{table}\n",
             ": [kafka] topic = {nope}.{table}: unknown placeholder");
    load_bad(MIN "[lag]\nheartbeat_table = nodot\n", ": [lag] heartbeat_table wants db.table");
    load_bad(MIN "[http]\nlisten = nope\n", ": [http] listen = nope: wants HOST:PORT");
    load_bad(MIN "[http]\nlisten = 127.0.0.1:99999\n", ": [http] listen = 127.0.0.1:99999: wants");
    /* the daemon's HTTP server resolves no names: refused at load, not at start */
    load_bad(MIN "[http]\nlisten = localhost:9175\n",
             ": [http] listen = localhost:9175: wants HOST:PORT or [IPV6]:PORT with a numeric");
    load_bad(MIN "[http]\nlisten = []:9175\n", ": [http] listen = []:9175: wants");
    load_bad(MIN "[http]\nlisten = ::1:9175\n",
             ": [http] listen = ::1:9175: wants HOST:PORT or [IPV6]:PORT (malformed");
    load_bad(MIN "[http]\nlisten = 127.0.0.1:\n", ": [http] listen = 127.0.0.1:: wants");
    load_bad(MIN "[alert]\nwebhook = not a url\n", ": [alert] webhook = not a url: wants an http");
    /* a missing file */
    bd_config c;
    bd_err err = {0};
    ck_assert_int_eq(bd_config_load(&c, "/nonexistent/binlogd.conf", &err), -1);
    ck_assert(strstr(err.msg, "/nonexistent/binlogd.conf: No such file") != NULL);
}
END_TEST

START_TEST(config_secrets)
{
    load_bad(MIN "sasl.password = hunter2\n", ":6: [kafka] sasl.password is a secret");
    unsetenv("BD_TEST_NOPE");
    load_bad(MIN "sasl.password = env:BD_TEST_NOPE\n",
             ":6: [kafka] sasl.password the environment variable BD_TEST_NOPE is not set");
    load_bad(MIN "ssl.key.password = file:/nonexistent/pw\n",
             ":6: [kafka] ssl.key.password cannot read /nonexistent/pw");
    setenv("BD_TEST_PW", "s3cret-value", 1);
    bd_config c;
    load_ok(&c, MIN "sasl.password = env:BD_TEST_PW\n");
    ck_assert_str_eq(c.kafka[2], "sasl.password");
    ck_assert_str_eq(c.kafka[3], "s3cret-value");
    /* printing hides it */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bd_config_print(&c, f);
    fclose(f);
    ck_assert(strstr(buf, "s3cret") == NULL);
    ck_assert(strstr(buf, "sasl.password = (secret)") != NULL);
    ck_assert(strstr(buf, "host = db1") != NULL);
    free(buf);
    bd_config_release(&c);
    /* the source password: file first, else the environment */
    load_ok(&c, MIN "[source]\npassword_env = BD_TEST_PW\n");
    char pw[64];
    bd_err err = {0};
    ck_assert_int_eq(bd_config_source_password(&c, pw, sizeof pw, &err), 0);
    ck_assert_str_eq(pw, "s3cret-value");
    bd_config_release(&c);
    load_ok(&c, MIN "[source]\npassword_file = /nonexistent/pw\n");
    ck_assert_int_eq(bd_config_source_password(&c, pw, sizeof pw, &err), -1);
    ck_assert(strstr(err.msg, "password_file /nonexistent/pw") != NULL);
    bd_config_release(&c);
    unsetenv("BD_TEST_PW");

    /* systemd credentials (LoadCredential=NAME:PATH): cred:NAME, for the
     * secrets and for the files the clients read */
    char dir[] = "/tmp/bd_cred_XXXXXX", p1[64], p2[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(p1, sizeof p1, "%s/db-password", dir);
    snprintf(p2, sizeof p2, "%s/kafka-password", dir);
    FILE *w = fopen(p1, "w");
    fputs("db-s3cret\n", w);
    fclose(w);
    w = fopen(p2, "w");
    fputs("kafka-s3cret\n", w);
    fclose(w);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    load_ok(&c, MIN "sasl.password = cred:kafka-password\nssl.ca.location = cred:kafka-ca.pem\n"
                    "[source]\npassword_file = cred:db-password\nssl_ca = cred:db-ca.pem\n");
    ck_assert_str_eq(c.kafka[2], "sasl.password");
    ck_assert_str_eq(c.kafka[3], "kafka-s3cret");
    char want[96];
    snprintf(want, sizeof want, "%s/kafka-ca.pem", dir);
    ck_assert_str_eq(c.kafka[4], "ssl.ca.location");
    ck_assert_str_eq(c.kafka[5], want);
    snprintf(want, sizeof want, "%s/db-ca.pem", dir);
    ck_assert_str_eq(c.ssl_ca, want);
    ck_assert_int_eq(bd_config_source_password(&c, pw, sizeof pw, &err), 0);
    ck_assert_str_eq(pw, "db-s3cret");
    bd_config_release(&c);
    load_bad(MIN "sasl.password = cred:nope\n", ":6: [kafka] sasl.password cannot read");
    load_bad(MIN "[source]\nssl_key = cred:../etc/key\n", ":7: [source] ssl_key cred:../etc/key: a "
                                                          "credential is cred:NAME");
    unsetenv("CREDENTIALS_DIRECTORY");
    load_bad(MIN "sasl.password = cred:kafka-password\n",
             ":6: [kafka] sasl.password cred:kafka-password: no systemd credentials here "
             "($CREDENTIALS_DIRECTORY is not set: give the unit "
             "LoadCredential=kafka-password:PATH)");
    /* [http] TLS and authentication go in pairs; a hash, never a password */
    load_bad(MIN "[http]\ntls_cert = /etc/c.pem\n", ": [http] tls_cert and tls_key go together");
    load_bad(MIN "[http]\nauth_user = p\n",
             ": [http] auth_user and auth_password_hash go together");
    load_bad(MIN "[http]\nauth_user = p\nauth_password_hash = hunter2\n",
             ": [http] auth_password_hash wants a crypt(3) hash");
    load_ok(&c, MIN "[http]\nlisten = 0.0.0.0:9175\ntls_cert = /etc/c.pem\ntls_key = /etc/k.pem\n"
                    "auth_user = p\nauth_password_hash = $2b$10$x\n");
    ck_assert_str_eq(c.http_tls_key, "/etc/k.pem");
    ck_assert_str_eq(c.http_auth_hash, "$2b$10$x");
    bd_config_release(&c);
    load_bad(MIN "[source]\npassword_file = cred:db-password\n",
             ":7: [source] password_file cred:db-password: no systemd credentials here");
    unlink(p1);
    unlink(p2);
    rmdir(dir);
}
END_TEST

START_TEST(config_filters_topics)
{
    bd_config c;
    load_ok(&c, MIN "[source]\nname = pay ments\n[filter]\ninclude = acct.*, ledger.flows ,ops\n"
                    "exclude = *.tmp_*\n");
#define W(db, t) bd_config_table_wanted(&c, db, strlen(db), t, strlen(t))
    ck_assert_int_eq(W("acct", "balances"), 1);
    ck_assert_int_eq(W("ledger", "flows"), 1);
    ck_assert_int_eq(W("ledger", "flows2"), 0);
    ck_assert_int_eq(W("ops", "anything"), 1); /* a bare database name */
    ck_assert_int_eq(W("acct", "tmp_x"), 0);   /* excluded wins */
    ck_assert_int_eq(W("other", "t"), 0);
#undef W
    char t[300];
    ck_assert_int_eq(bd_config_topic(&c, "acct", 4, "bal$nces", 8, t, sizeof t), 0);
    ck_assert_str_eq(t, "pay_ments.acct.bal_nces");
    ck_assert_int_eq(bd_config_topic(&c, "acct", 4, "x", 1, t, 5), -1); /* does not fit */
    /* the topics of the included tables (a start without a position asks
     * whether they hold messages): the template with the patterns in */
    ck_assert_int_eq(bd_config_topic_of_source(&c, "pay_ments.acct.balances"), 1);
    ck_assert_int_eq(bd_config_topic_of_source(&c, "pay_ments.ledger.flows"), 1);
    ck_assert_int_eq(bd_config_topic_of_source(&c, "pay_ments.ledger.flows2"), 0);
    ck_assert_int_eq(bd_config_topic_of_source(&c, "pay_ments.ops.x"), 1);
    ck_assert_int_eq(bd_config_topic_of_source(&c, "other.acct.balances"), 0);
    ck_assert_int_eq(bd_config_topic_of_source(&c, "binlogd.state"), 0);
    bd_config_release(&c);
    load_ok(&c, MIN);
    ck_assert_int_eq(bd_config_table_wanted(&c, "any", 3, "t", 1), 1); /* no include: all */
    ck_assert_int_eq(bd_config_topic_of_source(&c, "db1.any.t"), 1);
    ck_assert_int_eq(bd_config_topic_of_source(&c, "db2.any.t"), 0);
    ck_assert_ptr_null(c.start); /* no default: a start is told where */
    ck_assert_int_eq(c.exactly_once, 0);
    ck_assert_str_eq(c.state_topic, "binlogd.state");
    ck_assert_uint_eq(c.txn_max_ms, 1000);
    bd_config_release(&c);
    char why[300];
    ck_assert_ptr_null(bd_config_start_check("--start", "binlog.000002:4", why, sizeof why));
    ck_assert_ptr_null(bd_config_start_check("--start", "gtid:0-1-5", why, sizeof why));
    ck_assert_ptr_nonnull(bd_config_start_check("--start", "binlog.000002:3", why, sizeof why));
    ck_assert_msg(strstr(why, "--start = binlog.000002:3: wants oldest, head") == why, "%s", why);
}
END_TEST

START_TEST(config_reload)
{
    bd_config a, b;
    load_ok(&a, MIN "[filter]\ninclude = a.*\n");
    load_ok(&b, MIN "[filter]\ninclude = b.*\n[daemon]\nlog_level = debug\n");
    char buf[256];
    bd_config_unreloadable(&a, &b, buf, sizeof buf);
    ck_assert_str_eq(buf, ""); /* filters and log level reload */
    bd_config_release(&b);
    load_ok(&b, "[source]\nhost = db2\nport = 1\nserver_id = 9001\n[kafka]\nbootstrap.servers = "
                "k2:9092\n");
    bd_config_unreloadable(&a, &b, buf, sizeof buf);
    ck_assert_str_eq(buf, "source.name, source.host, source.port, librdkafka properties");
    bd_config_release(&a);
    bd_config_release(&b);
}
END_TEST

START_TEST(config_docs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bd_config_doc(f);
    fclose(f);
    /* every section, an option row with its default and reload flag */
    ck_assert(strstr(buf, "## [source]") && strstr(buf, "## [kafka]") &&
              strstr(buf, "## [filter]") && strstr(buf, "## [state]") &&
              strstr(buf, "## [daemon]"));
    ck_assert(strstr(buf, "| `port` | number | `3306` | no |") != NULL);
    ck_assert(strstr(buf, "| `include` | text | — | yes |") != NULL);
    ck_assert(strstr(buf, "| `host` | text | required | no |") != NULL);
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    bd_config_help(f);
    fclose(f);
    ck_assert(strstr(buf, "  port ") && strstr(buf, "(default 3306)"));
    free(buf);
}
END_TEST

/* bd_config_load_gates: only [http] and [gate NAME] matter; nothing is
 * required and no secret is read, but the file must still be right. */
START_TEST(config_gates_only)
{
    bd_config c;
    bd_err err = {0};
    write_cfg("[http]\nlisten = 127.0.0.1:9175\n[gate g]\ntables = a.b\ncutoff = 00:00\n");
    ck_assert_msg(bd_config_load_gates(&c, path, &err) == 0, "%s", err.msg);
    bd_config_release(&c);
    ck_assert_int_eq(bd_config_load(&c, path, &err), -1); /* the daemon needs more */
    unlink(path);
    write_cfg(MIN "sasl.password = file:/nonexistent/pw\n[http]\nlisten = 127.0.0.1:9\n"
                  "[gate g]\ntables = a.b\ncutoff = 01:30\ntimezone = Asia/Shanghai\n");
    memset(&err, 0, sizeof err);
    ck_assert_msg(bd_config_load_gates(&c, path, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(c.http_listen, "127.0.0.1:9");
    ck_assert_uint_eq(c.ngates, 1);
    ck_assert_str_eq(c.gates[0].name, "g");
    ck_assert_str_eq(c.gates[0].timezone, "Asia/Shanghai");
    for (size_t i = 0; i < c.nkafka; i++) /* left out, not read */
        ck_assert_str_ne(c.kafka[2 * i], "sasl.password");
    bd_config_release(&c);
    ck_assert_int_eq(bd_config_load(&c, path, &err), -1);
    ck_assert_msg(strstr(err.msg, "cannot read /nonexistent/pw") != NULL, "%s", err.msg);
    unlink(path);
    /* still checked: an unknown key, a gate without its tables */
    write_cfg("[http]\nlisten = 127.0.0.1:9\nlisen = x\n");
    ck_assert_int_eq(bd_config_load_gates(&c, path, &err), -1);
    ck_assert_msg(strstr(err.msg, ":3: unknown option 'lisen'") != NULL, "%s", err.msg);
    unlink(path);
    write_cfg("[gate g]\ncutoff = 00:00\n");
    ck_assert_int_eq(bd_config_load_gates(&c, path, &err), -1);
    ck_assert_msg(strstr(err.msg, "[gate g] tables is required") != NULL, "%s", err.msg);
    unlink(path);
}
END_TEST

START_TEST(config_columns)
{
    bd_config c;
    bd_err err = {0};
    setenv("BD_TEST_HK", "a-key-of-twenty-bytes", 1);
    char kf[] = "/tmp/bd_hk_XXXXXX";
    int fd = mkstemp(kf);
    ck_assert(fd >= 0);
    ck_assert(write(fd, "file-key-0123456789\n", 20) == 20);
    close(fd);
    char text[1024];
    snprintf(text, sizeof text,
             MIN "[columns]\npay.acct.card_no = hash:k1\npay.*.phone = exclude\n"
                 "pay.acct.name = mask:keep-last-1\npay.acct.memo = mask:fixed=***\n"
                 "pay.acct.open_id = hash:k2\n[hash_key k1]\nsecret = env:BD_TEST_HK\n"
                 "[hash_key k2]\nsecret = file:%s\nencoding = base64\n",
             kf);
    load_ok(&c, text);
    ck_assert_uint_eq(c.columns.n, 5);
    ck_assert_str_eq(c.columns.rules[0].pattern, "pay.acct.card_no");
    ck_assert_str_eq(c.columns.rules[0].key_id, "k1");
    ck_assert_uint_eq(c.columns.rules[0].line, 7);
    ck_assert_int_eq(c.columns.rules[1].act, BD_COL_EXCLUDE);
    ck_assert_uint_eq(c.columns.rules[4].key, 1);
    ck_assert_uint_eq(c.columns.nkeys, 2);
    ck_assert_int_eq(c.columns.keys[1].base64, 1);
    /* the key's token is HMAC-SHA-256 under the first line of the file */
    char tok[65];
    size_t n = bd_hash_token(&c.columns.keys[0], "x", 1, tok);
    ck_assert_uint_eq(n, 64);
    /* printed: the rules and where the keys are, never the keys */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    bd_config_print(&c, f);
    fclose(f);
    ck_assert_msg(strstr(buf, "[columns]\npay.acct.card_no = hash:k1\npay.*.phone = exclude\n"),
                  "%s", buf);
    ck_assert(strstr(buf, "[hash_key k1]\nsecret = env:BD_TEST_HK\nencoding = hex\n"));
    ck_assert(!strstr(buf, "a-key-of-twenty") && !strstr(buf, "file-key-0123"));
    free(buf);
    bd_config_release(&c);

    /* errors at FILE:LINE */
    load_bad(MIN "[columns]\npay.acct = exclude\n", ":7: [columns] 'pay.acct': a rule is "
                                                    "db.table.column");
    load_bad(MIN "[columns]\npay.a.b = drop\n", ":7: [columns] unknown action 'drop'");
    load_bad(MIN "[columns]\npay.a.b = exclude\npay.a.b = mask:null\n",
             ":8: [columns] pay.a.b given twice");
    load_bad(MIN "[columns]\npay.a.b = hash\n", ": [columns] pay.a.b = hash: no [hash_key ID]");
    load_bad(MIN "[columns]\npay.a.b = hash:k9\n[hash_key k1]\nsecret = env:BD_TEST_HK\n",
             ": [columns] pay.a.b = hash:k9: no [hash_key k9] section");
    load_bad(MIN "[hash_key k1]\nsecret = hunter2hunter2hunter2\n",
             ":7: [hash_key k1] secret is a secret: give it as file:PATH");
    setenv("BD_TEST_HK_SHORT", "short", 1);
    load_bad(MIN "[hash_key k1]\nsecret = env:BD_TEST_HK_SHORT\n",
             ":7: [hash_key k1] secret: 5 bytes; a key needs at least 16");
    unsetenv("BD_TEST_HK_NONE");
    load_bad(MIN "[hash_key k1]\nsecret = env:BD_TEST_HK_NONE\n",
             ":7: [hash_key k1] secret the environment variable BD_TEST_HK_NONE is not set");
    load_bad(MIN "[hash_key k1]\nencoding = hex\n", ": [hash_key k1] secret is required");
    load_bad(MIN "[hash_key k1]\nsecret = env:BD_TEST_HK\nencoding = b64\n",
             ":8: [hash_key k1] encoding wants hex or base64");
    load_bad(MIN "[hash_key k1]\nsalt = x\n", ":7: unknown option 'salt' in [hash_key k1]");
    load_bad(MIN "[hash_key a/b]\nsecret = env:BD_TEST_HK\n", ":7: [hash_key a/b]: a key id is");
    load_bad(MIN "[colums]\na.b.c = exclude\n", ":7: unknown section [colums] (did you mean "
                                                "[columns]?)");

    /* gate reads no key; dump -c reads the keys but no other secret */
    snprintf(text, sizeof text,
             MIN "sasl.password = file:/nonexistent/pw\n[columns]\na.b.c = hash\n"
                 "[hash_key k1]\nsecret = file:%s\n",
             kf);
    write_cfg(text);
    ck_assert_msg(bd_config_load_columns(&c, path, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(c.columns.n, 1);
    ck_assert_ptr_nonnull(c.columns.keys[0].hmac);
    bd_config_release(&c);
    unlink(kf);
    ck_assert_msg(bd_config_load_gates(&c, path, &err) == 0, "%s", err.msg);
    ck_assert_ptr_null(c.columns.keys[0].hmac);
    bd_config_release(&c);
    ck_assert_int_eq(bd_config_load_columns(&c, path, &err), -1);
    ck_assert_msg(strstr(err.msg, "[hash_key k1] secret cannot read"), "%s", err.msg);
    unlink(path);
    unsetenv("BD_TEST_HK");
    unsetenv("BD_TEST_HK_SHORT");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config");
    TCase *t = tcase_create("config");
    tcase_add_test(t, config_defaults);
    tcase_add_test(t, config_values);
    tcase_add_test(t, config_durations);
    tcase_add_test(t, config_errors);
    tcase_add_test(t, config_secrets);
    tcase_add_test(t, config_gates_only);
    tcase_add_test(t, config_columns);
    tcase_add_test(t, config_filters_topics);
    tcase_add_test(t, config_reload);
    tcase_add_test(t, config_docs);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return tu_run(suite()) ? 1 : 0; }
