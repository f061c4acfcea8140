/*
 * fuzz_dsn.c: delivery reports and automatic mail (autoreply.c): whether
 * a parsed message is a bounce, which of our Message-IDs it quotes, and
 * why it is automatic.
 */
#include "config.h"

#include <gmime/gmime.h>

#include "autoreply.h"
#include "fuzz.h"
#include "msg.h"

static const char *fdsn_attach;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_mime_init();
	fdsn_attach = fuzz_tmpdir("fuzz_dsn");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_limits lim = msg_limits_default();
	GBytes		*raw = g_bytes_new_static(data, size);
	GError		*err = NULL;
	GPtrArray	*ids;
	struct msg	*m;

	lim.time_budget_s = 10;
	if ((m = msg_parse_data(raw, &lim, fdsn_attach, &err)) != NULL) {
		(void)autoreply_is_bounce(m);
		(void)autoreply_automatic(m);
		ids = autoreply_our_ids(m, "example.test");
		g_ptr_array_unref(ids);
		msg_free(m);
	}
	g_clear_error(&err);
	g_bytes_unref(raw);
	return 0;
}
