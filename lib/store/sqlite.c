/*
 * The SQLite back end: one struct fw_store is one sqlite3 connection in WAL mode with every statement
 * prepared once at open. Readers never block; writers take the write lock up front (BEGIN IMMEDIATE) and
 * wait up to the busy timeout, so connections on one file (one per server thread) serialize, never deadlock.
 * Embargoed columns are sealed here, on the way in, and opened on the way out (docs/security.md).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sqlite3.h>
#include "forewarn/crypto.h"
#include "store/store_impl.h"

#define BUSY_TIMEOUT_MS 5000
#define SCHEMA_VERSION  "1"
#define META_MAX        1024
#define SEAL_OVH        "45" /* FW_SEAL_OVERHEAD, for the SQL below */
_Static_assert(FW_SEAL_OVERHEAD == 45, "SEAL_OVH");

static const char schema_meta[] =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);";

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS partners(id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,"
    " country TEXT NOT NULL, tier TEXT NOT NULL, entitlements INTEGER NOT NULL,"
    " nda_version TEXT NOT NULL, nda_signed TEXT NOT NULL, contact_email TEXT NOT NULL,"
    " status INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tokens(id TEXT PRIMARY KEY NOT NULL, partner_id TEXT NOT NULL,"
    " hash BLOB NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0,"
    " expires_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS tokens_partner ON tokens(partner_id, created_at);"
    "CREATE TABLE IF NOT EXISTS tiers(name TEXT PRIMARY KEY NOT NULL, lead INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS rules(id TEXT PRIMARY KEY NOT NULL, description TEXT NOT NULL,"
    " countries TEXT NOT NULL, max_lead INTEGER NOT NULL, parts INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS advisories(id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL,"
    " cves TEXT NOT NULL, products TEXT NOT NULL, cvss_v3 TEXT NOT NULL, cvss_score REAL,"
    " cvss_severity TEXT NOT NULL, status INTEGER NOT NULL, public_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, revision INTEGER NOT NULL,"
    " parts INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL DEFAULT 9223372036854775807);"
    "CREATE INDEX IF NOT EXISTS advisories_due ON advisories(due);"
    "CREATE TABLE IF NOT EXISTS revisions(advisory_id TEXT NOT NULL REFERENCES advisories(id),"
    " number INTEGER NOT NULL, created_at INTEGER NOT NULL, note TEXT NOT NULL,"
    " summary TEXT, details TEXT, detection TEXT, poc TEXT, PRIMARY KEY(advisory_id, number));"
    "CREATE TABLE IF NOT EXISTS deliveries(partner_id TEXT NOT NULL REFERENCES partners(id),"
    " advisory_id TEXT NOT NULL REFERENCES advisories(id), revision INTEGER NOT NULL,"
    " parts INTEGER NOT NULL, due_at INTEGER NOT NULL, delivered_ms INTEGER NOT NULL,"
    " UNIQUE(partner_id, advisory_id, revision, parts));"
    "CREATE INDEX IF NOT EXISTS deliveries_advisory ON deliveries(advisory_id, delivered_ms);"
    "CREATE INDEX IF NOT EXISTS deliveries_partner ON deliveries(partner_id, advisory_id, delivered_ms);"
    /* A download is its own event: id is its seq in the events' sequence, and the events list shows it
     * (rows with sha256 NULL predate this: their events are rows of events). */
    "CREATE TABLE IF NOT EXISTS downloads(id INTEGER PRIMARY KEY, partner_id TEXT NOT NULL,"
    " advisory_id TEXT NOT NULL REFERENCES advisories(id), revision INTEGER NOT NULL,"
    " parts INTEGER NOT NULL, what TEXT NOT NULL, address TEXT NOT NULL, at_ms INTEGER NOT NULL,"
    " sha256 BLOB, sealed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS downloads_advisory ON downloads(advisory_id);"
    "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL,"
    " type TEXT NOT NULL, actor TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL);"
    /* hashes: of the complete subtrees the entry is the last leaf of, level 0 first (store.h, docs/log.md) */
    "CREATE TABLE IF NOT EXISTS log_entries(idx INTEGER PRIMARY KEY, entry BLOB NOT NULL,"
    " hashes BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);";

/* The tables of secure delivery, in the same transaction (one string each: C99 bounds string literals). */
static const char schema_delivery[] =
    /* Partners' client certificates by fingerprint, and how each partner must authenticate
       (docs/security.md). */
    "CREATE TABLE IF NOT EXISTS partner_certs(fingerprint TEXT PRIMARY KEY NOT NULL,"
    " partner_id TEXT NOT NULL REFERENCES partners(id), subject TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " revoked_at INTEGER NOT NULL DEFAULT 0, not_after INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS partner_certs_partner ON partner_certs(partner_id, created_at);"
    "CREATE TABLE IF NOT EXISTS partner_auth(partner_id TEXT PRIMARY KEY NOT NULL REFERENCES partners(id),"
    " mode INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS webhooks(partner_id TEXT PRIMARY KEY NOT NULL REFERENCES partners(id),"
    " url TEXT NOT NULL, nonce TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS webhook_content(partner_id TEXT PRIMARY KEY NOT NULL REFERENCES partners(id),"
    " content INTEGER NOT NULL);"
    /* Who registered it: the operator's may lead anywhere, a partner's own only to public addresses. */
    "CREATE TABLE IF NOT EXISTS webhook_origin(partner_id TEXT PRIMARY KEY NOT NULL REFERENCES partners(id),"
    " by_operator INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY, key TEXT NOT NULL,"
    " partner_id TEXT NOT NULL, advisory_id TEXT NOT NULL, revision INTEGER NOT NULL, parts INTEGER NOT NULL,"
    " state INTEGER NOT NULL, tries INTEGER NOT NULL, created_ms INTEGER NOT NULL, next_ms INTEGER NOT NULL,"
    " done_ms INTEGER NOT NULL, last_status INTEGER NOT NULL, last_error TEXT NOT NULL,"
    " payload TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_ms);"
    "CREATE INDEX IF NOT EXISTS outbox_partner ON outbox(partner_id, id);"
    /* Partners' sealing keys (X25519), to which their copies can be sealed. */
    "CREATE TABLE IF NOT EXISTS seal_keys(partner_id TEXT PRIMARY KEY NOT NULL REFERENCES partners(id),"
    " public_key BLOB NOT NULL, created_at INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '" SCHEMA_VERSION "');"
    "COMMIT;";

enum {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_META_GET,
	S_META_SET,
	S_PARTNER_INSERT,
	S_PARTNER_UPDATE,
	S_PARTNER_GET,
	S_PARTNER_EACH,
	S_TOKEN_INSERT,
	S_TOKEN_FIND,
	S_TOKEN_REVOKE,
	S_TOKEN_REVOKE_ALL,
	S_TOKEN_EACH,
	S_TOKEN_EACH_ALL,
	S_TIERS_GET,
	S_TIERS_CLEAR,
	S_TIER_INSERT,
	S_RULES_GET,
	S_RULES_CLEAR,
	S_RULE_INSERT,
	S_ADV_INSERT,
	S_ADV_UPDATE,
	S_ADV_GET,
	S_ADV_EACH,
	S_ADV_EACH_VISIBLE,
	S_ADV_SET_DUE,
	S_ADV_SET_DUE_ALL,
	S_ADV_DUE_SAME,
	S_ADV_DUE_LATER,
	S_ADV_NEXT_DUE,
	S_REV_INSERT,
	S_REV_GET,
	S_REV_EACH,
	S_DELIVERY_INSERT,
	S_DELIVERY_EACH,
	S_DELIVERY_EACH_PARTNER,
	S_DOWNLOAD_INSERT,
	S_DOWNLOAD_EACH,
	S_EVENT_INSERT,
	S_EVENT_EACH,
	S_EVENT_NEXT_SEQ,
	S_LOG_SIZE,
	S_LOG_APPEND,
	S_LOG_ENTRY_EACH,
	S_LOG_LEAF_EACH,
	S_LOG_NODE_GET,
	S_CHECKPOINT_PUT,
	S_CHECKPOINT_LATEST,
	S_CHECKPOINT_GET,
	S_CERT_INSERT,
	S_CERT_GET,
	S_CERT_REVOKE,
	S_CERT_EACH,
	S_AUTH_GET,
	S_AUTH_SET,
	S_WEBHOOK_PUT,
	S_WEBHOOK_GET,
	S_WEBHOOK_DELETE,
	S_WEBHOOK_CONTENT_SET,
	S_WEBHOOK_CONTENT_DELETE,
	S_WEBHOOK_ORIGIN_SET,
	S_WEBHOOK_ORIGIN_DELETE,
	S_OUTBOX_INSERT,
	S_OUTBOX_GET,
	S_OUTBOX_UPDATE,
	S_OUTBOX_EACH,
	S_OUTBOX_DUE,
	S_OUTBOX_NEXT_DUE,
	S_SEAL_KEY_PUT,
	S_SEAL_KEY_GET,
	S_SEAL_KEY_DELETE,
	NSTMT
};

#define PARTNER_COLS                                                                                         \
	"id, name, country, tier, entitlements, nda_version, nda_signed, contact_email, status, created_at," \
	" updated_at"
#define TOKEN_COLS "id, partner_id, created_at, revoked_at, expires_at"
#define ADV_COLS                                                                                             \
	"id, title, cves, products, cvss_v3, cvss_score, cvss_severity, status, public_at, created_at,"      \
	" updated_at, revision, parts"
#define DELIV_COLS   "partner_id, advisory_id, revision, parts, due_at, delivered_ms"
#define DL_COLS      "partner_id, advisory_id, revision, parts, what, address, at_ms"
#define CERT_COLS    "fingerprint, partner_id, subject, created_at, revoked_at, not_after"
#define WEBHOOK_COLS "partner_id, url, nonce, created_at, updated_at"
#define OUTBOX_COLS                                                                                          \
	"id, key, partner_id, advisory_id, revision, parts, state, tries, created_ms, next_ms, done_ms,"     \
	" last_status, last_error, payload"

static const char *const sqls[NSTMT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT fw_call",
    [S_RELEASE] = "RELEASE fw_call",
    [S_ROLLBACK_TO] = "ROLLBACK TO fw_call",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_META_SET] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [S_PARTNER_INSERT] =
        "INSERT INTO partners(" PARTNER_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_PARTNER_UPDATE] =
        "UPDATE partners SET name = ?2, country = ?3, tier = ?4, entitlements = ?5, nda_version = ?6,"
        " nda_signed = ?7, contact_email = ?8, status = ?9, created_at = ?10, updated_at = ?11"
        " WHERE id = ?1",
    [S_PARTNER_GET] = "SELECT " PARTNER_COLS " FROM partners WHERE id = ?1",
    [S_PARTNER_EACH] = "SELECT " PARTNER_COLS " FROM partners ORDER BY id",
    [S_TOKEN_INSERT] = "INSERT INTO tokens(id, partner_id, hash, created_at, revoked_at, expires_at)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_TOKEN_FIND] = "SELECT " TOKEN_COLS " FROM tokens WHERE hash = ?1 AND revoked_at = 0",
    [S_TOKEN_REVOKE] =
        "UPDATE tokens SET revoked_at = ?3 WHERE partner_id = ?1 AND id = ?2 AND revoked_at = 0",
    [S_TOKEN_REVOKE_ALL] = "UPDATE tokens SET revoked_at = ?2 WHERE partner_id = ?1 AND revoked_at = 0",
    [S_TOKEN_EACH] = "SELECT " TOKEN_COLS " FROM tokens WHERE partner_id = ?1 ORDER BY created_at, id",
    [S_TOKEN_EACH_ALL] = "SELECT " TOKEN_COLS " FROM tokens ORDER BY created_at, id",
    [S_TIERS_GET] = "SELECT name, lead FROM tiers ORDER BY name",
    [S_TIERS_CLEAR] = "DELETE FROM tiers",
    [S_TIER_INSERT] = "INSERT INTO tiers(name, lead) VALUES(?1, ?2)",
    [S_RULES_GET] = "SELECT id, description, countries, max_lead, parts FROM rules ORDER BY id",
    [S_RULES_CLEAR] = "DELETE FROM rules",
    [S_RULE_INSERT] =
        "INSERT INTO rules(id, description, countries, max_lead, parts) VALUES(?1, ?2, ?3, ?4, ?5)",
    [S_ADV_INSERT] = "INSERT INTO advisories(" ADV_COLS ")"
                     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [S_ADV_UPDATE] =
        "UPDATE advisories SET title = ?2, cves = ?3, products = ?4, cvss_v3 = ?5, cvss_score = ?6,"
        " cvss_severity = ?7, status = ?8, public_at = ?9, created_at = ?10, updated_at = ?11,"
        " revision = ?12, parts = ?13 WHERE id = ?1",
    [S_ADV_GET] = "SELECT " ADV_COLS " FROM advisories WHERE id = ?1",
    [S_ADV_EACH] = "SELECT " ADV_COLS " FROM advisories ORDER BY id",
    [S_ADV_EACH_VISIBLE] = "SELECT " ADV_COLS " FROM advisories WHERE status NOT IN (0, 3) ORDER BY id",
    [S_ADV_SET_DUE] = "UPDATE advisories SET due = ?2 WHERE id = ?1",
    [S_ADV_SET_DUE_ALL] = "UPDATE advisories SET due = ?1 WHERE status IN (1, 2)",
    /* each_due walks (due, rowid) one row at a time: the next one with the same due, else a later due */
    [S_ADV_DUE_SAME] = "SELECT " ADV_COLS ", due, rowid FROM advisories WHERE due = ?2 AND rowid > ?3"
                       " AND due <= ?1 ORDER BY rowid LIMIT 1",
    [S_ADV_DUE_LATER] = "SELECT " ADV_COLS ", due, rowid FROM advisories WHERE due > ?2 AND due <= ?1"
                        " ORDER BY due, rowid LIMIT 1",
    [S_ADV_NEXT_DUE] = "SELECT MIN(due) FROM advisories",
    [S_REV_INSERT] =
        "INSERT INTO revisions(advisory_id, number, created_at, note, summary, details, detection,"
        " poc) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_REV_GET] = "SELECT advisory_id, number, created_at, note, summary, details, detection, poc"
                  " FROM revisions WHERE advisory_id = ?1 AND number = ?2",
    /*
     * Metadata only, with the parts present as a mask (as fw_revision_parts: non-empty texts). A sealed part
     * is longer than the sealing overhead exactly when its text is not empty.
     * (SQLite gives | and << the same precedence: every shift is parenthesised.)
     */
    [S_REV_EACH] =
        "SELECT advisory_id, number, created_at, note, (coalesce(length(summary), 0) > " SEAL_OVH ")"
        " | ((coalesce(length(details), 0) > " SEAL_OVH ") << 1)"
        " | ((coalesce(length(detection), 0) > " SEAL_OVH ") << 2)"
        " | ((coalesce(length(poc), 0) > " SEAL_OVH ") << 3) FROM revisions WHERE advisory_id = ?1"
        " ORDER BY number",
    [S_DELIVERY_INSERT] = "INSERT OR IGNORE INTO deliveries(" DELIV_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_DELIVERY_EACH] =
        "SELECT " DELIV_COLS " FROM deliveries WHERE advisory_id = ?1 ORDER BY delivered_ms, rowid",
    [S_DELIVERY_EACH_PARTNER] = "SELECT " DELIV_COLS " FROM deliveries WHERE advisory_id = ?1"
                                " AND partner_id = ?2 ORDER BY delivered_ms, rowid",
    [S_DOWNLOAD_INSERT] = "INSERT INTO downloads(" DL_COLS
                          ", sha256, id, sealed) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_DOWNLOAD_EACH] = "SELECT " DL_COLS " FROM downloads WHERE advisory_id = ?1 ORDER BY id",
    [S_EVENT_INSERT] =
        "INSERT INTO events(at_ms, type, actor, subject, detail, seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_EVENT_NEXT_SEQ] = "SELECT max(coalesce((SELECT max(seq) FROM events), 0),"
                         " coalesce((SELECT max(id) FROM downloads), 0)) + 1",
    [S_LOG_SIZE] = "SELECT coalesce(max(idx) + 1, 0) FROM log_entries",
    [S_LOG_APPEND] = "INSERT INTO log_entries(idx, entry, hashes) VALUES(?1, ?2, ?3)",
    [S_LOG_ENTRY_EACH] = "SELECT idx, entry FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
    [S_LOG_LEAF_EACH] =
        "SELECT idx, entry, hashes FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
    [S_LOG_NODE_GET] = "SELECT hashes FROM log_entries WHERE idx = ?1",
    [S_CHECKPOINT_PUT] = "INSERT OR IGNORE INTO checkpoints(size, note) VALUES(?1, ?2)",
    [S_CHECKPOINT_LATEST] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
    [S_CHECKPOINT_GET] = "SELECT size, note FROM checkpoints WHERE size = ?1",
    /* Events and downloads merged by seq (two rowid scans, no sort); a download's row as its event. */
    [S_EVENT_EACH] =
        "SELECT seq, at_ms, type, actor, subject, detail FROM events WHERE seq > ?1"
        " UNION ALL SELECT id, at_ms, 'download', 'partner:' || partner_id, advisory_id || '/' || partner_id,"
        " CASE WHEN sealed THEN json_object('what', what, 'address', address, 'revision', revision,"
        " 'sha256', lower(hex(sha256)), 'sealed', 'true') ELSE json_object('what', what, 'address', address,"
        " 'revision', revision, 'sha256', lower(hex(sha256))) END"
        " FROM downloads WHERE id > ?1 AND sha256 IS NOT NULL ORDER BY 1 LIMIT ?2",
    [S_CERT_INSERT] = "INSERT INTO partner_certs(" CERT_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_CERT_GET] = "SELECT " CERT_COLS " FROM partner_certs WHERE fingerprint = ?1",
    [S_CERT_REVOKE] = "UPDATE partner_certs SET revoked_at = ?3 WHERE partner_id = ?1 AND fingerprint = ?2"
                      " AND revoked_at = 0",
    [S_CERT_EACH] =
        "SELECT " CERT_COLS " FROM partner_certs WHERE partner_id = ?1 ORDER BY created_at, fingerprint",
    [S_AUTH_GET] = "SELECT mode FROM partner_auth WHERE partner_id = ?1",
    [S_AUTH_SET] = "INSERT INTO partner_auth(partner_id, mode) VALUES(?1, ?2)"
                   " ON CONFLICT(partner_id) DO UPDATE SET mode = excluded.mode",
    [S_WEBHOOK_PUT] = "INSERT INTO webhooks(" WEBHOOK_COLS ") VALUES(?1, ?2, ?3, ?4, ?5)"
                      " ON CONFLICT(partner_id) DO UPDATE SET url = excluded.url, nonce = excluded.nonce,"
                      " updated_at = excluded.updated_at",
    [S_WEBHOOK_GET] = "SELECT " WEBHOOK_COLS ", (SELECT content FROM webhook_content c"
                      " WHERE c.partner_id = webhooks.partner_id), (SELECT by_operator FROM webhook_origin o"
                      " WHERE o.partner_id = webhooks.partner_id) FROM webhooks WHERE partner_id = ?1",
    [S_WEBHOOK_DELETE] = "DELETE FROM webhooks WHERE partner_id = ?1",
    [S_WEBHOOK_CONTENT_SET] = "INSERT INTO webhook_content(partner_id, content) VALUES(?1, ?2)"
                              " ON CONFLICT(partner_id) DO UPDATE SET content = excluded.content",
    [S_WEBHOOK_CONTENT_DELETE] = "DELETE FROM webhook_content WHERE partner_id = ?1",
    [S_WEBHOOK_ORIGIN_SET] = "INSERT INTO webhook_origin(partner_id, by_operator) VALUES(?1, ?2)"
                             " ON CONFLICT(partner_id) DO UPDATE SET by_operator = excluded.by_operator",
    [S_WEBHOOK_ORIGIN_DELETE] = "DELETE FROM webhook_origin WHERE partner_id = ?1",
    [S_OUTBOX_INSERT] = "INSERT INTO outbox(key, partner_id, advisory_id, revision, parts, state, tries,"
                        " created_ms, next_ms, done_ms, last_status, last_error, payload)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [S_OUTBOX_GET] = "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?1",
    [S_OUTBOX_UPDATE] = "UPDATE outbox SET state = ?2, tries = ?3, next_ms = ?4, done_ms = ?5,"
                        " last_status = ?6, last_error = ?7 WHERE id = ?1",
    [S_OUTBOX_EACH] = "SELECT " OUTBOX_COLS " FROM outbox WHERE (?1 < 0 OR state = ?1)"
                      " AND (?2 IS NULL OR partner_id = ?2) ORDER BY id LIMIT ?3 OFFSET ?4",
    [S_OUTBOX_DUE] = "SELECT " OUTBOX_COLS " FROM outbox WHERE state = 0 AND next_ms <= ?1"
                     " ORDER BY next_ms, id LIMIT ?2",
    [S_OUTBOX_NEXT_DUE] = "SELECT MIN(next_ms) FROM outbox WHERE state = 0",
    [S_SEAL_KEY_PUT] = "INSERT INTO seal_keys(partner_id, public_key, created_at)"
                       " SELECT ?1, ?2, ?3 FROM partners WHERE id = ?1"
                       " ON CONFLICT(partner_id) DO UPDATE SET public_key = excluded.public_key,"
                       " created_at = excluded.created_at",
    [S_SEAL_KEY_GET] = "SELECT public_key, created_at FROM seal_keys WHERE partner_id = ?1",
    [S_SEAL_KEY_DELETE] = "DELETE FROM seal_keys WHERE partner_id = ?1",
};

