/*
 * control_proto.h: what recoursd and recoursctl share on the control
 * socket (control.c serves it).  A frame is a length, 4 bytes in network
 * order, then that many bytes.  The client sends one request frame, a
 * single line ("inject 42", "status", "reload", "wake"); the daemon
 * answers one reply frame whose first line is "ok" or "error" and whose
 * other lines are the answer, then closes the connection.
 */
#ifndef RECOURSD_CONTROL_PROTO_H
#define RECOURSD_CONTROL_PROTO_H

#include <glib.h>
#include <stdint.h>

#define CONTROL_SOCKET		"recoursd.sock"
#define CONTROL_MAX_REQUEST	256		/* bytes, after the length */
#define CONTROL_MAX_REPLY	(256 * 1024)
#define CONTROL_TIMEOUT		5		/* s for a client to ask */

/* The socket next to the database, in the state directory; caller frees. */
char		*control_socket_path(const char *database);
void		 control_put_len(uint8_t hdr[4], uint32_t);
uint32_t	 control_get_len(const uint8_t hdr[4]);

/*
 * Send request to the daemon listening at path and wait at most timeout
 * seconds for its reply.  1: the daemon did it, *reply holds its answer;
 * 0: it refused, *reply says why; -1: no answer, err says why
 * (G_IO_ERROR_NOT_FOUND when no daemon listens there).  Caller frees
 * *reply.
 */
int		 control_call(const char *path, const char *request,
		    int timeout, char **reply, GError **err);

#endif
