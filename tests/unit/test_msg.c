/*
 * test_msg.c: parsing with GMime.  Every corpus message is either parsed
 * or refused with a reason (never a crash); a dozen tricky ones are
 * checked field by field; limits quarantine with a reason; a 50 MB
 * attachment is stored with flat memory; file names are made safe.
 *
 * The corpus is $RECOURSD_CORPUS, else the first argument, else
 * $srcdir/../shared/corpus (automake exports srcdir); without it the
 * corpus tests are skipped and say so.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "msg.h"
#include "msg_int.h"
#include "testutil.h"

static char	*corpus;
static char	*attach_dir;

static struct msg *
parse_corpus(const char *name, GError **err)
{
	char		*path = g_build_filename(corpus, name, NULL);
	struct msg_limits lim = msg_limits_default();
	struct msg	*m = msg_parse_file(path, &lim, attach_dir, err);

	g_free(path);
	return m;
}

static const struct msg_attachment *
find_attachment(const struct msg *m, const char *name)
{
	guint	 i;

	for (i = 0; i < m->attachments->len; i++) {
		const struct msg_attachment *a = g_ptr_array_index(m->attachments, i);

		if (strcmp(a->filename, name) == 0)
			return a;
	}
	return NULL;
}

static void
list_attachments(const struct msg *m)
{
	guint	 i;

	for (i = 0; i < m->attachments->len; i++) {
		const struct msg_attachment *a = g_ptr_array_index(m->attachments, i);

		g_test_message("  attachment '%s' %s %" G_GINT64_FORMAT "%s",
		    a->filename, a->content_type, a->size,
		    a->from_tnef ? " (tnef)" : "");
	}
}

/* Every message: parsed, or refused with a reason; never a crash. */
static void
test_whole_corpus(void)
{
	GDir		*dir;
	const char	*name;
	int		 parsed = 0, refused = 0;

	if (corpus == NULL) {
		g_test_skip("no corpus: set RECOURSD_CORPUS to shared/corpus");
		return;
	}
	dir = g_dir_open(corpus, 0, NULL);
	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		GError		*err = NULL;
		struct msg	*m;

		if (!g_str_has_suffix(name, ".eml"))
			continue;
		m = parse_corpus(name, &err);
		if (m == NULL) {
			g_assert_nonnull(err);
			g_assert_cmpstr(err->message, !=, "");
			g_test_message("refused %s: %s", name, err->message);
			g_error_free(err);
			refused++;
			continue;
		}
		g_assert_no_error(err);
		g_assert_true(g_utf8_validate(m->subject, -1, NULL));
		g_assert_true(g_utf8_validate(m->body, -1, NULL));
		g_assert_null(strpbrk(m->subject, "\r\n"));
		msg_free(m);
		parsed++;
	}
	g_dir_close(dir);
	g_test_message("corpus: %d parsed, %d refused", parsed, refused);
	g_assert_cmpint(parsed, >, 0);
	g_assert_cmpint(refused, <=, 2);
}

/* A corpus message that must parse; fails with the reason otherwise. */
static struct msg *
must_parse(const char *name)
{
	GError		*err = NULL;
	struct msg	*m = parse_corpus(name, &err);

	if (m == NULL)
		g_test_message("%s: %s", name, err->message);
	g_assert_no_error(err);
	g_assert_nonnull(m);
	list_attachments(m);
	return m;
}

#define CORPUS_OR_SKIP() do {						\
	if (corpus == NULL) {						\
		g_test_skip("no corpus: set RECOURSD_CORPUS");		\
		return;							\
	}								\
} while (0)

/* First line "Mail content:" is not a header: parsed from the next. */
static void
test_first_line_not_a_header(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("james__mailWithLongHeaders.eml");
	g_assert_cmpstr(m->subject, ==, "Tr. : Photos !");
	msg_free(m);
}

static void
test_cr_only_line_endings(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("sisimai__lhost-x1-01.eml");
	g_assert_cmpstr(m->subject, ==, "Returned Mail: User unknown");
	g_assert_cmpstr(m->from.addr, ==, "MAILER-DAEMON@9jo.example.jp");
	g_assert_nonnull(strstr(m->body, "The original message was received"));
	msg_free(m);
}

