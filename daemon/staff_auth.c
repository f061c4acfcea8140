/*
 * staff_auth.c: see staff_auth.h.
 */
#include "config.h"

#include <string.h>

#include "staff_auth.h"

/* Debian's publicsuffix package. */
#define PSL_PATH	"/usr/share/publicsuffix/public_suffix_list.dat"

static GPtrArray *candidates(const struct conf *, const struct msg *);
static void	 subaddresses(const struct msg *, GPtrArray *);
static char	*ar_uncomment(const char *);
static GPtrArray *ar_split(const char *);
static GPtrArray *ar_pairs(const char *);
static const char *ar_prop(GPtrArray *, const char *);
static gboolean	 ar_resinfo_pass(GPtrArray *, const char *);
static gboolean	 ar_header_pass(const struct conf *, const char *,
		    const char *);
static const char *domain_of(const char *);
static GHashTable *psl(void);
static gboolean	 psl_has(GHashTable *, const char *, const char *);
static const char *org_domain(GHashTable *, const char *);

/*
 * The local parts that may hold m's token: In-Reply-To and References
 * at our domain, and with reply_subaddress the subaddress it was sent
 * to.  g_ptr_array_unref.
 */
static GPtrArray *
candidates(const struct conf *c, const struct msg *m)
{
	GPtrArray	*out = g_ptr_array_new_with_free_func(g_free);
	char		*local;
	guint		 i;

	if ((local = notice_local(c, m->in_reply_to)) != NULL)
		g_ptr_array_add(out, local);
	for (i = 0; i < m->references->len; i++)
		if ((local = notice_local(c, g_ptr_array_index(m->references,
		    i))) != NULL)
			g_ptr_array_add(out, local);
	if (c->reply_subaddress)
		subaddresses(m, out);
	return out;
}

/* The "n...." after '+' in m's recipients, added to out. */
static void
subaddresses(const struct msg *m, GPtrArray *out)
{
	static const char *const fields[] = { "To", "Cc", "Delivered-To",
	    "X-Original-To" };
	static GRegex	*re;
	GMatchInfo	*mi;
	size_t		 k;
	guint		 i;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, g_regex_new("\\+(n\\.[A-Za-z0-9.-]+)@",
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL));
	for (k = 0; k < G_N_ELEMENTS(fields); k++) {
		GPtrArray *values = msg_header_all(m, fields[k]);

		for (i = 0; i < values->len; i++) {
			g_regex_match(re, g_ptr_array_index(values, i), 0, &mi);
			for (; g_match_info_matches(mi);
			    g_match_info_next(mi, NULL))
				g_ptr_array_add(out, g_match_info_fetch(mi, 1));
			g_match_info_free(mi);
		}
		g_ptr_array_unref(values);
	}
}

static const char *
domain_of(const char *address)
{
	const char	*at = address != NULL ? strrchr(address, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

enum staff_auth
staff_authenticate(const struct conf *c, const struct msg *m,
    const char *ref, int64_t now)
{
	GPtrArray	*cands, *results;
	enum staff_auth	 v = STAFF_AUTH_NO_TOKEN;
	enum notice_token one;
	guint		 i;

	if (c->staff_key == NULL || m->from.addr == NULL)
		return STAFF_AUTH_NO_TOKEN;
	cands = candidates(c, m);
	for (i = 0; v != STAFF_AUTH_OK && i < cands->len; i++)
		if ((one = notice_check(c, g_ptr_array_index(cands, i), ref,
		    m->from.addr, now)) != NOTICE_NONE)
			v = one == NOTICE_VALID ? STAFF_AUTH_OK :
			    STAFF_AUTH_EXPIRED;
	g_ptr_array_unref(cands);
	if (v == STAFF_AUTH_NO_TOKEN)
		return v;
	results = msg_header_all(m, "Authentication-Results");
	if (!staff_auth_results_pass(c, results, domain_of(m->from.addr)))
		v = STAFF_AUTH_NO_PASS;
	g_ptr_array_unref(results);
	return v;
}

const char *
staff_auth_why(enum staff_auth v)
{
	switch (v) {
	case STAFF_AUTH_OK:
		return "";
	case STAFF_AUTH_NO_TOKEN:
		return "no valid token for this address and case";
	case STAFF_AUTH_EXPIRED:
		return "an expired token";
	case STAFF_AUTH_NO_PASS:
		return "no DKIM, SPF or DMARC pass from our server aligned "
		    "with the From: domain";
	}
	return "?";
}

/*
 * A header value without its comments (RFC 5322 §3.2.2), each one a
 * space; quoted strings kept as they are, folding made spaces.
 */
static char *
ar_uncomment(const char *v)
{
	GString	*out = g_string_new(NULL);
	gboolean quoted = FALSE;
	int	 depth = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0' && (quoted || depth > 0)) {
			if (depth == 0)
				g_string_append_len(out, v, 2);
			v++;
		} else if (!quoted && *v == '(') {
			if (depth++ == 0)
				g_string_append_c(out, ' ');
		} else if (!quoted && depth > 0 && *v == ')')
			depth--;
		else if (depth == 0) {
			if (*v == '"')
				quoted = !quoted;
			g_string_append_c(out, g_ascii_isspace(*v) ? ' ' : *v);
		}
	}
	return g_string_free(out, FALSE);
}

