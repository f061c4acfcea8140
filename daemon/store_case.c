/*
 * store_case.c: cases, the messages filed in them and their attachments
 * (store.h).  A case's reference is made by its caller (case.c): the
 * store numbers it and keeps it.
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

const char *const store_case_sql[S_COUNT] = {
	[S_CASE_SEQ] = "INSERT INTO case_seq (prefix, year, last) VALUES "
	    "(?1, ?2, 1) ON CONFLICT (prefix, year) DO UPDATE SET "
	    "last = last + 1 RETURNING last",
	[S_CASE_INSERT] = "INSERT INTO cases (ref, type, prefix, year, seq, "
	    "state, mailbox, subject, complainant_name, complainant_addr, "
	    "reply_to, opened_at, linked_to, missing, out_of_time, lang) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, coalesce(?16, 'fr'))",
	[S_CASE_BY_REF] = "SELECT id, ref, type, state, mailbox, subject, "
	    "complainant_name, complainant_addr, reply_to, opened_at, "
	    "missing, out_of_time, lang, purged_at FROM cases WHERE ref = ?1",
	[S_CASE_BY_ID] = "SELECT id, ref, type, state, mailbox, subject, "
	    "complainant_name, complainant_addr, reply_to, opened_at, "
	    "missing, out_of_time, lang, purged_at FROM cases WHERE id = ?1",
	[S_CASE_LIST] = "SELECT id, ref, type, state, mailbox, subject, "
	    "complainant_name, complainant_addr, reply_to, opened_at, "
	    "missing, out_of_time, lang, purged_at FROM cases "
	    "WHERE (?1 IS NULL OR type = ?1) "
	    "AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR year = ?3) "
	    "ORDER BY id",
	[S_CASE_SET_STATE] = "UPDATE cases SET state = ?2, closed_at = ?3 "
	    "WHERE id = ?1",
	[S_CASE_SET_MISSING] = "UPDATE cases SET missing = ?2 WHERE id = ?1",
	[S_CASE_SET_OUT_OF_TIME] = "UPDATE cases SET out_of_time = ?2 "
	    "WHERE id = ?1",
	[S_CASE_SET_TYPE] = "UPDATE cases SET type = ?2 WHERE id = ?1",
	/* Ours too: a reply to our acknowledgement threads into its case. */
	[S_CASE_BY_MSGID] = "SELECT case_id FROM message WHERE message_id = ?1 "
	    "AND case_id IS NOT NULL UNION ALL SELECT case_id FROM outbox "
	    "WHERE message_id = ?1 AND case_id IS NOT NULL LIMIT 1",
	[S_CASE_TEXTS] = "SELECT coalesce(subject, '') || char(10) || "
	    "coalesce(body, '') FROM message WHERE case_id = ?1 AND "
	    "direction = 'in' ORDER BY id",
	[S_CASE_LAST_IN] = "SELECT message_id FROM message WHERE case_id = ?1 "
	    "AND direction = 'in' AND message_id IS NOT NULL AND from_addr = "
	    "(SELECT complainant_addr FROM cases WHERE id = ?1) "
	    "ORDER BY id DESC LIMIT 1",
	/* Every message of a case, in and out, oldest first. */
	[S_CASE_MAIL] = "SELECT i.id, i.sha256, i.fetched_at, 'in' FROM "
	    "message m JOIN inbound i ON i.id = m.inbound_id WHERE "
	    "m.case_id = ?1 UNION ALL SELECT o.id, '', coalesce(o.sent_at, "
	    "o.queued_at), 'out' FROM outbox o WHERE o.case_id = ?1 "
	    "ORDER BY 3, 1",
	[S_CASE_ATTACHMENTS] = "SELECT a.filename, a.sha256 FROM attachment a "
	    "JOIN message m ON m.id = a.message WHERE m.case_id = ?1 "
	    "ORDER BY a.id",
	[S_MESSAGE_INSERT] = "INSERT INTO message (inbound_id, direction, "
	    "message_id, in_reply_to, refs, subject, from_name, from_addr, "
	    "reply_to, to_addrs, cc_addrs, date, body, flags) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[S_MESSAGE_SET_CASE] = "UPDATE message SET case_id = ?2 WHERE id = ?1",
	[S_MESSAGE_AUTOMATIC] = "UPDATE message SET automatic = ?2 "
	    "WHERE id = ?1",
	[S_ATTACHMENT_INSERT] = "INSERT INTO attachment (message, filename, "
	    "content_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_AUTOMATIC_COUNT] = "SELECT count(*) FROM message WHERE "
	    "automatic IS NOT NULL",
	[S_AUTOMATIC_LIST] = "SELECT m.id, m.inbound_id, i.mailbox, "
	    "i.fetched_at, m.from_addr, m.subject, m.automatic, c.ref FROM "
	    "message m LEFT JOIN inbound i ON i.id = m.inbound_id LEFT JOIN "
	    "cases c ON c.id = m.case_id WHERE m.automatic IS NOT NULL "
	    "ORDER BY m.id",
};

