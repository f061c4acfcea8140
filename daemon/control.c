/*
 * control.c: see control.h.  Plain non-blocking sockets watched by GLib
 * sources: a client costs its request buffer (CONTROL_MAX_REQUEST), its
 * reply and two sources, and there are at most MAX_CLIENTS of them.
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "control_proto.h"
#include "log.h"

#define MAX_CLIENTS	16
#define ACCEPT_PAUSE	1	/* s without accepting when out of fds */

struct control {
	int		 fd;
	guint		 watch;		/* accepting; 0 while paused */
	char		*path;
	gid_t		 gid;		/* may connect, besides root and us */
	control_fn	*fn;
	void		*data;
	GList		*clients;
};

struct client {
	struct control	*ctl;
	int		 fd;
	guint		 watch;		/* reading, then writing */
	guint		 timeout;
	uint8_t		 in[4 + CONTROL_MAX_REQUEST];
	size_t		 got;
	char		*out;		/* the reply frame */
	size_t		 len, sent;
};

static int	 listen_at(const char *, GError **);
static gid_t	 group_id(const char *);
static gboolean	 on_accept(gint, GIOCondition, gpointer);
static gboolean	 on_resume(gpointer);
static void	 client_new(struct control *, int);
static gboolean	 peer_allowed(const struct control *, int, uid_t *);
static gboolean	 on_read(gint, GIOCondition, gpointer);
static gboolean	 on_write(gint, GIOCondition, gpointer);
static gboolean	 on_timeout(gpointer);
static void	 answer(struct client *);
static gboolean	 printable(const char *, size_t);
static void	 reply(struct client *, gboolean, const char *);
static void	 client_free(struct client *);

struct control *
control_start(const char *path, const char *group, control_fn *fn,
    void *data, GError **err)
{
	struct control	*ctl;
	int		 fd;

	if ((fd = listen_at(path, err)) == -1)
		return NULL;
	ctl = g_new0(struct control, 1);
	ctl->fd = fd;
	ctl->path = g_strdup(path);
	ctl->fn = fn;
	ctl->data = data;
	ctl->gid = group_id(group);
	if (chown(path, (uid_t)-1, ctl->gid) == -1 || chmod(path, 0660) == -1)
		log_warn("control: %s", path);
	ctl->watch = g_unix_fd_add(fd, G_IO_IN, on_accept, ctl);
	return ctl;
}

void
control_stop(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->clients != NULL)
		client_free(ctl->clients->data);
	if (ctl->watch != 0)
		g_source_remove(ctl->watch);
	close(ctl->fd);
	unlink(ctl->path);
	g_free(ctl->path);
	g_free(ctl);
}

/*
 * A socket left by a daemon that died is removed; one that answers is
 * another daemon's, and stays.  Created 0660 at once (umask), so that no
 * one slips in before the chmod.
 */
static int
listen_at(const char *path, GError **err)
{
	struct sockaddr_un sun;
	mode_t		 old;
	int		 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
		    "control: %s: path too long for a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
		    "control: %s: another recoursd answers there", path);
		return -1;
	}
	(void)unlink(path);
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1 || listen(fd, MAX_CLIENTS) == -1)
		goto fail;
	return fd;
fail:
	g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
	    "control: %s: %s", path, g_strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

static gid_t
group_id(const char *name)
{
	struct group	*gr;

	if (name != NULL && (gr = getgrnam(name)) != NULL)
		return gr->gr_gid;
	log_info("control: no group \"%s\"; the socket is for the daemon's "
	    "own group", name != NULL ? name : "");
	return getegid();
}

