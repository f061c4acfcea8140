/*
 * template.h: message templates.  Pure: no I/O but tpl_load_file(), no
 * database, no clock.  A template is parsed once, checked against the
 * variables its kind of message offers (so that a typo is an error when
 * the files are loaded, not a blank in a sent mail), then rendered with
 * values into a one-line subject and a body.
 *
 * TEMPLATE FORMAT (the text of recoursd.rules(5), TEMPLATES)
 *
 * A template is a UTF-8 text file shaped like a mail: header lines, a
 * blank line, then the body.  The only header is Subject:, required
 * once; any other header is an error (From:, To:, Auto-Submitted: and
 * the threading headers are set by recoursd).  A long Subject: may be
 * folded onto following lines that begin with a space or a tab.  Lines
 * may end in LF or CRLF; a leading byte-order mark is ignored.
 *
 *	Subject: [{{case.ref}}] Accusé de réception
 *
 *	Bonjour{{#if complainant.name}} {{complainant.name}}{{/if}},
 *
 *	Nous avons bien reçu votre {{case.type}}.  Nous vous répondrons
 *	au plus tard le {{deadline.response}}.
 *	{{#if missing_fields}}
 *	Merci de nous indiquer :
 *	{{#each missing_fields}}
 *	  - {{.}}
 *	{{/each}}
 *	{{/if}}
 *
 * Tags are written between {{ and }} on one line (only comments may
 * span lines); spaces next to the braces are ignored.
 *
 *	{{name}}	The value of the variable name.  Names are words
 *			of letters, digits and _ joined by dots:
 *			case.ref, deadline.response.
 *	{{#if name}}A{{else}}B{{/if}}
 *			A when name has a value that is not empty (for a
 *			list: at least one item), otherwise B.  The
 *			{{else}} part is optional.
 *	{{#each name}}A{{/each}}
 *			A once for each item of the list name; inside,
 *			{{.}} is the current item.  Blocks nest.
 *	{{! text }}	A comment; it produces nothing.
 *
 * A line that holds nothing but block tags ({{#if}}, {{else}}, {{/if}},
 * {{#each}}, {{/each}}) or comments, and spaces or tabs, is removed
 * with its line end: blocks leave no blank lines.  There is no way to
 * write a literal "{{".
 *
 * Each kind of message offers its own variables, some of them lists.
 * When templates are loaded (recoursd at start-up and on SIGHUP,
 * recoursd -n, recoursctl check), a variable the message does not
 * offer, a list written as {{name}} and a single value given to
 * {{#each}} are errors, reported as file:line: message, all of them at
 * once; so are syntax errors (the first one of each file).  When a mail
 * is built, {{name}} and {{#each name}} need a value: a missing one
 * stops that mail with an error rather than send it with a blank.
 * {{#if name}} is how a template tests an optional value.
 *
 * Values are inserted as they are: mails are plain text, nothing is
 * HTML-escaped.  In the Subject:, line breaks and other control
 * characters in a value become spaces, so no value can start a header
 * line.  In the body, line breaks are kept and other control characters
 * except tab are dropped.  Dates read "lundi 7 décembre 2026" (with
 * "1er" for the first of the month) in French templates and "Monday 7
 * December 2026" in English ones.
 */
#ifndef RECOURSD_TEMPLATE_H
#define RECOURSD_TEMPLATE_H

#include <glib.h>

#define TPL_ERROR	(tpl_error_quark())

enum tpl_error {
	TPL_ERROR_SYNTAX,	/* tpl_parse(): "name:line: message" */
	TPL_ERROR_CHECK,	/* tpl_check(): one line per problem */
	TPL_ERROR_RENDER	/* tpl_render(): "name:line: message" */
};

enum tpl_kind {
	TPL_SCALAR,		/* one string: {{name}} */
	TPL_LIST		/* strings: {{#each name}} */
};

/* One variable a kind of message offers; schemas end with a NULL name. */
struct tpl_decl {
	const char	*name;		/* dotted: "case.ref" */
	enum tpl_kind	 kind;
};

struct tpl;
struct tpl_vars;

GQuark		 tpl_error_quark(void);

/*
 * Parse text (UTF-8, NUL-terminated); name is what errors start with,
 * usually the file's path.  NULL and a TPL_ERROR_SYNTAX on the first
 * error.  Caller frees with tpl_free().
 */
struct tpl	*tpl_parse(const char *name, const char *text, GError **);
/* Read path and parse it, path naming it in errors; as tpl_parse(). */
struct tpl	*tpl_load_file(const char *path, GError **);
void		 tpl_free(struct tpl *);
/* The name given to tpl_parse(); borrowed, valid until tpl_free(). */
const char	*tpl_name(const struct tpl *);

/*
 * Every variable the template uses must be in schema (an array ended by
 * { NULL }), lists only in {{#each}}, single values never there.  FALSE
 * and a TPL_ERROR_CHECK whose message has one "name:line: message" line
 * per problem, joined by "\n".
 */
gboolean	 tpl_check(const struct tpl *, const struct tpl_decl *schema,
		    GError **);

/* Values for tpl_render().  Caller frees with tpl_vars_free(). */
struct tpl_vars	*tpl_vars_new(void);
void		 tpl_vars_free(struct tpl_vars *);
/*
 * Give name a single value, replacing any earlier one; the strings are
 * copied.  A NULL value unsets name ({{#if name}} is then false).
 */
void		 tpl_vars_set(struct tpl_vars *, const char *name,
		    const char *value);
void		 tpl_vars_setf(struct tpl_vars *, const char *name,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Give name a list: items is NULL-terminated, NULL for an empty list. */
void		 tpl_vars_set_list(struct tpl_vars *, const char *name,
		    const char *const *items);
/* Add item to the list name, which is created if unset. */
void		 tpl_vars_append(struct tpl_vars *, const char *name,
		    const char *item);

/*
 * The subject (one line: control characters in values become spaces,
 * ends trimmed) and the body (LF line ends).  FALSE and a
 * TPL_ERROR_RENDER when {{x}} or {{#each x}} has no value or the wrong
 * kind; the outputs are then untouched.  Either output may be NULL;
 * caller frees each with g_free().
 */
gboolean	 tpl_render(const struct tpl *, const struct tpl_vars *,
		    char **subject_out, char **body_out, GError **);

/*
 * "lundi 7 décembre 2026", "mardi 1er décembre 2026" or, when lang is
 * "en", "Monday 7 December 2026": the day in dt's own time zone, without
 * the system locale.  Caller frees.
 */
char		*tpl_format_date(GDateTime *dt, const char *lang);

#endif
