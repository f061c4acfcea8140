/*
 * store_outbox.c: the letters, one row per recipient, from the intent to
 * the server's reply (store.h).
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

const char *const store_outbox_sql[S_COUNT] = {
	[S_OUTBOX_INSERT] = "INSERT INTO outbox (kind, case_id, mail_from, "
	    "rcpt, message_id, data, queued_at, next_at, state, letter) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, CASE WHEN ?6 IS NULL THEN "
	    "'intent' ELSE 'pending' END, ?8)",
	[S_OUTBOX_DUE] = "SELECT id, kind, mail_from, rcpt, message_id, data, "
	    "attempts, queued_at, state, reply, next_at FROM outbox "
	    "WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id "
	    "LIMIT ?2",
	[S_OUTBOX_LIST] = "SELECT id, kind, mail_from, rcpt, message_id, NULL, "
	    "attempts, queued_at, state, reply, next_at FROM outbox "
	    "WHERE ?1 IS NULL OR state = ?1 ORDER BY id",
	[S_OUTBOX_RESULT] = "UPDATE outbox SET state = ?2, attempts = ?3, "
	    "next_at = ?4, sent_at = ?5, reply = ?6 WHERE id = ?1",
	[S_OUTBOX_INTENTS] = "SELECT id, kind, mail_from, rcpt, message_id, "
	    "NULL, attempts, queued_at, state, reply, next_at, "
	    "coalesce(case_id, 0), letter FROM outbox WHERE state = 'intent' "
	    "ORDER BY id LIMIT ?1",
	/* Composed: due now, not at the instant it was decided. */
	[S_OUTBOX_COMPOSED] = "UPDATE outbox SET data = ?2, state = 'pending', "
	    "letter = NULL, next_at = max(next_at, ?3) WHERE id = ?1 AND "
	    "state = 'intent'",
	[S_OUTBOX_UNCOMPOSABLE] = "UPDATE outbox SET state = 'failed', "
	    "reply = ?2, reported = 0 WHERE id = ?1 AND state = 'intent'",
	[S_OUTBOX_CLAIM] = "UPDATE outbox SET state = 'sending' WHERE id = ?1 "
	    "AND state = 'pending'",
	/* Handed to the server, and no reply recorded: maybe delivered. */
	[S_OUTBOX_IN_DOUBT] = "UPDATE outbox SET state = 'failed', "
	    "reported = 0, attempts = attempts + 1, reply = ?1 "
	    "WHERE state = 'sending'",
	[S_OUTBOX_LAST] = "SELECT coalesce(max(queued_at), 0) FROM outbox "
	    "WHERE kind = ?1",
	[S_OUTBOX_NEXT_AT] = "SELECT min(next_at) FROM outbox WHERE "
	    "state = 'pending'",
	[S_OUTBOX_BACKLOG] = "SELECT count(*), min(queued_at) FROM outbox "
	    "WHERE state IN ('intent', 'pending')",
	[S_OUTBOX_UNREPORTED] = "SELECT id, kind, mail_from, rcpt, message_id, "
	    "NULL, attempts, queued_at, state, reply, next_at, "
	    "coalesce(case_id, 0) FROM outbox WHERE state = 'failed' AND "
	    "reported = 0 ORDER BY id",
	[S_OUTBOX_REPORTED] = "UPDATE outbox SET reported = 1 WHERE id = ?1",
	/* A letter never composed is composed again. */
	[S_OUTBOX_RETRY] = "UPDATE outbox SET state = CASE WHEN data IS NULL "
	    "THEN 'intent' ELSE 'pending' END, next_at = ?2, reported = 0 "
	    "WHERE id = ?1 AND state = 'failed'",
	[S_OUTBOX_RECENT] = "SELECT count(*) FROM outbox WHERE rcpt = ?1 AND "
	    "kind = ?2 AND queued_at >= ?3",
	[S_OUTBOX_BY_MSGID] = "SELECT id, kind, mail_from, rcpt, message_id, "
	    "NULL, attempts, queued_at, state, reply, next_at, "
	    "coalesce(case_id, 0) FROM outbox WHERE message_id = ?1",
	[S_OUTBOX_DATA] = "SELECT data FROM outbox WHERE id = ?1",
	[S_OUTBOX_FIRST_SENT] = "SELECT min(sent_at) FROM outbox WHERE "
	    "case_id = ?1 AND kind = ?2 AND state = 'sent'",
};