static gboolean
on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct control	*ctl = data;
	int		 c;

	(void)cond;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	    -1)
		client_new(ctl, c);
	if (errno == EMFILE || errno == ENFILE) {
		/* Level-triggered: pause, or the loop would spin. */
		log_warn("control: accept");
		ctl->watch = 0;
		g_timeout_add_seconds(ACCEPT_PAUSE, on_resume, ctl);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
on_resume(gpointer data)
{
	struct control	*ctl = data;

	ctl->watch = g_unix_fd_add(ctl->fd, G_IO_IN, on_accept, ctl);
	return G_SOURCE_REMOVE;
}

static void
client_new(struct control *ctl, int fd)
{
	struct client	*c = g_new0(struct client, 1);
	uid_t		 uid = (uid_t)-1;

	c->ctl = ctl;
	c->fd = fd;
	ctl->clients = g_list_prepend(ctl->clients, c);
	c->timeout = g_timeout_add_seconds(CONTROL_TIMEOUT, on_timeout, c);
	if (g_list_length(ctl->clients) > MAX_CLIENTS) {
		log_warnx("control: more than %d clients at once; one refused",
		    MAX_CLIENTS);
		reply(c, FALSE, "busy: too many clients, try again");
	} else if (!peer_allowed(ctl, fd, &uid)) {
		log_warnx("control: uid %ld may not use the control socket",
		    (long)uid);
		reply(c, FALSE, "permission denied");
	} else
		c->watch = g_unix_fd_add(fd, G_IO_IN, on_read, c);
}

/*
 * Root, our own user, and the socket's group (primary or as a member):
 * the file's mode already says so, this holds if the mode is changed.
 */
static gboolean
peer_allowed(const struct control *ctl, int fd, uid_t *uid)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);
	struct passwd	*pw;
	struct group	*gr;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return FALSE;
	*uid = cr.uid;
	if (cr.uid == 0 || cr.uid == geteuid() || cr.gid == ctl->gid)
		return TRUE;
	if ((pw = getpwuid(cr.uid)) == NULL || (gr = getgrgid(ctl->gid)) ==
	    NULL)
		return FALSE;
	return gr->gr_mem != NULL && g_strv_contains((const char *const *)
	    gr->gr_mem, pw->pw_name);
}

/* The length, then the request; an error as soon as it cannot be one. */
static gboolean
on_read(gint fd, GIOCondition cond, gpointer data)
{
	struct client	*c = data;
	size_t		 want;
	ssize_t		 n;

	(void)cond;
	want = c->got < 4 ? 4 : 4 + control_get_len(c->in);
	n = read(fd, c->in + c->got, want - c->got);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		c->watch = 0;
		client_free(c);
		return G_SOURCE_REMOVE;
	}
	c->got += (size_t)n;
	if (c->got == 4 && (control_get_len(c->in) == 0 ||
	    control_get_len(c->in) > CONTROL_MAX_REQUEST)) {
		c->watch = 0;
		reply(c, FALSE, "request too large (or empty)");
		return G_SOURCE_REMOVE;
	}
	if (c->got < 4 || c->got < 4 + control_get_len(c->in))
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	answer(c);
	return G_SOURCE_REMOVE;
}

static void
answer(struct client *c)
{
	char		 req[CONTROL_MAX_REQUEST + 1];
	size_t		 len = c->got - 4;
	gboolean	 ok;
	char		*text;

	memcpy(req, c->in + 4, len);
	req[len] = '\0';
	if (!printable(req, len)) {
		reply(c, FALSE, "not a request");
		return;
	}
	text = c->ctl->fn(req, &ok, c->ctl->data);
	reply(c, ok, text);
	g_free(text);
}

static gboolean
printable(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return FALSE;
	return TRUE;
}

/* Frame "ok" or "error" and text, and send it; closed once sent. */
static void
reply(struct client *c, gboolean ok, const char *text)
{
	GString	*s = g_string_new(NULL);
	uint8_t	 hdr[4];

	g_string_append_printf(s, "%s\n%s", ok ? "ok" : "error", text);
	if (s->len > CONTROL_MAX_REPLY)
		g_string_truncate(s, CONTROL_MAX_REPLY);
	control_put_len(hdr, (uint32_t)s->len);
	g_string_prepend_len(s, (const char *)hdr, 4);
	/* The time to ask is spent; now as long to read the reply. */
	if (c->timeout != 0)
		g_source_remove(c->timeout);
	c->timeout = g_timeout_add_seconds(CONTROL_TIMEOUT, on_timeout, c);
	c->len = s->len;
	c->out = g_string_free(s, FALSE);
	c->watch = g_unix_fd_add(c->fd, G_IO_OUT, on_write, c);
}

static gboolean
on_write(gint fd, GIOCondition cond, gpointer data)
{
	struct client	*c = data;
	ssize_t		 n;

	(void)cond;
	n = send(fd, c->out + c->sent, c->len - c->sent, MSG_NOSIGNAL);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0 && (c->sent += (size_t)n) < c->len)
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	client_free(c);
	return G_SOURCE_REMOVE;
}

/* Said nothing, or does not read its reply: dropped. */
static gboolean
on_timeout(gpointer data)
{
	struct client	*c = data;

	log_debug("control: a client timed out");
	c->timeout = 0;
	client_free(c);
	return G_SOURCE_REMOVE;
}

static void
client_free(struct client *c)
{
	c->ctl->clients = g_list_remove(c->ctl->clients, c);
	if (c->watch != 0)
		g_source_remove(c->watch);
	if (c->timeout != 0)
		g_source_remove(c->timeout);
	close(c->fd);
	g_free(c->out);
	g_free(c);
}
