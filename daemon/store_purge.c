/*
 * store_purge.c: retention (store.h).  Every function runs inside the
 * caller's transaction, so that a dry run is the same work rolled back.
 * What a purge keeps of the events is the caller's to say (purge.c).
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

/* What erasing a message row sets, its counts and dates left. */
#define ERASED_HEADERS	"message_id = NULL, in_reply_to = NULL, " \
	"refs = NULL, subject = NULL, from_name = NULL, from_addr = NULL, " \
	"reply_to = NULL, to_addrs = NULL, cc_addrs = NULL, body = NULL, " \
	"flags = NULL"

const char *const store_purge_sql[S_COUNT] = {
	/* closed_at is set only while a case is closed. */
	[S_PURGE_DUE] = "SELECT id, type FROM cases WHERE purged_at IS NULL "
	    "AND closed_at < ?1 AND (?2 IS NULL OR type = ?2) ORDER BY id",
	[S_PURGE_INBOUND_OF_CASE] = "SELECT inbound_id FROM message WHERE "
	    "case_id = ?1 AND inbound_id IS NOT NULL",
	/* Not in a case, and not the duplicate of a message in one. */
	[S_PURGE_INBOUND_UNLINKED] = "SELECT i.id FROM inbound i WHERE "
	    "i.purged_at IS NULL AND i.state <> 'new' AND i.fetched_at < ?1 "
	    "AND NOT EXISTS (SELECT 1 FROM message m WHERE m.case_id IS NOT "
	    "NULL AND m.inbound_id IN (i.id, i.duplicate_of))",
	[S_PURGE_INBOUND_DUPLICATES] = "SELECT id FROM inbound WHERE "
	    "duplicate_of = ?1 AND purged_at IS NULL",
	[S_PURGE_INBOUND_READ] = "SELECT mailbox, coalesce(message_id, "
	    "(SELECT m.message_id FROM message m WHERE m.inbound_id = i.id)), "
	    "source = 'imap' FROM inbound i WHERE id = ?1 AND "
	    "purged_at IS NULL",
	[S_PURGE_INBOUND_ERASE] = "UPDATE inbound SET message_id = NULL, "
	    "reason = NULL, purged_at = ?2 WHERE id = ?1",
	[S_PURGE_INBOUND_RAW] = "DELETE FROM inbound_raw WHERE inbound_id = ?1",
	/*
	 * The server copy is found again by Message-ID: not while a message
	 * kept in the same mailbox has that Message-ID too (its own copy).
	 */
	[S_PURGE_IMAP_QUEUE] = "INSERT INTO imap_purge (mailbox, message_id, "
	    "queued_at) SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM "
	    "inbound j WHERE j.mailbox = ?1 AND j.purged_at IS NULL AND "
	    "coalesce(j.message_id, (SELECT m.message_id FROM message m WHERE "
	    "m.inbound_id = j.id)) = ?2)",
	[S_PURGE_ATTACHMENTS_OF_CASE] = "DELETE FROM attachment WHERE message "
	    "IN (SELECT id FROM message WHERE case_id = ?1)",
	[S_PURGE_ATTACHMENTS_OF_INBOUND] = "DELETE FROM attachment WHERE "
	    "message IN (SELECT id FROM message WHERE inbound_id = ?1)",
	[S_PURGE_MESSAGES_DELETE_OF_CASE] = "DELETE FROM message WHERE "
	    "case_id = ?1",
	[S_PURGE_MESSAGES_DELETE_OF_INBOUND] = "DELETE FROM message WHERE "
	    "inbound_id = ?1",
	[S_PURGE_MESSAGES_ERASE_OF_CASE] = "UPDATE message SET "
	    ERASED_HEADERS " WHERE case_id = ?1",
	[S_PURGE_MESSAGES_ERASE_OF_INBOUND] = "UPDATE message SET "
	    ERASED_HEADERS " WHERE inbound_id = ?1",
	/*
	 * A row still pending or an intent would be sent empty: it fails,
	 * unreported.
	 */
	[S_PURGE_LETTERS_OF_CASE] = "UPDATE outbox SET rcpt = '', data = X'', "
	    "letter = NULL, reply = NULL, reported = 1, state = CASE WHEN "
	    "state IN ('pending', 'intent', 'sending') THEN 'failed' ELSE "
	    "state END WHERE case_id = ?1",
	[S_PURGE_LETTERS_UNLINKED] = "UPDATE outbox SET rcpt = '', "
	    "data = X'', letter = NULL, reply = NULL WHERE case_id IS NULL AND "
	    "state NOT IN ('pending', 'intent', 'sending') AND queued_at < ?1 "
	    "AND rcpt <> ''",
	[S_PURGE_EVENT] = "UPDATE event SET actor = ?2, detail = ?3 "
	    "WHERE id = ?1",
	[S_PURGE_CASE] = "UPDATE cases SET subject = NULL, complainant_name = "
	    "NULL, complainant_addr = NULL, reply_to = NULL, missing = NULL, "
	    "postal_address = NULL, purged_at = ?2 WHERE id = ?1",
	[S_DIGEST_ATTACHMENT] = "SELECT EXISTS (SELECT 1 FROM attachment "
	    "WHERE sha256 = ?1)",
	[S_DIGEST_INBOUND] = "SELECT EXISTS (SELECT 1 FROM inbound WHERE "
	    "sha256 = ?1 AND purged_at IS NULL)",
};

