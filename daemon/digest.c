/*
 * digest.c: see digest.h.
 */
#include "config.h"

#include <gnutls/crypto.h>

#include "digest.h"

#define SHA256_BYTES	32

struct digest {
	gnutls_hash_hd_t	 h;
};

/*
 * GnuTLS fails to start a hash only when out of memory or in a FIPS mode
 * that forbids SHA-256: neither leaves anything sensible to do.
 */
struct digest *
digest_new(void)
{
	struct digest	*d = g_new0(struct digest, 1);

	if (gnutls_hash_init(&d->h, GNUTLS_DIG_SHA256) < 0)
		g_error("digest: GnuTLS cannot compute SHA-256");
	return d;
}

void
digest_update(struct digest *d, const void *data, gsize len)
{
	if (len > 0)
		gnutls_hash(d->h, data, len);
}

static void
to_hex(const unsigned char *bin, char hex[DIGEST_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int	 i;

	for (i = 0; i < SHA256_BYTES; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 0x0f];
	}
	hex[2 * SHA256_BYTES] = '\0';
}

void
digest_finish(struct digest *d, char hex[DIGEST_HEX])
{
	unsigned char	 bin[SHA256_BYTES];

	gnutls_hash_deinit(d->h, bin);
	g_free(d);
	to_hex(bin, hex);
}

void
digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	gnutls_hash_deinit(d->h, NULL);
	g_free(d);
}

void
digest_data(const void *data, gsize len, char hex[DIGEST_HEX])
{
	unsigned char	 bin[SHA256_BYTES];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, len > 0 ? data : "", len,
	    bin) < 0)
		g_error("digest: GnuTLS cannot compute SHA-256");
	to_hex(bin, hex);
}
