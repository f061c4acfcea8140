/*
 * check.c: see check.h.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "check.h"

struct conf *
check_load(const char *path, GString *errors)
{
	struct conf	*c;
	gsize		 before = errors->len;

	if ((c = conf_load(path, errors)) == NULL)
		return NULL;
	if (errors->len != before) {
		conf_free(c);
		return NULL;
	}
	return c;
}
