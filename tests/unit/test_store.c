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
	g_assert_no_error(err);
	store_close(st);
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
	rc = g_test_run();
	tu_rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
