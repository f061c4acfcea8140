/*
 * tls.h: certificate checks that Debian's libetpan leaves to us.
 *
 * libetpan 1.9.4 built with GnuTLS completes any handshake and verifies
 * neither the chain nor the host name.  After the handshake, and before
 * any password is sent, tls_verify_stream() checks the peer's chain
 * against a trust list (the system store or a configured CA file) with
 * the host name and the TLS server purpose; on implicit TLS and after
 * STARTTLS alike (mailcore2's CVE-2021-26911 was the STARTTLS path).
 */
#ifndef RECOURSD_TLS_H
#define RECOURSD_TLS_H

#include <glib.h>
#include <libetpan/libetpan.h>

struct tls_trust;

/* ca_file NULL: the system trust store.  Free with tls_trust_free(). */
struct tls_trust *tls_trust_new(const char *ca_file, GError **);
void		 tls_trust_free(struct tls_trust *);

/* Callback for the *_with_callback connects: sets SNI to data (a host). */
void		 tls_sni_callback(struct mailstream_ssl_context *, void *);

/* TRUE only if the peer's chain verifies for host; else a clear reason. */
gboolean	 tls_verify_stream(const struct tls_trust *, mailstream *,
		    const char *host, GError **);

#endif
