/*
 * test_autoreply.c: which mail is automatic.  Each rule of
 * autoreply_automatic() on crafted messages, with the near misses a
 * person's mail makes; then the corpus: every message its catalogue
 * files as automatic (bounces, auto-replies, read receipts, feedback
 * reports, list mail) is found so, and no other, and the delivery
 * failures are still bounces.
 *
 * The corpus is $RECOURSD_CORPUS, else the first argument, else
 * $srcdir/../shared/corpus; without it the corpus tests are skipped.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

#include "autoreply.h"
#include "msg.h"
#include "testutil.h"

static char	*corpus;
static char	*attach_dir;

/*
 * Corpus messages filed elsewhere that are automatic mail all the same:
 * list posts, bounces, and a spam sent through a list.
 */
static const char *const also_automatic[] = {
	"james__frnog.eml",			/* Sympa list post */
	"mmp__m0024.eml",			/* ezmlm list post */
	"sisimai__lhost-googlegroups-09.eml",	/* bounce */
	"sisimai__lhost-x1-01.eml",		/* bounce, CR line ends */
	"james__spamMail.eml",			/* amavisd notice, via a list */
	"mail__empty_in_reply_to.eml",		/* spam with a List-Id */
};

/*
 * Machine-written, but marked by nothing these rules read: a dealer's
 * CRM notification from no-reply@ with no RFC 3834 or list header.  A
 * no-reply sender is not a rule: a web form sends a complaint so.
 */
static const char *const not_detected[] = {
	"mail__encoding_madness.eml",
};

static struct msg *
parse(const char *text)
{
	struct msg_limits lim = msg_limits_default();
	GBytes		*raw = g_bytes_new(text, strlen(text));
	GError		*err = NULL;
	struct msg	*m = msg_parse_data(raw, &lim, attach_dir, &err);

	g_assert_no_error(err);
	g_assert_nonnull(m);
	g_bytes_unref(raw);
	return m;
}

/* headers (each ending in \n) then a short body: why it is automatic. */
static const char *
verdict(const char *headers, struct msg **keep)
{
	char		*text = g_strdup_printf("From: Alice <alice@example.org>\n"
	    "To: recours@example.test\nSubject: Réclamation\n"
	    "Message-ID: <t@example.org>\n%s\nBonjour.\n", headers);
	struct msg	*m = parse(text);
	const char	*why = autoreply_automatic(m);

	g_free(text);
	*keep = m;
	return why;
}

/* Asserts headers make automatic mail whose reason contains want. */
static void
check_automatic(const char *headers, const char *want)
{
	struct msg	*m;
	const char	*why = verdict(headers, &m);

	if (why == NULL || strstr(why, want) == NULL)
		g_error("headers:\n%sgave %s, want a reason with \"%s\"",
		    headers, why != NULL ? why : "(not automatic)", want);
	msg_free(m);
}

static void
check_person(const char *headers)
{
	struct msg	*m;
	const char	*why = verdict(headers, &m);

	if (why != NULL)
		g_error("headers:\n%sfound automatic: %s", headers, why);
	msg_free(m);
}

static void
test_ordinary(void)
{
	check_person("");
	check_person("In-Reply-To: <ack.1@example.test>\n"
	    "References: <ack.1@example.test>\n");
	check_person("Return-Path: <alice@example.org>\n");
	check_person("Precedence: first-class\n");
	check_person("Reply-To: Bureau <bureau@example.org>\n");
}

static void
test_auto_submitted(void)
{
	check_automatic("Auto-Submitted: auto-generated\n", "Auto-Submitted");
	check_automatic("Auto-Submitted: auto-replied\n", "Auto-Submitted");
	check_automatic("Auto-Submitted: auto-notified\n", "Auto-Submitted");
	check_automatic("Auto-Submitted: auto-generated (failure)\n",
	    "Auto-Submitted");
	check_automatic("Auto-Submitted: auto-replied; owner-email=\"a@b.c\"\n",
	    "Auto-Submitted");
	check_automatic("Auto-Submitted: nothing-we-know\n", "Auto-Submitted");
	check_person("Auto-Submitted: no\n");
	check_person("Auto-Submitted: No\n");
	check_person("Auto-Submitted:  no (sent by a person)\n");
	check_person("Auto-Submitted: no; reason=test\n");
}

