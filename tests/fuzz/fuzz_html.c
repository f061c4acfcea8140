/*
 * fuzz_html.c: HTML to text (msg_text.c), alone, on any bytes: the output
 * is always valid UTF-8 and the time linear in the input.
 */
#include "config.h"

#include <gmime/gmime.h>

#include "fuzz.h"
#include "msg_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_budget budget;
	GError	*err = NULL;
	char	*html = fuzz_string(data, size), *utf8, *text;

	msg_budget_start(&budget, 10);
	utf8 = msg_text_to_utf8(html, strlen(html), NULL);
	if ((text = msg_html_to_text(utf8, &budget, &err)) != NULL &&
	    !g_utf8_validate(text, -1, NULL))
		g_error("HTML to text gave invalid UTF-8");
	g_clear_error(&err);
	g_free(text);
	g_free(utf8);
	g_free(html);
	return 0;
}
