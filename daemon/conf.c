/*
 * conf.c: load and check recoursd.conf (see conf.h and recoursd.conf.5).
 *
 * libconfig accepts any key silently, so every group is first checked
 * against a table of the names it may hold; then typed getters read the
 * values, each error recorded with the file and line of the setting.
 * Loading never stops at the first error: the administrator sees them all.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cfg.h"
#include "conf.h"

/* The configuration being loaded. */
#define CONF(l)	((struct conf *)(l)->owner)

/* Allowed members of each group: NULL-terminated. */
static const char *const top_keys[] = {
	"organisation", "database", "spool", "rules", "templates",
	"template_overrides", "language",
	"mailboxes", "smtp", "limits", "imap", "calendar", "alerts", "staff",
	"staff_key", "staff_key_file", "reply_address", "detect_language",
	"staff_authserv_id", "quote_separators", "reply_subaddress",
	"retention", "staff_auth_results", "staff_token_days",
	"staff_key_previous", "staff_key_previous_file",
	"staff_key_previous_until", "control_group", "post", NULL
};
static const char *const post_keys[] = {
	"role", "sender", "city", "remind_every", "receipt_within", NULL
};
static const char *const retention_keys[] = { "keep", "mode", NULL };
static const char *const staff_keys[] = { "address", "name", "role", NULL };
static const char *const org_keys[] = { "name", "address", "domain", NULL };
static const char *const mailbox_keys[] = {
	"name", "host", "port", "security", "allow_plaintext", "user",
	"password", "password_file", "folder", "role", "after", "move_to",
	"ca_file", "poll_interval", NULL
};
static const char *const smtp_keys[] = {
	"host", "port", "security", "allow_plaintext", "user", "password",
	"password_file", "ca_file", "max_age", NULL
};
static const char *const limits_keys[] = {
	"message_size", "parts", "header_size", "depth", "parse_seconds",
	"stream_threshold", "acks_per_hour", "notify_attachments", NULL
};
static const char *const imap_keys[] = {
	"timeout", "idle_restart", "backoff_max", "fetch_batch", NULL
};
static const char *const calendar_keys[] = {
	"alsace_moselle", "closures", "opening_hours", NULL
};
static const char *const closure_keys[] = { "from", "to", "label", NULL };
static const char *const alerts_keys[] = { "admin", "mailbox_down_after", NULL };

static char	*get_secret(struct cfg *, const config_setting_t *);
static int	 get_security(struct cfg *, const config_setting_t *,
		    enum conf_security *, gboolean *);
static void	 load_org(struct cfg *, const config_setting_t *);
static void	 load_paths(struct cfg *, const config_setting_t *);
static void	 load_mailboxes(struct cfg *, const config_setting_t *);
static void	 load_mailbox(struct cfg *, const config_setting_t *);
static void	 load_smtp(struct cfg *, const config_setting_t *);
static void	 load_limits(struct cfg *, const config_setting_t *);
static void	 load_imap(struct cfg *, const config_setting_t *);
/* What load() reads of the file. */
enum load_mode { LOAD_ALL, LOAD_PUBLIC, LOAD_CALENDAR };
static struct conf *load(const char *, GString *, enum load_mode);
static void	 load_calendar(struct cfg *, const config_setting_t *);
static void	 load_retention(struct cfg *, const config_setting_t *);
static void	 load_separators(struct cfg *, const config_setting_t *);
static void	 load_opening_hours(struct cfg *, const config_setting_t *);
static void	 load_alerts(struct cfg *, const config_setting_t *);
static void	 load_post(struct cfg *, const config_setting_t *);
static void	 post_duration(struct cfg *, const config_setting_t *,
		    const char *, const char *, struct cal_duration *);
static gboolean	 is_loopback(const char *);
static void	 load_staff(struct cfg *, const config_setting_t *);
static char	*load_key(struct cfg *, const config_setting_t *,
		    const char *);
