/*
 * template.c: see template.h for the format.  A template goes through
 * three steps: the text is cut into tokens (text, line ends, tags), the
 * lines that hold only block tags are removed, and the tokens are built
 * into a tree of nodes that tpl_check() walks and tpl_render() fills in
 * (template_render.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <string.h>

#include "template_int.h"

enum tok_type {
	TOK_TEXT,		/* text without a line end */
	TOK_NL,
	TOK_VAR,
	TOK_IF,
	TOK_ELSE,
	TOK_ENDIF,
	TOK_EACH,
	TOK_ENDEACH,
	TOK_COMMENT
};

struct token {
	enum tok_type	 type;
	int		 line;
	char		*text;		/* the text, or the variable's name */
	gboolean	 dropped;	/* part of a line of block tags only */
};

/* Building the tree: the blocks still open, innermost last. */
struct builder {
	const char	*name;
	GPtrArray	*root;
	GPtrArray	*open;		/* of struct node, borrowed */
	int		 loops;		/* how many of them are #each */
};

static gboolean	 syntax_error(GError **, const char *, int, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
static char	*normalise(const char *);
static gboolean	 check_utf8(const char *, const char *, GError **);
static gboolean	 parse_headers(const char *, const char *, GString **, int *,
		    const char **, int *, GError **);
static gboolean	 header_line(const char *, const char *, const char *, int,
		    GString **, int *, GError **);
static GPtrArray *compile(const char *, const char *, int, gboolean,
		    GError **);
static gboolean	 lex(const char *, const char *, int, GArray *, GError **);
static gboolean	 lex_tag(const char *, const char **, int *, GArray *,
		    GError **);
static gboolean	 classify(const char *, int, const char *, GArray *,
		    GError **);
static void	 add_token(GArray *, enum tok_type, int, char *);
static void	 token_clear(gpointer);
static void	 strip_standalone(GArray *);
static gboolean	 standalone(GArray *, guint, guint);
static gboolean	 build(struct builder *, const struct token *, GError **);
static gboolean	 build_block(struct builder *, const struct token *,
		    GError **);
static gboolean	 build_else(struct builder *, const struct token *,
		    GError **);
static gboolean	 build_close(struct builder *, const struct token *,
		    enum node_type, GError **);
static GPtrArray *target(struct builder *);
static void	 append_text(GPtrArray *, const char *);
static struct node *node_new(enum node_type, int, const char *);
static void	 node_free(gpointer);
static const char *block_word(enum node_type);
static void	 check_nodes(const struct tpl *, GPtrArray *,
		    const struct tpl_decl *, GString *);
static void	 check_ref(const struct tpl *, const struct node *,
		    const struct tpl_decl *, GString *);

GQuark
tpl_error_quark(void)
{
	return g_quark_from_static_string("recoursd-template");
}

static gboolean
syntax_error(GError **err, const char *name, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, TPL_ERROR, TPL_ERROR_SYNTAX, "%s:%d: %s", name, line,
	    msg);
	g_free(msg);
	return FALSE;
}

struct tpl *
tpl_parse(const char *name, const char *text, GError **err)
{
	struct tpl	*t = NULL;
	GString		*subject = NULL;
	char		*norm;
	const char	*body = NULL;
	int		 subject_line = 0, body_line = 0;

	norm = normalise(text);
	if (!check_utf8(name, norm, err) ||
	    !parse_headers(name, norm, &subject, &subject_line, &body,
	    &body_line, err))
		goto out;
	t = g_new0(struct tpl, 1);
	t->name = g_strdup(name);
	if ((t->subject = compile(name, subject->str, subject_line, FALSE,
	    err)) == NULL ||
	    (t->body = compile(name, body, body_line, TRUE, err)) == NULL) {
		tpl_free(t);
		t = NULL;
	}
out:
	if (subject != NULL)
		g_string_free(subject, TRUE);
	g_free(norm);
	return t;
}

struct tpl *
tpl_load_file(const char *path, GError **err)
{
	struct tpl	*t;
	char		*text;
	gsize		 len;

	if (!g_file_get_contents(path, &text, &len, err))
		return NULL;
	/* A NUL would silently cut the template short. */
	if (strlen(text) != len) {
		g_set_error(err, TPL_ERROR, TPL_ERROR_SYNTAX,
		    "%s: contains a NUL byte", path);
		g_free(text);
		return NULL;
	}
	t = tpl_parse(path, text, err);
	g_free(text);
	return t;
}

