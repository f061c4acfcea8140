/*
 * test_outbox.c: letters as intents.  An intent keeps every field of the
 * mail (accents, line breaks, threading, files) until the compose stage
 * builds it, with the Message-ID fixed when it was decided; one that
 * cannot be built fails alone with the reason, and the next is composed.
 */
#include "config.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <string.h>

#include "outbox.h"
#include "store.h"
#include "testutil.h"

static char	*tmpdir;

static void
intent(struct store *st, const struct compose_mail *m)
{
	struct store_outbox o;
	char	*letter = outbox_intent_encode(m);

	memset(&o, 0, sizeof(o));
	o.kind = "ack";
	o.mail_from = m->from_addr;
	o.rcpt = m->to_addr;
	o.message_id = m->message_id;
	o.letter = letter;
	o.queued_at = m->date;
	g_assert_true(store_outbox_add(st, &o, NULL, NULL));
	g_free(letter);
}

static char *
data_of(struct store *st, int64_t id)
{
	GBytes	*b = store_outbox_data(st, id, NULL);
	gsize	 len;
	char	*text;

	g_assert_nonnull(b);
	text = g_strndup(g_bytes_get_data(b, &len), g_bytes_get_size(b));
	g_bytes_unref(b);
	return text;
}

static void
test_round_trip_and_failure(void)
{
	char		*path = g_build_filename(tmpdir, "o.db", NULL);
	char		*file = g_build_filename(tmpdir, "piece.txt", NULL);
	struct compose_file f = { "pièce.txt", "text/plain", file };
	struct compose_mail m;
	struct store	*st = store_open(path, STORE_CREATE, NULL);
	GArray		*rows;
	char		*text;

	g_assert_true(g_file_set_contents(file, "contenu", -1, NULL));
	memset(&m, 0, sizeof(m));
	m.from_name = "Organisme";
	m.from_addr = "recours@example.test";
	m.to_addr = "foo";			/* no address */
	m.subject = "Accusé";
	m.body = "x";
	m.domain = "example.test";
	m.message_id = "bad@example.test";
	m.date = 1767000000;
	intent(st, &m);
	m.to_name = "Élise Durand";
	m.to_addr = "elise@example.test";
	m.subject = "[REC-2026-0001] Accusé de réception";
	m.body = "Bonjour,\n\nNous avons reçu votre réclamation.\n= fin =\n";
	m.lang = "fr";
	m.auto_submitted = "auto-replied";
	m.in_reply_to = "orig@example.org";
	m.references = "first@example.org orig@example.org";
	m.message_id = "good@example.test";
	m.files = &f;
	m.nfiles = 1;
	intent(st, &m);
	g_assert_true(g_file_set_contents(file, "contenu lu à la composition",
	    -1, NULL));

	g_assert_cmpint(outbox_compose(st, 1767000100, NULL), ==, 2);
	g_assert_cmpint(outbox_compose(st, 1767000100, NULL), ==, 0);
	rows = store_outbox_unreported(st, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpstr(g_array_index(rows, struct store_outbox, 0).rcpt, ==,
	    "foo");
	g_assert_nonnull(strstr(g_array_index(rows, struct store_outbox,
	    0).reply, "it could not be written: cannot send to \"foo\""));
	g_array_unref(rows);
	rows = store_outbox_due(st, 1767000100, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_assert_cmpstr(g_array_index(rows, struct store_outbox, 0).message_id,
	    ==, "good@example.test");
	text = data_of(st, g_array_index(rows, struct store_outbox, 0).id);
	g_array_unref(rows);
	g_assert_nonnull(strstr(text, "Message-Id: <good@example.test>\r\n"));
	g_assert_nonnull(strstr(text, "In-Reply-To: <orig@example.org>\r\n"));
	g_assert_nonnull(strstr(text, "Auto-Submitted: auto-replied\r\n"));
	g_assert_nonnull(strstr(text, "=?UTF-8?"));	/* encoded name */
	g_assert_nonnull(strstr(text, "r=C3=A9clamation"));
	g_assert_nonnull(strstr(text, "=3D fin =3D"));
	/* Dated when it was decided, in Paris. */
	g_assert_nonnull(strstr(text, "29 Dec 2025 10:20:00 +0100"));
	g_assert_nonnull(strstr(text, "Y29udGVudSBsdSDDoCBsYSBjb21wb3NpdGlvbg=="));
	g_free(text);
	store_close(st);
	g_free(file);
	g_free(path);
}

/* A letter whose files go away after the call is composed at once. */
static void
test_add_composed(void)
{
	char		*path = g_build_filename(tmpdir, "c.db", NULL);
	struct compose_mail m;
	struct store_outbox o;
	struct store	*st = store_open(path, STORE_CREATE, NULL);
	GArray		*rows;

	memset(&m, 0, sizeof(m));
	m.from_addr = "recours@example.test";
	m.to_addr = "<a@b.fr>";
	m.subject = "s";
	m.body = "b";
	m.domain = "example.test";
	m.message_id = "t@example.test";
	memset(&o, 0, sizeof(o));
	o.kind = "transmission";
	o.mail_from = m.from_addr;
	o.rcpt = m.to_addr;
	o.message_id = m.message_id;
	o.letter = "unused";
	g_assert_true(outbox_add_composed(st, &o, &m, NULL));
	rows = store_outbox_unreported(st, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_array_unref(rows);
	m.to_addr = o.rcpt = "a@b.fr";
	m.message_id = o.message_id = "t2@example.test";
	g_assert_true(outbox_add_composed(st, &o, &m, NULL));
	rows = store_outbox_due(st, 0, 10, NULL);
	g_assert_cmpuint(rows->len, ==, 1);
	g_array_unref(rows);
	g_assert_cmpint(outbox_compose(st, 0, NULL), ==, 0);
	store_close(st);
	g_free(path);
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	tmpdir = tu_tmpdir("test_outbox");
	g_test_add_func("/outbox/round-trip-and-failure",
	    test_round_trip_and_failure);
	g_test_add_func("/outbox/add-composed", test_add_composed);
	rc = g_test_run();
	tu_rm_rf(tmpdir);
	g_free(tmpdir);
	g_mime_shutdown();
	return rc;
}