struct sq {
	struct fw_store base; /* first: struct fw_store * and struct sq * convert */
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
	int tx;                  /* between fw_store_begin and commit or rollback */
	uint64_t tx_serial;      /* this transaction's number, unique in the process (fw_store_tx_serial) */
	struct fw_data_key *key; /* seals and opens the embargoed columns; NULL until set */
	struct fw_data_key *next_key; /* set by rekey: the key once its transaction commits */
	uint64_t log_tx;              /* the transaction in which log_next was last known (0: none) */
	uint64_t log_next;            /* the log's size as this transaction's appends left it */
	uint64_t seq_tx;              /* likewise for seq_next, the next event's seq */
	int64_t seq_next;
};

static struct sq *conn(struct fw_store *s)
{
	return (struct sq *)s;
}

/* fwerr: the FW_E* code for an SQLite (extended) result code. */
static int fwerr(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return FW_EBUSY;
	case SQLITE_NOMEM:
		return FW_ENOMEM;
	case SQLITE_TOOBIG:
		return FW_ETOOBIG;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return FW_EEXIST;
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return FW_ENOENT;
		return FW_EIO;
	default:
		return FW_EIO;
	}
}

/*
 * Binding: each helper records the first failure in *b, so a statement's bindings are checked once.
 * Strings are bound in place (SQLITE_STATIC) up to size - 1 bytes: a field is never read past its end.
 */
static void btext(sqlite3_stmt *st, int i, const char *s, size_t size, int *b)
{
	if (*b != SQLITE_OK)
		return;
	if (!s)
		*b = sqlite3_bind_null(st, i);
	else
		*b = sqlite3_bind_text64(st, i, s, strnlen(s, size - 1), SQLITE_STATIC, SQLITE_UTF8);
}

static void bint(sqlite3_stmt *st, int i, int64_t v, int *b)
{
	if (*b == SQLITE_OK)
		*b = sqlite3_bind_int64(st, i, v);
}

static void bblob(sqlite3_stmt *st, int i, const void *p, int n, int *b)
{
	if (*b == SQLITE_OK)
		*b = sqlite3_bind_blob(st, i, p, n, SQLITE_STATIC);
}

/* done: makes a statement ready for its next use (and drops pointers to the caller's data). */
static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* step: the next row of a statement whose bindings gave b: 1 for a row, 0 at the end, or an FW_E* code. */
static int step(sqlite3_stmt *st, int b)
{
	int rc = b != SQLITE_OK ? b : sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : fwerr(rc);
}

/* fetch: steps a one-row query: 0 with the row ready, FW_ENOENT, or an error. The caller calls done(). */
static int fetch(sqlite3_stmt *st, int b)
{
	int rc = step(st, b);

	return rc == 1 ? 0 : rc == 0 ? FW_ENOENT : rc;
}

/* run: executes a write statement and resets it; *ret_changes (may be NULL) gets the rows changed. */
static int run(struct sq *q, sqlite3_stmt *st, int b, int *ret_changes)
{
	int rc;

	/* SQLite rolled the caller's transaction back (I/O error, disk full): never write outside it */
	if (q->tx && sqlite3_get_autocommit(q->db)) {
		done(st);
		return FW_EIO;
	}
	if ((rc = step(st, b)) >= 0) {
		if (ret_changes)
			*ret_changes = sqlite3_changes(q->db);
		rc = 0;
	}
	done(st);
	return rc;
}

