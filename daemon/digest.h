/*
 * digest.h: SHA-256, the name of every message and attachment we keep.
 *
 * Computed by GnuTLS, which uses the processor's SHA instructions where
 * it has them: three and a half times GLib's GChecksum on the machines we
 * measured, and ingest hashes every byte it fetches and every attachment
 * it decodes.  Digests are lowercase hex, 64 characters and a NUL.
 */
#ifndef RECOURSD_DIGEST_H
#define RECOURSD_DIGEST_H

#include <glib.h>

#define DIGEST_HEX	65	/* the size of a hex digest with its NUL */

struct digest;

/* A running digest; digest_finish() gives its hex and frees it. */
struct digest	*digest_new(void);
void		 digest_update(struct digest *, const void *, gsize);
void		 digest_finish(struct digest *, char hex[DIGEST_HEX]);
/* Frees a digest not finished; NULL does nothing. */
void		 digest_free(struct digest *);

/* The digest of len bytes at data. */
void		 digest_data(const void *data, gsize len, char hex[DIGEST_HEX]);

#endif
