/* Differential test: what `binlogd dump` decodes from a real MariaDB binlog
 * must equal what the server itself says is in the tables.
 *
 * 1. Create one table per family of column types (every type MariaDB 10.11
 *    has, with their limits, zero dates, negative TIMEs, several charsets,
 *    NULLs), insert, update and delete rows.
 * 2. (a) SELECT every table, each column formatted in SQL into the exact
 *    JSON value docs/format.md specifies.
 *    (b) Run `binlogd dump` over the binlog files written meanwhile, replay
 *    its op c/u/d lines per table keyed by primary key, and check the
 *    before-images against the replayed state on the way.  An update that
 *    changes the key arrives as a delete then a create at the same source
 *    position: with MINIMAL row images the create's missing columns are
 *    the deleted row's.
 * 3. Compare (a) and (b) column by column; with MINIMAL/NOBLOB row images
 *    also check which columns the images carry.
 *
 * Numbers are compared as their exact text: every JSON number token of a
 * dump line is turned into a marked string before jansson parses the line,
 * so 18446744073709551615 and DECIMAL-like text survive untouched.
 *
 * One line per mismatch, then "config NAME: N passed, N failed".  A check
 * is one (table, column) final comparison, one (table) row-set, image-shape
 * or before-image verification, or one whole-run condition (dump exit
 * status, envelope of every line).  Exit status: 0 all passed, 1 some
 * failed, 2 could not run.
 *
 * Usage: integ_differential --port N --binlogd PATH [--host H] [--user U]
 *          [--password P] [--socket S] [--database DB] [--binlog-dir DIR]
 *          [--config NAME] [--skip T1,T2] [--save-dump FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <mysql.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Column and table definitions                                        */

/* How the SELECT side formats a column, and how the dump value compares. */
enum fmt {
    F_INT,     /* c                         number, exact text            */
    F_NUM0,    /* c+0                       number (YEAR, ZEROFILL)       */
    F_FLOAT,   /* CAST(c AS DOUBLE)         number, equal as float32      */
    F_DOUBLE,  /* CAST(c AS DOUBLE)         number, equal as float64      */
    F_TEXT,    /* c                         string (DECIMAL, temporals)   */
    F_UTF8,    /* CONVERT(c USING utf8mb4)  string                        */
    F_B64,     /* TO_BASE64(c)              string                        */
    F_B64_16,  /* TO_BASE64(CAST(c AS BINARY(16)))  (INET6, UUID)        */
    F_BIT,     /* CAST(c AS UNSIGNED)       number                        */
    F_ENUM,    /* FULL metadata: string member; MINIMAL: c+0 number      */
    F_SET,     /* FULL metadata: string; MINIMAL: CAST(c+0 AS UNSIGNED)  */
};

#define C_BLOB 1u /* BLOB/TEXT/JSON: left out of NOBLOB before-images */
#define C_VIRT 2u /* VIRTUAL generated column: never in MINIMAL images  */

struct coldef {
    const char *name;
    const char *type; /* SQL after the name; {{PLACEHOLDERS}} expanded */
    enum fmt fmt;
    unsigned flags;
};

struct tabledef {
    const char *name;
    const char *pk;      /* PRIMARY KEY (...) column list */
    const char *options; /* after the closing parenthesis */
    const struct coldef *cols;
};

#define END {NULL, NULL, F_INT, 0}

static const struct coldef cols_int[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_tiny", "TINYINT", F_INT, 0},
    {"c_utiny", "TINYINT UNSIGNED", F_INT, 0},
    {"c_small", "SMALLINT", F_INT, 0},
    {"c_usmall", "SMALLINT UNSIGNED", F_INT, 0},
    {"c_medium", "MEDIUMINT", F_INT, 0},
    {"c_umedium", "MEDIUMINT UNSIGNED", F_INT, 0},
    {"c_int", "INT", F_INT, 0},
    {"c_uint", "INT UNSIGNED", F_INT, 0},
    {"c_big", "BIGINT", F_INT, 0},
    {"c_ubig", "BIGINT UNSIGNED", F_INT, 0},
    {"c_bool", "BOOL", F_INT, 0},
    {"c_zf", "INT(10) UNSIGNED ZEROFILL", F_NUM0, 0},
    END,
};

static const struct coldef cols_float[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_float", "FLOAT", F_FLOAT, 0},
    {"c_double", "DOUBLE", F_DOUBLE, 0},
    {"c_float_md", "FLOAT(10,4)", F_FLOAT, 0},
    {"c_double_md", "DOUBLE(20,6)", F_DOUBLE, 0},
    END,
};

static const struct coldef cols_decimal[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"d65_30", "DECIMAL(65,30)", F_TEXT, 0},
    {"d20_2", "DECIMAL(20,2)", F_TEXT, 0},
    {"d5_0", "DECIMAL(5,0)", F_TEXT, 0},
    {"d10_10", "DECIMAL(10,10)", F_TEXT, 0},
    {"d12_4u", "DECIMAL(12,4) UNSIGNED", F_TEXT, 0},
    {"d38_0", "DECIMAL(38,0)", F_TEXT, 0},
    {"d1_0", "DECIMAL(1,0)", F_TEXT, 0},
    {"d_num", "NUMERIC(9,3)", F_TEXT, 0},
    END,
};

static const struct coldef cols_temporal[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_year", "YEAR", F_NUM0, 0},
    {"c_date", "DATE", F_TEXT, 0},
    {"c_time", "TIME", F_TEXT, 0},
    {"c_time3", "TIME(3)", F_TEXT, 0},
    {"c_time6", "TIME(6)", F_TEXT, 0},
    {"c_dt", "DATETIME", F_TEXT, 0},
    {"c_dt3", "DATETIME(3)", F_TEXT, 0},
    {"c_dt6", "DATETIME(6)", F_TEXT, 0},
    {"c_ts", "TIMESTAMP NULL DEFAULT NULL", F_TEXT, 0},
    {"c_ts3", "TIMESTAMP(3) NULL DEFAULT NULL", F_TEXT, 0},
    {"c_ts6", "TIMESTAMP(6) NULL DEFAULT NULL", F_TEXT, 0},
    END,
};

static const struct coldef cols_utf8mb4[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_char", "CHAR(10)", F_UTF8, 0},
    {"c_char255", "CHAR(255)", F_UTF8, 0},
    {"c_varchar", "VARCHAR(64)", F_UTF8, 0},
    {"c_varchar300", "VARCHAR(300)", F_UTF8, 0},
    {"c_tinytext", "TINYTEXT", F_UTF8, C_BLOB},
    {"c_text", "TEXT", F_UTF8, C_BLOB},
    {"c_mediumtext", "MEDIUMTEXT", F_UTF8, C_BLOB},
    {"c_longtext", "LONGTEXT", F_UTF8, C_BLOB},
    {"c_bin_coll", "VARCHAR(20) COLLATE utf8mb4_bin", F_UTF8, 0},
    {"c_utf8mb3", "VARCHAR(20) CHARACTER SET utf8mb3", F_UTF8, 0},
    END,
};

static const struct coldef cols_latin1[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_char", "CHAR(10)", F_UTF8, 0},
    {"c_varchar", "VARCHAR(300)", F_UTF8, 0},
    {"c_text", "TEXT", F_UTF8, C_BLOB},
    {"c_tinytext", "TINYTEXT", F_UTF8, C_BLOB},
    END,
};

static const struct coldef cols_gbk[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_char", "CHAR(10)", F_UTF8, 0},
    {"c_varchar", "VARCHAR(100)", F_UTF8, 0},
    {"c_text", "TEXT", F_UTF8, C_BLOB},
    END,
};

static const struct coldef cols_more[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_utf16", "VARCHAR(20) CHARACTER SET utf16", F_UTF8, 0},
    {"c_ucs2", "VARCHAR(20) CHARACTER SET ucs2", F_UTF8, 0},
    {"c_utf32", "VARCHAR(20) CHARACTER SET utf32", F_UTF8, 0},
    {"c_cp1251", "VARCHAR(20) CHARACTER SET cp1251", F_UTF8, 0},
    {"c_sjis", "VARCHAR(20) CHARACTER SET sjis", F_UTF8, 0},
    {"c_big5", "VARCHAR(20) CHARACTER SET big5", F_UTF8, 0},
    {"c_euckr", "VARCHAR(20) CHARACTER SET euckr", F_UTF8, 0},
    {"c_ascii", "VARCHAR(20) CHARACTER SET ascii", F_UTF8, 0},
    END,
};

static const struct coldef cols_binary[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_binary", "BINARY(8)", F_B64, 0},
    {"c_varbinary", "VARBINARY(300)", F_B64, 0},
    {"c_tinyblob", "TINYBLOB", F_B64, C_BLOB},
    {"c_blob", "BLOB", F_B64, C_BLOB},
    {"c_mediumblob", "MEDIUMBLOB", F_B64, C_BLOB},
    {"c_longblob", "LONGBLOB", F_B64, C_BLOB},
    END,
};

static const struct coldef cols_bitenum[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_bit1", "BIT(1)", F_BIT, 0},
    {"c_bit10", "BIT(10)", F_BIT, 0},
    {"c_bit17", "BIT(17)", F_BIT, 0},
    {"c_bit64", "BIT(64)", F_BIT, 0},
    {"c_enum", "ENUM('new','paid','分账','refunded')", F_ENUM, 0},
    {"c_enum300", "ENUM({{ENUM300}})", F_ENUM, 0},
    {"c_set", "SET('a','b','分','d')", F_SET, 0},
    {"c_set64", "SET({{SET64}})", F_SET, 0},
    END,
};