/* copy: src[0..n) into dst of size dstsz (> 0), cut to fit, NUL-terminated. */
static void copy(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ctext: column i as a string into dst (NULL reads as ""); a longer value is cut, never overflowing. */
static void ctext(sqlite3_stmt *st, int i, char *dst, size_t dstsz)
{
	const char *p = (const char *)sqlite3_column_text(st, i);

	copy(dst, dstsz, p ? p : "", p ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

static int64_t cint(sqlite3_stmt *st, int i)
{
	return sqlite3_column_int64(st, i);
}

/*
 * join: n strings stored `stride` bytes apart, separated by sep, into out (at least n * stride bytes).
 * FW_EINVAL if a string holds sep: it would not split back.
 */
static int join(const char *items, size_t stride, size_t n, char sep, char *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		const char *it = items + i * stride;
		size_t k = strnlen(it, stride - 1);

		if (memchr(it, sep, k))
			return FW_EINVAL;
		if (i)
			out[len++] = sep;
		memcpy(out + len, it, k);
		len += k;
	}
	out[len] = '\0';
	return 0;
}

/* split: the inverse of join, from len bytes at s into at most max strings of stride bytes: the count. */
static size_t split(const char *s, size_t len, char sep, char *items, size_t stride, size_t max)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	while (n < max) {
		const char *e = memchr(s, sep, len);
		size_t k = e ? (size_t)(e - s) : len;

		copy(items + n++ * stride, stride, s, k);
		if (!e)
			break;
		s = e + 1;
		len -= k + 1;
	}
	return n;
}

/* csplit: split of column i. */
static size_t csplit(sqlite3_stmt *st, int i, char sep, char *items, size_t stride, size_t max)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return split(s, s ? (size_t)sqlite3_column_bytes(st, i) : 0, sep, items, stride, max);
}

/*
 * Sealed values (docs/security.md): each embargoed column holds an fw_data_seal blob whose context names its
 * row and column ("advisory:ID:title", "revision:ID:N:poc"), so a value copied into another row or column
 * does not open. A blob is sealed before its statement binds it and freed after the statement ran.
 */
#define CTX_MAX 160

struct blob {
	unsigned char *p;
	size_t n;
};

static const struct fw_data_key *cur_key(struct sq *q)
{
	return q->next_key ? q->next_key : q->key;
}

/* put: appends the n bytes at p to out at *len. (Contexts are built on every read: no printf here.) */
static void put(char *out, size_t *len, const char *p, size_t n)
{
	memcpy(out + *len, p, n);
	*len += n;
}

/* make_ctx: "KIND:ID:COL", or "KIND:ID:NUMBER:COL" when number >= 0, NUL-terminated. */
static void make_ctx(char out[CTX_MAX], const char *kind, const char *id, int64_t number, const char *col)
{
	char digits[24];
	size_t len = 0, nd = 0;
	uint64_t v = (uint64_t)number;

	put(out, &len, kind, strlen(kind));
	put(out, &len, ":", 1);
	put(out, &len, id, strnlen(id, FW_ID_MAX));
	put(out, &len, ":", 1);
	if (number >= 0) {
		do
			digits[sizeof(digits) - ++nd] = (char)('0' + v % 10);
		while ((v /= 10) != 0);
		put(out, &len, digits + sizeof(digits) - nd, nd);
		put(out, &len, ":", 1);
	}
	put(out, &len, col, strlen(col));
	out[len] = '\0';
}

static void adv_ctx(char out[CTX_MAX], const char *id, const char *col)
{
	make_ctx(out, "advisory", id, -1, col);
}

static void rev_ctx(char out[CTX_MAX], const char *id, int64_t number, const char *col)
{
	make_ctx(out, "revision", id, number < 0 ? 0 : number, col);
}

/* seal: n bytes at m sealed under k for ctx into *b (malloc'd). FW_ECRYPTO without a key. */
static int seal(const struct fw_data_key *k, const char *ctx, const void *m, size_t n, struct blob *b)
{
	int rc;

	if (!k)
		return FW_ECRYPTO;
	if (n > INT_MAX - FW_SEAL_OVERHEAD) /* sqlite3_bind_blob takes an int */
		return FW_ETOOBIG;
	if (!(b->p = malloc(n + FW_SEAL_OVERHEAD)))
		return FW_ENOMEM;
	b->n = n + FW_SEAL_OVERHEAD;
	if ((rc = fw_data_seal(k, ctx, strlen(ctx), m, n, b->p)) < 0) {
		free(b->p);
		b->p = NULL;
	}
	return rc;
}

/*
 * sealed_len: the text length of column i, a sealed value; FW_ECRYPTO for anything not a blob (a value in
 * clear is refused, never passed on as if it had been sealed) or too short to be one.
 */
static int sealed_len(sqlite3_stmt *st, int i, size_t *ret)
{
	int n;

	if (sqlite3_column_type(st, i) != SQLITE_BLOB)
		return FW_ECRYPTO;
	n = sqlite3_column_bytes(st, i);
	if (n < FW_SEAL_OVERHEAD)
		return FW_ECRYPTO;
	*ret = (size_t)n - FW_SEAL_OVERHEAD;
	return 0;
}

/*
 * unseal_to: column i, a sealed value, opened under k for ctx into out (room for sealed_len + 1 bytes),
 * NUL-terminated. FW_ECRYPTO without a key and for a value that does not open.
 */
static int unseal_to(const struct fw_data_key *k, const char *ctx, sqlite3_stmt *st, int i,
                     unsigned char *out, size_t *ret_n)
{
	const unsigned char *c;
	size_t n;
	int rc;

	if (!k || (rc = sealed_len(st, i, &n)) < 0)
		return FW_ECRYPTO;
	if (!(c = sqlite3_column_blob(st, i)))
		return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? FW_ENOMEM : FW_ECRYPTO;
	if ((rc = fw_data_unseal(k, ctx, strlen(ctx), c, n + FW_SEAL_OVERHEAD, out)) < 0)
		return rc;
	out[n] = '\0';
	*ret_n = n;
	return 0;
}

/* unseal: as unseal_to, into *b: malloc'd and NUL-terminated, b->n text bytes. */
static int unseal(const struct fw_data_key *k, const char *ctx, sqlite3_stmt *st, int i, struct blob *b)
{
	size_t n;
	int rc;

	if (!k || (rc = sealed_len(st, i, &n)) < 0)
		return FW_ECRYPTO;
	if (!(b->p = malloc(n + 1)))
		return FW_ENOMEM;
	if ((rc = unseal_to(k, ctx, st, i, b->p, &b->n)) < 0) {
		free(b->p);
		b->p = NULL;
	}
	return rc;
}

static void blobs_free(struct blob *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].p);
		b[i].p = NULL;
	}
}

/* Transactions. */

/*
 * Writers of this process queue on a mutex before BEGIN IMMEDIATE: SQLite's busy handler sleeps and
 * retries, which under many concurrent writers wastes milliseconds per transaction.
 */
static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;

static int write_begin(struct sq *q)
{
	int rc;

	pthread_mutex_lock(&writer_lock);
	rc = run(q, q->st[S_BEGIN], SQLITE_OK, NULL);
	if (rc < 0)
		pthread_mutex_unlock(&writer_lock);
	return rc;
}

/* Transaction numbers are drawn from one counter for the process, under the writer lock. */
static uint64_t last_serial;

static int begin(struct fw_store *s)
{
	struct sq *q = conn(s);
	int rc;

	if (q->tx)
		return FW_ECONFLICT;
	if ((rc = write_begin(q)) == 0) {
		q->tx = 1;
		q->tx_serial = ++last_serial;
	}
	return rc;
}

static uint64_t tx_serial(struct fw_store *s)
{
	struct sq *q = conn(s);

	return q->tx ? q->tx_serial : 0;
}

static void rollback(struct fw_store *s)
{
	struct sq *q = conn(s);
	int held = q->tx;

	q->tx = 0;
	fw_data_key_free(q->next_key); /* a rekey undone: the old key still opens every value */
	q->next_key = NULL;
	if (!sqlite3_get_autocommit(q->db))
		(void)run(q, q->st[S_ROLLBACK], SQLITE_OK, NULL);
	if (held)
		pthread_mutex_unlock(&writer_lock);
}

static int commit(struct fw_store *s)
{
	struct sq *q = conn(s);
	int rc;

	if (!q->tx)
		return FW_ECONFLICT;
	if ((rc = run(q, q->st[S_COMMIT], SQLITE_OK, NULL)) < 0) {
		rollback(s); /* all or nothing: never leave the write lock held */
		return rc;
	}
	q->tx = 0;
	if (q->next_key) { /* a rekey committed: every value is sealed under the new key now */
		fw_data_key_free(q->key);
		q->key = q->next_key;
		q->next_key = NULL;
	}
	pthread_mutex_unlock(&writer_lock);
	return rc;
}

/* xbegin/xend: make a multi-statement call atomic: its own transaction, or a savepoint in the caller's. */
static int xbegin(struct sq *q, int *own)
{
	*own = !q->tx;
	return *own ? write_begin(q) : run(q, q->st[S_SAVEPOINT], SQLITE_OK, NULL);
}

static int xend(struct sq *q, int own, int rc)
{
	if (rc == 0 && (rc = run(q, q->st[own ? S_COMMIT : S_RELEASE], SQLITE_OK, NULL)) == 0) {
		if (own)
			pthread_mutex_unlock(&writer_lock);
		return 0;
	}
	if (own) {
		if (!sqlite3_get_autocommit(q->db))
			(void)run(q, q->st[S_ROLLBACK], SQLITE_OK, NULL);
		pthread_mutex_unlock(&writer_lock);
	} else {
		(void)run(q, q->st[S_ROLLBACK_TO], SQLITE_OK, NULL);
		(void)run(q, q->st[S_RELEASE], SQLITE_OK, NULL);
		q->log_tx = q->seq_tx = 0; /* what this transaction knew may have been undone */
	}
	return rc;
}

/* Metadata. */

static int meta_get(struct fw_store *s, const char *key, char *out, size_t outsz)
{
	sqlite3_stmt *st = conn(s)->st[S_META_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, key, SIZE_MAX, &b);
	rc = fetch(st, b);
	if (rc == 0) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		size_t n = v ? (size_t)sqlite3_column_bytes(st, 0) : 0;

		if (n >= outsz)
			rc = FW_ETOOBIG;
		else
			copy(out, outsz, v ? v : "", n);
	}
	done(st);
	return rc;
}

static int meta_set(struct fw_store *s, const char *key, const char *value)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_META_SET];
	int b = SQLITE_OK;

	if (value && strnlen(value, META_MAX + 1) > META_MAX)
		return FW_ETOOBIG;
	btext(st, 1, key, SIZE_MAX, &b);
	btext(st, 2, value, SIZE_MAX, &b);
	return run(q, st, b, NULL);
}

/* Partners. */

static int partner_write(struct sq *q, sqlite3_stmt *st, const struct fw_partner *p, int *ret_changes)
{
	int b = SQLITE_OK;

	btext(st, 1, p->id, sizeof(p->id), &b);
	btext(st, 2, p->name, sizeof(p->name), &b);
	btext(st, 3, p->country, sizeof(p->country), &b);
	btext(st, 4, p->tier, sizeof(p->tier), &b);
	bint(st, 5, p->entitlements, &b);
	btext(st, 6, p->nda_version, sizeof(p->nda_version), &b);
	btext(st, 7, p->nda_signed, sizeof(p->nda_signed), &b);
	btext(st, 8, p->contact_email, sizeof(p->contact_email), &b);
	bint(st, 9, p->status, &b);
	bint(st, 10, p->created_at, &b);
	bint(st, 11, p->updated_at, &b);
	return run(q, st, b, ret_changes);
}

static void row_partner(sqlite3_stmt *st, struct fw_partner *p)
{
	memset(p, 0, sizeof(*p));
	ctext(st, 0, p->id, sizeof(p->id));
	ctext(st, 1, p->name, sizeof(p->name));
	ctext(st, 2, p->country, sizeof(p->country));
	ctext(st, 3, p->tier, sizeof(p->tier));
	p->entitlements = (unsigned)cint(st, 4);
	ctext(st, 5, p->nda_version, sizeof(p->nda_version));
	ctext(st, 6, p->nda_signed, sizeof(p->nda_signed));
	ctext(st, 7, p->contact_email, sizeof(p->contact_email));
	p->status = (enum fw_partner_status)cint(st, 8);
	p->created_at = cint(st, 9);
	p->updated_at = cint(st, 10);
}

static int partner_insert(struct fw_store *s, const struct fw_partner *p)
{
	struct sq *q = conn(s);

	return partner_write(q, q->st[S_PARTNER_INSERT], p, NULL);
}

static int partner_update(struct fw_store *s, const struct fw_partner *p)
{
	struct sq *q = conn(s);
	int n = 0, rc = partner_write(q, q->st[S_PARTNER_UPDATE], p, &n);

	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

static int partner_get(struct fw_store *s, const char *id, struct fw_partner *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_PARTNER_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, id, SIZE_MAX, &b);
	if ((rc = fetch(st, b)) == 0)
		row_partner(st, ret);
	done(st);
	return rc;
}

