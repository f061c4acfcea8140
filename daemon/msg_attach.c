/*
 * msg_attach.c: the content-addressed attachment store.
 *
 * Decoded bytes are hashed (digest.h) and written to a temporary file in
 * the store, which is then renamed to DIR/ab/<digest>; the same content is
 * stored once.  No fsync here: every attachment can be made again from
 * the raw message, which is durable before the row that names it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "msg_int.h"

#define MAX_NAME_BYTES	200

static gboolean	 store_stream(struct msg_walk *, GMimeDataWrapper *,
		    GMimeObject *, const void *, gsize, char *, gint64 *,
		    GError **);
static gboolean	 publish(const char *, const char *);
static gint64	 write_content(GMimeStream *, GMimeDataWrapper *,
		    GMimeObject *);
static gboolean	 hash_fd(int, char *);
static gboolean	 store_small(struct msg_walk *, GMimeDataWrapper *,
		    GMimeObject *, const void *, gsize, char *, gint64 *);
static gboolean	 store_big(struct msg_walk *, GMimeDataWrapper *,
		    GMimeObject *, char *, gint64 *);
static void	 add(struct msg_walk *, const char *, const char *,
		    gboolean, const char *, gint64);

/*
 * No path separators, control characters or leading dots; bounded length
 * (cut on a character boundary); never empty.
 */
char *
msg_safe_filename(const char *name)
{
	GString		*s = g_string_new(NULL);
	char		*valid;
	const char	*p;

	valid = g_utf8_make_valid(name != NULL ? name : "", -1);
	for (p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f ||
		    (c >= 0x80 && c < 0xa0) || c == ':' || c == '\0')
			c = '_';
		if (s->len == 0 && (c == '.' || g_unichar_isspace(c)))
			continue;
		if (s->len + 6 > MAX_NAME_BYTES)
			break;
		g_string_append_unichar(s, c);
	}
	g_free(valid);
	while (s->len > 0 && (s->str[s->len - 1] == ' ' ||
	    s->str[s->len - 1] == '.'))
		g_string_truncate(s, s->len - 1);
	if (s->len == 0)
		g_string_assign(s, "attachment");
	return g_string_free(s, FALSE);
}

/* Below this, decoded content is hashed in memory before any file. */
#define SMALL_ATTACHMENT	(1 << 20)

char *
msg_attachment_path(const char *dir, const char *hex)
{
	char	 sub[3] = { hex[0], hex[1], '\0' };

	return g_build_filename(dir, sub, hex, NULL);
}

/*
 * Give tmp its final name; the two-level directory is made on demand.
 * Content already there (the name is its digest) is left alone: a rename
 * over a file makes ext4 write the new one out at once (auto_da_alloc).
 */
static gboolean
publish(const char *tmp, const char *dst)
{
	char	*dir;

	if (g_file_test(dst, G_FILE_TEST_EXISTS)) {
		g_unlink(tmp);
		return TRUE;
	}
	if (g_rename(tmp, dst) == 0)
		return TRUE;
	if (errno == ENOENT) {
		dir = g_path_get_dirname(dst);
		g_mkdir_with_parents(dir, 0750);
		g_free(dir);
		if (g_rename(tmp, dst) == 0)
			return TRUE;
	}
	g_unlink(tmp);
	return FALSE;
}

/* Decode one of (wrapper, obj) into out; the decoded size, or -1. */
static gint64
write_content(GMimeStream *out, GMimeDataWrapper *wrapper, GMimeObject *obj)
{
	gint64	 n;

	if (wrapper != NULL)
		n = g_mime_data_wrapper_write_to_stream(wrapper, out);
	else
		n = g_mime_object_write_to_stream(obj, NULL, out);
	if (n >= 0 && g_mime_stream_flush(out) == -1)
		n = -1;
	return n;
}

/* The digest of what the file fd holds, read again from its start. */
static gboolean
hash_fd(int fd, char *sha256)
{
	struct digest	*d;
	char		 buf[65536];
	ssize_t		 n;

	if (lseek(fd, 0, SEEK_SET) == -1)
		return FALSE;
	d = digest_new();
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n == -1 &&
	    errno == EINTR))
		if (n > 0)
			digest_update(d, buf, (gsize)n);
	if (n < 0) {
		digest_free(d);
		return FALSE;
	}
	digest_finish(d, sha256);
	return TRUE;
}

