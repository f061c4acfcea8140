/*
 * staff_text.c: the text of a staff reply: its #commands and what it
 * says, without the quoted message and the signature.  Pure; declared in
 * staff.h.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "staff_text.h"

void
staff_split(const char *body, GPtrArray **commands, char **rest)
{
	char	**lines = g_strsplit(body, "\n", -1);
	GString	*tail = g_string_new(NULL);
	guint	 i;
	gboolean top = TRUE;

	*commands = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; lines[i] != NULL; i++) {
		char	*l = g_strstrip(g_strdup(lines[i]));

		if (top && *l == '\0') {
			g_free(l);
			continue;
		}
		if (top && *l == '#') {
			g_ptr_array_add(*commands, g_strdup(l + 1));
			g_free(l);
			continue;
		}
		top = FALSE;
		g_string_append_printf(tail, "%s\n", lines[i]);
		g_free(l);
	}
	g_strfreev(lines);
	*rest = g_string_free(tail, FALSE);
}

/*
 * Cut at the first line that starts the quoted message or the signature,
 * in the forms of Outlook, Thunderbird, Gmail and Apple Mail, French and
 * English.
 */
static char	*bottom_posted(const char *);

char *
staff_strip_quotes(const char *text)
{
	return staff_strip_quotes_with(text, NULL);
}

/* Where re first matches text, or -1. */
static gint
first_match(const GRegex *re, const char *text)
{
	GMatchInfo	*mi = NULL;
	gint		 at = -1;

	if (g_regex_match(re, text, 0, &mi))
		g_match_info_fetch_pos(mi, 0, &at, NULL);
	g_match_info_free(mi);
	return at;
}

char *
staff_strip_quotes_with(const char *text, const GRegex *extra)
{
	static GRegex	*cut;
	gint		 at, more;
	char		*out;

	/*
	 * Every alternative costs time linear in the line: "Le X, Y <Z> a
	 * écrit" takes the first ", " and the first '<' after it for good
	 * (atomic groups), where "Le .+, .+<.+>" backtracked over every pair
	 * of them: cubic in a long line of commas and '<'.
	 */
	if (g_once_init_enter(&cut))
		g_once_init_leave(&cut, g_regex_new("^(>|-- ?$|_{10,}|-{3,} ?"
		    "(Original Message|Message d'origine|Message original)|"
		    "(De|From|Envoyé|Sent) ?: |Le .+ a écrit ?:|On .+ wrote:|"
		    "Le (?>.+?, )(?>.+?<).+> a écrit|"
		    ".*-- répondre au-dessus de cette ligne|"
		    ".*-- reply above this line)", G_REGEX_MULTILINE |
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL));
	at = first_match(cut, text);
	if (extra != NULL && (more = first_match(extra, text)) >= 0 &&
	    (at < 0 || more < at))
		at = more;
	out = at >= 0 ? g_strndup(text, (gsize)at) : g_strdup(text);
	if (*g_strstrip(out) == '\0' && at >= 0) {
		g_free(out);
		out = bottom_posted(text);
	}
	return out;
}

/*
 * A reply written below the quoted message: the unquoted lines after the
 * quote, up to the signature.
 */
static char *
bottom_posted(const char *text)
{
	char	**lines = g_strsplit(text, "\n", -1);
	GString	*kept = g_string_new(NULL);
	gboolean quoted = FALSE;
	guint	 i;

	for (i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i];

		if (*l == '>') {
			quoted = TRUE;
			continue;
		}
		if (strcmp(l, "-- ") == 0 || strcmp(l, "--") == 0)
			break;
		if (quoted)
			g_string_append_printf(kept, "%s\n", l);
	}
	g_strfreev(lines);
	return g_strstrip(g_string_free(kept, FALSE));
}