/*
 * The iterations below keep their statement stepping while the callback runs; a callback that starts
 * the same iteration on the same connection gets FW_ECONFLICT instead of restarting the outer one.
 */
static int partner_each(struct fw_store *s, fw_partner_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_PARTNER_EACH];
	struct fw_partner p;
	int rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	while ((rc = step(st, SQLITE_OK)) == 1) {
		row_partner(st, &p);
		if ((rc = cb(ctx, &p)) != 0)
			break;
	}
	done(st);
	return rc;
}

/* Tokens. */

static void row_token(sqlite3_stmt *st, struct fw_token *t)
{
	memset(t, 0, sizeof(*t));
	ctext(st, 0, t->id, sizeof(t->id));
	ctext(st, 1, t->partner_id, sizeof(t->partner_id));
	t->created_at = cint(st, 2);
	t->revoked_at = cint(st, 3);
	t->expires_at = cint(st, 4);
}

static int token_insert(struct fw_store *s, const struct fw_token *t, const unsigned char hash[32])
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_TOKEN_INSERT];
	int b = SQLITE_OK;

	btext(st, 1, t->id, sizeof(t->id), &b);
	btext(st, 2, t->partner_id, sizeof(t->partner_id), &b);
	bblob(st, 3, hash, 32, &b);
	bint(st, 4, t->created_at, &b);
	bint(st, 5, t->revoked_at, &b);
	bint(st, 6, t->expires_at, &b);
	return run(q, st, b, NULL);
}

static int token_find(struct fw_store *s, const unsigned char hash[32], struct fw_token *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_TOKEN_FIND];
	int b = SQLITE_OK, rc;

	bblob(st, 1, hash, 32, &b);
	if ((rc = fetch(st, b)) == 0)
		row_token(st, ret);
	done(st);
	return rc;
}

static int token_revoke(struct fw_store *s, const char *partner_id, const char *token_id, int64_t at)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_TOKEN_REVOKE];
	int b = SQLITE_OK, n = 0, rc;

	if (at <= 0) /* revoked_at 0 means valid */
		return FW_EINVAL;
	btext(st, 1, partner_id, SIZE_MAX, &b);
	btext(st, 2, token_id, SIZE_MAX, &b);
	bint(st, 3, at, &b);
	rc = run(q, st, b, &n);
	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

static int token_revoke_all(struct fw_store *s, const char *partner_id, int64_t at)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_TOKEN_REVOKE_ALL];
	int b = SQLITE_OK;

	if (at <= 0)
		return FW_EINVAL;
	btext(st, 1, partner_id, SIZE_MAX, &b);
	bint(st, 2, at, &b);
	return run(q, st, b, NULL);
}

/* token_each: the partner's tokens (every token when partner_id is NULL), revoked ones included. */
static int token_each(struct fw_store *s, const char *partner_id, fw_token_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[partner_id ? S_TOKEN_EACH : S_TOKEN_EACH_ALL];
	struct fw_token t;
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	if (partner_id)
		btext(st, 1, partner_id, SIZE_MAX, &b);
	while ((rc = step(st, b)) == 1) {
		row_token(st, &t);
		if ((rc = cb(ctx, &t)) != 0)
			break;
	}
	done(st);
	return rc;
}

/* Tiers and rules. */

static int tiers_get(struct fw_store *s, struct fw_tier out[FW_MAX_TIERS], size_t *ret_n)
{
	sqlite3_stmt *st = conn(s)->st[S_TIERS_GET];
	struct fw_tier t[FW_MAX_TIERS];
	size_t n = 0;
	int rc = 0;

	while (n < FW_MAX_TIERS && (rc = step(st, SQLITE_OK)) == 1) {
		memset(&t[n], 0, sizeof(t[n]));
		ctext(st, 0, t[n].name, sizeof(t[n].name));
		t[n++].lead = cint(st, 1);
	}
	if (n == FW_MAX_TIERS)
		rc = 0; /* more rows only in a tampered database: ignored */
	done(st);
	if (rc < 0)
		return rc;
	memcpy(out, t, n * sizeof(t[0]));
	*ret_n = n;
	return 0;
}

static int tiers_set(struct fw_store *s, const struct fw_tier *t, size_t n)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_TIER_INSERT];
	int own, rc;

	if (n > FW_MAX_TIERS)
		return FW_ETOOBIG;
	if ((rc = xbegin(q, &own)) < 0)
		return rc;
	rc = run(q, q->st[S_TIERS_CLEAR], SQLITE_OK, NULL);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int b = SQLITE_OK;

		btext(st, 1, t[i].name, sizeof(t[i].name), &b);
		bint(st, 2, t[i].lead, &b);
		rc = run(q, st, b, NULL);
	}
	return xend(q, own, rc);
}

static int rules_get(struct fw_store *s, struct fw_rule **ret, size_t *ret_n)
{
	sqlite3_stmt *st = conn(s)->st[S_RULES_GET];
	struct fw_rule *r = NULL, *tmp;
	size_t n = 0, cap = 0;
	int rc = 0;

	while (n < FW_MAX_RULES && (rc = step(st, SQLITE_OK)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			if (!(tmp = realloc(r, cap * sizeof(*r)))) {
				rc = FW_ENOMEM;
				goto out;
			}
			r = tmp;
		}
		memset(&r[n], 0, sizeof(r[n]));
		ctext(st, 0, r[n].id, sizeof(r[n].id));
		ctext(st, 1, r[n].description, sizeof(r[n].description));
		r[n].ncountries =
		    csplit(st, 2, ',', (char *)r[n].countries, sizeof(r[n].countries[0]), FW_MAX_COUNTRIES);
		r[n].max_lead = cint(st, 3);
		r[n].parts = (unsigned)cint(st, 4);
		n++;
	}
	if (n == FW_MAX_RULES)
		rc = 0; /* more rows only in a tampered database: ignored */
out:
	done(st);
	if (rc < 0) {
		free(r);
		return rc;
	}
	*ret = r;
	*ret_n = n;
	return 0;
}

static int rules_set(struct fw_store *s, const struct fw_rule *r, size_t n)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_RULE_INSERT];
	char countries[sizeof(r->countries)];
	int own, rc;

	if (n > FW_MAX_RULES)
		return FW_ETOOBIG;
	for (size_t i = 0; i < n; i++)
		if (r[i].ncountries > FW_MAX_COUNTRIES)
			return FW_EINVAL;
	if ((rc = xbegin(q, &own)) < 0)
		return rc;
	rc = run(q, q->st[S_RULES_CLEAR], SQLITE_OK, NULL);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int b = SQLITE_OK;

		rc = join((const char *)r[i].countries, sizeof(r[i].countries[0]), r[i].ncountries, ',',
		          countries);
		if (rc < 0)
			break;
		btext(st, 1, r[i].id, sizeof(r[i].id), &b);
		btext(st, 2, r[i].description, sizeof(r[i].description), &b);
		btext(st, 3, countries, sizeof(countries), &b);
		bint(st, 4, r[i].max_lead, &b);
		bint(st, 5, r[i].parts, &b);
		rc = run(q, st, b, NULL);
	}
	return xend(q, own, rc);
}

/*
 * Advisories: CVEs and products are stored one per line (neither may hold control characters). The sealed
 * columns, in ADV_COLS order from column 1; the score is sealed as its shortest exact decimal text.
 */
static const char *const adv_sealed[] = {"title",   "cves",       "products",
                                         "cvss_v3", "cvss_score", "cvss_severity"};
#define ADV_NSEALED (sizeof(adv_sealed) / sizeof(adv_sealed[0]))

static int advisory_write(struct sq *q, sqlite3_stmt *st, const struct fw_advisory *a, int *ret_changes)
{
	char cves[sizeof(a->cves)], products[sizeof(a->products)], score[32], ctx[CTX_MAX];
	const char *text[ADV_NSEALED];
	size_t size[ADV_NSEALED] = {sizeof(a->title),   sizeof(cves),  sizeof(products),
	                            sizeof(a->cvss_v3), sizeof(score), sizeof(a->cvss_severity)};
	struct blob v[ADV_NSEALED] = {{0}};
	int b = SQLITE_OK, rc = 0;

	if (a->ncves > FW_MAX_CVES || a->nproducts > FW_MAX_PRODUCTS)
		return FW_EINVAL;
	if ((rc = join((const char *)a->cves, sizeof(a->cves[0]), a->ncves, '\n', cves)) < 0 ||
	    (rc = join((const char *)a->products, sizeof(a->products[0]), a->nproducts, '\n', products)) < 0)
		return rc;
	snprintf(score, sizeof(score), "%.17g", a->cvss_score);
	text[0] = a->title;
	text[1] = cves;
	text[2] = products;
	text[3] = a->cvss_v3;
	text[4] = score;
	text[5] = a->cvss_severity;
	for (size_t i = 0; i < ADV_NSEALED && rc == 0; i++) {
		adv_ctx(ctx, a->id, adv_sealed[i]);
		rc = seal(cur_key(q), ctx, text[i], strnlen(text[i], size[i] - 1), &v[i]);
	}
	if (rc < 0)
		goto out;
	btext(st, 1, a->id, sizeof(a->id), &b);
	for (size_t i = 0; i < ADV_NSEALED; i++)
		bblob(st, 2 + (int)i, v[i].p, (int)v[i].n, &b);
	bint(st, 8, a->status, &b);
	bint(st, 9, a->public_at, &b);
	bint(st, 10, a->created_at, &b);
	bint(st, 11, a->updated_at, &b);
	bint(st, 12, a->revision, &b);
	bint(st, 13, a->parts & FW_PARTS_ALL, &b);
	rc = run(q, st, b, ret_changes);
out:
	blobs_free(v, ADV_NSEALED);
	return rc;
}

/*
 * row_advisory: the advisory in the current row of an ADV_COLS query, its sealed columns opened into one
 * scratch buffer (every listing reads each row: one allocation per row, not one per column).
 */
static int row_advisory(struct sq *q, sqlite3_stmt *st, struct fw_advisory *a)
{
	struct blob v[ADV_NSEALED] = {{0}};
	unsigned char *scratch = NULL;
	size_t len[ADV_NSEALED], total = 0, at = 0;
	char ctx[CTX_MAX];
	int rc = 0;

	memset(a, 0, sizeof(*a));
	ctext(st, 0, a->id, sizeof(a->id));
	if (!cur_key(q))
		return FW_ECRYPTO;
	for (size_t i = 0; i < ADV_NSEALED && rc == 0; i++)
		if ((rc = sealed_len(st, 1 + (int)i, &len[i])) == 0)
			total += len[i] + 1;
	if (rc < 0)
		return rc;
	if (!(scratch = malloc(total)))
		return FW_ENOMEM;
	for (size_t i = 0; i < ADV_NSEALED && rc == 0; i++) {
		adv_ctx(ctx, a->id, adv_sealed[i]);
		v[i].p = scratch + at;
		rc = unseal_to(cur_key(q), ctx, st, 1 + (int)i, v[i].p, &v[i].n);
		at += len[i] + 1;
	}
	if (rc < 0)
		goto out;
	copy(a->title, sizeof(a->title), (char *)v[0].p, v[0].n);
	a->ncves = split((char *)v[1].p, v[1].n, '\n', (char *)a->cves, sizeof(a->cves[0]), FW_MAX_CVES);
	a->nproducts =
	    split((char *)v[2].p, v[2].n, '\n', (char *)a->products, sizeof(a->products[0]), FW_MAX_PRODUCTS);
	copy(a->cvss_v3, sizeof(a->cvss_v3), (char *)v[3].p, v[3].n);
	a->cvss_score = strtod((char *)v[4].p, NULL);
	copy(a->cvss_severity, sizeof(a->cvss_severity), (char *)v[5].p, v[5].n);
	a->status = (enum fw_advisory_status)cint(st, 7);
	a->public_at = cint(st, 8);
	a->created_at = cint(st, 9);
	a->updated_at = cint(st, 10);
	a->revision = (int)cint(st, 11);
	a->parts = (unsigned)cint(st, 12) & FW_PARTS_ALL;
out:
	free(scratch);
	return rc;
}

static int advisory_insert(struct fw_store *s, const struct fw_advisory *a)
{
	struct sq *q = conn(s);

	return advisory_write(q, q->st[S_ADV_INSERT], a, NULL);
}

static int advisory_update(struct fw_store *s, const struct fw_advisory *a)
{
	struct sq *q = conn(s);
	int n = 0, rc = advisory_write(q, q->st[S_ADV_UPDATE], a, &n);

	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

static int advisory_get(struct fw_store *s, const char *id, struct fw_advisory *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_ADV_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, id, SIZE_MAX, &b);
	if ((rc = fetch(st, b)) == 0) {
		struct fw_advisory a;
		if ((rc = row_advisory(conn(s), st, &a)) == 0)
			*ret = a;
	}
	done(st);
	return rc;
}