static void	 load_previous_key(struct cfg *, const config_setting_t *);
static void	 staff_free(gpointer);
static gboolean	 parse_date(const char *, GDate *);
static void	 mailbox_free(gpointer);
static void	 closure_clear(gpointer);









/*
 * password, or the first line of password_file (left unread when the
 * caller never connects); never both.
 */
static char *
get_secret(struct cfg *l, const config_setting_t *s)
{
	char		*pw, *file, *text = NULL;
	GError		*err = NULL;

	pw = cfg_str(l, s, "password", NULL);
	file = cfg_path(l, s, "password_file", NULL);
	if (pw != NULL && file != NULL) {
		cfg_error(l, config_setting_get_member(s, "password_file"),
		    "give password or password_file, not both");
		g_free(file);
		return pw;
	}
	if (file == NULL || CONF(l)->no_secrets) {
		g_free(file);
		return pw;
	}
	if (!g_file_get_contents(file, &text, NULL, &err)) {
		cfg_error(l, config_setting_get_member(s, "password_file"),
		    "%s", err->message);
		g_error_free(err);
	} else
		text[strcspn(text, "\r\n")] = '\0';
	g_free(file);
	return text;
}

static gboolean
is_loopback(const char *host)
{
	return host != NULL && (strcmp(host, "localhost") == 0 ||
	    g_str_has_prefix(host, "127.") || strcmp(host, "::1") == 0);
}

/* security and allow_plaintext; returns the default port for it. */
static int
get_security(struct cfg *l, const config_setting_t *s,
    enum conf_security *sec, gboolean *force)
{
	char	*v;
	int	 port = 993;

	v = cfg_str(l, s, "security", "imaps");
	*sec = CONF_SEC_IMAPS;
	*force = cfg_bool(l, s, "allow_plaintext", FALSE);
	if (v == NULL || strcmp(v, "imaps") == 0 || strcmp(v, "tls") == 0)
		port = 993;
	else if (strcmp(v, "starttls") == 0) {
		*sec = CONF_SEC_STARTTLS;
		port = 143;
	} else if (strcmp(v, "none") == 0) {
		*sec = CONF_SEC_NONE;
		port = 143;
	} else
		cfg_error(l, config_setting_get_member(s, "security"),
		    "security must be \"imaps\", \"starttls\" or \"none\", "
		    "not \"%s\"", v);
	g_free(v);
	return port;
}

static void
load_org(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *g;
	struct conf	*c = CONF(l);

	g = cfg_group(l, root, "organisation", org_keys);
	if (g == NULL) {
		cfg_error(l, root, "missing group 'organisation' "
		    "(name, address, domain)");
		return;
	}
	c->org_name = cfg_str(l, g, "name", NULL);
	c->org_address = cfg_str(l, g, "address", NULL);
	c->org_domain = cfg_str(l, g, "domain", NULL);
	if (c->org_name == NULL || c->org_address == NULL ||
	    c->org_domain == NULL)
		cfg_error(l, g, "organisation needs name, address and domain");
	else if (strchr(c->org_address, '@') == NULL)
		cfg_error(l, config_setting_get_member(g, "address"),
		    "address \"%s\" is not an e-mail address", c->org_address);
}

static void
load_paths(struct cfg *l, const config_setting_t *root)
{
	struct conf	*c = CONF(l);

	c->database = cfg_path(l, root, "database",
	    LOCALSTATEDIR "/lib/recoursd/recoursd.db");
	c->spool = cfg_path(l, root, "spool", LOCALSTATEDIR "/lib/recoursd");
	c->rules = cfg_path(l, root, "rules", SYSCONFDIR "/recoursd/rules");
	c->templates = cfg_path(l, root, "templates",
	    DATADIR "/recoursd/templates");
	c->template_overrides = cfg_path(l, root, "template_overrides", NULL);
	c->language = cfg_str(l, root, "language", "fr");
	if (c->language != NULL && strcmp(c->language, "fr") != 0 &&
	    strcmp(c->language, "en") != 0)
		cfg_error(l, config_setting_get_member(root, "language"),
		    "language must be \"fr\" or \"en\"");
	c->detect_language = cfg_bool(l, root, "detect_language", FALSE);
	c->control_group = cfg_str(l, root, "control_group", "recoursd");
}

