/*
 * paper.h: one letter rendered as an A4 PDF, in French business-letter
 * layout, for a DL window envelope with the window on the right.
 *
 * Page 1: the sender block top left; the recipient's address in the
 * window frame, 105 mm from the left and 55 mm from the top, 85 mm wide
 * and at most 6 lines; below the top fold, the place and date on the
 * right, the notice (registered letter) if any, «Objet :» and «Réf. :»;
 * then the body and, at the end, the signature block on the right.
 * Following pages repeat the reference in a small header; every page of
 * a letter of more than one page says «Page n/N».  Text is DejaVu Sans
 * (fonts-dejavu-core) through fontconfig; a word too long for its line
 * (a URL) is broken between characters, never cut.
 */
#ifndef RECOURSD_PAPER_H
#define RECOURSD_PAPER_H

#include <glib.h>

/* Errors: the address does not fit the window; cairo failed. */
#define PAPER_ERROR	(paper_error_quark())
enum paper_error {
	PAPER_ERROR_ADDRESS,
	PAPER_ERROR_RENDER
};
GQuark		 paper_error_quark(void);

/*
 * A letter: every string UTF-8 (invalid bytes are replaced, control
 * characters other than line breaks dropped), borrowed for the call.
 * Blocks are lines separated by '\n'.
 */
struct paper_letter {
	const char	*sender;	/* block: organisation, address; may
					   be NULL */
	const char	*recipient;	/* block, as paper_check_address() takes */
	const char	*place;		/* "Six-Fours-les-Plages"; may be NULL */
	GDateTime	*date;		/* the day, in its own time zone;
					   NULL for no date line */
	const char	*notice;	/* "Lettre recommandée avec accusé de
					   réception"; NULL for none */
	const char	*subject;	/* after «Objet :»; NULL for none */
	const char	*reference;	/* after «Réf. :»; NULL for none */
	/*
	 * Paragraphs separated by blank lines.  The lines of a paragraph
	 * are joined (mail templates wrap at 72 columns), except a line
	 * that starts with a space, a tab or "- " (a list item).  A line
	 * "--" or "-- " and what follows are the mail's signature, left out.
	 */
	const char	*body;
	const char	*signature;	/* block: name, role; may be NULL */
};

/*
 * The window holds the address: at most 6 non-blank lines, none wider
 * than the window in the letter's font.  Blank lines are ignored and
 * each line is trimmed.  When it does not, FALSE and, if reason is not
 * NULL, one English sentence appended to it that names the line and
 * says why.
 */
gboolean	 paper_check_address(const char *block, GString *reason);

/*
 * An address block from a name and an address on one line, the parts
 * separated by commas ("12 rue des Lilas, 83140 Six-Fours-les-Plages")
 * or line breaks: one line each, trimmed, empty parts dropped.  Either
 * may be NULL.  Caller frees.
 */
char		*paper_address_block(const char *name, const char *address);

/*
 * "Six-Fours-les-Plages, le 4 décembre 2026", "…, le 1er décembre 2026",
 * or "Le 4 décembre 2026" when place is NULL or empty: French whatever
 * the process locale.  Caller frees.
 */
char		*paper_date_line(const char *place, GDateTime *date);

/*
 * Write the letter to path as a PDF, durably (a temporary file in the
 * same directory, fsync, rename).  FALSE with err set when the address
 * does not pass paper_check_address() (PAPER_ERROR_ADDRESS, the message
 * its reason) or the file cannot be written (G_FILE_ERROR,
 * PAPER_ERROR_RENDER); path then holds no partial file.
 */
gboolean	 paper_render(const struct paper_letter *, const char *path,
		    GError **err);
/*
 * The same PDF in memory, for a caller that stores it itself (the
 * attachment store): NULL and err as paper_render(); g_bytes_unref().
 */
GBytes		*paper_render_bytes(const struct paper_letter *, GError **err);

/* Pages the letter takes (for the log and the tests); -1 on error. */
int		 paper_page_count(const struct paper_letter *);

#endif