void
tpl_free(struct tpl *t)
{
	if (t == NULL)
		return;
	if (t->subject != NULL)
		g_ptr_array_free(t->subject, TRUE);
	if (t->body != NULL)
		g_ptr_array_free(t->body, TRUE);
	g_free(t->name);
	g_free(t);
}

const char *
tpl_name(const struct tpl *t)
{
	return t->name;
}

/* Templates edited elsewhere may have a byte-order mark and CRLF or CR. */
static char *
normalise(const char *text)
{
	GString		*s = g_string_sized_new(strlen(text));
	const char	*p = text;

	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; *p != '\0'; p++) {
		if (*p != '\r')
			g_string_append_c(s, *p);
		else if (p[1] != '\n')
			g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

static gboolean
check_utf8(const char *name, const char *text, GError **err)
{
	const char	*end, *p;
	int		 line = 1;

	if (g_utf8_validate(text, -1, &end))
		return TRUE;
	for (p = text; p < end; p++)
		if (*p == '\n')
			line++;
	return syntax_error(err, name, line, "invalid UTF-8: templates are "
	    "UTF-8 text");
}

/*
 * Read the header lines up to the blank line: the unfolded Subject:
 * value and its line, and where the body starts.
 */
static gboolean
parse_headers(const char *name, const char *text, GString **subject,
    int *subject_line, const char **body, int *body_line, GError **err)
{
	const char	*p = text, *eol;
	int		 line;

	for (line = 1; (eol = strchr(p, '\n')) != NULL; line++, p = eol + 1) {
		if (eol == p)
			break;
		if (!header_line(name, p, eol, line, subject, subject_line,
		    err))
			return FALSE;
	}
	if (eol == NULL)
		return syntax_error(err, name, line, "no blank line after the "
		    "headers: a template is 'Subject: ...', a blank line, "
		    "then the body");
	if (*subject == NULL)
		return syntax_error(err, name, 1, "missing 'Subject:' header");
	if ((*subject)->len == 0)
		return syntax_error(err, name, *subject_line, "empty "
		    "'Subject:'");
	*body = eol + 1;
	*body_line = line + 1;
	return TRUE;
}

/* One header line [p, eol): Subject: or the continuation of a folded one. */
static gboolean
header_line(const char *name, const char *p, const char *eol, int line,
    GString **subject, int *subject_line, GError **err)
{
	const char	*colon;
	char		*value;

	if (*p == ' ' || *p == '\t') {
		if (*subject == NULL)
			return syntax_error(err, name, line, "continuation "
			    "line before any header");
		value = g_strstrip(g_strndup(p, eol - p));
		g_string_append_printf(*subject, " %s", value);
		g_free(value);
		return TRUE;
	}
	colon = memchr(p, ':', eol - p);
	if (colon == NULL || colon == p || memchr(p, ' ', colon - p) != NULL)
		return syntax_error(err, name, line, "expected 'Subject: ...' "
		    "or the blank line that ends the headers");
	if ((size_t)(colon - p) != strlen("Subject") ||
	    g_ascii_strncasecmp(p, "Subject", colon - p) != 0)
		return syntax_error(err, name, line, "unknown header '%.*s': "
		    "a template sets only Subject:", (int)(colon - p), p);
	if (*subject != NULL)
		return syntax_error(err, name, line, "second 'Subject:' "
		    "header (the first is at line %d)", *subject_line);
	value = g_strstrip(g_strndup(colon + 1, eol - colon - 1));
	*subject = g_string_new(value);
	*subject_line = line;
	g_free(value);
	return TRUE;
}

/* Text starting at line into a tree of nodes; NULL on a syntax error. */
static GPtrArray *
compile(const char *name, const char *text, int line, gboolean strip,
    GError **err)
{
	GArray		*toks;
	struct builder	 b;
	guint		 i;
	gboolean	 ok = TRUE;

	toks = g_array_new(FALSE, TRUE, sizeof(struct token));
	g_array_set_clear_func(toks, token_clear);
	b.name = name;
	b.root = g_ptr_array_new_with_free_func(node_free);
	b.open = g_ptr_array_new();
	b.loops = 0;
	if (!lex(name, text, line, toks, err))
		ok = FALSE;
	if (ok && strip)
		strip_standalone(toks);
	for (i = 0; ok && i < toks->len; i++)
		ok = build(&b, &g_array_index(toks, struct token, i), err);
	if (ok && b.open->len > 0) {
		const struct node *n = g_ptr_array_index(b.open,
		    b.open->len - 1);

		ok = syntax_error(err, name, n->line, "'{{#%s %s}}' is not "
		    "closed by '{{/%s}}'", block_word(n->type), n->text,
		    block_word(n->type));
	}
	g_array_free(toks, TRUE);
	g_ptr_array_free(b.open, TRUE);
	if (!ok) {
		g_ptr_array_free(b.root, TRUE);
		return NULL;
	}
	return b.root;
}

/* Cut text into tokens; a text token never holds a line end. */
static gboolean
lex(const char *name, const char *text, int line, GArray *toks, GError **err)
{
	const char	*p = text, *start = text;

	for (;;) {
		if (*p != '\0' && *p != '\n' && !(p[0] == '{' && p[1] == '{')) {
			p++;
			continue;
		}
		if (p > start)
			add_token(toks, TOK_TEXT, line, g_strndup(start,
			    p - start));
		if (*p == '\0')
			return TRUE;
		if (*p == '\n') {
			add_token(toks, TOK_NL, line++, NULL);
			p++;
		} else if (!lex_tag(name, &p, &line, toks, err))
			return FALSE;
		start = p;
	}
}

/* The tag at *pp ("{{..."); moves *pp past it and *line past its lines. */
static gboolean
lex_tag(const char *name, const char **pp, int *line, GArray *toks,
    GError **err)
{
	const char	*p = *pp + 2, *end, *nl;
	char		*inner;
	gboolean	 ok;

	end = strstr(p, "}}");
	if (p[strspn(p, " \t")] == '!') {
		if (end == NULL)
			return syntax_error(err, name, *line, "comment '{{!' "
			    "is not closed by '}}'");
		add_token(toks, TOK_COMMENT, *line, NULL);
		for (; p < end; p++)
			if (*p == '\n')
				(*line)++;
		*pp = end + 2;
		return TRUE;
	}
	nl = strchr(p, '\n');
	if (end == NULL || (nl != NULL && nl < end))
		return syntax_error(err, name, *line, "'{{' is not closed by "
		    "'}}' on the same line");
	inner = g_strstrip(g_strndup(p, end - p));
	ok = classify(name, *line, inner, toks, err);
	g_free(inner);
	*pp = end + 2;
	return ok;
}

/* What a tag says: inner is what lies between the braces, trimmed. */
static gboolean
classify(const char *name, int line, const char *inner, GArray *toks,
    GError **err)
{
	static const struct {
		const char	*word;
		enum tok_type	 type;
		gboolean	 takes_name;
	} words[] = {
		{ "#if", TOK_IF, TRUE }, { "#each", TOK_EACH, TRUE },
		{ "else", TOK_ELSE, FALSE }, { "/if", TOK_ENDIF, FALSE },
		{ "/each", TOK_ENDEACH, FALSE },
	};
	size_t		 i, len = strcspn(inner, " \t");
	const char	*arg = inner + len + strspn(inner + len, " \t");

	for (i = 0; i < G_N_ELEMENTS(words); i++)
		if (strlen(words[i].word) == len &&
		    strncmp(inner, words[i].word, len) == 0)
			break;
	if (i == G_N_ELEMENTS(words)) {
		if (*inner == '#' || *inner == '/')
			return syntax_error(err, name, line, "unknown tag "
			    "'{{%s}}': blocks are #if, else, /if, #each, "
			    "/each", inner);
		if (!tpl_valid_name(inner))
			return syntax_error(err, name, line, "bad variable "
			    "name '%s': use letters, digits, _ and dots, as "
			    "in case.ref", inner);
		add_token(toks, TOK_VAR, line, g_strdup(inner));
		return TRUE;
	}
	if (!words[i].takes_name && *arg != '\0')
		return syntax_error(err, name, line, "'{{%s}}' takes nothing "
		    "after '%s'", inner, words[i].word);
	if (words[i].takes_name && !tpl_valid_name(arg))
		return syntax_error(err, name, line, "bad variable name '%s' "
		    "in '{{%s}}'", arg, inner);
	add_token(toks, words[i].type, line, words[i].takes_name ?
	    g_strdup(arg) : NULL);
	return TRUE;
}

gboolean
tpl_valid_name(const char *s)
{
	if (strcmp(s, ".") == 0)
		return TRUE;
	for (;;) {
		if (!g_ascii_isalpha(*s) && *s != '_')
			return FALSE;
		while (g_ascii_isalnum(*s) || *s == '_')
			s++;
		if (*s == '\0')
			return TRUE;
		if (*s++ != '.')
			return FALSE;
	}
}

static void
add_token(GArray *toks, enum tok_type type, int line, char *text)
{
	struct token	 t = { type, line, text, FALSE };

	g_array_append_val(toks, t);
}

static void
token_clear(gpointer p)
{
	struct token	*t = p;

	g_free(t->text);
}

/*
 * Drop lines made only of block tags, comments and blanks, with their
 * line end, so that a block on lines of its own leaves no blank line.
 * A comment spanning lines joins its first and last line into one.
 */
static void
strip_standalone(GArray *toks)
{
	guint	 start = 0, i, j;

	for (i = 0; i <= toks->len; i++) {
		if (i < toks->len &&
		    g_array_index(toks, struct token, i).type != TOK_NL)
			continue;
		if (standalone(toks, start, i))
			for (j = start; j <= i && j < toks->len; j++) {
				struct token *t = &g_array_index(toks,
				    struct token, j);

				if (t->type == TOK_TEXT || t->type == TOK_NL)
					t->dropped = TRUE;
			}
		start = i + 1;
	}
}

/* Tokens [from, to) hold a tag, no variable and only blank text. */
static gboolean
standalone(GArray *toks, guint from, guint to)
{
	gboolean	 tag = FALSE;
	guint		 i;

	for (i = from; i < to; i++) {
		const struct token *t = &g_array_index(toks, struct token, i);

		if (t->type == TOK_VAR)
			return FALSE;
		if (t->type == TOK_TEXT) {
			if (t->text[strspn(t->text, " \t")] != '\0')
				return FALSE;
		} else
			tag = TRUE;
	}
	return tag;
}

/* Add one token to the tree. */
static gboolean
build(struct builder *b, const struct token *t, GError **err)
{
	if (t->dropped)
		return TRUE;
	switch (t->type) {
	case TOK_TEXT:
		append_text(target(b), t->text);
		return TRUE;
	case TOK_NL:
		append_text(target(b), "\n");
		return TRUE;
	case TOK_COMMENT:
		return TRUE;
	case TOK_VAR:
		if (strcmp(t->text, ".") == 0 && b->loops == 0)
			return syntax_error(err, b->name, t->line, "'{{.}}' "
			    "outside '{{#each}}'");
		g_ptr_array_add(target(b), node_new(NODE_VAR, t->line,
		    t->text));
		return TRUE;
	case TOK_IF:
	case TOK_EACH:
		return build_block(b, t, err);
	case TOK_ELSE:
		return build_else(b, t, err);
	case TOK_ENDIF:
		return build_close(b, t, NODE_IF, err);
	case TOK_ENDEACH:
		return build_close(b, t, NODE_EACH, err);
	}
	return TRUE;
}

/* Open #if or #each: later tokens go inside it until it is closed. */
static gboolean
build_block(struct builder *b, const struct token *t, GError **err)
{
	enum node_type	 type = t->type == TOK_IF ? NODE_IF : NODE_EACH;
	struct node	*n;

	if (strcmp(t->text, ".") == 0 && (b->loops == 0 || type == NODE_EACH))
		return syntax_error(err, b->name, t->line, "'{{#%s .}}': %s",
		    block_word(type), b->loops == 0 ? "'.' is only valid "
		    "inside '{{#each}}'" : "an item is not a list");
	n = node_new(type, t->line, t->text);
	g_ptr_array_add(target(b), n);
	g_ptr_array_add(b->open, n);
	if (type == NODE_EACH)
		b->loops++;
	return TRUE;
}

static gboolean
build_else(struct builder *b, const struct token *t, GError **err)
{
	struct node	*n = NULL;

	if (b->open->len > 0)
		n = g_ptr_array_index(b->open, b->open->len - 1);
	if (n == NULL || n->type != NODE_IF)
		return syntax_error(err, b->name, t->line, "'{{else}}' "
		    "outside '{{#if}}'");
	if (n->alt != NULL)
		return syntax_error(err, b->name, t->line, "second '{{else}}' "
		    "in '{{#if %s}}' of line %d", n->text, n->line);
	n->alt = g_ptr_array_new_with_free_func(node_free);
	return TRUE;
}

static gboolean
build_close(struct builder *b, const struct token *t, enum node_type type,
    GError **err)
{
	struct node	*n;

	if (b->open->len == 0)
		return syntax_error(err, b->name, t->line, "'{{/%s}}' without "
		    "'{{#%s}}'", block_word(type), block_word(type));
	n = g_ptr_array_index(b->open, b->open->len - 1);
	if (n->type != type)
		return syntax_error(err, b->name, t->line, "'{{/%s}}' where "
		    "'{{#%s %s}}' of line %d needs '{{/%s}}'",
		    block_word(type), block_word(n->type), n->text, n->line,
		    block_word(n->type));
	g_ptr_array_remove_index(b->open, b->open->len - 1);
	if (type == NODE_EACH)
		b->loops--;
	return TRUE;
}

/* Where the next node goes: the innermost open block, or the top. */
static GPtrArray *
target(struct builder *b)
{
	struct node	*n;

	if (b->open->len == 0)
		return b->root;
	n = g_ptr_array_index(b->open, b->open->len - 1);
	return n->alt != NULL ? n->alt : n->body;
}

/* Text follows text in one node, so rendering copies runs at once. */
static void
append_text(GPtrArray *nodes, const char *text)
{
	struct node	*last = NULL;
	char		*joined;

	if (nodes->len > 0)
		last = g_ptr_array_index(nodes, nodes->len - 1);
	if (last == NULL || last->type != NODE_TEXT) {
		g_ptr_array_add(nodes, node_new(NODE_TEXT, 0, text));
		return;
	}
	joined = g_strconcat(last->text, text, NULL);
	g_free(last->text);
	last->text = joined;
}

static struct node *
node_new(enum node_type type, int line, const char *text)
{
	struct node	*n = g_new0(struct node, 1);

	n->type = type;
	n->line = line;
	n->text = g_strdup(text);
	if (type == NODE_IF || type == NODE_EACH)
		n->body = g_ptr_array_new_with_free_func(node_free);
	return n;
}

static void
node_free(gpointer p)
{
	struct node	*n = p;

	if (n->body != NULL)
		g_ptr_array_free(n->body, TRUE);
	if (n->alt != NULL)
		g_ptr_array_free(n->alt, TRUE);
	g_free(n->text);
	g_free(n);
}

static const char *
block_word(enum node_type type)
{
	return type == NODE_EACH ? "each" : "if";
}

gboolean
tpl_check(const struct tpl *t, const struct tpl_decl *schema, GError **err)
{
	GString		*errs = g_string_new(NULL);

	check_nodes(t, t->subject, schema, errs);
	check_nodes(t, t->body, schema, errs);
	if (errs->len == 0) {
		g_string_free(errs, TRUE);
		return TRUE;
	}
	g_string_truncate(errs, errs->len - 1);		/* the last "\n" */
	g_set_error_literal(err, TPL_ERROR, TPL_ERROR_CHECK, errs->str);
	g_string_free(errs, TRUE);
	return FALSE;
}

static void
check_nodes(const struct tpl *t, GPtrArray *nodes,
    const struct tpl_decl *schema, GString *errs)
{
	const struct node	*n;
	guint			 i;

	for (i = 0; nodes != NULL && i < nodes->len; i++) {
		n = g_ptr_array_index(nodes, i);
		if (n->type == NODE_TEXT)
			continue;
		check_ref(t, n, schema, errs);
		check_nodes(t, n->body, schema, errs);
		check_nodes(t, n->alt, schema, errs);
	}
}

/* Append a line to errs if the variable n uses is unknown or misused. */
static void
check_ref(const struct tpl *t, const struct node *n,
    const struct tpl_decl *schema, GString *errs)
{
	const struct tpl_decl	*d;

	if (strcmp(n->text, ".") == 0)
		return;
	for (d = schema; d->name != NULL; d++)
		if (strcmp(d->name, n->text) == 0)
			break;
	if (d->name == NULL)
		g_string_append_printf(errs, "%s:%d: unknown variable '%s'\n",
		    t->name, n->line, n->text);
	else if (n->type == NODE_VAR && d->kind == TPL_LIST)
		g_string_append_printf(errs, "%s:%d: '%s' is a list: write "
		    "'{{#each %s}}{{.}}{{/each}}'\n", t->name, n->line,
		    n->text, n->text);
	else if (n->type == NODE_EACH && d->kind == TPL_SCALAR)
		g_string_append_printf(errs, "%s:%d: '%s' is a single value, "
		    "not a list: write '{{%s}}'\n", t->name, n->line, n->text,
		    n->text);
}