/* Small content: hashed in memory; a file is written only if it is new. */
static gboolean
store_small(struct msg_walk *w, GMimeDataWrapper *wrapper, GMimeObject *obj,
    const void *bytes, gsize len, char *sha256, gint64 *size)
{
	GMimeStream	*mem = NULL;
	GByteArray	*data;
	char		*dst, *tmp;
	gboolean	 ok = TRUE;
	int		 fd;

	if (bytes == NULL) {
		mem = g_mime_stream_mem_new();
		if ((*size = write_content(mem, wrapper, obj)) < 0) {
			g_object_unref(mem);
			return FALSE;
		}
		data = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		bytes = data->data;
		len = data->len;
	}
	*size = (gint64)len;
	digest_data(bytes, len, sha256);
	dst = msg_attachment_path(w->attach_dir, sha256);
	if (!g_file_test(dst, G_FILE_TEST_EXISTS)) {
		tmp = g_build_filename(w->attach_dir, "tmp.XXXXXX", NULL);
		ok = (fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0640)) != -1 &&
		    (len == 0 || write(fd, bytes, len) == (ssize_t)len);
		if (fd != -1)
			close(fd);
		ok = ok && publish(tmp, dst);
		if (!ok)
			g_unlink(tmp);
		g_free(tmp);
	}
	g_free(dst);
	if (mem != NULL)
		g_object_unref(mem);
	return ok;
}

/*
 * Big content: decoded into a temporary file, memory stays flat, then
 * hashed from it (GMime's checksum filter uses GLib's slower SHA-256).
 * Written through a pipe stream: a file stream's flush is an fsync, and
 * an attachment can always be made again from its message.
 */
static gboolean
store_big(struct msg_walk *w, GMimeDataWrapper *wrapper, GMimeObject *obj,
    char *sha256, gint64 *size)
{
	GMimeStream	*out;
	char		*tmp, *dst;
	gboolean	 ok;
	int		 fd;

	tmp = g_build_filename(w->attach_dir, "tmp.XXXXXX", NULL);
	if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0640)) == -1) {
		g_free(tmp);
		return FALSE;
	}
	out = g_mime_stream_pipe_new(fd);
	g_mime_stream_pipe_set_owner(GMIME_STREAM_PIPE(out), FALSE);
	*size = write_content(out, wrapper, obj);
	g_object_unref(out);
	ok = *size >= 0 && hash_fd(fd, sha256);
	close(fd);
	if (ok) {
		dst = msg_attachment_path(w->attach_dir, sha256);
		ok = publish(tmp, dst);
		g_free(dst);
	}
	if (!ok)
		g_unlink(tmp);
	g_free(tmp);
	return ok;
}

/* Store one of (wrapper, object, bytes); its digest and decoded size. */
static gboolean
store_stream(struct msg_walk *w, GMimeDataWrapper *wrapper, GMimeObject *obj,
    const void *bytes, gsize len, char *sha256, gint64 *size, GError **err)
{
	gint64	 encoded = (gint64)len;
	gboolean ok;

	if (wrapper != NULL)
		encoded = g_mime_stream_length(
		    g_mime_data_wrapper_get_stream(wrapper));
	/* An attached message has no cheap size: it is always streamed. */
	if (bytes != NULL || (wrapper != NULL && encoded >= 0 &&
	    encoded < SMALL_ATTACHMENT))
		ok = store_small(w, wrapper, obj, bytes, len, sha256, size);
	else
		ok = store_big(w, wrapper, obj, sha256, size);
	if (!ok)
		g_set_error(err, MSG_ERROR, 1, "cannot store an attachment in "
		    "%s: %s", w->attach_dir, g_strerror(errno));
	return ok;
}

static void
add(struct msg_walk *w, const char *name, const char *type,
    gboolean from_tnef, const char *sha256, gint64 size)
{
	struct msg_attachment *a = g_new0(struct msg_attachment, 1);

	a->filename = msg_safe_filename(name);
	a->content_type = g_ascii_strdown(type != NULL ? type :
	    "application/octet-stream", -1);
	a->size = size;
	g_strlcpy(a->sha256, sha256, sizeof(a->sha256));
	a->from_tnef = from_tnef;
	a->nested = w->nested > 0;
	g_ptr_array_add(w->m->attachments, a);
}

gboolean
msg_attach_wrapper(struct msg_walk *w, GMimeDataWrapper *content,
    const char *name, const char *type, gboolean from_tnef, GError **err)
{
	char	 sha[65];
	gint64	 size;

	if (!store_stream(w, content, NULL, NULL, 0, sha, &size, err))
		return FALSE;
	add(w, name, type, from_tnef, sha, size);
	return TRUE;
}

gboolean
msg_attach_bytes(struct msg_walk *w, const void *bytes, gsize len,
    const char *name, const char *type, gboolean from_tnef, GError **err)
{
	char	 sha[65];
	gint64	 size;

	if (!store_stream(w, NULL, NULL, bytes, len, sha, &size, err))
		return FALSE;
	add(w, name, type, from_tnef, sha, size);
	return TRUE;
}

gboolean
msg_attach_object(struct msg_walk *w, GMimeObject *obj, const char *name,
    GError **err)
{
	char	 sha[65];
	gint64	 size;

	if (!store_stream(w, NULL, obj, NULL, 0, sha, &size, err))
		return FALSE;
	add(w, name, "message/rfc822", FALSE, sha, size);
	return TRUE;
}
