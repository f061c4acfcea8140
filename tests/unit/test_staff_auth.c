/*
 * test_staff_auth.c: staff tokens (bound to address, case, notice and
 * day; expiry; the previous key's grace period; the former form) and
 * Authentication-Results (only our server's, only the topmost, only
 * aligned passes), on messages parsed as the daemon parses them.
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "notice.h"
#include "staff_auth.h"
#include "testutil.h"

#define DAY	86400
#define T0	((int64_t)1773046800)	/* 2026-03-09 09:00 UTC */

static char	*attach_dir;

static void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->org_domain = "example.test";
	c->reply_address = "client@example.test";
	c->staff_key = "0123456789abcdef-test-key";
	c->staff_authserv_id = "mx.example.test";
	c->staff_auth_results = 1;
	c->staff_token_days = 90;
}

/* A reply from staff1 in reply to id, with these headers first. */
static struct msg *
reply(const char *headers, const char *id)
{
	char		*raw = g_strdup_printf("%sFrom: staff1@example.test\r\n"
	    "To: client@example.test\r\nSubject: Re: [REC-2026-0001] x\r\n"
	    "Message-ID: <r@example.test>\r\nIn-Reply-To: <%s>\r\n\r\n#note x"
	    "\r\n", headers, id);
	GBytes		*b = g_bytes_new_take(raw, strlen(raw));
	struct msg_limits lim = msg_limits_default();
	GError		*err = NULL;
	struct msg	*m = msg_parse_data(b, &lim, attach_dir, &err);

	g_assert_no_error(err);
	g_bytes_unref(b);
	return m;
}

static enum staff_auth
verdict(const struct conf *c, const char *headers, const char *id,
    const char *ref, int64_t now)
{
	struct msg	*m = reply(headers, id);
	enum staff_auth	 v = staff_authenticate(c, m, ref, now);

	msg_free(m);
	return v;
}

#define PASS	"Authentication-Results: mx.example.test; dkim=pass " \
		"header.d=example.test\r\n"

static void
test_token_bound(void)
{
	struct conf	 c;
	char		*rt, *id;

	conf_init(&c);
	id = notice_ids(&c, "REC-2026-0001", "Staff1@example.test", T0,
	    &rt);
	g_assert_null(rt);
	g_assert_true(g_regex_match_simple("^n\\.REC-2026-0001\\.[0-9]+\\."
	    "[0-9a-f]{8}\\.[0-9a-f]{16}@example.test$", id, 0, 0));
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0), ==,
	    STAFF_AUTH_OK);
	/* Another case, or the token changed by one digit. */
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0002", T0), ==,
	    STAFF_AUTH_NO_TOKEN);
	id[strlen(id) - strlen("@example.test") - 1] ^= 1;
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0), ==,
	    STAFF_AUTH_NO_TOKEN);
	g_free(id);
	/* Another member's token. */
	id = notice_ids(&c, "REC-2026-0001", "staff2@example.test", T0,
	    &rt);
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0), ==,
	    STAFF_AUTH_NO_TOKEN);
	g_assert_true(notice_id_for(&c, id, "staff2@example.test"));
	g_assert_false(notice_id_for(&c, id, "alice@example.test"));
	g_free(id);
}

static void
test_token_expires(void)
{
	struct conf	 c;
	char		*rt, *id;

	conf_init(&c);
	id = notice_ids(&c, "REC-2026-0001", "staff1@example.test", T0,
	    &rt);
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0 + 89 * DAY),
	    ==, STAFF_AUTH_OK);
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0 + 91 * DAY),
	    ==, STAFF_AUTH_EXPIRED);
	/* Issued "tomorrow and a day": forged. */
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0 - 3 * DAY),
	    ==, STAFF_AUTH_NO_TOKEN);
	/* Expired and not authenticated: the weaker says nothing. */
	g_assert_cmpint(verdict(&c, "", id, "REC-2026-0001", T0 + 91 * DAY),
	    ==, STAFF_AUTH_NO_PASS);
	g_free(id);
	/* The former form, HMAC(key, "REF|address"), never expired. */
	g_assert_cmpint(verdict(&c, PASS, "n.REC-2026-0001.3d6c4b53a4ea9d17."
	    "0badcafe@example.test", "REC-2026-0001", T0), !=, STAFF_AUTH_OK);
}

