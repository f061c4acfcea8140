/*
 * tls.c: see tls.h.  The recipe is in shared/research/idioms.md §2.1.
 */
#include "config.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "tls.h"

struct tls_trust {
	gnutls_x509_trust_list_t list;
	char			*source;	/* for messages */
};

static gboolean	 is_ip_literal(const char *);
static int	 import_chain(carray *, gnutls_x509_crt_t *, unsigned int);

static GQuark
tls_quark(void)
{
	return g_quark_from_static_string("recoursd-tls");
}

struct tls_trust *
tls_trust_new(const char *ca_file, GError **err)
{
	struct tls_trust *t;
	int		 n;

	gnutls_global_init();
	t = g_new0(struct tls_trust, 1);
	if (gnutls_x509_trust_list_init(&t->list, 0) < 0)
		goto fail;
	if (ca_file != NULL) {
		t->source = g_strdup(ca_file);
		n = gnutls_x509_trust_list_add_trust_file(t->list, ca_file,
		    NULL, GNUTLS_X509_FMT_PEM, 0, 0);
	} else {
		t->source = g_strdup("the system trust store");
		n = gnutls_x509_trust_list_add_system_trust(t->list, 0, 0);
	}
	if (n <= 0) {
		g_set_error(err, tls_quark(), 0, "%s: no CA certificate could "
		    "be loaded%s%s", t->source, n < 0 ? ": " : "",
		    n < 0 ? gnutls_strerror(n) : "");
		tls_trust_free(t);
		return NULL;
	}
	return t;
fail:
	g_set_error(err, tls_quark(), 0, "cannot create a trust list");
	tls_trust_free(t);
	return NULL;
}

void
tls_trust_free(struct tls_trust *t)
{
	if (t == NULL)
		return;
	if (t->list != NULL)
		gnutls_x509_trust_list_deinit(t->list, 1);
	g_free(t->source);
	g_free(t);
	gnutls_global_deinit();
}

/* RFC 6066 forbids an IP address as SNI. */
static gboolean
is_ip_literal(const char *host)
{
	unsigned char	 buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

void
tls_sni_callback(struct mailstream_ssl_context *ctx, void *data)
{
	const char	*host = data;

	if (host != NULL && !is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, (char *)host);
}

/* DER certificates, leaf first, into certs; returns how many, or -1. */
static int
import_chain(carray *chain, gnutls_x509_crt_t *certs, unsigned int max)
{
	unsigned int	 i, n = carray_count(chain);

	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		MMAPString	*der = carray_get(chain, i);
		gnutls_datum_t	 d = { (unsigned char *)der->str,
		    (unsigned int)der->len };

		if (gnutls_x509_crt_init(&certs[i]) < 0 ||
		    gnutls_x509_crt_import(certs[i], &d,
		    GNUTLS_X509_FMT_DER) < 0) {
			if (certs[i] != NULL)
				gnutls_x509_crt_deinit(certs[i]);
			certs[i] = NULL;
			return -1;
		}
	}
	return (int)n;
}

gboolean
tls_verify_stream(const struct tls_trust *t, mailstream *s, const char *host,
    GError **err)
{
	gnutls_x509_crt_t certs[16];
	gnutls_typed_vdata_st data[2];
	gnutls_datum_t	 why = { NULL, 0 };
	carray		*chain;
	unsigned int	 status = 0;
	int		 n, i, rc;

	memset(certs, 0, sizeof(certs));
	chain = mailstream_get_certificate_chain(s);
	if (chain == NULL || carray_count(chain) == 0) {
		if (chain != NULL)
			mailstream_certificate_chain_free(chain);
		g_set_error(err, tls_quark(), 0, "%s: the server sent no "
		    "certificate", host);
		return FALSE;
	}
	n = import_chain(chain, certs, G_N_ELEMENTS(certs));
	mailstream_certificate_chain_free(chain);
	if (n <= 0) {
		g_set_error(err, tls_quark(), 0, "%s: the server's certificate "
		    "cannot be read", host);
		goto out;
	}
	memset(data, 0, sizeof(data));
	data[0].type = GNUTLS_DT_DNS_HOSTNAME;
	data[0].data = (unsigned char *)host;
	data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	data[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	rc = gnutls_x509_trust_list_verify_crt2(t->list, certs, (unsigned)n,
	    data, 2, 0, &status, NULL);
	if (rc < 0 || status != 0) {
		if (rc >= 0)
			gnutls_certificate_verification_status_print(status,
			    GNUTLS_CRT_X509, &why, 0);
		g_set_error(err, tls_quark(), 0, "%s: certificate not trusted "
		    "(checked against %s): %s", host, t->source,
		    rc < 0 ? gnutls_strerror(rc) : (const char *)why.data);
		gnutls_free(why.data);
		n = -n;
	}
out:
	for (i = 0; i < (int)G_N_ELEMENTS(certs); i++)
		if (certs[i] != NULL)
			gnutls_x509_crt_deinit(certs[i]);
	return n > 0;
}