static void	 read_case(sqlite3_stmt *, gpointer);
static gboolean	 case_row(struct store *, sqlite3_stmt *, struct store_case *,
		    GError **);
static void	 case_clear(gpointer);
static void	 read_mail(sqlite3_stmt *, gpointer);
static void	 read_file(sqlite3_stmt *, gpointer);
static void	 file_clear(gpointer);
static void	 read_automatic(sqlite3_stmt *, gpointer);
static void	 automatic_clear(gpointer);

int64_t
store_case_number(struct store *st, const char *prefix, int year,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_SEQ, err)) == NULL)
		return -1;
	bind_text(s, 1, prefix);
	sqlite3_bind_int(s, 2, year);
	return store_first_int(st, s, err);
}

gboolean
store_case_open(struct store *st, struct store_case *c, int64_t seq,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_INSERT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, c->ref);
	bind_text(s, 2, c->type);
	bind_text(s, 3, c->prefix);
	sqlite3_bind_int(s, 4, c->year);
	sqlite3_bind_int64(s, 5, seq);
	bind_text(s, 6, c->state);
	bind_text(s, 7, c->mailbox);
	bind_text(s, 8, c->subject);
	bind_text(s, 9, c->complainant_name);
	bind_text(s, 10, c->complainant_addr);
	bind_text(s, 11, c->reply_to);
	sqlite3_bind_int64(s, 12, c->opened_at);
	if (c->linked_to > 0)
		sqlite3_bind_int64(s, 13, c->linked_to);
	bind_text(s, 14, c->missing);
	sqlite3_bind_int(s, 15, c->out_of_time ? 1 : 0);
	bind_text(s, 16, c->lang);
	if (!step_done(st, s, err))
		return FALSE;
	c->id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

/* A row of the case SELECTs, whose columns all come in this order. */
static void
read_case(sqlite3_stmt *s, gpointer row)
{
	struct store_case *c = row;

	c->id = sqlite3_column_int64(s, 0);
	c->ref = dup_column(s, 1);
	c->type = dup_column(s, 2);
	c->state = dup_column(s, 3);
	c->mailbox = dup_column(s, 4);
	c->subject = dup_column(s, 5);
	c->complainant_name = dup_column(s, 6);
	c->complainant_addr = dup_column(s, 7);
	c->reply_to = dup_column(s, 8);
	c->opened_at = sqlite3_column_int64(s, 9);
	c->missing = dup_column(s, 10);
	c->out_of_time = sqlite3_column_int(s, 11) != 0;
	c->lang = dup_column(s, 12);
	c->purged_at = sqlite3_column_int64(s, 13);
}

static gboolean
case_row(struct store *st, sqlite3_stmt *s, struct store_case *c, GError **err)
{
	return store_row(st, s, read_case, c, sizeof(*c), "case", err) > 0;
}

gboolean
store_case_by_ref(struct store *st, const char *ref, struct store_case *c,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_BY_REF, err)) == NULL)
		return FALSE;
	bind_text(s, 1, ref);
	return case_row(st, s, c, err);
}

gboolean
store_case_by_id(struct store *st, int64_t id, struct store_case *c,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_BY_ID, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return case_row(st, s, c, err);
}

void
store_case_clear(struct store_case *c)
{
	g_free(c->ref);
	g_free(c->type);
	g_free(c->prefix);
	g_free(c->state);
	g_free(c->mailbox);
	g_free(c->subject);
	g_free(c->complainant_name);
	g_free(c->complainant_addr);
	g_free(c->reply_to);
	g_free(c->missing);
	g_free(c->lang);
	memset(c, 0, sizeof(*c));
}

static void
case_clear(gpointer p)
{
	store_case_clear(p);
}

GArray *
store_case_list(struct store *st, const char *type, const char *state,
    int year, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_LIST, err)) == NULL)
		return NULL;
	bind_text(s, 1, type);
	bind_text(s, 2, state);
	if (year > 0)
		sqlite3_bind_int(s, 3, year);
	return store_rows(st, s, sizeof(struct store_case), read_case,
	    case_clear, "cases", err);
}

gboolean
store_case_set_state(struct store *st, int64_t id, const char *state,
    gboolean closes, int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_SET_STATE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, state);
	if (closes)
		sqlite3_bind_int64(s, 3, now);
	return step_done(st, s, err);
}

gboolean
store_case_set_missing(struct store *st, int64_t id, const char *missing,
    GError **err)
{
	return store_run_text(st, S_CASE_SET_MISSING, id, missing, err);
}

gboolean
store_case_set_out_of_time(struct store *st, int64_t id, gboolean late,
    GError **err)
{
	return store_run_int(st, S_CASE_SET_OUT_OF_TIME, id, late ? 1 : 0, err);
}

gboolean
store_case_set_type(struct store *st, int64_t id, const char *type,
    GError **err)
{
	return store_run_text(st, S_CASE_SET_TYPE, id, type, err);
}

