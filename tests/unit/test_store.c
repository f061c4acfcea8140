/*
 * test_store.c: the SQLite store: creation and migration, refusal of a
 * newer database, read-only opening that writes nothing, exactly-once
 * inbound rows, digest deduplication across a UIDVALIDITY change.
 */
#include "config.h"

#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "store.h"
#include "testutil.h"

static char	*tmpdir;

static void	 assert_query(const char *, const char *, const char *);

static char *
db_path(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static void
test_create_migrates_to_latest(void)
{
	char		*path = db_path("create.db");
	GError		*err = NULL;
	struct store	*st = store_open(path, STORE_CREATE, &err);

	g_assert_no_error(err);
	g_assert_cmpint(store_schema_version(st), ==, store_schema_latest());
	store_close(st);
	/* Opening again applies nothing and keeps the version. */
	st = store_open(path, 0, &err);
	g_assert_no_error(err);
	g_assert_cmpint(store_schema_version(st), ==, store_schema_latest());
	store_close(st);
	g_free(path);
}

static void
test_missing_database_not_created(void)
{
	char		*path = db_path("absent.db");
	GError		*err = NULL;

	g_assert_null(store_open(path, STORE_READONLY, &err));
	g_assert_error(err, STORE_ERROR, STORE_ERROR_OPEN);
	g_assert_nonnull(strstr(err->message, "no database there"));
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_error_free(err);
	g_free(path);
}

static void
test_newer_database_refused(void)
{
	char		*path = db_path("newer.db");
	GError		*err = NULL;
	sqlite3		*db;
	char		*sql;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	sql = g_strdup_printf("PRAGMA user_version = %d",
	    store_schema_latest() + 1);
	g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
	g_assert_null(store_open(path, STORE_CREATE, &err));
	g_assert_error(err, STORE_ERROR, STORE_ERROR_VERSION);
	g_test_message("%s", err->message);
	g_assert_nonnull(strstr(err->message, "is newer than this recoursd"));
	g_error_free(err);
	g_free(sql);
	g_free(path);
}

static void
test_not_a_database(void)
{
	char		*path = db_path("garbage.db");
	GError		*err = NULL;

	g_assert_true(g_file_set_contents(path, "this is not sqlite, "
	    "just text long enough to fill a header page..........", -1, NULL));
	g_assert_null(store_open(path, 0, &err));
	g_assert_nonnull(err);
	g_test_message("%s", err->message);
	g_assert_nonnull(strstr(err->message, path));
	g_error_free(err);
	g_free(path);
}

static void
add(struct store *st, uint32_t uv, uint32_t uid, const char *sum,
    enum store_added *added, int64_t *id)
{
	struct store_inbound in;
	GError		*err = NULL;

	memset(&in, 0, sizeof(in));
	in.mailbox = "client";
	in.uidvalidity = uv;
	in.uid = uid;
	in.size = 10;
	in.sha256 = sum;
	in.source = uv != 0 ? "imap" : "inject";
	in.now = 1;
	g_assert_true(store_begin(st, &err));
	g_assert_true(store_inbound_add(st, &in, added, id, &err));
	g_assert_true(store_commit(st, &err));
	g_assert_no_error(err);
}

static void
test_inbound_exactly_once(void)
{
	char		*path = db_path("inbound.db");
	GError		*err = NULL;
	struct store	*st = store_open(path, STORE_CREATE, &err);
	struct store_mailbox mb;
	enum store_added added;
	int64_t		 id, n;

	g_assert_true(store_mailbox_reset(st, "client", 7, &err));
	add(st, 7, 1, "aa", &added, &id);
	g_assert_cmpint(added, ==, STORE_ADDED);
	add(st, 7, 1, "aa", &added, &id);
	g_assert_cmpint(added, ==, STORE_ALREADY);
	add(st, 7, 2, "bb", &added, &id);
	g_assert_true(store_mailbox_get(st, "client", &mb, &err));
	g_assert_cmpuint(mb.uidvalidity, ==, 7);
	g_assert_cmpuint(mb.last_uid, ==, 2);

	/* New UIDVALIDITY: UIDs void, the same bytes are a duplicate. */
	g_assert_true(store_mailbox_reset(st, "client", 8, &err));
	add(st, 8, 1, "aa", &added, &id);
	g_assert_cmpint(added, ==, STORE_DUPLICATE);
	add(st, 8, 2, "cc", &added, &id);
	g_assert_cmpint(added, ==, STORE_ADDED);
	g_assert_true(store_inbound_count(st, "new", &n, &err));
	g_assert_cmpint(n, ==, 3);
	g_assert_true(store_inbound_count(st, "duplicate", &n, &err));
	g_assert_cmpint(n, ==, 1);

	/* Injected messages get their own UIDs, never colliding. */
	add(st, 0, 0, "dd", &added, &id);
	add(st, 0, 0, "dd", &added, &id);
	g_assert_cmpint(added, ==, STORE_ADDED);
	g_assert_true(store_inbound_count(st, NULL, &n, &err));
	g_assert_cmpint(n, ==, 6);

	/*
	 * Copies under the same UIDVALIDITY are not duplicates, however
	 * many; under a lower one they are, of the first copy stored.
	 */
	add(st, 8, 3, "cc", &added, &id);
	g_assert_cmpint(added, ==, STORE_ADDED);
	g_assert_true(store_mailbox_reset(st, "client", 6, &err));
	add(st, 6, 1, "cc", &added, &id);
	g_assert_cmpint(added, ==, STORE_DUPLICATE);
	g_assert_no_error(err);
	store_close(st);
	assert_query(path, "SELECT duplicate_of = (SELECT min(id) FROM inbound "
	    "WHERE sha256 = 'cc') FROM inbound WHERE uidvalidity = 6", "1");
	g_free(path);
}

static void
test_quarantine_state(void)
{
	char		*path = db_path("state.db");
	GError		*err = NULL;
	struct store	*st = store_open(path, STORE_CREATE, &err);
	struct store_inbound_row r;
	enum store_added added;
	GArray		*rows;
	int64_t		 id;

	add(st, 0, 0, "ee", &added, &id);
	g_assert_true(store_inbound_next(st, &r, &err));
	g_assert_cmpint(r.id, ==, id);
	store_inbound_row_clear(&r);
	g_assert_true(store_inbound_set_state(st, id, "quarantined",
	    "too many MIME parts", 5, &err));
	g_assert_false(store_inbound_next(st, &r, &err));
	g_assert_no_error(err);
	rows = store_inbound_list(st, "quarantined", &err);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpstr(g_array_index(rows, struct store_inbound_row, 0).reason,
	    ==, "too many MIME parts");
	g_array_unref(rows);
	store_close(st);
	g_free(path);
}

/* sqlite3 on path: one value, as text; caller frees. */
static char *
query(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		*v = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &s, NULL), ==,
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = g_strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
assert_query(const char *path, const char *sql, const char *want)
{
	char	*got = query(path, sql);

	g_assert_cmpstr(got, ==, want);
	g_free(got);
}

/*
 * Migration 7 rebuilds inbound, outbox and timer: a database of version
 * 6 with rows that point at each other keeps them all, and its foreign
 * keys hold.
 */
static void
test_migrates_v6_rows(void)
{
	char		*path = db_path("v6.db"), *fixture, *sql;
	const char	*srcdir = g_getenv("srcdir");
	GError		*err = NULL;
	struct store	*st;
	sqlite3		*db;

	fixture = g_build_filename(srcdir != NULL ? srcdir : ".", "tests",
	    "unit", "fixtures", "schema-v6.sql", NULL);
	g_assert_true(g_file_get_contents(fixture, &sql, NULL, NULL));
	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, 0, &err);
	g_assert_no_error(err);
	g_assert_cmpint(store_schema_version(st), ==, store_schema_latest());
	store_close(st);
	assert_query(path, "SELECT group_concat(id || ':' || state || ':' || "
	    "coalesce(reason, '') || ':' || coalesce(duplicate_of, ''), ' ') "
	    "FROM inbound", "1:processed:: 2:quarantined:too many MIME parts: "
	    "3:duplicate::1");
	assert_query(path, "SELECT hex(raw) FROM inbound_raw WHERE inbound_id = 1", "6869");
	assert_query(path, "SELECT state || ' ' || hex(data) || ' ' || reply "
	    "FROM outbox", "sent 4142 250 ok");
	assert_query(path, "SELECT group_concat(deadline || ':' || state || ':' "
	    "|| attempts, ' ') FROM timer", "response:pending:0 ack:met:0");
	assert_query(path, "SELECT count(*) FROM pragma_foreign_key_check",
	    "0");
	assert_query(path, "SELECT count(*) FROM message WHERE inbound_id = 1 "
	    "AND case_id = 1", "1");
	g_free(sql);
	g_free(fixture);
	g_free(path);
}

