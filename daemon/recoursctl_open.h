/*
 * recoursctl_open.h: "recoursctl open", a case for a call, a letter, a
 * visit, from the command line.
 *
 * The options become the opening commands of channel.h at the top of a
 * message whose text is the first text FILE and whose attachments are
 * the other files; the message is stored like an injected one, with the
 * name of who ran recoursctl (store_opening_add()), which is what lets
 * the daemon trust it.  The commands are checked here first, with the
 * daemon's own code: a refusal stores nothing.
 */
#ifndef RECOURSD_RECOURSCTL_OPEN_H
#define RECOURSD_RECOURSCTL_OPEN_H

#include <glib.h>

#include "check.h"
#include "store.h"

/*
 * Parse argv, check, store; *id the inbound row.  Returns 0, 1 (refused
 * or failed, said on stderr) or 2 (usage).
 */
int		 ctl_open_store(struct store *, const struct setup *, int argc,
		    char **argv, int64_t *id);

#endif
