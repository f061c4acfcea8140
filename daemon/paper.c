/*
 * paper.c: see paper.h.
 *
 * Cairo draws on a PDF surface in points; Pango lays text out on it, with
 * sizes given in those points.  The letter is laid out twice: once to
 * count its pages, once to draw them with «Page n/N».  The measures of
 * the address check come from the same kind of surface, so that what the
 * check accepts is what the letter prints.
 *
 * Where the address goes: a DL envelope (110 x 220 mm) with its window
 * on the right shows, through a letter folded in three, the band about
 * 100-190 mm from the left and 45-90 mm from the top of the sheet,
 * whichever way the sheet slides.  French mailing houses give the
 * address frame as 85 x 33 mm, 55 mm from the top (room above it for a
 * registered letter's bar code) and 110 mm from the left; it starts at
 * 105 mm here so as to end at 190 mm, where the band does.  Six lines of
 * 10 pt take 25 mm of its height, and 38 characters (La Poste's longest
 * line) in capitals about 80 mm of its width.
 */
#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <unistd.h>

#include "paper.h"
#include "spool.h"

#define MM(x)		((x) * 72.0 / 25.4)	/* millimetres to points */
#define TO_MM(x)	((x) * 25.4 / 72.0)
#define PAGE_W		MM(210)
#define PAGE_H		MM(297)
#define LEFT		MM(20)
#define TEXT_W		MM(170)
#define TOP		MM(15)		/* the sender block */
#define TOP_NEXT	MM(25)		/* the text of pages 2+ */
#define HEADER_Y	MM(12)		/* the reference on pages 2+ */
#define BOTTOM		MM(272)		/* no text below */
#define FOOTER_Y	MM(280)		/* «Page n/N» */
#define WIN_X		MM(105)		/* the address frame */
#define WIN_Y		MM(55)
#define WIN_W		MM(85)
#define WIN_LINES	6
#define FOLD		MM(100)		/* just below the first fold */
#define SENDER_W	MM(85)
#define GAP		MM(8)

#define FONT		"DejaVu Sans"
#define SIZE		10.0
#define SIZE_SENDER	9.0
#define SIZE_SMALL	8.0

/* The letter's text, cleaned; blocks NULL where the letter has none. */
struct text {
	char		*sender;
	char		*recipient;	/* the address lines, joined */
	char		*date;
	char		*notice;
	char		*subject;
	char		*reference;
	char		*body;		/* reflowed */
	char		*signature;
};

/* Where the next line goes, and whether this pass draws. */
struct pen {
	cairo_t		*cr;
	PangoContext	*ctx;
	const struct text *t;
	gboolean	 draw;
	gboolean	 fresh;		/* nothing on this page yet */
	int		 page;
	int		 pages;		/* 0 while counting */
	double		 y;		/* top of the next line */
};

/* A line of a layout, measured. */
struct row {
	PangoLayoutLine	*line;
	double		 h;
	double		 base;		/* the baseline, from the line's top */
	gboolean	 start;		/* a paragraph's first line */
};

/* Where cairo writes the PDF: into buf, or else onto fd. */
struct sink {
	int		 fd;
	int		 errnum;
	GByteArray	*buf;
};

