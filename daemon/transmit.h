/*
 * transmit.h: #transmettre, the case file sent by mail to someone outside
 * (A2S: a lawsuit goes to the insurer or the company's lawyer "avec toutes
 * les informations nécessaires").  The file is what recoursctl export
 * writes: every message in and out as an mbox, the attachments, the
 * event log.
 */
#ifndef RECOURSD_TRANSMIT_H
#define RECOURSD_TRANSMIT_H

#include <glib.h>

#include "setup.h"
#include "store.h"

/*
 * Queue the transmission letter to address with the case file attached;
 * text is staff's covering words, staff_name their name.  summary gets
 * one line for the receipt (caller frees).
 */
gboolean	 transmit_case(struct store *, const struct setup *,
		    const struct store_case *, const char *address,
		    const char *text, const char *staff_name, int64_t now,
		    char **summary, GError **);

#endif