static const struct coldef cols_json[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_json", "JSON", F_UTF8, C_BLOB},
    {"c_json2", "JSON", F_UTF8, C_BLOB},
    END,
};

/* Geometry columns are BLOBs inside, but NOBLOB images still carry them. */
static const struct coldef cols_geo[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_geometry", "GEOMETRY", F_B64, 0},
    {"c_point", "POINT", F_B64, 0},
    {"c_line", "LINESTRING", F_B64, 0},
    {"c_poly", "POLYGON", F_B64, 0},
    {"c_mpoint", "MULTIPOINT", F_B64, 0},
    {"c_mline", "MULTILINESTRING", F_B64, 0},
    {"c_mpoly", "MULTIPOLYGON", F_B64, 0},
    {"c_coll", "GEOMETRYCOLLECTION", F_B64, 0},
    END,
};

static const struct coldef cols_inet[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"c_inet6", "INET6", F_B64_16, 0},
    {"c_uuid", "UUID", F_B64_16, 0},
    END,
};

static const struct coldef cols_pk[] = {
    {"k1", "BIGINT UNSIGNED NOT NULL", F_INT, 0},
    {"k2", "VARCHAR(32) NOT NULL", F_UTF8, 0},
    {"k3", "DATE NOT NULL", F_TEXT, 0},
    {"v", "INT", F_INT, 0},
    {"note", "VARCHAR(20)", F_UTF8, 0},
    END,
};

static const struct coldef cols_bulk[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"a", "BIGINT", F_INT, 0},
    {"b", "VARCHAR(32)", F_UTF8, 0},
    END,
};

static const struct coldef cols_gen[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"a", "INT", F_INT, 0},
    {"v", "INT AS (a * 2) VIRTUAL", F_INT, C_VIRT},
    {"s", "VARCHAR(20) AS (CONCAT('x', a)) PERSISTENT", F_UTF8, 0},
    {"inv", "INT INVISIBLE", F_INT, 0},
    END,
};

static const struct coldef cols_simple[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"v", "VARCHAR(20)", F_UTF8, 0},
    END,
};

static const struct coldef cols_big[] = {
    {"id", "INT NOT NULL", F_INT, 0},
    {"note", "VARCHAR(20)", F_UTF8, 0},
    {"c_longblob", "LONGBLOB", F_B64, C_BLOB},
    {"c_longtext", "LONGTEXT", F_UTF8, C_BLOB},
    END,
};