static void	 why(GString *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*clean(const char *);
static char    **address_lines(const char *);
static gboolean	 lines_fit(char **, GString *);
static char	*reflow(const char *);
static void	 text_init(struct text *, const struct paper_letter *);
static void	 text_free(struct text *);
static PangoLayout *new_layout(struct pen *, const char *, double, double);
static double	 width_of(PangoLayout *);
static void	 pen_open(struct pen *, cairo_surface_t *);
static void	 pen_close(struct pen *);
static void	 draw_block(struct pen *, const char *, double, double, double);
static GArray	*rows_of(PangoLayout *);
static double	 keep(const struct row *, guint, guint, double);
static void	 flow(struct pen *, PangoLayout *, double, double);
static void	 flow_text(struct pen *, const char *, size_t, double, double);
static void	 end_page(struct pen *);
static void	 next_page(struct pen *);
static void	 labelled(struct pen *, const char *, const char *);
static void	 first_page(struct pen *);
static PangoLayout *signature(struct pen *, double *);
static int	 lay_out(cairo_surface_t *, const struct text *, int);
static cairo_status_t sink_write(void *, const unsigned char *, unsigned int);
static void	 set_metadata(cairo_surface_t *, const struct paper_letter *,
		    const struct text *);
static gboolean	 address_fits(const struct paper_letter *, GError **);
static gboolean	 write_pdf(struct sink *, const char *, const struct text *,
		    const struct paper_letter *, GError **);

G_DEFINE_QUARK(paper-error-quark, paper_error)

static void
why(GString *reason, const char *fmt, ...)
{
	va_list	 ap;

	if (reason == NULL)
		return;
	va_start(ap, fmt);
	g_string_append_vprintf(reason, fmt, ap);
	va_end(ap);
}

/*
 * Valid UTF-8, line breaks as '\n', tabs as spaces, no other control
 * character: Pango would warn about the first and draw boxes for the
 * last.  NULL stays NULL.
 */
static char *
clean(const char *s)
{
	char		*valid, *p;
	GString		*out;
	gunichar	 c;

	if (s == NULL)
		return NULL;
	valid = g_utf8_make_valid(s, -1);
	out = g_string_sized_new(strlen(valid));
	for (p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\r' || c == '\n')
			g_string_append_c(out, '\n');
		else if (c == '\t')
			g_string_append_c(out, ' ');
		else if (!g_unichar_iscntrl(c))
			g_string_append_unichar(out, c);
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* The non-blank lines of an address, trimmed. */
static char **
address_lines(const char *block)
{
	char		*text = clean(block != NULL ? block : "");
	char	       **all = g_strsplit(text, "\n", -1);
	GPtrArray	*keep = g_ptr_array_new();
	int		 i;

	for (i = 0; all[i] != NULL; i++)
		if (*g_strstrip(all[i]) != '\0')
			g_ptr_array_add(keep, g_strdup(all[i]));
	g_ptr_array_add(keep, NULL);
	g_strfreev(all);
	g_free(text);
	return (char **)g_ptr_array_free(keep, FALSE);
}

gboolean
paper_check_address(const char *block, GString *reason)
{
	char	       **lines = address_lines(block);
	guint		 n = g_strv_length(lines);
	gboolean	 ok = FALSE;

	if (n == 0)
		why(reason, "the address is empty");
	else if (n > WIN_LINES)
		why(reason, "the address has %u lines; a window envelope "
		    "shows at most %d", n, WIN_LINES);
	else
		ok = lines_fit(lines, reason);
	g_strfreev(lines);
	return ok;
}

/* Each line as wide as the window at most, in the letter's font. */
static gboolean
lines_fit(char **lines, GString *reason)
{
	cairo_surface_t	*s;
	struct pen	 p;
	PangoLayout	*lo;
	double		 w;
	gboolean	 ok = TRUE;
	int		 i;

	s = cairo_pdf_surface_create_for_stream(NULL, NULL, PAGE_W, PAGE_H);
	pen_open(&p, s);
	for (i = 0; ok && lines[i] != NULL; i++) {
		lo = new_layout(&p, lines[i], SIZE, 0);
		if ((w = width_of(lo)) > WIN_W) {
			why(reason, "line %d (\"%s\") is %.1f mm wide in the "
			    "letter's font; the envelope's window takes %.0f mm",
			    i + 1, lines[i], TO_MM(w), TO_MM(WIN_W));
			ok = FALSE;
		}
		g_object_unref(lo);
	}
	pen_close(&p);
	cairo_surface_destroy(s);
	return ok;
}

char *
paper_address_block(const char *name, const char *address)
{
	char		*both, **parts;
	GString		*out = g_string_new(NULL);
	int		 i;

	both = g_strjoin("\n", name != NULL ? name : "",
	    address != NULL ? address : "", NULL);
	parts = g_strsplit_set(both, ",\n", -1);
	for (i = 0; parts[i] != NULL; i++) {
		if (*g_strstrip(parts[i]) == '\0')
			continue;
		if (out->len > 0)
			g_string_append_c(out, '\n');
		g_string_append(out, parts[i]);
	}
	g_strfreev(parts);
	g_free(both);
	return g_string_free(out, FALSE);
}

char *
paper_date_line(const char *place, GDateTime *date)
{
	/* As tpl_format_date() names them, without the weekday. */
	static const char *const months[] = { "janvier", "février",
	    "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
	    "octobre", "novembre", "décembre" };
	int	 day = g_date_time_get_day_of_month(date);
	int	 month = g_date_time_get_month(date) - 1;
	int	 year = g_date_time_get_year(date);
	gboolean placed = place != NULL && *place != '\0';

	/* French writes the first of the month as an ordinal: "1er". */
	return g_strdup_printf("%s%s%ce %d%s %s %d", placed ? place : "",
	    placed ? ", " : "", placed ? 'l' : 'L', day, day == 1 ? "er" : "",
	    months[month], year);
}

/*
 * The body as Pango lays it out: the lines of a paragraph joined, a list
 * item on its own line, one empty line between paragraphs, nothing from
 * the mail signature separator on.
 */
static char *
reflow(const char *body)
{
	char		*text = clean(body), **lines, *l;
	GString		*out = g_string_new(NULL);
	gboolean	 para = FALSE;
	int		 i;

	lines = g_strsplit(text, "\n", -1);
	for (i = 0; (l = lines[i]) != NULL; i++) {
		g_strchomp(l);
		if (strcmp(l, "--") == 0)
			break;
		if (*l == '\0') {
			para = out->len > 0;
			continue;
		}
		if (out->len > 0)
			g_string_append(out, para ? "\n\n" : *l == ' ' ||
			    strncmp(l, "- ", 2) == 0 ? "\n" : " ");
		g_string_append(out, l);
		para = FALSE;
	}
	g_strfreev(lines);
	g_free(text);
	return g_string_free(out, FALSE);
}

static void
text_init(struct text *t, const struct paper_letter *l)
{
	char	**lines = address_lines(l->recipient);

	t->sender = clean(l->sender);
	t->recipient = g_strjoinv("\n", lines);
	t->date = l->date != NULL ? paper_date_line(l->place, l->date) : NULL;
	t->notice = clean(l->notice);
	t->subject = clean(l->subject);
	t->reference = clean(l->reference);
	t->body = reflow(l->body != NULL ? l->body : "");
	t->signature = clean(l->signature);
	g_strfreev(lines);
}

static void
text_free(struct text *t)
{
	g_free(t->sender);
	g_free(t->recipient);
	g_free(t->date);
	g_free(t->notice);
	g_free(t->subject);
	g_free(t->reference);
	g_free(t->body);
	g_free(t->signature);
}

/*
 * Text in the letter's font at size points, wrapped at width points
 * (0: one line per line break); a word longer than the line is broken
 * between characters, so nothing is ever cut.  Caller unrefs.
 */
static PangoLayout *
new_layout(struct pen *p, const char *text, double size, double width)
{
	PangoLayout		*lo = pango_layout_new(p->ctx);
	PangoFontDescription	*fd = pango_font_description_new();

	pango_font_description_set_family(fd, FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_layout_set_font_description(lo, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(lo, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(lo, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_text(lo, text, -1);
	return lo;
}

static double
width_of(PangoLayout *lo)
{
	PangoRectangle	 r;

	pango_layout_get_extents(lo, NULL, &r);
	return (double)r.width / PANGO_SCALE;
}

static void
pen_open(struct pen *p, cairo_surface_t *s)
{
	memset(p, 0, sizeof(*p));
	p->cr = cairo_create(s);
	p->ctx = pango_cairo_create_context(p->cr);
	p->page = 1;
	p->fresh = TRUE;
}

static void
pen_close(struct pen *p)
{
	g_object_unref(p->ctx);
	cairo_destroy(p->cr);
}

/* A block drawn whole at a fixed place: the address, header, footer. */
static void
draw_block(struct pen *p, const char *text, double size, double x, double y)
{
	PangoLayout	*lo;

	if (!p->draw)
		return;
	lo = new_layout(p, text, size, 0);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, lo);
	g_object_unref(lo);
}

/* The lines of a layout, measured, for flow(); free with g_array_unref(). */
static GArray *
rows_of(PangoLayout *lo)
{
	GArray		*rows = g_array_new(FALSE, FALSE, sizeof(struct row));
	PangoLayoutIter	*it = pango_layout_get_iter(lo);
	PangoRectangle	 r;
	struct row	 w;

	do {
		w.line = pango_layout_iter_get_line_readonly(it);
		pango_layout_iter_get_line_extents(it, NULL, &r);
		w.h = (double)r.height / PANGO_SCALE;
		w.base = (double)(pango_layout_iter_get_baseline(it) - r.y) /
		    PANGO_SCALE;
		w.start = w.line->is_paragraph_start;
		g_array_append_val(rows, w);
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return rows;
}

/*
 * The height that must follow row i on its page: a paragraph leaves
 * neither its first line nor its last alone on a page, and the last row
 * keeps tail (the signature) with it.
 */
static double
keep(const struct row *r, guint n, guint i, double tail)
{
	guint	 start = i, end = i + 1;

	if (i + 1 == n)
		return tail;
	while (start > 0 && !r[start].start)
		start--;
	while (end < n && !r[end].start)
		end++;
	if ((i == start && end - start >= 2) ||
	    (i + 2 == end && end - start >= 3))
		return r[i + 1].h + (i + 2 == n ? tail : 0);
	return 0;
}

/*
 * The lines of lo from x down the page, onto the next page where the
 * text must stop; an empty line at the top of a page is left out.
 */
static void
flow(struct pen *p, PangoLayout *lo, double x, double tail)
{
	GArray		*rows = rows_of(lo);
	const struct row *r = (const struct row *)(void *)rows->data;
	guint		 i;

	for (i = 0; i < rows->len; i++) {
		if (!p->fresh &&
		    p->y + r[i].h + keep(r, rows->len, i, tail) > BOTTOM)
			next_page(p);
		if (p->fresh && r[i].line->length == 0 && p->page > 1)
			continue;
		if (p->draw) {
			cairo_move_to(p->cr, x, p->y + r[i].base);
			pango_cairo_show_layout_line(p->cr, r[i].line);
		}
		p->y += r[i].h;
		p->fresh = FALSE;
	}
	g_array_unref(rows);
}

/* Text flowed from x, wrapped at width, its first bold bytes in bold. */
static void
flow_text(struct pen *p, const char *text, size_t bold, double x,
    double width)
{
	PangoLayout	*lo = new_layout(p, text, SIZE, width);
	PangoAttrList	*attrs;
	PangoAttribute	*a;

	if (bold > 0) {
		attrs = pango_attr_list_new();
		a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
		a->start_index = 0;
		a->end_index = bold;
		pango_attr_list_insert(attrs, a);
		pango_layout_set_attributes(lo, attrs);
		pango_attr_list_unref(attrs);
	}
	flow(p, lo, x, 0);
	g_object_unref(lo);
}

static void
end_page(struct pen *p)
{
	char		*num;
	PangoLayout	*lo;

	if (!p->draw)
		return;
	if (p->pages > 1) {
		num = g_strdup_printf("Page %d/%d", p->page, p->pages);
		lo = new_layout(p, num, SIZE_SMALL, 0);
		draw_block(p, num, SIZE_SMALL, LEFT + TEXT_W - width_of(lo),
		    FOOTER_Y);
		g_object_unref(lo);
		g_free(num);
	}
	cairo_show_page(p->cr);
}

static void
next_page(struct pen *p)
{
	char	*ref;

	end_page(p);
	p->page++;
	p->y = TOP_NEXT;
	p->fresh = TRUE;
	if (p->t->reference == NULL)
		return;
	ref = g_strconcat("Réf.\u00a0: ", p->t->reference, NULL);
	draw_block(p, ref, SIZE_SMALL, LEFT, HEADER_Y);
	g_free(ref);
}

/* «Objet : value», the label in bold; nothing when value is NULL. */
static void
labelled(struct pen *p, const char *label, const char *value)
{
	char	*line;

	if (value == NULL)
		return;
	line = g_strconcat(label, "\u00a0: ", value, NULL);
	flow_text(p, line, strlen(label) + strlen("\u00a0:"), LEFT, TEXT_W);
	g_free(line);
}

/* Address, sender, date, notice, subject and reference. */
static void
first_page(struct pen *p)
{
	const struct text *t = p->t;
	PangoLayout	*lo;

	draw_block(p, t->recipient, SIZE, WIN_X, WIN_Y);
	p->y = TOP;
	if (t->sender != NULL) {
		lo = new_layout(p, t->sender, SIZE_SENDER, SENDER_W);
		flow(p, lo, LEFT, 0);
		g_object_unref(lo);
	}
	p->y = MAX(p->y + GAP, FOLD);
	if (t->date != NULL) {
		flow_text(p, t->date, 0, WIN_X, WIN_W);
		p->y += GAP;
	}
	if (t->notice != NULL)
		flow_text(p, t->notice, strlen(t->notice), LEFT, TEXT_W);
	labelled(p, "Objet", t->subject);
	labelled(p, "Réf.", t->reference);
	p->y += GAP;
}

/* The signature block's layout, or NULL; its height in *h. */
static PangoLayout *
signature(struct pen *p, double *h)
{
	PangoLayout	*lo;
	PangoRectangle	 r;

	*h = 0;
	if (p->t->signature == NULL)
		return NULL;
	lo = new_layout(p, p->t->signature, SIZE, WIN_W);
	pango_layout_get_extents(lo, NULL, &r);
	*h = GAP + (double)r.height / PANGO_SCALE;
	return lo;
}

/*
 * The letter on s; draws «Page n/N» when pages is known.  Its pages.
 * The signature, on the right, stays on the page of the body's last line.
 */
static int
lay_out(cairo_surface_t *s, const struct text *t, int pages)
{
	struct pen	 p;
	PangoLayout	*lo, *sig;
	double		 tail;

	pen_open(&p, s);
	p.t = t;
	p.pages = pages;
	p.draw = pages > 0;
	first_page(&p);
	sig = signature(&p, &tail);
	lo = new_layout(&p, t->body, SIZE, TEXT_W);
	flow(&p, lo, LEFT, tail);
	g_object_unref(lo);
	if (sig != NULL) {
		p.y += GAP;
		flow(&p, sig, WIN_X, 0);
		g_object_unref(sig);
	}
	end_page(&p);
	pen_close(&p);
	return p.page;
}

int
paper_page_count(const struct paper_letter *l)
{
	cairo_surface_t	*s;
	struct text	 t;
	int		 n;

	text_init(&t, l);
	s = cairo_pdf_surface_create_for_stream(NULL, NULL, PAGE_W, PAGE_H);
	n = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ?
	    lay_out(s, &t, 0) : -1;
	cairo_surface_destroy(s);
	text_free(&t);
	return n;
}

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink	*k = closure;
	ssize_t		 n;

	if (k->buf != NULL) {
		g_byte_array_append(k->buf, data, len);
		return CAIRO_STATUS_SUCCESS;
	}
	while (len > 0) {
		if ((n = write(k->fd, data, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			k->errnum = n == -1 ? errno : EIO;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		data += n;
		len -= n;
	}
	return CAIRO_STATUS_SUCCESS;
}

/*
 * Title and dates: the letter's date as the file's, so that the same
 * letter rendered twice gives the same bytes (the spool keeps one copy).
 */
static void
set_metadata(cairo_surface_t *s, const struct paper_letter *l,
    const struct text *t)
{
	char	*when;

	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR,
	    PACKAGE_NAME " " PACKAGE_VERSION);
	if (t->subject != NULL)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
		    t->subject);
	if (l->date == NULL)
		return;
	when = g_date_time_format(l->date, "%Y-%m-%dT%H:%M:%S%:z");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, when);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, when);
	g_free(when);
}

/*
 * Both passes into k (tmp names it in errors); the PDF is complete when
 * this returns TRUE.
 */
static gboolean
write_pdf(struct sink *k, const char *tmp, const struct text *t,
    const struct paper_letter *l, GError **err)
{
	cairo_surface_t	*s;
	cairo_status_t	 st;

	s = cairo_pdf_surface_create_for_stream(sink_write, k, PAGE_W,
	    PAGE_H);
	if ((st = cairo_surface_status(s)) == CAIRO_STATUS_SUCCESS) {
		set_metadata(s, l, t);
		lay_out(s, t, lay_out(s, t, 0));
		cairo_surface_finish(s);
		st = cairo_surface_status(s);
	}
	cairo_surface_destroy(s);
	if (st == CAIRO_STATUS_SUCCESS)
		return TRUE;
	if (k->errnum != 0)
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(k->errnum),
		    "cannot write %s: %s", tmp, g_strerror(k->errnum));
	else
		g_set_error(err, PAPER_ERROR, PAPER_ERROR_RENDER,
		    "cannot render %s: %s", tmp, cairo_status_to_string(st));
	return FALSE;
}

/* The recipient fits the window, else FALSE with the reason in err. */
static gboolean
address_fits(const struct paper_letter *l, GError **err)
{
	GString		*reason = g_string_new(NULL);
	gboolean	 ok = paper_check_address(l->recipient, reason);

	if (!ok)
		g_set_error_literal(err, PAPER_ERROR, PAPER_ERROR_ADDRESS,
		    reason->str);
	g_string_free(reason, TRUE);
	return ok;
}

gboolean
paper_render(const struct paper_letter *l, const char *path, GError **err)
{
	struct sink	 k = { -1, 0, NULL };
	struct text	 t;
	char		*tmp = NULL;
	int		 e;
	gboolean	 ok = FALSE;

	if (!address_fits(l, err))
		return FALSE;
	text_init(&t, l);
	/* The name is the template g_mkstemp_full() fills in. */
	tmp = g_strdup_printf("%s.XXXXXX", path);
	if ((k.fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0640)) == -1) {
		e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
		    "cannot create %s: %s", tmp, g_strerror(e));
		goto out;
	}
	ok = write_pdf(&k, tmp, &t, l, err) &&
	    spool_durable_rename(k.fd, tmp, path, err);
out:
	if (k.fd != -1)
		close(k.fd);
	if (!ok && k.fd != -1)
		g_unlink(tmp);
	g_free(tmp);
	text_free(&t);
	return ok;
}

GBytes *
paper_render_bytes(const struct paper_letter *l, GError **err)
{
	struct sink	 k = { -1, 0, NULL };
	struct text	 t;
	gboolean	 ok;

	if (!address_fits(l, err))
		return NULL;
	text_init(&t, l);
	k.buf = g_byte_array_new();
	ok = write_pdf(&k, "the letter", &t, l, err);
	text_free(&t);
	if (!ok) {
		g_byte_array_unref(k.buf);
		return NULL;
	}
	return g_byte_array_free_to_bytes(k.buf);
}