static void	 outbox_row_clear(gpointer);
static void	 read_outbox(sqlite3_stmt *, gpointer);
static GArray	*outbox_rows(struct store *, sqlite3_stmt *, GError **);

gboolean
store_outbox_add(struct store *st, const struct store_outbox *o, int64_t *id,
    GError **err)
{
	sqlite3_stmt	*s;
	gsize		 len;
	const void	*data;

	if ((s = store_stmt(st, S_OUTBOX_INSERT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, o->kind);
	if (o->case_id > 0)
		sqlite3_bind_int64(s, 2, o->case_id);
	bind_text(s, 3, o->mail_from);
	bind_text(s, 4, o->rcpt);
	bind_text(s, 5, o->message_id);
	if (o->data != NULL) {
		data = g_bytes_get_data(o->data, &len);
		sqlite3_bind_blob64(s, 6, data, len, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 7, o->queued_at);
	bind_text(s, 8, o->letter);
	if (!step_done(st, s, err))
		return FALSE;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

static void
outbox_row_clear(gpointer p)
{
	struct store_outbox *o = p;

	g_free((char *)o->kind);
	g_free((char *)o->mail_from);
	g_free((char *)o->rcpt);
	g_free((char *)o->message_id);
	g_free((char *)o->state);
	g_free((char *)o->reply);
	g_free((char *)o->letter);
	if (o->data != NULL)
		g_bytes_unref(o->data);
	memset(o, 0, sizeof(*o));
}

/* A row of the outbox SELECTs, whose columns all come in this order. */
static void
read_outbox(sqlite3_stmt *s, gpointer row)
{
	struct store_outbox *o = row;

	o->id = sqlite3_column_int64(s, 0);
	o->kind = dup_column(s, 1);
	o->mail_from = dup_column(s, 2);
	o->rcpt = dup_column(s, 3);
	o->message_id = dup_column(s, 4);
	if (sqlite3_column_type(s, 5) == SQLITE_BLOB)
		o->data = g_bytes_new(sqlite3_column_blob(s, 5),
		    (gsize)sqlite3_column_bytes(s, 5));
	o->attempts = sqlite3_column_int(s, 6);
	o->queued_at = sqlite3_column_int64(s, 7);
	o->state = dup_column(s, 8);
	o->reply = dup_column(s, 9);
	o->next_at = sqlite3_column_int64(s, 10);
	if (sqlite3_column_count(s) > 11)
		o->case_id = sqlite3_column_int64(s, 11);
	if (sqlite3_column_count(s) > 12)
		o->letter = dup_column(s, 12);
}

static GArray *
outbox_rows(struct store *st, sqlite3_stmt *s, GError **err)
{
	return store_rows(st, s, sizeof(struct store_outbox), read_outbox,
	    outbox_row_clear, "outbox", err);
}

GArray *
store_outbox_due(struct store *st, int64_t now, int limit, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_DUE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return outbox_rows(st, s, err);
}

GArray *
store_outbox_list(struct store *st, const char *state, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_LIST, err)) == NULL)
		return NULL;
	bind_text(s, 1, state);
	return outbox_rows(st, s, err);
}

GArray *
store_outbox_unreported(struct store *st, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_UNREPORTED, err)) == NULL)
		return NULL;
	return outbox_rows(st, s, err);
}

gboolean
store_outbox_set_reported(struct store *st, int64_t id, GError **err)
{
	return store_run_int(st, S_OUTBOX_REPORTED, id, 0, err);
}

