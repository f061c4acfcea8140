/*
 * text.c: see text.h.
 */
#include "config.h"

#include <stdio.h>

#include "text.h"

char *
text_fold(const char *s)
{
	char	*ascii, *p;
	GString	*out = g_string_new(" ");

	ascii = g_str_to_ascii(s != NULL ? s : "", "C");
	for (p = ascii; *p != '\0'; p++) {
		if (g_ascii_isalnum(*p))
			g_string_append_c(out, g_ascii_tolower(*p));
		else if (out->str[out->len - 1] != ' ')
			g_string_append_c(out, ' ');
	}
	if (out->str[out->len - 1] != ' ')
		g_string_append_c(out, ' ');
	g_free(ascii);
	return g_string_free(out, FALSE);
}

gboolean
text_parse_day(const char *text, GDate *day)
{
	GDate	 d;
	unsigned dd, mm, yy;
	char	 end;

	if (sscanf(text, "%2u/%2u/%4u%c", &dd, &mm, &yy, &end) != 3 ||
	    !g_date_valid_dmy((GDateDay)dd, (GDateMonth)mm, (GDateYear)yy))
		return FALSE;
	g_date_clear(&d, 1);
	g_date_set_dmy(&d, (GDateDay)dd, (GDateMonth)mm, (GDateYear)yy);
	if (day != NULL)
		*day = d;
	return TRUE;
}
