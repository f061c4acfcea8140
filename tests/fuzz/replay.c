/*
 * replay.c: every fuzz target in one plain program, so that make check
 * replays the inputs that once crashed or hung a target (regress/TARGET/)
 * without clang.
 *
 *	replay TARGET FILE|DIR...
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* Each target's entry points, under the names it is included with. */
int	 msg_init(int *, char ***);
int	 msg_one(const uint8_t *, size_t);
int	 html_one(const uint8_t *, size_t);
int	 tnef_init(int *, char ***);
int	 tnef_one(const uint8_t *, size_t);
int	 template_one(const uint8_t *, size_t);
int	 conffile_init(int *, char ***);
int	 conffile_one(const uint8_t *, size_t);
int	 calendar_init(int *, char ***);
int	 calendar_one(const uint8_t *, size_t);
int	 dsn_init(int *, char ***);
int	 dsn_one(const uint8_t *, size_t);

#define LLVMFuzzerInitialize	msg_init
#define LLVMFuzzerTestOneInput	msg_one
#include "fuzz_msg.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	html_one
#include "fuzz_html.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerInitialize	tnef_init
#define LLVMFuzzerTestOneInput	tnef_one
#include "fuzz_tnef.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	template_one
#include "fuzz_template.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerInitialize	conffile_init
#define LLVMFuzzerTestOneInput	conffile_one
#include "fuzz_config.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerInitialize	calendar_init
#define LLVMFuzzerTestOneInput	calendar_one
#include "fuzz_calendar.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerInitialize	dsn_init
#define LLVMFuzzerTestOneInput	dsn_one
#include "fuzz_dsn.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput

static const struct {
	const char	*name;
	int		(*init)(int *, char ***);
	int		(*one)(const uint8_t *, size_t);
} targets[] = {
	{ "msg", msg_init, msg_one },
	{ "html", NULL, html_one },
	{ "tnef", tnef_init, tnef_one },
	{ "template", NULL, template_one },
	{ "config", conffile_init, conffile_one },
	{ "calendar", calendar_init, calendar_one },
	{ "dsn", dsn_init, dsn_one },
};

/* Replay one file; the number of inputs replayed. */
static int
replay_file(int (*one)(const uint8_t *, size_t), const char *path)
{
	GError	*err = NULL;
	char	*data;
	gsize	 len;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "replay: %s\n", err->message);
		exit(1);
	}
	one((const uint8_t *)data, len);
	g_free(data);
	return 1;
}

static int
replay(int (*one)(const uint8_t *, size_t), const char *path)
{
	const char	*name;
	GDir		*d;
	char		*sub;
	int		 n = 0;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR))
		return replay_file(one, path);
	if ((d = g_dir_open(path, 0, NULL)) == NULL)
		return 0;
	while ((name = g_dir_read_name(d)) != NULL) {
		sub = g_build_filename(path, name, NULL);
		n += replay(one, sub);
		g_free(sub);
	}
	g_dir_close(d);
	return n;
}

int
main(int argc, char *argv[])
{
	size_t	 i;
	int	 a, n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: replay TARGET FILE|DIR...\n");
		return 2;
	}
	for (i = 0; i < G_N_ELEMENTS(targets); i++)
		if (strcmp(targets[i].name, argv[1]) == 0)
			break;
	if (i == G_N_ELEMENTS(targets)) {
		fprintf(stderr, "replay: no target %s\n", argv[1]);
		return 2;
	}
	if (targets[i].init != NULL)
		targets[i].init(&argc, &argv);
	for (a = 2; a < argc; a++)
		n += replay(targets[i].one, argv[a]);
	printf("%s: %d input(s) replayed\n", argv[1], n);
	return 0;
}
