/* connection.c - see include/binlogd/connection.h. */
#include "binlogd/connection.h"

#include <stdio.h>
#include <strings.h>

#include <mysql.h>

int bd_ssl_mode_parse(const char *s)
{
    static const struct {
        const char *name;
        enum bd_ssl_mode mode;
    } t[] = {{"DISABLED", BD_SSL_DISABLED},
             {"PREFERRED", BD_SSL_PREFERRED},
             {"REQUIRED", BD_SSL_REQUIRED},
             {"VERIFY_CA", BD_SSL_VERIFY_CA},
             {"VERIFY_IDENTITY", BD_SSL_VERIFY_IDENTITY}};
    for (size_t i = 0; s && i < sizeof t / sizeof t[0]; i++)
        if (!strcasecmp(s, t[i].name)) return (int)t[i].mode;
    return -1;
}

const char *bd_ssl_mode_name(enum bd_ssl_mode m)
{
    switch (m) {
    case BD_SSL_DISABLED: return "DISABLED";
    case BD_SSL_PREFERRED: return "PREFERRED";
    case BD_SSL_REQUIRED: return "REQUIRED";
    case BD_SSL_VERIFY_CA: return "VERIFY_CA";
    case BD_SSL_VERIFY_IDENTITY: return "VERIFY_IDENTITY";
    }
    return "?";
}

int bd_server_retryable(unsigned e)
{
    switch (e) {
    case BD_CR_CONNECTION_ERR:
    case BD_CR_CONN_HOST_ERR:
    case BD_CR_UNKNOWN_HOST: /* a DNS answer missing for a while */
    case BD_CR_SERVER_GONE:
    case BD_CR_SERVER_LOST:
    case BD_CR_SERVER_LOST_EXT:
    case BD_ER_CON_COUNT:
    case BD_ER_SERVER_SHUTDOWN:
    case BD_ER_NET_READ_ERROR:
    case BD_ER_NET_READ_INTERRUPTED:
    case BD_ER_QUERY_INTERRUPTED:
    case BD_ER_CONNECTION_KILLED: return 1;
    }
    return 0;
}

static const char *host_of(const bd_server_opts *o) { return o->host ? o->host : "localhost"; }
static unsigned port_of(const bd_server_opts *o) { return o->port ? o->port : 3306; }

const char *bd_server_where(const bd_server_opts *o, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%u", host_of(o), port_of(o));
    return buf;
}

int bd_server_connect(const bd_server_opts *o, struct st_mysql **out, bd_err *err)
{
    char w[300];
    bd_server_where(o, w, sizeof w);
    *out = NULL;
    MYSQL *m = mysql_init(NULL);
    if (!m) return bd_err_set(err, BD_ERR_NOMEM, "out of memory (mysql_init)");
    unsigned ct = o->connect_timeout_s ? o->connect_timeout_s : 10;
    unsigned rt = o->read_timeout_s ? o->read_timeout_s : 30;
    unsigned long maxp = 1UL << 30;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rt);
    mysql_optionsv(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &maxp);
    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool off = 0, on = 1;
    if (o->ssl_mode == BD_SSL_DISABLED) {
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &off);
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
    } else {
        /* use_ssl: TLS when the server offers it; REQUIRED and stricter
         * are checked after the handshake (the library falls back to
         * plain text unless it verifies the certificate). */
        mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        if (o->ssl_ca) mysql_optionsv(m, MYSQL_OPT_SSL_CA, o->ssl_ca);
        if (o->ssl_capath) mysql_optionsv(m, MYSQL_OPT_SSL_CAPATH, o->ssl_capath);
        if (o->ssl_cert) mysql_optionsv(m, MYSQL_OPT_SSL_CERT, o->ssl_cert);
        if (o->ssl_key) mysql_optionsv(m, MYSQL_OPT_SSL_KEY, o->ssl_key);
        my_bool vid = o->ssl_mode == BD_SSL_VERIFY_IDENTITY;
        mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &vid);
    }
    if (!mysql_real_connect(m, host_of(o), o->user, o->password, NULL, port_of(o), NULL, 0)) {
        unsigned e = mysql_errno(m);
        char msg[MYSQL_ERRMSG_SIZE + 1];
        snprintf(msg, sizeof msg, "%s", mysql_error(m));
        mysql_close(m);
        if (e == BD_ER_ACCESS_DENIED)
            return bd_err_set(err, BD_ERR_IO,
                              "cannot log in to %s as '%s' (%u: %s): check --user and the "
                              "password (--password-file or BINLOGD_PASSWORD)",
                              w, o->user ? o->user : "", e, msg);
        if (e == BD_CR_SSL_CONN_ERR)
            return bd_err_set(err, BD_ERR_IO,
                              "TLS with %s failed (%u: %s): check --ssl-ca/--ssl-cert/--ssl-key "
                              "and --ssl-mode=%s",
                              w, e, msg, bd_ssl_mode_name(o->ssl_mode));
        bd_err_set(err, BD_ERR_IO, "cannot connect to %s (%u: %s)", w, e, msg);
        return bd_server_retryable(e) ? 1 : -1;
    }
    if (o->ssl_mode >= BD_SSL_REQUIRED && !mysql_get_ssl_cipher(m)) {
        mysql_close(m);
        return bd_err_set(err, BD_ERR_IO,
                          "%s did not agree to TLS but --ssl-mode=%s requires it: configure "
                          "ssl_cert and ssl_key on the server, or use --ssl-mode=PREFERRED",
                          w, bd_ssl_mode_name(o->ssl_mode));
    }
    *out = m;
    return 0;
}
