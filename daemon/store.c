/*
 * store.c: see store.h.  The connection, its migrations, its transactions
 * and the one statement cache that the store's files share (store_int.h):
 * every statement is prepared once and kept; SQL is never built with
 * printf.  Migrations are an ordered array: a shipped one is never
 * edited, a change is a new entry.
 *
 * The tables are read and written by aggregate: store_inbound.c (mailbox
 * state, inbound rows, IMAP purge), store_case.c (cases, messages,
 * attachments), store_event.c (the event chain), store_timer.c,
 * store_outbox.c and store_purge.c (retention).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

/* Schema migrations; index i brings user_version from i to i + 1. */
static const char *const migrations[] = {
	/* 1: ingest — mailbox state, raw inbound rows, parsed messages. */
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL DEFAULT 0,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  failing_since INTEGER NOT NULL DEFAULT 0,"
	"  alerted INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT"
	") STRICT;"
	"CREATE TABLE inbound ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  raw BLOB,"		/* the message; NULL: in the spool, by digest */
	"  message_id TEXT,"
	"  source TEXT NOT NULL CHECK (source IN ('imap', 'inject')),"
	"  state TEXT NOT NULL DEFAULT 'new' CHECK (state IN"
	"    ('new', 'processed', 'quarantined', 'duplicate')),"
	"  reason TEXT,"
	"  duplicate_of INTEGER REFERENCES inbound(id),"
	"  processed_at INTEGER,"
	"  UNIQUE (mailbox, uidvalidity, uid)"
	") STRICT;"
	"CREATE INDEX inbound_by_state ON inbound(state, id);"
	"CREATE INDEX inbound_by_digest ON inbound(mailbox, sha256);"
	"CREATE TABLE message ("
	"  id INTEGER PRIMARY KEY,"
	"  inbound_id INTEGER REFERENCES inbound(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  message_id TEXT,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  subject TEXT,"
	"  from_name TEXT,"
	"  from_addr TEXT,"
	"  reply_to TEXT,"
	"  to_addrs TEXT,"
	"  cc_addrs TEXT,"
	"  date INTEGER,"
	"  body TEXT,"
	"  flags TEXT"
	") STRICT;"
	"CREATE INDEX message_by_msgid ON message(message_id);"
	"CREATE TABLE attachment ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL REFERENCES message(id),"
	"  filename TEXT NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL"
	") STRICT;",
	/*
	 * 2: the outbox.  One row per recipient, so that one bad address
	 * never blocks another; data is the exact bytes sent, kept with
	 * the server's final reply as proof of sending.
	 */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  case_id INTEGER,"
	"  mail_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  queued_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  reply TEXT"
	") STRICT;"
	"CREATE INDEX outbox_due ON outbox(state, next_at);",
	/*
	 * 3: cases and their events.  References are allocated from
	 * case_seq inside the transaction that opens the case: no gap, no
	 * duplicate.  Events are append-only, each hashed over the previous
	 * one (the audit chain).
	 */
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL,"
	"  prefix TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  mailbox TEXT,"
	"  subject TEXT,"
	"  complainant_name TEXT,"
	"  complainant_addr TEXT,"
	"  reply_to TEXT,"
	"  opened_at INTEGER NOT NULL,"
	"  closed_at INTEGER,"
	"  linked_to INTEGER REFERENCES cases(id),"
	"  missing TEXT,"
	"  out_of_time INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (prefix, year, seq)"
	") STRICT;"
	"CREATE TABLE case_seq ("
	"  prefix TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  PRIMARY KEY (prefix, year)"
	") STRICT;"
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER REFERENCES cases(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT,"
	"  prev TEXT NOT NULL,"
	"  hash TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX event_by_case ON event(case_id, id);"
	"ALTER TABLE message ADD COLUMN case_id INTEGER REFERENCES cases(id);"
	"CREATE INDEX message_by_case ON message(case_id);",
	/*
	 * 4: timers, one per deadline of a case (kind 'due') and per
	 * reminder before it (kind 'remind'), indexed by when they fall due.
	 */
	"CREATE TABLE timer ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  deadline TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('due', 'remind')),"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending', 'met', 'missed', 'sent', 'cancelled')),"
	"  fired_at INTEGER,"
	"  UNIQUE (case_id, deadline, kind)"
	") STRICT;"
	"CREATE INDEX timer_due ON timer(state, due_at);",
	/* 5: the language the complainant is written to, fixed at opening. */
	"ALTER TABLE cases ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';"
	/* A failed row, once its case and staff were told of it. */
	"ALTER TABLE outbox ADD COLUMN reported INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 6: retention.  A new event's hash covers digests of its actor
	 * and detail (sealed, "A:D"), so that a purge can erase them and
	 * the chain still verifies; an event from before keeps its hash
	 * over the clear text.  A purged case, and its inbound rows, carry
	 * the date; the server copies of purged messages wait in
	 * imap_purge until the mailbox's fetcher deletes them.
	 */
	"ALTER TABLE event ADD COLUMN sealed TEXT;"
	"ALTER TABLE cases ADD COLUMN purged_at INTEGER;"
	"ALTER TABLE inbound ADD COLUMN purged_at INTEGER;"
	"CREATE TABLE imap_purge ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  queued_at INTEGER NOT NULL"
	") STRICT;",
	/*
	 * 7: one message, one fate.  An inbound row whose processing failed
	 * is set aside ('failed', with its reason) and the others go on.  A
	 * letter is first an intent ('intent': what to write, in letter, a
	 * key file) that the compose stage builds into data, or fails with
	 * the reason; one handed to the mail server is 'sending' until its
	 * reply is recorded, so that it is never sent twice.  A timer that cannot fire is retried at retry_at with
	 * backoff, and after too many attempts is 'failed'.  Automatic mail
	 * keeps why it is automatic (message.automatic).  SQLite cannot
	 * change a CHECK constraint: the three tables are rebuilt, with
	 * foreign keys off (store_open() runs the migrations before it turns
	 * them on).
	 */
	"CREATE TABLE inbound_new ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  raw BLOB,"
	"  message_id TEXT,"
	"  source TEXT NOT NULL CHECK (source IN ('imap', 'inject')),"
	"  state TEXT NOT NULL DEFAULT 'new' CHECK (state IN"
	"    ('new', 'processed', 'quarantined', 'duplicate', 'failed')),"
	"  reason TEXT,"
	"  duplicate_of INTEGER REFERENCES inbound(id),"
	"  processed_at INTEGER,"
	"  purged_at INTEGER,"
	"  UNIQUE (mailbox, uidvalidity, uid)"
	") STRICT;"
	"INSERT INTO inbound_new SELECT id, mailbox, uidvalidity, uid, "
	"  fetched_at, size, sha256, raw, message_id, source, state, reason, "
	"  duplicate_of, processed_at, purged_at FROM inbound;"
	"DROP TABLE inbound;"
	"ALTER TABLE inbound_new RENAME TO inbound;"
	"CREATE INDEX inbound_by_state ON inbound(state, id);"
	"CREATE INDEX inbound_by_digest ON inbound(mailbox, sha256);"
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  case_id INTEGER,"
	"  mail_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  data BLOB,"			/* NULL while an intent */
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('intent', 'pending', 'sending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  queued_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  reply TEXT,"
	"  reported INTEGER NOT NULL DEFAULT 0,"
	"  letter TEXT"
	") STRICT;"
	"INSERT INTO outbox_new SELECT id, kind, case_id, mail_from, rcpt, "
	"  message_id, data, state, attempts, queued_at, next_at, sent_at, "
	"  reply, reported, NULL FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(state, next_at);"
	/* The hourly alert looks at the last of its kind every few seconds. */
	"CREATE INDEX outbox_by_kind ON outbox(kind, queued_at);"
	"CREATE TABLE timer_new ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  deadline TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('due', 'remind')),"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending', 'met', 'missed', 'sent', 'cancelled', 'failed')),"
	"  fired_at INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  retry_at INTEGER,"
	"  reason TEXT,"
	"  UNIQUE (case_id, deadline, kind)"
	") STRICT;"
	"INSERT INTO timer_new (id, case_id, deadline, kind, due_at, state, "
	"  fired_at) SELECT id, case_id, deadline, kind, due_at, state, "
	"  fired_at FROM timer;"
	"DROP TABLE timer;"
	"ALTER TABLE timer_new RENAME TO timer;"
	"CREATE INDEX timer_due ON timer(state, due_at);"
	"ALTER TABLE message ADD COLUMN automatic TEXT;",
	/*
	 * 8: channels.  A case records how it came (email, or a call, a
	 * letter, a visit that staff entered) and the postal address
	 * letters on paper go to.  A letter on paper ('post') keeps its PDF
	 * as an attachment of an outgoing message row, and when it was
	 * posted, with its tracking number if registered, and the date on
	 * the returned receipt or of its return unclaimed.  An inbound row
	 * that recoursctl open wrote carries who ran it ('opening').
	 */
	"ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';"
	"ALTER TABLE cases ADD COLUMN postal_address TEXT;"
	"CREATE TABLE post ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  message INTEGER NOT NULL REFERENCES message(id),"
	"  letter TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  registered INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  posted_at INTEGER,"
	"  tracking TEXT,"
	"  receipt_at INTEGER,"
	"  returned_at INTEGER"
	") STRICT;"
	"CREATE INDEX post_by_case ON post(case_id, id);"
	"CREATE TABLE opening ("
	"  inbound_id INTEGER PRIMARY KEY REFERENCES inbound(id),"
	"  actor TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	") STRICT;",
	/*
	 * 9: a message's bytes in a table of their own.  Setting an inbound
	 * row's state changes the row's size, and SQLite then rewrote the
	 * whole record, the message's bytes with it (and the checkpoint
	 * copied them again): half of what ingest wrote.  The small row now
	 * changes alone.  The digest index also covers the source and the
	 * UIDVALIDITY, so that finding the same bytes under another
	 * UIDVALIDITY does not read every copy stored under this one.
	 */
	"CREATE TABLE inbound_raw ("
	"  inbound_id INTEGER PRIMARY KEY REFERENCES inbound(id),"
	"  raw BLOB NOT NULL"
	") STRICT;"
	"INSERT INTO inbound_raw SELECT id, raw FROM inbound "
	"  WHERE raw IS NOT NULL;"
	"ALTER TABLE inbound DROP COLUMN raw;"
	"DROP INDEX inbound_by_digest;"
	"CREATE INDEX inbound_by_digest ON inbound(mailbox, sha256, source, "
	"  uidvalidity);",
};
#define NMIGRATIONS	((int)G_N_ELEMENTS(migrations))

const char *const store_core_sql[S_COUNT] = {
	/* Writers take the lock up front (no upgrade deadlock). */
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT one_message",
	[S_ROLLBACK_TO] = "ROLLBACK TO one_message",
	[S_RELEASE] = "RELEASE one_message",
	[S_SCHEMA_VERSION] = "PRAGMA user_version",
};

/* Where store_stmt() finds a statement's SQL. */
static const char *const *const sql_tables[] = {
	store_core_sql,
	store_inbound_sql,
	store_case_sql,
	store_event_sql,
	store_timer_sql,
	store_outbox_sql,
	store_purge_sql,
	store_post_sql,
};

static int	 busy_wait(void *, int);
static int	 error_class(struct store *);
static gboolean	 exec(struct store *, const char *, GError **);
static gboolean	 run(struct store *, enum stmt_id, GError **);
static gboolean	 migrate(struct store *, GError **);

G_DEFINE_QUARK(store-error-quark, store_error)

/*
 * Writers are the fetch threads and the main thread, each holding the
 * lock for one short transaction: retry every millisecond (SQLite's own
 * busy timeout backs off to 100 ms sleeps), for 10 s at most.
 */
static int
busy_wait(void *data, int tries)
{
	(void)data;
	if (tries >= 10000)
		return 0;
	g_usleep(1000);
	return 1;
}

/*
 * A full disk, a lock held too long or an I/O error is the machine's
 * state, not the data's: the same work may succeed later.
 */
static int
error_class(struct store *st)
{
	switch (sqlite3_errcode(st->db) & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return STORE_ERROR_TRANSIENT;
	default:
		return STORE_ERROR_SQL;
	}
}

gboolean
store_fail(struct store *st, GError **err, const char *what)
{
	g_set_error(err, STORE_ERROR, error_class(st), "%s: %s: %s", st->path,
	    what, sqlite3_errmsg(st->db));
	return FALSE;
}

gboolean
store_error_transient(const GError *e)
{
	return e != NULL && e->domain == STORE_ERROR &&
	    e->code == STORE_ERROR_TRANSIENT;
}

/* Once per connection: its settings and the migrations. */
static gboolean
exec(struct store *st, const char *sql, GError **err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, err, sql);
	return TRUE;
}