static void
test_french_subjects(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("pmmp__m0001.eml");
	g_assert_cmpstr(m->subject, ==, "Mail avec fichier attaché de 1ko");
	msg_free(m);
	m = must_parse("pmmp__m0013.eml");
	g_assert_cmpstr(m->subject, ==,
	    "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829. pdf");
	g_assert_nonnull(find_attachment(m,
	    "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829.pdf"));
	msg_free(m);
	m = must_parse("mimekit__japanese.eml");
	g_assert_cmpstr(m->subject, ==, "日本語メールテスト (testing Japanese emails)");
	g_assert_nonnull(strstr(m->body, "日本語が"));
	msg_free(m);
}

static void
test_attachment_names(void)
{
	const struct msg_attachment *a;
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mmp__m0024.eml");	/* RFC 2047 in the name */
	a = find_attachment(m, "Biodiversite de semaine en semaine.doc");
	g_assert_nonnull(a);
	g_assert_cmpint(a->size, ==, 27648);
	g_assert_cmpstr(a->content_type, ==, "application/msword");
	msg_free(m);
	m = must_parse("james__messageWithNonASCIIFilenameAttachment.eml");
	g_assert_nonnull(find_attachment(m, "ديناصور.odt"));
	msg_free(m);
	m = must_parse("mail__attachment_nonascii_filename.eml");
	g_assert_nonnull(find_attachment(m, "ciële.txt"));
	msg_free(m);
	m = must_parse("james__filenameAndName.eml");	/* filename= wins */
	g_assert_nonnull(find_attachment(m, "bad.csv"));
	g_assert_nonnull(strstr(m->body, "En pièce jointe"));
	msg_free(m);
}

/* Raw ISO-8859-1 declared 7bit: read through the windows-1252 fallback. */
static void
test_undeclared_8bit(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("redmine__ticket_with_localized_attributes.eml");
	g_test_message("body: %s", m->body);
	g_assert_true(g_utf8_validate(m->body, -1, NULL));
	g_assert_nonnull(strstr(m->body, "catégorie"));
	msg_free(m);
	m = must_parse("mimekit__ukr.eml");	/* koi8-r, quoted-printable */
	g_assert_nonnull(strstr(m->body, "шостий"));
	msg_free(m);
}

static void
test_nested_message(void)
{
	const struct msg_attachment *a;
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("james__embeddedAttachmentWithAttachment.eml");
	a = find_attachment(m, "EmbeddedAttachment.eml");
	g_assert_nonnull(a);
	g_assert_cmpstr(a->content_type, ==, "message/rfc822");
	g_assert_false(a->nested);
	a = find_attachment(m, "delete_mailboxes.png");
	g_assert_nonnull(a);
	g_assert_true(a->nested);
	g_assert_cmpuint(m->attachments->len, ==, 2);
	g_assert_cmpstr(m->in_reply_to, ==, "57348E62.7000505@linagora.com");
	msg_free(m);
}

static void
test_threading_headers(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("james__multipart_complex.eml");
	g_assert_cmpstr(m->subject, ==, "Re: [Internet] Rendez-vous");
	g_assert_nonnull(m->in_reply_to);
	g_assert_cmpuint(m->references->len, >=, 1);
	g_assert_nonnull(find_attachment(m, "avertissement.txt"));
	msg_free(m);
}

/* winmail.dat that is not TNEF, or that libytnef refuses, is kept, with
 * the reason for staff. */
static void
test_tnef_kept_with_reason(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mmp__m4006.eml");	/* a PNG labelled TNEF */
	g_test_message("m4006: %s", m->tnef_problem);
	g_assert_nonnull(strstr(m->tnef_problem, "not TNEF"));
	g_assert_nonnull(find_attachment(m, "winmail.dat"));
	msg_free(m);
	/* Real TNEF with a 102-byte named property: libytnef 2.0 says no. */
	m = must_parse("mimekit__rich-text.eml");
	g_test_message("rich-text: %s", m->tnef_problem);
	g_assert_nonnull(strstr(m->tnef_problem, "libytnef"));
	g_assert_nonnull(find_attachment(m, "winmail.dat"));
	msg_free(m);
}

/* TNEF whose only content is an HTML body (PR_BODY_HTML, KOI8-R code
 * page) next to the MIME text: read, nothing kept, nothing to report. */
