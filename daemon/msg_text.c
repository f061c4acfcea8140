/*
 * msg_text.c: text parts to UTF-8, and HTML to readable text.
 *
 * The declared charset is tried first; text that still is not UTF-8 (no
 * charset, a wrong one, undeclared 8-bit) is read as UTF-8 if it is valid
 * or nearly so, else as windows-1252; what even that cannot map becomes
 * U+FFFD.  The result is always valid UTF-8.  GMime has no HTML-to-text
 * converter; this small one keeps paragraph breaks, drops scripts and
 * styles, and decodes entities, in time linear in its input: every scan
 * from a '<' or a '&' either consumes what it scanned or is bounded.
 * Their loops check the parse's time budget (msg_int.h).
 */
#include "config.h"

#include <string.h>

#include "msg_int.h"

static gboolean	 mostly_utf8(const char *, gsize);
static gboolean	 drop_controls(char *, struct msg_budget *, GError **);
static gunichar	 entity_char(const char *, size_t);
static void	 append_entity(GString *, const char **);
static void	 tag_break(GString *, const char *, gsize);
static gboolean	 squeeze(GString *, struct msg_budget *, GError **);
static gboolean	 skip_element(const char **, const char *);

/*
 * UTF-8 with a few bad bytes (more well-formed multibyte characters than
 * stray bytes) is UTF-8 with damage, not windows-1252 (doc/LENIENCY.md).
 */
static gboolean
mostly_utf8(const char *s, gsize len)
{
	const char	*end = s + len, *bad, *p;
	gsize		 good = 0, stray = 0;

	while (s < end) {
		gboolean ok = g_utf8_validate(s, end - s, &bad);

		for (p = s; p < bad; p++)
			if ((unsigned char)*p >= 0xc0)
				good++;
		if (ok)
			break;
		stray++;
		s = bad + 1;
	}
	return good > stray;
}

/*
 * The converters to UTF-8 this thread has opened, by charset.  Opening
 * one (what g_convert() does on every call) looks the charset up and
 * loads glibc's module for it: as long as converting a short part.  The
 * charsets come from mail: a full table is emptied, so it stays small.
 */
#define MAX_CONVERTERS	32

static void
converter_close(gpointer cd)
{
	g_iconv_close((GIConv)cd);
}

static void
converters_free(gpointer table)
{
	g_hash_table_destroy(table);
}

static GPrivate converters = G_PRIVATE_INIT(converters_free);

/* A converter from charset (an iconv name) to UTF-8, or NULL. */
static GIConv
converter(const char *charset)
{
	GHashTable	*table = g_private_get(&converters);
	GIConv		 cd;

	if (table == NULL) {
		table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    converter_close);
		g_private_set(&converters, table);
	}
	if ((cd = g_hash_table_lookup(table, charset)) != NULL) {
		g_iconv(cd, NULL, NULL, NULL, NULL);	/* initial state */
		return cd;
	}
	if ((cd = g_iconv_open("UTF-8", charset)) == (GIConv)-1)
		return NULL;
	if (g_hash_table_size(table) >= MAX_CONVERTERS)
		g_hash_table_remove_all(table);
	g_hash_table_insert(table, g_strdup(charset), cd);
	return cd;
}

/* bytes in charset as UTF-8, or NULL as g_convert() would give. */
static char *
convert(const char *bytes, gsize len, const char *charset)
{
	GIConv	 cd = converter(charset);

	return cd != NULL ? g_convert_with_iconv(bytes, (gssize)len, cd, NULL,
	    NULL, NULL) : NULL;
}

char *
msg_text_to_utf8(const char *bytes, gsize len, const char *charset)
{
	char	*out = NULL;

	if (bytes == NULL || len == 0)
		return g_strdup("");
	if (charset != NULL && *charset != '\0' &&
	    g_ascii_strcasecmp(charset, "utf-8") != 0)
		out = convert(bytes, len, g_mime_charset_iconv_name(charset));
	if (out == NULL && g_utf8_validate(bytes, (gssize)len, NULL))
		out = g_strndup(bytes, len);
	if (out == NULL && mostly_utf8(bytes, len))
		out = g_utf8_make_valid(bytes, (gssize)len);
	if (out == NULL)
		out = convert(bytes, len, "WINDOWS-1252");
	if (out == NULL)	/* the five bytes cp1252 leaves undefined */
		out = g_utf8_make_valid(bytes, (gssize)len);
	return out;
}