static int advisory_each(struct fw_store *s, int visible_only, fw_advisory_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[visible_only ? S_ADV_EACH_VISIBLE : S_ADV_EACH];
	struct fw_advisory a;
	int rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	while ((rc = step(st, SQLITE_OK)) == 1) {
		if ((rc = row_advisory(conn(s), st, &a)) < 0 || (rc = cb(ctx, &a)) != 0)
			break;
	}
	done(st);
	return rc;
}

static int advisory_set_due(struct fw_store *s, const char *id, int64_t due)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_ADV_SET_DUE];
	int b = SQLITE_OK, n = 0, rc;

	btext(st, 1, id, SIZE_MAX, &b);
	bint(st, 2, due, &b);
	rc = run(q, st, b, &n);
	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

static int advisory_set_due_all(struct fw_store *s, int64_t due)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_ADV_SET_DUE_ALL];
	int b = SQLITE_OK;

	bint(st, 1, due, &b);
	return run(q, st, b, NULL);
}

/* due_next: the advisory after (*due, *rowid) by one of the S_ADV_DUE_* queries: 1, 0 (none) or an error. */
static int due_next(struct sq *q, sqlite3_stmt *st, int64_t now, int64_t *due, int64_t *rowid,
                    struct fw_advisory *a)
{
	int b = SQLITE_OK, rc;

	bint(st, 1, now, &b);
	bint(st, 2, *due, &b);
	if (sqlite3_bind_parameter_count(st) >= 3)
		bint(st, 3, *rowid, &b);
	if ((rc = step(st, b)) == 1 && (rc = row_advisory(q, st, a)) == 0) {
		rc = 1;
		*due = cint(st, 13);
		*rowid = cint(st, 14);
	}
	done(st);
	return rc;
}

/*
 * advisory_each_due: fetches one advisory at a time after the last (due, rowid) seen, with no statement
 * open during the callback, so the scheduler may set_due (or nest any call) from it: an advisory whose due
 * moves to a later instant that is still <= now is visited again, one moved past now or behind is not.
 */
static int advisory_each_due(struct fw_store *s, int64_t now, fw_advisory_cb cb, void *ctx)
{
	struct sq *q = conn(s);
	struct fw_advisory a;
	int64_t due = INT64_MIN, rowid = INT64_MIN;
	int rc;

	for (;;) {
		rc = due_next(q, q->st[S_ADV_DUE_SAME], now, &due, &rowid, &a);
		if (rc == 0)
			rc = due_next(q, q->st[S_ADV_DUE_LATER], now, &due, &rowid, &a);
		if (rc != 1)
			return rc;
		if ((rc = cb(ctx, &a)) != 0)
			return rc;
	}
}

static int advisory_next_due(struct fw_store *s, int64_t *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_ADV_NEXT_DUE];
	int rc;

	if ((rc = fetch(st, SQLITE_OK)) == 0)
		*ret = sqlite3_column_type(st, 0) == SQLITE_NULL ? INT64_MAX : cint(st, 0);
	done(st);
	return rc;
}

/*
 * Revisions: the note and the parts are sealed (parts are NULL when absent). The sealed columns in S_REV_*
 * order from column 3: the note, then the parts in enum fw_part order.
 */
static const char *const rev_sealed[] = {"note", "summary", "details", "detection", "poc"};
#define REV_NSEALED (sizeof(rev_sealed) / sizeof(rev_sealed[0]))
_Static_assert(REV_NSEALED == 1 + FW_PART_COUNT, "rev_sealed");

static int revision_insert(struct fw_store *s, const struct fw_revision *r)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_REV_INSERT];
	struct blob v[REV_NSEALED] = {{0}};
	char ctx[CTX_MAX];
	int b = SQLITE_OK, rc = 0;

	for (int i = 0; i < FW_PART_COUNT; i++)
		if (r->parts[i] && strnlen(r->parts[i], FW_PART_MAX + 1) > FW_PART_MAX)
			return FW_ETOOBIG;
	for (size_t i = 0; i < REV_NSEALED && rc == 0; i++) {
		const char *text = i == 0 ? r->note : r->parts[i - 1];
		size_t n = i == 0 ? strnlen(r->note, sizeof(r->note) - 1) : text ? strlen(text) : 0;

		rev_ctx(ctx, r->advisory_id, r->number, rev_sealed[i]);
		if (text)
			rc = seal(cur_key(q), ctx, text, n, &v[i]);
		else if (!cur_key(q))
			rc = FW_ECRYPTO; /* never write a revision that could not be read back */
	}
	if (rc < 0)
		goto out;
	btext(st, 1, r->advisory_id, sizeof(r->advisory_id), &b);
	bint(st, 2, r->number, &b);
	bint(st, 3, r->created_at, &b);
	for (size_t i = 0; i < REV_NSEALED; i++) {
		if (v[i].p)
			bblob(st, 4 + (int)i, v[i].p, (int)v[i].n, &b);
		else if (b == SQLITE_OK)
			b = sqlite3_bind_null(st, 4 + (int)i);
	}
	rc = run(q, st, b, NULL);
out:
	blobs_free(v, REV_NSEALED);
	return rc;
}

/* row_revision: the metadata of the current row of an S_REV_* query, its note opened. */
static int row_revision(struct sq *q, sqlite3_stmt *st, struct fw_revision *r)
{
	struct blob note = {0};
	char ctx[CTX_MAX];
	int rc;

	memset(r, 0, sizeof(*r));
	ctext(st, 0, r->advisory_id, sizeof(r->advisory_id));
	r->number = (int)cint(st, 1);
	r->created_at = cint(st, 2);
	rev_ctx(ctx, r->advisory_id, cint(st, 1), rev_sealed[0]);
	if ((rc = unseal(cur_key(q), ctx, st, 3, &note)) == 0)
		copy(r->note, sizeof(r->note), (char *)note.p, note.n);
	free(note.p);
	return rc;
}

static int revision_get(struct fw_store *s, const char *advisory_id, int number, struct fw_revision *ret)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_REV_GET];
	struct fw_revision r;
	char ctx[CTX_MAX];
	int b = SQLITE_OK, rc;

	btext(st, 1, advisory_id, SIZE_MAX, &b);
	bint(st, 2, number, &b);
	if ((rc = fetch(st, b)) < 0 || (rc = row_revision(q, st, &r)) < 0)
		goto out;
	for (int i = 0; i < FW_PART_COUNT && rc == 0; i++) {
		struct blob part = {0};

		if (sqlite3_column_type(st, 4 + i) == SQLITE_NULL)
			continue;
		rev_ctx(ctx, r.advisory_id, cint(st, 1), rev_sealed[1 + i]);
		/* opened straight into the caller's heap string: no second copy of a part up to 1 MiB */
		if ((rc = unseal(cur_key(q), ctx, st, 4 + i, &part)) == 0)
			r.parts[i] = (char *)part.p;
	}
	if (rc < 0)
		fw_revision_release(&r);
	else
		*ret = r;
out:
	done(st);
	return rc;
}

static int revision_each(struct fw_store *s, const char *advisory_id, fw_revision_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_REV_EACH];
	struct fw_revision r;
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	btext(st, 1, advisory_id, SIZE_MAX, &b);
	while ((rc = step(st, b)) == 1) {
		if ((rc = row_revision(conn(s), st, &r)) < 0)
			break;
		r.present = (unsigned)cint(st, 4) & FW_PARTS_ALL;
		if ((rc = cb(ctx, &r)) != 0)
			break;
	}
	done(st);
	return rc;
}

/* Deliveries and downloads. */

static int delivery_insert(struct fw_store *s, const struct fw_delivery *d, int *ret_inserted)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_DELIVERY_INSERT];
	int b = SQLITE_OK, n = 0, rc;

	btext(st, 1, d->partner_id, sizeof(d->partner_id), &b);
	btext(st, 2, d->advisory_id, sizeof(d->advisory_id), &b);
	bint(st, 3, d->revision, &b);
	bint(st, 4, d->parts, &b);
	bint(st, 5, d->due_at, &b);
	bint(st, 6, d->delivered_ms, &b);
	if ((rc = run(q, st, b, &n)) == 0 && ret_inserted)
		*ret_inserted = n > 0;
	return rc;
}

static int delivery_each(struct fw_store *s, const char *advisory_id, const char *partner_id,
                         fw_delivery_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[partner_id ? S_DELIVERY_EACH_PARTNER : S_DELIVERY_EACH];
	struct fw_delivery d;
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	btext(st, 1, advisory_id, SIZE_MAX, &b);
	if (partner_id)
		btext(st, 2, partner_id, SIZE_MAX, &b);
	while ((rc = step(st, b)) == 1) {
		memset(&d, 0, sizeof(d));
		ctext(st, 0, d.partner_id, sizeof(d.partner_id));
		ctext(st, 1, d.advisory_id, sizeof(d.advisory_id));
		d.revision = (int)cint(st, 2);
		d.parts = (unsigned)cint(st, 3);
		d.due_at = cint(st, 4);
		d.delivered_ms = cint(st, 5);
		if ((rc = cb(ctx, &d)) != 0)
			break;
	}
	done(st);
	return rc;
}

/*
 * next_seq: the seq for the next event or download, one sequence over both tables. Called in a write
 * transaction; within the caller's transaction, where its last insert left it.
 */
static int next_seq(struct sq *q, int64_t *ret)
{
	sqlite3_stmt *st = q->st[S_EVENT_NEXT_SEQ];
	int rc;

	if (q->tx && q->seq_tx == q->tx_serial) {
		*ret = q->seq_next;
		return 0;
	}
	if ((rc = fetch(st, SQLITE_OK)) == 0)
		*ret = cint(st, 0);
	done(st);
	return rc;
}

/* took_seq: seq is taken; the caller's transaction may trust what follows. */
static void took_seq(struct sq *q, int64_t seq)
{
	if (q->tx) {
		q->seq_tx = q->tx_serial;
		q->seq_next = seq + 1;
	}
}

static int download_insert(struct fw_store *s, const struct fw_download *d)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_DOWNLOAD_INSERT];
	int64_t seq = 0;
	int b = SQLITE_OK, own, rc;

	/* Taking a seq and using it must be one step: in the caller's transaction, else in one of its own. */
	if ((own = !q->tx) && (rc = write_begin(q)) < 0)
		return rc;
	rc = next_seq(q, &seq);
	btext(st, 1, d->partner_id, sizeof(d->partner_id), &b);
	btext(st, 2, d->advisory_id, sizeof(d->advisory_id), &b);
	bint(st, 3, d->revision, &b);
	bint(st, 4, d->parts, &b);
	btext(st, 5, d->what, sizeof(d->what), &b);
	btext(st, 6, d->address, sizeof(d->address), &b);
	bint(st, 7, d->at_ms, &b);
	bblob(st, 8, d->sha256, sizeof(d->sha256), &b);
	bint(st, 9, seq, &b);
	bint(st, 10, d->sealed ? 1 : 0, &b);
	if (rc == 0 && (rc = run(q, st, b, NULL)) == 0)
		took_seq(q, seq);
	else
		done(st);
	return own ? xend(q, own, rc) : rc;
}

static int download_each(struct fw_store *s, const char *advisory_id, fw_download_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_DOWNLOAD_EACH];
	struct fw_download d;
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	btext(st, 1, advisory_id, SIZE_MAX, &b);
	while ((rc = step(st, b)) == 1) {
		memset(&d, 0, sizeof(d));
		ctext(st, 0, d.partner_id, sizeof(d.partner_id));
		ctext(st, 1, d.advisory_id, sizeof(d.advisory_id));
		d.revision = (int)cint(st, 2);
		d.parts = (unsigned)cint(st, 3);
		ctext(st, 4, d.what, sizeof(d.what));
		ctext(st, 5, d.address, sizeof(d.address));
		d.at_ms = cint(st, 6);
		if ((rc = cb(ctx, &d)) != 0)
			break;
	}
	done(st);
	return rc;
}

/*
 * Events: seq is the rowid. Rows are never deleted, so a seq is never reused (no AUTOINCREMENT: it costs a
 * second write per insert); writers serialize, so seq order is commit order.
 */

static int event_insert(struct fw_store *s, const struct fw_event *e, int64_t *ret_seq)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_EVENT_INSERT];
	int64_t seq = 0;
	int b = SQLITE_OK, own, rc;

	if ((own = !q->tx) && (rc = write_begin(q)) < 0)
		return rc;
	rc = next_seq(q, &seq);
	bint(st, 1, e->at_ms, &b);
	btext(st, 2, e->type, sizeof(e->type), &b);
	btext(st, 3, e->actor, sizeof(e->actor), &b);
	btext(st, 4, e->subject, sizeof(e->subject), &b);
	btext(st, 5, e->detail, sizeof(e->detail), &b);
	bint(st, 6, seq, &b);
	if (rc == 0 && (rc = run(q, st, b, NULL)) == 0)
		took_seq(q, seq);
	else
		done(st);
	rc = own ? xend(q, own, rc) : rc;
	if (rc == 0 && ret_seq)
		*ret_seq = seq;
	return rc;
}

