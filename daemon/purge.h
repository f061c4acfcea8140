/*
 * purge.h: retention (recoursctl purge).
 *
 * A closed case kept past its period loses everything that names someone:
 * its messages' bytes and headers, its attachments, the letters sent, the
 * actors and free text of its events, and the copies of its messages
 * still on the IMAP server (deleted by the mailbox's fetcher).  What the
 * indicators count stays: the case's type, dates, state, deadlines met,
 * the letters' kinds and dates.  Each purged case gets a "purged" event,
 * which lets recoursctl verify accept the erased events before it.
 */
#ifndef RECOURSD_PURGE_H
#define RECOURSD_PURGE_H

#include <glib.h>
#include <stdint.h>

#include "conf.h"
#include "rules.h"
#include "store.h"

struct purge_report {
	GPtrArray		*refs;		/* the cases purged */
	struct store_purged	 erased;
	int64_t			 files;		/* spool files removed */
	char			*cutoff;	/* closed before this day */
	char			*period;	/* recoursd.conf's retention, or
						   the longer one asked for */
};

/*
 * Purge what closed longer ago than its retention (a type's own, in the
 * rules, else recoursd.conf's), or than older when that is longer (NULL:
 * none), in the calendar's zone; with
 * dry_run, the same work rolled back, so the report says exactly what a
 * real run would do.  Spool files are removed after the commit, and only
 * when no other row names them.
 */
gboolean	 purge_run(struct store *, const struct conf *,
		    const struct rules *, GTimeZone *, const struct cfg_period *,
		    gboolean dry_run, const char *actor, int64_t now,
		    struct purge_report *, GError **);
void		 purge_report_clear(struct purge_report *);

#endif
