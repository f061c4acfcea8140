/*
 * clock.c: see clock.h.
 */
#include "config.h"

#include <stdlib.h>

#include "clock.h"

gboolean
clock_simulated(void)
{
	return g_getenv("RECOURSD_CLOCK_FILE") != NULL;
}

gint64
clock_now(void)
{
	const char	*file = g_getenv("RECOURSD_CLOCK_FILE");
	char		*text = NULL, *end;
	gint64		 t;

	if (file == NULL || !g_file_get_contents(file, &text, NULL, NULL))
		return g_get_real_time() / G_USEC_PER_SEC;
	t = g_ascii_strtoll(text, &end, 10);
	if (end == text || t <= 0)
		t = g_get_real_time() / G_USEC_PER_SEC;
	g_free(text);
	return t;
}
