/*
 * control.h: the daemon's control socket, as OpenSMTPD's control.c: a
 * Unix socket in the state directory (control_socket_path()), mode 0660
 * and a group of the administrators, with the peer checked again by
 * SO_PEERCRED.  Each client sends one request and gets one reply
 * (control_proto.h); a client that sends too much, sends garbage or says
 * nothing in CONTROL_TIMEOUT seconds is answered with an error or
 * dropped, and never blocks the main loop.
 */
#ifndef RECOURSD_CONTROL_H
#define RECOURSD_CONTROL_H

#include <glib.h>

struct control;

/*
 * Answer request (one line of printable ASCII): the reply's lines, which
 * the caller frees, with *ok FALSE when it is an error.
 */
typedef char	*control_fn(const char *request, gboolean *ok, void *data);

/*
 * Listen at path on the main loop.  group may use the socket besides
 * root and the daemon's own user; when it does not exist (a test
 * machine) the daemon's own group is used instead, and logged.
 */
struct control	*control_start(const char *path, const char *group,
		    control_fn *, void *data, GError **);
/* Close every connection and remove the socket.  NULL is a no-op. */
void		 control_stop(struct control *);

#endif
