/*
 * autoreply.c: see autoreply.h.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "autoreply.h"

/* Bounces are small; a bigger message is not searched whole. */
#define MAX_BOUNCE	(1 << 20)

gboolean
autoreply_is_bounce(const struct msg *m)
{
	static GRegex	*subjects;
	GMimeObject	*top = g_mime_message_get_mime_part(m->gmime);
	GMimeContentType *ct = top != NULL ?
	    g_mime_object_get_content_type(top) : NULL;
	const char	*report = ct != NULL ?
	    g_mime_content_type_get_parameter(ct, "report-type") : NULL;

	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
	    "report") && report != NULL &&
	    g_ascii_strcasecmp(report, "delivery-status") == 0)
		return TRUE;
	if (g_once_init_enter(&subjects))
		g_once_init_leave(&subjects, g_regex_new("undeliver|returned "
		    "mail|delivery (status notification|failure)|mail delivery "
		    "(failed|subsystem)|non remis|non distribu|failure notice",
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL));
	return m->from.addr != NULL &&
	    (g_ascii_strncasecmp(m->from.addr, "mailer-daemon@", 14) == 0 ||
	    g_ascii_strncasecmp(m->from.addr, "postmaster@", 11) == 0) &&
	    g_regex_match(subjects, m->subject, 0, NULL);
}

GPtrArray *
autoreply_our_ids(const struct msg *m, const char *domain)
{
	GPtrArray	*ids = g_ptr_array_new_with_free_func(g_free);
	GMatchInfo	*mi = NULL;
	GRegex		*re;
	char		*text, *pattern, *quoted;

	text = g_mime_object_to_string(GMIME_OBJECT(m->gmime), NULL);
	if (text == NULL || strlen(text) > MAX_BOUNCE) {
		g_free(text);
		return ids;
	}
	quoted = g_regex_escape_string(domain, -1);
	pattern = g_strdup_printf("<([^<>@\\s]+@%s)>", quoted);
	re = g_regex_new(pattern, G_REGEX_CASELESS, 0, NULL);
	g_regex_match(re, text, 0, &mi);
	while (g_match_info_matches(mi)) {
		char	*id = g_match_info_fetch(mi, 1);

		if (!g_ptr_array_find_with_equal_func(ids, id, g_str_equal, NULL))
			g_ptr_array_add(ids, id);
		else
			g_free(id);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_regex_unref(re);
	g_free(pattern);
	g_free(quoted);
	g_free(text);
	return ids;
}
