/*
 * msg.c: see msg.h.  Parsing is from a GMimeStreamFs with a persistent
 * stream, so parts stay on disk until written out (idioms.md §3.2).  The
 * walk counts parts and depth; the time budget is checked after GMime's
 * parse, at every part and within every loop over content (msg_int.h),
 * so that no single message can stall its mailbox.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "msg_int.h"

static GMimeParserOptions *parser_options(void);
static GMimeStream *lf_stream(GMimeStream *, const char *);
static GMimeStream *skip_bom(GMimeStream *);
static struct msg *parse_stream(GMimeStream *, const struct msg_limits *,
		    const char *, GError **);
static GMimeStream *cr_to_lf_copy(GMimeStream *, const char *);
static gint64	 first_header_line(GMimeStream *);
static GMimeMessage *construct(GMimeStream *, GMimeParserOptions *,
		    gsize *);
static gboolean	 read_body(struct msg *, GMimeMessage *,
		    const struct msg_limits *, const char *, struct msg_budget *,
		    GError **);
static gboolean	 walk(struct msg_walk *, GMimeObject *, guint, GError **);
static gboolean	 walk_part(struct msg_walk *, GMimePart *, GError **);
static gboolean	 walk_message_part(struct msg_walk *, GMimeMessagePart *,
		    guint, GError **);
static char	*attached_message_name(GMimeMessagePart *, GMimeMessage *);
static gboolean	 is_inline_text(GMimePart *, const char *);
static void	 read_headers(struct msg *, GMimeMessage *,
		    GMimeParserOptions *);
static void	 read_address(struct msg_address *, InternetAddressList *);
static GPtrArray *read_addresses(InternetAddressList *);
static char	*clean_line(const char *);
static char	*first_message_id(const char *);
static void	 address_free(gpointer);
static void	 attachment_free(gpointer);

G_DEFINE_QUARK(recoursd-msg-error-quark, msg_error)

void
msg_budget_start(struct msg_budget *b, gdouble seconds)
{
	b->deadline = g_get_monotonic_time() +
	    (gint64)(seconds * G_USEC_PER_SEC);
	b->seconds = seconds;
	b->ticks = 0;
}

gboolean
msg_budget_check(struct msg_budget *b, const char *stage, GError **err)
{
	if (g_get_monotonic_time() <= b->deadline)
		return TRUE;
	g_set_error(err, MSG_ERROR, 0, "parse time budget of %g s exceeded "
	    "in %s", b->seconds, stage);
	return FALSE;
}

gboolean
msg_budget_tick(struct msg_budget *b, const char *stage, GError **err)
{
	if (++b->ticks % MSG_BUDGET_TICKS != 0)
		return TRUE;
	return msg_budget_check(b, stage, err);
}

struct msg_limits
msg_limits_default(void)
{
	struct msg_limits l = {
		.max_size = 64 << 20,
		.max_parts = 1000,
		.max_header_bytes = 1 << 20,
		.max_depth = 20,
		.time_budget_s = 30.0,
		.max_text_bytes = 4 << 20,
	};

	return l;
}

/* Lenient on what real mail gets wrong (doc/LENIENCY.md). */
static GMimeParserOptions *
parser_options(void)
{
	static const char *fallback[] = { "utf-8", "windows-1252", NULL };
	GMimeParserOptions *o = g_mime_parser_options_new();

	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	return o;
}


/*
 * Classic Mac files end lines with CR alone, and GMime then sees one
 * endless header line.  Such a file is parsed from a copy with LF; the
 * copy is unlinked at once and lives as long as the stream.
 */
static GMimeStream *
cr_to_lf_copy(GMimeStream *in, const char *tmpdir)
{
	GMimeStream	*out;
	char		 buf[65536], *tmp;
	gssize		 n, i;
	int		 fd;

	g_mkdir_with_parents(tmpdir, 0750);
	tmp = g_build_filename(tmpdir, "cr.XXXXXX", NULL);
	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1)
		unlink(tmp);
	g_free(tmp);
	if (fd == -1)
		return NULL;
	out = g_mime_stream_fs_new(fd);
	g_mime_stream_reset(in);
	while ((n = g_mime_stream_read(in, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] == '\r')
				buf[i] = '\n';
		if (g_mime_stream_write(out, buf, (size_t)n) != n) {
			g_object_unref(out);
			return NULL;
		}
	}
	g_mime_stream_reset(out);
	return out;
}