static void
load_mailboxes(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *list;
	int	 i, n;

	list = config_setting_get_member(root, "mailboxes");
	if (list == NULL)
		return;
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		cfg_error(l, list, "'mailboxes' must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(list, i);

		if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
			cfg_error(l, m, "each mailbox must be a group { ... }");
			continue;
		}
		cfg_check_keys(l, m, mailbox_keys);
		load_mailbox(l, m);
	}
}

static void
load_mailbox(struct cfg *l, const config_setting_t *s)
{
	struct conf_mailbox *mb;
	char		*after;
	int		 port;

	mb = g_new0(struct conf_mailbox, 1);
	mb->file = g_intern_string(config_setting_source_file(s));
	mb->line = (int)config_setting_source_line(s);
	mb->name = cfg_str(l, s, "name", NULL);
	mb->host = cfg_str(l, s, "host", NULL);
	port = get_security(l, s, &mb->security, &mb->allow_plaintext);
	mb->port = (int)cfg_int(l, s, "port", port, 1, 65535);
	mb->user = cfg_str(l, s, "user", NULL);
	mb->password = get_secret(l, s);
	mb->folder = cfg_str(l, s, "folder", "INBOX");
	mb->role = cfg_str(l, s, "role", "client");
	mb->ca_file = cfg_path(l, s, "ca_file", NULL);
	mb->poll_interval = (int)cfg_int(l, s, "poll_interval", 60, 1, 86400);
	mb->move_to = cfg_str(l, s, "move_to", NULL);
	after = cfg_str(l, s, "after", "leave");
	g_ptr_array_add(CONF(l)->mailboxes, mb);

	if (mb->name == NULL || mb->host == NULL || mb->user == NULL)
		cfg_error(l, s, "a mailbox needs name, host and user");
	else if (conf_mailbox(CONF(l), mb->name) != mb)
		cfg_error(l, s, "mailbox name \"%s\" is used twice", mb->name);
	if (config_setting_get_member(s, "password") == NULL &&
	    config_setting_get_member(s, "password_file") == NULL)
		cfg_error(l, s, "mailbox \"%s\" needs password or "
		    "password_file", mb->name != NULL ? mb->name : "?");
	if (mb->security == CONF_SEC_NONE && !is_loopback(mb->host) &&
	    !mb->allow_plaintext)
		cfg_error(l, config_setting_get_member(s, "security"),
		    "security \"none\" would send the password in clear to "
		    "%s; allowed on loopback only, unless allow_plaintext = "
		    "true", mb->host != NULL ? mb->host : "?");
	if (after == NULL || strcmp(after, "leave") == 0)
		mb->after = CONF_AFTER_LEAVE;
	else if (strcmp(after, "seen") == 0)
		mb->after = CONF_AFTER_SEEN;
	else if (strcmp(after, "move") == 0) {
		mb->after = CONF_AFTER_MOVE;
		if (mb->move_to == NULL)
			cfg_error(l, config_setting_get_member(s, "after"),
			    "after = \"move\" needs move_to = \"FOLDER\"");
	} else
		cfg_error(l, config_setting_get_member(s, "after"),
		    "after must be \"leave\", \"seen\" or \"move\", not \"%s\"",
		    after);
	g_free(after);
}

