/*
 * ingest.h: the first half of the pipeline, from mailboxes to parsed
 * messages in the store.
 *
 * One fetch thread per configured mailbox (imap.c) stores raw messages
 * in the spool and the inbound table; the parse thread (ingest_parse.c)
 * then parses each new inbound row (msg.c), and the main thread records
 * the message, its attachments and its case, or quarantines it with a
 * reason; batch after batch, one transaction each.
 */
#ifndef RECOURSD_INGEST_H
#define RECOURSD_INGEST_H

#include <glib.h>

#include "imap.h"
#include "setup.h"
#include "store.h"

struct ingest;

/* Called on the main thread when processing may have queued mail. */
typedef void	 ingest_queued_fn(void *data);

/*
 * setup and store (the main thread's connection) are borrowed; setup
 * must outlive the ingest or be swapped by ingest_reload().
 */
struct ingest	*ingest_start(const struct setup *, struct store *,
		    ingest_queued_fn *, void *data, GError **);
gboolean	 ingest_reload(struct ingest *, const struct setup *);
/*
 * Process the rows still 'new' (left by a store error: a full disk, a
 * lock); logs what fails.  The daemon calls it now and then.  Returns
 * how many were processed.
 */
int		 ingest_retry(struct ingest *);
void		 ingest_stop(struct ingest *);
/*
 * The live state of the i-th mailbox's fetcher and its name (borrowed
 * until the next reload); FALSE past the last one.  Caller frees
 * st->last_error.
 */
gboolean	 ingest_mailbox_status(struct ingest *, guint i,
		    const char **name, struct imap_status *st);

/*
 * Parse one inbound row and record it with its case (opened or joined),
 * in one transaction.  Used by the daemon and by recoursctl (reprocess).
 * FALSE only on a store error: a message that does not parse is
 * quarantined, and one whose processing fails is set aside ('failed',
 * with the reason), which is success.
 */
gboolean	 ingest_process_one(struct store *, const struct setup *,
		    int64_t inbound_id, GError **);

/*
 * Queue a raw message file as if fetched from mailbox (recoursctl inject).
 * Durable when it returns TRUE.
 */
gboolean	 ingest_inject(struct store *, const struct setup *,
		    const char *mailbox, const char *file, int64_t *id,
		    GError **);

#endif
