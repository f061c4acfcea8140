/*
 * check.c: see check.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "check.h"

static void	 check_dir(GString *, const struct conf *, const char *,
		    const char *);

/* A directory the daemon will read must exist. */
static void
check_dir(GString *errors, const struct conf *c, const char *what,
    const char *dir)
{
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		g_string_append_printf(errors, "%s:0: %s directory %s does "
		    "not exist\n", c->path, what, dir);
}

struct conf *
check_load(const char *path, GString *errors)
{
	struct conf	*c;
	gsize		 before = errors->len;

	if ((c = conf_load(path, errors)) == NULL)
		return NULL;
	check_dir(errors, c, "templates", c->templates);
	if (errors->len != before) {
		conf_free(c);
		return NULL;
	}
	return c;
}