sqlite3_stmt *
store_stmt(struct store *st, enum stmt_id id, GError **err)
{
	sqlite3_stmt	*s = st->stmts[id];
	const char	*sql = NULL;
	guint		 i;

	if (s == NULL) {
		for (i = 0; sql == NULL && i < G_N_ELEMENTS(sql_tables); i++)
			sql = sql_tables[i][id];
		if (sql == NULL) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_SQL,
			    "%s: statement %d has no SQL", st->path, (int)id);
			return NULL;
		}
		if (sqlite3_prepare_v3(st->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			store_fail(st, err, "prepare");
			return NULL;
		}
		st->stmts[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* A statement without parameters, run to its end. */
static gboolean
run(struct store *st, enum stmt_id id, GError **err)
{
	sqlite3_stmt	*s;

	return (s = store_stmt(st, id, err)) != NULL && step_done(st, s, err);
}

gboolean
store_run_int(struct store *st, enum stmt_id id, int64_t a, int64_t b,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, id, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) > 1)
		sqlite3_bind_int64(s, 2, b);
	return step_done(st, s, err);
}

gboolean
store_run_text(struct store *st, enum stmt_id id, int64_t a, const char *b,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, id, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, a);
	bind_text(s, 2, b);
	return step_done(st, s, err);
}

