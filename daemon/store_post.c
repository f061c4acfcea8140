/*
 * store_post.c: the channel a case came by, its letters on paper, and
 * the inbound rows recoursctl open wrote (migration 8).
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

const char *const store_post_sql[S_COUNT] = {
	[S_CASE_CHANNEL] = "SELECT channel, postal_address FROM cases "
	    "WHERE id = ?1",
	[S_CASE_SET_CHANNEL] = "UPDATE cases SET channel = coalesce(?2, "
	    "channel), postal_address = coalesce(?3, postal_address), "
	    "opened_at = CASE WHEN ?4 > 0 THEN ?4 ELSE opened_at END "
	    "WHERE id = ?1",
	[S_CASE_SET_COMPLAINANT] = "UPDATE cases SET complainant_name = "
	    "coalesce(?2, complainant_name), complainant_addr = coalesce(?3, "
	    "complainant_addr) WHERE id = ?1",
	[S_CASE_LAST_DETAIL] = "SELECT detail FROM event WHERE case_id = ?1 "
	    "AND kind = ?2 ORDER BY id DESC LIMIT 1",
	[S_CHANNEL_COUNTS] = "SELECT channel, count(*) FROM cases WHERE "
	    "(?1 = 0 OR year = ?1) AND (?2 IS NULL OR type = ?2) AND "
	    "(?3 IS NULL OR type <> ?3) GROUP BY channel ORDER BY channel",
	[S_POST_ADD] = "INSERT INTO post (case_id, message, letter, recipient, "
	    "registered, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_POST_LIST] = "SELECT id, case_id, message, letter, recipient, "
	    "registered, created_at, posted_at, tracking, receipt_at, "
	    "returned_at FROM post WHERE ?1 = 0 OR case_id = ?1 ORDER BY id",
	[S_POST_SET] = "UPDATE post SET registered = ?2, posted_at = "
	    "nullif(?3, 0), tracking = ?4, receipt_at = nullif(?5, 0), "
	    "returned_at = nullif(?6, 0) WHERE id = ?1",
	[S_POST_FIRST_POSTED] = "SELECT min(posted_at) FROM post WHERE "
	    "case_id = ?1 AND letter = ?2",
	/* Before the message rows they name go (delete mode). */
	[S_PURGE_POST_DELETE] = "DELETE FROM post WHERE case_id = ?1",
	[S_PURGE_POST_ERASE] = "UPDATE post SET recipient = '', tracking = "
	    "NULL WHERE case_id = ?1",
	[S_OPENING_ADD] = "INSERT INTO opening (inbound_id, actor, at) "
	    "VALUES (?1, ?2, ?3)",
	[S_OPENING_ACTOR] = "SELECT actor FROM opening WHERE inbound_id = ?1",
};

static char	*one_text(struct store *, enum stmt_id, int64_t, const char *,
		    const char *, GError **);
static void	 read_post(sqlite3_stmt *, gpointer);
static void	 post_clear(gpointer);
static void	 read_count(sqlite3_stmt *, gpointer);
static void	 count_clear(gpointer);