/* The parts of v between ';' outside quoted strings, trimmed. */
static GPtrArray *
ar_split(const char *v)
{
	GPtrArray	*out = g_ptr_array_new_with_free_func(g_free);
	gboolean	 quoted = FALSE;
	const char	*start = v;

	for (;; v++) {
		if (*v == '\\' && quoted && v[1] != '\0')
			v++;
		else if (*v == '"')
			quoted = !quoted;
		else if (*v == '\0' || (*v == ';' && !quoted)) {
			g_ptr_array_add(out, g_strstrip(g_strndup(start,
			    (gsize)(v - start))));
			if (*v == '\0')
				break;
			start = v + 1;
		}
	}
	return out;
}

/*
 * "dkim=pass header.d=example.org": names (lower case, a method's
 * "/version" cut) and values (unquoted), alternating.  Bare words are
 * skipped.
 */
static GPtrArray *
ar_pairs(const char *s)
{
	GPtrArray	*kv = g_ptr_array_new_with_free_func(g_free);
	const char	*k;
	GString		*val;
	char		*name;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		for (k = s; *s != '\0' && *s != ' ' && *s != '='; s++)
			;
		name = g_ascii_strdown(k, s - k);
		while (*s == ' ')
			s++;
		if (*s != '=') {
			g_free(name);
			continue;
		}
		for (s++; *s == ' '; s++)
			;
		val = g_string_new(NULL);
		if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;	/* a quoted-pair */
				g_string_append_c(val, *s);
			}
			if (*s == '"')
				s++;
		} else
			for (; *s != '\0' && *s != ' '; s++)
				g_string_append_c(val, *s);
		name[strcspn(name, "/")] = '\0';
		g_ptr_array_add(kv, name);
		g_ptr_array_add(kv, g_string_free(val, FALSE));
	}
	return kv;
}

/* The value of property name (e.g. "header.d") in kv; NULL if none. */
static const char *
ar_prop(GPtrArray *kv, const char *name)
{
	guint	 i;

	for (i = 2; i + 1 < kv->len; i += 2)
		if (strcmp(g_ptr_array_index(kv, i), name) == 0)
			return g_ptr_array_index(kv, i + 1);
	return NULL;
}

/*
 * One result (RFC 8601 §2.2 resinfo) that vouches for from_domain: DMARC
 * passed (for that From: domain if named), or DKIM for an aligned
 * header.d, or SPF for an aligned smtp.mailfrom (RFC 7489 §3.1).
 */
static gboolean
ar_resinfo_pass(GPtrArray *kv, const char *from_domain)
{
	const char	*method, *v;

	if (kv->len < 2 || g_ascii_strcasecmp(g_ptr_array_index(kv, 1),
	    "pass") != 0)
		return FALSE;
	method = g_ptr_array_index(kv, 0);
	if (strcmp(method, "dmarc") == 0)
		return (v = ar_prop(kv, "header.from")) == NULL ||
		    staff_auth_aligned(v, from_domain);
	if (strcmp(method, "dkim") == 0)
		return (v = ar_prop(kv, "header.d")) != NULL &&
		    staff_auth_aligned(v, from_domain);
	if (strcmp(method, "spf") == 0 &&
	    (v = ar_prop(kv, "smtp.mailfrom")) != NULL)
		return staff_auth_aligned(domain_of(v) != NULL ? domain_of(v) :
		    v, from_domain);
	return FALSE;
}

/* Whether one header is our server's and has a pass for from_domain. */
static gboolean
ar_header_pass(const struct conf *c, const char *value,
    const char *from_domain)
{
	char		*clean = ar_uncomment(value), *id;
	GPtrArray	*parts = ar_split(clean), *kv;
	gboolean	 pass = FALSE;
	guint		 i;

	/* authserv-id [version]: a value, maybe quoted. */
	id = g_strndup(g_ptr_array_index(parts, 0),
	    strcspn(g_ptr_array_index(parts, 0), " "));
	if (*id == '"' && strlen(id) >= 2 && id[strlen(id) - 1] == '"') {
		memmove(id, id + 1, strlen(id) - 2);
		id[strlen(id) - 2] = '\0';
	}
	for (i = 1; !pass && g_ascii_strcasecmp(id, c->staff_authserv_id) ==
	    0 && i < parts->len; i++) {
		kv = ar_pairs(g_ptr_array_index(parts, i));
		pass = ar_resinfo_pass(kv, from_domain);
		g_ptr_array_unref(kv);
	}
	g_free(id);
	g_ptr_array_unref(parts);
	g_free(clean);
	return pass;
}