int64_t
store_first_int(struct store *st, sqlite3_stmt *s, GError **err)
{
	int64_t	 v = 0;
	int	 rc;

	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, err, sqlite3_sql(s));
		return -1;
	}
	return v;
}

GArray *
store_rows(struct store *st, sqlite3_stmt *s, guint size, store_read_fn *read,
    GDestroyNotify clear, const char *what, GError **err)
{
	GArray	*rows = g_array_new(FALSE, TRUE, size);
	int	 rc;

	if (clear != NULL)
		g_array_set_clear_func(rows, clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		g_array_set_size(rows, rows->len + 1);
		read(s, rows->data + (gsize)(rows->len - 1) * size);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		store_fail(st, err, what);
		return NULL;
	}
	return rows;
}

int
store_row(struct store *st, sqlite3_stmt *s, store_read_fn *read,
    gpointer row, gsize size, const char *what, GError **err)
{
	int	 rc;

	memset(row, 0, size);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		read(s, row);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, err, what);
		return -1;
	}
	return rc == SQLITE_ROW;
}

void
store_read_int(sqlite3_stmt *s, gpointer row)
{
	*(int64_t *)row = sqlite3_column_int64(s, 0);
}

void
store_read_text(sqlite3_stmt *s, gpointer row)
{
	*(char **)row = dup_column(s, 0);
}