/* A failed row keeps its reason; a store error on data is not transient. */
static void
test_failed_state(void)
{
	char		*path = db_path("failed.db");
	GError		*err = NULL;
	struct store	*st = store_open(path, STORE_CREATE, &err);
	struct store_inbound in;
	struct store_inbound_row r;
	enum store_added added;
	GArray		*rows;
	int64_t		 id;

	g_assert_no_error(err);
	memset(&in, 0, sizeof(in));
	in.mailbox = "client";
	in.uidvalidity = 1;
	in.uid = 1;
	in.size = 2;
	in.sha256 = "cc";
	in.raw = "hi";
	in.source = "imap";
	in.now = 1000;
	g_assert_true(store_begin(st, NULL));
	g_assert_true(store_inbound_add(st, &in, &added, &id, NULL));
	g_assert_true(store_inbound_set_state(st, id, "failed", "boom", 2000,
	    NULL));
	g_assert_true(store_commit(st, NULL));
	g_assert_true(store_inbound_get(st, id, &r, NULL));
	g_assert_cmpstr(r.state, ==, "failed");
	g_assert_cmpstr(r.reason, ==, "boom");
	g_assert_cmpint(r.processed_at, ==, 2000);
	store_inbound_row_clear(&r);
	rows = store_inbound_set_aside(st, 1999, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_array_unref(rows);
	rows = store_inbound_set_aside(st, 2000, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 0);
	g_array_unref(rows);
	/* A state the schema does not know is the data's fault. */
	g_assert_false(store_inbound_set_state(st, id, "bogus", NULL, 1, &err));
	g_assert_error(err, STORE_ERROR, STORE_ERROR_SQL);
	g_assert_false(store_error_transient(err));
	g_clear_error(&err);
	store_close(st);
	g_free(path);
}

/* An outbox row without data is an intent until composed. */
static void
test_outbox_intent(void)
{
	char		*path = db_path("intent.db");
	GError		*err = NULL;
	struct store	*st = store_open(path, STORE_CREATE, &err);
	struct store_outbox o;
	GArray		*rows;
	GBytes		*data = g_bytes_new_static("X", 1);
	int64_t		 id;

	g_assert_no_error(err);
	memset(&o, 0, sizeof(o));
	o.kind = "ack";
	o.mail_from = "recours@example.test";
	o.rcpt = "alice@example.test";
	o.message_id = "i1@example.test";
	o.letter = "[letter]\nsubject=s\n";
	o.queued_at = 100;
	g_assert_true(store_outbox_add(st, &o, &id, NULL));
	rows = store_outbox_due(st, 1000, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 0);	/* never sent as it is */
	g_array_unref(rows);
	rows = store_outbox_intents(st, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpstr(g_array_index(rows, struct store_outbox, 0).letter, ==,
	    "[letter]\nsubject=s\n");
	g_array_unref(rows);
	g_assert_true(store_outbox_composed(st, id, data, 500, NULL));
	rows = store_outbox_due(st, 500, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpint(g_array_index(rows, struct store_outbox, 0).next_at, ==,
	    500);
	g_array_unref(rows);
	rows = store_outbox_intents(st, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 0);
	g_array_unref(rows);
	/* One that cannot be written fails, to be reported, and retries. */
	o.message_id = "i2@example.test";
	g_assert_true(store_outbox_add(st, &o, &id, NULL));
	g_assert_true(store_outbox_uncomposable(st, id, "no address", NULL));
	rows = store_outbox_unreported(st, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpstr(g_array_index(rows, struct store_outbox, 0).reply, ==,
	    "no address");
	g_array_unref(rows);
	g_assert_true(store_outbox_retry(st, id, 600, NULL));
	rows = store_outbox_intents(st, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 1);	/* composed again */
	g_array_unref(rows);
	g_bytes_unref(data);
	store_close(st);
	g_free(path);
}

/* A timer that cannot fire waits for its retry, then is failed. */
static void
test_timer_retry(void)
{
	char		*path = db_path("timer.db");
	GError		*err = NULL;
	struct store	*st = store_open(path, STORE_CREATE, &err);
	GArray		*due;
	sqlite3		*db;

	g_assert_no_error(err);
	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, "INSERT INTO cases (id, ref, type, "
	    "prefix, year, seq, state, opened_at) VALUES (1, 'R-2026-0001', 't', "
	    "'R', 2026, 1, 'received', 0)", NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
	g_assert_true(store_timer_add(st, 1, "response", "due", 100, NULL));
	g_assert_cmpint(store_timer_next(st), ==, 100);
	due = store_timers_due(st, 100, 10, NULL);
	g_assert_cmpuint(due->len, ==, 1);
	g_assert_true(store_timer_retry(st, g_array_index(due,
	    struct store_timer, 0).id, 160, "boom", NULL));
	g_array_unref(due);
	g_assert_cmpint(store_timer_next(st), ==, 160);
	due = store_timers_due(st, 159, 10, NULL);
	g_assert_cmpuint(due->len, ==, 0);
	g_array_unref(due);
	due = store_timers_due(st, 160, 10, NULL);
	g_assert_cmpuint(due->len, ==, 1);
	g_assert_cmpint(g_array_index(due, struct store_timer, 0).attempts, ==, 1);
	g_assert_true(store_timer_fail(st, g_array_index(due, struct store_timer,
	    0).id, 170, "boom again", NULL));
	g_array_unref(due);
	g_assert_cmpint(store_timer_next(st), ==, 0);
	assert_query(path, "SELECT state || ' ' || attempts || ' ' || reason "
	    "FROM timer", "failed 2 boom again");
	/* Scheduled again, it starts afresh. */
	g_assert_true(store_timer_add(st, 1, "response", "due", 300, NULL));
	assert_query(path, "SELECT state || ' ' || attempts || ' ' || "
	    "coalesce(retry_at, '-') FROM timer", "pending 0 -");
	store_close(st);
	g_free(path);
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = tu_tmpdir("test_store");
	g_test_add_func("/store/create-migrates-to-latest",
	    test_create_migrates_to_latest);
	g_test_add_func("/store/missing-database-not-created",
	    test_missing_database_not_created);
	g_test_add_func("/store/newer-database-refused",
	    test_newer_database_refused);
	g_test_add_func("/store/not-a-database", test_not_a_database);
	g_test_add_func("/store/inbound-exactly-once", test_inbound_exactly_once);
	g_test_add_func("/store/quarantine-state", test_quarantine_state);
	g_test_add_func("/store/migrates-v6-rows", test_migrates_v6_rows);
	g_test_add_func("/store/failed-state", test_failed_state);
	g_test_add_func("/store/outbox-intent", test_outbox_intent);
	g_test_add_func("/store/timer-retry", test_timer_retry);
	rc = g_test_run();
	tu_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
