/*
 * store_int.h: what the store's files share, and nothing outside them
 * includes: the connection, the one statement cache and its helpers.
 *
 * Each statement has an id below; its SQL stands in the file of its
 * aggregate, in that file's table (store_inbound_sql[S_MAILBOX_GET] =
 * "SELECT ..."), and store_stmt() prepares it once, on first use, and
 * keeps it until store_close().
 */
#ifndef RECOURSD_STORE_INT_H
#define RECOURSD_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

enum stmt_id {
	/* store.c: transactions and the schema. */
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_ROLLBACK_TO,
	S_RELEASE,
	S_SCHEMA_VERSION,
	/* store_inbound.c: mailbox state, inbound rows, IMAP purge. */
	S_MAILBOX_GET,
	S_MAILBOX_RESET,
	S_MAILBOX_RAISE,
	S_MAILBOX_HEALTH,
	S_MAILBOX_ALL,
	S_MAILBOX_ALERTED,
	S_INBOUND_INSERT,
	S_INBOUND_RAW_INSERT,
	S_INBOUND_SAME_BYTES,
	S_INBOUND_NEXT_INJECT_UID,
	S_INBOUND_NEXT,
	S_INBOUND_GET,
	S_INBOUND_SET_STATE,
	S_INBOUND_LIST,
	S_INBOUND_SET_ASIDE,
	S_INBOUND_COUNT,
	S_INBOUND_RAW,
	S_INBOUND_NEW_AFTER,
	S_INBOUND_CASE,
	S_IMAP_PURGE_LIST,
	S_IMAP_PURGE_DONE,
	/* store_case.c: cases, messages, attachments. */
	S_CASE_SEQ,
	S_CASE_INSERT,
	S_CASE_BY_REF,
	S_CASE_BY_ID,
	S_CASE_LIST,
	S_CASE_SET_STATE,
	S_CASE_SET_MISSING,
	S_CASE_SET_OUT_OF_TIME,
	S_CASE_SET_TYPE,
	S_CASE_BY_MSGID,
	S_CASE_TEXTS,
	S_CASE_LAST_IN,
	S_CASE_MAIL,
	S_CASE_ATTACHMENTS,
	S_MESSAGE_INSERT,
	S_MESSAGE_SET_CASE,
	S_MESSAGE_AUTOMATIC,
	S_ATTACHMENT_INSERT,
	S_AUTOMATIC_COUNT,
	S_AUTOMATIC_LIST,
	/* store_event.c: the event chain. */
	S_EVENT_LAST,
	S_EVENT_INSERT,
	S_EVENT_LIST,
	S_EVENT_ALL,
	S_EVENT_FIRST,
	S_EVENT_DETAIL_COUNTS,
	/* store_timer.c */
	S_TIMER_ADD,
	S_TIMER_DUE,
	S_TIMER_OF_CASE,
	S_TIMER_SET,
	S_TIMER_RETRY,
	S_TIMER_FAILED,
	S_TIMER_NEXT,
	S_TIMERS_CANCEL,
	S_TIMER_CANCEL_DEADLINE,
	/* store_outbox.c */
	S_OUTBOX_INSERT,
	S_OUTBOX_DUE,
	S_OUTBOX_LIST,
	S_OUTBOX_RESULT,
	S_OUTBOX_INTENTS,
	S_OUTBOX_COMPOSED,
	S_OUTBOX_UNCOMPOSABLE,
	S_OUTBOX_CLAIM,
	S_OUTBOX_IN_DOUBT,
	S_OUTBOX_LAST,
	S_OUTBOX_NEXT_AT,
	S_OUTBOX_BACKLOG,
	S_OUTBOX_UNREPORTED,
	S_OUTBOX_REPORTED,
	S_OUTBOX_RETRY,
	S_OUTBOX_RECENT,
	S_OUTBOX_BY_MSGID,
	S_OUTBOX_DATA,
	S_OUTBOX_FIRST_SENT,
	/* store_purge.c: retention. */
	S_PURGE_DUE,
	S_PURGE_INBOUND_OF_CASE,
	S_PURGE_INBOUND_UNLINKED,
	S_PURGE_INBOUND_DUPLICATES,
	S_PURGE_INBOUND_READ,
	S_PURGE_INBOUND_ERASE,
	S_PURGE_INBOUND_RAW,
	S_PURGE_IMAP_QUEUE,
	S_PURGE_ATTACHMENTS_OF_CASE,
	S_PURGE_ATTACHMENTS_OF_INBOUND,
	S_PURGE_MESSAGES_DELETE_OF_CASE,
	S_PURGE_MESSAGES_DELETE_OF_INBOUND,
	S_PURGE_MESSAGES_ERASE_OF_CASE,
	S_PURGE_MESSAGES_ERASE_OF_INBOUND,
	S_PURGE_LETTERS_OF_CASE,
	S_PURGE_LETTERS_UNLINKED,
	S_PURGE_EVENT,
	S_PURGE_CASE,
	S_DIGEST_ATTACHMENT,
	S_DIGEST_INBOUND,
	/* store_post.c: channels, letters on paper, openings. */
	S_CASE_CHANNEL,
	S_CASE_SET_CHANNEL,
	S_CASE_SET_COMPLAINANT,
	S_CASE_LAST_DETAIL,
	S_CHANNEL_COUNTS,
	S_POST_ADD,
	S_POST_LIST,
	S_POST_SET,
	S_POST_FIRST_POSTED,
	S_PURGE_POST_DELETE,
	S_PURGE_POST_ERASE,
	S_OPENING_ADD,
	S_OPENING_ACTOR,
	S_COUNT
};

