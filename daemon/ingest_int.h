/*
 * ingest_int.h: what ingest.c and ingest_parse.c share; no other module
 * includes it.
 */
#ifndef RECOURSD_INGEST_INT_H
#define RECOURSD_INGEST_INT_H

#include <glib.h>

#include "conf.h"
#include "msg.h"
#include "store.h"

/* One row, read and parsed (or refused) before the write lock is taken. */
struct ingest_prepared {
	int64_t		 id;
	char		*mailbox;	/* NULL: the row is gone */
	struct msg	*m;		/* NULL when quarantined */
	char		*reason;	/* why it is quarantined */
	gboolean	 skip;		/* no longer 'new' */
};

/*
 * Read row id from st and parse it, with conf's limits; no write, no
 * lock.  FALSE only on a store error.  Clear p with
 * ingest_prepared_clear() either way.
 */
gboolean	 ingest_prepare(struct store *, const struct conf *, int64_t id,
		    struct ingest_prepared *p, GError **);
void		 ingest_prepared_clear(struct ingest_prepared *);

/* Rows handed to the parse thread, and what it made of them. */
struct ingest_batch {
	const struct conf	*conf;	/* borrowed until freed */
	GArray			*ids;	/* int64_t */
	struct ingest_prepared	*p;	/* p[i] for ids[i], all of them */
	GError			*error;	/* a store error: p is not usable */
	guint			 worker; /* the thread that parses it */
	gboolean		 recorded; /* handed back to be freed */
};

/*
 * The parse threads, each with a read-only connection of its own to
 * database: they parse the next batches while the main thread records
 * the one before, and give them back in the order submitted.
 */
struct ingest_parser;

struct ingest_parser *ingest_parser_start(const char *database, GError **);
void		 ingest_parser_stop(struct ingest_parser *);
/* Parse ids (taken) with conf (borrowed until the batch is freed). */
void		 ingest_parser_submit(struct ingest_parser *,
		    const struct conf *, GArray *ids);
/*
 * Wait for the oldest batch submitted and not yet waited for; from then
 * on it is the caller's, to give back with ingest_parser_release().
 */
struct ingest_batch *ingest_parser_wait(struct ingest_parser *);
/* Hand a batch waited for back, to be freed on its parse thread. */
void		 ingest_parser_release(struct ingest_parser *,
		    struct ingest_batch *);

#endif