/* event_each: events after after_seq in seq order, at most limit of them (0: no limit). */
static int event_each(struct fw_store *s, int64_t after_seq, size_t limit, fw_event_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_EVENT_EACH];
	struct fw_event e;
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	bint(st, 1, after_seq, &b);
	bint(st, 2, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit, &b);
	while ((rc = step(st, b)) == 1) {
		memset(&e, 0, sizeof(e));
		e.seq = cint(st, 0);
		e.at_ms = cint(st, 1);
		ctext(st, 2, e.type, sizeof(e.type));
		ctext(st, 3, e.actor, sizeof(e.actor));
		ctext(st, 4, e.subject, sizeof(e.subject));
		ctext(st, 5, e.detail, sizeof(e.detail));
		if ((rc = cb(ctx, &e)) != 0)
			break;
	}
	done(st);
	return rc;
}

/* The transparency log: entries by index, hashes of complete subtrees, signed checkpoints. */

static int log_size(struct fw_store *s, uint64_t *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_LOG_SIZE];
	int rc = fetch(st, SQLITE_OK);

	if (rc == 0)
		*ret = (uint64_t)cint(st, 0);
	done(st);
	return rc;
}

/* completes: how many complete subtrees leaf `index` is the last leaf of: one more than its trailing ones. */
static size_t completes(uint64_t index)
{
	size_t t = 0;

	while (index >> t & 1)
		t++;
	return t + 1;
}

static int log_append(struct fw_store *s, uint64_t index, const void *entry, size_t len,
                      const unsigned char *hashes, size_t nhashes)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_LOG_APPEND];
	uint64_t size = 0; /* set by log_size on success; GCC cannot see that through fetch() */
	int b = SQLITE_OK, rc;

	if (len > FW_LOG_ENTRY_MAX || index > INT64_MAX)
		return FW_ETOOBIG;
	if (nhashes != completes(index))
		return FW_EINVAL;
	/* Appends only: an entry goes at the end, never over or past it. Within one transaction the end is
	 * where this transaction's last append left it: no other connection can write meanwhile. */
	if (q->tx && q->log_tx == q->tx_serial)
		size = q->log_next;
	else if ((rc = log_size(s, &size)) < 0)
		return rc;
	if (index != size)
		return FW_ECONFLICT;
	bint(st, 1, (int64_t)index, &b);
	bblob(st, 2, entry, (int)len, &b);
	bblob(st, 3, hashes, (int)(nhashes * 32), &b);
	if ((rc = run(q, st, b, NULL)) == 0 && q->tx) {
		q->log_tx = q->tx_serial;
		q->log_next = index + 1;
	}
	return rc;
}

static int log_entry_each(struct fw_store *s, uint64_t start, uint64_t end, fw_log_entry_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_LOG_ENTRY_EACH];
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	bint(st, 1, start > INT64_MAX ? INT64_MAX : (int64_t)start, &b);
	bint(st, 2, end > INT64_MAX ? INT64_MAX : (int64_t)end, &b);
	while ((rc = step(st, b)) == 1) {
		const void *p = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		if ((rc = cb(ctx, (uint64_t)cint(st, 0), p ? p : "", n)) != 0)
			break;
	}
	done(st);
	return rc;
}

static int log_leaf_each(struct fw_store *s, uint64_t start, uint64_t end, fw_log_leaf_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_LOG_LEAF_EACH];
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	bint(st, 1, start > INT64_MAX ? INT64_MAX : (int64_t)start, &b);
	bint(st, 2, end > INT64_MAX ? INT64_MAX : (int64_t)end, &b);
	while ((rc = step(st, b)) == 1) {
		const void *p = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		const unsigned char *h = sqlite3_column_blob(st, 2);
		size_t hn = (size_t)sqlite3_column_bytes(st, 2);
		if ((rc = cb(ctx, (uint64_t)cint(st, 0), p ? p : "", n, h ? h : (const unsigned char *)"",
		             hn)) != 0)
			break;
	}
	done(st);
	return rc;
}

/* The subtree (level, index) is kept with its last leaf, (index + 1) * 2^level - 1, at offset 32 * level. */
static int log_node_get(struct fw_store *s, unsigned level, uint64_t index, unsigned char out[32])
{
	sqlite3_stmt *st = conn(s)->st[S_LOG_NODE_GET];
	int b = SQLITE_OK, rc;

	if (level >= 64 || index > (uint64_t)INT64_MAX >> level)
		return FW_ENOENT;
	bint(st, 1, (int64_t)(((index + 1) << level) - 1), &b);
	rc = fetch(st, b);
	if (rc == 0) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (n % 32 != 0)
			rc = FW_EIO; /* a damaged store: never hand out a short hash */
		else if (n < 32 * ((size_t)level + 1))
			rc = FW_ENOENT;
		else
			memcpy(out, (const unsigned char *)sqlite3_column_blob(st, 0) + 32 * level, 32);
	}
	done(st);
	return rc;
}

static int checkpoint_put(struct fw_store *s, uint64_t size, const char *note)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_CHECKPOINT_PUT];
	int b = SQLITE_OK;

	if (size > INT64_MAX)
		return FW_EINVAL;
	bint(st, 1, (int64_t)size, &b);
	btext(st, 2, note, SIZE_MAX, &b);
	return run(q, st, b, NULL);
}

static int checkpoint_row(sqlite3_stmt *st, int b, uint64_t *ret_size, struct fw_buf *note)
{
	int rc = fetch(st, b);

	if (rc == 0) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		rc = fw_buf_append(note, t ? t : "", (size_t)sqlite3_column_bytes(st, 1));
		if (rc == 0 && ret_size)
			*ret_size = (uint64_t)cint(st, 0);
	}
	done(st);
	return rc;
}

static int checkpoint_latest(struct fw_store *s, uint64_t *ret_size, struct fw_buf *note)
{
	return checkpoint_row(conn(s)->st[S_CHECKPOINT_LATEST], SQLITE_OK, ret_size, note);
}

static int checkpoint_get(struct fw_store *s, uint64_t size, struct fw_buf *note)
{
	sqlite3_stmt *st = conn(s)->st[S_CHECKPOINT_GET];
	int b = SQLITE_OK;

	bint(st, 1, size > INT64_MAX ? INT64_MAX : (int64_t)size, &b);
	return checkpoint_row(st, b, NULL, note);
}

/* Webhooks and their outbox. */

/* by_partner: runs statement i on the webhook side tables: ?1 the partner id, ?2 value unless it is -1. */
static int by_partner(struct sq *q, int i, const char *partner_id, int64_t value)
{
	sqlite3_stmt *st = q->st[i];
	int b = SQLITE_OK;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	if (value != -1)
		bint(st, 2, value, &b);
	return run(q, st, b, NULL);
}

static int webhook_put(struct fw_store *s, const struct fw_webhook *w)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_WEBHOOK_PUT];
	int b = SQLITE_OK, rc;

	btext(st, 1, w->partner_id, sizeof(w->partner_id), &b);
	btext(st, 2, w->url, sizeof(w->url), &b);
	btext(st, 3, w->nonce, sizeof(w->nonce), &b);
	bint(st, 4, w->created_at, &b);
	bint(st, 5, w->updated_at, &b);
	rc = run(q, st, b, NULL);
	/* The content opt-in and the origin live in tables of their own (added after webhooks): no row means
	 * no content, and a registration made by the partner itself. */
	if (rc == 0)
		rc = by_partner(q, S_WEBHOOK_CONTENT_SET, w->partner_id, w->content);
	if (rc == 0)
		rc = by_partner(q, S_WEBHOOK_ORIGIN_SET, w->partner_id, w->by_operator ? 1 : 0);
	return rc;
}

static int webhook_get(struct fw_store *s, const char *partner_id, struct fw_webhook *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_WEBHOOK_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	if ((rc = fetch(st, b)) == 0) {
		memset(ret, 0, sizeof(*ret));
		ctext(st, 0, ret->partner_id, sizeof(ret->partner_id));
		ctext(st, 1, ret->url, sizeof(ret->url));
		ctext(st, 2, ret->nonce, sizeof(ret->nonce));
		ret->created_at = cint(st, 3);
		ret->updated_at = cint(st, 4);
		ret->content = (int)cint(st, 5);
		ret->by_operator = cint(st, 6) != 0;
	}
	done(st);
	return rc;
}

static int webhook_delete(struct fw_store *s, const char *partner_id)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_WEBHOOK_DELETE];
	int b = SQLITE_OK, n = 0, rc;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	rc = run(q, st, b, &n);
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : FW_ENOENT;
	rc = by_partner(q, S_WEBHOOK_CONTENT_DELETE, partner_id, -1);
	return rc < 0 ? rc : by_partner(q, S_WEBHOOK_ORIGIN_DELETE, partner_id, -1);
}

static void row_outbox(sqlite3_stmt *st, struct fw_outbox *o)
{
	memset(o, 0, sizeof(*o));
	o->id = cint(st, 0);
	ctext(st, 1, o->key, sizeof(o->key));
	ctext(st, 2, o->partner_id, sizeof(o->partner_id));
	ctext(st, 3, o->advisory_id, sizeof(o->advisory_id));
	o->revision = (int)cint(st, 4);
	o->parts = (unsigned)cint(st, 5) & FW_PARTS_ALL;
	o->state = (enum fw_outbox_state)cint(st, 6);
	o->tries = (int)cint(st, 7);
	o->created_ms = cint(st, 8);
	o->next_ms = cint(st, 9);
	o->done_ms = cint(st, 10);
	o->last_status = (int)cint(st, 11);
	ctext(st, 12, o->last_error, sizeof(o->last_error));
	ctext(st, 13, o->payload, sizeof(o->payload));
}

static int outbox_insert(struct fw_store *s, const struct fw_outbox *o, int64_t *ret_id)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_OUTBOX_INSERT];
	int b = SQLITE_OK, rc;

	btext(st, 1, o->key, sizeof(o->key), &b);
	btext(st, 2, o->partner_id, sizeof(o->partner_id), &b);
	btext(st, 3, o->advisory_id, sizeof(o->advisory_id), &b);
	bint(st, 4, o->revision, &b);
	bint(st, 5, o->parts, &b);
	bint(st, 6, o->state, &b);
	bint(st, 7, o->tries, &b);
	bint(st, 8, o->created_ms, &b);
	bint(st, 9, o->next_ms, &b);
	bint(st, 10, o->done_ms, &b);
	bint(st, 11, o->last_status, &b);
	btext(st, 12, o->last_error, sizeof(o->last_error), &b);
	btext(st, 13, o->payload, sizeof(o->payload), &b);
	if ((rc = run(q, st, b, NULL)) == 0 && ret_id)
		*ret_id = sqlite3_last_insert_rowid(q->db);
	return rc;
}

static int outbox_get(struct fw_store *s, int64_t id, struct fw_outbox *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_OUTBOX_GET];
	int b = SQLITE_OK, rc;

	bint(st, 1, id, &b);
	if ((rc = fetch(st, b)) == 0)
		row_outbox(st, ret);
	done(st);
	return rc;
}

static int outbox_update(struct fw_store *s, const struct fw_outbox *o)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_OUTBOX_UPDATE];
	int b = SQLITE_OK, n = 0, rc;

	bint(st, 1, o->id, &b);
	bint(st, 2, o->state, &b);
	bint(st, 3, o->tries, &b);
	bint(st, 4, o->next_ms, &b);
	bint(st, 5, o->done_ms, &b);
	bint(st, 6, o->last_status, &b);
	btext(st, 7, o->last_error, sizeof(o->last_error), &b);
	rc = run(q, st, b, &n);
	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

/* outbox_rows: steps a query of OUTBOX_COLS whose bindings gave b, calling cb for each row. */
static int outbox_rows(sqlite3_stmt *st, int b, fw_outbox_cb cb, void *ctx)
{
	struct fw_outbox o;
	int rc;

	while ((rc = step(st, b)) == 1) {
		row_outbox(st, &o);
		if ((rc = cb(ctx, &o)) != 0)
			break;
	}
	done(st);
	return rc;
}

static int64_t limit_value(size_t n)
{
	return n == 0 || n > INT64_MAX ? -1 : (int64_t)n; /* SQLite: a negative LIMIT is no limit */
}

static int outbox_each(struct fw_store *s, int state, const char *partner_id, size_t offset, size_t limit,
                       fw_outbox_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_OUTBOX_EACH];
	int b = SQLITE_OK;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	bint(st, 1, state < 0 ? -1 : state, &b);
	btext(st, 2, partner_id, SIZE_MAX, &b);
	bint(st, 3, limit_value(limit), &b);
	bint(st, 4, offset > INT64_MAX ? INT64_MAX : (int64_t)offset, &b);
	return outbox_rows(st, b, cb, ctx);
}

