/*
 * transmit.c: see transmit.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "export.h"
#include "letter.h"
#include "spool.h"
#include "transmit.h"

static GArray	*case_files(const char *, GPtrArray *);

/* The files of an exported case file, to attach; names kept in names. */
static GArray *
case_files(const char *dir, GPtrArray *names)
{
	GArray		*files = g_array_new(FALSE, TRUE,
	    sizeof(struct compose_file));
	struct compose_file f;
	char		*adir = g_build_filename(dir, "attachments", NULL);
	const char	*name;
	GDir		*d;

	f.filename = "evenements.txt";
	f.content_type = "text/plain";
	g_ptr_array_add(names, g_build_filename(dir, "events.txt", NULL));
	f.path = g_ptr_array_index(names, names->len - 1);
	g_array_append_val(files, f);
	f.filename = "messages.mbox";
	f.content_type = "application/mbox";
	g_ptr_array_add(names, g_build_filename(dir, "messages.mbox", NULL));
	f.path = g_ptr_array_index(names, names->len - 1);
	g_array_append_val(files, f);
	if ((d = g_dir_open(adir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			g_ptr_array_add(names, g_strdup(name));
			f.filename = g_ptr_array_index(names, names->len - 1);
			f.content_type = "application/octet-stream";
			g_ptr_array_add(names, g_build_filename(adir, name, NULL));
			f.path = g_ptr_array_index(names, names->len - 1);
			g_array_append_val(files, f);
		}
		g_dir_close(d);
	}
	g_free(adir);
	return files;
}

gboolean
transmit_case(struct store *st, const struct setup *s,
    const struct store_case *c, const char *address, const char *text,
    const char *staff_name, int64_t now, char **summary, GError **err)
{
	char		*tmp = g_build_filename(s->conf->spool, "tmp", NULL);
	/* A g_mkdtemp() template, under the spool: never in a shared /tmp. */
	char		*dir = g_strdup_printf("%s/transmit-%s-XXXXXX", tmp, c->ref);
	GPtrArray	*names = g_ptr_array_new_with_free_func(g_free);
	GArray		*files = NULL;
	struct tpl_vars	*v = NULL;
	char		*file;
	gboolean	 ok = FALSE;

	*summary = NULL;
	g_mkdir_with_parents(tmp, 0700);
	if (g_mkdtemp(dir) == NULL) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", dir, g_strerror(errno));
		goto out;
	}
	/* export_case() makes the directory itself. */
	file = g_build_filename(dir, "dossier", NULL);
	ok = export_case(st, s, c->ref, file, err);
	if (ok) {
		files = case_files(file, names);
		ok = (v = letter_vars(st, s, c, s->conf->language, err)) != NULL;
	}
	if (ok) {
		tpl_vars_set(v, "text", text);
		tpl_vars_set(v, "staff.name", staff_name);
		ok = letter_send_files(st, s, LETTER_TRANSMISSION, c, v, address,
		    (const struct compose_file *)(void *)files->data, files->len,
		    now, err);
	}
	if (ok)
		*summary = g_strdup_printf("Le dossier a été transmis à %s : "
		    "journal des événements, messages (mbox) et %u pièce(s) "
		    "jointe(s).\n", address, files->len - 2);
	g_free(file);
out:
	spool_remove_tree(dir);	/* the mail holds its bytes now */
	if (files != NULL)
		g_array_unref(files);
	tpl_vars_free(v);
	g_ptr_array_unref(names);
	g_free(dir);
	g_free(tmp);
	return ok;
}
