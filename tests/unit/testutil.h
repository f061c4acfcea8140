/*
 * testutil.h: what several unit tests need: a private temporary directory
 * removed at the end.  Header-only so that each test still links only the
 * module it tests.
 */
#ifndef RECOURSD_TESTUTIL_H
#define RECOURSD_TESTUTIL_H

#include <glib.h>
#include <glib/gstdio.h>

static inline void
tu_rm_rf(const char *path)
{
	GDir		*d;
	const char	*name;

	if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
	    !g_file_test(path, G_FILE_TEST_IS_SYMLINK) &&
	    (d = g_dir_open(path, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char	*p = g_build_filename(path, name, NULL);

			tu_rm_rf(p);
			g_free(p);
		}
		g_dir_close(d);
		g_rmdir(path);
	} else
		g_unlink(path);
}

/* A fresh directory; caller removes it with tu_rm_rf() and frees. */
static inline char *
tu_tmpdir(const char *prefix)
{
	char	*tmpl = g_strdup_printf("%s.XXXXXX", prefix);
	char	*dir = g_dir_make_tmp(tmpl, NULL);

	g_assert_nonnull(dir);
	g_free(tmpl);
	return dir;
}

/* $RECOURSD_CORPUS, the first argument, or $srcdir/../shared/corpus. */
static inline char *
tu_corpus_dir(int argc, char *argv[])
{
	const char	*env = g_getenv("RECOURSD_CORPUS");
	const char	*srcdir = g_getenv("srcdir");
	char		*dir = NULL;

	if (env != NULL)
		dir = g_strdup(env);
	else if (argc > 1)
		dir = g_strdup(argv[1]);
	else
		dir = g_build_filename(srcdir != NULL ? srcdir : ".", "..",
		    "shared", "corpus", NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_free(dir);
		dir = NULL;
	}
	return dir;
}

#endif
