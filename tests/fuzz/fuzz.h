/*
 * fuzz.h: what every fuzz target shares.
 *
 * Each target is one file with LLVMFuzzerTestOneInput() (and maybe
 * LLVMFuzzerInitialize()), built with clang's libFuzzer under
 * configure --enable-fuzzing.  replay.c includes every target under
 * names of its own, so that the plain build replays the inputs kept in
 * tests/fuzz/regress/ without clang (make check).
 */
#ifndef RECOURSD_FUZZ_H
#define RECOURSD_FUZZ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/testutil.h"

int	 LLVMFuzzerInitialize(int *, char ***);
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The scratch folders of the targets, removed when the process exits. */
static GPtrArray	*fuzz_dirs;

static inline void
fuzz_remove_dirs(void)
{
	guint	 i;

	for (i = 0; fuzz_dirs != NULL && i < fuzz_dirs->len; i++)
		tu_rm_rf(g_ptr_array_index(fuzz_dirs, i));
}

/*
 * A scratch folder (attachments, rule files) under $TMPDIR, removed at
 * exit; borrowed.  A target that crashes leaves it behind, and run.sh
 * points TMPDIR into the target's work folder so that the next run
 * sweeps it.
 */
static inline const char *
fuzz_tmpdir(const char *prefix)
{
	char	*tmpl = g_strdup_printf("%s_XXXXXX", prefix), *dir;

	if ((dir = g_dir_make_tmp(tmpl, NULL)) == NULL)
		g_error("%s: cannot make a scratch folder", prefix);
	g_free(tmpl);
	if (fuzz_dirs == NULL) {
		fuzz_dirs = g_ptr_array_new_with_free_func(g_free);
		atexit(fuzz_remove_dirs);
	}
	g_ptr_array_add(fuzz_dirs, dir);
	return dir;
}

/* The input as a NUL-terminated string; caller frees. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	return g_strndup((const char *)data, size);
}

/*
 * The input cut at its first NUL byte into two strings (a template and
 * its variables, say): *rest is "" when there is none.  Caller frees
 * *first.
 */
static inline void
fuzz_split(const uint8_t *data, size_t size, char **first,
    const char **rest)
{
	const uint8_t	*nul = memchr(data, '\0', size);
	size_t		 n = nul != NULL ? (size_t)(nul - data) : size;

	*first = g_malloc(size + 2);
	memcpy(*first, data, size);
	(*first)[size] = '\0';
	(*first)[size + 1] = '\0';
	(*first)[n] = '\0';
	*rest = *first + (n < size ? n + 1 : size + 1);
}

#endif