/* The statements that erase messages: a case's, or an inbound row's. */
struct erase {
	enum stmt_id	 attachments;
	enum stmt_id	 delete;	/* the message rows */
	enum stmt_id	 erase;		/* their headers and bodies */
};
static const struct erase of_case = { S_PURGE_ATTACHMENTS_OF_CASE,
    S_PURGE_MESSAGES_DELETE_OF_CASE, S_PURGE_MESSAGES_ERASE_OF_CASE };
static const struct erase of_inbound = { S_PURGE_ATTACHMENTS_OF_INBOUND,
    S_PURGE_MESSAGES_DELETE_OF_INBOUND, S_PURGE_MESSAGES_ERASE_OF_INBOUND };

static void	 read_due(sqlite3_stmt *, gpointer);
static void	 due_clear(gpointer);
static int64_t	 run_ids(struct store *, enum stmt_id, int64_t, int64_t,
		    GError **);
static gboolean	 column_of(struct store *, enum stmt_id, int64_t, GArray *,
		    GError **);
static gboolean	 erase_inbound(struct store *, int64_t, int64_t,
		    struct store_purged *, GError **);
static gboolean	 queue_imap_copy(struct store *, const char *, const char *,
		    int64_t, struct store_purged *, GError **);
static gboolean	 erase_messages(struct store *, const struct erase *,
		    int64_t, gboolean, struct store_purged *, GError **);
static gboolean	 erase_inbound_rows(struct store *, GArray *, int64_t,
		    struct store_purged *, GError **);
static gboolean	 erase_event(struct store *, const struct store_event *,
		    const struct store_keep *, GError **);
static gboolean	 erase_events(struct store *, int64_t,
		    const struct store_keep *, struct store_purged *, GError **);

/* Run a statement with ?1 and ?2 bound; the rows changed, -1 on error. */
static int64_t
run_ids(struct store *st, enum stmt_id id, int64_t a, int64_t b,
    GError **err)
{
	if (!store_run_int(st, id, a, b, err))
		return -1;
	return sqlite3_changes64(st->db);
}

/* The first column of every row of a statement (?1 bound), into ids. */
static gboolean
column_of(struct store *st, enum stmt_id id, int64_t a, GArray *ids,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, id, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, a);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t	 v = sqlite3_column_int64(s, 0);

		g_array_append_val(ids, v);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, sqlite3_sql(s));
	return TRUE;
}

static void
read_due(sqlite3_stmt *s, gpointer row)
{
	struct store_due *d = row;

	d->id = sqlite3_column_int64(s, 0);
	d->type = dup_column(s, 1);
}

static void
due_clear(gpointer p)
{
	g_free(((struct store_due *)p)->type);
}

GArray *
store_purge_due(struct store *st, int64_t closed_before, const char *type,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_PURGE_DUE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, closed_before);
	bind_text(s, 2, type);
	return store_rows(st, s, sizeof(struct store_due), read_due,
	    due_clear, "cases", err);
}

/* Queue the server copy of msgid in mailbox for deletion by its fetcher. */
static gboolean
queue_imap_copy(struct store *st, const char *mailbox, const char *msgid,
    int64_t now, struct store_purged *p, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_PURGE_IMAP_QUEUE, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	bind_text(s, 2, msgid);
	sqlite3_bind_int64(s, 3, now);
	if (!step_done(st, s, err))
		return FALSE;
	p->imap_copies += sqlite3_changes(st->db) > 0;
	return TRUE;
}

/*
 * Erase one inbound row: its bytes, its Message-ID; queue its server copy
 * for deletion by the mailbox's fetcher (found again by Message-ID).
 */
static gboolean
erase_inbound(struct store *st, int64_t id, int64_t now,
    struct store_purged *p, GError **err)
{
	sqlite3_stmt	*s;
	char		*mailbox = NULL, *msgid = NULL;
	gboolean	 imap = FALSE, ok;
	int		 rc;

