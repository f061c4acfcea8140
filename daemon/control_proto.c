/*
 * control_proto.c: see control_proto.h.  The client side is blocking,
 * with socket timeouts: recoursctl has nothing else to do meanwhile.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_proto.h"

static int	 dial(const char *, int, GError **);
static gboolean	 send_all(int, const void *, size_t, GError **);
static gboolean	 recv_all(int, void *, size_t, GError **);
static int	 split_reply(char *, char **);

char *
control_socket_path(const char *database)
{
	char	*dir = g_path_get_dirname(database);
	char	*path = g_build_filename(dir, CONTROL_SOCKET, NULL);

	g_free(dir);
	return path;
}

void
control_put_len(uint8_t hdr[4], uint32_t len)
{
	uint32_t n = htonl(len);

	memcpy(hdr, &n, 4);
}

uint32_t
control_get_len(const uint8_t hdr[4])
{
	uint32_t n;

	memcpy(&n, hdr, 4);
	return ntohl(n);
}

int
control_call(const char *path, const char *request, int timeout,
    char **reply, GError **err)
{
	uint8_t	 hdr[4];
	uint32_t len;
	char	*text = NULL;
	int	 fd, rc = -1;

	*reply = NULL;
	if ((fd = dial(path, timeout, err)) == -1)
		return -1;
	control_put_len(hdr, (uint32_t)strlen(request));
	if (!send_all(fd, hdr, 4, err) ||
	    !send_all(fd, request, strlen(request), err) ||
	    !recv_all(fd, hdr, 4, err))
		goto out;
	if ((len = control_get_len(hdr)) > CONTROL_MAX_REPLY) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
		    "%s: a reply of %u bytes, more than allowed", path, len);
		goto out;
	}
	text = g_malloc(len + 1);
	if (!recv_all(fd, text, len, err))
		goto out;
	text[len] = '\0';
	rc = split_reply(text, reply);
	if (rc == -1)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
		    "%s: a reply that is neither ok nor error", path);
out:
	g_free(text);
	close(fd);
	return rc;
}

/* Connected, with timeouts on both directions; -1 with err set. */
static int
dial(const char *path, int timeout, GError **err)
{
	struct sockaddr_un sun;
	struct timeval	 tv = { .tv_sec = timeout, .tv_usec = 0 };
	int		 fd, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
		    "%s: path too long for a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		e = errno;
		g_set_error(err, G_IO_ERROR, e == ENOENT || e == ECONNREFUSED ?
		    G_IO_ERROR_NOT_FOUND : g_io_error_from_errno(e),
		    "%s: %s", path, e == ENOENT || e == ECONNREFUSED ?
		    "recoursd is not running (nothing listens there)" :
		    g_strerror(e));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static gboolean
send_all(int fd, const void *buf, size_t len, GError **err)
{
	const char *p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "control socket: %s", g_strerror(errno));
			return FALSE;
		}
		p += n;
		len -= (size_t)n;
	}
	return TRUE;
}

static gboolean
recv_all(int fd, void *buf, size_t len, GError **err)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = recv(fd, p, len, 0)) == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(err, G_IO_ERROR, n == 0 ?
			    G_IO_ERROR_CONNECTION_CLOSED :
			    g_io_error_from_errno(errno), "control socket: %s",
			    n == 0 ? "recoursd closed the connection" :
			    errno == EAGAIN ? "recoursd did not answer in time" :
			    g_strerror(errno));
			return FALSE;
		}
		p += n;
		len -= (size_t)n;
	}
	return TRUE;
}

/* "ok\n..." is 1, "error\n..." is 0; *body is what follows; caller frees. */
static int
split_reply(char *text, char **body)
{
	char	*nl = strchr(text, '\n');
	int	 rc;

	if (nl != NULL)
		*nl = '\0';
	if (strcmp(text, "ok") == 0)
		rc = 1;
	else if (strcmp(text, "error") == 0)
		rc = 0;
	else
		return -1;
	*body = g_strdup(nl != NULL ? nl + 1 : "");
	return rc;
}