static void
load_smtp(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s;
	struct conf_smtp *smtp = &CONF(l)->smtp;
	int		 port;

	s = cfg_group(l, root, "smtp", smtp_keys);
	if (s == NULL)
		return;
	CONF(l)->has_smtp = TRUE;
	smtp->host = cfg_str(l, s, "host", NULL);
	(void)get_security(l, s, &smtp->security, &smtp->allow_plaintext);
	port = smtp->security == CONF_SEC_IMAPS ? 465 :
	    smtp->security == CONF_SEC_STARTTLS ? 587 : 25;
	smtp->port = (int)cfg_int(l, s, "port", port, 1, 65535);
	smtp->user = cfg_str(l, s, "user", NULL);
	smtp->password = get_secret(l, s);
	smtp->ca_file = cfg_path(l, s, "ca_file", NULL);
	/* 4xx replies are retried until the row is this old: 5 days. */
	smtp->max_age = cfg_int(l, s, "max_age", 5 * 86400, 60, 30 * 86400);
	if (smtp->host == NULL)
		cfg_error(l, s, "smtp needs host");
	if (smtp->user != NULL &&
	    config_setting_get_member(s, "password") == NULL &&
	    config_setting_get_member(s, "password_file") == NULL)
		cfg_error(l, s, "smtp user needs password or password_file");
	if (smtp->security == CONF_SEC_NONE && !is_loopback(smtp->host) &&
	    !smtp->allow_plaintext)
		cfg_error(l, config_setting_get_member(s, "security"),
		    "security \"none\" is allowed on loopback only, unless "
		    "allow_plaintext = true");
}

static void
load_limits(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s;
	struct conf_limits *lim = &CONF(l)->limits;

	s = cfg_group(l, root, "limits", limits_keys);
	lim->message_size = cfg_int(l, s, "message_size", 64 << 20,
	    1024, G_GINT64_CONSTANT(4) << 30);
	lim->parts = (int)cfg_int(l, s, "parts", 1000, 1, 100000);
	lim->header_size = cfg_int(l, s, "header_size", 1 << 20, 1024,
	    64 << 20);
	lim->depth = (int)cfg_int(l, s, "depth", 20, 1, 1000);
	lim->parse_seconds = cfg_float(l, s, "parse_seconds", 30.0, 0.1,
	    3600.0);
	lim->stream_threshold = cfg_int(l, s, "stream_threshold", 1 << 20,
	    1024, G_GINT64_CONSTANT(4) << 30);
	/* An auto-responder without RFC 3834 headers cannot loop for long. */
	lim->acks_per_hour = (int)cfg_int(l, s, "acks_per_hour", 5, 1, 10000);
	/* Attached to staff notifications up to this in all; else listed. */
	lim->notify_attachments = cfg_int(l, s, "notify_attachments", 10 << 20,
	    0, G_GINT64_CONSTANT(1) << 30);
}

static void
load_imap(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s;
	struct conf_imap *imap = &CONF(l)->imap;

	s = cfg_group(l, root, "imap", imap_keys);
	imap->timeout = (int)cfg_int(l, s, "timeout", 60, 1, 3600);
	/* RFC 2177: re-issue IDLE at least every 29 minutes. */
	imap->idle_restart = (int)cfg_int(l, s, "idle_restart", 23 * 60, 5,
	    29 * 60);
	imap->backoff_max = (int)cfg_int(l, s, "backoff_max", 600, 1, 86400);
	imap->fetch_batch = (int)cfg_int(l, s, "fetch_batch", 100, 1, 10000);
}