/* s itself, or a CR-to-LF copy of it (doc/LENIENCY.md); takes s. */
static GMimeStream *
lf_stream(GMimeStream *s, const char *tmpdir)
{
	GMimeStream	*copy;
	char		 head[65536];
	gssize		 n;

	n = g_mime_stream_read(s, head, sizeof(head));
	g_mime_stream_reset(s);
	if (n <= 0 || memchr(head, '\n', (size_t)n) != NULL ||
	    memchr(head, '\r', (size_t)n) == NULL)
		return s;
	if ((copy = cr_to_lf_copy(s, tmpdir)) == NULL)
		return s;
	g_object_unref(s);
	return copy;
}

/*
 * A UTF-8 byte order mark before the first header hides that header
 * (doc/LENIENCY.md); s itself, or a substream after the mark; takes s.
 */
static GMimeStream *
skip_bom(GMimeStream *s)
{
	GMimeStream	*sub;
	char		 head[3];

	if (g_mime_stream_read(s, head, sizeof(head)) != sizeof(head) ||
	    memcmp(head, "\xef\xbb\xbf", sizeof(head)) != 0) {
		g_mime_stream_reset(s);
		return s;
	}
	g_mime_stream_reset(s);
	sub = g_mime_stream_substream(s, sizeof(head), g_mime_stream_length(s));
	g_object_unref(s);
	return sub;
}

/* Offset of the first line that looks like "Field-Name: value", or -1. */
static gint64
first_header_line(GMimeStream *s)
{
	char	 buf[8192], *line, *p;
	gssize	 n;

	g_mime_stream_reset(s);
	n = g_mime_stream_read(s, buf, sizeof(buf) - 1);
	g_mime_stream_reset(s);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = buf; (p = strchr(line, '\n')) != NULL; line = p + 1) {
		const char *c = p + 1;

		while (*c > ' ' && *c < 0x7f && *c != ':')
			c++;
		if (*c == ':' && c > p + 1)
			return (gint64)(p + 1 - buf);
	}
	return -1;
}

/*
 * Parse the message; when GMime finds no header at the very start (junk
 * or a broken first line), try again from the first line that looks like
 * a header (doc/LENIENCY.md).  header_bytes gets the header block's size.
 */
static GMimeMessage *
construct(GMimeStream *stream, GMimeParserOptions *opts, gsize *header_bytes)
{
	GMimeParser	*parser;
	GMimeMessage	*gm;
	GMimeStream	*sub;
	gint64		 begin, end, skip;

	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_persist_stream(parser, TRUE);
	gm = g_mime_parser_construct_message(parser, opts);
	if (gm == NULL && (skip = first_header_line(stream)) > 0) {
		g_object_unref(parser);
		sub = g_mime_stream_substream(stream, skip,
		    g_mime_stream_length(stream));
		parser = g_mime_parser_new_with_stream(sub);
		g_mime_parser_set_persist_stream(parser, TRUE);
		gm = g_mime_parser_construct_message(parser, opts);
		g_object_unref(sub);
	}
	begin = g_mime_parser_get_headers_begin(parser);
	end = g_mime_parser_get_headers_end(parser);
	*header_bytes = begin >= 0 && end >= begin ? (gsize)(end - begin) : 0;
	g_object_unref(parser);
	return gm;
}

/* Walk the parts: text body, attachments, limits. */
static gboolean
read_body(struct msg *m, GMimeMessage *gm, const struct msg_limits *lim,
    const char *attach_dir, struct msg_budget *budget, GError **err)
{
	struct msg_walk	 w;
	GMimeObject	*top = g_mime_message_get_mime_part(gm);
	gboolean	 ok = TRUE;

	memset(&w, 0, sizeof(w));
	w.m = m;
	w.lim = lim;
	w.attach_dir = attach_dir;
	w.budget = budget;
	w.plain = g_string_new(NULL);
	w.html = g_string_new(NULL);
	if (top != NULL)
		ok = walk(&w, top, 0, err);
	if (ok && (w.plain->len > 0 || w.html->len == 0)) {
		m->body = g_string_free(w.plain, FALSE);
		w.plain = NULL;
	} else if (ok)
		ok = (m->body = msg_html_to_text(w.html->str, budget,
		    err)) != NULL;
	if (w.plain != NULL)
		g_string_free(w.plain, TRUE);
	g_string_free(w.html, TRUE);
	return ok;
}