	if ((s = store_stmt(st, S_PURGE_INBOUND_READ, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		mailbox = dup_column(s, 0);
		msgid = dup_column(s, 1);
		imap = sqlite3_column_int(s, 2) != 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "inbound");
	if (mailbox == NULL)
		return TRUE;	/* already erased: a duplicate met twice */
	ok = run_ids(st, S_PURGE_INBOUND_ERASE, id, now, err) >= 0 &&
	    run_ids(st, S_PURGE_INBOUND_RAW, id, 0, err) >= 0;
	if (ok && imap && msgid != NULL)
		ok = queue_imap_copy(st, mailbox, msgid, now, p, err);
	p->messages += ok;
	g_free(mailbox);
	g_free(msgid);
	return ok;
}

/* Erase (or delete) parsed message rows and their attachment rows. */
static gboolean
erase_messages(struct store *st, const struct erase *which, int64_t key,
    gboolean delete, struct store_purged *p, GError **err)
{
	int64_t	 n;

	if ((n = run_ids(st, which->attachments, key, 0, err)) < 0)
		return FALSE;
	p->attachments += n;
	return run_ids(st, delete ? which->delete : which->erase, key, 0,
	    err) >= 0;
}

/* Erase every inbound row of ids, and the rows that duplicate them. */
static gboolean
erase_inbound_rows(struct store *st, GArray *ids, int64_t now,
    struct store_purged *p, GError **err)
{
	guint	 i;

	for (i = 0; i < ids->len; i++) {
		int64_t	 id = g_array_index(ids, int64_t, i);

		if (!erase_inbound(st, id, now, p, err) ||
		    !column_of(st, S_PURGE_INBOUND_DUPLICATES, id, ids, err))
			return FALSE;
	}
	return TRUE;
}

/* Erase an event's actor and detail, but what keep names. */
static gboolean
erase_event(struct store *st, const struct store_event *e,
    const struct store_keep *keep, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_PURGE_EVENT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, e->id);
	bind_text(s, 2, strcmp(e->actor, keep->actor) == 0 ? e->actor : "");
	bind_text(s, 3, g_strv_contains(keep->details, e->kind) ? e->detail :
	    NULL);
	return step_done(st, s, err);
}

/* Every event of a case, erased; counted in p. */
static gboolean
erase_events(struct store *st, int64_t case_id, const struct store_keep *keep,
    struct store_purged *p, GError **err)
{
	GArray		*events = store_case_events(st, case_id, err);
	guint		 i;
	gboolean	 ok = events != NULL;

	for (i = 0; ok && i < events->len; i++)
		ok = erase_event(st, &g_array_index(events, struct store_event,
		    i), keep, err);
	if (ok)
		p->events += events->len;
	if (events != NULL)
		g_array_unref(events);
	return ok;
}

gboolean
store_purge_case(struct store *st, int64_t case_id, gboolean delete,
    const struct store_keep *keep, int64_t now, struct store_purged *p,
    GError **err)
{
	GArray	*inbound = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t	 n;
	gboolean ok;

	ok = column_of(st, S_PURGE_INBOUND_OF_CASE, case_id, inbound, err) &&
	    erase_inbound_rows(st, inbound, now, p, err) &&
	    run_ids(st, delete ? S_PURGE_POST_DELETE : S_PURGE_POST_ERASE,
	    case_id, 0, err) >= 0 &&
	    erase_messages(st, &of_case, case_id, delete, p, err);
	g_array_unref(inbound);
	if (!ok || (n = run_ids(st, S_PURGE_LETTERS_OF_CASE, case_id, 0,
	    err)) < 0)
		return FALSE;
	p->letters += n;
	return erase_events(st, case_id, keep, p, err) &&
	    run_ids(st, S_PURGE_CASE, case_id, now, err) >= 0;
}

gboolean
store_purge_unlinked(struct store *st, int64_t before, gboolean delete,
    int64_t now, struct store_purged *p, GError **err)
{
	GArray	*inbound = g_array_new(FALSE, FALSE, sizeof(int64_t));
	guint	 i;
	int64_t	 n;
	gboolean ok;

	ok = column_of(st, S_PURGE_INBOUND_UNLINKED, before, inbound, err) &&
	    erase_inbound_rows(st, inbound, now, p, err);
	for (i = 0; ok && i < inbound->len; i++)
		ok = erase_messages(st, &of_inbound, g_array_index(inbound,
		    int64_t, i), delete, p, err);
	g_array_unref(inbound);
	if (!ok || (n = run_ids(st, S_PURGE_LETTERS_UNLINKED, before, 0,
	    err)) < 0)
		return FALSE;
	p->letters += n;
	return TRUE;
}

int
store_digest_in_use(struct store *st, const char *sha256, gboolean attachment,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, attachment ? S_DIGEST_ATTACHMENT :
	    S_DIGEST_INBOUND, err)) == NULL)
		return -1;
	bind_text(s, 1, sha256);
	return (int)store_first_int(st, s, err);
}