gboolean
store_outbox_result(struct store *st, const struct store_outbox *o,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_RESULT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, o->id);
	bind_text(s, 2, o->state);
	sqlite3_bind_int(s, 3, o->attempts);
	sqlite3_bind_int64(s, 4, o->next_at);
	if (o->sent_at > 0)
		sqlite3_bind_int64(s, 5, o->sent_at);
	bind_text(s, 6, o->reply);
	return step_done(st, s, err);
}

GArray *
store_outbox_intents(struct store *st, int limit, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_INTENTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, limit);
	return outbox_rows(st, s, err);
}

gboolean
store_outbox_composed(struct store *st, int64_t id, GBytes *data,
    int64_t now, GError **err)
{
	sqlite3_stmt	*s;
	gsize		 len;
	const void	*p = g_bytes_get_data(data, &len);

	if ((s = store_stmt(st, S_OUTBOX_COMPOSED, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob64(s, 2, p, len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return step_done(st, s, err);
}

gboolean
store_outbox_uncomposable(struct store *st, int64_t id, const char *why,
    GError **err)
{
	return store_run_text(st, S_OUTBOX_UNCOMPOSABLE, id, why, err);
}

gboolean
store_outbox_claim(struct store *st, int64_t id, GError **err)
{
	return store_run_int(st, S_OUTBOX_CLAIM, id, 0, err);
}

int
store_outbox_in_doubt(struct store *st, const char *reply, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_IN_DOUBT, err)) == NULL)
		return -1;
	bind_text(s, 1, reply);
	if (!step_done(st, s, err))
		return -1;
	return sqlite3_changes(st->db);
}

int64_t
store_outbox_last(struct store *st, const char *kind)
{
	sqlite3_stmt	*s;
	int64_t		 at;

	if ((s = store_stmt(st, S_OUTBOX_LAST, NULL)) == NULL)
		return 0;
	bind_text(s, 1, kind);
	at = store_first_int(st, s, NULL);
	return at > 0 ? at : 0;
}

int64_t
store_outbox_next_at(struct store *st)
{
	sqlite3_stmt	*s;
	int64_t		 at;

	if ((s = store_stmt(st, S_OUTBOX_NEXT_AT, NULL)) == NULL)
		return 0;
	at = store_first_int(st, s, NULL);
	return at > 0 ? at : 0;
}

gboolean
store_outbox_retry(struct store *st, int64_t id, int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_RETRY, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if (!step_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(st->db) == 0) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_SQL, "outbox row %"
		    G_GINT64_FORMAT " is not a failed row", id);
		return FALSE;
	}
	return TRUE;
}

gboolean
store_outbox_backlog(struct store *st, int64_t *n, int64_t *oldest,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, S_OUTBOX_BACKLOG, err)) == NULL)
		return FALSE;
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*oldest = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, "outbox backlog");
	return TRUE;
}

int64_t
store_outbox_recent(struct store *st, const char *rcpt, const char *kind,
    int64_t since, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_RECENT, err)) == NULL)
		return -1;
	bind_text(s, 1, rcpt);
	bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, since);
	return store_first_int(st, s, err);
}

gboolean
store_outbox_by_message_id(struct store *st, const char *msgid,
    struct store_outbox *o, GError **err)
{
	sqlite3_stmt	*s;
	gboolean	 found;

	memset(o, 0, sizeof(*o));
	if ((s = store_stmt(st, S_OUTBOX_BY_MSGID, err)) == NULL)
		return FALSE;
	bind_text(s, 1, msgid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		o->case_id = sqlite3_column_int64(s, 11);
		o->rcpt = dup_column(s, 3);
		o->kind = dup_column(s, 1);
	}
	sqlite3_reset(s);
	found = o->rcpt != NULL;
	return found;
}

GBytes *
store_outbox_data(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	GBytes		*data = NULL;

	if ((s = store_stmt(st, S_OUTBOX_DATA, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		data = g_bytes_new(sqlite3_column_blob(s, 0),
		    (gsize)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	return data;
}

int64_t
store_outbox_first_sent(struct store *st, int64_t case_id, const char *kind,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OUTBOX_FIRST_SENT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, kind);
	return store_first_int(st, s, err);
}
