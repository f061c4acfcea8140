/*
 * ingest_parse.c: reading and parsing new inbound rows, on threads of
 * their own (see ingest_int.h).
 *
 * Parsing is most of the work of ingest: done here, on parse threads (one
 * per processor, at most MAX_WORKERS), it overlaps the main thread's
 * recording and commit of the batch before.  There are as many as
 * processors, not one fewer: the main and fetch threads wait on the disk
 * and the server much of the time.
 * A thread only reads the store (its own connection, query_only) and
 * writes attachment files, which are content-addressed and need no lock.
 *
 * Batches go to the workers in turn and each worker takes its own in
 * order, so the main thread gets them back in the order submitted by
 * waiting on each worker in the same turn.  GMime objects are never
 * shared: a batch belongs to one thread at a time, handed over through
 * the queues.  Once recorded, a batch goes back to the worker that parsed
 * it, to be freed there: memory is freed fastest by the thread that
 * allocated it (glibc's arenas); a free from the main thread contended
 * with the worker's allocations for the arena's lock.
 */
#include "config.h"

#include <malloc.h>
#include <string.h>

#include "ingest_int.h"
#include "spool.h"

#define MAX_WORKERS	4

struct worker {
	struct store	*store;		/* the worker's own */
	GThread		*thread;
	GAsyncQueue	*in;		/* to parse, or to free; in order */
	GAsyncQueue	*parsed;
};

struct ingest_parser {
	struct worker	 workers[MAX_WORKERS];
	guint		 nworkers;
	guint		 submitted;	/* batches ever submitted */
	guint		 waited;	/* and waited for */
};

/* Pushed by ingest_parser_stop(): the thread ends. */
static struct ingest_batch stop_marker;

static struct ingest_batch *next_job(struct worker *);
static gpointer	 worker_main(gpointer);
static void	 parse_batch(struct store *, struct ingest_batch *);
static void	 batch_free(struct ingest_batch *);
static char	*quarantine_reason(struct store *, const struct conf *,
		    const struct store_inbound_row *, struct msg **);

struct ingest_parser *
ingest_parser_start(const char *database, GError **err)
{
	struct ingest_parser *ps;
	guint	 i, n;

	n = CLAMP(g_get_num_processors(), 1, MAX_WORKERS);
	ps = g_new0(struct ingest_parser, 1);
	for (i = 0; i < n; i++) {
		struct worker *w = &ps->workers[i];

		if ((w->store = store_open(database, STORE_READONLY,
		    err)) == NULL) {
			ingest_parser_stop(ps);
			return NULL;
		}
		w->in = g_async_queue_new();
		w->parsed = g_async_queue_new();
		w->thread = g_thread_new("parse", worker_main, w);
		ps->nworkers++;
	}
	return ps;
}

/* Every batch submitted must have been waited for. */
void
ingest_parser_stop(struct ingest_parser *ps)
{
	guint	 i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->nworkers; i++) {
		struct worker *w = &ps->workers[i];

		g_async_queue_push(w->in, &stop_marker);
		g_thread_join(w->thread);
		g_async_queue_unref(w->in);
		g_async_queue_unref(w->parsed);
		store_close(w->store);
	}
	g_free(ps);
}

void
ingest_parser_submit(struct ingest_parser *ps, const struct conf *conf,
    GArray *ids)
{
	struct ingest_batch *b;

	b = g_new0(struct ingest_batch, 1);
	b->conf = conf;
	b->ids = ids;
	b->p = g_new0(struct ingest_prepared, ids->len);
	b->worker = ps->submitted++ % ps->nworkers;
	g_async_queue_push(ps->workers[b->worker].in, b);
}

struct ingest_batch *
ingest_parser_wait(struct ingest_parser *ps)
{
	return g_async_queue_pop(ps->workers[ps->waited++ %
	    ps->nworkers].parsed);
}

void
ingest_parser_release(struct ingest_parser *ps, struct ingest_batch *b)
{
	b->recorded = TRUE;
	g_async_queue_push(ps->workers[b->worker].in, b);
}