static void
test_null_sender(void)
{
	check_automatic("Return-Path: <>\n", "Return-Path: <>");
	check_automatic("Return-Path: < >\n", "Return-Path: <>");
	/* A list relays the failure: its own Return-Path comes first. */
	check_automatic("Return-Path: <list-bounces@lists.example.net>\n"
	    "Return-Path: <>\n", "Return-Path: <>");
	check_person("Return-Path: <alice@example.org>\n");
	check_person("Return-Path: <<>>\n");
}

static void
test_report_parts(void)
{
	static const char *const mime = "MIME-Version: 1.0\n";
	char	*h;

	/* Yahoo: multipart/report with no report-type. */
	h = g_strdup_printf("%sContent-Type: multipart/report; boundary=\"B\"\n"
	    "\n--B\nContent-Type: text/plain\n\nThis is a feedback report.\n"
	    "--B\nContent-Type: message/feedback-report\n\nFeedback-Type: "
	    "abuse\nUser-Agent: Yahoo!-Mail-Feedback/2.0\nVersion: 0.1\n\n"
	    "--B\nContent-Type: message/rfc822\n\nFrom: recours@example.test\n"
	    "Subject: x\n\nx\n--B--\n", mime);
	check_automatic(h, "message/feedback-report");
	g_free(h);
	/* A delivery-status part without any multipart/report. */
	h = g_strdup_printf("%sContent-Type: multipart/mixed; boundary=\"B\"\n"
	    "\n--B\nContent-Type: text/plain\n\nUndelivered.\n--B\n"
	    "Content-Type: message/delivery-status\n\nReporting-MTA: dns; "
	    "mx.example.net\n\nFinal-Recipient: rfc822; a@example.org\n"
	    "Action: failed\nStatus: 5.1.1\n\n--B--\n", mime);
	check_automatic(h, "message/delivery-status");
	g_free(h);
	h = g_strdup_printf("%sContent-Type: multipart/report; "
	    "report-type=delivery-status; boundary=\"B\"\n\n--B\n"
	    "Content-Type: text/plain\n\nDelayed.\n--B--\n", mime);
	check_automatic(h, "multipart/report");
	g_free(h);
	h = g_strdup_printf("%sContent-Type: multipart/report; "
	    "report-type=disposition-notification; boundary=\"B\"\n\n--B\n"
	    "Content-Type: text/plain\n\nRead.\n--B\nContent-Type: "
	    "message/disposition-notification\n\nFinal-Recipient: rfc822; "
	    "a@example.org\nDisposition: manual-action/MDN-sent-manually; "
	    "displayed\n\n--B--\n", mime);
	check_automatic(h, "message/disposition-notification");
	g_free(h);
	/* A person forwards a bounce as an attachment: theirs is no report. */
	h = g_strdup_printf("%sContent-Type: multipart/mixed; boundary=\"B\"\n"
	    "\n--B\nContent-Type: text/plain\n\nVotre adresse ne marche pas, "
	    "voyez.\n--B\nContent-Type: message/rfc822\n\nFrom: MAILER-DAEMON"
	    "@example.net\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=\"C\"\n\n--C\nContent-Type: text/plain\n\nFailed.\n--C\n"
	    "Content-Type: message/delivery-status\n\nAction: failed\n\n--C--\n"
	    "\n--B--\n", mime);
	check_person(h);
	g_free(h);
}

static void
test_list_mail(void)
{
	check_automatic("List-Id: Annonces <annonces.lists.example.net>\n",
	    "List-Id");
	check_automatic("List-Post: <mailto:annonces@lists.example.net>\n",
	    "List-Post");
	check_automatic("List-Post: NO\n", "List-Post");
	check_automatic("Mailing-List: contact annonces-help@example.net; "
	    "run by ezmlm\n", "Mailing-List");
	check_automatic("Precedence: bulk\n", "Precedence: bulk");
	check_automatic("Precedence: list\n", "Precedence: list");
	check_automatic("Precedence: JUNK\n", "Precedence: junk");
	/* Sympa writes two; the second is enough. */
	check_automatic("Precedence: first-class\nPrecedence: list\n",
	    "Precedence: list");
	check_person("List-Unsubscribe-Post: List-Unsubscribe=One-Click\n");
}