static gboolean
parse_date(const char *text, GDate *d)
{
	unsigned	 y, m, day;
	char		 extra;

	if (text == NULL ||
	    sscanf(text, "%4u-%2u-%2u%c", &y, &m, &day, &extra) != 3 ||
	    !g_date_valid_dmy((GDateDay)day, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)day, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

/*
 * Lines that start the quoted message in staff replies, beyond those
 * recoursd knows: regular expressions, each matched at a line start.
 */
static void
load_separators(struct cfg *l, const config_setting_t *root)
{
	GPtrArray	*list = cfg_str_list(l, root, "quote_separators");
	GString		*all;
	GError		*err = NULL;
	guint		 i;

	if (list == NULL || list->len == 0) {
		if (list != NULL)
			g_ptr_array_unref(list);
		return;
	}
	all = g_string_new("^(?:");
	for (i = 0; i < list->len; i++) {
		GRegex *one = g_regex_new(g_ptr_array_index(list, i), 0, 0,
		    &err);

		if (one == NULL) {
			cfg_error(l, config_setting_get_member(root,
			    "quote_separators"), "quote_separators: \"%s\": %s",
			    (char *)g_ptr_array_index(list, i), err->message);
			g_clear_error(&err);
		} else
			g_regex_unref(one);
		g_string_append_printf(all, "%s(?:%s)", i ? "|" : "",
		    (char *)g_ptr_array_index(list, i));
	}
	g_string_append(all, ")");
	CONF(l)->quote_separators = g_regex_new(all->str, G_REGEX_MULTILINE |
	    G_REGEX_CASELESS, 0, NULL);
	g_string_free(all, TRUE);
	g_ptr_array_unref(list);
}

/* "09:00-18:00": staff reminders wait for the next opening time. */
static void
load_opening_hours(struct cfg *l, const config_setting_t *s)
{
	struct conf	*c = CONF(l);
	char		*text = cfg_str(l, s, "opening_hours", NULL);
	unsigned	 h1, m1, h2, m2;
	char		 end;

	c->open_from = 0;
	c->open_until = 24 * 60;
	if (text == NULL)
		return;
	if (sscanf(text, "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &end) != 4 ||
	    h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || h1 * 60 + m1 >=
	    h2 * 60 + m2 || h2 * 60 + m2 > 24 * 60)
		cfg_error(l, config_setting_get_member(s, "opening_hours"),
		    "opening_hours is \"HH:MM-HH:MM\", opening before closing: "
		    "\"%s\"", text);
	else {
		c->open_from = (int)(h1 * 60 + m1);
		c->open_until = (int)(h2 * 60 + m2);
	}
	g_free(text);
}

static void
load_calendar(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s, *list;
	int	 i, n;

	s = cfg_group(l, root, "calendar", calendar_keys);
	CONF(l)->alsace_moselle = cfg_bool(l, s, "alsace_moselle", FALSE);
	load_opening_hours(l, s);
	list = s != NULL ? config_setting_get_member(s, "closures") : NULL;
	if (list == NULL)
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(list, i);
		struct conf_closure cl;
		char	*from, *to;

		memset(&cl, 0, sizeof(cl));
		if (config_setting_type(c) != CONFIG_TYPE_GROUP) {
			cfg_error(l, c, "a closure is { from = \"YYYY-MM-DD\"; "
			    "to = \"YYYY-MM-DD\"; label = \"...\"; }");
			continue;
		}
		cfg_check_keys(l, c, closure_keys);
		from = cfg_str(l, c, "from", NULL);
		to = cfg_str(l, c, "to", NULL);
		cl.label = cfg_str(l, c, "label", "fermeture");
		if (!parse_date(from, &cl.from) || !parse_date(to, &cl.to))
			cfg_error(l, c, "closure dates must be YYYY-MM-DD");
		else if (g_date_compare(&cl.from, &cl.to) > 0)
			cfg_error(l, c, "closure ends before it starts");
		g_array_append_val(CONF(l)->closures, cl);
		g_free(from);
		g_free(to);
	}
}

/*
 * How long a closed case is kept, and what a purge does then: the CNIL's
 * intermediate archive ends with deletion or anonymisation (domain.md
 * §5).  Five years is the civil limitation period and OPQTECC's figure.
 */
static void
load_retention(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s = cfg_group(l, root, "retention",
	    retention_keys), *keep;
	struct conf	*c = CONF(l);
	char		*text, *mode;
	GError		*err = NULL;

	keep = s != NULL ? config_setting_get_member(s, "keep") : NULL;
	text = cfg_str(l, s, "keep", "5y");
	if (!cfg_parse_period(text, &c->retention, &err)) {
		cfg_error(l, keep, "retention.keep: %s", err->message);
		g_error_free(err);
	} else if (keep != NULL)
		c->retention_line = config_setting_source_line(keep);
	g_free(text);
	mode = cfg_str(l, s, "mode", "anonymise");
	if (strcmp(mode, "delete") == 0)
		c->retention_delete = TRUE;
	else if (strcmp(mode, "anonymise") != 0)
		cfg_error(l, config_setting_get_member(s, "mode"),
		    "retention.mode: \"%s\": give \"anonymise\" or \"delete\"",
		    mode);
	g_free(mode);
}

/* name, or the first line of name_file; caller frees (explicit_bzero). */
static char *
load_key(struct cfg *l, const config_setting_t *root, const char *name)
{
	char	*key = cfg_str(l, root, name, NULL), *fname, *file, *text;
	GError	*err = NULL;

	fname = g_strconcat(name, "_file", NULL);
	file = cfg_path(l, root, fname, NULL);
	if (file != NULL && !g_file_get_contents(file, &text, NULL, &err)) {
		cfg_error(l, config_setting_get_member(root, fname), "%s",
		    err->message);
		g_error_free(err);
	} else if (file != NULL) {
		g_free(key);
		key = g_strstrip(text);
	}
	g_free(file);
	g_free(fname);
	return key;
}

/*
 * The key staff_key replaced, still valid until the end of
 * staff_key_previous_until (a UTC day): tokens already sent keep working
 * while staff_key signs the new ones.
 */
static void
load_previous_key(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s, *key;
	struct conf	*c = CONF(l);
	char		*until;
	GDate		 day;

	c->staff_key_previous = load_key(l, root, "staff_key_previous");
	until = cfg_str(l, root, "staff_key_previous_until", NULL);
	s = config_setting_get_member(root, "staff_key_previous_until");
	if ((key = config_setting_get_member(root, "staff_key_previous")) ==
	    NULL)
		key = config_setting_get_member(root, "staff_key_previous_file");
	if (c->staff_key_previous != NULL && strlen(c->staff_key_previous) < 16)
		cfg_error(l, key, "staff_key_previous needs 16 characters or "
		    "more");
	if (c->staff_key_previous != NULL && until == NULL)
		cfg_error(l, key, "staff_key_previous needs "
		    "staff_key_previous_until = \"YYYY-MM-DD\", the last day "
		    "it is accepted");
	if (until != NULL && !parse_date(until, &day))
		cfg_error(l, s, "staff_key_previous_until: \"%s\" is not a "
		    "day written YYYY-MM-DD", until);
	else if (until != NULL)	/* Julian day 719163 is 1970-01-01 */
		c->staff_key_previous_until = (int64_t)g_date_get_julian(&day) -
		    719163;
	g_free(until);
}

/*
 * Staff, and the key that signs the tokens of their notifications: a
 * reply counts as staff's only from a staff address with a valid token.
 */
static void
load_staff(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root, "staff");
	struct conf	*c = CONF(l);
	int		 i, n;

	n = list != NULL ? config_setting_length(list) : 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct conf_staff *st = g_new0(struct conf_staff, 1);

		cfg_check_keys(l, e, staff_keys);
		st->address = cfg_str(l, e, "address", NULL);
		st->name = cfg_str(l, e, "name", st->address);
		st->role = cfg_str(l, e, "role", "staff");
		if (st->address == NULL || strchr(st->address, '@') == NULL)
			cfg_error(l, e, "staff need address = \"...@...\"");
		g_ptr_array_add(c->staff, st);
	}
	c->staff_key = load_key(l, root, "staff_key");
	if (n > 0 && (c->staff_key == NULL || strlen(c->staff_key) < 16))
		cfg_error(l, list, "staff need staff_key (or staff_key_file) "
		    "of 16 characters or more: it signs their reply tokens");
	c->reply_address = cfg_str(l, root, "reply_address", c->org_address);
	c->staff_authserv_id = cfg_str(l, root, "staff_authserv_id", NULL);
	c->staff_auth_results = (int)cfg_int(l, root, "staff_auth_results", 1,
	    1, 10);
	c->staff_token_days = (int)cfg_int(l, root, "staff_token_days", 90, 1,
	    3650);
	load_previous_key(l, root);
	c->reply_subaddress = cfg_bool(l, root, "reply_subaddress", FALSE);
	load_separators(l, root);
}