static void
batch_free(struct ingest_batch *b)
{
	guint	 i;

	for (i = 0; i < b->ids->len; i++)
		ingest_prepared_clear(&b->p[i]);
	g_free(b->p);
	g_array_unref(b->ids);
	g_clear_error(&b->error);
	g_free(b);
}

/*
 * The next batch to parse or free.  After a second with none, what the
 * last ones held goes back to the system first: each thread has its own
 * malloc arena, which glibc otherwise keeps at its largest, and a burst
 * of big messages would leave the daemon that large until the next.  A
 * trim while busy cost a tenth of ingest's rate.
 */
#define IDLE_TRIM_US	G_USEC_PER_SEC

static struct ingest_batch *
next_job(struct worker *w)
{
	struct ingest_batch *b;

	if ((b = g_async_queue_timeout_pop(w->in, IDLE_TRIM_US)) != NULL)
		return b;
	malloc_trim(0);
	return g_async_queue_pop(w->in);
}

static gpointer
worker_main(gpointer data)
{
	struct worker	*w = data;
	struct ingest_batch *b;

	while ((b = next_job(w)) != &stop_marker) {
		if (b->recorded) {
			batch_free(b);
			continue;
		}
		parse_batch(w->store, b);
		g_async_queue_push(w->parsed, b);
	}
	return NULL;
}

/* All of the batch, or a store error for it. */
static void
parse_batch(struct store *st, struct ingest_batch *b)
{
	guint	 i;

	for (i = 0; i < b->ids->len && b->error == NULL; i++)
		ingest_prepare(st, b->conf, g_array_index(b->ids, int64_t, i),
		    &b->p[i], &b->error);
}

void
ingest_prepared_clear(struct ingest_prepared *p)
{
	g_free(p->mailbox);
	msg_free(p->m);
	g_free(p->reason);
	memset(p, 0, sizeof(*p));
}

/*
 * Why the row must be quarantined, or NULL with *m set to the parsed
 * message.  Caller frees the reason.
 */
static char *
quarantine_reason(struct store *st, const struct conf *conf,
    const struct store_inbound_row *r, struct msg **m)
{
	struct msg_limits lim;
	GError	*err = NULL;
	GBytes	*raw;
	char	*path, *attach_dir, *reason = NULL;

	*m = NULL;
	if (r->size > conf->limits.message_size)
		return g_strdup_printf("message too large (%" G_GINT64_FORMAT
		    " > %" G_GINT64_FORMAT " bytes)", r->size,
		    conf->limits.message_size);
	lim = msg_limits_default();
	lim.max_size = conf->limits.message_size;
	lim.max_parts = (guint)conf->limits.parts;
	lim.max_header_bytes = (gsize)conf->limits.header_size;
	lim.max_depth = (guint)conf->limits.depth;
	lim.time_budget_s = conf->limits.parse_seconds;
	attach_dir = spool_attachment_dir(conf->spool);
	if ((raw = store_inbound_raw(st, r->id, NULL)) != NULL) {
		*m = msg_parse_data(raw, &lim, attach_dir, &err);
		g_bytes_unref(raw);
	} else {
		path = spool_raw_path(conf->spool, r->sha256);
		*m = msg_parse_file(path, &lim, attach_dir, &err);
		g_free(path);
	}
	if (*m == NULL) {
		reason = g_strdup(err != NULL ? err->message : "unparsable");
		g_clear_error(&err);
	}
	g_free(attach_dir);
	return reason;
}

gboolean
ingest_prepare(struct store *st, const struct conf *conf, int64_t id,
    struct ingest_prepared *p, GError **err)
{
	struct store_inbound_row r;

	memset(p, 0, sizeof(*p));
	p->id = id;
	if (!store_inbound_get(st, id, &r, err))
		return err == NULL || *err == NULL;
	p->mailbox = g_strdup(r.mailbox);
	if (strcmp(r.state, "new") != 0)
		p->skip = TRUE;
	else
		p->reason = quarantine_reason(st, conf, &r, &p->m);
	store_inbound_row_clear(&r);
	return TRUE;
}
