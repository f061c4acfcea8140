/*
 * channel.h: cases staff open for a call, a letter, a fax, a visit.
 *
 * A member of staff writes a new message (not a reply) to a watched
 * mailbox whose first lines are commands:
 *
 *	#ouvrir TYPE		the type (its name, label or a tag)
 *	#canal CANAL		courrier, recommande, telephone, fax,
 *				formulaire or visite
 *	#recu-le AAAA-MM-JJ	the day it was received: the deadlines count
 *				from it (today when absent)
 *	#plaignant Nom <adresse@électronique>	the address is optional
 *	#adresse LIGNE ; LIGNE	the postal address, for letters on paper:
 *				lines are cut at ';', at ", " before a
 *				postal code, or given by repeated #adresse
 *
 * The rest of the message is the case's first message, its attachments
 * kept.  Only staff may open a case: the message comes from a staff
 * address and our own server's Authentication-Results prove it
 * (staff_authserv_id, staff_auth.h), or recoursctl open wrote it (its
 * row in the store says who ran it).  Anything else is refused and
 * logged.  A field that is wrong (a date in the future or older than the
 * type's received_within, an address that does not fit a window
 * envelope) refuses the opening, and the receipt says why; a field that
 * is missing is asked for in the receipt, and the case opens.  The case
 * records its channel; the acknowledgement goes by email when there is
 * an address, else on paper (post.h).
 */
#ifndef RECOURSD_CHANNEL_H
#define RECOURSD_CHANNEL_H

#include <glib.h>

#include "setup.h"
#include "msg.h"
#include "store.h"

/* The channels, "email" first (cases that came by mail). */
extern const char *const channel_names[];

/* What the opening commands say, checked. */
struct channel_opening {
	const struct rules_type *type;
	char		*channel;
	int64_t		 received_at;	/* 0: not given (today) */
	char		*name;
	char		*email;
	GPtrArray	*address;	/* lines, without the name */
	char		*text;		/* the rest: the first message */
	GPtrArray	*errors;	/* why it cannot open (French) */
	GPtrArray	*missing;	/* what the receipt asks for */
};
void		 channel_opening_clear(struct channel_opening *);

/* Whether body's first command is #ouvrir. */
gboolean	 channel_is_opening(const char *body);

/* Read and check the commands of body, at now, under s's rules. */
void		 channel_read(const struct setup *, const char *body,
		    int64_t now, struct channel_opening *);

/*
 * If m (inbound row inbound_id, message row) opens a case by commands:
 * refuse it or open the case, acknowledge it and tell staff; *handled.
 * Inside the caller's transaction.
 */
gboolean	 channel_open(struct store *, const struct setup *,
		    const struct msg *, int64_t inbound_id, int64_t row,
		    const char *mailbox, int64_t now, gboolean *handled,
		    GError **);

#endif
