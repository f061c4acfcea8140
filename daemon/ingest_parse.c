/*
 * ingest_parse.c: reading and parsing new inbound rows, on a thread of
 * their own (see ingest_int.h).
 *
 * Parsing is most of the work of ingest: done here, on the parse thread,
 * it overlaps the main thread's recording and commit of the batch before.
 * The thread only reads the store (its own connection, query_only) and
 * writes attachment files, which are content-addressed and need no lock.
 * GMime objects are never shared: a batch belongs to one thread at a
 * time, handed over through the queues.  The main thread frees it once
 * recorded: it has time to spare while the next batch is parsed, and the
 * parse thread has none.
 */
#include "config.h"

#include <string.h>

#include "ingest_int.h"
#include "spool.h"

struct ingest_parser {
	struct store	*store;		/* the parse thread's own */
	GThread		*thread;
	GAsyncQueue	*to_parse;	/* batches, in order */
	GAsyncQueue	*parsed;
};

/* Pushed by ingest_parser_stop(): the thread ends. */
static struct ingest_batch stop_marker;

static gpointer	 parser_main(gpointer);
static void	 parse_batch(struct store *, struct ingest_batch *);
static char	*quarantine_reason(struct store *, const struct conf *,
		    const struct store_inbound_row *, struct msg **);

struct ingest_parser *
ingest_parser_start(const char *database, GError **err)
{
	struct ingest_parser *ps;

	ps = g_new0(struct ingest_parser, 1);
	if ((ps->store = store_open(database, STORE_READONLY, err)) == NULL) {
		g_free(ps);
		return NULL;
	}
	ps->to_parse = g_async_queue_new();
	ps->parsed = g_async_queue_new();
	ps->thread = g_thread_new("parse", parser_main, ps);
	return ps;
}

/* Every batch submitted must have been waited for. */
void
ingest_parser_stop(struct ingest_parser *ps)
{
	if (ps == NULL)
		return;
	g_async_queue_push(ps->to_parse, &stop_marker);
	g_thread_join(ps->thread);
	g_async_queue_unref(ps->to_parse);
	g_async_queue_unref(ps->parsed);
	store_close(ps->store);
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
	g_async_queue_push(ps->to_parse, b);
}

struct ingest_batch *
ingest_parser_wait(struct ingest_parser *ps)
{
	return g_async_queue_pop(ps->parsed);
}

void
ingest_batch_free(struct ingest_batch *b)
{
	guint	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->ids->len; i++)
		ingest_prepared_clear(&b->p[i]);
	g_free(b->p);
	g_array_unref(b->ids);
	g_clear_error(&b->error);
	g_free(b);
}

static gpointer
parser_main(gpointer data)
{
	struct ingest_parser *ps = data;
	struct ingest_batch *b;

	while ((b = g_async_queue_pop(ps->to_parse)) != &stop_marker) {
		parse_batch(ps->store, b);
		g_async_queue_push(ps->parsed, b);
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