static int outbox_due(struct fw_store *s, int64_t now_ms, size_t limit, fw_outbox_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_OUTBOX_DUE];
	int b = SQLITE_OK;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	bint(st, 1, now_ms, &b);
	bint(st, 2, limit_value(limit), &b);
	return outbox_rows(st, b, cb, ctx);
}

static int outbox_next_due(struct fw_store *s, int64_t *ret_ms)
{
	sqlite3_stmt *st = conn(s)->st[S_OUTBOX_NEXT_DUE];
	int rc;

	if ((rc = fetch(st, SQLITE_OK)) == 0)
		*ret_ms = sqlite3_column_type(st, 0) == SQLITE_NULL ? INT64_MAX : cint(st, 0);
	done(st);
	return rc;
}

/* Partners' sealing keys. */

static int seal_key_put(struct fw_store *s, const char *partner_id, const unsigned char pk[32], int64_t at)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_SEAL_KEY_PUT];
	int b = SQLITE_OK, n = 0, rc;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	bblob(st, 2, pk, 32, &b);
	bint(st, 3, at, &b);
	rc = run(q, st, b, &n);
	/* The insert selects from partners: no row changed means no such partner. */
	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

static int seal_key_get(struct fw_store *s, const char *partner_id, unsigned char ret_pk[32], int64_t *ret_at)
{
	sqlite3_stmt *st = conn(s)->st[S_SEAL_KEY_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	rc = fetch(st, b);
	if (rc == 0 && sqlite3_column_bytes(st, 0) != 32)
		rc = FW_EIO; /* only ever written as 32 bytes: the file was changed behind our back */
	if (rc == 0) {
		memcpy(ret_pk, sqlite3_column_blob(st, 0), 32);
		if (ret_at)
			*ret_at = cint(st, 1);
	}
	done(st);
	return rc;
}

static int seal_key_delete(struct fw_store *s, const char *partner_id)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_SEAL_KEY_DELETE];
	int b = SQLITE_OK, n = 0, rc;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	rc = run(q, st, b, &n);
	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

/* The data key: set, rotated (rekey), and what old values leave in the files removed (purge). */

/* has_rows: 1 if the query returns a row, 0 if not, or an FW_E* code. */
static int has_rows(struct sq *q, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);

	rc = rc == SQLITE_OK ? step(st, SQLITE_OK) : fwerr(rc);
	sqlite3_finalize(st);
	return rc;
}

static int set_data_key(struct fw_store *s, const struct fw_data_key *k, struct fw_error *err)
{
	struct sq *q = conn(s);
	struct fw_data_key *copy_key;
	char id[META_MAX + 1];
	int own, rc;

	if (q->next_key)
		return FW_ECONFLICT; /* in the middle of a rekey */
	rc = meta_get(s, "data_key_id", id, sizeof(id));
	if (rc == FW_ENOENT) {
		/* The first key: recorded under the write lock, so two first openers agree on one. */
		if ((rc = xbegin(q, &own)) < 0)
			return rc;
		rc = meta_get(s, "data_key_id", id, sizeof(id));
		if (rc == FW_ENOENT) {
			rc = has_rows(q, "SELECT 1 FROM advisories LIMIT 1");
			if (rc == 1)
				rc = FW_ECONFLICT;
			else if (rc == 0 && (rc = meta_set(s, "data_key_id", fw_data_key_id(k))) == 0)
				snprintf(id, sizeof(id), "%s", fw_data_key_id(k));
		}
		rc = xend(q, own, rc);
		if (rc == FW_ECONFLICT)
			return fw_error_set(
			    err, rc, "data_key",
			    "the database holds advisories stored in clear, before encryption at rest:"
			    " this version cannot read them (docs/security.md)");
	}
	if (rc < 0)
		return rc;
	if (strcmp(id, fw_data_key_id(k)) != 0)
		return fw_error_set(
		    err, FW_ECRYPTO, "data_key",
		    "the data key (id %s) is not the database's: its values are sealed under the data"
		    " key with id %.16s",
		    fw_data_key_id(k), id);
	if ((rc = fw_data_key_dup(k, &copy_key)) < 0)
		return rc;
	fw_data_key_free(q->key);
	q->key = copy_key;
	return 0;
}

/*
 * The sealed columns by table, for rekey: `select` gives, after the rowid ?1, the next row: its rowid, the
 * context's keys (id, and a revision's number), then the sealed columns; `update` writes them back (?1 the
 * rowid, ?2 on the sealed columns in the same order).
 */
static const struct sealed_table {
	const char *select;
	const char *update;
	const char *const *cols;
	size_t ncols;
	int revision; /* contexts "revision:ID:N:COL", else "advisory:ID:COL" */
} sealed_tables[] = {
    {"SELECT rowid, id, 0, title, cves, products, cvss_v3, cvss_score, cvss_severity FROM advisories"
     " WHERE rowid > ?1 ORDER BY rowid LIMIT 1",
     "UPDATE advisories SET title = ?2, cves = ?3, products = ?4, cvss_v3 = ?5, cvss_score = ?6,"
     " cvss_severity = ?7 WHERE rowid = ?1",
     adv_sealed, ADV_NSEALED, 0},
    {"SELECT rowid, advisory_id, number, note, summary, details, detection, poc FROM revisions"
     " WHERE rowid > ?1 ORDER BY rowid LIMIT 1",
     "UPDATE revisions SET note = ?2, summary = ?3, details = ?4, detection = ?5, poc = ?6 WHERE rowid = ?1",
     rev_sealed, REV_NSEALED, 1},
};

/* rekey_table: every row of one table: each sealed value opened under old, sealed again under nk (if any). */
static int rekey_table(struct sq *q, const struct sealed_table *t, const struct fw_data_key *old,
                       const struct fw_data_key *nk, fw_rekey_cb progress, void *pctx, uint64_t *values,
                       struct fw_error *err)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct blob plain[8] = {{0}}, sealed[8] = {{0}};
	int64_t rowid = INT64_MIN;
	char id[FW_ID_MAX + 1], ctx[CTX_MAX];
	int rc;

	if (t->ncols > sizeof(plain) / sizeof(plain[0]))
		return FW_EINVAL;
	rc = sqlite3_prepare_v2(q->db, t->select, -1, &sel, NULL);
	if (rc == SQLITE_OK && nk)
		rc = sqlite3_prepare_v2(q->db, t->update, -1, &upd, NULL);
	if (rc != SQLITE_OK) {
		rc = fwerr(rc);
		goto out;
	}
	for (;;) {
		int b = SQLITE_OK;
		int64_t number;

		bint(sel, 1, rowid, &b);
		if ((rc = step(sel, b)) != 1)
			break;
		rowid = cint(sel, 0);
		ctext(sel, 1, id, sizeof(id));
		number = cint(sel, 2);
		for (size_t i = 0; i < t->ncols && rc >= 0; i++) {
			if (sqlite3_column_type(sel, 3 + (int)i) == SQLITE_NULL)
				continue; /* an absent part stays absent */
			if (t->revision)
				rev_ctx(ctx, id, number, t->cols[i]);
			else
				adv_ctx(ctx, id, t->cols[i]);
			rc = unseal(old, ctx, sel, 3 + (int)i, &plain[i]);
			if (rc == FW_ECRYPTO)
				rc = fw_error_set(err, rc, "data_key",
				                  "%s %s: the %s does not open with the data key %s",
				                  t->revision ? "revision" : "advisory", id, t->cols[i],
				                  fw_data_key_id(old));
			if (rc == 0 && nk)
				rc = seal(nk, ctx, plain[i].p, plain[i].n, &sealed[i]);
			if (plain[i].p)
				fw_crypto_wipe(plain[i].p, plain[i].n);
			(*values)++;
		}
		done(sel);
		if (rc == 0 && nk) {
			b = SQLITE_OK;
			bint(upd, 1, rowid, &b);
			for (size_t i = 0; i < t->ncols; i++) {
				if (sealed[i].p)
					bblob(upd, 2 + (int)i, sealed[i].p, (int)sealed[i].n, &b);
				else if (b == SQLITE_OK)
					b = sqlite3_bind_null(upd, 2 + (int)i);
			}
			rc = run(q, upd, b, NULL);
		}
		blobs_free(plain, t->ncols);
		blobs_free(sealed, t->ncols);
		if (rc == 0 && progress)
			rc = progress(pctx, *values);
		if (rc != 0)
			break;
	}
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

static int rekey(struct fw_store *s, const struct fw_data_key *nk, fw_rekey_cb progress, void *pctx,
                 uint64_t *ret_values, struct fw_error *err)
{
	struct sq *q = conn(s);
	struct fw_data_key *next = NULL;
	uint64_t values = 0;
	int rc = 0;

	if (!q->key)
		return fw_error_set(err, FW_ECRYPTO, "data_key", "no data key");
	if (nk && (!q->tx || q->next_key))
		return FW_ECONFLICT; /* the caller's transaction, once */
	if (nk && strcmp(fw_data_key_id(nk), fw_data_key_id(q->key)) == 0)
		return fw_error_set(err, FW_EINVAL, "data_key",
		                    "the new data key has the id of the current one");
	for (size_t i = 0; i < sizeof(sealed_tables) / sizeof(sealed_tables[0]) && rc == 0; i++)
		rc = rekey_table(q, &sealed_tables[i], q->key, nk, progress, pctx, &values, err);
	if (rc == 0 && nk)
		rc = meta_set(s, "data_key_id", fw_data_key_id(nk));
	if (rc == 0 && nk)
		rc = meta_set(s, "data_key_purge", "1");
	if (rc == 0 && nk && (rc = fw_data_key_dup(nk, &next)) == 0)
		q->next_key = next;
	if (rc == 0 && ret_values)
		*ret_values = values;
	return rc;
}

/* checkpoint: copies the write-ahead log into the database and truncates it; FW_EBUSY if it is in use. */
static int checkpoint(struct sq *q)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		rc = fwerr(rc);
	else if ((rc = fetch(st, SQLITE_OK)) == 0 && cint(st, 0) != 0)
		rc = FW_EBUSY; /* the log is not all copied: another connection still reads or writes */
	sqlite3_finalize(st);
	return rc;
}

static int purge(struct fw_store *s)
{
	struct sq *q = conn(s);
	int rc;

	if (q->tx)
		return FW_ECONFLICT;
	pthread_mutex_lock(&writer_lock);
	rc = checkpoint(q);
	/* VACUUM writes every live page anew and drops the free ones: nothing replaced survives. */
	if (rc == 0 && (rc = sqlite3_exec(q->db, "VACUUM", NULL, NULL, NULL)) != SQLITE_OK)
		rc = fwerr(rc);
	if (rc == 0 && (rc = sqlite3_exec(q->db, "DELETE FROM meta WHERE key = 'data_key_purge'", NULL, NULL,
	                                  NULL)) != SQLITE_OK)
		rc = fwerr(rc);
	if (rc == 0)
		rc = checkpoint(q);
	pthread_mutex_unlock(&writer_lock);
	return rc;
}

/* Opening and closing. */

/* Partners' client certificates and authentication modes. */

static void row_cert(sqlite3_stmt *st, struct fw_partner_cert *c)
{
	memset(c, 0, sizeof(*c));
	ctext(st, 0, c->fingerprint, sizeof(c->fingerprint));
	ctext(st, 1, c->partner_id, sizeof(c->partner_id));
	ctext(st, 2, c->subject, sizeof(c->subject));
	c->created_at = cint(st, 3);
	c->revoked_at = cint(st, 4);
	c->not_after = cint(st, 5);
}

static int cert_insert(struct fw_store *s, const struct fw_partner_cert *c)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_CERT_INSERT];
	int b = SQLITE_OK;

	btext(st, 1, c->fingerprint, sizeof(c->fingerprint), &b);
	btext(st, 2, c->partner_id, sizeof(c->partner_id), &b);
	btext(st, 3, c->subject, sizeof(c->subject), &b);
	bint(st, 4, c->created_at, &b);
	bint(st, 5, c->revoked_at, &b);
	bint(st, 6, c->not_after, &b);
	return run(q, st, b, NULL);
}

static int cert_get(struct fw_store *s, const char *fingerprint, struct fw_partner_cert *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_CERT_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, fingerprint, SIZE_MAX, &b);
	if ((rc = fetch(st, b)) == 0)
		row_cert(st, ret);
	done(st);
	return rc;
}

