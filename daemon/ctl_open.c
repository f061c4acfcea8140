/*
 * ctl_open.c: "recoursctl open", a case for a call, a letter, a visit,
 * from the command line.
 *
 * The options become the opening commands of channel.h at the top of a
 * message whose text is the first .txt FILE and whose attachments are
 * the other files; the message is stored like an injected one, with the
 * name of who ran recoursctl (store_opening_add()), which is what lets
 * the daemon trust it.  The commands are checked here first, with the
 * daemon's own code: a refusal stores nothing.
 */
#include "config.h"

#include <getopt.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "clock.h"
#include "compose.h"
#include "digest.h"
#include "ctl.h"

struct open_args {
	const char	*type, *channel, *received, *name, *email, *mailbox;
	const char	*subject;
	GPtrArray	*address;	/* --address, repeatable */
};

static int	 parse(int, char **, struct open_args *);
static char	*commands(const struct open_args *);
static GBytes	*message(const struct setup *, const struct open_args *,
		    int, char **, GError **);
static GBytes	*without_loop(GBytes *);
static gboolean	 report(const struct setup *, const char *, int64_t);
static int	 store_opening(struct store *, const struct setup *, int,
		    char **, int64_t *);

static int
parse(int argc, char **argv, struct open_args *a)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "channel", required_argument, NULL, 'c' },
		{ "received", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "address", required_argument, NULL, 'a' },
		{ "mailbox", required_argument, NULL, 'm' },
		{ "subject", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "t:c:r:n:e:a:m:s:", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 't': a->type = optarg; break;
		case 'c': a->channel = optarg; break;
		case 'r': a->received = optarg; break;
		case 'n': a->name = optarg; break;
		case 'e': a->email = optarg; break;
		case 'a': g_ptr_array_add(a->address, optarg); break;
		case 'm': a->mailbox = optarg; break;
		case 's': a->subject = optarg; break;
		default: return CTL_USAGE;
		}
	}
	if (a->type == NULL || a->channel == NULL || a->received == NULL ||
	    a->name == NULL) {
		fprintf(stderr, "usage: recoursctl open --type T --channel C "
		    "--received YYYY-MM-DD --name N [--email E] [--address A]... "
		    "[--mailbox M] [--subject S] [FILE...]\n");
		return CTL_USAGE;
	}
	return CTL_OK;
}

/* The opening commands the options say (channel.h). */
static char *
commands(const struct open_args *a)
{
	GString	*c = g_string_new(NULL);
	guint	 i;

	/* A line break in a value would start a command of its own. */
	g_string_append_printf(c, "#ouvrir %s\n#canal %s\n#recu-le %s\n"
	    "#plaignant %s%s%s%s\n", a->type, a->channel, a->received, a->name,
	    a->email != NULL ? " <" : "", a->email != NULL ? a->email : "",
	    a->email != NULL ? ">" : "");
	for (i = 0; i < a->address->len; i++)
		g_string_append_printf(c, "#adresse %s\n",
		    (char *)g_ptr_array_index(a->address, i));
	g_strdelimit(c->str, "\r", ' ');
	return g_string_free(c, FALSE);
}