static void
test_tnef_body_only(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mimekit__ukr.eml");
	g_assert_null(m->tnef_problem);
	g_assert_null(find_attachment(m, "winmail.dat"));
	g_assert_nonnull(strstr(m->body, "шостий"));
	msg_free(m);
	/* Only properties, inside a returned message: kept, no word. */
	m = must_parse("sisimai__lhost-amazonworkmail-01.eml");
	g_assert_null(m->tnef_problem);
	g_assert_nonnull(find_attachment(m, "winmail.dat"));
	msg_free(m);
}

/* One TNEF attribute: level, id, length, data, checksum (little-endian). */
static void
tnef_attr(GByteArray *b, guint8 level, guint32 id, const void *data,
    guint32 len)
{
	const guint8	*p = data;
	guint8		 le[4];
	guint16		 sum = 0;
	guint32		 i;

	g_byte_array_append(b, &level, 1);
	for (i = 0; i < 4; i++)
		le[i] = (guint8)(id >> (8 * i));
	g_byte_array_append(b, le, 4);
	for (i = 0; i < 4; i++)
		le[i] = (guint8)(len >> (8 * i));
	g_byte_array_append(b, le, 4);
	g_byte_array_append(b, p, len);
	for (i = 0; i < len; i++)
		sum = (guint16)(sum + p[i]);
	le[0] = (guint8)sum;
	le[1] = (guint8)(sum >> 8);
	g_byte_array_append(b, le, 2);
}