int
store_schema_latest(void)
{
	return NMIGRATIONS;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_SCHEMA_VERSION, NULL)) == NULL)
		return -1;
	return (int)store_first_int(st, s, NULL);
}

/* Apply the missing migrations in one IMMEDIATE transaction. */
static gboolean
migrate(struct store *st, GError **err)
{
	char	*set;
	int	 v, i;

	if (!store_begin(st, err))
		return FALSE;
	v = store_schema_version(st);
	for (i = v; i < NMIGRATIONS; i++) {
		if (!exec(st, migrations[i], err))
			goto fail;
		set = g_strdup_printf("PRAGMA user_version = %d", i + 1);
		if (!exec(st, set, err)) {
			g_free(set);
			goto fail;
		}
		g_free(set);
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return FALSE;
}

struct store *
store_open(const char *path, int flags, GError **err)
{
	struct store	*st;
	int		 oflags, v;

	if ((flags & STORE_CREATE) == 0 && access(path, F_OK) != 0) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_OPEN,
		    "%s: no database there (has recoursd run yet?)", path);
		return NULL;
	}
	if ((flags & STORE_CREATE) != 0) {
		char	*dir = g_path_get_dirname(path);
		int	 rc = g_mkdir_with_parents(dir, 0750);

		g_free(dir);
		if (rc != 0) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_OPEN,
			    "%s: cannot create its directory: %s", path,
			    g_strerror(errno));
			return NULL;
		}
	}
	st = g_new0(struct store, 1);
	st->path = g_strdup(path);
	/*
	 * A SQLITE_OPEN_READONLY connection cannot always map the WAL index
	 * of a database the daemon is writing, and then misses the WAL: the
	 * looking commands open read-write and set query_only instead.
	 */
	oflags = SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ?
	    SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_OPEN, "%s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_handler(st->db, busy_wait, NULL);
	v = store_schema_version(st);
	if (v < 0) {
		store_fail(st, err, "cannot read the schema version");
		goto fail;
	}
	if (v > NMIGRATIONS) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_VERSION,
		    "%s: database schema version %d is newer than this "
		    "recoursd (%d): upgrade recoursd, or restore the backup "
		    "taken before the upgrade", path, v, NMIGRATIONS);
		goto fail;
	}
	if ((flags & STORE_READONLY) == 0 &&
	    (!exec(st, "PRAGMA journal_mode = WAL", err) ||
	    !exec(st, flags & STORE_LAZY_SYNC ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL", err)))
		goto fail;
	/* Migrations rebuild tables: foreign keys are checked after. */
	if (v < NMIGRATIONS) {
		if (flags & STORE_READONLY) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_VERSION,
			    "%s: database schema version %d is older than this "
			    "recoursd (%d): start recoursd once to upgrade it",
			    path, v, NMIGRATIONS);
			goto fail;
		}
		if (!migrate(st, err))
			goto fail;
	}
	if (!exec(st, "PRAGMA foreign_keys = ON", err))
		goto fail;
	if ((flags & STORE_READONLY) &&
	    !exec(st, "PRAGMA query_only = ON", err))
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int	 i;

	if (st == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	g_free(st->path);
	g_free(st);
}

gboolean
store_begin(struct store *st, GError **err)
{
	return run(st, S_BEGIN, err);
}

gboolean
store_commit(struct store *st, GError **err)
{
	if (run(st, S_COMMIT, err))
		return TRUE;
	store_rollback(st);
	return FALSE;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		run(st, S_ROLLBACK, NULL);
}

gboolean
store_savepoint(struct store *st, GError **err)
{
	return run(st, S_SAVEPOINT, err);
}

gboolean
store_release(struct store *st, gboolean keep, GError **err)
{
	if (!keep && !run(st, S_ROLLBACK_TO, err))
		return FALSE;
	return run(st, S_RELEASE, err);
}