/* Our own composer adds X-Loop: a message with it is never answered. */
static GBytes *
without_loop(GBytes *raw)
{
	GMimeStream	*in = g_mime_stream_mem_new_with_buffer(
	    g_bytes_get_data(raw, NULL), g_bytes_get_size(raw));
	GMimeParser	*p = g_mime_parser_new_with_stream(in);
	GMimeMessage	*m = g_mime_parser_construct_message(p, NULL);
	char		*text;
	GBytes		*out = NULL;

	if (m != NULL) {
		g_mime_object_remove_header(GMIME_OBJECT(m), "X-Loop");
		g_mime_object_remove_header(GMIME_OBJECT(m), "Auto-Submitted");
		text = g_mime_object_to_string(GMIME_OBJECT(m), NULL);
		out = g_bytes_new_take(text, strlen(text));
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(in);
	return out;
}

/*
 * The message: the commands, then the first file that is UTF-8 text;
 * the other files attached.
 */
static GBytes *
message(const struct setup *s, const struct open_args *a, int nfiles,
    char **files, GError **err)
{
	struct compose_mail cm;
	GArray	*att = g_array_new(FALSE, TRUE, sizeof(struct compose_file));
	char	*cmds = commands(a), *text = NULL, *body, *id = NULL, *from;
	GBytes	*raw, *out = NULL;
	gsize	 len;
	int	 i;

	for (i = 0; i < nfiles; i++) {
		struct compose_file f = { NULL, "application/octet-stream",
		    files[i] };
		char	*data = NULL;

		if (!g_file_get_contents(files[i], &data, &len, err))
			goto out;
		if (text == NULL && g_str_has_suffix(files[i], ".txt") &&
		    g_utf8_validate(data, (gssize)len, NULL)) {
			text = data;
			continue;
		}
		g_free(data);
		f.filename = strrchr(files[i], '/') != NULL ?
		    strrchr(files[i], '/') + 1 : files[i];
		if (g_str_has_suffix(files[i], ".pdf"))
			f.content_type = "application/pdf";
		g_array_append_val(att, f);
	}
	body = g_strdup_printf("%s\n%s", cmds, text != NULL ? text : "");
	from = g_strdup_printf("recoursctl@%s", s->conf->org_domain);
	memset(&cm, 0, sizeof(cm));
	cm.from_name = "recoursctl";
	cm.from_addr = from;
	cm.to_addr = s->conf->org_address;
	cm.subject = a->subject != NULL ? a->subject : "";
	cm.body = body;
	cm.lang = "fr";
	cm.auto_submitted = "no";
	cm.domain = s->conf->org_domain;
	cm.date = clock_now();
	cm.files = (const struct compose_file *)(void *)att->data;
	cm.nfiles = att->len;
	if ((raw = compose_message(&cm, &id, err)) != NULL) {
		out = without_loop(raw);
		g_bytes_unref(raw);
	}
	g_free(from);
	g_free(body);
out:
	g_free(id);
	g_free(text);
	g_free(cmds);
	g_array_unref(att);
	return out;
}

/* What the daemon will find: refusals stop here, gaps are said. */
static gboolean
report(const struct setup *s, const char *body, int64_t now)
{
	struct channel_opening o;
	gboolean ok;
	guint	 i;

	channel_read(s, body, now, &o);
	for (i = 0; i < o.errors->len; i++)
		fprintf(stderr, "recoursctl: %s\n",
		    (char *)g_ptr_array_index(o.errors, i));
	for (i = 0; i < o.missing->len; i++)
		fprintf(stderr, "recoursctl: missing: %s\n",
		    (char *)g_ptr_array_index(o.missing, i));
	ok = o.errors->len == 0;
	channel_opening_clear(&o);
	return ok;
}

/* Parse argv, check, store; *id the inbound row.  CTL_*. */
static int
store_opening(struct store *st, const struct setup *s, int argc, char **argv,
    int64_t *id)
{
	struct open_args a = { .address = g_ptr_array_new() };
	struct store_inbound in;
	enum store_added added;
	GError	*err = NULL;
	GBytes	*raw = NULL;
	char	*cmds = NULL, *actor = NULL, sum[DIGEST_HEX];
	int	 rc;

	if ((rc = parse(argc, argv, &a)) != CTL_OK)
		goto out;
	rc = CTL_ERROR;
	if (a.mailbox == NULL && s->conf->mailboxes->len > 0)
		a.mailbox = ((const struct conf_mailbox *)g_ptr_array_index(
		    s->conf->mailboxes, 0))->name;
	if (a.mailbox == NULL || conf_mailbox(s->conf, a.mailbox) == NULL) {
		fprintf(stderr, "recoursctl: no mailbox to store the case in "
		    "(--mailbox)\n");
		goto out;
	}
	cmds = commands(&a);
	if (!report(s, cmds, clock_now()))
		goto out;
	if ((raw = message(s, &a, argc - optind, argv + optind, &err)) == NULL)
		goto out;
	digest_data(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), sum);
	actor = g_strdup_printf("recoursctl open (%s)", g_get_user_name());
	memset(&in, 0, sizeof(in));
	in.mailbox = a.mailbox;
	in.size = (int64_t)g_bytes_get_size(raw);
	in.sha256 = sum;
	in.raw = g_bytes_get_data(raw, NULL);
	in.source = "inject";
	in.now = clock_now();
	if (!store_begin(st, &err))
		goto out;
	if (!store_inbound_add(st, &in, &added, id, &err) ||
	    !store_opening_add(st, *id, actor, in.now, &err) ||
	    !store_commit(st, &err)) {
		store_rollback(st);
		goto out;
	}
	rc = CTL_OK;
out:
	if (err != NULL) {
		fprintf(stderr, "recoursctl: %s\n", err->message);
		g_error_free(err);
	}
	if (raw != NULL)
		g_bytes_unref(raw);
	g_ptr_array_unref(a.address);
	g_free(actor);
	g_free(cmds);
	return rc;
}

/* Stored, then the daemon opens the case at once. */
int
ctl_cmd_open(struct ctl *ctl, int argc, char **argv)
{
	char	*request, *reply = NULL;
	int64_t	 id;
	int	 rc;

	if ((rc = store_opening(ctl->store, ctl->setup, argc, argv, &id)) !=
	    CTL_OK)
		return rc;
	request = g_strdup_printf("inject %" G_GINT64_FORMAT, id);
	rc = ctl_call_daemon(ctl, request, 60, &reply);
	if (rc == 1)
		ctl_print_injected(id, reply);
	else
		printf("inbound message %" G_GINT64_FORMAT ": recoursd %s\n", id,
		    rc == -1 ? "is not running: it opens the case at its next "
		    "start" : "did not take it: it opens the case within "
		    "seconds");
	g_free(request);
	g_free(reply);
	return CTL_OK;
}
