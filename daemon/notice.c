/*
 * notice.c: see notice.h.
 */
#include "config.h"

#include <string.h>

#include "notice.h"

#define MAC_LEN		16	/* hex digits of HMAC-SHA256 kept */
#define NONCE_LEN	8
/* A staff notice's local part, split: "n.REF.DAY.NONCE.MAC" (or v1). */
struct notice {
	char		**parts;
	const char	*ref;
	const char	*day;		/* NULL: the former form */
	const char	*nonce;
	const char	*mac;
};


static char	*notice_mac(const char *, const char *, const char *,
		    const char *, const char *);
static char	*notice_mac_v1(const char *, const char *, const char *);
static int64_t	 day_of(int64_t);
static gboolean	 all_of(const char *, size_t, const char *);
static gboolean	 notice_parse(const char *, struct notice *);
static void	 notice_clear(struct notice *);
static gboolean	 notice_key_ok(const char *, const struct notice *,
		    const char *);

/* 16 hex digits of HMAC-SHA256(key, "v2|REF|address|DAY|NONCE"). */
static char *
notice_mac(const char *key, const char *ref, const char *address,
    const char *day, const char *nonce)
{
	char	*r = g_ascii_strup(ref, -1), *a = g_ascii_strdown(address, -1);
	char	*n = g_ascii_strdown(nonce, -1), *input, *mac, *tok;

	input = g_strdup_printf("v2|%s|%s|%s|%s", r, a, day, n);
	mac = g_compute_hmac_for_string(G_CHECKSUM_SHA256, (const guchar *)key,
	    strlen(key), input, -1);
	tok = g_strndup(mac, MAC_LEN);
	g_free(mac);
	g_free(input);
	g_free(n);
	g_free(a);
	g_free(r);
	return tok;
}

/* The former token, HMAC(key, "REF|address"): only to say it expired. */
static char *
notice_mac_v1(const char *key, const char *ref, const char *address)
{
	char	*a = g_ascii_strdown(address, -1), *input, *mac, *tok;

	input = g_strdup_printf("%s|%s", ref, a);
	mac = g_compute_hmac_for_string(G_CHECKSUM_SHA256, (const guchar *)key,
	    strlen(key), input, -1);
	tok = g_strndup(mac, MAC_LEN);
	g_free(mac);
	g_free(input);
	g_free(a);
	return tok;
}

/* Days since 1970-01-01, UTC: the token's unit of time. */
static int64_t
day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* Whether s is 1 to max characters, all of them in set. */
static gboolean
all_of(const char *s, size_t max, const char *set)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= max && strspn(s, set) == n;
}

