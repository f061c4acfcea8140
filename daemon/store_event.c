/*
 * store_event.c: the events of the cases, append-only and hash-chained,
 * and the walk that verifies the chain (store.h).
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

const char *const store_event_sql[S_COUNT] = {
	[S_EVENT_LAST] = "SELECT hash FROM event ORDER BY id DESC LIMIT 1",
	[S_EVENT_INSERT] = "INSERT INTO event (case_id, at, actor, kind, "
	    "detail, prev, hash, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8)",
	[S_EVENT_LIST] = "SELECT id, case_id, at, actor, kind, detail, prev, "
	    "hash, sealed FROM event WHERE case_id = ?1 ORDER BY id",
	[S_EVENT_ALL] = "SELECT id, coalesce(case_id, 0), at, actor, kind, "
	    "detail, prev, hash, sealed FROM event ORDER BY id",
	[S_EVENT_FIRST] = "SELECT min(at) FROM event WHERE case_id = ?1 AND "
	    "kind = ?2",
	/* Each case's last detail of a kind, counted per type. */
	[S_EVENT_DETAIL_COUNTS] = "SELECT type, detail, count(*) FROM "
	    "(SELECT c.type, (SELECT detail FROM event e WHERE e.case_id = "
	    "c.id AND e.kind = ?3 ORDER BY e.id DESC LIMIT 1) AS detail FROM "
	    "cases c WHERE c.year = ?1 AND (?2 IS NULL OR c.type = ?2)) WHERE "
	    "detail IS NOT NULL GROUP BY type, detail "
	    "ORDER BY type, 3 DESC, detail",
};

static void	 event_clear(gpointer);
static void	 read_event(sqlite3_stmt *, gpointer);
static GArray	*events(struct store *, sqlite3_stmt *, GError **);
static char	*sha256_hex(const char *);
static char	*event_hash_v1(const struct store_event *);
static int	 event_seal_check(const struct store_event *, gboolean *);
static GHashTable *purge_events(GArray *);
static char	*event_fault(const struct store_event *, const char *,
		    GHashTable *, int64_t *);
static void	 read_cause(sqlite3_stmt *, gpointer);
static void	 cause_clear(gpointer);

/*
 * Append an event.  Its hash covers the previous event's hash, the case,
 * the time, the kind and the seal (digests of actor and detail), so that
 * an edit or a deletion breaks the chain (recoursctl verify), while a
 * purge may erase the actor and the detail and leave the chain whole.
 */
gboolean
store_event_add(struct store *st, int64_t case_id, int64_t at,
    const char *actor, const char *kind, const char *detail, GError **err)
{
	sqlite3_stmt	*s;
	char		*prev = NULL, *sealed, *hash;
	gboolean	 ok;

	if ((s = store_stmt(st, S_EVENT_LAST, err)) == NULL)
		return FALSE;
	if (sqlite3_step(s) == SQLITE_ROW)
		prev = dup_column(s, 0);
	sqlite3_reset(s);
	sealed = store_event_seal(actor, detail);
	hash = store_event_hash(prev, case_id, at, kind, sealed);
	if ((s = store_stmt(st, S_EVENT_INSERT, err)) == NULL) {
		ok = FALSE;
		goto out;
	}
	if (case_id > 0)
		sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, at);
	bind_text(s, 3, actor);
	bind_text(s, 4, kind);
	bind_text(s, 5, detail);
	bind_text(s, 6, prev != NULL ? prev : "");
	bind_text(s, 7, hash);
	bind_text(s, 8, sealed);
	ok = step_done(st, s, err);
out:
	g_free(prev);
	g_free(sealed);
	g_free(hash);
	return ok;
}

static void
event_clear(gpointer p)
{
	struct store_event *e = p;

	g_free(e->actor);
	g_free(e->kind);
	g_free(e->detail);
	g_free(e->prev);
	g_free(e->hash);
	g_free(e->sealed);
}

static void
read_event(sqlite3_stmt *s, gpointer row)
{
	struct store_event *e = row;

	e->id = sqlite3_column_int64(s, 0);
	e->case_id = sqlite3_column_int64(s, 1);
	e->at = sqlite3_column_int64(s, 2);
	e->actor = dup_column(s, 3);
	e->kind = dup_column(s, 4);
	e->detail = dup_column(s, 5);
	e->prev = dup_column(s, 6);
	e->hash = dup_column(s, 7);
	e->sealed = dup_column(s, 8);
}

static GArray *
events(struct store *st, sqlite3_stmt *s, GError **err)
{
	return store_rows(st, s, sizeof(struct store_event), read_event,
	    event_clear, "events", err);
}

GArray *
store_case_events(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_EVENT_LIST, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return events(st, s, err);
}

static char *
sha256_hex(const char *s)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, s, -1);
}

char *
store_event_seal(const char *actor, const char *detail)
{
	char	*a = sha256_hex(actor != NULL ? actor : "");
	char	*d = sha256_hex(detail != NULL ? detail : "");
	char	*sealed = g_strconcat(a, ":", d, NULL);

	g_free(a);
	g_free(d);
	return sealed;
}

char *
store_event_hash(const char *prev, int64_t case_id, int64_t at,
    const char *kind, const char *sealed)
{
	char	*input, *hash;

	input = g_strdup_printf("2|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT
	    "|%s|%s", prev != NULL ? prev : "", case_id, at, kind, sealed);
	hash = sha256_hex(input);
	g_free(input);
	return hash;
}

