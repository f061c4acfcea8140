/*
 * template_int.h: what the files of the template module share: the tree
 * a template is built into (template.c) and filled in from
 * (template_render.c).
 */
#ifndef RECOURSD_TEMPLATE_INT_H
#define RECOURSD_TEMPLATE_INT_H

#include <glib.h>

#include "template.h"

enum node_type {
	NODE_TEXT,
	NODE_VAR,
	NODE_IF,
	NODE_EACH
};

struct node {
	enum node_type	 type;
	int		 line;
	char		*text;		/* the text, or the variable's name */
	GPtrArray	*body;		/* of struct node: then-part or loop */
	GPtrArray	*alt;		/* of struct node: else-part, or NULL */
};

struct tpl {
	char		*name;
	GPtrArray	*subject;	/* of struct node */
	GPtrArray	*body;		/* of struct node */
};

/* "." or dotted words of letters, digits and _, not starting with a digit. */
gboolean	 tpl_valid_name(const char *);

#endif
