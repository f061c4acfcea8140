/*
 * test_spool.c: content-addressed durable writes: the digest names the
 * file, an aborted writer leaves nothing, writing the same bytes twice is
 * harmless.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "digest.h"
#include "spool.h"
#include "testutil.h"

static void
test_put_names_file_by_digest(void)
{
	char		*dir = tu_tmpdir("test_spool"), *path, *back = NULL;
	char		*want;
	char		 sum[65], again[65];
	GError		*err = NULL;
	gsize		 len;

	g_assert_true(spool_init(dir, &err));
	g_assert_true(spool_put(dir, "hello\r\n", 7, sum, &err));
	g_assert_no_error(err);
	want = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)"hello\r\n", 7);
	g_assert_cmpstr(sum, ==, want);
	path = spool_raw_path(dir, sum);
	g_assert_true(strstr(path, "/raw/") != NULL);
	g_assert_true(g_file_get_contents(path, &back, &len, NULL));
	g_assert_cmpmem(back, len, "hello\r\n", 7);
	g_assert_true(spool_put(dir, "hello\r\n", 7, again, &err));
	g_assert_cmpstr(sum, ==, again);
	g_free(back);
	g_free(want);
	g_free(path);
	tu_rm_rf(dir);
	g_free(dir);
}

static void
test_digest_matches_glib(void)
{
	char		*dir = tu_tmpdir("test_spool"), *want;
	char		 sum[65];
	struct spool_writer *w;
	int64_t		 size;

	g_assert_true(spool_init(dir, NULL));
	w = spool_writer_new(dir, NULL);
	g_assert_true(spool_writer_write(w, "abc", 3, NULL));
	g_assert_true(spool_writer_write(w, "def", 3, NULL));
	g_assert_true(spool_writer_commit(w, sum, &size, NULL));
	want = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "abcdef", -1);
	g_assert_cmpstr(sum, ==, want);
	g_assert_cmpint(size, ==, 6);
	g_free(want);
	tu_rm_rf(dir);
	g_free(dir);
}

/* GnuTLS's SHA-256 names content as GLib's did: empty, one call, pieces. */
static void
test_digest_of_any_size(void)
{
	static const gsize sizes[] = { 0, 1, 55, 56, 64, 65, 4096, 1 << 20 };
	guchar		*buf = g_malloc((1 << 20) + 1);
	char		 got[DIGEST_HEX], *want;
	struct digest	*d;
	gsize		 i, k, off;

	for (i = 0; i <= 1 << 20; i++)
		buf[i] = (guchar)(i * 2654435761u >> 24);
	for (k = 0; k < G_N_ELEMENTS(sizes); k++) {
		want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, buf,
		    sizes[k]);
		digest_data(buf, sizes[k], got);
		g_assert_cmpstr(got, ==, want);
		d = digest_new();
		for (off = 0; off < sizes[k]; off += MIN(sizes[k] - off, 977))
			digest_update(d, buf + off, MIN(sizes[k] - off, 977));
		digest_finish(d, got);
		g_assert_cmpstr(got, ==, want);
		g_free(want);
	}
	digest_free(digest_new());	/* one never finished */
	digest_free(NULL);
	g_free(buf);
}

static void
test_abort_leaves_nothing(void)
{
	char		*dir = tu_tmpdir("test_spool"), *tmp;
	struct spool_writer *w;
	GDir		*d;

	g_assert_true(spool_init(dir, NULL));
	w = spool_writer_new(dir, NULL);
	g_assert_true(spool_writer_write(w, "partial", 7, NULL));
	spool_writer_abort(w);
	tmp = g_build_filename(dir, "tmp", NULL);
	d = g_dir_open(tmp, 0, NULL);
	g_assert_null(g_dir_read_name(d));
	g_dir_close(d);
	g_free(tmp);
	tu_rm_rf(dir);
	g_free(dir);
}

static void
test_unwritable_spool_is_an_error(void)
{
	GError	*err = NULL;

	/* /proc takes no new directory, not even from root. */
	g_assert_false(spool_init("/proc/recoursd-spool", &err));
	g_assert_nonnull(err);
	g_error_free(err);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/spool/put-names-file-by-digest",
	    test_put_names_file_by_digest);
	g_test_add_func("/spool/digest-matches-glib", test_digest_matches_glib);
	g_test_add_func("/spool/digest-of-any-size", test_digest_of_any_size);
	g_test_add_func("/spool/abort-leaves-nothing", test_abort_leaves_nothing);
	g_test_add_func("/spool/unwritable-spool-is-an-error",
	    test_unwritable_spool_is_an_error);
	return g_test_run();
}