/* Each file's statements, by id; NULL where the id is another file's. */
extern const char *const store_core_sql[S_COUNT];
extern const char *const store_inbound_sql[S_COUNT];
extern const char *const store_case_sql[S_COUNT];
extern const char *const store_event_sql[S_COUNT];
extern const char *const store_timer_sql[S_COUNT];
extern const char *const store_outbox_sql[S_COUNT];
extern const char *const store_purge_sql[S_COUNT];
extern const char *const store_post_sql[S_COUNT];

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmts[S_COUNT];
};

/* The cached statement, reset and with its bindings cleared. */
sqlite3_stmt	*store_stmt(struct store *, enum stmt_id, GError **);
/*
 * Set err from the connection's last error (STORE_ERROR_TRANSIENT when
 * the machine is at fault, see store_error_transient()); FALSE.
 */
gboolean	 store_fail(struct store *, GError **, const char *what);
/*
 * Run a statement that returns nothing with ?1 = a and, when it has a
 * second parameter, ?2 = b.
 */
gboolean	 store_run_int(struct store *, enum stmt_id, int64_t a,
		    int64_t b, GError **);
gboolean	 store_run_text(struct store *, enum stmt_id, int64_t a,
		    const char *b, GError **);
/*
 * Step s for its first column, as an integer (0 for NULL or no row), and
 * reset it; -1 on error.
 */
int64_t		 store_first_int(struct store *, sqlite3_stmt *, GError **);

/* Fill one row (a struct of the caller's) from the current row of s. */
typedef void	 store_read_fn(sqlite3_stmt *, gpointer row);
/*
 * Step s to its end, each row read into a new element of size bytes,
 * zeroed first, of an array that frees them with clear (NULL: nothing to
 * free), and reset it; NULL on error, what naming the rows.
 */
GArray		*store_rows(struct store *, sqlite3_stmt *, guint size,
		    store_read_fn *, GDestroyNotify clear, const char *what,
		    GError **);
/*
 * Step s once and reset it: 1 with its row read into row (zeroed first),
 * 0 when there is none, -1 on error (what names it).
 */
int		 store_row(struct store *, sqlite3_stmt *, store_read_fn *,
		    gpointer row, gsize size, const char *what, GError **);
/* Readers of the first column: into an int64_t, into a char * (g_free). */
void		 store_read_int(sqlite3_stmt *, gpointer);
void		 store_read_text(sqlite3_stmt *, gpointer);

/* Step a statement that returns nothing (or its first row), and reset it. */
static inline gboolean
step_done(struct store *st, sqlite3_stmt *s, GError **err)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(st, err, sqlite3_sql(s));
	return TRUE;
}

/* NULL binds NULL. */
static inline void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* The column as an owned string, NULL for NULL. */
static inline char *
dup_column(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL ? g_strdup((const char *)v) : NULL;
}

#endif
