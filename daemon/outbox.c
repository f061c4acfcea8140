/*
 * outbox.c: see outbox.h.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "log.h"
#include "outbox.h"

#define GROUP	"letter"
#define ROUND	64	/* intents composed per store read */

/* The text fields of a compose_mail, each under its key. */
static const struct {
	const char	*key;
	size_t		 offset;
} fields[] = {
#define FIELD(f)	{ #f, offsetof(struct compose_mail, f) }
	FIELD(from_name), FIELD(from_addr), FIELD(to_name), FIELD(to_addr),
	FIELD(reply_to), FIELD(subject), FIELD(body), FIELD(lang),
	FIELD(auto_submitted), FIELD(in_reply_to), FIELD(references),
	FIELD(domain), FIELD(message_id)
#undef FIELD
};
#define TEXT_FIELD(m, i) \
	(*(const char **)(void *)((char *)(m) + fields[i].offset))

/* A decoded intent: m points into kf's strings and the file arrays. */
struct intent {
	GKeyFile		*kf;
	struct compose_mail	 m;
	char			**strings;	/* owned values m points to */
	struct compose_file	*files;
	char			**names, **types, **paths;
};

static void	 set(GKeyFile *, const char *, const char *);
static const char *get(struct intent *, const char *);
static gboolean	 intent_decode(const char *, struct intent *, GError **);
static void	 intent_clear(struct intent *);
static gboolean	 compose_one(struct store *, const struct store_outbox *,
		    int64_t, GError **);

static void
set(GKeyFile *kf, const char *key, const char *value)
{
	if (value != NULL)
		g_key_file_set_string(kf, GROUP, key, value);
}

char *
outbox_intent_encode(const struct compose_mail *m)
{
	GKeyFile	*kf = g_key_file_new();
	char		*text;
	guint		 i;

	for (i = 0; i < G_N_ELEMENTS(fields); i++)
		set(kf, fields[i].key, TEXT_FIELD(m, i));
	g_key_file_set_int64(kf, GROUP, "date", m->date);
	if (m->nfiles > 0) {
		const char **n = g_new0(const char *, m->nfiles);
		const char **t = g_new0(const char *, m->nfiles);
		const char **p = g_new0(const char *, m->nfiles);

		for (i = 0; i < m->nfiles; i++) {
			n[i] = m->files[i].filename;
			t[i] = m->files[i].content_type;
			p[i] = m->files[i].path;
		}
		g_key_file_set_string_list(kf, GROUP, "file_names", n,
		    m->nfiles);
		g_key_file_set_string_list(kf, GROUP, "file_types", t,
		    m->nfiles);
		g_key_file_set_string_list(kf, GROUP, "file_paths", p,
		    m->nfiles);
		g_free(n);
		g_free(t);
		g_free(p);
	}
	text = g_key_file_to_data(kf, NULL, NULL);
	g_key_file_free(kf);
	return text;
}

/* The value of key, kept until intent_clear(); NULL when absent. */
static const char *
get(struct intent *in, const char *key)
{
	char	*v = g_key_file_get_string(in->kf, GROUP, key, NULL);
	guint	 n;

	if (v == NULL)
		return NULL;
	n = in->strings != NULL ? g_strv_length(in->strings) : 0;
	in->strings = g_renew(char *, in->strings, n + 2);
	in->strings[n] = v;
	in->strings[n + 1] = NULL;
	return v;
}