/* From the given address, and nothing else automatic. */
static const char *
from_verdict(const char *from, const char *sender, struct msg **keep)
{
	char		*text = g_strdup_printf("From: %s\n%s%s%sTo: "
	    "recours@example.test\nSubject: Digest, Vol 12, Issue 3\n\n"
	    "Bonjour.\n", from, sender != NULL ? "Sender: " : "",
	    sender != NULL ? sender : "", sender != NULL ? "\n" : "");
	struct msg	*m = parse(text);

	g_free(text);
	*keep = m;
	return autoreply_automatic(m);
}

static void
check_from(const char *from, const char *sender, const char *want)
{
	struct msg	*m;
	const char	*why = from_verdict(from, sender, &m);

	if (want == NULL && why != NULL)
		g_error("From: %s, Sender: %s: found automatic: %s", from,
		    sender != NULL ? sender : "-", why);
	if (want != NULL && (why == NULL || strstr(why, want) == NULL))
		g_error("From: %s, Sender: %s: gave %s, want \"%s\"", from,
		    sender != NULL ? sender : "-", why != NULL ? why :
		    "(not automatic)", want);
	msg_free(m);
}

static void
test_robot_senders(void)
{
	check_from("Mail Delivery System <MAILER-DAEMON@mx.example.net>", NULL,
	    "MAILER-DAEMON");
	check_from("MAILER-DAEMON@mx.example.net (Mail Delivery System)", NULL,
	    "MAILER-DAEMON");
	check_from("<Postmaster@example.net>", NULL, "postmaster");
	check_from("owner-annonces@lists.example.net", NULL, "owner-*");
	/* A Mailman digest comes from the list's -request address. */
	check_from("annonces-request@lists.example.net", NULL, "*-request");
	check_from("annonces-bounces@lists.example.net", NULL, "*-bounces");
	check_from("annonces-bounces+alice=example.org@lists.example.net",
	    NULL, "*-bounces");
	/* A list post: the person in From, the list in Sender. */
	check_from("Alice <alice@example.org>",
	    "\"annonces\" <annonces-bounces@lists.example.net>", "*-bounces");
	check_from("Alice <alice@example.org>", "owner-annonces@example.net",
	    "owner-*");
	/* People whose names look like it. */
	check_from("owner@example.org", NULL, NULL);
	check_from("requester@example.org", NULL, NULL);
	check_from("jean-request-team@example.org", NULL, NULL);
	check_from("bounces@example.org", NULL, NULL);
	check_from("postmaster.general@example.org", NULL, NULL);
	check_from("Alice <alice@example.org>", "Bob <bob@example.org>", NULL);
}

static void
check_subject(const char *subject, gboolean automatic)
{
	char		*h = g_strdup_printf("From: kijitora@example.org\n"
	    "Subject: %s\n\nAbsent.\n", subject);
	struct msg	*m = parse(h);
	const char	*why = autoreply_automatic(m);

	if (automatic != (why != NULL))
		g_error("Subject: %s: %s", subject, why != NULL ? why :
		    "not automatic");
	msg_free(m);
	g_free(h);
}

static void
test_auto_responders(void)
{
	check_automatic("X-Autoreply: yes\n", "auto-responder");
	check_automatic("X-Autorespond: on vacation\n", "auto-responder");
	check_person("X-Autoreply: no\n");
	/* Ignored: Outlook asks others not to answer, it is no marker. */
	check_person("X-Auto-Response-Suppress: All\n");
	check_subject("Automatic reply: Réclamation", TRUE);
	check_subject("Auto reply: Nyaan", TRUE);
	check_subject("Réponse automatique : votre dossier REC-2026-0042", TRUE);
	check_subject("Automatische Antwort: Ihre Beschwerde", TRUE);
	check_subject("=?UTF-8?Q?Automatyczna_odpowied=C5=BA:_test?=", TRUE);
	check_subject("Out of Office: REC-2026-0042", TRUE);
	/* A person's subjects. */
	check_subject("Re: Automatic reply: Réclamation", FALSE);
	check_subject("Fwd: Réponse automatique : rien reçu", FALSE);
	check_subject("Votre réponse automatique ne répond à rien", FALSE);
	check_subject("Absence : mon fils n'a pas pu passer l'examen", FALSE);
	check_subject("Automatic replies are rude", FALSE);
}

