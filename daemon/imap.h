/*
 * imap.h: fetching from one IMAP mailbox, on a thread of its own.
 *
 * A fetcher moves bytes from the server to the spool and the inbound
 * table, and knows nothing of cases.  Each message is committed before it
 * is touched on the server (\Seen or a move), so a crash at any point
 * loses nothing and the UNIQUE (mailbox, UIDVALIDITY, UID) key makes a
 * refetch a no-op.  One server down never stalls another mailbox.
 */
#ifndef RECOURSD_IMAP_H
#define RECOURSD_IMAP_H

#include <glib.h>

#include "conf.h"

struct imap_fetcher;

/* Called on the fetch thread after new rows are committed. */
typedef void	 imap_stored_fn(void *data);

/*
 * Start fetching mb.  conf and mb are borrowed until imap_fetcher_stop().
 * The database must exist (the daemon creates it first).
 */
struct imap_fetcher *imap_fetcher_start(const struct conf *,
		    const struct conf_mailbox *, imap_stored_fn *, void *data,
		    GError **);
/* What a fetcher is doing, for recoursctl status. */
struct imap_status {
	gboolean	 connected;	/* logged in, folder selected */
	gboolean	 idle;		/* waits in IDLE, else polls */
	int64_t		 last_fetch;	/* last look for news; 0: none yet */
	char		*last_error;	/* NULL: none since the start */
};
/* A copy taken under the fetcher's lock; caller frees last_error. */
void		 imap_fetcher_status(struct imap_fetcher *,
		    struct imap_status *);
/* Interrupt IDLE or a wait, and join the thread.  NULL is a no-op. */
void		 imap_fetcher_stop(struct imap_fetcher *);

#endif
