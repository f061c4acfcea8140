/*
 * fuzz_config.c: a rule file or a recoursd.conf from bytes.  The first
 * byte chooses which (even: a rule file, odd: the configuration); the
 * rest is written to a file and loaded as the daemon loads it: a file
 * that does not load says why, every problem as "file:line: message".
 */
#include "config.h"

#include <glib/gstdio.h>

#include "conf.h"
#include "fuzz.h"
#include "rules.h"

static const char *fconf_dir;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fconf_dir = fuzz_tmpdir("fuzz_config");
	return 0;
}

/*
 * A file that does not load says why, every line "FILE:LINE: message"
 * naming the file it read (or the rules directory for what spans files).
 */
static void
fconf_check_errors(const char *path, const GString *errors)
{
	char	**lines = g_strsplit(errors->str, "\n", -1), *p;
	guint	 i;

	if (errors->len == 0)
		g_error("%s refused without a word", path);
	for (i = 0; lines[i] != NULL; i++) {
		if (*lines[i] == '\0')
			continue;
		if (!g_str_has_prefix(lines[i], path) &&
		    !g_str_has_prefix(lines[i], fconf_dir))
			g_error("an error that names no file: %s", lines[i]);
		/* What is about the rules as a whole names their folder. */
		if (!g_str_has_prefix(lines[i], path))
			continue;
		p = strchr(lines[i] + strlen(path), ':');
		if (p == NULL || !g_ascii_isdigit(p[1]))
			g_error("an error without its line: %s", lines[i]);
	}
	g_strfreev(lines);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GString		*errors = g_string_new(NULL);
	struct rules	*r;
	struct conf	*c;
	char		*path;

	if (size == 0)
		return 0;
	path = g_build_filename(fconf_dir, data[0] % 2 == 0 ? "00-fuzz.conf" :
	    "recoursd.conf", NULL);
	if (!g_file_set_contents(path, (const char *)data + 1,
	    (gssize)size - 1, NULL))
		g_error("%s: cannot write", path);
	if (data[0] % 2 == 0) {
		if ((r = rules_load(fconf_dir, errors)) != NULL)
			rules_free(r);
		else
			fconf_check_errors(path, errors);
	} else if ((c = conf_load(path, errors)) != NULL)
		conf_free(c);
	else
		fconf_check_errors(path, errors);
	g_unlink(path);
	g_string_free(errors, TRUE);
	g_free(path);
	return 0;
}
