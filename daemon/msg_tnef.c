/*
 * msg_tnef.c: Outlook's winmail.dat (application/ms-tnef), unpacked with
 * libytnef into the attachments and the body it hides, so that a case
 * never looks empty.  What cannot be unpacked is kept as winmail.dat and
 * the reason is recorded in msg->tnef_problem for staff.
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
static char	*attachment_name(Attachment *);
static int	 unpack_attachments(struct msg_walk *, TNEFStruct *);
static int	 unpack_body(struct msg_walk *, TNEFStruct *);

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

static char *
attachment_name(Attachment *a)
{
	variableLength	*v;

	v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_UNICODE,
	    PR_ATTACH_LONG_FILENAME));
	if (v != MAPI_UNDEFINED && v->size > 2)
		return g_utf16_to_utf8((const gunichar2 *)v->data,
		    v->size / 2, NULL, NULL, NULL);
	v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_STRING8,
	    PR_ATTACH_LONG_FILENAME));
	if (v != MAPI_UNDEFINED && v->size > 1)
		return msg_text_to_utf8((const char *)v->data,
		    strnlen((const char *)v->data, (size_t)v->size), NULL);
	if (a->Title.size > 1)
		return msg_text_to_utf8((const char *)a->Title.data,
		    strnlen((const char *)a->Title.data, (size_t)a->Title.size),
		    NULL);
	return g_strdup("attachment");
}

static int
unpack_attachments(struct msg_walk *w, TNEFStruct *t)
{
	Attachment	*a;
	int		 n = 0;

	for (a = t->starting_attach.next; a != NULL; a = a->next) {
		char	*name;

		if (a->FileData.size <= 0 || a->FileData.data == NULL)
			continue;
		name = attachment_name(a);
		if (msg_attach_bytes(w, a->FileData.data,
		    (gsize)a->FileData.size, name, "application/octet-stream",
		    TRUE, NULL))
			n++;
		g_free(name);
	}
	return n;
}

/*
 * Plain body if there is one; a compressed RTF body becomes body.rtf.
 * Returns how many things it found.
 */
static int
unpack_body(struct msg_walk *w, TNEFStruct *t)
{
	variableLength	*v;
	BYTE		*rtf;
	int		 size = 0, n = 0;
	char		*text;

	if (t->body.size > 1) {
		text = msg_text_to_utf8((const char *)t->body.data,
		    strnlen((const char *)t->body.data, (size_t)t->body.size),
		    NULL);
		if (w->plain->len > 0)
			g_string_append(w->plain, "\n\n");
		g_string_append(w->plain, text);
		g_free(text);
		n++;
	}
	v = MAPIFindProperty(&t->MapiProperties, PROP_TAG(PT_BINARY,
	    PR_RTF_COMPRESSED));
	if (v == MAPI_UNDEFINED || (rtf = DecompressRTF(v, &size)) == NULL)
		return n;
	if (size > 0 && msg_attach_bytes(w, rtf, (gsize)size, "body.rtf",
	    "application/rtf", TRUE, NULL))
		n++;
	free(rtf);
	return n;
}

void
msg_tnef_unpack(struct msg_walk *w, GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream	*mem;
	GByteArray	*bytes;
	TNEFStruct	 t;

	if (g_mime_stream_length(g_mime_data_wrapper_get_stream(content)) >
	    MAX_TNEF_BYTES) {
		keep_packed(w, part, "winmail.dat is too large to unpack");
		return;
	}
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	TNEFInitialize(&t);
	t.Debug = 0;	/* it would print to stdout */
	/* The TNEF signature 0x223E9F78, little-endian: libytnef would
	 * print its own complaint about anything else. */
	if (bytes->len < 4 || memcmp(bytes->data, "\x78\x9f\x3e\x22", 4) != 0 ||
	    TNEFParseMemory(bytes->data, (long)bytes->len, &t) != 0)
		keep_packed(w, part, "winmail.dat is not valid TNEF: kept as "
		    "it came, open it with a TNEF reader");
	else if (unpack_attachments(w, &t) + unpack_body(w, &t) == 0)
		keep_packed(w, part, "winmail.dat holds neither a body nor "
		    "an attachment that could be read");
	TNEFFree(&t);
	g_object_unref(mem);
}
