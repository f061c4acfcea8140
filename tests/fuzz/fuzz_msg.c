/*
 * fuzz_msg.c: a raw message through what every inbound message meets:
 * MIME parsing (GMime, charsets, attachments), classification by subject
 * tag and reference, then staff command splitting and quote stripping.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "classify.h"
#include "fuzz.h"
#include "msg.h"
#include "rules.h"
#include "staff_text.h"

static struct rules	*fmsg_rules;
static const char	*fmsg_attach;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	GString	*errors = g_string_new(NULL);

	(void)argc;
	(void)argv;
	g_mime_init();
	fmsg_rules = rules_load(FUZZ_RULES_DIR, errors);
	if (fmsg_rules == NULL)
		g_error("%s", errors->str);
	g_string_free(errors, TRUE);
	fmsg_attach = fuzz_tmpdir("fuzz_msg");
	return 0;
}

static void
fmsg_staff(const char *body)
{
	GPtrArray	*cmds;
	char		*rest, *text;

	staff_split(body, &cmds, &rest);
	text = staff_strip_quotes(rest);
	g_free(text);
	g_free(rest);
	g_ptr_array_unref(cmds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_limits lim = msg_limits_default();
	struct classify_result c;
	GBytes		*raw = g_bytes_new_static(data, size);
	GError		*err = NULL;
	struct msg	*m;
	char		*ref;

	lim.time_budget_s = 10;
	if ((m = msg_parse_data(raw, &lim, fmsg_attach, &err)) != NULL) {
		classify_subject(fmsg_rules, m->subject, "client", &c);
		ref = classify_find_ref(fmsg_rules, m->subject);
		g_free(ref);
		fmsg_staff(m->body != NULL ? m->body : "");
		msg_free(m);
	}
	g_clear_error(&err);
	g_bytes_unref(raw);
	return 0;
}
