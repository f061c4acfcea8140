/*
 * compose.c: see compose.h.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "compose.h"

static char	*one_line(const char *);
static void	 set_header(GMimeObject *, const char *, const char *);
static char	*references(const char *, const char *);

static GQuark
compose_quark(void)
{
	return g_quark_from_static_string("recoursd-compose");
}

/* A header value: one line, whatever it came from. */
static char *
one_line(const char *s)
{
	char	*v, *p;

	v = g_utf8_make_valid(s != NULL ? s : "", -1);
	for (p = v; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return v;
}

static void
set_header(GMimeObject *o, const char *name, const char *value)
{
	char	*v;

	if (value == NULL || *value == '\0')
		return;
	v = one_line(value);
	g_mime_object_set_header(o, name, v, "utf-8");
	g_free(v);
}

/* RFC 5322 §3.6.4: the parent's References, then the parent. */
static char *
references(const char *parents, const char *parent)
{
	GString	*out = g_string_new(NULL);
	char	**ids = g_strsplit(parents != NULL ? parents : "", " ", -1);
	guint	 i;

	for (i = 0; ids[i] != NULL; i++)
		if (*ids[i] != '\0')
			g_string_append_printf(out, "<%s> ", ids[i]);
	g_string_append_printf(out, "<%s>", parent);
	g_strfreev(ids);
	return g_string_free(out, FALSE);
}

gboolean
compose_address_ok(const char *a)
{
	return a != NULL && *a != '\0' && strlen(a) <= 254 &&
	    strpbrk(a, "\r\n<> \t") == NULL && strchr(a, '@') != NULL;
}

static GMimeObject *with_files(GMimeTextPart *, const struct compose_file *,
		    guint);

/* multipart/mixed: the text, then each file that can be read, in base64. */
static GMimeObject *
with_files(GMimeTextPart *text, const struct compose_file *files, guint n)
{
	GMimeMultipart	*mixed = g_mime_multipart_new_with_subtype("mixed");
	guint		 i;

	g_mime_multipart_add(mixed, GMIME_OBJECT(text));
	for (i = 0; i < n; i++) {
		GMimeContentType *ct = g_mime_content_type_parse(NULL,
		    files[i].content_type != NULL ? files[i].content_type :
		    "application/octet-stream");
		GMimePart	*part;
		GMimeStream	*stream;
		GMimeDataWrapper *wrapper;
		gchar		*data;
		gsize		 len;

		if (!g_file_get_contents(files[i].path, &data, &len, NULL)) {
			g_object_unref(ct);
			continue;
		}
		part = g_mime_part_new_with_type(
		    g_mime_content_type_get_media_type(ct),
		    g_mime_content_type_get_media_subtype(ct));
		g_object_unref(ct);
		stream = g_mime_stream_mem_new_with_buffer(data, len);
		wrapper = g_mime_data_wrapper_new_with_stream(stream,
		    GMIME_CONTENT_ENCODING_DEFAULT);
		g_mime_part_set_content(part, wrapper);
		g_mime_part_set_filename(part, files[i].filename);
		g_mime_part_set_content_encoding(part,
		    GMIME_CONTENT_ENCODING_BASE64);
		g_mime_multipart_add(mixed, GMIME_OBJECT(part));
		g_object_unref(wrapper);
		g_object_unref(stream);
		g_object_unref(part);
		g_free(data);
	}
	return GMIME_OBJECT(mixed);
}

GBytes *
compose_message(const struct compose_mail *m, char **message_id,
    GError **err)
{
	GMimeFormatOptions *fmt;
	GMimeMessage	*msg;
	GMimeTextPart	*body;
	GMimeStream	*stream;
	GMimeDataWrapper *wrapper;
	GDateTime	*date;
	char		*id, *subject, *text, *s, *loop, *refs = NULL;

	if (!compose_address_ok(m->from_addr) || !compose_address_ok(m->to_addr)) {
		g_set_error(err, compose_quark(), 0, "cannot send to \"%s\" "
		    "from \"%s\": not a plain e-mail address",
		    m->to_addr ? m->to_addr : "", m->from_addr ? m->from_addr : "");
		return NULL;
	}
	msg = g_mime_message_new(TRUE);
	s = one_line(m->from_name);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, s, m->from_addr);
	g_free(s);
	s = one_line(m->to_name);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, s, m->to_addr);
	g_free(s);
	if (m->reply_to != NULL && compose_address_ok(m->reply_to))
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO,
		    NULL, m->reply_to);
	subject = one_line(m->subject);
	g_mime_message_set_subject(msg, subject, "utf-8");
	date = g_date_time_new_from_unix_utc(m->date);
	if (m->tz != NULL) {
		GDateTime *local = g_date_time_to_timezone(date, m->tz);

		g_date_time_unref(date);
		date = local;
	}
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	id = m->message_id != NULL ? g_strdup(m->message_id) :
	    g_mime_utils_generate_message_id(m->domain);
	g_mime_message_set_message_id(msg, id);
	if (m->in_reply_to != NULL && *m->in_reply_to != '\0') {
		s = g_strdup_printf("<%s>", m->in_reply_to);
		set_header(GMIME_OBJECT(msg), "In-Reply-To", s);
		g_free(s);
		refs = references(m->references, m->in_reply_to);
		set_header(GMIME_OBJECT(msg), "References", refs);
		g_free(refs);
	}
	set_header(GMIME_OBJECT(msg), "Auto-Submitted", m->auto_submitted);
	loop = g_strdup_printf("recoursd@%s", m->domain);
	set_header(GMIME_OBJECT(msg), "X-Loop", loop);
	g_free(loop);
	set_header(GMIME_OBJECT(msg), "Content-Language",
	    m->lang != NULL ? m->lang : "fr");

	/*
	 * The text as UTF-8 bytes: g_mime_text_part_set_text() would pick a
	 * "best" charset (often ISO-8859-1) and convert to it.
	 */
	body = g_mime_text_part_new_with_subtype("plain");
	text = g_utf8_make_valid(m->body != NULL ? m->body : "", -1);
	stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	wrapper = g_mime_data_wrapper_new_with_stream(stream,
	    GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(body), wrapper);
	g_object_unref(wrapper);
	g_object_unref(stream);
	g_free(text);
	g_mime_text_part_set_charset(body, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(body),
	    GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	if (m->nfiles > 0) {
		GMimeObject *mixed = with_files(body, m->files, m->nfiles);

		g_mime_message_set_mime_part(msg, mixed);
		g_object_unref(mixed);
	} else
		g_mime_message_set_mime_part(msg, GMIME_OBJECT(body));
	g_object_unref(body);

	fmt = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fmt, GMIME_NEWLINE_FORMAT_DOS);
	text = g_mime_object_to_string(GMIME_OBJECT(msg), fmt);
	g_mime_format_options_free(fmt);
	*message_id = id;
	g_free(subject);
	g_object_unref(msg);
	return g_bytes_new_take(text, strlen(text));
}
