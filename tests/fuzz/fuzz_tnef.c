/*
 * fuzz_tnef.c: the input as the winmail.dat of a message from Outlook,
 * unpacked by libytnef into attachments and body text (msg_tnef.c).
 */
#include "config.h"

#include <gmime/gmime.h>

#include "fuzz.h"
#include "msg.h"

static const char *ftnef_attach;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_mime_init();
	ftnef_attach = fuzz_tmpdir("fuzz_tnef");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_limits lim = msg_limits_default();
	GError	*err = NULL;
	GBytes	*raw;
	char	*b64 = g_base64_encode(data, size), *text;
	struct msg *m;

	text = g_strdup_printf("From: a@example.test\r\nSubject: t\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
	    "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	    "x\r\n--b\r\nContent-Type: application/ms-tnef; "
	    "name=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"winmail.dat\"\r\n"
	    "\r\n%s\r\n--b--\r\n", b64);
	raw = g_bytes_new_take(text, strlen(text));
	lim.time_budget_s = 10;
	if ((m = msg_parse_data(raw, &lim, ftnef_attach, &err)) != NULL)
		msg_free(m);
	g_clear_error(&err);
	g_bytes_unref(raw);
	g_free(b64);
	return 0;
}