gboolean
staff_auth_results_pass(const struct conf *c, GPtrArray *values,
    const char *from_domain)
{
	guint	 i;

	if (c->staff_authserv_id == NULL)
		return TRUE;
	if (from_domain == NULL)
		return FALSE;
	/* Our server adds its own on top; those below came with the mail. */
	for (i = 0; i < values->len && i < (guint)c->staff_auth_results; i++)
		if (ar_header_pass(c, g_ptr_array_index(values, i), from_domain))
			return TRUE;
	return FALSE;
}

/* The rules of the public suffix list, read once; NULL without it. */
static GHashTable *
psl(void)
{
	static gsize	 once;
	static GHashTable *rules;
	char		*text, **lines, *l;
	guint		 i;

	if (!g_once_init_enter(&once))
		return rules;
	if (g_file_get_contents(PSL_PATH, &text, NULL, NULL)) {
		rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    NULL);
		lines = g_strsplit(text, "\n", -1);
		for (i = 0; lines[i] != NULL; i++) {
			l = g_strstrip(lines[i]);
			l[strcspn(l, " \t")] = '\0';
			if (*l != '\0' && !g_str_has_prefix(l, "//"))
				g_hash_table_add(rules, g_ascii_strdown(l, -1));
		}
		g_strfreev(lines);
		g_free(text);
	}
	g_once_init_leave(&once, 1);
	return rules;
}

/* Whether the list has prefix followed by s ("!", "*." or ""). */
static gboolean
psl_has(GHashTable *rules, const char *prefix, const char *s)
{
	char	*key = g_strconcat(prefix, s, NULL);
	gboolean has = g_hash_table_contains(rules, key);

	g_free(key);
	return has;
}

/*
 * The organisational domain of d (RFC 7489 §3.2): its public suffix, by
 * the longest rule that matches (an exception first), and one label
 * more.  d itself when it is a public suffix.  Borrowed from d.
 */
static const char *
org_domain(GHashTable *rules, const char *d)
{
	const char	*s, *parent, *ps = NULL, *org;

	for (s = d; s != NULL && ps == NULL; s = parent) {
		parent = strchr(s, '.');
		parent = parent != NULL ? parent + 1 : NULL;
		if (psl_has(rules, "!", s))
			ps = parent != NULL ? parent : s;
		else if (psl_has(rules, "", s) || (parent != NULL &&
		    psl_has(rules, "*.", parent)))
			ps = s;
	}
	if (ps == NULL)			/* the default rule "*" */
		ps = strrchr(d, '.') != NULL ? strrchr(d, '.') + 1 : d;
	if (ps == d)
		return d;
	for (org = ps - 1; org > d && org[-1] != '.'; org--)
		;
	return org;
}

/*
 * Relaxed alignment (RFC 7489 §3.1): the same organisational domain, by
 * the public suffix list.  Without the list, the same domain or one a
 * subdomain of the other of two labels or more: siblings
 * (a.example.org, b.example.org) are then not aligned, stricter.
 */
gboolean
staff_auth_aligned(const char *a, const char *b)
{
	GHashTable *rules = psl();
	char	*x, *y, *longer, *shorter;
	size_t	 nl, ns;
	gboolean ok;

	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return FALSE;
	x = g_ascii_strdown(a, -1);
	y = g_ascii_strdown(b, -1);
	if (g_str_has_suffix(x, "."))
		x[strlen(x) - 1] = '\0';
	if (g_str_has_suffix(y, "."))
		y[strlen(y) - 1] = '\0';
	longer = strlen(x) >= strlen(y) ? x : y;
	shorter = longer == x ? y : x;
	nl = strlen(longer);
	ns = strlen(shorter);
	if (rules != NULL)
		ok = *shorter != '\0' && strcmp(org_domain(rules, x),
		    org_domain(rules, y)) == 0;
	else
		ok = *shorter != '\0' && (strcmp(x, y) == 0 ||
		    (strchr(shorter, '.') != NULL && nl > ns &&
		    longer[nl - ns - 1] == '.' &&
		    strcmp(longer + nl - ns, shorter) == 0));
	g_free(x);
	g_free(y);
	return ok;
}

