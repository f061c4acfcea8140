/*
 * msg_tnef.c: Outlook's winmail.dat (application/ms-tnef), unpacked with
 * libytnef into the attachments and the body it hides, so that a case
 * never looks empty.  What cannot be unpacked is kept as winmail.dat and
 * the reason is recorded in msg->tnef_problem for staff.  The parse's
 * time budget is checked after libytnef's parse and at every attachment.
 *
 * libytnef prints its own complaints about corrupt TNEF on stdout; we
 * cannot silence it short of redirecting the process's stdout.
 */
#include "config.h"

#include <stdio.h>	/* ytnef.h needs FILE */
#include <stdlib.h>
#include <string.h>
#include <ytnef.h>

#include "msg_int.h"

/* winmail.dat is parsed from memory: bound it. */
#define MAX_TNEF_BYTES	(32 << 20)

static void	 keep_packed(struct msg_walk *, GMimePart *, const char *);
static const char *codepage_charset(TNEFStruct *);
static char	*mapi_text(MAPIProps *, unsigned int, const char *);
static char	*attachment_name(Attachment *);
static int	 unpack_attachments(struct msg_walk *, TNEFStruct *,
		    GError **);
static void	 append_text(GString *, const char *);
static int	 unpack_body(struct msg_walk *, TNEFStruct *);
static int	 unpack_rtf(struct msg_walk *, TNEFStruct *);

/* Keep winmail.dat itself, and say why it stayed packed. */
static void
keep_packed(struct msg_walk *w, GMimePart *part, const char *why)
{
	if (w->m->tnef_problem == NULL)
		w->m->tnef_problem = g_strdup(why);
	(void)msg_attach_wrapper(w, g_mime_part_get_content(part),
	    g_mime_part_get_filename(part) != NULL ?
	    g_mime_part_get_filename(part) : "winmail.dat",
	    "application/ms-tnef", FALSE, NULL);
}

/*
 * 8-bit MAPI strings are in the message's code page (PR_INTERNET_CPID);
 * its charset name, or NULL to let msg_text_to_utf8() guess.
 */
static const char *
codepage_charset(TNEFStruct *t)
{
	static const struct {
		DWORD		 cp;
		const char	*name;
	} map[] = {
		{ 65001, "UTF-8" }, { 20127, "US-ASCII" }, { 20866, "KOI8-R" },
		{ 21866, "KOI8-U" }, { 1250, "WINDOWS-1250" },
		{ 1251, "WINDOWS-1251" }, { 1252, "WINDOWS-1252" },
		{ 1253, "WINDOWS-1253" }, { 1254, "WINDOWS-1254" },
		{ 1255, "WINDOWS-1255" }, { 1256, "WINDOWS-1256" },
		{ 1257, "WINDOWS-1257" }, { 1258, "WINDOWS-1258" },
		{ 28591, "ISO-8859-1" }, { 28592, "ISO-8859-2" },
		{ 28595, "ISO-8859-5" }, { 28605, "ISO-8859-15" },
		{ 932, "SHIFT_JIS" }, { 936, "GBK" }, { 949, "CP949" },
		{ 950, "BIG5" }, { 50220, "ISO-2022-JP" }, { 51932, "EUC-JP" },
		{ 54936, "GB18030" },
	};
	variableLength	*v;
	DWORD		 cp;
	size_t		 i;

	v = MAPIFindProperty(&t->MapiProperties, PROP_TAG(PT_LONG,
	    PR_INTERNET_CPID));
	if (v == MAPI_UNDEFINED || v->size < 4)
		return NULL;
	cp = SwapDWord(v->data, 4);
	for (i = 0; i < G_N_ELEMENTS(map); i++)
		if (map[i].cp == cp)
			return map[i].name;
	return NULL;
}

/* A string property as UTF-8 (UTF-16, 8-bit or binary), or NULL. */
static char *
mapi_text(MAPIProps *p, unsigned int id, const char *charset)
{
	variableLength	*v;

	v = MAPIFindProperty(p, PROP_TAG(PT_UNICODE, id));
	if (v != MAPI_UNDEFINED && v->size >= 2)
		return g_utf16_to_utf8((const gunichar2 *)v->data,
		    v->size / 2, NULL, NULL, NULL);
	v = MAPIFindProperty(p, PROP_TAG(PT_STRING8, id));
	if (v == MAPI_UNDEFINED)
		v = MAPIFindProperty(p, PROP_TAG(PT_BINARY, id));
	if (v != MAPI_UNDEFINED && v->size > 0)
		return msg_text_to_utf8((const char *)v->data,
		    strnlen((const char *)v->data, (size_t)v->size), charset);
	return NULL;
}

static char *
attachment_name(Attachment *a)
{
	char	*name;

	name = mapi_text(&a->MAPI, PR_ATTACH_LONG_FILENAME, NULL);
	if (name != NULL && *name != '\0')
		return name;
	g_free(name);
	if (a->Title.size > 1)
		return msg_text_to_utf8((const char *)a->Title.data,
		    strnlen((const char *)a->Title.data, (size_t)a->Title.size),
		    NULL);
	return g_strdup("attachment");
}

