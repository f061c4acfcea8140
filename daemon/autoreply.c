/*
 * autoreply.c: see autoreply.h.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "autoreply.h"

/* Bounces are small; a bigger message is not searched whole. */
#define MAX_BOUNCE	(1 << 20)
/* Multiparts looked into for a report part; the parser bounds it too. */
#define MAX_DEPTH	32

static const char *report_part(const struct msg *);
static size_t	 report_kind(GMimeObject *, int);
static const char *auto_submitted(const struct msg *);
static const char *null_sender(const struct msg *);
static const char *robot_sender(const struct msg *);
static const char *robot_local(const char *);
static const char *list_mail(const struct msg *);
static const char *precedence(const struct msg *);
static const char *responder_header(const struct msg *);
static const char *responder_subject(const struct msg *);

/* The rules of autoreply_automatic(), the most telling first. */
static const char *(*const rules[])(const struct msg *) = {
	report_part, auto_submitted, null_sender, list_mail, precedence,
	robot_sender, responder_header, responder_subject
};

/* Report parts, the most telling first: a multipart/report says least. */
static const struct {
	const char	*type, *subtype, *why;
} reports[] = {
	{ "message", "delivery-status",
	    "a delivery status notification (message/delivery-status)" },
	{ "message", "global-delivery-status", "a delivery status "
	    "notification (message/global-delivery-status)" },
	{ "message", "feedback-report",
	    "a feedback report (message/feedback-report)" },
	{ "message", "disposition-notification",
	    "a read receipt (message/disposition-notification)" },
	{ "multipart", "report", "a report (multipart/report)" },
};

const char *
autoreply_automatic(const struct msg *m)
{
	const char	*why = NULL;
	size_t		 i;

	for (i = 0; why == NULL && i < G_N_ELEMENTS(rules); i++)
		why = rules[i](m);
	return why;
}

/*
 * Whatever the report-type says, or without one (Yahoo sends its
 * feedback reports so): the parts themselves.  An attached message is
 * not looked into: a complainant may forward a bounce.
 */
static const char *
report_part(const struct msg *m)
{
	GMimeObject	*top = g_mime_message_get_mime_part(m->gmime);
	size_t		 k = top != NULL ? report_kind(top, 0) :
	    G_N_ELEMENTS(reports);

	return k < G_N_ELEMENTS(reports) ? reports[k].why : NULL;
}

/* The index in reports of o or of a part below it, the lowest found. */
static size_t
report_kind(GMimeObject *o, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	size_t		 best = G_N_ELEMENTS(reports), k;
	int		 i, n;

	for (k = 0; ct != NULL && k < G_N_ELEMENTS(reports); k++)
		if (g_mime_content_type_is_type(ct, reports[k].type,
		    reports[k].subtype)) {
			best = k;
			break;
		}
	if (!GMIME_IS_MULTIPART(o) || depth >= MAX_DEPTH)
		return best;
	n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
	for (i = 0; i < n; i++)
		best = MIN(best, report_kind(g_mime_multipart_get_part(
		    GMIME_MULTIPART(o), i), depth + 1));
	return best;
}

/* RFC 3834 section 5: any keyword but "no", parameters and comments aside. */
static const char *
auto_submitted(const struct msg *m)
{
	const char	*v = m->auto_submitted;
	size_t		 n;

	if (v == NULL)
		return NULL;
	v += strspn(v, " \t");
	n = strcspn(v, " \t;(");
	if (n == 0 || (n == 2 && g_ascii_strncasecmp(v, "no", 2) == 0))
		return NULL;
	return "Auto-Submitted other than \"no\" (RFC 3834)";
}

/*
 * Any Return-Path: a list that relays a delivery failure adds its own
 * above the <> of the failure.
 */
static const char *
null_sender(const struct msg *m)
{
	GPtrArray	*paths = msg_header_all(m, "Return-Path");
	gboolean	 null = FALSE;
	guint		 i;

	for (i = 0; !null && i < paths->len; i++) {
		const char *p = g_ptr_array_index(paths, i);

		p += strspn(p, " \t\r\n");
		if (*p++ != '<')
			continue;
		p += strspn(p, " \t\r\n");
		null = *p++ == '>' && p[strspn(p, " \t\r\n")] == '\0';
	}
	g_ptr_array_unref(paths);
	return null ? "a null envelope sender (Return-Path: <>)" : NULL;
}

/* From, or Sender (where lists put their bounce address). */
static const char *
robot_sender(const struct msg *m)
{
	const char	*sender = msg_header(m, "Sender");
	InternetAddressList *list;
	InternetAddress	*a;
	const char	*why = robot_local(m->from.addr);

	if (why != NULL || sender == NULL ||
	    (list = internet_address_list_parse(NULL, sender)) == NULL)
		return why;
	if (internet_address_list_length(list) > 0 &&
	    INTERNET_ADDRESS_IS_MAILBOX(a = internet_address_list_get_address(
	    list, 0)))
		why = robot_local(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a)));
	g_object_unref(list);
	return why;
}

/* The local part of a robot's address: a mail system's, or a list's. */
static const char *
robot_local(const char *addr)
{
	const char	*at = addr != NULL ? strrchr(addr, '@') : NULL;
	const char	*why = NULL;
	char		*local;

	if (addr == NULL)
		return NULL;
	local = g_ascii_strdown(addr, at != NULL ? at - addr : -1);
	if (strcmp(local, "mailer-daemon") == 0)
		why = "a mail system's sender (MAILER-DAEMON)";
	else if (strcmp(local, "postmaster") == 0)
		why = "a mail system's sender (postmaster)";
	else if (g_str_has_prefix(local, "owner-"))
		why = "a list's sender (owner-*)";
	else if (g_str_has_suffix(local, "-request"))
		why = "a list's sender (*-request)";
	else if (g_str_has_suffix(local, "-bounces") ||
	    strstr(local, "-bounces+") != NULL)
		why = "a list's sender (*-bounces)";
	g_free(local);
	return why;
}