struct msg *
msg_parse_file(const char *path, const struct msg_limits *lim,
    const char *attach_dir, GError **err)
{
	GMimeStream	*s;
	GError		*e = NULL;

	if ((s = g_mime_stream_fs_open(path, O_RDONLY, 0, &e)) == NULL) {
		g_set_error(err, MSG_ERROR, 0, "cannot open %s: %s", path,
		    e->message);
		g_error_free(e);
		return NULL;
	}
	return parse_stream(s, lim, attach_dir, err);
}

struct msg *
msg_parse_data(GBytes *data, const struct msg_limits *lim,
    const char *attach_dir, GError **err)
{
	gsize		 len;
	const guint8	*p = g_bytes_get_data(data, &len);

	/* Empty GBytes may hold NULL, which GMime refuses. */
	return parse_stream(g_mime_stream_mem_new_with_buffer(p != NULL ?
	    (const char *)p : "", len), lim, attach_dir, err);
}

/* Takes stream. */
static struct msg *
parse_stream(GMimeStream *stream, const struct msg_limits *lim,
    const char *attach_dir, GError **err)
{
	GMimeParserOptions *opts = NULL;
	GMimeMessage	*gm = NULL;
	struct msg	*m = NULL;
	struct msg_budget budget;
	gsize		 header_bytes;

	msg_budget_start(&budget, lim->time_budget_s);
	g_mkdir_with_parents(attach_dir, 0750);
	stream = skip_bom(lf_stream(stream, attach_dir));
	if (g_mime_stream_length(stream) > lim->max_size) {
		g_set_error(err, MSG_ERROR, 0, "message too large (%" G_GINT64_FORMAT
		    " > %" G_GINT64_FORMAT " bytes)", g_mime_stream_length(stream),
		    lim->max_size);
		goto out;
	}
	opts = parser_options();
	if ((gm = construct(stream, opts, &header_bytes)) == NULL) {
		g_set_error(err, MSG_ERROR, 0, "not a MIME message: no header "
		    "block could be found");
		goto out;
	}
	if (header_bytes > lim->max_header_bytes) {
		g_set_error(err, MSG_ERROR, 0, "header block too large (%zu > "
		    "%zu bytes)", header_bytes, lim->max_header_bytes);
		goto out;
	}
	/* GMime has parsed the headers and the MIME structure by now. */
	if (!msg_budget_check(&budget, "MIME parsing", err))
		goto out;
	m = g_new0(struct msg, 1);
	m->header_bytes = header_bytes;
	m->gmime = g_object_ref(gm);
	m->attachments = g_ptr_array_new_with_free_func(attachment_free);
	read_headers(m, gm, opts);
	if (!msg_budget_check(&budget, "header decoding", err) ||
	    !read_body(m, gm, lim, attach_dir, &budget, err))
		goto fail;
	goto out;
fail:
	msg_free(m);
	m = NULL;
out:
	if (gm != NULL)
		g_object_unref(gm);
	if (opts != NULL)
		g_mime_parser_options_free(opts);
	g_object_unref(stream);
	return m;
}

/* Every part counts against the limits, whatever its kind. */
static gboolean
walk(struct msg_walk *w, GMimeObject *obj, guint depth, GError **err)
{
	int	 i, n;

	if (++w->m->parts > w->lim->max_parts) {
		g_set_error(err, MSG_ERROR, 0, "too many MIME parts (more than "
		    "%u)", w->lim->max_parts);
		return FALSE;
	}
	if (depth > w->lim->max_depth) {
		g_set_error(err, MSG_ERROR, 0, "MIME parts nested too deep "
		    "(more than %u levels)", w->lim->max_depth);
		return FALSE;
	}
	if (!msg_budget_check(w->budget, "MIME parts", err))
		return FALSE;
	if (GMIME_IS_MESSAGE_PART(obj))
		return walk_message_part(w, GMIME_MESSAGE_PART(obj), depth, err);
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++)
			if (!walk(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj),
			    i), depth + 1, err))
				return FALSE;
		return TRUE;
	}
	if (GMIME_IS_PART(obj))
		return walk_part(w, GMIME_PART(obj), err);
	return TRUE;
}

/*
 * An attached message is kept whole as NAME.eml, and its own attachments
 * are listed too (marked nested) so that staff see them without opening
 * it; its text does not join the body of the outer message.
 */
