/*
 * fuzz_config.c: a rule file or a recoursd.conf from bytes.  The first
 * byte chooses which (even: a rule file, odd: the configuration); the
 * rest is written to a file and loaded as the daemon loads it, every
 * problem reported as "file:line: message".
 */
#include "config.h"

#include <glib/gstdio.h>

#include "conf.h"
#include "fuzz.h"
#include "rules.h"

static char	*fconf_dir;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fconf_dir = g_dir_make_tmp("fuzz_config_XXXXXX", NULL);
	return 0;
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
	} else if ((c = conf_load(path, errors)) != NULL)
		conf_free(c);
	g_unlink(path);
	g_string_free(errors, TRUE);
	g_free(path);
	return 0;
}