/* RFC 2919 and 2369; ezmlm's own header. */
static const char *
list_mail(const struct msg *m)
{
	if (msg_header(m, "List-Id") != NULL)
		return "list mail (List-Id)";
	if (msg_header(m, "List-Post") != NULL)
		return "list mail (List-Post)";
	if (msg_header(m, "Mailing-List") != NULL)
		return "list mail (Mailing-List)";
	return NULL;
}

/* Every Precedence: Sympa writes two. */
static const char *
precedence(const struct msg *m)
{
	GPtrArray	*values = msg_header_all(m, "Precedence");
	const char	*why = NULL;
	guint		 i;

	for (i = 0; why == NULL && i < values->len; i++) {
		char	*v = g_strstrip(g_strdup(g_ptr_array_index(values, i)));

		if (g_ascii_strcasecmp(v, "bulk") == 0)
			why = "bulk mail (Precedence: bulk)";
		else if (g_ascii_strcasecmp(v, "list") == 0)
			why = "list mail (Precedence: list)";
		else if (g_ascii_strcasecmp(v, "junk") == 0)
			why = "junk mail (Precedence: junk)";
		g_free(v);
	}
	g_ptr_array_unref(values);
	return why;
}

/*
 * What auto-responders that ignore RFC 3834 write instead (the list
 * osTicket checks, but X-Auto-Response-Suppress, which is a request).
 */
static const char *
responder_header(const struct msg *m)
{
	static const char *const names[] = { "X-Autoreply", "X-Autorespond",
	    "X-Autoresponse", "X-AutoReply-From", "X-Mail-Autoreply" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if ((v = msg_header(m, names[i])) != NULL &&
		    g_ascii_strncasecmp(v + strspn(v, " \t"), "no", 2) != 0)
			return "an auto-responder's header (X-Autoreply...)";
	return NULL;
}

/*
 * The prefixes out-of-office replies put before the subject when they
 * carry no header at all (Exchange in each language, Apple's "Auto
 * reply:").  A person's "Re:" or "Fwd:" before it is not one.
 */
static const char *
responder_subject(const struct msg *m)
{
	static GRegex	*re;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, g_regex_new("^\\s*(automatic reply|"
		    "auto[- ]?reply|auto[- ]?response|out of office( autoreply)?|"
		    "r[ée]ponse automatique|automatische antwort|"
		    "respuesta autom[áa]tica|risposta automatica|"
		    "automatisch antwoord|resposta autom[áa]tica|"
		    "automatyczna odpowied[źz])\\s*:", G_REGEX_CASELESS |
		    G_REGEX_OPTIMIZE, 0, NULL));
	return g_regex_match(re, m->subject, 0, NULL) ?
	    "an out-of-office subject (\"Automatic reply:\"...)" : NULL;
}

gboolean
autoreply_is_bounce(const struct msg *m)
{
	static GRegex	*subjects;
	GMimeObject	*top = g_mime_message_get_mime_part(m->gmime);
	GMimeContentType *ct = top != NULL ?
	    g_mime_object_get_content_type(top) : NULL;
	const char	*report = ct != NULL ?
	    g_mime_content_type_get_parameter(ct, "report-type") : NULL;

	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
	    "report") && report != NULL &&
	    g_ascii_strcasecmp(report, "delivery-status") == 0)
		return TRUE;
	if (g_once_init_enter(&subjects))
		g_once_init_leave(&subjects, g_regex_new("undeliver|returned "
		    "mail|delivery (status notification|failure)|mail delivery "
		    "(failed|subsystem)|non remis|non distribu|failure notice",
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL));
	return m->from.addr != NULL &&
	    (g_ascii_strncasecmp(m->from.addr, "mailer-daemon@", 14) == 0 ||
	    g_ascii_strncasecmp(m->from.addr, "postmaster@", 11) == 0) &&
	    g_regex_match(subjects, m->subject, 0, NULL);
}

GPtrArray *
autoreply_our_ids(const struct msg *m, const char *domain)
{
	GPtrArray	*ids = g_ptr_array_new_with_free_func(g_free);
	GMatchInfo	*mi = NULL;
	GRegex		*re;
	char		*text, *pattern, *quoted;

	text = g_mime_object_to_string(GMIME_OBJECT(m->gmime), NULL);
	if (text == NULL || strlen(text) > MAX_BOUNCE) {
		g_free(text);
		return ids;
	}
	quoted = g_regex_escape_string(domain, -1);
	pattern = g_strdup_printf("<([^<>@\\s]+@%s)>", quoted);
	re = g_regex_new(pattern, G_REGEX_CASELESS, 0, NULL);
	g_regex_match(re, text, 0, &mi);
	while (g_match_info_matches(mi)) {
		char	*id = g_match_info_fetch(mi, 1);

		if (!g_ptr_array_find_with_equal_func(ids, id, g_str_equal, NULL))
			g_ptr_array_add(ids, id);
		else
			g_free(id);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_regex_unref(re);
	g_free(pattern);
	g_free(quoted);
	g_free(text);
	return ids;
}
