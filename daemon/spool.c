/*
 * spool.c: see spool.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "spool.h"

struct spool_writer {
	char		*spool;
	char		*tmp;
	int		 fd;
	struct digest	*sum;
	int64_t		 size;
};

static gboolean	 io_fail(GError **, const char *, const char *);
static gboolean	 mkdir_p(const char *, GError **);
static gboolean	 fsync_dir(const char *, GError **);

static gboolean
io_fail(GError **err, const char *what, const char *path)
{
	int	 e = errno;

	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s %s: %s",
	    what, path, g_strerror(e));
	return FALSE;
}

static gboolean
mkdir_p(const char *path, GError **err)
{
	if (g_mkdir_with_parents(path, 0750) != 0)
		return io_fail(err, "cannot create", path);
	return TRUE;
}

static gboolean
fsync_dir(const char *dir, GError **err)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return io_fail(err, "cannot open", dir);
	if (fsync(fd) == -1) {
		io_fail(err, "cannot fsync", dir);
		close(fd);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

gboolean
spool_init(const char *spool, GError **err)
{
	static const char *const sub[] = { "tmp", "raw", "attachments" };
	gboolean	 ok = TRUE;
	size_t		 i;

	for (i = 0; ok && i < G_N_ELEMENTS(sub); i++) {
		char	*p = g_build_filename(spool, sub[i], NULL);

		ok = mkdir_p(p, err);
		g_free(p);
	}
	return ok;
}

char *
spool_raw_path(const char *spool, const char *sha256)
{
	char	 sub[3] = { sha256[0], sha256[1], '\0' };

	return g_build_filename(spool, "raw", sub, sha256, NULL);
}

char *
spool_attachment_dir(const char *spool)
{
	return g_build_filename(spool, "attachments", NULL);
}

struct spool_writer *
spool_writer_new(const char *spool, GError **err)
{
	struct spool_writer *w;

	w = g_new0(struct spool_writer, 1);
	w->spool = g_strdup(spool);
	w->tmp = g_build_filename(spool, "tmp", "raw.XXXXXX", NULL);
	w->fd = g_mkstemp_full(w->tmp, O_RDWR | O_CLOEXEC, 0640);
	if (w->fd == -1) {
		io_fail(err, "cannot create", w->tmp);
		g_free(w->tmp);
		w->tmp = NULL;
		spool_writer_abort(w);
		return NULL;
	}
	w->sum = digest_new();
	return w;
}

gboolean
spool_writer_write(struct spool_writer *w, const void *buf, size_t len,
    GError **err)
{
	const char	*p = buf;
	ssize_t		 n;

	digest_update(w->sum, buf, len);
	w->size += (int64_t)len;
	while (len > 0) {
		if ((n = write(w->fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return io_fail(err, "cannot write", w->tmp);
		}
		p += n;
		len -= (size_t)n;
	}
	return TRUE;
}

gboolean
spool_durable_rename(int fd, const char *tmp, const char *dst, GError **err)
{
	char		*dir;
	gboolean	 ok;

	if (fsync(fd) == -1)
		return io_fail(err, "cannot fsync", tmp);
	dir = g_path_get_dirname(dst);
	ok = mkdir_p(dir, err);
	if (ok && rename(tmp, dst) == -1)
		ok = io_fail(err, "cannot rename to", dst);
	if (ok)
		ok = fsync_dir(dir, err);
	g_free(dir);
	return ok;
}

gboolean
spool_writer_commit(struct spool_writer *w, char *sha256_out,
    int64_t *size_out, GError **err)
{
	char		*dst;
	gboolean	 ok;

	digest_finish(w->sum, sha256_out);
	w->sum = NULL;
	if (size_out != NULL)
		*size_out = w->size;
	dst = spool_raw_path(w->spool, sha256_out);
	ok = spool_durable_rename(w->fd, w->tmp, dst, err);
	g_free(dst);
	if (ok) {
		g_free(w->tmp);
		w->tmp = NULL;	/* renamed: nothing to unlink */
	}
	spool_writer_abort(w);
	return ok;
}

void
spool_writer_abort(struct spool_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	if (w->tmp != NULL)
		unlink(w->tmp);
	digest_free(w->sum);
	g_free(w->tmp);
	g_free(w->spool);
	g_free(w);
}

gboolean
spool_put(const char *spool, const void *buf, size_t len, char *sha256_out,
    GError **err)
{
	struct spool_writer *w;

	if ((w = spool_writer_new(spool, err)) == NULL)
		return FALSE;
	if (!spool_writer_write(w, buf, len, err)) {
		spool_writer_abort(w);
		return FALSE;
	}
	return spool_writer_commit(w, sha256_out, NULL, err);
}

void
spool_remove_tree(const char *path)
{
	GDir		*d;
	const char	*name;

	if ((d = g_dir_open(path, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char	*p = g_build_filename(path, name, NULL);

			spool_remove_tree(p);
			g_free(p);
		}
		g_dir_close(d);
	}
	remove(path);
}
