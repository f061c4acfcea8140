/*
 * store_inbound.c: mailbox state, the raw inbound rows, and the server
 * copies waiting to be deleted after a purge (store.h).
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

const char *const store_inbound_sql[S_COUNT] = {
	[S_MAILBOX_GET] = "SELECT uidvalidity, last_uid, failing_since, "
	    "alerted FROM mailbox_state WHERE mailbox = ?1",
	[S_MAILBOX_RESET] = "INSERT INTO mailbox_state (mailbox, uidvalidity, "
	    "last_uid) VALUES (?1, ?2, 0) ON CONFLICT (mailbox) DO UPDATE "
	    "SET uidvalidity = ?2, last_uid = 0",
	[S_MAILBOX_RAISE] = "UPDATE mailbox_state SET last_uid = ?3 "
	    "WHERE mailbox = ?1 AND uidvalidity = ?2 AND last_uid < ?3",
	[S_MAILBOX_HEALTH] = "INSERT INTO mailbox_state (mailbox, "
	    "failing_since, last_error) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (mailbox) DO UPDATE SET failing_since = ?2, "
	    "last_error = ?3",
	[S_MAILBOX_ALL] = "SELECT mailbox, uidvalidity, last_uid, "
	    "failing_since, alerted, last_error FROM mailbox_state "
	    "ORDER BY mailbox",
	[S_MAILBOX_ALERTED] = "UPDATE mailbox_state SET alerted = ?2 WHERE "
	    "mailbox = ?1",
	[S_INBOUND_INSERT] = "INSERT INTO inbound (mailbox, uidvalidity, uid, "
	    "fetched_at, size, sha256, message_id, source, state, "
	    "duplicate_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
	    "ON CONFLICT DO NOTHING",
	[S_INBOUND_RAW_INSERT] = "INSERT INTO inbound_raw (inbound_id, raw) "
	    "VALUES (?1, ?2)",
	/* Two ranges of the digest index: "<>" would read every copy. */
	[S_INBOUND_SAME_BYTES] = "SELECT min(id) FROM (SELECT min(id) AS id "
	    "FROM inbound WHERE mailbox = ?1 AND sha256 = ?2 AND source = "
	    "'imap' AND uidvalidity < ?3 UNION ALL SELECT min(id) FROM inbound "
	    "WHERE mailbox = ?1 AND sha256 = ?2 AND source = 'imap' AND "
	    "uidvalidity > ?3)",
	[S_INBOUND_NEXT_INJECT_UID] = "SELECT coalesce(max(uid), 0) + 1 FROM "
	    "inbound WHERE mailbox = ?1 AND uidvalidity = 0",
	[S_INBOUND_NEXT] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM "
	    "inbound WHERE state = 'new' ORDER BY id LIMIT 1",
	[S_INBOUND_GET] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM "
	    "inbound WHERE id = ?1",
	[S_INBOUND_SET_STATE] = "UPDATE inbound SET state = ?2, reason = ?3, "
	    "processed_at = ?4 WHERE id = ?1",
	[S_INBOUND_LIST] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM "
	    "inbound WHERE state = ?1 ORDER BY id",
	[S_INBOUND_SET_ASIDE] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM "
	    "inbound WHERE state IN ('quarantined', 'failed') AND "
	    "processed_at > ?1 ORDER BY id LIMIT ?2",
	[S_INBOUND_COUNT] = "SELECT count(*) FROM inbound WHERE "
	    "?1 IS NULL OR state = ?1",
	[S_INBOUND_RAW] = "SELECT raw FROM inbound_raw WHERE inbound_id = ?1",
	[S_INBOUND_NEW_AFTER] = "SELECT id, size FROM inbound WHERE "
	    "state = 'new' AND id > ?1 ORDER BY id LIMIT ?2",
	[S_INBOUND_CASE] = "SELECT c.ref FROM message m JOIN cases c ON "
	    "c.id = m.case_id WHERE m.inbound_id = ?1 ORDER BY m.id LIMIT 1",
	[S_IMAP_PURGE_LIST] = "SELECT id, message_id FROM imap_purge "
	    "WHERE mailbox = ?1 ORDER BY id",
	[S_IMAP_PURGE_DONE] = "DELETE FROM imap_purge WHERE id = ?1",
};

static void	 read_mailbox(sqlite3_stmt *, gpointer);
static void	 read_health(sqlite3_stmt *, gpointer);
static void	 health_clear(gpointer);
static int64_t	 same_bytes(struct store *, const struct store_inbound *,
		    GError **);
static int64_t	 next_inject_uid(struct store *, const char *, GError **);
static gboolean	 add_raw(struct store *, int64_t, const struct store_inbound *,
		    GError **);
static void	 read_inbound_row(sqlite3_stmt *, gpointer);
static gboolean	 inbound_one(struct store *, sqlite3_stmt *,
		    struct store_inbound_row *, GError **);
static void	 inbound_row_clear(gpointer);
static GArray	*inbound_rows(struct store *, sqlite3_stmt *, const char *,
		    GError **);

