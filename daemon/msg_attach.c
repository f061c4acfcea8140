/*
 * msg_attach.c: the content-addressed attachment store.
 *
 * Decoded bytes go through GMime's SHA-256 filter into a temporary file in
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

#include "msg_int.h"

#define MAX_NAME_BYTES	200

static gboolean	 store_stream(struct msg_walk *, GMimeDataWrapper *,
		    GMimeObject *, const void *, gsize, char *, gint64 *,
		    GError **);
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

/* Write one of (wrapper, object, bytes) to the store; digest and size. */
static gboolean
store_stream(struct msg_walk *w, GMimeDataWrapper *wrapper, GMimeObject *obj,
    const void *bytes, gsize len, char *sha256, gint64 *size, GError **err)
{
	GMimeStream	*file, *filtered;
	GMimeFilter	*sum;
	char		*tmp, *dir, *dst, *hex;
	char		 sub[3];
	gint64		 n;
	int		 fd;

	if (g_mkdir_with_parents(w->attach_dir, 0750) != 0)
		goto io_fail;
	tmp = g_build_filename(w->attach_dir, "tmp.XXXXXX", NULL);
	if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0640)) == -1) {
		g_free(tmp);
		goto io_fail;
	}
	file = g_mime_stream_fs_new(fd);
	filtered = g_mime_stream_filter_new(file);
	sum = g_mime_filter_checksum_new(G_CHECKSUM_SHA256);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), sum);
	if (wrapper != NULL)
		n = g_mime_data_wrapper_write_to_stream(wrapper, filtered);
	else if (obj != NULL)
		n = g_mime_object_write_to_stream(obj, NULL, filtered);
	else
		n = g_mime_stream_write(filtered, bytes, len);
	if (n >= 0 && g_mime_stream_flush(filtered) == -1)
		n = -1;
	hex = g_mime_filter_checksum_get_string(GMIME_FILTER_CHECKSUM(sum));
	g_object_unref(sum);
	g_object_unref(filtered);
	g_object_unref(file);	/* closes fd */
	if (n < 0) {
		g_unlink(tmp);
		g_free(tmp);
		g_free(hex);
		goto io_fail;
	}
	memcpy(sub, hex, 2);
	sub[2] = '\0';
	dir = g_build_filename(w->attach_dir, sub, NULL);
	dst = g_build_filename(dir, hex, NULL);
	g_mkdir_with_parents(dir, 0750);
	if (g_rename(tmp, dst) != 0) {
		g_unlink(tmp);
		n = -1;
	}
	g_strlcpy(sha256, hex, 65);
	*size = n;
	g_free(hex);
	g_free(dst);
	g_free(dir);
	g_free(tmp);
	if (n < 0)
		goto io_fail;
	return TRUE;
io_fail:
	g_set_error(err, MSG_ERROR, 1, "cannot store an attachment in %s: %s",
	    w->attach_dir, g_strerror(errno));
	return FALSE;
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