int64_t
store_case_by_message_id(struct store *st, const char *msgid, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;

	if (msgid == NULL || (s = store_stmt(st, S_CASE_BY_MSGID, err)) == NULL)
		return msgid == NULL ? 0 : -1;
	bind_text(s, 1, msgid);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

char *
store_case_texts(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	GString		*all;

	if ((s = store_stmt(st, S_CASE_TEXTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	all = g_string_new(NULL);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_string_append_printf(all, "%s\n",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return g_string_free(all, FALSE);
}

char *
store_case_last_in(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	char		*msgid = NULL;

	if ((s = store_stmt(st, S_CASE_LAST_IN, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	/* A failed step reads as none: the letter is then not threaded. */
	store_row(st, s, store_read_text, &msgid, sizeof(msgid), "case", NULL);
	return msgid;
}

static void
read_mail(sqlite3_stmt *s, gpointer row)
{
	struct store_mail *m = row;

	m->id = sqlite3_column_int64(s, 0);
	g_strlcpy(m->sha256, (const char *)sqlite3_column_text(s, 1),
	    sizeof(m->sha256));
	m->at = sqlite3_column_int64(s, 2);
	m->outgoing = strcmp((const char *)sqlite3_column_text(s, 3),
	    "out") == 0;
}

GArray *
store_case_mail(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_MAIL, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return store_rows(st, s, sizeof(struct store_mail), read_mail, NULL,
	    "case mail", err);
}

static void
read_file(sqlite3_stmt *s, gpointer row)
{
	struct store_file *f = row;

	f->name = dup_column(s, 0);
	g_strlcpy(f->sha256, (const char *)sqlite3_column_text(s, 1),
	    sizeof(f->sha256));
}

GArray *
store_case_attachments(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_ATTACHMENTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return store_rows(st, s, sizeof(struct store_file), read_file,
	    file_clear, "attachments", err);
}

static void
file_clear(gpointer p)
{
	g_free(((struct store_file *)p)->name);
}

gboolean
store_message_add(struct store *st, const struct store_message *m,
    int64_t *id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_MESSAGE_INSERT, err)) == NULL)
		return FALSE;
	if (m->inbound_id > 0)
		sqlite3_bind_int64(s, 1, m->inbound_id);
	bind_text(s, 2, m->direction);
	bind_text(s, 3, m->message_id);
	bind_text(s, 4, m->in_reply_to);
	bind_text(s, 5, m->references);
	bind_text(s, 6, m->subject);
	bind_text(s, 7, m->from_name);
	bind_text(s, 8, m->from_addr);
	bind_text(s, 9, m->reply_to);
	bind_text(s, 10, m->to_addrs);
	bind_text(s, 11, m->cc_addrs);
	if (m->date != 0)
		sqlite3_bind_int64(s, 12, m->date);
	bind_text(s, 13, m->body);
	bind_text(s, 14, m->flags);
	if (!step_done(st, s, err))
		return FALSE;
	*id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

gboolean
store_attachment_add(struct store *st, int64_t message, const char *filename,
    const char *type, int64_t size, const char *sha256, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_ATTACHMENT_INSERT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, message);
	bind_text(s, 2, filename);
	bind_text(s, 3, type);
	sqlite3_bind_int64(s, 4, size);
	bind_text(s, 5, sha256);
	return step_done(st, s, err);
}

gboolean
store_message_set_case(struct store *st, int64_t message, int64_t case_id,
    GError **err)
{
	return store_run_int(st, S_MESSAGE_SET_CASE, message, case_id, err);
}

/*
 * Automatic mail (autoreply.h), by the reason kept in message.automatic:
 * unthreaded, it is in no case, and only these find it again.
 */
gboolean
store_message_set_automatic(struct store *st, int64_t message,
    const char *why, GError **err)
{
	return store_run_text(st, S_MESSAGE_AUTOMATIC, message, why, err);
}

gboolean
store_automatic_count(struct store *st, int64_t *n, GError **err)
{
	sqlite3_stmt	*s;

	*n = 0;
	if ((s = store_stmt(st, S_AUTOMATIC_COUNT, err)) == NULL)
		return FALSE;
	return store_row(st, s, store_read_int, n, sizeof(*n),
	    "automatic count", err) > 0;
}

void
store_automatic_clear(struct store_automatic *a)
{
	g_free(a->mailbox);
	g_free(a->from_addr);
	g_free(a->subject);
	g_free(a->reason);
	g_free(a->ref);
}

static void
automatic_clear(gpointer p)
{
	store_automatic_clear(p);
}

static void
read_automatic(sqlite3_stmt *s, gpointer row)
{
	struct store_automatic *a = row;

	a->message = sqlite3_column_int64(s, 0);
	a->inbound = sqlite3_column_int64(s, 1);
	a->mailbox = dup_column(s, 2);
	a->received = sqlite3_column_int64(s, 3);
	a->from_addr = dup_column(s, 4);
	a->subject = dup_column(s, 5);
	a->reason = dup_column(s, 6);
	a->ref = dup_column(s, 7);
}

GArray *
store_automatic_list(struct store *st, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_AUTOMATIC_LIST, err)) == NULL)
		return NULL;
	return store_rows(st, s, sizeof(struct store_automatic),
	    read_automatic, automatic_clear, "automatic list", err);
}
