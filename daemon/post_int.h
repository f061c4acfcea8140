/*
 * post_int.h: what post.c and post_track.c share.  Not for other
 * modules: they use post.h.
 */
#ifndef RECOURSD_POST_INT_H
#define RECOURSD_POST_INT_H

#include <glib.h>

#include "post.h"

/* The reminders' timers: "post-letter-ID", "post-receipt-ID". */
#define TIMER_LETTER	POST_TIMERS "letter-"
#define TIMER_RECEIPT	POST_TIMERS "receipt-"

/* "4 décembre 2026", in the calendar's zone; caller frees. */
char		*post_day_text(const struct setup *, int64_t);
/* at + d, by the calendar (working days skip holidays). */
int64_t		 post_after(const struct setup *, int64_t,
		    const struct cal_duration *);
/* "post-letter-12"; caller frees. */
char		*post_timer_name(const char *prefix, int64_t id);
/*
 * Mail the letter to the staff who post letters (each with a token: their
 * reply records the posting), else to the administrator; waiting: why
 * this is a reminder (no file then), or NULL.
 */
gboolean	 post_tell_posters(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct store_post *, const char *waiting, int64_t now,
		    GError **);

#endif