/* Every rule's reason says which rule: the log and the event show it. */
static void
test_first_rule_wins(void)
{
	check_automatic("Return-Path: <>\nAuto-Submitted: auto-replied\n",
	    "Auto-Submitted");
	check_automatic("List-Id: <a.example.net>\nPrecedence: bulk\n",
	    "List-Id");
}

static gboolean
listed(const char *const *names, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return TRUE;
	return FALSE;
}

static struct msg *
parse_corpus(const char *name)
{
	char		*path = g_build_filename(corpus, name, NULL);
	struct msg_limits lim = msg_limits_default();
	GError		*err = NULL;
	struct msg	*m = msg_parse_file(path, &lim, attach_dir, &err);

	if (m == NULL)
		g_test_message("%s: not parsed: %s", name, err->message);
	g_clear_error(&err);
	g_free(path);
	return m;
}

/*
 * Catalogued automatic: categories arf, autoreply, dsn, mdn and list,
 * and also_automatic[].  The rest are people's mail, not_detected[]
 * aside.  All mistakes are listed before the test fails.
 */
static void
test_corpus(void)
{
	static const char *const automatic[] = { "arf", "autoreply", "dsn",
	    "mdn", "list" };
	char	*path, *text, **lines;
	int	 bad = 0, found = 0, people = 0;
	guint	 i;

	if (corpus == NULL) {
		g_test_skip("no corpus: set RECOURSD_CORPUS to shared/corpus");
		return;
	}
	path = g_build_filename(corpus, "CATALOG.tsv", NULL);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (i = 1; lines[i] != NULL; i++) {
		char	**f = g_strsplit(lines[i], "\t", 3);
		gboolean want;
		struct msg *m;
		const char *why;

		if (f[0] == NULL || f[1] == NULL || (m = parse_corpus(f[0])) ==
		    NULL) {
			g_strfreev(f);
			continue;
		}
		want = (listed(automatic, G_N_ELEMENTS(automatic), f[1]) ||
		    listed(also_automatic, G_N_ELEMENTS(also_automatic), f[0])) &&
		    !listed(not_detected, G_N_ELEMENTS(not_detected), f[0]);
		why = autoreply_automatic(m);
		if (want != (why != NULL)) {
			g_test_message("%s (%s): %s", f[0], f[1], why != NULL ?
			    why : "not found automatic");
			bad++;
		}
		if (strcmp(f[1], "dsn") == 0 && !autoreply_is_bounce(m)) {
			g_test_message("%s: no longer a bounce", f[0]);
			bad++;
		}
		found += why != NULL;
		people += why == NULL;
		msg_free(m);
		g_strfreev(f);
	}
	g_test_message("%d automatic, %d from people", found, people);
	g_assert_cmpint(found, >, 0);
	g_assert_cmpint(bad, ==, 0);
	g_strfreev(lines);
	g_free(text);
	g_free(path);
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	corpus = tu_corpus_dir(argc, argv);
	attach_dir = tu_tmpdir("test_autoreply");
	g_test_add_func("/autoreply/ordinary", test_ordinary);
	g_test_add_func("/autoreply/auto-submitted", test_auto_submitted);
	g_test_add_func("/autoreply/null-sender", test_null_sender);
	g_test_add_func("/autoreply/report-parts", test_report_parts);
	g_test_add_func("/autoreply/list-mail", test_list_mail);
	g_test_add_func("/autoreply/robot-senders", test_robot_senders);
	g_test_add_func("/autoreply/auto-responders", test_auto_responders);
	g_test_add_func("/autoreply/first-rule-wins", test_first_rule_wins);
	g_test_add_func("/autoreply/corpus", test_corpus);
	rc = g_test_run();
	tu_rm_rf(attach_dir);
	g_free(attach_dir);
	g_free(corpus);
	g_mime_shutdown();
	return rc;
}