static void
read_mailbox(sqlite3_stmt *s, gpointer row)
{
	struct store_mailbox *m = row;

	m->uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
	m->last_uid = (uint32_t)sqlite3_column_int64(s, 1);
	m->failing_since = sqlite3_column_int64(s, 2);
	m->alerted = sqlite3_column_int(s, 3) != 0;
}

/* No row: a mailbox never seen, all zero. */
gboolean
store_mailbox_get(struct store *st, const char *mailbox,
    struct store_mailbox *out, GError **err)
{
	sqlite3_stmt	*s;

	memset(out, 0, sizeof(*out));
	if ((s = store_stmt(st, S_MAILBOX_GET, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	return store_row(st, s, read_mailbox, out, sizeof(*out),
	    "mailbox state", err) >= 0;
}

gboolean
store_mailbox_reset(struct store *st, const char *mailbox,
    uint32_t uidvalidity, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_MAILBOX_RESET, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	sqlite3_bind_int64(s, 2, uidvalidity);
	return step_done(st, s, err);
}

gboolean
store_mailbox_health(struct store *st, const char *mailbox,
    int64_t failing_since, const char *error, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_MAILBOX_HEALTH, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	sqlite3_bind_int64(s, 2, failing_since);
	bind_text(s, 3, error);
	return step_done(st, s, err);
}

static void
read_health(sqlite3_stmt *s, gpointer row)
{
	struct store_health *h = row;

	h->mailbox = dup_column(s, 0);
	h->state.uidvalidity = (uint32_t)sqlite3_column_int64(s, 1);
	h->state.last_uid = (uint32_t)sqlite3_column_int64(s, 2);
	h->state.failing_since = sqlite3_column_int64(s, 3);
	h->state.alerted = sqlite3_column_int(s, 4) != 0;
	h->last_error = dup_column(s, 5);
}

static void
health_clear(gpointer p)
{
	struct store_health *h = p;

	g_free(h->mailbox);
	g_free(h->last_error);
}

GArray *
store_mailbox_all(struct store *st, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_MAILBOX_ALL, err)) == NULL)
		return NULL;
	return store_rows(st, s, sizeof(struct store_health), read_health,
	    health_clear, "mailbox state", err);
}

gboolean
store_mailbox_set_alerted(struct store *st, const char *mailbox,
    gboolean alerted, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_MAILBOX_ALERTED, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	sqlite3_bind_int(s, 2, alerted);
	return step_done(st, s, err);
}

/* The first row of this mailbox with the same bytes, 0 none, -1 error. */
static int64_t
same_bytes(struct store *st, const struct store_inbound *in, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_SAME_BYTES, err)) == NULL)
		return -1;
	bind_text(s, 1, in->mailbox);
	bind_text(s, 2, in->sha256);
	sqlite3_bind_int64(s, 3, in->uidvalidity);
	return store_first_int(st, s, err);
}

static int64_t
next_inject_uid(struct store *st, const char *mailbox, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_NEXT_INJECT_UID, err)) == NULL)
		return -1;
	bind_text(s, 1, mailbox);
	return store_first_int(st, s, err);
}

/* The bytes of a message kept in the database, not in the spool. */
static gboolean
add_raw(struct store *st, int64_t id, const struct store_inbound *in,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_RAW_INSERT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob64(s, 2, in->raw, (sqlite3_uint64)in->size,
	    SQLITE_STATIC);
	return step_done(st, s, err);
}