static void
test_key_rotation(void)
{
	struct conf	 c;
	char		*rt, *id;

	conf_init(&c);
	id = notice_ids(&c, "REC-2026-0001", "staff1@example.test", T0,
	    &rt);
	c.staff_key = "a-brand-new-key-of-2026";
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0), ==,
	    STAFF_AUTH_NO_TOKEN);
	c.staff_key_previous = "0123456789abcdef-test-key";
	c.staff_key_previous_until = T0 / DAY + 10;
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0 + 10 * DAY),
	    ==, STAFF_AUTH_OK);
	g_assert_cmpint(verdict(&c, PASS, id, "REC-2026-0001", T0 + 11 * DAY),
	    ==, STAFF_AUTH_NO_TOKEN);
	g_free(id);
}

static void
test_subaddress(void)
{
	struct conf	 c;
	char		*rt, *id, *h;

	conf_init(&c);
	c.reply_subaddress = TRUE;
	id = notice_ids(&c, "REC-2026-0001", "staff1@example.test", T0,
	    &rt);
	g_assert_true(g_str_has_prefix(rt, "client+n.REC-2026-0001."));
	/* A client that drops In-Reply-To: the To: subaddress is enough. */
	h = g_strdup_printf("%sCc: <%s>\r\n", PASS, rt);
	g_assert_cmpint(verdict(&c, h, "other@example.test", "REC-2026-0001",
	    T0), ==, STAFF_AUTH_OK);
	g_free(h);
	g_free(rt);
	g_free(id);
}

static const struct {
	const char	*headers;
	gboolean	 pass;
	const char	*why;
} results[] = {
	{ "", FALSE, "none" },
	{ PASS, TRUE, "dkim for the From: domain" },
	{ "Authentication-Results: mx.example.test 1; dkim=pass (2048-bit key)"
	    " header.d=mail.example.test header.i=@example.test\r\n", TRUE,
	    "version, comment, a subdomain signs" },
	{ "Authentication-Results: MX.example.test;\r\n\tspf=pass "
	    "smtp.mailfrom=bounce@example.test\r\n", TRUE, "spf, folded" },
	{ "Authentication-Results: mx.example.test; dmarc=pass "
	    "header.from=example.test\r\n", TRUE, "dmarc" },
	{ "Authentication-Results: mx.example.test; dkim=pass "
	    "header.d=evil.example\r\n", FALSE, "dkim for another domain" },
	{ "Authentication-Results: mx.example.test; spf=pass "
	    "smtp.mailfrom=x@evil.example\r\n", FALSE, "spf for another domain" },
	{ "Authentication-Results: mx.example.test; dkim=pass "
	    "header.d=notexample.test\r\n", FALSE, "a suffix is not a parent" },
	{ "Authentication-Results: mx.example.test; dkim=pass "
	    "header.d=test\r\n", FALSE, "a top-level domain aligns nothing" },
	{ "Authentication-Results: mx.example.test; dmarc=pass "
	    "header.from=evil.example\r\n", FALSE, "dmarc for another From:" },
	{ "Authentication-Results: mx.example.test; spf=pass "
	    "smtp.helo=example.test\r\n", FALSE, "spf of the HELO only" },
	{ "Authentication-Results: mx.example.test; dkim=fail "
	    "header.d=example.test (dkim=pass header.d=example.test)\r\n",
	    FALSE, "a pass in a comment" },
	{ "Authentication-Results: mx.example.test; dkim=fail reason=\"dkim="
	    "pass; spf=pass smtp.mailfrom=example.test\"\r\n", FALSE,
	    "a pass in a quoted string" },
	{ "Authentication-Results: mx.example.test.evil; dkim=pass "
	    "header.d=example.test\r\n", FALSE, "another authserv-id" },
	{ "Authentication-Results: mx.example.test; none\r\n"
	    PASS, FALSE, "ours below ours: added by the sender" },
	{ "Authentication-Results: other.example; dkim=pass "
	    "header.d=example.test\r\n" PASS, FALSE,
	    "ours below another's" },
};