static int cert_revoke(struct fw_store *s, const char *partner_id, const char *fingerprint, int64_t at)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_CERT_REVOKE];
	int b = SQLITE_OK, n = 0, rc;

	if (at <= 0) /* revoked_at 0 means valid */
		return FW_EINVAL;
	btext(st, 1, partner_id, SIZE_MAX, &b);
	btext(st, 2, fingerprint, SIZE_MAX, &b);
	bint(st, 3, at, &b);
	rc = run(q, st, b, &n);
	return rc < 0 ? rc : n == 0 ? FW_ENOENT : 0;
}

static int cert_each(struct fw_store *s, const char *partner_id, fw_partner_cert_cb cb, void *ctx)
{
	sqlite3_stmt *st = conn(s)->st[S_CERT_EACH];
	struct fw_partner_cert c;
	int b = SQLITE_OK, rc;

	if (sqlite3_stmt_busy(st))
		return FW_ECONFLICT;
	btext(st, 1, partner_id, SIZE_MAX, &b);
	while ((rc = step(st, b)) == 1) {
		row_cert(st, &c);
		if ((rc = cb(ctx, &c)) != 0)
			break;
	}
	done(st);
	return rc;
}

static int partner_auth_get(struct fw_store *s, const char *partner_id, int *ret)
{
	sqlite3_stmt *st = conn(s)->st[S_AUTH_GET];
	int b = SQLITE_OK, rc;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	if ((rc = fetch(st, b)) == 0)
		*ret = (int)cint(st, 0);
	done(st);
	return rc;
}

static int partner_auth_set(struct fw_store *s, const char *partner_id, int mode)
{
	struct sq *q = conn(s);
	sqlite3_stmt *st = q->st[S_AUTH_SET];
	int b = SQLITE_OK;

	btext(st, 1, partner_id, SIZE_MAX, &b);
	bint(st, 2, mode, &b);
	return run(q, st, b, NULL);
}

static void destroy(struct fw_store *s)
{
	struct sq *q = conn(s);

	if (q->tx)
		rollback(s); /* releases the writer lock too */
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db); /* rolls back an open transaction */
	fw_data_key_free(q->key);
	fw_data_key_free(q->next_key);
	free(q);
}

static const struct fw_store_ops sqlite_ops = {
    .close = destroy,
    .begin = begin,
    .commit = commit,
    .rollback = rollback,
    .set_data_key = set_data_key,
    .rekey = rekey,
    .purge = purge,
    .meta_get = meta_get,
    .meta_set = meta_set,
    .partner_insert = partner_insert,
    .partner_update = partner_update,
    .partner_get = partner_get,
    .partner_each = partner_each,
    .token_insert = token_insert,
    .token_find = token_find,
    .token_revoke = token_revoke,
    .token_revoke_all = token_revoke_all,
    .token_each = token_each,
    .tiers_get = tiers_get,
    .tiers_set = tiers_set,
    .rules_get = rules_get,
    .rules_set = rules_set,
    .advisory_insert = advisory_insert,
    .advisory_update = advisory_update,
    .advisory_get = advisory_get,
    .advisory_each = advisory_each,
    .advisory_set_due = advisory_set_due,
    .advisory_set_due_all = advisory_set_due_all,
    .advisory_each_due = advisory_each_due,
    .advisory_next_due = advisory_next_due,
    .revision_insert = revision_insert,
    .revision_get = revision_get,
    .revision_each = revision_each,
    .delivery_insert = delivery_insert,
    .delivery_each = delivery_each,
    .download_insert = download_insert,
    .download_each = download_each,
    .event_insert = event_insert,
    .event_each = event_each,
    .tx_serial = tx_serial,
    .log_size = log_size,
    .log_append = log_append,
    .log_entry_each = log_entry_each,
    .log_leaf_each = log_leaf_each,
    .log_node_get = log_node_get,
    .checkpoint_put = checkpoint_put,
    .checkpoint_latest = checkpoint_latest,
    .checkpoint_get = checkpoint_get,
    .cert_insert = cert_insert,
    .cert_get = cert_get,
    .cert_revoke = cert_revoke,
    .cert_each = cert_each,
    .partner_auth_get = partner_auth_get,
    .partner_auth_set = partner_auth_set,
    .webhook_put = webhook_put,
    .webhook_get = webhook_get,
    .webhook_delete = webhook_delete,
    .outbox_insert = outbox_insert,
    .outbox_get = outbox_get,
    .outbox_update = outbox_update,
    .outbox_each = outbox_each,
    .outbox_due = outbox_due,
    .outbox_next_due = outbox_next_due,
    .seal_key_put = seal_key_put,
    .seal_key_get = seal_key_get,
    .seal_key_delete = seal_key_delete,
};

/* has_column: 1 if the table has the column, 0 if not, or -1 (an SQLite error in *ret_rc). */
static int has_column(struct sq *q, const char *table, const char *column, int *ret_rc)
{
	sqlite3_stmt *st = NULL;
	int rc, have = -1;

	rc = sqlite3_prepare_v2(q->db, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
	                        NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		have = sqlite3_column_int(st, 0) > 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	*ret_rc = rc;
	return have;
}

/*
 * add_column: CREATE TABLE IF NOT EXISTS cannot add a column to a table made by an older version: add it
 * (alter: "ALTER TABLE ... ADD COLUMN ..."), checked again under the write lock so that two processes
 * opening one old file add it once.
 */
static int add_column(struct sq *q, const char *table, const char *column, const char *alter)
{
	int rc, have = has_column(q, table, column, &rc);

	if (have != 0)
		return rc;
	if ((rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	have = has_column(q, table, column, &rc);
	if (have == 0)
		rc = sqlite3_exec(q->db, alter, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * migrate: the columns added since the first versions, each on its own (a file may lack any of them):
 * tokens.expires_at (0, never, for every older token); downloads.sha256 (NULL for downloads recorded before
 * a download was its own event: the events list keeps showing their rows of events) and downloads.sealed.
 */
static int migrate(struct sq *q)
{
	int rc = add_column(q, "tokens", "expires_at",
	                    "ALTER TABLE tokens ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0");

	if (rc == SQLITE_OK)
		rc = add_column(q, "downloads", "sha256", "ALTER TABLE downloads ADD COLUMN sha256 BLOB");
	if (rc == SQLITE_OK)
		rc = add_column(q, "downloads", "sealed",
		                "ALTER TABLE downloads ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0");
	return rc;
}

/*
 * migrate_log: a database made before the log kept each entry's subtree hashes in its row (they were rows of
 * a table log_nodes(level, idx, hash)) gets the column, each entry's hashes copied over from log_nodes as
 * store.h lays them out, and log_nodes dropped, in one transaction. A hash missing from log_nodes stays
 * missing, so verification still names the entry at fault.
 */
static int old_log(struct sq *q, int *ret_old, int64_t *ret_size)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
	    q->db,
	    "SELECT (SELECT count(*) FROM pragma_table_info('log_entries') WHERE name = 'hashes') = 0"
	    " AND (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'log_nodes'),"
	    " (SELECT coalesce(max(idx) + 1, 0) FROM log_entries)",
	    -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ret_old = sqlite3_column_int(st, 0);
		*ret_size = sqlite3_column_int64(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int migrate_log(struct sq *q)
{
	sqlite3_stmt *node = NULL, *put = NULL;
	unsigned char hashes[64 * 32];
	int64_t size = 0;
	int rc, old = 0;

	/* Checked again under the write lock: another process may have migrated meanwhile. */
	if ((rc = old_log(q, &old, &size)) != SQLITE_OK || !old)
		return rc;
	if ((rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = old_log(q, &old, &size)) != SQLITE_OK || !old)
		goto out;
	if ((rc = sqlite3_exec(q->db, "ALTER TABLE log_entries ADD COLUMN hashes BLOB NOT NULL DEFAULT x''",
	                       NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(q->db, "SELECT hash FROM log_nodes WHERE level = ?1 AND idx = ?2", -1,
	                             &node, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(q->db, "UPDATE log_entries SET hashes = ?2 WHERE idx = ?1", -1, &put,
	                             NULL)) != SQLITE_OK)
		goto out;
	for (int64_t i = 0; rc == SQLITE_OK && i < size; i++) {
		size_t n = 0, want = completes((uint64_t)i);
		while (n < want) {
			sqlite3_bind_int(node, 1, (int)n);
			sqlite3_bind_int64(node, 2, i >> n);
			rc = sqlite3_step(node);
			if (rc != SQLITE_ROW || sqlite3_column_bytes(node, 0) != 32) {
				sqlite3_reset(node);
				break;
			}
			memcpy(hashes + 32 * n++, sqlite3_column_blob(node, 0), 32);
			sqlite3_reset(node);
		}
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(put, 1, i);
			sqlite3_bind_blob(put, 2, hashes, (int)(32 * n), SQLITE_STATIC);
			rc = sqlite3_step(put) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(q->db);
			sqlite3_reset(put);
		}
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, "DROP TABLE log_nodes", NULL, NULL, NULL);
out:
	sqlite3_finalize(node);
	sqlite3_finalize(put);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * setup: journal mode, pragmas, schema (created under the write lock, so concurrent openers of a new file
 * do not race), version check, then every statement. On failure `why` says what went wrong.
 */
static int setup(struct sq *q, int flags, char *why, size_t whysz)
{
	const char *sync =
	    flags & FW_STORE_SYNC_FULL ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
	sqlite3_stmt *st = NULL;
	char value[32] = "";
	int locked = 0;
	int rc;

	if (sqlite3_db_readonly(q->db, "main") == 1) { /* SQLite falls back to read-only silently */
		snprintf(why, whysz, "the database file is read-only");
		rc = SQLITE_READONLY;
		goto out;
	}
	if ((rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode=WAL", -1, &st, NULL)) != SQLITE_OK)
		goto out;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto out;
	ctext(st, 0, value, sizeof(value));
	if (strcmp(value, "wal") != 0 && strcmp(value, "memory") != 0) {
		snprintf(why, whysz, "cannot use WAL journal mode (got '%s')", value);
		rc = SQLITE_ERROR;
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = sqlite3_exec(q->db, sync, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(q->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL)) != SQLITE_OK ||
	    /* Freed content is overwritten with zeros: replaced values leave nothing behind in free pages. */
	    (rc = sqlite3_exec(q->db, "PRAGMA secure_delete=ON", NULL, NULL, NULL)) != SQLITE_OK ||
	    /* Reads through the page cache mapping instead of a read() per page: whole-log scans are faster.
	     */
	    (rc = sqlite3_exec(q->db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL)) != SQLITE_OK)
		goto out;
	/* Creating the schema is a write: queue with this process's writers, never against them. */
	pthread_mutex_lock(&writer_lock);
	locked = 1;
	if ((rc = sqlite3_exec(q->db, schema_meta, NULL, NULL, NULL)) != SQLITE_OK)
		goto out;
	rc = sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto out;
	value[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ctext(st, 0, value, sizeof(value));
	else if (rc != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (value[0] && strcmp(value, SCHEMA_VERSION) != 0) {
		snprintf(why, whysz, "unsupported schema version '%s' (expected " SCHEMA_VERSION ")", value);
		rc = SQLITE_ERROR;
		goto out;
	}
	if ((rc = sqlite3_exec(q->db, schema, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(q->db, schema_delivery, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = migrate(q)) != SQLITE_OK || (rc = migrate_log(q)) != SQLITE_OK)
		goto out;
	pthread_mutex_unlock(&writer_lock);
	locked = 0;
	for (int i = 0; i < NSTMT; i++) {
		rc = sqlite3_prepare_v3(q->db, sqls[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i], NULL);
		if (rc != SQLITE_OK)
			goto out;
	}
	rc = SQLITE_OK;
out:
	if (rc != SQLITE_OK && !why[0])
		snprintf(why, whysz, "%s", sqlite3_errmsg(q->db));
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	if (locked)
		pthread_mutex_unlock(&writer_lock);
	return rc;
}

int fw_store_sqlite_open(const char *path, int flags, struct fw_store **ret, struct fw_error *err)
{
	struct sq *q;
	char why[160] = "";
	int rc;

	if (!path[0])
		return fw_error_set(err, FW_EINVAL, "uri", "no database path");
	if (flags & ~FW_STORE_SYNC_FULL)
		return fw_error_set(err, FW_EINVAL, "flags", "unknown store flags 0x%x", (unsigned)flags);
	if (!(q = calloc(1, sizeof(*q))))
		return FW_ENOMEM;
	q->base.ops = &sqlite_ops;
	rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                     NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, sizeof(why), "%s", q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	if ((rc = setup(q, flags, why, sizeof(why))) != SQLITE_OK)
		goto out;
	*ret = &q->base;
	return 0;
out:
	destroy(&q->base);
	rc = fwerr(rc);
	if (rc != FW_ENOMEM && rc != FW_EBUSY)
		rc = FW_EIO;
	return fw_error_set(err, rc, "uri", "cannot open database '%s': %s", path, why);
}