static void
load_alerts(struct cfg *l, const config_setting_t *root)
{
	const config_setting_t *s;

	s = cfg_group(l, root, "alerts", alerts_keys);
	CONF(l)->admin = cfg_str(l, s, "admin", NULL);
	CONF(l)->mailbox_alert_after = (int)cfg_int(l, s,
	    "mailbox_down_after", 900, 10, 7 * 86400);
}

/* "15 jours": a duration of the calendar, else an error at its line. */
static void
post_duration(struct cfg *l, const config_setting_t *s, const char *name,
    const char *def, struct cal_duration *d)
{
	char	*text = cfg_str(l, s, name, def);
	GError	*err = NULL;

	if (!cal_parse_duration(text, d, &err)) {
		cfg_error(l, config_setting_get_member(s, name), "%s: %s", name,
		    err->message);
		g_error_free(err);
	}
	g_free(text);
}

/*
 * Letters on paper: who posts them, the sender block and town of the
 * letter, and when staff are reminded of a letter not posted and of a
 * registered one whose receipt has not come back.
 */
static void
load_post(struct cfg *l, const config_setting_t *root)
{
	struct conf_post *p = &CONF(l)->post;
	const config_setting_t *s = cfg_group(l, root, "post", post_keys);

	p->role = cfg_str(l, s, "role", "courrier");
	if ((p->sender = cfg_str_list(l, s, "sender")) == NULL)
		p->sender = g_ptr_array_new_with_free_func(g_free);
	p->city = cfg_str(l, s, "city", NULL);
	post_duration(l, s, "remind_every", "2 jours ouvrés", &p->remind_every);
	post_duration(l, s, "receipt_within", "15 jours", &p->receipt_within);
	if (p->sender->len > 6)
		cfg_error(l, config_setting_get_member(s, "sender"),
		    "sender: 6 lines at most");
}