static void
test_results(void)
{
	struct conf	 c;
	char		*rt, *id;
	size_t		 i;

	conf_init(&c);
	id = notice_ids(&c, "REC-2026-0001", "staff1@example.test", T0,
	    &rt);
	for (i = 0; i < G_N_ELEMENTS(results); i++) {
		enum staff_auth v = verdict(&c, results[i].headers, id,
		    "REC-2026-0001", T0);

		g_test_message("%s: %d", results[i].why, v);
		g_assert_cmpint(v, ==, results[i].pass ? STAFF_AUTH_OK :
		    STAFF_AUTH_NO_PASS);
	}
	/* With two read, ours under another's counts. */
	c.staff_auth_results = 2;
	g_assert_cmpint(verdict(&c, results[G_N_ELEMENTS(results) - 1].headers,
	    id, "REC-2026-0001", T0), ==, STAFF_AUTH_OK);
	g_free(id);
}

/* Relaxed alignment by the public suffix list, when Debian ships it. */
static void
test_aligned(void)
{
	g_assert_true(staff_auth_aligned("example.test", "EXAMPLE.test."));
	g_assert_true(staff_auth_aligned("mail.example.org", "example.org"));
	g_assert_false(staff_auth_aligned("example.org", "org"));
	g_assert_false(staff_auth_aligned("evil.example", "example.org"));
	g_assert_false(staff_auth_aligned("notexample.org", "example.org"));
	if (!g_file_test("/usr/share/publicsuffix/public_suffix_list.dat",
	    G_FILE_TEST_EXISTS)) {
		g_test_skip("no public suffix list");
		return;
	}
	g_assert_true(staff_auth_aligned("a.example.org", "b.example.org"));
	g_assert_true(staff_auth_aligned("mail.example.co.uk", "example.co.uk"));
	g_assert_false(staff_auth_aligned("co.uk", "example.co.uk"));
	g_assert_false(staff_auth_aligned("evil.co.uk", "example.co.uk"));
	/* A wildcard rule (*.ck) and its exception (!www.ck). */
	g_assert_false(staff_auth_aligned("a.b.ck", "c.b.ck"));
	g_assert_true(staff_auth_aligned("x.a.b.ck", "a.b.ck"));
	g_assert_true(staff_auth_aligned("x.www.ck", "www.ck"));
}

static void
test_public_ids(void)
{
	struct conf	 c;
	char		*rt, *id, *ids, *pub;

	conf_init(&c);
	id = notice_ids(&c, "REC-2026-0001", "staff1@example.test", T0,
	    &rt);
	g_assert_true(notice_is_ours(&c, id));
	g_assert_false(notice_is_ours(&c, "abc@example.test"));
	ids = g_strdup_printf("a@x.example %s n.REC-2026-0001.0123456789abcdef"
	    ".0badcafe@example.test %s", id, id);
	pub = notice_public_ids(&c, ids);
	g_assert_true(g_regex_match_simple("^a@x.example p\\.REC-2026-0001\\."
	    "[0-9a-f]{8}@example.test p\\.REC-2026-0001\\.0badcafe"
	    "@example.test$", pub, 0, 0));
	g_assert_null(notice_public_ids(&c, NULL));
	g_assert_true(notice_equal("abcd", "abcd", 4));
	g_assert_false(notice_equal("abcd", "abce", 4));
	g_free(pub);
	g_free(ids);
	g_free(id);
}

int
main(int argc, char **argv)
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	attach_dir = tu_tmpdir("test_staff_auth");
	g_test_add_func("/staff_auth/token_bound", test_token_bound);
	g_test_add_func("/staff_auth/token_expires", test_token_expires);
	g_test_add_func("/staff_auth/key_rotation", test_key_rotation);
	g_test_add_func("/staff_auth/subaddress", test_subaddress);
	g_test_add_func("/staff_auth/results", test_results);
	g_test_add_func("/staff_auth/aligned", test_aligned);
	g_test_add_func("/staff_auth/public_ids", test_public_ids);
	rc = g_test_run();
	tu_rm_rf(attach_dir);
	g_free(attach_dir);
	return rc;
}