static gboolean
walk_message_part(struct msg_walk *w, GMimeMessagePart *mp, guint depth,
    GError **err)
{
	GMimeMessage	*inner = g_mime_message_part_get_message(mp);
	char		*name;
	gboolean	 ok;

	if (inner == NULL)
		return TRUE;
	name = attached_message_name(mp, inner);
	ok = msg_attach_object(w, GMIME_OBJECT(inner), name, err);
	g_free(name);
	if (!ok || g_mime_message_get_mime_part(inner) == NULL)
		return ok;
	w->nested++;
	ok = walk(w, g_mime_message_get_mime_part(inner), depth + 1, err);
	w->nested--;
	return ok;
}

/*
 * The name the sender gave the attached message (Content-Disposition
 * filename, else Content-Type name), else its subject; always *.eml so
 * that staff can open it.  Caller frees.
 */
static char *
attached_message_name(GMimeMessagePart *mp, GMimeMessage *inner)
{
	GMimeObject	*o = GMIME_OBJECT(mp);
	const char	*name;
	size_t		 len;

	name = g_mime_object_get_content_disposition_parameter(o, "filename");
	if (name == NULL || *name == '\0')
		name = g_mime_object_get_content_type_parameter(o, "name");
	if (name == NULL || *name == '\0')
		name = g_mime_message_get_subject(inner);
	if (name == NULL || *name == '\0')
		name = "message";
	len = strlen(name);
	if (len >= 4 && g_ascii_strcasecmp(name + len - 4, ".eml") == 0)
		len -= 4;
	/* Keep the suffix within msg_safe_filename()'s bound; a character
	 * cut in two is repaired there. */
	return g_strdup_printf("%.*s.eml", (int)MIN(len, 150), name);
}

static gboolean
is_inline_text(GMimePart *part, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));

	return g_mime_content_type_is_type(ct, "text", subtype) &&
	    !g_mime_part_is_attachment(part) &&
	    g_mime_part_get_filename(part) == NULL;
}

static gboolean
walk_part(struct msg_walk *w, GMimePart *part, GError **err)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GString		*into = NULL;
	GError		*e = NULL;
	char		*text, *type;
	gboolean	 ok;

	if (content == NULL)
		return TRUE;
	if (g_mime_content_type_is_type(ct, "application", "ms-tnef") ||
	    g_mime_content_type_is_type(ct, "application", "vnd.ms-tnef"))
		return msg_tnef_unpack(w, part, err);
	/*
	 * Inline text is the body: every text/plain part in turn (the
	 * alternative HTML is used only when there is none).  Inside an
	 * attached message it belongs to that message's .eml.
	 */
	if (is_inline_text(part, "plain"))
		into = w->plain;
	else if (is_inline_text(part, "html"))
		into = w->html->len == 0 ? w->html : NULL;
	if ((into != NULL || is_inline_text(part, "html")) &&
	    (w->nested > 0 || into == NULL))
		return TRUE;
	if (into != NULL && (text = msg_text_decode(part,
	    w->lim->max_text_bytes, w->budget, &e)) != NULL) {
		if (into->len > 0 && text[0] != '\0')
			g_string_append(into, "\n\n");
		g_string_append(into, text);
		g_free(text);
		return TRUE;
	}
	if (e != NULL) {
		g_propagate_error(err, e);
		return FALSE;
	}
	/* An attachment, or a text part too big to keep in memory. */
	type = g_mime_content_type_get_mime_type(ct);
	ok = msg_attach_wrapper(w, content, g_mime_part_get_filename(part),
	    type, FALSE, err);
	g_free(type);
	return ok;
}

/* One line of display text: valid UTF-8, controls turned into spaces. */
static char *
clean_line(const char *s)
{
	char	*v, *p;

	if (s == NULL)
		return NULL;
	v = g_utf8_make_valid(s, -1);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return v;
}

static char *
first_message_id(const char *header)
{
	char	*id, *v;

	if (header == NULL || (id = g_mime_utils_decode_message_id(header)) == NULL)
		return NULL;
	v = clean_line(id);
	g_free(id);
	return v;
}

static void
read_address(struct msg_address *a, InternetAddressList *list)
{
	int	 i, n = list != NULL ? internet_address_list_length(list) : 0;

	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		a->name = clean_line(internet_address_get_name(ia));
		a->addr = clean_line(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)));
		return;
	}
}

/* Mailboxes of a list, groups flattened. */
static GPtrArray *
read_addresses(InternetAddressList *list)
{
	GPtrArray	*out = g_ptr_array_new_with_free_func(address_free);
	int		 i, n;

	n = list != NULL ? internet_address_list_length(list) : 0;
	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		struct msg_address *a;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			g_ptr_array_extend_and_steal(out, read_addresses(
			    internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia))));
			continue;
		}
		a = g_new0(struct msg_address, 1);
		a->name = clean_line(internet_address_get_name(ia));
		a->addr = clean_line(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)));
		g_ptr_array_add(out, a);
	}
	return out;
}