static gboolean
intent_decode(const char *text, struct intent *in, GError **err)
{
	struct compose_mail *m = &in->m;
	gsize	 nn = 0, nt = 0, np = 0, i;

	memset(in, 0, sizeof(*in));
	in->kf = g_key_file_new();
	if (text == NULL) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_NOT_FOUND,
		    "the intent holds no letter");
		return FALSE;
	}
	if (!g_key_file_load_from_data(in->kf, text, -1, G_KEY_FILE_NONE, err))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(fields); i++)
		TEXT_FIELD(m, i) = get(in, fields[i].key);
	m->date = g_key_file_get_int64(in->kf, GROUP, "date", NULL);
	m->tz = g_time_zone_new_identifier("Europe/Paris");
	in->names = g_key_file_get_string_list(in->kf, GROUP, "file_names",
	    &nn, NULL);
	in->types = g_key_file_get_string_list(in->kf, GROUP, "file_types",
	    &nt, NULL);
	in->paths = g_key_file_get_string_list(in->kf, GROUP, "file_paths",
	    &np, NULL);
	if (nn > 0 && nn == nt && nn == np) {
		in->files = g_new0(struct compose_file, nn);
		for (i = 0; i < nn; i++) {
			in->files[i].filename = in->names[i];
			in->files[i].content_type = in->types[i];
			in->files[i].path = in->paths[i];
		}
		m->files = in->files;
		m->nfiles = (guint)nn;
	}
	return TRUE;
}

static void
intent_clear(struct intent *in)
{
	if (in->m.tz != NULL)
		g_time_zone_unref(in->m.tz);
	g_strfreev(in->strings);
	g_strfreev(in->names);
	g_strfreev(in->types);
	g_strfreev(in->paths);
	g_free(in->files);
	if (in->kf != NULL)
		g_key_file_free(in->kf);
	memset(in, 0, sizeof(*in));
}

/*
 * Build one intent into its bytes, or fail it with the reason; in its own
 * transaction.  FALSE only when the store fails.
 */
static gboolean
compose_one(struct store *st, const struct store_outbox *o, int64_t now,
    GError **err)
{
	struct intent	 in;
	GError		*why = NULL;
	GBytes		*data = NULL;
	char		*id = NULL, *reason;
	gboolean	 ok;

	if (intent_decode(o->letter, &in, &why))
		data = compose_message(&in.m, &id, &why);
	intent_clear(&in);
	if (!store_begin(st, err))
		return FALSE;
	if (data != NULL)
		ok = store_outbox_composed(st, o->id, data, now, err);
	else {
		reason = g_strdup_printf("it could not be written: %s",
		    why != NULL ? why->message : "unknown error");
		log_warnx("outbox: %s %" G_GINT64_FORMAT " to %s: %s", o->kind,
		    o->id, o->rcpt, reason);
		ok = store_outbox_uncomposable(st, o->id, reason, err);
		g_free(reason);
	}
	g_clear_error(&why);
	g_free(id);
	if (data != NULL)
		g_bytes_unref(data);
	if (!ok || !store_commit(st, err)) {
		store_rollback(st);
		return FALSE;
	}
	return TRUE;
}

gboolean
outbox_add_composed(struct store *st, const struct store_outbox *o,
    const struct compose_mail *m, GError **err)
{
	struct store_outbox row = *o;
	GError	*why = NULL;
	char	*id = NULL, *reason;
	int64_t	 rowid;
	gboolean ok;

	row.data = compose_message(m, &id, &why);
	if (row.data != NULL)
		row.letter = NULL;
	ok = store_outbox_add(st, &row, &rowid, err);
	if (ok && row.data == NULL) {
		reason = g_strdup_printf("it could not be written: %s",
		    why->message);
		ok = store_outbox_uncomposable(st, rowid, reason, err);
		g_free(reason);
	}
	g_clear_error(&why);
	g_free(id);
	if (row.data != NULL)
		g_bytes_unref(row.data);
	return ok;
}

int
outbox_compose(struct store *st, int64_t now, GError **err)
{
	GArray	*rows;
	guint	 i;
	int	 n = 0;

	for (;;) {
		if ((rows = store_outbox_intents(st, ROUND, err)) == NULL)
			return -1;
		if (rows->len == 0)
			break;
		for (i = 0; i < rows->len; i++) {
			if (!compose_one(st, &g_array_index(rows,
			    struct store_outbox, i), now, err)) {
				g_array_unref(rows);
				return -1;
			}
			n++;
		}
		g_array_unref(rows);
	}
	g_array_unref(rows);
	return n;
}