/* CRLF and lone CR to LF; NUL and other controls but tab dropped. */
static gboolean
drop_controls(char *text, struct msg_budget *b, GError **err)
{
	char	*p, *q;

	for (p = q = text; *p != '\0'; p++) {
		if (!msg_budget_tick(b, "text decoding", err))
			return FALSE;
		if (*p == '\r') {
			if (p[1] != '\n')
				*q++ = '\n';
			continue;
		}
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			continue;
		*q++ = *p;
	}
	*q = '\0';
	return TRUE;
}

/*
 * The decoded text of part, or NULL when it is larger than max (it is
 * then stored as an attachment instead: memory stays bounded) or, with
 * err set, when the budget is spent.
 */
char *
msg_text_decode(GMimePart *part, gsize max, struct msg_budget *b,
    GError **err)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream	*mem;
	GByteArray	*bytes;
	const char	*charset;
	char		*text;

	if (g_mime_stream_length(g_mime_data_wrapper_get_stream(content)) >
	    (gint64)max)
		return NULL;
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset");
	text = msg_text_to_utf8((const char *)bytes->data, bytes->len, charset);
	g_object_unref(mem);
	if (!msg_budget_check(b, "text decoding", err) ||
	    !drop_controls(text, b, err)) {
		g_free(text);
		return NULL;
	}
	return text;
}

/* HTML 4 entities of Latin-1, U+00A0 to U+00FF in order. */
static const char *const latin1_entities[] = {
	"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
	"uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr", "deg",
	"plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil",
	"sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
	"Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig",
	"Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute",
	"Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc",
	"Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc",
	"Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc",
	"atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute",
	"ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
	"ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash",
	"ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
};

/* The others that mail (Word, Outlook, webmails) actually uses. */
static const struct {
	const char	*name;
	gunichar	 c;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "OElig", 0x152 }, { "oelig", 0x153 },
	{ "Scaron", 0x160 }, { "scaron", 0x161 }, { "Yuml", 0x178 },
	{ "fnof", 0x192 }, { "circ", 0x2c6 }, { "tilde", 0x2dc },
	{ "ensp", ' ' }, { "emsp", ' ' }, { "thinsp", ' ' },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "sbquo", 0x201a }, { "ldquo", 0x201c },
	{ "rdquo", 0x201d }, { "bdquo", 0x201e }, { "dagger", 0x2020 },
	{ "Dagger", 0x2021 }, { "bull", 0x2022 }, { "hellip", 0x2026 },
	{ "permil", 0x2030 }, { "lsaquo", 0x2039 }, { "rsaquo", 0x203a },
	{ "euro", 0x20ac }, { "trade", 0x2122 }, { "larr", 0x2190 },
	{ "rarr", 0x2192 },
};

/*
 * The most bytes between '&' and ';' of an entity we decode ("#1114111",
 * "#x10FFFF", "thinsp"): a ';' further away is not looked for, so that a
 * text of '&' is read in linear time.
 */
#define ENTITY_MAX	10

/* The character a named entity stands for, or 0. */
static gunichar
entity_char(const char *name, size_t n)
{
	size_t	 i;

	/* The first byte first: most names differ there. */
	for (i = 0; i < G_N_ELEMENTS(latin1_entities); i++)
		if (latin1_entities[i][0] == name[0] &&
		    strlen(latin1_entities[i]) == n &&
		    strncmp(latin1_entities[i], name, n) == 0)
			return (gunichar)(0xa0 + i);
	for (i = 0; i < G_N_ELEMENTS(entities); i++)
		if (entities[i].name[0] == name[0] &&
		    strlen(entities[i].name) == n &&
		    strncmp(entities[i].name, name, n) == 0)
			return entities[i].c;
	return 0;
}

/*
 * *pp points at '&'; append what it stands for and move past it.  A
 * no-break space becomes a space, so that squeeze() sees it; control
 * characters are dropped; anything unknown stays as it is.
 */
