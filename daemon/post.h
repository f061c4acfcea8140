/*
 * post.h: letters on paper, and registered letters tracked.
 *
 * A letter to a complainant who gave no usable email address, or one
 * its type lists under paper (rules: paper = ( "decision" )), is not
 * mailed to them: it is rendered as an A4 PDF for a window envelope
 * (paper.h), kept in the case as the attachment of an outgoing message
 * row, and mailed to the staff who post letters (post.role in
 * recoursd.conf), with a reminder every post.remind_every until they
 * record its posting.  A letter the type lists under registered goes by
 * registered letter with acknowledgement of receipt: "#recommande NUMERO
 * [DATE]" records it posted, "#ar-recu DATE" the date on the returned
 * receipt (deadlines with starts_with = "#ar-recu" count from that date:
 * staff_post.c), "#ar-retour" its return unclaimed; with no receipt after
 * post.receipt_within, staff are reminded.  "#poste [DATE]" records a
 * simple letter posted.
 *
 * The reminders are timers of the case named "post-letter-ID" and
 * "post-receipt-ID"; closing the case leaves them.
 */
#ifndef RECOURSD_POST_H
#define RECOURSD_POST_H

#include <glib.h>

#include "letter.h"
#include "setup.h"
#include "store.h"
#include "template.h"

/*
 * Whether address (lines) fits a window envelope; why not in *why
 * (caller frees).
 */
gboolean	 post_address_ok(GPtrArray *lines, char **why);

/*
 * Split a written address into lines: at ';', and at ", " before a
 * five-digit postal code ("12 rue des Lilas, 83140 Six-Fours").  Empty
 * lines go.  g_ptr_array_unref.
 */
GPtrArray	*post_address_lines(const char *);
/* The lines joined by '\n'; NULL for none; caller frees. */
char		*post_join(GPtrArray *);

/*
 * Letter k about case c, with variables v: on paper when it must be,
 * with *done; else *done FALSE and nothing happens.  Inside the
 * caller's transaction.
 */
gboolean	 post_route(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, int64_t now, gboolean *done,
		    GError **);

/* Why the command cannot run on case c (caller frees); NULL if it can. */
char		*post_refusal(struct store *, const struct setup *,
		    const struct store_case *, const char *name,
		    const char *text, int64_t now, GError **);
/*
 * Run it; what it did goes to receipt.  #ar-recu sets *receipt_at, the
 * date on the receipt (the deadlines that start with it count from
 * there: staff_post.c), else 0.
 */
gboolean	 post_command(struct store *, const struct setup *,
		    const struct store_case *, const char *name,
		    const char *text, const char *actor, int64_t now,
		    GString *receipt, int64_t *receipt_at, GError **);

/*
 * Letter k to the complainant of c: on paper when it must be
 * (post_route()), else by email (letter_to_complainant()).
 */
gboolean	 post_or_mail(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, const char *auto_submitted,
		    int64_t now, GError **);

/*
 * Letter k to the other party of c on paper, when the type lists it
 * under paper and staff gave its postal address (#adresse-partie): then
 * *done.
 */
gboolean	 post_party(struct store *, const struct setup *,
		    enum letter_kind, const struct store_case *,
		    const struct tpl_vars *, int64_t now, gboolean *done,
		    GError **);

/* "Jean Dupont <jean@example.org>": either may be NULL; caller frees. */
void		 post_split_person(const char *, char **name, char **addr);

/*
 * The date on the receipt of the last registered letter of case ref that
 * came back signed (#ar-recu): when its addressee was notified.  FALSE
 * when there is none (or on error).
 */
gboolean	 post_notified_on(struct store *, const char *ref, int64_t *at,
		    GError **);

/*
 * When the acknowledgement of the case was first sent: by mail (the
 * outbox kind "ack") or posted on paper, whichever came first; 0 never,
 * -1 on error.
 */
int64_t		 post_ack_sent(struct store *, int64_t case_id, GError **);

/* What the names of the letters' timers start with. */
#define POST_TIMERS	"post-"

/* Whether a timer of this deadline name is a letter's (post_fire()). */
gboolean	 post_is_timer(const char *deadline);
/* Fire such a timer: remind staff while it still waits. */
gboolean	 post_fire(struct store *, const struct setup *,
		    const struct store_timer *, const struct store_case *,
		    int64_t now, gboolean *queued, GError **);

/*
 * "2026-12-02" or "02/12/2026": midnight of that day in the calendar's
 * zone; FALSE when it is no date.
 */
gboolean	 post_parse_day(const struct setup *, const char *,
		    int64_t *at);

#endif