static const struct tabledef tabledefs[] = {
    {"t_int", "id", "ENGINE=InnoDB", cols_int},
    {"t_float", "id", "ENGINE=InnoDB", cols_float},
    {"t_decimal", "id", "ENGINE=InnoDB", cols_decimal},
    {"t_temporal", "id", "ENGINE=InnoDB", cols_temporal},
    {"t_str_utf8mb4", "id", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", cols_utf8mb4},
    {"t_str_latin1", "id", "ENGINE=InnoDB DEFAULT CHARSET=latin1", cols_latin1},
    {"t_str_gbk", "id", "ENGINE=InnoDB DEFAULT CHARSET=gbk", cols_gbk},
    {"t_str_more", "id", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", cols_more},
    {"t_binary", "id", "ENGINE=InnoDB", cols_binary},
    {"t_bitenum", "id", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", cols_bitenum},
    {"t_json", "id", "ENGINE=InnoDB", cols_json},
    {"t_geo", "id", "ENGINE=InnoDB", cols_geo},
    {"t_inet_uuid", "id", "ENGINE=InnoDB", cols_inet},
    {"t_pk", "k1, k2, k3", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", cols_pk},
    {"t_bulk", "id", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", cols_bulk},
    {"t_gen", "id", "ENGINE=InnoDB", cols_gen},
    {"t_myisam", "id", "ENGINE=MyISAM", cols_simple},
    {"t_aria", "id", "ENGINE=Aria", cols_simple},
    {"t_big", "id", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", cols_big},
};
#define NTABLES (sizeof tabledefs / sizeof tabledefs[0])

/* The workload, in order.  `table` names the table a statement touches
 * (so --skip can leave it out); NULL for transaction control.  Every INSERT
 * lists all stored columns: MINIMAL images log only the columns a statement
 * names, and the replay can only rebuild rows that were logged in full. */
struct stmt {
    const char *table;
    const char *sql;
};

static const struct stmt workload[] = {
    /* ---- integers: limits, -1, NULLs; a transaction over two tables */
    {NULL, "BEGIN"},
    {"t_int", "INSERT INTO t_int VALUES"
              " (1,-128,0,-32768,0,-8388608,0,-2147483648,0,-9223372036854775808,0,0,0),"
              " (2,127,255,32767,65535,8388607,16777215,2147483647,4294967295,"
              "9223372036854775807,18446744073709551615,1,4294967295),"
              " (3,-1,1,-1,1,-1,1,-1,1,-1,1,-1,42),"
              " (4,0,128,0,32768,0,8388608,0,2147483648,0,9223372036854775808,127,7),"
              " (5,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),"
              " (6,1,2,3,4,5,6,7,8,9,10,1,1)"},
    {"t_float", "INSERT INTO t_float VALUES"
                " (1,3.14,0.1,3.14159,0.1),"
                " (2,1.17549435e-38,1.7976931348623157e308,-999999.9999,99999999999999.999999),"
                " (3,-3.4028234663852886e38,2.2250738585072014e-308,0.0001,-0.000001),"
                " (4,16777217,3.141592653589793,123456.7891,1234567.1234567),"
                " (5,0,-0e0,0,0),"
                " (6,1.4e-45,4.9e-324,-0.5,-0.5),"
                " (7,-1.5,-1e-300,1,1),"
                " (8,NULL,NULL,NULL,NULL),"
                " (9,123456.789,1e22,2.5,2.5),"
                " (10,1e10,123456789012345680000,3,3)"},
    {NULL, "COMMIT"},
    {"t_int", "UPDATE t_int SET c_big=-9223372036854775807, c_ubig=18446744073709551614 WHERE id=3"},
    {"t_int", "UPDATE t_int SET c_tiny=NULL, c_uint=NULL WHERE id=4"},
    {"t_int", "UPDATE t_int SET c_tiny=5, c_ubig=18446744073709551615 WHERE id=5"},
    {"t_int", "DELETE FROM t_int WHERE id=6"},
    {"t_float", "UPDATE t_float SET c_float=2.5, c_double=NULL WHERE id=1"},
    {"t_float", "DELETE FROM t_float WHERE id=10"},

    /* ---- a transaction that is rolled back leaves no trace */
    {NULL, "BEGIN"},
    {"t_int", "DELETE FROM t_int WHERE id=1"},
    {"t_float", "UPDATE t_float SET c_double=0"},
    {NULL, "ROLLBACK"},

    /* ---- decimals */
    {"t_decimal",
     "INSERT INTO t_decimal VALUES"
     " (1,'99999999999999999999999999999999999.999999999999999999999999999999','-12.50',"
     "'12345','0.0000000001','99999999.9999','99999999999999999999999999999999999999','9',"
     "'-123456.789'),"
     " (2,'-99999999999999999999999999999999999.999999999999999999999999999999',"
     "'-999999999999999999.99','-99999','-0.9999999999','0',"
     "'-99999999999999999999999999999999999999','-9','0.001'),"
     " (3,'0','0','0','0','0','0','0','0'),"
     " (4,'-0.000000000000000000000000000001','-0.01','-1','0.5','0.0001','1','-1','-0.010'),"
     " (5,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),"
     " (6,'1.5','100.00','100','0.1','1','10','1','1'),"
     " (7,'123.000000000000000000000000000456','0.10','7','0.0000012345','1234.5',"
     "'12345678901234567890','0','999999.999')"},
    {"t_decimal", "UPDATE t_decimal SET d20_2='-13.00', d65_30=NULL WHERE id=1"},
    {"t_decimal", "UPDATE t_decimal SET d5_0=-42 WHERE id=5"},
    {"t_decimal", "DELETE FROM t_decimal WHERE id=6"},

    /* ---- temporals: zero dates, negative and fractional TIME, limits */
    {"t_temporal",
     "INSERT INTO t_temporal VALUES"
     " (1,2024,'2024-02-29','12:34:56','-00:00:01.500','-00:00:01.500000',"
     "'2024-02-29 12:34:56','2024-02-29 12:34:56.789','2024-02-29 12:34:56.789012',"
     "'2024-02-29 12:34:56','2024-02-29 12:34:56.789','2024-02-29 12:34:56.789012'),"
     " (2,0,'0000-00-00','00:00:00','00:00:00','00:00:00',"
     "'0000-00-00 00:00:00','0000-00-00 00:00:00','0000-00-00 00:00:00',"
     "'0000-00-00 00:00:00','0000-00-00 00:00:00','0000-00-00 00:00:00'),"
     " (3,1901,'1000-01-01','-838:59:59','838:59:59','-838:59:59',"
     "'1000-01-01 00:00:00','9999-12-31 23:59:59.999','9999-12-31 23:59:59.999999',"
     "'1970-01-01 00:00:01','2038-01-19 03:14:07.999','2038-01-19 03:14:07.999999'),"
     " (4,2155,'2024-00-00','-12:00:00','-00:00:00.001','-01:00:00.000001',"
     "'2024-00-00 00:00:00','2024-01-00 10:00:00.5','2024-02-00 23:59:59.000001',"
     "'2000-01-01 00:00:00','2000-01-01 00:00:00.001','2000-01-01 00:00:00.000001'),"
     " (5,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),"
     " (6,1999,'9999-12-31','838:59:59','00:00:00.999','-00:00:00.000001',"
     "'9999-12-31 23:59:59','1999-12-31 23:59:59.000','0001-01-01 00:00:00.000000',"
     "'1999-12-31 23:59:59','1999-12-31 23:59:59.100','1999-12-31 23:59:59.120000'),"
     " (7,2000,'0001-01-01','100:00:00','-100:00:00.5','12:00:00.000001',"
     "'2000-06-15 06:07:08','2000-06-15 06:07:08.010','2000-06-15 06:07:08.000100',"
     "'2001-09-09 01:46:40','2001-09-09 01:46:40.5','2001-09-09 01:46:40.000001')"},
    {"t_temporal", "UPDATE t_temporal SET c_dt6='2025-01-01 00:00:00.000001',"
                   " c_ts6='2025-01-01 00:00:00.5' WHERE id=1"},
    {"t_temporal", "UPDATE t_temporal SET c_time='-00:00:01', c_date='2024-00-00' WHERE id=2"},
    {"t_temporal", "UPDATE t_temporal SET c_ts=NULL, c_time6=NULL WHERE id=3"},
    {"t_temporal", "DELETE FROM t_temporal WHERE id=7"},

    /* ---- utf8mb4 text: emoji, empty, escapes, long values */
    {"t_str_utf8mb4",
     "INSERT INTO t_str_utf8mb4 VALUES"
     " (1,'分账😀',REPEAT('中',255),'商户备注: 分账测试 😀🎉',REPEAT('😀',300),'😀',"
     "'hello 世界',REPEAT('分账测试😀',1000),REPEAT('x😀',5000),'Straße','ユニコード'),"
     " (2,'','','','','','','','','',''),"
     " (3,'ab  ','x',CONCAT('q\"b\\\\s/', CHAR(10 USING utf8mb4), CHAR(9 USING utf8mb4),"
     " CHAR(13 USING utf8mb4), CHAR(8 USING utf8mb4), CHAR(12 USING utf8mb4),"
     " CHAR(1 USING utf8mb4), CHAR(31 USING utf8mb4), CHAR(127 USING utf8mb4)),"
     "'trailing  ',' lead',CONCAT('nul', CHAR(0 USING utf8mb4), 'byte'),"
     "'\xe2\x80\xa8 \xe2\x80\xa9 <script>','é','ü','é'),"
     " (4,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),"
     " (5,'Ω','é','ß','€','Ä','∑','≠','∞','Ω','Ω')"},
    {"t_str_utf8mb4", "UPDATE t_str_utf8mb4 SET c_varchar='改过的备注 ✅' WHERE id=1"},
    {"t_str_utf8mb4", "UPDATE t_str_utf8mb4 SET c_text=NULL, c_char='新' WHERE id=2"},
    {"t_str_utf8mb4", "DELETE FROM t_str_utf8mb4 WHERE id=5"},

    /* ---- latin1 is cp1252 in MariaDB: 0x80 is the euro sign */
    {"t_str_latin1", "INSERT INTO t_str_latin1 VALUES"
                     " (1,'café',_latin1 {{LATIN1_HIGH}},CONCAT('€',_latin1 {{LATIN1_HIGH}}),'€é'),"
                     " (2,'€','é','naïve',''),"
                     " (3,'','','',''),"
                     " (4,NULL,NULL,NULL,NULL),"
                     " (5,'x','y','z','w')"},
    {"t_str_latin1", "UPDATE t_str_latin1 SET c_varchar='€uro' WHERE id=2"},
    {"t_str_latin1", "DELETE FROM t_str_latin1 WHERE id=5"},

    /* ---- gbk (Chinese) */
    {"t_str_gbk", "INSERT INTO t_str_gbk VALUES"
                  " (1,'中文','分账流水 split flow','收款方信息：测试'),"
                  " (2,'','',''),"
                  " (3,NULL,NULL,NULL),"
                  " (4,'abc','混合mixed文本',REPEAT('账',1000))"},
    {"t_str_gbk", "UPDATE t_str_gbk SET c_varchar='已更新' WHERE id=1"},

    /* ---- other multi-byte and single-byte charsets */
    {"t_str_more", "INSERT INTO t_str_more VALUES"
                   " (1,'分账😀','分账','😀x','Привет','テスト','測試','한국어','ascii'),"
                   " (2,'','','','','','','',''),"
                   " (3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),"
                   " (4,'a','b','c','d','e','f','g','h')"},
    {"t_str_more", "UPDATE t_str_more SET c_utf16='更新', c_cp1251='Ёж' WHERE id=4"},

    /* ---- binary strings: BINARY pads with 0x00, all 256 byte values */
    {"t_binary", "INSERT INTO t_binary VALUES"
                 " (1,X'0102030405060708',{{BYTES256}},X'00',{{BYTES256}},{{BYTES256}},{{BYTES256}}),"
                 " (2,'ab','ab','ab','ab','ab','ab'),"
                 " (3,X'00','','','','',''),"
                 " (4,'',X'00',X'0000',X'000000',X'00000000',X'0000000000'),"
                 " (5,NULL,NULL,NULL,NULL,NULL,NULL),"
                 " (6,X'FFFFFFFFFFFFFFFF',REPEAT(X'FF',300),X'FF',X'FF',X'FF',X'FF'),"
                 " (7,X'6162000000000063',X'616200',X'20',X'2020',X'0A',X'FE')"},
    {"t_binary", "UPDATE t_binary SET c_blob=X'DEADBEEF' WHERE id=1"},
    {"t_binary", "UPDATE t_binary SET c_varbinary=NULL, c_binary='z' WHERE id=2"},
    {"t_binary", "DELETE FROM t_binary WHERE id=6"},

    /* ---- BIT, ENUM (also 2-byte), SET (also 8-byte) */
    {"t_bitenum", "INSERT INTO t_bitenum VALUES"
                  " (1,0,0,0,0,'new','e001','',''),"
                  " (2,1,b'1111111111',131071,18446744073709551615,'分账','e300','a,分,d',"
                  "{{SET64_ALL}}),"
                  " (3,b'1',512,65536,9223372036854775808,'bogus','e256','b','s01,s64'),"
                  " (4,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),"
                  " (5,1,1,1,1,'refunded','e255','d,a','s33')"},
    {"t_bitenum", "UPDATE t_bitenum SET c_enum='paid', c_set64='s02,s63', c_bit64=1 WHERE id=1"},
    {"t_bitenum", "DELETE FROM t_bitenum WHERE id=5"},

    /* ---- JSON (MariaDB: LONGTEXT holding the text as written) */
    {"t_json", "INSERT INTO t_json VALUES"
               " (1,'{\"a\":1,\"b\":[1,2,{\"c\":\"分账\"}],\"d\":null,\"e\":true}','[]'),"
               " (2,'\"str\"','null'),"
               " (3,'1.5e300','{\"q\":\"a\\\\\"b\\\\\\\\c\\\\u00e9\"}'),"
               " (4,NULL,NULL),"
               " (5,'{}','  { \"spaced\" : 1 }  ')"},
    {"t_json", "UPDATE t_json SET c_json=JSON_SET(c_json, '$.a', 2) WHERE id=1"},
    {"t_json", "DELETE FROM t_json WHERE id=5"},

    /* ---- geometry: SRID + WKB */
    {"t_geo",
     "INSERT INTO t_geo VALUES"
     " (1,ST_GeomFromText('POINT(1 2)',4326),ST_GeomFromText('POINT(-1.5 2.25)'),"
     "ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'),"
     "ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 2,1 1))'),"
     "ST_GeomFromText('MULTIPOINT(0 0,1 1)'),"
     "ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))'),"
     "ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))'),"
     "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')),"
     " (2,ST_GeomFromText('LINESTRING(0 0,10 10)'),ST_GeomFromText('POINT(0 0)',3857),"
     "NULL,NULL,NULL,NULL,NULL,NULL),"
     " (3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)"},
    {"t_geo", "UPDATE t_geo SET c_point=ST_GeomFromText('POINT(3 4)') WHERE id=2"},

    /* ---- INET6 and UUID: fixed 16-byte binary in the binlog */
    {"t_inet_uuid", "INSERT INTO t_inet_uuid VALUES"
                    " (1,'::','00000000-0000-0000-0000-000000000000'),"
                    " (2,'::1','6ccd780c-baba-1026-9564-5b8c656024db'),"
                    " (3,'2001:db8::ff00:42:8329','ffffffff-ffff-ffff-ffff-ffffffffffff'),"
                    " (4,'::ffff:192.168.0.1','12345678-1234-5678-9abc-def012345600'),"
                    " (5,'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',"
                    "'01234567-89ab-cdef-0123-456789abcdef'),"
                    " (6,NULL,NULL),"
                    " (7,'1::','10000000-0000-0000-0000-000000000000')"},
    {"t_inet_uuid", "UPDATE t_inet_uuid SET c_inet6='fe80::1' WHERE id=1"},
    {"t_inet_uuid", "DELETE FROM t_inet_uuid WHERE id=5"},

    /* ---- composite primary key; key changes, upserts */
    {"t_pk", "INSERT INTO t_pk VALUES"
             " (18446744073709551615,'分账','2024-01-01',1,'max'),"
             " (0,'','0000-00-00',2,'zero'),"
             " (9223372036854775808,'a\"b\\\\c','2024-00-00',3,'mid'),"
             " (1,'x','2024-05-05',4,NULL)"},
    {"t_pk", "UPDATE t_pk SET k2='moved' WHERE v=1"},
    {"t_pk", "UPDATE t_pk SET note='n' WHERE v=2"},
    {"t_pk", "DELETE FROM t_pk WHERE v=3"},
    {"t_pk", "INSERT INTO t_pk VALUES (1,'x','2024-05-05',4,NULL)"
             " ON DUPLICATE KEY UPDATE v=40, note='odku'"},
    {"t_pk", "REPLACE INTO t_pk VALUES (0,'','0000-00-00',22,'replaced')"},

    /* ---- many rows: statements spanning several rows events */
    {"t_bulk", "INSERT INTO t_bulk (id, a, b) SELECT seq, CAST(seq AS SIGNED) * 1000003 - 9000000000,"
               " CONCAT('row-', seq, '-分账') FROM seq_1_to_3000"},
    {"t_bulk", "UPDATE t_bulk SET a=-a, b=CONCAT(b, '!') WHERE id % 3 = 0"},
    {"t_bulk", "DELETE FROM t_bulk WHERE id % 7 = 0"},

    /* ---- generated and invisible columns */
    {"t_gen", "INSERT INTO t_gen (id, a, inv) VALUES (1,1,10),(2,2,20),(3,NULL,NULL)"},
    {"t_gen", "UPDATE t_gen SET a=5 WHERE id=1"},
    {"t_gen", "UPDATE t_gen SET inv=21 WHERE id=2"},
    {"t_gen", "DELETE FROM t_gen WHERE id=3"},

    /* ---- non-transactional engines, also inside a transaction */
    {"t_myisam", "INSERT INTO t_myisam VALUES (1,'one'),(2,'two'),(3,'three')"},
    {NULL, "BEGIN"},
    {"t_myisam", "UPDATE t_myisam SET v='TWO' WHERE id=2"},
    {"t_int", "INSERT INTO t_int VALUES (7,7,7,7,7,7,7,7,7,7,7,1,7)"},
    {NULL, "COMMIT"},
    {"t_myisam", "DELETE FROM t_myisam WHERE id=3"},
    {"t_aria", "INSERT INTO t_aria VALUES (1,'a'),(2,'b')"},
    {"t_aria", "UPDATE t_aria SET v=NULL WHERE id=1"},

    /* ---- big values: > 1 MiB LONGBLOB, ~640 KB LONGTEXT */
    {"t_big", "INSERT INTO t_big VALUES (1,'big',{{BLOB_BIG}},REPEAT('分账测试😀',40000)),"
              " (2,'small',X'00','x')"},
    {"t_big", "UPDATE t_big SET note='big2' WHERE id=1"},
    {"t_big", "UPDATE t_big SET c_longblob=X'0102' WHERE id=2"},
};
#define NWORK (sizeof workload / sizeof workload[0])

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

struct sb {
    char *p;
    size_t n, cap;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("integ_differential: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory");
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xrealloc(NULL, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void sb_add(struct sb *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n + 1)
            c *= 2;
        b->p = xrealloc(b->p, c);
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(struct sb *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("vsnprintf failed");
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

static void sb_reset(struct sb *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

static void sb_hex(struct sb *b, const unsigned char *d, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        char two[2] = {hx[d[i] >> 4], hx[d[i] & 15]};
        sb_add(b, two, 2);
    }
}

/* ------------------------------------------------------------------ */
/* Values, rows, tables at run time                                    */

enum vst { V_ABSENT = 0, V_NULL, V_STR, V_NUM, V_OTHER };

struct val {
    enum vst st;
    char *p; /* bytes (V_STR), number text (V_NUM), JSON text (V_OTHER) */
    size_t n;
};

struct row {
    char *key;
    size_t keylen;
    struct val *v; /* ncols */
};

struct rowset {
    struct row *r;
    size_t n, cap;
};

struct table {
    const struct tabledef *def;
    int ncols;
    int npk;
    int pk[8];  /* column indexes of the primary key, in key order */
    int *ordmap; /* 1-based ordinal position -> column index (size ncols+1) */
    int skipped;
    struct rowset want; /* from SELECT */
    struct rowset got;  /* replayed from the dump */
    /* per-table tallies of the dump */
    long n_c, n_u, n_d;
    long shape_bad, before_bad, replay_bad;
};

struct ctx {
    MYSQL *my;
    const char *db;
    const char *config;
    const char *binlogd;
    const char *binlog_dir;
    const char *save_dump;
    char row_image[16];    /* FULL / MINIMAL / NOBLOB */
    char row_metadata[16]; /* FULL / MINIMAL */
    int meta_full;
    struct table tables[NTABLES];
    long passed, failed;
    long lines, row_lines, other_db_lines;
    long envelope_bad;
    unsigned long long rng;
    /* the row the last line deleted, kept for one line: an update that
     * changes the key is a delete then a create at the same source
     * position (docs/format.md), and with binlog_row_image=MINIMAL the
     * create carries only the key and the changed columns, the rest are
     * the deleted row's */
    struct table *gone_t;
    struct val *gone;
    char gone_src[600];
};

static void val_free(struct val *v)
{
    free(v->p);
    v->p = NULL;
    v->n = 0;
    v->st = V_ABSENT;
}

static void val_set(struct val *v, enum vst st, const char *p, size_t n)
{
    val_free(v);
    v->st = st;
    if (st == V_STR || st == V_NUM || st == V_OTHER)
        v->p = xstrndup(p, n), v->n = n;
}

static int val_same(const struct val *a, const struct val *b)
{
    if (a->st != b->st)
        return 0;
    if (a->st == V_NULL || a->st == V_ABSENT)
        return 1;
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Printable, bounded rendering of a value for mismatch lines. */
static void val_show(struct sb *b, const struct val *v)
{
    switch (v->st) {
    case V_ABSENT:
        sb_puts(b, "(absent)");
        return;
    case V_NULL:
        sb_puts(b, "null");
        return;
    case V_NUM:
    case V_OTHER:
        sb_add(b, v->p, v->n > 120 ? 120 : v->n);
        if (v->n > 120)
            sb_printf(b, "...(%zu bytes)", v->n);
        return;
    case V_STR:
        break;
    }
    sb_puts(b, "\"");
    size_t lim = v->n > 100 ? 100 : v->n;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)v->p[i];
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            sb_printf(b, "\\x%02x", c);
        else
            sb_add(b, (const char *)&c, 1);
    }
    sb_puts(b, "\"");
    if (v->n > 100)
        sb_printf(b, "...(%zu bytes)", v->n);
}

static void row_free(struct row *r, int ncols)
{
    for (int i = 0; i < ncols; i++)
        val_free(&r->v[i]);
    free(r->v);
    free(r->key);
    r->v = NULL;
    r->key = NULL;
}

/* Key of a row: the PK values, each as state byte, length and bytes.
 * Returns 0 if a PK column is absent or NULL. */
static int make_key(const struct table *t, const struct val *v, char **key, size_t *keylen)
{
    struct sb b = {0};
    for (int i = 0; i < t->npk; i++) {
        const struct val *x = &v[t->pk[i]];
        if (x->st != V_STR && x->st != V_NUM) {
            free(b.p);
            return 0;
        }
        sb_printf(&b, "%d:%zu:", (int)x->st, x->n);
        sb_add(&b, x->p, x->n);
        sb_add(&b, "\x1f", 1);
    }
    *key = b.p;
    *keylen = b.n;
    return 1;
}

static void show_pk(struct sb *b, const struct table *t, const struct val *v)
{
    sb_puts(b, "(");
    for (int i = 0; i < t->npk; i++) {
        if (i)
            sb_puts(b, ",");
        sb_printf(b, "%s=", t->def->cols[t->pk[i]].name);
        val_show(b, &v[t->pk[i]]);
    }
    sb_puts(b, ")");
}

static struct row *rs_find(struct rowset *rs, const char *key, size_t keylen)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->r[i].keylen == keylen && memcmp(rs->r[i].key, key, keylen) == 0)
            return &rs->r[i];
    return NULL;
}

static struct row *rs_add(struct rowset *rs, int ncols)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->r = xrealloc(rs->r, rs->cap * sizeof *rs->r);
    }
    struct row *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    r->v = xrealloc(NULL, (size_t)ncols * sizeof *r->v);
    memset(r->v, 0, (size_t)ncols * sizeof *r->v);
    return r;
}

static void rs_del(struct rowset *rs, struct row *r, int ncols)
{
    row_free(r, ncols);
    size_t i = (size_t)(r - rs->r);
    rs->r[i] = rs->r[rs->n - 1];
    rs->n--;
}

static void rs_free(struct rowset *rs, int ncols)
{
    for (size_t i = 0; i < rs->n; i++)
        row_free(&rs->r[i], ncols);
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

static struct table *find_table(struct ctx *c, const char *name)
{
    for (size_t i = 0; i < NTABLES; i++)
        if (strcmp(c->tables[i].def->name, name) == 0)
            return &c->tables[i];
    return NULL;
}

static int col_index(const struct table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->def->cols[i].name, name) == 0)
            return i;
    return -1;
}

static int is_pk(const struct table *t, int col)
{
    for (int i = 0; i < t->npk; i++)
        if (t->pk[i] == col)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static void check(struct ctx *c, int ok)
{
    if (ok)
        c->passed++;
    else
        c->failed++;
}

/* Mismatch lines are capped per topic so a systematic error stays readable. */
static void mismatch(long *count, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mismatch(long *count, const char *fmt, ...)
{
    (*count)++;
    if (*count > 5) {
        if (*count == 6)
            printf("MISMATCH   (more like the line above are not shown; see the total)\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("MISMATCH ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

/* After a capped topic: the total, if lines were left out. */
static void mismatch_total(long count, const char *what)
{
    if (count > 5)
        printf("MISMATCH %s: %ld in all\n", what, count);
}

/* ------------------------------------------------------------------ */
/* SQL side                                                            */

static void q(struct ctx *c, const char *sql, size_t len)
{
    if (mysql_real_query(c->my, sql, len))
        die("query failed: %s\n  SQL: %.300s%s", mysql_error(c->my), sql, len > 300 ? "..." : "");
    MYSQL_RES *r = mysql_store_result(c->my);
    if (r)
        mysql_free_result(r);
    else if (mysql_field_count(c->my))
        die("reading result failed: %s", mysql_error(c->my));
}

static void qs(struct ctx *c, const char *sql) { q(c, sql, strlen(sql)); }

/* First column of the first row, or "" if no row. */
static char *q1(struct ctx *c, const char *sql)
{
    if (mysql_query(c->my, sql))
        die("query failed: %s\n  SQL: %s", mysql_error(c->my), sql);
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r)
        die("no result for: %s", sql);
    MYSQL_ROW row = mysql_fetch_row(r);
    char *s = xstrndup(row && row[0] ? row[0] : "", row && row[0] ? strlen(row[0]) : 0);
    mysql_free_result(r);
    return s;
}

static unsigned long long rnd(struct ctx *c)
{
    /* xorshift64 */
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

/* Expand {{PLACEHOLDERS}} in SQL text. */
static void expand(struct ctx *c, struct sb *out, const char *s)
{
    while (*s) {
        const char *o = strstr(s, "{{");
        if (!o) {
            sb_puts(out, s);
            return;
        }
        sb_add(out, s, (size_t)(o - s));
        const char *e = strstr(o, "}}");
        if (!e)
            die("unterminated placeholder in: %s", s);
        size_t n = (size_t)(e - o - 2);
        const char *name = o + 2;
#define IS(lit) (n == sizeof lit - 1 && memcmp(name, lit, n) == 0)
        if (IS("ENUM300")) {
            for (int i = 1; i <= 300; i++)
                sb_printf(out, "%s'e%03d'", i > 1 ? "," : "", i);
        } else if (IS("SET64")) {
            for (int i = 1; i <= 64; i++)
                sb_printf(out, "%s's%02d'", i > 1 ? "," : "", i);
        } else if (IS("SET64_ALL")) {
            sb_puts(out, "'");
            for (int i = 1; i <= 64; i++)
                sb_printf(out, "%ss%02d", i > 1 ? "," : "", i);
            sb_puts(out, "'");
        } else if (IS("LATIN1_HIGH")) {
            unsigned char hi[128];
            for (int i = 0; i < 128; i++)
                hi[i] = (unsigned char)(0x80 + i);
            sb_puts(out, "X'");
            sb_hex(out, hi, sizeof hi);
            sb_puts(out, "'");
        } else if (IS("BYTES256")) {
            unsigned char all[256];
            for (int i = 0; i < 256; i++)
                all[i] = (unsigned char)i;
            sb_puts(out, "X'");
            sb_hex(out, all, sizeof all);
            sb_puts(out, "'");
        } else if (IS("BLOB_BIG")) {
            /* 1.5 MiB of pseudo-random bytes */
            size_t len = 1536 * 1024 + 7;
            unsigned char *d = xrealloc(NULL, len);
            for (size_t i = 0; i < len; i++)
                d[i] = (unsigned char)(rnd(c) >> 24);
            sb_puts(out, "X'");
            sb_hex(out, d, len);
            sb_puts(out, "'");
            free(d);
        } else {
            die("unknown placeholder {%.*s}", (int)n, name);
        }
#undef IS
        s = e + 2;
    }
}

static int skipped(struct ctx *c, const char *name)
{
    struct table *t = find_table(c, name);
    return t && t->skipped;
}

static void create_tables(struct ctx *c)
{
    struct sb b = {0};
    for (size_t i = 0; i < NTABLES; i++) {
        struct table *t = &c->tables[i];
        if (t->skipped)
            continue;
        sb_reset(&b);
        sb_printf(&b, "CREATE TABLE `%s` (", t->def->name);
        for (int k = 0; k < t->ncols; k++) {
            sb_printf(&b, "`%s` ", t->def->cols[k].name);
            expand(c, &b, t->def->cols[k].type);
            sb_puts(&b, ", ");
        }
        sb_printf(&b, "PRIMARY KEY (%s)) %s", t->def->pk, t->def->options);
        q(c, b.p, b.n);
    }
    free(b.p);
}

static void run_workload(struct ctx *c)
{
    struct sb b = {0};
    for (size_t i = 0; i < NWORK; i++) {
        if (workload[i].table && skipped(c, workload[i].table))
            continue;
        sb_reset(&b);
        expand(c, &b, workload[i].sql);
        q(c, b.p, b.n);
    }
    free(b.p);
}

/* Ordinal positions and primary key, from information_schema. */
static void load_schema(struct ctx *c, struct table *t)
{
    struct sb b = {0};
    sb_printf(&b,
              "SELECT COLUMN_NAME, ORDINAL_POSITION FROM information_schema.COLUMNS"
              " WHERE TABLE_SCHEMA='%s' AND TABLE_NAME='%s' ORDER BY ORDINAL_POSITION",
              c->db, t->def->name);
    if (mysql_real_query(c->my, b.p, b.n))
        die("%s", mysql_error(c->my));
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r)
        die("%s", mysql_error(c->my));
    t->ordmap = xrealloc(NULL, (size_t)(t->ncols + 1) * sizeof *t->ordmap);
    for (int i = 0; i <= t->ncols; i++)
        t->ordmap[i] = -1;
    MYSQL_ROW row;
    int seen = 0;
    while ((row = mysql_fetch_row(r))) {
        int idx = col_index(t, row[0]);
        long ord = strtol(row[1], NULL, 10);
        if (idx < 0 || ord < 1 || ord > t->ncols)
            die("%s: unexpected column %s at position %s", t->def->name, row[0], row[1]);
        t->ordmap[ord] = idx;
        seen++;
    }
    mysql_free_result(r);
    if (seen != t->ncols)
        die("%s: information_schema lists %d columns, expected %d", t->def->name, seen, t->ncols);

    sb_reset(&b);
    sb_printf(&b,
              "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA='%s'"
              " AND TABLE_NAME='%s' AND INDEX_NAME='PRIMARY' ORDER BY SEQ_IN_INDEX",
              c->db, t->def->name);
    if (mysql_real_query(c->my, b.p, b.n))
        die("%s", mysql_error(c->my));
    r = mysql_store_result(c->my);
    if (!r)
        die("%s", mysql_error(c->my));
    t->npk = 0;
    while ((row = mysql_fetch_row(r))) {
        int idx = col_index(t, row[0]);
        if (idx < 0 || t->npk >= 8)
            die("%s: bad primary key column %s", t->def->name, row[0]);
        t->pk[t->npk++] = idx;
    }
    mysql_free_result(r);
    if (t->npk == 0)
        die("%s: no primary key", t->def->name);
    free(b.p);
}

/* Is column k compared as a number, given the server's metadata mode? */
static int numeric(const struct ctx *c, const struct coldef *cd)
{
    switch (cd->fmt) {
    case F_INT:
    case F_NUM0:
    case F_FLOAT:
    case F_DOUBLE:
    case F_BIT:
        return 1;
    case F_ENUM:
    case F_SET:
        return !c->meta_full;
    default:
        return 0;
    }
}

static void select_expr(const struct ctx *c, struct sb *b, const struct coldef *cd)
{
    const char *n = cd->name;
    switch (cd->fmt) {
    case F_INT:
    case F_TEXT:
        sb_printf(b, "`%s`", n);
        break;
    case F_NUM0:
        sb_printf(b, "`%s`+0", n);
        break;
    case F_FLOAT:
    case F_DOUBLE:
        /* The text protocol prints FLOAT with 6 digits; as DOUBLE it is exact. */
        sb_printf(b, "CAST(`%s` AS DOUBLE)", n);
        break;
    case F_UTF8:
        sb_printf(b, "CONVERT(`%s` USING utf8mb4)", n);
        break;
    case F_B64:
        /* TO_BASE64 wraps lines at 76 characters; the format has no breaks. */
        sb_printf(b, "REPLACE(TO_BASE64(`%s`), '\\n', '')", n);
        break;
    case F_B64_16:
        sb_printf(b, "REPLACE(TO_BASE64(CAST(`%s` AS BINARY(16))), '\\n', '')", n);
        break;
    case F_BIT:
        sb_printf(b, "CAST(`%s` AS UNSIGNED)", n);
        break;
    case F_ENUM:
        if (c->meta_full)
            sb_printf(b, "CONVERT(`%s` USING utf8mb4)", n);
        else
            sb_printf(b, "`%s`+0", n);
        break;
    case F_SET:
        if (c->meta_full)
            sb_printf(b, "CONVERT(`%s` USING utf8mb4)", n);
        else
            sb_printf(b, "CAST(`%s`+0 AS UNSIGNED)", n); /* SET+0 is signed */
        break;
    }
}

static void load_expected(struct ctx *c, struct table *t)
{
    struct sb b = {0};
    sb_puts(&b, "SELECT ");
    for (int k = 0; k < t->ncols; k++) {
        if (k)
            sb_puts(&b, ", ");
        select_expr(c, &b, &t->def->cols[k]);
    }
    sb_printf(&b, " FROM `%s`", t->def->name);
    if (mysql_real_query(c->my, b.p, b.n))
        die("SELECT failed: %s\n  SQL: %s", mysql_error(c->my), b.p);
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r)
        die("%s", mysql_error(c->my));
    if ((int)mysql_num_fields(r) != t->ncols)
        die("%s: SELECT returned %u columns", t->def->name, mysql_num_fields(r));
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        unsigned long *len = mysql_fetch_lengths(r);
        struct row *x = rs_add(&t->want, t->ncols);
        for (int k = 0; k < t->ncols; k++) {
            if (!row[k])
                val_set(&x->v[k], V_NULL, NULL, 0);
            else
                val_set(&x->v[k], numeric(c, &t->def->cols[k]) ? V_NUM : V_STR, row[k], len[k]);
        }
        if (!make_key(t, x->v, &x->key, &x->keylen))
            die("%s: SELECT row without a primary key value", t->def->name);
    }
    mysql_free_result(r);
    free(b.p);
}

/* Binlog files written since `first` (inclusive), excluding the active one. */
static char **binlog_files(struct ctx *c, const char *first, int *nfiles)
{
    if (mysql_query(c->my, "SHOW BINARY LOGS"))
        die("SHOW BINARY LOGS: %s", mysql_error(c->my));
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r)
        die("%s", mysql_error(c->my));
    char **names = NULL;
    int n = 0, on = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r))) {
        if (strcmp(row[0], first) == 0)
            on = 1;
        if (!on)
            continue;
        names = xrealloc(names, (size_t)(n + 1) * sizeof *names);
        names[n++] = xstrndup(row[0], strlen(row[0]));
    }
    mysql_free_result(r);
    if (n < 2)
        die("expected at least two binlog files from %s on, found %d", first, n);
    free(names[--n]); /* the active file, opened by the last FLUSH */
    *nfiles = n;
    return names;
}

/* ------------------------------------------------------------------ */
/* Dump side                                                           */

#define NUM_MARK "\\u0000\\u0001num:"
#define NUM_MARK_RAW "\0\001num:"
#define NUM_MARK_LEN 6

/* Rewrite every JSON number token outside strings into a marked string,
 * so jansson keeps its exact text. */
static void wrap_numbers(struct sb *out, const char *s, size_t n)
{
    sb_reset(out);
    size_t i = 0;
    while (i < n) {
        char ch = s[i];
        if (ch == '"') {
            size_t j = i + 1;
            while (j < n && s[j] != '"')
                j += (s[j] == '\\') ? 2 : 1;
            if (j > n)
                j = n;
            sb_add(out, s + i, (j < n ? j + 1 : j) - i);
            i = j + 1;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            size_t j = i;
            while (j < n && strchr("+-0123456789.eE", s[j]))
                j++;
            sb_puts(out, "\"" NUM_MARK);
            sb_add(out, s + i, j - i);
            sb_puts(out, "\"");
            i = j;
        } else {
            sb_add(out, s + i, 1);
            i++;
        }
    }
}

/* A jansson value from a wrapped line into a struct val. */
static void from_json(struct val *v, json_t *j)
{
    if (json_is_null(j)) {
        val_set(v, V_NULL, NULL, 0);
    } else if (json_is_string(j)) {
        const char *s = json_string_value(j);
        size_t n = json_string_length(j);
        if (n >= NUM_MARK_LEN && memcmp(s, NUM_MARK_RAW, NUM_MARK_LEN) == 0)
            val_set(v, V_NUM, s + NUM_MARK_LEN, n - NUM_MARK_LEN);
        else
            val_set(v, V_STR, s, n);
    } else {
        char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        val_set(v, V_OTHER, t ? t : "?", t ? strlen(t) : 1);
        free(t);
    }
}

/* Parse an image object into vals indexed by column; 0 on a bad key. */
static int parse_image(struct ctx *c, struct table *t, json_t *obj, int positional,
                       struct val *img, long lineno)
{
    const char *key;
    json_t *jv;
    int ok = 1;
    json_object_foreach(obj, key, jv)
    {
        int idx = -1;
        if (positional) {
            char *end;
            long ord = (key[0] == '@') ? strtol(key + 1, &end, 10) : 0;
            if (key[0] == '@' && *end == '\0' && ord >= 1 && ord <= t->ncols)
                idx = t->ordmap[ord];
        } else {
            idx = col_index(t, key);
        }
        if (idx < 0) {
            mismatch(&c->envelope_bad, "line %ld: %s: unknown column key \"%s\"%s", lineno,
                     t->def->name, key, positional ? " (positional)" : "");
            ok = 0;
            continue;
        }
        from_json(&img[idx], jv);
    }
    return ok;
}

/* Which columns an image must and must not carry, by binlog_row_image. */
static void check_shape(struct ctx *c, struct table *t, const struct val *img, int before,
                        char op, long lineno)
{
    const char *what = before ? "before" : "after";
    for (int k = 0; k < t->ncols; k++) {
        const struct coldef *cd = &t->def->cols[k];
        int present = img[k].st != V_ABSENT;
        int must = 0, mustnot = 0;
        if (before && is_pk(t, k))
            must = 1;
        if (strcmp(c->row_image, "FULL") == 0) {
            must = 1;
        } else if (strcmp(c->row_image, "NOBLOB") == 0) {
            if (!(cd->flags & C_BLOB))
                must = 1;
            else if (before && !is_pk(t, k))
                mustnot = 1;
        } else { /* MINIMAL */
            if (before && !is_pk(t, k))
                mustnot = 1;
            if (cd->flags & C_VIRT)
                mustnot = 1;
            if (op == 'c' && is_pk(t, k))
                must = 1;
        }
        if (must && !present)
            mismatch(&t->shape_bad,
                     "%s line %ld op %c: column %s is absent from the %s image (row image %s)",
                     t->def->name, lineno, op, cd->name, what, c->row_image);
        if (mustnot && present)
            mismatch(&t->shape_bad,
                     "%s line %ld op %c: column %s is present in the %s image but %s does not "
                     "log it",
                     t->def->name, lineno, op, cd->name, what, c->row_image);
    }
}

/* Before-image columns must equal the replayed state. */
static void check_before(struct ctx *c, struct table *t, const struct row *r,
                         const struct val *img, char op, long lineno)
{
    (void)c;
    struct sb b = {0};
    for (int k = 0; k < t->ncols; k++) {
        if (img[k].st == V_ABSENT || r->v[k].st == V_ABSENT)
            continue;
        if (val_same(&img[k], &r->v[k]))
            continue;
        sb_reset(&b);
        sb_printf(&b, "%s pk=", t->def->name);
        show_pk(&b, t, r->v);
        sb_printf(&b, " %s: before-image (line %ld op %c) says ", t->def->cols[k].name, lineno,
                  op);
        val_show(&b, &img[k]);
        sb_puts(&b, ", earlier images said ");
        val_show(&b, &r->v[k]);
        mismatch(&t->before_bad, "%s", b.p);
    }
    free(b.p);
}

static void apply_line(struct ctx *c, json_t *root, long lineno)
{
    json_t *jop = json_object_get(root, "op");
    if (!jop) {
        if (!json_object_get(root, "event"))
            mismatch(&c->envelope_bad, "line %ld: neither \"op\" nor \"event\"", lineno);
        return;
    }
    c->row_lines++;
    const char *op = json_string_value(jop);
    const char *db = json_string_value(json_object_get(root, "db"));
    const char *tn = json_string_value(json_object_get(root, "table"));
    json_t *before = json_object_get(root, "before");
    json_t *after = json_object_get(root, "after");
    json_t *src = json_object_get(root, "source");
    if (!op || !db || !tn || strlen(op) != 1 || !strchr("cud", op[0]) || !before || !after ||
        !json_is_object(src)) {
        mismatch(&c->envelope_bad, "line %ld: envelope lacks op/db/table/before/after/source",
                 lineno);
        return;
    }
    if (!json_is_string(json_object_get(src, "file")) ||
        !json_is_string(json_object_get(src, "pos")) || /* numbers arrive wrapped */
        !json_is_string(json_object_get(src, "row")) ||
        !json_is_boolean(json_object_get(src, "last")))
        mismatch(&c->envelope_bad, "line %ld: source lacks file/pos/row/last", lineno);
    if (strcmp(db, c->db) != 0) {
        c->other_db_lines++;
        return;
    }
    struct table *t = find_table(c, tn);
    if (!t || t->skipped) {
        mismatch(&c->envelope_bad, "line %ld: change to unknown table %s.%s", lineno, db, tn);
        return;
    }
    char o = op[0];
    char srckey[600];
    const char *sf = json_string_value(json_object_get(src, "file"));
    const char *sp = json_string_value(json_object_get(src, "pos"));
    const char *sr = json_string_value(json_object_get(src, "row"));
    snprintf(srckey, sizeof srckey, "%s:%s:%s", sf ? sf : "", sp ? sp : "", sr ? sr : "");
    /* a create right after a delete at the same position: the row moved */
    struct val *moved = NULL;
    if (c->gone_t) {
        if (o == 'c' && c->gone_t == t && !strcmp(c->gone_src, srckey)) {
            moved = c->gone;
        } else {
            for (int k = 0; k < c->gone_t->ncols; k++)
                val_free(&c->gone[k]);
            free(c->gone);
        }
        c->gone_t = NULL;
        c->gone = NULL;
    }
    int want_before = (o != 'c'), want_after = (o != 'd');
    if ((want_before ? !json_is_object(before) : !json_is_null(before)) ||
        (want_after ? !json_is_object(after) : !json_is_null(after))) {
        mismatch(&c->envelope_bad, "line %ld: op %c with before %s and after %s", lineno, o,
                 json_is_null(before) ? "null" : "object", json_is_null(after) ? "null" : "object");
        for (int k = 0; moved && k < t->ncols; k++)
            val_free(&moved[k]);
        free(moved);
        return;
    }
    json_t *jpos = json_object_get(root, "positional");
    int positional = json_is_true(jpos);
    if (jpos && !json_is_boolean(jpos))
        mismatch(&c->envelope_bad, "line %ld: \"positional\" is not a boolean", lineno);
    if (c->meta_full && positional)
        mismatch(&c->envelope_bad,
                 "line %ld: positional keys although binlog_row_metadata=FULL logs names",
                 lineno);

    struct val *bi = xrealloc(NULL, (size_t)t->ncols * sizeof *bi);
    struct val *ai = xrealloc(NULL, (size_t)t->ncols * sizeof *ai);
    memset(bi, 0, (size_t)t->ncols * sizeof *bi);
    memset(ai, 0, (size_t)t->ncols * sizeof *ai);
    struct sb b = {0};
    if (want_before) {
        parse_image(c, t, before, positional, bi, lineno);
        check_shape(c, t, bi, 1, o, lineno);
    }
    if (want_after) {
        parse_image(c, t, after, positional, ai, lineno);
        check_shape(c, t, ai, 0, o, lineno);
    }

    if (o == 'c' && moved) {
        /* columns the create's image lacks are the moved row's */
        for (int k = 0; k < t->ncols; k++) {
            if (ai[k].st == V_ABSENT) {
                ai[k] = moved[k];
                moved[k].p = NULL;
                moved[k].st = V_ABSENT;
            } else {
                val_free(&moved[k]);
            }
        }
        free(moved);
        moved = NULL;
    }
    if (o == 'c') {
        t->n_c++;
        char *key;
        size_t keylen;
        if (!make_key(t, ai, &key, &keylen)) {
            mismatch(&t->replay_bad, "%s line %ld: insert without its primary key", tn, lineno);
        } else {
            struct row *r = rs_find(&t->got, key, keylen);
            if (r) {
                sb_printf(&b, "%s line %ld: insert of an existing row pk=", tn, lineno);
                show_pk(&b, t, ai);
                mismatch(&t->replay_bad, "%s", b.p);
                rs_del(&t->got, r, t->ncols);
            }
            r = rs_add(&t->got, t->ncols);
            r->key = key;
            r->keylen = keylen;
            for (int k = 0; k < t->ncols; k++) {
                r->v[k] = ai[k];
                ai[k].p = NULL;
                ai[k].st = V_ABSENT;
            }
        }
    } else {
        if (o == 'u')
            t->n_u++;
        else
            t->n_d++;
        char *key;
        size_t keylen;
        struct row *r = NULL;
        if (!make_key(t, bi, &key, &keylen)) {
            mismatch(&t->replay_bad, "%s line %ld op %c: before-image without its primary key",
                     tn, lineno, o);
        } else {
            r = rs_find(&t->got, key, keylen);
            if (!r) {
                sb_printf(&b, "%s line %ld op %c: no such row pk=", tn, lineno, o);
                show_pk(&b, t, bi);
                mismatch(&t->replay_bad, "%s", b.p);
            }
            free(key);
        }
        if (r) {
            check_before(c, t, r, bi, o, lineno);
            if (o == 'd') {
                /* kept for the create that may follow (a key change) */
                c->gone = xrealloc(NULL, (size_t)t->ncols * sizeof *c->gone);
                for (int k = 0; k < t->ncols; k++) {
                    c->gone[k] = r->v[k];
                    r->v[k].p = NULL;
                    r->v[k].st = V_ABSENT;
                }
                c->gone_t = t;
                snprintf(c->gone_src, sizeof c->gone_src, "%s", srckey);
                rs_del(&t->got, r, t->ncols);
            } else {
                for (int k = 0; k < t->ncols; k++) {
                    if (ai[k].st == V_ABSENT)
                        continue;
                    val_free(&r->v[k]);
                    r->v[k] = ai[k];
                    ai[k].p = NULL;
                    ai[k].st = V_ABSENT;
                }
                char *nk;
                size_t nkl;
                if (!make_key(t, r->v, &nk, &nkl)) {
                    mismatch(&t->replay_bad, "%s line %ld: update leaves no primary key", tn,
                             lineno);
                } else {
                    struct row *other = rs_find(&t->got, nk, nkl);
                    if (other && other != r) {
                        sb_reset(&b);
                        sb_printf(&b, "%s line %ld: update moves a row onto existing pk=", tn,
                                  lineno);
                        show_pk(&b, t, r->v);
                        mismatch(&t->replay_bad, "%s", b.p);
                    }
                    free(r->key);
                    r->key = nk;
                    r->keylen = nkl;
                }
            }
        }
    }
    for (int k = 0; k < t->ncols; k++) {
        val_free(&bi[k]);
        val_free(&ai[k]);
    }
    free(bi);
    free(ai);
    free(b.p);
}

/* Run binlogd dump FILES and replay its output.  Returns 1 if the run
 * itself was fine (exit status 0, every line parsed). */
static int run_dump(struct ctx *c, char **files, int nfiles)
{
    int fds[2];
    if (pipe(fds))
        die("pipe: %s", strerror(errno));
    char **argv = xrealloc(NULL, (size_t)(nfiles + 3) * sizeof *argv);
    argv[0] = (char *)c->binlogd;
    argv[1] = (char *)"dump";
    struct sb path = {0};
    for (int i = 0; i < nfiles; i++) {
        sb_reset(&path);
        sb_printf(&path, "%s/%s", c->binlog_dir, files[i]);
        argv[2 + i] = xstrndup(path.p, path.n);
    }
    argv[2 + nfiles] = NULL;
    printf("running:");
    for (int i = 0; argv[i]; i++)
        printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "integ_differential: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    if (!in)
        die("fdopen: %s", strerror(errno));
    FILE *save = NULL;
    if (c->save_dump && !(save = fopen(c->save_dump, "w")))
        die("cannot write %s: %s", c->save_dump, strerror(errno));

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long bad_lines = 0;
    struct sb w = {0};
    while ((len = getline(&line, &cap, in)) > 0) {
        c->lines++;
        if (save)
            fwrite(line, 1, (size_t)len, save);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        wrap_numbers(&w, line, (size_t)len);
        json_error_t err;
        json_t *root = json_loadb(w.p, w.n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
        if (!root || !json_is_object(root)) {
            struct sb m = {0};
            struct val raw = {V_STR, line, (size_t)len};
            val_show(&m, &raw);
            mismatch(&bad_lines, "dump line %ld is not a JSON object (%s at column %d): %s",
                     c->lines, root ? "not an object" : err.text, err.column, m.p);
            free(m.p);
            json_decref(root);
            continue;
        }
        apply_line(c, root, c->lines);
        json_decref(root);
    }
    free(line);
    free(w.p);
    fclose(in);
    if (save)
        fclose(save);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    for (int i = 0; i < nfiles; i++)
        free(argv[2 + i]);
    free(argv);
    free(path.p);
    int ok = 1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status))
            printf("MISMATCH binlogd dump exited with status %d\n", WEXITSTATUS(status));
        else
            printf("MISMATCH binlogd dump died of signal %d\n", WTERMSIG(status));
        ok = 0;
    }
    mismatch_total(bad_lines, "dump lines that are not JSON objects");
    if (bad_lines)
        ok = 0;
    return ok;
}