/* How many attachments were unpacked, or -1 over the budget. */
static int
unpack_attachments(struct msg_walk *w, TNEFStruct *t, GError **err)
{
	Attachment	*a;
	int		 n = 0;

	for (a = t->starting_attach.next; a != NULL; a = a->next) {
		char	*name, *type;

		if (!msg_budget_check(w->budget, "TNEF", err))
			return -1;
		if (a->FileData.size <= 0 || a->FileData.data == NULL)
			continue;
		name = attachment_name(a);
		type = mapi_text(&a->MAPI, PR_ATTACH_MIME_TAG, NULL);
		if (type == NULL || strchr(type, '/') == NULL ||
		    strpbrk(type, " \t\r\n;") != NULL) {
			g_free(type);
			type = g_strdup("application/octet-stream");
		}
		if (msg_attach_bytes(w, a->FileData.data,
		    (gsize)a->FileData.size, name, type, TRUE, NULL))
			n++;
		g_free(type);
		g_free(name);
	}
	return n;
}

static void
append_text(GString *into, const char *text)
{
	if (into->len > 0 && *text != '\0')
		g_string_append(into, "\n\n");
	g_string_append(into, text);
}

/*
 * The body: plain text (attBody, else PR_BODY), else HTML (PR_BODY_HTML),
 * which joins the message's HTML and is used only when there is no plain
 * text anywhere.  Inside an attached message the body stays in its .eml,
 * as for MIME text.  Returns how many bodies it found.
 */
static int
unpack_body(struct msg_walk *w, TNEFStruct *t)
{
	const char	*cs = codepage_charset(t);
	char		*text = NULL, *html;

	if (t->body.size > 1)
		text = msg_text_to_utf8((const char *)t->body.data,
		    strnlen((const char *)t->body.data, (size_t)t->body.size),
		    cs);
	if (text == NULL || *text == '\0') {
		g_free(text);
		text = mapi_text(&t->MapiProperties, PR_BODY, cs);
	}
	if (text != NULL && *text != '\0') {
		if (w->nested == 0)
			append_text(w->plain, text);
		g_free(text);
		return 1;
	}
	g_free(text);
	if ((html = mapi_text(&t->MapiProperties, PR_BODY_HTML, cs)) == NULL)
		return 0;
	if (w->nested == 0 && w->html->len == 0)
		g_string_append(w->html, html);
	g_free(html);
	return 1;
}

/* A compressed RTF body (Outlook's rich text) becomes body.rtf. */
static int
unpack_rtf(struct msg_walk *w, TNEFStruct *t)
{
	variableLength	*v;
	BYTE		*rtf;
	int		 size = 0, n = 0;

	v = MAPIFindProperty(&t->MapiProperties, PROP_TAG(PT_BINARY,
	    PR_RTF_COMPRESSED));
	if (v == MAPI_UNDEFINED || (rtf = DecompressRTF(v, &size)) == NULL)
		return 0;
	if (size > 0 && msg_attach_bytes(w, rtf, (gsize)size, "body.rtf",
	    "application/rtf", TRUE, NULL))
		n = 1;
	free(rtf);
	return n;
}

gboolean
msg_tnef_unpack(struct msg_walk *w, GMimePart *part, GError **err)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream	*mem;
	GByteArray	*bytes;
	TNEFStruct	 t;
	int		 n;
	gboolean	 ok = TRUE;

	if (g_mime_stream_length(g_mime_data_wrapper_get_stream(content)) >
	    MAX_TNEF_BYTES) {
		keep_packed(w, part, "winmail.dat is too large to unpack");
		return TRUE;
	}
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	TNEFInitialize(&t);
	t.Debug = 0;
	/* The TNEF signature 0x223E9F78, little-endian. */
	if (bytes->len < 4 || memcmp(bytes->data, "\x78\x9f\x3e\x22", 4) != 0)
		keep_packed(w, part, "winmail.dat is not TNEF (no TNEF "
		    "signature): kept as it came");
	else if (TNEFParseMemory(bytes->data, (long)bytes->len, &t) != 0)
		keep_packed(w, part, "winmail.dat could not be unpacked "
		    "(libytnef refused it): kept as it came, open it with a "
		    "TNEF reader");
	else if (!msg_budget_check(w->budget, "TNEF", err) ||
	    (n = unpack_attachments(w, &t, err)) == -1)
		ok = FALSE;
	else if (n + unpack_body(w, &t) + unpack_rtf(w, &t) == 0)
		/* Read in full, only properties (Exchange sends these next
		 * to a MIME body): nothing is hidden, staff need no word. */
		(void)msg_attach_wrapper(w, content, "winmail.dat",
		    "application/ms-tnef", FALSE, NULL);
	TNEFFree(&t);
	g_object_unref(mem);
	return ok;
}
