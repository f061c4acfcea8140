/*
 * clock.c: see clock.h.
 */
#include "config.h"

#include <stdlib.h>

#include "clock.h"

static gboolean	 parse(const char *, gint64 *, gint64 *);

gboolean
clock_simulated(void)
{
	return g_getenv("RECOURSD_CLOCK_FILE") != NULL;
}

/*
 * "SIM" or "SIM REAL", two positive Unix times, blanks around; real is 0
 * for the first form.  FALSE on anything else.
 */
static gboolean
parse(const char *text, gint64 *sim, gint64 *real)
{
	char	*end;

	*sim = g_ascii_strtoll(text, &end, 10);
	if (end == text || *sim <= 0)
		return FALSE;
	text = end;
	while (g_ascii_isspace(*text))
		text++;
	*real = 0;
	if (*text == '\0')
		return TRUE;
	*real = g_ascii_strtoll(text, &end, 10);
	if (end == text || *real <= 0)
		return FALSE;
	while (g_ascii_isspace(*end))
		end++;
	return *end == '\0';
}

gint64
clock_now(void)
{
	const char	*file = g_getenv("RECOURSD_CLOCK_FILE");
	gint64		 real = g_get_real_time() / G_USEC_PER_SEC, sim, since;
	char		*text = NULL;
	gboolean	 ok;

	if (file == NULL || !g_file_get_contents(file, &text, NULL, NULL))
		return real;
	ok = parse(text, &sim, &since);
	g_free(text);
	if (!ok)
		return real;
	return since == 0 ? sim : sim + (real - since);
}