static void
append_entity(GString *out, const char **pp)
{
	const char	*p = *pp + 1, *end;
	gunichar	 c = 0;

	end = memchr(p, ';', strnlen(p, ENTITY_MAX + 1));
	if (end == NULL) {
		g_string_append_c(out, '&');
		*pp += 1;
		return;
	}
	if (*p == '#')
		c = (gunichar)(p[1] == 'x' || p[1] == 'X' ?
		    g_ascii_strtoull(p + 2, NULL, 16) :
		    g_ascii_strtoull(p + 1, NULL, 10));
	else
		c = entity_char(p, (size_t)(end - p));
	if (c == 0 || !g_unichar_validate(c)) {
		g_string_append_c(out, '&');
		*pp += 1;
		return;
	}
	if (c == 0xa0)
		c = ' ';
	if (c >= 0x20 || c == '\n' || c == '\t')
		if (c != 0xad)	/* soft hyphen */
			g_string_append_unichar(out, c);
	*pp = end + 1;
}

/* Block-level tags end a line. */
static void
tag_break(GString *out, const char *tag, gsize len)
{
	static const char *const blocks[] = {
		"br", "p", "/p", "div", "/div", "tr", "/tr", "li", "h1", "h2",
		"h3", "/h1", "/h2", "/h3", "blockquote", "/blockquote",
		"table", "/table", "hr",
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(blocks); i++)
		if (strlen(blocks[i]) == len &&
		    g_ascii_strncasecmp(blocks[i], tag, len) == 0) {
			g_string_append_c(out, '\n');
			return;
		}
}

/* Runs of spaces to one; at most one blank line in a row. */
static gboolean
squeeze(GString *s, struct msg_budget *b, GError **err)
{
	gsize	 i, j = 0;
	int	 nl = 0, sp = 0;

	for (i = 0; i < s->len; i++) {
		char	 c = s->str[i] == '\t' ? ' ' : s->str[i];

		if (!msg_budget_tick(b, "HTML to text", err))
			return FALSE;
		if (c == '\n') {
			while (j > 0 && s->str[j - 1] == ' ')
				j--;
			if (++nl > 2)
				continue;
			sp = 0;
		} else if (c == ' ') {
			if (sp++ || nl || j == 0)
				continue;
		} else
			nl = sp = 0;
		s->str[j++] = c;
	}
	g_string_truncate(s, j);
	while (s->len > 0 && s->str[s->len - 1] == '\n')
		g_string_truncate(s, s->len - 1);
	/* At most two (the loop keeps no more): no quadratic erase. */
	while (s->len > 0 && s->str[0] == '\n')
		g_string_erase(s, 0, 1);
	return TRUE;
}

/* At "<name ...>": skip the element and its content, to its end tag. */
static gboolean
skip_element(const char **pp, const char *name)
{
	const char	*p = *pp, *q;
	gsize		 n = strlen(name);
	char		*close;

	if (g_ascii_strncasecmp(p + 1, name, n) != 0 || g_ascii_isalnum(p[1 + n]))
		return FALSE;
	close = g_strdup_printf("</%s", name);
	for (q = p + 1; *q != '\0'; q++)
		if (g_ascii_strncasecmp(q, close, n + 2) == 0)
			break;
	g_free(close);
	q = *q != '\0' ? strchr(q, '>') : NULL;
	*pp = q != NULL ? q + 1 : p + strlen(p);
	return TRUE;
}

char *
msg_html_to_text(const char *html, struct msg_budget *b, GError **err)
{
	GString		*out = g_string_new(NULL);
	const char	*p = html, *end;
	gsize		 n;

	while (*p != '\0') {
		if (!msg_budget_tick(b, "HTML to text", err)) {
			g_string_free(out, TRUE);
			return NULL;
		}
		if (*p == '&') {
			append_entity(out, &p);
			continue;
		}
		if (*p != '<') {
			g_string_append_c(out, *p == '\n' || *p == '\r' ? ' ' : *p);
			p++;
			continue;
		}
		if (skip_element(&p, "script") || skip_element(&p, "style") ||
		    skip_element(&p, "head"))
			continue;
		if (strncmp(p, "<!--", 4) == 0) {
			end = strstr(p, "-->");
			p = end != NULL ? end + 3 : p + strlen(p);
			continue;
		}
		/* The tag's name: "p", "/p", "br" (of "<br/>"). */
		n = p[1] == '/' ? 2 : 1;
		while (g_ascii_isalnum(p[n]))
			n++;
		tag_break(out, p + 1, n - 1);
		end = strchr(p, '>');
		p = end != NULL ? end + 1 : p + strlen(p);
	}
	if (!squeeze(out, b, err)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}