gboolean
store_case_channel(struct store *st, int64_t case_id, char **channel,
    char **address, GError **err)
{
	sqlite3_stmt	*s;
	gboolean	 found;

	*channel = *address = NULL;
	if ((s = store_stmt(st, S_CASE_CHANNEL, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	if ((found = sqlite3_step(s) == SQLITE_ROW)) {
		*channel = dup_column(s, 0);
		*address = dup_column(s, 1);
	}
	sqlite3_reset(s);
	return found;
}

gboolean
store_case_set_channel(struct store *st, int64_t case_id, const char *channel,
    const char *address, int64_t opened_at, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_SET_CHANNEL, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, channel);
	bind_text(s, 3, address);
	sqlite3_bind_int64(s, 4, opened_at);
	return step_done(st, s, err);
}

gboolean
store_case_set_complainant(struct store *st, int64_t case_id,
    const char *name, const char *addr, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CASE_SET_COMPLAINANT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, name);
	bind_text(s, 3, addr);
	return step_done(st, s, err);
}

/* The text of the one row of statement id (?1 = a, ?2 = b); NULL: none. */
static char *
one_text(struct store *st, enum stmt_id id, int64_t a, const char *b,
    const char *what, GError **err)
{
	sqlite3_stmt	*s;
	char		*text = NULL;

	if ((s = store_stmt(st, id, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, a);
	if (b != NULL)
		bind_text(s, 2, b);
	if (store_row(st, s, store_read_text, &text, sizeof(text), what,
	    err) <= 0)
		return NULL;
	return text;
}

char *
store_case_last_detail(struct store *st, int64_t case_id, const char *kind,
    GError **err)
{
	return one_text(st, S_CASE_LAST_DETAIL, case_id, kind, "last event",
	    err);
}

void
store_post_clear(struct store_post *p)
{
	g_free(p->letter);
	g_free(p->recipient);
	g_free(p->tracking);
	memset(p, 0, sizeof(*p));
}

static void
post_clear(gpointer p)
{
	store_post_clear(p);
}

/* Columns 7, 9, 10: NULL is 0. */
static void
read_post(sqlite3_stmt *s, gpointer row)
{
	struct store_post *p = row;

	p->id = sqlite3_column_int64(s, 0);
	p->case_id = sqlite3_column_int64(s, 1);
	p->message = sqlite3_column_int64(s, 2);
	p->letter = dup_column(s, 3);
	p->recipient = dup_column(s, 4);
	p->registered = sqlite3_column_int(s, 5) != 0;
	p->created_at = sqlite3_column_int64(s, 6);
	p->posted_at = sqlite3_column_int64(s, 7);
	p->tracking = dup_column(s, 8);
	p->receipt_at = sqlite3_column_int64(s, 9);
	p->returned_at = sqlite3_column_int64(s, 10);
}

gboolean
store_post_add(struct store *st, const struct store_post *p, int64_t *id,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_POST_ADD, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, p->case_id);
	sqlite3_bind_int64(s, 2, p->message);
	bind_text(s, 3, p->letter);
	bind_text(s, 4, p->recipient);
	sqlite3_bind_int(s, 5, p->registered ? 1 : 0);
	sqlite3_bind_int64(s, 6, p->created_at);
	if (!step_done(st, s, err))
		return FALSE;
	*id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

GArray *
store_post_list(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_POST_LIST, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return store_rows(st, s, sizeof(struct store_post), read_post,
	    post_clear, "letters on paper", err);
}

gboolean
store_post_set(struct store *st, const struct store_post *p, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_POST_SET, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, p->id);
	sqlite3_bind_int(s, 2, p->registered ? 1 : 0);
	sqlite3_bind_int64(s, 3, p->posted_at);
	bind_text(s, 4, p->tracking);
	sqlite3_bind_int64(s, 5, p->receipt_at);
	sqlite3_bind_int64(s, 6, p->returned_at);
	return step_done(st, s, err);
}

int64_t
store_post_first_posted(struct store *st, int64_t case_id, const char *letter,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_POST_FIRST_POSTED, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, letter);
	return store_first_int(st, s, err);
}

gboolean
store_opening_add(struct store *st, int64_t inbound_id, const char *actor,
    int64_t at, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_OPENING_ADD, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, inbound_id);
	bind_text(s, 2, actor);
	sqlite3_bind_int64(s, 3, at);
	return step_done(st, s, err);
}

char *
store_opening_actor(struct store *st, int64_t inbound_id, GError **err)
{
	return one_text(st, S_OPENING_ACTOR, inbound_id, NULL, "opening", err);
}

static void
read_count(sqlite3_stmt *s, gpointer row)
{
	struct store_count *c = row;

	c->name = dup_column(s, 0);
	c->n = sqlite3_column_int64(s, 1);
}

static void
count_clear(gpointer p)
{
	g_free(((struct store_count *)p)->name);
}

GArray *
store_channel_counts(struct store *st, int year, const char *type,
    const char *except_type, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_CHANNEL_COUNTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, year);
	bind_text(s, 2, type);
	bind_text(s, 3, except_type);
	return store_rows(st, s, sizeof(struct store_count), read_count,
	    count_clear, "channel counts", err);
}