/* The form of migrations 3 to 5: the clear text under the hash. */
static char *
event_hash_v1(const struct store_event *e)
{
	char	*input, *hash;

	input = g_strdup_printf("%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT
	    "|%s|%s|%s", e->prev, e->case_id, e->at, e->actor, e->kind,
	    e->detail != NULL ? e->detail : "");
	hash = sha256_hex(input);
	g_free(input);
	return hash;
}

/*
 * Which of an event's actor and detail still match its seal: 1 each
 * that matches, 0 each erased (empty where the seal says it was not),
 * -1 when one was changed.
 */
static int
event_seal_check(const struct store_event *e, gboolean *erased)
{
	char	*now = store_event_seal(e->actor, e->detail);
	char	*empty = store_event_seal("", NULL);
	gboolean a_same = strncmp(now, e->sealed, 64) == 0;
	gboolean d_same = strcmp(now + 64, e->sealed + 64) == 0;
	gboolean a_gone = *e->actor == '\0' &&
	    strncmp(empty, e->sealed, 64) != 0;
	gboolean d_gone = e->detail == NULL &&
	    strcmp(empty + 64, e->sealed + 64) != 0;

	g_free(now);
	g_free(empty);
	*erased = a_gone || d_gone;
	return (a_same || a_gone) && (d_same || d_gone) ? 0 : -1;
}

/* Ids of the cases purged, each with the id of its "purged" event. */
static GHashTable *
purge_events(GArray *all)
{
	GHashTable *purged = g_hash_table_new_full(g_int64_hash,
	    g_int64_equal, g_free, g_free);
	guint	 i;

	for (i = 0; i < all->len; i++) {
		const struct store_event *e = &g_array_index(all,
		    struct store_event, i);

		if (e->case_id > 0 && strcmp(e->kind, "purged") == 0)
			g_hash_table_replace(purged, g_memdup2(&e->case_id,
			    sizeof(int64_t)), g_memdup2(&e->id,
			    sizeof(int64_t)));
	}
	return purged;
}

/* Why e breaks the chain, or NULL; counts it in *erased when purged. */
static char *
event_fault(const struct store_event *e, const char *prev,
    GHashTable *purged, int64_t *erased)
{
	const int64_t *purge = g_hash_table_lookup(purged, &e->case_id);
	gboolean by_purge = purge != NULL && *purge > e->id;
	gboolean gone = FALSE, ok;
	char	*h;

	if (strcmp(e->prev, prev) != 0)
		return g_strdup_printf("event %" G_GINT64_FORMAT " does not "
		    "follow the event before it: an event before it was "
		    "removed or altered", e->id);
	if (e->sealed == NULL) {
		/* An erased old-form event cannot be recomputed. */
		gone = *e->actor == '\0';
		h = gone ? g_strdup(e->hash) : event_hash_v1(e);
	} else {
		h = store_event_hash(e->prev, e->case_id, e->at, e->kind,
		    e->sealed);
		if (strlen(e->sealed) != 129 ||
		    event_seal_check(e, &gone) == -1) {
			g_free(h);
			h = NULL;
		}
	}
	ok = h != NULL && strcmp(h, e->hash) == 0;
	g_free(h);
	if (!ok)
		return g_strdup_printf("event %" G_GINT64_FORMAT " was "
		    "altered: its content no longer matches its hash", e->id);
	if (gone && !by_purge)
		return g_strdup_printf("event %" G_GINT64_FORMAT " was erased, "
		    "but no purge of its case follows it", e->id);
	*erased += gone;
	return NULL;
}

int64_t
store_verify_events(struct store *st, int64_t *count, int64_t *erased,
    char **why, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*all;
	GHashTable	*purged;
	const char	*prev = "";
	int64_t		 bad = 0;
	guint		 i;

	if ((s = store_stmt(st, S_EVENT_ALL, err)) == NULL ||
	    (all = events(st, s, err)) == NULL)
		return -1;
	*count = all->len;
	*erased = 0;
	purged = purge_events(all);
	for (i = 0; bad == 0 && i < all->len; i++) {
		const struct store_event *e = &g_array_index(all,
		    struct store_event, i);

		if ((*why = event_fault(e, prev, purged, erased)) != NULL)
			bad = e->id;
		prev = e->hash;
	}
	g_hash_table_unref(purged);
	g_array_unref(all);
	return bad;
}

static void
read_cause(sqlite3_stmt *s, gpointer row)
{
	struct store_cause *c = row;

	c->type = dup_column(s, 0);
	c->cause = dup_column(s, 1);
	c->cases = sqlite3_column_int(s, 2);
}

static void
cause_clear(gpointer p)
{
	struct store_cause *c = p;

	g_free(c->type);
	g_free(c->cause);
}

int64_t
store_event_first(struct store *st, int64_t case_id, const char *kind,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_EVENT_FIRST, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, kind);
	return store_first_int(st, s, err);
}

GArray *
store_cause_counts(struct store *st, int year, const char *type,
    const char *kind, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, S_EVENT_DETAIL_COUNTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, year);
	bind_text(s, 2, type);
	bind_text(s, 3, kind);
	return store_rows(st, s, sizeof(struct store_cause), read_cause,
	    cause_clear, "causes", err);
}