gboolean
store_inbound_add(struct store *st, const struct store_inbound *in,
    enum store_added *added, int64_t *id, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 dup, uid = in->uid;

	if (uid == 0 && (uid = next_inject_uid(st, in->mailbox, err)) < 0)
		return FALSE;
	dup = in->uidvalidity != 0 ? same_bytes(st, in, err) : 0;
	if (dup < 0 || (s = store_stmt(st, S_INBOUND_INSERT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, in->mailbox);
	sqlite3_bind_int64(s, 2, in->uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	sqlite3_bind_int64(s, 4, in->now);
	sqlite3_bind_int64(s, 5, in->size);
	bind_text(s, 6, in->sha256);
	bind_text(s, 7, in->message_id);
	bind_text(s, 8, in->source);
	bind_text(s, 9, dup > 0 ? "duplicate" : "new");
	if (dup > 0)
		sqlite3_bind_int64(s, 10, dup);
	if (!step_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(st->db) == 0)
		*added = STORE_ALREADY;
	else
		*added = dup > 0 ? STORE_DUPLICATE : STORE_ADDED;
	*id = *added == STORE_ALREADY ? 0 : sqlite3_last_insert_rowid(st->db);
	if (*id != 0 && in->raw != NULL && !add_raw(st, *id, in, err))
		return FALSE;
	if (in->uidvalidity == 0)
		return TRUE;
	if ((s = store_stmt(st, S_MAILBOX_RAISE, err)) == NULL)
		return FALSE;
	bind_text(s, 1, in->mailbox);
	sqlite3_bind_int64(s, 2, in->uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	return step_done(st, s, err);
}

static void
read_inbound_row(sqlite3_stmt *s, gpointer row)
{
	struct store_inbound_row *r = row;

	r->id = sqlite3_column_int64(s, 0);
	r->mailbox = dup_column(s, 1);
	r->sha256 = dup_column(s, 2);
	r->state = dup_column(s, 3);
	r->reason = dup_column(s, 4);
	r->message_id = dup_column(s, 5);
	r->size = sqlite3_column_int64(s, 6);
	r->fetched_at = sqlite3_column_int64(s, 7);
	r->processed_at = sqlite3_column_int64(s, 8);
}

void
store_inbound_row_clear(struct store_inbound_row *r)
{
	g_free(r->mailbox);
	g_free(r->sha256);
	g_free(r->state);
	g_free(r->reason);
	g_free(r->message_id);
	memset(r, 0, sizeof(*r));
}

static gboolean
inbound_one(struct store *st, sqlite3_stmt *s, struct store_inbound_row *r,
    GError **err)
{
	return store_row(st, s, read_inbound_row, r, sizeof(*r), "inbound",
	    err) > 0;
}

gboolean
store_inbound_next(struct store *st, struct store_inbound_row *r,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_NEXT, err)) == NULL)
		return FALSE;
	return inbound_one(st, s, r, err);
}

gboolean
store_inbound_get(struct store *st, int64_t id, struct store_inbound_row *r,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_GET, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return inbound_one(st, s, r, err);
}

gboolean
store_inbound_set_state(struct store *st, int64_t id, const char *state,
    const char *reason, int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_SET_STATE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, state);
	bind_text(s, 3, reason);
	if (strcmp(state, "new") != 0)
		sqlite3_bind_int64(s, 4, now);
	return step_done(st, s, err);
}

static void
inbound_row_clear(gpointer p)
{
	store_inbound_row_clear(p);
}

static GArray *
inbound_rows(struct store *st, sqlite3_stmt *s, const char *what,
    GError **err)
{
	return store_rows(st, s, sizeof(struct store_inbound_row),
	    read_inbound_row, inbound_row_clear, what, err);
}

GArray *
store_inbound_list(struct store *st, const char *state, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_LIST, err)) == NULL)
		return NULL;
	bind_text(s, 1, state);
	return inbound_rows(st, s, "inbound list", err);
}

GArray *
store_inbound_set_aside(struct store *st, int64_t since, int limit,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_INBOUND_SET_ASIDE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int(s, 2, limit);
	return inbound_rows(st, s, "inbound set aside", err);
}

gboolean
store_inbound_count(struct store *st, const char *state, int64_t *n,
    GError **err)
{
	sqlite3_stmt	*s;

	*n = 0;
	if ((s = store_stmt(st, S_INBOUND_COUNT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, state);
	return store_row(st, s, store_read_int, n, sizeof(*n),
	    "inbound count", err) > 0;
}

GBytes *
store_inbound_raw(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	GBytes		*raw = NULL;

	if ((s = store_stmt(st, S_INBOUND_RAW, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) == SQLITE_BLOB)
		raw = g_bytes_new(sqlite3_column_blob(s, 0),
		    (gsize)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	return raw;
}

GArray *
store_inbound_new_after(struct store *st, int64_t after, int limit,
    int64_t max_bytes, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*ids;
	int64_t		 bytes = 0, id;
	int		 rc;

	if ((s = store_stmt(st, S_INBOUND_NEW_AFTER, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit);
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bytes += sqlite3_column_int64(s, 1);
		if (ids->len > 0 && bytes > max_bytes)
			break;
		id = sqlite3_column_int64(s, 0);
		g_array_append_val(ids, id);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, err, "new inbound ids");
		g_array_unref(ids);
		ids = NULL;
	}
	sqlite3_reset(s);
	return ids;
}

gboolean
store_inbound_case(struct store *st, int64_t id, char **ref, GError **err)
{
	sqlite3_stmt	*s;

	*ref = NULL;
	if ((s = store_stmt(st, S_INBOUND_CASE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return store_row(st, s, store_read_text, ref, sizeof(*ref),
	    "inbound case", err) >= 0;
}

GPtrArray *
store_imap_purge_list(struct store *st, const char *mailbox, GArray *ids,
    GError **err)
{
	sqlite3_stmt	*s;
	GPtrArray	*msgids;
	int		 rc;

	if ((s = store_stmt(st, S_IMAP_PURGE_LIST, err)) == NULL)
		return NULL;
	msgids = g_ptr_array_new_with_free_func(g_free);
	bind_text(s, 1, mailbox);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t	 id = sqlite3_column_int64(s, 0);

		g_array_append_val(ids, id);
		g_ptr_array_add(msgids, dup_column(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, "imap_purge");
		g_ptr_array_unref(msgids);
		return NULL;
	}
	return msgids;
}

gboolean
store_imap_purge_done(struct store *st, int64_t id, GError **err)
{
	return store_run_int(st, S_IMAP_PURGE_DONE, id, 0, err);
}