static void
read_headers(struct msg *m, GMimeMessage *gm, GMimeParserOptions *opts)
{
	GMimeObject	*o = GMIME_OBJECT(gm);
	GMimeReferences	*refs;
	GDateTime	*date;
	const char	*subject, *h;
	int		 i;

	subject = g_mime_message_get_subject(gm);
	m->subject = clean_line(subject != NULL ? subject : "");
	read_address(&m->from, g_mime_message_get_from(gm));
	read_address(&m->reply_to, g_mime_message_get_reply_to(gm));
	m->to = read_addresses(g_mime_message_get_to(gm));
	m->cc = read_addresses(g_mime_message_get_cc(gm));
	if ((date = g_mime_message_get_date(gm)) != NULL)
		m->date = g_date_time_to_unix(date);
	m->message_id = clean_line(g_mime_message_get_message_id(gm));
	m->in_reply_to = first_message_id(g_mime_object_get_header(o,
	    "In-Reply-To"));
	m->references = g_ptr_array_new_with_free_func(g_free);
	if ((h = g_mime_object_get_header(o, "References")) != NULL &&
	    (refs = g_mime_references_parse(opts, h)) != NULL) {
		for (i = 0; i < g_mime_references_length(refs); i++)
			g_ptr_array_add(m->references, clean_line(
			    g_mime_references_get_message_id(refs, i)));
		g_mime_references_free(refs);
	}
	m->auto_submitted = clean_line(g_mime_object_get_header(o,
	    "Auto-Submitted"));
	m->precedence = clean_line(g_mime_object_get_header(o, "Precedence"));
	m->list_id = clean_line(g_mime_object_get_header(o, "List-Id"));
}

const char *
msg_header(const struct msg *m, const char *name)
{
	const char	*v = g_mime_object_get_header(GMIME_OBJECT(m->gmime), name);
	GMimeObject	*top;

	/* GMime keeps Content-* headers with the message's top part. */
	if (v == NULL && (top = g_mime_message_get_mime_part(m->gmime)) != NULL)
		v = g_mime_object_get_header(top, name);
	return v;
}

GPtrArray *
msg_header_all(const struct msg *m, const char *name)
{
	GMimeHeaderList	*list = g_mime_object_get_header_list(
	    GMIME_OBJECT(m->gmime));
	GPtrArray	*values = g_ptr_array_new_with_free_func(g_free);
	int		 i, n = g_mime_header_list_get_count(list);

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0)
			g_ptr_array_add(values,
			    g_strdup(g_mime_header_get_value(h)));
	}
	return values;
}

char *
msg_addresses_string(GPtrArray *list)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	for (i = 0; list != NULL && i < list->len; i++) {
		const struct msg_address *a = g_ptr_array_index(list, i);

		if (s->len > 0)
			g_string_append(s, ", ");
		if (a->name != NULL && *a->name != '\0')
			g_string_append_printf(s, "%s <%s>", a->name,
			    a->addr != NULL ? a->addr : "");
		else if (a->addr != NULL)
			g_string_append(s, a->addr);
	}
	return g_string_free(s, FALSE);
}

static void
address_free(gpointer p)
{
	struct msg_address *a = p;

	g_free(a->name);
	g_free(a->addr);
	g_free(a);
}

static void
attachment_free(gpointer p)
{
	struct msg_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a);
}

void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	g_free(m->subject);
	g_free(m->from.name);
	g_free(m->from.addr);
	g_free(m->reply_to.name);
	g_free(m->reply_to.addr);
	if (m->to != NULL)
		g_ptr_array_free(m->to, TRUE);
	if (m->cc != NULL)
		g_ptr_array_free(m->cc, TRUE);
	g_free(m->message_id);
	g_free(m->in_reply_to);
	if (m->references != NULL)
		g_ptr_array_free(m->references, TRUE);
	g_free(m->auto_submitted);
	g_free(m->precedence);
	g_free(m->list_id);
	g_free(m->body);
	if (m->attachments != NULL)
		g_ptr_array_free(m->attachments, TRUE);
	g_free(m->tnef_problem);
	if (m->gmime != NULL)
		g_object_unref(m->gmime);
	g_free(m);
}