gboolean
notice_equal(const char *a, const char *b, size_t n)
{
	volatile unsigned char diff = 0;
	size_t	 i;

	/* No early exit: the time says nothing of where they differ. */
	for (i = 0; i < n; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

char *
notice_ids(const struct conf *c, const char *ref, const char *address,
    int64_t now, char **reply_to)
{
	const char	*at = strrchr(c->reply_address, '@');
	char		 day[24], nonce[NONCE_LEN + 1], *mac, *tok, *id;

	g_snprintf(day, sizeof(day), "%" G_GINT64_FORMAT, (gint64)day_of(now));
	g_snprintf(nonce, sizeof(nonce), "%08x", g_random_int());
	mac = notice_mac(c->staff_key, ref, address, day, nonce);
	tok = g_strdup_printf("n.%s.%s.%s.%s", ref, day, nonce, mac);
	id = g_strdup_printf("%s@%s", tok, c->org_domain);
	*reply_to = c->reply_subaddress && at != NULL ? g_strdup_printf(
	    "%.*s+%s%s", (int)(at - c->reply_address), c->reply_address, tok,
	    at) : NULL;
	g_free(tok);
	g_free(mac);
	return id;
}

/* Split local, "n.REF.DAY.NONCE.MAC" or the former "n.REF.MAC[.RANDOM]". */
static gboolean
notice_parse(const char *local, struct notice *n)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	guint	 k;

	memset(n, 0, sizeof(*n));
	n->parts = g_strsplit(local, ".", 6);
	k = g_strv_length(n->parts);
	if (k < 3 || k > 5 || g_ascii_strcasecmp(n->parts[0], "n") != 0 ||
	    !g_regex_match_simple("^[A-Za-z]{2,6}-[0-9]{4}-[0-9]{4,}$",
	    n->parts[1], 0, 0))
		return FALSE;
	n->ref = n->parts[1];
	if (k == 5) {
		n->day = n->parts[2];
		n->nonce = n->parts[3];
		n->mac = n->parts[4];
		return all_of(n->day, 7, "0123456789") &&
		    all_of(n->nonce, NONCE_LEN, hex) &&
		    strlen(n->mac) == MAC_LEN && all_of(n->mac, MAC_LEN, hex);
	}
	n->mac = n->parts[2];
	n->nonce = k == 4 ? n->parts[3] : NULL;
	return strlen(n->mac) == MAC_LEN && all_of(n->mac, MAC_LEN, hex);
}

static void
notice_clear(struct notice *n)
{
	g_strfreev(n->parts);
	memset(n, 0, sizeof(*n));
}

/* Whether n's MAC is key's for address: compared in constant time. */
static gboolean
notice_key_ok(const char *key, const struct notice *n, const char *address)
{
	char	*want, *got = g_ascii_strdown(n->mac, -1);
	gboolean ok;

	want = n->day != NULL ? notice_mac(key, n->ref, address, n->day,
	    n->nonce) : notice_mac_v1(key, n->ref, address);
	ok = notice_equal(want, got, MAC_LEN);
	g_free(want);
	g_free(got);
	return ok;
}

enum notice_token
notice_check(const struct conf *c, const char *local, const char *ref,
    const char *address, int64_t now)
{
	struct notice	 n;
	enum notice_token v = NOTICE_NONE;
	int64_t		 today = day_of(now), day;

	if (!notice_parse(local, &n) || g_ascii_strcasecmp(n.ref, ref) != 0)
		goto out;
	if (!notice_key_ok(c->staff_key, &n, address) &&
	    (c->staff_key_previous == NULL ||
	    today > c->staff_key_previous_until ||
	    !notice_key_ok(c->staff_key_previous, &n, address)))
		goto out;
	if (n.day == NULL) {
		v = NOTICE_EXPIRED;		/* the former form never expired */
		goto out;
	}
	day = g_ascii_strtoll(n.day, NULL, 10);
	if (day > today + 1)
		goto out;			/* from the future: forged */
	v = today - day >= c->staff_token_days ? NOTICE_EXPIRED : NOTICE_VALID;
out:
	notice_clear(&n);
	return v;
}

char *
notice_local(const struct conf *c, const char *id)
{
	const char	*at = id != NULL ? strrchr(id, '@') : NULL;

	if (at == NULL || c->org_domain == NULL ||
	    g_ascii_strcasecmp(at + 1, c->org_domain) != 0)
		return NULL;
	return g_strndup(id, (gsize)(at - id));
}

gboolean
notice_is_ours(const struct conf *c, const char *id)
{
	char		*local = notice_local(c, id);
	struct notice	 n;
	gboolean	 is;

	if (local == NULL)
		return FALSE;
	is = notice_parse(local, &n);
	notice_clear(&n);
	g_free(local);
	return is;
}

char *
notice_public_ids(const struct conf *c, const char *ids)
{
	GString		*out;
	GHashTable	*seen;
	char		**list, *local, *pub;
	struct notice	 n;
	guint		 i;

	if (ids == NULL)
		return NULL;
	out = g_string_new(NULL);
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	list = g_strsplit(ids, " ", -1);
	for (i = 0; list[i] != NULL; i++) {
		if (*list[i] == '\0')
			continue;
		local = notice_local(c, list[i]);
		if (local != NULL && notice_parse(local, &n))
			pub = g_strdup_printf("p.%s.%s@%s", n.ref, n.nonce != NULL ?
			    n.nonce : "0", c->org_domain);
		else
			pub = g_strdup(list[i]);
		if (local != NULL)
			notice_clear(&n);
		/* Twice the same notice is one public id. */
		if (g_hash_table_add(seen, pub))
			g_string_append_printf(out, "%s%s", out->len ? " " : "",
			    pub);
		g_free(local);
	}
	g_hash_table_unref(seen);
	g_strfreev(list);
	return g_string_free(out, FALSE);
}

gboolean
notice_id_for(const struct conf *c, const char *id, const char *address)
{
	char		*local = notice_local(c, id);
	struct notice	 n;
	gboolean	 ok = TRUE;

	if (local == NULL)
		return TRUE;
	if (notice_parse(local, &n))
		ok = n.day != NULL && c->staff_key != NULL &&
		    notice_key_ok(c->staff_key, &n, address);
	notice_clear(&n);
	g_free(local);
	return ok;
}
