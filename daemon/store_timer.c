/*
 * store_timer.c: the timers of the cases' deadlines, by when they fall
 * due (store.h).
 */
#include "config.h"

#include "store_int.h"

const char *const store_timer_sql[S_COUNT] = {
	/* Scheduling again (the clock restarts) re-arms the timer. */
	[S_TIMER_ADD] = "INSERT INTO timer (case_id, deadline, kind, due_at) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_id, deadline, kind) DO "
	    "UPDATE SET due_at = ?4, state = 'pending', fired_at = NULL, "
	    "attempts = 0, retry_at = NULL, reason = NULL",
	/* A timer that failed to fire waits for its retry_at. */
	[S_TIMER_DUE] = "SELECT id, case_id, deadline, kind, due_at, state, "
	    "fired_at, attempts FROM timer WHERE state = 'pending' AND "
	    "coalesce(retry_at, due_at) <= ?1 "
	    "ORDER BY coalesce(retry_at, due_at), id LIMIT ?2",
	[S_TIMER_OF_CASE] = "SELECT id, case_id, deadline, kind, due_at, "
	    "state, fired_at, attempts FROM timer WHERE case_id = ?1 "
	    "ORDER BY due_at, id",
	[S_TIMER_SET] = "UPDATE timer SET state = ?2, fired_at = ?3 "
	    "WHERE id = ?1 AND state = 'pending'",
	[S_TIMER_RETRY] = "UPDATE timer SET attempts = attempts + 1, "
	    "retry_at = ?2, reason = ?3 WHERE id = ?1 AND state = 'pending'",
	[S_TIMER_FAILED] = "UPDATE timer SET attempts = attempts + 1, "
	    "state = 'failed', fired_at = ?2, reason = ?3 "
	    "WHERE id = ?1 AND state = 'pending'",
	[S_TIMER_NEXT] = "SELECT min(coalesce(retry_at, due_at)) FROM timer "
	    "WHERE state = 'pending'",
	[S_TIMERS_CANCEL] = "UPDATE timer SET state = 'cancelled', "
	    "fired_at = ?2 WHERE case_id = ?1 AND state = 'pending' AND "
	    "(?3 IS NULL OR substr(deadline, 1, length(?3)) <> ?3)",
	[S_TIMER_CANCEL_DEADLINE] = "UPDATE timer SET state = 'cancelled', "
	    "fired_at = ?3 WHERE case_id = ?1 AND deadline = ?2 AND "
	    "state = 'pending'",
};

static void	 timer_clear(gpointer);
static void	 read_timer(sqlite3_stmt *, gpointer);
static GArray	*timer_rows(struct store *, sqlite3_stmt *, GError **);
static gboolean	 timer_not_fired(struct store *, enum stmt_id, int64_t,
		    int64_t, const char *, GError **);

gboolean
store_timer_add(struct store *st, int64_t case_id, const char *deadline,
    const char *kind, int64_t due_at, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_TIMER_ADD, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, deadline);
	bind_text(s, 3, kind);
	sqlite3_bind_int64(s, 4, due_at);
	return step_done(st, s, err);
}

static void
timer_clear(gpointer p)
{
	struct store_timer *t = p;

	g_free(t->deadline);
	g_free(t->kind);
	g_free(t->state);
}

static void
read_timer(sqlite3_stmt *s, gpointer row)
{
	struct store_timer *t = row;

	t->id = sqlite3_column_int64(s, 0);
	t->case_id = sqlite3_column_int64(s, 1);
	t->deadline = dup_column(s, 2);
	t->kind = dup_column(s, 3);
	t->due_at = sqlite3_column_int64(s, 4);
	t->state = dup_column(s, 5);
	t->fired_at = sqlite3_column_int64(s, 6);
	t->attempts = sqlite3_column_int(s, 7);
}

static GArray *
timer_rows(struct store *st, sqlite3_stmt *s, GError **err)
{
	return store_rows(st, s, sizeof(struct store_timer), read_timer,
	    timer_clear, "timers", err);
}

GArray *
store_timers_due(struct store *st, int64_t now, int limit, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_TIMER_DUE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return timer_rows(st, s, err);
}

GArray *
store_case_timers(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_TIMER_OF_CASE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return timer_rows(st, s, err);
}

gboolean
store_timer_set(struct store *st, int64_t id, const char *state,
    int64_t fired_at, gboolean *changed, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_TIMER_SET, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, fired_at);
	if (!step_done(st, s, err))
		return FALSE;
	*changed = sqlite3_changes(st->db) > 0;
	return TRUE;
}

static gboolean
timer_not_fired(struct store *st, enum stmt_id which, int64_t id,
    int64_t at, const char *reason, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, which, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	bind_text(s, 3, reason);
	return step_done(st, s, err);
}

gboolean
store_timer_retry(struct store *st, int64_t id, int64_t retry_at,
    const char *reason, GError **err)
{
	return timer_not_fired(st, S_TIMER_RETRY, id, retry_at, reason, err);
}

gboolean
store_timer_fail(struct store *st, int64_t id, int64_t now,
    const char *reason, GError **err)
{
	return timer_not_fired(st, S_TIMER_FAILED, id, now, reason, err);
}

int64_t
store_timer_next(struct store *st)
{
	sqlite3_stmt	*s;
	int64_t		 at;

	if ((s = store_stmt(st, S_TIMER_NEXT, NULL)) == NULL)
		return 0;
	at = store_first_int(st, s, NULL);
	return at > 0 ? at : 0;
}

gboolean
store_timers_cancel(struct store *st, int64_t case_id, const char *except,
    int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_TIMERS_CANCEL, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, now);
	bind_text(s, 3, except);
	return step_done(st, s, err);
}

gboolean
store_timer_cancel_deadline(struct store *st, int64_t case_id,
    const char *deadline, int64_t now, gboolean *changed, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_TIMER_CANCEL_DEADLINE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, deadline);
	sqlite3_bind_int64(s, 3, now);
	if (!step_done(st, s, err))
		return FALSE;
	*changed = sqlite3_changes(st->db) > 0;
	return TRUE;
}