/* ------------------------------------------------------------------ */
/* Comparison                                                          */

static int values_equal(const struct coldef *cd, int num, const struct val *want,
                        const struct val *got)
{
    if (want->st == V_NULL || got->st == V_NULL)
        return want->st == got->st;
    if (got->st != (num ? V_NUM : V_STR))
        return 0;
    if (cd->fmt == F_FLOAT || cd->fmt == F_DOUBLE) {
        char *a = xstrndup(want->p, want->n), *b = xstrndup(got->p, got->n), *end;
        double dw = strtod(a, NULL), dg = strtod(b, &end);
        int ok = *end == '\0';
        if (cd->fmt == F_FLOAT)
            ok = ok && (float)dw == strtof(b, NULL);
        else
            ok = ok && dw == dg;
        free(a);
        free(b);
        return ok;
    }
    return want->n == got->n && memcmp(want->p, got->p, want->n) == 0;
}

static void compare_table(struct ctx *c, struct table *t)
{
    struct sb b = {0};
    /* rows */
    long rows_bad = 0;
    for (size_t i = 0; i < t->want.n; i++) {
        struct row *w = &t->want.r[i];
        if (!rs_find(&t->got, w->key, w->keylen)) {
            sb_reset(&b);
            sb_printf(&b, "%s pk=", t->def->name);
            show_pk(&b, t, w->v);
            sb_puts(&b, ": row is in the table but not in the replayed dump");
            mismatch(&rows_bad, "%s", b.p);
        }
    }
    for (size_t i = 0; i < t->got.n; i++) {
        struct row *g = &t->got.r[i];
        if (!rs_find(&t->want, g->key, g->keylen)) {
            sb_reset(&b);
            sb_printf(&b, "%s pk=", t->def->name);
            show_pk(&b, t, g->v);
            sb_puts(&b, ": row is in the replayed dump but not in the table");
            mismatch(&rows_bad, "%s", b.p);
        }
    }
    sb_reset(&b);
    sb_printf(&b, "%s: rows missing or extra", t->def->name);
    mismatch_total(rows_bad, b.p);
    sb_reset(&b);
    sb_printf(&b, "%s: changes that do not apply to the replayed rows", t->def->name);
    mismatch_total(t->replay_bad, b.p);
    sb_reset(&b);
    sb_printf(&b, "%s: image columns against binlog_row_image=%s", t->def->name, c->row_image);
    mismatch_total(t->shape_bad, b.p);
    sb_reset(&b);
    sb_printf(&b, "%s: before-images that differ from the replayed rows", t->def->name);
    mismatch_total(t->before_bad, b.p);
    check(c, rows_bad == 0 && t->replay_bad == 0);
    check(c, t->shape_bad == 0);
    check(c, t->before_bad == 0);

    /* columns */
    for (int k = 0; k < t->ncols; k++) {
        const struct coldef *cd = &t->def->cols[k];
        int num = numeric(c, cd);
        long bad = 0, compared = 0;
        if ((cd->flags & C_VIRT) && strcmp(c->row_image, "MINIMAL") == 0)
            continue; /* never logged; check_shape verified its absence */
        for (size_t i = 0; i < t->want.n; i++) {
            struct row *w = &t->want.r[i];
            struct row *g = rs_find(&t->got, w->key, w->keylen);
            if (!g)
                continue;
            compared++;
            if (g->v[k].st != V_ABSENT && values_equal(cd, num, &w->v[k], &g->v[k]))
                continue;
            sb_reset(&b);
            sb_printf(&b, "%s pk=", t->def->name);
            show_pk(&b, t, w->v);
            sb_printf(&b, " %s: expected ", cd->name);
            val_show(&b, &w->v[k]);
            sb_puts(&b, ", got ");
            val_show(&b, &g->v[k]);
            if (g->v[k].st == V_ABSENT)
                sb_puts(&b, " (no image ever carried this column)");
            mismatch(&bad, "%s", b.p);
        }
        (void)compared;
        sb_reset(&b);
        sb_printf(&b, "%s %s: rows that differ", t->def->name, cd->name);
        mismatch_total(bad, b.p);
        check(c, bad == 0);
    }
    free(b.p);
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: integ_differential --port N --binlogd PATH [--host H] [--user U]\n"
            "         [--password P] [--socket S] [--database DB] [--binlog-dir DIR]\n"
            "         [--config NAME] [--skip T1,T2] [--save-dump FILE]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static struct ctx c;
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *host = "127.0.0.1", *user = "root", *password = "", *sock = NULL;
    const char *skip = getenv("DIFF_SKIP");
    unsigned port = 0;
    c.db = "difftest";
    c.config = "default";
    c.rng = 0x9E3779B97F4A7C15ull;

    static const struct option opts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'P'},
        {"user", required_argument, NULL, 'u'},
        {"password", required_argument, NULL, 'p'},
        {"socket", required_argument, NULL, 'S'},
        {"database", required_argument, NULL, 'D'},
        {"binlog-dir", required_argument, NULL, 'b'},
        {"binlogd", required_argument, NULL, 'x'},
        {"config", required_argument, NULL, 'n'},
        {"skip", required_argument, NULL, 's'},
        {"save-dump", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "h:P:u:p:S:D:b:x:n:s:o:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'P': port = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'u': user = optarg; break;
        case 'p': password = optarg; break;
        case 'S': sock = optarg; break;
        case 'D': c.db = optarg; break;
        case 'b': c.binlog_dir = optarg; break;
        case 'x': c.binlogd = optarg; break;
        case 'n': c.config = optarg; break;
        case 's': skip = optarg; break;
        case 'o': c.save_dump = optarg; break;
        default: usage();
        }
    }
    if (optind != argc || !c.binlogd || (!port && !sock))
        usage();
    if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0 && strcmp(host, "::1"))
        die("refusing to run against %s: this test drops and creates databases; loopback only",
            host);
    if (access(c.binlogd, X_OK) != 0)
        die("%s is not executable (build it first: make build/binlogd)", c.binlogd);

    for (size_t i = 0; i < NTABLES; i++) {
        struct table *t = &c.tables[i];
        t->def = &tabledefs[i];
        while (t->def->cols[t->ncols].name)
            t->ncols++;
        if (skip) {
            size_t nl = strlen(t->def->name);
            for (const char *s = skip; (s = strstr(s, t->def->name)); s += nl)
                if ((s == skip || s[-1] == ',') && (s[nl] == ',' || s[nl] == '\0'))
                    t->skipped = 1;
        }
    }

    c.my = mysql_init(NULL);
    if (!c.my)
        die("mysql_init failed");
    mysql_options(c.my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    unsigned long maxpkt = 256ul << 20;
    mysql_options(c.my, MYSQL_OPT_MAX_ALLOWED_PACKET, &maxpkt);
    if (!mysql_real_connect(c.my, host, user, password, NULL, port, sock, 0))
        die("cannot connect to %s:%u as %s: %s", host, port, user, mysql_error(c.my));

    qs(&c, "SET SESSION sql_mode=''");
    qs(&c, "SET SESSION time_zone='+00:00'");
    char *v;
    v = q1(&c, "SELECT @@binlog_row_image");
    snprintf(c.row_image, sizeof c.row_image, "%s", v);
    free(v);
    v = q1(&c, "SELECT @@binlog_row_metadata");
    snprintf(c.row_metadata, sizeof c.row_metadata, "%s", v);
    free(v);
    c.meta_full = strcmp(c.row_metadata, "FULL") == 0;
    if (strcmp(c.row_metadata, "FULL") && strcmp(c.row_metadata, "MINIMAL"))
        die("binlog_row_metadata=%s: this test needs FULL or MINIMAL (signedness and charsets)",
            c.row_metadata);
    v = q1(&c, "SELECT @@binlog_format");
    if (strcmp(v, "ROW"))
        die("binlog_format=%s: this test needs ROW", v);
    free(v);
    char *basename_ = q1(&c, "SELECT @@log_bin_basename");
    char *dir_from_server = NULL;
    if (!c.binlog_dir) {
        char *slash = strrchr(basename_, '/');
        if (!slash)
            die("cannot tell the binlog directory from log_bin_basename=%s", basename_);
        dir_from_server = xstrndup(basename_, (size_t)(slash - basename_));
        c.binlog_dir = dir_from_server;
    }
    char *version = q1(&c, "SELECT VERSION()");
    char *compress = q1(&c, "SELECT @@log_bin_compress");
    printf("config %s: MariaDB %s, binlog_row_image=%s binlog_row_metadata=%s "
           "log_bin_compress=%s, binlogs in %s\n",
           c.config, version, c.row_image, c.row_metadata, compress, c.binlog_dir);
    free(version);
    free(compress);
    free(basename_);

    struct sb b = {0};
    sb_printf(&b, "DROP DATABASE IF EXISTS `%s`", c.db);
    q(&c, b.p, b.n);
    qs(&c, "FLUSH BINARY LOGS");
    char *first;
    if (mysql_query(c.my, "SHOW MASTER STATUS"))
        die("SHOW MASTER STATUS: %s", mysql_error(c.my));
    MYSQL_RES *r = mysql_store_result(c.my);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    if (!row || !row[0])
        die("SHOW MASTER STATUS returned nothing: is log_bin on?");
    first = xstrndup(row[0], strlen(row[0]));
    mysql_free_result(r);

    sb_reset(&b);
    sb_printf(&b, "CREATE DATABASE `%s` DEFAULT CHARSET utf8mb4", c.db);
    q(&c, b.p, b.n);
    if (mysql_select_db(c.my, c.db))
        die("USE %s: %s", c.db, mysql_error(c.my));
    create_tables(&c);
    run_workload(&c);
    qs(&c, "FLUSH BINARY LOGS");

    int nfiles;
    char **files = binlog_files(&c, first, &nfiles);
    for (size_t i = 0; i < NTABLES; i++) {
        struct table *t = &c.tables[i];
        if (t->skipped)
            continue;
        load_schema(&c, t);
        load_expected(&c, t);
    }

    int dump_ok = run_dump(&c, files, nfiles);
    check(&c, dump_ok);
    mismatch_total(c.envelope_bad, "envelope problems");
    check(&c, c.envelope_bad == 0);
    for (size_t i = 0; i < NTABLES; i++) {
        struct table *t = &c.tables[i];
        if (t->skipped) {
            printf("  %-14s skipped\n", t->def->name);
            continue;
        }
        compare_table(&c, t);
        printf("  %-14s %4zu rows in table, %4zu replayed (%ld c, %ld u, %ld d)\n", t->def->name,
               t->want.n, t->got.n, t->n_c, t->n_u, t->n_d);
    }
    printf("config %s: %ld dump lines, %ld row changes (%ld in other databases)\n", c.config,
           c.lines, c.row_lines, c.other_db_lines);
    printf("config %s: %ld passed, %ld failed\n", c.config, c.passed, c.failed);

    for (size_t i = 0; i < NTABLES; i++) {
        struct table *t = &c.tables[i];
        rs_free(&t->want, t->ncols);
        rs_free(&t->got, t->ncols);
        free(t->ordmap);
    }
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free(first);
    free(dir_from_server);
    free(b.p);
    mysql_close(c.my);
    mysql_library_end();
    return c.failed ? 1 : 0;
}
