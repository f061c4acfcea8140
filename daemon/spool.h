/*
 * spool.h: the on-disk spool, content-addressed by SHA-256.
 *
 * Raw messages live in SPOOL/raw/ab/abcdef..., written through the one
 * durable-write path: a temporary file in SPOOL/tmp, fsync, rename, fsync
 * of the directory.  A file is complete before the database row that
 * names it is committed, so a crash leaves at worst an unreferenced file,
 * never a row without its bytes.  Same bytes, same name: writing twice is
 * harmless.
 */
#ifndef RECOURSD_SPOOL_H
#define RECOURSD_SPOOL_H

#include <glib.h>
#include <stdint.h>

struct spool_writer;

/* Create SPOOL/tmp, SPOOL/raw and SPOOL/attachments as needed. */
gboolean	 spool_init(const char *spool, GError **);

/* Start a raw message; caller finishes with _commit or _abort. */
struct spool_writer *spool_writer_new(const char *spool, GError **);
gboolean	 spool_writer_write(struct spool_writer *, const void *, size_t,
		    GError **);
/*
 * Make it durable under its digest.  sha256_out gets 65 bytes (hex, NUL);
 * size_out the byte count.  Frees the writer whatever happens.
 */
gboolean	 spool_writer_commit(struct spool_writer *, char *sha256_out,
		    int64_t *size_out, GError **);
void		 spool_writer_abort(struct spool_writer *);

/* The whole of buf, in one call. */
gboolean	 spool_put(const char *spool, const void *buf, size_t len,
		    char *sha256_out, GError **);

/* Path of a stored raw message; caller frees. */
char		*spool_raw_path(const char *spool, const char *sha256);
/* Path of the attachment store, given to msg_parse_file(); caller frees. */
char		*spool_attachment_dir(const char *spool);

/* Remove path and, if it is a directory, everything under it. */
void		 spool_remove_tree(const char *path);

/* rename(2) made durable: fsync the file first and the directory after. */
gboolean	 spool_durable_rename(int fd, const char *tmp, const char *dst,
		    GError **);

#endif