/* winmail.dat with a body and one file, base64 in a MIME message. */
static char *
tnef_message(void)
{
	static const guint8 sig[] = { 0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00 };
	static const char body[] = "Bonjour depuis Outlook";
	static const char title[] = "facture.pdf";
	static const char data[] = "%PDF-1.4 pas vraiment";
	guint8		 rend[14] = { 0x01 };
	GByteArray	*b = g_byte_array_new();
	char		*b64, *text;

	/* attBody; then attAttachRenddata, which opens an attachment,
	 * attAttachTitle and attAttachData (ytnef.h). */
	g_byte_array_append(b, sig, sizeof(sig));
	tnef_attr(b, 1, 0x0002800c, body, sizeof(body));
	tnef_attr(b, 2, 0x00069002, rend, sizeof(rend));
	tnef_attr(b, 2, 0x00018010, title, sizeof(title));
	tnef_attr(b, 2, 0x0006800f, data, sizeof(data) - 1);
	b64 = g_base64_encode(b->data, b->len);
	text = g_strdup_printf("From: a@example.test\r\nSubject: tnef\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: application/ms-tnef; "
	    "name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	    "%s\r\n", b64);
	g_free(b64);
	g_byte_array_unref(b);
	return text;
}

static void
test_huge_header(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mimekit__stack-overflow.eml");
	g_test_message("%u To: addresses, %zu header bytes", m->to->len,
	    m->header_bytes);
	g_assert_cmpuint(m->header_bytes, >, 100000);
	g_assert_cmpuint(m->to->len, ==, 2);
	g_assert_cmpstr(m->subject, ==, "Message Subject");
	msg_free(m);
}

/* Write text to a new file in attach_dir; caller frees the path. */
static char *
write_tmp(const char *text)
{
	static int	 n;
	char		*name = g_strdup_printf("in-%d.eml", n++);
	char		*path = g_build_filename(attach_dir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(name);
	return path;
}

static const char multipart3[] =
    "From: a@example.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=X\r\n\r\n"
    "--X\r\nContent-Type: text/plain\r\n\r\none\r\n"
    "--X\r\nContent-Type: application/pdf; name=\"../../etc/passwd\"\r\n\r\nPDF\r\n"
    "--X\r\nContent-Type: text/plain; name=\".hidden\x01.txt\"\r\n"
    "Content-Disposition: attachment\r\n\r\nsecret\r\n--X--\r\n";

static void
test_limits_quarantine_with_reason(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = write_tmp(multipart3);
	GError		*err = NULL;

	lim.max_parts = 3;
	g_assert_null(msg_parse_file(path, &lim, attach_dir, &err));
	g_assert_cmpstr(err->message, ==, "too many MIME parts (more than 3)");
	g_clear_error(&err);
	lim = msg_limits_default();
	lim.max_depth = 0;
	g_assert_null(msg_parse_file(path, &lim, attach_dir, &err));
	g_assert_nonnull(strstr(err->message, "nested too deep"));
	g_clear_error(&err);
	lim = msg_limits_default();
	lim.max_header_bytes = 10;
	g_assert_null(msg_parse_file(path, &lim, attach_dir, &err));
	g_assert_nonnull(strstr(err->message, "header block too large"));
	g_clear_error(&err);
	lim = msg_limits_default();
	lim.max_size = 100;
	g_assert_null(msg_parse_file(path, &lim, attach_dir, &err));
	g_assert_nonnull(strstr(err->message, "message too large"));
	g_clear_error(&err);
	lim = msg_limits_default();
	lim.time_budget_s = -1;
	g_assert_null(msg_parse_file(path, &lim, attach_dir, &err));
	g_assert_nonnull(strstr(err->message, "time budget"));
	g_clear_error(&err);
	g_free(path);
}

static void
test_hostile_file_names(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = write_tmp(multipart3), *long_name, *safe;
	struct msg	*m = msg_parse_file(path, &lim, attach_dir, NULL);
	guint		 i;

	g_assert_nonnull(m);
	g_assert_cmpstr(m->body, ==, "one");	/* CRLF before --X is the boundary's */
	g_assert_cmpuint(m->attachments->len, ==, 2);
	for (i = 0; i < m->attachments->len; i++) {
		const struct msg_attachment *a = g_ptr_array_index(m->attachments, i);

		g_test_message("safe name: %s", a->filename);
		g_assert_null(strchr(a->filename, '/'));
		g_assert_cmpint(a->filename[0], !=, '.');
		g_assert_null(strchr(a->filename, '\x01'));
	}
	msg_free(m);
	g_assert_cmpstr((safe = msg_safe_filename("")), ==, "attachment");
	g_free(safe);
	g_assert_cmpstr((safe = msg_safe_filename("...")), ==, "attachment");
	g_free(safe);
	long_name = g_strnfill(1000, 'x');
	safe = msg_safe_filename(long_name);
	g_assert_cmpuint(strlen(safe), <=, 200);
	g_free(safe);
	g_free(long_name);
	g_free(path);
}

static void
test_html_only_body(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = write_tmp("From: a@example.test\r\nSubject: h\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><head><style>p{}</style></head><body><p>Bonjour&nbsp;"
	    "&eacute;t&#233; &amp; hiver</p><script>alert(1)</script>"
	    "<div>fin</div></body></html>\r\n");
	struct msg	*m = msg_parse_file(path, &lim, attach_dir, NULL);

	g_assert_nonnull(m);
	g_assert_cmpstr(m->body, ==, "Bonjour été & hiver\n\nfin");
	msg_free(m);
	g_free(path);
}

static void
test_undeclared_windows_1252(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = write_tmp("From: a@example.test\r\nSubject: "
	    "r\xe9\x63lamation\r\n\r\nd\xe9j\xe0 vu \x80\r\n");
	struct msg	*m = msg_parse_file(path, &lim, attach_dir, NULL);

	g_assert_nonnull(m);
	g_assert_cmpstr(m->subject, ==, "réclamation");
	g_assert_cmpstr(m->body, ==, "déjà vu €\n");
	msg_free(m);
	g_free(path);
}

static long
peak_rss_kb(void)
{
	struct rusage	 ru;
	char		*status = NULL, *hwm;
	long		 kb = -1;

	/*
	 * getrusage() alone is no good here: Linux carries the parent's
	 * peak over fork and exec into ru_maxrss.  VmHWM is the peak of
	 * this process's own memory.
	 */
	if (g_file_get_contents("/proc/self/status", &status, NULL, NULL) &&
	    (hwm = strstr(status, "VmHWM:")) != NULL)
		kb = strtol(hwm + 6, NULL, 10);
	g_free(status);
	if (kb >= 0)
		return kb;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The child's side of test_large_attachment_flat_memory(). */
static void
large_attachment_in_child(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = g_build_filename(attach_dir, "big.eml", NULL);
	char		 line[77];
	FILE		*fp = fopen(path, "w");
	GChecksum	*sum = g_checksum_new(G_CHECKSUM_SHA256);
	guchar		 raw[57];
	struct msg	*m;
	const struct msg_attachment *a;
	long		 before, after;
	int		 i, n = 50 * 1024 * 1024 / 57;

	lim.max_size = 128 << 20;	/* 50 MB is 68 MB in base64 */
	fputs("From: a@example.test\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
	    "Content-Type: text/plain\r\n\r\nsee attachment\r\n--B\r\n"
	    "Content-Type: application/octet-stream; name=big.bin\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", fp);
	for (i = 0; i < n; i++) {
		gchar	*b64;

		memset(raw, 'a' + i % 26, sizeof(raw));
		raw[0] = (guchar)i;
		g_checksum_update(sum, raw, sizeof(raw));
		b64 = g_base64_encode(raw, sizeof(raw));
		g_snprintf(line, sizeof(line), "%s", b64);
		fprintf(fp, "%s\r\n", line);
		g_free(b64);
	}
	fputs("--B--\r\n", fp);
	fclose(fp);
	before = peak_rss_kb();
	m = msg_parse_file(path, &lim, attach_dir, NULL);
	after = peak_rss_kb();
	g_assert_nonnull(m);
	a = find_attachment(m, "big.bin");
	g_assert_nonnull(a);
	g_assert_cmpint(a->size, ==, (gint64)n * 57);
	g_assert_cmpstr(a->sha256, ==, g_checksum_get_string(sum));
	g_printerr("# peak RSS grew by %ld kB parsing a %d MB attachment\n",
	    after - before, n * 57 >> 20);
	g_assert_cmpint(after - before, <, 40 * 1024);
	msg_free(m);
	g_checksum_free(sum);
	g_unlink(path);
	g_free(path);
}

/*
 * 50 MB decoded: stored by digest, with memory nowhere near 50 MB.  It
 * runs in a fresh process, whose peak RSS the earlier tests have not
 * already raised; the figure is printed on stderr.
 */
static void
test_large_attachment_flat_memory(void)
{
	if (!g_test_subprocess()) {
		g_test_trap_subprocess(NULL, 0,
		    G_TEST_SUBPROCESS_INHERIT_STDERR);
		g_test_trap_assert_passed();
		return;
	}
	large_attachment_in_child();
}

/* Same content twice: one file in the store. */
static void
test_content_addressed_once(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = write_tmp(multipart3), *file;
	struct msg	*m1 = msg_parse_file(path, &lim, attach_dir, NULL);
	struct msg	*m2 = msg_parse_file(path, &lim, attach_dir, NULL);
	const struct msg_attachment *a1 = g_ptr_array_index(m1->attachments, 0);
	const struct msg_attachment *a2 = g_ptr_array_index(m2->attachments, 0);
	char		 sub[3] = { a1->sha256[0], a1->sha256[1], '\0' };

	g_assert_cmpstr(a1->sha256, ==, a2->sha256);
	file = g_build_filename(attach_dir, sub, a1->sha256, NULL);
	g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
	msg_free(m1);
	msg_free(m2);
	g_free(file);
	g_free(path);
}

/* winmail.dat unpacked: its body joins the text, its file is stored. */
static void
test_tnef_unpacked(void)
{
	struct msg_limits lim = msg_limits_default();
	char		*text = tnef_message(), *path = write_tmp(text);
	const struct msg_attachment *a;
	struct msg	*m = msg_parse_file(path, &lim, attach_dir, NULL);

	g_assert_nonnull(m);
	list_attachments(m);
	g_assert_null(m->tnef_problem);
	g_assert_cmpstr(m->body, ==, "Bonjour depuis Outlook");
	a = find_attachment(m, "facture.pdf");
	g_assert_nonnull(a);
	g_assert_true(a->from_tnef);
	g_assert_cmpint(a->size, ==, 21);
	g_assert_null(find_attachment(m, "winmail.dat"));
	msg_free(m);
	g_free(path);
	g_free(text);
}

/* RFC 2231 parameters, with continuations and ISO-8859-1. */
static void
test_rfc2231_names(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mmp__m3004.eml");
	g_assert_nonnull(find_attachment(m, "HasenundFrösche.txt"));
	msg_free(m);
	m = must_parse("redmine__thunderbird_with_attachment_iso-8859-1.eml");
	g_assert_nonnull(find_attachment(m, "ÄäÖöÜüÄäÖöÜüÄäÖöÜüÄäÖöÜüÄäÖöÜü"
	    "ÄäÖöÜüÄäÖöÜüÄäÖöÜüÄäÖöÜüÄäÖöÜüÄäÖöÜü.png"));
	msg_free(m);
}

/* Headers and nothing else; a bad charset name; damaged UTF-8. */
static void
test_broken_bodies(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mail__missing_body.eml");
	g_assert_cmpstr(m->subject, ==, "REDACTED");
	g_assert_cmpstr(m->body, ==, "");
	g_assert_cmpuint(m->attachments->len, ==, 0);
	msg_free(m);
	m = must_parse("mmp__invalid-charset.eml");
	g_assert_true(g_str_has_prefix(m->body, "The Hare and the Tortoise"));
	msg_free(m);
	m = must_parse("redmine__invalid_utf8.eml");	/* not windows-1252 */
	g_assert_true(g_str_has_prefix(m->body, "Здравствуйте"));
	msg_free(m);
}

/* A UTF-8 byte order mark before "From:" does not hide the sender. */
static void
test_byte_order_mark(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("mimekit__feedback-report.eml");
	g_assert_cmpstr(m->from.addr, ==, "abusedesk@example.com");
	g_assert_cmpstr(m->subject, ==, "FW: Earn money");
	msg_free(m);
}

/* What autoreply.c and the loop checks read. */
static void
test_list_and_autoreply_headers(void)
{
	struct msg	*m;

	CORPUS_OR_SKIP();
	/* Precedence twice: the first wins. */
	m = must_parse("james__frnog.eml");
	g_assert_cmpstr(m->list_id, ==, "<frnog.frnog.org>");
	g_assert_cmpstr(m->precedence, ==, "list");
	g_assert_cmpstr(msg_header(m, "List-Id"), ==, "<frnog.frnog.org>");
	g_assert_cmpstr(msg_header(m, "X-Loop"), ==, "frnog@frnog.org");
	g_assert_null(msg_header(m, "X-No-Such-Header"));
	g_assert_nonnull(strstr(m->body, "Je cherche un partenaire"));
	msg_free(m);
	m = must_parse("sisimai__rfc3834-01.eml");
	g_assert_cmpstr(m->auto_submitted, ==, "auto-replied");
	g_assert_cmpint(m->date, ==, 1114785285);
	msg_free(m);
	m = must_parse("mail__utf8_headers.eml");	/* raw UTF-8, no Date */
	g_assert_cmpstr(m->subject, ==, "Säying Hello");
	g_assert_cmpstr(m->from.name, ==, "Jöhn Doe");
	g_assert_cmpint(m->date, ==, 0);
	g_assert_null(m->message_id);
	msg_free(m);
}

/* An attached message keeps the name its sender gave it. */
static void
test_nested_message_name(void)
{
	const struct msg_attachment *a;
	struct msg	*m;

	CORPUS_OR_SKIP();
	m = must_parse("james__recursiveMail.eml");
	g_assert_nonnull(find_attachment(m, "Courbe Sprint.eml"));
	a = find_attachment(m, "Sprint-2015-05-18.ods");
	g_assert_nonnull(a);
	g_assert_true(a->nested);
	g_assert_cmpstr(m->body, ==, "Forward as attachment !\n\n\n");
	msg_free(m);
}

/* Named and numeric entities of real HTML mail. */
static void
test_html_entities(void)
{
	struct msg_limits lim = msg_limits_default();
	struct msg	*m;
	char		*path;

	path = write_tmp("From: a@example.test\r\nSubject: h\r\n"
	    "Content-Type: text/html\r\n\r\n<p>a&shy;b&#1;c &unknown; "
	    "&lt;x&gt; &#x20AC;&nbsp;&nbsp;d</p>\r\n");
	m = msg_parse_file(path, &lim, attach_dir, NULL);
	g_assert_nonnull(m);
	g_assert_cmpstr(m->body, ==, "abc &unknown; <x> € d");
	msg_free(m);
	g_free(path);
	CORPUS_OR_SKIP();
	m = must_parse("mailparser__spam.eml");
	g_assert_nonnull(strstr(m->body, "Freundliche Grüße"));
	g_assert_nonnull(strstr(m->body, "„asozialer Penner“"));
	msg_free(m);
}

#define BOMB_BYTES	(1 << 20)

/* A text/html message: head, then BOMB_BYTES of '&', then tail. */
static GBytes *
ampersand_bomb(const char *head, const char *tail)
{
	GString	*s = g_string_new("From: a@example.test\r\nSubject: h\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n\r\n");
	gsize	 len;

	g_string_append(s, head);
	len = s->len;
	g_string_set_size(s, len + BOMB_BYTES);
	memset(s->str + len, '&', BOMB_BYTES);
	g_string_append(s, tail);
	len = s->len;
	return g_bytes_new_take(g_string_free(s, FALSE), len);
}

/*
 * A megabyte of '&' parses (the ';' of an entity is looked for no
 * further than the longest entity, not to the end of the text), and the
 * entities around it still decode; a stray '&', an entity too long or
 * unterminated stays as it is.
 */
static void
test_ampersand_bomb(void)
{
	struct msg_limits lim = msg_limits_default();
	GBytes		*raw = ampersand_bomb("&amp; &eacute; &#233; &#x41; "
	    "AT&T &#4294967361; &verylongname; x&", "&amp;lt;&eacute");
	GError		*err = NULL;
	GString		*want = g_string_new("& \xc3\xa9 \xc3\xa9 A AT&T "
	    "&#4294967361; &verylongname; x&");
	struct msg	*m;
	gsize		 len = want->len;

	g_string_set_size(want, len + BOMB_BYTES);
	memset(want->str + len, '&', BOMB_BYTES);
	g_string_append(want, "&lt;&eacute");
	m = msg_parse_data(raw, &lim, attach_dir, &err);
	g_assert_no_error(err);
	g_assert_nonnull(m);
	g_assert_cmpuint(strlen(m->body), ==, want->len);
	g_assert_cmpstr(m->body, ==, want->str);
	msg_free(m);
	g_string_free(want, TRUE);
	g_bytes_unref(raw);
}

/*
 * A parse over its time budget stops with the reason the quarantine
 * shows, and the HTML converter checks the budget within its loop, not
 * only once it is done.
 */
static void
test_budget_stops_parsing(void)
{
	struct msg_limits lim = msg_limits_default();
	struct msg_budget b;
	GBytes		*raw = ampersand_bomb("<p>", "</p>");
	GError		*err = NULL;
	const char	*html;

	lim.time_budget_s = 1e-9;
	g_assert_null(msg_parse_data(raw, &lim, attach_dir, &err));
	g_assert_nonnull(err);
	g_test_message("refused: %s", err->message);
	g_assert_true(g_str_has_prefix(err->message, "parse time budget of "
	    "1e-09 s exceeded in "));
	g_clear_error(&err);
	msg_budget_start(&b, 1e-6);
	g_usleep(1000);
	html = strstr(g_bytes_get_data(raw, NULL), "<p>");
	g_assert_null(msg_html_to_text(html, &b, &err));
	g_assert_nonnull(err);
	g_assert_cmpstr(err->message, ==, "parse time budget of 1e-06 s "
	    "exceeded in HTML to text");
	g_clear_error(&err);
	g_bytes_unref(raw);
}

/* These bytes are refused as "not a MIME message". */
static void
assert_not_mime(const void *bytes, gssize len)
{
	struct msg_limits lim = msg_limits_default();
	char		*path = g_build_filename(attach_dir, "junk.eml", NULL);
	GError		*err = NULL;

	g_assert_true(g_file_set_contents(path, bytes, len, NULL));
	g_assert_null(msg_parse_file(path, &lim, attach_dir, &err));
	g_test_message("refused: %s", err->message);
	g_assert_true(g_str_has_prefix(err->message, "not a MIME message"));
	g_clear_error(&err);
	g_free(path);
}

/* Not mail at all: NULL and a reason, never a crash. */
static void
test_garbage_quarantined(void)
{
	struct msg_limits lim = msg_limits_default();
	guint8		 junk[4096];
	GBytes		*empty;
	GError		*err = NULL;
	size_t		 i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (guint8)(i * 7919 % 251);
	assert_not_mime("", 0);
	assert_not_mime("no colon on this line\n", -1);
	assert_not_mime(junk, sizeof(junk));
	g_assert_null(msg_parse_file("/nonexistent/x.eml", &lim, attach_dir,
	    &err));
	g_assert_nonnull(strstr(err->message, "cannot open"));
	g_clear_error(&err);
	empty = g_bytes_new(NULL, 0);
	g_assert_null(msg_parse_data(empty, &lim, attach_dir, &err));
	g_assert_true(g_str_has_prefix(err->message, "not a MIME message"));
	g_clear_error(&err);
	g_bytes_unref(empty);
	msg_free(NULL);
}

/*
 * Converters are kept open per thread: one left half-way through a bad
 * sequence starts clean next time, and a table emptied when full (more
 * charsets than it keeps) converts as well as before.
 */
static void
test_converters_reused(void)
{
	static const char *const many[] = { "ISO-8859-1", "ISO-8859-2",
	    "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6",
	    "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10",
	    "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16",
	    "KOI8-R", "KOI8-U", "CP1250", "CP1251", "CP1252", "CP1253",
	    "CP1254", "CP1255", "CP1256", "CP1257", "CP1258", "CP437",
	    "CP850", "CP852", "CP866", "MACINTOSH", "TIS-620", "EUC-JP",
	    "SHIFT_JIS", "GB2312", "BIG5", "EUC-KR", "ISO-2022-JP" };
	char	*out;
	guint	 round, i;

	for (round = 0; round < 2; round++) {
		/* ESC $ B switches to JIS X 0208; 0x80 is bad in it. */
		out = msg_text_to_utf8("\x1b$B\x80\x80", 5, "iso-2022-jp");
		g_assert_true(g_utf8_validate(out, -1, NULL));
		g_free(out);
		/* Read in the state left, "ab" would be a kanji. */
		out = msg_text_to_utf8("ab", 2, "iso-2022-jp");
		g_assert_cmpstr(out, ==, "ab");
		g_free(out);
		for (i = 0; i < G_N_ELEMENTS(many); i++) {
			out = msg_text_to_utf8("plain A-z", 9, many[i]);
			g_assert_cmpstr(out, ==, "plain A-z");
			g_free(out);
		}
		out = msg_text_to_utf8("r\xe9" "clamation", 11, "iso-8859-1");
		g_assert_cmpstr(out, ==, "r\xc3\xa9" "clamation");
		g_free(out);
		out = msg_text_to_utf8("\x80 re\xe7u", 6, "windows-1252");
		g_assert_cmpstr(out, ==, "\xe2\x82\xac re\xc3\xa7u");
		g_free(out);
	}
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	corpus = tu_corpus_dir(argc, argv);
	if (corpus == NULL && !g_test_subprocess())
		printf("# SKIP corpus tests: no corpus found (set "
		    "RECOURSD_CORPUS to shared/corpus)\n");
	attach_dir = tu_tmpdir("test_msg");
	g_test_add_func("/msg/whole-corpus", test_whole_corpus);
	g_test_add_func("/msg/first-line-not-a-header",
	    test_first_line_not_a_header);
	g_test_add_func("/msg/cr-only-line-endings", test_cr_only_line_endings);
	g_test_add_func("/msg/french-subjects", test_french_subjects);
	g_test_add_func("/msg/attachment-names", test_attachment_names);
	g_test_add_func("/msg/undeclared-8bit", test_undeclared_8bit);
	g_test_add_func("/msg/converters-reused", test_converters_reused);
	g_test_add_func("/msg/nested-message", test_nested_message);
	g_test_add_func("/msg/threading-headers", test_threading_headers);
	g_test_add_func("/msg/tnef-kept-with-reason", test_tnef_kept_with_reason);
	g_test_add_func("/msg/tnef-body-only", test_tnef_body_only);
	g_test_add_func("/msg/tnef-unpacked", test_tnef_unpacked);
	g_test_add_func("/msg/rfc2231-names", test_rfc2231_names);
	g_test_add_func("/msg/broken-bodies", test_broken_bodies);
	g_test_add_func("/msg/byte-order-mark", test_byte_order_mark);
	g_test_add_func("/msg/list-and-autoreply-headers",
	    test_list_and_autoreply_headers);
	g_test_add_func("/msg/nested-message-name", test_nested_message_name);
	g_test_add_func("/msg/html-entities", test_html_entities);
	g_test_add_func("/msg/ampersand-bomb", test_ampersand_bomb);
	g_test_add_func("/msg/budget-stops-parsing", test_budget_stops_parsing);
	g_test_add_func("/msg/garbage-quarantined", test_garbage_quarantined);
	g_test_add_func("/msg/huge-header", test_huge_header);
	g_test_add_func("/msg/limits-quarantine-with-reason",
	    test_limits_quarantine_with_reason);
	g_test_add_func("/msg/hostile-file-names", test_hostile_file_names);
	g_test_add_func("/msg/html-only-body", test_html_only_body);
	g_test_add_func("/msg/undeclared-windows-1252",
	    test_undeclared_windows_1252);
	g_test_add_func("/msg/large-attachment-flat-memory",
	    test_large_attachment_flat_memory);
	g_test_add_func("/msg/content-addressed-once",
	    test_content_addressed_once);
	rc = g_test_run();
	tu_rm_rf(attach_dir);
	g_free(attach_dir);
	g_free(corpus);
	g_mime_shutdown();
	return rc;
}