struct conf *
conf_load(const char *path, GString *errors)
{
	return load(path, errors, LOAD_ALL);
}

struct conf *
conf_load_public(const char *path, GString *errors)
{
	return load(path, errors, LOAD_PUBLIC);
}

struct conf *
conf_load_calendar(const char *path, GString *errors)
{
	return load(path, errors, LOAD_CALENDAR);
}

/* All of path, or only its calendar group (for another setup's deadlines). */
static struct conf *
load(const char *path, GString *errors, enum load_mode mode)
{
	config_t	 cfg;
	struct cfg	 l;
	struct conf	*c;
	const config_setting_t *root;

	c = g_new0(struct conf, 1);
	c->path = g_strdup(path);
	c->no_secrets = mode != LOAD_ALL;
	c->mailboxes = g_ptr_array_new_with_free_func(mailbox_free);
	c->staff = g_ptr_array_new_with_free_func(staff_free);
	c->closures = g_array_new(FALSE, TRUE, sizeof(struct conf_closure));
	g_array_set_clear_func(c->closures, closure_clear);
	memset(&l, 0, sizeof(l));
	l.owner = c;
	l.errors = errors;
	l.path = c->path;
	l.dir = g_path_get_dirname(path);

	config_init(&cfg);
	if (!cfg_read(&l, &cfg, path))
		goto out;
	root = config_root_setting(&cfg);
	cfg_check_keys(&l, root, top_keys);
	if (mode == LOAD_CALENDAR) {
		load_calendar(&l, root);
		goto out;
	}
	load_org(&l, root);
	load_paths(&l, root);
	load_mailboxes(&l, root);
	load_smtp(&l, root);
	load_limits(&l, root);
	load_imap(&l, root);
	load_calendar(&l, root);
	load_alerts(&l, root);
	load_staff(&l, root);
	load_post(&l, root);
	load_retention(&l, root);
out:
	config_destroy(&cfg);
	g_free(l.dir);
	if (l.nerrors > 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

static void
mailbox_free(gpointer p)
{
	struct conf_mailbox *mb = p;

	g_free(mb->name);
	g_free(mb->host);
	g_free(mb->user);
	if (mb->password != NULL)
		explicit_bzero(mb->password, strlen(mb->password));
	g_free(mb->password);
	g_free(mb->folder);
	g_free(mb->role);
	g_free(mb->move_to);
	g_free(mb->ca_file);
	g_free(mb);
}

static void
closure_clear(gpointer p)
{
	struct conf_closure *cl = p;

	g_free(cl->label);
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	g_free(c->path);
	g_free(c->org_name);
	g_free(c->org_address);
	g_free(c->org_domain);
	g_free(c->database);
	g_free(c->control_group);
	g_free(c->spool);
	g_free(c->rules);
	g_free(c->templates);
	g_free(c->template_overrides);
	g_free(c->language);
	g_free(c->admin);
	g_ptr_array_free(c->mailboxes, TRUE);
	g_ptr_array_free(c->staff, TRUE);
	if (c->staff_key != NULL)
		explicit_bzero(c->staff_key, strlen(c->staff_key));
	g_free(c->staff_key);
	if (c->staff_key_previous != NULL)
		explicit_bzero(c->staff_key_previous,
		    strlen(c->staff_key_previous));
	g_free(c->staff_key_previous);
	g_free(c->reply_address);
	g_free(c->staff_authserv_id);
	if (c->quote_separators != NULL)
		g_regex_unref(c->quote_separators);
	g_free(c->smtp.host);
	g_free(c->smtp.user);
	if (c->smtp.password != NULL)
		explicit_bzero(c->smtp.password, strlen(c->smtp.password));
	g_free(c->smtp.password);
	g_free(c->smtp.ca_file);
	g_array_free(c->closures, TRUE);
	g_free(c->post.role);
	if (c->post.sender != NULL)
		g_ptr_array_unref(c->post.sender);
	g_free(c->post.city);
	g_free(c);
}

static void
staff_free(gpointer p)
{
	struct conf_staff *st = p;

	g_free(st->address);
	g_free(st->name);
	g_free(st->role);
	g_free(st);
}

const struct conf_staff *
conf_staff(const struct conf *c, const char *addr)
{
	guint	 i;

	for (i = 0; addr != NULL && i < c->staff->len; i++) {
		const struct conf_staff *st = g_ptr_array_index(c->staff, i);

		if (st->address != NULL &&
		    g_ascii_strcasecmp(st->address, addr) == 0)
			return st;
	}
	return NULL;
}

const struct conf_mailbox *
conf_mailbox(const struct conf *c, const char *name)
{
	guint	 i;

	for (i = 0; i < c->mailboxes->len; i++) {
		const struct conf_mailbox *mb = g_ptr_array_index(c->mailboxes, i);

		if (mb->name != NULL && strcmp(mb->name, name) == 0)
			return mb;
	}
	return NULL;
}

const char *
conf_security_name(enum conf_security s)
{
	switch (s) {
	case CONF_SEC_IMAPS:
		return "imaps";
	case CONF_SEC_STARTTLS:
		return "starttls";
	case CONF_SEC_NONE:
		return "none";
	}
	return "?";
}
